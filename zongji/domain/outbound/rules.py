"""An outbound list entry's states, as rule tables like the work-order domain's ``RULES``/``apply``
(issue 14 point 4, R-S13 a utility's list of affected customers, R-S12 follow-up and surveys).

Entry: ``pending`` → ``claimed`` (an operator took it, with a lease) or ``dialling`` (the
automatic caller) → ``reached`` | ``retry`` (no answer, busy, call back at …: due again later) |
``not_reached`` (tries used up, or a wrong number). ``retry`` and a lapsed claim are taken again
like ``pending``. An entry without a number is ``no_number`` and never taken (listed apart).

:func:`apply` records one result; :class:`RetryRule` (settings ``outbound_max_tries`` /
``outbound_retry_minutes``) decides whether another try follows and when."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum

from zongji.domain.emergency.errors import ActionForbidden, IllegalTransition, InvalidInput
from zongji.domain.roles import CONSOLE_ROLES, Role


class EntryState(StrEnum):
    PENDING = "pending"
    CLAIMED = "claimed"
    DIALLING = "dialling"
    RETRY = "retry"
    REACHED = "reached"
    NOT_REACHED = "not_reached"
    NO_NUMBER = "no_number"


class Result(StrEnum):
    REACHED = "reached"
    UNDERSTOOD = "understood"  # automatic call: the customer pressed the key
    NO_ANSWER = "no_answer"
    BUSY = "busy"
    WRONG_NUMBER = "wrong_number"
    CALL_BACK = "call_back"  # call back at a time the customer named
    FAILED = "failed"  # the gateway could not place the call


RESULTS = tuple(r.value for r in Result)
SYSTEM = "system"
S = EntryState
OPEN = frozenset({S.PENDING, S.RETRY})  # may be taken
DONE = frozenset({S.REACHED, S.NOT_REACHED})


@dataclass(frozen=True)
class _Rule:
    source: frozenset
    roles: frozenset


_CONSOLE = frozenset(CONSOLE_ROLES)
RULES: dict[str, _Rule] = {
    "claim": _Rule(OPEN | {S.CLAIMED}, _CONSOLE),  # a CLAIMED one only once its lease lapsed
    "dial": _Rule(OPEN | {S.CLAIMED}, frozenset({SYSTEM})),
    "record": _Rule(frozenset({S.CLAIMED, S.DIALLING}), _CONSOLE | {SYSTEM}),
    "release": _Rule(frozenset({S.CLAIMED}), _CONSOLE),
}


@dataclass(frozen=True)
class RetryRule:
    max_tries: int = 3
    wait: timedelta = timedelta(minutes=30)


@dataclass(frozen=True)
class Entry:
    state: EntryState = S.PENDING
    tries: int = 0
    result: str | None = None
    due_at: datetime | None = None  # a RETRY entry is not taken before this
    claimed_by: int | None = None
    lease_until: datetime | None = None


def _check(action: str, entry: Entry, role: Role | str) -> None:
    rule = RULES.get(action)
    if rule is None:
        raise InvalidInput(f"unknown action {action!r}", field="action", code="unknown_action")
    if role not in rule.roles:
        raise ActionForbidden(f"role {role} may not {action} an outbound entry", code="role_not_allowed")
    if entry.state not in rule.source:
        raise IllegalTransition(f"cannot {action} an entry that is {entry.state.replace('_', ' ')}",
                                code="illegal_transition")


def takeable(entry: Entry, now: datetime) -> bool:
    """Whether an operator or the automatic caller may take the entry now."""
    if entry.state in OPEN:
        return entry.due_at is None or entry.due_at <= now
    if entry.state in (S.CLAIMED, S.DIALLING):
        return entry.lease_until is not None and entry.lease_until <= now
    return False


def claim(entry: Entry, user_id: int, role: Role | str, now: datetime, lease: timedelta) -> Entry:
    _check("claim", entry, role)
    if not takeable(entry, now):
        raise IllegalTransition("the entry is taken or not due yet", code="not_takeable")
    return replace(entry, state=S.CLAIMED, claimed_by=user_id, lease_until=now + lease)


def dial(entry: Entry, now: datetime, lease: timedelta) -> Entry:
    _check("dial", entry, SYSTEM)
    if not takeable(entry, now):
        raise IllegalTransition("the entry is taken or not due yet", code="not_takeable")
    return replace(entry, state=S.DIALLING, claimed_by=None, lease_until=now + lease)


def release(entry: Entry, role: Role | str) -> Entry:
    _check("release", entry, role)
    return replace(entry, state=S.RETRY if entry.tries else S.PENDING, claimed_by=None, lease_until=None)


def apply(entry: Entry, result: str, now: datetime, rule: RetryRule, *, role: Role | str = SYSTEM,
          call_back_at: datetime | None = None) -> Entry:
    """The entry after one recorded try; raises 403 (role), 409 (state), 422 (input)."""
    if now.tzinfo is None:
        raise InvalidInput("now must be timezone-aware", field="now", code="naive_datetime")
    if result not in RESULTS:
        raise InvalidInput(f"result: one of {', '.join(RESULTS)}", field="result", code="bad_result")
    _check("record", entry, role)
    tries = entry.tries + 1
    base = replace(entry, tries=tries, result=result, claimed_by=None, lease_until=None)
    if result in (Result.REACHED, Result.UNDERSTOOD):
        return replace(base, state=S.REACHED, due_at=None)
    if result == Result.WRONG_NUMBER:
        return replace(base, state=S.NOT_REACHED, due_at=None)
    if result == Result.CALL_BACK:
        if call_back_at is None or call_back_at.tzinfo is None:
            raise InvalidInput("call_back_at: a time with its zone is required", field="call_back_at",
                               code="call_back_at_required")
        if call_back_at <= now:
            raise InvalidInput("call_back_at must be in the future", field="call_back_at",
                               code="call_back_at_past")
        # The customer asked for it: not counted against the tries.
        return replace(base, tries=entry.tries, state=S.RETRY, due_at=call_back_at)
    if tries >= rule.max_tries:
        return replace(base, state=S.NOT_REACHED, due_at=None)
    return replace(base, state=S.RETRY, due_at=now + rule.wait)


_NUMBER = re.compile(r"^\+?[0-9]{3,20}$")


def normalise_number(value: object) -> str:
    """A contact number with spaces and dashes removed; ``""`` when there is none; refused
    (422, ``number``) when it is not a phone number."""
    text = "" if value is None else re.sub(r"[\s\-()]", "", str(value).strip())
    if text.endswith(".0") and text[:-2].isdigit():  # a number typed into a numeric cell
        text = text[:-2]
    if text and not _NUMBER.match(text):
        raise InvalidInput(f"not a phone number: {text[:30]}", field="number", code="bad_number")
    return text


BUILDERS = frozenset({Role.SHIFT_LEADER, Role.SUPERVISOR, Role.ADMIN})


def check_build(role: Role | str) -> None:
    """Building a list (or its automatic calls) is for shift leaders, supervisors and admins (403)."""
    if role not in BUILDERS:
        raise ActionForbidden(f"role {role} may not build an outbound list", code="role_not_allowed")
