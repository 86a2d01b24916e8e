"""Alembic environment. Run through ``zongji db upgrade`` (see zongji.store.migrate)."""

from alembic import context

from zongji.store.db import make_engine
from zongji.store.schema import database_only
from zongji.store.schema import metadata as schema_metadata

config = context.config
target_metadata = schema_metadata


def include_name(name, type_, parent_names) -> bool:
    """The full-text tables and indexes (knowledge base, order search) belong to the database, not the models."""
    return not database_only(name, type_)


def run_migrations_online() -> None:
    connectable = config.attributes.get("connection")
    if connectable is not None:
        _run(connectable)
        return
    engine = make_engine(config.get_main_option("sqlalchemy.url"))
    with engine.connect() as connection:
        _run(connection)
    engine.dispose()


def _run(connection) -> None:
    sqlite = connection.dialect.name == "sqlite"
    raw = connection.connection.driver_connection if sqlite else None
    if raw is not None:
        # SQLite changes a table by copying it and dropping the old one; with foreign keys
        # enforced the drop fails as soon as another table references rows in it (a department
        # with people). Off for the migration (outside any transaction, as SQLite requires),
        # then the references are checked.
        raw.execute("PRAGMA foreign_keys=OFF")
    try:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            render_as_batch=sqlite,
            compare_type=True,
            include_name=include_name,
        )
        with context.begin_transaction():
            context.run_migrations()
    finally:
        if raw is not None:
            raw.execute("PRAGMA foreign_keys=ON")
    if raw is not None:
        broken = raw.execute("PRAGMA foreign_key_check").fetchall()
        if broken:
            raise RuntimeError(f"migration left broken references: {broken[:5]}")


if context.is_offline_mode():  # pragma: no cover
    context.configure(url=config.get_main_option("sqlalchemy.url"), target_metadata=target_metadata)
    with context.begin_transaction():
        context.run_migrations()
else:
    run_migrations_online()
