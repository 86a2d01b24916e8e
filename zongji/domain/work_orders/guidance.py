"""Per-type guidance (R-P2, R-P3, R-P11; R-S8, R-S10 on a company's line): the situations of each
type, how each is handled (first = recommended), the referral numbers, the fields the operator
must fill, whether it closes directly and the complexity a company complaint's situation sets."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from zongji.domain.work_orders.errors import InvalidAction
from zongji.domain.work_orders.words import ORDER_TYPE_ZH, Complexity, OrderType

class Handling(StrEnum):
    ANSWER_NOW = "answer_now"  # answered in the call (knowledge base)
    THREE_WAY_CALL = "three_way_call"
    GIVE_UNIT_NUMBER = "give_unit_number"
    REFER_ELSEWHERE = "refer_elsewhere"  # outside the remit: referral numbers
    CLOSE_DIRECTLY = "close_directly"
    DISPATCH = "dispatch"
    PHONE_DISPATCH = "phone_dispatch"  # urgent: phone the unit, mark the ticket, dispatch
    SHIFT_LEADER_DECIDES = "shift_leader_decides"
    OFFICE_DECIDES = "office_decides"


@dataclass(frozen=True)
class Referral:
    key: str
    name_zh: str
    name_en: str
    number: str | None  # None: a local number to take from the directory


# Defaults; the real numbers are directory data an organisation edits.
REFERRALS: dict[str, Referral] = {
    r.key: r
    for r in (
        Referral("legal_aid", "公共法律服务热线", "Public legal services hotline", "12348"),
        Referral("police", "报警电话", "Police", "110"),
        Referral("courts", "法院诉讼服务热线", "Court litigation services hotline", "12368"),
        Referral("discipline_inspection", "纪检监察举报电话", "Discipline inspection reports", "12388"),
        Referral("petition", "信访部门", "Petition (letters and visits) office", None),
        Referral("fire", "火警", "Fire", "119"),
        Referral("ambulance", "急救", "Ambulance", "120"),
    )
}


@dataclass(frozen=True)
class Guidance:
    """What the form shows for a type in a situation: allowed handlings (first = recommended),
    referral numbers, fields the operator must fill, and whether it closes directly."""

    order_type: OrderType
    situation: str
    situation_zh: str
    handlings: tuple[Handling, ...]
    required_fields: tuple[str, ...] = ("caller_name", "description")
    referrals: tuple[str, ...] = ()
    closes_directly: bool = False
    hint_zh: str = ""
    hint_en: str = ""
    # A company complaint's situation is how serious it is (R-S10): it sets the complexity, which
    # selects the SLA. None: the situation says nothing about complexity.
    complexity: Complexity | None = None

    @property
    def recommended(self) -> Handling:
        return self.handlings[0]

    def referral_entries(self) -> list[Referral]:
        return [REFERRALS[k] for k in self.referrals]


H = Handling
_PLACE = ("caller_name", "place", "description")
GUIDANCE: dict[OrderType, tuple[Guidance, ...]] = {
    OrderType.SUGGESTION: (
        Guidance(OrderType.SUGGESTION, "reasonable", "合理建议", (H.DISPATCH,), hint_zh="记录并派单",
                 hint_en="Record and dispatch."),
        Guidance(OrderType.SUGGESTION, "unreasonable", "不合理建议", (H.CLOSE_DIRECTLY,), closes_directly=True,
                 hint_zh="婉言谢绝，记录后直办", hint_en="Decline politely, record, close directly."),
    ),
    OrderType.REQUEST: (
        Guidance(OrderType.REQUEST, "simple", "简单诉求", (H.THREE_WAY_CALL, H.GIVE_UNIT_NUMBER, H.CLOSE_DIRECTLY),
                 closes_directly=True, hint_zh="三方通话或告知承办单位电话",
                 hint_en="Three-way call with the unit, or give the caller its number."),
        Guidance(OrderType.REQUEST, "general", "一般诉求", (H.DISPATCH,), _PLACE,
                 hint_zh="记录，由班长派单", hint_en="Record; the shift leader assigns a unit."),
        Guidance(OrderType.REQUEST, "complex_or_urgent", "复杂或紧急诉求",
                 (H.SHIFT_LEADER_DECIDES, H.OFFICE_DECIDES, H.PHONE_DISPATCH), _PLACE,
                 hint_zh="由班长或热线办决定", hint_en="The shift leader or the hotline office decides."),
    ),
    OrderType.HELP: (
        Guidance(OrderType.HELP, "outside_remit", "非受理范围(诉讼、经济纠纷、警务、法院)",
                 (H.REFER_ELSEWHERE, H.CLOSE_DIRECTLY), ("caller_name", "description", "handling"),
                 referrals=("legal_aid", "police", "courts"), closes_directly=True,
                 hint_zh="引导来电人到相应渠道，记录处理情况后直办",
                 hint_en="Guide the caller to the right channel; record the handling and close directly."),
        Guidance(OrderType.HELP, "general", "一般求助", (H.DISPATCH,),
                 ("caller_name", "contact", "place", "event_time", "description"),
                 hint_zh="记录时间、地点、事件、联系方式和诉求后转承办单位",
                 hint_en="Record time, place, event, contact and request; pass to the unit."),
        Guidance(OrderType.HELP, "urgent", "紧急求助(非警情)", (H.THREE_WAY_CALL, H.GIVE_UNIT_NUMBER, H.PHONE_DISPATCH),
                 _PLACE, referrals=("police", "fire", "ambulance"),
                 hint_zh="三方通话或告知承办单位电话", hint_en="Three-way call with the unit or give its number."),
    ),
    OrderType.COMPLAINT: (
        Guidance(OrderType.COMPLAINT, "official_misconduct", "公职人员违纪违法",
                 (H.REFER_ELSEWHERE, H.CLOSE_DIRECTLY), ("caller_name", "description", "handling"),
                 referrals=("discipline_inspection", "petition"), closes_directly=True,
                 hint_zh="非受理范围，告知纪检监察和信访电话",
                 hint_en="Outside the remit: give the discipline-inspection and petition numbers."),
        Guidance(OrderType.COMPLAINT, "staff_attitude", "工作人员态度",
                 (H.DISPATCH, H.OFFICE_DECIDES),
                 ("caller_name", "staff_name", "badge_number", "event_time", "description"),
                 hint_zh="记录姓名、工号、时间和事件；市级部门交热线办，县级由班长派至县级单位",
                 hint_en="Record name, badge number, time and event; city-level departments go to the "
                         "hotline office, county-level ones are dispatched by the shift leader."),
        Guidance(OrderType.COMPLAINT, "general", "一般投诉举报", (H.DISPATCH,), _PLACE,
                 hint_zh="记录并派单", hint_en="Record and dispatch."),
    ),
    OrderType.INQUIRY: (
        Guidance(OrderType.INQUIRY, "simple", "简单咨询", (H.ANSWER_NOW, H.CLOSE_DIRECTLY), closes_directly=True,
                 hint_zh="按知识库答复，并告知部门信息",
                 hint_en="Answer from the knowledge base with the department's details."),
        Guidance(OrderType.INQUIRY, "specialist", "专业咨询", (H.THREE_WAY_CALL, H.DISPATCH),
                 hint_zh="三方通话或派单", hint_en="Three-way call with the unit, or dispatch."),
    ),
    OrderType.PRAISE: (
        Guidance(OrderType.PRAISE, "of_unit", "表扬承办单位", (H.DISPATCH,), hint_zh="记录并派单",
                 hint_en="Record and dispatch to the unit."),
        Guidance(OrderType.PRAISE, "of_hotline", "表扬热线", (H.CLOSE_DIRECTLY,), closes_directly=True,
                 hint_zh="记录后直办", hint_en="Record and close directly."),
    ),
}


# A company's own 400 line (R-S8, R-S10): a complaint is apologised for, recorded and passed to
# the responsible department of the company to verify — never closed by the agent, never referred
# to public bodies. Its situation is how serious it turns out to be (not valid / simple / general /
# complex), which also sets the complexity and so the limit (R-S10). Requests and inquiries keep
# the general guidance. "general" first: the form preselects the first situation.
_COMPLAINT_400_FIELDS = ("caller_name", "contact", "description")
COMPANY_GUIDANCE: dict[OrderType, tuple[Guidance, ...]] = {
    OrderType.COMPLAINT: (
        Guidance(OrderType.COMPLAINT, "general", "一般投诉", (H.DISPATCH,), _COMPLAINT_400_FIELDS,
                 complexity=Complexity.GENERAL,
                 hint_zh="致歉；记录姓名、产品序列号、联系人及电话和投诉内容，填投诉处理表，交责任部门核实处理；"
                         "1个工作日内答复（最长3个工作日），2小时内首次答复客户",
                 hint_en="Apologise; record the name, product serial number, contact and phone and the "
                         "complaint on the complaint form and pass it to the responsible department; answer "
                         "within 1 working day (at most 3), first reply to the customer within 2 hours."),
        Guidance(OrderType.COMPLAINT, "simple", "简单投诉（可即时解决）", (H.DISPATCH,), _COMPLAINT_400_FIELDS,
                 complexity=Complexity.SIMPLE,
                 hint_zh="致歉并记录；责任部门即时解决并填写投诉处理表，立即答复客户",
                 hint_en="Apologise and record; the responsible department solves it at once and fills in "
                         "the complaint form; answer the customer at once."),
        Guidance(OrderType.COMPLAINT, "complex", "复杂投诉（严重或不能即时解决）", (H.DISPATCH,), _COMPLAINT_400_FIELDS,
                 complexity=Complexity.COMPLEX,
                 hint_zh="致歉并记录；交责任部门，由部门负责人组织处理；5个工作日内答复（最长7个工作日），"
                         "超时主动告知客户进展",
                 hint_en="Apologise and record; the responsible department's head organises the handling; "
                         "answer within 5 working days (at most 7); past a limit, tell the customer where "
                         "things stand."),
        Guidance(OrderType.COMPLAINT, "not_valid", "投诉不成立", (H.DISPATCH,), _COMPLAINT_400_FIELDS,
                 hint_zh="交责任部门核实；核实结果返回后由客服致电客户解释",
                 hint_en="Pass to the responsible department to verify; when its findings come back, call "
                         "the customer to explain."),
    ),
}


def guidance_table(line_kind: str | None = None) -> dict[OrderType, tuple[Guidance, ...]]:
    """The guidance of each type on a line of this kind: the 12345 table on a city hotline (or
    without a line), the company's own complaint procedure on a company line (400, switchboard)."""
    if line_kind in (None, "hotline_12345"):
        return GUIDANCE
    return {**GUIDANCE, **COMPANY_GUIDANCE}


def guidance_for(order_type: OrderType | str, situation: str | None = None, line_kind: str | None = None
                 ) -> Guidance | tuple[Guidance, ...]:
    """All situations of a type on a line of this kind, or the one named (KeyError if unknown)."""
    options = guidance_table(line_kind)[OrderType(order_type)]
    if situation is None:
        return options
    for g in options:
        if g.situation == situation:
            return g
    raise KeyError(f"{order_type}: unknown situation {situation!r}")


def situations_of(order_type: OrderType | str, line_kind: str | None = None) -> tuple[str, ...]:
    return tuple(g.situation for g in guidance_table(line_kind)[OrderType(order_type)])


def situation_required(order_type: OrderType | str, line_kind: str | None = None) -> bool:
    """Whether the type's handling depends on its situation (R-P2): some of its situations close
    directly and others must be dispatched — true of all six 12345 types — or its situation sets
    the complexity and so the limit (a company's complaint, R-S10). Such an order needs its
    situation from creation on."""
    options = guidance_table(line_kind)[OrderType(order_type)]
    return len({g.closes_directly for g in options}) > 1 or any(g.complexity for g in options)


def situation_complexity(order_type: OrderType | str, situation: str | None, line_kind: str | None = None,
                         complexity: Complexity | str | None = None) -> Complexity | None:
    """The complexity an order has with this situation: the one the situation sets (a company's
    complaint, R-S10), else the one given. A given complexity that contradicts the situation is
    refused (400, field ``complexity``)."""
    given = Complexity(complexity) if complexity else None
    if situation is None:
        return given
    try:
        g = guidance_for(order_type, situation, line_kind)
    except KeyError:
        return given
    assert isinstance(g, Guidance)
    if g.complexity is None:
        return given
    if given is not None and given is not g.complexity:
        raise InvalidAction(
            f"A {situation} complaint is {g.complexity}, not {given}: the situation sets the complexity",
            code="complexity_mismatch", field="complexity",
        )
    return g.complexity


def close_directly_refusal(order_type: OrderType | str, situation: str | None, line_kind: str | None = None
                           ) -> InvalidAction | None:
    """Why an order of this type and situation may not be closed directly (R-P2, R-P11), or None.
    Without a situation, or with one that is not the type's, nothing closes directly."""
    otype = OrderType(order_type)
    label = f"{ORDER_TYPE_ZH[otype]} ({otype})"
    if not any(g.closes_directly for g in guidance_table(line_kind)[otype]):
        return InvalidAction(
            f"R-S8: a {label} on this line is passed to the responsible department, never closed directly",
            code="must_dispatch", field="situation",
        )
    if situation is None or situation not in situations_of(otype, line_kind):
        return InvalidAction(
            f"R-P2: a {label} is closed directly only in a situation that allows it; "
            "classify the order's situation first",
            code="situation_required", field="situation",
        )
    g = guidance_for(otype, situation, line_kind)
    assert isinstance(g, Guidance)
    if not g.closes_directly:
        return InvalidAction(
            f"R-P2: a {label} in situation {situation} ({g.situation_zh}) must be dispatched, "
            "not closed directly",
            code="must_dispatch", field="situation",
        )
    return None
