"""The daily review check: overdue articles notified once to their unit and the office; the
next day's job scheduled once (issue 11, point 1)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from zongji.services.knowledge import articles, review
from zongji.store import jobs
from zongji.store.models import Job
from zongji.store.work_order_models import Notification
from zongji.worker.tasks import knowledge as task


def test_overdue_reviews_are_notified_once_and_the_next_run_is_scheduled(write, units, runtime):
    unit, _ = units
    now = dt.datetime(2026, 12, 4, 0, 5, tzinfo=dt.UTC)  # 08:05 in Shanghai
    with write() as s:
        old = articles.create(s, None, {"title": "占道经营", "answer": "请联系城管。", "unit_id": unit,
                                        "status": "published", "next_review": "2026-12-01"})
        articles.create(s, None, {"title": "路灯", "answer": "请联系城管。", "unit_id": unit,
                                  "status": "published", "next_review": "2026-12-04"})
        review.schedule_daily(s, dt.date(2026, 12, 4), now)
    for _ in range(2):  # a second worker picking up the same day finds the job done
        with write() as s:
            job = s.scalar(select(Job).where(Job.key == "knowledge-review:2026-12-04"))
            if job.state == "pending":
                task.review_daily(s, job, now, runtime)
                jobs.finish(job)
    with write() as s:
        notes = s.scalars(select(Notification).where(Notification.kind == "kb_review")).all()
        assert sorted((n.unit_id or 0, n.role or "") for n in notes) == [(0, "admin"), (0, "supervisor"), (unit, "")]
        assert all(f"第 {old.id} 号" in n.subject for n in notes)
        nxt = s.scalar(select(Job).where(Job.key == "knowledge-review:2026-12-05"))
        assert nxt is not None and nxt.due_at == dt.datetime(2026, 12, 5, 0, 0, tzinfo=dt.UTC)
        # The next day only the article whose review day was the 4th is new; the first is not
        # notified again.
        assert review.notify_overdue(s, dt.date(2026, 12, 5), now) == 1
        notes = s.scalars(select(Notification).where(Notification.kind == "kb_review")).all()
        assert sum(f"第 {old.id} 号" in n.subject for n in notes) == 3 and len(notes) == 6
