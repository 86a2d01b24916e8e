"""Knowledge-base search (issue 11, point 3): the database finds, the domain ranks.

Candidates are the searchable articles (published, valid on the day, on the line) holding at
least one query term: SQLite's FTS5 table or PostgreSQL's GIN-indexed tsvector finds them. The
collection's size and average length are counted under the same filters, so BM25 sees the same
numbers on both databases and both return the same results.

Terms held by more than ``max_share`` of all articles (setting ``knowledge_common_term_share``)
do not fetch candidates by themselves (``ranking.retrieval_terms``): with 20,000 articles a word
like 办理 would bring thousands of rows to rank; they still count in the score.
"""

from __future__ import annotations

import datetime as dt
import threading
import weakref
from typing import Any

from sqlalchemy import and_, func, or_, select, text
from sqlalchemy.orm import Session

from zongji.domain.knowledge.articles import Status
from zongji.domain.knowledge.ranking import Candidate, rank, retrieval_terms
from zongji.services.knowledge import indexing
from zongji.store.knowledge_models import FTS_TABLE, KbArticle
from zongji.store.models import Line


def _filters(day: dt.date, line: str | None, statuses: tuple[str, ...],
             organisations: frozenset[int] | None = None):
    conds = [
        KbArticle.status.in_(statuses),
        or_(KbArticle.valid_from.is_(None), KbArticle.valid_from <= day),
        or_(KbArticle.valid_to.is_(None), KbArticle.valid_to >= day),
    ]
    if line:
        conds.append(or_(KbArticle.line_codes == "", KbArticle.line_codes.like(f"% {line} %")))
    if organisations is not None:
        # What the user works for (services/scope): an article kept for no organisation is
        # everyone's.
        conds.append(or_(KbArticle.organisation_id.is_(None), KbArticle.organisation_id.in_(sorted(organisations))))
    return and_(*conds)


def _quote_fts(term: str) -> str:
    return '"' + term.replace('"', '""') + '"'


def _quote_ts(term: str) -> str:
    return "'" + term.replace("\\", "\\\\").replace("'", "''") + "'"


def document_frequencies(session: Session, terms: list[str]) -> tuple[dict[str, int], int]:
    """How many articles (any status) hold each term, and how many articles there are: from the
    full-text index, the same numbers on both databases. One statement (a scalar subquery per
    term), not a round trip per term: a query of six words was seven round trips."""
    sqlite = session.get_bind().dialect.name == "sqlite"
    parts = ["(SELECT count(*) FROM kb_articles)"]
    params: dict[str, str] = {}
    for i, t in enumerate(terms):
        if sqlite:
            parts.append(f"(SELECT count(*) FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH :q{i})")
            params[f"q{i}"] = _quote_fts(t)
        else:
            parts.append("(SELECT count(*) FROM kb_articles WHERE to_tsvector('simple', search_terms) "
                         f"@@ to_tsquery('simple', :q{i}))")
            params[f"q{i}"] = _quote_ts(t)
    row = session.execute(text("SELECT " + ", ".join(parts)).bindparams(**params)).one()
    return {t: row[i + 1] or 0 for i, t in enumerate(terms)}, row[0] or 0


def _match(session: Session, terms: list[str]):
    if session.get_bind().dialect.name == "sqlite":
        q = " OR ".join(_quote_fts(t) for t in terms)
        return KbArticle.id.in_(
            select(text("rowid")).select_from(text(FTS_TABLE)).where(text(f"{FTS_TABLE} MATCH :q")).params(q=q)
        )
    q = " | ".join(_quote_ts(t) for t in terms)
    return text("to_tsvector('simple', kb_articles.search_terms) @@ to_tsquery('simple', :q)").bindparams(q=q)


_stats: "weakref.WeakKeyDictionary[object, dict[tuple, tuple[int, float]]]" = weakref.WeakKeyDictionary()
_stats_lock = threading.Lock()


def _collection(session: Session, state: tuple, where, key: tuple) -> tuple[int, float]:
    """Size and average length of the searchable collection, cached per database (engine) and
    content revision."""
    full = (state, key)
    engine = session.get_bind()
    with _stats_lock:
        hit = _stats.get(engine, {}).get(full)
    if hit is None:
        n, avg = session.execute(select(func.count(), func.avg(KbArticle.search_length)).where(where)).one()
        hit = (n or 0, float(avg or 0))
        with _stats_lock:
            cache = _stats.setdefault(engine, {})
            if len(cache) > 1000:
                cache.clear()
            cache[full] = hit
    return hit


def search(
    session: Session,
    query: str,
    *,
    day: dt.date,
    line: str | None = None,
    limit: int = 10,
    statuses: tuple[str, ...] = (Status.PUBLISHED,),
    max_share: float = 0.05,
    organisations: frozenset[int] | None = None,
) -> list[tuple[KbArticle, float]]:
    """The best ``limit`` articles for what the operator typed, best first, with their scores."""
    state = indexing.revision(session)
    an = indexing.analyzer(session, state)
    terms = an.query_terms(query)
    if not terms:
        return []
    df, total = document_frequencies(session, terms)
    fetch = retrieval_terms(terms, df, total, max_share)
    if not fetch:
        return []
    if line:
        # An article for "every line" is for every line of its own organisation.
        line_org = session.scalar(select(Line.organisation_id).where(Line.code == line))
        if line_org is not None:
            organisations = frozenset({line_org}) if organisations is None else organisations & {line_org}
    where = _filters(day, line, statuses, organisations)
    n, avg = _collection(session, state, where, (day, line, statuses, organisations))
    rows = session.execute(
        select(KbArticle.id, KbArticle.title_terms, KbArticle.search_terms, KbArticle.search_length)
        .where(where, _match(session, fetch))
    ).all()
    cands = [Candidate(r.id, r.title_terms, r.search_terms, r.search_length) for r in rows]

    def text_of(ids: list[int]) -> dict[int, str]:
        return {r.id: f"{r.title}\n{r.keywords}\n{r.answer}" for r in session.execute(
            select(KbArticle.id, KbArticle.title, KbArticle.keywords, KbArticle.answer).where(KbArticle.id.in_(ids)))}

    ranked = rank(terms, cands, collection_size=n, average_length=avg, query_text=query,
                  limit=limit, text_of=text_of)
    by_id = {a.id: a for a in session.scalars(select(KbArticle).where(KbArticle.id.in_([s.id for s in ranked])))}
    return [(by_id[s.id], s.score) for s in ranked]


def search_out(results: list[tuple[KbArticle, float]]) -> list[dict[str, Any]]:
    return [{"id": a.id, "score": score} for a, score in results]
