"""The closed vocabularies of a work order: its types (per line kind), urgency, complexity,
statuses (and the groups the rules use), callback outcomes and problems, extension and link kinds,
and who may do what (the role groups, ``SYSTEM`` for the timer worker)."""

from __future__ import annotations

from enum import StrEnum


class OrderType(StrEnum):
    SUGGESTION = "suggestion"  # 建议
    REQUEST = "request"  # 一般诉求
    HELP = "help"  # 求助
    COMPLAINT = "complaint"  # 投诉举报
    INQUIRY = "inquiry"  # 咨询
    PRAISE = "praise"  # 表扬


ORDER_TYPE_ZH = {
    OrderType.SUGGESTION: "建议",
    OrderType.REQUEST: "一般诉求",
    OrderType.HELP: "求助",
    OrderType.COMPLAINT: "投诉举报",
    OrderType.INQUIRY: "咨询",
    OrderType.PRAISE: "表扬",
}

# Types offered per line kind ("switchboard", "hotline_400", "hotline_12345").
CITY_HOTLINE_TYPES: tuple[OrderType, ...] = tuple(OrderType)
COMPANY_LINE_TYPES: tuple[OrderType, ...] = (OrderType.COMPLAINT, OrderType.REQUEST, OrderType.INQUIRY)


def order_types_for_line(line_kind: str | None) -> tuple[OrderType, ...]:
    """The six 12345 types for a city hotline, complaint/request/inquiry for company lines."""
    return CITY_HOTLINE_TYPES if line_kind in (None, "hotline_12345") else COMPANY_LINE_TYPES


class Urgency(StrEnum):
    NORMAL = "normal"
    URGENT = "urgent"  # water, power, gas, traffic: phone dispatch, ticket marked (R-P3)
    EMERGENCY = "emergency"  # major emergency: phone the unit, dispatch, report to the office


class Complexity(StrEnum):
    """How hard a complaint is (R-S8, R-S10); selects the SLA."""

    SIMPLE = "simple"
    GENERAL = "general"
    COMPLEX = "complex"


class Status(StrEnum):
    CREATED = "created"
    CLOSED_DIRECTLY = "closed_directly"  # 直办
    DISPATCHED = "dispatched"  # 派单
    ACCEPTED = "accepted"
    RETURNED = "returned"  # 退单： back with the shift leader
    IN_PROGRESS = "in_progress"
    REPLIED = "replied"  # 办结： the unit replied
    CALLBACK = "callback"  # 回访 under way
    REVIEW = "review"  # back with the shift leader after a failed callback, or reopened
    CLOSED = "closed"


FINAL_STATUSES = frozenset({Status.CLOSED, Status.CLOSED_DIRECTLY})
OPEN_STATUSES = frozenset(Status) - FINAL_STATUSES
# Statuses in which a unit holds the order.
WITH_UNIT_STATUSES = frozenset({Status.DISPATCHED, Status.ACCEPTED, Status.IN_PROGRESS})
# Statuses with the shift leader's attention.
LEADER_STATUSES = frozenset({Status.CREATED, Status.RETURNED, Status.REVIEW})
# Statuses in which an order may be bound as a duplicate and follow its primary (R-P8): not yet
# with a unit, not answered.
FOLLOWING_STATUSES = frozenset({Status.CREATED, Status.RETURNED})


class CallbackOutcome(StrEnum):
    SATISFIED = "satisfied"  # 满意
    BASICALLY_SATISFIED = "basically_satisfied"  # 基本满意
    DISSATISFIED = "dissatisfied"  # 不满意


class CallbackProblem(StrEnum):
    """What the callback (or the check of the reply before it) found wrong (R-P6)."""

    WRONG_REPLY = "wrong_reply"
    WRONGLY_CLOSED = "wrongly_closed"
    UNCLEAR_REPLY = "unclear_reply"
    PASSING_THE_BUCK = "passing_the_buck"


class CallbackAttemptResult(StrEnum):
    NOT_REACHED = "not_reached"
    NOT_CONVENIENT = "not_convenient"  # a better time agreed and recorded (R-P7)


class ExtensionStatus(StrEnum):
    REQUESTED = "requested"
    GRANTED = "granted"
    REFUSED = "refused"


class LinkKind(StrEnum):
    RELATED = "related"  # 参阅工单
    DUPLICATE = "duplicate"


SYSTEM = "system"  # actor role of the timer worker
