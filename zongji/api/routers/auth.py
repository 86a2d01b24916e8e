"""Log in and out of the console (cookie session) and see who is logged in."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from pydantic import BaseModel, Field

from zongji.api.deps import SESSION_COOKIE, CurrentUser, WriteDB, session_token
from zongji.services import auth

router = APIRouter(prefix="/api/auth", tags=["auth"])


class LoginIn(BaseModel):
    username: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=200)


class UserOut(BaseModel):
    id: int
    username: str
    display_name: str
    role: str
    operator_number: str | None
    locale: str


class LoginOut(BaseModel):
    user: UserOut
    token: str = Field(description="Session token; also set as the zongji_session cookie.")


def user_out(user) -> UserOut:
    return UserOut(
        id=user.id, username=user.username, display_name=user.display_name, role=user.role,
        operator_number=user.operator_number, locale=user.locale,
    )


@router.post("/login", response_model=LoginOut)
def login(body: LoginIn, request: Request, response: Response, db: WriteDB) -> LoginOut:
    settings = request.app.state.settings
    user, issued = auth.log_in(db, body.username, body.password, hours=settings.session_hours)
    response.set_cookie(
        SESSION_COOKIE, issued.token, httponly=True, samesite="lax",
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
