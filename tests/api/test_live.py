"""Live push over /api/live: authenticated, no history replay, every new feed row exactly once."""

from __future__ import annotations

import time

import pytest
from starlette.websockets import WebSocketDisconnect

from zongji.services.live_hub import FeedCursor
from zongji.store.models import FeedItem


def _add_feed(write, topic="call", entity_id="1", payload=None) -> int:
    with write() as s:
        row = FeedItem(topic=topic, entity_id=entity_id, payload=payload or {"n": entity_id})
        s.add(row)
        s.flush()
        return row.id


def test_refuses_without_login(client):
    with pytest.raises(WebSocketDisconnect) as exc:
        with client.websocket_connect("/api/live") as ws:
            ws.receive_json()
    assert exc.value.code == 4401


def test_pushes_new_rows_only(client, login, write):
    login("operator")
    old = _add_feed(write, entity_id="old")
    # The process's poller has passed "old" before this console connects: it is not replayed.
    hub = client.app.state.live_hub
    deadline = time.monotonic() + 10
    while hub.cursor.last_id < old:
        assert time.monotonic() < deadline, "the feed poller did not read the table"
        time.sleep(0.01)
    with client.websocket_connect("/api/live") as ws:
        new = _add_feed(write, entity_id="7", payload={"id": 7, "state": "ringing"})
        msg = ws.receive_json()
        assert msg["id"] == new and msg["id"] != old
        assert msg["topic"] == "call" and msg["payload"] == {"id": 7, "state": "ringing"}
        second = _add_feed(write, entity_id="8")
        assert ws.receive_json()["id"] == second


def test_cursor_fills_gaps_once_and_forgets_them():
    c = FeedCursor(last_id=10)
    assert c.accept([11, 14], now=0.0) == [11, 14]
    assert set(c.gaps) == {12, 13}
    # 13 commits late (out of id order); 14 is read again in a re-scan: sent once only.
    assert c.accept([13, 14], now=1.0) == [13]
    assert c.accept([14], now=2.0) == []
    # 12 was a rolled-back insert: forgotten after the gap window.
    c.accept([], now=1000.0)
    assert not c.gaps
    assert c.accept([12], now=1001.0) == []
