"""What the operator tells a guest (R-H10): the charges of the room a guest's call comes from
during the guest's stay, and what a call to a number would cost."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from zongji.domain.charges import rating as rate_rules
from zongji.errors import Invalid, NotFound
from zongji.services.charges import rating
from zongji.services.charges.reports import charge_out
from zongji.settings import Settings
from zongji.store.charges_models import CallCharge
from zongji.store.models import Call, Room
from zongji.store.switchboard_models import LongDistanceRate

_HIDDEN = ("room", "stay_id", "extension", "department_id", "reference")


def for_call(session: Session, settings: Settings, call_id: int) -> dict[str, Any]:
    """The charged calls of the stay in the room that ``call_id`` comes from (the guest's own
    calls), newest first, with their total; the room is left out (operators do not see it)."""
    call = session.get(Call, call_id)
    if call is None:
        raise NotFound("no such call", field="call_id")
    room = session.scalar(select(Room).where(Room.extension == call.calling_number).limit(1))
    stay = rating.stay_at(session, room.id, call.ringing_at) if room is not None else None
    if stay is None:
        return {"items": [], "total_fen": 0}
    rows = list(session.scalars(select(CallCharge).where(CallCharge.stay_id == stay.id, CallCharge.amount_fen > 0)
                                .order_by(CallCharge.called_at.desc()).limit(100)))
    items = []
    for c in rows:
        out = charge_out(c, settings)
        for key in _HIDDEN:
            out.pop(key, None)
        items.append(out)
    return {"items": items, "total_fen": sum(c.amount_fen for c in rows if c.state != "written_off")}


def quote(session: Session, settings: Settings, number: str, minutes: int) -> dict[str, Any]:
    if not any(ch.isdigit() for ch in number):
        raise Invalid("give a number with digits", field="number")
    dest = rating.classify(session, settings, number, None)
    priced = rate_rules.price(dest, minutes * 60, rating.tariff(settings))
    en = session.get(LongDistanceRate, dest.rate.id).destination_en if dest.rate and dest.rate.id else None
    return {"number": dest.number, "kind": dest.kind, "destination": dest.rate.destination if dest.rate else None,
            "destination_en": en,
            "minutes": minutes, "per_minute_fen": priced.per_minute_fen if priced else 0,
            "amount_fen": priced.amount_fen if priced else 0, "charged": priced is not None}
