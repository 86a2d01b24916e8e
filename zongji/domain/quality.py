"""Call quality review (质检; issue 10, point 4; R-C4 attitude, R-O5 regular evaluation). Pure.

A reviewer scores an answered call on the centre's criteria, each out of its points, 100 in all;
a fatal error (a guest's room disclosed, a caller insulted, a wrong answer that harms) scores
the call 0 whatever the rest. An operator's quality score for a period is the mean of their
reviewed calls.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping


@dataclass(frozen=True)
class Criterion:
    key: str
    label_zh: str
    label_en: str
    points: int


CRITERIA: tuple[Criterion, ...] = (
    Criterion("greeting", "开头语与报号规范", "Greeting and work number", 10),
    Criterion("listening", "倾听与询问", "Listening and asking", 20),
    Criterion("accuracy", "答复准确、办理正确", "Accurate answer, right handling", 30),
    Criterion("attitude", "服务态度与用语", "Attitude and wording", 20),
    Criterion("closing", "结束语与记录完整", "Closing and complete record", 20),
)
CRITERIA_BY_KEY = {c.key: c for c in CRITERIA}


class ScoreError(ValueError):
    def __init__(self, message: str, field: str):
        super().__init__(message)
        self.field = field


def total(scores: Mapping[str, int], fatal: bool) -> int:
    """The call's score out of 100; every criterion scored within its points."""
    unknown = set(scores) - set(CRITERIA_BY_KEY)
    if unknown:
        raise ScoreError(f"no criterion {sorted(unknown)[0]!r}", field="scores")
    for c in CRITERIA:
        v = scores.get(c.key)
        if v is None:
            raise ScoreError(f"score {c.key} (0–{c.points})", field=f"scores.{c.key}")
        if isinstance(v, bool) or not isinstance(v, int) or not 0 <= v <= c.points:
            raise ScoreError(f"{c.key} is 0 to {c.points}", field=f"scores.{c.key}")
    return 0 if fatal else sum(scores[c.key] for c in CRITERIA)


def mean_score(totals: list[int]) -> float | None:
    return None if not totals else sum(totals) / len(totals)
