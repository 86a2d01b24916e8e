"""Search the catalogue with what the caller says (R-P12): 小区门口野狗 → 流浪犬只收容.

The query is analysed like the index (``domain/chinese_text``: synonyms, segmentation, pinyin).
Candidates come from the database: every active matter of the organisation whose
``search_terms`` holds one of the query's terms as a whole token (``' ' || search_terms || ' '
LIKE '% term %'``, SQLite and PostgreSQL alike). A catalogue has hundreds of matters, not
millions, so a scan of one text column is cheap and needs no full-text index. The domain ranks
them (``domain/catalogue/ranking``: BM25, the name counting more, the cut-off), with the numbers
of the settings.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, literal, or_, select
from sqlalchemy.orm import Session

from zongji.domain.catalogue.ranking import Matter, Ranking, rank
from zongji.services.catalogue.access import hotline_organisation
from zongji.services.catalogue.matters import out, units_of
from zongji.services.catalogue.synonyms import analyzer
from zongji.settings import Settings
from zongji.store.catalogue_models import CatalogueMatter
from zongji.store.models import User

MAX_QUERY_TERMS = 24
MAX_LIMIT = 50


def ranking_of(settings: Settings) -> Ranking:
    return Ranking(k1=settings.catalogue_bm25_k1, b=settings.catalogue_bm25_b,
                   name_weight=settings.catalogue_name_weight,
                   min_share_of_best=settings.catalogue_min_share_of_best)


def _like_token(term: str) -> str:
    escaped = term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"% {escaped} %"


def search(session: Session, viewer: User, q: str, limit: int = 10, *, active: bool | None = True,
           ranking: Ranking = Ranking()) -> list[dict[str, Any]]:
    """The matters that best fit ``q``, best first, each with its ``score`` (rounded)."""
    org = hotline_organisation(session, viewer)
    return search_in(session, org.id, q, limit, active=active, ranking=ranking)


def search_in(session: Session, organisation_id: int, q: str, limit: int = 10, *,
              active: bool | None = True, ranking: Ranking = Ranking()) -> list[dict[str, Any]]:
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
    docs = [Matter(r.id, r.search_terms.split(), frozenset(ana.words(r.matter))) for r in rows]
    ranked = rank(terms, docs, total, ranking)[:limit]
    by_id = {r.id: r for r in rows}
    units = units_of(session, organisation_id)
    result = []
    for doc_id, score in ranked:
        item = out(by_id[doc_id], units)
        item["score"] = round(score, 3)
        result.append(item)
    return result
