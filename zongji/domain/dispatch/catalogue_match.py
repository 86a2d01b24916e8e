"""How well each unit's catalogue matters fit an order's words (issue 11, point 5). Pure.

The linear model (``model``) learns which words speak for which unit; it generalises, but a
wording it has not seen is weighed by the few characters it shares with what it has. The
responsibility catalogue says it more directly: the matter whose name, examples and keywords
share the rarest words with the order is the order's matter. So a suggestion adds to each unit's
score ``weight`` × the BM25 score (``domain/catalogue/ranking``'s formula and numbers, over every
matter) of the unit's best-fitting matter.

``weight`` is the setting ``dispatch_catalogue_weight``, chosen on the bench's validation split
of the history (``python -m bench.dispatch_eval --validate``), never on its evaluation set:
0.05–0.2 gave the same top-1 there, 0.1 the best top-3.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from zongji.domain.catalogue.ranking import Ranking


@dataclass(frozen=True)
class MatterWords:
    """A matter as the index holds it: its unit, the words of its name, examples and keywords,
    and the words of its name."""

    unit: int
    words: Sequence[str]
    name_words: frozenset[str] = frozenset()


@dataclass
class CatalogueIndex:
    matters: Sequence[MatterWords]
    ranking: Ranking = Ranking()
    _tf: list[Counter] = field(default_factory=list, init=False, repr=False)
    _df: Counter = field(default_factory=Counter, init=False, repr=False)
    _postings: dict[str, list[int]] = field(default_factory=dict, init=False, repr=False)
    _avgdl: float = field(default=1.0, init=False, repr=False)

    def __post_init__(self) -> None:
        self._tf = [Counter(m.words) for m in self.matters]
        for i, tf in enumerate(self._tf):
            for w in tf:
                self._df[w] += 1
                self._postings.setdefault(w, []).append(i)
        lengths = [len(m.words) for m in self.matters]
        self._avgdl = (sum(lengths) / len(lengths)) if lengths and sum(lengths) else 1.0

    def unit_scores(self, words: Iterable[str]) -> dict[int, float]:
        """Unit -> BM25 score of its best-fitting matter for ``words`` (units with no matter
        sharing a word are absent)."""
        terms = list(dict.fromkeys(words))
        n = len(self.matters)
        k1, b = self.ranking.k1, self.ranking.b
        score: dict[int, float] = {}
        for q in terms:
            ids = self._postings.get(q)
            if not ids:
                continue
            df = self._df[q]
            idf = math.log(1 + (n - df + 0.5) / (df + 0.5))
            for i in ids:
                tf = self._tf[i][q]
                dl = len(self.matters[i].words) or 1
                s = idf * tf * (k1 + 1) / (tf + k1 * (1 - b + b * dl / self._avgdl))
                if q in self.matters[i].name_words:
                    s += self.ranking.name_weight * idf
                score[i] = score.get(i, 0.0) + s
        best: dict[int, float] = {}
        for i, s in score.items():
            u = self.matters[i].unit
            if s > best.get(u, 0.0):
                best[u] = s
        return best

    def boost(self, words: Iterable[str], weight: float) -> Mapping[int, float]:
        """What to add to each unit's score in ``Model.rank``."""
        if weight <= 0 or not self.matters:
            return {}
        return {u: weight * s for u, s in self.unit_scores(words).items()}


def order_words(features: Iterable[str]) -> list[str]:
    """The words of an order's features (``features.order_features``: ``W:`` ones), in order."""
    return [f[2:] for f in features if f.startswith("W:")]
