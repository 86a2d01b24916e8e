"""DND periods: set, cancel, until a time, until check-out, active-at."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from zongji.domain.dnd import (
    DndEndReason,
    DndError,
    DndSubjectKind,
    active_dnd,
    cancel_dnd,
    is_dnd,
    on_checkout,
    set_dnd,
)

SH = ZoneInfo("Asia/Shanghai")
T0 = dt.datetime(2026, 11, 23, 22, 0, tzinfo=SH)


def h(n: float) -> dt.datetime:
    return T0 + dt.timedelta(hours=n)


def room_dnd(**kw):
    base = dict(subject_kind="room", subject_id=12, subject_label="李明 先生", guest_name="李明",
                room_number="1808", at=T0, by="op07", reason="guest request")
    base.update(kw)
    return set_dnd(**base)


def test_until_cancelled():
    p = room_dnd()
    assert p.active_at(T0) and p.active_at(h(100)) and not p.active_at(h(-1))
    assert p.ends_at() is None and p.end_reason() is None and p.line_lock
    c = cancel_dnd(p, at=h(9), by="op03", reason="guest returned")
    assert c.active_at(h(8.99)) and not c.active_at(h(9))
    assert c.end_reason() is DndEndReason.CANCELLED and c.cancelled_by == "op03"
    with pytest.raises(DndError):
        cancel_dnd(c, at=h(10), by="op03")


def test_until_a_chosen_time():
    p = room_dnd(until=h(10))
    assert p.active_at(h(9.5)) and not p.active_at(h(10))
    assert p.end_reason() is DndEndReason.EXPIRED


def test_until_checkout():
    p = room_dnd(until_checkout=True)
    assert p.active_at(h(30))
    out = on_checkout(p, at=h(36))
    assert out.active_at(h(35)) and not out.active_at(h(36))
    assert out.end_reason() is DndEndReason.CHECKED_OUT


def test_checkout_does_not_end_a_timed_dnd_early_only_its_own_end():
    p = room_dnd(until=h(10))
    assert on_checkout(p, at=h(5)).active_at(h(6))  # not until_checkout: unchanged end


def test_validation():
    with pytest.raises(DndError) as e:
        room_dnd(until=h(-1))
    assert e.value.field == "until"
    with pytest.raises(DndError) as e:
        room_dnd(guest_name=None)
    assert e.value.field == "guest_name"
    with pytest.raises(DndError) as e:
        set_dnd(subject_kind="person", subject_id=3, subject_label="张经理", at=T0, by="op",
                until_checkout=True)
    assert e.value.field == "until_checkout"
    with pytest.raises(DndError) as e:
        room_dnd(subject_kind="car")
    assert e.value.field == "subject_kind"


def test_active_and_is_dnd():
    a = room_dnd()
    b = set_dnd(subject_kind=DndSubjectKind.PERSON, subject_id=3, subject_label="张经理", at=h(1), by="op",
                until=h(2))
    assert active_dnd([b, a], h(1.5)) == [a, b]
    assert active_dnd([a, b], h(3)) == [a]
    assert is_dnd([a, b], "room", 12, h(3)) and not is_dnd([a, b], "person", 3, h(3))
