"""Emergency notification (issue 14, R-H11): plans per kind, the incident's and each
recipient's state machine, the spoken and written message. Pure: no I/O."""

from zongji.domain.emergency.errors import ActionForbidden, IllegalTransition, InvalidInput
from zongji.domain.emergency.message import message_text
from zongji.domain.emergency.plans import HOTEL_FIRE_PLAN, Channel, Kind, Plan, Recipient, parse_plan
from zongji.domain.emergency.rules import (
    INCIDENT_RULES,
    RECIPIENT_RULES,
    SYSTEM,
    Event,
    IncidentStatus,
    Next,
    RecipientState,
    after_call,
    apply,
    call_action,
    check_incident,
    deputy_due,
    wave_start,
)

__all__ = [
    "ActionForbidden", "IllegalTransition", "InvalidInput", "message_text", "HOTEL_FIRE_PLAN",
    "Channel", "Kind", "Plan", "Recipient", "parse_plan", "INCIDENT_RULES", "RECIPIENT_RULES",
    "SYSTEM", "Event", "IncidentStatus", "Next", "RecipientState", "after_call", "apply",
    "call_action", "check_incident", "deputy_due", "wave_start",
]
