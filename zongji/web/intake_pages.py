"""The intake queue page (``/intake``; issue 15, point 1): messages from every channel but the
phone, oldest first with their first-response clocks, worked like calls. Data from
``/api/intake`` and the live feed's topic ``intake``."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import HTMLResponse, Response

from zongji.domain.roles import CONSOLE_ROLES
from zongji.web import shell
from zongji.api.errors import area_router

router = area_router(include_in_schema=False)


@router.get("/intake", response_class=HTMLResponse)
def intake_page(request: Request) -> Response:
    user = shell.user(request)
    if user is None:
        return shell.to_login(request)
    if user.role not in CONSOLE_ROLES:
        return shell.render(request, "noaccess.html", user)
    return shell.render(request, "intake.html", user, config={})
