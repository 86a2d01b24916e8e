"""Console page for published lines (issue 3 point 7): ``/settings/lines``.

Each line's name, number, kind, greetings, hours, after-hours forwarding (R-S2), responsible person
and deputy (R-S5), inbound-only flag (R-S1) and where its calls go right now; faults (R-S3), silence
alerts with the test call's result, and outbound calls the PBX reported on inbound-only lines.
Supervisors and admins edit; shift leaders read the settings and record faults and test calls.
A thin shell: the data comes from ``/api/switchboard/lines``, ``/faults``, ``/alerts``,
``/line-violations``; the people offered as responsible, deputy and after-hours contact are
rendered into the page's config.
"""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from zongji.domain.roles import ADMIN_ROLES, Role
from zongji.services import page_choices
from zongji.web import shell
from zongji.api.errors import area_router

router = area_router(include_in_schema=False)

# Who may open the page; ADMIN_ROLES (supervisor, admin) may also change line settings.
LINE_PAGE_ROLES = frozenset({Role.SHIFT_LEADER}) | ADMIN_ROLES


@router.get("/settings/lines", response_class=HTMLResponse)
def lines_page(request: Request) -> Response:
    user = shell.user(request)
    if user is None:
        return shell.to_login(request)
    if user.role not in LINE_PAGE_ROLES:
        if user.role == Role.UNIT_HANDLER:
            return RedirectResponse("/unit", status_code=303)
        return shell.render(request, "noaccess.html", user)
    with request.app.state.session_factory() as s:
        choices = page_choices.line_page_choices(s)
    return shell.render(request, "lines.html", user, can_edit=user.role in ADMIN_ROLES,
                       config={"can_edit": user.role in ADMIN_ROLES, **choices})
