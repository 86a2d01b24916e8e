"""Planner statistics kept current (issue 18, point 2): the job analyses the big tables, once."""

from __future__ import annotations

import datetime as dt
import threading

from sqlalchemy import func, select, text

from zongji.services import planner_stats
from zongji.store import jobs as job_store
from zongji.store.models import Call, Job, utcnow
from zongji.worker.runner import Worker
from zongji.worker.tasks import load_all


def _add_calls(write, n: int) -> None:
    start = utcnow() - dt.timedelta(days=1)
    with write() as s:
        for i in range(n):
            s.add(Call(direction="in", calling_number=f"1390000{i:04d}", called_number="12345", state="ended",
                       ringing_at=start + dt.timedelta(minutes=i), outcome="answered" if i % 3 else "abandoned"))


def _last_analyze(session_factory, backend):
    with session_factory() as s:
        if backend == "postgresql":
            return s.execute(text("SELECT coalesce(last_analyze, 'epoch'::timestamptz) FROM pg_stat_user_tables "
                                  "WHERE relname = 'calls' AND schemaname = current_schema()")).scalar()
        return s.execute(text("SELECT count(*) FROM sqlite_master WHERE name = 'sqlite_stat1'")).scalar() and \
            s.execute(text("SELECT count(*) FROM sqlite_stat1 WHERE tbl = 'calls'")).scalar()


def _worker(runtime):
    return Worker(runtime, handlers={planner_stats.PLANNER_JOB: load_all()[planner_stats.PLANNER_JOB]})


def test_job_gathers_statistics_and_keeps_itself_scheduled(backend, write, session_factory, runtime):
    _add_calls(write, 30)
    before = _last_analyze(session_factory, backend)
    if backend == "sqlite":
        assert not before  # a new database has no statistics
    with write() as s:
        job_store.schedule(s, planner_stats.PLANNER_JOB, "planner-now", utcnow() - dt.timedelta(seconds=1),
                           {"full": False})
    assert _worker(runtime).run_once() == 1
    after = _last_analyze(session_factory, backend)
    if backend == "sqlite":
        assert after >= 1
    else:
        assert after > before
    with session_factory() as s:
        pending = s.scalars(select(Job.key).where(Job.kind == planner_stats.PLANNER_JOB,
                                                  Job.state == "pending")).all()
    assert len(pending) == 2 and any(k.startswith("planner-stats-full:") for k in pending)


def test_unchanged_tables_are_not_analysed_again(backend, write, runtime):
    _add_calls(write, 30)
    with write() as s:
        first = planner_stats.gather(s, runtime.settings)
    with write() as s:
        again = planner_stats.gather(s, runtime.settings)
        full = planner_stats.gather(s, runtime.settings, full=True)
    if backend == "sqlite":  # PostgreSQL's reused test database may have analysed calls before
        assert "calls" in first["analysed"]
    assert "calls" not in again["analysed"] and "calls" in full["analysed"]


def test_two_workers_run_the_job_exactly_once(write, session_factory, runtime):
    _add_calls(write, 10)
    due = utcnow() - dt.timedelta(seconds=1)
    with write() as s:
        planner_stats.ensure_scheduled(s, due - dt.timedelta(hours=2), runtime.settings)
        job_store.schedule(s, planner_stats.PLANNER_JOB, "planner-now", due, {"full": True})
    workers = [_worker(runtime) for _ in range(2)]
    for w in workers:
        w.start()  # both keep the job scheduled: still one job per due time
    threads = [threading.Thread(target=lambda w=w: [w.run_once() for _ in range(3)]) for w in workers]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    with session_factory() as s:
        done = s.execute(select(Job.key, Job.attempts).where(Job.kind == planner_stats.PLANNER_JOB,
                                                             Job.state == "done")).all()
        pending = s.scalar(select(func.count()).select_from(Job).where(
            Job.kind == planner_stats.PLANNER_JOB, Job.state == "pending"))
    assert ("planner-now", 1) in done and all(attempts == 1 for _, attempts in done)
    assert len({k for k, _ in done}) == len(done)
    assert pending == 2
