"""Call quality review (质检; issue 10, point 4): shift leaders, supervisors and admins score
answered calls on the domain's criteria; the operator who answered sees their score and the
comment; the evaluation shows each operator's mean.

A review is audited and replaces the call's previous one. A reviewer sees the calls of the lines
they work for; nobody reviews a call they answered themselves.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Iterable

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from zongji.domain import quality as rules
from zongji.domain.roles import ADMIN_ROLES, STATS_ROLES
from zongji.errors import Forbidden, Invalid, NotFound
from zongji.services import audit, phrases
from zongji.services import scope as scope_service
from zongji.store.models import Call, User, utcnow
from zongji.store.quality_models import EvaluationItem
from zongji.store.stats_models import CallReview

COMMENT_MAX = 2000


def items(session: Session) -> list[rules.Criterion]:
    """Every evaluation item in order (the supervisor's list, else the domain's defaults)."""
    rows = session.scalars(select(EvaluationItem).order_by(EvaluationItem.order, EvaluationItem.key)).all()
    if not rows:
        return list(rules.CRITERIA)
    return [rules.Criterion(r.key, r.label_zh, r.label_en, r.points, r.order, r.active) for r in rows]


def active_items(session: Session) -> list[rules.Criterion]:
    return [c for c in items(session) if c.active]


def criteria_out(session: Session) -> list[dict[str, Any]]:
    return [c.out() for c in active_items(session)]


def items_out(session: Session) -> dict[str, Any]:
    every = items(session)
    return {"items": [c.out() for c in every], "max_points": rules.max_points(c for c in every if c.active)}


def save_items(session: Session, viewer: User, new: list[dict[str, Any]]) -> dict[str, Any]:
    """Replace the item list (supervisor, admin). Old reviews keep the items they were scored on."""
    if str(viewer.role) not in ADMIN_ROLES:
        raise Forbidden("only a supervisor or admin edits the evaluation items")
    try:
        checked = rules.check_items(rules.Criterion(
            key=d["key"], label_zh=d["label_zh"], label_en=d.get("label_en", ""), points=d["points"],
            order=d.get("order", i + 1), active=d.get("active", True)) for i, d in enumerate(new))
    except rules.ScoreError as exc:
        raise Invalid(str(exc), field=exc.field) from None
    existing = {r.key: r for r in session.scalars(select(EvaluationItem))}
    for c in checked:
        row = existing.pop(c.key, None)
        if row is None:
            row = EvaluationItem(key=c.key)
            session.add(row)
        row.label_zh, row.label_en, row.points, row.order, row.active = c.label_zh, c.label_en, c.points, c.order, c.active
        row.updated_at = utcnow()
    for row in existing.values():
        session.delete(row)
    session.flush()
    audit.record(session, actor=f"user:{viewer.username}", user_id=viewer.id, action="update",
                 entity="evaluation_items", entity_id="all",
                 detail={"items": [{"key": c.key, "points": c.points, "active": c.active} for c in checked]})
    return items_out(session)


def _review_items(r: CallReview) -> list[dict[str, Any]]:
    return list(r.items) if r.items else [c.out() for c in rules.LEGACY_CRITERIA]


def _out(r: CallReview, tz) -> dict[str, Any]:
    return {"call_id": r.call_id, "operator_id": r.operator_id, "scores": r.scores, "fatal": r.fatal,
            "total": r.total, "max_points": r.max_points, "items": _review_items(r),
            "item_comments": r.item_comments or {}, "comment": r.comment, "reviewed_by": r.reviewed_by,
            "reviewed_at": r.reviewed_at.astimezone(tz).isoformat()}


def _call_in_scope(session: Session, viewer: User, call_id: int) -> Call:
    call = session.get(Call, call_id)
    if call is None:
        raise NotFound("no such call", field="call_id")
    scope = scope_service.scope_of(session, viewer)
    if scope is not None and scope.line_filter is not None and call.line_id is not None \
            and call.line_id not in scope.line_filter:
        raise NotFound("no such call", field="call_id")
    return call


def get_review(session: Session, viewer: User, call_id: int, tz) -> dict[str, Any]:
    """The call's review with the criteria: for reviewers, and for the operator who answered it."""
    call = _call_in_scope(session, viewer, call_id)
    if str(viewer.role) not in STATS_ROLES and call.answered_by_id != viewer.id:
        raise NotFound("no such call", field="call_id")
    row = session.scalar(select(CallReview).where(CallReview.call_id == call_id))
    return {"call_id": call_id, "criteria": criteria_out(session),
            "max_points": rules.max_points(active_items(session)),
            "review": None if row is None else _out(row, tz),
            "phrase_hits": phrases.call_hits(session, call_id)}


def review(session: Session, viewer: User, call_id: int, *, scores: dict[str, int], fatal: bool, comment: str,
           tz, item_comments: dict[str, str] | None = None) -> dict[str, Any]:
    if str(viewer.role) not in STATS_ROLES:
        raise Forbidden("only a shift leader, supervisor or admin reviews calls")
    call = _call_in_scope(session, viewer, call_id)
    if call.answered_at is None:
        raise Invalid("only an answered call is reviewed", field="call_id")
    if call.answered_by_id == viewer.id:
        raise Forbidden("nobody reviews a call they answered", field="call_id")
    scored_on = active_items(session)
    try:
        total = rules.total(scores, fatal, scored_on)
    except rules.ScoreError as exc:
        raise Invalid(str(exc), field=exc.field) from None
    keys = {c.key for c in scored_on}
    notes = {}
    for k, v in (item_comments or {}).items():
        if k not in keys:
            raise Invalid(f"no criterion {k!r}", field="item_comments")
        if v.strip():
            notes[k] = v.strip()[:rules.ITEM_COMMENT_MAX]
    comment = comment.strip()[:COMMENT_MAX]
    row = session.scalar(select(CallReview).where(CallReview.call_id == call_id))
    if row is None:
        row = CallReview(call_id=call_id, reviewed_by="", total=0, scores={}, call_at=call.ringing_at or call.answered_at)
        session.add(row)
    row.operator_id, row.scores, row.fatal, row.total, row.comment = call.answered_by_id, dict(scores), fatal, total, comment
    row.items, row.max_points, row.item_comments = [c.out() for c in scored_on], rules.max_points(scored_on), notes
    row.reviewed_by_id, row.reviewed_by, row.reviewed_at = viewer.id, viewer.display_name or viewer.username, utcnow()
    session.flush()
    audit.record(session, actor=f"user:{viewer.username}", user_id=viewer.id, action="review", entity="call",
                 entity_id=str(call_id), detail={"total": total, "max_points": row.max_points, "fatal": fatal})
    return {"call_id": call_id, "criteria": criteria_out(session), "max_points": row.max_points,
            "review": _out(row, tz)}


def my_reviews(session: Session, viewer: User, tz, limit: int = 100) -> dict[str, Any]:
    """The reviews of the calls the viewer answered, newest first (我的质检), with their mean."""
    rows = session.scalars(select(CallReview).where(CallReview.operator_id == viewer.id)
                           .order_by(CallReview.call_at.desc(), CallReview.id.desc()).limit(limit)).all()
    scaled = [rules.percent(r.total, r.max_points) for r in rows]
    mean = rules.mean_score(scaled)
    return {"reviews": [_out(r, tz) | {"call_at": r.call_at.astimezone(tz).isoformat()} for r in rows],
            "mean_score": None if mean is None else round(mean, 1)}


def totals_for(session: Session, viewer: User, call_ids: Iterable[int]) -> dict[int, int]:
    """The scores of those calls the viewer may see: reviewers all, an operator their own."""
    q = select(CallReview.call_id, CallReview.total).where(CallReview.call_id.in_(sorted(set(call_ids))))
    if str(viewer.role) not in STATS_ROLES:
        q = q.where(CallReview.operator_id == viewer.id)
    return {r.call_id: r.total for r in session.execute(q)}


def operator_scores(session: Session, operator_ids: list[int], start: dt.datetime,
                    end: dt.datetime) -> dict[int, tuple[int, float | None]]:
    """(calls reviewed, mean score) per operator, of their calls that rang in ``[start, end)``."""
    out = {}
    scaled = CallReview.total * 100.0 / func.nullif(CallReview.max_points, 0)
    for r in session.execute(select(CallReview.operator_id, func.count(), func.avg(scaled)).where(
            CallReview.operator_id.in_(operator_ids), CallReview.call_at >= start, CallReview.call_at < end)
            .group_by(CallReview.operator_id)):
        out[r[0]] = (int(r[1]), None if r[2] is None else round(float(r[2]), 1))
    return out


__all__ = ["active_items", "criteria_out", "get_review", "items", "items_out", "my_reviews", "operator_scores",
           "review", "save_items", "totals_for"]
