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


def logged_in(browser, base: str, username: str = "operator", path: str = "/", *,
              height: int = 768):
    """A new browser context as the consoles run (zh-CN, Asia/Shanghai, 1366 wide), logged in as
    the demo user ``username`` through the login page and landed on ``path``.

    Returns (context, page, errors); ``errors`` collects the page's uncaught script errors."""
    from urllib.parse import quote

    from playwright.sync_api import expect

    from zongji.services.demo_data import DEMO_PASSWORD

    context = browser.new_context(viewport={"width": 1366, "height": height}, locale="zh-CN",
                                  timezone_id="Asia/Shanghai")
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(f"{username}: {exc}"))
    page.goto(f"{base}/login?next={quote(path, safe='')}")
    page.fill("#username", username)
    page.fill("#password", DEMO_PASSWORD)
    page.keyboard.press("Enter")
    # Password hashing is slow by design (argon2): allow for a busy machine.
    expect(page).to_have_url(base + path, timeout=15000)
    # The URL changes when the navigation commits, before the page's scripts have attached their
    # key handlers (on DOMContentLoaded): a shortcut pressed at once would be lost (seen in CI).
    page.wait_for_load_state("load")
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
