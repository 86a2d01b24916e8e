"""The top units for an order or a draft, with their reasons (issue 11, point 5).

Each process keeps the model of the centre's current revision in memory: a suggestion reads
one row (the revision) and sums a few hundred weights, so the form and the queue can ask as
the operator types. A centre whose model was never trained gets one built from its catalogue
at first use (a new centre: the catalogue alone), kept until the worker's first training.
"""

from __future__ import annotations

import datetime as dt
import threading
import weakref
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from zongji.domain.chinese_text import Analyzer
from zongji.domain.catalogue.ranking import Ranking
from zongji.domain.dispatch.catalogue_match import CatalogueIndex, MatterWords, order_words
from zongji.domain.dispatch.features import order_features
from zongji.domain.dispatch.model import Model
from zongji.services.dispatch import acceptance, centre, training
from zongji.services.work_orders.visibility import Viewer, get_visible
from zongji.settings import Settings
from zongji.store.catalogue_models import CatalogueMatter, DispatchModelState
from zongji.store.models import Department, Organisation
from zongji.store.work_order_models import WorkOrder, WorkOrderCategory

SIMILAR_ORDERS_SCANNED = 300  # the unit's latest orders looked at for similar ones
SIMILAR_ORDERS_SHOWN = 2
WORDS_CACHED = 20_000  # texts (past orders, matters) whose words each analyser keeps


@dataclass(frozen=True)
class _Loaded:
    key: tuple[int, int]  # (revision, catalogue size) — a never-trained model follows catalogue edits
    model: Model


@dataclass(frozen=True)
class _Index:
    key: tuple  # (analyser, active matters, last edit): rebuilt when the catalogue or synonyms change
    index: CatalogueIndex


# Per database (engine) of this process, per centre: the model of the revision last read.
_cache: "weakref.WeakKeyDictionary[object, dict[int, _Loaded]]" = weakref.WeakKeyDictionary()
# Per analyser (the catalogue's, ``services/catalogue/synonyms``): the words of the texts a
# suggestion compares with (the unit's latest orders, its matters), so that the ~300 past orders
# looked at for similar ones are segmented once, not at every suggestion. Keyed by the text, so
# an edited order is segmented again; a new analyser (synonyms changed) starts afresh.
_words: "weakref.WeakKeyDictionary[Analyzer, OrderedDict[str, frozenset[str]]]" = weakref.WeakKeyDictionary()
# Per database (engine), per centre: the catalogue's words for the catalogue match.
_indexes: "weakref.WeakKeyDictionary[object, dict[int, _Index]]" = weakref.WeakKeyDictionary()
_lock = threading.Lock()


def model_for(session: Session, org: Organisation, settings: Settings) -> tuple[Model, Analyzer, int]:
    """The centre's model of its current revision, its analyser and the revision."""
    analyzer = training.analyzer_for(session, org)
    state = session.get(DispatchModelState, org.id)
    revision = state.revision if state is not None else 0
    size = 0
    if revision == 0:
        size = session.scalar(select(func.count()).select_from(CatalogueMatter).where(
            CatalogueMatter.organisation_id == org.id, CatalogueMatter.active.is_(True))) or 0
    key = (revision, size)
    engine = session.get_bind()
    with _lock:
        hit = _cache.get(engine, {}).get(org.id)
        if hit is not None and hit.key == key:
            return hit.model, analyzer, revision
    if revision == 0:
        model, _analyzer, _ = training.fit(session, org, orders=0, epochs=settings.dispatch_training_epochs)
    else:
        model = training.stored_model(session, org)
    with _lock:
        _cache.setdefault(engine, {})[org.id] = _Loaded(key, model)
    return model, analyzer, revision


def catalogue_index(session: Session, org: Organisation, analyzer: Analyzer, settings: Settings) -> CatalogueIndex:
    """The centre's active matters as words (``domain/dispatch/catalogue_match``), built once per
    catalogue state and analyser."""
    active = (CatalogueMatter.organisation_id == org.id, CatalogueMatter.active.is_(True))
    count, last = session.execute(select(func.count(), func.max(CatalogueMatter.updated_at)).where(*active)).one()
    ranking = Ranking(k1=settings.catalogue_bm25_k1, b=settings.catalogue_bm25_b,
                      name_weight=settings.catalogue_name_weight)
    key = (id(analyzer), count, last, ranking)
    engine = session.get_bind()
    with _lock:
        hit = _indexes.get(engine, {}).get(org.id)
        if hit is not None and hit.key == key:
            return hit.index
    matters = [MatterWords(m.unit_id, [w for t in (m.matter, *(m.examples or []), " ".join(m.keywords or []))
                                       for w in analyzer.words(t)], frozenset(analyzer.words(m.matter)))
               for m in session.scalars(select(CatalogueMatter).where(*active).order_by(CatalogueMatter.id))]
    index = CatalogueIndex(matters, ranking)
    with _lock:
        _indexes.setdefault(engine, {})[org.id] = _Index(key, index)
    return index


def words_of(analyzer: Analyzer, text: str) -> frozenset[str]:
    """The analyser's words of ``text``, remembered for the next suggestion."""
    with _lock:
        memo = _words.get(analyzer)
        if memo is None:
            memo = _words[analyzer] = OrderedDict()
        hit = memo.get(text)
        if hit is not None:
            memo.move_to_end(text)
            return hit
    found = frozenset(analyzer.words(text))
    with _lock:
        memo[text] = found
        while len(memo) > WORDS_CACHED:
            memo.popitem(last=False)
    return found


def _unit_out(u: Department) -> dict[str, Any]:
    return {"id": u.id, "name": u.name, "phone": u.phone, "extension": u.extension}


def _overlap(words: set[str], text: str, analyzer: Analyzer) -> int:
    return len(words & words_of(analyzer, text))


def suggest(session: Session, org: Organisation, settings: Settings, *, text: str,
            category: str | None = None, place: str | None = None, limit: int = 3,
            exclude_order_id: int | None = None) -> dict[str, Any]:
    """``{"units": [...], "category": {...} | None, "revision": n}``; each unit with its
    probability and its reasons: the catalogue matter of that unit nearest to the text, similar
    past orders the unit kept, and the words that spoke for it."""
    model, analyzer, revision = model_for(session, org, settings)
    feats = order_features(analyzer, text, category, place, districts=training.district_names(model.districts))
    words = {f[2:] for f in feats if f.startswith("W:")}
    boost = None
    if words and settings.dispatch_catalogue_weight > 0:
        boost = catalogue_index(session, org, analyzer, settings).boost(order_words(feats),
                                                                        settings.dispatch_catalogue_weight)
    ranked = model.rank(feats, limit=limit, boost=boost) if words or category else []
    units = {u.id: u for u in session.scalars(select(Department).where(
        Department.id.in_([r.unit for r in ranked])))} if ranked else {}
    out_units: list[dict[str, Any]] = []
    best_matter: CatalogueMatter | None = None
    for r in ranked:
        unit = units.get(r.unit)
        if unit is None:
            continue
        matters = session.scalars(select(CatalogueMatter).where(
            CatalogueMatter.organisation_id == org.id, CatalogueMatter.unit_id == unit.id,
            CatalogueMatter.active.is_(True))).all()
        scored = sorted(((_overlap(words, " ".join([m.matter, *(m.keywords or []), *(m.examples or [])]), analyzer)
                          + (1 if category and m.category == category else 0), -m.id, m) for m in matters),
                        key=lambda x: (x[0], x[1]), reverse=True)
        matter = scored[0][2] if scored and scored[0][0] > 0 else None
        if best_matter is None and matter is not None:
            best_matter = matter
        out_units.append({
            "unit": _unit_out(unit),
            "probability": round(r.probability, 3),
            "matter": None if matter is None else {"id": matter.id, "matter": matter.matter, "basis": matter.basis},
            # The words that spoke for it, as a person reads them (not single characters).
            "because": [f[2:] for f in r.because if f.startswith("W:") and len(f) > 3][:3],
            "similar_orders": similar_orders(session, unit.id, words, analyzer, exclude_order_id),
        })
    return {"units": out_units, "category": _category_out(session, best_matter, category), "revision": revision}


def similar_orders(session: Session, unit_id: int, words: set[str], analyzer: Analyzer,
                   exclude_order_id: int | None = None) -> list[dict[str, Any]]:
    """Up to two of the unit's latest orders sharing the most words with the text (at least two)."""
    if not words:
        return []
    rows = session.execute(select(WorkOrder.id, WorkOrder.number, WorkOrder.description)
                           .where(WorkOrder.main_unit_id == unit_id)
                           .order_by(WorkOrder.id.desc()).limit(SIMILAR_ORDERS_SCANNED)).all()
    scored = sorted(((_overlap(words, r.description or "", analyzer), r.id, r) for r in rows
                     if r.id != exclude_order_id), reverse=True)
    return [{"id": r.id, "number": r.number} for n, _i, r in scored[:SIMILAR_ORDERS_SHOWN] if n >= 2]


def _category_out(session: Session, matter: CatalogueMatter | None, given: str | None) -> dict[str, Any] | None:
    """The category of the best-matching matter, when it differs from the one given."""
    if matter is None or not matter.category or matter.category == given:
        return None
    cat = session.scalar(select(WorkOrderCategory).where(WorkOrderCategory.code == matter.category))
    if cat is None:
        return None
    return {"code": cat.code, "name_zh": cat.name_zh, "name_en": cat.name_en, "matter": matter.matter}


def for_draft(session: Session, settings: Settings, *, text: str, category: str | None, place: str | None,
              line_code: str | None) -> dict[str, Any]:
    """The suggestion for an order being written (the creation form)."""
    org = centre.organisation_for(session, line_code=line_code)
    if org is None:
        return {"units": [], "category": None, "revision": 0}
    return suggest(session, org, settings, text=text, category=category, place=place)


def for_order(session: Session, viewer: Viewer, order_id: int, settings: Settings, now: dt.datetime) -> dict[str, Any]:
    """The suggestion for an order (the dispatch form and queue); kept as shown while the order
    is still to be dispatched (``acceptance``)."""
    row = get_visible(session, viewer, order_id)
    org = centre.organisation_for(session, line_id=row.line_id)
    if org is None:
        return {"order_id": row.id, "units": [], "category": None, "revision": 0}
    out = suggest(session, org, settings, text=row.description or "", category=row.category, place=row.place,
                  exclude_order_id=row.id)
    acceptance.shown(session, row, [u["unit"]["id"] for u in out["units"]], out["revision"], now)
    return {"order_id": row.id, **out}
