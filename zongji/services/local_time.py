"""Times as answers give them and as inputs take them, in the centre's time zone.

Answers carry ISO-8601 times with the local offset (``iso``); inputs take a local day or an
ISO-8601 time, full-width digits included, inside the years a date may take
(``parse_local_instant``, ``zongji.domain.time_range``).
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from zoneinfo import ZoneInfo

from zongji.domain import time_range
from zongji.errors import Invalid


def iso(value: dt.datetime | None, tz: ZoneInfo) -> str | None:
    """``value`` in ``tz`` as ISO-8601 with its offset; None stays None."""
    return None if value is None else value.astimezone(tz).isoformat()


def parse_local_instant(value: str, field: str, tz: ZoneInfo, *, end_of_day: bool = False) -> dt.datetime:
    """A date (local day; its start, or the next day's start if end_of_day) or an ISO datetime."""
    v = unicodedata.normalize("NFKC", value).strip()
    if not v:
        raise Invalid(f"{field} is empty", field=field)
    try:
        if len(v) <= 10:
            day = dt.date.fromisoformat(v)
            if not time_range.in_range(day):
                raise Invalid(time_range.out_of_range_message(field), field=field)
            if end_of_day:
                day += dt.timedelta(days=1)
            return dt.datetime.combine(day, dt.time(0), tz)
        when = dt.datetime.fromisoformat(v.replace("Z", "+00:00"))
    except ValueError:
        raise Invalid(
            f"{field} must be a date (YYYY-MM-DD) or an ISO-8601 time, not {value!r}", field=field
        ) from None
    if not time_range.in_range(when):
        raise Invalid(time_range.out_of_range_message(field), field=field)
    if when.tzinfo is None:
        when = when.replace(tzinfo=tz)
    return when
