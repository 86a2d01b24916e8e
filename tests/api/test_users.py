"""Administration: users, integration tokens and the audit trail (supervisors and admins only)."""

from __future__ import annotations

import datetime as dt
import uuid


def test_operator_cannot_list_users_admin_can(client, login, make_user):
    login("operator")
    r = client.get("/api/users")
    assert r.status_code == 403
    assert r.json()["error"] == "Forbidden"

    client.cookies.clear()
    admin = login("admin")
    r = client.get("/api/users")
    assert r.status_code == 200
    names = [u["username"] for u in r.json()["items"]]
    assert admin in names
    assert all("password" not in k for u in r.json()["items"] for k in u)


def test_not_logged_in_is_401(client):
    assert client.get("/api/users").status_code == 401
    assert client.get("/api/audit").status_code == 401


def test_supervisor_creates_user_and_trail_records_it(client, login):
    supervisor = login("supervisor")
    r = client.post("/api/users", json={
        "username": "wang.xh", "password": "long-enough-1", "role": "operator",
        "display_name": "王小红", "operator_number": "017",
    })
    assert r.status_code == 201, r.text
    created = r.json()
    assert created["role"] == "operator" and created["active"] is True
    assert created["display_name"] == "王小红"

    r = client.get("/api/audit", params={"entity": "user", "action": "create"})
    assert r.status_code == 200
    entries = [e for e in r.json()["items"] if e["entity_id"] == str(created["id"])]
    assert len(entries) == 1
    assert entries[0]["actor"] == f"user:{supervisor}"
    assert entries[0]["detail"]["username"] == "wang.xh"

    # The new user can log in.
    client.cookies.clear()
    r = client.post("/api/auth/login", json={"username": "wang.xh", "password": "long-enough-1"})
    assert r.status_code == 200


def test_role_is_validated_and_duplicates_refused(client, login):
    login("admin")
    r = client.post("/api/users", json={"username": "x1", "password": "long-enough-1",
                                        "role": "boss"})
    assert r.status_code == 422
    assert r.json()["fields"][0]["field"] == "role"
    ok = {"username": "x1", "password": "long-enough-1", "role": "operator"}
    assert client.post("/api/users", json=ok).status_code == 201
    r = client.post("/api/users", json=ok)
    assert r.status_code == 409 and r.json()["field"] == "username"
    r = client.post("/api/users", json={**ok, "username": "x2", "password": "short"})
    assert r.status_code == 422 and r.json()["fields"][0]["field"] == "password"


def test_supervisor_cannot_create_admin(client, login):
    login("supervisor")
    r = client.post("/api/users", json={"username": "root2", "password": "long-enough-1",
                                        "role": "admin"})
    assert r.status_code == 403 and r.json()["field"] == "role"


def test_deactivated_user_is_logged_out_and_cannot_log_in(client, app, make_user):
    from fastapi.testclient import TestClient

    username, password = make_user("operator")
    with TestClient(app) as operator_client:
        r = operator_client.post("/api/auth/login", json={"username": username, "password": password})
        assert r.status_code == 200
        assert operator_client.get("/api/auth/me").status_code == 200

        admin, admin_pw = make_user("admin")
        assert client.post("/api/auth/login",
                           json={"username": admin, "password": admin_pw}).status_code == 200
        users = client.get("/api/users").json()["items"]
        target = next(u for u in users if u["username"] == username)
        r = client.post(f"/api/users/{target['id']}/deactivate")
        assert r.status_code == 200 and r.json()["active"] is False

        assert operator_client.get("/api/auth/me").status_code == 401
        r = operator_client.post("/api/auth/login", json={"username": username, "password": password})
        assert r.status_code == 401

    me = next(u for u in client.get("/api/users").json()["items"] if u["username"] == admin)
    r = client.post(f"/api/users/{me['id']}/deactivate")
    assert r.status_code == 409
    assert client.post("/api/users/999999/deactivate").status_code == 404
    r = client.get("/api/users", params={"active": "false"})
    assert [u["username"] for u in r.json()["items"]] == [username]


def test_token_shown_once_listed_without_value(client, login):
    login("admin")
    r = client.post("/api/integration-tokens", json={"name": "pbx-main"})
    assert r.status_code == 201, r.text
    created = r.json()
    assert created["token"].startswith("zj_") and created["scopes"] == ["cti"]
    listed = client.get("/api/integration-tokens").json()["items"]
    row = next(t for t in listed if t["id"] == created["id"])
    assert row["active"] is True and "token" not in row
    assert created["token"] not in client.get("/api/integration-tokens").text

    r = client.post(f"/api/integration-tokens/{created['id']}/revoke")
    assert r.status_code == 200 and r.json()["active"] is False
    assert client.get("/api/integration-tokens",
                      params={"include_revoked": "false"}).json()["items"] == []
    assert client.post("/api/integration-tokens/424242/revoke").status_code == 404
    r = client.post("/api/integration-tokens", json={"name": "x", "scopes": "CTI; drop"})
    assert r.status_code == 422 and r.json()["field"] == "scopes"
    r = client.post("/api/integration-tokens", json={"name": "pbx-2", "scopes": " CTI, Pms "})
    assert r.status_code == 201 and r.json()["scopes"] == ["cti", "pms"]

    actions = {(e["action"], e["entity"]) for e in
               client.get("/api/audit", params={"entity": "integration_token"}).json()["items"]}
    assert actions == {("create", "integration_token"), ("revoke", "integration_token")}


def test_revoked_token_stops_working_on_cti_endpoint(client, login):
    login("admin")
    created = client.post("/api/integration-tokens", json={"name": "pbx-revoke"}).json()
    headers = {"Authorization": f"Bearer {created['token']}"}
    call_id = f"rev-{uuid.uuid4().hex[:8]}"
    event = {"event": "newCall", "callId": call_id, "from": "13800138000", "to": "12345",
             "direction": "in"}
    r = client.post("/api/cti/events", json=event, headers=headers)
    assert r.status_code == 202, r.text

    assert client.post(f"/api/integration-tokens/{created['id']}/revoke").status_code == 200
    r = client.post("/api/cti/events", json={**event, "event": "hangup", "cause": "normalClearing"},
                    headers=headers)
    assert r.status_code == 401, r.text
    assert r.json()["field"] == "token"
    # The Zammad form refuses it too.
    r = client.post(f"/api/v1/cti/{created['token']}", data={
        "event": "hangup", "callId": call_id, "direction": "in", "cause": "normalClearing"})
    assert r.status_code == 401, r.text


def test_audit_filters(client, login, write):
    from zongji.services import audit

    admin = login("admin")
    t0 = dt.datetime(2026, 3, 1, 9, 0, tzinfo=dt.UTC)
    with write() as s:
        for i, (actor, action) in enumerate([("cli", "create"), ("user:li", "update"),
                                             ("user:li", "close")]):
            audit.record(s, actor=actor, action=action, entity="call", entity_id=i)
            s.flush()
        from sqlalchemy import select

        from zongji.store.models import AuditEntry

        for i, row in enumerate(s.scalars(select(AuditEntry).where(AuditEntry.entity == "call")
                                          .order_by(AuditEntry.id))):
            row.at = t0 + dt.timedelta(days=i)

    def ids(**params):
        r = client.get("/api/audit", params=params)
        assert r.status_code == 200, r.text
        return [e["entity_id"] for e in r.json()["items"]]

    assert ids(entity="call") == ["2", "1", "0"]  # newest first
    assert ids(entity="call", actor="user:li") == ["2", "1"]
    assert ids(entity="call", action="close") == ["2"]
    assert ids(entity="call", entity_id="1") == ["1"]
    assert ids(entity="call", date_from="2026-03-02T09:00:00Z") == ["2", "1"]
    assert ids(entity="call", date_to="2026-03-02T09:00:00Z") == ["0"]
    # Without an offset: local time (Asia/Shanghai, UTC+8); 2026-03-02 00:00 local = 03-01 16:00Z.
    assert ids(entity="call", date_from="2026-03-02T00:00:00", date_to="2026-03-03") == ["1"]
    r = client.get("/api/audit", params={"entity": "call", "page_size": 1, "page": 2})
    assert r.json()["total"] == 3 and [e["entity_id"] for e in r.json()["items"]] == ["1"]
    r = client.get("/api/audit", params={"date_from": "2026-03-03", "date_to": "2026-03-01"})
    assert r.status_code == 400 and r.json()["field"] == "date_to"
    logins = client.get("/api/audit", params={"action": "login", "actor": f"user:{admin}"})
    assert logins.json()["total"] == 1
