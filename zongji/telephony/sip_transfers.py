"""Blind transfer (REFER) of an answered call, on the PJSIP thread.

:meth:`Transfers.start` sends REFER on a call placed by us or answered by the attendant,
follows the final answer to the REFER and the NOTIFY sipfrag progress, and settles the
:class:`Transfer`: ``sending`` → ``accepted`` (REFER 2xx, or a provisional sipfrag) →
``succeeded`` (sipfrag 2xx: the target answered) | ``failed`` (REFER refused, sipfrag ≥ 300,
the subscription ended without a final answer, no final NOTIFY in time).

What a transfer's end means for the call belongs to the piece that owns it (a
:class:`TransferOwner`: outgoing calls, the attendant): it reports the CTI ``transfer`` event and
hangs up after a success, and goes on (listening for a key, the operator) after a failure.

Threads: everything here runs on the PJSIP thread, except :meth:`Transfer.result`, which a
command's thread uses to wait for the transfer to settle, and :meth:`Transfers.status`.
"""

from __future__ import annotations

import collections
import logging
import threading
import time
from dataclasses import dataclass, field
from typing import Protocol

from zongji.telephony.adapter import TransferRefused
from zongji.telephony.sip_stack import SipStack

log = logging.getLogger(__name__)

# REFER sent → the final NOTIFY (target answered or failed), for transfers the core commands.
TRANSFER_TIMEOUT_SECONDS = 30.0
# Transfers remembered for status queries, also after their call has ended.
KEPT_TRANSFERS = 1000


@dataclass
class Transfer:
    """One blind transfer (REFER) of a call and what the far end reported."""

    call_id: str
    target: str
    ref: str | None
    deadline: float
    state: str = "sending"  # sending → accepted → succeeded | failed
    sip_status: int | None = None  # last sipfrag (or REFER failure) status
    reason: str = ""
    progress: list[int] = field(default_factory=list)
    settled: threading.Event = field(default_factory=threading.Event)  # accepted or final
    done: threading.Event = field(default_factory=threading.Event)  # final

    @property
    def pending(self) -> bool:
        return self.state in ("sending", "accepted")

    def to_dict(self) -> dict:
        return {"call_id": self.call_id, "target": self.target, "ref": self.ref,
                "state": self.state, "sip_status": self.sip_status, "reason": self.reason,
                "progress": list(self.progress)}

    def result(self, wait: str = "accepted", timeout: float | None = None) -> dict:
        """Wait (on the command's thread) until the far end accepted the REFER (``wait``
        "accepted") or the transfer ended ("final"); the state as a dict. Raises
        :class:`TransferRefused` ("failed") when the transfer failed."""
        event = self.done if wait == "final" else self.settled
        limit = timeout if timeout is not None else max(0.0, self.deadline - time.monotonic()) + 2
        event.wait(limit)
        if self.state == "failed":
            raise TransferRefused("failed", self.reason or "transfer failed", self.sip_status)
        return self.to_dict()


class TransferOwner(Protocol):
    """The piece that owns a call (its *leg*: ``call``, ``call_id``, ``answered_at``,
    ``hangup_sent``, ``transfer``, ``transferred_to``) and decides what a transfer means for it."""

    def take_over(self, leg, target: str) -> None:
        """The core transfers the call to ``target``: what the owner was doing with it stops."""

    def transfer_succeeded(self, leg, tr: Transfer) -> None: ...

    def transfer_failed(self, leg, tr: Transfer) -> None: ...


class Transfers:
    """The gateway's transfers: sends REFER, follows the answers, remembers the last ones."""

    def __init__(self, stack: SipStack):
        self._stack = stack
        self._by_call: collections.OrderedDict[str, Transfer] = collections.OrderedDict()

    def status(self, call_id: str) -> dict | None:
        """The last transfer of ``call_id`` (also after the call has ended), or None."""
        tr = self._by_call.get(call_id)
        return tr.to_dict() if tr else None

    def command(self, owner: TransferOwner | None, leg, call_id: str, uri: str,
                ref: str | None) -> Transfer:
        """The core's transfer command for ``call_id`` (``leg`` None: not up on this gateway)."""
        old = leg.transfer if leg is not None else self._by_call.get(call_id)
        if ref is not None and old is not None and old.ref == ref:
            return old  # the same command again: one REFER
        if leg is None or leg.hangup_sent:
            raise TransferRefused("unknown_call", f"no call {call_id!r} is up on this gateway")
        if leg.answered_at is None:
            raise TransferRefused("not_answered", f"call {call_id!r} is not answered yet")
        if leg.transfer is not None and leg.transfer.pending:
            raise TransferRefused("in_progress", f"call {call_id!r} is being transferred")
        owner.take_over(leg, uri)
        tr = Transfer(call_id, uri, ref, deadline=time.monotonic() + TRANSFER_TIMEOUT_SECONDS)
        self.start(owner, leg, tr)
        return tr

    def start(self, owner: TransferOwner, leg, tr: Transfer) -> None:
        """Send the REFER of ``tr`` on the leg's call."""
        leg.transfer = tr
        self._by_call[tr.call_id] = tr
        self._by_call.move_to_end(tr.call_id)
        while len(self._by_call) > KEPT_TRANSFERS:
            self._by_call.popitem(last=False)
        log.info("call %s: REFER to %s", tr.call_id, tr.target)
        try:
            leg.call.xfer(tr.target, self._stack.pj.CallOpParam(True))
        except Exception as exc:
            reason = exc.info() if hasattr(exc, "info") else str(exc)
            self.fail(owner, leg, tr, None, f"REFER not sent: {reason}"[:300])

    def on_refer_answer(self, owner: TransferOwner, leg, code: int, reason: str) -> None:
        """The final answer to our REFER: 2xx accepted (NOTIFYs follow), else refused."""
        tr = leg.transfer
        if tr is None or not tr.pending:
            return
        if 200 <= code < 300:
            if tr.state == "sending":
                tr.state = "accepted"
                tr.settled.set()
        elif code >= 300:
            self.fail(owner, leg, tr, code, f"REFER refused: {code} {reason}".strip())

    def on_notify(self, owner: TransferOwner, leg, code: int, reason: str, final: bool) -> bool:
        """A NOTIFY's sipfrag (or pjsua's summary). Returns whether to keep following."""
        tr = leg.transfer
        if tr is None or not tr.pending:
            return False
        tr.progress.append(code)
        tr.sip_status, tr.reason = code, reason
        if 200 <= code < 300:
            self._succeed(owner, leg, tr)
            return False
        if code >= 300:
            self.fail(owner, leg, tr, code, f"target: {code} {reason}".strip())
            return False
        if tr.state == "sending":
            tr.state = "accepted"
            tr.settled.set()
        if final:
            self.fail(owner, leg, tr, code, "subscription ended without a final answer")
            return False
        return True

    def _succeed(self, owner: TransferOwner, leg, tr: Transfer) -> None:
        tr.state = "succeeded"
        tr.settled.set()
        tr.done.set()
        leg.transferred_to = tr.target
        log.info("call %s: transferred to %s", tr.call_id, tr.target)
        owner.transfer_succeeded(leg, tr)

    def fail(self, owner: TransferOwner, leg, tr: Transfer, code: int | None, reason: str) -> None:
        if not tr.pending:
            return
        tr.state = "failed"
        tr.sip_status = code if code is not None else tr.sip_status
        tr.reason = reason
        tr.settled.set()
        tr.done.set()
        log.warning("call %s: transfer to %s failed: %s", tr.call_id, tr.target, reason)
        owner.transfer_failed(leg, tr)
