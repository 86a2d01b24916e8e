"""Console pages for switchboard operations (issue 3): the handover log (``/handover``) and its
print view (``/handover/{id}/print``, server-rendered so it prints without JavaScript)."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from zongji.domain.roles import CONSOLE_ROLES, Role
from zongji.errors import NotFound
from zongji.services import handover as handover_service
from zongji.api.deps import unit_of_work
from zongji.web import shell
from zongji.api.errors import area_router

router = area_router(include_in_schema=False)


def _guard(request: Request):
    user = shell.user(request)
    if user is None:
        return None, shell.to_login(request)
    if user.role not in CONSOLE_ROLES:
        if user.role == Role.UNIT_HANDLER:
            return None, RedirectResponse("/unit", status_code=303)
        return None, shell.render(request, "noaccess.html", user)
    return user, None


@router.get("/handover", response_class=HTMLResponse)
def handover_page(request: Request) -> Response:
    user, early = _guard(request)
    if early is not None:
        return early
    return shell.render(request, "handover.html", user)


@router.get("/handover/{handover_id}/print", response_class=HTMLResponse)
def handover_print(handover_id: int, request: Request) -> Response:
    user, early = _guard(request)
    if early is not None:
        return early
    settings = request.app.state.settings
    try:
        with unit_of_work(request) as s:
            data = handover_service.get(s, user, settings, handover_id)
    except NotFound:
        return Response("not found", status_code=404)
    return shell.render(request, "handover_print.html", user, ho=data)
