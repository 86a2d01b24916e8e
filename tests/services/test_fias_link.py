"""The PMS link over FIAS end to end (issue 16): Zongji's link (zongji.worker.fias_link) against
the PMS emulator (zongji.demo.fias_pms) over a real TCP socket on port 0, on SQLite and
PostgreSQL. Waits are on conditions (asyncio events, a database condition with a deadline)."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt

from sqlalchemy import func, select

from zongji.demo.fias_pms import FiasPms
from zongji.services import wakeups as wakeup_svc
from zongji.services.fias import link_status
from zongji.services.switchboard import dnd
from zongji.store.db import transaction
from zongji.store.fias_models import FiasOutbox, FiasReservation
from zongji.store.models import Guest, Job, Stay, User, utcnow
from zongji.store.switchboard_models import DndPeriod, Message
from zongji.store.wakeup_models import Wakeup
from zongji.worker.fias_link import FiasLink

from tests.fias_support import make_rooms, until

FAST = dict(fias_poll_seconds=0.05, fias_backoff_seconds=0.05, fias_backoff_max_seconds=0.2,
            fias_alive_seconds=5, fias_dead_seconds=5, fias_alert_after_seconds=0)


@contextlib.asynccontextmanager
async def running_link(settings, session_factory, pms: FiasPms | None = None, *, wait_up: bool = True, **over):
    pms = pms or FiasPms()
    port = pms.port or await pms.listen()
    s = settings.model_copy(update={**FAST, "fias_port": port, "fias_mode": "client", **over})
    link = FiasLink(session_factory, s)
    stop = asyncio.Event()
    task = asyncio.create_task(link.run(stop))
    try:
        if wait_up:
            await asyncio.wait_for(link.up.wait(), 10)
        yield pms, link
    finally:
        stop.set()
        await asyncio.wait_for(task, 10)


def stays_of(s, reservation):
    res = s.scalar(select(FiasReservation).where(FiasReservation.reservation == reservation))
    return None if res is None else s.get(Stay, res.stay_id)


def tomorrow_at(settings, hour, minute):
    local = utcnow().astimezone(settings.tz) + dt.timedelta(days=1)
    return local.replace(hour=hour, minute=minute, second=0, microsecond=0)


async def test_handshake_status_drop_and_reconnect(settings, session_factory, write):
    make_rooms(write)
    async with running_link(settings, session_factory) as (pms, link):
        assert pms.conversation[0][0] == ">" and pms.conversation[0][1].startswith("LS|")
        kinds = [r.kind for r in pms.received]
        assert kinds[:2] == ["LS", "LD"] and "LR" in kinds
        assert set(pms.description) >= {"GI", "GC", "GO", "WR", "WC", "WA", "RE", "DR"}
        assert pms.description["GI"][:3] == ("RN", "G#", "GN")
        await pms.wait_for(lambda r: r.kind == "DR")  # resync asked for on every link up
        with session_factory() as s:
            st = link_status.status(s, settings)
        assert st["state"] == "up" and st["up_since"] and st["outbox"]["pending"] == 0

        pms.drop()  # a pulled cable
        await until(session_factory, lambda s: link_status.status(s, settings)["state"] != "up")
        await pms.wait_connected(connections=2)  # the client reconnects after its back-off
        await asyncio.wait_for(link.up.wait(), 10)
        await pms.wait_for(lambda r: r.kind == "DR", count=2)
        # the alert of the outage was raised (alert after 0 s here) and cleared when up again
        with session_factory() as s:
            st = link_status.status(s, settings)
        assert st["state"] == "up" and not st["alerted"]
    with session_factory() as s:
        assert link_status.status(s, settings)["state"] == "down"
    assert pms.received[-1].kind == "LE"  # Zongji said goodbye when it stopped


async def test_guests_check_in_change_move_and_check_out(settings, session_factory, write):
    make_rooms(write)
    async with running_link(settings, session_factory) as (pms, _):
        await pms.check_in("A1", "1201", "Zhang", GF="Wei", GL="EA", GV="2", SF="Y", GD="991231")
        stay = await until(session_factory, lambda s: stays_of(s, "A1"))
        with session_factory() as s:
            g = s.get(Guest, stay.guest_id)
            assert (g.name, g.language, g.vip, g.privacy_level) == ("Zhang, Wei", "en", True, "not_staying")
            assert stay.status == "in_house" and stay.room.number == "1201"
        # the same GI again (a resend): the same stay, no second one
        await pms.send(pms_record("GI", pms.guests["A1"]))
        await pms.equipment("1201", dnd=True)
        await until(session_factory, lambda s: s.scalar(select(DndPeriod).where(DndPeriod.room_number == "1201")))
        await pms.change("A1", RN="1202", GN="Li", GF="", SF="N")
        await until(session_factory, lambda s: stays_of(s, "A1").room.number == "1202")
        with session_factory() as s:  # DND moved with the guest
            on = [p.room_number for p in s.scalars(select(DndPeriod).where(DndPeriod.ended_at.is_(None)))]
            assert on == ["1202"]
        with session_factory() as s:
            stay = stays_of(s, "A1")
            g = s.get(Guest, stay.guest_id)
            assert (g.name, g.privacy_level) == ("Li", "normal")
            assert s.scalar(select(func.count()).select_from(Stay)) == 1
        await pms.check_out("A1")
        await until(session_factory, lambda s: stays_of(s, "A1").status == "checked_out")


async def test_a_room_move_takes_the_wakeup_to_ring_along(settings, session_factory, write):
    make_rooms(write)
    async with running_link(settings, session_factory) as (pms, _):
        await pms.check_in("M1", "1201", "Move")
        await until(session_factory, lambda s: stays_of(s, "M1"))
        await pms.wakeup("1201", tomorrow_at(settings, 6, 30))
        await until(session_factory, lambda s: s.scalar(select(Wakeup).where(Wakeup.channel == "pms")))
        await pms.change("M1", RN="1203")
        await until(session_factory, lambda s: stays_of(s, "M1").room.number == "1203")
        with session_factory() as s:
            w = s.scalar(select(Wakeup))
            assert (w.room_number, w.room.number) == ("1203", "1203")


def pms_record(kind, fields):
    from zongji.domain.fias.records import Record
    return Record.build(kind, *fields.items())


async def test_resync_after_the_link_was_down_loses_and_duplicates_nothing(settings, session_factory, write):
    make_rooms(write)
    pms = FiasPms()
    await pms.listen()
    async with running_link(settings, session_factory, pms) as (_, link):
        await pms.check_in("R1", "1201", "One")
        await pms.check_in("R2", "1202", "Two")
        await until(session_factory, lambda s: stays_of(s, "R2"))
        pms.drop()
        # While the link is down the front desk goes on: R1 leaves, R3 arrives, and R4's GI is
        # cut half-way by the broken link.
        await pms.check_out("R1", send=False)
        await pms.check_in("R3", "1203", "Three", send=False)
        await pms.wait_connected(connections=2)
        await pms.wait_for(lambda r: r.kind == "DR", count=2)
        await pms.check_in("R4", "1204", "Four", send=False)
        await pms.send_cut(pms_record("GI", pms.guests["R4"]))
        await pms.wait_connected(connections=3)
        await pms.wait_for(lambda r: r.kind == "DR", count=3)
        # R4 is named only by the third link's resync (DS reset resync_done_at): DE is done
        await until(session_factory, lambda s: stays_of(s, "R4") and link_status.status(s, settings)["resync_done_at"])
        with session_factory() as s:
            assert stays_of(s, "R1").status == "checked_out"  # its GO was never sent
            in_house = sorted(st.room.number for st in s.scalars(select(Stay).where(Stay.status == "in_house")))
            assert in_house == ["1202", "1203", "1204"]
            assert s.scalar(select(func.count()).select_from(Stay)) == 4  # R1..R4, once each


async def test_wakeups_from_the_pms_and_their_answers(settings, session_factory, write):
    make_rooms(write)
    async with running_link(settings, session_factory) as (pms, _):
        await pms.check_in("W1", "1201", "Wake")
        await until(session_factory, lambda s: stays_of(s, "W1"))
        at = tomorrow_at(settings, 6, 30)
        await pms.wakeup("1201", at)
        await pms.wakeup("1201", at)  # sent twice: one wake-up
        w = await until(session_factory, lambda s: s.scalar(select(Wakeup).where(Wakeup.channel == "pms")))
        assert w.room_number == "1201" and w.wake_at == at
        await pms.wakeup("9999", at)  # no such room: answered at once, unprocessable
        wa = await pms.wait_for(lambda r: r.kind == "WA")
        assert (wa[0].get("RN"), wa[0].get("AS")) == ("9999", "UR")
        with transaction(session_factory) as s:
            wakeup_svc.mark_reached(s, w.id, by="door", actor="test", now=utcnow(), settings=settings)
        wa = await pms.wait_for(lambda r: r.kind == "WA" and r.get("RN") == "1201")
        assert (wa[0].get("AS"), wa[0].get("TI"), wa[0].get("DA")) == ("OK", "063000", at.strftime("%y%m%d"))
        # WC clears a wake-up; no WA follows for it
        at2 = tomorrow_at(settings, 7, 0)
        await pms.wakeup("1201", at2)
        await until(session_factory, lambda s: s.scalar(select(Wakeup).where(Wakeup.wake_at == at2)))
        await pms.wakeup("1201", at2, clear=True)
        await until(session_factory, lambda s: s.scalar(select(Wakeup.status).where(Wakeup.wake_at == at2)) == "cancelled")
        await until(session_factory, lambda s: not s.scalar(select(func.count()).select_from(FiasOutbox)
                                                            .where(FiasOutbox.state == "pending")))
        assert [r.get("AS") for r in pms.received if r.kind == "WA"] == ["UR", "OK"]


async def test_dnd_and_message_lamp_both_ways(settings, session_factory, write):
    make_rooms(write)
    with write() as s:
        operator = User(username="op", display_name="王", role="operator", password_hash="x")
        s.add(operator)
    async with running_link(settings, session_factory, fias_alive_seconds=0.2) as (pms, _):
        for res, room in (("D1", "1201"), ("D2", "1202")):
            await pms.check_in(res, room, res)
        await until(session_factory, lambda s: stays_of(s, "D2"))
        # the PMS switches DND on: the line is locked, and nothing is echoed back
        await pms.equipment("1201", dnd=True, lamp=True)
        row = await until(session_factory, lambda s: s.scalar(select(DndPeriod).where(
            DndPeriod.room_number == "1201", DndPeriod.ended_at.is_(None))))
        assert row.set_by == "PMS"
        with session_factory() as s:
            cmds = [j.payload for j in s.scalars(select(Job).where(Job.kind == "switchboard.pbx"))]
        assert {"command": "lock", "extension": "8201", "locked": True} in cmds
        assert {"command": "lamp", "extension": "8201", "on": True} in cmds
        # the operator sets DND on 1202 and a message lights 1203's lamp: the PMS hears both
        with transaction(session_factory) as s:
            op = s.scalar(select(User).where(User.username == "op"))
            dnd.set_dnd(s, op, settings, subject_kind="room", subject_id=None, room="1202", reason=None,
                        until=None, until_checkout=True)
            s.add(Message(recipient_kind="guest", recipient_label="x", caller_name="c", caller_number="1",
                          content="call back", taken_by="王", taken_at=utcnow(), state="waiting",
                          lamp_extension="8203"))
        re = await pms.wait_for(lambda r: r.kind == "RE", count=2)
        got = {(r.get("RN"), r.get("DN"), r.get("ML")) for r in re}
        assert got == {("1202", "Y", None), ("1203", None, "Y")}
        # the PMS cancels its DND: the line is released, still no echo
        await pms.equipment("1201", dnd=False)
        await until(session_factory, lambda s: s.scalar(select(DndPeriod.ended_at).where(DndPeriod.room_number == "1201")))
        # an LA round trip after the cancel: anything the sender queued since has reached the PMS
        la = len([r for r in pms.received if r.kind == "LA"])
        await pms.wait_for(lambda r: r.kind == "LA", count=la + 2, timeout=15)
        assert sorted(r.get("RN") for r in pms.received if r.kind == "RE") == ["1202", "1203"]


async def test_outbox_is_sent_in_order_once_across_a_restart(settings, session_factory, write):
    make_rooms(write)
    from zongji.domain.fias.equipment import RoomEquipment, equipment_record
    from zongji.services.fias import outbox
    # records queued while no link runs (Zongji's link process is down)
    with transaction(session_factory) as s:
        for i, room in enumerate(["1201", "1202", "1203", "1204", "1201"]):
            outbox.enqueue(s, equipment_record(RoomEquipment(room, lamp=i % 2 == 0), utcnow(), settings.tz))
    pms = FiasPms()
    await pms.listen()
    pms.answer_la = False  # the PMS reads but does not confirm: nothing may be marked sent
    async with running_link(settings, session_factory, pms, wait_up=False) as (_, link):
        await pms.wait_for(lambda r: r.kind == "LA")
        await pms.wait_for(lambda r: r.kind == "LS")
    # "restart": a new link process; the PMS answers now
    pms.answer_la = True
    async with running_link(settings, session_factory, pms) as (_, link):
        await until(session_factory, lambda s: not s.scalar(select(func.count()).select_from(FiasOutbox)
                                                            .where(FiasOutbox.state == "pending")))
    async with running_link(settings, session_factory, pms) as (_, link):  # and once more: nothing resent
        await pms.wait_for(lambda r: r.kind == "DR", count=2)
    sent = [(r.get("RN"), r.get("ML")) for r in pms.received if r.kind == "RE"]
    assert sent == [("1201", "Y"), ("1202", "N"), ("1203", "Y"), ("1204", "N"), ("1201", "Y")]


async def test_zongji_as_server_the_pms_connects(settings, session_factory, write):
    make_rooms(write)
    s2 = settings.model_copy(update={**FAST, "fias_mode": "server", "fias_port": 0})
    link = FiasLink(session_factory, s2)
    stop = asyncio.Event()
    task = asyncio.create_task(link.run(stop))
    pms = FiasPms()
    try:
        await asyncio.wait_for(link.listening.wait(), 10)
        await pms.connect("127.0.0.1", link.port)
        await asyncio.wait_for(link.up.wait(), 10)
        await pms.check_in("S1", "1203", "Server")
        await until(session_factory, lambda s: stays_of(s, "S1"))
    finally:
        stop.set()
        await asyncio.wait_for(task, 10)
        await pms.close()


async def test_wakeups_booked_at_the_switchboard_are_told_to_the_pms(settings, session_factory, write):
    make_rooms(write)
    async with running_link(settings, session_factory, fias_send_wakeups=True) as (pms, link):
        await pms.check_in("B1", "1203", "Booked")
        await until(session_factory, lambda s: stays_of(s, "B1"))
        at = tomorrow_at(settings, 5, 45)
        with transaction(session_factory) as s:
            w = wakeup_svc.book(s, wakeup_svc.Booking(room="1203", wake_at=at, readback_confirmed=True),
                                actor="user:op", now=utcnow(), settings=link.settings)[0]
        wr = await pms.wait_for(lambda r: r.kind == "WR")
        assert (wr[0].get("RN"), wr[0].get("TI")) == ("1203", "054500")
        with transaction(session_factory) as s:
            wakeup_svc.cancel(s, w.id, actor="user:op", now=utcnow(), settings=link.settings)
        wc = await pms.wait_for(lambda r: r.kind == "WC")
        assert (wc[0].get("RN"), wc[0].get("DA")) == ("1203", at.strftime("%y%m%d"))
        assert not [r for r in pms.received if r.kind == "WA"]


async def test_postings_are_posted_once_and_refusals_stay_listed(settings, session_factory, write):
    from zongji.services.fias import postings
    from zongji.store.fias_models import FiasPosting

    make_rooms(write)
    pms = FiasPms()
    await pms.listen()
    pms.refuse_rooms = {"1203"}
    pms.answer_postings = False  # the PMS reads postings but does not answer yet
    async with running_link(settings, session_factory, pms) as (_, link):
        await pms.check_in("P1", "1201", "Caller")
        await until(session_factory, lambda s: stays_of(s, "P1"))
        with transaction(session_factory) as s:
            a = postings.post(s, source="call:1", room="1201", amount_minor=1250, text="IDD 00441234",
                              dialled="00441234", duration_seconds=125).id
            assert postings.post(s, source="call:1", room="1201", amount_minor=1250).id == a  # once per charge
            b = postings.post(s, source="call:2", room="1203", amount_minor=300).id
        ps = await pms.wait_for(lambda r: r.kind == "PS", count=2)
        assert (ps[0].get("P#"), ps[0].get("TA"), ps[0].get("G#"), ps[0].get("DU")) == (str(a), "1250", "P1", "000205")
        pms.drop()  # the link breaks before any answer: both stay waiting, nothing is lost
        await pms.wait_connected(connections=2)
        pms.answer_postings = True
        await until(session_factory, lambda s: s.get(FiasPosting, a).state == "posted"
                    and s.get(FiasPosting, b).state == "refused")
    assert list(pms.folio) == [str(a)]  # sent twice with the same P#, posted once
    assert [r.get("P#") for r in pms.received if r.kind == "PS"] == [str(a), str(b), str(a), str(b)]
    with session_factory() as s:
        listed = postings.listing(s, settings)
        assert [(p["id"], p["state"], p["answer"]) for p in listed] == [(b, "refused", "NG")]


async def test_a_guests_call_charge_reaches_the_folio_over_the_link(settings, session_factory, write):
    """Issue 16 point 5 with issue 13 point 4: an international call from a room of a guest the
    PMS checked in is rated, posted as PS over the link with ZONGJI_CHARGES_FOLIO=fias, answered
    by PA and shown as posted; the same charge is never posted twice."""
    from zongji.services.charges import sweep
    from zongji.services.charges.folio import build
    from zongji.store.charges_models import CallCharge
    from zongji.store.models import Call, Room
    from zongji.store.switchboard_models import LongDistanceRate

    make_rooms(write)
    with write() as s:
        s.add(LongDistanceRate(organisation_id=s.scalar(select(Room.organisation_id).limit(1)), kind="idd",
                               destination="英国", dial_code="0044", per_minute=8.0, minimum_minutes=1))
    fias = settings.model_copy(update={"charges_folio": "fias"})
    async with running_link(settings, session_factory) as (pms, link):
        await pms.check_in("P7", "1201", "Caller")
        stay = await until(session_factory, lambda s: stays_of(s, "P7"))
        rang = max(stay.arrival, utcnow()) + dt.timedelta(seconds=1)   # the guest calls once checked in
        now = rang + dt.timedelta(seconds=200)
        with write() as s:
            s.add(Call(external_id="fias-call-1", direction="out", calling_number="8201",
                       called_number="00442071234567", state="ended", ringing_at=rang, answered_at=rang,
                       ended_at=rang + dt.timedelta(seconds=125), talk_seconds=125, outcome="answered"))
        with write() as s:
            sweep.run(s, build(fias), fias, now)
        ps = await pms.wait_for(lambda r: r.kind == "PS", count=1)
        assert (ps[0].get("TA"), ps[0].get("G#"), ps[0].get("DU")) == ("2400", "P7", "000205")

        def posted(s):
            with transaction(session_factory) as w:
                sweep.run(w, build(fias), fias, now)
            return s.scalar(select(CallCharge.state)) == "posted"

        await until(session_factory, posted)
    assert list(pms.folio) == [ps[0].get("P#")]
