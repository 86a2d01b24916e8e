"""Statistics timers (issue 10, point 6): fold changed calls and orders into the aggregates."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from zongji.bootstrap import Runtime
from zongji.services.stats import aggregates, order_aggregates
from zongji.store.models import Job
from zongji.worker.registry import handler, on_start


@handler(aggregates.FOLD_JOB)
def fold(session: Session, job: Job, now: dt.datetime, runtime: Runtime) -> None:
    settings = runtime.settings
    calls = aggregates.fold(session, settings)  # takes the statistics lock for both
    orders = order_aggregates.fold(session, settings)
    aggregates.ensure_fold(session, now, settings, soon=bool(calls["more"] or orders["more"]))


@on_start
def keep_folding(session: Session, now: dt.datetime, runtime: Runtime) -> None:
    aggregates.ensure_fold(session, now, runtime.settings)
