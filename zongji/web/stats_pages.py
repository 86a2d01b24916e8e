"""The live wallboard page (``/wallboard``, issue 10): shift leaders, supervisors and admins.
Data from ``/api/stats/wallboard``, asked again whenever the live feed reports a change."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from zongji.domain.roles import STATS_ROLES
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
