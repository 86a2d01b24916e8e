"""Work-order timers and notification delivery (issue 4).

* ``wo.timer`` — an SLA reminder (warning share reached, deadline breached), "tell the caller
  where things stand" (R-S10), or a callback time agreed with the caller (R-P7). Scheduled by
  ``zongji.services.work_orders.timers.reschedule_timers`` after every change, keyed by order, clock,
  phase and due time, so each fires once; the handler re-checks the order and does nothing if
  the reminder went stale.
* ``notify.send`` — send one e-mail or SMS notification; retried while the server fails.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from zongji.bootstrap import Runtime
from zongji.services import notifications
from zongji.services.work_orders.reminders import run_timer
from zongji.services.work_orders.timers import TIMER_KIND
from zongji.store.models import Job
from zongji.worker.registry import Retry, handler


@handler(TIMER_KIND)
def work_order_timer(session: Session, job: Job, now: dt.datetime, runtime: Runtime) -> None:
    settings = runtime.settings
    run_timer(session, job.payload or {}, now, settings.tz)


@handler("notify.send")
def send_notification(session: Session, job: Job, now: dt.datetime, runtime: Runtime) -> None:
    settings = runtime.settings
    try:
        notifications.deliver(session, int((job.payload or {})["notification_id"]), settings, now=now)
    except notifications.DeliveryError as e:
        if job.attempts >= settings.notify_max_attempts:
            n = session.get(notifications.Notification, int((job.payload or {})["notification_id"]))
            if n is not None:
                n.state = "failed"
                n.error = str(e)[:1000]
            return
        raise Retry(str(e), dt.timedelta(seconds=settings.notify_retry_seconds)) from e
