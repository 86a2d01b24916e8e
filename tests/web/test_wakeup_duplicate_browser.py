"""Booking the same room and time twice on the wake-up board warns before it is saved (issue 8)."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from tests.web.browser_support import ARTIFACTS, logged_in

pytestmark = pytest.mark.browser


def test_second_wakeup_same_room_and_time_is_read_back_with_a_warning(demo_server, browser, backend,
                                                                       session_factory, settings):
    from playwright.sync_api import expect

    from zongji.store.models import Room, Stay
    from zongji.store.wakeup_models import Wakeup

    day = (dt.datetime.now(settings.tz) + dt.timedelta(days=1)).date()
    with session_factory() as s:
        busy = set(s.scalars(select(Wakeup.room_number)))
        rooms = s.scalars(select(Room.number).join(Stay, Stay.room_id == Room.id)
                          .where(Stay.status == "in_house", Stay.departure > dt.datetime.now(dt.UTC)
                                 + dt.timedelta(days=2))).all()
        room = next(r for r in rooms if r not in busy)
    context, page, errors = logged_in(browser, demo_server, "operator", "/wakeups")

    def book() -> None:
        page.fill("#wk-room", room)
        page.fill("#wk-time", "0313")
        page.fill("#wk-date", day.isoformat())
        page.locator("#wk-time").focus()
        page.keyboard.press("Enter")
        expect(page.locator("#wk-readback")).to_be_visible()

    book()
    expect(page.locator(".wk-dup-warn")).to_have_count(0)
    page.keyboard.press("Enter")
    expect(page.locator("#wk-readback")).to_be_hidden()

    book()
    warn = page.locator(".wk-dup-warn")
    expect(warn).to_contain_text("03:13")
    expect(warn).to_contain_text("已有")
    page.screenshot(path=str(ARTIFACTS / f"wakeup-duplicate-{backend}.png"))
    page.keyboard.press("Enter")  # confirmed after the warning: booked
    expect(page.locator("#wk-readback")).to_be_hidden()
    with session_factory() as s:
        n = len(s.scalars(select(Wakeup).where(Wakeup.room_number == room, Wakeup.status == "due")).all())
    assert n == 2
    assert errors == []
    context.close()
