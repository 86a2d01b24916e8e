"""Lines (issue 3, R-S1, R-S5): what the lines page shows of each line (its facts, greetings,
hours, responsible person and deputy, where a call would go now), editing a line and its
settings, and the inbound-only rule — checking an outbound call before it is placed, flagging one
the PBX reports anyway, and listing those calls."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import replace
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from zongji.domain import lines as line_rules
from zongji.domain import transfer as tr
from zongji.domain.caller_id import number_key
from zongji.domain.greeting import greeting_for
from zongji.domain.working_hours import WorkingHours, WorkingHoursError
from zongji.errors import Conflict, Invalid, NotFound
from zongji.services import audit, live_feed
from zongji.services.actors import actor, who
from zongji.services.calls import day_periods, line_info
from zongji.services.local_time import iso
from zongji.services.notifications import notify
from zongji.services.switchboard.hours import statutory_exceptions
from zongji.services.switchboard.line_config import line_by_code, line_config, settings_row
from zongji.services.switchboard.silence import ensure_silence_check
from zongji.settings import Settings
from zongji.store.models import Call, Line, Person, User, utcnow
from zongji.store.switchboard_models import LineFault, LineSettings


def _person_ref(p: Person | None) -> dict[str, Any] | None:
    if p is None:
        return None
    return {"id": p.id, "name": p.name, "title": p.title, "extension": p.extension, "mobile": p.mobile}


def line_greetings(session: Session, line: Line, at: dt.datetime, tz: ZoneInfo) -> dict[str, Any]:
    """The greeting the console shows for a call on this line now (external and internal caller),
    and the built-in one that applies when the line has no template of its own (R-H1, R-C1, R-S14,
    R-P10)."""
    info, periods, local = line_info(line), day_periods(session), at.astimezone(tz)
    assert info is not None
    plain = replace(info, greeting_zh=None, greeting_en=None, internal_greeting_zh=None)
    return {
        "now": greeting_for(info, local, periods=periods).to_dict(),
        "now_internal": greeting_for(info, local, internal=True, periods=periods).to_dict(),
        "default": greeting_for(plain, local, periods=periods).to_dict(),
        "default_internal": greeting_for(plain, local, internal=True, periods=periods).to_dict(),
    }


def line_out(session: Session, line: Line, settings: Settings, at: dt.datetime) -> dict[str, Any]:
    ls = settings_row(session, line)
    cfg = line_config(session, line, at)
    req = tr.TransferRequest(target=cfg.as_target(), caller=tr.Caller(), at=at, tz=settings.tz,
                             exceptions=statutory_exceptions(cfg.hours, at, settings.tz, session))
    route = tr.decide_transfer(req)
    open_faults = session.scalar(select(func.count()).select_from(LineFault).where(
        LineFault.line_id == line.id, LineFault.ended_at.is_(None))) or 0
    return {
        "code": line.code, "name": line.name, "kind": line.kind, "number": line.number,
        "inbound_only": line.inbound_only,
        "greeting_zh": line.greeting_zh, "greeting_en": line.greeting_en,
        "internal_greeting_zh": line.internal_greeting_zh,
        "greeting": line_greetings(session, line, at, settings.tz),
        "working_hours": ls.working_hours if ls else None,
        "hours_text": {"zh": cfg.hours.describe("zh"), "en": cfg.hours.describe("en")} if cfg.hours else None,
        "responsible": _person_ref(ls.responsible) if ls else None,
        "responsible_on_leave": bool(ls and ls.responsible_on_leave),
        "leave_until": iso(ls.leave_until, settings.tz) if ls else None,
        "deputy": _person_ref(ls.deputy) if ls else None,
        "after_hours": _person_ref(ls.after_hours) if ls else None,
        "silence_check": ls.silence_check if ls else True,
        "route_now": route.to_dict(),
        "open_faults": open_faults,
    }


def list_lines(session: Session, settings: Settings) -> list[dict[str, Any]]:
    now = utcnow()
    return [line_out(session, ln, settings, now) for ln in session.scalars(select(Line).order_by(Line.code))]


def get_line(session: Session, code: str, settings: Settings) -> dict[str, Any]:
    return line_out(session, line_by_code(session, code), settings, utcnow())


_GREETING_FIELDS = ("greeting_zh", "greeting_en", "internal_greeting_zh")
_PLACEHOLDER = re.compile(r"\{([^{}]*)\}")
_KNOWN_PLACEHOLDERS = {"greeting", "organisation", "line"}
_LINE_NUMBER = re.compile(r"^\+?[0-9][0-9 -]{1,38}$")


def _update_line_row(session: Session, line: Line, values: Mapping[str, Any]) -> None:
    """The published line's own facts: name, number, kind, inbound-only (R-S1), greetings."""
    if values.get("name") is not None:
        name = values["name"].replace("\x00", "").strip()
        if not name:
            raise Invalid("the line needs a name", field="name")
        line.name = name
    if values.get("number") is not None:
        number = values["number"].strip()
        if not _LINE_NUMBER.match(number):
            raise Invalid("a telephone number: digits, optionally + at the start, spaces or dashes", field="number")
        key = number_key(number)
        for other in session.scalars(select(Line).where(Line.id != line.id)):
            if number_key(other.number) == key:
                raise Conflict(f"line {other.code} already has the number {other.number}", field="number")
        line.number = number
    if values.get("kind") is not None:
        line.kind = line_rules.LineKind(values["kind"]).value
    if values.get("inbound_only") is not None:
        line.inbound_only = bool(values["inbound_only"])
    for key in _GREETING_FIELDS:
        if key not in values:
            continue
        text = (values[key] or "").replace("\x00", "").strip()
        unknown = [p for p in _PLACEHOLDER.findall(text) if p not in _KNOWN_PLACEHOLDERS]
        if unknown:
            raise Invalid(f"unknown placeholder {{{unknown[0]}}}; use {{greeting}}, {{organisation}} or {{line}}",
                          field=key)
        setattr(line, key, text or None)  # empty: the built-in greeting of the line's kind


def update_line_settings(session: Session, user: User, settings: Settings, code: str, values: Mapping[str, Any]) -> dict[str, Any]:
    line = line_by_code(session, code)
    _update_line_row(session, line, values)
    ls = settings_row(session, line)
    if ls is None:
        ls = LineSettings(line_id=line.id)
        session.add(ls)
    if "working_hours" in values:
        wh = values["working_hours"]
        if wh is not None:
            try:
                WorkingHours.parse(wh)
            except WorkingHoursError as exc:
                raise Invalid(exc.message, field=exc.field) from None
        ls.working_hours = wh
    for key in ("responsible_id", "deputy_id", "after_hours_id"):
        if key in values:
            pid = values[key]
            if pid is not None and session.get(Person, pid) is None:
                raise NotFound("no such person", field=key)
            setattr(ls, key, pid)
    if ls.deputy_id is not None and ls.deputy_id == ls.responsible_id:
        raise Invalid("the deputy must be someone other than the responsible person", field="deputy_id")
    for key in ("responsible_on_leave", "silence_check"):
        if key in values and values[key] is not None:
            setattr(ls, key, bool(values[key]))
    if "leave_until" in values:
        ls.leave_until = values["leave_until"]
    session.flush()
    session.expire(ls)
    audit.record(session, actor=actor(user), user_id=user.id, action="update", entity="line_settings",
                 entity_id=line.code, detail={k: (v if not isinstance(v, dt.datetime) else v.isoformat())
                                              for k, v in values.items()})
    ensure_silence_check(session, utcnow(), settings)
    return line_out(session, line, settings, utcnow())


def check_outbound(session: Session, code: str) -> dict[str, Any]:
    """R-S1: may an outbound call be placed on this line?"""
    line = line_by_code(session, code)
    reason = line_rules.check_outbound(inbound_only=line.inbound_only, line_name=line.name)
    if reason is not None:
        raise Conflict(reason.zh + " / " + reason.en, field="code", code="inbound_only")
    return {"allowed": True}


VIOLATION_DAYS = 30  # how far back the lines page lists outbound calls on inbound-only lines


def flag_outbound_on_inbound_only(session: Session, *, call_id: int, line_code: str, line_name: str,
                                  calling: str, called: str, at: dt.datetime, tz: ZoneInfo) -> None:
    """R-S1: the PBX reported an outbound call on an inbound-only line. The call is recorded (it
    happened); supervisors are told in the console (notification), and it is audited and pushed
    on the live feed (topic ``line_violation``) for the lines page."""
    reason = line_rules.check_outbound(inbound_only=True, line_name=line_name)
    assert reason is not None
    local = at.astimezone(tz)
    notify(session, kind="line_rule_violation", role="supervisor", external=False,
           subject=f"{line_name}有外呼（{called}），违反只接听规定",
           body=f"{local:%Y-%m-%d %H:%M} {calling} → {called}。{reason.zh}\n{reason.en}")
    audit.record(session, actor="system:cti", action="line_rule_violation", entity="call", entity_id=call_id,
                 detail={"line": line_code, "rule": "R-S1", "from": calling, "to": called})
    live_feed.publish(session, "line_violation", call_id,
                      {"call_id": call_id, "line": {"code": line_code, "name": line_name},
                       "called_number": called, "at": iso(at, tz)})


def list_violations(session: Session, settings: Settings, *, days: int = VIOLATION_DAYS) -> list[dict[str, Any]]:
    """Outbound calls reported on lines that are inbound-only (R-S1), newest first."""
    since = utcnow() - dt.timedelta(days=days)
    stmt = (select(Call).join(Line, Line.id == Call.line_id)
            .where(Line.inbound_only.is_(True), Call.direction == "out", Call.supplementary.is_(False),
                   Call.ringing_at >= since)
            .order_by(Call.ringing_at.desc()).limit(200))
    out = []
    for c in session.scalars(stmt):
        out.append({"call_id": c.id, "at": iso(c.ringing_at, settings.tz),
                    "line": {"code": c.line.code, "name": c.line.name} if c.line else None,
                    "calling_number": c.calling_number, "called_number": c.called_number,
                    "answered_by": who(c.answered_by) if c.answered_by else None})
    return out
