"""Hotel PMS integration (issue 3): check-out.

``Authorization: Bearer <integration token>`` with scope ``pms``.

- ``POST /api/v1/stays/{stay_id}/check-out`` or ``POST /api/v1/stays/check-out {"room": "1208"}``
  → 200 ``{stay_id, guest_id, already_checked_out, dnd_ended: [ids], wakeups_cancelled: [ids],
  lamp_off, loans_out: [{request_id, item, quantity}]}``. The stay ends; do-not-disturb ends (R-H8); the stay's wake-ups still to come are
  cancelled; the room's message lamp goes out unless a message is still waiting. Repeating a
  check-out is harmless (``already_checked_out: true``). Borrowed items still out are flagged to
  the front desk (issue 13; ``zongji.services.stay_departure`` orchestrates both areas).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, Path, Request
from pydantic import AwareDatetime, ConfigDict, Field

from zongji.api.deps import ID_MAX, WriteDB, integration_actor
from zongji.api.models import ApiModel
from zongji.services import stay_departure
from zongji.services.switchboard import check_out as check_out_service
from zongji.store.models import utcnow
from zongji.api.errors import area_router

router = area_router(prefix="/api/v1/stays", tags=["PMS (integration)"])

StayId = Annotated[int, Path(ge=1, le=ID_MAX)]


PmsActor = Annotated[str, Depends(integration_actor("pms"))]


class CheckOutIn(ApiModel):
    model_config = ConfigDict(extra="forbid")
    at: AwareDatetime | None = None


class CheckOutByRoomIn(CheckOutIn):
    room: str = Field(min_length=1, max_length=20)


@router.post("/check-out")
def check_out_by_room(body: CheckOutByRoomIn, actor: PmsActor, request: Request, db: WriteDB) -> dict[str, Any]:
    settings = request.app.state.settings
    at = body.at or utcnow()
    stay = check_out_service.find_stay_by_room(db, body.room.strip(), at)
    return stay_departure.check_out(db, stay.id, settings, at=at, actor_name=actor)


@router.post("/{stay_id}/check-out")
def check_out(stay_id: StayId, actor: PmsActor, request: Request, db: WriteDB,
              body: CheckOutIn | None = None) -> dict[str, Any]:
    settings = request.app.state.settings
    return stay_departure.check_out(db, stay_id, settings, at=(body.at if body else None), actor_name=actor)
