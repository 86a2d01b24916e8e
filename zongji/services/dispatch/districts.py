"""Which handling units are a district's local government (属地), as the office names them.

The dispatch model learns the district governments' matters together and hands them to the
government of the order's district (``domain/dispatch/model``, ``LOCAL``). Naming or clearing a
unit's district asks the worker for a retraining at once, so suggestions follow the change
within the minute, not the next night.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from zongji.errors import Invalid, NotFound
from zongji.services import audit
from zongji.services.actors import actor
from zongji.services.dispatch import model_state
from zongji.store.models import Department, User

MAX_DISTRICT = 40


def set_district(session: Session, user: User, department_id: int, district: str | None,
                 now: dt.datetime) -> Department:
    """Name (or clear, None or blank) the district whose government the unit is."""
    d = session.get(Department, department_id)
    if d is None:
        raise NotFound("no such department", field="department_id")
    value = (district or "").strip() or None
    if value is not None and len(value) > MAX_DISTRICT:
        raise Invalid(f"a district's name has at most {MAX_DISTRICT} characters", field="district")
    if value is not None and d.kind != "handling_unit":
        raise Invalid("only a handling unit of a city hotline can be a district's government", field="district")
    before = d.district
    if before == value:
        return d
    d.district = value
    session.flush()
    audit.record(session, actor=actor(user), user_id=user.id, action="update", entity="department",
                 entity_id=d.id, detail={"district": [before, value]})
    model_state.retrain_soon(session, now, actor=actor(user), user_id=user.id)
    return d
