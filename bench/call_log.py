"""The call log with years of calls (issue 18, point 1). See bench/README.md.

Loads calls of a 12345 centre's shape (30,000 a day, four lines, repeat callers, numbers as PBXs
send them) into a fresh SQLite file and a fresh PostgreSQL database with Zongji's own schema, in
steps (``--sizes``, default a quick 100,000 and 300,000; ``--sizes 1000000,3000000`` or up to
30 M when asked), bulk (COPY on PostgreSQL, executemany on SQLite; the calls' indexes dropped
during a load and rebuilt after it, then ANALYZE). At each size it times, in the same run and on
the same database:

- Zongji's call log as the API answers it (``services.calls.list_calls``: digit-key number search,
  capped count, keyset cursor): the first page, a page in the middle of the log by cursor, a full
  number, its last 4 digits, a prefix ("1381"), a line + outcome + month;
- the baseline, the old query as it was: ``LIKE '%…%'`` on both numbers, an exact ``count(*)``
  and ``OFFSET`` paging, for the same look-ups and pages.

Every time is the median of ``--repeat`` runs with different numbers; the last table says how each
grows from the smallest size to the largest. No test asserts a time.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import and_, func, inspect, or_, select, text  # noqa: E402
from sqlalchemy.orm import Session  # noqa: E402

from bench._databases import DEFAULT_PG_ADMIN_URL, fresh_database, growth_table  # noqa: E402

from zongji.domain.caller_id import reversed_digits, search_digits  # noqa: E402
from zongji.services import calls as service  # noqa: E402
from zongji.store.db import make_engine  # noqa: E402
from zongji.store.models import Call, Line, Organisation  # noqa: E402
from zongji.store.schema import metadata as SCHEMA  # noqa: E402

TZ = dt.timezone(dt.timedelta(hours=8))
PER_DAY = 30_000
LINES = (("city", "12345", 0.55), ("hotel", "8000", 0.25), ("biz", "4008001234", 0.12), ("ops", "8100", 0.08))
OUTCOMES = (("answered", 0.78), ("abandoned", 0.12), ("missed", 0.04), ("transferred", 0.04), ("busy", 0.02))
COLUMNS = ("id", "line_id", "direction", "calling_number", "called_number", "calling_digits", "calling_digits_rev",
           "called_digits", "called_digits_rev", "state", "ringing_at", "answered_at", "ended_at", "ring_seconds",
           "talk_seconds", "outcome", "caller_kind", "caller_vip", "supplementary", "created_at", "updated_at")
END = dt.datetime(2026, 12, 1, tzinfo=dt.UTC)


# ----------------------------------------------------------------------------- data


class Population:
    """Callers: a pool that grows with the log (a third of calls come from someone who called
    before), numbers written as PBXs send them."""

    def __init__(self, seed: int):
        self.rnd = random.Random(seed)
        self.callers: list[str] = []

    def number(self) -> str:
        rnd = self.rnd
        if self.callers and rnd.random() < 0.33:
            return rnd.choice(self.callers)
        r = rnd.random()
        if r < 0.75:
            n = f"1{rnd.choice('3456789')}{rnd.randint(0, 999_999_999):09d}"
            n = "+86" + n if rnd.random() < 0.1 else n
        elif r < 0.95:
            n = rnd.choice(("010", "020", "021", "0755", "0571")) + f"{rnd.randint(20_000_000, 89_999_999)}"
        else:
            n = f"{rnd.randint(6000, 8999)}"
        self.callers.append(n)
        return n


def _pick(rnd: random.Random, weighted) -> int:
    x, acc = rnd.random(), 0.0
    for i, (*_, w) in enumerate(weighted):
        acc += w
        if x < acc:
            return i
    return len(weighted) - 1


def rows(pop: Population, first_id: int, count: int, total: int, line_ids: list[int]):
    """Calls ``first_id`` … of a log of ``total`` calls ending at END, oldest first."""
    rnd = pop.rnd
    span = dt.timedelta(days=total / PER_DAY)
    start = END - span
    step = span / total
    for k in range(count):
        i = first_id + k
        at = start + step * (i - 1) + dt.timedelta(seconds=rnd.random())
        li = _pick(rnd, LINES)
        outcome = OUTCOMES[_pick(rnd, OUTCOMES)][0]
        calling, called = pop.number(), LINES[li][1]
        a, b = search_digits(calling), search_digits(called)
        answered = outcome in ("answered", "transferred")
        ring = rnd.randint(2, 20)
        talk = rnd.randint(20, 400) if answered else 0
        yield (i, line_ids[li], "in", calling, called, a, reversed_digits(a), b, reversed_digits(b), "ended", at,
               at + dt.timedelta(seconds=ring) if answered else None,
               at + dt.timedelta(seconds=ring + talk), ring, talk, outcome, "unknown", False, False, at, at)


def _sqlite_value(v):
    if isinstance(v, dt.datetime):
        return v.astimezone(dt.UTC).replace(tzinfo=None).isoformat(" ", "microseconds")
    if isinstance(v, bool):
        return int(v)
    return v


def load(engine, backend: str, batch) -> None:
    raw = engine.raw_connection()
    try:
        cur = raw.cursor()
        if backend == "sqlite":
            cur.execute("BEGIN")  # the engine's connections run without implicit transactions
            cur.executemany(f"INSERT INTO calls ({', '.join(COLUMNS)}) VALUES ({', '.join('?' * len(COLUMNS))})",
                            [tuple(_sqlite_value(v) for v in r) for r in batch])
        else:
            with cur.copy(f"COPY calls ({', '.join(COLUMNS)}) FROM STDIN") as copy:
                for r in batch:
                    copy.write_row(r)
        raw.commit()
    finally:
        raw.close()


def calls_indexes():
    return [ix for ix in Call.__table__.indexes]


def grow(engine, backend: str, pop: Population, have: int, want: int, line_ids: list[int]) -> float:
    """Add calls ``have+1 … want`` (indexes dropped, loaded, rebuilt, ANALYZE); seconds taken."""
    t0 = time.perf_counter()
    with engine.begin() as c:
        for ix in calls_indexes():
            ix.drop(c, checkfirst=True)
    chunk = 200_000
    for first in range(have + 1, want + 1, chunk):
        n = min(chunk, want - first + 1)
        load(engine, backend, list(rows(pop, first, n, want_total[0], line_ids)))
    with engine.begin() as c:
        for ix in calls_indexes():
            ix.create(c)
        c.execute(text("ANALYZE"))
    return time.perf_counter() - t0


want_total = [0]  # the largest size: the log's span is fixed by it, the steps fill it in order


# ----------------------------------------------------------------------------- the two call logs


def _months(engine) -> tuple[str, str]:
    with Session(engine) as s:
        first, last = s.execute(select(func.min(Call.ringing_at), func.max(Call.ringing_at))).one()
    mid = first + (last - first) / 2
    local = mid.astimezone(TZ)
    start = local.replace(day=1)
    end = (start + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
    return start.date().isoformat(), end.date().isoformat()


def old_list(s: Session, *, number: str | None = None, line_id: int | None = None, outcome: str | None = None,
             date_from: dt.datetime | None = None, date_to: dt.datetime | None = None, page: int = 1) -> int:
    """The call log's query before issue 18 (count(*) + LIKE + OFFSET)."""
    conds = []
    if date_from:
        conds.append(Call.ringing_at >= date_from)
    if date_to:
        conds.append(Call.ringing_at < date_to)
    if line_id:
        conds.append(Call.line_id == line_id)
    if outcome:
        conds.append(Call.outcome == outcome)
    if number:
        like = f"%{number}%"
        conds.append(or_(Call.calling_number.like(like, escape="\\"), Call.called_number.like(like, escape="\\")))
    where = and_(*conds) if conds else None
    count_q = select(func.count(Call.id))
    items_q = select(Call).order_by(Call.ringing_at.desc(), Call.id.desc())
    if where is not None:
        count_q, items_q = count_q.where(where), items_q.where(where)
    s.scalar(count_q)
    return len(s.scalars(items_q.offset((page - 1) * 50).limit(50)).unique().all())


def _median_ms(fn, probes) -> float:
    times = []
    for p in probes:
        t0 = time.perf_counter()
        fn(p)
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times)


def measure(engine, size: int, repeat: int, rnd: random.Random, line_ids: list[int]) -> dict[str, tuple[float, float]]:
    m_from, m_to = _months(engine)
    local_from = dt.datetime.fromisoformat(m_from).replace(tzinfo=TZ)
    local_to = dt.datetime.fromisoformat(m_to).replace(tzinfo=TZ) + dt.timedelta(days=1)
    with Session(engine) as s:
        # Probes: numbers of calls spread over the log (mobile numbers, bare, for the prefix).
        ids = [rnd.randint(1, size) for _ in range(repeat * 4)]
        numbers = [n for n in s.scalars(select(Call.calling_number).where(Call.id.in_(ids))) if len(n) >= 11][:repeat]
        while len(numbers) < repeat:
            numbers.append(numbers[-1] if numbers else "13800138000")
        mid = s.execute(select(Call.ringing_at, Call.id).order_by(Call.ringing_at.desc(), Call.id.desc())
                        .offset(size // 2).limit(1)).one()
        mid_cursor = service._encode_cursor("next", mid.ringing_at, mid.id)
        f = service.CallFilter
        out: dict[str, tuple[float, float]] = {}

        def both(name, new, old, probes):
            s.rollback()
            out[name] = (_median_ms(new, probes), _median_ms(old, probes))

        prefixes = ["1381", "1391", "1502", "1860", "1771", "1335", "1590"][:repeat]
        while len(prefixes) < repeat:
            prefixes.append(prefixes[-1])
        both("first page", lambda _: service.list_calls(s, f(), tz=TZ), lambda _: old_list(s), range(repeat))
        both("middle page (cursor / offset)",
             lambda _: service.list_calls(s, f(), tz=TZ, cursor=mid_cursor),
             lambda _: old_list(s, page=size // 100), range(repeat))
        both("full number", lambda n: service.list_calls(s, f(number=n), tz=TZ),
             lambda n: old_list(s, number=n), numbers)
        both("last 4 digits", lambda n: service.list_calls(s, f(number=n[-4:]), tz=TZ),
             lambda n: old_list(s, number=n[-4:]), numbers)
        both("prefix 1381…", lambda p: service.list_calls(s, f(number=p), tz=TZ),
             lambda p: old_list(s, number=p), prefixes)
        both("line + outcome + month",
             lambda _: service.list_calls(s, f(line="city", outcome="abandoned", date_from=m_from, date_to=m_to), tz=TZ),
             lambda _: old_list(s, line_id=line_ids[0], outcome="abandoned", date_from=local_from, date_to=local_to),
             range(repeat))
    return out


# ----------------------------------------------------------------------------- run


def run_backend(backend: str, sizes: list[int], repeat: int, pg_admin_url: str, seed: int) -> dict:
    results: dict[int, dict] = {}
    with fresh_database(backend, "calllog", pg_admin_url) as url:
        engine = make_engine(url, pool_size=2)
        try:
            SCHEMA.create_all(engine)
            with Session(engine) as s:
                org = Organisation(code="city", name="示例市", kind="city_hotline")
                s.add(org)
                s.flush()
                lines = [Line(organisation_id=org.id, code=code, name=code, kind="hotline_12345", number=number)
                         for code, number, _ in LINES]
                s.add_all(lines)
                s.commit()
                line_ids = [x.id for x in lines]
            assert set(inspect(engine).get_table_names()) >= {"calls"}
            pop, have = Population(seed), 0
            for size in sizes:
                took = grow(engine, backend, pop, have, size, line_ids)
                have = size
                print(f"[{backend}] {size:,} calls loaded and indexed ({took:.0f} s)", flush=True)
                results[size] = measure(engine, size, repeat, random.Random(seed + size), line_ids)
                for name, (new, old) in results[size].items():
                    print(f"[{backend}] {size:>11,}  {name:<32} zongji {new:9.1f} ms   baseline {old:9.1f} ms",
                          flush=True)
        finally:
            engine.dispose()
    return results


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--sizes", default="100000,300000", help="comma-separated call counts, ascending")
    p.add_argument("--backends", default="sqlite,postgresql")
    p.add_argument("--repeat", type=int, default=5, help="runs per look-up (median)")
    p.add_argument("--seed", type=int, default=20261204)
    p.add_argument("--pg-admin-url", default=DEFAULT_PG_ADMIN_URL)
    args = p.parse_args(argv)
    sizes = sorted(int(x.replace("_", "")) for x in args.sizes.split(",") if x.strip())
    want_total[0] = sizes[-1]
    buf = io.StringIO()
    print(f"call log bench {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC, sizes {sizes}, repeat {args.repeat}",
          file=buf)
    for backend in [b.strip() for b in args.backends.split(",") if b.strip()]:
        res = run_backend(backend, sizes, args.repeat, args.pg_admin_url, args.seed)
        growth_table(backend, res, sizes, 32, buf)
    print("\n" + buf.getvalue())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
