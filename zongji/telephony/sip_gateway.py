"""The SIP gateway: PJSIP (``pjsua2``) behind :class:`~zongji.telephony.adapter.TelephonyAdapter`.

This is the only module that imports ``pjsua2``. One thread owns the PJSIP endpoint: it creates
the library, polls it (``libHandleEvents``) and is the only thread that calls into it; PJSIP's
callbacks are delivered on that thread (``mainThreadOnly``). Other threads call
:meth:`SipGateway.place_call`, which queues a command and blocks until the call has ended.

There is no audio device: the conference bridge runs on PJSIP's null sound device, so prompts
are played from WAV files into the call and nothing is heard locally. DTMF is received as
RFC 2833 telephone events (PJSIP's default), SIP INFO digits are accepted as well.

Every call event is reported to the core as a CTI event (``POST /api/cti/events``, see
docs/contracts.md) by :class:`CtiReporter` on its own thread, so a slow or absent core never
delays a call.

Blind transfer: :meth:`SipGateway.transfer` sends REFER on an answered call (placed by us, or
answered by the attendant), follows the NOTIFY sipfrag progress, and when the target answered
(sipfrag 2xx) posts a CTI ``transfer`` event (``transferTo``) and hangs up. With an
:class:`~zongji.telephony.attendant.Attendant` the gateway answers incoming calls to the
switchboard number with a greeting and a key menu and transfers the caller (docs/telephony.md).
"""

from __future__ import annotations

import collections
import concurrent.futures
import datetime as dt
import logging
import queue
import threading
import time
import uuid
import wave
from dataclasses import dataclass, field
from typing import Callable, Sequence

from zongji.telephony.adapter import CallOutcome, CallResult, TelephonyUnavailable, TransferRefused
from zongji.telephony.attendant import Action, Attendant, MenuOption, MenuSession, sip_user

log = logging.getLogger(__name__)

BUSY_CODES = frozenset({486, 600, 603})
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
NO_ANSWER_CODES = frozenset({408, 480, 487})
# The PBX / SIP side failed, not the room (R-H9: reported as TELEPHONY_FAULT, never as a room
# that did not answer): server errors and "unavailable". PJSIP reports a transport error on the
# INVITE as 503 too.
FAULT_CODES = frozenset({500, 502, 503, 504})
# After we hang up, how long to wait for PJSIP to report the call gone (SIP timer B is 32 s).
HANGUP_GRACE_SECONDS = 40.0
# Calls one PJSIP process of the pjsua2-python wheel carries: the wheel is built with
# PJSUA_MAX_CALLS = 4 and UaConfig.maxCalls cannot raise it (measured: maxCalls = 8 → the 5th
# makeCall fails with PJ_ETOOMANY). More lines = more `zongji sip` processes (GatewayPool).
PJSUA_BUILD_MAX_CALLS = 4
# REFER sent → the final NOTIFY (target answered or failed), for transfers the core commands.
TRANSFER_TIMEOUT_SECONDS = 30.0
# An answered incoming call whose media never starts: run the menu as if the greeting played.
MEDIA_WAIT_SECONDS = 2.0


def _now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


def wav_seconds(path: str) -> float:
    with wave.open(path, "rb") as w:
        return w.getnframes() / float(w.getframerate() or 1)


def uri_user(uri: str) -> str:
    """The user part of a SIP URI (``sip:8101@pbx`` → ``8101``), else the host:port."""
    rest = uri.split(":", 1)[1] if uri.lower().startswith(("sip:", "sips:")) else uri
    rest = rest.split(";", 1)[0].strip("<>")
    return rest.split("@", 1)[0] if "@" in rest else rest


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


# --------------------------------------------------------------------------------------------
# Reporting call events to the core


class CtiReporter:
    """Posts CTI events (docs/contracts.md) to the core from a background thread.

    ``sink`` replaces the HTTP post (tests, or a gateway without a core). Events are retried a
    few times with back-off; the core de-duplicates, so a retry after a lost answer is safe.
    """

    def __init__(self, url: str | None = None, token: str | None = None, *,
                 sink: Callable[[dict], None] | None = None, retries: int = 5, timeout: float = 5.0):
        self.url = url
        self.token = token
        self.sink = sink
        self.retries = retries
        self.timeout = timeout
        self._q: queue.Queue[dict | None] = queue.Queue()
        self._thread: threading.Thread | None = None
        self.sent = 0
        self.failed = 0

    def start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="cti-reporter", daemon=True)
            self._thread.start()

    def report(self, event: dict) -> None:
        self._q.put(event)

    def stop(self, timeout: float = 5.0) -> None:
        if self._thread is not None:
            self._q.put(None)
            self._thread.join(timeout)
            self._thread = None

    def _run(self) -> None:
        client = None
        if self.sink is None and self.url:
            import httpx

            headers = {"Authorization": f"Bearer {self.token}"} if self.token else {}
            client = httpx.Client(timeout=self.timeout, headers=headers)
        try:
            while True:
                event = self._q.get()
                if event is None:
                    return
                self._deliver(client, event)
        finally:
            if client is not None:
                client.close()

    def _deliver(self, client, event: dict) -> None:
        if self.sink is not None:
            self.sink(event)
            self.sent += 1
            return
        if client is None:
            return
        delay = 0.2
        for attempt in range(self.retries):
            try:
                r = client.post(self.url, json=event)
                if r.status_code < 300:
                    self.sent += 1
                    return
                if 400 <= r.status_code < 500:
                    log.error("CTI event refused (%s): %s %s", r.status_code, event, r.text[:200])
                    self.failed += 1
                    return
            except Exception as exc:  # network errors: retry
                log.warning("CTI event not delivered (attempt %d): %s", attempt + 1, exc)
            time.sleep(delay)
            delay = min(delay * 2, 5.0)
        self.failed += 1
        log.error("CTI event dropped after %d attempts: %s", self.retries, event)


# --------------------------------------------------------------------------------------------
# The gateway


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


@dataclass
class _Pending:
    uri: str
    prompt_wav: str | None
    confirm_keys: tuple[str, ...]
    snooze_keys: tuple[str, ...]
    ring_timeout: float
    key_timeout: float
    call_id: str
    future: concurrent.futures.Future


@dataclass
class _Active:
    req: _Pending
    call: object  # _PjCall
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
    transfer: "_Transfer | None" = None
    transferred_to: str | None = None

    @property
    def call_id(self) -> str:
        return self.req.call_id


@dataclass
class _Transfer:
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


@dataclass
class _Inbound:
    """A call to the switchboard number, answered by the attendant."""

    call: object  # _PjCall
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
    transfer: _Transfer | None = None
    transferred_to: str | None = None
    hangup_sent: bool = False
    hangup_deadline: float | None = None
    hangup_reason: str = ""
    keys: list[str] = field(default_factory=list)


class SipGateway:
    """A PJSIP user agent that places calls, plays a prompt and reads a key.

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
        # Answer the switchboard number with a key menu (None: refuse incoming calls, 480).
        # May be replaced while running; read when a call comes in.
        self.attendant = attendant
        self._ops: queue.Queue[Callable[[], None]] = queue.Queue()  # run on the PJSIP thread
        self._inbound: dict[int, _Inbound] = {}
        self._transfers: collections.OrderedDict[str, _Transfer] = collections.OrderedDict()
        self.attendant_calls: collections.deque[dict] = collections.deque(maxlen=200)
        self._cmds: queue.Queue = queue.Queue()
        self._thread: threading.Thread | None = None
        self._ready = threading.Event()
        self._stop = threading.Event()
        self._start_error: BaseException | None = None
        self._active: dict[int, _Active] = {}  # keyed by id() of the pj call object
        self._graveyard: list = []  # pj objects to drop after their call has ended
        # Players stopped while their call goes on: dropped a little later, once the conference
        # bridge (its own clock thread; connect/disconnect are queued there) has let go of them.
        self._morgue: list[tuple[float, object]] = []
        self._rejected: dict[int, object] = {}  # refused incoming calls until PJSIP is done
        self._waiting: collections.deque[_Pending] = collections.deque()  # calls waiting a line
        self._hold_until = 0.0  # no new call before (PJSIP still releasing a slot)
        self.local_port: int | None = None
        self.registration: dict = {}
        self._reg_changed = threading.Event()

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
        return len(self._active) + len(self._inbound)

    @property
    def waiting_calls(self) -> int:
        return len(self._waiting) + self._cmds.qsize()

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
        uri = self.target_uri(uri)
        if prompt_wav is not None:
            wav_seconds(prompt_wav)  # fail early, in the caller's thread, on a bad file
        fut: concurrent.futures.Future = concurrent.futures.Future()
        self._cmds.put(_Pending(
            uri=uri, prompt_wav=prompt_wav, confirm_keys=tuple(confirm_keys),
            snooze_keys=tuple(snooze_keys), ring_timeout=float(ring_timeout),
            key_timeout=float(key_timeout), call_id=call_id or uuid.uuid4().hex, future=fut))
        return fut

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
                box.set_result(self._op_transfer(call_id, uri, ref))
            except BaseException as exc:
                box.set_exception(exc)

        self._ops.put(op)
        end = time.monotonic() + 10
        while True:
            try:
                tr: _Transfer = box.result(timeout=0.2)
                break
            except concurrent.futures.TimeoutError:
                if not self.running or time.monotonic() > end:
                    raise TelephonyUnavailable(
                        "SIP gateway did not take the transfer command") from None
        event = tr.done if wait == "final" else tr.settled
        limit = timeout if timeout is not None else max(0.0, tr.deadline - time.monotonic()) + 2
        event.wait(limit)
        if tr.state == "failed":
            raise TransferRefused("failed", tr.reason or "transfer failed", tr.sip_status)
        return tr.to_dict()

    def transfer_status(self, call_id: str) -> dict | None:
        """The last transfer of ``call_id`` (also after the call has ended), or None."""
        tr = self._transfers.get(call_id)
        return tr.to_dict() if tr else None

    def call_info(self, call_id: str) -> dict | None:
        """What the gateway knows of a call that is up: answered or not, its transfer."""
        for e in list(self._active.values()) + list(self._inbound.values()):
            if e.call_id == call_id:
                return {"call_id": call_id, "answered": e.answered_at is not None,
                        "direction": "in" if isinstance(e, _Inbound) else "out",
                        "transfer": e.transfer.to_dict() if e.transfer else None}
        return None

    # ---- the PJSIP thread

    def _run(self) -> None:
        try:
            self._run_endpoint()
        finally:
            self.ep = None
            _ENDPOINT_LOCK.release()

    def _run_endpoint(self) -> None:
        try:
            import pjsua2 as pj
        except BaseException as exc:  # ImportError or a broken wheel
            self._start_error = exc
            self._ready.set()
            return
        self.pj = pj
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
            self.account = self._make_account(pj, local)
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
        try:
            while not self._stop.is_set():
                try:
                    ep.libHandleEvents(10)
                    self._run_ops()
                    self._take_commands()
                    self._check_timers()
                    self._check_inbound()
                    self._graveyard.clear()
                    if self._morgue and self._morgue[0][0] <= time.monotonic():
                        now = time.monotonic()
                        self._morgue = [(t, o) for t, o in self._morgue if t > now]
                except Exception:  # one bad call must not stop the gateway
                    log.exception("SIP gateway loop")
                    time.sleep(0.01)
            self._shutdown()
        finally:
            self._graveyard.clear()
            self._morgue.clear()
            self._active.clear()
            self._inbound.clear()
            self._rejected.clear()
            self.account = None
            self.ep = None
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
        acc = _PjAccount(self)
        acc.create(acfg)
        return acc

    def _shutdown(self) -> None:
        # Hang up what is still up, give PJSIP a moment to send BYE/CANCEL, fail the rest.
        for a in list(self._active.values()):
            self._hangup(a, "shutdown")
        for e in list(self._inbound.values()):
            self._hangup_inbound(e, "shutdown")
        end = time.monotonic() + 2.0
        while (self._active or self._inbound) and time.monotonic() < end:
            self.ep.libHandleEvents(10)
        for a in list(self._active.values()):
            self._finish(a, CallOutcome.FAILED, None, "gateway stopped")
        for e in list(self._inbound.values()):
            self._finish_inbound(e, "gateway stopped")
        self._run_ops()  # refuse waiting transfer commands
        while True:
            try:
                self._waiting.append(self._cmds.get_nowait())
            except queue.Empty:
                break
        while self._waiting:
            p = self._waiting.popleft()
            if not p.future.done():
                p.future.set_exception(TelephonyUnavailable("SIP gateway stopped"))

    def _take_commands(self) -> None:
        # Start waiting calls in arrival order while lines are free.
        while (len(self._active) + len(self._inbound) < self.config.max_calls
               and time.monotonic() >= self._hold_until):
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

    def _start_call(self, p: _Pending) -> None:
        pj = self.pj
        call = _PjCall(self, self.account)
        a = _Active(req=p, call=call, started_at=_now(),
                    ring_deadline=time.monotonic() + p.ring_timeout)
        self._active[id(call)] = a
        prm = pj.CallOpParam(True)
        prm.opt.audioCount = 1
        prm.opt.videoCount = 0
        try:
            call.makeCall(p.uri, prm)
        except Exception as exc:
            reason = getattr(exc, "info", lambda: str(exc))() if hasattr(exc, "info") else str(exc)
            if "PJ_ETOOMANY" in reason and not a.new_reported:
                # PJSIP has not released an ended call's slot yet: try again in a moment.
                self._active.pop(id(call), None)
                self._graveyard.append(call)
                self._waiting.appendleft(p)
                self._hold_until = time.monotonic() + 0.02
                return
            log.warning("makeCall %s failed: %s", p.uri, reason)
            self._finish(a, CallOutcome.TELEPHONY_FAULT, None, f"makeCall failed: {reason}"[:300])
            return
        self._report_new(a)

    def _report_new(self, a: _Active) -> None:
        if not a.new_reported:
            a.new_reported = True
            self._report("newCall", a)

    def _check_timers(self) -> None:
        now = time.monotonic()
        for a in list(self._active.values()):
            if a.transfer is not None and a.transfer.pending and not a.hangup_sent:
                if now >= a.transfer.deadline:
                    self._transfer_failed(a, a.transfer, None, "no final NOTIFY (timeout)")
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

    def _hangup(self, a: _Active, why: str) -> None:
        if a.hangup_sent:
            return
        a.hangup_sent = True
        a.hangup_deadline = time.monotonic() + HANGUP_GRACE_SECONDS
        a.local_hangup_reason = why
        prm = self.pj.CallOpParam()
        prm.statusCode = 487 if a.answered_at is None else 200
        try:
            a.call.hangup(prm)
        except Exception as exc:
            log.warning("hangup failed (%s): %s", why, exc)
            outcome = CallOutcome.NO_ANSWER if why == "ring_timeout" else CallOutcome.FAILED
            self._finish(a, a.decided or outcome, None, f"hangup failed: {exc}")

    # ---- transfer (REFER), on the PJSIP thread

    def _run_ops(self) -> None:
        while True:
            try:
                op = self._ops.get_nowait()
            except queue.Empty:
                return
            op()

    def _find(self, call_id: str):
        for a in self._active.values():
            if a.req.call_id == call_id:
                return a
        for e in self._inbound.values():
            if e.call_id == call_id:
                return e
        return None

    def _op_transfer(self, call_id: str, uri: str, ref: str | None) -> _Transfer:
        e = self._find(call_id)
        old = e.transfer if e is not None else self._transfers.get(call_id)
        if ref is not None and old is not None and old.ref == ref:
            return old  # the same command again: one REFER
        if e is None or e.hangup_sent:
            raise TransferRefused("unknown_call", f"no call {call_id!r} is up on this gateway")
        if e.answered_at is None:
            raise TransferRefused("not_answered", f"call {call_id!r} is not answered yet")
        if e.transfer is not None and e.transfer.pending:
            raise TransferRefused("in_progress", f"call {call_id!r} is being transferred")
        if isinstance(e, _Inbound):
            # The core takes over from the menu: keys no longer count; if this transfer
            # fails, the caller goes to the operator.
            e.session.chosen = MenuOption("", uri, "core", "core")
            e.pending.clear()
            e.key_deadline = None
            self._stop_player(e)
        tr = _Transfer(call_id, uri, ref, deadline=time.monotonic() + TRANSFER_TIMEOUT_SECONDS)
        self._send_refer(e, tr)
        return tr

    def _send_refer(self, e, tr: _Transfer) -> None:
        e.transfer = tr
        self._transfers[tr.call_id] = tr
        self._transfers.move_to_end(tr.call_id)
        while len(self._transfers) > 1000:
            self._transfers.popitem(last=False)
        log.info("call %s: REFER to %s", tr.call_id, tr.target)
        try:
            e.call.xfer(tr.target, self.pj.CallOpParam(True))
        except Exception as exc:
            reason = exc.info() if hasattr(exc, "info") else str(exc)
            self._transfer_failed(e, tr, None, f"REFER not sent: {reason}"[:300])

    def _entry(self, call):
        return self._active.get(id(call)) or self._inbound.get(id(call))

    def _on_refer_tsx(self, call, code: int, reason: str) -> None:
        """The final answer to our REFER: 2xx accepted (NOTIFYs follow), else refused."""
        e = self._entry(call)
        tr = e.transfer if e is not None else None
        if tr is None or not tr.pending:
            return
        if 200 <= code < 300:
            if tr.state == "sending":
                tr.state = "accepted"
                tr.settled.set()
        elif code >= 300:
            self._transfer_failed(e, tr, code, f"REFER refused: {code} {reason}".strip())

    def _on_xfer_status(self, call, code: int, reason: str, final: bool) -> bool:
        """A NOTIFY's sipfrag (or pjsua's summary). Returns whether to keep following."""
        e = self._entry(call)
        tr = e.transfer if e is not None else None
        if tr is None or not tr.pending:
            return False
        tr.progress.append(code)
        tr.sip_status, tr.reason = code, reason
        if 200 <= code < 300:
            self._transfer_succeeded(e, tr)
            return False
        if code >= 300:
            self._transfer_failed(e, tr, code, f"target: {code} {reason}".strip())
            return False
        if tr.state == "sending":
            tr.state = "accepted"
            tr.settled.set()
        if final:
            self._transfer_failed(e, tr, code, "subscription ended without a final answer")
            return False
        return True

    def _transfer_succeeded(self, e, tr: _Transfer) -> None:
        tr.state = "succeeded"
        tr.settled.set()
        tr.done.set()
        e.transferred_to = tr.target
        log.info("call %s: transferred to %s", tr.call_id, tr.target)
        if isinstance(e, _Inbound):
            self._report_inbound("transfer", e, transfer_to=uri_user(tr.target))
            e.pending.append(Action("hangup", reason="transferred"))
        else:
            self._report("transfer", e, transfer_to=uri_user(tr.target))
            # Hang up from the poll loop (after our 200 to the NOTIFY has gone out).
            e.decided = e.decided or CallOutcome.ANSWERED_NO_KEY

    def _transfer_failed(self, e, tr: _Transfer, code: int | None, reason: str) -> None:
        if not tr.pending:
            return
        tr.state = "failed"
        tr.sip_status = code if code is not None else tr.sip_status
        tr.reason = reason
        tr.settled.set()
        tr.done.set()
        log.warning("call %s: transfer to %s failed: %s", tr.call_id, tr.target, reason)
        if isinstance(e, _Inbound):
            e.pending.append(e.session.on_transfer_failed())
        elif e.answered_at is not None and not e.hangup_sent:
            e.key_deadline = time.monotonic() + e.req.key_timeout  # back to waiting for a key

    # ---- the attendant: incoming calls to the switchboard number

    def _refuse(self, call, code: int, reason: str) -> None:
        self._rejected[id(call)] = call
        prm = self.pj.CallOpParam()
        prm.statusCode = code
        prm.reason = reason
        try:
            call.hangup(prm)
        except Exception as exc:
            log.warning("could not refuse incoming call: %s", exc)

    def _on_incoming(self, account, pj_call_id: int) -> None:
        call = _PjCall(self, account, pj_call_id)
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
        if len(self._active) + len(self._inbound) >= self.config.max_calls:
            self._refuse(call, 486, "Busy Here")
            return
        sip_call_id = str(ci.callIdString or "")
        e = _Inbound(call=call, call_id=f"att-{sip_call_id or uuid.uuid4().hex}"[:250],
                     caller=caller, called=called, session=MenuSession(att.menu),
                     started_at=_now())
        self._inbound[id(call)] = e
        self._report_inbound("newCall", e)
        prm = self.pj.CallOpParam()
        prm.statusCode = 200  # at once: the switchboard is answered within the first ring
        try:
            call.answer(prm)
        except Exception as exc:
            log.warning("could not answer incoming call: %s", exc)
            self._finish_inbound(e, f"answer failed: {exc}")

    def _on_inbound_state(self, e: _Inbound) -> None:
        pj = self.pj
        ci = e.call.getInfo()
        if ci.state == pj.PJSIP_INV_STATE_CONFIRMED and e.answered_at is None:
            e.answered_at = _now()
            self._report_inbound("answer", e)
        elif ci.state == pj.PJSIP_INV_STATE_DISCONNECTED:
            self._finish_inbound(e, ci.lastReason or "")

    def _on_inbound_media(self, e: _Inbound) -> None:
        pj = self.pj
        if e.media is not None:
            return
        ci = e.call.getInfo()
        for mi in ci.media:
            if mi.type == pj.PJMEDIA_TYPE_AUDIO and mi.status == pj.PJSUA_CALL_MEDIA_ACTIVE:
                e.media = e.call.getAudioMedia(mi.index)
                if not e.menu_started:
                    e.menu_started = True
                    e.pending.append(e.session.start())
                return

    def _stop_player(self, e: _Inbound) -> None:
        if e.player is not None:
            try:
                if e.media is not None:
                    e.player.stopTransmit(e.media)
            except Exception:
                pass
            self._morgue.append((time.monotonic() + 1.0, e.player))
            e.player = None
        e.play_until = None
        e.after_play = None

    def _play(self, e: _Inbound, wav: str, after: str) -> None:
        self._stop_player(e)
        seconds = wav_seconds(wav)
        if e.media is not None:
            try:
                player = self.pj.AudioMediaPlayer()
                player.createPlayer(wav, self.pj.PJMEDIA_FILE_NO_LOOP)
                player.startTransmit(e.media)
                e.player = player
            except Exception as exc:
                log.warning("cannot play %s: %s", wav, exc)
        e.play_until = time.monotonic() + seconds
        e.after_play = after
        e.key_deadline = None

    def _apply(self, e: _Inbound, action: Action | None) -> None:
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
                uri = self.target_uri(opt.target)
            except ValueError as exc:
                log.warning("attendant: key %s has no usable target: %s", opt.key, exc)
                e.pending.append(e.session.on_transfer_failed())
                return
            self._stop_player(e)
            if att is not None:  # "请稍等" while the target rings
                self._play(e, att.prompts.transferring, "hold")
            timeout = e.session.menu.transfer_timeout
            log.info("attendant %s: key %s (%s) → %s", e.call_id, opt.key, action.reason, uri)
            self._send_refer(e, _Transfer(e.call_id, uri, None,
                                          deadline=time.monotonic() + timeout))
        elif action.kind == "hangup":
            self._hangup_inbound(e, action.reason or "hangup")

    def _check_inbound(self) -> None:
        now = time.monotonic()
        for e in list(self._inbound.values()):
            if e.hangup_sent:
                if e.hangup_deadline is not None and now >= e.hangup_deadline:
                    self._finish_inbound(e, "no answer to hangup")
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
                    self._transfer_failed(e, e.transfer, None, "no final NOTIFY (timeout)")
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

    def _on_inbound_digit(self, e: _Inbound, digit: str) -> None:
        e.keys.append(digit)
        if e.transfer is not None and e.transfer.pending:
            return
        # Applied from the poll loop: the 200 to a SIP INFO digit goes out before our REFER.
        action = e.session.on_key(digit)
        if action is not None:
            e.pending.append(action)

    def _hangup_inbound(self, e: _Inbound, why: str) -> None:
        if e.hangup_sent:
            return
        e.hangup_sent = True
        e.hangup_reason = why
        e.hangup_deadline = time.monotonic() + HANGUP_GRACE_SECONDS
        self._stop_player(e)
        prm = self.pj.CallOpParam()
        prm.statusCode = 200 if e.answered_at is not None else 603
        try:
            e.call.hangup(prm)
        except Exception as exc:
            log.warning("hangup failed (%s): %s", why, exc)
            self._finish_inbound(e, f"hangup failed: {exc}")

    def _finish_inbound(self, e: _Inbound, reason: str) -> None:
        if self._inbound.pop(id(e.call), None) is None:
            return
        self._stop_player(e)
        self._graveyard.append(e.call)
        if e.transfer is not None and e.transfer.pending:
            e.transfer.state, e.transfer.reason = "failed", "call ended during the transfer"
            e.transfer.settled.set()
            e.transfer.done.set()
        cause = "normalClearing" if e.answered_at is not None else "unknown"
        self._report_inbound("hangup", e, cause=cause)
        self.attendant_calls.append({
            "call_id": e.call_id, "from": e.caller, "to": e.called, "keys": list(e.keys),
            "transferred_to": e.transferred_to,
            "transfer": e.transfer.to_dict() if e.transfer else None,
            "tried": list(e.session.tried), "reason": e.hangup_reason or reason,
            "answered_at": e.answered_at.isoformat() if e.answered_at else None,
            "ended_at": _now().isoformat()})

    def _report_inbound(self, event: str, e: _Inbound, *, cause: str | None = None,
                        transfer_to: str | None = None) -> None:
        if self.reporter is None:
            return
        body = {"event": event, "callId": e.call_id, "from": e.caller or "anonymous",
                "to": e.called or self.config.caller_id, "direction": "in",
                "at": _now().isoformat()}
        if self.config.line:
            body["line"] = self.config.line
        if cause:
            body["cause"] = cause
        if event == "answer":
            body["answeringNumber"] = "attendant"
        if transfer_to:
            body["transferTo"] = transfer_to
        self.reporter.report(body)

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

    def target_uri(self, target: str) -> str:
        """A SIP URI for ``target``: a URI as given; ``8101`` → ``sip:8101@<domain or PBX>``."""
        t = target.strip()
        if t.lower().startswith(("sip:", "sips:", "tel:")):
            return t
        if "@" in t:
            return f"sip:{t}"
        host = self.config.domain or (self.config.registrar.split(":", 1)[1].split(";", 1)[0]
                                      if self.config.registrar else None)
        if not host:
            raise ValueError(f"{target!r} is not a SIP URI and no PBX/domain is configured")
        return f"sip:{t}@{host}"

    # ---- callbacks from _PjCall (on this thread)

    def _on_state(self, call) -> None:
        pj = self.pj
        e = self._inbound.get(id(call))
        if e is not None:
            self._on_inbound_state(e)
            return
        a = self._active.get(id(call))
        if a is None:
            rejected = self._rejected.get(id(call))
            if rejected is not None and call.getInfo().state == pj.PJSIP_INV_STATE_DISCONNECTED:
                self._graveyard.append(self._rejected.pop(id(call)))
            return
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

    def _on_media(self, call) -> None:
        pj = self.pj
        e = self._inbound.get(id(call))
        if e is not None:
            self._on_inbound_media(e)
            return
        a = self._active.get(id(call))
        if a is None or a.player is not None or not a.req.prompt_wav:
            return
        ci = call.getInfo()
        for mi in ci.media:
            if mi.type == pj.PJMEDIA_TYPE_AUDIO and mi.status == pj.PJSUA_CALL_MEDIA_ACTIVE:
                try:
                    am = call.getAudioMedia(mi.index)
                    player = pj.AudioMediaPlayer()
                    player.createPlayer(a.req.prompt_wav, pj.PJMEDIA_FILE_NO_LOOP)
                    player.startTransmit(am)
                    a.player = player
                    a.key_deadline = (time.monotonic() + wav_seconds(a.req.prompt_wav)
                                      + a.req.key_timeout)
                except Exception as exc:
                    log.warning("cannot play %s: %s", a.req.prompt_wav, exc)
                return

    def _on_digit(self, call, digit: str) -> None:
        e = self._inbound.get(id(call))
        if e is not None:
            self._on_inbound_digit(e, digit)
            return
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

    def _finish(self, a: _Active, outcome: CallOutcome, code: int | None, reason: str) -> None:
        if self._active.pop(id(a.call), None) is None:
            return
        if a.player is not None:
            self._graveyard.append(a.player)
        self._graveyard.append(a.call)
        self._report_new(a)
        result = CallResult(
            outcome=outcome, call_id=a.req.call_id, uri=a.req.uri, key=a.decided_key,
            sip_status=code, reason="transferred" if a.transferred_to else reason,
            started_at=a.started_at, answered_at=a.answered_at, ended_at=_now(),
            keys=tuple(a.keys), transferred_to=a.transferred_to)
        self._report("hangup", a, cause=hangup_cause(outcome, code))
        if not a.req.future.done():
            a.req.future.set_result(result)

    def _report(self, event: str, a: _Active, *, cause: str | None = None,
                transfer_to: str | None = None) -> None:
        if self.reporter is None:
            return
        body = {
            "event": event, "callId": a.req.call_id, "from": self.config.caller_id,
            "to": uri_user(a.req.uri), "direction": "out", "at": _now().isoformat(),
        }
        if self.config.line:
            body["line"] = self.config.line
        if cause:
            body["cause"] = cause
        if event == "answer":
            body["answeringNumber"] = uri_user(a.req.uri)
        if transfer_to:
            body["transferTo"] = transfer_to
        self.reporter.report(body)


def _make_call_class():
    import pjsua2 as pj

    class PjAccount(pj.Account):
        def __init__(self, gateway: SipGateway):
            super().__init__()
            self._gw = gateway

        def onIncomingCall(self, prm):
            try:
                self._gw._on_incoming(self, prm.callId)
            except Exception:
                log.exception("onIncomingCall")

        def onRegState(self, prm):
            try:
                self._gw._on_reg_state(int(prm.code), str(prm.reason), int(prm.expiration))
            except Exception:
                log.exception("onRegState")

    global _account_class
    _account_class = PjAccount

    class PjCall(pj.Call):
        def __init__(self, gateway: SipGateway, account, call_id=None):
            if call_id is None:
                super().__init__(account)
            else:
                super().__init__(account, call_id)
            self._gw = gateway

        def onCallState(self, prm):
            try:
                self._gw._on_state(self)
            except Exception:
                log.exception("onCallState")

        def onCallMediaState(self, prm):
            try:
                self._gw._on_media(self)
            except Exception:
                log.exception("onCallMediaState")

        def onStreamPreCreate(self, prm):
            # Interop: some peers answer with their own telephone-event payload type (often
            # 101) instead of the one we offered, and send events with it. Receive those too.
            try:
                si = prm.streamInfo
                log.debug("stream: rx event pt %s, tx event pt %s", si.audRxEventPt, si.audTxEventPt)
                if si.audTxEventPt >= 0 and si.audRxEventPt != si.audTxEventPt:
                    si.audRxEventPt = si.audTxEventPt
                    prm.streamInfo = si
            except Exception:
                log.exception("onStreamPreCreate")

        def onDtmfDigit(self, prm):
            try:
                self._gw._on_digit(self, str(prm.digit))
            except Exception:
                log.exception("onDtmfDigit")

        def onCallTransferStatus(self, prm):
            try:
                prm.cont = self._gw._on_xfer_status(self, int(prm.statusCode), str(prm.reason),
                                                    bool(prm.finalNotify))
            except Exception:
                log.exception("onCallTransferStatus")

        def onCallTsxState(self, prm):
            try:
                ev = prm.e
                if ev.type != pj.PJSIP_EVENT_TSX_STATE:
                    return
                tsx = ev.body.tsxState.tsx
                if tsx.method == "REFER" and tsx.role == pj.PJSIP_ROLE_UAC \
                        and int(tsx.statusCode) >= 200:
                    self._gw._on_refer_tsx(self, int(tsx.statusCode), str(tsx.statusText))
            except Exception:
                log.exception("onCallTsxState")

        def onCallTransferRequest(self, prm):
            # We do not let a peer transfer our calls (it would dial on our lines unseen).
            prm.statusCode = 603

    return PjCall


_call_class = None
_account_class = None


def _PjAccount(gateway: SipGateway):
    if _account_class is None:
        _make_call_class_once()
    return _account_class(gateway)


def _make_call_class_once():
    global _call_class
    if _call_class is None:
        _call_class = _make_call_class()


def _PjCall(gateway: SipGateway, account, call_id=None):
    _make_call_class_once()
    return _call_class(gateway, account, call_id)


def pjsua2_available() -> tuple[bool, str]:
    """Whether the pjsua2 wheel imports here, and the error if not."""
    try:
        import pjsua2  # noqa: F401
    except BaseException as exc:
        return False, f"{type(exc).__name__}: {exc}"
    return True, ""
