"""The room board (房态， R-H9 booking by room, R-H8 DND, R-H5 message lamp). Pure.

``room_state(...)`` turns what is known of one room — its stays, active DND, open wake-ups,
lit message lamp — into the markers the operators see on the board. Guest names are not part of
this: whether a name may stand next to a room number is decided by the caller of this module
(``zongji.domain.roles.ROOM_NUMBER_ROLES``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from zongji.domain.caller_id import stay_in_house

OPEN_WAKEUP_STATUSES = ("due", "calling", "answered", "retrying", "snoozed", "escalated")


@dataclass(frozen=True)
class StayFact:
    stay_id: int
    guest_id: int
    status: str  # in_house | expected | checked_out
    arrival: dt.datetime
    departure: dt.datetime
    vip: bool = False


@dataclass(frozen=True)
class WakeupFact:
    wakeup_id: int
    wake_at: dt.datetime
    status: str


@dataclass(frozen=True)
class RoomState:
    occupant: StayFact | None  # the stay in the house now
    arriving: StayFact | None  # a stay arriving today (not yet in)
    departing_today: bool
    vip: bool
    dnd: bool
    wakeup: WakeupFact | None  # the next open wake-up within the board's horizon
    wakeup_escalated: bool
    message_lamp: bool

    @property
    def occupied(self) -> bool:
        return self.occupant is not None


def room_state(stays: Sequence[StayFact], *, now: dt.datetime, tz: dt.tzinfo, dnd: bool = False,
               wakeups: Sequence[WakeupFact] = (), message_lamp: bool = False,
               wakeup_horizon: dt.timedelta = dt.timedelta(hours=24)) -> RoomState:
    """The board's markers for one room at ``now`` (local day in ``tz``)."""
    if now.tzinfo is None:
        raise ValueError("now: a timezone-aware datetime is required")
    today = now.astimezone(tz).date()
    occupant = next((s for s in sorted(stays, key=lambda s: s.arrival, reverse=True)
                     if s.status == "in_house" and stay_in_house(s.status, s.arrival, s.departure, now)), None)
    arriving = next((s for s in sorted(stays, key=lambda s: s.arrival)
                     if s.status == "expected" and s.arrival.astimezone(tz).date() == today), None)
    departing = occupant is not None and occupant.departure.astimezone(tz).date() <= today
    vip = bool((occupant and occupant.vip) or (arriving and arriving.vip))
    open_w = sorted((w for w in wakeups if w.status in OPEN_WAKEUP_STATUSES
                     and (w.status == "escalated" or w.wake_at <= now + wakeup_horizon)),
                    key=lambda w: w.wake_at)
    escalated = any(w.status == "escalated" for w in open_w)
    upcoming = next((w for w in open_w if w.status != "escalated"), None) or (open_w[0] if open_w else None)
    return RoomState(occupant=occupant, arriving=arriving, departing_today=departing, vip=vip, dnd=dnd,
                     wakeup=upcoming, wakeup_escalated=escalated, message_lamp=message_lamp)


__all__ = ["OPEN_WAKEUP_STATUSES", "RoomState", "StayFact", "WakeupFact", "room_state"]
