"""E-mail into the intake queue (issue 15, point 3): the hotline's mailbox polled over IMAP.

Each poll reads the messages after the last UID stored (``IntakeMailbox``, in the same
transaction as the messages: a crash re-reads, and the Message-ID makes a message stored once).
A message is decoded (``domain.intake.mail``: GB2312/GBK/GB18030 and UTF-8 bodies and file names,
HTML reduced to text); an automatic one (auto-reply, out-of-office, bounce) is recorded and never
queued; attachments are kept under the data directory within the limits orders have
(``attachment_max_bytes`` each, ``attachments_per_order_max``) and go onto the order it becomes or
joins; a reply to one of our answers (In-Reply-To / References) comes back linked to its order.
Answers go out by SMTP from ``intake_mail_address`` with In-Reply-To and References set, so the
citizen's client threads them."""

from __future__ import annotations

import datetime as dt
import imaplib
import ssl
import uuid
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from zongji.domain.intake.channels import Channel
from zongji.domain.intake.mail import parse
from zongji.services import live_feed
from zongji.services.intake import queue, replies
from zongji.settings import Settings
from zongji.store import jobs
from zongji.store.intake_models import IntakeMailbox, IntakeMessage
from zongji.store.models import Job

POLL_JOB = "intake.imap_poll"
BATCH = 50


class MailboxError(Exception):
    """The mailbox could not be read (the next poll tries again)."""


def attachments_dir(data_dir: Path) -> Path:
    d = Path(data_dir) / "intake"
    d.mkdir(parents=True, exist_ok=True)
    return d


def _keep_attachments(settings: Settings, mail) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    kept: list[dict[str, Any]] = []
    refused: list[dict[str, Any]] = []
    for a in mail.attachments:
        name = Path(a.filename or "attachment").name[:200] or "attachment"
        if not a.data:
            continue
        if len(a.data) > settings.attachment_max_bytes:
            refused.append({"filename": name, "size": len(a.data), "why": "too_large"})
            continue
        if len(kept) >= settings.attachments_per_order_max:
            refused.append({"filename": name, "size": len(a.data), "why": "too_many"})
            continue
        stored = uuid.uuid4().hex
        (attachments_dir(settings.data_dir) / stored).write_bytes(a.data)
        kept.append({"filename": name, "content_type": a.content_type[:100], "size": len(a.data), "stored": stored})
    return kept, refused


def accept(session: Session, settings: Settings, raw: bytes, *, now: dt.datetime,
           fallback_id: str) -> tuple[IntakeMessage | None, str]:
    """Store one inbound e-mail; ``(message, what)`` with what = "queued", "duplicate",
    "automatic" or "no_sender"."""
    mail = parse(raw)
    external_id = (mail.message_id or fallback_id)[:120]
    old = session.scalar(select(IntakeMessage).where(IntakeMessage.channel == str(Channel.EMAIL),
                                                    IntakeMessage.external_id == external_id))
    if old is not None:
        return old, "duplicate"
    if not mail.from_address:
        return None, "no_sender"
    base_meta: dict[str, Any] = {"subject": mail.subject, "name": mail.from_name or None,
                                 "message_id": mail.message_id, "references": mail.in_reply_to[:20]}
    if mail.automatic:
        m = IntakeMessage(channel=str(Channel.EMAIL), direction="in", state="done", outcome="automatic",
                          sender=mail.from_address[:200], text=(mail.text or mail.subject)[:settings.intake_text_max_chars],
                          external_id=external_id, received_at=now, meta={**base_meta, "automatic": mail.automatic})
        session.add(m)
        session.flush()
        return m, "automatic"
    text = "\n\n".join(x for x in (mail.subject, mail.text) if x).strip() or "（附件）"
    limit = settings.intake_text_max_chars
    if len(text) > limit:
        text = text[: limit - 6] + "（以下略）"
    kept, refused = _keep_attachments(settings, mail)
    order_id = None
    if mail.in_reply_to:
        order_id = session.scalar(select(IntakeMessage.order_id).where(
            IntakeMessage.channel == str(Channel.EMAIL), IntakeMessage.external_id.in_(mail.in_reply_to[:50]),
            IntakeMessage.order_id.is_not(None)).limit(1))
    m, dup = queue.receive(session, settings, channel=Channel.EMAIL, sender=mail.from_address, text=text, now=now,
                           external_id=external_id,
                           meta={**base_meta, "attachments": kept, "attachments_refused": refused})
    if dup:
        return m, "duplicate"
    if order_id is not None:
        m.order_id = order_id  # a reply in the thread of an order: it comes back linked to it
        live_feed.publish(session, "intake", m.id, replies.message_out(m, now), at=now)
    return m, "queued"


def mailbox_key(settings: Settings) -> str:
    return f"{settings.intake_imap_username}@{settings.intake_imap_host}:{settings.intake_imap_port}/" \
           f"{settings.intake_imap_mailbox}"[:300]


def _connect(settings: Settings) -> imaplib.IMAP4:
    host, port, timeout = settings.intake_imap_host, settings.intake_imap_port, settings.intake_imap_timeout_seconds
    if settings.intake_imap_ssl:
        conn: imaplib.IMAP4 = imaplib.IMAP4_SSL(host, port, ssl_context=ssl.create_default_context(), timeout=timeout)
    else:
        conn = imaplib.IMAP4(host, port, timeout=timeout)
        if settings.intake_imap_starttls:
            conn.starttls(ssl.create_default_context())
    conn.login(settings.intake_imap_username, settings.intake_imap_password)
    return conn


def poll(session: Session, settings: Settings, *, now: dt.datetime) -> dict[str, int]:
    """Read the mailbox's new messages into the queue (at most ``BATCH`` a poll); counts by outcome."""
    if not settings.intake_imap_host:
        return {}
    key = mailbox_key(settings)
    state = session.get(IntakeMailbox, key)
    if state is None:
        state = IntakeMailbox(key=key, uidvalidity=0, last_uid=0)
        session.add(state)
    counts: dict[str, int] = {}
    try:
        conn = _connect(settings)
        try:
            typ, _ = conn.select(settings.intake_imap_mailbox, readonly=True)
            if typ != "OK":
                raise MailboxError(f"cannot open mailbox {settings.intake_imap_mailbox!r}")
            validity = int((conn.response("UIDVALIDITY")[1] or [b"0"])[0] or 0)
            if validity != state.uidvalidity:  # a new mailbox (or rebuilt): read it from the start
                state.uidvalidity, state.last_uid = validity, 0
            typ, data = conn.uid("SEARCH", None, f"UID {state.last_uid + 1}:*")
            uids = sorted(int(u) for u in (data[0] or b"").split() if int(u) > state.last_uid)[:BATCH]
            for uid in uids:
                typ, parts = conn.uid("FETCH", str(uid), "(BODY.PEEK[])")
                raw = next((p[1] for p in parts if isinstance(p, tuple) and len(p) > 1), None)
                if typ == "OK" and raw:
                    _, what = accept(session, settings, raw, now=now, fallback_id=f"imap:{validity}:{uid}")
                    counts[what] = counts.get(what, 0) + 1
                state.last_uid = uid
        finally:
            try:
                conn.logout()
            except (OSError, imaplib.IMAP4.error):
                pass
    except (OSError, imaplib.IMAP4.error) as e:
        state.polled_at, state.error = now, f"IMAP {settings.intake_imap_host}: {e}"[:1000]
        raise MailboxError(state.error) from e
    state.polled_at, state.error = now, None
    return counts


def ensure_poll(session: Session, now: dt.datetime, settings: Settings, *, soon: bool = False) -> None:
    """Keep one poll scheduled every ``intake_imap_poll_seconds`` (when a mailbox is set)."""
    if not settings.intake_imap_host:
        return
    period = max(1.0, float(settings.intake_imap_poll_seconds))
    due = now if soon else dt.datetime.fromtimestamp((now.timestamp() // period + 1) * period, dt.UTC)
    jobs.schedule(session, POLL_JOB, f"intake-imap:{due.isoformat()}", due, {})
    session.execute(Job.__table__.delete().where(Job.kind == POLL_JOB, Job.state == "done",
                                                 Job.finished_at < now - dt.timedelta(days=1)))
