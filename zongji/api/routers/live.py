"""Live push: WebSocket ``/api/live`` sends each new feed row to the consoles of this process.

Every server process runs one poller (started by :func:`running` in the app's lifespan). It reads
new :class:`~zongji.store.models.FeedItem` rows every ``settings.feed_poll_seconds`` and sends
``{"topic", "id", "payload"}`` to each WebSocket connected to this process. Because every process
polls the shared table, push works with several worker processes and on both databases.

Rows can become visible out of id order: PostgreSQL hands out sequence values at INSERT time, so a
transaction that started earlier may commit later with a smaller id, and a rolled-back transaction
leaves a gap forever. The poller therefore remembers the ids it has skipped over ("gaps") for
``GAP_SECONDS`` and looks for them again on each poll; every id is sent at most once. It starts
from the current largest id (no replay of history) and never deletes anything.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections import OrderedDict
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any, Callable

from fastapi import APIRouter, WebSocket, WebSocketDisconnect

from zongji.api.deps import SESSION_COOKIE
from zongji.domain.live_feed import Viewer, may_connect, may_receive, shape_for, viewer_for
from zongji.services import auth
from zongji.services import live_sessions
from zongji.services import scope as scope_service
from zongji.services import live_feed as feed
from zongji.store.db import transaction

log = logging.getLogger(__name__)

router = APIRouter(tags=["live"])

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

# Opens a database session (the app's ``sessionmaker``).
SessionFactory = Callable[[], Any]

CLOSE_UNAUTHORIZED = 4401
CLOSE_FORBIDDEN = 4403
CLOSE_TOO_SLOW = 4408

_SLOW = "slow"
_STOP = "stop"
_REVOKED = "revoked"


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
    """The WebSocket clients of one process and the poller that feeds them."""

    def __init__(self, factory: SessionFactory, poll_seconds: float, *, session_hours: int = 12,
                 session_check_seconds: float = SESSION_CHECK_SECONDS):
        self.factory = factory
        self.poll_seconds = max(0.01, float(poll_seconds))
        self.session_hours = session_hours
        self.session_check_seconds = max(0.05, float(session_check_seconds))
        # Each client's queue and who it is (what it may receive: :func:`may_receive`).
        self.clients: dict[asyncio.Queue, Viewer] = {}
        # Clients whose session ended: nothing more is sent to them, their socket is closed.
        self.revoked: set[asyncio.Queue] = set()
        self.cursor = FeedCursor()
        self.task: asyncio.Task | None = None
        self.watcher: asyncio.Task | None = None
        self.ready = asyncio.Event()

    async def start(self) -> None:
        self.task = asyncio.create_task(self._run(), name="zongji-live-poller")
        self.watcher = asyncio.create_task(self._watch_sessions(), name="zongji-live-sessions")

    async def stop(self) -> None:
        for task in (self.task, self.watcher):
            if task:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await task
        for q in list(self.clients):
            _force(q, _STOP)

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
        _force(q, _REVOKED)

    async def _run(self) -> None:
        while not self.ready.is_set():
            try:
                self.cursor.last_id = await asyncio.to_thread(_current_max_id, self.factory)
                self.ready.set()
            except Exception:  # database not there yet (e.g. before migrations): try again
                log.warning("live feed: cannot read the feed table yet", exc_info=True)
                await asyncio.sleep(max(self.poll_seconds, 1.0))
        while True:
            try:
                messages = await asyncio.to_thread(_read_new, self.factory, self.cursor)
            except Exception:
                log.warning("live feed: poll failed; retrying", exc_info=True)
                await asyncio.sleep(max(self.poll_seconds, 1.0))
                continue
            for m in messages:
                self.broadcast(m)
            if len(messages) < BATCH:
                await asyncio.sleep(self.poll_seconds)

    def broadcast(self, message: dict[str, Any]) -> None:
        for q, viewer in list(self.clients.items()):
            if not may_receive(viewer, message):
                continue
            try:
                q.put_nowait(shape_for(viewer, message))
            except asyncio.QueueFull:
                # A client that cannot keep up is dropped; it re-syncs when it reconnects.
                self.clients.pop(q, None)
                _force(q, _SLOW)


def _scope_of(factory: SessionFactory, user):
    with factory() as s:
        return scope_service.scope_of(s, user)


def _force(q: asyncio.Queue, item: Any) -> None:
    """Put ``item`` even into a full queue (dropping what the client would not read anyway)."""
    while True:
        try:
            q.put_nowait(item)
            return
        except asyncio.QueueFull:
            with contextlib.suppress(asyncio.QueueEmpty):
                q.get_nowait()


@asynccontextmanager
async def running(app):
    """Start this process's feed poller for the life of the app."""
    settings = app.state.settings
    hub = Hub(app.state.session_factory, settings.feed_poll_seconds, session_hours=settings.session_hours,
              session_check_seconds=settings.live_session_check_seconds)
    app.state.live_hub = hub
    await hub.start()
    try:
        yield
    finally:
        await hub.stop()


def _user_for_token(factory, token: str, hours: int):
    with transaction(factory) as s:
        user = auth.user_for_session_token(s, token, hours=hours)
        if user is None:
            return None
        s.expunge(user)
        return user


@router.websocket("/api/live")
async def live(websocket: WebSocket) -> None:
    app = websocket.app
    settings = app.state.settings
    token = websocket.cookies.get(SESSION_COOKIE)
    user = None
    if token:
        user = await asyncio.to_thread(_user_for_token, app.state.session_factory, token,
                                       settings.session_hours)
    if user is None:
        await websocket.close(code=CLOSE_UNAUTHORIZED, reason="log in first")
        return
    if not may_connect(user.role):
        await websocket.close(code=CLOSE_FORBIDDEN, reason="not a console role")
        return
    viewer = viewer_for(user_id=user.id, role=user.role, department_id=user.department_id,
                        scope=await asyncio.to_thread(_scope_of, app.state.session_factory, user),
                        token_hash=auth.hash_token(token))
    hub: Hub | None = getattr(app.state, "live_hub", None)
    if hub is None:
        await websocket.close(code=1011, reason="live feed not running")
        return
    # Register before accepting: once the client sees the socket open, it misses nothing.
    await hub.ready.wait()
    queue: asyncio.Queue = asyncio.Queue(maxsize=CLIENT_QUEUE)
    hub.clients[queue] = viewer
    receiver: asyncio.Task | None = None
    try:
        await websocket.accept()
        receiver = asyncio.create_task(_drain(websocket))
        while True:
            getter = asyncio.create_task(queue.get())
            done, _ = await asyncio.wait({getter, receiver}, return_when=asyncio.FIRST_COMPLETED)
            if receiver in done:  # the client went away
                getter.cancel()
                break
            message = getter.result()
            if queue in hub.revoked or message is _REVOKED:
                # The session ended (logout, expiry, deactivation, role change): nothing queued
                # before is sent any more.
                await websocket.close(code=CLOSE_UNAUTHORIZED, reason="session ended")
                break
            if message is _SLOW or message is _STOP:
                await websocket.close(code=CLOSE_TOO_SLOW if message is _SLOW else 1001)
                break
            await websocket.send_json(message)
    except (WebSocketDisconnect, RuntimeError):
        pass
    finally:
        hub.clients.pop(queue, None)
        hub.revoked.discard(queue)
        if receiver is not None:
            receiver.cancel()


async def _drain(websocket: WebSocket) -> None:
    """Read (and ignore) what the client sends, so a disconnect is noticed at once."""
    try:
        while True:
            msg = await websocket.receive()
            if msg.get("type") == "websocket.disconnect":
                return
    except Exception:
        return
