"""How a request came in (渠道, R-P1, R-O2): a closed set, validated wherever an order is made."""

from __future__ import annotations

from enum import StrEnum


class Channel(StrEnum):
    PHONE = "phone"
    SMS = "sms"
    EMAIL = "email"
    WEB = "web"
    OPEN311 = "open311"
    APP = "app"
    LETTER = "letter"
    WALK_IN = "walk-in"


CHANNELS: tuple[str, ...] = tuple(c.value for c in Channel)

# Channels whose messages wait in the intake queue (the phone has the call queue).
QUEUED_CHANNELS: frozenset[Channel] = frozenset(set(Channel) - {Channel.PHONE})

_LEGACY = {
    "phone": Channel.PHONE, "tel": Channel.PHONE, "telephone": Channel.PHONE, "call": Channel.PHONE,
    "电话": Channel.PHONE, "来电": Channel.PHONE, "热线": Channel.PHONE,
    "sms": Channel.SMS, "短信": Channel.SMS, "text": Channel.SMS,
    "email": Channel.EMAIL, "e-mail": Channel.EMAIL, "mail": Channel.EMAIL, "邮件": Channel.EMAIL,
    "电子邮件": Channel.EMAIL,
    "web": Channel.WEB, "website": Channel.WEB, "网站": Channel.WEB, "网页": Channel.WEB, "web chat": Channel.WEB,
    "open311": Channel.OPEN311,
    "app": Channel.APP, "wechat": Channel.APP, "微信": Channel.APP, "小程序": Channel.APP, "移动应用": Channel.APP,
    "letter": Channel.LETTER, "来信": Channel.LETTER, "信件": Channel.LETTER, "fax": Channel.LETTER,
    "walk-in": Channel.WALK_IN, "walk_in": Channel.WALK_IN, "walkin": Channel.WALK_IN, "visit": Channel.WALK_IN,
    "来访": Channel.WALK_IN, "走访": Channel.WALK_IN,
}


def parse_channel(value: str | None) -> Channel:
    """The channel named exactly (``"sms"``); ValueError for anything else. None or "" is the
    phone, as before the set was closed."""
    if value is None or value == "":
        return Channel.PHONE
    try:
        return Channel(value)
    except ValueError:
        raise ValueError(f"unknown channel {value!r}; one of {', '.join(CHANNELS)}") from None


def from_legacy(value: str | None) -> Channel:
    """A free-text channel stored before the set was closed, read as the closest channel
    (``"wechat"`` → app, ``"visit"`` → walk-in, ``"电话"`` → phone); anything unknown was typed by
    an operator taking a call, so it is the phone."""
    key = (value or "").strip().lower()
    return _LEGACY.get(key, Channel.PHONE)
