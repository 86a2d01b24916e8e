"""Live push: WebSocket ``/api/live`` sends each new feed row to the consoles of this process.

Every server process runs one reader, the hub (``services/live_hub.py``, started by
:func:`running` in the app's lifespan). It reads
new :class:`~zongji.store.models.FeedItem` rows as soon as a commit wakes it (an in-process
signal; PostgreSQL LISTEN/NOTIFY from other processes), and at the latest every
``settings.feed_safety_poll_seconds``, and sends ``{"topic", "id", "payload"}`` to each WebSocket
connected to this process. Because every process reads the shared table, push works with several
worker processes and on both databases (across processes on SQLite: at the safety poll).

Rows can become visible out of id order: PostgreSQL hands out sequence values at INSERT time, so a
transaction that started earlier may commit later with a smaller id, and a rolled-back transaction
leaves a gap forever. The poller therefore remembers the ids it has skipped over ("gaps") for
``GAP_SECONDS`` and looks for them again on each poll; every id is sent at most once. It starts
from the current largest id (no replay of history) and never deletes anything.
"""

from __future__ import annotations

import asyncio
from contextlib import asynccontextmanager

from fastapi import WebSocket, WebSocketDisconnect

from zongji.api.deps import SESSION_COOKIE
from zongji.domain.live_feed import may_connect, viewer_for
from zongji.services import auth
from zongji.services.live_hub import CLIENT_QUEUE, REVOKED, SLOW, STOP, Hub, scope_of, user_for_token
from zongji.api.errors import area_router

router = area_router(tags=["live"])

CLOSE_UNAUTHORIZED = 4401
CLOSE_FORBIDDEN = 4403
CLOSE_TOOSLOW = 4408


@asynccontextmanager
async def running(app):
    """Start this process's feed reader for the life of the app."""
    settings = app.state.settings
    hub = Hub(app.state.session_factory, settings.feed_safety_poll_seconds,
              session_hours=settings.session_hours,
              session_check_seconds=settings.live_session_check_seconds,
              listen_url=settings.database_url if settings.feed_wake_ups else None,
              wake_in_process=settings.feed_wake_ups)
    app.state.live_hub = hub
    await hub.start()
    try:
        yield
    finally:
        await hub.stop()


@router.websocket("/api/live")
async def live(websocket: WebSocket) -> None:
    app = websocket.app
    settings = app.state.settings
    token = websocket.cookies.get(SESSION_COOKIE)
    user = None
    if token:
        user = await asyncio.to_thread(user_for_token, app.state.session_factory, token,
                                       settings.session_hours)
    if user is None:
        await websocket.close(code=CLOSE_UNAUTHORIZED, reason="log in first")
        return
    if not may_connect(user.role):
        await websocket.close(code=CLOSE_FORBIDDEN, reason="not a console role")
        return
    viewer = viewer_for(user_id=user.id, role=user.role, department_id=user.department_id,
                        scope=await asyncio.to_thread(scope_of, app.state.session_factory, user),
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
            if queue in hub.revoked or message is REVOKED:
                # The session ended (logout, expiry, deactivation, role change): nothing queued
                # before is sent any more.
                await websocket.close(code=CLOSE_UNAUTHORIZED, reason="session ended")
                break
            if message is SLOW or message is STOP:
                await websocket.close(code=CLOSE_TOOSLOW if message is SLOW else 1001)
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
