"""An article's validity, lines, review and versions (issue 11, point 1). Pure."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Mapping
from enum import StrEnum


class Status(StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"
    ARCHIVED = "archived"


class ProposalState(StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"


# The fields a version records and a proposal may change.
VERSIONED_FIELDS = (
    "title",
    "answer",
    "keywords",
    "category",
    "lines",
    "unit_id",
    "valid_from",
    "valid_to",
    "next_review",
    "status",
)


def valid_on(valid_from: dt.date | None, valid_to: dt.date | None, day: dt.date) -> bool:
    """Valid from its first day through its last, both inclusive; an open end is no limit."""
    return (valid_from is None or valid_from <= day) and (valid_to is None or day <= valid_to)


def applies_to_line(article_lines: Collection[str], line: str | None) -> bool:
    """No lines means every line of its organisation; no line asked means any article."""
    return not article_lines or line is None or line in article_lines


def review_due(next_review: dt.date | None, today: dt.date) -> bool:
    """Flagged once its review date has passed (the review day itself is still in time)."""
    return next_review is not None and next_review < today


def next_review_after(day: dt.date, months: int) -> dt.date:
    """``day`` plus ``months`` calendar months, clamped to the month's last day."""
    month0 = day.month - 1 + months
    year, month = day.year + month0 // 12, month0 % 12 + 1
    for d in (day.day, 30, 29, 28):
        try:
            return dt.date(year, month, d)
        except ValueError:
            continue
    raise AssertionError("unreachable")


def changes(old: Mapping[str, object], new: Mapping[str, object]) -> dict[str, list[object]]:
    """The versioned fields that differ, as ``{field: [old, new]}`` (a version's diff)."""
    return {f: [old.get(f), new.get(f)] for f in VERSIONED_FIELDS if f in new and old.get(f) != new.get(f)}


def check_validity_range(valid_from: dt.date | None, valid_to: dt.date | None) -> str | None:
    """The offending field's name when the range is backwards, else None."""
    if valid_from and valid_to and valid_to < valid_from:
        return "valid_to"
    return None
