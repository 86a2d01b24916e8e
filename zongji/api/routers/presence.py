"""Operators available or away (issue 10, point 2).

- ``GET /api/presence/me``: the user's state (available, or away with the reason and since when).
- ``PUT /api/presence/me`` ``{"state": "away", "reason": "break"}`` or ``{"state": "available"}``:
  operators and shift leaders; every console and the wallboard see it at once (topic ``presence``).
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import Depends
from pydantic import ConfigDict

from zongji.api.deps import ReadDB, WriteDB, require_roles
from zongji.api.errors import area_router, error_responses, refusals
from zongji.api.models import ApiModel
from zongji.domain.presence import PHONE_ROLES, AwayReason
from zongji.domain.roles import CONSOLE_ROLES
from zongji.services import presence
from zongji.store.models import User

router = area_router(prefix="/api/presence", tags=["presence"], responses=error_responses())
Console = Annotated[User, Depends(require_roles(CONSOLE_ROLES))]
Phone = Annotated[User, Depends(require_roles(PHONE_ROLES))]


class PresenceIn(ApiModel):
    model_config = ConfigDict(extra="forbid")
    state: Literal["away", "available"]
    reason: AwayReason | None = None


@router.get("/me", summary="Whether I take calls now")
def my_presence(user: Console, db: ReadDB) -> dict[str, Any]:
    return presence.current(db, user)


@router.put("/me", summary="Go away from the phones (with a reason) or come back",
            openapi_extra=refusals(reason="required when state is away"))
def set_my_presence(body: PresenceIn, user: Phone, db: WriteDB) -> dict[str, Any]:
    return presence.set_state(db, user, body.state, None if body.reason is None else str(body.reason))
