"""Orders bound to each other, related or duplicate (R-P8); a duplicate follows its primary and
gets the primary's reply."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from zongji.domain.roles import CONSOLE_ROLES
from zongji.domain.work_orders.errors import WorkOrderError
from zongji.domain.work_orders.following import bind_duplicate, follow_reply, unbind_duplicate
from zongji.domain.work_orders.state import TimelineEntry, WorkOrderState
from zongji.domain.work_orders.words import FOLLOWING_STATUSES, LinkKind, Status
from zongji.errors import Conflict, Forbidden, NotFound
from zongji.services import audit
from zongji.services.work_orders.changes import add_event, save_change
from zongji.errors import Invalid
from zongji.services.work_orders.sla_context import SlaContext
from zongji.services.work_orders.stored_state import row_state
from zongji.services.work_orders.visibility import Viewer, get_visible
from zongji.store.models import utcnow
from zongji.store.work_order_models import WorkOrder, WorkOrderLink


def link_orders(session: Session, viewer: Viewer, order_id: int, other_id: int, kind: str, *, tz: ZoneInfo,
                now: datetime | None = None) -> WorkOrderLink:
    """Bind two orders as related or duplicate (R-P8). Each keeps its own caller and callback.

    ``duplicate``: ``order_id`` is a duplicate of ``other_id`` (the primary) and follows it — not
    dispatched on its own, its dispatch clock stopped, the primary's reply copied to it with its own
    callback. Changing the kind or unbinding restores its independence."""
    now = now or utcnow()
    if viewer.role not in {str(r) for r in CONSOLE_ROLES}:
        raise Forbidden("only the console may bind orders")
    try:
        k = LinkKind(kind)
    except ValueError:
        raise Invalid(f"unknown link kind {kind!r}", field="kind") from None
    if other_id == order_id:
        raise Invalid("an order cannot be bound to itself", field="other_id")
    a = get_visible(session, viewer, order_id)
    b = session.get(WorkOrder, other_id)
    if b is None:
        raise Invalid("no such work order", field="other_id")
    lo, hi = sorted((a.id, b.id))
    existing = session.scalar(select(WorkOrderLink).where(WorkOrderLink.order_id == lo, WorkOrderLink.other_id == hi))
    if existing is not None:
        existing.kind = str(k)
        link = existing
    else:
        link = WorkOrderLink(order_id=lo, other_id=hi, kind=str(k), created_at=now, created_by_id=viewer.user_id)
        session.add(link)
    for row, other in ((a, b), (b, a)):
        st = row_state(row)
        add_event(session, row, TimelineEntry(now, "link", viewer.role, viewer.user_id, None, st.status, st.status,
                                              "", {"other_id": other.id, "other_number": other.number,
                                                   "kind": str(k)}), viewer.display_name)
    audit.record(session, actor=viewer.audit_actor, user_id=viewer.user_id, action="link", entity="work_order",
                 entity_id=a.id, detail={"other": b.number, "kind": str(k)})
    session.flush()
    # R-P8: "order_id is a duplicate of other_id" — it follows the other (the primary).
    sla = None
    for follower, primary in ((a, b), (b, a)):
        wanted = k is LinkKind.DUPLICATE and follower is a
        if follower.duplicate_of_id == primary.id and not wanted:
            sla = sla or SlaContext.load(session, tz)
            _unbind(session, viewer, follower, sla, now)
    if k is LinkKind.DUPLICATE and a.duplicate_of_id != b.id:
        session.flush()
        _check_can_follow(session, a, b)
        sla = sla or SlaContext.load(session, tz)
        st = row_state(a)
        try:
            new, entry = bind_duplicate(st, b.id, viewer.actor, now, primary_number=b.number)
        except WorkOrderError as e:
            if e.status_code == 400:
                raise Invalid(e.message, field=e.field or "kind", code=e.code) from None
            raise
        save_change(session, a, st, new, entry, viewer, sla, now)
        propagate_reply(session, b, row_state(b), viewer, sla, now)  # the primary may have replied already
    return link


def _check_can_follow(session: Session, follower: WorkOrder, primary: WorkOrder) -> None:
    """Refuse bindings that would make a chain or follow an order that never gets a reply."""
    if primary.duplicate_of_id is not None:
        other = session.get(WorkOrder, primary.duplicate_of_id)
        raise Conflict(f"R-P8: order {primary.number} is itself a duplicate of order {other.number if other else '?'}; "
                       "bind to that one", code="primary_is_duplicate", field="order_id")
    if primary.status == str(Status.CLOSED_DIRECTLY):
        raise Conflict(f"R-P8: order {primary.number} was closed directly and gets no unit reply to follow; "
                       "bind as related", code="primary_closed_directly", field="order_id")
    if session.scalar(select(func.count()).select_from(WorkOrder).where(WorkOrder.duplicate_of_id == follower.id)):
        raise Conflict(f"R-P8: order {follower.number} has duplicates following it; it cannot follow another order",
                       code="has_duplicates", field="order_id")


def _unbind(session: Session, viewer: Viewer, row: WorkOrder, sla: SlaContext, now: datetime) -> None:
    st = row_state(row)
    new, entry = unbind_duplicate(st, viewer.actor, now)
    save_change(session, row, st, new, entry, viewer, sla, now)


def propagate_reply(session: Session, primary: WorkOrder, state: WorkOrderState, viewer: Viewer,
                    sla: SlaContext, now: datetime) -> None:
    """The primary has the unit's reply: every duplicate still following it gets the reply and its
    own callback for its own caller (R-P8, R-P6)."""
    if state.status not in (Status.REPLIED, Status.CALLBACK, Status.CLOSED) or not state.reply_text:
        return
    q = select(WorkOrder).where(WorkOrder.duplicate_of_id == primary.id,
                                WorkOrder.status.in_([str(x) for x in FOLLOWING_STATUSES])).order_by(WorkOrder.id)
    if session.get_bind().dialect.name == "postgresql":
        q = q.with_for_update()
    for f in session.scalars(q):
        st = row_state(f)
        if not st.is_following:
            continue
        new, entry = follow_reply(st, primary.id, state.reply_text, viewer.actor, now, primary_number=primary.number)
        save_change(session, f, st, new, entry, viewer, sla, now)


def unlink_orders(session: Session, viewer: Viewer, order_id: int, other_id: int, *, tz: ZoneInfo,
                  now: datetime | None = None) -> None:
    now = now or utcnow()
    if viewer.role not in {str(r) for r in CONSOLE_ROLES}:
        raise Forbidden("only the console may unbind orders")
    a = get_visible(session, viewer, order_id, lock=True)
    lo, hi = sorted((order_id, other_id))
    link = session.scalar(select(WorkOrderLink).where(WorkOrderLink.order_id == lo, WorkOrderLink.other_id == hi))
    if link is None:
        raise NotFound("the orders are not bound", field="other_id")
    session.delete(link)
    b = session.get(WorkOrder, other_id)
    sla = None
    for follower, primary in ((a, b), (b, a)):
        if follower is not None and primary is not None and follower.duplicate_of_id == primary.id:
            sla = sla or SlaContext.load(session, tz)
            _unbind(session, viewer, follower, sla, now)  # it is on its own again (R-P8)
    audit.record(session, actor=viewer.audit_actor, user_id=viewer.user_id, action="unlink", entity="work_order",
                 entity_id=order_id, detail={"other_id": other_id})
