"""Work orders API (issue 4): orders, actions, the units' portal, callbacks, supervision,
duplicates, links, attachments, notifications, the complaint form and register.

Console roles see every order; unit handlers see only their unit's (404 otherwise). Every
state change goes through the domain state machine: 403 wrong role/unit, 409 illegal transition,
422 naming the field for bad input.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import Depends, Path, Query, Request, UploadFile
from fastapi.responses import FileResponse, Response
from pydantic import ConfigDict, Field

from zongji.api.deps import ID_MAX, CurrentUser, ReadDB, WriteDB, require_roles
from zongji.api.models import ApiModel
from zongji.api.errors import area_router, refusals
from zongji.domain.intake.channels import CHANNELS
from zongji.domain.roles import CONSOLE_ROLES, Role
from zongji.domain.sla import ClockState
from zongji.domain.work_orders.words import OrderType, Status
from zongji.errors import Forbidden
from zongji.services import audit, complaints, notifications
from zongji.services.work_orders import attachments, calls, commands, detail, form_meta, links, listing, visibility
from zongji.services.work_orders.duplicates import suggest_duplicates, weights_from_settings
from zongji.services.work_orders.visibility import Viewer
from zongji.store.models import User

router = area_router(prefix="/api", tags=["work orders"])

_ID_MAX = ID_MAX
Id = Annotated[int, Path(ge=1, le=_ID_MAX)]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_XLSX_RESPONSE = {200: {"content": {XLSX: {}}, "description": "An XLSX workbook"}}

Console = Annotated[User, Depends(require_roles(CONSOLE_ROLES))]
Unit = Annotated[User, Depends(require_roles(Role.UNIT_HANDLER))]


def _tz(request: Request):
    return request.app.state.settings.tz


class CloseDirectlyIn(ApiModel):
    model_config = ConfigDict(extra="forbid")
    handling: str = Field(default="", max_length=4000)
    result: str = Field(default="", max_length=4000)


_ORDER_TYPES = [t.value for t in OrderType]
_SLA_STATES = [s.value for s in ClockState]
_STATUS_WORD = "(" + "|".join(s.value for s in Status) + ")"
_STATUS_LIST = rf"^,*({_STATUS_WORD}(,+{_STATUS_WORD})*)?,*$"


class LinkIn(ApiModel):
    model_config = ConfigDict(extra="forbid")
    order_id: int = Field(ge=1, le=ID_MAX)
    kind: Literal["related", "duplicate"] = "related"


class OrderIn(ApiModel):
    model_config = ConfigDict(extra="forbid")
    order_type: str = Field(max_length=20, json_schema_extra={"enum": _ORDER_TYPES})
    description: str = Field(max_length=4000)
    situation: str | None = Field(default=None, max_length=40)
    line_code: str | None = Field(default=None, max_length=40)
    category: str | None = Field(default=None, max_length=200)
    urgency: str = Field(default="normal", max_length=20)
    complexity: str | None = Field(default=None, max_length=20)
    caller_name: str | None = Field(default=None, max_length=100)
    caller_number: str | None = Field(default=None, max_length=64)
    contact_consent: bool = True
    caller_unit_room: str | None = Field(default=None, max_length=100)
    product_serial: str | None = Field(default=None, max_length=100)
    channel: str = Field(default="phone", max_length=20, json_schema_extra={"enum": list(CHANNELS)})
    place: str | None = Field(default=None, max_length=4000)
    latitude: float | None = Field(default=None, ge=-90, le=90)
    longitude: float | None = Field(default=None, ge=-180, le=180)
    details: dict[str, str] = Field(default_factory=dict, max_length=20)
    call_id: int | None = Field(default=None, ge=1, le=ID_MAX)
    close_directly: CloseDirectlyIn | None = None
    link_to: list[LinkIn] = Field(default_factory=list, max_length=20)


class EditIn(ApiModel):
    model_config = ConfigDict(extra="forbid")
    caller_name: str | None = Field(default=None, max_length=100)
    caller_number: str | None = Field(default=None, max_length=64)
    contact_consent: bool | None = None
    caller_unit_room: str | None = Field(default=None, max_length=100)
    product_serial: str | None = Field(default=None, max_length=100)
    place: str | None = Field(default=None, max_length=4000)
    latitude: float | None = Field(default=None, ge=-90, le=90)
    longitude: float | None = Field(default=None, ge=-180, le=180)
    description: str | None = Field(default=None, max_length=4000)
    findings: str | None = Field(default=None, max_length=4000)
    manager_opinion: str | None = Field(default=None, max_length=4000)


class ActionIn(ApiModel):
    """``{"action": "<kind>", …fields of that action}`` — see zongji.domain.work_orders.actions."""

    model_config = ConfigDict(extra="allow")
    action: str = Field(max_length=40)


class DuplicatesIn(ApiModel):
    model_config = ConfigDict(extra="forbid")
    caller_number: str | None = Field(default=None, max_length=64)
    place: str | None = Field(default=None, max_length=4000)
    category: str | None = Field(default=None, max_length=200)
    description: str = Field(default="", max_length=4000)
    latitude: float | None = Field(default=None, ge=-90, le=90)
    longitude: float | None = Field(default=None, ge=-180, le=180)
    exclude_id: int | None = Field(default=None, ge=1, le=ID_MAX)
    unit_id: int | None = Field(default=None, ge=1, le=ID_MAX)  # the handling unit, when chosen


# --------------------------------------------------------------------------- orders


# Rules of a work order a schema cannot state: the words of its type and line (the meta answer
# lists them), the records it names.
_ORDER_RULES = refusals(
    situation="one of the type's situations (GET /api/work-orders/meta), required where it decides handling (R-P2)",
    category="a category of the catalogue", line_code="a line the user works on", urgency="one of the urgencies",
    complexity="one of the complexities", channel="one of the channels (phone, sms, email, web, open311, app, letter, walk-in)", caller_number="a telephone number",
    call_id="a call the user may see", close_directly="only for a situation that closes directly",
    link_to="orders the user may see", details="the fields the type asks for", description="not blank",
    caller_name="given when the caller agrees to be contacted",
    latitude="given with longitude", longitude="given with latitude", place="a place for an order that needs one",
)


@router.get("/work-orders/meta")
def get_meta(user: CurrentUser, db: ReadDB) -> dict[str, Any]:
    return form_meta.meta(db, Viewer.of(user))


@router.get("/work-orders", openapi_extra=refusals(
    view="a view of the user's role (unit: unit handlers; dispatch, supervision: the console)",
    unit_id="a unit the user may see"))
def list_orders(
    request: Request, user: CurrentUser, db: ReadDB,
    view: Annotated[str, Query(max_length=20, json_schema_extra={"enum": list(listing.VIEWS)})] = "all",
    status: Annotated[str | None, Query(max_length=200, pattern=_STATUS_LIST,
                                        description="Comma-separated statuses")] = None,
    order_type: Annotated[str | None, Query(max_length=20, json_schema_extra={"enum": _ORDER_TYPES})] = None,
    sla_state: Annotated[str | None, Query(max_length=20, json_schema_extra={"enum": _SLA_STATES})] = None,
    unit_id: Annotated[int | None, Query(ge=1, le=_ID_MAX)] = None,
    q: Annotated[str | None, Query(max_length=100)] = None,
    supervised: bool | None = None,
    page: Annotated[int, Query(ge=1, le=100000)] = 1,
    page_size: Annotated[int, Query(ge=1, le=200)] = 50,
) -> dict[str, Any]:
    return listing.list_orders(db, Viewer.of(user), tz=_tz(request), view=view, status=status,
                               order_type=order_type, sla_state=sla_state, unit_id=unit_id, q=q,
                               supervised=supervised, page=page, page_size=page_size)


@router.post("/work-orders", status_code=201, openapi_extra=_ORDER_RULES)
def create_order(body: OrderIn, request: Request, user: Console, db: WriteDB) -> dict[str, Any]:
    viewer = Viewer.of(user)
    data = body.model_dump()
    data["close_directly"] = body.close_directly.model_dump() if body.close_directly else None
    data["link_to"] = [lk.model_dump() for lk in body.link_to]
    warnings: list[dict[str, Any]] = []
    row = commands.create_order(db, viewer, commands.NewOrder(**data), tz=_tz(request), warnings=warnings)
    out = detail.order_detail(db, row, viewer, tz=_tz(request))
    return {**out, "phrase_warnings": warnings} if warnings else out


@router.get("/work-orders/from-call/{call_id}")
def prefill_from_call(call_id: Id, request: Request, user: Console, db: WriteDB) -> dict[str, Any]:
    """What the order form starts with when created from a call (caller, number, notes, line)."""
    return calls.call_prefill(db, Viewer.of(user), call_id, request.app.state.settings)


@router.post("/work-orders/duplicates")
def duplicates(body: DuplicatesIn, request: Request, user: Console, db: ReadDB) -> dict[str, Any]:
    s = request.app.state.settings
    items = suggest_duplicates(db, Viewer.of(user), caller_number=body.caller_number,
                               place=body.place, category=body.category, description=body.description,
                               latitude=body.latitude, longitude=body.longitude,
                               exclude_id=body.exclude_id, window_days=s.duplicate_window_days,
                               limit=s.duplicate_limit, unit_id=body.unit_id, weights=weights_from_settings(s),
                               candidates_max=s.duplicate_candidates_max)
    return {"items": items}


@router.get("/work-orders/by-number/{number}")
def by_number(number: str, request: Request, user: CurrentUser, db: ReadDB) -> dict[str, Any]:
    viewer = Viewer.of(user)
    row = visibility.find_by_number(db, viewer, number)
    return detail.order_detail(db, row, viewer, tz=_tz(request))


@router.get("/work-orders/{order_id}")
def get_order(order_id: Id, request: Request, user: CurrentUser, db: ReadDB) -> dict[str, Any]:
    viewer = Viewer.of(user)
    row = visibility.get_visible(db, viewer, order_id)
    return detail.order_detail(db, row, viewer, tz=_tz(request))


@router.patch("/work-orders/{order_id}", openapi_extra=_ORDER_RULES)
def edit_order(order_id: Id, body: EditIn, request: Request, user: Console, db: WriteDB) -> dict[str, Any]:
    viewer = Viewer.of(user)
    row = commands.edit_order(db, viewer, order_id, body.model_dump(exclude_unset=True), tz=_tz(request))
    return detail.order_detail(db, row, viewer, tz=_tz(request))


@router.post("/work-orders/{order_id}/actions")
def act(order_id: Id, body: ActionIn, request: Request, user: CurrentUser, db: WriteDB) -> dict[str, Any]:
    viewer = Viewer.of(user)
    warnings: list[dict[str, Any]] = []
    row = commands.act(db, viewer, order_id, body.model_dump(), tz=_tz(request), warnings=warnings)
    out = detail.order_detail(db, row, viewer, tz=_tz(request))
    return {**out, "phrase_warnings": warnings} if warnings else out


@router.post("/work-orders/{order_id}/links", status_code=201,
             openapi_extra=refusals(other_id="the order itself, or an order the user may not see"))
def link(order_id: Id, body: LinkIn, request: Request, user: Console, db: WriteDB) -> dict[str, Any]:
    viewer = Viewer.of(user)
    links.link_orders(db, viewer, order_id, body.order_id, body.kind, tz=_tz(request))
    return detail.order_detail(db, visibility.get_visible(db, viewer, order_id), viewer, tz=_tz(request))


class CallLinkIn(ApiModel):
    model_config = ConfigDict(extra="forbid")
    call_id: int = Field(ge=1, le=ID_MAX)
    purpose: Literal["repeat", "callback", "other"] = "repeat"


@router.post("/work-orders/{order_id}/calls", status_code=201)
def link_call(order_id: Id, body: CallLinkIn, request: Request, user: Console, db: WriteDB) -> dict[str, Any]:
    """Link a further call to the order (the caller calling again, the callback call, R-P6, R-P8)."""
    viewer = Viewer.of(user)
    calls.link_call(db, viewer, order_id, body.call_id, body.purpose)
    return detail.order_detail(db, visibility.get_visible(db, viewer, order_id), viewer, tz=_tz(request))


@router.delete("/work-orders/{order_id}/links/{other_id}", status_code=204)
def unlink(order_id: Id, other_id: Id, request: Request, user: Console, db: WriteDB) -> Response:
    links.unlink_orders(db, Viewer.of(user), order_id, other_id, tz=_tz(request))
    return Response(status_code=204)


@router.post("/work-orders/{order_id}/attachments", status_code=201)
def upload(order_id: Id, file: UploadFile, request: Request, user: CurrentUser, db: WriteDB) -> dict[str, Any]:
    s = request.app.state.settings

    def chunks():
        while True:
            b = file.file.read(64 * 1024)
            if not b:
                return
            yield b

    att = attachments.add_attachment(db, Viewer.of(user), order_id, filename=file.filename or "file",
                                     content_type=file.content_type or "", chunks=chunks(), data_dir=s.data_dir,
                                     max_bytes=s.attachment_max_bytes, max_count=s.attachments_per_order_max)
    return {"id": att.id, "filename": att.filename, "size": att.size,
            "url": f"/api/work-orders/{order_id}/attachments/{att.id}"}


@router.get("/work-orders/{order_id}/attachments/{attachment_id}", response_class=Response,
            responses={200: {"content": {"application/octet-stream": {}}, "description": "The file"}})
def download(order_id: Id, attachment_id: Id, request: Request, user: CurrentUser, db: ReadDB) -> Response:
    att, path = attachments.get_attachment(db, Viewer.of(user), order_id, attachment_id,
                                           request.app.state.settings.data_dir)
    return FileResponse(path, media_type=att.content_type, filename=att.filename)


# --------------------------------------------------------------------------- lists by role


@router.get("/units/portal")
def unit_portal(request: Request, user: Unit, db: ReadDB,
                page: Annotated[int, Query(ge=1, le=100000)] = 1) -> dict[str, Any]:
    """The unit handler's orders (open first, nearest deadline first)."""
    viewer = Viewer.of(user)
    if viewer.unit_id is None:
        raise Forbidden("this unit handler belongs to no unit")
    out = listing.list_orders(db, viewer, tz=_tz(request), view="unit", page=page)
    out["unit"] = form_meta.meta(db, viewer)["me"]
    return out


@router.get("/callbacks")
def callbacks(request: Request, user: Console, db: ReadDB,
              page: Annotated[int, Query(ge=1, le=100000)] = 1) -> dict[str, Any]:
    """Orders the unit replied to, waiting for the callback (due first)."""
    return listing.list_orders(db, Viewer.of(user), tz=_tz(request), view="callbacks", page=page)


@router.get("/supervision")
def supervision(request: Request, user: Console, db: ReadDB,
                page: Annotated[int, Query(ge=1, le=100000)] = 1) -> dict[str, Any]:
    """督办： supervised orders (hot, dissatisfied, failed callbacks) and open orders past a deadline."""
    return listing.list_orders(db, Viewer.of(user), tz=_tz(request), view="supervision", page=page)


# --------------------------------------------------------------------------- notifications


@router.get("/notifications")
def my_notifications(user: CurrentUser, db: ReadDB, unread: bool = False) -> dict[str, Any]:
    unit_id = user.department_id if user.role == Role.UNIT_HANDLER else None
    items = notifications.list_for(db, user_id=user.id, role=user.role, unit_id=unit_id, unread_only=unread)
    return {"items": [notifications.notification_out(n) for n in items]}


@router.post("/notifications/{notification_id}/read", status_code=204)
def mark_read(notification_id: Id, user: CurrentUser, db: WriteDB) -> Response:
    unit_id = user.department_id if user.role == Role.UNIT_HANDLER else None
    notifications.mark_read(db, notification_id, user_id=user.id, role=user.role, unit_id=unit_id)
    return Response(status_code=204)


# --------------------------------------------------------------------------- complaints


_DateQuery = Annotated[str | None, Query(max_length=10, pattern=r"^(\d{4}-\d{2}-\d{2})?$",
                                         description="YYYY-MM-DD; empty: no bound")]
_RANGE_RULES = refusals(date_from="outside the years Zongji keeps", date_to="before date_from, or outside the years")


@router.get("/complaints/register", openapi_extra=_RANGE_RULES)
def complaint_register(
    request: Request, user: Console, db: ReadDB,
    date_from: _DateQuery = None,
    date_to: _DateQuery = None,
) -> dict[str, Any]:
    return complaints.register(db, tz=_tz(request), date_from=date_from, date_to=date_to)


@router.get("/complaints/register.xlsx", response_class=Response, responses=_XLSX_RESPONSE,
            openapi_extra=_RANGE_RULES)
def complaint_register_xlsx(
    request: Request, user: Console, db: WriteDB,
    date_from: _DateQuery = None,
    date_to: _DateQuery = None,
) -> Response:
    data = complaints.register(db, tz=_tz(request), date_from=date_from, date_to=date_to)
    content = complaints.register_xlsx(data)
    audit.record(db, actor=f"user:{user.username}", user_id=user.id, action="export", entity="complaint_register",
                 detail={"date_from": date_from, "date_to": date_to, "rows": len(data["items"])})
    return Response(content, media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    headers={"Content-Disposition": 'attachment; filename="complaint-register.xlsx"'})


@router.get("/work-orders/{order_id}/complaint-form")
def complaint_form(order_id: Id, request: Request, user: Console, db: ReadDB) -> dict[str, Any]:
    viewer = Viewer.of(user)
    row = visibility.get_visible(db, viewer, order_id)
    return complaints.form(db, row, tz=_tz(request))


@router.get("/work-orders/{order_id}/complaint-form.xlsx", response_class=Response, responses=_XLSX_RESPONSE)
def complaint_form_xlsx(order_id: Id, request: Request, user: Console, db: WriteDB) -> Response:
    viewer = Viewer.of(user)
    row = visibility.get_visible(db, viewer, order_id)
    content = complaints.form_xlsx(complaints.form(db, row, tz=_tz(request)))
    audit.record(db, actor=f"user:{user.username}", user_id=user.id, action="export", entity="complaint_form",
                 entity_id=row.id)
    return Response(content, media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    headers={"Content-Disposition": f'attachment; filename="complaint-{row.number}.xlsx"'})
