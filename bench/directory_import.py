"""Directory import of 50,000 people (issue 18, point 2). See bench/README.md.

Generates a CSV of ``--rows`` people (200 departments, Chinese names, titles, extensions,
mobiles; 1 % rejected rows: a bad mobile, a duplicate entry) and, per backend, on a fresh
database each time:

- ``new``: ``zongji.services.importer.import_directory`` (bulk), the whole file, then the same
  file again (every row unchanged: the re-import path);
- ``old``: the row-by-row import as it was before (a copy kept here, ``_old_import``), measured in
  the same run on the first ``--baseline-rows`` rows (it runs at ~140 rows/s: the whole file
  would take minutes; ``--baseline-rows 0`` skips it).

Each import runs in one transaction (as ``zongji import directory`` does) and is timed to its
commit. Prints rows/s and checks both paths report the same rejections. No test asserts a time.
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import re
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华玉萍红娥玲芬燕彩春菊兰凤洁梅琳素云莲真环雪荣爱妹霞香月莺媛"
TITLES = ("", "", "", "客服代表", "主管", "经理", "工程师", "前台", "值班长", "副主任")


def generate(n: int, seed: int = 18) -> list[list[str]]:
    rnd = random.Random(seed)
    rows = [["类型", "姓名", "部门", "职务", "分机", "手机"]]
    for i in range(n):
        name = rnd.choice(SURNAMES) + rnd.choice(GIVEN) + (rnd.choice(GIVEN) if rnd.random() < 0.7 else "")
        name += str(i // 1000) if rnd.random() < 0.5 else ""
        mobile = f"139{i:08d}"
        if i % 100 == 7:
            mobile = "12345"  # rejected: not a phone number
        rows.append(["人员", name, f"部门{i % 200:03d}", rnd.choice(TITLES), f"{8000 + i % 1999}", mobile])
        if i % 100 == 50:  # rejected: the same entry as the row before
            rows.append(list(rows[-1]))
    return rows


def write_csv(rows: list[list[str]], path: Path) -> Path:
    with path.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows(rows)
    return path


# ---------------------------------------------------------------- the old path (before issue 18)


def _old_import(session, path, *, organisation):
    """``import_directory`` as it was: one person looked up, flushed and inserted per row."""
    from sqlalchemy import select

    from zongji.domain.search import normalize
    from zongji.services import audit
    from zongji.services.importer import ImportReport, Rejection, _columns, _nonblank, _validate, read_rows
    from zongji.store.models import Department, Person

    header, rows = read_rows(path)
    cols = _columns(header)
    org = organisation
    report = ImportReport()
    depts = {d.name: d for d in session.scalars(select(Department).where(Department.organisation_id == org.id))}

    def department(name: str, kind: str = "department"):
        d = depts.get(name)
        if d is not None:
            return d, False
        d = Department(organisation_id=org.id, name=name, kind=kind)
        session.add(d)
        depts[name] = d
        return d, True

    def _set(obj: Any, values: dict[str, Any]) -> bool:
        changed = False
        for k, x in values.items():
            if getattr(obj, k) != x:
                setattr(obj, k, x)
                changed = True
        return changed

    def _write(row) -> str:  # people only: the bench's file has nothing else
        v = row.values
        dept = department(v["department"])[0] if v.get("department") else None
        if dept is not None and dept.id is None:
            session.flush()
        stmt = select(Person).where(Person.organisation_id == org.id, Person.name == v["name"])
        stmt = stmt.where(Person.department_id == dept.id) if dept else stmt.where(Person.department_id.is_(None))
        person = session.scalar(stmt)
        created = person is None
        if created:
            person = Person(organisation_id=org.id, name=v["name"], department_id=dept.id if dept else None)
            session.add(person)
        values: dict[str, Any] = {"title": v.get("title"), "extension": v.get("extension"),
                                  "mobile": v.get("mobile"), "pager": v.get("pager"),
                                  "office_phone": v.get("phone")}
        if v.get("manager") is not None:
            values["is_manager"] = normalize(v["manager"]) in {"1", "y", "yes", "true", "是", "√", "x"}
        elif created:
            values["is_manager"] = bool(v.get("title") and re.search(r"经理|总监|总经理|主任|董事", v["title"]))
        changed = _set(person, values)
        return "created" if created else ("updated" if changed else "unchanged")

    seen_keys: dict[tuple, int] = {}
    for row_number, cells in _nonblank(rows):
        report.rows += 1
        raw = {key: cells[i] if i < len(cells) else "" for i, key in cols.items()}
        row, errors = _validate(row_number, raw)
        if row is None:
            report.rejected.extend(errors)
            continue
        v = row.values
        key = ("person", v["name"], v.get("department"))
        if key in seen_keys:
            report.rejected.append(Rejection(row_number, "name", f"same entry as row {seen_keys[key]}"))
            continue
        seen_keys[key] = row_number
        outcome = _write(row)
        setattr(report, outcome, getattr(report, outcome) + 1)
    session.flush()
    audit.record(session, actor="cli", action="import", entity="directory", entity_id=org.id,
                 detail={"file": Path(path).name, "rows": report.rows})
    return report


# ---------------------------------------------------------------- running


def _fresh(url: str):
    from zongji.store.db import make_engine, make_session_factory
    from zongji.store.schema import metadata

    engine = make_engine(url)
    metadata.create_all(engine)
    return engine, make_session_factory(engine)


def _timed(factory, fn, path) -> tuple[float, Any]:
    from zongji.services.importer import resolve_organisation
    from zongji.store.db import transaction

    t0 = time.perf_counter()
    with transaction(factory) as s:
        org = resolve_organisation(s, None)
        report = fn(s, path, organisation=org)
    return time.perf_counter() - t0, report


def run_backend(make_url, path: Path, baseline_path: Path | None) -> list[tuple[str, int, float, Any]]:
    from zongji.services.importer import import_directory

    out = []
    engine, factory = _fresh(make_url())
    seconds, report = _timed(factory, import_directory, path)
    out.append(("new, first import", report.rows, seconds, report))
    seconds, again = _timed(factory, import_directory, path)
    out.append(("new, same file again", again.rows, seconds, again))
    engine.dispose()
    if baseline_path is not None:
        engine, factory = _fresh(make_url())
        seconds, old = _timed(factory, _old_import, baseline_path)
        out.append(("old, first import", old.rows, seconds, old))
        engine.dispose()
        engine, factory = _fresh(make_url())
        seconds, new_small = _timed(factory, import_directory, baseline_path)
        assert [str(r) for r in old.rejected] == [str(r) for r in new_small.rejected], "rejections differ"
        assert (old.created, old.updated) == (new_small.created, new_small.updated), "outcomes differ"
        out.append(("new, same rows as old", new_small.rows, seconds, new_small))
        engine.dispose()
    return out


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--rows", type=int, default=50_000)
    p.add_argument("--baseline-rows", type=int, default=3_000)
    p.add_argument("--backends", default="sqlite,postgresql")
    p.add_argument("--pg-admin-url", default=os.environ.get(
        "ZONGJI_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"))
    args = p.parse_args(argv)
    from sqlalchemy import create_engine, text

    with tempfile.TemporaryDirectory() as tmp:
        rows = generate(args.rows)
        path = write_csv(rows, Path(tmp) / "directory.csv")
        baseline = (write_csv(rows[:args.baseline_rows + 1], Path(tmp) / "baseline.csv")
                    if args.baseline_rows else None)
        print(f"{args.rows} people in the file; old path on the first {args.baseline_rows} rows")
        print(f"{'backend':<11} {'path':<24} {'rows':>7} {'seconds':>8} {'rows/s':>8} {'rejected':>8}")
        created: list[str] = []
        admin = None
        try:
            for backend in args.backends.split(","):
                if backend == "sqlite":
                    def make_url() -> str:
                        return f"sqlite:///{Path(tmp) / uuid.uuid4().hex[:8]}.db"
                else:
                    admin = admin or create_engine(args.pg_admin_url, isolation_level="AUTOCOMMIT")

                    def make_url() -> str:
                        name = f"zongji_import_bench_{uuid.uuid4().hex[:8]}"
                        with admin.connect() as c:
                            c.execute(text(f'CREATE DATABASE "{name}"'))
                        created.append(name)
                        return f"{args.pg_admin_url.rsplit('/', 1)[0]}/{name}"
                for label, n, seconds, report in run_backend(make_url, path, baseline):
                    print(f"{backend:<11} {label:<24} {n:>7} {seconds:>8.2f} {n / seconds:>8.0f} "
                          f"{len(report.rejected):>8}", flush=True)
        finally:
            if admin is not None:
                with admin.connect() as c:
                    for name in created:
                        c.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
                admin.dispose()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
