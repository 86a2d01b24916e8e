"""Likely duplicates across callers (issue 11 point 5): a second caller's order about the same
matter and place, said in other words, is flagged as a likely duplicate of the first; an order
about another matter on the same road is not. Runs on SQLite and PostgreSQL."""

from __future__ import annotations

from zongji.services.work_orders.duplicates import suggest_duplicates
from zongji.services.work_orders.visibility import Viewer

ORDER = {"order_type": "request", "situation": "general", "category": "city/street_lights", "caller_name": "张三",
         "caller_number": "13800000001", "place": "幸福路88号小区东门",
         "description": "小区东门路灯不亮"}


def test_a_second_callers_order_in_other_words_is_a_likely_duplicate(as_role, units):
    admin, op = as_role("admin"), as_role("operator")
    csv = "code,name_zh,name_en,unit\ncity/street_lights,路灯,Street lights,市城管局\ncity/roads,道路,Roads,市城管局\n"
    assert admin.post("/api/work-order-categories/import", json={"csv": csv}).status_code == 200
    r = op.post("/api/work-orders", json=ORDER)
    assert r.status_code == 201, r.text
    first = r.json()
    other = op.post("/api/work-orders", json={**ORDER, "category": "city/roads", "description": "幸福路88号井盖丢了"})
    assert other.status_code == 201, other.text
    r = op.post("/api/work-orders/duplicates", json={
        "caller_number": "139 0000 0002", "category": "city/street_lights", "place": None,
        "description": "幸福路八十八号东门那边的路灯坏了，晚上黑漆漆的"})
    assert r.status_code == 200, r.text
    items = r.json()["items"]
    assert [i["id"] for i in items] == [first["id"]]
    assert "same_caller" not in items[0]["reasons"]
    assert {"same_place", "same_category", "similar_text"} <= set(items[0]["reasons"])
    # The unit, when chosen, is checked like any field.
    bad = op.post("/api/work-orders/duplicates", json={"description": "x", "unit_id": 0})
    assert bad.status_code in (400, 422) and "unit_id" in bad.text


def test_the_likely_duplicate_is_found_past_a_busy_window(as_role, units, write):
    """The candidates are bounded (``duplicate_candidates_max`` newest), yet the same category's
    older order in the window is still scored: a busy hour does not push it out."""
    admin, op = as_role("admin"), as_role("operator")
    csv = "code,name_zh,name_en,unit\ncity/street_lights,路灯,Street lights,市城管局\n"
    assert admin.post("/api/work-order-categories/import", json={"csv": csv}).status_code == 200
    first = op.post("/api/work-orders", json=ORDER).json()
    for i in range(3):  # newer orders about other things
        r = op.post("/api/work-orders", json={**ORDER, "category": None, "caller_number": f"1370000000{i}",
                                              "place": f"人民路{i + 1}号", "description": "医保报销进度咨询"})
        assert r.status_code == 201, r.text
    viewer = Viewer(0, "op", "op", "operator", None)
    with write() as s:
        found = suggest_duplicates(s, viewer, caller_number="13900000002", place="幸福路八十八号",
                                   category="city/street_lights", description="东门那边路灯坏了，晚上黑漆漆的",
                                   candidates_max=1)
        assert [f["id"] for f in found] == [first["id"]]
        nothing = suggest_duplicates(s, viewer, caller_number="13900000002", place="幸福路八十八号",
                                     category=None, description="东门那边路灯坏了，晚上黑漆漆的", candidates_max=1)
        assert nothing == []  # only the newest order was a candidate, and it is another matter
