"""A hotel booking taken by phone (R-T1, R-T2): what must be captured, checked, and the states
as a rule table.

``draft`` is never stored: a booking is saved ``awaiting`` (to be confirmed with the hotel) once
the customer heard the read-back. ``confirmed`` — the hotel accepted (with its confirmation
number); ``refused`` — the hotel said no (with its reason; other hotels are proposed to the
customer, R-T2); ``cancelled`` — the customer cancelled. A change to a booking (dates, rooms,
guests) sends it back to ``awaiting``: the hotel must confirm the changed booking again.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Literal

from zongji.errors import Invalid

State = Literal["awaiting", "confirmed", "refused", "cancelled"]
STATES: tuple[State, ...] = ("awaiting", "confirmed", "refused", "cancelled")
OPEN: tuple[State, ...] = ("awaiting", "confirmed")

# action -> the states it applies to and the state it leads to
RULES: dict[str, tuple[tuple[State, ...], State]] = {
    "confirm": (("awaiting", "refused"), "confirmed"),   # the hotel accepted (again)
    "refuse": (("awaiting",), "refused"),                # the hotel said no (R-T2)
    "change": (("awaiting", "confirmed", "refused"), "awaiting"),  # changed: ask the hotel again
    "cancel": (("awaiting", "confirmed", "refused"), "cancelled"),
}

MAX_NIGHTS = 60
MAX_ROOM_LINES = 10
MAX_ROOMS_PER_LINE = 50
MAX_GUESTS = 20
MAX_NIGHTLY_FEN = 10_000_000  # 100,000 yuan a night
# A mainland mobile: 11 digits starting with 1 (an optional +86 or 86 before it).
_MOBILE = re.compile(r"^(?:\+?86)?(1[3-9]\d{9})$")
_TIME = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")
BREAKFAST = ("none", "single", "double", "per_guest")


class NotAllowed(ValueError):
    def __init__(self, action: str, state: str):
        super().__init__(f"a booking that is {state} cannot be {action}ed")
        self.action, self.state = action, state


def apply(state: str, action: str) -> State:
    """The state after ``action`` on a booking in ``state``; :class:`NotAllowed` otherwise."""
    if action not in RULES:
        raise NotAllowed(action, state)
    allowed, to = RULES[action]
    if state not in allowed:
        raise NotAllowed(action, state)
    return to


@dataclass(frozen=True)
class RoomLine:
    room_type: str
    count: int
    nightly_fen: int


@dataclass(frozen=True)
class HotelBookingInput:
    """Every field of R-T1, checked (``check``)."""

    customer_name: str
    mobile: str
    check_in: dt.date
    check_out: dt.date
    rooms: tuple[RoomLine, ...]
    guest_names: tuple[str, ...] = ()
    latest_arrival: str | None = None  # HH:MM local; None = the hotel's usual 18:00
    hold_free: bool = False  # the room held without a deposit past the usual time (R-T1)
    breakfast: str = "none"
    special_requests: str = ""
    caller_number: str | None = None
    extra: dict = field(default_factory=dict)

    @property
    def nights(self) -> int:
        return (self.check_out - self.check_in).days


def clean_mobile(value: str | None, field_name: str = "mobile") -> str:
    """A mainland mobile number, digits only (``+86 139-0000-1111`` → ``13900001111``)."""
    digits = re.sub(r"[\s\-()]", "", value or "")
    m = _MOBILE.match(digits)
    if not m:
        raise Invalid("a mobile number of 11 digits starting with 1", field=field_name)
    return m.group(1)


def mask_mobile(mobile: str | None) -> str:
    """``13900001111`` → ``139****1111`` (lists and figures; the booking itself shows it whole)."""
    if not mobile:
        return ""
    return mobile[:3] + "****" + mobile[-4:] if len(mobile) >= 8 else "****"


def check(b: HotelBookingInput, *, today: dt.date) -> HotelBookingInput:
    """The booking with its texts trimmed and its mobile cleaned; :class:`Invalid` naming the
    first field at fault."""
    name = (b.customer_name or "").strip()
    if not name:
        raise Invalid("the customer's name (to give at the desk)", field="customer_name")
    if len(name) > 60:
        raise Invalid("at most 60 characters", field="customer_name")
    mobile = clean_mobile(b.mobile)
    if b.check_in < today:
        raise Invalid("check-in is in the past", field="check_in")
    if b.check_out <= b.check_in:
        raise Invalid("check-out must be after check-in", field="check_out")
    if b.nights > MAX_NIGHTS:
        raise Invalid(f"at most {MAX_NIGHTS} nights", field="check_out")
    if not b.rooms:
        raise Invalid("at least one room line", field="rooms")
    if len(b.rooms) > MAX_ROOM_LINES:
        raise Invalid(f"at most {MAX_ROOM_LINES} room lines", field="rooms")
    rooms = []
    for i, r in enumerate(b.rooms):
        kind = (r.room_type or "").strip()
        if not kind:
            raise Invalid("the room type", field=f"rooms.{i}.room_type")
        if not 1 <= r.count <= MAX_ROOMS_PER_LINE:
            raise Invalid(f"between 1 and {MAX_ROOMS_PER_LINE} rooms", field=f"rooms.{i}.count")
        if not 0 <= r.nightly_fen <= MAX_NIGHTLY_FEN:
            raise Invalid("a nightly price in fen, not negative", field=f"rooms.{i}.nightly_fen")
        rooms.append(RoomLine(kind[:40], r.count, r.nightly_fen))
    guests = tuple(g.strip()[:60] for g in b.guest_names if g and g.strip())
    if len(guests) > MAX_GUESTS:
        raise Invalid(f"at most {MAX_GUESTS} guests", field="guest_names")
    arrival = (b.latest_arrival or "").strip() or None
    if arrival is not None and not _TIME.match(arrival):
        raise Invalid("a time HH:MM", field="latest_arrival")
    if b.breakfast not in BREAKFAST:
        raise Invalid("none, single, double or per_guest", field="breakfast")
    requests = (b.special_requests or "").strip()
    if len(requests) > 500:
        raise Invalid("at most 500 characters", field="special_requests")
    return HotelBookingInput(customer_name=name, mobile=mobile, check_in=b.check_in, check_out=b.check_out,
                             rooms=tuple(rooms), guest_names=guests or (name,), latest_arrival=arrival,
                             hold_free=bool(b.hold_free), breakfast=b.breakfast, special_requests=requests,
                             caller_number=b.caller_number, extra=b.extra)


def total_fen(rooms: tuple[RoomLine, ...] | list[RoomLine], nights: int) -> int:
    return sum(r.count * r.nightly_fen for r in rooms) * nights


def yuan(fen: int) -> str:
    """``38800`` → ``388``; ``38850`` → ``388.50``."""
    whole, part = divmod(int(fen), 100)
    return f"{whole}" if part == 0 else f"{whole}.{part:02d}"


def same_range(price_low_fen: int | None, price_high_fen: int | None, other_low: int | None,
               other_high: int | None) -> bool:
    """Whether another hotel's price range overlaps this one's (R-T2 proposals); a hotel without
    a range matches any."""
    if None in (price_low_fen, price_high_fen, other_low, other_high):
        return True
    return other_low <= price_high_fen and price_low_fen <= other_high  # type: ignore[operator]
