"""The worker's watch of the PMS link (issue 16): a link process that died while the link was up
is noticed, and the down alert is raised once."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from zongji.services.fias import link_status
from zongji.store.models import FeedItem, Job, utcnow
from zongji.worker.tasks import fias as fias_tasks


def test_a_dead_link_process_is_noticed_and_alerted_once(write, settings, runtime):
    with write() as s:
        assert link_status.watch(s, now=utcnow(), settings=settings) is None  # no PMS link at all
    then = utcnow() - dt.timedelta(seconds=3 * settings.fias_dead_seconds + settings.fias_alert_after_seconds)
    with write() as s:
        link_status.connecting(s, mode="client", peer="pms:5010", now=then, settings=settings)
        link_status.up(s, now=then, settings=settings)
        link_status.traffic(s, received=then)
        # recently heard: still up
        assert link_status.watch(s, now=then + dt.timedelta(seconds=settings.fias_dead_seconds),
                                 settings=settings) == "up"
    with write() as s:  # the process was killed: nothing heard since
        job = Job(kind=link_status.WATCH_JOB, key="t", due_at=utcnow(), payload={})
        fias_tasks.watch(s, job, utcnow(), runtime)
    with write() as s:
        fias_tasks.watch(s, job, utcnow(), runtime)
        st = link_status.status(s, settings)
        assert st["state"] == "down" and st["alerted"] and "zongji fias" in st["last_error"]
        alerts = [f for f in s.scalars(select(FeedItem).where(FeedItem.topic == "alert"))]
        assert [a.payload["kind"] for a in alerts] == ["fias_link_down"]
        assert s.scalar(select(Job).where(Job.kind == link_status.WATCH_JOB, Job.state == "pending"))
