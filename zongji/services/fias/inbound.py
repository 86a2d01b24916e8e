"""One record from the PMS, applied in the caller's transaction (the link commits it, and only
then reads the next record: a record is acknowledged by being committed). Link records (LS, LA,
LE) are the link's own business and do not come here."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy.orm import Session

from zongji.domain.fias import equipment as equipment_rules
from zongji.domain.fias import guests as guest_rules
from zongji.domain.fias import postings as posting_rules
from zongji.domain.fias import wakeups as wakeup_rules
from zongji.domain.fias.records import Record
from zongji.services.fias import equipment, guests, link_status, postings, wakeups
from zongji.settings import Settings


def apply(session: Session, record: Record, now: dt.datetime, settings: Settings) -> dict[str, Any]:
    """Apply one record; raises RecordError (a malformed record) or ZongjiError (one Zongji
    refuses, naming the field) to have it rolled back and logged."""
    link_status.traffic(session, received=now)
    kind = record.kind
    if kind == "GI":
        return guests.check_in(session, guest_rules.guest_change(record), now, settings)
    if kind == "GC":
        return guests.change_stay(session, guest_rules.guest_change(record), now, settings)
    if kind == "GO":
        return guests.check_out(session, guest_rules.guest_change(record), now, settings)
    if kind == "DS":
        return guests.resync_start(session, now, settings)
    if kind == "DE":
        return guests.resync_end(session, now, settings)
    if kind == "WR":
        return wakeups.request(session, wakeup_rules.wakeup_order(record, settings.tz), now, settings)
    if kind == "WC":
        return wakeups.clear(session, wakeup_rules.wakeup_order(record, settings.tz), now, settings)
    if kind == "RE":
        return equipment.apply(session, equipment_rules.room_equipment(record), now, settings)
    if kind == "PA":
        return postings.answer(session, posting_rules.posting_answer(record), now, settings)
    return {"ignored": kind}
