"""Demo data for switchboard operations (issue 3), loaded by ``zongji.demo.data.load_demo``.

* a guest on do-not-disturb (``DEMO_DND_GUEST_NAME``, until check-out, her room's line locked);
* line settings: the hotel switchboard (round the clock, front-office manager responsible, the
  assistant manager as deputy) and the 400 hotline (R-S2 hours, a responsible person, a named
  deputy, after hours to the customer-service manager's mobile);
* hotel facilities with service hours and long-distance rates for the information service.

Idempotent: nothing is added twice.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from zongji.services import audit
from zongji.services.switchboard.dnd import DND_END_JOB
from zongji.services.switchboard.pbx import queue_pbx
from zongji.services.switchboard.silence import ensure_silence_check
from zongji.settings import Settings
from zongji.store import jobs
from zongji.store.models import Guest, Line, Organisation, Person, Room, Stay
from zongji.store.switchboard_models import DndPeriod, Facility, LineSettings, LongDistanceRate

DEMO_DND_GUEST_NAME = "赵雅琴"
DEMO_DND_GUEST_MOBILE = "13711114444"
DEMO_DND_GUEST_ROOM = "1206"
DEMO_400_DEPUTY_NAME = "覃丽"

_OFFICE_HOURS = {d: [["08:30", "12:00"], ["13:00", "17:30"]] for d in ("mon", "tue", "wed", "thu", "fri")}

# name, name_en, category, location, location_en, hours, extension, keywords
FACILITIES = [
    ("粤香阁中餐厅", "Cantonese Restaurant", "餐饮", "2楼", "2nd floor",
     {"all": [["07:00", "10:00"], ["11:30", "14:30"], ["17:30", "22:00"]]}, "6710", "早茶 午餐 晚餐 dim sum"),
    ("四季西餐厅(自助早餐)", "Four Seasons Café (breakfast buffet)", "餐饮", "1楼", "1st floor",
     {"all": [["06:30", "10:30"], ["11:30", "14:00"], ["18:00", "22:00"]]}, "6720", "早餐 自助餐 breakfast buffet"),
    ("大堂吧", "Lobby Bar", "餐饮", "大堂", "Lobby", {"all": [["10:00", "24:00"]]}, "6730", "咖啡 下午茶 coffee bar"),
    ("送餐服务", "In-room dining", "餐饮", None, None, {"all": [["00:00", "24:00"]]}, "6740", "客房送餐 room service"),
    ("健身中心", "Fitness Centre", "康体", "5楼", "5th floor", {"all": [["06:00", "23:00"]]}, "6750", "健身房 gym"),
    ("室内恒温泳池", "Indoor Pool", "康体", "5楼", "5th floor", {"all": [["07:00", "22:00"]]}, "6751", "游泳 swimming"),
    ("商务中心", "Business Centre", "商务", "3楼", "3rd floor", {"all": [["07:00", "23:00"]]}, "6760",
     "打印 复印 传真 printing fax"),
    ("洗衣服务", "Laundry", "服务", None, None, {"all": [["08:00", "20:00"]]}, "6910",
     "洗衣 干洗 laundry dry cleaning 当日"),
    ("礼宾部(行李、订票)", "Concierge", "服务", "大堂", "Lobby", {"all": [["00:00", "24:00"]]}, "6110",
     "行李 订票 机场接送 concierge luggage"),
]

# kind, destination, destination_en, dial code, CNY per minute, keywords
RATES = [
    ("idd", "美国、加拿大", "USA, Canada", "001", 8.0, "美国 加拿大 纽约 america"),
    ("idd", "英国", "United Kingdom", "0044", 8.0, "伦敦 london uk"),
    ("idd", "日本", "Japan", "0081", 6.5, "东京 tokyo"),
    ("idd", "韩国", "South Korea", "0082", 6.5, "首尔 seoul"),
    ("idd", "香港、澳门、台湾", "Hong Kong, Macau, Taiwan", "00852", 3.0, "港澳台 hk"),
    ("idd", "新加坡", "Singapore", "0065", 6.5, None),
    ("idd", "澳大利亚", "Australia", "0061", 8.0, "悉尼 sydney"),
    ("ddd", "国内长途(全国)", "Domestic long distance", "0", 1.2, "国内 省外 ddd domestic"),
]


def load(session: Session, settings: Settings, *, hotel: Organisation, company: Organisation, now: dt.datetime,
         hotel_line_code: str, line_400_code: str) -> None:
    hotel_line = session.scalar(select(Line).where(Line.code == hotel_line_code))
    line_400 = session.scalar(select(Line).where(Line.code == line_400_code))
    if hotel_line is None or line_400 is None:
        return
    if session.scalar(select(LineSettings.id).where(LineSettings.line_id == hotel_line.id)) is not None:
        return  # already loaded
    # The periodic line-silence check (R-S3) reschedules itself once started; its first run is on
    # the same line_silence_check_minutes grid as every later one (not a fixed 10 minutes).
    ensure_silence_check(session, now, settings)

    def person(org: Organisation, name: str) -> Person | None:
        return session.scalar(select(Person).where(Person.organisation_id == org.id, Person.name == name))

    session.add(LineSettings(line_id=hotel_line.id, working_hours=None, responsible_id=_id(person(hotel, "周文杰")),
                             deputy_id=_id(person(hotel, "曾晓东")), silence_check=True))
    deputy = person(company, DEMO_400_DEPUTY_NAME)
    if deputy is None:
        deputy = Person(organisation_id=company.id, name=DEMO_400_DEPUTY_NAME, title="客服代表(代理值守)",
                        title_en="Customer Service Agent (deputy)", extension="7303", mobile="13902007303")
        session.add(deputy)
        session.flush()
    session.add(LineSettings(line_id=line_400.id, working_hours=_OFFICE_HOURS,
                             responsible_id=_id(person(company, "莫晓峰")), deputy_id=deputy.id,
                             after_hours_id=_id(person(company, "韦海燕")), silence_check=True))

    for name, name_en, cat, loc, loc_en, hours, ext, kw in FACILITIES:
        session.add(Facility(organisation_id=hotel.id, name=name, name_en=name_en, category=cat, location=loc,
                             location_en=loc_en, working_hours=hours, extension=ext, keywords=kw))
    for kind, dest, dest_en, code, price, kw in RATES:
        session.add(LongDistanceRate(organisation_id=hotel.id, kind=kind, destination=dest, destination_en=dest_en,
                                     dial_code=code, per_minute=price, minimum_minutes=1, keywords=kw,
                                     note="含15%服务费，不足1分钟按1分钟计"))

    # Staff e-mail addresses, so messages can be sent by e-mail (R-H5): ext<extension>@<org>.example.com.
    for org, domain in ((hotel, "hotel.example.com"), (company, "company.example.com")):
        for p in session.scalars(select(Person).where(Person.organisation_id == org.id, Person.email.is_(None),
                                                     Person.extension.is_not(None))):
            p.email = f"ext{p.extension}@{domain}"

    # A guest on do-not-disturb until check-out.
    room = session.scalar(select(Room).where(Room.organisation_id == hotel.id, Room.number == DEMO_DND_GUEST_ROOM))
    if room is None:
        return
    occupied = session.scalars(select(Stay).where(Stay.room_id == room.id, Stay.status == "in_house")).all()
    for s in occupied:  # the demo's random occupant moves out of the DND demo room
        s.status = "checked_out"
        s.departure = min(s.departure, now - dt.timedelta(minutes=1))
    g = Guest(organisation_id=hotel.id, name=DEMO_DND_GUEST_NAME, gender="female", mobile=DEMO_DND_GUEST_MOBILE,
              language="zh", privacy_level="normal")
    session.add(g)
    session.flush()
    stay = Stay(guest_id=g.id, room_id=room.id, arrival=now - dt.timedelta(days=1),
                departure=now + dt.timedelta(days=2), status="in_house")
    session.add(stay)
    session.flush()
    dnd = DndPeriod(subject_kind="room", subject_id=room.id, subject_label=g.name, guest_id=g.id, stay_id=stay.id,
                    guest_name=g.name, room_number=room.number, extension=room.extension, reason="客人休息，谢绝打扰",
                    set_at=now - dt.timedelta(hours=1), set_by="王小红(1001)", until_checkout=True,
                    addressed="guest")
    session.add(dnd)
    session.flush()
    audit.record(session, actor="demo", action="create", entity="dnd", entity_id=dnd.id)
    queue_pbx(session, "lock", now, extension=room.extension, locked=True)
    jobs.schedule(session, DND_END_JOB, f"dnd-end:{dnd.id}:checkout", stay.departure, {"dnd_id": dnd.id})


def _id(p: Person | None) -> int | None:
    return p.id if p is not None else None
