"""The centre works 24 hours in three shifts (R-G1); each shift, a floor attendant covers some
floors. The roster says who covers which floor; a request goes to the attendant covering its
floor in the shift running when it is made."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

MAX_FLOOR = 200


class RosterError(ValueError):
    def __init__(self, message: str, field: str):
        super().__init__(message)
        self.field = field


def parse_floors(text: str) -> tuple[int, ...]:
    """"3-5, 7" → (3, 4, 5, 7)."""
    floors: set[int] = set()
    for part in (p.strip() for p in text.replace("，", ",").replace("、", ",").split(",")):
        if not part:
            continue
        lo, _, hi = part.partition("-")
        try:
            a, b = int(lo), int(hi or lo)
        except ValueError:
            raise RosterError(f"floors: numbers and ranges such as 3-5,7 (not {part!r})", field="floors") from None
        if not (-9 <= a <= b <= MAX_FLOOR):
            raise RosterError(f"floors: a range from low to high within -9…{MAX_FLOOR}", field="floors")
        floors.update(range(a, b + 1))
    if not floors:
        raise RosterError("floors: at least one floor", field="floors")
    return tuple(sorted(floors))


def floors_text(floors: Iterable[int]) -> str:
    """(3, 4, 5, 7) → "3-5,7"."""
    out: list[str] = []
    run: list[int] = []
    for f in sorted(set(floors)):
        if run and f == run[-1] + 1:
            run.append(f)
            continue
        if run:
            out.append(str(run[0]) if len(run) == 1 else f"{run[0]}-{run[-1]}")
        run = [f]
    if run:
        out.append(str(run[0]) if len(run) == 1 else f"{run[0]}-{run[-1]}")
    return ",".join(out)


def shift_starts(text: str) -> tuple[dt.time, ...]:
    """The shifts' start times, e.g. "07:00,15:00,23:00" (the handover's own setting)."""
    return tuple(sorted(dt.time.fromisoformat(x.strip()) for x in text.split(",") if x.strip()))


@dataclass(frozen=True)
class ShiftSlot:
    day: dt.date  # the day the shift belongs to (a night shift after midnight: the day before)
    index: int  # 0, 1, 2 …
    starts_at: dt.datetime
    ends_at: dt.datetime


def shift_at(local: dt.datetime, starts: Sequence[dt.time]) -> ShiftSlot:
    """The shift running at the local time ``local`` (aware)."""
    tz = local.tzinfo
    first = dt.datetime.combine(local.date(), starts[0], tz)
    day = local.date() if local >= first else local.date() - dt.timedelta(days=1)
    index = max(i for i, s in enumerate(starts) if dt.datetime.combine(day, s, tz) <= local)
    return shift_of(day, index, starts, tz)


def shift_of(day: dt.date, index: int, starts: Sequence[dt.time], tz: dt.tzinfo | None) -> ShiftSlot:
    if not 0 <= index < len(starts):
        raise RosterError(f"shift: 0 to {len(starts) - 1}", field="shift")
    begin = dt.datetime.combine(day, starts[index], tz)
    end = (dt.datetime.combine(day, starts[index + 1], tz) if index + 1 < len(starts)
           else dt.datetime.combine(day + dt.timedelta(days=1), starts[0], tz))
    return ShiftSlot(day, index, begin, end)


@dataclass(frozen=True)
class Cover:
    attendant_id: int
    floors: tuple[int, ...]


def attendant_for(floor: int, covers: Iterable[Cover]) -> int | None:
    """The attendant covering ``floor`` this shift (the first listed when two do), or None."""
    for c in covers:
        if floor in c.floors:
            return c.attendant_id
    return None
