"""Shared fixtures. Every storage test runs on SQLite and on a real PostgreSQL server.

PostgreSQL: ``ZONGJI_TEST_POSTGRES_URL`` (default ``postgresql+psycopg://postgres@127.0.0.1:5432/postgres``)
is used as an admin connection: the run builds the schema once in a template database, copies it
once, and empties that copy before each test (rows deleted, sequences restarted). If the server is
not running, the suite starts the machine's local cluster. ``ZONGJI_TEST_POSTGRES=0`` skips the
PostgreSQL variants (for a quick local run only; CI always runs both).

``ZONGJI_TEST_STRICT=1`` (set by ``.ci/run``) turns every skipped test into a failure, so a CI
machine without Chromium, sipp or espeak-ng cannot pass by skipping the browser and SIP tests.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

# Password hashing at the lowest argon2 cost in tests: every login and new user would otherwise
# cost a production hash (RFC 9106 parameters, ~0.1 s or more on a busy 2-core machine).
# tests/services/test_password_hashing.py checks the production parameters. Set before the app is
# imported so that every Settings(), in this process and in servers it starts, sees it.
os.environ.setdefault("ZONGJI_PASSWORD_HASH_TIME_COST", "1")
os.environ.setdefault("ZONGJI_PASSWORD_HASH_MEMORY_KIB", "64")

import pytest  # noqa: E402
from fastapi.testclient import TestClient  # noqa: E402
from sqlalchemy import create_engine, text
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import NullPool

from zongji.api.app import create_app
from zongji.bootstrap import Runtime, bootstrap, shutdown
from zongji.settings import Settings
from zongji.store.db import make_engine, transaction
from zongji.store.schema import metadata as SCHEMA

PG_ADMIN_URL = os.environ.get(
    "ZONGJI_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
WANT_POSTGRES = os.environ.get("ZONGJI_TEST_POSTGRES", "1") != "0"
BACKENDS = ["sqlite", "postgresql"] if WANT_POSTGRES else ["sqlite"]
STRICT = os.environ.get("ZONGJI_TEST_STRICT", "0") == "1"


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if STRICT and report.skipped and not hasattr(report, "wasxfail"):
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else report.longrepr
        report.outcome = "failed"
        report.longrepr = f"skipped, and skips fail when ZONGJI_TEST_STRICT=1: {reason}"


def pytest_collection_modifyitems(config, items):
    """Under pytest-xdist (``.ci/run``: ``-n 3 --dist loadgroup``) the SIP tests run one after
    another on one worker: each starts PJSIP and sipp peers on loopback ports, and one test checks
    what happens when nobody answers on 127.0.0.1:5060.

    A browser test drives the console, whose data come through the API; every storage path behind
    the API is tested on both databases by the API and service tests (a test marked
    ``postgresql_only`` tests what only PostgreSQL has, and is not run on SQLite). So a browser test runs on
    SQLite only, except those marked ``both_databases`` (the console, the live feed, a work order
    and a wake-up end to end): a smoke set on PostgreSQL instead of every page twice. The same
    holds for the SIP tests, whose storage paths (wake-ups, attempts, preflights, call records)
    the service and API tests cover on both: on PostgreSQL only the smoke set (wake-ups over real
    SIP, the gateway's call records reaching the core, the attendant's calls)."""
    kept, dropped = [], []
    for item in items:
        end_to_end = item.get_closest_marker("browser") is not None
        if Path(str(item.fspath)).parent.name == "telephony":
            item.add_marker(pytest.mark.xdist_group("sip"))
            end_to_end = True
        params = getattr(getattr(item, "callspec", None), "params", {})
        if (end_to_end and params.get("backend") == "postgresql"
                and not item.get_closest_marker("both_databases")):
            dropped.append(item)
        elif item.get_closest_marker("postgresql_only") and params.get("backend") == "sqlite":
            dropped.append(item)  # e.g. LISTEN/NOTIFY: nothing to test on SQLite
        else:
            kept.append(item)
    if dropped:
        config.hook.pytest_deselected(items=dropped)
    # The longest work first, so that it runs beside the rest instead of after it: xdist hands
    # out tests in this order (the SIP group, the largest, goes first anyway), and a long test
    # handed out last would leave the other workers idle at the end. Browser tests stay after
    # every other test: Playwright's sync API keeps an event loop running in the worker's main
    # thread from the first browser test to the end of the run, where ``asyncio.run`` (the CLI,
    # the live hub's tests) cannot start another. Within each part, the tests marked slow first.
    def first(item) -> int:
        if Path(str(item.fspath)).parent.name == "telephony":
            return 0
        browser = item.get_closest_marker("browser") is not None
        slow = item.get_closest_marker("slow") is not None
        return 1 + 2 * browser + (not slow)
    items[:] = sorted(kept, key=first)


@pytest.hookimpl(hookwrapper=True)
def pytest_make_collect_report(collector):
    """A whole module skipped at import (``importorskip``) fails too under ZONGJI_TEST_STRICT=1."""
    outcome = yield
    report = outcome.get_result()
    if STRICT and report.skipped:
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else report.longrepr
        report.outcome = "failed"
        report.longrepr = f"skipped, and skips fail when ZONGJI_TEST_STRICT=1: {reason}"


def _pg_reachable() -> bool:
    try:
        eng = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
        with eng.connect() as c:
            c.execute(text("select 1"))
        eng.dispose()
        return True
    except Exception:
        return False


def _start_local_postgres() -> None:
    """Start the machine's PostgreSQL cluster if it is installed but not running."""
    if not shutil.which("pg_ctlcluster") or not Path("/etc/postgresql").is_dir():
        return
    for version in os.listdir("/etc/postgresql"):
        subprocess.run(
            ["pg_ctlcluster", "--skip-systemctl-redirect", version, "main", "start"],
            check=False, capture_output=True,
        )
    for _ in range(50):
        if _pg_reachable():
            return
        time.sleep(0.2)


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """URL of a fresh PostgreSQL database for this test run, dropped at the end."""
    if not _pg_reachable():
        _start_local_postgres()
    if not _pg_reachable():
        pytest.fail(f"PostgreSQL is not reachable at {PG_ADMIN_URL}; set ZONGJI_TEST_POSTGRES=0 to skip")
    name = f"zongji_test_{uuid.uuid4().hex[:10]}"
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as c:
        c.execute(text(f'CREATE DATABASE "{name}"'))
    base = PG_ADMIN_URL.rsplit("/", 1)[0]
    yield f"{base}/{name}"
    with admin.connect() as c:
        c.execute(text(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :n"
        ), {"n": name})
        c.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
    admin.dispose()


@pytest.fixture(scope="session")
def postgres_template(postgres_url: str) -> Iterator[str]:
    """Name of a database holding the current schema, built once per run: each test's database is
    a copy of it (``CREATE DATABASE … TEMPLATE``, ~30 ms) instead of dropping and creating every
    table (~0.5 s)."""
    name = postgres_url.rsplit("/", 1)[1] + "_tpl"
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as c:
        c.execute(text(f'CREATE DATABASE "{name}"'))
    engine = make_engine(f"{postgres_url.rsplit('/', 1)[0]}/{name}")
    SCHEMA.create_all(engine)
    engine.dispose()  # a template may have no connections while it is copied
    yield name
    with admin.connect() as c:
        c.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(scope="session")
def postgres_reused_db(postgres_url: str, postgres_template: str) -> Iterator[tuple[str, str]]:
    """One database with the schema for this run's (or this xdist worker's) PostgreSQL tests,
    emptied before each test (``_empty_postgres``) instead of copied from the template per test:
    ``CREATE DATABASE … TEMPLATE`` costs ~0.6 s a test on a 2-core machine, emptying ~5 ms."""
    name = postgres_url.rsplit("/", 1)[1] + "_reused"
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT", poolclass=NullPool)
    with admin.connect() as c:
        c.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{postgres_template}"'))
    url = f"{postgres_url.rsplit('/', 1)[0]}/{name}"
    engine = create_engine(url, poolclass=NullPool)
    with engine.connect() as c:
        sequences = [r[0] for r in c.execute(text(
            "SELECT quote_ident(sequence_schema) || '.' || quote_ident(sequence_name)"
            " FROM information_schema.sequences"))]
    engine.dispose()
    tables = [t.name for t in SCHEMA.sorted_tables]
    # Triggers and foreign keys are off while emptying (replica role): no stats marks written,
    # any order. Sequences restart so that every test sees ids from 1, as on a new database.
    empty_sql = (
        "SET LOCAL session_replication_role = replica;"
        + "".join(f'DELETE FROM "{t}";' for t in tables)
        + "".join(f"SELECT setval('{q}', 1, false);" for q in sequences)
    )
    yield url, empty_sql
    with admin.connect() as c:
        c.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def _empty_postgres(url: str, empty_sql: str) -> None:
    """Give the next test the reused database as a new one: no connection left from the test
    before (a server's pool, an engine not disposed), no row, no table the schema does not have
    (e.g. ``alembic_version`` a test stamped), sequences from 1."""
    known = {t.name for t in SCHEMA.sorted_tables}
    engine = create_engine(url, poolclass=NullPool)
    with engine.connect() as c:
        c.execute(text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                       " WHERE datname = current_database() AND pid <> pg_backend_pid()"))
        c.commit()
        extra = [r[0] for r in c.execute(text(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public'"))]
        for name in sorted(set(extra) - known):
            c.execute(text(f'DROP TABLE IF EXISTS "{name}" CASCADE'))
        c.exec_driver_sql(empty_sql)
        c.commit()
    engine.dispose()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory) -> Path:
    """A SQLite file with the schema, built once per run; each test gets a copy (~1 ms) instead of
    creating every table (~60 ms)."""
    path = tmp_path_factory.mktemp("sqlite-template") / "zongji.db"
    engine = make_engine(f"sqlite:///{path}")
    SCHEMA.create_all(engine)
    engine.dispose()  # the last connection closed: the WAL is checkpointed into the file
    return path


@pytest.fixture(params=BACKENDS)
def backend(request) -> str:
    return request.param


@pytest.fixture
def db_url(backend: str, tmp_path: Path, request) -> Iterator[str]:
    """An empty database with the current schema, on the parametrised backend.

    Each test's URL is unique (on PostgreSQL an ``application_name`` naming the test), so nothing
    a process keeps per database URL can reach the next test."""
    if backend == "sqlite":
        path = tmp_path / "zongji.db"
        shutil.copyfile(request.getfixturevalue("sqlite_template"), path)
        yield f"sqlite:///{path}"
        return
    url, empty_sql = request.getfixturevalue("postgres_reused_db")
    _empty_postgres(url, empty_sql)
    yield f"{url}?application_name=zt_{uuid.uuid4().hex[:12]}"


@pytest.fixture
def settings(db_url: str, tmp_path: Path) -> Settings:
    return Settings(database_url=db_url, data_dir=tmp_path, feed_safety_poll_seconds=0.05)


@pytest.fixture
def runtime(settings: Settings) -> Iterator[Runtime]:
    """This test's composition root (``zongji.bootstrap``): engine, session factory and a simulated
    PBX of its own, for the test's workers (``Worker(runtime)``). An app has its own
    (``app.state.runtime``)."""
    rt = bootstrap(settings)
    yield rt
    shutdown(rt)


@pytest.fixture
def session_factory(runtime: Runtime) -> sessionmaker[Session]:
    return runtime.session_factory


@pytest.fixture
def write(session_factory):
    """``with write() as s:`` a committing unit of work on the test database."""
    return lambda: transaction(session_factory)


@pytest.fixture
def app(settings: Settings):
    return create_app(settings)


@pytest.fixture
def client(app) -> Iterator[TestClient]:
    with TestClient(app) as c:
        yield c


@pytest.fixture
def core_server(settings) -> Iterator[str]:
    """The core (the app on the test database) in a real uvicorn server; its base URL."""
    from tests.servers import serve

    with serve(create_app(settings)) as url:
        yield url


@pytest.fixture
def demo(request, session_factory, settings, backend):
    """The demo organisations, users and data (``load_demo``) in this test's database: loaded once
    per worker and backend, then copied (``tests/demo_snapshot.py``). Returns the DemoSummary."""
    from tests import demo_snapshot

    return demo_snapshot.load_for(request)


@pytest.fixture(scope="session")
def demo_places_sqlite(sqlite_template):
    from tests.demo_snapshot import Places

    return Places(sqlite_template=sqlite_template)


@pytest.fixture(scope="session")
def demo_places_postgresql(postgres_url, postgres_template, postgres_reused_db):
    """A database of this run's worker where the demo is loaded for a snapshot."""
    from tests.demo_snapshot import Places

    name = postgres_url.rsplit("/", 1)[1] + "_demo"
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT", poolclass=NullPool)
    with admin.connect() as c:
        c.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{postgres_template}"'))
    reused_url, empty_sql = postgres_reused_db
    yield Places(pg_build_url=f"{postgres_url.rsplit('/', 1)[0]}/{name}", pg_empty_sql=empty_sql,
                 pg_reused_url=reused_url)
    with admin.connect() as c:
        c.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture
def make_user(write):
    """Create a user with a role; returns (username, password)."""
    from zongji.services import auth

    def _make(role: str = "operator", username: str | None = None, **kw) -> tuple[str, str]:
        username = username or f"{role}-{uuid.uuid4().hex[:6]}"
        password = "secret-pass-1"
        with write() as s:
            auth.create_user(s, username=username, password=password, role=role, **kw)
        return username, password

    return _make


@pytest.fixture
def as_role(app, make_user):
    """``as_role("supervisor")``: a separate logged-in client per role (and unit: ``department_id``)."""
    clients = []

    def _as(role: str, **kw) -> TestClient:
        username, password = make_user(role, **kw)
        c = TestClient(app)
        c.__enter__()
        clients.append(c)
        r = c.post("/api/auth/login", json={"username": username, "password": password})
        assert r.status_code == 200, r.text
        return c

    yield _as
    for c in clients:
        c.__exit__(None, None, None)


@pytest.fixture
def units(write) -> tuple[int, int]:
    """A city hotline with two handling units (市城管局, 市住建局); their ids."""
    from zongji.store.models import Department, Organisation

    with write() as s:
        org = Organisation(code="city", name="示例市12345热线", name_en="Example City 12345", kind="city_hotline")
        s.add(org)
        s.flush()
        a = Department(organisation_id=org.id, name="市城管局", kind="handling_unit")
        b = Department(organisation_id=org.id, name="市住建局", kind="handling_unit")
        s.add_all([a, b])
        s.flush()
        return a.id, b.id


@pytest.fixture
def smtp_server():
    """A real SMTP server (aiosmtpd) on a loopback port it binds itself; yields (controller,
    received messages). ``controller.port`` is the port."""
    from aiosmtpd.controller import Controller
    from aiosmtpd.handlers import Message

    received = []

    class Keep(Message):
        def handle_message(self, message):
            received.append(message)

    class OnItsOwnPort(Controller):
        # aiosmtpd binds ``port``; port 0 lets the system choose, and the chosen port is read
        # back before the controller connects to check the server is up.
        async def _bind(self):
            server = await self.loop.create_server(self._factory_invoker, host=self.hostname, port=0,
                                                   ssl=self.ssl_context)
            self.port = server.sockets[0].getsockname()[1]
            return server

        def _create_server(self):
            return self._bind()

    ctl = OnItsOwnPort(Keep(), hostname="127.0.0.1", port=0)
    ctl.start()
    yield ctl, received
    ctl.stop()


@pytest.fixture
def login(client: TestClient, make_user):
    """Log the test client in with a new user of ``role``; returns the username."""

    def _login(role: str = "operator", **kw) -> str:
        username, password = make_user(role, **kw)
        r = client.post("/api/auth/login", json={"username": username, "password": password})
        assert r.status_code == 200, r.text
        return username

    return _login


@pytest.fixture
def cti_token(write) -> str:
    from zongji.services import auth

    with write() as s:
        return auth.add_integration_token(s, "test-pbx").token
