"""Working hours of a department, a person or a line: parse, validate, evaluate (R-S2, issue 3).

Pure: no I/O. Every instant passed in must be timezone-aware; the zone in which the hours are
meant (the organisation's local zone, ``Settings.tz``) is passed in explicitly.

The stored JSON (``Department.working_hours``)::

    {"mon": [["08:30", "12:00"], ["13:00", "17:30"]], "tue": [...], ...}   # absent day = closed
    {"all": [["00:00", "24:00"]]}                                          # round the clock
    {"all": [["08:00", "20:00"]], "sun": []}                               # "all" + overrides

* Day keys: ``mon tue wed thu fri sat sun`` and ``all`` (the default for every day not named).
  An empty list closes that day.
* Times are ``"HH:MM"``; ``"24:00"`` is allowed as an end only.
* An interval whose end is not after its start spans midnight: ``["22:00", "06:00"]`` on ``fri``
  is open from Friday 22:00 to Saturday 06:00. It belongs to Friday: if Friday is a holiday, the
  whole interval is closed; the overnight part of Thursday's interval is not affected by a Friday
  holiday.
* Intervals must not overlap (also across midnight and across Sunday→Monday).
* A gap between two intervals of the same day is a *break* (lunch break), reported as
  ``HoursState.BREAK``.

Dated exceptions (``HoursExceptions``) are passed in by the caller — the business calendar
(holidays, adjusted working days) is not this module's concern:

* ``closed``: dates on which nothing opens (holidays, closed days);
* ``special``: dates with their own intervals (e.g. a half day);
* ``working_as``: dates worked like another weekday (调休： Saturday worked as a Monday).

Wherever ``exceptions`` is accepted, a plain set of dates may be given instead; it means
``HoursExceptions(closed=those dates)``.

Local wall-clock arithmetic: instants are converted to the zone, compared on the wall clock and
results are returned as aware datetimes in that zone (``fold=0`` on DST ambiguities).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

DAY_KEYS: tuple[str, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
ALL_KEY = "all"
DAY_NAMES_ZH = ("周一", "周二", "周三", "周四", "周五", "周六", "周日")
DAY_NAMES_EN = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
MINUTES_PER_DAY = 24 * 60
# How far ``next_opening`` looks ahead before giving up (a department closed for longer than
# this has, for the switchboard, no next opening).
SEARCH_HORIZON_DAYS = 400

_TIME = re.compile(r"^(\d{1,2}):(\d{2})$")


# --------------------------------------------------------------------------- errors


@dataclass(frozen=True)
class FieldError:
    """One validation problem; ``field`` is a dotted path such as ``working_hours.mon[1][0]``."""

    field: str
    message: str

    def to_dict(self) -> dict[str, str]:
        return {"field": self.field, "message": self.message}


class WorkingHoursError(ValueError):
    """Working hours that cannot be used. ``errors`` lists every problem; ``field`` the first."""

    def __init__(self, errors: Iterable[FieldError]):
        self.errors: tuple[FieldError, ...] = tuple(errors)
        first = self.errors[0] if self.errors else FieldError("working_hours", "invalid")
        self.field = first.field
        self.message = first.message
        super().__init__("; ".join(f"{e.field}: {e.message}" for e in self.errors))


# --------------------------------------------------------------------------- intervals


def parse_clock(value: Any, field_name: str, *, allow_24: bool = False) -> int:
    """``"HH:MM"`` → minutes since midnight. Raises ``WorkingHoursError`` naming the field."""
    if not isinstance(value, str):
        raise WorkingHoursError([FieldError(field_name, f"expected a time \"HH:MM\", got {value!r}")])
    m = _TIME.match(value.strip())
    if not m:
        raise WorkingHoursError([FieldError(field_name, f"expected a time \"HH:MM\", got {value!r}")])
    h, mi = int(m.group(1)), int(m.group(2))
    if h == 24 and mi == 0:
        if allow_24:
            return MINUTES_PER_DAY
        raise WorkingHoursError([FieldError(field_name, "24:00 is allowed only as an end time")])
    if h > 23 or mi > 59:
        raise WorkingHoursError([FieldError(field_name, f"not a time of day: {value!r}")])
    return h * 60 + mi


def format_clock(minutes: int) -> str:
    """Minutes since midnight → ``"HH:MM"`` (``1440`` → ``"24:00"``)."""
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


@dataclass(frozen=True, order=True)
class Interval:
    """Opening interval on one day, in minutes since midnight.

    ``end`` ≤ ``start`` means the interval spans midnight and ends on the next day at ``end``.
    ``Interval(0, 1440)`` is the whole day.
    """

    start: int
    end: int

    @property
    def overnight(self) -> bool:
        return self.end <= self.start

    @property
    def minutes(self) -> int:
        return self.end - self.start if not self.overnight else MINUTES_PER_DAY - self.start + self.end

    def span_on(self, day: dt.date) -> tuple[dt.datetime, dt.datetime]:
        """Naive local wall-clock (start, end) of this interval when it belongs to ``day``."""
        base = dt.datetime.combine(day, dt.time())
        start = base + dt.timedelta(minutes=self.start)
        end = base + dt.timedelta(minutes=self.end + (MINUTES_PER_DAY if self.overnight else 0))
        return start, end

    def text(self) -> str:
        return f"{format_clock(self.start)}–{format_clock(self.end)}"

    def to_json(self) -> list[str]:
        return [format_clock(self.start), format_clock(self.end)]

    @classmethod
    def parse(cls, value: Any, field_name: str) -> Interval:
        if not isinstance(value, (list, tuple)) or len(value) != 2:
            raise WorkingHoursError([FieldError(
                field_name, f"expected a pair [\"HH:MM\", \"HH:MM\"], got {value!r}")])
        start = parse_clock(value[0], f"{field_name}[0]")
        end = parse_clock(value[1], f"{field_name}[1]", allow_24=True)
        if start == end:
            raise WorkingHoursError([FieldError(field_name, "start and end are the same time")])
        return cls(start, end)


def _parse_intervals(value: Any, field_name: str) -> tuple[tuple[Interval, ...], list[FieldError]]:
    errors: list[FieldError] = []
    if value is None:
        return (), errors
    if not isinstance(value, (list, tuple)):
        return (), [FieldError(field_name, f"expected a list of [start, end] pairs, got {value!r}")]
    out: list[Interval] = []
    for i, item in enumerate(value):
        try:
            out.append(Interval.parse(item, f"{field_name}[{i}]"))
        except WorkingHoursError as e:
            errors.extend(e.errors)
    out.sort()
    return tuple(out), errors


# --------------------------------------------------------------------------- exceptions


@dataclass(frozen=True)
class HoursExceptions:
    """Dated exceptions to the weekly pattern; see the module docstring."""

    closed: frozenset[dt.date] = frozenset()
    special: Mapping[dt.date, tuple[Interval, ...]] = field(default_factory=dict)
    working_as: Mapping[dt.date, str] = field(default_factory=dict)

    @classmethod
    def coerce(cls, value: HoursExceptions | Iterable[dt.date] | None) -> HoursExceptions:
        if value is None:
            return _NO_EXCEPTIONS
        if isinstance(value, HoursExceptions):
            return value
        return cls(closed=frozenset(value))

    @classmethod
    def from_json(cls, data: Mapping[str, Any] | None, *, field_name: str = "exceptions") -> HoursExceptions:
        """``{"closed": ["2026-10-01", …], "special": {"2026-12-31": [["08:30","12:00"]]},
        "working_as": {"2026-09-27": "mon"}}`` → ``HoursExceptions``."""
        if not data:
            return _NO_EXCEPTIONS
        errors: list[FieldError] = []

        def date_of(v: Any, f: str) -> dt.date | None:
            try:
                return dt.date.fromisoformat(str(v))
            except ValueError:
                errors.append(FieldError(f, f"expected a date YYYY-MM-DD, got {v!r}"))
                return None

        closed = set()
        for i, v in enumerate(data.get("closed") or ()):
            d = date_of(v, f"{field_name}.closed[{i}]")
            if d:
                closed.add(d)
        special: dict[dt.date, tuple[Interval, ...]] = {}
        for k, v in (data.get("special") or {}).items():
            d = date_of(k, f"{field_name}.special.{k}")
            ivs, errs = _parse_intervals(v, f"{field_name}.special.{k}")
            errors.extend(errs)
            if d:
                special[d] = ivs
        working_as: dict[dt.date, str] = {}
        for k, v in (data.get("working_as") or {}).items():
            d = date_of(k, f"{field_name}.working_as.{k}")
            if v not in DAY_KEYS:
                errors.append(FieldError(f"{field_name}.working_as.{k}",
                                         f"expected one of {', '.join(DAY_KEYS)}, got {v!r}"))
            elif d:
                working_as[d] = v
        extra = set(data) - {"closed", "special", "working_as"}
        for k in sorted(extra):
            errors.append(FieldError(f"{field_name}.{k}", "unknown key"))
        if errors:
            raise WorkingHoursError(errors)
        return cls(closed=frozenset(closed), special=special, working_as=working_as)


_NO_EXCEPTIONS = HoursExceptions()


# --------------------------------------------------------------------------- status


class HoursState(StrEnum):
    OPEN = "open"
    BREAK = "break"  # between two intervals of the same day (lunch break)
    BEFORE_OPENING = "before_opening"  # today opens later
    AFTER_HOURS = "after_hours"  # today's hours are over
    CLOSED_DAY = "closed_day"  # no hours on this weekday
    HOLIDAY = "holiday"  # a closed date given in the exceptions


@dataclass(frozen=True)
class HoursStatus:
    """What the hours say at one instant.

    ``opens_at``: when closed, the next opening (None when none within ~400 days); when open,
    the start of the current opening. ``closes_at``: when open, the end of the current opening
    (contiguous intervals merged; None when it never closes within the horizon).
    ``reopens_today``: closed now but opens again later the same operating day (a break, or
    before opening).
    """

    state: HoursState
    at: dt.datetime
    opens_at: dt.datetime | None = None
    closes_at: dt.datetime | None = None

    @property
    def is_open(self) -> bool:
        return self.state is HoursState.OPEN

    @property
    def is_break(self) -> bool:
        return self.state is HoursState.BREAK

    @property
    def reopens_today(self) -> bool:
        return self.state in (HoursState.BREAK, HoursState.BEFORE_OPENING)


# --------------------------------------------------------------------------- weekly pattern


@dataclass(frozen=True)
class WorkingHours:
    """A weekly pattern of opening intervals, index 0 = Monday."""

    days: tuple[tuple[Interval, ...], ...]

    def __post_init__(self) -> None:
        if len(self.days) != 7:
            raise ValueError("WorkingHours needs exactly 7 days")

    # ---- construction

    @classmethod
    def parse(cls, data: Mapping[str, Any] | None, *, field_name: str = "working_hours") -> WorkingHours:
        """Parse and validate the stored JSON; raises ``WorkingHoursError`` naming every bad field.

        ``None`` or ``{}`` means "no hours": closed all week.
        """
        if data is None:
            return cls.closed()
        if not isinstance(data, Mapping):
            raise WorkingHoursError([FieldError(field_name, f"expected an object, got {type(data).__name__}")])
        errors: list[FieldError] = []
        for k in data:
            if k not in DAY_KEYS and k != ALL_KEY:
                errors.append(FieldError(f"{field_name}.{k}",
                                         f"unknown day; use {', '.join(DAY_KEYS)} or {ALL_KEY}"))
        default: tuple[Interval, ...] = ()
        if ALL_KEY in data:
            default, errs = _parse_intervals(data[ALL_KEY], f"{field_name}.{ALL_KEY}")
            errors.extend(errs)
        days: list[tuple[Interval, ...]] = []
        for key in DAY_KEYS:
            if key in data:
                ivs, errs = _parse_intervals(data[key], f"{field_name}.{key}")
                errors.extend(errs)
                days.append(ivs)
            else:
                days.append(default)
        if errors:
            raise WorkingHoursError(errors)
        errors.extend(_overlaps(days, field_name, data))
        if errors:
            raise WorkingHoursError(errors)
        return cls(tuple(days))

    @classmethod
    def always(cls) -> WorkingHours:
        return cls(tuple((Interval(0, MINUTES_PER_DAY),) for _ in range(7)))

    @classmethod
    def closed(cls) -> WorkingHours:
        return cls(tuple(() for _ in range(7)))

    @classmethod
    def weekdays(cls, *intervals: tuple[str, str]) -> WorkingHours:
        """Convenience: the same intervals Monday to Friday, e.g.
        ``WorkingHours.weekdays(("08:30","12:00"), ("13:00","17:30"))`` (the R-S2 default)."""
        return cls.parse({k: [list(i) for i in intervals] for k in DAY_KEYS[:5]})

    def to_json(self) -> dict[str, list[list[str]]]:
        """Canonical JSON (inverse of ``parse``): ``{"all": …}`` when every day is the same."""
        if all(d == self.days[0] for d in self.days) and self.days[0]:
            return {ALL_KEY: [i.to_json() for i in self.days[0]]}
        return {DAY_KEYS[n]: [i.to_json() for i in ivs] for n, ivs in enumerate(self.days) if ivs}

    # ---- queries

    @property
    def is_always_open(self) -> bool:
        return all(d == (Interval(0, MINUTES_PER_DAY),) for d in self.days)

    def intervals_for(self, day: dt.date, exceptions: HoursExceptions | Iterable[dt.date] | None = None
                      ) -> tuple[Interval, ...]:
        """The intervals that belong to a local date, after applying the exceptions."""
        ex = HoursExceptions.coerce(exceptions)
        if day in ex.closed:
            return ()
        if day in ex.special:
            return tuple(sorted(ex.special[day]))
        if day in ex.working_as:
            return self.days[DAY_KEYS.index(ex.working_as[day])]
        return self.days[day.weekday()]

    def status_at(self, at: dt.datetime, tz: dt.tzinfo,
                  exceptions: HoursExceptions | Iterable[dt.date] | None = None) -> HoursStatus:
        """Open or closed at ``at`` (aware), and why; see ``HoursState``."""
        _require_aware(at, "at")
        ex = HoursExceptions.coerce(exceptions)
        local = at.astimezone(tz).replace(tzinfo=None)
        today = local.date()

        def aware(naive: dt.datetime | None) -> dt.datetime | None:
            return None if naive is None else naive.replace(tzinfo=tz)

        for day in (today - dt.timedelta(days=1), today):
            for iv in self.intervals_for(day, ex):
                start, end = iv.span_on(day)
                if start <= local < end:
                    return HoursStatus(HoursState.OPEN, at, opens_at=aware(start),
                                       closes_at=aware(self._merged_end(end, ex)))
        nxt = self._next_start(local, ex)
        todays = [iv.span_on(today) for iv in self.intervals_for(today, ex)]
        if today in ex.closed:
            state = HoursState.HOLIDAY
        elif not todays:
            state = HoursState.CLOSED_DAY
        else:
            earlier = any(e <= local for _, e in todays)
            later = any(s > local for s, _ in todays)
            if earlier and later:
                state = HoursState.BREAK
            elif later:
                state = HoursState.BEFORE_OPENING
            else:
                state = HoursState.AFTER_HOURS
        return HoursStatus(state, at, opens_at=aware(nxt))

    def is_open_at(self, at: dt.datetime, tz: dt.tzinfo,
                   exceptions: HoursExceptions | Iterable[dt.date] | None = None) -> bool:
        return self.status_at(at, tz, exceptions).is_open

    def next_opening(self, at: dt.datetime, tz: dt.tzinfo,
                     exceptions: HoursExceptions | Iterable[dt.date] | None = None) -> dt.datetime | None:
        """The earliest instant ≥ ``at`` at which it is open (``at`` itself when open now);
        None when it does not open within ~400 days."""
        st = self.status_at(at, tz, exceptions)
        return at if st.is_open else st.opens_at

    def next_closing(self, at: dt.datetime, tz: dt.tzinfo,
                     exceptions: HoursExceptions | Iterable[dt.date] | None = None) -> dt.datetime | None:
        """When the current opening ends (None when closed now, or it never closes)."""
        st = self.status_at(at, tz, exceptions)
        return st.closes_at if st.is_open else None

    # ---- text

    def describe(self, lang: str = "zh") -> str:
        """Human text for scripts: ``周一至周五 08:30–12:00、13:00–17:30`` /
        ``Mon–Fri 08:30–12:00, 13:00–17:30``."""
        zh = lang.startswith("zh")
        if self.is_always_open:
            return "全天24小时" if zh else "24 hours a day"
        names = DAY_NAMES_ZH if zh else DAY_NAMES_EN
        groups: list[tuple[int, int, tuple[Interval, ...]]] = []
        for n, ivs in enumerate(self.days):
            if groups and groups[-1][2] == ivs and groups[-1][1] == n - 1:
                groups[-1] = (groups[-1][0], n, ivs)
            else:
                groups.append((n, n, ivs))
        parts = []
        for a, b, ivs in groups:
            if not ivs:
                continue
            days = names[a] if a == b else (f"{names[a]}至{names[b]}" if zh else f"{names[a]}–{names[b]}")
            sep = "、" if zh else ", "
            parts.append(f"{days} {sep.join(i.text() for i in ivs)}")
        if not parts:
            return "不对外办公" if zh else "closed"
        return (";" if zh else "; ").join(parts)

    # ---- internals

    def _next_start(self, local: dt.datetime, ex: HoursExceptions) -> dt.datetime | None:
        day = local.date() - dt.timedelta(days=1)
        for _ in range(SEARCH_HORIZON_DAYS + 2):
            for iv in self.intervals_for(day, ex):
                start, _ = iv.span_on(day)
                if start > local:
                    return start
            day += dt.timedelta(days=1)
        return None

    def _merged_end(self, end: dt.datetime, ex: HoursExceptions) -> dt.datetime | None:
        """Follow intervals that start exactly when the previous one ends (e.g. 24h days)."""
        for _ in range(SEARCH_HORIZON_DAYS):
            nxt = None
            for day in (end.date() - dt.timedelta(days=1), end.date()):
                for iv in self.intervals_for(day, ex):
                    s, e = iv.span_on(day)
                    if s == end and e > end:
                        nxt = e
            if nxt is None:
                return end
            end = nxt
        return None


def _overlaps(days: list[tuple[Interval, ...]], field_name: str, data: Mapping[str, Any]) -> list[FieldError]:
    """Intervals laid out on the week (minutes since Monday 00:00), wrapping Sunday→Monday."""
    week = 7 * MINUTES_PER_DAY
    spans: list[tuple[int, int, str]] = []
    for n, ivs in enumerate(days):
        key = DAY_KEYS[n] if DAY_KEYS[n] in data else ALL_KEY
        for iv in ivs:
            s = n * MINUTES_PER_DAY + iv.start
            spans.append((s, s + iv.minutes, key))
    spans.sort()
    errors: list[FieldError] = []
    seen: set[str] = set()
    for i, (s, e, key) in enumerate(spans):
        nxt = spans[(i + 1) % len(spans)] if len(spans) > 1 else None
        if nxt is None:
            continue
        ns = nxt[0] + (week if i + 1 == len(spans) else 0)
        if ns < e and key not in seen:
            seen.add(key)
            other = DAY_KEYS[(nxt[0] // MINUTES_PER_DAY) % 7]
            errors.append(FieldError(f"{field_name}.{key}",
                                     f"intervals overlap (an interval runs into one on {other})"))
    return errors


def _require_aware(value: dt.datetime, name: str) -> None:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name}: a timezone-aware datetime is required")


__all__ = [
    "DAY_KEYS",
    "FieldError",
    "HoursExceptions",
    "HoursState",
    "HoursStatus",
    "Interval",
    "WorkingHours",
    "WorkingHoursError",
    "format_clock",
    "parse_clock",
]
