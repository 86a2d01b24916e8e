"""Duplicate suggestions for the order form (R-P8): recent orders scored against the new one."""

from __future__ import annotations

import datetime as dt
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from zongji.domain.work_orders.duplicates import DuplicateWeights, OrderDigest, find_likely_duplicates
from zongji.errors import Forbidden
from zongji.services.work_orders.visibility import Viewer
from zongji.store.models import utcnow
from zongji.store.work_order_models import WorkOrder


def suggest_duplicates(session: Session, viewer: Viewer, *, caller_number: str | None, place: str | None,
                       category: str | None, description: str, latitude: float | None = None,
                       longitude: float | None = None, exclude_id: int | None = None, window_days: int = 7,
                       limit: int = 5, now: datetime | None = None) -> list[dict[str, Any]]:
    now = now or utcnow()
    if viewer.is_unit:
        raise Forbidden("duplicate suggestions are for the console")
    weights = DuplicateWeights(window=dt.timedelta(days=window_days))
    new = OrderDigest("new", now, caller_number, place, latitude, longitude, category, description or "")
    since = now - weights.window
    rows = session.execute(select(
        WorkOrder.id, WorkOrder.number, WorkOrder.created_at, WorkOrder.caller_number, WorkOrder.place,
        WorkOrder.latitude, WorkOrder.longitude, WorkOrder.category, WorkOrder.description, WorkOrder.status,
        WorkOrder.caller_name, WorkOrder.order_type,
    ).where(WorkOrder.created_at >= since).order_by(WorkOrder.created_at.desc()).limit(2000)).all()
    digests = [OrderDigest(r.id, r.created_at, r.caller_number, r.place, r.latitude, r.longitude, r.category,
                           r.description or "") for r in rows if r.id != exclude_id]
    by_id = {r.id: r for r in rows}
    out = []
    for s in find_likely_duplicates(new, digests, weights, limit=limit):
        r = by_id[s.ref]
        out.append({"id": r.id, "number": r.number, "created_at": r.created_at.isoformat(), "status": r.status,
                    "order_type": r.order_type, "caller_name": r.caller_name, "place": r.place,
                    "description": (r.description or "")[:140], "score": s.score, "reasons": list(s.reasons)})
    return out
