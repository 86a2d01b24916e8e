"""Which lines and organisations a user works for, read from the database (issue 8, point 5).

The rule is ``zongji.domain.scope``; this module only gathers its inputs (the user's assigned
lines, every line, a unit handler's organisation, the organisation of a call's caller) and stores
assignments. Services apply ``WorkScope`` to every answer: handover, directory search, call
categories and queues.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from zongji.domain.scope import LineRef, ScopeError, WorkScope, check_line_codes, scope_for
from zongji.errors import Invalid, NotFound
from zongji.services import audit
from zongji.store.models import Customer, Department, Guest, Line, Person, Room, User, UserLine

# caller_kind of a call → the directory table whose row names the caller's organisation.
_CALLER_TABLES = {"guest": Guest, "room": Room, "staff": Person, "department": Department, "customer": Customer}


def _ref(line: Line) -> LineRef:
    return LineRef(id=line.id, code=line.code, kind=line.kind, organisation_id=line.organisation_id)


def all_lines(session: Session) -> list[LineRef]:
    return [_ref(x) for x in session.scalars(select(Line).order_by(Line.id))]


def assigned_lines(session: Session, user_id: int) -> list[LineRef]:
    rows = session.scalars(select(Line).join(UserLine, UserLine.line_id == Line.id)
                           .where(UserLine.user_id == user_id).order_by(Line.id))
    return [_ref(x) for x in rows]


def scope_of(session: Session, user: User | None) -> WorkScope | None:
    """The scope of ``user``; None for no user (system work: no filter)."""
    if user is None:
        return None
    unit_org = None
    if user.department_id is not None:
        unit_org = session.scalar(select(Department.organisation_id).where(Department.id == user.department_id))
    return scope_for(str(user.role), assigned=assigned_lines(session, user.id), all_lines=all_lines(session),
                     unit_organisation_id=unit_org)


def caller_organisations(session: Session, calls: Iterable[Any]) -> dict[int, int | None]:
    """call id → the organisation of its identified caller (None: unknown), for calls without a
    line. ``calls`` are ``Call`` rows (or anything with id, line_id, caller_kind, caller_ref_id)."""
    wanted: dict[str, set[int]] = {}
    todo = [c for c in calls if c.line_id is None]
    for c in todo:
        if c.caller_kind in _CALLER_TABLES and c.caller_ref_id is not None:
            wanted.setdefault(c.caller_kind, set()).add(c.caller_ref_id)
    found: dict[tuple[str, int], int] = {}
    for kind, ids in wanted.items():
        model = _CALLER_TABLES[kind]
        for rid, org in session.execute(select(model.id, model.organisation_id).where(model.id.in_(ids))):
            found[(kind, rid)] = org
    return {c.id: found.get((c.caller_kind, c.caller_ref_id)) for c in todo}


def sees_calls(session: Session, scope: WorkScope | None, calls: list[Any]) -> list[Any]:
    """The calls of ``calls`` that belong to the lines and organisations of ``scope``."""
    if scope is None or scope.everything:
        return calls
    orgs = caller_organisations(session, calls)
    return [c for c in calls if scope.sees_call(line_id=c.line_id, caller_organisation_id=orgs.get(c.id))]


def line_codes_of(session: Session, user_id: int) -> list[str]:
    return [x.code for x in assigned_lines(session, user_id)]


def line_codes_by_user(session: Session) -> dict[int, list[str]]:
    """user id → the codes of their assigned lines (users without any are absent: every line)."""
    out: dict[int, list[str]] = {}
    for user_id, code in session.execute(select(UserLine.user_id, Line.code).join(Line, UserLine.line_id == Line.id)
                                         .order_by(UserLine.user_id, Line.id)):
        out.setdefault(user_id, []).append(code)
    return out


def set_lines(session: Session, user_id: int, codes: Iterable[str], *, actor: str,
              actor_id: int | None = None) -> list[str]:
    """Assign exactly ``codes`` to the user (an empty list: every line). 404 for no such user,
    422 naming ``lines[i]`` for an unknown line."""
    user = session.get(User, user_id)
    if user is None:
        raise NotFound("no such user", field="user_id")
    lines = {x.code: x for x in session.scalars(select(Line))}
    try:
        wanted = check_line_codes(list(codes), lines)
    except ScopeError as exc:
        raise Invalid(str(exc), field=exc.field) from None
    before = set(line_codes_of(session, user_id))
    code_of = {x.id: c for c, x in lines.items()}
    for row in session.scalars(select(UserLine).where(UserLine.user_id == user_id)):
        if code_of.get(row.line_id) not in wanted:
            session.delete(row)
    for code in wanted:
        if code not in before:
            session.add(UserLine(user_id=user_id, line_id=lines[code].id))
    session.flush()
    if set(wanted) != before:
        audit.record(session, actor=actor, user_id=actor_id, action="update", entity="user", entity_id=user_id,
                     detail={"lines": [list(sorted(before)), list(wanted)]})
    return list(wanted)


__all__ = ["all_lines", "assigned_lines", "caller_organisations", "line_codes_by_user", "line_codes_of",
           "scope_of", "sees_calls", "set_lines"]
