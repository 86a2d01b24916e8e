"""The pre-flight test call before the day's first wake-up (issue 5 point 5, R-H9 "check the
machine"), over real SIP (SQLite and PostgreSQL).

At ``wakeup_preflight_minutes`` before the day's earliest wake-up the dialler places a test call
through the ``zongji sip`` process to the test extension (a sipp room). Answered: the check is
recorded as passed, and no alert. The gateway down or the test extension busy: the check is
recorded as failed and an alert (FeedItem topic ``alert``, pushed to every console by
/api/live) reaches the operators.
"""

from __future__ import annotations

import datetime as dt
import threading
import time

import pytest

pytest.importorskip("pjsua2", reason="pjsua2-python wheel does not import here")

import sys  # noqa: E402
from pathlib import Path  # noqa: E402

from sqlalchemy import select  # noqa: E402

sys.path.insert(0, str(Path(__file__).parent))
from wakeup_rig import (  # noqa: E402
    SIPP, URI_TEMPLATE, CoreServer, Sipp, SipProcess, make_rooms, zone_at_midday,
)
from zongji.services import wakeups as svc  # noqa: E402
from zongji.store.models import FeedItem, Job, utcnow  # noqa: E402
from zongji.store.wakeup_models import WakeupCheck  # noqa: E402
from zongji.worker.wakeup_dialler import WakeupDialler  # noqa: E402

pytestmark = pytest.mark.skipif(SIPP is None, reason="sipp (Debian sip-tester) not installed")

PREFLIGHT_MINUTES = 0.25  # 15 s before the earliest wake-up


@pytest.fixture
def wsettings(settings):
    settings.wakeup_dialler_in_server = False  # the test runs its own dialler
    settings.wakeup_ring_seconds = 3
    settings.wakeup_key_seconds = 3
    settings.wakeup_uri_template = URI_TEMPLATE
    settings.wakeup_preflight_minutes = PREFLIGHT_MINUTES
    # The day's two wake-ups are 70 s apart and must fall on one local day whenever this runs.
    settings.timezone = zone_at_midday(utcnow())
    return settings


@pytest.fixture
def rig(wsettings, cti_token, tmp_path):
    core = CoreServer(wsettings)
    sip = SipProcess(tmp_path, core.url, cti_token)
    wsettings.wakeup_gateway_url = sip.url
    yield core, sip
    sip.stop()
    core.stop()


def _book_day(write, wsettings, rooms_port: int) -> dt.datetime:
    """Two wake-ups today; the later one is booked first. Returns the earliest wake-up time."""
    now = utcnow()
    make_rooms(write, {"1501": rooms_port, "1502": rooms_port}, now=now)
    earliest = now + dt.timedelta(seconds=20)
    with write() as s:
        svc.book(s, svc.Booking(room="1502", wake_at=now + dt.timedelta(seconds=90), readback_confirmed=True),
                 actor="user:op", now=now, settings=wsettings)
        svc.book(s, svc.Booking(room="1501", wake_at=earliest, readback_confirmed=True),
                 actor="user:op", now=now, settings=wsettings)
    return earliest


def _run_until_checked(session_factory, wsettings, timeout: float = 60) -> WakeupCheck:
    dialler = WakeupDialler(session_factory, wsettings)
    stop = threading.Event()
    t = threading.Thread(target=dialler.run_forever, args=(stop,), kwargs={"poll_seconds": 0.1})
    t.start()
    try:
        deadline = time.monotonic() + timeout
        while True:
            with session_factory() as s:
                check = s.scalar(select(WakeupCheck).where(WakeupCheck.ran_at.is_not(None)))
                if check is not None:
                    s.expunge(check)
                    return check
            assert time.monotonic() < deadline, "the pre-flight did not run"
            time.sleep(0.2)
    finally:
        stop.set()
        t.join(30)


def _alerts(session_factory) -> list[dict]:
    with session_factory() as s:
        return [f.payload for f in s.scalars(select(FeedItem).where(FeedItem.topic == "alert"))]


def test_preflight_before_the_earliest_wakeup_passes(rig, wsettings, write, session_factory, tmp_path):
    target = Sipp("answer_dtmf1", tmp_path)  # the test extension answers and presses 1
    rooms = Sipp("answer_dtmf1", tmp_path)
    try:
        wsettings.wakeup_preflight_target = str(target.port)
        earliest = _book_day(write, wsettings, rooms.port)
        day = earliest.astimezone(wsettings.tz).date().isoformat()
        with session_factory() as s:
            (job,) = s.scalars(select(Job).where(Job.kind == svc.PREFLIGHT_JOB))
            # Moved to the earliest wake-up when that was booked after the later one.
            assert job.key == f"wakeup-preflight:{day}"
            assert abs((job.due_at - (earliest - dt.timedelta(minutes=PREFLIGHT_MINUTES))).total_seconds()) < 0.01
        check = _run_until_checked(session_factory, wsettings)
        assert (check.day, check.ok, check.outcome) == (day, True, "answered_confirmed")
        assert check.target == str(target.port)
        assert 0 <= (check.ran_at - check.due_at).total_seconds() < 15  # at the set time
        assert check.ran_at < earliest
        assert len(target.invites()) == 1  # one real test call reached the test extension
        assert rooms.invites() == []  # no guest was called for the test
        assert not [a for a in _alerts(session_factory) if a.get("kind") == "wakeup_preflight_failed"]
        with session_factory() as s:
            feed = s.scalar(select(FeedItem).where(FeedItem.topic == "wakeup_check"))
            assert feed.payload["ok"] is True and feed.payload["day"] == day
    finally:
        target.stop()
        rooms.stop()


@pytest.mark.parametrize("failure", ["gateway_down", "target_busy"])
def test_failed_preflight_alerts_the_operators(rig, wsettings, write, session_factory, tmp_path, failure):
    core, sip = rig
    target = Sipp("busy" if failure == "target_busy" else "answer_dtmf1", tmp_path)
    rooms = Sipp("answer_dtmf1", tmp_path)
    try:
        wsettings.wakeup_preflight_target = str(target.port)
        earliest = _book_day(write, wsettings, rooms.port)
        day = earliest.astimezone(wsettings.tz).date().isoformat()
        if failure == "gateway_down":
            sip.stop()  # the SIP gateway process is gone
        check = _run_until_checked(session_factory, wsettings)
        assert check.ok is False
        if failure == "gateway_down":
            assert check.outcome == "telephony_unavailable"
            assert target.invites() == []
        else:
            assert check.outcome == "busy" and "486" in check.detail
            assert len(target.invites()) == 1
        (alert,) = [a for a in _alerts(session_factory) if a.get("kind") == "wakeup_preflight_failed"]
        assert alert["day"] == day and "叫醒设备测试失败" in alert["text"] and "wake-up test call failed" in alert["text"]
        # The wake-up board shows the failed check.
        with session_factory() as s:
            board = svc.board(s, day=earliest.astimezone(wsettings.tz).date(), settings=wsettings)
        assert board["preflight"]["ok"] is False
    finally:
        target.stop()
        rooms.stop()


@pytest.mark.parametrize("registration", ["none", "refused"])
def test_preflight_without_a_test_extension_warns_that_no_call_was_tested(
        rig, wsettings, write, session_factory, tmp_path, cti_token, registration):
    """The default (no ``wakeup_preflight_target``): no test call can be made. The pre-flight
    still checks the gateway and its registration, and tells operators plainly that no call
    was tested — the board never shows "Test call: OK" for it."""
    core, sip = rig
    rooms = Sipp("answer_dtmf1", tmp_path)
    registrar = None
    try:
        assert wsettings.wakeup_preflight_target == ""  # the default
        if registration == "refused":
            sip.stop()
            registrar = Sipp("pbx_register_refused", tmp_path)
            sip = SipProcess(tmp_path, core.url, cti_token, wait_healthy=False, extra=[
                "--registrar", f"sip:127.0.0.1:{registrar.port}", "--username", "8000",
                "--password", "wrong"])
            wsettings.wakeup_gateway_url = sip.url
            deadline = time.monotonic() + 20
            while (sip.client.health().get("registration") or {}).get("status") != 403:
                assert time.monotonic() < deadline, "registration was not refused"
                time.sleep(0.2)
        earliest = _book_day(write, wsettings, rooms.port)
        day = earliest.astimezone(wsettings.tz).date()
        check = _run_until_checked(session_factory, wsettings)
        assert rooms.invites() == []  # no guest was called for the test
        alerts = _alerts(session_factory)
        with session_factory() as s:
            board = svc.board(s, day=day, settings=wsettings)
        if registration == "none":
            assert (check.ok, check.outcome) == (True, "no_test_extension")
            assert "no test call" in check.detail and "gateway healthy" in check.detail
            (warning,) = [a for a in alerts if a.get("kind") == "wakeup_preflight_warning"]
            assert "未设置测试分机" in warning["text"] and "no test extension" in warning["text"]
            assert not [a for a in alerts if a.get("kind") == "wakeup_preflight_failed"]
            assert board["preflight"]["warning"] is True and board["preflight"]["ok"] is True
        else:
            assert (check.ok, check.outcome) == (False, "unhealthy")
            assert "not registered" in check.detail and "403" in check.detail
            (failed,) = [a for a in alerts if a.get("kind") == "wakeup_preflight_failed"]
            assert "叫醒设备测试失败" in failed["text"]
            assert board["preflight"]["warning"] is False and board["preflight"]["ok"] is False
    finally:
        if registrar is not None:
            sip.stop()
            registrar.stop()
        rooms.stop()
