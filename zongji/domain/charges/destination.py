"""What a dialled number is (R-H10): free, local, mobile, domestic long distance (DDD) or
international (IDD), and which rate of the hotel's table applies.

The number is the one the PBX reports as called, digits only; a ``+`` becomes the international
prefix ``00``; an outside-line prefix (the ``9`` or ``0`` a guest dials first) is removed when
the PBX reports it (``outside_prefix``). Rules, in order:

1. free numbers (emergency services, toll-free ``800`` numbers…): an entry is an exact number, or
   a prefix ending in ``*`` that matches numbers of 10 digits or more (toll-free numbers are 10
   digits, so ``800*`` never takes a local number that begins with 800);
2. ``00…``: international — the IDD rate with the longest matching dial code;
3. ``0…``: with the hotel's own area code (``local_area_code``), a local call dialled in full;
   otherwise domestic long distance — the DDD rate with the longest matching dial code;
4. ``1[3-9]`` and 11 digits: a mobile number;
5. 7 or 8 digits: a local number;
6. anything shorter (an extension, a service code) is internal and not charged; anything else
   is ``unknown`` and listed for a person rather than guessed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

Kind = Literal["free", "local", "mobile", "ddd", "idd", "internal", "unknown"]
CHARGED_KINDS: tuple[Kind, ...] = ("local", "mobile", "ddd", "idd")
LONG_DISTANCE_KINDS: tuple[Kind, ...] = ("ddd", "idd")

_MOBILE = re.compile(r"1[3-9]\d{9}")


@dataclass(frozen=True)
class Rate:
    """One row of the hotel's rates table: ``kind`` "idd" or "ddd", its dial code, the price per
    started minute in fen and the minimum minutes charged."""

    id: int | None
    kind: str
    dial_code: str
    destination: str
    per_minute_fen: int
    minimum_minutes: int = 1


@dataclass(frozen=True)
class Destination:
    kind: Kind
    number: str  # digits only, outside-line prefix removed
    rate: Rate | None = None  # for "idd"/"ddd": the matching row of the table


def digits(raw: str | None, *, outside_prefix: str = "") -> str:
    """The dialled number as digits: ``+`` → ``00``, separators dropped, the outside-line prefix
    removed when present."""
    text = (raw or "").strip().translate(_FULL_WIDTH)
    plus = text.startswith("+")
    number = "".join(ch for ch in text if ch.isdigit())
    if plus:
        return "00" + number
    if outside_prefix and number.startswith(outside_prefix) and len(number) > len(outside_prefix) + 5:
        number = number[len(outside_prefix):]
    return number


_FULL_WIDTH = str.maketrans("０１２３４５６７８９＋－（）　", "0123456789+-() ")


def parse_free_numbers(text: str) -> tuple[tuple[str, bool], ...]:
    """``"110,120,800*"`` → ((number or prefix, is_prefix), …)."""
    out = []
    for part in re.split(r"[,，;；\s]+", text or ""):
        part = part.strip()
        if not part:
            continue
        prefix = part.endswith("*")
        body = part.rstrip("*")
        if body.isdigit():
            out.append((body, prefix))
    return tuple(out)


def is_free(number: str, free: tuple[tuple[str, bool], ...]) -> bool:
    for body, prefix in free:
        if (prefix and len(number) >= 10 and number.startswith(body)) or (not prefix and number == body):
            return True
    return False


def _longest(number: str, rates: list[Rate], kind: str) -> Rate | None:
    best = None
    for r in rates:
        code = "".join(ch for ch in (r.dial_code or "") if ch.isdigit())
        if r.kind == kind and code and number.startswith(code) and (best is None or len(code) > len(best.dial_code)):
            best = Rate(r.id, r.kind, code, r.destination, r.per_minute_fen, r.minimum_minutes)
    return best


def classify(raw: str | None, *, rates: list[Rate], free: tuple[tuple[str, bool], ...],
             local_area_code: str = "", outside_prefix: str = "") -> Destination:
    """What the dialled number ``raw`` is, and its rate for IDD/DDD (see the module's rules)."""
    number = digits(raw, outside_prefix=outside_prefix)
    if not number:
        return Destination("unknown", number)
    if is_free(number, free):
        return Destination("free", number)
    if number.startswith("00"):
        rate = _longest(number, rates, "idd")
        return Destination("idd" if rate else "unknown", number, rate)
    if number.startswith("0"):
        area = "".join(ch for ch in local_area_code if ch.isdigit())
        if area and number.startswith(area) and len(number) - len(area) in (7, 8):
            local = number[len(area):]
            return Destination("free" if is_free(local, free) else "local", number)
        rate = _longest(number, rates, "ddd")
        return Destination("ddd" if rate else "unknown", number, rate)
    if _MOBILE.fullmatch(number):
        return Destination("mobile", number)
    if len(number) in (7, 8):
        return Destination("local", number)
    if len(number) <= 6:
        return Destination("internal", number)
    return Destination("unknown", number)
