"""Who may receive which live-feed message, and in what shape (R-H4, R-H9; issue 9: a privacy
rule decided once, here, not in the socket's router). Pure: the feed's transport
(``zongji.services.live_hub``) asks these for every message and every socket."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from zongji.domain import guest_privacy
from zongji.domain.roles import CONSOLE_ROLES, Role
from zongji.domain.scope import WorkScope


@dataclass(frozen=True)
class Viewer:
    """Who is on the other end of a socket: enough to decide what they may receive."""

    user_id: int
    role: str
    unit_id: int | None = None  # a unit handler's unit (``User.department_id``)
    # The lines the viewer works for (``zongji.domain.scope``); None: every line.
    line_codes: frozenset[str] | None = None
    # SHA-256 of the session token behind the socket: the session checked once a second.
    token_hash: str = ""


def may_connect(role: str) -> bool:
    """Whether a logged-in user of ``role`` may open the live socket at all: the console roles
    and the units' handlers (who receive only their own part, :func:`may_receive`)."""
    return role in CONSOLE_ROLES or role == Role.UNIT_HANDLER


def viewer_for(*, user_id: int, role: str, department_id: int | None, scope: WorkScope | None,
               token_hash: str) -> Viewer:
    """The viewer behind a socket: a unit handler's unit is their department; the lines are those
    of their work scope (None: every line, as for a scope of everything or none)."""
    return Viewer(user_id=user_id, role=str(role),
                  unit_id=department_id if role == Role.UNIT_HANDLER else None,
                  token_hash=token_hash,
                  line_codes=None if scope is None or scope.everything else scope.line_codes)


# Topics a unit handler may receive at all; everything else (calls, guests, DND, messages,
# wake-ups, handover, alerts) is for the console roles only.
UNIT_TOPICS = frozenset({"notification", "work_order"})


def _int(v: Any) -> int | None:
    return v if isinstance(v, int) and not isinstance(v, bool) else None


def notification_reaches(viewer: Viewer, payload: dict[str, Any]) -> bool:
    """The same rule as ``notifications.visible_to`` (what GET /api/notifications lists): the
    addressed person; else everyone with the addressed role; else the addressed unit's handlers."""
    user_id = _int(payload.get("user_id"))
    if user_id is not None:
        return user_id == viewer.user_id
    if payload.get("role") and payload.get("role") == viewer.role:
        return True
    unit_id = _int(payload.get("unit_id"))
    return unit_id is not None and viewer.unit_id is not None and unit_id == viewer.unit_id


def may_receive(viewer: Viewer, message: dict[str, Any]) -> bool:
    """Whether one feed message goes to this viewer.

    * ``notification``: only to its addressee(s), for every role.
    * unit handlers: besides their notifications, only ``work_order`` updates of orders their
      unit is on (main or assisting: ``unit_ids`` / ``main_unit_id`` in the payload), and
      ``wakeup_task`` updates of tasks addressed to their unit (``unit_id``: the guest-service
      centre's door tasks, R-H9) and ``guest_request`` updates of the centre's requests (issue 13:
      the payload names the centre's ``unit_id``, never a room); nothing else.
    * console roles: every other topic, as before; but a ``call`` of a line they do not work for
      never (issue 8, point 5: the hotel's queue never shows a 12345 call).
    """
    topic = message.get("topic")
    payload = message.get("payload") if isinstance(message.get("payload"), dict) else {}
    if topic == "notification":
        return notification_reaches(viewer, payload)
    if viewer.role == Role.UNIT_HANDLER and topic in ("wakeup_task", "guest_request"):
        unit_id = _int(payload.get("unit_id"))
        return unit_id is not None and unit_id == viewer.unit_id
    if viewer.role == Role.UNIT_HANDLER:
        if topic != "work_order" or viewer.unit_id is None:
            return False
        units = {u for u in (payload.get("unit_ids") or []) if _int(u) is not None}
        if _int(payload.get("main_unit_id")) is not None:
            units.add(payload["main_unit_id"])
        return viewer.unit_id in units
    if topic == "call" and viewer.line_codes is not None:
        line = payload.get("line") if isinstance(payload.get("line"), dict) else None
        if line is not None and line.get("code") not in viewer.line_codes:
            return False
    return viewer.role in CONSOLE_ROLES


def shape_for(viewer: Viewer, message: dict[str, Any]) -> dict[str, Any]:
    """The message as this viewer's role may see it: a guest's record names the guest or the
    room, never both (``zongji.domain.guest_privacy``, the same rule as every answer)."""
    payload = message.get("payload")
    if not isinstance(payload, dict) or guest_privacy.sees_both(viewer.role):
        return message
    shaped = guest_privacy.view_tree(viewer.role, payload)
    return message if shaped == payload else {**message, "payload": shaped}
