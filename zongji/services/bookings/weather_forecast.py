"""The weather forecast for a city's next days, for the care message (出行关怀, R-T3).

It sits beside the hotel's own day's weather (``zongji.services.weather``): the same rows
(``DailyWeather``, one per city and local day), written by hand (the manual entry page
/bookings/weather, ``PUT /api/bookings/weather/{city}/{day}``) or by a forecast provider
(``source`` naming it). A provider is an adapter (docs/weather.md):

- ``none`` (default): nothing is fetched; the centre enters the forecasts by hand.
- ``http``: ``GET {ZONGJI_BOOKING_WEATHER_URL}?city=<city>&from=<YYYY-MM-DD>&days=<n>`` with
  ``Authorization: Bearer <token>`` when a token is set; the answer is JSON
  ``{"days": [{"day": "YYYY-MM-DD", "summary": "晴", "temp_low": 3, "temp_high": 12}, …]}``.

A forecast already recorded for a day is kept (a person's entry is never overwritten by the
provider); a day neither recorded nor given by the provider is "no forecast".
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from typing import Any, Protocol

import httpx
from sqlalchemy import select
from sqlalchemy.orm import Session

from zongji.errors import Invalid
from zongji.services import weather
from zongji.settings import Settings
from zongji.store.switchboard_models import DailyWeather

log = logging.getLogger(__name__)
DAYS = 3


@dataclass(frozen=True)
class DayForecast:
    day: dt.date
    summary: str
    temp_low: int | None = None
    temp_high: int | None = None


class ForecastUnavailable(Exception):
    """The provider could not be asked or answered nonsense."""


class ForecastProvider(Protocol):
    name: str

    def forecast(self, city: str, first_day: dt.date, days: int) -> list[DayForecast]:
        ...


class NoProvider:
    name = "none"

    def forecast(self, city: str, first_day: dt.date, days: int) -> list[DayForecast]:
        return []


class HttpProvider:
    name = "http"

    def __init__(self, url: str, token: str = "", timeout: float = 5.0):
        self.url, self.token, self.timeout = url, token, timeout

    def forecast(self, city: str, first_day: dt.date, days: int) -> list[DayForecast]:
        headers = {"Authorization": f"Bearer {self.token}"} if self.token else {}
        try:
            r = httpx.get(self.url, params={"city": city, "from": first_day.isoformat(), "days": days},
                          headers=headers, timeout=self.timeout)
            r.raise_for_status()
            out = []
            for d in r.json()["days"]:
                low, high = d.get("temp_low"), d.get("temp_high")
                out.append(DayForecast(dt.date.fromisoformat(d["day"]), str(d["summary"])[:100],
                                       int(low) if low is not None else None, int(high) if high is not None else None))
            return out
        except (httpx.HTTPError, ValueError, KeyError, TypeError) as e:
            raise ForecastUnavailable(str(e)[:200]) from e


def provider(settings: Settings) -> ForecastProvider:
    if settings.booking_weather_provider == "http" and settings.booking_weather_url:
        return HttpProvider(settings.booking_weather_url, settings.booking_weather_token,
                            settings.booking_weather_timeout_seconds)
    return NoProvider()


def _recorded(session: Session, city: str, first_day: dt.date, days: int) -> dict[dt.date, DailyWeather]:
    rows = session.scalars(select(DailyWeather).where(
        DailyWeather.city == city, DailyWeather.day >= first_day,
        DailyWeather.day < first_day + dt.timedelta(days=days)))
    return {w.day: w for w in rows}


def forecast(session: Session, settings: Settings, city: str, first_day: dt.date, *, days: int = DAYS,
             now: dt.datetime | None = None) -> list[dict[str, Any]]:
    """The forecast of ``days`` days from ``first_day`` in ``city``: recorded rows first, the
    provider asked for the days missing (its answers recorded, ``source`` = provider)."""
    city = city.strip()
    have = _recorded(session, city, first_day, days)
    missing = [first_day + dt.timedelta(days=i) for i in range(days) if first_day + dt.timedelta(days=i) not in have]
    source = provider(settings)
    if missing and source.name != "none":
        try:
            given = source.forecast(city, first_day, days)
        except ForecastUnavailable as e:
            log.warning("weather provider %s: %s", source.name, e)
            given = []
        for f in given:
            if f.day in missing and f.summary.strip():
                try:
                    weather.record(session, settings, f.day, summary=f.summary, temp_low=f.temp_low,
                                   temp_high=f.temp_high, note=None, actor=f"weather:{source.name}", city=city,
                                   source=source.name, now=now)
                except Exception as e:  # an out-of-range answer is the provider's fault: skip the day
                    log.warning("weather provider %s gave a day not kept: %s", source.name, e)
        have = _recorded(session, city, first_day, days)
    out = []
    for i in range(days):
        day = first_day + dt.timedelta(days=i)
        w = have.get(day)
        out.append({"day": day.isoformat(), "label": f"{day.month}月{day.day}日", "city": city,
                    "summary": w.summary if w else None, "temp_low": w.temp_low if w else None,
                    "temp_high": w.temp_high if w else None, "source": w.source if w else None})
    return out


def record(session: Session, settings: Settings, city: str, day: dt.date, *, summary: str, temp_low: int | None,
           temp_high: int | None, actor: str, now: dt.datetime | None = None) -> dict[str, Any]:
    """A forecast entered by hand for a city and day (the manual entry page)."""
    if not city.strip():
        raise Invalid("the city", field="city")
    row = weather.record(session, settings, day, summary=summary, temp_low=temp_low, temp_high=temp_high,
                         note=None, actor=actor, city=city.strip()[:60], source="manual", now=now)
    return weather.weather_out(row)
