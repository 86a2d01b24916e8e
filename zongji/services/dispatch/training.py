"""Fit the dispatch model of a centre and store it (issue 11, point 5).

The examples: every active matter of the responsibility catalogue (its name, each example and
its keywords, with its category), the knowledge base's published articles owned by the centre's
units (title and keywords), and the latest ``dispatch_training_orders`` orders of the
centre that a unit kept (dispatched and not sent back: accepted, in progress, replied, under
callback or closed), with the unit that first returned each, if one did (退单 counts against
it). The weights replace the stored ones in one transaction and the revision goes up, so every
process reloads the model once (``suggestions.model_for``).

The units that are a district's local government (``Department.district``) are learnt together
(``domain/dispatch/model``, ``LOCAL``; stored with no unit), and the districts' names are taken
out of every text as the place is (``domain/dispatch/features``).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import threading
from collections import OrderedDict
from collections.abc import Mapping

from sqlalchemy import delete, or_, select
from sqlalchemy.orm import Session

from zongji.domain.chinese_text import Analyzer
from zongji.domain.dispatch.features import order_features
from zongji.domain.dispatch.model import LOCAL, Example, Model, train
from zongji.domain.work_orders.words import Status
from zongji.services.catalogue import synonyms as catalogue_synonyms
from zongji.services.dispatch.centre import dispatchable_units
from zongji.settings import Settings
from zongji.store.catalogue_models import CatalogueMatter, DispatchModelState, DispatchModelTerm
from zongji.store.knowledge_models import KbArticle
from zongji.store.models import Department, Line, Organisation
from zongji.store.work_order_models import WorkOrder, WorkOrderEvent

RETRAIN_JOB = "dispatch.retrain"
# Orders a unit kept: what a unit does not send back counts for it.
KEPT_STATUSES = (Status.ACCEPTED, Status.IN_PROGRESS, Status.REPLIED, Status.CALLBACK, Status.REVIEW, Status.CLOSED)
# The models this process fitted, by a digest of their examples, units and epochs: training is
# deterministic, so the same data (a centre's catalogue unchanged since the last suggestion,
# another database of the same content) gets the model at once instead of seconds of training.
FITTED_KEPT = 4
_fitted: "OrderedDict[bytes, Model]" = OrderedDict()
_fitted_lock = threading.Lock()


def analyzer_for(session: Session, org: Organisation) -> Analyzer:
    """The analyser of the centre, the catalogue's (``services/catalogue/synonyms``): the
    knowledge base's synonyms, and the catalogue's matter names and keywords kept whole."""
    return catalogue_synonyms.analyzer(session, org.id)


def districts_of(units: list[Department]) -> dict[int, str]:
    """The district governments among ``units`` and their districts."""
    return {u.id: u.district.strip() for u in units if u.district and u.district.strip()}


def catalogue_examples(session: Session, org: Organisation, analyzer: Analyzer,
                       districts: tuple[str, ...] = ()) -> list[Example]:
    out: list[Example] = []
    for m in session.scalars(select(CatalogueMatter).where(
            CatalogueMatter.organisation_id == org.id, CatalogueMatter.active.is_(True)).order_by(CatalogueMatter.id)):
        for text in [m.matter, *(m.examples or []), " ".join(m.keywords or [])]:
            if text.strip():
                out.append(Example(order_features(analyzer, text, m.category, districts=districts, as_order=False),
                                   m.unit_id))
    return out


def article_examples(session: Session, org: Organisation, analyzer: Analyzer, units: list[int],
                     districts: tuple[str, ...] = ()) -> list[Example]:
    """The knowledge base's published articles owned by one of the centre's units: what the unit
    answers for is what it is responsible for (their titles and keywords)."""
    out: list[Example] = []
    if not units:
        return out
    for title, keywords, unit_id in session.execute(
            select(KbArticle.title, KbArticle.keywords, KbArticle.unit_id)
            .where(KbArticle.unit_id.in_(units), KbArticle.status == "published").order_by(KbArticle.id)):
        out.append(Example(order_features(analyzer, title, districts=districts, as_order=False), unit_id))
        words = " ".join(w for w in (keywords or "").splitlines() if w.strip())
        if words:
            out.append(Example(order_features(analyzer, words, districts=districts, as_order=False), unit_id))
    return out


def _of_centre(org: Organisation):
    """The orders of the centre's lines; a city hotline's also those typed in on no line (they
    go to its handling units, services/work_orders/units)."""
    if org.kind == "city_hotline":
        return or_(Line.organisation_id == org.id, WorkOrder.line_id.is_(None))
    return Line.organisation_id == org.id


def history_examples(session: Session, org: Organisation, analyzer: Analyzer, limit: int,
                     districts: tuple[str, ...] = ()) -> list[Example]:
    """The latest ``limit`` orders of the centre's lines that a unit kept (the newest first by id,
    served by the primary key), each with the unit that first returned it, if any."""
    if limit <= 0:
        return []
    rows = session.execute(
        select(WorkOrder.id, WorkOrder.description, WorkOrder.category, WorkOrder.place, WorkOrder.main_unit_id)
        .outerjoin(Line, Line.id == WorkOrder.line_id)
        .where(_of_centre(org), WorkOrder.main_unit_id.is_not(None),
               WorkOrder.status.in_([str(s) for s in KEPT_STATUSES]))
        .order_by(WorkOrder.id.desc()).limit(limit)).all()
    returned: dict[int, int] = {}
    ids = [r.id for r in rows]
    for start in range(0, len(ids), 1000):
        for order_id, unit_id in session.execute(
                select(WorkOrderEvent.order_id, WorkOrderEvent.actor_unit_id)
                .where(WorkOrderEvent.order_id.in_(ids[start:start + 1000]), WorkOrderEvent.action == "return",
                       WorkOrderEvent.actor_unit_id.is_not(None))
                .order_by(WorkOrderEvent.at)):
            returned.setdefault(order_id, unit_id)
    return [Example(order_features(analyzer, r.description or "", r.category, r.place, districts=districts),
                    r.main_unit_id,
                    returned.get(r.id) if returned.get(r.id) != r.main_unit_id else None)
            for r in rows]


def fit(session: Session, org: Organisation, *, orders: int, epochs: int,
        extra: list[Example] | None = None) -> tuple[Model, Analyzer, int]:
    """The model of the centre's data as it is now (not stored), from its catalogue, ``extra``
    examples and at most ``orders`` of its history; and the number of orders used."""
    analyzer = analyzer_for(session, org)
    dispatchable = dispatchable_units(session, org)
    units = [u.id for u in dispatchable]
    governments = districts_of(dispatchable)
    names = district_names(governments)
    history = history_examples(session, org, analyzer, orders, names)
    examples = (catalogue_examples(session, org, analyzer, names)
                + article_examples(session, org, analyzer, units, names) + (extra or []) + history)
    return _train_once(examples, units, epochs, governments), analyzer, len(history)


def district_names(districts: Mapping[int, str]) -> tuple[str, ...]:
    """The centre's districts, in a canonical order (what ``order_features`` looks for)."""
    return tuple(sorted(set(districts.values())))


def _train_once(examples: list[Example], units: list[int], epochs: int, districts: dict[int, str]) -> Model:
    canonical = sorted((e.unit, tuple(sorted(set(e.features))),
                        -1 if e.returned_from is None else e.returned_from, e.weight) for e in examples)
    key = hashlib.blake2b(repr((canonical, sorted(set(units)), epochs, sorted(districts.items()))).encode(),
                          digest_size=20).digest()
    with _fitted_lock:
        model = _fitted.get(key)
        if model is not None:
            _fitted.move_to_end(key)
            return model
    model = train(examples, units, epochs=epochs, districts=districts)
    with _fitted_lock:
        _fitted[key] = model
        while len(_fitted) > FITTED_KEPT:
            _fitted.popitem(last=False)
    return model


def fit_for_retraining(session: Session, org: Organisation, settings: Settings,
                       extra: list[Example] | None = None) -> tuple[Model, int]:
    """The model a retraining stores (``store``) and the number of orders it used: reads only,
    so the worker fits it outside its write transaction (seconds for a centre with a history)."""
    model, _analyzer, used = fit(session, org, orders=settings.dispatch_training_orders,
                                 epochs=settings.dispatch_training_epochs, extra=extra)
    return model, used


def store(session: Session, org: Organisation, model: Model, used: int, now: dt.datetime) -> DispatchModelState:
    """Replace the centre's stored weights by ``model``'s and raise its revision (in the caller's
    transaction): every process reloads the model once."""
    session.execute(delete(DispatchModelTerm).where(DispatchModelTerm.organisation_id == org.id))
    rows = [{"organisation_id": org.id, "unit_id": None if u == LOCAL else u, "term": f[:100], "weight": w}
            for f, u, w in model.rows()]
    seen: set[tuple[int, str]] = set()
    unique = []
    for r in rows:  # a feature cut to 100 characters may meet another: keep the first
        if (r["unit_id"], r["term"]) not in seen:
            seen.add((r["unit_id"], r["term"]))
            unique.append(r)
    for start in range(0, len(unique), 5000):
        session.execute(DispatchModelTerm.__table__.insert(), unique[start:start + 5000])
    state = session.get(DispatchModelState, org.id)
    if state is None:
        state = DispatchModelState(organisation_id=org.id, revision=0)
        session.add(state)
    state.revision = (state.revision or 0) + 1
    state.trained_at = now
    state.orders_used = used
    session.flush()
    return state


def stored_model(session: Session, org: Organisation) -> Model:
    """The stored weights as a model of the centre's units as they are now. A unit named a
    district government since the last retraining is learnt with the others at the next one
    (``districts.set_district`` and the directory import ask for it at once)."""
    dispatchable = dispatchable_units(session, org)
    rows = session.execute(select(DispatchModelTerm.term, DispatchModelTerm.unit_id, DispatchModelTerm.weight)
                           .where(DispatchModelTerm.organisation_id == org.id))
    stored = [(t, LOCAL if u is None else u, w) for t, u, w in rows]
    # Learnt with district governments (rows of LOCAL): those named now; else as it was learnt.
    districts = districts_of(dispatchable) if any(u == LOCAL for _t, u, _w in stored) else {}
    return Model.from_rows([u.id for u in dispatchable], stored, districts)
