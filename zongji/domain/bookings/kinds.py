"""The kinds of booking and the states of each (issue 17 point 5): the bookings list filters by
any of them, and offers a kind's own states when that kind is chosen."""

from __future__ import annotations

from zongji.domain.bookings import flights, hotel_booking, meetings

STATES_BY_KIND: dict[str, tuple[str, ...]] = {
    "hotel": tuple(hotel_booking.STATES),
    "meeting": tuple(meetings.STATES),
    "flight": tuple(flights.STATES),
}
KINDS: tuple[str, ...] = tuple(STATES_BY_KIND)
# Every state of every kind, once, in the order the kinds list them.
ALL_STATES: tuple[str, ...] = tuple(dict.fromkeys(s for states in STATES_BY_KIND.values() for s in states))
