"""The handover signed and acknowledged by keyboard in a few keys, and shown as handed over while
it waits (issue 8, points 7 and 8)."""

from __future__ import annotations

import pytest

from tests.web.browser_support import ARTIFACTS, logged_in

pytestmark = pytest.mark.browser


def test_sign_off_in_two_keys_then_awaiting_and_acknowledged_in_one(demo_server, browser, backend):
    from playwright.sync_api import expect

    out_ctx, out, errors = logged_in(browser, demo_server, "operator", "/handover")
    expect(out.locator("#ho-signoff")).to_be_visible()
    keys = 0
    out.once("dialog", lambda d: d.accept())  # "sign now?": Enter in a real browser
    out.keyboard.press("Alt+s"); keys += 1
    keys += 1  # the confirmation's Enter
    expect(out.locator("#ho-waiting")).to_be_visible()
    expect(out.locator("#ho-waiting-text")).to_contain_text("等待接班人确认")
    expect(out.locator("#ho-signoff")).to_be_hidden()
    expect(out.locator("#ho-entry")).to_be_hidden()
    expect(out.locator("#ho-state")).to_have_text("已交班，待接班确认")
    expect(out.locator("#ho-ack")).to_be_hidden()  # not theirs to acknowledge
    out.screenshot(path=str(ARTIFACTS / f"handover-keys-{backend}-01-awaiting.png"))
    assert keys <= 5

    in_ctx, inc, errors_in = logged_in(browser, demo_server, "leader", "/handover")
    expect(inc.locator("#ho-ack")).to_be_visible()
    inc.keyboard.press("Alt+k")
    expect(inc.locator("#ho-waiting")).to_be_hidden()
    expect(inc.locator(".toast.ok").last).to_be_visible()
    out.reload()
    expect(out.locator("#ho-signoff")).to_be_visible()
    assert errors == [] and errors_in == []
    out_ctx.close()
    in_ctx.close()
