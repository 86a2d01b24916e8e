"""Intake timers: ``intake.send`` — send one SMS answer to a citizen through the SMS adapter;
retried while the gateway fails, marked failed after ``notify_max_attempts``."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from zongji.bootstrap import Runtime
from zongji.services import notifications
from zongji.services.intake import replies
from zongji.store.models import Job
from zongji.worker.registry import Retry, handler


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
