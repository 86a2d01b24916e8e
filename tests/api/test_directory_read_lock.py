"""A directory search (and a caller look-up) reads without SQLite's write lock (issue 18, point 2): it answers while
another connection holds the lock (a long CTI batch, an import)."""

from __future__ import annotations

import sqlite3

import pytest

from zongji.demo.data import DEMO_PASSWORD, load_demo


@pytest.mark.parametrize("backend", ["sqlite"])
def test_search_answers_while_another_writer_holds_the_lock(backend, client, write, settings):
    with write() as s:
        load_demo(s, settings)
    r = client.post("/api/auth/login", json={"username": "operator", "password": DEMO_PASSWORD})
    assert r.status_code == 200, r.text
    holder = sqlite3.connect(settings.resolved_database_url.split("///", 1)[1], isolation_level=None)
    holder.execute("PRAGMA busy_timeout=100")
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
