"""Tables of outbound call lists (issue 14 point 4, R-S13, R-S12). Listed in ``zongji.store.schema``.

- ``OutboundList``: one list (its source: customers, work orders, an XLSX import), the message an
  automatic call speaks and the survey's questions.
- ``OutboundEntry``: one person to call, the state of ``zongji.domain.outbound.EntryState`` in
  columns; a claim is ``claimed_by_id`` + ``lease_until`` written by one conditional UPDATE, so two
  operators never hold the same entry.
- ``OutboundAttempt``: one recorded try (who, result, notes, survey answers).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from zongji.store.models import Base, BigId, utcnow


class OutboundList(Base):
    __tablename__ = "outbound_lists"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    source: Mapped[str] = mapped_column(String(20))  # customers, work_orders, xlsx
    purpose: Mapped[str] = mapped_column(String(20), default="notice")  # notice, survey, follow_up
    message: Mapped[str] = mapped_column(Text, default="")  # spoken by automatic calls
    questions: Mapped[list[Any]] = mapped_column(JSON, default=list)  # the survey's questions
    automatic: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class OutboundEntry(Base):
    __tablename__ = "outbound_entries"
    __table_args__ = (Index("ix_outbound_entries_list_state_due", "list_id", "state", "due_at"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    list_id: Mapped[int] = mapped_column(ForeignKey("outbound_lists.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(100), default="")
    number: Mapped[str] = mapped_column(String(40), default="")
    address: Mapped[str] = mapped_column(String(200), default="")
    ref: Mapped[str] = mapped_column(String(40), default="")  # customer id, order number, sheet row
    state: Mapped[str] = mapped_column(String(20), default="pending")
    tries: Mapped[int] = mapped_column(Integer, default=0)
    result: Mapped[str | None] = mapped_column(String(20))
    due_at: Mapped[dt.datetime | None]
    claimed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    lease_until: Mapped[dt.datetime | None]
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class OutboundAttempt(Base):
    __tablename__ = "outbound_attempts"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("outbound_entries.id", ondelete="CASCADE"), index=True)
    by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))  # None: the automatic caller
    result: Mapped[str] = mapped_column(String(20))
    note: Mapped[str] = mapped_column(Text, default="")
    answers: Mapped[dict[str, Any] | None]
    call_back_at: Mapped[dt.datetime | None]
    at: Mapped[dt.datetime]
