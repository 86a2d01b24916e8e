"""Repository of jobs (timers): schedule, cancel, claim with a lease, finish.

Claiming is safe with several worker processes: on PostgreSQL with ``FOR UPDATE SKIP LOCKED``,
on SQLite because writers are serialised (``BEGIN IMMEDIATE``, see zongji.store.db.transaction).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from zongji.store.models import Job, utcnow


def schedule(
    session: Session,
    kind: str,
    key: str,
    due_at: dt.datetime,
    payload: dict[str, Any] | None = None,
    *,
    reschedule: bool = False,
) -> Job:
    """Schedule a job once per ``key``. With ``reschedule``, a pending job with that key moves to
    ``due_at`` (and takes the new payload); otherwise the existing job is kept as it is."""
    job = session.scalar(select(Job).where(Job.key == key))
    if job is None:
        # Insert-or-ignore: two transactions scheduling the same key at once keep one job, and
        # neither fails on the unique key.
        session.execute(
            _insert(session).values(kind=kind, key=key, due_at=due_at, payload=payload,
                                    state="pending", attempts=0, created_at=utcnow())
            .on_conflict_do_nothing(index_elements=["key"])
        )
        job = session.scalar(select(Job).where(Job.key == key).execution_options(populate_existing=True))
    elif reschedule and job.state == "pending":
        job.due_at = due_at
        job.payload = payload
    return job


def _insert(session: Session):
    if session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    return insert(Job)


def cancel(session: Session, key: str) -> bool:
    """Cancel a pending job; True if there was one."""
    result = session.execute(
        update(Job).where(Job.key == key, Job.state == "pending").values(
            state="cancelled", finished_at=utcnow()
        )
    )
    return result.rowcount > 0


def claim_due(
    session: Session, worker: str, *, now: dt.datetime, limit: int, lease: dt.timedelta,
    kinds: list[str] | None = None,
) -> list[int]:
    """Claim up to ``limit`` due jobs (oldest due first) for ``worker``; returns their ids.

    A job whose lease has run out (its worker died) is due again.
    """
    query = (
        select(Job)
        .where(
            or_(
                (Job.state == "pending") & (Job.due_at <= now),
                (Job.state == "running") & (Job.lease_until < now),
            )
        )
        .order_by(Job.due_at, Job.id)
        .limit(limit)
    )
    if kinds:
        query = query.where(Job.kind.in_(kinds))
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    jobs = list(session.scalars(query))
    for job in jobs:
        job.state = "running"
        job.worker = worker
        job.lease_until = now + lease
        job.attempts += 1
    return [job.id for job in jobs]


def lock_claimed(session: Session, job_id: int, worker: str) -> Job | None:
    """The job, locked, if ``worker`` still holds it; None if its lease was lost to another."""
    query = select(Job).where(Job.id == job_id)
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update()
    job = session.scalar(query)
    if job is None or job.state != "running" or job.worker != worker:
        return None
    return job


def finish(job: Job, *, state: str = "done", error: str | None = None) -> None:
    job.state = state
    job.finished_at = utcnow()
    job.lease_until = None
    job.last_error = error


def release_for_retry(job: Job, *, due_at: dt.datetime, error: str) -> None:
    """Put a failed job back to pending, due again at ``due_at``."""
    job.state = "pending"
    job.due_at = due_at
    job.lease_until = None
    job.worker = None
    job.last_error = error
