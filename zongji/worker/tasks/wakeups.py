"""Wake-up safety net (R-H9 "never silence"): the watchdog job of each wake-up.

The calls themselves are placed by zongji.worker.wakeup_dialler (it needs many lines at once).
This ordinary handler runs in every worker, the web server's included: if a wake-up is still
waiting ``wakeup_watchdog_seconds`` after it was due and no dialler holds any wake-up job, no
dialler is running — the wake-up goes to the operators' manual call list with an alert.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from zongji.bootstrap import Runtime
from zongji.services import wakeups as svc
from zongji.store.models import Job
from zongji.store.wakeup_models import Wakeup
from zongji.worker.registry import Retry, handler

WATCHDOG_JOB = svc.WATCHDOG_JOB


@handler(WATCHDOG_JOB)
def watchdog(session: Session, job: Job, now: dt.datetime, runtime: Runtime) -> None:
    settings = runtime.settings
    grace = dt.timedelta(seconds=float(job.payload.get("grace") or settings.wakeup_watchdog_seconds))
    w = session.get(Wakeup, int(job.payload["wakeup_id"]))
    if w is None or w.status not in ("due", "retrying", "snoozed", "calling", "answered"):
        return  # done, cancelled or already with people
    if w.status in ("calling", "answered") or (w.next_attempt_at and w.next_attempt_at + grace > now):
        raise Retry("wake-up not overdue", delay=grace)
    busy = session.scalar(select(Job.id).where(
        Job.kind.in_([svc.CALL_JOB, svc.PREFLIGHT_JOB]), Job.state == "running",
        Job.lease_until >= now).limit(1))
    if busy is not None:
        raise Retry("a dialler is working through the queue", delay=grace)
    svc.escalate_telephony_down(session, now=now, settings=settings,
                                reason="no wake-up dialler is running", first=w)
