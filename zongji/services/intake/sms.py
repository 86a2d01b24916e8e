"""The SMS gateway's inbound deliveries (issue 15, point 2; contract in README "SMS inbound").

One delivery is one SMS or one part of a long one (``reference``, ``part``, ``total`` as in the
UDH concatenation header). It is idempotent on the gateway's ``message_id``: a retried delivery
answers the same as the first and stores nothing new. A part waits in ``sms_parts`` until every
part of its reference from the same sender has come; then the whole text enters the queue as one
message (its id: the reference's parts' ids joined). "查询 <order number>" is answered at once
with the order's stage (``domain.intake.public_status``) and never waits in the queue."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from zongji.domain.intake import public_status, sms_parts
from zongji.domain.intake.channels import Channel
from zongji.domain.intake.status_query import order_number_asked
from zongji.domain.work_orders.phone_digits import phone_digits
from zongji.errors import Invalid
from zongji.services.intake import queue, replies
from zongji.settings import Settings
from zongji.store import jobs
from zongji.store.intake_models import IntakeMessage, SmsPart
from zongji.store.models import Job
from zongji.store.work_order_models import WorkOrder

# Orders filed by a public channel may be followed by anyone who has the number (Open311 too);
# any other order's stage only by the number it was reported from.
PUBLIC_CHANNELS = frozenset({Channel.OPEN311, Channel.WEB, Channel.APP})


@dataclass(frozen=True)
class Inbound:
    message_id: str  # the gateway's id of this SMS (or part)
    sender: str
    text: str
    to: str | None = None
    reference: str | None = None
    part: int | None = None
    total: int | None = None


@dataclass(frozen=True)
class Accepted:
    duplicate: bool
    complete: bool  # False: a part of a long message still waiting for the others
    intake_message_id: int | None
    answered: bool  # a status query answered at once


def _status_of(session: Session, number: str, sender_digits: str) -> str | None:
    o = session.scalar(select(WorkOrder).where(WorkOrder.number == number))
    if o is None:
        return None
    if o.channel in PUBLIC_CHANNELS or (sender_digits and phone_digits(o.caller_number) == sender_digits):
        return o.status
    linked = session.scalar(select(IntakeMessage.id).where(IntakeMessage.order_id == o.id,
                                                          IntakeMessage.sender_digits == sender_digits).limit(1))
    return o.status if sender_digits and linked is not None else None


def _enter(session: Session, settings: Settings, *, external_id: str, sender: str, text: str, to: str | None,
           now: dt.datetime) -> tuple[IntakeMessage, bool, bool]:
    m, dup = queue.receive(session, settings, channel=Channel.SMS, sender=sender, text=text, now=now,
                           external_id=external_id, to_address=to)
    if dup:
        return m, True, m.outcome == "status_query"
    number = order_number_asked(text)
    if number is None:
        return m, False, False
    status = _status_of(session, number, m.sender_digits or "")
    m.state, m.outcome, m.first_responded_at = "done", "status_query", now
    if status is not None:
        m.order_id = session.scalar(select(WorkOrder.id).where(WorkOrder.number == number))
    replies.send(session, to=m, text=public_status.status_reply(number, status), now=now)
    return m, False, True


def accept(session: Session, settings: Settings, d: Inbound, *, now: dt.datetime) -> Accepted:
    sender = d.sender.strip()
    if not phone_digits(sender) or len(phone_digits(sender)) > 20:
        raise Invalid("the sender's number has no digits", field="from")
    bad = sms_parts.check(d.part, d.total)
    if bad:
        raise Invalid("part and total go together: 1 ≤ part ≤ total ≤ 255", field=bad)
    if d.total is not None and d.total > 1 and not d.reference:
        raise Invalid("a part of a long message needs its reference", field="reference")
    if session.scalar(select(IntakeMessage.id).where(IntakeMessage.channel == str(Channel.SMS),
                                                     IntakeMessage.external_id == d.message_id)) is None \
            and session.scalar(select(SmsPart.id).where(SmsPart.external_id == d.message_id)) is None:
        queue.check_rate(session, now=now, limit=settings.intake_sms_max_per_hour, field="from",
                         sender_digits=phone_digits(sender))
    if d.total is None or d.total == 1:
        m, dup, answered = _enter(session, settings, external_id=d.message_id, sender=sender, text=d.text,
                                  to=d.to, now=now)
        return Accepted(dup, True, m.id, answered)
    old = session.scalar(select(SmsPart).where(SmsPart.external_id == d.message_id))
    if old is not None:
        return Accepted(True, old.message_id is not None, old.message_id, False)
    if len(d.text) > settings.intake_text_max_chars:
        raise Invalid("the part is too long", field="text", code="too_long")
    part = SmsPart(external_id=d.message_id, sender=sender, reference=str(d.reference), part=int(d.part or 1),
                   total=int(d.total), text=d.text, to_address=d.to, received_at=now)
    try:
        with session.begin_nested():
            session.add(part)
            session.flush()
    except IntegrityError:
        return Accepted(True, False, None, False)
    siblings = list(session.scalars(select(SmsPart).where(SmsPart.sender == sender, SmsPart.reference == part.reference,
                                                          SmsPart.total == part.total, SmsPart.message_id.is_(None))
                                    .order_by(SmsPart.part, SmsPart.id)))
    text = sms_parts.assemble(sms_parts.Part(p.part, p.total, p.text) for p in siblings)
    if text is None:
        return Accepted(False, False, None, False)
    firsts = {}
    for p in siblings:
        firsts.setdefault(p.part, p)
    external_id = "+".join(firsts[n].external_id for n in sorted(firsts))[:120]
    m, _, answered = _enter(session, settings, external_id=external_id, sender=sender, text=text, to=d.to, now=now)
    for p in siblings:
        p.message_id = m.id
    return Accepted(False, True, m.id, answered)


# --- Stale parts (issue 15 follow-up, point 4) -------------------------------------------------
# A long SMS whose last parts never come is not lost: ``intake_sms_part_wait_minutes`` after its
# first part arrived, the parts that did come enter the queue as one message, in part order, with
# "incomplete" in its meta and a note in its text so the operator knows text is missing. The
# worker job ``intake.sms_parts_flush`` runs this once a minute (one job per slot: exactly once).

FLUSH_JOB = "intake.sms_parts_flush"
INCOMPLETE_NOTE = "【短信不完整：缺第 {missing} 段，共 {total} 段】"


def flush_stale(session: Session, settings: Settings, *, now: dt.datetime) -> list[int]:
    """Deliver every waiting long SMS whose first part is older than the wait, as it is; the ids
    of the queue messages made. Idempotent: a flushed part has its ``message_id`` set."""
    since = now - dt.timedelta(minutes=settings.intake_sms_part_wait_minutes)
    stale = session.execute(select(SmsPart.sender, SmsPart.reference, SmsPart.total)
                            .where(SmsPart.message_id.is_(None), SmsPart.received_at <= since)
                            .distinct()).all()
    made: list[int] = []
    for sender, reference, total in stale:
        parts = list(session.scalars(select(SmsPart).where(
            SmsPart.sender == sender, SmsPart.reference == reference, SmsPart.total == total,
            SmsPart.message_id.is_(None)).order_by(SmsPart.part, SmsPart.id).with_for_update()))
        if not parts:
            continue  # another worker took them
        firsts: dict[int, SmsPart] = {}
        for p in parts:
            firsts.setdefault(p.part, p)
        missing = [n for n in range(1, total + 1) if n not in firsts]
        body = "".join(firsts[n].text for n in sorted(firsts))
        note = INCOMPLETE_NOTE.format(missing="、".join(map(str, missing)) or "-", total=total)
        text = (note + body)[:settings.intake_text_max_chars]
        external_id = ("+".join(firsts[n].external_id for n in sorted(firsts)) + "+incomplete")[:120]
        m, _ = queue.receive(session, settings, channel=Channel.SMS, sender=sender, text=text, now=now,
                             external_id=external_id, to_address=parts[0].to_address,
                             meta={"incomplete": True, "reference": reference, "total": total,
                                   "parts": sorted(firsts), "missing": missing})
        for p in parts:
            p.message_id = m.id
        made.append(m.id)
    return made


def ensure_flush(session: Session, now: dt.datetime) -> None:
    """Keep one flush scheduled at the next minute."""
    due = dt.datetime.fromtimestamp((now.timestamp() // 60 + 1) * 60, dt.UTC)
    jobs.schedule(session, FLUSH_JOB, f"intake-sms-flush:{due.isoformat()}", due, {})
    session.execute(Job.__table__.delete().where(Job.kind == FLUSH_JOB, Job.state == "done",
                                                 Job.finished_at < now - dt.timedelta(days=1)))
