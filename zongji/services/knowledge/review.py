"""Articles past their review date are flagged to their unit and the office (issue 11, point 1).

``notify_overdue`` runs daily (worker task ``knowledge.review``, one job per local date, so it
runs exactly once a day with several workers) and notifies each overdue article once per review
date: the owning unit and the office (each of ``OFFICE_ROLES``) through the work orders'
notifications service.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from zongji.domain.roles import OFFICE_ROLES
from zongji.services import notifications
from zongji.store import jobs
from zongji.store.knowledge_models import KbArticle

REVIEW_JOB = "knowledge.review"


def notify_overdue(session: Session, today: dt.date, now: dt.datetime) -> int:
    overdue = session.scalars(
        select(KbArticle).where(
            KbArticle.next_review < today, KbArticle.status != "archived",
            or_(KbArticle.review_notified_for.is_(None), KbArticle.review_notified_for != KbArticle.next_review),
        ).order_by(KbArticle.id)
    ).all()
    for a in overdue:
        subject = f"知识库第 {a.id} 号待复核：{a.title}"
        body = f"复核日期 {a.next_review.isoformat()} 已过，请复核并更新。"
        if a.unit_id is not None:
            notifications.notify(session, kind="kb_review", subject=subject, body=body, unit_id=a.unit_id,
                                 now=now, external=False)
        for role in sorted(OFFICE_ROLES):
            notifications.notify(session, kind="kb_review", subject=subject, body=body, role=role, now=now,
                                 external=False)
        a.review_notified_for = a.next_review
    return len(overdue)


def schedule_daily(session: Session, next_day: dt.date, due_at: dt.datetime) -> None:
    jobs.schedule(session, REVIEW_JOB, f"knowledge-review:{next_day.isoformat()}", due_at, {"day": next_day.isoformat()})
