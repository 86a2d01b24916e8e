"""The room board API (``GET /api/rooms/board``): rooms by floor with their markers for the
console's /rooms page. Console roles only; guest names and ids only for ``ROOM_NUMBER_ROLES``; every
read is audited (so it runs in a writing unit of work)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, Request

from zongji.api.deps import WriteDB, require_roles
from zongji.domain.roles import CONSOLE_ROLES
from zongji.services import room_board as service
from zongji.store.models import User, utcnow
from zongji.api.errors import area_router

router = area_router(prefix="/api/rooms", tags=["rooms"])

Console = Annotated[User, Depends(require_roles(CONSOLE_ROLES))]


@router.get("/board")
def board(user: Console, request: Request, db: WriteDB) -> dict[str, Any]:
    """Every room by floor: occupied / vacant, arriving / departing today, VIP, DND, the
    next wake-up (time, state), wake-up escalated, message lamp.
    ``guest_name``, ``guest_ref`` (the guest's id) and ``dnd_id`` only for shift leaders and above
    (R-H4): for operators nothing joins a room to a guest; DND and messages go to the room
    (``subject_kind`` / ``recipient_kind`` "room", ``POST /api/switchboard/dnd/room-cancel``)."""
    return service.board(db, user, request.app.state.settings, now=utcnow())
