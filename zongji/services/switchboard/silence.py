"""Line silence (issue 3, R-S3): a periodic check raises an alert for a line silent longer than
usual (once per silence); the operator answers it with a test call, and a failed one opens a
fault. Alerts are published on the live feed (topic ``alert``)."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from zongji.domain import lines as line_rules
from zongji.errors import Conflict, Invalid, NotFound
from zongji.services import audit, live_feed
from zongji.services.actors import actor, who
from zongji.services.local_time import iso
from zongji.services.switchboard.hours import working_hours
from zongji.services.switchboard.line_faults import open_fault
from zongji.settings import Settings
from zongji.store import jobs
from zongji.store.models import Call, User, utcnow
from zongji.store.switchboard_models import LineSettings, SilenceAlert

SILENCE_JOB = "switchboard.silence_check"


def alert_out(a: SilenceAlert, tz: ZoneInfo) -> dict[str, Any]:
    mins = int(a.silent_minutes)
    return {"id": a.id, "line": {"code": a.line.code, "name": a.line.name}, "silent_since": iso(a.silent_since, tz),
            "raised_at": iso(a.raised_at, tz), "silent_minutes": mins,
            "threshold_minutes": round(a.threshold_minutes, 1),
            "usual_minutes": round(a.usual_minutes, 1) if a.usual_minutes is not None else None, "basis": a.basis,
            "message": {"zh": f"线路 {a.line.name} 已 {mins} 分钟没有来电，超过平常，请拨打测试电话。",
                        "en": f"Line {a.line.name} has had no calls for {mins} minutes, longer than usual: "
                              "make a test call."},
            "test_call_ok": a.test_call_ok, "test_call_at": iso(a.test_call_at, tz), "test_call_by": a.test_call_by,
            "fault_id": a.fault_id, "open": a.test_call_at is None}


def list_alerts(session: Session, settings: Settings, *, open_only: bool = True) -> list[dict[str, Any]]:
    stmt = select(SilenceAlert).order_by(SilenceAlert.raised_at.desc()).limit(100)
    if open_only:
        stmt = stmt.where(SilenceAlert.test_call_at.is_(None))
    return [alert_out(a, settings.tz) for a in session.scalars(stmt)]


def record_test_call(session: Session, user: User, settings: Settings, alert_id: int, *, ok: bool,
                     cause: str | None) -> dict[str, Any]:
    a = session.get(SilenceAlert, alert_id)
    if a is None:
        raise NotFound("no such alert", field="alert_id")
    if a.test_call_at is not None:
        raise Conflict("the test call was already recorded", field="alert_id")
    now = utcnow()
    a.test_call_ok, a.test_call_at, a.test_call_by = ok, now, who(user)
    if not ok:
        if not (cause or "").strip():
            raise Invalid("say what is wrong with the line", field="cause")
        fault = open_fault(session, user, settings, a.line.code, cause=cause, started_at=a.silent_since,
                           reported_to=None)
        a.fault_id = fault["id"]
    audit.record(session, actor=actor(user), user_id=user.id, action="test_call", entity="silence_alert",
                 entity_id=a.id, detail={"ok": ok, "cause": cause})
    session.flush()
    out = alert_out(a, settings.tz)
    live_feed.publish(session, "alert", a.id, out)
    return out


def silence_policy(settings: Settings) -> line_rules.SilencePolicy:
    return line_rules.SilencePolicy(minimum_minutes=settings.line_silence_minimum_minutes,
                                    factor=settings.line_silence_factor)


# A few more of the largest gaps than the quantile needs are read: on SQLite their order in SQL
# is by julianday (sub-millisecond rounding); Python then orders them exactly.
_ORDER_MARGIN = 50


def _gap_rows(line_id: int, since: dt.datetime, now: dt.datetime):
    """Each inbound call of the line in [since, now] (``a``) with the next one (``b``), in SQL."""
    window = (select(Call.ringing_at.label("a"),
                     func.lead(Call.ringing_at, type_=Call.ringing_at.type).over(order_by=Call.ringing_at).label("b"))
              .where(Call.line_id == line_id, Call.direction == "in", Call.ringing_at >= since,
                     Call.ringing_at <= now)
              .subquery())
    return window


def _minutes(a: dt.datetime, b: dt.datetime) -> float:
    return (b - a).total_seconds() / 60


def _overall_gap(session: Session, line_id: int, since: dt.datetime, now: dt.datetime,
                 policy: line_rules.SilencePolicy) -> float | None:
    """The ``policy.quantile`` of every positive gap of the window, without reading them all."""
    g = _gap_rows(line_id, since, now)
    positive = and_(g.c.b.is_not(None), g.c.b > g.c.a)
    n = int(session.scalar(select(func.count()).select_from(g).where(positive)) or 0)
    if n == 0:
        return None
    lo, hi = line_rules.quantile_positions(n, policy.quantile)
    if session.get_bind().dialect.name == "sqlite":
        gap = func.julianday(g.c.b) - func.julianday(g.c.a)
    else:
        gap = g.c.b - g.c.a
    top = n - lo  # positions lo … n-1, the largest gaps
    rows = session.execute(select(g.c.a, g.c.b).where(positive).order_by(gap.desc())
                           .limit(min(n, top + _ORDER_MARGIN))).all()
    largest = sorted((_minutes(r.a, r.b) for r in rows), reverse=True)
    # Ascending position p is descending position n-1-p.
    vlo, vhi = largest[n - 1 - lo], largest[n - 1 - hi]
    return vlo + (vhi - vlo) * ((n - 1) * policy.quantile - lo)


def line_silence(session: Session, line_id: int, line_code: str, now: dt.datetime, settings: Settings,
                 policy: line_rules.SilencePolicy, hours) -> line_rules.SilenceAlert | None:
    """R-S3 for one line, computed in SQL: the last call, then only when the line has been silent
    longer than the policy's minimum, the gaps of the last call's hour of the week (and the
    quantile of all gaps when that hour has too few). The same answer as learning the usual gaps
    from every call of the window (``line_rules.usual_gaps``), without loading them."""
    since = now - dt.timedelta(days=policy.history_days)
    in_window = (Call.line_id == line_id, Call.direction == "in", Call.ringing_at >= since, Call.ringing_at <= now)
    last = session.scalar(select(func.max(Call.ringing_at)).where(*in_window))
    empty = line_rules.UsualGaps(by_hour={}, overall=None, samples={})
    quiet = line_rules.check_silence(line_code=line_code, last_call_at=last, now=now, tz=settings.tz, usual=empty,
                                     policy=policy, hours=hours)
    if quiet is None:
        return None  # no call, closed, or silent no longer than the minimum: no usual gap can alert
    how = line_rules.hour_of_week(last, settings.tz)
    g = _gap_rows(line_id, since, now)
    spans = line_rules.hour_of_week_spans(how, since, now, settings.tz)
    hour_gaps = [_minutes(r.a, r.b) for r in session.execute(
        select(g.c.a, g.c.b).where(g.c.b.is_not(None), or_(*(and_(g.c.a >= a, g.c.a < b) for a, b in spans))))
        ] if spans else []
    usual = line_rules.usual_for_hour(how, hour_gaps, None, policy)
    if usual.samples.get(how, 0) < policy.min_samples:
        usual = line_rules.usual_for_hour(how, hour_gaps, _overall_gap(session, line_id, since, now, policy),
                                          policy)
    return line_rules.check_silence(line_code=line_code, last_call_at=last, now=now, tz=settings.tz, usual=usual,
                                    policy=policy, hours=hours)


def check_line_silence(session: Session, now: dt.datetime, settings: Settings) -> list[int]:
    """R-S3: raise an alert for each checked line silent longer than usual (once per silence)."""
    policy = silence_policy(settings)
    raised: list[int] = []
    for ls in session.scalars(select(LineSettings).where(LineSettings.silence_check.is_(True))):
        line = ls.line
        alert = line_silence(session, line.id, line.code, now, settings, policy, working_hours(ls.working_hours))
        if alert is None:
            continue
        exists = session.scalar(select(SilenceAlert.id).where(SilenceAlert.line_id == line.id,
                                                              SilenceAlert.silent_since == alert.silent_since))
        if exists:
            continue
        row = SilenceAlert(line_id=line.id, silent_since=alert.silent_since, raised_at=now,
                           silent_minutes=alert.silent_minutes, threshold_minutes=alert.threshold_minutes,
                           usual_minutes=alert.usual_minutes, basis=alert.basis)
        session.add(row)
        session.flush()
        audit.record(session, actor="system", action="create", entity="silence_alert", entity_id=row.id,
                     detail={"line": line.code, "silent_minutes": int(alert.silent_minutes)})
        live_feed.publish(session, "alert", row.id, alert_out(row, settings.tz))
        raised.append(row.id)
    return raised


def ensure_silence_check(session: Session, now: dt.datetime, settings: Settings) -> None:
    """Keep one pending periodic silence check scheduled (idempotent per period)."""
    period = dt.timedelta(minutes=max(1, settings.line_silence_check_minutes))
    slot = dt.datetime.fromtimestamp((now.timestamp() // period.total_seconds() + 1) * period.total_seconds(), dt.UTC)
    jobs.schedule(session, SILENCE_JOB, f"silence-check:{slot.isoformat()}", slot, {})
