"""What the live wallboard shows, as pure rules (issue 10, point 2): how a figure stands against
its target, and the day's half-hour profile of offered and answered calls."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum
from typing import Iterable, Mapping

from zongji.domain.stats.kpi import CallCounts, CallFacts

HALF_HOUR = dt.timedelta(minutes=30)


class Light(StrEnum):
    GREEN = "green"  # at or above the target
    AMBER = "amber"  # below it, by no more than the margin
    RED = "red"  # further below
    NONE = "none"  # nothing to judge yet (no call counted)


@dataclass(frozen=True)
class Targets:
    answer_rate: float = 0.85  # R-S10: a 400 line's answer rate above 85 %
    service_level: float = 0.80
    amber_margin: float = 0.05


def light(value: float | None, target: float, margin: float) -> Light:
    """Green at or above ``target``, amber within ``margin`` below it, red further below."""
    if value is None:
        return Light.NONE
    if value >= target:
        return Light.GREEN
    return Light.AMBER if value >= target - margin else Light.RED


@dataclass(frozen=True)
class HalfHour:
    start: dt.datetime  # aware, in the site's zone
    offered: int
    answered: int


def half_hours(calls: Iterable[CallFacts], start: dt.datetime, end: dt.datetime) -> list[HalfHour]:
    """Offered and answered calls per half-hour from ``start`` (aware, on a half-hour) up to the
    half-hour holding ``end``, each call in the half-hour it began ringing. Half-hours are counted
    in elapsed time, so a day with a clock change has 46 or 50 of them."""
    if end < start:
        return []
    n = int((end - start) / HALF_HOUR) + 1
    offered = [0] * n
    answered = [0] * n
    for c in calls:
        i = int((c.ringing_at - start) / HALF_HOUR)
        if 0 <= i < n:
            offered[i] += 1
            answered[i] += int(c.answered_at is not None)
    return [HalfHour((start.astimezone(dt.UTC) + i * HALF_HOUR).astimezone(start.tzinfo), offered[i], answered[i])
            for i in range(n)]


def half_hours_of_counts(slots: Mapping[dt.datetime, CallCounts], start: dt.datetime,
                         end: dt.datetime) -> list[HalfHour]:
    """The same profile from counts per half-hour slot (the call aggregates), keyed by the slot's
    start; a slot without calls counts none."""
    if end < start:
        return []
    n = int((end - start) / HALF_HOUR) + 1
    first = start.astimezone(dt.UTC)
    empty = CallCounts()
    return [HalfHour((first + i * HALF_HOUR).astimezone(start.tzinfo),
                     slots.get(first + i * HALF_HOUR, empty).offered, slots.get(first + i * HALF_HOUR, empty).answered)
            for i in range(n)]


__all__ = ["HALF_HOUR", "HalfHour", "Light", "Targets", "half_hours", "half_hours_of_counts", "light"]
