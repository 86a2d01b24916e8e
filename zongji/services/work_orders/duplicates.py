"""Duplicate suggestions for the order form (R-P8; issue 11 point 5): recent orders scored
against the new one, also from other callers saying it in other words.

Candidates are bounded whatever the table's size: only orders created within the window
(``created_at`` index), at most ``duplicate_candidates_max`` of the newest, plus at most as
many of the same caller's (``caller_number`` index) and of the same category's
(``category`` index) in the window, so a busy week does not push the likely one out.
"""

from __future__ import annotations

import datetime as dt
from datetime import datetime
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from zongji.domain.chinese_text import Analyzer
from zongji.domain.work_orders.duplicates import DuplicateWeights, OrderDigest, find_likely_duplicates
from zongji.domain.work_orders.phone_digits import phone_digits
from zongji.errors import Forbidden
from zongji.services.work_orders.visibility import Viewer
from zongji.store.models import utcnow
from zongji.store.work_order_models import WorkOrder


def weights_from_settings(settings: Any) -> DuplicateWeights:
    """The duplicate weights and limits from ``zongji.settings.Settings``."""
    return DuplicateWeights(
        same_caller=settings.duplicate_weight_caller, same_place=settings.duplicate_weight_place,
        same_category=settings.duplicate_weight_category, text=settings.duplicate_weight_text,
        time=settings.duplicate_weight_time, threshold=settings.duplicate_threshold,
        window=dt.timedelta(days=settings.duplicate_window_days),
        time_full=dt.timedelta(hours=settings.duplicate_time_full_hours))


_COLUMNS = (WorkOrder.id, WorkOrder.number, WorkOrder.created_at, WorkOrder.caller_number, WorkOrder.place,
            WorkOrder.latitude, WorkOrder.longitude, WorkOrder.category, WorkOrder.description, WorkOrder.status,
            WorkOrder.caller_name, WorkOrder.order_type, WorkOrder.main_unit_id)


def _candidates(session: Session, since: datetime, caller_number: str | None, category: str | None,
                max_rows: int) -> list[Any]:
    base = select(*_COLUMNS).where(WorkOrder.created_at >= since).order_by(WorkOrder.created_at.desc()).limit(max_rows)
    queries = [base]
    if caller_number:
        forms = {caller_number.strip(), phone_digits(caller_number)} - {"", None}
        if forms:
            queries.append(base.where(WorkOrder.caller_number.in_(sorted(forms))))
    if category:
        top = category.split("/")[0]
        queries.append(base.where(or_(WorkOrder.category == top, WorkOrder.category.like(top + "/%"))))
    rows: dict[int, Any] = {}
    for q in queries:
        for r in session.execute(q):
            rows.setdefault(r.id, r)
    return list(rows.values())


def suggest_duplicates(session: Session, viewer: Viewer, *, caller_number: str | None, place: str | None,
                       category: str | None, description: str, latitude: float | None = None,
                       longitude: float | None = None, exclude_id: int | None = None, window_days: int = 7,
                       limit: int = 5, now: datetime | None = None, unit_id: int | None = None,
                       weights: DuplicateWeights | None = None, analyzer: Analyzer | None = None,
                       candidates_max: int = 2000) -> list[dict[str, Any]]:
    now = now or utcnow()
    if viewer.is_unit:
        raise Forbidden("duplicate suggestions are for the console")
    weights = weights or DuplicateWeights(window=dt.timedelta(days=window_days))
    new = OrderDigest("new", now, caller_number, place, latitude, longitude, category, description or "", unit_id)
    rows = _candidates(session, now - weights.window, caller_number, category, candidates_max)
    digests = [OrderDigest(r.id, r.created_at, r.caller_number, r.place, r.latitude, r.longitude, r.category,
                           r.description or "", r.main_unit_id) for r in rows if r.id != exclude_id]
    by_id = {r.id: r for r in rows}
    out = []
    for s in find_likely_duplicates(new, digests, weights, limit=limit, analyzer=analyzer):
        r = by_id[s.ref]
        out.append({"id": r.id, "number": r.number, "created_at": r.created_at.isoformat(), "status": r.status,
                    "order_type": r.order_type, "caller_name": r.caller_name, "place": r.place,
                    "description": (r.description or "")[:140], "score": s.score, "reasons": list(s.reasons)})
    return out
