"""The call charges page (``/charges``; issue 13 point 4, R-H10, R-H14): charges not on a folio
yet with what a person can do about each, every charge of some days or of a room, the IDD/DDD
statistics with their XLSX export, and what a call would cost. Shift leaders, supervisors and
admins (they may see rooms). Data from ``/api/charges``; live topic ``call_charge``."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import HTMLResponse, Response

from zongji.domain.roles import LEADER_ROLES
from zongji.web import shell
from zongji.api.errors import area_router

router = area_router(include_in_schema=False)


@router.get("/charges", response_class=HTMLResponse)
def charges_page(request: Request) -> Response:
    user = shell.user(request)
    if user is None:
        return shell.to_login(request)
    if user.role not in LEADER_ROLES:
        return shell.render(request, "noaccess.html", user)
    return shell.render(request, "charges.html", user)
