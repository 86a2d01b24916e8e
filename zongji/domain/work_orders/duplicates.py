"""Duplicate suggestions (R-P8; issue 11 point 5): weighted evidence that two orders are about the
same matter, also when two different callers say it in other words.

Named components, each 0…1, weighted by ``DuplicateWeights`` (the settings ``duplicate_weight_*``):

* ``caller_match`` — the same caller's number (digits only); unchanged from before: the same
  caller calling again is strong evidence on its own;
* ``place_match`` — coordinates within ``place_radius_m``, else the places' parts compared
  (``place_forms``: 八十八号 = 88号, 号楼 = 栋, the same road and number, the same community and
  building), taken from the place field and, where it lacks them, from the description; with no
  parts, the folded place texts' character bigrams (at least ``place_text_min``);
* ``category_or_unit_match`` — the same category (or one an ancestor of the other, city/lights
  under city) or the same handling unit;
* ``matter_similarity`` — the descriptions without their place parts, as words of the shared
  ``Analyzer`` (segmentation, folding, synonyms such as 坏了 = 故障, 黑漆漆 = 不亮), compared by
  a term-weighted cosine (longer words weigh more; single characters and filler words less);
* ``time_proximity`` — 1 within ``time_full`` of each other, falling to 0 at ``window``.

The score is the weighted sum (at most 1); an order at or above ``threshold`` is a likely
duplicate. ``DEFAULT_SYNONYM_LINES`` is a small starting table of what callers say about the
usual matters; the centre's editable table replaces it by passing its own ``Analyzer``.
"""

from __future__ import annotations

import math
import unicodedata
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any

from zongji.domain.chinese_text import Analyzer, Synonyms
from zongji.domain.work_orders.place_forms import PlaceParts, place_parts, place_similarity, without_place
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
    unit: Any = None  # the handling unit (id), when known


@dataclass(frozen=True)
class DuplicateWeights:
    """Each component's weight (the settings ``duplicate_weight_*``) and the limits."""

    same_caller: float = 0.30
    same_place: float = 0.25
    same_category: float = 0.15  # the same category or the same unit
    text: float = 0.25
    time: float = 0.05
    threshold: float = 0.5
    window: timedelta = timedelta(days=7)  # only orders this recent are compared
    time_full: timedelta = timedelta(hours=24)  # this close in time counts fully
    place_radius_m: float = 200.0  # coordinates this close count as the same place
    place_text_min: float = 0.6  # place texts at least this similar count (scaled)


@dataclass(frozen=True)
class DuplicateScore:
    ref: Any
    score: float  # 0…1
    text_similarity: float
    reasons: tuple[str, ...]  # "same_caller", "same_place", "same_category", "same_unit", "similar_text"


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

# A small starting table of what callers say about the usual matters (first word canonical).
DEFAULT_SYNONYM_LINES: tuple[str, ...] = (
    "路灯 = 街灯 = 路灯杆 = 灯杆",
    "不亮 = 不亮了 = 熄灭 = 灭了 = 黑漆漆 = 黑漆 = 黑乎乎 = 没亮 = 不亮灯 = 很黑",
    "故障 = 坏了 = 坏 = 坏掉 = 出问题 = 不能用 = 用不了 = 失灵",
    "井盖 = 窨井盖 = 井盖子 = 下水道井盖",
    "丢失 = 丢了 = 不见了 = 被偷 = 缺失 = 没了 = 被偷了",
    "下水道 = 排水管 = 下水管道 = 污水管 = 下水管",
    "堵塞 = 堵了 = 不通 = 堵住 = 堵住了",
    "漏水 = 渗水 = 滴水 = 漏水了",
    "噪音 = 噪声 = 吵 = 很吵 = 扰民 = 太吵",
    "积水 = 水淹 = 淹水 = 内涝 = 淹了",
    "停水 = 没水 = 断水 = 没有水",
    "停电 = 没电 = 断电 = 没有电",
    "倒伏 = 倒了 = 倒下 = 倒在",
    "树木 = 大树 = 树",
    "违停 = 乱停车 = 违章停车 = 乱停 = 乱停乱放",
    "流浪狗 = 流浪犬只 = 野狗 = 流浪犬",
    "垃圾 = 生活垃圾 = 垃圾堆",
    "清运 = 清理 = 收走 = 拉走 = 处理",
    "油烟 = 油烟味",
    "坑洼 = 坑 = 大坑 = 坑坑洼洼 = 塌陷",
    "广场舞 = 跳舞",
    "电梯 = 升降梯",
    "施工 = 工地 = 装修",
)
# Words the analyser must keep whole (rjieba would split or swallow them).
DEFAULT_WORDS: tuple[str, ...] = ("路灯", "不亮", "东门", "西门", "南门", "北门", "井盖", "楼道灯", "没水", "没电",
                                  "坑洼", "广场舞", "乱停车", "窨井盖")
# Words that say little about which matter it is; they weigh less in ``matter_similarity``.
FILLER_WORDS: frozenset[str] = frozenset(
    "晚上 白天 早上 半夜 那边 这边 附近 旁边 门口 问题 情况 反映 投诉 希望 尽快 处理 解决 已经 好几天 几天 一周 "
    "居民 市民 大家 小区 地方 东门 西门 南门 北门 里面 外面 整条 一直 每天 影响 非常 特别 严重 出行".split()
)


@lru_cache(maxsize=1)
def default_analyzer() -> Analyzer:
    """The analyser with ``DEFAULT_SYNONYM_LINES`` and ``DEFAULT_WORDS`` (built once)."""
    return Analyzer(Synonyms.from_lines(DEFAULT_SYNONYM_LINES), DEFAULT_WORDS)


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


def caller_match(a: OrderDigest, b: OrderDigest) -> float:
    """1 when both orders have the same caller number (digits only), else 0."""
    n1, n2 = phone_digits(a.caller_number), phone_digits(b.caller_number)
    return 1.0 if n1 and n1 == n2 else 0.0


def place_match(a: OrderDigest, b: OrderDigest, weights: DuplicateWeights = DuplicateWeights()) -> float:
    """How surely both orders are about the same place (0…1): coordinates, else place parts (from
    the place field, completed from the description), else the place texts' bigrams."""
    if None not in (a.latitude, a.longitude, b.latitude, b.longitude):
        if _distance_m(a.latitude, a.longitude, b.latitude, b.longitude) <= weights.place_radius_m:  # type: ignore[arg-type]
            return 1.0
    pa = _place_parts_of(a.place).merged(_place_parts_of(a.text))
    pb = _place_parts_of(b.place).merged(_place_parts_of(b.text))
    sim = place_similarity(pa, pb)
    if sim is not None:
        return sim
    if a.place and b.place:
        if normalize_text(a.place) == normalize_text(b.place):
            return 1.0
        ts = text_similarity(a.place, b.place)
        if ts >= weights.place_text_min:
            return ts
    return 0.0


def category_or_unit_match(a: OrderDigest, b: OrderDigest) -> str | None:
    """``"same_category"`` (equal or ancestor), ``"same_unit"``, or None."""
    if _category_match(a.category, b.category):
        return "same_category"
    if a.unit is not None and a.unit == b.unit:
        return "same_unit"
    return None


def _term_weight(word: str) -> float:
    if word in FILLER_WORDS:
        return 0.3
    if len(word) == 1 or word.isascii():
        return 0.4
    return 1.0 + 0.25 * min(len(word) - 2, 2)


@lru_cache(maxsize=20000)
def _place_parts_of(text: str | None) -> PlaceParts:
    return place_parts(text)


@lru_cache(maxsize=20000)
def _matter_vector(text: str, analyzer: Analyzer) -> tuple[tuple[str, float], ...]:
    words = analyzer.words(without_place(_place_parts_of(text)))
    return tuple((w, n * _term_weight(w)) for w, n in Counter(words).items())


def matter_vector(text: str, analyzer: Analyzer | None = None) -> dict[str, float]:
    """The description's words without its place parts, each weighted (``_term_weight`` × count).
    Remembered per text and analyser: the form asks again with every keystroke."""
    return dict(_matter_vector(text or "", analyzer or default_analyzer()))


def matter_similarity(a: str, b: str, analyzer: Analyzer | None = None) -> float:
    """Term-weighted cosine of the two descriptions' matter words (0…1)."""
    va, vb = matter_vector(a, analyzer), matter_vector(b, analyzer)
    if not va or not vb:
        return 0.0
    dot = sum(x * vb.get(w, 0.0) for w, x in va.items())
    norm = math.sqrt(sum(x * x for x in va.values())) * math.sqrt(sum(x * x for x in vb.values()))
    return dot / norm if norm else 0.0


def time_proximity(a: datetime, b: datetime, weights: DuplicateWeights = DuplicateWeights()) -> float:
    """1 within ``time_full`` of each other, falling linearly to 0 at ``window``."""
    gap, full, window = abs(a - b), weights.time_full, weights.window
    if gap <= full:
        return 1.0
    if gap >= window or window <= full:
        return 0.0
    return 1.0 - (gap - full) / (window - full)


def score_duplicate(new: OrderDigest, other: OrderDigest, weights: DuplicateWeights = DuplicateWeights(),
                    analyzer: Analyzer | None = None) -> DuplicateScore:
    """Weighted evidence that ``other`` is about the same matter as ``new``."""
    w = weights
    score = 0.0
    reasons: list[str] = []
    if caller_match(new, other):
        score += w.same_caller
        reasons.append("same_caller")
    place = place_match(new, other, w)
    if place > 0:
        score += w.same_place * place
        if place >= 0.6:
            reasons.append("same_place")
    same = category_or_unit_match(new, other)
    if same:
        score += w.same_category
        reasons.append(same)
    ts = matter_similarity(new.text, other.text, analyzer)
    if ts > 0:
        score += w.text * ts
        if ts >= 0.3:
            reasons.append("similar_text")
    score += w.time * time_proximity(new.created_at, other.created_at, w)
    return DuplicateScore(other.ref, round(min(score, 1.0), 4), round(ts, 4), tuple(reasons))


def find_likely_duplicates(
    new: OrderDigest,
    recent: Iterable[OrderDigest],
    weights: DuplicateWeights = DuplicateWeights(),
    *,
    limit: int = 5,
    analyzer: Analyzer | None = None,
) -> list[DuplicateScore]:
    """Orders within ``weights.window`` before (or after) ``new`` scoring at least the
    threshold, best first (ties: most recent first)."""
    scored = []
    for other in recent:
        if other.ref == new.ref or abs(new.created_at - other.created_at) > weights.window:
            continue
        s = score_duplicate(new, other, weights, analyzer)
        if s.score >= weights.threshold:
            scored.append((s, other.created_at))
    scored.sort(key=lambda p: (-p[0].score, -p[1].timestamp()))
    return [s for s, _ in scored[:limit]]
