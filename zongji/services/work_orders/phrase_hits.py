"""Forbidden phrases in what is saved on a work order (R-P10, R-S16; issue 11 point 7): the
operator's handling and result, notes and status updates told to the caller, and the units'
replies and progress. Each hit is recorded (``services.phrases.record``) for the quality
figures and answered as a warning naming the field; never a block."""

from __future__ import annotations

from typing import Any, Mapping

from sqlalchemy.orm import Session

from zongji.services import phrases
from zongji.services.work_orders.visibility import Viewer
from zongji.store.models import User
from zongji.store.work_order_models import WorkOrder

TEXT_FIELDS = ("text", "handling", "result", "note")  # what the agent or unit wrote themselves
CALLER_FACING = ("status_update", "record_callback", "callback_attempt")


def text_kind(viewer: Viewer, action: str) -> str:
    """The kind of text a hit is counted under (``phrase_hits.text_kind``)."""
    if viewer.is_unit:
        return "unit_reply"
    if action == "close_directly":
        return "handling"
    if action in CALLER_FACING:
        return "reply"
    return "order_note"


def record(session: Session, viewer: Viewer, row: WorkOrder, action: str,
           texts: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Record the hits in the saved texts; the warnings, each naming its field."""
    user = session.get(User, viewer.user_id) if viewer.user_id else None
    kind = text_kind(viewer, action)
    out: list[dict[str, Any]] = []
    for name in TEXT_FIELDS:
        value = texts.get(name)
        if isinstance(value, str) and value.strip():
            for hit in phrases.record(session, user, value, text_kind=kind, line_id=row.line_id):
                out.append({**hit, "field": name})
    return out
