"""The operator console: server-rendered page shells, static JS/CSS, and the language switch.

Pages: ``/login``, ``/`` (console), ``/calls`` (call log). A page asked for without a valid
session redirects to ``/login``. The pages are thin shells; the data comes from the JSON API and
the live feed (``/api/live``). All UI strings live in one dictionary per language
(``static/i18n/<locale>.json``); both are inlined into each page (as JSON data, with the page's
config, read by ``static/config.js``) so switching is instant. The scripts are ES modules
(``static/*.js``), addressed through one import map.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from pydantic import BaseModel, Field

from zongji import __version__
from zongji.api.deps import SESSION_COOKIE, session_token
from zongji.domain.roles import ADMIN_ROLES, CONSOLE_ROLES, STATS_ROLES
from zongji.services import auth, page_choices, users
from zongji.services import sla as sla_store
from zongji.store.db import transaction
from zongji.store.models import User, utcnow

WEB_DIR = Path(__file__).parent
STATIC_DIR = WEB_DIR / "static"
LOCALES = ("zh-CN", "en")
DEFAULT_LOCALE = "zh-CN"
LOCALE_COOKIE = "zongji_locale"

templates = Jinja2Templates(directory=str(WEB_DIR / "templates"))
router = APIRouter(include_in_schema=False)


def _json_in_html(value: Any) -> str:
    """``value`` as JSON to put inside a ``<script>`` element (no ``</script>`` can end it early)."""
    return json.dumps(value, ensure_ascii=False).replace("<", "\\u003c")


@lru_cache
def import_map() -> str:
    """The console's import map: every script module at one versioned address, so a new release
    is fetched afresh and a module imported by several scripts is one instance per page."""
    return _json_in_html({"imports": {f"/static/{p.name}": f"/static/{p.name}?v={__version__}"
                                      for p in sorted(STATIC_DIR.glob("*.js"))}})


@lru_cache
def i18n() -> dict[str, dict[str, str]]:
    """The UI dictionaries, one per language (static/i18n/<locale>.json)."""
    return {
        loc: json.loads((STATIC_DIR / "i18n" / f"{loc}.json").read_text(encoding="utf-8"))
        for loc in LOCALES
    }


def _user(request: Request) -> User | None:
    token = session_token(request)
    if not token:
        return None
    settings = request.app.state.settings
    with transaction(request.app.state.session_factory) as s:
        user = auth.user_for_session_token(s, token, hours=settings.session_hours)
        if user is not None:
            s.expunge(user)
        return user


def _locale(request: Request, user: User | None) -> str:
    if user is not None and user.locale in LOCALES:
        return user.locale
    cookie = request.cookies.get(LOCALE_COOKIE)
    return cookie if cookie in LOCALES else DEFAULT_LOCALE


def _page(request: Request, template: str, user: User | None, **extra: Any) -> HTMLResponse:
    settings = request.app.state.settings
    locale = _locale(request, user)
    config = {
        "locale": locale,
        "timezone": settings.timezone,
        "answer_ring_seconds": settings.answer_ring_seconds,
        "phrase_check_delay_ms": settings.phrase_check_delay_ms,
        "hold": {"checkin_seconds": settings.hold_checkin_seconds,
                 "callback_after_seconds": settings.hold_callback_after_seconds,
                 "silent_pause_seconds": settings.silent_caller_pause_seconds,
                 "silent_close_pause_seconds": settings.silent_caller_close_pause_seconds,
                 "no_hangup_pause_seconds": settings.no_hangup_ask_pause_seconds},
        "user": None if user is None else {
            "id": user.id, "username": user.username, "display_name": user.display_name,
            "role": user.role, "operator_number": user.operator_number,
        },
        **extra.pop("config", {}),
    }
    if user is not None and user.role in ADMIN_ROLES and "calendar_status" not in extra:
        extra["calendar_status"] = _calendar_status(request)
    context = {
        "locale": locale,
        "t": i18n()[locale],
        "i18n_zh": i18n()["zh-CN"],
        "i18n_en": i18n()["en"],
        "i18n_json": _json_in_html(i18n()),
        "config_json": _json_in_html(config),
        "import_map_json": import_map(),
        "version": __version__,
        "user": user,
        **extra,
    }
    response = templates.TemplateResponse(request, template, context)
    response.headers["Cache-Control"] = "no-store"
    return response


def _calendar_status(request: Request) -> dict[str, Any]:
    """Next year's holiday notice, for the reminder every admin and supervisor page carries
    (issue 8): computed here, in the site's time zone, not from the browser's clock."""
    settings = request.app.state.settings
    with transaction(request.app.state.session_factory) as s:
        return sla_store.calendar_status(s, settings.tz, utcnow(), settings.calendar_reminder_from)


def _to_login(request: Request) -> RedirectResponse:
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return RedirectResponse(f"/login?next={quote(target, safe='')}", status_code=303)


@router.get("/login", response_class=HTMLResponse)
def login_page(request: Request) -> Response:
    user = _user(request)
    if user is not None:
        # Already logged in (another tab, or a page that lost the race with the login answer):
        # go where the login was meant to lead, as the login form itself would.
        target = request.query_params.get("next") or "/"
        if not target.startswith("/") or target.startswith("//") or target.startswith("/login"):
            target = "/"
        return RedirectResponse(target, status_code=303)
    return _page(request, "login.html", None)


@router.get("/", response_class=HTMLResponse)
def console_page(request: Request) -> Response:
    user = _user(request)
    if user is None:
        return _to_login(request)
    if user.role == "unit_handler":
        return RedirectResponse("/unit", status_code=303)  # the units' portal (issue 4)
    if user.role not in CONSOLE_ROLES:
        return _page(request, "noaccess.html", user)
    return _page(request, "console.html", user)


@router.get("/calls", response_class=HTMLResponse)
def calls_page(request: Request) -> Response:
    user = _user(request)
    if user is None:
        return _to_login(request)
    if user.role not in CONSOLE_ROLES:
        return _page(request, "noaccess.html", user)
    with request.app.state.session_factory() as s:
        choices = page_choices.call_log_choices(s)
    return _page(request, "calls.html", user, config={**choices,
                                                      "may_review": user.role in STATS_ROLES})


class LocaleIn(BaseModel):
    locale: str = Field(pattern=r"^(zh-CN|en)$")


@router.post("/ui/locale", status_code=204)
def set_locale(body: LocaleIn, request: Request) -> Response:
    """Remember the console language: on the person (if logged in) and in a cookie."""
    token = session_token(request)
    if token:
        settings = request.app.state.settings
        with transaction(request.app.state.session_factory) as s:
            users.set_locale_of_session(s, token, body.locale, hours=settings.session_hours)
    response = Response(status_code=204)
    response.set_cookie(LOCALE_COOKIE, body.locale, max_age=365 * 86400, samesite="lax")
    return response


@router.get("/wakeups", response_class=HTMLResponse)
def wakeups_page(request: Request) -> Response:
    """The wake-up board: booking with read-back, the day's list live, manual call list."""
    user = _user(request)
    if user is None:
        return _to_login(request)
    if user.role == "unit_handler":
        # The guest-service centre's door tasks are on the units' portal (R-H9).
        return RedirectResponse("/unit", status_code=303)
    if user.role not in CONSOLE_ROLES:
        return _page(request, "noaccess.html", user)
    return _page(request, "wakeups.html", user)


def install(app: FastAPI) -> None:
    from zongji.web import work_order_pages  # work orders (issue 4)

    app.mount("/static", StaticFiles(directory=str(STATIC_DIR)), name="static")
    app.include_router(router)
    app.include_router(work_order_pages.router)
    from zongji.web import switchboard_pages  # handover log (issue 3)

    app.include_router(switchboard_pages.router)
    from zongji.web import room_board_pages  # room board (issues 3 and 5)

    app.include_router(room_board_pages.router)
    from zongji.web import line_pages  # published lines, faults, silence alerts (issue 3)

    app.include_router(line_pages.router)
    from zongji.web import stats_pages  # the live wallboard (issue 10)

    app.include_router(stats_pages.router)


__all__ = ["install", "i18n", "SESSION_COOKIE"]
