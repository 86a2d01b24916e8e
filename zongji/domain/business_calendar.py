"""Business calendar: working hours, Chinese public holidays and adjusted working days (调休).

Pure: no I/O. Every instant is a timezone-aware ``datetime``; the calendar's zone (default
``Asia/Shanghai``) is passed in, never read from the environment. Results are returned in the
calendar's zone.

Which days are working days, in order of precedence:

1. explicit entries (:class:`CalendarEntry`) — an admin's edits or a year imported from the
   annual State Council notice; a per-unit calendar's entries win over the base calendar's;
2. the statutory calendar (:class:`ChinaStatutoryCalendar`, data of the ``chinese-calendar``
   package) for the years it knows: a public holiday has no working hours, an adjusted working
   day (a weekend day made a working day) has the *standard* working hours (see below);
3. for a year nobody knows yet (neither the package nor an imported notice), the statutory
   holidays computed by rule (:class:`RuleStatutoryCalendar`, the ``holidays`` package's lunar
   calendar, per the 2024 revision of 全国年节及纪念日放假办法): such a year is *provisional*
   (:meth:`BusinessCalendar.year_is_provisional`) — its holidays are holidays, but the State
   Council's adjusted working days (调休) are not known until the year is imported;
4. the weekly hours (:class:`WeeklyHours`): by default Mon–Fri 08:30–12:00 and 13:00–17:30,
   Saturday and Sunday closed. :attr:`known_years` and :meth:`BusinessCalendar.year_is_known`
   let the UI warn about years that are not known.

Windows are closed intervals for arithmetic: 12:00 is still the morning's working time, and a
deadline may fall exactly on 12:00 or 17:30. :meth:`BusinessCalendar.is_working_time` answers
"is someone at work now" with half-open windows ([08:30, 12:00)).

Arithmetic (all durations are ``timedelta``; pauses are intervals during which the clock stops,
e.g. while the order waits for the caller):

* :meth:`BusinessCalendar.add_working_time` — the earliest instant at which the given amount of
  working time (outside pauses) has elapsed since the start. Started outside working hours, the
  clock starts with the next window. Adding zero returns the start unchanged.
* :meth:`BusinessCalendar.working_time_between` — working time (outside pauses) between two
  instants; negative when ``end < start`` (so it is additive over any split).
* :meth:`BusinessCalendar.add_working_days` — "N working days from t" means **the same clock time
  on the Nth next working day**, where ``t`` is first taken back to its *working position*:
  inside a window ``t`` stays as it is; outside (evening, lunch, night, weekend, holiday, or
  exactly at a window's opening) it becomes the end of the last window before it. If that clock
  time is not working time on the target day, the result is the end of the last window on that
  day before it (or, if there is none, the day's first opening). Examples with the default hours:
  Fri 15:00 + 1 → Mon 15:00; Fri 19:00 + 1 → Mon 17:30 (one full working day, Monday); Fri 12:30
  + 1 → Mon 12:00; Mon 08:30 + 1 → Mon 17:30; Sat 10:00 + 1 → Mon 17:30. When every working day
  has the same hours this equals adding N standard working days of working time, so deadlines
  in days and in hours agree. Zero days returns the start unchanged. Limitation: a window that
  crosses midnight (a night shift, Fri 22:00–06:00) is split at midnight, so for *day* counting
  its two parts are on two working days; night-shift units should use working-hour targets.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import cache
from typing import Literal
from zoneinfo import ZoneInfo

from zongji.domain.working_hours import WorkingHours

DEFAULT_TIMEZONE = "Asia/Shanghai"
# How far arithmetic searches for a working window before giving up (a calendar with no
# working time at all would otherwise loop forever).
SEARCH_HORIZON_DAYS = 3 * 366

WEEKDAY_KEYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")

HOLIDAY_NAMES_ZH = {
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节",
    "National Day": "国庆节",
    "Mid-autumn Festival": "中秋节",
    "Anti-Fascist 70th Day": "抗战胜利70周年纪念日",
}
OBSERVED_SUFFIX = " (observed)"  # a holiday on a weekend made up on a working day (补假)


class CalendarError(ValueError):
    """Invalid calendar data or an impossible computation (e.g. no working time at all)."""


# ---------------------------------------------------------------------------------------------
# Windows and weekly hours
# ---------------------------------------------------------------------------------------------

_HHMM = re.compile(r"^(\d{1,2}):(\d{2})$")


def _parse_hhmm(text: str) -> int:
    m = _HHMM.match(text.strip())
    if not m:
        raise CalendarError(f"Time must look like HH:MM, got {text!r}")
    h, mi = int(m.group(1)), int(m.group(2))
    if mi > 59 or h > 24 or (h == 24 and mi != 0):
        raise CalendarError(f"Time out of range: {text!r}")
    return h * 60 + mi


@dataclass(frozen=True, order=True)
class TimeWindow:
    """A working window within one day, in minutes since local midnight (0…1440; 1440 = 24:00)."""

    start: int
    end: int

    def __post_init__(self) -> None:
        if not (0 <= self.start < self.end <= 1440):
            raise CalendarError(
                f"A working window must satisfy 00:00 <= start < end <= 24:00 "
                f"(got {_fmt(self.start)}–{_fmt(self.end)})"
            )

    @classmethod
    def parse(cls, start: str, end: str) -> TimeWindow:
        """``TimeWindow.parse("08:30", "12:00")``; "24:00" is allowed as an end."""
        return cls(_parse_hhmm(start), _parse_hhmm(end))

    @property
    def duration(self) -> timedelta:
        return timedelta(minutes=self.end - self.start)

    def to_pair(self) -> list[str]:
        return [_fmt(self.start), _fmt(self.end)]

    def __str__(self) -> str:
        return f"{_fmt(self.start)}–{_fmt(self.end)}"


def _fmt(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


Windows = tuple[TimeWindow, ...]


def normalize_windows(windows: Iterable[TimeWindow]) -> Windows:
    """Sort windows and refuse overlaps (touching windows are merged)."""
    out: list[TimeWindow] = []
    for w in sorted(windows):
        if out and w.start < out[-1].end:
            raise CalendarError(f"Working windows overlap: {out[-1]} and {w}")
        if out and w.start == out[-1].end:
            out[-1] = TimeWindow(out[-1].start, w.end)
        else:
            out.append(w)
    return tuple(out)


def parse_windows(pairs: Iterable[Sequence[str]]) -> Windows:
    """``[["08:30","12:00"], ["13:00","17:30"]]`` → windows."""
    return normalize_windows(TimeWindow.parse(a, b) for a, b in pairs)


@dataclass(frozen=True)
class WeeklyHours:
    """Working windows for each weekday, Monday = index 0."""

    days: tuple[Windows, Windows, Windows, Windows, Windows, Windows, Windows]

    def __post_init__(self) -> None:
        if len(self.days) != 7:
            raise CalendarError("Weekly hours need exactly seven days")
        object.__setattr__(self, "days", tuple(normalize_windows(d) for d in self.days))

    @classmethod
    def weekdays(cls, windows: Iterable[TimeWindow]) -> WeeklyHours:
        """The same windows Monday to Friday, weekends closed."""
        w = normalize_windows(windows)
        return cls((w, w, w, w, w, (), ()))

    @classmethod
    def round_the_clock(cls) -> WeeklyHours:
        w = (TimeWindow(0, 1440),)
        return cls((w,) * 7)

    @classmethod
    def from_json(cls, data: Mapping[str, object] | None) -> WeeklyHours:
        """Read the stored format (``Department.working_hours``): ``{"mon": [["08:30","12:00"],
        …], …}``, ``{"all": [["00:00","24:00"]]}``; parsed and validated by
        :meth:`zongji.domain.working_hours.WorkingHours.parse` (its ``WorkingHoursError`` names
        every bad field), so both modules read the same JSON the same way."""

        return cls.from_working_hours(WorkingHours.parse(data))

    @classmethod
    def from_working_hours(cls, hours: object) -> WeeklyHours:
        """Convert a :class:`zongji.domain.working_hours.WorkingHours`. An overnight interval
        (Fri 22:00–06:00) becomes Fri 22:00–24:00 plus Sat 00:00–06:00; unlike in
        ``working_hours``, the Saturday part then follows Saturday's status (holiday or not)."""
        days: list[list[TimeWindow]] = [[] for _ in range(7)]
        for i, intervals in enumerate(hours.days):  # type: ignore[attr-defined]
            for iv in intervals:
                if iv.end > iv.start:
                    days[i].append(TimeWindow(iv.start, iv.end))
                else:
                    days[i].append(TimeWindow(iv.start, 1440))
                    if iv.end > 0:
                        days[(i + 1) % 7].append(TimeWindow(0, iv.end))
        return cls(tuple(normalize_windows(d) for d in days))  # type: ignore[arg-type]

    def to_json(self) -> dict[str, list[list[str]]]:
        return {k: [w.to_pair() for w in d] for k, d in zip(WEEKDAY_KEYS, self.days) if d}

    def for_weekday(self, weekday: int) -> Windows:
        return self.days[weekday]

    @property
    def standard_windows(self) -> Windows:
        """Hours of an ordinary working day: the first of Monday…Friday that has any (used for
        adjusted working days, which replace a weekday)."""
        for d in self.days[:5]:
            if d:
                return d
        for d in self.days[5:]:
            if d:
                return d
        return ()


DEFAULT_WINDOWS: Windows = (TimeWindow.parse("08:30", "12:00"), TimeWindow.parse("13:00", "17:30"))
DEFAULT_WEEKLY_HOURS = WeeklyHours.weekdays(DEFAULT_WINDOWS)


# ---------------------------------------------------------------------------------------------
# Statutory (State Council) calendar
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class StatutoryDay:
    is_working: bool  # True: adjusted working day (调休上班); False: public holiday
    name: str  # English festival name as the package spells it, e.g. "Spring Festival"

    provisional: bool = False  # computed by rule for a year whose notice is not imported

    @property
    def name_zh(self) -> str:
        return holiday_name_zh(self.name)


def holiday_name_zh(name: str) -> str:
    """The Chinese name of a statutory day as the calendar spells it in English ("Spring
    Festival" → 春节, "Labour Day (observed)" → 劳动节（补假）); other names unchanged."""
    if name.endswith(OBSERVED_SUFFIX):
        return HOLIDAY_NAMES_ZH.get(name[: -len(OBSERVED_SUFFIX)], name[: -len(OBSERVED_SUFFIX)]) + "（补假）"
    return HOLIDAY_NAMES_ZH.get(name, name)


class ChinaStatutoryCalendar:
    """Public holidays and adjusted working days of mainland China, from ``chinese-calendar``.

    Only the days the notice changes are listed; every other day follows the weekly hours.
    """

    def __init__(self, days: Mapping[date, StatutoryDay], years: Iterable[int]):
        self._days = dict(days)
        self.years = frozenset(years)

    @classmethod
    @cache
    def from_package(cls) -> ChinaStatutoryCalendar:
        from chinese_calendar import constants  # data only

        days: dict[date, StatutoryDay] = {}
        for d, name in constants.holidays.items():
            days[d] = StatutoryDay(False, str(name))
        for d, name in constants.workdays.items():
            if d.weekday() >= 5:  # the package also lists ordinary weekdays; keep the changes
                days[d] = StatutoryDay(True, str(name))
        years = {d.year for d in constants.holidays}
        return cls(days, years)

    def knows(self, year: int) -> bool:
        return year in self.years

    def lookup(self, day: date) -> StatutoryDay | None:
        return self._days.get(day) if day.year in self.years else None

    def days_in_year(self, year: int) -> list[tuple[date, StatutoryDay]]:
        return sorted((d, v) for d, v in self._days.items() if d.year == year)


def china_statutory() -> ChinaStatutoryCalendar:
    """The package's data (cached; cheap to call)."""
    return ChinaStatutoryCalendar.from_package()


# The ``holidays`` package's English names, mapped to the names used here.
_RULE_NAMES = {
    "New Year's Day": "New Year's Day",
    "Chinese New Year's Eve": "Spring Festival",
    "Chinese New Year (Spring Festival)": "Spring Festival",
    "Tomb-Sweeping Day": "Tomb-sweeping Day",
    "Labor Day": "Labour Day",
    "Dragon Boat Festival": "Dragon Boat Festival",
    "Mid-Autumn Festival": "Mid-autumn Festival",
    "National Day": "National Day",
}


class RuleStatutoryCalendar:
    """Statutory holidays of a year computed by rule, for years whose notice is not known.

    The rule (全国年节及纪念日放假办法, 2024 revision, in force from 2025): New Year's Day 1 day;
    Spring Festival 4 days from New Year's Eve (除夕 to 初三); Qingming 1; Labour Day 2 (1–2 May);
    Dragon Boat 1; Mid-Autumn 1; National Day 3 (1–3 October) — 13 days, the lunar dates
    converted by the ``holidays`` package. A holiday falling on a Saturday or Sunday is made up
    on the next working day (article 6, 补假), as that package computes it. The State Council's
    adjusted working days (调休) cannot be computed: a provisional year has none, so its deadlines
    may move when the notice is imported. Days the package knows only from a published notice
    ("Day off (substituted …)") are left out: they are the notice's business, not the rule's.
    """

    @staticmethod
    @cache
    def year(year: int) -> Mapping[date, StatutoryDay]:
        import holidays  # data and lunar arithmetic only

        days: dict[date, StatutoryDay] = {}
        for d, raw in holidays.China(years=year, language="en_US").items():
            for part in str(raw).split("; "):
                observed = part.endswith(OBSERVED_SUFFIX)
                base = part[: -len(OBSERVED_SUFFIX)] if observed else part
                name = _RULE_NAMES.get(base)
                if name is None:
                    continue  # a notice's substituted day, not the rule's
                if d not in days or not observed:
                    days[d] = StatutoryDay(False, name + (OBSERVED_SUFFIX if observed else ""), provisional=True)
        return days

    @classmethod
    def lookup(cls, day: date) -> StatutoryDay | None:
        return cls.year(day.year).get(day)


# ---------------------------------------------------------------------------------------------
# Explicit entries
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CalendarEntry:
    """An explicit day: an admin's edit or one line of an imported year.

    ``windows`` None means: no hours if not working; the calendar's standard hours if working.
    """

    day: date
    is_working: bool
    name: str = ""
    windows: Windows | None = None

    def __post_init__(self) -> None:
        if self.windows is not None:
            object.__setattr__(self, "windows", normalize_windows(self.windows))
            if not self.is_working and self.windows:
                raise CalendarError(f"{self.day}: a non-working day cannot have working hours")


def entries_from_rows(rows: Iterable[Sequence[object]]) -> list[CalendarEntry]:
    """Read ``(date, is_working, name)`` rows (e.g. a CSV import). ``date`` may be a ``date`` or
    ``"YYYY-MM-DD"``; ``is_working`` a bool or one of 1/0, true/false, yes/no, 班/休."""
    out = []
    for i, row in enumerate(rows, 1):
        if len(row) < 2:
            raise CalendarError(f"Row {i}: need at least (date, is_working)")
        raw_day, raw_working = row[0], row[1]
        name = str(row[2]) if len(row) > 2 and row[2] is not None else ""
        try:
            day = raw_day if isinstance(raw_day, date) else date.fromisoformat(str(raw_day).strip())
        except ValueError:
            raise CalendarError(f"Row {i}: bad date {raw_day!r}") from None
        if isinstance(raw_working, bool):
            working = raw_working
        else:
            s = str(raw_working).strip().lower()
            if s in {"1", "true", "yes", "y", "班", "work", "working"}:
                working = True
            elif s in {"0", "false", "no", "n", "休", "holiday", "off"}:
                working = False
            else:
                raise CalendarError(f"Row {i}: is_working must be yes/no, got {raw_working!r}")
        out.append(CalendarEntry(day, working, name))
    return out


# ---------------------------------------------------------------------------------------------
# The calendar
# ---------------------------------------------------------------------------------------------

DaySource = Literal["entry", "statutory", "provisional", "weekly"]


@dataclass(frozen=True)
class DayInfo:
    day: date
    is_working: bool
    windows: Windows
    name: str  # holiday / adjusted-day name, "" for an ordinary day
    source: DaySource

    @property
    def name_zh(self) -> str:
        return holiday_name_zh(self.name)


Interval = tuple[datetime, datetime]


@dataclass(frozen=True)
class BusinessCalendar:
    """An immutable working calendar. Build variants with :meth:`with_entries`,
    :meth:`import_year` and :meth:`for_unit`.

    ``observe_public_holidays=False`` ignores the statutory calendar (e.g. a round-the-clock
    unit); explicit entries still apply.
    """

    tz: ZoneInfo = field(default_factory=lambda: ZoneInfo(DEFAULT_TIMEZONE))
    weekly_hours: WeeklyHours = DEFAULT_WEEKLY_HOURS
    entries: Mapping[date, CalendarEntry] = field(default_factory=dict)
    observe_public_holidays: bool = True
    statutory: ChinaStatutoryCalendar | None = None  # None: the package's data
    declared_years: frozenset[int] = frozenset()  # years completed by an import
    name: str = ""

    def __post_init__(self) -> None:
        if isinstance(self.tz, str):
            object.__setattr__(self, "tz", ZoneInfo(self.tz))
        if not isinstance(self.entries, dict) or any(
            not isinstance(v, CalendarEntry) for v in self.entries.values()
        ):
            object.__setattr__(self, "entries", _entry_map(self.entries))  # type: ignore[arg-type]
        if self.statutory is None:
            object.__setattr__(self, "statutory", china_statutory())
        object.__setattr__(self, "_interval_cache", {})
        object.__setattr__(self, "_month_cache", {})

    def __hash__(self) -> int:
        return id(self)

    # -- construction ------------------------------------------------------------------------

    @classmethod
    def china(cls, tz: str | ZoneInfo = DEFAULT_TIMEZONE, **kwargs: object) -> BusinessCalendar:
        """Default calendar: Mon–Fri 08:30–12:00, 13:00–17:30 with Chinese holidays."""
        return cls(tz=ZoneInfo(tz) if isinstance(tz, str) else tz, **kwargs)  # type: ignore[arg-type]

    def with_entries(self, entries: Iterable[CalendarEntry]) -> BusinessCalendar:
        """A copy with these explicit entries added (replacing entries for the same dates)."""
        merged = dict(self.entries)
        merged.update(_entry_map(entries))
        return _replace(self, entries=merged)

    def import_year(self, year: int, entries: Iterable[CalendarEntry]) -> BusinessCalendar:
        """Add a whole year's notice (its holidays and adjusted working days) and mark the year
        as known. Refuses entries of another year."""
        entries = list(entries)
        wrong = [e.day for e in entries if e.day.year != year]
        if wrong:
            raise CalendarError(f"Entries outside {year}: {', '.join(map(str, wrong[:5]))}")
        cal = self.with_entries(entries)
        return _replace(cal, declared_years=self.declared_years | {year})

    def for_unit(
        self,
        *,
        weekly_hours: WeeklyHours | None = None,
        entries: Iterable[CalendarEntry] = (),
        observe_public_holidays: bool | None = None,
        name: str = "",
    ) -> BusinessCalendar:
        """A unit's calendar layered on this one: the unit's hours replace the base hours if
        given; the base's entries apply, the unit's own entries win over them."""
        cal = self.with_entries(entries)
        return _replace(
            cal,
            weekly_hours=weekly_hours or self.weekly_hours,
            observe_public_holidays=(
                self.observe_public_holidays
                if observe_public_holidays is None
                else observe_public_holidays
            ),
            name=name or self.name,
        )

    # -- days --------------------------------------------------------------------------------

    @property
    def known_years(self) -> frozenset[int]:
        """Years whose holidays are known (package data or an imported year)."""
        assert self.statutory is not None
        return self.statutory.years | self.declared_years

    def year_is_known(self, year: int) -> bool:
        return year in self.known_years

    def unknown_years_between(self, start: date, end: date) -> list[int]:
        """Years in [start, end] whose holidays are not known — the UI should warn."""
        return [y for y in range(start.year, end.year + 1) if not self.year_is_known(y)]

    def year_is_provisional(self, year: int) -> bool:
        """True when the year's holidays come from the rule, not from a notice: its adjusted
        working days are unknown and a deadline counted across it may still move."""
        return self.observe_public_holidays and not self.year_is_known(year)

    def provisional_years_between(self, start: date, end: date) -> list[int]:
        """Provisional years in [start, end]: a deadline counted over them is provisional."""
        return [y for y in range(start.year, end.year + 1) if self.year_is_provisional(y)]

    def day_info(self, day: date) -> DayInfo:
        entry = self.entries.get(day)
        standard = self.weekly_hours.standard_windows
        if entry is not None:
            windows = (entry.windows if entry.windows is not None else standard) if entry.is_working else ()
            return DayInfo(day, bool(windows), windows, entry.name, "entry")
        if self.observe_public_holidays:
            assert self.statutory is not None
            s = self.statutory.lookup(day)
            if s is not None:
                windows = standard if s.is_working else ()
                return DayInfo(day, bool(windows), windows, s.name, "statutory")
            if self.year_is_provisional(day.year):
                r = RuleStatutoryCalendar.lookup(day)
                if r is not None:
                    return DayInfo(day, False, (), r.name, "provisional")
        windows = self.weekly_hours.for_weekday(day.weekday())
        return DayInfo(day, bool(windows), windows, "", "weekly")

    def windows_on(self, day: date) -> Windows:
        return self.day_info(day).windows

    def is_working_day(self, day: date) -> bool:
        return bool(self.windows_on(day))

    def next_working_day(self, day: date, n: int = 1) -> date:
        """The nth working day strictly after ``day`` (n >= 1); n <= -1 counts backwards."""
        if n == 0:
            raise CalendarError("n must not be 0")
        step = 1 if n > 0 else -1
        left, d = abs(n), day
        for _ in range(SEARCH_HORIZON_DAYS * max(1, abs(n))):
            d += timedelta(days=step)
            if self.is_working_day(d):
                left -= 1
                if left == 0:
                    return d
        raise CalendarError("No working day found within the search horizon")

    def working_days_between(self, start: date, end: date) -> int:
        """Working days in (start, end] — e.g. Friday → next Monday is 1."""
        if end <= start:
            return -self.working_days_between(end, start) if end < start else 0
        return sum(1 for i in range(1, (end - start).days + 1) if self.is_working_day(start + timedelta(days=i)))

    # -- instants ----------------------------------------------------------------------------

    def local(self, instant: datetime) -> datetime:
        _check_aware(instant)
        return instant.astimezone(self.tz)

    def _at(self, day: date, offset: timedelta) -> datetime:
        return (datetime.combine(day, time()) + offset).replace(tzinfo=self.tz)

    def day_intervals(self, day: date) -> list[Interval]:
        """The day's windows as UTC instants (cached per calendar; calendars are immutable)."""
        cache: dict[date, list[Interval]] = self._interval_cache  # type: ignore[attr-defined]
        hit = cache.get(day)
        if hit is not None:
            return hit
        if len(cache) > 20000:
            cache.clear()
        cache[day] = result = [
            (
                self._at(day, timedelta(minutes=w.start)).astimezone(UTC),
                self._at(day, timedelta(minutes=w.end)).astimezone(UTC),
            )
            for w in self.windows_on(day)
        ]
        return result

    def is_working_time(self, instant: datetime, *, include_end: bool = False) -> bool:
        """Inside a window: [start, end) by default, [start, end] with ``include_end``."""
        t = self.local(instant).astimezone(UTC)
        for day in (self.local(instant).date() - timedelta(days=1), self.local(instant).date()):
            for a, b in self.day_intervals(day):
                if a <= t < b or (include_end and t == b):
                    return True
        return False

    def _intervals_forward(self, start: datetime) -> Iterator[Interval]:
        """Working intervals (UTC) from ``start`` onwards, the first one clipped at ``start``."""
        t = self.local(start).astimezone(UTC)
        day = self.local(start).date() - timedelta(days=1)
        empty_days = 0
        while True:
            intervals = self.day_intervals(day)
            empty_days = 0 if intervals else empty_days + 1
            if empty_days > SEARCH_HORIZON_DAYS:
                raise CalendarError("The calendar has no working time within the search horizon")
            for a, b in intervals:
                if b <= t:
                    continue
                yield (max(a, t), b)
            day += timedelta(days=1)

    def next_working_instant(self, instant: datetime) -> datetime:
        """``instant`` if it is working time, else the next window's opening."""
        a, _ = next(self._intervals_forward(instant))
        return a.astimezone(self.tz)

    def previous_working_end(self, instant: datetime) -> datetime:
        """The end of the last window that ends at or before ``instant``."""
        t = self.local(instant).astimezone(UTC)
        day = self.local(instant).date() + timedelta(days=1)
        for _ in range(SEARCH_HORIZON_DAYS):
            for a, b in reversed(self.day_intervals(day)):
                if b <= t:
                    return b.astimezone(self.tz)
            day -= timedelta(days=1)
        raise CalendarError("The calendar has no working time within the search horizon")

    def working_intervals(self, start: datetime, pauses: Iterable[Interval] = ()) -> Iterator[Interval]:
        """The working intervals (UTC) from ``start`` on, outside ``pauses``, one window at a
        time (endless)."""
        return subtract_intervals(self._intervals_forward(start), normalize_pauses(pauses))

    def add_working_time(
        self, start: datetime, amount: timedelta, pauses: Iterable[Interval] = ()
    ) -> datetime:
        """The earliest instant at which ``amount`` of working time outside ``pauses`` has
        elapsed since ``start``. Zero returns ``start`` unchanged."""
        _check_aware(start)
        if amount < timedelta(0):
            raise CalendarError("Cannot add a negative amount of working time")
        if amount == timedelta(0):
            return start.astimezone(self.tz)
        remaining = amount
        for a, b in self.working_intervals(start, pauses):
            length = b - a
            if remaining <= length:
                return (a + remaining).astimezone(self.tz)
            remaining -= length
        raise AssertionError("unreachable")  # pragma: no cover - the generator is infinite

    def add_working_minutes(self, start: datetime, minutes: float, pauses: Iterable[Interval] = ()) -> datetime:
        return self.add_working_time(start, timedelta(minutes=minutes), pauses)

    def add_working_hours(self, start: datetime, hours: float, pauses: Iterable[Interval] = ()) -> datetime:
        return self.add_working_time(start, timedelta(hours=hours), pauses)

    def working_time_between(
        self, start: datetime, end: datetime, pauses: Iterable[Interval] = ()
    ) -> timedelta:
        """Working time outside ``pauses`` in [start, end]; negative if ``end < start``."""
        _check_aware(start)
        _check_aware(end)
        if end < start:
            return -self.working_time_between(end, start, pauses)
        s, e = start.astimezone(UTC), end.astimezone(UTC)
        total = self._working_in(s, e)
        for pa, pb in normalize_pauses(pauses):  # disjoint once merged: each one's share comes off
            if pb > s and pa < e:
                total -= self._working_in(max(pa, s), min(pb, e))
        return total

    def _working_in(self, s: datetime, e: datetime) -> timedelta:
        """Working time in [s, e] (UTC, s <= e): the windows of the days at either end clipped,
        the whole days between by months (``_whole_days``), so an order open for a year costs
        a few dozen steps, not one per day (an SLA clock is read for every order of a list).
        A day's windows lie within its local date (one ending at 24:00 ends at the next
        midnight), so only the first and the last day can be cut."""
        first, last = s.astimezone(self.tz).date(), e.astimezone(self.tz).date()
        total = timedelta(0)
        for day in {first, last}:
            for a, b in self.day_intervals(day):
                if b > s and a < e:
                    total += min(b, e) - max(a, s)
        return total + self._whole_days(first + timedelta(days=1), last)

    def _whole_days(self, first: date, stop: date) -> timedelta:
        """The working time of the days in [first, stop): day by day to the next month, then
        whole months (each one's total counted once per calendar), then day by day again. A
        calendar lives for one request or job: a list's orders opened in the same months share
        the months' totals, and a span of days costs what it did when every day was walked."""
        total, day = timedelta(0), first
        while day < stop and day.day != 1:
            total += self._day_total(day)
            day += timedelta(days=1)
        while (after := _next_month(day)) <= stop:
            total += self._month_total(day.year, day.month)
            day = after
        while day < stop:
            total += self._day_total(day)
            day += timedelta(days=1)
        return total

    def _day_total(self, day: date) -> timedelta:
        return sum((b - a for a, b in self.day_intervals(day)), timedelta(0))

    def _month_total(self, year: int, month: int) -> timedelta:
        """The month's working time (cached per calendar; calendars are immutable)."""
        cache: dict[tuple[int, int], timedelta] = self._month_cache  # type: ignore[attr-defined]
        hit = cache.get((year, month))
        if hit is not None:
            return hit
        day, total = date(year, month, 1), timedelta(0)
        while day.month == month:
            total += self._day_total(day)
            day += timedelta(days=1)
        cache[(year, month)] = total
        return total

    def working_position(self, instant: datetime) -> datetime:
        """``instant`` if it lies inside a window (opening excluded, closing included), else the
        end of the last window before it. Same working time elapsed, earliest instant."""
        t = self.local(instant)
        tu = t.astimezone(UTC)
        for day in (t.date() - timedelta(days=1), t.date()):
            for a, b in self.day_intervals(day):
                if a < tu <= b:
                    return t
        return self.previous_working_end(instant)

    def add_working_days(self, start: datetime, n: int) -> datetime:
        """Same clock time on the nth next working day; see the module docstring."""
        _check_aware(start)
        if n < 0:
            raise CalendarError("Cannot add a negative number of working days")
        if n == 0:
            return start.astimezone(self.tz)
        pos = self.working_position(start)
        # Day whose window holds the position: a window ending at 24:00 belongs to the day before.
        day = pos.date()
        offset = pos.replace(tzinfo=None) - datetime.combine(day, time())
        if not self._offset_in_day(day, offset):
            day -= timedelta(days=1)
            offset += timedelta(days=1)
        target = self.next_working_day(day, n)
        return self._clamp(target, offset)

    def _offset_in_day(self, day: date, offset: timedelta) -> bool:
        return any(
            timedelta(minutes=w.start) < offset <= timedelta(minutes=w.end) for w in self.windows_on(day)
        )

    def _clamp(self, day: date, offset: timedelta) -> datetime:
        windows = self.windows_on(day)
        best: timedelta | None = None
        for w in windows:
            ws, we = timedelta(minutes=w.start), timedelta(minutes=w.end)
            if ws < offset <= we:
                return self._at(day, offset)
            if we < offset:
                best = we
        if best is None:
            best = timedelta(minutes=windows[0].start)
        return self._at(day, best)


def _entry_map(entries: Iterable[CalendarEntry] | Mapping[date, CalendarEntry]) -> dict[date, CalendarEntry]:
    if isinstance(entries, Mapping):
        entries = entries.values()
    return {e.day: e for e in entries}


def _next_month(day: date) -> date:
    """The first day of the month after ``day``'s."""
    return date(day.year + 1, 1, 1) if day.month == 12 else date(day.year, day.month + 1, 1)


def _replace(cal: BusinessCalendar, **changes: object) -> BusinessCalendar:
    from dataclasses import replace

    return replace(cal, **changes)  # type: ignore[arg-type]


def _check_aware(instant: datetime) -> None:
    if not isinstance(instant, datetime) or instant.tzinfo is None or instant.utcoffset() is None:
        raise CalendarError(f"Instants must be timezone-aware datetimes, got {instant!r}")


# ---------------------------------------------------------------------------------------------
# Interval helpers (shared with the SLA module)
# ---------------------------------------------------------------------------------------------


def normalize_pauses(pauses: Iterable[Interval]) -> list[Interval]:
    """Sort, convert to UTC, drop empty ones and merge overlapping pauses."""
    out: list[Interval] = []
    for a, b in sorted((_utc(a), _utc(b)) for a, b in pauses):
        if b <= a:
            continue
        if out and a <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], b))
        else:
            out.append((a, b))
    return out


def _utc(t: datetime) -> datetime:
    _check_aware(t)
    return t.astimezone(UTC)


def subtract_intervals(intervals: Iterable[Interval], pauses: Sequence[Interval]) -> Iterator[Interval]:
    """Intervals (sorted) minus pauses (sorted, merged); empty pieces are dropped."""
    i = 0
    for a, b in intervals:
        while i < len(pauses) and pauses[i][1] <= a:
            i += 1
        j = i
        cur = a
        while j < len(pauses) and pauses[j][0] < b:
            pa, pb = pauses[j]
            if pa > cur:
                yield (cur, pa)
            cur = max(cur, pb)
            if cur >= b:
                break
            j += 1
        if cur < b:
            yield (cur, b)
