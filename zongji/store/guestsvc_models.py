"""Tables of the guest-service centre (客房服务中心, issue 13, points 1–3). Listed in
``zongji.store.schema``.

- ``GsItem``: the service catalogue (item, team, kind, charged, target minutes; R-G2).
- ``GsCover``: the roster — which attendant covers which floors in which shift of which day.
- ``GsRequest``: a guest's request, with its room (never its guest's name), who took it, the
  attendant it went to, its times, the follow-up's answer (R-G1), and per kind: a loan's due time
  and return check, laundry's delivery deadline, room service's dishes collection.
- ``GsSignIn``: staff sign-in per shift; ``GsKey``: work keys issued and returned;
  ``GsLostItem``: lost and found (R-G4).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import BigInteger, Boolean, Date, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from zongji.store.models import Base, BigId, Room, utcnow


class GsItem(Base):
    __tablename__ = "gs_items"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    name_zh: Mapped[str] = mapped_column(String(80))
    name_en: Mapped[str] = mapped_column(String(80))
    team: Mapped[str] = mapped_column(String(20))  # domain.guestsvc.catalogue.Team
    kind: Mapped[str] = mapped_column(String(20), default="service")  # …catalogue.Kind
    charged: Mapped[bool] = mapped_column(Boolean, default=False)
    # The price of one, in fen, for a charged item with a fixed price (None: priced when done).
    price_fen: Mapped[int | None] = mapped_column(BigInteger)
    target_minutes: Mapped[int] = mapped_column(Integer)
    position: Mapped[int] = mapped_column(Integer, default=0)
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class GsCover(Base):
    __tablename__ = "gs_covers"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    day: Mapped[dt.date] = mapped_column(Date)
    shift: Mapped[int] = mapped_column(Integer)  # 0 morning, 1 afternoon, 2 night (settings.shift_starts)
    attendant_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    floors: Mapped[str] = mapped_column(String(200))  # "3-5,7"

    __table_args__ = (Index("ix_gs_covers_day_shift", "day", "shift"),)


class GsRequest(Base):
    __tablename__ = "gs_requests"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("gs_items.id"))
    item_name: Mapped[str] = mapped_column(String(80))  # as it was when asked
    team: Mapped[str] = mapped_column(String(20))
    kind: Mapped[str] = mapped_column(String(20))
    charged: Mapped[bool] = mapped_column(Boolean, default=False)
    target_minutes: Mapped[int] = mapped_column(Integer)
    quantity: Mapped[int] = mapped_column(Integer, default=1)
    # What a charged request costs the guest, in fen: given when done, else price × quantity.
    amount_fen: Mapped[int | None] = mapped_column(BigInteger)
    note: Mapped[str] = mapped_column(Text, default="")
    room_id: Mapped[int] = mapped_column(ForeignKey("rooms.id"))
    stay_id: Mapped[int | None] = mapped_column(ForeignKey("stays.id"), index=True)
    call_id: Mapped[int | None] = mapped_column(ForeignKey("calls.id"))
    # "room" (typed by the centre, or the guest called from the room) or "guest" (the caller was
    # identified as the guest by another number): then operators never see the room (R-H4).
    addressed: Mapped[str] = mapped_column(String(10), default="room")
    state: Mapped[str] = mapped_column(String(20), default="open", index=True)
    attendant_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow, index=True)
    created_by: Mapped[str] = mapped_column(String(120))
    accepted_at: Mapped[dt.datetime | None]
    done_at: Mapped[dt.datetime | None]
    done_by: Mapped[str | None] = mapped_column(String(120))
    alerted_at: Mapped[dt.datetime | None]  # the centre alerted before the target
    followed_up_at: Mapped[dt.datetime | None]
    follow_up_result: Mapped[str | None] = mapped_column(String(20))
    follow_up_note: Mapped[str | None] = mapped_column(Text)
    followed_up_by: Mapped[str | None] = mapped_column(String(120))
    # Loans: due back, back when, the return check; flagged to the front desk at check-out.
    due_back_at: Mapped[dt.datetime | None]
    returned_at: Mapped[dt.datetime | None]
    return_check: Mapped[str | None] = mapped_column(String(20))
    checkout_flagged_at: Mapped[dt.datetime | None]
    # Laundry: delivered by (the same day); room service: dishes collected.
    deliver_by: Mapped[dt.datetime | None]
    dishes_collected_at: Mapped[dt.datetime | None]

    room: Mapped[Room] = relationship(lazy="joined")

    __table_args__ = (Index("ix_gs_requests_kind_state", "kind", "state"),)


class GsSignIn(Base):
    __tablename__ = "gs_sign_ins"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    day: Mapped[dt.date] = mapped_column(Date)
    shift: Mapped[int] = mapped_column(Integer)
    signed_in_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    signed_out_at: Mapped[dt.datetime | None]

    __table_args__ = (Index("ix_gs_sign_ins_day_shift", "day", "shift"),)


class GsKey(Base):
    __tablename__ = "gs_keys"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    key_label: Mapped[str] = mapped_column(String(80))  # "12楼工作钥匙"
    holder: Mapped[str] = mapped_column(String(100))
    issued_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    issued_by: Mapped[str] = mapped_column(String(120))
    shift_ends_at: Mapped[dt.datetime]
    returned_at: Mapped[dt.datetime | None] = mapped_column(index=True)
    returned_by: Mapped[str | None] = mapped_column(String(120))
    alerted_at: Mapped[dt.datetime | None]


class GsLostItem(Base):
    __tablename__ = "gs_lost_items"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    description: Mapped[str] = mapped_column(String(200))
    found_where: Mapped[str] = mapped_column(String(120))
    found_by: Mapped[str] = mapped_column(String(100))
    found_at: Mapped[dt.datetime]
    kept_where: Mapped[str] = mapped_column(String(120))
    dispose_after: Mapped[dt.date] = mapped_column(Date)
    recorded_by: Mapped[str] = mapped_column(String(120))
    returned_to: Mapped[str | None] = mapped_column(String(120))
    returned_at: Mapped[dt.datetime | None]
    disposed_at: Mapped[dt.datetime | None]
