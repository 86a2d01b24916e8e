"""A burst of wake-ups with two ``zongji worker`` processes on PostgreSQL; one is killed
(SIGKILL) while it has calls up and started again. Each wake-up must be placed exactly once:
sipp counts the INVITEs it received, the core counts the call records the gateway reported.
"""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytest.importorskip("pjsua2", reason="pjsua2-python wheel does not import here")

from sqlalchemy import select  # noqa: E402

sys.path.insert(0, str(Path(__file__).parent))
from wakeup_rig import SIPP, URI_TEMPLATE, CoreServer, Sipp, SipProcess, make_rooms  # noqa: E402
from zongji.services import wakeups as svc  # noqa: E402
from zongji.store.migrate import alembic_config  # noqa: E402
from zongji.store.models import Call, utcnow  # noqa: E402
from zongji.store.wakeup_models import Wakeup, WakeupAttempt  # noqa: E402
from zongji.telephony.prompts import PromptStore  # noqa: E402

pytestmark = pytest.mark.skipif(SIPP is None, reason="sipp (Debian sip-tester) not installed")

N = 16


@pytest.fixture
def backend() -> str:
    return "postgresql"  # two workers sharing jobs need a real PostgreSQL


def _worker(env, log: Path) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "zongji.cli", "worker", "--poll-seconds", "0.2"],
                            env=env, stdout=open(log, "ab"), stderr=subprocess.STDOUT)


def test_killed_worker_mid_burst_places_each_wakeup_exactly_once(settings, db_url, write,
                                                                 session_factory, cti_token,
                                                                 tmp_path):
    from alembic import command

    command.stamp(alembic_config(db_url), "head")  # create_all made the schema
    settings.run_worker_in_server = False
    settings.wakeup_dialler_in_server = False
    core = CoreServer(settings)
    sip = SipProcess(tmp_path, core.url, cti_token, max_calls=4)
    room = Sipp("answer_dtmf1", tmp_path)
    procs: list[subprocess.Popen] = []
    try:
        now = utcnow()
        # Prompts for the coming minutes, so the workers do not synthesize them concurrently.
        store = PromptStore(tmp_path)
        for m in range(3):
            t = (now + dt.timedelta(minutes=m)).astimezone(settings.tz)
            store.wakeup_prompt(dt.time(t.hour, t.minute), ["zh", "en"], svc.policy_from(settings))
        rooms = {f"{1400 + i}": room.port for i in range(1, N + 1)}
        make_rooms(write, rooms, now=now)
        due = now + dt.timedelta(seconds=5)
        with write() as s:
            for n in rooms:
                svc.book(s, svc.Booking(room=n, wake_at=due, readback_confirmed=True),
                         actor="user:op", now=now, settings=settings)
        env = {**os.environ, "ZONGJI_DATABASE_URL": db_url, "ZONGJI_DATA_DIR": str(tmp_path),
               "ZONGJI_WAKEUP_GATEWAY_URL": sip.url, "ZONGJI_WAKEUP_LINES": "2",
               "ZONGJI_WAKEUP_LEASE_SECONDS": "3", "ZONGJI_WAKEUP_URI_TEMPLATE": URI_TEMPLATE,
               "ZONGJI_WAKEUP_RING_SECONDS": "5", "ZONGJI_WAKEUP_KEY_SECONDS": "5",
               "ZONGJI_TIMEZONE": settings.timezone}
        a = _worker(env, tmp_path / "worker-a.log")
        b = _worker(env, tmp_path / "worker-b.log")
        procs += [a, b]

        # Kill worker A while it has a call up (an attempt of its own in "placing").
        deadline = time.monotonic() + 60
        while True:
            with session_factory() as s:
                mine = s.scalar(select(WakeupAttempt.id).where(
                    WakeupAttempt.state == "placing",
                    WakeupAttempt.worker.like(f"%:{a.pid}:%")).limit(1))
                ended = s.query(WakeupAttempt).filter(WakeupAttempt.state == "ended").count()
            if mine is not None:
                break
            assert time.monotonic() < deadline, (tmp_path / "worker-a.log").read_text()
            time.sleep(0.05)
        assert ended < N, "the burst was over before the kill"
        os.kill(a.pid, signal.SIGKILL)
        a.wait()
        a2 = _worker(env, tmp_path / "worker-a2.log")
        procs.append(a2)

        deadline = time.monotonic() + 120
        while True:
            with session_factory() as s:
                statuses = [w.status for w in s.scalars(select(Wakeup))]
            if all(x == "done" for x in statuses):
                break
            assert time.monotonic() < deadline, (statuses, (tmp_path / "worker-b.log").read_text())
            time.sleep(0.3)

        with session_factory() as s:
            attempts = list(s.scalars(select(WakeupAttempt)))
            assert len(attempts) == N and {x.number for x in attempts} == {1}
            assert {x.outcome for x in attempts} == {"answered_confirmed"}
            assert any(x.recovered for x in attempts)  # the killed worker's calls were taken over
            call_ids = {x.external_call_id for x in attempts}
        # The gateway dialled each once: sipp's INVITEs and the CTI call records agree.
        deadline = time.monotonic() + 10
        while len(room.invites()) < N and time.monotonic() < deadline:
            time.sleep(0.2)
        time.sleep(1.0)
        assert len(room.invites()) == N
        with session_factory() as s:
            calls = list(s.scalars(select(Call).where(Call.external_id.like("wakeup-%"))))
        assert {c.external_id for c in calls} == call_ids
    finally:
        for p in procs:
            if p.poll() is None:
                p.terminate()
        for p in procs:
            try:
                p.wait(20)
            except subprocess.TimeoutExpired:
                p.kill()
        room.stop()
        sip.stop()
        core.stop()
