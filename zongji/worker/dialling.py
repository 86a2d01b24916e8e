"""The one dialling loop shared by the diallers that place jobs' calls through the SIP gateway
(issue 14 point c): claim due jobs of its kinds with a lease, run each call on one of
``lines`` threads, renew the lease while calls last, retry a job whose handler failed, ask the
gateway's /health at most every ``wakeup_health_check_seconds``. A dialler gives its job kinds,
lines, lease and poll time and implements ``_call(job_id)``; ``_finish`` records a result only
while the job is still held (a lost lease: the new holder gets the same result from the
gateway, which dials a call id at most once)."""

from __future__ import annotations

import concurrent.futures
import datetime as dt
import logging
import threading
import time
import traceback
from collections.abc import Callable
from typing import Any

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session, sessionmaker

from zongji.settings import Settings
from zongji.store import jobs as job_store
from zongji.store.db import transaction
from zongji.store.models import Job, utcnow
from zongji.telephony.adapter import TelephonyUnavailable


class JobDialler:
    KINDS: list[str] = []
    log = logging.getLogger("zongji.dialling")

    def __init__(self, session_factory: sessionmaker[Session], settings: Settings, adapter: Any, *, name: str,
                 lines: int, lease_seconds: float, poll_seconds: float,
                 clock: Callable[[], dt.datetime] = utcnow):
        self.session_factory = session_factory
        self.settings = settings
        self.adapter = adapter
        self.name = name
        self.lines = lines
        self.lease = dt.timedelta(seconds=lease_seconds)
        self.poll_seconds = poll_seconds
        self.clock = clock
        self.pool = concurrent.futures.ThreadPoolExecutor(self.lines, thread_name_prefix=f"{name.split(':')[0]}-line")
        self.in_flight: dict[int, concurrent.futures.Future] = {}
        self._last_heartbeat = 0.0
        self._wake = threading.Event()
        self._health_lock = threading.Lock()
        self._health_at = -1e9
        self._health_problem: str | None = None

    def run_once(self) -> int:
        for job_id, fut in list(self.in_flight.items()):
            if fut.done():
                del self.in_flight[job_id]
        self._heartbeat()
        free = self.lines - len(self.in_flight)
        if free <= 0:
            return 0
        now = self.clock()
        with self.session_factory() as s:  # a cheap read first: no write lock when idle
            if s.scalar(select(Job.id).where(Job.kind.in_(self.KINDS), or_(
                    (Job.state == "pending") & (Job.due_at <= now),
                    (Job.state == "running") & (Job.lease_until < now))).limit(1)) is None:
                return 0
        with transaction(self.session_factory) as s:
            ids = job_store.claim_due(s, self.name, now=now, limit=free, lease=self.lease, kinds=self.KINDS)
        for job_id in ids:
            fut = self.pool.submit(self._run, job_id)
            fut.add_done_callback(lambda _f: self._wake.set())
            self.in_flight[job_id] = fut
        return len(ids)

    def wake(self) -> None:
        """End the loop's wait now (a job came, or it is asked to stop)."""
        self._wake.set()

    def drain(self, timeout: float = 60.0) -> None:
        """Wait for the calls in flight (tests)."""
        concurrent.futures.wait(list(self.in_flight.values()), timeout=timeout)

    def run_forever(self, stop: threading.Event, *, poll_seconds: float | None = None) -> None:
        poll = poll_seconds if poll_seconds is not None else self.poll_seconds
        while not stop.is_set():
            try:
                ran = self.run_once()
            except Exception:  # noqa: BLE001 - database restarting etc.: keep going
                self.log.exception("dialler loop error")
                ran = 0
            if not ran:
                self._wake.wait(poll)
                self._wake.clear()
        self.pool.shutdown(wait=True, cancel_futures=True)

    def _heartbeat(self) -> None:
        if not self.in_flight:
            return
        mono = time.monotonic()
        if mono - self._last_heartbeat < self.lease.total_seconds() / 3:
            return
        self._last_heartbeat = mono
        with transaction(self.session_factory) as s:
            s.execute(update(Job).where(Job.id.in_(list(self.in_flight)), Job.worker == self.name,
                                        Job.state == "running")
                      .values(lease_until=self.clock() + self.lease))

    def path_problem(self) -> str | None:
        """Why no call can be placed now (None: the path looks fine): the gateway's /health,
        asked at most every ``wakeup_health_check_seconds``."""
        health = getattr(self.adapter, "health", None)
        if health is None:
            return None
        with self._health_lock:
            if time.monotonic() - self._health_at < self.settings.wakeup_health_check_seconds:
                return self._health_problem
        try:
            h = health()
            problem = None if h.get("ok") else f"SIP gateway unhealthy: {h.get('reason') or '?'}"
        except TelephonyUnavailable as exc:
            problem = str(exc)
        with self._health_lock:
            self._health_at, self._health_problem = time.monotonic(), problem
        return problem

    def _run(self, job_id: int) -> None:
        try:
            self._call(job_id)
        except Exception:  # noqa: BLE001 - one bad job must not stop the others
            self.log.exception("call job %s failed", job_id)
            with transaction(self.session_factory) as s:
                job = job_store.lock_claimed(s, job_id, self.name)
                if job is not None:
                    job_store.release_for_retry(job, due_at=self.clock() + dt.timedelta(seconds=5),
                                                error=traceback.format_exc(limit=5)[-2000:])

    def _finish(self, job_id: int, fn: Callable[[Session], None]) -> None:
        with transaction(self.session_factory) as s:
            job = job_store.lock_claimed(s, job_id, self.name)
            if job is None:
                return  # lease lost: the new holder gets the same result from the gateway
            fn(s)
            job_store.finish(job)

    def _call(self, job_id: int) -> None:
        raise NotImplementedError


def stop_in_thread(parts: tuple, timeout: float = 10.0) -> None:
    """Stop a dialler that ``start_in_thread`` started (``(thread, stop, dialler)``): at once,
    not after its poll interval, then wait for its calls in flight to end."""
    thread, stop, dialler = parts
    stop.set()
    dialler.wake()
    thread.join(timeout=timeout)
