"""CTI events from PBXs (public; README documents it).

- ``POST /api/v1/cti/{token}``: Zammad's generic CTI push, form-encoded or JSON, so any PBX that
  talks to Zammad talks to Zongji unchanged. Answers 200 ``{}``.
- ``POST /api/cti/events``: Zongji's JSON form (``Authorization: Bearer <token>``), with the
  event's own time ``at``, the ``line`` code and ``transfer`` events. Answers 202
  ``{"accepted": true, "duplicate": bool, "call_id": int}``.

Both answer only after the event is committed (see zongji.services.cti for the group-commit
write path). The handlers are deliberately lean: no database work on the event loop, no
Pydantic on the hot path, pre-encoded answers.
"""

from __future__ import annotations

import json
from contextlib import asynccontextmanager
from typing import Any
from urllib.parse import parse_qs

from fastapi import Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool
from starlette.routing import Route

from zongji.api.deps import bearer_token
from zongji.api.errors import area_router, broken_text_path
from zongji.errors import ZongjiError
from zongji.services import cti
from zongji.errors import Invalid
from zongji.store.models import utcnow

router = area_router(tags=["cti"])

BODY_MAX = 64 * 1024


class TooLarge(ZongjiError):
    status_code = 413


_ERROR_SCHEMA = {
    "type": "object",
    "required": ["error", "message"],
    "properties": {
        "error": {"type": "string"},
        "message": {"type": "string"},
        "field": {"type": ["string", "null"]},
        "fields": {"type": "array", "items": {
            "type": "object", "properties": {"field": {"type": "string"}, "message": {"type": "string"}},
        }},
    },
}


def _err(description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": _ERROR_SCHEMA}}}


_ERRORS = {
    "400": _err("The body is not an object of event fields"),
    "401": _err("Unknown or revoked token"),
    "413": _err("Body too large"),
    "422": _err("Invalid event; field names the input at fault"),
    "503": _err("The event could not be stored; send it again"),
}

_STR = {"type": "string"}
_ZAMMAD_FIELDS = {
    "event": {"type": "string", "enum": ["newCall", "answer", "hangup"]},
    "from": {"type": "string", "maxLength": 64, "description": "Calling number"},
    "to": {"type": "string", "maxLength": 64, "description": "Called number"},
    "direction": {"type": "string", "enum": ["in", "out"], "default": "in"},
    "callId": {"type": "string", "minLength": 1, "maxLength": 250},
    "user[]": {"type": "array", "items": _STR, "description": "Agent name(s)"},
    "user": {"type": "string", "maxLength": 100},
    "queue": {"type": "string", "maxLength": 100},
    "cause": {"type": "string", "maxLength": 40, "description": (
        "hangup cause: normalClearing, cancel, noAnswer, busy, congestion, notFound, "
        "answeredElsewhere, forwarded")},
    "answeringNumber": {"type": "string", "maxLength": 100},
}
_ZAMMAD_SCHEMA = {
    "type": "object", "required": ["event", "callId"], "properties": _ZAMMAD_FIELDS,
}
_JSON_SCHEMA = {
    "type": "object",
    "required": ["event", "callId", "from", "to", "direction"],
    "properties": {
        **{k: v for k, v in _ZAMMAD_FIELDS.items() if k not in ("user[]", "user")},
        "event": {"type": "string", "enum": ["newCall", "answer", "transfer", "hangup"]},
        "direction": {"type": "string", "enum": ["in", "out", "internal"]},
        "user": {"oneOf": [{"type": "string", "maxLength": 100},
                           {"type": "array", "items": _STR}]},
        "at": {"type": "string", "format": "date-time",
               "description": "When it happened, ISO-8601 with offset"},
        "line": {"type": "string", "maxLength": 40, "description": "Line code"},
        "transferTo": {"type": "string", "maxLength": 100},
    },
}

_EMPTY = b"{}"


async def _submit(request: Request, item: cti.Incoming) -> cti.Result:
    writer: cti.CtiWriter | None = getattr(request.app.state, "cti_writer", None)
    if writer is not None and writer.alive:
        result = await writer.submit(item)
    else:
        # No lifespan (e.g. a bare TestClient): apply it in a transaction of its own.
        ingestor = getattr(request.app.state, "cti_ingestor", None)
        if ingestor is None:
            ingestor = cti.Ingestor(request.app.state.settings.tz)
            request.app.state.cti_ingestor = ingestor
        factory = request.app.state.session_factory
        result = (await run_in_threadpool(cti.process_batch, factory, ingestor, [item]))[0]
    if result.error is not None:
        raise result.error
    return result


async def _body(request: Request) -> bytes:
    length = request.headers.get("content-length")
    if length and length.isdigit() and int(length) > BODY_MAX:
        raise TooLarge(f"body larger than {BODY_MAX} bytes", field="body")
    body = await request.body()
    if len(body) > BODY_MAX:
        raise TooLarge(f"body larger than {BODY_MAX} bytes", field="body")
    return body


def _json(body: bytes) -> Any:
    try:
        data = json.loads(body)
    except RecursionError:
        raise Invalid("the body is nested too deeply", field="body") from None
    except (ValueError, UnicodeDecodeError):
        raise Invalid("the body is not valid JSON", field="body") from None
    _check_text(data)
    return data


def _check_text(data: Any) -> None:
    """Text no database stores alike (NUL, a lone surrogate) is refused before it reaches the
    group-commit writer, where it would fail a whole batch on PostgreSQL."""
    if (path := broken_text_path(data)) is not None:
        field = ".".join(p for p in path if not p.isdigit()) or "body"  # form values are lists
        raise Invalid(f"{field} holds a character text cannot hold (NUL or a lone UTF-16 surrogate)",
                      field=field)


# What the CTI contract (README) requires beyond the schema: the fields each event needs.
_CTI_RULES = {
    "event": "one of the contract's events", "callId": "the PBX's call id, 1–250 characters",
    "from": "the calling number, on a new call", "to": "the called number, on a new call",
    "direction": "in, out or internal", "user": "the answering extension or operator",
    "transferTo": "the target, on a transfer event", "line": "a line code Zongji knows",
    "at": "an ISO-8601 time with its offset, in the years Zongji keeps", "body": "the contract's body",
}


@router.post(
    "/api/v1/cti/{token}",
    summary="Zammad generic CTI push (newCall, answer, hangup)",
    responses={"200": {"description": "Accepted and stored",
                       "content": {"application/json": {"schema": {"type": "object"}}}},
               **_ERRORS},
    openapi_extra={"x-refusals": _CTI_RULES, "requestBody": {"required": True, "content": {
        "application/x-www-form-urlencoded": {"schema": _ZAMMAD_SCHEMA},
        "application/json": {"schema": _ZAMMAD_SCHEMA},
    }}},
)
async def zammad_push(token: str, request: Request) -> Response:
    received = utcnow()
    body = await _body(request)
    ctype = request.headers.get("content-type", "").split(";", 1)[0].strip().lower()
    data: Any
    if ctype == "application/json" or (not ctype and body[:1] in (b"{", b"[")):
        data = _json(body)
    elif ctype == "multipart/form-data":
        try:
            form = await request.form()
        except Exception:
            raise Invalid("the form body cannot be read", field="body") from None
        data = {k: form.getlist(k) for k in form.keys()}
        data = {k: [v for v in vs if isinstance(v, str)] for k, vs in data.items()}
    else:
        try:
            data = parse_qs(body.decode("utf-8"), keep_blank_values=True)
        except UnicodeDecodeError:
            raise Invalid("the form body is not UTF-8", field="body") from None
        if not data and request.query_params:
            data = {k: request.query_params.getlist(k) for k in request.query_params.keys()}
    _check_text(data)
    item = cti.parse_zammad(data, received, cti.hash_token(token))
    await _submit(request, item)
    return Response(_EMPTY, media_type="application/json")


@router.post(
    "/api/cti/events",
    status_code=202,
    summary="A CTI event in Zongji's JSON form (newCall, answer, transfer, hangup)",
    responses={"202": {"description": "Accepted and committed", "content": {"application/json": {
        "schema": {"type": "object", "required": ["accepted", "duplicate", "call_id"], "properties": {
            "accepted": {"type": "boolean"}, "duplicate": {"type": "boolean"},
            "call_id": {"type": ["integer", "null"]}}}}}},
               **_ERRORS},
    openapi_extra={
        "x-refusals": _CTI_RULES,
        "requestBody": {"required": True, "content": {"application/json": {"schema": _JSON_SCHEMA}}},
        "security": [{"bearer": []}],
    },
)
async def json_event(request: Request) -> Response:
    received = utcnow()
    token_hash = cti.hash_token(bearer_token(request))
    body = await _body(request)
    item = cti.parse_json(_json(body), received, token_hash)
    result = await _submit(request, item)
    content = (b'{"accepted":true,"duplicate":' + (b"true" if result.duplicate else b"false")
               + b',"call_id":' + (str(result.call_id).encode() if result.call_id is not None else b"null")
               + b"}")
    return Response(content, status_code=202, media_type="application/json")


async def _fast_zammad(request: Request) -> Response:
    return await zammad_push(request.path_params["token"], request)


_FAST_ROUTES = (
    ("/api/cti/events", json_event),
    ("/api/v1/cti/{token}", _fast_zammad),
)


def _install_fast_routes(app) -> None:
    """Put plain Starlette routes for the two CTI endpoints first in the app's route list.

    The same handlers as the FastAPI routes above (which stay for the OpenAPI schema and as a
    fallback), minus FastAPI's per-request machinery and the walk past every other route: this
    halves the event loop's work per event, which is what bounds ingestion on a small machine.
    """
    routes = app.router.routes
    if any(getattr(r, "_zongji_fast_cti", False) for r in routes):
        return
    for path, endpoint in reversed(_FAST_ROUTES):
        route = Route(path, endpoint, methods=["POST"], include_in_schema=False)
        route._zongji_fast_cti = True  # type: ignore[attr-defined]
        routes.insert(0, route)


@asynccontextmanager
async def running(app):
    """Start this process's group-commit writer; stop it (after draining) when the app stops."""
    settings = app.state.settings
    writer = cti.CtiWriter.for_database(settings.resolved_database_url, tz=settings.tz,
                                        batch_max=settings.cti_batch_max)
    writer.start()
    app.state.cti_writer = writer
    _install_fast_routes(app)
    try:
        yield
    finally:
        app.state.cti_writer = None
        await run_in_threadpool(writer.stop)
