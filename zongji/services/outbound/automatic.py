"""Automatic outbound calls (issue 14 point 4): each entry of an automatic list is called through
the SIP gateway by ``zongji.worker.outbound_dialler``; the call speaks the list's message (espeak
through the prompt store, Chinese) and asks for a key for "understood".

One ``outbound.call`` job per try, keyed ``outbound:e<entry>:call:<try>``; the call id
``outbound-<entry>-<try>`` is deterministic, so a dialler restarted mid-call asks the gateway
for the same call id and never dials a try twice. The result follows the retry rule; a try
still due schedules the next job."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from zongji.domain import outbound as ob
from zongji.domain.call_outcome import CallOutcome
from zongji.services.outbound.working import _takeable_clause, record
from zongji.settings import Settings
from zongji.store import jobs
from zongji.store.outbound_models import OutboundEntry, OutboundList

CALL_JOB = "outbound.call"

RESULT_OF = {
    CallOutcome.ANSWERED_CONFIRMED: ob.Result.UNDERSTOOD,
    CallOutcome.ANSWERED_NO_KEY: ob.Result.REACHED,
    CallOutcome.ANSWERED_SNOOZED: ob.Result.REACHED,
    CallOutcome.BUSY: ob.Result.BUSY,
    CallOutcome.NO_ANSWER: ob.Result.NO_ANSWER,
    CallOutcome.FAILED: ob.Result.FAILED,
    CallOutcome.TELEPHONY_FAULT: ob.Result.FAILED,
}


def schedule_entry(session: Session, entry: OutboundEntry, due: dt.datetime) -> None:
    jobs.schedule(session, CALL_JOB, f"outbound:e{entry.id}:call:{entry.tries + 1}", due, {"entry_id": entry.id})


def start_list(session: Session, list_id: int, *, now: dt.datetime) -> int:
    """Schedule the first call of every open entry of an automatic list; how many."""
    n = 0
    for e in session.scalars(select(OutboundEntry).where(OutboundEntry.list_id == list_id,
                                                         OutboundEntry.state == ob.EntryState.PENDING.value)):
        schedule_entry(session, e, now)
        n += 1
    return n


@dataclass(frozen=True)
class CallPlan:
    entry_id: int
    call_id: str
    uri: str
    message: str


def begin_call(session: Session, entry_id: int, *, now: dt.datetime, settings: Settings) -> CallPlan | None:
    """Phase 1, committed before dialling: the entry ``dialling`` (one conditional UPDATE: not if
    an operator holds it or it is done); ``None`` when there is nothing to dial."""
    lease = dt.timedelta(seconds=settings.outbound_ring_seconds + settings.outbound_key_seconds + 60)
    won = session.execute(update(OutboundEntry).where(OutboundEntry.id == entry_id, _takeable_clause(now)).values(
        state=ob.EntryState.DIALLING.value, claimed_by_id=None, lease_until=now + lease, updated_at=now)
        .execution_options(synchronize_session=False)).rowcount
    if won != 1:
        return None
    e = session.get(OutboundEntry, entry_id)
    session.refresh(e)
    lst = session.get(OutboundList, e.list_id)
    return CallPlan(entry_id=e.id, call_id=f"outbound-{e.id}-{e.tries + 1}",
                    uri=settings.outbound_uri_template.format(number=e.number), message=lst.message)


def end_call(session: Session, entry_id: int, outcome: CallOutcome, *, now: dt.datetime, settings: Settings,
             reason: str = "") -> dict:
    """Phase 2: the result recorded by the retry rule; the next try scheduled when one is due."""
    out = record(session, None, entry_id, {"result": RESULT_OF[CallOutcome(outcome)].value, "note": reason[:500]},
                 now=now, settings=settings)
    e = session.get(OutboundEntry, entry_id)
    if e.state == ob.EntryState.RETRY.value and e.due_at is not None:
        schedule_entry(session, e, e.due_at)
    return out
