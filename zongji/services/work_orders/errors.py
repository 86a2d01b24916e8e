"""The refusal of bad input to a work-order use case (422, naming the field)."""

from __future__ import annotations

from zongji.errors import ZongjiError


class Invalid(ZongjiError):
    status_code = 422

    def __init__(self, message: str, *, field: str | None = None, code: str = "validation"):
        super().__init__(message, field=field, code=code)
