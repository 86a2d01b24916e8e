"""Roles of the people who log in, and what each may do."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    OPERATOR = "operator"
    SHIFT_LEADER = "shift_leader"
    SUPERVISOR = "supervisor"
    UNIT_HANDLER = "unit_handler"
    ADMIN = "admin"


# Roles that work the switchboard console (answer, identify, note and close calls).
CONSOLE_ROLES = frozenset({Role.OPERATOR, Role.SHIFT_LEADER, Role.SUPERVISOR, Role.ADMIN})

# Roles that may read a guest's personal data (name with room, mobile, stay). Each read is
# audited. Unit handlers never see guests.
GUEST_DATA_ROLES = frozenset({Role.OPERATOR, Role.SHIFT_LEADER, Role.SUPERVISOR, Role.ADMIN})

# Roles that manage users, tokens and the directory.
ADMIN_ROLES = frozenset({Role.SUPERVISOR, Role.ADMIN})

# Roles that may see a guest's room number (DND list, handover log). Operators never need it to
# answer a caller (R-H4): transfers ring the room through the telephony adapter.
ROOM_NUMBER_ROLES = frozenset({Role.SHIFT_LEADER, Role.SUPERVISOR, Role.ADMIN})

# Roles that watch the centre's figures: the wallboard and the reports (issue 10).
STATS_ROLES = frozenset({Role.SHIFT_LEADER, Role.SUPERVISOR, Role.ADMIN})

# Work orders: who dispatches, sends back, closes and reopens (the shift leaders and above) …
LEADER_ROLES = frozenset({Role.SHIFT_LEADER, Role.SUPERVISOR, Role.ADMIN})
# … the hotline office (types, units, the calendar, approvals) …
OFFICE_ROLES = ADMIN_ROLES
# … and who handles an order for a unit.
UNIT_ROLES = frozenset({Role.UNIT_HANDLER})


# What an integration token may do (``zongji token add NAME --scopes cti,pms``).
INTEGRATION_SCOPES = {
    "cti": "a PBX or the SIP gateway reports call events",
    "wakeup": "a PMS or guest channel books, changes and cancels wake-up calls",
    "pms": "a PMS reports check-outs",
    "sms": "an SMS gateway delivers citizens' text messages (POST /api/v1/sms/inbound)",
}


def parse_scopes(text: str) -> str:
    """Normalise a comma-separated scope list; ValueError names the first unknown scope."""
    scopes = list(dict.fromkeys(s.strip().lower() for s in text.split(",") if s.strip()))
    if not scopes:
        raise ValueError("at least one scope is needed: " + ", ".join(INTEGRATION_SCOPES))
    for scope in scopes:
        if scope not in INTEGRATION_SCOPES:
            raise ValueError(f"unknown scope {scope!r}; one of {', '.join(INTEGRATION_SCOPES)}")
    return ",".join(scopes)
