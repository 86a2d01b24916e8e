"""The console's own pages: ``/login``, ``/`` (the console), ``/calls`` (call log), ``/wakeups``,
and the language switch (``/ui/locale``).

A page asked for without a valid session redirects to ``/login``. The pages are thin shells
(``shell.render``); the data comes from the JSON API and the live feed (``/api/live``). The other
areas' pages are in ``<area>_pages.py``; ``install`` (``web/install.py``) mounts them all.
"""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel, Field

from zongji.api.deps import session_token, unit_of_work
from zongji.domain.roles import CONSOLE_ROLES, STATS_ROLES
from zongji.services import page_choices, users
from zongji.web import shell
from zongji.api.errors import area_router

router = area_router(include_in_schema=False)


@router.get("/login", response_class=HTMLResponse)
def login_page(request: Request) -> Response:
    user = shell.user(request)
    if user is not None:
        # Already logged in (another tab, or a page that lost the race with the login answer):
        # go where the login was meant to lead, as the login form itself would.
        target = request.query_params.get("next") or "/"
        if not target.startswith("/") or target.startswith("//") or target.startswith("/login"):
            target = "/"
        return RedirectResponse(target, status_code=303)
    return shell.render(request, "login.html", None)


@router.get("/", response_class=HTMLResponse)
def console_page(request: Request) -> Response:
    user = shell.user(request)
    if user is None:
        return shell.to_login(request)
    if user.role == "unit_handler":
        return RedirectResponse("/unit", status_code=303)  # the units' portal (issue 4)
    if user.role not in CONSOLE_ROLES:
        return shell.render(request, "noaccess.html", user)
    settings = request.app.state.settings
    return shell.render(request, "console.html", user, config={"hold": {
        # The hold and special-situation timers (static/console_hold.js; R-P9, R-S15).
        "checkin_seconds": settings.hold_checkin_seconds,
        "callback_after_seconds": settings.hold_callback_after_seconds,
        "silent_pause_seconds": settings.silent_caller_pause_seconds,
        "silent_close_pause_seconds": settings.silent_caller_close_pause_seconds,
        "no_hangup_pause_seconds": settings.no_hangup_ask_pause_seconds},
        # Callbacks from the console (static/console_callbacks.js; R-S6, R-S15).
        "callbacks": {"cannot_hear_minutes": settings.callback_cannot_hear_minutes}})


@router.get("/calls", response_class=HTMLResponse)
def calls_page(request: Request) -> Response:
    user = shell.user(request)
    if user is None:
        return shell.to_login(request)
    if user.role not in CONSOLE_ROLES:
        return shell.render(request, "noaccess.html", user)
    with request.app.state.session_factory() as s:
        choices = page_choices.call_log_choices(s)
    return shell.render(request, "calls.html", user, config={**choices,
                                                      "may_review": user.role in STATS_ROLES})


class LocaleIn(BaseModel):
    locale: str = Field(pattern=r"^(zh-CN|en)$")


@router.post("/ui/locale", status_code=204)
def set_locale(body: LocaleIn, request: Request) -> Response:
    """Remember the console language: on the person (if logged in) and in a cookie."""
    token = session_token(request)
    if token:
        settings = request.app.state.settings
        with unit_of_work(request) as s:
            users.set_locale_of_session(s, token, body.locale, hours=settings.session_hours)
    response = Response(status_code=204)
    response.set_cookie(shell.LOCALE_COOKIE, body.locale, max_age=365 * 86400, samesite="lax")
    return response


@router.get("/wakeups", response_class=HTMLResponse)
def wakeups_page(request: Request) -> Response:
    """The wake-up board: booking with read-back, the day's list live, manual call list."""
    user = shell.user(request)
    if user is None:
        return shell.to_login(request)
    if user.role == "unit_handler":
        # The guest-service centre's door tasks are on the units' portal (R-H9).
        return RedirectResponse("/unit", status_code=303)
    if user.role not in CONSOLE_ROLES:
        return shell.render(request, "noaccess.html", user)
    return shell.render(request, "wakeups.html", user)
