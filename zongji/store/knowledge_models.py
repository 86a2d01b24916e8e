"""Tables of the knowledge base (issue 11, points 1–3).

Listed in ``zongji.store.schema``.

- ``KbArticle``: the current text of an article, its filters (lines, validity, status) and its
  pre-segmented ``title_terms`` / ``search_terms`` (``chinese_text.term_text`` of the analyser's
  terms: each term one space-separated token). The database finds candidates with them — SQLite
  through the FTS5 external-content table ``kb_articles_fts`` kept by triggers, PostgreSQL
  through a GIN index on ``to_tsvector('simple', search_terms)`` — and the domain ranks them.
- ``KbArticleVersion``: every change, with who made it, when, the whole text and the diff.
- ``KbProposal``: a handling unit's proposed new article or change, until the office decides.
- ``KbSynonymGroup``: the synonym table, one group a row (``流浪狗 = 流浪犬只 = 野狗``).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Date, Float, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from zongji.store.full_text import FullTextIndex
from zongji.store.models import Base, BigId, utcnow


class KbArticle(Base):
    __tablename__ = "kb_articles"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    # A stable key for imports and the demo ("sbk-lost"); null for articles written in the UI.
    key: Mapped[str | None] = mapped_column(String(80), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    answer: Mapped[str] = mapped_column(Text)
    keywords: Mapped[str] = mapped_column(Text, default="")  # one keyword a line
    category: Mapped[str] = mapped_column(String(80), default="")
    # The organisation whose lines it serves; ``line_codes`` narrows it (" a b ", empty = all).
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"), index=True)
    line_codes: Mapped[str] = mapped_column(String(400), default="")
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id"), index=True)
    valid_from: Mapped[dt.date | None] = mapped_column(Date)
    valid_to: Mapped[dt.date | None] = mapped_column(Date)
    next_review: Mapped[dt.date | None] = mapped_column(Date, index=True)
    # The day its overdue review was last notified (the daily task notifies once per date).
    review_notified_for: Mapped[dt.date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(20), default="draft", index=True)
    version: Mapped[int] = mapped_column(Integer, default=1)
    title_terms: Mapped[str] = mapped_column(Text, default="")
    search_terms: Mapped[str] = mapped_column(Text, default="")
    search_length: Mapped[float] = mapped_column(Float, default=0.0)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, index=True)


class KbArticleVersion(Base):
    __tablename__ = "kb_article_versions"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("kb_articles.id"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    snapshot: Mapped[dict[str, Any]]  # every versioned field after the change
    changes: Mapped[dict[str, Any]]  # {field: [old, new]}
    changed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    changed_by: Mapped[str] = mapped_column(String(120))
    changed_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    proposal_id: Mapped[int | None] = mapped_column(ForeignKey("kb_proposals.id"))


class KbProposal(Base):
    __tablename__ = "kb_proposals"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    article_id: Mapped[int | None] = mapped_column(ForeignKey("kb_articles.id"), index=True)  # null: new
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id"), index=True)
    fields: Mapped[dict[str, Any]]  # the proposed values (versioned fields only)
    base_version: Mapped[int | None] = mapped_column(Integer)
    note: Mapped[str] = mapped_column(Text, default="")
    state: Mapped[str] = mapped_column(String(20), default="pending", index=True)
    proposed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    proposed_by: Mapped[str] = mapped_column(String(120))
    proposed_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    decided_by: Mapped[str | None] = mapped_column(String(120))
    decided_at: Mapped[dt.datetime | None]
    reason: Mapped[str | None] = mapped_column(Text)


class KbSynonymGroup(Base):
    __tablename__ = "kb_synonym_groups"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    words: Mapped[str] = mapped_column(Text)  # "流浪狗 = 流浪犬只 = 野狗", the first word canonical
    updated_by: Mapped[str] = mapped_column(String(120), default="")
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


# ---------------------------------------------------------------- full-text candidates

ARTICLE_SEARCH = FullTextIndex("kb_articles")
FTS_TABLE = ARTICLE_SEARCH.fts_table  # kb_articles_fts
ARTICLE_SEARCH.install_after_create()
