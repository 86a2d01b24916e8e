"""Eight weeks of the guest-service centre's past requests and of staff calling the switchboard,
for the demo (``zongji demo`` on a new database), so that the centre's analysis
(``/guestsvc/analysis``, R-G3) shows trends. Deterministic (a fixed seed), inserted in bulk;
never loaded by the tests' demo data."""

from __future__ import annotations

import datetime as dt
import math
import random

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from zongji.store.guestsvc_models import GsItem, GsRequest
from zongji.store.models import Call, Person, Room

# item name → requests a day (on average)
_DAILY = {"加毛巾": 6, "客房清扫": 4, "开夜床": 3, "借转换插头": 2, "擦鞋": 1.5, "送餐服务": 3, "空调/灯具维修": 1.5,
          "洗衣服务": 2}
_STAFF_CATEGORIES = (("information", 5), ("transfer_request", 3), ("internal", 2), ("other", 1))


def load_request_history(session: Session, *, now: dt.datetime, weeks: int = 8) -> int:
    rnd = random.Random(20261206)
    items = {i.name_zh: i for i in session.scalars(select(GsItem))}
    rooms = list(session.scalars(select(Room.id).order_by(Room.id)))
    staff = list(session.scalars(select(Person.extension).where(Person.extension.is_not(None)).order_by(Person.id)))
    if not items or not rooms:
        return 0
    rows, calls = [], []
    for day in range(weeks * 7, 0, -1):
        base = now - dt.timedelta(days=day)
        busy = 1.0 + 0.3 * (base.weekday() >= 4)  # weekends are busier in a hotel
        for name, per_day in _DAILY.items():
            item = items.get(name)
            if item is None:
                continue
            for _ in range(_poisson(rnd, per_day * busy)):
                created = base.replace(hour=0, minute=0, second=0, microsecond=0) + dt.timedelta(hours=rnd.uniform(7, 23))
                accept = rnd.lognormvariate(1.5, 0.6)
                done = accept + rnd.uniform(5, 30)
                follow = rnd.random() < 0.6
                rows.append({"item_id": item.id, "item_name": item.name_zh, "team": item.team, "kind": item.kind,
                             "charged": item.charged, "target_minutes": item.target_minutes, "quantity": 1,
                             "note": "", "room_id": rnd.choice(rooms), "addressed": "room", "state": "done",
                             "created_at": created, "created_by": "demo",
                             "accepted_at": created + dt.timedelta(minutes=accept),
                             "done_at": created + dt.timedelta(minutes=done), "done_by": "demo",
                             "followed_up_at": created + dt.timedelta(minutes=done + 20) if follow else None,
                             "follow_up_result": ("satisfied" if rnd.random() < 0.88 else "not_satisfied") if follow else None,
                             "returned_at": created + dt.timedelta(hours=20) if item.kind == "loan" else None})
        for cat, per_day in _STAFF_CATEGORIES:
            for _ in range(_poisson(rnd, per_day)):
                ringing = base.replace(hour=0, minute=0, second=0, microsecond=0) + dt.timedelta(hours=rnd.uniform(8, 20))
                calls.append({"direction": "internal", "calling_number": rnd.choice(staff) if staff else "6000",
                              "called_number": "8000", "state": "ended", "ringing_at": ringing,
                              "answered_at": ringing + dt.timedelta(seconds=4),
                              "ended_at": ringing + dt.timedelta(seconds=rnd.uniform(30, 200)),
                              "caller_kind": "staff", "category": cat, "outcome": "answered",
                              "closed_at": ringing + dt.timedelta(seconds=240)})
    for i in range(0, len(rows), 2000):
        session.execute(insert(GsRequest), rows[i:i + 2000])
    if calls:
        session.execute(insert(Call), calls)
    return len(rows)


def _poisson(rnd: random.Random, lam: float) -> int:
    threshold, k, p = math.exp(-lam), 0, 1.0
    while True:
        p *= rnd.random()
        if p <= threshold:
            return k
        k += 1
