"""The daily retention job (issue 18 point 7): with two workers draining at once every batch runs
exactly once, a step that crashes is rolled back and resumed without repeating or skipping, and
the daily run is scheduled once however many workers start."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from sqlalchemy import func, select

from tests.retention_support import NOW, build
from zongji.domain.retention import anonymise
from zongji.services import retention
from zongji.services.retention import purge
from zongji.settings import Settings
from zongji.store.models import Call, Job
from zongji.store.retention_models import RetentionRun
from zongji.worker.runner import Worker
from zongji.worker.tasks import retention as retention_tasks

HANDLERS = {retention.RUN_JOB: retention_tasks.run_step}


@pytest.fixture
def settings(db_url, tmp_path) -> Settings:
    return Settings(database_url=db_url, data_dir=tmp_path, retention_batch_rows=7)


def _start(write, day="2026-12-04") -> None:
    with write() as s:
        retention.continue_run(s, retention.start_state(day, NOW), NOW)


def _drain(workers) -> None:
    def drain(w):
        while w.run_once():
            pass

    threads = [threading.Thread(target=drain, args=(w,)) for w in workers]
    for t in threads:
        t.start()
    for t in threads:
        t.join()


def _report(write, run="2026-12-04") -> dict[str, tuple[int, int]]:
    with write() as s:
        return {r.kind: (r.rows, r.batches) for r in s.scalars(select(RetentionRun).where(RetentionRun.run_key == run))
                if r.finished_at is not None}


def _anonymised(write) -> int:
    with write() as s:
        return s.scalar(select(func.count()).select_from(Call).where(Call.calling_number.like(anonymise.PREFIX + "%")))


def test_two_workers_run_every_batch_exactly_once(write, runtime, tmp_path):
    h = build(write, tmp_path)
    _start(write)
    _drain([Worker(runtime, handlers=HANDLERS, batch=1, clock=lambda: NOW) for _ in range(2)])
    report = _report(write)
    with write() as s:
        steps = s.scalars(select(Job).where(Job.kind == retention.RUN_JOB, Job.key.like("retention:2026-12-04:%"))).all()
        assert all(j.state == "done" and j.attempts == 1 for j in steps)
        # One job per batch: the batches counted in the report are the steps run, each once.
        assert len(steps) == sum(b for _, b in report.values())
        upcoming = s.scalars(select(Job.key).where(Job.kind == retention.RUN_JOB, Job.state == "pending")).all()
        assert upcoming == ["retention:2026-12-05:0"]
    assert report["feed"][0] == h.gone_feed and report["audit"][0] == h.gone_audit
    assert report["call_events"][0] == len(h.gone_events) and report["work_orders"][0] == len(h.expired_orders)
    assert report["calls"][0] == _anonymised(write) > 0


def test_a_crashed_step_is_rolled_back_and_resumed(write, runtime, tmp_path, monkeypatch):
    build(write, tmp_path)
    real = purge.calls
    calls_seen = {"n": 0}

    def crash_on_third(session, *a, **kw):
        calls_seen["n"] += 1
        batch = real(session, *a, **kw)  # its updates are made, then lost with the transaction
        if calls_seen["n"] == 3:
            raise RuntimeError("worker died")
        return batch

    monkeypatch.setitem(retention._BATCH, retention.Kind.CALLS, crash_on_third)
    clock = [NOW]
    w = Worker(runtime, handlers=HANDLERS, clock=lambda: clock[0])
    _start(write)
    while w.run_once():
        pass
    with write() as s:
        failed = s.scalar(select(Job).where(Job.kind == retention.RUN_JOB, Job.state == "pending",
                                            Job.key.like("retention:2026-12-04:%")))
        assert failed is not None and "worker died" in failed.last_error
    in_flight = _anonymised(write)
    clock[0] = NOW + dt.timedelta(minutes=1)  # the retry is due
    while w.run_once():
        pass
    report = _report(write)
    assert report["calls"][0] == _anonymised(write) > in_flight
    with write() as s:
        steps = s.scalars(select(Job).where(Job.key.like("retention:2026-12-04:%"))).all()
        assert all(j.state == "done" for j in steps)
        assert sum(j.attempts for j in steps) == len(steps) + 1  # the crashed step ran twice, nothing else
        assert len(steps) == sum(b for _, b in report.values())


def test_the_daily_run_is_scheduled_once_by_two_starting_workers(write, runtime):
    workers = [Worker(runtime, handlers=HANDLERS, clock=lambda: NOW) for _ in range(2)]
    threads = [threading.Thread(target=w.start) for w in workers]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    with write() as s:
        jobs = s.scalars(select(Job).where(Job.kind == retention.RUN_JOB)).all()
    # 04:00 UTC is 12:00 in Shanghai: the next run is tomorrow's at 03:30 local (19:30 UTC today).
    assert [(j.key, j.due_at) for j in jobs] == [("retention:2026-12-05:0", dt.datetime(2026, 12, 4, 19, 30, tzinfo=dt.UTC))]
