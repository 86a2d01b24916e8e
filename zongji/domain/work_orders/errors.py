"""A refused work-order action (``code`` + English ``message``; ``status_code`` 409 for an
illegal transition, 403 for a wrong role or unit, 400 for a bad action), and the two input checks
every transition makes: a required text, a timezone-aware time."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from zongji.errors import Conflict, Forbidden, ZongjiError

class WorkOrderError(ZongjiError):
    """A refused work-order action; ``code`` is stable, ``message`` is English."""


class IllegalTransition(WorkOrderError, Conflict):
    """The action is not possible in the order's current status (409)."""


class ActionForbidden(WorkOrderError, Forbidden):
    """The actor's role or unit may not do this (403)."""


class InvalidAction(WorkOrderError):
    """The action is incomplete or inconsistent (400), e.g. a return without a reason."""


def require_text(text: str, what: str, field_name: str) -> str:
    if not text or not text.strip():
        raise InvalidAction(f"{what} is required", code=f"{field_name}_required", field=field_name)
    return text.strip()


def require_aware(t: Any, name: str) -> None:
    if not isinstance(t, datetime) or t.tzinfo is None or t.utcoffset() is None:
        raise InvalidAction(f"{name} must be a timezone-aware datetime", code="naive_datetime", field=name)
