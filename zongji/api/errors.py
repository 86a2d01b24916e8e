"""Every refusal is a 4xx JSON answer naming the field at fault; never a 500 for bad input.

Shape of every error body::

    {"error": "validation", "message": "from: Field required", "fields": [{"field": "from", "message": "Field required"}]}
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from typing import Any

from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.utils import get_openapi
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy.exc import DataError, IntegrityError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import HTTPConnection
from starlette.routing import BaseRoute

from zongji.errors import Invalid, ZongjiError


class FieldErrorOut(BaseModel):
    field: str
    message: str


class ErrorOut(BaseModel):
    """The body of every 4xx answer (documented in the OpenAPI schema of each router)."""

    error: str
    message: str
    field: str | None = None
    fields: list[FieldErrorOut] = []


_COMMON_ERRORS = {
    400: "Refused: the message says why, field names the input at fault",
    401: "Not logged in, or the session expired",
    403: "The role may not do this",
    422: "Invalid input",
}


def error_responses(specific: dict[int, str] | None = None) -> dict[int | str, dict[str, Any]]:
    """OpenAPI ``responses`` for a router: the common 4xx answers plus its own (e.g. 404)."""
    texts = {**_COMMON_ERRORS, **(specific or {})}
    return {code: {"model": ErrorOut, "description": texts[code]} for code in sorted(texts)}


def _field_name(loc: tuple) -> str:
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "header", "cookie")]
    return ".".join(parts) or str(loc[-1] if loc else "request")


# A JSON escape of a UTF-16 surrogate or of NUL: the only ways a JSON body carries text that no
# database stores alike (SQLite keeps NUL, PostgreSQL refuses it; neither takes a lone surrogate).
_SUSPECT_ESCAPE = re.compile(rb"\\u(?:[dD][89a-fA-F]|0000)")


def broken_text_path(value: Any, path: tuple[str, ...] = ()) -> tuple[str, ...] | None:
    """The path to the first text in ``value`` that UTF-8 cannot carry (a lone surrogate) or that
    holds NUL."""
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return path or ("body",)
        return (path or ("body",)) if "\x00" in value else None
    if isinstance(value, dict):
        for k, v in value.items():
            found = broken_text_path(k, path or ("body",)) or broken_text_path(v, (*path, str(k)))
            if found:
                return found
    if isinstance(value, list):
        for i, v in enumerate(value):
            if found := broken_text_path(v, (*path, str(i))):
                return found
    return None


async def reject_broken_text(request: HTTPConnection) -> None:
    """A query parameter holding NUL, or a JSON body whose text holds a lone UTF-16 surrogate
    (``"\\ud800"``) or NUL (``"\\u0000"``), is refused with 422 naming the field, the same on SQLite and PostgreSQL, before any router
    stores or hashes it. Bodies without such an escape (nearly all) are not parsed twice. An
    app-wide dependency."""
    if not isinstance(request, Request):
        return  # a WebSocket handshake
    for name, value in request.query_params.multi_items():
        # A parameter with NUL in its name is no parameter of ours: ignored, as any unknown one.
        if "\x00" in value and "\x00" not in name:
            raise Invalid(f"{name} holds a character text cannot hold (NUL)", field=name)
    if request.method not in ("POST", "PUT", "PATCH", "DELETE"):
        return  # a read: no body
    if "json" not in request.headers.get("content-type", ""):
        return
    body = await request.body()
    if not _SUSPECT_ESCAPE.search(body):
        return
    try:
        data = json.loads(body)
    except (ValueError, RecursionError):
        return  # FastAPI answers the malformed body itself
    path = broken_text_path(data)
    if path is not None:
        field = ".".join(path)
        raise Invalid(f"{field} holds a character text cannot hold (NUL or a lone UTF-16 surrogate)",
                      field=field)


ROUTE_DEPENDENCIES = [Depends(reject_broken_text)]  # on every route (area_router)


def area_router(**options: Any) -> APIRouter:
    """An area's router (every module of api/routers and web): its routes check their text
    (``ROUTE_DEPENDENCIES``) from the start, so ``api.app.area_routes`` adds them to the app's
    router as they are. Included instead (``include_router``), FastAPI 0.165 builds every route a
    second time for the including router on the first request: ≈ 0.4 s of the start-up."""
    return APIRouter(dependencies=[*ROUTE_DEPENDENCIES, *options.pop("dependencies", [])], **options)


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(RequestValidationError)
    async def _validation(_request: Request, exc: RequestValidationError) -> JSONResponse:
        fields = [
            {"field": _field_name(tuple(e.get("loc", ()))), "message": e.get("msg", "invalid")}
            for e in exc.errors()
        ]
        message = "; ".join(f"{f['field']}: {f['message']}" for f in fields) or "invalid request"
        content = {"error": "validation", "message": message, "fields": fields}
        if fields:
            content["field"] = fields[0]["field"]  # the first field at fault, as for other errors
        return JSONResponse(status_code=422, content=content)

    @app.exception_handler(ZongjiError)
    async def _domain(_request: Request, exc: ZongjiError) -> JSONResponse:
        body: dict = {"error": exc.code, "message": exc.message}
        if exc.field:
            body["field"] = exc.field
            body["fields"] = [{"field": exc.field, "message": exc.message}]
        retry = getattr(exc, "retry_after", None)  # TooMany (429)
        if retry:
            body["retry_after"] = retry  # pages say how long to wait (issue 15: /track)
        return JSONResponse(status_code=exc.status_code, content=body,
                            headers={"Retry-After": str(retry)} if retry else None)

    # Safety net: a number too large for the database (e.g. an id of 2**63) is bad input, not a
    # server fault. Endpoints should bound their ids (deps.IdPath) so the field is named.
    @app.exception_handler(DataError)
    @app.exception_handler(OverflowError)
    async def _out_of_range(_request: Request, _exc: Exception) -> JSONResponse:
        return JSONResponse(
            status_code=422,
            content={"error": "validation", "message": "a value is out of range", "fields": []},
        )

    # Safety net: two requests racing to create the same record meet the database's unique key;
    # the loser is told to retry rather than shown a server error.
    @app.exception_handler(IntegrityError)
    async def _conflict(_request: Request, _exc: IntegrityError) -> JSONResponse:
        return JSONResponse(
            status_code=409,
            content={"error": "conflict", "message": "the record changed or exists already; try again"},
        )

    @app.exception_handler(StarletteHTTPException)
    async def _http(_request: Request, exc: StarletteHTTPException) -> JSONResponse:
        content: dict[str, Any] = {"error": "http", "message": str(exc.detail)}
        if exc.status_code == 400 and exc.detail == "There was an error parsing the body":
            # FastAPI's answer to a body it cannot read (not UTF-8, nested too deeply): the
            # field at fault is the body.
            content = {"error": "validation", "field": "body",
                       "message": "the body cannot be read: it is not UTF-8 JSON, or it is nested too deeply",
                       "fields": [{"field": "body", "message": "not readable"}]}
        return JSONResponse(
            status_code=exc.status_code,
            content=content,
            headers=getattr(exc, "headers", None),
        )


# Statuses any operation may answer through the app-wide machinery: a refused input (400, 422), a
# missing session or role (401, 403), an id that names nothing (404), a state conflict or a race
# lost at the unique key (409), a body over its limit (413, the Guards middleware).
_APP_WIDE_ERRORS = {
    400: "Refused: the message says why, field names the input at fault",
    401: "Not logged in, the session expired, or the integration token is wrong",
    403: "The role may not do this, or a cross-site request",
    404: "An id in the request names nothing the caller may see",
    409: "Conflicts with the current state, or the record changed meanwhile; try again",
    413: "The request body is larger than this endpoint takes",
    422: "Invalid input",
}

# Text that PostgreSQL cannot store and SQLite would: refused app-wide (reject_broken_text), so the
# schema says so on every free-text string.
_NO_NUL = "^[^\\x00]*$"
_CONSTRAINED = ("pattern", "format", "enum", "const", "$ref")


def _no_nul_strings(node: Any) -> None:
    if isinstance(node, dict):
        if node.get("type") == "string" and not any(k in node for k in _CONSTRAINED):
            node["pattern"] = _NO_NUL
        for value in node.values():
            _no_nul_strings(value)
    elif isinstance(node, list):
        for value in node:
            _no_nul_strings(value)


def stripped_text_schema(schema: dict[str, Any], *_: Any) -> None:
    """``json_schema_extra`` of a model that strips its text: a required length counts after the
    blanks are stripped, so its text must hold something other than blanks."""
    def visit(node: Any) -> None:
        if isinstance(node, dict):
            if node.get("type") == "string" and node.get("minLength", 0) >= 1 and "pattern" not in node:
                node["pattern"] = "^[^\\x00]*[^\\s\\x00][^\\x00]*$"
            for value in node.values():
                visit(value)
        elif isinstance(node, list):
            for value in node:
                visit(value)
    visit(schema.get("properties", {}))


def refusals(**fields: str) -> dict[str, Any]:
    """``openapi_extra`` of an operation that refuses some schema-valid input by a rule a JSON
    schema cannot state (one field against another, a record that must exist, a configured list):
    each field the refusal names, with the rule. Published as ``x-refusals``; a refusal of
    schema-valid input naming any other field is a defect (tests/api/test_schemathesis.py)."""
    return {"x-refusals": dict(fields)}


def install_openapi_documentation(app: FastAPI, routes: Sequence[BaseRoute]) -> None:
    """The OpenAPI document of ``routes`` (the app mounts them), completed once: every operation
    documents the app-wide error answers with their body, and every free-text string says it
    holds no NUL."""

    def generate() -> dict[str, Any]:
        return get_openapi(title=app.title, version=app.version, openapi_version=app.openapi_version,
                           description=app.description, routes=routes)

    def openapi() -> dict[str, Any]:
        if app.openapi_schema:
            return app.openapi_schema
        schema = generate()
        error_ref = {"$ref": "#/components/schemas/ErrorOut"}
        components = schema.setdefault("components", {}).setdefault("schemas", {})
        if "ErrorOut" not in components:
            components["ErrorOut"] = ErrorOut.model_json_schema(ref_template="#/components/schemas/{model}")
            components.setdefault("FieldErrorOut", FieldErrorOut.model_json_schema())
            components["ErrorOut"].pop("$defs", None)
        for item in schema.get("paths", {}).values():
            for method, operation in item.items():
                if method not in ("get", "post", "put", "patch", "delete"):
                    continue
                responses = operation.setdefault("responses", {})
                # FastAPI documents its own validation body; Zongji answers ErrorOut (above).
                if "HTTPValidationError" in str(responses.get("422", {}).get("content", "")):
                    responses["422"] = {"description": _APP_WIDE_ERRORS[422],
                                        "content": {"application/json": {"schema": error_ref}}}
                for code, text in _APP_WIDE_ERRORS.items():
                    responses.setdefault(str(code), {
                        "description": text, "content": {"application/json": {"schema": error_ref}},
                    })
                _no_nul_strings(operation.get("parameters", []))
                _no_nul_strings(operation.get("requestBody", {}))
        components.pop("HTTPValidationError", None)
        components.pop("ValidationError", None)
        # An error names the field as it was sent, whatever it holds: its text is not constrained.
        _no_nul_strings({k: v for k, v in components.items() if k not in ("ErrorOut", "FieldErrorOut")})
        app.openapi_schema = schema
        return schema

    app.openapi = openapi  # type: ignore[method-assign]
