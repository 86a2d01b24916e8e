"""One integration-token check for every integration endpoint (issue 9): no token, a token without
the endpoint's scope and a revoked one are refused alike, naming the token."""

from __future__ import annotations

import pytest

from zongji.services import auth

ENDPOINTS = [
    ("POST", "/api/v1/stays/check-out", {"room": "1608"}, "pms"),
    ("POST", "/api/v1/wakeups", {"room": "1608", "time": "07:00"}, "wakeup"),
    ("GET", "/api/v1/wakeups/1", None, "wakeup"),
]


@pytest.mark.parametrize("method, path, body, scope", ENDPOINTS)
def test_every_integration_endpoint_checks_its_token_alike(client, write, method, path, body, scope):
    with write() as s:
        other = auth.add_integration_token(s, "pbx", scopes="cti").token
        revoked = auth.add_integration_token(s, "old", scopes=scope)
        auth.revoke_integration_token(s, revoked.id)
    for headers in ({}, {"Authorization": "Bearer "}, {"Authorization": f"Bearer {other}"},
                    {"Authorization": f"Bearer {revoked.token}"}):
        r = client.request(method, path, json=body, headers=headers)
        assert r.status_code == 401 and r.json()["field"] == "token", (headers, r.text)
    r = client.request(method, path, json=body, headers={"Authorization": "Bearer unknown-token"})
    assert r.status_code == 401 and "'" + scope + "'" in r.json()["message"]
