"""Declared invariants of every public metric, checked with Hypothesis.

`REGISTRY` lists every public metric; each invariant list (`BOUNDED`,
`PERMUTATION_INVARIANT`, `MERGEABLE`, `MONOTONE`, `OBJECT_COLUMNAR_AGREE`)
names the metrics it is checked on, and `test_every_public_metric_is_classified`
fails when a public metric is missing from the registry or from a list, so no
KPI skips the invariants.

Each test is parametrized by metric name and runs a Hypothesis test on that
metric's own input strategy (`Metric.records`), with the empty input pinned by
`@example`. The time and queue metrics pass an explicit ``as_of`` (one of
`AS_OFS`, picked by the variant, or one drawn per example), so no result
depends on the data's latest event or the clock; their time-specific
invariants (business time, thresholds, quantiles) are in
``test_time_properties.py``.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any

import attrs
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

import csmetrics
from csmetrics import Interactions, Surveys, Window, catalog

if TYPE_CHECKING:
    from collections.abc import Sequence

from strategies import (
    BASE,
    assert_same_result,
    aware_datetimes,
    interaction_columns,
    interactions,
    message_columns,
    scores,
    survey_columns,
    surveys,
    undefined_allowed,
    undefined_warnings,
)


@dataclass(frozen=True)
class Metric:
    """How the invariant tests call one public metric.

    ``source`` is ``"contacts"`` for contact metrics or the survey kind the
    metric reads; ``records`` draws its input (survey metrics get answers of
    their own kind mixed with another kind, which they must ignore);
    ``low``/``high`` bound its value; ``variants`` are option sets, one picked
    per example; ``by`` is a grouping field it accepts (None: it has no
    ``by=``); ``edge_cases`` are inputs pinned with ``@example`` in every
    invariant test, besides ``[]``. ``positional`` names options passed
    positionally (the SLA policy); ``explicit_as_of`` metrics always get an
    ``as_of``; ``examples`` scales the profile's ``max_examples`` for the
    metric (its draws are costlier).
    """

    func: Any
    source: str
    records: st.SearchStrategy[list[Any]]
    low: float
    high: float
    by: str | None = "agent_id"
    variants: tuple[dict[str, Any], ...] = field(default=({},))
    edge_cases: tuple[list[Any], ...] = ()
    positional: tuple[str, ...] = ()
    explicit_as_of: bool = False
    examples: float = 1.0

    @property
    def is_contacts(self) -> bool:
        return self.source == "contacts"

    def options(self, variant: int) -> dict[str, Any]:
        options = dict(self.variants[variant % len(self.variants)])
        if self.explicit_as_of:
            options["as_of"] = AS_OFS[variant // len(self.variants) % len(AS_OFS)]
        return options

    def call(self, data: Any, **options: Any) -> Any:
        """Call the metric, passing the ``positional`` options positionally
        (``by=metric.by`` is dropped for a metric without ``by=``)."""
        if self.by is None and options.get("by", "") is None:
            del options["by"]
        args = [options.pop(name) for name in self.positional]
        return self.func(data, *args, **options)

    def table(self, records: list[Any]) -> Any:
        if self.is_contacts:
            return Interactions.from_records(records)
        return Surveys.from_records(records)


def _contact(id: str, start: datetime, minutes: int | None, **fields: Any) -> Any:
    end = None if minutes is None else start + timedelta(minutes=minutes)
    resolved = fields.pop("resolved", end is not None)
    return csmetrics.Interaction(
        id=id, customer_id="ann", start=start, end=end, resolved=resolved, **fields
    )


def _answers(kind: str, *scores: Any) -> list[Any]:
    return [
        csmetrics.Survey(id=f"{kind}{i}", kind=kind, score=s, at=BASE + timedelta(hours=i))  # type: ignore[arg-type]
        for i, s in enumerate(scores)
    ]


CONTACT_EDGE_CASES: tuple[list[Any], ...] = (
    # Only an open contact: FCR has one pending episode and no decided one.
    [_contact("open", BASE, None, agent_id="amy")],
    # A repeat exactly window_days (7) after the first contact's end: inclusive.
    [
        _contact("first", BASE, 60, category="billing", agent_id="amy"),
        _contact("repeat", BASE + timedelta(days=7, minutes=60), 5, category="billing"),
    ],
    # Two contacts of one issue at the same instant: ties are broken by id.
    [
        _contact("b", BASE, 10, issue_id="T1", resolved=False, agent_id="bob"),
        _contact("a", BASE, 10, issue_id="T1", agent_id="amy"),
    ],
)

REGISTRY: dict[str, Metric] = {
    "fcr": Metric(
        csmetrics.fcr,
        "contacts",
        interactions(),
        0,
        1,
        variants=(
            {},
            {"match": "category"},
            {"match": "customer", "window_days": 2.5},
            {"window_days": 1},
        ),
        edge_cases=CONTACT_EDGE_CASES,
    ),
    "resolution_rate": Metric(
        csmetrics.resolution_rate,
        "contacts",
        interactions(),
        0,
        1,
        edge_cases=CONTACT_EDGE_CASES,
    ),
    "reopen_rate": Metric(
        csmetrics.reopen_rate,
        "contacts",
        interactions(),
        0,
        1,
        variants=({}, {"window_days": 2.5}),
        edge_cases=CONTACT_EDGE_CASES,
        explicit_as_of=True,
    ),
    "nps": Metric(
        csmetrics.nps,
        "nps",
        surveys(kinds=("nps", "csat")),
        -100,
        100,
        # The bucket boundaries; a whole-number float; only another kind.
        edge_cases=(_answers("nps", 6, 7, 8, 9), _answers("nps", 8.0), _answers("csat", 5)),
    ),
    "csat": Metric(
        csmetrics.csat,
        "csat",
        surveys(kinds=("csat", "ces")),
        0,
        1,
        variants=({}, {"satisfied_from": 3}, {"satisfied_from": 5}, {"satisfied_from": 1}),
        edge_cases=(_answers("csat", 3, 4), _answers("csat", 1, 5), _answers("nps", 10)),
    ),
    "ces": Metric(
        csmetrics.ces,
        "ces",
        surveys(kinds=("ces", "fcr")),
        1,
        7,
        variants=({}, {"higher_is_easier": False}),
        # One answer (no spread); equal answers (zero spread); the scale ends.
        edge_cases=(_answers("ces", 4), _answers("ces", 5, 5, 5), _answers("ces", 1, 7)),
    ),
    "survey_fcr": Metric(
        csmetrics.survey_fcr,
        "fcr",
        surveys(kinds=("fcr", "nps", "rating")),
        0,
        1,
        edge_cases=(_answers("fcr", True, True), _answers("fcr", False), _answers("nps", 9)),
    ),
}

# -- time and queue metrics ---------------------------------------------------------------------

OFFICE = csmetrics.BusinessCalendar(
    timezone="Europe/Berlin",  # DST starts 2026-03-29, inside the drawn range
    hours={day: [("08:00", "18:00")] for day in ("mon", "tue", "wed", "thu", "fri")},
    holidays=["2026-03-06"],
)
"""Office hours with a holiday; business time is at most calendar time."""

CHANNEL_THRESHOLDS = {"phone": 20, "chat": 60, "email": timedelta(hours=1), None: 300}


def sla_policy(*, business: bool, calendar: Any = OFFICE) -> csmetrics.SLAPolicy:
    """Rules by priority and tier, in both key types (the strategy draws "P1" or
    1), a rule without a first-response target, and a catch-all rule; every
    target in business time when ``business``."""

    def target(seconds: float) -> Any:
        return csmetrics.SLATarget(seconds=seconds, business=business)

    urgent = {
        "first_response": target(60),
        "next_reply": target(300),
        "resolution": target(4 * 3600),
    }
    second = {"first_response": target(20), "resolution": target(24 * 3600)}
    return csmetrics.SLAPolicy(
        calendar=calendar if business else None,
        rules=[
            csmetrics.SLARule(priority="P1", **urgent),
            csmetrics.SLARule(priority=1, **urgent),
            csmetrics.SLARule(tier="tier2", **second),
            csmetrics.SLARule(tier=2, **second),
            csmetrics.SLARule(priority="P3", next_reply=target(600)),
            csmetrics.SLARule(
                first_response=target(3600), next_reply=target(3600), resolution=target(3 * 86400)
            ),
        ],
    )


SLA_CALENDAR_TIME = sla_policy(business=False)
SLA_BUSINESS_TIME = sla_policy(business=True)


def _seconds_after(moment: datetime, seconds: float) -> datetime:
    return moment + timedelta(seconds=seconds)


def queued(id: str, wait: float, *, abandoned: bool = False, **fields: Any) -> Any:
    """A phone call starting at BASE, answered (or abandoned) after ``wait`` seconds."""
    start = fields.pop("start", BASE)
    answer = _seconds_after(start, wait)
    return csmetrics.Interaction(
        id=id,
        customer_id=fields.pop("customer_id", "ann"),
        start=start,
        end=answer if abandoned else _seconds_after(answer, 300),
        first_response_at=None if abandoned else answer,
        abandoned=abandoned,
        channel=fields.pop("channel", "phone"),
        **fields,
    )


def _message(seconds: float, author: str, *, public: bool = True) -> Any:
    return csmetrics.Message(at=_seconds_after(BASE, seconds), author=author, public=public)  # type: ignore[arg-type]


SERVICE_EDGE_CASES: tuple[list[Any], ...] = (
    # All open: a customer asked, nobody answered yet.
    [
        csmetrics.Interaction(
            id="open",
            customer_id="ann",
            start=BASE,
            agent_id="amy",
            priority="P1",
            messages=[_message(0, "customer")],
        )
    ],
    # Answered exactly at the 20 s threshold (and the tier2 rule's 20 s target);
    # abandoned exactly at the 5 s short abandon and at 20 s.
    [
        queued("at20", 20, agent_id="amy", priority="P2", tier="tier2", talk_seconds=60),
        queued("ab5", 5, abandoned=True, customer_id="bob"),
        queued("ab20", 20, abandoned=True, customer_id="cy", agent_id="amy"),
    ],
    # A blocked call; an agent-opened chat (clock from the customer's first
    # message) with a bot message and an internal note that are no replies.
    [
        csmetrics.Interaction(id="busy", customer_id="bob", start=BASE, end=BASE, blocked=True),
        csmetrics.Interaction(
            id="chat",
            customer_id="ann",
            start=BASE,
            end=_seconds_after(BASE, 3600),
            resolved=True,
            agent_id="amy",
            messages=[
                _message(0, "agent"),
                _message(60, "customer"),
                _message(61, "bot"),
                _message(90, "agent", public=False),
                _message(120, "agent"),
                _message(120, "customer"),
            ],
        ),
    ],
    # A ticket resolved, then reopened and still open; only recorded components.
    [
        _contact("t1", BASE, 60, issue_id="T1", agent_id="amy", hold_seconds=0.5),
        _contact("t2", BASE + timedelta(days=1), None, issue_id="T1", resolved=False),
    ],
)


def _timing(func: Any, *extra: dict[str, Any]) -> Metric:
    """A `Durations` metric: completed and censored durations >= 0, median as value."""
    return Metric(
        func,
        "contacts",
        interactions(service=True),
        0,
        math.inf,
        variants=(
            {},
            {"censoring": "exclude"},
            {"calendar": OFFICE},
            {"calendar": OFFICE, "censoring": "exclude"},
            *extra,
        ),
        edge_cases=SERVICE_EDGE_CASES,
        explicit_as_of=True,
        examples=0.25,
    )


def _queue(func: Any, low: float, high: float, *variants: dict[str, Any]) -> Metric:
    return Metric(
        func,
        "contacts",
        interactions(service=True),
        low,
        high,
        variants=variants or ({},),
        edge_cases=SERVICE_EDGE_CASES,
        explicit_as_of=True,
        examples=0.25,
    )


REGISTRY.update(
    {
        "first_response_time": _timing(csmetrics.first_response_time),
        "reply_time": _timing(csmetrics.reply_time),
        "resolution_time": _timing(
            csmetrics.resolution_time, {"kind": "first"}, {"kind": "first", "calendar": OFFICE}
        ),
        "contact_length": _timing(csmetrics.contact_length),
        "handle_time": _queue(csmetrics.handle_time, 0, math.inf, {}, {"calendar": OFFICE}),
        "asa": _queue(csmetrics.asa, 0, math.inf, {}, {"calendar": OFFICE}),
        "service_level": _queue(
            csmetrics.service_level,
            0,
            1,
            {"threshold": 20},
            {"threshold": 60, "formula": "answered"},
            {"threshold": timedelta(minutes=5), "formula": "abandoned_within_met"},
            {"threshold": CHANNEL_THRESHOLDS, "formula": "abandoned_within_excluded"},
            {"threshold": 20, "formula": "short_abandoned_excluded", "short_abandon": 5},
            {"threshold": 3600, "calendar": OFFICE},
        ),
        "abandonment_rate": _queue(
            csmetrics.abandonment_rate,
            0,
            1,
            {},
            {"short_abandon": 5},
            {"short_abandon": 60, "calendar": OFFICE},
        ),
        "blocked_rate": _queue(csmetrics.blocked_rate, 0, 1),
        "sla_attainment": replace(
            _queue(
                csmetrics.sla_attainment,
                0,
                1,
                {"policy": SLA_CALENDAR_TIME},
                {"policy": SLA_BUSINESS_TIME},
            ),
            by=None,
            positional=("policy",),
        ),
    }
)
TIME_METRICS = ["first_response_time", "reply_time", "resolution_time", "contact_length"]
"""Metrics returning `Durations`."""
QUEUE_METRICS = ["service_level", "asa", "abandonment_rate", "blocked_rate", "handle_time"]
SERVICE_METRICS = [*TIME_METRICS, *QUEUE_METRICS, "sla_attainment"]

BOUNDED = [
    "fcr",
    "resolution_rate",
    "reopen_rate",
    "nps",
    "csat",
    "ces",
    "survey_fcr",
    *SERVICE_METRICS,
]
PERMUTATION_INVARIANT = [
    "fcr",
    "resolution_rate",
    "reopen_rate",
    "nps",
    "csat",
    "ces",
    "survey_fcr",
    *SERVICE_METRICS,
]
MERGEABLE = [
    "fcr",
    "resolution_rate",
    "reopen_rate",
    "nps",
    "csat",
    "ces",
    "survey_fcr",
    *SERVICE_METRICS,
]
MONOTONE = [
    "fcr",
    "resolution_rate",
    "nps",
    "csat",
    "ces",
    "survey_fcr",
    "service_level",
    "abandonment_rate",
    "blocked_rate",
    "sla_attainment",
]
OBJECT_COLUMNAR_AGREE = [
    "fcr",
    "resolution_rate",
    "reopen_rate",
    "nps",
    "csat",
    "ces",
    "survey_fcr",
    *SERVICE_METRICS,
]

INVARIANTS = {
    "BOUNDED": BOUNDED,
    "PERMUTATION_INVARIANT": PERMUTATION_INVARIANT,
    "MERGEABLE": MERGEABLE,
    "MONOTONE": MONOTONE,
    "OBJECT_COLUMNAR_AGREE": OBJECT_COLUMNAR_AGREE,
}
# A metric that cannot satisfy an invariant is listed here, with the reason.
_NO_SUCCESS = (
    "a duration or mean, not a share of successes: one more contact can move it either way "
    "(the time-specific invariants are in test_time_properties.py)"
)
EXEMPT: dict[str, dict[str, str]] = {name: {} for name in INVARIANTS}
EXEMPT["MONOTONE"] = dict.fromkeys([*TIME_METRICS, "asa", "handle_time"], _NO_SUCCESS)
EXEMPT["MONOTONE"]["reopen_rate"] = (
    "one more contact can resolve an issue as well as reopen one, so it can move the rate "
    "either way; the reopen rules are hand-tested in test_trends.py"
)

SURVEY_METRICS = [name for name, m in REGISTRY.items() if not m.is_contacts]
GROUPED = [name for name in MERGEABLE if REGISTRY[name].by is not None]
"""Mergeable metrics with a ``by=`` option."""
WITH_INTERVALS = [name for name in BOUNDED if name not in TIME_METRICS]
"""Bounded metrics whose result has ``.ci()`` (`Durations` has none yet)."""

VARIANT = st.integers(0, 35)
LEVEL = st.sampled_from([0.5, 0.8, 0.9, 0.95, 0.99, 0.999])
ASSIGN = st.lists(st.integers(0, 2), min_size=1, max_size=12)
AS_OF = aware_datetimes(days=30)
LATE = BASE + timedelta(days=30)  # after every pinned edge case's window
AS_OFS = (LATE, BASE + timedelta(days=10), BASE + timedelta(hours=12))
"""The explicit as_of of the time and queue metrics where the test draws none:
after all data, in the middle of it (later contacts ignored, work censored),
and early."""
FAR_PAST = BASE - timedelta(days=400)
FAR_FUTURE = BASE + timedelta(days=400)


def run(metric: Metric, data: Any, **options: Any) -> Any:
    """Call a metric; check it warns exactly when its value (or a group's) is nan."""
    with undefined_allowed() as caught:
        result = metric.call(data, **options)
    overall = result.overall if isinstance(result, csmetrics.Breakdown) else result
    undefined = not overall.is_defined
    if isinstance(result, csmetrics.Breakdown):
        undefined |= any(not group.is_defined for group in result.values())
    assert undefined_warnings(caught) == int(undefined)
    return result


def with_as_of(metric: Metric, options: dict[str, Any], as_of: datetime) -> dict[str, Any]:
    """Options plus an explicit as_of for FCR and the time and queue metrics:
    their default depends on the data, so parts and whole (or two periods) must
    share one."""
    if metric.func is csmetrics.fcr or metric.explicit_as_of:
        return {**options, "as_of": as_of}
    return options


def budget(metric: Metric) -> Any:
    """The settings profile with ``max_examples`` scaled by the metric's ``examples``."""
    examples = max(10, round(settings.default.max_examples * metric.examples))
    return settings(max_examples=min(examples, settings.default.max_examples))


def pinned(metric: Metric, **others: Any) -> Any:
    """Pin the empty input and the metric's known edge cases with @example, and
    apply the metric's example budget."""

    def decorate(test: Any) -> Any:
        for records in ([], *metric.edge_cases):
            test = example(records=records, **others)(test)
        return budget(metric)(test)

    return decorate


# -- classification -----------------------------------------------------------------------------


TESTED_ELSEWHERE = {
    # Metrics over inputs this registry does not draw (sales, customer counts,
    # outages, agent time); each module states and tests their invariants.
    "sales_after_contact": "test_business.py",
    "retention_rate": "test_business.py",
    "churn_rate": "test_business.py",
    "cohort_retention": "test_business.py",
    "uptime": "test_business.py",
    "occupancy": "test_business.py",
    "pareto": "test_workload.py",
    "volume": "test_workload.py",
    # Formulas over parameters, not records.
    "erlang_b": "test_staffing.py",
    "erlang_c": "test_staffing.py",
    "erlang_c_service_level": "test_staffing.py",
    "erlang_c_asa": "test_staffing.py",
    "agents_needed": "test_staffing.py",
    # Need the escalation, complaint and rating fields these strategies omit.
    "escalation_rate": "test_team.py",
    "product_gaps": "test_team.py",
    "complaint_rate": "test_team.py",
    "rating": "test_team.py",
}


def test_every_public_metric_is_classified():
    public = set(catalog.names())
    unregistered = sorted(public - set(REGISTRY) - set(TESTED_ELSEWHERE))
    assert not unregistered, f"register every public metric in REGISTRY: {unregistered}"
    assert set(REGISTRY) <= public
    here = Path(__file__).parent
    for name, module in TESTED_ELSEWHERE.items():
        assert name in public
        source = (here / module).read_text()
        assert "@given" in source
        assert f"{name}(" in source, f"{module} does not test {name}"
    for invariant, names in INVARIANTS.items():
        missing = set(REGISTRY) - set(names) - set(EXEMPT[invariant])
        assert not missing, f"{sorted(missing)} neither in {invariant} nor exempt from it"
        assert set(names) <= set(REGISTRY)


def test_registry_functions_are_the_public_ones():
    for name, metric in REGISTRY.items():
        assert metric.func is getattr(csmetrics, name)


# -- bounds -------------------------------------------------------------------------------------


QUANTILES = (0.0, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95, 1.0)


def check_durations(result: Any) -> None:
    """Every duration >= 0; quantiles non-decreasing in q and within [min, max]."""
    assert (result.durations >= 0).all()
    assert (result.censoring_times >= 0).all()
    assert result.n == result.completed + result.censored
    quantiles = [result.quantile(q) for q in QUANTILES]
    defined = [v for v in quantiles if not math.isnan(v)]
    if result.censoring == "exclude" or not result.censored:
        # Without censored work every quantile is known exactly when one is.
        assert len(defined) in (0, len(QUANTILES))
    # Kaplan-Meier: once the curve stops above 1 - q, higher quantiles are unknown too.
    assert quantiles[: len(defined)] == defined
    assert defined == sorted(defined)
    assert all(result.min <= v <= result.max for v in defined)
    if math.isnan(result.median):
        assert result.completed == 0 or (result.censoring == "kaplan-meier" and result.censored)
    else:
        assert result.min <= result.median <= result.max
    assert (result.p50, result.p90, result.p95) == pytest.approx(
        (result.median, result.quantile(0.9), result.quantile(0.95)), nan_ok=True
    )
    if isinstance(result, csmetrics.ReplyTimes):
        assert (result.contact_means >= 0).all()
        assert len(result.contact_means) <= result.requests
        assert not result.total_per_request < 0
        assert not result.per_contact_mean < 0


def check_counts(result: Any) -> None:
    """The counts of queue and SLA results agree with their definitions."""
    if isinstance(result, csmetrics.ServiceLevel):
        assert result.answered_within <= result.answered
        assert result.short_abandoned <= result.abandoned
        assert result.abandoned_within <= result.abandoned
        within = result.answered_within + (
            result.abandoned_within if result.formula == "abandoned_within_met" else 0
        )
        left_out = {
            "answered": result.abandoned,
            "abandoned_within_excluded": result.abandoned_within,
            "short_abandoned_excluded": result.short_abandoned,
        }.get(result.formula, 0)
        assert (result.numerator, result.denominator) == (
            within,
            result.answered + result.abandoned - left_out,
        )
    elif isinstance(result, csmetrics.HandleTime):
        assert result.fallback <= result.n
    elif isinstance(result, csmetrics.SLAAttainment):
        assert len(result.breaches) == result.breached
        assert all(b.overrun > 0 and b.elapsed > b.overrun for b in result.breaches)
        # Most overrun first.
        overruns = [b.overrun for b in result.breaches]
        assert overruns == sorted(overruns, reverse=True)
        for breakdown in (result.by_target, result.by_priority):
            assert breakdown is not None
            assert breakdown.overall.counts() == result.counts()


def check_bounds(metric: Metric, result: Any, records: Sequence[Any] = ()) -> None:
    if isinstance(result, csmetrics.Durations):
        check_durations(result)
        return
    check_counts(result)
    value = float(result)
    if math.isnan(value):
        # Undefined: nothing counted in the value (FCR may still count pending).
        if isinstance(result, csmetrics.Rate):
            assert result.numerator == result.denominator == 0
        else:
            assert result.n == 0
    else:
        assert metric.low <= value <= metric.high
    if isinstance(result, csmetrics.Rate):
        assert 0 <= result.numerator <= result.denominator
        assert result.percent == pytest.approx(100 * value, nan_ok=True)


@pytest.mark.parametrize("name", BOUNDED)
def test_value_is_within_bounds(name):
    metric = REGISTRY[name]

    @given(records=metric.records, variant=VARIANT)
    @pinned(metric, variant=0)
    def check(records, variant):
        check_bounds(metric, run(metric, records, **metric.options(variant)), records)

    check()


def check_intervals(metric: Metric, result: Any, level: float) -> None:
    intervals = []  # (interval, check it contains the estimate, check it is in bounds)
    if isinstance(result, csmetrics.Rate):
        for method in ("wilson", "agresti-coull", "wald"):
            ci = result.ci(confidence_level=level, method=method)
            assert ci.method == method
            intervals.append((ci, True, True))
    elif isinstance(result, csmetrics.NPS):
        intervals.append((result.ci(confidence_level=level), True, True))
    else:
        # The t interval of a mean is clipped to the scale (CES) or at 0 (times).
        intervals.append((result.ci(confidence_level=level), True, True))
    for ci, contains, within in intervals:
        assert ci.confidence_level == level
        if not result.is_defined or (isinstance(result, csmetrics.Mean) and result.n < 2):
            assert math.isnan(ci.low)
            assert math.isnan(ci.high)
            continue
        assert ci.low <= ci.high
        if contains:
            assert result.value in ci
        if within:
            assert metric.low <= ci.low
            assert ci.high <= metric.high


@pytest.mark.parametrize("name", WITH_INTERVALS)
def test_interval_contains_estimate_and_lies_within_bounds(name):
    metric = REGISTRY[name]

    @given(records=metric.records, variant=VARIANT, level=LEVEL)
    @pinned(metric, variant=0, level=0.95)
    def check(records, variant, level):
        check_intervals(metric, run(metric, records, **metric.options(variant)), level)

    check()


# -- permutation invariance ---------------------------------------------------------------------


@pytest.mark.parametrize("name", PERMUTATION_INVARIANT)
def test_shuffled_input_gives_the_same_result(name):
    metric = REGISTRY[name]

    @given(records=metric.records, variant=VARIANT, rnd=st.randoms(use_true_random=False))
    @pinned(metric, variant=0, rnd=random.Random(0))
    def check(records, variant, rnd):
        shuffled = list(records)
        rnd.shuffle(shuffled)
        options = metric.options(variant)
        assert_same_result(run(metric, shuffled, **options), run(metric, records, **options))
        assert_same_result(
            run(metric, metric.table(shuffled), by=metric.by, **options),
            run(metric, metric.table(records), by=metric.by, **options),
        )

    check()


# -- merge --------------------------------------------------------------------------------------


def split(metric: Metric, records: list[Any], assign: list[int]) -> list[list[Any]]:
    """Three disjoint parts: contacts by customer (all contacts of one customer
    must meet), survey answers one by one."""
    parts: list[list[Any]] = [[], [], []]
    if metric.is_contacts:
        customers = sorted({r.customer_id for r in records}, key=repr)
        part_of = {c: assign[i % len(assign)] for i, c in enumerate(customers)}
        for record in records:
            parts[part_of[record.customer_id]].append(record)
        # Issue ids belong to one customer, so every issue lies in one part.
        issues = [{r.issue_id for r in part} - {None} for part in parts]
        assert sum(map(len, issues)) == len(set().union(*issues))
    else:
        for i, record in enumerate(records):
            parts[assign[i % len(assign)]].append(record)
    return parts


@pytest.mark.parametrize("name", MERGEABLE)
def test_merged_parts_equal_the_whole(name):
    metric = REGISTRY[name]

    @given(records=metric.records, variant=VARIANT, assign=ASSIGN, as_of=AS_OF)
    @pinned(metric, variant=0, assign=[0], as_of=LATE)
    def check(records, variant, assign, as_of):
        options = with_as_of(metric, metric.options(variant), as_of)
        a, b, c = (run(metric, part, **options) for part in split(metric, records, assign))
        whole = run(metric, records, **options)
        assert_same_result(a.merge(b).merge(c), whole)
        # Commutative and associative.
        assert_same_result(a.merge(b), b.merge(a))
        assert_same_result(a.merge(b.merge(c)), a.merge(b).merge(c))
        assert_same_result(c.merge(a).merge(b), whole)

    check()


@pytest.mark.parametrize("name", GROUPED)
def test_merged_breakdowns_of_parts_equal_the_whole(name):
    metric = REGISTRY[name]

    @given(records=metric.records, variant=VARIANT, assign=ASSIGN, as_of=AS_OF)
    @pinned(metric, variant=0, assign=[0], as_of=LATE)
    def check(records, variant, assign, as_of):
        options = with_as_of(metric, metric.options(variant), as_of)
        a, b, c = (
            run(metric, metric.table(part), by=metric.by, **options)
            for part in split(metric, records, assign)
        )
        whole = run(metric, metric.table(records), by=metric.by, **options)
        assert_same_result(a.merge(b).merge(c), whole)
        assert_same_result(b.merge(a), a.merge(b))

    check()


@pytest.mark.parametrize("name", GROUPED)
def test_breakdown_groups_are_bounded_ordered_and_merge_to_the_overall(name):
    metric = REGISTRY[name]

    @given(records=metric.records, variant=VARIANT, as_of=AS_OF)
    @pinned(metric, variant=0, as_of=LATE)
    def check(records, variant, as_of):
        options = with_as_of(metric, metric.options(variant), as_of)
        table = metric.table(records)
        breakdown = run(metric, table, by=metric.by, **options)
        assert breakdown.by == metric.by
        assert_same_result(breakdown.overall, run(metric, table, **options))
        check_bounds(metric, breakdown.overall, records)
        for result in breakdown.values():
            check_bounds(metric, result, records)
            # A group exists only where there is at least one unit to count.
            assert sum(v for v in result.counts().values() if isinstance(v, int)) > 0
        keys = list(breakdown)
        present = [k for k in keys if k is not None]
        # Ordered by key, the missing key (None) last.
        assert present == sorted(present)
        assert None not in keys or keys[-1] is None
        results = list(breakdown.values())
        if not results:
            assert not breakdown.overall.is_defined
            return
        merged = results[0]
        for result in results[1:]:
            merged = merged.merge(result)
        assert_same_result(merged, breakdown.overall)
        rows = breakdown.to_rows()
        for row, key, result in zip(rows, keys, results, strict=True):
            assert list(row) == [metric.by, "value", *result.counts(), "reliable"]
            assert row["reliable"] == result.is_reliable()
            assert row[metric.by] == key
            assert row["value"] == pytest.approx(result.value, nan_ok=True)
            counts = {k: row[k] for k in result.counts()}
            assert counts == pytest.approx(result.counts(), nan_ok=True)

    check()


@pytest.mark.parametrize("name", MERGEABLE)
def test_results_of_adjacent_periods_merge_to_the_whole(name):
    metric = REGISTRY[name]

    @given(records=metric.records, variant=VARIANT, as_of=AS_OF, cut=aware_datetimes())
    @pinned(metric, variant=0, as_of=LATE, cut=BASE + timedelta(days=3))
    def check(records, variant, as_of, cut):
        table = metric.table(records)
        options = with_as_of(metric, metric.options(variant), as_of)
        before = Window(start=FAR_PAST, end=cut)
        after = Window(start=cut, end=FAR_FUTURE)
        first = run(metric, table, period=before, **options)
        second = run(metric, table, period=after, **options)
        assert first.period == before
        assert second.period == after
        assert_same_result(first.merge(second), run(metric, table, **options))

    check()


@pytest.mark.parametrize("name", SURVEY_METRICS)
def test_survey_period_keeps_answers_given_in_the_window(name):
    metric = REGISTRY[name]

    @given(records=metric.records, variant=VARIANT, start=aware_datetimes(), days=st.integers(0, 9))
    def check(records, variant, start, days):
        window = Window(start=start, end=start + timedelta(days=days, minutes=1))
        options = metric.options(variant)
        inside = [s for s in records if window.start <= s.at < window.end]
        filtered = run(metric, metric.table(records), period=window, **options)
        assert filtered.period == window
        assert_same_result(filtered, run(metric, inside, **options), check_period=False)

    check()


MISMATCHED = [
    pytest.param("fcr", {"window_days": 7}, {"window_days": 5}, id="fcr-window_days"),
    pytest.param("fcr", {"match": "issue"}, {"match": "customer"}, id="fcr-match"),
    pytest.param(
        "fcr",
        {"as_of": BASE + timedelta(days=30)},
        {"as_of": BASE + timedelta(days=31)},
        id="fcr-as_of",
    ),
    pytest.param("csat", {"scale": (1, 5)}, {"scale": (1, 10)}, id="csat-scale"),
    pytest.param("csat", {"satisfied_from": 4}, {"satisfied_from": 5}, id="csat-satisfied_from"),
    pytest.param("ces", {"scale": (1, 7)}, {"scale": (1, 5)}, id="ces-scale"),
    pytest.param(
        "ces", {"higher_is_easier": True}, {"higher_is_easier": False}, id="ces-higher_is_easier"
    ),
]


def sample_data(name: str) -> list[Any]:
    if REGISTRY[name].is_contacts:
        start = BASE
        return [
            csmetrics.Interaction(
                id="1",
                customer_id="ann",
                start=start,
                end=start + timedelta(hours=1),
                resolved=True,
            )
        ]
    return {"csat": [5, 4, 2], "ces": [5, 3], "nps": [10, 3], "survey_fcr": [True]}[name]


def _mismatched(name: str, key: str, left: Any, right: Any) -> Any:
    """Two option sets of a time or queue metric, the variant-0 options otherwise."""
    base = REGISTRY[name].options(0)
    return pytest.param(name, {**base, key: left}, {**base, key: right}, id=f"{name}-{key}")


MISMATCHED += [
    *(
        _mismatched(name, "as_of", LATE, LATE + timedelta(days=1))
        # blocked_rate records no as_of: it only picks the contacts, like a period.
        for name in SERVICE_METRICS
        if name not in ("sla_attainment", "blocked_rate")
    ),
    *(_mismatched(name, "censoring", "kaplan-meier", "exclude") for name in TIME_METRICS),
    *(
        _mismatched(name, "calendar", None, OFFICE)
        for name in [*TIME_METRICS, "asa", "handle_time", "service_level", "abandonment_rate"]
    ),
    _mismatched("resolution_time", "kind", "full", "first"),
    _mismatched("service_level", "threshold", 20, 21),
    _mismatched("service_level", "formula", "offered", "answered"),
    _mismatched("abandonment_rate", "short_abandon", None, 5),
    _mismatched("sla_attainment", "policy", SLA_CALENDAR_TIME, SLA_BUSINESS_TIME),
    _mismatched("sla_attainment", "as_of", LATE, LATE + timedelta(days=1)),
]


@pytest.mark.parametrize(("name", "left", "right"), MISMATCHED)
def test_merge_refuses_results_with_different_parameters(name, left, right):
    metric = REGISTRY[name]
    a = run(metric, sample_data(name), **left)
    b = run(metric, sample_data(name), **right)
    with pytest.raises(ValueError, match="different parameters"):
        a.merge(b)
    with pytest.raises(ValueError, match="different parameters"):
        b.merge(a)


def test_merge_refuses_rates_of_different_metrics():
    contacts = sample_data("resolution_rate")
    resolution = csmetrics.resolution_rate(contacts)
    blocked = csmetrics.blocked_rate(contacts, as_of=LATE)
    with pytest.raises(ValueError, match="different parameters"):
        resolution.merge(blocked)


def test_merge_refuses_results_of_different_types():
    with pytest.raises(ValueError, match="cannot merge NPS with CSAT"):
        csmetrics.nps([9, 3]).merge(csmetrics.csat([5]))


# -- monotonicity -------------------------------------------------------------------------------


def later(moment: datetime, minutes: int) -> datetime:
    return moment + timedelta(minutes=minutes)


@st.composite
def fcr_with_a_repeat(draw: st.DrawFn) -> tuple[list[Any], list[Any], dict[str, Any]]:
    """Contacts, the same plus one repeat contact, and the options.

    The repeat has the customer, category and issue id of an earlier ended
    contact and starts within the window after that contact's end. Issue ids
    here keep one category: a ticket whose category changes splits into
    separate issues by design, and a contact can then open a new one.
    """
    match = draw(st.sampled_from(["issue", "category", "customer"]))
    tickets = "per_category" if match == "issue" else "reused"
    window_days = draw(st.sampled_from([7, 1, 2.5]))
    contacts = draw(interactions(min_size=1, tickets=tickets, window_days=window_days))
    ended = [c for c in contacts if c.end is not None]
    if not ended:
        ended = [contacts[0]]
    earlier = draw(st.sampled_from(ended))
    anchor = earlier.end or earlier.start
    window = round(window_days * 24 * 60)
    start = later(
        anchor, draw(st.sampled_from([0, 1, window - 1, window]) | st.integers(0, window))
    )
    end = draw(st.none() | st.integers(0, 3000).map(lambda m: later(start, m)))
    repeat = csmetrics.Interaction(
        id="repeat" if isinstance(earlier.id, str) else 10_000,
        customer_id=earlier.customer_id,
        start=start,
        end=end,
        resolved=end is not None and draw(st.booleans()),
        issue_id=earlier.issue_id,
        category=earlier.category,
        agent_id=earlier.agent_id,
    )
    as_of = draw(aware_datetimes(days=40))
    options = {"match": match, "window_days": window_days, "as_of": as_of}
    return contacts, [*contacts, repeat], options


@st.composite
def resolution_with_a_resolved_request(
    draw: st.DrawFn,
) -> tuple[list[Any], list[Any], dict[str, Any]]:
    """Contacts, and the same plus a resolved contact that is the latest of its
    request (a new request, or the latest contact of an existing ticket)."""
    contacts = draw(interactions(key_type="str"))
    tickets = sorted({c.issue_id for c in contacts if c.issue_id is not None})
    issue = draw(st.sampled_from([None, *tickets]))
    same = [c for c in contacts if c.issue_id == issue and issue is not None]
    start = (
        later(max(c.start for c in same), draw(st.integers(1, 600)))
        if same
        else draw(aware_datetimes())
    )
    extra = csmetrics.Interaction(
        id="extra",
        customer_id=same[0].customer_id if same else "cust0",
        start=start,
        end=later(start, draw(st.integers(0, 600))),
        resolved=True,
        issue_id=issue,
    )
    return contacts, [*contacts, extra], {}


def one_more_answer(kind: str, score: Any) -> st.SearchStrategy[Any]:
    @st.composite
    def build(draw: st.DrawFn) -> tuple[list[Any], list[Any], dict[str, Any]]:
        answers = draw(surveys(key_type="str"))
        extra = csmetrics.Survey(
            id="extra", kind=kind, score=draw(score), at=draw(aware_datetimes())
        )
        position = draw(st.integers(0, len(answers)))
        return answers, [*answers[:position], extra, *answers[position:]], {}

    return build()


def _threshold_seconds(threshold: Any, channel: str | None) -> int:
    if isinstance(threshold, dict):
        threshold = threshold[channel]
    if isinstance(threshold, timedelta):
        threshold = threshold.total_seconds()
    return int(threshold)


def _answered_within(draw: st.DrawFn, options: dict[str, Any], key_type: str) -> dict[str, Any]:
    """A contact answered within the threshold of its channel (waits include 0
    and the threshold itself)."""
    channel = draw(st.sampled_from(["phone", "chat", "email", None]))
    limit = _threshold_seconds(options["threshold"], channel)
    wait = draw(st.sampled_from([0, limit]) | st.integers(0, limit))
    end = draw(st.none() | st.integers(0, 3600).map(lambda s: wait + s))
    return {"channel": channel, "first_response_at": wait, "end": end}


def _answered(draw: st.DrawFn, options: dict[str, Any], key_type: str) -> dict[str, Any]:
    """A contact answered after any wait."""
    wait = draw(st.sampled_from([0, 5, 20]) | st.integers(0, 3 * 86400))
    return {"first_response_at": wait}


def _blocked(draw: st.DrawFn, options: dict[str, Any], key_type: str) -> dict[str, Any]:
    return {"blocked": True, "end": draw(st.none() | st.just(0))}


def _every_target_met(draw: st.DrawFn, options: dict[str, Any], key_type: str) -> dict[str, Any]:
    """A contact answered at once and resolved at once, as its own issue, with no
    messages: every target its rule sets is met. Not priority P3: that rule sets
    only a next-reply target, which a contact without messages never gets."""
    key = (lambda n: f"P{n}") if key_type == "str" else (lambda n: n)
    tier = (lambda n: f"tier{n}") if key_type == "str" else (lambda n: n)
    return {
        "first_response_at": 0,
        "end": 0,
        "resolved": True,
        "priority": draw(st.sampled_from([None, key(1), key(2)])),
        "tier": draw(st.sampled_from([None, tier(1), tier(2)])),
    }


def one_more_contact(name: str, step: Any) -> st.SearchStrategy[Any]:
    """Contacts, the same plus the contact ``step`` describes (starting by
    ``as_of``, so it counts), and the options of a drawn variant. ``step``
    gives fields, times as seconds after the new contact's start."""

    @st.composite
    def build(draw: st.DrawFn) -> tuple[list[Any], list[Any], dict[str, Any]]:
        options = REGISTRY[name].options(draw(VARIANT))
        key_type = draw(st.sampled_from(["str", "int"]))
        contacts = draw(interactions(service=True, key_type=key_type))
        start = min(draw(aware_datetimes()), options["as_of"])
        fields = step(draw, options, key_type)
        for moment in ("first_response_at", "end"):
            if fields.get(moment) is not None:
                fields[moment] = _seconds_after(start, fields[moment])
        extra = csmetrics.Interaction(
            id="extra" if key_type == "str" else 10_000,
            customer_id="extra" if key_type == "str" else 10_000,
            start=start,
            **fields,
        )
        position = draw(st.integers(0, len(contacts)))
        return contacts, [*contacts[:position], extra, *contacts[position:]], options

    return build()


ONE_MORE_SUCCESS: dict[str, st.SearchStrategy[Any]] = {
    "service_level": one_more_contact("service_level", _answered_within),
    "abandonment_rate": one_more_contact("abandonment_rate", _answered),
    "blocked_rate": one_more_contact("blocked_rate", _blocked),
    "sla_attainment": one_more_contact("sla_attainment", _every_target_met),
    "fcr": fcr_with_a_repeat(),
    "resolution_rate": resolution_with_a_resolved_request(),
    "nps": one_more_answer("nps", st.sampled_from([9, 10])),
    "csat": one_more_answer("csat", st.sampled_from([4, 5])),
    "ces": one_more_answer("ces", st.just(7)),
    "survey_fcr": one_more_answer("fcr", st.just(True)),
}


# Pinned steps: a success followed by a repeat exactly at the window's end, and
# one success added to no data.
_SOLVED = _contact("solved", BASE, 60, category="billing")
MONOTONE_PINNED: dict[str, tuple[list[Any], list[Any], dict[str, Any]]] = {
    "fcr": (
        [_SOLVED],
        [_SOLVED, _contact("again", BASE + timedelta(days=7, minutes=60), 5, category="billing")],
        {"as_of": LATE},
    ),
    "resolution_rate": ([], [_SOLVED], {}),
    "nps": ([], _answers("nps", 9), {}),
    "csat": ([], _answers("csat", 4), {}),
    "ces": ([], _answers("ces", 7), {}),
    "survey_fcr": ([], _answers("fcr", True), {}),
    # Answered exactly at the threshold, after an abandon at the same wait.
    "service_level": (
        [queued("ab20", 20, abandoned=True)],
        [queued("ab20", 20, abandoned=True), queued("at20", 20, customer_id="bob")],
        {"threshold": 20, "formula": "abandoned_within_excluded", "as_of": LATE},
    ),
    "abandonment_rate": (
        [queued("ab5", 5, abandoned=True)],
        [queued("ab5", 5, abandoned=True), queued("slow", 7200)],
        {"short_abandon": 5, "as_of": LATE},
    ),
    "blocked_rate": (
        [],
        [csmetrics.Interaction(id="busy", customer_id="ann", start=BASE, blocked=True)],
        {"as_of": LATE},
    ),
    # A first response two hours late, then one answered and resolved at once.
    "sla_attainment": (
        [queued("late", 7200)],
        [queued("late", 7200), queued("fast", 0, customer_id="bob", resolved=True)],
        {"policy": SLA_CALENDAR_TIME, "as_of": LATE},
    ),
}

STEP_LOWERS = {"abandonment_rate"}
"""Metrics whose tested step (one more answered contact) can only lower the
value: lower abandonment is better."""


def test_every_monotone_metric_has_a_step():
    assert set(ONE_MORE_SUCCESS) == set(MONOTONE)
    assert set(MONOTONE_PINNED) == set(MONOTONE)


@pytest.mark.parametrize("name", MONOTONE)
def test_one_more_success_never_lowers_the_value(name):
    metric = REGISTRY[name]

    @budget(metric)
    @given(case=ONE_MORE_SUCCESS[name])
    @example(case=MONOTONE_PINNED[name])
    def check(case):
        before_records, after_records, options = case
        before = run(metric, before_records, **options)
        after = run(metric, after_records, **options)
        if name == "fcr":
            # A repeat never adds a success, and never adds an episode.
            assert after.numerator <= before.numerator
            assert after.denominator + after.pending <= before.denominator + before.pending
            return
        assert after.is_defined
        if name == "service_level":
            assert after.numerator == before.numerator + 1
        if before.is_defined and name in STEP_LOWERS:
            assert float(after) <= float(before)
        elif before.is_defined:
            assert float(after) >= float(before)

    check()


# -- object and columnar paths ------------------------------------------------------------------


TOKYO = timezone(timedelta(hours=9))


def in_zone(metric: Metric, records: list[Any], zone: timezone) -> list[Any]:
    if metric.is_contacts:
        return [
            attrs.evolve(
                r,
                start=r.start.astimezone(zone),
                end=r.end and r.end.astimezone(zone),
                first_response_at=r.first_response_at and r.first_response_at.astimezone(zone),
                messages=[attrs.evolve(m, at=m.at.astimezone(zone)) for m in r.messages],
            )
            for r in records
        ]
    return [attrs.evolve(r, at=r.at.astimezone(zone)) for r in records]


@pytest.mark.parametrize("name", OBJECT_COLUMNAR_AGREE)
def test_object_and_columnar_paths_agree(name):
    metric = REGISTRY[name]

    @given(records=metric.records, variant=VARIANT, numpy_layout=st.booleans())
    @pinned(metric, variant=0, numpy_layout=True)
    def check(records, variant, numpy_layout):
        options = metric.options(variant)
        if metric.is_contacts:
            times = "datetime64" if numpy_layout else "aware"
            columns = Interactions.from_columns(
                interaction_columns(records, times=times, service=True),
                messages=message_columns(records, times=times),
            )
        else:
            scores_as = "float" if numpy_layout else "object"
            columns = Surveys.from_columns(survey_columns(records, scores_as=scores_as))
        from_objects = run(metric, records, **options)
        assert_same_result(run(metric, metric.table(records), **options), from_objects)
        # The same instants written in another time zone.
        assert_same_result(run(metric, in_zone(metric, records, TOKYO), **options), from_objects)
        assert_same_result(run(metric, columns, **options), from_objects)
        if metric.is_contacts:
            # The table's records are the same contacts (in UTC).
            back = metric.table(records).to_records()
            assert back == records
            assert_same_result(run(metric, back, **options), from_objects)
        if metric.by is None:
            return
        by_table = run(metric, metric.table(records), by=metric.by, **options)
        assert_same_result(run(metric, columns, by=metric.by, **options), by_table)
        if records:
            assert_same_result(run(metric, records, by=metric.by, **options), by_table)

    check()


@pytest.mark.parametrize("name", SURVEY_METRICS)
def test_plain_scores_agree_with_survey_records(name):
    metric = REGISTRY[name]

    @given(values=scores(kind=metric.source), variant=VARIANT)
    @example(values=[], variant=0)
    def check(values, variant):
        records = [
            csmetrics.Survey(id=i, kind=metric.source, score=v, at=BASE)
            for i, v in enumerate(values)
        ]
        options = metric.options(variant)
        assert_same_result(run(metric, values, **options), run(metric, records, **options))

    check()


# -- undefined ----------------------------------------------------------------------------------


@pytest.mark.parametrize("name", list(REGISTRY))
def test_empty_input_is_nan_with_undefined_warning(name):
    metric = REGISTRY[name]
    for variant in range(len(metric.variants)):
        with pytest.warns(csmetrics.UndefinedMetricWarning, match="undefined"):
            result = metric.call([], **metric.options(variant))
        assert math.isnan(float(result))
        assert all(v == 0 for v in result.counts().values() if not isinstance(v, float))


@pytest.mark.parametrize("name", [name for name in REGISTRY if REGISTRY[name].by is not None])
def test_empty_table_by_group_is_an_empty_breakdown(name):
    metric = REGISTRY[name]
    with pytest.warns(csmetrics.UndefinedMetricWarning):
        result = metric.call(metric.table([]), by=metric.by, **metric.options(0))
    assert isinstance(result, csmetrics.Breakdown)
    assert len(result) == 0
    assert result.to_rows() == []
    assert math.isnan(float(result.overall))
