"""Tables of the statistics (issue 10): a supervisor's comment on an operator's period (R-C4).

Imported at the end of ``zongji.store.models`` so ``Base.metadata`` holds them.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Date, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from zongji.store.models import Base, BigId, utcnow


class OperatorReview(Base):
    """The comment of whoever evaluated an operator for a period; one per operator and period,
    replaced when written again (the audit trail keeps who wrote what)."""

    __tablename__ = "operator_reviews"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    period_from: Mapped[dt.date] = mapped_column(Date)
    period_to: Mapped[dt.date] = mapped_column(Date)
    comment: Mapped[str] = mapped_column(Text)
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    reviewed_by: Mapped[str] = mapped_column(String(100))
    reviewed_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    __table_args__ = (UniqueConstraint("user_id", "period_from", "period_to", name="uq_operator_reviews_user_period"),)
