"""Call quality review (质检; issue 10, point 4; issue 11 point 7; R-C4 attitude, R-O5 regular
evaluation). Pure.

A reviewer scores an answered call on the centre's evaluation items, each out of its points; the
supervisor edits the items (label, points, order, active). The defaults below apply until they do;
they still sum to 100. A review keeps the items it was scored on, so editing items later does not
change old reviews. A fatal error (a guest's room disclosed, a caller insulted, a wrong answer that
harms) scores the call 0 whatever the rest. An operator's quality score for a period is the mean
of their reviewed calls, each on a 0–100 scale (total × 100 / the items' sum).
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from typing import Iterable, Mapping


@dataclass(frozen=True)
class Criterion:
    key: str
    label_zh: str
    label_en: str
    points: int
    order: int = 0
    active: bool = True

    def out(self) -> dict:
        return asdict(self)


# The first five are the issue-10 criteria; "scripts" (规范用语) and "forbidden" (禁语) come from
# issue 11 point 7 (R-O5). Points rebalanced so the defaults still make 100.
CRITERIA: tuple[Criterion, ...] = (
    Criterion("greeting", "开头语与报号规范", "Greeting and work number", 10, 1),
    Criterion("listening", "倾听与询问", "Listening and asking", 15, 2),
    Criterion("accuracy", "答复准确、办理正确", "Accurate answer, right handling", 25, 3),
    Criterion("attitude", "服务态度与用语", "Attitude and wording", 15, 4),
    Criterion("closing", "结束语与记录完整", "Closing and complete record", 15, 5),
    Criterion("scripts", "规范用语", "Standard scripts", 10, 6),
    Criterion("forbidden", "禁语", "Forbidden phrases", 10, 7),
)
CRITERIA_BY_KEY = {c.key: c for c in CRITERIA}

# What reviews made before the items were configurable were scored on (issue 10).
LEGACY_CRITERIA: tuple[Criterion, ...] = (
    Criterion("greeting", "开头语与报号规范", "Greeting and work number", 10, 1),
    Criterion("listening", "倾听与询问", "Listening and asking", 20, 2),
    Criterion("accuracy", "答复准确、办理正确", "Accurate answer, right handling", 30, 3),
    Criterion("attitude", "服务态度与用语", "Attitude and wording", 20, 4),
    Criterion("closing", "结束语与记录完整", "Closing and complete record", 20, 5),
)

KEY_PATTERN = re.compile(r"^[a-z][a-z0-9_]{0,29}$")
LABEL_MAX = 60
POINTS_MAX = 100
ITEMS_MAX = 30
ITEM_COMMENT_MAX = 500


class ScoreError(ValueError):
    def __init__(self, message: str, field: str):
        super().__init__(message)
        self.field = field


def check_items(items: Iterable[Criterion]) -> list[Criterion]:
    """The edited item list, in order; refused naming the field when wrong. At least one active."""
    out: list[Criterion] = []
    seen: set[str] = set()
    for i, c in enumerate(items):
        where = f"items.{i}"
        if not KEY_PATTERN.match(c.key):
            raise ScoreError("key: lower-case letters, digits and _", field=f"{where}.key")
        if c.key in seen:
            raise ScoreError(f"item {c.key!r} twice", field=f"{where}.key")
        seen.add(c.key)
        if not c.label_zh.strip() or len(c.label_zh) > LABEL_MAX:
            raise ScoreError(f"label_zh: 1 to {LABEL_MAX} characters", field=f"{where}.label_zh")
        if len(c.label_en) > LABEL_MAX:
            raise ScoreError(f"label_en: at most {LABEL_MAX} characters", field=f"{where}.label_en")
        if isinstance(c.points, bool) or not isinstance(c.points, int) or not 1 <= c.points <= POINTS_MAX:
            raise ScoreError(f"points: 1 to {POINTS_MAX}", field=f"{where}.points")
        out.append(Criterion(c.key, c.label_zh.strip(), c.label_en.strip(), c.points, c.order, bool(c.active)))
    if len(out) > ITEMS_MAX:
        raise ScoreError(f"at most {ITEMS_MAX} items", field="items")
    if not any(c.active for c in out):
        raise ScoreError("at least one active item", field="items")
    return sorted(out, key=lambda c: (c.order, c.key))


def max_points(items: Iterable[Criterion]) -> int:
    return sum(c.points for c in items)


def total(scores: Mapping[str, int], fatal: bool, items: Iterable[Criterion] = CRITERIA) -> int:
    """The call's points out of ``max_points(items)``; every item scored within its points."""
    items = [c for c in items if c.active]
    keys = {c.key for c in items}
    unknown = set(scores) - keys
    if unknown:
        raise ScoreError(f"no criterion {sorted(unknown)[0]!r}", field="scores")
    for c in items:
        v = scores.get(c.key)
        if v is None:
            raise ScoreError(f"score {c.key} (0–{c.points})", field=f"scores.{c.key}")
        if isinstance(v, bool) or not isinstance(v, int) or not 0 <= v <= c.points:
            raise ScoreError(f"{c.key} is 0 to {c.points}", field=f"scores.{c.key}")
    return 0 if fatal else sum(scores[c.key] for c in items)


def percent(total_points: int, out_of: int) -> float:
    """A call's score on the 0–100 scale the operator figures use."""
    return 0.0 if out_of <= 0 else total_points * 100 / out_of


def mean_score(totals: list[int]) -> float | None:
    return None if not totals else sum(totals) / len(totals)
