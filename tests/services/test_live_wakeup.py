"""Live push without polling delay (issue 18, point 4): a committed feed item wakes the hub at
once — in this process by the after-commit hook, from another process by PostgreSQL NOTIFY — and
a rolled-back one wakes nobody. The safety poll is set to 30 s and every wait here is shorter, so
only a wake-up can deliver; nothing asserts a time."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import text

from zongji.domain.live_feed import Viewer
from zongji.services import live_feed as feed
from zongji.services.live_hub import CLIENT_QUEUE, Hub

SAFETY = 30.0  # longer than any wait below: the safety poll can deliver nothing in these tests
WAIT = 10.0


class Boom(Exception):
    pass


def _publish(write, n: int) -> int:
    with write() as s:
        item = feed.publish(s, "wakeup_test", n, {"n": n})
        s.flush()
        return item.id


def _publish_then_roll_back(write, n: int) -> None:
    with pytest.raises(Boom):
        with write() as s:
            feed.publish(s, "wakeup_test", n, {"n": n})
            s.flush()
            raise Boom


def _terminate(write, pid: int) -> None:
    with write() as s:
        s.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})


async def _started(hub: Hub) -> asyncio.Queue:
    await hub.start()
    await asyncio.wait_for(hub.ready.wait(), WAIT)
    if hub.listen_url:
        await asyncio.wait_for(hub.listening.wait(), WAIT)
    q: asyncio.Queue = asyncio.Queue(maxsize=CLIENT_QUEUE)
    hub.clients[q] = Viewer(user_id=1, role="operator")
    return q


def _hub(session_factory, db_url, *, in_process: bool, listen: bool) -> Hub:
    return Hub(session_factory, SAFETY, listen_url=db_url if listen else None, wake_in_process=in_process)


def test_a_commit_in_this_process_wakes_the_hub(session_factory, write, db_url):
    async def scenario():
        hub = _hub(session_factory, db_url, in_process=True, listen=False)
        q = await _started(hub)
        try:
            first = await asyncio.to_thread(_publish, write, 1)
            assert (await asyncio.wait_for(q.get(), WAIT))["id"] == first
            second = await asyncio.to_thread(_publish, write, 2)
            assert (await asyncio.wait_for(q.get(), WAIT))["id"] == second
            assert hub.local_wakeups >= 2
        finally:
            await hub.stop()

    asyncio.run(scenario())


def test_a_rolled_back_transaction_wakes_nobody_and_delivers_nothing(session_factory, write, db_url, backend):
    postgres = backend == "postgresql"

    async def scenario():
        hub = _hub(session_factory, db_url, in_process=True, listen=postgres)
        q = await _started(hub)
        try:
            await asyncio.to_thread(_publish_then_roll_back, write, 1)
            committed = await asyncio.to_thread(_publish, write, 2)
            # Wake-ups and notifications arrive in commit order: had the rollback woken anyone,
            # it would be counted before the committed item is delivered.
            msg = await asyncio.wait_for(q.get(), WAIT)
            assert msg["id"] == committed and msg["payload"] == {"n": 2}
            assert hub.local_wakeups == 1
            if postgres:
                while hub.notifications < 1:  # NOTIFY may come just after the local wake-up
                    await asyncio.sleep(0.01)
                await asyncio.to_thread(_publish, write, 3)
                assert (await asyncio.wait_for(q.get(), WAIT))["payload"] == {"n": 3}
                while hub.notifications < 2:
                    await asyncio.sleep(0.01)
                assert hub.notifications == 2  # one per commit, none for the rollback
            assert q.empty()
        finally:
            await hub.stop()

    asyncio.run(scenario())


# LISTEN/NOTIFY is PostgreSQL's; SQLite processes meet at the safety poll (deselected there).
@pytest.mark.postgresql_only
def test_another_process_commit_wakes_the_hub_by_notify(session_factory, write, db_url):
    async def scenario():
        # No in-process wake-up: the writer counts as another process, only NOTIFY can deliver.
        hub = _hub(session_factory, db_url, in_process=False, listen=True)
        q = await _started(hub)
        try:
            for n in (1, 2):
                item = await asyncio.to_thread(_publish, write, n)
                assert (await asyncio.wait_for(q.get(), WAIT))["id"] == item
            assert hub.local_wakeups == 0 and hub.notifications >= 1
        finally:
            await hub.stop()

    asyncio.run(scenario())


@pytest.mark.postgresql_only
def test_a_killed_listen_connection_reconnects_and_misses_nothing(session_factory, write, db_url):
    async def scenario():
        hub = _hub(session_factory, db_url, in_process=False, listen=True)
        q = await _started(hub)
        try:
            pid = hub.listen_pid
            await asyncio.to_thread(_terminate, write, pid)
            # Published while the connection is down or coming back: the drop's or the
            # reconnection's catch-up read delivers it, or its NOTIFY if already listening again.
            during = await asyncio.to_thread(_publish, write, 1)
            assert (await asyncio.wait_for(q.get(), WAIT))["id"] == during
            while hub.listen_connects < 2 or not hub.listening.is_set():
                await asyncio.sleep(0.01)
            assert hub.listen_pid != pid
            after = await asyncio.to_thread(_publish, write, 2)
            assert (await asyncio.wait_for(q.get(), WAIT))["id"] == after
        finally:
            await hub.stop()

    asyncio.run(scenario())


# The whole path through the app: the CTI writer inserts its feed rows without the ORM
# (``store/call_writes``) and announces them (``live_feed.announce``).

@pytest.fixture
def settings(db_url, tmp_path):
    from zongji.settings import Settings

    return Settings(database_url=db_url, data_dir=tmp_path, feed_safety_poll_seconds=SAFETY,
                    run_worker_in_server=False)


def test_a_cti_event_reaches_the_console_without_the_safety_poll(client, login, cti_token):
    from concurrent.futures import ThreadPoolExecutor

    login("supervisor")
    assert client.app.state.live_hub.safety_poll_seconds == SAFETY
    with client.websocket_connect("/api/live") as ws, ThreadPoolExecutor(1) as pool:
        r = client.post(f"/api/v1/cti/{cti_token}", json={
            "event": "newCall", "from": "13800138000", "to": "02088886666", "direction": "in",
            "callId": "wake-1"})
        assert r.status_code == 200
        received = pool.submit(ws.receive_json)
        msg = received.result(timeout=WAIT)  # the safety poll would take 30 s
        assert msg["topic"] == "call"
        assert (msg["payload"].get("externalId") or msg["payload"].get("external_id")) == "wake-1"


def test_stopping_while_a_wake_up_arrives_ends_the_hub(session_factory, db_url):
    """A server's shutdown once waited for ever: the poller was cancelled in the same loop turn
    as a wake-up, Python 3.11's wait_for returned the wake-up and dropped the cancellation, and
    stop() waited for a task that went on polling. Here the wake-up and the stop come together
    while the poller waits for a wake-up; stop() must return and the poller be cancelled."""
    async def scenario():
        hub = _hub(session_factory, db_url, in_process=False, listen=False)
        await _started(hub)
        while not hub.wake._waiters:  # the poller waits on the wake-up event
            await asyncio.sleep(0)
        hub.wake.set()
        stopping = asyncio.ensure_future(hub.stop())
        done, _ = await asyncio.wait({stopping}, timeout=WAIT)
        assert stopping in done, "stop() did not return"
        assert hub.task.cancelled()

    asyncio.run(scenario())
