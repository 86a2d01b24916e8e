"""Intake timers.

* ``intake.send`` — send one answer to a citizen (SMS through the SMS adapter, e-mail by SMTP);
  retried while the gateway or server fails, marked failed after ``notify_max_attempts``.
* ``intake.sms_parts_flush`` — every minute, a long SMS still missing parts
  ``intake_sms_part_wait_minutes`` after its first part enters the queue as it is, marked incomplete.
* ``intake.imap_poll`` — read the hotline's mailbox into the queue, every
  ``intake_imap_poll_seconds`` (one job per slot: exactly once with several workers)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from zongji.bootstrap import Runtime
from zongji.services import notifications
from zongji.services.intake import mail, replies, sms
from zongji.store.models import Job
from zongji.worker.registry import Retry, handler, on_start


@handler(replies.SEND_KIND)
def send_answer(session: Session, job: Job, now: dt.datetime, runtime: Runtime) -> None:
    settings = runtime.settings
    message_id = int((job.payload or {})["message_id"])
    try:
        replies.deliver(session, message_id, settings, now=now)
    except notifications.DeliveryError as e:
        if job.attempts >= settings.notify_max_attempts:
            replies.give_up(session, message_id, str(e), now)
            return
        raise Retry(str(e), dt.timedelta(seconds=settings.notify_retry_seconds)) from e


@handler(mail.POLL_JOB)
def poll_mailbox(session: Session, job: Job, now: dt.datetime, runtime: Runtime) -> None:
    settings = runtime.settings
    try:
        counts = mail.poll(session, settings, now=now)
    except mail.MailboxError:
        counts = {}  # recorded on the mailbox's row; the next poll tries again
    mail.ensure_poll(session, now, settings, soon=sum(counts.values()) >= mail.BATCH)


@handler(sms.FLUSH_JOB)
def flush_sms_parts(session: Session, job: Job, now: dt.datetime, runtime: Runtime) -> None:
    sms.flush_stale(session, runtime.settings, now=now)
    sms.ensure_flush(session, now)


@on_start
def keep_polling(session: Session, now: dt.datetime, runtime: Runtime) -> None:
    mail.ensure_poll(session, now, runtime.settings)
    sms.ensure_flush(session, now)
