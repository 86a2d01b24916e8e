"""Who looks (:class:`Viewer`, the system's own ``SYSTEM_VIEWER``) and which orders they see.

Visibility: console roles see every order of the lines they work for; a unit handler sees only
orders whose main or assisting unit is their own unit (``User.department_id``) — anything else is
"not found".
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from zongji.domain.roles import Role
from zongji.domain.work_orders.state import Actor
from zongji.domain.work_orders.words import SYSTEM
from zongji.errors import NotFound
from zongji.services import scope as scope_service
from zongji.store.models import User
from zongji.store.work_order_models import WorkOrder, WorkOrderUnit


@dataclass(frozen=True)
class Viewer:
    user_id: int
    username: str
    display_name: str
    role: str
    unit_id: int | None

    @classmethod
    def of(cls, user: User) -> Viewer:
        return cls(user.id, user.username, user.display_name, user.role,
                   user.department_id if user.role == Role.UNIT_HANDLER else None)

    @property
    def is_unit(self) -> bool:
        return self.role == Role.UNIT_HANDLER

    @property
    def actor(self) -> Actor:
        return Actor(Role(self.role), self.user_id, self.unit_id)

    @property
    def audit_actor(self) -> str:
        return f"user:{self.username}"


SYSTEM_VIEWER = Viewer(0, "system", "系统", SYSTEM, None)


def visible_clause(viewer: Viewer):
    if not viewer.is_unit:
        return None
    if viewer.unit_id is None:
        return WorkOrder.id == -1
    return WorkOrder.id.in_(select(WorkOrderUnit.order_id).where(WorkOrderUnit.unit_id == viewer.unit_id))


def line_clause(session: Session, viewer: Viewer):
    """A console user sees the orders of the lines they work for (issue 8, point 5); None: all
    (a user who works for every line, or system work with no user)."""
    me = session.get(User, viewer.user_id)
    if me is None:
        return None
    lines = scope_service.scope_of(session, me).line_filter
    if lines is None:
        return None
    return or_(WorkOrder.line_id.is_(None), WorkOrder.line_id.in_(sorted(lines)))


def get_visible(session: Session, viewer: Viewer, order_id: int, *, lock: bool = False) -> WorkOrder:
    q = select(WorkOrder).where(WorkOrder.id == order_id)
    clause = visible_clause(viewer)
    if clause is None:
        clause = line_clause(session, viewer)
    if clause is not None:
        q = q.where(clause)
    if lock and session.get_bind().dialect.name == "postgresql":
        q = q.with_for_update()
    row = session.scalar(q)
    if row is None:
        raise NotFound("no such work order", field="order_id")
    return row


def find_by_number(session: Session, viewer: Viewer, number: str) -> WorkOrder:
    row = session.scalar(select(WorkOrder).where(WorkOrder.number == number.strip()))
    if row is None:
        raise NotFound("no such work order", field="number")
    return get_visible(session, viewer, row.id)
