"""The room board API (``GET /api/rooms/board``): rooms by floor with their markers for the
console's /rooms page. Console roles only; guest names only for ``ROOM_NUMBER_ROLES``; every
read is audited (so it runs in a writing unit of work)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request

from zongji.api.deps import WriteDB, require_roles
from zongji.domain.roles import CONSOLE_ROLES
from zongji.services import room_board as service
from zongji.store.models import User, utcnow

router = APIRouter(prefix="/api/rooms", tags=["rooms"])

Console = Annotated[User, Depends(require_roles(CONSOLE_ROLES))]


@router.get("/board")
def board(user: Console, request: Request, db: WriteDB) -> dict[str, Any]:
    """Every room by floor: occupied / vacant, arriving / departing today, VIP, DND (with the
    DND id to cancel it), the next wake-up (time, state), wake-up escalated, message lamp, and
    ``guest_ref`` for DND and messages. ``guest_name`` only for shift leaders and above."""
    return service.board(db, user, request.app.state.settings, now=utcnow())
