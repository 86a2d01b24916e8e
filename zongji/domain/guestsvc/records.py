"""The centre's other records (R-G4): staff sign-in per shift, work keys issued and returned (a key
not back when its shift ends is an alert), lost and found (kept until a disposal date)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass


class RecordError(ValueError):
    def __init__(self, message: str, field: str, code: str = "invalid"):
        super().__init__(message)
        self.field = field
        self.code = code


@dataclass(frozen=True)
class KeyIssue:
    ref: int
    key_label: str
    holder: str
    issued_at: dt.datetime
    shift_ends_at: dt.datetime
    returned_at: dt.datetime | None


def unreturned_at_shift_end(keys: Iterable[KeyIssue], now: dt.datetime) -> list[KeyIssue]:
    """Keys whose holder's shift has ended and that are not back: each one an alert."""
    return sorted((k for k in keys if k.returned_at is None and k.shift_ends_at <= now),
                  key=lambda k: (k.shift_ends_at, k.key_label))


def check_key_return(returned_at: dt.datetime | None) -> None:
    if returned_at is not None:
        raise RecordError("the key is already back", field="key_id", code="already_returned")


def disposal_date(found_on: dt.date, keep_days: int) -> dt.date:
    """Lost and found: an item unclaimed after ``keep_days`` may be disposed of."""
    return found_on + dt.timedelta(days=keep_days)


def check_lost_item_closing(returned_to: str | None, disposed: bool, closed: bool,
                            today: dt.date, dispose_after: dt.date) -> None:
    """An item leaves lost and found once: returned to its owner, or disposed of after its date."""
    if closed:
        raise RecordError("the item is already returned or disposed of", field="item_id", code="closed")
    if disposed and today < dispose_after:
        raise RecordError(f"kept until {dispose_after.isoformat()}", field="disposed", code="too_early")
    if not disposed and not (returned_to or "").strip():
        raise RecordError("returned to whom", field="returned_to")


def check_sign_in(already_signed_in: bool) -> None:
    if already_signed_in:
        raise RecordError("already signed in for this shift", field="shift", code="already_signed_in")
