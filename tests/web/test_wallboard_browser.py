"""The live wallboard in a real browser (issue 10, points 2 and 8): calls reported through the
CTI endpoint change it within a second, through the live feed, without the page reloading; it
reads in zh-CN and en and has a full-screen mode for the wall."""

from __future__ import annotations

import re
import time

import httpx
import pytest

from tests.web.browser_support import ARTIFACTS, logged_in

pytestmark = pytest.mark.browser


def _cti(base: str, **data: str) -> None:
    from zongji.demo.data import DEMO_CTI_TOKEN

    r = httpx.post(f"{base}/api/v1/cti/{DEMO_CTI_TOKEN}", data=data, timeout=10)
    assert r.status_code == 200, r.text


def _value(page, tile_id: str) -> str:
    return page.locator(f"#{tile_id} .wb-v").inner_text()


def test_calls_change_the_wallboard_live_without_a_reload(demo_server, browser, backend):
    from playwright.sync_api import expect

    from zongji.demo.data import HOTEL_LINE_NUMBER

    context, page, errors = logged_in(browser, demo_server, "supervisor", "/wallboard", height=900)
    offered = page.locator("#wb-f-offered .wb-v")
    expect(offered).not_to_have_text("—")
    expect(page.locator("#wb-conn")).to_have_text("实时")
    before_offered = int(offered.inner_text())
    before_ringing = int(_value(page, "wb-ringing"))
    page.evaluate("window.__notReloaded = true")

    tag = f"wb-{backend}-{time.time_ns()}"
    call = {"from": "13912345001", "to": HOTEL_LINE_NUMBER, "direction": "in", "callId": tag}
    _cti(demo_server, event="newCall", **call)
    expect(page.locator("#wb-ringing .wb-v")).to_have_text(str(before_ringing + 1))
    expect(offered).to_have_text(str(before_offered + 1))
    expect(page.locator("#wb-ringing")).to_have_attribute("data-light", "alert")
    # The answer rate tile carries its definition and its target with the light.
    rate = page.locator("#wb-f-answer_rate")
    assert "短时放弃" in (rate.get_attribute("title") or "")
    expect(rate.locator(".wb-sub")).to_contain_text("目标 85.0 %")
    page.screenshot(path=str(ARTIFACTS / f"wallboard-{backend}-01-ringing-zh.png"), full_page=True)

    _cti(demo_server, event="answer", answeringNumber="1001", **call)
    expect(page.locator("#wb-ringing .wb-v")).to_have_text(str(before_ringing))
    _cti(demo_server, event="hangup", cause="normalClearing", **call)
    expect(page.locator("#wb-talking .wb-v")).to_have_text("0")
    assert page.evaluate("window.__notReloaded") is True

    # English: labels and definitions follow the language.
    page.click(".lang-switch button[data-lang=en]")
    expect(page.locator("#wb-f-answer_rate .wb-k")).to_have_text("Answer rate")
    expect(page.locator("#wb-conn")).to_have_text("Live")
    page.screenshot(path=str(ARTIFACTS / f"wallboard-{backend}-02-en.png"), full_page=True)

    # Full screen for the wall: F hides the header and grows the figures; Esc leaves it.
    page.keyboard.press("f")
    expect(page.locator("body")).to_have_class(re.compile(r"\bwb-full\b"))
    expect(page.locator(".topbar")).to_be_hidden()
    page.screenshot(path=str(ARTIFACTS / f"wallboard-{backend}-03-full.png"))
    page.keyboard.press("Escape")
    expect(page.locator(".topbar")).to_be_visible()
    assert not errors
    context.close()


def test_a_call_shows_in_todays_report_with_the_same_numbers_as_its_workbook(demo_server, browser, backend):
    import io

    from openpyxl import load_workbook
    from playwright.sync_api import expect

    from zongji.demo.data import HOTEL_LINE_NUMBER

    context, page, errors = logged_in(browser, demo_server, "supervisor", "/reports", height=900)
    page.click("[data-range=today]")
    total = page.locator("#rp-table tfoot td[data-key=offered]")
    expect(page.locator(".rp")).to_have_attribute("data-loaded", re.compile(r"/day$"))
    before = int(total.inner_text())
    tag = f"rp-{backend}-{time.time_ns()}"
    call = {"from": "13912345002", "to": HOTEL_LINE_NUMBER, "direction": "in", "callId": tag}
    _cti(demo_server, event="newCall", **call)
    _cti(demo_server, event="answer", answeringNumber="1001", **call)
    _cti(demo_server, event="hangup", cause="normalClearing", **call)
    page.click("[data-range=today]")
    expect(total).to_have_text(str(before + 1))
    header = page.locator("#rp-table thead th[data-key=answer_rate]")
    assert "短时放弃" in (header.get_attribute("title") or "")
    page.select_option("#rp-group", "line")
    expect(page.locator(".rp")).to_have_attribute("data-loaded", re.compile(r"/line$"))
    expect(page.locator("#rp-table tbody")).to_contain_text("酒店总机")
    page.screenshot(path=str(ARTIFACTS / f"reports-{backend}-01-line-zh.png"), full_page=True)

    # The workbook behind the Excel link holds the table's total.
    href = page.locator("#rp-xlsx").get_attribute("href")
    data = context.request.get(demo_server + href).body()
    ws = load_workbook(io.BytesIO(data)).worksheets[0]
    assert ws.cell(ws.max_row, 1).value == "合计"
    head = [c.value for c in ws[2]]
    assert ws.cell(ws.max_row, head.index("呼入量") + 1).value == int(total.inner_text())

    # Work orders: the units' ranking, with the same kind of table and its own workbook.
    page.select_option("#rp-kind", "orders")
    expect(page.locator(".rp")).to_have_attribute("data-loaded", re.compile(r"^orders/.*/unit$"))
    expect(page.locator("#rp-table thead th[data-key=on_time_completion_rate]")).to_have_text("按时办结率")
    expect(page.locator("#rp-xlsx")).to_have_attribute("href", re.compile(r"^/api/stats/orders\.xlsx\?"))
    page.screenshot(path=str(ARTIFACTS / f"reports-{backend}-05-orders-zh.png"), full_page=True)
    # Operator evaluation: a row per operator; the supervisor writes a comment in place.
    page.select_option("#rp-kind", "operators")
    expect(page.locator(".rp")).to_have_attribute("data-loaded", re.compile(r"^operators/"))
    row = page.locator("#rp-table tbody tr", has_text="王小红")
    expect(row.locator("td[data-key=calls_answered]")).not_to_have_text("0")
    row.locator(".rp-comment-edit").click()
    page.keyboard.type("接听及时")
    page.keyboard.press("Control+Enter")
    expect(page.locator("#rp-table tbody tr", has_text="王小红").locator(".rp-comment")).to_contain_text("接听及时")
    page.screenshot(path=str(ARTIFACTS / f"reports-{backend}-06-operators-zh.png"), full_page=True)
    page.select_option("#rp-kind", "wakeups")
    expect(page.locator(".rp")).to_have_attribute("data-loaded", re.compile(r"^wakeups/"))
    expect(page.locator("#rp-table thead")).to_contain_text("首次呼叫确认率")
    # The booking hotline's figures (issue 17): per operator and day, the confirmation rate, the
    # hotels that refused (the demo's hotel bookings: three confirmed, one refused).
    page.select_option("#rp-kind", "bookings")
    expect(page.locator(".rp")).to_have_attribute("data-loaded", re.compile(r"^bookings/"))
    expect(page.locator("#rp-table tbody tr").first).to_contain_text("酒店")
    expect(page.locator("#rp-scope")).to_contain_text("确认 3 次、拒绝 1 次，确认率 75.0 %")
    expect(page.locator("#rp-messages")).to_contain_text("拒绝的酒店")
    expect(page.locator("#rp-xlsx")).to_be_hidden()
    page.screenshot(path=str(ARTIFACTS / f"reports-{backend}-07-bookings-zh.png"), full_page=True)
    page.select_option("#rp-kind", "calls")
    expect(page.locator(".rp")).to_have_attribute("data-loaded", re.compile(r"^calls/"))
    expect(page.locator("#rp-xlsx")).to_be_visible()

    # The staffing forecast for next week: a row per day, computed from the last weeks' calls.
    expect(page.locator(".rp-forecast")).to_have_attribute("data-loaded", re.compile(r"^\d{4}-\d{2}-\d{2}$"))
    expect(page.locator("#fc-table tbody tr")).to_have_count(7)
    page.fill("#fc-target-level", "100")  # a target of 100 % cannot be met: the field says so
    page.click("#fc-form button[type=submit]")
    expect(page.locator("#fc-target-level:invalid")).to_be_focused()
    page.fill("#fc-target-level", "80")
    page.locator(".rp-forecast").screenshot(path=str(ARTIFACTS / f"reports-{backend}-04-forecast-zh.png"))

    page.click(".lang-switch button[data-lang=en]")
    expect(page.locator("#rp-table thead th[data-key=answer_rate]")).to_have_text("Answer rate")
    page.screenshot(path=str(ARTIFACTS / f"reports-{backend}-02-line-en.png"), full_page=True)
    page.locator(".topbar").screenshot(path=str(ARTIFACTS / f"reports-{backend}-03-header-en.png"))
    assert not errors
    context.close()


def test_a_unit_reads_its_own_work_order_figures(demo_server, browser, backend):
    from playwright.sync_api import expect

    context, page, errors = logged_in(browser, demo_server, "unit", "/reports")
    expect(page.locator(".rp")).to_have_attribute("data-loaded", re.compile(r"^orders/"))
    assert page.locator("#rp-kind option").all_inner_texts() == ["工单"]
    expect(page.locator("#rp-scope")).to_have_text("仅统计本单位的工单")
    assert page.locator(".rp-forecast").count() == 0
    assert not errors
    context.close()


def test_an_operator_going_away_shows_on_the_wallboard_at_once(demo_server, browser, backend):
    """F9 in the console: the operator is away (示忙) with a reason; the shift leader's wallboard
    counts and lists them within a second, and again when they take calls again."""
    from playwright.sync_api import expect

    board_ctx, board, board_errors = logged_in(browser, demo_server, "supervisor", "/wallboard", height=900)
    away = board.locator("#wb-op-away")
    expect(away).not_to_have_text("—")
    before = int(away.inner_text())
    ctx, page, errors = logged_in(browser, demo_server, "operator", "/")
    expect(page.locator("#presence")).to_have_attribute("data-state", "available")
    page.select_option("#presence-reason", "meal")
    page.keyboard.press("F9")
    expect(page.locator("#presence")).to_have_attribute("data-state", "away")
    expect(page.locator("#presence-label")).to_contain_text("用餐中")
    expect(page.locator("#presence-reason")).to_be_disabled()
    expect(away).to_have_text(str(before + 1))
    expect(board.locator("#wb-away-list li")).to_contain_text(["用餐"])
    page.screenshot(path=str(ARTIFACTS / f"presence-{backend}-01-console-away-zh.png"))
    board.screenshot(path=str(ARTIFACTS / f"presence-{backend}-02-wallboard-away-zh.png"), full_page=True)
    page.locator("#presence-toggle").click()
    expect(page.locator("#presence")).to_have_attribute("data-state", "available")
    expect(away).to_have_text(str(before))
    expect(board.locator("#wb-away-list li")).to_have_count(0)
    assert not errors and not board_errors
    ctx.close()
    board_ctx.close()


def test_a_roster_imported_on_the_reports_page_shows_against_the_forecast(demo_server, browser, backend, tmp_path):
    """The shift leader imports next week's roster (XLSX); the forecast then charts each day's need
    against the operators scheduled and counts the half-hours short."""
    import datetime as dt

    from openpyxl import Workbook
    from playwright.sync_api import expect

    today = dt.datetime.now(dt.timezone(dt.timedelta(hours=8))).date()
    monday = today - dt.timedelta(days=today.weekday()) + dt.timedelta(weeks=1)
    wb = Workbook()
    wb.active.append(["工号", "日期", "开始", "结束"])
    for day in range(7):
        wb.active.append(["1001", (monday + dt.timedelta(days=day)).isoformat(), "08:00", "17:00"])
    wb.active.append(["0000", monday.isoformat(), "08:00", "17:00"])
    path = tmp_path / "排班.xlsx"
    wb.save(path)

    context, page, errors = logged_in(browser, demo_server, "leader", "/reports", height=1400)
    expect(page.locator(".rp-forecast")).to_have_attribute("data-loaded", re.compile(r"^\d{4}-\d{2}-\d{2}$"))
    page.set_input_files("#fc-roster-file", str(path))
    page.click("#fc-roster-form button[type=submit]")
    expect(page.locator("#fc-rejected li")).to_have_count(1)
    expect(page.locator("#fc-rejected li")).to_have_text("第 9 行 工号：没有工号为“0000”的话务员")
    expect(page.locator("#fc-day-field")).to_be_visible()
    expect(page.locator("#fc-table thead")).to_contain_text("排班不足时段")
    expect(page.locator("#fc-table tbody tr")).to_have_count(7)
    page.locator(".rp-forecast").screenshot(path=str(ARTIFACTS / f"roster-{backend}-01-forecast-zh.png"))
    assert not errors
    context.close()
