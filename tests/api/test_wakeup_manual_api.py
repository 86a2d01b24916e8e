"""Telephony down: the operator's manual call list (R-H9, issue 8 point 6).

A manual call the guest does not answer goes to the floor staff ("no answer → send floor staff"):
the manual call is recorded as made without an answer, a knock-on-door task opens, and the
wake-up stays escalated until somebody reaches the guest. A manual call that reaches the guest is
recorded as reached by the operator, never as a knock.
"""

from __future__ import annotations

import datetime as dt

from fastapi.testclient import TestClient
from sqlalchemy import select

from zongji.services import wakeups as svc
from zongji.store.models import Guest, Organisation, Room, Stay, utcnow
from zongji.store.wakeup_models import Wakeup, WakeupTask


def _hotel(write, settings) -> tuple[int, int]:
    now = utcnow()
    with write() as s:
        org = Organisation(code="hm", name="酒店", kind="hotel")
        s.add(org)
        s.flush()
        ids = []
        for n in ("2201", "2202"):
            room = Room(organisation_id=org.id, number=n, floor=22, extension="8" + n)
            s.add(room)
            s.flush()
            g = Guest(organisation_id=org.id, name="客人" + n)
            s.add(g)
            s.flush()
            s.add(Stay(guest_id=g.id, room_id=room.id, arrival=now - dt.timedelta(days=1),
                       departure=now + dt.timedelta(days=3), status="in_house"))
            s.flush()
            ids.append(svc.book(s, svc.Booking(room=n, wake_at=now + dt.timedelta(minutes=1), readback_confirmed=True),
                                actor="user:operator", now=now, settings=settings)[0].id)
    with write() as s:
        svc.escalate_telephony_down(s, now=now + dt.timedelta(minutes=1, seconds=1), settings=settings,
                                    reason="gateway down")
    return ids[0], ids[1]


def _operator(app, make_user) -> TestClient:
    username, password = make_user("operator")
    c = TestClient(app)
    assert c.post("/api/auth/login", json={"username": username, "password": password}).status_code == 200
    return c


def _manual_task(session_factory, wakeup_id: int) -> int:
    with session_factory() as s:
        return s.scalar(select(WakeupTask.id).where(WakeupTask.wakeup_id == wakeup_id,
                                                   WakeupTask.kind == "manual_call"))


def test_no_answer_sends_the_floor_staff_and_a_manual_call_is_not_a_knock(app, make_user, write, settings,
                                                                       session_factory):
    unanswered, answered = _hotel(write, settings)
    op = _operator(app, make_user)

    # 2201: the operator phones, nobody answers → the floor staff knock.
    task_id = _manual_task(session_factory, unanswered)
    r = op.post(f"/api/wakeups/tasks/{task_id}/no-answer")
    assert r.status_code == 200, r.text
    knock = r.json()
    assert (knock["kind"], knock["state"], knock["room"]) == ("knock_on_door", "open", "2201")
    again = op.post(f"/api/wakeups/tasks/{task_id}/no-answer")
    assert again.status_code == 422 and again.json()["field"] == "task_id"
    with session_factory() as s:
        manual = s.get(WakeupTask, task_id)
        assert manual.state == "done" and manual.no_response_at is not None
        assert s.get(Wakeup, unanswered).status == "escalated"  # still: nobody is awake yet
    # Only a manual call goes this way.
    assert op.post(f"/api/wakeups/tasks/{knock['id']}/no-answer").json()["error"] == "not_manual_call"
    # The floor attendant wakes the guest: reached at the door.
    done = op.post(f"/api/wakeups/tasks/{knock['id']}/done")
    assert done.status_code == 200 and done.json()["reached_by"] == "door"

    # 2202: the manual call reaches the guest: by the operator, not a knock.
    r = op.post(f"/api/wakeups/tasks/{_manual_task(session_factory, answered)}/done")
    assert r.status_code == 200 and r.json()["reached_by"] == "operator"
    with session_factory() as s:
        knocks = s.scalars(select(WakeupTask).where(WakeupTask.wakeup_id == answered,
                                                    WakeupTask.kind == "knock_on_door")).all()
        assert knocks == []
