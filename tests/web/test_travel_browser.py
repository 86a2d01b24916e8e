"""Issue 17 points 3, 4 in the browser: an operator takes a meeting booking with the keyboard,
quotes it line by line and records the hotel's confirmation (the deposit then due with its
reminder), then takes a flight booking — a wrong resident ID shown on its field, the read-back
before saving —, sees its page, changes it and cancels it, each read back first and written on
its history with the reason. Headless Chromium against a real server."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from tests.web.browser_support import ARTIFACTS, logged_in

pytestmark = pytest.mark.browser

GOOD_ID = "11010519491231002X"


def test_operator_books_a_meeting_and_a_flight_changes_and_cancels_it(demo_server, browser, backend, settings):
    from playwright.sync_api import expect

    from zongji.store.models import utcnow

    ARTIFACTS.mkdir(exist_ok=True)
    today = utcnow().astimezone(settings.tz).date()
    context, page, errors = logged_in(browser, demo_server, "operator", "/travel/meetings/new")

    # The requirements form, typed: the cursor starts on the hotel; an end before the start is
    # refused on its field.
    expect(page.locator("[name=hotel_name]")).to_be_focused()
    page.keyboard.type("西湖国宾馆")
    page.locator("[name=kind]").select_option("training")
    page.locator("[name=start_date]").fill((today + dt.timedelta(days=10)).isoformat())
    page.locator("[name=end_date]").fill((today + dt.timedelta(days=9)).isoformat())
    page.locator("[name=attendees]").fill("40")
    page.locator("[name=rooms]").fill("20")
    page.locator("[name=budget_fen]").fill("60000")
    page.locator("[name=contact]").fill("周经理")
    page.locator("[name=mobile]").fill("13900001111")
    page.locator("[name=needs]").fill("U形摆台，投影仪")
    page.locator("[name=mobile]").press("Enter")
    expect(page.locator(".field-error[data-for=end_date]")).not_to_be_empty()
    expect(page.locator("[name=end_date]")).to_be_focused()
    page.locator("[name=end_date]").fill((today + dt.timedelta(days=11)).isoformat())
    page.locator("[name=end_date]").press("Control+Enter")
    expect(page).to_have_url(re.compile(r"/travel/meetings/\d+$"))
    expect(page.locator("#tm-state")).to_have_text("已登记需求")
    expect(page.locator("#tm-steps li.now")).to_have_text("登记需求")
    expect(page.locator("#tm-confirm-form")).to_be_hidden()  # not before a quote

    # The quote, line by line; Enter saves it.
    page.locator("[name='lines.0.label']").fill("会议室（天）")
    page.locator("[name='lines.0.quantity']").fill("2")
    page.locator("[name='lines.0.unit_fen']").fill("3000")
    page.locator("#tm-add-line").click()
    expect(page.locator("[name='lines.1.label']")).to_be_focused()
    page.keyboard.type("茶歇（位）")
    page.locator("[name='lines.1.quantity']").fill("80")
    page.locator("[name='lines.1.unit_fen']").fill("35")
    page.locator("[name='lines.1.unit_fen']").press("Enter")
    expect(page.locator("#tm-state")).to_have_text("已报价")
    expect(page.locator("#tm-total")).to_have_text("¥8800.00")
    expect(page.locator("#tm-quote tbody tr")).to_have_count(2)

    # The hotel's confirmation: the deposit falls due, its reminder waits.
    page.locator("#tm-confirm-form [name=confirmation]").fill("XH-2026")
    page.locator("#tm-confirm-form [name=confirmation]").press("Enter")
    expect(page.locator("#tm-state")).to_have_text("酒店已确认，待付定金")
    expect(page.locator("#tm-confirmation")).to_contain_text("XH-2026")
    expect(page.locator("#tm-deposit-state")).to_contain_text("¥2640.00")
    expect(page.locator("#tm-deposit-state")).to_contain_text("逾期未付将提醒")
    expect(page.locator("#tm-pay")).to_be_visible()
    expect(page.locator("#tm-refuse")).to_be_hidden()
    page.screenshot(path=str(ARTIFACTS / f"travel-{backend}-01-meeting.png"), full_page=True)
    meeting_url = page.url
    page.goto(demo_server + "/travel/meetings")
    link = page.locator(f"a[href='{meeting_url.removeprefix(demo_server)}']")
    expect(page.locator("#tml-table tbody tr", has=link)).to_contain_text("酒店已确认，待付定金")

    # A flight booking: a resident ID with a wrong check digit is refused on its field.
    page.goto(demo_server + "/travel/flights/new")
    expect(page.locator("[name=customer]")).to_be_focused()
    page.keyboard.type("张三")
    page.locator("[name=mobile]").fill("13800000009")
    page.locator("[name=from_city]").fill("北京")
    page.locator("[name=to_city]").fill("上海")
    page.locator("[name=flight_number]").fill("ca1501")
    page.locator("[name=trip]").select_option("return")
    page.locator("[name=departure_date]").fill((today + dt.timedelta(days=3)).isoformat())
    page.locator("[name=departure_time]").fill("09:30")
    page.locator("[name=return_date]").fill((today + dt.timedelta(days=5)).isoformat())
    expect(page.locator("#tf-address")).to_be_hidden()  # e-ticket
    page.locator("[name='passengers.0.name']").fill("张三")
    page.locator("[name='passengers.0.id_number']").fill("110105194912310021")
    page.locator("[name='passengers.0.id_number']").press("Enter")
    expect(page.locator(".field-error[data-for='passengers.0.id_number']")).not_to_be_empty()
    expect(page.locator("[name='passengers.0.id_number']")).to_be_focused()
    expect(page.locator("#tf-save")).to_be_disabled()
    page.locator("[name='passengers.0.id_number']").fill(GOOD_ID)
    page.locator("[name='passengers.0.id_number']").press("Enter")
    expect(page.locator("#tf-prev-zh")).to_contain_text("从北京飞往上海，航班CA1501，往返")
    expect(page.locator("#tf-prev-zh")).to_contain_text("身份证尾号002X")
    expect(page.locator("#tf-save")).to_be_focused()
    page.screenshot(path=str(ARTIFACTS / f"travel-{backend}-02-flight-readback.png"), full_page=True)
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/travel/flights/\d+$"))
    expect(page.locator("#tf-state")).to_have_text("已出票")
    expect(page.locator("#tf-people")).to_contain_text(GOOD_ID)  # the operator needs the full number
    expect(page.locator("#tf-history tbody tr")).to_have_count(1)

    # The change: read back, then saved with its reason.
    page.locator("#tf-change").click()
    expect(page.locator("[name=customer]")).to_be_focused()
    page.locator("[name=flight_number]").fill("MU5101")
    page.locator("#tf-form [name=reason]").fill("会议提前")
    page.locator("[name=flight_number]").press("Enter")
    expect(page.locator("#tf-prev-zh")).to_contain_text("修改后的机票预订")
    expect(page.locator("#tf-prev-zh")).to_contain_text("MU5101")
    page.keyboard.press("Control+Enter")
    expect(page.locator("#tf-route")).to_contain_text("MU5101")
    expect(page.locator("#tf-history tbody tr").nth(1)).to_contain_text("会议提前")
    expect(page.locator("#tf-history tbody tr").nth(1)).to_contain_text("修改")

    # The cancellation: the reason, its read-back, then cancelled.
    page.locator("#tf-cancel").click()
    expect(page.locator("#tf-cancel-box [name=reason]")).to_be_focused()
    page.keyboard.type("行程取消")
    page.keyboard.press("Enter")
    expect(page.locator("#tf-cancel-zh")).to_contain_text("确认取消吗？")
    expect(page.locator("#tf-cancel-go")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("#tf-state")).to_have_text("已取消")
    expect(page.locator("#tf-change")).to_be_hidden()
    expect(page.locator("#tf-cancel")).to_be_hidden()
    expect(page.locator("#tf-history tbody tr").nth(2)).to_contain_text("行程取消")
    page.screenshot(path=str(ARTIFACTS / f"travel-{backend}-03-flight-cancelled.png"), full_page=True)
    assert not errors, errors
