"""Whether dispatchers take the suggestion (issue 11, point 5): a figure for the statistics.

When a suggestion is shown for an order that is not yet with a unit, it is kept (one row per
order, the latest shown). Once the order has been dispatched, its first dispatch says what was
chosen: rank 1–3 when it was a suggested unit, none when another (an override). Settling reads
the orders' timelines, so it needs no hook in the work orders' commands; it runs before every
report and every night, over the rows not yet settled only.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from zongji.store.catalogue_models import DispatchSuggestion
from zongji.store.work_order_models import WorkOrder, WorkOrderEvent

SETTLE_BATCH = 1000


def shown(session: Session, order: WorkOrder, unit_ids: list[int], revision: int, now: dt.datetime) -> None:
    """Keep the suggestion shown for ``order`` if it is still to be dispatched."""
    if order.main_unit_id is not None:
        return
    row = session.scalar(select(DispatchSuggestion).where(DispatchSuggestion.order_id == order.id))
    if row is None:
        row = DispatchSuggestion(order_id=order.id)
        session.add(row)
    if row.chosen_unit_id is None:
        row.at, row.suggested_unit_ids, row.model_revision = now, list(unit_ids), revision


def settle(session: Session, now: dt.datetime) -> int:
    """Fill in what was chosen for the suggestions whose order has been dispatched since."""
    done = 0
    pending = session.scalars(select(DispatchSuggestion).where(DispatchSuggestion.chosen_unit_id.is_(None))
                              .order_by(DispatchSuggestion.id).limit(SETTLE_BATCH)).all()
    if not pending:
        return 0
    first: dict[int, tuple[dt.datetime, int]] = {}
    for order_id, at, data in session.execute(
            select(WorkOrderEvent.order_id, WorkOrderEvent.at, WorkOrderEvent.data)
            .where(WorkOrderEvent.order_id.in_([p.order_id for p in pending]), WorkOrderEvent.action == "dispatch")
            .order_by(WorkOrderEvent.at, WorkOrderEvent.id)):
        unit = (data or {}).get("unit_id")
        if unit is not None and order_id not in first:
            first[order_id] = (at, int(unit))
    for row in pending:
        hit = first.get(row.order_id)
        if hit is None:
            continue
        row.chosen_at, row.chosen_unit_id = hit
        ids = list(row.suggested_unit_ids or [])
        row.rank = ids.index(row.chosen_unit_id) + 1 if row.chosen_unit_id in ids else None
        done += 1
    return done


def rate(session: Session, since: dt.datetime, until: dt.datetime, now: dt.datetime) -> dict[str, Any]:
    """Of the orders dispatched in [since, until) with a suggestion shown: how many went to the
    first, second or third suggested unit, and how many elsewhere."""
    while settle(session, now) == SETTLE_BATCH:
        pass
    ranks = [r for (r,) in session.execute(select(DispatchSuggestion.rank).where(
        DispatchSuggestion.chosen_at >= since, DispatchSuggestion.chosen_at < until))]
    n = len(ranks)
    top1 = sum(1 for r in ranks if r == 1)
    top3 = sum(1 for r in ranks if r is not None)
    return {"dispatched": n, "first": top1, "second": sum(1 for r in ranks if r == 2),
            "third": sum(1 for r in ranks if r == 3), "overridden": n - top3,
            "top1_rate": round(top1 / n, 4) if n else None, "top3_rate": round(top3 / n, 4) if n else None}
