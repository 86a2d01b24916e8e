"""Who did something, as services write it on records: the audit actor, a person's name on a
record, and whether a user's role sees guests' rooms (R-H4)."""

from __future__ import annotations

from zongji.domain.roles import ROOM_NUMBER_ROLES
from zongji.store.models import User


def actor(user: User | None) -> str:
    return f"user:{user.username}" if user is not None else "system"


def who(user: User | None) -> str:
    """How a person is written on records (name and operator number)."""
    if user is None:
        return "system"
    return f"{user.display_name}({user.operator_number})" if user.operator_number else user.display_name


def sees_rooms(user: User | None) -> bool:
    return user is not None and user.role in ROOM_NUMBER_ROLES
