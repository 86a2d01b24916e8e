"""How the core commands the ``zongji sip`` process: a small JSON interface on loopback.

The gateway runs as its own process so that a fault in the SIP stack cannot take the web server
or the wake-up worker down. The worker uses :class:`HttpTelephonyClient`, which implements
:class:`~zongji.telephony.adapter.TelephonyAdapter` and raises ``TelephonyUnavailable`` when the
gateway cannot be reached — the signal to escalate due wake-ups to the manual call list.

    GET  /health  → 200 {"ok": true, "reason": "", "sip_port": 5070, "active_calls": 0,
                     "registration": {"active", "status", "reason", "expires"} | null}
                  503 with "ok": false and the "reason" when the SIP stack is not running or a
                  registrar is configured and the registration is not active (refused,
                  lapsed, pending): the wake-up dialler then treats telephony as down (R-H9)
    POST /calls   {"uri", "prompt_wav", "confirm_keys": ["1"], "snooze_keys": ["2"],
                   "ring_timeout": 30, "key_timeout": 10, "call_id"?, "priority"?}
                  → 200 CallResult (docs in adapter.py) once the call has ended
    GET  /calls/<call_id> → {"call_id", "state": "unknown"|"queued"|"active"|"ended", "result"?,
                             "answered"?, "direction"?, "transfer"?}
    POST /calls/<call_id>/transfer {"target", "ref"?, "wait"?: "accepted"|"final"}
                  → 200 {"call_id", "target", "ref", "state": "accepted"|"succeeded"|…,
                         "sip_status", "reason", "progress": [sipfrag codes]}
                  404 unknown_call · 409 not_answered | in_progress · 502 failed (REFER refused
                  or the target failed) · 400 bad_target
    GET  /attendant → {"enabled", "menu"?, "calls": [last attendant calls]}

A transfer is blind (REFER). It answers once the far end accepted the REFER (``wait`` =
"accepted", default) or once the transfer has ended ("final"). When the target answers, the
gateway posts the CTI ``transfer`` event and hangs up; the same ``ref`` twice sends one REFER.

A call id is dialled at most once: a repeated POST with the same ``call_id`` waits for (or
returns) the first call's result (:mod:`zongji.telephony.call_ledger`). With ``lines`` set, at
most that many calls are up at once across every client; the rest wait, lowest ``priority``
(the wake-up's due instant, epoch seconds) first.

Every request carries ``Authorization: Bearer <control token>`` when one is configured.
"""

from __future__ import annotations

import hmac
import json
import logging
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Sequence

import httpx

from zongji.telephony.adapter import CallResult, TelephonyUnavailable, TransferRefused
from zongji.telephony.call_ledger import CallLedger

log = logging.getLogger(__name__)


class ControlServer:
    def __init__(self, gateway, host: str = "127.0.0.1", port: int = 5071,
                 token: str | None = None, lines: int = 0):
        self.gateway = gateway
        self.token = token
        self.ledger = CallLedger(lines)
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, fmt, *args):  # noqa: N802 - stdlib name
                log.debug("control: " + fmt, *args)

            def _send(self, status: int, body: dict) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def _authorized(self) -> bool:
                if not server.token:
                    return True
                got = self.headers.get("Authorization", "")
                return hmac.compare_digest(got.encode(), f"Bearer {server.token}".encode())

            def do_GET(self):  # noqa: N802
                if not self._authorized():
                    return self._send(401, {"error": "unauthorized", "message": "bad token"})
                if self.path.rstrip("/") == "/health":
                    gw = server.gateway
                    check = getattr(gw, "health", None)
                    ok, why = check() if check else (gw.running, "" if gw.running else "not running")
                    return self._send(200 if ok else 503, {
                        "ok": ok, "reason": why,
                        "sip_port": gw.local_port, "active_calls": gw.active_calls,
                        "registration": gw.registration or None,
                        "lines": server.ledger.lines or None, "queued": server.ledger.queued})
                if self.path.startswith("/calls/"):
                    call_id = self.path[len("/calls/"):]
                    if call_id.endswith("/transfer"):
                        st = server.gateway.transfer_status(call_id[:-len("/transfer")])
                        if st is None:
                            return self._send(404, {"error": "unknown_call",
                                                    "message": "no transfer for this call"})
                        return self._send(200, st)
                    out = server.ledger.lookup(call_id)
                    info = server.gateway.call_info(call_id)
                    if info is not None:
                        out = {**out, **{k: v for k, v in info.items() if k != "call_id"}}
                        if out.get("state") == "unknown":
                            out["state"] = "active"  # an attendant call (not from the ledger)
                    elif out.get("state") == "unknown" and server.gateway.transfer_status(call_id):
                        out = {**out, "state": "ended"}
                    if "transfer" not in out and server.gateway.transfer_status(call_id):
                        out["transfer"] = server.gateway.transfer_status(call_id)
                    return self._send(200, out)
                if self.path.rstrip("/") == "/attendant":
                    gw = server.gateway
                    att = getattr(gw, "attendant", None)
                    return self._send(200, {
                        "enabled": att is not None,
                        "menu": att.menu.to_dict() if att is not None else None,
                        "calls": list(getattr(gw, "attendant_calls", ()))})
                self._send(404, {"error": "not_found", "message": self.path})

            def _transfer(self, call_id: str):
                try:
                    n = int(self.headers.get("Content-Length") or 0)
                    req = json.loads(self.rfile.read(n) or b"{}")
                    target = str(req["target"])
                    wait = str(req.get("wait") or "accepted")
                    if wait not in ("accepted", "final"):
                        raise ValueError("wait must be 'accepted' or 'final'")
                except (ValueError, KeyError, TypeError) as exc:
                    return self._send(400, {"error": "bad_request", "field": "target",
                                            "message": f"JSON with a 'target' expected: {exc}"})
                ref = req.get("ref")
                try:
                    st = server.gateway.transfer(call_id, target,
                                                 ref=str(ref) if ref is not None else None,
                                                 wait=wait)
                except TelephonyUnavailable as exc:
                    return self._send(503, {"error": "telephony_unavailable", "message": str(exc)})
                except TransferRefused as exc:
                    status = {"unknown_call": 404, "not_answered": 409, "in_progress": 409,
                              "bad_target": 400}.get(exc.cause, 502)
                    return self._send(status, {
                        "error": exc.cause, "message": str(exc), "sip_status": exc.sip_status,
                        "field": "target" if exc.cause == "bad_target" else None,
                        "transfer": server.gateway.transfer_status(call_id)})
                self._send(200, st)

            def do_POST(self):  # noqa: N802
                if not self._authorized():
                    return self._send(401, {"error": "unauthorized", "message": "bad token"})
                path = self.path.rstrip("/")
                if path.startswith("/calls/") and path.endswith("/transfer"):
                    return self._transfer(path[len("/calls/"):-len("/transfer")])
                if self.path.rstrip("/") != "/calls":
                    return self._send(404, {"error": "not_found", "message": self.path})
                try:
                    n = int(self.headers.get("Content-Length") or 0)
                    req = json.loads(self.rfile.read(n) or b"{}")
                    uri = str(req["uri"])
                except (ValueError, KeyError, TypeError) as exc:
                    return self._send(400, {"error": "bad_request", "field": "uri",
                                            "message": f"JSON with a 'uri' expected: {exc}"})
                call_id = str(req.get("call_id") or uuid.uuid4().hex)
                try:
                    priority = float(req.get("priority") or 0)
                except (TypeError, ValueError):
                    return self._send(400, {"error": "bad_request", "field": "priority",
                                            "message": "priority must be a number"})
                try:
                    result = server.ledger.place(call_id, priority, lambda: server.gateway.place_call(
                        uri, req.get("prompt_wav"), tuple(req.get("confirm_keys") or ("1",)),
                        float(req.get("ring_timeout", 30)),
                        snooze_keys=tuple(req.get("snooze_keys") or ("2",)),
                        key_timeout=float(req.get("key_timeout", 10)), call_id=call_id))
                except TelephonyUnavailable as exc:
                    return self._send(503, {"error": "telephony_unavailable", "message": str(exc)})
                except (OSError, EOFError, ValueError) as exc:  # unreadable prompt file
                    return self._send(400, {"error": "bad_request", "field": "prompt_wav",
                                            "message": str(exc)})
                self._send(200, result.to_dict())

        self.httpd = ThreadingHTTPServer((host, port), Handler)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        self._thread: threading.Thread | None = None

    def start(self) -> "ControlServer":
        self._thread = threading.Thread(target=self.httpd.serve_forever, name="sip-control",
                                        daemon=True)
        self._thread.start()
        return self

    def serve_forever(self) -> None:
        self.httpd.serve_forever()

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


class HttpTelephonyClient:
    """``TelephonyAdapter`` over the control interface of a ``zongji sip`` process."""

    def __init__(self, base_url: str = "http://127.0.0.1:5071", token: str | None = None,
                 connect_timeout: float = 3.0):
        self.base_url = base_url.rstrip("/")
        self.token = token
        self.connect_timeout = connect_timeout
        self._client = None
        self._lock = threading.Lock()

    def _http(self):
        # One pooled client, kept alive: no new connection (and TLS context) per call.
        with self._lock:
            if self._client is None:
                self._client = httpx.Client(
                    headers=self._headers(), trust_env=False,
                    limits=httpx.Limits(max_connections=64, max_keepalive_connections=64))
            return self._client

    def close(self) -> None:
        with self._lock:
            if self._client is not None:
                self._client.close()
                self._client = None

    def _headers(self) -> dict:
        return {"Authorization": f"Bearer {self.token}"} if self.token else {}

    def healthy(self) -> bool:
        try:
            return bool(self.health().get("ok"))
        except TelephonyUnavailable:
            return False

    def health(self) -> dict:
        """The gateway's /health: {"ok", "reason", "registration", …}. ``ok`` is false while
        the SIP stack is down or a configured registration is not active. Raises
        TelephonyUnavailable when the gateway cannot be reached at all."""
        try:
            r = self._http().get(f"{self.base_url}/health", timeout=self.connect_timeout)
            body = r.json()
        except (httpx.HTTPError, ValueError) as exc:
            raise TelephonyUnavailable(f"SIP gateway unreachable: {exc}") from exc
        if not isinstance(body, dict) or r.status_code not in (200, 503):
            raise TelephonyUnavailable(f"SIP gateway answered {r.status_code}: {r.text[:200]}")
        ok = r.status_code == 200 and bool(body.get("ok"))
        return {**body, "ok": ok,
                "reason": body.get("reason") or ("" if ok else f"gateway health {r.status_code}")}

    def lookup(self, call_id: str) -> dict:
        """What this gateway knows of ``call_id``: {"state": unknown|queued|active|ended,
        "result"?}. Raises TelephonyUnavailable when the gateway cannot be asked."""
        try:
            r = httpx.get(f"{self.base_url}/calls/{call_id}", headers=self._headers(),
                          timeout=self.connect_timeout)
        except httpx.HTTPError as exc:
            raise TelephonyUnavailable(f"SIP gateway unreachable: {exc}") from exc
        if r.status_code != 200:
            raise TelephonyUnavailable(f"SIP gateway answered {r.status_code}: {r.text[:200]}")
        return r.json()

    def place_call(self, uri: str, prompt_wav: str | None, confirm_keys: Sequence[str] = ("1",),
                   ring_timeout: float = 30.0, *, snooze_keys: Sequence[str] = ("2",),
                   key_timeout: float = 10.0, call_id: str | None = None,
                   priority: float | None = None) -> CallResult:
        """``priority``: the wake-up's due instant (epoch seconds); calls the gateway must queue
        (all its lines busy) are placed earliest-due first."""
        body = {"uri": uri, "prompt_wav": prompt_wav, "confirm_keys": list(confirm_keys),
                "snooze_keys": list(snooze_keys), "ring_timeout": ring_timeout,
                "key_timeout": key_timeout, "call_id": call_id}
        if priority is not None:
            body["priority"] = priority
        # Long read timeout: the answer comes when the call has ended.
        timeout = httpx.Timeout(connect=self.connect_timeout, read=ring_timeout + key_timeout + 300,
                                write=10, pool=10)
        try:
            r = self._http().post(f"{self.base_url}/calls", json=body, timeout=timeout)
        except httpx.HTTPError as exc:
            raise TelephonyUnavailable(f"SIP gateway unreachable: {exc}") from exc
        if r.status_code == 503:
            raise TelephonyUnavailable(r.json().get("message", "SIP gateway unavailable"))
        if r.status_code == 400:
            raise ValueError(f"SIP gateway refused the request: {r.text[:200]}")
        if r.status_code != 200:
            raise TelephonyUnavailable(f"SIP gateway answered {r.status_code}: {r.text[:200]}")
        return CallResult.from_dict(r.json())


    def transfer(self, call_external_id: str | None, target_number: str, *,
                 ref: str | None = None, wait: str = "accepted") -> dict:
        """Blind-transfer (REFER) the answered call ``call_external_id`` to ``target_number``
        (a SIP URI or an extension of the gateway's PBX/domain). The switchboard adapter
        contract (docs/telephony.md): returns once the far end accepted the REFER (``wait``
        "final": once the transfer has ended) with the gateway's transfer state; the result
        (target answered) reaches the core as a CTI ``transfer`` event. Raises
        :class:`TransferRefused` (unknown_call, not_answered, in_progress, bad_target, failed)
        and :class:`TelephonyUnavailable` when the gateway cannot be reached."""
        if not call_external_id:
            raise TransferRefused("unknown_call", "a transfer needs the call's id")
        body = {"target": target_number, "ref": ref, "wait": wait}
        timeout = httpx.Timeout(connect=self.connect_timeout, read=60, write=10, pool=10)
        try:
            r = self._http().post(f"{self.base_url}/calls/{call_external_id}/transfer", json=body,
                                  timeout=timeout)
        except httpx.HTTPError as exc:
            raise TelephonyUnavailable(f"SIP gateway unreachable: {exc}") from exc
        if r.status_code == 200:
            return r.json()
        try:
            err = r.json()
        except ValueError:
            err = {}
        if r.status_code in (400, 404, 409, 502):
            raise TransferRefused(err.get("error") or "failed", err.get("message") or r.text[:200],
                                  err.get("sip_status"))
        raise TelephonyUnavailable(f"SIP gateway answered {r.status_code}: {r.text[:200]}")


class GatewayPool:
    """``TelephonyAdapter`` over several ``zongji sip`` processes, ``lines_each`` calls each.

    One PJSIP process carries at most 4 simultaneous calls with the pjsua2-python wheel (see
    ``GatewayConfig.max_calls``), so 30 lines are 8 processes. A call goes to a gateway with a
    free line (waiting, in arrival order, while all are busy); a gateway that cannot be reached
    is left out for ``retry_down_seconds`` and the call goes to another. Only when no gateway
    can be reached does ``place_call`` raise ``TelephonyUnavailable``.
    """

    def __init__(self, clients: Sequence[HttpTelephonyClient], lines_each: int = 4,
                 retry_down_seconds: float = 10.0):
        if not clients:
            raise ValueError("a pool needs at least one gateway")
        self.clients = list(clients)
        self.lines_each = lines_each
        self.retry_down_seconds = retry_down_seconds
        self._busy = [0] * len(self.clients)
        self._down_until = [0.0] * len(self.clients)
        self._cond = threading.Condition()
        self._next_ticket = 0
        self._serving = 0

    @property
    def lines(self) -> int:
        return self.lines_each * len(self.clients)

    def health(self) -> dict:
        """Healthy when at least one gateway is (calls go to the healthy ones)."""
        reasons = []
        for c in self.clients:
            try:
                h = c.health()
            except TelephonyUnavailable as exc:
                reasons.append(f"{c.base_url}: {exc}")
                continue
            if h.get("ok"):
                return {**h, "lines": self.lines}
            reasons.append(f"{c.base_url}: {h.get('reason')}")
        return {"ok": False, "reason": "; ".join(reasons) or "no SIP gateway"}

    def healthy(self) -> bool:
        return bool(self.health().get("ok"))

    def _pick(self, exclude: set[int]) -> int | None:
        now = time.monotonic()
        best = None
        for i in range(len(self.clients)):
            if i in exclude or self._down_until[i] > now or self._busy[i] >= self.lines_each:
                continue
            if best is None or self._busy[i] < self._busy[best]:
                best = i
        return best

    def _all_down(self, exclude: set[int]) -> bool:
        now = time.monotonic()
        return all(i in exclude or self._down_until[i] > now for i in range(len(self.clients)))

    def place_call(self, uri: str, prompt_wav: str | None, confirm_keys: Sequence[str] = ("1",),
                   ring_timeout: float = 30.0, *, snooze_keys: Sequence[str] = ("2",),
                   key_timeout: float = 10.0, call_id: str | None = None,
                   priority: float | None = None) -> CallResult:
        tried: set[int] = set()
        while True:
            with self._cond:
                # First come, first served: calls get lines in the order they asked.
                ticket = self._next_ticket
                self._next_ticket += 1
                while True:
                    if self._all_down(tried):
                        self._serving = max(self._serving, ticket + 1)
                        self._cond.notify_all()
                        raise TelephonyUnavailable("no SIP gateway can be reached")
                    i = self._pick(tried) if ticket == self._serving else None
                    if i is not None:
                        self._busy[i] += 1
                        self._serving += 1
                        self._cond.notify_all()
                        break
                    self._cond.wait(0.2)
            try:
                return self.clients[i].place_call(
                    uri, prompt_wav, confirm_keys, ring_timeout, snooze_keys=snooze_keys,
                    key_timeout=key_timeout, call_id=call_id, priority=priority)
            except TelephonyUnavailable:
                log.warning("SIP gateway %s unavailable; trying another", self.clients[i].base_url)
                with self._cond:
                    self._down_until[i] = time.monotonic() + self.retry_down_seconds
                tried.add(i)
            finally:
                with self._cond:
                    self._busy[i] -= 1
                    self._cond.notify_all()

    def transfer(self, call_external_id: str | None, target_number: str, *,
                 ref: str | None = None, wait: str = "accepted") -> dict:
        """Transfer on whichever gateway carries the call (the others answer unknown_call)."""
        reachable = False
        for c in self.clients:
            try:
                return c.transfer(call_external_id, target_number, ref=ref, wait=wait)
            except TelephonyUnavailable:
                continue
            except TransferRefused as exc:
                reachable = True
                if exc.cause != "unknown_call":
                    raise
        if not reachable:
            raise TelephonyUnavailable("no SIP gateway can be reached")
        raise TransferRefused("unknown_call", f"no gateway carries call {call_external_id!r}")
