"""Work-order settings and the notifications bell in headless Chromium against a real server:
a supervisor adds a holiday in the calendar page (it is listed as an admin edit, a bad date is
refused by its field), and a notification addressed to supervisors appears live under the bell
and is marked read. Screenshots in test-artifacts/."""

from __future__ import annotations

import pytest

from tests.web.browser_support import ARTIFACTS
from tests.web.test_work_order_browser import _login

pytestmark = pytest.mark.browser


def test_supervisor_adds_a_holiday_and_sees_a_notification_live(demo_server, browser, backend, write):  # noqa: F811
    from playwright.sync_api import expect

    from zongji.services.notifications import notify

    errors: list[str] = []
    ctx, page = _login(browser, demo_server, "supervisor", errors)
    page.goto(demo_server + "/settings/work-orders#calendar")
    expect(page.locator("#cal-table tbody tr").first).to_be_visible()
    page.fill("#cal-year", "2099")
    page.locator("#cal-year").dispatch_event("change")
    expect(page.locator("#cal-known")).to_contain_text("未知")
    page.fill("#day-day", "2099-06-02")
    page.select_option("#day-working", "false")
    page.fill("#day-name", "防汛停工日")
    page.keyboard.press("Enter")
    row = page.locator('#cal-table tr[data-day="2099-06-02"]')
    expect(row).to_contain_text("防汛停工日")
    expect(row).to_contain_text("管理员编辑/导入")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"settings-{backend}-calendar.png"))

    # A bad import is refused next to its field.
    page.fill("#imp-year", "2099")
    page.fill("#imp-csv", "2099-13-01,休,坏日期")
    page.click("#import-form button[type=submit]")
    expect(page.locator('#import-form .field-error[data-for="csv"]')).to_contain_text("2099-13-01")
    # The API's English message ("Row 1: bad date '2099-13-01'") is not shown raw in the Chinese UI:
    # a Chinese sentence with the value it quotes (issue 8).
    import re

    slot_text = page.locator('#import-form .field-error[data-for="csv"]').text_content() or ""
    assert "输入有误" in slot_text and not re.search(r"[A-Za-z]", slot_text), slot_text

    page.keyboard.press("Alt+2")
    expect(page.locator("#sla-table tbody tr").first).to_be_visible()
    page.screenshot(path=str(ARTIFACTS / f"settings-{backend}-sla.png"))

    # The bell: a notification for supervisors arrives live.
    count = page.locator("#notif-bell .notif-count")
    before = int(count.text_content() or 0) if count.is_visible() else 0
    with write() as s:
        notify(s, kind="completion_warning", subject="催办：工单 20990602-0001 即将超时", body="请尽快办理", role="supervisor")
    expect(count).to_have_text(str(before + 1))
    page.keyboard.press("Alt+b")
    expect(page.locator("#notif-panel")).to_contain_text("即将超时")
    page.screenshot(path=str(ARTIFACTS / f"settings-{backend}-bell.png"))
    item = page.locator("#notif-panel .notif-item", has_text="即将超时")
    item.locator(".notif-read").click()
    expect(item).to_have_count(0)
    if before == 0:
        expect(count).to_be_hidden()
    else:
        expect(count).to_have_text(str(before))
    assert not errors, errors
    ctx.close()
