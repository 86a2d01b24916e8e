"""Finding a hotel in the directory by name, pinyin (full or initials) or city (R-T2: "if its
number is unknown, look it up"). Pure: the search keys of a hotel and whether a query matches."""

from __future__ import annotations

from zongji.domain.chinese_text import fold, pinyin_forms


def search_keys(name: str, city: str) -> str:
    """One folded text holding the name, the city and their pinyin (full and initials), stored
    with the hotel so a search is a ``LIKE`` on one column."""
    parts = [fold(name), fold(city)]
    for word in (name.strip(), city.strip()):
        han = "".join(ch for ch in word if "\u3400" <= ch <= "\u9fff")
        parts.extend(pinyin_forms(han) if han else ())
    return " ".join(p for p in parts if p)[:500]


def query_key(q: str) -> str:
    """The folded query (a Chinese word, pinyin or initials all match ``search_keys``)."""
    return fold(q).replace(" ", "")
