"""Duplicate suggestions (R-P8): weighted evidence that two orders are about the same matter —
the same caller, the same place (coordinates or place text), the same category, similar text
(character bigrams, which work for Chinese without word segmentation)."""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from zongji.domain.work_orders.phone_digits import phone_digits

@dataclass(frozen=True)
class OrderDigest:
    """What duplicate scoring looks at. ``ref`` is whatever identifies the order (id/number)."""

    ref: Any
    created_at: datetime
    caller_number: str | None = None
    place: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    category: str | None = None
    text: str = ""


@dataclass(frozen=True)
class DuplicateWeights:
    same_caller: float = 0.30
    same_place: float = 0.20
    same_category: float = 0.15
    text: float = 0.35
    threshold: float = 0.5
    window: timedelta = timedelta(days=7)  # only orders this recent are compared
    place_radius_m: float = 200.0  # coordinates this close count as the same place
    place_text_min: float = 0.6  # place texts at least this similar count (scaled)


@dataclass(frozen=True)
class DuplicateScore:
    ref: Any
    score: float  # 0…1
    text_similarity: float
    reasons: tuple[str, ...]  # "same_caller", "same_place", "same_category", "similar_text"


_PUNCT_CATEGORIES = {"P", "Z", "S", "C"}


def normalize_text(text: str) -> str:
    """NFKC (full-width → half-width), lower case, without spaces, punctuation or symbols."""
    t = unicodedata.normalize("NFKC", text or "").lower()
    return "".join(ch for ch in t if unicodedata.category(ch)[0] not in _PUNCT_CATEGORIES)


def bigrams(text: str) -> frozenset[str]:
    """Character bigrams of the normalized text (a one-character text gives itself)."""
    t = normalize_text(text)
    if len(t) < 2:
        return frozenset({t}) if t else frozenset()
    return frozenset(t[i : i + 2] for i in range(len(t) - 1))


def text_similarity(a: str, b: str) -> float:
    """Jaccard similarity of character bigrams — works for Chinese without word segmentation."""
    x, y = bigrams(a), bigrams(b)
    if not x or not y:
        return 0.0
    return len(x & y) / len(x | y)

def _distance_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    r = 6371000.0
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * r * math.asin(min(1.0, math.sqrt(h)))


def _category_match(a: str | None, b: str | None) -> bool:
    """Same category, or one is an ancestor of the other in a path like "city/lights"."""
    if not a or not b:
        return False
    return a == b or a.startswith(b + "/") or b.startswith(a + "/")


def score_duplicate(new: OrderDigest, other: OrderDigest, weights: DuplicateWeights = DuplicateWeights()) -> DuplicateScore:
    """Weighted evidence that ``other`` is about the same matter as ``new``."""
    w = weights
    score = 0.0
    reasons: list[str] = []
    n1, n2 = phone_digits(new.caller_number), phone_digits(other.caller_number)
    if n1 and n1 == n2:
        score += w.same_caller
        reasons.append("same_caller")
    place = 0.0
    if None not in (new.latitude, new.longitude, other.latitude, other.longitude):
        if _distance_m(new.latitude, new.longitude, other.latitude, other.longitude) <= w.place_radius_m:  # type: ignore[arg-type]
            place = 1.0
    if place < 1.0 and new.place and other.place:
        if normalize_text(new.place) == normalize_text(other.place):
            place = 1.0
        else:
            sim = text_similarity(new.place, other.place)
            if sim >= w.place_text_min:
                place = max(place, sim)
    if place > 0:
        score += w.same_place * place
        reasons.append("same_place")
    if _category_match(new.category, other.category):
        score += w.same_category
        reasons.append("same_category")
    ts = text_similarity(new.text, other.text)
    if ts > 0:
        score += w.text * ts
        if ts >= 0.3:
            reasons.append("similar_text")
    return DuplicateScore(other.ref, round(min(score, 1.0), 4), round(ts, 4), tuple(reasons))


def find_likely_duplicates(
    new: OrderDigest,
    recent: Iterable[OrderDigest],
    weights: DuplicateWeights = DuplicateWeights(),
    *,
    limit: int = 5,
) -> list[DuplicateScore]:
    """Orders within ``weights.window`` before (or after) ``new`` scoring at least the
    threshold, best first (ties: most recent first)."""
    scored = []
    for other in recent:
        if other.ref == new.ref or abs(new.created_at - other.created_at) > weights.window:
            continue
        s = score_duplicate(new, other, weights)
        if s.score >= weights.threshold:
            scored.append((s, other.created_at))
    scored.sort(key=lambda p: (-p[0].score, -p[1].timestamp()))
    return [s for s, _ in scored[:limit]]
