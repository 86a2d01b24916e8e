"""Operators' away periods (issue 10, point 2): one row per period, open while ``ended_at`` is
null. Listed in ``zongji.store.schema`` so that its metadata holds them."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from zongji.store.models import Base, BigId


class OperatorAway(Base):
    __tablename__ = "operator_away"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    reason: Mapped[str] = mapped_column(String(20))  # zongji.domain.presence.AwayReason
    started_at: Mapped[dt.datetime]
    ended_at: Mapped[dt.datetime | None]

    __table_args__ = (Index("ix_operator_away_user_started", "user_id", "started_at"),
                      Index("ix_operator_away_open", "ended_at", "user_id"))
