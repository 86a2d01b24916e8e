"""Errors that services raise and the API turns into clear 4xx answers."""

from __future__ import annotations


class ZongjiError(Exception):
    """A refusal the user must see: ``message`` says why, ``field`` names the input at fault."""

    status_code = 400

    def __init__(self, message: str, *, field: str | None = None, code: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field
        self.code = code or type(self).__name__


class NotFound(ZongjiError):
    status_code = 404


class Conflict(ZongjiError):
    status_code = 409


class Forbidden(ZongjiError):
    status_code = 403


class Unauthorized(ZongjiError):
    status_code = 401


class Invalid(ZongjiError):
    """Invalid input (422), naming the field."""

    status_code = 422

    def __init__(self, message: str, *, field: str | None = None, code: str | None = None):
        super().__init__(message, field=field, code=code or "validation")


class TooMany(ZongjiError):
    """Too many requests from one sender or client in a window (429); ``retry_after`` seconds."""

    status_code = 429

    def __init__(self, message: str, *, field: str | None = None, retry_after: int = 60):
        super().__init__(message, field=field, code="too_many")
        self.retry_after = retry_after
