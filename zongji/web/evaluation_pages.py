"""Evaluation page (质检, issue 11 point 7): ``/evaluation`` shows the user's own call reviews
(我的质检: scores per item, comments); supervisors and admins also edit the evaluation items
there. Data: ``/api/evaluation/mine``, ``/api/evaluation/items``."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import HTMLResponse, Response

from zongji.domain.roles import ADMIN_ROLES, CONSOLE_ROLES
from zongji.web import shell
from zongji.api.errors import area_router

router = area_router(include_in_schema=False)


@router.get("/evaluation", response_class=HTMLResponse)
def evaluation_page(request: Request) -> Response:
    user = shell.user(request)
    if user is None:
        return shell.to_login(request)
    if user.role not in CONSOLE_ROLES:
        return shell.render(request, "noaccess.html", user)
    return shell.render(request, "evaluation.html", user, config={"edit_items": user.role in ADMIN_ROLES})
