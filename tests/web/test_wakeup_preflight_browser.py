"""The wake-up board's pre-flight line in headless Chromium (SQLite and PostgreSQL): a
pre-flight without a test extension (the default) made no test call, and the board says so in
amber — never "测试呼叫：正常" (R-H9 "check the machine"). Screenshots in test-artifacts/."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.web.browser_support import ARTIFACTS, logged_in

pytestmark = pytest.mark.browser


def test_board_warns_that_no_test_call_was_made(demo_server, browser, backend, write, settings):
    from playwright.sync_api import expect

    from zongji.services import wakeups as svc
    from zongji.store.models import utcnow

    now = utcnow()
    today = now.astimezone(settings.tz).date()
    with write() as s:  # whichever day the board opens on (the next one from noon)
        for day in (today, today + dt.timedelta(days=1)):
            svc.record_preflight(s, day=day.isoformat(), due_at=now, now=now, ok=True, target=None,
                                 outcome=svc.PREFLIGHT_NO_TARGET,
                                 detail="no test call: no test extension configured "
                                        "(wakeup_preflight_target); gateway healthy",
                                 settings=settings)
    context, page, _ = logged_in(browser, demo_server, "operator", "/wakeups")
    pf = page.locator("#wk-preflight")
    expect(pf).to_have_class("wk-preflight warn")
    expect(pf).to_contain_text("未做测试呼叫")
    expect(pf).to_contain_text("未设置测试分机")
    assert "正常" not in pf.inner_text()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"wakeups-{backend}-preflight-no-target.png"))
    context.close()


def test_a_failed_pre_check_says_why_in_chinese_without_exception_text(demo_server, browser, backend,
                                                                       write, settings):
    """Issue 8: the gateway refusing the connection is shown as 叫醒电话网关没有响应 on the board
    and the alert bar; "[Errno 111] Connection refused" stays in the technical tooltip only."""
    from playwright.sync_api import expect

    from zongji.services import wakeups as svc
    from zongji.store.models import utcnow

    raw = ("no test call: no test extension configured (wakeup_preflight_target); gateway not ok: "
           "SIP gateway unreachable: [Errno 111] Connection refused")
    now = utcnow()
    today = now.astimezone(settings.tz).date()
    with write() as s:
        for day in (today, today + dt.timedelta(days=1)):
            svc.record_preflight(s, day=day.isoformat(), due_at=now, now=now, ok=False, target=None,
                                 outcome="unhealthy", detail=raw, settings=settings)
    context, page, errors = logged_in(browser, demo_server, "operator", "/wakeups")
    pf = page.locator("#wk-preflight")
    expect(pf).to_have_class("wk-preflight bad")
    expect(pf).to_contain_text("叫醒电话网关没有响应")
    expect(pf).to_have_attribute("title", raw)
    bar = page.locator("#wk-alert-bar li.system").first
    expect(bar).to_contain_text("叫醒电话网关没有响应")
    for text in (pf.inner_text(), page.locator("#wk-alert-bar").inner_text()):
        assert "Errno" not in text and "refused" not in text and "no test call" not in text, text
    assert errors == []
    page.screenshot(path=str(ARTIFACTS / f"wakeups-{backend}-preflight-refused.png"))
    context.close()
