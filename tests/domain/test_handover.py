"""Handover: sections from plain inputs, entries, sign-off and acknowledgement."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from zongji.domain.dnd import cancel_dnd, set_dnd
from zongji.domain.handover import (
    SECTION_ORDER,
    FreeTextEntry,
    HandoverError,
    HandoverInputs,
    HandoverState,
    OpenCallback,
    SectionKey,
    VipGuest,
    acknowledge_handover,
    add_entry,
    assemble_handover,
    sign_off,
)
from zongji.domain.lines import close_fault, open_fault
from zongji.domain.messages import MessageDraft, acknowledge, record_delivery, take_message

SH = ZoneInfo("Asia/Shanghai")
T0 = dt.datetime(2026, 11, 23, 22, 0, tzinfo=SH)


def h(n: float) -> dt.datetime:
    return T0 + dt.timedelta(hours=n)


def msg(content: str, at: dt.datetime):
    return take_message(MessageDraft(recipient_kind="guest", recipient_id=1, recipient_label="李明 先生",
                                     caller_name="王五", caller_number="13800138000", content=content,
                                     taken_by="op07", taken_at=at, read_back=True))


@pytest.fixture
def inputs() -> HandoverInputs:
    dnd_on = set_dnd(subject_kind="room", subject_id=1, subject_label="李明", guest_name="李明",
                     room_number="1808", at=h(-3), by="op07", until_checkout=True)
    dnd_off = cancel_dnd(set_dnd(subject_kind="room", subject_id=2, subject_label="赵六", guest_name="赵六",
                                 room_number="1203", at=h(-5), by="op07"), at=h(-1), by="op07")
    waiting = msg("回电", h(-2))
    lamp = record_delivery(msg("明早见", h(-4)), "lamp", at=h(-4), by="system")
    picked = acknowledge(msg("已取", h(-6)), at=h(-1), by="李明")
    fault = open_fault(line_code="400", cause="无振铃", started_at=h(-1), reported_at=h(-1), reported_by="op07")
    fixed = close_fault(open_fault(line_code="SB", cause="杂音", started_at=h(-8), reported_at=h(-8),
                                   reported_by="op07"), ended_at=h(-7), by="tech")
    return HandoverInputs(
        dnd=[dnd_on, dnd_off], messages=[waiting, lamp, picked],
        vips=[VipGuest("李明", "李董事长", "1808", h(-30), h(40), "in_house", "来电先征询", "not_staying"),
              VipGuest("周七", "周总", None, h(12), None, "arriving"),
              VipGuest("吴八", "吴局长", "1505", h(-50), h(-2), "in_house")],
        callbacks=[OpenCallback("cb1", "孙女士", "13912345678", "查询发票", due_at=h(-0.5))],
        faults=[fault, fixed],
        entries=[FreeTextEntry(h(-0.2), "op07", "明早会议室空调待修")],
    )


def test_sections_in_order_with_the_right_items(inputs):
    ho = assemble_handover(inputs, at=T0, tz=SH, shift_label="2026-11-23 中班", prepared_by="op07")
    assert tuple(s.key for s in ho.sections) == SECTION_ORDER
    dnd = ho.section(SectionKey.DND).items
    assert len(dnd) == 1 and "1808" in dnd[0].text_zh and "李明" in dnd[0].text_zh and "至退房" in dnd[0].text_zh
    m = ho.section(SectionKey.MESSAGES).items
    assert [("未送达" in i.text_zh) for i in m] == [True, False]  # undelivered (urgent) first
    assert "已通知（留言灯）" in m[1].text_zh and "lamp" not in m[1].text_zh  # issue 8: no internal words
    vips = ho.section(SectionKey.VIPS).items
    assert len(vips) == 2 and "李董事长" in vips[0].text_zh and "预抵" in vips[1].text_zh
    assert "完全保密" in vips[0].text_zh
    cb = ho.section(SectionKey.CALLBACKS).items
    assert cb[0].urgent  # overdue
    faults = ho.section(SectionKey.FAULTS).items
    assert len(faults) == 1 and "400" in faults[0].text_zh
    assert "空调" in ho.section(SectionKey.ENTRIES).items[0].text_zh
    assert ho.state is HandoverState.DRAFT and ho.item_count == 8


def test_empty_sections_are_kept():
    ho = assemble_handover(HandoverInputs(), at=T0, tz=SH, shift_label="夜班", prepared_by="op")
    assert len(ho.sections) == len(SECTION_ORDER) and ho.item_count == 0
    assert "无" in ho.text("zh")


def test_sign_off_and_acknowledge(inputs):
    ho = assemble_handover(inputs, at=T0, tz=SH, shift_label="中班", prepared_by="op07")
    ho = add_entry(ho, FreeTextEntry(h(0.1), "op07", "1808客人明早叫醒6:30", section=SectionKey.VIPS), tz=SH)
    assert len(ho.section(SectionKey.VIPS).items) == 3
    with pytest.raises(HandoverError):
        acknowledge_handover(ho, by="op09", at=h(0.3))
    signed = sign_off(ho, by="op07", at=h(0.2))
    assert signed.state is HandoverState.SIGNED_OFF
    with pytest.raises(HandoverError):
        add_entry(signed, FreeTextEntry(h(0.25), "op07", "late"), tz=SH)
    with pytest.raises(HandoverError) as e:
        acknowledge_handover(signed, by="op07", at=h(0.3))
    assert e.value.field == "acknowledged_by"
    done = acknowledge_handover(signed, by="op09", at=h(0.3))
    assert done.state is HandoverState.ACKNOWLEDGED and done.acknowledged_by == "op09"
    text = done.text("en")
    assert "Handed over by: op07" in text and "Taken over by: op09" in text
    with pytest.raises(HandoverError):
        acknowledge_handover(done, by="op10", at=h(0.4))


def test_entry_validation(inputs):
    ho = assemble_handover(inputs, at=T0, tz=SH, shift_label="中班", prepared_by="op07")
    with pytest.raises(HandoverError) as e:
        add_entry(ho, FreeTextEntry(h(0.1), "op07", "  "), tz=SH)
    assert e.value.field == "text"


def test_chinese_handover_text_uses_full_width_punctuation(inputs):
    """Issue 8 point 9: the Chinese handover (page, print, search) reads as Chinese — no half-width
    brackets, commas or colons next to Chinese words."""
    import re

    ho = assemble_handover(inputs, at=T0, tz=SH, shift_label="2026-11-23 中班", prepared_by="op07")
    signed = sign_off(ho, by="王小红(1001)", at=T0)
    text = signed.text("zh").replace("王小红(1001)", "")
    bad = re.findall(r"[\u4e00-\u9fff][(),:;]|[(),:;][\u4e00-\u9fff]", text)
    assert bad == [], bad
