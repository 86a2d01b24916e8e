"""Flight bookings (R-T5, issue 17 point 4): the booking's fields checked, and when the
passengers' ID numbers are due for erasure. Pure: no I/O."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from zongji.domain.bookings.id_numbers import IdNumber, IdNumberError, parse
from zongji.domain.roles import CONSOLE_ROLES, Role

ONE_WAY = "one_way"
RETURN = "return"
TRIP_KINDS = (ONE_WAY, RETURN)
ON_DELIVERY = "on_delivery"
E_TICKET = "e_ticket"
PAYMENT_KINDS = (ON_DELIVERY, E_TICKET)

# States of a flight booking: taken (a flight booking is confirmed when taken), or cancelled.
BOOKED = "booked"
CANCELLED = "cancelled"
STATES = (BOOKED, CANCELLED)

# action -> (states it is allowed in, new state, roles). A change and a cancellation are read
# back to the customer first (flight_read_back) and need the reason.
RULES: dict[str, tuple[frozenset[str], str, frozenset[Role]]] = {
    "change": (frozenset({BOOKED}), BOOKED, CONSOLE_ROLES),
    "cancel": (frozenset({BOOKED}), CANCELLED, CONSOLE_ROLES),
}


class FlightBookingError(ValueError):
    """Bad input; ``field`` names the field, ``code`` the reason."""

    def __init__(self, message: str, field: str, code: str) -> None:
        super().__init__(message)
        self.field = field
        self.code = code


@dataclass(frozen=True)
class Passenger:
    name: str
    id_kind: str
    id_number: str


@dataclass(frozen=True)
class FlightBooking:
    customer: str
    mobile: str
    passengers: tuple[Passenger, ...]
    from_city: str
    to_city: str
    departure_date: date
    departure_time: time | None
    trip: str
    return_date: date | None
    return_time: time | None
    payment: str
    delivery_address: str | None
    flight_number: str | None = None


def _text(value: str | None, field: str, limit: int = 100) -> str:
    text = (value or "").strip()
    if not text:
        raise FlightBookingError(f"{field} is required", field, "required")
    if len(text) > limit:
        raise FlightBookingError(f"{field} is too long", field, "too_long")
    return text


def check_passenger(index: int, name: str, id_kind: str, id_number: str, today: date | None) -> Passenger:
    field = f"passengers.{index}"
    real_name = _text(name, f"{field}.name", 60)
    try:
        parsed: IdNumber = parse(id_kind, id_number, today=today)
    except IdNumberError as exc:
        raise FlightBookingError(str(exc), f"{field}.id_number", exc.code) from None
    return Passenger(real_name, parsed.kind, parsed.number)


def check_booking(
    *, customer: str, mobile: str, passengers: list[tuple[str, str, str]], from_city: str,
    to_city: str, departure_date: date, departure_time: time | None, trip: str,
    return_date: date | None, return_time: time | None, payment: str,
    delivery_address: str | None, flight_number: str | None = None, today: date | None = None,
) -> FlightBooking:
    """All of R-T5 checked; raises :class:`FlightBookingError` naming the first bad field."""
    if not passengers:
        raise FlightBookingError("At least one passenger", "passengers", "required")
    people = tuple(check_passenger(i, *p, today) for i, p in enumerate(passengers))
    src, dst = _text(from_city, "from_city", 40), _text(to_city, "to_city", 40)
    if src == dst:
        raise FlightBookingError("From and to cities must differ", "to_city", "same_city")
    if today is not None and departure_date < today:
        raise FlightBookingError("The flight date is in the past", "departure_date", "past")
    if trip not in TRIP_KINDS:
        raise FlightBookingError("One way or return", "trip", "choice")
    if trip == RETURN:
        if return_date is None:
            raise FlightBookingError("A return flight needs its date", "return_date", "required")
        if return_date < departure_date or (
            return_date == departure_date and (return_time is None or departure_time is None
                                               or return_time <= departure_time)):
            raise FlightBookingError("The return must be after the departure", "return_date", "before_departure")
    else:
        return_date, return_time = None, None
    if payment not in PAYMENT_KINDS:
        raise FlightBookingError("Payment on delivery or e-ticket", "payment", "choice")
    address = (delivery_address or "").strip() or None
    if payment == ON_DELIVERY and not address:
        raise FlightBookingError("Payment on delivery needs the address", "delivery_address", "required")
    return FlightBooking(
        customer=_text(customer, "customer", 60), mobile=_text(mobile, "mobile", 30), passengers=people,
        from_city=src, to_city=dst, departure_date=departure_date, departure_time=departure_time,
        trip=trip, return_date=return_date, return_time=return_time, payment=payment,
        delivery_address=address if payment == ON_DELIVERY else None,
        flight_number=(flight_number or "").strip().upper() or None)


def erase_ids_at(last_flight_date: date, retention_days: int, tz) -> datetime:
    """When the passengers' ID numbers are erased: midnight (calendar zone) after the last flight
    date plus the retention days (setting ``flight_id_retention_days``)."""
    day = last_flight_date + timedelta(days=retention_days + 1)
    return datetime.combine(day, time(0, 0), tzinfo=tz)


def last_flight_date(departure_date: date, return_date: date | None) -> date:
    return return_date or departure_date


def allowed_actions(status: str, role: Role | str, *, last_date: date | None = None,
                    today: date | None = None) -> list[str]:
    """What ``role`` may do with a booking in ``status``; nothing once its last flight is past."""
    if last_date is not None and today is not None and last_date < today:
        return []
    try:
        who = Role(role)
    except ValueError:
        return []
    return [name for name, (froms, _to, roles) in RULES.items() if status in froms and who in roles]


def apply(status: str, action: str, role: Role | str, *, reason: str | None, last_date: date | None = None,
          today: date | None = None) -> str:
    """The state after ``action`` (``change`` / ``cancel``), or :class:`FlightBookingError`:
    ``unknown``, ``forbidden``, ``illegal`` (wrong state), ``flown`` (the last flight is past),
    ``required`` (no reason)."""
    rule = RULES.get(action)
    if rule is None:
        raise FlightBookingError(f"Unknown action {action!r}", "action", "unknown")
    froms, to, roles = rule
    try:
        allowed_role = Role(role) in roles
    except ValueError:
        allowed_role = False
    if not allowed_role:
        raise FlightBookingError("This role may not do that", "action", "forbidden")
    if status not in froms:
        raise FlightBookingError(f"Not allowed while {status}", "status", "illegal")
    if last_date is not None and today is not None and last_date < today:
        raise FlightBookingError("The flights are past", "status", "flown")
    if not (reason or "").strip():
        raise FlightBookingError("A reason is required", "reason", "required")
    return to
