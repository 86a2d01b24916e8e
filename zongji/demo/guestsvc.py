"""The demo's guest-service centre (issue 13): the catalogue in Chinese, two floor attendants on the
roster of every shift from today, and a lively board — requests open, one about to be late, done
ones waiting for the follow-up call, a loan out, room service whose dishes wait, a work key out and
a found umbrella. Made through the services, like a day's work."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from zongji.services.guestsvc import centre, records, requests
from zongji.settings import Settings
from zongji.store.guestsvc_models import GsItem, GsRequest
from zongji.store.models import Room, Stay, User

# name, English name, team, kind, charged, target minutes (R-G2; R-G6's 10 minutes by default).
CATALOGUE = (
    ("加毛巾", "Extra towels", "housekeeping", "service", False, 10),
    ("客房清扫", "Room cleaning", "housekeeping", "service", False, 30),
    ("开夜床", "Turn-down", "housekeeping", "service", False, 20),
    ("加床", "Extra bed", "housekeeping", "service", True, 20),
    ("借转换插头", "Adaptor (loan)", "housekeeping", "loan", False, 10),
    ("借熨斗熨板", "Iron and board (loan)", "housekeeping", "loan", False, 10),
    ("擦鞋", "Shoe shine", "housekeeping", "service", False, 30),
    ("托婴服务", "Baby-sitting", "housekeeping", "service", True, 60),
    ("迷你吧补货", "Minibar restock", "housekeeping", "service", True, 30),
    ("洗衣（当日送回）", "Laundry (same day)", "laundry", "laundry", True, 15),
    ("送餐服务", "Room service", "fnb", "room_service", True, 30),
    ("空调/灯具维修", "Air-con / lights repair", "engineering", "service", False, 15),
    ("转交留言", "Pass a message", "front_office", "service", False, 10),
)

# Charged items with a fixed price (yuan); the others are priced when done (minibar, laundry, meals).
PRICES = {"加床": 200, "托婴服务": 80}

ATTENDANTS = (("attendant", "李梅", "3-10"), ("attendant2", "张兰", "11-17"))


def load(session: Session, settings: Settings, *, now: dt.datetime,
         ensure_user: Callable[..., None]) -> None:
    unit = centre.centre_unit(session, settings)
    if unit is None:
        return
    for username, name, _ in ATTENDANTS:
        ensure_user(session, username, "unit_handler", name, department_id=unit.id)
    if not session.scalar(select(func.count()).select_from(GsItem)):
        for i, (zh, en, team, kind, charged, minutes) in enumerate(CATALOGUE):
            centre.save_item(session, {"name_zh": zh, "name_en": en, "team": team, "kind": kind, "charged": charged,
                                       "price_yuan": PRICES.get(zh), "target_minutes": minutes, "position": i},
                             actor="demo", settings=settings)
    _roster(session, settings, now)
    if not session.scalar(select(func.count()).select_from(GsRequest)):
        _day(session, settings, now)


def _roster(session: Session, settings: Settings, now: dt.datetime) -> None:
    """Both attendants on their floors in every shift from the one running now to two days on."""
    slot = centre.shift_now(now, settings)
    shifts = len(centre.starts(settings))
    for d in range(3):
        day = slot.day + dt.timedelta(days=d)
        for shift in range(shifts):
            for username, _, floors in ATTENDANTS:
                user = session.scalar(select(User).where(User.username == username))
                if user is not None and not [c for c in centre.covers(session, day, shift) if c.attendant_id == user.id]:
                    centre.set_cover(session, day=day, shift=shift, attendant_id=user.id, floors=floors,
                                     actor="demo", settings=settings)


def _day(session: Session, settings: Settings, now: dt.datetime) -> None:
    coordinator = session.scalar(select(User).where(User.username == "housekeeping"))
    attendant = session.scalar(select(User).where(User.username == "attendant"))
    if coordinator is None or attendant is None:
        return
    rooms = list(session.scalars(select(Room.number).join(Stay, Stay.room_id == Room.id)
                                 .where(Stay.status == "in_house", Stay.arrival <= now, Stay.departure > now)
                                 .order_by(Room.number)))
    if len(rooms) < 8:
        return
    items = {i.name_zh: i.id for i in centre.items(session)}

    def ask(item: str, room: str, minutes_ago: float, **kw):
        return requests.create(session, coordinator, settings, item_id=items[item], room=room,
                               now=now - dt.timedelta(minutes=minutes_ago), **kw)

    ask("加毛巾", rooms[0], 2, quantity=2)
    ask("空调/灯具维修", rooms[1], 13, note="空调不制冷")  # late already
    ask("开夜床", rooms[2], 5)
    accepted = ask("客房清扫", rooms[3], 8)
    requests.act(session, accepted.id, "accept", attendant, settings, now=now - dt.timedelta(minutes=6))
    for item, room, ago, took in (("加毛巾", rooms[4], 50, 7), ("擦鞋", rooms[5], 90, 35)):
        r = ask(item, room, ago)
        requests.act(session, r.id, "done", coordinator, settings, now=now - dt.timedelta(minutes=ago - took))
    loan = ask("借转换插头", rooms[6], 120)
    requests.act(session, loan.id, "done", coordinator, settings, now=now - dt.timedelta(minutes=112))
    meal = ask("送餐服务", rooms[7], 70, note="两份炒饭")
    requests.act(session, meal.id, "done", coordinator, settings, now=now - dt.timedelta(minutes=45), amount_fen=16800)
    records.issue_key(session, coordinator, settings, key_label="12楼工作钥匙", holder="李梅", now=now - dt.timedelta(hours=1))
    records.record_found(session, coordinator, settings, description="黑色折叠雨伞", found_where="大堂休息区",
                         found_by="保安 王立", kept_where="客房中心 2号柜", now=now - dt.timedelta(hours=3))
