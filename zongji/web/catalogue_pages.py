"""The responsibility catalogue page (``/catalogue``; issue 11, point 2): everyone on the hotline
console searches and reads it; the hotline office (supervisors, admins) edits, imports and
exports. Data from ``/api/catalogue``."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import HTMLResponse, Response

from zongji.domain.roles import CONSOLE_ROLES, OFFICE_ROLES
from zongji.web import shell
from zongji.api.errors import area_router

router = area_router(include_in_schema=False)


@router.get("/catalogue", response_class=HTMLResponse)
def catalogue_page(request: Request) -> Response:
    user = shell.user(request)
    if user is None:
        return shell.to_login(request)
    if user.role not in CONSOLE_ROLES:
        return shell.render(request, "noaccess.html", user)
    return shell.render(request, "catalogue.html", user, config={"catalogue_may_edit": user.role in OFFICE_ROLES})
