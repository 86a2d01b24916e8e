"""The intake queue in a real browser (issue 15, points 1 and 4): a citizen files a request on the
public form from a phone's screen and gets a tracking number; the 12345 operator sees the demo's
messages oldest first with their clocks, a citizen's SMS arrives over the gateway's webhook and
shows without a reload, one is answered from the knowledge base with the keys, another becomes a
work order, a third joins its sender's open order; the citizen follows the request by number and
telephone. SQLite only (the API is tested on both databases)."""

from __future__ import annotations

import re

import httpx
import pytest

from tests.web.browser_support import ARTIFACTS, logged_in
from zongji.demo.intake import DEMO_SMS_TOKEN

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("backend", ["sqlite"])
def test_an_operator_works_the_queue_like_calls(demo_server, browser, backend):
    from playwright.sync_api import expect

    # A citizen on a phone, no login: the form gives a tracking number.
    phone = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN", timezone_id="Asia/Shanghai")
    citizen = phone.new_page()
    citizen_errors: list[str] = []
    citizen.on("pageerror", lambda exc: citizen_errors.append(str(exc)))
    citizen.goto(demo_server + "/report")
    expect(citizen.locator("#rp-category option")).not_to_have_count(0)
    citizen.locator("#rp-place").fill("解放路12号")
    citizen.locator("#rp-description").fill("解放路12号门口的井盖松了，踩上去会晃。")
    citizen.locator("#rp-submit").click()
    expect(citizen.locator("#rp-phone")).to_have_class("invalid")  # the telephone is required
    citizen.locator("#rp-phone").fill("13812340000")
    citizen.locator("#rp-submit").click()
    expect(citizen.locator("#rp-number")).to_have_text(re.compile(r"^WEB-[0-9A-F]{10}$"))
    tracking = citizen.locator("#rp-number").inner_text()

    context, page, errors = logged_in(browser, demo_server, "hotline", "/intake", height=900)
    items = page.locator("#iq-list .iq-item")
    expect(items).to_have_count(6)  # the demo: 3 SMS, Open311, WeChat, the form
    page.locator("#iq-list .iq-item", has_text="解放路12号").click()
    page.locator("#iq-situation").select_option("general")
    page.keyboard.press("Alt+O")
    expect(page.locator("#iq-caller_name")).to_have_class("invalid")  # the citizen gave no name: asked for
    page.locator("#iq-caller_name").fill("市民")
    page.keyboard.press("Alt+O")
    expect(page.locator(".toast.ok", has_text="已生成工单")).to_be_visible()
    expect(items).to_have_count(5)
    expect(items.first).to_contain_text("井盖")  # the oldest first (an Open311 request)
    # The SMS of 9 minutes ago is past its 3 minutes: its clock is red.
    expect(page.locator("#iq-list .iq-item", has_text="流浪狗").locator(".iq-clock")).to_have_class("iq-clock iq-late")

    r = httpx.post(demo_server + "/api/v1/sms/inbound", headers={"Authorization": f"Bearer {DEMO_SMS_TOKEN}"},
                   json={"message_id": "browser-1", "from": "13812345678", "text": "幸福路88号东门路灯不亮"})
    assert r.status_code == 200, r.text
    expect(items).to_have_count(6)  # live, no reload
    expect(items.last).to_contain_text("路灯不亮")

    # Answered from the knowledge base: Alt+K searches, a result fills the answer, Alt+R sends.
    page.locator("#iq-list .iq-item", has_text="社保卡").click()
    expect(page.locator("#iq-d-text")).to_contain_text("社保卡丢了")
    page.keyboard.press("Alt+K")
    expect(page.locator("#iq-kb-q")).to_be_focused()
    page.locator("#iq-kb button", has_text="社保卡").first.click()
    expect(page.locator("#iq-text")).not_to_have_value("")
    page.keyboard.press("Alt+R")
    expect(page.locator(".toast.ok", has_text="已答复")).to_be_visible()
    expect(items).to_have_count(5)

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
    expect(items).to_have_count(4)
    # The caller of the demo's first order writes again: key 1 adds it to that open order.
    r = httpx.post(demo_server + "/api/v1/sms/inbound", headers={"Authorization": f"Bearer {DEMO_SMS_TOKEN}"},
                   json={"message_id": "browser-2", "from": "13500001111", "text": "补充：东门那三盏灯今晚还是不亮"})
    assert r.status_code == 200, r.text
    page.locator("#iq-list .iq-item", has_text="补充").click()
    expect(page.locator("#iq-cands button").first).to_contain_text("并入")
    expect(page.locator("#iq-cands li").first).to_contain_text("同一来信人")
    page.keyboard.press("1")
    expect(page.locator(".toast.ok", has_text="已并入工单")).to_be_visible()
    expect(items).to_have_count(4)
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "intake.png"), full_page=True)
    assert errors == []
    context.close()

    # The citizen follows it: the order's number and its stage.
    citizen.goto(demo_server + "/track?number=" + tracking)
    citizen.locator("#tk-phone").fill("13812340000")
    citizen.locator("#tk-form button[type=submit]").click()
    expect(citizen.locator("#tk-stage")).to_have_text("已受理，正在分派")
    expect(citizen.locator("#tk-order")).to_have_text(re.compile(r"^\d{8}-\d{4}$"))
    assert citizen_errors == []
    phone.close()
