"""Statistics with years of data (issue 10, point 7). See bench/README.md.

Generates calls and work orders of a 12345 centre's shape (default 10 M calls and 3 M orders over
three years, 4 lines, 60 operators, 40 units), loads the same rows into SQLite, PostgreSQL and
DuckDB, rebuilds Zongji's aggregates, then times, per backend:

- the month report (calls by day, and orders by day) and the year report of orders by unit,
  through Zongji's own services (services/stats/*), as the API answers them;
- the wallboard's refresh (services/stats/wallboard.snapshot), with changes not yet folded;
- the same month's call figures counted from the raw rows in Python (what the reports did before
  the aggregates): the baseline measured in the same run;
- the same figures computed by DuckDB over the same rows (an analytic engine, the reference).

Zongji's numbers are checked against DuckDB's (offered, answered, abandoned per day; created,
due, completed per unit); a disagreement fails the run. No test asserts a time.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import math
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

TZ_OFFSET = dt.timedelta(hours=8)  # Asia/Shanghai, the default zone
CATEGORIES = ("inquiry", "complaint", "request", "report", "suggestion", "praise", "other")
ORDER_TYPES = ("complaint", "inquiry", "request", "report", "suggestion")
CHANNELS = ("phone", "phone", "phone", "sms", "web", "email")
ORDER_CATEGORIES = tuple(f"c{i:02d}" for i in range(30))
LINE_WEIGHTS = (0.55, 0.25, 0.12, 0.08)
FMT = "%Y-%m-%d %H:%M:%S.%f"


def _ts(t: dt.datetime | None) -> str:
    return "" if t is None else t.strftime(FMT)


def _hour_weight(hour: int) -> float:
    """Arrivals by local hour: a morning hump, an afternoon one, a quiet night."""
    return 0.15 + math.exp(-((hour - 10) ** 2) / 6) + 0.8 * math.exp(-((hour - 15) ** 2) / 8)


# ----------------------------------------------------------------------------- generation


def generate(folder: Path, *, calls: int, orders: int, days: int, end_day: dt.date, operators: int,
             units: int, seed: int = 20261204) -> dict[str, int]:
    """Write calls.csv, orders.csv, events.csv (UTC timestamps, naive) into ``folder``."""
    rnd = random.Random(seed)
    first_day = end_day - dt.timedelta(days=days - 1)
    weights = [_hour_weight(h) for h in range(24)]
    total_w = sum(weights)
    day_weight = [0.55 if (first_day + dt.timedelta(days=i)).weekday() >= 5 else 1.0 for i in range(days)]
    scale = calls / sum(day_weight)
    written = 0
    with open(folder / "calls.csv", "w", newline="") as f:
        w = csv.writer(f)
        cid = 0
        for i in range(days):
            local_midnight = dt.datetime.combine(first_day + dt.timedelta(days=i), dt.time(0))
            n_day = round(scale * day_weight[i]) if i < days - 1 else calls - written
            for hour in range(24):
                n = round(n_day * weights[hour] / total_w) if hour < 23 else max(0, n_day - sum(
                    round(n_day * weights[h] / total_w) for h in range(23)))
                for _ in range(n):
                    cid += 1
                    ring = local_midnight + dt.timedelta(hours=hour, seconds=rnd.random() * 3600) - TZ_OFFSET
                    wait = rnd.expovariate(1 / 11)
                    line = 1 + rnd.choices(range(4), LINE_WEIGHTS)[0]
                    r = rnd.random()
                    answered = ended = closed = transferred = None
                    op = ""
                    if r < 0.9:
                        answered = ring + dt.timedelta(seconds=wait)
                        ended = answered + dt.timedelta(seconds=rnd.lognormvariate(5.1, 0.5))
                        closed = ended + dt.timedelta(seconds=rnd.expovariate(1 / 25))
                        transferred = answered + dt.timedelta(seconds=20) if rnd.random() < 0.08 else None
                        op = str(1 + rnd.randrange(operators))
                    else:
                        ended = ring + dt.timedelta(seconds=wait * 2)
                    cat = rnd.choice(CATEGORIES) if answered else ""
                    w.writerow((cid, "in", f"1{rnd.randrange(3000000000, 9999999999)}", "12345", "ended",
                                _ts(ring), _ts(answered), _ts(ended), _ts(closed), _ts(transferred), line, op, cat,
                                "unknown", "f", "f", _ts(ring), _ts(closed or ended)))
            written += n_day
    events = 0
    with open(folder / "orders.csv", "w", newline="") as fo, open(folder / "events.csv", "w", newline="") as fe:
        wo, we = csv.writer(fo), csv.writer(fe)
        span = days * 86400
        start = dt.datetime.combine(first_day, dt.time(0)) - TZ_OFFSET
        eid = 0
        for oid in range(1, orders + 1):
            created = start + dt.timedelta(seconds=(oid - 1) * span / orders + rnd.random() * 60)
            deadline = created + dt.timedelta(days=rnd.choice((1, 3, 5, 10, 15)))
            line = 1 + rnd.choices(range(4), LINE_WEIGHTS)[0]
            unit = str(1 + rnd.randrange(units))
            otype, channel, cat = rnd.choice(ORDER_TYPES), rnd.choice(CHANNELS), rnd.choice(ORDER_CATEGORIES)
            history: list[tuple[dt.datetime, str, str]] = []
            if rnd.random() < 0.15:
                history.append((created + dt.timedelta(minutes=3), "close_directly", ""))
                unit = ""
            else:
                history.append((created + dt.timedelta(minutes=rnd.expovariate(1 / 35)), "dispatch", ""))
                if rnd.random() < 0.08:
                    history.append((created + dt.timedelta(hours=20), "remind", ""))
                if rnd.random() < 0.04:
                    history.append((created + dt.timedelta(hours=5), "return", ""))
                if rnd.random() < 0.9:
                    reply = created + (deadline - created) * rnd.uniform(0.2, 1.15)
                    history.append((reply, "reply", ""))
                    if rnd.random() < 0.03:
                        history.append((reply + dt.timedelta(hours=6), "reopen", ""))
                    if rnd.random() < 0.7:
                        outcome = rnd.choices(("satisfied", "basically_satisfied", "dissatisfied", "unreachable"),
                                              (70, 18, 7, 5))[0]
                        history.append((reply + dt.timedelta(hours=20), "record_callback", outcome))
            wo.writerow((oid, f"B{oid:010d}", line, otype, cat, "normal", "closed", "t", channel, "来电反映问题", _ts(created),
                         unit, "f", _ts(deadline), "{}", 1, _ts(created)))
            for at, action, outcome in history:
                eid += 1
                we.writerow((eid, oid, _ts(at), action, "unit_handler", "x", "已处理",
                             '{"outcome": "%s"}' % outcome if outcome else ""))
            events += len(history)
    return {"calls": calls, "orders": orders, "events": events}


CALL_COLUMNS = ("id", "direction", "calling_number", "called_number", "state", "ringing_at", "answered_at",
                "ended_at", "closed_at", "transferred_at", "line_id", "answered_by_id", "category", "caller_kind",
                "caller_vip", "supplementary", "created_at", "updated_at")
ORDER_COLUMNS = ("id", "number", "line_id", "order_type", "category", "urgency", "status", "contact_consent",
                 "channel", "description", "created_at", "main_unit_id", "supervised", "completion_deadline",
                 "state", "version", "updated_at")
EVENT_COLUMNS = ("id", "order_id", "at", "action", "actor_role", "to_status", "note", "data")


# ----------------------------------------------------------------------------- loading


def _reference_rows(session, *, operators: int, units: int):
    from zongji.store.models import Department, Line, Organisation, User

    org = Organisation(code="city", name="示例市", kind="city_hotline")
    session.add(org)
    session.flush()
    for i, code in enumerate(("12345", "400", "8001", "8002"), start=1):
        session.add(Line(id=i, organisation_id=org.id, code=code, name=f"线路{i}", kind="city_hotline",
                         number=f"0201234{i:04d}"))
    for i in range(1, units + 1):
        session.add(Department(id=i, organisation_id=org.id, name=f"承办单位{i:02d}", kind="handling_unit",
                               search_text=""))
    for i in range(1, operators + 1):
        session.add(User(id=i, username=f"op{i:02d}", display_name=f"话务员{i:02d}", role="operator",
                         password_hash="x", operator_number=f"{1000 + i}"))
    admin = User(id=operators + 1, username="admin", display_name="管理员", role="admin", password_hash="x")
    session.add(admin)
    session.flush()
    return admin.id


def load(url: str, folder: Path, *, operators: int, units: int) -> dict[str, float]:
    """Schema, reference rows, then the CSVs as an import would (triggers off during the load,
    on again after), ANALYZE. Returns the seconds of each step."""
    from sqlalchemy import text
    from sqlalchemy.orm import Session

    from zongji.store import stats_models
    from zongji.store.db import make_engine
    from zongji.store.schema import metadata as schema_metadata

    engine = make_engine(url)
    schema_metadata.create_all(engine)
    sqlite = engine.dialect.name == "sqlite"
    out = {}
    with Session(engine) as s:
        _reference_rows(s, operators=operators, units=units)
        s.commit()
    t0 = time.perf_counter()
    raw = engine.raw_connection()
    try:
        cur = raw.cursor()
        for sql in (stats_models.SQLITE_DROP + stats_models.SQLITE_ORDER_DROP if sqlite
                    else stats_models.POSTGRES_DROP + stats_models.POSTGRES_ORDER_DROP):
            cur.execute(sql)
        for table, columns, name in (("calls", CALL_COLUMNS, "calls.csv"), ("work_orders", ORDER_COLUMNS, "orders.csv"),
                                     ("work_order_events", EVENT_COLUMNS, "events.csv")):
            if sqlite:
                cur.execute("BEGIN")
                sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"
                with open(folder / name, newline="") as f:
                    batch = []
                    for row in csv.reader(f):
                        batch.append([None if v == "" else (1 if v == "t" else 0 if v == "f" else v) for v in row])
                        if len(batch) == 50000:
                            cur.executemany(sql, batch)
                            batch = []
                    cur.executemany(sql, batch)
                cur.execute("COMMIT")
            else:
                cur.execute("SET TIME ZONE 'UTC'")
                with open(folder / name, "rb") as f, cur.copy(
                        f"COPY {table} ({', '.join(columns)}) FROM STDIN WITH (FORMAT csv, NULL '')") as copy:
                    while chunk := f.read(1 << 20):
                        copy.write(chunk)
        for sql in (stats_models.SQLITE_TRIGGERS + stats_models.SQLITE_ORDER_TRIGGERS if sqlite
                    else stats_models.POSTGRES_TRIGGERS + stats_models.POSTGRES_ORDER_TRIGGERS):
            cur.execute(sql)
        if not sqlite:
            for t in ("calls", "work_orders", "work_order_events", "users", "lines", "departments"):
                cur.execute(f"SELECT setval(pg_get_serial_sequence('{t}', 'id'), (SELECT max(id) FROM {t}))")
        raw.commit()
    finally:
        raw.close()
    out["load_s"] = time.perf_counter() - t0
    engine.dispose()
    return out


def rebuild_all(url: str, settings, first: dt.date, last: dt.date) -> float:
    from zongji.services.stats import aggregates, order_aggregates
    from zongji.store.db import make_engine, make_session_factory, transaction

    engine = make_engine(url)
    factory = make_session_factory(engine)
    t0 = time.perf_counter()
    day = first
    while day <= last:
        to = min(last, day + dt.timedelta(days=6))
        with transaction(factory) as s:
            aggregates.rebuild(s, settings, day, to)
            order_aggregates.rebuild(s, settings, day, to)
        day = to + dt.timedelta(days=1)
    seconds = time.perf_counter() - t0
    with engine.connect() as c:
        from sqlalchemy import text

        c.execute(text("ANALYZE"))
        c.commit()
    engine.dispose()
    return seconds


# ----------------------------------------------------------------------------- timing


def _median_ms(fn, repeat: int) -> tuple[float, object]:
    result = fn()  # warm-up, not counted
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = fn()
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times), result


def time_zongji(url: str, settings, *, month: tuple[dt.date, dt.date], year: tuple[dt.date, dt.date],
                now: dt.datetime, admin_id: int, repeat: int) -> dict[str, object]:
    from sqlalchemy import select

    from zongji.domain.stats import kpi
    from zongji.services.stats import order_reports, reports, wallboard
    from zongji.services.stats.policy import policy_from
    from zongji.store.db import make_engine, make_session_factory
    from zongji.store.models import Call, User

    engine = make_engine(url)
    factory = make_session_factory(engine)
    out: dict[str, object] = {}
    with factory() as s:
        admin = s.get(User, admin_id)
        out["month_calls_ms"], out["month_calls"] = _median_ms(lambda: reports.call_report(
            s, admin, settings, date_from=month[0], date_to=month[1], group="day"), repeat)
        out["month_orders_ms"], out["month_orders"] = _median_ms(lambda: order_reports.order_report(
            s, admin, settings, date_from=month[0], date_to=month[1], group="day"), repeat)
        out["year_units_ms"], out["year_units"] = _median_ms(lambda: order_reports.order_report(
            s, admin, settings, date_from=year[0], date_to=year[1], group="unit"), repeat)
        out["wallboard_ms"], _ = _median_ms(lambda: wallboard.snapshot(s, admin, settings, now=now), repeat)

        policy = policy_from(settings)
        start = dt.datetime.combine(month[0], dt.time(0), tzinfo=settings.tz)
        end = dt.datetime.combine(month[1] + dt.timedelta(days=1), dt.time(0), tzinfo=settings.tz)

        def raw_month():  # the baseline: what the reports did before the aggregates
            by_day: dict = {}
            for r in s.execute(select(Call.ringing_at, Call.answered_at, Call.ended_at, Call.closed_at,
                                      Call.transferred_at).where(Call.direction == "in", Call.ringing_at >= start,
                                                                 Call.ringing_at < end)):
                by_day.setdefault(r.ringing_at.astimezone(settings.tz).date(), []).append(kpi.CallFacts(
                    ringing_at=r.ringing_at, answered_at=r.answered_at, ended_at=r.ended_at, closed_at=r.closed_at,
                    transferred=r.transferred_at is not None))
            return {d: kpi.call_figures(kpi.count_calls(v, policy), policy) for d, v in by_day.items()}

        out["month_calls_raw_ms"], _ = _median_ms(raw_month, max(1, repeat // 2))
    # Changes not yet folded: 200 new calls of today on every line, as between two folds.
    from zongji.store.db import transaction
    from zongji.store.models import Call as C

    with transaction(factory) as s:
        for i in range(200):
            at = now - dt.timedelta(minutes=i % 50, seconds=i)
            s.add(C(direction="in", calling_number="13800000000", called_number="12345", state="ended",
                    line_id=1 + i % 4, ringing_at=at, answered_at=at + dt.timedelta(seconds=8),
                    ended_at=at + dt.timedelta(seconds=90)))
    with factory() as s:
        admin = s.get(User, admin_id)
        out["wallboard_marked_ms"], _ = _median_ms(lambda: wallboard.snapshot(s, admin, settings, now=now), repeat)
    engine.dispose()
    return out


def time_duckdb(folder: Path, *, month: tuple[dt.date, dt.date], year: tuple[dt.date, dt.date], now: dt.datetime,
                repeat: int, threads: int) -> dict[str, object]:
    import duckdb

    con = duckdb.connect()
    con.execute(f"SET threads = {threads}")
    t0 = time.perf_counter()
    ts = "TIMESTAMP"
    con.execute(f"""CREATE TABLE calls AS SELECT * FROM read_csv('{folder / 'calls.csv'}', header=false,
        columns={{{', '.join(f"'{c}': '{ts if c.endswith('_at') else 'VARCHAR'}'" for c in CALL_COLUMNS)}}},
        nullstr='')""")
    con.execute(f"""CREATE TABLE orders AS SELECT * FROM read_csv('{folder / 'orders.csv'}', header=false,
        columns={{{', '.join(f"'{c}': '{ts if c in ('created_at', 'completion_deadline', 'updated_at') else 'VARCHAR'}'"
                           for c in ORDER_COLUMNS)}}}, nullstr='')""")
    con.execute(f"""CREATE TABLE events AS SELECT * FROM read_csv('{folder / 'events.csv'}', header=false,
        columns={{{', '.join(f"'{c}': '{ts if c == 'at' else 'VARCHAR'}'" for c in EVENT_COLUMNS)}}}, nullstr='')""")
    load_s = time.perf_counter() - t0
    local = "(ringing_at + INTERVAL 8 HOUR)"
    wait = "epoch(coalesce(answered_at, ended_at) - ringing_at)"
    figures = f"""count(*) AS offered, count(answered_at) AS answered,
        count(*) FILTER (WHERE answered_at IS NULL AND ended_at IS NOT NULL AND {wait} >= 5) AS abandoned,
        count(*) FILTER (WHERE answered_at IS NULL AND ended_at IS NOT NULL AND {wait} < 5) AS short_abandoned,
        count(*) FILTER (WHERE answered_at IS NOT NULL AND {wait} <= 15) AS answered_within,
        avg({wait}) FILTER (WHERE answered_at IS NOT NULL) AS asa, max({wait}) AS longest_wait,
        avg(epoch(ended_at - answered_at) + coalesce(epoch(closed_at - ended_at), 0)) FILTER (WHERE answered_at IS NOT NULL) AS aht,
        count(transferred_at) AS transferred"""
    m0 = dt.datetime.combine(month[0], dt.time(0)) - TZ_OFFSET
    m1 = dt.datetime.combine(month[1] + dt.timedelta(days=1), dt.time(0)) - TZ_OFFSET
    month_sql = (f"SELECT CAST({local} AS DATE) AS day, {figures} FROM calls WHERE direction = 'in' "
                 f"AND ringing_at >= TIMESTAMP '{m0}' AND ringing_at < TIMESTAMP '{m1}' GROUP BY 1 ORDER BY 1")
    y0 = dt.datetime.combine(year[0], dt.time(0)) - TZ_OFFSET
    y1 = dt.datetime.combine(year[1] + dt.timedelta(days=1), dt.time(0)) - TZ_OFFSET
    units_sql = f"""
        WITH ev AS (
            SELECT order_id, min("at") FILTER (WHERE action = 'dispatch') AS dispatched_at,
                   bool_or(action = 'close_directly') AS closed_directly, min("at") FILTER (WHERE action = 'reply') AS replied_at,
                   bool_or(action = 'remind') AS reminded, bool_or(action = 'return') AS returned,
                   bool_or(action = 'reopen') AS reopened, bool_or(action = 'record_callback') AS called_back,
                   arg_max(data, "at") FILTER (WHERE action = 'record_callback') AS last_survey
            FROM events GROUP BY order_id),
        o AS (SELECT orders.*, ev.* FROM orders LEFT JOIN ev ON ev.order_id = orders.id
              WHERE (created_at >= TIMESTAMP '{y0}' AND created_at < TIMESTAMP '{y1}')
                 OR (completion_deadline >= TIMESTAMP '{y0}' AND completion_deadline < TIMESTAMP '{y1}'))
        SELECT coalesce(main_unit_id, '0') AS unit,
            count(*) FILTER (WHERE created_at >= TIMESTAMP '{y0}' AND created_at < TIMESTAMP '{y1}') AS created,
            count(*) FILTER (WHERE completion_deadline >= TIMESTAMP '{y0}' AND completion_deadline < TIMESTAMP '{y1}') AS due,
            count(*) FILTER (WHERE completion_deadline >= TIMESTAMP '{y0}' AND completion_deadline < TIMESTAMP '{y1}'
                             AND replied_at IS NOT NULL) AS completed,
            count(*) FILTER (WHERE completion_deadline >= TIMESTAMP '{y0}' AND completion_deadline < TIMESTAMP '{y1}'
                             AND replied_at <= completion_deadline) AS completed_on_time,
            count(*) FILTER (WHERE created_at >= TIMESTAMP '{y0}' AND created_at < TIMESTAMP '{y1}'
                             AND last_survey LIKE '%"satisfied"%') AS satisfied
        FROM o GROUP BY 1 ORDER BY 1"""
    day0 = dt.datetime.combine((now + TZ_OFFSET).date(), dt.time(0)) - TZ_OFFSET
    now_naive = now.replace(tzinfo=None)
    wall_sql = (f"SELECT time_bucket(INTERVAL 30 MINUTE, ringing_at) AS slot, {figures} FROM calls "
                f"WHERE direction = 'in' AND ringing_at >= TIMESTAMP '{day0}' AND ringing_at <= TIMESTAMP '{now_naive}' "
                f"GROUP BY 1 ORDER BY 1")
    out: dict[str, object] = {"load_s": load_s}
    out["month_calls_ms"], out["month_calls"] = _median_ms(lambda: con.execute(month_sql).fetchall(), repeat)
    out["year_units_ms"], out["year_units"] = _median_ms(lambda: con.execute(units_sql).fetchall(), repeat)
    out["wallboard_ms"], _ = _median_ms(lambda: con.execute(wall_sql).fetchall(), repeat)
    con.close()
    return out


def check(zongji: dict, duck: dict) -> list[str]:
    """Zongji's numbers against DuckDB's: calls per day of the month, orders per unit of the year."""
    problems = []
    z = {r["key"]: r["figures"] for r in zongji["month_calls"]["rows"]}
    for day, offered, answered, abandoned, short, *_ in duck["month_calls"]:
        f = z.get(day.isoformat())
        if f is None or (f["offered"], f["answered"], f["abandoned"], f["short_abandoned"]) != (
                offered, answered, abandoned, short):
            problems.append(f"calls {day}: zongji {f and (f['offered'], f['answered'], f['abandoned'])} "
                            f"duckdb {(offered, answered, abandoned)}")
    zu = {str(r["key"]): r["figures"] for r in zongji["year_units"]["rows"]}
    for unit, created, due, completed, *_ in duck["year_units"]:
        f = zu.get(unit)
        if f is None or (f["created"], f["due"], f["completed"]) != (created, due, completed):
            problems.append(f"orders of unit {unit}: zongji {f and (f['created'], f['due'], f['completed'])} "
                            f"duckdb {(created, due, completed)}")
    return problems


# ----------------------------------------------------------------------------- main


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--calls", type=int, default=10_000_000)
    p.add_argument("--orders", type=int, default=3_000_000)
    p.add_argument("--days", type=int, default=3 * 365)
    p.add_argument("--operators", type=int, default=60)
    p.add_argument("--units", type=int, default=40)
    p.add_argument("--backends", default="sqlite,postgresql")
    p.add_argument("--repeat", type=int, default=5, help="timed runs per figure (the median is shown)")
    p.add_argument("--pg-admin-url", default=os.environ.get(
        "ZONGJI_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"))
    p.add_argument("--duckdb-threads", type=int, default=os.cpu_count() or 1)
    args = p.parse_args(argv)

    from zongji.settings import Settings

    end_day = dt.date(2026, 11, 30)
    month = (dt.date(2026, 11, 1), end_day)
    year = (dt.date(2025, 12, 1), end_day)
    now = dt.datetime.combine(end_day, dt.time(15, 0)) - TZ_OFFSET
    now = now.replace(tzinfo=dt.UTC)
    first_day = end_day - dt.timedelta(days=args.days - 1)
    folder = Path(tempfile.mkdtemp(prefix="zongji-kpi-"))
    try:
        t0 = time.perf_counter()
        sizes = generate(folder, calls=args.calls, orders=args.orders, days=args.days, end_day=end_day,
                         operators=args.operators, units=args.units)
        print(f"generated {sizes['calls']:,} calls, {sizes['orders']:,} orders, {sizes['events']:,} order events "
              f"over {args.days} days in {time.perf_counter() - t0:.0f} s", flush=True)
        duck = time_duckdb(folder, month=month, year=year, now=now, repeat=args.repeat, threads=args.duckdb_threads)
        results = {}
        failed = False
        for backend in [b.strip() for b in args.backends.split(",") if b.strip()]:
            from sqlalchemy import create_engine, text

            pg_name = admin = None
            if backend == "sqlite":
                url = f"sqlite:///{folder / 'bench.db'}"
            else:
                pg_name = f"zongji_kpi_{uuid.uuid4().hex[:8]}"
                admin = create_engine(args.pg_admin_url, isolation_level="AUTOCOMMIT")
                with admin.connect() as c:
                    c.execute(text(f'CREATE DATABASE "{pg_name}"'))
                url = f"{args.pg_admin_url.rsplit('/', 1)[0]}/{pg_name}"
            try:
                settings = Settings(database_url=url, data_dir=folder)
                loaded = load(url, folder, operators=args.operators, units=args.units)
                rebuild_s = rebuild_all(url, settings, first_day - dt.timedelta(days=1), end_day + dt.timedelta(days=20))
                print(f"{backend}: loaded in {loaded['load_s']:.0f} s, aggregates rebuilt in {rebuild_s:.0f} s",
                      flush=True)
                z = time_zongji(url, settings, month=month, year=year, now=now, admin_id=args.operators + 1,
                                repeat=args.repeat)
                problems = check(z, duck)
                failed |= bool(problems)
                for line in problems[:10]:
                    print(f"  DISAGREES {line}")
                results[backend] = z
            finally:
                if backend == "sqlite":
                    (folder / "bench.db").unlink(missing_ok=True)
                if admin is not None:
                    with admin.connect() as c:
                        c.execute(text(f'DROP DATABASE IF EXISTS "{pg_name}" WITH (FORCE)'))
                    admin.dispose()
        print()
        print(f"{'figure (median ms)':34} " + " ".join(f"{b:>12}" for b in results) + f" {'duckdb':>12}")
        rows = (("month report: calls by day", "month_calls_ms"), ("month report: orders by day", "month_orders_ms"),
                ("year report: orders by unit", "year_units_ms"), ("wallboard refresh", "wallboard_ms"),
                ("wallboard, 200 calls unfolded", "wallboard_marked_ms"),
                ("baseline: month calls from raw rows", "month_calls_raw_ms"))
        for label, key in rows:
            d = {"month_calls_ms": duck["month_calls_ms"], "year_units_ms": duck["year_units_ms"],
                 "wallboard_ms": duck["wallboard_ms"]}.get(key)
            print(f"{label:34} " + " ".join(f"{results[b][key]:12.1f}" for b in results)
                  + (f" {d:12.1f}" if d is not None else f" {'—':>12}"))
        print(f"\nDuckDB: {args.duckdb_threads} threads, CSV loaded in {duck['load_s']:.1f} s; "
              f"figures agree with DuckDB: {'no' if failed else 'yes'}")
        return 1 if failed else 0
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    raise SystemExit(main())
