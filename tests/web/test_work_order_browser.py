"""One work order's whole life in headless Chromium against a real server (SQLite and PostgreSQL):
a citizen calls 12345 → the operator creates the order from the call in one click (caller and
note carried over) → the shift leader dispatches it → the unit accepts and replies in its
portal → the callback records "dissatisfied" → the order is on the supervision list.
Screenshots go to test-artifacts/ (gitignored)."""

from __future__ import annotations

import re
import time

import httpx
import pytest

from tests.web.browser_support import ARTIFACTS, log_in, new_context

pytestmark = [pytest.mark.browser, pytest.mark.both_databases, pytest.mark.slow]

CITIZEN = "13512340000"


def _cti(base: str, **data: str) -> None:
    from zongji.demo.data import DEMO_CTI_TOKEN

    r = httpx.post(f"{base}/api/v1/cti/{DEMO_CTI_TOKEN}", data=data, timeout=10)
    assert r.status_code == 200, r.text


def _shot(page, name: str, backend: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"work-order-{backend}-{name}.png"))


def _login(browser, base: str, username: str, errors: list[str]):
    ctx = new_context(browser)
    log_in(ctx, base, username)
    page = ctx.new_page()
    page.on("pageerror", lambda exc: errors.append(f"{username}: {exc}"))
    page.goto(base + "/")  # each role lands where the login page would send it
    page.wait_for_load_state("load")
    return ctx, page


def test_one_orders_whole_life(demo_server: str, browser, backend: str):
    from playwright.sync_api import expect

    from zongji.demo.data import HOTLINE_12345_NUMBER

    base = demo_server
    errors: list[str] = []
    op_ctx, op = _login(browser, base, "hotline", errors)  # the 12345 operator (issue 8: not the hotel's)
    expect(op.locator("#live-status")).to_have_attribute("data-state", "connected")

    # A citizen calls 12345; the operator takes it and notes what they say.
    call_id = f"wo-browser-{backend}-{time.time_ns()}"
    _cti(base, event="newCall", **{"from": CITIZEN}, to=HOTLINE_12345_NUMBER, direction="in", callId=call_id)
    row = op.locator(".call-row", has_text=CITIZEN)
    expect(row).to_be_visible()
    op.keyboard.press("F2")
    _cti(base, event="answer", **{"from": CITIZEN}, to=HOTLINE_12345_NUMBER, direction="in", callId=call_id,
         answeringNumber="3001")
    expect(row).to_have_class(re.compile(r"st-talking"))
    row.click()
    op.keyboard.press("Alt+n")
    note = "和平路与中山路口井盖缺失，晚上很危险"
    op.keyboard.type(note)
    expect(op.locator("#notes-state")).not_to_have_text("")

    # One click: the order form opens in a new tab with the caller's number and the note.
    with op_ctx.expect_page() as new_tab:
        op.click("#btn-work-order")
    form = new_tab.value
    form.on("pageerror", lambda exc: errors.append(f"form: {exc}"))
    expect(form.locator("#caller_number")).to_have_value(CITIZEN)
    expect(form.locator("#description")).to_have_value(note)
    expect(form.locator("#from-call")).to_be_visible()
    form.keyboard.press("Alt+2")  # 一般诉求
    form.select_option("#situation", "general")
    expect(form.locator("#guide")).to_contain_text("班长派单")
    expect(form.locator("#guide")).not_to_contain_text("null")
    form.fill("#caller_name", "孙先生")
    form.fill("#place", "和平路与中山路交叉口")
    form.select_option("#category", "city/manholes")
    _shot(form, "01-form-from-call", backend)
    form.keyboard.press("Control+Enter")
    expect(form).to_have_url(re.compile(r"/work-orders/\d+$"))
    number = form.locator("#wo-head .wo-num").inner_text()
    assert re.fullmatch(r"\d{8}-\d{4}", number)
    expect(form.locator("#wo-head")).to_contain_text("待派单")
    expect(form.locator("#wo-clocks")).to_contain_text("派单")
    # A general request is dispatched, never closed directly (R-P2): no such button.
    expect(form.locator("button[data-action=dispatch]")).to_have_count(0)  # the operator does not dispatch
    expect(form.locator("button[data-action=close_directly]")).to_have_count(0)
    # The call it came from is on the order, with a link to the call log.
    intake = form.locator("#wo-calls li", has_text=CITIZEN)
    expect(intake).to_contain_text("受理来电")
    expect(intake).to_contain_text("呼入")
    expect(intake.locator("a")).to_have_attribute("href", re.compile(r"^/calls\?number=" + CITIZEN))
    order_url = form.url
    _shot(form, "02-created", backend)

    # The shift leader finds it in the dispatch queue and dispatches it to 市城管局.
    lead_ctx, lead = _login(browser, base, "leader", errors)
    lead.goto(base + "/dispatch")
    queue_row = lead.locator("#wo-table tbody tr", has_text=number)
    expect(queue_row).to_be_visible()
    expect(queue_row.locator(".sla")).to_have_text("正常")
    _shot(lead, "03-dispatch-queue", backend)
    queue_row.click()
    expect(lead).to_have_url(order_url)
    lead.click("button[data-action=dispatch]")
    expect(lead.locator("#action-form select[name=unit_id]")).to_have_value(re.compile(r"\d+"))  # suggested
    lead.select_option("#action-form select[name=unit_id]", label="市城管局")
    lead.keyboard.press("Control+Enter")
    expect(lead.locator("#wo-head")).to_contain_text("已派单")
    expect(lead.locator("#wo-kv")).to_contain_text("市城管局")

    # The unit (市城管局， login unit2) sees it in its portal, accepts and replies.
    unit_ctx, unit = _login(browser, base, "unit2", errors)
    expect(unit).to_have_url(base + "/unit")
    unit_row = unit.locator("#wo-table tbody tr", has_text=number)
    expect(unit_row).to_be_visible()
    _shot(unit, "04-unit-portal", backend)
    unit_row.click()
    unit.click("button[data-action=accept]")
    unit.keyboard.press("Control+Enter")
    expect(unit.locator("#wo-head")).to_contain_text("已签收")
    unit.click("button[data-action=reply]")
    reply = "已于当日补装井盖并设置警示标志。"
    unit.fill("#action-form textarea[name=text]", reply)
    unit.keyboard.press("Control+Enter")
    expect(unit.locator("#wo-head")).to_contain_text("已答复")
    # The housing unit (login unit) does not see this order.
    other_ctx, other = _login(browser, base, "unit", errors)
    expect(other.locator("#wo-table tbody tr", has_text=number)).to_have_count(0)

    # Callback: the operator calls the citizen back (the PBX reports the outgoing call) …
    back_id = f"wo-browser-back-{backend}-{time.time_ns()}"
    _cti(base, event="newCall", **{"from": "3001"}, to=CITIZEN, direction="out", callId=back_id)
    _cti(base, event="answer", **{"from": "3001"}, to=CITIZEN, direction="out", callId=back_id, answeringNumber=CITIZEN)
    _cti(base, event="hangup", **{"from": "3001"}, to=CITIZEN, direction="out", callId=back_id, cause="normalClearing")
    # … sees the unit's reply first, and records "dissatisfied" with that call.
    op.goto(base + "/callbacks")
    cb_row = op.locator("#wo-table tbody tr", has_text=number)
    expect(cb_row).to_contain_text(reply)
    cb_row.click()
    expect(op.locator("#wo-reply")).to_have_text(reply)
    op.click("button[data-action=record_callback]")
    op.locator("#action-form label", has_text="不满意").click()
    op.fill("#action-form textarea[name=caller_words]", "警示标志第二天就被风吹倒了")
    expect(op.locator("#action-form select[name=call_id] option:checked")).to_contain_text("呼出")
    _shot(op, "05-callback", backend)
    op.keyboard.press("Control+Enter")
    expect(op.locator("#wo-head")).to_contain_text("复核中")
    expect(op.locator("#wo-calls li", has_text="回访电话")).to_contain_text(CITIZEN)
    expect(op.locator("#wo-calls li")).to_have_count(2)
    expect(op.locator("#wo-head .tag-sup")).to_be_visible()
    expect(op.locator("#wo-timeline")).to_contain_text("不满意")

    # It lands on the supervision list.
    sup_ctx, sup = _login(browser, base, "supervisor", errors)
    sup.goto(base + "/supervision")
    sup_row = sup.locator("#wo-table tbody tr", has_text=number)
    expect(sup_row).to_be_visible()
    expect(sup_row).to_contain_text("回访不满意")
    _shot(sup, "06-supervision", backend)
    sup.goto(order_url)
    timeline = sup.locator("#wo-timeline li")
    expect(timeline).to_have_count(6)  # … and the callback call linked
    _shot(sup, "07-order-history", backend)
    assert not errors, errors
    for c in (op_ctx, lead_ctx, unit_ctx, other_ctx, sup_ctx):
        c.close()
