"""Switchboard timers (issue 3): PBX commands (outbox), transfer no-answer return (R-H3),
message re-raise (R-H5), DND end at the chosen time or check-out (R-H8), line silence (R-S3)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from zongji.bootstrap import Runtime
from zongji.services.switchboard import (
    dnd,
    message_records,
    message_sending,
    messages,
    pbx,
    silence,
    transfers,
)
from zongji.store.models import Job
from zongji.telephony.adapter import TelephonyUnavailable
from zongji.worker.registry import Retry, handler


@handler(pbx.PBX_JOB)
def send_pbx_command(session: Session, job: Job, now: dt.datetime, runtime: Runtime) -> None:
    try:
        pbx.run_pbx_command(session, job.payload or {}, now, runtime.pbx(), runtime.settings.tz)
    except TelephonyUnavailable as exc:
        raise Retry(f"PBX unavailable: {exc}", delay=pbx.PBX_RETRY) from None


@handler(transfers.NO_ANSWER_JOB)
def transfer_no_answer(session: Session, job: Job, now: dt.datetime, runtime: Runtime) -> None:
    transfers.transfer_no_answer(session, int((job.payload or {})["attempt_id"]), now, runtime.settings)


@handler(message_records.MESSAGE_RAISE_JOB)
def message_raise(session: Session, job: Job, now: dt.datetime, runtime: Runtime) -> None:
    messages.raise_message(session, int((job.payload or {})["message_id"]), now, runtime.settings)


@handler(message_sending.SEND_JOB)
def message_send(session: Session, job: Job, now: dt.datetime, runtime: Runtime) -> None:
    """Send a message by SMS, e-mail or pager once; failures are recorded and retried by new jobs."""
    message_sending.perform_send(session, int((job.payload or {})["send_id"]), now, runtime.settings)


@handler(dnd.DND_END_JOB)
def dnd_end(session: Session, job: Job, now: dt.datetime, runtime: Runtime) -> None:
    dnd.end_dnd_if_due(session, int((job.payload or {})["dnd_id"]), now, runtime.settings)


@handler(silence.SILENCE_JOB)
def silence_check(session: Session, job: Job, now: dt.datetime, runtime: Runtime) -> None:
    silence.check_line_silence(session, now, runtime.settings)
    silence.ensure_silence_check(session, now, runtime.settings)
