"""Operator evaluation (issue 10, point 4; R-C4 answer rate, transfers, message completeness,
attitude; R-O5): per operator and range of days, what they did and how it went, with the
comment of whoever evaluated them.

- calls answered, their average handle time (talk and after-call work) and transfer rate;
- messages taken, the share complete (caller's name and number, content, read back) and the
  share delivered on time;
- work orders created, callbacks done, and the satisfaction of the callbacks of the orders they
  created (the domain's satisfaction rate);
- the calls reviewed for quality and their mean score (services/stats/quality.py);
- the minutes they were away from the phones (示忙).

An operator sees their own row; a shift leader the operators of their lines; supervisors and admins everyone.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from zongji.domain.roles import Role
from zongji.domain.stats import kpi
from zongji.errors import Forbidden, Invalid, NotFound
from zongji.services import audit, holds, phrases, presence
from zongji.services import scope as scope_service
from zongji.services.stats import aggregates, order_aggregates
from zongji.services.stats import messages as message_stats
from zongji.services.stats import quality
from zongji.services.stats.policy import policy_from
from zongji.services.stats.reports import check_range
from zongji.settings import Settings
from zongji.store.models import User, UserLine, utcnow
from zongji.store.stats_models import OperatorReview
from zongji.store.work_order_models import WorkOrder, WorkOrderEvent

OPERATOR_ROLES = (Role.OPERATOR, Role.SHIFT_LEADER)
COMMENT_MAX = 2000
COLUMNS = (
    ("calls_answered", "接听量", "Calls answered", "count"),
    ("aht", "平均处理时长", "Average handle time", "seconds"),
    ("transfers", "转接量", "Transfers", "count"),
    ("transfer_rate", "转接率", "Transfer rate", "rate"),
    ("messages_taken", "留言量", "Messages taken", "count"),
    ("message_completeness", "留言完整率", "Message completeness", "rate"),
    ("messages_delivered_on_time", "留言及时转达率", "Delivered on time", "rate"),
    ("orders_created", "新建工单", "Orders created", "count"),
    ("callbacks_done", "回访量", "Callbacks done", "count"),
    ("away_minutes", "示忙时长（分钟）", "Away (minutes)", "minutes"),
    ("calls_reviewed", "质检通话", "Calls reviewed", "count"),
    ("quality_score", "质检平均分", "Quality score", "points"),
    ("forbidden_phrases", "服务禁语", "Forbidden phrases", "count"),
    ("holds", "等待次数", "Holds", "count"),
    ("hold_seconds", "等待时长（秒）", "On hold (seconds)", "seconds"),
    ("satisfaction_rate", "满意率", "Satisfaction rate", "rate"),
)


def _visible_operators(session: Session, viewer: User) -> list[User]:
    users = list(session.scalars(select(User).where(User.role.in_([str(r) for r in OPERATOR_ROLES]))
                                 .order_by(User.operator_number, User.username)))
    role = str(viewer.role)
    if role == Role.OPERATOR:
        return [u for u in users if u.id == viewer.id]
    if role == Role.SHIFT_LEADER:
        scope = scope_service.scope_of(session, viewer)
        lf = None if scope is None else scope.line_filter
        if lf is not None:
            assigned: dict[int, set[int]] = defaultdict(set)
            for user_id, line_id in session.execute(select(UserLine.user_id, UserLine.line_id)):
                assigned[user_id].add(line_id)
            users = [u for u in users if u.id == viewer.id or not assigned[u.id] or assigned[u.id] & lf]
    return users


def evaluation(session: Session, viewer: User, settings: Settings, *, date_from: dt.date,
               date_to: dt.date) -> dict[str, Any]:
    check_range(date_from, date_to)
    if str(viewer.role) not in {str(r) for r in (*OPERATOR_ROLES, Role.SUPERVISOR, Role.ADMIN)}:
        raise Forbidden("only the console may read operators' evaluations")
    tz = settings.tz
    policy = policy_from(settings)
    start = dt.datetime.combine(date_from, dt.time(0), tzinfo=tz)
    end = dt.datetime.combine(date_to + dt.timedelta(days=1), dt.time(0), tzinfo=tz)
    operators = _visible_operators(session, viewer)
    ids = [u.id for u in operators]
    calls = {int(value): c for (value,), c in aggregates.read(
        session, settings, start=start, end=end, dim="op", values=[str(i) for i in ids], by=("value",)).items()}
    taken = {u: kpi.count_messages(fs, message_stats.within(settings))
             for u, fs in message_stats.facts_by_taker(session, start, end, taken_by=ids).items()}
    created: dict[int, list[int]] = defaultdict(list)
    for o in session.execute(select(WorkOrder.created_by_id, WorkOrder.id).where(
            WorkOrder.created_at >= start, WorkOrder.created_at < end, WorkOrder.created_by_id.in_(ids))):
        created[o.created_by_id].append(o.id)
    callbacks: dict[int, int] = defaultdict(int)
    for e in session.execute(select(WorkOrderEvent.actor_id).where(
            WorkOrderEvent.action == "record_callback", WorkOrderEvent.at >= start, WorkOrderEvent.at < end,
            WorkOrderEvent.actor_id.in_(ids))):
        callbacks[e.actor_id] += 1
    order_ids = [i for v in created.values() for i in v]
    last_survey = order_aggregates.last_outcomes(session, order_ids)
    away = presence.away_seconds(session, ids, start, end)
    reviewed = quality.operator_scores(session, ids, start, end)
    phrase_hits = phrases.hit_counts(session, start, end)
    on_hold = holds.operator_figures(session, start, end)
    reviews = {r.user_id: r for r in session.scalars(select(OperatorReview).where(
        OperatorReview.period_from == date_from, OperatorReview.period_to == date_to,
        OperatorReview.user_id.in_(ids)))}

    rows = []
    for u in operators:
        c = calls.get(u.id, kpi.CallCounts())
        outcomes = [last_survey[i] for i in created[u.id] if i in last_survey]
        oc = kpi.OrderCounts(surveyed=sum(x in ("satisfied", "basically_satisfied", "dissatisfied") for x in outcomes),
                             satisfied=outcomes.count("satisfied"),
                             basically_satisfied=outcomes.count("basically_satisfied"))
        mc = taken.get(u.id, kpi.MessageCounts())
        review = reviews.get(u.id)
        rows.append({
            "user_id": u.id, "operator_number": u.operator_number, "name": u.display_name or u.username,
            "role": str(u.role),
            "figures": {
                "calls_answered": c.answered, "aht": kpi.average_handle_time(c), "transfers": c.transferred,
                "transfer_rate": kpi.transfer_rate(c), **message_stats.figures(mc),
                "orders_created": len(created[u.id]),
                "callbacks_done": callbacks[u.id], "away_minutes": round(away.get(u.id, 0.0) / 60, 1),
                "calls_reviewed": reviewed.get(u.id, (0, None))[0], "quality_score": reviewed.get(u.id, (0, None))[1],
                "forbidden_phrases": phrase_hits.get(u.id, 0), "holds": on_hold.get(u.id, (0, 0))[0],
                "hold_seconds": on_hold.get(u.id, (0, 0))[1], "satisfaction_rate": kpi.satisfaction_rate(oc, policy),
            },
            "comment": None if review is None else {"text": review.comment, "by": review.reviewed_by,
                                                    "at": review.reviewed_at.astimezone(tz).isoformat()},
        })
    return {"date_from": date_from.isoformat(), "date_to": date_to.isoformat(), "rows": rows,
            "columns": [{"key": k, "label_zh": zh, "label_en": en, "unit": unit} for k, zh, en, unit in COLUMNS],
            "may_comment": str(viewer.role) in (Role.SHIFT_LEADER, Role.SUPERVISOR, Role.ADMIN)}


def set_comment(session: Session, viewer: User, user_id: int, *, date_from: dt.date, date_to: dt.date,
                text: str) -> dict[str, Any]:
    """Write (or replace) the comment on ``user_id``'s period; audited. Shift leaders on the
    operators of their lines, supervisors and admins on everyone; never on oneself."""
    check_range(date_from, date_to)
    if str(viewer.role) not in (Role.SHIFT_LEADER, Role.SUPERVISOR, Role.ADMIN):
        raise Forbidden("only a shift leader, supervisor or admin comments on evaluations")
    if user_id == viewer.id:
        raise Forbidden("nobody evaluates themselves", field="user_id")
    if user_id not in {u.id for u in _visible_operators(session, viewer)}:
        raise NotFound("no such operator", field="user_id")
    text = text.strip()
    if not text:
        raise Invalid("write the comment", field="comment")
    row = session.scalar(select(OperatorReview).where(OperatorReview.user_id == user_id,
                                                      OperatorReview.period_from == date_from,
                                                      OperatorReview.period_to == date_to))
    if row is None:
        row = OperatorReview(user_id=user_id, period_from=date_from, period_to=date_to, comment=text,
                             reviewed_by_id=viewer.id, reviewed_by=viewer.display_name or viewer.username)
        session.add(row)
    row.comment = text[:COMMENT_MAX]
    row.reviewed_by_id, row.reviewed_by, row.reviewed_at = viewer.id, viewer.display_name or viewer.username, utcnow()
    session.flush()
    audit.record(session, actor=f"user:{viewer.username}", user_id=viewer.id, action="comment",
                 entity="operator_review", entity_id=str(row.id),
                 detail={"operator_id": user_id, "date_from": date_from.isoformat(), "date_to": date_to.isoformat()})
    return {"user_id": user_id, "text": row.comment, "by": row.reviewed_by}
