"""The operator types the caller's words in the note, sees the knowledge-base article beside the
call, and answers from it with one key: an inquiry work order closed directly (issue 11, point
5). SQLite only (browser tests are few)."""

from __future__ import annotations

import time

import httpx
import pytest

from tests.web.browser_support import ARTIFACTS, logged_in

pytestmark = pytest.mark.browser


def test_operator_answers_from_an_article(demo_server: str, browser, backend: str):
    if backend != "sqlite":
        pytest.skip("browser tests run on SQLite")
    from playwright.sync_api import expect

    from zongji.demo.data import DEMO_CTI_TOKEN, HOTLINE_12345_NUMBER

    base = demo_server
    context, page, errors = logged_in(browser, base, "hotline")
    call_id = f"kb-{time.time_ns()}"
    r = httpx.post(f"{base}/api/v1/cti/{DEMO_CTI_TOKEN}", data={
        "event": "newCall", "from": "13900002222", "to": HOTLINE_12345_NUMBER, "direction": "in",
        "callId": call_id}, timeout=10)
    assert r.status_code == 200, r.text
    row = page.locator(".call-row").first
    expect(row).to_be_visible()
    page.keyboard.press("F2")
    httpx.post(f"{base}/api/v1/cti/{DEMO_CTI_TOKEN}", data={
        "event": "answer", "from": "13900002222", "to": HOTLINE_12345_NUMBER, "direction": "in",
        "callId": call_id, "answeringNumber": "3001"}, timeout=10)
    row.click()
    page.keyboard.press("Alt+n")
    page.keyboard.type("我的社保卡不见了咋办")
    first = page.locator("#kb-articles li").first
    expect(first).to_contain_text("社保卡")
    expect(first).to_contain_text("市人社局")
    page.keyboard.press("Alt+z")
    page.keyboard.press("Enter")
    expect(page.locator("#kb-full")).to_contain_text("挂失")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "knowledge-console.png"))
    page.keyboard.press("d")
    expect(page.locator("body")).to_contain_text("直接办结")
    page.screenshot(path=str(ARTIFACTS / "knowledge-console-answered.png"))
    orders = page.request.get(f"{base}/api/work-orders").json()["items"]
    mine = [o for o in orders if o.get("call_id") == int(row.get_attribute("data-id"))] or orders[:1]
    assert (mine[0]["order_type"], mine[0]["status"]) == ("inquiry", "closed_directly"), mine[0]
    assert not errors, errors
    context.close()
