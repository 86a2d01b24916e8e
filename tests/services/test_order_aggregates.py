"""The work-order aggregates always agree with a recount of the raw orders (issue 10, point 6).

Hypothesis creates orders, records their history (dispatch, reply, reminders, returns, reopening,
callbacks with a survey outcome — late, for orders of earlier days), corrects them (another unit,
category, line or deadline), deletes history entries and orders, with partial folds in between;
every read equals the domain's count of the raw rows.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

import pytest
from hypothesis import HealthCheck, example, given, settings as hsettings, strategies as st
from sqlalchemy import delete, func, select

from zongji.domain.stats import kpi
from zongji.domain.stats import orders as rules
from zongji.services.stats import order_aggregates
from zongji.store.models import Department, Line, Organisation
from zongji.store.stats_models import OrderStat, OrderStatDirty
from zongji.store.work_order_models import WorkOrder, WorkOrderEvent

pytestmark = pytest.mark.slow  # handed out first (tests/conftest.py)

BASE = dt.datetime(2026, 11, 30, 15, 0, tzinfo=dt.UTC)  # 1 December, 23:00 in Shanghai
DAY_FROM, DAY_TO = dt.date(2026, 11, 29), dt.date(2026, 12, 6)
ACTIONS = ("dispatch", "reply", "remind", "return", "reopen", "close_directly", "record_callback", "note")
OUTCOMES = ("satisfied", "basically_satisfied", "dissatisfied", "unreachable")

idx = st.integers(0, 3)
minutes = st.integers(-60 * 30, 60 * 50)
op = st.one_of(
    st.tuples(st.just("new"), minutes, st.one_of(st.none(), st.integers(30, 60 * 72)), st.integers(0, 2),
              st.integers(0, 2), st.sampled_from(["complaint", "inquiry"]), st.sampled_from(["phone", "sms"]),
              st.sampled_from([None, "noise", "roads"])),
    st.tuples(st.just("event"), idx, st.sampled_from(ACTIONS), st.integers(0, 60 * 80), st.sampled_from(OUTCOMES)),
    st.tuples(st.just("unevent"), idx),
    st.tuples(st.just("deadline"), idx, st.one_of(st.none(), st.integers(-60 * 20, 60 * 72))),
    st.tuples(st.just("unit"), idx, st.integers(0, 2)),
    st.tuples(st.just("line"), idx, st.integers(0, 2)),
    st.tuples(st.just("category"), idx, st.sampled_from([None, "noise", "roads"])),
    st.tuples(st.just("delete"), idx),
)
rounds = st.lists(st.tuples(st.lists(op, min_size=3, max_size=10), st.integers(1, 30)), min_size=3, max_size=6)


@pytest.fixture
def world(write):
    with write() as s:
        org = Organisation(code="city", name="示例市", kind="city_hotline")
        s.add(org)
        s.flush()
        s.add_all([Line(organisation_id=org.id, code="12345", name="热线", kind="city_hotline", number="12345"),
                   Line(organisation_id=org.id, code="400", name="客服", kind="company", number="4008001234")])
        s.add_all([Department(organisation_id=org.id, name="市城管局", kind="handling_unit"),
                   Department(organisation_id=org.id, name="市住建局", kind="handling_unit")])
        s.flush()
        lines = [None, *s.scalars(select(Line.id).order_by(Line.id))]
        units = [None, *s.scalars(select(Department.id).order_by(Department.id))]
    return lines, units


def _expected(s, settings, dim: str, line_filter=None) -> dict:
    orders = s.execute(select(*order_aggregates.order_columns())).all()
    facts = order_aggregates.facts_of(s, orders)
    within = dt.timedelta(minutes=settings.stats_dispatch_within_minutes)
    out: dict = defaultdict(kpi.OrderCounts)
    tz = settings.tz
    for o in orders:
        line = o.line_id or 0
        if line_filter is not None and line and line not in line_filter:
            continue
        value = {"": None, "unit": str(o.main_unit_id or 0), "type": o.order_type, "channel": o.channel,
                 "cat": o.category or ""}[dim]
        f = facts[o.id]
        for day, part in ((o.created_at.astimezone(tz).date(), rules.created_counts(f, within)),
                          (o.completion_deadline.astimezone(tz).date() if o.completion_deadline else None,
                           rules.due_counts(f))):
            if day is None or not DAY_FROM <= day <= DAY_TO:
                continue
            k = (day,) if dim == "" else (value,)
            out[k] = rules.add(out[k], part)
    return dict(out)


def _check(s, settings, lines) -> None:
    for dim in order_aggregates.DIMS:
        got = order_aggregates.read(s, settings, date_from=DAY_FROM, date_to=DAY_TO, dim=dim,
                                    by=("day",) if dim == "" else ("value",))
        assert got == _expected(s, settings, dim), dim
    scope = frozenset({lines[1]})
    got = order_aggregates.read(s, settings, date_from=DAY_FROM, date_to=DAY_TO, line_filter=scope)
    assert got == _expected(s, settings, "", scope)


def _apply(s, step, lines, units, ids: list[int]) -> None:
    kind = step[0]
    if kind == "new":
        created = BASE + dt.timedelta(minutes=step[1], seconds=11)
        o = WorkOrder(number=f"T{len(ids) + 1:06d}{step[1] & 0xffff:05d}", order_type=step[5], status="new",
                      created_at=created, state={}, channel=step[6], category=step[7], line_id=lines[step[3]],
                      main_unit_id=units[step[4]],
                      completion_deadline=None if step[2] is None else created + dt.timedelta(minutes=step[2]))
        s.add(o)
        s.flush()
        ids.append(o.id)
        return
    if not ids:
        return
    o = s.get(WorkOrder, ids[step[1] % len(ids)])
    if o is None:
        return
    if kind == "event":
        s.add(WorkOrderEvent(order_id=o.id, at=o.created_at + dt.timedelta(minutes=step[3]), action=step[2],
                             actor_role="operator", to_status="x",
                             data={"outcome": step[4]} if step[2] == "record_callback" else None))
    elif kind == "unevent":
        e = s.scalar(select(WorkOrderEvent).where(WorkOrderEvent.order_id == o.id).order_by(WorkOrderEvent.id.desc()))
        if e is not None:
            s.delete(e)
    elif kind == "deadline":
        o.completion_deadline = None if step[2] is None else o.created_at + dt.timedelta(minutes=step[2])
    elif kind == "unit":
        o.main_unit_id = units[step[2]]
    elif kind == "line":
        o.line_id = lines[step[2]]
    elif kind == "category":
        o.category = step[2]
    elif kind == "delete":
        s.execute(delete(WorkOrderEvent).where(WorkOrderEvent.order_id == o.id))
        s.delete(o)
    s.flush()


@hsettings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=rounds)
# Pinned besides the random search: a late callback survey on a folded order, another unit after
# the fold, the deadline moved to another day.
@example(steps=[([("new", 0, 600, 1, 1, "complaint", "phone", None), ("event", 0, "reply", 60, "satisfied")], 40),
                ([("event", 0, "record_callback", 3000, "satisfied")], 40)])
@example(steps=[([("new", 0, 600, 1, 1, "complaint", "phone", "noise")], 40), ([("unit", 0, 2)], 40)])
@example(steps=[([("new", 0, 600, 1, 1, "complaint", "phone", None)], 40), ([("deadline", 0, 3000)], 40)])
def test_order_aggregates_agree_with_a_recount_of_the_raw_orders(write, settings, world, steps):
    lines, units = world
    with write() as s:
        for model in (OrderStat, OrderStatDirty, WorkOrderEvent, WorkOrder):
            s.execute(delete(model))
    ids: list[int] = []
    for writes, batch in steps:
        with write() as s:
            for step in writes:
                _apply(s, step, lines, units, ids)
            _check(s, settings, lines)
        with write() as s:
            order_aggregates.fold(s, settings, batch=batch)
            _check(s, settings, lines)
    with write() as s:
        while order_aggregates.fold(s, settings, batch=50)["more"]:
            pass
        assert s.scalar(select(func.count()).select_from(OrderStatDirty)) == 0
        _check(s, settings, lines)
        order_aggregates.rebuild(s, settings, DAY_FROM - dt.timedelta(days=3), DAY_TO + dt.timedelta(days=3))
        _check(s, settings, lines)
