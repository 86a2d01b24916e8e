"""The Alembic migrations build exactly the schema of the models, on SQLite and on PostgreSQL.

If this fails after a change to zongji/store/models.py, write the migration:
``python -c "from zongji.store.migrate import revision; revision(URL, 'what changed')"`` against a
database at the previous head, then review the generated file.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, func, inspect, select, text

from zongji.store.db import make_engine
from zongji.store.migrate import upgrade
from zongji.store.schema import metadata as SCHEMA


@pytest.fixture
def fresh_db_url(backend: str, tmp_path: Path, request) -> Iterator[str]:
    """An empty database of its own (not the shared test database the other tests use)."""
    if backend == "sqlite":
        yield f"sqlite:///{tmp_path / 'migrated.db'}"
        return
    # The run's PostgreSQL database (the fixture starts the server if needed) serves as the
    # admin connection to create a second, empty one on the same server.
    run_url = request.getfixturevalue("postgres_url")
    name = f"zongji_mig_{uuid.uuid4().hex[:10]}"
    admin = create_engine(run_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as c:
        c.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield f"{run_url.rsplit('/', 1)[0]}/{name}"
    finally:
        with admin.connect() as c:
            c.execute(text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                           "WHERE datname = :n"), {"n": name})
            c.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        admin.dispose()


def _include_name(name, type_, parent_names) -> bool:
    # The full-text tables and indexes (knowledge base, order search) are the database's, not the models'.
    from zongji.store.schema import database_only

    return not database_only(name, type_)


def _differences(url: str) -> list:
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            ctx = MigrationContext.configure(conn, opts={"compare_type": True, "include_name": _include_name})
            diffs = compare_metadata(ctx, SCHEMA)
    finally:
        engine.dispose()
    return diffs


def test_upgrade_gives_the_models_schema(fresh_db_url: str):
    upgrade(fresh_db_url)
    diffs = _differences(fresh_db_url)
    assert diffs == [], (
        "the migrations do not build the models' schema; write a migration. Differences:\n"
        + "\n".join(repr(d) for d in diffs)
    )


def test_upgrade_is_idempotent_and_stamps_head(fresh_db_url: str):
    upgrade(fresh_db_url)
    upgrade(fresh_db_url)  # a second run at head changes nothing
    engine = make_engine(fresh_db_url)
    try:
        tables = set(inspect(engine).get_table_names())
        with engine.connect() as conn:
            current = MigrationContext.configure(conn).get_current_heads()
    finally:
        engine.dispose()
    assert set(SCHEMA.tables) <= tables
    from alembic.script import ScriptDirectory

    from zongji.store.migrate import alembic_config

    heads = ScriptDirectory.from_config(alembic_config(fresh_db_url)).get_heads()
    assert len(heads) == 1, f"the migrations have several heads: {heads}"
    assert set(current) == set(heads)


def test_upgrade_an_existing_database_with_data(fresh_db_url: str):
    """Each revision upgrades a database that holds data, not only an empty one: on SQLite a
    table rebuilt by a migration (departments in 0008) is referenced by rows of other tables
    (people in a department), which failed with foreign keys enforced."""
    from sqlalchemy.orm import Session

    from zongji.store.models import Department, Person

    upgrade(fresh_db_url, "0007")
    engine = make_engine(fresh_db_url)
    with Session(engine) as s:
        # The data of a site running 0007 (no departments.after_hours_person_id yet): plain SQL.
        org = s.execute(text("INSERT INTO organisations (code, name, kind) VALUES ('h', '酒店', 'hotel') "
                             "RETURNING id")).scalar()
        dept = s.execute(text("INSERT INTO departments (organisation_id, name, kind, search_text) "
                              "VALUES (:o, '前厅部', 'department', '') RETURNING id"), {"o": org}).scalar()
        s.execute(text("INSERT INTO people (organisation_id, department_id, name, is_manager, search_text) "
                       "VALUES (:o, :d, '周文杰', true, '')"), {"o": org, "d": dept})
        s.commit()
    engine.dispose()
    upgrade(fresh_db_url)
    engine = make_engine(fresh_db_url)
    with Session(engine) as s:
        p = s.query(Person).one()
        assert p.department.name == "前厅部"
        d = s.get(Department, p.department_id)
        d.after_hours_person_id = p.id
        s.commit()
        assert s.get(Department, d.id).after_hours_person.name == "周文杰"
    engine.dispose()


def test_0010_counts_the_calls_already_recorded_and_marks_every_new_change(fresh_db_url: str, settings):
    """A site upgrading with years of calls gets them counted (marks at the first and last call of
    each hour and line), and from then on the database itself marks every change of a call."""
    import datetime as dt

    from sqlalchemy.orm import Session

    from zongji.services.stats import aggregates
    from zongji.store.stats_models import CallStatDirty

    upgrade(fresh_db_url, "0009")
    engine = make_engine(fresh_db_url)
    with Session(engine) as s:
        # 09:10, 09:40 and 09:50 UTC: both half-hours of one hour; and a call of another day.
        for i, at in enumerate(("2026-11-02 09:10:00", "2026-11-02 09:40:00", "2026-11-02 09:50:00",
                                "2026-11-03 01:05:00")):
            s.execute(text("INSERT INTO calls (external_id, direction, calling_number, called_number, state, "
                           "ringing_at, created_at, updated_at, caller_kind, caller_vip, supplementary) VALUES (:e, 'in', '138', "
                           "'12345', 'ended', :at, :at, :at, 'unknown', false, false)"),
                      {"e": f"c{i}", "at": dt.datetime.fromisoformat(at).replace(tzinfo=dt.UTC)
                       if fresh_db_url.startswith("postgresql") else at + ".000000"})
        s.commit()
    engine.dispose()
    upgrade(fresh_db_url)
    engine = make_engine(fresh_db_url)
    with Session(engine) as s:
        marked = {aggregates.slot_of(r.ringing_at) for r in s.execute(select(CallStatDirty.ringing_at))}
        assert {m.strftime("%d %H:%M") for m in marked} == {"02 09:00", "02 09:30", "03 01:00"}
        start = dt.datetime(2026, 11, 1, tzinfo=dt.UTC)
        got = aggregates.read(s, settings, start=start, end=start + dt.timedelta(days=5), by=())
        assert got[()].offered == 4
        aggregates.fold(s, settings)
        s.execute(text("UPDATE calls SET answered_at = ringing_at WHERE external_id = 'c3'"))
        assert s.scalar(select(func.count()).select_from(CallStatDirty)) == 1
        assert aggregates.read(s, settings, start=start, end=start + dt.timedelta(days=5), by=())[()].answered == 1
        # 0011: orders and their history are marked too.
        from zongji.services.stats import order_aggregates
        from zongji.store.stats_models import OrderStatDirty
        from zongji.store.work_order_models import WorkOrder, WorkOrderEvent

        o = WorkOrder(number="T1", order_type="complaint", status="new", created_at=start, state={}, channel="phone")
        s.add(o)
        s.flush()
        s.add(WorkOrderEvent(order_id=o.id, at=start, action="dispatch", actor_role="shift_leader", to_status="x"))
        s.flush()
        assert s.scalar(select(func.count()).select_from(OrderStatDirty)) == 2
        got = order_aggregates.read(s, settings, date_from=start.date(), date_to=start.date(), by=())[()]
        assert (got.created, got.dispatched) == (1, 1)
    engine.dispose()


def test_the_schema_lists_every_models_module():
    """A models module the schema does not import would be missing from ``create_all`` and from
    Alembic's comparison whenever nothing else happened to import it first."""
    import pkgutil

    import zongji.store as store
    from zongji.store import schema

    on_disk = {m.name for m in pkgutil.iter_modules(store.__path__) if m.name.endswith("models")}
    listed = {m.__name__.rsplit(".", 1)[1] for m in schema.MODEL_MODULES}
    assert on_disk == listed


def test_0036_gives_the_event_keys_already_written_their_day_so_replays_stay_duplicates(fresh_db_url: str):
    """Keys written before 0036 (a bare SHA-256) become "<day>-<40 digits>" exactly as the new
    code keys the same event, so an event replayed after the upgrade is still a duplicate."""
    import datetime as dt
    import hashlib
    import json

    from sqlalchemy.orm import Session

    from zongji.services import auth, cti
    from zongji.settings import Settings
    from zongji.store.db import make_session_factory

    upgrade(fresh_db_url, "0035")
    pg = fresh_db_url.startswith("postgresql")
    received = dt.datetime(2026, 11, 30, 23, 59, tzinfo=dt.UTC)
    at = dt.datetime(2026, 11, 30, 15, 58, 30, tzinfo=dt.UTC)  # 23:58:30 in Shanghai, the 30th in UTC
    with_at = {"event": "newCall", "callId": "old-1", "from": "13800138000", "to": "02088886666",
               "direction": "in", "at": at.isoformat()}
    without_at = {"event": "hangup", "callId": "old-1", "from": "13800138000", "to": "02088886666",
                  "direction": "in", "cause": "normalClearing"}

    def legacy_key(ev: cti.Incoming) -> str:  # what the code before 0036 stored
        e = ev.event
        parts = (e.external_call_id, e.kind.value, e.from_number, e.to_number, e.cause or "",
                 e.transfer_to or "", e.at.astimezone(dt.UTC).isoformat() if ev.at_given else "")
        return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()

    engine = make_engine(fresh_db_url)
    with Session(engine) as s:
        for body, occurred in ((with_at, at), (without_at, received)):
            ev = cti.parse_json(body, received, "x")
            s.execute(text("INSERT INTO call_events (event_key, external_call_id, kind, occurred_at, received_at, "
                           "source, payload) VALUES (:k, 'old-1', :kind, :o, :r, 'pbx', :p)"),
                      {"k": legacy_key(ev), "kind": body["event"], "p": json.dumps(body),
                       "o": occurred if pg else occurred.replace(tzinfo=None).isoformat(" ", "microseconds"),
                       "r": received if pg else received.replace(tzinfo=None).isoformat(" ", "microseconds")})
        s.commit()
    engine.dispose()
    upgrade(fresh_db_url)
    engine = make_engine(fresh_db_url)
    try:
        with Session(engine) as s:
            keys = set(s.scalars(text("SELECT event_key FROM call_events")))
            token = auth.add_integration_token(s, "pbx").token
            s.commit()
        later = received + dt.timedelta(hours=2)  # the next UTC day
        replays = [cti.parse_json(body, later, cti.hash_token(token)) for body in (with_at, without_at)]
        assert {r.key for r in replays[:1]} | {k for r in replays[1:] for k in r.earlier} == keys
        assert all(k.startswith("20261130-") and len(k) == 49 for k in keys)
        results = cti.process_batch(make_session_factory(engine), cti.Ingestor(Settings().tz), replays)
        assert [r.duplicate for r in results] == [True, True]
        with Session(engine) as s:
            assert s.scalar(text("SELECT count(*) FROM call_events")) == 2
    finally:
        engine.dispose()


def test_0037_indexes_the_orders_already_written_and_forgets_anonymised_numbers(fresh_db_url: str):
    """Orders written before 0037 get their character pairs and are found through the index;
    records the retention job had anonymised lose the search keys of the real number."""
    import datetime as dt

    from sqlalchemy.orm import Session

    from zongji.services.work_orders import listing
    from zongji.store.work_order_models import WorkOrder, search_terms

    upgrade(fresh_db_url, "0036")
    pg = fresh_db_url.startswith("postgresql")
    at = dt.datetime(2025, 3, 1, 2, tzinfo=dt.UTC)
    stamp = at if pg else at.replace(tzinfo=None).isoformat(" ", "microseconds")
    engine = make_engine(fresh_db_url)
    with Session(engine) as s:
        for n, (name, number, digits, description) in enumerate((
                ("张先生", "13800001111", "13800001111", "幸福小区路边流浪狗很多"),
                (None, "anon:0123456789abcdef01234567", "13900002222", ""),
                ("Smith", "13800003333", "13800003333", "WiFi连不上"))):
            s.execute(text("INSERT INTO work_orders (number, order_type, status, caller_name, caller_number, "
                           "caller_digits, caller_digits_rev, contact_consent, channel, description, created_at, "
                           "supervised, state, version, updated_at, urgency) VALUES (:num, 'request', 'closed', :name, "
                           ":number, :digits, :rev, true, 'phone', :d, :at, false, '{}', 1, :at, 'normal')"),
                      {"num": f"20250301-{n:04d}", "name": name, "number": number, "digits": digits,
                       "rev": digits[::-1], "d": description, "at": stamp})
        s.execute(text("INSERT INTO calls (direction, calling_number, called_number, calling_digits, "
                       "calling_digits_rev, called_digits, called_digits_rev, state, caller_kind, caller_vip, "
                       "supplementary, created_at, updated_at) VALUES ('in', 'anon:0123456789abcdef01234567', "
                       "'12345', '13900002222', '22220093931', '12345', '54321', 'ended', 'unknown', false, "
                       "false, :at, :at)"), {"at": stamp})
        s.commit()
    engine.dispose()
    upgrade(fresh_db_url)
    engine = make_engine(fresh_db_url)
    try:
        with Session(engine) as s:
            def found(q):
                return set(s.scalars(select(WorkOrder.number).where(listing.search_condition(s, q))))

            assert found("流浪狗") == {"20250301-0000"} and found("wifi") == {"20250301-0002"}
            # 0038: one character through the index (its letters are terms too).
            assert found("狗") == {"20250301-0000"} and found("F") == {"20250301-0002"}
            assert "狗" in s.scalar(text("SELECT search_terms FROM work_orders WHERE number = '20250301-0000'")).split()
            assert found("张先生") == {"20250301-0000"} and found("smith") == {"20250301-0002"}
            assert found("13900002222") == set() and found("2222") == set()  # the anonymised order
            assert s.execute(text("SELECT calling_digits, calling_digits_rev, called_digits FROM calls")).one() == (
                None, None, "12345")
            assert s.scalar(text("SELECT search_terms FROM work_orders WHERE number = '20250301-0001'")) == ""

            # After the upgrade, new and changed orders are indexed as they are written (SQLite:
            # the triggers 0037 made on the FTS5 table; PostgreSQL: the GIN expression index).
            fields = {"number": "20250302-0001", "caller_name": "李女士", "caller_number": "13700004444",
                      "description": "楼上装修噪音扰民", "place": "和平路8号"}
            s.execute(text("INSERT INTO work_orders (number, order_type, status, caller_name, caller_number, "
                           "contact_consent, channel, description, place, created_at, supervised, state, version, "
                           "updated_at, urgency, search_terms) VALUES (:number, 'complaint', 'closed', "
                           ":caller_name, :caller_number, true, 'phone', :description, :place, :at, false, '{}', "
                           "1, :at, 'normal', :terms)"), {**fields, "at": stamp, "terms": search_terms(fields)})
            s.commit()
            assert found("装修噪音") == {"20250302-0001"} and found("和平路") == {"20250302-0001"}
            fields["description"] = "小区门口井盖缺失"
            s.execute(text("UPDATE work_orders SET description = :d, search_terms = :terms WHERE number = :n"),
                      {"d": fields["description"], "terms": search_terms(fields), "n": fields["number"]})
            s.commit()
            assert found("井盖缺失") == {"20250302-0001"} and found("装修噪音") == set()
    finally:
        engine.dispose()
