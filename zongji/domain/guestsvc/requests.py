"""A service request's life (R-G1): the centre records it, the floor attendant accepts it and marks
it done, the centre follows up with the guest on speed and quality. Its age is measured against the
item's target (R-G6: a response within 10 minutes by default); the centre is alerted a few minutes
before a request is late."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum


class State(StrEnum):
    OPEN = "open"  # recorded, waiting for the attendant (or the team)
    ACCEPTED = "accepted"  # the attendant is on it
    DONE = "done"  # served
    CANCELLED = "cancelled"


class Action(StrEnum):
    ACCEPT = "accept"
    DONE = "done"
    CANCEL = "cancel"


class FollowUp(StrEnum):
    """The guest's answer when the centre calls back (R-G1 "follows up on speed and quality")."""

    SATISFIED = "satisfied"
    NOT_SATISFIED = "not_satisfied"
    NO_ANSWER = "no_answer"


class Timing(StrEnum):
    OK = "ok"
    DUE_SOON = "due_soon"  # the centre is alerted
    LATE = "late"


OPEN_STATES = frozenset({State.OPEN, State.ACCEPTED})

_TRANSITIONS = {
    (State.OPEN, Action.ACCEPT): State.ACCEPTED,
    (State.OPEN, Action.DONE): State.DONE,  # a team that serves without accepting first
    (State.ACCEPTED, Action.DONE): State.DONE,
    (State.OPEN, Action.CANCEL): State.CANCELLED,
    (State.ACCEPTED, Action.CANCEL): State.CANCELLED,
}


class RequestError(ValueError):
    def __init__(self, message: str, field: str, code: str):
        super().__init__(message)
        self.field = field
        self.code = code


def next_state(state: str, action: str) -> State:
    """The state after ``action``; RequestError when the request is past it."""
    try:
        return _TRANSITIONS[(State(state), Action(action))]
    except (KeyError, ValueError):
        raise RequestError(f"a request that is {state} cannot be marked {action}", field="state",
                           code="not_allowed") from None


def check_follow_up(state: str, result: str, already: bool) -> FollowUp:
    """A follow-up is recorded once, on a request that is done."""
    if state != State.DONE:
        raise RequestError("follow up once the request is done", field="state", code="not_done")
    if already:
        raise RequestError("the follow-up is already recorded", field="result", code="already_followed_up")
    try:
        return FollowUp(result)
    except ValueError:
        raise RequestError(f"result: one of {', '.join(FollowUp)}", field="result", code="bad_result") from None


def due_at(created_at: dt.datetime, target_minutes: int) -> dt.datetime:
    return created_at + dt.timedelta(minutes=target_minutes)


def alert_at(created_at: dt.datetime, target_minutes: int, warn_minutes: float) -> dt.datetime:
    """When the centre is alerted: ``warn_minutes`` before the target, never before it was made."""
    return max(created_at, due_at(created_at, target_minutes) - dt.timedelta(minutes=warn_minutes))


def age_minutes(created_at: dt.datetime, now: dt.datetime) -> int:
    return max(0, int((now - created_at).total_seconds() // 60))


def timing(created_at: dt.datetime, target_minutes: int, warn_minutes: float, now: dt.datetime,
           done_at: dt.datetime | None = None) -> Timing:
    """Where a request stands against its target: late once past it (a request done after its
    target stays late), due soon from the alert time on, else ok."""
    end = done_at or now
    if end > due_at(created_at, target_minutes):
        return Timing.LATE
    if done_at is None and now >= alert_at(created_at, target_minutes, warn_minutes):
        return Timing.DUE_SOON
    return Timing.OK


def laundry_deliver_by(collected_local: dt.datetime, cutoff: dt.time, deliver: dt.time) -> dt.datetime:
    """Laundry is delivered the same day (R-G2) when collected by the cut-off; later, the next
    day. ``collected_local`` is aware, in the hotel's time zone; so is the answer."""
    day = collected_local.date()
    if collected_local.timetz().replace(tzinfo=None) > cutoff:
        day += dt.timedelta(days=1)
    return dt.datetime.combine(day, deliver, collected_local.tzinfo)


def dishes_due(served_at: dt.datetime, minutes: float) -> dt.datetime:
    """Room service: when the dishes are to be collected from the room."""
    return served_at + dt.timedelta(minutes=minutes)
