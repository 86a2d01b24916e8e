"""The ``zongji`` command line (Typer)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer

from zongji.errors import ZongjiError
from zongji.settings import Settings, get_settings

app = typer.Typer(help="Zongji (总机): switchboard and service-hotline platform.", no_args_is_help=True)
db_app = typer.Typer(help="Database schema.", no_args_is_help=True)
user_app = typer.Typer(help="People who log in.", no_args_is_help=True)
token_app = typer.Typer(help="Integration tokens (PBX, PMS …).", no_args_is_help=True)
import_app = typer.Typer(help="Import data.", no_args_is_help=True)
simulate_app = typer.Typer(help="Simulators for demos and load.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(user_app, name="user")
app.add_typer(token_app, name="token")
app.add_typer(import_app, name="import")
app.add_typer(simulate_app, name="simulate")


def _session_factory(settings: Settings):
    from zongji.store.db import make_engine, make_session_factory

    return make_session_factory(make_engine(settings.resolved_database_url))


def _fail(exc: ZongjiError) -> None:
    field = f" ({exc.field})" if exc.field else ""
    typer.secho(f"error{field}: {exc.message}", fg=typer.colors.RED, err=True)
    raise typer.Exit(2)


@db_app.command("upgrade")
def db_upgrade(revision: str = "head") -> None:
    """Create or upgrade the schema (Alembic) in ZONGJI_DATABASE_URL."""
    from zongji.store.migrate import upgrade

    settings = get_settings()
    upgrade(settings.resolved_database_url, revision)
    typer.echo(f"database at {revision}: {_safe_url(settings.resolved_database_url)}")


@user_app.command("add")
def user_add(
    username: str,
    role: Annotated[str, typer.Option(help="operator, shift_leader, supervisor, unit_handler or admin")],
    display_name: Annotated[str | None, typer.Option("--name", help="Name shown in the console")] = None,
    operator_number: Annotated[str | None, typer.Option(help="Operator work number (工号)")] = None,
    password: Annotated[str | None, typer.Option(help="Asked for if not given")] = None,
) -> None:
    """Add a person who logs in to the console."""
    from zongji.services import auth
    from zongji.store.db import transaction

    if password is None:
        password = typer.prompt("password", hide_input=True, confirmation_prompt=True)
    try:
        with transaction(_session_factory(get_settings())) as s:
            user = auth.create_user(s, username=username, password=password, role=role,
                                    display_name=display_name, operator_number=operator_number)
            typer.echo(f"user {user.username} ({user.role}) added")
    except ZongjiError as exc:
        _fail(exc)


@token_app.command("add")
def token_add(
    name: str,
    scopes: Annotated[str, typer.Option(help="Comma-separated scopes")] = "cti",
) -> None:
    """Create an integration token; it is printed once and stored only as a hash."""
    from zongji.services import auth
    from zongji.store.db import transaction

    try:
        with transaction(_session_factory(get_settings())) as s:
            issued = auth.add_integration_token(s, name, scopes=scopes)
    except ZongjiError as exc:
        _fail(exc)
    typer.echo(f"token #{issued.id} for {name}: {issued.token}")
    typer.echo("Keep it secret: it is not shown again. Revoke with `zongji token revoke ID`.")


@token_app.command("revoke")
def token_revoke(token_id: int) -> None:
    """Revoke an integration token at once."""
    from zongji.services import auth
    from zongji.store.db import transaction

    try:
        with transaction(_session_factory(get_settings())) as s:
            auth.revoke_integration_token(s, token_id)
    except ZongjiError as exc:
        _fail(exc)
    typer.echo(f"token #{token_id} revoked")


@app.command()
def serve(
    host: str = "127.0.0.1",
    port: int = 8000,
    workers: Annotated[int, typer.Option(help="Worker processes")] = 1,
) -> None:
    """Serve Zongji in production. Database from ZONGJI_DATABASE_URL."""
    import uvicorn

    from zongji.store.migrate import upgrade

    upgrade(get_settings().resolved_database_url)
    uvicorn.run("zongji.api.app:app_from_env", factory=True, host=host, port=port,
                workers=workers, log_level="info")


def _safe_url(url: str) -> str:
    if "@" in url and "://" in url:
        scheme, rest = url.split("://", 1)
        return f"{scheme}://***@{rest.split('@', 1)[1]}"
    return url


if __name__ == "__main__":  # pragma: no cover
    app()
