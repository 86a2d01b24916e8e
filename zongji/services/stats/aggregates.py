"""The call aggregates (issue 10, point 6): figures that stay fast with years of calls.

Reports never scan the raw calls of their range. They read ``call_stats``: the domain's
``CallCounts`` of each half-hour slot and line, overall, per answering operator and per category
— about 200 rows a day on a four-line centre where the raw table holds 30,000.

How they stay exact:

1. **Marks, in the writer's transaction.** Triggers on ``calls`` (``store/stats_models.py``)
   insert a mark (the call's ``ringing_at`` and line) whenever a call that counts changes — on
   every write path, in the same transaction, so a change and its mark commit or roll back
   together. A call moved by a late or out-of-order CTI event marks its old slot and its new one.
2. **Fold, exactly once.** The ``stats.fold`` job takes marks (``DELETE … RETURNING``: only
   committed marks, each taken by one transaction), recounts each marked slot and line from the
   raw rows and replaces its aggregate rows, all in one transaction: a crash leaves the marks.
   Recounting is idempotent, so a mark taken twice would do no harm either.
3. **Reads are exact between folds.** A read takes the marks of its range first, then sums the
   aggregates of every other slot and recounts the marked slots from the raw rows: a change not
   yet folded is never missed and never counted twice. Rows counted under other settings (a
   changed short-abandon limit, target or zone: ``slots.policy_key``) are recounted the same way
   until the job has refolded them.

``rebuild`` recounts a range of days from the raw rows (``zongji stats rebuild``).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any, Iterable

from sqlalchemy import delete, func, insert, or_, select, text, true, tuple_
from sqlalchemy.orm import Session

from zongji.domain.stats import kpi
from zongji.domain.stats.slots import SLOT, local_day, policy_key, slot_of  # noqa: F401 (slot_of: re-exported)
from zongji.services.stats.policy import policy_from
from zongji.settings import Settings
from zongji.store import jobs
from zongji.store.models import Call, Job
from zongji.store.stats_models import COUNT_COLUMNS, SECONDS_COLUMNS, CallStat, CallStatDirty

FOLD_JOB = "stats.fold"
DIMS = ("", "op", "cat")  # overall, per answering operator, per category
# Marks taken per fold; a longer backlog is taken by the next fold, scheduled at once.
FOLD_BATCH = 20000
# Slots refolded per fold when the settings changed (a day of a four-line centre is ~200).
REFOLD_SLOTS = 2000
# Up to this many slots to recount, a read leaves them out in SQL; beyond, it sums per slot.
_EXCLUDE_IN_SQL = 300
_LOCK_KEY = 7_310_001  # PostgreSQL advisory lock: one fold or rebuild at a time

SlotLine = tuple[dt.datetime, int]  # (slot start, line_key: the line id, 0 for none)


def _line_key(line_id: int | None) -> int:
    return line_id or 0


# ------------------------------------------------------------------ counting from the raw rows


def _runs(slots: Iterable[dt.datetime]) -> list[tuple[dt.datetime, dt.datetime]]:
    """Consecutive slots merged into ranges [start, end), at most a day each."""
    out: list[list[dt.datetime]] = []
    for s in sorted(set(slots)):
        if out and out[-1][1] == s and s - out[-1][0] < dt.timedelta(days=1):
            out[-1][1] = s + SLOT
        else:
            out.append([s, s + SLOT])
    return [(a, b) for a, b in out]


def _callbacks(session: Session, missed: list[Any], within: dt.timedelta) -> set[tuple[str, dt.datetime]]:
    """Which of the ``missed`` calls (abandoned inbound) were called back: an answered outbound
    call to the caller's number after it, within ``within`` (the ``called_number`` index)."""
    if not missed:
        return set()
    numbers = sorted({r.calling_number for r in missed if r.calling_number})
    first = min(r.ringing_at for r in missed)
    last = max(r.ringing_at for r in missed) + within
    outbound: dict[str, list[dt.datetime]] = defaultdict(list)
    for i in range(0, len(numbers), 500):
        for o in session.execute(select(Call.called_number, Call.ringing_at).where(
                Call.called_number.in_(numbers[i:i + 500]), Call.direction == "out", Call.answered_at.is_not(None),
                Call.ringing_at > first, Call.ringing_at <= last)):
            outbound[o.called_number].append(o.ringing_at)
    return {(r.calling_number, r.ringing_at) for r in missed
            if any(r.ringing_at < t <= r.ringing_at + within for t in outbound.get(r.calling_number, ()))}


def recount(session: Session, settings: Settings,
            pairs: Iterable[SlotLine]) -> dict[SlotLine, dict[tuple[str, str], kpi.CallCounts]]:
    """The counts of the given slots and lines from the raw calls, by (dim, value). A pair
    without inbound calls has no entry."""
    policy = policy_from(settings)
    wanted: dict[dt.datetime, set[int]] = defaultdict(set)
    for slot, line in pairs:
        wanted[slot].add(line)
    rows = []
    for start, end in _runs(wanted):
        for r in session.execute(select(
                Call.ringing_at, Call.answered_at, Call.ended_at, Call.closed_at, Call.transferred_at, Call.line_id,
                Call.answered_by_id, Call.category, Call.calling_number).where(
                Call.direction == "in", Call.ringing_at >= start, Call.ringing_at < end)):
            if _line_key(r.line_id) in wanted.get(slot_of(r.ringing_at), ()):
                rows.append(r)
    backs = _callbacks(session, [r for r in rows if r.answered_at is None and r.ended_at is not None],
                       dt.timedelta(hours=settings.stats_callback_within_hours))
    items: list[tuple[tuple, kpi.CallFacts]] = []
    for r in rows:
        pair = (slot_of(r.ringing_at), _line_key(r.line_id))
        items.append((((pair, "", ""), (pair, "op", str(r.answered_by_id or 0)), (pair, "cat", r.category or "")),
                      kpi.CallFacts(ringing_at=r.ringing_at, answered_at=r.answered_at, ended_at=r.ended_at,
                                    closed_at=r.closed_at, transferred=r.transferred_at is not None,
                                    called_back=(r.calling_number, r.ringing_at) in backs)))
    out: dict[SlotLine, dict[tuple[str, str], kpi.CallCounts]] = defaultdict(dict)
    for (pair, dim, value), c in kpi.count_calls_by(items, policy).items():
        out[pair][(dim, value)] = c
    return dict(out)


# ------------------------------------------------------------------ writing the aggregates


def _lock(session: Session) -> None:
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _LOCK_KEY})


def _replace(session: Session, settings: Settings, pairs: set[SlotLine]) -> int:
    """Recount ``pairs`` from the raw rows and replace their aggregate rows; the rows written."""
    if not pairs:
        return 0
    counted = recount(session, settings, pairs)
    key = policy_key(policy_from(settings), settings.tz)
    ordered = sorted(pairs)
    for i in range(0, len(ordered), 400):
        chunk = ordered[i:i + 400]
        # slot_start IN first: the unique index (slot_start, …) serves it on both databases.
        session.execute(delete(CallStat).where(
            CallStat.slot_start.in_(sorted({p[0] for p in chunk})),
            tuple_(CallStat.slot_start, CallStat.line_key).in_(chunk)))
    rows = [
        {"slot_start": slot, "day": local_day(slot, settings.tz), "line_key": line, "dim": dim, "value": value[:64],
         "policy": key, **{f: getattr(c, f) for f in (*COUNT_COLUMNS, *SECONDS_COLUMNS, "longest_wait_seconds")}}
        for (slot, line), by_dim in counted.items() for (dim, value), c in by_dim.items()
    ]
    for i in range(0, len(rows), 2000):
        session.execute(insert(CallStat), rows[i:i + 2000])
    return len(rows)


def fold(session: Session, settings: Settings, *, batch: int = FOLD_BATCH) -> dict[str, int]:
    """Take up to ``batch`` marks and bring their slots' aggregates up to date; then refold some
    rows counted under other settings. Returns what was done (and ``more`` when marks remain)."""
    _lock(session)
    taken = session.execute(delete(CallStatDirty).where(CallStatDirty.id.in_(
        select(CallStatDirty.id).order_by(CallStatDirty.id).limit(batch)))
        .returning(CallStatDirty.ringing_at, CallStatDirty.line_id)).all()
    pairs = {(slot_of(r.ringing_at), _line_key(r.line_id)) for r in taken}
    key = policy_key(policy_from(settings), settings.tz)
    stale = {(r.slot_start, r.line_key) for r in session.execute(select(CallStat.slot_start, CallStat.line_key).where(
        CallStat.policy != key, CallStat.dim == "").limit(REFOLD_SLOTS))}
    written = _replace(session, settings, pairs | stale)
    more = session.scalar(select(func.count()).select_from(select(CallStatDirty.id).limit(1).subquery()))
    return {"marks": len(taken), "slots": len(pairs | stale), "rows": written, "more": int(bool(more))}


def rebuild(session: Session, settings: Settings, date_from: dt.date, date_to: dt.date) -> dict[str, int]:
    """Recount every slot of the local days ``date_from``…``date_to`` from the raw rows (the
    aggregates of slots without calls any more are removed). Marks of the range are taken too."""
    _lock(session)
    tz = settings.tz
    start = dt.datetime.combine(date_from, dt.time(0), tzinfo=tz).astimezone(dt.UTC)
    end = dt.datetime.combine(date_to + dt.timedelta(days=1), dt.time(0), tzinfo=tz).astimezone(dt.UTC)
    slots = rows = 0
    day_start = start
    while day_start < end:
        day_end = min(end, day_start + dt.timedelta(days=1))
        session.execute(delete(CallStatDirty).where(CallStatDirty.ringing_at >= day_start,
                                                    CallStatDirty.ringing_at < day_end))
        pairs = {(slot_of(r.ringing_at), _line_key(r.line_id)) for r in session.execute(
            select(Call.ringing_at, Call.line_id).where(Call.direction == "in", Call.ringing_at >= day_start,
                                                        Call.ringing_at < day_end))}
        session.execute(delete(CallStat).where(CallStat.slot_start >= day_start, CallStat.slot_start < day_end))
        rows += _replace(session, settings, pairs)
        slots += len(pairs)
        day_start = day_end
    return {"slots": slots, "rows": rows}


def ensure_fold(session: Session, now: dt.datetime, settings: Settings, *, soon: bool = False) -> None:
    """Keep one fold scheduled: every ``stats_fold_seconds``, or at once while marks remain."""
    period = max(1.0, float(settings.stats_fold_seconds))
    due = now if soon else dt.datetime.fromtimestamp((now.timestamp() // period + 1) * period, dt.UTC)
    jobs.schedule(session, FOLD_JOB, f"stats-fold:{due.isoformat()}", due, {})
    # A fold every half-minute would leave a million finished jobs a year: keep a day of them.
    session.execute(delete(Job).where(Job.kind == FOLD_JOB, Job.state == "done",
                                      Job.finished_at < now - dt.timedelta(days=1)))


# ------------------------------------------------------------------ reading


def _line_condition(column, line_filter: frozenset[int] | None):
    if line_filter is None:
        return true()
    return or_(column == 0, column.in_(sorted(line_filter)))


def _sum_columns() -> list:
    return [*(func.sum(getattr(CallStat, c)).label(c) for c in (*COUNT_COLUMNS, *SECONDS_COLUMNS)),
            func.max(CallStat.longest_wait_seconds).label("longest_wait_seconds")]


def _counts(row: Any) -> kpi.CallCounts:
    return kpi.CallCounts(**{f: (getattr(row, f) or 0) for f in kpi.CallCounts.__dataclass_fields__})


def read(session: Session, settings: Settings, *, start: dt.datetime, end: dt.datetime,
         line_filter: frozenset[int] | None = None, dim: str = "", values: Iterable[str] | None = None,
         by: tuple[str, ...] = ("day",)) -> dict[tuple, kpi.CallCounts]:
    """The counts of the calls that rang in ``[start, end)`` (slot-aligned), grouped by ``by``
    (any of "slot", "day", "line", "value"), for one ``dim``; ``values`` narrows the dim's values
    (an operator's own id). Exact: marked and differently-counted slots come from the raw rows."""
    assert dim in DIMS and set(by) <= {"slot", "day", "line", "value"}
    key = policy_key(policy_from(settings), settings.tz)
    values = None if values is None else sorted(set(values))

    def in_scope(line: int) -> bool:
        return line_filter is None or line == 0 or line in line_filter

    # 1. The slots to recount: the marked ones (read first: see the module's note).
    raw = {(slot_of(r.ringing_at), _line_key(r.line_id)) for r in session.execute(
        select(CallStatDirty.ringing_at, CallStatDirty.line_id).where(
            CallStatDirty.ringing_at >= start, CallStatDirty.ringing_at < end))}
    raw = {p for p in raw if in_scope(p[1])}

    # 2. The aggregates of every other slot, summed in the database, by the settings they were
    #    counted under: rows of other settings (seldom: after a change) send their slots to be
    #    recounted too, and the sum is taken again without them.
    columns = {"slot": CallStat.slot_start, "day": CallStat.day, "line": CallStat.line_key, "value": CallStat.value}

    def summed(raw: set[SlotLine]) -> list[Any]:
        per_slot = len(raw) > _EXCLUDE_IN_SQL
        group = [columns[b] for b in by] + [CallStat.policy.label("_policy")]
        if per_slot:
            group += [CallStat.slot_start.label("_slot"), CallStat.line_key.label("_line")]
        q = select(*group, *_sum_columns()).where(
            CallStat.dim == dim, CallStat.slot_start >= start, CallStat.slot_start < end,
            _line_condition(CallStat.line_key, line_filter))
        if values is not None:
            q = q.where(CallStat.value.in_(values))
        if raw and not per_slot:
            q = q.where(tuple_(CallStat.slot_start, CallStat.line_key).not_in(sorted(raw)))
        rows = session.execute(q.group_by(*group)).all()
        return [r for r in rows if not per_slot or (r._slot, r._line) not in raw]

    rows = summed(raw)
    if any(r._policy != key for r in rows):
        raw |= {p for p in ((r.slot_start, r.line_key) for r in session.execute(
            select(CallStat.slot_start, CallStat.line_key).where(
                CallStat.slot_start >= start, CallStat.slot_start < end, CallStat.policy != key).distinct()))
            if in_scope(p[1])}
        rows = summed(raw)
    out: dict[tuple, kpi.CallCounts] = defaultdict(kpi.CallCounts)
    for row in rows:
        k = tuple(row[:len(by)])
        out[k] = out[k] + _counts(row)

    # 3. The marked slots, recounted from the raw rows.
    for (slot, line), by_dim in recount(session, settings, raw).items():
        for (d, value), c in by_dim.items():
            if d != dim or (values is not None and value not in values):
                continue
            parts = {"slot": slot, "day": local_day(slot, settings.tz), "line": line, "value": value}
            k = tuple(parts[b] for b in by)
            out[k] = out[k] + c
    return dict(out)
