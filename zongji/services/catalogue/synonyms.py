"""The analyser of a centre: the knowledge base's synonym table (``services/knowledge/indexing``),
and the centre's matter names and keywords kept whole. The catalogue indexes and searches with
it, and the dispatch suggestion (training, suggestions, similar orders) uses the same one: one
analyser per centre and database in a process, rebuilt only when the synonyms or the centre's
words change."""

from __future__ import annotations

import threading
import weakref

from sqlalchemy import select
from sqlalchemy.orm import Session

from zongji.domain.chinese_text import Analyzer, analyzer_for
from zongji.services.knowledge import indexing as kb_indexing
from zongji.store.catalogue_models import CatalogueMatter

# Per database (engine) of this process, per centre: (the synonyms and words it was built for,
# the analyser). An engine that goes away takes its analysers with it.
_cache: "weakref.WeakKeyDictionary[object, dict[int, tuple[tuple, Analyzer]]]" = weakref.WeakKeyDictionary()
_lock = threading.Lock()


def catalogue_words(session: Session, organisation_id: int) -> frozenset[str]:
    """The centre's own words: matter names and keywords (added to the segmenter's dictionary)."""
    words: set[str] = set()
    for matter, keywords in session.execute(select(CatalogueMatter.matter, CatalogueMatter.keywords)
                                            .where(CatalogueMatter.organisation_id == organisation_id)):
        words.add(matter)
        words.update(str(k) for k in keywords or ())
    return frozenset(words)


def analyzer(session: Session, organisation_id: int, extra: frozenset[str] = frozenset()) -> Analyzer:
    """The analyser of one centre, plus ``extra`` words (a matter being saved: when they are not
    yet the centre's, a one-off analyser is built and the cached one kept)."""
    synonyms = kb_indexing.synonyms(session)
    words = catalogue_words(session, organisation_id)
    key = (synonyms.groups, words)
    engine = session.get_bind()
    if extra - words:
        return analyzer_for(synonyms, words | extra)
    with _lock:
        hit = _cache.get(engine, {}).get(organisation_id)
        if hit is not None and hit[0] == key:
            return hit[1]
    built = analyzer_for(synonyms, words)
    with _lock:
        _cache.setdefault(engine, {})[organisation_id] = (key, built)
    return built
