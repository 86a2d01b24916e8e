"""The emergency board (``/emergency``, issue 14): the emergencies, each person's state live, the
update, all-clear and on-behalf forms, and the printable incident timeline. Data from
``/api/emergency`` and the live feed (topic ``emergency``)."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import HTMLResponse, Response

from zongji.domain.roles import CONSOLE_ROLES
from zongji.web import shell
from zongji.api.errors import area_router

router = area_router(include_in_schema=False)


@router.get("/emergency", response_class=HTMLResponse)
def emergency_page(request: Request) -> Response:
    user, refusal = shell.gate(request, CONSOLE_ROLES)
    if refusal is not None:
        return refusal
    return shell.render(request, "emergency.html", user)
