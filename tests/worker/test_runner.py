"""Timers fire once: not twice with several workers, not lost when a worker dies mid-job."""

from __future__ import annotations

import datetime as dt
import threading

from sqlalchemy import func, select

from zongji.store import jobs as job_store
from zongji.store.models import AuditEntry, Job, utcnow
from zongji.worker.registry import Retry
from zongji.worker.runner import Worker


def _record(session, job, now, runtime):
    # The effect of the job: one audit row naming it. Counting rows counts executions.
    session.add(AuditEntry(actor="system", action="fired", entity="job", entity_id=job.key))


def _count(write, key=None):
    with write() as s:
        q = select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "fired")
        if key:
            q = q.where(AuditEntry.entity_id == key)
        return s.scalar(q)


def test_due_job_runs_once_and_future_job_waits(write, session_factory, runtime):
    now = utcnow()
    with write() as s:
        job_store.schedule(s, "t.record", "due", now - dt.timedelta(seconds=1))
        job_store.schedule(s, "t.record", "later", now + dt.timedelta(hours=1))
        job_store.schedule(s, "t.record", "due", now - dt.timedelta(seconds=1))  # same key: kept once
    w = Worker(runtime, handlers={"t.record": _record})
    assert w.run_once() == 1
    assert w.run_once() == 0
    assert _count(write, "due") == 1 and _count(write, "later") == 0


def test_two_workers_in_parallel_run_each_job_exactly_once(write, session_factory, runtime):
    now = utcnow()
    with write() as s:
        for i in range(120):
            job_store.schedule(s, "t.record", f"job-{i}", now - dt.timedelta(seconds=i))
    workers = [Worker(runtime, handlers={"t.record": _record}, batch=7) for _ in range(3)]

    def drain(w):
        while w.run_once():
            pass

    threads = [threading.Thread(target=drain, args=(w,)) for w in workers]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert _count(write) == 120
    with write() as s:
        fired = s.scalars(select(AuditEntry.entity_id).where(AuditEntry.action == "fired")).all()
        assert len(set(fired)) == 120
        assert s.scalar(select(func.count()).select_from(Job).where(Job.state == "done")) == 120


def test_job_of_a_dead_worker_runs_after_its_lease_and_the_dead_worker_cannot_finish_it(write, session_factory, runtime):
    now = utcnow()
    with write() as s:
        job_store.schedule(s, "t.record", "crash", now - dt.timedelta(seconds=1))
        # Worker A claims the job and "dies" before running it.
        [job_id] = job_store.claim_due(s, "worker-A", now=now, limit=10, lease=dt.timedelta(seconds=30))
    b = Worker(runtime, handlers={"t.record": _record}, name="worker-B",
               clock=lambda: now + dt.timedelta(seconds=10))
    assert b.run_once() == 0  # lease still held by A
    b.clock = lambda: now + dt.timedelta(seconds=31)
    assert b.run_once() == 1
    assert _count(write, "crash") == 1
    # A wakes up and tries to finish the job it no longer holds: nothing happens.
    a = Worker(runtime, handlers={"t.record": _record}, name="worker-A")
    a._run(job_id)
    assert _count(write, "crash") == 1


def test_retry_rolls_back_and_runs_again_later(write, session_factory, runtime):
    calls = []

    def flaky(session, job, now, runtime):
        _record(session, job, now, runtime)
        calls.append(now)
        if len(calls) == 1:
            raise Retry("line busy", dt.timedelta(seconds=60))

    now = utcnow()
    with write() as s:
        job_store.schedule(s, "t.flaky", "flaky", now)
    w = Worker(runtime, handlers={"t.flaky": flaky}, clock=lambda: now)
    assert w.run_once() == 1
    assert _count(write, "flaky") == 0  # the first attempt's effect was rolled back
    w.clock = lambda: now + dt.timedelta(seconds=61)
    assert w.run_once() == 1
    assert _count(write, "flaky") == 1


def test_cancelled_job_never_runs(write, session_factory, runtime):
    now = utcnow()
    with write() as s:
        job_store.schedule(s, "t.record", "cancel-me", now)
        assert job_store.cancel(s, "cancel-me")
    assert Worker(runtime, handlers={"t.record": _record}).run_once() == 0
    assert _count(write, "cancel-me") == 0


def test_scheduling_the_same_key_from_two_transactions_at_once_keeps_one_job(session_factory, write):
    """Two writers scheduling one timer concurrently (e.g. two operators) keep one job, no error."""
    from zongji.store.db import transaction

    due = utcnow() + dt.timedelta(minutes=5)
    errors = []
    barrier = threading.Barrier(2)

    def schedule_it():
        try:
            barrier.wait()
            with transaction(session_factory) as s:
                job_store.schedule(s, "t.record", "same-key", due, {"n": 1})
        except Exception as exc:  # noqa: BLE001 - the assertion below reports it
            errors.append(exc)

    threads = [threading.Thread(target=schedule_it) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    with write() as s:
        assert s.scalar(select(func.count()).select_from(Job).where(Job.key == "same-key")) == 1


def test_every_task_module_is_loaded_by_the_worker():
    """A handler in a task module the worker never imports would never run: its jobs would wait
    forever. Every module in zongji/worker/tasks must be in TASK_MODULES."""
    import pkgutil

    import zongji.worker.tasks as tasks

    on_disk = {m.name for m in pkgutil.iter_modules(tasks.__path__)}
    loaded = {m.__name__.rsplit(".", 1)[1] for m in tasks.TASK_MODULES}
    assert on_disk == loaded
