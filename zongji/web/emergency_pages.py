"""The emergency board (``/emergency``, issue 14): the emergencies, each person's state live, the
update, all-clear and on-behalf forms, and the printable incident timeline. Data from
``/api/emergency`` and the live feed (topic ``emergency``)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from zongji.domain.roles import CONSOLE_ROLES, Role
from zongji.web import shell

router = APIRouter(include_in_schema=False)


@router.get("/emergency", response_class=HTMLResponse)
def emergency_page(request: Request) -> Response:
    user = shell.user(request)
    if user is None:
        return shell.to_login(request)
    if user.role not in CONSOLE_ROLES:
        if user.role == Role.UNIT_HANDLER:
            return RedirectResponse("/unit", status_code=303)
        return shell.render(request, "noaccess.html", user)
    return shell.render(request, "emergency.html", user)
