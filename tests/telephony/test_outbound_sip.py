"""An automatic outbound list over real SIP (issue 14 points 4 and 6): the outbound dialler calls
through a ``zongji sip`` process (PJSIP) to sipp phones on loopback — one answers and presses 1
(recorded reached / understood), one rings and is never answered (the retry is scheduled)."""

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
from zongji.services.outbound import building  # noqa: E402
from zongji.store.models import Customer, Job, Organisation, User, utcnow  # noqa: E402
from zongji.store.outbound_models import OutboundEntry  # noqa: E402
from zongji.worker.outbound_dialler import OutboundDialler  # noqa: E402

pytestmark = pytest.mark.skipif(SIPP is None, reason="sipp (Debian sip-tester) not installed")


def test_automatic_list_over_real_sip(settings, cti_token, make_user, write, session_factory, room, tmp_path):
    settings.wakeup_dialler_in_server = False
    settings.emergency_dialler_in_server = False
    settings.outbound_dialler_in_server = False  # the test runs its own dialler
    settings.outbound_ring_seconds = 3
    settings.outbound_key_seconds = 4
    settings.outbound_uri_template = "sip:{number}@127.0.0.1:{number}"  # the number is sipp's port
    core = CoreServer(settings)
    sip = SipProcess(tmp_path, core.url, cti_token)
    settings.wakeup_gateway_url = sip.url
    answers, silent = room("answer_dtmf1"), room("ring_no_answer")
    stop = threading.Event()
    t = None
    try:
        username, _ = make_user("supervisor")
        with write() as s:
            org = Organisation(code="water", name="自来水公司", name_en="Water Co", kind="company")
            s.add(org)
            s.flush()
            s.add_all([Customer(organisation_id=org.id, name="张三", phone=str(answers.port), note="东区"),
                       Customer(organisation_id=org.id, name="李四", phone=str(silent.port), note="东区")])
            s.flush()
            user = s.scalar(select(User).where(User.username == username))
            lst = building.from_query(s, user, {"name": "停水", "source": "customers", "filter": "东区",
                                                "automatic": True, "message": "明天东区停水，听清请按1。"}, now=utcnow())
        dialler = OutboundDialler(session_factory, settings)
        t = threading.Thread(target=dialler.run_forever, args=(stop,), kwargs={"poll_seconds": 0.1})
        t.start()

        def entries():
            with session_factory() as s:
                return {e.name: (e.state, e.result, e.tries, e.id) for e in
                        s.scalars(select(OutboundEntry).where(OutboundEntry.list_id == lst["id"]))}

        deadline = time.monotonic() + 40
        while True:
            e = entries()
            if e["张三"][0] == "reached" and e["李四"][0] == "retry":
                break
            assert time.monotonic() < deadline, e
            time.sleep(0.2)
        assert e["张三"][1:3] == ("understood", 1)
        assert e["李四"][1:3] == ("no_answer", 1)
        with session_factory() as s:
            assert s.scalar(select(Job).where(Job.key == f"outbound:e{e['李四'][3]}:call:2")) is not None
    finally:
        stop.set()
        if t is not None:
            t.join(30)
        sip.stop()
        core.stop()
