"""Booking hotline jobs (issue 17 points 3, 4): the meeting deposit reminder and the erasure of
flight passengers' ID numbers, each one job per booking (exactly once, store/jobs.py)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from zongji.bootstrap import Runtime
from zongji.services.bookings import flights, meetings
from zongji.store.models import Job
from zongji.worker.registry import handler


@handler(meetings.REMINDER_JOB)
def deposit_reminder(session: Session, job: Job, now: dt.datetime, runtime: Runtime) -> None:
    meetings.remind_deposit(session, int(job.payload["booking_id"]), now=now)


@handler(flights.ERASE_JOB)
def erase_ids(session: Session, job: Job, now: dt.datetime, runtime: Runtime) -> None:
    flights.erase_ids(session, int(job.payload["booking_id"]), now=now)
