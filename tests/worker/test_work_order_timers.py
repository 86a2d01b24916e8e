"""Work-order timers and notifications: reminders fire once (two workers, a restart), stale ones
do nothing, e-mail goes through a real SMTP server (aiosmtpd) and SMS through the gateway double."""

from __future__ import annotations

import datetime as dt
import threading
import time
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from zongji.demo.sms_gateway_double import SmsGatewayDouble
from zongji.domain.roles import Role
from zongji.services.auth import create_user
from zongji.services.work_orders import commands, links, listing, visibility
from zongji.store.models import Department, Job, Organisation, User
from zongji.store.work_order_models import Notification, UnitContact, WorkOrder, WorkOrderEvent
from zongji.worker.tasks import load_all
from zongji.worker.runner import Worker

TZ = ZoneInfo("Asia/Shanghai")
# A Monday morning in an ordinary week (no holiday): 5 working days → next Monday 09:00.
T0 = dt.datetime(2025, 3, 10, 9, 0, tzinfo=TZ)


@pytest.fixture
def world(write, settings):
    with write() as s:
        org = Organisation(code="city", name="示例市", kind="city_hotline")
        s.add(org)
        s.flush()
        unit = Department(organisation_id=org.id, name="市城管局", kind="handling_unit")
        s.add(unit)
        s.flush()
        op = create_user(s, username="op", password="secret-pass-1", role="operator")
        leader = create_user(s, username="lead", password="secret-pass-1", role="shift_leader")
        return {"unit": unit.id, "op": op.id, "leader": leader.id}


def _viewer(s, user_id):
    return visibility.Viewer.of(s.get(User, user_id))


def _dispatched_order(write, world, at=T0):
    with write() as s:
        o = commands.create_order(s, _viewer(s, world["op"]), commands.NewOrder(
            order_type="request", situation="general", description="路灯不亮", caller_name="张三", place="幸福路"), tz=TZ, now=at)
        commands.act(s, _viewer(s, world["leader"]), o.id, {"action": "dispatch", "unit_id": world["unit"]},
                     tz=TZ, now=at + dt.timedelta(minutes=10))
        return o.id


def _reminders(write, order_id):
    with write() as s:
        return [(e.actor_role, (e.data or {}).get("reason")) for e in s.scalars(
            select(WorkOrderEvent).where(WorkOrderEvent.order_id == order_id, WorkOrderEvent.action == "remind")
            .order_by(WorkOrderEvent.id))]


def _pending_keys(write, order_id):
    with write() as s:
        return sorted(s.scalars(select(Job.key).where(Job.key.like(f"wo:{order_id}:%"), Job.state == "pending")))


def test_completion_reminders_fire_once_each_with_two_workers(write, session_factory, world, runtime):
    order_id = _dispatched_order(write, world)
    keys = _pending_keys(write, order_id)
    # Completion warning (80 % of 5 working days) and breach are scheduled; the dispatch clock stopped.
    assert any(":completion:warning:" in k for k in keys) and any(":completion:breach:" in k for k in keys)
    assert not any(":dispatch:" in k for k in keys)
    with write() as s:
        deadline = s.get(WorkOrder, order_id).completion_deadline
    handlers = load_all()

    def run_two_workers(at):
        workers = [Worker(runtime, handlers=handlers, clock=lambda: at, batch=1) for _ in range(2)]

        def drain(w):
            while w.run_once():
                pass

        threads = [threading.Thread(target=drain, args=(w,)) for w in workers]
        for t in threads:
            t.start()
        for t in threads:
            t.join()

    # Past the warning share (80 % of the working time), before the deadline: one warning.
    run_two_workers(deadline - dt.timedelta(minutes=30))
    assert _reminders(write, order_id) == [("system", "warning")]
    with write() as s:
        assert s.get(WorkOrder, order_id).sla_state == "warning"
    # Past the deadline: one breach reminder.
    late = deadline + dt.timedelta(minutes=1)
    run_two_workers(late)
    assert _reminders(write, order_id) == [("system", "warning"), ("system", "breach")]
    with write() as s:
        assert s.get(WorkOrder, order_id).sla_state == "breached"
        n = s.scalars(select(Notification).where(Notification.order_id == order_id,
                                                 Notification.kind == "reminder", Notification.unit_id == world["unit"])).all()
        assert len(n) == 2
    # Running again changes nothing.
    assert Worker(runtime, handlers=handlers, clock=lambda: late).run_once() == 0
    assert len(_reminders(write, order_id)) == 2


def test_a_reminder_survives_a_restart_and_a_worker_dying_mid_job(write, session_factory, world, runtime):
    order_id = _dispatched_order(write, world)
    late = T0 + dt.timedelta(days=8)  # past the deadline (next Monday 09:10)
    handlers = load_all()
    # A worker claims the due jobs and dies before running them (nothing committed).
    dead = Worker(runtime, handlers=handlers, clock=lambda: late, lease=dt.timedelta(seconds=30))
    from zongji.store import jobs as job_store
    from zongji.store.db import transaction

    with transaction(session_factory) as s:
        claimed = job_store.claim_due(s, dead.name, now=late, limit=10, lease=dead.lease, kinds=list(handlers))
    assert len(claimed) == 3  # completion warning and breach; "tell the caller" at the deadline (R-S10)
    # A new worker (after the restart) takes them over once the lease has run out.
    fresh = Worker(runtime, handlers=handlers, clock=lambda: late + dt.timedelta(minutes=1))
    while fresh.run_once():
        pass
    # Caught up after the deadline: the breach reminder, once; the late warning is superseded.
    assert _reminders(write, order_id) == [("system", "breach")]
    with write() as s:
        assert s.scalar(select(func.count()).select_from(Job).where(Job.key.like(f"wo:{order_id}:%"),
                                                                   Job.state == "done")) == 3
        task = s.scalar(select(Notification).where(Notification.order_id == order_id,
                                                   Notification.kind == "status_update_due"))
        assert task is not None and task.user_id == world["op"]


def test_an_extension_moves_the_reminders_and_the_old_ones_do_nothing(write, session_factory, world, runtime):
    order_id = _dispatched_order(write, world)
    old = _pending_keys(write, order_id)
    with write() as s:
        unit_user = create_user(s, username="u1", password="secret-pass-1", role=Role.UNIT_HANDLER,
                                department_id=world["unit"])
        sup = create_user(s, username="sup", password="secret-pass-1", role="supervisor")
        uv, sv = visibility.Viewer.of(unit_user), visibility.Viewer.of(sup)
        at = T0 + dt.timedelta(days=1)
        commands.act(s, uv, order_id, {"action": "accept"}, tz=TZ, now=at)
        deadline = s.get(WorkOrder, order_id).completion_deadline
        commands.act(s, uv, order_id, {"action": "request_extension", "reason": "等材料",
                                       "deadline": (deadline + dt.timedelta(days=2)).isoformat()}, tz=TZ, now=at)
        commands.act(s, sv, order_id, {"action": "grant_extension"}, tz=TZ, now=at)
    new = _pending_keys(write, order_id)
    assert set(old).isdisjoint(new) and len(new) == 3
    with write() as s:
        assert s.scalar(select(func.count()).select_from(Job).where(Job.key.in_(old), Job.state == "cancelled")) == 3
    # Just after the old deadline nothing fires (its reminders were cancelled, the new ones are later).
    w = Worker(runtime, handlers=load_all(), clock=lambda: deadline + dt.timedelta(minutes=1))
    while w.run_once():
        pass
    assert _reminders(write, order_id) == []
    with write() as s:
        new_deadline = s.get(WorkOrder, order_id).completion_deadline
    assert new_deadline > deadline
    w = Worker(runtime, handlers=load_all(), clock=lambda: new_deadline + dt.timedelta(minutes=1))
    while w.run_once():
        pass
    assert _reminders(write, order_id) == [("system", "breach")]


def test_dispatch_clock_warns_then_breaches_to_shift_leaders(write, session_factory, world, runtime):
    with write() as s:
        o = commands.create_order(s, _viewer(s, world["op"]), commands.NewOrder(
            order_type="request", situation="general", description="水管爆裂", caller_name="李四", place="东湖路"), tz=TZ, now=T0)
        order_id = o.id
    for at in (T0 + dt.timedelta(minutes=50), T0 + dt.timedelta(hours=2)):  # 80 % of 1 h, then past it
        w = Worker(runtime, handlers=load_all(), clock=lambda at=at: at)
        while w.run_once():
            pass
    with write() as s:
        kinds = sorted(n.kind for n in s.scalars(select(Notification).where(
            Notification.order_id == order_id, Notification.role == "shift_leader")))
        assert kinds == ["created", "dispatch_breach", "dispatch_warning"]
        assert s.get(WorkOrder, order_id).sla_state == "breached"


def test_unit_gets_email_through_smtp_and_sms_through_the_gateway(write, session_factory, world, settings, smtp_server, runtime):
    ctl, received = smtp_server
    gateway = SmsGatewayDouble(token="sms-secret").start()
    try:
        settings.smtp_host, settings.smtp_port = "127.0.0.1", ctl.port
        settings.sms_gateway_url, settings.sms_gateway_token = gateway.url, "sms-secret"
        settings.notify_retry_seconds = 0
        with write() as s:
            s.add(UnitContact(unit_id=world["unit"], email="city@example.org", sms_mobile="13900001111"))
        gateway.fail_next(1)  # the first SMS attempt fails and is retried
        order_id = _dispatched_order(write, world)
        w = Worker(runtime, handlers=load_all(), clock=lambda: T0 + dt.timedelta(minutes=11))
        for _ in range(4):
            w.run_once()
            time.sleep(0.05)
        assert len(received) == 1
        msg = received[0]
        from email.header import decode_header, make_header

        assert msg["To"] == "city@example.org"
        assert str(make_header(decode_header(msg["Subject"]))) == "新派工单 20250310-0001"
        assert "路灯不亮" in msg.get_payload(decode=True).decode("utf-8")
        assert [m["to"] for m in gateway.messages] == ["13900001111"]
        assert "新派工单" in gateway.messages[0]["text"]
        with write() as s:
            states = {n.channel: n.state for n in s.scalars(select(Notification).where(
                Notification.order_id == order_id, Notification.kind == "dispatched"))}
            assert states == {"console": "sent", "email": "sent", "sms": "sent"}
        # Sent once: more worker runs send nothing more.
        w.run_once()
        assert len(received) == 1 and len(gateway.messages) == 1
    finally:
        gateway.stop()


def test_smtp_down_is_retried_then_marked_failed(write, session_factory, world, settings, runtime):
    settings.smtp_host, settings.smtp_port = "127.0.0.1", 1  # nothing listens there
    settings.notify_retry_seconds, settings.notify_max_attempts = 0, 2
    with write() as s:
        s.add(UnitContact(unit_id=world["unit"], email="city@example.org"))
    order_id = _dispatched_order(write, world)
    w = Worker(runtime, handlers=load_all(), clock=lambda: T0 + dt.timedelta(minutes=11))
    for _ in range(4):
        w.run_once()
    with write() as s:
        n = s.scalar(select(Notification).where(Notification.order_id == order_id, Notification.channel == "email"))
        assert n.state == "failed" and "SMTP" in (n.error or "")


def test_a_bound_duplicate_does_not_breach_while_it_follows_its_primary(write, session_factory, world, settings, runtime):
    """R-P8: the duplicate's dispatch clock stops when it is bound; only the primary (not yet
    dispatched) goes late and lands on supervision."""
    with write() as s:
        op = _viewer(s, world["op"])
        primary = commands.create_order(s, op, commands.NewOrder(
            order_type="request", situation="general", description="幸福路路灯不亮", caller_name="张三",
            place="幸福路"), tz=TZ, now=T0)
        dup = commands.create_order(s, op, commands.NewOrder(
            order_type="request", situation="general", description="幸福路路灯坏了", caller_name="王五",
            place="幸福路", link_to=[{"order_id": primary.id, "kind": "duplicate"}]), tz=TZ, now=T0 + dt.timedelta(minutes=5))
        ids = primary.id, dup.id
    assert not any(":dispatch:" in k for k in _pending_keys(write, ids[1]))
    late = T0 + dt.timedelta(hours=2)
    w = Worker(runtime, handlers=load_all(), clock=lambda: late)
    while w.run_once():
        pass
    with write() as s:
        p, d = s.get(WorkOrder, ids[0]), s.get(WorkOrder, ids[1])
        assert p.sla_state == "breached" and d.sla_state == "met"
        breaches = {n.order_id for n in s.scalars(select(Notification).where(Notification.kind == "dispatch_breach"))}
        assert breaches == {ids[0]}
        created = {n.order_id for n in s.scalars(select(Notification).where(Notification.kind == "created"))}
        assert created == {ids[0]}  # the shift leader is not asked to dispatch the duplicate
        sup = listing.list_orders(s, _viewer(s, world["leader"]), tz=TZ, view="supervision", now=late)
        assert [i["id"] for i in sup["items"]] == [ids[0]]
        # Unbound, it needs its own dispatch again: a fresh hour from the unbinding (R-P4).
        links.unlink_orders(s, _viewer(s, world["op"]), ids[1], ids[0], tz=TZ, now=late)
    keys = _pending_keys(write, ids[1])
    assert any(":dispatch:breach:" in k for k in keys)
    with write() as s:
        d = s.get(WorkOrder, ids[1])
        assert d.sla_state == "on_time" and d.duplicate_of_id is None


def test_a_booked_callback_time_reminds_the_operator_once_at_that_time(write, session_factory, world, runtime):
    """R-P7: the caller asked to be called back later; at the agreed time the operator who took the
    call is reminded — not before, and once."""
    order_id = _dispatched_order(write, world)
    agreed = T0 + dt.timedelta(days=1, hours=6)  # Tuesday 15:00
    with write() as s:
        uh = create_user(s, username="u-cb", password="secret-pass-1", role=Role.UNIT_HANDLER,
                         department_id=world["unit"])
        uv = visibility.Viewer.of(uh)
        commands.act(s, uv, order_id, {"action": "accept"}, tz=TZ, now=T0 + dt.timedelta(hours=1))
        commands.act(s, uv, order_id, {"action": "reply", "text": "已修复"}, tz=TZ, now=T0 + dt.timedelta(hours=2))
        commands.act(s, _viewer(s, world["op"]), order_id, {
            "action": "callback_attempt", "result": "not_convenient", "agreed_at": agreed.isoformat()},
            tz=TZ, now=T0 + dt.timedelta(hours=3))
    assert any(":callback_booked:due:" in k for k in _pending_keys(write, order_id))

    def booked():
        with write() as s:
            return [(n.user_id, n.subject) for n in s.scalars(select(Notification).where(
                Notification.order_id == order_id, Notification.kind == "callback_booked"))]

    handlers = load_all()
    for at in (agreed - dt.timedelta(minutes=1), agreed + dt.timedelta(seconds=1), agreed + dt.timedelta(minutes=5)):
        workers = [Worker(runtime, handlers=handlers, clock=lambda at=at: at) for _ in range(2)]
        for w in workers:
            while w.run_once():
                pass
        if at < agreed:
            assert booked() == []
    assert len(booked()) == 1 and booked()[0][0] == world["op"] and "回访" in booked()[0][1]
