"""The retention report (issue 18 point 3). Listed in ``zongji.store.schema``.

``RetentionRun``: one row per daily run and kind of record — what was deleted or anonymised, how
many rows, the cut-off applied, when the run of that kind started and finished. The run's job
steps add to it in their own transactions, so the counts are exactly what was committed.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import BigInteger, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from zongji.store.models import Base, BigId, utcnow


class RetentionRun(Base):
    __tablename__ = "retention_runs"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    # The run: "YYYY-MM-DD" of the scheduled local day, or "manual:<uuid>" for one run by hand.
    run_key: Mapped[str] = mapped_column(String(60))
    kind: Mapped[str] = mapped_column(String(20))  # zongji.domain.retention.policy.Kind
    action: Mapped[str] = mapped_column(String(20))  # "delete" | "anonymise"
    cutoff: Mapped[dt.datetime]
    rows: Mapped[int] = mapped_column(Integer, default=0)
    batches: Mapped[int] = mapped_column(Integer, default=0)
    # Where this kind's walk by id goes on: the next run starts from the last finished run's.
    resume_from: Mapped[int] = mapped_column(BigInteger, default=0)
    started_at: Mapped[dt.datetime] = mapped_column(default=utcnow, index=True)
    finished_at: Mapped[dt.datetime | None]

    __table_args__ = (UniqueConstraint("run_key", "kind", name="uq_retention_runs_run_kind"),)
