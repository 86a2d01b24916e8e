"""Every refusal is a 4xx JSON answer naming the field at fault; never a 500 for bad input.

Shape of every error body::

    {"error": "validation", "message": "from: Field required", "fields": [{"field": "from", "message": "Field required"}]}
"""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from zongji.errors import ZongjiError


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
        return JSONResponse(
            status_code=422, content={"error": "validation", "message": message, "fields": fields}
        )

    @app.exception_handler(ZongjiError)
    async def _domain(_request: Request, exc: ZongjiError) -> JSONResponse:
        body: dict = {"error": exc.code, "message": exc.message}
        if exc.field:
            body["field"] = exc.field
            body["fields"] = [{"field": exc.field, "message": exc.message}]
        return JSONResponse(status_code=exc.status_code, content=body)

    @app.exception_handler(StarletteHTTPException)
    async def _http(_request: Request, exc: StarletteHTTPException) -> JSONResponse:
        return JSONResponse(
            status_code=exc.status_code,
            content={"error": "http", "message": str(exc.detail)},
            headers=getattr(exc, "headers", None),
        )
