"""The room board page (``/rooms``): rooms by floor with their markers; book a wake-up, set or
cancel DND and take a message from a selected room, keyboard first. Data from
``/api/rooms/board`` and the live feed."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from zongji.domain.roles import CONSOLE_ROLES, Role
from zongji.web import shell

router = APIRouter(include_in_schema=False)


@router.get("/rooms", response_class=HTMLResponse)
def rooms_page(request: Request) -> Response:
    user = shell.user(request)
    if user is None:
        return shell.to_login(request)
    if user.role not in CONSOLE_ROLES:
        if user.role == Role.UNIT_HANDLER:
            return RedirectResponse("/unit", status_code=303)
        return shell.render(request, "noaccess.html", user)
    return shell.render(request, "rooms.html", user)
