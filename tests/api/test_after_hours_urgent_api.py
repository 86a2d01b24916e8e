"""Issue 8 point 6: a department's after-hours contact, and the urgent key (U) on a transfer to a
manager at lunch or after hours reaching a person instead of only a message."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from zongji.demo.data import DEMO_PASSWORD
from zongji.services.switchboard.transfers import decide
from zongji.store.models import Department, Person, User



def _as(client, username: str) -> None:
    client.cookies.clear()
    assert client.post("/api/auth/login", json={"username": username, "password": DEMO_PASSWORD}).status_code == 200


def test_after_hours_contact_set_by_a_supervisor_and_urgent_calls_reach_it(demo, client, session_factory,
                                                                          settings):
    with session_factory() as s:
        gm_office = s.scalar(select(Department).where(Department.name == "总经理办公室"))
        duty = s.scalar(select(Person).where(Person.name == "曾晓东"))
        resident = s.scalar(select(Person).where(Person.name == "李建明"))  # 驻店经理, weekdays only
        gm_id, duty_id, resident_id = gm_office.id, duty.id, resident.id
    url = f"/api/directory/departments/{gm_id}/after-hours-contact"
    _as(client, "operator")
    assert client.put(url, json={"person_id": duty_id}).status_code == 403
    _as(client, "supervisor")
    assert client.put(url, json={"person_id": 999999}).json()["field"] == "person_id"
    r = client.put(url, json={"person_id": duty_id})
    assert r.status_code == 200, r.text
    assert r.json()["after_hours_contact"] == {"id": duty_id, "name": "曾晓东"}
    listed = next(d for d in client.get("/api/directory/departments").json()["items"] if d["id"] == gm_id)
    assert listed["after_hours_contact"]["name"] == "曾晓东"

    # Monday 12:10 (the office's lunch break) and 21:00: urgent reaches the duty manager's mobile.
    monday = dt.date(2026, 11, 23)
    with session_factory() as s:
        op = s.scalar(select(User).where(User.username == "operator"))
        for hm in ((12, 10), (21, 0)):
            at = dt.datetime(monday.year, monday.month, monday.day, *hm, tzinfo=settings.tz)
            kw = dict(target_kind="person", target_id=resident_id, call_id=None, caller_name="王先生",
                      purpose="急事", call_purpose="business", guest_consent=None, callee_accepts=None,
                      guest_name=None, emergency=False, settings=settings, at=at)
            urgent, _, _ = decide(s, op, urgent=True, **kw)
            assert urgent.outcome.value == "forward_to", (hm, urgent.reason)
            assert urgent.forward.role == "after_hours" and "曾晓东" in urgent.reason.zh
            calm, _, _ = decide(s, op, urgent=False, **kw)
            assert calm.offer_message and calm.outcome.value == "closed_offer_message"
        # The department itself, closed: its calls go to the after-hours contact.
        at = dt.datetime(2026, 11, 23, 21, 0, tzinfo=settings.tz)
        d, _, _ = decide(s, op, target_kind="department", target_id=gm_id, call_id=None, caller_name=None,
                         purpose=None, call_purpose="business", urgent=False, guest_consent=None,
                         callee_accepts=None, guest_name=None, emergency=False, settings=settings, at=at)
        assert d.outcome.value == "forward_to" and "曾晓东" in d.reason.zh
    # Cleared: back to a message.
    assert client.put(url, json={"person_id": None}).json()["after_hours_contact"] is None
