"""Postings to the guest's folio over FIAS (issue 16 point 5, R-H10).

Whatever holds a charge (the call-charges work, a minibar or laundry record) calls :func:`post`
with a ``source`` naming the charge: one posting per source, however often it is called, so a
charge is posted once. The link sends queued postings as PS (the posting's id is its ``P#``) and
applies the PMS's PA: ``OK`` posted; "try later" answers queue it again after
``fias_posting_retry_seconds``; any other answer refuses it and it stays listed (``listing``)
for a person. A posting sent and not answered when the link drops is queued again when the link
is back and sent with the same ``P#``, so the PMS can tell it from a new one.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import Session

from zongji.domain.fias import postings as rules
from zongji.domain.fias.records import format_record
from zongji.domain.room_numbers import normalize_room
from zongji.errors import Invalid
from zongji.services import audit
from zongji.services.local_time import iso
from zongji.settings import Settings
from zongji.store.fias_models import FiasPosting, FiasReservation
from zongji.store.models import Stay

ACTOR = "pms:fias"


def post(session: Session, *, source: str, room: str, amount_minor: int, text: str | None = None,
         dialled: str | None = None, duration_seconds: int | None = None, actor: str = "system") -> FiasPosting:
    """Queue a charge for the guest's folio; the same ``source`` again returns the first posting."""
    if not source:
        raise Invalid("give what the charge is", field="source")
    if amount_minor < 0:
        raise Invalid("a charge is not negative", field="amount_minor")
    existing = session.scalar(select(FiasPosting).where(FiasPosting.source == source))
    if existing is not None:
        return existing
    number = normalize_room(room)
    if not number:
        raise Invalid("give the room", field="room")
    # The reservation of the PMS's guest in house in that room, when the PMS made the stay.
    reservation = session.scalar(select(FiasReservation.reservation).join(Stay, Stay.id == FiasReservation.stay_id)
                                 .where(FiasReservation.room_number == number, Stay.status == "in_house")
                                 .order_by(FiasReservation.id.desc()).limit(1))
    row = FiasPosting(source=source, room_number=number, reservation=reservation, amount_minor=amount_minor,
                      text=(text or "")[:200] or None, dialled=dialled, duration_seconds=duration_seconds,
                      state="queued", attempts=0)
    session.add(row)
    session.flush()
    audit.record(session, actor=actor, action="posting.queue", entity="fias_posting", entity_id=row.id,
                 detail={"source": source, "room": number, "amount_minor": amount_minor})
    return row


def due(session: Session, now: dt.datetime, *, limit: int = 20) -> list[FiasPosting]:
    return list(session.scalars(select(FiasPosting).where(
        FiasPosting.state == "queued", or_(FiasPosting.next_try_at.is_(None), FiasPosting.next_try_at <= now))
        .order_by(FiasPosting.id).limit(limit)))


def records_to_send(session: Session, now: dt.datetime, settings: Settings, *, limit: int = 20) -> list[tuple[int, str]]:
    """The PS records of the postings due, marked sent (waiting for their PA) in this
    transaction: (posting id, record)."""
    out = []
    for p in due(session, now, limit=limit):
        rec = rules.posting_record(rules.Posting(p.id, p.room_number, p.amount_minor, p.reservation, p.dialled,
                                                 p.duration_seconds, p.text), now, settings.tz)
        p.state, p.sent_at, p.attempts = "sent", now, p.attempts + 1
        out.append((p.id, format_record(rec)))
    return out


def requeue_unanswered(session: Session) -> int:
    """The link is (back) up: postings sent without an answer are sent again (same P#)."""
    return session.execute(update(FiasPosting).where(FiasPosting.state == "sent")
                           .values(state="queued", next_try_at=None)).rowcount


def answer(session: Session, ans: rules.PostingAnswer, now: dt.datetime, settings: Settings) -> dict[str, Any]:
    p = session.get(FiasPosting, ans.sequence)
    if p is None or p.state in ("posted", "refused"):
        return {"posting_id": ans.sequence, "ignored": True}  # an answer repeated, or not ours
    outcome = ans.outcome
    p.answer, p.answer_text, p.answered_at = ans.status, (ans.text or "")[:200] or None, now
    if outcome == rules.POSTED:
        p.state = "posted"
    elif outcome == rules.RETRY:
        p.state, p.next_try_at = "queued", now + dt.timedelta(seconds=settings.fias_posting_retry_seconds)
    else:
        p.state = "refused"
    audit.record(session, actor=ACTOR, action=f"posting.{outcome}", entity="fias_posting", entity_id=p.id,
                 detail={"answer": ans.status, "text": ans.text})
    return {"posting_id": p.id, "state": p.state}


def posting_out(p: FiasPosting, tz: ZoneInfo) -> dict[str, Any]:
    return {"id": p.id, "source": p.source, "room": p.room_number, "amount_minor": p.amount_minor, "text": p.text,
            "state": p.state, "attempts": p.attempts, "answer": p.answer, "answer_text": p.answer_text,
            "created_at": iso(p.created_at, tz), "sent_at": iso(p.sent_at, tz), "answered_at": iso(p.answered_at, tz)}


def listing(session: Session, settings: Settings, *, state: str | None = None, limit: int = 200) -> list[dict[str, Any]]:
    """Postings not posted (queued, waiting for an answer, refused) — or of one state."""
    stmt = select(FiasPosting)
    stmt = stmt.where(FiasPosting.state == state) if state else stmt.where(FiasPosting.state != "posted")
    return [posting_out(p, settings.tz) for p in session.scalars(stmt.order_by(FiasPosting.id).limit(limit))]


def counts(session: Session) -> dict[str, int]:
    rows = session.execute(select(FiasPosting.state, func.count()).group_by(FiasPosting.state))
    out = {"queued": 0, "sent": 0, "posted": 0, "refused": 0}
    out.update({state: n for state, n in rows})
    return out


def requeue(session: Session, posting_id: int, *, actor: str) -> FiasPosting:
    """Send a refused posting again (a person fixed the cause at the PMS)."""
    p = session.get(FiasPosting, posting_id)
    if p is None or p.state != "refused":
        raise Invalid("only a refused posting is sent again", field="posting_id")
    p.state, p.next_try_at = "queued", None
    audit.record(session, actor=actor, action="posting.requeue", entity="fias_posting", entity_id=p.id)
    return p
