"""The meeting and flight bookings page (``/travel``; issue 17 points 3, 4): search by
customer, mobile or date, each booking with its state (a meeting's quote total and deposit
deadline; a flight's passengers with ID numbers as the reader's role may see them). Data from
``/api/travel/bookings``."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from zongji.domain.roles import CONSOLE_ROLES
from zongji.web import shell

router = APIRouter(include_in_schema=False)


@router.get("/travel", response_class=HTMLResponse)
def travel_page(request: Request) -> Response:
    user = shell.user(request)
    if user is None:
        return shell.to_login(request)
    if user.role not in CONSOLE_ROLES:
        return shell.render(request, "noaccess.html", user)
    return shell.render(request, "travel.html", user)
