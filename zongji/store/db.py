"""Engine and session factory for SQLite (embedded default) and PostgreSQL (production)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker


def is_sqlite(url: str) -> bool:
    return url.startswith("sqlite")


def make_engine(url: str, *, pool_size: int = 10) -> Engine:
    """Create an engine with the settings each backend needs to be durable and concurrent."""
    if is_sqlite(url):
        path = url.split("///", 1)[-1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(
            url,
            connect_args={"check_same_thread": False, "timeout": 30},
            pool_size=pool_size,
            max_overflow=20,
        )

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn, _record):  # pragma: no cover - exercised by every test
            # Let SQLAlchemy issue BEGIN itself so transactions behave as on PostgreSQL.
            dbapi_conn.isolation_level = None
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            # FULL: a committed transaction survives power loss, not only a process crash.
            cur.execute("PRAGMA synchronous=FULL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA busy_timeout=30000")
            # ANALYZE (and PRAGMA optimize) read at most this many rows per index: quick on any size.
            cur.execute("PRAGMA analysis_limit=2000")
            cur.close()

        @event.listens_for(engine, "close")
        def _sqlite_optimize(dbapi_conn, _record):  # pragma: no cover
            # SQLite's advice: PRAGMA optimize as a connection closes. Usually a no-op; never wait
            # long for the write lock it may need (the scheduled job does the rest).
            try:
                dbapi_conn.execute("PRAGMA busy_timeout=100")
                dbapi_conn.execute("PRAGMA optimize")
            except Exception:  # noqa: BLE001 - closing must not fail for statistics
                pass

        @event.listens_for(engine, "begin")
        def _sqlite_begin(conn):  # pragma: no cover
            # Writers ask for IMMEDIATE (see transaction()): it takes the write lock up front,
            # so concurrent writers queue on busy_timeout instead of failing with
            # "database is locked" when a read transaction upgrades to a write.
            mode = conn.get_execution_options().get("sqlite_begin", "DEFERRED")
            conn.exec_driver_sql(f"BEGIN {mode}")

        return engine
    return create_engine(url, pool_size=pool_size, max_overflow=20, pool_pre_ping=True)


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


@contextmanager
def transaction(factory: sessionmaker[Session]) -> Iterator[Session]:
    """A writing unit of work: commit on success, roll back on error.

    Use this for every transaction that writes. Plain ``factory()`` sessions are for reads.
    """
    with factory() as session:
        with session.begin():
            session.connection(execution_options={"sqlite_begin": "IMMEDIATE"})
            yield session
