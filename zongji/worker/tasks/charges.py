"""Call charges' timer (issue 13 point 4, R-H10): rate ended calls, post them to folios."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from zongji.bootstrap import Runtime
from zongji.services.charges import sweep
from zongji.store.models import Job
from zongji.worker.registry import handler, on_start


@handler(sweep.SWEEP_JOB)
def run_sweep(session: Session, job: Job, now: dt.datetime, runtime: Runtime) -> None:
    done = sweep.run(session, runtime.folio(), runtime.settings, now)
    sweep.ensure(session, now, runtime.settings, soon=bool(done["more"]))


@on_start
def keep_sweeping(session: Session, now: dt.datetime, runtime: Runtime) -> None:
    sweep.ensure(session, now, runtime.settings)
