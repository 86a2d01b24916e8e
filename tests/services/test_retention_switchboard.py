"""Retention of switchboard messages and wake-up calls (issue 18 point 3, R-S17) on both
databases: a run anonymises the messages taken and the wake-ups due before their periods once
they are over — the caller, the content, the recipient's name, where copies were sent; the guest,
the stay, the note, the floor staff's task texts — and leaves a message still to deliver, a
wake-up still to place and every younger one as they were; the message and wake-up figures are
the same before and after."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from zongji.domain.retention import anonymise
from zongji.services import retention
from zongji.services.retention.keys import anonymisation_key
from zongji.services.stats import messages as message_stats
from zongji.services.stats.wakeup_reports import wakeup_report
from zongji.settings import Settings
from zongji.store.models import Guest, Organisation, Room, Stay
from zongji.store.retention_models import RetentionRun
from zongji.store.switchboard_models import Message, MessageSend
from zongji.store.wakeup_models import Wakeup, WakeupTask

NOW = dt.datetime(2026, 12, 4, 4, 0, tzinfo=dt.UTC)
CUTOFF = NOW - dt.timedelta(days=1095)


@pytest.fixture
def settings(db_url, tmp_path) -> Settings:
    return Settings(database_url=db_url, data_dir=tmp_path, retention_batch_rows=2)


def _guest_in_room(s, *, arrival: dt.datetime, departure: dt.datetime, status: str):
    """A hotel with room 1808 and the guest 张三 staying in it: (room, guest, stay)."""
    org = Organisation(code="hotel", name="示例大酒店", kind="hotel")
    s.add(org)
    s.flush()
    room = Room(organisation_id=org.id, number="1808", floor=18, extension="81808")
    guest = Guest(organisation_id=org.id, name="张三")
    s.add_all([room, guest])
    s.flush()
    stay = Stay(guest_id=guest.id, room_id=room.id, arrival=arrival, departure=departure, status=status)
    s.add(stay)
    s.flush()
    return room, guest, stay


def test_expired_messages_and_wakeups_are_anonymised_and_figures_stay(write, session_factory, settings):
    old, young = CUTOFF - dt.timedelta(days=1), CUTOFF + dt.timedelta(days=1)
    with write() as s:
        room, guest, stay = _guest_in_room(s, arrival=old - dt.timedelta(days=1),
                                           departure=old + dt.timedelta(days=1), status="departed")

        def message(at, state, **kw) -> int:
            values = dict(recipient_kind="guest", recipient_id=guest.id, recipient_label="张三先生",
                          caller_name="李四", caller_number="13800001111", content="明早九点在大堂见",
                          taken_by="王小红", taken_at=at, state=state, read_back_at=at)
            values.update(kw)
            m = Message(**values)
            s.add(m)
            s.flush()
            return m.id

        delivered = message(old, "delivered")
        void = message(old + dt.timedelta(hours=1), "void", void_reason="客人说不用了", caller_name="",
                       read_back_at=None)
        pending = message(old + dt.timedelta(hours=2), "taken")
        fresh = message(young, "delivered")
        s.add_all([MessageSend(message_id=delivered, channel="sms", address="13900002222", requested_at=old,
                               requested_by="王小红", state="failed", error="gateway said 13900002222 is off"),
                   MessageSend(message_id=fresh, channel="email", address="guest@example.cn", requested_at=young,
                               requested_by="王小红", state="sent")])

        def wakeup(at, status, **kw) -> int:
            values = dict(room_id=room.id, room_number="1808", stay_id=stay.id, guest_id=guest.id,
                          series_id=f"s-{at.isoformat()}-{status}", wake_at=at, note="怕吵，轻敲",
                          booked_by="user:operator", status=status)
            values.update(kw)
            w = Wakeup(**values)
            s.add(w)
            s.flush()
            return w.id

        done = wakeup(old, "done", reached_at=old + dt.timedelta(minutes=1), reached_by="phone", minutes_late=1)
        escalated = wakeup(old + dt.timedelta(hours=1), "escalated", escalated_at=old + dt.timedelta(hours=1))
        stuck = wakeup(old + dt.timedelta(hours=2), "retrying")
        later = wakeup(young, "done", reached_at=young, reached_by="phone", minutes_late=0)
        s.add(WakeupTask(wakeup_id=escalated, kind="knock_on_door", room_number="1808", floor=18,
                         text="1808 张三 未接叫醒，请敲门"))

    def figures(s):
        start, end = old - dt.timedelta(days=2), young + dt.timedelta(days=2)
        facts = message_stats.facts_by_taker(s, start, end)
        wk = wakeup_report(s, settings, date_from=start.date(), date_to=end.date())
        return facts, wk

    with session_factory() as s:
        before = figures(s)
    key = retention.run(session_factory, settings, NOW, run_key="sb-1")
    secret = anonymisation_key(settings)
    with session_factory() as s:
        assert figures(s) == before
        m = {x.id: x for x in s.scalars(select(Message))}
        for mid in (delivered, void):
            assert m[mid].caller_number == anonymise.stand_in("13800001111", secret)
            assert (m[mid].content, m[mid].recipient_label) == (anonymise.ERASED, anonymise.ERASED)
            assert m[mid].void_reason is None
        assert (m[delivered].caller_name, m[void].caller_name) == (anonymise.ERASED, "")  # none given stays none
        for mid in (pending, fresh):
            assert (m[mid].caller_name, m[mid].caller_number, m[mid].content) == ("李四", "13800001111", "明早九点在大堂见")
        sends = {x.message_id: x for x in s.scalars(select(MessageSend))}
        assert anonymise.is_stand_in(sends[delivered].address) and sends[delivered].error is None
        assert sends[fresh].address == "guest@example.cn"
        w = {x.id: x for x in s.scalars(select(Wakeup))}
        for wid in (done, escalated):
            assert (w[wid].guest_id, w[wid].stay_id, w[wid].note) == (None, None, "")
            assert w[wid].room_number == "1808"
        for wid in (stuck, later):
            assert w[wid].guest_id is not None and w[wid].stay_id is not None and w[wid].note == "怕吵，轻敲"
        assert s.scalar(select(WakeupTask.text)) == ""
        rows = dict(s.execute(select(RetentionRun.kind, RetentionRun.rows).where(RetentionRun.run_key == key)).all())
        assert (rows["messages"], rows["wakeups"]) == (2, 2)
    again = retention.run(session_factory, settings, NOW, run_key="sb-2")
    with session_factory() as s:
        rows = dict(s.execute(select(RetentionRun.kind, RetentionRun.rows).where(RetentionRun.run_key == again)).all())
        assert (rows["messages"], rows["wakeups"]) == (0, 0)


def test_finished_guest_service_requests_are_anonymised_and_the_analysis_stays(write, session_factory, settings):
    from zongji.services.guestsvc.analysis import report
    from zongji.store.guestsvc_models import GsItem, GsRequest

    old, young = CUTOFF - dt.timedelta(days=1), CUTOFF + dt.timedelta(days=1)
    with write() as s:
        room, _guest, stay = _guest_in_room(s, arrival=old - dt.timedelta(days=1),
                                            departure=young + dt.timedelta(days=1), status="in_house")
        item = GsItem(name_zh="加床", name_en="Extra bed", team="housekeeping", target_minutes=30)
        s.add(item)
        s.flush()
        made = {}
        for name, at, state in (("done", old, "done"), ("open", old, "open"), ("young", young, "done")):
            r = GsRequest(item_id=item.id, item_name="加床", team="housekeeping", kind="service", target_minutes=30,
                          note="客人张三腰不好，要硬床垫", room_id=room.id, stay_id=stay.id, state=state,
                          created_at=at, created_by="operator", done_at=at + dt.timedelta(minutes=20) if state == "done" else None,
                          followed_up_at=at + dt.timedelta(hours=1), follow_up_result="satisfied",
                          follow_up_note="张三说很满意")
            s.add(r)
            s.flush()
            made[name] = r.id
    with session_factory() as s:
        before = report(s, settings, period="week", day=old.date())
    key = retention.run(session_factory, settings, NOW, run_key="gs-1")
    with session_factory() as s:
        assert report(s, settings, period="week", day=old.date()) == before
        r = {x.id: x for x in s.scalars(select(GsRequest))}
        gone = r[made["done"]]
        assert (gone.stay_id, gone.note, gone.follow_up_note) == (None, "", None)
        assert (gone.item_name, gone.state, gone.follow_up_result, gone.room_id) == ("加床", "done", "satisfied", r[made["young"]].room_id)
        for name in ("open", "young"):
            assert r[made[name]].note.startswith("客人张三") and r[made[name]].stay_id is not None
        assert s.scalar(select(RetentionRun.rows).where(RetentionRun.run_key == key,
                                                        RetentionRun.kind == "guest_service")) == 1
