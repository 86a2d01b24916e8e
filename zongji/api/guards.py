"""Two guards in front of every request, as one pure ASGI layer (issue 12, points 3 and 6).

**Forged requests.** A state-changing request (POST, PUT, PATCH, DELETE) that a browser sends
on behalf of another site — or another port of the same host, which is another origin — carries
``Sec-Fetch-Site: cross-site`` / ``same-site`` and that site's ``Origin``. Such a request is
refused (403, ``csrf``) before it reaches a router, whatever cookie it carries; the console's own
requests are ``same-origin``. Clients that are not browsers (the PBX, a PMS, scripts) send
neither header and authenticate with a token, not the cookie. ``Origin`` is compared with the
request's own scheme, host and port, or with ``ZONGJI_ALLOWED_ORIGINS`` behind a proxy that
rewrites the host. The live feed's WebSocket handshake is checked the same way (a page elsewhere
must not read an operator's feed with their cookie).

**Bounded bodies.** A body larger than the route allows is refused with 413 (``too_large``,
naming the limit) before it is read into memory: by ``Content-Length`` up front, and by counting
while it streams when the length is not given. Uploads (attachments, recorded prompts) have their
own limit; everything else takes ``ZONGJI_MAX_BODY_BYTES``.
"""

from __future__ import annotations

import json
from typing import Any, Awaitable, Callable, Iterable
from urllib.parse import urlsplit

Scope = dict[str, Any]
Message = dict[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

UNSAFE = frozenset({"POST", "PUT", "PATCH", "DELETE"})
_DEFAULT_PORTS = {"http": 80, "https": 443, "ws": 80, "wss": 443}


def _headers(scope: Scope) -> dict[str, str]:
    return {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers") or []}


def _own_origin(scope: Scope, headers: dict[str, str]) -> tuple[str, str, int] | None:
    host = headers.get("host")
    if not host:
        return None
    scheme = {"ws": "http", "wss": "https"}.get(scope.get("scheme", "http"), scope.get("scheme", "http"))
    parts = urlsplit(f"{scheme}://{host}")
    try:
        port = parts.port or _DEFAULT_PORTS.get(scheme, 80)
    except ValueError:
        return None
    return scheme, (parts.hostname or "").lower(), port


def _origin(value: str) -> tuple[str, str, int] | None:
    parts = urlsplit(value.strip())
    if not parts.scheme or not parts.hostname:
        return None
    try:
        port = parts.port or _DEFAULT_PORTS.get(parts.scheme, 80)
    except ValueError:
        return None
    return parts.scheme.lower(), parts.hostname.lower(), port


def forged(scope: Scope, headers: dict[str, str], allowed: Iterable[str] = ()) -> bool:
    """Whether a browser sent this request for a page that is not Zongji's own."""
    site = headers.get("sec-fetch-site", "").lower()
    if site in ("cross-site", "same-site"):
        return True
    origin = headers.get("origin")
    if origin is None or origin == "null" and site == "same-origin":
        return False
    if origin == "null":
        return True  # a sandboxed frame or a file: never the console
    theirs = _origin(origin)
    if theirs is None:
        return True
    if theirs == _own_origin(scope, headers):
        return False
    return not any(theirs == _origin(a) for a in allowed if a.strip())


class Guards:
    """The ASGI layer: forged requests refused, bodies bounded."""

    def __init__(self, app: ASGIApp, *, max_body: int, upload_max: int, allowed_origins: Iterable[str] = (),
                 upload_paths: Iterable[str] = ("/attachments", "/api/prompts")) -> None:
        self.app = app
        self.max_body = max_body
        self.upload_max = upload_max
        self.allowed = tuple(allowed_origins)
        self.upload_paths = tuple(upload_paths)

    def limit_for(self, path: str) -> int:
        return self.upload_max if any(p in path for p in self.upload_paths) else self.max_body

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "websocket":
            if forged(scope, _headers(scope), self.allowed):
                await send({"type": "websocket.close", "code": 4403, "reason": "cross-site"})
                return
            await self.app(scope, receive, send)
            return
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = _headers(scope)
        if scope.get("method", "GET").upper() in UNSAFE and forged(scope, headers, self.allowed):
            await _answer(send, 403, {"error": "csrf", "field": "origin",
                                      "message": "refused: the request came from another site's page"})
            return
        limit = self.limit_for(scope.get("path", ""))
        length = headers.get("content-length")
        if length is not None:
            try:
                too_long = int(length) > limit
            except ValueError:
                await _answer(send, 400, {"error": "validation", "field": "content-length",
                                          "message": "Content-Length is not a number"})
                return
            if too_long:
                await _answer(send, 413, _too_large(limit))
                return
        if length is not None or "chunked" not in headers.get("transfer-encoding", "").lower():
            await self.app(scope, receive, send)  # the server holds the body to its Content-Length
            return
        # No length given (chunked): read it here, at most ``limit`` bytes, then hand it on.
        chunks: list[Message] = []
        seen = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":
                chunks.append(message)
                break
            seen += len(message.get("body", b""))
            if seen > limit:
                await _answer(send, 413, _too_large(limit))
                return
            chunks.append(message)
            if not message.get("more_body"):
                break
        queued = iter(chunks)

        async def replay() -> Message:
            nxt = next(queued, None)
            return nxt if nxt is not None else await receive()

        await self.app(scope, replay, send)


def _too_large(limit: int) -> dict[str, Any]:
    return {"error": "too_large", "field": "body", "limit_bytes": limit,
            "message": f"the request body is larger than {limit} bytes"}


async def _answer(send: Send, status: int, body: dict[str, Any]) -> None:
    data = json.dumps(body).encode()
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(data)).encode()),
                            (b"connection", b"close")]})
    await send({"type": "http.response.body", "body": data})


class RedactTokens:
    """A logging filter for the access log: the Zammad-style CTI URL carries the integration token
    in its path (``/api/v1/cti/<token>``); the log shows ``/api/v1/cti/***`` (issue 12, point 3)."""

    PREFIX = "/api/v1/cti/"

    def filter(self, record: Any) -> bool:
        args = record.args
        if isinstance(args, tuple):
            record.args = tuple(self._redact(a) if isinstance(a, str) else a for a in args)
        if isinstance(record.msg, str) and self.PREFIX in record.msg:
            record.msg = self._redact(record.msg)
        return True

    def _redact(self, text: str) -> str:
        i = text.find(self.PREFIX)
        while i >= 0:
            start = i + len(self.PREFIX)
            end = start
            while end < len(text) and text[end] not in "?/ \"'":
                end += 1
            text = text[:start] + "***" + text[end:]
            i = text.find(self.PREFIX, start + 3)
        return text


def install_access_log_redaction() -> None:
    import logging

    logger = logging.getLogger("uvicorn.access")
    if not any(isinstance(f, RedactTokens) for f in logger.filters):
        logger.addFilter(RedactTokens())
