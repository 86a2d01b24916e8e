"""While an emergency runs, the wake-up dialler leaves lines free for it (issue 14 point 3),
always keeping one for wake-ups (R-H9)."""

from __future__ import annotations

import datetime as dt

from zongji.services import wakeups as svc
from zongji.store import jobs
from zongji.store.emergency_models import EmergencyIncident
from zongji.store.models import Job, utcnow
from zongji.worker.wakeup_dialler import WakeupDialler


class NoCalls:
    def place_call(self, *a, **kw):  # never reached: the jobs' wake-ups do not exist
        raise AssertionError("no call expected")


def _claimed(session_factory, settings, lines: int) -> int:
    d = WakeupDialler(session_factory, settings, NoCalls(), prompts=None, lines=lines)
    try:
        return d.run_once()
    finally:
        d.pool.shutdown(wait=True)


def test_wakeup_lines_left_free_while_an_emergency_runs(write, session_factory, settings):
    now = utcnow()
    settings.emergency_wakeup_lines_free = 2
    with write() as s:
        for i in range(12):
            jobs.schedule(s, svc.CALL_JOB, f"wakeup:{900000 + i}:1", now - dt.timedelta(seconds=1),
                          {"wakeup_id": 900000 + i, "attempt": 1})
    assert _claimed(session_factory, settings, 4) == 4  # no emergency: every line
    with write() as s:
        s.add(EmergencyIncident(kind="fire", status="started", plan={}, situation="smoke", reporter="x",
                                started_at=now))
    with write() as s:  # the claimed ones back to pending
        for j in s.query(Job).filter(Job.kind == svc.CALL_JOB):
            j.state, j.due_at = "pending", now - dt.timedelta(seconds=1)
    assert _claimed(session_factory, settings, 4) == 2
    assert _claimed(session_factory, settings, 2) == 1  # one line always stays for wake-ups
