"""A burst is placed in due-time order (issue 5 point 6, R-H9), over real SIP (SQLite and
PostgreSQL), and the gateway's queue orders waiting calls by due time.

Eight rooms with staggered wake-up times, booked in shuffled order, all past when the dialler
starts; the dialler has 4 lines and the ``zongji sip`` process 2, so calls wait at both. The
INVITEs sipp receives (the room is in the request URI) follow the due order: no call is placed
more than (lines − 1) places from its due rank (calls started at the same instant on parallel
lines may swap).
"""

from __future__ import annotations

import datetime as dt
import random
import re
import sys
import threading
import time
from pathlib import Path

import pytest

from zongji.telephony.adapter import CallOutcome, CallResult
from zongji.telephony.call_ledger import CallLedger

sys.path.insert(0, str(Path(__file__).parent))
from wakeup_rig import SIPP, URI_TEMPLATE, CoreServer, Sipp, SipProcess, make_rooms  # noqa: E402


def test_the_gateway_queue_places_waiting_calls_earliest_due_first():
    """Pure: one line busy, calls arriving in shuffled order wait and go earliest-due first."""
    ledger = CallLedger(lines=1)
    order: list[str] = []
    release = threading.Event()

    def dial(cid):
        def _dial():
            order.append(cid)
            if cid == "first":
                release.wait(10)
            return CallResult(outcome=CallOutcome.BUSY, call_id=cid, uri=cid)
        return _dial

    first = threading.Thread(target=ledger.place, args=("first", 0.0, dial("first")))
    first.start()
    while ledger.active == 0:
        time.sleep(0.01)
    dues = list(range(1, 9))
    random.Random(7).shuffle(dues)
    threads = [threading.Thread(target=ledger.place, args=(f"due-{d}", float(d), dial(f"due-{d}")))
               for d in dues]
    for t in threads:
        t.start()
    while ledger.queued < len(dues):
        time.sleep(0.01)
    release.set()
    for t in [first, *threads]:
        t.join(10)
    assert order == ["first"] + [f"due-{d}" for d in range(1, 9)]


pytest.importorskip("pjsua2", reason="pjsua2-python wheel does not import here")


@pytest.mark.skipif(SIPP is None, reason="sipp (Debian sip-tester) not installed")
def test_a_burst_is_placed_in_due_time_order(settings, cti_token, write, session_factory, tmp_path):
    from sqlalchemy import select

    from zongji.services import wakeups as svc
    from zongji.store.models import utcnow
    from zongji.store.wakeup_models import Wakeup
    from zongji.worker.wakeup_dialler import WakeupDialler

    settings.wakeup_dialler_in_server = False
    settings.wakeup_uri_template = URI_TEMPLATE
    settings.wakeup_ring_seconds = 3
    settings.wakeup_retry_window_minutes = 0.05  # one call each: busy → escalated to the door
    settings.wakeup_retry_interval_minutes = 0.1
    lines = 4
    settings.wakeup_lines = lines
    core = CoreServer(settings)
    sip = SipProcess(tmp_path, core.url, cti_token, max_calls=2)
    settings.wakeup_gateway_url = sip.url
    room = Sipp("busy", tmp_path)
    stop = threading.Event()
    t = None
    try:
        now = utcnow()
        numbers = [f"17{i:02d}" for i in range(1, 9)]
        make_rooms(write, {n: room.port for n in numbers}, now=now)
        due = {n: now + dt.timedelta(seconds=2, milliseconds=400 * i) for i, n in enumerate(numbers)}
        shuffled = numbers[:]
        random.Random(5).shuffle(shuffled)
        with write() as s:
            for n in shuffled:  # booked out of order
                svc.book(s, svc.Booking(room=n, wake_at=due[n], readback_confirmed=True),
                         actor="user:op", now=now, settings=settings)
        while utcnow() < max(due.values()) + dt.timedelta(seconds=0.5):
            time.sleep(0.1)  # all due before the dialler starts: one burst
        d = WakeupDialler(session_factory, settings)
        t = threading.Thread(target=d.run_forever, args=(stop,), kwargs={"poll_seconds": 0.1})
        t.start()
        deadline = time.monotonic() + 60
        while True:
            with session_factory() as s:
                if all(w.status == "escalated" for w in s.scalars(select(Wakeup))):
                    break
            assert time.monotonic() < deadline, "the burst did not finish"
            time.sleep(0.2)
        text = room.messages.read_text(errors="replace")
        placed = []
        for block in re.split(r"\n(?=-{5,})", text):
            m = re.search(r"\nINVITE sip:(\d+)@", block)
            if "received" in block and m and m.group(1) not in placed:
                placed.append(m.group(1))
        expected = sorted(numbers, key=lambda n: due[n])
        assert sorted(placed) == sorted(numbers) and len(placed) == 8
        assert placed != shuffled  # not the booking order
        for pos, n in enumerate(placed):
            assert abs(pos - expected.index(n)) <= lines - 1, (placed, expected)
    finally:
        stop.set()
        if t is not None:
            t.join(30)
        room.stop()
        sip.stop()
        core.stop()


@pytest.mark.skipif(SIPP is None, reason="sipp (Debian sip-tester) not installed")
def test_eight_lines_ring_eight_rooms_at_once(settings, cti_token, write, session_factory,
                                             tmp_path):
    """WAKEUP_LINES = 8 (the default) really is 8 calls at once. One PJSIP process of the
    pjsua2 wheel carries 4 (compile-time PJSUA_MAX_CALLS; UaConfig.maxCalls cannot raise it), so
    8 lines are two ``zongji sip`` processes listed in wakeup_gateway_url (GatewayPool)."""
    from sqlalchemy import select

    from zongji.services import wakeups as svc
    from zongji.store.models import utcnow
    from zongji.store.wakeup_models import Wakeup
    from zongji.telephony.control import GatewayPool
    from zongji.worker.wakeup_dialler import WakeupDialler

    settings.wakeup_dialler_in_server = False
    settings.wakeup_uri_template = URI_TEMPLATE
    settings.wakeup_ring_seconds = 6
    settings.wakeup_retry_window_minutes = 0.05  # one call each
    assert settings.wakeup_lines == 8  # the default
    core = CoreServer(settings)
    gateways = [SipProcess(tmp_path, core.url, cti_token, max_calls=4) for _ in range(2)]
    settings.wakeup_gateway_url = ",".join(g.url for g in gateways)
    room = Sipp("ring_no_answer", tmp_path)
    stop = threading.Event()
    t = None
    try:
        now = utcnow()
        numbers = [f"18{i:02d}" for i in range(1, 9)]
        make_rooms(write, {n: room.port for n in numbers}, now=now)
        due = now + dt.timedelta(seconds=2)
        with write() as s:
            for n in numbers:
                svc.book(s, svc.Booking(room=n, wake_at=due, readback_confirmed=True),
                         actor="user:op", now=now, settings=settings)
        d = WakeupDialler(session_factory, settings)
        assert isinstance(d.adapter, GatewayPool) and d.adapter.lines == 8
        t = threading.Thread(target=d.run_forever, args=(stop,), kwargs={"poll_seconds": 0.1})
        t.start()
        deadline = time.monotonic() + 60
        while True:
            with session_factory() as s:
                rows = list(s.scalars(select(Wakeup)))
                if all(w.status == "escalated" for w in rows):
                    placed = sorted(w.attempts[0].placed_at for w in rows)
                    outcomes = {w.attempts[0].outcome for w in rows}
                    break
            assert time.monotonic() < deadline, "the calls did not end"
            time.sleep(0.2)
        assert outcomes == {"no_answer"}
        # All eight rang at once: the last started well before the first stopped ringing (6 s).
        assert (placed[-1] - placed[0]).total_seconds() < 3, placed
        assert len(room.invites()) == 8
    finally:
        stop.set()
        if t is not None:
            t.join(30)
        room.stop()
        for g in gateways:
            g.stop()
        core.stop()
