"""The room board (/rooms) in headless Chromium against a real server (SQLite and PostgreSQL).

The demo operator jumps to a room by typing its number, books a wake-up from the keyboard
(W → time → Tab, Space: every day until check-out → greeting languages → Enter → read-back with
repeat and languages → Enter), sees it on the room's tile and on /wakeups; sets DND with D (by room); sees a change made elsewhere (an escalated wake-up) arrive live. The operator never sees a
guest name on the board; the shift leader does. Screenshots in test-artifacts/.
"""

from __future__ import annotations

import datetime as dt

import pytest

from tests.web.browser_support import ARTIFACTS, logged_in

pytestmark = pytest.mark.browser



def _shot(page, name: str, backend: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"rooms-{backend}-{name}.png"), full_page=False)


def _login(browser, base: str, username: str):
    _, page, errors = logged_in(browser, base, username, "/rooms")
    return page, errors


def test_book_a_wakeup_from_the_room_board(demo_server, browser, backend, write, settings, session_factory):
    from playwright.sync_api import expect

    from zongji.services import wakeups as svc
    from zongji.store.models import AuditEntry, Guest, Organisation, Room, Stay, utcnow
    from zongji.store.wakeup_models import Wakeup

    now = utcnow()
    with write() as s:
        org = s.query(Organisation).filter(Organisation.kind == "hotel").first()
        for number in ("1808", "1809"):
            room = Room(organisation_id=org.id, number=number, floor=18, extension="8" + number)
            s.add(room)
            s.flush()
            g = Guest(organisation_id=org.id, name=f"房板客人{number}", vip=number == "1809")
            s.add(g)
            s.flush()
            s.add(Stay(guest_id=g.id, room_id=room.id, arrival=now - dt.timedelta(days=1),
                       departure=now + dt.timedelta(days=2), status="in_house"))
    wake = (now + dt.timedelta(hours=2)).astimezone(settings.tz).replace(second=0, microsecond=0)
    base = demo_server
    page, errors = _login(browser, base, "operator")
    expect(page.locator('.rb-room[data-room="1808"]')).to_be_visible()
    _shot(page, "01-board", backend)

    # Type the room number to select it; W, the time, Enter: the read-back; Enter: booked.
    page.keyboard.type("1808")
    tile = page.locator('.rb-room[data-room="1808"]')
    expect(tile).to_have_attribute("aria-pressed", "true")
    expect(page.locator("#rb-sel-room")).to_have_text("1808")
    page.keyboard.press("w")
    expect(page.locator("#rb-wk-time")).to_be_focused()
    page.keyboard.type(wake.strftime("%H%M"))
    # Every day until check-out (Tab, Space), greeting in Chinese only (as on /wakeups).
    page.keyboard.press("Tab")
    expect(page.locator("#rb-wk-repeat")).to_be_focused()
    page.keyboard.press("Space")
    expect(page.locator("#rb-wk-until")).to_be_visible()
    page.locator("input[name=rb-lang][value=en]").uncheck()
    page.keyboard.press("Enter")
    expect(page.locator("#rb-wk-rb")).to_be_visible()
    expect(page.locator("#rb-wk-rb-zh")).to_contain_text("1808房间")
    expect(page.locator("#rb-wk-rb-zh")).to_contain_text("每天同一时间")
    expect(page.locator("#rb-wk-rb-en")).to_contain_text("every day until")
    expect(page.locator("#rb-wk-rb-extra")).to_have_text("问候语：中文")
    _shot(page, "02-readback", backend)
    page.keyboard.press("Enter")
    expect(page.locator("#rb-wk-rb")).to_be_hidden()
    expect(tile.locator(".rb-mk.wk")).to_have_text(wake.strftime("%H:%M"))
    expect(tile.locator(".rb-mk.wk svg.rb-clock")).to_be_visible()  # a drawn clock, not an emoji
    with session_factory() as s:
        rows = s.query(Wakeup).filter(Wakeup.room_number == "1808").order_by(Wakeup.wake_at).all()
        # Until the departure two days on: today's (or tomorrow's) and the next day's at least.
        assert len(rows) >= 2 and len({w.series_id for w in rows}) == 1
        assert {(w.booked_by, w.readback_confirmed, w.status, w.repeat_daily, w.languages) for w in rows} == {
            ("user:operator", True, "due", True, "zh")}
        wid = rows[0].id

    # A one-off with a note and both languages on 1809, until a chosen date is not needed.
    page.locator("#rb-floors").focus()
    page.keyboard.type("1809")
    expect(page.locator("#rb-sel-room")).to_have_text("1809")
    page.keyboard.press("w")
    page.keyboard.type(wake.strftime("%H%M"))
    page.locator("#rb-wk-note").fill("客人要求叫两次")
    page.keyboard.press("Enter")
    expect(page.locator("#rb-wk-rb-extra")).to_have_text("问候语：中文 + 英文 · 备注：客人要求叫两次")
    expect(page.locator("#rb-wk-rb-zh")).not_to_contain_text("每天")
    page.keyboard.press("Enter")
    expect(page.locator('.rb-room[data-room="1809"] .rb-mk.wk')).to_be_visible()
    with session_factory() as s:
        w = s.query(Wakeup).filter(Wakeup.room_number == "1809").one()
        assert (w.repeat_daily, w.languages, w.note) == (False, "zh,en", "客人要求叫两次")
    page.locator("#rb-floors").focus()
    page.keyboard.type("1808")
    expect(page.locator("#rb-sel-room")).to_have_text("1808")

    # D, Enter: do-not-disturb until check-out, on the tile at once.
    page.keyboard.press("d")
    expect(page.locator("#rb-dnd-reason")).to_be_focused()
    page.keyboard.press("Enter")
    expect(tile.locator(".rb-mk.dnd")).to_be_visible()
    # Arrow right moves to 1809 (VIP); no guest name anywhere for the operator.
    page.locator("#rb-floors").focus()
    page.keyboard.press("ArrowRight")
    expect(page.locator("#rb-sel-room")).to_have_text("1809")
    expect(page.locator('.rb-room[data-room="1809"] .rb-mk.vip')).to_be_visible()
    assert "房板客人" not in page.content()

    # An escalation made elsewhere arrives live: the tile turns red with "knock".
    with write() as s:
        w = s.get(Wakeup, wid)
        svc.escalate_telephony_down(s, now=w.wake_at, settings=settings, reason="gateway down", first=w)
    expect(tile.locator(".rb-mk.esc")).to_be_visible(timeout=10000)
    _shot(page, "03-escalated", backend)

    # The wake-up is on the wake-up board too.
    page.goto(base + "/wakeups")
    page.fill("#wk-day", wake.date().isoformat())
    page.locator("#wk-day").dispatch_event("change")
    row = page.locator("#wk-table tbody tr", has_text="1808")
    expect(row).to_contain_text(wake.strftime("%H:%M"))
    assert errors == []

    # The shift leader sees the guests' names next to the rooms; the reads are audited.
    page2, errors2 = _login(browser, base, "leader")
    expect(page2.locator('.rb-room[data-room="1808"] .rb-name')).to_have_text("房板客人1808")
    page2.locator(".lang-switch button[data-lang=en]").click()
    expect(page2.locator("#rb-h")).to_have_text("Room board")
    _shot(page2, "04-leader-english", backend)
    assert errors2 == []
    with session_factory() as s:
        reads = s.query(AuditEntry).filter(AuditEntry.entity == "room_board").count()
        assert reads >= 2
