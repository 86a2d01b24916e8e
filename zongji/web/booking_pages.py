"""The booking hotline's pages (issue 17): ``/bookings`` — the list of every kind of booking
(search, the day's arrivals, the figures for shift leaders and above); ``/bookings/new`` (with
``?call_id=`` from the console: the caller carried over) and ``/bookings/{id}`` — a hotel
booking taken with its read-back, confirmed with the hotel, changed or cancelled, with its
messages; ``/bookings/settings`` — message templates (supervisors, admins), forecasts entered by
hand per city and day and the hotels (shift leaders and above). Data from ``/api/bookings``."""

from __future__ import annotations

from fastapi import Path, Query, Request
from fastapi.responses import HTMLResponse, Response

from zongji.domain.bookings import kinds as booking_kinds
from zongji.domain.roles import CONSOLE_ROLES, LEADER_ROLES
from zongji.web import shell
from zongji.api.errors import area_router

router = area_router(include_in_schema=False)


def _gate(request: Request, roles) -> tuple[object | None, Response | None]:
    user = shell.user(request)
    if user is None:
        return None, shell.to_login(request)
    if user.role not in roles:
        return None, shell.render(request, "noaccess.html", user)
    return user, None


@router.get("/bookings", response_class=HTMLResponse)
def bookings_page(request: Request) -> Response:
    user, refusal = _gate(request, CONSOLE_ROLES)
    return refusal or shell.render(request, "bookings.html", user, states_by_kind=booking_kinds.STATES_BY_KIND)


@router.get("/bookings/new", response_class=HTMLResponse)
def new_booking_page(request: Request, call_id: int | None = Query(None, ge=1, le=2**62)) -> Response:
    user, refusal = _gate(request, CONSOLE_ROLES)
    return refusal or shell.render(request, "booking.html", user, booking_id=None, call_id=call_id)


@router.get("/bookings/settings", response_class=HTMLResponse)
def booking_settings_page(request: Request) -> Response:
    user, refusal = _gate(request, LEADER_ROLES)
    return refusal or shell.render(request, "booking_settings.html", user)


@router.get("/bookings/{booking_id}", response_class=HTMLResponse)
def booking_page(request: Request, booking_id: int = Path(ge=1, le=2**62)) -> Response:
    user, refusal = _gate(request, CONSOLE_ROLES)
    return refusal or shell.render(request, "booking.html", user, booking_id=booking_id, call_id=None)
