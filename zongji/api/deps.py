"""Dependencies shared by routers: database sessions, the current user, roles, tokens."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from typing import Annotated, Any

from fastapi import Depends, Path, Request
from pydantic import BeforeValidator
from sqlalchemy.orm import Session

from zongji.domain.roles import Role
from zongji.errors import Forbidden, Unauthorized
from zongji.services import auth
from zongji.settings import Settings
from zongji.store.db import transaction
from zongji.store.models import User

SESSION_COOKIE = "zongji_session"


def get_settings(request: Request) -> Settings:
    return request.app.state.settings


def db_read(request: Request) -> Iterator[Session]:
    """A read-only session for the request."""
    with request.app.state.session_factory() as session:
        yield session


def db_write(request: Request) -> Iterator[Session]:
    """A writing unit of work for the request: committed when the endpoint returns normally."""
    with transaction(request.app.state.session_factory) as session:
        yield session


def unit_of_work(request: Request) -> AbstractContextManager[Session]:
    """A writing unit of work for a page shell (``with unit_of_work(request) as s:``): committed
    when the block ends normally. Routers take ``WriteDB`` instead."""
    return transaction(request.app.state.session_factory)


def session_token(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        return header[7:].strip()
    return request.cookies.get(SESSION_COOKIE)


def current_user(request: Request) -> User:
    token = session_token(request)
    if not token:
        raise Unauthorized("log in first")
    user = _session_user(request, token)
    if user is None:
        raise Unauthorized("session expired or revoked; log in again")
    # What the answer may show (zongji.api.guest_privacy) depends on the role.
    request.state.user_role = user.role
    return user


def optional_user(request: Request) -> User | None:
    """The logged-in user, or None: page shells redirect to the login page instead of a 401."""
    token = session_token(request)
    if not token:
        return None
    return _session_user(request, token)


def _session_user(request: Request, token: str) -> User | None:
    """The user of a session token. Read without SQLite's write lock (a search or a page must not
    queue behind the writers); only when the session's expiry slides (at most once a minute per
    session) is it written, in a short transaction of its own."""
    settings: Settings = request.app.state.settings
    factory = request.app.state.session_factory
    with factory() as session:
        user = auth.user_for_session_token(session, token, hours=settings.session_hours)
        if user is None or not session.dirty:
            if user is not None:
                session.expunge(user)
            return user
    with transaction(factory) as session:
        user = auth.user_for_session_token(session, token, hours=settings.session_hours)
        if user is not None:
            session.expunge(user)
        return user


CurrentUser = Annotated[User, Depends(current_user)]
# A record id in a path: positive and within BIGINT, so huge ids are a 422 naming the field.
# The largest id a JSON number carries exactly (IEEE double): the schema's bound and the
# server's agree for every client, JavaScript included.
ID_MAX = 2**53 - 1
IdPath = Annotated[int, Path(ge=1, le=ID_MAX)]

def _iso_only(value: Any) -> Any:
    """An ISO-8601 date or time, as the schema says; not the Unix timestamp pydantic would read
    from a number."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        raise ValueError("an ISO-8601 date or time, not a number")
    if isinstance(value, str):
        try:
            float(value)
        except ValueError:
            return value
        raise ValueError("an ISO-8601 date or time, not a number")
    return value


IsoOnly = BeforeValidator(_iso_only)
ReadDB = Annotated[Session, Depends(db_read)]
# scope="function": the unit of work commits before the answer is sent. FastAPI's default runs a
# yield dependency's exit *after* the response, so a client could be told "saved" for a change
# that then failed to commit, or read its own write before it was committed (a fresh login's
# session not found yet by the page it opened).
WriteDB = Annotated[Session, Depends(db_write, scope="function")]


def require_roles(*roles: Role | frozenset[Role]) -> Callable[[User], User]:
    allowed: set[str] = set()
    for r in roles:
        allowed.update(r if isinstance(r, frozenset) else {r})

    def _check(user: CurrentUser) -> User:
        if user.role not in allowed:
            raise Forbidden(f"role {user.role!r} may not do this")
        return user

    return _check


def actor_of(user: User) -> str:
    return f"user:{user.username}"


# --------------------------------------------------------------------------- integration tokens


def bearer_token(request: Request) -> str:
    """The ``Authorization: Bearer`` token of an integration's request; 401 naming ``token``
    without one."""
    header = request.headers.get("authorization", "")
    if header[:7].lower() != "bearer " or not header[7:].strip():
        raise Unauthorized("send Authorization: Bearer <integration token>", field="token")
    return header[7:].strip()


def integration_actor(scope: str) -> Callable[[Request], str]:
    """A dependency: the request's integration token, which must hold ``scope``, as an audit
    actor (``token:<name>``). One check for every integration endpoint (PMS, wake-ups); the CTI
    endpoints check theirs in the writer, with the events they carry."""

    def _actor(request: Request) -> str:
        token = bearer_token(request)
        with transaction(request.app.state.session_factory) as s:
            row = auth.integration_token(s, token, scope)
            if row is None:
                raise Unauthorized(f"token unknown, revoked or without the '{scope}' scope", field="token")
            return f"token:{row.name}"

    _actor.__name__ = f"integration_actor_{scope}"
    return _actor
