"""Messages delivered by SMS, e-mail and pager (issue 3, R-H5).

The operator (or the message form's "send by" choices) asks for a message to be sent by a
channel; this module stores a :class:`MessageSend` and schedules a job
``switchboard.message_send`` in the same transaction. The worker sends it through issue 4's
channels — the SMTP server (:func:`zongji.services.notifications.send_email`) and the SMS gateway
(:class:`zongji.services.notifications.HttpSmsGateway`); there is no second mailer. A pager is
an SMS to the person's pager number through the same gateway (paging providers offer an SMS
interface; docs/notifications.md).

Each job fires once (key ``message-send:<send id>:<attempt>``). Every attempt's result is kept
on the send (``attempts``, ``last_attempt_at``, ``error``): a failure schedules the next attempt
after ``notify_retry_seconds`` until ``notify_max_attempts``, then the send is ``failed``. Only a
successful send records a delivery (channel, at, address) on the message; a failed one leaves it
undelivered, so the re-raise timer raises it again and it stays in the handover.

Addresses: staff — ``Person.mobile`` / ``pager`` / ``email``; departments — the unit contact
(``UnitContact.sms_mobile`` / ``email``, issue 4); guests — ``Guest.mobile`` for SMS; an
address typed by the operator overrides these. A guest's address is never served unmasked.
"""

from __future__ import annotations

import datetime as dt
import re

from sqlalchemy.orm import Session

from zongji.domain import messages as msg_rules
from zongji.domain.guest_privacy import mask_address
from zongji.errors import Conflict, NotFound
from zongji.services import audit, notifications
from zongji.services.actors import actor, who
from zongji.errors import Invalid
from zongji.services.switchboard.message_records import (
    message_policy,
    publish_message,
    record_delivery,
    schedule_raise,
)
from zongji.settings import Settings
from zongji.store import jobs
from zongji.store.models import Guest, Person, User, utcnow
from zongji.store.switchboard_models import Message, MessageSend
from zongji.store.work_order_models import UnitContact

SEND_JOB = "switchboard.message_send"
SEND_CHANNELS = ("sms", "email", "pager")

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_PHONE = re.compile(r"^\+?[0-9]{3,20}$")


def _default_address(session: Session, m: Message, channel: str) -> str | None:
    if m.recipient_kind == "staff":
        p = session.get(Person, m.recipient_id) if m.recipient_id else None
        if p is None:
            return None
        return {"sms": p.mobile, "pager": p.pager, "email": p.email}.get(channel)
    if m.recipient_kind == "department":
        contact = session.get(UnitContact, m.recipient_id) if m.recipient_id else None
        if contact is None:
            return None
        return {"sms": contact.sms_mobile, "email": contact.email}.get(channel)
    if m.recipient_kind == "guest":
        g = session.get(Guest, m.recipient_id) if m.recipient_id else None
        return g.mobile if g is not None and channel == "sms" else None
    return None


def _clean_address(channel: str, address: str) -> str:
    address = address.strip()
    if channel == "email":
        if not _EMAIL.match(address) or len(address) > 200:
            raise Invalid(f"not an e-mail address: {address!r}", field="address")
        return address
    digits = re.sub(r"[ \-()]", "", address)
    if not _PHONE.match(digits):
        raise Invalid(f"not a phone or pager number: {address!r}", field="address")
    return digits


def request_send(session: Session, user: User | None, settings: Settings, message_id: int, *, channel: str,
                 address: str | None = None, at: dt.datetime | None = None) -> MessageSend:
    """Ask for a message to be sent by SMS, e-mail or pager (the worker sends it)."""
    now = at or utcnow()
    m = session.get(Message, message_id)
    if m is None:
        raise NotFound("no such message", field="message_id")
    if m.state in ("acknowledged", "void"):
        raise Conflict(f"the message is {m.state}: nothing to send", field="message_id")
    if channel not in SEND_CHANNELS:
        raise Invalid("expected sms, email or pager", field="channel")
    kind = msg_rules.RecipientKind(m.recipient_kind)
    if msg_rules.Channel(channel) not in msg_rules.CHANNELS_FOR[kind]:
        raise Invalid(f"{channel} is not used for a {kind} message", field="channel")
    if settings.message_require_read_back and m.read_back_at is None:
        raise Invalid("confirm the read-back before sending", field="read_back")
    if address and address.strip():
        addr = _clean_address(channel, address)
    else:
        found = _default_address(session, m, channel)
        if not found:
            what = {"sms": "mobile number", "email": "e-mail address", "pager": "pager number"}[channel]
            raise Invalid(f"the directory has no {what} for {m.recipient_label}: type one", field="address")
        addr = _clean_address(channel, found)
    if channel in ("sms", "pager") and not settings.sms_gateway_url:
        raise Invalid("SMS is not configured (ZONGJI_SMS_GATEWAY_URL)", field="channel")
    if channel == "email" and not settings.smtp_host:
        raise Invalid("e-mail is not configured (ZONGJI_SMTP_HOST)", field="channel")
    s = MessageSend(message_id=m.id, channel=channel, address=addr, requested_at=now, requested_by=who(user),
                    state="pending", attempts=0)
    session.add(s)
    session.flush()
    jobs.schedule(session, SEND_JOB, f"message-send:{s.id}:0", now, {"send_id": s.id})
    audit.record(session, actor=actor(user), user_id=user.id if user else None, action="send",
                 entity="message", entity_id=m.id, detail={"channel": channel, "send_id": s.id})
    session.expire(m, ["sends"])
    return s


def message_text(m: Message, settings: Settings) -> tuple[str, str]:
    """Subject and body of a message as sent (Chinese first, then English)."""
    taken = m.taken_at.astimezone(settings.tz).strftime("%Y-%m-%d %H:%M")
    urgent = "【急】" if m.urgent else ""
    subject = f"{urgent}留言 Message: {m.caller_name} {m.caller_number}"
    body = (f"{m.recipient_label}:\n{m.caller_name}({m.caller_number})来电留言：\n{m.content}\n"
            f"— {m.taken_by} {taken}\n\n"
            f"Message for {m.recipient_label} from {m.caller_name} ({m.caller_number}):\n{m.content}\n"
            f"— taken by {m.taken_by} at {taken}")
    return subject, body


def perform_send(session: Session, send_id: int, now: dt.datetime, settings: Settings) -> MessageSend | None:
    """The job: send once; record the result; schedule the next attempt or give up."""
    s = session.get(MessageSend, send_id)
    if s is None or s.state != "pending":
        return s
    m = s.message
    if m.state in ("acknowledged", "void"):
        s.state, s.error = "cancelled", f"message {m.state} before sending"
        return s
    subject, body = message_text(m, settings)
    s.attempts += 1
    s.last_attempt_at = now
    try:
        if s.channel == "email":
            s.gateway_id = notifications.send_email(settings, to=s.address, subject=subject, body=body)[:200]
        else:
            if not settings.sms_gateway_url:
                raise notifications.DeliveryError("SMS is not configured (sms_gateway_url)")
            gw = notifications.HttpSmsGateway(settings.sms_gateway_url, settings.sms_gateway_token,
                                              settings.sms_timeout_seconds)
            text = f"{subject}\n{m.content}\n— {m.taken_by}"
            s.gateway_id = gw.send(to=s.address, text=text[:500], reference=f"zongji-msg-{s.id}")[:200] or None
    except notifications.DeliveryError as exc:
        s.error = str(exc)[:1000]
        if s.attempts >= settings.notify_max_attempts:
            s.state = "failed"
            audit.record(session, actor="system", action="send_failed", entity="message", entity_id=m.id,
                         detail={"channel": s.channel, "send_id": s.id, "error": s.error})
            publish_message(session, m, settings.tz, send_failed=s.channel)
        else:
            jobs.schedule(session, SEND_JOB, f"message-send:{s.id}:{s.attempts}",
                          now + dt.timedelta(seconds=settings.notify_retry_seconds), {"send_id": s.id})
            publish_message(session, m, settings.tz)
        return s
    s.state, s.sent_at, s.error = "sent", now, None
    detail = mask_address(s.address, channel=s.channel) if m.recipient_kind == "guest" else s.address
    record_delivery(session, m, s.channel, now, by="system", detail=detail[:200])
    schedule_raise(session, m, message_policy(settings))
    publish_message(session, m, settings.tz)
    return s


def unavailable_channels(settings: Settings) -> dict[str, str]:
    """Channels that cannot be used here and why (the console shows them disabled with the
    reason, never lets a send fail later): ``not_configured`` when no SMS gateway (SMS, pager)
    or no SMTP server (e-mail) is set."""
    out: dict[str, str] = {}
    if not settings.sms_gateway_url:
        out["sms"] = out["pager"] = "not_configured"
    if not settings.smtp_host:
        out["email"] = "not_configured"
    return out


def channels_for(session: Session, m: Message) -> dict[str, str | None]:
    """For the console: which channels have a directory address (masked for guests)."""
    return channels_for_recipient(session, m.recipient_kind, m.recipient_id)


def channels_for_recipient(session: Session, recipient_kind: str, recipient_id: int | None) -> dict[str, str | None]:
    """The same before a message exists (the message form's "send by" choices)."""
    out: dict[str, str | None] = {}
    kind = msg_rules.RecipientKind(recipient_kind)
    probe = Message(recipient_kind=recipient_kind, recipient_id=recipient_id)
    for ch in SEND_CHANNELS:
        if msg_rules.Channel(ch) not in msg_rules.CHANNELS_FOR[kind]:
            continue
        addr = _default_address(session, probe, ch)
        out[ch] = (mask_address(addr, channel=ch) if kind is msg_rules.RecipientKind.GUEST else addr) if addr else None
    return out


__all__ = ["SEND_CHANNELS", "SEND_JOB", "channels_for", "channels_for_recipient", "perform_send", "request_send",
           "unavailable_channels"]
