"""The units an order may be dispatched to: those of the organisation whose line took it (issue 8)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from zongji.errors import Invalid
from zongji.store.models import Department, Line
from zongji.store.work_order_models import WorkOrder


def check_unit(session: Session, unit_id: int, field_name: str, row: WorkOrder | None = None) -> Department:
    unit = session.get(Department, unit_id)
    if unit is None:
        raise Invalid("no such unit", field=field_name)
    line = session.get(Line, row.line_id) if row is not None and row.line_id else None
    if line is not None and not _dispatchable(unit, line):
        what = "handling units" if line.organisation.kind == "city_hotline" else "departments"
        raise Invalid(f"{unit.name} is not one of the {what} of {line.organisation.name}, whose line "
                      f"{line.name} took this order", field=field_name, code="unit_not_of_line")
    return unit


def _dispatchable(unit: Department, line: Line) -> bool:
    """Whether an order taken on ``line`` may go to ``unit``: a city hotline's handling units, a
    company's (or hotel's) own departments — never another organisation's (issue 8)."""
    if unit.organisation_id != line.organisation_id:
        return False
    return unit.kind == "handling_unit" if line.organisation.kind == "city_hotline" else True


def dispatch_units(session: Session, row: WorkOrder) -> list[Department]:
    """The units an order may be dispatched to: those of the organisation whose line took it; an
    order taken on no line (typed in by hand) offers the handling units, as before."""
    line = session.get(Line, row.line_id) if row.line_id else None
    q = select(Department).order_by(Department.id)
    if line is None:
        return list(session.scalars(q.where(Department.kind == "handling_unit")))
    q = q.where(Department.organisation_id == line.organisation_id)
    if line.organisation.kind == "city_hotline":
        q = q.where(Department.kind == "handling_unit")
    return list(session.scalars(q))
