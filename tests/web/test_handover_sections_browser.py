"""The handover page (/handover) in headless Chromium against a real server (SQLite and
PostgreSQL): the day's wake-ups in time order with state, the escalated ones (rooms to knock)
and the open callbacks show with real data, and leave the page — live, without a reload — when
resolved. Screenshots in test-artifacts/."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.web.browser_support import ARTIFACTS, logged_in

pytestmark = pytest.mark.browser



def test_handover_wakeups_and_callbacks_until_resolved(demo_server, browser, backend, write, settings,
                                                       session_factory):
    from playwright.sync_api import expect
    from sqlalchemy import select

    from zongji.services import wakeups as svc
    from zongji.store.models import Guest, Organisation, Room, Stay, utcnow
    from zongji.store.work_order_models import WorkOrder

    now = utcnow()
    with write() as s:
        org = s.query(Organisation).filter(Organisation.kind == "hotel").first()
        for number in ("1808", "1809"):
            room = Room(organisation_id=org.id, number=number, floor=18, extension="8" + number)
            s.add(room)
            s.flush()
            g = Guest(organisation_id=org.id, name=f"交班客人{number}")
            s.add(g)
            s.flush()
            s.add(Stay(guest_id=g.id, room_id=room.id, arrival=now - dt.timedelta(days=1),
                       departure=now + dt.timedelta(days=2), status="in_house"))
        late = svc.book(s, svc.Booking(room="1809", wake_at=now + dt.timedelta(hours=3), readback_confirmed=True),
                        actor="user:operator", now=now, settings=settings)[0].id
        early = svc.book(s, svc.Booking(room="1808", wake_at=now + dt.timedelta(hours=1), readback_confirmed=True),
                         actor="user:operator", now=now, settings=settings)[0].id
        order = s.scalar(select(WorkOrder).where(WorkOrder.caller_name == "冯女士"))
        assert order is not None and order.status == "replied"
        order_id = order.id

    base = demo_server
    context, page, errors = logged_in(browser, base, "leader", "/handover", height=900)  # the hotel and 12345

    wk = page.locator('.ho-section[data-key="wakeups"] li')
    expect(wk.filter(has_text="1808")).to_have_count(1)
    texts = wk.all_inner_texts()
    i808 = next(i for i, x in enumerate(texts) if "1808" in x)
    i809 = next(i for i, x in enumerate(texts) if "1809" in x)
    assert i808 < i809  # time order
    expect(wk.filter(has_text="1808")).to_contain_text("待叫")
    esc = page.locator('.ho-section[data-key="wakeups_escalated"]')
    expect(esc.locator(".ho-none")).to_be_visible()
    cb = page.locator('.ho-section[data-key="callbacks"] li')
    expect(cb.filter(has_text="冯女士")).to_contain_text("13800004444")
    page.screenshot(path=str(ARTIFACTS / f"handover-{backend}-01-sections.png"), full_page=True)

    # 1808's wake-up escalates (telephony down): the room to knock appears, live.
    with write() as s:
        svc.escalate_telephony_down(s, now=now + dt.timedelta(hours=1, seconds=1), settings=settings,
                                    reason="gateway down", first=svc.get(s, early))
    expect(esc.locator("li")).to_have_count(1, timeout=10000)
    expect(esc.locator("li.urgent")).to_contain_text("1808")
    assert "交班客人" not in page.content()  # no guest name next to a room for an operator
    page.screenshot(path=str(ARTIFACTS / f"handover-{backend}-02-escalated.png"), full_page=True)

    # Reached at the door: no longer urgent, it stays with its outcome (issue 8, point 7); the
    # callback is made: it leaves.
    with write() as s:
        svc.mark_reached(s, early, by="door", actor="user:hk", now=now + dt.timedelta(hours=1, minutes=9),
                         settings=settings)
    expect(esc.locator("li.urgent")).to_have_count(0, timeout=10000)
    expect(esc.locator("li")).to_have_count(1)
    expect(esc.locator("li")).to_contain_text("已处理")
    expect(wk.filter(has_text="1808")).to_contain_text("已叫醒")
    r = page.request.post(f"{base}/api/work-orders/{order_id}/actions",
                          data={"action": "record_callback", "outcome": "satisfied"})
    assert r.status == 200, r.text()
    expect(cb.filter(has_text="冯女士")).to_have_count(0, timeout=10000)
    # Cancelled: the later wake-up leaves the day's list.
    with write() as s:
        svc.cancel(s, late, actor="user:operator", now=utcnow(), settings=settings)
    expect(wk.filter(has_text="1809")).to_have_count(0, timeout=10000)
    page.locator(".lang-switch button[data-lang=en]").click()
    expect(page.locator('.ho-section[data-key="wakeups_escalated"] h3')).to_contain_text("rooms to knock")
    page.screenshot(path=str(ARTIFACTS / f"handover-{backend}-03-english.png"), full_page=True)
    assert errors == []
