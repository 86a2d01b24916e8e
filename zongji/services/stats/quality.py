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
from zongji.domain.roles import STATS_ROLES
from zongji.errors import Forbidden, Invalid, NotFound
from zongji.services import audit, phrases
from zongji.services import scope as scope_service
from zongji.store.models import Call, User, utcnow
from zongji.store.stats_models import CallReview

COMMENT_MAX = 2000


def criteria_out() -> list[dict[str, Any]]:
    return [{"key": c.key, "label_zh": c.label_zh, "label_en": c.label_en, "points": c.points} for c in rules.CRITERIA]


def _out(r: CallReview, tz) -> dict[str, Any]:
    return {"call_id": r.call_id, "operator_id": r.operator_id, "scores": r.scores, "fatal": r.fatal,
            "total": r.total, "comment": r.comment, "reviewed_by": r.reviewed_by,
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
    return {"call_id": call_id, "criteria": criteria_out(), "review": None if row is None else _out(row, tz),
            "phrase_hits": phrases.call_hits(session, call_id)}


def review(session: Session, viewer: User, call_id: int, *, scores: dict[str, int], fatal: bool, comment: str,
           tz) -> dict[str, Any]:
    if str(viewer.role) not in STATS_ROLES:
        raise Forbidden("only a shift leader, supervisor or admin reviews calls")
    call = _call_in_scope(session, viewer, call_id)
    if call.answered_at is None:
        raise Invalid("only an answered call is reviewed", field="call_id")
    if call.answered_by_id == viewer.id:
        raise Forbidden("nobody reviews a call they answered", field="call_id")
    try:
        total = rules.total(scores, fatal)
    except rules.ScoreError as exc:
        raise Invalid(str(exc), field=exc.field) from None
    comment = comment.strip()[:COMMENT_MAX]
    row = session.scalar(select(CallReview).where(CallReview.call_id == call_id))
    if row is None:
        row = CallReview(call_id=call_id, reviewed_by="", total=0, scores={}, call_at=call.ringing_at or call.answered_at)
        session.add(row)
    row.operator_id, row.scores, row.fatal, row.total, row.comment = call.answered_by_id, dict(scores), fatal, total, comment
    row.reviewed_by_id, row.reviewed_by, row.reviewed_at = viewer.id, viewer.display_name or viewer.username, utcnow()
    session.flush()
    audit.record(session, actor=f"user:{viewer.username}", user_id=viewer.id, action="review", entity="call",
                 entity_id=str(call_id), detail={"total": total, "fatal": fatal})
    return {"call_id": call_id, "criteria": criteria_out(), "review": _out(row, tz)}


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
    for r in session.execute(select(CallReview.operator_id, func.count(), func.avg(CallReview.total)).where(
            CallReview.operator_id.in_(operator_ids), CallReview.call_at >= start, CallReview.call_at < end)
            .group_by(CallReview.operator_id)):
        out[r[0]] = (int(r[1]), None if r[2] is None else round(float(r[2]), 1))
    return out


__all__ = ["criteria_out", "get_review", "operator_scores", "review", "totals_for"]
