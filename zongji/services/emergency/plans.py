"""Emergency plans per kind, editable by a supervisor or admin (issue 14 point 1)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from zongji.domain import emergency as em
from zongji.services import actors, audit
from zongji.store.emergency_models import EmergencyPlan
from zongji.store.models import User


def list_plans(session: Session) -> list[dict[str, Any]]:
    rows = session.scalars(select(EmergencyPlan).order_by(EmergencyPlan.kind))
    return [{**r.body, "updated_at": r.updated_at.isoformat()} for r in rows]


def plan_for(session: Session, kind: str) -> em.Plan | None:
    row = session.scalar(select(EmergencyPlan).where(EmergencyPlan.kind == kind))
    return em.parse_plan(row.body) if row is not None else None


def save_plan(session: Session, user: User | None, data: Any, *, now: dt.datetime,
              kind: str | None = None) -> dict[str, Any]:
    """Create or replace the plan of its kind; 403 unless supervisor or admin (None: the demo
    loader), 422 naming the field."""
    if user is not None:
        em.check_incident("edit_plan", None, user.role)
    if kind is not None and isinstance(data, dict):
        data = {**data, "kind": kind}
    plan = em.parse_plan(data)
    body = plan.to_dict()
    row = session.scalar(select(EmergencyPlan).where(EmergencyPlan.kind == plan.kind.value))
    if row is None:
        row = EmergencyPlan(kind=plan.kind.value, body=body, updated_at=now)
        session.add(row)
    else:
        row.body, row.updated_at = body, now
    row.updated_by_id = user.id if user is not None else None
    audit.record(session, actor=actors.actor(user), action="emergency.plan_saved", entity="emergency_plan",
                 entity_id=plan.kind.value, user_id=user.id if user else None,
                 detail={"recipients": len(plan.recipients)})
    session.flush()
    return {**body, "updated_at": now.isoformat()}
