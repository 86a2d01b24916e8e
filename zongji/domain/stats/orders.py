"""How a work order counts in the order figures (issue 10, point 1). Pure.

An order counts twice, on two days:

- on the local day it was **created**: created, closed directly, dispatched (within the set
  minutes of its creation, R-P3: within the hour), reminded, returned, reopened, callback due
  (it was replied to) and done, and its last survey (satisfied, basically satisfied, surveyed);
- on the local day of its **completion deadline**: due, completed (replied to) and completed by
  the deadline.

So "on-time completion" of a month is judged on the orders due that month, whenever they were
created, and "first-call resolution" on the orders created that month.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from zongji.domain.stats.kpi import OrderCounts

SURVEYED = ("satisfied", "basically_satisfied", "dissatisfied")


@dataclass(frozen=True)
class OrderFacts:
    """What the statistics need of one order, read from the order and its history."""

    created_at: dt.datetime
    completion_deadline: dt.datetime | None = None
    first_dispatch_at: dt.datetime | None = None
    closed_directly: bool = False
    reminded: bool = False
    returned: bool = False
    reopened: bool = False
    first_reply_at: dt.datetime | None = None  # the unit's reply (办结)
    callbacks_done: bool = False
    last_outcome: str | None = None  # of the last callback survey


def created_counts(o: OrderFacts, dispatch_within: dt.timedelta) -> OrderCounts:
    """What the order adds to the day it was created."""
    dispatched = o.first_dispatch_at is not None
    replied = o.first_reply_at is not None
    return OrderCounts(
        created=1, closed_directly=int(o.closed_directly), dispatched=int(dispatched),
        dispatched_within_hour=int(dispatched and o.first_dispatch_at - o.created_at <= dispatch_within),
        reminded=int(dispatched and o.reminded), returned=int(dispatched and o.returned),
        reopened=int(replied and o.reopened), callbacks_due=int(replied), callbacks_done=int(o.callbacks_done),
        surveyed=int(o.callbacks_done and o.last_outcome in SURVEYED),
        satisfied=int(o.callbacks_done and o.last_outcome == "satisfied"),
        basically_satisfied=int(o.callbacks_done and o.last_outcome == "basically_satisfied"),
    )


def due_counts(o: OrderFacts) -> OrderCounts:
    """What the order adds to the day of its completion deadline (nothing without one)."""
    if o.completion_deadline is None:
        return OrderCounts()
    replied = o.first_reply_at is not None
    return OrderCounts(due=1, completed=int(replied),
                       completed_on_time=int(replied and o.first_reply_at <= o.completion_deadline))


def add(a: OrderCounts, b: OrderCounts) -> OrderCounts:
    return OrderCounts(**{f: getattr(a, f) + getattr(b, f) for f in OrderCounts.__dataclass_fields__})


def count_orders(orders: list[OrderFacts], start: dt.datetime, end: dt.datetime,
                 dispatch_within: dt.timedelta) -> OrderCounts:
    """The counts of ``[start, end)``: each order on its creation day and on its deadline's day."""
    total = OrderCounts()
    for o in orders:
        if start <= o.created_at < end:
            total = add(total, created_counts(o, dispatch_within))
        if o.completion_deadline is not None and start <= o.completion_deadline < end:
            total = add(total, due_counts(o))
    return total
