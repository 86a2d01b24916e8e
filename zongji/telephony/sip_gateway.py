"""The SIP gateway: PJSIP (``pjsua2``) behind :class:`~zongji.telephony.adapter.TelephonyAdapter`.

The gateway wires the PJSIP endpoint, its transport and account, and the pieces that handle
calls on it (docs/telephony.md):

* :mod:`zongji.telephony.sip_outbound` — calls we place (wake-up calls): prompt, key, outcome;
* :mod:`zongji.telephony.sip_transfers` — blind transfer (REFER) of an answered call;
* :mod:`zongji.telephony.sip_attendant` — incoming calls to the switchboard number, answered
  with the :class:`~zongji.telephony.attendant.Attendant`'s greeting and key menu;
* :mod:`zongji.telephony.cti_reporter` — the CTI events they report to the core;
* :mod:`zongji.telephony.sip_stack` — the pjsua2 objects they share, and PJSIP's callbacks.

Only this module and :mod:`~zongji.telephony.sip_stack` touch ``pjsua2``, which is imported
lazily (an optional, heavy wheel). One thread owns the PJSIP endpoint: it creates the library,
polls it (``libHandleEvents``) and is the only thread that calls into it; PJSIP's callbacks are
delivered on that thread (``mainThreadOnly``) and the gateway hands each to the piece that owns
the call. Other threads call :meth:`SipGateway.place_call`, which queues a command and blocks
until the call has ended, or :meth:`SipGateway.transfer`, which runs its command on the PJSIP
thread.

There is no audio device: the conference bridge runs on PJSIP's null sound device, so prompts
are played from WAV files into the call and nothing is heard locally. DTMF is received as
RFC 2833 telephone events (PJSIP's default), SIP INFO digits are accepted as well.

Every call event is reported to the core as a CTI event (``POST /api/cti/events``, see
docs/contracts.md) by :class:`~zongji.telephony.cti_reporter.CtiReporter` on its own thread, so
a slow or absent core never delays a call.
"""

from __future__ import annotations

import concurrent.futures
import logging
import queue
import threading
import time
import uuid
from dataclasses import dataclass
from typing import Callable, Sequence

from zongji.telephony.adapter import CallResult, TelephonyUnavailable, TransferRefused
from zongji.telephony.attendant import Attendant
from zongji.telephony.cti_reporter import CallEvents, CtiReporter
from zongji.telephony.sip_attendant import AttendantCalls
from zongji.telephony.sip_outbound import OutboundCalls
from zongji.telephony.sip_stack import CollectorOnThisThread, SipStack
from zongji.telephony.sip_transfers import Transfer, Transfers
from zongji.telephony.sip_uri import target_uri

log = logging.getLogger(__name__)

_ENDPOINT_LOCK = threading.Lock()


def _destroy_endpoint(pj, ep) -> None:
    """Delete PJSIP's Endpoint now, on the PJSIP thread, before the lock is released.

    PJSUA2 allows one Endpoint per process and forgets it only in its C++ destructor. Left to
    Python's garbage collector, the destructor runs whenever the last reference goes: a log
    record or a traceback that keeps the PJSIP thread's frame alive delays it past the next
    gateway's start, whose ``Endpoint()`` then aborts the process (seen in CI). The SWIG
    destroy call disowns the proxy, so the collector never deletes it a second time.
    """
    try:
        pj.Endpoint.__swig_destroy__(ep)
    except Exception:
        log.exception("could not delete the PJSIP endpoint")


# Calls one PJSIP process of the pjsua2-python wheel carries: the wheel is built with
# PJSUA_MAX_CALLS = 4 and UaConfig.maxCalls cannot raise it (measured: maxCalls = 8 → the 5th
# makeCall fails with PJ_ETOOMANY). More lines = more `zongji sip` processes (GatewayPool).
PJSUA_BUILD_MAX_CALLS = 4


@dataclass
class GatewayConfig:
    bind_address: str = "127.0.0.1"
    sip_port: int = 5070  # 0: any free port
    public_address: str | None = None  # address to put in Contact/SDP when behind NAT
    # Identity in From: / used as "from" in CTI events.
    caller_id: str = "zongji"
    # Register to a PBX as an extension (optional); without it calls go directly to the URI.
    registrar: str | None = None  # e.g. "sip:pbx.example.org"
    username: str | None = None
    password: str | None = None
    domain: str | None = None
    clock_rate: int = 16000
    # RTP: first port and how many to use (0: PJSIP's default, 4000 upwards, skipping busy ones).
    rtp_port: int = 0
    rtp_port_range: int = 1000
    # Simultaneous calls. The pjsua2-python wheel is built with PJSUA's compile-time default
    # PJSUA_MAX_CALLS = 4 (pjproject PR #2654), and maxCalls cannot exceed it: more calls fail
    # with PJ_ETOOMANY. Calls beyond this wait in order in the gateway; for more lines run more
    # `zongji sip` processes behind a GatewayPool (zongji.telephony.control).
    max_calls: int = 4
    line: str | None = None  # line code given to the core in CTI events
    log_level: int = 1  # PJSIP console log level 0–6


class SipGateway:
    """A PJSIP user agent that places calls, plays a prompt and reads a key, transfers calls,
    and answers the switchboard number with the attendant.

    >>> gw = SipGateway(GatewayConfig(sip_port=0)); gw.start()
    >>> gw.place_call("sip:8101@127.0.0.1:5080", "/path/prompt.wav", ("1",), 30)
    """

    def __init__(self, config: GatewayConfig | None = None, reporter: CtiReporter | None = None,
                 attendant: Attendant | None = None):
        self.config = config or GatewayConfig()
        if self.config.max_calls > PJSUA_BUILD_MAX_CALLS:
            log.warning("max_calls %d: this pjsua2 build carries at most %d calls per process; "
                        "calls beyond wait in order. For more lines run more `zongji sip` "
                        "processes and list them in ZONGJI_WAKEUP_GATEWAY_URL",
                        self.config.max_calls, PJSUA_BUILD_MAX_CALLS)
        self.reporter = reporter
        self.stack = SipStack(self)  # PJSIP's callbacks come here (the _on_… methods)
        events = CallEvents(reporter, self.config.line)
        self.transfers = Transfers(self.stack)
        self.outbound = OutboundCalls(self.stack, events, self.transfers, self.config.caller_id,
                                      self._line_free)
        self.incoming = AttendantCalls(self.stack, events, self.transfers, self.config.caller_id,
                                       self._line_free, self.target_uri, attendant)
        self._ops: queue.Queue[Callable[[], None]] = queue.Queue()  # run on the PJSIP thread
        self._thread: threading.Thread | None = None
        self._ready = threading.Event()
        self._stop = threading.Event()
        self._start_error: BaseException | None = None
        self.local_port: int | None = None
        self.registration: dict = {}
        self._reg_changed = threading.Event()

    @property
    def attendant(self) -> Attendant | None:
        """Answers the switchboard number with a key menu (None: incoming calls are refused,
        480). May be replaced while running; read when a call comes in."""
        return self.incoming.attendant

    @attendant.setter
    def attendant(self, attendant: Attendant | None) -> None:
        self.incoming.attendant = attendant

    @property
    def attendant_calls(self):
        """The last 200 attendant calls (``GET /attendant``)."""
        return self.incoming.history

    # ---- lifecycle

    def start(self, timeout: float = 10.0) -> "SipGateway":
        if self._thread is not None:
            return self
        # PJSIP has one endpoint per process: a second one aborts the process.
        if not _ENDPOINT_LOCK.acquire(blocking=False):
            raise TelephonyUnavailable(
                "another SIP gateway is running in this process (PJSIP allows one per process)")
        self._stop.clear()
        self._ready.clear()
        self._start_error = None
        if self.reporter is not None:
            self.reporter.start()
        self._thread = threading.Thread(target=self._run, name="pjsip", daemon=True)
        self._thread.start()
        if not self._ready.wait(timeout):
            self.stop()
            raise TelephonyUnavailable("SIP stack did not start in time")
        if self._start_error is not None:
            self._thread.join(timeout)
            self._thread = None
            raise TelephonyUnavailable(f"SIP stack failed to start: {self._start_error}")
        return self

    def stop(self, timeout: float = 10.0) -> None:
        if self._thread is None:
            return
        self._stop.set()
        self._thread.join(timeout)
        self._thread = None
        if self.reporter is not None:
            self.reporter.stop()

    def __enter__(self) -> "SipGateway":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive() and self._ready.is_set() \
            and self._start_error is None

    def health(self) -> tuple[bool, str]:
        """Whether calls can be placed, and why not: the SIP stack must run and, with a
        registrar configured, the registration must be active (a refused or lapsed
        registration means the PBX will not carry our calls)."""
        if not self.running:
            return False, "SIP stack not running"
        if self.config.registrar:
            reg = self.registration
            if not reg:
                return False, f"registration with {self.config.registrar} pending"
            if not reg.get("active"):
                return False, (f"not registered with {self.config.registrar}: "
                               f"{reg.get('status')} {reg.get('reason') or ''}").strip()
        return True, ""

    @property
    def active_calls(self) -> int:
        return self.outbound.count + self.incoming.count

    @property
    def waiting_calls(self) -> int:
        return self.outbound.waiting

    def _line_free(self) -> bool:
        """Whether another call may start: outgoing and incoming calls share the lines."""
        return self.active_calls < self.config.max_calls

    # ---- the adapter interface

    def place_call(self, uri: str, prompt_wav: str | None, confirm_keys: Sequence[str] = ("1",),
                   ring_timeout: float = 30.0, *, snooze_keys: Sequence[str] = ("2",),
                   key_timeout: float = 10.0, call_id: str | None = None) -> CallResult:
        fut = self.place_call_async(uri, prompt_wav, confirm_keys, ring_timeout,
                                    snooze_keys=snooze_keys, key_timeout=key_timeout, call_id=call_id)
        # A started call always ends (ring, key and hangup deadlines run on the PJSIP thread);
        # a waiting one starts when a line frees. Only a dead gateway leaves us waiting.
        while True:
            try:
                return fut.result(timeout=1.0)
            except concurrent.futures.TimeoutError:
                if not self.running and not fut.done():
                    raise TelephonyUnavailable("SIP gateway stopped during the call") from None

    def place_call_async(self, uri: str, prompt_wav: str | None,
                         confirm_keys: Sequence[str] = ("1",), ring_timeout: float = 30.0, *,
                         snooze_keys: Sequence[str] = ("2",), key_timeout: float = 10.0,
                         call_id: str | None = None) -> concurrent.futures.Future:
        if not self.running:
            raise TelephonyUnavailable("SIP gateway is not running")
        return self.outbound.queue(self.target_uri(uri), prompt_wav, confirm_keys, ring_timeout,
                                   snooze_keys, key_timeout, call_id or uuid.uuid4().hex)

    def transfer(self, call_id: str, target: str, *, ref: str | None = None,
                 wait: str = "accepted", timeout: float | None = None) -> dict:
        """Blind-transfer the answered call ``call_id`` to ``target`` (REFER).

        Returns the transfer's state as a dict (``state`` sending | accepted | succeeded |
        failed, ``sip_status``, ``reason``, ``progress`` = sipfrag codes) once the far end has
        accepted the REFER (``wait="accepted"``, the switchboard adapter contract) or once the
        transfer has ended (``wait="final"``). When the target answers, the gateway posts a CTI
        ``transfer`` event and hangs the call up. The same ``ref`` twice sends one REFER.

        Raises :class:`TransferRefused` (unknown_call | not_answered | in_progress | failed)
        and :class:`TelephonyUnavailable` when the gateway is not running.
        """
        if not self.running:
            raise TelephonyUnavailable("SIP gateway is not running")
        try:
            uri = self.target_uri(target)
        except ValueError as exc:
            raise TransferRefused("bad_target", str(exc)) from None
        box: concurrent.futures.Future = concurrent.futures.Future()

        def op() -> None:
            try:
                owner, leg = self._find(call_id)
                box.set_result(self.transfers.command(owner, leg, call_id, uri, ref))
            except BaseException as exc:
                box.set_exception(exc)

        self._ops.put(op)
        end = time.monotonic() + 10
        while True:
            try:
                tr: Transfer = box.result(timeout=0.2)
                break
            except concurrent.futures.TimeoutError:
                if not self.running or time.monotonic() > end:
                    raise TelephonyUnavailable(
                        "SIP gateway did not take the transfer command") from None
        return tr.result(wait, timeout)

    def transfer_status(self, call_id: str) -> dict | None:
        """The last transfer of ``call_id`` (also after the call has ended), or None."""
        return self.transfers.status(call_id)

    def call_info(self, call_id: str) -> dict | None:
        """What the gateway knows of a call that is up: answered or not, its transfer."""
        return self.outbound.info(call_id) or self.incoming.info(call_id)

    def target_uri(self, target: str) -> str:
        """A SIP URI for ``target``: a URI as given; ``8101`` → ``sip:8101@<domain or PBX>``."""
        return target_uri(target, self.config.domain, self.config.registrar)

    # ---- the PJSIP thread

    def _run(self) -> None:
        try:
            self._run_endpoint()
        finally:
            self.ep = None
            _ENDPOINT_LOCK.release()

    def _run_endpoint(self) -> None:
        try:
            import pjsua2 as pj  # lazy: the optional, heavy SIP stack, loaded on its own thread
        except BaseException as exc:  # ImportError or a broken wheel
            self._start_error = exc
            self._ready.set()
            return
        self.stack.pj = pj
        ep = pj.Endpoint()
        try:
            ep.libCreate()
            cfg = pj.EpConfig()
            cfg.uaConfig.threadCnt = 0
            cfg.uaConfig.mainThreadOnly = True
            cfg.uaConfig.maxCalls = max(self.config.max_calls, 1)
            cfg.uaConfig.userAgent = "Zongji SIP gateway"
            cfg.logConfig.level = self.config.log_level
            cfg.logConfig.consoleLevel = self.config.log_level
            cfg.medConfig.clockRate = self.config.clock_rate
            cfg.medConfig.sndClockRate = self.config.clock_rate
            cfg.medConfig.noVad = True
            cfg.medConfig.hasIoqueue = True
            ep.libInit(cfg)
            tcfg = pj.TransportConfig()
            tcfg.port = self.config.sip_port
            tcfg.boundAddress = self.config.bind_address
            if self.config.public_address:
                tcfg.publicAddress = self.config.public_address
            tid = ep.transportCreate(pj.PJSIP_TRANSPORT_UDP, tcfg)
            ep.libStart()
            ep.audDevManager().setNullDev()
            local = ep.transportGetInfo(tid).localName  # "127.0.0.1:5070"
            self.local_port = int(local.rsplit(":", 1)[1])
            self.stack.account = self._make_account(pj, local)
        except BaseException as exc:
            # Without its traceback: the traceback's frames would keep ``ep`` alive.
            self._start_error = exc.with_traceback(None)
            try:
                ep.libDestroy()
            except Exception:
                pass
            _destroy_endpoint(pj, ep)
            self._ready.set()
            return
        self.ep = ep
        self._ready.set()
        log.info("SIP gateway listening on udp:%s", local)
        # Garbage is collected on this thread only while the endpoint lives (sip_stack).
        with CollectorOnThisThread() as collector:
            try:
                while not self._stop.is_set():
                    try:
                        ep.libHandleEvents(10)
                        self._run_ops()
                        self.outbound.take_commands()
                        self.outbound.check_timers()
                        self.incoming.check_timers()
                        self.stack.sweep()
                        collector.step()
                    except Exception:  # one bad call must not stop the gateway
                        log.exception("SIP gateway loop")
                        time.sleep(0.01)
                self._shutdown()
            finally:
                self.stack.sweep(everything=True)
                self.outbound.clear()
                self.incoming.clear()
                self.stack.account = None
                self.ep = None
                collector.last()  # while PJSIP still runs, on its thread
                try:
                    ep.libDestroy()
                except Exception:
                    log.exception("libDestroy failed")
                _destroy_endpoint(pj, ep)

    def _make_account(self, pj, local: str):
        c = self.config
        acfg = pj.AccountConfig()
        host = c.domain or (c.registrar.split(":", 1)[1] if c.registrar else local)
        acfg.idUri = f"sip:{c.username or c.caller_id}@{host}"
        if c.registrar:
            acfg.regConfig.registrarUri = c.registrar
            acfg.regConfig.registerOnAdd = True
            if c.username:
                acfg.sipConfig.authCreds.append(
                    pj.AuthCredInfo("digest", "*", c.username, 0, c.password or ""))
        else:
            acfg.regConfig.registerOnAdd = False
        mt = acfg.mediaConfig.transportConfig
        mt.boundAddress = c.bind_address
        if c.public_address:
            mt.publicAddress = c.public_address
        mt.port = c.rtp_port
        if c.rtp_port:
            mt.portRange = c.rtp_port_range
        acc = self.stack.new_account()
        acc.create(acfg)
        return acc

    def _shutdown(self) -> None:
        # Hang up what is still up, give PJSIP a moment to send BYE/CANCEL, fail the rest.
        self.outbound.hang_up_all()
        self.incoming.hang_up_all()
        end = time.monotonic() + 2.0
        while (self.outbound.count or self.incoming.count) and time.monotonic() < end:
            self.ep.libHandleEvents(10)
        self.outbound.end_all()
        self.incoming.end_all()
        self._run_ops()  # refuse waiting transfer commands
        self.outbound.refuse_waiting()

    def _run_ops(self) -> None:
        while True:
            try:
                op = self._ops.get_nowait()
            except queue.Empty:
                return
            op()

    def _find(self, call_id: str):
        """The piece that owns the call ``call_id`` and its leg, or (None, None)."""
        for owner in (self.outbound, self.incoming):
            leg = owner.find(call_id)
            if leg is not None:
                return owner, leg
        return None, None

    def _leg(self, call):
        """The piece that owns the pj call ``call`` and its leg, or (None, None)."""
        for owner in (self.outbound, self.incoming):
            leg = owner.leg(call)
            if leg is not None:
                return owner, leg
        return None, None

    # ---- PJSIP's callbacks (on this thread, from sip_stack's Call and Account), to the pieces

    def _on_incoming(self, account, pj_call_id: int) -> None:
        self.incoming.on_incoming(account, pj_call_id)

    def _on_state(self, call) -> None:
        if not self.incoming.on_state(call):
            self.outbound.on_state(call)

    def _on_media(self, call) -> None:
        if not self.incoming.on_media(call):
            self.outbound.on_media(call)

    def _on_digit(self, call, digit: str) -> None:
        if not self.incoming.on_digit(call, digit):
            self.outbound.on_digit(call, digit)

    def _on_refer_tsx(self, call, code: int, reason: str) -> None:
        owner, leg = self._leg(call)
        if leg is not None:
            self.transfers.on_refer_answer(owner, leg, code, reason)

    def _on_xfer_status(self, call, code: int, reason: str, final: bool) -> bool:
        owner, leg = self._leg(call)
        if leg is None:
            return False
        return self.transfers.on_notify(owner, leg, code, reason, final)

    # ---- registration

    def _on_reg_state(self, code: int, reason: str, expiration: int) -> None:
        self.registration = {"active": 200 <= code < 300 and expiration > 0, "status": code,
                             "reason": reason, "expires": expiration}
        self._reg_changed.set()
        log.info("registration: %s %s (expires %s)", code, reason, expiration)

    def wait_registered(self, timeout: float = 10.0) -> bool:
        """Wait until the PBX accepted our registration (True) or refused it / time out."""
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            reg = self.registration
            if reg.get("active"):
                return True
            if reg.get("status", 0) >= 300 and reg.get("status") != 401 and reg.get("status") != 407:
                return False
            self._reg_changed.wait(0.05)
            self._reg_changed.clear()
        return bool(self.registration.get("active"))
