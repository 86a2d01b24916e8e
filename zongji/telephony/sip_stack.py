"""The PJSIP stack as the gateway's pieces see it, on the PJSIP thread.

``pjsua2`` is an optional, heavy binary wheel: nothing here imports it at module level. The
gateway imports it on its PJSIP thread when it starts and hands the module to :class:`SipStack`;
:func:`pjsua2_available` tries the import for a health check.

PJSIP's callbacks are delivered on the PJSIP thread (``mainThreadOnly``). The ``pj.Call`` and
``pj.Account`` subclasses built here forward every callback to one *receiver*, the gateway, which
hands it to the piece that owns the call (outbound calls, transfers, the attendant). A callback
that raises is logged, never propagated into PJSIP.

pjsua2 objects must be deleted on the PJSIP thread: pjlib aborts the process when one is
destroyed from a thread it does not know. Python's cyclic garbage collector runs on whichever
thread happens to allocate, so while a gateway runs the automatic collector is off and the PJSIP
thread collects instead, at the same thresholds (:class:`CollectorOnThisThread`; a test process
was aborted by a collection on an HTTP server's thread).

pjsua2 objects must not be deleted while PJSIP may still use them: a call ended in a callback is
dropped from the next poll (:meth:`SipStack.bury`), a prompt player stopped while its call goes
on a little later (:meth:`SipStack.drop_later`), once the conference bridge has let go of it.
"""

from __future__ import annotations

import functools
import gc
import logging
import threading
import time
import wave

log = logging.getLogger(__name__)

# After we hang up, how long to wait for PJSIP to report the call gone (SIP timer B is 32 s).
HANGUP_GRACE_SECONDS = 40.0


class CollectorOnThisThread:
    """Python's cyclic garbage collection, run only by the thread that calls :meth:`step`.

    ``with collector:`` turns the automatic collector off for the process (it comes back on when
    the last user leaves, if it was on); :meth:`step`, called once per poll, collects the
    generations whose thresholds are passed, as the automatic collector would; :meth:`last` collects
    everything before PJSIP is destroyed (collecting a pjsua2 object after that aborts too)."""

    _lock = threading.Lock()
    _users = 0
    _was_enabled = True

    def __enter__(self) -> CollectorOnThisThread:
        with CollectorOnThisThread._lock:
            if CollectorOnThisThread._users == 0:
                CollectorOnThisThread._was_enabled = gc.isenabled()
                gc.disable()
            CollectorOnThisThread._users += 1
        return self

    def __exit__(self, *exc) -> None:
        with CollectorOnThisThread._lock:
            CollectorOnThisThread._users -= 1
            if CollectorOnThisThread._users == 0 and CollectorOnThisThread._was_enabled:
                gc.enable()

    @staticmethod
    def last() -> None:
        gc.collect()

    @staticmethod
    def step() -> None:
        t0, t1, t2 = gc.get_threshold()
        c0, c1, c2 = gc.get_count()
        if t0 and c0 >= t0:
            gc.collect(2 if c1 >= t1 and c2 >= t2 else 1 if c1 >= t1 else 0)


def wav_seconds(path: str) -> float:
    with wave.open(path, "rb") as w:
        return w.getnframes() / float(w.getframerate() or 1)


class SipStack:
    """The pjsua2 module, the gateway's account, and the pjsua2 objects whose deletion waits.

    ``receiver`` gets PJSIP's callbacks (``_on_state``, ``_on_media``, ``_on_digit``,
    ``_on_xfer_status``, ``_on_refer_tsx``, ``_on_incoming``, ``_on_reg_state``).
    """

    def __init__(self, receiver):
        self.receiver = receiver
        self.pj = None  # the pjsua2 module, once the PJSIP thread has imported it
        self.account = None
        self.graveyard: list = []  # pj objects to drop after their call has ended
        # Players stopped while their call goes on: dropped a little later, once the conference
        # bridge (its own clock thread; connect/disconnect are queued there) has let go of them.
        self.morgue: list[tuple[float, object]] = []

    def new_account(self):
        return _pjsua_classes(self.pj)[0](self.receiver)

    def new_call(self, account, pj_call_id=None):
        """A pj.Call on ``account``: a new outgoing call, or PJSIP's incoming ``pj_call_id``."""
        return _pjsua_classes(self.pj)[1](self.receiver, account, pj_call_id)

    def start_player(self, wav: str, media):
        """Play ``wav`` once into ``media`` (a call's AudioMedia); the player to keep alive."""
        player = self.pj.AudioMediaPlayer()
        player.createPlayer(wav, self.pj.PJMEDIA_FILE_NO_LOOP)
        player.startTransmit(media)
        return player

    def bury(self, obj) -> None:
        """Drop ``obj`` at the end of this poll, outside PJSIP's callbacks."""
        self.graveyard.append(obj)

    def drop_later(self, obj, seconds: float = 1.0) -> None:
        self.morgue.append((time.monotonic() + seconds, obj))

    def sweep(self, everything: bool = False) -> None:
        """Once per poll: drop what was buried, and the players whose time has come (all of
        them with ``everything``, when the stack stops)."""
        self.graveyard.clear()
        if everything:
            self.morgue.clear()
        elif self.morgue and self.morgue[0][0] <= time.monotonic():
            now = time.monotonic()
            self.morgue = [(t, o) for t, o in self.morgue if t > now]


@functools.cache
def _pjsua_classes(pj) -> tuple[type, type]:
    """The pj.Account and pj.Call subclasses, built once per process from the pjsua2 module."""

    class PjAccount(pj.Account):
        def __init__(self, gateway):
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

    class PjCall(pj.Call):
        def __init__(self, gateway, account, call_id=None):
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

    return PjAccount, PjCall


def pjsua2_available() -> tuple[bool, str]:
    """Whether the pjsua2 wheel imports here, and the error if not."""
    try:
        import pjsua2  # noqa: F401  (lazy: the optional, heavy SIP stack)
    except BaseException as exc:
        return False, f"{type(exc).__name__}: {exc}"
    return True, ""
