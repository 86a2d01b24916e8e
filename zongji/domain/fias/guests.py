"""GI (check-in), GC (change) and GO (check-out) as changes to Zongji's guests and stays.

The PMS names a stay by its reservation number (``G#``) and the room (``RN``); a room move is a GC
with the old room in ``RO``. Privacy (R-H4): the ``SF`` flag ("suppress": the guest's presence is
not to be disclosed) makes the guest "not staying here"; ``SF`` = ``C`` ("no calls") keeps the
stay known but puts no call through. VIP (``GV``): any value other than empty or ``0`` is a VIP;
the value (a VIP level) is kept as the title hint.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from zongji.domain.fias.records import Record, RecordError, parse_date, yes

PRIVACY_NORMAL = "normal"
PRIVACY_NO_CALLS = "no_calls"
PRIVACY_NOT_STAYING = "not_staying"


@dataclass(frozen=True)
class GuestChange:
    """What a GI / GC / GO says. ``None`` means "not in the record: keep what Zongji has"."""

    kind: str  # check_in | change | check_out
    reservation: str
    room: str | None
    old_room: str | None = None
    name: str | None = None
    language: str | None = None
    vip: bool | None = None
    vip_level: str | None = None
    privacy: str | None = None
    dnd: bool | None = None
    arrival: dt.date | None = None
    departure: dt.date | None = None


def privacy_from(value: str | None) -> str | None:
    if value is None or value == "":
        return None
    v = value.strip().upper()
    if v == "C":
        return PRIVACY_NO_CALLS
    return PRIVACY_NOT_STAYING if yes(v) else PRIVACY_NORMAL


def _name(rec: Record) -> str | None:
    last, first = rec.get("GN"), rec.get("GF")
    if last is None and first is None:
        return None
    parts = [p.strip() for p in (last, first) if p and p.strip()]
    # Chinese names are written family name first with no space; a western "GN Smith / GF John"
    # reads "Smith, John" as PMSs print it.
    if len(parts) == 2:
        both_ascii = all(p.isascii() for p in parts)
        return f"{parts[0]}, {parts[1]}" if both_ascii else parts[0] + parts[1]
    return parts[0] if parts else None


def _language(value: str | None) -> str | None:
    if not value:
        return None
    v = value.strip().lower()
    # PMSs send a language code (EA, E, ZH, CN …); Zongji keeps zh / en and the code otherwise.
    if v in ("e", "ea", "en", "eng"):
        return "en"
    if v in ("c", "cn", "zh", "chs", "cht", "zh-cn"):
        return "zh"
    return v[:10]


def guest_change(rec: Record) -> GuestChange:
    kinds = {"GI": "check_in", "GC": "change", "GO": "check_out"}
    if rec.kind not in kinds:
        raise RecordError(f"{rec.kind} is not a guest record")
    reservation = (rec.get("G#") or "").strip()
    room = (rec.get("RN") or "").strip() or None
    if not reservation and room is None:
        raise RecordError(f"{rec.kind} without G# or RN")
    vip_raw = rec.get("GV")
    vip = None if vip_raw is None else vip_raw.strip() not in ("", "0", "N")
    return GuestChange(
        kind=kinds[rec.kind], reservation=reservation, room=room,
        old_room=(rec.get("RO") or "").strip() or None, name=_name(rec),
        language=_language(rec.get("GL")), vip=vip,
        vip_level=vip_raw.strip() if vip and vip_raw else None,
        privacy=privacy_from(rec.get("SF")), dnd=yes(rec.get("DN")),
        arrival=parse_date(rec.get("GA")), departure=parse_date(rec.get("GD")))


def stay_times(change: GuestChange, now: dt.datetime, tz: ZoneInfo, checkout_hour: int) -> tuple[dt.datetime, dt.datetime]:
    """Arrival and departure instants of a check-in: the start of the arrival date (``GA``) when
    it is past — a guest named again by a resync arrived days ago — else now (an in-house guest
    never arrives in the future); departure at the hotel's check-out hour of the departure date
    (or the next day's when the PMS gives none)."""
    arrival = now
    if change.arrival is not None:
        arrival = min(now, dt.datetime.combine(change.arrival, dt.time(0), tzinfo=tz))
    dep_date = change.departure or (now.astimezone(tz).date() + dt.timedelta(days=1))
    departure = dt.datetime.combine(dep_date, dt.time(checkout_hour), tzinfo=tz)
    if departure <= arrival:
        departure = arrival + dt.timedelta(hours=1)
    return arrival, departure
