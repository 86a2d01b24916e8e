"""Telephony down behind a running gateway (issue 5 point 4, R-H9 "never silence"), over real
SIP (SQLite and PostgreSQL).

The ``zongji sip`` process is up, but the phone system behind it is not:

* the PBX answers 503 to every INVITE (sipp): the calls end in ``telephony_fault``, not "no
  answer"; after ``wakeup_fault_rooms`` faults on different rooms every due wake-up goes to the
  operators' manual call list at once with a "telephony down" alert — no waiting for the
  10-minute retry window. When the PBX works again, one wake-up is called as a probe, then the
  others not handled by hand yet; the one an operator reached by hand is not called again.
* the registrar refuses the gateway (403): /health says not ok with the reason, and the
  dialler sends due wake-ups to the manual call list without dialling a room.
"""

from __future__ import annotations

import datetime as dt
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest

pytest.importorskip("pjsua2", reason="pjsua2-python wheel does not import here")

from sqlalchemy import select  # noqa: E402

sys.path.insert(0, str(Path(__file__).parent))
from wakeup_rig import SIPP, URI_TEMPLATE, CoreServer, Sipp, SipProcess, make_rooms  # noqa: E402
from zongji.services import wakeups as svc  # noqa: E402
from zongji.store.models import FeedItem, utcnow  # noqa: E402
from zongji.store.wakeup_models import Wakeup, WakeupTask  # noqa: E402
from zongji.worker.wakeup_dialler import WakeupDialler  # noqa: E402

pytestmark = pytest.mark.skipif(SIPP is None, reason="sipp (Debian sip-tester) not installed")

ROOMS = ("1601", "1602", "1603", "1604")


@pytest.fixture
def wsettings(settings):
    settings.wakeup_dialler_in_server = False  # the test runs its own dialler
    settings.wakeup_retry_interval_minutes = 0.05  # 3 s (and the probe interval)
    settings.wakeup_retry_window_minutes = 10.0  # the window the manual list must not wait for
    settings.wakeup_ring_seconds = 3
    settings.wakeup_key_seconds = 3
    settings.wakeup_uri_template = URI_TEMPLATE
    settings.wakeup_lines = 4
    settings.wakeup_fault_rooms = 3
    settings.wakeup_health_check_seconds = 0.5
    return settings


@pytest.fixture
def core(wsettings):
    c = CoreServer(wsettings)
    yield c
    c.stop()


class _Running:
    def __init__(self, dialler: WakeupDialler):
        self.stop = threading.Event()
        self.thread = threading.Thread(target=dialler.run_forever, args=(self.stop,),
                                       kwargs={"poll_seconds": 0.1})
        self.thread.start()

    def close(self):
        self.stop.set()
        self.thread.join(30)


def _wait(predicate, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, what
        time.sleep(0.2)


def _rows(session_factory) -> dict[str, Wakeup]:
    with session_factory() as s:
        rows = {w.room_number: w for w in s.scalars(select(Wakeup))}
        for w in rows.values():
            _ = list(w.attempts)
        s.expunge_all()
        return rows


def _tasks(session_factory) -> list[tuple[str, str, str]]:
    with session_factory() as s:
        return sorted((t.room_number, t.kind, t.state) for t in s.scalars(select(WakeupTask)))


def _alerts(session_factory) -> list[dict]:
    with session_factory() as s:
        return [f.payload for f in s.scalars(select(FeedItem).where(FeedItem.topic == "alert")
                                             .order_by(FeedItem.id))]


def _book(write, wsettings, port: int) -> dt.datetime:
    now = utcnow()
    make_rooms(write, {n: port for n in ROOMS}, now=now)
    due = now + dt.timedelta(seconds=2)
    with write() as s:
        for n in ROOMS:
            svc.book(s, svc.Booking(room=n, wake_at=due, readback_confirmed=True),
                     actor="user:op", now=now, settings=wsettings)
    return due


def test_pbx_answering_503_sends_due_wakeups_to_the_manual_call_list_at_once(
        core, wsettings, cti_token, write, session_factory, tmp_path):
    pbx = Sipp("unavailable_503", tmp_path)
    sip = SipProcess(tmp_path, core.url, cti_token)
    wsettings.wakeup_gateway_url = sip.url
    answering = None
    running = None
    try:
        due = _book(write, wsettings, pbx.port)
        running = _Running(WakeupDialler(session_factory, wsettings))
        _wait(lambda: all(w.status == "escalated" for w in _rows(session_factory).values()),
              30, "wake-ups were not sent to the manual call list")
        found_at = utcnow()
        rows = _rows(session_factory)
        # At once: well inside the 10-minute window, and no room was tried a second time.
        assert (found_at - due).total_seconds() < 60
        assert {w.escalation_reason for w in rows.values()} == {"telephony_down"}
        attempts = [a for w in rows.values() for a in w.attempts]
        assert all(len(w.attempts) <= 1 for w in rows.values()), [(w.room_number, [(a.number, a.outcome, str(a.started_at.time()), str(a.ended_at.time()), a.reason) for a in w.attempts]) for w in rows.values()]
        assert attempts and {(a.outcome, a.sip_status) for a in attempts} == {("telephony_fault", 503)}
        assert len(pbx.invites()) == len(attempts)
        # The manual call list, not knock-on-door tasks, and the operators are alerted.
        assert _tasks(session_factory) == [(n, "manual_call", "open") for n in ROOMS]
        alerts = _alerts(session_factory)
        down = [a for a in alerts if a["kind"] == "wakeup_telephony_down"]
        assert len(down) == 1 and down[0]["by"] == "faults" and "503" in down[0]["reason"]
        assert "电话线路故障" in down[0]["text"] and "manual call list" in down[0]["text"]
        assert sorted(a["room"] for a in alerts if a["kind"] == "wakeup_escalated"
                      and a["reason"] == "telephony_down") == list(ROOMS)

        # An operator calls 1601 by hand; then the PBX works again (the same address answers).
        with write() as s:
            svc.mark_reached(s, rows["1601"].id, by="operator", actor="user:op",
                             now=utcnow(), settings=wsettings)
        pbx.stop()
        answering = Sipp("answer_dtmf1", tmp_path, port=pbx.port)
        _wait(lambda: all(w.status == "done" for w in _rows(session_factory).values()),
              60, "automatic calling did not resume")
        rows = _rows(session_factory)
        assert rows["1601"].reached_by == "operator"
        assert all(rows[n].reached_by == "phone" for n in ROOMS[1:])
        assert len(answering.invites()) == 3  # 1601 was handled by hand: not called again
        tasks = _tasks(session_factory)  # a probe into the dead PBX may have added one
        assert {(n, k, st) for n, k, st in tasks if n == "1601"} == {("1601", "manual_call", "done")}
        assert {st for n, _, st in tasks if n != "1601"} == {"cancelled"}  # no longer needed
        assert [a["kind"] for a in _alerts(session_factory)
                if a["kind"].startswith("wakeup_telephony")] == [
            "wakeup_telephony_down", "wakeup_telephony_restored"]
    finally:
        if running is not None:
            running.close()
        sip.stop()
        pbx.stop()
        if answering is not None:
            answering.stop()


def test_refused_registration_is_telephony_down(core, wsettings, cti_token, write,
                                                session_factory, tmp_path):
    registrar = Sipp("pbx_register_refused", tmp_path)
    rooms = Sipp("answer_dtmf1", tmp_path)  # the rooms would answer: the PBX will not carry us
    sip = SipProcess(tmp_path, core.url, cti_token, wait_healthy=False, extra=[
        "--registrar", f"sip:127.0.0.1:{registrar.port}", "--username", "8000",
        "--password", "wrong"])
    wsettings.wakeup_gateway_url = sip.url
    running = None
    try:
        def refused():
            r = httpx.get(f"{sip.url}/health", timeout=3)
            return r.status_code == 503 and (r.json().get("registration") or {}).get("status") == 403
        _wait(refused, 20, "the gateway did not report the refused registration")
        body = httpx.get(f"{sip.url}/health", timeout=3).json()
        assert body["ok"] is False and "not registered" in body["reason"] and "403" in body["reason"]

        _book(write, wsettings, rooms.port)
        running = _Running(WakeupDialler(session_factory, wsettings))
        _wait(lambda: all(w.status == "escalated" for w in _rows(session_factory).values()),
              30, "wake-ups were not sent to the manual call list")
        assert rooms.invites() == []  # nobody dialled through an unregistered line
        assert _tasks(session_factory) == [(n, "manual_call", "open") for n in ROOMS]
        (down,) = [a for a in _alerts(session_factory) if a["kind"] == "wakeup_telephony_down"]
        assert "not registered" in down["reason"] and down["by"] == "health"
    finally:
        if running is not None:
            running.close()
        sip.stop()
        registrar.stop()
        rooms.stop()
