"""The dates Zongji accepts from its users: years 1900 to 2999. Anything else in a filter or a
form is a typing slip (``0001-01-01``, ``9999-12-31``) answered with a 4xx naming the field,
never a date the database or the time-zone arithmetic cannot hold."""

from __future__ import annotations

import datetime as dt

FIRST_YEAR = 1900
LAST_YEAR = 2999


def in_range(value: dt.date | dt.datetime) -> bool:
    """Whether ``value`` (a date or a datetime) lies in the years Zongji accepts."""
    return FIRST_YEAR <= value.year <= LAST_YEAR


def out_of_range_message(field: str) -> str:
    return f"{field} must be a date between the years {FIRST_YEAR} and {LAST_YEAR}"


__all__ = ["FIRST_YEAR", "LAST_YEAR", "in_range", "out_of_range_message"]
