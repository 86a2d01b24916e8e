"""Callbacks from the console (issue 14 point 5): one key on a long call (R-S6) creates a
callback to be made at once from another line, with the number read back; one key for "the
caller cannot hear us" (R-S15) creates one due in ``callback_cannot_hear_minutes`` (3) that
alerts every console (live topic ``outbound_callback``) every ``callback_alert_repeat_seconds``
until it is done.

A callback is an entry of the day's callback list (an ``OutboundList`` of source ``callback``),
so it is taken, recorded and retried like any outbound entry. The hold callback of issue 11
(``services/holds.py``) is not reused: it ends a hold by opening a work order, refused on hotel
lines, and has no due time or alert."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from zongji.domain.emergency.errors import InvalidInput
from zongji.domain.outbound import EntryState, normalise_number
from zongji.services import audit, live_feed
from zongji.services.actors import actor
from zongji.services.outbound.working import entry_view
from zongji.settings import Settings
from zongji.store import jobs
from zongji.store.models import User
from zongji.store.outbound_models import OutboundEntry, OutboundList

TOPIC = "outbound_callback"
ALERT_JOB = "outbound.callback_alert"
KINDS = ("long_call", "cannot_hear")
_DONE = (EntryState.REACHED.value, EntryState.NOT_REACHED.value)


def _day_list(session: Session, user: User, now: dt.datetime, settings: Settings) -> OutboundList:
    name = f"回电 Callbacks {now.astimezone(settings.tz).date().isoformat()}"
    lst = session.scalar(select(OutboundList).where(OutboundList.source == "callback", OutboundList.name == name))
    if lst is None:
        lst = OutboundList(name=name, source="callback", purpose="follow_up", created_at=now, created_by_id=user.id)
        session.add(lst)
        session.flush()
    return lst


def create(session: Session, user: User, data: dict[str, Any], *, now: dt.datetime, settings: Settings) -> dict[str, Any]:
    kind = data.get("kind")
    if kind not in KINDS:
        raise InvalidInput("kind: long_call or cannot_hear", field="kind", code="bad_kind")
    number = normalise_number(data.get("number"))
    if not number:
        raise InvalidInput("number is required", field="number", code="number_required")
    if kind == "long_call" and data.get("read_back") is not True:
        raise InvalidInput("read the number back to the caller first", field="read_back", code="read_back_required")
    due = now if kind == "long_call" else now + dt.timedelta(minutes=settings.callback_cannot_hear_minutes)
    lst = _day_list(session, user, now, settings)
    position = (session.scalar(select(OutboundEntry.position).where(OutboundEntry.list_id == lst.id)
                               .order_by(OutboundEntry.position.desc()).limit(1)) or 0) + 1
    call_id = data.get("call_id")
    entry = OutboundEntry(list_id=lst.id, position=position, name=str(data.get("name") or "")[:100], number=number,
                          address="", ref=f"{kind}:{call_id}" if call_id else kind, state=EntryState.RETRY.value,
                          due_at=due, updated_at=now)
    session.add(entry)
    session.flush()
    jobs.schedule(session, ALERT_JOB, f"outbound:callback:{entry.id}:alert:1", due, {"entry_id": entry.id, "n": 1})
    out = {**entry_view(entry), "kind": kind}
    live_feed.publish(session, TOPIC, entry.id, {**out, "event": "created"}, at=now)
    audit.record(session, actor=actor(user), user_id=user.id, action="callback_created", entity="outbound_entry",
                 entity_id=entry.id, detail={"kind": kind, "call_id": call_id})
    return out


def alert(session: Session, entry_id: int, n: int, *, now: dt.datetime, settings: Settings) -> bool:
    """Alert the consoles that the callback is due (again); ``False`` once it is done."""
    entry = session.get(OutboundEntry, entry_id)
    if entry is None or entry.state in _DONE:
        return False
    live_feed.publish(session, TOPIC, entry.id, {**entry_view(entry), "event": "due", "alert": n}, at=now)
    nxt = now + dt.timedelta(seconds=settings.callback_alert_repeat_seconds)
    jobs.schedule(session, ALERT_JOB, f"outbound:callback:{entry.id}:alert:{n + 1}", nxt,
                  {"entry_id": entry.id, "n": n + 1})
    return True


def open_callbacks(session: Session) -> list[dict[str, Any]]:
    """The callbacks not yet done, the soonest due first (the console's alert list)."""
    q = (select(OutboundEntry).join(OutboundList, OutboundList.id == OutboundEntry.list_id)
         .where(OutboundList.source == "callback", OutboundEntry.state.not_in(_DONE))
         .order_by(OutboundEntry.due_at, OutboundEntry.id).limit(200))
    return [entry_view(e) for e in session.scalars(q)]
