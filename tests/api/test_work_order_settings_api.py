"""Work-order settings API added for the settings page: unit contacts list, calendar import from
XLSX, roles, errors naming the field; the settings page and the extensions tab are served."""

from __future__ import annotations

import base64
import io

from openpyxl import Workbook


def _xlsx(rows) -> str:
    wb = Workbook()
    ws = wb.active
    for r in rows:
        ws.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    return base64.b64encode(buf.getvalue()).decode()


def test_calendar_import_from_xlsx_marks_the_year_known(client, login):
    login("supervisor")
    assert client.get("/api/calendar/2099").json()["known"] is False
    data = _xlsx([["日期", "班/休", "名称"], ["2099-01-01", "休", "元旦"], ["2099-01-04", "班", "元旦调休"]])
    r = client.post("/api/calendar/import", json={"year": 2099, "xlsx_base64": data})
    assert r.status_code == 200, r.text
    assert r.json()["days"] == 2
    year = client.get("/api/calendar/2099").json()
    assert year["known"] is True
    days = {d["day"]: d for d in year["days"]}
    assert days["2099-01-01"]["is_working"] is False and days["2099-01-01"]["name"] == "元旦"
    assert days["2099-01-04"]["is_working"] is True and days["2099-01-04"]["source"] == "entry"


def test_calendar_import_errors_name_the_field(client, login):
    login("admin")
    r = client.post("/api/calendar/import", json={"year": 2099, "xlsx_base64": base64.b64encode(b"not a zip").decode()})
    assert r.status_code == 422 and r.json()["field"] == "xlsx_base64"
    r = client.post("/api/calendar/import", json={"year": 2099, "xlsx_base64": _xlsx([["2099-02-30", "休", "x"]])})
    assert r.status_code == 422 and r.json()["field"] == "xlsx_base64" and "2099-02-30" in r.json()["message"]
    r = client.post("/api/calendar/import", json={"year": 2099})
    assert r.status_code == 422 and r.json()["field"] == "csv"
    r = client.post("/api/calendar/import", json={"year": 2099, "csv": "2098-12-31,休,x"})
    assert r.status_code == 422 and r.json()["field"] == "csv"


def test_unit_contacts_list_and_roles(client, login, write):
    from tests.api.test_live_addressees import _unit

    unit = _unit(write, "市政管理处")
    login("operator")
    assert client.get("/api/units/contacts").status_code == 403
    assert client.put(f"/api/units/{unit}/contact", json={"email": "a@b.cn"}).status_code == 403
    assert client.put("/api/calendar/days/2099-05-06", json={"is_working": False}).status_code == 403
    assert client.get("/settings/work-orders").status_code == 200  # the "no access" page, not the settings
    assert 'id="settings"' not in client.get("/settings/work-orders").text
    login("supervisor")
    r = client.put(f"/api/units/{unit}/contact", json={"email": "szgl@city.cn", "sms_mobile": "13900001111"})
    assert r.status_code == 200, r.text
    units = {u["id"]: u for u in client.get("/api/units/contacts").json()["units"]}
    assert units[unit]["email"] == "szgl@city.cn" and units[unit]["sms_mobile"] == "13900001111"
    r = client.put(f"/api/units/{unit}/contact", json={"email": "no-at-sign", "sms_mobile": "139"})
    assert r.status_code == 422
    assert {f["field"] for f in r.json()["fields"]} == {"email", "sms_mobile"}
    page = client.get("/settings/work-orders")
    assert page.status_code == 200 and 'id="settings"' in page.text and "工作日历" in page.text


def test_bell_is_on_every_page_and_extensions_tab(client, login):
    login("operator")
    page = client.get("/work-orders?view=extensions").text
    assert 'id="notif-bell"' in page and 'data-view="extensions"' in page and "延期待批" in page
    assert 'id="notif-bell"' in client.get("/calls").text
    assert client.get("/api/work-orders?view=extensions").status_code == 200
