"""The CTI writer's statements: calls, call events and feed rows, on the DBAPI connection.

The CTI hot path (zongji/services/cti.py) applies a whole batch of PBX events in a handful of
set-based statements. SQLAlchemy Core costs ~40x a bare DBAPI call per statement there, so these
few fixed statements are written out for both databases (SQLite, PostgreSQL), with values
converted exactly as the models' column types store them. Everything else uses the ORM.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Boolean
from sqlalchemy.orm import Session

from zongji.store.db import is_sqlite, make_engine
from zongji.store.base import UTCDateTime
from zongji.store.models import NUMBER_KEY_COLUMNS, Call, number_keys

CALLS = Call.__table__
CALL_COLUMNS = [c.key for c in CALLS.columns]
EVENT_COLUMNS = ("event_key", "external_call_id", "kind", "occurred_at", "received_at", "source",
                 "payload")

INSERT_COLUMNS = tuple(c for c in CALL_COLUMNS if c != "id")
_DATETIME_COLUMNS = frozenset(c.key for c in CALLS.columns if isinstance(c.type, UTCDateTime))
_BOOL_COLUMNS = frozenset(c.key for c in CALLS.columns if isinstance(c.type, Boolean))
# Rows per multi-row INSERT, within both databases' limits on bound parameters.
_PARAMS_PER_STATEMENT = 30000


class CallWrites:
    """The hot path's statements on the transaction's own DBAPI connection.

    SQLAlchemy Core costs ~40x a bare DBAPI call per statement here; the writer's few fixed
    statements are therefore written out for both databases (SQLite, PostgreSQL), with values
    converted exactly as the models' column types store them.
    """

    def __init__(self, session: Session):
        conn = session.connection()
        self.pg = conn.dialect.name == "postgresql"
        self.p = "%s" if self.pg else "?"
        self.cur = conn.connection.dbapi_connection.cursor()

    def close(self) -> None:
        self.cur.close()

    # -- values

    def dt(self, value: dt.datetime | None) -> Any:
        if value is None or self.pg:
            return value
        # Exactly SQLAlchemy's SQLite DATETIME storage format (naive UTC, always microseconds).
        if value.utcoffset():
            value = value.astimezone(dt.UTC)
        return value.replace(tzinfo=None).isoformat(" ", "microseconds")

    def json(self, value: Any) -> Any:
        if self.pg:
            from psycopg.types.json import Json

            return Json(value)
        return _json_dumps(value)

    def value(self, column: str, value: Any) -> Any:
        if column in _DATETIME_COLUMNS:
            return self.dt(value)
        if column in _BOOL_COLUMNS and value is not None and not self.pg:
            return 1 if value else 0
        return value

    def _row(self, names: list[str], row: Sequence[Any]) -> dict[str, Any]:
        out = dict(zip(names, row, strict=True))
        if not self.pg:
            for k in _DATETIME_COLUMNS:
                v = out.get(k)
                if isinstance(v, str):
                    out[k] = dt.datetime.fromisoformat(v).replace(tzinfo=dt.UTC)
            for k in _BOOL_COLUMNS:
                if out.get(k) is not None:
                    out[k] = bool(out[k])
        return out

    # -- statements

    def _in(self, values: Sequence[Any]) -> tuple[str, list[Any]]:
        if self.pg:
            return " = ANY(%s)", [list(values)]
        return " IN (" + ", ".join("?" * len(values)) + ")", list(values)

    def query(self, sql_before_in: str, values: Sequence[Any]) -> list[tuple]:
        clause, params = self._in(values)
        self.cur.execute(sql_before_in + clause, params)
        return self.cur.fetchall()

    def select_calls(self, external_ids: Sequence[str]) -> list[dict[str, Any]]:
        if not external_ids:
            return []
        clause, params = self._in(external_ids)
        sql = (f"SELECT {', '.join(CALL_COLUMNS)} FROM calls WHERE external_id{clause} "
               "ORDER BY external_id")
        if self.pg:
            sql += " FOR UPDATE"
        self.cur.execute(sql, params)
        return [self._row(CALL_COLUMNS, r) for r in self.cur.fetchall()]

    def insert_returning(self, table: str, columns: Sequence[str], rows: list[tuple], *,
                         conflict: str, returning: str) -> list[tuple]:
        out: list[tuple] = []
        per = max(1, _PARAMS_PER_STATEMENT // len(columns))
        one = "(" + ", ".join([self.p] * len(columns)) + ")"
        for start in range(0, len(rows), per):
            chunk = rows[start:start + per]
            sql = (f"INSERT INTO {table} ({', '.join(columns)}) VALUES "
                   + ", ".join([one] * len(chunk))
                   + f" ON CONFLICT ({conflict}) DO NOTHING RETURNING {returning}")
            self.cur.execute(sql, [v for row in chunk for v in row])
            out.extend(self.cur.fetchall())
        return out

    def executemany(self, sql: str, rows: list[tuple]) -> None:
        if rows:
            self.cur.executemany(sql, rows)

    # -- named operations of the CTI writer

    def tokens(self, token_hashes: Sequence[str]) -> list[tuple]:
        """(token_hash, name, scopes, revoked_at) of the given integration tokens."""
        return self.query(
            "SELECT token_hash, name, scopes, revoked_at FROM integration_tokens WHERE token_hash",
            token_hashes,
        )

    def existing_event_keys(self, keys: Sequence[str]) -> set[str]:
        """Those of ``keys`` the event log holds (served by the unique index on event_key)."""
        return {r[0] for r in self.query("SELECT event_key FROM call_events WHERE event_key", keys)}

    def insert_new_events(self, rows: list[tuple]) -> set[str]:
        """Insert call events (EVENT_COLUMNS, values already converted); return the keys that
        were new. A key already present is a replay and inserts nothing."""
        return {r[0] for r in self.insert_returning(
            "call_events", EVENT_COLUMNS, rows, conflict="event_key", returning="event_key",
        )}

    def insert_new_calls(self, rows: list[dict[str, Any]]) -> dict[str, int]:
        """Insert calls not yet known; return {external_id: id} of those inserted (a call another
        process inserted meanwhile is left out: the caller re-reads and merges it)."""
        for r in rows:
            r.update(number_keys(r["calling_number"], r["called_number"]))  # the search keys
        return {ext: cid for cid, ext in self.insert_returning(
            "calls", INSERT_COLUMNS,
            [tuple(self.value(k, r[k]) for k in INSERT_COLUMNS) for r in rows],
            conflict="external_id", returning="id, external_id",
        )}

    def update_calls(self, rows: list[dict[str, Any]], columns: Sequence[str]) -> None:
        if "calling_number" in columns or "called_number" in columns:
            columns = (*columns, *NUMBER_KEY_COLUMNS)  # the search keys follow the numbers
            for r in rows:
                r.update(number_keys(r["calling_number"], r["called_number"]))
        self.executemany(
            "UPDATE calls SET " + ", ".join(f"{k} = {self.p}" for k in columns)
            + f" WHERE id = {self.p}",
            [tuple(self.value(k, r[k]) for k in columns) + (r["id"],) for r in rows],
        )

    def insert_feed(self, items: list[tuple[dt.datetime, str, str, Any]]) -> None:
        """Feed rows (at, topic, entity_id, payload) for the live consoles."""
        self.executemany(
            f"INSERT INTO feed (at, topic, entity_id, payload) VALUES ({self.p}, {self.p}, {self.p}, {self.p})",
            [(self.dt(at), topic, entity_id, self.json(payload)) for at, topic, entity_id, payload in items],
        )


    def insert_audit(self, items: list[tuple[dt.datetime, str, str, str, str, Any]]) -> None:
        """Audit rows (at, actor, action, entity, entity_id, detail)."""
        self.executemany(
            "INSERT INTO audit_log (at, actor, action, entity, entity_id, detail) VALUES "
            f"({self.p}, {self.p}, {self.p}, {self.p}, {self.p}, {self.p})",
            [(self.dt(at), actor, action, entity, entity_id, self.json(detail))
             for at, actor, action, entity, entity_id, detail in items],
        )


def _json_dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


# --------------------------------------------------------------------------- the writer

# Page cache of the writer's SQLite connection (KiB). The calls and events indexes are keyed by
# random ids; a cache that holds them saves a read per index page per batch.
SQLITE_WRITER_CACHE_KIB = 64 * 1024


def writer_engine(url: str):
    """The writer's own engine (one connection in use at a time), tuned for its work."""
    from sqlalchemy import event

    engine = make_engine(url, pool_size=2)
    if is_sqlite(url):
        @event.listens_for(engine, "connect")
        def _writer_pragmas(dbapi_conn, _record):  # pragma: no cover - exercised by the server
            cur = dbapi_conn.cursor()
            cur.execute(f"PRAGMA cache_size=-{SQLITE_WRITER_CACHE_KIB}")
            cur.close()
    return engine
