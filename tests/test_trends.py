"""Tests of csmetrics.analysis: trend, guardrail, guardrail_trend, drivers, reopen_rate."""

from __future__ import annotations

import math
import warnings
from datetime import datetime, timedelta, timezone
from typing import Any

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy import stats

import csmetrics
from csmetrics import (
    Interaction,
    Interactions,
    Mean,
    Rate,
    Survey,
    Surveys,
    UndefinedMetricWarning,
    Window,
    compare,
    reopen_rate,
)
from csmetrics.adapters.datasets import sample_paths
from csmetrics.analysis.drivers import drivers
from csmetrics.analysis.guardrail import DEFAULT_PAIRS, GuardrailPair, guardrail, guardrail_trend
from csmetrics.analysis.trend import trend
from csmetrics.core.results import MIN_N

UTC = timezone.utc
MONDAY = datetime(2026, 3, 2, tzinfo=UTC)
FAR = datetime(2027, 1, 1, tzinfo=UTC)


def days(n: int) -> Interactions:
    """One contact a day for n days from MONDAY: gives trend its range."""
    start = np.datetime64("2026-03-02T09:00", "us") + np.arange(n).astype("timedelta64[D]")
    return Interactions.from_columns(
        {"id": np.arange(n), "customer_id": np.arange(n), "start": start}
    )


def series(values: list[float], n: int = 50) -> Any:
    """A metric whose value on day i is values[i] (nan: an empty day)."""

    def metric(data: Any, /, *, period: Window | None = None) -> Mean:
        assert period is not None
        value = values[(period.start - MONDAY).days]
        if math.isnan(value):
            return Mean(n=0, metric="series", period=period)
        return Mean(n=n, mean=value, m2=float(n - 1), metric="series", period=period)

    return metric


# -- slope against scipy ------------------------------------------------------------------------


def test_ols_slope_and_interval_match_scipy_linregress():
    rng = np.random.default_rng(7)
    values = (0.6 + 0.01 * np.arange(12) + rng.normal(0, 0.02, 12)).tolist()
    values[4] = math.nan  # an empty period leaves a gap at x = 4
    with pytest.warns(UndefinedMetricWarning, match="undefined in 1 of 12 periods"):
        t = trend(days(12), series(values), every="day")
    x = np.array([i for i in range(12) if i != 4], dtype=float)
    y = np.array([v for v in values if not math.isnan(v)])
    # Reference: scipy.stats.linregress (slope, intercept, stderr) and the t quantile.
    ref = stats.linregress(x, y)
    half = stats.t.ppf(0.975, len(x) - 2) * ref.stderr
    assert t.slope.method == "ols"
    assert t.slope.n == 11
    assert t.slope.estimate == pytest.approx(ref.slope, rel=1e-12)
    assert t.slope.intercept == pytest.approx(ref.intercept, rel=1e-12)
    assert t.slope.low == pytest.approx(ref.slope - half, rel=1e-9)
    assert t.slope.high == pytest.approx(ref.slope + half, rel=1e-9)


@pytest.mark.parametrize("level", [0.9, 0.95, 0.99])
def test_theil_sen_slope_and_interval_match_scipy_theilslopes(level):
    rng = np.random.default_rng(11)
    # Rounded values give ties in y, which Sen's variance corrects for.
    values = np.round(0.5 + 0.02 * np.arange(15) + rng.normal(0, 0.05, 15), 2).tolist()
    t = trend(
        days(15), series(values), every="day", slope_method="theil-sen", confidence_level=level
    )
    # Reference: scipy.stats.theilslopes(y, x, confidence) -> slope, intercept, low, high.
    ref = stats.theilslopes(values, np.arange(15.0), level)
    assert t.slope.method == "theil-sen"
    assert t.slope.estimate == pytest.approx(ref.slope, rel=1e-12)
    assert t.slope.intercept == pytest.approx(ref.intercept, rel=1e-12)
    assert t.slope.low == pytest.approx(ref.low_slope, rel=1e-12)
    assert t.slope.high == pytest.approx(ref.high_slope, rel=1e-12)


def test_theil_sen_resists_one_odd_period():
    values = [0.5 + 0.01 * i for i in range(10)]
    values[3] = 0.0  # one period with an odd value
    ols = trend(days(10), series(values), every="day").slope.estimate
    robust = trend(days(10), series(values), every="day", slope_method="theil-sen").slope
    assert robust.estimate == pytest.approx(0.01)
    assert abs(ols - 0.01) > 0.005


@given(
    value=st.floats(0, 1000, allow_nan=False),
    k=st.integers(2, 12),
    method=st.sampled_from(["ols", "theil-sen"]),
)
def test_trend_of_a_constant_series_has_zero_slope(value, k, method):
    t = trend(days(k), series([value] * k), every="day", slope_method=method)
    assert t.slope.estimate == 0.0
    if k >= 3:
        assert t.slope.low <= 0.0 <= t.slope.high
        assert not t.slope.significant
    assert t.changes == ()


def test_one_period_warns_that_the_slope_is_nan():
    with pytest.warns(UndefinedMetricWarning, match="fewer than two defined periods") as caught:
        t = trend(days(1), series([0.5]), every="day")
    assert len(caught) == 1
    assert math.isnan(t.slope.estimate)
    with pytest.warns(UndefinedMetricWarning, match=r"0 period\(s\)"):
        empty = trend([], csmetrics.fcr)
    assert len(empty) == 0
    assert empty.min_n is None


def test_two_periods_give_a_slope_without_interval():
    t = trend(days(2), series([0.5, 0.7]), every="day")
    assert t.slope.estimate == pytest.approx(0.2)
    assert math.isnan(t.slope.low)
    assert math.isnan(t.slope.high)


def test_fewer_than_two_defined_periods_leave_the_slope_nan_with_one_warning():
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        t = trend(days(3), series([math.nan, 0.4, math.nan]), every="day")
    assert len(caught) == 1
    assert "undefined in 2 of 3 periods" in str(caught[0].message)
    assert "slope is nan" in str(caught[0].message)
    assert math.isnan(t.slope.estimate)
    assert t.slope.n == 1


# -- trend with real metrics --------------------------------------------------------------------


def csat_answers(weekly: list[tuple[int, int]]) -> list[Survey]:
    """``weekly[w] = (satisfied, total)`` CSAT answers in week w from MONDAY."""
    out = []
    for week, (good, total) in enumerate(weekly):
        for i in range(total):
            at = MONDAY + timedelta(weeks=week, minutes=i)
            out.append(Survey(id=f"{week}-{i}", kind="csat", score=5 if i < good else 2, at=at))
    return out


def test_trend_of_csat_per_week_with_changes_from_compare():
    answers = csat_answers([(20, 40), (21, 40), (35, 40), (0, 0), (30, 40)])
    with pytest.warns(
        UndefinedMetricWarning, match="csat is undefined in 1 of 5 periods"
    ) as caught:
        t = trend(answers, csmetrics.csat, every="week")
    assert len(caught) == 1
    assert t.metric == "csat"
    assert [p.period.start for p in t.points] == [MONDAY + timedelta(weeks=w) for w in range(5)]
    assert t.values.tolist()[:3] == [0.5, 0.525, 0.875]
    assert math.isnan(t.values[3])
    # Each period is the metric's own result for that period.
    week = t.points[2].period
    assert t.points[2].result == csmetrics.csat(answers, period=week)
    # Changes are compare(this, previous), significant ones only.
    assert t.points[2].change == compare(t.results[2], t.results[1])
    assert t.points[0].change is None
    assert t.points[3].change is None  # undefined
    assert t.points[4].change is None  # previous undefined
    assert [p.period for p in t.changes] == [week]
    rows = t.to_rows()
    assert rows[2]["value"] == 0.875
    assert rows[2]["significant"] is True
    assert rows[2]["numerator"] == 35


def test_trend_passes_options_and_looks_at_all_data_for_repeats():
    # Ann's repeat falls in the second week: the first week's episode fails.
    contacts = [
        Interaction(id=1, customer_id="ann", start=MONDAY, end=MONDAY, resolved=True,
                    category="billing"),
        Interaction(id=2, customer_id="ann", start=MONDAY + timedelta(days=8),
                    end=MONDAY + timedelta(days=8), resolved=True, category="billing"),
        Interaction(id=3, customer_id="bob", start=MONDAY + timedelta(days=9),
                    end=MONDAY + timedelta(days=9), resolved=True, category="login"),
    ]  # fmt: skip
    t = trend(contacts, csmetrics.fcr, every="week", window_days=10, as_of=FAR)
    assert [p.result.counts() for p in t.points] == [
        {"numerator": 0, "denominator": 1, "pending": 0, "repeats": 1},
        {"numerator": 1, "denominator": 1, "pending": 0, "repeats": 0},
    ]
    assert t.points[0].result.window_days == 10.0


def test_reliability_follows_min_n_per_kind_of_result():
    answers = csat_answers([(10, 29), (10, 30)])
    t = trend(answers, csmetrics.csat, every="week")
    assert [p.n for p in t.points] == [29, 30]
    assert [p.reliable for p in t.points] == [False, True]
    assert t.min_n == 30
    strict = trend(answers, csmetrics.csat, every="week", min_n=40)
    assert [p.reliable for p in strict.points] == [False, False]
    nps = [Survey(id=i, kind="nps", score=9, at=MONDAY + timedelta(minutes=i)) for i in range(99)]
    with pytest.warns(UndefinedMetricWarning, match="slope is nan"):
        assert not trend(nps, csmetrics.nps, every="week").points[0].reliable
    assert MIN_N == {"rate": 30, "mean": 30, "durations": 30, "nps": 100}


def test_trend_period_sets_the_range():
    answers = csat_answers([(1, 2), (1, 2)])
    period = Window(start=MONDAY - timedelta(weeks=1), end=MONDAY + timedelta(weeks=3))
    with pytest.warns(UndefinedMetricWarning, match="undefined in 2 of 4 periods"):
        t = trend(answers, csmetrics.csat, every="week", period=period)
    assert len(t) == 4
    assert t.points[0].n == 0


def test_trend_of_durations_compares_medians():
    contacts = [
        Interaction(id=i, customer_id=i, start=MONDAY + timedelta(days=i % 14),
                    first_response_at=MONDAY + timedelta(days=i % 14, minutes=i))
        for i in range(28)
    ]  # fmt: skip
    t = trend(contacts, csmetrics.first_response_time, every="week")
    assert len(t) == 2
    assert t.points[0].change is None
    change = t.points[1].change
    assert change is not None
    assert change.method == "collett"
    assert change.difference == t.points[1].value - t.points[0].value
    assert t.slope.n == 2


def test_trend_refuses_by_plain_scores_and_bad_options():
    with pytest.raises(TypeError, match="by= is not a metric option in trend"):
        trend(days(3), csmetrics.fcr, by="agent_id")
    with pytest.raises(TypeError, match="needs Interaction or Survey records"):
        trend([5, 4, 3], csmetrics.csat)
    with pytest.raises(ValueError, match=r"slope_method='median' is not allowed; use one of"):
        trend(days(3), csmetrics.fcr, slope_method="median")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=r"min_n=0 is not allowed"):
        trend(days(3), csmetrics.fcr, min_n=0)


def test_sample_size_and_reliability_of_each_kind():
    rate = Rate(numerator=1, denominator=3)
    nps = csmetrics.NPS(promoters=60, passives=20, detractors=20)
    durations = csmetrics.Durations(durations=[1, 2], censoring_times=[3])
    assert (rate.sample_size, nps.sample_size, Mean(n=4, mean=1.0).sample_size) == (3, 100, 4)
    assert durations.sample_size == 3
    assert (rate.default_min_n, nps.default_min_n) == (30, 100)
    assert nps.is_reliable()
    assert not rate.is_reliable()
    assert rate.is_reliable(min_n=3)
    with pytest.raises(ValueError, match="min_n=0"):
        rate.is_reliable(min_n=0)


# -- guardrails ---------------------------------------------------------------------------------


def two_periods(
    fcr_counts: tuple[tuple[int, int], tuple[int, int]],
    csat_counts: tuple[tuple[int, int], tuple[int, int]],
    talk: tuple[float, float] = (600.0, 600.0),
) -> tuple[Interactions, Surveys, Window, Window]:
    """Contacts and CSAT answers in two weeks from ``(successes, total)`` counts.

    Every contact is its own customer and issue, so FCR is successes / total;
    talk seconds are ``talk[w]`` plus a spread of +/- 60 s.
    """
    starts, resolved, seconds, at, scores = [], [], [], [], []
    for week, ((good, n), (happy, m)) in enumerate(zip(fcr_counts, csat_counts, strict=True)):
        base = np.datetime64("2026-03-02T09:00", "us") + np.timedelta64(7 * week, "D")
        starts.append(base + np.arange(n).astype("timedelta64[m]"))
        resolved.append(np.arange(n) < good)
        seconds.append(talk[week] + 60.0 * np.cos(np.arange(n)))
        at.append(base + np.arange(m).astype("timedelta64[m]"))
        scores.append(np.where(np.arange(m) < happy, 5, 2))
    start = np.concatenate(starts)
    n = len(start)
    contacts = Interactions.from_columns(
        {
            "id": np.arange(n),
            "customer_id": np.arange(n),
            "start": start,
            "end": start + np.timedelta64(5, "m"),
            "resolved": np.concatenate(resolved),
            "talk_seconds": np.concatenate(seconds),
        }
    )
    answered = np.concatenate(at)
    surveys = Surveys.from_columns(
        {
            "id": np.arange(len(answered)),
            "kind": np.full(len(answered), "csat"),
            "score": np.concatenate(scores),
            "at": answered,
        }
    )
    first = Window(start=MONDAY, end=MONDAY + timedelta(weeks=1))
    second = Window(start=first.end, end=first.end + timedelta(weeks=1))
    return contacts, surveys, first, second


def test_guardrail_fires_when_fcr_rises_and_csat_falls():
    contacts, surveys, before, after = two_periods(
        ((120, 200), (180, 200)), ((160, 200), (120, 200))
    )
    g = guardrail(contacts, surveys, baseline=before, current=after, as_of=FAR)
    assert g.pair == GuardrailPair(
        primary="fcr", counter="csat", primary_higher_is_better=True, counter_higher_is_better=True
    )
    assert g.primary == compare(
        csmetrics.fcr(contacts, period=after, as_of=FAR),
        csmetrics.fcr(contacts, period=before, as_of=FAR),
    )
    assert g.primary.difference == pytest.approx(0.3)
    assert g.counter.difference == pytest.approx(-0.2)
    assert g.primary_improved
    assert g.counter_worsened
    assert g.fired
    assert "fired=True" in repr(g)


def test_guardrail_does_not_fire_when_the_counter_holds():
    contacts, surveys, before, after = two_periods(
        ((120, 200), (180, 200)), ((160, 200), (160, 200))
    )
    g = guardrail(contacts, surveys, baseline=before, current=after, as_of=FAR)
    assert g.primary_improved
    assert not g.counter_worsened
    assert not g.fired


def test_guardrail_does_not_fire_when_the_primary_does_not_improve():
    contacts, surveys, before, after = two_periods(
        ((180, 200), (120, 200)), ((160, 200), (120, 200))
    )
    g = guardrail(contacts, surveys, baseline=before, current=after, as_of=FAR)
    assert g.counter_worsened
    assert not g.primary_improved
    assert not g.fired


def test_guardrail_reads_lower_handle_time_as_an_improvement():
    contacts, _, before, after = two_periods(
        ((180, 200), (120, 200)), ((160, 200), (160, 200)), talk=(600.0, 300.0)
    )
    g = guardrail(
        contacts, primary="handle_time", counter="fcr", baseline=before, current=after, as_of=FAR
    )
    assert g.pair.primary_higher_is_better is False
    assert g.primary.difference == pytest.approx(-300, abs=5)
    assert g.primary_improved
    assert g.counter_worsened
    assert g.fired


@given(
    base=st.tuples(st.integers(0, 40), st.integers(1, 40)),
    now=st.tuples(st.integers(0, 40), st.integers(1, 40)),
    happy=st.tuples(st.integers(0, 40), st.integers(1, 40)),
    lift=st.integers(0, 40),
)
def test_a_guardrail_never_fires_when_the_counter_does_not_worsen(base, now, happy, lift):
    (good0, n0), (good1, n1), (h0, m0) = [(min(a, b), b) for a, b in (base, now, happy)]
    # The current CSAT rate is at least the baseline's: h1 / m1 >= h0 / m0.
    m1 = m0 + lift
    h1 = min(m1, -(-h0 * m1 // m0) + lift)
    contacts, surveys, before, after = two_periods(((good0, n0), (good1, n1)), ((h0, m0), (h1, m1)))
    g = guardrail(contacts, surveys, baseline=before, current=after, as_of=FAR)
    assert g.counter.difference >= 0
    assert not g.fired


def test_guardrail_routes_each_option_to_the_metrics_that_take_it():
    contacts, surveys, before, after = two_periods(
        ((120, 200), (180, 200)), ((160, 200), (120, 200))
    )
    g = guardrail(
        contacts,
        surveys,
        baseline=before,
        current=after,
        as_of=FAR,
        window_days=3,
        satisfied_from=5,
    )
    assert g.primary.a.window_days == 3.0
    assert g.counter.a.satisfied_from == 5
    with pytest.raises(TypeError, match=r"option\(s\) \['windows'\] that neither 'fcr' nor 'csat'"):
        guardrail(contacts, surveys, baseline=before, current=after, windows=3)


def fast_replies_that_bounce(reply_minutes: tuple[float, float], reopened: tuple[int, int]):
    """200 resolved tickets a week; ``reopened[w]`` come back a day later.

    First replies take ``reply_minutes[w]`` plus 0..19 minutes.
    """
    columns: dict[str, list[Any]] = {k: [] for k in ("start", "reply", "issue")}
    for week, (minutes, back) in enumerate(zip(reply_minutes, reopened, strict=True)):
        base = np.datetime64("2026-03-02T09:00", "us") + np.timedelta64(7 * week, "D")
        start = base + np.arange(200).astype("timedelta64[m]")
        again = start[:back] + np.timedelta64(1, "D")
        both = np.concatenate((start, again))
        lag = (minutes + np.arange(len(both)) % 20).astype("timedelta64[m]")
        columns["start"].append(both)
        columns["reply"].append(both + lag)
        columns["issue"].append(np.concatenate((np.arange(200), np.arange(back))) + 1000 * week)
    start, reply = np.concatenate(columns["start"]), np.concatenate(columns["reply"])
    contacts = Interactions.from_columns(
        {
            "id": np.arange(len(start)),
            "customer_id": np.concatenate(columns["issue"]),
            "issue_id": np.concatenate(columns["issue"]),
            "start": start,
            "first_response_at": reply,
            "end": reply + np.timedelta64(5, "m"),
            "resolved": np.ones(len(start), dtype=bool),
        }
    )
    before = Window(start=MONDAY, end=MONDAY + timedelta(days=7))
    after = Window(start=before.end, end=before.end + timedelta(days=7))
    return contacts, before, after


def test_guardrail_fires_when_fast_first_replies_bring_tickets_back():
    # Median first reply falls from about 70 to 10 minutes while reopens rise
    # from 10 to 60 of 200 resolved tickets: the first-response pair fires.
    contacts, before, after = fast_replies_that_bounce((60, 0), (10, 60))
    g = guardrail(contacts, primary="first_response_time", counter="reopen_rate",
                  baseline=before, current=after, as_of=FAR)  # fmt: skip
    assert g.primary.method == "collett"
    assert g.primary.difference == pytest.approx(-60 * 60)
    assert g.primary.significant
    assert g.counter.difference == pytest.approx(60 / 200 - 10 / 200)
    assert g.fired


def test_guardrail_on_medians_stays_quiet_when_reopens_hold():
    contacts, before, after = fast_replies_that_bounce((60, 0), (10, 10))
    g = guardrail(contacts, primary="first_response_time", counter="reopen_rate",
                  baseline=before, current=after, as_of=FAR)  # fmt: skip
    assert g.primary_improved
    assert not g.counter_worsened
    assert not g.fired


def test_guardrail_refuses_what_it_cannot_test():
    contacts, surveys, before, after = two_periods(((1, 2), (1, 2)), ((1, 2), (1, 2)))
    with pytest.raises(ValueError, match="needs survey answers"):
        guardrail(contacts, baseline=before, current=after)
    with pytest.raises(ValueError, match=r"primary='aht' is not allowed; use one of: 'fcr'"):
        guardrail(contacts, surveys, primary="aht", baseline=before, current=after)
    with pytest.raises(TypeError, match="by= is not a metric option"):
        guardrail(contacts, surveys, baseline=before, current=after, by="agent_id")


def test_default_pairs_and_their_directions():
    assert [(p.primary, p.counter) for p in DEFAULT_PAIRS] == [
        ("fcr", "csat"),
        ("handle_time", "fcr"),
        ("handle_time", "csat"),
        ("first_response_time", "reopen_rate"),
        ("resolution_rate", "reopen_rate"),
    ]
    assert [(p.primary_higher_is_better, p.counter_higher_is_better) for p in DEFAULT_PAIRS] == [
        (True, True),
        (False, True),
        (False, True),
        (False, False),
        (True, False),
    ]
    with pytest.raises(ValueError, match="primary='quality' is not allowed"):
        GuardrailPair(primary="quality", counter="csat", primary_higher_is_better=True,
                      counter_higher_is_better=True)  # fmt: skip


def test_guardrail_trend_fires_in_the_week_of_the_change():
    # Three weeks: steady, steady, then FCR up and CSAT down.
    contacts, surveys, *_ = two_periods(((120, 200), (120, 200)), ((160, 200), (160, 200)))
    later, later_surveys, *_ = two_periods(((0, 0), (180, 200)), ((0, 0), (120, 200)))
    shifted = {
        "id": np.arange(200) + 1000,
        "customer_id": np.arange(200) + 1000,
        "start": later.start + np.int64(7 * 86_400_000_000),
        "resolved": later.resolved,
    }
    shifted["end"] = shifted["start"] + np.int64(300_000_000)
    start = np.concatenate([contacts.start, shifted["start"]]).astype("datetime64[us]")
    all_contacts = Interactions.from_columns(
        {
            "id": np.r_[np.arange(len(contacts)), shifted["id"]],
            "customer_id": np.r_[np.arange(len(contacts)), shifted["customer_id"]],
            "start": start,
            "end": start + np.timedelta64(5, "m"),
            "resolved": np.r_[contacts.resolved, shifted["resolved"]],
        }
    )
    at = np.r_[surveys.at, later_surveys.at + np.int64(7 * 86_400_000_000)].astype("datetime64[us]")
    all_surveys = Surveys.from_columns(
        {
            "id": np.arange(len(at)),
            "kind": np.full(len(at), "csat"),
            "score": np.r_[surveys.score, later_surveys.score],
            "at": at,
        }
    )
    g = guardrail_trend(all_contacts, all_surveys, every="week", as_of=FAR)
    assert len(g.windows) == 3
    assert len(g.checks) == 2
    assert [c.fired for c in g.checks] == [False, True]
    assert g.fired == (g.checks[1],)
    assert g.checks[1].current == g.windows[2]
    rows = g.to_rows()
    assert rows[1]["fired"] is True
    assert rows[1]["fcr_change"] == pytest.approx(0.3)


def test_guardrail_trend_warns_once_for_empty_periods():
    contacts, surveys, *_ = two_periods(((1, 2), (1, 2)), ((1, 2), (1, 2)))
    period = Window(start=MONDAY, end=MONDAY + timedelta(weeks=4))
    with pytest.warns(UndefinedMetricWarning, match="undefined in 2 of 4 periods") as caught:
        g = guardrail_trend(contacts, surveys, period=period, as_of=FAR)
    assert len(caught) == 1
    assert g.fired == ()


# -- reopen rate --------------------------------------------------------------------------------


def ticket(
    i: int, issue: str | None, day: float, *, resolved: bool = False, hours: float = 0
) -> Interaction:
    start = MONDAY + timedelta(days=day)
    return Interaction(id=i, customer_id="c", issue_id=issue, start=start,
                       end=start + timedelta(hours=hours), resolved=resolved)  # fmt: skip


def test_reopen_within_window_counts_after_window_does_not():
    contacts = [
        ticket(1, "A", 0, resolved=True),
        ticket(2, "A", 7),  # exactly 7 days after the end: reopened (inclusive)
        ticket(3, "B", 0, resolved=True),
        ticket(4, "B", 7.5),  # after the window
        ticket(5, "C", 1),  # never resolved: not in scope
    ]
    r = reopen_rate(contacts, as_of=FAR)
    assert (r.numerator, r.denominator, r.pending) == (1, 2, 0)
    assert r.metric == "reopen_rate"


def test_reopen_counts_from_the_first_resolution_and_needs_its_end():
    contacts = [
        ticket(1, "A", 0, hours=10),
        ticket(2, "A", 1, resolved=True, hours=2),
        ticket(3, "A", 1.05),  # starts while the resolving contact is still going: not a reopen
        ticket(5, "A", 9),  # more than 7 days after the first resolution's end: outside
    ]
    r = reopen_rate(contacts, as_of=FAR)
    assert (r.numerator, r.denominator) == (0, 1)
    # A later contact inside the window reopens the issue, even if it resolves it again.
    r = reopen_rate([*contacts, ticket(4, "A", 3, resolved=True)], as_of=FAR)
    assert (r.numerator, r.denominator) == (1, 1)


def test_reopen_window_still_open_is_pending_and_contacts_without_issue_are_ignored():
    contacts = [
        ticket(1, "A", 0, resolved=True),
        ticket(2, "A", 1),  # already reopened, but the window is still open: pending
        ticket(3, None, 0, resolved=True),
    ]
    with pytest.warns(UndefinedMetricWarning, match="no decided resolved issue"):
        r = reopen_rate(contacts, as_of=MONDAY + timedelta(days=3))
    assert (r.numerator, r.denominator, r.pending) == (0, 0, 1)
    assert math.isnan(r.value)


def test_reopen_rate_period_and_by():
    contacts = [
        ticket(1, "A", 0, resolved=True),
        ticket(2, "A", 2),
        ticket(3, "B", 8, resolved=True),
    ]
    first = Window(start=MONDAY, end=MONDAY + timedelta(weeks=1))
    r = reopen_rate(contacts, as_of=FAR, period=first)
    assert (r.numerator, r.denominator) == (1, 1)
    b = reopen_rate(contacts, as_of=FAR, by="customer_id")
    assert b["c"].denominator == 2
    with pytest.raises(ValueError, match="cannot merge"):
        r.merge(reopen_rate(contacts, as_of=FAR, window_days=3))


def test_guardrail_with_reopen_rate_reads_a_rise_as_worse():
    closed = [ticket(i, f"T{i}", i / 100, resolved=True) for i in range(100)]
    reopened = [ticket(1000 + i, f"T{i}", 2 + i / 100) for i in range(40)]
    later = [ticket(200 + i, f"U{i}", 7 + i / 100, resolved=True) for i in range(100)]
    more = [ticket(2000 + i, f"U{i}", 9 + i / 100) for i in range(5)]
    before = Window(start=MONDAY, end=MONDAY + timedelta(weeks=1))
    after = Window(start=before.end, end=before.end + timedelta(weeks=1))
    g = guardrail(closed + reopened + later + more, primary="resolution_rate",
                  counter="reopen_rate", baseline=before, current=after, as_of=FAR)  # fmt: skip
    assert g.counter.difference == pytest.approx(0.05 - 0.4)
    assert not g.counter_worsened  # fewer reopens is better


# -- drivers ------------------------------------------------------------------------------------


def agent_contacts(counts: dict[str, tuple[int, int]]) -> list[Interaction]:
    out = []
    for agent, (good, n) in counts.items():
        for i in range(n):
            start = MONDAY + timedelta(minutes=len(out))
            out.append(
                Interaction(id=len(out), customer_id=len(out), start=start, end=start,
                            resolved=i < good, agent_id=agent, channel=["phone", "chat"][i % 2])
            )  # fmt: skip
    return out


def test_drivers_rank_segments_by_impact_and_test_them_against_the_rest():
    contacts = agent_contacts({"a": (90, 100), "b": (150, 300), "c": (10, 20)})
    d = drivers(contacts, csmetrics.fcr, by=("agent_id", "channel"), as_of=FAR)
    overall = 250 / 420
    assert d.overall.value == pytest.approx(overall)
    agents = {r.key: r for r in d.rows if r.field == "agent_id"}
    assert agents["a"].gap == pytest.approx(0.9 - overall)
    assert agents["a"].share == pytest.approx(100 / 420)
    assert agents["a"].impact == pytest.approx(100 / 420 * (0.9 - overall))
    assert agents["a"].excess == pytest.approx(90 - 100 * overall)
    assert sum(r.impact for r in agents.values()) == pytest.approx(0, abs=1e-12)
    impacts = [abs(r.impact) for r in d.rows]
    assert impacts == sorted(impacts, reverse=True)
    assert d.rows[0].key == "a"
    # Each segment is compared with the rest of its field merged.
    rest = agents["b"].result.merge(agents["c"].result)
    assert agents["a"].versus_rest == compare(agents["a"].result, rest)
    assert agents["a"].significant
    assert [agents[k].reliable for k in "abc"] == [True, True, False]  # c has 20 < MIN_N 30
    assert d.min_n == 30
    assert d.to_rows()[0]["field"] == "agent_id"


def test_drivers_warn_once_for_undefined_segments():
    contacts = agent_contacts({"a": (5, 10)})
    contacts.append(Interaction(id=99, customer_id=99, start=MONDAY, agent_id="z"))  # open: pending
    with pytest.warns(UndefinedMetricWarning, match="undefined for 1 segments") as caught:
        d = drivers(contacts, csmetrics.fcr, by="agent_id", as_of=FAR, min_n=5)
    assert len(caught) == 1
    assert d.rows[-1].key == "z"
    assert math.isnan(d.rows[-1].impact)
    assert d.rows[0].reliable


def test_drivers_of_a_survey_metric():
    answers = [
        Survey(id=i, kind="csat", score=5 if i % 3 else 1, at=MONDAY, agent_id=f"A{i % 2}")
        for i in range(60)
    ]
    d = drivers(answers, csmetrics.csat, by="agent_id")
    assert {r.key for r in d.rows} == {"A0", "A1"}
    assert sum(r.n for r in d.rows) == 60


def sample_frames() -> tuple[Any, Any]:
    """The sample contacts and survey answers as pandas frames, times parsed."""
    pd = pytest.importorskip("pandas")
    pytest.importorskip("narwhals")
    paths = sample_paths()
    text = {"id": str, "customer_id": str, "agent_id": str, "issue_id": str}
    contacts = pd.read_csv(
        paths.interactions, dtype=text, parse_dates=["start", "end", "first_response_at"]
    )
    answers = pd.read_csv(paths.surveys, dtype={**text, "interaction_id": str}, parse_dates=["at"])
    # The CSAT answers, whose scores are numbers (survey FCR's are yes/no text).
    csat = answers[answers["kind"] == "csat"].astype({"score": "int64"})
    return contacts, csat


def test_trend_drivers_and_guardrails_read_a_dataframe_as_the_metric_does():
    contacts, answers = sample_frames()
    table = Interactions.from_frame(contacts)
    survey_table = Surveys.from_frame(answers)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UndefinedMetricWarning)
        assert trend(contacts, csmetrics.resolution_rate, every="month") == trend(
            table, csmetrics.resolution_rate, every="month"
        )
        assert trend(answers, csmetrics.csat, every="month") == trend(
            survey_table, csmetrics.csat, every="month"
        )
        assert drivers(contacts, csmetrics.fcr, by="agent_id") == drivers(
            table, csmetrics.fcr, by="agent_id"
        )
        # The last month's FCR is nan (all pending), and nan != nan: compare frames.
        from_frames = guardrail_trend(contacts, answers, every="month").to_frame()
        from_tables = guardrail_trend(table, survey_table, every="month").to_frame()
        assert from_frames.equals(from_tables)


def test_trend_of_a_dataframe_needs_a_metric_that_says_what_it_reads():
    contacts, _ = sample_frames()

    def unknown(data: Any, **options: Any) -> Any:
        return csmetrics.resolution_rate(data, **options)

    with pytest.raises(TypeError, match=r"trend\(\) cannot tell .* unknown\(\); build the table"):
        trend(contacts, unknown)
