"""The dispatch suggestion through the API (issue 11, point 5), on both databases: cold from the
catalogue, warm after the worker's retraining, the acceptance rate, and who may ask."""

from __future__ import annotations

import datetime as dt
import sqlite3

import pytest
from sqlalchemy import create_engine, select, text
from sqlalchemy.pool import NullPool

from zongji.services.dispatch import training
from zongji.store.catalogue_models import CatalogueMatter, DispatchModelState, DispatchModelTerm, DispatchSuggestion
from zongji.store.models import Department, Job, utcnow
from zongji.worker.runner import Worker
from zongji.worker.tasks import load_all

@pytest.fixture
def settings(settings):
    """The test's own worker runs the jobs: the app runs none in its process (else its thread may
    claim the retraining first and the test would look before it is done)."""
    return settings.model_copy(update={"run_worker_in_server": False})


ORDER = {"order_type": "request", "situation": "general", "caller_name": "张三", "caller_number": "13800000001",
         "place": "东区幸福路12号"}


def _catalogue(write, city: int, housing: int) -> None:
    with write() as s:
        org_id = s.get(Department, city).organisation_id
        s.add_all([
            CatalogueMatter(organisation_id=org_id, matter="流浪犬只收容", unit_id=city, category="city/stray_dogs",
                            keywords=["流浪狗", "野狗", "咬人"], examples=["小区里有野狗咬人"],
                            basis="《示例市养犬管理条例》第十二条"),
            CatalogueMatter(organisation_id=org_id, matter="路灯维修", unit_id=city, keywords=["路灯", "不亮"],
                            examples=["路灯一直不亮"]),
            CatalogueMatter(organisation_id=org_id, matter="物业服务纠纷", unit_id=housing,
                            keywords=["物业", "物业费", "业委会"], examples=["物业不修电梯还涨物业费"]),
        ])


def _order(c, description: str, **kw) -> dict:
    r = c.post("/api/work-orders", json={**ORDER, "description": description, **kw})
    assert r.status_code == 201, r.text
    return r.json()


def test_an_operator_sees_the_responsible_unit_for_what_the_caller_says(as_role, units, write):
    city, housing = units
    _catalogue(write, city, housing)
    op = as_role("operator")
    r = op.post("/api/dispatch/suggest", json={"text": "我们小区门口有几条野狗，昨天还追着孩子咬"})
    assert r.status_code == 200, r.text
    first = r.json()["units"][0]
    assert first["unit"]["id"] == city and first["unit"]["name"] == "市城管局"
    assert first["matter"]["matter"] == "流浪犬只收容" and first["because"]
    assert r.json()["revision"] == 0  # a new centre: the catalogue alone
    r = op.post("/api/dispatch/suggest", json={"text": "物业一直不修楼道灯，还要涨物业费"})
    assert r.json()["units"][0]["unit"]["id"] == housing
    # Bad input is refused naming the field.
    r = op.post("/api/dispatch/suggest", json={"text": "x" * 4001})
    assert r.status_code == 422 and "text" in r.text


def test_the_leader_dispatches_on_the_suggestion_and_the_rate_counts_it(as_role, units, write, settings):
    city, housing = units
    _catalogue(write, city, housing)
    op, leader, clerk = as_role("operator"), as_role("shift_leader"), as_role("supervisor")
    o = _order(op, "幸福路上的路灯晚上全灭了")
    assert op.get(f"/api/work-orders/{o['id']}/dispatch-suggestion").status_code == 403
    r = leader.get(f"/api/work-orders/{o['id']}/dispatch-suggestion")
    assert r.status_code == 200 and r.json()["units"][0]["unit"]["id"] == city
    other = _order(op, "物业费又涨了")
    assert leader.get(f"/api/work-orders/{other['id']}/dispatch-suggestion").json()["units"][0]["unit"]["id"] == housing
    assert leader.post(f"/api/work-orders/{o['id']}/actions", json={"action": "dispatch", "unit_id": city}).status_code == 200
    # The leader sends the second one to the unit suggested second.
    assert leader.post(f"/api/work-orders/{other['id']}/actions", json={"action": "dispatch", "unit_id": city}).status_code == 200
    today = utcnow().astimezone(settings.tz).date().isoformat()  # the centre's day, not the machine's
    r = clerk.get("/api/dispatch/acceptance", params={"date_from": today, "date_to": today})
    assert r.status_code == 200, r.text
    body = r.json()
    assert (body["dispatched"], body["first"], body["second"], body["overridden"]) == (2, 1, 1, 0)
    assert (body["top1_rate"], body["top3_rate"]) == (0.5, 1.0)
    assert op.get("/api/dispatch/acceptance", params={"date_from": today, "date_to": today}).status_code == 403
    r = clerk.get("/api/dispatch/acceptance", params={"date_from": today, "date_to": "2020-01-01"})
    assert r.status_code == 422 and "date_to" in r.text


def _write_held_elsewhere(url: str) -> bool:
    """Whether another connection holds a write transaction on the database now: on SQLite its
    one write lock (taken at once or not at all), on PostgreSQL a session with a transaction id
    (it has written or locked a row)."""
    if url.startswith("sqlite"):
        probe = sqlite3.connect(url.split("///", 1)[1], isolation_level=None, timeout=0)
        try:
            probe.execute("BEGIN IMMEDIATE")
            probe.execute("ROLLBACK")
            return False
        except sqlite3.OperationalError as exc:
            assert "locked" in str(exc)
            return True
        finally:
            probe.close()
    engine = create_engine(url, poolclass=NullPool)
    try:
        with engine.connect() as c:
            return bool(c.scalar(text("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                                      "AND backend_xid IS NOT NULL AND pid <> pg_backend_pid()")))
    finally:
        engine.dispose()


def test_the_worker_learns_from_the_orders_units_kept(as_role, units, write, runtime, monkeypatch, settings):
    city, housing = units
    _catalogue(write, city, housing)
    op, leader, admin = as_role("operator"), as_role("shift_leader"), as_role("admin")
    unit = as_role("unit_handler", department_id=housing)
    # Shared bikes are in no matter of the catalogue; the centre sends them to 住建局, which keeps them.
    for text in ("共享单车堵在小区门口", "共享单车乱停占了人行道", "共享单车坏了扔在楼下"):
        o = _order(op, text)
        assert leader.post(f"/api/work-orders/{o['id']}/actions", json={"action": "dispatch", "unit_id": housing}).status_code == 200
        assert unit.post(f"/api/work-orders/{o['id']}/actions", json={"action": "accept"}).status_code == 200
    assert op.post("/api/dispatch/retrain").status_code == 403
    r = admin.post("/api/dispatch/retrain")
    assert r.status_code == 202, r.text
    # Training takes seconds on a real history; the worker must not hold the write lock meanwhile
    # (on SQLite every writer, the CTI writer's calls first, would wait for it).
    held_while_training = []
    fit_model = training._train_once

    def train(*args, **kwargs):
        held_while_training.append(_write_held_elsewhere(settings.resolved_database_url))
        return fit_model(*args, **kwargs)

    monkeypatch.setattr(training, "_train_once", train)
    w = Worker(runtime, handlers=load_all(), clock=lambda: utcnow() + dt.timedelta(seconds=1))
    while w.run_once():
        pass
    assert held_while_training and not any(held_while_training)
    with write() as s:
        job = s.scalar(select(Job).where(Job.kind == "dispatch.retrain", Job.key.like("dispatch.retrain:asked:%")))
        assert job.state == "done", (job.state, job.due_at, job.last_error if hasattr(job, "last_error") else None)
        state = s.scalar(select(DispatchModelState))
        assert state is not None and state.revision == 1 and state.orders_used == 3
    r = op.post("/api/dispatch/suggest", json={"text": "楼下的共享单车越堆越多"})
    first = r.json()["units"][0]
    assert r.json()["revision"] == 1 and first["unit"]["id"] == housing
    assert first["similar_orders"], first  # the orders it learned from, as the reason
    assert admin.get("/api/dispatch/model").json()["items"][0]["revision"] == 1


def test_a_suggestion_shown_after_the_dispatch_changes_nothing(as_role, units, write):
    city, housing = units
    _catalogue(write, city, housing)
    op, leader = as_role("operator"), as_role("shift_leader")
    o = _order(op, "路灯不亮")
    leader.get(f"/api/work-orders/{o['id']}/dispatch-suggestion")
    leader.post(f"/api/work-orders/{o['id']}/actions", json={"action": "dispatch", "unit_id": city})
    leader.get(f"/api/work-orders/{o['id']}/dispatch-suggestion")
    with write() as s:
        rows = s.scalars(select(DispatchSuggestion)).all()
        assert len(rows) == 1 and rows[0].suggested_unit_ids[0] == city


def test_a_local_matter_goes_to_the_government_of_the_orders_district(as_role, units, write, runtime):
    city, housing = units
    with write() as s:
        org_id = s.get(Department, city).organisation_id
        east = Department(organisation_id=org_id, name="示例东区人民政府", kind="handling_unit")
        west = Department(organisation_id=org_id, name="示例西区人民政府", kind="handling_unit")
        office = Department(organisation_id=org_id, name="热线办公室", kind="department")
        s.add_all([east, west, office])
        s.flush()
        east, west, office = east.id, west.id, office.id
        s.add_all([CatalogueMatter(organisation_id=org_id, matter="房屋安全隐患", unit_id=housing,
                                   keywords=["外墙", "开裂", "加装电梯补贴"], examples=["老楼外墙开裂掉块", "住宅电梯困人"]),
                   *(CatalogueMatter(organisation_id=org_id, matter=f"{d}老旧小区改造", unit_id=u,
                                     keywords=["老旧小区", "改造", "加装电梯"],
                                     examples=[f"{d}老楼改造施工挖了路不填", f"{d}小区改造加装电梯"])
                     for d, u in (("东区", east), ("西区", west)))])
    admin, op = as_role("admin"), as_role("operator")
    put = lambda c, unit, district: c.put(f"/api/directory/departments/{unit}/district",  # noqa: E731
                                         json={"district": district})
    assert put(op, east, "东区").status_code == 403
    r = put(admin, east, "x" * 41)
    assert r.status_code == 422 and "district" in r.text
    r = put(admin, office, "东区")
    assert r.status_code == 422 and r.json()["field"] == "district", r.text
    assert put(admin, 10**9, "东区").status_code == 404
    r = put(admin, east, " 东区\u3000")
    assert r.status_code == 200 and r.json()["district"] == "东区", r.text
    assert put(admin, west, "西区").json()["district"] == "西区"
    listed = {d["id"]: d["district"] for d in admin.get("/api/directory/departments").json()["items"]}
    assert listed[east] == "东区" and listed[west] == "西区" and listed[city] is None
    with write() as s:  # each naming asked for a retraining now
        assert len(s.scalars(select(Job).where(Job.kind == "dispatch.retrain")).all()) == 2

    def first(place: str) -> int:
        r = op.post("/api/dispatch/suggest", json={"text": "老楼改造加装电梯一楼不同意", "place": place})
        assert r.status_code == 200, r.text
        return r.json()["units"][0]["unit"]["id"]

    assert (first("西区竹溪街道"), first("东区桂溪街道")) == (west, east)  # the catalogue alone
    w = Worker(runtime, handlers=load_all(), clock=lambda: utcnow() + dt.timedelta(seconds=1))
    while w.run_once():
        pass
    with write() as s:
        assert s.scalar(select(DispatchModelState)).revision >= 1
        shared = s.scalars(select(DispatchModelTerm).where(DispatchModelTerm.unit_id.is_(None))).all()
        assert shared and not s.scalars(select(DispatchModelTerm).where(
            DispatchModelTerm.unit_id.in_([east, west]))).all()
    assert (first("西区竹溪街道"), first("东区桂溪街道")) == (west, east)  # the stored model
    assert put(admin, west, None).json()["district"] is None  # cleared: an ordinary unit again
