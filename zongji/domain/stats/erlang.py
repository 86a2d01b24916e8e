"""Erlang C: how many operators a half-hour needs (issue 10, point 5). Pure.

Calls arriving at random (Poisson) to ``n`` operators with a mean handle time: the traffic in
Erlang is ``calls × AHT ÷ period``; Erlang B is computed by its stable recursion (no factorials,
fine for hundreds of operators), Erlang C (the probability a caller waits) from it. The numbers
reproduce the published vectors (tests/domain/test_erlang.py).
"""

from __future__ import annotations

import math
from dataclasses import dataclass


def traffic(calls: float, aht_seconds: float, period_seconds: float = 1800.0) -> float:
    """Offered traffic in Erlang: calls × mean handle time ÷ the period's length."""
    if calls < 0 or aht_seconds < 0 or period_seconds <= 0:
        raise ValueError("calls and AHT must be ≥ 0 and the period > 0")
    return calls * aht_seconds / period_seconds


def erlang_b(agents: int, erlangs: float) -> float:
    """Blocking probability with ``agents`` servers, by B(0)=1, B(n)=A·B(n−1)/(n+A·B(n−1))."""
    b = 1.0
    for n in range(1, agents + 1):
        b = erlangs * b / (n + erlangs * b)
    return b


def erlang_c(agents: int, erlangs: float) -> float:
    """Probability that a caller has to wait; 1 when the operators cannot keep up (A ≥ n)."""
    if agents <= 0 or erlangs >= agents:
        return 1.0
    if erlangs == 0:
        return 0.0
    b = erlang_b(agents, erlangs)
    return agents * b / (agents - erlangs * (1 - b))


def service_level(agents: int, erlangs: float, aht_seconds: float, target_seconds: float) -> float:
    """Share of callers answered within ``target_seconds``."""
    if agents <= 0 or erlangs >= agents:
        return 0.0
    pw = erlang_c(agents, erlangs)
    return max(0.0, 1.0 - pw * math.exp(-(agents - erlangs) * target_seconds / aht_seconds))


def asa(agents: int, erlangs: float, aht_seconds: float) -> float:
    """Average speed of answer in seconds (over all callers); infinite when overloaded."""
    if agents <= 0 or erlangs >= agents:
        return math.inf
    return erlang_c(agents, erlangs) * aht_seconds / (agents - erlangs)


def occupancy(agents: int, erlangs: float) -> float:
    return min(1.0, erlangs / agents) if agents > 0 else 1.0


@dataclass(frozen=True)
class Staffing:
    erlangs: float
    agents: int  # operators taking calls (raw)
    positions: int  # operators to schedule, after shrinkage
    service_level: float
    occupancy: float
    probability_waiting: float
    asa_seconds: float


def staff(calls: float, aht_seconds: float, *, target_seconds: float, target_level: float,
          shrinkage: float = 0.0, max_occupancy: float = 1.0, period_seconds: float = 1800.0) -> Staffing:
    """The fewest operators meeting the service-level target without exceeding ``max_occupancy``,
    and the positions to schedule so that many are on the phones after ``shrinkage`` (breaks,
    training, absence: 0.3 = 30 % of paid time off the phones)."""
    if not 0 <= shrinkage < 1 or not 0 < max_occupancy <= 1 or not 0 < target_level < 1:
        raise ValueError("shrinkage in [0, 1), max occupancy in (0, 1], target level in (0, 1)")
    a = traffic(calls, aht_seconds, period_seconds)
    if a == 0:
        return Staffing(0.0, 0, 0, 1.0, 0.0, 0.0, 0.0)
    n = max(1, math.floor(a) + 1, math.ceil(a / max_occupancy - 1e-9))
    while service_level(n, a, aht_seconds, target_seconds) < target_level:
        n += 1
    return Staffing(erlangs=a, agents=n, positions=math.ceil(n / (1 - shrinkage) - 1e-9),
                    service_level=service_level(n, a, aht_seconds, target_seconds),
                    occupancy=occupancy(n, a), probability_waiting=erlang_c(n, a),
                    asa_seconds=asa(n, a, aht_seconds))


def forecast(arrivals: dict[tuple[int, int], list[float]], aht_seconds: float, *, target_seconds: float,
             target_level: float, shrinkage: float = 0.0, max_occupancy: float = 1.0
             ) -> dict[tuple[int, int], Staffing]:
    """Operators needed per (weekday 0–6, half-hour 0–47) of a coming week, from the calls each
    such half-hour had in the last weeks (their mean is the forecast)."""
    out = {}
    for slot, counts in sorted(arrivals.items()):
        expected = sum(counts) / len(counts) if counts else 0.0
        out[slot] = staff(expected, aht_seconds, target_seconds=target_seconds, target_level=target_level,
                          shrinkage=shrinkage, max_occupancy=max_occupancy)
    return out
