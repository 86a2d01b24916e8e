"""The ``zongji`` command line against a real database (SQLite and PostgreSQL) and a real server:
adding people and integration tokens, revoking tokens, and playing simulated PBX calls."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from zongji.cli import app as cli
from zongji.settings import get_settings


@pytest.fixture
def run(settings, monkeypatch):
    """Invoke ``zongji …`` with ZONGJI_DATABASE_URL pointing at the test database."""
    monkeypatch.setenv("ZONGJI_DATABASE_URL", settings.resolved_database_url)
    monkeypatch.setenv("ZONGJI_DATA_DIR", str(settings.data_dir))
    get_settings.cache_clear()
    runner = CliRunner()
    yield lambda *args: runner.invoke(cli, list(args))
    get_settings.cache_clear()


def test_user_add_hashes_the_password_and_refuses_bad_input(run, session_factory, client):
    from zongji.store.models import User

    r = run("user", "add", "wang", "--role", "operator", "--name", "王小红",
            "--operator-number", "1001", "--password", "s3cret-密码")
    assert r.exit_code == 0, r.output
    with session_factory() as s:
        user = s.scalars(select(User).where(User.username == "wang")).one()
        assert (user.role, user.display_name, user.operator_number) == ("operator", "王小红", "1001")
        assert user.password_hash.startswith("$argon2") and "s3cret" not in user.password_hash
    # The new person can log in with that password, and only with it.
    assert client.post("/api/auth/login", json={"username": "wang", "password": "s3cret-密码"}).status_code == 200
    assert client.post("/api/auth/login", json={"username": "wang", "password": "wrong"}).status_code == 401

    r = run("user", "add", "li", "--role", "janitor", "--password", "whatever1")
    assert r.exit_code != 0 and "role" in r.output
    r = run("user", "add", "wang", "--role", "operator", "--password", "another1")
    assert r.exit_code != 0 and "username" in r.output
    with session_factory() as s:
        assert s.scalar(select(func.count(User.id))) == 1


def test_token_add_and_revoke(run, session_factory, client):
    r = run("token", "add", "pbx-main", "--scopes", "cti,nonsense")
    assert r.exit_code != 0 and "scopes" in r.output and "nonsense" in r.output

    r = run("token", "add", "pbx-main", "--scopes", "CTI, pms")
    assert r.exit_code == 0, r.output
    token_id, token = re.search(r"token #(\d+) for pbx-main: (\S+)", r.output).groups()
    event = {"event": "newCall", "callId": "cli-1", "from": "13800138000", "to": "02088886666",
             "direction": "in"}
    headers = {"Authorization": f"Bearer {token}"}
    assert client.post("/api/cti/events", json=event, headers=headers).status_code == 202
    # Its scopes are cti and pms: a wake-up booking with it is refused.
    r3 = client.get("/api/v1/wakeups/1", headers=headers)
    assert r3.status_code == 401 and r3.json()["field"] == "token"

    r = run("token", "revoke", token_id)
    assert r.exit_code == 0, r.output
    r2 = client.post("/api/cti/events", json={**event, "callId": "cli-2"}, headers=headers)
    assert r2.status_code == 401 and r2.json()["field"] == "token"


def test_simulate_calls_plays_calls_into_a_running_server(run, settings, write, session_factory):
    from tests.web.browser_support import serve
    from zongji.api.app import create_app
    from zongji.demo.data import DEMO_CTI_TOKEN, load_demo
    from zongji.store.models import Call, CallEvent

    with write() as s:
        load_demo(s, settings)
    with session_factory() as s:
        before = s.scalar(select(func.count(Call.id)))
    with serve(create_app(settings)) as url:
        r = run("simulate", "calls", "--url", url, "--token", DEMO_CTI_TOKEN, "--rate", "600",
                "--count", "5", "--speed", "60", "--seed", "7", "--quiet")
        assert r.exit_code == 0, r.output
        assert re.search(r"^5 calls, \d+ events sent", r.output, re.M), r.output
        bad = run("simulate", "calls", "--url", url, "--token", "not-a-token", "--count", "1",
                  "--speed", "60", "--quiet")
        assert bad.exit_code != 0 and "token" in bad.output
    with session_factory() as s:
        calls = s.scalars(select(Call).order_by(Call.id)).all()[before:]
        assert len(calls) == 5
        # Each simulated call ended, with an outcome, and every event the CLI counted is stored.
        assert all(c.ended_at is not None and c.outcome for c in calls)
        sent = int(re.search(r"5 calls, (\d+) events sent", r.output).group(1))
        stored = s.scalar(select(func.count(CallEvent.id)).where(
            CallEvent.external_call_id.in_([c.external_id for c in calls])))
        assert stored == sent


# --------------------------------------------------------------------------- bad settings (issue 8)


@pytest.mark.parametrize("command", [["serve"], ["worker"], ["demo"], ["db", "upgrade"],
                                     ["user", "add", "li", "--role", "operator", "--password", "pw123456"],
                                     ["prompts", "list"]])
def test_a_bad_setting_stops_every_command_with_one_line(command, monkeypatch, tmp_path):
    """ZONGJI_LINE_SILENCE_CHECK_MINUTES=0.5 stops start-up with one line naming the setting and
    what it accepts, not a traceback (and nothing is started or written)."""
    monkeypatch.setenv("ZONGJI_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("ZONGJI_DATABASE_URL", f"sqlite:///{tmp_path / 'never.db'}")
    monkeypatch.setenv("ZONGJI_LINE_SILENCE_CHECK_MINUTES", "0.5")
    get_settings.cache_clear()
    try:
        r = CliRunner().invoke(cli, command)
    finally:
        get_settings.cache_clear()
    assert r.exit_code == 2, r.output
    assert r.exception is None or isinstance(r.exception, SystemExit)
    assert r.output.strip().splitlines() == [
        "error: ZONGJI_LINE_SILENCE_CHECK_MINUTES='0.5' is not accepted: "
        "it takes a whole number of minutes, at least 1"]
    assert not (tmp_path / "never.db").exists()


@pytest.mark.parametrize(("name", "value", "accepts"), [
    ("LINE_SILENCE_CHECK_MINUTES", "0", "a whole number of minutes, at least 1"),
    ("WAKEUP_RETRY_INTERVAL_MINUTES", "soon", "a number of minutes, more than 0 (decimals allowed)"),
    ("ANSWER_RATE_TARGET", "85", "a number, at least 0 and at most 1 (decimals allowed)"),
    ("MESSAGE_REQUIRE_READ_BACK", "maybe", "true or false"),
    ("TIMEZONE", "Asia/Beijing", "a time zone name such as Asia/Shanghai"),
    ("SHIFT_STARTS", "7:00,15:00", "local times HH:MM separated by commas, e.g. 07:00,15:00,23:00"),
    ("WAKEUP_CONFIRM_KEY", "11", "one telephone key: 0-9, * or #"),
    ("SMTP_PORT", "70000", "a whole number, at least 1 and at most 65535"),
])
def test_each_bad_setting_says_what_it_accepts(name, value, accepts, monkeypatch):
    from zongji.settings import SettingsError, load_settings

    monkeypatch.setenv(f"ZONGJI_{name}", value)
    with pytest.raises(SettingsError) as caught:
        load_settings()
    assert caught.value.lines == [f"ZONGJI_{name}={value!r} is not accepted: it takes {accepts}"]


def test_a_secret_setting_is_not_echoed(monkeypatch):
    from zongji.settings import SettingsError, load_settings

    monkeypatch.setenv("ZONGJI_SMTP_PORT", "x")
    monkeypatch.setenv("ZONGJI_SMTP_PASSWORD", "hunter2")  # good: not shown at all
    with pytest.raises(SettingsError) as caught:
        load_settings()
    assert "hunter2" not in str(caught.value) and len(caught.value.lines) == 1


def test_a_bad_setting_stops_the_real_process_without_a_traceback(tmp_path):
    """The installed entry point, as an operator starts it: one line on stderr, exit status 2."""
    import os
    import subprocess
    import sys

    env = {**os.environ, "ZONGJI_DATA_DIR": str(tmp_path), "ZONGJI_LINE_SILENCE_CHECK_MINUTES": "0.5",
           "ZONGJI_DATABASE_URL": f"sqlite:///{tmp_path / 'never.db'}"}
    p = subprocess.run([sys.executable, "-m", "zongji.cli", "worker"], env=env, capture_output=True,
                       text=True, timeout=60)
    assert p.returncode == 2
    assert p.stdout == ""
    assert p.stderr.strip().splitlines() == [
        "error: ZONGJI_LINE_SILENCE_CHECK_MINUTES='0.5' is not accepted: "
        "it takes a whole number of minutes, at least 1"]


def test_stats_rebuild_recounts_the_aggregates_from_the_raw_calls(run, settings, write):
    """After a hand-made fix that bypassed everything (aggregates wiped, marks lost), the command
    brings the figures back to what the calls say."""
    import datetime as dt

    from sqlalchemy import delete

    from zongji.services.stats import aggregates
    from zongji.store.models import Call
    from zongji.store.stats_models import CallStat, CallStatDirty

    at = dt.datetime(2026, 11, 2, 2, 0, tzinfo=dt.UTC)
    with write() as s:
        for i in range(5):
            t = at + dt.timedelta(hours=i * 7)
            s.add(Call(direction="in", calling_number="138", called_number="12345", state="ended", ringing_at=t,
                       answered_at=t + dt.timedelta(seconds=4 * i) if i % 2 else None,
                       ended_at=t + dt.timedelta(seconds=60)))
    with write() as s:
        aggregates.fold(s, settings)
        s.execute(delete(CallStat).where(CallStat.offered > 0).where(CallStat.dim == ""))
        s.execute(delete(CallStatDirty))
    window = dict(start=at - dt.timedelta(days=1), end=at + dt.timedelta(days=3), by=())
    with write() as s:
        assert aggregates.read(s, settings, **window).get(()) is None  # stale: the figures are gone
    result = run("stats", "rebuild", "--from", "2026-11-01", "--to", "2026-11-04")
    assert result.exit_code == 0, result.output
    assert "rebuilt 2026-11-01 … 2026-11-04" in result.output
    with write() as s:
        got = aggregates.read(s, settings, **window)[()]
        assert (got.offered, got.answered, got.abandoned) == (5, 2, 3)
    assert run("stats", "rebuild", "--from", "2026-11-04", "--to", "2026-11-01").exit_code == 2
    assert run("stats", "rebuild", "--from", "4 Nov").exit_code == 2
