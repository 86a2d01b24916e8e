"""A message as stored (issue 3, R-H5): its domain form and the policy it follows, what is
published of it (its sends included), recording a delivery, and scheduling the re-raise timer.

Shared by what changes a message — the operator's actions (``messages``), the sender
(``message_sending``), the lit lamp (``pbx``) — and by what reads it (the handover). Guest privacy
(R-H4): a message taken for a room shows the room in place of the guest.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session, object_session

from zongji.domain import guest_privacy
from zongji.domain import messages as msg_rules
from zongji.errors import Invalid, NotFound
from zongji.services import audit, live_feed
from zongji.services.local_time import iso
from zongji.settings import Settings
from zongji.store import jobs
from zongji.store.models import Room
from zongji.store.switchboard_models import Message, MessageDelivery, MessageSend

MESSAGE_RAISE_JOB = "switchboard.message_raise"


def message_policy(settings: Settings) -> msg_rules.MessagePolicy:
    remind = settings.message_remind_unacknowledged_minutes
    return msg_rules.MessagePolicy(require_read_back=settings.message_require_read_back,
                                   raise_again_after_minutes=settings.message_raise_again_minutes,
                                   remind_unacknowledged_after_minutes=remind if remind > 0 else None)


def _msg_domain(m: Message) -> msg_rules.Message:
    return msg_rules.Message(
        recipient_kind=msg_rules.RecipientKind(m.recipient_kind), recipient_id=m.recipient_id,
        recipient_label=m.recipient_label, caller_name=m.caller_name, caller_number=m.caller_number,
        content=m.content, taken_by=m.taken_by, taken_at=m.taken_at, state=msg_rules.MessageState(m.state),
        urgent=m.urgent, call_id=m.call_id, read_back_at=m.read_back_at,
        deliveries=tuple(msg_rules.Delivery(msg_rules.Channel(d.channel), d.at, d.by, d.detail) for d in m.deliveries),
        acknowledged_at=m.acknowledged_at, acknowledged_by=m.acknowledged_by, raised_count=m.raised_count,
        last_raised_at=m.last_raised_at, void_at=m.void_at, void_by=m.void_by, void_reason=m.void_reason, id=m.id)


def message_domain(m: Message, *, with_room: bool = True) -> msg_rules.Message:
    d = _msg_domain(m)
    if not with_room and m.addressed == guest_privacy.ROOM:
        return replace(d, recipient_label=_message_room(m) or "")
    return d


def message_out(m: Message, tz: ZoneInfo) -> dict[str, Any]:
    return {
        "id": m.id, "recipient": {"kind": m.recipient_kind, "id": m.recipient_id, "label": m.recipient_label},
        "addressed": m.addressed, "room": _message_room(m),
        "caller_name": m.caller_name, "caller_number": m.caller_number, "content": m.content,
        "urgent": m.urgent, "call_id": m.call_id, "taken_by": m.taken_by, "taken_at": iso(m.taken_at, tz),
        "read_back": m.read_back_at is not None, "read_back_at": iso(m.read_back_at, tz), "state": m.state,
        "deliveries": [{"channel": d.channel, "at": iso(d.at, tz), "by": d.by, "detail": d.detail}
                       for d in m.deliveries],
        "lamp": bool(m.lamp_extension) and m.state not in ("acknowledged", "void"),
        "acknowledged_at": iso(m.acknowledged_at, tz), "acknowledged_by": m.acknowledged_by,
        "raised_count": m.raised_count, "last_raised_at": iso(m.last_raised_at, tz),
        "void_at": iso(m.void_at, tz), "void_reason": m.void_reason,
        "open": m.state not in ("acknowledged", "void"),
        "sends": _sends_out(m, tz),
    }


def _message_room(m: Message) -> str | None:
    """The room a message was taken for (found by its lamp's extension): what an operator sees
    in place of the guest (zongji.domain.guest_privacy). None for messages taken by name."""
    if m.addressed != "room" or not m.lamp_extension:
        return None
    session = object_session(m)
    if session is None:
        return None
    return session.scalar(select(Room.number).where(Room.extension == m.lamp_extension).limit(1))


def _sends_out(m: Message, tz: ZoneInfo) -> list[dict[str, Any]]:
    return [send_out(s, tz, guest=m.recipient_kind == "guest") for s in m.sends]


def send_out(s: MessageSend, tz, *, guest: bool) -> dict[str, Any]:
    """A send by SMS, e-mail or pager as published (a guest's address masked)."""
    return {"id": s.id, "channel": s.channel,
            "address": guest_privacy.mask_address(s.address, channel=s.channel) if guest else s.address,
            "state": s.state, "attempts": s.attempts, "requested_at": iso(s.requested_at, tz),
            "requested_by": s.requested_by, "last_attempt_at": iso(s.last_attempt_at, tz),
            "sent_at": iso(s.sent_at, tz), "error": s.error}


def as_invalid(exc: msg_rules.MessageError) -> Invalid:
    """A domain refusal as the API's 422."""
    return Invalid(str(exc), field=exc.field)


def schedule_raise(session: Session, m: Message, policy: msg_rules.MessagePolicy) -> None:
    due = msg_rules.raise_due_at(_msg_domain(m), policy)
    if due is not None:
        jobs.schedule(session, MESSAGE_RAISE_JOB, f"message-raise:{m.id}:{m.raised_count}:{len(m.deliveries)}",
                      due, {"message_id": m.id})


def publish_message(session: Session, m: Message, tz: ZoneInfo, **extra: Any) -> dict[str, Any]:
    """Flush and put the message on the live feed (topic ``message``); returns what was published."""
    session.flush()
    out = message_out(m, tz)
    live_feed.publish(session, "message", m.id, {**out, **extra})
    return out


def record_delivery(session: Session, m: Message, channel: str, at: dt.datetime, *, by: str,
                    detail: str | None, policy: msg_rules.MessagePolicy | None = None) -> None:
    """Note that the message reached its recipient by ``channel`` (the system's deliveries audited)."""
    try:
        dm = msg_rules.record_delivery(_msg_domain(m), channel, at=max(at, m.taken_at), by=by, detail=detail,
                                       policy=policy or msg_rules.MessagePolicy(require_read_back=False))
    except msg_rules.MessageError as exc:
        raise as_invalid(exc) from None
    last = dm.deliveries[-1]
    m.deliveries.append(MessageDelivery(channel=str(last.channel), at=last.at, by=last.by, detail=last.detail))
    m.state = str(dm.state)
    if by == "system":
        audit.record(session, actor="system", action="deliver", entity="message", entity_id=m.id,
                     detail={"channel": channel, "detail": detail})
    session.flush()


def get_message(session: Session, message_id: int) -> Message:
    m = session.get(Message, message_id)
    if m is None:
        raise NotFound("no such message", field="message_id")
    return m


def open_message_rows(session: Session) -> list[Message]:
    return list(session.scalars(select(Message).where(Message.state.not_in(("acknowledged", "void")))
                                .order_by(Message.taken_at)))
