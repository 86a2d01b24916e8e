"""Call charges from ended calls to the guest's folio (issue 13 point 4, R-H10), on both
databases: a room's international call is rated and posted once; a PMS that refuses or cannot be
reached loses nothing; calls without a stay, without a rate or from a department are kept and
listed; the IDD/DDD statistics of the day (R-H14)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select

from tests.fias_support import make_rooms
from zongji.domain.fias.postings import PostingAnswer
from zongji.services.charges import posting, reports, sweep
from zongji.services.charges.folio import FiasFolio, FolioAnswer
from zongji.services.fias import postings as fias_postings
from zongji.store.charges_models import CallCharge, CostPolicy
from zongji.store.fias_models import FiasPosting
from zongji.store.models import Call, Department, Guest, Person, Room, Stay
from zongji.store.switchboard_models import LongDistanceRate

NOW = dt.datetime(2026, 12, 4, 6, 0, tzinfo=dt.UTC)  # 14:00 in Shanghai


class Pms:
    """A PMS posting adapter following the contract of ``services/charges/folio``: it fails while
    ``down``, and keeps every charge it accepted by its idempotency key."""

    name = "test-pms"

    def __init__(self):
        self.down = True
        self.folio: dict[str, int] = {}
        self.calls = 0

    def post(self, session, charge):
        self.calls += 1
        if self.down:
            raise ConnectionError("PMS not reachable")
        self.folio.setdefault(charge.source, charge.amount_fen)
        return FolioAnswer("posted", reference=f"F{len(self.folio)}")

    def follow(self, session, charge, reference):
        return FolioAnswer("posted", reference=reference)


def _hotel(write):
    make_rooms(write, ("1201", "1202"))
    with write() as s:
        org_id = s.scalar(select(Room.organisation_id).limit(1))
        room = s.scalar(select(Room).where(Room.number == "1201"))
        guest = Guest(organisation_id=org_id, name="王芳")
        s.add(guest)
        s.flush()
        s.add(Stay(guest_id=guest.id, room_id=room.id, arrival=NOW - dt.timedelta(days=1),
                   departure=NOW + dt.timedelta(days=2), status="in_house"))
        s.add(Department(organisation_id=org_id, name="销售部", extension="8500"))
        for kind, dest, code, price in (("idd", "英国", "0044", 8.0), ("ddd", "国内长途", "0", 1.2)):
            s.add(LongDistanceRate(organisation_id=org_id, kind=kind, destination=dest, dial_code=code,
                                   per_minute=price, minimum_minutes=1))


def _call(write, ext: str, number: str, talk: int | None, *, minutes_ago: int = 30, state: str = "ended",
          direction: str = "out", now: dt.datetime = NOW) -> int:
    with write() as s:
        ringing = now - dt.timedelta(minutes=minutes_ago)
        c = Call(external_id=f"c-{ext}-{number}-{minutes_ago}", direction=direction, calling_number=ext,
                 called_number=number, state=state, ringing_at=ringing,
                 answered_at=ringing + dt.timedelta(seconds=5) if talk else None,
                 ended_at=ringing + dt.timedelta(seconds=5 + (talk or 0)) if state == "ended" else None,
                 talk_seconds=talk, outcome="answered" if talk else "missed")
        s.add(c)
        s.flush()
        return c.id


def _charges(session_factory):
    with session_factory() as s:
        return {c.call_id: (c.kind, c.state, c.amount_fen, c.room_number) for c in s.scalars(select(CallCharge))}


def test_calls_are_rated_once_and_kept_until_the_pms_takes_them(write, session_factory, settings):
    _hotel(write)
    uk = _call(write, "8201", "0044 20 7123 4567", 125)            # the guest's call to London
    ddd = _call(write, "8202", "02187654321", 30, minutes_ago=20)  # nobody stays in 1202
    sales = _call(write, "8500", "01088888888", 61, minutes_ago=10)
    missed = _call(write, "8201", "13800138000", None, minutes_ago=5)
    talking = _call(write, "8201", "0044123", 0, minutes_ago=1, state="answered")
    incoming = _call(write, "8201", "88888888", 50, direction="in")
    pms = Pms()
    with write() as s:
        done = sweep.run(s, pms, settings, NOW)
    assert done["posted"] == {"posted": 0, "pending": 0, "refused": 0, "unavailable": 1}
    got = _charges(session_factory)
    assert got[uk] == ("idd", "queued", 2400, "1201")           # 3 started minutes at 8 yuan
    assert got[ddd] == ("ddd", "no_stay", 120, "1202")
    assert got[sales] == ("ddd", "account", 240, None)
    assert got[missed] == ("mobile", "free", 0, "1201")
    assert talking not in got and incoming not in got

    # Nothing lost while the PMS is down; nothing posted twice once it is back.
    with write() as s:
        sweep.run(s, pms, settings, NOW + dt.timedelta(seconds=60))   # before the retry time: not tried
    assert pms.calls == 1
    pms.down = False
    later = NOW + dt.timedelta(seconds=settings.charges_retry_seconds + 1)
    for _ in range(2):
        with write() as s:
            sweep.run(s, pms, settings, later)
    assert pms.folio == {f"call:{uk}": 2400}
    assert _charges(session_factory)[uk][1] == "posted"
    with session_factory() as s:
        assert s.scalar(select(func.count()).select_from(CallCharge)) == 4   # each call rated once
        missed_list = reports.listing(s, settings)
    assert [i["call_id"] for i in missed_list["items"]] == [ddd]
    assert missed_list["missed"]["no_stay"] == 1


def test_fias_refusal_is_listed_and_posted_once_after_a_person_sends_it_again(write, session_factory, settings):
    _hotel(write)
    uk = _call(write, "8201", "00442071234567", 59)
    folio = FiasFolio()
    with write() as s:
        sweep.run(s, folio, settings, NOW)
    with session_factory() as s:
        p = s.scalar(select(FiasPosting))
        assert (p.source, p.room_number, p.amount_minor, p.state) == (f"call:{uk}", "1201", 800, "queued")
        charge_id = s.scalar(select(CallCharge.id))
    assert _charges(session_factory)[uk][1] == "pending"
    with write() as s:   # the link sends it; the PMS refuses (PA with an error status)
        fias_postings.records_to_send(s, NOW, settings)
        fias_postings.answer(s, PostingAnswer(p.id, "UR", "room not in house"), NOW, settings)
    with write() as s:
        sweep.run(s, folio, settings, NOW + dt.timedelta(seconds=30))
    with session_factory() as s:
        listed = reports.listing(s, settings)["items"]
    assert [(i["call_id"], i["state"], i["reason"]) for i in listed] == [(uk, "refused", "UR room not in house")]
    with write() as s:
        posting.act(s, charge_id, "requeue", actor="leader", reason="客人确认在住", now=NOW)
    with write() as s:
        sweep.run(s, folio, settings, NOW + dt.timedelta(seconds=60))
    with write() as s:   # sent again with the same P#; this time posted
        sent = fias_postings.records_to_send(s, NOW, settings)
        assert [pid for pid, _ in sent] == [p.id]
        fias_postings.answer(s, PostingAnswer(p.id, "OK", None), NOW, settings)
    with write() as s:
        sweep.run(s, folio, settings, NOW + dt.timedelta(seconds=90))
    with session_factory() as s:
        assert s.scalar(select(func.count()).select_from(FiasPosting)) == 1
        assert reports.listing(s, settings)["missed_total"] == 0
    assert _charges(session_factory)[uk][1] == "posted"


def test_long_distance_statistics_of_the_day(write, session_factory, settings):
    _hotel(write)
    _call(write, "8201", "00442071234567", 125)
    _call(write, "8201", "02187654321", 30, minutes_ago=20)
    _call(write, "8500", "01088888888", 61, minutes_ago=10)
    _call(write, "8201", "13800138000", 100, minutes_ago=5)   # mobile: not long distance
    with write() as s:
        sweep.run(s, Pms(), settings, NOW)
    with session_factory() as s:
        data = reports.long_distance(s, settings, date_from=dt.date(2026, 12, 4), date_to=dt.date(2026, 12, 4))
    t = data["total"]
    assert (t["idd_count"], t["idd_minutes"], t["idd_amount_fen"]) == (1, 3, 2400)
    assert (t["ddd_count"], t["ddd_minutes"], t["ddd_amount_fen"]) == (2, 3, 360)
    assert [(r["room"], r["idd_count"], r["ddd_count"]) for r in data["rooms"]] == [("1201", 1, 1)]
    assert [(r["department"], r["ddd_amount_fen"]) for r in data["departments"]] == [("销售部", 240)]
    xlsx = reports.long_distance_xlsx(data)
    assert xlsx[:2] == b"PK"


def _company(write):
    _hotel(write)
    with write() as s:
        dep = s.scalar(select(Department).where(Department.name == "销售部"))
        s.add(Person(organisation_id=dep.organisation_id, department_id=dep.id, name="陈静", extension="8501",
                     mobile="13900008501"))


def _pbx_commands(write, runtime, settings, now):
    """Send the queued PBX commands through the test's simulated PBX, as the worker does."""
    from zongji.services.switchboard.pbx import PBX_JOB, run_pbx_command
    from zongji.store.models import Job

    with write() as s:
        for job in s.scalars(select(Job).where(Job.kind == PBX_JOB, Job.state == "pending")):
            run_pbx_command(s, job.payload, now, runtime.pbx(), settings.tz)
            job.state = "done"


def test_monthly_cap_warns_bars_and_is_lifted_and_the_statement_splits_costs(write, session_factory, settings, runtime):
    from zongji.services.charges import policies
    from zongji.store.work_order_models import Notification

    _company(write)
    with write() as s:
        policies.save(s, settings, "8501", split="share", person_share_percent=40, monthly_cap_fen=5000,
                      warn_percent=None, actor="supervisor", now=NOW)
        policies.save(s, settings, "13900008501", split="person", person_share_percent=0, monthly_cap_fen=None,
                      warn_percent=None, actor="supervisor", now=NOW)
    _call(write, "8501", "00442071234567", 240, minutes_ago=50)     # 4 min × 8 = 32 yuan: 64 % of the cap
    _call(write, "13900008501", "01088888888", 100, minutes_ago=45)  # the mobile: the person pays
    with write() as s:
        sweep.run(s, Pms(), settings, NOW)
    with session_factory() as s:
        assert s.scalar(select(func.count()).select_from(Notification).where(Notification.kind == "cost_cap")) == 0
    _call(write, "8501", "00442071234567", 60, minutes_ago=40)      # 40 yuan: past 80 % — warned
    with write() as s:
        sweep.run(s, Pms(), settings, NOW)
    _call(write, "8501", "00442071234567", 120, minutes_ago=30)     # 56 yuan: past the cap — barred
    with write() as s:
        sweep.run(s, Pms(), settings, NOW)
    _pbx_commands(write, runtime, settings, NOW)
    assert runtime.pbx().long_distance_barred("8501")
    with session_factory() as s:
        subjects = [n.subject for n in s.scalars(select(Notification).where(Notification.kind == "cost_cap")
                                                   .order_by(Notification.id))]
        listed = {p["number"]: p for p in policies.listing(s, settings, NOW)}
    assert len(subjects) == 2 and "月度上限" in subjects[0] and "限制长途" in subjects[1]
    assert listed["8501"]["barred"] and listed["8501"]["month_total_fen"] == 5600

    with write() as s:   # the supervisor lifts it: open again, not barred again this month
        policies.lift(s, settings, listed["8501"]["id"], actor="supervisor", now=NOW)
    _pbx_commands(write, runtime, settings, NOW)
    assert not runtime.pbx().long_distance_barred("8501")
    _call(write, "8501", "00442071234567", 60, minutes_ago=20)
    with write() as s:
        sweep.run(s, Pms(), settings, NOW)
    with session_factory() as s:
        assert not s.get(CostPolicy, listed["8501"]["id"]).barred
        data = reports.statement(s, settings, month="2026-12")
    person = data["people"][0]
    assert (person["person"], person["calls"], person["amount_fen"]) == ("陈静", 5, 6400 + 240)
    # 40 % of the desk's 64 yuan, and all of the mobile's 2.40 yuan.
    assert (person["person_fen"], person["unit_fen"]) == (2560 + 240, 3840)
    assert data["departments"][0]["department"] == "销售部"
    assert reports.statement_xlsx(data)[:2] == b"PK"


def test_a_bar_of_last_month_is_released_when_the_month_changes(write, session_factory, settings, runtime):
    from zongji.services.charges import policies

    _company(write)
    with write() as s:
        p = policies.save(s, settings, "8501", split="unit", person_share_percent=0, monthly_cap_fen=100,
                          warn_percent=None, actor="supervisor", now=NOW)
    _call(write, "8501", "00442071234567", 30)
    with write() as s:
        sweep.run(s, Pms(), settings, NOW)
    _pbx_commands(write, runtime, settings, NOW)
    assert runtime.pbx().long_distance_barred("8501")
    january = dt.datetime(2026, 12, 31, 16, 1, tzinfo=dt.UTC)   # 00:01 on 1 January in Shanghai
    with write() as s:
        sweep.run(s, Pms(), settings, january)
    _pbx_commands(write, runtime, settings, january)
    assert not runtime.pbx().long_distance_barred("8501")
    with session_factory() as s:
        assert not s.get(CostPolicy, p.id).barred


def test_the_weeks_special_calls(write, session_factory, settings):
    _hotel(write)
    police = _call(write, "8201", "110", 40, minutes_ago=50)
    long_local = _call(write, "8201", "83456789", 3700, minutes_ago=120)
    london = _call(write, "8201", "00442071234567", 900, minutes_ago=30)      # 15 min × 8 = 120 yuan
    paris = _call(write, "8201", "0033142765432", 60, minutes_ago=20)
    _call(write, "8201", "02187654321", 60, minutes_ago=10)                   # an ordinary call
    with write() as s:
        sweep.run(s, Pms(), settings, NOW)
    with session_factory() as s:
        week = reports.special_calls(s, settings, day=dt.date(2026, 12, 6))   # Sunday of the same week
        other = reports.special_calls(s, settings, day=dt.date(2026, 12, 7))
    assert (week["date_from"], week["date_to"]) == ("2026-11-30", "2026-12-06")
    assert [(i["call_id"], i["reasons"]) for i in week["items"]] == [
        (long_local, ["long"]), (police, ["emergency"]), (london, ["expensive"]), (paris, ["unrated"])]
    assert other["items"] == []
    assert reports.special_calls_xlsx(week)[:2] == b"PK"


def test_charged_services_reach_the_folio_once(write, session_factory, settings):
    from zongji.store.guestsvc_models import GsItem, GsRequest

    _hotel(write)
    with write() as s:
        rooms = {r.number: r for r in s.scalars(select(Room))}
        stay = s.scalar(select(Stay))
        items = {k: GsItem(name_zh=zh, name_en=k, team="housekeeping", kind="service", charged=charged,
                           price_fen=price, target_minutes=10)
                 for k, zh, charged, price in (("bed", "加床", True, 20000), ("minibar", "迷你吧", True, None),
                                               ("towels", "加毛巾", False, None))}
        s.add_all(items.values())
        s.flush()

        def done(key, room, *, quantity=1, amount=None, stay_id=None):
            it = items[key]
            r = GsRequest(item_id=it.id, item_name=it.name_zh, team=it.team, kind=it.kind, charged=it.charged,
                          target_minutes=10, quantity=quantity, room_id=rooms[room].id, stay_id=stay_id,
                          created_at=NOW - dt.timedelta(hours=1), created_by="op", state="done",
                          done_at=NOW - dt.timedelta(minutes=30), amount_fen=amount)
            s.add(r)
            s.flush()
            return r.id

        bed = done("bed", "1201", quantity=2, stay_id=stay.id)
        minibar = done("minibar", "1201", amount=4500)
        unpriced = done("minibar", "1201")
        empty_room = done("bed", "1202")
        done("towels", "1201")
    pms = Pms()
    pms.down = False
    for at in (NOW, NOW + dt.timedelta(minutes=1)):
        with write() as s:
            sweep.run(s, pms, settings, at)
    with session_factory() as s:
        got = {c.request_id: (c.state, c.amount_fen, c.destination) for c in s.scalars(select(CallCharge))}
    assert got == {bed: ("posted", 40000, "加床 ×2"), minibar: ("posted", 4500, "迷你吧 ×1"),
                   unpriced: ("unrated", 0, "迷你吧 ×1"), empty_room: ("no_stay", 20000, "加床 ×1")}
    assert pms.folio == {f"service:{bed}": 40000, f"service:{minibar}": 4500}
