"""The lists of orders: the views (dispatch queue, callbacks, supervision, the unit's portal,
extensions), filters and paging."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import and_, func, or_, select, text
from sqlalchemy.orm import Session

from zongji.domain import sla as sla_rules
from zongji.domain.caller_id import search_digits
from zongji.domain.substring_index import query_pairs
from zongji.domain.work_orders.words import (
    FINAL_STATUSES,
    FOLLOWING_STATUSES,
    LEADER_STATUSES,
    ExtensionStatus,
    OrderType,
    Status,
)
from zongji.services.work_orders.categories import categories
from zongji.services.work_orders.detail import order_summary, units_by_id
from zongji.errors import Invalid
from zongji.services.calls import COUNT_EXACT_MAX, number_conditions
from zongji.services.work_orders.sla_context import SlaContext
from zongji.services.work_orders.visibility import Viewer, line_clause, visible_clause
from zongji.store.models import utcnow
from zongji.store.work_order_models import ORDER_FTS_TABLE, SEARCHED, WorkOrder, WorkOrderUnit


PAGE_SIZE_MAX = 200
VIEWS = ("all", "dispatch", "callbacks", "supervision", "unit", "extensions")


def list_orders(session: Session, viewer: Viewer, *, tz: ZoneInfo, view: str = "all", status: str | None = None,
                order_type: str | None = None, sla_state: str | None = None, unit_id: int | None = None,
                q: str | None = None, supervised: bool | None = None, page: int = 1, page_size: int = 50,
                now: datetime | None = None) -> dict[str, Any]:
    now = now or utcnow()
    if view not in VIEWS:
        raise Invalid(f"unknown view {view!r}", field="view")
    if page < 1:
        raise Invalid("page starts at 1", field="page")
    if not 1 <= page_size <= PAGE_SIZE_MAX:
        raise Invalid(f"page_size must be 1…{PAGE_SIZE_MAX}", field="page_size")
    conds = []
    clause = visible_clause(viewer)
    if clause is None:
        clause = line_clause(session, viewer)
    if clause is not None:
        conds.append(clause)
    order_by: list[Any] = [WorkOrder.created_at.desc(), WorkOrder.id.desc()]
    if view == "dispatch":
        conds.append(WorkOrder.status.in_([str(s) for s in LEADER_STATUSES]))
        # Duplicates following a primary are not dispatched on their own (R-P8).
        conds.append(or_(WorkOrder.duplicate_of_id.is_(None),
                         WorkOrder.status.notin_([str(s) for s in FOLLOWING_STATUSES])))
        order_by = [WorkOrder.created_at, WorkOrder.id]
    elif view == "callbacks":
        conds.append(WorkOrder.status.in_([str(Status.REPLIED), str(Status.CALLBACK)]))
        order_by = [WorkOrder.callback_due_at, WorkOrder.id]
    elif view == "supervision":
        conds.append(or_(WorkOrder.supervised.is_(True),
                         and_(WorkOrder.sla_state == "breached",
                              WorkOrder.status.notin_([str(s) for s in FINAL_STATUSES]))))
    elif view == "extensions":
        # Orders with a pending extension or pause request, filtered in SQL (JSON path into the
        # state) so paging and the total are right however many orders are open.
        conds.append(WorkOrder.status.in_([str(Status.ACCEPTED), str(Status.IN_PROGRESS)]))
        conds.append(or_(
            WorkOrder.state[("extension", "status")].as_string() == str(ExtensionStatus.REQUESTED),
            WorkOrder.state[("pause_request", "status")].as_string() == str(ExtensionStatus.REQUESTED)))
        order_by = [WorkOrder.completion_deadline, WorkOrder.id]  # to decide before the deadline
    elif view == "unit":
        if not viewer.is_unit:
            raise Invalid("the unit view is for unit handlers", field="view")
        order_by = [WorkOrder.status.in_([str(s) for s in FINAL_STATUSES]), WorkOrder.completion_deadline,
                    WorkOrder.id]
    if status:
        statuses = [s for s in status.split(",") if s]
        bad = [s for s in statuses if s not in {str(x) for x in Status}]
        if bad:
            raise Invalid(f"unknown status {bad[0]!r}", field="status")
        conds.append(WorkOrder.status.in_(statuses))
    if order_type:
        if order_type not in {str(x) for x in OrderType}:
            raise Invalid(f"unknown order type {order_type!r}", field="order_type")
        conds.append(WorkOrder.order_type == order_type)
    if sla_state:
        if sla_state not in {str(x) for x in sla_rules.ClockState}:
            raise Invalid(f"unknown SLA state {sla_state!r}", field="sla_state")
        conds.append(WorkOrder.sla_state == sla_state)
    if unit_id is not None:
        conds.append(WorkOrder.id.in_(select(WorkOrderUnit.order_id).where(WorkOrderUnit.unit_id == unit_id)))
    if supervised is not None:
        conds.append(WorkOrder.supervised.is_(supervised))
    if q and q.strip():
        conds.append(search_condition(session, q.strip()[:100]))
    base = select(WorkOrder).where(*conds)
    # Counted up to COUNT_EXACT_MAX (issue 18): "10,000+" beyond.
    n = session.scalar(select(func.count()).select_from(base.limit(COUNT_EXACT_MAX + 1).subquery())) or 0
    total, exact = (n, True) if n <= COUNT_EXACT_MAX else (COUNT_EXACT_MAX, False)
    rows = list(session.scalars(base.order_by(*order_by).offset((page - 1) * page_size).limit(page_size)))
    sla = SlaContext.load(session, tz)
    units = units_by_id(session, (r.main_unit_id for r in rows))
    cats = {c.code: c for c in categories(session)}
    items = [order_summary(session, r, sla, now, viewer, units, cats) for r in rows]
    return {"items": items, "total": total, "total_exact": exact, "page": page, "page_size": page_size}


_ORDER_NUMBER = re.compile(r"^\d{8}-\d{1,6}$")
_PHONE_LIKE = re.compile(r"^[+\d\s\-()（）０-９＋]+$")


def search_condition(session: Session, q: str) -> Any:
    """The search box: an order number (``YYYYMMDD-NNNN``) is looked up exactly, a telephone number
    by the beginning or end of the caller's number (the call log's rule) or as an order number —
    both through indexes (issue 18); any other text is looked for anywhere in the order's number,
    caller, description and place (``SEARCHED``): its candidates are the orders holding every
    character pair of the text, read from the full-text index (``domain/substring_index``), and
    the ``LIKE`` keeps those that contain it — the same orders as the ``LIKE`` alone finds by
    reading every order (letter case ignored). A text of one character has no pair and is looked
    for by reading."""
    if _ORDER_NUMBER.match(q):
        return WorkOrder.number == q
    if _PHONE_LIKE.match(q) and search_digits(q):
        try:
            return or_(WorkOrder.number == q,
                       *number_conditions([(WorkOrder.caller_digits, WorkOrder.caller_digits_rev)], q, field="q"))
        except Invalid:
            pass  # longer than any telephone number: looked for as text
    like = f"%{q}%"
    # Letter case ignored on both databases (SQLite's LIKE did already, PostgreSQL's did not).
    contains = or_(*(getattr(WorkOrder, f).ilike(like) for f in SEARCHED))
    pairs = query_pairs(q)
    if not pairs:
        return contains
    return and_(_holding(session, pairs), contains)


def _holding(session: Session, pairs: list[str]) -> Any:
    """Orders whose ``search_terms`` hold every one of ``pairs`` (letters and digits only: no
    quoting is needed in either query language)."""
    if session.get_bind().dialect.name == "sqlite":
        match = " ".join(f'"{p}"' for p in pairs)
        return WorkOrder.id.in_(select(text("rowid")).select_from(text(ORDER_FTS_TABLE))
                                .where(text(f"{ORDER_FTS_TABLE} MATCH :pairs")).params(pairs=match))
    return text("to_tsvector('simple', work_orders.search_terms) @@ plainto_tsquery('simple', :pairs)"
                ).bindparams(pairs=" ".join(pairs))
