"""The catalogue as an XLSX workbook: import with a row-by-row report, and export.

Column layout (first sheet, first row the headers, in any order; export writes this order):

=========  ==============================================================
事项        the matter's name (required; a matter of the same name is updated)
主办单位     the responsible unit, by name (required; a unit of the hotline)
协办单位     assisting units, separated by 、(or , ， ; ；)
依据        the basis (regulation, article)
示例        examples of what callers say, one per line
关键词       keywords, separated by 、(or , ， ; ；)
分类代码     a work-order category code (``city/stray_dogs``), or empty
=========  ==============================================================

Every rejected row is reported with its row number, column and reason; the accepted rows are
saved in the caller's one transaction.
"""

from __future__ import annotations

import io
import re
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from zongji.services import audit, xlsx_upload
from zongji.services.catalogue.access import check_editor, hotline_organisation
from zongji.services.catalogue.matters import index_terms, units_of
from zongji.services.catalogue.synonyms import analyzer
from zongji.store.catalogue_models import CatalogueMatter
from zongji.store.models import User, utcnow
from zongji.store.work_order_models import WorkOrderCategory

COLUMNS = ("事项", "主办单位", "协办单位", "依据", "示例", "关键词", "分类代码")
REQUIRED = ("事项", "主办单位")
MAX_UPLOAD_BYTES = xlsx_upload.MAX_UPLOAD_BYTES
MAX_ROWS = xlsx_upload.MAX_ROWS
_LIST_SEP = re.compile(r"[、,，;；\n]+")
_LIMITS = {"事项": 200, "分类代码": 100, "依据": 5000}


_text = xlsx_upload.text


def _column_of(header: str) -> str | None:
    name = re.sub(r"[(（].*$", "", header)  # 协办单位(、分隔) → 协办单位
    return name if name in COLUMNS else None


def _split(v: Any, sep: re.Pattern[str] = _LIST_SEP) -> list[str]:
    return list(dict.fromkeys(p.strip() for p in sep.split(_text(v)) if p.strip()))


def import_xlsx(session: Session, viewer: User, data: bytes) -> dict[str, Any]:
    """Import a workbook: ``{"added", "updated", "rejected": [{"row", "field", "code", "reason"}]}``."""
    check_editor(viewer)
    org = hotline_organisation(session, viewer)
    sheet = xlsx_upload.open_sheet(data, column_of=_column_of, required=REQUIRED, names="、".join(COLUMNS))
    units = units_of(session, org.id)
    by_name = {u.name: u for u in units.values()}
    categories = set(session.scalars(select(WorkOrderCategory.code)))
    existing = {r.matter: r for r in session.scalars(select(CatalogueMatter)
                                                     .where(CatalogueMatter.organisation_id == org.id))}
    seen: dict[str, int] = {}
    accepted: list[tuple[int, dict[str, Any]]] = []
    rejected: list[dict[str, Any]] = []

    def reject(n: int, field: str, code: str, reason: str) -> None:
        rejected.append({"row": n, "field": field, "code": code, "reason": reason})

    for row in sheet.rows(rejected, MAX_ROWS):
        n, cell = row.number, row.get
        matter = _text(cell("事项"))
        if not matter:
            reject(n, "事项", "empty_matter", "the matter is empty")
            continue
        too_long = next((c for c, m in _LIMITS.items() if len(_text(cell(c))) > m), None)
        if too_long:
            reject(n, too_long, "too_long", f"at most {_LIMITS[too_long]} characters")
            continue
        if matter in seen:
            reject(n, "事项", "duplicate", f"the same matter as row {seen[matter]}")
            continue
        seen[matter] = n
        unit = by_name.get(_text(cell("主办单位")))
        if unit is None:
            reject(n, "主办单位", "unknown_unit", f"no unit named {_text(cell('主办单位'))!r} at the hotline")
            continue
        assisting, unknown = [], []
        for name in _split(cell("协办单位")):
            (assisting if name in by_name else unknown).append(name)
        if unknown:
            reject(n, "协办单位", "unknown_unit", f"no unit named {'、'.join(unknown)} at the hotline")
            continue
        category = _text(cell("分类代码")) or None
        if category is not None and category not in categories:
            reject(n, "分类代码", "unknown_category", f"no work-order category {category!r}")
            continue
        accepted.append((n, {
            "matter": matter, "unit_id": unit.id,
            "assisting_unit_ids": [by_name[a].id for a in assisting if by_name[a].id != unit.id],
            "basis": _text(cell("依据")), "examples": _split(cell("示例"), re.compile(r"[\r\n]+")),
            "keywords": _split(cell("关键词")), "category": category,
        }))
    added = updated = 0
    now = utcnow()
    for _, values in accepted:
        row = existing.get(values["matter"])
        if row is None:
            row = CatalogueMatter(organisation_id=org.id, active=True, **values)
            session.add(row)
            added += 1
        else:
            for key, value in values.items():
                setattr(row, key, value)
            row.active = True
            updated += 1
        row.updated_at, row.updated_by = now, viewer.username
    session.flush()
    # The segmenter learns the new matter names and keywords: every matter is indexed again.
    ana = analyzer(session, org.id)
    for row in session.scalars(select(CatalogueMatter).where(CatalogueMatter.organisation_id == org.id)):
        row.search_terms = index_terms(session, row, ana)
    session.flush()
    audit.record(session, actor=f"user:{viewer.username}", user_id=viewer.id, action="import",
                 entity="catalogue_matter", detail={"added": added, "updated": updated, "rejected": len(rejected)})
    return {"added": added, "updated": updated, "rejected": rejected}


def _clean(text: str) -> str:
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    return ILLEGAL_CHARACTERS_RE.sub("", text)


def export_xlsx(session: Session, viewer: User) -> bytes:
    """The organisation's catalogue (active and inactive matters) in the import's layout."""
    from openpyxl import Workbook  # imported when a workbook is made: not at start-up
    from openpyxl.styles import Alignment, Font

    org = hotline_organisation(session, viewer)
    units = units_of(session, org.id)
    wb = Workbook()
    ws = wb.active
    ws.title = "事项清单"
    ws.append(list(COLUMNS))
    for c in ws[1]:
        c.font = Font(bold=True)
    for row in session.scalars(select(CatalogueMatter).where(CatalogueMatter.organisation_id == org.id)
                               .order_by(CatalogueMatter.matter)):
        unit = units.get(row.unit_id)
        ws.append([_clean(x) for x in (
            row.matter, unit.name if unit else "",
            "、".join(units[i].name for i in row.assisting_unit_ids or () if i in units),
            row.basis or "", "\n".join(row.examples or []), "、".join(row.keywords or []), row.category or "")])
    for col, width in zip("ABCDEFG", (24, 18, 24, 50, 40, 30, 24), strict=True):
        ws.column_dimensions[col].width = width
    for cells in ws.iter_rows(min_row=2, min_col=5, max_col=5):
        for c in cells:
            c.alignment = Alignment(wrap_text=True, vertical="top")
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
