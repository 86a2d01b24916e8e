"""The emergency plan from the console in headless Chromium (issue 14 point 6, last part): the
demo operator presses Alt+X on the console, fills kind, place, situation and reporter, reads it
back, confirms; the board opens, the red bar shows, and the board fills as the server's worker
tells the hotel's fire plan (R-H11; no SIP gateway here: the calls fail and the operators are
told to phone by hand)."""

from __future__ import annotations

import pytest

from tests.web.browser_support import logged_in

pytestmark = pytest.mark.browser


def test_start_the_fire_plan_from_the_console(demo_server, browser):
    from playwright.sync_api import expect

    _, page, errors = logged_in(browser, demo_server, "operator", "/")
    page.keyboard.press("Alt+KeyX")
    expect(page.locator("#em-dialog")).to_be_visible()
    page.select_option("#em-f-kind", "fire")
    page.fill("#em-f-floor", "12")
    page.fill("#em-f-room", "1208")
    page.fill("#em-f-situation", "走廊有烟")
    page.fill("#em-f-reporter", "李先生")
    page.fill("#em-f-reporter_number", "1208")
    page.press("#em-f-reporter_number", "Enter")  # the read-back first
    expect(page.locator("#em-readback")).to_contain_text("走廊有烟")
    expect(page.locator("#em-f-submit")).to_have_text("确认启动")
    page.keyboard.press("Enter")
    page.wait_for_url("**/emergency?id=*")
    expect(page.locator("#em-bar")).to_contain_text("火警")
    rows = page.locator("#em-people tr")
    expect(rows).to_have_count(6)
    # The first wave (five people) leaves "pending" as the worker tells them; the second waits.
    expect(page.locator('#em-people tr[data-state="pending"]')).to_have_count(1, timeout=15000)
    expect(page.locator("#em-timeline li").first).to_contain_text("启动")
    page.fill("#em-close-text", "火已扑灭")
    page.press("#em-close-text", "Enter")
    expect(page.locator("#em-status")).to_have_text("已解除")
    expect(page.locator("#em-bar")).to_be_hidden()
    assert errors == []
