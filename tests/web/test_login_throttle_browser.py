"""The login page after too many wrong passwords (issue 12, point 4), in headless Chromium:
it says in the page's language until when the login is locked and keeps the button off.
Screenshots in test-artifacts/."""

from __future__ import annotations

import datetime as dt

import httpx
import pytest

from tests.web.browser_support import ARTIFACTS, serve
from zongji.api.app import create_app

pytestmark = pytest.mark.browser

T0 = dt.datetime(2026, 12, 3, 8, 0, tzinfo=dt.UTC)


def test_the_login_page_says_when_to_try_again(settings, make_user, browser, backend):
    from playwright.sync_api import expect

    username, _ = make_user("operator")
    app = create_app(settings.model_copy(update={"run_worker_in_server": False}))
    app.state.clock = lambda: T0  # the server's time stands still: the lock is 15 minutes
    with serve(app) as base:
        with httpx.Client(base_url=base, timeout=15) as http:
            for _ in range(4):
                r = http.post("/api/auth/login", json={"username": username, "password": "wrong-pass"})
                assert r.status_code == 401
        context = browser.new_context(viewport={"width": 1366, "height": 768}, locale="zh-CN",
                                      timezone_id="Asia/Shanghai")
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.goto(f"{base}/login")
        page.fill("#username", username)
        page.fill("#password", "wrong-pass")
        page.keyboard.press("Enter")
        message = page.locator("#login-error")
        expect(message).to_contain_text("登录失败次数过多", timeout=15000)
        expect(message).to_contain_text("约 15 分钟")
        expect(page.locator("#login-submit")).to_be_disabled()
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"login-locked-{backend}-zh.png"))

        page.click(".lang-switch [data-lang=en]")
        expect(message).to_contain_text("Too many failed logins")
        expect(message).to_contain_text("in about 15 min")
        page.screenshot(path=str(ARTIFACTS / f"login-locked-{backend}-en.png"))
        assert errors == []
        context.close()
