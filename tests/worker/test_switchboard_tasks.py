"""Switchboard timers (issue 3) run by the real worker: PBX commands retried while the PBX is
down and sent once it is back; the silence check raises an alert and keeps itself scheduled."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from zongji.services.switchboard.pbx import PBX_JOB, PBX_RETRY, queue_pbx
from zongji.services.switchboard.silence import SILENCE_JOB, ensure_silence_check
from zongji.store.models import Call, Job, Line, Organisation, utcnow
from zongji.store.switchboard_models import LineSettings, SilenceAlert
from zongji.worker.tasks import load_all
from zongji.worker.runner import Worker


def _worker(runtime, at):
    return Worker(runtime, handlers=load_all(), clock=lambda: at)


def test_pbx_command_is_retried_until_the_pbx_is_back(runtime, session_factory, settings, write):
    pbx = runtime.pbx()
    pbx.available = False
    now = utcnow()
    with write() as s:
        queue_pbx(s, "lamp", now, extension="81608", on=True)
    _worker(runtime, now).run_once()
    assert not pbx.lamp_on("81608")
    with session_factory() as s:
        job = s.scalar(select(Job).where(Job.kind == PBX_JOB))
        assert job.state == "pending" and "unavailable" in job.last_error
        assert job.due_at >= now + PBX_RETRY - dt.timedelta(seconds=1)
    pbx.available = True
    _worker(runtime, now + dt.timedelta(seconds=1)).run_once()
    assert not pbx.lamp_on("81608")  # not due yet
    _worker(runtime, now + dt.timedelta(seconds=6)).run_once()
    assert pbx.lamp_on("81608")
    with session_factory() as s:
        assert s.scalar(select(Job.state).where(Job.kind == PBX_JOB)) == "done"


def test_silence_check_alerts_once_and_reschedules_itself(runtime, session_factory, settings, write):
    now = utcnow()
    with write() as s:
        org = Organisation(code="o", name="O", kind="company")
        s.add(org)
        s.flush()
        line = Line(organisation_id=org.id, code="l400", name="400", kind="hotline_400", number="4000000000")
        s.add(line)
        s.flush()
        s.add(LineSettings(line_id=line.id, working_hours=None, silence_check=True))
        for i in range(30):
            at = now - dt.timedelta(hours=3) - dt.timedelta(minutes=5 * i)
            s.add(Call(external_id=f"h{i}", line_id=line.id, direction="in", calling_number="1", called_number="4",
                       state="ended", ringing_at=at))
        ensure_silence_check(s, now - dt.timedelta(minutes=settings.line_silence_check_minutes), settings)
    w = _worker(runtime, now)
    assert w.run_once() == 1
    with session_factory() as s:
        alerts = s.scalars(select(SilenceAlert)).all()
        assert len(alerts) == 1 and alerts[0].silent_minutes > 170
        pending = s.scalars(select(Job).where(Job.kind == SILENCE_JOB, Job.state == "pending")).all()
        assert len(pending) == 1 and pending[0].due_at > now
        due = pending[0].due_at
    assert _worker(runtime, due).run_once() == 1
    with session_factory() as s:
        assert len(s.scalars(select(SilenceAlert)).all()) == 1  # the same silence alerts once


def test_the_demo_first_silence_check_follows_the_interval_setting(session_factory, settings, write):
    """Issue 8: the first line-silence check of a fresh demo runs within
    line_silence_check_minutes (it was a fixed 10 minutes whatever the setting)."""
    from zongji.demo.data import load_demo

    for minutes in (3, 45):
        with write() as s:
            s.execute(Job.__table__.delete().where(Job.kind == SILENCE_JOB))
            s.execute(LineSettings.__table__.delete())
        now = utcnow()
        with write() as s:
            load_demo(s, settings.model_copy(update={"line_silence_check_minutes": minutes}), now=now)
        with session_factory() as s:
            due = s.scalars(select(Job.due_at).where(Job.kind == SILENCE_JOB, Job.state == "pending")).all()
        assert len(due) == 1, due
        first = due[0] if due[0].tzinfo else due[0].replace(tzinfo=dt.UTC)
        assert now < first <= now + dt.timedelta(minutes=minutes), (minutes, first - now)
