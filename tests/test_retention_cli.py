"""``zongji retention run`` (issue 18 point 3): one run now, its report printed."""

from __future__ import annotations

import datetime as dt

from typer.testing import CliRunner

from zongji.cli import app as cli
from zongji.settings import get_settings
from zongji.store.models import FeedItem, utcnow


def test_retention_run_prints_its_report(settings, write, monkeypatch):
    with write() as s:
        s.add_all([FeedItem(at=utcnow() - dt.timedelta(hours=h), topic="call") for h in (49, 50, 1)])
    monkeypatch.setenv("ZONGJI_DATABASE_URL", settings.resolved_database_url)
    monkeypatch.setenv("ZONGJI_DATA_DIR", str(settings.data_dir))
    get_settings.cache_clear()
    try:
        r = CliRunner().invoke(cli, ["retention", "run"])
    finally:
        get_settings.cache_clear()
    assert r.exit_code == 0, r.output
    lines = r.output.strip().splitlines()
    assert [line.split(":")[0] for line in lines] == ["feed", "call_events", "audit", "calls", "work_orders", "intake",
                                                      "messages", "wakeups", "bookings", "meetings", "flights",
                                                      "guest_service", "call_charges", "lost_items"]
    assert lines[0].startswith("feed: 2 deleted") and lines[3].startswith("calls: 0 anonymised")
