"""The PMS link's watch (issue 16): every ``fias_dead_seconds`` the worker checks that the link
process (``zongji fias``) is alive and raises the down alert when the link has been down too
long — also when the process that should raise it is not running."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import delete
from sqlalchemy.orm import Session

from zongji.bootstrap import Runtime
from zongji.services.fias import link_status
from zongji.settings import Settings
from zongji.store import jobs
from zongji.store.models import Job
from zongji.worker.registry import handler, on_start

# With no PMS link configured the watch looks rarely.
IDLE = dt.timedelta(minutes=10)


def _schedule(session: Session, now: dt.datetime, settings: Settings, *, linked: bool) -> None:
    period = dt.timedelta(seconds=settings.fias_dead_seconds) if linked else IDLE
    due = dt.datetime.fromtimestamp((now.timestamp() // period.total_seconds() + 1) * period.total_seconds(), dt.UTC)
    jobs.schedule(session, link_status.WATCH_JOB, f"fias-watch:{due.isoformat()}", due, {})
    session.execute(delete(Job).where(Job.kind == link_status.WATCH_JOB, Job.state == "done",
                                      Job.finished_at < now - dt.timedelta(days=1)))


@handler(link_status.WATCH_JOB)
def watch(session: Session, job: Job, now: dt.datetime, runtime: Runtime) -> None:
    state = link_status.watch(session, now=now, settings=runtime.settings)
    _schedule(session, now, runtime.settings, linked=state is not None)


@on_start
def keep_watching(session: Session, now: dt.datetime, runtime: Runtime) -> None:
    _schedule(session, now, runtime.settings, linked=True)
