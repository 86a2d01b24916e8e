"""The charges sweep (R-H10): every ``charges_sweep_seconds`` one job — exactly once with several
workers (``store/jobs``, one job per slot) — rates the calls that ended and the charged service
requests done, and posts what is due."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import delete
from sqlalchemy.orm import Session

from zongji.services.charges import policies, posting, rating
from zongji.services.charges.folio import FolioAdapter
from zongji.settings import Settings
from zongji.store import jobs
from zongji.store.models import Job

SWEEP_JOB = rating.SWEEP_JOB


def run(session: Session, adapter: FolioAdapter, settings: Settings, now: dt.datetime) -> dict[str, Any]:
    policies.release_month_end(session, settings, now)
    rated = rating.rate_ended(session, settings, now)
    services = rating.rate_services(session, settings, now)
    posted = posting.post_due(session, adapter, settings, now)
    return {"rated": rated, "services": services, "posted": posted,
            "more": rated.get("more", 0) or services.get("more", 0)}


def ensure(session: Session, now: dt.datetime, settings: Settings, *, soon: bool = False) -> None:
    """Keep one sweep scheduled: on the ``charges_sweep_seconds`` grid, or at once while calls
    remain to be rated."""
    if not settings.charges_enabled:
        return
    period = max(1.0, float(settings.charges_sweep_seconds))
    due = now if soon else dt.datetime.fromtimestamp((now.timestamp() // period + 1) * period, dt.UTC)
    jobs.schedule(session, SWEEP_JOB, f"charges-sweep:{due.isoformat()}", due, {})
    session.execute(delete(Job).where(Job.kind == SWEEP_JOB, Job.state == "done",
                                      Job.finished_at < now - dt.timedelta(days=1)))
