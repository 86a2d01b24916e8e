"""The day's weather for operators to quote (R-H14: the shift leader records it): recorded by
hand per local day (a weather provider may write the same rows, ``source`` naming it), read by
the console for today and the next days, and answered by the console search ("天气")."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from zongji.errors import Invalid
from zongji.services import audit, live_feed
from zongji.settings import Settings
from zongji.store.models import utcnow
from zongji.store.switchboard_models import DailyWeather

WORDS = ("天气", "气温", "温度", "下雨", "下雪", "刮风", "冷不冷", "热不热", "weather", "temperature", "forecast", "rain")
MAX_DAYS_AHEAD = 7
TEMP_RANGE = (-60, 60)


def weather_out(w: DailyWeather) -> dict[str, Any]:
    return {"day": w.day.isoformat(), "city": w.city, "summary": w.summary, "temp_low": w.temp_low,
            "temp_high": w.temp_high, "note": w.note, "source": w.source, "recorded_by": w.recorded_by}


def today(settings: Settings, now: dt.datetime | None = None) -> dt.date:
    return (now or utcnow()).astimezone(settings.tz).date()


def days(session: Session, settings: Settings, *, count: int = 3, city: str = "",
         now: dt.datetime | None = None) -> list[dict[str, Any]]:
    """The weather recorded for today and the next ``count - 1`` days (days not recorded are left
    out)."""
    if not 1 <= count <= MAX_DAYS_AHEAD:
        raise Invalid(f"days must be between 1 and {MAX_DAYS_AHEAD}", field="days")
    first = today(settings, now)
    rows = session.scalars(select(DailyWeather).where(
        DailyWeather.city == city.strip(), DailyWeather.day >= first,
        DailyWeather.day < first + dt.timedelta(days=count)).order_by(DailyWeather.day))
    return [weather_out(w) for w in rows]


def asked(q: str) -> bool:
    """Whether a console search asks about the weather."""
    ql = q.lower()
    return any(word in ql for word in WORDS)


def record(session: Session, settings: Settings, day: dt.date, *, summary: str, temp_low: int | None,
           temp_high: int | None, note: str | None, actor: str, city: str = "", source: str = "manual",
           now: dt.datetime | None = None) -> DailyWeather:
    """Record (or correct) a day's weather; from yesterday up to a week ahead."""
    first = today(settings, now)
    if not first - dt.timedelta(days=1) <= day <= first + dt.timedelta(days=MAX_DAYS_AHEAD):
        raise Invalid(f"a day from yesterday to {MAX_DAYS_AHEAD} days ahead", field="day")
    text = (summary or "").strip()
    if not text:
        raise Invalid("say what the weather is", field="summary")
    for name, value in (("temp_low", temp_low), ("temp_high", temp_high)):
        if value is not None and not TEMP_RANGE[0] <= value <= TEMP_RANGE[1]:
            raise Invalid(f"a temperature between {TEMP_RANGE[0]} and {TEMP_RANGE[1]} °C", field=name)
    if temp_low is not None and temp_high is not None and temp_low > temp_high:
        raise Invalid("the low is above the high", field="temp_low")
    row = session.scalar(select(DailyWeather).where(DailyWeather.city == city.strip(), DailyWeather.day == day))
    if row is None:
        row = DailyWeather(city=city.strip(), day=day)
        session.add(row)
    row.summary, row.temp_low, row.temp_high = text[:100], temp_low, temp_high
    row.note = (note or "").strip()[:200] or None
    row.source, row.recorded_by, row.recorded_at = source, actor[:100], now or utcnow()
    session.flush()
    audit.record(session, actor=actor, action="weather.record", entity="daily_weather", entity_id=row.id,
                 detail={"day": day.isoformat(), "summary": row.summary})
    live_feed.publish(session, "weather", row.id, {"day": day.isoformat()})
    return row
