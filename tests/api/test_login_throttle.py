"""Logins are throttled (issue 12, point 4): 40 wrong passwords in a row no longer let the right
one in. Per account name and per client address, a lock answered 429 with Retry-After, audited,
notified to supervisors and admins, the same for unknown and known accounts, kept in the database.

Time moves through ``app.state.clock`` (an injected clock), never by sleeping.
"""

from __future__ import annotations

import datetime as dt

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from zongji.api.app import create_app
from zongji.store.models import AuditEntry
from zongji.store.work_order_models import Notification

T0 = dt.datetime(2026, 12, 3, 8, 0, tzinfo=dt.UTC)
WRONG = "not-the-password"


class Clock:
    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, **kw) -> None:
        self.now += dt.timedelta(**kw)


@pytest.fixture
def clock(app) -> Clock:
    c = Clock()
    app.state.clock = c
    return c


def log_in(client: TestClient, username: str, password: str):
    return client.post("/api/auth/login", json={"username": username, "password": password})


def test_the_fifth_wrong_password_locks_and_even_the_right_one_waits(client, clock, make_user):
    username, password = make_user("operator")
    answers = [log_in(client, username, WRONG) for _ in range(5)]
    assert [r.status_code for r in answers] == [401, 401, 401, 401, 429]
    locked = answers[-1]
    assert locked.headers["Retry-After"] == "900"
    assert locked.json()["error"] == "too_many_attempts" and locked.json()["retry_after"] == 900

    clock.advance(minutes=5)
    r = log_in(client, username, password)
    assert r.status_code == 429, "the right password must not get in while the account is locked"
    assert r.headers["Retry-After"] == "600"
    assert client.get("/api/auth/me").status_code == 401

    clock.advance(minutes=10, seconds=1)
    assert log_in(client, username, password).status_code == 200
    assert client.get("/api/auth/me").json()["username"] == username


def test_forty_wrong_passwords_then_the_right_one_is_refused(client, clock, make_user):
    """The attack of issue 12: 40 guesses in 24 s, then the right password."""
    username, password = make_user("operator")
    statuses = []
    for _ in range(40):
        statuses.append(log_in(client, username, WRONG).status_code)
        clock.advance(milliseconds=600)
    assert statuses.count(401) == 4 and statuses[4:] == [429] * 36
    assert log_in(client, username, password).status_code == 429


def test_locks_in_a_row_last_twice_as_long(client, clock, make_user):
    username, _ = make_user("operator")
    for _ in range(5):
        r = log_in(client, username, WRONG)
    assert r.headers["Retry-After"] == "900"
    clock.advance(minutes=15)
    for _ in range(5):
        r = log_in(client, username, WRONG)
    assert r.status_code == 429 and r.headers["Retry-After"] == "1800"


def test_an_unknown_account_is_answered_exactly_as_a_known_one(client, clock, make_user):
    known, _ = make_user("operator")
    unknown = "nobody-" + known  # no such account

    def attempts(name: str) -> list[tuple[int, dict, str | None]]:
        out = []
        for _ in range(7):
            r = log_in(client, name, WRONG)
            out.append((r.status_code, r.json(), r.headers.get("Retry-After")))
        return out

    seen_known = attempts(known)
    seen_unknown = attempts(unknown)
    assert seen_known == seen_unknown
    assert [s for s, _, _ in seen_known] == [401] * 4 + [429] * 3


def test_a_right_password_clears_the_accounts_failures(client, clock, make_user):
    username, password = make_user("operator")
    for _ in range(4):
        assert log_in(client, username, WRONG).status_code == 401
    assert log_in(client, username, password).status_code == 200
    for _ in range(4):
        assert log_in(client, username, WRONG).status_code == 401


def test_a_lock_is_audited_and_supervisors_and_admins_are_notified(client, clock, make_user, write):
    username, _ = make_user("operator")
    for _ in range(5):
        log_in(client, username, WRONG)
    with write() as s:
        entries = s.scalars(select(AuditEntry).where(AuditEntry.entity == "login_throttle")).all()
        notes = s.scalars(select(Notification).where(Notification.kind == "login_locked")).all()
        assert [(e.action, e.entity_id) for e in entries] == [("lock", f"account:{username}")]
        assert entries[0].detail["address"] == "testclient" and entries[0].detail["minutes"] == 15
        assert sorted(n.role for n in notes) == ["admin", "supervisor"]
        assert all(username in n.subject and n.channel == "console" for n in notes)

    # The supervisor sees it on their console.
    sup, sup_password = make_user("supervisor")
    token = log_in(client, sup, sup_password).json()["token"]
    mine = client.get("/api/notifications", headers={"Authorization": f"Bearer {token}"}).json()["items"]
    assert any(n["kind"] == "login_locked" and username in n["subject"] for n in mine)


def test_one_address_guessing_many_accounts_is_locked(app, clock, make_user):
    victim, password = make_user("operator")
    with TestClient(app, client=("203.0.113.7", 40000)) as attacker:
        statuses = [log_in(attacker, f"guess-{i}", WRONG).status_code for i in range(20)]
        assert statuses == [401] * 19 + [429]
        r = log_in(attacker, victim, password)
        assert r.status_code == 429 and r.headers["Retry-After"] == "900"
    # Another address is not held up.
    with TestClient(app, client=("198.51.100.20", 40000)) as colleague:
        assert log_in(colleague, victim, password).status_code == 200


def test_the_lock_survives_a_new_server_process(settings, client, clock, make_user):
    username, password = make_user("operator")
    for _ in range(5):
        log_in(client, username, WRONG)
    restarted = create_app(settings)
    restarted.state.clock = clock
    with TestClient(restarted) as fresh:
        r = log_in(fresh, username, password)
        assert r.status_code == 429 and r.headers["Retry-After"] == "900"


def test_a_supervisor_sees_and_lifts_a_lock(client, clock, make_user, write):
    username, password = make_user("operator")
    for _ in range(5):
        log_in(client, username, WRONG)
    sup, sup_password = make_user("supervisor")
    op, op_password = make_user("operator")
    # The supervisor and the operator log in from other addresses' point of view: their own names.
    sup_h = {"Authorization": "Bearer " + log_in(client, sup, sup_password).json()["token"]}
    op_h = {"Authorization": "Bearer " + log_in(client, op, op_password).json()["token"]}

    locks = client.get("/api/auth/locks", headers=sup_h).json()["items"]
    assert [(x["scope"], x["subject"], x["retry_after"]) for x in locks] == [("account", username, 900)]
    assert client.get("/api/auth/locks", headers=op_h).status_code == 403
    unlock = {"scope": "account", "subject": username}
    assert client.post("/api/auth/locks/unlock", json=unlock, headers=op_h).status_code == 403

    assert client.post("/api/auth/locks/unlock", json=unlock, headers=sup_h).status_code == 204
    assert client.get("/api/auth/locks", headers=sup_h).json()["items"] == []
    r = client.post("/api/auth/locks/unlock", json=unlock, headers=sup_h)
    assert r.status_code == 404 and r.json()["field"] == "account"
    assert log_in(client, username, password).status_code == 200
    with write() as s:
        actions = s.execute(select(AuditEntry.action, AuditEntry.actor)
                            .where(AuditEntry.entity == "login_throttle").order_by(AuditEntry.id)).all()
    assert [tuple(a) for a in actions] == [("lock", "system:login"), ("unlock", f"user:{sup}")]


def test_a_burst_of_parallel_guesses_is_counted_one_by_one(settings, make_user):
    """Guesses sent all at once to a real server are not all checked before the first is counted:
    exactly four are answered "wrong password", every other one "too many attempts"."""
    from concurrent.futures import ThreadPoolExecutor

    import httpx

    from tests.web.browser_support import serve

    username, password = make_user("operator")
    app = create_app(settings.model_copy(update={"run_worker_in_server": False}))
    app.state.clock = lambda: T0
    with serve(app) as url, httpx.Client(base_url=url, timeout=30) as http:
        def guess(_):
            return http.post("/api/auth/login", json={"username": username, "password": WRONG}).status_code

        with ThreadPoolExecutor(max_workers=8) as pool:
            statuses = list(pool.map(guess, range(16)))
        assert sorted(statuses) == [401] * 4 + [429] * 12
        assert http.post("/api/auth/login", json={"username": username, "password": password}).status_code == 429
