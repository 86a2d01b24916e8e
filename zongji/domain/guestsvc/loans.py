"""Borrowed items (R-G2 "loans recorded for return"): each loan has a due time; on return the
attendant checks the item; whatever is still out when the guest checks out is flagged to the
front desk."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum


class ReturnCheck(StrEnum):
    OK = "ok"  # returned as lent
    DAMAGED = "damaged"
    INCOMPLETE = "incomplete"  # parts missing (a charger without its cable …)


class LoanError(ValueError):
    def __init__(self, message: str, field: str, code: str):
        super().__init__(message)
        self.field = field
        self.code = code


def due_back(lent_at: dt.datetime, hours: float, departure: dt.datetime | None) -> dt.datetime:
    """When a loan is due back: ``hours`` after it was lent, but never after the guest leaves."""
    due = lent_at + dt.timedelta(hours=hours)
    return min(due, departure) if departure is not None and departure > lent_at else due


def check_return(returned_at: dt.datetime | None, check: str) -> ReturnCheck:
    if returned_at is not None:
        raise LoanError("the item is already back", field="request_id", code="already_returned")
    try:
        return ReturnCheck(check)
    except ValueError:
        raise LoanError(f"check: one of {', '.join(ReturnCheck)}", field="check", code="bad_check") from None


@dataclass(frozen=True)
class Loan:
    ref: int
    item: str
    quantity: int
    due_at: dt.datetime
    returned_at: dt.datetime | None


def overdue(loans: Iterable[Loan], now: dt.datetime) -> list[Loan]:
    return [x for x in loans if x.returned_at is None and x.due_at <= now]


def still_out(loans: Iterable[Loan]) -> list[Loan]:
    """What the front desk must recover (or charge) at check-out."""
    return sorted((x for x in loans if x.returned_at is None), key=lambda x: x.due_at)
