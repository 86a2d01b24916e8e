"""The worker loop: claim due jobs with a lease and run each handler in its own transaction.

Exactly once: the handler's database effects and the job's ``done`` mark commit together, and a
worker commits only while it still holds the job (checked under a row lock), so a job whose
lease ran out and was taken over by another worker cannot be completed twice. A worker that dies
mid-job leaves it ``running`` until the lease ends; then any worker claims it again.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import socket
import threading
import traceback
import uuid
from collections.abc import Callable

from zongji.bootstrap import Runtime
from zongji.store import jobs as job_store
from zongji.store.db import transaction
from zongji.store.models import Job, utcnow
from zongji.worker.registry import Handler, Retry, preparer, start_hooks
from zongji.worker.tasks import load_all

log = logging.getLogger("zongji.worker")
_UNPREPARED = object()


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


class Worker:
    """Runs the jobs of ``runtime``'s database, handing each handler the runtime."""

    def __init__(
        self,
        runtime: Runtime,
        *,
        handlers: dict[str, Handler] | None = None,
        name: str | None = None,
        batch: int = 20,
        lease: dt.timedelta = dt.timedelta(seconds=60),
        clock: Callable[[], dt.datetime] = utcnow,
        max_attempts: int = 5,
    ):
        self.runtime = runtime
        self.session_factory = runtime.session_factory
        self.handlers = handlers if handlers is not None else load_all()
        self.name = name or worker_name()
        self.batch = batch
        self.lease = lease
        self.clock = clock
        self.max_attempts = max_attempts

    def run_once(self) -> int:
        """Claim and run the jobs due now; return how many were run."""
        now = self.clock()
        with transaction(self.session_factory) as s:
            ids = job_store.claim_due(
                s, self.name, now=now, limit=self.batch, lease=self.lease,
                kinds=list(self.handlers),
            )
        for job_id in ids:
            self._run(job_id)
        return len(ids)

    def _run(self, job_id: int) -> None:
        now = self.clock()
        try:
            prepared = self._prepare(job_id, now)
            with transaction(self.session_factory) as s:
                job = job_store.lock_claimed(s, job_id, self.name)
                if job is None:
                    return  # lost the lease to another worker: it will run the job
                handle = self.handlers[job.kind]
                if prepared is _UNPREPARED:
                    handle(s, job, now, self.runtime)
                else:
                    handle(s, job, now, self.runtime, prepared)
                job_store.finish(job)
        except Exception as exc:  # noqa: BLE001 - a failing handler must not stop the worker
            delay = exc.delay if isinstance(exc, Retry) else dt.timedelta(seconds=30)
            error = str(exc) if isinstance(exc, Retry) else traceback.format_exc(limit=5)
            if not isinstance(exc, Retry):
                log.exception("job %s failed", job_id)
            with transaction(self.session_factory) as s:
                job = job_store.lock_claimed(s, job_id, self.name)
                if job is None:
                    return
                if job.attempts >= self.max_attempts and not isinstance(exc, Retry):
                    job_store.finish(job, state="failed", error=error)
                else:
                    job_store.release_for_retry(job, due_at=now + delay, error=error)

    def _prepare(self, job_id: int, now: dt.datetime):
        """The handler's ``prepare`` step (registry), on a reading session: no write lock is held
        while it works. Its result is discarded if the lease is lost meanwhile."""
        with self.session_factory() as s:
            job = s.get(Job, job_id)
            prepare = preparer(self.handlers[job.kind]) if job is not None else None
            if prepare is None:
                return _UNPREPARED
            return prepare(s, job, now, self.runtime)

    def start(self) -> None:
        """Run the start hooks (periodic jobs kept scheduled); a failure is logged, not fatal."""
        for hook in start_hooks():
            try:
                with transaction(self.session_factory) as s:
                    hook(s, self.clock(), self.runtime)
            except Exception:  # noqa: BLE001 - e.g. the database still starting; the loop goes on
                log.exception("worker start hook %s failed", getattr(hook, "__name__", hook))

    def run_forever(self, stop: threading.Event, *, poll_seconds: float = 0.5) -> None:
        self.start()
        while not stop.is_set():
            try:
                ran = self.run_once()
            except Exception:  # noqa: BLE001 - e.g. the database restarting; try again
                log.exception("worker loop error")
                ran = 0
            if not ran:
                stop.wait(poll_seconds)


def start_in_thread(runtime: Runtime, *, poll_seconds: float = 0.5) -> tuple[threading.Thread, threading.Event]:
    """Run a worker in a daemon thread of this process (used by the web server)."""
    stop = threading.Event()
    worker = Worker(runtime)
    thread = threading.Thread(
        target=worker.run_forever, args=(stop,), kwargs={"poll_seconds": poll_seconds},
        name="zongji-worker", daemon=True,
    )
    thread.start()
    return thread, stop
