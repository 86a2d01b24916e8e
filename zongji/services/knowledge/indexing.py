"""The analyser and the pre-segmented terms of each article (issue 11, point 3).

One ``Analyzer`` per (synonym table, articles' keywords) state, cached in the process and rebuilt
when either changes (a cheap aggregate query tells). Index and query use the same analyser.
"""

from __future__ import annotations

import datetime as dt
import threading
import weakref

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from zongji.domain.chinese_text import Analyzer, Synonyms, analyzer_for, term_text
from zongji.domain.knowledge.ranking import weighted_length
from zongji.store import jobs
from zongji.store.knowledge_models import KbArticle, KbSynonymGroup

REINDEX_JOB = "knowledge.reindex"

_lock = threading.Lock()
# One analyser per database (engine) of this process, with the state it was built for.
_cache: "weakref.WeakKeyDictionary[object, tuple[tuple, Analyzer]]" = weakref.WeakKeyDictionary()


def _state(session: Session) -> tuple:
    syn = session.execute(select(func.count(), func.max(KbSynonymGroup.updated_at), func.max(KbSynonymGroup.id))).one()
    # Articles are never deleted (archived instead): a new one raises max(id), a change
    # max(updated_at); both are index look-ups, not a scan.
    art = (session.scalar(select(func.max(KbArticle.id))), session.scalar(select(func.max(KbArticle.updated_at))))
    return (*syn, *art)


def synonyms(session: Session) -> Synonyms:
    return Synonyms.from_lines(session.scalars(select(KbSynonymGroup.words).order_by(KbSynonymGroup.id)))


def revision(session: Session) -> tuple:
    """What the articles and synonyms are now, cheaply: equal revisions, equal content."""
    return _state(session)


def analyzer(session: Session, state: tuple | None = None) -> Analyzer:
    state = state or _state(session)
    key = session.get_bind()
    with _lock:
        hit = _cache.get(key)
        if hit is not None and hit[0] == state:
            return hit[1]
    words: set[str] = set()
    for kw in session.scalars(select(KbArticle.keywords)):
        words.update(w for w in (kw or "").splitlines() if w.strip())
    built = analyzer_for(synonyms(session), words)
    with _lock:
        _cache[key] = (state, built)
    return built


def keywords_list(article: KbArticle) -> list[str]:
    return [w for w in (article.keywords or "").splitlines() if w.strip()]


def index(article: KbArticle, an: Analyzer) -> None:
    """Set the article's pre-segmented terms (title and keywords; everything) and its length."""
    title = an.terms(article.title + " " + " ".join(keywords_list(article)))
    body = an.terms(article.answer)
    article.title_terms = term_text(title)
    article.search_terms = term_text(title + body)
    article.search_length = weighted_length(title, body)


def reindex_all(session: Session) -> int:
    an = analyzer(session)
    n = 0
    for article in session.scalars(select(KbArticle)):
        index(article, an)
        n += 1
    return n


def schedule_reindex(session: Session, now: dt.datetime) -> None:
    jobs.schedule(session, REINDEX_JOB, f"knowledge-reindex:{now.isoformat()}", now, {})
