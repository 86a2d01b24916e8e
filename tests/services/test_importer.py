"""Importing the directory from spreadsheets (CSV in UTF-8/BOM/GBK, XLSX)."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import func, select

from zongji.errors import ZongjiError
from zongji.services import directory, importer
from zongji.store.models import CommonNumber, Department, Job, Organisation, Person

CSV_ZH = """类型,姓名,部门,职务,分机,手机,传呼,电话,类别,备注
人员,张伟,工程部,工程部经理,6401,+86 139 1111 2222,2001,,,
人员,曾晓东,前厅部,大堂副理,6102,139-1111-3333,,,,
部门,财务部,,,6960,,,020-8888 6690,,
常用电话,示例火车站问询处,,,,,,020-61357222,交通,问讯
人员,李四,工程部,技工,12,,,,,
人员,王五,工程部,技工,6405,not-a-phone,,,,
人员,,工程部,技工,6406,,,,,
"""


@pytest.fixture
def org(write):
    with write() as s:
        o = Organisation(code="acme", name="示例公司", kind="company")
        s.add(o)
        s.flush()
        return o.id


def _import(write, path: Path, org_id: int, progress=None):
    with write() as s:
        return importer.import_directory(s, path, organisation=s.get(Organisation, org_id),
                                         progress=progress)


def _counts(write):
    with write() as s:
        return tuple(s.scalar(select(func.count()).select_from(m)) for m in (Person, Department, CommonNumber))


def test_gbk_csv_imports_valid_rows_and_reports_rejected_ones(write, org, tmp_path):
    path = tmp_path / "通讯录.csv"
    path.write_bytes(CSV_ZH.encode("gbk"))
    done = []
    report = _import(write, path, org, progress=done.append)
    assert report.rows == 7 and report.created == 4
    assert report.lines() == [
        "row 6, extension: not an extension (3–5 digits)",
        "row 7, mobile: not a phone number",
        "row 8, name: required",
    ]
    assert done[-1] == 7
    with write() as s:
        zw = s.scalar(select(Person).where(Person.name == "张伟"))
        assert zw.mobile == "13911112222" and zw.extension == "6401" and zw.pager == "2001"
        assert zw.department.name == "工程部" and zw.is_manager
        assert s.scalar(select(Person).where(Person.name == "李四")) is None
        rail = s.scalar(select(CommonNumber).where(CommonNumber.name == "示例火车站问询处"))
        assert rail.number == "02061357222" and rail.category == "交通"
        # Imported records are searchable at once, by pinyin too.
        results = directory.search(s, "zengxiaodong", limit=5)
        assert results[0]["name"] == "曾晓东"


def test_reimport_updates_instead_of_duplicating(write, org, tmp_path):
    path = tmp_path / "dir.csv"
    path.write_bytes(CSV_ZH.encode("utf-8-sig"))
    _import(write, path, org)
    first = _counts(write)
    report = _import(write, path, org)
    assert report.created == 0 and report.unchanged == 4
    assert _counts(write) == first
    path.write_bytes(CSV_ZH.replace("6401", "6409").encode("utf-8"))
    report = _import(write, path, org)
    assert report.updated == 1 and _counts(write) == first
    with write() as s:
        assert s.scalar(select(Person.extension).where(Person.name == "张伟")) == "6409"


def test_xlsx_with_english_headers(write, org, tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["Kind", "Name", "Department", "Title", "Extension", "Mobile", "Phone", "Category", "Note"])
    ws.append(["person", "John Smith", "Sales", "Sales Manager", 6801, 13911114444, None, None, None])
    ws.append(["handling_unit", "市住建局", None, None, None, None, "020-83110000", None, "物业管理"])
    ws.append(["common", "Airport", None, None, None, None, "020-96158", "交通", None])
    ws.append(["robot", "R2D2", None, None, None, None, None, None, None])
    path = tmp_path / "dir.xlsx"
    wb.save(path)
    report = _import(write, path, org)
    assert report.created == 3
    assert report.lines() == ["row 5, kind: unknown kind 'robot'; use 人员/person, 部门/department, "
                              "承办单位/handling_unit or 常用电话/common"]
    with write() as s:
        js = s.scalar(select(Person).where(Person.name == "John Smith"))
        assert js.extension == "6801" and js.mobile == "13911114444"
        unit = s.scalar(select(Department).where(Department.name == "市住建局"))
        assert unit.kind == "handling_unit" and unit.duties == "物业管理"
        assert directory.search(s, "johnsmith", limit=5)[0]["name"] == "John Smith"


def test_file_without_name_column_is_refused(write, org, tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("foo,bar\n1,2\n", encoding="utf-8")
    with pytest.raises(ZongjiError) as exc:
        _import(write, path, org)
    assert exc.value.field == "file"


def test_cli_import_directory(tmp_path, settings, org, monkeypatch):
    from typer.testing import CliRunner

    from zongji.cli import app
    from zongji.settings import get_settings

    path = tmp_path / "dir.csv"
    path.write_bytes(CSV_ZH.encode("gbk"))
    monkeypatch.setenv("ZONGJI_DATABASE_URL", settings.resolved_database_url)
    get_settings.cache_clear()
    try:
        result = CliRunner().invoke(app, ["import", "directory", str(path), "--org", "acme"])
    finally:
        get_settings.cache_clear()
    assert result.exit_code == 1, result.output  # some rows were rejected
    assert "4 created" in result.output
    assert "row 7, mobile: not a phone number" in result.output


def test_a_cell_of_megabytes_is_refused_naming_its_line_without_a_traceback(tmp_path, settings, org, monkeypatch):
    """Issue 12, point 5: a 2 MB field in a directory CSV ended the import with a traceback."""
    from typer.testing import CliRunner

    from zongji.cli import app
    from zongji.settings import get_settings

    path = tmp_path / "huge.csv"
    path.write_text("姓名,部门,分机\n张三,客房部,6001\n李四," + "长" * 2_000_000 + ",6002\n", encoding="utf-8")
    monkeypatch.setenv("ZONGJI_DATABASE_URL", settings.resolved_database_url)
    get_settings.cache_clear()
    try:
        result = CliRunner().invoke(app, ["import", "directory", str(path), "--org", "acme"])
    finally:
        get_settings.cache_clear()
    assert result.exit_code == 2, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert "line 3" in result.output and "Traceback" not in result.output


def test_a_handling_units_district_is_imported(write, org, tmp_path):
    # 辖区: the district whose government a handling unit is (the dispatch suggestion's 属地).
    path = tmp_path / "units.csv"
    path.write_text("类型,名称,电话,辖区\n承办单位,示例东区人民政府,020-83100000,东区\n"
                    "承办单位,市住建局,020-83110000,\n部门,办公室,,西区\n"
                    f"承办单位,示例西区人民政府,,{'区' * 41}\n", encoding="utf-8")
    report = _import(write, path, org)
    assert report.imported == 3
    assert [(r.row, r.field) for r in report.rejected] == [(5, "district")]
    with write() as s:
        got = {d.name: d.district for d in s.scalars(select(Department))}
    assert got == {"示例东区人民政府": "东区", "市住建局": None, "办公室": None}
    # A district government named: the dispatch model is retrained now; the same file again
    # changes nothing and asks for nothing.
    retrainings = lambda: len(s.scalars(select(Job).where(Job.kind == "dispatch.retrain")).all())  # noqa: E731
    with write() as s:
        assert retrainings() == 1
    _import(write, path, org)
    with write() as s:
        assert retrainings() == 1
