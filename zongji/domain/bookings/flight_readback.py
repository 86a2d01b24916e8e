"""The read-back of a flight booking (R-T5 with R-T1's "read the booking back"): assembled from
the fields in Chinese and English, read to the customer before a booking, a change or a
cancellation is saved. ID numbers are read back by their last four characters only (the
read-back is kept on the booking's history, and the numbers themselves are erased later).
Pure: the same fields give the same words."""

from __future__ import annotations

from zongji.domain.bookings.flights import E_TICKET, RETURN, FlightBooking
from zongji.domain.bookings.id_numbers import PASSPORT, tail
from zongji.domain.bookings.readback import ReadBack, _day_en, _day_zh

ACTIONS = ("book", "change", "cancel")


def _when_zh(day, at) -> str:
    return _day_zh(day) + (at.strftime("%H:%M") if at else "")


def _when_en(day, at) -> str:
    return _day_en(day) + (at.strftime(" %H:%M") if at else "")


def flight_read_back(b: FlightBooking, *, action: str = "book", number: str | None = None,
                     reason: str | None = None) -> ReadBack:
    """``action``: ``book`` (a new booking), ``change`` or ``cancel`` (``number`` the booking's,
    ``reason`` the customer's why, said back with it)."""
    if action not in ACTIONS:
        raise ValueError(f"unknown read-back action {action!r}")
    ref = f" {number}" if number else ""
    head_zh = {"book": "跟您核对一下机票预订", "change": f"跟您核对一下修改后的机票预订{ref.strip()}",
               "cancel": f"跟您确认取消机票预订{ref.strip()}"}[action]
    head_en = {"book": "Let me read your flight booking back", "change": f"Let me read back the changed flight booking{ref}",
               "cancel": f"To confirm, you cancel flight booking{ref}"}[action]
    people_zh = "、".join(f"{p.name}（{'护照' if p.id_kind == PASSPORT else '身份证'}尾号{tail(p.id_number)}）"
                          for p in b.passengers)
    people_en = ", ".join(f"{p.name} ({'passport' if p.id_kind == PASSPORT else 'resident ID'} ending {tail(p.id_number)})"
                          for p in b.passengers)
    flight_zh = f"，航班{b.flight_number}" if b.flight_number else ""
    flight_en = f", flight {b.flight_number}" if b.flight_number else ""
    zh = f"{head_zh}：{_when_zh(b.departure_date, b.departure_time)}从{b.from_city}飞往{b.to_city}{flight_zh}，"
    en = f"{head_en}: {_when_en(b.departure_date, b.departure_time)} from {b.from_city} to {b.to_city}{flight_en}, "
    if b.trip == RETURN and b.return_date:
        zh += f"往返，{_when_zh(b.return_date, b.return_time)}返程；"
        en += f"return on {_when_en(b.return_date, b.return_time)}; "
    else:
        zh += "单程；"
        en += "one way; "
    n = len(b.passengers)
    zh += f"乘机人{n}位：{people_zh}；"
    en += f"{n} passenger{'s' if n != 1 else ''}: {people_en}; "
    if b.payment == E_TICKET:
        zh += "电子客票；"
        en += "e-ticket; "
    else:
        zh += f"送票上门付款，送到{b.delivery_address or ''}；"
        en += f"paid on delivery of the ticket to {b.delivery_address or ''}; "
    zh += f"联系人{b.customer}，手机{b.mobile}"
    en += f"contact {b.customer}, mobile {b.mobile}"
    why = (reason or "").strip()
    if why and action != "book":
        zh += f"；原因：{why}"
        en += f"; reason: {why}"
    zh += "。确认取消吗？" if action == "cancel" else "。请问对吗？"
    en += ". Shall I cancel it?" if action == "cancel" else ". Is that right?"
    return ReadBack(zh, en)
