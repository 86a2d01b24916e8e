"""A linear softmax model of which unit handles what (issue 11, point 5). Pure.

Trained by stochastic gradient descent on examples — a catalogue matter, its examples and
keywords, a knowledge-base article, and each order of the centre's history — each labelled with
the unit; an order a unit returned (退单) also pushes that unit down for its features
(``RETURN_PENALTY``). The weights are one number per (feature, unit); a suggestion sums them,
so it takes microseconds and runs in the worker or the web process without a GPU. Training is
deterministic for a given seed and set of examples (whatever order they come in), so every
process that rebuilds the model from the same data gets the same suggestions.
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
    weights: dict[str, dict[int, float]] = field(default_factory=dict)  # feature -> unit -> w

    def scores(self, features: Iterable[str]) -> dict[int, float]:
        feats = set(features)
        norm = math.sqrt(len(feats)) or 1.0
        out = dict.fromkeys(self.units, 0.0)
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
        for u, extra in (boost or {}).items():
            if u in sc:
                sc[u] += extra
        top = max(sc.values())
        exp = {u: math.exp(s - top) for u, s in sc.items()}
        z = sum(exp.values()) or 1.0
        best = sorted(self.units, key=lambda u: (-sc[u], u))[:limit]
        out = []
        for u in best:
            contrib = sorted(((self.weights.get(f, {}).get(u, 0.0), f) for f in feats), reverse=True)
            because = tuple(f for w, f in contrib[:5] if w > 0)
            out.append(Ranked(unit=u, probability=exp[u] / z, because=because))
        return out

    def rows(self) -> Iterable[tuple[str, int, float]]:
        for f, row in self.weights.items():
            for u, w in row.items():
                if abs(w) >= KEEP_ABOVE:
                    yield f, u, w

    @classmethod
    def from_rows(cls, units: Iterable[int], rows: Iterable[tuple[str, int, float]]) -> "Model":
        weights: dict[str, dict[int, float]] = {}
        for f, u, w in rows:
            weights.setdefault(f, {})[u] = w
        return cls(units=tuple(sorted(set(units))), weights=weights)


def train(examples: Sequence[Example], units: Iterable[int] | None = None, *, epochs: int = 20,
          learning_rate: float = 1.0, seed: int = 20261204) -> Model:
    """Fit the weights to ``examples``; ``units`` the units a suggestion may name (default: every
    unit an example names).

    The weights are kept as one list per feature, indexed like ``unit_list``, while training
    (a list is several times faster to sum and update than a dict); the examples, and each
    one's features, in a canonical order, so the sums, and the model, depend on the data only."""
    unit_set = set(units) if units is not None else {e.unit for e in examples}
    unit_list = tuple(sorted(unit_set))
    n_units = len(unit_list)
    index = {u: i for i, u in enumerate(unit_list)}
    weights: dict[str, list[float]] = {}
    rnd = random.Random(seed)
    # In a canonical order before the seeded shuffle: the model depends on the examples, not on
    # the order a database returned them in (floating-point sums depend on their order).
    order = sorted(((sorted(set(e.features)), index[e.unit], index.get(e.returned_from), e.weight)
                    for e in examples if e.unit in unit_set and e.features),
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
    return Model(units=unit_list, weights={f: row for f, row in kept.items() if row})


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
