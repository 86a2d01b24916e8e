"""Who pays a company extension's calls, and its monthly cap (R-C6).

A cost policy belongs to a number the PBX reports as the caller — a desk extension, or a mobile
on the enterprise network — and says who pays: ``unit`` (all by the department), ``person`` (all
by the person; e.g. the mobile, while the desk is the unit's) or ``share`` (the person pays
``person_share_percent``). A monthly cap per number: at ``warn_percent`` of it the person and
the supervisors are told once a month; at the cap, outgoing long distance is barred through the
telephony adapter until the month ends or a supervisor lifts the bar (then not barred again that
month).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Literal

Split = Literal["unit", "person", "share"]
SPLITS: tuple[Split, ...] = ("unit", "person", "share")


def person_part(amount_fen: int, split: str, share_percent: int) -> int:
    """The person's part of a charge, in fen (the unit pays the rest)."""
    if split == "person":
        return amount_fen
    if split == "share":
        share = max(0, min(100, share_percent))
        return int((Decimal(amount_fen) * share / 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))
    return 0


@dataclass(frozen=True)
class CapState:
    month: str  # "2026-12": the month the figures are of
    warned_month: str | None
    barred: bool
    lifted_month: str | None


def cap_actions(month_total_fen: int, cap_fen: int | None, warn_percent: int, state: CapState) -> list[str]:
    """What reaching ``month_total_fen`` this month calls for: ``warn`` (once a month, at
    ``warn_percent`` of the cap) and ``bar`` (at the cap, unless already barred or lifted this
    month)."""
    if not cap_fen or cap_fen <= 0:
        return []
    out = []
    if month_total_fen * 100 >= cap_fen * max(0, warn_percent) and state.warned_month != state.month:
        out.append("warn")
    if month_total_fen >= cap_fen and not state.barred and state.lifted_month != state.month:
        out.append("bar")
    return out
