"""The right call, always (issue 8 point 4 and 6), in headless Chromium against a real server.

With calls ringing the console selects the call the operator took, never closes a ringing call
and never writes a note on a call the operator did not take; after F2, `/` opens the search; an
outbound call the PBX reports while it dials is not a ringing call and F2 does not take it; the
caller history says a ringing call is ringing."""

from __future__ import annotations

import re
import time

import httpx
import pytest

from tests.web.browser_support import logged_in

pytestmark = pytest.mark.browser

OPERATOR_NUMBER = "1001"  # the demo operator 王小红


def _cti(base: str, **data: str) -> None:
    from zongji.demo.data import DEMO_CTI_TOKEN

    r = httpx.post(f"{base}/api/v1/cti/{DEMO_CTI_TOKEN}", data=data, timeout=10)
    assert r.status_code == 200, r.text


def _call(page, call_id: int) -> dict:
    return page.evaluate("""async (id) => (await fetch('/api/calls/' + id,
                              {credentials: 'same-origin'})).json()""", call_id)


def _row_id(row) -> int:
    return int(row.get_attribute("data-id"))


def test_the_note_and_ctrl_enter_go_to_the_call_the_operator_took(demo_server: str, browser):
    from playwright.sync_api import expect

    from zongji.demo.data import HOTEL_LINE_NUMBER

    base = demo_server
    tag = str(time.time_ns())
    mine, ringing = f"mine-{tag}", f"ringing-{tag}"
    inbound = {"to": HOTEL_LINE_NUMBER, "direction": "in"}
    # The operator answers a call at the phone; another call rings (and a second one from the
    # same number rang just before: the card's history shows it ringing, not hung up).
    _cti(base, event="newCall", **{"from": "13600002222"}, callId=mine, **inbound)
    _cti(base, event="answer", **{"from": "13600002222"}, callId=mine, answeringNumber=OPERATOR_NUMBER,
         **inbound)
    _cti(base, event="newCall", **{"from": "13700003333"}, callId=ringing + "-first", **inbound)
    _cti(base, event="newCall", **{"from": "13700003333"}, callId=ringing, **inbound)

    context, page, errors = logged_in(browser, base, "operator", "/")
    expect(page.locator("#live-status")).to_have_attribute("data-state", "connected")
    own_row = page.locator(".call-row", has_text="13600002222")
    expect(own_row).to_have_class(re.compile(r"st-talking"))
    expect(page.locator(".call-row.st-ringing")).to_have_count(2)
    own_id = _row_id(own_row)
    # Chosen for the operator: their own call, though two calls ring above it.
    expect(own_row).to_have_class(re.compile(r"\bselected\b"))
    expect(page.locator("#card-number")).to_have_text("13600002222")

    page.keyboard.press("Alt+n")
    expect(page.locator("#notes")).to_be_focused()
    page.keyboard.type("客人问早餐时间")
    _cti(base, event="hangup", **{"from": "13600002222"}, callId=mine, cause="normalClearing", **inbound)
    expect(own_row).to_have_class(re.compile(r"st-wrapup"))
    page.keyboard.press("Control+Enter")
    expect(own_row).to_have_count(0)
    closed = _call(page, own_id)
    assert closed["closed_at"] and closed["notes"] == "客人问早餐时间"

    # Only ringing calls are left, one selected for the operator: Ctrl+Enter does not close it
    # and its note cannot be written until it is taken.
    rows = page.locator(".call-row.st-ringing")
    expect(rows).to_have_count(2)
    selected = page.locator(".call-row.selected")
    expect(selected).to_have_count(1)
    selected_id = _row_id(selected)
    expect(page.locator("#notes-lock")).to_be_visible()
    page.keyboard.press("Alt+n")
    page.keyboard.type("不该记在这里")
    expect(page.locator("#notes")).to_have_value("")
    page.keyboard.press("Escape")
    page.keyboard.press("Control+Enter")
    expect(page.locator(".toast", has_text="来电还在振铃")).to_be_visible()
    expect(rows).to_have_count(2)
    untouched = _call(page, selected_id)
    assert (untouched["closed_at"], untouched["notes"]) == (None, None)

    # The newer call's history shows the earlier call from the same number as ringing.
    page.locator(".call-row", has_text="13700003333").last.click()
    expect(page.locator("#history tbody tr")).to_have_count(1)
    expect(page.locator("#history tbody tr .badge")).to_have_text("振铃中")
    expect(page.locator("#history")).not_to_contain_text("已挂机")

    # F2 takes the oldest ringing call; `/` then opens the search instead of writing the note.
    # F2 selects it, which reads its caller card; that read was asked before the take and is
    # answered after it here (held, then given the call as it was before the take): it must not
    # undo the take on the console.
    oldest = page.locator(".call-row.st-ringing").first
    oldest_id = _row_id(oldest)
    before_take = _call(page, oldest_id)
    held = []
    page.route(re.compile(rf"/api/calls/{oldest_id}$"), lambda route: held.append(route))
    with page.expect_request(lambda r: r.method == "GET" and r.url.endswith(f"/api/calls/{oldest_id}")):
        page.keyboard.press("F2")
    taken = page.locator(".call-row.selected")
    expect(taken.locator(".row-op")).to_have_text("王小红")
    taken_id = _row_id(taken)
    assert taken_id == oldest_id and len(held) == 1
    held[0].fulfill(json=before_take)
    expect(page.locator("#greeting-zh")).not_to_have_text("…")  # the card's read has landed
    page.unroute(re.compile(rf"/api/calls/{oldest_id}$"))
    # At once, not eventually: the take's own live message may come later and mend it.
    assert page.locator("#notes-lock").is_hidden()
    page.keyboard.press("/")
    expect(page.locator("#search")).to_be_focused()
    page.keyboard.type("总经理")
    expect(page.locator("#search")).to_have_value("总经理")
    expect(page.locator("#notes")).to_have_value("")
    page.keyboard.press("Escape")
    page.keyboard.press("Alt+n")
    page.keyboard.type("找总经理")
    page.evaluate("document.querySelectorAll('.toast').forEach((n) => n.remove())")
    page.keyboard.press("Control+Enter")  # taken, but still ringing: not closed
    expect(page.locator(".toast", has_text="来电还在振铃")).to_be_visible()
    expect(page.locator(".call-row")).to_have_count(2)
    expect(page.locator("#notes-state")).to_have_text("已保存")
    assert _call(page, taken_id)["notes"] == "找总经理"
    assert not errors, errors
    context.close()


def test_an_outbound_call_is_not_ringing_and_f2_does_not_take_it(demo_server: str, browser):
    from playwright.sync_api import expect

    from zongji.demo.data import HOTEL_LINE_NUMBER

    base = demo_server
    context, page, errors = logged_in(browser, base, "operator", "/")
    expect(page.locator("#live-status")).to_have_attribute("data-state", "connected")
    _cti(base, event="newCall", **{"from": HOTEL_LINE_NUMBER}, to="13911112222", direction="out",
         callId=f"out-{time.time_ns()}")
    row = page.locator(".call-row", has_text="13911112222")
    expect(row).to_be_visible()
    expect(row).not_to_have_class(re.compile(r"st-ringing"))
    expect(row.locator(".row-state")).to_have_text("呼出中")
    expect(page.locator("#count-ringing b")).to_have_text("0")
    expect(page.locator("#btn-take")).to_be_hidden()
    page.keyboard.press("F2")
    expect(page.locator(".toast", has_text="没有振铃中的来电")).to_be_visible()
    expect(row.locator(".row-op")).to_have_count(0)
    assert _call(page, _row_id(row))["answered_by"] is None
    assert not errors, errors
    context.close()
