"""Result objects: values, counts, validation, merge, repr and notebook display."""

from __future__ import annotations

import math
from datetime import datetime, timedelta, timezone

import attrs
import numpy as np
import pytest
from hypothesis import example, given
from hypothesis import strategies as st

import csmetrics
from csmetrics import CES, CSAT, FCR, NPS, Breakdown, Mean, Rate, Window

T0 = datetime(2026, 3, 2, tzinfo=timezone.utc)
WEEK1 = Window(start=T0, end=T0 + timedelta(days=7))
WEEK2 = Window(start=T0 + timedelta(days=7), end=T0 + timedelta(days=14))


def mean_of(values: list[float], **fields: object) -> Mean:
    """A Mean built from values with numpy (ddof-0 squared deviations)."""
    arr = np.asarray(values, dtype=float)
    if len(arr) == 0:
        return Mean(n=0, **fields)  # type: ignore[arg-type]
    m = float(arr.mean())
    return Mean(n=len(arr), mean=m, m2=float(((arr - m) ** 2).sum()), **fields)  # type: ignore[arg-type]


# -- Rate -----------------------------------------------------------------------------------------


def test_rate_value_and_percent():
    r = Rate(numerator=3, denominator=4)
    assert r.value == 0.75
    assert r.percent == 75.0
    assert float(r) == 0.75
    assert r.is_defined


def test_rate_with_zero_denominator_is_nan_not_an_error():
    r = Rate(numerator=0, denominator=0)
    assert math.isnan(r.value)
    assert math.isnan(r.percent)
    assert math.isnan(float(r))
    assert not r.is_defined


def test_rate_numerator_above_denominator_is_rejected():
    with pytest.raises(ValueError, match="numerator 5 exceeds denominator 4"):
        Rate(numerator=5, denominator=4)


@pytest.mark.parametrize(
    ("field", "bad"),
    [("numerator", -1), ("denominator", -1), ("numerator", True), ("denominator", False)],
)
def test_rate_negative_or_bool_count_is_rejected(field, bad):
    counts = {"numerator": 0, "denominator": 3, field: bad}
    with pytest.raises(ValueError, match=field) as info:
        Rate(**counts)
    assert repr(bad) in str(info.value)


@pytest.mark.parametrize("bad", [1.0, "1", None, np.float64(1)])
def test_rate_non_integer_count_is_rejected(bad):
    with pytest.raises(ValueError, match="numerator"):
        Rate(numerator=bad, denominator=3)


def test_rate_is_frozen_and_hashable():
    r = Rate(numerator=1, denominator=2)
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        r.numerator = 2  # type: ignore[misc]
    assert hash(r) == hash(Rate(numerator=1, denominator=2))
    assert r == Rate(numerator=1, denominator=2)
    assert r != Rate(numerator=1, denominator=3)


def test_rate_repr_shows_value_and_counts():
    text = repr(Rate(numerator=1, denominator=4, metric="resolution_rate"))
    assert text.startswith("Rate(")
    assert "value=25.0%" in text
    assert "numerator=1" in text
    assert "denominator=4" in text
    assert "metric='resolution_rate'" in text


def test_repr_shows_period_when_set():
    text = repr(Rate(numerator=1, denominator=4, period=WEEK1))
    assert f"period={WEEK1.start.isoformat()}..{WEEK1.end.isoformat()}" in text
    assert "period" not in repr(Rate(numerator=1, denominator=4))


def test_rate_ci_passes_level_and_method():
    r = Rate(numerator=81, denominator=263)
    ci = r.ci()
    assert (ci.method, ci.confidence_level) == ("wilson", 0.95)
    # Newcombe (1998) worked example, Wilson 95%: (0.2553, 0.3662).
    assert ci.low == pytest.approx(0.2553, abs=5e-5)
    assert ci.high == pytest.approx(0.3662, abs=5e-5)
    wald = r.ci(confidence_level=0.9, method="wald")
    assert (wald.method, wald.confidence_level) == ("wald", 0.9)
    assert wald.high - wald.low < ci.high - ci.low


def test_rate_ci_with_zero_denominator_is_nan():
    ci = Rate(numerator=0, denominator=0).ci()
    assert math.isnan(ci.low)
    assert math.isnan(ci.high)


def test_rate_counts_and_params():
    r = Rate(numerator=1, denominator=2, metric="survey_fcr")
    assert r.counts() == {"numerator": 1, "denominator": 2}
    assert r.params() == {"metric": "survey_fcr"}


# -- merge ----------------------------------------------------------------------------------------


def test_rate_merge_adds_counts():
    merged = Rate(numerator=1, denominator=2).merge(Rate(numerator=3, denominator=8))
    assert merged.counts() == {"numerator": 4, "denominator": 10}
    assert merged.value == 0.4


def test_merge_with_an_empty_result_is_identity():
    r = Rate(numerator=2, denominator=3)
    assert r.merge(Rate(numerator=0, denominator=0)) == r


def test_merge_of_different_metric_names_is_refused():
    with pytest.raises(ValueError, match="different parameters"):
        Rate(numerator=1, denominator=2, metric="a").merge(
            Rate(numerator=1, denominator=2, metric="b")
        )


def test_merge_of_different_result_types_is_refused():
    with pytest.raises(ValueError, match="cannot merge Rate with NPS"):
        Rate(numerator=1, denominator=2).merge(NPS(promoters=1, passives=0, detractors=0))


def test_merge_keeps_a_shared_period_and_drops_different_ones():
    a = Rate(numerator=1, denominator=2, period=WEEK1)
    assert a.merge(Rate(numerator=1, denominator=1, period=WEEK1)).period == WEEK1
    assert a.merge(Rate(numerator=1, denominator=1, period=WEEK2)).period is None


def fcr_result(**changes: object) -> FCR:
    fields: dict[str, object] = {
        "numerator": 1,
        "denominator": 2,
        "pending": 1,
        "repeats": 3,
        "window_days": 7.0,
        "match": "issue",
        "as_of": T0,
    }
    fields.update(changes)
    return FCR(**fields)  # type: ignore[arg-type]


def test_fcr_merge_adds_pending_and_repeats():
    merged = fcr_result().merge(fcr_result(numerator=2, denominator=2, pending=0, repeats=0))
    assert merged.counts() == {"numerator": 3, "denominator": 4, "pending": 1, "repeats": 3}
    assert merged.params() == {
        "metric": "fcr",
        "window_days": 7.0,
        "match": "issue",
        "as_of": T0,
    }


@pytest.mark.parametrize(
    "change",
    [{"window_days": 5.0}, {"match": "customer"}, {"as_of": T0 + timedelta(days=1)}],
)
def test_fcr_merge_with_different_parameters_is_refused(change):
    with pytest.raises(ValueError, match="different parameters"):
        fcr_result().merge(fcr_result(**change))


def test_fcr_same_as_of_in_another_zone_merges():
    other_zone = T0.astimezone(timezone(timedelta(hours=-3)))
    assert fcr_result().merge(fcr_result(as_of=other_zone)).denominator == 4


def test_fcr_negative_pending_is_rejected():
    with pytest.raises(ValueError, match="pending"):
        fcr_result(pending=-1)


def test_csat_merge_refuses_different_scale():
    a = CSAT(numerator=1, denominator=2, scale=(1, 5), satisfied_from=4)
    b = CSAT(numerator=1, denominator=2, scale=(1, 10), satisfied_from=4)
    with pytest.raises(ValueError, match="different parameters"):
        a.merge(b)
    assert a.merge(a).counts() == {"numerator": 2, "denominator": 4, "missing": 0}


# -- NPS ------------------------------------------------------------------------------------------


def test_nps_value_and_n():
    r = NPS(promoters=5, passives=2, detractors=3)
    assert r.n == 10
    assert r.value == 20.0
    assert float(r) == 20.0


def test_nps_with_no_answers_is_nan():
    assert math.isnan(NPS(promoters=0, passives=0, detractors=0).value)


def test_nps_negative_count_is_rejected():
    with pytest.raises(ValueError, match="detractors"):
        NPS(promoters=1, passives=0, detractors=-2)


def test_nps_merge_adds_the_three_counts():
    merged = NPS(promoters=5, passives=2, detractors=3).merge(
        NPS(promoters=0, passives=0, detractors=10)
    )
    assert merged.counts() == {"promoters": 5, "passives": 2, "detractors": 13, "missing": 0}
    assert merged.value == pytest.approx(100 * (5 - 13) / 20)


def test_nps_repr_shows_value_and_counts():
    text = repr(NPS(promoters=5, passives=2, detractors=3))
    assert text == "NPS(value=+20.0, promoters=5, passives=2, detractors=3, missing=0)"


def test_nps_ci_matches_rocks_formula():
    # 100 * 1.959964 * sqrt((0.5 + 0.2 - 0.09) / 100) = 15.307808 around 30.
    ci = NPS(promoters=50, passives=30, detractors=20).ci()
    assert ci.low == pytest.approx(30 - 15.307808, abs=1e-6)
    assert ci.high == pytest.approx(30 + 15.307808, abs=1e-6)


# -- Mean -----------------------------------------------------------------------------------------


def test_mean_value_std_total():
    m = mean_of([2.0, 4.0, 9.0])
    assert m.value == 5.0
    assert m.std == pytest.approx(math.sqrt((9 + 1 + 16) / 2))
    assert m.total == pytest.approx(15.0)


def test_mean_with_no_values_is_nan_and_zero_total():
    m = Mean(n=0)
    assert math.isnan(m.value)
    assert math.isnan(m.std)
    assert m.total == 0.0


def test_mean_with_one_value_has_nan_std_and_nan_interval():
    m = mean_of([3.0])
    assert math.isnan(m.std)
    ci = m.ci()
    assert math.isnan(ci.low)
    assert math.isnan(ci.high)


def test_mean_ci_is_student_t():
    # mean 4, std 1, n 10: t(0.975, 9) = 2.262157 (t table), 2.262157 / sqrt(10) = 0.715357.
    m = Mean(n=10, mean=4.0, m2=9.0)
    ci = m.ci()
    assert ci.low == pytest.approx(3.284643, abs=1e-6)
    assert ci.high == pytest.approx(4.715357, abs=1e-6)


def test_mean_merge_with_empty_is_identity():
    m = mean_of([1.0, 2.0])
    assert m.merge(Mean(n=0)) == m
    assert Mean(n=0).merge(m) == m


def test_mean_merge_far_from_zero_keeps_precision():
    # Summing squares would cancel here; the pairwise update does not.
    a = mean_of([1e9 + 1, 1e9 + 2])
    b = mean_of([1e9 + 3, 1e9 + 4])
    merged = a.merge(b)
    assert merged.mean == 1e9 + 2.5
    assert merged.m2 == pytest.approx(5.0, rel=1e-12)


FLOATS = st.floats(-1e6, 1e6, allow_nan=False, allow_infinity=False)


@given(
    left=st.lists(FLOATS, max_size=30),
    right=st.lists(FLOATS, max_size=30),
)
@example(left=[], right=[])
@example(left=[5.0], right=[])
@example(left=[1.0, 1.0], right=[1.0])
def test_mean_merge_matches_numpy_on_the_concatenation(left, right):
    merged = mean_of(left).merge(mean_of(right))
    both = np.asarray(left + right, dtype=float)
    assert merged.n == len(both)
    if len(both) == 0:
        assert math.isnan(merged.value)
        return
    spread = float(np.abs(both).max()) or 1.0
    assert merged.value == pytest.approx(float(both.mean()), rel=1e-9, abs=1e-9 * spread)
    if len(both) > 1:
        expected_std = float(both.std(ddof=1))
        assert merged.std == pytest.approx(expected_std, rel=1e-6, abs=1e-6 * spread)


def test_ces_merge_refuses_different_direction():
    a = CES(n=1, mean=3.0, m2=0.0, scale=(1, 7), higher_is_easier=True)
    b = CES(n=1, mean=3.0, m2=0.0, scale=(1, 7), higher_is_easier=False)
    with pytest.raises(ValueError, match="different parameters"):
        a.merge(b)


def test_negative_n_is_rejected():
    with pytest.raises(ValueError, match="n="):
        Mean(n=-1)


# -- HTML -----------------------------------------------------------------------------------------


def test_repr_html_is_a_table_with_value_and_counts():
    page = Rate(numerator=1, denominator=4)._repr_html_()
    assert page.startswith("<table>")
    assert "<caption>Rate</caption>" in page
    assert "<th>value</th><td>25.0%</td>" in page
    assert "<th>numerator</th><td>1</td>" in page


def test_repr_html_escapes_text():
    page = Rate(numerator=1, denominator=4, metric="<script>x</script>")._repr_html_()
    assert "<script>" not in page
    assert "&lt;script&gt;x&lt;/script&gt;" in page


def test_repr_html_shows_datetimes_as_iso():
    page = fcr_result()._repr_html_()
    assert T0.isoformat() in page


# -- Breakdown ------------------------------------------------------------------------------------


def breakdown(groups: dict[object, Rate], by: str = "agent_id") -> Breakdown[Rate]:
    overall = Rate(numerator=0, denominator=0)
    for result in groups.values():
        overall = overall.merge(result)
    return Breakdown(by=by, overall=overall, groups=groups)  # type: ignore[arg-type]


def test_breakdown_is_a_mapping_of_group_results():
    amy = Rate(numerator=1, denominator=2)
    bob = Rate(numerator=2, denominator=2)
    b = breakdown({"amy": amy, "bob": bob})
    assert b["amy"] == amy
    assert list(b) == ["amy", "bob"]
    assert len(b) == 2
    assert "bob" in b
    assert "zoe" not in b
    assert dict(b.items()) == {"amy": amy, "bob": bob}
    assert b.get("zoe") is None
    with pytest.raises(KeyError):
        b["zoe"]


def test_breakdown_to_rows():
    b = breakdown({"amy": Rate(numerator=1, denominator=2), None: Rate(numerator=0, denominator=0)})
    rows = b.to_rows()
    assert rows[0] == {
        "agent_id": "amy",
        "value": 0.5,
        "numerator": 1,
        "denominator": 2,
        "reliable": False,
    }
    assert b.to_rows(min_n=2)[0]["reliable"] is True
    assert rows[1]["agent_id"] is None
    assert math.isnan(rows[1]["value"])
    assert len(rows) == 2  # no total row


def test_breakdown_merge_merges_group_by_group_and_orders_keys():
    left = breakdown(
        {"bob": Rate(numerator=1, denominator=1), None: Rate(numerator=0, denominator=1)}
    )
    right = breakdown(
        {"amy": Rate(numerator=1, denominator=3), "bob": Rate(numerator=0, denominator=1)}
    )
    merged = left.merge(right)
    assert list(merged) == ["amy", "bob", None]
    assert merged["bob"].counts() == {"numerator": 1, "denominator": 2}
    assert merged["amy"].counts() == {"numerator": 1, "denominator": 3}
    assert merged.overall.counts() == {"numerator": 2, "denominator": 6}


def test_breakdown_merge_orders_integer_keys_numerically():
    left = breakdown({10: Rate(numerator=1, denominator=1)})
    right = breakdown({9: Rate(numerator=1, denominator=1)})
    assert list(left.merge(right)) == [9, 10]


def test_breakdown_merge_of_different_by_is_refused():
    with pytest.raises(ValueError, match="breakdown by 'agent_id' with one by 'channel'"):
        breakdown({}).merge(breakdown({}, by="channel"))


def test_breakdown_repr_html_escapes_keys():
    b = breakdown({"<b>": Rate(numerator=1, denominator=2)})
    page = b._repr_html_()
    assert "<b>" not in page
    assert "&lt;b&gt;" in page
    assert "<th>agent_id</th>" in page


def test_breakdown_repr_html_without_groups():
    page = breakdown({})._repr_html_()
    assert "no groups" in page
    assert "agent_id" in page


def test_ces_interval_is_clipped_to_the_scale():
    # Unclipped t interval: 5 +/- 2.776445 * sqrt(22 / 4) / sqrt(5) = (2.088, 7.912).
    ci = csmetrics.ces([7, 6, 5, 6, 1]).ci()
    assert ci.low == pytest.approx(2.088, abs=1e-3)
    assert ci.high == 7.0


# -- results as numbers ---------------------------------------------------------------------------


def test_a_result_formats_and_rounds_as_its_value():
    r = csmetrics.Rate(numerator=17, denominator=20, metric="csat")
    assert f"{r:.1%}" == "85.0%"
    assert f"{r:.3f}" == "0.850"
    assert f"{r}" == repr(r)  # no spec: the repr, counts included
    assert round(r, 2) == 0.85
    assert round(r) == 1
    assert isinstance(round(r), int)
    nps = csmetrics.nps([10, 10, 9, 3])
    assert f"{nps:+.0f}" == "+50"


def test_results_compare_with_numbers_and_results_of_the_same_metric():
    low = csmetrics.Rate(numerator=1, denominator=4, metric="csat")
    high = csmetrics.Rate(numerator=3, denominator=4, metric="csat")
    assert low < high
    assert high >= low
    assert low < 0.3 <= high
    assert high > np.float64(0.5)
    assert sorted([high, low]) == [low, high]
    assert max([low, high]) is high


def test_equality_stays_exact():
    r = csmetrics.Rate(numerator=1, denominator=2, metric="csat")
    assert r != 0.5
    assert r != csmetrics.Rate(numerator=2, denominator=4, metric="csat")  # other counts
    assert r <= csmetrics.Rate(numerator=2, denominator=4, metric="csat")


def test_results_of_different_metrics_do_not_compare():
    csat = csmetrics.Rate(numerator=1, denominator=2, metric="csat")
    fcr = csmetrics.Rate(numerator=1, denominator=2, metric="resolution_rate")
    with pytest.raises(TypeError):
        _ = csat < fcr
    with pytest.raises(TypeError):
        _ = csat < csmetrics.nps([10])
    with pytest.raises(TypeError):
        _ = csat < "0.5"


def test_an_undefined_result_compares_like_nan():
    empty = csmetrics.Rate(numerator=0, denominator=0, metric="csat")
    assert not empty < 1
    assert not empty >= 0
    with pytest.raises(ValueError, match="NaN"):
        round(empty)


def test_durations_compare_by_their_median():
    fast = csmetrics.Durations(durations=[10.0, 20.0, 30.0])
    slow = csmetrics.Durations(durations=[40.0, 50.0, 60.0])
    assert fast < slow
    assert fast < 25 < slow


# -- repr: rounded, with units; equality exact ------------------------------------------------


def test_repr_rounds_each_unit():
    as_of = datetime(2026, 4, 3, 11, 51, tzinfo=timezone.utc)
    assert repr(Rate(numerator=1, denominator=3, metric="fcr")) == (
        "Rate(value=33.3%, numerator=1, denominator=3, metric='fcr')"
    )
    # 100 * (2 - 1) / 3 = 33.33... points, shown signed with one decimal.
    assert repr(NPS(promoters=2, passives=0, detractors=1)) == (
        "NPS(value=+33.3, promoters=2, passives=0, detractors=1, missing=0)"
    )
    # mean of 1, 2, 4 = 2.333..., std = sqrt(4.6667 / 2) = 1.5275.
    assert repr(mean_of([1, 2, 4], metric="ces")) == (
        "Mean(value=2.33, n=3, std=1.53, metric='ces')"
    )
    # (794 + 15234.3) / 2 = 8014.15 s is 2 h 13 min 34 s: hours and minutes, not rounded up.
    handle = csmetrics.TimeMean(n=2, mean=8014.15, m2=0.0, metric="asa", as_of=as_of)
    assert repr(handle) == (
        "TimeMean(value=2h 13m, n=2, std=0s, metric='asa', as_of=2026-04-03T11:51:00+00:00)"
    )
    times = csmetrics.Durations(durations=[26.0, 794.0, 15234.3])
    assert repr(times).startswith("Durations(median=13m 14s, p90=4h 13m, p95=4h 13m, mean=1h 29m,")


def test_repr_of_seconds_fields_and_timedeltas():
    occupancy = csmetrics.Occupancy(busy_seconds=5400.0, available_seconds=1800.0)
    assert repr(occupancy).startswith(
        "Occupancy(value=75.0%, busy_seconds=1h 30m, available_seconds=30m 00s, break_seconds=0s"
    )
    up = csmetrics.Uptime(length=timedelta(days=30), downtime=timedelta(hours=3), incidents=2)
    assert repr(up).startswith("Uptime(value=99.6%, length=30d 00h, downtime=3h 00m, incidents=2")


def test_repr_shows_undefined_as_n_a_and_leaves_unset_parameters_out():
    text = repr(csmetrics.Durations(metric="first_response_time"))
    assert text.startswith("Durations(median=n/a, p90=n/a, p95=n/a, mean=n/a, n=0,")
    assert "None" not in text
    assert "calendar" not in text
    assert repr(Rate(numerator=0, denominator=0)).startswith("Rate(value=n/a,")


def test_repr_is_rounded_but_equality_is_exact():
    a = Mean(n=2, mean=4.001, m2=0.0, metric="ces")
    b = Mean(n=2, mean=4.0, m2=0.0, metric="ces")
    assert repr(a) == repr(b)
    assert a != b
    assert a.value == 4.001


def test_repr_html_shows_the_same_rounded_values():
    page = csmetrics.nps([10, 9, 9, 7, 3])._repr_html_()
    assert "<th>value</th><td>+40.0</td>" in page
    page = csmetrics.Durations(durations=[26.0, 794.0])._repr_html_()
    assert "<th>median</th><td>26s</td>" in page
    assert "<th>p90</th><td>13m 14s</td>" in page


def test_breakdown_repr_html_rounds_the_value_in_the_unit():
    b = Breakdown(
        by="agent_id",
        overall=Rate(numerator=2, denominator=3),
        groups={"a": Rate(numerator=1, denominator=1), "b": Rate(numerator=1, denominator=2)},
    )
    page = b._repr_html_()
    assert "<td>100.0%</td>" in page
    assert "<td>50.0%</td>" in page


def test_every_catalogued_result_shows_the_catalogue_unit():
    from csmetrics.core.results import Result, unit_of

    shown_units = ("fraction", "points", "seconds", "mean")
    checked = 0
    for entry in csmetrics.catalog.entries():
        result = entry.result
        if isinstance(result, type) and issubclass(result, Result) and entry.unit in shown_units:
            assert result._unit == entry.unit, entry.name
            checked += 1
    assert checked >= 25
    assert unit_of(NPS(promoters=1, passives=0, detractors=0)) == "points"


def test_no_result_of_the_sample_report_shows_long_floats_or_python_reprs():
    import re

    from csmetrics.adapters.datasets import sample
    from csmetrics.report.build import build_report

    data = sample()
    report = build_report(
        data.interactions, data.surveys, service_level=20.0, by="agent_id", charts=False
    )
    shown = 0
    for row in report.rows:
        if row.result is None:
            continue
        for text in (repr(row.result), row.result._repr_html_()):
            assert not re.search(r"\d\.\d{5,}", text), text
            assert "datetime.datetime" not in text, text
            assert "calendar=None" not in text, text
        shown += 1
    assert shown >= 15
