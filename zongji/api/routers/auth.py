"""Log in and out of the console (cookie session) and see who is logged in."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from fastapi import Depends, Request, Response
from fastapi.responses import JSONResponse
from pydantic import Field

from zongji.api.deps import SESSION_COOKIE, CurrentUser, ReadDB, WriteDB, require_roles, session_token
from zongji.api.models import ApiModel
from zongji.api.errors import area_router, error_responses
from zongji.domain.login_throttle import Scope
from zongji.domain.roles import ADMIN_ROLES
from zongji.services import auth, login_throttle
from zongji.store.models import User, utcnow

router = area_router(prefix="/api/auth", tags=["auth"])


class LoginIn(ApiModel):
    username: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=200)


class UserOut(ApiModel):
    id: int
    username: str
    display_name: str
    role: str
    operator_number: str | None
    locale: str


class LoginOut(ApiModel):
    user: UserOut
    token: str = Field(description="Session token; also set as the zongji_session cookie.")


def user_out(user) -> UserOut:
    return UserOut(
        id=user.id, username=user.username, display_name=user.display_name, role=user.role,
        operator_number=user.operator_number, locale=user.locale,
    )


class TooManyAttemptsOut(ApiModel):
    error: Literal["too_many_attempts"]
    message: str
    retry_after: int = Field(description="Seconds until a login may be tried again (as Retry-After)")


_LOGIN_ERRORS = error_responses({
    401: "Wrong username or password (the same whether or not the account exists)",
}) | {429: {
    "model": TooManyAttemptsOut,
    "description": "Too many failed logins for this account name or client address: try again after "
                   "Retry-After seconds. The same status, body and header for every account name, "
                   "known or not.",
    "headers": {"Retry-After": {"description": "Seconds to wait", "schema": {"type": "integer"}}},
}}


@router.post("/login", response_model=LoginOut, responses=_LOGIN_ERRORS)
def login(body: LoginIn, request: Request, response: Response) -> LoginOut | JSONResponse:
    """Log in. Throttled per account name and per client address (issue 12):
    zongji.services.login_throttle."""
    settings = request.app.state.settings
    try:
        user, issued = login_throttle.log_in(
            request.app.state.session_factory, settings, body.username, body.password,
            address=request.client.host if request.client else "", now=_now(request))
    except login_throttle.TooManyAttempts as exc:
        return JSONResponse(status_code=429, content=exc.body(),
                            headers={"Retry-After": str(exc.retry_after)})
    response.set_cookie(
        SESSION_COOKIE, issued.token, httponly=True, samesite="lax", secure=settings.cookie_secure,
        max_age=settings.session_hours * 3600,
    )
    return LoginOut(user=user_out(user), token=issued.token)


@router.post("/logout", status_code=204)
def logout(request: Request, response: Response, db: WriteDB) -> Response:
    token = session_token(request)
    if token:
        auth.log_out(db, token)
    response.delete_cookie(SESSION_COOKIE)
    response.status_code = 204
    return response


@router.get("/me", response_model=UserOut)
def me(user: CurrentUser) -> UserOut:
    return user_out(user)


# --------------------------------------------------------------------------- login locks (issue 12)


def _now(request: Request) -> dt.datetime:
    """The current instant; a test may set ``app.state.clock`` (a function) to move time."""
    clock = getattr(request.app.state, "clock", None)
    return clock() if clock is not None else utcnow()


Admin = Annotated[User, Depends(require_roles(ADMIN_ROLES))]


class LockOut(ApiModel):
    scope: Literal["account", "address"]
    subject: str = Field(description="The account name as typed (existing or not) or the client address")
    locked_until: dt.datetime
    retry_after: int = Field(description="Seconds until the lock ends")
    locks: int = Field(description="Locks in a row; each lasts twice as long as the one before, up to the longest")


class LockListOut(ApiModel):
    items: list[LockOut]


class UnlockIn(ApiModel):
    scope: Literal["account", "address"] = "account"
    subject: str = Field(min_length=1, max_length=100, pattern=r"^[^\x00]*\S[^\x00]*$",
                         description="The account name or the client address to unlock")


@router.get("/locks", response_model=LockListOut, responses=error_responses())
def login_locks(request: Request, _admin: Admin, db: ReadDB) -> LockListOut:
    """Account names and client addresses locked now after too many failed logins (supervisor, admin)."""
    now = _now(request)
    return LockListOut(items=[LockOut(**login_throttle.lock_out(row, now))
                              for row in login_throttle.current_locks(db, now=now)])


@router.post("/locks/unlock", status_code=204, responses=error_responses({404: "Not locked"}))
def unlock_login(body: UnlockIn, request: Request, admin: Admin, db: WriteDB) -> Response:
    """Lift a login lock before its time and forget its failures (supervisor, admin; audited)."""
    login_throttle.unlock(db, admin, scope=Scope(body.scope), subject=body.subject, now=_now(request))
    return Response(status_code=204)
