"""When a department or line is open, as the transfer rules need it: its working hours as stored
(an invalid value is ignored), and the public holidays and adjusted working days around a date."""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from sqlalchemy.orm import Session

from zongji.domain.business_calendar import china_statutory
from zongji.domain.working_hours import HoursExceptions, WorkingHours, WorkingHoursError
from zongji.services.sla import base_calendar

log = logging.getLogger(__name__)


def working_hours(data: dict[str, Any] | None) -> WorkingHours | None:
    """Working hours as stored on a department or line; None when none (or invalid) are set."""
    if not data:
        return None
    try:
        return WorkingHours.parse(data)
    except WorkingHoursError:
        log.warning("ignoring invalid working hours %r", data)
        return None


def statutory_exceptions(hours: WorkingHours | None, at: dt.datetime, tz: dt.tzinfo,
                         session: Session | None = None) -> HoursExceptions | None:
    """Public holidays and adjusted working days for office hours (closed every weekend);
    round-the-clock and seven-day departments are not affected by the holiday notice.

    With a session, the organisation's business calendar is used (the statutory notice plus the
    admin's edits and imported years, ``zongji.services.sla.base_calendar``)."""
    if hours is None or hours.days[5] or hours.days[6]:
        return None
    today = at.astimezone(tz).date()
    closed, working_as = set(), {}
    if session is not None:
        bcal = base_calendar(session, tz)  # type: ignore[arg-type]
        for i in range(-3, 40):
            d = today + dt.timedelta(days=i)
            day = bcal.day_info(d)
            if day.source == "weekly":
                continue
            if day.is_working:
                working_as[d] = "mon"
            else:
                closed.add(d)
        return HoursExceptions(closed=frozenset(closed), working_as=working_as)
    cal = china_statutory()
    for i in range(-3, 40):
        d = today + dt.timedelta(days=i)
        info = cal.lookup(d)
        if info is None:
            continue
        if info.is_working:
            working_as[d] = "mon"
        else:
            closed.add(d)
    return HoursExceptions(closed=frozenset(closed), working_as=working_as)
