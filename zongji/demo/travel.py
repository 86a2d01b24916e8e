"""Demo meeting and flight bookings of the booking hotline (issue 17 points 3, 4): one meeting
requested, one quoted and confirmed by the hotel (its deposit due), one flight booking each way
of paying. Loaded once (skipped when any meeting booking exists)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from zongji.domain.bookings import id_numbers
from zongji.services.bookings import flights, meetings
from zongji.settings import Settings
from zongji.store.models import User
from zongji.store.travel_models import MeetingBooking

OPERATOR = "user:operator"


def _resident_id(first17: str) -> str:
    return first17 + id_numbers.check_character(first17)


def load(session: Session, settings: Settings, *, now: dt.datetime) -> None:
    if session.scalar(select(MeetingBooking.id).limit(1)) is not None:
        return
    today = now.astimezone(settings.tz).date()
    day = dt.timedelta(days=1)
    meetings.create(session, settings, actor=OPERATOR, today=today, hotel_name="西湖国宾馆", hotel_id=None,
                    kind="training", needs="U形摆台，投影仪，两次茶歇", start_date=today + 14 * day,
                    end_date=today + 15 * day, attendees=40, rooms=20, budget_fen=6_000_000,
                    contact="周经理", mobile="13900001111")
    m = meetings.create(session, settings, actor=OPERATOR, today=today, hotel_name="国际大酒店", hotel_id=None,
                        kind="conference", needs="主会场200人，同传设备，午宴", start_date=today + 21 * day,
                        end_date=today + 22 * day, attendees=200, rooms=80, budget_fen=30_000_000,
                        contact="吴主任", mobile="13900002222")
    operator = session.scalar(select(User).where(User.username == "operator"))
    if operator is not None:
        meetings.act(session, settings, m.id, "quote", user=operator, actor=OPERATOR, now=now,
                     lines=[("主会场（天）", 2, 4_800_000), ("午宴（位）", 400, 18_800), ("同传设备（天）", 2, 1_200_000)])
        meetings.act(session, settings, m.id, "confirm", user=operator, actor=OPERATOR, now=now,
                     confirmation="GJ20261205")
    for customer, mobile, name, number, payment, address in (
            ("孙立", "13800003333", "孙立", _resident_id("33010619850315421"), flights.rules.E_TICKET, None),
            ("郑红", "13800004444", "郑红", _resident_id("11010519900708262"), flights.rules.ON_DELIVERY,
             "朝阳区建国路88号")):
        flights.create(session, settings, actor=OPERATOR, today=today, read_back_heard=True, now=now,
                       customer=customer, mobile=mobile,
                       passengers=[(name, id_numbers.RESIDENT_ID, number)], from_city="杭州", to_city="北京",
                       departure_date=today + 5 * day, departure_time=dt.time(8, 30), trip="return",
                       return_date=today + 8 * day, return_time=dt.time(19, 0), payment=payment,
                       delivery_address=address, flight_number="CA1703")
