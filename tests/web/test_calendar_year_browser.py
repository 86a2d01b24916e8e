"""Next year's holiday notice, as a supervisor and a unit see it in headless Chromium (issue 8).

Until next year's notice is imported: every supervisor page carries the reminder (decided by the
server in Asia/Shanghai, here from 1 January so the test does not depend on today's date), the
calendar page shows next year's holidays computed by rule as provisional with Chinese names and
weekdays, and an order whose deadline reaches into next year says "provisional" on its page and
in the unit's portal. Importing the notice from the page clears all of that. Screenshots in
test-artifacts/.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from tests.web.browser_support import ARTIFACTS, logged_in

pytestmark = pytest.mark.browser
SH = ZoneInfo("Asia/Shanghai")
WEEKDAY_ZH = "一二三四五六日"


def _order_reaching_next_year(write, year: int) -> int:
    """Dispatched on 28 December of ``year`` with 5 working days: the deadline is in January."""
    from zongji.services.work_orders import commands, visibility
    from zongji.store.models import User

    at = dt.datetime(year, 12, 28, 10, 0, tzinfo=SH)
    with write() as s:
        op = visibility.Viewer.of(s.scalar(select(User).where(User.username == "operator")))
        leader = visibility.Viewer.of(s.scalar(select(User).where(User.username == "leader")))
        unit = s.scalar(select(User).where(User.username == "unit"))
        o = commands.create_order(s, op, commands.NewOrder(
            order_type="request", situation="general", description="幸福路路灯不亮", caller_name="张三",
            place="幸福路12号"), tz=SH, now=at)
        commands.act(s, leader, o.id, {"action": "dispatch", "unit_id": unit.department_id}, tz=SH,
                     now=at + dt.timedelta(minutes=5))
        return o.id


def test_next_years_notice_missing_then_imported(demo_server, browser, backend, write, settings):
    from playwright.sync_api import expect

    settings.calendar_reminder_from = "01-01"  # the reminder is due whatever today's date
    this_year = dt.datetime.now(SH).year
    nxt = this_year + 1
    order_id = _order_reaching_next_year(write, this_year)
    ARTIFACTS.mkdir(exist_ok=True)

    ctx, page, errors = logged_in(browser, demo_server, "supervisor", "/calls")
    reminder = page.locator("#calendar-reminder")
    expect(reminder).to_have_text(f"{nxt} 年放假安排未导入")
    page.screenshot(path=str(ARTIFACTS / f"calendar-{backend}-reminder.png"))
    reminder.click()
    expect(page).to_have_url(demo_server + "/settings/work-orders#calendar")
    expect(page.locator("#imp-year")).to_be_focused()
    expect(page.locator("#imp-year")).to_have_value(str(nxt))
    expect(page.locator("#cal-banner")).to_contain_text(f"{nxt} 年放假安排尚未导入")

    page.fill("#cal-year", str(nxt))
    page.locator("#cal-year").dispatch_event("change")
    expect(page.locator("#cal-known")).to_contain_text("暂定")
    new_year = page.locator(f'#cal-table tr[data-day="{nxt}-01-01"]')
    expect(new_year).to_contain_text("元旦")
    expect(new_year).to_contain_text("按法定规则推算（暂定）")
    expect(new_year.locator("td").nth(1)).to_have_text(WEEKDAY_ZH[dt.date(nxt, 1, 1).weekday()])
    expect(page.locator("#cal-withdraw")).to_be_hidden()
    page.screenshot(path=str(ARTIFACTS / f"calendar-{backend}-provisional-year.png"))

    page.goto(f"{demo_server}/work-orders/{order_id}")
    mark = page.locator("#wo-clocks .dl-provisional")
    expect(mark).to_have_text("暂定")
    assert f"{nxt} 年放假安排未导入" in (mark.get_attribute("title") or "")
    page.screenshot(path=str(ARTIFACTS / f"calendar-{backend}-order-provisional.png"))

    # The unit sees it in its portal, and no reminder (it cannot import anything).
    uctx, upage, uerrors = logged_in(browser, demo_server, "unit", "/unit")
    row = upage.locator("tr", has_text="幸福路路灯不亮")
    expect(row.locator(".dl-provisional")).to_have_text("暂定")
    expect(upage.locator("#calendar-reminder")).to_have_count(0)
    upage.screenshot(path=str(ARTIFACTS / f"calendar-{backend}-unit-portal.png"))

    # Import the notice from the page: the reminder goes, the order's deadline is no longer provisional.
    page.goto(demo_server + "/settings/work-orders#calendar")
    page.fill("#imp-year", str(nxt))
    page.fill("#imp-csv", f"日期,班/休,名称\n{nxt}-01-01,休,元旦\n")
    page.click("#import-form button[type=submit]")
    expect(page.locator("#toasts")).to_contain_text(f"已导入 {nxt} 年 1 天")
    expect(page.locator("#cal-withdraw")).to_be_visible()
    page.reload()
    expect(page.locator("#cal-table tbody tr").first).to_be_visible()
    expect(page.locator("#calendar-reminder")).to_have_count(0)
    page.goto(f"{demo_server}/work-orders/{order_id}")
    expect(page.locator("#wo-clocks .clock-row").first).to_be_visible()
    expect(page.locator(".dl-provisional")).to_have_count(0)
    upage.reload()
    expect(upage.locator("tr", has_text="幸福路路灯不亮")).to_be_visible()
    expect(upage.locator(".dl-provisional")).to_have_count(0)
    assert not errors and not uerrors, errors + uerrors
    uctx.close()
    ctx.close()
