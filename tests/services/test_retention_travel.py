"""Retention of meeting and flight bookings (issue 18 point 3, R-S17) on both databases: a run
anonymises the meeting bookings over (paid, refused, cancelled) whose last day is past the
period — the contact, the mobile, the needs, the reason — and the flight bookings whose last
flight date is past it — the customer, the mobile, the delivery address, the passengers' names and
ID numbers, the history's read-backs; a younger or still open booking is left byte for byte as it
was; the meeting and flight figures are the same before and after; a second run changes nothing."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from tests.retention_support import rows_of
from zongji.domain.retention import anonymise
from zongji.services import retention
from zongji.services.bookings import flights, meetings
from zongji.services.retention import runs
from zongji.settings import Settings
from zongji.store.retention_models import RetentionRun
from zongji.store.travel_models import FlightBooking, FlightBookingEvent, FlightPassenger, MeetingBooking

NOW = dt.datetime(2026, 12, 4, 4, 0, tzinfo=dt.UTC)
CUTOFF = NOW - dt.timedelta(days=1095)
DAY = CUTOFF.date()
MADE = CUTOFF - dt.timedelta(days=40)
MOBILE = "13800001111"
MODELS = (MeetingBooking, FlightBooking, FlightPassenger, FlightBookingEvent)
MEETING_PERSONAL = ("contact", "mobile", "needs", "reason")
FLIGHT_PERSONAL = ("customer", "mobile", "delivery_address")
PASSENGER_PERSONAL = ("name", "id_number", "id_erased_at")


@pytest.fixture
def settings(db_url, tmp_path) -> Settings:
    # Batches of two: a run walks each table in several.
    return Settings(database_url=db_url, data_dir=tmp_path, retention_batch_rows=2)


def _days(n: int) -> dt.date:
    return DAY + dt.timedelta(days=n)


def _meeting(s, name: str, end: int, status: str, made: int, reason: str | None = None) -> int:
    at = MADE + dt.timedelta(days=made)
    m = MeetingBooking(hotel_name="锦江宾馆", kind="conference", needs="投影仪，茶歇；联系人张三 13800001111",
                       start_date=_days(end - 1), end_date=_days(end), attendees=40, rooms=12, budget_fen=5_000_000,
                       contact="张三", mobile=MOBILE, status=status,
                       quote={"lines": [["会议室", 2, 1_200_000]], "total_fen": 2_400_000},
                       total_fen=2_400_000, deposit_fen=720_000, hotel_confirmation=f"JJ-{name}",
                       confirmed_at=at + dt.timedelta(days=1) if status != "refused" else None,
                       deposit_due_at=at + dt.timedelta(days=3) if status != "refused" else None,
                       deposit_paid_at=at + dt.timedelta(days=2) if status == "deposit_paid" else None,
                       reason=reason, operator="user:wang", created_at=at, updated_at=at)
    s.add(m)
    s.flush()
    return m.id


def _flight(s, name: str, departure: int, made: int, *, back: int | None = None, status: str = "booked",
            erased: bool = False) -> int:
    at = MADE + dt.timedelta(days=made)
    b = FlightBooking(customer="李四", mobile=MOBILE, from_city="成都", to_city="北京", flight_number="CA4101",
                      departure_date=_days(departure), departure_time="08:30",
                      trip="return" if back is not None else "one_way",
                      return_date=_days(back) if back is not None else None,
                      return_time="19:00" if back is not None else None,
                      payment="on_delivery", delivery_address="成都市锦江区春熙路1号", status=status,
                      operator="user:wang", created_at=at, ids_erase_at=at + dt.timedelta(days=60))
    b.passengers = [FlightPassenger(position=i, name=n, id_kind="id_card",
                                    id_number=None if erased else f"51010419900101{i:03d}X",
                                    id_erased_at=at + dt.timedelta(days=50) if erased else None)
                    for i, n in enumerate(("李四", "王五"))]
    b.events = [FlightBookingEvent(action="created", status="booked", read_back=f"李四，成都飞北京，{name}，身份证尾号001X",
                                   by="王小红", at=at)]
    if status == "cancelled":
        b.events.append(FlightBookingEvent(action="cancelled", status="cancelled", reason="行程取消",
                                           read_back="李四，取消成都飞北京", by="王小红", at=at + dt.timedelta(hours=1)))
    s.add(b)
    s.flush()
    return b.id


def _build(write) -> dict[str, int]:
    """Ids in the order they were taken (an id follows the time of taking, not the date booked)."""
    with write() as s:
        return {
            "m_paid": _meeting(s, "paid", -1, "deposit_paid", 0),
            "m_open": _meeting(s, "open", -1, "hotel_confirmed", 1),  # old, but its deposit still unpaid
            "m_refused": _meeting(s, "refused", -5, "refused", 2, reason="酒店满房，张三另订"),
            "m_edge": _meeting(s, "edge", 0, "cancelled", 3, reason="客户改期"),  # ends on the cut-off's day
            "m_young": _meeting(s, "young", 1, "deposit_paid", 4),
            "f_one_way": _flight(s, "one_way", -1, 0, erased=True),  # ID numbers erased by the 30-day job
            "f_back_young": _flight(s, "back_young", -10, 1, back=2),  # flies back after the cut-off
            "f_return": _flight(s, "return", -10, 2, back=-1),  # ID numbers not erased yet
            "f_cancelled": _flight(s, "cancelled", -3, 3, status="cancelled"),
            "f_young": _flight(s, "young", 1, 4),
        }


def _figures(s, settings) -> list[dict]:
    start, end = (MADE - dt.timedelta(days=1)).date(), (MADE + dt.timedelta(days=6)).date()
    return meetings.figures(s, settings.tz, start, end) + flights.figures(s, settings.tz, start, end)


def _children(s, model, booking_ids: set[int]) -> dict[int, dict]:
    return rows_of(s, model, set(s.scalars(select(model.id).where(model.booking_id.in_(booking_ids)))))


def _all_rows(s) -> dict:
    return {m: rows_of(s, m, set(s.scalars(select(m.id)))) for m in MODELS}


def _kept(row: dict, personal: tuple[str, ...]) -> dict:
    return {k: v for k, v in row.items() if k not in personal}


def test_expired_meeting_and_flight_bookings_are_anonymised_and_the_figures_stay(write, session_factory, settings):
    ids = _build(write)
    old_meetings = {ids["m_paid"], ids["m_refused"]}
    kept_meetings = {ids["m_open"], ids["m_edge"], ids["m_young"]}
    old_flights = {ids["f_one_way"], ids["f_return"], ids["f_cancelled"]}
    kept_flights = {ids["f_back_young"], ids["f_young"]}
    with session_factory() as s:
        figures_before = _figures(s, settings)
        assert sum(r["count"] for r in figures_before) == 10
        before = _all_rows(s)
        kept_passengers = _children(s, FlightPassenger, kept_flights)
        kept_events = _children(s, FlightBookingEvent, kept_flights)

    key = retention.run(session_factory, settings, NOW, run_key="tr-1")

    with session_factory() as s:
        assert _figures(s, settings) == figures_before
        after = _all_rows(s)
        # Younger, still open, or ending on the cut-off's day: byte for byte as they were.
        assert {i: after[MeetingBooking][i] for i in kept_meetings} == {i: before[MeetingBooking][i] for i in kept_meetings}
        assert {i: after[FlightBooking][i] for i in kept_flights} == {i: before[FlightBooking][i] for i in kept_flights}
        assert _children(s, FlightPassenger, kept_flights) == kept_passengers
        assert _children(s, FlightBookingEvent, kept_flights) == kept_events

        # Expired meetings: no name, number, needs or reason left; hotel, dates, money, states as they were.
        for i in old_meetings:
            new, old = after[MeetingBooking][i], before[MeetingBooking][i]
            assert (new["contact"], new["needs"], new["reason"]) == (anonymise.ERASED, "", None)
            assert anonymise.is_stand_in(new["mobile"]) and MOBILE not in new["mobile"]
            assert _kept(new, MEETING_PERSONAL) == _kept(old, MEETING_PERSONAL)
        assert after[MeetingBooking][ids["m_paid"]]["mobile"] == after[MeetingBooking][ids["m_refused"]]["mobile"]
        assert {m.id for m in meetings.search(s, q="张三")} == kept_meetings
        assert {m.id for m in meetings.search(s, q=MOBILE)} == kept_meetings

        # Expired flights: the customer, the mobile, the address, the passengers and read-backs gone.
        for i in old_flights:
            new, old = after[FlightBooking][i], before[FlightBooking][i]
            assert (new["customer"], new["delivery_address"]) == (anonymise.ERASED, None)
            assert anonymise.is_stand_in(new["mobile"]) and new["mobile"] == after[MeetingBooking][ids["m_paid"]]["mobile"]
            assert _kept(new, FLIGHT_PERSONAL) == _kept(old, FLIGHT_PERSONAL)
        passengers = _children(s, FlightPassenger, old_flights)
        assert len(passengers) == 6
        for p_id, p in passengers.items():
            assert (p["name"], p["id_number"]) == (anonymise.ERASED, None)
            assert _kept(p, PASSENGER_PERSONAL) == _kept(before[FlightPassenger][p_id], PASSENGER_PERSONAL)
        erased_at = {p.booking_id: p.id_erased_at for p in s.scalars(
            select(FlightPassenger).where(FlightPassenger.booking_id.in_(old_flights)))}
        # Already erased by the 30-day job: its time kept; erased now: the run's time.
        assert erased_at[ids["f_one_way"]] == before[FlightPassenger][min(
            i for i, p in before[FlightPassenger].items() if p["booking_id"] == ids["f_one_way"])]["id_erased_at"]
        assert erased_at[ids["f_return"]] == erased_at[ids["f_cancelled"]] == NOW
        events = _children(s, FlightBookingEvent, old_flights)
        assert len(events) == 4 and all(e["read_back"] is None and e["reason"] is None for e in events.values())
        assert all(_kept(e, ("read_back", "reason")) == _kept(before[FlightBookingEvent][i], ("read_back", "reason"))
                   for i, e in events.items())
        assert {b.id for b in flights.search(s, q="李四")} == kept_flights
        assert {b.id for b in flights.search(s, q="王五")} == kept_flights

        report = {r.kind: r for r in s.scalars(select(RetentionRun).where(RetentionRun.run_key == key))}
        assert (report["meetings"].rows, report["flights"].rows) == (2, 3)
        assert report["meetings"].action == report["flights"].action == "anonymise"
        assert report["meetings"].batches >= 3 and report["flights"].batches >= 3
        assert report["meetings"].cutoff == report["flights"].cutoff == CUTOFF

    # A second run: nothing left to change.
    retention.run(session_factory, settings, NOW, run_key="tr-2")
    with session_factory() as s:
        assert _all_rows(s) == after
        assert _figures(s, settings) == figures_before
        second = {r["kind"]: r["rows"] for r in runs.list_runs(s) if r["run"] == "tr-2"}
        assert (second["meetings"], second["flights"]) == (0, 0)


def test_a_meeting_kept_open_is_anonymised_once_it_is_over(write, session_factory, settings):
    """The walk resumes at the first booking it kept back, so a meeting paid later is found."""
    ids = _build(write)
    retention.run(session_factory, settings, NOW, run_key="tr-a")
    with write() as s:
        m = s.get(MeetingBooking, ids["m_open"])
        assert m.contact == "张三"
        m.status, m.deposit_paid_at = "deposit_paid", NOW
    key = retention.run(session_factory, settings, NOW + dt.timedelta(days=1), run_key="tr-b")
    with session_factory() as s:
        m = s.get(MeetingBooking, ids["m_open"])
        assert (m.contact, m.needs, m.status) == (anonymise.ERASED, "", "deposit_paid")
        # A day later the meeting on the cut-off's day has expired too (cancelled).
        assert s.get(MeetingBooking, ids["m_edge"]).contact == anonymise.ERASED
        assert s.get(MeetingBooking, ids["m_young"]).contact == "张三"
        assert s.scalar(select(RetentionRun.rows).where(RetentionRun.run_key == key,
                                                        RetentionRun.kind == "meetings")) == 2
