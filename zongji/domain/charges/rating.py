"""The amount of a call (R-H10): the rate per started minute or per started six seconds, a
minimum charge, a service surcharge, in fen (integers; rounding half up only once, at the end).

A call that was not talked (no answer, busy, ``talk_seconds`` 0 or within the grace seconds) is
not charged."""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Literal

from zongji.domain.charges.destination import CHARGED_KINDS, Destination

Rounding = Literal["minute", "six_seconds"]


@dataclass(frozen=True)
class Tariff:
    """The settings that price a call: local and mobile prices (per minute, fen) and minimum
    minutes (IDD/DDD take theirs from the rates table), rounding, grace and surcharge."""

    local_per_minute_fen: int = 50
    mobile_per_minute_fen: int = 50
    local_minimum_minutes: int = 1
    rounding: Rounding = "minute"
    grace_seconds: int = 0
    service_percent: int = 0


@dataclass(frozen=True)
class Priced:
    amount_fen: int
    per_minute_fen: int
    units: int  # minutes, or six-second steps
    unit: Rounding


def fen(yuan: float | str | Decimal) -> int:
    """A price in yuan as whole fen (half up)."""
    return int((Decimal(str(yuan)) * 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def price(dest: Destination, talk_seconds: int | None, tariff: Tariff) -> Priced | None:
    """The charge for talking ``talk_seconds`` to ``dest``; None when the call is not charged."""
    seconds = int(talk_seconds or 0)
    if dest.kind not in CHARGED_KINDS or seconds <= 0 or seconds <= tariff.grace_seconds:
        return None
    if dest.kind in ("idd", "ddd"):
        if dest.rate is None:
            return None
        per_minute, minimum = dest.rate.per_minute_fen, max(0, dest.rate.minimum_minutes)
    elif dest.kind == "mobile":
        per_minute, minimum = tariff.mobile_per_minute_fen, max(0, tariff.local_minimum_minutes)
    else:
        per_minute, minimum = tariff.local_per_minute_fen, max(0, tariff.local_minimum_minutes)
    if tariff.rounding == "six_seconds":
        units = max(math.ceil(seconds / 6), minimum * 10)
        amount = Decimal(units) * Decimal(per_minute) / 10
    else:
        units = max(math.ceil(seconds / 60), minimum)
        amount = Decimal(units) * Decimal(per_minute)
    amount = amount * (100 + max(0, tariff.service_percent)) / 100
    return Priced(int(amount.quantize(Decimal(1), rounding=ROUND_HALF_UP)), per_minute, units, tariff.rounding)
