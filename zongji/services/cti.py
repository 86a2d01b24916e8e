"""CTI ingestion: events from PBXs become call records (R-C3), fast, durable and idempotent.

Write path
----------
HTTP handlers parse and validate an event (no database work), then hand it to this process's
``CtiWriter``: one thread that takes every event queued since its last commit (up to
``settings.cti_batch_max``), applies them all in ONE transaction (group commit), commits, and only
then resolves each request's future. A request is therefore acknowledged only once its event is
durable, and one fsync serves the whole batch.

Per batch, the work is a handful of set-based statements, not per-event round trips:

1. the tokens of the batch are checked in one query (so revocation takes effect at once);
2. the events are inserted into ``call_events`` with ``ON CONFLICT (event_key) DO NOTHING
   RETURNING event_key`` — an event already there (a replay, or a retry from the PBX) is a
   duplicate and has no further effect;
3. the calls of the new events are read in one query (``FOR UPDATE`` on PostgreSQL, in
   external-id order so concurrent writers cannot deadlock); calls not yet known are inserted
   with ``ON CONFLICT (external_id) DO NOTHING`` — if another process created the same call in
   the meantime, its row is read and merged instead;
4. each call's facts are merged with its new events (``zongji.domain.calls.merge``: derived from
   the set of facts, not from arrival order) and the changed calls are updated with one
   executemany, and one FeedItem per changed call is written for the live consoles.

Lines and users are cached per process (lines and people change rarely); tokens are not.
Several worker processes are safe: the unique ``event_key`` and ``external_id`` constraints and the
row locks make the outcome the same whatever process handles an event.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import logging
import queue
import sqlite3
import threading
import time
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select, union_all
from sqlalchemy.orm import Session, sessionmaker

from zongji.domain import calls as rules
from zongji.domain.caller_id import normalize_number, number_key, unknown_identity
from zongji.errors import Unauthorized, ZongjiError
from zongji.services import live_feed
from zongji.services.calls import call_out_values
from zongji.errors import Invalid
from zongji.services.directory import identify_caller
from zongji.services.switchboard.lines import flag_outbound_on_inbound_only
from zongji.services.switchboard.transfers import on_cti_reports
from zongji.store.call_writes import CALL_COLUMNS, CallWrites, writer_engine  # noqa: F401 (re-exported)
from zongji.store.directory_version_models import DirectoryVersion
from zongji.store.db import make_session_factory, transaction
from zongji.store.models import Customer, Department, Guest, Line, Person, User, utcnow

log = logging.getLogger(__name__)


CALL_ID_MAX = 250
NUMBER_MAX = 64
SHORT_MAX = 100
CAUSE_MAX = 40
# An event's own time ("at") may not be further in the future than this (PBX clock skew).
FUTURE_SKEW = dt.timedelta(days=1)

INVALID_TOKEN = "Invalid token, please contact your admin!"


class Unavailable(ZongjiError):
    status_code = 503


# --------------------------------------------------------------------------- parsing


@dataclass(slots=True)
class Incoming:
    """A validated event waiting to be written."""

    token_hash: str
    event: rules.CtiEvent
    key: str  # idempotency key (event_key)
    line_code: str | None
    payload: dict[str, Any]
    at_given: bool = False
    earlier: tuple[str, ...] = ()  # the keys a replay of it received earlier has (earlier_keys)


@dataclass(slots=True)
class Result:
    call_id: int | None = None
    duplicate: bool = False
    error: ZongjiError | None = None
    # A new event that may settle a transfer attempt (transfer, answer with answeringNumber,
    # hangup with a cause): matched against ringing attempts after the batch commits.
    transfer_report: dict[str, Any] | None = None


_TRANSFER_REPORT_KINDS = frozenset({rules.EventKind.TRANSFER, rules.EventKind.ANSWER, rules.EventKind.HANGUP})


def _transfer_report(ev: rules.CtiEvent, call_row_id: int | None) -> dict[str, Any] | None:
    if call_row_id is None or ev.kind not in _TRANSFER_REPORT_KINDS:
        return None
    number = ev.transfer_to if ev.kind is rules.EventKind.TRANSFER else ev.answering_number
    if not number or (ev.kind is rules.EventKind.HANGUP and not ev.cause):
        return None
    return {"call_id": call_row_id, "event": ev.kind.value, "number": number, "cause": ev.cause,
            "at": ev.at.isoformat()}


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


# An event's idempotency key is "<UTC day>-<digest>" (issue 18, point 2): keys of one day sit
# together in the unique index, so a day's inserts touch the index's right edge, not random
# pages of an index that grows with history (a bare SHA-256 did). The digest is the first 40 hex
# digits of the SHA-256 of what identifies the event; the day is that of ``at`` when the PBX
# sent it (the same on every replay), else of receipt — a replay of an event without ``at``
# the day after is found by its key of the day before (``earlier_keys``). Migration 0036 gave
# the keys written before the same form, so replays across the upgrade stay duplicates.
EVENT_DIGEST_HEX = 40


def _event_digest(ev: rules.CtiEvent, at_given: bool) -> str:
    parts = (
        ev.external_call_id, ev.kind.value, ev.from_number, ev.to_number, ev.cause or "",
        ev.transfer_to or "", ev.at.astimezone(dt.UTC).isoformat() if at_given else "",
    )
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:EVENT_DIGEST_HEX]


def _keyed(day: dt.date, digest: str) -> str:
    return f"{day:%Y%m%d}-{digest}"


def event_key(ev: rules.CtiEvent, at_given: bool) -> str:
    """The event's idempotency key (``at`` is the time of receipt when ``at_given`` is false)."""
    return _keyed(ev.at.astimezone(dt.UTC).date(), _event_digest(ev, at_given))


def earlier_keys(ev: rules.CtiEvent, at_given: bool) -> tuple[str, ...]:
    """Keys the same event had if it was received the day before: only an event without ``at``
    (its key's day is the day of receipt) can have been."""
    if at_given:
        return ()
    return (_keyed(ev.at.astimezone(dt.UTC).date() - dt.timedelta(days=1), _event_digest(ev, at_given)),)


def _text(data: Mapping[str, Any], name: str, *, max_len: int, required: bool = False) -> str | None:
    value = data.get(name)
    if type(value) is list:
        value = value[0] if value else None
    if type(value) is not str:
        if value is None:
            if required:
                raise Invalid(f"{name} is required", field=name)
            return None
        if isinstance(value, bool) or not isinstance(value, int):
            raise Invalid(f"{name} must be a string", field=name)
        value = str(value)
    if "\x00" in value:
        value = value.replace("\x00", "")
    value = value.strip()
    if len(value) > max_len:
        raise Invalid(f"{name} is too long (at most {max_len} characters)", field=name)
    if not value:
        if required:
            raise Invalid(f"{name} is required", field=name)
        return None
    return value


def _users(data: Mapping[str, Any]) -> str | None:
    values: list[str] = []
    for name in ("user[]", "user"):
        raw = data.get(name)
        if raw is None:
            continue
        for v in raw if isinstance(raw, list) else [raw]:
            if v is None or v == "":
                continue
            if not isinstance(v, (str, int)) or isinstance(v, bool):
                raise Invalid("user must be a string or a list of strings", field="user")
            values.append(str(v).strip())
    if not values:
        return None
    joined = ", ".join(v for v in values if v)
    if len(joined) > SHORT_MAX:
        raise Invalid(f"user is too long (at most {SHORT_MAX} characters)", field="user")
    return joined or None


_ZAMMAD_EVENTS = {"newCall": rules.EventKind.NEW_CALL, "answer": rules.EventKind.ANSWER,
                  "hangup": rules.EventKind.HANGUP}
_JSON_EVENTS = {**_ZAMMAD_EVENTS, "transfer": rules.EventKind.TRANSFER}


def _parse(data: Any, received: dt.datetime, token_hash: str, *, json_form: bool) -> Incoming:
    if not isinstance(data, Mapping):
        raise Invalid("the body must be an object of event fields", field="body")
    kinds = _JSON_EVENTS if json_form else _ZAMMAD_EVENTS
    kind_raw = _text(data, "event", max_len=20, required=True)
    kind = kinds.get(kind_raw)
    if kind is None:
        raise Invalid(f"event must be one of {', '.join(kinds)}, not {kind_raw!r}", field="event")
    external_call_id = _text(data, "callId", max_len=CALL_ID_MAX, required=True)
    numbers_required = json_form or kind is rules.EventKind.NEW_CALL
    from_number = _text(data, "from", max_len=NUMBER_MAX, required=numbers_required) or ""
    to_number = _text(data, "to", max_len=NUMBER_MAX, required=numbers_required) or ""
    direction_raw = _text(data, "direction", max_len=10, required=json_form) or "in"
    allowed_dirs = ("in", "out", "internal") if json_form else ("in", "out")
    if direction_raw not in allowed_dirs:
        raise Invalid(f"direction must be {' or '.join(allowed_dirs)}", field="direction")
    cause = _text(data, "cause", max_len=CAUSE_MAX)
    answering = _text(data, "answeringNumber", max_len=SHORT_MAX)
    queue_name = _text(data, "queue", max_len=SHORT_MAX)
    user = _users(data)
    transfer_to = None
    line_code = None
    at = received
    at_given = False
    if json_form:
        transfer_to = _text(data, "transferTo", max_len=SHORT_MAX)
        if kind is rules.EventKind.TRANSFER and not transfer_to:
            raise Invalid("transferTo is required for a transfer event", field="transferTo")
        line_code = _text(data, "line", max_len=40)
        at_raw = _text(data, "at", max_len=40)
        if at_raw is not None:
            try:
                at = dt.datetime.fromisoformat(at_raw)
            except ValueError:
                raise Invalid(f"at must be an ISO-8601 time with offset, not {at_raw!r}",
                                  field="at") from None
            if at.tzinfo is None:
                raise Invalid("at must include a UTC offset, e.g. 2025-05-01T08:00:00+08:00",
                                  field="at")
            if at > received + FUTURE_SKEW:
                raise Invalid("at is more than a day in the future", field="at")
            at = at.astimezone(dt.UTC)
            at_given = True
    ev = rules.CtiEvent(
        kind=kind, external_call_id=external_call_id, at=at, from_number=from_number, to_number=to_number,
        direction=rules.Direction(direction_raw), cause=cause, answering_number=answering,
        user=user, queue=queue_name, transfer_to=transfer_to,
    )
    payload = {k: (v if isinstance(v, (str, int, float, bool, list)) or v is None else str(v))
               for k, v in data.items()}
    return Incoming(token_hash=token_hash, event=ev, key=event_key(ev, at_given),
                    line_code=line_code, payload=payload, at_given=at_given,
                    earlier=earlier_keys(ev, at_given))


def parse_zammad(data: Any, received: dt.datetime, token_hash: str) -> Incoming:
    """Zammad's generic CTI push (form fields or JSON). ``data`` values may be lists (form)."""
    return _parse(data, received, token_hash, json_form=False)


def parse_json(data: Any, received: dt.datetime, token_hash: str) -> Incoming:
    """Zongji's JSON event (POST /api/cti/events)."""
    return _parse(data, received, token_hash, json_form=True)


# --------------------------------------------------------------------------- caches


@dataclass
class _LineRow:
    id: int
    code: str
    name: str
    kind: str
    number: str
    inbound_only: bool = False  # R-S1

    def ref(self) -> dict[str, Any]:
        return {"code": self.code, "name": self.name, "kind": self.kind}


@dataclass
class LineCache:
    ttl: float = 30.0
    miss_refresh: float = 2.0
    _by_code: dict[str, _LineRow] = field(default_factory=dict)
    _by_number: dict[str, _LineRow] = field(default_factory=dict)
    _by_id: dict[int, _LineRow] = field(default_factory=dict)
    _loaded: float = float("-inf")

    def _load(self, session: Session) -> None:
        rows = [_LineRow(*r) for r in session.execute(
            select(Line.id, Line.code, Line.name, Line.kind, Line.number, Line.inbound_only)).all()]
        self._by_code = {r.code: r for r in rows}
        self._by_number = {number_key(r.number): r for r in rows}
        self._by_id = {r.id: r for r in rows}
        self._loaded = time.monotonic()

    def _fresh(self, session: Session, *, miss: bool) -> bool:
        age = time.monotonic() - self._loaded
        if age > self.ttl or (miss and age > self.miss_refresh):
            self._load(session)
            return True
        return False

    def by_code(self, session: Session, code: str) -> _LineRow | None:
        self._fresh(session, miss=False)
        row = self._by_code.get(code)
        if row is None and self._fresh(session, miss=True):
            row = self._by_code.get(code)
        return row

    def by_number(self, session: Session, number: str) -> _LineRow | None:
        key = number_key(number)
        if not key:
            return None
        self._fresh(session, miss=False)
        row = self._by_number.get(key)
        if row is None and self._fresh(session, miss=True):
            row = self._by_number.get(key)
        return row

    def by_id(self, session: Session, line_id: int | None) -> _LineRow | None:
        if line_id is None:
            return None
        row = self._by_id.get(line_id)
        if row is None and self._fresh(session, miss=True):
            row = self._by_id.get(line_id)
        return row


@dataclass
class UserCache:
    """Console users by username, work number and display name (to resolve who answered)."""

    ttl: float = 30.0
    miss_refresh: float = 2.0
    _by_ref: dict[str, tuple[int, str]] = field(default_factory=dict)
    _by_id: dict[int, tuple[int, str]] = field(default_factory=dict)
    _loaded: float = float("-inf")

    def _load(self, session: Session) -> None:
        rows = session.execute(
            select(User.id, User.username, User.operator_number, User.display_name)
            .where(User.active.is_(True))
        ).all()
        by_ref: dict[str, tuple[int, str]] = {}
        # Weakest first, so usernames and work numbers win over display names.
        for uid, _username, _number, display in rows:
            by_ref.setdefault(display, (uid, display))
        for uid, _username, number, display in rows:
            if number:
                by_ref[number] = (uid, display)
        for uid, username, _number, display in rows:
            by_ref[username] = (uid, display)
        self._by_ref = by_ref
        self._by_id = {uid: (uid, display) for uid, _u, _n, display in rows}
        self._loaded = time.monotonic()

    def find(self, session: Session, *refs: str | None) -> tuple[int, str] | None:
        refs = tuple(r.strip() for r in refs if r and r.strip())
        if not refs:
            return None
        age = time.monotonic() - self._loaded
        if age > self.ttl:
            self._load(session)
        for attempt in range(2):
            for ref in refs:
                hit = self._by_ref.get(ref)
                if hit is None and "," in ref:
                    for part in ref.split(","):
                        hit = hit or self._by_ref.get(part.strip())
                if hit is not None:
                    return hit
            if attempt == 0 and time.monotonic() - self._loaded > self.miss_refresh:
                self._load(session)
            else:
                break
        return None

    def by_id(self, session: Session, user_id: int | None) -> dict[str, Any] | None:
        if user_id is None:
            return None
        hit = self._by_id.get(user_id)
        if hit is None:
            row = session.execute(select(User.id, User.display_name).where(User.id == user_id)).first()
            if row is None:
                return None
            hit = (row[0], row[1])
            self._by_id[user_id] = hit
        return {"id": hit[0], "display_name": hit[1]}


@dataclass
class KnownNumbers:
    """Every phone number stored in the directory, exactly as stored, reloaded when it changes.

    ``identify_caller`` matches mobiles and phones by exact stored forms (``PhoneNumber.variants``);
    a number none of whose variants is stored cannot be identified, so the writer skips the
    directory's queries for it. Extensions and local numbers (suffix matches) always go to the
    directory.

    Reloaded when the directory's version (``directory_version``, bumped by triggers on every
    write of a directory number) changes: the writer calls ``refresh`` in a read session of its
    own before each batch, at most every ``check`` seconds, so the numbers are never loaded inside
    the write transaction. Used without a writer (``Ingestor`` alone), ``may_match`` checks the
    version itself every ``ttl`` seconds.
    """

    check: float = 0.5
    ttl: float = 5.0
    _numbers: frozenset[str] = frozenset()
    _version: int | None = None
    _checked: float = float("-inf")
    loads: int = 0  # how many times the numbers were loaded (diagnostics, tests)

    @staticmethod
    def _current_version(session: Session) -> int:
        return int(session.scalar(select(DirectoryVersion.version).where(DirectoryVersion.id == 1)) or 0)

    def _load(self, session: Session, version: int) -> None:
        q = union_all(
            select(Guest.mobile.label("n")).where(Guest.mobile.is_not(None)),
            select(Person.mobile).where(Person.mobile.is_not(None)),
            select(Person.office_phone).where(Person.office_phone.is_not(None)),
            select(Department.phone).where(Department.phone.is_not(None)),
            select(Customer.phone),
        )
        self._numbers = frozenset(session.execute(q).scalars())
        self._version = version
        self.loads += 1

    def _sync(self, session: Session) -> None:
        # The version first: a change committed after it is read is seen by the next check.
        version = self._current_version(session)
        if version != self._version:
            self._load(session, version)
        self._checked = time.monotonic()

    def refresh(self, factory: sessionmaker[Session]) -> None:
        """Reload if the directory changed, in a read session (no write lock, no write transaction)."""
        if time.monotonic() - self._checked < self.check:
            return
        with factory() as session:
            self._sync(session)

    def may_match(self, session: Session, pn: Any) -> bool:
        if not pn.valid:
            return False
        if pn.kind in ("extension", "local"):
            return True
        if self._version is None or time.monotonic() - self._checked > self.ttl:
            self._sync(session)
        return any(v in self._numbers for v in pn.variants())


# --------------------------------------------------------------------------- applying a batch

_FACT_COLUMNS = ("ringing_at", "answered_at", "ended_at", "hangup_cause", "transfer_target",
                 "transferred_at", "answering_number")
_UPDATABLE = ("line_id", "direction", "calling_number", "called_number", "queue", "state",
              "ringing_at", "answered_at", "ended_at", "ring_seconds", "talk_seconds",
              "answered_by_id", "answering_number", "outcome", "hangup_cause", "transfer_target",
              "transferred_at", "updated_at")


def _facts_of(row: Mapping[str, Any]) -> rules.CallFacts:
    return rules.CallFacts(**{k: row[k] for k in _FACT_COLUMNS})


class Ingestor:
    """Applies batches of events inside a caller's transaction. One per writer (per process)."""

    def __init__(self, tz: ZoneInfo):
        self.tz = tz
        self.lines = LineCache()
        self.users = UserCache()
        self.known = KnownNumbers()

    # -- helpers

    def _line_for(self, session: Session, inc: Incoming) -> _LineRow | None:
        if inc.line_code:
            return self.lines.by_code(session, inc.line_code)
        ev = inc.event
        number = ev.from_number if ev.direction is rules.Direction.OUT else ev.to_number
        return self.lines.by_number(session, number)

    def _identify(self, session: Session, number: str, at: dt.datetime, cache: dict) -> Any:
        if not number:
            return None
        if number in cache:
            return cache[number]
        pn = normalize_number(number)
        if not self.known.may_match(session, pn):
            # Not in the directory: skip the directory's queries (most calls on a busy line).
            identity = unknown_identity(pn)
        else:
            try:
                identity = identify_caller(session, number, at=at)
            except ZongjiError:
                identity = unknown_identity(pn)
            except Exception:
                # The call must be recorded even if identification fails; the card retries it.
                log.exception("identifying %s failed", number)
                identity = unknown_identity(pn)
        cache[number] = identity
        return identity

    def _apply(self, session: Session, row: dict[str, Any], events: list[Incoming],
               lines: dict[int, _LineRow | None], now: dt.datetime) -> bool:
        """Merge events into ``row`` (a dict of the call's columns) in place; True if changed."""
        before = dict(row)
        facts = _facts_of(row)
        for inc in events:
            facts = rules.merge(facts, inc.event)
            ev = inc.event
            if ev.kind is rules.EventKind.NEW_CALL:
                # newCall is the authority on who called whom and on which line.
                row["calling_number"] = ev.from_number or row["calling_number"]
                row["called_number"] = ev.to_number or row["called_number"]
                row["direction"] = ev.direction.value
                line = lines.get(id(inc))
                if line is not None:
                    row["line_id"] = line.id
            if ev.queue and not row.get("queue"):
                row["queue"] = ev.queue
            if row.get("line_id") is None:
                line = lines.get(id(inc))
                if line is not None:
                    row["line_id"] = line.id
        d = rules.derive(facts)
        row.update(
            ringing_at=facts.ringing_at, answered_at=d.answered_at, ended_at=facts.ended_at,
            hangup_cause=facts.hangup_cause, transfer_target=facts.transfer_target,
            transferred_at=facts.transferred_at, answering_number=facts.answering_number,
            state=d.state.value, ring_seconds=d.ring_seconds, talk_seconds=d.talk_seconds,
            outcome=d.outcome.value if d.outcome else None,
        )
        if row.get("answered_by_id") is None and (facts.answering_number or facts.answering_user):
            hit = self.users.find(session, facts.answering_number, facts.answering_user)
            if hit is not None:
                row["answered_by_id"] = hit[0]
        changed = any(row.get(k) != before.get(k) for k in _UPDATABLE)
        if changed:
            row["updated_at"] = now
        return changed

    def _out(self, session: Session, row: Mapping[str, Any]) -> dict[str, Any]:
        line = self.lines.by_id(session, row.get("line_id"))
        return call_out_values(row, tz=self.tz, line=line.ref() if line else None,
                               answered_by=self.users.by_id(session, row.get("answered_by_id")))

    # -- the batch

    def ingest(self, session: Session, items: Sequence[Incoming]) -> list[Result]:
        db = CallWrites(session)
        now = utcnow()
        results: list[Result | None] = [None] * len(items)

        # 1. tokens: checked per batch, never cached, so a revoked token is refused at once.
        sources: dict[str, str] = {}
        for token_hash, name, scopes, revoked_at in db.tokens(sorted({it.token_hash for it in items})):
            if revoked_at is None and "cti" in scopes.split(","):
                sources[token_hash] = name
        live: list[int] = []
        lines: dict[int, _LineRow | None] = {}
        for i, it in enumerate(items):
            if it.token_hash not in sources:
                results[i] = Result(error=Unauthorized(INVALID_TOKEN, field="token"))
                continue
            line = self._line_for(session, it)
            if it.line_code and line is None:
                results[i] = Result(error=Invalid(f"unknown line {it.line_code!r}", field="line"))
                continue
            lines[id(it)] = line
            live.append(i)
        if not live:
            return results  # type: ignore[return-value]

        # 2. the event log; a key already present is a replay.
        primary: dict[str, int] = {}
        for i in live:
            primary.setdefault(items[i].key, i)
        earlier = {alt: key for key, i in primary.items() for alt in items[i].earlier}
        if earlier:
            # Received the day before under that day's key: a replay too.
            for alt in db.existing_event_keys(sorted(earlier)):
                primary.pop(earlier[alt], None)
        event_rows = [
            (key, items[i].event.external_call_id, items[i].event.kind.value, db.dt(items[i].event.at),
             db.dt(now), sources[items[i].token_hash], db.json(items[i].payload))
            for key, i in sorted(primary.items())
        ]
        new_keys = db.insert_new_events(event_rows)
        new_by_call: dict[str, list[Incoming]] = defaultdict(list)
        for key, i in primary.items():
            if key in new_keys:
                new_by_call[items[i].event.external_call_id].append(items[i])

        # 3. the calls, locked in a fixed order.
        external_ids = sorted({items[i].event.external_call_id for i in live})
        rows: dict[str, dict[str, Any]] = {r["external_id"]: r for r in db.select_calls(external_ids)}
        changed: list[dict[str, Any]] = []
        fresh: list[dict[str, Any]] = []
        identities: dict[str, Any] = {}
        for ext in sorted(new_by_call):
            evs = new_by_call[ext]
            if ext in rows:
                if self._apply(session, rows[ext], evs, lines, now):
                    changed.append(rows[ext])
                continue
            # A new call: shape it from its newCall if there is one, else its earliest event.
            seed = min(evs, key=lambda e: (e.event.kind is not rules.EventKind.NEW_CALL, e.event.at))
            ev = seed.event
            line = lines.get(id(seed))
            row = dict.fromkeys(CALL_COLUMNS)
            row.update(
                external_id=ext, line_id=line.id if line else None, direction=ev.direction.value,
                calling_number=ev.from_number, called_number=ev.to_number, queue=ev.queue,
                state=rules.CallState.RINGING.value, caller_kind="unknown", caller_vip=False,
                supplementary=False, created_at=now, updated_at=now,
            )
            other = ev.to_number if ev.direction is rules.Direction.OUT else ev.from_number
            identity = self._identify(session, other, ev.at, identities)
            if identity is not None:
                row.update(caller_kind=identity.kind, caller_ref_id=identity.ref_id,
                           caller_label=identity.label, caller_title=identity.title,
                           caller_vip=bool(identity.vip))
            self._apply(session, row, evs, lines, now)
            fresh.append(row)
        if fresh:
            ids = db.insert_new_calls(fresh)
            raced = []
            for r in fresh:
                if r["external_id"] in ids:
                    r["id"] = ids[r["external_id"]]
                    rows[r["external_id"]] = r
                    changed.append(r)
                else:
                    raced.append(r["external_id"])
            if raced:
                # Another process created these calls after our read: merge into its rows.
                for row in db.select_calls(raced):
                    rows[row["external_id"]] = row
                    if self._apply(session, row, new_by_call[row["external_id"]], lines, now):
                        changed.append(row)
        fresh_ids = {id(r) for r in fresh}  # inserted above with their final state
        upd = [r for r in changed if id(r) not in fresh_ids]
        if upd:
            db.update_calls(upd, _UPDATABLE)

        # 4. the live feed: one item per changed call, with its new state.
        if changed:
            db.insert_feed([(now, "call", str(r["id"]), self._out(session, r)) for r in changed])
            live_feed.announce(session)  # wake the live hubs on commit (issue 18, point 4)
        # A guest identified on a new call is shown on every console (name, title, VIP): that
        # disclosure of personal data is audited once per call (R-O4; issue 2 point 7).
        shown = [r for r in fresh if r.get("id") and r["caller_kind"] == "guest"]
        if shown:
            db.insert_audit([(now, "system:cti", "read", "guest", str(r["caller_ref_id"]),
                              {"via": "live_feed", "call_id": r["id"]}) for r in shown])
        db.close()

        # 5. R-S1: an outbound call the PBX reports on an inbound-only line happened, so it is
        # recorded like any call; it is also flagged to supervisors (notification, audit, feed).
        for ext, evs in new_by_call.items():
            for inc in evs:
                ev, line, row = inc.event, lines.get(id(inc)), rows.get(ext)
                if (ev.kind is rules.EventKind.NEW_CALL and ev.direction is rules.Direction.OUT
                        and line is not None and line.inbound_only and row and row.get("id")):
                    flag_outbound_on_inbound_only(session, call_id=row["id"], line_code=line.code,
                                                  line_name=line.name, calling=ev.from_number,
                                                  called=ev.to_number, at=ev.at, tz=self.tz)

        for i in live:
            it = items[i]
            row = rows.get(it.event.external_call_id)
            is_new = primary.get(it.key) == i and it.key in new_keys
            results[i] = Result(call_id=row["id"] if row else None, duplicate=not is_new,
                                transfer_report=_transfer_report(it.event, row["id"] if row else None)
                                if is_new else None)
        return results  # type: ignore[return-value]


_STOP = object()


def _retryable(exc: BaseException) -> bool:
    """A race or contention the same batch may succeed after: unique violation, deadlock, busy.

    Not a schema error ("no such column": the database needs ``zongji db upgrade``) nor a bug.
    """
    orig = getattr(exc, "orig", None) or exc
    if isinstance(orig, sqlite3.IntegrityError):
        return True
    if isinstance(orig, sqlite3.OperationalError):
        text = str(orig).lower()
        return "locked" in text or "busy" in text
    try:
        import psycopg
    except ImportError:  # pragma: no cover
        return False
    return isinstance(orig, (psycopg.errors.IntegrityError, psycopg.errors.TransactionRollbackError,
                             psycopg.errors.LockNotAvailable))


def process_batch(factory: sessionmaker[Session], ingestor: Ingestor,
                  items: Sequence[Incoming], *, attempts: int = 5) -> list[Result]:
    """Apply ``items`` in one committed transaction; retry on races; isolate a failing event."""
    delay = 0.002
    for attempt in range(attempts):
        try:
            with transaction(factory) as session:
                results = ingestor.ingest(session, items)
            _settle_transfers(factory, ingestor.tz, results)
            return results
        except Exception as exc:
            if not _retryable(exc):
                log.exception("CTI batch of %d failed", len(items))
                break
            # Two processes raced on the same call or event (PostgreSQL), a deadlock was broken,
            # or the database was busy: the transaction rolled back; do it again.
            log.info("CTI batch of %d retried (attempt %d): %s", len(items), attempt + 1,
                     type(exc).__name__)
            time.sleep(delay)
            delay = min(delay * 2, 0.1)
    if len(items) > 1:
        # Do not let one bad event fail its neighbours: apply them one by one.
        return [process_batch(factory, ingestor, [it], attempts=attempts)[0] for it in items]
    return [Result(error=Unavailable("the event could not be stored; send it again", field="event"))]


def _settle_transfers(factory: sessionmaker[Session], tz: ZoneInfo, results: Sequence[Result]) -> None:
    """After the batch committed: events that may end a transfer attempt (the PBX's transfer
    results) go to the switchboard in one extra transaction — one query when the batch has any,
    none otherwise. A failure here is logged; it never fails or repeats the CTI batch."""
    reports = [r.transfer_report for r in results if r is not None and r.transfer_report is not None]
    if not reports:
        return
    try:
        on_cti_reports(factory, reports, tz=tz)
    except Exception:
        log.exception("matching %d CTI events with transfer attempts failed", len(reports))


def _resolve(pairs: list[tuple[asyncio.Future, Result]]) -> None:
    for fut, res in pairs:
        if not fut.done():
            fut.set_result(res)


class CtiWriter:
    """This process's group-commit writer: one thread, one transaction per batch."""

    def __init__(self, factory: sessionmaker[Session], *, tz: ZoneInfo, batch_max: int = 500):
        self.factory = factory
        self.ingestor = Ingestor(tz)
        self.batch_max = max(1, batch_max)
        self._q: queue.SimpleQueue = queue.SimpleQueue()
        self._thread = threading.Thread(target=self._run, name="zongji-cti-writer", daemon=True)
        self.batches = 0
        self.events = 0
        self.cpu_seconds = 0.0  # CPU time of the writer thread, for diagnostics
        self._engine = None  # its own engine when built by ``for_database``

    @classmethod
    def for_database(cls, url: str, *, tz: ZoneInfo, batch_max: int = 500) -> "CtiWriter":
        """A writer on its own engine (``writer_engine``), disposed of when the writer stops."""
        engine = writer_engine(url)
        writer = cls(make_session_factory(engine), tz=tz, batch_max=batch_max)
        writer._engine = engine
        return writer

    def start(self) -> None:
        self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        self._q.put(_STOP)
        self._thread.join(timeout)
        engine, self._engine = self._engine, None
        if engine is not None:
            engine.dispose()

    @property
    def alive(self) -> bool:
        return self._thread.is_alive()

    async def submit(self, item: Incoming) -> Result:
        loop = asyncio.get_running_loop()
        fut = loop.create_future()
        self._q.put((item, fut, loop))
        return await fut

    def _run(self) -> None:
        stop = False
        while not stop:
            first = self._q.get()
            if first is _STOP:
                break
            batch = [first]
            while len(batch) < self.batch_max:
                try:
                    nxt = self._q.get_nowait()
                except queue.Empty:
                    break
                if nxt is _STOP:
                    stop = True
                    break
                batch.append(nxt)
            cpu0 = time.thread_time()
            try:
                self.ingestor.known.refresh(self.factory)  # outside the batch's write transaction
            except Exception:  # noqa: BLE001 - a stale cache only costs directory look-ups
                log.exception("reloading the known numbers failed")
            try:
                results = process_batch(self.factory, self.ingestor, [b[0] for b in batch])
            except Exception:  # pragma: no cover - process_batch does not raise
                log.exception("CTI writer failed")
                results = [Result(error=Unavailable("CTI writer failed", field="event"))] * len(batch)
            self.batches += 1
            self.events += len(batch)
            self.cpu_seconds += time.thread_time() - cpu0
            by_loop: dict[Any, list] = defaultdict(list)
            for (_item, fut, loop), res in zip(batch, results, strict=True):
                by_loop[loop].append((fut, res))
            for loop, pairs in by_loop.items():
                try:
                    loop.call_soon_threadsafe(_resolve, pairs)
                except RuntimeError:  # the loop is closed: nobody waits any more
                    pass
        # Answer anything still queued so no request waits forever.
        while True:
            try:
                item = self._q.get_nowait()
            except queue.Empty:
                break
            if item is _STOP:
                continue
            _item, fut, loop = item
            try:
                loop.call_soon_threadsafe(
                    _resolve, [(fut, Result(error=Unavailable("server is stopping", field="event")))])
            except RuntimeError:
                pass
