"""An in-repo SMS gateway that follows the contract in docs/notifications.md (tests, local dev).

``SmsGatewayDouble(token="t").start()`` serves ``POST /sms`` on a free loopback port and keeps
every accepted message in ``.messages``. Same ``reference`` twice → ``{"status": "duplicate"}``
and no second message. ``fail_next(n)`` makes the next n requests answer 503.
Run ``python -m zongji.demo.sms_gateway_double --port 9025`` to print messages to stdout.
"""

from __future__ import annotations

import json
import threading
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


class SmsGatewayDouble:
    def __init__(self, token: str = "", host: str = "127.0.0.1", port: int = 0, echo: bool = False):
        self.token, self.echo = token, echo
        self.messages: list[dict[str, Any]] = []
        self._refs: dict[str, str] = {}
        self._fail = 0
        self._lock = threading.Lock()
        double = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *a):  # quiet
                pass

            def _answer(self, code: int, body: dict[str, Any]) -> None:
                data = json.dumps(body).encode()
                self.send_response(code)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_POST(self):  # noqa: N802
                if self.path != "/sms":
                    return self._answer(404, {"error": "not_found"})
                if double.token and self.headers.get("Authorization") != f"Bearer {double.token}":
                    return self._answer(401, {"error": "unauthorized"})
                with double._lock:
                    if double._fail > 0:
                        double._fail -= 1
                        return self._answer(503, {"error": "unavailable"})
                try:
                    body = json.loads(self.rfile.read(int(self.headers.get("Content-Length") or 0)))
                    to, text, ref = str(body["to"]), str(body["text"]), str(body["reference"])
                except (ValueError, KeyError, TypeError):
                    return self._answer(400, {"error": "bad_request", "message": "need to, text, reference"})
                if not to.lstrip("+").isdigit() or not text:
                    return self._answer(422, {"error": "invalid", "message": "bad number or empty text"})
                with double._lock:
                    if ref in double._refs:
                        return self._answer(200, {"id": double._refs[ref], "status": "duplicate"})
                    mid = uuid.uuid4().hex[:12]
                    double._refs[ref] = mid
                    double.messages.append({"id": mid, "to": to, "text": text, "reference": ref})
                if double.echo:
                    print(f"SMS to {to}: {text}", flush=True)
                return self._answer(202, {"id": mid, "status": "accepted"})

        self.server = ThreadingHTTPServer((host, port), Handler)
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}/sms"

    def fail_next(self, n: int) -> None:
        with self._lock:
            self._fail = n

    def start(self) -> SmsGatewayDouble:
        self._thread = threading.Thread(target=self.server.serve_forever, name="sms-double", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


if __name__ == "__main__":  # pragma: no cover
    import argparse

    p = argparse.ArgumentParser(description="SMS gateway double (docs/notifications.md)")
    p.add_argument("--port", type=int, default=9025)
    p.add_argument("--token", default="")
    a = p.parse_args()
    g = SmsGatewayDouble(a.token, port=a.port, echo=True)
    print(f"SMS gateway double on {g.url}", flush=True)
    g.server.serve_forever()
