"""A small history around the retention cut-offs (issue 18 point 3), shared by the retention
tests: calls, CTI events, work orders with history and attachments, feed rows and audit entries,
some just older and some just younger than each kind's period."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field

from sqlalchemy import select

from zongji.store.models import AuditEntry, Call, CallEvent, Department, FeedItem, Line, Organisation
from zongji.store.work_order_models import Notification, WorkOrder, WorkOrderAttachment, WorkOrderEvent

NOW = dt.datetime(2026, 12, 4, 4, 0, tzinfo=dt.UTC)
YEARS = dt.timedelta(days=1095)
CALL_CUTOFF = NOW - YEARS
EVENTS_CUTOFF = NOW - dt.timedelta(days=30)
FEED_CUTOFF = NOW - dt.timedelta(hours=48)
NUMBERS = [f"1380000{i:04d}" for i in range(12)]


@dataclass
class History:
    expired_calls: set[int] = field(default_factory=set)  # anonymised by a run
    held_call: int = 0  # expired, but its callback is not: kept as it is
    young_calls: set[int] = field(default_factory=set)
    expired_orders: set[int] = field(default_factory=set)
    young_orders: set[int] = field(default_factory=set)
    open_old_order: int = 0
    gone_events: set[int] = field(default_factory=set)
    kept_events: set[int] = field(default_factory=set)
    gone_feed: int = 0
    gone_audit: int = 0
    attachment_files: list = field(default_factory=list)


def build(write, data_dir, *, seed: int = 18) -> History:
    rnd = random.Random(seed)
    h = History()
    with write() as s:
        org = Organisation(code="city", name="示例市", kind="city_hotline")
        s.add(org)
        s.flush()
        lines = [Line(organisation_id=org.id, code="12345", name="热线", kind="city_hotline", number="12345"),
                 Line(organisation_id=org.id, code="400", name="客服", kind="company", number="4008001234")]
        unit = Department(organisation_id=org.id, name="市城管局", kind="handling_unit")
        s.add_all([*lines, unit])
        s.flush()
        # Calls from 2 days before the cut-off to 2 days after, in time order (ids follow time).
        at = CALL_CUTOFF - dt.timedelta(days=2)
        made: list[Call] = []
        while at < CALL_CUTOFF + dt.timedelta(days=2):
            at += dt.timedelta(minutes=rnd.randint(30, 100))
            inbound = rnd.random() < 0.75
            number = rnd.choice(NUMBERS)
            answered = rnd.random() < 0.6
            wait = rnd.randint(2, 40)
            call = Call(direction="in" if inbound else "out", state="ended",
                        calling_number=number if inbound else "12345", called_number="12345" if inbound else number,
                        line_id=rnd.choice(lines).id, ringing_at=at,
                        answered_at=at + dt.timedelta(seconds=wait) if answered else None,
                        ended_at=at + dt.timedelta(seconds=wait + rnd.randint(0, 300)),
                        outcome="answered" if answered else "abandoned", category=rnd.choice([None, "noise", "roads"]),
                        caller_kind="unknown", caller_label=f"市民{number[-2:]}", notes="家住幸福路8号，反映噪音",
                        transfer_target=rnd.choice([None, "13912345678"]), created_at=at, external_id=f"pbx-{at.timestamp()}")
            made.append(call)
        s.add_all(made)
        s.flush()
        for call in made:
            (h.expired_calls if call.ended_at < CALL_CUTOFF else h.young_calls).add(call.id)
        # A missed call an hour before the cut-off, called back an hour after it.
        missed = Call(direction="in", state="ended", calling_number="13999999999", called_number="12345",
                      line_id=lines[0].id, ringing_at=CALL_CUTOFF - dt.timedelta(hours=1),
                      ended_at=CALL_CUTOFF - dt.timedelta(hours=1) + dt.timedelta(seconds=30), outcome="abandoned",
                      created_at=CALL_CUTOFF - dt.timedelta(hours=1), notes="急事")
        back = Call(direction="out", state="ended", calling_number="12345", called_number="13999999999",
                    line_id=lines[0].id, ringing_at=CALL_CUTOFF + dt.timedelta(hours=1),
                    answered_at=CALL_CUTOFF + dt.timedelta(hours=1, seconds=5),
                    ended_at=CALL_CUTOFF + dt.timedelta(hours=1, seconds=65), outcome="answered",
                    created_at=CALL_CUTOFF + dt.timedelta(hours=1))
        s.add_all([missed, back])
        s.flush()
        h.held_call = missed.id
        h.young_calls.add(back.id)

        # CTI events: of a call ended 31 days ago (go), 29 days ago (stay), a live call (stay), none (go).
        def call_at(days: float, state: str = "ended") -> Call:
            t = NOW - dt.timedelta(days=days)
            c = Call(direction="in", state=state, calling_number="13700000000", called_number="12345",
                     ringing_at=t, ended_at=t + dt.timedelta(minutes=2) if state == "ended" else None,
                     created_at=t, external_id=f"ev-{days}-{state}")
            s.add(c)
            s.flush()
            return c

        for days, state, gone in ((31.5, "ended", True), (29, "ended", False), (40, "answered", False), (None, "", True)):
            ext = call_at(days, state).external_id if days else "no-such-call"
            received = NOW - dt.timedelta(days=days or 35)
            for n, kind in enumerate(("newCall", "answer", "hangup")):
                e = CallEvent(event_key=f"{ext}-{n}", external_call_id=ext, kind=kind, occurred_at=received,
                              received_at=received + dt.timedelta(seconds=n), source="pbx", payload={"from": "13700000000"})
                s.add(e)
                s.flush()
                (h.gone_events if gone else h.kept_events).add(e.id)

        # Work orders over the same days; one old order still open; history, notices, attachments.
        folder = data_dir / "attachments"
        folder.mkdir(parents=True, exist_ok=True)
        at = CALL_CUTOFF - dt.timedelta(days=2)
        n = 0
        while at < CALL_CUTOFF + dt.timedelta(days=1):
            at += dt.timedelta(minutes=rnd.randint(120, 360))
            n += 1
            status = "closed" if rnd.random() < 0.85 else "dispatched"
            o = WorkOrder(number=f"R{n:06d}", order_type=rnd.choice(["complaint", "inquiry"]), status=status,
                          created_at=at, state={}, channel=rnd.choice(["phone", "sms"]), line_id=lines[0].id,
                          main_unit_id=unit.id if rnd.random() < 0.7 else None, category=rnd.choice([None, "noise"]),
                          completion_deadline=at + dt.timedelta(hours=rnd.randint(4, 72)),
                          caller_name="王女士", caller_number=rnd.choice(NUMBERS), caller_unit_room="3-201",
                          place="幸福路8号", latitude=30.1, longitude=120.2, description="楼下夜间施工噪音",
                          findings="已核实", manager_opinion="同意")
            s.add(o)
            s.flush()
            s.add_all([
                WorkOrderEvent(order_id=o.id, at=at + dt.timedelta(minutes=30), action="dispatch", actor_role="shift_leader",
                               to_status="dispatched", note="请处理王女士来电"),
                WorkOrderEvent(order_id=o.id, at=at + dt.timedelta(hours=3), action="record_callback",
                               actor_role="operator", to_status="closed", note="回访满意",
                               data={"outcome": rnd.choice(["satisfied", "basically_satisfied", "dissatisfied"])}),
                Notification(channel="sms", order_id=o.id, kind="dispatched", subject="工单", body="王女士 13800000000",
                             address="13800000001"),
            ])
            stored = f"att-{n}"
            (folder / stored).write_bytes(b"photo")
            s.add(WorkOrderAttachment(order_id=o.id, filename="现场.jpg", stored_name=stored, content_type="image/jpeg",
                                      size=5, sha256="0" * 64))
            if at < CALL_CUTOFF and status == "closed":
                h.expired_orders.add(o.id)
                h.attachment_files.append(folder / stored)
            elif at < CALL_CUTOFF:
                h.open_old_order = o.id
            else:
                h.young_orders.add(o.id)
        s.flush()

        # Feed rows and audit entries either side of their cut-offs.
        for hours in (72, 49, 47, 1):
            s.add(FeedItem(at=NOW - dt.timedelta(hours=hours), topic="call", entity_id="1", payload={"n": "138"}))
            h.gone_feed += hours > 48
        for days in (1200, 1096, 1094, 3):
            s.add(AuditEntry(at=NOW - dt.timedelta(days=days), actor="cli", action="read", entity="guest", entity_id="1"))
            h.gone_audit += days > 1095
    assert h.expired_calls and h.young_calls and h.expired_orders and h.young_orders and h.open_old_order
    return h


def rows_of(s, model, ids) -> dict[int, dict]:
    """Every column but updated_at of the rows ``ids``."""
    cols = [c for c in model.__table__.columns if c.name != "updated_at"]
    return {r.id: dict(r._mapping) for r in s.execute(select(*cols).where(model.__table__.c.id.in_(sorted(ids))))}
