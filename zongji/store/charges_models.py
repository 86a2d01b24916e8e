"""The call charges table (issue 13 point 4, R-H10, R-H14). Listed in ``zongji.store.schema``.

``CallCharge``: one row per outgoing call from a room's or a department's extension that went out
of the building, rated when the call ended (``call_id`` unique: rated once, whatever runs the
sweep), and per charged service request done by the guest-service centre (``request_id``
unique; kind ``service``: minibar, laundry, room service …). The amount is in fen. ``state`` follows ``zongji.domain.charges.posting``; ``reference``
is the PMS adapter's own id for the posting (the FIAS posting's P#).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import BigInteger, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from zongji.store.models import Base, BigId, utcnow


class CallCharge(Base):
    __tablename__ = "call_charges"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    # What is charged: a call, or a charged service request of the guest-service centre (R-G2).
    call_id: Mapped[int | None] = mapped_column(ForeignKey("calls.id"), unique=True)
    request_id: Mapped[int | None] = mapped_column(ForeignKey("gs_requests.id"), unique=True)
    # When the call rang (site-local day of the statistics), from which extension, to what.
    called_at: Mapped[dt.datetime] = mapped_column(index=True)
    extension: Mapped[str] = mapped_column(String(64))
    dialled: Mapped[str] = mapped_column(String(64))
    # free | local | mobile | ddd | idd | unknown (domain.charges.destination)
    kind: Mapped[str] = mapped_column(String(10))
    destination: Mapped[str | None] = mapped_column(String(100))
    rate_id: Mapped[int | None] = mapped_column(ForeignKey("long_distance_rates.id", ondelete="SET NULL"))
    talk_seconds: Mapped[int] = mapped_column(Integer)
    units: Mapped[int] = mapped_column(Integer, default=0)
    unit: Mapped[str] = mapped_column(String(12), default="minute")
    per_minute_fen: Mapped[int] = mapped_column(Integer, default=0)
    amount_fen: Mapped[int] = mapped_column(BigInteger, default=0)
    # Who pays: the guest of the room (room_number, stay_id) or a department.
    room_number: Mapped[str | None] = mapped_column(String(20), index=True)
    stay_id: Mapped[int | None] = mapped_column(ForeignKey("stays.id"), index=True)
    department_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id"), index=True)
    # A company extension's cost policy (R-C6): the person and the part they pay, in fen.
    person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"), index=True)
    person_fen: Mapped[int] = mapped_column(BigInteger, default=0)
    state: Mapped[str] = mapped_column(String(12))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_try_at: Mapped[dt.datetime | None]
    adapter: Mapped[str | None] = mapped_column(String(40))
    reference: Mapped[str | None] = mapped_column(String(64))
    reason: Mapped[str | None] = mapped_column(String(200))
    settled_by: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    posted_at: Mapped[dt.datetime | None]

    __table_args__ = (Index("ix_call_charges_state_id", "state", "id"),
                      Index("ix_call_charges_extension_called_at", "extension", "called_at"))


class CostPolicy(Base):
    """Who pays the calls of a company number and its monthly cap (R-C6; domain.charges.caps)."""

    __tablename__ = "cost_policies"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    number: Mapped[str] = mapped_column(String(64), unique=True)  # an extension or an enterprise mobile
    department_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id"))
    person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    split: Mapped[str] = mapped_column(String(10), default="unit")
    person_share_percent: Mapped[int] = mapped_column(Integer, default=0)
    monthly_cap_fen: Mapped[int | None] = mapped_column(BigInteger)
    warn_percent: Mapped[int] = mapped_column(Integer, default=80)
    barred: Mapped[bool] = mapped_column(default=False)
    barred_at: Mapped[dt.datetime | None]
    warned_month: Mapped[str | None] = mapped_column(String(7))
    lifted_month: Mapped[str | None] = mapped_column(String(7))
    updated_by: Mapped[str | None] = mapped_column(String(100))
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


__all__ = ["CallCharge", "CostPolicy"]
