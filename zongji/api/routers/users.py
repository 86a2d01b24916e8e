"""Administration for supervisors and admins: users, integration tokens, the audit trail.

- ``/api/users``: list, create and deactivate the people who log in (roles from
  ``zongji.domain.roles``; only an admin may create or deactivate an admin), and set the lines
  each works for (``PUT /api/users/{id}/lines``; none: every line — ``zongji.domain.scope``).
- ``/api/integration-tokens``: list, create (the token is in the answer once, never again) and
  revoke the bearer tokens of PBXs and other integrations.
- ``/api/audit``: the audit trail, newest first, filtered by entity, actor, action and dates.
"""

from __future__ import annotations

import datetime as dt
from contextlib import asynccontextmanager
from typing import Annotated, Any

from fastapi import Depends, Query, Request
from pydantic import Field

from zongji.api.deps import ID_MAX, IsoOnly, IdPath, ReadDB, WriteDB, actor_of, require_roles
from zongji.api.models import ApiModel
from zongji.api.errors import area_router, error_responses, refusals
from zongji.domain.roles import ADMIN_ROLES, INTEGRATION_SCOPES, Role
from zongji.errors import Forbidden
from zongji.services import scope as scope_service
from zongji.services import users as users_service
from zongji.store.models import User

# No NUL characters (PostgreSQL text cannot hold them) and no surrounding blanks-only input.
_TEXT = r"^[^\x00]*$"

_ID_MAX = ID_MAX


_ERRORS = error_responses({404: "No such record", 409: "Conflicts with the current state"})

Admin = Annotated[User, Depends(require_roles(ADMIN_ROLES))]

router = area_router(tags=["administration"], responses=_ERRORS)


@asynccontextmanager
async def running(app):
    yield


# --------------------------------------------------------------------------- users


class UserAdminOut(ApiModel):
    id: int
    username: str
    display_name: str
    role: Role
    operator_number: str | None
    department_id: int | None
    locale: str
    active: bool
    created_at: dt.datetime
    # Codes of the lines the user works for; empty: every line (zongji.domain.scope).
    lines: list[str] = []


class UserListOut(ApiModel):
    items: list[UserAdminOut]


class UserCreateIn(ApiModel):
    username: str = Field(min_length=1, max_length=64, pattern=r"^[^\x00\s][^\x00]*$")
    password: str = Field(min_length=8, max_length=200, pattern=_TEXT)
    role: Role
    display_name: str | None = Field(default=None, min_length=1, max_length=100, pattern=_TEXT)
    operator_number: str | None = Field(default=None, max_length=20, pattern=_TEXT)
    department_id: int | None = Field(default=None, ge=1, le=_ID_MAX)
    locale: str | None = Field(default=None, pattern=r"^(zh-CN|en)$")


def _user_out(user: User, lines: list[str] | None = None) -> UserAdminOut:
    return UserAdminOut(
        id=user.id, username=user.username, display_name=user.display_name, role=user.role,
        operator_number=user.operator_number, department_id=user.department_id,
        locale=user.locale, active=user.active, created_at=user.created_at, lines=lines or [],
    )


class UserLinesIn(ApiModel):
    lines: list[str] = Field(max_length=200, description="Line codes; empty: every line")


@router.get("/api/users", response_model=UserListOut)
def list_users(
    _admin: Admin,
    db: ReadDB,
    role: Role | None = None,
    active: bool | None = None,
) -> UserListOut:
    """Everyone who can (or could) log in, by username."""
    rows = users_service.list_users(db, role=role.value if role else None, active=active)
    lines = scope_service.line_codes_by_user(db)
    return UserListOut(items=[_user_out(u, lines.get(u.id)) for u in rows])


@router.post("/api/users", response_model=UserAdminOut, status_code=201)
def create_user(body: UserCreateIn, admin: Admin, db: WriteDB) -> UserAdminOut:
    """Add a person who logs in. Audited as ``create`` of entity ``user``."""
    user = users_service.create_user(
        db, admin, username=body.username, password=body.password, role=body.role.value,
        display_name=body.display_name, operator_number=body.operator_number,
        department_id=body.department_id, locale=body.locale,
    )
    return _user_out(user)


@router.put("/api/users/{user_id}/lines", response_model=UserAdminOut,
            openapi_extra=refusals(lines="codes of lines Zongji knows"))
def set_user_lines(user_id: IdPath, body: UserLinesIn, admin: Admin, db: WriteDB) -> UserAdminOut:
    """The lines a user works for: they see the handover, directory, call categories and queues of
    these lines and their organisations (issue 8, point 5). Audited as ``update`` of ``user``."""
    target = db.get(User, user_id)
    if target is not None and target.role == Role.ADMIN and admin.role != Role.ADMIN:
        raise Forbidden("only an admin may change an admin", field="user_id")
    lines = scope_service.set_lines(db, user_id, body.lines, actor=actor_of(admin), actor_id=admin.id)
    return _user_out(db.get(User, user_id), lines)


@router.post("/api/users/{user_id}/deactivate", response_model=UserAdminOut)
def deactivate_user(user_id: IdPath, admin: Admin, db: WriteDB) -> UserAdminOut:
    """Stop a login at once: the user can no longer log in and open sessions end."""
    return _user_out(users_service.deactivate_user(db, admin, user_id))


# --------------------------------------------------------------------------- integration tokens


class TokenOut(ApiModel):
    id: int
    name: str
    scopes: list[str]
    created_at: dt.datetime
    revoked_at: dt.datetime | None
    active: bool


class TokenListOut(ApiModel):
    items: list[TokenOut]


_SCOPE = "(" + "|".join("".join(f"[{c.lower()}{c.upper()}]" for c in name) for name in INTEGRATION_SCOPES) + ")"
_SCOPE_LIST = rf"^[\s,]*{_SCOPE}\s*(,[\s,]*{_SCOPE}\s*)*[\s,]*$"  # any case, as parse_scopes reads them


class TokenCreateIn(ApiModel):
    name: str = Field(min_length=1, max_length=100, pattern=r"^[^\x00]*\S[^\x00]*$")
    scopes: str = Field(default="cti", max_length=200,
                        pattern=_SCOPE_LIST,
                        description="Comma-separated, e.g. 'cti' or 'cti,pms'")


class TokenCreatedOut(TokenOut):
    token: str = Field(description="The bearer token. Shown only in this answer; store it now.")


def _token_out(row: Any) -> TokenOut:
    """``row``: an integration token as ``users_service`` lists it."""
    return TokenOut(
        id=row.id, name=row.name, scopes=row.scopes.split(","), created_at=row.created_at,
        revoked_at=row.revoked_at, active=row.revoked_at is None,
    )


@router.get("/api/integration-tokens", response_model=TokenListOut)
def list_tokens(
    _admin: Admin, db: ReadDB, include_revoked: bool = True
) -> TokenListOut:
    """Integration tokens (never their value: only a hash is stored)."""
    rows = users_service.list_tokens(db, include_revoked=include_revoked)
    return TokenListOut(items=[_token_out(r) for r in rows])


@router.post("/api/integration-tokens", response_model=TokenCreatedOut, status_code=201)
def create_token(body: TokenCreateIn, admin: Admin, db: WriteDB) -> TokenCreatedOut:
    """Create a token for a PBX or other integration; the answer carries it once."""
    row, token = users_service.create_token(db, admin, name=body.name, scopes=body.scopes)
    return TokenCreatedOut(**_token_out(row).model_dump(), token=token)


@router.post("/api/integration-tokens/{token_id}/revoke", response_model=TokenOut)
def revoke_token(token_id: IdPath, admin: Admin, db: WriteDB) -> TokenOut:
    """Revoke a token at once; requests with it are refused from the next one on."""
    return _token_out(users_service.revoke_token(db, admin, token_id))


# --------------------------------------------------------------------------- audit trail


class AuditOut(ApiModel):
    id: int
    at: dt.datetime
    user_id: int | None
    actor: str
    action: str
    entity: str
    entity_id: str | None
    detail: dict[str, Any] | None


class AuditPageOut(ApiModel):
    items: list[AuditOut]
    total: int


def _audit_out(row: Any) -> AuditOut:
    """``row``: an audit entry as ``audit`` lists it."""
    return AuditOut(
        id=row.id, at=row.at, user_id=row.user_id, actor=row.actor, action=row.action,
        entity=row.entity, entity_id=row.entity_id, detail=row.detail,
    )


@router.get("/api/audit", response_model=AuditPageOut,
            openapi_extra=refusals(date_to="date_to before date_from",
                                   date_from="outside the years Zongji keeps"))
def list_audit(
    request: Request,
    _admin: Admin,
    db: ReadDB,
    entity: Annotated[str | None, Query(max_length=40, pattern=_TEXT,
                                        description="e.g. user, integration_token, guest, call")] = None,
    entity_id: Annotated[str | None, Query(max_length=64, pattern=_TEXT)] = None,
    actor: Annotated[str | None, Query(max_length=120, pattern=_TEXT,
                                       description="e.g. user:alice, token:pbx-1, cli")] = None,
    action: Annotated[str | None, Query(max_length=40, pattern=_TEXT,
                                        description="e.g. create, read, revoke, login")] = None,
    date_from: Annotated[dt.datetime | None, IsoOnly, Query(
        description="From this instant on (inclusive); without an offset, local time")] = None,
    date_to: Annotated[dt.datetime | None, IsoOnly, Query(
        description="Before this instant (exclusive); without an offset, local time")] = None,
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
    page_size: Annotated[int, Query(ge=1, le=200)] = 50,
) -> AuditPageOut:
    """Who did or read what, when: newest first."""
    filters = users_service.AuditFilter(
        entity=entity, entity_id=entity_id, actor=actor, action=action,
        date_from=date_from, date_to=date_to,
    )
    rows, total = users_service.list_audit(
        db, filters, tz=request.app.state.settings.tz, page=page, page_size=page_size
    )
    return AuditPageOut(items=[_audit_out(r) for r in rows], total=total)
