"""Erlang C against the published vectors (issue 10, point 5) and its properties."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings, strategies as st

from zongji.domain.stats import erlang


def test_100_calls_per_half_hour_aht_180_target_20s_at_80_percent():
    s = erlang.staff(100, 180, target_seconds=20, target_level=0.8, shrinkage=0.3, max_occupancy=0.85)
    assert s.erlangs == 10
    assert (s.agents, s.positions) == (14, 20)
    assert s.service_level == pytest.approx(0.888, abs=5e-4)
    assert s.occupancy == pytest.approx(0.714, abs=5e-4)
    assert s.probability_waiting == pytest.approx(0.174, abs=5e-4)


def test_360_calls_aht_240_with_55_operators():
    a = erlang.traffic(360, 240)
    assert a == 48
    assert erlang.erlang_c(55, a) == pytest.approx(0.2387, abs=5e-5)
    assert erlang.service_level(55, a, 240, 15) == pytest.approx(0.8459, abs=5e-5)
    assert erlang.asa(55, a, 240) == pytest.approx(8.18, abs=5e-3)


def test_overload_and_no_traffic():
    assert erlang.erlang_c(10, 10) == 1.0 and erlang.service_level(10, 12, 180, 20) == 0.0
    assert math.isinf(erlang.asa(5, 6, 180))
    assert erlang.staff(0, 180, target_seconds=20, target_level=0.8).agents == 0
    with pytest.raises(ValueError):
        erlang.staff(10, 180, target_seconds=20, target_level=0.8, shrinkage=1.0)


def test_forecast_per_half_hour_from_past_weeks():
    plan = erlang.forecast({(0, 18): [90, 100, 110], (0, 19): [0, 0]}, 180, target_seconds=20, target_level=0.8)
    assert plan[(0, 18)].agents == 14 and plan[(0, 19)].agents == 0


@settings(max_examples=200, deadline=None)
@given(calls=st.floats(1, 2000), aht=st.floats(10, 900), target=st.floats(1, 120),
       level=st.floats(0.5, 0.99), occ=st.floats(0.5, 1.0))
def test_the_operators_found_are_the_fewest_that_meet_the_target(calls, aht, target, level, occ):
    s = erlang.staff(calls, aht, target_seconds=target, target_level=level, max_occupancy=occ)
    a = s.erlangs
    assert s.service_level >= level and s.occupancy <= occ + 1e-9 and s.agents > a
    fewer = s.agents - 1
    if fewer > a and fewer >= a / occ - 1e-9:
        assert erlang.service_level(fewer, a, aht, target) < level
    # More operators never serve worse.
    assert erlang.service_level(s.agents + 1, a, aht, target) >= s.service_level - 1e-12
