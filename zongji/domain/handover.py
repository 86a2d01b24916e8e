"""Shift handover log (交接班本， R-H13, R-H5, R-H8, R-H12). Pure.

``assemble_handover(inputs, …)`` builds the handover from plain inputs into sections:

    dnd            active do-not-disturb (guest name, room, since, until) — R-H8
    messages       messages not acknowledged, undelivered first (never lost) — R-H5
    vips           VIPs in house and arriving (title, name, room, call handling) — R-H12
    callbacks      open callbacks promised to callers
    faults         open line faults — R-S3
    entries        free-text entries by the outgoing shift
    wakeups        the day's wake-ups in time order with state, and the escalated ones still
                   open (rooms to knock) — R-H9, via ``extra_sections`` / ``wakeup_sections``

Empty sections are kept (an empty section is information: "no DND tonight").

State: ``draft`` → ``signed_off`` (outgoing shift signs what it hands over) → ``acknowledged``
(incoming shift signs what it takes over; must be someone else). Entries can be added only while
in draft. The handover is an internal document for operators: room numbers appear in it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from enum import StrEnum

from zongji.domain.dnd import DndPeriod, active_dnd
from zongji.domain.lines import FaultRecord
from zongji.domain.messages import Message, handover_messages
from zongji.domain.working_hours import FieldError


class HandoverState(StrEnum):
    DRAFT = "draft"
    SIGNED_OFF = "signed_off"
    ACKNOWLEDGED = "acknowledged"


class SectionKey(StrEnum):
    DND = "dnd"
    MESSAGES = "messages"
    VIPS = "vips"
    CALLBACKS = "callbacks"
    FAULTS = "faults"
    ENTRIES = "entries"


SECTION_TITLES: dict[str, tuple[str, str]] = {
    SectionKey.DND: ("免打扰", "Do not disturb"),
    SectionKey.MESSAGES: ("未送达/未取留言", "Messages not yet picked up"),
    SectionKey.VIPS: ("VIP客人（在店及预抵）", "VIPs in house and arriving"),
    SectionKey.CALLBACKS: ("待回电", "Open callbacks"),
    SectionKey.FAULTS: ("线路故障", "Line faults"),
    SectionKey.ENTRIES: ("其他交接事项", "Other entries"),
}
SECTION_ORDER: tuple[str, ...] = tuple(SECTION_TITLES)


class HandoverError(ValueError):
    def __init__(self, errors: Iterable[FieldError]):
        self.errors = tuple(errors)
        self.field = self.errors[0].field if self.errors else None
        super().__init__("; ".join(f"{e.field}: {e.message}" for e in self.errors))


# --------------------------------------------------------------------------- inputs


@dataclass(frozen=True)
class VipGuest:
    name: str
    title: str | None  # how to address, e.g. 李董事长
    room_number: str | None
    arrival: dt.datetime
    departure: dt.datetime | None = None
    status: str = "in_house"  # "in_house" | "arriving"
    call_handling: str | None = None  # how calls for them are handled (R-H12)
    privacy_level: str = "normal"


@dataclass(frozen=True)
class OpenCallback:
    ref: str
    who: str
    number: str
    about: str
    due_at: dt.datetime | None = None
    promised_by: str | None = None


@dataclass(frozen=True)
class FreeTextEntry:
    at: dt.datetime
    author: str
    text: str
    section: str = SectionKey.ENTRIES  # an entry may be filed under another section


@dataclass(frozen=True)
class HandoverInputs:
    dnd: Sequence[DndPeriod] = ()
    messages: Sequence[Message] = ()
    vips: Sequence[VipGuest] = ()
    callbacks: Sequence[OpenCallback] = ()
    faults: Sequence[FaultRecord] = ()
    entries: Sequence[FreeTextEntry] = ()


# --------------------------------------------------------------------------- output


@dataclass(frozen=True)
class HandoverItem:
    kind: str  # "dnd" | "message" | "vip" | "callback" | "fault" | "entry" | …
    ref: str | None  # the id of the thing, for links
    at: dt.datetime | None  # the time that orders the section
    text_zh: str
    text_en: str
    urgent: bool = False


@dataclass(frozen=True)
class HandoverSection:
    key: str
    title_zh: str
    title_en: str
    items: tuple[HandoverItem, ...]


@dataclass(frozen=True)
class Handover:
    shift_label: str  # e.g. "2026-11-23 夜班"
    assembled_at: dt.datetime
    prepared_by: str
    sections: tuple[HandoverSection, ...]
    state: HandoverState = HandoverState.DRAFT
    signed_off_by: str | None = None
    signed_off_at: dt.datetime | None = None
    acknowledged_by: str | None = None
    acknowledged_at: dt.datetime | None = None
    entries: tuple[FreeTextEntry, ...] = field(default=())

    def section(self, key: str) -> HandoverSection:
        for s in self.sections:
            if s.key == key:
                return s
        raise KeyError(key)

    @property
    def item_count(self) -> int:
        return sum(len(s.items) for s in self.sections)

    def text(self, lang: str = "zh") -> str:
        """Plain printable text."""
        zh = lang.startswith("zh")
        out = [f"{'交接班本' if zh else 'Handover'} — {self.shift_label}"]
        for s in self.sections:
            out.append(f"\n[{s.title_zh if zh else s.title_en}]")
            if not s.items:
                out.append("  —" if not zh else "  无")
            for it in s.items:
                out.append(f"  {'!' if it.urgent else '-'} {it.text_zh if zh else it.text_en}")
        if self.signed_off_by:
            out.append(f"\n{'交班：' if zh else 'Handed over by: '}{self.signed_off_by} {_hm(self.signed_off_at)}")
        if self.acknowledged_by:
            out.append(f"{'接班：' if zh else 'Taken over by: '}{self.acknowledged_by} {_hm(self.acknowledged_at)}")
        return "\n".join(out)


def _hm(t: dt.datetime | None, tz: dt.tzinfo | None = None) -> str:
    if t is None:
        return ""
    if tz is not None:
        t = t.astimezone(tz)
    return f"{t:%m-%d %H:%M}"


# --------------------------------------------------------------------------- assembly


def _dnd_item(p: DndPeriod, tz: dt.tzinfo) -> HandoverItem:
    who = p.guest_name or p.subject_label
    room = f" {p.room_number}房" if p.room_number else ""
    room_en = f" room {p.room_number}" if p.room_number else ""
    if p.until is not None:
        until_zh, until_en = f"至{_hm(p.until, tz)}", f"until {_hm(p.until, tz)}"
    elif p.until_checkout:
        until_zh, until_en = "至退房", "until check-out"
    else:
        until_zh, until_en = "至取消", "until cancelled"
    return HandoverItem("dnd", str(p.subject_id), p.set_at,
                        f"{who}{room} 免打扰，{_hm(p.set_at, tz)}起{until_zh}（登记：{p.set_by}）",
                        f"{who}{room_en} DND since {_hm(p.set_at, tz)} {until_en} (by {p.set_by})")


# How a message reached its recipient, in the operators' words (never the internal "lamp").
CHANNEL_WORDS = {"lamp": ("留言灯", "message lamp"), "sms": ("短信", "SMS"), "email": ("邮件", "e-mail"),
                 "pager": ("传呼", "pager"), "console": ("控制台", "console"), "phone": ("电话", "phone")}


def _message_item(m: Message, tz: dt.tzinfo) -> HandoverItem:
    if m.delivered:
        words = [CHANNEL_WORDS.get(str(d.channel), (str(d.channel), str(d.channel))) for d in m.deliveries]
        chans_zh = "、".join(dict.fromkeys(zh for zh, _ in words))
        chans_en = "/".join(dict.fromkeys(en for _, en in words))
        st_zh, st_en = f"已通知（{chans_zh}），待取", f"notified ({chans_en}), not yet picked up"
    else:
        st_zh, st_en = "未送达", "NOT delivered"
    return HandoverItem(
        "message", str(m.id) if m.id is not None else None, m.taken_at,
        f"给{m.recipient_label}的留言，来电人{m.caller_name} {m.caller_number}，{_hm(m.taken_at, tz)} "
        f"由{m.taken_by}记录 — {st_zh}：{m.content}",
        f"Message for {m.recipient_label} from {m.caller_name} {m.caller_number}, taken "
        f"{_hm(m.taken_at, tz)} by {m.taken_by} — {st_en}: {m.content}",
        urgent=m.urgent or not m.delivered)


def _vip_item(v: VipGuest, tz: dt.tzinfo) -> HandoverItem:
    title = v.title or v.name
    room = f" {v.room_number}房" if v.room_number else ""
    room_en = f" room {v.room_number}" if v.room_number else ""
    if v.status == "arriving":
        st_zh, st_en = f"预抵 {_hm(v.arrival, tz)}", f"arriving {_hm(v.arrival, tz)}"
    else:
        st_zh, st_en = "在店", "in house"
    privacy = {"no_calls": ("不接电话", "no calls"), "not_staying": ("完全保密（对外称未入住）", "full privacy (not staying)")}
    p_zh, p_en = privacy.get(v.privacy_level, ("", ""))
    extra_zh = "".join(f"，{x}" for x in (p_zh, v.call_handling) if x)
    extra_en = "".join(f"; {x}" for x in (p_en, v.call_handling) if x)
    return HandoverItem("vip", None, v.arrival, f"{title}（{v.name}）{room} {st_zh}{extra_zh}",
                        f"{title} ({v.name}){room_en} {st_en}{extra_en}")


def _callback_item(c: OpenCallback, tz: dt.tzinfo, now: dt.datetime) -> HandoverItem:
    due_zh = f"，{_hm(c.due_at, tz)}前" if c.due_at else ""
    due_en = f", by {_hm(c.due_at, tz)}" if c.due_at else ""
    overdue = c.due_at is not None and c.due_at <= now
    return HandoverItem("callback", c.ref, c.due_at, f"回电 {c.who} {c.number}{due_zh}：{c.about}",
                        f"Call back {c.who} {c.number}{due_en}: {c.about}", urgent=overdue)


def _fault_item(f: FaultRecord, tz: dt.tzinfo) -> HandoverItem:
    return HandoverItem("fault", f.line_code, f.started_at,
                        f"线路 {f.line_code} 故障，{_hm(f.started_at, tz)}起：{f.cause}（已报{f.reported_to}）",
                        f"Line {f.line_code} fault since {_hm(f.started_at, tz)}: {f.cause} "
                        f"(reported to {f.reported_to})", urgent=True)


def _entry_item(e: FreeTextEntry, tz: dt.tzinfo) -> HandoverItem:
    return HandoverItem("entry", None, e.at, f"{_hm(e.at, tz)} {e.author}：{e.text}",
                        f"{_hm(e.at, tz)} {e.author}: {e.text}")


WAKEUP_STATUS_TEXT: dict[str, tuple[str, str]] = {
    "due": ("待叫", "due"), "calling": ("呼叫中", "calling"), "answered": ("已接听", "answered"),
    "retrying": ("重呼中", "retrying"), "snoozed": ("稍后再叫", "snoozed"),
    "escalated": ("已升级，需人工叫醒", "escalated, people must wake the guest"),
    "done": ("已叫醒", "done"), "cancelled": ("已取消", "cancelled"),
}
WAKEUP_SECTIONS: dict[str, tuple[str, str]] = {
    "wakeups": ("叫醒（按时间）", "Wake-up calls (in time order)"),
    "wakeups_escalated": ("叫醒未应答，需敲门", "Wake-ups not answered: rooms to knock"),
}


@dataclass(frozen=True)
class WakeupLine:
    """One wake-up as the handover lists it (R-H9): room (no guest name), time, state."""

    ref: str
    room: str
    wake_at: dt.datetime
    status: str
    note: str = ""
    minutes_late: int | None = None
    escalation_reason: str | None = None
    reached_by: str | None = None  # door | operator | phone, once the guest is awake


_REACHED_BY = {"door": ("敲门", "at the door"), "operator": ("话务员电话", "by the operator's call"),
               "phone": ("叫醒电话", "by the wake-up call")}


def wakeup_sections(day: Sequence[WakeupLine], escalated: Sequence[WakeupLine],
                    tz: dt.tzinfo) -> tuple[HandoverSection, HandoverSection]:
    """The wake-ups of the day in time order with their state, and the escalated ones (the floor
    attendant must knock; R-H9): open ones urgent at the top; finished ones stay with their
    outcome — who reached the guest and how late (issue 8, point 7)."""
    def item(w: WakeupLine, kind: str) -> HandoverItem:
        st_zh, st_en = WAKEUP_STATUS_TEXT.get(w.status, (w.status, w.status))
        note_zh = f"，备注：{w.note}" if w.note else ""
        note_en = f"; note: {w.note}" if w.note else ""
        return HandoverItem(kind, w.ref, w.wake_at,
                            f"{_hm(w.wake_at, tz)} {w.room}房 叫醒 — {st_zh}{note_zh}",
                            f"{_hm(w.wake_at, tz)} room {w.room} wake-up — {st_en}{note_en}",
                            urgent=w.status == "escalated")

    def outcome(w: WakeupLine) -> HandoverItem:
        if w.status == "escalated":
            return item(w, "wakeup_escalated")
        st_zh, st_en = WAKEUP_STATUS_TEXT.get(w.status, (w.status, w.status))
        how_zh, how_en = _REACHED_BY.get(w.reached_by or "", ("", ""))
        late_zh = f"，晚{w.minutes_late}分钟" if w.minutes_late else ""
        late_en = f", {w.minutes_late} min late" if w.minutes_late else ""
        return HandoverItem("wakeup_escalated", w.ref, w.wake_at,
                            f"{_hm(w.wake_at, tz)} {w.room}房 叫醒 — 已处理：{st_zh}"
                            f"{'（' + how_zh + '）' if how_zh else ''}{late_zh}",
                            f"{_hm(w.wake_at, tz)} room {w.room} wake-up — dealt with: {st_en}"
                            f"{' ' + how_en if how_en else ''}{late_en}")

    order = sorted(day, key=lambda w: (w.wake_at, w.room))
    esc = sorted(escalated, key=lambda w: (w.status != "escalated", w.wake_at, w.room))
    return (HandoverSection("wakeups", *WAKEUP_SECTIONS["wakeups"], tuple(item(w, "wakeup") for w in order)),
            HandoverSection("wakeups_escalated", *WAKEUP_SECTIONS["wakeups_escalated"],
                            tuple(outcome(w) for w in esc)))


def assemble_handover(inputs: HandoverInputs, *, at: dt.datetime, tz: dt.tzinfo, shift_label: str,
                      prepared_by: str,
                      extra_sections: Sequence[HandoverSection] = ()) -> Handover:
    """Assemble the handover as of ``at``. Inputs may contain more than needed: only active DND,
    open messages, open faults and VIPs in house / arriving are taken."""
    if at.tzinfo is None:
        raise ValueError("at: a timezone-aware datetime is required")
    dnd = tuple(_dnd_item(p, tz) for p in active_dnd(inputs.dnd, at))
    # Undelivered first (they need action), then urgent, then oldest.
    msgs = tuple(_message_item(m, tz) for m in sorted(
        handover_messages(inputs.messages), key=lambda m: (m.delivered, not m.urgent, m.taken_at)))
    vips = tuple(_vip_item(v, tz) for v in sorted(
        (v for v in inputs.vips if v.status in ("in_house", "arriving")
         and (v.departure is None or v.departure > at)),
        key=lambda v: (v.status != "in_house", v.arrival)))
    cbs = tuple(_callback_item(c, tz, at) for c in sorted(
        inputs.callbacks, key=lambda c: (c.due_at is None, c.due_at or at)))
    faults = tuple(_fault_item(f, tz) for f in sorted((f for f in inputs.faults if f.open), key=lambda f: f.started_at))
    return _build(shift_label, at, prepared_by, {
        SectionKey.DND: dnd, SectionKey.MESSAGES: msgs, SectionKey.VIPS: vips,
        SectionKey.CALLBACKS: cbs, SectionKey.FAULTS: faults,
    }, tuple(inputs.entries), tz, extra_sections)


def _build(shift_label: str, at: dt.datetime, prepared_by: str, base: dict[str, tuple[HandoverItem, ...]],
           entries: tuple[FreeTextEntry, ...], tz: dt.tzinfo,
           extra_sections: Sequence[HandoverSection]) -> Handover:
    by_section: dict[str, list[HandoverItem]] = {k: list(v) for k, v in base.items()}
    by_section.setdefault(SectionKey.ENTRIES, [])
    for e in sorted(entries, key=lambda e: e.at):
        key = e.section if e.section in SECTION_TITLES else SectionKey.ENTRIES
        by_section.setdefault(key, []).append(_entry_item(e, tz))
    sections = [HandoverSection(k, *SECTION_TITLES[k], tuple(by_section.get(k, ()))) for k in SECTION_ORDER]
    # Extra sections (wake-ups) go before the free-text entries, which stay last.
    at_entries = next(i for i, sec in enumerate(sections) if sec.key == SectionKey.ENTRIES)
    sections[at_entries:at_entries] = list(extra_sections)
    return Handover(shift_label=shift_label, assembled_at=at, prepared_by=prepared_by,
                    sections=tuple(sections), entries=entries)


def add_entry(h: Handover, entry: FreeTextEntry, *, tz: dt.tzinfo) -> Handover:
    """Add a free-text entry (only while the handover is a draft)."""
    if h.state is not HandoverState.DRAFT:
        raise HandoverError([FieldError("state", "the handover is signed off; entries can no longer be added")])
    if not (entry.text or "").strip():
        raise HandoverError([FieldError("text", "required")])
    if not (entry.author or "").strip():
        raise HandoverError([FieldError("author", "required")])
    entries = h.entries + (entry,)
    key = entry.section if entry.section in SECTION_TITLES else SectionKey.ENTRIES
    item = _entry_item(entry, tz)
    sections = tuple(replace(s, items=s.items + (item,)) if s.key == key else s for s in h.sections)
    return replace(h, sections=sections, entries=entries)


def sign_off(h: Handover, *, by: str, at: dt.datetime) -> Handover:
    """The outgoing shift signs for what it hands over."""
    if h.state is not HandoverState.DRAFT:
        raise HandoverError([FieldError("state", "already signed off")])
    if not (by or "").strip():
        raise HandoverError([FieldError("signed_off_by", "required")])
    if at.tzinfo is None or at < h.assembled_at:
        raise HandoverError([FieldError("signed_off_at", "must be aware and not before the handover was assembled")])
    return replace(h, state=HandoverState.SIGNED_OFF, signed_off_by=by.strip(), signed_off_at=at)


def acknowledge_handover(h: Handover, *, by: str, at: dt.datetime) -> Handover:
    """The incoming shift signs for what it takes over (someone other than who signed off)."""
    if h.state is HandoverState.DRAFT:
        raise HandoverError([FieldError("state", "the outgoing shift has not signed off yet")])
    if h.state is HandoverState.ACKNOWLEDGED:
        raise HandoverError([FieldError("state", "already acknowledged")])
    if not (by or "").strip():
        raise HandoverError([FieldError("acknowledged_by", "required")])
    if by.strip() == h.signed_off_by:
        raise HandoverError([FieldError("acknowledged_by", "the incoming shift must acknowledge, not the one handing over")])
    if at.tzinfo is None or (h.signed_off_at and at < h.signed_off_at):
        raise HandoverError([FieldError("acknowledged_at", "must be aware and not before the sign-off")])
    return replace(h, state=HandoverState.ACKNOWLEDGED, acknowledged_by=by.strip(), acknowledged_at=at)


__all__ = [
    "FreeTextEntry",
    "Handover",
    "HandoverError",
    "HandoverInputs",
    "HandoverItem",
    "HandoverSection",
    "HandoverState",
    "OpenCallback",
    "SECTION_ORDER",
    "SECTION_TITLES",
    "SectionKey",
    "VipGuest",
    "WakeupLine",
    "acknowledge_handover",
    "add_entry",
    "assemble_handover",
    "sign_off",
    "wakeup_sections",
]
