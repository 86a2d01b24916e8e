"""A full-text index over a table's pre-segmented ``search_terms`` column, on both databases.

The knowledge base (``kb_articles``) and the order search (``work_orders``) keep their searchable
text as space-separated tokens in ``search_terms`` (analysed in the domain: terms of an article,
character pairs of an order). The database finds candidates with them:

- SQLite: an FTS5 external-content table ``<table>_fts`` (``unicode61``: one token a word)
  kept by three triggers, filled once by ``rebuild``;
- PostgreSQL: a GIN index on ``to_tsvector('simple', search_terms)``.

These are made by DDL, not by the models: ``statements`` gives the DDL for migrations and for a
new database (``install_after_create``), ``database_only`` tells the migration-vs-models
comparison to leave them out.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import event

from zongji.store.base import Base


@dataclass(frozen=True)
class FullTextIndex:
    table: str
    column: str = "search_terms"
    key: str = "id"

    @property
    def fts_table(self) -> str:
        """SQLite's FTS5 table (its rowid is the row's ``key``)."""
        return f"{self.table}_fts"

    @property
    def gin_index(self) -> str:
        """PostgreSQL's GIN expression index."""
        return f"ix_{self.table}_{self.column}"

    def statements(self, dialect: str, *, drop: bool = False) -> tuple[str, ...]:
        fts, col, t = self.fts_table, self.column, self.table
        if dialect != "sqlite":
            if drop:
                return (f"DROP INDEX IF EXISTS {self.gin_index}",)
            return (f"CREATE INDEX IF NOT EXISTS {self.gin_index} ON {t} USING gin (to_tsvector('simple', {col}))",)
        triggers = (f"{fts}_insert", f"{fts}_delete", f"{fts}_update")
        if drop:
            return (*(f"DROP TRIGGER IF EXISTS {name}" for name in triggers), f"DROP TABLE IF EXISTS {fts}")
        remove = f"INSERT INTO {fts}({fts}, rowid, {col}) VALUES ('delete', old.{self.key}, old.{col});"
        add = f"INSERT INTO {fts}(rowid, {col}) VALUES (new.{self.key}, new.{col});"
        return (
            f"CREATE VIRTUAL TABLE IF NOT EXISTS {fts} USING fts5({col}, content='{t}', "
            f"content_rowid='{self.key}', tokenize='unicode61 remove_diacritics 0')",
            f"CREATE TRIGGER IF NOT EXISTS {triggers[0]} AFTER INSERT ON {t} BEGIN {add} END",
            f"CREATE TRIGGER IF NOT EXISTS {triggers[1]} AFTER DELETE ON {t} BEGIN {remove} END",
            f"CREATE TRIGGER IF NOT EXISTS {triggers[2]} AFTER UPDATE OF {col} ON {t} BEGIN {remove} {add} END",
            f"INSERT INTO {fts}({fts}) VALUES ('rebuild')",
        )

    def install(self, connection) -> None:
        for sql in self.statements(connection.dialect.name):
            connection.exec_driver_sql(sql)

    def database_only(self, name: str | None, type_: str) -> bool:
        """The FTS5 table and its shadow tables, or the GIN index."""
        if not name:
            return False
        if type_ == "table":
            return name == self.fts_table or name.startswith(self.fts_table + "_")
        return type_ == "index" and name == self.gin_index

    def install_after_create(self) -> None:
        """Made with the table when the models create a new database (``create_all``)."""

        def after_create(target, connection, tables=(), **_kw) -> None:
            if self.table in {t.name for t in tables}:
                self.install(connection)

        event.listen(Base.metadata, "after_create", after_create)
