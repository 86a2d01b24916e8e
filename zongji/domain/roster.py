"""The roster (排班): who is on the phones when (issue 10, point 5: the forecast's need beside
the operators actually scheduled). Pure.

A shift is one operator's ``[starts_at, ends_at)``; it covers a half-hour slot when it overlaps
it by at least half of it (a shift from 08:10 counts for 08:00–08:30, one from 08:20 does not).
Shifts are at most ``MAX_SHIFT_HOURS`` long.
"""

from __future__ import annotations

import datetime as dt
from typing import Iterable

MAX_SHIFT_HOURS = 16
HALF_HOUR = dt.timedelta(minutes=30)


class ShiftError(ValueError):
    def __init__(self, message: str, field: str):
        super().__init__(message)
        self.field = field


def check_shift(starts_at: dt.datetime, ends_at: dt.datetime) -> None:
    if ends_at <= starts_at:
        raise ShiftError("a shift ends after it starts", field="ends_at")
    if ends_at - starts_at > dt.timedelta(hours=MAX_SHIFT_HOURS):
        raise ShiftError(f"a shift lasts at most {MAX_SHIFT_HOURS} hours", field="ends_at")


def covers(starts_at: dt.datetime, ends_at: dt.datetime, slot: dt.datetime) -> bool:
    overlap = min(ends_at, slot + HALF_HOUR) - max(starts_at, slot)
    return overlap >= HALF_HOUR / 2


def scheduled(shifts: Iterable[tuple[dt.datetime, dt.datetime]], slots: list[dt.datetime]) -> list[int]:
    """How many shifts cover each slot."""
    shifts = list(shifts)
    return [sum(1 for a, b in shifts if covers(a, b, s)) for s in slots]
