"""Outbound call lists (``/outbound``, issue 14 point 4; R-S13, R-S12): a shift leader or
supervisor builds a list (customers by filter, work orders by place and category, an XLSX import
with its rejected rows), every console role sees the lists' progress live and works a list with
one key per step. Data from ``/api/outbound`` and the live feed (topic ``outbound_list``)."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import HTMLResponse, Response

from zongji.domain.outbound.rules import BUILDERS
from zongji.domain.roles import CONSOLE_ROLES
from zongji.web import shell
from zongji.api.errors import area_router

router = area_router(include_in_schema=False)


@router.get("/outbound", response_class=HTMLResponse)
def outbound_page(request: Request) -> Response:
    user, refusal = shell.gate(request, CONSOLE_ROLES)
    if refusal is not None:
        return refusal
    return shell.render(request, "outbound.html", user, may_build=user.role in BUILDERS,
                        config={"outbound": {"may_build": user.role in BUILDERS}})
