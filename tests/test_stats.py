"""Reference values for the interval estimators in csmetrics.core.stats.

Each reference names its source and tolerance. scipy is the independent
implementation for Wilson (``binomtest(...).proportion_ci``), Student's t and
the normal quantile; the other formulas are recomputed here from their
published definitions.
"""

from __future__ import annotations

import math

import pytest
from hypothesis import example, given
from hypothesis import strategies as st
from scipy import stats as sps

from csmetrics import ConfidenceInterval
from csmetrics.core.stats import nps_interval, rate_interval, t_interval, t_quantile, z_value

LEVELS = [0.5, 0.8, 0.9, 0.95, 0.99, 0.999]
Z95 = 1.959963984540054  # Phi^-1(0.975), Abramowitz & Stegun table 26.5 to 15 digits


# -- z ---------------------------------------------------------------------------------------


def test_z_value_95_matches_scipy_norm_ppf():
    assert z_value(0.95) == pytest.approx(sps.norm.ppf(0.975), rel=1e-12, abs=0)
    assert z_value(0.95) == pytest.approx(Z95, rel=1e-12, abs=0)


@pytest.mark.parametrize("level", LEVELS)
def test_z_value_matches_scipy_norm_ppf(level):
    assert z_value(level) == pytest.approx(sps.norm.ppf((1 + level) / 2), rel=1e-12, abs=0)


@pytest.mark.parametrize("level", [0, 1, -0.1, 1.5, 95, math.nan])
def test_invalid_confidence_level_is_rejected(level):
    with pytest.raises(ValueError, match="confidence_level"):
        z_value(level)
    with pytest.raises(ValueError, match="confidence_level"):
        rate_interval(5, 10, confidence_level=level)
    with pytest.raises(ValueError, match="confidence_level"):
        nps_interval(5, 3, 2, confidence_level=level)
    with pytest.raises(ValueError, match="confidence_level"):
        t_interval(4.0, 1.0, 10, confidence_level=level)


def test_invalid_confidence_level_is_rejected_even_with_no_data():
    with pytest.raises(ValueError, match="confidence_level"):
        rate_interval(0, 0, confidence_level=1.0)
    with pytest.raises(ValueError, match="confidence_level"):
        t_interval(math.nan, math.nan, 0, confidence_level=0.0)


# -- binomial proportion ----------------------------------------------------------------------

# Newcombe (1998), "Two-sided confidence intervals for the single proportion:
# comparison of seven methods", Statistics in Medicine 17:857-872: the worked
# examples' 95% intervals, printed to 4 decimals (tolerance: half a unit in the
# last place).
NEWCOMBE_WILSON = [
    (81, 263, 0.2553, 0.3662),
    (15, 148, 0.0624, 0.1605),
    (0, 20, 0.0, 0.1611),
    (1, 29, 0.0061, 0.1718),
]
NEWCOMBE_WALD = [
    (81, 263, 0.2522, 0.3638),
    (15, 148, 0.0527, 0.1500),
]


@pytest.mark.parametrize(("x", "n", "low", "high"), NEWCOMBE_WILSON)
def test_wilson_matches_newcombe_1998(x, n, low, high):
    ci = rate_interval(x, n, method="wilson")
    assert ci.low == pytest.approx(low, abs=5e-5)
    assert ci.high == pytest.approx(high, abs=5e-5)


@pytest.mark.parametrize(("x", "n", "low", "high"), NEWCOMBE_WALD)
def test_wald_matches_newcombe_1998(x, n, low, high):
    ci = rate_interval(x, n, method="wald")
    assert ci.low == pytest.approx(low, abs=5e-5)
    assert ci.high == pytest.approx(high, abs=5e-5)


@pytest.mark.parametrize("level", LEVELS)
@pytest.mark.parametrize(
    ("x", "n"), [(1, 1), (0, 1), (3, 7), (81, 263), (15, 148), (1, 29), (499, 1000), (7, 10_000)]
)
def test_wilson_matches_scipy_binomtest(x, n, level):
    ours = rate_interval(x, n, confidence_level=level, method="wilson")
    theirs = sps.binomtest(x, n).proportion_ci(confidence_level=level, method="wilson")
    # Same closed form; only rounding differs.
    assert ours.low == pytest.approx(theirs.low, rel=1e-9, abs=1e-12)
    assert ours.high == pytest.approx(theirs.high, rel=1e-9, abs=1e-12)


def wald_by_hand(x: int, n: int, z: float) -> tuple[float, float]:
    p = x / n
    half = z * math.sqrt(p * (1 - p) / n)
    return max(0.0, p - half), min(1.0, p + half)


def agresti_coull_by_hand(x: int, n: int, z: float) -> tuple[float, float]:
    # Agresti & Coull (1998), "Approximate is better than 'exact' for interval
    # estimation of binomial proportions", The American Statistician 52(2),
    # as written in Brown, Cai & DasGupta (2001), Statistical Science 16(2), eq. (6).
    n_tilde = n + z * z
    p_tilde = (x + z * z / 2) / n_tilde
    half = z * math.sqrt(p_tilde * (1 - p_tilde) / n_tilde)
    return max(0.0, p_tilde - half), min(1.0, p_tilde + half)


@pytest.mark.parametrize("level", LEVELS)
@pytest.mark.parametrize(("x", "n"), [(0, 5), (1, 29), (3, 7), (81, 263), (50, 50), (7, 10_000)])
def test_agresti_coull_matches_the_formula(x, n, level):
    z = sps.norm.ppf((1 + level) / 2)
    ci = rate_interval(x, n, confidence_level=level, method="agresti-coull")
    low, high = agresti_coull_by_hand(x, n, z)
    assert ci.low == pytest.approx(low, rel=1e-12, abs=1e-15)
    assert ci.high == pytest.approx(high, rel=1e-12, abs=1e-15)


def test_agresti_coull_hand_computed_81_of_263():
    # z = 1.959964: n~ = 263 + 3.841459 = 266.841459, p~ = 82.920729 / n~ = 0.310749,
    # half = z * sqrt(p~ (1 - p~) / n~) = 0.055528 -> (0.255221, 0.366277).
    ci = rate_interval(81, 263, method="agresti-coull")
    assert ci.low == pytest.approx(0.255221, abs=1e-6)
    assert ci.high == pytest.approx(0.366277, abs=1e-6)


@pytest.mark.parametrize("level", LEVELS)
@pytest.mark.parametrize(("x", "n"), [(1, 29), (3, 7), (81, 263), (9_999, 10_000)])
def test_wald_matches_the_formula(x, n, level):
    z = sps.norm.ppf((1 + level) / 2)
    ci = rate_interval(x, n, confidence_level=level, method="wald")
    low, high = wald_by_hand(x, n, z)
    assert ci.low == pytest.approx(low, rel=1e-12, abs=1e-15)
    assert ci.high == pytest.approx(high, rel=1e-12, abs=1e-15)


def test_wald_is_clipped_to_zero():
    # 1/29: p - z * se = 0.0345 - 0.0664 < 0.
    ci = rate_interval(1, 29, method="wald")
    assert ci.low == 0.0
    assert ci.high == pytest.approx(1 / 29 + Z95 * math.sqrt((1 / 29) * (28 / 29) / 29), rel=1e-12)


def test_wald_collapses_to_a_point_at_zero_and_one():
    assert (rate_interval(0, 40, method="wald").low, rate_interval(0, 40, method="wald").high) == (
        0.0,
        0.0,
    )
    ci = rate_interval(40, 40, method="wald")
    assert (ci.low, ci.high) == (1.0, 1.0)


def test_agresti_coull_is_clipped_to_one():
    ci = rate_interval(5, 5, method="agresti-coull")
    assert ci.high == 1.0
    assert ci.low < 1.0


def test_wilson_upper_bound_at_zero_successes():
    # x = 0: the upper bound is z^2 / (n + z^2) exactly (Wilson 1927).
    n = 20
    assert rate_interval(0, n).high == pytest.approx(Z95**2 / (n + Z95**2), rel=1e-12)


def test_wilson_is_within_zero_and_one():
    for x, n in [(0, 1), (1, 1), (0, 1000), (1000, 1000)]:
        ci = rate_interval(x, n)
        assert 0.0 <= ci.low <= ci.high <= 1.0


@pytest.mark.parametrize("method", ["wilson", "agresti-coull", "wald"])
def test_rate_interval_with_no_trials_is_nan(method):
    ci = rate_interval(0, 0, method=method)
    assert math.isnan(ci.low)
    assert math.isnan(ci.high)
    assert ci.method == method
    assert ci.confidence_level == 0.95


def test_rate_interval_unknown_method_is_rejected():
    with pytest.raises(ValueError, match="method"):
        rate_interval(3, 10, method="exact")  # type: ignore[arg-type]


def test_rate_interval_records_level_and_method():
    ci = rate_interval(3, 10, confidence_level=0.9, method="agresti-coull")
    assert isinstance(ci, ConfidenceInterval)
    assert (ci.confidence_level, ci.method) == (0.9, "agresti-coull")


@pytest.mark.parametrize("method", ["wilson", "agresti-coull", "wald"])
@given(x=st.integers(0, 3000), failures=st.integers(0, 3000), level=st.sampled_from(LEVELS))
@example(x=0, failures=10, level=0.95)
@example(x=13, failures=0, level=0.95)
def test_interval_contains_the_estimate_and_lies_in_zero_one(method, x, failures, level):
    n = x + failures
    if n == 0:
        return
    ci = rate_interval(x, n, confidence_level=level, method=method)
    assert 0.0 <= ci.low <= x / n <= ci.high <= 1.0


@pytest.mark.parametrize("n", [1, 10, 13, 34, 1000])
def test_wilson_bounds_at_zero_and_all_successes_are_exact(n):
    # Wilson (1927): at x = 0 the lower bound is 0, at x = n the upper bound is 1,
    # exactly (not up to rounding, or the interval misses the estimate).
    assert rate_interval(0, n).low == 0.0
    assert rate_interval(n, n).high == 1.0


@given(x=st.integers(0, 300), failures=st.integers(0, 300), level=st.sampled_from(LEVELS))
@example(x=0, failures=180, level=0.5)
@example(x=176, failures=0, level=0.5)
def test_higher_level_gives_a_wider_interval(x, failures, level):
    n = x + failures
    if n == 0:
        return
    narrow = rate_interval(x, n, confidence_level=level * 0.9)
    wide = rate_interval(x, n, confidence_level=level)
    assert wide.low <= narrow.low
    assert narrow.high <= wide.high
    assert wide.high - wide.low > narrow.high - narrow.low


# -- NPS --------------------------------------------------------------------------------------


def test_nps_interval_hand_computed():
    # P, Pa, D = 50, 30, 20: NPS = 30; Var(NPS / 100) = (0.5 + 0.2 - 0.3^2) / 100 = 0.0061;
    # half = 100 * 1.959964 * sqrt(0.0061) = 15.307808 (Rocks 2016).
    ci = nps_interval(50, 30, 20)
    half = 100 * Z95 * math.sqrt(0.0061)
    assert half == pytest.approx(15.307808, abs=1e-6)
    assert ci.low == pytest.approx(30 - half, rel=1e-12)
    assert ci.high == pytest.approx(30 + half, rel=1e-12)
    assert ci.method == "normal"


@pytest.mark.parametrize("level", LEVELS)
@pytest.mark.parametrize(("p", "pa", "d"), [(5, 2, 3), (120, 40, 80), (1, 0, 1), (0, 10, 1)])
def test_nps_interval_matches_the_multinomial_formula(p, pa, d, level):
    n = p + pa + d
    z = sps.norm.ppf((1 + level) / 2)
    value = 100 * (p - d) / n
    half = 100 * z * math.sqrt((p / n + d / n - ((p - d) / n) ** 2) / n)
    ci = nps_interval(p, pa, d, confidence_level=level)
    assert ci.low == pytest.approx(max(-100, value - half), rel=1e-12, abs=1e-12)
    assert ci.high == pytest.approx(min(100, value + half), rel=1e-12, abs=1e-12)


def test_nps_interval_clipped_to_plus_100():
    # P=2, Pa=1: NPS 66.7, half = 196 * sqrt((2/3 - 4/9) / 3) = 53.3 -> 120 before clipping.
    ci = nps_interval(2, 1, 0)
    assert ci.high == 100.0
    assert ci.low == pytest.approx(200 / 3 - 100 * Z95 * math.sqrt((2 / 9) / 3), rel=1e-12)


def test_nps_interval_clipped_to_minus_100():
    ci = nps_interval(0, 1, 2)
    assert ci.low == -100.0
    assert ci.high < 0


def test_nps_interval_all_promoters_is_a_point():
    ci = nps_interval(10, 0, 0)
    assert (ci.low, ci.high) == (100.0, 100.0)


def test_nps_interval_with_no_answers_is_nan():
    ci = nps_interval(0, 0, 0)
    assert math.isnan(ci.low)
    assert math.isnan(ci.high)


# -- Student t ----------------------------------------------------------------------------------

T_DF = [0.5, 1, 2, 3, 4.5, 5, 9, 10, 29, 30, 100, 1000, 10_000, 100_000]
T_P = [1e-6, 0.001, 0.01, 0.025, 0.05, 0.1, 0.25, 0.4, 0.6, 0.75, 0.9, 0.95, 0.975, 0.99, 0.999]


@pytest.mark.parametrize("df", T_DF)
def test_t_quantile_matches_scipy_t_ppf(df):
    for p in T_P:
        expected = sps.t.ppf(p, df)
        assert t_quantile(p, df) == pytest.approx(expected, rel=1e-9, abs=0), (p, df)


def test_t_quantile_published_table_values():
    # Student t table (e.g. NIST/SEMATECH e-Handbook 1.3.6.7.2), 3 decimals.
    assert t_quantile(0.975, 1) == pytest.approx(12.706, abs=5e-4)
    assert t_quantile(0.975, 10) == pytest.approx(2.228, abs=5e-4)
    assert t_quantile(0.95, 30) == pytest.approx(1.697, abs=5e-4)
    assert t_quantile(0.995, 5) == pytest.approx(4.032, abs=5e-4)


def test_t_quantile_is_antisymmetric():
    assert t_quantile(0.1, 7) == -t_quantile(0.9, 7)


@pytest.mark.parametrize(("p", "df"), [(0, 5), (1, 5), (-0.1, 5), (0.5, 0), (0.9, -1)])
def test_t_quantile_invalid_arguments_are_rejected(p, df):
    with pytest.raises(ValueError, match="t_quantile"):
        t_quantile(p, df)


@pytest.mark.parametrize("level", LEVELS)
@pytest.mark.parametrize(("mean", "std", "n"), [(4.0, 1.0, 10), (5.2, 1.7, 2), (3.3, 0.4, 250)])
def test_t_interval_matches_scipy_t_interval(mean, std, n, level):
    low, high = sps.t.interval(level, n - 1, loc=mean, scale=std / math.sqrt(n))
    ci = t_interval(mean, std, n, confidence_level=level)
    assert ci.low == pytest.approx(low, rel=1e-9)
    assert ci.high == pytest.approx(high, rel=1e-9)
    assert ci.method == "t"


@pytest.mark.parametrize("n", [0, 1])
def test_t_interval_needs_two_values(n):
    ci = t_interval(4.0, math.nan, n)
    assert math.isnan(ci.low)
    assert math.isnan(ci.high)


def test_t_interval_with_nan_std_is_nan():
    ci = t_interval(4.0, math.nan, 10)
    assert math.isnan(ci.low)
    assert math.isnan(ci.high)


def test_t_interval_with_zero_spread_is_a_point():
    ci = t_interval(3.0, 0.0, 5)
    assert (ci.low, ci.high) == (3.0, 3.0)


# -- ConfidenceInterval ---------------------------------------------------------------------------


def test_confidence_interval_contains_is_closed():
    ci = ConfidenceInterval(low=0.2, high=0.4, confidence_level=0.95, method="wilson")
    assert 0.2 in ci
    assert 0.4 in ci
    assert 0.3 in ci
    assert 0.41 not in ci
    assert 0.19 not in ci


def test_confidence_interval_is_frozen():
    ci = ConfidenceInterval(low=0.2, high=0.4, confidence_level=0.95, method="wilson")
    with pytest.raises(AttributeError):
        ci.low = 0.0  # type: ignore[misc]


def test_rate_interval_checks_method_and_counts_even_when_empty():
    with pytest.raises(ValueError, match="method='bogus'"):
        rate_interval(0, 0, method="bogus")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="successes=5, n=3"):
        rate_interval(5, 3)
