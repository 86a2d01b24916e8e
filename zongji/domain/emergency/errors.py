"""A refused emergency action: 409 for an illegal transition, 403 for a role, 422 naming the
field for bad input."""

from __future__ import annotations

from zongji.errors import Conflict, Forbidden, Invalid


class IllegalTransition(Conflict):
    """Not possible in the incident's or the recipient's current state (409)."""


class ActionForbidden(Forbidden):
    """The actor's role may not do this (403)."""


class InvalidInput(Invalid):
    """Missing or wrong input (422), naming the field."""


def require_text(value: object, field: str, *, max_len: int = 500) -> str:
    text = value.strip() if isinstance(value, str) else ""
    if not text:
        raise InvalidInput(f"{field} is required", field=field, code=f"{field}_required")
    if len(text) > max_len:
        raise InvalidInput(f"{field} is longer than {max_len} characters", field=field,
                           code=f"{field}_too_long")
    return text
