"""The office's synonym table (issue 11, point 2): stored one group a row; a change re-indexes."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from zongji.domain.chinese_text import parse_synonym_group
from zongji.domain.knowledge.permissions import may_edit_synonyms
from zongji.errors import Forbidden
from zongji.services import audit, live_feed
from zongji.services.actors import actor, who
from zongji.services.knowledge import indexing
from zongji.store.knowledge_models import KbSynonymGroup
from zongji.store.models import User, utcnow


def groups(session: Session) -> list[str]:
    return list(session.scalars(select(KbSynonymGroup.words).order_by(KbSynonymGroup.id)))


def replace(session: Session, user: User | None, lines: list[str], *, now: dt.datetime | None = None) -> list[str]:
    """Replace the table with ``lines`` (``a = b = c``; ``#`` comments and blanks skipped) and
    schedule the re-index of every article."""
    if user is not None and not may_edit_synonyms(user.role):
        raise Forbidden("only the hotline office edits synonyms", field="lines")
    now = now or utcnow()
    kept = []
    for line in lines:
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        group = parse_synonym_group(line)
        if group:
            kept.append(" = ".join(group))
    session.execute(delete(KbSynonymGroup))
    for words in kept:
        session.add(KbSynonymGroup(words=words, updated_by=who(user), updated_at=now))
    session.flush()
    audit.record(session, actor=actor(user), user_id=user.id if user else None, action="update",
                 entity="kb_synonyms", detail={"groups": len(kept)})
    live_feed.publish(session, "knowledge", None, {"synonyms": len(kept)})
    indexing.schedule_reindex(session, now)
    return kept
