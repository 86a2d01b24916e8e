"""Outbound jobs (issue 14 points 4-5): a console callback alerts again until it is done; the
click-to-call of an entry through the PBX adapter."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from zongji.bootstrap import Runtime
from zongji.services.outbound import callbacks, click_to_call
from zongji.store.models import Job
from zongji.telephony.adapter import TelephonyUnavailable
from zongji.worker.registry import Retry, handler


@handler(callbacks.ALERT_JOB)
def callback_alert(session: Session, job: Job, now: dt.datetime, runtime: Runtime) -> None:
    callbacks.alert(session, int(job.payload["entry_id"]), int(job.payload.get("n") or 1), now=now,
                    settings=runtime.settings)


@handler(click_to_call.DIAL_JOB)
def outbound_dial(session: Session, job: Job, now: dt.datetime, runtime: Runtime) -> None:
    """Click-to-call an outbound entry through the PBX adapter; retried while the PBX is down, then
    the operator dials by hand."""
    try:
        click_to_call.run_dial(session, job.payload or {}, runtime.pbx(), now)
    except TelephonyUnavailable as exc:
        if job.attempts >= click_to_call.DIAL_TRIES:
            click_to_call.mark(session, job.payload or {}, "unavailable", now)
            return
        raise Retry(f"PBX unavailable: {exc}", delay=click_to_call.DIAL_RETRY) from None
