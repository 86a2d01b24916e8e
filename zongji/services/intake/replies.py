"""Answers to a sender on the channel the message came by. An SMS answer is stored ``pending``
and sent by the job ``intake.send`` through the SMS adapter (an e-mail answer likewise by SMTP,
threaded to the citizen's message) (``notifications.HttpSmsGateway``,
the gateway contract of docs/notifications.md) exactly once per answer, retried while the gateway
fails; a WeChat answer (channel ``app``) likewise through ``wechat_api`` (its adapter ``none``:
``recorded``, not sent); other channels have no adapter here yet, so the answer is ``recorded`` on
the conversation for the operator to give by that channel."""

from __future__ import annotations

import datetime as dt
import re
from email.utils import make_msgid
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from zongji.domain.intake import mail as mail_rules
from zongji.domain.intake.channels import Channel
from zongji.services import live_feed, notifications
from zongji.services.intake import wechat_api
from zongji.settings import Settings
from zongji.store import jobs
from zongji.store.intake_models import IntakeMessage
from zongji.store.work_order_models import WorkOrder

SEND_KIND = "intake.send"
SMS_TEXT_MAX = 500


def message_out(m: IntakeMessage, now: dt.datetime | None = None, order_number: str | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": m.id, "channel": m.channel, "direction": m.direction, "state": m.state, "sender": m.sender,
        "text": m.text, "received_at": m.received_at.isoformat(), "outcome": m.outcome, "order_id": m.order_id,
        "order_number": order_number, "due_at": m.first_response_due_at.isoformat() if m.first_response_due_at else None,
        "first_responded_at": m.first_responded_at.isoformat() if m.first_responded_at else None,
        "sent_at": m.sent_at.isoformat() if m.sent_at else None, "error": m.error,
    }
    if now is not None and m.first_response_due_at is not None:
        at = m.first_responded_at or now
        out["seconds_left"] = round((m.first_response_due_at - at).total_seconds(), 1)
    return out


def send(session: Session, *, to: IntakeMessage, text: str, now: dt.datetime, order_id: int | None = None,
         user_id: int | None = None) -> IntakeMessage:
    """Answer the sender of ``to`` on its channel; returns the stored answer."""
    sms, mail = to.channel == Channel.SMS, to.channel == Channel.EMAIL
    # A WeChat message (channel app): sent by the job through the reply adapter (wechat_api).
    wx = to.channel == Channel.APP and isinstance(to.meta, dict) and to.meta.get("platform") == "wechat"
    by_job = sms or mail or wx
    order_id = order_id if order_id is not None else to.order_id
    out = IntakeMessage(channel=to.channel, direction="out", state="pending" if by_job else "recorded",
                        sender=to.sender, sender_digits=to.sender_digits, text=text.strip()[:SMS_TEXT_MAX if sms else 4000],
                        received_at=now, order_id=order_id, in_reply_to_id=to.id, handled_by_id=user_id,
                        client_id=to.client_id, meta={"platform": "wechat"} if wx else None)
    if mail:
        # Threaded: In-Reply-To the citizen's message, References its thread; our own Message-ID
        # is kept, so the citizen's reply to this answer finds its order.
        meta = to.meta if isinstance(to.meta, dict) else {}
        parent = to.external_id if (to.external_id or "").startswith("<") else None
        refs = [r for r in reversed(meta.get("references") or []) if isinstance(r, str)]
        number = session.scalar(select(WorkOrder.number).where(WorkOrder.id == order_id)) if order_id else None
        out.external_id = make_msgid(domain="zongji")
        out.meta = {"subject": mail_rules.reply_subject(meta.get("subject"), number), "in_reply_to": parent,
                    "references": " ".join(dict.fromkeys([*refs, *([parent] if parent else [])]))}
    session.add(out)
    session.flush()
    if by_job:
        jobs.schedule(session, SEND_KIND, f"intake-send:{out.id}", now, {"message_id": out.id})
    live_feed.publish(session, "intake", out.id, message_out(out), at=now)
    return out


def deliver(session: Session, message_id: int, settings: Settings, *, now: dt.datetime) -> IntakeMessage | None:
    """Send one pending SMS answer; raises ``notifications.DeliveryError`` to be retried. The
    reference ``zongji-intake-<id>`` makes a repeated send a no-op at the gateway."""
    m = session.get(IntakeMessage, message_id)
    if m is None or m.state != "pending":
        return m
    if m.channel == Channel.APP:
        wechat_api.deliver(m, settings, now)
        live_feed.publish(session, "intake", m.id, message_out(m), at=now)
        return m
    if m.channel == Channel.EMAIL:
        meta = m.meta if isinstance(m.meta, dict) else {}
        headers = {k: v for k, v in (("In-Reply-To", meta.get("in_reply_to")),
                                      ("References", meta.get("references"))) if v}
        notifications.send_email(settings, to=m.sender, subject=meta.get("subject") or "Re: 您的来信", body=m.text,
                                 sender=settings.intake_mail_address or settings.mail_from,
                                 message_id=m.external_id, headers=headers)
        m.state, m.sent_at, m.error = "sent", now, None
        live_feed.publish(session, "intake", m.id, message_out(m), at=now)
        return m
    if not settings.sms_gateway_url:
        raise notifications.DeliveryError("SMS is not configured (sms_gateway_url)")
    notifications.HttpSmsGateway(settings.sms_gateway_url, settings.sms_gateway_token,
                                 settings.sms_timeout_seconds).send(to=re.sub(r"[^\d+]", "", m.sender), text=m.text,
                                                                    reference=f"zongji-intake-{m.id}")
    m.state, m.sent_at, m.error = "sent", now, None
    live_feed.publish(session, "intake", m.id, message_out(m), at=now)
    return m


def give_up(session: Session, message_id: int, error: str, now: dt.datetime) -> None:
    m = session.get(IntakeMessage, message_id)
    if m is not None and m.state == "pending":
        m.state, m.error = "failed", error[:1000]
        live_feed.publish(session, "intake", m.id, message_out(m), at=now)
