"""Tests of csmetrics.analysis.compare: compare and target.

Reference values cite their source and tolerance: Newcombe (1998) for the
difference of two rates, scipy for the pooled z test (as Pearson's chi-square
without continuity correction), for the Wilson bounds inside Newcombe's
interval and for Welch's t test; the NPS difference is computed by hand.
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta, timezone

import attrs
import numpy as np
import pytest
from hypothesis import example, given
from hypothesis import strategies as st
from scipy import stats as sps

import csmetrics
from csmetrics import (
    CSAT,
    FCR,
    NPS,
    Breakdown,
    Durations,
    HandleTime,
    Mean,
    Rate,
    Result,
    TimeMean,
    Window,
)
from csmetrics.analysis.compare import Comparison, TargetCheck, compare, target
from strategies import undefined_allowed, undefined_warnings

UTC = timezone.utc
LEVELS = [0.5, 0.8, 0.9, 0.95, 0.99]


def fcr_result(numerator: int, denominator: int, **changes: object) -> FCR:
    fields: dict[str, object] = {
        "numerator": numerator,
        "denominator": denominator,
        "pending": 0,
        "repeats": 0,
        "window_days": 7.0,
        "match": "issue",
        "as_of": None,
    }
    return FCR(**{**fields, **changes})  # type: ignore[arg-type]


def mean_of(values: list[float], cls: type[Mean] = Mean, **fields: object) -> Mean:
    x = np.asarray(values, dtype=float)
    m = float(x.mean())
    return cls(n=len(x), mean=m, m2=float(((x - m) ** 2).sum()), **fields)


def nps_of(promoters: int, passives: int, detractors: int) -> NPS:
    return NPS(promoters=promoters, passives=passives, detractors=detractors)


# -- rates: Newcombe's hybrid score interval ---------------------------------------------------


def test_rate_difference_matches_newcombe_1998_table_ii():
    # Newcombe (1998), "Interval estimation for the difference between independent
    # proportions: comparison of eleven methods", Statistics in Medicine 17:873-890,
    # Table II, example (a) 56/70 - 48/80, method 10 (score, no continuity
    # correction): 0.0524 to 0.3339. Printed to 4 decimals: tolerance half a unit.
    c = compare(Rate(numerator=56, denominator=70), Rate(numerator=48, denominator=80))
    assert c.difference == pytest.approx(0.2, abs=1e-15)
    assert c.low == pytest.approx(0.0524, abs=5e-5)
    assert c.high == pytest.approx(0.3339, abs=5e-5)
    assert c.significant
    assert c.method == "newcombe"
    assert c.confidence_level == 0.95
    assert c.relative_change == pytest.approx(0.2 / 0.6, rel=1e-12)


def newcombe_with_scipy_wilson(x1: int, n1: int, x2: int, n2: int, level: float):
    # Newcombe (1998) method 10, with the Wilson bounds from scipy's binomtest.
    w1 = sps.binomtest(x1, n1).proportion_ci(confidence_level=level, method="wilson")
    w2 = sps.binomtest(x2, n2).proportion_ci(confidence_level=level, method="wilson")
    p1, p2 = x1 / n1, x2 / n2
    d = p1 - p2
    low = d - math.sqrt((p1 - w1.low) ** 2 + (w2.high - p2) ** 2)
    high = d + math.sqrt((w1.high - p1) ** 2 + (p2 - w2.low) ** 2)
    return low, high


@pytest.mark.parametrize("level", LEVELS)
@pytest.mark.parametrize(
    ("x1", "n1", "x2", "n2"),
    [
        (56, 70, 48, 80),
        (9, 10, 3, 10),
        (5, 56, 0, 29),
        (0, 10, 0, 20),
        (10, 10, 0, 20),
        (1, 1, 0, 1),
    ],
)
def test_rate_difference_matches_newcombe_formula_on_scipy_wilson(x1, n1, x2, n2, level):
    c = compare(
        Rate(numerator=x1, denominator=n1),
        Rate(numerator=x2, denominator=n2),
        confidence_level=level,
    )
    low, high = newcombe_with_scipy_wilson(x1, n1, x2, n2, level)
    # Same closed form on independently computed Wilson bounds; only rounding differs.
    assert c.low == pytest.approx(low, rel=1e-9, abs=1e-12)
    assert c.high == pytest.approx(high, rel=1e-9, abs=1e-12)


@pytest.mark.parametrize(
    ("x1", "n1", "x2", "n2"),
    [(56, 70, 48, 80), (9, 10, 3, 10), (5, 56, 1, 29), (416, 653, 463, 719), (1, 3, 2, 3)],
)
def test_rate_p_value_is_pooled_z_test_as_scipy_chi_square(x1, n1, x2, n2):
    # The pooled two-proportion z test is Pearson's chi-square test of the 2x2
    # table without continuity correction (z^2 = chi^2, one degree of freedom):
    # scipy.stats.chi2_contingency(..., correction=False).
    table = [[x1, n1 - x1], [x2, n2 - x2]]
    expected = sps.chi2_contingency(table, correction=False).pvalue
    c = compare(Rate(numerator=x1, denominator=n1), Rate(numerator=x2, denominator=n2))
    assert c.p_value == pytest.approx(expected, rel=1e-9)


def test_rate_p_value_is_accurate_far_in_the_tail():
    c = compare(Rate(numerator=900, denominator=1000), Rate(numerator=100, denominator=1000))
    expected = sps.chi2_contingency([[900, 100], [100, 900]], correction=False).pvalue
    assert 0 < c.p_value < 1e-200
    assert c.p_value == pytest.approx(expected, rel=1e-6)


def test_equal_rates_of_zero_or_one_have_p_value_one():
    c = compare(Rate(numerator=10, denominator=10), Rate(numerator=20, denominator=20))
    assert c.difference == 0
    assert c.p_value == 1.0
    assert c.low < 0 < c.high
    assert not c.significant


def test_every_rate_subclass_uses_newcombe():
    a = CSAT(numerator=8, denominator=10, scale=(1, 5), satisfied_from=4)
    b = CSAT(numerator=5, denominator=10, scale=(1, 5), satisfied_from=4)
    assert compare(a, b).method == "newcombe"
    assert compare(fcr_result(8, 10), fcr_result(5, 10)).method == "newcombe"


def test_relative_change_is_nan_when_the_baseline_is_zero():
    c = compare(Rate(numerator=2, denominator=10), Rate(numerator=0, denominator=10))
    assert c.difference == pytest.approx(0.2)
    assert math.isnan(c.relative_change)


# -- NPS -----------------------------------------------------------------------------------------


def test_nps_difference_by_hand():
    # By hand: a = 50/30/20 (NPS 30), b = 40/30/30 (NPS 10), d = 20 points.
    # Var_a = (0.5 + 0.2 - 0.3^2) / 100 = 0.0061, Var_b = (0.4 + 0.3 - 0.1^2) / 100 = 0.0069.
    # se = 100 sqrt(0.013) = 11.4017543; z = 1.9599640 -> half = 22.3470277:
    # -2.3470277 to 42.3470277. z-score 20 / 11.4017543 = 1.7541160,
    # p = 2 (1 - Phi(1.7541160)) = 0.0794106.
    c = compare(nps_of(50, 30, 20), nps_of(40, 30, 30))
    assert c.method == "normal"
    assert c.difference == pytest.approx(20.0, abs=1e-12)
    assert c.low == pytest.approx(-2.3470277, abs=1e-6)
    assert c.high == pytest.approx(42.3470277, abs=1e-6)
    assert c.p_value == pytest.approx(0.0794106, abs=1e-6)
    assert not c.significant
    assert c.relative_change == pytest.approx(2.0)


def test_nps_with_no_spread_collapses_onto_the_difference():
    same = compare(nps_of(10, 0, 0), nps_of(20, 0, 0))
    assert (same.difference, same.low, same.high, same.p_value) == (0.0, 0.0, 0.0, 1.0)
    assert not same.significant
    apart = compare(nps_of(10, 0, 0), nps_of(0, 0, 20))
    assert (apart.difference, apart.low, apart.high, apart.p_value) == (200.0, 200.0, 200.0, 0.0)
    assert apart.significant


def test_nps_interval_is_clipped_to_plus_minus_200():
    c = compare(nps_of(2, 0, 0), nps_of(1, 0, 1))
    assert c.difference == 100.0
    assert c.high == 200.0
    assert c.low < 100.0


# -- means: Welch --------------------------------------------------------------------------------

WELCH_DATA = [
    ([7, 6, 5, 6, 1, 4, 5], [3, 4, 2, 5, 3, 3, 4, 2, 1]),
    ([310.0, 295.5, 402.0, 288.0, 351.0, 330.0], [280.0, 300.0, 260.5, 275.0]),
    ([1.0, 2.0], [1.5, 1.5, 1.5, 9.0, 0.5]),
    (list(np.linspace(0, 1, 500)), list(np.linspace(0.05, 1.2, 800))),
]


@pytest.mark.parametrize("level", LEVELS)
@pytest.mark.parametrize(("x", "y"), WELCH_DATA)
def test_welch_matches_scipy_ttest_ind(x, y, level):
    # scipy.stats.ttest_ind(equal_var=False) on the raw data is the reference
    # for the difference, the p-value and (TtestResult.confidence_interval) the
    # interval; csmetrics sees only the summary counts n, mean, m2.
    a, b = mean_of(x), mean_of(y)
    ref = sps.ttest_ind(x, y, equal_var=False)
    ref_ci = ref.confidence_interval(confidence_level=level)
    c = compare(a, b, confidence_level=level)
    assert c.method == "welch"
    assert c.difference == pytest.approx(np.mean(x) - np.mean(y), rel=1e-12, abs=1e-12)
    assert c.p_value == pytest.approx(ref.pvalue, rel=1e-8)
    assert c.low == pytest.approx(ref_ci.low, rel=1e-8, abs=1e-12)
    assert c.high == pytest.approx(ref_ci.high, rel=1e-8, abs=1e-12)


@pytest.mark.parametrize(("x", "y"), WELCH_DATA)
def test_welch_matches_scipy_from_summary_stats(x, y):
    # The same data as summary statistics (mean, std with ddof 1, n):
    # scipy.stats.ttest_ind_from_stats(equal_var=False).
    a, b = mean_of(x), mean_of(y)
    ref = sps.ttest_ind_from_stats(a.mean, a.std, a.n, b.mean, b.std, b.n, equal_var=False)
    assert compare(a, b).p_value == pytest.approx(ref.pvalue, rel=1e-8)


def test_welch_on_ces_and_time_means():
    a = csmetrics.ces([7, 6, 5, 6, 1, 4, 5])
    b = csmetrics.ces([3, 4, 2, 5, 3, 3, 4, 2, 1])
    c = compare(a, b)
    # scipy.stats.ttest_ind([7, 6, 5, 6, 1, 4, 5], [3, 4, 2, 5, 3, 3, 4, 2, 1],
    # equal_var=False): t = 2.2026517, df = 9.5649207, p = 0.0533889,
    # 95% interval -0.0331370 to 3.7474227.
    assert c.p_value == pytest.approx(0.0533889, abs=1e-7)
    assert c.low == pytest.approx(-0.0331370, abs=1e-7)
    assert c.high == pytest.approx(3.7474227, abs=1e-7)
    assert not c.significant
    t1 = mean_of([300.0, 320.0, 290.0], TimeMean)
    t2 = mean_of([200.0, 210.0, 190.0], TimeMean)
    assert compare(t1, t2).significant
    h1 = mean_of([300.0, 320.0], HandleTime)
    h2 = mean_of([200.0, 210.0], HandleTime)
    assert compare(h1, h2).method == "welch"


def test_ces_difference_is_clipped_to_the_scale_width():
    a = csmetrics.ces([1, 7])
    b = csmetrics.ces([7, 1])
    c = compare(a, b)
    assert c.difference == 0
    assert (c.low, c.high) == (-6.0, 6.0)


def test_means_without_spread_collapse_onto_the_difference():
    same = compare(mean_of([4.0, 4.0]), mean_of([4.0, 4.0, 4.0]))
    assert (same.low, same.high, same.p_value, same.significant) == (0.0, 0.0, 1.0, False)
    apart = compare(mean_of([5.0, 5.0]), mean_of([4.0, 4.0, 4.0]))
    assert (apart.low, apart.high, apart.p_value, apart.significant) == (1.0, 1.0, 0.0, True)


def test_one_side_without_spread_uses_the_other_sides_degrees_of_freedom():
    # With s_a = 0, df = v_b^2 / (v_b^2 / (n_b - 1)) = n_b - 1: Student's one-sample t.
    y = [3.0, 5.0, 4.0, 6.0]
    c = compare(mean_of([4.0, 4.0, 4.0]), mean_of(y))
    ref = sps.ttest_1samp(y, 4.0)
    assert c.p_value == pytest.approx(ref.pvalue, rel=1e-9)


def test_a_mean_of_one_value_has_a_difference_but_no_interval():
    with pytest.warns(csmetrics.UndefinedMetricWarning, match="at least two values"):
        c = compare(mean_of([5.0]), mean_of([3.0, 4.0]))
    assert c.difference == 1.5
    assert math.isnan(c.low)
    assert math.isnan(c.high)
    assert math.isnan(c.p_value)
    assert not c.significant


# -- undefined inputs ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("empty", "full"),
    [
        (Rate(numerator=0, denominator=0), Rate(numerator=3, denominator=5)),
        (nps_of(0, 0, 0), nps_of(3, 1, 1)),
        (Mean(n=0), mean_of([1.0, 2.0])),
    ],
)
def test_undefined_input_gives_nan_fields_and_a_warning(empty, full):
    for a, b in ((empty, full), (full, empty), (empty, empty)):
        with pytest.warns(csmetrics.UndefinedMetricWarning, match="no data"):
            c = compare(a, b)
        for name in ("difference", "low", "high", "p_value", "relative_change"):
            assert math.isnan(getattr(c, name)), name
        assert c.significant is False


def test_undefined_warning_names_the_empty_side():
    empty, full = Rate(numerator=0, denominator=0), Rate(numerator=1, denominator=2)
    with pytest.warns(csmetrics.UndefinedMetricWarning, match="b has no data") as caught:
        compare(full, empty)
    assert "simplefilter('ignore', csmetrics.UndefinedMetricWarning)" in str(caught[0].message)
    with pytest.warns(csmetrics.UndefinedMetricWarning, match="a and b have no data"):
        compare(empty, empty)


def test_infinite_means_give_nan_not_a_p_value():
    huge = Mean(n=2, mean=math.inf, m2=0.0)
    with pytest.warns(csmetrics.UndefinedMetricWarning, match="difference is not a number"):
        c = compare(huge, huge)
    assert math.isnan(c.difference)
    assert math.isnan(c.p_value)


def test_invalid_confidence_level_is_rejected_even_without_data():
    with pytest.raises(ValueError, match=r"confidence_level=1\.5"):
        compare(
            Rate(numerator=0, denominator=0), Rate(numerator=0, denominator=0), confidence_level=1.5
        )
    with pytest.raises(ValueError, match="confidence_level=0"):
        target(Rate(numerator=1, denominator=2), goal=0.5, confidence_level=0)


# -- what may and may not be compared ----------------------------------------------------------


def test_period_and_as_of_may_differ():
    jan = Window(start=datetime(2026, 1, 1, tzinfo=UTC), end=datetime(2026, 2, 1, tzinfo=UTC))
    feb = Window(start=datetime(2026, 2, 1, tzinfo=UTC), end=datetime(2026, 3, 1, tzinfo=UTC))
    a = fcr_result(80, 100, period=feb, as_of=datetime(2026, 3, 8, tzinfo=UTC))
    b = fcr_result(70, 100, period=jan, as_of=datetime(2026, 2, 8, tzinfo=UTC))
    c = compare(a, b)
    assert c.a is a
    assert c.b is b
    assert c.difference == pytest.approx(0.1)


@pytest.mark.parametrize(
    ("change", "name"),
    [({"window_days": 3.0}, "window_days"), ({"match": "customer"}, "match")],
)
def test_different_definitions_are_refused_naming_the_parameter(change, name):
    with pytest.raises(ValueError, match=name) as info:
        compare(fcr_result(8, 10), fcr_result(7, 10, **change))
    assert "only period and as_of may differ" in str(info.value)
    assert "as_of" not in str(info.value).split(";")[0]


def test_different_metric_names_and_scales_are_refused():
    with pytest.raises(ValueError, match="metric: a has 'fcr_like', b has 'rate'"):
        compare(
            Rate(numerator=1, denominator=2, metric="fcr_like"), Rate(numerator=1, denominator=2)
        )
    with pytest.raises(ValueError, match=r"scale: a has \(1, 5\), b has \(1, 7\)"):
        compare(
            CSAT(numerator=1, denominator=2, scale=(1, 5), satisfied_from=4),
            CSAT(numerator=1, denominator=2, scale=(1, 7), satisfied_from=4),
        )


def test_different_kinds_are_refused():
    with pytest.raises(ValueError, match="cannot compare a FCR with a Rate"):
        compare(fcr_result(8, 10), Rate(numerator=7, denominator=10, metric="fcr"))
    with pytest.raises(ValueError, match="cannot compare a NPS with a Mean"):
        compare(nps_of(1, 1, 1), mean_of([1.0, 2.0]))


def test_breakdowns_are_refused_with_a_recipe():
    rate = Rate(numerator=1, denominator=2)
    breakdown = Breakdown(by="agent_id", overall=rate, groups={"A01": rate})
    with pytest.raises(TypeError, match=r"not a Breakdown.*per group"):
        compare(breakdown, rate)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="b is a Breakdown"):
        compare(rate, breakdown)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="not a Breakdown"):
        target(breakdown, goal=0.5)  # type: ignore[arg-type]


TICKETS = Durations(durations=[2, 3, 3, 5, 6, 8, 9, 11, 12, 15], censoring_times=[7, 10])


def test_difference_of_medians_by_hand():
    # Shifting every time by 10 s moves the median from 8 to 18 and keeps its
    # standard error (Collett), 2.285437 (by hand in test_durations.py).
    later = Durations(durations=TICKETS.durations + 10, censoring_times=[17, 20])
    c = compare(later, TICKETS)
    se = math.sqrt(2) * 2.2854352508
    assert (c.difference, c.method) == (10.0, "collett")
    assert c.low == pytest.approx(10 - 1.959963985 * se, rel=1e-9)
    assert c.high == pytest.approx(10 + 1.959963985 * se, rel=1e-9)
    assert c.p_value == pytest.approx(math.erfc(10 / se / math.sqrt(2)), rel=1e-9)
    assert c.significant
    assert c.relative_change == pytest.approx(10 / 8)


def test_medians_that_cannot_be_compared_warn():
    open_work = Durations(durations=[1], censoring_times=[9, 9, 9])
    with pytest.warns(csmetrics.UndefinedMetricWarning, match="a has no data or no median yet"):
        c = compare(open_work, TICKETS)
    assert math.isnan(c.difference)
    # A median but a curve that stays above 0.45: no standard error.
    shallow = Durations(durations=[1, 2, 3, 4, 5], censoring_times=[6, 6, 6, 6, 6])
    with pytest.warns(csmetrics.UndefinedMetricWarning, match="must fall to 0.45"):
        c = compare(Durations(durations=[1, 2, 3, 4]), shallow)
    assert math.isnan(c.low)


def test_comparing_medians_rejects_about_five_percent_of_equal_pairs():
    # Exponential times censored by an independent exponential: under no
    # difference about 5% of comparisons are significant; a 1.5x slower
    # median is found about half the time at 150 tickets a side. Measured: 21
    # and 221 of 400.
    rng = np.random.default_rng(20261124)

    def draw(mean: float) -> Durations:
        t = rng.exponential(mean, 150).round()
        open_at = rng.exponential(1400, 150).round()
        done = t <= open_at
        return Durations(durations=t[done], censoring_times=open_at[~done])

    same = sum(compare(draw(600), draw(600)).significant for _ in range(400))
    slower = sum(compare(draw(900), draw(600)).significant for _ in range(400))
    assert 8 <= same <= 36
    assert 160 <= slower <= 280


def test_target_for_a_median_uses_its_interval():
    t = target(TICKETS, goal=14, direction="lower")
    assert (t.met, t.certainty, t.low, t.high, t.method) == (True, "met", 3.0, 12.0, "log-log")
    t = target(TICKETS, goal=10, direction="lower")
    assert (t.met, t.certainty) == (True, "unclear")


@pytest.mark.parametrize("bad", [0.5, None, "fcr", Result()])
def test_non_results_are_refused(bad):
    with pytest.raises(TypeError, match="takes a Rate, NPS, Mean or Durations result"):
        compare(bad, bad)
    with pytest.raises(TypeError, match="takes a Rate, NPS, Mean or Durations result"):
        target(bad, goal=0.5)


# -- the Comparison object ------------------------------------------------------------------


def test_comparison_is_frozen_with_a_short_repr():
    c = compare(Rate(numerator=56, denominator=70), Rate(numerator=48, denominator=80))
    assert isinstance(c, Comparison)
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        c.difference = 0.0  # type: ignore[misc]
    text = repr(c)
    assert text.startswith("Comparison(difference=+20.0 pp, low=+5.2 pp, high=+33.4 pp")
    assert "method='newcombe'" in text
    assert "numerator" not in text  # a and b are not repeated
    assert "<caption>Comparison of Rate results</caption>" in c._repr_html_()


# -- target ------------------------------------------------------------------------------------


def test_fcr_80_percent_against_85_percent_goal_is_unclear():
    # Wilson 95% interval of 80/100 (csmetrics.core.stats.rate_interval; scipy's
    # binomtest(80, 100).proportion_ci(method="wilson")): 0.7112 to 0.8666.
    t = target(fcr_result(80, 100), goal=0.85)
    assert isinstance(t, TargetCheck)
    assert t.value == 0.8
    assert t.met is False
    assert t.gap == pytest.approx(0.05, abs=1e-15)
    assert t.low == pytest.approx(0.7112, abs=5e-5)
    assert t.high == pytest.approx(0.8666, abs=5e-5)
    assert t.certainty == "unclear"
    assert t.method == "wilson"
    assert t.direction == "higher"


def test_fcr_80_percent_of_1000_missed_for_sure():
    t = target(fcr_result(800, 1000), goal=0.85)
    assert (t.met, t.certainty) == (False, "missed")
    t = target(fcr_result(900, 1000), goal=0.85)
    assert (t.met, t.certainty) == (True, "met")
    assert t.gap == pytest.approx(-0.05)


def test_lower_is_better_goal():
    abandoned = Rate(numerator=30, denominator=1000, metric="abandonment_rate")
    t = target(abandoned, goal=0.05, direction="lower")
    assert (t.met, t.certainty) == (True, "met")
    assert t.gap == pytest.approx(0.02)
    t = target(abandoned, goal=0.01, direction="lower")
    assert (t.met, t.certainty) == (False, "missed")
    t = target(abandoned, goal=0.03, direction="lower")
    assert (t.met, t.certainty) == (True, "unclear")


def test_a_value_on_the_goal_meets_it():
    t = target(Rate(numerator=17, denominator=20), goal=0.85, direction="higher")
    assert t.met is True
    assert t.gap == 0
    assert t.certainty == "unclear"


def test_an_interval_touching_the_goal_is_certain():
    # Wilson bounds at 0 and n successes are exactly 0 and 1.
    assert target(Rate(numerator=0, denominator=10), goal=0.0, direction="higher").certainty == (
        "met"
    )
    assert target(Rate(numerator=10, denominator=10), goal=1.0, direction="lower").certainty == (
        "met"
    )


def test_target_on_nps_and_means():
    t = target(nps_of(50, 30, 20), goal=10)
    # nps_interval(50, 30, 20): 14.692 to 45.308 (see tests/test_stats.py).
    assert (t.met, t.certainty, t.method) == (True, "met", "normal")
    assert t.gap == -20
    aht = mean_of([300.0, 320.0, 290.0, 310.0], HandleTime)
    t = target(aht, goal=360.0, direction="lower")
    assert (t.met, t.certainty, t.method) == (True, "met", "t")


def test_target_uses_the_confidence_level():
    r = fcr_result(80, 100)
    assert target(r, goal=0.85, confidence_level=0.5).certainty == "missed"
    assert target(r, goal=0.85, confidence_level=0.95).certainty == "unclear"
    assert target(r, goal=0.85, confidence_level=0.5).confidence_level == 0.5


def test_ces_target_interval_is_clipped_to_the_scale():
    r = csmetrics.ces([7, 6, 5, 6, 1])
    t = target(r, goal=4)
    assert t.high == 7.0
    assert t.certainty == "unclear"


def test_target_on_undefined_result_warns_and_is_unclear():
    with pytest.warns(csmetrics.UndefinedMetricWarning, match="no data"):
        t = target(Rate(numerator=0, denominator=0), goal=0.5, direction="higher")
    assert t.met is False
    assert math.isnan(t.gap)
    assert t.certainty == "unclear"
    with pytest.warns(csmetrics.UndefinedMetricWarning, match="at least two values"):
        t = target(mean_of([4.0]), goal=3.0, direction="higher")
    assert (t.met, t.gap, t.certainty) == (True, -1.0, "unclear")


@pytest.mark.parametrize(
    ("result", "goal", "match"),
    [
        (Rate(numerator=1, denominator=2), 85, r"goal=85 .*Rate.*\[0, 1\].*0\.85"),
        (Rate(numerator=1, denominator=2), -0.1, r"goal=-0\.1"),
        (nps_of(1, 1, 1), 150, r"goal=150 .*NPS.*\[-100, 100\]"),
        (Rate(numerator=1, denominator=2), math.nan, "goal=nan"),
        (Rate(numerator=1, denominator=2), True, "goal=True"),
        (Rate(numerator=1, denominator=2), "0.8", "goal='0.8'"),
    ],
)
def test_bad_goal_is_refused(result, goal, match):
    with pytest.raises(ValueError, match=match):
        target(result, goal=goal)


def test_numpy_goals_are_accepted():
    t = target(Rate(numerator=8, denominator=10), goal=np.float64(0.85), direction="higher")
    assert type(t.goal) is float
    assert t.goal == 0.85
    assert target(nps_of(5, 3, 2), goal=np.int64(20)).goal == 20.0
    with pytest.raises(ValueError, match=r"goal=np\.True_"):
        target(Rate(numerator=8, denominator=10), goal=np.bool_(True))


def test_bad_direction_is_refused():
    with pytest.raises(ValueError, match="direction='up' is not allowed; use one of"):
        target(Rate(numerator=1, denominator=2), goal=0.5, direction="up")  # type: ignore[arg-type]


def test_target_check_is_frozen_with_a_readable_repr():
    t = target(fcr_result(80, 100), goal=0.85)
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        t.met = True  # type: ignore[misc]
    assert repr(t).startswith(
        "TargetCheck(value=80.0%, goal=85.0%, direction='higher', met=False, gap=+5.0 pp"
    )
    assert "<caption>Target check of FCR</caption>" in t._repr_html_()


# -- properties --------------------------------------------------------------------------------


@st.composite
def rates(draw: st.DrawFn) -> Rate:
    denominator = draw(st.integers(0, 300))
    return Rate(numerator=draw(st.integers(0, denominator)), denominator=denominator)


@st.composite
def nps_results(draw: st.DrawFn) -> NPS:
    counts = st.integers(0, 200)
    return nps_of(draw(counts), draw(counts), draw(counts))


@st.composite
def means(draw: st.DrawFn) -> Mean:
    n = draw(st.integers(0, 300))
    if n == 0:
        return Mean(n=0)
    mean = draw(st.floats(-1e4, 1e4))
    m2 = draw(st.floats(0, 1e8)) if n > 1 else 0.0
    return Mean(n=n, mean=mean, m2=m2)


@st.composite
def medians(draw: st.DrawFn) -> Durations:
    times = draw(st.lists(st.integers(0, 50).map(float), max_size=60))
    open_work = draw(st.lists(st.integers(0, 50).map(float), max_size=20))
    return Durations(durations=times, censoring_times=open_work)


@st.composite
def pairs(draw: st.DrawFn) -> tuple[Result, Result]:
    """Two results of one kind, the same definition."""
    kind = draw(st.sampled_from([rates, nps_results, means, medians]))
    return draw(kind()), draw(kind())


def quietly(a: Result, b: Result, level: float = 0.95) -> Comparison:
    with undefined_allowed() as caught:
        c = compare(a, b, confidence_level=level)
    assert undefined_warnings(caught) == (1 if math.isnan(c.low) else 0)
    return c


def same_or_both_nan(x: float, y: float) -> bool:
    return (math.isnan(x) and math.isnan(y)) or x == pytest.approx(y, rel=1e-9, abs=1e-12)


@given(pair=pairs(), level=st.sampled_from(LEVELS))
@example(pair=(Rate(numerator=0, denominator=0), Rate(numerator=0, denominator=0)), level=0.95)
@example(pair=(nps_of(5, 0, 0), nps_of(5, 0, 0)), level=0.95)
@example(pair=(Mean(n=1, mean=3.0), Mean(n=1, mean=3.0)), level=0.95)
def test_a_result_compared_with_itself_has_no_difference(pair, level):
    a, _ = pair
    c = quietly(a, a, level)
    if a.is_defined:
        assert c.difference == 0
        if not math.isnan(c.p_value):
            assert c.p_value == 1.0
    else:
        assert math.isnan(c.difference)
    assert not c.significant


@given(pair=pairs(), level=st.sampled_from(LEVELS))
@example(pair=(Rate(numerator=56, denominator=70), Rate(numerator=48, denominator=80)), level=0.95)
@example(pair=(Rate(numerator=0, denominator=0), Rate(numerator=1, denominator=3)), level=0.95)
def test_swapping_a_and_b_negates_the_difference_and_the_interval(pair, level):
    a, b = pair
    ab, ba = quietly(a, b, level), quietly(b, a, level)
    assert same_or_both_nan(ba.difference, -ab.difference)
    assert same_or_both_nan(ba.low, -ab.high)
    assert same_or_both_nan(ba.high, -ab.low)
    assert same_or_both_nan(ba.p_value, ab.p_value)
    assert ba.significant == ab.significant


@given(pair=pairs(), level=st.sampled_from(LEVELS))
@example(pair=(nps_of(2, 0, 0), nps_of(1, 0, 1)), level=0.99)
@example(pair=(Rate(numerator=0, denominator=5), Rate(numerator=5, denominator=5)), level=0.95)
def test_the_interval_contains_the_difference(pair, level):
    a, b = pair
    c = quietly(a, b, level)
    if not math.isnan(c.low):
        assert c.low <= c.difference <= c.high
        assert 0 <= c.p_value <= 1
        assert c.significant == (not c.low <= 0 <= c.high)
        bound = 1 if isinstance(a, Rate) else 200 if isinstance(a, NPS) else math.inf
        assert -bound <= c.low <= c.high <= bound


@given(pair=pairs())
def test_for_nps_and_means_the_interval_and_the_test_agree(pair):
    # Both come from one normal (or t) approximation: the 95% interval excludes 0
    # exactly when p < 0.05 (Newcombe's interval and the pooled z test may differ).
    a, b = pair
    c = quietly(a, b)
    if isinstance(a, Rate) or math.isnan(c.p_value):
        return
    if abs(c.p_value - 0.05) > 1e-9:
        assert c.significant == (c.p_value < 0.05)


@given(
    result=st.one_of(rates(), nps_results(), means(), medians()),
    goal=st.floats(-1, 1),
    direction=st.sampled_from(["higher", "lower"]),
    level=st.sampled_from(LEVELS),
)
def test_target_met_agrees_with_value_and_goal(result, goal, direction, level):
    if isinstance(result, NPS):
        goal *= 100
    elif isinstance(result, Rate):
        goal = abs(goal)
    with undefined_allowed():
        t = target(result, goal=goal, direction=direction, confidence_level=level)
    value = result.value
    if math.isnan(value):
        assert t.met is False
        assert t.certainty == "unclear"
        return
    assert t.met == (value >= goal if direction == "higher" else value <= goal)
    assert t.gap == goal - value
    if t.certainty == "met":
        assert t.met
    if t.certainty == "missed":
        assert not t.met


def test_guide_period_comparison_runs_on_the_sample():
    # The guide's January/February comparison, as a smoke test of real results.
    from csmetrics.adapters.datasets import sample

    contacts = sample().interactions
    start = datetime(2026, 1, 1, tzinfo=UTC)
    jan = Window(start=start, end=start + timedelta(days=31))
    feb = Window(start=jan.end, end=datetime(2026, 3, 1, tzinfo=UTC))
    a = csmetrics.fcr(contacts, period=feb)
    b = csmetrics.fcr(contacts, period=jan)
    assert isinstance(a, FCR)
    assert isinstance(b, FCR)
    c = compare(a, b)
    assert c.difference == pytest.approx(a.value - b.value)
    assert not c.significant


def test_target_takes_the_direction_from_the_catalogue():
    # 600 s of handle time against a 300 s goal: lower is better, so missed.
    contacts = [
        csmetrics.Interaction(
            id=str(i),
            customer_id=f"c{i}",
            start=datetime(2026, 3, 2, 9, tzinfo=timezone.utc),
            end=datetime(2026, 3, 2, 10, tzinfo=timezone.utc),
            talk_seconds=seconds,
        )
        for i, seconds in enumerate([500.0, 600.0, 700.0])
    ]
    aht = csmetrics.handle_time(contacts)
    assert float(aht) == 600.0
    t = target(aht, goal=300)
    assert (t.direction, t.met, t.gap) == ("lower", False, -300.0)
    assert target(aht, goal=300, direction="higher").met is True  # an explicit direction wins


def test_target_of_a_result_the_catalogue_cannot_place_needs_a_direction():
    with pytest.raises(ValueError, match=r"direction=None.*'rate'.*direction='higher'"):
        target(Rate(numerator=8, denominator=10), goal=0.5)


def test_target_reads_ces_direction_from_the_result():
    lower_is_easier = csmetrics.ces([2, 3, 2, 1], scale=(1, 7), higher_is_easier=False)
    assert target(lower_is_easier, goal=3).direction == "lower"
    assert target(csmetrics.ces([6, 7, 5]), goal=5).direction == "higher"
