"""Every page shows the calls ringing and takes F2; page keys move between pages (issue 8, 6 and 8).

An operator on the wake-up board sees the ringing count in the top bar (outbound calls the PBX
reports are dialling, never ringing), and F2 there opens the console with the oldest ringing
call taken. Alt+digit keys, shown in each page's key bar, go to the pages of the user's menu.
"""

from __future__ import annotations

import time

import httpx
import pytest

from tests.web.browser_support import ARTIFACTS, logged_in

pytestmark = pytest.mark.browser


def _cti(base: str, **data: str) -> None:
    from zongji.demo.data import DEMO_CTI_TOKEN

    r = httpx.post(f"{base}/api/v1/cti/{DEMO_CTI_TOKEN}", data=data, timeout=10)
    assert r.status_code == 200, r.text


def test_f2_on_the_wakeup_board_takes_the_oldest_ringing_call(demo_server, browser, backend):
    from playwright.sync_api import expect

    from zongji.demo.data import HOTEL_LINE_NUMBER

    context, page, errors = logged_in(browser, demo_server, "operator", "/wakeups")
    counter = page.locator("#page-ringing")
    expect(counter).to_be_visible()
    before = int(counter.get_attribute("data-count") or "0")
    tag = f"{backend}-{time.time_ns()}"
    # With nothing ringing for us, F2 says so and stays.
    if before == 0:
        page.keyboard.press("F2")
        expect(page.locator(".toast", has_text="没有振铃")).to_be_visible()
        assert page.url.endswith("/wakeups")
    # An outbound call the PBX reports is not ringing for us; an inbound one is.
    _cti(demo_server, event="newCall", **{"from": "1001"}, to="13912340000", direction="out", callId=tag + "-out")
    _cti(demo_server, event="newCall", **{"from": "13912345001"}, to=HOTEL_LINE_NUMBER, direction="in",
         callId=tag + "-in")
    expect(counter.locator("b")).to_have_text(str(before + 1))
    expect(counter).to_have_class("counter c-ringing active")
    # The page keys are in the key bar.
    bar = page.locator("#page-keybar")
    expect(bar).to_contain_text("F2")
    expect(bar).to_contain_text("Alt+3")
    expect(bar).to_contain_text("交接班")
    page.screenshot(path=str(ARTIFACTS / f"every-page-{backend}-01-wakeups-ringing.png"))

    page.keyboard.press("F2")
    expect(page).to_have_url(demo_server + "/")
    row = page.locator(".call-row", has_text="13912345001")
    expect(row.locator(".row-op")).to_have_text("王小红")  # taken by this operator
    assert "take=1" not in page.url

    # Page keys: Alt+4 the wake-up board, Alt+2 the call log.
    page.keyboard.press("Alt+4")
    expect(page).to_have_url(demo_server + "/wakeups")
    page.wait_for_load_state("load")
    page.keyboard.press("Alt+2")
    expect(page).to_have_url(demo_server + "/calls")
    for cid in (tag + "-out", tag + "-in"):
        _cti(demo_server, event="hangup", callId=cid, cause="normalClearing")
    assert errors == []
    context.close()
