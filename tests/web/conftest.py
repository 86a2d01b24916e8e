"""Fixtures for the browser tests: headless Chromium and a real server with the demo data."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.web.browser_support import CHROMIUM, LAUNCH_ARGS, serve


@pytest.fixture(scope="session")
def _chromium():
    """One Chromium per run (starting it costs about a second); tests never share more than the
    process: each opens its own contexts (cookies, storage, pages) and closes them."""
    if not Path(CHROMIUM).exists() and not shutil.which(CHROMIUM):
        pytest.skip(f"no Chromium at {CHROMIUM}")
    from playwright.sync_api import expect, sync_playwright

    # Assertions wait for their condition up to 15 s (Playwright's default is 5 s): on a 2-core
    # machine running two test workers, a live update can take longer than 5 s to show, and a
    # condition met late is not a failure. Nothing waits longer than it has to.
    expect.set_options(timeout=15_000)
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
        yield b
        b.close()


@pytest.fixture
def browser(_chromium):
    """The run's Chromium; contexts a test leaves open are closed after it, so no page, cookie or
    timer reaches the next test."""
    before = set(_chromium.contexts)
    yield _chromium
    for ctx in list(_chromium.contexts):
        if ctx not in before:
            ctx.close()


@pytest.fixture
def demo_server(request, settings) -> Iterator[str]:
    """A real uvicorn on a free port, serving the demo organisations from the test database
    (loaded once per worker and copied: tests/demo_snapshot.py)."""
    from tests import demo_snapshot
    from zongji.api.app import create_app
    from zongji.domain.chinese_text import warm_up

    demo_snapshot.load_for(request)
    # The dictionaries a server loads a few seconds after it starts (warm_up_seconds): loaded
    # before the browser's first search or suggestion, which would otherwise wait for them (once
    # per test process) while the test's clock runs.
    warm_up()
    with serve(create_app(settings)) as url:
        yield url
