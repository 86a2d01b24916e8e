"""CTI events from PBXs: Zammad's generic push and Zongji's JSON form (R-C3)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select

from zongji.services import auth
from zongji.store.models import Call, CallEvent, FeedItem, Line, Organisation

LINE_NUMBER = "02088886666"


def _line(write, number: str = LINE_NUMBER, code: str = "hotel", kind: str = "switchboard") -> None:
    with write() as s:
        org = s.scalar(select(Organisation).where(Organisation.code == "h"))
        if org is None:
            org = Organisation(code="h", name="示例大酒店", name_en="Grand Demo Hotel", kind="hotel")
            s.add(org)
            s.flush()
        s.add(Line(organisation_id=org.id, code=code, name="酒店总机", kind=kind, number=number))


def _call(write, external_id: str) -> Call:
    with write() as s:
        call = s.scalars(select(Call).where(Call.external_id == external_id)).unique().one()
        s.expunge(call)
        return call


def _count(write, model) -> int:
    with write() as s:
        return s.scalar(select(func.count()).select_from(model))


def test_zammad_form_events_build_the_record(client, write, cti_token, make_user):
    _line(write)
    make_user("operator", username="wang", operator_number="1001", display_name="王小红")
    base = {"from": "13800138000", "to": "020-8888 6666", "direction": "in", "callId": "z-1"}
    url = f"/api/v1/cti/{cti_token}"
    r = client.post(url, data={**base, "event": "newCall", "user[]": ["Alice", "Bob"]})
    assert r.status_code == 200 and r.json() == {}
    assert _call(write, "z-1").state == "ringing"
    r = client.post(url, data={**base, "event": "answer", "answeringNumber": "1001", "user[]": "Alice"})
    assert r.status_code == 200 and r.json() == {}
    r = client.post(url, data={**base, "event": "hangup", "cause": "normalClearing"})
    assert r.status_code == 200
    call = _call(write, "z-1")
    assert call.state == "ended" and call.outcome == "answered"
    assert call.line.code == "hotel" and call.answered_by.username == "wang"
    assert call.calling_number == "13800138000" and call.hangup_cause == "normalClearing"
    assert call.ring_seconds is not None and call.talk_seconds is not None
    assert _count(write, CallEvent) == 3
    # Every change went to the live feed, with the CallOut as payload.
    with write() as s:
        items = s.scalars(select(FeedItem).where(FeedItem.topic == "call")).all()
        assert items and items[-1].payload["state"] == "ended"
        assert items[-1].entity_id == str(call.id)


def test_zammad_json_body_is_accepted(client, write, cti_token):
    r = client.post(f"/api/v1/cti/{cti_token}", json={
        "event": "newCall", "from": "13800138000", "to": LINE_NUMBER, "direction": "in",
        "callId": "zj-1", "user": ["Alice"]})
    assert r.status_code == 200 and r.json() == {}
    r = client.post(f"/api/v1/cti/{cti_token}", json={
        "event": "hangup", "from": "13800138000", "to": LINE_NUMBER, "direction": "in",
        "callId": "zj-1", "cause": "cancel"})
    assert r.status_code == 200
    assert _call(write, "zj-1").outcome == "abandoned"


def test_replayed_events_are_no_ops(client, write, cti_token):
    headers = {"Authorization": f"Bearer {cti_token}"}
    event = {"event": "newCall", "callId": "r-1", "from": "13800138000", "to": LINE_NUMBER,
             "direction": "in", "at": "2025-05-01T08:00:00+08:00"}
    first = client.post("/api/cti/events", json=event, headers=headers)
    assert first.status_code == 202
    assert first.json()["duplicate"] is False and first.json()["accepted"] is True
    feed_before = _count(write, FeedItem)
    again = client.post("/api/cti/events", json=event, headers=headers)
    assert again.status_code == 202
    assert again.json() == {"accepted": True, "duplicate": True, "call_id": first.json()["call_id"]}
    assert _count(write, CallEvent) == 1 and _count(write, Call) == 1
    assert _count(write, FeedItem) == feed_before
    # Zammad replays (no time of their own) are recognised too.
    z = {"event": "hangup", "from": "13800138000", "to": LINE_NUMBER, "direction": "in",
         "callId": "r-1", "cause": "normalClearing"}
    assert client.post(f"/api/v1/cti/{cti_token}", data=z).status_code == 200
    assert client.post(f"/api/v1/cti/{cti_token}", data=z).status_code == 200
    assert _count(write, CallEvent) == 2


def test_hangup_before_answer_out_of_order(client, write, cti_token):
    headers = {"Authorization": f"Bearer {cti_token}"}
    base = {"callId": "o-1", "from": "13800138000", "to": LINE_NUMBER, "direction": "in"}
    for event in (
        {"event": "hangup", "at": "2025-05-01T08:01:10+08:00", "cause": "normalClearing"},
        {"event": "answer", "at": "2025-05-01T08:00:10+08:00", "answeringNumber": "1001"},
        {"event": "newCall", "at": "2025-05-01T08:00:00+08:00"},
    ):
        assert client.post("/api/cti/events", json={**base, **event}, headers=headers).status_code == 202
    call = _call(write, "o-1")
    assert (call.outcome, call.ring_seconds, call.talk_seconds) == ("answered", 10, 60)
    assert call.ringing_at == dt.datetime(2025, 5, 1, 0, 0, tzinfo=dt.UTC)
    assert call.state == "ended"


def test_transfer_event(client, write, cti_token):
    headers = {"Authorization": f"Bearer {cti_token}"}
    base = {"callId": "t-1", "from": "13800138000", "to": LINE_NUMBER, "direction": "in"}
    for event in (
        {"event": "newCall", "at": "2025-05-01T08:00:00+08:00"},
        {"event": "answer", "at": "2025-05-01T08:00:05+08:00"},
        {"event": "transfer", "at": "2025-05-01T08:00:30+08:00", "transferTo": "6001"},
        {"event": "hangup", "at": "2025-05-01T08:02:00+08:00", "cause": "normalClearing"},
    ):
        assert client.post("/api/cti/events", json={**base, **event}, headers=headers).status_code == 202
    call = _call(write, "t-1")
    assert call.outcome == "transferred" and call.transfer_target == "6001"


def test_unknown_and_revoked_tokens_are_refused(client, write):
    with write() as s:
        issued = auth.add_integration_token(s, "old-pbx")
    body = {"event": "newCall", "callId": "x-1", "from": "1", "to": "2", "direction": "in"}
    assert client.post("/api/v1/cti/not-a-token", data=body).status_code == 401
    assert client.post("/api/cti/events", json=body,
                       headers={"Authorization": "Bearer nope"}).status_code == 401
    assert client.post("/api/cti/events", json=body).status_code == 401
    assert client.post(f"/api/v1/cti/{issued.token}", data=body).status_code == 200
    with write() as s:
        auth.revoke_integration_token(s, issued.id)
    body["callId"] = "x-2"
    r = client.post(f"/api/v1/cti/{issued.token}", data=body)
    assert r.status_code == 401
    r = client.post("/api/cti/events", json=body, headers={"Authorization": f"Bearer {issued.token}"})
    assert r.status_code == 401
    assert _count(write, Call) == 1


def test_bad_events_name_the_field(client, cti_token):
    headers = {"Authorization": f"Bearer {cti_token}"}
    good = {"event": "newCall", "callId": "b-1", "from": "13800138000", "to": LINE_NUMBER,
            "direction": "in"}
    cases = [
        ({**good, "event": "ring"}, "event"),
        ({k: v for k, v in good.items() if k != "callId"}, "callId"),
        ({**good, "direction": "sideways"}, "direction"),
        ({**good, "at": "yesterday"}, "at"),
        ({**good, "at": "2025-05-01T08:00:00"}, "at"),
        ({**good, "event": "transfer"}, "transferTo"),
        ({**good, "from": "1" * 65}, "from"),
        ({**good, "callId": {"x": 1}}, "callId"),
        ({**good, "line": "no-such-line"}, "line"),
    ]
    for body, field in cases:
        r = client.post("/api/cti/events", json=body, headers=headers)
        assert 400 <= r.status_code < 500, (body, r.text)
        assert r.json()["fields"][0]["field"] == field, (body, r.text)
    r = client.post("/api/cti/events", content=b"{not json", headers={**headers, "content-type": "application/json"})
    assert r.status_code == 422 and r.json()["field"] == "body"
    r = client.post("/api/cti/events", json=[1, 2], headers=headers)
    assert r.status_code == 422 and r.json()["field"] == "body"
    r = client.post(f"/api/v1/cti/{cti_token}", data={"event": "newCall", "direction": "in"})
    assert r.status_code == 422 and r.json()["field"] == "callId"
    # Chinese and full-width text is fine.
    r = client.post("/api/cti/events", headers=headers,
                    json={**good, "callId": "中文-１", "queue": "总机队列"})
    assert r.status_code == 202


def test_json_line_code_and_outbound_line_by_from(client, write, cti_token):
    _line(write, number="12345", code="city", kind="hotline_12345")
    headers = {"Authorization": f"Bearer {cti_token}"}
    r = client.post("/api/cti/events", headers=headers, json={
        "event": "newCall", "callId": "l-1", "from": "13800138000", "to": "999", "direction": "in",
        "line": "city"})
    assert r.status_code == 202
    assert _call(write, "l-1").line.code == "city"
    r = client.post("/api/cti/events", headers=headers, json={
        "event": "newCall", "callId": "l-2", "from": "12345", "to": "13800138000",
        "direction": "out"})
    assert _call(write, "l-2").line.code == "city"


def test_known_caller_is_identified_on_new_call(client, write, cti_token):
    from zongji.store.models import Person

    with write() as s:
        org = Organisation(code="co", name="示例公司", kind="company")
        s.add(org)
        s.flush()
        s.add(Person(organisation_id=org.id, name="陈国华", title="总经理", is_manager=True,
                     mobile="13902001001"))
    r = client.post(f"/api/v1/cti/{cti_token}", data={
        "event": "newCall", "from": "+86 139 0200 1001", "to": LINE_NUMBER, "direction": "in",
        "callId": "k-1"})
    assert r.status_code == 200
    call = _call(write, "k-1")
    assert call.caller_kind == "staff" and call.caller_title == "总经理"
    assert "陈国华" in (call.caller_label or "")
