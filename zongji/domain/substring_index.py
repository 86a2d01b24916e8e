"""A text's character pairs: what lets a database index answer "contains …" (issue 18, point 1).
Pure.

An operator searches orders by any piece of what was written: 流浪狗, 幸福小区, 3号楼, a name.
Chinese has no spaces, so a word index would miss pieces that are not words; a ``LIKE '%…%'``
reads every order (seconds at 10 M orders). The classic answer of CJK search engines is an
index of adjacent character pairs (bigrams): a text that contains the query contains every pair
of the query, so the pairs find a small set of candidates through the full-text index (SQLite
FTS5, PostgreSQL's GIN over ``to_tsvector('simple', …)``) and the query's own ``LIKE`` then
keeps exactly the rows it would have found alone. The results are those of the ``LIKE``, found
through an index.

A pair is two adjacent letters or digits (``str.isalnum``: Chinese characters, Latin letters,
digits; punctuation and spaces break runs), each lowercased alone, so a pair is always one token
for both full-text parsers and a text that contains the query, in any letter case, contains
all of the query's pairs. The index also holds each single character but digits (a query of one
character — 狗, 王 — or of characters apart — 王 五 — is found through it too; one digit is a
number search), so every text query but punctuation alone has terms to look up.
"""

from __future__ import annotations

from collections.abc import Iterable


def _lower(ch: str) -> str:
    low = ch.lower()
    return low if len(low) == 1 else ch  # "İ".lower() is two characters: kept as it is


def pairs(text: str | None) -> list[str]:
    """The distinct pairs of adjacent letters or digits of ``text``, in order of first sight."""
    out: dict[str, None] = {}
    prev = ""
    for ch in text or "":
        if ch.isalnum():
            ch = _lower(ch)
            if prev:
                out[prev + ch] = None
            prev = ch
        else:
            prev = ""
    return list(out)


def singles(text: str | None) -> list[str]:
    """The distinct letters of ``text`` (not digits), lowercased, in order of first sight."""
    return list(dict.fromkeys(_lower(ch) for ch in text or "" if ch.isalnum() and not ch.isdigit()))


def index_text(texts: Iterable[str | None]) -> str:
    """The pairs and the single letters of all ``texts`` as one space-separated string, the form
    the index stores."""
    texts = list(texts)
    seen: dict[str, None] = {}
    for t in texts:
        for p in pairs(t):
            seen[p] = None
    for t in texts:
        for ch in singles(t):
            seen[ch] = None
    return " ".join(seen)


def query_terms(query: str, limit: int = 12) -> list[str]:
    """The terms a row must hold to contain ``query`` (none: the index cannot help): its pairs,
    and the letters that stand alone (``王 五``: 王 and 五; ``A座 3``: a座). At most ``limit``,
    spread over the query: a long query is as selective with a dozen of its pairs, and the index
    reads fewer lists."""
    found = pairs(query)
    paired = {ch for p in found for ch in p}
    found += [ch for ch in singles(query) if ch not in paired]
    if len(found) <= limit:
        return found
    step = len(found) / limit
    return [found[int(i * step)] for i in range(limit)]
