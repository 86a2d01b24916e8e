"""Customer files' pages (issue 13 point 7, R-G6): ``/guests/{guest_id}`` a guest's file (class,
preferences, stays, calls, requests, complaints, satisfaction; shift leaders edit the class and
preferences) and ``/guests/surveys`` the stays due a satisfaction survey. Console roles; data
from ``/api/guests``."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import HTMLResponse, Response

from zongji.api.deps import IdPath, unit_of_work
from zongji.domain.roles import CONSOLE_ROLES
from zongji.services.guestsvc import centre
from zongji.web import shell
from zongji.api.errors import area_router

router = area_router(include_in_schema=False)


def _page(request: Request, template: str, **config) -> Response:
    user = shell.user(request)
    if user is None:
        return shell.to_login(request)
    if user.role not in CONSOLE_ROLES:
        return shell.render(request, "noaccess.html", user)
    return shell.render(request, template, user, config=config)


@router.get("/guests/surveys", response_class=HTMLResponse)
def surveys_page(request: Request) -> Response:
    user = shell.user(request)
    if user is None:
        return shell.to_login(request)
    with unit_of_work(request) as s:
        if user.role not in CONSOLE_ROLES and not centre.is_centre_staff(s, user, request.app.state.settings):
            return shell.render(request, "noaccess.html", user)
    return shell.render(request, "guest_surveys.html", user)


@router.get("/guests/{guest_id}", response_class=HTMLResponse)
def file_page(request: Request, guest_id: IdPath) -> Response:
    return _page(request, "guest_file.html", guest_id=guest_id)
