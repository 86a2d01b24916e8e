"""The roster (排班, issue 10 point 5): shifts added or imported from XLSX (rejected rows named),
and the staffing forecast beside the operators scheduled in each half-hour of next week."""

from __future__ import annotations

import contextlib
import datetime as dt
import io

from openpyxl import Workbook
from sqlalchemy import select

from tests.api.test_stats_operators_api import _client
from zongji.store.models import User, utcnow


def _next_monday(tz) -> dt.date:
    today = utcnow().astimezone(tz).date()
    return today - dt.timedelta(days=today.weekday()) + dt.timedelta(weeks=1)


def test_shifts_from_a_workbook_show_beside_the_forecast(app, write, make_user, settings, request):
    stack = contextlib.ExitStack()
    request.addfinalizer(stack.close)
    make_user("operator", username="wang", operator_number="1001")
    make_user("operator", username="li", operator_number="1002")
    leader = _client(stack, app, make_user, "shift_leader", username="zhao")
    monday = _next_monday(settings.tz)

    assert leader.get("/api/stats/forecast").json()["roster"] is False
    wb = Workbook()
    ws = wb.active
    ws.append(["工号", "日期", "开始", "结束"])
    ws.append(["1001", monday.isoformat(), "08:00", "16:00"])
    ws.append(["1002", monday, dt.time(12, 0), dt.time(20, 0)])
    ws.append(["1002", (monday + dt.timedelta(days=1)).isoformat(), "22:00", "06:00"])  # a night shift
    ws.append(["9999", monday.isoformat(), "08:00", "16:00"])  # nobody
    ws.append(["1001", "下周一", "08:00", "16:00"])
    buf = io.BytesIO()
    wb.save(buf)
    r = leader.post("/api/roster/import", files={"file": ("roster.xlsx", buf.getvalue(), "application/octet-stream")})
    assert r.status_code == 200, r.text
    out = r.json()
    assert out["added"] == 3
    assert [(x["row"], x["field"]) for x in out["rejected"]] == [(5, "工号"), (6, "日期")]

    listed = leader.get("/api/roster", params={"date_from": monday.isoformat(),
                                               "date_to": (monday + dt.timedelta(days=2)).isoformat()}).json()
    night = [s for s in listed["shifts"] if s["starts_at"].endswith("22:00:00+08:00")]
    assert len(listed["shifts"]) == 3 and night[0]["ends_at"].startswith((monday + dt.timedelta(days=2)).isoformat())

    f = leader.get("/api/stats/forecast").json()
    assert f["roster"] is True
    mon = {s["start"]: s["scheduled"] for s in f["days"][0]["slots"]}
    assert (mon["07:30"], mon["08:00"], mon["12:30"], mon["16:00"], mon["19:30"], mon["20:00"]) == (0, 1, 2, 1, 1, 0)
    tue = {s["start"]: s["scheduled"] for s in f["days"][1]["slots"]}
    assert (tue["21:30"], tue["22:00"], tue["23:30"]) == (0, 1, 1)

    # Added by hand, removed; refusals name the field.
    with write() as s:
        wang = s.scalar(select(User.id).where(User.username == "wang"))
    start = dt.datetime.combine(monday, dt.time(6, 0), tzinfo=settings.tz)
    r = leader.post("/api/roster", json={"shifts": [{"user_id": wang, "starts_at": start.isoformat(),
                                                     "ends_at": (start + dt.timedelta(hours=2)).isoformat()}]})
    assert r.status_code == 201, r.text
    shift_id = r.json()["shifts"][0]["id"]
    assert leader.delete(f"/api/roster/{shift_id}").status_code == 204
    assert leader.delete(f"/api/roster/{shift_id}").status_code == 404
    r = leader.post("/api/roster", json={"shifts": [{"user_id": wang, "starts_at": start.isoformat(),
                                                     "ends_at": start.isoformat()}]})
    assert r.status_code == 422 and r.json()["field"] == "shifts.0.ends_at"
    r = leader.post("/api/roster", json={"shifts": [{"user_id": 999999, "starts_at": start.isoformat(),
                                                     "ends_at": (start + dt.timedelta(hours=2)).isoformat()}]})
    assert r.status_code == 404 and r.json()["field"] == "shifts.0.user_id"
    r = leader.post("/api/roster/import", files={"file": ("x.xlsx", b"not a workbook", "application/octet-stream")})
    assert r.status_code == 422 and r.json()["field"] == "file"
    op = _client(stack, app, make_user, "operator")
    assert op.get("/api/roster", params={"date_from": monday.isoformat(), "date_to": monday.isoformat()}).status_code == 403
