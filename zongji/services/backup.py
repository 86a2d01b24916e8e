"""Backup and restore: the database and the data folder together (issue 12, point 7).

A backup is one ``.tar.gz`` holding

* ``manifest.json`` — Zongji's version, the schema revision, when (site time zone), the database
  kind, and every file with its size and SHA-256;
* ``database.sqlite`` (SQLite: the online backup API, a consistent copy while the server writes —
  never a copy of the live file) or ``database.dump`` (PostgreSQL: ``pg_dump`` custom format, one
  consistent snapshot);
* ``data/…`` — the data folder (attachments, recorded prompts, generated speech), without the
  SQLite database file itself.

A restore checks every checksum first, refuses a target that already holds data unless forced,
loads the database (``pg_restore`` into an empty PostgreSQL database), puts the data folder back
and upgrades the schema to this version's newest revision (a backup from an older Zongji).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

from zongji import __version__
from zongji.errors import ZongjiError
from zongji.settings import Settings
from zongji.store.migrate import upgrade

MANIFEST = "manifest.json"
FORMAT = 1
_SQLITE_FILES = ("zongji.db", "zongji.db-wal", "zongji.db-shm", "zongji.db-journal")


class BackupError(ZongjiError):
    status_code = 400


@dataclass(frozen=True)
class BackupResult:
    path: Path
    database: str  # sqlite | postgresql
    revision: str | None
    files: int
    bytes: int


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1024 * 1024), b""):
            h.update(block)
    return h.hexdigest()


def _kind(url: str) -> str:
    return "sqlite" if make_url(url).get_backend_name() == "sqlite" else "postgresql"


def _libpq(url: str) -> tuple[str, dict[str, str]]:
    """A libpq connection string for pg_dump/pg_restore, the password passed in the environment."""
    u = make_url(url)
    parts = [f"host={u.host or '127.0.0.1'}", f"port={u.port or 5432}", f"dbname={u.database}"]
    if u.username:
        parts.append(f"user={u.username}")
    env = {"PGPASSWORD": u.password} if u.password else {}
    return " ".join(parts), env


def _revision(url: str) -> str | None:
    engine = create_engine(url, poolclass=NullPool)
    try:
        with engine.connect() as c:
            if not inspect(c).has_table("alembic_version"):
                return None
            return c.execute(text("SELECT version_num FROM alembic_version")).scalar()
    finally:
        engine.dispose()


def _tool(name: str) -> str:
    found = shutil.which(name)
    if not found:
        raise BackupError(f"{name} is not installed (Debian: apt-get install postgresql-client)", field="database")
    return found


def backup(settings: Settings, target: Path, *, now: dt.datetime | None = None) -> BackupResult:
    """Write a backup of the database and the data folder to ``target`` (a .tar.gz file, or a
    folder to put one in)."""
    url = settings.resolved_database_url
    kind = _kind(url)
    now = now or dt.datetime.now(dt.UTC)
    target = Path(target)
    if target.is_dir() or not target.name.endswith((".tar.gz", ".tgz")):
        target.mkdir(parents=True, exist_ok=True)  # a folder: the archive is named by its time
        target = target / f"zongji-{now.astimezone(settings.tz):%Y%m%d-%H%M%S}.tar.gz"
    if target.exists():
        raise BackupError(f"{target} exists already", field="target")
    data_dir = Path(settings.data_dir)
    with tempfile.TemporaryDirectory(prefix="zongji-backup-") as tmp:
        work = Path(tmp)
        if kind == "sqlite":
            db_file = work / "database.sqlite"
            src = sqlite3.connect(make_url(url).database)
            dst = sqlite3.connect(db_file)
            try:
                src.backup(dst)  # consistent while writers go on
            finally:
                dst.close()
                src.close()
        else:
            db_file = work / "database.dump"
            conninfo, env = _libpq(url)
            proc = subprocess.run([_tool("pg_dump"), "--format=custom", "--no-owner", "--file", str(db_file),
                                   conninfo], env={**_env(), **env}, capture_output=True, text=True)
            if proc.returncode != 0:
                raise BackupError(f"pg_dump failed: {proc.stderr.strip()[:300]}", field="database")
        files: list[dict[str, Any]] = [{"path": db_file.name, "size": db_file.stat().st_size,
                                        "sha256": _sha256(db_file)}]
        data_files = []
        skip = _database_files(url)
        if data_dir.is_dir():
            for p in sorted(data_dir.rglob("*")):
                if p.is_file() and p.resolve() not in skip and not (p.parent == data_dir and p.name in _SQLITE_FILES):
                    rel = p.relative_to(data_dir).as_posix()
                    data_files.append((p, rel))
                    files.append({"path": "data/" + rel, "size": p.stat().st_size, "sha256": _sha256(p)})
        manifest = {"format": FORMAT, "zongji_version": __version__, "revision": _revision(url),
                    "database": kind, "created_at": now.astimezone(settings.tz).isoformat(), "files": files}
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_name(target.name + ".partial")
        with tarfile.open(partial, "w:gz") as tar:
            raw = json.dumps(manifest, ensure_ascii=False, indent=2).encode()
            info = tarfile.TarInfo(MANIFEST)
            info.size = len(raw)
            tar.addfile(info, io.BytesIO(raw))
            tar.add(db_file, arcname=db_file.name)
            for p, rel in data_files:
                tar.add(p, arcname="data/" + rel)
        partial.replace(target)  # never a half-written backup under the final name
    return BackupResult(target, kind, manifest["revision"], len(files), sum(f["size"] for f in files))


def _database_files(url: str) -> set[Path]:
    """The SQLite database file and its journal files: backed up through the backup API, never
    copied as files (a live file copy is not consistent)."""
    if _kind(url) != "sqlite":
        return set()
    db = Path(make_url(url).database).resolve()
    return {db, *(db.with_name(db.name + s) for s in ("-wal", "-shm", "-journal"))}


def _env() -> dict[str, str]:
    import os

    return dict(os.environ)


def _target_empty(url: str, data_dir: Path) -> list[str]:
    """What already holds data at the restore target (empty list: nothing)."""
    found = []
    engine = create_engine(url, poolclass=NullPool)
    try:
        with engine.connect() as c:
            tables = [t for t in inspect(c).get_table_names() if t != "alembic_version"]
            if tables:
                found.append(f"the database has {len(tables)} tables")
    finally:
        engine.dispose()
    if data_dir.is_dir() and any(p.is_file() and p.name not in _SQLITE_FILES for p in data_dir.rglob("*")):
        found.append(f"{data_dir} holds files")
    return found


def restore(settings: Settings, source: Path, *, force: bool = False) -> dict[str, Any]:
    """Restore a backup into the configured database and data folder, then upgrade the schema."""

    url = settings.resolved_database_url
    kind = _kind(url)
    data_dir = Path(settings.data_dir)
    with tempfile.TemporaryDirectory(prefix="zongji-restore-") as tmp:
        work = Path(tmp)
        try:
            with tarfile.open(source, "r:gz") as tar:
                tar.extractall(work, filter="data")
        except (OSError, tarfile.TarError) as exc:
            raise BackupError(f"not a Zongji backup: {exc}", field="source") from None
        try:
            manifest = json.loads((work / MANIFEST).read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise BackupError(f"the backup has no readable manifest: {exc}", field="source") from None
        for f in manifest.get("files", []):
            p = work / f["path"]
            if not p.is_file() or p.stat().st_size != f["size"] or _sha256(p) != f["sha256"]:
                raise BackupError(f"{f['path']} is damaged or missing (checksum)", field="source")
        if manifest.get("database") != kind:
            raise BackupError(f"the backup is of a {manifest.get('database')} database, the target is {kind}",
                              field="source")
        if kind == "sqlite":
            db_path = Path(make_url(url).database)
            db_path.parent.mkdir(parents=True, exist_ok=True)
        busy = _target_empty(url, data_dir) if (kind != "sqlite" or db_path.exists()) else (
            [f"{data_dir} holds files"] if data_dir.is_dir() and any(
                p.is_file() and p.name not in _SQLITE_FILES for p in data_dir.rglob("*")) else [])
        if busy and not force:
            raise BackupError("the target is not empty (" + "; ".join(busy) + "): restore into an empty "
                              "place or give --force", field="target")
        if kind == "sqlite":
            src = sqlite3.connect(work / "database.sqlite")
            dst = sqlite3.connect(db_path)
            try:
                src.backup(dst)
            finally:
                dst.close()
                src.close()
        else:
            conninfo, env = _libpq(url)
            args = [_tool("pg_restore"), "--no-owner", "--exit-on-error", "--dbname", conninfo]
            if force:
                args += ["--clean", "--if-exists"]
            proc = subprocess.run(args + [str(work / "database.dump")], env={**_env(), **env},
                                  capture_output=True, text=True)
            if proc.returncode != 0:
                raise BackupError(f"pg_restore failed: {proc.stderr.strip()[:300]}", field="target")
        restored_files = 0
        src_data = work / "data"
        if src_data.is_dir():
            for p in sorted(src_data.rglob("*")):
                if p.is_file():
                    dest = data_dir / p.relative_to(src_data)
                    dest.parent.mkdir(parents=True, exist_ok=True)
                    shutil.copy2(p, dest)
                    restored_files += 1
    if manifest.get("revision"):
        upgrade(url)  # a backup from an older Zongji: its schema brought to this version's
    return {"database": kind, "from_revision": manifest.get("revision"), "revision": _revision(url),
            "created_at": manifest.get("created_at"), "files": restored_files}
