"""Outbound jobs (issue 14 point 5): a console callback alerts again until it is done."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from zongji.bootstrap import Runtime
from zongji.services.outbound import callbacks
from zongji.store.models import Job
from zongji.worker.registry import handler


@handler(callbacks.ALERT_JOB)
def callback_alert(session: Session, job: Job, now: dt.datetime, runtime: Runtime) -> None:
    callbacks.alert(session, int(job.payload["entry_id"]), int(job.payload.get("n") or 1), now=now,
                    settings=runtime.settings)
