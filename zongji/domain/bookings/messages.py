"""The texts of the customer's messages (R-T3), from editable templates.

A template is text with ``{placeholders}``; every kind has a default (zh, as customers get
them) that an admin may replace. ``render`` fills a template from the booking's fields and
refuses a template naming a placeholder the kind does not have (checked when it is saved, so
a job never fails on a typo).
"""

from __future__ import annotations

import string
from typing import Mapping

from zongji.errors import Invalid

KINDS = ("membership_created", "booking_confirmed", "travel_care")
KIND_LABELS = {"membership_created": "会员开通", "booking_confirmed": "预订确认", "travel_care": "出行关怀"}

PLACEHOLDERS: dict[str, tuple[str, ...]] = {
    "membership_created": ("name", "mobile", "hotline"),
    "booking_confirmed": ("name", "hotel", "address", "hotel_phone", "check_in", "check_out", "nights", "rooms",
                          "unit_price", "desk_name", "arrival", "confirmation_number", "number", "hotline"),
    "travel_care": ("name", "hotel", "city", "check_in", "forecast", "hotline"),
}

DEFAULTS: dict[str, str] = {
    "membership_created": "【预订热线】{name}您好，您已成为我们的会员，会员手机号{mobile}。订房请拨{hotline}。",
    "booking_confirmed": ("【预订热线】{name}您好，您预订的{hotel}（{address}）已确认：{check_in}入住，{check_out}离店，"
                          "共{nights}晚，{rooms}，房价{unit_price}。到店请报{desk_name}的名字，{arrival}。"
                          "确认号{confirmation_number}，预订号{number}。酒店电话{hotel_phone}。"),
    "travel_care": "【出行关怀】{name}您好，您明天（{check_in}）入住{city}{hotel}。{city}未来三天天气：{forecast}。祝您旅途愉快！",
}
MAX_LENGTH = 500


def placeholders_in(template: str) -> list[str]:
    try:
        return [name for _, name, _, _ in string.Formatter().parse(template) if name is not None]
    except ValueError:
        raise Invalid("a brace without its pair: write {name}", field="body") from None


def check_template(kind: str, body: str) -> str:
    if kind not in KINDS:
        raise Invalid(f"one of {', '.join(KINDS)}", field="kind")
    text = (body or "").strip()
    if not text:
        raise Invalid("the text of the message", field="body")
    if len(text) > MAX_LENGTH:
        raise Invalid(f"at most {MAX_LENGTH} characters", field="body")
    unknown = [p for p in placeholders_in(text) if p not in PLACEHOLDERS[kind]]
    if unknown:
        raise Invalid(f"unknown placeholder {{{unknown[0]}}}; known: "
                      + ", ".join("{" + p + "}" for p in PLACEHOLDERS[kind]), field="body")
    return text


def render(kind: str, template: str, values: Mapping[str, object]) -> str:
    """The message: the template with every placeholder filled (a missing value is left empty)."""
    filled = {p: "" if values.get(p) is None else str(values.get(p)) for p in PLACEHOLDERS[kind]}
    return check_template(kind, template).format(**filled)[:MAX_LENGTH]


def forecast_text(days: list[Mapping[str, object]]) -> str:
    """Three days' forecast in a line: ``12月5日 晴 3～12°C；12月6日 多云 …``; a day with no forecast
    is said so."""
    parts = []
    for d in days:
        label = str(d["label"])
        if not d.get("summary"):
            parts.append(f"{label} 暂无预报")
            continue
        low, high = d.get("temp_low"), d.get("temp_high")
        temps = f" {low}～{high}°C" if low is not None and high is not None else ""
        parts.append(f"{label} {d['summary']}{temps}")
    return "；".join(parts)
