"""Knowledge-base jobs (issue 11): the daily review notification and the re-index after a
synonym-table change."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from zongji.bootstrap import Runtime
from zongji.services.knowledge import indexing, review
from zongji.store.models import Job
from zongji.worker.registry import handler, on_start


def _next_run(now: dt.datetime, runtime: Runtime) -> tuple[dt.date, dt.datetime]:
    """The next local day's run at ``knowledge_review_time`` (today's if it is still ahead)."""
    tz = ZoneInfo(runtime.settings.timezone)
    local = now.astimezone(tz)
    at = dt.time.fromisoformat(runtime.settings.knowledge_review_time)
    day = local.date()
    due = dt.datetime.combine(day, at, tz)
    if due <= local:
        day += dt.timedelta(days=1)
        due = dt.datetime.combine(day, at, tz)
    return day, due.astimezone(dt.UTC)


@handler(review.REVIEW_JOB)
def review_daily(session: Session, job: Job, now: dt.datetime, runtime: Runtime) -> None:
    today = dt.date.fromisoformat((job.payload or {})["day"])
    review.notify_overdue(session, today, now)
    day, due = _next_run(now, runtime)
    review.schedule_daily(session, day, due)


@handler(indexing.REINDEX_JOB)
def reindex(session: Session, job: Job, now: dt.datetime, runtime: Runtime) -> None:
    indexing.reindex_all(session)


@on_start
def keep_reviewing(session: Session, now: dt.datetime, runtime: Runtime) -> None:
    day, due = _next_run(now, runtime)
    review.schedule_daily(session, day, due)
