"""The intake queue in a real browser (issue 15, point 1): the 12345 operator sees the demo's
messages oldest first with their clocks, a citizen's SMS arrives over the gateway's webhook and
shows without a reload, one is answered from the knowledge base with the keys, another becomes a
work order. SQLite only (the API is tested on both databases)."""

from __future__ import annotations

import httpx
import pytest

from tests.web.browser_support import ARTIFACTS, logged_in
from zongji.demo.intake import DEMO_SMS_TOKEN

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("backend", ["sqlite"])
def test_an_operator_works_the_queue_like_calls(demo_server, browser, backend):
    from playwright.sync_api import expect

    context, page, errors = logged_in(browser, demo_server, "hotline", "/intake", height=900)
    items = page.locator("#iq-list .iq-item")
    expect(items).to_have_count(4)
    expect(items.first).to_contain_text("井盖")  # the oldest first (an Open311 request)
    # The SMS of 9 minutes ago is past its 3 minutes: its clock is red.
    expect(page.locator("#iq-list .iq-item", has_text="流浪狗").locator(".iq-clock")).to_have_class("iq-clock iq-late")

    r = httpx.post(demo_server + "/api/v1/sms/inbound", headers={"Authorization": f"Bearer {DEMO_SMS_TOKEN}"},
                   json={"message_id": "browser-1", "from": "13812345678", "text": "幸福路88号东门路灯不亮"})
    assert r.status_code == 200, r.text
    expect(items).to_have_count(5)  # live, no reload
    expect(items.last).to_contain_text("路灯不亮")

    # Answered from the knowledge base: Alt+K searches, a result fills the answer, Alt+R sends.
    page.locator("#iq-list .iq-item", has_text="社保卡").click()
    expect(page.locator("#iq-d-text")).to_contain_text("社保卡丢了")
    page.keyboard.press("Alt+K")
    expect(page.locator("#iq-kb-q")).to_be_focused()
    page.locator("#iq-kb button", has_text="社保卡").first.click()
    expect(page.locator("#iq-text")).not_to_have_value("")
    page.keyboard.press("Alt+R")
    expect(page.locator(".toast.ok")).to_contain_text("已答复")
    expect(items).to_have_count(4)

    # A new work order with Alt+O: the type and situation chosen, the text as the description.
    expect(page.locator("#iq-detail")).to_be_hidden()
    items.filter(has_text="路灯不亮").focus()
    expect(items.filter(has_text="路灯不亮")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("#iq-description")).to_have_value("幸福路88号东门路灯不亮")
    page.locator("#iq-situation").select_option("general")
    page.locator("#iq-caller_name").fill("李先生")
    page.locator("#iq-place").fill("幸福路88号东门")
    page.keyboard.press("Alt+O")
    expect(page.locator(".toast.ok", has_text="已生成工单")).to_be_visible()
    expect(items).to_have_count(3)
    # The caller of the demo's first order writes again: key 1 adds it to that open order.
    r = httpx.post(demo_server + "/api/v1/sms/inbound", headers={"Authorization": f"Bearer {DEMO_SMS_TOKEN}"},
                   json={"message_id": "browser-2", "from": "13500001111", "text": "补充：东门那三盏灯今晚还是不亮"})
    assert r.status_code == 200, r.text
    page.locator("#iq-list .iq-item", has_text="补充").click()
    expect(page.locator("#iq-cands button").first).to_contain_text("并入")
    expect(page.locator("#iq-cands li").first).to_contain_text("同一来信人")
    page.keyboard.press("1")
    expect(page.locator(".toast.ok", has_text="已并入工单")).to_be_visible()
    expect(items).to_have_count(3)
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "intake.png"), full_page=True)
    assert errors == []
    context.close()
