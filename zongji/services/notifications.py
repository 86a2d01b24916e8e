"""Notifications about work orders: in the console, by e-mail (SMTP) and by SMS (issue 4).

``notify(...)`` is called inside the transaction of the change it reports. It writes:

* a console notification (``channel="console"``, delivered at once) and a
  ``FeedItem(topic="notification")`` so consoles and the units' portal see it without a reload;
* for a unit with contacts (``UnitContact``): an e-mail and/or SMS notification, ``pending``,
  and a job ``notify.send`` keyed by the notification id, so the worker sends it exactly once
  per notification (retried with a delay while the server or gateway fails).

E-mail goes through a real SMTP server (``smtplib``; settings ``smtp_*``). SMS goes through the
HTTP JSON gateway contract in docs/notifications.md (``HttpSmsGateway``); an in-repo double of
the gateway is ``zongji.demo.sms_gateway_double``. Sending is at-least-once: a crash between
the server's acceptance and our commit can repeat one message.
"""

from __future__ import annotations

import datetime as dt
import smtplib
from email.message import EmailMessage
from email.utils import make_msgid
from typing import Any

import httpx
from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from zongji.errors import NotFound
from zongji.services import live_feed
from zongji.settings import Settings
from zongji.store import jobs
from zongji.store.models import utcnow
from zongji.store.work_order_models import Notification, UnitContact

class DeliveryError(Exception):
    """The server or gateway did not accept the message (the job retries)."""


def notification_out(n: Notification) -> dict[str, Any]:
    return {
        "id": n.id, "at": n.at.isoformat(), "channel": n.channel, "user_id": n.user_id, "unit_id": n.unit_id,
        "role": n.role, "order_id": n.order_id, "kind": n.kind, "subject": n.subject, "body": n.body,
        "state": n.state, "read_at": n.read_at.isoformat() if n.read_at else None,
    }


def notify(
    session: Session,
    *,
    kind: str,
    subject: str,
    body: str = "",
    order_id: int | None = None,
    order_number: str | None = None,
    unit_id: int | None = None,
    user_id: int | None = None,
    role: str | None = None,
    now: dt.datetime | None = None,
    external: bool = True,
) -> Notification:
    """Notify a unit, a person or everyone with a role. Returns the console notification."""
    now = now or utcnow()
    console = Notification(at=now, channel="console", user_id=user_id, unit_id=unit_id, role=role,
                           order_id=order_id, kind=kind, subject=subject, body=body, state="sent", sent_at=now)
    session.add(console)
    session.flush()
    payload = notification_out(console) | {"order_number": order_number}
    live_feed.publish(session, "notification", console.id, payload, at=now)
    if external and unit_id is not None:
        contact = session.get(UnitContact, unit_id)
        if contact is not None:
            for channel, address in (("email", contact.email), ("sms", contact.sms_mobile)):
                if address:
                    n = Notification(at=now, channel=channel, unit_id=unit_id, order_id=order_id, kind=kind,
                                     subject=subject, body=body, address=address, state="pending")
                    session.add(n)
                    session.flush()
                    jobs.schedule(session, "notify.send", f"notify:{n.id}", now, {"notification_id": n.id})
    return console


def visible_to(user_id: int, role: str, unit_id: int | None):
    """SQL condition: console notifications addressed to this person, their role or their unit."""
    conds = [Notification.user_id == user_id, (Notification.role == role) & Notification.user_id.is_(None)]
    if unit_id is not None:
        conds.append((Notification.unit_id == unit_id) & Notification.user_id.is_(None))
    return (Notification.channel == "console") & or_(*conds)


def list_for(session: Session, *, user_id: int, role: str, unit_id: int | None, unread_only: bool = False,
             limit: int = 50) -> list[Notification]:
    q = select(Notification).where(visible_to(user_id, role, unit_id))
    if unread_only:
        q = q.where(Notification.read_at.is_(None))
    return list(session.scalars(q.order_by(Notification.at.desc(), Notification.id.desc()).limit(limit)))


# --------------------------------------------------------------------------- delivery


def mark_read(session: Session, notification_id: int, *, user_id: int, role: str, unit_id: int | None,
              now: dt.datetime | None = None) -> None:
    """Mark one of the user's notifications read; one they may not see is "not found"."""
    n = session.scalar(select(Notification).where(Notification.id == notification_id,
                                                  visible_to(user_id, role, unit_id)))
    if n is None:
        raise NotFound("no such notification", field="notification_id")
    if n.read_at is None:
        n.read_at = now or utcnow()


def send_email(settings: Settings, *, to: str, subject: str, body: str, sender: str | None = None,
               message_id: str | None = None, headers: dict[str, str] | None = None) -> str:
    """Send one message through the configured SMTP server; returns its Message-ID. ``headers``:
    more headers (a reply's In-Reply-To and References)."""
    if not settings.smtp_host:
        raise DeliveryError("e-mail is not configured (smtp_host)")
    msg = EmailMessage()
    msg["From"] = sender or settings.mail_from
    msg["To"] = to
    msg["Subject"] = subject
    msg["Message-ID"] = message_id or make_msgid(domain="zongji")
    for name, value in (headers or {}).items():
        msg[name] = value
    msg.set_content(body or subject)
    try:
        with smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=settings.smtp_timeout_seconds) as smtp:
            if settings.smtp_starttls:
                smtp.starttls()
            if settings.smtp_username:
                smtp.login(settings.smtp_username, settings.smtp_password)
            smtp.send_message(msg)
    except (OSError, smtplib.SMTPException) as e:
        raise DeliveryError(f"SMTP: {e}") from e
    return str(msg["Message-ID"])


class HttpSmsGateway:
    """The SMS adapter: ``POST {url}`` with ``Authorization: Bearer <token>`` and JSON
    ``{"to", "text", "reference"}``; the gateway answers 202 ``{"id", "status": "accepted"}``
    (docs/notifications.md). ``reference`` makes a repeated send a no-op at the gateway."""

    def __init__(self, url: str, token: str = "", timeout: float = 10):
        self.url, self.token, self.timeout = url, token, timeout

    def send(self, *, to: str, text: str, reference: str) -> str:
        headers = {"Authorization": f"Bearer {self.token}"} if self.token else {}
        try:
            r = httpx.post(self.url, json={"to": to, "text": text, "reference": reference}, headers=headers,
                           timeout=self.timeout)
        except httpx.HTTPError as e:
            raise DeliveryError(f"SMS gateway unreachable: {e}") from e
        if r.status_code not in (200, 202):
            raise DeliveryError(f"SMS gateway answered {r.status_code}: {r.text[:200]}")
        try:
            data = r.json()
        except ValueError:
            raise DeliveryError("SMS gateway answered without JSON") from None
        if data.get("status") not in ("accepted", "duplicate"):
            raise DeliveryError(f"SMS gateway refused: {data}")
        return str(data.get("id", ""))


def deliver(session: Session, notification_id: int, settings: Settings, *, now: dt.datetime) -> Notification | None:
    """Send one pending e-mail/SMS notification; raises DeliveryError to be retried."""
    n = session.get(Notification, notification_id)
    if n is None or n.state != "pending":
        return n
    text = f"{n.subject}\n\n{n.body}".strip()
    if n.channel == "email":
        send_email(settings, to=n.address or "", subject=n.subject, body=n.body or n.subject)
    elif n.channel == "sms":
        if not settings.sms_gateway_url:
            raise DeliveryError("SMS is not configured (sms_gateway_url)")
        HttpSmsGateway(settings.sms_gateway_url, settings.sms_gateway_token, settings.sms_timeout_seconds).send(
            to=n.address or "", text=text[:500], reference=f"zongji-{n.id}")
    n.state = "sent"
    n.sent_at = now
    n.error = None
    return n
