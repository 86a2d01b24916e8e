"""The retention policy and the numbers' keyed stand-ins (issue 18 point 3). Pure."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from zongji.domain.retention import anonymise, policy
from zongji.domain.retention.policy import Action, Kind

NOW = dt.datetime(2026, 12, 4, 4, 0, tzinfo=dt.UTC)


def test_periods_actions_and_order():
    rules = policy.rules(feed_hours=48, call_events_days=30, audit_days=1095, calls_days=1095, work_orders_days=1095,
                          intake_days=1095, messages_days=1095, wakeups_days=1095,
                          bookings_days=1095, meetings_days=1095, flights_days=1095, guest_service_days=1095,
                          call_charges_days=1095, lost_items_days=1095)
    assert [r.kind for r in rules] == list(policy.ORDER)
    by = {r.kind: r for r in rules}
    assert policy.cutoff(by[Kind.FEED], NOW) == NOW - dt.timedelta(hours=48)
    assert policy.cutoff(by[Kind.CALLS], NOW) == NOW - dt.timedelta(days=1095)
    assert by[Kind.CALLS].action == by[Kind.WORK_ORDERS].action == Action.ANONYMISE
    assert by[Kind.FEED].action == by[Kind.CALL_EVENTS].action == by[Kind.AUDIT].action == Action.DELETE
    assert policy.next_kind(Kind.WORK_ORDERS) == Kind.INTAKE and policy.next_kind(Kind.LOST_ITEMS) is None
    assert policy.next_kind(Kind.FEED) == Kind.CALL_EVENTS
    assert by[Kind.INTAKE].action == Action.ANONYMISE
    assert policy.next_kind(Kind.BOOKINGS) == Kind.MEETINGS and policy.next_kind(Kind.MEETINGS) == Kind.FLIGHTS
    assert policy.next_kind(Kind.FLIGHTS) == Kind.GUEST_SERVICE
    assert policy.next_kind(Kind.GUEST_SERVICE) == Kind.CALL_CHARGES
    assert policy.next_kind(Kind.CALL_CHARGES) == Kind.LOST_ITEMS
    assert by[Kind.CALL_CHARGES].action == by[Kind.LOST_ITEMS].action == Action.ANONYMISE
    with pytest.raises(ValueError):
        policy.rules(feed_hours=1, call_events_days=30, audit_days=1, calls_days=1, work_orders_days=1, intake_days=1,
                      messages_days=1, wakeups_days=1, bookings_days=1, meetings_days=1, flights_days=1,
                      guest_service_days=1, call_charges_days=0, lost_items_days=1)
    assert by[Kind.MEETINGS].action == by[Kind.FLIGHTS].action == Action.ANONYMISE
    assert policy.cutoff(by[Kind.FLIGHTS], NOW) == NOW - dt.timedelta(days=1095)
    with pytest.raises(ValueError):
        policy.rules(feed_hours=0, call_events_days=30, audit_days=1, calls_days=1, work_orders_days=1, intake_days=1,
                      messages_days=1, wakeups_days=1, bookings_days=1, meetings_days=1, flights_days=1,
                      guest_service_days=1, call_charges_days=1, lost_items_days=1)
    with pytest.raises(ValueError):
        policy.cutoff(by[Kind.FEED], NOW.replace(tzinfo=None))


def test_next_run_is_todays_if_still_ahead_else_tomorrows():
    tz = ZoneInfo("Asia/Shanghai")
    at = dt.time(3, 30)
    early = dt.datetime(2026, 12, 4, 3, 0, tzinfo=tz)
    assert policy.next_run(early, at, tz) == (dt.date(2026, 12, 4), dt.datetime(2026, 12, 3, 19, 30, tzinfo=dt.UTC))
    assert policy.next_run(early.replace(hour=3, minute=30), at, tz)[0] == dt.date(2026, 12, 5)


def test_stand_ins_are_keyed_stable_and_never_applied_twice():
    a = anonymise.stand_in("13800001111", b"k1")
    assert a == anonymise.stand_in("13800001111", b"k1") and a.startswith(anonymise.PREFIX)
    assert a != anonymise.stand_in("13800001112", b"k1") and a != anonymise.stand_in("13800001111", b"k2")
    assert "13800001111" not in a and anonymise.stand_in(a, b"k1") == a
    assert anonymise.stand_in(None, b"k1") is None and anonymise.stand_in("", b"k1") == ""
    with pytest.raises(ValueError):
        anonymise.stand_in("1", b"")


def test_changes_erase_personal_fields_only():
    row = {"calling_number": "138", "called_number": "12345", "transfer_target": None, "caller_label": "王先生",
           "caller_title": None, "caller_ref_id": 7, "notes": "住址", "category": "noise"}
    changes = anonymise.call_changes(row, b"k")
    assert set(changes) == {"calling_number", "called_number", "caller_label", "caller_ref_id", "notes"}
    assert anonymise.call_changes({**row, **changes}, b"k") == {}
    order = {"caller_number": "139", "caller_name": "李", "description": "噪音", "place": None, "status": "closed"}
    assert anonymise.order_changes(order, b"k").keys() == {"caller_number", "caller_name", "description"}


def test_meeting_and_flight_changes_keep_the_figures_fields():
    meeting = {"contact": "张三", "mobile": "13800001111", "needs": "投影仪", "reason": None, "status": "refused"}
    new = anonymise.changes(meeting, b"k", stand_ins=anonymise.MEETING_STAND_IN_FIELDS,
                            marked=anonymise.MEETING_MARKED_FIELDS, emptied=anonymise.MEETING_EMPTIED_FIELDS,
                            erased=anonymise.MEETING_ERASED_FIELDS)
    assert new == {"contact": anonymise.ERASED, "mobile": anonymise.stand_in("13800001111", b"k"), "needs": ""}
    assert len(new["mobile"]) <= 30  # meeting_bookings.mobile / flight_bookings.mobile: String(30)
    flight = {"customer": "李四", "mobile": "13800001111", "delivery_address": "春熙路1号", "status": "booked"}
    new = anonymise.changes(flight, b"k", stand_ins=anonymise.FLIGHT_STAND_IN_FIELDS,
                            marked=anonymise.FLIGHT_MARKED_FIELDS, erased=anonymise.FLIGHT_ERASED_FIELDS)
    assert set(new) == {"customer", "mobile", "delivery_address"} and new["delivery_address"] is None
    assert anonymise.changes({**flight, **new}, b"k", stand_ins=anonymise.FLIGHT_STAND_IN_FIELDS,
                             marked=anonymise.FLIGHT_MARKED_FIELDS, erased=anonymise.FLIGHT_ERASED_FIELDS) == {}
