"""Never a 5xx for bad input (issue 12, point 5): each of the inputs an attacker sent answers a
4xx naming the field, the same on SQLite and PostgreSQL, and the good input next to it works."""

from __future__ import annotations

import pytest


def _json(client, token: str, body: bytes):
    return client.post("/api/cti/events", content=body,
                       headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"})


@pytest.mark.parametrize("params, field", [
    ({"date_from": "0001-01-01"}, "date_from"),
    ({"date_to": "9999-12-31"}, "date_to"),
    ({"date_from": "0001-01-01T00:00:00+08:00"}, "date_from"),
])
def test_a_date_out_of_range_names_its_field(client, login, params, field):
    login("supervisor")
    r = client.get("/api/calls", params=params)
    assert r.status_code == 422 and r.json()["field"] == field
    assert client.get("/api/calls", params={"date_from": "2026-12-01"}).status_code == 200
    r = client.get("/api/complaints/register", params={k: v[:10] for k, v in params.items()})
    assert r.status_code == 422 and r.json()["field"] == field


def test_broken_text_in_a_cti_event_names_its_field_and_a_real_emoji_passes(client, cti_token):
    r = _json(client, cti_token, b'{"event":"newCall","from":"13800138000","to":"2","direction":"in",'
                                 b'"callId":"\\ud800"}')
    assert r.status_code == 422 and r.json()["field"] == "callId"
    r = _json(client, cti_token, b'{"event":"newCall","from":"13800138000\\u0000","to":"2","direction":"in",'
                                 b'"callId":"nul-1"}')
    assert r.status_code == 422 and r.json()["field"] == "from"
    r = client.post(f"/api/v1/cti/{cti_token}", data={"event": "newCall", "from": "1380013\x008000", "to": "2",
                                                      "direction": "in", "callId": "nul-2"})
    assert r.status_code == 422 and r.json()["field"] == "from"
    # A surrogate pair is an ordinary character (here an emoji), not broken text.
    r = _json(client, cti_token, b'{"event":"newCall","from":"13800138000","to":"2","direction":"in",'
                                 b'"callId":"emoji-\\ud83d\\ude00"}')
    assert r.status_code == 202, r.text


def test_deep_json_and_invalid_utf8_name_the_body(client, cti_token):
    deep = b"[" * 30000 + b"]" * 30000
    for r in (_json(client, cti_token, deep),
              client.post(f"/api/v1/cti/{cti_token}", content=deep, headers={"Content-Type": "application/json"}),
              client.post("/api/auth/login", content=deep, headers={"Content-Type": "application/json"}),
              client.post("/api/auth/login", content=b'{"username":"\xff\xfe","password":"x"}',
                          headers={"Content-Type": "application/json"})):
        assert 400 <= r.status_code < 500 and r.json()["field"] == "body", r.text


def test_nul_or_a_lone_surrogate_in_any_json_field_is_refused_alike_on_both_databases(client, login):
    login("operator")
    for body in (b'{"username":"a\\u0000b","password":"xxxxxxxx"}', b'{"username":"\\udc00","password":"xxxxxxxx"}'):
        r = client.post("/api/auth/login", content=body, headers={"Content-Type": "application/json"})
        assert r.status_code == 422 and r.json()["field"] == "username", r.text


def test_every_operation_documents_its_refusals_with_their_body(client):
    """What schemathesis's status-code check found (issue 12, point 5): a 404 or 409 answered where
    the schema listed none. Every operation now documents the app-wide refusals, each with the
    error body, and says which schema-valid inputs it refuses by a rule (x-refusals)."""
    schema = client.get("/openapi.json").json()
    assert schema["components"]["schemas"]["ErrorOut"]["required"] == ["error", "message"]
    operations = [(path, method, op) for path, item in schema["paths"].items()
                  for method, op in item.items() if method in ("get", "post", "put", "patch", "delete")]
    assert len(operations) > 100
    for path, method, op in operations:
        for code in ("400", "401", "403", "404", "409", "413", "422"):
            answer = op["responses"].get(code)
            assert answer, f"{method.upper()} {path} does not document {code}"
            body = answer["content"]["application/json"]["schema"]
            assert body == {"$ref": "#/components/schemas/ErrorOut"} or {"error", "message"} <= set(
                body.get("properties", {})), f"{method.upper()} {path} {code}: {body}"
    audit = schema["paths"]["/api/audit"]["get"]
    assert set(audit["x-refusals"]) == {"date_from", "date_to"}
    # Free text says it holds no NUL (refused app-wide), and a word from a closed list is an enum.
    params = {p["name"]: p["schema"] for p in schema["paths"]["/api/work-orders"]["get"]["parameters"]}
    assert params["q"]["anyOf"][0]["pattern"] == "^[^\\x00]*$"
    assert "inquiry" in params["order_type"]["enum"]


def test_an_id_beyond_what_json_carries_exactly_names_its_field(client, login):
    login("supervisor")
    assert client.get(f"/api/calls/{2**53 - 1}").status_code == 404
    r = client.get(f"/api/calls/{2**53}")
    assert r.status_code == 422 and r.json()["field"] == "call_id"


def test_a_number_is_not_taken_for_a_time(client, login):
    """pydantic reads a number as a Unix timestamp; the schema promises an ISO-8601 time."""
    login("admin")
    r = client.get("/api/audit", params={"date_to": "-5.56e-138"})
    assert r.status_code == 422 and r.json()["field"] == "date_to"
    assert client.get("/api/audit", params={"date_to": "2026-12-01T00:00:00+08:00"}).status_code == 200


@pytest.mark.parametrize("windows", [[[]], [["08:00"]], [["08:00", "12:00", "13:00"]]])
def test_a_working_window_is_two_times(client, login, windows):
    """Found by schemathesis: an empty window answered 500."""
    login("admin")
    r = client.put("/api/calendar/days/2026-12-05", json={"is_working": True, "windows": windows})
    assert r.status_code == 422 and r.json()["field"].startswith("windows")
    r = client.put("/api/calendar/days/2026-12-05", json={"is_working": True, "windows": [["08:30", "12:00"]]})
    assert r.status_code == 200, r.text


def test_a_number_field_does_not_take_true(client, login):
    """Found by schemathesis: ``"exclude_id": true`` was read as order 1."""
    login("operator")
    body = {"description": "路灯不亮", "exclude_id": True}
    r = client.post("/api/work-orders/duplicates", json=body)
    assert r.status_code == 422 and r.json()["field"] == "exclude_id"
    assert client.post("/api/work-orders/duplicates", json={**body, "exclude_id": 1}).status_code == 200


@pytest.mark.parametrize("value", ["1", 1.5])
def test_a_number_field_takes_a_json_number_only(client, login, value):
    login("operator")
    r = client.post("/api/work-orders/duplicates", json={"description": "路灯不亮", "exclude_id": value})
    assert r.status_code == 422 and r.json()["field"] == "exclude_id"


@pytest.mark.parametrize("value", [1, "yes"])
def test_a_yes_or_no_field_takes_true_or_false_only(client, login, value):
    login("admin")
    r = client.put("/api/calendar/days/2026-12-05", json={"is_working": value})
    assert r.status_code == 422 and r.json()["field"] == "is_working"


def test_a_time_field_takes_iso_text_not_a_unix_time(client, login):
    login("supervisor")
    r = client.post("/api/switchboard/leaves", json={"person_id": 1, "ends_at": 1767225600})
    assert r.status_code == 422 and r.json()["field"] == "ends_at"


def test_nul_in_a_query_parameter_names_it(client, login):
    login("operator")
    r = client.get("/api/information", params={"q": "前台\x00"})
    assert r.status_code == 422 and r.json()["field"] == "q"
    r = client.get("/api/wakeups", params={"date": "-2.97e-59"})
    assert r.status_code == 422 and r.json()["field"] == "date"
