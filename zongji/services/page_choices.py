"""The choices a page shell renders into its config, so that its selects need no request of
their own: the call log's lines and operators, the lines page's organisations and people."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from zongji.domain.roles import CONSOLE_ROLES
from zongji.store.models import Department, Line, Person, User


def call_log_choices(session: Session) -> dict[str, list[dict[str, Any]]]:
    """Every line (by code) and every console user (by operator number), for the call log's
    filters."""
    lines = [
        {"code": ln.code, "name": ln.name, "kind": ln.kind}
        for ln in session.scalars(select(Line).order_by(Line.code))
    ]
    operators = [
        {"id": u.id, "username": u.username, "display_name": u.display_name,
         "operator_number": u.operator_number}
        for u in session.scalars(select(User).where(User.role.in_([r.value for r in CONSOLE_ROLES]))
                                 .order_by(User.operator_number, User.username))
    ]
    return {"lines": lines, "operators": operators}


def line_page_choices(session: Session) -> dict[str, Any]:
    """Each line's organisation (by code) and the people offered as a line's responsible person,
    deputy and after-hours contact (with their department, by organisation)."""
    line_orgs = {code: org for code, org in session.execute(select(Line.code, Line.organisation_id))}
    people = [
        {"id": p.id, "name": p.name, "title": p.title, "org": p.organisation_id, "department": dept,
         "mobile": bool(p.mobile)}
        for p, dept in session.execute(select(Person, Department.name)
                                       .outerjoin(Department, Department.id == Person.department_id)
                                       .order_by(Person.organisation_id, Department.name, Person.name))
    ]
    return {"line_orgs": line_orgs, "people": people}
