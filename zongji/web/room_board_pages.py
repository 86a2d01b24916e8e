"""The room board page (``/rooms``): rooms by floor with their markers; book a wake-up, set or
cancel DND and take a message from a selected room, keyboard first. Data from
``/api/rooms/board`` and the live feed."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import HTMLResponse, Response

from zongji.domain.roles import CONSOLE_ROLES
from zongji.web import shell
from zongji.api.errors import area_router

router = area_router(include_in_schema=False)


@router.get("/rooms", response_class=HTMLResponse)
def rooms_page(request: Request) -> Response:
    user, refusal = shell.gate(request, CONSOLE_ROLES)
    if refusal is not None:
        return refusal
    return shell.render(request, "rooms.html", user)
