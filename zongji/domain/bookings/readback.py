"""The read-back script of a hotel booking (R-T1: "read the booking back to confirm"), assembled
from the fields in Chinese and English, shown to the operator before the booking is saved, and
again before a change or a cancellation is saved. Pure: the same fields give the same words."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from zongji.domain.bookings.hotel_booking import HotelBookingInput, total_fen, yuan

BREAKFAST_ZH = {"none": "不含早餐", "single": "含单早", "double": "含双早", "per_guest": "每位客人含早餐"}
BREAKFAST_EN = {"none": "no breakfast", "single": "breakfast for one", "double": "breakfast for two",
                "per_guest": "breakfast for every guest"}
WEEKDAY_ZH = "一二三四五六日"
USUAL_ARRIVAL = "18:00"


@dataclass(frozen=True)
class ReadBack:
    zh: str
    en: str

    def to_dict(self) -> dict[str, str]:
        return {"zh": self.zh, "en": self.en}


def _day_zh(d: dt.date) -> str:
    return f"{d.month}月{d.day}日（周{WEEKDAY_ZH[d.weekday()]}）"


def _day_en(d: dt.date) -> str:
    return d.strftime("%a %d %b %Y").replace(" 0", " ")


def arrival_words(hold_free: bool, latest_arrival: str | None) -> tuple[str, str]:
    """What the customer is told about the arrival time: held free, a latest arrival, or the
    usual "arrive before 18:00" (R-T3)."""
    if hold_free:
        return ("房间为您免费保留至入住当晚", "the room is held free for you for the night of arrival")
    at = latest_arrival or USUAL_ARRIVAL
    return (f"请于{at}前到店", f"please arrive before {at}")


def hotel_read_back(b: HotelBookingInput, *, hotel_name: str, city: str, action: str = "book",
                    number: str | None = None) -> ReadBack:
    """``action``: ``book`` (a new booking), ``change`` or ``cancel`` (``number`` the booking's)."""
    rooms_zh = "、".join(f"{r.room_type}{r.count}间（每晚{yuan(r.nightly_fen)}元）" for r in b.rooms)
    rooms_en = ", ".join(f"{r.count} × {r.room_type} at {yuan(r.nightly_fen)} yuan a night" for r in b.rooms)
    total = yuan(total_fen(b.rooms, b.nights))
    guests_zh = "、".join(b.guest_names) or b.customer_name
    guests_en = ", ".join(b.guest_names) or b.customer_name
    arrive_zh, arrive_en = arrival_words(b.hold_free, b.latest_arrival)
    head_zh = {"book": "跟您核对一下预订", "change": f"跟您核对一下修改后的预订{number or ''}",
               "cancel": f"跟您确认取消预订{number or ''}"}[action]
    head_en = {"book": "Let me read your booking back", "change": f"Let me read back the changed booking {number or ''}".rstrip(),
               "cancel": f"To confirm, you cancel booking {number or ''}".rstrip()}[action]
    zh = (f"{head_zh}：{city}{hotel_name}，{_day_zh(b.check_in)}入住，{_day_zh(b.check_out)}离店，共{b.nights}晚；"
          f"{rooms_zh}，{BREAKFAST_ZH[b.breakfast]}，房费合计{total}元；入住人{guests_zh}，"
          f"到店请报{b.customer_name}的名字；联系手机{b.mobile}；{arrive_zh}")
    en = (f"{head_en}: {hotel_name}, {city}; check-in {_day_en(b.check_in)}, check-out {_day_en(b.check_out)}, "
          f"{b.nights} night{'s' if b.nights != 1 else ''}; {rooms_en}, {BREAKFAST_EN[b.breakfast]}, "
          f"{total} yuan in all; guests {guests_en}, give the name {b.customer_name} at the desk; "
          f"mobile {b.mobile}; {arrive_en}")
    if b.special_requests:
        zh += f"；特殊要求：{b.special_requests}"
        en += f"; special requests: {b.special_requests}"
    zh += "。请问对吗？" if action != "cancel" else "。确认取消吗？"
    en += ". Is that right?" if action != "cancel" else ". Shall I cancel it?"
    return ReadBack(zh, en)
