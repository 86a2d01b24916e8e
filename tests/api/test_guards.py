"""Issue 12 points 3 and 6: requests forged by another site's page are refused before they reach
a router; request bodies are bounded before they are read; the CTI URL's token stays out of the
access log; the session cookie is Secure when the site says it is served over HTTPS."""

from __future__ import annotations

import logging

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from starlette.websockets import WebSocketDisconnect

from zongji.api.app import create_app
from zongji.api.guards import RedactTokens
from zongji.store.models import User

EVIL_PORT = {"origin": "http://testserver:8081", "sec-fetch-site": "same-site"}  # another port, same host
EVIL_SITE = {"origin": "https://evil.example", "sec-fetch-site": "cross-site"}
OLD_BROWSER = {"origin": "https://evil.example"}  # no Sec-Fetch-* headers


def _login(app, make_user, role: str) -> TestClient:
    username, password = make_user(role)
    c = TestClient(app)
    assert c.post("/api/auth/login", json={"username": username, "password": password}).status_code == 200
    return c


def test_a_page_elsewhere_cannot_change_anything_with_the_cookie(app, make_user, session_factory):
    sup = _login(app, make_user, "supervisor")
    victim, _ = make_user("operator")
    with session_factory() as s:
        victim_id = s.scalar(select(User.id).where(User.username == victim))
    token = sup.post("/api/integration-tokens", json={"name": "pbx-guard", "scopes": "cti"})
    assert token.status_code == 201, token.text
    token_id = token.json()["id"]
    for forged in (EVIL_PORT, EVIL_SITE, OLD_BROWSER):
        # An empty form POST, as a hidden form on the other page would send.
        for url in (f"/api/users/{victim_id}/deactivate", f"/api/integration-tokens/{token_id}/revoke",
                    "/api/auth/logout"):
            r = sup.post(url, headers={**forged, "content-type": "application/x-www-form-urlencoded"})
            assert r.status_code == 403 and r.json()["error"] == "csrf", (url, forged, r.text)
    with session_factory() as s:
        assert s.scalar(select(User.active).where(User.id == victim_id)) is True
    assert sup.get("/api/auth/me").status_code == 200  # not logged out either
    listed = {t["id"]: t for t in sup.get("/api/integration-tokens").json()["items"]}
    assert listed[token_id]["revoked_at"] is None
    # The console itself (same origin) and clients that are not browsers go through.
    same = {"origin": "http://testserver", "sec-fetch-site": "same-origin"}
    assert sup.post(f"/api/integration-tokens/{token_id}/revoke", headers=same).status_code == 200
    assert sup.post(f"/api/users/{victim_id}/deactivate").status_code == 200
    # Login itself is protected too (login CSRF).
    assert TestClient(app).post("/api/auth/login", json={"username": "x", "password": "y"},
                                headers=EVIL_SITE).status_code == 403


def test_cti_by_token_is_not_a_browser_and_goes_through(app, make_user):
    sup = _login(app, make_user, "supervisor")
    tok = sup.post("/api/integration-tokens", json={"name": "pbx-cti", "scopes": "cti"}).json()["token"]
    r = TestClient(app).post(f"/api/v1/cti/{tok}", data={"event": "newCall", "from": "13800000001",
                                                        "to": "02088886666", "direction": "in", "callId": "g-1"})
    assert r.status_code == 200, r.text


def test_live_feed_handshake_from_another_origin_is_refused(app, make_user):
    op = _login(app, make_user, "operator")
    with op:
        with pytest.raises(WebSocketDisconnect) as exc:
            with op.websocket_connect("/api/live", headers={"origin": "https://evil.example"}) as ws:
                ws.receive_json()
        assert exc.value.code == 4403


def test_bodies_larger_than_allowed_are_refused_before_they_are_read(app, make_user):
    limit = app.state.settings.max_body_bytes
    c = TestClient(app)
    big = b'{"username": "' + b"x" * (limit + 10) + b'", "password": "y"}'
    r = c.post("/api/auth/login", content=big, headers={"content-type": "application/json"})
    assert r.status_code == 413 and r.json()["error"] == "too_large" and r.json()["limit_bytes"] == limit
    # Without a length (chunked), on a real server: the 413 comes once the limit is passed,
    # while the client is still sending — the rest is never read.
    import socket
    from urllib.parse import urlsplit

    from tests.web.browser_support import serve

    with serve(app) as base:
        u = urlsplit(base)
        with socket.create_connection((u.hostname, u.port), timeout=10) as sock:
            sock.sendall(b"POST /api/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                         b"Transfer-Encoding: chunked\r\n\r\n")
            chunk = b"x" * (64 * 1024)
            for _ in range(limit // len(chunk) + 1):  # just past the limit; no final 0-chunk sent
                sock.sendall(b"%x\r\n" % len(chunk) + chunk + b"\r\n")
            answer = sock.recv(4096)
        assert answer.startswith(b"HTTP/1.1 413"), answer[:200]
    # An attachment has its own, larger limit.
    sup = _login(app, make_user, "supervisor")
    r = sup.post("/api/work-orders/1/attachments", files={"file": ("a.txt", b"y" * (limit + 10), "text/plain")})
    assert r.status_code != 413


def test_secure_cookie_behind_https_and_token_not_in_the_access_log(settings, make_user):
    app = create_app(settings.model_copy(update={"cookie_secure": True}))
    username, password = make_user("operator")
    r = TestClient(app).post("/api/auth/login", json={"username": username, "password": password})
    assert "secure" in r.headers["set-cookie"].lower()
    record = logging.LogRecord("uvicorn.access", logging.INFO, "", 0, '%s - "%s %s HTTP/%s" %d',
                               ("127.0.0.1:5000", "POST", "/api/v1/cti/s3cr3t-token?x=1", "1.1", 200), None)
    RedactTokens().filter(record)
    line = record.getMessage()
    assert "s3cr3t-token" not in line and "/api/v1/cti/***?x=1" in line
    assert any(isinstance(f, RedactTokens) for f in logging.getLogger("uvicorn.access").filters)
