"""The centre's synonyms and the analyser the catalogue indexes and searches with.

Until the knowledge base keeps its synonym table in the database, the synonyms are the demo's
file (``zongji/demo/content/synonyms.txt``); ``synonym_lines`` is the one place to swap.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from zongji.domain.chinese_text import Analyzer, Synonyms
from zongji.store.catalogue_models import CatalogueMatter

_SYNONYMS_FILE = Path(__file__).resolve().parents[2] / "demo" / "content" / "synonyms.txt"


@lru_cache(maxsize=1)
def synonym_lines() -> tuple[str, ...]:
    """The synonym groups, one line each (see ``chinese_text.parse_synonym_group``)."""
    try:
        return tuple(_SYNONYMS_FILE.read_text(encoding="utf-8").splitlines())
    except OSError:
        return ()


@lru_cache(maxsize=8)
def _analyzer(words: frozenset[str]) -> Analyzer:
    return Analyzer(Synonyms.from_lines(synonym_lines()), words)


def catalogue_words(session: Session, organisation_id: int) -> frozenset[str]:
    """The centre's own words: matter names and keywords (added to the segmenter's dictionary)."""
    words: set[str] = set()
    for matter, keywords in session.execute(select(CatalogueMatter.matter, CatalogueMatter.keywords)
                                            .where(CatalogueMatter.organisation_id == organisation_id)):
        words.add(matter)
        words.update(str(k) for k in keywords or ())
    return frozenset(words)


def analyzer(session: Session, organisation_id: int, extra: frozenset[str] = frozenset()) -> Analyzer:
    """The analyser for one centre's catalogue, plus ``extra`` words (a matter being saved);
    cached per set of words, so every process segments alike."""
    return _analyzer(catalogue_words(session, organisation_id) | extra)
