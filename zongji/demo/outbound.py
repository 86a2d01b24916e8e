"""The demo's outbound work (issue 14 points 4-5): a follow-up survey list over the demo
customers (R-S12), one of them without a number so the "no number" group shows. Loaded once."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from zongji.domain.outbound import EntryState
from zongji.store.models import Customer
from zongji.store.outbound_models import OutboundEntry, OutboundList

NAME = "客户回访 Follow-up survey"


def load(session: Session, *, now: dt.datetime) -> None:
    if session.scalar(select(OutboundList.id).where(OutboundList.name == NAME)) is not None:
        return
    lst = OutboundList(name=NAME, source="customers", purpose="survey", created_at=now,
                       questions=[{"text": "您对处理结果是否满意？", "choices": ["满意", "基本满意", "不满意"]},
                                  {"text": "还有其他需要吗？", "choices": []}])
    session.add(lst)
    session.flush()
    rows = [(c.name, c.phone or "", c.company or "") for c in
            session.scalars(select(Customer).order_by(Customer.id).limit(8))]
    rows.append(("匿名来电人", "", ""))
    for i, (name, number, company) in enumerate(rows, start=1):
        session.add(OutboundEntry(list_id=lst.id, position=i, name=name, number=number, address=company,
                                  ref="demo", state=EntryState.PENDING if number else EntryState.NO_NUMBER,
                                  updated_at=now))
