"""The audit trail: every change, and every read of a guest's personal data (who, what, when)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from zongji.store.models import AuditEntry


def record(
    session: Session,
    *,
    actor: str,
    action: str,
    entity: str,
    entity_id: object | None = None,
    user_id: int | None = None,
    detail: dict[str, Any] | None = None,
) -> None:
    """Add an audit entry to the caller's transaction (it commits with the change it records)."""
    session.add(
        AuditEntry(
            actor=actor,
            user_id=user_id,
            action=action,
            entity=entity,
            entity_id=None if entity_id is None else str(entity_id),
            detail=detail,
        )
    )
