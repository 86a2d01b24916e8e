"""SLA policies and clocks for work orders (R-P4, R-P5, R-P6, R-S10, R-S11, R-G5; issue 4).

Pure: no I/O. Every number is a policy field; :data:`DEFAULT_POLICIES` holds the requirements'
defaults.

**Targets.** A :class:`Target` is an amount of time and a *basis*: ``calendar`` time (the clock
runs day and night — a 12345 centre dispatches round the clock, so "dispatch within 1 hour" is
one calendar hour by default) or ``working`` time on a :class:`BusinessCalendar` (minutes, hours,
or working days; "N working days" is defined in ``business_calendar``). A target of zero is "at
once": the deadline is the clock's start.

**Policies.** An :class:`SlaPolicy` matches orders by line kind, order type, category, urgency
and complexity (``None`` = any). All matching policies are merged field by field, the most
specific last, so the most specific match wins for each field it sets and inherits the others
(``None`` = inherit; :data:`NO_TARGET` switches a clock off). Specificity, strongest first:
urgency (16), complexity (8), category (4, deeper paths win among categories), order type (2),
line kind (1); ties go to the later policy in the list (an admin's later edits).

**Clocks** (:class:`ClockKind`):

===========  ==================================  =========================================
clock        starts                               stops
===========  ==================================  =========================================
dispatch     created (or when a duplicate was     first dispatch, or bound as a duplicate
             unbound before any dispatch)         that follows its primary (R-P8)
first_reply  created                              first status update to the caller, or close
completion   ``completion_from``: created /       the unit's reply (or close, when the clock
             dispatched (latest dispatch) /       started at creation)
             accepted
callback     the unit's reply                     callback recorded, or close
===========  ==================================  =========================================

A clock whose start has not happened yet is absent from the report. Pauses (waiting for the
caller) stop the clocks listed in ``pausable`` (first reply and completion by default): the
deadline moves by the paused time. An explicit ``completion_deadline`` on the order (set at
dispatch, moved by a granted extension) replaces the computed nominal deadline; pauses still
extend it.

State of a clock at ``now``: ``met`` / ``met_late`` once stopped (on or before / after the
deadline); otherwise ``breached`` after the deadline, ``warning`` once ``warning_share`` (default
0.8) of its budget is consumed, else ``on_time``. Each report carries ``warning_at`` and
``deadline`` for the reminder timers.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, fields
from datetime import UTC, datetime, timedelta
from enum import StrEnum

from zongji.domain.business_calendar import BusinessCalendar, Interval, normalize_pauses, subtract_intervals
from zongji.domain.work_orders.state import WorkOrderState
from zongji.domain.work_orders.words import FINAL_STATUSES, Complexity, OrderType, Status, Urgency

DEFAULT_WARNING_SHARE = 0.8


class TimeBasis(StrEnum):
    CALENDAR = "calendar"
    WORKING = "working"


class TimeUnit(StrEnum):
    MINUTES = "minutes"
    HOURS = "hours"
    DAYS = "days"


class ClockKind(StrEnum):
    DISPATCH = "dispatch"
    FIRST_REPLY = "first_reply"
    COMPLETION = "completion"
    CALLBACK = "callback"


class ClockState(StrEnum):
    ON_TIME = "on_time"
    WARNING = "warning"
    BREACHED = "breached"
    MET = "met"
    MET_LATE = "met_late"


class ClockStart(StrEnum):
    CREATED = "created"
    DISPATCHED = "dispatched"
    ACCEPTED = "accepted"


class RestDayStart(StrEnum):
    """How an order received on a non-working day counts working days (a policy setting).

    ``next_day_is_day_1`` (default): the next working day is day 1 — received Saturday,
    "1 working day" ends Monday at closing time. ``after_next_day``: the next working day is
    the day of receipt and counting starts after it — received Saturday, "1 working day" ends
    Tuesday at closing time. Only targets in working days are affected.
    """

    NEXT_DAY_IS_DAY_1 = "next_day_is_day_1"
    AFTER_NEXT_DAY = "after_next_day"


class SlaError(ValueError):
    pass


# ---------------------------------------------------------------------------------------------
# Targets
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Target:
    """``value`` ``unit`` of ``basis`` time; ``enabled=False`` is "no such clock"."""

    value: float
    unit: TimeUnit
    basis: TimeBasis
    enabled: bool = True

    def __post_init__(self) -> None:
        object.__setattr__(self, "unit", TimeUnit(self.unit))
        object.__setattr__(self, "basis", TimeBasis(self.basis))
        if self.value < 0:
            raise SlaError("A target cannot be negative")
        if self.unit is TimeUnit.DAYS and self.basis is TimeBasis.WORKING and self.value != int(self.value):
            raise SlaError("Working days must be a whole number")

    @classmethod
    def calendar_minutes(cls, v: float) -> Target:
        return cls(v, TimeUnit.MINUTES, TimeBasis.CALENDAR)

    @classmethod
    def calendar_hours(cls, v: float) -> Target:
        return cls(v, TimeUnit.HOURS, TimeBasis.CALENDAR)

    @classmethod
    def calendar_days(cls, v: float) -> Target:
        return cls(v, TimeUnit.DAYS, TimeBasis.CALENDAR)

    @classmethod
    def working_minutes(cls, v: float) -> Target:
        return cls(v, TimeUnit.MINUTES, TimeBasis.WORKING)

    @classmethod
    def working_hours(cls, v: float) -> Target:
        return cls(v, TimeUnit.HOURS, TimeBasis.WORKING)

    @classmethod
    def working_days(cls, v: int) -> Target:
        return cls(v, TimeUnit.DAYS, TimeBasis.WORKING)

    @classmethod
    def at_once(cls) -> Target:
        return cls(0, TimeUnit.MINUTES, TimeBasis.CALENDAR)

    @property
    def fixed_duration(self) -> timedelta | None:
        """The amount as a duration, except for working days (which depend on the start)."""
        if self.unit is TimeUnit.DAYS and self.basis is TimeBasis.WORKING:
            return None
        per = {TimeUnit.MINUTES: timedelta(minutes=1), TimeUnit.HOURS: timedelta(hours=1), TimeUnit.DAYS: timedelta(days=1)}
        return per[self.unit] * self.value

    def budget(self, calendar: BusinessCalendar, start: datetime) -> timedelta:
        """The amount of basis time this target allows from ``start`` (working days become the
        working time between ``start`` and the nominal deadline)."""
        d = self.fixed_duration
        if d is not None:
            return d
        return calendar.working_time_between(start, calendar.add_working_days(start, int(self.value)))

    def describe(self) -> str:
        if not self.enabled:
            return "none"
        v = int(self.value) if self.value == int(self.value) else self.value
        return f"{v} {self.basis} {self.unit}" if self.value else "at once"

    def to_dict(self) -> dict[str, object]:
        return {"value": self.value, "unit": str(self.unit), "basis": str(self.basis), "enabled": self.enabled}

    @classmethod
    def from_dict(cls, d: dict[str, object]) -> Target:
        return cls(float(d["value"]), TimeUnit(d["unit"]), TimeBasis(d["basis"]), bool(d.get("enabled", True)))  # type: ignore[arg-type]


NO_TARGET = Target(0, TimeUnit.MINUTES, TimeBasis.CALENDAR, enabled=False)


def add_time(
    basis: TimeBasis, calendar: BusinessCalendar, start: datetime, amount: timedelta, pauses: Iterable[Interval] = ()
) -> datetime:
    """The instant when ``amount`` of basis time outside pauses has elapsed since ``start``."""
    if basis is TimeBasis.WORKING:
        return calendar.add_working_time(start, amount, pauses)
    if amount < timedelta(0):
        raise SlaError("Cannot add a negative amount")
    if amount == timedelta(0):
        return start.astimezone(calendar.tz)
    remaining = amount
    s = start.astimezone(UTC)
    cur = s
    for a, b in normalize_pauses(pauses):
        if b <= cur:
            continue
        if a > cur:
            if remaining <= a - cur:
                return (cur + remaining).astimezone(calendar.tz)
            remaining -= a - cur
        cur = max(cur, b)
    return (cur + remaining).astimezone(calendar.tz)


def time_between(
    basis: TimeBasis, calendar: BusinessCalendar, start: datetime, end: datetime, pauses: Iterable[Interval] = ()
) -> timedelta:
    """Basis time outside pauses from ``start`` to ``end`` (negative if end < start)."""
    if basis is TimeBasis.WORKING:
        return calendar.working_time_between(start, end, pauses)
    if end < start:
        return -time_between(basis, calendar, end, start, pauses)
    s, e = start.astimezone(UTC), end.astimezone(UTC)
    return sum((b - a for a, b in subtract_intervals([(s, e)], normalize_pauses(pauses))), timedelta(0))


def rest_day_start(
    target: Target, calendar: BusinessCalendar, start: datetime, rule: RestDayStart = RestDayStart.NEXT_DAY_IS_DAY_1
) -> datetime:
    """Where a working-days count begins: ``start`` itself, or — received on a non-working day
    under ``after_next_day`` — the close of the next working day (so that day is day 0)."""
    if (rule is RestDayStart.AFTER_NEXT_DAY and target.unit is TimeUnit.DAYS and target.basis is TimeBasis.WORKING
            and not calendar.is_working_day(calendar.local(start).date())):
        day = calendar.next_working_day(calendar.local(start).date())
        last = calendar.windows_on(day)[-1]
        return calendar._at(day, timedelta(minutes=last.end))
    return start


def compute_deadline(
    target: Target, calendar: BusinessCalendar, start: datetime, pauses: Iterable[Interval] = (),
    rest_day: RestDayStart = RestDayStart.NEXT_DAY_IS_DAY_1,
) -> datetime:
    """Deadline of ``target`` started at ``start``, moved by ``pauses``. Use it e.g. for the
    ``completion_deadline`` passed to ``Dispatch`` (with the unit's calendar). ``rest_day``: see
    :class:`RestDayStart`."""
    if not target.enabled:
        raise SlaError("This target is switched off")
    start = rest_day_start(target, calendar, start, rest_day)
    pauses = list(pauses)
    if not pauses and target.unit is TimeUnit.DAYS and target.basis is TimeBasis.WORKING:
        return calendar.add_working_days(start, int(target.value))
    return add_time(target.basis, calendar, start, target.budget(calendar, start), pauses)


# ---------------------------------------------------------------------------------------------
# Policies
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class OrderContext:
    """What policy matching looks at."""

    order_type: OrderType
    line_kind: str | None = None
    category: str | None = None  # a path like "city/street_lights"; ancestors match too
    urgency: Urgency = Urgency.NORMAL
    complexity: Complexity | None = None

    @classmethod
    def from_state(cls, s: WorkOrderState) -> OrderContext:
        return cls(s.order_type, s.line_kind, s.category, s.urgency, s.complexity)


_POLICY_FIELDS = (
    "dispatch",
    "first_reply",
    "completion",
    "completion_max",
    "callback",
    "status_update_after",
    "status_update_every",
    "completion_from",
    "warning_share",
    "pausable",
    "rest_day_start",
)


@dataclass(frozen=True)
class SlaPolicy:
    """One configurable rule. Criteria ``None`` match anything; values ``None`` inherit."""

    name: str = ""
    # -- criteria
    line_kind: str | None = None
    order_type: OrderType | None = None
    category: str | None = None
    urgency: Urgency | None = None
    complexity: Complexity | None = None
    # -- values
    dispatch: Target | None = None  # R-P4
    first_reply: Target | None = None  # R-S10 complaints
    completion: Target | None = None  # R-P5, R-S10
    completion_max: Target | None = None  # limit for extensions (R-S10 "at most")
    callback: Target | None = None  # R-P6
    status_update_after: Target | None = None  # R-S11: tell progress if not finished by then
    status_update_every: Target | None = None  # after a status update, the next one is due
    completion_from: ClockStart | None = None
    warning_share: float | None = None
    pausable: frozenset[ClockKind] | None = None
    rest_day_start: RestDayStart | None = None  # an order received on a non-working day

    def __post_init__(self) -> None:
        if self.warning_share is not None and not (0 < self.warning_share <= 1):
            raise SlaError("warning_share must be in (0, 1]")

    def matches(self, ctx: OrderContext) -> bool:
        return (
            (self.line_kind is None or self.line_kind == ctx.line_kind)
            and (self.order_type is None or self.order_type == ctx.order_type)
            and (self.urgency is None or self.urgency == ctx.urgency)
            and (self.complexity is None or self.complexity == ctx.complexity)
            and (self.category is None or _category_covers(self.category, ctx.category))
        )

    @property
    def specificity(self) -> tuple[int, int]:
        weight = (
            16 * (self.urgency is not None)
            + 8 * (self.complexity is not None)
            + 4 * (self.category is not None)
            + 2 * (self.order_type is not None)
            + 1 * (self.line_kind is not None)
        )
        depth = len(self.category.split("/")) if self.category else 0
        return weight, depth


def _category_covers(policy_category: str, order_category: str | None) -> bool:
    if not order_category:
        return False
    return order_category == policy_category or order_category.startswith(policy_category + "/")


@dataclass(frozen=True)
class ResolvedPolicy:
    """Every field concrete; ``sources`` names the policy each value came from."""

    dispatch: Target
    first_reply: Target
    completion: Target
    completion_max: Target
    callback: Target
    status_update_after: Target
    status_update_every: Target
    completion_from: ClockStart
    warning_share: float
    pausable: frozenset[ClockKind]
    rest_day_start: RestDayStart = RestDayStart.NEXT_DAY_IS_DAY_1
    sources: dict[str, str] = field(default_factory=dict, compare=False)

    def target(self, kind: ClockKind) -> Target:
        return getattr(self, str(kind))


BUILTIN_FALLBACK = SlaPolicy(
    name="built-in",
    dispatch=NO_TARGET,
    first_reply=NO_TARGET,
    completion=NO_TARGET,
    completion_max=NO_TARGET,
    callback=NO_TARGET,
    status_update_after=NO_TARGET,
    status_update_every=NO_TARGET,
    completion_from=ClockStart.DISPATCHED,
    warning_share=DEFAULT_WARNING_SHARE,
    pausable=frozenset({ClockKind.FIRST_REPLY, ClockKind.COMPLETION}),
    rest_day_start=RestDayStart.NEXT_DAY_IS_DAY_1,
)


def resolve_policy(policies: Sequence[SlaPolicy], ctx: OrderContext) -> ResolvedPolicy:
    """Merge the policies matching ``ctx``, least specific first; unset fields are off."""
    matching = [(p.specificity, i, p) for i, p in enumerate(policies) if p.matches(ctx)]
    matching.sort(key=lambda t: (t[0], t[1]))
    values: dict[str, object] = {}
    sources: dict[str, str] = {}
    for _, _, p in [((0, 0), -1, BUILTIN_FALLBACK), *matching]:
        for name in _POLICY_FIELDS:
            v = getattr(p, name)
            if v is not None:
                values[name] = v
                sources[name] = p.name
    return ResolvedPolicy(**values, sources=sources)  # type: ignore[arg-type]


# Defaults from the requirements. "At once" for simple complaints is 30 calendar minutes (the
# time to finish the call and its record); urgent and emergency numbers are our defaults for
# "at once / short" (R-P3, R-P5).
DEFAULT_POLICIES: tuple[SlaPolicy, ...] = (
    SlaPolicy(
        name="default",
        dispatch=Target.calendar_hours(1),  # R-P4, the centre dispatches round the clock
        completion=Target.working_days(5),  # R-P5 "3–5 working days": the outer bound
        callback=Target.working_days(3),  # R-P6
        status_update_every=Target.working_days(1),  # R-S10/R-G5: keep the caller informed
        completion_from=ClockStart.DISPATCHED,
        warning_share=DEFAULT_WARNING_SHARE,
    ),
    SlaPolicy(
        name="urgent",
        urgency=Urgency.URGENT,
        dispatch=Target.calendar_minutes(15),  # phone dispatch (R-P3)
        completion=Target.calendar_hours(24),
    ),
    SlaPolicy(
        name="emergency",
        urgency=Urgency.EMERGENCY,
        dispatch=Target.calendar_minutes(5),
        completion=Target.calendar_hours(4),
    ),
    SlaPolicy(
        name="400 complaint",
        line_kind="hotline_400",
        order_type=OrderType.COMPLAINT,
        first_reply=Target.working_hours(2),  # R-S10: first reply within 2 h of acceptance
        completion=Target.working_days(1),  # unclassified = general
        completion_max=Target.working_days(3),
        completion_from=ClockStart.CREATED,
    ),
    SlaPolicy(
        name="400 complaint, simple",
        line_kind="hotline_400",
        order_type=OrderType.COMPLAINT,
        complexity=Complexity.SIMPLE,
        completion=Target.calendar_minutes(30),  # "at once"
        completion_max=Target.working_days(1),
    ),
    SlaPolicy(
        name="400 complaint, general",
        line_kind="hotline_400",
        order_type=OrderType.COMPLAINT,
        complexity=Complexity.GENERAL,
        completion=Target.working_days(1),
        completion_max=Target.working_days(3),
    ),
    SlaPolicy(
        name="400 complaint, complex",
        line_kind="hotline_400",
        order_type=OrderType.COMPLAINT,
        complexity=Complexity.COMPLEX,
        completion=Target.working_days(5),
        completion_max=Target.working_days(7),
    ),
)

# R-S11 utility variant (a gas company's 400 line): add to the policies to tell the customer the
# progress when an order is not finished 24 hours after it was created.
UTILITY_POLICIES: tuple[SlaPolicy, ...] = (
    SlaPolicy(
        name="utility: progress after 24 h",
        line_kind="hotline_400",
        status_update_after=Target.calendar_hours(24),
    ),
)


def default_policies(*, utility: bool = False) -> tuple[SlaPolicy, ...]:
    return DEFAULT_POLICIES + (UTILITY_POLICIES if utility else ())


# ---------------------------------------------------------------------------------------------
# Clocks
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class OrderTimes:
    """The order's timestamps the clocks read (build it with :meth:`from_state`)."""

    created_at: datetime
    first_dispatched_at: datetime | None = None
    dispatched_at: datetime | None = None
    accepted_at: datetime | None = None
    first_reply_at: datetime | None = None
    replied_at: datetime | None = None
    callback_done_at: datetime | None = None
    closed_at: datetime | None = None  # set when the order is closed (directly or after callback)
    closed_directly: bool = False
    completion_deadline: datetime | None = None  # explicit (set at dispatch, extended)
    last_status_update_at: datetime | None = None
    pauses: tuple[tuple[datetime, datetime | None], ...] = ()
    bound_at: datetime | None = None  # bound as a duplicate: follows its primary from then (R-P8)
    dispatch_clock_from: datetime | None = None  # returned or unbound: the dispatch clock restarts from then
    dispatch_clock_to: datetime | None = None  # … until this dispatch

    @classmethod
    def from_state(cls, s: WorkOrderState) -> OrderTimes:
        return cls(
            created_at=s.created_at,
            first_dispatched_at=s.first_dispatched_at,
            dispatched_at=s.dispatched_at,
            accepted_at=s.accepted_at,
            first_reply_at=s.first_reply_at,
            replied_at=s.replied_at,
            callback_done_at=s.callback.at if s.callback else None,
            closed_at=s.closed_at if s.status in FINAL_STATUSES else None,
            closed_directly=s.status is Status.CLOSED_DIRECTLY,
            completion_deadline=s.completion_deadline,
            last_status_update_at=s.last_status_update_at,
            pauses=tuple((p.start, p.end) for p in s.pauses),
            bound_at=s.bound_at,
            dispatch_clock_from=s.dispatch_clock_from,
            dispatch_clock_to=s.dispatch_clock_to,
        )

    def pause_intervals(self, now: datetime) -> list[Interval]:
        return [(a, b if b is not None else max(a, now)) for a, b in self.pauses]

    def is_paused(self, now: datetime) -> bool:
        return any(a <= now and (b is None or now < b) for a, b in self.pauses)


@dataclass(frozen=True)
class ClockReport:
    kind: ClockKind
    state: ClockState
    basis: TimeBasis
    target: Target
    started_at: datetime
    deadline: datetime
    warning_at: datetime
    stopped_at: datetime | None
    budget: timedelta  # basis time allowed
    consumed: timedelta  # basis time used (up to now or the stop)
    remaining: timedelta  # basis time left until the deadline (negative once late)
    paused: bool
    max_deadline: datetime | None = None  # completion: limit for extensions
    # Years counted by rule (their notice not imported) between the start and the deadline of a
    # working-time clock: the deadline may still move when the year is imported (issue 8).
    provisional_years: tuple[int, ...] = ()

    @property
    def share(self) -> float:
        if self.budget <= timedelta(0):
            return 1.0 if self.consumed > timedelta(0) else 0.0
        return self.consumed / self.budget

    def to_dict(self) -> dict[str, object]:
        return {
            "kind": str(self.kind),
            "state": str(self.state),
            "basis": str(self.basis),
            "target": self.target.describe(),
            "started_at": self.started_at.isoformat(),
            "deadline": self.deadline.isoformat(),
            "warning_at": self.warning_at.isoformat(),
            "stopped_at": self.stopped_at.isoformat() if self.stopped_at else None,
            "budget_seconds": int(self.budget.total_seconds()),
            "consumed_seconds": int(self.consumed.total_seconds()),
            "remaining_seconds": int(self.remaining.total_seconds()),
            "share": round(self.share, 4),
            "paused": self.paused,
            "max_deadline": self.max_deadline.isoformat() if self.max_deadline else None,
            "provisional_years": list(self.provisional_years),
        }


def _clock_bounds(kind: ClockKind, p: ResolvedPolicy, t: OrderTimes) -> tuple[datetime | None, datetime | None]:
    """(start, stop) of a clock; start None = not started (or not applicable)."""
    final = t.closed_at
    if kind is ClockKind.DISPATCH:
        if t.first_dispatched_at is None and (t.closed_directly or final is not None):
            return None, None
        # A duplicate following its primary is not dispatched on its own: its clock stops when it
        # was bound (R-P8). Returned (退单) or unbound, the order waits for a unit again: a fresh
        # clock from then until the next dispatch (issue 8).
        start = t.dispatch_clock_from or t.created_at
        ended = t.dispatch_clock_to if t.dispatch_clock_from else None
        if ended is None and t.first_dispatched_at is not None and t.first_dispatched_at >= start:
            ended = t.first_dispatched_at  # also orders stored before dispatch_clock_to existed
        stops = [x for x in (ended, t.bound_at) if x is not None and x >= start]
        return start, min(stops) if stops else None
    if kind is ClockKind.FIRST_REPLY:
        stops = [x for x in (t.first_reply_at, final) if x is not None]
        return t.created_at, min(stops) if stops else None
    if kind is ClockKind.COMPLETION:
        start = {
            ClockStart.CREATED: t.created_at,
            ClockStart.DISPATCHED: t.dispatched_at,
            ClockStart.ACCEPTED: t.accepted_at,
        }[p.completion_from]
        if start is None:
            return None, None
        stop = t.replied_at
        if stop is None and final is not None:
            stop = final
        if stop is None and t.bound_at is not None and t.bound_at >= start:
            stop = t.bound_at  # following a primary: the primary's unit answers for it (R-P8)
        return start, stop
    # callback
    if t.replied_at is None:
        return None, None
    stops = [x for x in (t.callback_done_at, final) if x is not None and x >= t.replied_at]
    return t.replied_at, min(stops) if stops else None


def evaluate_clock(
    kind: ClockKind,
    policy: ResolvedPolicy,
    calendar: BusinessCalendar,
    times: OrderTimes,
    now: datetime,
    *,
    unit_calendar: BusinessCalendar | None = None,
) -> ClockReport | None:
    """One clock's report, or None if the policy has no such clock or it has not started.
    The completion clock uses ``unit_calendar`` when given (the unit's own hours)."""
    target = policy.target(kind)
    if not target.enabled:
        return None
    start, stop = _clock_bounds(kind, policy, times)
    if start is None:
        return None
    cal = unit_calendar if (kind is ClockKind.COMPLETION and unit_calendar is not None) else calendar
    basis = target.basis
    pauses = times.pause_intervals(now) if kind in policy.pausable else []
    if kind is ClockKind.COMPLETION and times.completion_deadline is not None:
        nominal = max(start, times.completion_deadline)
    else:
        nominal = compute_deadline(target, cal, start, rest_day=policy.rest_day_start)
    budget = time_between(basis, cal, start, nominal)
    # Without pauses the nominal deadline stands as computed (or as set on the order).
    deadline = add_time(basis, cal, start, budget, pauses) if pauses else nominal.astimezone(cal.tz)
    warning_at = add_time(basis, cal, start, budget * policy.warning_share, pauses)
    end = stop if stop is not None else now
    consumed = max(timedelta(0), time_between(basis, cal, start, end, pauses)) if end >= start else timedelta(0)
    remaining = time_between(basis, cal, end, deadline, pauses)
    if stop is not None:
        state = ClockState.MET if stop <= deadline else ClockState.MET_LATE
    elif now > deadline:
        state = ClockState.BREACHED
    elif budget > timedelta(0) and consumed >= budget * policy.warning_share:
        state = ClockState.WARNING
    else:
        state = ClockState.ON_TIME
    max_deadline = None
    if kind is ClockKind.COMPLETION and policy.completion_max.enabled:
        mb = policy.completion_max.budget(cal, start)
        max_deadline = add_time(policy.completion_max.basis, cal, start, mb, pauses)
    return ClockReport(
        kind=kind,
        state=state,
        basis=basis,
        target=target,
        started_at=start,
        deadline=deadline,
        warning_at=warning_at,
        stopped_at=stop,
        budget=budget,
        consumed=consumed,
        remaining=remaining,
        paused=stop is None and kind in policy.pausable and times.is_paused(now),
        max_deadline=max_deadline,
        provisional_years=(
            tuple(cal.provisional_years_between(cal.local(start).date(), cal.local(deadline).date()))
            if basis is TimeBasis.WORKING else ()
        ),
    )


def evaluate_clocks(
    policy: ResolvedPolicy,
    calendar: BusinessCalendar,
    times: OrderTimes,
    now: datetime,
    *,
    unit_calendar: BusinessCalendar | None = None,
) -> dict[ClockKind, ClockReport]:
    """Reports of all clocks that apply and have started, keyed by kind."""
    out = {}
    for kind in ClockKind:
        r = evaluate_clock(kind, policy, calendar, times, now, unit_calendar=unit_calendar)
        if r is not None:
            out[kind] = r
    return out


def worst_state(reports: Iterable[ClockReport]) -> ClockState | None:
    """The order's overall SLA state for lists: breached > warning > met_late > on_time > met."""
    order = [ClockState.BREACHED, ClockState.WARNING, ClockState.MET_LATE, ClockState.ON_TIME, ClockState.MET]
    states = {r.state for r in reports}
    return next((s for s in order if s in states), None)


@dataclass(frozen=True)
class StatusUpdateDue:
    due_at: datetime
    reason: str  # "progress_after" (R-S11), "deadline_passed" (R-S10), "repeat"


def status_update_due(
    policy: ResolvedPolicy,
    calendar: BusinessCalendar,
    times: OrderTimes,
    now: datetime,
    *,
    unit_calendar: BusinessCalendar | None = None,
) -> StatusUpdateDue | None:
    """When the agent must next tell the caller where things stand (R-S10, R-S11, R-G5).

    Due at the earlier of ``status_update_after`` from creation and the completion deadline
    ("past a limit"); once an update is given at or after that moment, the next is due
    ``status_update_every`` after it. None when the order is replied or closed, or no rule
    applies.
    """
    if times.closed_at is not None or times.replied_at is not None:
        return None
    candidates: list[StatusUpdateDue] = []
    if policy.status_update_after.enabled:
        t = compute_deadline(policy.status_update_after, calendar, times.created_at)
        candidates.append(StatusUpdateDue(t, "progress_after"))
    completion = evaluate_clock(ClockKind.COMPLETION, policy, calendar, times, now, unit_calendar=unit_calendar)
    if completion is not None:
        candidates.append(StatusUpdateDue(completion.deadline, "deadline_passed"))
    if not candidates:
        return None
    first = min(candidates, key=lambda c: c.due_at)
    last = times.last_status_update_at
    if last is None or last < first.due_at:
        return first
    if not policy.status_update_every.enabled:
        return None
    return StatusUpdateDue(compute_deadline(policy.status_update_every, calendar, last), "repeat")


def check_extension(
    policy: ResolvedPolicy,
    calendar: BusinessCalendar,
    times: OrderTimes,
    requested_deadline: datetime,
    now: datetime,
    *,
    unit_calendar: BusinessCalendar | None = None,
) -> str | None:
    """Why an extension to ``requested_deadline`` is not possible under the policy (English
    message), or None if it is within ``completion_max``."""
    r = evaluate_clock(ClockKind.COMPLETION, policy, calendar, times, now, unit_calendar=unit_calendar)
    if r is None:
        return "The completion clock has not started"
    if r.stopped_at is not None:
        return "The order is already replied"
    if r.max_deadline is not None and requested_deadline > r.max_deadline:
        return f"The policy allows at most {policy.completion_max.describe()} (until {r.max_deadline.isoformat()})"
    return None


def policy_to_dict(p: SlaPolicy) -> dict[str, object]:
    """JSON for storing a policy (the store keeps policies as rows or JSON)."""
    out: dict[str, object] = {}
    for f in fields(p):
        v = getattr(p, f.name)
        if v is None:
            continue
        if isinstance(v, Target):
            out[f.name] = v.to_dict()
        elif isinstance(v, frozenset):
            out[f.name] = sorted(str(x) for x in v)
        else:
            out[f.name] = str(v) if isinstance(v, StrEnum) else v
    return out


def policy_from_dict(d: dict[str, object]) -> SlaPolicy:
    kw: dict[str, object] = {}
    targets = {"dispatch", "first_reply", "completion", "completion_max", "callback", "status_update_after", "status_update_every"}
    for k, v in d.items():
        if v is None:
            continue
        if k in targets:
            kw[k] = Target.from_dict(v)  # type: ignore[arg-type]
        elif k == "pausable":
            kw[k] = frozenset(ClockKind(x) for x in v)  # type: ignore[union-attr]
        elif k == "order_type":
            kw[k] = OrderType(v)
        elif k == "urgency":
            kw[k] = Urgency(v)
        elif k == "complexity":
            kw[k] = Complexity(v)
        elif k == "completion_from":
            kw[k] = ClockStart(v)
        elif k == "rest_day_start":
            kw[k] = RestDayStart(v)
        elif k == "warning_share":
            kw[k] = float(v)  # type: ignore[arg-type]
        elif k in {"name", "line_kind", "category"}:
            kw[k] = str(v)
        else:
            raise SlaError(f"Unknown policy field {k!r}")
    return SlaPolicy(**kw)  # type: ignore[arg-type]
