"""The call log in headless Chromium: a supplementary record of a call handled after hours (R-S4).

The operator opens the record form with Alt+N, is refused with the field named when the calling
number is missing, records the call with its talk time and note from the keyboard, and finds it in
the log marked 补录 — also with the "supplementary only" filter. Runs on SQLite and PostgreSQL.
"""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import insert, select

from tests.web.browser_support import ARTIFACTS, logged_in

pytestmark = pytest.mark.browser


def _shot(page, name: str, backend: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"call-log-{backend}-{name}.png"))


def test_operator_records_an_after_hours_call_afterwards(demo_server, browser, backend, settings,
                                                         session_factory):
    from playwright.sync_api import expect

    from zongji.store.models import AuditEntry, Call

    _, page, errors = logged_in(browser, demo_server, "operator", "/calls")

    # Last night at 22:40 local time, after hours: a caller rang the 400 line's duty mobile.
    when = (dt.datetime.now(settings.tz) - dt.timedelta(days=1)).replace(hour=22, minute=40,
                                                                         second=0, microsecond=0)
    page.keyboard.press("Alt+n")
    form = page.locator("#supp-form")
    expect(form).to_be_visible()
    expect(form.locator("[name=occurred_at]")).to_be_focused()
    form.locator("[name=occurred_at]").fill(when.strftime("%Y-%m-%dT%H:%M"))
    # Saving without the calling number is refused, and the field is named and focused.
    page.keyboard.press("Control+Enter")
    expect(page.locator(".toast.error", has_text="输入有误：主叫号码")).to_be_visible()
    expect(form.locator("[name=calling_number]")).to_be_focused()
    form.locator("[name=calling_number]").fill("１３９ ０１３９ ０００１")  # full-width, as typed
    form.locator("[name=talk_seconds]").fill("3:20")
    form.locator("[name=notes]").fill("下班后来电：投诉热水器不热，已告知明早工程部上门。")
    _shot(page, "01-form", backend)
    page.keyboard.press("Control+Enter")
    expect(form).to_be_hidden()
    expect(page.locator(".toast.ok", has_text="已补录")).to_be_visible()

    row = page.locator("#log-table tbody tr", has_text="13901390001")
    expect(row).to_have_count(1)
    expect(row.locator(".badge.o-supplementary")).to_have_text("补录")
    expect(row).to_contain_text(when.strftime("%m-%d %H:%M"))
    expect(row).to_contain_text("3:20")
    expect(row).to_contain_text("热水器不热")
    expect(row).to_contain_text("王小红")
    _shot(page, "02-log", backend)

    # "Supplementary only" keeps it; "live only" hides it.
    page.select_option("select[name=supplementary]", "true")
    expect(row).to_have_count(1)
    page.select_option("select[name=supplementary]", "false")
    expect(page.locator("#log-table tbody tr", has_text="13901390001")).to_have_count(0)
    assert "supplementary=false" in page.url

    # A few pages of calls: pages by cursor (PgDn, PgUp), the count beside them (issue 18).
    with session_factory() as s:
        s.execute(insert(Call), [{"direction": "in", "calling_number": f"1380013{k:04d}", "called_number": "8000",
                                  "state": "ended", "outcome": "answered", "caller_kind": "unknown",
                                  "ringing_at": when - dt.timedelta(hours=1, minutes=k)} for k in range(120)])
        s.commit()
    page.goto(demo_server + "/calls")
    info = page.locator("#page-info")
    expect(info).to_contain_text("第 1 页 · 共 121 条")
    first = page.locator("#log-table tbody tr").first.get_attribute("data-id")
    page.locator("body").click(position={"x": 5, "y": 5})
    page.keyboard.press("PageDown")
    expect(info).to_contain_text("第 2 页")
    assert "cursor=" in page.url
    expect(page.locator(f"#log-table tbody tr[data-id='{first}']")).to_have_count(0)
    page.keyboard.press("PageUp")
    expect(info).to_contain_text("第 1 页")
    expect(page.locator("#log-table tbody tr").first).to_have_attribute("data-id", first)
    assert "cursor=" not in page.url

    with session_factory() as s:
        call = s.scalars(select(Call).where(Call.calling_number == "13901390001")).one()
        assert call.supplementary and call.talk_seconds == 200 and call.outcome == "answered"
        assert call.ringing_at == when
        assert call.recorded_by_id == call.answered_by_id is not None
        assert s.scalars(select(AuditEntry).where(AuditEntry.entity == "call",
                                                  AuditEntry.entity_id == str(call.id),
                                                  AuditEntry.action == "create")).one()
    assert errors == []
