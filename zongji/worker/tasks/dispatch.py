"""The dispatch model's nightly training (issue 11, point 5): every centre's model is rebuilt at
``dispatch_retrain_hour`` (local time) from its catalogue and history, and the suggestions shown
since are settled against what was dispatched. Exactly once however many workers run (one job
per night, claimed with a lease)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from zongji.bootstrap import Runtime
from zongji.services.dispatch import acceptance, training
from zongji.settings import Settings
from zongji.store import jobs
from zongji.store.catalogue_models import CatalogueMatter, DispatchModelState
from zongji.store.models import Job, Organisation
from zongji.worker.registry import handler, on_start


def next_run(now: dt.datetime, settings: Settings) -> dt.datetime:
    local = now.astimezone(settings.tz)
    at = local.replace(hour=settings.dispatch_retrain_hour, minute=0, second=0, microsecond=0)
    if at <= local:
        at += dt.timedelta(days=1)
    return at.astimezone(dt.UTC)


NIGHTLY = "dispatch.retrain:nightly:"


def schedule_nightly(session: Session, now: dt.datetime, settings: Settings) -> None:
    """One job per night, keyed by its time: every worker's start and every run schedule the
    same next one."""
    due = next_run(now, settings)
    jobs.schedule(session, training.RETRAIN_JOB, NIGHTLY + due.isoformat(), due)


def _centres(session: Session, job: Job) -> list[Organisation]:
    """The centres that have a catalogue, or the one the payload names."""
    org_id = (job.payload or {}).get("organisation_id")
    q = select(Organisation).where(Organisation.id.in_(select(CatalogueMatter.organisation_id).distinct()))
    if org_id is not None:
        q = select(Organisation).where(Organisation.id == int(org_id))
    return list(session.scalars(q.order_by(Organisation.id)))


def fit_models(session: Session, job: Job, now: dt.datetime, runtime: Runtime) -> dict[int, tuple]:
    """Fit each centre's model on a reading session (the worker's ``prepare`` step): seconds of
    training that must not hold SQLite's write lock, which the CTI writer needs for every call."""
    return {org.id: training.fit_for_retraining(session, org, runtime.settings) for org in _centres(session, job)}


@handler(training.RETRAIN_JOB, prepare=fit_models)
def retrain(session: Session, job: Job, now: dt.datetime, runtime: Runtime, fitted: dict[int, tuple]) -> None:
    """Store the models fitted for the centres (a centre gone meanwhile is skipped) and settle
    the suggestions; a nightly job schedules the next night's."""
    for org_id, (model, used) in sorted(fitted.items()):
        org = session.get(Organisation, org_id)
        if org is not None:
            training.store(session, org, model, used, now)
    acceptance.settle(session, now)
    if job.key.startswith(NIGHTLY):
        schedule_nightly(session, now, runtime.settings)


@on_start
def keep_training(session: Session, now: dt.datetime, runtime: Runtime) -> None:
    """Keep the nightly training scheduled; a centre with a catalogue and no trained model yet
    (a new installation, the demo) is trained now rather than at night."""
    schedule_nightly(session, now, runtime.settings)
    untrained = session.scalar(select(CatalogueMatter.organisation_id).where(
        CatalogueMatter.organisation_id.not_in(select(DispatchModelState.organisation_id))).limit(1))
    if untrained is not None:
        jobs.schedule(session, training.RETRAIN_JOB, "dispatch.retrain:first", now)
