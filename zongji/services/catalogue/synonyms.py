"""The analyser the catalogue indexes and searches with: the knowledge base's synonym table
(``services/knowledge/indexing``), and the centre's matter names and keywords kept whole."""

from __future__ import annotations

import threading
import weakref

from sqlalchemy import select
from sqlalchemy.orm import Session

from zongji.domain.chinese_text import Analyzer, analyzer_for
from zongji.services.knowledge import indexing as kb_indexing
from zongji.store.catalogue_models import CatalogueMatter

# Per database (engine) of this process: the analyser of the last (synonyms, words) asked for.
_cache: "weakref.WeakKeyDictionary[object, tuple[tuple, Analyzer]]" = weakref.WeakKeyDictionary()
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
    """The analyser for one centre's catalogue, plus ``extra`` words (a matter being saved)."""
    synonyms = kb_indexing.synonyms(session)
    key = (synonyms.groups, catalogue_words(session, organisation_id) | extra)
    engine = session.get_bind()
    with _lock:
        hit = _cache.get(engine)
        if hit is not None and hit[0] == key:
            return hit[1]
    built = analyzer_for(synonyms, key[1])
    with _lock:
        _cache[engine] = (key, built)
    return built
