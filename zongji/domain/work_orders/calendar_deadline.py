"""A completion deadline computed again because the business calendar changed (issue 8)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime

from zongji.domain.work_orders.errors import IllegalTransition, require_aware
from zongji.domain.work_orders.state import SYSTEM_ACTOR, TimelineEntry, WorkOrderState, timeline_entry
from zongji.domain.work_orders.words import FINAL_STATUSES

def move_deadline_for_calendar(
    state: WorkOrderState, deadline: datetime, at: datetime, *, reason: str, years: Sequence[int] = (),
    provisional: bool = False,
) -> tuple[WorkOrderState, TimelineEntry]:
    """The business calendar changed (a year's notice imported, withdrawn or a day edited): the
    completion deadline the system computed at dispatch is computed again (issue 8). Only the
    system does this, and only on an open order whose deadline was the calendar's own (a deadline
    set by hand or granted by an extension stays as decided)."""
    require_aware(at, "at")
    require_aware(deadline, "deadline")
    if state.status in FINAL_STATUSES:
        raise IllegalTransition("A closed order keeps its deadline", code="order_closed")
    if state.completion_deadline is None:
        raise IllegalTransition("The order has no completion deadline", code="no_deadline")
    old = state.completion_deadline
    new = replace(state, completion_deadline=deadline)
    return new, timeline_entry(state, new, "deadline_recomputed", SYSTEM_ACTOR, at, {
        "old_deadline": old.isoformat(), "deadline": deadline.isoformat(), "reason": reason,
        "years": list(years), "provisional": provisional})
