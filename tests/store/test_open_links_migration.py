"""Migration 0040 (issue 18): the links of the orders open at the upgrade are marked open, those
of closed orders not, on both databases; the unit's portal then lists them as before."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import insert, select, text
from sqlalchemy.orm import Session

from tests.store.test_migrations import fresh_db_url  # noqa: F401 — the fixture
from zongji.domain.work_orders.state import WorkOrderState
from zongji.domain.work_orders.words import OrderType, Status
from zongji.services.work_orders import listing
from zongji.services.work_orders.stored_state import state_to_json
from zongji.services.work_orders.visibility import Viewer
from zongji.store.db import make_engine
from zongji.store.migrate import upgrade
from zongji.store.models import Department, Organisation
from zongji.store.work_order_models import WorkOrder, WorkOrderUnit

AT = dt.datetime(2026, 11, 2, 9, 0, tzinfo=dt.UTC)
WRITTEN = {"W1": "closed", "W2": "dispatched", "W3": "closed_directly", "W4": "in_progress", "W5": "replied"}


def test_links_of_open_orders_are_marked_open(fresh_db_url):  # noqa: F811
    upgrade(fresh_db_url, "0039")
    engine = make_engine(fresh_db_url)
    with Session(engine) as s:
        org = s.execute(insert(Organisation.__table__).values(code="c", name="示例市", kind="city_hotline")
                        .returning(Organisation.__table__.c.id)).scalar_one()
        units = [s.execute(insert(Department.__table__).values(organisation_id=org, name=name)
                           .returning(Department.__table__.c.id)).scalar_one() for name in ("市城管局", "市住建局")]
        for k, (number, status) in enumerate(WRITTEN.items()):
            oid = s.execute(insert(WorkOrder.__table__).values(
                number=number, order_type="request", status=status, created_at=AT + dt.timedelta(hours=k),
                state=state_to_json(WorkOrderState(order_type=OrderType.REQUEST, created_at=AT, status=Status(status))),
                completion_deadline=AT + dt.timedelta(days=5 - k)).returning(WorkOrder.__table__.c.id)).scalar_one()
            # Without the new column: the table as revision 0039 left it.
            for unit in units[:1 + k % 2]:
                s.execute(text("INSERT INTO work_order_units (order_id, unit_id, role) VALUES (:o, :u, 'main')"),
                          {"o": oid, "u": unit})
        s.commit()
    engine.dispose()
    upgrade(fresh_db_url)
    engine = make_engine(fresh_db_url)
    try:
        with Session(engine) as s:
            marks = {(n, u == units[0]): m for n, u, m in s.execute(
                select(WorkOrder.number, WorkOrderUnit.unit_id, WorkOrderUnit.order_open)
                .join(WorkOrderUnit, WorkOrderUnit.order_id == WorkOrder.id))}
            portal = listing.list_orders(s, Viewer(0, "unit", "市城管局", "unit_handler", units[0]), tz=dt.UTC,
                                         view="unit")
    finally:
        engine.dispose()
    assert marks == {("W1", True): False, ("W2", True): True, ("W2", False): True, ("W3", True): False,
                     ("W4", True): True, ("W4", False): True, ("W5", True): True}
    # Open ones by deadline (the later order, the nearer deadline), then the closed ones newest first.
    assert [o["number"] for o in portal["items"]] == ["W5", "W4", "W2", "W3", "W1"]
