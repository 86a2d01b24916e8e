"""The retention page (``/settings/retention``; issue 18 point 3): the latest retention runs —
per kind of record what was deleted or anonymised, how many rows, the cut-off, started and
finished — for supervisors and admins. Data from ``/api/retention/runs``."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import HTMLResponse, Response

from zongji.web import shell
from zongji.api.errors import area_router

router = area_router(include_in_schema=False)
ROLES = ("supervisor", "admin")


@router.get("/settings/retention", response_class=HTMLResponse)
def retention_page(request: Request) -> Response:
    user = shell.user(request)
    if user is None:
        return shell.to_login(request)
    if user.role not in ROLES:
        return shell.render(request, "noaccess.html", user)
    return shell.render(request, "retention.html", user)
