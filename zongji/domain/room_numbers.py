"""Room numbers in the order people read them: 201 before 1001, A3 before A12 (natural order),
not as text ("1001" < "201"). Pure; used by every list of rooms or wake-ups."""

from __future__ import annotations

import re
import unicodedata

_RUNS = re.compile(r"(\d+)")
_SPACES = re.compile(r"\s+")


def normalize_room(typed: str | None) -> str:
    """A room number as typed, the way rooms are stored: full-width digits and letters folded
    (３０１ → 301, Ａ３ → A3), spaces (also the ideographic one) removed, and a trailing 房/号/房间
    dropped ("301房" is room 301). Every place a room is typed uses this."""
    text = unicodedata.normalize("NFKC", typed or "")
    text = _SPACES.sub("", text)
    for suffix in ("房间", "号房", "房", "号"):
        if text.endswith(suffix) and len(text) > len(suffix):
            text = text[: -len(suffix)]
            break
    return text


def room_sort_key(number: str | None) -> tuple:
    """Sort key: runs of digits compare as numbers, the rest as case-insensitive text; a number
    run sorts before a text run at the same place (201 < 1001 < A3 < A12 < B1)."""
    text = (number or "").strip()
    key: list[tuple] = []
    for i, part in enumerate(_RUNS.split(text)):
        if part:
            key.append((0, int(part)) if i % 2 else (1, part.casefold()))
    return (tuple(key), text)  # the text last: equal keys ("0201", "201") in a fixed order
