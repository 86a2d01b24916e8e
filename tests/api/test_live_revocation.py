"""Revocation reaches the live feed at once (issue 12, point 1): a logout, an expiry, a
deactivation or a role change ends the user's live sockets within the session check (one second
by default), whether the feed is busy or idle, and nothing queued for them is sent afterwards."""

from __future__ import annotations

import asyncio
import datetime as dt

import pytest
from sqlalchemy import select
from starlette.websockets import WebSocketDisconnect

from zongji.domain.live_feed import Viewer
from zongji.services.live_hub import REVOKED as _REVOKED, CLIENT_QUEUE, Hub
from zongji.services import auth
from zongji.store.models import FeedItem, LoginSession, User, utcnow


def _add_feed(write, n: int) -> int:
    with write() as s:
        row = FeedItem(topic="call", entity_id=str(n), payload={"id": n, "state": "ringing"})
        s.add(row)
        s.flush()
        return row.id


def _session_of(write, make_user, role="operator"):
    username, password = make_user(role)
    with write() as s:
        user, issued = auth.log_in(s, username, password, hours=12)
        return user.id, username, issued.token


def _logout(write, token):
    with write() as s:
        auth.log_out(s, token)


def _deactivate(write, user_id):
    with write() as s:
        s.get(User, user_id).active = False


def _change_role(write, user_id):
    with write() as s:
        s.get(User, user_id).role = "unit_handler"


def _expire(write, token):
    with write() as s:
        row = s.scalar(select(LoginSession).where(LoginSession.token_hash == auth.hash_token(token)))
        row.expires_at = utcnow() - dt.timedelta(seconds=1)


REVOCATIONS = {
    "logout": lambda write, uid, token: _logout(write, token),
    "expiry": lambda write, uid, token: _expire(write, token),
    "deactivation": lambda write, uid, token: _deactivate(write, uid),
    "role change": lambda write, uid, token: _change_role(write, uid),
}


@pytest.mark.parametrize("busy", [False, True], ids=["idle", "busy"])
@pytest.mark.parametrize("how", list(REVOCATIONS))
def test_a_revoked_session_ends_its_socket_busy_or_idle(session_factory, write, make_user, how, busy):
    user_id, _, token = _session_of(write, make_user)
    other_id, _, other_token = _session_of(write, make_user)

    async def scenario():
        hub = Hub(session_factory, safety_poll_seconds=0.02, session_hours=12, session_check_seconds=0.1)
        await hub.start()
        await hub.ready.wait()
        mine: asyncio.Queue = asyncio.Queue(maxsize=CLIENT_QUEUE)
        theirs: asyncio.Queue = asyncio.Queue(maxsize=CLIENT_QUEUE)
        hub.clients[mine] = Viewer(user_id=user_id, role="operator", token_hash=auth.hash_token(token))
        hub.clients[theirs] = Viewer(user_id=other_id, role="operator", token_hash=auth.hash_token(other_token))
        stop = asyncio.Event()

        async def feed():  # a busy switchboard: a new feed row every 20 ms
            n = 0
            while not stop.is_set():
                n += 1
                await asyncio.to_thread(_add_feed, write, n)
                await asyncio.sleep(0.02)

        feeder = asyncio.create_task(feed()) if busy else None
        try:
            # The socket is live: with a busy feed it receives calls.
            if busy:
                assert (await asyncio.wait_for(mine.get(), 10))["topic"] == "call"
            await asyncio.to_thread(REVOCATIONS[how], write, user_id, token)
            while (await asyncio.wait_for(mine.get(), 10)) is not _REVOKED:
                pass  # messages queued before the check ran
            assert mine in hub.revoked and mine not in hub.clients
            # Another user's socket goes on.
            assert theirs in hub.clients and theirs not in hub.revoked
        finally:
            stop.set()
            if feeder is not None:
                await feeder
            await hub.stop()

    asyncio.run(scenario())


def test_an_open_console_keeps_its_session_alive(session_factory, write, make_user):
    from zongji.services import live_sessions

    user_id, _, token = _session_of(write, make_user)
    h = auth.hash_token(token)
    with write() as s:
        row = s.scalar(select(LoginSession).where(LoginSession.token_hash == h))
        row.expires_at = utcnow() + dt.timedelta(minutes=5)
    with write() as s:
        assert live_sessions.still_valid(s, {h, "0" * 64}, hours=12) == {h: (user_id, "operator")}
    with write() as s:
        row = s.scalar(select(LoginSession).where(LoginSession.token_hash == h))
        assert row.expires_at > utcnow() + dt.timedelta(hours=11)


def test_logging_out_closes_the_console_socket(client, login):
    login("operator")
    with client.websocket_connect("/api/live") as ws:
        assert client.post("/api/auth/logout").status_code in (200, 204)
        with pytest.raises(WebSocketDisconnect) as exc:
            while True:
                ws.receive_json()
    assert exc.value.code == 4401
