"""Wake-ups over FIAS (R-H9): WR books, WC clears (room ``RN``, the wake-up's local date ``DA`` and
time ``TI``), and Zongji answers with WA carrying the result in ``AS``:

- ``OK``: the guest answered (confirmed by key, or reached by phone, at the door or by an operator);
- ``NR``: no response: nobody answered and the wake-up went to floor staff (escalated);
- ``BY``: the room's line was busy on the last call;
- ``UR``: the request could not be processed (unknown room, a time already past, no such
  wake-up to clear); Zongji answers a refused WR / WC at once with ``UR``.
- ``CL``: the wake-up was cancelled in Zongji (e.g. at check-out).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from zongji.domain.fias.records import Record, RecordError, fias_date, fias_time, local_instant

ANSWERED = "OK"
NO_RESPONSE = "NR"
BUSY = "BY"
UNPROCESSABLE = "UR"
CANCELLED = "CL"


@dataclass(frozen=True)
class WakeupOrder:
    kind: str  # request | clear
    room: str
    wake_at: dt.datetime


def wakeup_order(rec: Record, tz: ZoneInfo) -> WakeupOrder:
    kinds = {"WR": "request", "WC": "clear"}
    if rec.kind not in kinds:
        raise RecordError(f"{rec.kind} is not a wake-up record")
    room = (rec.get("RN") or "").strip()
    if not room:
        raise RecordError(f"{rec.kind} without RN")
    if not rec.get("TI"):
        raise RecordError(f"{rec.kind} without TI")
    wake_at = local_instant(rec.get("DA"), rec.get("TI"), tz)
    if wake_at is None:
        raise RecordError(f"{rec.kind} without DA")
    return WakeupOrder(kinds[rec.kind], room, wake_at)


def answer_status(status: str, reached_by: str | None, last_outcome: str | None) -> str | None:
    """The WA status for a Zongji wake-up's state, or None while it is still under way."""
    if status in ("answered", "done"):
        return ANSWERED
    if status == "escalated":
        return BUSY if last_outcome == "busy" else NO_RESPONSE
    if status == "cancelled":
        return CANCELLED
    return None


def wakeup_answer(room: str, wake_at: dt.datetime, status: str, tz: ZoneInfo) -> Record:
    local = wake_at.astimezone(tz)
    return Record.build("WA", ("RN", room), ("DA", fias_date(local)), ("TI", fias_time(local)), ("AS", status))


def wakeup_request(room: str, wake_at: dt.datetime, tz: ZoneInfo, *, clear: bool = False) -> Record:
    """WR (or WC): a wake-up booked (or cancelled) at the switchboard, told to the PMS."""
    local = wake_at.astimezone(tz)
    return Record.build("WC" if clear else "WR", ("RN", room), ("DA", fias_date(local)), ("TI", fias_time(local)))
