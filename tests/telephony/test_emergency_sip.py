"""An emergency over real SIP (issue 14 point 6, first part): the fire plan started, the
emergency dialler calling through a ``zongji sip`` process (PJSIP) to sipp phones on loopback —
one answers and presses 1, one rings and is never answered (its deputy is called and presses 1),
one is busy. Checked: each person's state on the board, each attempt dialled once, the deputy
called after no answer."""

from __future__ import annotations

import sys
import threading
import time
from pathlib import Path

import pytest

pytest.importorskip("pjsua2", reason="pjsua2-python wheel does not import here")

from sqlalchemy import select  # noqa: E402

sys.path.insert(0, str(Path(__file__).parent))
from wakeup_rig import SIPP, CoreServer, SipProcess  # noqa: E402
from zongji.services.emergency import incidents, plans  # noqa: E402
from zongji.store.models import User, utcnow  # noqa: E402
from zongji.worker.emergency_dialler import EmergencyDialler  # noqa: E402

pytestmark = pytest.mark.skipif(SIPP is None, reason="sipp (Debian sip-tester) not installed")


@pytest.fixture
def esettings(settings):
    settings.wakeup_dialler_in_server = False
    settings.emergency_dialler_in_server = False  # the test runs its own dialler
    settings.emergency_ring_seconds = 3
    settings.emergency_key_seconds = 4
    settings.emergency_uri_template = "sip:{number}@127.0.0.1:{number}"  # the number is sipp's port
    return settings


def test_fire_plan_over_real_sip(esettings, cti_token, make_user, write, session_factory, room, tmp_path):
    core = CoreServer(esettings)  # its worker runs the waves and deputy checks
    sip = SipProcess(tmp_path, core.url, cti_token)
    esettings.wakeup_gateway_url = sip.url
    gm, security, deputy, medical = (room("answer_dtmf1"), room("ring_no_answer"),
                                     room("answer_dtmf1"), room("busy"))
    stop = threading.Event()
    t = None
    try:
        username, _ = make_user("operator")
        with write() as s:
            now = utcnow()
            plans.save_plan(s, None, {"kind": "fire", "tries": 1, "recipients": [
                {"name": "总经理", "number": str(gm.port)},
                {"name": "保安部", "number": str(security.port),
                 "deputy": {"name": "保安值班", "number": str(deputy.port)}},
                {"name": "医务室", "number": str(medical.port)}]}, now=now)
            user = s.scalar(select(User).where(User.username == username))
            inc = incidents.start(s, user, {"kind": "fire", "floor": "12", "area": "east corridor",
                                            "situation": "smoke", "reporter": "Guest", "read_back": True},
                                  now=now, settings=esettings)
        dialler = EmergencyDialler(session_factory, esettings)
        t = threading.Thread(target=dialler.run_forever, args=(stop,), kwargs={"poll_seconds": 0.1})
        t.start()

        def people():
            with session_factory() as s:
                return {r["name"]: r for r in incidents.board(s, inc["id"])["recipients"]}

        deadline = time.monotonic() + 60
        while True:
            p = people()
            if (p.get("保安值班", {}).get("state") == "acknowledged"
                    and p["总经理"]["state"] == "acknowledged" and p["医务室"]["state"] == "busy"):
                break
            assert time.monotonic() < deadline, p
            time.sleep(0.2)
        assert p["总经理"]["ack_channel"] == "phone" and p["总经理"]["acknowledged_at"]
        assert p["保安部"]["state"] == "deputy_called" and p["保安部"]["attempts"] == 1
        assert p["保安值班"]["deputy_of_id"] == p["保安部"]["id"]
        with session_factory() as s:
            board = incidents.board(s, inc["id"])
        results = [e["text"] for e in board["timeline"] if e["kind"] == "result"]
        assert any("保安部: no_answer" in x for x in results), results
        assert any("医务室: busy" in x for x in results), results
        assert sum(e["kind"] == "call" for e in board["timeline"]) == 4  # each attempt once
    finally:
        stop.set()
        if t is not None:
            t.join(30)
        sip.stop()
        core.stop()
