"""Open311 GeoReport v2 under ``/open311/v2/`` (issue 15, point 5; README "Open311").

``discovery.{fmt}``, ``services.{fmt}``, ``services/{service_code}.{fmt}``, ``POST
requests.{fmt}`` (form-encoded, ``api_key`` of a client application), ``GET requests.{fmt}``,
``requests/{service_request_id}.{fmt}``, ``tokens/{token}.{fmt}``; ``fmt`` is ``json`` or
``xml``. The GET look-ups are rate-limited per address and per id (``services.intake.lookups``). Refusals are the specification's error list (400, 403, 404), never Zongji's own JSON.
Not in Zongji's OpenAPI document: the specification is the contract."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import Request
from fastapi.responses import Response

from zongji.api import open311_format as fmt_
from zongji.api.deps import unit_of_work
from zongji.domain.intake.open311 import SpecError
from zongji.errors import TooMany
from zongji.services.intake import lookups, open311
from zongji.store.models import utcnow
from zongji.api.errors import area_router

router = area_router(prefix="/open311/v2", include_in_schema=False)

CHANGESET = "2026-12-04T00:00:00+08:00"


def _run(request: Request, fmt: str, fn: Callable[[Any], Any], *, root: str,
         item: str | None, lookup: str | None = None) -> Response:
    """``lookup``: a status look-up (GET requests), counted for its rate limits per client
    address and per ``lookup`` (the request id asked, "" for a list): 429 past them."""
    if fmt not in fmt_.FORMATS:
        return fmt_.errors("xml", 404, f"format {fmt!r} not supported: json or xml")
    settings = request.app.state.settings
    if lookup is not None:
        try:
            with unit_of_work(request) as s:
                lookups.count(s, settings, address=request.client.host if request.client else None,
                              number=lookup, now=utcnow())
        except TooMany as e:
            answer = fmt_.errors(fmt, 429, str(e))
            answer.headers["Retry-After"] = str(e.retry_after)
            return answer
    try:
        open311.check_jurisdiction(settings, request.query_params.get("jurisdiction_id"))
        with unit_of_work(request) as s:
            data = fn(s)
    except SpecError as e:
        return fmt_.errors(fmt, e.code, e.description)
    return fmt_.answer(fmt, data, root=root, item=item)


@router.get("/discovery.{fmt}")
def discovery(request: Request, fmt: str) -> Response:
    base = str(request.base_url).rstrip("/") + "/open311/v2/"
    data = {"changeset": CHANGESET, "contact": "12345", "key_service": "api_key: ask the hotline's administrator",
            "endpoints": [{"specification": "http://wiki.open311.org/GeoReport_v2", "url": base,
                           "changeset": CHANGESET, "type": "production",
                           "formats": ["text/xml", "application/json"]}]}
    return _run(request, fmt, lambda s: data, root="discovery", item=None)


@router.get("/services.{fmt}")
def services(request: Request, fmt: str) -> Response:
    return _run(request, fmt, open311.services, root="services", item="service")


@router.get("/services/{service_code}.{fmt}")
def service_definition(request: Request, service_code: str, fmt: str) -> Response:
    return _run(request, fmt, lambda s: open311.service_definition(s, service_code), root="service_definition",
                item=None)


@router.post("/requests.{fmt}")
async def post_request(request: Request, fmt: str) -> Response:
    try:
        form = await request.form()
    except Exception:  # noqa: BLE001 — a body that is no form is the client's error
        return fmt_.errors(fmt, 400, "the body must be application/x-www-form-urlencoded")
    fields = {k: str(v) for k, v in form.items() if isinstance(v, str)}
    for k, v in request.query_params.items():  # api_key and jurisdiction_id may come in the query
        fields.setdefault(k, v)
    settings = request.app.state.settings
    now = utcnow()
    return _run(request, fmt, lambda s: [open311.file_request(s, settings, fields, now=now)],
                root="service_requests", item="request")


@router.get("/requests.{fmt}")
def get_requests(request: Request, fmt: str) -> Response:
    q = request.query_params
    tz = request.app.state.settings.tz
    return _run(request, fmt, lambda s: open311.requests(
        s, tz, service_request_id=q.get("service_request_id"), service_code=q.get("service_code"),
        start_date=q.get("start_date"), end_date=q.get("end_date"), status=q.get("status")),
        root="service_requests", item="request", lookup=(q.get("service_request_id") or "").split(",")[0])


@router.get("/requests/{service_request_id}.{fmt}")
def get_request(request: Request, service_request_id: str, fmt: str) -> Response:
    tz = request.app.state.settings.tz
    return _run(request, fmt, lambda s: open311.request(s, tz, service_request_id), root="service_requests",
                item="request", lookup=service_request_id)


@router.get("/tokens/{token}.{fmt}")
def get_token(request: Request, token: str, fmt: str) -> Response:
    return _run(request, fmt, lambda s: [open311.token_status(s, token)], root="service_requests", item="request",
                lookup=token)
