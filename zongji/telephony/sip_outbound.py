"""Calls the gateway places (wake-up calls): dial, play a prompt, read a key, report.

Other threads queue a call (:meth:`OutboundCalls.queue`) and wait on its future; the PJSIP
thread starts queued calls in arrival order while a line is free (:meth:`take_commands`), runs
their ring, key and hangup deadlines (:meth:`check_timers`) and handles PJSIP's callbacks for
them. Each call ends with a :class:`~zongji.telephony.adapter.CallResult` whose outcome says
what happened — the room confirmed (key 1), snoozed (2), answered without a key, was busy, did
not answer, or the phone system failed (R-H9: ``telephony_fault``, never a room that did not
answer) — and with the CTI events ``newCall``, ``answer``, ``transfer``, ``hangup`` (direction
"out", ``callId`` = the call id given).
"""

from __future__ import annotations

import collections
import concurrent.futures
import datetime as dt
import logging
import queue
import time
from dataclasses import dataclass, field
from typing import Callable, Sequence

from zongji.telephony.adapter import CallOutcome, CallResult, TelephonyUnavailable
from zongji.telephony.cti_reporter import CallEvents
from zongji.telephony.sip_stack import HANGUP_GRACE_SECONDS, SipStack, wav_seconds
from zongji.telephony.sip_transfers import Transfer, Transfers
from zongji.telephony.sip_uri import uri_user

log = logging.getLogger(__name__)

BUSY_CODES = frozenset({486, 600, 603})
NO_ANSWER_CODES = frozenset({408, 480, 487})
# The PBX / SIP side failed, not the room (R-H9: reported as TELEPHONY_FAULT, never as a room
# that did not answer): server errors and "unavailable". PJSIP reports a transport error on the
# INVITE as 503 too.
FAULT_CODES = frozenset({500, 502, 503, 504})


def _now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


def hangup_cause(outcome: CallOutcome, sip_status: int | None) -> str:
    """The CTI ``cause`` for a hangup (Zammad's vocabulary)."""
    if outcome.answered:
        return "normalClearing"
    if outcome is CallOutcome.BUSY:
        return "busy"
    if outcome is CallOutcome.NO_ANSWER:
        return "noAnswer"
    if outcome is CallOutcome.TELEPHONY_FAULT and not sip_status:
        return "notReachable"
    return {404: "notFound", 484: "noNumber", 503: "congestion", 502: "notReachable"}.get(
        sip_status or 0, "unknown")


@dataclass
class CallRequest:
    """A call to place, as queued by :meth:`OutboundCalls.queue`."""

    uri: str
    prompt_wav: str | None
    confirm_keys: tuple[str, ...]
    snooze_keys: tuple[str, ...]
    ring_timeout: float
    key_timeout: float
    call_id: str
    future: concurrent.futures.Future


@dataclass
class OutboundCall:
    """A placed call while it is up."""

    req: CallRequest
    call: object  # the pj.Call
    started_at: dt.datetime
    ring_deadline: float
    answered_at: dt.datetime | None = None
    key_deadline: float | None = None
    player: object | None = None
    keys: list[str] = field(default_factory=list)
    decided: CallOutcome | None = None
    decided_key: str | None = None
    local_hangup_reason: str | None = None  # "ring_timeout", "key_timeout", "decided"
    hangup_sent: bool = False
    hangup_deadline: float | None = None  # give up waiting for PJSIP's DISCONNECTED
    new_reported: bool = False
    responded: bool = False  # the far end sent a provisional response (ringing, progress)
    transfer: Transfer | None = None
    transferred_to: str | None = None

    @property
    def call_id(self) -> str:
        return self.req.call_id


class OutboundCalls:
    """The gateway's outgoing calls. ``line_free`` says whether another call may start now
    (the gateway's lines are shared with the attendant's incoming calls)."""

    def __init__(self, stack: SipStack, events: CallEvents, transfers: Transfers, caller_id: str,
                 line_free: Callable[[], bool]):
        self._stack = stack
        self._events = events
        self._transfers = transfers
        self._caller_id = caller_id
        self._line_free = line_free
        self._cmds: queue.Queue[CallRequest] = queue.Queue()
        self._active: dict[int, OutboundCall] = {}  # keyed by id() of the pj call object
        self._waiting: collections.deque[CallRequest] = collections.deque()  # calls waiting a line
        self._hold_until = 0.0  # no new call before (PJSIP still releasing a slot)

    @property
    def count(self) -> int:
        return len(self._active)

    @property
    def waiting(self) -> int:
        return len(self._waiting) + self._cmds.qsize()

    # ---- from other threads

    def queue(self, uri: str, prompt_wav: str | None, confirm_keys: Sequence[str],
              ring_timeout: float, snooze_keys: Sequence[str], key_timeout: float,
              call_id: str) -> concurrent.futures.Future:
        """Queue a call to ``uri`` (a SIP URI); its future gets the CallResult."""
        if prompt_wav is not None:
            wav_seconds(prompt_wav)  # fail early, in the caller's thread, on a bad file
        fut: concurrent.futures.Future = concurrent.futures.Future()
        self._cmds.put(CallRequest(
            uri=uri, prompt_wav=prompt_wav, confirm_keys=tuple(confirm_keys),
            snooze_keys=tuple(snooze_keys), ring_timeout=float(ring_timeout),
            key_timeout=float(key_timeout), call_id=call_id, future=fut))
        return fut

    def info(self, call_id: str) -> dict | None:
        for a in list(self._active.values()):
            if a.call_id == call_id:
                return {"call_id": call_id, "answered": a.answered_at is not None,
                        "direction": "out",
                        "transfer": a.transfer.to_dict() if a.transfer else None}
        return None

    # ---- on the PJSIP thread

    def find(self, call_id: str) -> OutboundCall | None:
        for a in self._active.values():
            if a.req.call_id == call_id:
                return a
        return None

    def leg(self, call) -> OutboundCall | None:
        return self._active.get(id(call))

    def take_commands(self) -> None:
        # Start waiting calls in arrival order while lines are free.
        while self._line_free() and time.monotonic() >= self._hold_until:
            if self._waiting:
                p = self._waiting.popleft()
            else:
                try:
                    p = self._cmds.get_nowait()
                except queue.Empty:
                    return
            if p.future.cancelled():
                continue
            self._start_call(p)
        while True:  # lines all busy: move new commands to the waiting line
            try:
                self._waiting.append(self._cmds.get_nowait())
            except queue.Empty:
                return

    def _start_call(self, p: CallRequest) -> None:
        pj = self._stack.pj
        call = self._stack.new_call(self._stack.account)
        a = OutboundCall(req=p, call=call, started_at=_now(),
                         ring_deadline=time.monotonic() + p.ring_timeout)
        self._active[id(call)] = a
        prm = pj.CallOpParam(True)
        prm.opt.audioCount = 1
        prm.opt.videoCount = 0
        try:
            call.makeCall(p.uri, prm)
        except Exception as exc:
            reason = exc.info() if hasattr(exc, "info") else str(exc)
            if "PJ_ETOOMANY" in reason and not a.new_reported:
                # PJSIP has not released an ended call's slot yet: try again in a moment.
                self._active.pop(id(call), None)
                self._stack.bury(call)
                self._waiting.appendleft(p)
                self._hold_until = time.monotonic() + 0.02
                return
            log.warning("makeCall %s failed: %s", p.uri, reason)
            self._finish(a, CallOutcome.TELEPHONY_FAULT, None, f"makeCall failed: {reason}"[:300])
            return
        self._report_new(a)

    def _report_new(self, a: OutboundCall) -> None:
        if not a.new_reported:
            a.new_reported = True
            self._report("newCall", a)

    def check_timers(self) -> None:
        now = time.monotonic()
        for a in list(self._active.values()):
            if a.transfer is not None and a.transfer.pending and not a.hangup_sent:
                if now >= a.transfer.deadline:
                    self._transfers.fail(self, a, a.transfer, None, "no final NOTIFY (timeout)")
                continue  # no key deadline while a transfer is under way
            if a.hangup_sent:
                if a.hangup_deadline is not None and now >= a.hangup_deadline:
                    # No final answer to our CANCEL/BYE (peer gone): end it on our side.
                    outcome = a.decided or (CallOutcome.ANSWERED_NO_KEY if a.answered_at
                                            else CallOutcome.TELEPHONY_FAULT
                                            if not a.responded
                                            else CallOutcome.NO_ANSWER
                                            if a.local_hangup_reason == "ring_timeout"
                                            else CallOutcome.FAILED)
                    self._finish(a, outcome, None, "no answer to hangup")
                continue
            if a.decided is not None:
                self._hangup(a, "decided")
            elif a.answered_at is None and now >= a.ring_deadline:
                self._hangup(a, "ring_timeout")
            elif a.key_deadline is not None and now >= a.key_deadline and a.decided is None:
                self._hangup(a, "key_timeout")

    def _hangup(self, a: OutboundCall, why: str) -> None:
        if a.hangup_sent:
            return
        a.hangup_sent = True
        a.hangup_deadline = time.monotonic() + HANGUP_GRACE_SECONDS
        a.local_hangup_reason = why
        prm = self._stack.pj.CallOpParam()
        prm.statusCode = 487 if a.answered_at is None else 200
        try:
            a.call.hangup(prm)
        except Exception as exc:
            log.warning("hangup failed (%s): %s", why, exc)
            outcome = CallOutcome.NO_ANSWER if why == "ring_timeout" else CallOutcome.FAILED
            self._finish(a, a.decided or outcome, None, f"hangup failed: {exc}")

    # ---- PJSIP's callbacks for our calls

    def on_state(self, call) -> bool:
        """A call state change; False when ``call`` is not one of ours."""
        pj = self._stack.pj
        a = self._active.get(id(call))
        if a is None:
            return False
        self._report_new(a)
        ci = call.getInfo()
        if ci.state in (pj.PJSIP_INV_STATE_EARLY, pj.PJSIP_INV_STATE_CONNECTING,
                        pj.PJSIP_INV_STATE_CONFIRMED):
            a.responded = True
        if ci.state == pj.PJSIP_INV_STATE_CONFIRMED and a.answered_at is None:
            a.answered_at = _now()
            # Until media starts, wait for a key as long as the prompt would take.
            prompt = wav_seconds(a.req.prompt_wav) if a.req.prompt_wav else 0.0
            a.key_deadline = time.monotonic() + prompt + a.req.key_timeout
            self._report("answer", a)
        elif ci.state == pj.PJSIP_INV_STATE_DISCONNECTED:
            code = int(ci.lastStatusCode or 0)
            reason = ci.lastReason or ""
            if a.decided is not None:
                outcome = a.decided
            elif a.answered_at is not None:
                outcome = (CallOutcome.FAILED if a.local_hangup_reason == "shutdown"
                           else CallOutcome.ANSWERED_NO_KEY)
            elif code in FAULT_CODES:
                outcome = CallOutcome.TELEPHONY_FAULT
            elif not a.responded and (a.local_hangup_reason == "ring_timeout" or code == 408):
                # Not a ring that went unanswered: nothing answered our INVITE at all (no 1xx),
                # the PBX or the path to it is not there.
                outcome = CallOutcome.TELEPHONY_FAULT
                reason = f"no response to INVITE ({code or 'timeout'} {reason})".strip()
            elif a.local_hangup_reason == "ring_timeout" or code in NO_ANSWER_CODES:
                outcome = CallOutcome.NO_ANSWER
            elif code in BUSY_CODES:
                outcome = CallOutcome.BUSY
            else:
                outcome = CallOutcome.FAILED
            if a.local_hangup_reason in ("ring_timeout", "key_timeout"):
                reason = f"{reason} ({a.local_hangup_reason.replace('_', ' ')})".strip()
            self._finish(a, outcome, code or None, reason)
        return True

    def on_media(self, call) -> None:
        pj = self._stack.pj
        a = self._active.get(id(call))
        if a is None or a.player is not None or not a.req.prompt_wav:
            return
        ci = call.getInfo()
        for mi in ci.media:
            if mi.type == pj.PJMEDIA_TYPE_AUDIO and mi.status == pj.PJSUA_CALL_MEDIA_ACTIVE:
                try:
                    am = call.getAudioMedia(mi.index)
                    a.player = self._stack.start_player(a.req.prompt_wav, am)
                    a.key_deadline = (time.monotonic() + wav_seconds(a.req.prompt_wav)
                                      + a.req.key_timeout)
                except Exception as exc:
                    log.warning("cannot play %s: %s", a.req.prompt_wav, exc)
                return

    def on_digit(self, call, digit: str) -> None:
        a = self._active.get(id(call))
        if a is None or a.decided is not None:
            return
        if a.transfer is not None and a.transfer.pending:
            a.keys.append(digit)
            return  # being transferred: keys no longer decide the call
        a.keys.append(digit)
        if digit in a.req.confirm_keys:
            a.decided, a.decided_key = CallOutcome.ANSWERED_CONFIRMED, digit
        elif digit in a.req.snooze_keys:
            a.decided, a.decided_key = CallOutcome.ANSWERED_SNOOZED, digit
        # else another key: keep listening until the key deadline.
        # Hang up from the poll loop, not inside PJSIP's callback: the answer to a SIP INFO
        # digit must go out before our BYE.

    # ---- what a transfer means for our call (TransferOwner)

    def take_over(self, a: OutboundCall, target: str) -> None:
        pass  # the keys stop deciding the call while the transfer is under way (on_digit)

    def transfer_succeeded(self, a: OutboundCall, tr: Transfer) -> None:
        self._report("transfer", a, transfer_to=uri_user(tr.target))
        # Hang up from the poll loop (after our 200 to the NOTIFY has gone out).
        a.decided = a.decided or CallOutcome.ANSWERED_NO_KEY

    def transfer_failed(self, a: OutboundCall, tr: Transfer) -> None:
        if a.answered_at is not None and not a.hangup_sent:
            a.key_deadline = time.monotonic() + a.req.key_timeout  # back to waiting for a key

    # ---- the end of a call

    def _finish(self, a: OutboundCall, outcome: CallOutcome, code: int | None,
                reason: str) -> None:
        if self._active.pop(id(a.call), None) is None:
            return
        if a.player is not None:
            # Not at the next poll: a player deleted around its end-of-file callback on PJSIP's
            # media thread is a use-after-free in pjsua2 2.15 (seen as a segfault of the gateway
            # under load). Kept a second, as the attendant's players are, it is long past it.
            self._stack.drop_later(a.player, 1.0)
            a.player = None
        self._stack.bury(a.call)
        self._report_new(a)
        result = CallResult(
            outcome=outcome, call_id=a.req.call_id, uri=a.req.uri, key=a.decided_key,
            sip_status=code, reason="transferred" if a.transferred_to else reason,
            started_at=a.started_at, answered_at=a.answered_at, ended_at=_now(),
            keys=tuple(a.keys), transferred_to=a.transferred_to)
        self._report("hangup", a, cause=hangup_cause(outcome, code))
        if not a.req.future.done():
            a.req.future.set_result(result)

    def hang_up_all(self) -> None:
        """The gateway stops: hang up every call (PJSIP then sends BYE/CANCEL)."""
        for a in list(self._active.values()):
            self._hangup(a, "shutdown")

    def end_all(self) -> None:
        """The gateway stops: fail the calls PJSIP has not ended yet."""
        for a in list(self._active.values()):
            self._finish(a, CallOutcome.FAILED, None, "gateway stopped")

    def refuse_waiting(self) -> None:
        """The gateway stops: calls not started yet fail with TelephonyUnavailable."""
        while True:
            try:
                self._waiting.append(self._cmds.get_nowait())
            except queue.Empty:
                break
        while self._waiting:
            p = self._waiting.popleft()
            if not p.future.done():
                p.future.set_exception(TelephonyUnavailable("SIP gateway stopped"))

    def clear(self) -> None:
        self._active.clear()

    def _report(self, event: str, a: OutboundCall, *, cause: str | None = None,
                transfer_to: str | None = None) -> None:
        self._events.report(event, a.req.call_id, self._caller_id, uri_user(a.req.uri), "out",
                            answering=uri_user(a.req.uri), cause=cause, transfer_to=transfer_to)
