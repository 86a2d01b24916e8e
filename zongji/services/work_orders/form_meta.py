"""What the forms need: types per line kind, guidance, units, lines, categories, the vocabularies."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from zongji.domain.work_orders.guidance import GUIDANCE, Guidance, guidance_table
from zongji.domain.work_orders.words import (
    CallbackOutcome,
    CallbackProblem,
    Complexity,
    LinkKind,
    OrderType,
    Status,
    Urgency,
    order_types_for_line,
)
from zongji.services.work_orders.categories import categories, category_out
from zongji.services.work_orders.visibility import Viewer
from zongji.store.models import Department, Line


def guidance_out(g: Guidance) -> dict[str, Any]:
    return {
        "order_type": str(g.order_type), "situation": g.situation, "situation_zh": g.situation_zh,
        "handlings": [str(h) for h in g.handlings], "required_fields": list(g.required_fields),
        "referrals": [{"key": r.key, "name_zh": r.name_zh, "name_en": r.name_en, "number": r.number}
                      for r in g.referral_entries()],
        "closes_directly": g.closes_directly, "hint_zh": g.hint_zh, "hint_en": g.hint_en,
        "complexity": str(g.complexity) if g.complexity else None,
    }


def meta(session: Session, viewer: Viewer) -> dict[str, Any]:
    """What the forms need: types per line kind, guidance, units, categories, enums."""
    units = session.scalars(select(Department).where(Department.kind == "handling_unit").order_by(Department.id)).all()
    lines = session.scalars(select(Line).order_by(Line.code)).all()
    return {
        "order_types": [str(t) for t in OrderType],
        "types_by_line_kind": {k: [str(t) for t in order_types_for_line(k)]
                               for k in ("hotline_12345", "hotline_400", "switchboard")},
        "guidance": {str(t): [guidance_out(g) for g in GUIDANCE[t]] for t in OrderType},
        # Each line kind's own situations: a 400 complaint has the company's (R-S8, R-S10).
        "guidance_by_line_kind": {k: {str(t): [guidance_out(g) for g in gs] for t, gs in guidance_table(k).items()}
                                  for k in ("hotline_12345", "hotline_400", "switchboard")},
        "urgencies": [str(u) for u in Urgency],
        "complexities": [str(c) for c in Complexity],
        "statuses": [str(s) for s in Status],
        "callback_outcomes": [str(o) for o in CallbackOutcome],
        "callback_problems": [str(p) for p in CallbackProblem],
        "link_kinds": [str(k) for k in LinkKind],
        "units": [{"id": u.id, "name": u.name, "duties": u.duties, "phone": u.phone} for u in units],
        "lines": [{"code": ln.code, "name": ln.name, "kind": ln.kind} for ln in lines],
        "categories": [category_out(c) for c in categories(session)],
        "me": {"role": viewer.role, "unit_id": viewer.unit_id,
               "unit_name": (session.get(Department, viewer.unit_id).name if viewer.unit_id else None)},
    }
