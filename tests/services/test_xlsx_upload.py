"""The one reader of uploaded XLSX workbooks (the roster's shifts, the catalogue's matters)."""

from __future__ import annotations

import io

import pytest
from openpyxl import Workbook

from zongji.errors import Invalid
from zongji.services import xlsx_upload

COLUMNS = {"工号": "number", "日期": "date"}


def _xlsx(*rows) -> bytes:
    wb = Workbook()
    for row in rows:
        wb.active.append(list(row))
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _open(data: bytes):
    return xlsx_upload.open_sheet(data, column_of=COLUMNS.get, required=("number", "date"), names="工号, 日期")


def test_columns_in_any_order_and_blank_rows_skipped():
    sheet = _open(_xlsx(["备注", "日期", "工号", "工号"], ["x", "2026-12-04", "1001", "ignored"], [None, "", " "],
                        [None, "2026-12-05", 1002]))
    rejected: list[dict] = []
    rows = [(r.number, r.get("number"), r.get("date"), r.get("nothing")) for r in sheet.rows(rejected)]
    assert rows == [(2, "1001", "2026-12-04", None), (4, 1002, "2026-12-05", None)]
    assert rejected == []


def test_past_the_most_rows_one_rejection_and_no_more_read():
    sheet = _open(_xlsx(["工号", "日期"], *[[str(i), "2026-12-04"] for i in range(5)]))
    rejected: list[dict] = []
    assert [r.get("number") for r in sheet.rows(rejected, max_rows=3)] == ["0", "1", "2"]
    assert rejected == [{"row": 5, "field": "file", "code": "too_many_rows", "reason": "at most 3 rows"}]


@pytest.mark.parametrize(("data", "says"), [
    (b"PK\x03\x04 not really a workbook", "not an XLSX workbook"),
    (_xlsx(["工号", "备注"]), "missing: date"),
    (b"x" * (xlsx_upload.MAX_UPLOAD_BYTES + 1), "larger than 2 MB"),
])
def test_a_file_that_cannot_be_read_is_refused_naming_it(data, says):
    with pytest.raises(Invalid) as refused:
        _open(data)
    assert refused.value.field == "file" and says in str(refused.value)


def test_an_upload_is_read_no_further_than_its_limit():
    stream = io.BytesIO(b"x" * 100)
    assert xlsx_upload.read_upload(io.BytesIO(b"x" * 10), max_bytes=10) == b"x" * 10
    with pytest.raises(Invalid) as refused:
        xlsx_upload.read_upload(stream, max_bytes=10)
    assert refused.value.field == "file" and stream.tell() == 11
