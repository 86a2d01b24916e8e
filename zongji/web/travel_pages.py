"""The meeting and flight bookings' pages (issue 17 points 3, 4):

- ``/travel``: every meeting and flight booking, searched by customer, mobile or date;
- ``/travel/meetings``: the meeting bookings with their state (filter by state);
- ``/travel/meetings/new`` (``?call_id=`` carries the caller over) and ``/travel/meetings/{id}``:
  the requirements form, then the booking's one page — quote with its lines, the hotel's
  confirmation, the deposit due and its reminder, the actions its state allows;
- ``/travel/flights/new`` (``?call_id=``) and ``/travel/flights/{id}``: the flight booking's form
  with its read-back before saving, the booking with ID numbers as the reader's role may see
  them, its change and cancellation read back the same way, and its history.

Data from ``/api/travel``."""

from __future__ import annotations

from fastapi import Path, Query, Request
from fastapi.responses import HTMLResponse, Response

from zongji.domain.bookings import flights as flight_rules
from zongji.domain.bookings import id_numbers
from zongji.domain.bookings import meetings as meeting_rules
from zongji.domain.roles import CONSOLE_ROLES
from zongji.web import shell
from zongji.api.errors import area_router

router = area_router(include_in_schema=False)
CallId = Query(None, ge=1, le=2**62)
BookingId = Path(ge=1, le=2**62)


def _page(request: Request, template: str, **extra) -> Response:
    user = shell.user(request)
    if user is None:
        return shell.to_login(request)
    if user.role not in CONSOLE_ROLES:
        return shell.render(request, "noaccess.html", user)
    return shell.render(request, template, user, **extra)


@router.get("/travel", response_class=HTMLResponse)
def travel_page(request: Request) -> Response:
    return _page(request, "travel.html")


@router.get("/travel/meetings", response_class=HTMLResponse)
def meetings_page(request: Request) -> Response:
    return _page(request, "travel_meetings.html", states=meeting_rules.STATES)


@router.get("/travel/meetings/new", response_class=HTMLResponse)
def new_meeting_page(request: Request, call_id: int | None = CallId) -> Response:
    return _page(request, "travel_meeting.html", booking_id=None, call_id=call_id, kinds=meeting_rules.MEETING_KINDS,
                 states=meeting_rules.STATES)


@router.get("/travel/meetings/{booking_id}", response_class=HTMLResponse)
def meeting_page(request: Request, booking_id: int = BookingId) -> Response:
    return _page(request, "travel_meeting.html", booking_id=booking_id, call_id=None,
                 kinds=meeting_rules.MEETING_KINDS, states=meeting_rules.STATES)


@router.get("/travel/flights/new", response_class=HTMLResponse)
def new_flight_page(request: Request, call_id: int | None = CallId) -> Response:
    return _page(request, "travel_flight.html", booking_id=None, call_id=call_id, id_kinds=id_numbers.ID_KINDS,
                 trips=flight_rules.TRIP_KINDS, payments=flight_rules.PAYMENT_KINDS)


@router.get("/travel/flights/{booking_id}", response_class=HTMLResponse)
def flight_page(request: Request, booking_id: int = BookingId) -> Response:
    return _page(request, "travel_flight.html", booking_id=booking_id, call_id=None, id_kinds=id_numbers.ID_KINDS,
                 trips=flight_rules.TRIP_KINDS, payments=flight_rules.PAYMENT_KINDS)
