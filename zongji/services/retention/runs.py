"""The retention report: one ``retention_runs`` row per run and kind, added to by each batch."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from zongji.domain.retention.policy import ACTIONS, Kind
from zongji.store.retention_models import RetentionRun

MAX_LIST = 500


def resume_point(session: Session, kind: Kind) -> int:
    """Where ``kind``'s walk by id starts: the last finished run's resume point (0 at first)."""
    value = session.scalar(select(RetentionRun.resume_from).where(
        RetentionRun.kind == str(kind), RetentionRun.finished_at.is_not(None))
        .order_by(RetentionRun.finished_at.desc(), RetentionRun.id.desc()).limit(1))
    return int(value or 0)


def get_or_start(session: Session, run_key: str, kind: Kind, cutoff: dt.datetime, now: dt.datetime) -> RetentionRun:
    row = session.scalar(select(RetentionRun).where(RetentionRun.run_key == run_key, RetentionRun.kind == str(kind)))
    if row is None:
        row = RetentionRun(run_key=run_key, kind=str(kind), action=str(ACTIONS[kind]), cutoff=cutoff, rows=0,
                           batches=0, resume_from=resume_point(session, kind), started_at=now)
        session.add(row)
        session.flush()
    return row


def list_runs(session: Session, *, limit: int = 100, kind: Kind | None = None) -> list[dict[str, Any]]:
    """The latest reports, newest first."""
    query = select(RetentionRun).order_by(RetentionRun.started_at.desc(), RetentionRun.id.desc()).limit(limit)
    if kind is not None:
        query = query.where(RetentionRun.kind == str(kind))
    return [{"id": r.id, "run": r.run_key, "kind": r.kind, "action": r.action, "cutoff": r.cutoff.isoformat(),
             "rows": r.rows, "batches": r.batches, "started_at": r.started_at.isoformat(),
             "finished_at": r.finished_at.isoformat() if r.finished_at else None}
            for r in session.scalars(query)]
