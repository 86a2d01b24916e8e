"""Half-hour slots: the grain of the call aggregates (issue 10, point 6). Pure.

A slot is a UTC half-hour, ``[start, start + 30 min)``, holding the calls that began ringing in
it. Local half-hours coincide with UTC ones wherever the site's offset is a whole number of
half-hours (Asia/Shanghai is +8:00), so days, weeks, months and the interval profile fold from
slots without error. The aggregates are counted under a ``StatsPolicy`` and a time zone: their
``policy_key`` says which, and a row counted under another key is recounted, never mixed in.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from zongji.domain.stats.kpi import StatsPolicy

SLOT = dt.timedelta(minutes=30)
_SLOT_SECONDS = int(SLOT.total_seconds())


def slot_of(at: dt.datetime) -> dt.datetime:
    """The UTC half-hour holding the instant ``at`` (aware)."""
    seconds = int(at.timestamp()) // _SLOT_SECONDS * _SLOT_SECONDS
    return dt.datetime.fromtimestamp(seconds, dt.UTC)


def slots_between(start: dt.datetime, end: dt.datetime) -> list[dt.datetime]:
    """Every slot that overlaps ``[start, end)``."""
    out, s = [], slot_of(start)
    while s < end:
        out.append(s)
        s += SLOT
    return out


def local_day(slot: dt.datetime, tz: ZoneInfo) -> dt.date:
    return slot.astimezone(tz).date()


def policy_key(policy: StatsPolicy, tz: ZoneInfo) -> str:
    """What the counts of an aggregate row depend on besides the calls: the short-abandon limit,
    the service-level target and the zone that decides the local day."""
    return f"sa={policy.short_abandon_seconds:g};sl={policy.service_level_seconds:g};tz={tz.key}"
