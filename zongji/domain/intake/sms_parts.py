"""A long SMS arrives in parts (the UDH concatenation header: one reference number for the whole
message, the part's number 1…total, the total); the message is the parts' texts in order once
every part is there. Parts may come in any order and repeat."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

MAX_PARTS = 255  # the UDH field is one octet


@dataclass(frozen=True)
class Part:
    part: int
    total: int
    text: str


def check(part: int | None, total: int | None) -> str | None:
    """The field at fault, or None: part and total go together, 1 ≤ part ≤ total ≤ 255."""
    if part is None and total is None:
        return None
    if total is None or not (1 <= total <= MAX_PARTS):
        return "total"
    if part is None or not (1 <= part <= total):
        return "part"
    return None


def assemble(parts: Iterable[Part]) -> str | None:
    """The whole text when every part 1…total is there (repeats ignored), else None."""
    by_no: dict[int, Part] = {}
    total = None
    for p in parts:
        total = total or p.total
        by_no.setdefault(p.part, p)
    if total is None or any(n not in by_no for n in range(1, total + 1)):
        return None
    return "".join(by_no[n].text for n in range(1, total + 1))
