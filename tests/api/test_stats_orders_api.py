"""Work-order reports (issue 10, point 3): the order figures by unit — the units' ranking —,
and a unit sees only its own orders' figures."""

from __future__ import annotations

import pytest

from tests.api.test_work_orders_api import _create
from zongji.store.models import utcnow


def _act(c, order_id: int, **body) -> dict:
    r = c.post(f"/api/work-orders/{order_id}/actions", json=body)
    assert r.status_code == 200, r.text
    return r.json()


def test_the_units_ranking_counts_dispatch_callbacks_and_satisfaction(as_role, units, settings):  # noqa: F811
    city, housing = units
    op, leader = as_role("operator"), as_role("shift_leader")
    unit_city = as_role("unit_handler", department_id=city)
    unit_housing = as_role("unit_handler", department_id=housing)
    for unit_id, handler, outcome in ((city, unit_city, "satisfied"), (housing, unit_housing, "dissatisfied")):
        o = _create(op)
        _act(leader, o["id"], action="dispatch", unit_id=unit_id)
        _act(handler, o["id"], action="accept")
        _act(handler, o["id"], action="reply", text="已处理")
        _act(op, o["id"], action="record_callback", outcome=outcome, caller_words="好的")
    _create(op)  # not dispatched yet
    day = utcnow().astimezone(settings.tz).date().isoformat()

    sup = as_role("supervisor")
    r = sup.get("/api/stats/orders", params={"date_from": day, "date_to": day, "group": "unit"})
    assert r.status_code == 200, r.text
    rep = r.json()
    total = rep["total"]
    assert (total["created"], total["dispatched"]) == (3, 2)
    assert total["dispatched_on_time"] == 1.0 and total["callback_rate"] == 1.0
    assert total["satisfaction_rate"] == pytest.approx(0.5)
    assert total["completion_rate"] is None  # no deadline falls today: 5 working days
    ranking = [(row["label"], row["figures"]["satisfaction_rate"]) for row in rep["rows"]]
    assert ranking == [("市城管局", 1.0), ("市住建局", 0.0), ("未派单", None)]
    assert {f["key"] for f in rep["figures"]} >= {"on_time_completion_rate", "satisfaction_rate"}

    # A unit handler sees the figures of its own unit's orders only.
    mine = unit_city.get("/api/stats/orders", params={"date_from": day, "date_to": day, "group": "unit"}).json()
    assert mine["own_unit_only"] is True
    assert [(row["label"], row["figures"]["created"]) for row in mine["rows"]] == [("市城管局", 1)]
    r = unit_city.get("/api/stats/orders", params={"date_from": day, "date_to": day, "group": "weekday"})
    assert r.status_code == 422 and r.json()["field"] == "group"
    assert unit_city.get("/api/stats/calls", params={"date_from": day, "date_to": day}).status_code == 403


def test_the_order_report_workbook_holds_the_same_ranking(as_role, units, settings):  # noqa: F811
    import io

    from openpyxl import load_workbook

    city, _ = units
    op, leader = as_role("operator"), as_role("shift_leader")
    o = _create(op)
    _act(leader, o["id"], action="dispatch", unit_id=city)
    day = utcnow().astimezone(settings.tz).date().isoformat()
    sup = as_role("supervisor")
    x = sup.get("/api/stats/orders.xlsx", params={"date_from": day, "date_to": day, "group": "unit"})
    assert x.status_code == 200
    ws = load_workbook(io.BytesIO(x.content)).worksheets[0]
    assert ws.title == "工单统计" and ws.cell(2, 1).value == "承办单位"
    head = [c.value for c in ws[2]]
    assert ws.cell(3, 1).value == "市城管局" and ws.cell(3, head.index("新建工单") + 1).value == 1
    assert ws.cell(ws.max_row, 1).value == "合计"
