"""Database upkeep timers (issue 18, point 2): planner statistics kept current."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from zongji.bootstrap import Runtime
from zongji.services import planner_stats
from zongji.store.models import Job
from zongji.worker.registry import handler, on_start


@handler(planner_stats.PLANNER_JOB)
def gather_planner_stats(session: Session, job: Job, now: dt.datetime, runtime: Runtime) -> None:
    planner_stats.gather(session, runtime.settings, full=bool((job.payload or {}).get("full")))
    planner_stats.ensure_scheduled(session, now, runtime.settings)


@on_start
def keep_gathering(session: Session, now: dt.datetime, runtime: Runtime) -> None:
    planner_stats.ensure_scheduled(session, now, runtime.settings)
