"""The demo's knowledge base (issue 11): content/articles.json and content/synonyms.txt.

Articles are loaded once (by ``key``) as the office's version 1, published, with their review
date ``review_months`` after today; units are looked up by name in the scope's organisation,
lines by code. The synonym table is loaded when it is empty.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from zongji.domain.knowledge.articles import next_review_after
from zongji.services.knowledge import articles, indexing, synonyms
from zongji.store.knowledge_models import KbArticle
from zongji.store.models import Department, Line

CONTENT = Path(__file__).with_name("content")


def load(session: Session, *, org_of_scope: dict[str, int], today: dt.date) -> int:
    """Load what is missing; returns how many articles were added."""
    new_synonyms = not synonyms.groups(session)
    if new_synonyms:
        synonyms.replace(session, None, (CONTENT / "synonyms.txt").read_text("utf-8").splitlines())
    existing = set(session.scalars(select(KbArticle.key).where(KbArticle.key.is_not(None))))
    known_lines = set(session.scalars(select(Line.code)))
    added = 0
    for item in json.loads((CONTENT / "articles.json").read_text("utf-8")):
        if item["key"] in existing:
            continue
        org_id = org_of_scope.get(item["scope"])
        unit_id = None
        if item["unit"] and org_id is not None:
            unit_id = session.scalar(select(Department.id).where(
                Department.organisation_id == org_id, Department.name == item["unit"]))
        articles.create(session, None, {
            "title": item["title"], "answer": item["answer"], "keywords": item["keywords"],
            "category": item["category"], "lines": [c for c in item["lines"] if c in known_lines],
            "unit_id": unit_id, "status": "published",
            "next_review": next_review_after(today, int(item["review_months"])).isoformat(),
        }, key=item["key"], organisation_id=org_id, index=False)
        added += 1
    if added or new_synonyms:
        indexing.reindex_all(session)
    return added
