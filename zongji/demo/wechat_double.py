"""WeChat's side of an Official Account, in-repo, following the published contract (tests, local
dev; docs/wechat.md). Nothing here is Zongji's code path.

* As WeChat's servers calling the hotline: ``signed_query(token)`` and ``message_xml(...)`` build
  a signed server check or message delivery as WeChat sends it.
* As WeChat's API the hotline calls: ``WeChatApiDouble(appid, secret).start()`` serves
  ``GET /cgi-bin/token`` and ``POST /cgi-bin/message/custom/send`` on a free loopback port and
  keeps every accepted customer-service message in ``.sent``; ``expire_tokens()`` makes the
  issued tokens answer 42001 (expired) as WeChat does.
"""

from __future__ import annotations

import json
import random
import string
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlparse

from zongji.domain.intake.wechat import signature


def signed_query(token: str, *, timestamp: int | None = None, nonce: str | None = None) -> dict[str, str]:
    ts = str(timestamp if timestamp is not None else int(time.time()))
    nonce = nonce or "".join(random.choices(string.digits, k=10))
    return {"signature": signature(token, ts, nonce), "timestamp": ts, "nonce": nonce}


def message_xml(kind: str, *, to_user: str = "gh_12345hotline", from_user: str = "oCitizen0001",
                msg_id: str | int = "1000000001", create_time: int | None = None, **fields: Any) -> bytes:
    """One message as WeChat POSTs it: text (``content``), image (``pic_url``, ``media_id``) or
    location (``x``, ``y``, ``scale``, ``label``); or an event (``event``)."""
    ct = create_time if create_time is not None else int(time.time())

    def cd(v: Any) -> str:
        return f"<![CDATA[{v}]]>"

    parts = [f"<ToUserName>{cd(to_user)}</ToUserName>", f"<FromUserName>{cd(from_user)}</FromUserName>",
             f"<CreateTime>{ct}</CreateTime>", f"<MsgType>{cd(kind)}</MsgType>"]
    if kind == "text":
        parts.append(f"<Content>{cd(fields['content'])}</Content>")
    elif kind == "image":
        parts += [f"<PicUrl>{cd(fields.get('pic_url', 'http://mmbiz.qpic.cn/demo.jpg'))}</PicUrl>",
                  f"<MediaId>{cd(fields.get('media_id', 'media-1'))}</MediaId>"]
    elif kind == "location":
        parts += [f"<Location_X>{fields['x']}</Location_X>", f"<Location_Y>{fields['y']}</Location_Y>",
                  f"<Scale>{fields.get('scale', 15)}</Scale>", f"<Label>{cd(fields.get('label', ''))}</Label>"]
    elif kind == "event":
        parts.append(f"<Event>{cd(fields.get('event', 'subscribe'))}</Event>")
    if kind != "event":
        parts.append(f"<MsgId>{msg_id}</MsgId>")
    return ("<xml>" + "".join(parts) + "</xml>").encode()


class WeChatApiDouble:
    def __init__(self, appid: str = "wx-demo", secret: str = "demo-secret", host: str = "127.0.0.1", port: int = 0):
        self.appid, self.secret = appid, secret
        self.sent: list[dict[str, Any]] = []
        self.tokens_issued = 0
        self._valid: set[str] = set()
        self._lock = threading.Lock()
        double = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *a):  # quiet
                pass

            def _json(self, body: dict[str, Any]) -> None:
                data = json.dumps(body, ensure_ascii=False).encode()
                self.send_response(200)  # WeChat answers 200 with errcode for its refusals
                self.send_header("Content-Type", "application/json; charset=utf-8")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self):  # noqa: N802
                u = urlparse(self.path)
                q = {k: v[0] for k, v in parse_qs(u.query).items()}
                if u.path != "/cgi-bin/token" or q.get("grant_type") != "client_credential":
                    return self._json({"errcode": 40002, "errmsg": "invalid grant_type"})
                if q.get("appid") != double.appid or q.get("secret") != double.secret:
                    return self._json({"errcode": 40125, "errmsg": "invalid appsecret"})
                token = uuid.uuid4().hex
                with double._lock:
                    double._valid.add(token)
                    double.tokens_issued += 1
                self._json({"access_token": token, "expires_in": 7200})

            def do_POST(self):  # noqa: N802
                u = urlparse(self.path)
                q = {k: v[0] for k, v in parse_qs(u.query).items()}
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                if u.path != "/cgi-bin/message/custom/send":
                    return self._json({"errcode": 48001, "errmsg": "api unauthorized"})
                with double._lock:
                    valid = q.get("access_token") in double._valid
                if not valid:
                    return self._json({"errcode": 42001, "errmsg": "access_token expired"})
                try:
                    msg = json.loads(body)
                    assert msg["msgtype"] == "text" and msg["touser"] and msg["text"]["content"]
                except Exception:  # noqa: BLE001 — the double refuses like WeChat
                    return self._json({"errcode": 40008, "errmsg": "invalid message type"})
                with double._lock:
                    double.sent.append(msg)
                self._json({"errcode": 0, "errmsg": "ok"})

        self._server = ThreadingHTTPServer((host, port), Handler)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def expire_tokens(self) -> None:
        with self._lock:
            self._valid.clear()

    def start(self) -> WeChatApiDouble:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
