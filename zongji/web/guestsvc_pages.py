"""The guest-service centre's pages (issue 13): ``/guestsvc`` the centre's board (open requests with
their age against the target, new requests, follow-ups, loans, dishes, the roster, sign-in, keys,
lost and found) and ``/guestsvc/attendant`` the floor attendant's phone-sized page (accept, done).
Data from ``/api/guestsvc``."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import HTMLResponse, Response

from zongji.api.deps import unit_of_work
from zongji.domain.roles import UNIT_ROLES
from zongji.services.guestsvc import centre
from zongji.web import shell
from zongji.api.errors import area_router

router = area_router(include_in_schema=False)


@router.get("/guestsvc", response_class=HTMLResponse)
def centre_page(request: Request) -> Response:
    user = shell.user(request)
    if user is None:
        return shell.to_login(request)
    settings = request.app.state.settings
    with unit_of_work(request) as s:
        if not centre.may_run_centre(s, user, settings):
            return shell.render(request, "noaccess.html", user)
        manager = user.role in ("supervisor", "admin") or centre.is_centre_staff(s, user, settings)
    return shell.render(request, "guestsvc.html", user, config={
        "gs_manager": manager, "gs_response_minutes": settings.guestsvc_response_minutes})


@router.get("/guestsvc/attendant", response_class=HTMLResponse)
def attendant_page(request: Request) -> Response:
    user = shell.user(request)
    if user is None:
        return shell.to_login(request)
    if user.role not in UNIT_ROLES:
        return shell.render(request, "noaccess.html", user)
    return shell.render(request, "guestsvc_attendant.html", user)


@router.get("/guestsvc/analysis", response_class=HTMLResponse)
def analysis_page(request: Request) -> Response:
    """The centre's analysis by week or month with charts (R-G3): its staff and the roles that
    see rooms."""
    user = shell.user(request)
    if user is None:
        return shell.to_login(request)
    with unit_of_work(request) as s:
        if not centre.may_run_centre(s, user, request.app.state.settings):
            return shell.render(request, "noaccess.html", user)
    return shell.render(request, "guestsvc_analysis.html", user)
