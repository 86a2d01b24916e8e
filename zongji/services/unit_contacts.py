"""Where a unit's notifications go besides the console: its e-mail address and SMS mobile
(``UnitContact``, issue 4). Read by ``notifications`` when it notifies a unit; set by admins."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from zongji.errors import NotFound
from zongji.services import audit
from zongji.store.models import Department
from zongji.store.work_order_models import UnitContact


def list_contacts(session: Session) -> dict[str, Any]:
    """Handling units (and departments) with their notification e-mail and SMS mobile."""
    contacts = {c.unit_id: c for c in session.scalars(select(UnitContact))}
    units = session.scalars(select(Department).order_by(Department.kind.desc(), Department.name, Department.id)).all()
    return {"units": [{"id": u.id, "name": u.name, "name_en": u.name_en, "kind": u.kind,
                       "email": contacts[u.id].email if u.id in contacts else None,
                       "sms_mobile": contacts[u.id].sms_mobile if u.id in contacts else None} for u in units]}


def set_contact(session: Session, unit_id: int, *, email: str | None, sms_mobile: str | None, actor: str,
                user_id: int | None) -> dict[str, Any]:
    if session.get(Department, unit_id) is None:
        raise NotFound("no such unit", field="unit_id")
    c = session.get(UnitContact, unit_id)
    if c is None:
        c = UnitContact(unit_id=unit_id)
        session.add(c)
    c.email, c.sms_mobile = email, sms_mobile
    audit.record(session, actor=actor, user_id=user_id, action="update", entity="unit_contact", entity_id=unit_id,
                 detail={"email": email, "sms_mobile": sms_mobile})
    return {"unit_id": unit_id, "email": c.email, "sms_mobile": c.sms_mobile}
