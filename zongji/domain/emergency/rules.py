"""The incident's and each recipient's state machine, as rule tables like the work-order
domain's ``RULES``/``apply``.

Incident: ``started`` → (``update`` …) → ``closed`` (the all-clear). Recipient: ``pending`` →
``calling`` → ``acknowledged`` (time, channel, by whom) | ``no_answer`` | ``busy`` | ``failed``
→ ``calling`` again (tries left) or ``deputy_called``; ``notified`` when only SMS or the console
reached them. An operator may acknowledge on someone's behalf, with a note, from any state but
``acknowledged``.

:func:`after_call` decides what follows a call's result: another try after the plan's
``retry_seconds``, or the deputy."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum

from zongji.domain.emergency.errors import ActionForbidden, IllegalTransition, InvalidInput, require_text
from zongji.domain.emergency.plans import Channel, Plan
from zongji.domain.roles import ADMIN_ROLES, CONSOLE_ROLES, Role


class IncidentStatus(StrEnum):
    STARTED = "started"
    CLOSED = "closed"


class RecipientState(StrEnum):
    PENDING = "pending"
    CALLING = "calling"
    NOTIFIED = "notified"  # SMS sent / shown on the console, no acknowledgement yet
    ACKNOWLEDGED = "acknowledged"
    NO_ANSWER = "no_answer"
    BUSY = "busy"
    FAILED = "failed"
    DEPUTY_CALLED = "deputy_called"


SYSTEM = "system"  # the worker acts as this role

R = RecipientState
_WAITING = frozenset({R.PENDING, R.NOTIFIED, R.NO_ANSWER, R.BUSY, R.FAILED})


@dataclass(frozen=True)
class _Rule:
    source: frozenset  # states the action is allowed in
    target: str | None  # the state after it (None: unchanged)
    roles: frozenset


_CONSOLE = frozenset(CONSOLE_ROLES)
_SYS = frozenset({SYSTEM})

# Who may do what to an incident (and editing plans).
INCIDENT_RULES: dict[str, _Rule] = {
    "start": _Rule(frozenset({None}), IncidentStatus.STARTED, _CONSOLE),
    "update": _Rule(frozenset({IncidentStatus.STARTED}), None, _CONSOLE),
    "close": _Rule(frozenset({IncidentStatus.STARTED}), IncidentStatus.CLOSED, _CONSOLE),
    "acknowledge_on_behalf": _Rule(frozenset({IncidentStatus.STARTED}), None, _CONSOLE),
    "edit_plan": _Rule(frozenset({None}), None, frozenset(ADMIN_ROLES)),
}

RECIPIENT_RULES: dict[str, _Rule] = {
    "call": _Rule(_WAITING, R.CALLING, _SYS),
    # SMS or the console reached them (also after a failed call: telephony down).
    "notify": _Rule(frozenset({R.PENDING, R.FAILED}), R.NOTIFIED, _SYS),
    "answered_ack": _Rule(frozenset({R.CALLING}), R.ACKNOWLEDGED, _SYS),
    "no_answer": _Rule(frozenset({R.CALLING}), R.NO_ANSWER, _SYS),
    "busy": _Rule(frozenset({R.CALLING}), R.BUSY, _SYS),
    "failed": _Rule(frozenset({R.CALLING}), R.FAILED, _SYS),
    "deputy": _Rule(_WAITING | {R.CALLING}, R.DEPUTY_CALLED, _SYS),
    "acknowledge_on_behalf": _Rule(_WAITING | {R.CALLING, R.DEPUTY_CALLED}, R.ACKNOWLEDGED, _CONSOLE),
}


def check_incident(action: str, status: IncidentStatus | None, role: Role | str) -> IncidentStatus | None:
    """The incident's status after ``action`` by ``role``; raises 403/409."""
    rule = INCIDENT_RULES.get(action)
    if rule is None:
        raise InvalidInput(f"unknown action {action!r}", field="action", code="unknown_action")
    if role not in rule.roles:
        raise ActionForbidden(f"role {role} may not {action.replace('_', ' ')}", code="role_not_allowed")
    if status not in rule.source:
        raise IllegalTransition(f"cannot {action.replace('_', ' ')} an incident that is {status}",
                                code="illegal_transition")
    return rule.target if rule.target is not None else status


@dataclass(frozen=True)
class Recipient:
    """One person's notification state within an incident."""

    state: RecipientState = R.PENDING
    attempts: int = 0
    acknowledged_at: datetime | None = None
    ack_channel: str | None = None
    ack_by: str | None = None
    note: str = ""


@dataclass(frozen=True)
class Event:
    action: str
    at: datetime
    channel: str | None = None  # for an acknowledgement: phone, sms, console
    by: str | None = None  # who acknowledged (the person, or the operator on their behalf)
    note: str = ""


def apply(rec: Recipient, event: Event, role: Role | str = SYSTEM) -> Recipient:
    """The recipient's new state after ``event``; raises 403 (role), 409 (state), 422 (input)."""
    rule = RECIPIENT_RULES.get(event.action)
    if rule is None:
        raise InvalidInput(f"unknown action {event.action!r}", field="action", code="unknown_action")
    if event.at.tzinfo is None:
        raise InvalidInput("at must be timezone-aware", field="at", code="naive_datetime")
    if role not in rule.roles:
        raise ActionForbidden(f"role {role} may not {event.action.replace('_', ' ')}",
                              code="role_not_allowed")
    if rec.state not in rule.source:
        raise IllegalTransition(f"cannot {event.action.replace('_', ' ')} a recipient who is "
                                f"{rec.state.replace('_', ' ')}", code="illegal_transition")
    new = replace(rec, state=RecipientState(rule.target))
    if event.action == "call":
        new = replace(new, attempts=rec.attempts + 1)
    elif event.action == "answered_ack":
        new = replace(new, acknowledged_at=event.at, ack_channel=Channel.PHONE.value,
                      ack_by=event.by)
    elif event.action == "acknowledge_on_behalf":
        note = require_text(event.note, "note", max_len=500)
        by = require_text(event.by, "by", max_len=100)
        channel = event.channel or Channel.CONSOLE.value
        if channel not in {c.value for c in Channel} | {"in_person"}:
            raise InvalidInput("channel: phone, sms, console or in_person", field="channel",
                               code="bad_channel")
        new = replace(new, acknowledged_at=event.at, ack_channel=channel, ack_by=by, note=note)
    return new


OUTCOME_ACTIONS = {"answered_confirmed": "answered_ack", "busy": "busy", "no_answer": "no_answer",
                   "answered_no_key": "no_answer", "answered_snoozed": "no_answer"}


def call_action(outcome: str) -> str:
    """The recipient action for a call's outcome (``CallOutcome`` value): key 1 acknowledges;
    answered without the key counts as not reached; anything else failed."""
    return OUTCOME_ACTIONS.get(outcome, "failed")


@dataclass(frozen=True)
class Next:
    what: str  # "retry", "deputy", "done"
    at: datetime | None = None


def after_call(rec: Recipient, plan: Plan, now: datetime, *, has_deputy: bool) -> Next:
    """What follows a recipient's call result: done once acknowledged; another try after
    ``retry_seconds`` while tries are left; else the deputy at once (or done if none)."""
    if rec.state == R.ACKNOWLEDGED or rec.state == R.DEPUTY_CALLED:
        return Next("done")
    if rec.attempts < plan.tries:
        return Next("retry", now + timedelta(seconds=plan.retry_seconds))
    return Next("deputy", now) if has_deputy else Next("done")


def deputy_due(rec: Recipient, first_call_at: datetime, plan: Plan, now: datetime) -> bool:
    """The plan's wait before the deputy is over and the person has not acknowledged."""
    return rec.state in (_WAITING | {R.CALLING}) and now >= first_call_at + timedelta(
        seconds=plan.deputy_wait_seconds)


def wave_start(started_at: datetime, wave: int, plan: Plan) -> datetime:
    """When wave ``wave`` (1 = at once) is told; waves follow each other by ``wave_seconds``."""
    waves = plan.waves
    index = waves.index(wave) if wave in waves else 0
    return started_at + timedelta(seconds=plan.wave_seconds * index)
