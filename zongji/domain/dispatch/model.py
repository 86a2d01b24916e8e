"""A linear softmax model of which unit handles what (issue 11, point 5). Pure.

Trained by stochastic gradient descent on examples — a catalogue matter, its examples and
keywords, a knowledge-base article, and each order of the centre's history — each labelled with
the unit; an order a unit returned (退单) also pushes that unit down for its features
(``RETURN_PENALTY``). The weights are one number per (feature, unit); a suggestion sums them,
so it takes microseconds and runs in the worker or the web process without a GPU. Training is
deterministic for a given seed and example order, so every process that rebuilds the model
from the same data gets the same suggestions.
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
    unit an example names)."""
    unit_set = set(units) if units is not None else {e.unit for e in examples}
    unit_list = tuple(sorted(unit_set))
    weights: dict[str, dict[int, float]] = {}
    rnd = random.Random(seed)
    order = [e for e in examples if e.unit in unit_set and e.features]
    for epoch in range(epochs):
        rnd.shuffle(order)
        rate = learning_rate / (1 + 0.3 * epoch)
        for ex in order:
            feats = set(ex.features)
            norm = math.sqrt(len(feats))
            sc = dict.fromkeys(unit_list, 0.0)
            for f in feats:
                row = weights.get(f)
                if row:
                    for u, w in row.items():
                        sc[u] += w / norm
            top = max(sc.values())
            exp = {u: math.exp(s - top) for u, s in sc.items()}
            z = sum(exp.values())
            for u in unit_list:
                p = exp[u] / z
                g = p - (1.0 if u == ex.unit else 0.0)
                if ex.returned_from == u:
                    g += RETURN_PENALTY * p
                if abs(g) < 1e-4:
                    continue
                step = rate * ex.weight * g / norm
                for f in feats:
                    row = weights.setdefault(f, {})
                    row[u] = row.get(u, 0.0) - step
    kept = {f: {u: w for u, w in row.items() if abs(w) >= KEEP_ABOVE} for f, row in weights.items()}
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
