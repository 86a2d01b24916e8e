"""Statistics pages (issue 10): the live wallboard (``/wallboard``: shift leaders, supervisors and
admins; data from ``/api/stats/wallboard``, asked again whenever the live feed reports a change)
and the reports (``/reports``: console roles, an operator their own calls; unit handlers their
unit's work orders)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from zongji.domain.roles import CONSOLE_ROLES, STATS_ROLES, Role
from zongji.web import pages

router = APIRouter(include_in_schema=False)


@router.get("/wallboard", response_class=HTMLResponse)
def wallboard_page(request: Request) -> Response:
    user = pages._user(request)
    if user is None:
        return pages._to_login(request)
    if user.role not in STATS_ROLES:
        return pages._page(request, "noaccess.html", user)
    return pages._page(request, "wallboard.html", user)


@router.get("/reports", response_class=HTMLResponse)
def reports_page(request: Request) -> Response:
    user = pages._user(request)
    if user is None:
        return pages._to_login(request)
    if user.role not in CONSOLE_ROLES and user.role != Role.UNIT_HANDLER:
        return pages._page(request, "noaccess.html", user)
    return pages._page(request, "reports.html", user)
