"""The PMS link page (``/settings/pms``; issue 16): the FIAS link's status for shift leaders,
supervisors and admins — up or down since when, the last record each way, the last error, the
last resync and the records waiting for the PMS. Data from ``/api/fias/status`` and the live
topics ``fias_link`` and ``alert``."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import HTMLResponse, Response

from zongji.domain.roles import LEADER_ROLES
from zongji.web import shell
from zongji.api.errors import area_router

router = area_router(include_in_schema=False)


@router.get("/settings/pms", response_class=HTMLResponse)
def pms_link_page(request: Request) -> Response:
    user = shell.user(request)
    if user is None:
        return shell.to_login(request)
    if user.role not in LEADER_ROLES:
        return shell.render(request, "noaccess.html", user)
    settings = request.app.state.settings
    return shell.render(request, "fias.html", user, config={
        "fias_mode": settings.fias_mode, "fias_address": f"{settings.fias_host}:{settings.fias_port}"})
