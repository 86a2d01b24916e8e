"""Matters of the catalogue: list, read, create, update, deactivate (audited; R-P12).

A matter names the responsible unit (a handling unit of the same organisation), the assisting
units, the basis, examples, keywords and optionally a work-order category. ``search_terms`` is
kept with every save: the analyser's terms of matter, keywords and examples.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from zongji.domain.chinese_text import Analyzer, term_text
from zongji.errors import Conflict, Invalid, NotFound
from zongji.services import audit
from zongji.services.catalogue.access import check_editor, hotline_organisation
from zongji.services.catalogue.synonyms import analyzer
from zongji.store.catalogue_models import CatalogueMatter
from zongji.store.models import Department, User, utcnow
from zongji.store.work_order_models import WorkOrderCategory

MAX_LIST = 2000


def units_of(session: Session, organisation_id: int) -> dict[int, Department]:
    """The handling units of an organisation, by id."""
    return {d.id: d for d in session.scalars(select(Department).where(Department.organisation_id == organisation_id))}


def unit_out(unit: Department | None) -> dict[str, Any] | None:
    if unit is None:
        return None
    return {"id": unit.id, "name": unit.name, "phone": unit.phone, "extension": unit.extension}


def out(row: CatalogueMatter, units: dict[int, Department]) -> dict[str, Any]:
    return {
        "id": row.id, "matter": row.matter, "unit": unit_out(units.get(row.unit_id)),
        "assisting": [{"id": u.id, "name": u.name} for u in (units.get(i) for i in row.assisting_unit_ids or ())
                      if u is not None],
        "basis": row.basis or "", "examples": list(row.examples or []), "keywords": list(row.keywords or []),
        "category": row.category, "active": row.active,
        "updated_at": row.updated_at.isoformat() if row.updated_at else None, "updated_by": row.updated_by,
    }


def index_terms(session: Session, row: CatalogueMatter, ana: Analyzer | None = None) -> str:
    """The row's ``search_terms``, with the centre's analyser (its words plus the row's own)."""
    if ana is None:
        own = frozenset({row.matter, *(str(k) for k in row.keywords or ())})
        ana = analyzer(session, row.organisation_id, own)
    text = "\n".join([row.matter, *(row.keywords or []), *(row.examples or [])])
    return term_text(ana.terms(text))


def listing(session: Session, viewer: User, *, active: bool | None = None) -> list[dict[str, Any]]:
    org = hotline_organisation(session, viewer)
    query = select(CatalogueMatter).where(CatalogueMatter.organisation_id == org.id)
    if active is not None:
        query = query.where(CatalogueMatter.active.is_(active))
    units = units_of(session, org.id)
    return [out(r, units) for r in session.scalars(query.order_by(CatalogueMatter.matter).limit(MAX_LIST))]


def unit_choices(session: Session, viewer: User) -> list[dict[str, Any]]:
    """The units a matter may name (the hotline's departments and handling units), by name."""
    org = hotline_organisation(session, viewer)
    return sorted((unit_out(u) for u in units_of(session, org.id).values()), key=lambda u: u["name"])


def _row(session: Session, org_id: int, matter_id: int) -> CatalogueMatter:
    row = session.get(CatalogueMatter, matter_id)
    if row is None or row.organisation_id != org_id:
        raise NotFound("no such matter in your catalogue", field="matter_id")
    return row


def get(session: Session, viewer: User, matter_id: int) -> dict[str, Any]:
    org = hotline_organisation(session, viewer)
    return out(_row(session, org.id, matter_id), units_of(session, org.id))


def category_exists(session: Session, code: str) -> bool:
    return session.scalar(select(WorkOrderCategory.id).where(WorkOrderCategory.code == code)) is not None


def _clean_list(values: Any) -> list[str]:
    seen: dict[str, None] = {}
    for v in values or ():
        text = str(v).strip()
        if text:
            seen.setdefault(text, None)
    return list(seen)


def apply(session: Session, row: CatalogueMatter, data: dict[str, Any], units: dict[int, Department]) -> None:
    """Check and copy ``data`` onto ``row`` (Invalid names the field); search_terms refreshed."""
    if "matter" in data and data["matter"] is not None:
        name = str(data["matter"]).strip()
        if not name:
            raise Invalid("the matter needs a name", field="matter")
        row.matter = name
    if "unit_id" in data and data["unit_id"] is not None:
        if data["unit_id"] not in units:
            raise Invalid("not a unit of your hotline", field="unit_id")
        row.unit_id = data["unit_id"]
    if "assisting_unit_ids" in data and data["assisting_unit_ids"] is not None:
        ids = list(dict.fromkeys(data["assisting_unit_ids"]))
        if any(i not in units for i in ids):
            raise Invalid("not a unit of your hotline", field="assisting_unit_ids")
        row.assisting_unit_ids = ids
    # The responsible unit is not also one of its assisting units.
    row.assisting_unit_ids = [i for i in row.assisting_unit_ids or () if i != row.unit_id]
    for key in ("examples", "keywords"):
        if key in data and data[key] is not None:
            setattr(row, key, _clean_list(data[key]))
    if "basis" in data and data["basis"] is not None:
        row.basis = str(data["basis"]).strip()
    if "category" in data:
        code = (data["category"] or "").strip() or None
        if code is not None and not category_exists(session, code):
            raise Invalid("no such work-order category", field="category")
        row.category = code
    if "active" in data and data["active"] is not None:
        row.active = bool(data["active"])
    row.search_terms = index_terms(session, row)


def _check_unique(session: Session, row: CatalogueMatter) -> None:
    other = session.scalar(select(CatalogueMatter.id).where(CatalogueMatter.organisation_id == row.organisation_id,
                                                             CatalogueMatter.matter == row.matter))
    if other is not None and other != row.id:
        raise Conflict("a matter of this name is in the catalogue already", field="matter")


def _stamp(row: CatalogueMatter, viewer: User) -> None:
    row.updated_at = utcnow()
    row.updated_by = viewer.username


def create(session: Session, viewer: User, data: dict[str, Any]) -> dict[str, Any]:
    check_editor(viewer)
    org = hotline_organisation(session, viewer)
    units = units_of(session, org.id)
    if data.get("unit_id") is None:
        raise Invalid("the responsible unit is needed", field="unit_id")
    row = CatalogueMatter(organisation_id=org.id, matter="", unit_id=0, assisting_unit_ids=[], basis="",
                          examples=[], keywords=[], category=None, active=True, search_terms="")
    apply(session, row, data, units)
    if not row.matter:
        raise Invalid("the matter needs a name", field="matter")
    _check_unique(session, row)
    _stamp(row, viewer)
    session.add(row)
    session.flush()
    result = out(row, units)
    audit.record(session, actor=f"user:{viewer.username}", user_id=viewer.id, action="add",
                 entity="catalogue_matter", entity_id=row.id, detail=result)
    return result


def update(session: Session, viewer: User, matter_id: int, data: dict[str, Any]) -> dict[str, Any]:
    check_editor(viewer)
    org = hotline_organisation(session, viewer)
    row = _row(session, org.id, matter_id)
    units = units_of(session, org.id)
    # Checked before anything is flushed: a clashing name is a 409, not a failed UPDATE.
    with session.no_autoflush:
        apply(session, row, data, units)
        _check_unique(session, row)
    _stamp(row, viewer)
    session.flush()
    result = out(row, units)
    audit.record(session, actor=f"user:{viewer.username}", user_id=viewer.id, action="update",
                 entity="catalogue_matter", entity_id=row.id, detail=result)
    return result


def deactivate(session: Session, viewer: User, matter_id: int) -> dict[str, Any]:
    """A matter is never deleted (orders and suggestions may name it): it is made inactive."""
    check_editor(viewer)
    org = hotline_organisation(session, viewer)
    row = _row(session, org.id, matter_id)
    row.active = False
    _stamp(row, viewer)
    session.flush()
    audit.record(session, actor=f"user:{viewer.username}", user_id=viewer.id, action="deactivate",
                 entity="catalogue_matter", entity_id=row.id, detail={"matter": row.matter})
    return out(row, units_of(session, org.id))
