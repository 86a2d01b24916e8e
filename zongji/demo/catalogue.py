"""The demo centre's responsibility catalogue (issue 11, point 2): 113 matters of the 12345 hotline
from ``content/matters.json`` (matter, unit, assisting units, basis, examples, keywords, category).
Loaded after the hotline's units and the category tree; a matter already there is left alone."""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from zongji.services.catalogue.matters import index_terms
from zongji.services.catalogue.synonyms import analyzer
from zongji.store.catalogue_models import CatalogueMatter
from zongji.store.models import Department
from zongji.store.work_order_models import WorkOrderCategory

MATTERS_FILE = Path(__file__).with_name("content") / "matters.json"


def load(session: Session, *, hotline_org_id: int) -> int:
    """Add the demo matters missing from the catalogue; the number added."""
    units = {d.name: d.id for d in session.scalars(select(Department).where(
        Department.organisation_id == hotline_org_id))}
    categories = set(session.scalars(select(WorkOrderCategory.code)))
    have = set(session.scalars(select(CatalogueMatter.matter).where(
        CatalogueMatter.organisation_id == hotline_org_id)))
    added: list[CatalogueMatter] = []
    for m in json.loads(MATTERS_FILE.read_text(encoding="utf-8")):
        if m["matter"] in have or m["unit"] not in units:
            continue
        row = CatalogueMatter(
            organisation_id=hotline_org_id, matter=m["matter"], unit_id=units[m["unit"]],
            assisting_unit_ids=[units[a] for a in m.get("assisting", []) if a in units],
            basis=m.get("basis", ""), examples=list(m.get("examples", [])), keywords=list(m.get("keywords", [])),
            category=m.get("category") if m.get("category") in categories else None,
            active=True, search_terms="", updated_by="demo")
        session.add(row)
        added.append(row)
    if added:
        session.flush()
        ana = analyzer(session, hotline_org_id)
        for row in session.scalars(select(CatalogueMatter).where(CatalogueMatter.organisation_id == hotline_org_id)):
            row.search_terms = index_terms(session, row, ana)
        session.flush()
    return len(added)
