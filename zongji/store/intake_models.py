"""Tables of the intake queue and its channels (issue 15). Listed in ``zongji.store.schema``.

- ``IntakeMessage``: one message in or out of a channel other than the phone. Inbound ones wait
  in the queue (``state="waiting"``, oldest first, with their first-response due time) until an
  operator makes an order of them, adds them to an order, or answers and closes them; outbound
  ones are replies (``pending`` → ``sent`` | ``failed`` for SMS; ``recorded`` where no adapter
  sends). ``order_id`` keeps the conversation on the order. ``(channel, external_id)`` is unique:
  a gateway's retried delivery is the same message.
- ``SmsPart``: a part of a long SMS until every part has come (``message_id`` set then).
- ``Open311Client``: a client application of the Open311 API with its ``api_key`` (hash only).
- ``IntakeMailbox``: how far IMAP polling of the hotline's mailbox has read.
- ``IntakeLookup``: one status look-up (/track's API, Open311 GET requests) in the last hour,
  counted per client address and per number looked up (keys kept as hashes only).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from zongji.store.models import Base, BigId, utcnow


class IntakeMessage(Base):
    __tablename__ = "intake_messages"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    channel: Mapped[str] = mapped_column(String(20))
    direction: Mapped[str] = mapped_column(String(3))  # "in" | "out"
    # in: "waiting" | "done"; out: "pending" | "sent" | "failed" | "recorded"
    state: Mapped[str] = mapped_column(String(10))
    sender: Mapped[str] = mapped_column(String(200), default="")  # in: who sent; out: to whom
    sender_digits: Mapped[str | None] = mapped_column(String(32), index=True)
    to_address: Mapped[str | None] = mapped_column(String(200))  # in: the number or address it was sent to
    client_address: Mapped[str | None] = mapped_column(String(64), index=True)  # web form: the sender's IP
    text: Mapped[str] = mapped_column(Text, default="")
    external_id: Mapped[str | None] = mapped_column(String(120))  # the gateway's / client's message id
    token: Mapped[str | None] = mapped_column(String(40), unique=True)  # Open311's token
    received_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    first_response_due_at: Mapped[dt.datetime | None]
    first_responded_at: Mapped[dt.datetime | None]
    handled_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # "order" (a new order), "added" (to an existing one), "answered" (from the knowledge base),
    # "status_query" (answered automatically)
    outcome: Mapped[str | None] = mapped_column(String(20))
    order_id: Mapped[int | None] = mapped_column(ForeignKey("work_orders.id", ondelete="SET NULL"), index=True)
    in_reply_to_id: Mapped[int | None] = mapped_column(ForeignKey("intake_messages.id"))
    knowledge_article_id: Mapped[int | None] = mapped_column(ForeignKey("kb_articles.id", ondelete="SET NULL"))
    client_id: Mapped[int | None] = mapped_column(ForeignKey("open311_clients.id"), index=True)
    meta: Mapped[dict[str, Any] | None]  # channel-specific fields (Open311: service_code, lat, long …)
    sent_at: Mapped[dt.datetime | None]
    error: Mapped[str | None] = mapped_column(Text)

    __table_args__ = (
        UniqueConstraint("channel", "external_id", name="uq_intake_messages_channel_external_id"),
        Index("ix_intake_messages_state_received", "state", "received_at"),
    )


class SmsPart(Base):
    __tablename__ = "sms_parts"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    external_id: Mapped[str] = mapped_column(String(120), unique=True)  # the gateway's id of this part
    sender: Mapped[str] = mapped_column(String(64))
    reference: Mapped[str] = mapped_column(String(20))
    part: Mapped[int] = mapped_column(Integer)
    total: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text, default="")
    to_address: Mapped[str | None] = mapped_column(String(200))
    received_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    message_id: Mapped[int | None] = mapped_column(ForeignKey("intake_messages.id", ondelete="SET NULL"))

    __table_args__ = (Index("ix_sms_parts_sender_reference", "sender", "reference"),)


class Open311Client(Base):
    __tablename__ = "open311_clients"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    api_key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    revoked_at: Mapped[dt.datetime | None]


class IntakeMailbox(Base):
    """Where IMAP polling of a mailbox stands: the mailbox's UIDVALIDITY and the last UID stored,
    written in the transaction that stores the messages (a crash re-reads, Message-IDs dedupe)."""

    __tablename__ = "intake_mailboxes"

    key: Mapped[str] = mapped_column(String(300), primary_key=True)  # user@host:port/mailbox
    uidvalidity: Mapped[int] = mapped_column(BigId, default=0)
    last_uid: Mapped[int] = mapped_column(BigId, default=0)
    polled_at: Mapped[dt.datetime | None]
    error: Mapped[str | None] = mapped_column(Text)


__all__ = ["IntakeMailbox", "IntakeMessage", "Open311Client", "SmsPart"]


class IntakeLookup(Base):
    __tablename__ = "intake_lookups"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    scope: Mapped[str] = mapped_column(String(10))  # "address" | "number"
    key_hash: Mapped[str] = mapped_column(String(64))  # sha256 of the address or number
    at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    __table_args__ = (Index("ix_intake_lookups_scope_key_at", "scope", "key_hash", "at"),)
