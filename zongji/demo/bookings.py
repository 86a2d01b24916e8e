"""The booking hotline's demo (issue 17): 24 hotels in four cities with phones and price ranges,
a few bookings in every state taken by the demo operator (awaiting the hotel, confirmed with
their messages, refused with hotels to propose, cancelled), a template changed by the admin and
the forecasts of the next days for the cities. Loaded once (when there is no hotel yet)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from zongji.services import weather
from zongji.services.bookings import confirmation, hotel_bookings, hotels, messages
from zongji.settings import Settings
from zongji.store.booking_models import BookingMessage, Hotel
from zongji.store.models import User

# name, city, address, phone, lowest and highest nightly price (yuan)
HOTELS = [
    ("西湖国宾馆", "杭州", "西湖区杨公堤18号", "0571-87979889", 900, 2600),
    ("杭州香格里拉饭店", "杭州", "北山街78号", "0571-87977951", 1000, 2800),
    ("杭州凯悦酒店", "杭州", "湖滨路28号", "0571-87791234", 1100, 3000),
    ("杭州黄龙饭店", "杭州", "曙光路120号", "0571-87998833", 600, 1500),
    ("如家酒店（杭州西湖断桥店）", "杭州", "保俶路28号", "0571-85151111", 200, 350),
    ("汉庭酒店（杭州武林广场店）", "杭州", "体育场路330号", "0571-85062222", 220, 380),
    ("全季酒店（杭州龙翔桥店）", "杭州", "龙翔路6号", "0571-87063333", 350, 600),
    ("北京饭店", "北京", "东城区东长安街33号", "010-65137766", 900, 2500),
    ("北京国际饭店", "北京", "建国门内大街9号", "010-65126688", 700, 1800),
    ("北京王府井希尔顿酒店", "北京", "王府井东街8号", "010-58128888", 1200, 3200),
    ("北京友谊宾馆", "北京", "海淀区中关村南大街1号", "010-68498888", 600, 1400),
    ("锦江之星（北京王府井店）", "北京", "东城区金鱼胡同", "010-65251111", 280, 450),
    ("如家酒店（北京西单店）", "北京", "西城区西单北大街", "010-66012222", 260, 420),
    ("上海和平饭店", "上海", "南京东路20号", "021-61386888", 1500, 4000),
    ("上海锦江饭店", "上海", "茂名南路59号", "021-32189888", 900, 2400),
    ("上海国际饭店", "上海", "南京西路170号", "021-63275225", 700, 1600),
    ("上海浦东香格里拉", "上海", "富城路33号", "021-68828888", 1300, 3500),
    ("全季酒店（上海人民广场店）", "上海", "西藏中路", "021-63512222", 400, 700),
    ("汉庭酒店（上海外滩店）", "上海", "福州路", "021-63233333", 300, 480),
    ("成都锦江宾馆", "成都", "人民南路二段80号", "028-85506666", 600, 1600),
    ("成都香格里拉大酒店", "成都", "滨江东路9号", "028-88889999", 900, 2400),
    ("成都岷山饭店", "成都", "人民南路二段55号", "028-85583333", 400, 1000),
    ("如家酒店（成都春熙路店）", "成都", "春熙路", "028-86661111", 180, 320),
    ("全季酒店（成都宽窄巷子店）", "成都", "长顺上街", "028-86252222", 350, 600),
]

FORECAST = [("晴", 3, 12), ("多云", 5, 14), ("小雨", 6, 11), ("阴", 4, 10), ("晴", 2, 11)]


def _body(name: str, mobile: str, check_in: dt.date, nights: int, room: str, count: int, yuan: int, **kw) -> dict:
    return {"customer_name": name, "mobile": mobile, "check_in": check_in,
            "check_out": check_in + dt.timedelta(days=nights),
            "rooms": [{"room_type": room, "count": count, "nightly_fen": yuan * 100}],
            "guest_names": [name], "breakfast": "double", "special_requests": "", **kw}


def load(session: Session, settings: Settings, *, now: dt.datetime) -> None:
    if session.scalar(select(Hotel.id).limit(1)) is not None:
        return
    ids: dict[str, int] = {}
    for name, city, address, phone, low, high in HOTELS:
        ids[name] = hotels.save(session, actor="demo", name=name, city=city, address=address, phone=phone,
                                price_low_fen=low * 100, price_high_fen=high * 100).id
    op = session.scalar(select(User).where(User.username == "operator"))
    today = now.astimezone(settings.tz).date()
    for city in ("杭州", "北京", "上海", "成都"):
        for i, (summary, low, high) in enumerate(FORECAST):
            weather.record(session, settings, today + dt.timedelta(days=i), summary=summary, temp_low=low,
                           temp_high=high, note=None, actor="demo", city=city, source="manual", now=now)
    messages.save_template(session, "membership_created",
                           "【预订热线】{name}您好，欢迎成为我们的会员（{mobile}），订房、改期请拨{hotline}。",
                           actor="demo", now=now)

    def book(hotel: str, body: dict) -> int:
        return hotel_bookings.create(session, op, settings, body, hotel_id=ids[hotel], read_back_heard=True,
                                     now=now).id

    book("西湖国宾馆", _body("张伟", "13900001111", today + dt.timedelta(days=3), 2, "湖景大床房", 1, 1280,
                            latest_arrival="20:00"))
    b = book("杭州香格里拉饭店", _body("李娜", "13800002222", today + dt.timedelta(days=1), 3, "豪华双床房", 2, 1380,
                                   hold_free=True, special_requests="高楼层，无烟"))
    confirmation.record_answer(session, op, settings, b, result="confirmed", confirmation_number="SL20261", now=now)
    b = book("北京饭店", _body("王强", "13700003333", today + dt.timedelta(days=5), 1, "商务大床房", 1, 1080))
    confirmation.record_answer(session, op, settings, b, result="refused", reason="当晚满房", now=now)
    b = book("上海和平饭店", _body("陈静", "13600004444", today + dt.timedelta(days=7), 2, "江景房", 1, 2200))
    confirmation.record_answer(session, op, settings, b, result="confirmed", confirmation_number="PH-8812", now=now)
    hotel_bookings.cancel(session, op, b, reason="行程取消", read_back_heard=True, now=now)
    b = book("成都锦江宾馆", _body("刘洋", "13500005555", today, 1, "标准间", 1, 680))
    confirmation.record_answer(session, op, settings, b, result="confirmed", confirmation_number="JJ-3302", now=now)
    # These bookings were taken earlier: the messages due by now went out then.
    session.flush()
    for m in session.scalars(select(BookingMessage).where(BookingMessage.state == "scheduled",
                                                           BookingMessage.due_at <= now)):
        messages.record_sent_earlier(session, m, settings, now)
