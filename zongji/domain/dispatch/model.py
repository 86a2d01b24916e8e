"""A linear softmax model of which unit handles what (issue 11, point 5). Pure.

Trained by stochastic gradient descent on examples — a catalogue matter, its examples and
keywords, a knowledge-base article, and each order of the centre's history — each labelled with
the unit; an order a unit returned (退单) also pushes that unit down for its features
(``RETURN_PENALTY``). The weights are one number per (feature, unit); a suggestion sums them,
so it takes microseconds and runs in the worker or the web process without a GPU. Training is
deterministic for a given seed and set of examples (whatever order they come in), so every
process that rebuilds the model from the same data gets the same suggestions.

**Territorial units (属地).** The governments of the centre's districts (``districts``: unit →
district) handle the same kinds of matters, each in its own district: who handles an old
estate's renovation, a local market or a school place is "the district government where it is".
The model learns them as one label, ``LOCAL`` (what the local government handles), and a
suggestion hands that label's share to the government of the order's district (its ``D:``
feature, from the place or the text); with no district named, the share is split evenly. Learnt
as separate units, the governments could not be told apart by the place (the catalogue names no
place) and each got half of the evidence of the matters they share.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

RETURN_PENALTY = 0.5
# Weights smaller than this are dropped after training (on the bench's data a third of the
# weights, with the same accuracy): the stored model and the one in memory are the same.
KEEP_ABOVE = 0.05
# The label of the district governments' shared weights (no unit has id 0).
LOCAL = 0
# The share of ``LOCAL``'s probability left to the other districts' governments when the order
# names a district (a caller may give the district of their home, not of the matter).
OTHER_DISTRICT_SHARE = 0.05


def label_of(unit: int | None, districts: Mapping[int, str]) -> int | None:
    """The label the model learns for ``unit``: ``LOCAL`` for a district government."""
    return LOCAL if unit is not None and unit in districts else unit


def order_districts(features: Iterable[str]) -> set[str]:
    """The districts an order's features name (``features.order_features``: ``D:<district>``)."""
    return {f[2:] for f in features if f.startswith("D:")}


@dataclass(frozen=True)
class Example:
    features: Sequence[str]
    unit: int
    returned_from: int | None = None  # the unit that had it and returned it, if any
    weight: float = 1.0


@dataclass(frozen=True)
class Ranked:
    unit: int
    probability: float
    because: tuple[str, ...] = ()  # the (up to five) features that spoke most for this unit


@dataclass
class Model:
    units: tuple[int, ...]
    weights: dict[str, dict[int, float]] = field(default_factory=dict)  # feature -> label -> w
    districts: Mapping[int, str] = field(default_factory=dict)  # district government -> its district

    @property
    def labels(self) -> tuple[int, ...]:
        """What the weights are kept for: each unit, the district governments as ``LOCAL``."""
        own = tuple(u for u in self.units if u not in self.districts)
        return (LOCAL, *own) if any(u in self.districts for u in self.units) else own

    def scores(self, features: Iterable[str]) -> dict[int, float]:
        """Each label's score (``labels``)."""
        feats = set(features)
        norm = math.sqrt(len(feats)) or 1.0
        out = dict.fromkeys(self.labels, 0.0)
        for f in feats:
            row = self.weights.get(f)
            if row:
                for u, w in row.items():
                    if u in out:
                        out[u] += w / norm
        return out

    def rank(self, features: Iterable[str], limit: int = 3, boost: Mapping[int, float] | None = None) -> list[Ranked]:
        """The ``limit`` best units; ``boost`` adds to a unit's score (``catalogue_match``)."""
        feats = list(dict.fromkeys(features))
        if not self.units:
            return []
        sc = self.scores(feats)
        local_boost: float | None = None
        for u, extra in (boost or {}).items():
            label = label_of(u, self.districts)
            if label == LOCAL:  # the best-fitting matter of any district's government
                local_boost = extra if local_boost is None else max(local_boost, extra)
            elif label in sc:
                sc[label] += extra
        if local_boost is not None and LOCAL in sc:
            sc[LOCAL] += local_boost
        top = max(sc.values())
        exp = {label: math.exp(s - top) for label, s in sc.items()}
        z = sum(exp.values()) or 1.0
        prob = {u: exp[u] / z for u in self.units if u in exp}
        prob.update(self._local_shares(exp.get(LOCAL, 0.0) / z, order_districts(feats)))
        best = sorted(prob, key=lambda u: (-prob[u], u))[:limit]
        out = []
        for u in best:
            label = label_of(u, self.districts)
            contrib = sorted(((self.weights.get(f, {}).get(label, 0.0), f) for f in feats), reverse=True)
            because = tuple(f for w, f in contrib[:5] if w > 0)
            out.append(Ranked(unit=u, probability=prob[u], because=because))
        return out

    def _local_shares(self, p: float, named: set[str]) -> dict[int, float]:
        """``LOCAL``'s probability ``p`` handed to the district governments: to the one(s) of
        the districts the order names, ``OTHER_DISTRICT_SHARE`` of it left to the others."""
        members = [u for u in self.units if u in self.districts]
        if not members:
            return {}
        here = [u for u in members if self.districts[u] in named]
        there = [u for u in members if u not in here]
        if not here or not there:
            return {u: p / len(members) for u in members}
        return {**{u: p * (1 - OTHER_DISTRICT_SHARE) / len(here) for u in here},
                **{u: p * OTHER_DISTRICT_SHARE / len(there) for u in there}}

    def rows(self) -> Iterable[tuple[str, int, float]]:
        for f, row in self.weights.items():
            for u, w in row.items():
                if abs(w) >= KEEP_ABOVE:
                    yield f, u, w

    @classmethod
    def from_rows(cls, units: Iterable[int], rows: Iterable[tuple[str, int, float]],
                  districts: Mapping[int, str] | None = None) -> "Model":
        """The model of stored rows (``rows``: feature, label, weight); ``districts`` as it was
        trained with."""
        weights: dict[str, dict[int, float]] = {}
        for f, u, w in rows:
            weights.setdefault(f, {})[u] = w
        return cls(units=tuple(sorted(set(units))), weights=weights, districts=dict(districts or {}))


def train(examples: Sequence[Example], units: Iterable[int] | None = None, *, epochs: int = 20,
          learning_rate: float = 1.0, seed: int = 20261204, districts: Mapping[int, str] | None = None) -> Model:
    """Fit the weights to ``examples``; ``units`` the units a suggestion may name (default: every
    unit an example names); ``districts`` the district governments among them and their
    districts (learnt as ``LOCAL``).

    The weights are kept as one list per feature, indexed like ``unit_list``, while training
    (a list is several times faster to sum and update than a dict); the examples, and each
    one's features, in a canonical order, so the sums, and the model, depend on the data only."""
    unit_set = set(units) if units is not None else {e.unit for e in examples}
    districts = {u: d for u, d in (districts or {}).items() if u in unit_set}
    model = Model(units=tuple(sorted(unit_set)), districts=districts)
    unit_list = model.labels
    n_units = len(unit_list)
    index = {label: i for i, label in enumerate(unit_list)}
    labelled = [(e, label_of(e.unit, districts), label_of(e.returned_from, districts)) for e in examples]
    weights: dict[str, list[float]] = {}
    rnd = random.Random(seed)
    # In a canonical order before the seeded shuffle: the model depends on the examples, not on
    # the order a database returned them in (floating-point sums depend on their order).
    order = sorted(((sorted(set(e.features)), index[right], index.get(back) if back != right else None, e.weight)
                    for e, right, back in labelled if e.unit in unit_set and e.features),
                   key=lambda x: (x[1], x[0], -1 if x[2] is None else x[2], x[3]))
    for epoch in range(epochs):
        rnd.shuffle(order)
        rate = learning_rate / (1 + 0.3 * epoch)
        for feats, right, returned, ex_weight in order:
            inv = 1.0 / math.sqrt(len(feats))
            rows = [row for row in map(weights.get, feats) if row is not None]
            sc = [sum(col) for col in zip(*rows)] if rows else [0.0] * n_units
            top = max(sc)
            exp = [math.exp((s - top) * inv) for s in sc]
            z = sum(exp)
            steps = []
            for i, e in enumerate(exp):
                p = e / z
                g = p - 1.0 if i == right else p
                if i == returned:
                    g += RETURN_PENALTY * p
                if abs(g) >= 1e-4:
                    steps.append((i, rate * ex_weight * g * inv))
            for f in feats:
                row = weights.get(f)
                if row is None:
                    row = weights[f] = [0.0] * n_units
                for i, step in steps:
                    row[i] -= step
    kept = {f: {unit_list[i]: w for i, w in enumerate(row) if abs(w) >= KEEP_ABOVE} for f, row in weights.items()}
    model.weights = {f: row for f, row in kept.items() if row}
    return model


def accuracy(model: Model, cases: Sequence[tuple[Sequence[str], int]],
             boost: Callable[[Sequence[str]], Mapping[int, float]] | None = None) -> tuple[float, float]:
    """Top-1 and top-3 accuracy of ``model`` on (features, right unit) cases; ``boost`` gives the
    units' boost for an order's features (``catalogue_match``)."""
    if not cases:
        return 0.0, 0.0
    top1 = top3 = 0
    for feats, unit in cases:
        ranked = [r.unit for r in model.rank(feats, limit=3, boost=boost(feats) if boost else None)]
        top1 += bool(ranked) and ranked[0] == unit
        top3 += unit in ranked
    return top1 / len(cases), top3 / len(cases)
