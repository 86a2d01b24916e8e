"""The attendant on the SIP side: incoming calls to the switchboard number, on the PJSIP thread.

With an :class:`~zongji.telephony.attendant.Attendant` (the menu and its prepared prompts,
:mod:`zongji.telephony.attendant`) the gateway answers incoming calls to the switchboard number
at once, plays the greeting, feeds keys and timeouts to the call's
:class:`~zongji.telephony.attendant.MenuSession` and carries out its actions: play a prompt,
transfer the caller (REFER, through :class:`~zongji.telephony.sip_transfers.Transfers`), hang up.
Without an attendant every incoming call is refused with 480; calls to another number get 404,
calls beyond the gateway's lines 486.

An attendant call reports ``newCall``, ``answer`` (``answeringNumber`` "attendant"),
``transfer`` and ``hangup`` (direction "in", ``callId`` ``att-<SIP Call-ID>``); the last 200
calls are kept for ``GET /attendant`` (:attr:`AttendantCalls.history`).
"""

from __future__ import annotations

import collections
import datetime as dt
import logging
import time
import uuid
from dataclasses import dataclass, field
from typing import Callable

from zongji.telephony.attendant import Action, Attendant, MenuOption, MenuSession, sip_user
from zongji.telephony.cti_reporter import CallEvents
from zongji.telephony.sip_stack import HANGUP_GRACE_SECONDS, SipStack, wav_seconds
from zongji.telephony.sip_transfers import Transfer, Transfers
from zongji.telephony.sip_uri import uri_user

log = logging.getLogger(__name__)

# An answered incoming call whose media never starts: run the menu as if the greeting played.
MEDIA_WAIT_SECONDS = 2.0


def _now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


@dataclass
class AttendantCall:
    """A call to the switchboard number, answered by the attendant."""

    call: object  # the pj.Call
    call_id: str  # CTI callId
    caller: str
    called: str
    session: MenuSession
    started_at: dt.datetime
    answered_at: dt.datetime | None = None
    media: object | None = None  # the call's AudioMedia once media is up
    player: object | None = None
    play_until: float | None = None
    after_play: str | None = None  # "menu" (wait for a key) | "greeting" (after "invalid")
    key_deadline: float | None = None
    menu_started: bool = False
    pending: list = field(default_factory=list)  # Actions to apply from the poll loop
    transfer: Transfer | None = None
    transferred_to: str | None = None
    hangup_sent: bool = False
    hangup_deadline: float | None = None
    hangup_reason: str = ""
    keys: list[str] = field(default_factory=list)


class AttendantCalls:
    """The gateway's incoming calls. ``line_free`` says whether another call may be answered
    (the lines are shared with outgoing calls); ``resolve`` turns a menu target into a SIP URI."""

    def __init__(self, stack: SipStack, events: CallEvents, transfers: Transfers, caller_id: str,
                 line_free: Callable[[], bool], resolve: Callable[[str], str],
                 attendant: Attendant | None = None):
        self._stack = stack
        self._events = events
        self._transfers = transfers
        self._caller_id = caller_id
        self._line_free = line_free
        self._resolve = resolve
        # Answer the switchboard number with a key menu (None: refuse incoming calls, 480).
        # May be replaced while running; read when a call comes in.
        self.attendant = attendant
        self.history: collections.deque[dict] = collections.deque(maxlen=200)
        self._inbound: dict[int, AttendantCall] = {}
        self._rejected: dict[int, object] = {}  # refused incoming calls until PJSIP is done

    @property
    def count(self) -> int:
        return len(self._inbound)

    def info(self, call_id: str) -> dict | None:
        for e in list(self._inbound.values()):
            if e.call_id == call_id:
                return {"call_id": call_id, "answered": e.answered_at is not None,
                        "direction": "in",
                        "transfer": e.transfer.to_dict() if e.transfer else None}
        return None

    # ---- on the PJSIP thread

    def find(self, call_id: str) -> AttendantCall | None:
        for e in self._inbound.values():
            if e.call_id == call_id:
                return e
        return None

    def leg(self, call) -> AttendantCall | None:
        return self._inbound.get(id(call))

    def _refuse(self, call, code: int, reason: str) -> None:
        self._rejected[id(call)] = call
        prm = self._stack.pj.CallOpParam()
        prm.statusCode = code
        prm.reason = reason
        try:
            call.hangup(prm)
        except Exception as exc:
            log.warning("could not refuse incoming call: %s", exc)

    def on_incoming(self, account, pj_call_id: int) -> None:
        call = self._stack.new_call(account, pj_call_id)
        att = self.attendant
        if att is None:
            # No attendant configured: refuse clearly instead of PJSIP's 500.
            self._refuse(call, 480, "Temporarily Unavailable")
            return
        ci = call.getInfo()
        called, caller = sip_user(ci.localUri), sip_user(ci.remoteUri)
        if not att.menu.accepts(called):
            self._refuse(call, 404, "Not Found")
            return
        if not self._line_free():
            self._refuse(call, 486, "Busy Here")
            return
        sip_call_id = str(ci.callIdString or "")
        e = AttendantCall(call=call, call_id=f"att-{sip_call_id or uuid.uuid4().hex}"[:250],
                          caller=caller, called=called, session=MenuSession(att.menu),
                          started_at=_now())
        self._inbound[id(call)] = e
        self._report("newCall", e)
        prm = self._stack.pj.CallOpParam()
        prm.statusCode = 200  # at once: the switchboard is answered within the first ring
        try:
            call.answer(prm)
        except Exception as exc:
            log.warning("could not answer incoming call: %s", exc)
            self._finish(e, f"answer failed: {exc}")

    def on_state(self, call) -> bool:
        """A call state change; False when ``call`` is not an incoming call."""
        pj = self._stack.pj
        e = self._inbound.get(id(call))
        if e is None:
            rejected = self._rejected.get(id(call))
            if rejected is None:
                return False
            if call.getInfo().state == pj.PJSIP_INV_STATE_DISCONNECTED:
                self._stack.bury(self._rejected.pop(id(call)))
            return True
        ci = e.call.getInfo()
        if ci.state == pj.PJSIP_INV_STATE_CONFIRMED and e.answered_at is None:
            e.answered_at = _now()
            self._report("answer", e)
        elif ci.state == pj.PJSIP_INV_STATE_DISCONNECTED:
            self._finish(e, ci.lastReason or "")
        return True

    def on_media(self, call) -> bool:
        """Media came up (or changed); False when ``call`` is not an attendant call."""
        pj = self._stack.pj
        e = self._inbound.get(id(call))
        if e is None:
            return False
        if e.media is not None:
            return True
        ci = e.call.getInfo()
        for mi in ci.media:
            if mi.type == pj.PJMEDIA_TYPE_AUDIO and mi.status == pj.PJSUA_CALL_MEDIA_ACTIVE:
                e.media = e.call.getAudioMedia(mi.index)
                if not e.menu_started:
                    e.menu_started = True
                    e.pending.append(e.session.start())
                return True
        return True

    def on_digit(self, call, digit: str) -> bool:
        """A DTMF key; False when ``call`` is not an attendant call."""
        e = self._inbound.get(id(call))
        if e is None:
            return False
        e.keys.append(digit)
        if e.transfer is not None and e.transfer.pending:
            return True
        # Applied from the poll loop: the 200 to a SIP INFO digit goes out before our REFER.
        action = e.session.on_key(digit)
        if action is not None:
            e.pending.append(action)
        return True

    def _stop_player(self, e: AttendantCall) -> None:
        if e.player is not None:
            try:
                if e.media is not None:
                    e.player.stopTransmit(e.media)
            except Exception:
                pass
            self._stack.drop_later(e.player, 1.0)
            e.player = None
        e.play_until = None
        e.after_play = None

    def _play(self, e: AttendantCall, wav: str, after: str) -> None:
        self._stop_player(e)
        seconds = wav_seconds(wav)
        if e.media is not None:
            try:
                e.player = self._stack.start_player(wav, e.media)
            except Exception as exc:
                log.warning("cannot play %s: %s", wav, exc)
        e.play_until = time.monotonic() + seconds
        e.after_play = after
        e.key_deadline = None

    def _apply(self, e: AttendantCall, action: Action | None) -> None:
        att = self.attendant
        if action is None or e.hangup_sent:
            return
        if action.kind == "greeting":
            self._play(e, att.prompts.greeting() if att else "", "menu")
        elif action.kind == "invalid":
            self._play(e, att.prompts.invalid, "greeting")
        elif action.kind == "transfer":
            opt = action.option
            try:
                uri = self._resolve(opt.target)
            except ValueError as exc:
                log.warning("attendant: key %s has no usable target: %s", opt.key, exc)
                e.pending.append(e.session.on_transfer_failed())
                return
            self._stop_player(e)
            if att is not None:  # "请稍等" while the target rings
                self._play(e, att.prompts.transferring, "hold")
            timeout = e.session.menu.transfer_timeout
            log.info("attendant %s: key %s (%s) → %s", e.call_id, opt.key, action.reason, uri)
            self._transfers.start(self, e, Transfer(e.call_id, uri, None,
                                                    deadline=time.monotonic() + timeout))
        elif action.kind == "hangup":
            self._hangup(e, action.reason or "hangup")

    def check_timers(self) -> None:
        now = time.monotonic()
        for e in list(self._inbound.values()):
            if e.hangup_sent:
                if e.hangup_deadline is not None and now >= e.hangup_deadline:
                    self._finish(e, "no answer to hangup")
                continue
            while e.pending and not e.hangup_sent:
                self._apply(e, e.pending.pop(0))
            if e.hangup_sent:
                continue
            if (not e.menu_started and e.answered_at is not None
                    and (_now() - e.answered_at).total_seconds() >= MEDIA_WAIT_SECONDS):
                e.menu_started = True  # no media: run the menu on its clocks all the same
                self._apply(e, e.session.start())
            if e.transfer is not None and e.transfer.pending:
                if now >= e.transfer.deadline:
                    self._transfers.fail(self, e, e.transfer, None, "no final NOTIFY (timeout)")
                continue
            if e.play_until is not None and now >= e.play_until:
                after = e.after_play
                self._stop_player(e)
                if after == "menu":
                    e.key_deadline = now + e.session.menu.key_timeout
                elif after == "greeting":
                    e.session.on_greeting_replayed()
                    self._apply(e, Action("greeting"))
            if e.key_deadline is not None and now >= e.key_deadline:
                e.key_deadline = None
                self._apply(e, e.session.on_timeout())

    # ---- what a transfer means for the caller (TransferOwner)

    def take_over(self, e: AttendantCall, target: str) -> None:
        # The core takes over from the menu: keys no longer count; if this transfer
        # fails, the caller goes to the operator.
        e.session.chosen = MenuOption("", target, "core", "core")
        e.pending.clear()
        e.key_deadline = None
        self._stop_player(e)

    def transfer_succeeded(self, e: AttendantCall, tr: Transfer) -> None:
        self._report("transfer", e, transfer_to=uri_user(tr.target))
        e.pending.append(Action("hangup", reason="transferred"))

    def transfer_failed(self, e: AttendantCall, tr: Transfer) -> None:
        e.pending.append(e.session.on_transfer_failed())

    # ---- the end of a call

    def _hangup(self, e: AttendantCall, why: str) -> None:
        if e.hangup_sent:
            return
        e.hangup_sent = True
        e.hangup_reason = why
        e.hangup_deadline = time.monotonic() + HANGUP_GRACE_SECONDS
        self._stop_player(e)
        prm = self._stack.pj.CallOpParam()
        prm.statusCode = 200 if e.answered_at is not None else 603
        try:
            e.call.hangup(prm)
        except Exception as exc:
            log.warning("hangup failed (%s): %s", why, exc)
            self._finish(e, f"hangup failed: {exc}")

    def _finish(self, e: AttendantCall, reason: str) -> None:
        if self._inbound.pop(id(e.call), None) is None:
            return
        self._stop_player(e)
        self._stack.bury(e.call)
        if e.transfer is not None and e.transfer.pending:
            e.transfer.state, e.transfer.reason = "failed", "call ended during the transfer"
            e.transfer.settled.set()
            e.transfer.done.set()
        cause = "normalClearing" if e.answered_at is not None else "unknown"
        self._report("hangup", e, cause=cause)
        self.history.append({
            "call_id": e.call_id, "from": e.caller, "to": e.called, "keys": list(e.keys),
            "transferred_to": e.transferred_to,
            "transfer": e.transfer.to_dict() if e.transfer else None,
            "tried": list(e.session.tried), "reason": e.hangup_reason or reason,
            "answered_at": e.answered_at.isoformat() if e.answered_at else None,
            "ended_at": _now().isoformat()})

    def hang_up_all(self) -> None:
        """The gateway stops: hang up every call."""
        for e in list(self._inbound.values()):
            self._hangup(e, "shutdown")

    def end_all(self) -> None:
        """The gateway stops: end the calls PJSIP has not ended yet."""
        for e in list(self._inbound.values()):
            self._finish(e, "gateway stopped")

    def clear(self) -> None:
        self._inbound.clear()
        self._rejected.clear()

    def _report(self, event: str, e: AttendantCall, *, cause: str | None = None,
                transfer_to: str | None = None) -> None:
        self._events.report(event, e.call_id, e.caller or "anonymous", e.called or self._caller_id,
                            "in", answering="attendant", cause=cause, transfer_to=transfer_to)
