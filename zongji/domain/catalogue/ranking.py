"""Which catalogue matters fit what the caller says, best first (issue 11, point 2; R-P12). Pure.

The database finds the candidates: every matter holding one of the query's terms as a whole
token, so the candidates give each term's document frequency exactly; the average length is the
candidates'. They are ranked with BM25 (``k1``, ``b``); a term found in the matter's name counts
``name_weight`` times its idf more (the name is what a matter is). A matter scoring under
``min_share_of_best`` of the best one is left out: one common word in common is noise. The
numbers are settings (``catalogue_bm25_k1``, ``catalogue_bm25_b``, ``catalogue_name_weight``,
``catalogue_min_share_of_best``).
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Ranking:
    k1: float = 1.2
    b: float = 0.75
    name_weight: float = 1.0
    min_share_of_best: float = 0.35


@dataclass(frozen=True)
class Matter:
    """A candidate matter as the index holds it: its terms (name, keywords, examples) and the
    words of its name."""

    id: int
    terms: Sequence[str]
    name_words: frozenset[str]


def rank(query_terms: Sequence[str], matters: Sequence[Matter], total: int,
         ranking: Ranking = Ranking()) -> list[tuple[int, float]]:
    """(id, score) of the matters that fit, best first, ties by lower id; ``total`` is the number
    of matters searched (at least the candidates). Matters under the cut-off are left out."""
    if not matters:
        return []
    terms = list(dict.fromkeys(query_terms))
    counts = {m.id: Counter(m.terms) for m in matters}
    avgdl = sum(len(m.terms) for m in matters) / len(matters) or 1.0
    n = max(total, len(matters))
    df = {q: sum(1 for c in counts.values() if q in c) for q in terms}
    k1, b = ranking.k1, ranking.b
    scored: list[tuple[int, float]] = []
    for m in matters:
        tf_all, dl, score = counts[m.id], len(m.terms) or 1, 0.0
        for q in terms:
            tf = tf_all.get(q, 0)
            if not tf:
                continue
            idf = math.log(1 + (n - df[q] + 0.5) / (df[q] + 0.5))
            score += idf * tf * (k1 + 1) / (tf + k1 * (1 - b + b * dl / avgdl))
            if q in m.name_words:
                score += ranking.name_weight * idf
        if score > 0:
            scored.append((m.id, score))
    scored.sort(key=lambda x: (-x[1], x[0]))
    if not scored:
        return []
    floor = scored[0][1] * ranking.min_share_of_best
    return [(i, s) for i, s in scored if s >= floor]
