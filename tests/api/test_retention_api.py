"""GET /api/retention/runs (issue 18 point 3): the retention reports for admins and supervisors
only; bad query input is refused naming the field."""

from __future__ import annotations

import datetime as dt

from zongji.services import retention
from zongji.store.models import FeedItem, utcnow


def test_admins_and_supervisors_read_the_reports_others_are_refused(as_role, write, session_factory, settings):
    now = utcnow()
    with write() as s:
        s.add_all([FeedItem(at=now - dt.timedelta(hours=h), topic="call") for h in (50, 60, 1)])
    key = retention.run(session_factory, settings, now)
    admin, supervisor = as_role("admin"), as_role("supervisor")
    body = admin.get("/api/retention/runs").json()
    assert {r["kind"]: (r["action"], r["rows"]) for r in body if r["run"] == key} == {
        "feed": ("delete", 2), "call_events": ("delete", 0), "audit": ("delete", 0),
        "calls": ("anonymise", 0), "work_orders": ("anonymise", 0),
        "intake": ("anonymise", 0), "messages": ("anonymise", 0), "wakeups": ("anonymise", 0),
        "bookings": ("anonymise", 0), "meetings": ("anonymise", 0), "flights": ("anonymise", 0),
        "guest_service": ("anonymise", 0), "call_charges": ("anonymise", 0), "lost_items": ("anonymise", 0)}
    assert all(r["finished_at"] and r["started_at"] and r["cutoff"] for r in body)
    only = supervisor.get("/api/retention/runs", params={"kind": "feed", "limit": 1}).json()
    assert [(r["kind"], r["rows"]) for r in only] == [("feed", 2)]
    for role in ("operator", "shift_leader", "unit_handler"):
        assert as_role(role).get("/api/retention/runs").status_code == 403, role


def test_bad_query_input_is_refused_naming_the_field(as_role):
    admin = as_role("admin")
    for params, field in (({"limit": 0}, "limit"), ({"limit": 100000}, "limit"), ({"limit": "x"}, "limit"),
                          ({"kind": "everything"}, "kind")):
        r = admin.get("/api/retention/runs", params=params)
        assert r.status_code == 422, (params, r.text)
        assert r.json()["field"].split(".")[-1] == field, r.json()
