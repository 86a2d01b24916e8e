"""The lists of orders: the views (dispatch queue, callbacks, supervision, the unit's portal,
extensions), filters and paging."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import and_, column, func, or_, select, table, text
from sqlalchemy.orm import Session

from zongji.domain import sla as sla_rules
from zongji.domain.caller_id import search_digits
from zongji.domain.substring_index import query_terms
from zongji.domain.work_orders.words import (
    FINAL_STATUSES,
    FOLLOWING_STATUSES,
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
from zongji.store.work_order_models import (
    LEADER_QUEUE_SQL,
    OPEN_LINKS_SQL,
    OPEN_ORDERS_SQL,
    ORDER_FTS_TABLE,
    ORDER_SEARCH,
    SEARCHED,
    WorkOrder,
    WorkOrderUnit,
)


PAGE_SIZE_MAX = 200
VIEWS = ("all", "dispatch", "callbacks", "supervision", "unit", "extensions")
# A text search is counted exactly up to here, "1,000+" beyond: counting every order that
# mentions 小区 among millions reads a large share of them, and the operator refines the words
# rather than reading thousands of orders (issue 18).
TEXT_COUNT_MAX = 1_000
# PostgreSQL's full-text index cannot give its matches newest first: a text search reads the
# index for the newest block of order ids (``ORDER_SEARCH``: its terms are tagged with their
# block), then WINDOW_GROWTH times as many blocks at each step, until the page and the count are
# found (``_newest_matches``).
WINDOW_GROWTH = 2


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
    if view == "unit" and not viewer.is_unit:
        raise Invalid("the unit view is for unit handlers", field="view")
    conds = []
    # The unit view reads its unit's orders through the unit's links (``_unit_view``).
    clause = None if view == "unit" else visible_clause(viewer)
    if clause is None and view != "unit":
        clause = line_clause(session, viewer)
    if clause is not None:
        conds.append(clause)
    order_by: list[Any] = [WorkOrder.created_at.desc(), WorkOrder.id.desc()]
    if view == "dispatch":
        conds.append(text(LEADER_QUEUE_SQL))  # the partial index ix_work_orders_leader_queue
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
    query = (q or "").strip()[:100]
    terms = text_terms(query)
    sqlite = session.get_bind().dialect.name == "sqlite"
    streamed = bool(terms) and view == "all" and sqlite
    linked = unit_id is not None and view == "all" and not streamed
    windowed = bool(terms) and view == "all" and not sqlite and not linked
    if unit_id is not None and not linked:
        conds.append(WorkOrder.id.in_(select(WorkOrderUnit.order_id).where(WorkOrderUnit.unit_id == unit_id)))
    if supervised is not None:
        conds.append(WorkOrder.supervised.is_(supervised))
    if query:
        conds.append(_contains(query) if streamed or windowed else search_condition(session, query))
    if view == "unit":
        rows, total, exact = _unit_view(session, viewer.unit_id, conds, page, page_size)
        return _page(session, rows, total, exact, page, page_size, tz, now, viewer)
    base = select(WorkOrder).where(*conds)
    if linked:
        # One unit's orders, newest first: read from the unit's links (unit, order) backwards,
        # whatever share of the orders the unit has (order ids follow the time of creation).
        base = base.join(WorkOrderUnit, and_(WorkOrderUnit.order_id == WorkOrder.id,
                                             WorkOrderUnit.unit_id == unit_id))
        order_by = [WorkOrderUnit.order_id.desc()]
    if streamed:
        # SQLite: the full-text index drives the read, newest order first (order ids follow the
        # time orders are created), so a common word ("小区": a quarter of millions of orders)
        # stops after its page and the count's cap instead of reading and sorting every match.
        fts = table(ORDER_FTS_TABLE, column("rowid"))
        base = base.join(fts, fts.c.rowid == WorkOrder.id).where(_fts_match(terms))
        order_by = [fts.c.rowid.desc()]
    # Counted up to COUNT_EXACT_MAX (issue 18): "10,000+" beyond; a text search up to TEXT_COUNT_MAX.
    cap = TEXT_COUNT_MAX if terms else COUNT_EXACT_MAX
    if windowed:
        # Newest first (order ids follow the time orders are created), as SQLite's stream reads;
        # the count and the page from the same read.
        found = _newest_matches(session, conds, terms, max(page * page_size, cap + 1))
        total, exact = (len(found), True) if len(found) <= cap else (cap, False)
        ids = found[(page - 1) * page_size:page * page_size]
        rows = list(session.scalars(select(WorkOrder).where(WorkOrder.id.in_(ids)).order_by(WorkOrder.id.desc()))
                    ) if ids else []
        return _page(session, rows, total, exact, page, page_size, tz, now, viewer)
    if linked:
        total, exact = _unit_count(session, base, conds, unit_id, cap)
    else:
        n = session.scalar(select(func.count()).select_from(base.with_only_columns(WorkOrder.id).limit(cap + 1)
                                                            .subquery())) or 0
        total, exact = (n, True) if n <= cap else (cap, False)
    rows = list(session.scalars(base.order_by(*order_by).offset((page - 1) * page_size).limit(page_size)))
    return _page(session, rows, total, exact, page, page_size, tz, now, viewer)


def _newest_matches(session: Session, conds: list[Any], terms: list[str], need: int) -> list[int]:
    """The ids of the newest ``need`` orders holding ``terms`` and meeting ``conds`` (a text
    search on PostgreSQL), newest first, read block by block of order ids from the newest: one
    block, then WINDOW_GROWTH times as many at each step. Each read takes from the index only
    the terms of its blocks, so a common word (a quarter of the orders) is found in the newest
    block without reading its millions of older matches, and a rare one costs one small index
    look-up a step, however many years of orders lie behind."""
    top = session.scalar(select(func.max(WorkOrder.id)))
    if not top:
        return []
    found: list[int] = []
    last, blocks = ORDER_SEARCH.block_of(top), 1
    while last >= 0 and len(found) < need:
        first = max(0, last - blocks + 1)
        lo, hi = ORDER_SEARCH.block_range(first, last)
        found += session.scalars(select(WorkOrder.id).where(
            *conds, ORDER_SEARCH.in_blocks(terms, range(first, last + 1)), WorkOrder.id >= lo, WorkOrder.id <= hi)
            .order_by(WorkOrder.id.desc()).limit(need - len(found)))
        last, blocks = first - 1, blocks * WINDOW_GROWTH
    return found


def _page(session: Session, rows: list[WorkOrder], total: int, exact: bool, page: int, page_size: int,
          tz: ZoneInfo, now: datetime, viewer: Viewer) -> dict[str, Any]:
    sla = SlaContext.load(session, tz)
    units = units_by_id(session, (r.main_unit_id for r in rows))
    cats = {c.code: c for c in categories(session)}
    items = [order_summary(session, r, sla, now, viewer, units, cats) for r in rows]
    return {"items": items, "total": total, "total_exact": exact, "page": page, "page_size": page_size}


def _unit_view(session: Session, unit: int | None, conds: list[Any], page: int,
               page_size: int) -> tuple[list[WorkOrder], int, bool]:
    """A unit's portal: its open orders first, the nearest deadline first; then its finished
    orders, the newest first. Both through indexes whatever the unit's history: the open ones
    from the partial index of the unit's open links (a few hundred among its million orders),
    the finished ones from the unit's links (unit, order) backwards."""
    if unit is None:
        return [], 0, True
    mine = select(WorkOrder).join(WorkOrderUnit, and_(WorkOrderUnit.order_id == WorkOrder.id,
                                                      WorkOrderUnit.unit_id == unit)).where(*conds)
    total, exact = _unit_count(session, mine, conds, unit, COUNT_EXACT_MAX)
    # Open on both sides (one is a copy of the other): the planner may start from the unit's open
    # links or from the open orders' deadline index, never from every order's deadline.
    still_open = mine.where(text(OPEN_LINKS_SQL), text(OPEN_ORDERS_SQL))
    n_open, _ = _unit_count(session, still_open, conds, unit, None, text(OPEN_LINKS_SQL))
    offset = (page - 1) * page_size
    rows: list[WorkOrder] = []
    if offset < n_open:
        rows = list(session.scalars(still_open.order_by(WorkOrder.completion_deadline, WorkOrder.id)
                                    .offset(offset).limit(page_size)))
    if len(rows) < page_size:
        finished = mine.where(WorkOrderUnit.order_open.is_(False))
        rows += list(session.scalars(finished.order_by(WorkOrderUnit.order_id.desc())
                                     .offset(max(0, offset - n_open)).limit(page_size - len(rows))))
    return rows, total, exact


def _unit_count(session: Session, orders: Any, conds: list[Any], unit: int, cap: int | None,
                *links: Any) -> tuple[int, bool]:
    """How many of ``orders`` (a unit's, through its links meeting ``links``) there are, exactly
    up to ``cap``: without a filter counted from the unit's links alone (read from an index
    only), with one through the orders."""
    counted = orders.with_only_columns(WorkOrder.id) if conds else \
        select(WorkOrderUnit.order_id).where(WorkOrderUnit.unit_id == unit, *links)
    if cap is not None:
        counted = counted.limit(cap + 1)
    n = session.scalar(select(func.count()).select_from(counted.subquery())) or 0
    return (n, True) if cap is None or n <= cap else (cap, False)


_ORDER_NUMBER = re.compile(r"^\d{8}-\d{1,6}$")
_PHONE_LIKE = re.compile(r"^[+\d\s\-()（）０-９＋]+$")


def text_terms(q: str) -> list[str]:
    """The terms (character pairs, single letters) a text look-up of the search box reads from
    the index (none for an order number, a telephone number, punctuation)."""
    if not q or _ORDER_NUMBER.match(q) or _by_number(q) is not None:
        return []
    return query_terms(q)


def _by_number(q: str) -> Any:
    if _PHONE_LIKE.match(q) and search_digits(q):
        try:
            return or_(WorkOrder.number == q, *number_conditions(
                [(WorkOrder.caller_digits, WorkOrder.caller_digits_rev)], q, field="q"))
        except Invalid:
            return None  # longer than any telephone number: looked for as text
    return None


def search_condition(session: Session, q: str) -> Any:
    """The search box: an order number (``YYYYMMDD-NNNN``) is looked up exactly, a telephone number
    by the beginning or end of the caller's number (the call log's rule) or as an order number —
    both through indexes (issue 18); any other text is looked for anywhere in the order's number,
    caller, description and place (``SEARCHED``): its candidates are the orders holding every
    character pair of the text, read from the full-text index (``domain/substring_index``), and
    the ``LIKE`` keeps those that contain it — the same orders as the ``LIKE`` alone finds by
    reading every order (letter case ignored). A letter alone is looked up as such (the index
    holds single letters too); punctuation alone is looked for by reading."""
    if _ORDER_NUMBER.match(q):
        return WorkOrder.number == q
    by_number = _by_number(q)
    if by_number is not None:
        # As a list of ids: SQLite's planner, given the page's bound LIMIT, otherwise walked the
        # newest-first index through every order testing the condition (seconds at millions)
        # instead of reading the three indexes.
        return WorkOrder.id.in_(select(WorkOrder.id).where(by_number))
    terms = query_terms(q)
    if not terms:
        return _contains(q)
    return and_(_holding(session, terms), _contains(q))


def _contains(q: str) -> Any:
    like = f"%{q}%"
    # Letter case ignored on both databases (SQLite's LIKE did already, PostgreSQL's did not);
    # ILIKE only when the text has letters with a case: on PostgreSQL it costs more than LIKE.
    cased = q.lower() != q.upper()
    return or_(*(getattr(WorkOrder, f).ilike(like) if cased else getattr(WorkOrder, f).like(like)
                 for f in SEARCHED))


def _fts_match(terms: list[str]) -> Any:
    """SQLite's full-text condition: every one of ``terms`` (letters and digits only: nothing to
    quote but the phrase itself)."""
    return text(f"{ORDER_FTS_TABLE} MATCH :terms").bindparams(terms=" ".join(f'"{p}"' for p in terms))


def _holding(session: Session, terms: list[str]) -> Any:
    """Orders whose ``search_terms`` hold every one of ``terms``."""
    if session.get_bind().dialect.name == "sqlite":
        return WorkOrder.id.in_(select(text("rowid")).select_from(text(ORDER_FTS_TABLE)).where(_fts_match(terms)))
    top = session.scalar(select(func.max(WorkOrder.id))) or 0
    return ORDER_SEARCH.in_blocks(terms, range(ORDER_SEARCH.block_of(top) + 1))

