"""Call quality review in a real browser (质检, issue 10 point 4): a supervisor scores a call on
the call log with the keyboard; the operator who answered it sees the score in the log."""

from __future__ import annotations

import time

import httpx
import pytest

from tests.web.browser_support import ARTIFACTS, logged_in

pytestmark = pytest.mark.browser


def test_a_supervisor_scores_a_call_and_the_operator_sees_it(demo_server, browser, backend):
    from playwright.sync_api import expect

    from zongji.demo.data import DEMO_CTI_TOKEN, HOTEL_LINE_NUMBER

    tag = f"qa-{backend}-{time.time_ns()}"
    call = {"from": "13912345009", "to": HOTEL_LINE_NUMBER, "direction": "in", "callId": tag}
    for event, extra in (("newCall", {}), ("answer", {"answeringNumber": "1001"}),
                         ("hangup", {"cause": "normalClearing"})):
        r = httpx.post(f"{demo_server}/api/v1/cti/{DEMO_CTI_TOKEN}", data={"event": event, **call, **extra}, timeout=10)
        assert r.status_code == 200, r.text

    ctx, page, errors = logged_in(browser, demo_server, "supervisor", "/calls?number=13912345009", height=900)
    row = page.locator("#log-table tbody tr").first
    expect(row.locator(".review-open")).to_be_visible()
    row.locator(".review-open").click()
    expect(page.locator("#review")).to_be_visible()
    expect(page.locator("#review-total")).to_have_text("100")
    page.fill("input[name=score-attitude]", "7")
    page.fill("input[name=note-attitude]", "语气生硬")
    page.fill("textarea[name=comment]", "语气生硬，需改进")
    expect(page.locator("#review-total")).to_have_text("92")
    page.screenshot(path=str(ARTIFACTS / f"review-{backend}-01-dialog-zh.png"))
    page.keyboard.press("Control+Enter")
    expect(page.locator("#review")).to_be_hidden()
    expect(row.locator(".review-score")).to_have_text("92分")
    assert not errors
    ctx.close()

    ctx, page, errors = logged_in(browser, demo_server, "operator", "/calls?number=13912345009", height=900)
    row = page.locator("#log-table tbody tr").first
    expect(row.locator(".review-score")).to_have_text("92分")
    expect(row.locator(".review-open")).to_have_count(0)
    page.click(".lang-switch button[data-lang=en]")
    expect(row.locator(".review-score")).to_have_text("92 pts")
    page.screenshot(path=str(ARTIFACTS / f"review-{backend}-02-operator-en.png"))
    # 我的质检: the operator's own reviews, with the per-item comment.
    page.goto(f"{demo_server}/evaluation")
    expect(page.locator("#eval-mine tbody tr").first).to_contain_text("语气生硬")
    expect(page.locator("#eval-items-section")).to_be_hidden()
    assert not errors
    ctx.close()

    ctx, page, errors = logged_in(browser, demo_server, "supervisor", "/evaluation", height=900)
    expect(page.locator("#eval-items tbody tr")).to_have_count(7)
    expect(page.locator("#eval-max")).to_have_text("100")
    page.screenshot(path=str(ARTIFACTS / f"review-{backend}-03-items-zh.png"))
    assert not errors
    ctx.close()
