"""Retention (issue 18 point 3, R-S17): delete or anonymise expired records in small batches.

A run handles the kinds of ``zongji.domain.retention.policy.ORDER`` one after the other, one
batch (``retention_batch_rows`` rows) per transaction, and keeps a report per kind
(``retention_runs``). Its state between batches is a small dict (``start_state``/``step``), so
the daily job (worker/tasks/retention.py) runs each batch as its own exactly-once job step and a
crash resumes at the batch it was in, neither repeating nor skipping one.

- ``run(session_factory, settings, now)``: a whole run at once, batch after batch (the command
  line, tests);
- ``schedule_daily`` / ``RUN_JOB``: the daily job at ``retention_run_time`` local time.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from zongji.domain.retention import policy
from zongji.domain.retention.policy import Kind
from zongji.services.retention import purge, runs
from zongji.services.retention.keys import anonymisation_key
from zongji.settings import Settings
from zongji.store import jobs as job_store
from zongji.store.db import transaction

RUN_JOB = "retention.run"

_BATCH = {Kind.FEED: purge.feed, Kind.CALL_EVENTS: purge.call_events, Kind.AUDIT: purge.audit,
          Kind.CALLS: purge.calls, Kind.WORK_ORDERS: purge.work_orders, Kind.INTAKE: purge.intake,
          Kind.MESSAGES: purge.messages, Kind.WAKEUPS: purge.wakeups, Kind.BOOKINGS: purge.bookings,
          Kind.MEETINGS: purge.meetings, Kind.FLIGHTS: purge.flights, Kind.GUEST_SERVICE: purge.guest_service,
          Kind.CALL_CHARGES: purge.call_charges, Kind.LOST_ITEMS: purge.lost_items}


def rules(settings: Settings) -> dict[Kind, policy.Rule]:
    return {r.kind: r for r in policy.rules(
        feed_hours=settings.retention_feed_hours, call_events_days=settings.retention_call_events_days,
        audit_days=settings.retention_audit_days, calls_days=settings.retention_calls_days,
        work_orders_days=settings.retention_work_orders_days, intake_days=settings.retention_intake_days,
        messages_days=settings.retention_messages_days, wakeups_days=settings.retention_wakeups_days,
        bookings_days=settings.retention_bookings_days, meetings_days=settings.retention_meetings_days,
        flights_days=settings.retention_flights_days,
        guest_service_days=settings.retention_guest_service_days,
        call_charges_days=settings.retention_call_charges_days,
        lost_items_days=settings.retention_lost_items_days)}


def start_state(run_key: str, now: dt.datetime) -> dict[str, Any]:
    """The state of a run before its first batch; ``now`` fixes every cut-off of the run."""
    return {"run": run_key, "at": now.isoformat(), "kind": str(policy.ORDER[0]), "cursor": None, "held": None,
            "step": 0}


def step(session: Session, settings: Settings, state: dict[str, Any], now: dt.datetime) -> dict[str, Any] | None:
    """Run one batch of the run in ``state`` in ``session``'s transaction; the state after it, or
    None when the run is over."""
    kind = Kind(state["kind"])
    rule = rules(settings)[kind]
    cutoff = policy.cutoff(rule, dt.datetime.fromisoformat(state["at"]))
    report = runs.get_or_start(session, state["run"], kind, cutoff, now)
    if report.finished_at is not None:  # already done (e.g. a step replayed by hand)
        return _next(state, kind)
    cursor = report.resume_from if state["cursor"] is None else int(state["cursor"])
    batch = _BATCH[kind](session, cutoff, cursor, settings.retention_batch_rows,
                         key=anonymisation_key(settings) if rule.action == policy.Action.ANONYMISE else b"",
                         data_dir=settings.data_dir, now=now)
    report.rows += batch.rows
    report.batches += 1
    held = min((h for h in (state["held"], batch.first_held) if h is not None), default=None)
    if not batch.done:
        return {**state, "cursor": batch.cursor, "held": held, "step": state["step"] + 1}
    report.finished_at = now
    report.resume_from = held - 1 if held is not None else batch.cursor
    return _next(state, kind)


def _next(state: dict[str, Any], kind: Kind) -> dict[str, Any] | None:
    following = policy.next_kind(kind)
    if following is None:
        return None
    return {**state, "kind": str(following), "cursor": None, "held": None, "step": state["step"] + 1}


def run(session_factory: sessionmaker, settings: Settings, now: dt.datetime, *, run_key: str | None = None) -> str:
    """A whole run, one transaction per batch; returns its run key (its report rows)."""
    state: dict[str, Any] | None = start_state(run_key or f"manual:{uuid.uuid4().hex[:12]}", now)
    key = state["run"]
    while state is not None:
        with transaction(session_factory) as s:
            state = step(s, settings, state, now)
    return key


# ------------------------------------------------------------------ the daily job


def step_key(state: dict[str, Any]) -> str:
    return f"retention:{state['run']}:{state['step']}"


def schedule_daily(session: Session, now: dt.datetime, settings: Settings) -> None:
    """Keep the next daily run scheduled (once per local day, whatever schedules it)."""
    day, due = policy.next_run(now, dt.time.fromisoformat(settings.retention_run_time), settings.tz)
    state = {**start_state(day.isoformat(), due), "step": 0}
    job_store.schedule(session, RUN_JOB, step_key(state), due, state)


def continue_run(session: Session, state: dict[str, Any], now: dt.datetime) -> None:
    """Schedule the run's next batch as its own job step, due at once."""
    job_store.schedule(session, RUN_JOB, step_key(state), now, state)
