"""Book a wake-up for the caller on the console's caller card (Alt+W, R-H9) without leaving the call.

The room is the caller's own: the room whose extension they call from, or — when the caller is
identified as an in-house guest by another number (their mobile) — the room of their stay, which
the server finds. R-H4: a room number is never disclosed to a caller and the console never shows a
guest's room when the caller is not in that room. So when the room was found from the guest's
stay, not from the extension, the answers carry no room number: the read-back says "your room"
(您的房间), and the booked items leave out room, floor and extension. A caller who is not a guest
in house gives their room themselves (the console asks; ``call_id`` is not used then).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from zongji.errors import NotFound
from zongji.services.calls import external_number
from zongji.services.directory import identify_caller
from zongji.services.switchboard.rooms import current_stay
from zongji.errors import Invalid
from zongji.store.models import Call


@dataclass(frozen=True)
class CallerRoom:
    room: str
    shown: bool  # the caller calls from this room's extension: the room may be shown and read back


def caller_room(session: Session, call_id: int, *, at: dt.datetime) -> CallerRoom:
    """The room a wake-up booked for this call's caller is for."""
    call = session.get(Call, call_id)
    if call is None:
        raise NotFound("no such call", field="call_id")
    ident = identify_caller(session, external_number(call), at=at)
    if ident.room_number:
        # Calling from the room's own extension: the guest themself (or an empty room, which the
        # booking then refuses with its reason).
        return CallerRoom(ident.room_number, True)
    if ident.kind == "guest" and ident.ref_id is not None:
        stay = current_stay(session, ident.ref_id, at)
        if stay is not None:
            return CallerRoom(stay.room.number, False)
    raise Invalid("The caller is not a guest in house: ask for the room number.", field="call_id",
                  code="caller_not_guest")


def _without_room(text: str, room: str, lang: str) -> str:
    own = "您的房间" if lang == "zh" else "Your room"
    text = text.replace(f"{room}房间", own).replace(f"Room {room}", own)
    return text.replace(room, "…")


def hide_room_in_preview(preview: dict[str, Any], room: str) -> dict[str, Any]:
    out = {k: v for k, v in preview.items() if k != "room"}
    out["readback"] = {lang: _without_room(text, room, lang) for lang, text in preview["readback"].items()}
    return out | {"room_shown": False}


def hide_room_in_items(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{k: v for k, v in w.items() if k not in ("room", "floor", "extension")} | {"room_shown": False}
            for w in items]


__all__ = ["CallerRoom", "caller_room", "hide_room_in_items", "hide_room_in_preview"]
