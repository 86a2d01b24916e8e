"""Click-to-call of an outbound entry (issue 14 point 4): the operator holding an entry has the
PBX ring their own phone and connect it to the entry's number, through the switchboard adapter's
optional ``dial(extension, number, ref=)`` — the same command the booking hotline's
click-to-call uses (``services/bookings/confirmation``).

The request queues the job ``outbound.dial`` in its own transaction (an outbox: the PBX is never
called inside a request); the job's result — ``dialled``, ``by_hand`` (the adapter cannot dial)
or ``unavailable`` (the PBX was down past the retries) — is announced on the live topic
``outbound_list`` to the operator, whose page then says to dial the number shown by hand."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from zongji.domain.emergency.errors import IllegalTransition, InvalidInput
from zongji.domain.outbound import EntryState
from zongji.errors import NotFound
from zongji.services import audit
from zongji.services.actors import actor
from zongji.services.outbound.working import announce
from zongji.store import jobs
from zongji.store.models import Job, User
from zongji.store.outbound_models import OutboundEntry
from zongji.telephony.adapter import SwitchboardAdapter

DIAL_JOB = "outbound.dial"
DIAL_RETRY = dt.timedelta(seconds=5)
DIAL_TRIES = 3


def dial(session: Session, user: User, entry_id: int, *, extension: str | None, now: dt.datetime) -> dict[str, Any]:
    """Queue the call of the entry the user holds; 409 when they do not hold it, 422 (``extension``)
    when there is no phone of theirs to ring."""
    entry = session.get(OutboundEntry, entry_id)
    if entry is None:
        raise NotFound("no such outbound entry")
    if (entry.state != EntryState.CLAIMED.value or entry.claimed_by_id != user.id
            or entry.lease_until is None or entry.lease_until <= now):
        raise IllegalTransition("take the entry first: you do not hold it", code="not_held")
    ext = (extension or user.operator_number or "").strip()
    if not ext:
        raise InvalidInput("your extension (the phone to ring first)", field="extension", code="extension_required")
    prefix = f"outbound-dial:{entry.id}:"
    n = session.scalar(select(func.count()).select_from(Job).where(Job.key.like(prefix + "%"))) or 0
    jobs.schedule(session, DIAL_JOB, f"{prefix}{n}", now,
                  {"entry_id": entry.id, "list_id": entry.list_id, "extension": ext, "number": entry.number,
                   "user_id": user.id, "n": n})
    audit.record(session, actor=actor(user), user_id=user.id, action="outbound_entry_dialled",
                 entity="outbound_entry", entity_id=entry.id, detail={"extension": ext})
    return {"entry_id": entry.id, "number": entry.number, "extension": ext, "queued": True}


def run_dial(session: Session, payload: dict[str, Any], adapter: SwitchboardAdapter, now: dt.datetime) -> str:
    """The job: ``dialled`` or ``by_hand``; ``TelephonyUnavailable`` propagates (the job retries)."""
    place = getattr(adapter, "dial", None)
    result = "by_hand"
    if place is not None:
        place(payload["extension"], payload["number"], ref=f"outbound-dial-{payload['entry_id']}-{payload.get('n', 0)}")
        result = "dialled"
    mark(session, payload, result, now)
    return result


def mark(session: Session, payload: dict[str, Any], result: str, now: dt.datetime) -> None:
    """The click-to-call's result to the operator who asked (live topic ``outbound_list``)."""
    announce(session, int(payload["list_id"]), "dial", now=now, entry_id=int(payload["entry_id"]),
             user_id=int(payload["user_id"]), result=result)
