"""WeChat's customer-service message API behind the reply adapter (issue 15 follow-up, point 1;
docs/wechat.md). ``intake_wechat_reply_adapter``: ``customer_service`` sends, ``none`` does not
(the answer is listed on the conversation as ``recorded`` with the reason)."""

from __future__ import annotations

import datetime as dt
import threading
import time

import httpx

from zongji.services.notifications import DeliveryError
from zongji.settings import Settings
from zongji.store.intake_models import IntakeMessage

_tokens: dict[tuple[str, str], tuple[str, float]] = {}
_lock = threading.Lock()


class CustomerService:
    """WeChat's customer-service message API, as published: an access token from
    ``GET {api}/cgi-bin/token?grant_type=client_credential&appid=&secret=`` (``access_token``,
    ``expires_in``; kept until 5 minutes before it expires), then ``POST
    {api}/cgi-bin/message/custom/send?access_token=`` with ``{"touser", "msgtype": "text",
    "text": {"content"}}``; ``errcode`` 0 is sent. 40001/40014/42001 (token invalid or expired):
    a new token, once. Any other errcode or HTTP failure: :class:`DeliveryError` (retried)."""

    def __init__(self, api_url: str, appid: str, secret: str, timeout: float = 5):
        self.api, self.appid, self.secret, self.timeout = api_url.rstrip("/"), appid, secret, timeout

    def _token(self, fresh: bool = False) -> str:
        key = (self.api, self.appid)
        with _lock:
            have = _tokens.get(key)
            if have and not fresh and have[1] > time.monotonic():
                return have[0]
        try:
            r = httpx.get(f"{self.api}/cgi-bin/token", params={"grant_type": "client_credential", "appid": self.appid,
                                                               "secret": self.secret}, timeout=self.timeout)
            data = r.json()
        except (httpx.HTTPError, ValueError) as e:
            raise DeliveryError(f"WeChat token endpoint unreachable: {e}") from e
        if not data.get("access_token"):
            raise DeliveryError(f"WeChat refused a token: {data.get('errcode')} {data.get('errmsg')}")
        with _lock:
            _tokens[key] = (data["access_token"], time.monotonic() + max(60, int(data.get("expires_in", 7200)) - 300))
        return data["access_token"]

    def send_text(self, openid: str, text: str) -> None:
        body = {"touser": openid, "msgtype": "text", "text": {"content": text}}
        for attempt in (0, 1):
            token = self._token(fresh=attempt == 1)
            try:
                r = httpx.post(f"{self.api}/cgi-bin/message/custom/send", params={"access_token": token}, json=body,
                               timeout=self.timeout)
                data = r.json()
            except (httpx.HTTPError, ValueError) as e:
                raise DeliveryError(f"WeChat unreachable: {e}") from e
            code = int(data.get("errcode", -1))
            if code == 0:
                return
            if code not in (40001, 40014, 42001) or attempt == 1:
                raise DeliveryError(f"WeChat refused the message: {code} {data.get('errmsg')}")


def deliver(m: IntakeMessage, settings: Settings, now: dt.datetime) -> None:
    """Send one pending WeChat answer through the configured adapter (``none``: recorded, not sent)."""
    if settings.intake_wechat_reply_adapter == "none":
        m.state, m.error = "recorded", "not sent: no WeChat reply adapter (intake_wechat_reply_adapter=none)"
        return
    CustomerService(settings.intake_wechat_api_url, settings.intake_wechat_appid, settings.intake_wechat_secret,
                    settings.intake_wechat_timeout_seconds).send_text(m.sender, m.text)
    m.state, m.sent_at, m.error = "sent", now, None
