"""The guest-service centre's rules (issue 13): request timing against the target (R-G6), the
roster's shifts and floors (R-G1), loans (R-G2), the centre's records (R-G4) and what a viewer
sees of a request's room (R-H4)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from zongji.domain.guestsvc import catalogue, loans, privacy, records, requests, roster

TZ = ZoneInfo("Asia/Shanghai")
T0 = dt.datetime(2026, 12, 4, 9, 0, tzinfo=TZ)


def test_a_request_is_due_soon_before_its_target_and_late_after_it():
    at = lambda m: T0 + dt.timedelta(minutes=m)  # noqa: E731
    assert requests.alert_at(T0, 10, 3) == at(7)
    assert requests.timing(T0, 10, 3, at(6)) == requests.Timing.OK
    assert requests.timing(T0, 10, 3, at(7)) == requests.Timing.DUE_SOON
    assert requests.timing(T0, 10, 3, at(10)) == requests.Timing.DUE_SOON
    assert requests.timing(T0, 10, 3, at(11)) == requests.Timing.LATE
    # Done in time stays ok however long ago; done after the target stays late.
    assert requests.timing(T0, 10, 3, at(600), done_at=at(9)) == requests.Timing.OK
    assert requests.timing(T0, 10, 3, at(600), done_at=at(12)) == requests.Timing.LATE
    # A warning longer than the target alerts at once, never before the request was made.
    assert requests.alert_at(T0, 2, 5) == T0
    assert requests.age_minutes(T0, at(9.9)) == 9


def test_states_and_follow_up():
    assert requests.next_state("open", "accept") == "accepted"
    assert requests.next_state("accepted", "done") == "done"
    with pytest.raises(requests.RequestError) as e:
        requests.next_state("done", "accept")
    assert e.value.field == "state"
    with pytest.raises(requests.RequestError):
        requests.check_follow_up("accepted", "satisfied", False)
    with pytest.raises(requests.RequestError) as e:
        requests.check_follow_up("done", "satisfied", True)
    assert e.value.code == "already_followed_up"
    assert requests.check_follow_up("done", "not_satisfied", False) == requests.FollowUp.NOT_SATISFIED


def test_laundry_same_day_before_the_cutoff_and_dishes_reminder():
    cutoff, deliver = dt.time(10, 0), dt.time(18, 0)
    assert requests.laundry_deliver_by(T0, cutoff, deliver) == dt.datetime(2026, 12, 4, 18, 0, tzinfo=TZ)
    late = T0.replace(hour=10, minute=1)
    assert requests.laundry_deliver_by(late, cutoff, deliver) == dt.datetime(2026, 12, 5, 18, 0, tzinfo=TZ)
    assert requests.dishes_due(T0, 60) == T0 + dt.timedelta(hours=1)


def test_floors_and_shifts():
    assert roster.parse_floors("3-5，7") == (3, 4, 5, 7)
    assert roster.floors_text((7, 3, 4, 5)) == "3-5,7"
    for bad in ("", "5-3", "a"):
        with pytest.raises(roster.RosterError):
            roster.parse_floors(bad)
    starts = roster.shift_starts("07:00,15:00,23:00")
    slot = lambda t: (roster.shift_at(t, starts).day, roster.shift_at(t, starts).index)  # noqa: E731
    assert slot(T0) == (T0.date(), 0)
    assert slot(T0.replace(hour=16)) == (T0.date(), 1)
    night = roster.shift_at(T0.replace(hour=2), starts)
    assert (night.day, night.index) == (T0.date() - dt.timedelta(days=1), 2)
    assert night.ends_at == T0.replace(hour=7)
    covers = [roster.Cover(1, (3, 4)), roster.Cover(2, (5,))]
    assert roster.attendant_for(5, covers) == 2 and roster.attendant_for(9, covers) is None


def test_catalogue_item_checks():
    ok = catalogue.check_item(catalogue.ItemSpec(" 加床 ", "", "housekeeping", "service", True, 30))
    assert ok.name_zh == "加床" and ok.name_en == "加床"
    with pytest.raises(catalogue.CatalogueError) as e:
        catalogue.check_item(catalogue.ItemSpec("x", "", "spa", "service", False, 10))
    assert e.value.field == "team"
    assert catalogue.routed_to_attendant("laundry") and not catalogue.routed_to_attendant("fnb")


def test_loans_due_back_never_after_departure_and_what_is_still_out():
    departure = T0 + dt.timedelta(hours=5)
    assert loans.due_back(T0, 24, departure) == departure
    assert loans.due_back(T0, 2, departure) == T0 + dt.timedelta(hours=2)
    out = [loans.Loan(1, "转换插头", 1, T0, None), loans.Loan(2, "熨斗", 1, T0, T0)]
    assert [x.ref for x in loans.still_out(out)] == [1]
    assert [x.ref for x in loans.overdue(out, T0)] == [1]
    with pytest.raises(loans.LoanError):
        loans.check_return(T0, "ok")
    with pytest.raises(loans.LoanError):
        loans.check_return(None, "lost")


def test_keys_at_shift_end_and_lost_and_found():
    end = T0 + dt.timedelta(hours=6)
    k = [records.KeyIssue(1, "12F", "李", T0, end, None), records.KeyIssue(2, "15F", "王", T0, end, end)]
    assert records.unreturned_at_shift_end(k, end - dt.timedelta(minutes=1)) == []
    assert [x.ref for x in records.unreturned_at_shift_end(k, end)] == [1]
    after = records.disposal_date(T0.date(), 90)
    assert after == dt.date(2027, 3, 4)
    with pytest.raises(records.RecordError) as e:
        records.check_lost_item_closing(None, True, False, T0.date(), after)
    assert e.value.code == "too_early"
    with pytest.raises(records.RecordError):
        records.check_lost_item_closing("", False, False, T0.date(), after)
    records.check_lost_item_closing(None, True, False, after, after)


def test_a_request_made_from_a_guests_mobile_never_shows_its_room_to_an_operator():
    rec = {"id": 1, "room": "1206", "floor": 12, "addressed": "guest", "stay_id": 9, "item": "毛巾"}
    op = privacy.view("operator", False, rec)
    assert "room" not in op and "floor" not in op and op["room_shown"] is False and "stay_id" not in op
    # The centre's staff and the attendants serve the room; leaders see rooms anyway.
    assert privacy.view("unit_handler", True, rec)["room"] == "1206"
    assert privacy.view("shift_leader", False, rec)["room"] == "1206"
    # Addressed by room (the guest called from it, or the centre typed it): the room is shown.
    assert privacy.view("operator", False, {**rec, "addressed": "room"})["room"] == "1206"


def test_the_centres_live_messages_reach_its_handlers_and_the_consoles_only():
    from zongji.domain.live_feed import Viewer, may_receive

    msg = {"topic": "guest_request", "payload": {"id": 1, "state": "open", "unit_id": 7}}
    assert may_receive(Viewer(user_id=1, role="unit_handler", unit_id=7), msg)
    assert not may_receive(Viewer(user_id=2, role="unit_handler", unit_id=8), msg)
    assert may_receive(Viewer(user_id=3, role="operator"), msg)
