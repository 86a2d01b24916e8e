"""A directory search (and a caller look-up) reads without SQLite's write lock (issue 18, point 2): it answers while
another connection holds the lock (a long CTI batch, an import); the session check still slides the expiry."""

from __future__ import annotations

import datetime as dt
import sqlite3

import pytest
from sqlalchemy import select, update

from zongji.demo.data import DEMO_PASSWORD, load_demo
from zongji.store.models import LoginSession, utcnow


@pytest.mark.parametrize("backend", ["sqlite"])
def test_search_answers_while_another_writer_holds_the_lock(backend, client, write, settings):
    with write() as s:
        load_demo(s, settings)
    r = client.post("/api/auth/login", json={"username": "operator", "password": DEMO_PASSWORD})
    assert r.status_code == 200, r.text
    holder = sqlite3.connect(settings.resolved_database_url.split("///", 1)[1], isolation_level=None)
    holder.execute("PRAGMA busy_timeout=30000")  # the server's own worker may be writing
    holder.execute("BEGIN IMMEDIATE")  # the write lock, held through the search
    try:
        r = client.get("/api/directory/search", params={"q": "zjl"})
        assert r.status_code == 200, r.text
        assert r.json()["results"][0]["title"] == "总经理"
        r = client.get("/api/directory/identify", params={"number": "13900000000"})  # nobody's
        assert r.status_code == 200, r.text
    finally:
        holder.execute("ROLLBACK")
        holder.close()


def test_a_request_still_slides_the_session_expiry(client, login, write):
    login("operator")
    with write() as s:
        s.execute(update(LoginSession).values(expires_at=utcnow() + dt.timedelta(minutes=5)))
    assert client.get("/api/auth/me").status_code == 200
    with write() as s:
        assert s.scalar(select(LoginSession.expires_at)) > utcnow() + dt.timedelta(hours=1)
