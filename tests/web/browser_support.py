"""Helpers for tests that drive the console in headless Chromium against a real server."""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

CHROMIUM = os.environ.get("ZONGJI_CHROMIUM", "/usr/bin/chromium")
LAUNCH_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
# Screenshots the tests take, for people to look at (gitignored).
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


def log_in(context, base: str, username: str = "operator") -> None:
    """Open a session for the demo user ``username`` in this browser context: the login API's
    answer sets the session cookie in the context, as the login page's would. (The login page
    itself is tested on its own, in test_console_browser.py and test_login_throttle_browser.py.)"""
    from zongji.services.demo_data import DEMO_PASSWORD

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


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def serve(app) -> Iterator[str]:
    """Run ``app`` in a real uvicorn server on a free port (in a thread); yield its base URL."""
    import uvicorn

    # The listening socket is bound here, to port 0, and handed to the server: the port is ours
    # from the start (a port picked, released and bound again can be taken in between).
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="on"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, name="uvicorn-test", daemon=True)
    thread.start()
    # uvicorn has no start callback: its ``started`` flag is polled (waiting on the condition).
    deadline = time.monotonic() + 20
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "server did not start"
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=15)
        sock.close()
