"""The day's weather for operators to quote (R-H14).

- ``GET /api/weather?days=3``: today's and the next days' weather as recorded (console roles).
- ``PUT /api/weather/{day}`` with ``{"summary", "temp_low", "temp_high", "note"}``: the shift
  leader records or corrects a day's weather (shift leaders, supervisors, admins; audited; live
  topic ``weather``).
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import Depends, Path, Query
from pydantic import Field

from zongji.api.deps import IsoOnly, ReadDB, WriteDB, actor_of, get_settings, require_roles
from zongji.api.errors import area_router, error_responses, refusals
from zongji.api.models import ApiModel
from zongji.domain.roles import CONSOLE_ROLES, LEADER_ROLES
from zongji.services import weather
from zongji.settings import Settings
from zongji.store.models import User

router = area_router(prefix="/api/weather", tags=["weather"], responses=error_responses())
Leader = Annotated[User, Depends(require_roles(LEADER_ROLES))]
Console = Annotated[User, Depends(require_roles(CONSOLE_ROLES))]
Cfg = Annotated[Settings, Depends(get_settings)]


class WeatherIn(ApiModel):
    summary: str = Field(min_length=1, max_length=100)
    temp_low: int | None = Field(None, ge=weather.TEMP_RANGE[0], le=weather.TEMP_RANGE[1])
    temp_high: int | None = Field(None, ge=weather.TEMP_RANGE[0], le=weather.TEMP_RANGE[1])
    note: str | None = Field(None, max_length=200)


@router.get("", summary="Today's and the next days' weather, as recorded")
def get_weather(user: Console, db: ReadDB, settings: Cfg,
                days: Annotated[int, Query(ge=1, le=weather.MAX_DAYS_AHEAD)] = 3) -> list[dict[str, Any]]:
    return weather.days(db, settings, count=days)


@router.put("/{day}", summary="Record a day's weather",
            openapi_extra=refusals(day="from yesterday to a week ahead", summary="not only spaces",
                                   temp_low="not above the high"))
def put_weather(day: Annotated[dt.date, IsoOnly, Path(description="A local date, YYYY-MM-DD")], body: WeatherIn,
                user: Leader, db: WriteDB, settings: Cfg) -> dict[str, Any]:
    row = weather.record(db, settings, day, summary=body.summary, temp_low=body.temp_low, temp_high=body.temp_high,
                         note=body.note, actor=actor_of(user))
    return weather.weather_out(row)
