"""Meeting and flight bookings of the booking hotline (issue 17 points 3, 4; R-T4, R-T5).

- ``POST /api/travel/meetings``: the requirements form; ``GET /api/travel/meetings/{id}``;
  ``POST /api/travel/meetings/{id}/actions/{action}`` (``quote`` with ``lines``, ``confirm`` with
  ``confirmation``, ``refuse``/``cancel`` with ``reason``, ``pay_deposit``): ``meetings.RULES``.
- ``POST /api/travel/flights``; ``GET /api/travel/flights/{id}``: ID numbers masked except for
  the roles of ``id_numbers.ID_NUMBER_ROLES``; each unmasked read audited.
- ``GET /api/travel/bookings?q=&day=``: meeting and flight bookings (search by customer, mobile,
  hotel, passenger name; a day within the meeting / a flight day); ``GET /api/travel/figures``:
  ``{kind, day, operator, count, confirmed, refused}`` per operator and day (statistics roles).
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query
from pydantic import Field

from zongji.api.deps import IdPath, IsoOnly, ReadDB, WriteDB, actor_of, get_settings, require_roles
from zongji.api.errors import error_responses, refusals
from zongji.api.models import ApiModel
from zongji.domain.bookings import flights as flight_rules
from zongji.domain.bookings import id_numbers
from zongji.domain.bookings import meetings as meeting_rules
from zongji.domain.roles import CONSOLE_ROLES, STATS_ROLES
from zongji.errors import Invalid
from zongji.services.bookings import flights, meetings
from zongji.settings import Settings
from zongji.store.models import User

router = APIRouter(prefix="/api/travel", tags=["travel bookings"], responses=error_responses())
Console = Annotated[User, Depends(require_roles(CONSOLE_ROLES))]
Stats = Annotated[User, Depends(require_roles(STATS_ROLES))]
Cfg = Annotated[Settings, Depends(get_settings)]
Day = Annotated[dt.date, IsoOnly]


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


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


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


@router.post("/flights", status_code=201, summary="Take a flight booking",
             openapi_extra=refusals(passengers="real names not only spaces; ID numbers valid (resident ID check digit "
                                    "and birth date, passport pattern)", customer="not only spaces",
                                    mobile="not only spaces", from_city="not only spaces",
                                    to_city="not only spaces and not the from city",
                                    departure_date="not in the past", return_date="a return needs it, after the departure",
                                    delivery_address="needed for payment on delivery"))
def create_flight(body: FlightIn, user: Console, db: WriteDB, settings: Cfg) -> dict[str, Any]:
    data = body.model_dump()
    data["passengers"] = [(p["name"], p["id_kind"], p["id_number"]) for p in data["passengers"]]
    b = flights.create(db, settings, actor=actor_of(user), today=_now().astimezone(settings.tz).date(), **data)
    return flights.flight_out(db, b, role=user.role, actor=actor_of(user), user_id=user.id, purpose="create")


@router.get("/flights/{booking_id}", summary="A flight booking (ID numbers masked unless the role needs them)")
def get_flight(booking_id: IdPath, user: Console, db: WriteDB) -> dict[str, Any]:
    return flights.flight_out(db, flights.get(db, booking_id), role=user.role, actor=actor_of(user), user_id=user.id)


@router.get("/bookings", summary="Meeting and flight bookings, searched")
def list_bookings(user: Console, db: WriteDB,
                  q: Annotated[str | None, Query(max_length=60)] = None, day: Day | None = None,
                  kind: Literal["meeting", "flight"] | None = None) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    if kind in (None, "meeting"):
        out += [meetings.meeting_out(m, user.role) for m in meetings.search(db, q=q, day=day)]
    if kind in (None, "flight"):
        out += [flights.flight_out(db, b, role=user.role, actor=actor_of(user), user_id=user.id, purpose="list")
                for b in flights.search(db, q=q, day=day)]
    return out


@router.get("/figures", summary="Meeting and flight bookings per operator and day",
            openapi_extra=refusals(end="on or after start, at most a year later"))
def figures(user: Stats, db: ReadDB, settings: Cfg, start: Day, end: Day) -> list[dict[str, Any]]:
    if end < start or (end - start).days > 366:
        raise Invalid("end must be on or after start, at most a year later", field="end")
    return meetings.figures(db, settings.tz, start, end) + flights.figures(db, settings.tz, start, end)
