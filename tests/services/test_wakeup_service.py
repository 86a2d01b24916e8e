"""Wake-up service and dialler (SQLite and PostgreSQL) with a scripted telephony adapter.

The adapter here stands in for the SIP gateway (tests/telephony/test_wakeup_sip.py does the
same over real SIP); it keeps the gateway's promise of dialling a call id at most once."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from zongji.errors import ZongjiError
from zongji.services import wakeups as svc
from zongji.store.models import AuditEntry, FeedItem, Guest, Job, Organisation, Room, Stay
from zongji.store.wakeup_models import Wakeup, WakeupAttempt, WakeupTask
from zongji.telephony.adapter import CallOutcome, CallResult, TelephonyUnavailable
from zongji.telephony.call_ledger import CallLedger
from zongji.worker.wakeup_dialler import WakeupDialler

TZ = ZoneInfo("Asia/Shanghai")
NOW = dt.datetime(2026, 3, 10, 6, 0, tzinfo=TZ)


def make_hotel(write, rooms=("1201", "1202", "1203"), departure_days=3, empty=("1203",)):
    with write() as s:
        org = Organisation(code="h", name="酒店", kind="hotel")
        s.add(org)
        s.flush()
        for n in rooms:
            room = Room(organisation_id=org.id, number=n, floor=int(n[:-2]), extension="8" + n[1:])
            s.add(room)
            s.flush()
            if n in empty:
                continue
            g = Guest(organisation_id=org.id, name=f"客人{n}")
            s.add(g)
            s.flush()
            s.add(Stay(guest_id=g.id, room_id=room.id, arrival=NOW - dt.timedelta(days=1),
                       departure=NOW + dt.timedelta(days=departure_days), status="in_house"))


class Clock:
    def __init__(self, t):
        self.t = t

    def __call__(self):
        return self.t


class ScriptedGateway:
    """Outcomes per URI, in order; dials a call id once (like zongji.telephony.call_ledger)."""

    def __init__(self, script: dict[str, list[str]], clock):
        self.script = {k: list(v) for k, v in script.items()}
        self.clock = clock
        self.ledger = CallLedger(lines=0)
        self.dialled: list[str] = []
        self.down = False

    def lookup(self, call_id):
        return self.ledger.lookup(call_id)

    def place_call(self, uri, prompt_wav, confirm_keys=("1",), ring_timeout=30.0, *,
                   snooze_keys=("2",), key_timeout=10.0, call_id=None):
        if self.down:
            raise TelephonyUnavailable("gateway down")

        def dial():
            self.dialled.append(call_id)
            outcome = CallOutcome(self.script[uri].pop(0))
            t = self.clock()
            return CallResult(outcome=outcome, call_id=call_id, uri=uri,
                              key={"answered_confirmed": "1", "answered_snoozed": "2"}.get(outcome.value),
                              sip_status=486 if outcome is CallOutcome.BUSY else 200,
                              started_at=t, answered_at=t if outcome.answered else None, ended_at=t)

        return self.ledger.place(call_id, 0, dial)


@pytest.fixture
def st(settings):
    settings.wakeup_retry_interval_minutes = 2
    settings.wakeup_retry_window_minutes = 5
    return settings


def book(write, st, room="1201", at=NOW + dt.timedelta(hours=1), now=NOW, **kw):
    with write() as s:
        rows = svc.book(s, svc.Booking(room=room, wake_at=at, readback_confirmed=True, **kw),
                        actor="user:op", now=now, settings=st)
        return [w.id for w in rows]


def drain(d: WakeupDialler):
    d.run_once()
    for f in list(d.in_flight.values()):
        f.result(timeout=20)
    d.run_once()


def wakeup(session_factory, wid) -> Wakeup:
    with session_factory() as s:
        w = s.get(Wakeup, wid)
        _ = list(w.attempts), w.room
        s.expunge_all()
        return w


# --------------------------------------------------------------------------- booking


def test_booking_is_refused_with_the_reason_and_field(write, st):
    make_hotel(write)
    cases = [
        (dict(room="1203"), "room", "not occupied"),
        (dict(room="9999"), "room", "no room"),
        (dict(at=NOW - dt.timedelta(minutes=1)), "wake_at", "past"),
        (dict(at=NOW + dt.timedelta(days=5)), "wake_at", "leaves at"),
    ]
    for kw, field, words in cases:
        with pytest.raises(ZongjiError) as e:
            book(write, st, **kw)
        assert e.value.field == field and words in e.value.message, kw
    with write() as s, pytest.raises(ZongjiError) as e:
        svc.book(s, svc.Booking(room="1201", wake_at=NOW + dt.timedelta(hours=1)),
                 actor="user:op", now=NOW, settings=st)
    assert e.value.field == "readback_confirmed"


def test_booking_records_who_and_when_schedules_the_call_and_preflight(write, st, session_factory):
    make_hotel(write)
    (wid,) = book(write, st, note="早餐前")
    with session_factory() as s:
        w = s.get(Wakeup, wid)
        assert (w.status, w.booked_by, w.booked_at, w.readback_confirmed) == ("due", "user:op", NOW, True)
        keys = {j.key: j for j in s.scalars(select(Job))}
        assert keys[f"wakeup:{wid}:1"].due_at == NOW + dt.timedelta(hours=1)
        assert keys["wakeup-preflight:2026-03-10"].due_at == NOW + dt.timedelta(minutes=30)
        assert s.scalar(select(AuditEntry).where(AuditEntry.action == "wakeup.book")).actor == "user:op"
        assert s.scalar(select(FeedItem).where(FeedItem.topic == "wakeup")).payload["room"] == "1201"


def test_daily_repeat_until_departure_and_series_cancel(write, st, session_factory):
    make_hotel(write)
    ids = book(write, st, repeat_daily=True)
    assert len(ids) == 3  # 07:00 on the 10th, 11th, 12th; departure 06:00 on the 13th
    with write() as s:
        svc.cancel(s, ids[1], actor="user:op", now=NOW, settings=st, series=True)
    with session_factory() as s:
        assert [s.get(Wakeup, i).status for i in ids] == ["due", "cancelled", "cancelled"]
        assert s.scalar(select(Job).where(Job.key == f"wakeup:{ids[2]}:1")).state == "cancelled"


def test_preview_reads_back_in_both_languages(write, st, session_factory):
    make_hotel(write)
    with session_factory() as s:
        p = svc.preview(s, svc.Booking(room="1201", time="0730"), now=NOW, settings=st)
    assert p["readback"]["zh"] == "1201房间，今天早上7点半叫醒。"
    assert p["readback"]["en"] == "Room 1201, wake-up call today at 7:30 a.m."


def test_change_moves_the_call_job(write, st, session_factory):
    make_hotel(write)
    (wid,) = book(write, st)
    with write() as s:
        svc.change(s, wid, actor="user:op", now=NOW, settings=st, time="0645")
    with session_factory() as s:
        assert s.get(Wakeup, wid).wake_at == dt.datetime(2026, 3, 10, 6, 45, tzinfo=TZ)
        assert s.scalar(select(Job).where(Job.key == f"wakeup:{wid}:1")).due_at == \
            dt.datetime(2026, 3, 10, 6, 45, tzinfo=TZ)


# --------------------------------------------------------------------------- the dialler


def _dialler(session_factory, st, gw, clock, **kw):
    return WakeupDialler(session_factory, st, gw, clock=clock, prompts=None, lines=4, **kw)


def test_confirmed_on_first_call(write, st, session_factory):
    make_hotel(write)
    (wid,) = book(write, st)
    clock = Clock(NOW + dt.timedelta(hours=1, seconds=1))
    gw = ScriptedGateway({"8201": ["answered_confirmed"]}, clock)
    drain(_dialler(session_factory, st, gw, clock))
    w = wakeup(session_factory, wid)
    assert (w.status, w.minutes_late, w.reached_by) == ("done", 0, "phone")
    assert [(a.number, a.state, a.outcome, a.external_call_id) for a in w.attempts] == [
        (1, "ended", "answered_confirmed", f"wakeup-{wid}-1")]
    assert gw.dialled == [f"wakeup-{wid}-1"]


def test_busy_retries_then_escalates_to_the_door_then_minutes_late(write, st, session_factory):
    make_hotel(write)
    (wid,) = book(write, st)
    due = NOW + dt.timedelta(hours=1)
    clock = Clock(due)
    gw = ScriptedGateway({"8201": ["busy", "no_answer", "answered_no_key"]}, clock)
    d = _dialler(session_factory, st, gw, clock)
    drain(d)
    w = wakeup(session_factory, wid)
    assert w.status == "retrying" and w.next_attempt_at == due + dt.timedelta(minutes=2)
    clock.t = due + dt.timedelta(minutes=2)
    drain(d)
    assert wakeup(session_factory, wid).status == "retrying"
    clock.t = due + dt.timedelta(minutes=4)
    drain(d)  # third call: answered, no key; the next would be after the 5-minute window
    w = wakeup(session_factory, wid)
    assert w.status == "escalated" and w.escalation_reason == "no_confirmation"
    assert [a.outcome for a in w.attempts] == ["busy", "no_answer", "answered_no_key"]
    with session_factory() as s:
        (task,) = s.scalars(select(WakeupTask))
        assert (task.kind, task.room_number, task.floor, task.state) == ("knock_on_door", "1201", 12, "open")
        (alert,) = [f for f in s.scalars(select(FeedItem).where(FeedItem.topic == "alert"))
                    if f.payload["kind"] == "wakeup_escalated"]
        assert "1201" in alert.payload["text"]
        hand = svc.handover_section(s, now=clock.t, settings=st)
        assert [x["room"] for x in hand["escalated"]] == ["1201"]
    # The floor attendant knocks at 07:12: done, 12 minutes late.
    with write() as s:
        svc.mark_reached(s, wid, by="door", actor="user:hk", now=due + dt.timedelta(minutes=12),
                         settings=st)
    w = wakeup(session_factory, wid)
    assert (w.status, w.minutes_late, w.reached_by) == ("done", 12, "door")
    with session_factory() as s:
        assert s.scalar(select(WakeupTask)).state == "done"


def test_snooze_calls_again_later(write, st, session_factory):
    make_hotel(write)
    (wid,) = book(write, st)
    due = NOW + dt.timedelta(hours=1)
    clock = Clock(due)
    gw = ScriptedGateway({"8201": ["answered_snoozed", "answered_confirmed"]}, clock)
    d = _dialler(session_factory, st, gw, clock)
    drain(d)
    w = wakeup(session_factory, wid)
    assert w.status == "snoozed" and w.next_attempt_at == due + dt.timedelta(minutes=5)
    clock.t = due + dt.timedelta(minutes=5)
    drain(d)
    assert wakeup(session_factory, wid).status == "done"


def test_telephony_down_puts_every_due_wakeup_on_the_manual_call_list(write, st, session_factory):
    make_hotel(write)
    a = book(write, st, room="1201")[0]
    b = book(write, st, room="1202")[0]
    later = book(write, st, room="1202", at=NOW + dt.timedelta(hours=2))[0]
    clock = Clock(NOW + dt.timedelta(hours=1))
    gw = ScriptedGateway({}, clock)
    gw.down = True
    drain(_dialler(session_factory, st, gw, clock))
    with session_factory() as s:
        assert [s.get(Wakeup, i).status for i in (a, b, later)] == ["escalated", "escalated", "due"]
        tasks = s.scalars(select(WakeupTask).order_by(WakeupTask.room_number)).all()
        assert [(t.kind, t.room_number) for t in tasks] == [("manual_call", "1201"), ("manual_call", "1202")]
        alerts = [f.payload for f in s.scalars(select(FeedItem).where(FeedItem.topic == "alert"))]
        assert sorted(p["room"] for p in alerts if p["kind"] == "wakeup_escalated"
                      and p["reason"] == "telephony_down") == ["1201", "1202"]
        (down,) = [p for p in alerts if p["kind"] == "wakeup_telephony_down"]
        assert "gateway down" in down["reason"]  # one "telephony down" alert, with the cause


def test_no_gateway_configured_is_never_silence(write, st, session_factory):
    make_hotel(write)
    (wid,) = book(write, st)
    clock = Clock(NOW + dt.timedelta(hours=1))
    drain(_dialler(session_factory, st, None, clock))
    assert wakeup(session_factory, wid).escalation_reason == "telephony_down"


def _left_placing(write, session_factory, st, wid, at):
    """What a dialler killed right after phase 1 leaves behind."""
    with write() as s:
        from zongji.store import jobs

        (jid,) = jobs.claim_due(s, "dead-worker", now=at, limit=1, lease=dt.timedelta(seconds=30),
                                kinds=[svc.CALL_JOB])
        w = svc.get(s, wid)
        svc.begin_attempt(s, w, 1, now=at, worker="dead-worker", settings=st)
    return jid


def test_recovery_asks_the_gateway_and_never_dials_twice(write, st, session_factory):
    make_hotel(write)
    (wid,) = book(write, st)
    due = NOW + dt.timedelta(hours=1)
    clock = Clock(due)
    gw = ScriptedGateway({"8201": ["answered_confirmed"]}, clock)
    _left_placing(write, session_factory, st, wid, due)
    # The dead dialler's request had reached the gateway: the call happened.
    gw.place_call("8201", None, call_id=f"wakeup-{wid}-1")
    d = _dialler(session_factory, st, gw, clock)
    drain(d)  # lease still running: nothing to do
    assert wakeup(session_factory, wid).status == "calling"
    clock.t = due + dt.timedelta(seconds=31)
    drain(d)
    w = wakeup(session_factory, wid)
    assert w.status == "done" and w.attempts[0].recovered and w.attempts[0].outcome == "answered_confirmed"
    assert gw.dialled == [f"wakeup-{wid}-1"]  # once


def test_recovery_dials_a_call_the_gateway_never_saw(write, st, session_factory):
    make_hotel(write)
    (wid,) = book(write, st)
    due = NOW + dt.timedelta(hours=1)
    clock = Clock(due + dt.timedelta(seconds=31))
    gw = ScriptedGateway({"8201": ["answered_confirmed"]}, clock)
    _left_placing(write, session_factory, st, wid, due)
    drain(_dialler(session_factory, st, gw, clock))
    assert wakeup(session_factory, wid).status == "done"
    assert gw.dialled == [f"wakeup-{wid}-1"]


def test_recovery_with_a_call_record_but_a_forgetful_gateway_counts_a_failed_attempt(
        write, st, session_factory):
    from zongji.store.models import Call

    make_hotel(write)
    (wid,) = book(write, st)
    due = NOW + dt.timedelta(hours=1)
    clock = Clock(due + dt.timedelta(seconds=31))
    gw = ScriptedGateway({"8201": ["answered_confirmed"]}, clock)
    _left_placing(write, session_factory, st, wid, due)
    with write() as s:  # the gateway had reported the call (CTI) and was restarted since
        s.add(Call(external_id=f"wakeup-{wid}-1", direction="out", calling_number="wakeup",
                   called_number="8201", state="ended", ringing_at=due))
    d = _dialler(session_factory, st, gw, clock)
    drain(d)
    w = wakeup(session_factory, wid)
    assert w.status == "retrying" and w.attempts[0].outcome == "failed" and w.attempts[0].recovered
    assert gw.dialled == []  # attempt 1 is never dialled again
    clock.t = due + dt.timedelta(minutes=2)
    drain(d)
    assert wakeup(session_factory, wid).status == "done"
    assert gw.dialled == [f"wakeup-{wid}-2"]


def test_watchdog_escalates_when_no_dialler_runs(write, st, session_factory, runtime):
    from zongji.worker.runner import Worker
    from zongji.worker.tasks import wakeups as tasks

    make_hotel(write)
    (wid,) = book(write, st)
    late = NOW + dt.timedelta(hours=1, seconds=st.wakeup_watchdog_seconds + 1)
    w = Worker(runtime, handlers={tasks.WATCHDOG_JOB: tasks.watchdog}, clock=lambda: late)
    assert w.run_once() == 1
    x = wakeup(session_factory, wid)
    assert x.status == "escalated" and x.escalation_reason == "telephony_down"


class _BrokenPrompts:
    def wakeup_prompt(self, t, languages, policy):
        from zongji.telephony.prompts import PromptUnavailable

        raise PromptUnavailable("espeak-ng is not installed: cannot synthesize prompts")


def test_speech_synthesis_failing_at_call_time_alerts_the_operators(write, st, session_factory):
    make_hotel(write, rooms=("1201", "1202"), empty=())
    book(write, st, room="1201")
    book(write, st, room="1202")
    clock = Clock(NOW + dt.timedelta(hours=1, seconds=1))
    gw = ScriptedGateway({"8201": ["answered_confirmed"], "8202": ["answered_confirmed"]}, clock)
    d = WakeupDialler(session_factory, st, gw, clock=clock, prompts=_BrokenPrompts(), lines=4)
    drain(d)
    assert len(gw.dialled) == 2  # the calls still went out, without a voice
    with session_factory() as s:
        alerts = [f.payload for f in s.scalars(select(FeedItem).where(FeedItem.topic == "alert"))
                  if f.payload.get("kind") == "wakeup_prompt_failed"]
    assert len(alerts) == 1  # once, not once per call
    assert "espeak-ng" in alerts[0]["reason"] and "叫醒语音无法生成" in alerts[0]["text"]
