"""How the core commands the ``zongji sip`` process: a small JSON interface on loopback.

The gateway runs as its own process so that a fault in the SIP stack cannot take the web server
or the wake-up worker down. The worker uses :class:`HttpTelephonyClient`, which implements
:class:`~zongji.telephony.adapter.TelephonyAdapter` and raises ``TelephonyUnavailable`` when the
gateway cannot be reached — the signal to escalate due wake-ups to the manual call list.

    GET  /health  → {"ok": true, "sip_port": 5070, "active_calls": 0,
                     "registration": {"active", "status", "reason", "expires"} | null}
    POST /calls   {"uri", "prompt_wav", "confirm_keys": ["1"], "snooze_keys": ["2"],
                   "ring_timeout": 30, "key_timeout": 10, "call_id"?}
                  → 200 CallResult (docs in adapter.py) once the call has ended

Every request carries ``Authorization: Bearer <control token>`` when one is configured.
"""

from __future__ import annotations

import hmac
import json
import logging
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Sequence

from zongji.telephony.adapter import CallResult, TelephonyUnavailable

log = logging.getLogger(__name__)


class ControlServer:
    def __init__(self, gateway, host: str = "127.0.0.1", port: int = 5071,
                 token: str | None = None):
        self.gateway = gateway
        self.token = token
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
                    return self._send(200 if gw.running else 503, {
                        "ok": gw.running, "sip_port": gw.local_port, "active_calls": gw.active_calls,
                        "registration": gw.registration or None})
                self._send(404, {"error": "not_found", "message": self.path})

            def do_POST(self):  # noqa: N802
                if not self._authorized():
                    return self._send(401, {"error": "unauthorized", "message": "bad token"})
                if self.path.rstrip("/") != "/calls":
                    return self._send(404, {"error": "not_found", "message": self.path})
                try:
                    n = int(self.headers.get("Content-Length") or 0)
                    req = json.loads(self.rfile.read(n) or b"{}")
                    uri = str(req["uri"])
                except (ValueError, KeyError, TypeError) as exc:
                    return self._send(400, {"error": "bad_request", "field": "uri",
                                            "message": f"JSON with a 'uri' expected: {exc}"})
                try:
                    result = server.gateway.place_call(
                        uri, req.get("prompt_wav"), tuple(req.get("confirm_keys") or ("1",)),
                        float(req.get("ring_timeout", 30)),
                        snooze_keys=tuple(req.get("snooze_keys") or ("2",)),
                        key_timeout=float(req.get("key_timeout", 10)), call_id=req.get("call_id"))
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

    def _headers(self) -> dict:
        return {"Authorization": f"Bearer {self.token}"} if self.token else {}

    def healthy(self) -> bool:
        import httpx

        try:
            r = httpx.get(f"{self.base_url}/health", headers=self._headers(),
                          timeout=self.connect_timeout)
            return r.status_code == 200 and bool(r.json().get("ok"))
        except httpx.HTTPError:
            return False

    def place_call(self, uri: str, prompt_wav: str | None, confirm_keys: Sequence[str] = ("1",),
                   ring_timeout: float = 30.0, *, snooze_keys: Sequence[str] = ("2",),
                   key_timeout: float = 10.0, call_id: str | None = None) -> CallResult:
        import httpx

        body = {"uri": uri, "prompt_wav": prompt_wav, "confirm_keys": list(confirm_keys),
                "snooze_keys": list(snooze_keys), "ring_timeout": ring_timeout,
                "key_timeout": key_timeout, "call_id": call_id}
        # Long read timeout: the answer comes when the call has ended.
        timeout = httpx.Timeout(connect=self.connect_timeout, read=ring_timeout + key_timeout + 300,
                                write=10, pool=10)
        try:
            r = httpx.post(f"{self.base_url}/calls", json=body, headers=self._headers(),
                           timeout=timeout)
        except httpx.HTTPError as exc:
            raise TelephonyUnavailable(f"SIP gateway unreachable: {exc}") from exc
        if r.status_code == 503:
            raise TelephonyUnavailable(r.json().get("message", "SIP gateway unavailable"))
        if r.status_code == 400:
            raise ValueError(f"SIP gateway refused the request: {r.text[:200]}")
        if r.status_code != 200:
            raise TelephonyUnavailable(f"SIP gateway answered {r.status_code}: {r.text[:200]}")
        return CallResult.from_dict(r.json())
