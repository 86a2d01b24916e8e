"""Messages (issue 3, R-H5): taking one for a guest, a room, a person or a department, noting its
deliveries, acknowledging and voiding it, raising it again while undelivered, and listing them.

A message for a guest lights the room's message lamp (a PBX command, ``pbx``); one for a VIP
guest goes into the handover (R-H12). Guest privacy (R-H4): every read of guest data is audited,
and the answer to a message taken for a room names only the room for roles outside
``ROOM_NUMBER_ROLES``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from zongji.domain import messages as msg_rules
from zongji.errors import Conflict, NotFound
from zongji.services import audit, handover, phrases
from zongji.services.actors import actor, who
from zongji.errors import Invalid
from zongji.services.directory import audit_guest_reads
from zongji.services.switchboard.message_records import (
    as_invalid,
    get_message,
    message_domain,
    message_out,
    message_policy,
    publish_message,
    record_delivery,
    schedule_raise,
)
from zongji.services.switchboard.message_sending import request_send
from zongji.services.switchboard.pbx import queue_pbx
from zongji.services.switchboard.rooms import current_stay, room_addressed
from zongji.settings import Settings
from zongji.store.models import Call, Department, Guest, Person, Stay, User, utcnow
from zongji.store.switchboard_models import Message


_CHANNEL_ZH = {"lamp": "留言灯", "sms": "短信", "email": "电子邮件", "pager": "寻呼", "console": "控制台",
               "phone": "电话告知"}


def take_message(session: Session, user: User, settings: Settings, *, recipient_kind: str,
                 recipient_id: int | None, caller_name: str, caller_number: str, content: str, read_back: bool,
                 urgent: bool = False, call_id: int | None = None, deliver_by: list[str] | None = None,
                 send_to: Mapping[str, str] | None = None, at: dt.datetime | None = None,
                 room: str | None = None) -> dict[str, Any]:
    """``recipient_kind`` "room" (``room`` = the number, or ``recipient_id`` = the room's id): a
    message for whoever is in house in that room; it is stored as the occupant's (a guest
    message), but the answer names only the room for roles outside ``ROOM_NUMBER_ROLES`` (R-H4)."""
    now = at or utcnow()
    policy = message_policy(settings)
    lamp_ext = None
    by_room: Stay | None = None
    if recipient_kind == "room":
        by_room = room_addressed(session, room=room, room_id=recipient_id, at=now, id_field="recipient_id")
        g = by_room.guest
        recipient_kind, recipient_id, label, lamp_ext = "guest", g.id, g.name, by_room.room.extension
        channels = deliver_by if deliver_by is not None else ["lamp"]
    elif recipient_id is None:
        raise Invalid("give the recipient", field="recipient_id")
    elif recipient_kind == "guest":
        g = session.get(Guest, recipient_id)
        if g is None:
            raise NotFound("no such guest", field="recipient_id")
        stay = current_stay(session, g.id, now)
        if stay is None or g.privacy_level == "not_staying":
            # The same answer as for anyone not in house: a message is not taken (R-H4).
            raise Invalid("no guest of that name is in house", field="recipient_id")
        label = g.name
        lamp_ext = stay.room.extension
        audit_guest_reads(session, [g.id], user=user, via="message")
        channels = deliver_by if deliver_by is not None else ["lamp"]
    elif recipient_kind == "staff":
        p = session.get(Person, recipient_id)
        if p is None:
            raise NotFound("no such person", field="recipient_id")
        label = f"{p.department.name if p.department else ''}{p.title or ''}{p.name}"
        channels = deliver_by or []
    elif recipient_kind == "department":
        d = session.get(Department, recipient_id)
        if d is None:
            raise NotFound("no such department", field="recipient_id")
        label = d.name
        channels = deliver_by or []
    else:
        raise Invalid("expected guest, staff or department", field="recipient_kind")
    call = None if call_id is None else session.get(Call, call_id)
    if call_id is not None and call is None:
        raise NotFound("no such call", field="call_id")
    for ch in channels:
        if ch not in {c.value for c in msg_rules.CHANNELS_FOR[msg_rules.RecipientKind(recipient_kind)]}:
            raise Invalid(f"{ch!r} is not used for a {recipient_kind} message", field="deliver_by")
    draft = msg_rules.MessageDraft(
        recipient_kind=recipient_kind, recipient_id=recipient_id, recipient_label=label,
        caller_name=caller_name, caller_number=caller_number, content=content, taken_by=who(user),
        taken_at=now, read_back=read_back, urgent=urgent, call_id=call_id)
    try:
        dm = msg_rules.take_message(draft, policy)
    except msg_rules.MessageError as exc:
        raise as_invalid(exc) from None
    m = Message(recipient_kind=str(dm.recipient_kind), recipient_id=recipient_id, recipient_label=dm.recipient_label,
                caller_name=dm.caller_name, caller_number=dm.caller_number, content=dm.content, urgent=dm.urgent,
                call_id=call_id, taken_by_id=user.id, taken_by=dm.taken_by, taken_at=now,
                read_back_at=dm.read_back_at, state=str(dm.state),
                addressed=("room" if by_room is not None else "guest") if recipient_kind == "guest" else None)
    session.add(m)
    session.flush()
    audit.record(session, actor=actor(user), user_id=user.id, action="create", entity="message", entity_id=m.id,
                 detail={"recipient_kind": recipient_kind, "recipient_id": recipient_id, "call_id": call_id,
                         "room": by_room.room.number if by_room else None})
    for ch in channels:
        if ch == "lamp":
            m.lamp_extension = lamp_ext
            queue_pbx(session, "lamp", now, extension=lamp_ext, on=True, message_id=m.id)
        elif ch in ("sms", "email", "pager"):
            request_send(session, user, settings, m.id, channel=ch,
                         address=(send_to or {}).get(ch), at=now)
    if recipient_kind == "guest" and g.vip:  # R-H12: a VIP guest's call handling goes into the handover
        handover.note_vip_handling(
            session, user, settings,
            f"{handover.vip_guest_label(g.name, g.vip_title)}：{m.caller_name or '来电人'}留言，已记录"
            f"（{'、'.join(_CHANNEL_ZH.get(c, c) for c in channels) or '待送达'}）。（{who(user)}）", at=now)
    schedule_raise(session, m, policy)
    # Forbidden phrases in the text passed on (R-P10, R-S16): recorded, answered as warnings.
    warnings = phrases.record(session, user, m.content or "", text_kind="sms" if "sms" in channels else "message",
                              line_id=call.line_id if call is not None else None, call_id=call_id)
    # The answer as the user's role may see it: zongji.api.guest_privacy (R-H4).
    out = publish_message(session, m, settings.tz)
    return {**out, "phrase_warnings": warnings} if warnings else out


def deliver_message(session: Session, user: User, settings: Settings, message_id: int, *, channel: str,
                    detail: str | None) -> dict[str, Any]:
    m = get_message(session, message_id)
    now = utcnow()
    if channel == "lamp":
        raise Invalid("the lamp is lit by the system when the message is taken", field="channel")
    record_delivery(session, m, channel, now, by=who(user), detail=detail, policy=message_policy(settings))
    audit.record(session, actor=actor(user), user_id=user.id, action="deliver", entity="message",
                 entity_id=m.id, detail={"channel": channel, "detail": detail})
    schedule_raise(session, m, message_policy(settings))
    return publish_message(session, m, settings.tz)


def _lamp_off_if_none_left(session: Session, m: Message, now: dt.datetime) -> None:
    if not m.lamp_extension:
        return
    left = session.scalar(select(func.count()).select_from(Message).where(
        Message.lamp_extension == m.lamp_extension, Message.id != m.id,
        Message.state.not_in(("acknowledged", "void"))))
    if not left:
        queue_pbx(session, "lamp", now, extension=m.lamp_extension, on=False)


def acknowledge_message(session: Session, user: User, settings: Settings, message_id: int, *,
                        by: str | None = None) -> dict[str, Any]:
    """The recipient picked it up (the guest at the desk, the manager). The lamp goes out when
    no other message is waiting for that room."""
    m = get_message(session, message_id)
    now = utcnow()
    try:
        dm = msg_rules.acknowledge(message_domain(m), at=now, by=(by or who(user)))
    except msg_rules.MessageError as exc:
        raise Conflict(str(exc), field=exc.field) from None
    m.state, m.acknowledged_at, m.acknowledged_by = str(dm.state), dm.acknowledged_at, dm.acknowledged_by
    audit.record(session, actor=actor(user), user_id=user.id, action="acknowledge", entity="message",
                 entity_id=m.id, detail={"by": m.acknowledged_by})
    _lamp_off_if_none_left(session, m, now)
    return publish_message(session, m, settings.tz)


def void_message(session: Session, user: User, settings: Settings, message_id: int, *, reason: str) -> dict[str, Any]:
    m = get_message(session, message_id)
    now = utcnow()
    try:
        dm = msg_rules.void_message(message_domain(m), at=now, by=who(user), reason=reason)
    except msg_rules.MessageError as exc:
        if exc.field == "state":
            raise Conflict(str(exc), field=exc.field) from None
        raise as_invalid(exc) from None
    m.state, m.void_at, m.void_by, m.void_reason = str(dm.state), dm.void_at, dm.void_by, dm.void_reason
    audit.record(session, actor=actor(user), user_id=user.id, action="void", entity="message", entity_id=m.id,
                 detail={"reason": reason})
    _lamp_off_if_none_left(session, m, now)
    return publish_message(session, m, settings.tz)


def list_messages(session: Session, *, tz: ZoneInfo, open_only: bool = True, recipient_kind: str | None = None,
                  recipient_id: int | None = None, limit: int = 200) -> list[dict[str, Any]]:
    stmt = select(Message).order_by(Message.urgent.desc(), Message.taken_at).limit(limit)
    if open_only:
        stmt = stmt.where(Message.state.not_in(("acknowledged", "void")))
    if recipient_kind:
        stmt = stmt.where(Message.recipient_kind == recipient_kind)
    if recipient_id is not None:
        stmt = stmt.where(Message.recipient_id == recipient_id)
    return [message_out(m, tz) for m in session.scalars(stmt)]


def raise_message(session: Session, message_id: int, now: dt.datetime, settings: Settings) -> None:
    """The re-raise timer (R-H5): an undelivered (or unacknowledged) message is shown again."""
    m = session.get(Message, message_id)
    if m is None:
        return
    policy = message_policy(settings)
    dm = message_domain(m)
    if not msg_rules.needs_raise(dm, now, policy):
        schedule_raise(session, m, policy)  # e.g. delivered meanwhile: maybe a reminder later
        return
    dm = msg_rules.mark_raised(dm, at=now)
    m.raised_count, m.last_raised_at = dm.raised_count, dm.last_raised_at
    audit.record(session, actor="system", action="raise", entity="message", entity_id=m.id,
                 detail={"raised_count": m.raised_count})
    publish_message(session, m, settings.tz, raised=True)
    schedule_raise(session, m, policy)
