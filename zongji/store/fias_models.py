"""Tables of the hotel PMS link over FIAS (issue 16).

- ``FiasLink``: the link's status, written by the ``zongji fias`` process (state, since when,
  last record each way, last error): the admin page's status view and the down alert read it.
- ``FiasOutbox``: records to send to the PMS, written in the transaction of the change they
  report; sent in ``id`` order, each marked ``sent`` once written to the socket (an outbox).
- ``FiasReservation``: the PMS's reservation number (``G#``) of each stay the PMS created, so a
  repeated GI (a resync, a resend after a broken link) finds the stay instead of making another.
- ``FiasWakeup``: the wake-ups the PMS asked for (WR) or was told of, and whether the WA with
  their result has been queued.
- ``FiasPosting``: charges to post to a guest's folio (PS), each once per ``source`` (the charge
  it comes from), with the PMS's answer (PA): queued, sent, posted or refused.
- ``FiasRoom``: the DND and lamp the PMS last heard of for a room (sent or received): Zongji
  reports a change only when its own state differs; and whether the PMS wants the lamp lit.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import BigInteger, Boolean, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from zongji.store.base import Base, BigId, utcnow


class FiasLink(Base):
    __tablename__ = "fias_links"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    name: Mapped[str] = mapped_column(String(40), unique=True)
    # down | connecting | up
    state: Mapped[str] = mapped_column(String(20), default="down")
    mode: Mapped[str] = mapped_column(String(10), default="client")
    peer: Mapped[str | None] = mapped_column(String(200))
    up_since: Mapped[dt.datetime | None]
    down_since: Mapped[dt.datetime | None]
    last_received_at: Mapped[dt.datetime | None]
    last_sent_at: Mapped[dt.datetime | None]
    last_error: Mapped[str | None] = mapped_column(Text)
    # A database resync (DR → DS … DE): started when DS arrived, done when DE did.
    resync_started_at: Mapped[dt.datetime | None]
    resync_done_at: Mapped[dt.datetime | None]
    # The down alert was raised for the current outage (cleared when the link is up).
    alerted_at: Mapped[dt.datetime | None]
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class FiasOutbox(Base):
    __tablename__ = "fias_outbox"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    kind: Mapped[str] = mapped_column(String(2))
    record: Mapped[str] = mapped_column(Text)
    # pending | sent
    state: Mapped[str] = mapped_column(String(10), default="pending")
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[dt.datetime | None]

    __table_args__ = (Index("ix_fias_outbox_state_id", "state", "id"),)


class FiasReservation(Base):
    __tablename__ = "fias_reservations"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    reservation: Mapped[str] = mapped_column(String(40), unique=True)
    stay_id: Mapped[int] = mapped_column(ForeignKey("stays.id"), index=True)
    guest_id: Mapped[int] = mapped_column(ForeignKey("guests.id"))
    room_number: Mapped[str] = mapped_column(String(20))
    # Last time a GI / GC named it: a resync checks out in-house stays it did not name.
    seen_at: Mapped[dt.datetime]


class FiasWakeup(Base):
    __tablename__ = "fias_wakeups"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    wakeup_id: Mapped[int] = mapped_column(ForeignKey("wakeups.id"), unique=True)
    # pms (a WR) | zongji (booked at the switchboard, told to the PMS)
    origin: Mapped[str] = mapped_column(String(10))
    room_number: Mapped[str] = mapped_column(String(20))
    wake_at: Mapped[dt.datetime]
    # The WA status queued for the PMS (OK, NR, BY, CL), once the wake-up ended.
    answer: Mapped[str | None] = mapped_column(String(2))
    answered_at: Mapped[dt.datetime | None]

    __table_args__ = (Index("ix_fias_wakeups_open", "answer", "wakeup_id"),)


class FiasRoom(Base):
    __tablename__ = "fias_rooms"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    room_number: Mapped[str] = mapped_column(String(20), unique=True)
    dnd: Mapped[bool | None] = mapped_column(Boolean)
    lamp: Mapped[bool | None] = mapped_column(Boolean)
    # The PMS asked for the lamp (a message waits in the PMS): kept lit while Zongji's own
    # messages come and go.
    pms_lamp: Mapped[bool] = mapped_column(Boolean, default=False)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class FiasPosting(Base):
    __tablename__ = "fias_postings"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)  # the PS's posting number P#
    # What the charge is, e.g. "call:123": one posting per charge, however often it is posted.
    source: Mapped[str] = mapped_column(String(100), unique=True)
    room_number: Mapped[str] = mapped_column(String(20))
    reservation: Mapped[str | None] = mapped_column(String(40))
    amount_minor: Mapped[int] = mapped_column(BigInteger)  # fen
    text: Mapped[str | None] = mapped_column(String(200))
    dialled: Mapped[str | None] = mapped_column(String(40))
    duration_seconds: Mapped[int | None] = mapped_column(Integer)
    # queued | sent (waiting for PA) | posted | refused
    state: Mapped[str] = mapped_column(String(10), default="queued")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_try_at: Mapped[dt.datetime | None]
    answer: Mapped[str | None] = mapped_column(String(4))
    answer_text: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[dt.datetime | None]
    answered_at: Mapped[dt.datetime | None]

    __table_args__ = (Index("ix_fias_postings_state_id", "state", "id"),)
