"""Import the directory from a spreadsheet: CSV (UTF-8, UTF-8 with BOM, GBK) or XLSX.

One row per person, department or common number. Headers may be Chinese or English:

=========  =====================  ==========================================
kind       类型 / kind / type      人员 person staff · 部门 department · 承办单位 handling_unit · 常用电话 common
name       姓名 / 名称 / name       required
department 部门 / department       people: the department (created if missing)
title      职务 / 职位 / title
extension  分机 / extension         3–5 digits
mobile     手机 / mobile            a mobile number (+86 and spaces allowed)
pager      传呼 / 寻呼 / pager
phone      电话 / 号码 / phone       departments and common numbers: the number; people: office phone
category   类别 / 分类 / category   common numbers
note       备注 / 职责 / note       departments: duties
district   辖区 / 属地 / district   handling units: the district whose government it is (dispatch)
=========  =====================  ==========================================

Without a kind column, a row with a category is a common number, a row with a department,
title or mobile is a person, otherwise a department.

Valid rows are imported, rejected rows are not; the report names each rejected row (spreadsheet
row number, the header being row 1) and field, e.g. "row 17, mobile: not a phone number".
Re-importing the same file updates the records instead of adding duplicates: a person is the
same by (name, department), a department by name, a common number by (category, name).
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from zongji.domain.caller_id import normalize_number
from zongji.domain.search import normalize
from zongji.errors import ZongjiError
from zongji.services import audit
from zongji.services import directory as _directory  # noqa: F401  (keeps search_text current)
from zongji.services.dispatch import model_state
from zongji.store.models import CommonNumber, Department, Organisation, Person, utcnow

HEADERS: dict[str, str] = {}
for _field, _names in {
    "kind": ["类型", "种类", "kind", "type"],
    "name": ["姓名", "名称", "名字", "单位", "name"],
    "department": ["部门", "所属部门", "department", "dept"],
    "title": ["职务", "职位", "头衔", "title", "position"],
    "extension": ["分机", "分机号", "extension", "ext"],
    "mobile": ["手机", "手机号", "移动电话", "mobile", "cell"],
    "pager": ["传呼", "寻呼", "传呼机", "pager", "bp"],
    "phone": ["电话", "号码", "电话号码", "直线", "phone", "number", "tel"],
    "category": ["类别", "分类", "category"],
    "note": ["备注", "说明", "职责", "note", "notes", "duties", "remark"],
    "name_en": ["英文名", "英文名称", "name_en", "english name"],
    "district": ["辖区", "属地", "district"],
    "title_en": ["英文职务", "title_en"],
    "manager": ["管理人员", "经理", "manager", "is_manager"],
}.items():
    for _n in _names:
        HEADERS[_n] = _field

KINDS = {
    "person": "person", "staff": "person", "people": "person", "人员": "person", "员工": "person",
    "人": "person", "个人": "person",
    "department": "department", "dept": "department", "部门": "department",
    "handling_unit": "handling_unit", "unit": "handling_unit", "承办单位": "handling_unit",
    "common": "common_number", "common_number": "common_number", "常用电话": "common_number",
    "常用号码": "common_number",
}
_TRUE = {"1", "y", "yes", "true", "是", "√", "x"}
MAX_LENGTHS = {"name": 100, "department": 100, "title": 100, "title_en": 100, "name_en": 100,
               "category": 40, "district": 40}


@dataclass
class Rejection:
    row: int
    field: str
    message: str

    def __str__(self) -> str:
        return f"row {self.row}, {self.field}: {self.message}"


@dataclass
class ImportReport:
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: list[Rejection] = field(default_factory=list)

    @property
    def imported(self) -> int:
        return self.created + self.updated + self.unchanged

    def lines(self) -> list[str]:
        return [str(r) for r in self.rejected]


# --------------------------------------------------------------------------- reading


def _decode(data: bytes) -> str:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ZongjiError("the file is neither UTF-8 nor GBK text", field="file")


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def read_rows(path: Path | str, data: bytes | None = None) -> tuple[list[str], list[list[str]]]:
    """Header cells and data rows of a CSV or XLSX file (cells as trimmed strings)."""
    path = Path(path)
    if data is None:
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise ZongjiError(f"cannot read {path}: {exc.strerror}", field="file") from None
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm") or data[:2] == b"PK":
        import openpyxl

        try:
            wb = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        except Exception as exc:  # openpyxl raises many kinds for a bad file
            raise ZongjiError(f"not a readable XLSX file: {exc}", field="file") from None
        ws = wb.worksheets[0]
        rows = [[_cell(v) for v in r] for r in ws.iter_rows(values_only=True)]
        wb.close()
    elif suffix in (".xls",):
        raise ZongjiError("old .xls files are not supported; save as .xlsx or CSV", field="file")
    else:
        text = _decode(data)
        try:
            dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
        except csv.Error:
            dialect = csv.excel
        reader = csv.reader(io.StringIO(text), dialect)
        rows = []
        try:
            for r in reader:
                rows.append([c.strip() for c in r])
        except csv.Error as exc:
            # e.g. a cell of megabytes (past csv's field limit) or a stray quote: name the line.
            raise ZongjiError(f"line {reader.line_num} of the file cannot be read: {exc}", field="file") from None
    if not rows:
        raise ZongjiError("the file is empty", field="file")
    return rows[0], rows[1:]


def _columns(header: list[str]) -> dict[int, str]:
    cols: dict[int, str] = {}
    for i, h in enumerate(header):
        h = normalize(h).strip("*: ")
        key = HEADERS.get(h) or HEADERS.get(h.replace(" ", "_")) or HEADERS.get(h.replace("_", " "))
        if key is not None and key not in cols.values():
            cols[i] = key
    if "name" not in cols.values():
        raise ZongjiError("no name column (姓名 / 名称 / name) in the header row", field="file")
    return cols


# --------------------------------------------------------------------------- validation


@dataclass
class _Row:
    number: int
    kind: str
    values: dict[str, str | None]


def _validate(number: int, raw: dict[str, str]) -> tuple[_Row | None, list[Rejection]]:
    errors: list[Rejection] = []
    v: dict[str, str | None] = {k: (normalize(x) if k in ("kind",) else x.strip()) or None
                                for k, x in raw.items()}
    # NUL characters cannot be stored.
    for k, x in v.items():
        if x and "\x00" in x:
            errors.append(Rejection(number, k, "contains a NUL character"))
    kind_text = v.get("kind")
    if kind_text:
        kind = KINDS.get(kind_text)
        if kind is None:
            errors.append(Rejection(number, "kind", f"unknown kind {raw.get('kind')!r}; "
                                    "use 人员/person, 部门/department, 承办单位/handling_unit or 常用电话/common"))
            kind = "person"
    elif v.get("category"):
        kind = "common_number"
    elif v.get("department") or v.get("title") or v.get("mobile"):
        kind = "person"
    else:
        kind = "department"
    if not v.get("name"):
        errors.append(Rejection(number, "name", "required"))
    for k, n in MAX_LENGTHS.items():
        if v.get(k) and len(v[k]) > n:
            errors.append(Rejection(number, k, f"at most {n} characters"))
    if v.get("extension"):
        ext = normalize(v["extension"]).replace(" ", "").replace("-", "")
        if not re.fullmatch(r"\d{3,5}", ext):
            errors.append(Rejection(number, "extension", "not an extension (3–5 digits)"))
        else:
            v["extension"] = ext
    if v.get("mobile"):
        pn = normalize_number(v["mobile"])
        if pn.kind != "mobile":
            errors.append(Rejection(number, "mobile", "not a phone number" if not pn.valid
                                    else "not a mobile phone number"))
        else:
            v["mobile"] = pn.digits
    for k in ("phone", "pager"):
        if v.get(k):
            pn = normalize_number(v[k])
            if not pn.valid:
                errors.append(Rejection(number, k, "not a phone number"))
            else:
                v[k] = pn.digits
    if kind == "common_number":
        if not v.get("phone"):
            errors.append(Rejection(number, "phone", "required for a common number"))
        if not v.get("category"):
            v["category"] = "其他"
    if errors:
        return None, errors
    return _Row(number, kind, v), []


# --------------------------------------------------------------------------- writing


def _set(obj: Any, values: dict[str, Any]) -> bool:
    changed = False
    for k, x in values.items():
        if getattr(obj, k) != x:
            setattr(obj, k, x)
            changed = True
    return changed


def resolve_organisation(session: Session, code: str | None) -> Organisation:
    """The organisation to import into: by code; or the only one; or a new default one."""
    if code:
        org = session.scalar(select(Organisation).where(Organisation.code == code))
        if org is None:
            raise ZongjiError(f"no organisation with code {code!r}", field="org")
        return org
    orgs = list(session.scalars(select(Organisation).order_by(Organisation.id).limit(2)))
    if len(orgs) == 1:
        return orgs[0]
    if len(orgs) > 1:
        codes = ", ".join(session.scalars(select(Organisation.code).order_by(Organisation.id)))
        raise ZongjiError(f"several organisations; choose one with --org ({codes})", field="org")
    org = Organisation(code="default", name="本单位", kind="company")
    session.add(org)
    session.flush()
    return org


# Pending rows are written to the database this many at a time (one INSERT of many rows).
FLUSH_EVERY = 2000


@dataclass
class _Existing:
    """The organisation's directory as it is, loaded once: the rows of the file are matched in
    memory instead of one query each (issue 18: 137 rows/s, slower as the table grew)."""

    depts: dict[str, Department]
    people: dict[tuple[str, int | None], Person]
    common: dict[tuple[str, str], CommonNumber]

    @classmethod
    def load(cls, session: Session, org: Organisation) -> "_Existing":
        depts = {d.name: d for d in session.scalars(
            select(Department).where(Department.organisation_id == org.id).order_by(Department.id))}
        people: dict[tuple[str, int | None], Person] = {}
        for p in session.scalars(select(Person).where(Person.organisation_id == org.id).order_by(Person.id)):
            people.setdefault((p.name, p.department_id), p)  # the first, as a query by key found
        common: dict[tuple[str, str], CommonNumber] = {}
        for c in session.scalars(select(CommonNumber).where(CommonNumber.organisation_id == org.id)
                                 .order_by(CommonNumber.id)):
            common.setdefault((c.category, c.name), c)
        return cls(depts, people, common)


def import_directory(
    session: Session,
    path: Path | str,
    *,
    organisation: Organisation | None = None,
    data: bytes | None = None,
    actor: str = "cli",
    progress: Callable[[int], None] | None = None,
) -> ImportReport:
    """Import people, departments and common numbers from ``path`` into ``organisation``.

    ``progress`` is called with the number of rows done after each row. In bulk: the existing
    entries are loaded once and matched in memory, new and changed rows are written
    ``FLUSH_EVERY`` at a time (the report is the same as row by row).
    """
    header, rows = read_rows(path, data)
    cols = _columns(header)
    org = organisation or resolve_organisation(session, None)
    report = ImportReport()
    existing = _Existing.load(session, org)
    districts_before = {name: d.district for name, d in existing.depts.items()}

    def department(name: str, kind: str = "department") -> tuple[Department, bool]:
        d = existing.depts.get(name)
        if d is not None:
            return d, False
        d = Department(organisation_id=org.id, name=name, kind=kind)
        session.add(d)
        existing.depts[name] = d
        return d, True

    seen_keys: dict[tuple, int] = {}
    pending = 0
    with session.no_autoflush:
        for index, cells in enumerate(_nonblank(rows), start=0):
            row_number, cells = cells
            report.rows += 1
            raw = {key: cells[i] if i < len(cells) else "" for i, key in cols.items()}
            row, errors = _validate(row_number, raw)
            if row is None:
                report.rejected.extend(errors)
            else:
                v = row.values
                if row.kind == "person":
                    key = ("person", v["name"], v.get("department"))
                elif row.kind == "common_number":
                    key = ("common", v["category"], v["name"])
                else:
                    key = ("department", v["name"])
                if key in seen_keys:
                    report.rejected.append(Rejection(row_number, "name",
                                                     f"same entry as row {seen_keys[key]}"))
                else:
                    seen_keys[key] = row_number
                    outcome = _write(session, org, row, department, existing)
                    setattr(report, outcome, getattr(report, outcome) + 1)
                    if outcome != "unchanged":
                        pending += 1
                    if pending >= FLUSH_EVERY:
                        session.flush()
                        pending = 0
            if progress:
                progress(index + 1)
    session.flush()
    if any(d.district != districts_before.get(name) for name, d in existing.depts.items()):
        # A district government named or changed (辖区): the dispatch model learns them together,
        # so it is retrained now rather than at night (services/dispatch/districts).
        model_state.retrain_soon(session, utcnow(), actor=actor, user_id=None)
    audit.record(session, actor=actor, action="import", entity="directory", entity_id=org.id,
                 detail={"file": Path(path).name, "rows": report.rows, "created": report.created,
                         "updated": report.updated, "rejected": len(report.rejected)})
    return report


def _nonblank(rows: list[list[str]]) -> Iterator[tuple[int, list[str]]]:
    for i, cells in enumerate(rows, start=2):
        if any(c for c in cells):
            yield i, cells


def count_rows(path: Path | str, data: bytes | None = None) -> int:
    _header, rows = read_rows(path, data)
    return sum(1 for _ in _nonblank(rows))


def _write(session: Session, org: Organisation, row: _Row, department, existing: _Existing) -> str:
    v = row.values
    if row.kind in ("department", "handling_unit"):
        dept, created = department(v["name"], row.kind)
        values = {"kind": row.kind}
        for src, dst in (("extension", "extension"), ("phone", "phone"), ("note", "duties"),
                         ("name_en", "name_en")):
            if v.get(src) is not None:
                values[dst] = v[src]
        if row.kind == "handling_unit" and v.get("district") is not None:
            values["district"] = v["district"]
        changed = _set(dept, values)
        return "created" if created else ("updated" if changed else "unchanged")
    if row.kind == "common_number":
        entry = existing.common.get((v["category"], v["name"]))
        created = entry is None
        if created:
            entry = CommonNumber(organisation_id=org.id, category=v["category"], name=v["name"],
                                 number=v["phone"])
            session.add(entry)
            existing.common[(v["category"], v["name"])] = entry
        changed = _set(entry, {"number": v["phone"], "note": v.get("note")})
        return "created" if created else ("updated" if changed else "unchanged")
    dept = department(v["department"])[0] if v.get("department") else None
    if dept is not None and dept.id is None:
        session.flush()  # a new department: its id (a few hundred a file at most)
    key = (v["name"], dept.id if dept else None)
    person = existing.people.get(key)
    created = person is None
    if created:
        person = Person(organisation_id=org.id, name=v["name"], department_id=dept.id if dept else None)
        if dept is not None:
            person.department = dept  # its search_text names the department (no query for it)
        session.add(person)
        existing.people[key] = person
    values: dict[str, Any] = {
        "title": v.get("title"), "extension": v.get("extension"), "mobile": v.get("mobile"),
        "pager": v.get("pager"), "office_phone": v.get("phone"),
    }
    if v.get("title_en") is not None:
        values["title_en"] = v["title_en"]
    if v.get("manager") is not None:
        values["is_manager"] = normalize(v["manager"]) in _TRUE
    elif created:
        values["is_manager"] = bool(v.get("title") and re.search(r"经理|总监|总经理|主任|董事", v["title"]))
    changed = _set(person, values)
    return "created" if created else ("updated" if changed else "unchanged")
