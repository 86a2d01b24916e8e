"""Migration 0023 (issue 15): a work order's channel becomes a closed set; the free text written
before is read as the closest channel, on both databases."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from tests.store.test_migrations import fresh_db_url  # noqa: F401 — the fixture
from zongji.store.db import make_engine
from zongji.store.migrate import upgrade
from zongji.store.work_order_models import WorkOrder


def test_free_text_channels_are_mapped_to_the_closed_set(fresh_db_url):  # noqa: F811
    upgrade(fresh_db_url, "0022")
    engine = make_engine(fresh_db_url)
    at = dt.datetime(2026, 11, 2, 9, 0, tzinfo=dt.timezone.utc)
    written = {"T1": "phone", "T2": "wechat", "T3": "visit", "T4": "电话", "T5": "Web", "T6": "短信",
               "T7": "something typed", "T8": "walk-in", "T9": "letter"}
    with Session(engine) as s:
        # Core, not the model: the model has the columns of later revisions (0026's number keys).
        for number, channel in written.items():
            s.execute(insert(WorkOrder.__table__).values(number=number, order_type="request", status="created",
                                                         created_at=at, state={}, channel=channel))
        s.commit()
    engine.dispose()
    upgrade(fresh_db_url)
    engine = make_engine(fresh_db_url)
    with Session(engine) as s:
        got = dict(s.execute(select(WorkOrder.number, WorkOrder.channel)).all())
    engine.dispose()
    assert got == {"T1": "phone", "T2": "app", "T3": "walk-in", "T4": "phone", "T5": "web", "T6": "sms",
                   "T7": "phone", "T8": "walk-in", "T9": "letter"}
