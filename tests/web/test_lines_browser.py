"""The lines page (/settings/lines, issue 3 point 7) in headless Chromium against a real server:
a supervisor changes the 400 hotline's Chinese greeting from the keyboard and the operator's
console then shows that greeting for a call on the line (R-H1, R-C1, R-S14); a bad placeholder is
refused next to its field; a shift leader records a line fault and closes it (R-S3) and sees the
line settings read-only. Screenshots in test-artifacts/."""

from __future__ import annotations

import httpx
import pytest

from tests.web.browser_support import ARTIFACTS
from tests.web.test_work_order_browser import _login

pytestmark = pytest.mark.browser

NEW_GREETING = "{greeting}！示例科技客服中心，请问有什么可以帮助您？"


def _shot(page, name: str, backend: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"lines-{backend}-{name}.png"))


def test_supervisor_edits_a_greeting_and_the_console_says_it(demo_server, browser, backend):
    from playwright.sync_api import expect

    from zongji.services.demo_data import COMPANY_400_NUMBER, DEMO_CTI_TOKEN

    errors: list[str] = []
    ctx, page = _login(browser, demo_server, "supervisor", errors)
    page.goto(demo_server + "/settings/lines")
    rows = page.locator("#ln-table tbody tr")
    expect(rows).to_have_count(3)
    row = page.locator('#ln-table tr[data-code="hotline-400"]')
    expect(row).to_contain_text("4008001234")
    expect(row).to_contain_text("只接听")
    _shot(page, "01-list", backend)

    # Keyboard: down to the 400 line, Enter opens it with the name field focused.
    page.locator("#ln-table tbody tr").first.focus()
    for _ in range(3):
        if page.evaluate("document.activeElement.dataset.code") == "hotline-400":
            break
        page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    form = page.locator("#ln-form")
    expect(form).to_be_visible()
    expect(page.locator("#ln-form [name=name]")).to_be_focused()
    expect(page.locator("#ln-route")).to_contain_text("现在来电转到")

    # A placeholder that does not exist is refused next to the greeting.
    page.fill("#ln-form [name=greeting_zh]", "您好，{company}")
    page.keyboard.press("Control+Enter")
    expect(page.locator('#ln-form .field-error[data-for="greeting_zh"]')).to_contain_text("company")

    page.fill("#ln-form [name=greeting_zh]", NEW_GREETING)
    page.keyboard.press("Control+Enter")
    expect(page.locator("#ln-greeting-now-zh")).to_contain_text("！示例科技客服中心，请问有什么可以帮助您？")
    expect(page.locator('#ln-form .field-error[data-for="greeting_zh"]')).to_be_empty()
    _shot(page, "02-greeting-saved", backend)
    assert not errors, errors
    ctx.close()

    # The operator's console: a call on the 400 line shows the new greeting.
    ctx, page = _login(browser, demo_server, "operator", errors)
    expect(page.locator("#live-status")).to_have_attribute("data-state", "connected")
    r = httpx.post(f"{demo_server}/api/v1/cti/{DEMO_CTI_TOKEN}", timeout=10,
                   data={"event": "newCall", "from": "13912345678", "to": COMPANY_400_NUMBER,
                         "direction": "in", "callId": "lines-greeting-1"})
    assert r.status_code == 200, r.text
    row = page.locator(".call-row", has_text="13912345678")
    expect(row).to_be_visible(timeout=5000)
    row.click()
    expect(page.locator("#greeting-zh")).to_contain_text("！示例科技客服中心，请问有什么可以帮助您？")
    expect(page.locator("#greeting-zh")).not_to_contain_text("{greeting}")
    _shot(page, "03-console-greeting", backend)
    assert not errors, errors
    ctx.close()


def test_shift_leader_records_and_closes_a_fault(demo_server, browser, backend):
    from playwright.sync_api import expect

    errors: list[str] = []
    ctx, page = _login(browser, demo_server, "leader", errors)
    expect(page.locator('.nav a[href="/settings/lines"]')).to_be_visible()
    page.goto(demo_server + "/settings/lines")
    expect(page.locator("#ln-table tbody tr")).to_have_count(3)
    page.locator('#ln-table tr[data-code="hotline-400"]').click()
    expect(page.locator("#ln-form [name=greeting_zh]")).to_be_disabled()  # read-only for shift leaders
    expect(page.locator("#ln-save")).to_have_count(0)

    page.keyboard.press("Alt+n")
    expect(page.locator("#fault-cause")).to_be_focused()
    page.select_option("#fault-line", "hotel-switchboard")
    page.locator("#fault-form button[type=submit]").click()
    expect(page.locator('#fault-form .field-error[data-for="cause"]')).not_to_be_empty()  # cause required
    page.fill("#fault-cause", "测试电话无振铃，外线忙音")
    page.keyboard.press("Control+Enter")
    open_row = page.locator("#ln-faults-open tbody tr", has_text="测试电话无振铃")
    expect(open_row).to_be_visible()
    expect(open_row).to_contain_text("技术部")
    expect(page.locator("#ln-banner")).to_contain_text("1 个故障未修复")
    _shot(page, "04-fault-open", backend)

    open_row.get_by_role("button", name="修复").click()
    expect(page.locator("#close-resolution")).to_be_focused()
    page.fill("#close-resolution", "电信局修复中继")
    page.keyboard.press("Control+Enter")
    expect(page.locator("#ln-faults-open tbody")).to_contain_text("没有未修复的故障")
    past = page.locator("#ln-faults-past tbody tr", has_text="测试电话无振铃")
    expect(past).to_contain_text("电信局修复中继")
    expect(page.locator("#ln-banner")).to_be_hidden()
    _shot(page, "05-fault-closed", backend)

    # The line list shows the open fault count only while a fault is open.
    page.keyboard.press("Alt+1")
    expect(page.locator('#ln-table tr[data-code="hotel-switchboard"]')).not_to_contain_text("故障")
    assert not errors, errors
    ctx.close()
