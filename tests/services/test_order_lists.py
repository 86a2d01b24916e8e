"""The unit's portal and the list of one unit's orders (issue 18, point 1), on both databases:
read through the unit's links and the open orders' index, they page through exactly the unit's
orders — open ones first by deadline, then finished ones newest first — whatever its history."""

from __future__ import annotations

import datetime as dt
import random

from sqlalchemy import select

from zongji.domain.work_orders.state import WorkOrderState
from zongji.domain.work_orders.words import FINAL_STATUSES, OrderType, Status
from zongji.services.work_orders import listing
from zongji.services.work_orders.stored_state import state_to_json
from zongji.services.work_orders.visibility import Viewer
from zongji.store.models import Department, Organisation
from zongji.store.work_order_models import WorkOrder, WorkOrderUnit

T0 = dt.datetime(2026, 3, 2, 1, tzinfo=dt.UTC)
STATUSES = ["closed", "closed", "closed", "closed_directly", "dispatched", "accepted", "in_progress", "replied",
            "created"]


def _seed(write) -> tuple[int, int]:
    rnd = random.Random(5)
    with write() as s:
        org = Organisation(code="c", name="示例市", kind="city_hotline")
        s.add(org)
        s.flush()
        mine, other = Department(organisation_id=org.id, name="市城管局"), Department(organisation_id=org.id, name="市水务集团")
        s.add_all([mine, other])
        s.flush()
        for i in range(90):
            status = rnd.choice(STATUSES)
            at = T0 + dt.timedelta(hours=i)
            o = WorkOrder(number=f"20260302-{i:04d}", order_type="request", status=status, created_at=at,
                          state=state_to_json(WorkOrderState(order_type=OrderType.REQUEST, created_at=at,
                                                             status=Status(status))),
                          description="井盖丢失" if i % 3 else "路灯不亮",
                          completion_deadline=None if i % 17 == 0 else at + dt.timedelta(hours=rnd.randint(-200, 200)))
            s.add(o)
            s.flush()
            units = {mine.id} if i % 4 == 0 else {other.id} if i % 4 == 1 else {mine.id, other.id}
            s.add_all([WorkOrderUnit(order_id=o.id, unit_id=u, role="main", order_open=Status(status) not in FINAL_STATUSES)
                       for u in units])
        return mine.id, other.id


def _all_pages(fetch, size: int) -> tuple[list[int], dict]:
    seen, page = [], 1
    while True:
        out = fetch(page, size)
        seen += [o["id"] for o in out["items"]]
        if len(out["items"]) < size:
            return seen, out
        page += 1


def _expected(s, unit: int, extra=None, *, nulls_first: bool = False) -> list[int]:
    q = select(WorkOrder).join(WorkOrderUnit, WorkOrderUnit.order_id == WorkOrder.id).where(WorkOrderUnit.unit_id == unit)
    if extra is not None:
        q = q.where(extra)
    orders = list(s.scalars(q))
    final = {str(x) for x in FINAL_STATUSES}
    # An open order without a deadline: SQLite sorts it first, PostgreSQL last.
    missing = dt.datetime.min if nulls_first else dt.datetime.max
    still = sorted((o for o in orders if o.status not in final),
                   key=lambda o: ((o.completion_deadline or missing.replace(tzinfo=dt.UTC)).astimezone(dt.UTC), o.id))
    done = sorted((o for o in orders if o.status in final), key=lambda o: -o.id)
    return [o.id for o in still] + [o.id for o in done]


def test_the_unit_portal_lists_open_orders_by_deadline_then_finished_ones_newest_first(write, session_factory, backend):
    mine, _other = _seed(write)
    handler = Viewer(0, "unit", "市城管局", "unit_handler", mine)
    with session_factory() as s:
        expected = _expected(s, mine, nulls_first=backend == "sqlite")
        assert len(expected) > 40
        for size in (7, 50):
            seen, last = _all_pages(lambda p, n: listing.list_orders(s, handler, tz=dt.UTC, view="unit", page=p,
                                                                    page_size=n), size)
            assert seen == expected
            assert last["total"] == len(expected) and last["total_exact"]
        # With the search box: the same order over what the words find.
        seen, last = _all_pages(lambda p, n: listing.list_orders(s, handler, tz=dt.UTC, view="unit", q="路灯",
                                                                page=p, page_size=n), 4)
        assert set(seen) == set(_expected(s, mine, WorkOrder.description.like("%路灯%")))
        assert len(seen) == len(set(seen)) == last["total"]


def test_one_units_orders_newest_first_for_the_supervisor(write, session_factory):
    mine, other = _seed(write)
    boss = Viewer(0, "boss", "主任", "supervisor", None)
    with session_factory() as s:
        for unit in (mine, other):
            want = sorted(s.scalars(select(WorkOrderUnit.order_id).where(WorkOrderUnit.unit_id == unit)), reverse=True)
            seen, last = _all_pages(lambda p, n: listing.list_orders(s, boss, tz=dt.UTC, unit_id=unit, page=p,
                                                                    page_size=n), 9)
            assert seen == want and last["total"] == len(want)
            done, _ = _all_pages(lambda p, n: listing.list_orders(s, boss, tz=dt.UTC, unit_id=unit, status="closed",
                                                                 page=p, page_size=n), 9)
            assert done == [i for i in want if s.get(WorkOrder, i).status == "closed"]
