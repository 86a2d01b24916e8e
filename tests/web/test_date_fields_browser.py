"""Date fields follow the console's language, not the browser's (issue 8, point 6).

An English browser drew <input type=date> as mm/dd/yyyy in the Chinese console. Every date and
date-time field shows year-month-day with a placeholder in the console's language, takes what an
operator types (full-width digits, 年月日, slashes) and gives the page the ISO value it always did.
"""

from __future__ import annotations

import re

import pytest

from tests.web.browser_support import ARTIFACTS, logged_in

pytestmark = pytest.mark.browser


def test_date_fields_show_year_month_day_in_both_languages(demo_server, browser, backend):
    from playwright.sync_api import expect

    context, page, errors = logged_in(browser, demo_server, "operator", "/wakeups")
    date = page.locator("#wk-date")
    expect(date).to_have_attribute("placeholder", "年-月-日")
    assert date.get_attribute("type") == "text"  # never the browser's mm/dd/yyyy
    # The board's day field shows today as year-month-day.
    day = page.locator("#wk-day")
    shown = day.evaluate("e => Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value').get.call(e)")
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", shown) and shown == day.evaluate("e => e.value")

    for typed, iso in (("２０２６年１２月５日", "2026-12-05"), ("2026/12/5", "2026-12-05"), ("20261205", "2026-12-05"),
                       ("2026-02-28", "2026-02-28")):
        date.fill(typed)
        assert date.evaluate("e => e.value") == iso, typed
        date.blur()
        expect(date).to_have_js_property("value", iso)
        assert date.evaluate("e => Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value')"
                             ".get.call(e)") == iso  # what the operator sees, tidied
    date.fill("2026-02-30")
    date.blur()
    expect(date).to_have_attribute("aria-invalid", "true")
    assert date.evaluate("e => e.value") == ""

    # The call log's record form: a date and time, typed with a space, read as the native value.
    page.goto(demo_server + "/calls")
    page.wait_for_load_state("load")
    page.keyboard.press("Alt+n")
    when = page.locator("#supp-form [name=occurred_at]")
    expect(when).to_have_attribute("placeholder", "年-月-日 时：分")
    when.fill("2026-12-03 ２２：４０")
    assert when.evaluate("e => e.value") == "2026-12-03T22:40"
    page.keyboard.press("Escape")

    page.click(".lang-switch button[data-lang=en]")
    expect(page.locator("input[name=date_from]")).to_have_attribute("placeholder", "yyyy-mm-dd")
    page.screenshot(path=str(ARTIFACTS / f"date-fields-{backend}-en.png"))
    assert errors == []
    context.close()
