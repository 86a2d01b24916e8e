"""Reading an uploaded XLSX workbook of one row per record (the roster's shifts, the catalogue's
matters): the one place that reads the upload within its size, opens the first sheet, finds the
columns by the first row's headers (in any order) and walks the rows that are not blank.

What a row means is the caller's; refusals of the whole file name the field ``file`` (422), a
row's problems are reported by the caller row by row (``{"row", "field", "code", "reason"}``).
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, BinaryIO


from zongji.errors import Invalid

MAX_UPLOAD_BYTES = 2 * 1024 * 1024
MAX_ROWS = 5000


def read_upload(stream: BinaryIO, max_bytes: int = MAX_UPLOAD_BYTES) -> bytes:
    """The uploaded file's bytes, refused when larger than ``max_bytes`` (read no further)."""
    data = stream.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise Invalid(f"the workbook is larger than {max_bytes // (1024 * 1024)} MB", field="file")
    return data


def text(value: Any) -> str:
    """A cell as text, stripped; an empty cell is ``""``."""
    return "" if value is None else str(value).strip()


@dataclass(frozen=True)
class Row:
    number: int  # as the spreadsheet numbers it (the header is row 1)
    values: tuple[Any, ...]
    columns: dict[str, int]

    def get(self, column: str) -> Any:
        """The row's value in ``column`` (``None`` when empty or not in the sheet)."""
        i = self.columns.get(column)
        return self.values[i] if i is not None and i < len(self.values) else None


@dataclass
class Sheet:
    columns: dict[str, int]  # the caller's column name → its index
    _rows: Iterator[tuple[Any, ...]]

    def rows(self, rejected: list[dict[str, Any]], max_rows: int = MAX_ROWS) -> Iterator[Row]:
        """The rows after the header that are not blank; past ``max_rows`` one ``too_many_rows``
        rejection is added and the rest is not read."""
        for n, values in enumerate(self._rows, start=2):
            if n - 1 > max_rows:
                rejected.append({"row": n, "field": "file", "code": "too_many_rows", "reason": f"at most {max_rows} rows"})
                return
            if not values or all(text(v) == "" for v in values):
                continue
            yield Row(n, tuple(values), self.columns)


def open_sheet(data: bytes, *, column_of: Callable[[str], str | None], required: Sequence[str],
               names: str, max_bytes: int = MAX_UPLOAD_BYTES) -> Sheet:
    """The workbook's first sheet; ``column_of`` maps a header as written to the caller's column
    name (``None``: not one of them; the first header of a name wins). Refused (naming ``file``)
    when too large, not a workbook, or a ``required`` column is missing (``names``: the columns
    as the refusal lists them)."""
    from openpyxl import load_workbook  # imported when a workbook is read: not at start-up

    if len(data) > max_bytes:
        raise Invalid(f"the workbook is larger than {max_bytes // (1024 * 1024)} MB", field="file")
    try:
        ws = load_workbook(io.BytesIO(data), read_only=True, data_only=True).worksheets[0]
    except Exception:  # noqa: BLE001 - openpyxl raises many kinds for a file that is not a workbook
        raise Invalid("not an XLSX workbook", field="file") from None
    rows = ws.iter_rows(values_only=True)
    header = next(rows, None) or ()
    columns: dict[str, int] = {}
    for i, h in enumerate(header):
        name = column_of(text(h))
        if name is not None and name not in columns:
            columns[name] = i
    missing = [c for c in required if c not in columns]
    if missing:
        raise Invalid(f"the first row names the columns {names} (missing: {', '.join(missing)})", field="file")
    return Sheet(columns, rows)
