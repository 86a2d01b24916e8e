"""The console's hold timer and forbidden-phrase warning in headless Chromium (issue 11, points 7
and 8; R-P9, R-P10). SQLite only (the server side is covered on both backends by the API tests).

The operator takes a call, types a note with a forbidden phrase and sees the warning under the
note naming the phrase and the script; then puts the caller on hold with their consent (Alt+H,
Alt+Y) and, with the page's clock moved on (no real waits), sees the "still checking" prompt after
30 s and the callback proposal with the number after 60 s; Alt+H ends the hold, recorded on the call.
"""

from __future__ import annotations

import re
import time

import pytest

from tests.web.browser_support import ARTIFACTS, logged_in
from tests.web.test_console_browser import _cti

pytestmark = pytest.mark.browser


def test_hold_prompts_and_phrase_warning(demo_server: str, browser, backend: str):
    if backend != "sqlite":
        pytest.skip("browser part runs on SQLite only")
    from playwright.sync_api import expect

    from zongji.demo.data import HOTEL_LINE_NUMBER

    context, page, errors = logged_in(browser, demo_server)
    page.clock.install()
    page.reload()
    page.wait_for_load_state("load")
    expect(page.locator("#live-status")).to_have_attribute("data-state", "connected")
    number = "13912345678"
    call_id = f"hold-{time.time_ns()}"
    _cti(demo_server, event="newCall", **{"from": number}, to=HOTEL_LINE_NUMBER, direction="in", callId=call_id)
    row = page.locator(".call-row", has_text=number)
    expect(row).to_be_visible()
    page.keyboard.press("F2")
    _cti(demo_server, event="answer", **{"from": number}, to=HOTEL_LINE_NUMBER, direction="in", callId=call_id,
         answeringNumber="1001")
    for _ in range(30):  # the page's timers run on the installed clock: let them run
        if "st-talking" in (row.get_attribute("class") or ""):
            break
        page.clock.run_for(500)
        page.wait_for_timeout(100)
    expect(row).to_have_class(re.compile(r"st-talking"))

    # As typed: the warning under the note names the phrase and the script to say instead.
    page.keyboard.press("Alt+N")
    page.keyboard.type("来电人问低保,你自己去民政部门问吧")
    page.clock.run_for(1000)
    warning = page.locator("#notes-phrases")
    expect(warning).to_be_visible()
    expect(warning).to_contain_text("你自己去民政部门问吧")
    expect(warning).to_contain_text("建议说")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "quality-phrase-warning.png"))

    # Hold only with consent; the prompts follow the page's clock.
    page.locator("#notes").blur()
    page.keyboard.press("Alt+H")
    panel = page.locator("#hold-panel")
    expect(panel).to_contain_text("同意")
    page.keyboard.press("Alt+Y")
    expect(panel).to_contain_text("等待中")
    expect(panel.locator(".hold-checkin")).to_have_count(0)
    page.clock.run_for(31_000)
    expect(panel.locator(".hold-checkin")).to_be_visible()
    page.screenshot(path=str(ARTIFACTS / "quality-hold-checkin.png"))
    page.clock.run_for(30_000)
    expect(panel.locator(".hold-callback")).to_contain_text(number)
    page.screenshot(path=str(ARTIFACTS / "quality-hold-callback.png"))
    page.keyboard.press("Alt+H")
    expect(panel).to_be_hidden()

    # A long call (R-S6): Alt+F shows the number to read back, Alt+F again (read back, agreed)
    # creates a callback to make at once from another line: listed, due now.
    page.keyboard.press("Alt+F")
    readback = page.locator("#cb-readback")
    expect(readback).to_contain_text(number)
    page.keyboard.press("Alt+F")
    expect(readback).to_be_hidden()
    mine = page.locator("#cb-list .cb-item", has_text=number)
    expect(mine).to_have_count(1)
    expect(mine).to_have_class(re.compile(r"\bdue\b"))
    # The caller cannot hear us (R-S15): Alt+E, a callback due in 3 minutes, not due yet.
    page.keyboard.press("Alt+E")
    expect(mine).to_have_count(2)
    expect(mine.nth(1)).not_to_have_class(re.compile(r"\bdue\b"))
    expect(mine.nth(1)).to_contain_text("到期")
    page.screenshot(path=str(ARTIFACTS / "callbacks-list.png"))
    # Called back early, both: recorded as reached, gone from the list.
    mine.nth(1).locator(".cb-reached").click()
    expect(mine).to_have_count(1)
    mine.first.locator(".cb-reached").click()
    expect(mine).to_have_count(0)

    holds = page.evaluate("""async (n) => {
        const calls = await (await fetch('/api/calls/active')).json();
        const c = calls.items.find((x) => x.calling_number === n);
        return (await (await fetch(`/api/calls/${c.id}/holds`)).json()).holds;
    }""", number)
    assert len(holds) == 1 and holds[0]["ended_at"] is not None and holds[0]["consent"] is True
    assert errors == []
    context.close()
