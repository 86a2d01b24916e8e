"""Retention (issue 18 points 3 and 7) on both databases: a run deletes the feed rows, CTI events
and audit entries past their periods and anonymises the expired calls and closed work orders;
nothing younger is touched; every call and order statistic is the same before and after; the
report counts what was done."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from tests.retention_support import CALL_CUTOFF, NOW, NUMBERS, build, rows_of
from zongji.domain.retention import anonymise
from zongji.services import calls as calls_service
from zongji.services import retention
from zongji.services.retention import runs
from zongji.services.stats import aggregates, order_aggregates
from zongji.services.work_orders import listing
from zongji.settings import Settings
from zongji.store.models import AuditEntry, Call, CallEvent, FeedItem
from zongji.store.retention_models import RetentionRun
from zongji.store.work_order_models import Notification, WorkOrder, WorkOrderAttachment, WorkOrderEvent

DAY_FROM, DAY_TO = (CALL_CUTOFF - dt.timedelta(days=6)).date(), (CALL_CUTOFF + dt.timedelta(days=6)).date()
START = dt.datetime.combine(DAY_FROM, dt.time(0), tzinfo=dt.UTC) - dt.timedelta(days=1)
END = dt.datetime.combine(DAY_TO, dt.time(0), tzinfo=dt.UTC) + dt.timedelta(days=1)


@pytest.fixture
def settings(db_url, tmp_path) -> Settings:
    # Small batches, so a run takes many of them.
    return Settings(database_url=db_url, data_dir=tmp_path, retention_batch_rows=7)


def _statistics(s, settings) -> dict:
    out = {}
    for dim in aggregates.DIMS:
        for by in (("day",), ("slot", "line", "value")):
            out[("calls", dim, by)] = aggregates.read(s, settings, start=START, end=END, dim=dim, by=by)
    for dim in order_aggregates.DIMS:
        for by in (("day",), ("day", "line", "value")):
            out[("orders", dim, by)] = order_aggregates.read(s, settings, date_from=DAY_FROM, date_to=DAY_TO,
                                                             dim=dim, by=by)
    return out


def _fold_all(write, settings) -> None:
    while True:
        with write() as s:
            done = aggregates.fold(s, settings)["more"] == 0 and order_aggregates.fold(s, settings)["more"] == 0
        if done:
            return


def _held(s) -> set[int]:
    """Expired calls paired (transitively) by a callback — a missed inbound call, an answered
    outbound call to its number within the week after — with a call not yet expired."""
    rows = s.execute(select(Call.id, Call.direction, Call.calling_number, Call.called_number, Call.ringing_at,
                            Call.answered_at, Call.ended_at)).all()
    week = dt.timedelta(days=7)
    parent = {r.id: r.id for r in rows}

    def root(i):
        while parent[i] != i:
            i = parent[i]
        return i

    for m in rows:
        if m.direction == "in" and m.answered_at is None:
            for b in rows:
                if (b.direction == "out" and b.answered_at is not None and b.called_number == m.calling_number
                        and m.ringing_at < b.ringing_at <= m.ringing_at + week):
                    parent[root(m.id)] = root(b.id)
    def expired(r) -> bool:
        return r.ended_at is not None and r.ended_at < CALL_CUTOFF

    young_roots = {root(r.id) for r in rows if not expired(r)}
    return {r.id for r in rows if expired(r) and root(r.id) in young_roots}


def test_a_run_anonymises_and_deletes_only_the_expired_and_keeps_every_statistic(write, session_factory, settings, tmp_path):
    h = build(write, tmp_path)
    _fold_all(write, settings)
    with write() as s:
        before = _statistics(s, settings)
        held = _held(s)
        assert h.held_call in held
        anonymised_calls = h.expired_calls - held
        young_calls = rows_of(s, Call, h.young_calls | held)
        young_orders = rows_of(s, WorkOrder, h.young_orders | {h.open_old_order})
        young_events = rows_of(s, WorkOrderEvent, set(s.scalars(select(WorkOrderEvent.id).where(
            WorkOrderEvent.order_id.in_(h.young_orders | {h.open_old_order})))))
        kept_cti = rows_of(s, CallEvent, h.kept_events)
        old = rows_of(s, Call, anonymised_calls)
        distinct_before = len({r["calling_number"] for r in old.values()})
        feed_before = s.scalar(select(func.count()).select_from(FeedItem))
        audit_before = s.scalar(select(func.count()).select_from(AuditEntry))

    key = retention.run(session_factory, settings, NOW, run_key="t1")

    _fold_all(write, settings)
    with write() as s:
        # Nothing younger than the policy (or kept back) touched.
        assert rows_of(s, Call, h.young_calls | held) == young_calls
        assert rows_of(s, WorkOrder, h.young_orders | {h.open_old_order}) == young_orders
        assert rows_of(s, WorkOrderEvent, set(young_events)) == young_events
        assert rows_of(s, CallEvent, h.kept_events) == kept_cti
        assert s.scalar(select(func.count()).select_from(CallEvent).where(CallEvent.id.in_(h.gone_events))) == 0
        assert s.scalar(select(func.count()).select_from(FeedItem)) == feed_before - h.gone_feed
        assert s.scalar(select(func.count()).select_from(AuditEntry)) == audit_before - h.gone_audit
        assert all(r.at >= NOW - dt.timedelta(hours=48) for r in s.scalars(select(FeedItem)))

        # The expired calls: no number, name or note left; the rest as it was.
        after = rows_of(s, Call, anonymised_calls)
        assert set(after) == anonymised_calls
        for cid, row in after.items():
            assert anonymise.is_stand_in(row["calling_number"]) and anonymise.is_stand_in(row["called_number"])
            assert row["caller_label"] is None and row["notes"] is None
            assert row["transfer_target"] is None or anonymise.is_stand_in(row["transfer_target"])
            kept = {k: v for k, v in row.items() if k not in anonymise.CALL_NUMBER_FIELDS + anonymise.CALL_ERASED_FIELDS}
            assert kept == {k: v for k, v in old[cid].items() if k in kept}
        assert len({r["calling_number"] for r in after.values()}) == distinct_before
        # Nor can the call log find them by the real number: its search keys (the digits) are gone.
        for cid, row in after.items():
            assert (row["calling_digits"], row["calling_digits_rev"], row["called_digits"]) == (None, None, None)
        real = sorted({r["calling_number"] for r in old.values()} & {r["calling_number"] for r in young_calls.values()})[0]
        found = {c["id"] for c in calls_service.list_calls(s, calls_service.CallFilter(number=real), tz=dt.UTC,
                                                           page_size=200)["items"]}
        assert found and not found & anonymised_calls  # the young calls of that number only

        # The expired orders: personal fields, notes, notices and attachments gone.
        for o in s.scalars(select(WorkOrder).where(WorkOrder.id.in_(h.expired_orders))):
            assert anonymise.is_stand_in(o.caller_number) and o.caller_name is None and o.place is None
            assert o.description == "" and o.findings is None and o.latitude is None
            # Not found by the search box any more: no digits of the number, no pairs of the name.
            assert (o.caller_digits, o.caller_digits_rev, o.search_terms) == (None, None, "")
        for q in ("王女士", "幸福路", "夜间施工", NUMBERS[0], NUMBERS[0][-4:]):
            hits = set(s.scalars(select(WorkOrder.id).where(listing.search_condition(s, q))))
            assert hits and not hits & h.expired_orders, q  # the young orders only
        assert not any(s.scalars(select(WorkOrderEvent.note).where(WorkOrderEvent.order_id.in_(h.expired_orders))))
        assert not any(s.scalars(select(Notification.body).where(Notification.order_id.in_(h.expired_orders))))
        assert s.scalar(select(func.count()).select_from(WorkOrderAttachment).where(
            WorkOrderAttachment.order_id.in_(h.expired_orders))) == 0
        assert not any(p.exists() for p in h.attachment_files)

        # Every statistic as before, folded and recounted from the raw rows.
        assert _statistics(s, settings) == before
        aggregates.rebuild(s, settings, DAY_FROM, DAY_TO)
        order_aggregates.rebuild(s, settings, DAY_FROM, DAY_TO)
    with write() as s:
        assert _statistics(s, settings) == before

        # The report: one row per kind, counting what was done.
        report = {r["kind"]: r for r in runs.list_runs(s, limit=20) if r["run"] == key}
        assert {k: r["rows"] for k, r in report.items()} == {
            "feed": h.gone_feed, "call_events": len(h.gone_events), "audit": h.gone_audit,
            "calls": len(anonymised_calls), "work_orders": len(h.expired_orders),
            "intake": 0, "messages": 0, "wakeups": 0, "bookings": 0, "meetings": 0, "flights": 0,
            "guest_service": 0, "call_charges": 0, "lost_items": 0}
        assert report["calls"]["action"] == "anonymise" and report["feed"]["action"] == "delete"
        assert report["calls"]["batches"] > 3 and all(r["finished_at"] for r in report.values())
        assert dt.datetime.fromisoformat(report["calls"]["cutoff"]) == CALL_CUTOFF


def test_a_second_run_changes_nothing_and_the_callback_waits_for_its_call(write, session_factory, settings, tmp_path):
    h = build(write, tmp_path, seed=7)
    retention.run(session_factory, settings, NOW, run_key="first")
    with write() as s:
        snapshot = {m: rows_of(s, m, set(s.scalars(select(m.id)))) for m in (Call, WorkOrder, CallEvent)}
        assert not anonymise.is_stand_in(s.get(Call, h.held_call).calling_number)
        starts = {r.kind: r.resume_from for r in s.scalars(select(RetentionRun))}
        assert starts["calls"] > 0 and starts["calls"] < h.held_call
    retention.run(session_factory, settings, NOW, run_key="second")
    with write() as s:
        assert {m: rows_of(s, m, set(s.scalars(select(m.id)))) for m in (Call, WorkOrder, CallEvent)} == snapshot
        second = {r["kind"]: r["rows"] for r in runs.list_runs(s) if r["run"] == "second"}
        assert second == {"feed": 0, "call_events": 0, "audit": 0, "calls": 0, "work_orders": 0, "intake": 0,
                          "messages": 0, "wakeups": 0, "bookings": 0, "meetings": 0, "flights": 0,
                          "guest_service": 0, "call_charges": 0, "lost_items": 0}
    # A week later the callback has expired too: both get the same stand-in.
    retention.run(session_factory, settings, NOW + dt.timedelta(days=8), run_key="later")
    with write() as s:
        missed = s.get(Call, h.held_call)
        back = s.scalar(select(Call).where(Call.direction == "out", Call.ringing_at > missed.ringing_at,
                                           Call.ringing_at <= missed.ringing_at + dt.timedelta(hours=2)))
        assert anonymise.is_stand_in(missed.calling_number) and missed.calling_number == back.called_number
