"""Statistics pages (issue 10): the live wallboard (``/wallboard``: shift leaders, supervisors and
admins; data from ``/api/stats/wallboard``, asked again whenever the live feed reports a change)
and the reports (``/reports``: console roles, an operator their own calls; unit handlers their
unit's work orders)."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import HTMLResponse, Response

from zongji.domain.roles import CONSOLE_ROLES, STATS_ROLES, Role
from zongji.web import shell
from zongji.api.errors import area_router

router = area_router(include_in_schema=False)


@router.get("/wallboard", response_class=HTMLResponse)
def wallboard_page(request: Request) -> Response:
    user = shell.user(request)
    if user is None:
        return shell.to_login(request)
    if user.role not in STATS_ROLES:
        return shell.render(request, "noaccess.html", user)
    return shell.render(request, "wallboard.html", user)


@router.get("/reports", response_class=HTMLResponse)
def reports_page(request: Request) -> Response:
    user = shell.user(request)
    if user is None:
        return shell.to_login(request)
    if user.role not in CONSOLE_ROLES and user.role != Role.UNIT_HANDLER:
        return shell.render(request, "noaccess.html", user)
    return shell.render(request, "reports.html", user)
