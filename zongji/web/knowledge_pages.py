"""The knowledge base page (``/knowledge``; issue 11, point 1): the hotline console searches and
reads articles; the office (supervisors, admins) edits them, decides proposals and keeps the
synonym table; a unit handler proposes changes to its own unit's articles. Data from
``/api/knowledge``."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import HTMLResponse, Response

from zongji.api.deps import unit_of_work
from zongji.domain.roles import CONSOLE_ROLES, OFFICE_ROLES, UNIT_ROLES
from zongji.services.knowledge import articles
from zongji.web import shell
from zongji.api.errors import area_router

router = area_router(include_in_schema=False)


@router.get("/knowledge", response_class=HTMLResponse)
def knowledge_page(request: Request) -> Response:
    user = shell.user(request)
    if user is None:
        return shell.to_login(request)
    if user.role not in CONSOLE_ROLES and user.role not in UNIT_ROLES:
        return shell.render(request, "noaccess.html", user)
    with unit_of_work(request) as s:
        units = articles.unit_choices(s, user)
    office = user.role in OFFICE_ROLES
    unit_id = user.department_id if user.role in UNIT_ROLES else None
    return shell.render(request, "knowledge.html", user, config={
        "kb_office": office, "kb_unit_id": unit_id, "kb_units": units,
    })
