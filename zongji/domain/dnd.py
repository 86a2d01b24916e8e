"""Do-not-disturb periods (免打扰， R-H8). Pure: no I/O.

A DND period is set for a room (a guest's room; the usual hotel case) or a person (staff), with
when, who set it and why. It ends at the first of:

* a cancel (the guest's request, or the guest returning) — ``cancel_dnd``;
* the chosen end time ``until``;
* check-out, when ``until_checkout`` is set — ``on_checkout`` records the moment.

A period with neither ``until`` nor ``until_checkout`` lasts until cancelled.

The service layer persists ``DndPeriod``, locks/releases the room's line through the telephony
adapter when ``line_lock`` says so, writes the feed item so every console sees it at once, and
puts active periods in the handover (R-H8: guest name, room and time of the request). The room
number here is internal: it is for operators and the handover log, never for a caller — the
transfer decision (``zongji.domain.transfer``) only receives "DND is on".
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, replace
from enum import StrEnum

from zongji.domain.working_hours import FieldError


class DndSubjectKind(StrEnum):
    ROOM = "room"
    PERSON = "person"


class DndEndReason(StrEnum):
    CANCELLED = "cancelled"
    EXPIRED = "expired"  # the chosen end time passed
    CHECKED_OUT = "checked_out"


class DndError(ValueError):
    """A DND request that cannot be accepted; ``errors`` names each bad field."""

    def __init__(self, errors: Iterable[FieldError]):
        self.errors = tuple(errors)
        self.field = self.errors[0].field if self.errors else None
        super().__init__("; ".join(f"{e.field}: {e.message}" for e in self.errors))


@dataclass(frozen=True)
class DndPeriod:
    subject_kind: DndSubjectKind
    subject_id: int | str  # room id or person id
    subject_label: str  # guest or staff name as operators know it (e.g. "张三 先生")
    set_at: dt.datetime
    set_by: str  # operator (user name / operator number) who recorded the request
    reason: str | None = None
    guest_name: str | None = None  # R-H8: recorded for rooms
    room_number: str | None = None  # internal: operators/handover only
    until: dt.datetime | None = None
    until_checkout: bool = False
    checked_out_at: dt.datetime | None = None
    cancelled_at: dt.datetime | None = None
    cancelled_by: str | None = None
    cancel_reason: str | None = None
    # Lock the line at the console / PBX while the period is active (R-H8). Rooms: yes.
    line_lock: bool = True

    def ends_at(self) -> dt.datetime | None:
        """When the period ends or ended; None while it has no known end."""
        ends = [t for t in (self.until, self.cancelled_at, self.checked_out_at if self.until_checkout else None)
                if t is not None]
        return min(ends) if ends else None

    def active_at(self, at: dt.datetime) -> bool:
        """True when DND is on at ``at`` (from ``set_at`` inclusive to its end exclusive)."""
        _aware(at, "at")
        if at < self.set_at:
            return False
        end = self.ends_at()
        return end is None or at < end

    def end_reason(self) -> DndEndReason | None:
        """Why it ended (or will end, for a chosen time); None when open-ended and not ended."""
        end = self.ends_at()
        if end is None:
            return None
        if self.cancelled_at == end:
            return DndEndReason.CANCELLED
        if self.until_checkout and self.checked_out_at == end:
            return DndEndReason.CHECKED_OUT
        return DndEndReason.EXPIRED


def set_dnd(*, subject_kind: DndSubjectKind | str, subject_id: int | str, subject_label: str,
            at: dt.datetime, by: str, reason: str | None = None, until: dt.datetime | None = None,
            until_checkout: bool = False, guest_name: str | None = None,
            room_number: str | None = None) -> DndPeriod:
    """Validate and create a DND period. Rooms default to ``line_lock=True``; persons too (their
    extension is held at the console)."""
    errors: list[FieldError] = []
    try:
        kind = DndSubjectKind(subject_kind)
    except ValueError:
        errors.append(FieldError("subject_kind", f"expected room or person, got {subject_kind!r}"))
        kind = DndSubjectKind.ROOM
    if not (subject_label or "").strip():
        errors.append(FieldError("subject_label", "required"))
    if not (by or "").strip():
        errors.append(FieldError("set_by", "required"))
    if at.tzinfo is None:
        errors.append(FieldError("set_at", "a timezone-aware time is required"))
    if until is not None:
        if until.tzinfo is None:
            errors.append(FieldError("until", "a timezone-aware time is required"))
        elif at.tzinfo is not None and until <= at:
            errors.append(FieldError("until", "must be after the time DND is set"))
    if until_checkout and kind is not DndSubjectKind.ROOM:
        errors.append(FieldError("until_checkout", "only a room's DND can end at check-out"))
    if kind is DndSubjectKind.ROOM and not (guest_name or "").strip():
        errors.append(FieldError("guest_name", "required for a room (R-H8)"))
    if errors:
        raise DndError(errors)
    return DndPeriod(subject_kind=kind, subject_id=subject_id, subject_label=subject_label.strip(),
                     set_at=at, set_by=by.strip(), reason=reason, guest_name=guest_name,
                     room_number=room_number, until=until, until_checkout=until_checkout)


def cancel_dnd(period: DndPeriod, *, at: dt.datetime, by: str, reason: str | None = None) -> DndPeriod:
    """Cancel (guest's request or return). Cancelling an ended period is an error."""
    _aware(at, "at")
    if not period.active_at(at):
        raise DndError([FieldError("dnd", "this do-not-disturb is not active")])
    if not (by or "").strip():
        raise DndError([FieldError("cancelled_by", "required")])
    return replace(period, cancelled_at=at, cancelled_by=by.strip(), cancel_reason=reason)


def on_checkout(period: DndPeriod, *, at: dt.datetime) -> DndPeriod:
    """Record the guest's check-out; ends a room's DND set ``until_checkout`` (others unchanged)."""
    _aware(at, "at")
    if period.subject_kind is not DndSubjectKind.ROOM or period.checked_out_at is not None:
        return period
    return replace(period, checked_out_at=at)


def active_dnd(periods: Iterable[DndPeriod], at: dt.datetime) -> list[DndPeriod]:
    """The periods active at ``at``, oldest first."""
    return sorted((p for p in periods if p.active_at(at)), key=lambda p: p.set_at)


def is_dnd(periods: Iterable[DndPeriod], subject_kind: DndSubjectKind | str, subject_id: int | str,
           at: dt.datetime) -> bool:
    """Whether the room / person has DND on at ``at``."""
    kind = DndSubjectKind(subject_kind)
    return any(p.subject_kind is kind and p.subject_id == subject_id and p.active_at(at) for p in periods)


def _aware(value: dt.datetime, name: str) -> None:
    if value.tzinfo is None:
        raise ValueError(f"{name}: a timezone-aware datetime is required")


__all__ = [
    "DndEndReason",
    "DndError",
    "DndPeriod",
    "DndSubjectKind",
    "active_dnd",
    "cancel_dnd",
    "is_dnd",
    "on_checkout",
    "set_dnd",
]
