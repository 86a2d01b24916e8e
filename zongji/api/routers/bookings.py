"""The booking hotline (issue 17, R-T1..R-T3): hotel bookings taken by phone, confirmed with
the hotel, the customer's messages, the bookings list and its figures.

Console roles (operators, shift leaders, supervisors, admins) take, change, cancel and confirm
bookings; shift leaders and above keep the hotels and the forecasts; supervisors and admins edit
the message templates.

- ``GET /api/bookings/hotels?q=&city=``: hotels by name, pinyin (full or initials) or city;
  ``GET /api/bookings/hotels/cities``; ``POST /api/bookings/hotels``, ``PUT
  /api/bookings/hotels/{id}`` (leaders): the directory of hotels; ``GET
  /api/bookings/hotels/{id}/alternatives``: same city, overlapping price range (R-T2).
- ``GET /api/bookings/from-call/{call_id}``: the caller's number, name and mobile for a new booking.
- ``POST /api/bookings/hotel/preview``: the read-back (zh, en) of a booking before it is saved;
  ``POST /api/bookings/hotel`` with ``read_back_heard: true``: save it (``awaiting`` the hotel).
- ``GET /api/bookings?q=&hotel_id=&date_from=&date_to=&state=&kind=&limit=``: the list (every
  kind; mobiles masked); ``GET /api/bookings/arrivals?day=``: the day's arrivals;
  ``GET /api/bookings/figures?date_from=&date_to=``: bookings per operator and day,
  confirmation rate, refusals by hotel (shift leaders and above; for the statistics).
- ``GET /api/bookings/{id}``: the booking with its answers, history and messages (audited read);
  ``POST /api/bookings/{id}/preview`` and ``PUT /api/bookings/{id}``: change it with the read-back;
  ``GET /api/bookings/{id}/cancel-read-back`` and ``POST /api/bookings/{id}/cancel``.
- ``POST /api/bookings/{id}/dial``: click-to-call the hotel; ``POST /api/bookings/{id}/answer``
  with ``{"result": "confirmed", "confirmation_number"}`` or ``{"result": "refused", "reason"}``.
- ``GET /api/bookings/templates``; ``PUT /api/bookings/templates/{kind}`` with ``{"body"}``
  (``null``: back to the default).
- ``GET /api/bookings/weather/{city}?day=``: the three days' forecast from ``day``; ``PUT
  /api/bookings/weather/{city}/{day}``: a forecast entered by hand (leaders; docs/weather.md).
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from fastapi import Depends, Path, Query
from pydantic import Field

from zongji.api.deps import IdPath, IsoOnly, ReadDB, WriteDB, actor_of, get_settings, require_roles
from zongji.api.errors import area_router, error_responses, refusals
from zongji.api.models import ApiModel
from zongji.domain.bookings import hotel_booking as rules
from zongji.domain.bookings import kinds as booking_kinds
from zongji.domain.bookings import messages as texts
from zongji.domain.roles import ADMIN_ROLES, CONSOLE_ROLES, LEADER_ROLES
from zongji.services import weather
from zongji.services.bookings import confirmation, figures, hotel_bookings, hotels, listing, messages, weather_forecast
from zongji.settings import Settings
from zongji.store.models import User, utcnow

router = area_router(prefix="/api/bookings", tags=["bookings"], responses=error_responses())
Console = Annotated[User, Depends(require_roles(CONSOLE_ROLES))]
Leader = Annotated[User, Depends(require_roles(LEADER_ROLES))]
Admin = Annotated[User, Depends(require_roles(ADMIN_ROLES))]
Cfg = Annotated[Settings, Depends(get_settings)]
Day = Annotated[dt.date | None, IsoOnly, Query(description="A local date, YYYY-MM-DD")]
City = Annotated[str, Path(min_length=1, max_length=60)]

BOOKING_REFUSALS = dict(
    hotel_id="a hotel of the directory", customer_name="not only spaces", mobile="a mobile of 11 digits",
    check_in="today or later", check_out="after check-in, at most 60 nights", rooms="1 to 10 lines",
    latest_arrival="HH:MM", guest_names="at most 20", special_requests="at most 500 characters",
    read_back_heard="true: the customer heard the read-back", call_id="a call", state="a change the state allows",
    breakfast="none, single, double or per_guest")


class HotelIn(ApiModel):
    name: str = Field(min_length=1, max_length=100)
    city: str = Field(min_length=1, max_length=40)
    address: str = Field("", max_length=200)
    phone: str = Field("", max_length=40)
    price_low_fen: int | None = Field(None, ge=0, le=rules.MAX_NIGHTLY_FEN)
    price_high_fen: int | None = Field(None, ge=0, le=rules.MAX_NIGHTLY_FEN)
    active: bool = True


class RoomIn(ApiModel):
    room_type: str = Field(min_length=1, max_length=40)
    count: int = Field(ge=1, le=rules.MAX_ROOMS_PER_LINE)
    nightly_fen: int = Field(ge=0, le=rules.MAX_NIGHTLY_FEN)


class BookingFields(ApiModel):
    hotel_id: int = Field(ge=1, le=2**62)
    customer_name: str = Field(min_length=1, max_length=60)
    mobile: str = Field(min_length=1, max_length=20)
    check_in: Annotated[dt.date, IsoOnly]
    check_out: Annotated[dt.date, IsoOnly]
    rooms: list[RoomIn] = Field(min_length=1, max_length=rules.MAX_ROOM_LINES)
    guest_names: list[Annotated[str, Field(max_length=60)]] = Field(default_factory=list, max_length=rules.MAX_GUESTS)
    latest_arrival: str | None = Field(None, max_length=5)
    hold_free: bool = False
    breakfast: Literal["none", "single", "double", "per_guest"] = "none"
    special_requests: str = Field("", max_length=500)


class BookingIn(BookingFields):
    call_id: int | None = Field(None, ge=1, le=2**62)
    read_back_heard: bool = False


class ChangeIn(BookingFields):
    read_back_heard: bool = False


class CancelIn(ApiModel):
    reason: str = Field("", max_length=200)
    read_back_heard: bool = False


class DialIn(ApiModel):
    extension: str | None = Field(None, max_length=20)


class AnswerIn(ApiModel):
    result: Literal["confirmed", "refused"]
    confirmation_number: str | None = Field(None, max_length=40)
    reason: str | None = Field(None, max_length=200)


class TemplateIn(ApiModel):
    body: str | None = Field(None, max_length=texts.MAX_LENGTH)


class ForecastIn(ApiModel):
    summary: str = Field(min_length=1, max_length=100)
    temp_low: int | None = Field(None, ge=weather.TEMP_RANGE[0], le=weather.TEMP_RANGE[1])
    temp_high: int | None = Field(None, ge=weather.TEMP_RANGE[0], le=weather.TEMP_RANGE[1])


def _fields(body: BookingFields) -> dict[str, Any]:
    return body.model_dump(exclude={"hotel_id", "call_id", "read_back_heard"})


# --------------------------------------------------------------------------- hotels


@router.get("/hotels", summary="Hotels by name, pinyin or city")
def search_hotels(user: Console, db: ReadDB, q: Annotated[str, Query(max_length=60)] = "",
                  city: Annotated[str, Query(max_length=40)] = "",
                  limit: Annotated[int, Query(ge=1, le=hotels.MAX_RESULTS)] = 20) -> list[dict[str, Any]]:
    return hotels.search(db, q, city, limit)


@router.get("/hotels/cities", summary="The cities of the hotels")
def hotel_cities(user: Console, db: ReadDB) -> list[str]:
    return hotels.cities(db)


@router.post("/hotels", summary="Add a hotel", status_code=201,
             openapi_extra=refusals(name="not only spaces", city="not only spaces", price_low_fen="not above the high"))
def add_hotel(body: HotelIn, user: Leader, db: WriteDB) -> dict[str, Any]:
    return hotels.hotel_out(hotels.save(db, actor=actor_of(user), **body.model_dump()))


@router.put("/hotels/{hotel_id}", summary="Correct a hotel",
            openapi_extra=refusals(hotel_id="a hotel", name="not only spaces", city="not only spaces",
                                   price_low_fen="not above the high"))
def put_hotel(hotel_id: IdPath, body: HotelIn, user: Leader, db: WriteDB) -> dict[str, Any]:
    return hotels.hotel_out(hotels.save(db, actor=actor_of(user), hotel_id=hotel_id, **body.model_dump()))


@router.get("/hotels/{hotel_id}/alternatives", summary="Other hotels in the same city and price range",
            openapi_extra=refusals(hotel_id="a hotel"))
def hotel_alternatives(hotel_id: IdPath, user: Console, db: ReadDB) -> list[dict[str, Any]]:
    return hotels.alternatives(db, hotels.get(db, hotel_id))


# --------------------------------------------------------------------------- taking a booking


@router.get("/from-call/{call_id}", summary="The caller of a call, for a new booking",
            openapi_extra=refusals(call_id="a call"))
def from_call(call_id: IdPath, user: Console, db: ReadDB) -> dict[str, Any]:
    return hotel_bookings.caller_of_call(db, call_id)


@router.post("/hotel/preview", summary="The read-back of a hotel booking before it is saved",
             openapi_extra=refusals(**BOOKING_REFUSALS))
def preview_booking(body: BookingIn, user: Console, db: ReadDB, settings: Cfg) -> dict[str, Any]:
    return hotel_bookings.preview(db, settings, _fields(body), hotel_id=body.hotel_id)


@router.post("/hotel", summary="Save a hotel booking the customer heard read back", status_code=201,
             openapi_extra=refusals(**BOOKING_REFUSALS))
def create_booking(body: BookingIn, user: Console, db: WriteDB, settings: Cfg) -> dict[str, Any]:
    b = hotel_bookings.create(db, user, settings, _fields(body), hotel_id=body.hotel_id, call_id=body.call_id,
                              read_back_heard=body.read_back_heard)
    return hotel_bookings.booking_out(db, b, settings)


# --------------------------------------------------------------------------- list and figures


@router.get("", summary="Bookings of every kind: search by customer, mobile, number, hotel and dates",
            openapi_extra=refusals(date_to="not before date_from, at most 366 days"))
def list_bookings(user: Console, db: ReadDB, settings: Cfg, q: Annotated[str, Query(max_length=60)] = "",
                  hotel_id: Annotated[int | None, Query(ge=1, le=2**62)] = None, date_from: Day = None,
                  date_to: Day = None, state: Literal[booking_kinds.ALL_STATES] | None = None,  # type: ignore[valid-type]
                  kind: Literal[booking_kinds.KINDS] | None = None,  # type: ignore[valid-type]
                  limit: Annotated[int, Query(ge=1, le=listing.LIST_MAX)] = 200) -> dict[str, Any]:
    return listing.search(db, settings, listing.Query(q=q, hotel_id=hotel_id, date_from=date_from, date_to=date_to,
                                                      state=state, kind=kind, limit=limit))


@router.get("/arrivals", summary="The day's arrivals (today by default)")
def arrivals(user: Console, db: ReadDB, settings: Cfg, day: Day = None) -> dict[str, Any]:
    return listing.arrivals(db, settings, day or utcnow().astimezone(settings.tz).date())


@router.get("/figures", summary="Bookings per operator and day, confirmation rate, refusals by hotel",
            openapi_extra=refusals(date_to="not before date_from, at most 366 days"))
def booking_figures(user: Leader, db: ReadDB, settings: Cfg, date_from: Day = None, date_to: Day = None) -> dict[str, Any]:
    today = utcnow().astimezone(settings.tz).date()
    return figures.figures(db, settings, date_from or today - dt.timedelta(days=6), date_to or today)


# --------------------------------------------------------------------------- templates and forecasts


@router.get("/templates", summary="The customer messages' templates")
def get_templates(user: Admin, db: ReadDB) -> list[dict[str, Any]]:
    return messages.templates_out(db)


@router.put("/templates/{kind}", summary="Replace a message template (null: back to the default)",
            openapi_extra=refusals(body="placeholders of the kind only"))
def put_template(kind: Literal["membership_created", "booking_confirmed", "travel_care"], body: TemplateIn,
                 user: Admin, db: WriteDB) -> list[dict[str, Any]]:
    messages.save_template(db, kind, body.body, actor=actor_of(user))
    return messages.templates_out(db)


@router.get("/weather/{city}", summary="A city's three-day forecast from a day (today by default)")
def get_forecast(city: City, user: Console, db: WriteDB, settings: Cfg, day: Day = None) -> list[dict[str, Any]]:
    return weather_forecast.forecast(db, settings, city, day or utcnow().astimezone(settings.tz).date())


@router.put("/weather/{city}/{day}", summary="Enter a city's forecast for a day by hand",
            openapi_extra=refusals(day="from yesterday to a week ahead", summary="not only spaces",
                                   temp_low="not above the high", city="not only spaces"))
def put_forecast(city: City, day: Annotated[dt.date, IsoOnly, Path(description="A local date, YYYY-MM-DD")],
                 body: ForecastIn, user: Leader, db: WriteDB, settings: Cfg) -> dict[str, Any]:
    return weather_forecast.record(db, settings, city, day, summary=body.summary, temp_low=body.temp_low,
                                   temp_high=body.temp_high, actor=actor_of(user))


# --------------------------------------------------------------------------- one booking


@router.get("/{booking_id}", summary="A booking with its answers, history and messages",
            openapi_extra=refusals(booking_id="a booking"))
def get_booking(booking_id: IdPath, user: Console, db: WriteDB, settings: Cfg) -> dict[str, Any]:
    return hotel_bookings.get(db, user, settings, booking_id)


@router.post("/{booking_id}/preview", summary="The read-back of a changed booking",
             openapi_extra=refusals(booking_id="a booking", **BOOKING_REFUSALS))
def preview_change(booking_id: IdPath, body: ChangeIn, user: Console, db: ReadDB, settings: Cfg) -> dict[str, Any]:
    return hotel_bookings.preview(db, settings, _fields(body), hotel_id=body.hotel_id, booking_id=booking_id)


@router.put("/{booking_id}", summary="Change a booking the customer heard read back",
            openapi_extra=refusals(booking_id="a booking", **BOOKING_REFUSALS))
def change_booking(booking_id: IdPath, body: ChangeIn, user: Console, db: WriteDB, settings: Cfg) -> dict[str, Any]:
    b = hotel_bookings.change(db, user, settings, booking_id, _fields(body), hotel_id=body.hotel_id,
                              read_back_heard=body.read_back_heard)
    return hotel_bookings.booking_out(db, b, settings)


@router.get("/{booking_id}/cancel-read-back", summary="What to read back before cancelling",
            openapi_extra=refusals(booking_id="a booking"))
def cancel_read_back(booking_id: IdPath, user: Console, db: ReadDB) -> dict[str, str]:
    return hotel_bookings.cancel_read_back(db, booking_id)


@router.post("/{booking_id}/cancel", summary="Cancel a booking",
             openapi_extra=refusals(booking_id="a booking", state="not cancelled already",
                                    read_back_heard="true: the customer heard the read-back"))
def cancel_booking(booking_id: IdPath, body: CancelIn, user: Console, db: WriteDB, settings: Cfg) -> dict[str, Any]:
    b = hotel_bookings.cancel(db, user, booking_id, reason=body.reason, read_back_heard=body.read_back_heard)
    return hotel_bookings.booking_out(db, b, settings)


@router.post("/{booking_id}/dial", summary="Call the booking's hotel through the PBX",
             openapi_extra=refusals(booking_id="a booking", phone="the hotel has a number",
                                    extension="yours, or a work number on your account"))
def dial_hotel(booking_id: IdPath, body: DialIn, user: Console, db: WriteDB) -> dict[str, Any]:
    return confirmation.dial(db, user, booking_id, extension=body.extension)


@router.post("/{booking_id}/answer", summary="Record the hotel's answer: confirmed or refused",
             openapi_extra=refusals(booking_id="a booking", state="a booking awaiting the hotel",
                                    confirmation_number="when confirmed", reason="when refused",
                                    hotel_id="the booking has a hotel"))
def record_answer(booking_id: IdPath, body: AnswerIn, user: Console, db: WriteDB, settings: Cfg) -> dict[str, Any]:
    out = confirmation.record_answer(db, user, settings, booking_id, result=body.result,
                                     confirmation_number=body.confirmation_number, reason=body.reason)
    return out | {"booking": hotel_bookings.get(db, user, settings, booking_id)}
