"""The responsibility catalogue's API (issue 11, point 2; R-P12): the hotline office edits,
operators and shift leaders read and search, unit handlers see nothing; an import answers its
rejected rows, a bad file is a 4xx naming ``file``."""

from __future__ import annotations

import io

from openpyxl import Workbook, load_workbook

from zongji.services.catalogue.workbook import COLUMNS

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _xlsx(rows: list[list[object]]) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.append(list(COLUMNS))
    for r in rows:
        ws.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def test_the_office_edits_the_console_reads(as_role, units):
    city, housing = units
    office, op, leader = as_role("supervisor"), as_role("operator"), as_role("shift_leader")
    handler = as_role("unit_handler", department_id=city)
    new = {"matter": "流浪犬只收容", "unit_id": city, "assisting_unit_ids": [housing],
           "basis": "《养犬管理条例》第十二条", "examples": ["小区门口有只流浪狗追着孩子跑"],
           "keywords": ["流浪狗", "野狗", "犬只"]}
    assert op.post("/api/catalogue/matters", json=new).status_code == 403
    assert leader.post("/api/catalogue/matters", json=new).status_code == 403
    r = office.post("/api/catalogue/matters", json=new)
    assert r.status_code == 201, r.text
    matter_id = r.json()["id"]
    r = office.post("/api/catalogue/matters", json=new)
    assert r.status_code == 409 and r.json()["field"] == "matter"
    r = office.post("/api/catalogue/matters", json={**new, "matter": "井盖缺失", "unit_id": 999999})
    assert r.status_code == 422 and r.json()["field"] == "unit_id", r.text

    r = op.get("/api/catalogue/search", params={"q": "小区门口野狗", "limit": 3})
    assert r.status_code == 200, r.text
    [item] = r.json()["items"]
    assert item["matter"] == "流浪犬只收容" and item["unit"]["name"] == "市城管局"
    assert item["assisting"] == [{"id": housing, "name": "市住建局"}] and item["score"] > 0
    assert set(item) >= {"id", "matter", "unit", "assisting", "basis", "examples", "category", "score"}
    assert handler.get("/api/catalogue/search", params={"q": "野狗"}).status_code == 403
    assert op.get("/api/catalogue/search", params={"q": "   "}).json() == {"items": []}

    assert op.put(f"/api/catalogue/matters/{matter_id}", json={"basis": "x"}).status_code == 403
    r = office.put(f"/api/catalogue/matters/{matter_id}", json={"unit_id": housing, "basis": "改"})
    assert r.status_code == 200 and r.json()["unit"]["id"] == housing and r.json()["assisting"] == []
    assert op.get(f"/api/catalogue/matters/{matter_id}").json()["basis"] == "改"
    other = office.post("/api/catalogue/matters", json={"matter": "井盖缺失", "unit_id": city}).json()
    r = office.put(f"/api/catalogue/matters/{other['id']}", json={"matter": "流浪犬只收容", "category": "no/such"})
    assert r.status_code == 422 and r.json()["field"] == "category"
    r = office.put(f"/api/catalogue/matters/{other['id']}", json={"matter": "流浪犬只收容"})
    assert r.status_code == 409 and r.json()["field"] == "matter"
    assert op.delete(f"/api/catalogue/matters/{matter_id}").status_code == 403
    assert office.delete(f"/api/catalogue/matters/{matter_id}").json()["active"] is False
    assert op.get("/api/catalogue/search", params={"q": "野狗"}).json() == {"items": []}
    r = op.get("/api/catalogue/search", params={"q": "野狗", "include_inactive": "true"})
    assert [(m["matter"], m["active"]) for m in r.json()["items"]] == [("流浪犬只收容", False)]
    assert [(m["matter"], m["active"]) for m in op.get("/api/catalogue/matters").json()["items"]] == [
        ("井盖缺失", True), ("流浪犬只收容", False)]
    assert op.get("/api/catalogue/matters/999999").status_code == 404


def test_import_reports_rejected_rows_and_export_reads_back(as_role, units):
    office, op = as_role("admin"), as_role("operator")
    data = _xlsx([["路灯不亮维修", "市城管局", "", "办法第八条", "路灯不亮\n灯杆歪了", "路灯、照明", ""],
                  ["井盖缺失", "不存在局", "", "", "", "", ""]])
    files = {"file": ("catalogue.xlsx", data, XLSX)}
    assert op.post("/api/catalogue/import", files=files).status_code == 403
    r = office.post("/api/catalogue/import", files=files)
    assert r.status_code == 200, r.text
    assert r.json()["added"] == 1
    assert [(x["row"], x["field"], x["code"]) for x in r.json()["rejected"]] == [(3, "主办单位", "unknown_unit")]
    for bad in (b"PK not really", b"\x00" * 10):
        r = office.post("/api/catalogue/import", files={"file": ("x.xlsx", bad, XLSX)})
        assert r.status_code == 422 and r.json()["field"] == "file", r.text
    r = office.post("/api/catalogue/import", files={"file": ("x.xlsx", b"x" * (2 * 1024 * 1024 + 1), XLSX)})
    assert 400 <= r.status_code < 500 and r.status_code != 403

    r = op.get("/api/catalogue/export.xlsx")
    assert r.status_code == 200 and r.headers["content-type"] == XLSX
    rows = list(load_workbook(io.BytesIO(r.content)).active.iter_rows(values_only=True))
    assert rows == [COLUMNS, ("路灯不亮维修", "市城管局", None, "办法第八条", "路灯不亮\n灯杆歪了", "路灯、照明", None)]
