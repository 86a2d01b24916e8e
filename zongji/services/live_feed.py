"""The live feed's table: publishing to it (the one way a service tells every console that
something changed) and reading what was published (for the socket's poller).

A feed item (topic, entity id, payload) is written in the same transaction as the change it
announces, so it is seen exactly when the change is committed and never for a change rolled back.
Who may receive each item, and in what shape, is decided once in ``zongji.domain.live_feed``;
each server process pushes committed items to its sockets (``zongji.services.live_hub``).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from zongji.store.models import FeedItem


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
