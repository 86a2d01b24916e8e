"""The live feed's table: publishing to it (the one way a service tells every console that
something changed) and reading what was published (for the socket's poller).

A feed item (topic, entity id, payload) is written in the same transaction as the change it
announces, so it is seen exactly when the change is committed and never for a change rolled back.
Who may receive each item, and in what shape, is decided once in ``zongji.domain.live_feed``;
each server process pushes committed items to its sockets (``zongji.services.live_hub``), woken
as soon as an item commits (the wake-ups at the end of this module).
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import socket
import threading
from typing import Any, Callable

from sqlalchemy import event, func, select
from sqlalchemy.orm import Session

from zongji.store.models import FeedItem

log = logging.getLogger(__name__)


def publish(session: Session, topic: str, entity_id: Any, payload: dict[str, Any] | None, *,
            at: dt.datetime | None = None) -> FeedItem:
    """Add one item to the feed in ``session``'s transaction and return it (stamped ``at``, by
    default now)."""
    item = FeedItem(topic=topic, entity_id=None if entity_id is None else str(entity_id), payload=payload)
    if at is not None:
        item.at = at
    session.add(item)
    return item


def latest_id(session: Session) -> int:
    """The largest feed id so far (0 for an empty feed): where a new poller starts."""
    return int(session.scalar(select(func.max(FeedItem.id))) or 0)


def read(session: Session, *, after_id: int, also_ids: list[int], limit: int) -> dict[int, dict[str, Any]]:
    """Up to ``limit`` items with an id above ``after_id``, plus those among ``also_ids`` (ids
    skipped before, now committed), as messages ``{"topic", "id", "payload", "entity_id", "at"}``
    by id."""
    rows = list(session.scalars(
        select(FeedItem).where(FeedItem.id > after_id).order_by(FeedItem.id).limit(limit)
    ))
    if also_ids:
        rows += list(session.scalars(select(FeedItem).where(FeedItem.id.in_(also_ids))))
    return {
        r.id: {"topic": r.topic, "id": r.id, "payload": r.payload,
               "entity_id": r.entity_id, "at": r.at.isoformat() if r.at else None}
        for r in rows
    }


# --- Wake-ups: a committed feed item wakes the hubs at once (issue 18, point 4) ----------------
#
# In this process: every session that flushed a FeedItem calls the registered wakers after its
# transaction commits (never after a rollback). Across processes on PostgreSQL: the same flush
# sends ``NOTIFY zongji_feed`` in the feed item's own transaction, which PostgreSQL delivers only
# when (and if) it commits; each process's hub LISTENs on one connection of its own. SQLite has no
# cross-process signal: other processes see the item at their safety poll.

# The PostgreSQL channel a committed feed item is announced on.
CHANNEL = "zongji_feed"
# Session.info key: this transaction flushed at least one feed item.
_FLUSHED = "zongji_feed_flushed"

_wakers: set[Callable[[], None]] = set()
_wakers_lock = threading.Lock()


def add_waker(waker: Callable[[], None]) -> None:
    """Call ``waker()`` (from whichever thread commits) after every commit that added feed items.
    It must be quick and thread-safe (e.g. ``loop.call_soon_threadsafe(event.set)``)."""
    with _wakers_lock:
        _wakers.add(waker)


def remove_waker(waker: Callable[[], None]) -> None:
    with _wakers_lock:
        _wakers.discard(waker)


def sender() -> str:
    """The NOTIFY payload: this process (its own hubs, already woken by the after-commit hook,
    skip it). Computed per call: a process forked after import has its own."""
    return f"{socket.gethostname()}:{os.getpid()}"


def announce(session: Session) -> None:
    """Feed rows were written in ``session``'s transaction without the ORM (the CTI writer's
    bulk insert): wake the hubs when it commits, as the ORM's flush does by itself."""
    session.info[_FLUSHED] = True
    conn = session.connection()
    if conn.dialect.name == "postgresql":
        # Queued by PostgreSQL with the transaction: sent on commit, dropped on rollback. Several
        # identical notifications of one transaction are folded into one.
        conn.exec_driver_sql("SELECT pg_notify(%(channel)s, %(sender)s)",
                             {"channel": CHANNEL, "sender": sender()})


@event.listens_for(Session, "after_flush")
def _feed_flushed(session: Session, _flush_context) -> None:
    if any(isinstance(o, FeedItem) for o in session.new):
        announce(session)


@event.listens_for(Session, "after_commit")
def _feed_committed(session: Session) -> None:
    if not session.info.pop(_FLUSHED, False):
        return
    with _wakers_lock:
        wakers = list(_wakers)
    for waker in wakers:
        try:
            waker()
        except Exception:  # a hub whose loop has closed: it is going away anyway
            log.debug("live feed: a waker failed", exc_info=True)


@event.listens_for(Session, "after_rollback")
def _feed_rolled_back(session: Session) -> None:
    session.info.pop(_FLUSHED, None)
