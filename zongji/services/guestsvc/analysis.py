"""Analysis of the guest-service centre's work (R-G3, R-G6): per week or month, what guests ask
for, which items are borrowed most, which equipment guests call engineering about, the calls
internal staff make to the switchboard and their categories, and how the centre did against its
targets (answered within the target time, R-G6 10 minutes; satisfied at follow-up, R-G6 85 % →
92 %), with the weeks or months before for the trend. Read-only; counts in SQL."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from zongji.domain import time_range
from zongji.domain.calls import category_label
from zongji.errors import Invalid
from zongji.settings import Settings
from zongji.store.guestsvc_models import GsRequest
from zongji.store.models import Call

PERIODS = ("week", "month")
TREND = 8  # periods shown in the trend, the chosen one last
TOP = 10


def _period_start(day: dt.date, period: str) -> dt.date:
    return day - dt.timedelta(days=day.weekday()) if period == "week" else day.replace(day=1)


def _next(start: dt.date, period: str) -> dt.date:
    if period == "week":
        return start + dt.timedelta(days=7)
    return (start.replace(day=28) + dt.timedelta(days=4)).replace(day=1)


def _previous(start: dt.date, period: str) -> dt.date:
    if period == "week":
        return start - dt.timedelta(days=7)
    return (start - dt.timedelta(days=1)).replace(day=1)


def _utc(day: dt.date, settings: Settings) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(0), tzinfo=settings.tz).astimezone(dt.UTC)


def _top(session: Session, start: dt.datetime, end: dt.datetime, *conds: Any) -> list[dict[str, Any]]:
    rows = session.execute(
        select(GsRequest.item_name, func.count(), func.coalesce(func.sum(GsRequest.quantity), 0))
        .where(GsRequest.created_at >= start, GsRequest.created_at < end, *conds)
        .group_by(GsRequest.item_name).order_by(func.count().desc(), GsRequest.item_name).limit(TOP)).all()
    return [{"item": name, "requests": int(n), "quantity": int(q)} for name, n, q in rows]


def _targets(session: Session, start: dt.datetime, end: dt.datetime) -> dict[str, int]:
    """Requests, those accepted within their target, those followed up and those satisfied."""
    # The target is per request: compared here rather than in SQL, the same on both databases.
    rows = session.execute(select(GsRequest.created_at, GsRequest.accepted_at, GsRequest.target_minutes,
                                  GsRequest.follow_up_result)
                           .where(GsRequest.created_at >= start, GsRequest.created_at < end)).all()
    out = {"requests": len(rows), "accepted": 0, "in_time": 0, "followed_up": 0, "satisfied": 0}
    for created, accepted, target, result in rows:
        if accepted is not None:
            out["accepted"] += 1
            if (accepted - created).total_seconds() <= target * 60:
                out["in_time"] += 1
        if result in ("satisfied", "not_satisfied"):
            out["followed_up"] += 1
            out["satisfied"] += result == "satisfied"
    return out


def _staff_calls(session: Session, start: dt.datetime, end: dt.datetime) -> list[dict[str, Any]]:
    rows = session.execute(
        select(Call.category, func.count())
        .where(Call.ringing_at >= start, Call.ringing_at < end, Call.caller_kind == "staff",
               Call.direction.in_(("in", "internal")))
        .group_by(Call.category).order_by(func.count().desc(), Call.category).limit(TOP)).all()
    out = []
    for cat, n in rows:
        label = category_label(cat)
        out.append({"category": cat or None, "label_zh": label.zh if label else cat, "label_en": label.en if label else cat,
                    "calls": int(n)})
    return out


def report(session: Session, settings: Settings, *, period: str, day: dt.date) -> dict[str, Any]:
    """The analysis of the week (Monday to Sunday) or month holding ``day``."""
    if period not in PERIODS:
        raise Invalid("period is week or month", field="period")
    if not time_range.in_range(day) or day.year in (time_range.FIRST_YEAR, time_range.LAST_YEAR):
        raise Invalid(time_range.out_of_range_message("day"), field="day")
    first = _period_start(day, period)
    start, end = _utc(first, settings), _utc(_next(first, period), settings)
    trend_starts = [first]
    for _ in range(TREND - 1):
        trend_starts.insert(0, _previous(trend_starts[0], period))
    trend_from = _utc(trend_starts[0], settings)
    bucket_rows = session.execute(
        select(GsRequest.created_at, GsRequest.team).where(GsRequest.created_at >= trend_from,
                                                            GsRequest.created_at < end)).all()
    counts = {s: 0 for s in trend_starts}
    for created, _team in bucket_rows:
        local = _period_start(created.astimezone(settings.tz).date(), period)
        if local in counts:
            counts[local] += 1
    by_team = session.execute(
        select(GsRequest.team, func.count()).where(GsRequest.created_at >= start, GsRequest.created_at < end)
        .group_by(GsRequest.team).order_by(func.count().desc())).all()
    targets = _targets(session, start, end)
    return {
        "period": period, "from": first.isoformat(), "to": (_next(first, period) - dt.timedelta(days=1)).isoformat(),
        "asked": _top(session, start, end),
        "borrowed": _top(session, start, end, GsRequest.kind == "loan"),
        "equipment": _top(session, start, end, GsRequest.team == "engineering"),
        "teams": [{"team": t, "requests": int(n)} for t, n in by_team],
        "staff_calls": _staff_calls(session, start, end),
        "targets": targets,
        "in_time_share": round(targets["in_time"] / targets["accepted"], 3) if targets["accepted"] else None,
        "satisfied_share": round(targets["satisfied"] / targets["followed_up"], 3) if targets["followed_up"] else None,
        "trend": [{"from": s.isoformat(), "requests": counts[s]} for s in trend_starts],
    }
