"""Switchboard timers (issue 3): PBX commands (outbox), transfer no-answer return (R-H3),
message re-raise (R-H5), DND end at the chosen time or check-out (R-H8), line silence (R-S3)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from zongji.services.switchboard import (
    adapters,
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


def _url(session: Session) -> str:
    return session.get_bind().url.render_as_string(hide_password=False)


def _settings(session: Session):
    return adapters.settings_for(_url(session))


@handler(pbx.PBX_JOB)
def send_pbx_command(session: Session, job: Job, now: dt.datetime) -> None:
    settings = _settings(session)
    adapter = adapters.adapter_for(settings, _url(session))
    try:
        pbx.run_pbx_command(session, job.payload or {}, now, adapter, settings.tz)
    except TelephonyUnavailable as exc:
        raise Retry(f"PBX unavailable: {exc}", delay=pbx.PBX_RETRY) from None


@handler(transfers.NO_ANSWER_JOB)
def transfer_no_answer(session: Session, job: Job, now: dt.datetime) -> None:
    transfers.transfer_no_answer(session, int((job.payload or {})["attempt_id"]), now, _settings(session))


@handler(message_records.MESSAGE_RAISE_JOB)
def message_raise(session: Session, job: Job, now: dt.datetime) -> None:
    messages.raise_message(session, int((job.payload or {})["message_id"]), now, _settings(session))


@handler(message_sending.SEND_JOB)
def message_send(session: Session, job: Job, now: dt.datetime) -> None:
    """Send a message by SMS, e-mail or pager once; failures are recorded and retried by new jobs."""
    message_sending.perform_send(session, int((job.payload or {})["send_id"]), now, _settings(session))


@handler(dnd.DND_END_JOB)
def dnd_end(session: Session, job: Job, now: dt.datetime) -> None:
    dnd.end_dnd_if_due(session, int((job.payload or {})["dnd_id"]), now, _settings(session))


@handler(silence.SILENCE_JOB)
def silence_check(session: Session, job: Job, now: dt.datetime) -> None:
    settings = _settings(session)
    silence.check_line_silence(session, now, settings)
    silence.ensure_silence_check(session, now, settings)
