"""Work orders (工单): types, urgency, the lifecycle state machine, per-type guidance, order
numbers, callback outcomes and duplicate suggestions (R-P1…R-P12, R-S8…R-S12, R-G5; issue 4).

Pure: no I/O, no framework. The store keeps a :class:`WorkOrderState` per order and its timeline;
every change goes through :func:`apply`, which either returns the new state and one
:class:`TimelineEntry` to append, or raises a :class:`WorkOrderError` (``code`` + English
``message``; ``status_code`` 409 for an illegal transition, 403 for a wrong role or unit, 400 for
a bad action).

Lifecycle (statuses ``Status``)::

    created ──close_directly──▶ closed_directly ──reopen──▶ review
       │
       └─dispatch─▶ dispatched ──accept──▶ accepted ──start/progress──▶ in_progress
                        │                                                    │
                        └──return (reason)──▶ returned ──dispatch──▶ …       │
                                              accepted/in_progress ──reply──▶ replied
    replied ──start_callback / callback_attempt──▶ callback
    replied|callback ──record_callback(satisfied | basically satisfied)──▶ closed
    replied|callback ──record_callback(dissatisfied or a problem) / reject_reply──▶ review
                                               (back to the shift leader, supervised)
    review ──dispatch──▶ dispatched   review|replied ──send_back──▶ in_progress (same unit)
    replied|callback|review ──close──▶ closed      closed ──reopen──▶ review

Side actions that keep the status: remind (催办), supervise / unsupervise (督办), pause and resume
the SLA clock (waiting for the caller; the console pauses, a unit only asks — pause request /
grant / refuse by the office, like an extension), status update to the caller (R-S10, R-G5),
assisting units, extension request / grant / refuse, reclassify, note.

Roles (``zongji.domain.roles.Role``): the hotline office is the *supervisor* role (admin has the
same powers); ``"system"`` is the timer worker (automatic reminders). A unit handler must act
for the order's main unit (or an assisting unit, for progress and notes): pass an
:class:`Actor` with ``unit_id``; with a bare role the unit is not checked — the API must always
pass the unit.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, fields, replace
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Any, ClassVar
from zoneinfo import ZoneInfo

from zongji.domain.roles import Role
from zongji.errors import Conflict, Forbidden, ZongjiError

# ---------------------------------------------------------------------------------------------
# Vocabulary
# ---------------------------------------------------------------------------------------------


class OrderType(StrEnum):
    SUGGESTION = "suggestion"  # 建议
    REQUEST = "request"  # 一般诉求
    HELP = "help"  # 求助
    COMPLAINT = "complaint"  # 投诉举报
    INQUIRY = "inquiry"  # 咨询
    PRAISE = "praise"  # 表扬


ORDER_TYPE_ZH = {
    OrderType.SUGGESTION: "建议",
    OrderType.REQUEST: "一般诉求",
    OrderType.HELP: "求助",
    OrderType.COMPLAINT: "投诉举报",
    OrderType.INQUIRY: "咨询",
    OrderType.PRAISE: "表扬",
}

# Types offered per line kind ("switchboard", "hotline_400", "hotline_12345").
CITY_HOTLINE_TYPES: tuple[OrderType, ...] = tuple(OrderType)
COMPANY_LINE_TYPES: tuple[OrderType, ...] = (OrderType.COMPLAINT, OrderType.REQUEST, OrderType.INQUIRY)


def order_types_for_line(line_kind: str | None) -> tuple[OrderType, ...]:
    """The six 12345 types for a city hotline, complaint/request/inquiry for company lines."""
    return CITY_HOTLINE_TYPES if line_kind in (None, "hotline_12345") else COMPANY_LINE_TYPES


class Urgency(StrEnum):
    NORMAL = "normal"
    URGENT = "urgent"  # water, power, gas, traffic: phone dispatch, ticket marked (R-P3)
    EMERGENCY = "emergency"  # major emergency: phone the unit, dispatch, report to the office


class Complexity(StrEnum):
    """How hard a complaint is (R-S8, R-S10); selects the SLA."""

    SIMPLE = "simple"
    GENERAL = "general"
    COMPLEX = "complex"


class Status(StrEnum):
    CREATED = "created"
    CLOSED_DIRECTLY = "closed_directly"  # 直办
    DISPATCHED = "dispatched"  # 派单
    ACCEPTED = "accepted"
    RETURNED = "returned"  # 退单： back with the shift leader
    IN_PROGRESS = "in_progress"
    REPLIED = "replied"  # 办结： the unit replied
    CALLBACK = "callback"  # 回访 under way
    REVIEW = "review"  # back with the shift leader after a failed callback, or reopened
    CLOSED = "closed"


FINAL_STATUSES = frozenset({Status.CLOSED, Status.CLOSED_DIRECTLY})
OPEN_STATUSES = frozenset(Status) - FINAL_STATUSES
# Statuses in which a unit holds the order.
WITH_UNIT_STATUSES = frozenset({Status.DISPATCHED, Status.ACCEPTED, Status.IN_PROGRESS})
# Statuses with the shift leader's attention.
LEADER_STATUSES = frozenset({Status.CREATED, Status.RETURNED, Status.REVIEW})
# Statuses in which an order may be bound as a duplicate and follow its primary (R-P8): not yet
# with a unit, not answered.
FOLLOWING_STATUSES = frozenset({Status.CREATED, Status.RETURNED})


class CallbackOutcome(StrEnum):
    SATISFIED = "satisfied"  # 满意
    BASICALLY_SATISFIED = "basically_satisfied"  # 基本满意
    DISSATISFIED = "dissatisfied"  # 不满意


class CallbackProblem(StrEnum):
    """What the callback (or the check of the reply before it) found wrong (R-P6)."""

    WRONG_REPLY = "wrong_reply"
    WRONGLY_CLOSED = "wrongly_closed"
    UNCLEAR_REPLY = "unclear_reply"
    PASSING_THE_BUCK = "passing_the_buck"


class CallbackAttemptResult(StrEnum):
    NOT_REACHED = "not_reached"
    NOT_CONVENIENT = "not_convenient"  # a better time agreed and recorded (R-P7)


class ExtensionStatus(StrEnum):
    REQUESTED = "requested"
    GRANTED = "granted"
    REFUSED = "refused"


class LinkKind(StrEnum):
    RELATED = "related"  # 参阅工单
    DUPLICATE = "duplicate"


SYSTEM = "system"  # actor role of the timer worker

# Who may do what.
LEADER_ROLES = frozenset({Role.SHIFT_LEADER, Role.SUPERVISOR, Role.ADMIN})
OFFICE_ROLES = frozenset({Role.SUPERVISOR, Role.ADMIN})  # the hotline office
CONSOLE_WORK_ROLES = frozenset({Role.OPERATOR, Role.SHIFT_LEADER, Role.SUPERVISOR, Role.ADMIN})
UNIT_ROLES = frozenset({Role.UNIT_HANDLER})


# ---------------------------------------------------------------------------------------------
# Errors
# ---------------------------------------------------------------------------------------------


class WorkOrderError(ZongjiError):
    """A refused work-order action; ``code`` is stable, ``message`` is English."""


class IllegalTransition(WorkOrderError, Conflict):
    """The action is not possible in the order's current status (409)."""


class ActionForbidden(WorkOrderError, Forbidden):
    """The actor's role or unit may not do this (403)."""


class InvalidAction(WorkOrderError):
    """The action is incomplete or inconsistent (400), e.g. a return without a reason."""


# ---------------------------------------------------------------------------------------------
# State
# ---------------------------------------------------------------------------------------------


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
        _aware(created_at, "created_at")
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


# ---------------------------------------------------------------------------------------------
# Actions
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Action:
    """Base of all actions. ``kind`` is the name used in the API and on the timeline."""

    kind: ClassVar[str] = ""
    note: str = ""


@dataclass(frozen=True)
class Dispatch(Action):
    """派单 to a main unit (and assisting units). ``completion_deadline`` is the SLA deadline
    the service computed for the unit; ``by_phone`` marks an urgent phone dispatch (R-P3)."""

    kind: ClassVar[str] = "dispatch"
    unit_id: int = 0
    assisting_unit_ids: tuple[int, ...] = ()
    completion_deadline: datetime | None = None
    by_phone: bool = False


@dataclass(frozen=True)
class CloseDirectly(Action):
    """直办： handled by the operator; how and with what result is required (R-P11)."""

    kind: ClassVar[str] = "close_directly"
    handling: str = ""
    result: str = ""


@dataclass(frozen=True)
class Accept(Action):
    kind: ClassVar[str] = "accept"


@dataclass(frozen=True)
class Return(Action):
    """退单： the unit says the order is not theirs; a reason is required."""

    kind: ClassVar[str] = "return"
    reason: str = ""


@dataclass(frozen=True)
class StartWork(Action):
    kind: ClassVar[str] = "start"


@dataclass(frozen=True)
class AddProgress(Action):
    """Progress posted by the main or an assisting unit; the main unit's first progress starts
    the work."""

    kind: ClassVar[str] = "progress"


@dataclass(frozen=True)
class Reply(Action):
    """办结： the main unit's result."""

    kind: ClassVar[str] = "reply"
    text: str = ""


@dataclass(frozen=True)
class RejectReply(Action):
    """The operator's check of the reply before calling back finds a problem (R-P6)."""

    kind: ClassVar[str] = "reject_reply"
    problem: CallbackProblem = CallbackProblem.WRONG_REPLY


@dataclass(frozen=True)
class StartCallback(Action):
    kind: ClassVar[str] = "start_callback"


@dataclass(frozen=True)
class CallbackAttempt(Action):
    """A callback that did not happen: not reached, or not convenient with an agreed time."""

    kind: ClassVar[str] = "callback_attempt"
    result: CallbackAttemptResult = CallbackAttemptResult.NOT_REACHED
    agreed_at: datetime | None = None


@dataclass(frozen=True)
class RecordCallback(Action):
    """The callback survey's result. Satisfied or basically satisfied without problems closes
    the order; dissatisfied or any problem sends it to review under supervision (R-P6, R-S12)."""

    kind: ClassVar[str] = "record_callback"
    outcome: CallbackOutcome = CallbackOutcome.SATISFIED
    problems: tuple[CallbackProblem, ...] = ()
    caller_words: str = ""


@dataclass(frozen=True)
class SendBack(Action):
    """The shift leader sends the reply back to the same main unit to redo it."""

    kind: ClassVar[str] = "send_back"


@dataclass(frozen=True)
class Close(Action):
    """Close without (further) callback: e.g. the caller declined contact, or the review finds
    the reply sound. A note is required."""

    kind: ClassVar[str] = "close"


@dataclass(frozen=True)
class Reopen(Action):
    kind: ClassVar[str] = "reopen"
    reason: str = ""


@dataclass(frozen=True)
class AddAssistingUnit(Action):
    kind: ClassVar[str] = "add_assisting_unit"
    unit_id: int = 0


@dataclass(frozen=True)
class RemoveAssistingUnit(Action):
    kind: ClassVar[str] = "remove_assisting_unit"
    unit_id: int = 0


@dataclass(frozen=True)
class RequestExtension(Action):
    """The main unit asks, before its deadline, for a later one."""

    kind: ClassVar[str] = "request_extension"
    deadline: datetime | None = None
    reason: str = ""


@dataclass(frozen=True)
class GrantExtension(Action):
    """The office grants the pending request; ``deadline`` None grants the requested one."""

    kind: ClassVar[str] = "grant_extension"
    deadline: datetime | None = None


@dataclass(frozen=True)
class RefuseExtension(Action):
    kind: ClassVar[str] = "refuse_extension"


@dataclass(frozen=True)
class Supervise(Action):
    kind: ClassVar[str] = "supervise"
    reason: str = ""


@dataclass(frozen=True)
class Unsupervise(Action):
    kind: ClassVar[str] = "unsupervise"


@dataclass(frozen=True)
class Remind(Action):
    """催办 — manual (with a note) or automatic (actor ``system``, ``automatic=True``)."""

    kind: ClassVar[str] = "remind"
    automatic: bool = False
    reason: str = ""  # e.g. "warning", "breached"


@dataclass(frozen=True)
class PauseClock(Action):
    kind: ClassVar[str] = "pause"
    reason: str = ""


@dataclass(frozen=True)
class ResumeClock(Action):
    kind: ClassVar[str] = "resume"


@dataclass(frozen=True)
class RequestPause(Action):
    """The main unit asks the hotline office to stop its clock; a reason is required."""

    kind: ClassVar[str] = "request_pause"
    reason: str = ""


@dataclass(frozen=True)
class GrantPause(Action):
    """The office grants the pending pause request: the clock stops from now."""

    kind: ClassVar[str] = "grant_pause"


@dataclass(frozen=True)
class RefusePause(Action):
    """The office refuses the pending pause request (a reason is required): the clock runs on."""

    kind: ClassVar[str] = "refuse_pause"


@dataclass(frozen=True)
class StatusUpdate(Action):
    """The caller was told where things stand (R-S10, R-G5, R-S11); the first one counts as
    the complaint's first reply."""

    kind: ClassVar[str] = "status_update"


@dataclass(frozen=True)
class Reclassify(Action):
    kind: ClassVar[str] = "reclassify"
    order_type: OrderType | None = None
    situation: str | None = None
    urgency: Urgency | None = None
    complexity: Complexity | None = None
    category: str | None = None


@dataclass(frozen=True)
class AddNote(Action):
    kind: ClassVar[str] = "note"


ACTION_TYPES: dict[str, type[Action]] = {
    a.kind: a
    for a in (
        Dispatch, CloseDirectly, Accept, Return, StartWork, AddProgress, Reply, RejectReply,
        StartCallback, CallbackAttempt, RecordCallback, SendBack, Close, Reopen, AddAssistingUnit,
        RemoveAssistingUnit, RequestExtension, GrantExtension, RefuseExtension, Supervise,
        Unsupervise, Remind, PauseClock, ResumeClock, RequestPause, GrantPause, RefusePause, StatusUpdate,
        Reclassify, AddNote,
    )
}


def action_from_dict(data: Mapping[str, Any]) -> Action:
    """Build an action from JSON ``{"action": "dispatch", "unit_id": 3, …}``. Datetimes are
    ISO-8601 strings with an offset; enums are their values. Unknown keys are refused."""
    kind = data.get("action")
    cls = ACTION_TYPES.get(str(kind))
    if cls is None:
        raise InvalidAction(f"Unknown action {kind!r}", code="unknown_action", field="action")
    known = {f.name: f for f in fields(cls)}
    kwargs: dict[str, Any] = {}
    for key, value in data.items():
        if key == "action":
            continue
        if key not in known:
            raise InvalidAction(f"Unknown field {key!r} for action {kind}", code="unknown_field", field=key)
        kwargs[key] = _coerce_field(cls, key, value)
    return cls(**kwargs)


_ENUM_FIELDS: dict[str, type[StrEnum]] = {
    "problem": CallbackProblem,
    "outcome": CallbackOutcome,
    "order_type": OrderType,
    "urgency": Urgency,
    "complexity": Complexity,
}
_DATETIME_FIELDS = {"completion_deadline", "agreed_at", "deadline"}


def _coerce_field(cls: type[Action], key: str, value: Any) -> Any:
    try:
        if value is None:
            return None
        if key in _DATETIME_FIELDS:
            t = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
            _aware(t, key)
            return t
        if cls is CallbackAttempt and key == "result":
            return CallbackAttemptResult(value)
        if key in _ENUM_FIELDS:
            return _ENUM_FIELDS[key](value)
        if key == "problems":
            return tuple(CallbackProblem(v) for v in value)
        if key == "assisting_unit_ids":
            return tuple(int(v) for v in value)
        if key == "unit_id":
            return int(value)
        if key in {"by_phone", "automatic"}:
            return bool(value)
        return str(value)
    except (ValueError, TypeError) as e:
        raise InvalidAction(f"Bad value for {key}: {e}", code="bad_value", field=key) from None


# ---------------------------------------------------------------------------------------------
# The transition function
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Rule:
    statuses: frozenset[Status]
    roles: frozenset[Role | str]
    unit: str = ""  # "main": unit handler must be the main unit's; "any": main or assisting


S = Status
_ANY_OPEN = frozenset(OPEN_STATUSES)
_UNIT_OR_CONSOLE = CONSOLE_WORK_ROLES | UNIT_ROLES

RULES: dict[str, _Rule] = {
    "dispatch": _Rule(frozenset({S.CREATED, S.RETURNED, S.REVIEW}), LEADER_ROLES),
    "close_directly": _Rule(frozenset({S.CREATED}), CONSOLE_WORK_ROLES),
    "accept": _Rule(frozenset({S.DISPATCHED}), UNIT_ROLES, "main"),
    "return": _Rule(frozenset({S.DISPATCHED}), UNIT_ROLES, "main"),
    "start": _Rule(frozenset({S.ACCEPTED}), UNIT_ROLES, "main"),
    "progress": _Rule(frozenset({S.ACCEPTED, S.IN_PROGRESS}), UNIT_ROLES, "any"),
    "reply": _Rule(frozenset({S.ACCEPTED, S.IN_PROGRESS}), UNIT_ROLES, "main"),
    "reject_reply": _Rule(frozenset({S.REPLIED, S.CALLBACK}), CONSOLE_WORK_ROLES),
    "start_callback": _Rule(frozenset({S.REPLIED}), CONSOLE_WORK_ROLES),
    "callback_attempt": _Rule(frozenset({S.REPLIED, S.CALLBACK}), CONSOLE_WORK_ROLES),
    "record_callback": _Rule(frozenset({S.REPLIED, S.CALLBACK}), CONSOLE_WORK_ROLES),
    "send_back": _Rule(frozenset({S.REPLIED, S.CALLBACK, S.REVIEW}), LEADER_ROLES),
    "close": _Rule(frozenset({S.REPLIED, S.CALLBACK, S.REVIEW}), LEADER_ROLES),
    "reopen": _Rule(FINAL_STATUSES, LEADER_ROLES),
    "add_assisting_unit": _Rule(WITH_UNIT_STATUSES, LEADER_ROLES),
    "remove_assisting_unit": _Rule(WITH_UNIT_STATUSES, LEADER_ROLES),
    "request_extension": _Rule(frozenset({S.ACCEPTED, S.IN_PROGRESS}), UNIT_ROLES, "main"),
    "grant_extension": _Rule(frozenset({S.ACCEPTED, S.IN_PROGRESS}), OFFICE_ROLES),
    "refuse_extension": _Rule(frozenset({S.ACCEPTED, S.IN_PROGRESS}), OFFICE_ROLES),
    "supervise": _Rule(_ANY_OPEN, LEADER_ROLES),
    "unsupervise": _Rule(frozenset(Status), OFFICE_ROLES),
    "remind": _Rule(WITH_UNIT_STATUSES, LEADER_ROLES | {SYSTEM}),
    # A unit never stops its own clock: it asks (request_pause) and the office decides (issue 8).
    "pause": _Rule(_ANY_OPEN, CONSOLE_WORK_ROLES),
    "resume": _Rule(_ANY_OPEN, _UNIT_OR_CONSOLE, "main"),
    "request_pause": _Rule(frozenset({S.ACCEPTED, S.IN_PROGRESS}), UNIT_ROLES, "main"),
    "grant_pause": _Rule(frozenset({S.ACCEPTED, S.IN_PROGRESS}), OFFICE_ROLES),
    "refuse_pause": _Rule(frozenset({S.ACCEPTED, S.IN_PROGRESS}), OFFICE_ROLES),
    "status_update": _Rule(_ANY_OPEN, CONSOLE_WORK_ROLES),
    "reclassify": _Rule(_ANY_OPEN, LEADER_ROLES),
    "note": _Rule(frozenset(Status), _UNIT_OR_CONSOLE, "any"),
}


def allowed_actions(state: WorkOrderState, actor: Actor | Role | str) -> list[str]:
    """Action kinds this actor may try now (for showing buttons); payload checks still apply."""
    a = Actor.coerce(actor)
    out = []
    for kind, rule in RULES.items():
        if state.status in rule.statuses and a.role in rule.roles and _unit_ok(state, a, rule):
            if _guard(state, kind) is None:
                out.append(kind)
    return out


def _guard(state: WorkOrderState, kind: str) -> WorkOrderError | None:
    """Why an action the status allows is still refused for this order, or None:
    close directly only where the type's guidance says so (R-P2, R-P11); an order following
    a primary as its duplicate is neither dispatched nor closed on its own (R-P8)."""
    if kind in ("dispatch", "close_directly") and state.is_following:
        return IllegalTransition(
            f"This order is bound as a duplicate of order {state.duplicate_of} and follows it (R-P8): "
            "it gets the primary's reply and its own callback; unbind it to handle it on its own",
            code="following_primary",
        )
    if kind == "close_directly":
        return close_directly_refusal(state.order_type, state.situation, state.line_kind)
    return None


def apply(
    state: WorkOrderState, action: Action, actor: Actor | Role | str, at: datetime
) -> tuple[WorkOrderState, TimelineEntry]:
    """Apply ``action`` by ``actor`` at instant ``at``.

    Checks, in order: role (403 ``role_not_allowed``), unit (403 ``wrong_unit``), status (409
    ``illegal_transition``), then the action's own rules (400 ``invalid_action`` and specific
    codes, or 409 for conflicts such as ``extension_pending``). Returns the new state and the
    timeline entry to append; the input state is never modified.
    """
    a = Actor.coerce(actor)
    _aware(at, "at")
    rule = RULES.get(action.kind)
    if rule is None:
        raise InvalidAction(f"Unknown action {action.kind!r}", code="unknown_action", field="action")
    if action.kind == "pause" and a.role == Role.UNIT_HANDLER:
        raise ActionForbidden(
            "A unit cannot stop its own clock: ask the hotline office with "
            '{"action": "request_pause", "reason": "…"}; the clock stops when the office grants it',
            code="pause_needs_approval", field="action",
        )
    if a.role not in rule.roles:
        raise ActionForbidden(
            f"Role {a.role} may not {action.kind.replace('_', ' ')} a work order", code="role_not_allowed"
        )
    if not _unit_ok(state, a, rule):
        raise ActionForbidden(
            f"Unit {a.unit_id} is not {'the main unit' if rule.unit == 'main' else 'a unit'} of this order",
            code="wrong_unit",
        )
    if state.status not in rule.statuses:
        raise IllegalTransition(
            f"Cannot {action.kind.replace('_', ' ')} a work order that is {state.status.replace('_', ' ')}",
            code="illegal_transition",
        )
    if at < state.created_at:
        raise InvalidAction("An action cannot happen before the order was created", code="time_before_creation")
    refusal = _guard(state, action.kind)
    if refusal is not None:
        raise refusal
    handler = _HANDLERS[action.kind]
    new, data = handler(state, action, a, at)
    entry = TimelineEntry(
        at=at,
        action=action.kind,
        actor_role=str(a.role),
        actor_id=a.user_id,
        actor_unit_id=a.unit_id,
        from_status=state.status,
        to_status=new.status,
        note=action.note,
        data=data,
    )
    return new, entry


def _unit_ok(state: WorkOrderState, a: Actor, rule: _Rule) -> bool:
    if a.role != Role.UNIT_HANDLER or not rule.unit or a.unit_id is None:
        return True
    if rule.unit == "main":
        return a.unit_id == state.main_unit_id
    return state.involves_unit(a.unit_id)


def _require(text: str, what: str, field_name: str) -> str:
    if not text or not text.strip():
        raise InvalidAction(f"{what} is required", code=f"{field_name}_required", field=field_name)
    return text.strip()


def _h_dispatch(s: WorkOrderState, x: Dispatch, a: Actor, at: datetime):
    if not x.unit_id:
        raise InvalidAction("A main unit is required", code="unit_required", field="unit_id")
    assisting = frozenset(x.assisting_unit_ids) - {x.unit_id}
    if x.completion_deadline is not None:
        _aware(x.completion_deadline, "completion_deadline")
    new = replace(
        s,
        status=Status.DISPATCHED,
        main_unit_id=x.unit_id,
        assisting_unit_ids=assisting,
        first_dispatched_at=s.first_dispatched_at or at,
        dispatched_at=at,
        accepted_at=None,
        started_at=None,
        replied_at=None,
        reply_text="",
        callback_started_at=None,
        callback_agreed_at=None,
        callback_attempts=0,
        callback=None,
        completion_deadline=x.completion_deadline,
        extension=None,
        pause_request=None,
        by_phone=x.by_phone or s.by_phone,
        # This dispatch ends the wait that began at a return or an unbinding.
        dispatch_clock_to=(at if s.dispatch_clock_from is not None and s.dispatch_clock_to is None
                           else s.dispatch_clock_to),
    )
    return new, {
        "unit_id": x.unit_id,
        "assisting_unit_ids": sorted(assisting),
        "completion_deadline": _iso(x.completion_deadline),
        "by_phone": x.by_phone,
        "redispatch": s.first_dispatched_at is not None,
    }


def _h_close_directly(s, x: CloseDirectly, a, at):
    handling = _require(x.handling, "How the order was handled", "handling")
    result = _require(x.result, "The result", "result")
    new = replace(
        s, status=Status.CLOSED_DIRECTLY, direct_handling=handling, direct_result=result, closed_at=at,
        pauses=_close_pause(s.pauses, at),
    )
    g = guidance_for(s.order_type, s.situation, s.line_kind)
    assert isinstance(g, Guidance)  # _guard checked the situation
    return new, {"handling": handling, "result": result, "situation": s.situation, "referrals": list(g.referrals)}


def _h_accept(s, x, a, at):
    return replace(s, status=Status.ACCEPTED, accepted_at=at), {"unit_id": s.main_unit_id}


def _h_return(s, x: Return, a, at):
    reason = _require(x.reason, "A reason for returning the order", "reason")
    new = replace(
        s,
        status=Status.RETURNED,
        main_unit_id=None,
        assisting_unit_ids=frozenset(),
        accepted_at=None,
        started_at=None,
        completion_deadline=None,
        extension=None,
        pause_request=None,
        last_return_reason=reason,
        return_count=s.return_count + 1,
        # Back in the dispatch queue: a fresh dispatch clock from the return (issue 8).
        dispatch_clock_from=at,
        dispatch_clock_to=None,
    )
    return new, {"unit_id": s.main_unit_id, "reason": reason}


def _h_start(s, x, a, at):
    return replace(s, status=Status.IN_PROGRESS, started_at=at), {}


def _h_progress(s, x: AddProgress, a, at):
    _require(x.note, "The progress note", "note")
    main = a.role != Role.UNIT_HANDLER or a.unit_id is None or a.unit_id == s.main_unit_id
    if s.status is Status.ACCEPTED and main:
        return replace(s, status=Status.IN_PROGRESS, started_at=at), {"started": True}
    return s, {}


def _h_reply(s, x: Reply, a, at):
    text = _require(x.text, "The reply", "text")
    pending = s.pending_extension
    ext = replace(pending, status=ExtensionStatus.REFUSED, decision_note="withdrawn by the reply") if pending else s.extension
    pp = s.pending_pause
    preq = replace(pp, status=ExtensionStatus.REFUSED, decision_note="withdrawn by the reply") if pp else s.pause_request
    new = replace(
        s, status=Status.REPLIED, replied_at=at, reply_text=text, extension=ext, started_at=s.started_at or at,
        pause_request=preq,
    )
    return new, {"text": text}


def _to_review(s: WorkOrderState, at: datetime, reason: str) -> WorkOrderState:
    return replace(
        s,
        status=Status.REVIEW,
        supervised=True,
        supervision_reason=s.supervision_reason if s.supervised else reason,
    )


def _h_reject_reply(s, x: RejectReply, a, at):
    problem = CallbackProblem(x.problem)
    new = _to_review(s, at, f"reply rejected: {problem}")
    return new, {"problem": str(problem), "supervised": True}


def _h_start_callback(s, x, a, at):
    return replace(s, status=Status.CALLBACK, callback_started_at=at), {}


def _h_callback_attempt(s, x: CallbackAttempt, a, at):
    result = CallbackAttemptResult(x.result)
    if result is CallbackAttemptResult.NOT_CONVENIENT:
        if x.agreed_at is None:
            raise InvalidAction("Record the time agreed with the caller", code="agreed_at_required", field="agreed_at")
        _aware(x.agreed_at, "agreed_at")
        if x.agreed_at <= at:
            raise InvalidAction("The agreed time must be in the future", code="agreed_at_past", field="agreed_at")
    new = replace(
        s,
        status=Status.CALLBACK,
        callback_started_at=s.callback_started_at or at,
        callback_attempts=s.callback_attempts + 1,
        callback_agreed_at=x.agreed_at if result is CallbackAttemptResult.NOT_CONVENIENT else s.callback_agreed_at,
    )
    return new, {"result": str(result), "agreed_at": _iso(x.agreed_at)}


def _h_record_callback(s, x: RecordCallback, a, at):
    outcome = CallbackOutcome(x.outcome)
    problems = tuple(dict.fromkeys(CallbackProblem(p) for p in x.problems))
    record = CallbackRecord(at, outcome, problems, x.caller_words.strip(), a.user_id)
    base = replace(
        s,
        callback=record,
        callback_started_at=s.callback_started_at or at,
        callback_attempts=s.callback_attempts + 1,
    )
    if outcome is CallbackOutcome.DISSATISFIED or problems:
        why = "dissatisfied caller" if outcome is CallbackOutcome.DISSATISFIED else f"callback found {problems[0]}"
        new = _to_review(base, at, why)
    else:
        new = replace(base, status=Status.CLOSED, closed_at=at, pauses=_close_pause(s.pauses, at))
    return new, {
        "outcome": str(outcome),
        "problems": [str(p) for p in problems],
        "caller_words": record.caller_words,
        "supervised": new.supervised,
    }


def _h_send_back(s, x: SendBack, a, at):
    _require(x.note, "What the unit must redo", "note")
    if s.main_unit_id is None:
        raise IllegalTransition("The order has no unit to send it back to; dispatch it", code="no_unit")
    new = replace(
        s, status=Status.IN_PROGRESS, replied_at=None, reply_text="", callback=None, callback_started_at=None,
        callback_agreed_at=None, callback_attempts=0,
    )
    return new, {"unit_id": s.main_unit_id}


def _h_close(s, x: Close, a, at):
    _require(x.note, "A note on why the order is closed", "note")
    return replace(s, status=Status.CLOSED, closed_at=at, pauses=_close_pause(s.pauses, at)), {}


def _h_reopen(s, x: Reopen, a, at):
    reason = _require(x.reason, "A reason for reopening", "reason")
    new = replace(s, status=Status.REVIEW, closed_at=None, reopen_count=s.reopen_count + 1)
    return new, {"reason": reason}


def _h_add_assisting(s, x: AddAssistingUnit, a, at):
    if not x.unit_id:
        raise InvalidAction("A unit is required", code="unit_required", field="unit_id")
    if x.unit_id == s.main_unit_id:
        raise InvalidAction("The main unit cannot also assist", code="unit_is_main", field="unit_id")
    return replace(s, assisting_unit_ids=s.assisting_unit_ids | {x.unit_id}), {"unit_id": x.unit_id}


def _h_remove_assisting(s, x: RemoveAssistingUnit, a, at):
    if x.unit_id not in s.assisting_unit_ids:
        raise InvalidAction("That unit is not assisting", code="unit_not_assisting", field="unit_id")
    return replace(s, assisting_unit_ids=s.assisting_unit_ids - {x.unit_id}), {"unit_id": x.unit_id}


def _h_request_extension(s, x: RequestExtension, a, at):
    reason = _require(x.reason, "A reason for the extension", "reason")
    if x.deadline is None:
        raise InvalidAction("The requested deadline is required", code="deadline_required", field="deadline")
    _aware(x.deadline, "deadline")
    if s.pending_extension is not None:
        raise IllegalTransition("An extension request is already pending", code="extension_pending")
    if s.completion_deadline is not None:
        if at >= s.completion_deadline:
            raise IllegalTransition(
                "An extension must be requested before the deadline", code="extension_too_late"
            )
        if x.deadline <= s.completion_deadline:
            raise InvalidAction(
                "The requested deadline must be later than the current one", code="deadline_not_later", field="deadline"
            )
    elif x.deadline <= at:
        raise InvalidAction("The requested deadline must be in the future", code="deadline_not_later", field="deadline")
    req = ExtensionRequest(at, x.deadline, reason, requested_by=a.user_id, unit_id=a.unit_id or s.main_unit_id)
    return replace(s, extension=req), {
        "requested_deadline": _iso(x.deadline),
        "current_deadline": _iso(s.completion_deadline),
        "reason": reason,
    }


def _h_grant_extension(s, x: GrantExtension, a, at):
    pending = s.pending_extension
    if pending is None:
        raise IllegalTransition("There is no pending extension request", code="no_extension_pending")
    deadline = x.deadline or pending.requested_deadline
    _aware(deadline, "deadline")
    if s.completion_deadline is not None and deadline <= s.completion_deadline:
        raise InvalidAction("A granted deadline must be later than the current one", code="deadline_not_later", field="deadline")
    ext = replace(
        pending, status=ExtensionStatus.GRANTED, decided_at=at, decided_by=a.user_id, granted_deadline=deadline,
        decision_note=x.note,
    )
    new = replace(s, extension=ext, completion_deadline=deadline, extensions_granted=s.extensions_granted + 1)
    return new, {"previous_deadline": _iso(s.completion_deadline), "deadline": _iso(deadline)}


def _h_refuse_extension(s, x: RefuseExtension, a, at):
    pending = s.pending_extension
    if pending is None:
        raise IllegalTransition("There is no pending extension request", code="no_extension_pending")
    _require(x.note, "A reason for refusing", "note")
    ext = replace(pending, status=ExtensionStatus.REFUSED, decided_at=at, decided_by=a.user_id, decision_note=x.note)
    return replace(s, extension=ext), {"deadline": _iso(s.completion_deadline)}


def _h_supervise(s, x: Supervise, a, at):
    reason = _require(x.reason, "A reason for supervision", "reason")
    if s.supervised:
        raise IllegalTransition("The order is already supervised", code="already_supervised")
    return replace(s, supervised=True, supervision_reason=reason), {"reason": reason}


def _h_unsupervise(s, x: Unsupervise, a, at):
    if not s.supervised:
        raise IllegalTransition("The order is not supervised", code="not_supervised")
    return replace(s, supervised=False, supervision_reason=""), {}


def _h_remind(s, x: Remind, a, at):
    if a.role != SYSTEM and not x.automatic:
        _require(x.note, "A reminder note", "note")
    return replace(s, reminder_count=s.reminder_count + 1), {
        "unit_id": s.main_unit_id,
        "automatic": x.automatic or a.role == SYSTEM,
        "reason": x.reason,
    }


def _h_pause(s, x: PauseClock, a, at):
    reason = _require(x.reason, "Why the clock stops (e.g. waiting for the caller)", "reason")
    if s.is_paused:
        raise IllegalTransition("The clock is already paused", code="already_paused")
    if s.pauses and s.pauses[-1].end is not None and at < s.pauses[-1].end:
        raise InvalidAction("A pause cannot start before the previous one ended", code="pause_overlap")
    pending = s.pending_pause  # the console stops the clock itself: a unit's request is settled by it
    req = (replace(pending, status=ExtensionStatus.GRANTED, decided_at=at, decided_by=a.user_id,
                   decision_note=reason) if pending is not None else s.pause_request)
    return replace(s, pauses=s.pauses + (Pause(at, None, reason),), pause_request=req), {"reason": reason}


def _h_request_pause(s, x: RequestPause, a, at):
    reason = _require(x.reason, "Why the clock should stop (e.g. waiting for the caller)", "reason")
    if s.is_paused:
        raise IllegalTransition("The clock is already paused", code="already_paused")
    if s.pending_pause is not None:
        raise IllegalTransition("A pause request is already waiting for the office", code="pause_pending")
    req = PauseRequest(at, reason, requested_by=a.user_id, unit_id=a.unit_id or s.main_unit_id)
    return replace(s, pause_request=req), {"reason": reason}


def _h_grant_pause(s, x: GrantPause, a, at):
    pending = s.pending_pause
    if pending is None:
        raise IllegalTransition("There is no pending pause request", code="no_pause_pending")
    if s.is_paused:
        raise IllegalTransition("The clock is already paused", code="already_paused")
    if s.pauses and s.pauses[-1].end is not None and at < s.pauses[-1].end:
        raise InvalidAction("A pause cannot start before the previous one ended", code="pause_overlap")
    req = replace(pending, status=ExtensionStatus.GRANTED, decided_at=at, decided_by=a.user_id, decision_note=x.note)
    # The clock stops from the grant, not from the request: until then the unit's time runs.
    new = replace(s, pause_request=req, pauses=s.pauses + (Pause(at, None, pending.reason),))
    return new, {"reason": pending.reason, "requested_at": pending.requested_at.isoformat()}


def _h_refuse_pause(s, x: RefusePause, a, at):
    pending = s.pending_pause
    if pending is None:
        raise IllegalTransition("There is no pending pause request", code="no_pause_pending")
    _require(x.note, "A reason for refusing", "note")
    req = replace(pending, status=ExtensionStatus.REFUSED, decided_at=at, decided_by=a.user_id, decision_note=x.note)
    return replace(s, pause_request=req), {"reason": pending.reason}


def _h_resume(s, x: ResumeClock, a, at):
    if not s.is_paused:
        raise IllegalTransition("The clock is not paused", code="not_paused")
    last = s.pauses[-1]
    if at < last.start:
        raise InvalidAction("Cannot resume before the pause started", code="resume_before_pause")
    return replace(s, pauses=s.pauses[:-1] + (replace(last, end=at),)), {
        "paused_since": last.start.isoformat(),
    }


def _h_status_update(s, x: StatusUpdate, a, at):
    _require(x.note, "What the caller was told", "note")
    return replace(s, last_status_update_at=at, first_reply_at=s.first_reply_at or at), {
        "first_reply": s.first_reply_at is None,
    }


def _h_reclassify(s, x: Reclassify, a, at):
    changes: dict[str, Any] = {}
    otype = s.order_type
    if x.order_type is not None:
        t = OrderType(x.order_type)
        if s.line_kind is not None and t not in order_types_for_line(s.line_kind):
            raise InvalidAction(f"Type {t} is not offered on this line", code="type_not_offered", field="order_type")
        if t != s.order_type:
            changes["order_type"] = otype = t
    if x.situation:
        if x.situation not in situations_of(otype, s.line_kind):
            raise InvalidAction(f"Unknown situation {x.situation!r} for {otype}", code="unknown_situation",
                                field="situation")
        if x.situation != s.situation:
            changes["situation"] = x.situation
    elif "order_type" in changes and s.situation is not None and s.situation not in situations_of(otype, s.line_kind):
        changes["situation"] = None  # the old type's situation means nothing for the new type
    if x.urgency is not None:
        changes["urgency"] = Urgency(x.urgency)
    situation = changes.get("situation", s.situation)
    if x.complexity is not None and not x.situation:
        # A company complaint's complexity is its situation (R-S10): the situation follows.
        match = [g.situation for g in guidance_table(s.line_kind)[otype] if g.complexity is Complexity(x.complexity)]
        if match and match[0] != situation:
            changes["situation"] = situation = match[0]
    complexity = situation_complexity(otype, situation, s.line_kind, x.complexity)
    if complexity is not None and complexity != s.complexity:
        changes["complexity"] = complexity
    if x.category is not None:
        changes["category"] = x.category
    if not changes:
        raise InvalidAction("Nothing to change", code="nothing_to_change")
    data = {k: {"from": str(getattr(s, k)) if getattr(s, k) is not None else None,
                "to": str(v) if v is not None else None} for k, v in changes.items()}
    return replace(s, **changes), data


def _h_note(s, x: AddNote, a, at):
    _require(x.note, "The note", "note")
    return s, {}


_HANDLERS = {
    "dispatch": _h_dispatch,
    "close_directly": _h_close_directly,
    "accept": _h_accept,
    "return": _h_return,
    "start": _h_start,
    "progress": _h_progress,
    "reply": _h_reply,
    "reject_reply": _h_reject_reply,
    "start_callback": _h_start_callback,
    "callback_attempt": _h_callback_attempt,
    "record_callback": _h_record_callback,
    "send_back": _h_send_back,
    "close": _h_close,
    "reopen": _h_reopen,
    "add_assisting_unit": _h_add_assisting,
    "remove_assisting_unit": _h_remove_assisting,
    "request_extension": _h_request_extension,
    "grant_extension": _h_grant_extension,
    "refuse_extension": _h_refuse_extension,
    "supervise": _h_supervise,
    "unsupervise": _h_unsupervise,
    "remind": _h_remind,
    "pause": _h_pause,
    "resume": _h_resume,
    "request_pause": _h_request_pause,
    "grant_pause": _h_grant_pause,
    "refuse_pause": _h_refuse_pause,
    "status_update": _h_status_update,
    "reclassify": _h_reclassify,
    "note": _h_note,
}
assert set(_HANDLERS) == set(RULES) == set(ACTION_TYPES)


def _close_pause(pauses: tuple[Pause, ...], at: datetime) -> tuple[Pause, ...]:
    if pauses and pauses[-1].end is None:
        return pauses[:-1] + (replace(pauses[-1], end=max(at, pauses[-1].start)),)
    return pauses


def _aware(t: Any, name: str) -> None:
    if not isinstance(t, datetime) or t.tzinfo is None or t.utcoffset() is None:
        raise InvalidAction(f"{name} must be a timezone-aware datetime", code="naive_datetime", field=name)


def _iso(t: datetime | None) -> str | None:
    return t.isoformat() if t is not None else None


# ---------------------------------------------------------------------------------------------
# Per-type guidance (R-P2, R-P3, R-P11)
# ---------------------------------------------------------------------------------------------


class Handling(StrEnum):
    ANSWER_NOW = "answer_now"  # answered in the call (knowledge base)
    THREE_WAY_CALL = "three_way_call"
    GIVE_UNIT_NUMBER = "give_unit_number"
    REFER_ELSEWHERE = "refer_elsewhere"  # outside the remit: referral numbers
    CLOSE_DIRECTLY = "close_directly"
    DISPATCH = "dispatch"
    PHONE_DISPATCH = "phone_dispatch"  # urgent: phone the unit, mark the ticket, dispatch
    SHIFT_LEADER_DECIDES = "shift_leader_decides"
    OFFICE_DECIDES = "office_decides"


@dataclass(frozen=True)
class Referral:
    key: str
    name_zh: str
    name_en: str
    number: str | None  # None: a local number to take from the directory


# Defaults; the real numbers are directory data an organisation edits.
REFERRALS: dict[str, Referral] = {
    r.key: r
    for r in (
        Referral("legal_aid", "公共法律服务热线", "Public legal services hotline", "12348"),
        Referral("police", "报警电话", "Police", "110"),
        Referral("courts", "法院诉讼服务热线", "Court litigation services hotline", "12368"),
        Referral("discipline_inspection", "纪检监察举报电话", "Discipline inspection reports", "12388"),
        Referral("petition", "信访部门", "Petition (letters and visits) office", None),
        Referral("fire", "火警", "Fire", "119"),
        Referral("ambulance", "急救", "Ambulance", "120"),
    )
}


@dataclass(frozen=True)
class Guidance:
    """What the form shows for a type in a situation: allowed handlings (first = recommended),
    referral numbers, fields the operator must fill, and whether it closes directly."""

    order_type: OrderType
    situation: str
    situation_zh: str
    handlings: tuple[Handling, ...]
    required_fields: tuple[str, ...] = ("caller_name", "description")
    referrals: tuple[str, ...] = ()
    closes_directly: bool = False
    hint_zh: str = ""
    hint_en: str = ""
    # A company complaint's situation is how serious it is (R-S10): it sets the complexity, which
    # selects the SLA. None: the situation says nothing about complexity.
    complexity: Complexity | None = None

    @property
    def recommended(self) -> Handling:
        return self.handlings[0]

    def referral_entries(self) -> list[Referral]:
        return [REFERRALS[k] for k in self.referrals]


H = Handling
_PLACE = ("caller_name", "place", "description")
GUIDANCE: dict[OrderType, tuple[Guidance, ...]] = {
    OrderType.SUGGESTION: (
        Guidance(OrderType.SUGGESTION, "reasonable", "合理建议", (H.DISPATCH,), hint_zh="记录并派单",
                 hint_en="Record and dispatch."),
        Guidance(OrderType.SUGGESTION, "unreasonable", "不合理建议", (H.CLOSE_DIRECTLY,), closes_directly=True,
                 hint_zh="婉言谢绝，记录后直办", hint_en="Decline politely, record, close directly."),
    ),
    OrderType.REQUEST: (
        Guidance(OrderType.REQUEST, "simple", "简单诉求", (H.THREE_WAY_CALL, H.GIVE_UNIT_NUMBER, H.CLOSE_DIRECTLY),
                 closes_directly=True, hint_zh="三方通话或告知承办单位电话",
                 hint_en="Three-way call with the unit, or give the caller its number."),
        Guidance(OrderType.REQUEST, "general", "一般诉求", (H.DISPATCH,), _PLACE,
                 hint_zh="记录，由班长派单", hint_en="Record; the shift leader assigns a unit."),
        Guidance(OrderType.REQUEST, "complex_or_urgent", "复杂或紧急诉求",
                 (H.SHIFT_LEADER_DECIDES, H.OFFICE_DECIDES, H.PHONE_DISPATCH), _PLACE,
                 hint_zh="由班长或热线办决定", hint_en="The shift leader or the hotline office decides."),
    ),
    OrderType.HELP: (
        Guidance(OrderType.HELP, "outside_remit", "非受理范围(诉讼、经济纠纷、警务、法院)",
                 (H.REFER_ELSEWHERE, H.CLOSE_DIRECTLY), ("caller_name", "description", "handling"),
                 referrals=("legal_aid", "police", "courts"), closes_directly=True,
                 hint_zh="引导来电人到相应渠道，记录处理情况后直办",
                 hint_en="Guide the caller to the right channel; record the handling and close directly."),
        Guidance(OrderType.HELP, "general", "一般求助", (H.DISPATCH,),
                 ("caller_name", "contact", "place", "event_time", "description"),
                 hint_zh="记录时间、地点、事件、联系方式和诉求后转承办单位",
                 hint_en="Record time, place, event, contact and request; pass to the unit."),
        Guidance(OrderType.HELP, "urgent", "紧急求助(非警情)", (H.THREE_WAY_CALL, H.GIVE_UNIT_NUMBER, H.PHONE_DISPATCH),
                 _PLACE, referrals=("police", "fire", "ambulance"),
                 hint_zh="三方通话或告知承办单位电话", hint_en="Three-way call with the unit or give its number."),
    ),
    OrderType.COMPLAINT: (
        Guidance(OrderType.COMPLAINT, "official_misconduct", "公职人员违纪违法",
                 (H.REFER_ELSEWHERE, H.CLOSE_DIRECTLY), ("caller_name", "description", "handling"),
                 referrals=("discipline_inspection", "petition"), closes_directly=True,
                 hint_zh="非受理范围，告知纪检监察和信访电话",
                 hint_en="Outside the remit: give the discipline-inspection and petition numbers."),
        Guidance(OrderType.COMPLAINT, "staff_attitude", "工作人员态度",
                 (H.DISPATCH, H.OFFICE_DECIDES),
                 ("caller_name", "staff_name", "badge_number", "event_time", "description"),
                 hint_zh="记录姓名、工号、时间和事件；市级部门交热线办，县级由班长派至县级单位",
                 hint_en="Record name, badge number, time and event; city-level departments go to the "
                         "hotline office, county-level ones are dispatched by the shift leader."),
        Guidance(OrderType.COMPLAINT, "general", "一般投诉举报", (H.DISPATCH,), _PLACE,
                 hint_zh="记录并派单", hint_en="Record and dispatch."),
    ),
    OrderType.INQUIRY: (
        Guidance(OrderType.INQUIRY, "simple", "简单咨询", (H.ANSWER_NOW, H.CLOSE_DIRECTLY), closes_directly=True,
                 hint_zh="按知识库答复，并告知部门信息",
                 hint_en="Answer from the knowledge base with the department's details."),
        Guidance(OrderType.INQUIRY, "specialist", "专业咨询", (H.THREE_WAY_CALL, H.DISPATCH),
                 hint_zh="三方通话或派单", hint_en="Three-way call with the unit, or dispatch."),
    ),
    OrderType.PRAISE: (
        Guidance(OrderType.PRAISE, "of_unit", "表扬承办单位", (H.DISPATCH,), hint_zh="记录并派单",
                 hint_en="Record and dispatch to the unit."),
        Guidance(OrderType.PRAISE, "of_hotline", "表扬热线", (H.CLOSE_DIRECTLY,), closes_directly=True,
                 hint_zh="记录后直办", hint_en="Record and close directly."),
    ),
}


# A company's own 400 line (R-S8, R-S10): a complaint is apologised for, recorded and passed to
# the responsible department of the company to verify — never closed by the agent, never referred
# to public bodies. Its situation is how serious it turns out to be (not valid / simple / general /
# complex), which also sets the complexity and so the limit (R-S10). Requests and inquiries keep
# the general guidance. "general" first: the form preselects the first situation.
_COMPLAINT_400_FIELDS = ("caller_name", "contact", "description")
COMPANY_GUIDANCE: dict[OrderType, tuple[Guidance, ...]] = {
    OrderType.COMPLAINT: (
        Guidance(OrderType.COMPLAINT, "general", "一般投诉", (H.DISPATCH,), _COMPLAINT_400_FIELDS,
                 complexity=Complexity.GENERAL,
                 hint_zh="致歉；记录姓名、产品序列号、联系人及电话和投诉内容，填投诉处理表，交责任部门核实处理；"
                         "1个工作日内答复（最长3个工作日），2小时内首次答复客户",
                 hint_en="Apologise; record the name, product serial number, contact and phone and the "
                         "complaint on the complaint form and pass it to the responsible department; answer "
                         "within 1 working day (at most 3), first reply to the customer within 2 hours."),
        Guidance(OrderType.COMPLAINT, "simple", "简单投诉（可即时解决）", (H.DISPATCH,), _COMPLAINT_400_FIELDS,
                 complexity=Complexity.SIMPLE,
                 hint_zh="致歉并记录；责任部门即时解决并填写投诉处理表，立即答复客户",
                 hint_en="Apologise and record; the responsible department solves it at once and fills in "
                         "the complaint form; answer the customer at once."),
        Guidance(OrderType.COMPLAINT, "complex", "复杂投诉（严重或不能即时解决）", (H.DISPATCH,), _COMPLAINT_400_FIELDS,
                 complexity=Complexity.COMPLEX,
                 hint_zh="致歉并记录；交责任部门，由部门负责人组织处理；5个工作日内答复（最长7个工作日），"
                         "超时主动告知客户进展",
                 hint_en="Apologise and record; the responsible department's head organises the handling; "
                         "answer within 5 working days (at most 7); past a limit, tell the customer where "
                         "things stand."),
        Guidance(OrderType.COMPLAINT, "not_valid", "投诉不成立", (H.DISPATCH,), _COMPLAINT_400_FIELDS,
                 hint_zh="交责任部门核实；核实结果返回后由客服致电客户解释",
                 hint_en="Pass to the responsible department to verify; when its findings come back, call "
                         "the customer to explain."),
    ),
}


def guidance_table(line_kind: str | None = None) -> dict[OrderType, tuple[Guidance, ...]]:
    """The guidance of each type on a line of this kind: the 12345 table on a city hotline (or
    without a line), the company's own complaint procedure on a company line (400, switchboard)."""
    if line_kind in (None, "hotline_12345"):
        return GUIDANCE
    return {**GUIDANCE, **COMPANY_GUIDANCE}


def guidance_for(order_type: OrderType | str, situation: str | None = None, line_kind: str | None = None
                 ) -> Guidance | tuple[Guidance, ...]:
    """All situations of a type on a line of this kind, or the one named (KeyError if unknown)."""
    options = guidance_table(line_kind)[OrderType(order_type)]
    if situation is None:
        return options
    for g in options:
        if g.situation == situation:
            return g
    raise KeyError(f"{order_type}: unknown situation {situation!r}")


def situations_of(order_type: OrderType | str, line_kind: str | None = None) -> tuple[str, ...]:
    return tuple(g.situation for g in guidance_table(line_kind)[OrderType(order_type)])


def situation_required(order_type: OrderType | str, line_kind: str | None = None) -> bool:
    """Whether the type's handling depends on its situation (R-P2): some of its situations close
    directly and others must be dispatched — true of all six 12345 types — or its situation sets
    the complexity and so the limit (a company's complaint, R-S10). Such an order needs its
    situation from creation on."""
    options = guidance_table(line_kind)[OrderType(order_type)]
    return len({g.closes_directly for g in options}) > 1 or any(g.complexity for g in options)


def situation_complexity(order_type: OrderType | str, situation: str | None, line_kind: str | None = None,
                         complexity: Complexity | str | None = None) -> Complexity | None:
    """The complexity an order has with this situation: the one the situation sets (a company's
    complaint, R-S10), else the one given. A given complexity that contradicts the situation is
    refused (400, field ``complexity``)."""
    given = Complexity(complexity) if complexity else None
    if situation is None:
        return given
    try:
        g = guidance_for(order_type, situation, line_kind)
    except KeyError:
        return given
    assert isinstance(g, Guidance)
    if g.complexity is None:
        return given
    if given is not None and given is not g.complexity:
        raise InvalidAction(
            f"A {situation} complaint is {g.complexity}, not {given}: the situation sets the complexity",
            code="complexity_mismatch", field="complexity",
        )
    return g.complexity


def close_directly_refusal(order_type: OrderType | str, situation: str | None, line_kind: str | None = None
                           ) -> InvalidAction | None:
    """Why an order of this type and situation may not be closed directly (R-P2, R-P11), or None.
    Without a situation, or with one that is not the type's, nothing closes directly."""
    otype = OrderType(order_type)
    label = f"{ORDER_TYPE_ZH[otype]} ({otype})"
    if not any(g.closes_directly for g in guidance_table(line_kind)[otype]):
        return InvalidAction(
            f"R-S8: a {label} on this line is passed to the responsible department, never closed directly",
            code="must_dispatch", field="situation",
        )
    if situation is None or situation not in situations_of(otype, line_kind):
        return InvalidAction(
            f"R-P2: a {label} is closed directly only in a situation that allows it; "
            "classify the order's situation first",
            code="situation_required", field="situation",
        )
    g = guidance_for(otype, situation, line_kind)
    assert isinstance(g, Guidance)
    if not g.closes_directly:
        return InvalidAction(
            f"R-P2: a {label} in situation {situation} ({g.situation_zh}) must be dispatched, "
            "not closed directly",
            code="must_dispatch", field="situation",
        )
    return None


def close_directly_with_guidance(
    state: WorkOrderState, situation: str, actor: Actor | Role | str, at: datetime, *, handling: str, result: str
) -> tuple[WorkOrderState, TimelineEntry]:
    """Close directly in ``situation`` (the order's own, set here if it has none): help
    outside the remit, praise of the hotline …; refuses situations that must be dispatched."""
    if state.situation is not None and state.situation != situation:
        raise InvalidAction(
            f"The order's situation is {state.situation}, not {situation}", code="situation_mismatch", field="situation"
        )
    return apply(replace(state, situation=situation), CloseDirectly(handling=handling, result=result), actor, at)


# ---------------------------------------------------------------------------------------------
# Duplicates following a primary (R-P8)
# ---------------------------------------------------------------------------------------------
#
# Binding an order as a *duplicate* of another (the primary) is more than a label: while the
# duplicate is still with the shift leader (created or returned) it is not dispatched or closed on
# its own and its dispatch clock stops (``bound_at``); when the primary's unit replies, the reply is
# copied to it (``follow_reply``) and it goes to the callback list for its own caller — "every
# caller on a bound order still gets their own callback". Unbinding restores independence. These
# are not ``Action``s (they are not posted to /actions): the service calls them when orders are
# bound, unbound or the primary replied.


def _entry(state: WorkOrderState, new: WorkOrderState, kind: str, a: Actor, at: datetime, data: Mapping[str, Any],
           note: str = "") -> TimelineEntry:
    return TimelineEntry(at, kind, str(a.role), a.user_id, a.unit_id, state.status, new.status, note, dict(data))


def bind_duplicate(
    state: WorkOrderState, primary_id: int, actor: Actor | Role | str, at: datetime, *, primary_number: str = ""
) -> tuple[WorkOrderState, TimelineEntry]:
    """Make ``state`` follow ``primary_id`` as its duplicate."""
    a = Actor.coerce(actor)
    _aware(at, "at")
    if a.role not in CONSOLE_WORK_ROLES:
        raise ActionForbidden(f"Role {a.role} may not bind work orders", code="role_not_allowed")
    if state.status not in FOLLOWING_STATUSES:
        raise IllegalTransition(
            f"R-P8: only an order not yet with a unit can follow another as its duplicate; this one is "
            f"{state.status.replace('_', ' ')} — bind it as related instead",
            code="cannot_follow",
        )
    if state.duplicate_of == primary_id:
        raise IllegalTransition("The order already follows that order", code="already_bound")
    new = replace(state, duplicate_of=primary_id, bound_at=at)
    return new, _entry(state, new, "bind_duplicate", a, at, {"primary_id": primary_id, "primary_number": primary_number})


def unbind_duplicate(state: WorkOrderState, actor: Actor | Role | str, at: datetime) -> tuple[WorkOrderState, TimelineEntry]:
    """The order no longer follows a primary. Still with the shift leader, it needs its own
    dispatch again: a fresh dispatch clock from now (R-P4)."""
    a = Actor.coerce(actor)
    _aware(at, "at")
    if state.duplicate_of is None:
        raise IllegalTransition("The order does not follow another order", code="not_bound")
    if state.is_following:
        # Created or returned: it waits for its own dispatch again, a fresh clock from now.
        new = replace(state, duplicate_of=None, bound_at=None, dispatch_clock_from=at, dispatch_clock_to=None)
    else:  # it already got the primary's reply: its history stays as it was
        new = replace(state, duplicate_of=None)
    return new, _entry(state, new, "unbind_duplicate", a, at, {"primary_id": state.duplicate_of})


def follow_reply(
    state: WorkOrderState, primary_id: int, reply_text: str, actor: Actor | Role | str, at: datetime, *,
    primary_number: str = "",
) -> tuple[WorkOrderState, TimelineEntry]:
    """The primary was replied: the duplicate gets the reply and waits for its own callback."""
    a = Actor.coerce(actor)
    _aware(at, "at")
    if not state.is_following or state.duplicate_of != primary_id:
        raise IllegalTransition("The order does not follow that order", code="not_following")
    text = _require(reply_text, "The reply", "text")
    new = replace(
        state, status=Status.REPLIED, replied_at=at, reply_text=text, callback=None, callback_started_at=None,
        callback_agreed_at=None, callback_attempts=0,
    )
    return new, _entry(state, new, "follow_reply", a, at,
                       {"primary_id": primary_id, "primary_number": primary_number, "text": text})


def move_deadline_for_calendar(
    state: WorkOrderState, deadline: datetime, at: datetime, *, reason: str, years: Sequence[int] = (),
    provisional: bool = False,
) -> tuple[WorkOrderState, TimelineEntry]:
    """The business calendar changed (a year's notice imported, withdrawn or a day edited): the
    completion deadline the system computed at dispatch is computed again (issue 8). Only the
    system does this, and only on an open order whose deadline was the calendar's own (a deadline
    set by hand or granted by an extension stays as decided)."""
    _aware(at, "at")
    _aware(deadline, "deadline")
    if state.status in FINAL_STATUSES:
        raise IllegalTransition("A closed order keeps its deadline", code="order_closed")
    if state.completion_deadline is None:
        raise IllegalTransition("The order has no completion deadline", code="no_deadline")
    old = state.completion_deadline
    new = replace(state, completion_deadline=deadline)
    return new, _entry(state, new, "deadline_recomputed", SYSTEM_ACTOR, at, {
        "old_deadline": old.isoformat(), "deadline": deadline.isoformat(), "reason": reason,
        "years": list(years), "provisional": provisional})


# ---------------------------------------------------------------------------------------------
# Order numbers
# ---------------------------------------------------------------------------------------------

_NUMBER = re.compile(r"^(\d{8})-(\d{4,})$")


def format_order_number(day: date, sequence: int) -> str:
    """``YYYYMMDD-NNNN``: the local day and the day's counter (1-based, at least 4 digits;
    10000 and above simply get more digits)."""
    if sequence < 1:
        raise ValueError("The sequence starts at 1")
    return f"{day:%Y%m%d}-{sequence:04d}"


def parse_order_number(text: str) -> tuple[date, int]:
    """Inverse of :func:`format_order_number`; raises ``ValueError`` on anything else."""
    m = _NUMBER.match(text.strip())
    if not m:
        raise ValueError(f"Not an order number: {text!r}")
    try:
        day = datetime.strptime(m.group(1), "%Y%m%d").date()
    except ValueError:
        raise ValueError(f"Not an order number (bad date): {text!r}") from None
    seq = int(m.group(2))
    if seq < 1 or (len(m.group(2)) > 4 and m.group(2).startswith("0")):
        raise ValueError(f"Not an order number (bad sequence): {text!r}")
    return day, seq


def order_number_day(created_at: datetime, tz: ZoneInfo | str = "Asia/Shanghai") -> date:
    """The local day an order number uses."""
    _aware(created_at, "created_at")
    return created_at.astimezone(ZoneInfo(tz) if isinstance(tz, str) else tz).date()


# ---------------------------------------------------------------------------------------------
# Duplicate suggestions (R-P8)
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class OrderDigest:
    """What duplicate scoring looks at. ``ref`` is whatever identifies the order (id/number)."""

    ref: Any
    created_at: datetime
    caller_number: str | None = None
    place: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    category: str | None = None
    text: str = ""


@dataclass(frozen=True)
class DuplicateWeights:
    same_caller: float = 0.30
    same_place: float = 0.20
    same_category: float = 0.15
    text: float = 0.35
    threshold: float = 0.5
    window: timedelta = timedelta(days=7)  # only orders this recent are compared
    place_radius_m: float = 200.0  # coordinates this close count as the same place
    place_text_min: float = 0.6  # place texts at least this similar count (scaled)


@dataclass(frozen=True)
class DuplicateScore:
    ref: Any
    score: float  # 0…1
    text_similarity: float
    reasons: tuple[str, ...]  # "same_caller", "same_place", "same_category", "similar_text"


_PUNCT_CATEGORIES = {"P", "Z", "S", "C"}


def normalize_text(text: str) -> str:
    """NFKC (full-width → half-width), lower case, without spaces, punctuation or symbols."""
    t = unicodedata.normalize("NFKC", text or "").lower()
    return "".join(ch for ch in t if unicodedata.category(ch)[0] not in _PUNCT_CATEGORIES)


def bigrams(text: str) -> frozenset[str]:
    """Character bigrams of the normalized text (a one-character text gives itself)."""
    t = normalize_text(text)
    if len(t) < 2:
        return frozenset({t}) if t else frozenset()
    return frozenset(t[i : i + 2] for i in range(len(t) - 1))


def text_similarity(a: str, b: str) -> float:
    """Jaccard similarity of character bigrams — works for Chinese without word segmentation."""
    x, y = bigrams(a), bigrams(b)
    if not x or not y:
        return 0.0
    return len(x & y) / len(x | y)


def normalize_number(number: str | None) -> str:
    """Digits only, without a leading +86/0086 country code."""
    d = re.sub(r"\D", "", number or "")
    for prefix in ("0086", "86"):
        if d.startswith(prefix) and len(d) - len(prefix) >= 11:
            d = d[len(prefix) :]
            break
    return d


def _distance_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    r = 6371000.0
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * r * math.asin(min(1.0, math.sqrt(h)))


def _category_match(a: str | None, b: str | None) -> bool:
    """Same category, or one is an ancestor of the other in a path like "city/lights"."""
    if not a or not b:
        return False
    return a == b or a.startswith(b + "/") or b.startswith(a + "/")


def score_duplicate(new: OrderDigest, other: OrderDigest, weights: DuplicateWeights = DuplicateWeights()) -> DuplicateScore:
    """Weighted evidence that ``other`` is about the same matter as ``new``."""
    w = weights
    score = 0.0
    reasons: list[str] = []
    n1, n2 = normalize_number(new.caller_number), normalize_number(other.caller_number)
    if n1 and n1 == n2:
        score += w.same_caller
        reasons.append("same_caller")
    place = 0.0
    if None not in (new.latitude, new.longitude, other.latitude, other.longitude):
        if _distance_m(new.latitude, new.longitude, other.latitude, other.longitude) <= w.place_radius_m:  # type: ignore[arg-type]
            place = 1.0
    if place < 1.0 and new.place and other.place:
        if normalize_text(new.place) == normalize_text(other.place):
            place = 1.0
        else:
            sim = text_similarity(new.place, other.place)
            if sim >= w.place_text_min:
                place = max(place, sim)
    if place > 0:
        score += w.same_place * place
        reasons.append("same_place")
    if _category_match(new.category, other.category):
        score += w.same_category
        reasons.append("same_category")
    ts = text_similarity(new.text, other.text)
    if ts > 0:
        score += w.text * ts
        if ts >= 0.3:
            reasons.append("similar_text")
    return DuplicateScore(other.ref, round(min(score, 1.0), 4), round(ts, 4), tuple(reasons))


def find_likely_duplicates(
    new: OrderDigest,
    recent: Iterable[OrderDigest],
    weights: DuplicateWeights = DuplicateWeights(),
    *,
    limit: int = 5,
) -> list[DuplicateScore]:
    """Orders within ``weights.window`` before (or after) ``new`` scoring at least the
    threshold, best first (ties: most recent first)."""
    scored = []
    for other in recent:
        if other.ref == new.ref or abs(new.created_at - other.created_at) > weights.window:
            continue
        s = score_duplicate(new, other, weights)
        if s.score >= weights.threshold:
            scored.append((s, other.created_at))
    scored.sort(key=lambda p: (-p[0].score, -p[1].timestamp()))
    return [s for s, _ in scored[:limit]]
