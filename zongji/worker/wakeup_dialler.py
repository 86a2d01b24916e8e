"""The wake-up dialler: places due wake-up calls through the telephony adapter, once each.

Why not an ordinary ``@handler``: a call blocks for up to a minute, and a burst (500 rooms at
07:00) must use every line at once. The dialler claims ``wakeup.call`` jobs (zongji.store.jobs,
key ``wakeup:<id>:<attempt>``) oldest-due first, never more than it has free lines, and runs each
in a thread of its own pool. Several dialler processes share the work through the job leases
(``FOR UPDATE SKIP LOCKED`` on PostgreSQL); the lines they share are capped by the gateway,
which queues calls beyond its ``--lines`` in due order (zongji.telephony.call_ledger).

Placing a call exactly once — the two-phase record:

1. *Claim* the job with a lease (renewed every lease/3 while the call lasts).
2. *Phase 1*, one transaction: the ``WakeupAttempt`` row is written with ``state="placing"``
   and its deterministic ``call_id`` (``wakeup-<id>-<n>``), the wake-up goes to ``calling``.
   Committed **before** the gateway is asked to dial.
3. *Dial*: ``place_call(..., call_id=…)``. The gateway dials a call id at most once; a repeated
   request with the same id waits for / returns the first call's result.
4. *Phase 2*, one transaction, only while this dialler still holds the job: the attempt is
   ``ended`` with its result, the domain decides (done / snoozed / retry → next job / escalated
   → tasks, alert, handover), the job is ``done``.

A dialler killed between 2 and 4 leaves the attempt ``placing`` and the job ``running``; when
the lease ends another dialler claims the job and finds the ``placing`` row. It never dials
blindly; it asks the gateway what it knows of that call id:

* queued / active / ended → ``place_call`` with the same id again: the gateway attaches to the
  call (or returns its result) without dialling, and phase 2 records the true outcome;
* unknown, but a CTI call record with that id exists (the gateway dialled it and was itself
  restarted since) → the outcome is lost: the attempt counts as failed and the domain retries
  with a *new* attempt (or escalates) — never the same attempt twice;
* unknown and no CTI record → the first dialler died before its request reached the gateway:
  this attempt was never dialled, so it is dialled now, once.

Telephony down (R-H9: never silence). Every due wake-up goes to the manual call list at once
(``escalate_telephony_down``), with one "telephony down" alert on every console, when

* the gateway cannot be reached (``TelephonyUnavailable``), or
* its ``/health`` is not ok (SIP stack down; a registrar configured and the registration
  refused or lapsed) — asked before dialling (cached ``wakeup_health_check_seconds``) and at
  once after a call ended in ``TELEPHONY_FAULT`` or ``FAILED``, or
* ``wakeup_fault_rooms`` calls in a row to different rooms ended in ``TELEPHONY_FAULT`` (5xx,
  makeCall error, no response at all) although /health says ok (the PBX behind it is down).

A fault on one room while the path is healthy is retried like an unanswered call. While
wake-ups wait on the manual call list because telephony was down, the dialler asks /health every
``wakeup_health_check_seconds``; when it is ok again, those not handled by hand yet (task still
open, time at most ``wakeup_resume_minutes`` ago) are called automatically again
(``resume_after_telephony_down``) and a "restored" alert goes out.
"""

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

from zongji.services import wakeups as svc
from zongji.services.emergency import incidents as emergency
from zongji.settings import Settings
from zongji.store import jobs as job_store
from zongji.store.db import transaction
from zongji.store.models import Job, utcnow
from zongji.telephony.adapter import CallOutcome, CallResult, TelephonyUnavailable
from zongji.telephony.control import GatewayPool, HttpTelephonyClient
from zongji.telephony.prompts import PromptStore
from zongji.worker.runner import worker_name

log = logging.getLogger("zongji.wakeups")

KINDS = [svc.CALL_JOB, svc.PREFLIGHT_JOB]
# A job claimed before others but slow to reach its dial point holds the later ones this long.
TURN_WAIT_SECONDS = 1.0
# A failing speech synthesizer is reported to the operators at most this often per dialler.
PROMPT_ALERT_SECONDS = 600.0


def make_adapter(settings: Settings):
    """The worker's telephony adapter: the ``zongji sip`` process(es) at wakeup_gateway_url
    (comma-separated for several gateways); None when telephony is not configured."""

    urls = [u.strip() for u in (settings.wakeup_gateway_url or "").split(",") if u.strip()]
    if not urls:
        return None
    clients = [HttpTelephonyClient(u, settings.wakeup_gateway_token) for u in urls]
    if len(clients) == 1:
        return clients[0]

    return GatewayPool(clients, lines_each=max(1, settings.wakeup_lines // len(clients)))


def _lookup(adapter, call_id: str) -> dict | None:
    """What the gateway(s) know of call_id; None if no gateway could be asked."""
    clients = getattr(adapter, "clients", None) or [adapter]
    asked = False
    for c in clients:
        fn = getattr(c, "lookup", None)
        if fn is None:
            continue
        try:
            info = fn(call_id)
        except TelephonyUnavailable:
            continue
        asked = True
        if info.get("state") != "unknown":
            return info
    return {"state": "unknown"} if asked else None


class WakeupDialler:
    def __init__(self, session_factory: sessionmaker[Session], settings: Settings, adapter: Any = "auto",
                 *, name: str | None = None, lines: int | None = None,
                 clock: Callable[[], dt.datetime] = utcnow, prompts: Any = "auto"):
        self.session_factory = session_factory
        self.settings = settings
        self.adapter = make_adapter(settings) if adapter == "auto" else adapter
        self.name = name or f"dialler:{worker_name()}"
        self.lines = max(1, lines or settings.wakeup_lines)
        self.lease = dt.timedelta(seconds=settings.wakeup_lease_seconds)
        self.clock = clock
        if prompts == "auto":

            prompts = PromptStore(settings.data_dir, sample_rate=settings.wakeup_prompt_rate)
        self.prompts = prompts
        self.pool = concurrent.futures.ThreadPoolExecutor(self.lines, thread_name_prefix="wakeup-line")
        self.in_flight: dict[int, concurrent.futures.Future] = {}
        self._last_heartbeat = 0.0
        self._wake = threading.Event()
        # Telephony-down detection (see the module doc).
        self._path_lock = threading.Lock()
        self._health_at = -1e9  # monotonic time of the last /health answer
        self._health_problem: str | None = None
        # (URI, SIP status and reason) of consecutive TELEPHONY_FAULT calls
        self._fault_streak: list[tuple[str, str]] = []
        self._resume_checked = -1e9
        self._prompt_alert_at = -1e9
        self._takes_priority: bool | None = None
        self._lines_warned = False
        # Dial in claim order (see _wait_turn).
        self._turn_cv = threading.Condition()
        self._next_seq = 0
        self._turn = 0
        self._passed: set[int] = set()
        self._job_seq = threading.local()
        self._probe_at = -1e9
        self._probe_ids: set[int] = set()

    # ---- the loop

    def run_once(self) -> int:
        for job_id, fut in list(self.in_flight.items()):
            if fut.done():
                del self.in_flight[job_id]
        self._heartbeat()
        self._check_recovery()
        free = self.lines - len(self.in_flight)
        if free <= 0:
            return 0
        now = self.clock()
        with self.session_factory() as s:  # a cheap read first: no write lock when idle
            if s.scalar(select(Job.id).where(Job.kind.in_(KINDS), or_(
                    (Job.state == "pending") & (Job.due_at <= now),
                    (Job.state == "running") & (Job.lease_until < now))).limit(1)) is None:
                return 0
            # An emergency runs: leave lines free for its calls (issue 14 point 3).
            # At least one line stays for wake-ups (R-H9: never silence).
            reserve = min(self.settings.emergency_wakeup_lines_free, self.lines - 1)
            if reserve > 0 and emergency.running(s):
                free = min(free, self.lines - reserve - len(self.in_flight))
                if free <= 0:
                    return 0
        with transaction(self.session_factory) as s:
            ids = job_store.claim_due(s, self.name, now=self.clock(), limit=free, lease=self.lease,
                                      kinds=KINDS)
        for job_id in ids:  # claimed oldest-due first: submitted (and dialled) in that order
            seq = self._next_seq
            self._next_seq += 1
            fut = self.pool.submit(self._run, job_id, seq)
            fut.add_done_callback(lambda _f: self._wake.set())
            self.in_flight[job_id] = fut
        return len(ids)

    def wake(self) -> None:
        """End the loop's wait now (a call ended, or it is asked to stop)."""
        self._wake.set()

    def run_forever(self, stop: threading.Event, *, poll_seconds: float | None = None) -> None:
        poll = poll_seconds if poll_seconds is not None else self.settings.wakeup_poll_seconds
        while not stop.is_set():
            try:
                ran = self.run_once()
            except Exception:  # noqa: BLE001 - database restarting etc.: keep going
                log.exception("wake-up dialler loop error")
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

    # ---- telephony up or down

    def path_problem(self, *, fresh: bool = False) -> str | None:
        """Why no call can be placed now (None: the path looks fine). Asks the gateway's
        /health at most every ``wakeup_health_check_seconds`` unless ``fresh``."""
        if self.adapter is None:
            return "no SIP gateway configured (wakeup_gateway_url)"
        health = getattr(self.adapter, "health", None)
        if health is None:
            return None
        with self._path_lock:
            mono = time.monotonic()
            if not fresh and mono - self._health_at < self.settings.wakeup_health_check_seconds:
                return self._health_problem
        try:
            h = health()
            problem = None if h.get("ok") else f"SIP gateway unhealthy: {h.get('reason') or '?'}"
            lines = h.get("lines")
            if lines and lines < self.lines and not self._lines_warned:
                self._lines_warned = True
                log.warning("wakeup_lines is %d but the SIP gateway carries %d calls at once: "
                            "the rest wait in due order. For %d lines run more `zongji sip` "
                            "processes and list them in wakeup_gateway_url", self.lines, lines,
                            self.lines)
        except TelephonyUnavailable as exc:
            problem = str(exc)
        with self._path_lock:
            self._health_at, self._health_problem = time.monotonic(), problem
        return problem

    def _after_call(self, uri: str, result: CallResult) -> str | None:
        """Telephony down after this result? The reason if so (module doc)."""
        if result.outcome not in (CallOutcome.TELEPHONY_FAULT, CallOutcome.FAILED):
            with self._path_lock:
                self._fault_streak.clear()  # the path carried a call to a room
            return None
        if result.outcome is CallOutcome.TELEPHONY_FAULT:
            with self._path_lock:
                self._fault_streak.append(
                    (uri, f"{result.sip_status or ''} {result.reason}".strip()))
                del self._fault_streak[:-100]
            down = self._streak_down()
            if down:
                return down
        return self.path_problem(fresh=True)

    def _streak_down(self) -> str | None:
        with self._path_lock:
            rooms = len({uri for uri, _ in self._fault_streak})
            last = self._fault_streak[-1][1] if self._fault_streak else ""
        if rooms >= max(1, self.settings.wakeup_fault_rooms):
            return f"{rooms} rooms in a row: telephony fault (last: {last})"
        return None

    def _went_down(self, s: Session, reason: str, *, by: str) -> None:
        if by == "faults":
            self._probe_at = time.monotonic()  # the first probe after a retry interval
        svc.alert_telephony(s, down=True, reason=reason, now=self.clock(), settings=self.settings,
                            by=by)

    def _check_recovery(self) -> None:
        """While wake-ups wait on the manual call list because telephony was down: once the
        path is healthy again, call those not handled by hand yet automatically again.

        When the path was found down by faults on calls (the gateway's health cannot see a dead
        PBX behind it), one wake-up is called first as a probe (at most every retry interval);
        the rest follow once a call reached a room again."""
        if self.adapter is None:
            return
        mono = time.monotonic()
        if mono - self._resume_checked < self.settings.wakeup_health_check_seconds:
            return
        self._resume_checked = mono
        now = self.clock()
        with self.session_factory() as s:
            if not svc.any_resumable(s, now=now, settings=self.settings):
                return
            last = svc.last_telephony_alert(s) or {}
        if self.path_problem(fresh=True) is not None:
            return
        probing = last.get("kind") == "wakeup_telephony_down" and last.get("by") == "faults"
        if probing and mono - self._probe_at < self.settings.wakeup_retry_interval_minutes * 60:
            return
        with transaction(self.session_factory) as s:
            resumed = svc.resume_after_telephony_down(s, now=now, settings=self.settings,
                                                      limit=1 if probing else None)
            if resumed and not probing:
                svc.alert_telephony(s, down=False, reason="", now=now, settings=self.settings)
        if probing:
            self._probe_at = mono
            self._probe_ids.update(w.id for w in resumed)
        else:
            with self._path_lock:
                self._fault_streak.clear()
        if resumed:
            log.warning("telephony %s: %d wake-up(s) called automatically again",
                        "probe" if probing else "restored", len(resumed))
            self._wake.set()

    # ---- one job

    def _wait_turn(self, seq: int | None) -> None:
        """Dial in claim (= due) order: wait until every job claimed before this one has sent
        its call (or ended), at most TURN_WAIT_SECONDS — a job slowed by its transaction (SQLite
        busy waits are not fair) must not let later wake-ups overtake it."""
        if seq is None:
            return
        with self._turn_cv:
            self._turn_cv.wait_for(lambda: self._turn >= seq, timeout=TURN_WAIT_SECONDS)

    def _pass_turn(self, seq: int | None) -> None:
        if seq is None:
            return
        with self._turn_cv:
            if seq >= self._turn:
                self._passed.add(seq)
            while self._turn in self._passed:
                self._passed.discard(self._turn)
                self._turn += 1
            self._turn_cv.notify_all()

    def _run(self, job_id: int, seq: int | None = None) -> None:
        try:
            self._job_seq.seq = seq
            with transaction(self.session_factory) as s:
                job = job_store.lock_claimed(s, job_id, self.name)
                if job is None:
                    return
                kind = job.kind
            if kind == svc.PREFLIGHT_JOB:
                self._pass_turn(seq)
                self._preflight(job_id)
            else:
                self._call(job_id)
        except Exception as exc:  # noqa: BLE001 - one bad job must not stop the others
            self._pass_turn(seq)
            log.exception("wake-up job %s failed", job_id)
            with transaction(self.session_factory) as s:
                job = job_store.lock_claimed(s, job_id, self.name)
                if job is not None:
                    job_store.release_for_retry(job, due_at=self.clock() + dt.timedelta(seconds=5),
                                                error=traceback.format_exc(limit=5)[-2000:])
        finally:
            self._pass_turn(seq)  # also when the job ended without dialling

    def _priority(self, due: dt.datetime) -> dict:
        """Tell the gateway the due instant, so calls it must queue go earliest-due first
        (issue 5 point 6) — for adapters that take it."""
        if self._takes_priority is None:
            import inspect

            try:
                params = inspect.signature(self.adapter.place_call).parameters
                self._takes_priority = "priority" in params
            except (TypeError, ValueError):
                self._takes_priority = False
        return {"priority": due.timestamp()} if self._takes_priority else {}

    def _prompt(self, languages: list[str]) -> str | None:
        if self.prompts is None:
            return None
        t = self.clock().astimezone(self.settings.tz).time()
        try:
            return str(self.prompts.wakeup_prompt(dt.time(t.hour, t.minute), languages,
                                                  svc.policy_from(self.settings)))
        except Exception as exc:  # noqa: BLE001 - no synthesizer: the call still goes, without a voice
            log.exception("wake-up prompt unavailable")
            self._prompt_failed(exc)
            return None

    def _prompt_failed(self, exc: Exception) -> None:
        """Tell the operators, not only the log: guests are being called without a greeting
        (they hear silence and may not press the key). At most once per PROMPT_ALERT_SECONDS."""
        mono = time.monotonic()
        with self._path_lock:
            if mono - self._prompt_alert_at < PROMPT_ALERT_SECONDS:
                return
            self._prompt_alert_at = mono
        try:
            with transaction(self.session_factory) as s:
                svc.alert_prompt_failed(s, reason=f"{type(exc).__name__}: {exc}",
                                        now=self.clock(), settings=self.settings)
        except Exception:  # noqa: BLE001 - the call must still go
            log.exception("could not record the prompt alert")

    def _call(self, job_id: int) -> None:
        st = self.settings
        # Phase 1: record "placing" (or find the record a killed dialler left) and commit.
        with transaction(self.session_factory) as s:
            job = job_store.lock_claimed(s, job_id, self.name)
            if job is None:
                return
            wid, n = int(job.payload["wakeup_id"]), int(job.payload["attempt"])
            w = svc.get(s, wid, lock=True)
            a = next((x for x in w.attempts if x.number == n), None)
            if a is None:
                if w.status not in ("due", "retrying", "snoozed") or len(w.attempts) != n - 1:
                    job_store.finish(job, error=f"stale: wake-up is {w.status}")
                    return
                a = svc.begin_attempt(s, w, n, now=self.clock(), worker=self.name, settings=st)
                mode = "dial"
            elif a.state == "ended":
                job_store.finish(job)
                return
            else:
                mode = "recover"
                a.worker = self.name
            call_id, uri, languages = a.external_call_id, a.uri, w.languages.split(",")
            due = a.due_at or w.wake_at
        result: CallResult | None = None
        lost_reason = ""
        down_reason: str | None = None
        try:
            problem = self.path_problem()
            if problem is None and wid not in self._probe_ids:
                problem = self._streak_down()  # the PBX is down: no call until a probe gets through
            self._probe_ids.discard(wid)
            if problem is not None:
                raise TelephonyUnavailable(problem)
            if mode == "recover":
                info = _lookup(self.adapter, call_id)
                if info is None:
                    raise TelephonyUnavailable("SIP gateway unreachable while recovering a call")
                if info["state"] == "unknown":
                    with self.session_factory() as s:
                        seen = svc.cti_call_seen(s, call_id) is not None
                    if seen:
                        mode = "lost"
                        lost_reason = ("recovered: the dialler stopped mid-call and the gateway "
                                       "no longer knows the call; outcome unknown")
                    else:
                        log.info("recovering %s: never dialled, dialling now", call_id)
                else:
                    log.info("recovering %s: the gateway has it (%s)", call_id, info["state"])
            if mode != "lost":
                prompt = self._prompt(languages)
                seq = getattr(self._job_seq, "seq", None)
                self._wait_turn(seq)
                self._pass_turn(seq)
                result = self.adapter.place_call(
                    uri, prompt, (st.wakeup_confirm_key,), st.wakeup_ring_seconds,
                    snooze_keys=(st.wakeup_snooze_key,), key_timeout=st.wakeup_key_seconds,
                    call_id=call_id, **self._priority(due))
        except TelephonyUnavailable as exc:
            with transaction(self.session_factory) as s:
                job = job_store.lock_claimed(s, job_id, self.name)
                if job is None:
                    return
                w = svc.get(s, wid, lock=True)
                svc.escalate_telephony_down(s, now=self.clock(), settings=st, reason=str(exc),
                                            first=w)
                self._went_down(s, str(exc), by="health")
                job_store.finish(job, error=f"telephony unavailable: {exc}"[:500])
            return
        except ValueError as exc:  # the gateway refused the request (e.g. unreadable prompt)
            lost_reason = f"gateway refused the call: {exc}"
        if result is not None:
            down_reason = self._after_call(uri, result)
        # Phase 2: the result, only while we still hold the job.
        with transaction(self.session_factory) as s:
            job = job_store.lock_claimed(s, job_id, self.name)
            if job is None:
                return  # lease lost: the new holder gets the same result from the gateway
            w = svc.get(s, wid, lock=True)
            a = next(x for x in w.attempts if x.number == n)
            if down_reason is None and result is not None \
                    and result.outcome is CallOutcome.TELEPHONY_FAULT:
                # Calls on other lines may have shown the path down meanwhile.
                down_reason = self._streak_down()
            if a.state != "ended" and w.status in ("calling", "answered"):
                if down_reason is not None and result is not None:
                    log.warning("telephony down (%s): due wake-ups to the manual call list",
                                down_reason)
                    svc.end_attempt_telephony_down(s, w, a, result, now=self.clock(),
                                                   settings=st, reason=down_reason)
                    self._went_down(s, down_reason, by="faults" if result.outcome is
                                    CallOutcome.TELEPHONY_FAULT and self._streak_down()
                                    else "health")
                else:
                    svc.end_attempt(s, w, a, result, now=self.clock(), settings=st,
                                    recovered=mode != "dial", reason=lost_reason)
                    if result is not None and result.outcome not in (
                            CallOutcome.TELEPHONY_FAULT, CallOutcome.FAILED):
                        # A call reached a room: if telephony was down, it is back.
                        svc.alert_telephony(s, down=False, reason="", now=self.clock(),
                                            settings=st)
            job_store.finish(job)

    def _preflight(self, job_id: int) -> None:
        st = self.settings
        with transaction(self.session_factory) as s:
            job = job_store.lock_claimed(s, job_id, self.name)
            if job is None:
                return
            day, due_at, tries = job.payload["day"], job.due_at, job.attempts
        target = st.wakeup_preflight_target.strip()
        ok, outcome, detail = False, None, ""
        try:
            if self.adapter is None:
                raise TelephonyUnavailable("no SIP gateway configured (wakeup_gateway_url)")
            if target:
                r = self.adapter.place_call(
                    st.wakeup_uri_template.format(extension=target, room=target),
                    self._prompt(["zh", "en"]), (st.wakeup_confirm_key,), st.wakeup_ring_seconds,
                    snooze_keys=(st.wakeup_snooze_key,), key_timeout=st.wakeup_key_seconds,
                    call_id=f"wakeup-preflight-{day}-{tries}")
                outcome = r.outcome.value
                ok = r.outcome.answered
                detail = f"test call to {target}: {r.outcome.value} {r.sip_status or ''} {r.reason}"
            else:
                # No test extension: no call can be tested. Check what can be checked — the
                # gateway and its registration with the PBX — and say plainly that no test call
                # was made (a warning on the board and every console), so nobody believes one was.
                problem = self.path_problem(fresh=True)
                ok = problem is None
                outcome = svc.PREFLIGHT_NO_TARGET if ok else "unhealthy"
                health = getattr(self.adapter, "health", None)
                reg = ""
                if ok and health is not None:
                    r = (health() or {}).get("registration")
                    reg = (f"; registered ({r.get('status')})" if r and r.get("active")
                           else "; no registrar configured" if not r else "")
                detail = ("no test call: no test extension configured (wakeup_preflight_target); "
                          + (f"gateway healthy{reg}" if ok else f"gateway not ok: {problem}"))
        except TelephonyUnavailable as exc:
            outcome, detail = "telephony_unavailable", str(exc)
        with transaction(self.session_factory) as s:
            job = job_store.lock_claimed(s, job_id, self.name)
            if job is None:
                return
            svc.record_preflight(s, day=day, due_at=due_at, now=self.clock(), ok=ok, target=target
                                 or None, outcome=outcome, detail=detail.strip(), settings=st)
            job_store.finish(job)


def start_in_thread(session_factory: sessionmaker[Session], settings: Settings
                    ) -> tuple[threading.Thread, threading.Event, WakeupDialler]:
    stop = threading.Event()
    d = WakeupDialler(session_factory, settings)
    t = threading.Thread(target=d.run_forever, args=(stop,), name="wakeup-dialler", daemon=True)
    t.start()
    return t, stop, d
