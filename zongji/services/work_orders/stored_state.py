"""An order's domain state as the JSON its row keeps (``WorkOrder.state``), and back."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import fields, replace
from datetime import datetime
from enum import StrEnum
from typing import Any

from zongji.domain.work_orders.state import CallbackRecord, ExtensionRequest, Pause, PauseRequest, WorkOrderState
from zongji.domain.work_orders.words import (
    CallbackOutcome,
    CallbackProblem,
    Complexity,
    ExtensionStatus,
    OrderType,
    Status,
    Urgency,
)
from zongji.store.work_order_models import WorkOrder


_DT = {
    "created_at", "first_dispatched_at", "dispatched_at", "accepted_at", "started_at", "replied_at",
    "first_reply_at", "last_status_update_at", "callback_started_at", "callback_agreed_at", "closed_at",
    "completion_deadline", "bound_at", "dispatch_clock_from", "dispatch_clock_to",
}
_ENUMS: dict[str, type[StrEnum]] = {
    "order_type": OrderType, "status": Status, "urgency": Urgency, "complexity": Complexity,
}


def _iso(t: datetime | None) -> str | None:
    return t.isoformat() if t is not None else None


def _dt(v: Any) -> datetime | None:
    return datetime.fromisoformat(v) if v else None


def state_to_json(s: WorkOrderState) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for f in fields(s):
        v = getattr(s, f.name)
        if f.name in _DT:
            out[f.name] = _iso(v)
        elif isinstance(v, StrEnum):
            out[f.name] = str(v)
        elif f.name == "assisting_unit_ids":
            out[f.name] = sorted(v)
        elif f.name == "pauses":
            out[f.name] = [{"start": _iso(p.start), "end": _iso(p.end), "reason": p.reason} for p in v]
        elif f.name == "callback":
            out[f.name] = None if v is None else {
                "at": _iso(v.at), "outcome": str(v.outcome), "problems": [str(p) for p in v.problems],
                "caller_words": v.caller_words, "operator_id": v.operator_id,
            }
        elif f.name == "extension":
            out[f.name] = None if v is None else {
                "requested_at": _iso(v.requested_at), "requested_deadline": _iso(v.requested_deadline),
                "reason": v.reason, "status": str(v.status), "requested_by": v.requested_by, "unit_id": v.unit_id,
                "decided_at": _iso(v.decided_at), "decided_by": v.decided_by,
                "granted_deadline": _iso(v.granted_deadline), "decision_note": v.decision_note,
            }
        elif f.name == "pause_request":
            out[f.name] = None if v is None else {
                "requested_at": _iso(v.requested_at), "reason": v.reason, "status": str(v.status),
                "requested_by": v.requested_by, "unit_id": v.unit_id, "decided_at": _iso(v.decided_at),
                "decided_by": v.decided_by, "decision_note": v.decision_note,
            }
        else:
            out[f.name] = v
    return out


def state_from_json(d: Mapping[str, Any]) -> WorkOrderState:
    kw: dict[str, Any] = {}
    names = {f.name for f in fields(WorkOrderState)}
    for k, v in d.items():
        if k not in names:
            continue
        if k in _DT:
            kw[k] = _dt(v)
        elif k in _ENUMS:
            kw[k] = _ENUMS[k](v) if v is not None else None
        elif k == "assisting_unit_ids":
            kw[k] = frozenset(int(x) for x in v)
        elif k == "pauses":
            kw[k] = tuple(Pause(_dt(p["start"]), _dt(p["end"]), p.get("reason", "")) for p in v)  # type: ignore[arg-type]
        elif k == "callback":
            kw[k] = None if v is None else CallbackRecord(
                _dt(v["at"]), CallbackOutcome(v["outcome"]),  # type: ignore[arg-type]
                tuple(CallbackProblem(p) for p in v.get("problems", ())), v.get("caller_words", ""),
                v.get("operator_id"))
        elif k == "extension":
            kw[k] = None if v is None else ExtensionRequest(
                requested_at=_dt(v["requested_at"]), requested_deadline=_dt(v["requested_deadline"]),  # type: ignore[arg-type]
                reason=v["reason"], status=ExtensionStatus(v["status"]), requested_by=v.get("requested_by"),
                unit_id=v.get("unit_id"), decided_at=_dt(v.get("decided_at")), decided_by=v.get("decided_by"),
                granted_deadline=_dt(v.get("granted_deadline")), decision_note=v.get("decision_note", ""))
        elif k == "pause_request":
            kw[k] = None if v is None else PauseRequest(
                requested_at=_dt(v["requested_at"]), reason=v["reason"],  # type: ignore[arg-type]
                status=ExtensionStatus(v["status"]), requested_by=v.get("requested_by"), unit_id=v.get("unit_id"),
                decided_at=_dt(v.get("decided_at")), decided_by=v.get("decided_by"),
                decision_note=v.get("decision_note", ""))
        else:
            kw[k] = v
    return WorkOrderState(**kw)


def row_state(row: WorkOrder) -> WorkOrderState:
    """The order's domain state; orders stored before the state carried the situation take it
    from the column."""
    state = state_from_json(row.state)
    if state.situation is None and row.situation and "situation" not in row.state:
        state = replace(state, situation=row.situation)
    return state
