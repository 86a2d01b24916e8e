"""Fixtures shared by the switchboard tests (API, services, lines): the demo organisations with a
test's own simulated PBX (``runtime``), an app whose timers the tests run themselves, and logging in as a demo user.

Import them into a test module by name (``from tests.switchboard_support import as_user, demo``).
"""

from __future__ import annotations

import pytest

from tests import demo_snapshot
from zongji.demo.data import DEMO_PASSWORD


@pytest.fixture
def demo(request, session_factory, settings, backend):
    """The demo hotel and city hotline (the simulated PBX is the test's ``runtime.pbx()``)."""
    return demo_snapshot.load_for(request)


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
