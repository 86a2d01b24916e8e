"""Who is rung when the one asked for cannot be (issue 3): a person as the transfer rules' contact
(deputy, superior, responsible), and a department's after-hours contact — who takes its calls,
on their mobile, while it is closed (named by a supervisor or admin)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from zongji.domain import transfer as tr
from zongji.errors import NotFound
from zongji.services import audit
from zongji.services.actors import actor
from zongji.errors import Invalid
from zongji.services.staff_leave import on_leave as person_on_leave
from zongji.store.models import Department, Person, User


def contact(p: Person | None, *, on_leave: bool = False, mobile_first: bool = True) -> tr.Contact | None:
    """A person as the transfer rules' contact: their mobile first, or their extension first."""
    if p is None:
        return None
    number = (p.mobile or p.extension) if mobile_first else (p.extension or p.mobile)
    return tr.Contact(name=p.name, number=number or "", title=p.title, title_en=p.title_en, on_leave=on_leave)


def after_hours_contact(session: Session, dept: Department | None, at: dt.datetime, *,
                        exclude: int | None = None) -> tr.Contact | None:
    """Who takes a closed department's calls (on their mobile), unless that is ``exclude``."""
    if dept is None or dept.after_hours_person_id is None or dept.after_hours_person_id == exclude:
        return None
    p = dept.after_hours_person
    return contact(p, on_leave=person_on_leave(session, p.id, at)) if p is not None else None


def set_after_hours_contact(session: Session, user: User, department_id: int,
                            person_id: int | None) -> Department:
    """Name (or clear) who takes a department's calls when it is closed (supervisor, admin)."""
    d = session.get(Department, department_id)
    if d is None:
        raise NotFound("no such department", field="department_id")
    if person_id is not None:
        p = session.get(Person, person_id)
        if p is None:
            raise NotFound("no such person", field="person_id")
        if p.organisation_id != d.organisation_id:
            raise Invalid("the person is not of the department's organisation", field="person_id")
        if not (p.mobile or p.extension):
            raise Invalid("the person has no mobile or extension to ring", field="person_id")
    before = d.after_hours_person_id
    d.after_hours_person_id = person_id
    session.flush()
    session.refresh(d)
    audit.record(session, actor=actor(user), user_id=user.id, action="update", entity="department",
                 entity_id=d.id, detail={"after_hours_person_id": [before, person_id]})
    return d
