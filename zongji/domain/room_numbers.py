"""Room numbers in the order people read them: 201 before 1001, A3 before A12 (natural order),
not as text ("1001" < "201"). Pure; used by every list of rooms or wake-ups."""

from __future__ import annotations

import re

_RUNS = re.compile(r"(\d+)")


def room_sort_key(number: str | None) -> tuple:
    """Sort key: runs of digits compare as numbers, the rest as case-insensitive text; a number
    run sorts before a text run at the same place (201 < 1001 < A3 < A12 < B1)."""
    text = (number or "").strip()
    key: list[tuple] = []
    for i, part in enumerate(_RUNS.split(text)):
        if part:
            key.append((0, int(part)) if i % 2 else (1, part.casefold()))
    return (tuple(key), text)  # the text last: equal keys ("0201", "201") in a fixed order
