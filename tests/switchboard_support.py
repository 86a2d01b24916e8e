"""Fixtures shared by the switchboard tests (API, services, lines): the demo organisations with a
fresh simulated PBX, an app whose timers the tests run themselves, and logging in as a demo user.

Import them into a test module by name (``from tests.switchboard_support import as_user, demo``).
"""

from __future__ import annotations

import pytest

from zongji.services.switchboard.adapters import reset_adapter, use_settings
from zongji.services.demo_data import DEMO_PASSWORD, load_demo


@pytest.fixture
def demo(write, settings):
    """The demo hotel and city hotline, and a simulated PBX of this test's own."""
    with write() as s:
        load_demo(s)
    reset_adapter(settings.resolved_database_url)
    use_settings(settings)
    yield
    reset_adapter(settings.resolved_database_url)


@pytest.fixture
def app(settings):
    """The app without its timer thread: tests run the timers (run_jobs) with a controlled clock."""
    from zongji.api.app import create_app

    return create_app(settings.model_copy(update={"run_worker_in_server": False}))


@pytest.fixture
def as_user(client):
    """Log the test client in as a demo user (password demo1234), dropping any earlier session."""
    def _as(username: str) -> None:
        client.cookies.clear()
        r = client.post("/api/auth/login", json={"username": username, "password": DEMO_PASSWORD})
        assert r.status_code == 200, r.text

    return _as
