"""Call records from CTI events (R-C3, R-S4): pure rules, no I/O.

A call's record is derived from the *set* of facts the PBX reported — when it first rang, when it
was answered, when it ended, where it was transferred, why it ended — never from the order in
which events arrived. ``merge`` folds one event into the facts; it is idempotent (the same event
twice changes nothing) and, for the times, commutative (events in any order give the same
facts). ``derive`` then computes state, ring/talk seconds and the outcome from the facts alone.

Hang-up causes are Zammad's (generic CTI): normalClearing, cancel, noAnswer, busy, congestion,
notFound, answeredElsewhere, forwarded.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from enum import StrEnum


class EventKind(StrEnum):
    NEW_CALL = "newCall"
    ANSWER = "answer"
    TRANSFER = "transfer"
    HANGUP = "hangup"


class Direction(StrEnum):
    IN = "in"
    OUT = "out"
    INTERNAL = "internal"


class CallState(StrEnum):
    RINGING = "ringing"
    ANSWERED = "answered"  # talking
    ENDED = "ended"


class HangupCause(StrEnum):
    NORMAL_CLEARING = "normalClearing"
    CANCEL = "cancel"  # the caller hung up while it rang
    NO_ANSWER = "noAnswer"
    BUSY = "busy"
    CONGESTION = "congestion"
    NOT_FOUND = "notFound"
    ANSWERED_ELSEWHERE = "answeredElsewhere"
    FORWARDED = "forwarded"


class Outcome(StrEnum):
    ANSWERED = "answered"
    ABANDONED = "abandoned"  # the caller hung up while it rang (呼损)
    MISSED = "missed"  # nobody answered (noAnswer)
    BUSY = "busy"
    TRANSFERRED = "transferred"
    FORWARDED = "forwarded"  # e.g. after hours to the manager's mobile (R-S2)
    MESSAGE_TAKEN = "message_taken"
    FAILED = "failed"  # congestion, number not found, other network failures


OUTCOME_LABELS: dict[str, tuple[str, str]] = {
    Outcome.ANSWERED: ("已接听", "Answered"),
    Outcome.ABANDONED: ("呼损(振铃中挂断)", "Abandoned"),
    Outcome.MISSED: ("未接", "Missed"),
    Outcome.BUSY: ("占线", "Busy"),
    Outcome.TRANSFERRED: ("已转接", "Transferred"),
    Outcome.FORWARDED: ("已前转", "Forwarded"),
    Outcome.MESSAGE_TAKEN: ("已留言", "Message taken"),
    Outcome.FAILED: ("失败", "Failed"),
}

# Outcomes in which a person spoke with the caller.
ANSWERED_OUTCOMES = frozenset({Outcome.ANSWERED, Outcome.TRANSFERRED, Outcome.MESSAGE_TAKEN})
# Outcomes that count as lost calls for the abandon (loss) rate.
LOST_OUTCOMES = frozenset({Outcome.ABANDONED, Outcome.MISSED, Outcome.BUSY, Outcome.FAILED})


@dataclass(frozen=True)
class CtiEvent:
    """One CTI event as reported by a PBX, validated. ``at``: when it happened (aware).
    ``external_call_id``: the PBX's own identifier of the call (the CTI's ``callId``), stored as
    ``calls.external_id``; a ``call_id`` elsewhere is the call's database id."""

    kind: EventKind
    external_call_id: str
    at: dt.datetime
    from_number: str = ""
    to_number: str = ""
    direction: Direction = Direction.IN
    cause: str | None = None
    answering_number: str | None = None
    user: str | None = None
    queue: str | None = None
    transfer_to: str | None = None


@dataclass(frozen=True)
class CallFacts:
    """What is known of a call, independent of the order the events came in."""

    ringing_at: dt.datetime | None = None  # earliest event of the call (it rings first)
    answered_at: dt.datetime | None = None  # earliest answer
    ended_at: dt.datetime | None = None  # earliest hang-up
    hangup_cause: str | None = None  # the cause of the earliest hang-up
    transfer_target: str | None = None  # the latest transfer's target
    transferred_at: dt.datetime | None = None
    answering_number: str | None = None  # of the earliest answer
    answering_user: str | None = None


def _earlier(a: dt.datetime | None, b: dt.datetime | None) -> dt.datetime | None:
    if a is None:
        return b
    if b is None:
        return a
    return min(a, b)


def merge(facts: CallFacts, event: CtiEvent) -> CallFacts:
    """Fold one event into the facts. Idempotent; order of events does not matter for times."""
    at = event.at
    changes: dict = {"ringing_at": _earlier(facts.ringing_at, at)}
    if event.kind is EventKind.ANSWER:
        if facts.answered_at is None or at < facts.answered_at:
            changes["answered_at"] = at
            changes["answering_number"] = event.answering_number or facts.answering_number
            changes["answering_user"] = event.user or facts.answering_user
        else:
            # A later (or the same) answer only fills in what is still unknown.
            changes["answering_number"] = facts.answering_number or event.answering_number
            changes["answering_user"] = facts.answering_user or event.user
    elif event.kind is EventKind.HANGUP:
        if facts.ended_at is None or at < facts.ended_at or (
            at == facts.ended_at and (event.cause or "") < (facts.hangup_cause or "")
        ):
            changes["ended_at"] = at
            changes["hangup_cause"] = event.cause or facts.hangup_cause
        elif facts.hangup_cause is None and event.cause:
            changes["hangup_cause"] = event.cause
        if event.answering_number and facts.answering_number is None:
            changes["answering_number"] = event.answering_number
    elif event.kind is EventKind.TRANSFER:
        target = event.transfer_to
        if target and (
            facts.transferred_at is None
            or at > facts.transferred_at
            or (at == facts.transferred_at and target > (facts.transfer_target or ""))
        ):
            changes["transfer_target"] = target
            changes["transferred_at"] = at
    return replace(facts, **changes)


def merge_all(events, facts: CallFacts | None = None) -> CallFacts:
    facts = facts or CallFacts()
    for e in events:
        facts = merge(facts, e)
    return facts


@dataclass(frozen=True)
class Derived:
    state: CallState
    answered_at: dt.datetime | None  # clamped into [ringing_at, ended_at]
    ring_seconds: int | None
    talk_seconds: int | None
    outcome: Outcome | None  # None while the call is live


def _seconds(a: dt.datetime, b: dt.datetime) -> int:
    return max(0, round((b - a).total_seconds()))


def outcome_for(facts: CallFacts) -> Outcome | None:
    """The outcome of an ended call from its facts; None while it is live."""
    if facts.ended_at is None:
        return None
    cause = facts.hangup_cause
    answered = facts.answered_at is not None or cause == HangupCause.ANSWERED_ELSEWHERE
    if answered:
        return Outcome.TRANSFERRED if facts.transfer_target else Outcome.ANSWERED
    if cause == HangupCause.FORWARDED or facts.transfer_target:
        return Outcome.FORWARDED
    if cause == HangupCause.NO_ANSWER:
        return Outcome.MISSED
    if cause == HangupCause.BUSY:
        return Outcome.BUSY
    if cause in (HangupCause.CONGESTION, HangupCause.NOT_FOUND):
        return Outcome.FAILED
    if cause in (None, "", HangupCause.CANCEL, HangupCause.NORMAL_CLEARING):
        # Hung up while it rang: by the caller (cancel) or a clearing with nobody on the line.
        return Outcome.ABANDONED
    return Outcome.FAILED


def derive(facts: CallFacts) -> Derived:
    """State, ring seconds, talk seconds and outcome from the facts alone."""
    ringing_at, answered_at, ended_at = facts.ringing_at, facts.answered_at, facts.ended_at
    # A late event may carry a receipt time after the hang-up; a call cannot be answered after
    # it ended nor before it rang.
    if answered_at is not None and ended_at is not None and answered_at > ended_at:
        answered_at = ended_at
    if answered_at is not None and ringing_at is not None and answered_at < ringing_at:
        answered_at = ringing_at
    if ended_at is not None:
        state = CallState.ENDED
    elif answered_at is not None:
        state = CallState.ANSWERED
    else:
        state = CallState.RINGING
    ring_seconds = talk_seconds = None
    if ringing_at is not None:
        stop = answered_at or ended_at
        if stop is not None:
            ring_seconds = _seconds(ringing_at, stop)
    if answered_at is not None and ended_at is not None:
        talk_seconds = _seconds(answered_at, ended_at)
    elif ended_at is not None:
        talk_seconds = 0
    return Derived(state, answered_at, ring_seconds, talk_seconds, outcome_for(facts))


# --------------------------------------------------------------------------- the right call (issue 8)


def in_incoming_queue(direction: str | None, state: str | None) -> bool:
    """A call waiting for an operator: ringing and not outbound. An outbound call the PBX reports
    while it dials rings the called party, not the switchboard: nobody takes it."""
    return state == CallState.RINGING and direction != Direction.OUT


def close_refusal(state: str | None) -> str | None:
    """Why a call cannot be closed now, or None. A ringing call is nobody's to close: its caller
    is still waiting to be answered."""
    return "call_ringing" if state == CallState.RINGING else None


def wrapup_refusal(state: str | None, answered_by_id: int | None, user_id: int) -> str | None:
    """Why ``user_id`` cannot write a ringing call's note or category, or None. While a call
    rings, its wrap-up belongs to the operator who took it, never to whoever has it selected."""
    if state == CallState.RINGING and answered_by_id != user_id:
        return "call_not_taken"
    return None


# --------------------------------------------------------------------------- categories (R-C3)

LINE_KINDS = ("switchboard", "hotline_400", "hotline_12345")


@dataclass(frozen=True)
class Category:
    code: str
    zh: str
    en: str

    def to_dict(self) -> dict[str, str]:
        return {"code": self.code, "zh": self.zh, "en": self.en}


_C = Category

CATEGORIES: dict[str, tuple[Category, ...]] = {
    "switchboard": (
        _C("transfer_request", "转接请求", "Transfer request"),
        _C("information", "信息查询", "Information"),
        _C("message", "留言", "Message"),
        _C("complaint", "投诉", "Complaint"),
        _C("wake_up", "叫醒服务", "Wake-up call"),
        _C("dnd", "免打扰", "Do-not-disturb"),
        _C("long_distance", "长途电话", "Long-distance call"),
        _C("guest_service", "客房服务", "Guest service"),
        _C("emergency", "紧急情况", "Emergency"),
        _C("internal", "内部事务", "Internal"),
        _C("other", "其他", "Other"),
    ),
    "hotline_400": (
        _C("product_question", "产品咨询", "Product question"),
        _C("course_enquiry", "课程咨询", "Course enquiry"),
        _C("recruitment", "招聘", "Recruitment"),
        _C("complaint", "投诉", "Complaint"),
        _C("after_sales", "售后服务", "After-sales service"),
        _C("other", "其他", "Other"),
    ),
    "hotline_12345": (
        _C("suggestion", "建议", "Suggestion"),
        _C("request", "一般诉求", "Request"),
        _C("help", "求助", "Help"),
        _C("complaint", "投诉举报", "Complaint / report"),
        _C("inquiry", "咨询", "Inquiry"),
        _C("praise", "表扬", "Praise"),
        _C("other", "其他(无效来电)", "Other (invalid call)"),
    ),
}


def categories_for(line_kind: str | None) -> tuple[Category, ...]:
    """Categories of a line kind; every known category (deduplicated) when the kind is None."""
    if line_kind is not None:
        return CATEGORIES.get(line_kind, ())
    seen: dict[str, Category] = {}
    for cats in CATEGORIES.values():
        for c in cats:
            seen.setdefault(c.code, c)
    return tuple(seen.values())


def category_label(code: str | None, line_kind: str | None = None) -> Category | None:
    if not code:
        return None
    for c in categories_for(line_kind):
        if c.code == code:
            return c
    for c in categories_for(None):
        if c.code == code:
            return c
    return None
