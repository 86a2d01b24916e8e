"""The actions on a work order (what the API posts to ``/actions`` and the timeline names) and
how one is read from JSON (:func:`action_from_dict`)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from datetime import datetime
from enum import StrEnum
from typing import Any, ClassVar

from zongji.domain.work_orders.errors import InvalidAction, require_aware
from zongji.domain.work_orders.words import (
    CallbackAttemptResult,
    CallbackOutcome,
    CallbackProblem,
    Complexity,
    OrderType,
    Urgency,
)

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
            require_aware(t, key)
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
