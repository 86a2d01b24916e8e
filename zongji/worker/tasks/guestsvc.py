"""The guest-service centre's timers (issue 13): the centre alerted before a request is late
(R-G1, R-G6), a loan due back, the dishes to collect after room service (R-G2)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from zongji.bootstrap import Runtime
from zongji.services.guestsvc import records, requests
from zongji.store.models import Job
from zongji.worker.registry import handler


@handler(requests.ALERT_JOB)
def alert_before_late(session: Session, job: Job, now: dt.datetime, runtime: Runtime) -> None:
    requests.alert_due(session, int((job.payload or {})["request_id"]), runtime.settings, now)


@handler(requests.LOAN_JOB)
def loan_due(session: Session, job: Job, now: dt.datetime, runtime: Runtime) -> None:
    requests.remind_loan(session, int((job.payload or {})["request_id"]), runtime.settings, now)


@handler(requests.DISHES_JOB)
def dishes(session: Session, job: Job, now: dt.datetime, runtime: Runtime) -> None:
    requests.remind_dishes(session, int((job.payload or {})["request_id"]), runtime.settings, now)


@handler(records.KEY_JOB)
def key_at_shift_end(session: Session, job: Job, now: dt.datetime, runtime: Runtime) -> None:
    records.alert_unreturned_key(session, int((job.payload or {})["key_id"]), runtime.settings, now)
