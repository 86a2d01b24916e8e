"""Every refusal is a 4xx JSON answer naming the field at fault; never a 500 for bad input.

Shape of every error body::

    {"error": "validation", "message": "from: Field required", "fields": [{"field": "from", "message": "Field required"}]}
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy.exc import DataError, IntegrityError
from starlette.exceptions import HTTPException as StarletteHTTPException

from zongji.errors import ZongjiError


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
        return JSONResponse(status_code=exc.status_code, content=body)

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
        return JSONResponse(
            status_code=exc.status_code,
            content={"error": "http", "message": str(exc.detail)},
            headers=getattr(exc, "headers", None),
        )
