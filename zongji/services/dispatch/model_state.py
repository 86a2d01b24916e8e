"""The dispatch models' state as the office sees it, and a retraining asked for now."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from zongji.services import audit
from zongji.services.dispatch.training import RETRAIN_JOB
from zongji.store import jobs
from zongji.store.catalogue_models import DispatchModelState
from zongji.store.models import Organisation


def states(session: Session) -> list[dict[str, Any]]:
    rows = session.execute(select(DispatchModelState, Organisation.name)
                           .join(Organisation, Organisation.id == DispatchModelState.organisation_id)
                           .order_by(Organisation.id))
    return [{"organisation_id": s.organisation_id, "organisation": name, "revision": s.revision,
             "trained_at": s.trained_at.isoformat() if s.trained_at else None, "orders_used": s.orders_used}
            for s, name in rows]


def retrain_soon(session: Session, now: dt.datetime, *, actor: str, user_id: int | None) -> dict[str, Any]:
    """A retraining of every centre's model by the worker, now (its own job: the nightly one
    stays as it is)."""
    job = jobs.schedule(session, RETRAIN_JOB, f"dispatch.retrain:asked:{now.isoformat()}", now)
    audit.record(session, actor=actor, user_id=user_id, action="dispatch.retrain", entity="dispatch_model")
    return {"job_id": job.id, "due_at": now.isoformat()}
