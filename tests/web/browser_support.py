"""Helpers for tests that drive the console in headless Chromium against a real server."""

from __future__ import annotations

import os
from pathlib import Path

from tests.servers import serve  # noqa: F401  (the browser tests' server)

CHROMIUM = os.environ.get("ZONGJI_CHROMIUM", "/usr/bin/chromium")
LAUNCH_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
# Screenshots the tests take, for people to look at (gitignored).
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


def log_in(context, base: str, username: str = "operator") -> None:
    """Open a session for the demo user ``username`` in this browser context: the login API's
    answer sets the session cookie in the context, as the login page's would. (The login page
    itself is tested on its own, in test_console_browser.py and test_login_throttle_browser.py.)"""
    from zongji.demo.data import DEMO_PASSWORD

    r = context.request.post(f"{base}/api/auth/login", data={"username": username, "password": DEMO_PASSWORD})
    assert r.ok, f"login of {username} failed: {r.status} {r.text()}"


def new_context(browser, *, height: int = 768):
    """A browser context as the consoles run: zh-CN, Asia/Shanghai, 1366 wide."""
    return browser.new_context(viewport={"width": 1366, "height": height}, locale="zh-CN",
                               timezone_id="Asia/Shanghai")


def logged_in(browser, base: str, username: str = "operator", path: str = "/", *,
              height: int = 768):
    """A new browser context as the consoles run (zh-CN, Asia/Shanghai, 1366 wide), logged in as
    the demo user ``username`` and landed on ``path``.

    Returns (context, page, errors); ``errors`` collects the page's uncaught script errors."""
    context = new_context(browser, height=height)
    log_in(context, base, username)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(f"{username}: {exc}"))
    page.goto(base + path)
    # Wait for the page's scripts to have attached their key handlers (on DOMContentLoaded): a
    # shortcut pressed before would be lost (seen in CI).
    page.wait_for_load_state("load")
    assert page.url == base + path, f"{username} landed on {page.url}, not {path}"
    return context, page, errors
