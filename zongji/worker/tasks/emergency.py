"""Emergency notification jobs (issue 14): the waves, SMS and the deputy checks. The calls are
placed by zongji.worker.emergency_dialler (a call blocks for up to a minute, outside any
transaction)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from zongji.bootstrap import Runtime
from zongji.services.emergency import notifying
from zongji.services.notifications import DeliveryError
from zongji.store.models import Job
from zongji.worker.registry import Retry, handler


@handler(notifying.WAVE_JOB)
def wave(session: Session, job: Job, now: dt.datetime, runtime: Runtime) -> None:
    notifying.run_wave(session, int(job.payload["incident_id"]), int(job.payload["wave"]), now=now)


@handler(notifying.SMS_JOB)
def sms(session: Session, job: Job, now: dt.datetime, runtime: Runtime) -> None:
    settings = runtime.settings
    try:
        notifying.send_sms(session, int(job.payload["recipient_id"]), str(job.payload.get("phase") or "start"),
                           job.payload.get("text"), job.key, now=now, settings=settings)
    except DeliveryError as exc:
        raise Retry(str(exc), delay=dt.timedelta(seconds=min(settings.notify_retry_seconds, 30))) from exc


@handler(notifying.DEPUTY_JOB)
def deputy(session: Session, job: Job, now: dt.datetime, runtime: Runtime) -> None:
    notifying.deputy_check(session, int(job.payload["recipient_id"]), now=now)
