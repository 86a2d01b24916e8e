"""zongji backup / zongji restore (issue 12, point 7) on SQLite and PostgreSQL.

A backup is taken while a writer keeps committing; restored into an empty place and upgraded, it
holds every record acknowledged before the backup began, the demo's data and the data folder's
files byte for byte. A damaged archive or a target that holds data is refused, naming why.
"""

from __future__ import annotations

import threading
import uuid
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.pool import NullPool

from tests.conftest import PG_ADMIN_URL
from zongji.demo.data import load_demo
from zongji.errors import ZongjiError
from zongji.services import backup as service
from zongji.settings import Settings
from zongji.store.db import make_engine, make_session_factory, transaction
from zongji.store.migrate import upgrade
from zongji.store.models import FeedItem, Person
from zongji.store.wakeup_models import Wakeup


def _fresh_pg(request) -> str:
    run_url = request.getfixturevalue("postgres_url")
    name = f"zongji_b_{uuid.uuid4().hex[:10]}"
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT", poolclass=NullPool)
    with admin.connect() as c:
        c.execute(text(f'CREATE DATABASE "{name}"'))

    def drop() -> None:
        with admin.connect() as c:
            c.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    request.addfinalizer(drop)
    return f"{run_url.rsplit('/', 1)[0]}/{name}"


def _settings(backend: str, folder: Path, request) -> Settings:
    folder.mkdir(parents=True, exist_ok=True)
    url = "" if backend == "sqlite" else _fresh_pg(request)
    return Settings(database_url=url, data_dir=folder)


def test_backup_while_writing_then_restore_into_an_empty_place(backend, tmp_path, request):
    if backend == "postgresql" and not (service.shutil.which("pg_dump") and service.shutil.which("pg_restore")):
        pytest.skip("pg_dump/pg_restore not installed")
    src = _settings(backend, tmp_path / "src", request)
    upgrade(src.resolved_database_url)
    engine = make_engine(src.resolved_database_url)
    factory = make_session_factory(engine)
    with transaction(factory) as s:
        load_demo(s, src)
    attachment = src.data_dir / "attachments" / uuid.uuid4().hex
    attachment.parent.mkdir(parents=True)
    attachment.write_bytes(b"%PDF-1.7 " + bytes(range(256)) * 300)
    prompt = src.data_dir / "prompts" / "zh" / "greeting.wav"
    prompt.parent.mkdir(parents=True)
    prompt.write_bytes(b"RIFF" + b"\x00" * 5000)

    # A writer keeps committing while the backup runs.
    acknowledged: list[int] = []
    stop = threading.Event()
    first_batch = threading.Event()

    def writer() -> None:
        i = 0
        while not stop.is_set():
            with transaction(factory) as s:
                s.add(FeedItem(topic="backup-test", entity_id=str(i), payload={"i": i}))
            acknowledged.append(i)
            i += 1
            if i == 20:
                first_batch.set()

    t = threading.Thread(target=writer)
    t.start()
    try:
        assert first_batch.wait(30)
        before = list(acknowledged)  # acknowledged before the backup began
        result = service.backup(src, tmp_path / "backups")
    finally:
        stop.set()
        t.join(30)
    with factory() as s:
        people = s.scalar(select(func.count()).select_from(Person))
        wakeups = s.scalar(select(func.count()).select_from(Wakeup))
    engine.dispose()
    assert result.path.name.endswith(".tar.gz") and result.database == backend
    assert result.revision  # the schema revision is recorded

    dst = _settings(backend, tmp_path / "dst", request)
    out = service.restore(dst, result.path)
    assert out["revision"] == out["from_revision"] == result.revision
    engine = make_engine(dst.resolved_database_url)
    with make_session_factory(engine)() as s:
        restored = {int(x) for x in s.scalars(select(FeedItem.entity_id).where(FeedItem.topic == "backup-test"))}
        assert set(before) <= restored
        assert restored == set(range(len(restored)))  # a consistent snapshot: no gaps
        assert s.scalar(select(func.count()).select_from(Person)) == people > 0
        assert s.scalar(select(func.count()).select_from(Wakeup)) == wakeups
    engine.dispose()
    assert (dst.data_dir / attachment.relative_to(src.data_dir)).read_bytes() == attachment.read_bytes()
    assert (dst.data_dir / "prompts" / "zh" / "greeting.wav").read_bytes() == prompt.read_bytes()

    # Not into a place that holds data, unless forced; a damaged archive never.
    with pytest.raises(ZongjiError) as exc:
        service.restore(dst, result.path)
    assert exc.value.field == "target"
    damaged = tmp_path / "damaged.tar.gz"
    data = bytearray(result.path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    damaged.write_bytes(bytes(data))
    other = _settings(backend, tmp_path / "other", request)
    with pytest.raises(ZongjiError) as exc:
        service.restore(other, damaged)
    assert exc.value.field == "source"
