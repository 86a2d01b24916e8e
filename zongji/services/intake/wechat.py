"""The WeChat Official Account channel (issue 15 follow-up, point 1; contract in docs/wechat.md).

Inbound: ``accept`` stores one verified message (text, image, location) in the intake queue as
channel ``app`` (meta ``platform: wechat``), idempotent on ``MsgId`` (WeChat retries a delivery
it got no answer to within 5 s, up to three times); "查询 <order number>" is answered at once
with a passive reply. The caller answers ``success`` otherwise: a database insert, well within
WeChat's 5 s.

Outbound: an operator's answer is sent by the job ``intake.send`` through the adapter named by
``intake_wechat_reply_adapter``: ``customer_service`` — WeChat's customer-service message API
(``GET /cgi-bin/token`` for an access token, ``POST /cgi-bin/message/custom/send``; only within
48 hours of the citizen's last message, WeChat's rule) — or ``none``: not sent, the answer is
listed on the conversation as ``recorded`` with the reason, for the operator to give otherwise."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from zongji.domain.intake import public_status, wechat
from zongji.domain.intake.channels import Channel
from zongji.domain.intake.status_query import order_number_asked
from zongji.errors import Forbidden, Invalid, NotFound
from zongji.services.intake import queue, replies
from zongji.settings import Settings
from zongji.store.intake_models import IntakeMessage
from zongji.store.work_order_models import WorkOrder

PUBLIC_CHANNELS = frozenset({Channel.OPEN311, Channel.WEB, Channel.APP})


def _check_on(settings: Settings) -> None:
    if not settings.intake_wechat_token:
        raise NotFound("the WeChat channel is not configured", field="wechat")


def verify(settings: Settings, *, signature: str | None, timestamp: str | None, nonce: str | None) -> None:
    """The request comes from WeChat (the configured token signs it), or 403."""
    _check_on(settings)
    if not wechat.signed(settings.intake_wechat_token, timestamp, nonce, signature):
        raise Forbidden("the signature does not match", field="signature")


@dataclass(frozen=True)
class Answer:
    body: str  # "success" or a passive reply XML
    xml: bool
    duplicate: bool
    intake_message_id: int | None


def _status_of(session: Session, number: str, openid: str) -> str | None:
    o = session.scalar(select(WorkOrder).where(WorkOrder.number == number))
    if o is None:
        return None
    if o.channel in PUBLIC_CHANNELS:
        return o.status
    mine = session.scalar(select(IntakeMessage.id).where(IntakeMessage.order_id == o.id,
                                                         IntakeMessage.channel == str(Channel.APP),
                                                         IntakeMessage.sender == openid).limit(1))
    return o.status if mine is not None else None


def accept(session: Session, settings: Settings, body: bytes, *, now: dt.datetime) -> Answer:
    _check_on(settings)
    try:
        msg = wechat.parse(body)
    except wechat.BadMessage as e:
        raise Invalid(str(e), field=e.field) from None
    if not msg.supported:
        return Answer("success", False, False, None)  # events, voice, video …: acknowledged, ignored
    external_id = f"wx:{msg.to_user}:{msg.msg_id}"
    old = session.scalar(select(IntakeMessage).where(IntakeMessage.channel == str(Channel.APP),
                                                     IntakeMessage.external_id == external_id))
    if old is None:
        queue.check_rate(session, now=now, limit=settings.intake_sms_max_per_hour, field="FromUserName",
                         client_address=f"wx:{msg.from_user}"[:64], channel=Channel.APP)
    m, dup = queue.receive(session, settings, channel=Channel.APP, sender=msg.from_user, text=msg.queue_text(),
                           now=now, external_id=external_id, to_address=msg.to_user, meta=msg.meta(),
                           client_address=f"wx:{msg.from_user}"[:64])
    number = order_number_asked(msg.content) if msg.msg_type == "text" else None
    if number is None:
        return Answer("success", False, dup, m.id)
    text = public_status.status_reply(number, _status_of(session, number, msg.from_user))
    if not dup:
        m.state, m.outcome, m.first_responded_at = "done", "status_query", now
        out = replies.send(session, to=m, text=text, now=now)
        out.state, out.sent_at, out.meta = "sent", now, {"platform": "wechat", "passive": True}
    return Answer(wechat.passive_reply(msg.from_user, msg.to_user, text, int(now.timestamp())), True, dup, m.id)
