"""Call records for the console: the call log, live calls, the caller card, wrap-up (R-C3, R-S4).

Every change is audited and writes a FeedItem(topic="call") in the same transaction, so every
console sees it. Times in and out are ISO-8601 with offset; dates without a time are local days.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import json
import logging
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from zongji.domain import calls as rules
from zongji.domain.caller_id import reversed_digits, search_digits
from zongji.domain import scope as scope_rules
from zongji.domain.greeting import DayPeriods, LineInfo, greeting_for
from zongji.domain.lines import check_outbound
from zongji.errors import Conflict, Invalid, NotFound, ZongjiError
from zongji.services import audit, guest_files
from zongji.services import live_feed
from zongji.services import phrases
from zongji.services import scope as scope_service
from zongji.services.directory import audit_guest_reads, identify_caller
from zongji.services.local_time import iso, parse_local_instant
from zongji.store.db import transaction
from zongji.store.models import Call, Line, Setting, User, utcnow

log = logging.getLogger(__name__)


NOTES_MAX = 4000
NUMBER_MAX = 64
PAGE_SIZE_MAX = 200
# Live calls older than this are not shown in the console's active list (stale PBX leftovers).
ACTIVE_WINDOW = dt.timedelta(hours=12)
# Setting key whose value overrides the time-of-day boundaries of greetings.
DAY_PERIODS_SETTING = "greeting_day_periods"
INTERNAL_CALLER_KINDS = frozenset({"staff", "department", "room"})


# --------------------------------------------------------------------------- serialising


def line_ref(line: Line | Mapping | None) -> dict[str, Any] | None:
    if line is None:
        return None
    if isinstance(line, Mapping):
        return {"code": line["code"], "name": line["name"], "kind": line["kind"]}
    return {"code": line.code, "name": line.name, "kind": line.kind}


def call_out_values(
    v: Mapping[str, Any],
    *,
    tz: ZoneInfo,
    line: dict[str, Any] | None,
    answered_by: dict[str, Any] | None,
) -> dict[str, Any]:
    """CallOut (docs/contracts.md) from a mapping of the calls table's columns."""
    category = v.get("category")
    label = rules.category_label(category, line["kind"] if line else None)
    return {
        "id": v["id"],
        "external_id": v.get("external_id"),
        "line": line,
        "direction": v.get("direction"),
        "calling_number": v.get("calling_number"),
        "called_number": v.get("called_number"),
        "queue": v.get("queue"),
        "state": v.get("state"),
        "ringing_at": iso(v.get("ringing_at"), tz),
        "answered_at": iso(v.get("answered_at"), tz),
        "ended_at": iso(v.get("ended_at"), tz),
        "ring_seconds": v.get("ring_seconds"),
        "talk_seconds": v.get("talk_seconds"),
        "answered_by": answered_by,
        "answering_number": v.get("answering_number"),
        "outcome": v.get("outcome"),
        "hangup_cause": v.get("hangup_cause"),
        "transfer_target": v.get("transfer_target"),
        "caller": {
            "kind": v.get("caller_kind") or "unknown",
            "ref_id": v.get("caller_ref_id"),
            "label": v.get("caller_label"),
            "title": v.get("caller_title"),
            "vip": bool(v.get("caller_vip")),
        },
        "category": category,
        "category_label": label.to_dict() if label else None,
        "notes": v.get("notes"),
        "closed_at": iso(v.get("closed_at"), tz),
        "supplementary": bool(v.get("supplementary")),
        "recorded_by_id": v.get("recorded_by_id"),
    }


_CALL_COLUMNS = [c.key for c in Call.__table__.columns]


def call_out(call: Call, tz: ZoneInfo) -> dict[str, Any]:
    values = {k: getattr(call, k) for k in _CALL_COLUMNS}
    answered_by = (
        {"id": call.answered_by.id, "display_name": call.answered_by.display_name}
        if call.answered_by is not None
        else None
    )
    return call_out_values(values, tz=tz, line=line_ref(call.line), answered_by=answered_by)


def call_lite(call: Call, tz: ZoneInfo) -> dict[str, Any]:
    """A short CallOut for the caller card's history."""
    return {
        "id": call.id,
        "line": line_ref(call.line),
        "direction": call.direction,
        "ringing_at": iso(call.ringing_at, tz),
        "state": call.state,
        "outcome": call.outcome,
        "talk_seconds": call.talk_seconds,
        "answered_by": (
            {"id": call.answered_by.id, "display_name": call.answered_by.display_name}
            if call.answered_by is not None else None
        ),
        "category": call.category,
        "notes": call.notes,
        "supplementary": call.supplementary,
    }


def publish(session: Session, call: Call, tz: ZoneInfo) -> dict[str, Any]:
    """Write the call's new state to the live feed (same transaction) and return it."""
    session.flush()
    session.refresh(call)
    out = call_out(call, tz)
    live_feed.publish(session, "call", call.id, out)
    return out


# --------------------------------------------------------------------------- input checks


def clean_text(value: str | None, field: str, *, max_len: int) -> str | None:
    if value is None:
        return None
    value = value.replace("\x00", "").strip()
    if len(value) > max_len:
        raise Invalid(f"{field} is too long ({len(value)} > {max_len} characters)", field=field)
    return value or None


_NUMBER_OK = re.compile(r"^[0-9+*#]*$")


def clean_number(value: str | None, field: str, *, required: bool = False) -> str | None:
    """A phone number as typed: full-width digits, spaces and dashes are fine."""
    if value is None or not value.strip():
        if required:
            raise Invalid(f"{field} is required", field=field)
        return None
    v = unicodedata.normalize("NFKC", value)
    v = re.sub(r"[\s\-().]", "", v)
    if not _NUMBER_OK.match(v) or len(v) > NUMBER_MAX:
        raise Invalid(f"{field} is not a phone number: {value!r}", field=field)
    return v


def check_category(category: str | None, line_kind: str | None,
                   offered: tuple[rules.Category, ...] | None = None) -> str | None:
    """``category`` if it is one of ``offered`` (default: the categories of ``line_kind``)."""
    if category is None:
        return None
    category = category.strip()
    if not category:
        return None
    allowed = offered if offered is not None else rules.categories_for(line_kind)
    if category not in {c.code for c in allowed}:
        raise Invalid(
            f"unknown category {category!r}"
            + (f" for a {line_kind} line" if line_kind else "")
            + f"; one of {', '.join(c.code for c in allowed)}",
            field="category",
        )
    return category


# --------------------------------------------------------------------------- queries


@dataclass(frozen=True)
class CallFilter:
    date_from: str | None = None
    date_to: str | None = None
    line: str | None = None
    operator: str | None = None
    outcome: str | None = None
    number: str | None = None
    category: str | None = None
    supplementary: bool | None = None


def _user_by_ref(session: Session, ref: str, field: str) -> User:
    ref = ref.strip()
    user = None
    if ref.isdigit():
        user = session.get(User, int(ref))
    if user is None:
        user = session.scalar(
            select(User).where(or_(User.username == ref, User.operator_number == ref))
        )
    if user is None:
        raise Invalid(f"unknown operator {ref!r}", field=field)
    return user


def _line_by_code(session: Session, code: str, field: str = "line") -> Line:
    line = session.scalar(select(Line).where(Line.code == code.strip()))
    if line is None:
        raise Invalid(f"unknown line {code!r}", field=field)
    return line


def _line_conditions(session: Session, user: User | None) -> list[Any]:
    """Where-conditions limiting calls to the lines ``user`` works for (and calls without a line);
    none for a user who works for every line or no user (issue 8, point 5)."""
    scope = scope_service.scope_of(session, user)
    if scope is None or scope.line_filter is None:
        return []
    return [or_(Call.line_id.is_(None), Call.line_id.in_(sorted(scope.line_filter)))]


# The call log counts its rows up to this many; beyond, it says "more than" (issue 18): an exact
# count of millions of rows costs as much as reading them.
COUNT_EXACT_MAX = 10_000


def number_conditions(column_pairs, number: str | None, field: str = "number") -> list[Any]:
    """Where-conditions finding ``number`` (as typed) by the beginning or the end of any of the
    ``(digits, reversed digits)`` key columns: ``[or_(…)]``, or ``[]`` without a number.

    A full number, its last digits or its first digits find the same rows as ``LIKE '%…%'``
    found on the numbers as stored; a fragment from the middle no longer does (issue 18)."""
    cleaned = clean_number(number, field)
    if not cleaned:
        return []
    key = search_digits(cleaned)
    if not key:
        raise Invalid(f"{field} has no digits: {number!r}", field=field)
    rev = reversed_digits(key)
    terms = []
    for forwards, backwards in column_pairs:
        terms.append(and_(forwards >= key, forwards < key + ":"))  # ":" sorts right after "9"
        terms.append(and_(backwards >= rev, backwards < rev + ":"))
    return [or_(*terms)]


def _encode_cursor(direction: str, ringing_at: dt.datetime | None, call_id: int) -> str:
    t = ringing_at.astimezone(dt.UTC).isoformat(timespec="microseconds") if ringing_at else None
    raw = json.dumps({"d": direction, "t": t, "i": call_id}, separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def _decode_cursor(cursor: str) -> tuple[str, dt.datetime, int]:
    bad = Invalid("cursor is not one this call log gave (take next_cursor or prev_cursor as is)",
                  field="cursor")
    try:
        data = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode())
        direction, t, call_id = data["d"], data["t"], data["i"]
        at = dt.datetime.fromisoformat(t)
        if at.tzinfo is None:
            raise ValueError("naive")
        at = at.astimezone(dt.UTC)
    except (ValueError, TypeError, KeyError, OverflowError, UnicodeDecodeError, binascii.Error):
        raise bad from None
    if direction not in ("next", "prev") or type(call_id) is not int or not 0 < call_id < 2 ** 63:
        raise bad
    return direction, at, call_id


def _capped_count(session: Session, where: Any) -> tuple[int, bool]:
    """(total, exact): the rows of ``where`` counted up to ``COUNT_EXACT_MAX``, read from the
    same index as the page; beyond it (COUNT_EXACT_MAX, False)."""
    inner = select(Call.id)
    if where is not None:
        inner = inner.where(where)
    n = session.scalar(select(func.count()).select_from(inner.limit(COUNT_EXACT_MAX + 1).subquery())) or 0
    return (n, True) if n <= COUNT_EXACT_MAX else (COUNT_EXACT_MAX, False)


def list_calls(
    session: Session, f: CallFilter, *, tz: ZoneInfo, page: int = 1, page_size: int = 50,
    cursor: str | None = None, user: User | None = None,
) -> dict[str, Any]:
    """The call log, newest first; with ``user`` only the calls of the lines they work for, and
    calls without a line (internal calls), which the log cannot tell apart cheaply (issue 8,
    point 5).

    Paged by ``cursor`` (``next_cursor``/``prev_cursor`` of a page: a keyset on (ringing_at, id),
    the same cost on page 1 and page 10,000) or, for compatibility, by ``page`` (an offset: slower
    the further). ``total`` is exact up to ``COUNT_EXACT_MAX`` (``total_exact``), else that number
    and ``total_exact`` false (issue 18)."""
    if page < 1:
        raise Invalid("page must be 1 or more", field="page")
    if not 1 <= page_size <= PAGE_SIZE_MAX:
        raise Invalid(f"page_size must be between 1 and {PAGE_SIZE_MAX}", field="page_size")
    position = _decode_cursor(cursor) if cursor else None
    conds = []
    start = end = None
    if f.date_from:
        start = parse_local_instant(f.date_from, "date_from", tz)
        conds.append(Call.ringing_at >= start)
    if f.date_to:
        end = parse_local_instant(f.date_to, "date_to", tz, end_of_day=True)
        # A bare date includes the whole day; a full time is exclusive.
        conds.append(Call.ringing_at < end)
    if start is not None and end is not None and end <= start:
        raise Invalid("date_to is before date_from", field="date_to")
    if f.line:
        conds.append(Call.line_id == _line_by_code(session, f.line).id)
    if f.operator:
        conds.append(Call.answered_by_id == _user_by_ref(session, f.operator, "operator").id)
    if f.outcome:
        outcome = f.outcome.strip()
        if outcome not in {o.value for o in rules.Outcome}:
            raise Invalid(
                f"unknown outcome {f.outcome!r}; one of {', '.join(o.value for o in rules.Outcome)}",
                field="outcome",
            )
        conds.append(Call.outcome == outcome)
    if f.number:
        conds.extend(number_conditions(
            [(Call.calling_digits, Call.calling_digits_rev), (Call.called_digits, Call.called_digits_rev)],
            f.number))
    if f.category:
        conds.append(Call.category == check_category(f.category, None))
    if f.supplementary is not None:
        conds.append(Call.supplementary.is_(f.supplementary))
    conds.extend(_line_conditions(session, user))
    where = and_(*conds) if conds else None
    total, exact = _capped_count(session, where)
    q = select(Call)
    if where is not None:
        q = q.where(where)
    newest_first = (Call.ringing_at.desc(), Call.id.desc())
    next_cursor = prev_cursor = None
    if position is None:
        rows = list(session.scalars(q.order_by(*newest_first).offset((page - 1) * page_size)
                                    .limit(page_size + 1)).unique())
        more, rows = len(rows) > page_size, rows[:page_size]
        if more:
            next_cursor = _encode_cursor("next", rows[-1].ringing_at, rows[-1].id)
        if page > 1 and rows:
            prev_cursor = _encode_cursor("prev", rows[0].ringing_at, rows[0].id)
    else:
        direction, at, call_id = position
        if direction == "next":
            # Older than the cursor's call: the bound on ringing_at alone lets an index range
            # start there; the id only breaks ties of equal times.
            q = q.where(Call.ringing_at <= at, or_(Call.ringing_at < at, Call.id < call_id))
            rows = list(session.scalars(q.order_by(*newest_first).limit(page_size + 1)).unique())
            more, rows = len(rows) > page_size, rows[:page_size]
            if more:
                next_cursor = _encode_cursor("next", rows[-1].ringing_at, rows[-1].id)
            if rows:
                prev_cursor = _encode_cursor("prev", rows[0].ringing_at, rows[0].id)
        else:
            q = q.where(Call.ringing_at >= at, or_(Call.ringing_at > at, Call.id > call_id))
            rows = list(session.scalars(q.order_by(Call.ringing_at, Call.id).limit(page_size + 1)).unique())
            more, rows = len(rows) > page_size, rows[:page_size][::-1]
            if more:
                prev_cursor = _encode_cursor("prev", rows[0].ringing_at, rows[0].id)
            if rows:
                next_cursor = _encode_cursor("next", rows[-1].ringing_at, rows[-1].id)
    return {"items": [call_out(c, tz) for c in rows], "total": total, "total_exact": exact,
            "page": page if position is None else None, "page_size": page_size,
            "next_cursor": next_cursor, "prev_cursor": prev_cursor}


def active_calls(session: Session, *, tz: ZoneInfo, now: dt.datetime | None = None,
                 limit: int = 200, user: User | None = None) -> dict[str, Any]:
    """Calls the console must show: ringing, talking, or answered and not yet closed. With
    ``user``: only the calls of the lines and organisations they work for (issue 8, point 5)."""
    now = now or utcnow()
    q = (
        select(Call)
        .where(
            Call.closed_at.is_(None),
            Call.supplementary.is_(False),
            Call.ringing_at >= now - ACTIVE_WINDOW,
            or_(
                Call.state != rules.CallState.ENDED,
                Call.outcome.in_([o.value for o in rules.ANSWERED_OUTCOMES]),
            ),
            *_line_conditions(session, user),
        )
        .order_by(Call.ringing_at.desc(), Call.id.desc())
        .limit(limit)
    )
    rows = list(session.scalars(q).unique())
    if user is not None:
        rows = scope_service.sees_calls(session, scope_service.scope_of(session, user), rows)
    return {"items": [call_out(c, tz) for c in rows]}


def audit_guest_callers(session_factory, items: list[dict[str, Any]], *, user: User, via: str) -> None:
    """Audit the guests whose identity a list of calls showed to ``user`` (R-O4).

    Lists are read in a read-only session; the audit entries are written in their own short
    transaction, and only when a guest was on the list."""
    ids = [c["caller"]["ref_id"] for c in items
           if c["caller"]["kind"] == "guest" and c["caller"]["ref_id"] is not None]
    if not ids:
        return
    with transaction(session_factory) as session:
        audit_guest_reads(session, ids, user=user, via=via)


def get_call(session: Session, call_id: int, *, for_update: bool = False, user: User | None = None) -> Call:
    """The call ``call_id``; with ``user`` only if it is of a line or organisation they work for
    (issue 8, point 5: another organisation's call is not found)."""
    q = select(Call).where(Call.id == call_id)
    if for_update:
        q = q.with_for_update(of=Call.__table__)
    call = session.scalars(q).unique().first()
    if call is not None and user is not None and not scope_service.sees_calls(
            session, scope_service.scope_of(session, user), [call]):
        call = None
    if call is None:
        raise NotFound(f"no call {call_id}", field="id")
    return call


def _identify(session: Session, number: str | None, at: dt.datetime | None):
    """The directory's CallerIdentity, or None if the number identifies no one."""
    if not number:
        return None
    try:
        return identify_caller(session, number, at=at)
    except ZongjiError:
        return None


def _identity_dict(call: Call, identity) -> dict[str, Any]:
    if identity is not None:
        return identity.to_dict()
    return {
        "kind": call.caller_kind or "unknown", "ref_id": call.caller_ref_id,
        "name": None, "title": call.caller_title, "vip": bool(call.caller_vip),
        "label": call.caller_label, "department": None, "detail": None,
        "privacy_level": None, "room_number": None,
        "normalized_number": call.calling_number,
    }


def day_periods(session: Session) -> DayPeriods:
    row = session.get(Setting, DAY_PERIODS_SETTING)
    try:
        return DayPeriods.from_dict(row.value if row else None)
    except (ValueError, TypeError):
        log.warning("setting %s is invalid; using the default day periods", DAY_PERIODS_SETTING)
        return DayPeriods()


def line_info(line: Line | None) -> LineInfo | None:
    if line is None:
        return None
    org = line.organisation
    return LineInfo(
        kind=line.kind, name=line.name,
        organisation_name=org.name if org else line.name,
        organisation_name_en=org.name_en if org else None,
        organisation_kind=org.kind if org else "company",
        greeting_zh=line.greeting_zh, greeting_en=line.greeting_en,
        internal_greeting_zh=line.internal_greeting_zh,
    )


def external_number(call: Call) -> str:
    """The other party: the caller of an inbound call, the called party of an outbound one."""
    return call.called_number if call.direction == rules.Direction.OUT else call.calling_number


def call_detail(session: Session, call_id: int, *, tz: ZoneInfo, history_limit: int,
                actor: str, user_id: int | None, now: dt.datetime | None = None) -> dict[str, Any]:
    """CallOut plus the caller card: identity, the last calls from that number, the greeting."""
    viewer = session.get(User, user_id) if user_id is not None else None
    call = get_call(session, call_id, user=viewer)
    number = external_number(call)
    identity = _identify(session, number, call.ringing_at or now)
    ident = _identity_dict(call, identity)
    if ident.get("kind") == "guest":
        # Reading a guest's identity is a read of personal data (R-O4): audited.
        audit.record(session, actor=actor, user_id=user_id, action="read", entity="guest",
                     entity_id=ident.get("ref_id"), detail={"via": "call", "call_id": call.id})
        if ident.get("ref_id") is not None:  # the customer file's summary for the card (R-G6)
            ident["file"] = guest_files.card_summary(session, int(ident["ref_id"]))
    history_q = (
        select(Call)
        .where(or_(Call.calling_number == number, Call.called_number == number), Call.id != call.id,
               *_line_conditions(session, viewer))
        .order_by(Call.ringing_at.desc(), Call.id.desc())
        .limit(max(0, history_limit))
    )
    history = [call_lite(c, tz) for c in session.scalars(history_q).unique()] if history_limit else []
    internal = (
        call.direction == rules.Direction.INTERNAL
        or ident.get("kind") in INTERNAL_CALLER_KINDS
        or bool(ident.get("room_number"))
    )
    when = (now or utcnow()) if call.state != rules.CallState.ENDED else (call.ringing_at or now or utcnow())
    greeting = greeting_for(line_info(call.line), when.astimezone(tz), internal=internal,
                            periods=day_periods(session))
    out = call_out(call, tz)
    out["card"] = {"identity": ident, "history": history, "greeting": greeting.to_dict(),
                   "internal": internal}
    return out


# --------------------------------------------------------------------------- changes


def _line_kind(call: Call) -> str | None:
    return call.line.kind if call.line is not None else None


def take_call(session: Session, call_id: int, user: User, *, tz: ZoneInfo) -> dict[str, Any]:
    """The operator claims the call: it is theirs to note and close."""
    call = get_call(session, call_id, for_update=True, user=user)
    if call.closed_at is not None:
        raise Conflict(f"call {call_id} is closed already", field="id")
    if call.state == rules.CallState.RINGING and not rules.in_incoming_queue(call.direction, call.state):
        raise Conflict(f"call {call_id} is an outbound call still dialling, not a call to take",
                       field="direction", code="call_outbound")
    if call.answered_by_id not in (None, user.id):
        raise Conflict(
            f"call {call_id} is taken by {call.answered_by.display_name if call.answered_by else 'someone else'}",
            field="id",
        )
    if call.answered_by_id is None:
        call.answered_by_id = user.id
        audit.record(session, actor=f"user:{user.username}", user_id=user.id, action="take",
                     entity="call", entity_id=call.id)
        return publish(session, call, tz)
    return call_out(call, tz)


def update_call(session: Session, call_id: int, user: User, *, tz: ZoneInfo,
                fields: dict[str, Any], close: bool = False) -> dict[str, Any]:
    """Set category and notes (PATCH), and with ``close`` finish the call's wrap-up."""
    call = get_call(session, call_id, for_update=True, user=user)
    if close and call.closed_at is not None:
        raise Conflict(f"call {call_id} is closed already", field="id")
    if close and (why := rules.close_refusal(call.state)):
        raise Conflict(f"call {call_id} is still ringing: it can be closed once answered or ended",
                       field="state", code=why)
    wrapup = [f for f in ("notes", "category") if f in fields]
    if wrapup and (why := rules.wrapup_refusal(call.state, call.answered_by_id, user.id)):
        raise Conflict(f"call {call_id} is ringing and not taken by you: take it before writing "
                       f"its {wrapup[0]}", field=wrapup[0], code=why)
    changes: dict[str, Any] = {}
    warnings: list[dict[str, Any]] = []
    if "category" in fields:
        # A call without a line is offered the categories of the user's lines (issue 8, point 5).
        offered = scope_rules.categories_offered(_line_kind(call), scope_service.scope_of(session, user))
        category = check_category(fields["category"], _line_kind(call), offered)
        if category != call.category:
            changes["category"] = [call.category, category]
            call.category = category
    if "notes" in fields:
        notes = clean_text(fields["notes"], "notes", max_len=NOTES_MAX)
        if notes != call.notes:
            changes["notes"] = True  # the text itself may hold personal data: not copied
            call.notes = notes
            # Forbidden phrases (R-P10): recorded per hit, answered as warnings; never a block.
            warnings = phrases.record(session, user, notes or "", text_kind="note",
                                      line_id=call.line_id, call_id=call.id)
    if close:
        call.closed_at = utcnow()
        call.closed_by_id = user.id
        if call.answered_by_id is None and call.state != rules.CallState.RINGING and (
            call.outcome in rules.ANSWERED_OUTCOMES
        ):
            call.answered_by_id = user.id
    if not changes and not close:
        return call_out(call, tz)
    audit.record(session, actor=f"user:{user.username}", user_id=user.id,
                 action="close" if close else "update", entity="call", entity_id=call.id,
                 detail=changes or None)
    out = publish(session, call, tz)
    return {**out, "phrase_warnings": warnings} if warnings else out


@dataclass(frozen=True)
class SupplementaryIn:
    occurred_at: str
    calling_number: str
    line: str | None = None
    called_number: str | None = None
    direction: str = "in"
    talk_seconds: int = 0
    outcome: str = "answered"
    category: str | None = None
    notes: str | None = None
    answered_by: str | None = None  # operator who handled it; default: whoever records it


def record_supplementary(session: Session, body: SupplementaryIn, user: User, *, tz: ZoneInfo,
                         now: dt.datetime | None = None) -> dict[str, Any]:
    """A record written afterwards for a call handled after hours (R-S4)."""
    now = now or utcnow()
    occurred = parse_local_instant(body.occurred_at, "occurred_at", tz)
    if len(body.occurred_at.strip()) <= 10:
        raise Invalid("occurred_at needs the time of the call, not only the date",
                          field="occurred_at")
    if occurred > now + dt.timedelta(minutes=5):
        raise Invalid("occurred_at is in the future", field="occurred_at")
    if occurred < now - dt.timedelta(days=366):
        raise Invalid("occurred_at is more than a year ago", field="occurred_at")
    try:
        direction = rules.Direction(body.direction)
    except ValueError:
        raise Invalid("direction must be in, out or internal", field="direction") from None
    try:
        outcome = rules.Outcome(body.outcome)
    except ValueError:
        raise Invalid(
            f"unknown outcome {body.outcome!r}; one of {', '.join(o.value for o in rules.Outcome)}",
            field="outcome",
        ) from None
    if not 0 <= body.talk_seconds <= 24 * 3600:
        raise Invalid("talk_seconds must be between 0 and 86400", field="talk_seconds")
    calling = clean_number(body.calling_number, "calling_number", required=True)
    line = _line_by_code(session, body.line) if body.line else None
    if line is not None and direction == rules.Direction.OUT:
        refused = check_outbound(inbound_only=line.inbound_only, line_name=line.name)  # R-S1
        if refused is not None:
            raise Invalid(f"{refused.zh} / {refused.en}", field="line")
    called = clean_number(body.called_number, "called_number") or (line.number if line else "")
    kind = line.kind if line else None
    category = check_category(body.category, kind,
                              scope_rules.categories_offered(kind, scope_service.scope_of(session, user)))
    notes = clean_text(body.notes, "notes", max_len=NOTES_MAX)
    handler = _user_by_ref(session, body.answered_by, "answered_by") if body.answered_by else user
    answered = outcome in rules.ANSWERED_OUTCOMES
    ended = occurred + dt.timedelta(seconds=body.talk_seconds if answered else 0)
    call = Call(
        external_id=None, line_id=line.id if line else None, direction=direction.value,
        calling_number=calling, called_number=called,
        state=rules.CallState.ENDED.value, ringing_at=occurred,
        answered_at=occurred if answered else None, ended_at=ended, ring_seconds=0,
        talk_seconds=body.talk_seconds if answered else 0,
        answered_by_id=handler.id if answered else None, outcome=outcome.value,
        category=category, notes=notes, closed_at=now, closed_by_id=user.id,
        supplementary=True, recorded_by_id=user.id,
    )
    ext = calling if direction != rules.Direction.OUT else called
    identity = _identify(session, ext, occurred)
    if identity is not None:
        call.caller_kind = identity.kind
        call.caller_ref_id = identity.ref_id
        call.caller_label = identity.label
        call.caller_title = identity.title
        call.caller_vip = bool(identity.vip)
    session.add(call)
    session.flush()
    audit.record(session, actor=f"user:{user.username}", user_id=user.id, action="create",
                 entity="call", entity_id=call.id,
                 detail={"supplementary": True, "occurred_at": occurred.isoformat(),
                         "line": body.line, "outcome": outcome.value})
    return publish(session, call, tz)
