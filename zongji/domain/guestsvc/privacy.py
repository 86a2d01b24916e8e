"""What a viewer sees of a service request (R-H4). A request carries the room (the attendant must
go there) and never the guest's name. A request made from the call of a guest identified by
another number than the room's extension (their mobile) is addressed by guest: the console's
operators never see its room — the caller is not known to be in it. The centre's staff and the
attendants serve rooms and see the room; so do the roles that see both (``ROOM_NUMBER_ROLES``)."""

from __future__ import annotations

from typing import Any

from zongji.domain import guest_privacy
from zongji.domain.roles import Role


def sees_room(role: str | None, centre_staff: bool) -> bool:
    return centre_staff or role == Role.UNIT_HANDLER or guest_privacy.sees_both(role)


def view(role: str | None, centre_staff: bool, record: dict[str, Any]) -> dict[str, Any]:
    """The request as this viewer may see it (a new dict)."""
    out = dict(record)
    if record.get("addressed") == guest_privacy.GUEST and not sees_room(role, centre_staff):
        for key in guest_privacy.ROOM_KEYS:
            out.pop(key, None)
        out["room_shown"] = False
    else:
        out["room_shown"] = True
    for key in (*guest_privacy.GUEST_KEYS, "addressed"):
        out.pop(key, None)
    return out
