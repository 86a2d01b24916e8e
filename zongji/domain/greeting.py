"""The opening greeting an operator says, by line and local time of day (R-H1, R-C1, R-S14, R-P10).

Pure: give it the line's facts, the local time and whether the caller is internal. A line's own
templates (``Line.greeting_zh`` / ``greeting_en`` / ``internal_greeting_zh``) win when set; in
them ``{greeting}`` becomes the time-of-day phrase (早上好 / Good morning), ``{organisation}`` the
organisation's name and ``{line}`` the line's name.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass


@dataclass(frozen=True)
class DayPeriods:
    """Where the time-of-day phrases change (local time). Tunable like any setting."""

    # Chinese: 早上好 from morning_start, 中午好 from noon_start, 下午好 from afternoon_start,
    # 晚上好 from evening_start until the next morning_start.
    morning_start: dt.time = dt.time(5, 0)
    noon_start: dt.time = dt.time(11, 0)
    afternoon_start: dt.time = dt.time(13, 0)
    evening_start: dt.time = dt.time(18, 0)
    # English has no "noon" greeting: Good afternoon from en_afternoon_start.
    en_afternoon_start: dt.time = dt.time(12, 0)

    @classmethod
    def from_dict(cls, data: dict | None) -> DayPeriods:
        """Build from a settings value like {"noon_start": "11:30"}; unknown keys are ignored."""
        if not data:
            return cls()
        kwargs = {}
        for name in cls.__dataclass_fields__:
            value = data.get(name)
            if isinstance(value, str):
                kwargs[name] = dt.time.fromisoformat(value)
            elif isinstance(value, dt.time):
                kwargs[name] = value
        return cls(**kwargs)


DEFAULT_PERIODS = DayPeriods()


def time_of_day(local: dt.time, periods: DayPeriods = DEFAULT_PERIODS) -> str:
    """"morning", "noon", "afternoon" or "evening" (Chinese periods)."""
    if periods.morning_start <= local < periods.noon_start:
        return "morning"
    if periods.noon_start <= local < periods.afternoon_start:
        return "noon"
    if periods.afternoon_start <= local < periods.evening_start:
        return "afternoon"
    return "evening"


def greeting_phrase_zh(local: dt.time, periods: DayPeriods = DEFAULT_PERIODS) -> str:
    return {"morning": "早上好", "noon": "中午好", "afternoon": "下午好", "evening": "晚上好"}[
        time_of_day(local, periods)
    ]


def greeting_phrase_en(local: dt.time, periods: DayPeriods = DEFAULT_PERIODS) -> str:
    if periods.morning_start <= local < periods.en_afternoon_start:
        return "Good morning"
    if periods.en_afternoon_start <= local < periods.evening_start:
        return "Good afternoon"
    return "Good evening"


@dataclass(frozen=True)
class LineInfo:
    """What the greeting needs to know of a line."""

    kind: str  # "switchboard", "hotline_400", "hotline_12345"
    name: str = ""
    organisation_name: str = ""
    organisation_name_en: str | None = None
    organisation_kind: str = "company"  # "hotel", "company" or "city_hotline"
    greeting_zh: str | None = None
    greeting_en: str | None = None
    internal_greeting_zh: str | None = None


@dataclass(frozen=True)
class Greeting:
    zh: str
    en: str
    script_key: str

    def to_dict(self) -> dict[str, str]:
        return {"zh": self.zh, "en": self.en, "script_key": self.script_key}


# Built-in scripts, used when the line has no template of its own.
_HOTEL_ZH = "{greeting}！{organisation}，请问有什么可以帮您？"  # R-H1
_HOTEL_EN = "{greeting}, {organisation}, how may I help you?"
_HOTEL_INTERNAL_ZH = "{greeting}！总机，请问有什么可以帮您？"
_HOTEL_INTERNAL_EN = "{greeting}, operator, how may I help you?"
_COMPANY_ZH = "{organisation}，您好，有什么可以帮助您？"  # R-C1
_COMPANY_EN = "{greeting}, {organisation}, how may I help you?"
_COMPANY_INTERNAL_ZH = "{greeting}！总机，请问有什么可以帮助您？"
_HOTLINE_400_ZH = "您好！请问有什么可以帮助您？"  # R-S14
_HOTLINE_400_EN = "Hello, {organisation} customer service, how may I help you?"
_HOTLINE_12345_ZH = "您好！市长热线，请问有什么可以帮到您？"  # R-P10
_HOTLINE_12345_EN = "Hello, Mayor's Hotline, how may I help you?"


def _fill(template: str, *, greeting: str, organisation: str, line: str) -> str:
    # Plain replacement: a template with other braces must never break the console.
    return (
        template.replace("{greeting}", greeting)
        .replace("{organisation}", organisation)
        .replace("{line}", line)
    )


def greeting_for(
    line: LineInfo | None,
    local: dt.datetime | dt.time,
    *,
    internal: bool = False,
    periods: DayPeriods = DEFAULT_PERIODS,
) -> Greeting:
    """The greeting to say on ``line`` at local time ``local`` to an external or internal caller."""
    t = local.timetz().replace(tzinfo=None) if isinstance(local, dt.datetime) else local
    zh_phrase = greeting_phrase_zh(t, periods)
    en_phrase = greeting_phrase_en(t, periods)
    if line is None:
        return Greeting(f"{zh_phrase}！请问有什么可以帮您？", f"{en_phrase}, how may I help you?",
                        "greeting.default")
    org_zh = line.organisation_name or line.name
    org_en = line.organisation_name_en or org_zh
    audience = "internal" if internal else "external"

    if line.kind == "hotline_12345":
        zh_t, en_t, key = _HOTLINE_12345_ZH, _HOTLINE_12345_EN, "greeting.hotline_12345"
    elif line.kind == "hotline_400":
        zh_t, en_t, key = _HOTLINE_400_ZH, _HOTLINE_400_EN, "greeting.hotline_400"
    elif line.organisation_kind == "hotel":
        if internal:
            zh_t, en_t = _HOTEL_INTERNAL_ZH, _HOTEL_INTERNAL_EN
        else:
            zh_t, en_t = _HOTEL_ZH, _HOTEL_EN
        key = f"greeting.hotel.{audience}"
    else:
        if internal:
            zh_t, en_t = _COMPANY_INTERNAL_ZH, _HOTEL_INTERNAL_EN
        else:
            zh_t, en_t = _COMPANY_ZH, _COMPANY_EN
        key = f"greeting.company.{audience}"

    if internal and line.internal_greeting_zh:
        zh_t, key = line.internal_greeting_zh, f"greeting.line.{audience}"
    elif not internal and line.greeting_zh:
        zh_t, key = line.greeting_zh, f"greeting.line.{audience}"
    if line.greeting_en and not internal:
        en_t = line.greeting_en

    zh = _fill(zh_t, greeting=zh_phrase, organisation=org_zh, line=line.name)
    en = _fill(en_t, greeting=en_phrase, organisation=org_en, line=line.name)
    return Greeting(zh, en, key)
