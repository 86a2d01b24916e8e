"""Messages (留言， R-H5, R-C2): validation, lifecycle, re-raise and handover rules. Pure.

Lifecycle::

    taken ──confirm_read_back──▶ confirmed ──record_delivery──▶ delivered ──acknowledge──▶ acknowledged
      └──────────────(policy allows delivery without read-back)──────▶┘

* ``take_message(draft, policy)`` validates (caller name, number, content, taken by, taken at,
  read-back ticked when ``policy.require_read_back``) and returns a ``Message`` — ``confirmed``
  when read back, else ``taken``.
* ``record_delivery`` adds one delivery by a channel (lamp, SMS, e-mail, pager, console); a
  message can be delivered by several channels (the lamp and an SMS). The lamp is for guests,
  the console for staff and departments.
* ``acknowledge`` — the recipient picked it up (the guest at the front desk, the manager in the
  console). Only then does it leave the handover.
* Nothing deletes a message: no message is ever lost. A wrong message is ``void``-ed with who
  and why, and stays on record.

Re-raise (R-H5 "delivered as soon as possible"): a message not yet delivered is raised again
``policy.raise_again_after_minutes`` after it was taken (or last raised); a delivered one not yet
acknowledged is raised again after ``policy.remind_unacknowledged_after_minutes`` (None: never).

Handover (R-H5, R-H13): every message not acknowledged (and not void) goes in the handover.

The room number of a guest recipient is not part of a message; the service knows the room from
the recipient and sends the lamp command to the telephony adapter.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass, replace
from enum import StrEnum

from zongji.domain.working_hours import FieldError


class RecipientKind(StrEnum):
    GUEST = "guest"
    STAFF = "staff"  # a person in the directory
    DEPARTMENT = "department"


class Channel(StrEnum):
    LAMP = "lamp"  # the room phone's message lamp (MWI) + the front-desk information counter
    SMS = "sms"
    EMAIL = "email"
    PAGER = "pager"
    CONSOLE = "console"
    PHONE = "phone"  # the operator phoned the recipient and told them (issue 8)


class MessageState(StrEnum):
    TAKEN = "taken"
    CONFIRMED = "confirmed"  # read back to the caller and confirmed
    DELIVERED = "delivered"
    ACKNOWLEDGED = "acknowledged"
    VOID = "void"


# Which channels suit which recipients.
CHANNELS_FOR: dict[RecipientKind, frozenset[Channel]] = {
    RecipientKind.GUEST: frozenset({Channel.LAMP, Channel.SMS, Channel.EMAIL, Channel.PHONE}),
    RecipientKind.STAFF: frozenset({Channel.SMS, Channel.EMAIL, Channel.PAGER, Channel.CONSOLE, Channel.PHONE}),
    RecipientKind.DEPARTMENT: frozenset({Channel.SMS, Channel.EMAIL, Channel.PAGER, Channel.CONSOLE, Channel.PHONE}),
}

_NUMBER = re.compile(r"^\+?[0-9][0-9 \-()]{2,30}$")


class MessageError(ValueError):
    """A message that cannot be saved or a step not allowed; ``errors`` names each bad field."""

    def __init__(self, errors: Iterable[FieldError]):
        self.errors = tuple(errors)
        self.field = self.errors[0].field if self.errors else None
        super().__init__("; ".join(f"{e.field}: {e.message}" for e in self.errors))


@dataclass(frozen=True)
class MessagePolicy:
    require_read_back: bool = True
    require_caller_number: bool = True
    raise_again_after_minutes: int = 15
    remind_unacknowledged_after_minutes: int | None = None
    max_content_length: int = 2000


@dataclass(frozen=True)
class MessageDraft:
    """What the operator typed. ``recipient_label`` is the name as operators know it."""

    recipient_kind: RecipientKind | str
    recipient_id: int | str | None
    recipient_label: str
    caller_name: str
    caller_number: str
    content: str
    taken_by: str
    taken_at: dt.datetime
    read_back: bool = False
    urgent: bool = False
    call_id: int | None = None


@dataclass(frozen=True)
class Delivery:
    channel: Channel
    at: dt.datetime
    by: str  # operator or "system"
    detail: str | None = None  # e.g. pager number, "lamp on", e-mail address


@dataclass(frozen=True)
class Message:
    recipient_kind: RecipientKind
    recipient_id: int | str | None
    recipient_label: str
    caller_name: str
    caller_number: str
    content: str
    taken_by: str
    taken_at: dt.datetime
    state: MessageState
    urgent: bool = False
    call_id: int | None = None
    read_back_at: dt.datetime | None = None
    deliveries: tuple[Delivery, ...] = ()
    acknowledged_at: dt.datetime | None = None
    acknowledged_by: str | None = None
    raised_count: int = 0
    last_raised_at: dt.datetime | None = None
    void_at: dt.datetime | None = None
    void_by: str | None = None
    void_reason: str | None = None
    id: int | str | None = None  # set by the store once saved

    @property
    def delivered_at(self) -> dt.datetime | None:
        return self.deliveries[0].at if self.deliveries else None

    @property
    def delivered(self) -> bool:
        return bool(self.deliveries)

    @property
    def open(self) -> bool:
        """Still needs attention: not acknowledged and not void."""
        return self.state not in (MessageState.ACKNOWLEDGED, MessageState.VOID)

    @property
    def lamp_on(self) -> bool:
        """The room's lamp should be lit: delivered by lamp and not yet picked up."""
        return self.open and any(d.channel is Channel.LAMP for d in self.deliveries)


# --------------------------------------------------------------------------- taking


def validate_draft(draft: MessageDraft, policy: MessagePolicy = MessagePolicy()) -> list[FieldError]:
    """Every problem with a draft, each naming its field (empty when it can be saved)."""
    errors: list[FieldError] = []
    try:
        RecipientKind(draft.recipient_kind)
    except ValueError:
        errors.append(FieldError("recipient_kind", f"expected guest, staff or department, got {draft.recipient_kind!r}"))
    if not (draft.recipient_label or "").strip():
        errors.append(FieldError("recipient", "required"))
    if not (draft.caller_name or "").strip():
        errors.append(FieldError("caller_name", "required: who called"))
    number = (draft.caller_number or "").strip()
    if not number:
        if policy.require_caller_number:
            errors.append(FieldError("caller_number", "required: the caller's number"))
    elif not _NUMBER.match(number):
        errors.append(FieldError("caller_number", f"not a phone number: {number!r}"))
    content = (draft.content or "").strip()
    if not content:
        errors.append(FieldError("content", "required"))
    elif len(content) > policy.max_content_length:
        errors.append(FieldError("content", f"longer than {policy.max_content_length} characters"))
    if not (draft.taken_by or "").strip():
        errors.append(FieldError("taken_by", "required"))
    if draft.taken_at is None or draft.taken_at.tzinfo is None:
        errors.append(FieldError("taken_at", "a timezone-aware time is required"))
    if policy.require_read_back and not draft.read_back:
        errors.append(FieldError("read_back", "read the message back to the caller and tick to confirm"))
    return errors


def take_message(draft: MessageDraft, policy: MessagePolicy = MessagePolicy()) -> Message:
    """Validate and create the message; raises ``MessageError`` naming every bad field."""
    errors = validate_draft(draft, policy)
    if errors:
        raise MessageError(errors)
    return Message(
        recipient_kind=RecipientKind(draft.recipient_kind), recipient_id=draft.recipient_id,
        recipient_label=draft.recipient_label.strip(), caller_name=draft.caller_name.strip(),
        caller_number=draft.caller_number.strip(), content=draft.content.strip(),
        taken_by=draft.taken_by.strip(), taken_at=draft.taken_at,
        state=MessageState.CONFIRMED if draft.read_back else MessageState.TAKEN,
        urgent=draft.urgent, call_id=draft.call_id,
        read_back_at=draft.taken_at if draft.read_back else None,
    )


# --------------------------------------------------------------------------- lifecycle


def _need_open(msg: Message, step: str) -> None:
    if msg.state is MessageState.VOID:
        raise MessageError([FieldError("state", f"cannot {step}: the message is void")])
    if msg.state is MessageState.ACKNOWLEDGED:
        raise MessageError([FieldError("state", f"cannot {step}: the message was already acknowledged")])


def _aware(at: dt.datetime, name: str = "at") -> None:
    if at is None or at.tzinfo is None:
        raise MessageError([FieldError(name, "a timezone-aware time is required")])


def confirm_read_back(msg: Message, *, at: dt.datetime) -> Message:
    """Tick "read back and confirmed" on a message taken without it."""
    _aware(at)
    _need_open(msg, "confirm")
    if msg.read_back_at is not None:
        return msg
    state = MessageState.CONFIRMED if msg.state is MessageState.TAKEN else msg.state
    return replace(msg, read_back_at=at, state=state)


def record_delivery(msg: Message, channel: Channel | str, *, at: dt.datetime, by: str,
                    detail: str | None = None, policy: MessagePolicy = MessagePolicy()) -> Message:
    """Record a delivery by ``channel``. Read-back must be confirmed first when the policy says so."""
    _aware(at)
    _need_open(msg, "deliver")
    try:
        ch = Channel(channel)
    except ValueError:
        raise MessageError([FieldError("channel", f"unknown channel {channel!r}")]) from None
    if ch not in CHANNELS_FOR[msg.recipient_kind]:
        raise MessageError([FieldError("channel", f"{ch} is not used for a {msg.recipient_kind} message")])
    if policy.require_read_back and msg.read_back_at is None:
        raise MessageError([FieldError("read_back", "confirm the read-back before delivering")])
    if at < msg.taken_at:
        raise MessageError([FieldError("at", "delivery cannot be before the message was taken")])
    if not (by or "").strip():
        raise MessageError([FieldError("by", "required")])
    return replace(msg, deliveries=msg.deliveries + (Delivery(ch, at, by.strip(), detail),),
                   state=MessageState.DELIVERED)


def acknowledge(msg: Message, *, at: dt.datetime, by: str) -> Message:
    """The recipient picked it up. A message picked up at the desk before any delivery was
    recorded counts as delivered in person (a console delivery is recorded for staff, none for
    guests: the acknowledgement itself is the record)."""
    _aware(at)
    _need_open(msg, "acknowledge")
    if at < msg.taken_at:
        raise MessageError([FieldError("at", "cannot be before the message was taken")])
    if not (by or "").strip():
        raise MessageError([FieldError("by", "required")])
    return replace(msg, state=MessageState.ACKNOWLEDGED, acknowledged_at=at, acknowledged_by=by.strip())


def void_message(msg: Message, *, at: dt.datetime, by: str, reason: str) -> Message:
    """Mark a wrong or duplicate message void; it stays on record."""
    _aware(at)
    _need_open(msg, "void")
    if not (reason or "").strip():
        raise MessageError([FieldError("reason", "say why the message is void")])
    return replace(msg, state=MessageState.VOID, void_at=at, void_by=by, void_reason=reason.strip())


# --------------------------------------------------------------------------- re-raise and handover


def raise_due_at(msg: Message, policy: MessagePolicy = MessagePolicy()) -> dt.datetime | None:
    """When the message should next be raised again; None when it needs no more raising."""
    if not msg.open:
        return None
    if not msg.delivered:
        minutes = policy.raise_again_after_minutes
        since = msg.last_raised_at or msg.taken_at
    else:
        if policy.remind_unacknowledged_after_minutes is None:
            return None
        minutes = policy.remind_unacknowledged_after_minutes
        last = msg.deliveries[-1].at
        since = max(last, msg.last_raised_at) if msg.last_raised_at else last
    return since + dt.timedelta(minutes=minutes)


def needs_raise(msg: Message, now: dt.datetime, policy: MessagePolicy = MessagePolicy()) -> bool:
    due = raise_due_at(msg, policy)
    return due is not None and now >= due


def mark_raised(msg: Message, *, at: dt.datetime) -> Message:
    """Record that the message was raised again (the service shows it to all operators)."""
    _aware(at)
    return replace(msg, raised_count=msg.raised_count + 1, last_raised_at=at)


def due_for_raise(messages: Iterable[Message], now: dt.datetime,
                  policy: MessagePolicy = MessagePolicy()) -> list[Message]:
    """Messages to raise again now: urgent first, then oldest first."""
    due = [m for m in messages if needs_raise(m, now, policy)]
    return sorted(due, key=lambda m: (not m.urgent, m.taken_at))


def in_handover(msg: Message) -> bool:
    """Carried in the shift handover until acknowledged (never lost)."""
    return msg.open


def handover_messages(messages: Iterable[Message]) -> list[Message]:
    """The messages the handover carries: not acknowledged, not void; urgent first, oldest first."""
    return sorted((m for m in messages if in_handover(m)), key=lambda m: (not m.urgent, m.taken_at))


__all__ = [
    "CHANNELS_FOR",
    "Channel",
    "Delivery",
    "Message",
    "MessageDraft",
    "MessageError",
    "MessagePolicy",
    "MessageState",
    "RecipientKind",
    "acknowledge",
    "confirm_read_back",
    "due_for_raise",
    "handover_messages",
    "in_handover",
    "mark_raised",
    "needs_raise",
    "raise_due_at",
    "record_delivery",
    "take_message",
    "validate_draft",
    "void_message",
]
