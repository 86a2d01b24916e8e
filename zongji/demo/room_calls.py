"""A week of guests' outgoing calls for the demo (``zongji demo`` on a new database), rated at
once, so that the call charges page shows charges on folios, a few the front desk must settle
(a room without a guest, a country missing from the rates table) and the IDD/DDD statistics
of each day. Deterministic (a fixed seed); never loaded by the tests' demo data."""

from __future__ import annotations

import datetime as dt
import random

from sqlalchemy import select
from sqlalchemy.orm import Session

from zongji.services.charges import policies, posting, rating
from zongji.services.charges.folio import build
from zongji.settings import Settings
from zongji.store.charges_models import CallCharge
from zongji.store.models import Call, Person, Room, Stay

_NUMBERS = [  # (number dialled, weight)
    ("00442071234567", 2), ("0012125550123", 3), ("0081312345678", 2), ("0085223456789", 3),
    ("01065529988", 4), ("02154321234", 4), ("075583218888", 3), ("13800138000", 5), ("83218765", 4),
    ("110", 1), ("8001234567", 1), ("0033142765432", 1),
]


def load_room_calls(session: Session, settings: Settings, *, now: dt.datetime, days: int = 7) -> int:
    """Add up to ten outgoing calls a day from rooms with guests (and two from empty rooms), then
    rate them; returns how many calls were added."""
    rnd = random.Random(20261205)
    stays = list(session.scalars(select(Stay).where(Stay.status == "in_house").order_by(Stay.id)))
    empty = list(session.scalars(select(Room).where(~Room.id.in_(select(Stay.room_id))).order_by(Room.id).limit(2)))
    if not stays:
        return 0
    numbers = [n for n, w in _NUMBERS for _ in range(w)]
    added = 0
    for day in range(days, -1, -1):
        for _ in range(10):
            stay = rnd.choice(stays)
            ringing = now - dt.timedelta(days=day, hours=rnd.uniform(0.3, 14))
            if ringing < stay.arrival or ringing > now - dt.timedelta(minutes=5):
                continue
            added += _add(session, stay.room.extension, rnd.choice(numbers), ringing, rnd)
    for room in empty:
        added += _add(session, room.extension, "02154321234", now - dt.timedelta(hours=rnd.uniform(2, 20)), rnd)
    # A department manager's desk phone: the unit pays 70 %, a cap of 300 yuan a month (R-C6).
    manager = session.scalar(select(Person).where(Person.is_manager.is_(True), Person.extension.is_not(None),
                                                  Person.department_id.is_not(None)).order_by(Person.id).limit(1))
    if manager is not None:
        policies.save(session, settings, manager.extension, split="share", person_share_percent=30,
                      monthly_cap_fen=30000, warn_percent=None, actor="demo", now=now)
        for day in range(days, -1, -1):
            added += _add(session, manager.extension, rnd.choice(numbers[:9]),
                          now - dt.timedelta(days=day, hours=rnd.uniform(1, 9)), rnd)
    session.flush()
    wide = settings.model_copy(update={"charges_lookback_hours": 24 * (days + 1), "charges_batch": 5000})
    rating.rate_ended(session, wide, now)
    posting.post_due(session, build(settings), settings, now)
    # Without a PMS the front desk posts charges by hand: those of earlier days are done.
    today = dt.datetime.combine(now.astimezone(settings.tz).date(), dt.time(0), tzinfo=settings.tz)
    for charge in session.scalars(select(CallCharge).where(CallCharge.state == "refused",
                                                           CallCharge.called_at < today)):
        posting.act(session, charge.id, "post_by_hand", actor="前台", reason=None, now=now)
    return added


def _add(session: Session, extension: str, number: str, ringing: dt.datetime, rnd: random.Random) -> int:
    answered = rnd.random() > 0.15
    talk = round(rnd.lognormvariate(4.8, 0.8)) if answered else None
    ended = ringing + dt.timedelta(seconds=(talk or 0) + rnd.uniform(5, 25))
    session.add(Call(direction="out", calling_number=extension, called_number=number, state="ended",
                     ringing_at=ringing, answered_at=ringing + dt.timedelta(seconds=8) if answered else None,
                     ended_at=ended, talk_seconds=talk, outcome="answered" if answered else "missed",
                     caller_kind="unknown", closed_at=ended))
    return 1
