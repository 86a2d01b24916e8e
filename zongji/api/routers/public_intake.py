"""The citizens' web form and status page, without login (issue 15, point 4).

``GET /api/public/choices`` (the request types and kinds of matter), ``POST /api/public/requests``
(multipart: ``order_type``, ``category``, ``place``, ``latitude``/``longitude``, ``description``,
``phone``, ``name``, ``photos`` files, and the honeypot ``website`` left empty) → 201
``{"tracking_number"}``; ``GET /api/public/status?number=&phone=``. Refusals name the field;
429 with Retry-After past the rate limits (the status look-ups too:
``services.intake.lookups``)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Query, Request
from starlette.datastructures import UploadFile

from zongji.api.deps import ReadDB, WriteDB, unit_of_work
from zongji.api.errors import ErrorOut, area_router
from zongji.errors import Invalid
from zongji.services.intake import lookups, web
from zongji.store.models import utcnow

router = area_router(prefix="/api/public", tags=["public web form"])

_FIELDS = ("order_type", "category", "place", "latitude", "longitude", "description", "phone", "name", "website")


@router.get("/choices")
def get_choices(db: ReadDB) -> dict[str, Any]:
    return web.choices(db)


_TOO_MANY = {429: {"model": ErrorOut, "description": "Past the hourly limit for this address or number: try "
                                                     "again after Retry-After seconds",
                    "headers": {"Retry-After": {"description": "Seconds to wait", "schema": {"type": "integer"}}}}}


@router.post("/requests", status_code=201, responses=_TOO_MANY, openapi_extra={"requestBody": {"content": {"multipart/form-data": {
    "schema": {"type": "object", "properties": {
        **{f: {"type": "string", "maxLength": 2000} for f in _FIELDS},
        "photos": {"type": "array", "items": {"type": "string", "format": "binary"}}}}}}},
    "x-refusals": {"phone": "7 to 15 digits; within its hourly limit", "description": "5 to 2000 characters",
                   "order_type": "one of the types", "category": "one of the kinds of matter",
                   "place": "an address or a map point", "latitude": "a number in range",
                   "longitude": "a number in range", "photos": "images within the size and count limits",
                   "request": "within the address's hourly limit", "body": "a multipart form"}})
async def post_request(request: Request, db: WriteDB) -> dict[str, Any]:
    settings = request.app.state.settings
    try:
        form = await request.form(max_files=settings.intake_web_photos_max + 1, max_fields=50)
    except Exception:  # noqa: BLE001 — not a form: the client's error
        raise Invalid("send the form as multipart/form-data", field="body") from None
    data = {k: str(form.get(k) or "") for k in _FIELDS if isinstance(form.get(k), str)}
    photos = []
    for f in form.getlist("photos"):
        if isinstance(f, UploadFile) and f.filename:
            photos.append(web.Photo(f.filename, f.content_type or "", await f.read()))
    address = request.client.host if request.client else ""
    return web.submit(db, settings, data, photos, address=address, now=utcnow())


@router.get("/status", responses=_TOO_MANY, openapi_extra={"x-refusals": {
    "number": "a request filed with this telephone; within its hourly look-ups",
    "request": "within the address's hourly look-ups"}})
def get_status(request: Request, db: ReadDB, number: Annotated[str, Query(min_length=1, max_length=40)],
               phone: Annotated[str, Query(min_length=1, max_length=32)]) -> dict[str, Any]:
    # Counted in its own unit of work first, so a wrong guess counts too (follow-up point 3).
    with unit_of_work(request) as s:
        lookups.count(s, request.app.state.settings, address=request.client.host if request.client else None,
                      number=number, now=utcnow())
    return web.status(db, number, phone)
