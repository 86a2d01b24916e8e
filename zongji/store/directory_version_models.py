"""The directory's version (issue 18, point 2): a counter the database bumps whenever a phone
number of the directory may have changed, so that the CTI writer's cache of known numbers is
reloaded on change instead of every few seconds.

Triggers on ``guests``, ``people``, ``departments`` and ``customers`` (insert, delete, and an
update of a number column) bump ``directory_version.version`` in the writer's own transaction:
every write path counts (ORM, bulk import, a hand-made fix), and a reader that sees the new
version also sees the change. SQLite bumps once per row (a few microseconds each). PostgreSQL
bumps at commit, once per transaction (deferred constraint triggers and a transaction-local
flag), so directory writers meet on the one row only while committing, never while holding it
and waiting for another lock; the CTI writer never meets it (it does not write the directory).

The upsert keeps working when the row is missing (an emptied test database). Migration 0026
installs the same triggers; ``create_all`` installs them too.
"""

from __future__ import annotations

from sqlalchemy import BigInteger, Integer, event
from sqlalchemy.orm import Mapped, mapped_column

from zongji.store.base import Base


class DirectoryVersion(Base):
    """One row (id 1): how many times the directory's numbers changed."""

    __tablename__ = "directory_version"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    version: Mapped[int] = mapped_column(BigInteger, default=0)


# table -> its number columns (as the CTI writer's KnownNumbers reads them)
NUMBER_COLUMNS = {"guests": ("mobile",), "people": ("mobile", "office_phone"), "departments": ("phone",),
                  "customers": ("phone",)}
_BUMP = ("INSERT INTO directory_version (id, version) VALUES (1, 1) "
         "ON CONFLICT (id) DO UPDATE SET version = directory_version.version + 1")

SQLITE_TRIGGERS = tuple(
    f"CREATE TRIGGER {table}_directory_version_{op.lower()} AFTER {op}"
    f"{' OF ' + ', '.join(cols) if op == 'UPDATE' else ''} ON {table} BEGIN {_BUMP}; END"
    for table, cols in NUMBER_COLUMNS.items() for op in ("INSERT", "UPDATE", "DELETE"))
# PostgreSQL: deferred (constraint) triggers bump at commit, once per transaction (a
# transaction-local flag): the version row is locked last and only while committing, so a
# directory writer never holds it while waiting for another lock (no new deadlock).
POSTGRES_TRIGGERS = (
    f"""CREATE FUNCTION directory_version_bump() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF coalesce(current_setting('zongji.directory_bumped', true), '') = '1' THEN
    RETURN NULL;
  END IF;
  PERFORM set_config('zongji.directory_bumped', '1', true);
  {_BUMP};
  RETURN NULL;
END $$""",
    *(f"CREATE CONSTRAINT TRIGGER {table}_directory_version AFTER INSERT OR DELETE OR UPDATE OF {', '.join(cols)} "
      f"ON {table} DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION directory_version_bump()"
      for table, cols in NUMBER_COLUMNS.items()),
)
SQLITE_DROP = tuple(f"DROP TRIGGER IF EXISTS {table}_directory_version_{op}"
                    for table in NUMBER_COLUMNS for op in ("insert", "update", "delete"))
POSTGRES_DROP = (*(f"DROP TRIGGER IF EXISTS {table}_directory_version ON {table}" for table in NUMBER_COLUMNS),
                 "DROP FUNCTION IF EXISTS directory_version_bump()")


def _install_triggers(target, connection, tables=(), **_kw) -> None:
    names = {t.name for t in tables}
    if not {"directory_version", *NUMBER_COLUMNS} <= names:
        return
    for sql in SQLITE_TRIGGERS if connection.dialect.name == "sqlite" else POSTGRES_TRIGGERS:
        connection.exec_driver_sql(sql)


event.listen(Base.metadata, "after_create", _install_triggers)
