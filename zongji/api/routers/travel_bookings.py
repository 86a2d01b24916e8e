"""Meeting and flight bookings of the booking hotline (issue 17 points 3, 4; R-T4, R-T5).

- ``POST /api/travel/meetings``: the requirements form; ``GET /api/travel/meetings/{id}``;
  ``POST /api/travel/meetings/{id}/actions/{action}`` (``quote`` with ``lines``, ``confirm`` with
  ``confirmation``, ``refuse``/``cancel`` with ``reason``, ``pay_deposit``): ``meetings.RULES``.
- ``POST /api/travel/flights/read-back`` then ``POST /api/travel/flights`` with
  ``read_back_heard: true``; ``GET /api/travel/flights/{id}`` (with its history and the actions
  the reader may take): ID numbers masked except for the roles of ``id_numbers.ID_NUMBER_ROLES``;
  each unmasked read audited.
- A change: ``POST /api/travel/flights/{id}/read-back`` then ``PUT /api/travel/flights/{id}`` with
  ``reason`` and ``read_back_heard: true``; a cancellation: ``GET
  /api/travel/flights/{id}/cancel-read-back`` then ``POST /api/travel/flights/{id}/cancel`` with
  ``reason`` and ``read_back_heard: true``. Who, when and why on the booking's history.
- ``GET /api/travel/bookings?q=&day=&kind=&status=``: meeting and flight bookings (search by customer, mobile,
  hotel, passenger name; a day within the meeting / a flight day); ``GET /api/travel/figures``:
  ``{kind, day, operator, count, confirmed, refused}`` per operator and day (statistics roles).
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from fastapi import Depends, Query
from pydantic import Field

from zongji.api.deps import IdPath, IsoOnly, ReadDB, WriteDB, actor_of, get_settings, require_roles
from zongji.api.errors import area_router, error_responses, refusals
from zongji.api.models import ApiModel
from zongji.domain.bookings import flights as flight_rules
from zongji.domain.bookings import id_numbers
from zongji.domain.bookings import meetings as meeting_rules
from zongji.domain.roles import CONSOLE_ROLES, STATS_ROLES
from zongji.errors import Invalid
from zongji.services.bookings import flights, meetings
from zongji.settings import Settings
from zongji.store.models import User

router = area_router(prefix="/api/travel", tags=["travel bookings"], responses=error_responses())
Console = Annotated[User, Depends(require_roles(CONSOLE_ROLES))]
Stats = Annotated[User, Depends(require_roles(STATS_ROLES))]
Cfg = Annotated[Settings, Depends(get_settings)]
Day = Annotated[dt.date, IsoOnly]
STATUSES = tuple(dict.fromkeys(meeting_rules.STATES + flight_rules.STATES))


class MeetingIn(ApiModel):
    hotel_name: str = Field(min_length=1, max_length=120)
    hotel_id: int | None = Field(None, ge=1, le=2**53)
    kind: Literal[meeting_rules.MEETING_KINDS]  # type: ignore[valid-type]
    needs: str = Field("", max_length=2000)
    start_date: Day
    end_date: Day
    attendees: int = Field(ge=1, le=100000)
    rooms: int = Field(0, ge=0, le=10000)
    budget_fen: int | None = Field(None, ge=0, le=10**13)
    contact: str = Field(min_length=1, max_length=60)
    mobile: str = Field(min_length=1, max_length=30)


class QuoteLineIn(ApiModel):
    label: str = Field(min_length=1, max_length=120)
    quantity: int = Field(ge=1, le=1000000)
    unit_fen: int = Field(ge=0, le=10**10)


class MeetingActionIn(ApiModel):
    lines: list[QuoteLineIn] = Field(default_factory=list, max_length=100)
    reason: str | None = Field(None, max_length=500)
    confirmation: str | None = Field(None, max_length=60)


class PassengerIn(ApiModel):
    name: str = Field(min_length=1, max_length=60)
    id_kind: Literal[id_numbers.ID_KINDS]  # type: ignore[valid-type]
    id_number: str = Field(min_length=1, max_length=30)


class FlightIn(ApiModel):
    customer: str = Field(min_length=1, max_length=60)
    mobile: str = Field(min_length=1, max_length=30)
    passengers: list[PassengerIn] = Field(min_length=1, max_length=9)
    from_city: str = Field(min_length=1, max_length=40)
    to_city: str = Field(min_length=1, max_length=40)
    flight_number: str | None = Field(None, max_length=20)
    departure_date: Day
    departure_time: dt.time | None = None
    trip: Literal[flight_rules.TRIP_KINDS]  # type: ignore[valid-type]
    return_date: Day | None = None
    return_time: dt.time | None = None
    payment: Literal[flight_rules.PAYMENT_KINDS]  # type: ignore[valid-type]
    delivery_address: str | None = Field(None, max_length=200)
    read_back_heard: bool = False


class FlightChangeIn(FlightIn):
    reason: str = Field(min_length=1, max_length=500)


class FlightChangeReadBackIn(FlightIn):
    reason: str | None = Field(None, max_length=500)  # said back with the change when given


class FlightCancelIn(ApiModel):
    reason: str = Field(min_length=1, max_length=500)
    read_back_heard: bool = False


FLIGHT_REFUSALS = dict(
    passengers="real names not only spaces; ID numbers valid (resident ID check digit and birth date, passport "
    "pattern)", customer="not only spaces", mobile="not only spaces", from_city="not only spaces",
    to_city="not only spaces and not the from city", departure_date="not in the past",
    return_date="a return needs it, after the departure", delivery_address="needed for payment on delivery")
HEARD = "true: the customer heard the read-back"


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _today(settings: Settings) -> dt.date:
    return _now().astimezone(settings.tz).date()


def _flight_fields(body: FlightIn) -> dict[str, Any]:
    data = body.model_dump(exclude={"read_back_heard", "reason"})
    data["passengers"] = [(p["name"], p["id_kind"], p["id_number"]) for p in data["passengers"]]
    return data


def _flight_page(db, b, user: User, settings: Settings, purpose: str = "read") -> dict[str, Any]:
    return flights.flight_out(db, b, role=user.role, actor=actor_of(user), user_id=user.id, purpose=purpose,
                              today=_today(settings), tz=settings.tz, history=True)


@router.post("/meetings", status_code=201, summary="Take a meeting booking's requirements",
             openapi_extra=refusals(start_date="not in the past", end_date="not before the start",
                                    hotel_name="not only spaces", contact="not only spaces",
                                    mobile="not only spaces", hotel_id="a hotel of the hotel list"))
def create_meeting(body: MeetingIn, user: Console, db: WriteDB, settings: Cfg) -> dict[str, Any]:
    m = meetings.create(db, settings, actor=actor_of(user), today=_now().astimezone(settings.tz).date(),
                        **body.model_dump())
    return meetings.meeting_out(m, user.role)


@router.get("/meetings/{booking_id}", summary="A meeting booking with its state")
def get_meeting(booking_id: IdPath, user: Console, db: ReadDB) -> dict[str, Any]:
    return meetings.meeting_out(meetings.get(db, booking_id), user.role)


@router.post("/meetings/{booking_id}/actions/{action}", summary="Quote, confirm, refuse, pay the deposit, cancel",
             openapi_extra=refusals(lines="a quote needs at least one line with a label",
                                    reason="refusing or cancelling needs a reason"))
def meeting_action(booking_id: IdPath, action: Literal[tuple(meeting_rules.RULES)],  # type: ignore[valid-type]
                   body: MeetingActionIn, user: Console, db: WriteDB, settings: Cfg) -> dict[str, Any]:
    m = meetings.act(db, settings, booking_id, action, user=user, actor=actor_of(user), now=_now(),
                     lines=[(ln.label, ln.quantity, ln.unit_fen) for ln in body.lines], reason=body.reason,
                     confirmation=body.confirmation)
    return meetings.meeting_out(m, user.role)


@router.post("/flights/read-back", summary="The read-back of a flight booking before it is saved",
             openapi_extra=refusals(**FLIGHT_REFUSALS))
def flight_read_back(body: FlightIn, user: Console, db: ReadDB, settings: Cfg) -> dict[str, str]:
    return flights.read_back(db, today=_today(settings), **_flight_fields(body))


@router.post("/flights", status_code=201, summary="Take a flight booking (after its read-back)",
             openapi_extra=refusals(read_back_heard=HEARD, **FLIGHT_REFUSALS))
def create_flight(body: FlightIn, user: Console, db: WriteDB, settings: Cfg) -> dict[str, Any]:
    b = flights.create(db, settings, actor=actor_of(user), today=_today(settings), user=user, now=_now(),
                       read_back_heard=body.read_back_heard, **_flight_fields(body))
    return _flight_page(db, b, user, settings, purpose="create")


@router.get("/flights/{booking_id}", summary="A flight booking (ID numbers masked unless the role needs them)")
def get_flight(booking_id: IdPath, user: Console, db: WriteDB, settings: Cfg) -> dict[str, Any]:
    return _flight_page(db, flights.get(db, booking_id), user, settings)


@router.post("/flights/{booking_id}/read-back", summary="The read-back of a flight booking changed, before it is saved",
             openapi_extra=refusals(**FLIGHT_REFUSALS))
def flight_change_read_back(booking_id: IdPath, body: FlightChangeReadBackIn, user: Console, db: ReadDB,
                            settings: Cfg) -> dict[str, str]:
    return flights.read_back(db, today=_today(settings), booking_id=booking_id, reason=body.reason,
                             **_flight_fields(body))


@router.put("/flights/{booking_id}", summary="Change a flight booking (after its read-back)",
            openapi_extra=refusals(read_back_heard=HEARD, reason="why the customer changes it",
                                   status="a booked flight not flown yet", **FLIGHT_REFUSALS))
def change_flight(booking_id: IdPath, body: FlightChangeIn, user: Console, db: WriteDB,
                  settings: Cfg) -> dict[str, Any]:
    b = flights.change(db, settings, booking_id, user=user, actor=actor_of(user), now=_now(), reason=body.reason,
                       read_back_heard=body.read_back_heard, **_flight_fields(body))
    return _flight_page(db, b, user, settings, purpose="change")


@router.get("/flights/{booking_id}/cancel-read-back", summary="What is read back before a flight booking is cancelled")
def flight_cancel_read_back(booking_id: IdPath, user: Console, db: ReadDB,
                            reason: Annotated[str | None, Query(max_length=500)] = None) -> dict[str, str]:
    return flights.cancel_read_back(db, booking_id, reason)


@router.post("/flights/{booking_id}/cancel", summary="Cancel a flight booking (after its read-back)",
             openapi_extra=refusals(read_back_heard=HEARD, reason="why the customer cancels it",
                                    status="a booked flight not flown yet"))
def cancel_flight(booking_id: IdPath, body: FlightCancelIn, user: Console, db: WriteDB,
                  settings: Cfg) -> dict[str, Any]:
    b = flights.cancel(db, settings, booking_id, user=user, actor=actor_of(user), now=_now(), reason=body.reason,
                       read_back_heard=body.read_back_heard)
    return _flight_page(db, b, user, settings, purpose="cancel")


@router.get("/bookings", summary="Meeting and flight bookings, searched")
def list_bookings(user: Console, db: WriteDB,
                  q: Annotated[str | None, Query(max_length=60)] = None, day: Day | None = None,
                  kind: Literal["meeting", "flight"] | None = None,
                  status: Literal[STATUSES] | None = None) -> list[dict[str, Any]]:  # type: ignore[valid-type]
    out: list[dict[str, Any]] = []
    if kind in (None, "meeting") and (status is None or status in meeting_rules.STATES):
        out += [meetings.meeting_out(m, user.role) for m in meetings.search(db, q=q, day=day, status=status)]
    if kind in (None, "flight") and (status is None or status in flight_rules.STATES):
        out += [flights.flight_out(db, b, role=user.role, actor=actor_of(user), user_id=user.id, purpose="list")
                for b in flights.search(db, q=q, day=day, status=status)]
    return out


@router.get("/figures", summary="Meeting and flight bookings per operator and day",
            openapi_extra=refusals(end="on or after start, at most a year later"))
def figures(user: Stats, db: ReadDB, settings: Cfg, start: Day, end: Day) -> list[dict[str, Any]]:
    if end < start or (end - start).days > 366:
        raise Invalid("end must be on or after start, at most a year later", field="end")
    return meetings.figures(db, settings.tz, start, end) + flights.figures(db, settings.tz, start, end)
