"""The wake-up report (issue 10, point 1; R-H14): due, reached, first-call confirmations, door and
operator, escalated, cancelled and minutes late, per day and as a workbook."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from zongji.demo.data import load_demo
from zongji.store.models import Room
from zongji.store.wakeup_models import Wakeup, WakeupAttempt


def test_the_wakeup_report_counts_each_way_a_guest_was_woken(client, write, login, settings):
    tz = settings.tz
    day = dt.date(2026, 11, 20)
    at = lambda h, m: dt.datetime.combine(day, dt.time(h, m), tzinfo=tz)  # noqa: E731
    with write() as s:
        load_demo(s, settings)
        room = s.scalars(select(Room)).first()

        def wakeup(n: int, wake_at, **kw) -> Wakeup:
            w = Wakeup(room_id=room.id, room_number=room.number, series_id=f"s{n}", wake_at=wake_at,
                       booked_by="user:test", **kw)
            s.add(w)
            s.flush()
            return w

        w1 = wakeup(1, at(6, 30), status="done", reached_at=at(6, 30), reached_by="phone", minutes_late=0)
        s.add(WakeupAttempt(wakeup_id=w1.id, number=1, external_call_id="wk-1-1", state="ended", uri="sip:6001",
                            due_at=at(6, 30), started_at=at(6, 30), answered_at=at(6, 30)))
        w2 = wakeup(2, at(7, 0), status="done", reached_at=at(7, 8), reached_by="door", minutes_late=8,
                    escalated_at=at(7, 4))
        s.add(WakeupAttempt(wakeup_id=w2.id, number=1, external_call_id="wk-2-1", state="ended", uri="sip:6001",
                            due_at=at(7, 0), started_at=at(7, 0)))
        wakeup(3, at(7, 30), status="cancelled", cancelled_at=at(5, 0), cancelled_by="user:test")
    login("supervisor")
    r = client.get("/api/stats/wakeups", params={"date_from": day.isoformat(), "date_to": day.isoformat()})
    assert r.status_code == 200, r.text
    t = r.json()["total"]
    assert (t["due"], t["reached"], t["by_door"], t["escalated"], t["cancelled"]) == (2, 2, 1, 1, 1)
    assert t["first_call_rate"] == pytest.approx(0.5)
    assert t["average_minutes_late"] == 4 and t["late"] == 1
    x = client.get("/api/stats/wakeups.xlsx", params={"date_from": day.isoformat(), "date_to": day.isoformat()})
    ws = load_workbook(io.BytesIO(x.content)).worksheets[0]
    head = [c.value for c in ws[2]]
    assert ws.title == "叫醒统计" and ws.cell(ws.max_row, head.index("到时叫醒") + 1).value == 2
