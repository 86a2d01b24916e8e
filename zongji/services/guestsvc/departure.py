"""At check-out: the guest's loans still out are flagged to the front desk (R-G2 "loans recorded
for return"). Called by ``zongji.services.stay_departure`` after the check-out itself."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from zongji.domain.guestsvc import catalogue as cat
from zongji.domain.guestsvc import loans as loan_rules
from zongji.domain.guestsvc import requests as rules
from zongji.services import audit, live_feed, notifications
from zongji.store.guestsvc_models import GsRequest


FRONT_DESK_ROLE = "operator"  # the front desk's people see the console's notifications


def flag_loans(session: Session, stay_id: int, now: dt.datetime, *, actor: str) -> list[dict[str, Any]]:
    """Every loan of the stay still out: marked flagged, and the front desk told (a console
    notification to the shift leaders and operators, and a live ``alert`` every console shows).
    The room is named: a check-out is the front desk's own business with the room, not a caller's."""
    rows = list(session.scalars(select(GsRequest).where(
        GsRequest.stay_id == stay_id, GsRequest.kind == cat.Kind.LOAN, GsRequest.state == rules.State.DONE,
        GsRequest.returned_at.is_(None))))
    out_now = loan_rules.still_out([loan_rules.Loan(r.id, r.item_name, r.quantity, r.due_back_at or now, r.returned_at)
                                    for r in rows])
    if not out_now:
        return []
    by_id = {r.id: r for r in rows}
    room = rows[0].room.number
    listed = "、".join(f"{x.item}×{x.quantity}" for x in out_now)
    for x in out_now:
        by_id[x.ref].checkout_flagged_at = now
    zh = f"{room}房退房：借用物品未还（{listed}）"
    en = f"Room {room} checked out with borrowed items not returned ({listed})"
    subject = f"{zh} / {en}"
    for role in ("shift_leader", FRONT_DESK_ROLE):
        notifications.notify(session, kind="guestsvc_loans_at_checkout", role=role, subject=subject, now=now,
                             external=False)
    live_feed.publish(session, "alert", f"guestsvc-checkout:{stay_id}", {
        "kind": "guestsvc_loans_at_checkout", "open": True, "message": {"zh": zh, "en": en},
        "items": [x.item for x in out_now]})
    audit.record(session, actor=actor, action="guestsvc.loans_flagged_at_checkout", entity="stay",
                 entity_id=stay_id, detail={"requests": [x.ref for x in out_now]})
    return [{"request_id": x.ref, "item": x.item, "quantity": x.quantity} for x in out_now]


__all__ = ["flag_loans"]
