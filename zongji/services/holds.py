"""Callers put on hold (R-P9; issue 11, point 8): only with their consent, recorded per call so
supervisors see how often and how long callers waited.

- ``start``: the operator confirms the caller agreed; a call already on hold keeps its hold;
- ``end``: the hold ends (when the operator comes back, or the call is ended for a callback);
- ``of_call``: the call's holds with their seconds;
- ``operator_figures``: holds and their seconds per operator, for the operator figures.
"""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from zongji.errors import Conflict, Invalid
from zongji.services import audit
from zongji.services.calls import get_call
from zongji.services.work_orders import commands
from zongji.services.work_orders.visibility import Viewer
from zongji.store.models import User, utcnow
from zongji.store.quality_models import CallHold


def _open(session: Session, call_id: int) -> CallHold | None:
    return session.scalar(select(CallHold).where(CallHold.call_id == call_id, CallHold.ended_at.is_(None)))


def _out(row: CallHold) -> dict[str, Any]:
    end = row.ended_at
    return {"id": row.id, "call_id": row.call_id, "user_id": row.user_id, "consent": row.consent,
            "started_at": row.started_at.isoformat(), "ended_at": None if end is None else end.isoformat(),
            "seconds": None if end is None else round((end - row.started_at).total_seconds())}


def start(session: Session, user: User, call_id: int, *, consent: bool) -> dict[str, Any]:
    if not consent:
        raise Invalid("a caller is put on hold only with their consent (R-P9)", field="consent")
    call = get_call(session, call_id, for_update=True, user=user)
    if call.answered_at is None or call.ended_at is not None:
        raise Conflict("only a call in progress is put on hold", field="call_id")
    row = _open(session, call_id)
    if row is None:
        row = CallHold(call_id=call_id, user_id=user.id, consent=True, started_at=utcnow())
        session.add(row)
        session.flush()
        audit.record(session, actor=f"user:{user.username}", user_id=user.id, action="hold", entity="call",
                     entity_id=call_id)
    return _out(row)


def end(session: Session, user: User, call_id: int) -> dict[str, Any]:
    get_call(session, call_id, for_update=True, user=user)
    row = _open(session, call_id)
    if row is None:
        raise Conflict("the call is not on hold", field="call_id")
    row.ended_at = utcnow()
    audit.record(session, actor=f"user:{user.username}", user_id=user.id, action="unhold", entity="call",
                 entity_id=call_id, detail={"seconds": round((row.ended_at - row.started_at).total_seconds())})
    return _out(row)


def of_call(session: Session, user: User, call_id: int) -> list[dict[str, Any]]:
    get_call(session, call_id, user=user)
    rows = session.scalars(select(CallHold).where(CallHold.call_id == call_id).order_by(CallHold.id))
    return [_out(r) for r in rows]


def operator_figures(session: Session, start, end) -> dict[int, tuple[int, int]]:
    """(holds, seconds on hold) per operator, of holds that started in ``[start, end)``; a hold
    not ended yet counts up to now."""
    now = utcnow()
    out: dict[int, tuple[int, int]] = {}
    for row in session.scalars(select(CallHold).where(CallHold.started_at >= start, CallHold.started_at < end,
                                                      CallHold.user_id.is_not(None))):
        n, secs = out.get(row.user_id, (0, 0))
        out[row.user_id] = (n + 1, secs + round(((row.ended_at or now) - row.started_at).total_seconds()))
    return out


CALLBACK_NUMBER = re.compile(r"^\+?[0-9][0-9 \-]{2,30}$")


def end_for_callback(session: Session, user: User, call_id: int, *, number: str | None, tz,
                     caller_name: str | None = None) -> dict[str, Any]:
    """Past the hold limit the caller agreed to be called back (R-P9): the hold ends and a work
    order for the callback is created from the call (the number read back as the contact, the
    call's note as the description), so the question is followed up and the citizen called back
    once, through the work-order callback like any other order. A hotel's line takes no work
    orders (refused, ``hotel_line``)."""
    call = get_call(session, call_id, for_update=True, user=user)
    number = (number or call.calling_number or "").strip()
    if not CALLBACK_NUMBER.match(number):
        raise Invalid("the number to call back (digits)", field="number")
    row = _open(session, call_id)
    if row is not None:
        row.ended_at = utcnow()
    what = (call.notes or "").strip()
    description = f"保持超时，需查询后回电（{number}）" + (f"：{what}" if what else "")
    order = commands.create_order(session, Viewer.of(user), commands.NewOrder(
        order_type="inquiry", situation="specialist", description=description, caller_number=number,
        caller_name=(caller_name or "").strip() or "来电人", call_id=call_id), tz=tz)
    audit.record(session, actor=f"user:{user.username}", user_id=user.id, action="hold_callback", entity="call",
                 entity_id=call_id, detail={"order_id": order.id, "number": number,
                                            "hold_seconds": None if row is None else
                                            round((row.ended_at - row.started_at).total_seconds())})
    return {"call_id": call_id, "order_id": order.id, "order_number": order.number, "callback_number": number,
            "hold": None if row is None else _out(row)}
