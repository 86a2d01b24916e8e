"""The knowledge base page in a real browser (issue 11, point 1): the office finds an article by
typing part of what the caller says, edits its answer and sees the new version; a unit handler
proposes a change to its unit's article and the office approves it. SQLite only (the API is
tested on both databases)."""

from __future__ import annotations

import pytest

from tests.web.browser_support import ARTIFACTS, logged_in

pytestmark = pytest.mark.browser

DOG = "小区附近有流浪狗，谁来管？"  # a 市城管局 article of the demo


@pytest.mark.parametrize("backend", ["sqlite"])
def test_office_edits_and_approves_a_unit_proposal(demo_server, browser, backend):
    from playwright.sync_api import expect

    context, page, errors = logged_in(browser, demo_server, "supervisor", "/knowledge", height=900)
    expect(page.locator("#kp-list .kp-item").first).to_be_visible()
    page.keyboard.press("Escape")
    page.locator("#kp-h").click()
    page.keyboard.press("/")
    expect(page.locator("#kp-q")).to_be_focused()
    page.keyboard.type("社保")
    first = page.locator("#kp-list .kp-item", has_text="社保卡丢了怎么挂失补办？")
    expect(first).to_be_visible()
    first.click()
    expect(page.locator("#kp-title")).to_have_value("社保卡丢了怎么挂失补办？")
    expect(page.locator("#kp-versions li")).to_have_count(1)
    page.locator("#kp-answer").fill("社保卡丢失请先拨打12345挂失，再到政务服务中心补办（已更新）。")
    page.locator("#kp-next-review").fill("2020-01-01")  # overdue: the list flags it
    page.keyboard.press("Control+Enter")
    expect(page.locator(".toast.ok", has_text="已保存")).to_be_visible()
    expect(page.locator("#kp-versions li")).to_have_count(2)
    expect(page.locator("#kp-versions li").first).to_contain_text("第 2 版")
    expect(page.locator("#kp-versions li").first).to_contain_text("答复口径")
    expect(first.locator(".kp-due-flag")).to_have_text("待复核")
    context.close()

    # The 市城管局 handler proposes a change to its own unit's article.
    context, page, errors2 = logged_in(browser, demo_server, "unit2", "/knowledge", height=900)
    expect(page.locator("nav a[href='/knowledge']")).to_be_visible()
    page.locator("#kp-q").fill("流浪狗")
    page.locator("#kp-list .kp-item", has_text=DOG).click()
    expect(page.locator("#kp-title")).to_have_value(DOG)
    page.locator("#kp-answer").fill("流浪犬只由市城管局犬类收容中心负责，请拨打 5105 转收容中心。")
    page.locator("#kp-note").fill("收容中心电话已变")
    page.keyboard.press("Control+Enter")
    expect(page.locator(".toast.ok", has_text="已提交审核")).to_be_visible()
    assert errors2 == []
    context.close()

    # The office sees it in the queue and approves it with A.
    context, page, errors3 = logged_in(browser, demo_server, "supervisor", "/knowledge", height=900)
    proposal = page.locator("#kp-proposals .kp-proposal", has_text=DOG)
    expect(proposal).to_contain_text("收容中心电话已变")
    page.keyboard.press("Alt+P")
    expect(proposal).to_be_focused()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "knowledge.png"), full_page=True)
    page.keyboard.press("a")
    expect(page.locator(".toast.ok", has_text="已通过")).to_be_visible()
    expect(proposal).to_have_count(0)
    page.locator("#kp-q").fill("流浪狗")
    page.locator("#kp-list .kp-item", has_text=DOG).click()
    expect(page.locator("#kp-answer")).to_have_value("流浪犬只由市城管局犬类收容中心负责，请拨打 5105 转收容中心。")
    expect(page.locator("#kp-versions li").first).to_contain_text("审核通过")
    assert errors == [] and errors3 == []
    context.close()
