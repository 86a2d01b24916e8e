"""Messages picked up and DND cancelled without the mouse (issue 8, point 8), and a message
marked delivered by phone (point 6). Alt+L / Alt+D with no directory entry highlighted go to the
side lists; ↑/↓ move; P told by phone, Enter picked up; C cancels a DND."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import select

from tests.web.browser_support import ARTIFACTS, logged_in

pytestmark = pytest.mark.browser


def _focus_row(page, key: str, attr: str, value: int) -> None:
    page.keyboard.press(key)
    for _ in range(30):
        if page.evaluate(f"document.activeElement && document.activeElement.dataset.{attr}") == str(value):
            return
        page.keyboard.press("ArrowDown")
    raise AssertionError(f"row {attr}={value} not reached by keyboard")


def test_message_phoned_and_picked_up_and_dnd_cancelled_by_keyboard(demo_server, browser, backend,
                                                                   session_factory):
    from playwright.sync_api import expect

    from zongji.store.models import Person, Room, Stay
    from zongji.store.switchboard_models import DndPeriod, Message

    with session_factory() as s:
        person_id = s.scalar(select(Person.id).where(Person.name == "周文杰"))
        dnd_rooms = set(s.scalars(select(DndPeriod.room_number).where(DndPeriod.ended_at.is_(None))))
        room = next(r for r in s.scalars(select(Room.number).join(Stay, Stay.room_id == Room.id)
                                         .where(Stay.status == "in_house")) if r not in dnd_rooms)
    context, page, errors = logged_in(browser, demo_server, "operator", "/")
    expect(page.locator("#live-status")).to_have_attribute("data-state", "connected")
    tag = f"键盘取留言{backend}{time.time_ns() % 100000}"
    mid = page.evaluate("""async ([pid, tag]) => (await (await import("/static/api.js")).api("POST", "/api/switchboard/messages", {
        recipient_kind: "staff", recipient_id: pid, caller_name: "李经理", caller_number: "13700001234",
        content: tag, read_back: true })).id""", [person_id, tag])
    did = page.evaluate("""async (room) => (await (await import("/static/api.js")).api("POST", "/api/switchboard/dnd", {
        subject_kind: "room", room: room })).id""", room)
    page.evaluate("import('/static/switchboard.js').then((sb) => { sb.loadMessages(); sb.loadDnd(); })")
    row = page.locator(f'#sb-msg-list li[data-message="{mid}"]')
    expect(row).to_contain_text(tag)

    _focus_row(page, "Alt+l", "message", mid)
    # A live update re-renders the list (any message taken elsewhere): the operator keeps the row.
    page.evaluate("import('/static/switchboard.js').then((sb) => sb.loadMessages())")
    assert page.evaluate("document.activeElement.dataset.message") == str(mid)
    page.keyboard.press("p")
    expect(page.locator(".toast.ok", has_text="电话告知")).to_be_visible()
    expect(row.locator(".badge").first).to_have_text("已通知待取")
    page.screenshot(path=str(ARTIFACTS / f"side-lists-{backend}-01-phoned.png"))
    _focus_row(page, "Alt+l", "message", mid)
    page.keyboard.press("Enter")
    expect(row).to_have_count(0)

    dnd_row = page.locator(f'#sb-dnd-list li[data-dnd="{did}"]')
    expect(dnd_row).to_have_count(1)
    _focus_row(page, "Alt+d", "dnd", did)
    page.keyboard.press("c")
    expect(dnd_row).to_have_count(0)
    with session_factory() as s:
        m = s.get(Message, mid)
        assert m.state == "acknowledged" and [d.channel for d in m.deliveries] == ["phone"]
        assert s.get(DndPeriod, did).ended_at is not None
    assert errors == []
    context.close()
