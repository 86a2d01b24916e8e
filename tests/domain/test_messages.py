"""Messages: validation, read-back, delivery channels, acknowledgement, re-raise, handover."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from zongji.domain.messages import (
    Channel,
    MessageDraft,
    MessageError,
    MessagePolicy,
    MessageState,
    RecipientKind,
    acknowledge,
    confirm_read_back,
    due_for_raise,
    handover_messages,
    in_handover,
    mark_raised,
    needs_raise,
    raise_due_at,
    record_delivery,
    take_message,
    validate_draft,
    void_message,
)

SH = ZoneInfo("Asia/Shanghai")
T0 = dt.datetime(2026, 11, 23, 21, 0, tzinfo=SH)


def mins(n: float) -> dt.datetime:
    return T0 + dt.timedelta(minutes=n)


def draft(**kw) -> MessageDraft:
    base = dict(recipient_kind="guest", recipient_id=7, recipient_label="李明 先生", caller_name="王五",
                caller_number="138 0013 8000", content="明早9点在大堂见", taken_by="op07", taken_at=T0,
                read_back=True)
    base.update(kw)
    return MessageDraft(**base)


def test_take_message_with_read_back():
    m = take_message(draft())
    assert m.state is MessageState.CONFIRMED and m.read_back_at == T0
    assert m.caller_number == "138 0013 8000" and in_handover(m)


def test_read_back_required_before_saving_when_policy_says_so():
    with pytest.raises(MessageError) as e:
        take_message(draft(read_back=False))
    assert e.value.field == "read_back"
    m = take_message(draft(read_back=False), MessagePolicy(require_read_back=False))
    assert m.state is MessageState.TAKEN
    assert confirm_read_back(m, at=mins(1)).state is MessageState.CONFIRMED


@pytest.mark.parametrize("kw,field", [
    ({"caller_name": " "}, "caller_name"),
    ({"caller_number": ""}, "caller_number"),
    ({"caller_number": "call me"}, "caller_number"),
    ({"content": ""}, "content"),
    ({"taken_by": ""}, "taken_by"),
    ({"taken_at": dt.datetime(2026, 11, 23, 21, 0)}, "taken_at"),
    ({"recipient_label": ""}, "recipient"),
    ({"recipient_kind": "robot"}, "recipient_kind"),
])
def test_validation_names_the_field(kw, field):
    errors = validate_draft(draft(**kw))
    assert field in [e.field for e in errors]


def test_caller_number_optional_by_policy():
    assert validate_draft(draft(caller_number=""), MessagePolicy(require_caller_number=False)) == []


def test_all_errors_at_once():
    with pytest.raises(MessageError) as e:
        take_message(draft(caller_name="", content="", read_back=False))
    assert {x.field for x in e.value.errors} == {"caller_name", "content", "read_back"}


def test_lifecycle_lamp_then_pickup():
    m = take_message(draft())
    m = record_delivery(m, Channel.LAMP, at=mins(1), by="system", detail="lamp on")
    assert m.state is MessageState.DELIVERED and m.lamp_on and m.delivered_at == mins(1)
    assert in_handover(m)  # stays in the handover until the guest picks it up
    m = record_delivery(m, "sms", at=mins(2), by="op07")
    assert len(m.deliveries) == 2
    m = acknowledge(m, at=mins(30), by="李明")
    assert m.state is MessageState.ACKNOWLEDGED and not m.lamp_on and not in_handover(m)
    with pytest.raises(MessageError):
        record_delivery(m, "sms", at=mins(31), by="op07")


def test_channel_must_suit_recipient():
    guest_msg = take_message(draft())
    with pytest.raises(MessageError) as e:
        record_delivery(guest_msg, Channel.CONSOLE, at=mins(1), by="op")
    assert e.value.field == "channel"
    staff = take_message(draft(recipient_kind=RecipientKind.STAFF, recipient_label="张经理"))
    with pytest.raises(MessageError):
        record_delivery(staff, Channel.LAMP, at=mins(1), by="op")
    assert record_delivery(staff, Channel.PAGER, at=mins(1), by="op").state is MessageState.DELIVERED
    with pytest.raises(MessageError):
        record_delivery(staff, "telegram", at=mins(1), by="op")


def test_delivery_needs_read_back_under_policy():
    pol = MessagePolicy(require_read_back=True)
    m = take_message(draft(read_back=False), MessagePolicy(require_read_back=False))
    with pytest.raises(MessageError) as e:
        record_delivery(m, "lamp", at=mins(1), by="op", policy=pol)
    assert e.value.field == "read_back"


def test_delivery_not_before_taken():
    with pytest.raises(MessageError):
        record_delivery(take_message(draft()), "lamp", at=mins(-1), by="op")


def test_undelivered_raised_again_after_n_minutes():
    pol = MessagePolicy(raise_again_after_minutes=15)
    m = take_message(draft())
    assert raise_due_at(m, pol) == mins(15)
    assert not needs_raise(m, mins(14), pol)
    assert needs_raise(m, mins(15), pol)
    m = mark_raised(m, at=mins(15))
    assert m.raised_count == 1 and not needs_raise(m, mins(20), pol) and needs_raise(m, mins(30), pol)
    delivered = record_delivery(m, "lamp", at=mins(16), by="system")
    assert not needs_raise(delivered, mins(60), pol)  # delivered: no more raising by default
    remind = MessagePolicy(raise_again_after_minutes=15, remind_unacknowledged_after_minutes=120)
    assert raise_due_at(delivered, remind) == mins(16 + 120)


def test_due_for_raise_urgent_first():
    a = take_message(draft(content="a"))
    b = take_message(draft(content="b", urgent=True, taken_at=mins(5)))
    c = record_delivery(take_message(draft(content="c")), "lamp", at=mins(1), by="s")
    due = due_for_raise([a, b, c], mins(60))
    assert [m.content for m in due] == ["b", "a"]


def test_handover_carries_everything_not_acknowledged_and_void_is_kept_on_record():
    a = take_message(draft(content="a"))
    b = acknowledge(take_message(draft(content="b")), at=mins(5), by="guest")
    c = record_delivery(take_message(draft(content="c", taken_at=mins(-5))), "lamp", at=mins(1), by="s")
    v = void_message(take_message(draft(content="v")), at=mins(2), by="op", reason="duplicate")
    assert [m.content for m in handover_messages([a, b, c, v])] == ["c", "a"]
    assert v.state is MessageState.VOID and v.void_reason == "duplicate"
    with pytest.raises(MessageError):
        void_message(a, at=mins(3), by="op", reason=" ")
