"""The wake-up board in headless Chromium against a real server (SQLite and PostgreSQL).

The demo operator books a wake-up from the keyboard (room, time, Enter to hear the read-back,
Enter to confirm), sees it on the night list, sees a refusal put the cursor on the wrong field,
then — without a reload — sees the wake-up escalate to the manual call list with a red alert
when the telephony is down, and records the guest reached. Screenshots in test-artifacts/.
"""

from __future__ import annotations

import datetime as dt

import pytest

from tests.web.browser_support import ARTIFACTS, logged_in

pytestmark = [pytest.mark.browser, pytest.mark.both_databases]



def _shot(page, name: str, backend: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"wakeups-{backend}-{name}.png"))


def test_book_a_wakeup_and_watch_it_escalate(demo_server, browser, backend, write, settings,
                                            session_factory):
    from playwright.sync_api import expect

    from zongji.services import wakeups as svc
    from zongji.store.models import Guest, Organisation, Room, Stay, utcnow
    from zongji.store.wakeup_models import Wakeup

    now = utcnow()
    with write() as s:
        org = s.query(Organisation).filter(Organisation.kind == "hotel").first()
        room = Room(organisation_id=org.id, number="1808", floor=18, extension="81808")
        s.add(room)
        s.flush()
        g = Guest(organisation_id=org.id, name="测试客人")
        s.add(g)
        s.flush()
        s.add(Stay(guest_id=g.id, room_id=room.id, arrival=now - dt.timedelta(days=1),
                   departure=now + dt.timedelta(days=2), status="in_house"))
    wake = (now + dt.timedelta(hours=2)).astimezone(settings.tz).replace(second=0, microsecond=0)

    base = demo_server
    context, page, errors = logged_in(browser, base, "operator", "/wakeups")
    expect(page.locator("#wk-room")).to_be_focused()

    # A refusal names the field: an unknown room puts the cursor back in the room box.
    page.keyboard.type("9999")
    page.keyboard.press("Tab")
    page.keyboard.type("0700")
    page.keyboard.press("Enter")
    expect(page.locator(".toast.error", has_text="没有这个房号")).to_be_visible()
    expect(page.locator("#wk-room")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#wk-room")).to_be_focused()

    # Room, time, date; Enter reads back; Enter confirms.
    page.fill("#wk-room", "1808")
    page.fill("#wk-time", wake.strftime("%H%M"))
    page.fill("#wk-date", wake.date().isoformat())
    page.fill("#wk-note", "怕吵，轻敲")
    page.locator("#wk-time").focus()
    page.keyboard.press("Enter")
    expect(page.locator("#wk-readback")).to_be_visible()
    expect(page.locator("#wk-rb-zh")).to_contain_text("1808房间")
    expect(page.locator("#wk-rb-en")).to_contain_text("Room 1808")
    _shot(page, "01-readback", backend)
    page.keyboard.press("Enter")
    expect(page.locator("#wk-readback")).to_be_hidden()
    page.fill("#wk-day", wake.date().isoformat())
    page.locator("#wk-day").dispatch_event("change")
    row = page.locator("#wk-table tbody tr", has_text="1808")
    expect(row).to_have_count(1)
    expect(row).to_contain_text(wake.strftime("%H:%M"))
    expect(row.locator(".badge")).to_have_attribute("data-status", "due")
    expect(row).to_contain_text("怕吵")
    _shot(page, "02-booked", backend)

    with session_factory() as s:
        w = s.query(Wakeup).filter(Wakeup.room_number == "1808").one()
        assert (w.booked_by, w.readback_confirmed, w.channel) == ("user:operator", True, "console")
        wid = w.id

    # Telephony down at the wake-up time: manual call list and a red alert, no reload.
    page.evaluate("window.__same = 1")
    with write() as s:
        w = s.get(Wakeup, wid)
        svc.escalate_telephony_down(s, now=w.wake_at, settings=settings, reason="gateway down",
                                    first=w)
    expect(row.locator(".badge")).to_have_attribute("data-status", "escalated", timeout=10000)
    expect(page.locator("#wk-manual")).to_be_visible()
    expect(page.locator("#wk-manual-rows")).to_contain_text("1808")
    expect(page.locator("#wk-alert-bar")).to_contain_text("1808")
    assert page.evaluate("window.__same") == 1
    _shot(page, "03-manual-call-list", backend)

    # The operator phoned the room: guest awake, minutes late recorded, list cleared.
    manual_row = page.locator("#wk-manual-rows tr", has_text="1808")
    # Nobody answering would go to the floor staff (tests/api/test_wakeup_manual_api.py).
    expect(manual_row.locator("button[data-act=no-answer]")).to_have_text("无人接听 → 派楼层服务员")
    manual_row.locator("button.btn-primary").click()
    expect(row.locator(".badge")).to_have_attribute("data-status", "done")
    expect(page.locator("#wk-manual")).to_be_hidden()
    expect(page.locator("#wk-alert-bar")).to_have_count(0)  # resolved: the alert goes
    with session_factory() as s:
        w = s.get(Wakeup, wid)
        assert (w.reached_by, w.minutes_late) == ("operator", 0)

    # English.
    page.locator(".lang-switch button[data-lang=en]").click()
    expect(page.locator("#wk-board-h")).to_have_text("Wake-up list")
    expect(row.locator(".badge")).to_have_text("Done")
    _shot(page, "04-english", backend)
    assert errors == []
