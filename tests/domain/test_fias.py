"""FIAS framing and records (issue 16 point 8): whatever Zongji writes, it reads back."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings, strategies as st

from zongji.domain.fias import equipment, guests, link, wakeups
from zongji.domain.fias.framing import Deframer, frame
from zongji.domain.fias.records import Record, RecordError, format_record, parse_record

TZ = ZoneInfo("Asia/Shanghai")
NOW = dt.datetime(2026, 12, 4, 22, 30, 5, tzinfo=TZ)

kinds = st.from_regex(r"\A[A-Z][A-Z0-9]\Z", fullmatch=True)
field_ids = st.from_regex(r"\A[A-Z0-9#+]{2}\Z", fullmatch=True)
values = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=30)
records = st.builds(lambda k, pairs: Record.build(k, *pairs), kinds, st.lists(st.tuples(field_ids, values), max_size=8))


@settings(max_examples=300, deadline=None)
@given(records)
def test_any_record_zongji_writes_reads_back(rec):
    assert parse_record(format_record(rec)) == rec


@settings(max_examples=200, deadline=None)
@given(st.lists(records, min_size=1, max_size=6), st.lists(st.integers(1, 40), min_size=1, max_size=50))
def test_frames_survive_any_split_of_the_stream(recs, cuts):
    stream = b"".join(frame(format_record(r).encode()) for r in recs)
    d, got, i = Deframer(), [], 0
    for n in cuts * (len(stream) // max(1, sum(cuts)) + 1):
        if i >= len(stream):
            break
        got += d.feed(stream[i:i + n])
        i += n
    got += d.feed(stream[i:])
    assert [parse_record(b.decode()) for b in got] == recs


def test_a_record_cut_by_a_dropped_link_is_not_read():
    d = Deframer()
    assert d.feed(b"\x02GI|RN1208|G#55|GNLi") == []
    assert d.pending
    # the link came back: the PMS starts over with a new frame
    assert d.feed(b"\x02GO|RN1208|G#55|\x03noise") == [b"GO|RN1208|G#55|"]
    assert not d.pending


def test_separator_in_a_value_is_replaced_not_misread():
    rec = Record.build("GI", ("RN", "1208"), ("GN", "Smith|Jones"))
    assert parse_record(format_record(rec)).get("GN") == "Smith/Jones"


@pytest.mark.parametrize("text", ["", "G|RN1", "gi|RN1|", "GI|R|", "GI|r1208|"])
def test_bad_records_are_refused(text):
    with pytest.raises(RecordError):
        parse_record(text)


def test_description_announces_every_record_zongji_uses():
    recs = link.description(NOW, TZ)
    assert [r.kind for r in recs][0] == "LD" and recs[-1].kind == "LA"
    assert recs[0].get("DA") == "261204" and recs[0].get("TI") == "223005"
    described = link.described_records(recs)
    assert described["GI"][:3] == ("RN", "G#", "GN")
    assert set(described) == set(link.RECORDS_USED)
    assert described["WA"] == ("RN", "DA", "TI", "AS")


def test_check_in_with_privacy_vip_and_language():
    rec = parse_record("GI|RN1208|G#A77|GNZhang|GFWei|GLEA|GV2|SFY|GA261204|GD261206|DA261204|TI140000|")
    ch = guests.guest_change(rec)
    assert (ch.kind, ch.reservation, ch.room, ch.name) == ("check_in", "A77", "1208", "Zhang, Wei")
    assert ch.language == "en" and ch.vip and ch.vip_level == "2"
    assert ch.privacy == guests.PRIVACY_NOT_STAYING
    assert ch.departure == dt.date(2026, 12, 6)
    assert guests.guest_change(parse_record("GI|RN1|G#1|GN张|GF伟|SFC|")).name == "张伟"
    assert guests.guest_change(parse_record("GI|RN1|G#1|SFC|")).privacy == guests.PRIVACY_NO_CALLS
    assert guests.guest_change(parse_record("GC|RN1|G#1|GV0|")).vip is False


def test_departure_is_at_the_check_out_hour():
    ch = guests.guest_change(parse_record("GI|RN1|G#1|GD261206|"))
    arrival, departure = guests.stay_times(ch, NOW, TZ, 12)
    assert arrival == NOW and departure == dt.datetime(2026, 12, 6, 12, tzinfo=TZ)
    # named again by a resync: arrived on its arrival date, not now
    ch = guests.guest_change(parse_record("GI|RN1|G#1|GA261201|GD261206|"))
    assert guests.stay_times(ch, NOW, TZ, 12)[0] == dt.datetime(2026, 12, 1, tzinfo=TZ)


def test_wakeup_request_and_answer():
    order = wakeups.wakeup_order(parse_record("WR|RN1208|DA261205|TI0630|"), TZ)
    assert order == wakeups.WakeupOrder("request", "1208", dt.datetime(2026, 12, 5, 6, 30, tzinfo=TZ))
    wa = wakeups.wakeup_answer("1208", order.wake_at, wakeups.ANSWERED, TZ)
    assert format_record(wa) == "WA|RN1208|DA261205|TI063000|ASOK|"
    assert wakeups.answer_status("escalated", None, "busy") == "BY"
    assert wakeups.answer_status("escalated", None, "no_answer") == "NR"
    assert wakeups.answer_status("done", "door", None) == "OK"
    assert wakeups.answer_status("retrying", None, "no_answer") is None
    with pytest.raises(RecordError):
        wakeups.wakeup_order(parse_record("WR|RN1208|DA261205|"), TZ)


def test_room_equipment_changes_are_sent_only_when_they_differ():
    assert equipment.room_equipment(parse_record("RE|RN1208|DNY|")) == equipment.RoomEquipment("1208", True, None)
    assert equipment.changes("1208", (None, None), (False, False)) is None
    assert equipment.changes("1208", (True, None), (True, True)) == equipment.RoomEquipment("1208", None, True)
    rec = equipment.equipment_record(equipment.RoomEquipment("1208", dnd=False), NOW, TZ)
    assert format_record(rec) == "RE|RN1208|DNN|DA261204|TI223005|"


def test_posting_and_its_answer():
    from zongji.domain.fias import postings

    rec = postings.posting_record(postings.Posting(17, "1208", 1250, "A77", "00441234", 3725, "IDD"), NOW, TZ)
    assert format_record(rec) == "PS|RN1208|G#A77|P#17|PTC|TA1250|DD00441234|DU010205|CTIDD|DA261204|TI223005|"
    ans = postings.posting_answer(parse_record("PA|RN1208|P#17|ASOK|"))
    assert (ans.sequence, ans.outcome) == (17, postings.POSTED)
    assert postings.posting_answer(parse_record("PA|P#17|ASNA|")).outcome == postings.RETRY
    assert postings.posting_answer(parse_record("PA|P#17|ASNG|CTguest not found|")).outcome == postings.REFUSED
    with pytest.raises(RecordError):
        postings.posting_answer(parse_record("PA|ASOK|"))
    with pytest.raises(ValueError):
        postings.posting_record(postings.Posting(1, "1208", -5), NOW, TZ)
