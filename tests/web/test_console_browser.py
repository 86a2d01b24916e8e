"""The operator console in headless Chromium against a real server, on SQLite and PostgreSQL.

A real uvicorn serves the app (live feed poller, CTI writer and all) on a free port. The test logs
in as the demo operator, sends Zammad CTI events for the demo VIP guest's mobile, sees the call
appear without a reload, reads the caller card (name, VIP mark, title to address them by,
greeting), takes and closes the call from the keyboard, and finds it with its note in the call log.
Screenshots go to test-artifacts/ (gitignored) for people to look at.
"""

from __future__ import annotations

import re
import time

import httpx
import pytest

from tests.web.browser_support import ARTIFACTS

pytestmark = [pytest.mark.browser, pytest.mark.both_databases]



def _cti(base: str, **data: str) -> None:
    from zongji.demo.data import DEMO_CTI_TOKEN

    r = httpx.post(f"{base}/api/v1/cti/{DEMO_CTI_TOKEN}", data=data, timeout=10)
    assert r.status_code == 200, r.text


def _shot(page, name: str, backend: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"console-{backend}-{name}.png"))


def test_operator_takes_and_closes_a_vip_call(demo_server: str, browser, backend: str):
    from playwright.sync_api import expect

    from zongji.demo.data import (
        DEMO_GM_EXTENSION,
        DEMO_GM_NAME,
        DEMO_PASSWORD,
        DEMO_VIP_GUEST_MOBILE,
        DEMO_VIP_GUEST_NAME,
        DEMO_VIP_GUEST_TITLE,
        HOTEL_LINE_NUMBER,
    )

    base = demo_server
    context = browser.new_context(viewport={"width": 1366, "height": 768}, locale="zh-CN",
                                  timezone_id="Asia/Shanghai")
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))

    # Not logged in: the console sends us to the login page.
    page.goto(base + "/")
    expect(page).to_have_url(f"{base}/login?next=%2F")
    _shot(page, "01-login", backend)
    page.fill("#username", "operator")
    page.fill("#password", DEMO_PASSWORD)
    page.keyboard.press("Enter")
    expect(page).to_have_url(base + "/")
    expect(page.locator("#live-status")).to_have_attribute("data-state", "connected")
    expect(page.locator("#operator")).to_contain_text("王小红")
    expect(page.locator("#operator")).to_contain_text("1001")
    expect(page.locator(".call-row")).to_have_count(0)
    page.evaluate("window.__noReload = 'same page'")  # gone if the page reloads

    # The PBX says the VIP guest's mobile is calling the hotel: the call appears without a reload.
    call_id = f"browser-{backend}-{time.time_ns()}"
    _cti(base, event="newCall", **{"from": DEMO_VIP_GUEST_MOBILE}, to=HOTEL_LINE_NUMBER,
         direction="in", callId=call_id)
    row = page.locator(".call-row", has_text=DEMO_VIP_GUEST_NAME)
    expect(row).to_be_visible()  # pushed (no reload: see __noReload below)
    expect(row).to_have_class(re.compile(r"st-ringing"))
    expect(row.locator(".vip-badge")).to_be_visible()

    # The caller card: who it is, VIP mark, the title to address them by, and the greeting.
    card = page.locator("#caller-card")
    expect(card.locator("#card-name")).to_have_text(DEMO_VIP_GUEST_NAME)
    expect(card.locator("#card-vip")).to_be_visible()
    expect(card.locator("#card-kind")).to_contain_text("住客")
    expect(card.locator("#card-title")).to_have_text(DEMO_VIP_GUEST_TITLE)
    expect(page.locator("#greeting-zh")).to_contain_text("好")
    page.wait_for_timeout(1200)  # let the ring timer count
    _shot(page, "02-ringing-vip", backend)

    # F2 takes the oldest ringing call; the PBX then reports it answered.
    page.keyboard.press("F2")
    expect(row.locator(".row-op")).to_have_text("王小红")
    _cti(base, event="answer", **{"from": DEMO_VIP_GUEST_MOBILE}, to=HOTEL_LINE_NUMBER,
         direction="in", callId=call_id, answeringNumber="1001")
    expect(row).to_have_class(re.compile(r"st-talking"))

    # A second call comes in meanwhile: the live list grows, still without a reload.
    other_id = call_id + "-2"
    _cti(base, event="newCall", **{"from": "13600001111"}, to=HOTEL_LINE_NUMBER,
         direction="in", callId=other_id)
    expect(page.locator(".call-row")).to_have_count(2)
    expect(page.locator("#count-ringing b")).to_have_text("1")

    # Directory search from the keyboard while talking.
    page.keyboard.press("Control+k")
    expect(page.locator("#search")).to_be_focused()
    page.keyboard.type(DEMO_GM_NAME)
    gm = page.locator(".dir-item", has_text=DEMO_GM_NAME).first
    expect(gm).to_be_visible()
    expect(gm).to_contain_text(DEMO_GM_EXTENSION)
    _shot(page, "03-talking-search", backend)
    page.keyboard.press("Escape")

    # Notes by keyboard, the guest hangs up, Ctrl+Enter closes the call with the note.
    # (The second call is still ringing; make sure the VIP call is the one selected.)
    row.click()
    page.keyboard.press("Alt+n")
    expect(page.locator("#notes")).to_be_focused()
    note = f"李董事长要求明早7点叫醒 {backend}"
    page.keyboard.type(note)
    page.keyboard.press("Alt+c")
    expect(page.locator("#category")).to_be_focused()
    page.keyboard.press("ArrowDown")
    category = page.locator("#category").input_value()
    assert category, "no category chosen with the keyboard"
    category_text = page.locator("#category option:checked").inner_text()
    _cti(base, event="hangup", **{"from": DEMO_VIP_GUEST_MOBILE}, to=HOTEL_LINE_NUMBER,
         direction="in", callId=call_id, cause="normalClearing")
    expect(row).to_have_class(re.compile(r"st-wrapup"))
    _shot(page, "04-wrapup", backend)
    page.keyboard.press("Control+Enter")
    expect(row).to_have_count(0)
    expect(page.locator(".call-row")).to_have_count(1)

    # The unanswered second call is abandoned by its caller: it leaves the list by itself.
    _cti(base, event="hangup", **{"from": "13600001111"}, to=HOTEL_LINE_NUMBER,
         direction="in", callId=other_id, cause="cancel")
    expect(page.locator(".call-row")).to_have_count(0)
    assert page.evaluate("window.__noReload") == "same page", "the console reloaded"

    # The call log shows the call with its note, times in local time.
    page.click("a[href='/calls']")
    expect(page).to_have_url(base + "/calls")
    log_row = page.locator("#log-table tbody tr", has_text=note)
    expect(log_row).to_have_count(1)
    expect(log_row).to_contain_text(DEMO_VIP_GUEST_NAME)
    expect(log_row.locator(".badge")).to_have_text("已接听")
    expect(log_row).to_contain_text("王小红")
    expect(log_row).to_contain_text(category_text)
    expect(page.locator("#log-table tbody tr", has_text="13600001111").locator(".badge")).to_be_visible()
    _shot(page, "05-call-log", backend)

    # Filter by number; then switch to English (remembered on reload).
    page.fill("input[name=number]", DEMO_VIP_GUEST_MOBILE[-4:])
    page.keyboard.press("Enter")
    expect(page.locator("#log-table tbody tr")).to_have_count(1)
    page.click(".lang-switch button[data-lang=en]")
    expect(page.locator("th").first).to_have_text("Time")
    page.reload()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("#log-table tbody tr")).to_have_count(1)
    _shot(page, "06-call-log-en", backend)

    assert not errors, errors
    context.close()


def test_console_at_full_hd_in_english(demo_server: str, browser, backend: str):
    """A second layout check: 1920×1080, English, a ringing unknown caller and a staff caller."""
    from playwright.sync_api import expect

    from zongji.demo.data import (
        DEMO_GM_MOBILE,
        DEMO_GM_NAME,
        DEMO_PASSWORD,
        HOTEL_LINE_NUMBER,
    )

    context = browser.new_context(viewport={"width": 1920, "height": 1080}, locale="en-GB",
                                  timezone_id="Asia/Shanghai")
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(demo_server + "/login")
    page.click(".lang-switch button[data-lang=en]")
    expect(page.locator("#login-submit")).to_have_text("Log in")
    page.fill("#username", "operator")
    page.fill("#password", DEMO_PASSWORD)
    page.click("#login-submit")
    expect(page).to_have_url(demo_server + "/")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("#live-status")).to_have_attribute("data-state", "connected")
    # The page is as wide as the window: a long menu scrolls inside the top bar (the directory
    # panel and the logout button stayed off-screen when the menu grew).
    assert page.evaluate("document.documentElement.scrollWidth") <= 1920
    assert page.locator("#logout").bounding_box()["x"] + page.locator("#logout").bounding_box()["width"] <= 1920
    base_id = f"fullhd-{backend}-{time.time_ns()}"
    _cti(demo_server, event="newCall", **{"from": DEMO_GM_MOBILE}, to=HOTEL_LINE_NUMBER,
         direction="in", callId=base_id + "-gm")
    _cti(demo_server, event="newCall", **{"from": "02155556666"}, to=HOTEL_LINE_NUMBER,
         direction="in", callId=base_id + "-unknown")
    expect(page.locator(".call-row")).to_have_count(2)
    expect(page.locator("#card-name")).to_have_text(DEMO_GM_NAME)
    expect(page.locator("#card-kind")).to_contain_text("Staff")
    page.keyboard.press("ArrowDown")
    expect(page.locator("#card-kind")).to_contain_text("Unknown")
    page.keyboard.press("ArrowUp")
    page.keyboard.press("/")
    page.keyboard.type("front")
    page.wait_for_timeout(600)
    _shot(page, "07-fullhd-en", backend)
    assert not errors, errors
    context.close()
