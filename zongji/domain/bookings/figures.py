"""The bookings' figures for the statistics (issue 17 point 5): bookings per operator and day,
the confirmation rate, refusals by hotel. Pure: rows in, figures out.

The rate counts the hotels' answers (a booking refused by one hotel and then confirmed by
another counts one refusal and one confirmation): confirmed / (confirmed + refused)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from typing import Any


def confirmation_rate(confirmed: int, refused: int) -> float | None:
    """Confirmed among the hotels' answers; None when there was none."""
    answered = confirmed + refused
    return None if answered == 0 else round(confirmed / answered, 4)


def summarise(bookings: Iterable[tuple[str, str, str]],
              answers: Iterable[tuple[str, str]]) -> dict[str, Any]:
    """``bookings``: (local day created, operator, kind) per booking; ``answers``: (result
    ``confirmed``/``refused``, hotel name) per answer from a hotel."""
    per: Counter[tuple[str, str, str]] = Counter()
    for day, operator, kind in bookings:
        per[(day, operator, kind)] += 1
    results: Counter[str] = Counter()
    refusals: Counter[str] = Counter()
    for result, hotel in answers:
        results[result] += 1
        if result == "refused":
            refusals[hotel] += 1
    return {
        "per_operator_day": [{"day": d, "operator": o, "kind": k, "bookings": n}
                             for (d, o, k), n in sorted(per.items())],
        "bookings": sum(per.values()),
        "confirmed": results["confirmed"],
        "refused": results["refused"],
        "confirmation_rate": confirmation_rate(results["confirmed"], results["refused"]),
        "refusals_by_hotel": [{"hotel": h, "refusals": n} for h, n in sorted(refusals.items(), key=lambda x: (-x[1], x[0]))],
    }
