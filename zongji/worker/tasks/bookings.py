"""Booking hotline timers (issue 17): the customer's SMS (membership, booking confirmed, the
day-before care message) sent once when due, and the click-to-call to a hotel through the PBX."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from zongji.bootstrap import Runtime
from zongji.services.bookings import confirmation, messages
from zongji.store.models import Job
from zongji.telephony.adapter import TelephonyUnavailable
from zongji.worker.registry import Retry, handler


@handler(messages.SMS_JOB)
def booking_sms(session: Session, job: Job, now: dt.datetime, runtime: Runtime) -> None:
    """Send one customer message once; a refusal is recorded on it and retried by a new job."""
    messages.send(session, int((job.payload or {})["message_id"]), now, runtime.settings)


@handler(confirmation.DIAL_JOB)
def booking_dial(session: Session, job: Job, now: dt.datetime, runtime: Runtime) -> None:
    try:
        confirmation.run_dial(session, job.payload or {}, runtime.pbx(), now)
    except TelephonyUnavailable as exc:
        if job.attempts >= 3:
            confirmation.mark_dial(session, int((job.payload or {})["booking_id"]), "unavailable")
            return  # the operator dials the number on the screen by hand
        raise Retry(f"PBX unavailable: {exc}", delay=confirmation.DIAL_RETRY) from None
