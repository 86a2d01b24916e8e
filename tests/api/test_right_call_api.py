"""The right call, always (issue 8 point 4 and 6): a ringing call is never closed, while it rings
its note belongs to the operator who took it, the caller history says a live call is live, and an
outbound call the PBX reports while it dials is not a call to take."""

from __future__ import annotations

import datetime as dt

from zongji.store.models import Line, Organisation

LINE_NUMBER = "02088886666"
CALLER = "13800138000"


def _setup(write) -> None:
    with write() as s:
        org = Organisation(code="h", name="示例大酒店", name_en="Grand Demo Hotel", kind="hotel")
        s.add(org)
        s.flush()
        s.add(Line(organisation_id=org.id, code="hotel", name="酒店总机", kind="switchboard",
                   number=LINE_NUMBER))


def _event(client, token, call_id, event, *, caller=CALLER, to=LINE_NUMBER, direction="in",
           at=None, **extra) -> int:
    at = at or dt.datetime.now(dt.UTC).replace(microsecond=0)
    r = client.post("/api/cti/events", headers={"Authorization": f"Bearer {token}"},
                    json={"callId": call_id, "from": caller, "to": to, "direction": direction,
                          "event": event, "at": at.isoformat(), **extra})
    assert r.status_code == 202, r.text
    return r.json()["call_id"]


def _refused(r, status: int, field: str, error: str) -> None:
    assert r.status_code == status, r.text
    body = r.json()
    assert (body["field"], body["error"]) == (field, error), body


def test_a_ringing_call_is_never_closed_and_its_note_is_the_takers(client, write, cti_token, login,
                                                                   make_user):
    _setup(write)
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    oldest = _event(client, cti_token, "r1", "newCall", at=now - dt.timedelta(seconds=20))
    other = _event(client, cti_token, "r2", "newCall", caller="13900139000", at=now)
    login("operator")

    # The oldest ringing call, selected by nobody: neither closed nor noted.
    _refused(client.post(f"/api/calls/{oldest}/close", json={"notes": "/总经理"}), 409, "state",
             "call_ringing")
    _refused(client.patch(f"/api/calls/{oldest}", json={"notes": "/总经理"}), 409, "notes",
             "call_not_taken")
    _refused(client.patch(f"/api/calls/{oldest}", json={"category": "information"}), 409,
             "category", "call_not_taken")
    call = client.get(f"/api/calls/{oldest}").json()
    assert (call["closed_at"], call["notes"], call["category"]) == (None, None, None)

    # The call the operator took takes their note while it rings; it is closed once answered.
    assert client.post(f"/api/calls/{other}/take").status_code == 200
    r = client.patch(f"/api/calls/{other}", json={"notes": "找总经理"})
    assert r.status_code == 200 and r.json()["notes"] == "找总经理"
    _refused(client.post(f"/api/calls/{other}/close"), 409, "state", "call_ringing")
    _event(client, cti_token, "r2", "answer", caller="13900139000")
    r = client.post(f"/api/calls/{other}/close", json={"notes": "已转总经理"})
    assert r.status_code == 200 and r.json()["closed_at"] and r.json()["notes"] == "已转总经理"

    # Someone else cannot write the note of a ringing call another operator took.
    assert client.post(f"/api/calls/{oldest}/take").status_code == 200
    client.post("/api/auth/logout")
    login("operator")
    _refused(client.patch(f"/api/calls/{oldest}", json={"notes": "x"}), 409, "notes",
             "call_not_taken")
    assert [c["id"] for c in client.get("/api/calls/active").json()["items"]] == [oldest]


def test_the_caller_history_says_a_live_call_is_live(client, write, cti_token, login):
    _setup(write)
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    ringing = _event(client, cti_token, "h1", "newCall", at=now - dt.timedelta(seconds=30))
    talking = _event(client, cti_token, "h2", "newCall", at=now - dt.timedelta(seconds=20))
    _event(client, cti_token, "h2", "answer", at=now - dt.timedelta(seconds=15))
    current = _event(client, cti_token, "h3", "newCall", at=now)
    login("operator")
    history = {h["id"]: h for h in client.get(f"/api/calls/{current}").json()["card"]["history"]}
    assert (history[ringing]["state"], history[ringing]["outcome"]) == ("ringing", None)
    assert (history[talking]["state"], history[talking]["outcome"]) == ("answered", None)


def test_an_outbound_call_is_not_taken(client, write, cti_token, login):
    _setup(write)
    out = _event(client, cti_token, "o1", "newCall", caller=LINE_NUMBER, to=CALLER, direction="out")
    login("operator")
    _refused(client.post(f"/api/calls/{out}/take"), 409, "direction", "call_outbound")
    assert client.get(f"/api/calls/{out}").json()["answered_by"] is None
