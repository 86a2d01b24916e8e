"""An emergency survives a killed worker (issue 14 point 3): the ``zongji worker`` running the
emergency dialler is killed with SIGKILL while it has a call up; a new one takes over and every
person is still told, each attempt dialled exactly once (sipp counts the INVITEs)."""

from __future__ import annotations

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
from conftest import NO_RAW_VARIANT, RAW_SOCKETS  # noqa: E402
from wakeup_rig import SIPP, CoreServer, Sipp, SipProcess  # noqa: E402
from zongji.services.emergency import incidents, plans  # noqa: E402
from zongji.store.emergency_models import EmergencyAttempt  # noqa: E402
from zongji.store.migrate import alembic_config  # noqa: E402
from zongji.store.models import User, utcnow  # noqa: E402

pytestmark = pytest.mark.skipif(SIPP is None, reason="sipp (Debian sip-tester) not installed")


@pytest.fixture
def backend() -> str:
    return "postgresql"  # worker processes sharing the jobs


def _worker(env, log: Path) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "zongji.cli", "worker", "--poll-seconds", "0.2"],
                            env=env, stdout=open(log, "ab"), stderr=subprocess.STDOUT)


def test_killed_worker_emergency_continues_without_calling_twice(settings, db_url, write, make_user,
                                                                 session_factory, cti_token, tmp_path):
    from alembic import command

    command.stamp(alembic_config(db_url), "head")  # create_all made the schema
    settings.run_worker_in_server = False
    core = CoreServer(settings)
    sip = SipProcess(tmp_path, core.url, cti_token, max_calls=4)
    scenario = "answer_dtmf1" if RAW_SOCKETS else NO_RAW_VARIANT["answer_dtmf1"]
    phone = Sipp(scenario, tmp_path)
    procs: list[subprocess.Popen] = []
    try:
        username, _ = make_user("operator")
        n = str(phone.port)
        with write() as s:
            now = utcnow()
            plans.save_plan(s, None, {"kind": "fire", "tries": 1, "recipients": [
                {"name": f"P{i}", "number": n} for i in range(4)]}, now=now)
            user = s.scalar(select(User).where(User.username == username))
            inc = incidents.start(s, user, {"kind": "fire", "room": "1208", "situation": "smoke",
                                            "reporter": "Guest", "read_back": True}, now=now, settings=settings)
        env = {**os.environ, "ZONGJI_DATABASE_URL": db_url, "ZONGJI_DATA_DIR": str(tmp_path),
               "ZONGJI_WAKEUP_GATEWAY_URL": sip.url, "ZONGJI_EMERGENCY_LINES": "4",
               "ZONGJI_EMERGENCY_LEASE_SECONDS": "2", "ZONGJI_EMERGENCY_URI_TEMPLATE": "sip:{number}@127.0.0.1:{number}",
               "ZONGJI_EMERGENCY_RING_SECONDS": "5", "ZONGJI_EMERGENCY_KEY_SECONDS": "5",
               "ZONGJI_TIMEZONE": settings.timezone}
        a = _worker(env, tmp_path / "worker-a.log")
        procs.append(a)
        deadline = time.monotonic() + 60
        while True:  # kill worker A while it has a call up
            with session_factory() as s:
                mine = s.scalar(select(EmergencyAttempt.id).where(
                    EmergencyAttempt.state == "placing", EmergencyAttempt.worker.like(f"%:{a.pid}:%")).limit(1))
            if mine is not None:
                break
            assert time.monotonic() < deadline, (tmp_path / "worker-a.log").read_text()
            time.sleep(0.05)
        os.kill(a.pid, signal.SIGKILL)
        a.wait()
        procs.append(_worker(env, tmp_path / "worker-b.log"))

        deadline = time.monotonic() + 90
        while True:
            with session_factory() as s:
                people = incidents.board(s, inc["id"])["recipients"]
            if all(p["state"] == "acknowledged" for p in people):
                break
            assert time.monotonic() < deadline, (people, (tmp_path / "worker-b.log").read_text()[-3000:])
            time.sleep(0.3)
        assert all(p["attempts"] == 1 and p["ack_channel"] == "phone" for p in people)
        with session_factory() as s:
            attempts = list(s.scalars(select(EmergencyAttempt)))
        assert len(attempts) == 4 and {x.number for x in attempts} == {1}
        deadline = time.monotonic() + 10
        while len(phone.invites()) < 4 and time.monotonic() < deadline:
            time.sleep(0.2)
        assert len(phone.invites()) == 4  # each attempt dialled once, across the kill
    finally:
        for p in procs:
            if p.poll() is None:
                p.terminate()
        for p in procs:
            try:
                p.wait(20)
            except subprocess.TimeoutExpired:
                p.kill()
        phone.stop()
        sip.stop()
        core.stop()
