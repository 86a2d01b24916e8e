"""Administration of access: people who log in, integration tokens, and the audit trail.

Creating users and tokens goes through ``zongji.services.auth`` (hashing, one-time tokens); this
module adds what an administrator needs around it: listing, deactivating, revoking, and reading
the audit trail with filters. Every change is audited in the transaction that makes it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from zongji.domain.roles import Role
from zongji.errors import Conflict, Forbidden, NotFound, ZongjiError
from zongji.services import audit, auth
from zongji.store.models import AuditEntry, Department, IntegrationToken, LoginSession, User, utcnow

# Scopes an integration token may carry: comma-separated lowercase words ("cti", "cti,pms").


def parse_role(role: str) -> Role:
    try:
        return Role(role)
    except ValueError:
        raise ZongjiError(
            f"unknown role {role!r}; one of {', '.join(r.value for r in Role)}", field="role"
        ) from None


def _check_may_manage(manager: User, role: str) -> None:
    """Only an admin may create or deactivate an admin (a supervisor cannot promote anyone)."""
    if role == Role.ADMIN and manager.role != Role.ADMIN:
        raise Forbidden("only an admin may create or deactivate an admin account", field="role")


def list_users(
    session: Session, *, role: str | None = None, active: bool | None = None
) -> list[User]:
    query = select(User).order_by(User.username)
    if role is not None:
        query = query.where(User.role == parse_role(role).value)
    if active is not None:
        query = query.where(User.active.is_(active))
    return list(session.scalars(query))


def create_user(
    session: Session,
    manager: User,
    *,
    username: str,
    password: str,
    role: str,
    display_name: str | None = None,
    operator_number: str | None = None,
    department_id: int | None = None,
    locale: str | None = None,
) -> User:
    role = parse_role(role).value
    _check_may_manage(manager, role)
    if department_id is not None:

        if session.get(Department, department_id) is None:
            raise NotFound(f"no department {department_id}", field="department_id")
    user = auth.create_user(
        session,
        username=username,
        password=password,
        role=role,
        display_name=display_name,
        operator_number=operator_number,
        department_id=department_id,
        actor=f"user:{manager.username}",
    )
    if locale:
        user.locale = locale
    return user


def deactivate_user(session: Session, manager: User, user_id: int) -> User:
    """Deactivate a login at once: it can no longer log in and its open sessions are revoked."""
    user = session.get(User, user_id)
    if user is None:
        raise NotFound(f"no user {user_id}", field="user_id")
    if user.id == manager.id:
        raise Conflict("you cannot deactivate your own account", field="user_id")
    _check_may_manage(manager, user.role)
    if user.active:
        user.active = False
        now = utcnow()
        session.execute(
            update(LoginSession)
            .where(LoginSession.user_id == user.id, LoginSession.revoked_at.is_(None))
            .values(revoked_at=now)
        )
        audit.record(session, actor=f"user:{manager.username}", user_id=manager.id,
                     action="deactivate", entity="user", entity_id=user.id,
                     detail={"username": user.username})
    return user


# --------------------------------------------------------------------------- integration tokens


def set_locale_of_session(session: Session, token: str, locale: str, *, hours: int) -> None:
    """Remember the console language on the person behind a live session (nothing for a session
    that is no longer valid)."""
    user = auth.user_for_session_token(session, token, hours=hours)
    if user is not None:
        user.locale = locale


def list_tokens(session: Session, *, include_revoked: bool = True) -> list[IntegrationToken]:
    query = select(IntegrationToken).order_by(IntegrationToken.id)
    if not include_revoked:
        query = query.where(IntegrationToken.revoked_at.is_(None))
    return list(session.scalars(query))


def create_token(
    session: Session, manager: User, *, name: str, scopes: str = "cti"
) -> tuple[IntegrationToken, str]:
    """Create a token; returns the row and the plaintext, which is shown once and never stored."""
    issued = auth.add_integration_token(session, name, scopes=scopes,
                                        actor=f"user:{manager.username}")
    return session.get(IntegrationToken, issued.id), issued.token


def revoke_token(session: Session, manager: User, token_id: int) -> IntegrationToken:
    auth.revoke_integration_token(session, token_id, actor=f"user:{manager.username}")
    return session.get(IntegrationToken, token_id)


# --------------------------------------------------------------------------- audit trail


@dataclass(frozen=True)
class AuditFilter:
    entity: str | None = None
    entity_id: str | None = None
    actor: str | None = None
    action: str | None = None
    # Instants; a naive value is read in the organisation's time zone. date_to is exclusive.
    date_from: dt.datetime | None = None
    date_to: dt.datetime | None = None


def _aware(value: dt.datetime | None, tz: ZoneInfo, field: str) -> dt.datetime | None:
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=tz)
    try:
        return value.astimezone(dt.UTC)
    except (OverflowError, ValueError):
        raise ZongjiError("date out of range", field=field) from None


def list_audit(
    session: Session,
    filters: AuditFilter,
    *,
    tz: ZoneInfo,
    page: int = 1,
    page_size: int = 50,
) -> tuple[list[AuditEntry], int]:
    """Audit entries matching ``filters``, newest first, one page at a time, and the total."""
    date_from = _aware(filters.date_from, tz, "date_from")
    date_to = _aware(filters.date_to, tz, "date_to")
    if date_from and date_to and date_to < date_from:
        raise ZongjiError("date_to is before date_from", field="date_to")
    conditions = []
    if filters.entity:
        conditions.append(AuditEntry.entity == filters.entity)
    if filters.entity_id:
        conditions.append(AuditEntry.entity_id == filters.entity_id)
    if filters.actor:
        conditions.append(AuditEntry.actor == filters.actor)
    if filters.action:
        conditions.append(AuditEntry.action == filters.action)
    if date_from:
        conditions.append(AuditEntry.at >= date_from)
    if date_to:
        conditions.append(AuditEntry.at < date_to)
    total = session.scalar(select(func.count()).select_from(AuditEntry).where(*conditions)) or 0
    rows = session.scalars(
        select(AuditEntry)
        .where(*conditions)
        .order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
        .offset((page - 1) * page_size)
        .limit(page_size)
    )
    return list(rows), total
