"""Switchboard timers (issue 3): PBX commands (outbox), transfer no-answer return (R-H3),
message re-raise (R-H5), DND end at the chosen time or check-out (R-H8), line silence (R-S3)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from zongji.services import message_sending
from zongji.services import switchboard as sb
from zongji.store.models import Job
from zongji.telephony.adapter import TelephonyUnavailable
from zongji.worker.registry import Retry, handler


def _url(session: Session) -> str:
    return session.get_bind().url.render_as_string(hide_password=False)


def _settings(session: Session):
    return sb.settings_for(_url(session))


@handler(sb.PBX_JOB)
def send_pbx_command(session: Session, job: Job, now: dt.datetime) -> None:
    settings = _settings(session)
    adapter = sb.adapter_for(settings, _url(session))
    try:
        sb.run_pbx_command(session, job.payload or {}, now, adapter, settings.tz)
    except TelephonyUnavailable as exc:
        raise Retry(f"PBX unavailable: {exc}", delay=sb.PBX_RETRY) from None


@handler(sb.NO_ANSWER_JOB)
def transfer_no_answer(session: Session, job: Job, now: dt.datetime) -> None:
    sb.transfer_no_answer(session, int((job.payload or {})["attempt_id"]), now, _settings(session))


@handler(sb.MESSAGE_RAISE_JOB)
def message_raise(session: Session, job: Job, now: dt.datetime) -> None:
    sb.raise_message(session, int((job.payload or {})["message_id"]), now, _settings(session))


@handler(message_sending.SEND_JOB)
def message_send(session: Session, job: Job, now: dt.datetime) -> None:
    """Send a message by SMS, e-mail or pager once; failures are recorded and retried by new jobs."""
    message_sending.perform_send(session, int((job.payload or {})["send_id"]), now, _settings(session))


@handler(sb.DND_END_JOB)
def dnd_end(session: Session, job: Job, now: dt.datetime) -> None:
    sb.end_dnd_if_due(session, int((job.payload or {})["dnd_id"]), now, _settings(session))


@handler(sb.SILENCE_JOB)
def silence_check(session: Session, job: Job, now: dt.datetime) -> None:
    settings = _settings(session)
    sb.check_line_silence(session, now, settings)
    sb.ensure_silence_check(session, now, settings)
