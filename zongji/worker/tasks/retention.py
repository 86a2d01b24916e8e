"""Retention (issue 18 point 3): the daily run, one batch per job step.

Each step is a job of its own (key ``retention:<day>:<step>``), run in the transaction that marks
it done and schedules the next step, so with any number of workers every batch runs exactly once
and a crash resumes at the batch it was in. The last step schedules the next day's run.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from zongji.bootstrap import Runtime
from zongji.services import retention
from zongji.store.models import Job
from zongji.worker.registry import handler, on_start


@handler(retention.RUN_JOB)
def run_step(session: Session, job: Job, now: dt.datetime, runtime: Runtime) -> None:
    following = retention.step(session, runtime.settings, dict(job.payload or {}), now)
    if following is not None:
        retention.continue_run(session, following, now)
    else:
        retention.schedule_daily(session, now, runtime.settings)


@on_start
def keep_scheduled(session: Session, now: dt.datetime, runtime: Runtime) -> None:
    retention.schedule_daily(session, now, runtime.settings)
