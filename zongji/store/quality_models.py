"""Service quality (issue 11, points 7 and 8): forbidden phrases per line, the hits found in
what agents saved (R-P10, R-S16), and calls put on hold (R-P9). Listed in ``zongji.store.schema``."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from zongji.store.models import Base, BigId, utcnow


class ForbiddenPhrase(Base):
    """One phrase of a line's list (``line_id`` NULL: every line). Pattern language:
    ``domain.service_language.phrases``."""

    __tablename__ = "forbidden_phrases"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    line_id: Mapped[int | None] = mapped_column(ForeignKey("lines.id"), index=True)
    phrase: Mapped[str] = mapped_column(String(60))
    suggestion: Mapped[str] = mapped_column(Text, default="")
    kind: Mapped[str] = mapped_column(String(20))
    exceptions: Mapped[list] = mapped_column(JSON, default=list)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class PhraseHit(Base):
    """One forbidden phrase found in a text someone saved: who (operator or unit), when, on
    which line, in which kind of text (``note``, ``reply``, ``sms`` …)."""

    __tablename__ = "phrase_hits"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    department_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id"))
    line_id: Mapped[int | None] = mapped_column(ForeignKey("lines.id"))
    call_id: Mapped[int | None] = mapped_column(ForeignKey("calls.id"))
    text_kind: Mapped[str] = mapped_column(String(30))
    phrase: Mapped[str] = mapped_column(String(60))

    __table_args__ = (
        Index("ix_phrase_hits_user_at", "user_id", "at"),
        Index("ix_phrase_hits_call", "call_id"),
    )


class CallHold(Base):
    """A caller put on hold, with their consent (R-P9): who, when it started and ended."""

    __tablename__ = "call_holds"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    call_id: Mapped[int] = mapped_column(ForeignKey("calls.id"), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    consent: Mapped[bool] = mapped_column(Boolean, default=True)
    started_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    ended_at: Mapped[dt.datetime | None]


class EvaluationItem(Base):
    """One item calls are scored on (质检项, R-O5), edited by a supervisor. No rows: the domain's
    defaults (``domain.quality.CRITERIA``)."""

    __tablename__ = "evaluation_items"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    key: Mapped[str] = mapped_column(String(30), unique=True)
    label_zh: Mapped[str] = mapped_column(String(60))
    label_en: Mapped[str] = mapped_column(String(60), default="")
    points: Mapped[int] = mapped_column(Integer)
    order: Mapped[int] = mapped_column("position", Integer, default=0)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
