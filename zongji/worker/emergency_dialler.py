"""The emergency dialler: places ``emergency.call`` jobs through the SIP gateway, once each
(issue 14 point 3), the way the wake-up dialler does (zongji.worker.wakeup_dialler):

1. claim the job with a lease (renewed while the call lasts);
2. phase 1, committed before dialling: the attempt row ``placing`` with its deterministic call
   id ``emergency-<recipient>-<n>`` (``notifying.begin_call``);
3. dial: ``place_call(uri, prompt, ("1",), …, call_id=…)`` — the prompt speaks the kind, place
   and situation in Chinese and English (espeak-ng through PromptStore) and asks for key 1;
   the gateway dials a call id at most once;
4. phase 2, only while still holding the job: the result, the person's state, the next try or
   the deputy (``notifying.end_call``).

A dialler killed between 2 and 4 leaves the attempt ``placing``; the next one asks the gateway
about that call id and attaches to it, records it lost (it was dialled, the gateway forgot it),
or dials it (never dialled) — never twice. Telephony down (gateway unreachable, or its /health
not ok) → SMS at once
and every console told to phone by hand, listing who is left.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from collections.abc import Callable
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from zongji.services.emergency import notifying
from zongji.services.wakeups import cti_call_seen
from zongji.settings import Settings
from zongji.store import jobs as job_store
from zongji.store.db import transaction
from zongji.store.models import utcnow
from zongji.telephony.adapter import CallResult, TelephonyUnavailable
from zongji.telephony.prompts import PromptStore
from zongji.worker.dialling import JobDialler
from zongji.worker.runner import worker_name
from zongji.worker.wakeup_dialler import _lookup, make_adapter

log = logging.getLogger("zongji.emergency")
KINDS = [notifying.CALL_JOB]


class EmergencyDialler(JobDialler):
    KINDS = KINDS
    log = log

    def __init__(self, session_factory: sessionmaker[Session], settings: Settings, adapter: Any = "auto",
                 *, name: str | None = None, clock: Callable[[], dt.datetime] = utcnow,
                 prompts: Any = "auto"):
        super().__init__(session_factory, settings, make_adapter(settings) if adapter == "auto" else adapter,
                         name=name or f"emergency:{worker_name()}", lines=settings.emergency_lines,
                         lease_seconds=settings.emergency_lease_seconds,
                         poll_seconds=settings.emergency_poll_seconds, clock=clock)
        if prompts == "auto":
            prompts = PromptStore(settings.data_dir, sample_rate=settings.wakeup_prompt_rate)
        self.prompts = prompts

    def _prompt(self, plan: notifying.CallPlan) -> str | None:
        if self.prompts is None:
            return None
        zh, en = plan.text
        try:
            return str(self.prompts.prompt(plan.call_id, [("zh", zh), ("en", en)]))
        except Exception:  # noqa: BLE001 - no synthesizer: the call still goes (the key still counts)
            log.exception("emergency prompt unavailable")
            return None

    def _call(self, job_id: int) -> None:
        st = self.settings
        with transaction(self.session_factory) as s:  # phase 1
            job = job_store.lock_claimed(s, job_id, self.name)
            if job is None:
                return
            rid, n = int(job.payload["recipient_id"]), int(job.payload.get("attempt") or 0)
            tag, text = job.payload.get("tag"), str(job.payload.get("text") or "")
            phase = str(job.payload.get("phase") or "update")
            plan = notifying.begin_call(s, rid, n, now=self.clock(), settings=st, worker=self.name,
                                        tag=tag, text=text, phase=phase)
            if plan is None:
                job_store.finish(job, error="nothing to dial")
                return
        result: CallResult | None = None
        try:
            if self.adapter is None:
                raise TelephonyUnavailable("no SIP gateway configured (wakeup_gateway_url)")
            problem = self.path_problem()
            if problem is not None:
                raise TelephonyUnavailable(problem)
            if plan.mode == "recover":
                info = _lookup(self.adapter, plan.call_id)
                if info is None:
                    raise TelephonyUnavailable("SIP gateway unreachable while recovering a call")
                if info["state"] == "unknown":
                    with self.session_factory() as s:
                        seen = cti_call_seen(s, plan.call_id) is not None
                    if seen:  # dialled, and the gateway forgot it: never dial the same attempt twice
                        self._finish(job_id, lambda s: notifying.end_call(
                            s, plan.call_id, "failed", now=self.clock(),
                            reason="outcome lost: the dialler and the gateway restarted mid-call"))
                        return
            result = self.adapter.place_call(
                plan.uri, self._prompt(plan), (st.emergency_ack_key,), st.emergency_ring_seconds,
                snooze_keys=(), key_timeout=st.emergency_key_seconds, call_id=plan.call_id)
        except TelephonyUnavailable as exc:
            reason = str(exc)
            if tag is not None:
                self._finish(job_id, lambda s: notifying.message_failed(
                    s, plan.call_id, text=text, phase=phase, now=self.clock(), settings=st, reason=reason))
            else:
                self._finish(job_id, lambda s: notifying.telephony_down(s, rid, n, now=self.clock(),
                                                                        reason=reason))
            return
        except ValueError as exc:  # the gateway refused the request
            reason = f"gateway refused the call: {exc}"
            self._finish(job_id, lambda s: notifying.end_call(s, plan.call_id, "failed",
                                                              now=self.clock(), reason=reason))
            return
        self._finish(job_id, lambda s: notifying.end_call(
            s, plan.call_id, result.outcome.value, now=self.clock(), sip_status=result.sip_status,
            reason=result.reason or ""))


def start_in_thread(session_factory: sessionmaker[Session], settings: Settings
                    ) -> tuple[threading.Thread, threading.Event, EmergencyDialler]:
    stop = threading.Event()
    d = EmergencyDialler(session_factory, settings)
    t = threading.Thread(target=d.run_forever, args=(stop,), name="emergency-dialler", daemon=True)
    t.start()
    return t, stop, d
