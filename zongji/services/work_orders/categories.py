"""The category tree of work orders: the active categories, a code's check, the import."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from zongji.services import audit
from zongji.errors import Invalid
from zongji.store.models import Department
from zongji.store.work_order_models import WorkOrderCategory


def categories(session: Session) -> list[WorkOrderCategory]:
    return list(session.scalars(select(WorkOrderCategory).where(WorkOrderCategory.active.is_(True))
                                .order_by(WorkOrderCategory.sort, WorkOrderCategory.code)))


def category_out(c: WorkOrderCategory) -> dict[str, Any]:
    return {"code": c.code, "parent_code": c.parent_code, "name_zh": c.name_zh, "name_en": c.name_en,
            "default_unit_id": c.default_unit_id, "depth": c.code.count("/")}


def check_category(session: Session, code: str | None, field_name: str = "category") -> str | None:
    if not code:
        return None
    if session.scalar(select(WorkOrderCategory.id).where(WorkOrderCategory.code == code)) is None:
        raise Invalid(f"unknown category {code!r}", field=field_name)
    return code


def import_categories(session: Session, rows: Iterable[Mapping[str, Any]], *, actor: str, user_id: int | None) -> int:
    """Import a category tree: rows ``{code, name_zh, name_en?, unit?}`` with ``code`` a path
    (``city/street_lights``); parents are created if missing; existing codes are updated."""
    n = 0
    units = {d.name: d.id for d in session.scalars(select(Department))}
    for i, r in enumerate(rows, 1):
        code = str(r.get("code") or "").strip().strip("/")
        name = str(r.get("name_zh") or r.get("name") or "").strip()
        if not code or not name:
            raise Invalid(f"row {i}: code and name_zh are required", field=f"rows.{i}")
        if len(code) > 200 or any(not p for p in code.split("/")):
            raise Invalid(f"row {i}: bad code {code!r}", field=f"rows.{i}.code")
        unit_name = str(r.get("unit") or "").strip()
        if unit_name and unit_name not in units:
            raise Invalid(f"row {i}: unknown unit {unit_name!r}", field=f"rows.{i}.unit")
        parts = code.split("/")
        for depth in range(1, len(parts)):
            pc = "/".join(parts[:depth])
            if session.scalar(select(WorkOrderCategory.id).where(WorkOrderCategory.code == pc)) is None:
                session.add(WorkOrderCategory(code=pc, parent_code="/".join(parts[: depth - 1]) or None,
                                              name_zh=parts[depth - 1], sort=i))
                session.flush()
        row = session.scalar(select(WorkOrderCategory).where(WorkOrderCategory.code == code))
        if row is None:
            row = WorkOrderCategory(code=code)
            session.add(row)
        row.parent_code = "/".join(parts[:-1]) or None
        row.name_zh = name[:100]
        row.name_en = (str(r.get("name_en") or "").strip() or None)
        row.default_unit_id = units.get(unit_name) if unit_name else row.default_unit_id
        row.sort = int(r.get("sort") or i)
        row.active = True
        session.flush()
        n += 1
    audit.record(session, actor=actor, user_id=user_id, action="import", entity="work_order_category",
                 detail={"rows": n})
    return n
