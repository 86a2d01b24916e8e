"""What each role sees of a guest and a room, decided once (R-H4, R-H8, R-H9; issue 12 point 2).

A room number is never disclosed to a caller, and an operator never needs to know which guest is
in which room to answer one: transfers, wake-up calls and message lamps reach the room through
the telephony adapter. So a record that an operator can see names the guest *or* the room, never
both, and never an id that another answer joins to the other:

* a record addressed by **room** (the operator typed the room, or the guest called from the room's
  own extension) shows the room and nothing of who stays there;
* a record addressed by **guest** (found by name, or a guest identified by their mobile, whose room
  Zongji looked up itself) shows the guest and nothing of the room;
* roles in ``ROOM_NUMBER_ROLES`` (shift leader, supervisor, admin) see both.

Records carry the way they were addressed in their answer (``addressed``: "room" or "guest");
``view`` removes what the role may not see. It is applied to every answer, list, export and live
message that carries a guest's record (wake-ups, DND, messages). A guest's own address (mobile,
e-mail) is shown masked to everyone (``mask_address``).
"""

from __future__ import annotations

from typing import Any

from zongji.domain.roles import ROOM_NUMBER_ROLES

ROOM = "room"
GUEST = "guest"

# Keys that tell where a guest stays.
ROOM_KEYS = ("room", "room_number", "floor", "extension")
# Keys that tell who a guest is (their name, their ids in the directory).
GUEST_KEYS = ("guest_name", "guest_id", "guest", "stay_id")


def sees_both(role: str | None) -> bool:
    """Whether this role may see a guest's name together with their room."""
    return role in ROOM_NUMBER_ROLES


def marks_room(role: str | None, addressed: str | None) -> bool:
    """Whether a guest's record shows on a view of rooms (the room board) for this role: a
    record addressed by guest would tie the guest to the room it marks."""
    return sees_both(role) or addressed != GUEST



def mask_address(address: str, *, channel: str) -> str:
    """A guest's address (mobile, e-mail) as every operator sees it: 139****1111, z***@example.org."""
    if channel == "email":
        local, _, domain = address.partition("@")
        return f"{local[:1]}***@{domain}"
    return address[:3] + "****" + address[-4:] if len(address) > 7 else "****"

def view(role: str | None, record: dict[str, Any]) -> dict[str, Any]:
    """The record as this role may see it (a new dict; the record is not changed).

    ``record["addressed"]`` is "room" or "guest"; a record without it is not a guest's record
    and is returned as it is.
    """
    addressed = record.get("addressed")
    if addressed not in (ROOM, GUEST) or sees_both(role):
        return dict(record)
    out = dict(record)
    if addressed == GUEST:
        for key in ROOM_KEYS:
            out.pop(key, None)
        out["room_shown"] = False
        return out
    for key in GUEST_KEYS:
        out.pop(key, None)
    room = record.get("room") or record.get("room_number") or ""
    # Labels and subjects that name the guest go; the room stands for them.
    out.pop("label", None)
    out.pop("subject_id", None)
    if isinstance(out.get("recipient"), dict):
        out["recipient"] = {"kind": ROOM, "id": None, "label": room}
    if out.get("subject_kind") == GUEST:
        out["subject_kind"] = ROOM
    out["room"] = room
    return out


def view_all(role: str | None, records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [view(role, r) for r in records]


def view_tree(role: str | None, value: Any) -> Any:
    """``view`` applied to every guest record found anywhere in a JSON-like value (an answer, a
    list, a live message), however deeply it is nested."""
    if sees_both(role):
        return value
    if isinstance(value, list):
        return [view_tree(role, v) for v in value]
    if not isinstance(value, dict):
        return value
    inner = {k: view_tree(role, v) for k, v in value.items()}
    return view(role, inner) if inner.get("addressed") in (ROOM, GUEST) else inner
