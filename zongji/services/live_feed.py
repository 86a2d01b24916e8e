"""Publishing to the live feed: the one way a service tells every console that something changed.

A feed item (topic, entity id, payload) is written in the same transaction as the change it
announces, so it is seen exactly when the change is committed and never for a change rolled back.
Who may receive each item, and in what shape, is decided once in ``zongji.domain.live_feed``;
each server process pushes committed items to its sockets (``zongji.api.routers.live``).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from zongji.store.models import FeedItem


def publish(session: Session, topic: str, entity_id: Any, payload: dict[str, Any] | None) -> FeedItem:
    """Add one item to the feed in ``session``'s transaction and return it."""
    item = FeedItem(topic=topic, entity_id=None if entity_id is None else str(entity_id), payload=payload)
    session.add(item)
    return item
