"""Issue 8, point 9 — words in the operator's language, in headless Chromium (SQLite and
PostgreSQL): times in notifications are local and formatted, never ISO strings."""

from __future__ import annotations

import pytest

from tests.web.browser_support import logged_in

pytestmark = pytest.mark.browser


def test_notification_times_are_formatted_not_iso(demo_server, browser, write, settings):
    from playwright.sync_api import expect

    from zongji.services import notifications

    with write() as s:  # a text written before the server formatted its times
        notifications.notify(s, kind="dispatched", role="operator", external=False,
                             subject="新派工单 20261203-0001 办结时限 2026-12-10T09:30:00+00:00",
                             body="路灯不亮\n办结时限： 2026-12-10T17:30:00+08:00")
    context, page, errors = logged_in(browser, demo_server, "operator", "/calls")
    page.locator("#notif-bell").click()
    item = page.locator("#notif-panel .notif-item").first
    expect(item.locator(".notif-body")).to_contain_text("2026-12-10 17:30")
    expect(item.locator(".notif-subject")).to_contain_text("2026-12-10 17:30")
    text = item.inner_text()
    assert "T17:30" not in text and "+08:00" not in text and "T09:30" not in text, text
    assert errors == []
    context.close()


def test_supplementary_talk_time_takes_one_format(demo_server, browser, settings, session_factory):
    """The talk time is minutes:seconds (as the log shows it): "1:30" is 90 seconds; a bare "3"
    (minutes? seconds?) is refused with the format named."""
    import datetime as dt

    from playwright.sync_api import expect
    from sqlalchemy import select

    from zongji.store.models import Call

    context, page, errors = logged_in(browser, demo_server, "operator", "/calls")
    when = (dt.datetime.now(settings.tz) - dt.timedelta(days=1)).replace(hour=22, minute=5)
    page.keyboard.press("Alt+n")
    form = page.locator("#supp-form")
    expect(form.locator("[name=occurred_at]")).to_be_focused()
    expect(page.locator("#supp-form")).to_contain_text("3:20")  # the label says the format
    form.locator("[name=occurred_at]").fill(when.strftime("%Y-%m-%dT%H:%M"))
    form.locator("[name=calling_number]").fill("13901390077")
    form.locator("[name=talk_seconds]").fill("3")
    page.keyboard.press("Control+Enter")
    expect(page.locator(".toast.error", has_text="3:20 为 3分20秒")).to_be_visible()
    expect(form.locator("[name=talk_seconds]")).to_be_focused()
    form.locator("[name=talk_seconds]").fill("1:30")
    page.keyboard.press("Control+Enter")
    expect(form).to_be_hidden()
    row = page.locator("#log-table tbody tr", has_text="13901390077")
    expect(row).to_contain_text("1:30")
    with session_factory() as s:
        assert s.scalars(select(Call.talk_seconds).where(Call.calling_number == "13901390077")).one() == 90
    assert errors == []
    context.close()
