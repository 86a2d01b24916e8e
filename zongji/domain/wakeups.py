"""Wake-up calls (叫醒服务， R-H9): booking rules, the attempt state machine, prompt text, burst order.

Pure: no database, no clock, no I/O. Every function takes ``now`` (timezone-aware) and returns
new values; the service layer persists them and the worker carries out the returned effects.

The promise (issue 5): every wake-up ends with a guest who confirmed on the phone or a person at
the door. A call that is busy, not answered, or answered without the confirm key is retried every
``retry_interval_minutes`` while the calling window lasts; when the window ends the wake-up is
*escalated* (a knock-on-door task for the floor attendant, an alert on every operator's console,
a handover entry) and it is *done* only when somebody records that the guest was reached — with
the minutes late. If the telephony side is down, due wake-ups escalate at once to the operators'
manual call list.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Hashable, Iterable, Sequence

from zongji.errors import ZongjiError
from zongji.domain.call_outcome import CallOutcome

__all__ = [
    "CallOutcome", "WakeupPolicy", "WakeupRefused", "RoomOccupancy", "WakeupRequest",
    "validate_booking", "daily_occurrences", "next_wake_at", "parse_wake_time", "readback_text",
    "WakeupStatus", "Attempt", "EffectKind", "Effect", "WakeupState", "Transition", "new_wakeup",
    "is_due", "start_call", "call_answered", "call_ended", "telephony_down", "mark_reached",
    "cancel", "recover_in_flight", "minutes_late", "preflight_at", "burst_order", "board_order",
    "ideal_burst_delays", "chinese_time_words", "chinese_period", "prompt_text", "prompt_texts",
    "LANGUAGES",
]

LANGUAGES = ("zh", "en")


# --------------------------------------------------------------------------------------------
# Policy


@dataclass(frozen=True)
class WakeupPolicy:
    """The set numbers of the wake-up service (users' defaults; settings may override)."""

    # Busy / no answer / answered without confirmation: call again this often …
    retry_interval_minutes: float = 2.0
    # … for this long after the wake-up time (R-H9: "keep calling for 5–10 minutes").
    retry_window_minutes: float = 10.0
    # Key that confirms, key that snoozes, and for how long a snooze lasts.
    confirm_key: str = "1"
    snooze_key: str = "2"
    snooze_minutes: float = 5.0
    # After this many snoozes the snooze key counts as a confirmation (the guest is awake).
    max_snoozes: int = 3
    # How long one attempt lets the phone ring, and waits for a key after the prompt.
    ring_timeout_seconds: float = 30.0
    key_timeout_seconds: float = 10.0
    # Test call this long before the day's earliest wake-up (R-H9 "check the machine").
    preflight_minutes: float = 30.0
    # A booking must be at least this far in the future.
    min_lead_seconds: float = 0.0
    # When a stay's departure is only a date, the guest leaves at this local time.
    checkout_time: dt.time = dt.time(12, 0)
    # Languages of the greeting, in the order played.
    languages: tuple[str, ...] = LANGUAGES

    def __post_init__(self) -> None:
        if self.retry_interval_minutes <= 0:
            raise ValueError("retry_interval_minutes must be positive")
        if self.retry_window_minutes < 0:
            raise ValueError("retry_window_minutes must not be negative")
        if self.snooze_minutes <= 0:
            raise ValueError("snooze_minutes must be positive")
        if not self.confirm_key or self.confirm_key == self.snooze_key:
            raise ValueError("confirm_key and snooze_key must be different keys")
        if any(lang not in LANGUAGES for lang in self.languages) or not self.languages:
            raise ValueError(f"languages must be among {LANGUAGES}")


DEFAULT_POLICY = WakeupPolicy()


class WakeupRefused(ZongjiError):
    """A booking that cannot be taken; ``message`` says why, ``field`` names the input."""

    status_code = 422


def _aware(t: dt.datetime, name: str) -> None:
    if t.tzinfo is None or t.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware")


# --------------------------------------------------------------------------------------------
# Booking


@dataclass(frozen=True)
class RoomOccupancy:
    """What booking needs to know about the room (from the current stay, if any)."""

    room_number: str
    occupied: bool
    # Departure of the current stay: an instant, or a date (the guest leaves at checkout_time).
    departure: dt.datetime | dt.date | None = None


@dataclass(frozen=True)
class WakeupRequest:
    room_number: str
    wake_at: dt.datetime  # first wake-up, timezone-aware
    repeat_daily: bool = False
    # Repeat until this local date (inclusive); None: until the guest's departure.
    until: dt.date | None = None
    languages: tuple[str, ...] = LANGUAGES
    note: str = ""


def departure_instant(departure: dt.datetime | dt.date | None, tz: dt.tzinfo,
                      policy: WakeupPolicy = DEFAULT_POLICY) -> dt.datetime | None:
    if departure is None:
        return None
    if isinstance(departure, dt.datetime):
        _aware(departure, "departure")
        return departure
    return dt.datetime.combine(departure, policy.checkout_time, tzinfo=tz)


def daily_occurrences(first: dt.datetime, *, until: dt.date | None = None,
                      departure: dt.datetime | None = None, limit: int = 366) -> list[dt.datetime]:
    """The first wake-up and the same local time every following day.

    Stops after ``until`` (a local date, inclusive) and before ``departure``; at least one of them
    must be given for a repeat. Local wall-clock time is kept across DST changes.
    """
    _aware(first, "first")
    if until is None and departure is None:
        raise ValueError("a daily repeat needs an end: until or departure")
    tz = first.tzinfo
    out: list[dt.datetime] = []
    day = first.date()
    while len(out) < limit:
        t = dt.datetime.combine(day, first.timetz().replace(tzinfo=None), tzinfo=tz)
        if until is not None and day > until:
            break
        if departure is not None and t > departure:
            break
        out.append(t)
        day += dt.timedelta(days=1)
    return out


def validate_booking(req: WakeupRequest, room: RoomOccupancy, now: dt.datetime,
                     policy: WakeupPolicy = DEFAULT_POLICY) -> list[dt.datetime]:
    """Check a booking and return its occurrences (one, or one a day until check-out).

    Refuses (``WakeupRefused`` with the field at fault) a time in the past, an unoccupied room,
    a time past the guest's departure, an unknown language, a repeat end before the first day.
    """
    _aware(now, "now")
    if req.wake_at.tzinfo is None or req.wake_at.utcoffset() is None:
        raise WakeupRefused("The wake-up time needs a date, time and time zone.", field="wake_at")
    if not req.room_number.strip():
        raise WakeupRefused("Give the room number.", field="room")
    if not room.occupied:
        raise WakeupRefused(f"Room {room.room_number} is not occupied: nobody to wake.",
                            field="room", code="room_unoccupied")
    if req.wake_at <= now + dt.timedelta(seconds=policy.min_lead_seconds):
        raise WakeupRefused(
            f"{req.wake_at.strftime('%Y-%m-%d %H:%M')} is in the past; give a later time.",
            field="wake_at", code="time_in_past")
    langs = tuple(req.languages)
    if not langs or any(lang not in LANGUAGES for lang in langs):
        raise WakeupRefused(f"Languages must be among {', '.join(LANGUAGES)}.", field="languages")
    tz = req.wake_at.tzinfo
    departure = departure_instant(room.departure, tz, policy)
    if departure is not None and req.wake_at > departure:
        raise WakeupRefused(
            f"The guest in room {room.room_number} leaves at "
            f"{departure.astimezone(tz).strftime('%Y-%m-%d %H:%M')}, before the wake-up time.",
            field="wake_at", code="after_departure")
    if not req.repeat_daily:
        return [req.wake_at]
    if req.until is not None and req.until < req.wake_at.astimezone(tz).date():
        raise WakeupRefused("The repeat ends before the first wake-up.", field="until")
    if req.until is None and departure is None:
        raise WakeupRefused("A daily repeat needs an end date: the stay has no departure.",
                            field="until")
    return daily_occurrences(req.wake_at, until=req.until, departure=departure)


_TIME_RE = re.compile(r"^\s*(\d{1,2})(?:[:：.点]?(\d{2}))?\s*$")


def parse_wake_time(text: str) -> dt.time:
    """A time as an operator types it: ``0700``, ``7:00``, ``7``, ``730``, ``19.30``, ``7点30``."""
    s = text.strip().replace("半", "30").rstrip("分")
    m = _TIME_RE.match(s)
    if m is None and s.isdigit() and len(s) in (3, 4):
        m = _TIME_RE.match(f"{s[:-2]}:{s[-2:]}")
    if m is None:
        raise WakeupRefused(f"'{text}' is not a time; type it as 0700 or 7:00.", field="wake_at")
    hour, minute = int(m.group(1)), int(m.group(2) or 0)
    if hour > 23 or minute > 59:
        raise WakeupRefused(f"'{text}' is not a time of day.", field="wake_at")
    return dt.time(hour, minute)


def next_wake_at(t: dt.time, now: dt.datetime, tz: dt.tzinfo) -> dt.datetime:
    """The next time the clock shows ``t``: today if still ahead, else tomorrow."""
    _aware(now, "now")
    local = now.astimezone(tz)
    cand = dt.datetime.combine(local.date(), t, tzinfo=tz)
    if cand <= local:
        cand = dt.datetime.combine(local.date() + dt.timedelta(days=1), t, tzinfo=tz)
    return cand


def _zh_day(day: dt.date, today: dt.date) -> str:
    delta = (day - today).days
    return {0: "今天", 1: "明天", 2: "后天"}.get(delta, f"{day.month}月{day.day}日")


def _en_day(day: dt.date, today: dt.date) -> str:
    delta = (day - today).days
    return {0: "today", 1: "tomorrow"}.get(delta, f"on {day.day} {day.strftime('%B')}")


def readback_text(req: WakeupRequest, now: dt.datetime, lang: str = "zh",
                  occurrences: Sequence[dt.datetime] | None = None) -> str:
    """What the operator reads back to the guest to confirm the booking (R-H9)."""
    tz = req.wake_at.tzinfo
    local = req.wake_at.astimezone(tz)
    today = now.astimezone(tz).date()
    last = occurrences[-1].astimezone(tz).date() if occurrences else req.until
    if lang == "zh":
        s = f"{req.room_number}房间，{_zh_day(local.date(), today)}{chinese_time_words(local.time())}叫醒"
        if req.repeat_daily and last is not None:
            s += f"，每天同一时间，到{last.month}月{last.day}日"
        return s + "。"
    s = (f"Room {req.room_number}, wake-up call {_en_day(local.date(), today)} at "
         f"{en_clock_ampm(local.time())}")
    if req.repeat_daily and last is not None:
        s += f", every day until {last.day} {last.strftime('%B')}"
    return s if s.endswith(".") else s + "."  # "… at 7:30 a.m." ends with its own full stop


# --------------------------------------------------------------------------------------------
# The attempt state machine


class WakeupStatus(StrEnum):
    DUE = "due"  # waiting for its time
    CALLING = "calling"  # a call is ringing
    ANSWERED = "answered"  # the guest picked up; prompt playing, waiting for a key
    RETRYING = "retrying"  # not confirmed yet; next call at next_attempt_at
    SNOOZED = "snoozed"  # the guest asked to be called again at next_attempt_at
    ESCALATED = "escalated"  # people must reach the guest (door / manual call list)
    DONE = "done"  # the guest is awake
    CANCELLED = "cancelled"

    @property
    def final(self) -> bool:
        return self in (WakeupStatus.DONE, WakeupStatus.CANCELLED)


WAITING = (WakeupStatus.DUE, WakeupStatus.RETRYING, WakeupStatus.SNOOZED)
IN_CALL = (WakeupStatus.CALLING, WakeupStatus.ANSWERED)


@dataclass(frozen=True)
class Attempt:
    number: int
    started_at: dt.datetime
    ended_at: dt.datetime | None = None
    outcome: CallOutcome | None = None
    key: str | None = None


class EffectKind(StrEnum):
    KNOCK_ON_DOOR = "knock_on_door"  # task for the floor attendant, seen by housekeeping
    ALERT_OPERATORS = "alert_operators"  # on every operator's console
    HANDOVER_ENTRY = "handover_entry"  # a line in the handover log (R-H13)
    MANUAL_CALL = "manual_call"  # onto the operators' manual call list
    RESOLVE_ESCALATION = "resolve_escalation"  # close the tasks and alerts above


@dataclass(frozen=True)
class Effect:
    kind: EffectKind
    reason: str
    text: str = ""


@dataclass(frozen=True)
class WakeupState:
    # The time the guest asked for (this occurrence), timezone-aware in the organisation's zone:
    # escalation texts show its wall-clock time.
    wake_at: dt.datetime
    status: WakeupStatus = WakeupStatus.DUE
    next_attempt_at: dt.datetime | None = None
    window_ends_at: dt.datetime | None = None
    attempts: tuple[Attempt, ...] = ()
    snoozes: int = 0
    reached_at: dt.datetime | None = None
    reached_by: str | None = None  # "phone", "door", "operator"
    minutes_late: int | None = None
    escalated_at: dt.datetime | None = None
    escalation_reason: str | None = None  # "no_confirmation", "telephony_down"
    note: str = ""

    @property
    def attempt_count(self) -> int:
        return len(self.attempts)

    @property
    def last_attempt(self) -> Attempt | None:
        return self.attempts[-1] if self.attempts else None


@dataclass(frozen=True)
class Transition:
    state: WakeupState
    effects: tuple[Effect, ...] = field(default_factory=tuple)


class InvalidTransition(ZongjiError):
    status_code = 409


def _require(state: WakeupState, allowed: Iterable[WakeupStatus], action: str) -> None:
    if state.status not in tuple(allowed):
        raise InvalidTransition(f"Cannot {action} a wake-up that is {state.status.value}.",
                                field="status")


def new_wakeup(wake_at: dt.datetime, policy: WakeupPolicy = DEFAULT_POLICY,
               note: str = "") -> WakeupState:
    _aware(wake_at, "wake_at")
    return WakeupState(wake_at=wake_at, next_attempt_at=wake_at,
                       window_ends_at=wake_at + dt.timedelta(minutes=policy.retry_window_minutes),
                       note=note)


def is_due(state: WakeupState, now: dt.datetime) -> bool:
    return (state.status in WAITING and state.next_attempt_at is not None
            and state.next_attempt_at <= now)


def minutes_late(wake_at: dt.datetime, reached_at: dt.datetime) -> int:
    """Whole minutes between the asked-for time and the moment the guest was reached (≥ 0)."""
    return max(0, math.floor((reached_at - wake_at).total_seconds() / 60))


def start_call(state: WakeupState, now: dt.datetime) -> Transition:
    """The worker is placing a call now."""
    _require(state, WAITING, "call")
    attempt = Attempt(number=len(state.attempts) + 1, started_at=now)
    return Transition(replace(state, status=WakeupStatus.CALLING, next_attempt_at=None,
                              attempts=state.attempts + (attempt,)))


def call_answered(state: WakeupState, now: dt.datetime) -> Transition:
    """The room picked up (for the live board; the outcome follows with call_ended)."""
    _require(state, IN_CALL, "mark answered")
    return Transition(replace(state, status=WakeupStatus.ANSWERED))


def _reached(state: WakeupState, now: dt.datetime, by: str) -> WakeupState:
    if state.reached_at is not None:
        return state
    return replace(state, reached_at=now, reached_by=by,
                   minutes_late=minutes_late(state.wake_at, now))


def _escalation_effects(state: WakeupState, reason: str, room: str) -> tuple[Effect, ...]:
    local = state.wake_at
    when = f"{local.strftime('%H:%M')}"
    tries = state.attempt_count
    if reason == "telephony_down":
        text = f"{room} 叫醒 {when}: 电话系统故障，请人工电话叫醒 / telephony down, call by hand"
        return (Effect(EffectKind.MANUAL_CALL, reason, text),
                Effect(EffectKind.ALERT_OPERATORS, reason, text),
                Effect(EffectKind.HANDOVER_ENTRY, reason, text))
    text = (f"{room} 叫醒 {when}: {tries}次呼叫未确认，请楼层服务员敲门叫醒 / "
            f"not confirmed after {tries} calls, knock on the door")
    return (Effect(EffectKind.KNOCK_ON_DOOR, reason, text),
            Effect(EffectKind.ALERT_OPERATORS, reason, text),
            Effect(EffectKind.HANDOVER_ENTRY, reason, text))


def call_ended(state: WakeupState, outcome: CallOutcome | str, now: dt.datetime,
               policy: WakeupPolicy = DEFAULT_POLICY, *, key: str | None = None,
               room: str = "") -> Transition:
    """Apply the outcome of the call in progress: done, snoozed, retrying or escalated."""
    _require(state, IN_CALL, "end a call of")
    outcome = CallOutcome(outcome)
    attempts = state.attempts
    if attempts:
        attempts = attempts[:-1] + (replace(attempts[-1], ended_at=now, outcome=outcome, key=key),)
    s = replace(state, attempts=attempts)
    if outcome is CallOutcome.ANSWERED_CONFIRMED:
        s = _reached(s, now, "phone")
        return Transition(replace(s, status=WakeupStatus.DONE, next_attempt_at=None))
    if outcome is CallOutcome.ANSWERED_SNOOZED:
        s = _reached(s, now, "phone")
        if s.snoozes >= policy.max_snoozes:
            return Transition(replace(s, status=WakeupStatus.DONE, next_attempt_at=None,
                                      note=(s.note + " snooze limit reached").strip()))
        nxt = now + dt.timedelta(minutes=policy.snooze_minutes)
        return Transition(replace(
            s, status=WakeupStatus.SNOOZED, snoozes=s.snoozes + 1, next_attempt_at=nxt,
            window_ends_at=nxt + dt.timedelta(minutes=policy.retry_window_minutes)))
    # Busy, no answer, answered without the key, failed: retry within the window, else escalate.
    started = attempts[-1].started_at if attempts else now
    nxt = max(now, started + dt.timedelta(minutes=policy.retry_interval_minutes))
    if s.window_ends_at is not None and nxt <= s.window_ends_at:
        return Transition(replace(s, status=WakeupStatus.RETRYING, next_attempt_at=nxt))
    s = replace(s, status=WakeupStatus.ESCALATED, next_attempt_at=None, escalated_at=now,
                escalation_reason="no_confirmation")
    return Transition(s, _escalation_effects(s, "no_confirmation", room))


def telephony_down(state: WakeupState, now: dt.datetime, *, room: str = "") -> Transition:
    """No call can be placed at all: straight to the operators' manual call list."""
    _require(state, WAITING + IN_CALL, "escalate")
    attempts = state.attempts
    if state.status in IN_CALL and attempts and attempts[-1].ended_at is None:
        attempts = attempts[:-1] + (replace(attempts[-1], ended_at=now,
                                            outcome=CallOutcome.FAILED),)
    s = replace(state, attempts=attempts, status=WakeupStatus.ESCALATED, next_attempt_at=None,
                escalated_at=now, escalation_reason="telephony_down")
    return Transition(s, _escalation_effects(s, "telephony_down", room))


def telephony_restored(state: WakeupState, now: dt.datetime,
                       policy: WakeupPolicy = DEFAULT_POLICY) -> Transition:
    """The calling path works again: a wake-up sent to the manual call list because telephony
    was down, and not handled by hand since, is called automatically again at once (with a
    fresh retry window). Its manual-call task and alert are closed. The escalation stays on
    record (escalated_at, escalation_reason) for the handover."""
    if state.status is not WakeupStatus.ESCALATED or state.escalation_reason != "telephony_down":
        raise InvalidTransition("Only a wake-up escalated because telephony was down resumes.",
                                field="status")
    s = replace(state, status=WakeupStatus.RETRYING, next_attempt_at=now,
                window_ends_at=now + dt.timedelta(minutes=policy.retry_window_minutes))
    return Transition(s, (Effect(EffectKind.RESOLVE_ESCALATION, "telephony_restored",
                                 "电话系统已恢复，自动叫醒继续 / telephony restored, "
                                 "automatic calling resumes"),))


def mark_reached(state: WakeupState, now: dt.datetime, by: str = "door") -> Transition:
    """A person reached the guest (floor attendant at the door, operator by phone): done."""
    if by not in ("door", "operator", "phone"):
        raise WakeupRefused("reached_by must be door, operator or phone.", field="reached_by")
    _require(state, WAITING + IN_CALL + (WakeupStatus.ESCALATED,), "mark reached")
    was_escalated = state.status is WakeupStatus.ESCALATED
    s = _reached(state, now, by)
    s = replace(s, status=WakeupStatus.DONE, next_attempt_at=None)
    effects = (Effect(EffectKind.RESOLVE_ESCALATION, "reached",
                      f"reached by {by}, {s.minutes_late} min late"),) if was_escalated else ()
    return Transition(s, effects)


def cancel(state: WakeupState, now: dt.datetime) -> Transition:
    _require(state, WAITING + (WakeupStatus.ESCALATED,), "cancel")
    effects = ((Effect(EffectKind.RESOLVE_ESCALATION, "cancelled"),)
               if state.status is WakeupStatus.ESCALATED else ())
    return Transition(replace(state, status=WakeupStatus.CANCELLED, next_attempt_at=None), effects)


def recover_in_flight(state: WakeupState, now: dt.datetime,
                      policy: WakeupPolicy = DEFAULT_POLICY, *, room: str = "") -> Transition:
    """After a worker restart, a wake-up left 'calling' has an unknown outcome: count the attempt
    as failed (retry or escalate). Never re-place it as if it were new, never drop it."""
    if state.status not in IN_CALL:
        return Transition(state)
    return call_ended(state, CallOutcome.FAILED, now, policy, room=room)


# --------------------------------------------------------------------------------------------
# Scheduling helpers


def preflight_at(wake_times: Iterable[dt.datetime],
                 policy: WakeupPolicy = DEFAULT_POLICY) -> dt.datetime | None:
    """When to place the test call: preflight_minutes before the earliest wake-up (or None)."""
    earliest = min(wake_times, default=None)
    if earliest is None:
        return None
    return earliest - dt.timedelta(minutes=policy.preflight_minutes)


def burst_order(due: Iterable[tuple[Hashable, dt.datetime]], now: dt.datetime,
                free_lines: int) -> list[Hashable]:
    """Which wake-ups to place now: those due, earliest first (ties by id), at most free_lines."""
    if free_lines <= 0:
        return []
    ready = sorted(((t, i) for i, t in due if t <= now), key=lambda p: (p[0], str(p[1])))
    return [i for _, i in ready[:free_lines]]


def board_order(states: Iterable[tuple[Hashable, WakeupState]]) -> list[Hashable]:
    """The night list: in wake-up time order (then id)."""
    return [i for i, _ in sorted(states, key=lambda p: (p[1].wake_at, str(p[0])))]


def ideal_burst_delays(n: int, lines: int, call_seconds: float) -> list[float]:
    """Seconds from due time to placement for n calls due together on ``lines`` lines, each
    line busy ``call_seconds`` per call: the best any dialler can do (for the benchmark)."""
    if lines <= 0:
        raise ValueError("lines must be positive")
    return [(i // lines) * call_seconds for i in range(n)]


# --------------------------------------------------------------------------------------------
# Prompt text

_ZH_DIGITS = "零一二三四五六七八九"


def _zh_number(n: int, *, hour: bool = False) -> str:
    """0–59 in Chinese numerals; 2 o'clock is 两点."""
    if hour and n == 2:
        return "两"
    if n < 10:
        return _ZH_DIGITS[n]
    tens, ones = divmod(n, 10)
    head = "十" if tens == 1 else _ZH_DIGITS[tens] + "十"
    return head + (_ZH_DIGITS[ones] if ones else "")


def chinese_period(t: dt.time) -> str:
    """凌晨 0–5, 早上 5–9, 上午 9–12, 中午 12–13, 下午 13–18, 晚上 18–24."""
    h = t.hour
    if h < 5:
        return "凌晨"
    if h < 9:
        return "早上"
    if h < 12:
        return "上午"
    if h < 13:
        return "中午"
    if h < 18:
        return "下午"
    return "晚上"


def chinese_time_words(t: dt.time, *, spoken: bool = False) -> str:
    """``早上7点``, ``早上7点半``, ``早上7点05分``, ``下午2点15分``; spoken: ``早上七点零五分``."""
    period = chinese_period(t)
    h12 = t.hour if t.hour <= 12 else t.hour - 12
    m = t.minute
    if spoken:
        hour = _zh_number(h12, hour=True)
        if m == 0:
            mins = ""
        elif m == 30:
            mins = "半"
        elif m < 10:
            mins = "零" + _ZH_DIGITS[m] + "分"
        else:
            mins = _zh_number(m) + "分"
        return f"{period}{hour}点{mins}"
    if m == 0:
        mins = ""
    elif m == 30:
        mins = "半"
    else:
        mins = f"{m:02d}分"
    return f"{period}{h12}点{mins}"


_ZH_GREETING = {"凌晨": "您好", "早上": "早上好", "上午": "上午好", "中午": "中午好",
                "下午": "下午好", "晚上": "晚上好"}


def _en_greeting(t: dt.time) -> str:
    if t.hour < 5:
        return "Hello"
    if t.hour < 12:
        return "Good morning"
    if t.hour < 18:
        return "Good afternoon"
    return "Good evening"


def en_clock_ampm(t: dt.time) -> str:
    """An English clock time nobody can take for the other half of the day: 7:00 a.m.,
    7:30 p.m., 12 noon, midnight (the read-back; R-H9)."""
    if t.hour == 0 and t.minute == 0:
        return "midnight"
    if t.hour == 12 and t.minute == 0:
        return "12 noon"
    return f"{t.hour % 12 or 12}:{t.minute:02d} {'a.m.' if t.hour < 12 else 'p.m.'}"


def _en_clock(t: dt.time) -> str:
    if t.hour == 0 and t.minute == 0:
        return "midnight"
    if t.hour == 12 and t.minute == 0:
        return "12 noon"
    h12 = t.hour % 12 or 12
    s = f"{h12} o'clock" if t.minute == 0 else f"{h12}:{t.minute:02d}"
    if t.hour < 5:
        s += " in the morning"
    return s


def prompt_text(t: dt.time, lang: str, policy: WakeupPolicy = DEFAULT_POLICY, *,
                spoken: bool = False) -> str:
    """The wake-up greeting for the time ``t`` (local), with the key instructions.

    ``早上好，现在是早上7点。请按1确认，按2稍后再叫。`` /
    ``Good morning, it is 7 o'clock. Press 1 to confirm, 2 to snooze.``
    ``spoken=True`` writes Chinese numbers as words for a speech synthesizer (两点， 七点零五分).
    """
    ck, sk = policy.confirm_key, policy.snooze_key
    if lang == "zh":
        greeting = _ZH_GREETING[chinese_period(t)]
        if spoken:
            ck = _ZH_DIGITS[int(ck)] if ck.isdigit() else ck
            sk = _ZH_DIGITS[int(sk)] if sk.isdigit() else sk
        return (f"{greeting}，现在是{chinese_time_words(t, spoken=spoken)}。"
                f"请按{ck}确认，按{sk}稍后再叫。")
    if lang == "en":
        return f"{_en_greeting(t)}, it is {_en_clock(t)}. Press {ck} to confirm, {sk} to snooze."
    raise ValueError(f"unknown language {lang!r}")


def prompt_texts(t: dt.time, languages: Sequence[str] = LANGUAGES,
                 policy: WakeupPolicy = DEFAULT_POLICY, *, spoken: bool = False) -> list[tuple[str, str]]:
    """[(lang, text), …] in the order to play them."""
    return [(lang, prompt_text(t, lang, policy, spoken=spoken)) for lang in languages]


def duplicate_of(existing: Sequence[tuple[int, dt.datetime]], wanted: Sequence[dt.datetime],
                 window: dt.timedelta) -> list[int]:
    """The ids of open wake-ups of the same room that a new booking repeats (issue 8): any of
    ``existing`` (id, time) within ``window`` of a wanted time, the same minute when it is zero.
    A second booking is then read back with a warning and saved only when confirmed."""
    def minute(t: dt.datetime) -> dt.datetime:
        return t.replace(second=0, microsecond=0)

    hits = []
    for wid, at in existing:
        if any(abs(minute(at) - minute(t)) <= window for t in wanted):
            hits.append(wid)
    return hits
