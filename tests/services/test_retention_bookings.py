"""Retention of hotel bookings (issue 18 point 3, R-S17) on both databases: a run anonymises the
bookings whose check-out date is past the period — the customer, the guests, the requests, the
history's read-backs, the SMS sent — and leaves a younger one as it was; the booking figures are
the same before and after."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from zongji.domain.retention import anonymise
from zongji.services import retention
from zongji.services.bookings.figures import figures
from zongji.settings import Settings
from zongji.store.booking_models import Booking, BookingEvent, BookingMessage, BookingRoom, Hotel
from zongji.store.retention_models import RetentionRun

NOW = dt.datetime(2026, 12, 4, 4, 0, tzinfo=dt.UTC)
CUTOFF = NOW - dt.timedelta(days=1095)


@pytest.fixture
def settings(db_url, tmp_path) -> Settings:
    return Settings(database_url=db_url, data_dir=tmp_path, retention_batch_rows=2)


def test_bookings_past_their_period_are_anonymised_and_figures_stay(write, session_factory, settings):
    with write() as s:
        hotel = Hotel(name="锦江宾馆", city="成都", phone="02888888888")
        s.add(hotel)
        s.flush()
        ids = {}
        for name, check_out in (("old", CUTOFF.date() - dt.timedelta(days=1)),
                                ("young", CUTOFF.date() + dt.timedelta(days=1))):
            made = CUTOFF - dt.timedelta(days=10)
            b = Booking(number=f"HB-{name}", kind="hotel", state="confirmed", customer_name="张三",
                        mobile="13800001111", caller_number="02866668888", hotel_id=hotel.id,
                        check_in=check_out - dt.timedelta(days=2), check_out=check_out,
                        special_requests="无烟房，高楼层", guest_names=["张三", "李四"], total_fen=76000,
                        created_by="王小红", created_at=made, updated_at=made)
            s.add(b)
            s.flush()
            s.add_all([BookingRoom(booking_id=b.id, position=0, room_type="大床房", count=1, nightly_fen=38000),
                       BookingEvent(booking_id=b.id, action="created", state="confirmed", by="王小红", at=made,
                                    read_back="张三先生，锦江宾馆大床房一间，手机13800001111", detail={"mobile": "13800001111"}),
                       BookingMessage(booking_id=b.id, kind="confirmed", key=f"k-{name}", mobile="13800001111",
                                      text="【预订】张三您好，锦江宾馆…", state="sent", due_at=made)])
            ids[name] = b.id
    days = ((CUTOFF - dt.timedelta(days=12)).date(), (CUTOFF - dt.timedelta(days=8)).date())
    with session_factory() as s:
        before = figures(s, settings, *days)
    key = retention.run(session_factory, settings, NOW, run_key="bk-1")
    with session_factory() as s:
        assert figures(s, settings, *days) == before
        b = {x.id: x for x in s.scalars(select(Booking))}
        old, young = b[ids["old"]], b[ids["young"]]
        assert (old.customer_name, old.mobile, old.special_requests, old.guest_names) == (
            anonymise.ERASED, anonymise.ERASED, "", [])
        assert anonymise.is_stand_in(old.caller_number)
        assert (old.hotel_id, old.check_out, old.total_fen, old.state) == (young.hotel_id, CUTOFF.date() - dt.timedelta(days=1),
                                                                        76000, "confirmed")
        assert (young.customer_name, young.mobile, young.guest_names) == ("张三", "13800001111", ["张三", "李四"])
        ev = {e.booking_id: e for e in s.scalars(select(BookingEvent))}
        assert (ev[ids["old"]].read_back, ev[ids["old"]].detail, ev[ids["old"]].action) == (None, None, "created")
        assert ev[ids["young"]].read_back.startswith("张三先生")
        sms = {m.booking_id: m for m in s.scalars(select(BookingMessage))}
        assert (sms[ids["old"]].mobile, sms[ids["old"]].text, sms[ids["old"]].state) == (anonymise.ERASED, None, "sent")
        assert sms[ids["young"]].mobile == "13800001111"
        assert s.scalar(select(RetentionRun.rows).where(RetentionRun.run_key == key, RetentionRun.kind == "bookings")) == 1
