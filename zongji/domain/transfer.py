"""Transfer decisions (转接): whether and how a call can be put through. Pure: no I/O.

``decide_transfer(request) -> TransferDecision`` applies, in this order:

1. R-S1  outbound on an inbound-only line → ``refuse_inbound_only``.
2. Guests and rooms (R-H4, R-H8, R-H12): not in house / privacy ``not_staying`` → ``deny_stay``
   (the same words whether the guest is absent or hidden, and no message offer, so a caller can
   never tell the difference); privacy ``no_calls`` → ``refuse_no_calls``; DND → ``refuse_dnd``;
   otherwise ask the guest first (``connect_after_asking``) unless the guest already consented
   (``connect``) or declined (``refuse_declined``); in-house staff calling get ``connect``.
3. Persons (staff): DND → ``refuse_dnd``; on leave → the named deputy (R-S5, ``forward_to``);
   outside working hours → the after-hours contact (R-S2, ``forward_to``) else
   ``closed_offer_message``; an outside personal call in working hours (R-H6) →
   ``personal_call_refused`` or, when urgent, ``personal_call_redirect`` to the department office
   or the direct superior; then ask the callee first (R-C2, ``connect_after_asking``), or
   ``connect`` once they accept.
4. Departments: DND → ``refuse_dnd``; closed (lunch break included) → after-hours contact or
   ``closed_offer_message`` saying when it reopens; open → ``connect``.
5. Lines (who answers a published line now, R-S2/R-S5): closed → after-hours contact (manager's
   mobile), or the deputy when that contact is out of signal; open → the responsible person, or
   the deputy when they are on leave.

Privacy guarantee: a guest's room number (and room extension) never appears in any text of a
decision — script, reason, notes, forward, labels. Texts are built without it, and
``_redact`` removes it as a last line of defence (``TransferDecision.texts()`` lists every text,
the tests check them). For guests and rooms the number to ring is in ``dial`` with
``dial_private=True``: it is for the telephony adapter, never displayed; ``to_dict()`` leaves it
out unless ``include_private=True``.

``on_no_answer(attempt, seconds, settings)`` implements R-H3 (back to the operator after 30 s —
``Settings.transfer_no_answer_seconds`` — with the message prompt). ``start_attempt`` /
``finish_attempt`` give the record of each attempt (target, result, ring seconds).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, fields, is_dataclass, replace
from enum import StrEnum
from typing import Any, Protocol

from zongji.domain.working_hours import HoursExceptions, HoursState, HoursStatus, WorkingHours

# --------------------------------------------------------------------------- vocabulary


class TargetKind(StrEnum):
    PERSON = "person"
    DEPARTMENT = "department"
    ROOM = "room"
    GUEST = "guest"
    LINE = "line"  # the published line itself: who answers it now (R-S2, R-S5)


class PrivacyLevel(StrEnum):
    NORMAL = "normal"
    NO_CALLS = "no_calls"
    NOT_STAYING = "not_staying"


class CallPurpose(StrEnum):
    BUSINESS = "business"
    PERSONAL = "personal"
    UNKNOWN = "unknown"


class TransferOutcome(StrEnum):
    CONNECT = "connect"
    CONNECT_AFTER_ASKING = "connect_after_asking"
    FORWARD_TO = "forward_to"
    REFUSE_DND = "refuse_dnd"
    REFUSE_NO_CALLS = "refuse_no_calls"
    REFUSE_DECLINED = "refuse_declined"  # the guest / callee, when asked, would not take it
    DENY_STAY = "deny_stay"
    CLOSED_OFFER_MESSAGE = "closed_offer_message"
    PERSONAL_CALL_REDIRECT = "personal_call_redirect"
    PERSONAL_CALL_REFUSED = "personal_call_refused"
    UNREACHABLE_OFFER_MESSAGE = "unreachable_offer_message"  # nobody to ring (no number, no deputy)
    REFUSE_INBOUND_ONLY = "refuse_inbound_only"


# Outcomes after which the adapter rings someone (now, or once the callee agreed).
RINGING_OUTCOMES = frozenset({
    TransferOutcome.CONNECT, TransferOutcome.FORWARD_TO, TransferOutcome.PERSONAL_CALL_REDIRECT,
})

# Caller identity kinds (as in zongji.domain.caller_id.CallerIdentity.kind) that are in-house staff.
STAFF_CALLER_KINDS = frozenset({"staff", "department"})


@dataclass(frozen=True)
class Text:
    """A text in both console languages."""

    zh: str
    en: str

    def get(self, lang: str = "zh") -> str:
        return self.zh if lang.startswith("zh") else self.en

    def to_dict(self) -> dict[str, str]:
        return {"zh": self.zh, "en": self.en}


@dataclass(frozen=True)
class Reason:
    """Why: a stable ``code`` for logic and statistics, and text for the console."""

    code: str
    zh: str
    en: str

    def to_dict(self) -> dict[str, str]:
        return {"code": self.code, "zh": self.zh, "en": self.en}


# --------------------------------------------------------------------------- inputs


@dataclass(frozen=True)
class Contact:
    """Someone a call can be sent to instead of the target: deputy, manager on duty, office."""

    name: str
    number: str
    title: str | None = None
    title_en: str | None = None
    name_en: str | None = None
    on_leave: bool = False
    reachable: bool = True  # False: out of signal / switched off (R-S5)

    @property
    def available(self) -> bool:
        return bool(self.number) and not self.on_leave and self.reachable

    def label(self) -> Text:
        zh = f"{self.title}{self.name}" if self.title else self.name
        en_name = self.name_en or self.name
        en = f"{en_name}, {self.title_en}" if self.title_en else en_name
        return Text(zh, en)


@dataclass(frozen=True)
class Caller:
    """Who is calling, as identified (``zongji.domain.caller_id``) and told to the operator."""

    internal: bool = False  # an in-house extension
    kind: str = "unknown"  # guest | staff | customer | department | room | unknown
    name: str | None = None
    number: str | None = None
    vip: bool = False
    title: str | None = None  # how to address them (总经理， 李董事长)
    purpose: str | None = None  # what they said they want (told to the callee when asking)

    @property
    def is_staff(self) -> bool:
        return self.internal and self.kind in STAFF_CALLER_KINDS


@dataclass(frozen=True)
class Target:
    """What the operator chose. Fields that do not apply to a kind are left at their default.

    ``number``: what to ring — an extension or phone. For guests and rooms it is the room's
    extension and is treated as private. ``room_number`` is given only so the decision can
    guarantee it never leaks; it is never used in any text.
    ``hours``: None means no hours constraint (always reachable).
    """

    kind: TargetKind
    name: str
    name_en: str | None = None
    number: str | None = None
    title: str | None = None
    title_en: str | None = None
    department: str | None = None
    department_en: str | None = None
    hours: WorkingHours | None = None
    dnd: bool = False
    # persons and lines
    on_leave: bool = False
    deputy: Contact | None = None
    after_hours: Contact | None = None
    # A person's department's after-hours contact: reached by urgent calls only (issue 8).
    department_after_hours: Contact | None = None
    department_office: Contact | None = None
    superior: Contact | None = None
    # guests and rooms
    in_house: bool = True  # a guest currently staying (for a room: occupied)
    privacy_level: PrivacyLevel = PrivacyLevel.NORMAL
    vip: bool = False
    vip_title: str | None = None
    room_number: str | None = None  # private

    def __post_init__(self) -> None:
        object.__setattr__(self, "kind", TargetKind(self.kind))
        object.__setattr__(self, "privacy_level", PrivacyLevel(self.privacy_level or "normal"))

    @property
    def is_guest(self) -> bool:
        return self.kind in (TargetKind.GUEST, TargetKind.ROOM)

    def label(self) -> Text:
        """A label safe to show and record: never a room number."""
        if self.kind is TargetKind.GUEST:
            return Text(f"客人 {self.name}", f"Guest {self.name_en or self.name}")
        if self.kind is TargetKind.ROOM:
            return Text("客房", "Guest room")
        if self.kind is TargetKind.PERSON:
            zh = "".join(x for x in (self.department, self.title) if x) + self.name
            en_name = self.name_en or self.name
            en_bits = [b for b in (self.title_en, self.department_en) if b]
            en = f"{en_name} ({', '.join(en_bits)})" if en_bits else en_name
            return Text(zh, en)
        return Text(self.name, self.name_en or self.name)


@dataclass(frozen=True)
class TransferPolicy:
    """Organisation settings for transfers (defaults follow REQUIREMENTS.md)."""

    # R-C2: ask the callee before putting an outside call through to a person.
    ask_callee_first: bool = True
    # … and also for calls from in-house extensions.
    ask_callee_for_internal: bool = False
    # R-C2: tell the caller name, title, department and number of whom they are put through to.
    introduce_callee: bool = True
    # R-H6: outside personal calls for staff in working hours are not put through.
    block_personal_calls_in_hours: bool = True


@dataclass(frozen=True)
class TransferRequest:
    target: Target
    caller: Caller
    at: dt.datetime  # aware
    tz: dt.tzinfo  # the zone the target's working hours are meant in
    exceptions: HoursExceptions | frozenset[dt.date] | set[dt.date] | None = None  # holidays …
    # "in" (the caller is on the line), "internal", or "out": the operator places a call on
    # ``line`` (checked against R-S1).
    direction: str = "in"
    line_inbound_only: bool = False
    line_name: str | None = None
    purpose: CallPurpose = CallPurpose.UNKNOWN
    urgent: bool = False
    guest_consent: bool | None = None  # R-H4: the guest's answer when asked; None = not asked yet
    callee_accepts: bool | None = None  # R-C2: the staff member's answer; None = not asked yet
    guest_name_matches: bool | None = None  # ROOM asked by an outside caller: does the name match?
    emergency: bool = False  # in-house emergency (R-H11): DND / privacy / consent do not apply
    policy: TransferPolicy = field(default_factory=TransferPolicy)

    def __post_init__(self) -> None:
        object.__setattr__(self, "purpose", CallPurpose(self.purpose or "unknown"))


# --------------------------------------------------------------------------- decision


@dataclass(frozen=True)
class Forward:
    number: str
    who: Text
    role: str  # "deputy" | "after_hours" | "department_office" | "superior"
    why: Reason

    def to_dict(self) -> dict[str, Any]:
        return {"number": self.number, "who": self.who.to_dict(), "role": self.role, "why": self.why.to_dict()}


@dataclass(frozen=True)
class TransferDecision:
    outcome: TransferOutcome
    reason: Reason  # shown in the console
    script: Text | None  # what the operator says to the caller now
    target_kind: TargetKind
    target_label: Text  # safe for display and for the call record (never a room number)
    offer_message: bool = False
    offer_call_later: bool = False
    dial: str | None = None  # what the adapter rings (target, forward), if anything
    dial_private: bool = False  # True: a guest's room extension — never show or say it
    forward: Forward | None = None
    callee_script: Text | None = None  # what to say to the callee when asking first
    needs: tuple[str, ...] = ()  # details to get from the caller first: caller_name, purpose, guest_name
    notes: tuple[Reason, ...] = ()  # more for the operator (VIP, when it reopens …)
    hours_status: HoursStatus | None = None
    handover_note: bool = False  # R-H12: note a VIP guest's call handling in the handover

    @property
    def puts_through(self) -> bool:
        """The call will ring somewhere (now, or after the callee agrees)."""
        return self.outcome in RINGING_OUTCOMES or self.outcome is TransferOutcome.CONNECT_AFTER_ASKING

    @property
    def refused(self) -> bool:
        return not self.puts_through

    def texts(self) -> Iterator[str]:
        """Every human-readable text in the decision (for the privacy guarantee and tests)."""
        yield from _strings(self, skip={"dial"})

    def to_dict(self, *, include_private: bool = False) -> dict[str, Any]:
        d: dict[str, Any] = {
            "outcome": str(self.outcome),
            "reason": self.reason.to_dict(),
            "script": self.script.to_dict() if self.script else None,
            "target_kind": str(self.target_kind),
            "target_label": self.target_label.to_dict(),
            "offer_message": self.offer_message,
            "offer_call_later": self.offer_call_later,
            "forward": self.forward.to_dict() if self.forward else None,
            "callee_script": self.callee_script.to_dict() if self.callee_script else None,
            "needs": list(self.needs),
            "notes": [n.to_dict() for n in self.notes],
            "puts_through": self.puts_through,
            "handover_note": self.handover_note,
            "dial": None if (self.dial_private and not include_private) else self.dial,
        }
        if self.hours_status is not None:
            st = self.hours_status
            d["hours"] = {
                "state": str(st.state),
                "opens_at": st.opens_at.isoformat() if st.opens_at else None,
                "closes_at": st.closes_at.isoformat() if st.closes_at else None,
            }
        return d


# --------------------------------------------------------------------------- scripts


SCRIPTS: dict[str, Text] = {
    # R-H3 / R-S14
    "transfer": Text("请稍等，我为您转接。", "One moment, please. I'll put you through."),
    "transfer_to": Text("请稍等，我为您转接{who_zh}。", "One moment, please. I'll put you through to {who_en}."),
    "transfer_to_number": Text("请稍等，我为您转接{who_zh}，号码是{number}。",
                               "One moment, please. I'll put you through to {who_en}, number {number}."),
    "ask_first": Text("请稍等，我帮您联系一下。", "One moment, please, I'll see if they are available."),
    "ask_guest_details": Text("请问您贵姓？有什么事情需要转告客人吗？",
                              "May I have your name, please, and what it is about?"),
    "ask_guest_name": Text("请问您要找的客人怎么称呼？", "May I have the name of the guest you are calling?"),
    # R-H8 / R-H4
    "dnd": Text("对不起，客人现在不方便接听电话，请问您是否需要留言？",
                "I'm sorry, the guest is not available to take calls at the moment. "
                "Would you like to leave a message?"),
    "dnd_person": Text("对不起，{who_zh}现在不方便接听电话，请问您是否需要留言？",
                       "I'm sorry, {who_en} is not available to take calls at the moment. "
                       "Would you like to leave a message?"),
    "deny_stay": Text("对不起，我们没有查到这位客人的住店信息。请问还有什么可以帮您？",
                      "I'm sorry, we have no record of a guest by that name. "
                      "Is there anything else I can help you with?"),
    # R-H3
    "no_answer": Text("对不起，电话没有人接，请问您是否需要留言？",
                      "I'm sorry, there is no answer. Would you like to leave a message?"),
    "closed_break": Text("对不起，{who_zh}现在是午休时间，{when_zh}恢复办公。请问您是否需要留言，或者稍后再来电？",
                         "I'm sorry, {who_en} is on a break and is back at {when_en}. "
                         "Would you like to leave a message or call again later?"),
    "closed": Text("对不起，{who_zh}现在不在工作时间，{when_zh}开始办公。请问您是否需要留言？",
                   "I'm sorry, {who_en} is closed now and opens {when_en}. Would you like to leave a message?"),
    "closed_no_reopen": Text("对不起，{who_zh}现在不在工作时间。请问您是否需要留言？",
                             "I'm sorry, {who_en} is closed now. Would you like to leave a message?"),
    "unreachable": Text("对不起，{who_zh}现在无法接听电话，请问您是否需要留言？",
                        "I'm sorry, {who_en} cannot take calls at the moment. Would you like to leave a message?"),
    # R-H6
    "personal_refused": Text("对不起，{who_zh}现在正在工作，不方便接听电话。请问您是否需要留言，我们会转告。",
                             "I'm sorry, {who_en} is on duty and cannot take calls now. "
                             "Would you like to leave a message? We will pass it on."),
    "personal_redirect": Text("请稍等，我为您转接{who_zh}。", "One moment, please. I'll put you through to {who_en}."),
    # R-S1
    "inbound_only": Text("对不起，这条热线只接听来电，不能用它外呼。我们会用其他线路与您联系。",
                         "I'm sorry, this hotline takes incoming calls only and cannot be used to call out. "
                         "We will contact you from another line."),
    # R-S14 (for the console's script panel)
    "greeting_inbound": Text("您好！请问有什么可以帮助您？", "Hello! How may I help you?"),
    "outbound_intro": Text("您好！我是{centre}客服中心{operator_number}号，请问您是{customer}吗？",
                           "Hello, this is agent {operator_number} of the {centre} service centre. "
                           "Am I speaking with {customer}?"),
    "hold_lookup": Text("请您稍等，我帮您查询一下。", "Please hold for a moment while I check."),
    "back_from_hold": Text("{customer}您好，感谢您的等待。", "Thank you for waiting, {customer}."),
    "long_lookup": Text("这个问题需要一些时间查询，请您先挂机，我们查到后会给您回电。",
                        "This will take a little time to look up. Please hang up and we will call you back."),
    "confirm_number": Text("我跟您核对一下号码：{number}，对吗？", "Let me read the number back: {number}. Is that right?"),
    "complaint_close": Text("非常抱歉给您带来不便，我们会尽快向上级部门反映，并在{hours}小时内给您回复。",
                            "We are very sorry for the trouble. We will report this and reply within {hours} hours."),
    "close": Text("感谢您的来电，再见！", "Thank you for calling. Goodbye!"),
    "close_holiday": Text("感谢您的来电，祝您节日快乐，再见！", "Thank you for calling. Happy holidays, goodbye!"),
}


def script(key: str, **params: Any) -> Text:
    """A script with ``{placeholders}`` filled in (``KeyError`` for an unknown key)."""
    t = SCRIPTS[key]
    return Text(t.zh.format(**params), t.en.format(**params))


# --------------------------------------------------------------------------- the rule


def decide_transfer(request: TransferRequest) -> TransferDecision:
    """Decide whether and how the call can be put through. See the module docstring."""
    if request.at.tzinfo is None:
        raise ValueError("TransferRequest.at must be timezone-aware")
    t = request.target
    if request.direction == "out" and request.line_inbound_only:
        decision = _inbound_only(request)
    elif t.is_guest:
        decision = _guest(request)
    elif t.kind is TargetKind.PERSON:
        decision = _person(request)
    elif t.kind is TargetKind.DEPARTMENT:
        decision = _department(request)
    else:
        decision = _line(request)
    return _finish(request, decision)


def _base(req: TransferRequest, outcome: TransferOutcome, reason: Reason, script_: Text | None,
          **kw: Any) -> TransferDecision:
    return TransferDecision(outcome=outcome, reason=reason, script=script_, target_kind=req.target.kind,
                            target_label=req.target.label(), **kw)


def _inbound_only(req: TransferRequest) -> TransferDecision:
    line = req.line_name or "本热线"
    line_en = req.line_name or "this hotline"
    return _base(req, TransferOutcome.REFUSE_INBOUND_ONLY,
                 Reason("inbound_only", f"{line}号码只能接听来电，不能外呼，请使用其他线路。",
                        f"{line_en} is inbound only; outbound calls are not allowed on it. "
                        "Use another line."),
                 script("inbound_only"))


# ---- guests and rooms


def _guest(req: TransferRequest) -> TransferDecision:
    t, c = req.target, req.caller
    staff = c.is_staff
    private = dict(dial=t.number, dial_private=True, handover_note=t.vip)
    if req.emergency and staff:
        return _base(req, TransferOutcome.CONNECT,
                     Reason("emergency", "紧急情况：直接接通客人。", "Emergency: connect the guest directly."),
                     script("transfer"), **private)
    if t.kind is TargetKind.ROOM and not c.internal and req.guest_name_matches is None:
        # R-H4: an outside caller who asks for a room learns nothing about it (empty, DND, no
        # calls, hidden) until they have named the guest; every room answers the same way.
        return _ask_guest(req)
    hidden = t.privacy_level is PrivacyLevel.NOT_STAYING
    if not t.in_house or (hidden and not staff) or (req.guest_name_matches is False and not staff):
        if not t.in_house:
            reason = Reason("not_in_house", "查无此住客：不确认、不透露任何信息。",
                            "No such guest in house: confirm nothing, disclose nothing.")
        elif hidden:
            reason = Reason("privacy_not_staying",
                            "客人要求完全保密（对外称未入住）：按未入住答复，不确认住店，不提供留言。",
                            "Guest asked for full privacy (not staying here): deny the stay; "
                            "do not confirm anything and do not take a message.")
        else:
            reason = Reason("guest_name_mismatch", "来电人所说的客人姓名与该房间不符：不确认住店。",
                            "The name the caller gave does not match this room: confirm nothing.")
        return _base(req, TransferOutcome.DENY_STAY, reason, script("deny_stay"), handover_note=t.vip)
    if t.privacy_level in (PrivacyLevel.NO_CALLS, PrivacyLevel.NOT_STAYING):
        return _base(req, TransferOutcome.REFUSE_NO_CALLS,
                     Reason("privacy_no_calls", "客人要求不接听任何电话：婉拒，可提供留言。",
                            "Guest accepts no calls: decline politely and offer a message."),
                     script("dnd"), offer_message=True, offer_call_later=True, handover_note=t.vip)
    if t.dnd:
        return _base(req, TransferOutcome.REFUSE_DND,
                     Reason("dnd", "客人设置了免打扰：婉拒来电，提供留言或请稍后再来电。",
                            "Guest has do-not-disturb on: decline, offer a message or to call later."),
                     script("dnd"), offer_message=True, offer_call_later=True, handover_note=t.vip)
    if staff:
        return _base(req, TransferOutcome.CONNECT,
                     Reason("internal_staff", "酒店内部员工来电：直接接通客人。",
                            "In-house staff calling: connect the guest."),
                     script("transfer"), **private)
    # R-H4: an outside caller who asked for a room must first have named the guest correctly
    # ("check that the guest is the person sought"); until then the guest's answer is not used.
    name_checked = not (t.kind is TargetKind.ROOM and not c.internal and req.guest_name_matches is not True)
    if req.guest_consent is True and name_checked:
        return _base(req, TransferOutcome.CONNECT,
                     Reason("guest_accepted", "客人同意接听：接通。", "The guest accepted the call: connect."),
                     script("transfer"), **private)
    if req.guest_consent is False and name_checked:
        return _base(req, TransferOutcome.REFUSE_DECLINED,
                     Reason("guest_declined", "客人不接听此来电：婉拒来电人，提供留言。",
                            "The guest declined the call: decline politely, offer a message."),
                     script("dnd"), offer_message=True, handover_note=t.vip)
    return _ask_guest(req)


def _ask_guest(req: TransferRequest) -> TransferDecision:
    """Ask for what is missing (the guest's name, the caller's name and purpose), then the guest."""
    t, c = req.target, req.caller
    private = dict(dial=t.number, dial_private=True, handover_note=t.vip)
    needs: list[str] = []
    if t.kind is TargetKind.ROOM and req.guest_name_matches is None and not c.internal:
        needs.append("guest_name")
    if not (c.name or "").strip():
        needs.append("caller_name")
    if not (c.purpose or "").strip():
        needs.append("purpose")
    caller_zh = c.name or "一位先生/女士"
    caller_en = c.name or "a caller"
    purpose_zh = f"，事由：{c.purpose}" if c.purpose else ""
    purpose_en = f" about {c.purpose}" if c.purpose else ""
    callee = Text(f"您好，{caller_zh}来电找您{purpose_zh}，请问您是否接听？",
                  f"Hello, {caller_en} is calling for you{purpose_en}. Would you like to take the call?")
    if "guest_name" in needs:
        first = script("ask_guest_name")
    elif needs:
        first = script("ask_guest_details")
    else:
        first = script("ask_first")
    return _base(req, TransferOutcome.CONNECT_AFTER_ASKING,
                 Reason("ask_guest", "先问清来电人姓名和事由，核对客人身份，再征询客人是否接听；不要透露房号，也不确认客人是否住店。",
                        "Get the caller's name and purpose, check it is the right guest, then ask the guest "
                        "whether they take the call. Never give the room number or confirm the stay."),
                 first, callee_script=callee, needs=tuple(needs), **private)


_HONORIFICS_ZH = ("先生", "女士", "小姐", "太太", "夫人", "老师", "总", "经理", "董事长", "教授", "博士")
_HONORIFICS_EN = ("mr", "mrs", "ms", "miss", "dr", "prof", "sir", "madam")


def guest_name_matches(asked: str | None, name: str | None) -> bool | None:
    """R-H4: does the name a caller asked for match the guest in the room?

    ``None`` when the caller gave no name (not checked yet). A match is the full name (case,
    spaces and dots ignored), or a surname with an honorific (王先生、王总、Mr Smith), the usual
    way a caller names a guest. A bare surname or a fragment is not enough: 王 alone does not
    identify 王小明.
    """
    if asked is None or not asked.strip():
        return None
    if not name or not name.strip():
        return False

    def norm(x: str) -> str:
        return re.sub(r"[\s.·・,，]+", "", x).casefold()

    a, n = norm(asked), norm(name)
    if a == n:
        return True
    words = [w.casefold() for w in re.split(r"[\s.·・,，]+", name.strip()) if w]
    asked_words = [w.casefold() for w in re.split(r"[\s.·・,，]+", asked.strip()) if w]
    # Latin script: every word the caller said is one of the guest's names, and either the
    # caller gave two names or an honorific with the family name (Mr Smith, John Smith).
    if asked_words and asked_words[0] in _HONORIFICS_EN and len(asked_words) >= 2:
        return all(w in words for w in asked_words[1:])
    if len(asked_words) >= 2 and all(w in words for w in asked_words):
        return True
    # Chinese: surname (one or two characters) + honorific.
    for h in _HONORIFICS_ZH:
        if a.endswith(h) and len(a) > len(h):
            stem = a[: -len(h)]
            return len(stem) <= 2 and n.startswith(stem) and len(n) > len(stem)
    return False


# ---- persons


def _hours(req: TransferRequest) -> HoursStatus | None:
    h = req.target.hours
    if h is None:
        return None
    return h.status_at(req.at, req.tz, req.exceptions)


def _when(moment: dt.datetime | None, req: TransferRequest) -> tuple[str, str] | None:
    if moment is None:
        return None
    local = moment.astimezone(req.tz)
    now = req.at.astimezone(req.tz)
    days = (local.date() - now.date()).days
    hm = f"{local:%H:%M}"
    if days == 0:
        return hm, hm
    if days == 1:
        return f"明天{hm}", f"tomorrow at {hm}"
    if days < 7:
        wd = local.weekday()
        return f"{'周一 周二 周三 周四 周五 周六 周日'.split()[wd]}{hm}", f"on {local:%A} at {hm}"
    return f"{local.month}月{local.day}日{hm}", f"on {local:%d %B} at {hm}"


def _closed(req: TransferRequest, st: HoursStatus, who: Text) -> TransferDecision:
    """Closed: forward to the after-hours contact (or its deputy), else offer a message."""
    t = req.target
    fwd = _after_hours_forward(req, st)
    if fwd is not None:
        return fwd
    when = _when(st.opens_at, req)
    if st.state is HoursState.BREAK and when:
        s = script("closed_break", who_zh=who.zh, who_en=who.en, when_zh=when[0], when_en=when[1])
        reason = Reason("lunch_break", f"{who.zh}午休中，{when[0]}恢复办公：提供留言或请稍后再来电。",
                        f"{who.en} is on a break until {when[1]}: offer a message or to call later.")
    elif when:
        s = script("closed", who_zh=who.zh, who_en=who.en, when_zh=when[0], when_en=when[1])
        code = "holiday" if st.state is HoursState.HOLIDAY else "after_hours"
        zh_state = "今天放假" if code == "holiday" else "不在工作时间"
        reason = Reason(code, f"{who.zh}{zh_state}，{when[0]}开始办公：提供留言。",
                        f"{who.en} is closed ({st.state}); opens {when[1]}: offer a message.")
    else:
        s = script("closed_no_reopen", who_zh=who.zh, who_en=who.en)
        reason = Reason("after_hours", f"{who.zh}不在工作时间：提供留言。",
                        f"{who.en} is closed: offer a message.")
    notes = ()
    if t.hours is not None:
        notes = (Reason("hours", f"工作时间：{t.hours.describe('zh')}", f"Hours: {t.hours.describe('en')}"),)
    return _base(req, TransferOutcome.CLOSED_OFFER_MESSAGE, reason, s, offer_message=True,
                 offer_call_later=True, hours_status=st, notes=notes)


def _after_hours_forward(req: TransferRequest, st: HoursStatus) -> TransferDecision | None:
    t = req.target
    ah, deputy = t.after_hours, t.deputy
    if ah is not None and ah.available:
        return _forward(req, ah, "after_hours",
                        Reason("after_hours_forward",
                               f"非工作时间，转接{ah.label().zh}的手机。",
                               f"Outside working hours: forward to {ah.label().en}."),
                        hours_status=st)
    if ah is not None and deputy is not None and deputy.available:
        return _forward(req, deputy, "deputy",
                        Reason("after_hours_deputy",
                               f"非工作时间，{ah.label().zh}无法接通（休假或无信号），转接指定代理人{deputy.label().zh}。",
                               f"Outside working hours and {ah.label().en} cannot be reached: "
                               f"forward to the named deputy {deputy.label().en}."),
                        hours_status=st)
    return None


def _urgent_when_closed(req: TransferRequest, st: HoursStatus, who: Text) -> TransferDecision | None:
    """Issue 8: an urgent call (U) to someone at lunch or after hours reaches a person, not a
    message — their department's after-hours contact, else their named deputy, else their superior."""
    t = req.target
    when_zh = "午休" if st.state is HoursState.BREAK else "不在工作时间"
    when_en = "on a break" if st.state is HoursState.BREAK else "outside working hours"
    for contact, role, zh, en in (
            (t.after_hours, "after_hours", "非工作时间联系人", "the after-hours contact"),
            (t.department_after_hours, "after_hours", "部门非工作时间联系人", "the department's after-hours contact"),
            (t.deputy, "deputy", "指定代理人", "the named deputy"),
            (t.superior, "superior", "直接上级", "the direct superior")):
        if contact is not None and contact.available and contact.number:
            return _forward(req, contact, role,
                            Reason("urgent_closed_" + role,
                                   f"紧急来电：{who.zh}{when_zh}，转接{zh}{contact.label().zh}。",
                                   f"Urgent call: {who.en} is {when_en}; forward to {en}, "
                                   f"{contact.label().en}."),
                            hours_status=st)
    return None


def _forward(req: TransferRequest, to: Contact, role: str, why: Reason, *,
             outcome: TransferOutcome = TransferOutcome.FORWARD_TO, **kw: Any) -> TransferDecision:
    who = to.label()
    s = script("transfer_to", who_zh=who.zh, who_en=who.en)
    return _base(req, outcome, why, s, dial=to.number,
                 forward=Forward(number=to.number, who=who, role=role, why=why), **kw)


def _person(req: TransferRequest) -> TransferDecision:
    t, c, pol = req.target, req.caller, req.policy
    who = t.label()
    if t.dnd and not req.emergency:
        return _base(req, TransferOutcome.REFUSE_DND,
                     Reason("dnd", f"{who.zh}设置了免打扰：婉拒，提供留言。",
                            f"{who.en} has do-not-disturb on: decline, offer a message."),
                     script("dnd_person", who_zh=t.name, who_en=t.name_en or t.name),
                     offer_message=True, offer_call_later=True)
    if t.on_leave:
        if t.deputy is not None and t.deputy.available:
            return _forward(req, t.deputy, "deputy",
                            Reason("on_leave_deputy", f"{who.zh}休假，转接指定代理人{t.deputy.label().zh}。",
                                   f"{who.en} is on leave: forward to the named deputy "
                                   f"{t.deputy.label().en}."))
        return _base(req, TransferOutcome.UNREACHABLE_OFFER_MESSAGE,
                     Reason("on_leave", f"{who.zh}休假，且没有可接听的代理人：提供留言。",
                            f"{who.en} is on leave and no deputy can be reached: offer a message."),
                     script("unreachable", who_zh=t.name, who_en=t.name_en or t.name), offer_message=True)
    st = _hours(req)
    if st is not None and not st.is_open:
        if req.urgent:
            fwd = _urgent_when_closed(req, st, who)
            if fwd is not None:
                return fwd
        return _closed(req, st, Text(t.name, t.name_en or t.name))
    if (not c.internal and req.purpose is CallPurpose.PERSONAL and pol.block_personal_calls_in_hours):
        return _personal_call(req, st)
    if not t.number:
        return _base(req, TransferOutcome.UNREACHABLE_OFFER_MESSAGE,
                     Reason("no_number", f"{who.zh}没有可拨打的号码：提供留言。",
                            f"{who.en} has no number to ring: offer a message."),
                     script("unreachable", who_zh=t.name, who_en=t.name_en or t.name), offer_message=True,
                     hours_status=st)
    ask = pol.ask_callee_first and (not c.internal or pol.ask_callee_for_internal) and not req.emergency
    if ask and req.callee_accepts is False:
        return _base(req, TransferOutcome.REFUSE_DECLINED,
                     Reason("callee_declined", f"{who.zh}现在不能接听：记录留言（来电人姓名、联系方式、内容）并转达。",
                            f"{who.en} cannot take the call: take a message (name, contact, content) and deliver it."),
                     script("dnd_person", who_zh=t.name, who_en=t.name_en or t.name),
                     offer_message=True, hours_status=st)
    introduce = _introduce(req)
    if ask and req.callee_accepts is None:
        caller_zh = (c.title or "") + (c.name or "一位来电人")
        caller_en = c.name or "a caller"
        purpose_zh = f"，事由：{c.purpose}" if c.purpose else ""
        purpose_en = f" about {c.purpose}" if c.purpose else ""
        callee = Text(f"您好，{caller_zh}来电找您{purpose_zh}，请问您现在方便接听吗？",
                      f"Hello, {caller_en} is calling for you{purpose_en}. Can you take the call now?")
        return _base(req, TransferOutcome.CONNECT_AFTER_ASKING,
                     Reason("ask_callee", f"先征询{who.zh}是否接听；同意后接通并告知来电人对方的姓名、职务、部门和号码。",
                            f"Ask {who.en} first whether they take the call; then tell the caller "
                            "the name, title, department and number."),
                     script("ask_first"), callee_script=callee, dial=t.number, hours_status=st,
                     notes=(Reason("introduce", introduce.zh, introduce.en),))
    return _base(req, TransferOutcome.CONNECT,
                 Reason("connect", f"接通{who.zh}。", f"Connect {who.en}."), introduce,
                 dial=t.number, hours_status=st)


def _introduce(req: TransferRequest) -> Text:
    t = req.target
    if not req.policy.introduce_callee or not t.number:
        return script("transfer")
    who = t.label()
    return script("transfer_to_number", who_zh=who.zh, who_en=who.en, number=t.number)


def _personal_call(req: TransferRequest, st: HoursStatus | None) -> TransferDecision:
    t = req.target
    who = Text(t.name, t.name_en or t.name)
    if req.urgent:
        for role, contact, zh_role, en_role in (
            ("department_office", t.department_office, "所在部门办公室", "the department office"),
            ("superior", t.superior, "直接上级", "the direct superior"),
        ):
            if contact is not None and contact.available:
                why = Reason("personal_call_urgent",
                             f"工作时间的外线私人电话不直接转给员工；事情紧急，转接{zh_role}{contact.label().zh}。",
                             f"Outside personal call during working hours is not put through to staff; it is "
                             f"urgent, so it goes to {en_role}, {contact.label().en}.")
                return _forward(req, contact, role, why, outcome=TransferOutcome.PERSONAL_CALL_REDIRECT,
                                hours_status=st)
        return _base(req, TransferOutcome.CONNECT_AFTER_ASKING,
                     Reason("personal_call_urgent_ask",
                            "紧急私人电话，但没有登记部门办公室或直接上级：先征询员工本人。",
                            "Urgent personal call but no department office or superior is on file: "
                            "ask the staff member first."),
                     script("ask_first"), dial=t.number, hours_status=st,
                     callee_script=Text("您好，有一个紧急私人电话找您，请问您现在方便接听吗？",
                                        "Hello, there is an urgent personal call for you. Can you take it now?"))
    return _base(req, TransferOutcome.PERSONAL_CALL_REFUSED,
                 Reason("personal_call", "员工工作时间内一般不转接外线私人电话：提供留言，事情紧急可转部门办公室或直接上级。",
                        "Outside personal calls for staff are normally not put through in working hours: "
                        "offer a message; if urgent, the department office or direct superior."),
                 script("personal_refused", who_zh=who.zh, who_en=who.en), offer_message=True,
                 hours_status=st)


# ---- departments and lines


def _department(req: TransferRequest) -> TransferDecision:
    t = req.target
    who = Text(t.name, t.name_en or t.name)
    if t.dnd and not req.emergency:
        return _base(req, TransferOutcome.REFUSE_DND,
                     Reason("dnd", f"{who.zh}设置了免打扰：提供留言。", f"{who.en} has do-not-disturb on: offer a message."),
                     script("dnd_person", who_zh=who.zh, who_en=who.en), offer_message=True, offer_call_later=True)
    st = _hours(req)
    if st is not None and not st.is_open and not req.emergency:
        return _closed(req, st, who)
    if not t.number:
        return _base(req, TransferOutcome.UNREACHABLE_OFFER_MESSAGE,
                     Reason("no_number", f"{who.zh}没有可拨打的号码：提供留言。", f"{who.en} has no number: offer a message."),
                     script("unreachable", who_zh=who.zh, who_en=who.en), offer_message=True, hours_status=st)
    return _base(req, TransferOutcome.CONNECT, Reason("connect", f"接通{who.zh}。", f"Connect {who.en}."),
                 _introduce(req), dial=t.number, hours_status=st)


def _line(req: TransferRequest) -> TransferDecision:
    t = req.target
    st = _hours(req)
    who = Text(t.name, t.name_en or t.name)
    if st is not None and not st.is_open:
        fwd = _after_hours_forward(req, st)
        if fwd is not None:
            return fwd
        return _closed(req, st, who)
    responsible = Contact(name=t.title or t.name, number=t.number or "", on_leave=t.on_leave)
    if responsible.available:
        return _base(req, TransferOutcome.CONNECT,
                     Reason("responsible", f"工作时间，由{who.zh}的负责人接听。", f"In hours: the person responsible for {who.en} answers."),
                     script("transfer"), dial=t.number, hours_status=st)
    if t.deputy is not None and t.deputy.available:
        return _forward(req, t.deputy, "deputy",
                        Reason("on_leave_deputy", f"负责人不在岗，转接指定代理人{t.deputy.label().zh}。",
                               f"The responsible person is away: forward to the named deputy {t.deputy.label().en}."),
                        hours_status=st)
    return _base(req, TransferOutcome.UNREACHABLE_OFFER_MESSAGE,
                 Reason("no_deputy", "负责人不在岗且没有可接通的代理人：由话务员接听并记录。",
                        "Nobody responsible can be reached: the operator answers and records the call."),
                 script("unreachable", who_zh=who.zh, who_en=who.en), offer_message=True, hours_status=st)


# ---- finishing: notes and the privacy guarantee


def _finish(req: TransferRequest, d: TransferDecision) -> TransferDecision:
    notes = list(d.notes)
    c, t = req.caller, req.target
    if c.vip:
        title = c.title or c.name or ""
        notes.append(Reason("vip_caller", f"VIP来电：请称呼{title}。", f"VIP caller: address them as {title}."))
    if t.is_guest and t.vip:
        notes.append(Reason("vip_guest", "VIP客人：本次处理情况记入交接班本。",
                            "VIP guest: note how this call was handled in the handover log."))
    d = replace(d, notes=tuple(notes))
    if t.is_guest:
        d = _redact(d, [t.room_number, t.number])
    return d


def _secret_pattern(secrets: Iterable[str | None]) -> re.Pattern[str] | None:
    items = sorted({s.strip() for s in secrets if s and s.strip()}, key=len, reverse=True)
    if not items:
        return None
    return re.compile(r"(?<![0-9A-Za-z])(?:" + "|".join(re.escape(s) for s in items) + r")(?![0-9A-Za-z])")


def _redact(d: TransferDecision, secrets: Iterable[str | None]) -> TransferDecision:
    pat = _secret_pattern(secrets)
    if pat is None:
        return d
    return _map_strings(d, lambda s: pat.sub("***", s), skip={"dial"})


def _map_strings(obj: Any, fn: Any, skip: set[str]) -> Any:
    if isinstance(obj, StrEnum):
        return obj
    if isinstance(obj, str):
        return fn(obj)
    if isinstance(obj, tuple):
        return tuple(_map_strings(x, fn, skip) for x in obj)
    if is_dataclass(obj) and not isinstance(obj, type) and not isinstance(obj, (HoursStatus, WorkingHours)):
        changes = {}
        for f in fields(obj):
            if f.name in skip:
                continue
            v = getattr(obj, f.name)
            nv = _map_strings(v, fn, skip)
            if nv is not v:
                changes[f.name] = nv
        return replace(obj, **changes) if changes else obj
    return obj


def _strings(obj: Any, skip: set[str]) -> Iterator[str]:
    if isinstance(obj, StrEnum):
        return
    if isinstance(obj, str):
        yield obj
    elif isinstance(obj, tuple):
        for x in obj:
            yield from _strings(x, skip)
    elif is_dataclass(obj) and not isinstance(obj, type) and not isinstance(obj, (HoursStatus, WorkingHours)):
        for f in fields(obj):
            if f.name not in skip:
                yield from _strings(getattr(obj, f.name), skip)


# --------------------------------------------------------------------------- attempts and no answer


class AttemptResult(StrEnum):
    RINGING = "ringing"
    ANSWERED = "answered"
    NO_ANSWER = "no_answer"
    BUSY = "busy"
    DECLINED = "declined"
    REFUSED = "refused"  # not put through: the decision refused it
    FAILED = "failed"


@dataclass(frozen=True)
class TransferAttempt:
    """One attempt recorded on the call (target, result, ring seconds). ``target_label`` is safe
    to show; ``dial`` is private when ``dial_private``."""

    target_kind: TargetKind
    target_label: Text
    outcome: TransferOutcome
    started_at: dt.datetime
    dial: str | None = None
    dial_private: bool = False
    result: AttemptResult = AttemptResult.RINGING
    ended_at: dt.datetime | None = None
    ring_seconds: int | None = None

    def to_dict(self, *, include_private: bool = False) -> dict[str, Any]:
        return {
            "target_kind": str(self.target_kind), "target_label": self.target_label.to_dict(),
            "outcome": str(self.outcome), "started_at": self.started_at.isoformat(),
            "dial": None if (self.dial_private and not include_private) else self.dial,
            "result": str(self.result), "ended_at": self.ended_at.isoformat() if self.ended_at else None,
            "ring_seconds": self.ring_seconds,
        }


def start_attempt(decision: TransferDecision, at: dt.datetime) -> TransferAttempt:
    """The attempt record for a decision; refused decisions are recorded as ``refused`` at once."""
    result = AttemptResult.RINGING if decision.outcome in RINGING_OUTCOMES else AttemptResult.REFUSED
    return TransferAttempt(target_kind=decision.target_kind, target_label=decision.target_label,
                           outcome=decision.outcome, started_at=at, dial=decision.dial,
                           dial_private=decision.dial_private, result=result,
                           ended_at=None if result is AttemptResult.RINGING else at,
                           ring_seconds=None if result is AttemptResult.RINGING else 0)


def finish_attempt(attempt: TransferAttempt, result: AttemptResult | str, at: dt.datetime) -> TransferAttempt:
    """Close an attempt with its result; ring seconds are whole seconds from start."""
    secs = max(0, int((at - attempt.started_at).total_seconds()))
    return replace(attempt, result=AttemptResult(result), ended_at=at, ring_seconds=secs)


class _HasNoAnswerSeconds(Protocol):
    transfer_no_answer_seconds: int


@dataclass(frozen=True)
class NoAnswerResult:
    back_to_operator: bool
    seconds_left: float  # until the call comes back (0 when it has)
    prompt: Text | None  # R-H3 prompt, once back with the operator
    offer_message: bool
    result: AttemptResult


def on_no_answer(attempt: TransferAttempt | TransferDecision | None, seconds: float,
                 settings: _HasNoAnswerSeconds | int | None = None) -> NoAnswerResult:
    """R-H3: after ``settings.transfer_no_answer_seconds`` (default 30) of ringing without an
    answer the call comes back to the operator with "对不起，电话没有人接，请问您是否需要留言？".

    ``settings`` may be ``zongji.settings.Settings`` (or anything with that attribute) or the
    number of seconds. ``attempt`` is informational (the prompt never names a guest's room).
    """
    if settings is None:
        timeout = 30
    elif isinstance(settings, (int, float)):
        timeout = settings
    else:
        timeout = settings.transfer_no_answer_seconds
    if timeout <= 0:
        raise ValueError("the no-answer time must be positive")
    if seconds < timeout:
        return NoAnswerResult(False, float(timeout - seconds), None, False, AttemptResult.RINGING)
    return NoAnswerResult(True, 0.0, script("no_answer"), True, AttemptResult.NO_ANSWER)


__all__ = [
    "AttemptResult",
    "CallPurpose",
    "Caller",
    "Contact",
    "Forward",
    "NoAnswerResult",
    "PrivacyLevel",
    "Reason",
    "SCRIPTS",
    "Target",
    "TargetKind",
    "Text",
    "TransferAttempt",
    "TransferDecision",
    "TransferOutcome",
    "TransferPolicy",
    "TransferRequest",
    "decide_transfer",
    "finish_attempt",
    "guest_name_matches",
    "on_no_answer",
    "script",
    "start_attempt",
]
