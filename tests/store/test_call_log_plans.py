"""Every main list of the console and of work orders is read through an index, on SQLite and on
PostgreSQL (issue 18, point 1).

A table of 12,000 calls and 12,000 orders spread over three years, planner statistics gathered
(ANALYZE), and the real statements the services run (captured as they run) explained: the test
fails on a full scan of ``calls``, ``work_orders`` or ``work_order_units``. The planner is left
free (no ``enable_seqscan = off``). A read with no condition and a LIMIT (the capped count of the
unfiltered log) stops after its rows, whatever it scans, and is not held against it. The search
box's words are read through the index of character pairs (FTS5 / GIN).
"""

from __future__ import annotations

import datetime as dt
import json
import re

from sqlalchemy import event, insert, select, text

from zongji.domain.caller_id import reversed_digits, search_digits
from zongji.domain.work_orders.state import WorkOrderState
from zongji.domain.work_orders.words import FINAL_STATUSES, OrderType, Status
from zongji.services import calls as service
from zongji.services.auth import create_user
from zongji.services.work_orders import listing
from zongji.services.work_orders.stored_state import state_to_json
from zongji.services.work_orders.visibility import Viewer
from zongji.store.models import Call, Department, Line, Organisation, User, UserLine
from zongji.store.work_order_models import WorkOrder, WorkOrderUnit, search_terms

TZ = dt.timezone(dt.timedelta(hours=8))
N = 12_000
UNITS = 80  # a city's handling units: each holds a small share of the orders
OUTCOMES = ["answered", "abandoned", "missed", "busy", "transferred", "message_taken", "failed", "answered"]
STATUSES = ["closed"] * 6 + ["created", "dispatched", "accepted", "in_progress", "replied", "returned"]
WATCHED = ("calls", "work_orders", "work_order_units")
T0 = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)


def _number(i: int) -> str:
    return f"13{(i * 7919 + 12345) % 1_000_000_000:09d}"


MATTERS = ["路灯不亮", "夜间施工噪音", "物业不打扫楼道", "停车收费太高", "小区停水", "电梯坏了", "垃圾没人清",
           "井盖丢失", "占道经营", "噪音扰民", "绿化带被毁", "公交站牌损坏"]


def _description(i: int) -> str:
    """What a caller reported: a matter of twelve, in a common place; one order in 400 about a
    stray dog."""
    matter = "路边流浪狗咬人" if i % 400 == 7 else MATTERS[i % len(MATTERS)]
    return f"来电反映幸福小区{i % 30}号楼{matter}，希望尽快处理"


def _unit(unit_ids: list[int], i: int) -> int:
    """The unit of order ``i``: the first (the handler's) is the busiest, with a quarter of the
    orders (its open ones far more than a page); the others share the rest."""
    return unit_ids[0] if i % 4 == 0 else unit_ids[1 + i % (UNITS - 1)]


def _seed(write) -> dict:
    with write() as s:
        org = Organisation(code="o", name="示例", kind="hotel")
        s.add(org)
        s.flush()
        lines = [Line(organisation_id=org.id, code=f"l{k}", name=f"线路{k}", kind="switchboard", number=f"800{k}")
                 for k in range(5)]
        units = [Department(organisation_id=org.id, name=f"单位{k}") for k in range(UNITS)]
        s.add_all(lines + units)
        s.flush()
        line_ids, unit_ids = [x.id for x in lines], [u.id for u in units]
        op = create_user(s, username="scoped", password="secret-pass-1", role="operator")
        boss = create_user(s, username="boss", password="secret-pass-1", role="supervisor")
        handler = create_user(s, username="handler", password="secret-pass-1", role="unit_handler",
                              department_id=unit_ids[0])
        s.add_all([UserLine(user_id=op.id, line_id=line_ids[0]), UserLine(user_id=op.id, line_id=line_ids[1])])
    calls, orders, links = [], [], []
    states = {st: state_to_json(WorkOrderState(order_type=OrderType.REQUEST, created_at=T0, status=Status(st)))
              for st in set(STATUSES)}
    for i in range(N):
        at = T0 + dt.timedelta(minutes=79 * i)  # three years
        # Open orders are recent ones (the last tenth): a centre's old orders are closed.
        status = STATUSES[i % 12] if i >= N * 9 // 10 else "closed"
        n = _number(i)
        key = search_digits(n)
        calls.append({"direction": "in", "calling_number": n, "called_number": f"800{i % 5}",
                      "calling_digits": key, "calling_digits_rev": reversed_digits(key),
                      "called_digits": f"800{i % 5}", "called_digits_rev": f"{i % 5}008",
                      "line_id": line_ids[i % 5], "state": "ended", "outcome": OUTCOMES[i % 8],
                      "ringing_at": at, "caller_kind": "unknown", "closed_at": at})
        orders.append({"number": f"{at:%Y%m%d}-{i:05d}", "order_type": "request", "status": status,
                       "created_at": at, "caller_number": n, "state": states[status], "caller_digits": key,
                       "caller_digits_rev": reversed_digits(key), "main_unit_id": _unit(unit_ids, i),
                       "completion_deadline": at + dt.timedelta(days=5), "description": _description(i)})
        orders[-1]["search_terms"] = search_terms(orders[-1])  # the ORM's event does it; a bulk insert not
    with write() as s:
        s.execute(insert(Call.__table__), calls)
        s.execute(insert(WorkOrder.__table__), orders)
        ids = list(s.scalars(select(WorkOrder.id).order_by(WorkOrder.id)))
        final = {str(x) for x in FINAL_STATUSES}
        links = [{"order_id": oid, "unit_id": o["main_unit_id"], "role": "main", "order_open": o["status"] not in final}
                 for oid, o in zip(ids, orders)]
        s.execute(insert(WorkOrderUnit.__table__), links)
        s.execute(text("ANALYZE"))
    return {"users": {"scoped": op.id, "boss": boss.id, "handler": handler.id}, "unit": unit_ids[0]}


class _Statements:
    """The SELECTs reaching the watched tables while a block runs, with their parameters."""

    def __init__(self, engine):
        self.engine, self.seen = engine, []

    def __enter__(self):
        event.listen(self.engine, "before_cursor_execute", self._take)
        return self

    def __exit__(self, *exc):
        event.remove(self.engine, "before_cursor_execute", self._take)

    def _take(self, conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip().upper().startswith("SELECT") and re.search(
                r"\b(FROM|JOIN)\s+(" + "|".join(WATCHED) + r")\b", statement):
            self.seen.append((statement, parameters))


def _bounded(statement: str) -> bool:
    """No condition at all and a LIMIT: reads at most that many rows, however it scans."""
    return " WHERE " not in statement.upper().replace("\n", " ") and re.search(r"\bLIMIT\b", statement, re.I)


def _full_scans(conn, backend: str, statement: str, parameters) -> list[str]:
    if backend == "sqlite":
        rows = conn.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters).all()
        return [r[-1] for r in rows if re.match(r"SCAN (" + "|".join(WATCHED) + r")\b(?! USING)", r[-1])]
    plan = conn.exec_driver_sql("EXPLAIN (FORMAT JSON) " + statement, parameters).scalar()
    plan = plan if isinstance(plan, list) else json.loads(plan)
    out, todo = [], [(plan[0]["Plan"], None)]
    while todo:
        node, parent = todo.pop()
        if node["Node Type"] == "Seq Scan" and node.get("Relation Name") in WATCHED:
            # Under a LIMIT the planner expects to stop before the end (more rows match than
            # it takes, e.g. the capped count of most of the log): a bounded read, allowed.
            stops = parent is not None and parent["Node Type"] == "Limit" and node["Plan Rows"] > parent["Plan Rows"]
            if not stops:
                out.append(f"Seq Scan on {node['Relation Name']} (filter {node.get('Filter')})")
        todo.extend((child, node) for child in node.get("Plans", []))
    return out


def test_main_lists_are_read_through_indexes(write, session_factory, runtime, backend, monkeypatch):
    # The count's cap in the same proportion to this table as 10,000 to a centre's millions.
    monkeypatch.setattr(service, "COUNT_EXACT_MAX", 100)
    monkeypatch.setattr(listing, "COUNT_EXACT_MAX", 100)
    ctx = _seed(write)
    month = {"date_from": "2025-06-01", "date_to": "2025-06-30"}
    probe = _number(4321)
    with session_factory() as s:
        users = {k: s.get(User, v) for k, v in ctx["users"].items()}
        boss, handler = Viewer.of(users["boss"]), Viewer.of(users["handler"])
        first = service.list_calls(s, service.CallFilter(), tz=TZ)
        lists = {
            "call log": lambda: service.list_calls(s, service.CallFilter(), tz=TZ),
            "call log, next page": lambda: service.list_calls(s, service.CallFilter(), tz=TZ,
                                                              cursor=first["next_cursor"]),
            "call log of a user's lines": lambda: service.list_calls(s, service.CallFilter(), tz=TZ,
                                                                     user=users["scoped"]),
            "by full number": lambda: service.list_calls(s, service.CallFilter(number=probe), tz=TZ),
            "by last digits": lambda: service.list_calls(s, service.CallFilter(number=probe[-5:]), tz=TZ),
            "by first digits": lambda: service.list_calls(s, service.CallFilter(number=probe[:7]), tz=TZ),
            "by month": lambda: service.list_calls(s, service.CallFilter(**month), tz=TZ),
            "by line and month": lambda: service.list_calls(s, service.CallFilter(line="l2", **month), tz=TZ),
            "by line, outcome and month": lambda: service.list_calls(
                s, service.CallFilter(line="l2", outcome="abandoned", **month), tz=TZ),
            # Now: just after the last call (nothing rings in the future).
            "active calls": lambda: service.active_calls(s, tz=TZ, now=T0 + dt.timedelta(minutes=79 * N)),
            "orders": lambda: listing.list_orders(s, boss, tz=TZ),
            "orders by status": lambda: listing.list_orders(s, boss, tz=TZ, status="replied"),
            "orders of a unit": lambda: listing.list_orders(s, boss, tz=TZ, unit_id=ctx["unit"]),
            "dispatch queue": lambda: listing.list_orders(s, boss, tz=TZ, view="dispatch"),
            "a unit's portal by deadline": lambda: listing.list_orders(s, handler, tz=TZ, view="unit"),
            "orders by order number": lambda: listing.list_orders(s, boss, tz=TZ, q=f"{T0 + dt.timedelta(minutes=79 * 123):%Y%m%d}-00123"),
            "orders by caller's number": lambda: listing.list_orders(s, boss, tz=TZ, q=probe[-6:]),
            # The search box's words: a rare matter and a common one (issue 18: the pairs' index).
            "orders by a rare phrase": lambda: listing.list_orders(s, boss, tz=TZ, q="流浪狗"),
            "orders by a common phrase": lambda: listing.list_orders(s, boss, tz=TZ, q="井盖丢失"),
        }
        found = {}
        for name, run in lists.items():
            with _Statements(runtime.engine) as st:
                out = run()
            assert st.seen, name
            found[name] = len(out["items"])
            conn = s.connection()
            for statement, parameters in st.seen:
                if _bounded(statement):
                    continue
                scans = _full_scans(conn, backend, statement, parameters)
                assert not scans, (name, scans, statement)
    # The lists found something: the plans are those of real work.
    assert [k for k in found if not found[k] and k != "active calls"] == [], found
