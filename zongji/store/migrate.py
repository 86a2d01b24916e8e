"""Schema migrations with Alembic, driven from code so an installed package can upgrade itself.

A database already at the newest revision is recognised without Alembic (issue 18, point 5):
loading Alembic and every migration script took most of a second of each start-up.
"""

from __future__ import annotations

import re
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.pool import NullPool

MIGRATIONS_DIR = Path(__file__).parent / "migrations"
_REVISION = re.compile(r"^revision\s*=\s*['\"]([^'\"]+)['\"]", re.M)
_DOWN = re.compile(r"^down_revision\s*=\s*(?:['\"]([^'\"]+)['\"]|None)", re.M)


def alembic_config(url: str):
    from alembic.config import Config  # Alembic only when a migration is to run

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def script_head() -> str | None:
    """The newest revision of the migration scripts, read from their text; None when it is not
    one plain chain head (then Alembic decides)."""
    revisions: set[str] = set()
    downs: set[str] = set()
    for path in (MIGRATIONS_DIR / "versions").glob("*.py"):
        source = path.read_text("utf-8")
        rev, down = _REVISION.search(source), _DOWN.search(source)
        if rev is None:
            continue
        if down is None:
            return None  # a tuple of parents (a merge) or something else: ask Alembic
        revisions.add(rev.group(1))
        if down.group(1):
            downs.add(down.group(1))
    heads = revisions - downs
    return heads.pop() if len(heads) == 1 else None


def current_revision(url: str) -> str | None:
    """The revision stamped in the database; None for a database without one (or unreachable:
    then Alembic says why)."""
    engine = create_engine(url, poolclass=NullPool)
    try:
        with engine.connect() as c:
            rows = c.execute(text("SELECT version_num FROM alembic_version")).scalars().all()
        return rows[0] if len(rows) == 1 else None
    except Exception:  # noqa: BLE001 - no alembic_version table (a new database), no file yet …
        return None
    finally:
        engine.dispose()


def upgrade(url: str, revision: str = "head") -> None:
    """Bring the database at ``url`` to ``revision`` (default: the newest)."""
    if revision == "head":
        head = script_head()
        if head is not None and current_revision(url) == head:
            return
    from alembic import command

    command.upgrade(alembic_config(url), revision)


def revision(url: str, message: str) -> None:
    """Autogenerate a new migration from the models (developers only)."""
    from alembic import command

    command.revision(alembic_config(url), message=message, autogenerate=True)
