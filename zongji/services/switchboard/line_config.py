"""A line's configuration as the transfer rules see it (issue 3, R-S5): the line found by its
code, its settings row, and its responsible person, deputy and after-hours contact with their
leave taken into account."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from zongji.domain import lines as line_rules
from zongji.errors import NotFound
from zongji.services.staff_leave import current_leave
from zongji.services.staff_leave import on_leave as person_on_leave
from zongji.services.switchboard.contacts import contact
from zongji.services.switchboard.hours import working_hours
from zongji.store.models import Line
from zongji.store.switchboard_models import LineSettings


def line_by_code(session: Session, code: str) -> Line:
    line = session.scalar(select(Line).where(Line.code == code))
    if line is None:
        raise NotFound("no such line", field="code")
    return line


def settings_row(session: Session, line: Line) -> LineSettings | None:
    """The line's settings (hours, responsible, deputy …); None until some are saved."""
    return session.scalar(select(LineSettings).where(LineSettings.line_id == line.id))


def line_config(session: Session, line: Line, at: dt.datetime) -> line_rules.LineConfig:
    ls = settings_row(session, line)
    on_leave = False
    if ls is not None and ls.responsible_on_leave:
        on_leave = ls.leave_until is None or ls.leave_until > at
    deputy = ls.deputy if ls is not None else None
    if ls is not None and ls.responsible_id is not None:
        leave = current_leave(session, ls.responsible_id, at)  # the person's own leave (R-S5)
        if leave is not None:
            on_leave = True
            deputy = deputy or leave.deputy
    return line_rules.LineConfig(
        code=line.code, name=line.name, kind=line_rules.LineKind(line.kind), number=line.number,
        inbound_only=line.inbound_only, hours=working_hours(ls.working_hours) if ls else None,
        responsible=contact(ls.responsible, on_leave=on_leave, mobile_first=False) if ls else None,
        deputy=contact(deputy, on_leave=person_on_leave(session, deputy.id, at)) if deputy else None,
        after_hours=(contact(ls.after_hours, on_leave=person_on_leave(session, ls.after_hours_id, at))
                     if ls else None),
    )
