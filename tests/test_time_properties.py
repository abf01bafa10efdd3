"""Invariants of the time and queue metrics beyond the shared ones.

The shared invariants (bounds, order, merges, monotonicity, object and
columnar paths) run on these metrics through `test_properties.REGISTRY`; this
module adds what only time-based metrics have:

- business time: a calendar open around the clock gives exactly the
  calendar-time result; office hours never make a duration longer, so rates
  judged against a time limit never get worse;
- thresholds: service level never falls when the threshold grows;
- SLA breakdowns by target and by priority add up to the overall.

Every call passes an explicit ``as_of``, the same for the results compared.
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, Any

import attrs
import pytest
from hypothesis import example, given
from hypothesis import strategies as st

import csmetrics
from csmetrics.metrics.sla import TARGETS
from strategies import assert_same_result, interactions
from test_properties import (
    AS_OF,
    LATE,
    OFFICE,
    REGISTRY,
    SERVICE_EDGE_CASES,
    TIME_METRICS,
    VARIANT,
    budget,
    queued,
    run,
    sla_policy,
)

if TYPE_CHECKING:
    import numpy as np

CALENDAR_METRICS = [
    *TIME_METRICS,
    "asa",
    "handle_time",
    "service_level",
    "abandonment_rate",
    "sla_attainment",
]
"""Metrics with a business calendar (sla_attainment: in its policy)."""

ALWAYS_OPEN = (
    csmetrics.BusinessCalendar.always(),
    # Open all week written as two shifts a day, in a zone with DST in March.
    csmetrics.BusinessCalendar(
        timezone="America/New_York",
        hours={
            day: [("00:00", "12:00"), ("12:00", "24:00")]
            for day in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
        },
    ),
)

RECORDS = interactions(service=True)


def calendar_time_options(name: str, variant: int) -> dict[str, Any]:
    """A variant's options without a calendar: the calendar-time baseline."""
    options = REGISTRY[name].options(variant)
    options.pop("calendar", None)
    if name == "sla_attainment":
        options["policy"] = sla_policy(business=False)
    return options


def with_calendar(name: str, options: dict[str, Any], calendar: Any) -> dict[str, Any]:
    """The same options measured in ``calendar``: every SLA target in business time."""
    if name == "sla_attainment":
        return {**options, "policy": sla_policy(business=True, calendar=calendar)}
    return {**options, "calendar": calendar}


def without_calendar(result: Any) -> Any:
    """The result as if computed in calendar time, to compare the rest of it."""
    if isinstance(result, csmetrics.Breakdown):
        return attrs.evolve(
            result,
            overall=without_calendar(result.overall),
            groups={key: without_calendar(value) for key, value in result.items()},
        )
    if isinstance(result, csmetrics.SLAAttainment):
        policy = sla_policy(business=False)

        def strip(breakdown: Any) -> Any:
            groups = {k: attrs.evolve(v, policy=policy) for k, v in breakdown.items()}
            overall = attrs.evolve(breakdown.overall, policy=policy)
            return attrs.evolve(breakdown, overall=overall, groups=groups)

        return attrs.evolve(
            result,
            policy=policy,
            by_target=strip(result.by_target),
            by_priority=strip(result.by_priority),
        )
    return attrs.evolve(result, calendar=None)


# -- business time ------------------------------------------------------------------------------


@pytest.mark.parametrize("name", CALENDAR_METRICS)
def test_calendar_open_around_the_clock_gives_calendar_time(name):
    metric = REGISTRY[name]

    @budget(metric)
    @given(records=RECORDS, variant=VARIANT, as_of=AS_OF, always=st.sampled_from(ALWAYS_OPEN))
    @example(records=SERVICE_EDGE_CASES[2], variant=0, as_of=LATE, always=ALWAYS_OPEN[1])
    def check(records, variant, as_of, always):
        options = {**calendar_time_options(name, variant), "as_of": as_of}
        plain = run(metric, records, **options)
        business = run(metric, records, **with_calendar(name, options, always))
        # Durations exactly, means to the last bit: the same seconds, summed alike.
        assert_same_result(without_calendar(business), plain, rel=0)
        if metric.by is not None:
            grouped = run(metric, records, by=metric.by, **with_calendar(name, options, always))
            assert_same_result(
                without_calendar(grouped), run(metric, records, by=metric.by, **options), rel=0
            )

    check()


def assert_sorted_at_most(shorter: np.ndarray, longer: np.ndarray) -> None:
    """Sorted durations of the same units, each no longer than its counterpart:
    then the i-th shortest is no longer either."""
    assert len(shorter) == len(longer)
    assert (shorter <= longer).all()


def check_not_longer(office: Any, plain: Any) -> None:
    """``office`` (office hours) is never longer nor worse than ``plain`` (calendar time)."""
    if isinstance(plain, csmetrics.Durations):
        # Which units are open does not depend on the calendar.
        assert (office.completed, office.censored, office.excluded) == (
            plain.completed,
            plain.censored,
            plain.excluded,
        )
        assert_sorted_at_most(office.durations, plain.durations)
        assert_sorted_at_most(office.censoring_times, plain.censoring_times)
        if isinstance(plain, csmetrics.ReplyTimes):
            assert office.requests == plain.requests
            assert_sorted_at_most(office.contact_means, plain.contact_means)
    elif isinstance(plain, csmetrics.TimeMean):
        assert (office.n, office.counts().get("fallback")) == (
            plain.n,
            plain.counts().get("fallback"),
        )
        if plain.n:
            assert office.mean <= plain.mean
    elif isinstance(plain, csmetrics.ServiceLevel):
        # Shorter waits: at least as many within the threshold or short.
        assert (office.answered, office.abandoned) == (plain.answered, plain.abandoned)
        assert office.answered_within >= plain.answered_within
        assert office.abandoned_within >= plain.abandoned_within
        assert office.short_abandoned >= plain.short_abandoned
        if office.is_defined and plain.is_defined:
            assert office.value >= plain.value
    elif isinstance(plain, csmetrics.AbandonmentRate):
        # More short abandons left out: (AB - s) / (AN + AB - s) falls as s grows.
        assert office.short_abandoned >= plain.short_abandoned
        if office.is_defined and plain.is_defined:
            assert office.value <= plain.value
    else:
        assert isinstance(plain, csmetrics.SLAAttainment)
        # Met targets only gain, breached ones only lose (some become pending).
        assert office.numerator >= plain.numerator
        assert office.breached <= plain.breached
        if office.is_defined and plain.is_defined:
            assert office.value >= plain.value


@pytest.mark.parametrize("name", CALENDAR_METRICS)
def test_office_hours_never_lengthen_a_duration(name):
    metric = REGISTRY[name]

    @budget(metric)
    @given(records=RECORDS, variant=VARIANT, as_of=AS_OF)
    @example(records=SERVICE_EDGE_CASES[1], variant=0, as_of=LATE)
    def check(records, variant, as_of):
        options = {**calendar_time_options(name, variant), "as_of": as_of}
        plain = run(metric, records, **options)
        office = run(metric, records, **with_calendar(name, options, OFFICE))
        check_not_longer(office, plain)
        if metric.by is None:
            return
        plain_groups = run(metric, records, by=metric.by, **options)
        office_groups = run(metric, records, by=metric.by, **with_calendar(name, options, OFFICE))
        # The same groups: which contacts count where does not depend on the calendar.
        assert list(office_groups) == list(plain_groups)
        for key in plain_groups:
            check_not_longer(office_groups[key], plain_groups[key])

    check()


# -- thresholds ---------------------------------------------------------------------------------

THRESHOLD_EDGES = (1, 5, 19, 20, 21, 60, 300, 3600)
CHANNELS = ("phone", "chat", "email", None)


@st.composite
def threshold_pairs(draw: st.DrawFn) -> tuple[Any, Any]:
    """Two thresholds, the second at least the first: seconds, timedeltas or
    per-channel mappings (each channel's threshold at least as large)."""
    seconds = st.sampled_from(THRESHOLD_EDGES) | st.integers(1, 3 * 86400)

    def pair() -> tuple[int, int]:
        low = draw(seconds)
        return low, low + draw(st.sampled_from([0, 1]) | st.integers(0, 86400))

    kind = draw(st.sampled_from(["seconds", "timedelta", "mapping"]))
    if kind == "mapping":
        pairs = {channel: pair() for channel in CHANNELS}
        return (
            {channel: low for channel, (low, _) in pairs.items()},
            {channel: high for channel, (_, high) in pairs.items()},
        )
    low, high = pair()
    if kind == "timedelta":
        return timedelta(seconds=low), timedelta(seconds=high)
    return low, high


FORMULAS = st.sampled_from(
    [
        {"formula": "offered"},
        {"formula": "answered"},
        {"formula": "abandoned_within_met"},
        {"formula": "abandoned_within_excluded"},
        {"formula": "short_abandoned_excluded", "short_abandon": 5},
        {"formula": "short_abandoned_excluded", "short_abandon": 20},
    ]
)


@budget(REGISTRY["service_level"])
@given(
    records=RECORDS,
    thresholds=threshold_pairs(),
    formula=FORMULAS,
    calendar=st.sampled_from([None, OFFICE]),
    as_of=AS_OF,
)
# Answered exactly at 20 s: outside a 19 s threshold, within a 20 s one; the
# 20 s abandon leaves the abandoned_within_excluded denominator at 20 s.
@example(
    records=SERVICE_EDGE_CASES[1],
    thresholds=(19, 20),
    formula={"formula": "abandoned_within_excluded"},
    calendar=None,
    as_of=LATE,
)
# Only an abandon: at 20 s it is within and leaves the denominator, which
# becomes 0: defined at the lower threshold, undefined at the higher one.
@example(
    records=[queued("ab", 20, abandoned=True)],
    thresholds=(19, 20),
    formula={"formula": "abandoned_within_excluded"},
    calendar=None,
    as_of=LATE,
)
def test_service_level_never_falls_as_the_threshold_grows(
    records, thresholds, formula, calendar, as_of
):
    """Contacts answered (or abandoned) within a threshold are within any larger one.

    For every formula but "abandoned_within_excluded" the denominator does not
    depend on the threshold, so the value is non-decreasing. With
    "abandoned_within_excluded" the denominator AN + AB - AB within shrinks as
    the threshold grows while the numerator grows: the value is still
    non-decreasing where both are defined, but it can become undefined (every
    contact an abandon within the larger threshold).
    """
    metric = REGISTRY["service_level"]
    low, high = (
        run(metric, records, threshold=t, calendar=calendar, as_of=as_of, **formula)
        for t in thresholds
    )
    assert low.answered_within <= high.answered_within
    assert low.abandoned_within <= high.abandoned_within
    assert low.numerator <= high.numerator
    if formula["formula"] == "abandoned_within_excluded":
        assert high.denominator <= low.denominator
        assert low.is_defined or not high.is_defined
    else:
        assert high.denominator == low.denominator
    if low.is_defined and high.is_defined:
        assert low.value <= high.value


# -- SLA breakdowns -----------------------------------------------------------------------------


@budget(REGISTRY["sla_attainment"])
@given(records=RECORDS, variant=VARIANT, as_of=AS_OF)
@example(records=SERVICE_EDGE_CASES[2], variant=0, as_of=LATE)
def test_sla_breakdowns_by_target_and_priority_merge_to_the_overall(records, variant, as_of):
    metric = REGISTRY["sla_attainment"]
    result = run(metric, records, **{**metric.options(variant), "as_of": as_of})
    for breakdown in (result.by_target, result.by_priority):
        keys = list(breakdown)
        present = [k for k in keys if k is not None]
        assert present == sorted(present)
        assert None not in keys or keys[-1] is None
        counts = dict.fromkeys(result.counts(), 0)
        for group in breakdown.values():
            assert sum(group.counts().values()) > 0
            for key, value in group.counts().items():
                counts[key] += value
        assert counts == result.counts()
    assert set(result.by_target) <= set(TARGETS)
    priorities = {b.priority for b in result.breaches}
    assert priorities <= set(result.by_priority)
    for key, group in result.by_priority.items():
        assert group.breached == sum(b.priority == key for b in result.breaches)
