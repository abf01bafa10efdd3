"""Tests for the team metrics: escalation_rate, product_gaps, complaint_rate, rating.

Reference values for the binomial tails and the funnel limits come from
scipy.stats.binom (sf, ppf, cdf, pmf), with Spiegelhalter's interpolation
written out in the test: Spiegelhalter, D. J. (2005), "Funnel plots for
comparing institutional performance", Statistics in Medicine 24, 1185-1202,
the appendix.
"""

from __future__ import annotations

import math
import warnings
from datetime import datetime, timedelta, timezone
from typing import Any

import numpy as np
import pytest
from hypothesis import example, given
from hypothesis import strategies as st
from scipy import stats as sps

from csmetrics import (
    Breakdown,
    Interaction,
    Interactions,
    InvalidDataError,
    Rate,
    Survey,
    Surveys,
    UndefinedMetricWarning,
    Window,
    fcr,
)
from csmetrics.core.stats import binom_cdf, binom_sf, funnel_limits, shrinkage_prior
from csmetrics.metrics.team import (
    Funnel,
    FunnelRate,
    Gap,
    ProductGaps,
    Rating,
    RatingBreakdown,
    complaint_rate,
    escalation_rate,
    product_gaps,
    rating,
    repeat_contacts,
)

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)


def at(hours: float) -> datetime:
    return T0 + timedelta(hours=hours)


def contact(id: str, **fields: Any) -> Interaction:
    fields.setdefault("customer_id", f"c-{id}")
    fields.setdefault("start", T0)
    fields.setdefault("end", fields["start"])
    return Interaction(id=id, **fields)


def crowd(groups: dict[str, tuple[int, int]], *, field: str, flag: str) -> list[Interaction]:
    """``n`` contacts per group of which the first ``k`` have ``flag`` set."""
    return [
        contact(f"{key}-{i}", **{field: key, flag: i < k})
        for key, (n, k) in groups.items()
        for i in range(n)
    ]


def rated(agents: dict[str, list[float]]) -> list[Survey]:
    return [
        Survey(id=f"{a}-{i}", kind="rating", score=s, at=T0, agent_id=a)
        for a, scores in agents.items()
        for i, s in enumerate(scores)
    ]


def quiet(func: Any, *args: Any, **kwargs: Any) -> Any:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UndefinedMetricWarning)
        return func(*args, **kwargs)


def spiegelhalter_limit(target: float, n: int, q: float) -> float:
    """The appendix: r_q = ppf(q), alpha = (F(r_q) - q) / f(r_q), limit (r_q - alpha) / n."""
    r = sps.binom.ppf(q, n, target)
    alpha = (sps.binom.cdf(r, n, target) - q) / sps.binom.pmf(r, n, target)
    return float(min(1.0, max(0.0, (r - alpha) / n)))


# -- escalation_rate ----------------------------------------------------------------------------


def test_escalation_rate_counts_escalated_over_handled():
    contacts = [
        contact("1", escalated=True),
        contact("2", escalated=True, escalated_to="tier2"),
        contact("3"),
        contact("4"),
        contact("5", abandoned=True),
        contact("6", blocked=True),
    ]
    r = escalation_rate(contacts)
    assert (r.numerator, r.denominator, r.metric) == (2, 4, "escalation_rate")
    assert float(r) == 0.5


def test_escalated_but_abandoned_is_in_neither_part():
    # Not handled, so not in the rate, even when the data says escalated.
    r = escalation_rate([contact("1", escalated=True, abandoned=True), contact("2")])
    assert (r.numerator, r.denominator) == (0, 1)


def test_open_contact_counts_with_its_escalation_so_far():
    r = escalation_rate([contact("1", end=None, escalated=True), contact("2", end=None)])
    assert (r.numerator, r.denominator) == (1, 2)


def test_escalation_rate_by_agent_and_period():
    contacts = [
        contact("1", agent_id="ann", escalated=True),
        contact("2", agent_id="ann"),
        contact("3", agent_id="bob"),
        contact("4", agent_id="bob", start=at(48), escalated=True),
        contact("5"),
    ]
    r = escalation_rate(contacts, by="agent_id")
    assert isinstance(r, Breakdown)
    assert [(k, g.numerator, g.denominator) for k, g in r.items()] == [
        ("ann", 1, 2),
        ("bob", 1, 2),
        (None, 0, 1),
    ]
    day = Window(start=T0, end=at(24))
    r = escalation_rate(contacts, period=day)
    assert (r.numerator, r.denominator, r.period) == (1, 4, day)


def test_escalation_rate_empty_is_nan_with_warning():
    with pytest.warns(UndefinedMetricWarning, match="escalation_rate is undefined"):
        r = escalation_rate([])
    assert math.isnan(r.value)
    assert (r.numerator, r.denominator) == (0, 0)
    with pytest.warns(UndefinedMetricWarning):
        escalation_rate([contact("1", abandoned=True)])


def test_escalation_rate_bad_input():
    with pytest.raises(InvalidDataError, match="escalated_to"):
        escalation_rate([contact("1", escalated_to="tier2")])
    with pytest.raises(ValueError, match="by='tier' is not allowed"):
        escalation_rate([contact("1")], by="tier")  # type: ignore[arg-type]


def test_escalation_rate_object_and_columnar_paths_agree():
    contacts = [
        contact(str(i), agent_id=f"a{i % 3}", escalated=i % 4 == 0, abandoned=i % 7 == 0)
        for i in range(30)
    ]
    table = Interactions.from_records(contacts)
    assert escalation_rate(contacts, by="agent_id") == escalation_rate(table, by="agent_id")


# -- repeat_contacts ----------------------------------------------------------------------------


def test_repeat_contacts_follow_the_fcr_window():
    contacts = [
        contact("1", customer_id="ann", category="billing", start=at(0), end=at(1)),
        # Exactly 7 days after the latest end: a repeat (inclusive).
        contact("2", customer_id="ann", category="billing", start=at(1 + 7 * 24)),
        # Just after the window: a new episode.
        contact("3", customer_id="ann", category="billing", start=at(1 + 14 * 24 + 0.5)),
        contact("4", customer_id="ann", category="login", start=at(2)),
    ]
    assert repeat_contacts(contacts, match="category").tolist() == [False, True, False, False]
    assert repeat_contacts(contacts, match="customer").tolist() == [False, True, False, True]


@st.composite
def episodes(draw: st.DrawFn) -> list[Interaction]:
    n = draw(st.integers(0, 14))
    out = []
    for i in range(n):
        start = T0 + timedelta(hours=draw(st.sampled_from([0, 1, 24, 167, 168, 169, 400])))
        start += timedelta(hours=draw(st.integers(0, 3)) * 24 * 3)
        end = None if draw(st.integers(0, 6)) == 0 else start + timedelta(hours=1)
        out.append(
            Interaction(
                id=f"i{i}",
                customer_id=draw(st.sampled_from(["ann", "bob"])),
                start=start,
                end=end,
                resolved=end is not None and draw(st.booleans()),
                category=draw(st.sampled_from(["billing", "login", None])),
                issue_id=draw(st.sampled_from(["T1", "T2", None])),
                escalated=draw(st.booleans()),
            )
        )
    return out


@given(contacts=episodes(), match=st.sampled_from(["issue", "category", "customer"]))
def test_repeat_contacts_agree_with_fcr_repeats(contacts, match):
    result = quiet(fcr, contacts, match=match, as_of=T0 + timedelta(days=60))
    assert int(repeat_contacts(contacts, match=match).sum()) == result.repeats


# -- product_gaps -------------------------------------------------------------------------------


def test_product_gaps_hand_computed():
    contacts = crowd({"billing": (10, 1), "login": (10, 5)}, field="category", flag="escalated")
    gaps = product_gaps(contacts)
    assert isinstance(gaps, ProductGaps)
    assert list(gaps) == ["login", "billing"]  # largest excess first
    login, billing = gaps["login"], gaps["billing"]
    assert isinstance(login, Gap)
    # Overall rate 6 / 20 = 0.3; expected 3 in each category.
    assert (login.numerator, login.denominator, login.expected, login.excess) == (5, 10, 3.0, 2.0)
    assert billing.excess == pytest.approx(-2.0)
    # P(X >= 5 | 10, 0.3) = binom.sf(4, 10, 0.3) = 0.1502683...
    assert login.p_value == pytest.approx(sps.binom.sf(4, 10, 0.3), rel=1e-12)
    assert billing.p_value == pytest.approx(1 - 0.7**10, rel=1e-12)
    assert (gaps.overall.numerator, gaps.overall.denominator) == (6, 20)
    assert gaps.overall.overall_rate is None
    assert math.isnan(gaps.overall.expected)
    rows = gaps.to_rows()
    assert rows[0]["category"] == "login"
    assert rows[0]["expected"] == 3.0
    assert set(rows[0]) == {
        "category",
        "value",
        "numerator",
        "denominator",
        "expected",
        "excess",
        "p_value",
        "reliable",
    }


def test_product_gaps_count_only_handled_contacts_for_escalations():
    contacts = [
        contact("1", category="a", escalated=True),
        contact("2", category="a", abandoned=True),
        contact("3", category="b", blocked=True),
        contact("4", category="b"),
    ]
    gaps = product_gaps(contacts)
    assert [(k, g.numerator, g.denominator) for k, g in gaps.items()] == [("a", 1, 1), ("b", 0, 1)]


def test_product_gaps_of_repeat_contacts():
    contacts = [
        contact("1", customer_id="ann", category="login", start=at(0)),
        contact("2", customer_id="ann", category="login", start=at(5)),  # repeat
        contact("3", customer_id="ann", category="login", start=at(9)),  # repeat
        contact("4", customer_id="bob", category="billing", start=at(0)),
        contact("5", customer_id="cy", category="billing", start=at(0)),
        contact("6", customer_id="dee", category="billing", start=at(0), abandoned=True),
    ]
    gaps = product_gaps(contacts, signal="repeat", match="category")
    # Every contact counts for repeats, abandoned or not: 2 repeats in 6 contacts.
    assert list(gaps) == ["login", "billing"]
    assert (gaps["login"].numerator, gaps["login"].denominator) == (2, 3)
    assert gaps["login"].expected == pytest.approx(1.0)
    assert gaps["login"].metric == "repeat_rate"
    assert (gaps.overall.window_days, gaps.overall.match) == (7.0, "category")
    # The window decides: with 0.1 days (2.4 h), gaps of 5 h and 4 h are no repeats.
    short = product_gaps(contacts, signal="repeat", window_days=0.1, match="category")
    assert short["login"].numerator == 0


def test_product_gaps_repeats_look_before_the_period():
    contacts = [
        contact("1", customer_id="ann", category="login", start=at(0)),
        contact("2", customer_id="ann", category="login", start=at(30)),
    ]
    day2 = Window(start=at(24), end=at(48))
    gaps = product_gaps(contacts, signal="repeat", match="category", period=day2)
    assert (gaps["login"].numerator, gaps["login"].denominator) == (1, 1)


def test_product_gaps_options():
    contacts = [contact("1", category="a")]
    with pytest.raises(ValueError, match="window_days=3 is not allowed with signal='escalation'"):
        product_gaps(contacts, window_days=3)
    with pytest.raises(ValueError, match="match='issue' is not allowed"):
        product_gaps(contacts, match="issue")
    with pytest.raises(ValueError, match="signal='refund' is not allowed"):
        product_gaps(contacts, signal="refund")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="by='agent_id' is not allowed"):
        product_gaps(contacts, by="agent_id")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="by=None is not allowed"):
        product_gaps(contacts, by=None)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="window_days=0"):
        product_gaps(contacts, signal="repeat", window_days=0)


def test_product_gaps_empty_is_nan_with_warning():
    with pytest.warns(UndefinedMetricWarning, match="product_gaps is undefined"):
        gaps = product_gaps([])
    assert len(gaps) == 0
    assert math.isnan(gaps.overall.value)


def test_product_gaps_without_any_signal():
    gaps = product_gaps(crowd({"a": (5, 0), "b": (3, 0)}, field="category", flag="escalated"))
    assert [g.p_value for g in gaps.values()] == [1.0, 1.0]
    assert [g.excess for g in gaps.values()] == [0.0, 0.0]
    assert list(gaps) == ["a", "b"]  # ties keep key order


def test_product_gaps_merge_recomputes_against_the_merged_rate():
    first = crowd({"a": (10, 1), "b": (10, 5)}, field="category", flag="escalated")
    second = [
        contact(f"x{i}", category=c, escalated=e)
        for i, (c, e) in enumerate([("a", True), ("a", True), ("c", False), ("b", False)])
    ]
    merged = product_gaps(first).merge(product_gaps(second))
    assert merged == product_gaps(first + second)
    assert list(merged) == list(product_gaps(first + second))
    with pytest.raises(ValueError, match="different parameters"):
        product_gaps(first).merge(product_gaps(first, signal="repeat"))


@st.composite
def contact_columns(draw: st.DrawFn, *, max_size: int = 60) -> Interactions:
    """A columnar table with agents, categories and the team flags."""
    n = draw(st.integers(0, max_size))
    ints = st.lists(st.integers(0, 3), min_size=n, max_size=n)
    bools = st.lists(st.booleans(), min_size=n, max_size=n)
    agent = np.array(draw(ints))
    category = np.array(draw(ints))
    hours = np.array(draw(st.lists(st.integers(0, 500), min_size=n, max_size=n)), dtype=np.int64)
    start = np.datetime64("2026-03-02T09:00", "us") + hours * np.timedelta64(3_600_000_000, "us")
    state = np.array(draw(st.lists(st.integers(0, 5), min_size=n, max_size=n)))
    return Interactions.from_columns(
        {
            "id": [f"i{i}" for i in range(n)],
            "customer_id": [f"c{i % 7}" for i in range(n)],
            "start": start,
            "end": start + np.timedelta64(600_000_000, "us"),
            "agent_id": np.array([f"a{a}" if a else "" for a in agent]),
            "category": np.array([f"k{c}" if c else "" for c in category]),
            "escalated": np.array(draw(bools), dtype=bool),
            "complaint": np.array(draw(bools), dtype=bool),
            "abandoned": state == 0,
            "blocked": state == 1,
        }
    )


@given(table=contact_columns(), signal=st.sampled_from(["escalation", "repeat"]))
def test_product_gaps_expected_counts_sum_to_the_observed_total(table, signal):
    gaps = quiet(product_gaps, table, signal=signal)
    expected = sum(g.expected for g in gaps.values())
    assert expected == pytest.approx(gaps.overall.numerator, abs=1e-9)
    assert sum(g.denominator for g in gaps.values()) == gaps.overall.denominator
    excess = [g.excess for g in gaps.values()]
    assert excess == sorted(excess, reverse=True)
    for gap in gaps.values():
        assert 0 <= gap.value <= 1
        assert 0 <= gap.p_value <= 1
        p = gap.overall_rate
        ref = sps.binom.sf(gap.numerator - 1, gap.denominator, p)
        assert gap.p_value == pytest.approx(ref, rel=1e-9, abs=1e-300)


# -- binomial tails -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("k", "n", "p"),
    [
        (0, 10, 0.3),
        (1, 10, 0.3),
        (5, 10, 0.3),
        (10, 10, 0.3),
        (11, 10, 0.3),
        (3, 1, 0.5),
        (30, 400, 0.04),
        (60, 400, 0.04),  # far upper tail, about 1e-12
        (200, 400, 0.04),  # about 1e-150
        (2, 400, 0.04),
        (5200, 10_000, 0.5),
        (520_000, 1_000_000, 0.5),  # 40 standard deviations out
        (15, 1_000_000, 1e-5),
        (999_999, 1_000_000, 0.999_99),
        (1, 5, 1e-9),
    ],
)
def test_binomial_tails_match_scipy(k, n, p):
    # Reference: scipy.stats.binom.sf(k - 1) = P(X >= k) and binom.cdf(k) = P(X <= k).
    assert binom_sf(k, n, p) == pytest.approx(sps.binom.sf(k - 1, n, p), rel=1e-9, abs=1e-300)
    assert binom_cdf(k, n, p) == pytest.approx(sps.binom.cdf(k, n, p), rel=1e-9, abs=1e-300)


def test_binomial_tails_at_the_ends():
    assert binom_sf(1, 10, 0.0) == 0.0
    assert binom_sf(0, 10, 0.0) == 1.0
    assert binom_sf(10, 10, 1.0) == 1.0
    assert binom_cdf(9, 10, 1.0) == 0.0
    assert binom_cdf(0, 0, 0.5) == 1.0
    with pytest.raises(ValueError, match="n=-1"):
        binom_sf(0, -1, 0.5)
    with pytest.raises(ValueError, match=r"p=1\.5"):
        binom_cdf(0, 3, 1.5)


# -- funnel limits ------------------------------------------------------------------------------


@pytest.mark.parametrize("target", [0.001, 0.02, 0.0391, 0.2, 0.5, 0.97])
@pytest.mark.parametrize("n", [1, 2, 3, 7, 30, 400, 5000, 200_000])
def test_exact_funnel_limits_match_spiegelhalter_via_scipy(target, n):
    for coverage in (0.95, 0.998):
        low, high = funnel_limits(target, n, coverage=coverage)
        assert low == pytest.approx(spiegelhalter_limit(target, n, (1 - coverage) / 2), abs=1e-12)
        assert high == pytest.approx(spiegelhalter_limit(target, n, (1 + coverage) / 2), abs=1e-12)


def test_normal_funnel_limits_formula():
    # p0 +/- z sqrt(p0 (1 - p0) / n), z = 1.959964 (95%) and 3.090232 (99.8%).
    low, high = funnel_limits(0.1, 100, method="normal")
    assert (low, high) == pytest.approx((0.1 - 1.959964 * 0.03, 0.1 + 1.959964 * 0.03), abs=1e-6)
    low, high = funnel_limits(0.1, 100, coverage=0.998, method="normal")
    assert (low, high) == pytest.approx((0.1 - 3.090232 * 0.03, 0.1 + 3.090232 * 0.03), abs=1e-6)
    assert funnel_limits(0.1, 4, coverage=0.998, method="normal")[0] == 0.0  # clipped


def test_funnel_limits_edge_cases():
    assert all(math.isnan(x) for x in funnel_limits(0.1, 0))
    assert funnel_limits(0.0, 50) == (0.0, 0.0)
    assert funnel_limits(1.0, 50, coverage=0.998) == (1.0, 1.0)
    assert funnel_limits(1.0, 50, method="normal") == (1.0, 1.0)
    with pytest.raises(ValueError, match="method='poisson' is not allowed"):
        funnel_limits(0.1, 5, method="poisson")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="confidence_level=1"):
        funnel_limits(0.1, 5, coverage=1)


@given(
    target=st.floats(0.001, 0.999),
    n=st.integers(1, 300),
    method=st.sampled_from(["exact", "normal"]),
)
def test_funnel_limits_are_nested_and_bounded(target, n, method):
    low95, high95 = funnel_limits(target, n, method=method)
    low998, high998 = funnel_limits(target, n, coverage=0.998, method=method)
    assert 0 <= low998 <= low95 <= high95 <= high998 <= 1


@given(target=st.floats(0.001, 0.999), n=st.integers(1, 300))
@example(target=0.01, n=2)  # where the exact limits jump (see the next test)
def test_normal_funnel_limits_widen_as_volume_falls(target, n):
    for coverage in (0.95, 0.998):
        low, high = funnel_limits(target, n, coverage=coverage, method="normal")
        low2, high2 = funnel_limits(target, n + 1, coverage=coverage, method="normal")
        assert low <= low2 <= high2 <= high


@given(target=st.floats(0.001, 0.999), n=st.integers(1, 300))
def test_exact_funnel_limits_widen_as_volume_halves(target, n):
    # The exact limits are step functions smoothed by interpolation: they can
    # wiggle by 1e-7 from one volume to the next, and at volumes with less
    # than one expected event the quantile sits at 0 and the limits jump. With
    # at least one expected event either way, half the volume gives a funnel
    # at least as wide.
    if n * min(target, 1 - target) < 1:
        return
    for coverage in (0.95, 0.998):
        low, high = funnel_limits(target, n, coverage=coverage)
        low2, high2 = funnel_limits(target, 2 * n, coverage=coverage)
        assert low <= low2 + 1e-12
        assert high2 <= high + 1e-12


# -- complaint_rate -----------------------------------------------------------------------------

TEAM = {"ann": (400, 8), "bob": (400, 30), "cy": (1, 1), "dee": (400, 10)}


def test_one_complaint_from_a_low_volume_agent_is_never_flagged():
    funnel = complaint_rate(crowd(TEAM, field="agent_id", flag="complaint"))
    cy = funnel["cy"]
    assert isinstance(cy, FunnelRate)
    # 1 of 1 is above even the outer limit, but a single complaint is no finding.
    assert cy.value > cy.high998
    assert not cy.flagged
    assert complaint_rate(crowd(TEAM, field="agent_id", flag="complaint"), min_complaints=1)[
        "cy"
    ].flagged


def test_a_clearly_high_agent_is_flagged():
    funnel = complaint_rate(crowd(TEAM, field="agent_id", flag="complaint"))
    assert isinstance(funnel, Funnel)
    # Team rate 49 / 1201; bob: 30 of 400 = 7.5%, above the 99.8% limit (about 7.3%).
    assert funnel.team_rate == 49 / 1201
    assert funnel.flagged == ["bob"]
    bob = funnel["bob"]
    assert bob.flagged
    assert bob.team_rate == 49 / 1201
    assert bob.high998 == pytest.approx(spiegelhalter_limit(49 / 1201, 400, 0.999), abs=1e-12)
    assert bob.low95 == pytest.approx(spiegelhalter_limit(49 / 1201, 400, 0.025), abs=1e-12)
    assert bob.high95 < bob.value
    assert not funnel["ann"].flagged  # low, not high
    assert funnel["ann"].value < funnel["ann"].low95


def test_between_the_inner_and_outer_limit_is_not_flagged():
    team = {"ann": (400, 10), "bob": (400, 24), "cy": (400, 10), "dee": (400, 10)}
    funnel = complaint_rate(crowd(team, field="agent_id", flag="complaint"))
    bob = funnel["bob"]
    assert bob.high95 < bob.value < bob.high998
    assert funnel.flagged == []


def test_complaint_rate_counts_handled_contacts():
    contacts = [
        contact("1", agent_id="ann", complaint=True),
        contact("2", agent_id="ann"),
        contact("3", complaint=True, abandoned=True),
        contact("4", blocked=True),
    ]
    r = complaint_rate(contacts, by=None)
    assert isinstance(r, FunnelRate)
    assert (r.numerator, r.denominator, r.metric, r.team_rate) == (1, 2, "complaint_rate", None)
    assert math.isnan(r.high998)
    assert not r.flagged


def test_complaint_rate_normal_limits():
    funnel = complaint_rate(crowd(TEAM, field="agent_id", flag="complaint"), limits="normal")
    p0 = 49 / 1201
    bob = funnel["bob"]
    assert bob.limits == "normal"
    assert bob.high998 == pytest.approx(p0 + 3.090232306 * math.sqrt(p0 * (1 - p0) / 400))


def test_funnel_rows_and_repr_carry_the_limits():
    funnel = complaint_rate(crowd(TEAM, field="agent_id", flag="complaint"))
    row = funnel.to_rows()[1]
    assert row["agent_id"] == "bob"
    assert row["flagged"] is True
    assert {"low95", "high95", "low998", "high998"} <= set(row)
    assert "flagged=True" in repr(funnel["bob"])
    assert "flagged" not in repr(funnel.overall)


def test_complaint_rate_options():
    contacts = [contact("1", agent_id="a")]
    for bad in (-1, 1.5, True):
        with pytest.raises(ValueError, match="min_complaints="):
            complaint_rate(contacts, min_complaints=bad)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="limits='wald' is not allowed"):
        complaint_rate(contacts, limits="wald")  # type: ignore[arg-type]


def test_complaint_rate_empty_is_nan_with_warning():
    with pytest.warns(UndefinedMetricWarning, match="complaint_rate is undefined"):
        funnel = complaint_rate([])
    assert len(funnel) == 0
    assert math.isnan(funnel.team_rate)


def test_funnel_merge_redraws_around_the_merged_team_rate():
    first = crowd(TEAM, field="agent_id", flag="complaint")
    second = crowd({"bob": (10, 0), "eve": (400, 30)}, field="agent_id", flag="complaint")
    second = [contact(f"2-{c.id}", agent_id=c.agent_id, complaint=c.complaint) for c in second]
    merged = complaint_rate(first).merge(complaint_rate(second))
    whole = complaint_rate(first + second)
    assert merged == whole
    assert merged.flagged == whole.flagged
    # One group's result needs the same team rate to merge.
    with pytest.raises(ValueError, match="different parameters"):
        complaint_rate(first)["bob"].merge(complaint_rate(second)["bob"])
    bob = complaint_rate(first)["bob"]
    twice = bob.merge(bob)
    assert (twice.numerator, twice.denominator, twice.team_rate) == (60, 800, bob.team_rate)
    assert twice.high998 < bob.high998  # limits recomputed for the merged volume


@given(table=contact_columns(), limits=st.sampled_from(["exact", "normal"]))
def test_complaint_rates_are_bounded_and_flags_follow_the_rule(table, limits):
    funnel = quiet(complaint_rate, table, limits=limits)
    for r in funnel.values():
        assert 0 <= r.value <= 1
        assert 0 <= r.low998 <= r.low95 <= r.high95 <= r.high998 <= 1
        assert r.flagged == (r.numerator >= 2 and r.value > r.high998)


# -- rating -------------------------------------------------------------------------------------


def test_rating_hand_computed_shrinkage():
    ratings = rating(rated({"ann": [5, 5], "bob": [4, 3, 4, 1]}))
    assert isinstance(ratings, RatingBreakdown)
    ann, bob = ratings["ann"], ratings["bob"]
    assert isinstance(ann, Rating)
    assert (ann.n, ann.value, bob.n, bob.value) == (2, 5.0, 4, 3.0)
    # mu = 22 / 6; sigma^2 = (0 + 6) / (6 - 2) = 1.5; SSB = 2 (4/3)^2 + 4 (2/3)^2 = 16/3;
    # tau^2 = (16/3 - 1.5) / (6 - 20/6) = 1.4375.
    mu, sigma2, tau2 = 22 / 6, 1.5, (16 / 3 - 1.5) / (6 - 20 / 6)
    assert ratings.prior is not None
    assert ratings.prior.mean == pytest.approx(mu)
    assert ratings.prior.within_variance == pytest.approx(sigma2)
    assert ratings.prior.between_variance == pytest.approx(tau2)
    w = tau2 / (tau2 + sigma2 / 2)
    assert ann.weight == pytest.approx(w)
    assert ann.shrunk == pytest.approx(w * 5 + (1 - w) * mu)
    assert bob.shrunk == pytest.approx(mu + tau2 / (tau2 + sigma2 / 4) * (3 - mu))
    assert ann.team_mean == pytest.approx(mu)
    # The overall rating is the team mean, never shrunk.
    assert ratings.overall.value == pytest.approx(mu)
    assert ratings.overall.shrunk == ratings.overall.value
    assert ratings.overall.team_mean is None


def test_two_five_star_ratings_do_not_outrank_four_hundred_at_4_8():
    many = [5] * 330 + [4] * 60 + [3] * 10
    ratings = rating(rated({"ann": [5, 5], "bob": many, "cy": [5] * 100 + [4] * 70 + [3] * 30}))
    assert ratings["ann"].value > ratings["bob"].value
    assert ratings["ann"].shrunk < ratings["bob"].shrunk


def test_rating_without_shrinkage():
    ratings = rating(rated({"ann": [5, 5], "bob": [4, 3]}), method=None)
    assert ratings.prior is None
    assert [(r.shrunk, r.weight) for r in ratings.values()] == [(5.0, 1.0), (3.5, 1.0)]


def test_rating_edge_cases_of_the_prior():
    # One group: nothing to shrink toward but itself.
    one = rating(rated({"ann": [5, 4]}))
    assert one["ann"].shrunk == 4.5
    assert one.prior is not None
    assert one.prior.between_variance is None
    # No agent with two ratings: the spread cannot be split, every agent goes to the team mean.
    singles = rating(rated({"ann": [5], "bob": [3], "cy": [4]}))
    assert [r.shrunk for r in singles.values()] == [4.0, 4.0, 4.0]
    # Every rating equal: nothing moves.
    same = rating(rated({"ann": [4, 4], "bob": [4]}))
    assert [r.shrunk for r in same.values()] == [4.0, 4.0]


def test_rating_by_none_and_plain_scores():
    r = rating([5, 4, 3], by=None)
    assert isinstance(r, Rating)
    assert (r.n, r.value, r.shrunk) == (3, 4.0, 4.0)
    assert r.ci().low < 4 < r.ci().high
    with pytest.raises(ValueError, match="need Survey records"):
        rating([5, 4, 3])


def test_rating_uses_rating_answers_only_and_checks_the_scale():
    answers = [
        *rated({"ann": [5]}),
        Survey(id="n1", kind="nps", score=0, at=T0, agent_id="ann"),
    ]
    assert rating(answers)["ann"].n == 1
    seven = [Survey(id="s", kind="rating", score=6, at=T0, agent_id="a", scale=(1, 7))]
    with pytest.raises(InvalidDataError, match="differs from the metric's scale"):
        rating(seven)
    assert rating(seven, scale=(1, 7))["a"].value == 6.0
    with pytest.raises(InvalidDataError, match="score"):
        rating([6], by=None)


def test_rating_options():
    with pytest.raises(ValueError, match="method='james-stein' is not allowed"):
        rating([5], by=None, method="james-stein")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="by='channel' is not allowed"):
        rating(rated({"a": [5]}), by="channel")  # type: ignore[arg-type]


def test_rating_empty_is_nan_with_warning():
    with pytest.warns(UndefinedMetricWarning, match="rating is undefined"):
        ratings = rating(Surveys.from_records([]))
    assert len(ratings) == 0
    assert math.isnan(ratings.overall.value)


def test_rating_period_and_columnar_path():
    answers = [
        *rated({"ann": [5, 4], "bob": [3]}),
        Survey(id="late", kind="rating", score=1, at=at(48), agent_id="bob"),
    ]
    day = Window(start=T0, end=at(24))
    ratings = rating(answers, period=day)
    assert ratings["bob"].n == 1
    assert ratings["bob"].period == day
    assert rating(Surveys.from_records(answers)) == rating(answers)


def test_rating_merge_refits_the_prior():
    first = rated({"ann": [5, 5], "bob": [4, 3, 4, 1]})
    second = [
        Survey(id=f"x{i}", kind="rating", score=s, at=T0, agent_id=a)
        for i, (a, s) in enumerate([("ann", 2), ("cy", 5), ("cy", 4), ("bob", 5)])
    ]
    merged = rating(first).merge(rating(second))
    whole = rating(first + second)
    assert list(merged) == list(whole)
    assert merged.prior is not None
    assert whole.prior is not None
    assert merged.prior.mean == pytest.approx(whole.prior.mean)
    assert merged.prior.between_variance == pytest.approx(whole.prior.between_variance)
    for key in whole:
        assert merged[key].n == whole[key].n
        assert merged[key].shrunk == pytest.approx(whole[key].shrunk)
    with pytest.raises(ValueError, match="different parameters"):
        rating(first)["ann"].merge(rating(second)["ann"])
    plain = rating(first, method=None)["ann"].merge(rating(second, method=None)["ann"])
    assert (plain.n, plain.value, plain.shrunk) == (3, 4.0, 4.0)


@st.composite
def agent_ratings(draw: st.DrawFn) -> dict[str, list[float]]:
    agents = draw(st.integers(1, 6))
    return {
        f"a{i}": draw(st.lists(st.integers(1, 5).map(float), min_size=1, max_size=12))
        for i in range(agents)
    }


@given(agents=agent_ratings())
@example(agents={"a0": [5.0, 5.0], "a1": [1.0], "a2": [3.0, 3.0, 3.0]})
def test_shrunk_lies_between_the_raw_mean_and_the_team_mean(agents):
    ratings = rating(rated(agents))
    mu = ratings.overall.value
    for r in ratings.values():
        assert min(r.value, mu) <= r.shrunk <= max(r.value, mu)
        assert 0 <= r.weight <= 1
        assert 1 <= r.shrunk <= 5


@given(agents=agent_ratings())
def test_shrinkage_prior_matches_a_direct_anova_computation(agents):
    groups = [np.array(v) for v in agents.values()]
    n = np.array([len(g) for g in groups], dtype=float)
    means = np.array([g.mean() for g in groups])
    m2 = np.array([((g - g.mean()) ** 2).sum() for g in groups])
    prior = shrinkage_prior(n, means, m2)
    values = np.concatenate(groups)
    assert prior.mean == pytest.approx(values.mean())
    total, k = len(values), len(groups)
    if total > k:
        # One-way ANOVA: MSW = SSW / (N - k); tau^2 = (MSB - MSW) / n0.
        msw = m2.sum() / (total - k)
        assert prior.within_variance == pytest.approx(msw)
        if k > 1:
            msb = (n * (means - values.mean()) ** 2).sum() / (k - 1)
            n0 = (total - (n**2).sum() / total) / (k - 1)
            assert prior.between_variance == pytest.approx(max(0.0, (msb - msw) / n0), abs=1e-12)


def test_rating_result_repr_shows_the_shrunk_mean():
    r = rating(rated({"ann": [5, 5], "bob": [4, 3, 4, 1]}))["ann"]
    assert repr(r).startswith("Rating(value=5.00, n=2, std=0.00, scale=(1, 5)")
    assert repr(r).endswith(f"shrunk={r.shrunk:.2f})")


def test_results_are_rates_and_means():
    assert issubclass(FunnelRate, Rate)
    assert issubclass(Gap, Rate)
    funnel = complaint_rate(crowd(TEAM, field="agent_id", flag="complaint"))
    assert isinstance(funnel, Breakdown)
    assert funnel["bob"].ci().low < 0.075


# Order and partitions: the same invariants as csmetrics' registry
# (tests/test_properties.py), stated here because these metrics need the
# escalation, complaint and rating fields the shared strategies do not draw.


def _customer_split(table: Interactions, seed: int) -> tuple[Interactions, Interactions]:
    left = (table.customer_id.codes + seed) % 2 == 0
    return table.take(left), table.take(~left)


@given(table=contact_columns(), seed=st.integers(0, 1), order=st.randoms(use_true_random=False))
def test_team_metrics_ignore_order_and_merge_over_customers(table, seed, order):
    rows = np.arange(len(table))
    order.shuffle(rows)
    shuffled = table.take(rows)
    left, right = _customer_split(table, seed)
    for metric, options in (
        (escalation_rate, {}),
        (escalation_rate, {"by": "agent_id"}),
        (complaint_rate, {}),
        (complaint_rate, {"by": "agent_id"}),
        (product_gaps, {"signal": "escalation"}),
        (product_gaps, {"signal": "repeat"}),
    ):
        whole = quiet(metric, table, **options)
        assert quiet(metric, shuffled, **options) == whole
        merged = quiet(metric, left, **options).merge(quiet(metric, right, **options))
        assert merged == whole


@given(agents=agent_ratings(), order=st.randoms(use_true_random=False))
def test_rating_ignores_order_and_merges_over_agents(agents, order):
    surveys = rated(agents)
    shuffled = list(surveys)
    order.shuffle(shuffled)
    whole = quiet(rating, surveys)
    again = quiet(rating, shuffled)
    assert list(again) == list(whole)
    first = [s for s in surveys if s.agent_id in list(agents)[: len(agents) // 2]]
    rest = [s for s in surveys if s not in first]
    if first and rest:
        merged = quiet(rating, first).merge(quiet(rating, rest))
        assert list(merged) == list(whole)
        for key in whole:
            assert merged[key].n == whole[key].n
            assert merged[key].shrunk == pytest.approx(whole[key].shrunk, rel=1e-9)
            assert again[key].shrunk == pytest.approx(whole[key].shrunk, rel=1e-9)


def test_rating_interval_is_clipped_to_the_scale():
    # Mean 3 of one 1-star and one 5-star rating: Student's t with 1 degree of
    # freedom gives (-22.4, 28.4), which a 1..5 mean cannot reach.
    ci = rating([1, 5], by=None).ci()
    assert (ci.low, ci.high) == (1.0, 5.0)
