"""The order's state: :class:`WorkOrderState` (everything the state machine and the SLA clocks
need about one order), who acts (:class:`Actor`), the records it holds (pauses, extension and
pause requests, the callback) and one step on its timeline (:class:`TimelineEntry`)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from zongji.domain.roles import Role
from zongji.domain.work_orders.errors import ActionForbidden, InvalidAction, require_aware
from zongji.domain.work_orders.guidance import situation_complexity, situations_of
from zongji.domain.work_orders.words import (
    FOLLOWING_STATUSES,
    OPEN_STATUSES,
    SYSTEM,
    CallbackOutcome,
    CallbackProblem,
    Complexity,
    ExtensionStatus,
    OrderType,
    Status,
    Urgency,
    order_types_for_line,
)

@dataclass(frozen=True)
class Actor:
    """Who acts. ``role`` is a :class:`Role` or ``"system"``; unit handlers carry ``unit_id``."""

    role: Role | str
    user_id: int | None = None
    unit_id: int | None = None

    @classmethod
    def coerce(cls, value: Actor | Role | str) -> Actor:
        if isinstance(value, Actor):
            return value
        if value == SYSTEM:
            return cls(SYSTEM)
        try:
            return cls(Role(value))
        except ValueError:
            raise ActionForbidden(f"Unknown role {value!r}", code="unknown_role") from None


SYSTEM_ACTOR = Actor(SYSTEM)


@dataclass(frozen=True)
class Pause:
    """An interval during which the SLA clocks stop (waiting for the caller); open if end None."""

    start: datetime
    end: datetime | None = None
    reason: str = ""


@dataclass(frozen=True)
class ExtensionRequest:
    requested_at: datetime
    requested_deadline: datetime
    reason: str
    status: ExtensionStatus = ExtensionStatus.REQUESTED
    requested_by: int | None = None
    unit_id: int | None = None
    decided_at: datetime | None = None
    decided_by: int | None = None
    granted_deadline: datetime | None = None
    decision_note: str = ""


@dataclass(frozen=True)
class PauseRequest:
    """A unit asks the hotline office to stop its clock (e.g. waiting for the caller's
    documents); the clock stops only when the office grants it (issue 8). Same statuses as an
    extension request."""

    requested_at: datetime
    reason: str
    status: ExtensionStatus = ExtensionStatus.REQUESTED
    requested_by: int | None = None
    unit_id: int | None = None
    decided_at: datetime | None = None
    decided_by: int | None = None
    decision_note: str = ""


@dataclass(frozen=True)
class CallbackRecord:
    at: datetime
    outcome: CallbackOutcome
    problems: tuple[CallbackProblem, ...] = ()
    caller_words: str = ""
    operator_id: int | None = None


@dataclass(frozen=True)
class WorkOrderState:
    """Everything the state machine and the SLA clocks need about one order.

    Timestamps are set by :func:`apply`; ``completion_deadline`` is computed by the service from
    the SLA policy at dispatch (passed in :class:`Dispatch`) and replaced by a granted extension.
    """

    order_type: OrderType
    created_at: datetime
    status: Status = Status.CREATED
    urgency: Urgency = Urgency.NORMAL
    complexity: Complexity | None = None
    category: str | None = None
    line_kind: str | None = None
    created_by: int | None = None
    # The type's situation (R-P2 guidance): decides whether the order may be closed directly.
    situation: str | None = None
    # Bound as a duplicate (R-P8): the primary order it follows, and since when. While it follows
    # (still with the shift leader) it is not dispatched on its own and its dispatch clock stops
    # at ``bound_at``; the primary's reply is copied to it and it gets its own callback.
    duplicate_of: int | None = None
    bound_at: datetime | None = None
    # The dispatch clock runs while the order waits for a unit: from creation, or afresh from a
    # return (退单) or an unbinding (``dispatch_clock_from``) until the dispatch that ends that
    # wait (``dispatch_clock_to``), so a returned order cannot wait in the queue without going late.
    dispatch_clock_from: datetime | None = None
    dispatch_clock_to: datetime | None = None
    # Units
    main_unit_id: int | None = None
    assisting_unit_ids: frozenset[int] = frozenset()
    # Timestamps
    first_dispatched_at: datetime | None = None
    dispatched_at: datetime | None = None  # latest dispatch (the unit's "received" time)
    accepted_at: datetime | None = None
    started_at: datetime | None = None
    replied_at: datetime | None = None
    first_reply_at: datetime | None = None  # first answer to the caller (complaints, R-S10)
    last_status_update_at: datetime | None = None
    callback_started_at: datetime | None = None
    callback_agreed_at: datetime | None = None  # time agreed with the caller (R-P7)
    callback_attempts: int = 0
    callback: CallbackRecord | None = None
    closed_at: datetime | None = None
    # Handling
    by_phone: bool = False  # phone dispatch of an urgent matter (R-P3)
    reply_text: str = ""
    direct_handling: str = ""  # how a directly closed order was handled (R-P11)
    direct_result: str = ""
    last_return_reason: str = ""
    return_count: int = 0
    reopen_count: int = 0
    # SLA
    pauses: tuple[Pause, ...] = ()
    pause_request: PauseRequest | None = None  # a unit's request to stop the clock (issue 8)
    completion_deadline: datetime | None = None
    extension: ExtensionRequest | None = None
    extensions_granted: int = 0
    # Supervision (督办)
    supervised: bool = False
    supervision_reason: str = ""
    reminder_count: int = 0

    @classmethod
    def new(
        cls,
        order_type: OrderType | str,
        created_at: datetime,
        *,
        urgency: Urgency | str = Urgency.NORMAL,
        complexity: Complexity | str | None = None,
        category: str | None = None,
        line_kind: str | None = None,
        created_by: int | None = None,
        situation: str | None = None,
    ) -> WorkOrderState:
        require_aware(created_at, "created_at")
        otype = OrderType(order_type)
        if line_kind is not None and otype not in order_types_for_line(line_kind):
            raise InvalidAction(
                f"Type {otype} is not offered on a {line_kind} line", code="type_not_offered", field="order_type"
            )
        if situation is not None and situation not in situations_of(otype, line_kind):
            raise InvalidAction(
                f"Unknown situation {situation!r} for {otype}"
                + (f" on a {line_kind} line ({', '.join(situations_of(otype, line_kind))})" if line_kind else ""),
                code="unknown_situation", field="situation",
            )
        return cls(
            order_type=otype,
            created_at=created_at,
            urgency=Urgency(urgency),
            complexity=situation_complexity(otype, situation, line_kind, complexity),
            category=category,
            line_kind=line_kind,
            created_by=created_by,
            situation=situation,
        )

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def is_following(self) -> bool:
        """Bound as a duplicate and still waiting for the primary's reply (R-P8)."""
        return self.duplicate_of is not None and self.status in FOLLOWING_STATUSES

    @property
    def is_paused(self) -> bool:
        return bool(self.pauses) and self.pauses[-1].end is None

    @property
    def pending_extension(self) -> ExtensionRequest | None:
        e = self.extension
        return e if e is not None and e.status is ExtensionStatus.REQUESTED else None

    @property
    def pending_pause(self) -> PauseRequest | None:
        p = self.pause_request
        return p if p is not None and p.status is ExtensionStatus.REQUESTED else None

    def pause_intervals(self, now: datetime) -> list[tuple[datetime, datetime]]:
        """Pauses as closed intervals; an open pause ends at ``now``."""
        return [(p.start, p.end or max(now, p.start)) for p in self.pauses]

    def involves_unit(self, unit_id: int) -> bool:
        return unit_id == self.main_unit_id or unit_id in self.assisting_unit_ids


@dataclass(frozen=True)
class TimelineEntry:
    """One step on the order's timeline: who, when, what, and the status change."""

    at: datetime
    action: str
    actor_role: str
    actor_id: int | None
    actor_unit_id: int | None
    from_status: Status
    to_status: Status
    note: str = ""
    data: Mapping[str, Any] = field(default_factory=dict)  # JSON-serialisable details

    def to_dict(self) -> dict[str, Any]:
        return {
            "at": self.at.isoformat(),
            "action": self.action,
            "actor_role": self.actor_role,
            "actor_id": self.actor_id,
            "actor_unit_id": self.actor_unit_id,
            "from_status": str(self.from_status),
            "to_status": str(self.to_status),
            "note": self.note,
            "data": dict(self.data),
        }


def timeline_entry(state: WorkOrderState, new: WorkOrderState, kind: str, a: Actor, at: datetime,
                   data: Mapping[str, Any], note: str = "") -> TimelineEntry:
    """The entry of a change made outside :func:`~zongji.domain.work_orders.rules.apply` (binding,
    following, a recomputed deadline)."""
    return TimelineEntry(at, kind, str(a.role), a.user_id, a.unit_id, state.status, new.status, note, dict(data))
