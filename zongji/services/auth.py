"""Users, console sessions and integration tokens.

Passwords are hashed with argon2. Session and integration tokens are random, shown once, and
stored only as SHA-256 digests so a database leak does not leak credentials; both are revocable.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import secrets
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerifyMismatchError
from sqlalchemy import select
from sqlalchemy.orm import Session

from zongji.domain.roles import Role, parse_scopes
from zongji.errors import Conflict, NotFound, Unauthorized, ZongjiError
from zongji.services import audit, presence
from zongji.settings import Settings
from zongji.store.models import IntegrationToken, LoginSession, User, utcnow

MIN_PASSWORD_LENGTH = 8
_hasher: PasswordHasher | None = None


def use_password_hashing(*, time_cost: int, memory_kib: int) -> None:
    """Set the cost of new password hashes (the composition root calls this with the settings
    ``password_hash_time_cost`` and ``password_hash_memory_kib``). A stored hash carries its own
    parameters, so hashes made at another cost still verify."""
    global _hasher
    _hasher = PasswordHasher(time_cost=time_cost, memory_cost=memory_kib)


def _password_hasher() -> PasswordHasher:
    if _hasher is None:

        s = Settings()
        use_password_hashing(time_cost=s.password_hash_time_cost, memory_kib=s.password_hash_memory_kib)
    assert _hasher is not None
    return _hasher


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def hash_password(password: str) -> str:
    return _password_hasher().hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _password_hasher().verify(password_hash, password)
    except (VerifyMismatchError, InvalidHashError):
        return False


def create_user(
    session: Session,
    *,
    username: str,
    password: str,
    role: str,
    display_name: str | None = None,
    operator_number: str | None = None,
    department_id: int | None = None,
    actor: str = "cli",
) -> User:
    username = username.strip()
    if not username:
        raise ZongjiError("username must not be empty", field="username")
    try:
        role = Role(role).value
    except ValueError:
        raise ZongjiError(
            f"unknown role {role!r}; one of {', '.join(r.value for r in Role)}", field="role"
        ) from None
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ZongjiError(
            f"password must have at least {MIN_PASSWORD_LENGTH} characters", field="password"
        )
    if session.scalar(select(User).where(User.username == username)):
        raise Conflict(f"user {username!r} exists already", field="username")
    user = User(
        username=username,
        display_name=display_name or username,
        role=role,
        password_hash=hash_password(password),
        operator_number=operator_number,
        department_id=department_id,
    )
    session.add(user)
    session.flush()
    audit.record(session, actor=actor, action="create", entity="user", entity_id=user.id,
                 detail={"username": username, "role": role})
    return user


@dataclass(frozen=True)
class IssuedToken:
    token: str  # shown once to the person who asked for it
    id: int


def log_in(session: Session, username: str, password: str, *, hours: int) -> tuple[User, IssuedToken]:
    """Check the password and open a session. Unthrottled: the API's login goes through
    ``zongji.services.login_throttle.log_in``, which counts failures and locks."""
    user = session.scalar(select(User).where(User.username == username.strip()))
    # Verify against a dummy hash when the user is unknown, so timing does not reveal usernames.
    if user is None or not user.active:
        verify_password(_dummy_hash(), password)
        raise Unauthorized("wrong username or password", field="password")
    if not verify_password(user.password_hash, password):
        raise Unauthorized("wrong username or password", field="password")
    token = secrets.token_urlsafe(32)
    row = LoginSession(
        token_hash=hash_token(token), user_id=user.id, expires_at=utcnow() + dt.timedelta(hours=hours)
    )
    session.add(row)
    session.flush()
    audit.record(session, actor=f"user:{user.username}", user_id=user.id, action="login",
                 entity="user", entity_id=user.id)
    return user, IssuedToken(token=token, id=row.id)


def user_for_session_token(session: Session, token: str, *, hours: int) -> User | None:
    """The user behind a live session token, sliding its expiry; None if unknown/expired/revoked."""
    row = session.scalar(select(LoginSession).where(LoginSession.token_hash == hash_token(token)))
    now = utcnow()
    if row is None or row.revoked_at is not None or row.expires_at <= now or not row.user.active:
        return None
    # Slide the expiry, but write at most once a minute per session.
    new_expiry = now + dt.timedelta(hours=hours)
    if new_expiry - row.expires_at > dt.timedelta(minutes=1):
        row.expires_at = new_expiry
    return row.user


def log_out(session: Session, token: str) -> None:
    row = session.scalar(select(LoginSession).where(LoginSession.token_hash == hash_token(token)))
    if row is not None and row.revoked_at is None:
        row.revoked_at = utcnow()
        presence.end_on_logout(session, row.user_id, row.revoked_at)


def add_integration_token(session: Session, name: str, *, scopes: str = "cti", actor: str = "cli") -> IssuedToken:
    name = name.strip()
    if not name:
        raise ZongjiError("token name must not be empty", field="name")
    try:
        scopes = parse_scopes(scopes)
    except ValueError as exc:
        raise ZongjiError(str(exc), field="scopes") from None
    token = "zj_" + secrets.token_urlsafe(32)
    row = IntegrationToken(name=name, token_hash=hash_token(token), scopes=scopes)
    session.add(row)
    session.flush()
    audit.record(session, actor=actor, action="create", entity="integration_token",
                 entity_id=row.id, detail={"name": name, "scopes": scopes})
    return IssuedToken(token=token, id=row.id)


def revoke_integration_token(session: Session, token_id: int, *, actor: str = "cli") -> None:
    row = session.get(IntegrationToken, token_id)
    if row is None:
        raise NotFound(f"no integration token {token_id}", field="token_id")
    if row.revoked_at is None:
        row.revoked_at = utcnow()
        audit.record(session, actor=actor, action="revoke", entity="integration_token", entity_id=row.id)


def integration_token(session: Session, token: str, scope: str) -> IntegrationToken | None:
    row = session.scalar(
        select(IntegrationToken).where(IntegrationToken.token_hash == hash_token(token))
    )
    if row is None or row.revoked_at is not None or scope not in row.scopes.split(","):
        return None
    return row


@functools.cache
def _dummy_hash() -> str:
    """A hash to verify against for unknown users, made at first need (not at import: an Argon2
    hash costs a noticeable part of start-up), at the configured cost."""
    return hash_password("not-a-real-password")
