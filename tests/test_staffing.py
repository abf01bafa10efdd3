"""Erlang B, Erlang C and agents_needed: reference values, edge cases and properties.

Reference values come from three independent places:

- exact rational arithmetic (``fractions.Fraction`` and ``math.factorial``) of
  the textbook formulas, computed here without the recursion under test;
- closed forms for one and two agents (M/M/1 and M/M/2, Cooper 1981, ch. 3);
- the Call Centre Helper worked example ("Erlang C Formula - Made Simple With an
  Easy Worked Example", callcentrehelper.com), as reproduced in the test suite
  of pyworkforce (rodrigo-arenas/pyworkforce, pyworkforce/queuing/tests/
  test_erlang.py), to the three decimals published there.
"""

from __future__ import annotations

import math
from datetime import timedelta
from fractions import Fraction
from typing import Any

import attrs
import numpy as np
import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from csmetrics.metrics.staffing import (
    Staffing,
    agents_needed,
    erlang_b,
    erlang_c,
    erlang_c_asa,
    erlang_c_service_level,
)

# -- independent exact formulas ---------------------------------------------------------------


def exact_b(traffic: Fraction | int, agents: int) -> Fraction:
    """Erlang B from its definition, (A^N / N!) / sum(A^k / k!), in exact rationals.

    Written as A^N / sum((N! / k!) A^k) so that large N stays integer work.
    """
    a = Fraction(traffic)
    total = Fraction(0)
    falling = 1  # N! / k!
    for k in range(agents, -1, -1):
        total += falling * a**k
        falling *= k
    return a**agents / total


def exact_c(traffic: Fraction | int, agents: int) -> Fraction:
    """Erlang C from its definition: (A^N / N!) (N / (N - A)) / (sum_{k<N} A^k/k! + that)."""
    a = Fraction(traffic)
    top = a**agents / math.factorial(agents) * Fraction(agents) / (agents - a)
    return top / (sum(a**k / math.factorial(k) for k in range(agents)) + top)


def close(x: float, y: Fraction | float, rel: float = 1e-12) -> bool:
    return math.isclose(x, float(y), rel_tol=rel, abs_tol=0.0)


SMALL = [
    (Fraction(1, 10), 1),
    (Fraction(1, 2), 1),
    (Fraction(1), 1),
    (Fraction(1), 2),
    (Fraction(5, 2), 3),
    (Fraction(5, 2), 6),
    (Fraction(10), 11),
    (Fraction(10), 14),
    (Fraction(73, 10), 8),
    (Fraction(73, 10), 20),
    (Fraction(48), 55),
    (Fraction(25), 30),
    (Fraction(99, 2), 60),
]


# -- Erlang B ---------------------------------------------------------------------------------


@pytest.mark.parametrize(("traffic", "agents"), SMALL)
def test_erlang_b_matches_exact_rational_formula(traffic, agents):
    assert close(erlang_b(float(traffic), agents), exact_b(traffic, agents))


@pytest.mark.parametrize(
    ("agents", "value"),
    # B(n, 2) by hand from B(n) = 2 B(n-1) / (n + 2 B(n-1)), B(0) = 1.
    [(0, Fraction(1)), (1, Fraction(2, 3)), (2, Fraction(2, 5)), (3, Fraction(4, 19)),
     (4, Fraction(2, 21)), (5, Fraction(4, 109)), (6, Fraction(4, 331))],
)  # fmt: skip
def test_erlang_b_exact_rationals_for_two_erlangs(agents, value):
    assert exact_b(2, agents) == value
    assert close(erlang_b(2.0, agents), value, rel=1e-15)


def test_erlang_b_one_line_closed_form():
    # One line (M/M/1/1): B = A / (1 + A) (Cooper 1981, ch. 3).
    for a in (0.001, 0.5, 1.0, 3.7, 250.0):
        assert close(erlang_b(a, 1), Fraction(a) / (1 + Fraction(a)), rel=1e-15)


def test_erlang_b_no_lines_blocks_everything():
    assert erlang_b(0.0, 0) == 1.0
    assert erlang_b(7.5, 0) == 1.0


def test_erlang_b_no_traffic_blocks_nothing():
    assert erlang_b(0.0, 1) == 0.0
    assert erlang_b(0, 50) == 0.0


# -- Erlang C ---------------------------------------------------------------------------------


@pytest.mark.parametrize(("traffic", "agents"), [(a, n) for a, n in SMALL if n > a])
def test_erlang_c_matches_exact_rational_formula(traffic, agents):
    assert close(erlang_c(float(traffic), agents), exact_c(traffic, agents))


@pytest.mark.parametrize("a", [0.01, 0.25, 0.5, 0.9, 0.999])
def test_erlang_c_one_agent_is_the_utilisation(a):
    # M/M/1: P(wait) = rho = A, and the mean wait is AHT * A / (1 - A) (Cooper 1981, ch. 3).
    assert close(erlang_c(a, 1), Fraction(a), rel=1e-15)
    assert close(erlang_c_asa(a, 1, aht_seconds=60), 60 * Fraction(a) / (1 - Fraction(a)))


@pytest.mark.parametrize("a", [0.01, 0.5, 1.0, 1.5, 1.99])
def test_erlang_c_two_agents_closed_form(a):
    # M/M/2: P(wait) = 2 rho^2 / (1 + rho) with rho = A / 2, i.e. A^2 / (2 + A).
    fa = Fraction(a)
    assert close(erlang_c(a, 2), fa**2 / (2 + fa))


def test_erlang_c_relation_to_erlang_b_holds_exactly():
    # Cooper (1981): C = N B / (N - A (1 - B)); checked in exact rationals.
    for a, n in SMALL:
        if n > a:
            b = exact_b(a, n)
            assert exact_c(a, n) == n * b / (n - a * (1 - b))


@pytest.mark.parametrize(("traffic", "agents"), [(10.0, 10), (10.0, 9), (10.5, 10), (3.0, 0)])
def test_unstable_queue_everyone_waits(traffic, agents):
    assert erlang_c(traffic, agents) == 1.0
    assert erlang_c_service_level(traffic, agents, threshold=20, aht_seconds=180) == 0.0
    assert erlang_c_asa(traffic, agents, aht_seconds=180) == math.inf


def test_no_traffic_and_no_agents_counts_as_unstable():
    # agents <= traffic holds with 0 <= 0; agents_needed treats an empty interval apart.
    assert erlang_c(0.0, 0) == 1.0
    assert erlang_c_service_level(0.0, 0, threshold=20, aht_seconds=180) == 0.0
    assert erlang_c_asa(0.0, 0, aht_seconds=180) == math.inf


def test_no_traffic_nobody_waits():
    assert erlang_c(0.0, 3) == 0.0
    assert erlang_c_service_level(0.0, 3, threshold=0, aht_seconds=180) == 1.0
    assert erlang_c_asa(0.0, 3, aht_seconds=180) == 0.0


def test_service_level_with_zero_threshold_is_share_answered_at_once():
    assert erlang_c_service_level(10.0, 14, threshold=0, aht_seconds=180) == (
        1 - erlang_c(10.0, 14)
    )


# -- the Call Centre Helper worked example ----------------------------------------------------

# 100 calls per 30 minutes, AHT 180 s, 80% within 20 s, max occupancy 85%, shrinkage 30%.
# Published (pyworkforce's reproduction, three decimals): 14 agents, 20 scheduled, service
# level 0.888, occupancy 0.714, probability of waiting 0.174; with a 70% occupancy cap, 15
# agents, 22 scheduled, service level 0.941, occupancy 0.667, probability of waiting 0.102.
# pyworkforce uses a 0.33-minute (19.8 s) threshold; to three decimals it is the same.
CCH = {"calls": 100, "interval_seconds": 1800, "aht_seconds": 180, "threshold": 20}


def test_call_centre_helper_worked_example():
    s = agents_needed(**CCH, target_service_level=0.8, max_occupancy=0.85, shrinkage=0.3)
    assert (s.traffic, s.agents, s.scheduled) == (10.0, 14, 20)
    assert round(s.service_level, 3) == 0.888
    assert round(s.occupancy, 3) == 0.714
    assert round(s.wait_probability, 3) == 0.174
    # The same numbers to full precision, against exact rationals.
    assert close(s.wait_probability, exact_c(10, 14))
    expected_sl = 1 - float(exact_c(10, 14)) * math.exp(-4 * 20 / 180)
    assert math.isclose(s.service_level, expected_sl, rel_tol=1e-12)
    assert close(s.asa, exact_c(10, 14) * 180 / 4)


def test_call_centre_helper_example_with_a_70_percent_occupancy_cap():
    s = agents_needed(**CCH, target_service_level=0.8, max_occupancy=0.7, shrinkage=0.3)
    assert (s.agents, s.scheduled) == (15, 22)
    assert round(s.service_level, 3) == 0.941
    assert round(s.occupancy, 3) == 0.667
    assert round(s.wait_probability, 3) == 0.102


def test_call_centre_helper_agents_one_by_one():
    # The article starts at N = A + 1 = 11 and adds agents until 80% is met: 13 fall short.
    levels = [
        erlang_c_service_level(10.0, n, threshold=20, aht_seconds=180) for n in (11, 12, 13, 14)
    ]
    assert levels == sorted(levels)
    assert levels[2] < 0.8 <= levels[3]


# -- agents_needed ----------------------------------------------------------------------------


def round_a_plus_one_search(traffic: float, target: float, threshold: float, aht: float) -> int:
    """The search of pyworkforce's ErlangC.required_positions: start at round(A + 1)."""
    n = round(traffic + 1)
    while erlang_c_service_level(traffic, n, threshold=threshold, aht_seconds=aht) < target:
        n += 1
    return n


CHATS = {
    "calls": 53,
    "interval_seconds": 900,
    "aht_seconds": 60,
    "threshold": 120,
    "target_service_level": 0.7,
}
NIGHT_LINE = {
    "calls": 36,
    "interval_seconds": 3600,
    "aht_seconds": 60,
    "threshold": 180,
    "target_service_level": 0.8,
}


@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [
        # chats: 53 per 15 minutes of 60 s, 3.53 Erlangs, 70% within 2 minutes
        (CHATS, 4),
        # a night line: 36 calls an hour of 60 s, 0.6 Erlangs, 80% within 3 minutes
        (NIGHT_LINE, 1),
    ],
)
def test_search_starts_at_floor_plus_one_not_round(kwargs, expected):
    s = agents_needed(**kwargs)
    assert s.agents == expected == math.floor(s.traffic) + 1
    assert s.service_level >= s.target_service_level
    # Starting at round(A + 1) skips floor(A) + 1 whenever A's fraction is >= 0.5 (and
    # not exactly .5, which Python rounds to even): one agent too many.
    found = round_a_plus_one_search(s.traffic, s.target_service_level, s.threshold, s.aht_seconds)
    assert found == expected + 1


def assert_minimal(s: Staffing) -> None:
    """N meets every target; N - 1 fails one (unstable, service level or occupancy)."""
    traffic = Fraction(repr(s.calls)) * Fraction(repr(s.aht_seconds))
    traffic /= Fraction(repr(s.interval_seconds))
    kwargs = {"threshold": s.threshold, "aht_seconds": s.aht_seconds}
    assert s.agents > traffic
    assert erlang_c_service_level(s.traffic, s.agents, **kwargs) >= s.target_service_level
    if s.max_occupancy is not None:
        assert traffic / s.agents <= Fraction(repr(s.max_occupancy))
        assert s.occupancy <= s.max_occupancy
    n = s.agents - 1
    fails = (
        n <= traffic
        or erlang_c_service_level(s.traffic, n, **kwargs) < s.target_service_level
        or (s.max_occupancy is not None and traffic / n > Fraction(repr(s.max_occupancy)))
    )
    assert fails, f"{n} agents would do: {s}"


@pytest.mark.parametrize(
    "kwargs",
    [
        {**CCH, "target_service_level": 0.8},
        {**CCH, "target_service_level": 0.9},
        {**CCH, "target_service_level": 0.8, "threshold": 0},
        {**CCH, "target_service_level": 0.5, "max_occupancy": 0.6},
        {**CCH, "calls": 1, "interval_seconds": 3600, "target_service_level": 0.99},
        {**CCH, "calls": 2500.5, "aht_seconds": 420, "target_service_level": 0.95},
    ],
)
def test_agents_needed_is_minimal(kwargs):
    assert_minimal(agents_needed(**kwargs))


def test_result_is_what_the_erlang_functions_give():
    s = agents_needed(**CCH, target_service_level=0.8)
    assert s.wait_probability == erlang_c(s.traffic, s.agents)
    assert s.service_level == erlang_c_service_level(
        s.traffic, s.agents, threshold=20, aht_seconds=180
    )
    assert s.asa == erlang_c_asa(s.traffic, s.agents, aht_seconds=180)


def test_occupancy_cap_binds_at_exactly_the_cap():
    # 98 calls x 180 s / 1800 s = 9.8 Erlangs; 13 agents meet 80/20, but 9.8 / 13 = 75%.
    # At a 70% cap, 9.8 / 14 is exactly 70%: 14 agents, not the 15 that binary floating
    # point (9.8 / 0.7 = 14.000000000000002) would round up to.
    free = agents_needed(**{**CCH, "calls": 98}, target_service_level=0.8)
    capped = agents_needed(**{**CCH, "calls": 98}, target_service_level=0.8, max_occupancy=0.7)
    assert free.agents == 13
    assert capped.agents == 14
    assert capped.occupancy == 0.7
    assert math.ceil(9.8 / 0.7) == 15  # the float trap the exact decimals avoid
    assert_minimal(capped)


def test_occupancy_cap_of_one_changes_nothing():
    assert agents_needed(**CCH, target_service_level=0.8, max_occupancy=1.0).agents == 14


def test_shrinkage_rounds_up_the_exact_share():
    # 21 agents at 30% shrinkage: 21 / 0.7 is exactly 30, though 21 / (1 - 0.3) is
    # 30.000000000000004 in binary floating point.
    for calls in range(150, 250):
        s = agents_needed(**{**CCH, "calls": calls}, target_service_level=0.8, shrinkage=0.3)
        if s.agents == 21:
            break
    assert s.agents == 21
    assert s.scheduled == 30
    assert math.ceil(21 / (1 - 0.3)) == 31


def test_shrinkage_schedules_more_agents():
    for shrinkage, scheduled in [(0.0, 14), (0.1, 16), (0.3, 20), (0.5, 28), (0.95, 280)]:
        s = agents_needed(**CCH, target_service_level=0.8, shrinkage=shrinkage)
        assert (s.agents, s.scheduled) == (14, scheduled)


def test_zero_calls_need_zero_agents():
    s = agents_needed(**{**CCH, "calls": 0}, target_service_level=0.8, shrinkage=0.3)
    assert (s.agents, s.scheduled, s.traffic) == (0, 0, 0.0)
    assert (s.service_level, s.asa, s.wait_probability, s.occupancy) == (1.0, 0.0, 0.0, 0.0)
    # A target of 100% is met too: there is no call to answer late.
    assert agents_needed(**{**CCH, "calls": 0}, target_service_level=1.0).agents == 0


def test_target_of_one_with_calls_is_refused():
    with pytest.raises(ValueError, match=r"target_service_level=1\.0 cannot be met"):
        agents_needed(**CCH, target_service_level=1.0)


def test_tiny_traffic_needs_one_agent():
    s = agents_needed(
        calls=1e-9,
        interval_seconds=3600,
        aht_seconds=60,
        target_service_level=0.99,
        threshold=0,
    )
    assert s.agents == 1


def test_result_records_inputs_and_is_frozen():
    s = agents_needed(**CCH, target_service_level=0.8, max_occupancy=0.85, shrinkage=0.3)
    assert (s.calls, s.interval_seconds, s.aht_seconds) == (100.0, 1800.0, 180.0)
    assert (s.target_service_level, s.threshold) == (0.8, 20.0)
    assert (s.max_occupancy, s.shrinkage) == (0.85, 0.3)
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        s.agents = 3  # type: ignore[misc]
    assert s == agents_needed(**CCH, target_service_level=0.8, max_occupancy=0.85, shrinkage=0.3)
    assert "<caption>Staffing</caption>" in s._repr_html_()
    assert "Staffing(agents=14, scheduled=20, traffic=10.0" in repr(s)


# -- large staffs -----------------------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.parametrize(("traffic", "agents"), [(1000, 1000), (950, 1000), (4900, 5000)])
def test_thousands_of_agents_do_not_overflow(traffic, agents):
    # A^N / N! alone would overflow a float long before this (171! > 1.8e308).
    with pytest.raises(OverflowError):
        float(math.factorial(agents))
    assert close(erlang_b(float(traffic), agents), exact_b(traffic, agents), rel=1e-10)
    b = exact_b(traffic, agents)
    c = agents * b / (agents - traffic * (1 - b))
    assert close(erlang_c(float(traffic), agents), c, rel=1e-10)


def test_agents_needed_for_a_large_centre():
    # 10,000 calls per half hour of 300 s: 1,666.7 Erlangs.
    s = agents_needed(
        calls=10_000,
        interval_seconds=1800,
        aht_seconds=300,
        target_service_level=0.8,
        threshold=20,
    )
    assert 1667 <= s.agents < 1750
    assert 0 < s.wait_probability < 1
    assert math.isfinite(s.asa)
    assert_minimal(s)


# -- inputs -----------------------------------------------------------------------------------


def test_numpy_scalars_are_accepted():
    assert erlang_c(np.float64(10.0), np.int64(14)) == erlang_c(10.0, 14)
    assert erlang_b(np.int64(10), np.int32(12)) == erlang_b(10.0, 12)


@pytest.mark.parametrize("threshold", [timedelta(seconds=20), np.int64(20), np.float64(20.0)])
def test_threshold_may_be_a_timedelta_or_a_numpy_number(threshold):
    kwargs = {"aht_seconds": 180}
    seconds = erlang_c_service_level(10.0, 14, threshold=20, **kwargs)
    assert erlang_c_service_level(10.0, 14, threshold=threshold, **kwargs) == seconds
    plan = agents_needed(**{**CCH, "threshold": threshold}, target_service_level=0.8)
    assert plan == agents_needed(**CCH, target_service_level=0.8)
    assert plan.threshold == 20.0


@pytest.mark.parametrize("agents", [-1, 2.5, 3.0, True, "3", None, np.float64(4.0)])
def test_bad_agents_are_refused(agents):
    with pytest.raises(ValueError, match=r"agents=.* is not allowed; use an int >= 0"):
        erlang_b(2.0, agents)
    with pytest.raises(ValueError, match="agents="):
        erlang_c(2.0, agents)


@pytest.mark.parametrize("traffic", [-0.5, math.nan, math.inf, True, "1", None])
def test_bad_traffic_is_refused(traffic):
    with pytest.raises(ValueError, match=r"traffic=.* is not allowed; use a finite number >= 0"):
        erlang_b(traffic, 3)
    with pytest.raises(ValueError, match="traffic="):
        erlang_c_asa(traffic, 3, aht_seconds=180)


@pytest.mark.parametrize(
    ("func", "kwargs", "message"),
    [
        (
            erlang_c_service_level,
            {"threshold": -1, "aht_seconds": 180},
            r"threshold=-1 is not allowed; use seconds >= 0 or a timedelta",
        ),
        (
            erlang_c_service_level,
            {"threshold": 20, "aht_seconds": 0},
            r"aht_seconds=0 is not allowed; use a finite number > 0",
        ),
        (erlang_c_asa, {"aht_seconds": -180}, r"aht_seconds=-180 is not allowed"),
    ],
)
def test_bad_erlang_c_options_are_refused(func, kwargs, message):
    with pytest.raises(ValueError, match=message):
        func(10.0, 14, **kwargs)


GOOD: dict[str, Any] = {**CCH, "target_service_level": 0.8}


@pytest.mark.parametrize(
    ("name", "value", "allowed"),
    [
        ("calls", -1, "a finite number >= 0"),
        ("calls", math.nan, "a finite number >= 0"),
        ("interval_seconds", 0, "a finite number > 0"),
        ("aht_seconds", 0, "a finite number > 0"),
        ("aht_seconds", -3.5, "a finite number > 0"),
        ("target_service_level", 0, r"a number in \(0, 1\]"),
        ("target_service_level", 1.2, r"a number in \(0, 1\]"),
        ("target_service_level", 80, r"a number in \(0, 1\]"),
        ("threshold", -20, "seconds >= 0 or a timedelta"),
        ("max_occupancy", 0, r"a number in \(0, 1\]"),
        ("max_occupancy", 1.5, r"a number in \(0, 1\]"),
        ("shrinkage", 1, r"a number in \[0, 1\)"),
        ("shrinkage", -0.1, r"a number in \[0, 1\)"),
        ("shrinkage", 30, r"a number in \[0, 1\)"),
    ],
)
def test_bad_agents_needed_inputs_name_parameter_and_value(name, value, allowed):
    shown = "nan" if isinstance(value, float) and math.isnan(value) else repr(value)
    pattern = rf"{name}={shown} is not allowed; use {allowed}"
    with pytest.raises(ValueError, match=pattern):
        agents_needed(**{**GOOD, name: value})


def test_traffic_too_large_for_a_float_is_refused():
    with pytest.raises(ValueError, match="too large"):
        agents_needed(**{**GOOD, "calls": 1e300, "aht_seconds": 1e300})


# -- properties -------------------------------------------------------------------------------

traffics = st.one_of(
    st.floats(min_value=0, max_value=300, allow_nan=False, allow_infinity=False),
    st.integers(min_value=0, max_value=300),
)
agent_counts = st.integers(min_value=0, max_value=400)
ahts = st.floats(min_value=1, max_value=3600)
thresholds = st.floats(min_value=0, max_value=3600)


@given(traffics, agent_counts)
@example(0.0, 0)
@example(10.0, 10)
@example(299.99999999999994, 300)
def test_probabilities_are_bounded_and_waiting_is_at_least_blocking(traffic, agents):
    b, c = erlang_b(traffic, agents), erlang_c(traffic, agents)
    assert 0.0 <= b <= c <= 1.0


@given(traffics, agent_counts)
@example(10.0, 10)
@example(9.999999999999998, 9)
def test_erlang_b_and_c_never_rise_with_more_agents(traffic, agents):
    assert erlang_b(traffic, agents + 1) <= erlang_b(traffic, agents)
    assert erlang_c(traffic, agents + 1) <= erlang_c(traffic, agents)


@given(traffics, agent_counts, thresholds, ahts)
@example(10.0, 10, 20.0, 180.0)
def test_service_level_never_falls_with_more_agents(traffic, agents, threshold, aht):
    kwargs = {"threshold": threshold, "aht_seconds": aht}
    low = erlang_c_service_level(traffic, agents, **kwargs)
    high = erlang_c_service_level(traffic, agents + 1, **kwargs)
    assert 0.0 <= low <= high <= 1.0


@given(traffics, agent_counts, thresholds, thresholds, ahts)
def test_service_level_never_falls_with_a_longer_threshold(traffic, agents, t1, t2, aht):
    short, long = sorted((t1, t2))
    assert erlang_c_service_level(
        traffic, agents, threshold=short, aht_seconds=aht
    ) <= erlang_c_service_level(traffic, agents, threshold=long, aht_seconds=aht)


@given(traffics, agent_counts, ahts)
@example(10.0, 10, 180.0)
def test_asa_never_rises_with_more_agents(traffic, agents, aht):
    low = erlang_c_asa(traffic, agents + 1, aht_seconds=aht)
    high = erlang_c_asa(traffic, agents, aht_seconds=aht)
    assert 0.0 <= low <= high


@st.composite
def staffing_inputs(draw: st.DrawFn) -> dict[str, Any]:
    return {
        "calls": draw(st.one_of(st.integers(0, 1500), st.floats(0, 1500))),
        "interval_seconds": draw(st.sampled_from([900, 1800, 3600])),
        "aht_seconds": draw(st.floats(min_value=10, max_value=900)),
        "target_service_level": draw(st.floats(min_value=0.01, max_value=0.99)),
        "threshold": draw(st.floats(min_value=0, max_value=600)),
        "max_occupancy": draw(st.none() | st.floats(min_value=0.3, max_value=1.0)),
        "shrinkage": draw(st.floats(min_value=0, max_value=0.6)),
    }


@given(staffing_inputs())
@example({**GOOD, "max_occupancy": 0.85, "shrinkage": 0.3})
@example({**GOOD, "calls": 5e-324})  # traffic rounds to 0.0, yet is not 0: one agent
def test_agents_needed_is_always_minimal(kwargs):
    s = agents_needed(**kwargs)
    if s.calls == 0:
        assert (s.agents, s.scheduled) == (0, 0)
        return
    assert_minimal(s)
    assert s.agents <= s.scheduled
    assert s.scheduled * (1 - Fraction(repr(s.shrinkage))) >= s.agents
    assert (s.scheduled - 1) * (1 - Fraction(repr(s.shrinkage))) < s.agents
