"""The demo data of a test, loaded once and copied (issue 9: a fast suite).

``load_demo`` builds three organisations, their directory, guests, work orders, the knowledge
base and the catalogue through the real services: 2–3 s a test, and about 250 tests ask for it.
Instead, a worker process loads the demo for real into a database of its own (a copy of the
empty schema) and keeps it as a snapshot; each test that asks for the demo gets the snapshot's
rows copied into its database:

- SQLite: the snapshot file is attached and each table copied with ``INSERT … SELECT`` (the
  schema's triggers fire as they do when the demo is loaded: the directory version, the search
  index of the articles and the statistics marks are written by them);
- PostgreSQL: the snapshot's rows are kept in the schema ``zt_demo`` of the worker's reused
  database (which ``_empty_postgres`` does not touch) and copied with ``INSERT … SELECT``,
  triggers and foreign keys off as when the database is emptied; the directory version is then
  bumped and every sequence set past the copied ids.

Rows the test's app or fixtures wrote before the demo (the app's scheduled jobs, say) stay: a
table that already holds rows gets the snapshot's rows under new ids, unless other tables point
at its rows (the demo's rows would point at the wrong ones); then the demo is loaded for real.

The demo is relative to "now" (wake-ups of the next morning, orders with deadlines): a snapshot
serves for at most ``MAX_AGE_SECONDS`` and within one local hour, so a test sees the demo as if it
had been loaded at most that long ago; a demo loaded at a fixed ``now`` never ages. A snapshot is
kept per backend, per ``now`` and per settings (a test whose settings differ gets its own).
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
import sqlite3
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.pool import NullPool

from zongji.demo.data import DEMO_TZ, DemoSummary, load_demo
from zongji.settings import Settings
from zongji.store.db import make_engine, make_session_factory, transaction
from zongji.store.schema import metadata as SCHEMA

# The demo tests (API, services and browser) all passed with snapshots built 150–180 s before.
MAX_AGE_SECONDS = 150.0
PG_SCHEMA = "zt_demo"
# Written by the schema's triggers on SQLite when the tables they watch are copied.
SQLITE_TRIGGER_TABLES = {"directory_version", "call_stats_dirty", "order_stats_dirty"}
# One row for the whole database, there before any data: bumped, never copied.
VERSION_TABLE = "directory_version"

TABLES = [t for t in SCHEMA.sorted_tables]
REFERENCED = {fk.column.table.name for t in TABLES for fk in t.foreign_keys}


def _serial_id(table) -> bool:
    pk = list(table.primary_key.columns)
    return len(pk) == 1 and pk[0].name == "id" and pk[0].autoincrement in (True, "auto")


SERIAL = {t.name for t in TABLES if _serial_id(t)}


@dataclass
class _Snapshot:
    taken: float  # time.monotonic()
    summary: DemoSummary
    tables: dict[str, list[str]] = field(default_factory=dict)  # tables with rows: their columns
    sqlite_file: Path | None = None
    sequences: dict[str, int] = field(default_factory=dict)  # PostgreSQL: sequence -> last value
    pg_schema: str = PG_SCHEMA  # PostgreSQL: where its rows are kept (one schema per snapshot)


@dataclass
class Places:
    """Where a worker builds its snapshots: the empty-schema SQLite file to copy, and on
    PostgreSQL the admin URL and the template database to copy the build database from."""
    sqlite_template: Path | None = None
    pg_build_url: str | None = None  # a database of its own, emptied before each build
    pg_empty_sql: str | None = None
    pg_reused_url: str | None = None  # the tests' reused database, which keeps ``zt_demo``


_snapshots: dict[tuple, _Snapshot] = {}
_dir: Path | None = None


def _key(backend: str, settings: Settings, now: dt.datetime | None) -> tuple:
    own = json.dumps(settings.model_dump(mode="json", exclude={"database_url", "data_dir"}),
                     sort_keys=True, default=str)
    if now is None:  # it ages: rebuilt when old and at every local hour
        return backend, own, None, dt.datetime.now(DEMO_TZ).strftime("%Y-%m-%d %H")
    return backend, own, now.isoformat(), None


def load_for(request, *, now: dt.datetime | None = None) -> DemoSummary:
    """``load`` with the requesting test's fixtures (``demo`` fixtures call this)."""
    backend = request.getfixturevalue("backend")
    return load(request.getfixturevalue("session_factory"), request.getfixturevalue("settings"),
                backend, request.getfixturevalue(f"demo_places_{backend}"), now=now)


def load(session_factory, settings: Settings, backend: str, places: Places, *,
         now: dt.datetime | None = None) -> DemoSummary:
    """The demo in the test's database, as ``load_demo(s, settings, now=now)`` leaves it."""
    key = _key(backend, settings, now)
    snap = _snapshots.get(key)
    if snap is None or (now is None and time.monotonic() - snap.taken > MAX_AGE_SECONDS):
        schema = snap.pg_schema if snap is not None else f"{PG_SCHEMA}_{len(_snapshots)}"
        snap = _build(backend, settings, places, now, schema)
        _snapshots[key] = snap
    url = settings.resolved_database_url
    copied = _restore_sqlite(url, snap) if backend == "sqlite" else _restore_postgres(url, snap)
    if copied:
        return snap.summary
    with transaction(session_factory) as s:
        return load_demo(s, settings, now=now)


def _build(backend: str, settings: Settings, places: Places, now: dt.datetime | None,
           pg_schema: str) -> _Snapshot:
    global _dir
    if _dir is None:
        _dir = Path(tempfile.mkdtemp(prefix="zongji-demo-snapshots-"))
    if backend == "sqlite":
        path = _dir / f"demo-{time.monotonic_ns()}.db"
        shutil.copyfile(places.sqlite_template, path)
        url = f"sqlite:///{path}"
    else:
        url = places.pg_build_url
        engine = create_engine(url, poolclass=NullPool)
        with engine.begin() as c:
            c.exec_driver_sql(places.pg_empty_sql)
        engine.dispose()
    engine = make_engine(url)
    try:
        with transaction(make_session_factory(engine)) as s:
            summary = load_demo(s, settings.model_copy(update={"database_url": url}), now=now)
        with transaction(make_session_factory(engine)) as s:
            _fit_dispatch_models(s, settings)
    finally:
        engine.dispose()
    snap = _Snapshot(time.monotonic(), summary, pg_schema=pg_schema)
    if backend == "sqlite":
        snap.sqlite_file = path
        con = sqlite3.connect(path)
        try:
            for t in TABLES:
                if t.name in SQLITE_TRIGGER_TABLES:
                    continue
                if con.execute(f'SELECT EXISTS (SELECT 1 FROM "{t.name}")').fetchone()[0]:
                    snap.tables[t.name] = [c.name for c in t.columns]
        finally:
            con.close()
        return snap
    _copy_postgres_build(url, places, snap)
    return snap


def _fit_dispatch_models(s, settings: Settings) -> None:
    """The dispatch models the demo's first suggestions fit (the demo has never been trained),
    fitted here once: the process keeps a model by its data (services/dispatch/training), so a
    test's first suggestion, on the same data, does not train for seconds while its clock runs."""
    from sqlalchemy import select

    from zongji.services.dispatch import training
    from zongji.store.models import Organisation

    for org in s.scalars(select(Organisation)):
        training.fit(s, org, orders=0, epochs=settings.dispatch_training_epochs)


def _copy_postgres_build(build_url: str, places: Places, snap: _Snapshot) -> None:
    """Move the build database's rows into the schema ``zt_demo`` of the reused test database."""
    reused_url = places.pg_reused_url
    src_engine = create_engine(build_url, poolclass=NullPool)
    dst_engine = create_engine(reused_url, poolclass=NullPool)
    with src_engine.connect() as src_c, dst_engine.begin() as dst_c:
        src = src_c.connection.driver_connection
        dst = dst_c.connection.driver_connection
        dst_c.exec_driver_sql(f"DROP SCHEMA IF EXISTS {snap.pg_schema} CASCADE; CREATE SCHEMA {snap.pg_schema}")
        for t in TABLES:
            if t.name == VERSION_TABLE:
                continue
            if not src_c.execute(text(f'SELECT EXISTS (SELECT 1 FROM "{t.name}")')).scalar():
                continue
            columns = [r[0] for r in src_c.execute(text(
                "SELECT column_name FROM information_schema.columns WHERE table_schema = 'public'"
                " AND table_name = :t AND is_generated = 'NEVER' ORDER BY ordinal_position"), {"t": t.name})]
            cols = ", ".join(f'"{c}"' for c in columns)
            dst_c.exec_driver_sql(f'CREATE TABLE {snap.pg_schema}."{t.name}" (LIKE public."{t.name}")')
            with src.cursor().copy(f'COPY (SELECT {cols} FROM public."{t.name}") TO STDOUT (FORMAT BINARY)') as out, \
                    dst.cursor().copy(f'COPY {snap.pg_schema}."{t.name}" ({cols}) FROM STDIN (FORMAT BINARY)') as into:
                for data in out:
                    into.write(data)
            snap.tables[t.name] = columns
        for seq in [r[0] for r in src_c.execute(text(
                "SELECT quote_ident(sequence_name) FROM information_schema.sequences"
                " WHERE sequence_schema = 'public'"))]:
            last, called = src_c.execute(text(f"SELECT last_value, is_called FROM public.{seq}")).one()
            if called:
                snap.sequences[seq] = int(last)
    src_engine.dispose()
    dst_engine.dispose()


def _non_empty(run, tables) -> set[str]:
    if not tables:
        return set()
    union = " UNION ALL ".join(f"SELECT '{t}' WHERE EXISTS (SELECT 1 FROM main_or_public.\"{t}\")"
                               for t in tables)
    return {r[0] for r in run(union)}


def _copy_statements(snap: _Snapshot, busy: set[str], source: str, target: str, *, ignore: str,
                     ignore_suffix: str, new_ids_always: bool) -> list[str] | None:
    """INSERT … SELECT per snapshot table; None when a busy table is pointed at by others.

    A table that holds rows already (``busy``) gets the snapshot's rows under new ids, skipping
    what its unique keys already hold; so does every table no other table points at when
    ``new_ids_always`` (PostgreSQL, where the test's app may write between the check and the copy)."""
    statements = []
    for name, columns in snap.tables.items():
        cols, verb, suffix = columns, "INSERT INTO", ""
        if name in busy and name in REFERENCED:
            return None
        if name in busy or (new_ids_always and name not in REFERENCED):
            verb, suffix = ignore, ignore_suffix
            if name in SERIAL:
                cols = [c for c in columns if c != "id"]
        listed = ", ".join(f'"{c}"' for c in cols)
        statements.append(f'{verb} {target}."{name}" ({listed}) SELECT {listed} FROM {source}."{name}"{suffix}')
    return statements


def _restore_sqlite(url: str, snap: _Snapshot) -> bool:
    con = sqlite3.connect(url.split("///", 1)[1], timeout=30, isolation_level=None)
    try:
        con.execute("ATTACH DATABASE ? AS zt_demo", (str(snap.sqlite_file),))
        # The write lock first: nothing else writes between the look and the copy.
        con.execute("BEGIN IMMEDIATE")
        busy = _non_empty(lambda q: con.execute(q.replace("main_or_public", "main")).fetchall(), list(snap.tables))
        statements = _copy_statements(snap, busy, "zt_demo", "main", ignore="INSERT OR IGNORE INTO",
                                      ignore_suffix="", new_ids_always=False)
        if statements is None:
            con.execute("ROLLBACK")
            return False
        for sql in statements:
            con.execute(sql)
        con.execute("COMMIT")
        con.execute("DETACH DATABASE zt_demo")
        return True
    finally:
        con.close()


def _restore_postgres(url: str, snap: _Snapshot) -> bool:
    engine = create_engine(url.split("?", 1)[0], poolclass=NullPool)
    try:
        with engine.begin() as c:
            busy = _non_empty(lambda q: c.exec_driver_sql(q.replace("main_or_public", "public")).fetchall(),
                              list(snap.tables))
            statements = _copy_statements(snap, busy, snap.pg_schema, "public", ignore="INSERT INTO",
                                          ignore_suffix=" ON CONFLICT DO NOTHING", new_ids_always=True)
            if statements is None:
                return False
            sql = ["SET LOCAL session_replication_role = replica", *statements,
                   f'UPDATE public."{VERSION_TABLE}" SET version = version + 1']
            for seq, last in snap.sequences.items():
                sql.append(f"SELECT setval('public.{seq}', GREATEST({last}, (SELECT CASE WHEN is_called"
                           f" THEN last_value ELSE 0 END FROM public.{seq})), true)")
            c.exec_driver_sql(";".join(sql))
        return True
    finally:
        engine.dispose()
