"""The demo's emergency plan: the hotel's fire plan (R-H11) — general manager, resident manager,
engineering, security and the medical room at once with their deputies, the head of the
department concerned in a second wave. Loaded once; a supervisor's edits are kept."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from zongji.domain.emergency.plans import HOTEL_FIRE_PLAN
from zongji.services.emergency import plans


def load(session: Session, *, now: dt.datetime) -> None:
    if plans.plan_for(session, HOTEL_FIRE_PLAN["kind"]) is None:
        plans.save_plan(session, None, HOTEL_FIRE_PLAN, now=now)
