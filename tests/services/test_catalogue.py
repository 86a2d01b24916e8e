"""The responsibility catalogue (issue 11, point 2; R-P12): the demo's 113 matters, search with
what callers say, editing, and the XLSX import's row-by-row report."""

from __future__ import annotations

import io

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select

from zongji.demo.data import load_demo
from zongji.errors import Conflict, Forbidden, Invalid
from zongji.services.catalogue import matters, search, workbook
from zongji.store.catalogue_models import CatalogueMatter
from zongji.store.models import AuditEntry, Department, User


def _user(s, username: str) -> User:
    return s.scalar(select(User).where(User.username == username))



@pytest.mark.parametrize(("said", "matter"), [
    ("小区门口野狗", "流浪犬只收容"),
    ("樓下的路燈壞了，晚上黑漆漆的", "路灯不亮维修"),
    ("人行道井盖没了", "井盖缺失松动"),
    ("ljql", None),  # pinyin initials alone: no crash, whatever ranks
])
def test_callers_words_find_the_responsible_matter_first(demo, write, said, matter):
    with write() as s:
        assert s.scalar(select(func.count()).select_from(CatalogueMatter)) == 113
        found = search.search(s, _user(s, "hotline"), said, limit=3)
        if matter is not None:
            assert found and found[0]["matter"] == matter, [f["matter"] for f in found]
            assert found[0]["unit"]["name"] and found[0]["unit"]["phone"]
            assert found[0]["score"] > 0


def test_the_demo_catalogue_is_loaded_once_with_assisting_units(demo, write, settings):
    with write() as s:
        load_demo(s, settings)
        assert s.scalar(select(func.count()).select_from(CatalogueMatter)) == 113
        dogs = search.search(s, _user(s, "hotline"), "流浪狗", limit=1)[0]
        with pytest.raises(Forbidden):  # the hotel's operator works for no city hotline
            search.search(s, _user(s, "operator"), "流浪狗")
        assert [a["name"] for a in dogs["assisting"]] == ["市公安局"]
        assert dogs["category"] == "city/stray_dogs"


def test_the_office_edits_an_operator_only_reads(demo, write):
    with write() as s:
        office, operator = _user(s, "supervisor"), _user(s, "hotline")
        unit = s.scalar(select(Department.id).where(Department.name == "市住建局"))
        with pytest.raises(Forbidden):
            matters.create(s, operator, {"matter": "电梯困人", "unit_id": unit})
        with pytest.raises(Invalid) as bad:
            matters.create(s, office, {"matter": "  ", "unit_id": unit})
        assert bad.value.field == "matter"
        with pytest.raises(Invalid) as bad:
            matters.create(s, office, {"matter": "某事", "unit_id": unit, "category": "no/such"})
        assert bad.value.field == "category"
        with pytest.raises(Conflict):
            matters.create(s, office, {"matter": "流浪犬只收容", "unit_id": unit})
        made = matters.create(s, office, {"matter": "加装电梯补贴", "unit_id": unit,
                                          "keywords": ["加装电梯", "补贴"], "examples": ["老楼想装电梯有没有补贴"]})
    with write() as s:
        office = _user(s, "supervisor")
        assert search.search(s, office, "老楼装电梯补贴", limit=1)[0]["id"] == made["id"]
        matters.deactivate(s, office, made["id"])
        assert all(m["id"] != made["id"] for m in search.search(s, office, "老楼装电梯补贴"))
        assert s.scalar(select(func.count()).select_from(AuditEntry)
                        .where(AuditEntry.entity == "catalogue_matter")) == 2


def _xlsx(rows: list[list[object]], header=workbook.COLUMNS) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.append(list(header))
    for r in rows:
        ws.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def test_the_import_saves_good_rows_and_reports_every_bad_one(demo, write):
    data = _xlsx([
        ["新增事项：共享单车乱停", "市城管局", "市公安局、市交通运输局", "某办法", "单车堵门口\n单车倒一地",
         "共享单车、乱停", ""],
        ["", "市城管局", "", "", "", "", ""],                          # 3: empty matter
        ["某事项", "不存在局", "", "", "", "", ""],                      # 4: unknown unit
        ["新增事项：共享单车乱停", "市城管局", "", "", "", "", ""],        # 5: duplicate of row 2
        ["另一事项", "市城管局", "无此单位", "", "", "", ""],              # 6: unknown assisting unit
        ["又一事项", "市城管局", "", "", "", "", "no/such"],              # 7: unknown category
        ["流浪犬只收容", "市公安局", "", "改过的依据", "", "流浪狗", "city/stray_dogs"],  # updates
        [None, None, None, None, None, None, None],                     # blank: skipped
    ])
    with write() as s:
        report = workbook.import_xlsx(s, _user(s, "admin"), data)
    assert (report["added"], report["updated"]) == (1, 1)
    assert [(r["row"], r["field"], r["code"]) for r in report["rejected"]] == [
        (3, "事项", "empty_matter"), (4, "主办单位", "unknown_unit"), (5, "事项", "duplicate"),
        (6, "协办单位", "unknown_unit"), (7, "分类代码", "unknown_category")]
    with write() as s:
        hotline = _user(s, "hotline")
        bikes = search.search(s, hotline, "单车堵在门口", limit=1)[0]
        assert bikes["matter"] == "新增事项：共享单车乱停"
        assert [a["name"] for a in bikes["assisting"]] == ["市公安局", "市交通运输局"]
        assert bikes["examples"] == ["单车堵门口", "单车倒一地"]
        dogs = search.search(s, hotline, "野狗", limit=1)[0]
        assert (dogs["unit"]["name"], dogs["basis"]) == ("市公安局", "改过的依据")
        exported = workbook.export_xlsx(s, hotline)
    ws = load_workbook(io.BytesIO(exported)).active
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0] == workbook.COLUMNS and len(rows) == 1 + 114
    row = next(r for r in rows if r[0] == "新增事项：共享单车乱停")
    assert row[2] == "市公安局、市交通运输局" and row[4] == "单车堵门口\n单车倒一地"
    # The export imports again unchanged: every row an update, none rejected.
    with write() as s:
        again = workbook.import_xlsx(s, _user(s, "admin"), exported)
    assert (again["added"], again["updated"], again["rejected"]) == (0, 114, [])


def test_a_file_that_is_not_a_workbook_or_lacks_columns_names_the_file(demo, write):
    with write() as s:
        admin = _user(s, "admin")
        for data in (b"not a workbook", _xlsx([["x"]], header=("名称",)), b"x" * (workbook.MAX_UPLOAD_BYTES + 1)):
            with pytest.raises(Invalid) as bad:
                workbook.import_xlsx(s, admin, data)
            assert bad.value.field == "file"
