"""Console pages for work orders (issue 4): list views, the order form, the order, complaints.

``/work-orders`` (all), ``/dispatch`` (shift leader queue), ``/callbacks``, ``/supervision``,
``/unit`` (units' portal, unit handlers only), ``/work-orders/new`` (``?call_id=`` carries the
call over), ``/work-orders/{id}``, ``/complaints``. Thin shells: data comes from the JSON API,
except ``/work-orders/{id}/complaint-form/print`` (the 投诉处理表, R-S9), server-rendered so it
prints without JavaScript.
"""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from zongji.domain.roles import ADMIN_ROLES, CONSOLE_ROLES, Role
from zongji.errors import NotFound
from zongji.services import complaints, wakeups
from zongji.services.work_orders.visibility import Viewer, get_visible
from zongji.api.deps import unit_of_work
from zongji.web import shell
from zongji.api.errors import area_router

router = area_router(include_in_schema=False)

LIST_VIEWS = {"/work-orders": "all", "/dispatch": "dispatch", "/callbacks": "callbacks",
              "/supervision": "supervision"}


def _guard(request: Request, *, roles=CONSOLE_ROLES):
    user = shell.user(request)
    if user is None:
        return None, shell.to_login(request)
    if user.role not in roles:
        if user.role == Role.UNIT_HANDLER:
            return None, RedirectResponse("/unit", status_code=303)
        return None, shell.render(request, "noaccess.html", user)
    return user, None


def _list(request: Request, view: str) -> Response:
    user, early = _guard(request)
    if early is not None:
        return early
    return shell.render(request, "work_orders.html", user, view=view, config={"view": view})


@router.get("/work-orders", response_class=HTMLResponse)
def all_orders(request: Request) -> Response:
    # ?view=extensions: the tab "extensions waiting for approval" (延期待批) of the list.
    return _list(request, "extensions" if request.query_params.get("view") == "extensions" else "all")


@router.get("/dispatch", response_class=HTMLResponse)
def dispatch_queue(request: Request) -> Response:
    return _list(request, "dispatch")


@router.get("/callbacks", response_class=HTMLResponse)
def callbacks(request: Request) -> Response:
    return _list(request, "callbacks")


@router.get("/supervision", response_class=HTMLResponse)
def supervision(request: Request) -> Response:
    return _list(request, "supervision")


@router.get("/unit", response_class=HTMLResponse)
def unit_portal(request: Request) -> Response:
    user, early = _guard(request, roles=frozenset({Role.UNIT_HANDLER}))
    if early is not None:
        return early
    return shell.render(request, "work_orders.html", user, view="unit",
                       config={"view": "unit", "wakeup_knock": _knocks_on_doors(request, user)})


def _knocks_on_doors(request: Request, user) -> bool:
    """Whether this handler's unit is the guest-service centre, which gets the wake-up door
    tasks (R-H9; setting ``wakeup_knock_unit``): the portal then shows them first."""
    with unit_of_work(request) as s:
        unit = wakeups.knock_unit(s, request.app.state.settings)
        return unit is not None and user.department_id == unit.id


@router.get("/work-orders/new", response_class=HTMLResponse)
def new_order(request: Request) -> Response:
    user, early = _guard(request)
    if early is not None:
        return early
    call_id = request.query_params.get("call_id")
    return shell.render(request, "work_order_new.html", user,
                       config={"call_id": int(call_id) if call_id and call_id.isdigit() else None})


@router.get("/work-orders/{order_id}", response_class=HTMLResponse)
def order_page(order_id: int, request: Request) -> Response:
    user, early = _guard(request, roles=CONSOLE_ROLES | {Role.UNIT_HANDLER})
    if early is not None:
        return early
    return shell.render(request, "work_order.html", user, config={"order_id": order_id})


@router.get("/work-orders/{order_id}/complaint-form/print", response_class=HTMLResponse)
def complaint_form_print(order_id: int, request: Request) -> Response:
    """The complaint-handling form as an A4 page; unit handlers see only their unit's orders (404)."""
    user, early = _guard(request, roles=CONSOLE_ROLES | {Role.UNIT_HANDLER})
    if early is not None:
        return early
    try:
        with unit_of_work(request) as s:
            row = get_visible(s, Viewer.of(user), order_id)
            data = complaints.form(s, row, tz=request.app.state.settings.tz)
            org_names = complaints.form_organisation(s, row)
            order_type = row.order_type
    except NotFound:
        return Response("not found", status_code=404)
    return shell.render(request, "complaint_form_print.html", user, form=data, org=org_names,
                       order_type=order_type)


@router.get("/complaints", response_class=HTMLResponse)
def complaints_page(request: Request) -> Response:
    user, early = _guard(request)
    if early is not None:
        return early
    return shell.render(request, "complaints.html", user)


@router.get("/settings/work-orders", response_class=HTMLResponse)
def settings_page(request: Request) -> Response:
    """Business calendar, SLA policies, unit contacts, categories (supervisors and admins)."""
    user, early = _guard(request, roles=ADMIN_ROLES)
    if early is not None:
        return early
    return shell.render(request, "work_order_settings.html", user)
