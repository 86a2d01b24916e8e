"""Search the catalogue with what the caller says (R-P12): 小区门口野狗 → 流浪犬只收容.

The query is analysed like the index (``domain/chinese_text``: synonyms, segmentation, pinyin).
Candidates come from the database: every active matter of the organisation whose
``search_terms`` holds one of the query's terms as a whole token (``' ' || search_terms || ' '
LIKE '% term %'``, SQLite and PostgreSQL alike). A catalogue has hundreds of matters, not
millions, so a scan of one text column is cheap and needs no full-text index. The candidates are
ranked in Python with BM25 (k1 1.2, b 0.75): every matter holding a term is a candidate, so the
candidates give each term's document frequency exactly; the average length is the candidates'.
A term found in the matter's name counts once more (the name is what a matter is); a matter
scoring under 35 % of the best is left out (one common word in common is noise).
"""

from __future__ import annotations

import math
from collections import Counter
from typing import Any

from sqlalchemy import func, literal, or_, select
from sqlalchemy.orm import Session

from zongji.services.catalogue.access import hotline_organisation
from zongji.services.catalogue.matters import out, units_of
from zongji.services.catalogue.synonyms import analyzer
from zongji.store.catalogue_models import CatalogueMatter
from zongji.store.models import User

K1 = 1.2
B = 0.75
MAX_QUERY_TERMS = 24
MAX_LIMIT = 50
# A matter scoring below this share of the best one is noise (one common word in common).
MIN_SHARE_OF_BEST = 0.35


def _like_token(term: str) -> str:
    escaped = term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"% {escaped} %"


def rank(query_terms: list[str], docs: list[tuple[int, list[str], set[str]]], total: int) -> list[tuple[int, float]]:
    """BM25 of each (id, terms, name terms) for ``query_terms`` over a catalogue of ``total``
    matters; best first, ties by id. Only documents with a positive score are returned."""
    if not docs:
        return []
    counts = {doc_id: Counter(terms) for doc_id, terms, _ in docs}
    avgdl = sum(len(t) for _, t, _ in docs) / len(docs) or 1.0
    scored: list[tuple[int, float]] = []
    df = {q: sum(1 for c in counts.values() if q in c) for q in query_terms}
    for doc_id, terms, name_terms in docs:
        tf_all, dl, score = counts[doc_id], len(terms) or 1, 0.0
        for q in query_terms:
            tf = tf_all.get(q, 0)
            if not tf:
                continue
            idf = math.log(1 + (max(total, len(docs)) - df[q] + 0.5) / (df[q] + 0.5))
            score += idf * tf * (K1 + 1) / (tf + K1 * (1 - B + B * dl / avgdl))
            if q in name_terms:
                score += idf
        if score > 0:
            scored.append((doc_id, score))
    scored.sort(key=lambda x: (-x[1], x[0]))
    return scored


def search(session: Session, viewer: User, q: str, limit: int = 10, *, active: bool | None = True) -> list[dict[str, Any]]:
    """The matters that best fit ``q``, best first, each with its ``score`` (rounded)."""
    org = hotline_organisation(session, viewer)
    return search_in(session, org.id, q, limit, active=active)


def search_in(session: Session, organisation_id: int, q: str, limit: int = 10, *,
              active: bool | None = True) -> list[dict[str, Any]]:
    limit = max(1, min(limit, MAX_LIMIT))
    ana = analyzer(session, organisation_id)
    terms = ana.query_terms(q)[:MAX_QUERY_TERMS]
    if not terms:
        return []
    padded = literal(" ") + CatalogueMatter.search_terms + literal(" ")
    where = [CatalogueMatter.organisation_id == organisation_id]
    if active is not None:
        where.append(CatalogueMatter.active.is_(active))
    rows = list(session.scalars(select(CatalogueMatter).where(
        *where, or_(*(padded.like(_like_token(t), escape="\\") for t in terms)))))
    total = session.scalar(select(func.count()).select_from(CatalogueMatter).where(*where)) or 0
    docs = [(r.id, r.search_terms.split(), set(ana.words(r.matter))) for r in rows]
    ranked = rank(terms, docs, total)
    ranked = [(i, sc) for i, sc in ranked if sc >= ranked[0][1] * MIN_SHARE_OF_BEST][:limit] if ranked else []
    by_id = {r.id: r for r in rows}
    units = units_of(session, organisation_id)
    result = []
    for doc_id, score in ranked:
        item = out(by_id[doc_id], units)
        item["score"] = round(score, 3)
        result.append(item)
    return result
