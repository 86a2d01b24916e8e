"""A guest's departure, orchestrated: the switchboard's check-out (DND, wake-ups, the message lamp)
and then the guest-service centre's part (loans still out flagged to the front desk, issue 13
point 2) — in one transaction, so neither area imports the other."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy.orm import Session

from zongji.services.guestsvc import departure
from zongji.services.switchboard import check_out as switchboard_check_out
from zongji.settings import Settings
from zongji.store.models import utcnow


def check_out(session: Session, stay_id: int, settings: Settings, *, at: dt.datetime | None = None,
              actor_name: str = "system") -> dict[str, Any]:
    now = at or utcnow()
    result = switchboard_check_out.check_out(session, stay_id, settings, at=now, actor_name=actor_name)
    result["loans_out"] = ([] if result["already_checked_out"]
                           else departure.flag_loans(session, stay_id, now, actor=actor_name))
    return result
