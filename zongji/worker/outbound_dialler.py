"""The outbound dialler: places ``outbound.call`` jobs of automatic lists through the SIP gateway
(issue 14 point 4) on the shared loop of ``zongji.worker.dialling``; the prompt speaks the list's
message (espeak-ng through PromptStore) and key ``outbound_understood_key`` means "understood"."""

from __future__ import annotations

import datetime as dt
import logging
import threading
from collections.abc import Callable
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from zongji.services.outbound import automatic
from zongji.settings import Settings
from zongji.store import jobs as job_store
from zongji.store.db import transaction
from zongji.store.models import utcnow
from zongji.telephony.adapter import CallOutcome, TelephonyUnavailable
from zongji.telephony.prompts import PromptStore
from zongji.worker.dialling import JobDialler
from zongji.worker.runner import worker_name
from zongji.worker.wakeup_dialler import make_adapter


class OutboundDialler(JobDialler):
    KINDS = [automatic.CALL_JOB]
    log = logging.getLogger("zongji.outbound")

    def __init__(self, session_factory: sessionmaker[Session], settings: Settings, adapter: Any = "auto",
                 *, name: str | None = None, clock: Callable[[], dt.datetime] = utcnow, prompts: Any = "auto"):
        super().__init__(session_factory, settings, make_adapter(settings) if adapter == "auto" else adapter,
                         name=name or f"outbound:{worker_name()}", lines=settings.outbound_lines,
                         lease_seconds=settings.emergency_lease_seconds,
                         poll_seconds=settings.emergency_poll_seconds, clock=clock)
        if prompts == "auto":
            prompts = PromptStore(settings.data_dir, sample_rate=settings.wakeup_prompt_rate)
        self.prompts = prompts

    def _prompt(self, plan: automatic.CallPlan) -> str | None:
        if self.prompts is None or not plan.message:
            return None
        try:
            return str(self.prompts.prompt(plan.call_id, [("zh", plan.message)]))
        except Exception:  # noqa: BLE001 - no synthesizer: the call still goes (the key still counts)
            self.log.exception("outbound prompt unavailable")
            return None

    def _call(self, job_id: int) -> None:
        st = self.settings
        with transaction(self.session_factory) as s:  # phase 1
            job = job_store.lock_claimed(s, job_id, self.name)
            if job is None:
                return
            plan = automatic.begin_call(s, int(job.payload["entry_id"]), now=self.clock(), settings=st)
            if plan is None:
                job_store.finish(job, error="nothing to dial")
                return
        try:
            if self.adapter is None:
                raise TelephonyUnavailable("no SIP gateway configured (wakeup_gateway_url)")
            problem = self.path_problem()
            if problem is not None:
                raise TelephonyUnavailable(problem)
            result = self.adapter.place_call(plan.uri, self._prompt(plan), (st.outbound_understood_key,),
                                             st.outbound_ring_seconds, snooze_keys=(),
                                             key_timeout=st.outbound_key_seconds, call_id=plan.call_id)
            outcome, reason = result.outcome, result.reason or ""
        except TelephonyUnavailable as exc:
            outcome, reason = CallOutcome.TELEPHONY_FAULT, str(exc)
        except ValueError as exc:  # the gateway refused the request
            outcome, reason = CallOutcome.FAILED, f"gateway refused the call: {exc}"
        self._finish(job_id, lambda s: automatic.end_call(s, plan.entry_id, outcome, now=self.clock(), settings=st,
                                                          reason=reason))


def start_in_thread(session_factory: sessionmaker[Session], settings: Settings
                    ) -> tuple[threading.Thread, threading.Event, OutboundDialler]:
    stop = threading.Event()
    d = OutboundDialler(session_factory, settings)
    t = threading.Thread(target=d.run_forever, args=(stop,), name="outbound-dialler", daemon=True)
    t.start()
    return t, stop, d
