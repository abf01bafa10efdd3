"""Durations results and the Kaplan-Meier estimator behind them.

Hand-computed curves and quantiles with censoring and ties, two published
references, scipy's estimator, and properties: equivalence with numpy's
quantiles when nothing is censored (or in ``"exclude"`` mode), exact merges,
monotone quantiles, and breakdowns that match per-group results.
"""

from __future__ import annotations

import functools
import itertools
import math
import warnings
from datetime import datetime, timedelta, timezone
from functools import partial
from typing import ClassVar

import attrs
import numpy as np
import pytest
import scipy.stats
from hypothesis import assume, example, given
from hypothesis import strategies as st

from csmetrics import Window
from csmetrics.core.reduce import reduce_durations
from csmetrics.core.results import Breakdown, Durations
from csmetrics.core.stats import (
    KM_TOLERANCE,
    kaplan_meier,
    km_band,
    km_quantile,
    km_quantile_interval,
)
from csmetrics.core.table import Encoded
from reference_durations import ReferenceDurations

# --- strategies ------------------------------------------------------------

# Whole seconds make ties (between completed units, and between a completed
# and a censored unit) common; arbitrary floats cover the rest.
seconds = st.one_of(
    st.integers(0, 20).map(float),
    st.floats(0, 1e6, allow_nan=False, allow_infinity=False),
)
probabilities = st.floats(0, 1, allow_nan=False)


@st.composite
def units(
    draw: st.DrawFn, *, min_size: int = 0, max_size: int = 40
) -> tuple[list[float], list[bool]]:
    """Durations of units and whether each is censored (still open)."""
    times = draw(st.lists(seconds, min_size=min_size, max_size=max_size))
    censored = draw(st.lists(st.booleans(), min_size=len(times), max_size=len(times)))
    return times, censored


def durations_of(
    times: list[float], censored: list[bool], censoring: str = "kaplan-meier"
) -> Durations:
    t = np.asarray(times, dtype=np.float64)
    c = np.asarray(censored, dtype=bool)
    return Durations(durations=t[~c], censoring_times=t[c], censoring=censoring)


def just_above_a_step(n: int, q: float) -> bool:
    """Whether ``n * q`` lies a rounding error above an integer (see km_quantile)."""
    scaled = n * q
    return 0 < scaled - math.floor(scaled) < 1e-6


def same(a: float, b: float) -> bool:
    return (math.isnan(a) and math.isnan(b)) or a == b


# --- kaplan_meier: hand-computed curves ------------------------------------


def test_km_hand_computed_with_one_censored_unit():
    # At risk 5, 4, (3 censored), 2, 1: S = 4/5, 4/5 * 3/4, 3/5 * 1/2, 0.
    times, survival = kaplan_meier([1, 2, 3, 4, 5], [True, True, False, True, True])
    assert times.tolist() == [1.0, 2.0, 4.0, 5.0]
    np.testing.assert_allclose(survival, [0.8, 0.6, 0.3, 0.0], rtol=0, atol=1e-15)


def test_km_event_comes_before_censoring_at_the_same_time():
    # The unit censored at 2 is still at risk at 2: S(2) = 1 - 1/3, not 1 - 1/2.
    times, survival = kaplan_meier([2, 2, 3], [True, False, True])
    assert times.tolist() == [2.0, 3.0]
    np.testing.assert_allclose(survival, [2 / 3, 0.0], rtol=1e-15)


def test_km_tied_events_count_together():
    # Three units at risk, two complete at 1: S(1) = 1/3.
    times, survival = kaplan_meier([1, 1, 4], [True, True, True])
    assert times.tolist() == [1.0, 4.0]
    assert survival.tolist() == [1 / 3, 0.0]


def test_km_ignores_order_of_input():
    a = kaplan_meier([5, 1, 3, 2, 4], [True, True, False, True, True])
    b = kaplan_meier([1, 2, 3, 4, 5], [True, True, False, True, True])
    np.testing.assert_array_equal(a[0], b[0])
    np.testing.assert_array_equal(a[1], b[1])


def test_km_without_censoring_is_one_minus_the_ecdf_exactly():
    # Telescoped product: no rounding accumulates along the curve.
    n = 1000
    _, survival = kaplan_meier(np.arange(n, dtype=float), np.ones(n, dtype=bool))
    assert survival.tolist() == [(n - c) / n for c in range(1, n + 1)]


def test_km_with_nothing_observed_is_empty():
    times, survival = kaplan_meier([1.0, 2.0], [False, False])
    assert len(times) == len(survival) == 0
    assert math.isnan(km_quantile(times, survival, 0.5))


def test_km_of_no_units_is_empty():
    times, survival = kaplan_meier([], [])
    assert len(times) == len(survival) == 0


FREIREICH_6MP = "6 6 6 6+ 7 9+ 10 10+ 11+ 13 16 17+ 19+ 20+ 22 23 25+ 32+ 32+ 34+ 35+"


def test_km_freireich_6mp_textbook_example():
    # Freireich et al. (1963) 6-MP arm, weeks in remission; + marks censored.
    # Reference: Klein & Moeschberger, "Survival Analysis" (2nd ed., 2003),
    # Table 4.1A, S(t) to three decimals; Kleinbaum & Klein, "Survival
    # Analysis: A Self-Learning Text", ch. 2: median 23 weeks.
    data = FREIREICH_6MP.split()
    weeks = [float(x.rstrip("+")) for x in data]
    observed = [not x.endswith("+") for x in data]
    times, survival = kaplan_meier(weeks, observed)
    assert times.tolist() == [6, 7, 10, 13, 16, 22, 23]
    published = [0.857, 0.807, 0.753, 0.690, 0.627, 0.538, 0.448]
    np.testing.assert_allclose(survival, published, rtol=0, atol=5e-4)
    assert km_quantile(times, survival, 0.5) == 23.0
    # The curve stops at 0.448: the 60th percentile is not estimable.
    assert math.isnan(km_quantile(times, survival, 0.6))


def test_km_quantiles_of_the_r_survival_package_test_curve():
    # therneau/survival, tests/quantile.R: times 9 1 1 6 6 8 10 with status
    # 1 1 0 1 1 0 0 (the NA-status row dropped); true S = 6/7, 18/35, 9/35.
    # R returns the midpoint of a flat that equals 1 - q exactly (3.5, 9.5);
    # csmetrics returns the smallest time, as numpy's inverted_cdf does.
    times, survival = kaplan_meier([9, 1, 1, 6, 6, 8, 10], [1, 1, 0, 1, 1, 0, 0])
    np.testing.assert_allclose(survival, [6 / 7, 18 / 35, 9 / 35], rtol=1e-15)
    qq = [13 / 14, 6 / 7, 2 / 3, 0.5, 9 / 35, 0.1]
    got = [km_quantile(times, survival, 1 - s) for s in qq]
    expected = [1.0, 1.0, 6.0, 9.0, 9.0, math.nan]
    assert all(same(a, b) for a, b in zip(got, expected, strict=True)), got


@given(data=units(min_size=1))
@example(data=([2.0, 2.0, 3.0], [False, True, False]))
@example(data=([1.0, 1.0, 1.0], [False, True, True]))
def test_km_survival_matches_scipy(data):
    times, censored = data
    t = np.asarray(times)
    c = np.asarray(censored)
    assume((~c).any())
    event_times, survival = kaplan_meier(t, ~c)
    sf = scipy.stats.ecdf(scipy.stats.CensoredData(uncensored=t[~c], right=t[c])).sf
    np.testing.assert_allclose(survival, sf.evaluate(event_times), rtol=1e-12, atol=1e-15)


def test_kaplan_meier_rejects_bad_input():
    with pytest.raises(ValueError, match="same length"):
        kaplan_meier([1.0, 2.0], [True])
    with pytest.raises(ValueError, match="finite"):
        kaplan_meier([1.0, math.nan], [True, True])
    with pytest.raises(ValueError, match="boolean"):
        kaplan_meier([1.0, 2.0], [1, 2])


def test_km_quantile_rejects_q_outside_unit_interval():
    times, survival = kaplan_meier([1.0], [True])
    for q in (-0.1, 1.5, math.nan, True, "0.5"):
        with pytest.raises(ValueError, match="q="):
            km_quantile(times, survival, q)


# --- Durations: quantiles --------------------------------------------------


def test_median_with_censoring_hand_computed():
    # S = 0.8, 0.6 (3 censored), 0.3, 0: the median is 4, the p90 is 5.
    r = Durations(durations=[1, 2, 4, 5], censoring_times=[3])
    assert (r.median, r.p90, float(r)) == (4.0, 5.0, 4.0)
    assert (r.n, r.completed, r.censored) == (5, 4, 1)


def test_excluding_open_work_biases_the_median_down():
    # Open tickets are the long ones: leaving them out hides them.
    # S = 5/6, 4/6, 3/6 and then flat: half the work takes 3 s or more.
    r = Durations(durations=[1, 2, 3], censoring_times=[10, 10, 10])
    assert r.median == 3.0
    assert math.isnan(r.p90)  # S never falls to 0.1: not estimable yet
    excluded = Durations(durations=[1, 2, 3], censoring_times=[10, 10, 10], censoring="exclude")
    assert excluded.median == 2.0
    assert excluded.censored == 3


def test_quantile_not_reached_is_nan():
    r = Durations(durations=[1.0], censoring_times=[2.0, 3.0])
    assert r.quantile(0.25) == 1.0  # S(1) = 2/3 <= 3/4
    assert math.isnan(r.quantile(0.5))


def test_p90_of_ten_durations_reaches_the_step_like_numpy():
    # 1 - 0.9 is 0.09999999999999998 in binary: without the tolerance the
    # level S = 1/10 would be missed and the p90 would be the maximum.
    x = np.arange(1.0, 11.0)
    assert Durations(durations=x).p90 == np.quantile(x, 0.9, method="inverted_cdf") == 9.0


def test_q_a_rounding_error_above_a_step_reaches_the_step():
    # The documented exception to numpy equality: 0.1 + 0.2 on ten values is
    # the 0.3 quantile here, while numpy's 10 * q rounds above 3.
    x = np.arange(10.0)
    assert Durations(durations=x).quantile(0.1 + 0.2) == 2.0
    assert np.quantile(x, 0.1 + 0.2, method="inverted_cdf") == 3.0
    assert KM_TOLERANCE == 1e-12


@given(x=st.lists(seconds, min_size=1, max_size=40), q=probabilities)
@example(x=[float(i) for i in range(10)], q=0.9)
@example(x=[float(i) for i in range(10)], q=0.1)
@example(x=[float(i) for i in range(4)], q=0.5)
@example(x=[1.0, 1.0, 2.0], q=2 / 3)
@example(x=[5.0], q=0.0)
@example(x=[5.0, 1.0], q=1.0)
def test_kaplan_meier_without_censoring_equals_numpy_inverted_cdf(x, q):
    assume(not just_above_a_step(len(x), q))
    expected = float(np.quantile(x, q, method="inverted_cdf"))
    assert Durations(durations=x).quantile(q) == expected
    times, survival = kaplan_meier(x, np.ones(len(x), dtype=bool))
    assert km_quantile(times, survival, q) == expected


@given(data=units(min_size=1), q=probabilities)
def test_exclude_mode_equals_numpy_linear_quantile(data, q):
    times, censored = data
    r = durations_of(times, censored, "exclude")
    completed = [t for t, c in zip(times, censored, strict=True) if not c]
    if completed:
        assert r.quantile(q) == float(np.quantile(completed, q))
    else:
        assert math.isnan(r.quantile(q))


@given(data=units(), qs=st.lists(probabilities, min_size=2, max_size=10))
def test_quantile_is_monotone_in_q(data, qs):
    for censoring in ("kaplan-meier", "exclude"):
        r = durations_of(*data, censoring)
        values = [r.quantile(q) for q in sorted(qs)]
        defined = [v for v in values if not math.isnan(v)]
        assert defined == sorted(defined)
        # Once a quantile is out of reach, every higher one is too.
        assert values[: len(defined)] == defined


@given(data=units())
def test_min_median_max_of_completed(data):
    for censoring in ("kaplan-meier", "exclude"):
        r = durations_of(*data, censoring)
        if not math.isnan(r.median):
            assert r.min <= r.median <= r.max
            assert r.min <= r.mean <= r.max


@given(data=units())
def test_counts(data):
    times, censored = data
    for censoring in ("kaplan-meier", "exclude"):
        r = durations_of(times, censored, censoring)
        assert r.censored == sum(censored)
        assert r.completed == len(times) - sum(censored)
        assert r.n == len(times)
        assert r.counts() == {"n": len(times), "censored": sum(censored), "excluded": 0}


def test_mean_min_max_are_of_completed_durations():
    r = Durations(durations=[60, 120, 300], censoring_times=[10_000])
    assert (r.mean, r.min, r.max) == (160.0, 60.0, 300.0)


def test_empty_result_is_nan_with_zero_counts():
    for r in (Durations(), Durations(censoring="exclude")):
        assert (r.n, r.censored, r.completed) == (0, 0, 0)
        values = [r.median, r.p90, r.p95, r.mean, r.min, r.max, r.quantile(0.3), float(r)]
        assert all(math.isnan(v) for v in values)
        assert not r.is_defined
        assert r.median_timedelta is None


def test_only_censored_units():
    r = Durations(censoring_times=[5.0, 7.0])
    assert (r.n, r.censored, r.completed) == (2, 2, 0)
    assert math.isnan(r.median)
    assert math.isnan(r.mean)


def test_timedelta_views():
    r = Durations(durations=[5400.0])
    assert r.median_timedelta == timedelta(hours=1, minutes=30)
    assert Durations.as_timedelta(0.25) == timedelta(milliseconds=250)
    assert Durations.as_timedelta(math.nan) is None


# --- Durations: validation, equality ---------------------------------------


@pytest.mark.parametrize("bad", [-1.0, math.nan, math.inf, -math.inf])
def test_bad_duration_is_value_error(bad):
    with pytest.raises(ValueError, match="finite seconds >= 0"):
        Durations(durations=[1.0, bad])
    with pytest.raises(ValueError, match="censoring_times"):
        Durations(censoring_times=[bad])


def test_unknown_censoring_is_value_error():
    with pytest.raises(ValueError, match="censoring='drop' is not allowed"):
        Durations(censoring="drop")  # type: ignore[arg-type]


def test_quantile_rejects_q_outside_unit_interval():
    with pytest.raises(ValueError, match=r"q=1\.5"):
        Durations(durations=[1.0]).quantile(1.5)


def test_data_is_sorted_copied_and_read_only():
    source = np.array([3.0, 1.0, 2.0])
    r = Durations(durations=source, censoring_times=[-0.0])
    assert r.durations.tolist() == [1.0, 2.0, 3.0]
    assert source.tolist() == [3.0, 1.0, 2.0]
    assert math.copysign(1, r.censoring_times[0]) == 1
    with pytest.raises(ValueError, match="read-only"):
        r.durations[0] = 9.0


def test_equality_compares_data_and_parameters():
    a = Durations(durations=[1, 2], censoring_times=[3])
    assert a == Durations(durations=[2.0, 1.0], censoring_times=[3.0])
    assert a != Durations(durations=[1, 2], censoring_times=[4])
    assert a != Durations(durations=[1, 2, 3])
    assert a != Durations(durations=[1, 2], censoring_times=[3], censoring="exclude")
    assert a != Durations(durations=[1, 2], censoring_times=[3], metric="handle_time")
    assert a != 1.5


def test_not_hashable():
    with pytest.raises(TypeError, match="unhashable"):
        hash(Durations())


# --- Durations: merge ------------------------------------------------------


@st.composite
def split_units(draw: st.DrawFn) -> tuple[list[float], list[bool], list[int]]:
    times, censored = draw(units())
    parts = draw(st.lists(st.integers(0, 2), min_size=len(times), max_size=len(times)))
    return times, censored, parts


@given(data=split_units(), censoring=st.sampled_from(["kaplan-meier", "exclude"]))
def test_merge_is_associative_commutative_and_equals_the_whole(data, censoring):
    times, censored, parts = data
    whole = durations_of(times, censored, censoring)
    a, b, c = (
        durations_of(
            [t for t, p in zip(times, parts, strict=True) if p == k],
            [x for x, p in zip(censored, parts, strict=True) if p == k],
            censoring,
        )
        for k in range(3)
    )
    assert a.merge(b).merge(c) == a.merge(b.merge(c)) == whole
    assert a.merge(b) == b.merge(a)
    assert same(a.merge(b).merge(c).median, whole.median)
    assert same(a.merge(b).merge(c).mean, whole.mean)


def test_merge_refuses_different_parameters():
    with pytest.raises(ValueError, match="different parameters"):
        Durations().merge(Durations(censoring="exclude"))
    with pytest.raises(ValueError, match="different parameters"):
        Durations(metric="handle_time").merge(Durations(metric="first_response_time"))


def test_merge_of_different_periods_has_no_period():
    day = datetime(2026, 3, 2, tzinfo=timezone.utc)
    first = Window(start=day, end=day + timedelta(days=1))
    second = Window(start=day + timedelta(days=1), end=day + timedelta(days=2))
    a = Durations(durations=[1.0], period=first)
    assert a.merge(Durations(durations=[2.0], period=first)).period == first
    assert a.merge(Durations(durations=[2.0], period=second)).period is None


# --- Durations: display, curve ---------------------------------------------


def test_repr_shows_percentiles_and_counts():
    r = Durations(durations=[1, 2, 4, 5], censoring_times=[3])
    assert repr(r) == (
        "Durations(median=4s, p90=5s, p95=5s, mean=3s, n=5, censored=1, excluded=0, "
        "censoring='kaplan-meier')"
    )


def test_repr_html_shows_percentiles_humanised():
    page = Durations(durations=[60, 5400])._repr_html_()
    for label in ("median", "p90", "p95", "mean", "censored", "kaplan-meier"):
        assert f">{label}<" in page
    assert "<td>1h 30m</td>" in page
    assert "<td>n/a</td>" in Durations()._repr_html_()


def test_km_curve_in_both_modes():
    r = Durations(durations=[1, 2, 4, 5], censoring_times=[3])
    times, survival = r.km_curve()
    assert times.tolist() == [1, 2, 4, 5]
    np.testing.assert_allclose(survival, [0.8, 0.6, 0.3, 0.0], atol=1e-15)
    excluded = Durations(durations=[1, 2, 4, 5], censoring_times=[3], censoring="exclude")
    assert excluded.km_curve()[1].tolist() == [0.75, 0.5, 0.25, 0.0]


# --- reduce_durations ------------------------------------------------------


def test_reduce_without_group_is_one_result():
    factory = partial(Durations, metric="handle_time")
    r = reduce_durations(
        factory, np.array([4.0, 1.0, 9.0]), np.array([False, False, True]), None, None
    )
    assert r == Durations(durations=[1, 4], censoring_times=[9], metric="handle_time")


def test_reduce_by_group_hand_computed():
    # Keys sorted ("a", "b"); code -1 is the missing key, shown last as None.
    group = Encoded(np.array([1, 0, 1, -1, 0, 1]), np.array(["a", "b"]))
    values = np.array([5.0, 2.0, 1.0, 7.0, 3.0, 4.0])
    censored = np.array([False, True, False, False, False, True])
    result = reduce_durations(Durations, values, censored, group, "agent_id")
    assert isinstance(result, Breakdown)
    assert list(result) == ["a", "b", None]
    assert result["a"] == Durations(durations=[3], censoring_times=[2])
    assert result["b"] == Durations(durations=[1, 5], censoring_times=[4])
    assert result[None] == Durations(durations=[7])
    assert result.overall == Durations(durations=[1, 3, 5, 7], censoring_times=[2, 4])
    assert result.to_rows()[0] == {
        "agent_id": "a",
        "value": 3.0,
        "n": 2,
        "censored": 1,
        "excluded": 0,
        "reliable": False,
    }


@given(
    data=units(),
    codes=st.lists(st.integers(-1, 3), min_size=40, max_size=40),
    censoring=st.sampled_from(["kaplan-meier", "exclude"]),
)
def test_reduce_groups_match_per_group_results(data, codes, censoring):
    times, censored = data
    code = np.asarray(codes[: len(times)], dtype=np.int64)
    group = Encoded(code, np.array([10, 20, 30, 40]))
    values = np.asarray(times, dtype=np.float64)
    mask = np.asarray(censored, dtype=bool)
    factory = partial(Durations, censoring=censoring)
    result = reduce_durations(factory, values, mask, group, "queue")
    assert isinstance(result, Breakdown)
    assert result.overall == durations_of(times, censored, censoring)
    present = sorted(set(code.tolist()), key=lambda c: (c < 0, c))
    assert list(result) == [group.key(c) for c in present]
    for c in present:
        rows = code == c
        expected = Durations(
            durations=values[rows & ~mask], censoring_times=values[rows & mask], censoring=censoring
        )
        assert result[group.key(c)] == expected
    merged = Durations(censoring=censoring)
    for part in result.values():
        merged = merged.merge(part)
    assert merged == result.overall


def test_reduce_with_more_groups_than_a_16_bit_key_holds():
    keys = np.arange(40_000)
    group = Encoded(np.array([39_999, 0, 39_999, 5]), keys)
    values = np.array([3.0, 1.0, 2.0, 4.0])
    censored = np.array([False, False, True, True])
    result = reduce_durations(Durations, values, censored, group, "customer_id")
    assert isinstance(result, Breakdown)
    assert list(result) == [0, 5, 39_999]
    assert result[39_999] == Durations(durations=[3], censoring_times=[2])
    assert result[5] == Durations(censoring_times=[4])


# --- subclasses (the time metrics add their own parameters) -----------------


@attrs.frozen(kw_only=True, repr=False)
class HandleTime(Durations):
    as_of: datetime | None = None
    _params: ClassVar[tuple[str, ...]] = ("metric", "censoring", "as_of")
    metric: str = "handle_time"


def test_subclass_compares_merges_and_shows_its_parameters():
    as_of = datetime(2026, 3, 9, tzinfo=timezone.utc)
    a = HandleTime(durations=[1.0, 2.0], as_of=as_of)
    b = HandleTime(durations=[3.0], censoring_times=[9.0], as_of=as_of)
    assert a.merge(b) == HandleTime(durations=[1, 2, 3], censoring_times=[9], as_of=as_of)
    assert a != HandleTime(durations=[1.0, 2.0])
    with pytest.raises(ValueError, match="different parameters"):
        a.merge(HandleTime(durations=[3.0]))
    assert "as_of=2026-03-09" in repr(a)
    with pytest.raises(TypeError, match="unhashable"):
        hash(a)


# --- intervals: km_band, km_quantile_interval, Durations.ci and median_se ---

# Twelve tickets, two still open (at 7 s and 10 s). Hand-computed curve:
# t   2     3     5     6     8     9     11    12    15
# S  11/12  .75   .6667 .5833 .4861 .3889 .2593 .1296 0
TICKETS = Durations(durations=[2, 3, 3, 5, 6, 8, 9, 11, 12, 15], censoring_times=[7, 10])


@pytest.mark.parametrize("method", ["log-log", "linear"])
@given(data=units(min_size=1), level=st.sampled_from([0.8, 0.9, 0.95, 0.99]))
def test_km_band_matches_scipy(method, data, level):
    times, censored = data
    assume(not all(censored))
    t = np.asarray(times)
    c = np.asarray(censored)
    event_times, survival, low, high = km_band(t, ~c, confidence_level=level, method=method)
    res = scipy.stats.ecdf(scipy.stats.CensoredData(uncensored=t[~c], right=t[c]))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # scipy: undefined where S is 0 or 1
        ref = res.sf.confidence_interval(level, method=method)
        ref_low, ref_high = ref.low.evaluate(event_times), ref.high.evaluate(event_times)
    defined = ~np.isnan(ref_low)  # scipy leaves S = 0 undefined; the band is [0, 0] there
    np.testing.assert_allclose(low[defined], ref_low[defined], rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(high[defined], ref_high[defined], rtol=1e-9, atol=1e-12)
    assert (low[~defined] == 0).all()
    assert (high[~defined] == 0).all()
    assert (low <= survival + 1e-12).all()
    assert (survival <= high + 1e-12).all()


def test_median_interval_by_hand():
    # Linear band at 95%: L(3) = .75 - 1.96 * .75 * sqrt(.027778) = .505 > .5 and
    # L(5) = .6667 - 1.96 * .6667 * sqrt(.041667) = .400 <= .5, so low = 5;
    # U(11) = .2593 + 1.96 * .2593 * sqrt(.30952) = .542 > .5 and
    # U(12) = .1296 + 1.96 * .1296 * sqrt(.80952) = .358 <= .5, so high = 12.
    linear = TICKETS.ci(method="linear")
    assert (linear.low, linear.high, linear.method) == (5.0, 12.0, "linear")
    assert TICKETS.median == 8.0
    loglog = TICKETS.ci()
    assert (loglog.low, loglog.high, loglog.method) == (3.0, 12.0, "log-log")
    times = [*TICKETS.durations.tolist(), 7, 10]
    assert km_quantile_interval(times, [True] * 10 + [False] * 2) == loglog


def test_median_se_by_hand():
    # Collett: S(6) = .5833 is the last >= .55, S(9) = .3889 the first <= .45, so
    # f = (.5833 - .3889) / (9 - 6); Greenwood at the median 8:
    # 1/(12*11) + 2/(11*9) + 1/(9*8) + 1/(8*7) + 1/(6*5) = .092857.
    s8 = 11 / 12 * 9 / 11 * 8 / 9 * 7 / 8 * 5 / 6
    density = (11 / 12 * 9 / 11 * 8 / 9 * 7 / 8 - s8 * 4 / 5) / 3
    greenwood = 1 / 132 + 2 / 99 + 1 / 72 + 1 / 56 + 1 / 30
    assert TICKETS.median_se == pytest.approx(s8 * math.sqrt(greenwood) / density, rel=1e-12)
    assert TICKETS.median_se == pytest.approx(2.28544, abs=1e-5)


def test_median_interval_edge_cases():
    # Everything open: no median, no interval.
    nothing = Durations(censoring_times=[5, 6])
    assert math.isnan(nothing.ci().low)
    assert math.isnan(nothing.ci().high)
    assert math.isnan(nothing.median_se)
    # The curve passes 0.5 but the band does not: no upper bound.
    few = Durations(durations=[1, 2], censoring_times=[3, 3])
    assert few.median == 2.0
    assert few.ci().high == math.inf
    assert few.ci().low <= few.median
    # All done at once: no uncertainty left.
    same = Durations(durations=[4, 4, 4])
    assert (same.ci().low, same.ci().high, same.median_se) == (4.0, 4.0, 0.0)
    with pytest.raises(ValueError, match="method='plain' is not allowed"):
        TICKETS.ci(method="plain")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="q=2 is not allowed"):
        TICKETS.ci(q=2)


@given(data=units(min_size=1), censoring=st.sampled_from(["kaplan-meier", "exclude"]),
       q=st.sampled_from([0.25, 0.5, 0.9]), level=st.sampled_from([0.8, 0.95]))  # fmt: skip
def test_the_interval_contains_the_estimate_and_widens_with_the_level(data, censoring, q, level):
    r = durations_of(*data, censoring=censoring)
    ci = r.ci(q=q, confidence_level=level)
    estimate = r.quantile(q)
    if math.isnan(estimate):
        assert math.isnan(ci.low)
        return
    assert ci.low <= estimate <= ci.high
    wider = r.ci(q=q, confidence_level=0.99)
    assert wider.low <= ci.low
    assert ci.high <= wider.high
    assert r.median_se >= 0 or math.isnan(r.median_se)


def test_median_interval_covers_the_true_median():
    # Exponential resolution times (true median 600 ln 2 s), censored by an
    # independent exponential time with mean 1400 s (30% of tickets still open):
    # the 95% interval should hold the true median about 95% of the time.
    rng = np.random.default_rng(20261124)
    true_median = 600 * math.log(2)
    hits = {"log-log": 0, "linear": 0}
    runs = 400
    for _ in range(runs):
        t = rng.exponential(600, 150).round()
        open_at = rng.exponential(1400, 150).round()
        r = durations_of(np.minimum(t, open_at).tolist(), (open_at < t).tolist())
        for method in hits:
            hits[method] += true_median in r.ci(method=method)
    for method, count in hits.items():
        # Measured: 389 of 400 for both (the interval steps between event times, so
        # it is a little conservative).
        assert 0.92 <= count / runs <= 0.99, (method, count)


# --- distinct values: the same numbers as keeping every time (decision 53) ---

# Times with many ties (whole seconds, and a few distinct fractions) as well as
# arbitrary floats, so that a distinct value often has several completed and
# censored units.
tied_seconds = st.one_of(
    st.integers(0, 12).map(float),
    st.sampled_from([0.5, 1e-6, 2.25, 3600.0, 86_400.000001]),
    st.floats(0, 1e6, allow_nan=False, allow_infinity=False),
)


@st.composite
def tied_units(draw: st.DrawFn, *, max_size: int = 60) -> tuple[list[float], list[bool]]:
    times = draw(st.lists(tied_seconds, max_size=max_size))
    censored = draw(st.lists(st.booleans(), min_size=len(times), max_size=len(times)))
    return times, censored


@pytest.mark.parametrize("censoring", ["kaplan-meier", "exclude"])
@given(
    data=tied_units(),
    qs=st.lists(probabilities, min_size=1, max_size=6),
    level=st.sampled_from([0.8, 0.95, 0.99]),
)
@example(
    data=([1.0, 1.0, 2.0, 2.0, 2.0, 3.0], [False, True, False, False, True, False]),
    qs=[0.5, 0.9],
    level=0.95,
)
@example(data=([0.0, -0.0, 5e-324, 0.0], [False, False, True, False]), qs=[0.0, 1.0], level=0.95)
def test_distinct_values_give_the_statistics_of_every_time_bit_for_bit(censoring, data, qs, level):
    times, censored = data
    t = np.asarray(times, dtype=np.float64)
    c = np.asarray(censored, dtype=bool)
    new = Durations(durations=t[~c], censoring_times=t[c], censoring=censoring)
    old = ReferenceDurations.of(t[~c], t[c], censoring)
    for q in qs:
        assert same(new.quantile(q), old.quantile(q)), q
    assert [row["seconds"] for row in new.to_rows(quantiles=qs)] == pytest.approx(
        [old.quantile(q) for q in qs], nan_ok=True, rel=0, abs=0
    )
    for got, want in zip(new.km_curve(), old.km_curve(), strict=True):
        assert got.tobytes() == want.tobytes()
    for method in ("log-log", "linear"):
        for q in (0.5, *qs[:2]):
            got = new.ci(confidence_level=level, method=method, q=q)
            want = old.ci(level, method, q)
            assert same(got.low, want.low)
            assert same(got.high, want.high)
    assert same(new.median_se, old.median_se)
    assert same(new.min, old.min)
    assert same(new.max, old.max)
    assert (new.n, new.completed, new.censored) == (len(t), int((~c).sum()), int(c.sum()))
    assert new.durations.tobytes() == old.durations.tobytes()
    assert new.censoring_times.tobytes() == old.censoring_times.tobytes()


@given(data=tied_units(max_size=80), cuts=st.lists(st.integers(0, 80), max_size=4))
@example(data=([0.1, 0.1, 0.1, 0.2], [False] * 4), cuts=[1, 3])
def test_mean_is_the_correctly_rounded_sum_over_n_for_any_split(data, cuts):
    times, censored = data
    t = np.asarray(times, dtype=np.float64)
    c = np.asarray(censored, dtype=bool)
    whole = Durations(durations=t[~c], censoring_times=t[c])
    done = t[~c]
    if len(done):
        expected = min(max(math.fsum(done) / len(done), done.min()), done.max())
        assert whole.mean == expected
        assert whole.total == math.fsum(done)
        # The old mean (numpy's pairwise sum of the sorted times) is within a
        # rounding error of it.
        assert whole.mean == pytest.approx(float(np.sort(done).mean()), rel=1e-12, abs=1e-300)
    else:
        assert math.isnan(whole.mean)
        assert whole.total == 0.0
    bounds = [0, *sorted(min(cut, len(t)) for cut in cuts), len(t)]
    parts = [
        Durations(durations=t[a:b][~c[a:b]], censoring_times=t[a:b][c[a:b]])
        for a, b in itertools.pairwise(bounds)
    ]
    merged = functools.reduce(Durations.merge, parts)
    assert merged == whole
    assert same(merged.mean, whole.mean)
    assert merged.total == whole.total


def test_mean_of_repeated_value_stays_at_the_value():
    r = Durations(values=[0.1], completed_counts=[3], censored_counts=[0])
    assert r.mean == 0.1
    assert r.total == math.fsum([0.1] * 3)


def test_mean_of_huge_and_tiny_durations_takes_the_exact_slow_path():
    huge = Durations(durations=[1e308, 1e308, 1e307])
    assert huge.mean == pytest.approx(7e307, rel=1e-15)
    tiny = Durations(durations=[5e-324, 1e-310, 3.0])
    assert tiny.mean == math.fsum([5e-324, 1e-310, 3.0]) / 3


def test_counts_constructor_is_the_times_constructor():
    by_times = Durations(durations=[3, 1, 1, 2], censoring_times=[2, 5])
    assert list(by_times.values) == [1.0, 2.0, 3.0, 5.0]
    assert list(by_times.completed_counts) == [2, 1, 1, 0]
    assert list(by_times.censored_counts) == [0, 1, 0, 1]
    # Unsorted, duplicated and empty values are put in canonical form.
    by_counts = Durations(
        values=[5, 2, 1, 3, 1, 7],
        completed_counts=[0, 1, 1, 1, 1, 0],
        censored_counts=[1, 1, 0, 0, 0, 0],
    )
    assert by_counts == by_times
    assert not by_times.values.flags.writeable
    assert not by_times.durations.flags.writeable


def test_counts_constructor_rejects_bad_counts():
    with pytest.raises(ValueError, match="completed_counts: a count must be an int >= 0"):
        Durations(values=[1.0], completed_counts=[-1], censored_counts=[0])
    with pytest.raises(ValueError, match="censored_counts: a count must be an int >= 0"):
        Durations(values=[1.0], completed_counts=[1], censored_counts=[0.5])
    with pytest.raises(ValueError, match="completed_counts has 2 counts for 1 values"):
        Durations(values=[1.0], completed_counts=[1, 1], censored_counts=[0])
    with pytest.raises(ValueError, match="values: a duration must be finite seconds >= 0"):
        Durations(values=[-1.0], completed_counts=[1], censored_counts=[0])
    with pytest.raises(TypeError, match="not both"):
        Durations(durations=[1.0], values=[1.0], completed_counts=[1], censored_counts=[0])


def test_result_keeps_distinct_values_not_every_unit():
    waits = np.tile(np.arange(30.0), 10_000)  # 300,000 units, 30 distinct waits
    r = Durations(durations=waits, censoring_times=waits[:1000])
    assert len(r.values) == 30
    assert r.n == 301_000
    assert r.values.nbytes + r.completed_counts.nbytes + r.censored_counts.nbytes == 30 * 24
