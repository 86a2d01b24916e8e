"""What every page shell shares: the page's frame, its config and dictionaries, who is logged in.

A page shell (``pages.py`` and one ``<area>_pages.py`` per area) checks the user and renders its
template with ``render``: the page's config and both UI dictionaries go into the page as JSON data
(read by ``static/config.js``), the scripts through one import map (``import_map``). All UI strings
live in one dictionary per language (``static/i18n/<locale>.json``). Sessions come from the shared
dependencies (``zongji.api.deps``); the data a page shows comes from services.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import quote

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from zongji import __version__
from zongji.api.deps import optional_user, unit_of_work
from zongji.domain.roles import ADMIN_ROLES, Role
from zongji.services import sla as sla_store
from zongji.services.guestsvc import centre as guestsvc_centre
from zongji.store.models import User, utcnow

WEB_DIR = Path(__file__).parent
STATIC_DIR = WEB_DIR / "static"
LOCALES = ("zh-CN", "en")
DEFAULT_LOCALE = "zh-CN"
LOCALE_COOKIE = "zongji_locale"
templates = Jinja2Templates(directory=str(WEB_DIR / "templates"))


def json_in_html(value: Any) -> str:
    """``value`` as JSON to put inside a ``<script>`` element (no ``</script>`` can end it early)."""
    return json.dumps(value, ensure_ascii=False).replace("<", "\\u003c")


@lru_cache
def import_map() -> str:
    """The console's import map: every script module at one versioned address, so a new release
    is fetched afresh and a module imported by several scripts is one instance per page."""
    return json_in_html({"imports": {f"/static/{p.name}": f"/static/{p.name}?v={__version__}"
                                     for p in sorted(STATIC_DIR.glob("*.js"))}})


@lru_cache
def i18n() -> dict[str, dict[str, str]]:
    """The UI dictionaries, one per language (static/i18n/<locale>.json)."""
    return {
        loc: json.loads((STATIC_DIR / "i18n" / f"{loc}.json").read_text(encoding="utf-8"))
        for loc in LOCALES
    }


def user(request: Request) -> User | None:
    """The logged-in user, or None (the page then sends them to the login page)."""
    return optional_user(request)


def locale(request: Request, user: User | None) -> str:
    if user is not None and user.locale in LOCALES:
        return user.locale
    cookie = request.cookies.get(LOCALE_COOKIE)
    return cookie if cookie in LOCALES else DEFAULT_LOCALE


def render(request: Request, template: str, user: User | None, **extra: Any) -> HTMLResponse:
    """The page ``template`` for ``user``; ``config=`` adds to the page's config, other keywords go
    to the template."""
    settings = request.app.state.settings
    loc = locale(request, user)
    config = {
        "locale": loc,
        "timezone": settings.timezone,
        "answer_ring_seconds": settings.answer_ring_seconds,
        "phrase_check_delay_ms": settings.phrase_check_delay_ms,  # static/phrase_check.js
        "user": None if user is None else {
            "id": user.id, "username": user.username, "display_name": user.display_name,
            "role": user.role, "operator_number": user.operator_number,
        },
        **extra.pop("config", {}),
    }
    if user is not None and "guestsvc_nav" not in extra:
        extra["guestsvc_nav"] = guestsvc_nav(request, user)
    if user is not None and user.role in ADMIN_ROLES and "calendar_status" not in extra:
        extra["calendar_status"] = calendar_status(request)
    context = {
        "locale": loc,
        "t": i18n()[loc],
        "i18n_zh": i18n()["zh-CN"],
        "i18n_en": i18n()["en"],
        "i18n_json": json_in_html(i18n()),
        "config_json": json_in_html(config),
        "import_map_json": import_map(),
        "version": __version__,
        "user": user,
        **extra,
    }
    response = templates.TemplateResponse(request, template, context)
    response.headers["Cache-Control"] = "no-store"
    return response


def guestsvc_nav(request: Request, user: User) -> bool:
    """Whether the menu shows the guest-service centre (issue 13): its staff and the roles that
    see rooms."""
    if user.role != "unit_handler":
        return user.role in ("shift_leader", "supervisor", "admin")
    with unit_of_work(request) as s:
        return guestsvc_centre.may_run_centre(s, user, request.app.state.settings)


def calendar_status(request: Request) -> dict[str, Any]:
    """Next year's holiday notice, for the reminder every admin and supervisor page carries
    (issue 8): computed here, in the site's time zone, not from the browser's clock."""
    settings = request.app.state.settings
    with unit_of_work(request) as s:
        return sla_store.calendar_status(s, settings.tz, utcnow(), settings.calendar_reminder_from)


def to_login(request: Request) -> RedirectResponse:
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return RedirectResponse(f"/login?next={quote(target, safe='')}", status_code=303)


def gate(request: Request, roles) -> tuple[User | None, Response | None]:
    """The user of a page for ``roles``, or the answer instead of it: the login page when nobody
    is logged in, a unit handler's own page (``/unit``), "no access" for any other role."""
    current = user(request)
    if current is None:
        return None, to_login(request)
    if current.role not in roles:
        if current.role == Role.UNIT_HANDLER:
            return None, RedirectResponse("/unit", status_code=303)
        return None, render(request, "noaccess.html", current)
    return current, None
