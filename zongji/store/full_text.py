"""A full-text index over a table's pre-segmented ``search_terms`` column, on both databases.

The knowledge base (``kb_articles``) and the order search (``work_orders``) keep their searchable
text as space-separated tokens in ``search_terms`` (analysed in the domain: terms of an article,
character pairs of an order). The database finds candidates with them:

- SQLite: an FTS5 external-content table ``<table>_fts`` (``unicode61``: one token a word)
  kept by three triggers, filled once by ``rebuild``;
- PostgreSQL: a GIN index on ``to_tsvector('simple', search_terms)``; or, for a table searched
  newest first through years of rows (the orders), on the terms tagged with the row's *block*
  (``key >> block_bits``: 65,536 ids a block): ``幸福#152``. A look-up of the newest matches then
  reads the index for the newest blocks only (``in_blocks``), so what it reads does not grow with
  the years of history behind them; GIN cannot otherwise stop inside a term's list of rows, and a
  common pair's list holds millions.

These are made by DDL, not by the models: ``statements`` gives the DDL for migrations and for a
new database (``install_after_create``), ``database_only`` tells the migration-vs-models
comparison to leave them out.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import event, text

from zongji.store.base import Base


@dataclass(frozen=True)
class FullTextIndex:
    table: str
    column: str = "search_terms"
    key: str = "id"
    block_bits: int | None = None  # PostgreSQL: terms tagged with the row's block of ids

    def block_of(self, key: int) -> int:
        assert self.block_bits is not None
        return key >> self.block_bits

    def block_range(self, first: int, last: int) -> tuple[int, int]:
        """The keys of blocks ``first … last``: ``(low, high)``, both included."""
        assert self.block_bits is not None
        return first << self.block_bits, ((last + 1) << self.block_bits) - 1

    def vector_sql(self, *, qualified: bool = False) -> str:
        """PostgreSQL's indexed expression (a query repeats it, ``qualified`` with the table's
        name, to use the index)."""
        prefix = f"{self.table}." if qualified else ""
        col, key = prefix + self.column, prefix + self.key
        if self.block_bits is None:
            return f"to_tsvector('simple', {col})"
        # The terms are space-separated letters and digits: each gets '#<block>'; used as they are
        # (array_to_tsvector parses nothing), empty pieces removed.
        tag = f"'#' || ({key} >> {self.block_bits})::text || ' '"
        return f"array_to_tsvector(array_remove(string_to_array(replace(nullif({col}, '') || ' ', ' ', {tag}), ' '), ''))"

    def in_blocks(self, terms: list[str], blocks: range):
        """PostgreSQL: rows of ``blocks`` whose terms hold every one of ``terms``, as a condition
        that repeats the indexed expression, so the GIN index serves it."""
        return text(f"{self.vector_sql(qualified=True)} @@ CAST(:blocks_query AS tsquery)").bindparams(
            blocks_query=self.tsquery(terms, blocks))

    def tsquery(self, terms: list[str], blocks: range) -> str:
        """PostgreSQL: rows of any of ``blocks`` holding every one of ``terms`` (tsquery text)."""
        quoted = [[self._lexeme(f"{t}#{b}") for t in terms] for b in blocks]
        return " | ".join("(" + " & ".join(q) + ")" for q in quoted)

    @staticmethod
    def _lexeme(value: str) -> str:
        return "'" + value.replace("\\", "\\\\").replace("'", "''") + "'"

    @property
    def fts_table(self) -> str:
        """SQLite's FTS5 table (its rowid is the row's ``key``)."""
        return f"{self.table}_fts"

    @property
    def gin_index(self) -> str:
        """PostgreSQL's GIN expression index."""
        return f"ix_{self.table}_{self.column}" + ("_blocks" if self.block_bits is not None else "")

    def statements(self, dialect: str, *, drop: bool = False) -> tuple[str, ...]:
        fts, col, t = self.fts_table, self.column, self.table
        if dialect != "sqlite":
            if drop:
                return (f"DROP INDEX IF EXISTS {self.gin_index}",)
            return (f"CREATE INDEX IF NOT EXISTS {self.gin_index} ON {t} USING gin (({self.vector_sql()}))",)
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
