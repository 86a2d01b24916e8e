"""This process's live-feed hub: one reader of the feed table for every socket of the process.

The hub reads committed feed rows (``services/live_feed``) as soon as it is woken, decides for
each open socket whether its viewer may receive each message and in what shape
(``domain/live_feed``), and queues it; it checks the sessions behind the open sockets every
``live_session_check_seconds`` and ends those whose session ended. The socket endpoint
(``api/routers/live``) registers a queue per socket and sends what arrives.

Wake-ups (issue 18, point 4): a commit in this process that added feed items wakes every hub of
the process (``live_feed.add_waker``); on PostgreSQL each hub also LISTENs on ``zongji_feed`` on
one connection of its own, so a commit in another process wakes it too (the NOTIFY is sent in the
feed item's transaction, hence only on commit). A LISTEN connection that drops is reopened with
back-off, and every (re)connection is followed by a catch-up read. The hub still reads every
``feed_safety_poll_seconds`` whatever happens: the safety net, and the only cross-process path on
SQLite (several processes on one SQLite file see each other's items at that poll).

A transaction that started earlier may commit later with a smaller id, and a rolled-back
transaction leaves a hole: ``FeedCursor`` remembers skipped ids for ``GAP_SECONDS``.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any, Callable

from sqlalchemy.engine import make_url

from zongji.domain.live_feed import Viewer, may_receive, shape_for
from zongji.services import auth
from zongji.services import live_sessions
from zongji.services import scope as scope_service
from zongji.services import live_feed as feed
from zongji.store.db import transaction

log = logging.getLogger(__name__)

# How long a skipped id is looked for again before it is taken for a rolled-back insert.
GAP_SECONDS = 30.0
# The most skipped ids remembered at once (the oldest are forgotten first).
MAX_GAPS = 5000
# The most rows read in one poll; the rest are read on the next poll, at once.
BATCH = 1000
# Messages queued for one slow client before it is disconnected (it reloads on reconnect).
CLIENT_QUEUE = 2000
# How often the sessions behind this process's open sockets are checked, all in one query: a
# logout, expiry, deactivation or role change ends the user's sockets within this time, busy or
# idle (issue 12, point 1).
SESSION_CHECK_SECONDS = 1.0
# The shortest time between two reads of the feed table: under a burst of commits (the CTI writer
# commits up to hundreds of times a second) wake-ups are folded into at most 50 reads a second per
# process, adding at most this much to a delivery.
MIN_READ_GAP = 0.02
# Back-off of a LISTEN connection that failed or dropped: first wait, doubled up to the longest.
LISTEN_RETRY_FIRST = 0.1
LISTEN_RETRY_MAX = 5.0
# stop(): how long to wait for a cancelled task before cancelling it again.
STOP_RECANCEL_SECONDS = 0.5

# Opens a database session (the app's ``sessionmaker``).
SessionFactory = Callable[[], Any]

SLOW = "slow"
STOP = "stop"
REVOKED = "revoked"


@dataclass
class FeedCursor:
    """Which feed ids have been delivered: everything up to ``last_id`` except the open ``gaps``."""

    last_id: int = 0
    # id -> monotonic time when it was first seen missing.
    gaps: OrderedDict[int, float] = field(default_factory=OrderedDict)

    def accept(self, ids: list[int], now: float) -> list[int]:
        """Record rows just read; returns the ids that are new (not sent before), in order."""
        fresh: list[int] = []
        for i in sorted(set(ids)):
            if i > self.last_id:
                for missing in range(max(self.last_id + 1, i - MAX_GAPS), i):
                    self.gaps[missing] = now
                self.last_id = i
                fresh.append(i)
            elif self.gaps.pop(i, None) is not None:
                fresh.append(i)
        self.expire(now)
        return fresh

    def expire(self, now: float) -> None:
        while self.gaps:
            _, seen = next(iter(self.gaps.items()))
            if now - seen < GAP_SECONDS and len(self.gaps) <= MAX_GAPS:
                break
            self.gaps.popitem(last=False)


def _current_max_id(factory: SessionFactory) -> int:
    with factory() as s:
        return feed.latest_id(s)


def _read_new(factory: SessionFactory, cursor: FeedCursor) -> list[dict[str, Any]]:
    """Rows past ``last_id`` plus rows that filled a gap, as messages; updates ``cursor``."""
    with factory() as s:
        by_id = feed.read(s, after_id=cursor.last_id, also_ids=list(cursor.gaps)[-BATCH:], limit=BATCH)
    fresh = cursor.accept(list(by_id), time.monotonic())
    return [by_id[i] for i in fresh]


class Hub:
    """The WebSocket clients of one process and the reader that feeds them."""

    def __init__(self, factory: SessionFactory, safety_poll_seconds: float, *, session_hours: int = 12,
                 session_check_seconds: float = SESSION_CHECK_SECONDS, listen_url: str | None = None,
                 wake_in_process: bool = True):
        """``listen_url``: the database to LISTEN on if it is PostgreSQL (None or SQLite: no
        cross-process wake-up). ``wake_in_process=False`` leaves this process's commits to LISTEN and the
        safety poll (the bench's baseline and the tests of the cross-process path)."""
        self.factory = factory
        self.safety_poll_seconds = max(0.01, float(safety_poll_seconds))
        self.session_hours = session_hours
        self.session_check_seconds = max(0.05, float(session_check_seconds))
        postgres = listen_url is not None and make_url(listen_url).get_backend_name() == "postgresql"
        self.listen_url = listen_url if postgres else None
        self.wake_in_process = wake_in_process
        # Each client's queue and who it is (what it may receive: :func:`may_receive`).
        self.clients: dict[asyncio.Queue, Viewer] = {}
        # Clients whose session ended: nothing more is sent to them, their socket is closed.
        self.revoked: set[asyncio.Queue] = set()
        self.cursor = FeedCursor()
        self.task: asyncio.Task | None = None
        self.watcher: asyncio.Task | None = None
        self.listener: asyncio.Task | None = None
        self.ready = asyncio.Event()
        self.wake = asyncio.Event()
        self.loop: asyncio.AbstractEventLoop | None = None
        # For tests and the bench: wake-ups from this process's commits, notifications received,
        # LISTEN connections made, and the server pid of the current one.
        self.local_wakeups = 0
        self.notifications = 0
        self.listen_connects = 0
        self.listen_pid: int | None = None
        self.listening = asyncio.Event()

    async def start(self) -> None:
        self.loop = asyncio.get_running_loop()
        if self.wake_in_process:
            feed.add_waker(self._wake_from_thread)
        self.task = asyncio.create_task(self._run(), name="zongji-live-poller")
        self.watcher = asyncio.create_task(self._watch_sessions(), name="zongji-live-sessions")
        if self.listen_url:
            self.listener = asyncio.create_task(self._listen(), name="zongji-live-listen")

    async def stop(self) -> None:
        feed.remove_waker(self._wake_from_thread)
        for task in (self.task, self.watcher, self.listener):
            # Cancelled again until it ends: a cancellation swallowed by a library on its way
            # (a wait that completed at the same moment) must not leave the server's shutdown
            # waiting for a task that goes on running.
            while task is not None and not task.done():
                task.cancel()
                await asyncio.wait({task}, timeout=STOP_RECANCEL_SECONDS)
            if task is not None and not task.cancelled():
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    task.result()
        for q in list(self.clients):
            force(q, STOP)

    def _wake_from_thread(self) -> None:
        """Called by the committing thread (any thread) after a commit that added feed items."""
        loop = self.loop
        if loop is not None and not loop.is_closed():
            loop.call_soon_threadsafe(self._local_wake)

    def _local_wake(self) -> None:
        self.local_wakeups += 1
        self.wake.set()

    async def _listen(self) -> None:
        """LISTEN on the feed channel on a connection of this hub's own; each notification wakes
        the hub. A failed or dropped connection is reopened with back-off, then a catch-up read."""
        import psycopg  # PostgreSQL only: an SQLite server never loads the driver

        conninfo = make_url(self.listen_url).set(drivername="postgresql").render_as_string(hide_password=False)
        retry = LISTEN_RETRY_FIRST
        while True:
            try:
                async with await psycopg.AsyncConnection.connect(conninfo, autocommit=True) as conn:
                    await conn.execute(f"LISTEN {feed.CHANNEL}")
                    self.listen_connects += 1
                    self.listen_pid = conn.info.backend_pid
                    self.listening.set()
                    retry = LISTEN_RETRY_FIRST
                    self.wake.set()  # catch up on whatever committed while not listening
                    me = feed.sender()
                    async for note in conn.notifies():
                        self.notifications += 1
                        # This process's own commits have already woken it (after-commit hook).
                        if not (self.wake_in_process and note.payload == me):
                            self.wake.set()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.warning("live feed: LISTEN connection lost; reconnecting in %.1f s", retry,
                            exc_info=True)
            self.listening.clear()
            self.listen_pid = None
            self.wake.set()
            await asyncio.sleep(retry)
            retry = min(retry * 2, LISTEN_RETRY_MAX)

    async def _watch_sessions(self) -> None:
        """Once every ``session_check_seconds``: end the sockets whose session is no longer valid
        or whose user's role changed (one query for all sockets of this process)."""
        while True:
            await asyncio.sleep(self.session_check_seconds)
            clients = list(self.clients.items())
            if not clients:
                continue
            try:
                valid = await asyncio.to_thread(self._valid_sessions, {v.token_hash for _, v in clients})
            except Exception:
                log.warning("live feed: session check failed; retrying", exc_info=True)
                continue
            for q, viewer in clients:
                if valid.get(viewer.token_hash) != (viewer.user_id, viewer.role):
                    self.end(q)

    def _valid_sessions(self, hashes: set[str]) -> dict[str, tuple[int, str]]:
        with transaction(self.factory) as s:
            return live_sessions.still_valid(s, hashes, hours=self.session_hours)

    def end(self, q: asyncio.Queue) -> None:
        """The client's session ended: send it nothing more and close its socket."""
        self.revoked.add(q)
        self.clients.pop(q, None)
        force(q, REVOKED)

    async def _run(self) -> None:
        while not self.ready.is_set():
            try:
                self.cursor.last_id = await asyncio.to_thread(_current_max_id, self.factory)
                self.ready.set()
            except Exception:  # database not there yet (e.g. before migrations): try again
                log.warning("live feed: cannot read the feed table yet", exc_info=True)
                await asyncio.sleep(1.0)
        last_read = 0.0
        while True:
            gap = last_read + MIN_READ_GAP - time.monotonic()
            if gap > 0:
                await asyncio.sleep(gap)
            last_read = time.monotonic()
            # Cleared before the read: a commit during the read wakes the next one.
            self.wake.clear()
            try:
                messages = await asyncio.to_thread(_read_new, self.factory, self.cursor)
            except Exception:
                log.warning("live feed: read failed; retrying", exc_info=True)
                await asyncio.sleep(min(self.safety_poll_seconds, 1.0))
                continue
            for m in messages:
                self.broadcast(m)
            if len(messages) < BATCH:
                # asyncio.timeout, not wait_for: Python 3.11's wait_for returns normally when the
                # wake-up and a cancellation arrive together, swallowing the cancellation, and the
                # hub's stop() then waited for ever (seen as a hung test teardown).
                with contextlib.suppress(TimeoutError):
                    async with asyncio.timeout(self.safety_poll_seconds):
                        await self.wake.wait()

    def broadcast(self, message: dict[str, Any]) -> None:
        for q, viewer in list(self.clients.items()):
            if not may_receive(viewer, message):
                continue
            try:
                q.put_nowait(shape_for(viewer, message))
            except asyncio.QueueFull:
                # A client that cannot keep up is dropped; it re-syncs when it reconnects.
                self.clients.pop(q, None)
                force(q, SLOW)


def scope_of(factory: SessionFactory, user):
    with factory() as s:
        return scope_service.scope_of(s, user)


def force(q: asyncio.Queue, item: Any) -> None:
    """Put ``item`` even into a full queue (dropping what the client would not read anyway)."""
    while True:
        try:
            q.put_nowait(item)
            return
        except asyncio.QueueFull:
            with contextlib.suppress(asyncio.QueueEmpty):
                q.get_nowait()


def user_for_token(factory, token: str, hours: int):
    with transaction(factory) as s:
        user = auth.user_for_session_token(s, token, hours=hours)
        if user is None:
            return None
        s.expunge(user)
        return user


