"""Published lines: kinds, the inbound-only rule, silence detection and fault records. Pure.

* ``LineKind`` — the values of ``Line.kind``.
* ``check_outbound`` — R-S1: no outbound calls on an inbound-only line.
* Silence (R-S3): "silent unusually long" is judged against the line's own history. The gaps
  between consecutive calls are grouped by the hour of the week (local time) in which the gap
  began; the *usual gap* for an hour is a high quantile (default 0.9) of its gaps. While the
  line is silent, the silence that began with the last call is compared with the usual gap of
  that call's hour of the week: alert when it exceeds ``max(minimum_minutes, factor × usual)``.
  A bucket with too few samples falls back to the whole week's gaps; with no history at all only
  the minimum applies. Outside the line's working hours (when given) no alert is raised — the
  line is forwarded then (R-S2).
* Faults (R-S3): ``open_fault`` / ``close_fault`` — cause, start and end; reported to the
  technical department.

Who answers a line now (R-S2 after-hours forwarding, R-S5 deputy) is decided by
``zongji.domain.transfer.decide_transfer`` with a ``Target(kind=TargetKind.LINE, …)``;
``LineConfig.as_target()`` builds it.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from enum import StrEnum

from zongji.domain.transfer import Contact, Reason, Target, TargetKind
from zongji.domain.working_hours import FieldError, HoursExceptions, WorkingHours


class LineKind(StrEnum):
    SWITCHBOARD = "switchboard"
    HOTLINE_400 = "hotline_400"
    HOTLINE_12345 = "hotline_12345"


@dataclass(frozen=True)
class LineConfig:
    """A line's routing configuration (from ``Line`` plus its responsible person and deputy)."""

    code: str
    name: str
    kind: LineKind
    number: str
    inbound_only: bool = False
    hours: WorkingHours | None = None  # None: always answered
    responsible: Contact | None = None
    deputy: Contact | None = None
    after_hours: Contact | None = None  # R-S2: e.g. the customer-service manager's mobile
    name_en: str | None = None

    def as_target(self) -> Target:
        r = self.responsible
        return Target(kind=TargetKind.LINE, name=self.name, name_en=self.name_en,
                      number=r.number if r else None, title=r.label().zh if r else None,
                      on_leave=bool(r and (r.on_leave or not r.reachable)), hours=self.hours,
                      deputy=self.deputy, after_hours=self.after_hours)


def check_outbound(*, inbound_only: bool, line_name: str) -> Reason | None:
    """R-S1: the reason to refuse an outbound call on this line, or None when allowed."""
    if not inbound_only:
        return None
    return Reason("inbound_only", f"{line_name}号码只能接听来电，不能外呼。",
                  f"{line_name} is inbound only: no outbound calls.")


# --------------------------------------------------------------------------- silence


@dataclass(frozen=True)
class SilencePolicy:
    minimum_minutes: float = 30.0  # never alert sooner than this
    factor: float = 2.0  # … nor before factor × the usual gap
    quantile: float = 0.9  # the usual gap of an hour: this quantile of its gaps
    min_samples: int = 3  # fewer gaps in an hour-of-week bucket → use the whole week
    history_days: int = 28  # how much history the service should pass in


def hour_of_week(at: dt.datetime, tz: dt.tzinfo) -> int:
    """0 = Monday 00:00–00:59 … 167 = Sunday 23:00–23:59, local time."""
    local = at.astimezone(tz)
    return local.weekday() * 24 + local.hour


def _quantile(values: Sequence[float], q: float) -> float:
    s = sorted(values)
    if not s:
        raise ValueError("no values")
    pos = (len(s) - 1) * q
    lo, hi = math.floor(pos), math.ceil(pos)
    return s[lo] + (s[hi] - s[lo]) * (pos - lo)


@dataclass(frozen=True)
class UsualGaps:
    """Usual gap (minutes) per hour of the week, plus the whole week's."""

    by_hour: dict[int, float]
    overall: float | None
    samples: dict[int, int]

    def usual_for(self, how: int, min_samples: int) -> tuple[float | None, str]:
        if self.samples.get(how, 0) >= min_samples:
            return self.by_hour[how], "hour_of_week"
        if self.overall is not None:
            return self.overall, "overall"
        return None, "none"


def usual_gaps(call_times: Iterable[dt.datetime], tz: dt.tzinfo,
               policy: SilencePolicy = SilencePolicy()) -> UsualGaps:
    """Learn the usual gaps from the start times of past calls on one line."""
    times = sorted(call_times)
    buckets: dict[int, list[float]] = {}
    allgaps: list[float] = []
    for a, b in zip(times, times[1:]):
        gap = (b - a).total_seconds() / 60
        if gap <= 0:
            continue
        buckets.setdefault(hour_of_week(a, tz), []).append(gap)
        allgaps.append(gap)
    return UsualGaps(
        by_hour={h: _quantile(g, policy.quantile) for h, g in buckets.items()},
        overall=_quantile(allgaps, policy.quantile) if allgaps else None,
        samples={h: len(g) for h, g in buckets.items()},
    )


def quantile(values: Sequence[float], q: float) -> float:
    """The ``q`` quantile of ``values`` with linear interpolation (as ``usual_gaps`` uses)."""
    return _quantile(values, q)


def quantile_positions(n: int, q: float) -> tuple[int, int]:
    """The two positions (0-based, ascending order) whose values the ``q`` quantile of ``n``
    values interpolates between."""
    pos = (n - 1) * q
    return math.floor(pos), math.ceil(pos)


def usual_for_hour(how: int, hour_gaps: Sequence[float], overall: float | None,
                   policy: SilencePolicy = SilencePolicy()) -> UsualGaps:
    """The usual gaps as ``usual_gaps`` learns them, for the one hour of the week ``how`` that a
    check needs: ``hour_gaps`` are the positive gaps that began in that hour, ``overall`` the
    quantile of every gap (only consulted when the hour has fewer than ``min_samples``)."""
    gaps = [g for g in hour_gaps if g > 0]
    return UsualGaps(by_hour={how: _quantile(gaps, policy.quantile)} if gaps else {},
                     overall=overall, samples={how: len(gaps)} if gaps else {})


def hour_of_week_spans(how: int, start: dt.datetime, end: dt.datetime,
                       tz: dt.tzinfo) -> list[tuple[dt.datetime, dt.datetime]]:
    """The instants of [start, end) whose local hour of the week is ``how``, as merged spans
    [a, b). Every time zone's offset is a multiple of a quarter hour, so quarter hours are
    checked one by one (a shift of the clock inside the window is followed)."""
    step = dt.timedelta(minutes=15)
    epoch = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
    t = epoch + step * ((start - epoch) // step)
    spans: list[tuple[dt.datetime, dt.datetime]] = []
    while t < end:
        if hour_of_week(t, tz) == how:
            a, b = max(t, start), min(t + step, end)
            if spans and spans[-1][1] == a:
                spans[-1] = (spans[-1][0], b)
            else:
                spans.append((a, b))
        t += step
    return spans


@dataclass(frozen=True)
class SilenceAlert:
    line_code: str
    silent_since: dt.datetime  # the last call
    at: dt.datetime
    silent_minutes: float
    threshold_minutes: float
    usual_minutes: float | None
    basis: str  # "hour_of_week" | "overall" | "none"
    message: Reason
    test_call_ok: bool | None = None
    test_call_at: dt.datetime | None = None
    test_call_by: str | None = None


def check_silence(*, line_code: str, last_call_at: dt.datetime | None, now: dt.datetime,
                  tz: dt.tzinfo, usual: UsualGaps, policy: SilencePolicy = SilencePolicy(),
                  hours: WorkingHours | None = None,
                  exceptions: HoursExceptions | Iterable[dt.date] | None = None) -> SilenceAlert | None:
    """An alert to test-call the line when it has been silent longer than usual (R-S3), else None.

    ``last_call_at`` None (no call ever): no alert — nothing is known about the line yet.
    """
    if now.tzinfo is None:
        raise ValueError("now: a timezone-aware datetime is required")
    if last_call_at is None:
        return None
    if hours is not None and not hours.is_open_at(now, tz, exceptions):
        return None
    silent = (now - last_call_at).total_seconds() / 60
    u, basis = usual.usual_for(hour_of_week(last_call_at, tz), policy.min_samples)
    threshold = max(policy.minimum_minutes, policy.factor * u) if u is not None else policy.minimum_minutes
    if silent <= threshold:
        return None
    mins = int(silent)
    return SilenceAlert(
        line_code=line_code, silent_since=last_call_at, at=now, silent_minutes=silent,
        threshold_minutes=threshold, usual_minutes=u, basis=basis,
        message=Reason("line_silent", f"线路 {line_code} 已 {mins} 分钟没有来电，超过平常，请拨打测试电话。",
                       f"Line {line_code} has had no calls for {mins} minutes, longer than usual: "
                       "make a test call."),
    )


def record_test_call(alert: SilenceAlert, *, ok: bool, at: dt.datetime, by: str) -> SilenceAlert:
    """Record the test call's result; a failed test call means a fault to open (``open_fault``)."""
    return replace(alert, test_call_ok=ok, test_call_at=at, test_call_by=by)


# --------------------------------------------------------------------------- faults


class FaultError(ValueError):
    def __init__(self, errors: Iterable[FieldError]):
        self.errors = tuple(errors)
        self.field = self.errors[0].field if self.errors else None
        super().__init__("; ".join(f"{e.field}: {e.message}" for e in self.errors))


@dataclass(frozen=True)
class FaultRecord:
    """A line fault (R-S3): cause, start and end; reported to the technical department."""

    line_code: str
    cause: str
    started_at: dt.datetime
    reported_at: dt.datetime
    reported_by: str
    reported_to: str = "技术部"
    ended_at: dt.datetime | None = None
    resolution: str | None = None
    closed_by: str | None = None

    @property
    def open(self) -> bool:
        return self.ended_at is None

    def duration(self, now: dt.datetime | None = None) -> dt.timedelta | None:
        end = self.ended_at or now
        return None if end is None else end - self.started_at


def open_fault(*, line_code: str, cause: str, started_at: dt.datetime, reported_at: dt.datetime,
               reported_by: str, reported_to: str = "技术部") -> FaultRecord:
    errors = []
    if not (line_code or "").strip():
        errors.append(FieldError("line_code", "required"))
    if not (cause or "").strip():
        errors.append(FieldError("cause", "required: what is wrong (e.g. no ringing on test call)"))
    if not (reported_by or "").strip():
        errors.append(FieldError("reported_by", "required"))
    if started_at is None or started_at.tzinfo is None:
        errors.append(FieldError("started_at", "a timezone-aware time is required"))
    if reported_at is None or reported_at.tzinfo is None:
        errors.append(FieldError("reported_at", "a timezone-aware time is required"))
    elif started_at is not None and started_at.tzinfo is not None and reported_at < started_at:
        errors.append(FieldError("reported_at", "cannot be before the fault started"))
    if errors:
        raise FaultError(errors)
    return FaultRecord(line_code=line_code.strip(), cause=cause.strip(), started_at=started_at,
                       reported_at=reported_at, reported_by=reported_by.strip(), reported_to=reported_to)


def close_fault(fault: FaultRecord, *, ended_at: dt.datetime, by: str, resolution: str | None = None) -> FaultRecord:
    if not fault.open:
        raise FaultError([FieldError("ended_at", "the fault is already closed")])
    if ended_at.tzinfo is None:
        raise FaultError([FieldError("ended_at", "a timezone-aware time is required")])
    if ended_at < fault.started_at:
        raise FaultError([FieldError("ended_at", "cannot be before the fault started")])
    return replace(fault, ended_at=ended_at, resolution=resolution, closed_by=by)


__all__ = [
    "FaultError",
    "FaultRecord",
    "LineConfig",
    "LineKind",
    "SilenceAlert",
    "SilencePolicy",
    "UsualGaps",
    "check_outbound",
    "check_silence",
    "close_fault",
    "hour_of_week",
    "hour_of_week_spans",
    "open_fault",
    "quantile",
    "quantile_positions",
    "record_test_call",
    "usual_for_hour",
    "usual_gaps",
]
