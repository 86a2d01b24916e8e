"""Answers to a sender on the channel the message came by. An SMS answer is stored ``pending``
and sent by the job ``intake.send`` through the SMS adapter (``notifications.HttpSmsGateway``,
the gateway contract of docs/notifications.md) exactly once per answer, retried while the gateway
fails; other channels have no adapter here yet, so the answer is ``recorded`` on the conversation
for the operator to give by that channel."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from sqlalchemy.orm import Session

from zongji.domain.intake.channels import Channel
from zongji.services import live_feed, notifications
from zongji.settings import Settings
from zongji.store import jobs
from zongji.store.intake_models import IntakeMessage

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
    sms = to.channel == Channel.SMS
    out = IntakeMessage(channel=to.channel, direction="out", state="pending" if sms else "recorded",
                        sender=to.sender, sender_digits=to.sender_digits, text=text.strip()[:SMS_TEXT_MAX if sms else 4000],
                        received_at=now, order_id=order_id if order_id is not None else to.order_id,
                        in_reply_to_id=to.id, handled_by_id=user_id, client_id=to.client_id)
    session.add(out)
    session.flush()
    if sms:
        jobs.schedule(session, SEND_KIND, f"intake-send:{out.id}", now, {"message_id": out.id})
    live_feed.publish(session, "intake", out.id, message_out(out), at=now)
    return out


def deliver(session: Session, message_id: int, settings: Settings, *, now: dt.datetime) -> IntakeMessage | None:
    """Send one pending SMS answer; raises ``notifications.DeliveryError`` to be retried. The
    reference ``zongji-intake-<id>`` makes a repeated send a no-op at the gateway."""
    m = session.get(IntakeMessage, message_id)
    if m is None or m.state != "pending":
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
