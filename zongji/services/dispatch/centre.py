"""Whose catalogue and model an order or a draft uses: the organisation of its line (a city
hotline's handling units, a company's departments), or the city hotline's when it has none."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from zongji.store.models import Department, Line, Organisation


def organisation_for(session: Session, line_id: int | None = None, line_code: str | None = None) -> Organisation | None:
    line = None
    if line_id is not None:
        line = session.get(Line, line_id)
    elif line_code:
        line = session.scalar(select(Line).where(Line.code == line_code))
    if line is not None:
        return line.organisation
    return session.scalar(select(Organisation).where(Organisation.kind == "city_hotline").order_by(Organisation.id).limit(1))


def dispatchable_units(session: Session, org: Organisation) -> list[Department]:
    """The units an order of ``org`` may go to (services/work_orders/units: handling units of a
    city hotline, the departments of anyone else)."""
    q = select(Department).where(Department.organisation_id == org.id).order_by(Department.id)
    if org.kind == "city_hotline":
        q = q.where(Department.kind == "handling_unit")
    return list(session.scalars(q))
