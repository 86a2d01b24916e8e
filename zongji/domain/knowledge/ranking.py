"""BM25-style ranking of knowledge-base candidates (issue 11, point 3). Pure.

The database finds candidates (every searchable article sharing at least one term with the
query); this module ranks them, so SQLite and PostgreSQL return the same order. Because the
candidates are exactly the articles holding a query term, a term's document frequency counted
over the candidates is its document frequency in the whole searchable collection; the caller
gives the collection's size and average length.

Fields are weighted (BM25F): a term in the title or the keywords counts ``TITLE_WEIGHT`` times
one in the answer. A query whose folded text appears whole in the title, keywords or answer
earns ``PHRASE_BONUS`` times its score (articles are compared width- and case-folded; among
the best ``PHRASE_POOL`` by relevance, whose texts ``text_of`` reads).
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from zongji.domain.chinese_text import fold

K1 = 1.2
B = 0.75
TITLE_WEIGHT = 3.0
PHRASE_BONUS = 0.5
PHRASE_POOL = 50

_NON_WORD = re.compile(r"[\W_]+", re.UNICODE)


@dataclass(frozen=True)
class Candidate:
    """One article as the index holds it: ``term_text`` strings (space-separated terms) of its
    title and keywords and of everything (title, keywords, answer), and its weighted length."""

    id: int
    title_terms: str
    all_terms: str
    length: float
    text: str = ""  # title, keywords and answer as written, for the phrase bonus

    @classmethod
    def of(cls, id: int, title_terms: Sequence[str], body_terms: Sequence[str], text: str = "") -> "Candidate":
        return cls(id, " ".join(title_terms), " ".join([*title_terms, *body_terms]),
                   weighted_length(title_terms, body_terms), text)

    def term_set(self) -> set[str]:
        return set(self.all_terms.split())


def _counts(term_text: str, terms: Iterable[str]) -> dict[str, int]:
    """Exact counts of whole terms in a space-separated string, done by ``str.count`` in C.

    A substring test first skips the terms the text does not hold (most of them: a candidate
    was fetched for one or two). ``count(" t ")`` does not overlap, so it is exact unless the
    term repeats back to back (" t t "); only then is the text copied with every space doubled
    (what an earlier version did for every candidate: a fifth of a search's time with 20,000
    articles)."""
    padded = doubled = None
    out = {}
    for t in terms:
        if not t or t not in term_text:
            continue
        if padded is None:
            padded = f" {term_text} "
        n = padded.count(f" {t} ")
        if n and f" {t} {t} " in padded:
            if doubled is None:
                doubled = padded.replace(" ", "  ")
            n = doubled.count(f" {t} ")
        if n:
            out[t] = n
    return out


def weighted_length(title_terms: Sequence[str], body_terms: Sequence[str]) -> float:
    """The length a document counts for BM25 (stored so the average is one aggregate)."""
    return TITLE_WEIGHT * len(title_terms) + len(body_terms)


def _light_fold(text: str) -> str:
    """Width and case folded (articles are written in simplified Chinese; the costly
    traditional → simplified step is left to the query's ``fold``)."""
    return unicodedata.normalize("NFKC", text).casefold()


def _compact(text: str) -> str:
    return _NON_WORD.sub("", fold(text))


def retrieval_terms(terms: Sequence[str], df: dict[str, int], collection_size: int, max_share: float) -> list[str]:
    """The terms the database fetches candidates with: those in at most ``max_share`` of the
    articles. A term in more (办理, 电话) still counts in the score of the candidates the rarer
    terms find; an article holding only such common terms would rank low anyway. When every term
    is common, the rarest one (the first of equals) fetches. Terms no article holds are left out."""
    present = [t for t in dict.fromkeys(terms) if df.get(t, 0) > 0]
    if not present:
        return []
    limit = max_share * collection_size
    selective = [t for t in present if df[t] <= limit]
    return selective or [min(present, key=lambda t: (df[t], present.index(t)))]


@dataclass(frozen=True)
class Scored:
    id: int
    score: float


def rank(
    query_terms: Sequence[str],
    candidates: Iterable[Candidate],
    *,
    collection_size: int,
    average_length: float,
    query_text: str = "",
    limit: int = 10,
    text_of: Callable[[list[int]], dict[int, str]] | None = None,
) -> list[Scored]:
    """The best ``limit`` candidates for ``query_terms``, best first; ties by lower id (older)."""
    terms = list(dict.fromkeys(query_terms))
    if not terms:
        return []
    cands = list(candidates)
    tfs: list[dict[str, float]] = []
    df: Counter[str] = Counter()
    for c in cands:
        every = _counts(c.all_terms, terms)
        title = _counts(c.title_terms, every) if every else {}
        # all_terms holds the title's terms too: the answer's count is the rest.
        tf = {t: TITLE_WEIGHT * title.get(t, 0) + (n - title.get(t, 0)) for t, n in every.items()}
        tfs.append(tf)
        df.update(tf.keys())
    n = max(collection_size, len(cands), 1)
    avg = average_length if average_length > 0 else 1.0
    idf = {t: math.log(1 + (n - df[t] + 0.5) / (df[t] + 0.5)) for t in terms}
    phrase = _compact(query_text)
    out: list[Scored] = []
    for c, tf in zip(cands, tfs):
        if not tf:
            continue
        norm = K1 * (1 - B + B * c.length / avg)
        score = sum(idf[t] * f * (K1 + 1) / (f + norm) for t, f in tf.items())
        out.append(Scored(c.id, round(score, 9)))
    out.sort(key=lambda s: (-s.score, s.id))
    if len(phrase) >= 2:
        # The bonus among the best PHRASE_POOL: their texts are all it needs to read.
        texts = {c.id: c.text for c in cands}
        if text_of is not None:
            texts |= text_of([s.id for s in out[:PHRASE_POOL]])
        pool = [Scored(s.id, round(s.score * (1 + PHRASE_BONUS), 9))
                if phrase in _light_fold(texts.get(s.id) or "") else s for s in out[:PHRASE_POOL]]
        out = sorted(pool, key=lambda s: (-s.score, s.id)) + out[PHRASE_POOL:]
    return out[:limit]
