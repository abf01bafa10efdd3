"""Tests for the business metrics: sales after contact, retention, uptime, occupancy.

Hand-computed cases, one per rule or edge case, then declared invariants
checked with Hypothesis: bounds, agreement with a brute-force reference,
object and columnar paths agreeing, and parts merging into the whole.
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

import csmetrics
from csmetrics import (
    AgentTime,
    AgentTimes,
    Interaction,
    Interactions,
    InvalidDataError,
    Outage,
    Sale,
    Sales,
    Window,
)
from csmetrics.metrics.business import (
    CohortRetention,
    Occupancy,
    Uptime,
    churn_rate,
    cohort_retention,
    occupancy,
    retention_rate,
    sales_after_contact,
    uptime,
)

BASE = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)
LATE = BASE + timedelta(days=365)


def at(day: float, hour: float = 0) -> datetime:
    """Day ``day`` after BASE (09:00 UTC on day 0), plus ``hour`` hours."""
    return BASE + timedelta(days=day, hours=hour)


def contact(
    id: str, day: float, *, hours: float | None = 1, customer: str = "ann", agent: str = "x"
) -> Interaction:
    """A contact starting on ``day`` lasting ``hours`` (None: still open)."""
    start = at(day)
    end = None if hours is None else start + timedelta(hours=hours)
    return Interaction(id=id, customer_id=customer, start=start, end=end, agent_id=agent)


def sale(id: str, when: datetime, amount: float = 100.0, customer: str = "ann") -> Sale:
    return Sale(id=id, customer_id=customer, at=when, amount=amount)


def quiet(func: Any, *args: Any, **kwargs: Any) -> Any:
    """Call a metric, ignoring UndefinedMetricWarning (for property tests)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", csmetrics.UndefinedMetricWarning)
        return func(*args, **kwargs)


# -- sales after contact: hand-computed -----------------------------------------------------------


def test_sale_is_attributed_to_the_latest_contact():
    contacts = [contact("1", 0, agent="x"), contact("2", 2, agent="y")]
    r = sales_after_contact(contacts, [sale("s", at(3))], as_of=LATE, by="agent_id")
    assert (r["x"].numerator, r["x"].denominator, r["x"].sales) == (0, 1, 0)
    assert (r["y"].numerator, r["y"].denominator, r["y"].sales) == (1, 1, 1)
    assert r["y"].revenue == 100.0
    assert (r.overall.numerator, r.overall.denominator, r.overall.sales) == (1, 2, 1)


def test_sales_of_many_customers_keep_their_own_contacts():
    # Customer codes times (contacts + sales) pass 2**31: the keys are int64.
    n = 40_000
    start = np.datetime64("2026-03-02T09:00", "us") + np.arange(n) * np.timedelta64(1, "s")
    contacts = Interactions.from_columns(
        {"id": np.arange(n), "customer_id": np.arange(n), "start": start, "end": start}
    )
    sales = Sales.from_columns(
        {
            "id": np.arange(n),
            "customer_id": np.arange(n),
            "at": start + np.timedelta64(1, "h"),
            "amount": np.ones(n),
        }
    )
    r = sales_after_contact(contacts, sales, as_of=LATE)
    assert contacts.customer_id.codes.dtype == np.int32
    # Each customer's one sale comes an hour after their one contact.
    assert (r.numerator, r.denominator, r.sales) == (n, n, n)


def test_sale_before_any_contact_is_not_counted():
    r = sales_after_contact([contact("1", 5)], [sale("s", at(4))], as_of=LATE)
    assert (r.numerator, r.denominator, r.sales, r.revenue) == (0, 1, 0, 0.0)


def test_sale_of_another_customer_is_not_counted():
    r = sales_after_contact([contact("1", 0)], [sale("s", at(1), customer="bob")], as_of=LATE)
    assert (r.numerator, r.sales) == (0, 0)


def test_sale_during_the_contact_counts():
    r = sales_after_contact(
        [contact("1", 0, hours=2)], [sale("s", at(0, 1))], window_days=0, as_of=LATE
    )
    assert (r.numerator, r.denominator, r.sales) == (1, 1, 1)


def test_sale_at_the_contact_start_belongs_to_it():
    contacts = [contact("1", 0, agent="x"), contact("2", 3, agent="y")]
    r = sales_after_contact(contacts, [sale("s", at(3))], as_of=LATE, by="agent_id")
    assert r["y"].sales == 1
    assert r["x"].sales == 0


def test_sale_exactly_at_window_end_counts_and_one_microsecond_later_does_not():
    end = at(0, 1)
    edge = end + timedelta(days=7)
    inside = sales_after_contact([contact("1", 0)], [sale("s", edge)], as_of=LATE)
    outside = sales_after_contact(
        [contact("1", 0)], [sale("s", edge + timedelta(microseconds=1))], as_of=LATE
    )
    assert inside.numerator == 1
    assert outside.numerator == 0


def test_open_contact_window_runs_from_its_start():
    contacts = [contact("1", 0, hours=None)]
    inside = sales_after_contact(contacts, [sale("s", at(7))], as_of=LATE)
    outside = sales_after_contact(contacts, [sale("s", at(7, 1))], as_of=LATE)
    assert inside.numerator == 1
    assert outside.numerator == 0


def test_passed_window_of_the_latest_contact_is_not_rescued_by_an_earlier_one():
    # Ticket 1 stays open 20 days; call 2 on day 1 is the latest contact before
    # the day-15 sale and its window closed on day 8: last touch wins.
    contacts = [contact("1", 0, hours=20 * 24), contact("2", 1)]
    r = sales_after_contact(contacts, [sale("s", at(15))], as_of=LATE)
    assert (r.numerator, r.sales) == (0, 0)


def test_equal_starts_go_to_the_last_id():
    contacts = [contact("a", 0, agent="x"), contact("b", 0, agent="y")]
    r = sales_after_contact(contacts, [sale("s", at(1))], as_of=LATE, by="agent_id")
    assert (r["x"].sales, r["y"].sales) == (0, 1)


def test_several_sales_convert_a_contact_once_and_all_count_in_sales_and_revenue():
    sales = [sale("s1", at(1), 10), sale("s2", at(2), 20.5), sale("s3", at(3), 30)]
    r = sales_after_contact([contact("1", 0), contact("2", 0, customer="bob")], sales, as_of=LATE)
    assert (r.numerator, r.denominator, r.sales, r.revenue) == (1, 2, 3, 60.5)
    assert r.revenue_per_contact == 30.25


def test_refunds_and_zero_amounts_are_not_sales():
    sales = [sale("r", at(1), -50.0), sale("z", at(2), 0.0)]
    r = sales_after_contact([contact("1", 0)], sales, as_of=LATE)
    assert (r.numerator, r.sales, r.revenue) == (0, 0, 0.0)


def test_contact_whose_window_is_open_at_as_of_is_pending_even_with_a_sale():
    contacts = [contact("1", 0), contact("2", 5, customer="bob")]
    sales = [sale("s1", at(1)), sale("s2", at(6), customer="bob")]
    r = sales_after_contact(contacts, sales, as_of=at(9))
    assert (r.numerator, r.denominator, r.pending, r.sales) == (1, 1, 1, 1)


def test_default_as_of_is_the_latest_contact_start_or_sale():
    contacts = [contact("1", 0), contact("2", 20, customer="bob")]
    r = sales_after_contact(contacts, [sale("s", at(25), customer="zed")])
    assert r.as_of == at(25)
    assert (r.denominator, r.pending) == (1, 1)


def test_contacts_and_sales_after_as_of_are_ignored():
    contacts = [contact("1", 0), contact("2", 20)]
    r = sales_after_contact(contacts, [sale("s", at(8))], as_of=at(7, 2))
    assert (r.numerator, r.denominator, r.pending) == (0, 1, 0)


def test_period_selects_contacts_and_their_sales_after_the_period_count():
    contacts = [contact("1", 0), contact("2", 10, customer="bob")]
    first_week = Window(start=at(0), end=at(7))
    r = sales_after_contact(contacts, [sale("s", at(7, 0.5))], as_of=LATE, period=first_week)
    assert (r.numerator, r.denominator, r.sales) == (1, 1, 1)
    assert r.period == first_week


def test_by_agent_gives_the_agent_sales_rate():
    contacts = [
        contact("1", 0, customer="a", agent="x"),
        contact("2", 0, customer="b", agent="x"),
        contact("3", 0, customer="c", agent="y"),
    ]
    sales = [sale("s1", at(1), 10, customer="a"), sale("s2", at(1), 5, customer="c")]
    r = sales_after_contact(contacts, sales, as_of=LATE, by="agent_id")
    assert r.to_rows() == [
        {
            "agent_id": "x",
            "value": 0.5,
            "numerator": 1,
            "denominator": 2,
            "pending": 0,
            "sales": 1,
            "revenue": 10.0,
            "reliable": False,
        },
        {
            "agent_id": "y",
            "value": 1.0,
            "numerator": 1,
            "denominator": 1,
            "pending": 0,
            "sales": 1,
            "revenue": 5.0,
            "reliable": False,
        },
    ]


def test_sales_after_contact_from_tables_equals_from_records():
    contacts = [contact("1", 0), contact("2", 2, customer="bob", hours=None)]
    sales = [sale("s1", at(1), 12.5), sale("s2", at(3), 7, customer="bob")]
    table = Sales.from_columns(
        {
            "id": ["s1", "s2"],
            "customer_id": ["ann", "bob"],
            "at": [at(1), at(3)],
            "amount": np.array([12.5, 7.0]),
        }
    )
    objects = sales_after_contact(contacts, sales, as_of=LATE)
    columns = sales_after_contact(Interactions.from_records(contacts), table, as_of=LATE)
    assert objects == columns
    assert (objects.numerator, objects.sales, objects.revenue) == (2, 2, 19.5)


def test_customer_keys_of_different_types_are_an_error():
    c = Interaction(id="1", customer_id=7, start=at(0), end=at(0, 1))
    with pytest.raises(InvalidDataError, match="customer_id keys are int in the contacts but str"):
        sales_after_contact([c], [sale("s", at(1), customer="7")], as_of=LATE)


@pytest.mark.parametrize("days", [-1, math.nan, math.inf, "7", True])
def test_window_days_must_be_a_finite_number_at_least_zero(days: Any):
    with pytest.raises(ValueError, match="window_days="):
        sales_after_contact([], [], window_days=days)


def test_sales_by_must_be_a_contact_field():
    with pytest.raises(ValueError, match="by='region' is not allowed"):
        sales_after_contact([], [], by="region")  # type: ignore[arg-type]


def test_sales_after_contact_without_contacts_is_undefined():
    with pytest.warns(csmetrics.UndefinedMetricWarning, match="sales_after_contact"):
        r = sales_after_contact([], [sale("s", at(0))])
    assert math.isnan(r.value)
    assert (r.denominator, r.sales, r.revenue) == (0, 0, 0.0)


def test_sales_after_contact_results_with_different_windows_do_not_merge():
    a = sales_after_contact([contact("1", 0)], [], as_of=LATE, window_days=7)
    b = sales_after_contact([contact("1", 0)], [], as_of=LATE, window_days=14)
    with pytest.raises(ValueError, match="different parameters"):
        a.merge(b)


# -- retention: hand-computed --------------------------------------------------------------------


def test_retention_rate_reference_example():
    # CRR = (E - N) / S = (210 - 40) / 200 = 0.85, the textbook example.
    r = retention_rate(start=200, end=210, new=40)
    assert (r.numerator, r.denominator, r.metric) == (170, 200, "retention_rate")
    assert r.value == pytest.approx(0.85, abs=1e-15)


def test_churn_rate_is_one_minus_retention_on_the_same_counts():
    r = churn_rate(start=200, end=210, new=40)
    assert (r.numerator, r.denominator, r.metric) == (30, 200, "churn_rate")
    assert r.value == pytest.approx(0.15, abs=1e-15)


@pytest.mark.parametrize("func", [retention_rate, churn_rate])
@pytest.mark.parametrize(
    ("counts", "message"),
    [
        ({"start": 200, "end": 30, "new": 40}, "new=40 is not allowed with end=30"),
        ({"start": 100, "end": 210, "new": 40}, "end=210 is not allowed with start=100"),
        ({"start": -1, "end": 0, "new": 0}, "start=-1 is not allowed"),
        ({"start": 10, "end": -2, "new": 0}, "end=-2 is not allowed"),
        ({"start": 10, "end": 5, "new": -3}, "new=-3 is not allowed"),
        ({"start": 200.0, "end": 210, "new": 40}, "start=200.0 is not allowed"),
        ({"start": 200, "end": 210.5, "new": 40}, "end=210.5 is not allowed"),
        ({"start": 200, "end": 210, "new": True}, "new=True is not allowed"),
    ],
)
def test_invalid_customer_counts_name_the_value(func: Any, counts: dict[str, Any], message: str):
    with pytest.raises(ValueError, match=message):
        func(**counts)


def test_numpy_integers_are_accepted():
    r = retention_rate(start=np.int64(200), end=np.int32(210), new=np.int64(40))
    assert (r.numerator, r.denominator) == (170, 200)


@pytest.mark.parametrize("func", [retention_rate, churn_rate])
def test_no_customer_at_the_start_is_undefined(func: Any):
    with pytest.warns(csmetrics.UndefinedMetricWarning, match="start=0"):
        r = func(start=0, end=5, new=5)
    assert math.isnan(r.value)
    assert (r.numerator, r.denominator) == (0, 0)


def test_everyone_kept_and_everyone_lost():
    assert retention_rate(start=50, end=50, new=0).value == 1.0
    assert churn_rate(start=50, end=10, new=10).value == 1.0


# -- cohort retention: hand-computed --------------------------------------------------------------

MARCH = Window(start=at(0), end=at(30))
APRIL = Window(start=at(30), end=at(60))


def test_cohort_retention_counts_customers_not_contacts():
    contacts = [
        contact("1", 1, customer="ann"),
        contact("2", 2, customer="ann"),
        contact("3", 3, customer="bob"),
        contact("4", 5, customer="cat"),
        contact("5", 31, customer="ann"),
        contact("6", 32, customer="ann"),
        contact("7", 33, customer="dan"),  # new in April: not in the cohort
    ]
    r = cohort_retention(contacts, baseline=MARCH, current=APRIL)
    assert isinstance(r, CohortRetention)
    assert (r.numerator, r.denominator) == (1, 3)
    assert (r.baseline, r.current) == (MARCH, APRIL)


def test_cohort_window_bounds_are_half_open():
    contacts = [contact("1", 0, customer="ann"), contact("2", 30, customer="ann")]
    r = cohort_retention(contacts, baseline=MARCH, current=APRIL)
    assert (r.numerator, r.denominator) == (1, 1)
    late = [contact("1", 0, customer="ann"), contact("2", 60, customer="ann")]
    assert cohort_retention(late, baseline=MARCH, current=APRIL).numerator == 0


def test_cohort_current_window_must_not_start_before_the_baseline_ends():
    early = Window(start=at(29), end=at(60))
    with pytest.raises(ValueError, match="current must start no earlier than baseline ends"):
        cohort_retention([], baseline=MARCH, current=early)


def test_cohort_windows_must_be_windows():
    with pytest.raises(TypeError, match="baseline=7 is not allowed"):
        cohort_retention([], baseline=7, current=APRIL)  # type: ignore[arg-type]


def test_cohort_without_customers_in_the_baseline_window_is_undefined():
    with pytest.warns(csmetrics.UndefinedMetricWarning, match="cohort_retention"):
        r = cohort_retention([contact("1", 40)], baseline=MARCH, current=APRIL)
    assert math.isnan(r.value)


def test_cohort_results_of_other_windows_do_not_merge():
    a = cohort_retention([contact("1", 1)], baseline=MARCH, current=APRIL)
    b = cohort_retention(
        [contact("1", 1)], baseline=MARCH, current=Window(start=at(30), end=at(90))
    )
    with pytest.raises(ValueError, match="different parameters"):
        a.merge(b)


# -- uptime: hand-computed ------------------------------------------------------------------------

WEEK = Window(start=at(0), end=at(7))


def outage(start: datetime, end: datetime | None, service: str | None = None) -> Outage:
    return Outage(start=start, end=end, service=service)


def test_no_outages_is_full_uptime():
    r = uptime([], period=WEEK)
    assert isinstance(r, Uptime)
    assert (r.value, r.downtime, r.incidents, r.ongoing) == (1.0, timedelta(0), 0, 0)
    assert r.mttr is None
    assert r.mtbf is None
    assert r.length == timedelta(days=7)


def test_one_outage():
    r = uptime([outage(at(1), at(1, 2))], period=WEEK)
    assert r.downtime == timedelta(hours=2)
    assert r.value == pytest.approx(1 - 2 / 168, abs=1e-15)
    assert r.mttr == timedelta(hours=2)
    assert r.mtbf == timedelta(hours=166)


def test_overlapping_outages_merge_into_one_incident():
    outages = [outage(at(1), at(1, 3)), outage(at(1, 1), at(1, 2)), outage(at(1, 2), at(1, 4))]
    r = uptime(outages, period=WEEK)
    assert (r.downtime, r.incidents) == (timedelta(hours=4), 1)


def test_touching_outages_are_one_incident():
    r = uptime([outage(at(1), at(1, 1)), outage(at(1, 1), at(1, 2))], period=WEEK)
    assert (r.downtime, r.incidents) == (timedelta(hours=2), 1)


def test_outages_are_clipped_to_the_period_and_outside_ones_ignored():
    outages = [
        outage(at(-1), at(0, 5)),  # 5 h inside
        outage(at(6, 22), at(8)),  # 2 h inside
        outage(at(-3), at(-2)),  # before
        outage(at(7), at(7, 1)),  # starts at the period end: outside
        outage(at(-1), at(0)),  # ends at the period start: outside
    ]
    r = uptime(outages, period=WEEK)
    assert (r.downtime, r.incidents, r.ongoing) == (timedelta(hours=7), 2, 1)
    assert r.mttr == timedelta(hours=3.5)


def test_ongoing_outage_runs_to_the_period_end():
    r = uptime([outage(at(6), None)], period=WEEK)
    assert (r.downtime, r.incidents, r.ongoing) == (timedelta(days=1), 1, 1)


def test_outage_over_the_whole_period_is_zero_uptime():
    r = uptime([outage(at(-10), None)], period=WEEK)
    assert (r.value, r.downtime, r.mtbf) == (0.0, timedelta(days=7), timedelta(0))


def test_zero_length_outage_is_not_an_incident():
    r = uptime([outage(at(1), at(1))], period=WEEK)
    assert (r.value, r.incidents) == (1.0, 0)


def test_service_counts_its_own_and_whole_product_outages():
    outages = [
        outage(at(1), at(1, 1), "api"),
        outage(at(2), at(2, 2), "web"),
        outage(at(3), at(3, 4)),  # everything down
    ]
    assert uptime(outages, period=WEEK, service="api").downtime == timedelta(hours=5)
    assert uptime(outages, period=WEEK, service="web").downtime == timedelta(hours=6)
    assert uptime(outages, period=WEEK).downtime == timedelta(hours=7)
    assert uptime(outages, period=WEEK, service="db").downtime == timedelta(hours=4)


def test_uptime_rejects_bad_input():
    with pytest.raises(TypeError, match="period=7 is not allowed"):
        uptime([], period=7)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="service=''"):
        uptime([], period=WEEK, service="")
    with pytest.raises(InvalidDataError, match=r"position 1.*expected an Outage"):
        uptime([outage(at(1), None), "down"], period=WEEK)  # type: ignore[list-item]


def test_uptime_of_consecutive_periods_merges_and_different_services_do_not():
    outages = [outage(at(1), at(1, 1)), outage(at(8), at(8, 3))]
    two_weeks = uptime(outages, period=Window(start=at(0), end=at(14)))
    merged = uptime(outages, period=WEEK).merge(
        uptime(outages, period=Window(start=at(7), end=at(14)))
    )
    assert merged == Uptime(
        length=two_weeks.length,
        downtime=two_weeks.downtime,
        incidents=two_weeks.incidents,
    )
    with pytest.raises(ValueError, match="different parameters"):
        uptime(outages, period=WEEK, service="api").merge(uptime(outages, period=WEEK))


def test_uptime_result_checks_its_counts():
    with pytest.raises(ValueError, match="exceeds length"):
        Uptime(length=timedelta(hours=1), downtime=timedelta(hours=2), incidents=1)
    with pytest.raises(ValueError, match="without an incident"):
        Uptime(length=timedelta(hours=1), downtime=timedelta(minutes=1), incidents=0)


# -- occupancy: hand-computed ---------------------------------------------------------------------

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)


def span(agent: str, state: str, start: float, minutes: float) -> AgentTime:
    """An interval of ``minutes`` starting ``start`` minutes after T0."""
    begin = T0 + timedelta(minutes=start)
    return AgentTime(
        agent_id=agent,
        start=begin,
        end=begin + timedelta(minutes=minutes),
        state=state,  # type: ignore[arg-type]
    )


SHIFT = [
    span("x", "handling", 0, 40),
    span("x", "wrap", 40, 5),
    span("x", "available", 45, 15),
    span("x", "break", 60, 15),
    span("y", "available", 0, 30),
    span("y", "handling", 30, 30),
]


def test_occupancy_is_busy_over_busy_plus_available_per_agent_by_default():
    r = occupancy(SHIFT, by="agent_id")
    assert isinstance(r, csmetrics.Breakdown)
    assert (r["x"].busy_seconds, r["x"].available_seconds, r["x"].break_seconds) == (
        2700.0,
        900.0,
        900.0,
    )
    assert float(r["x"]) == 0.75
    assert float(r["y"]) == 0.5
    assert r.overall.busy_seconds == 4500.0
    assert float(r.overall) == 4500 / 7200


def test_occupancy_logged_in_denominator_includes_breaks():
    r = occupancy(SHIFT, denominator="logged_in")
    assert isinstance(r, Occupancy)
    assert float(r) == 4500 / 8100
    assert r.denominator_seconds == 8100.0


def test_occupancy_clips_intervals_to_the_period():
    period = Window(start=T0 + timedelta(minutes=30), end=T0 + timedelta(minutes=65))
    r = occupancy(SHIFT, by="agent_id", period=period)
    # x: handling 10, wrap 5, available 15, break 5 min; y: handling 30 min.
    assert (r["x"].busy_seconds, r["x"].available_seconds, r["x"].break_seconds) == (
        900.0,
        900.0,
        300.0,
    )
    assert (r["y"].busy_seconds, r["y"].available_seconds) == (1800.0, 0.0)
    assert r["x"].period == period


def test_occupancy_leaves_out_agents_outside_the_period():
    period = Window(start=T0 + timedelta(minutes=60), end=T0 + timedelta(minutes=90))
    with pytest.warns(csmetrics.UndefinedMetricWarning, match="occupancy is undefined"):
        r = occupancy(SHIFT, by="agent_id", period=period)
    assert list(r) == ["x"]
    assert r["x"].break_seconds == 900.0


def test_agent_only_on_break_is_undefined_with_available_but_zero_when_logged_in():
    breaks = [span("z", "break", 0, 30)]
    with pytest.warns(csmetrics.UndefinedMetricWarning, match="occupancy is undefined"):
        r = occupancy(breaks)
    assert math.isnan(r.value)
    assert occupancy(breaks, denominator="logged_in").value == 0.0


def test_occupancy_of_no_time_is_undefined():
    with pytest.warns(csmetrics.UndefinedMetricWarning):
        r = occupancy([])
    assert math.isnan(r.value)


def test_overlapping_intervals_of_one_agent_are_an_error():
    spans = [span("x", "handling", 0, 30), span("x", "available", 20, 30)]
    with pytest.raises(InvalidDataError, match=r"agent 'x'.*overlaps an earlier interval"):
        occupancy(spans, by="agent_id")
    # Other agents, touching intervals and zero-length ones are fine.
    fine = [
        span("x", "handling", 0, 30),
        span("y", "handling", 0, 30),
        span("x", "wrap", 30, 5),
        span("x", "available", 10, 0),
    ]
    assert float(occupancy(fine)) == 1.0


def test_occupancy_options_are_checked():
    with pytest.raises(ValueError, match="denominator='staffed' is not allowed"):
        occupancy(SHIFT, by="agent_id", denominator="staffed")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="by='team' is not allowed"):
        occupancy(SHIFT, by="team")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="period=7 is not allowed"):
        occupancy(SHIFT, by="agent_id", period=7)  # type: ignore[arg-type]


def test_occupancy_results_with_other_denominators_do_not_merge():
    a = occupancy(SHIFT)
    b = occupancy(SHIFT, denominator="logged_in")
    with pytest.raises(ValueError, match="different parameters"):
        a.merge(b)


def test_occupancy_from_table_equals_from_records():
    table = AgentTimes.from_records(SHIFT)
    assert occupancy(table, by="agent_id") == occupancy(SHIFT, by="agent_id")


# -- invariants (Hypothesis) ----------------------------------------------------------------------

CUSTOMERS = ("a", "b", "c", "d")
AGENTS = ("x", "y", "z")
HOUR = timedelta(hours=1)


@st.composite
def contact_lists(draw: st.DrawFn, *, max_size: int = 12) -> list[Interaction]:
    """Contacts on an hour grid over about three weeks: ties and window edges are common."""
    n = draw(st.integers(0, max_size))
    out = []
    for i in range(n):
        start = BASE + draw(st.integers(0, 24 * 21)) * HOUR
        hours = draw(st.one_of(st.none(), st.sampled_from((0, 1, 3, 24, 24 * 10))))
        out.append(
            Interaction(
                id=f"c{i:02d}",
                customer_id=draw(st.sampled_from(CUSTOMERS)),
                start=start,
                end=None if hours is None else start + hours * HOUR,
                agent_id=draw(st.sampled_from(AGENTS)),
            )
        )
    return out


@st.composite
def sale_lists(draw: st.DrawFn, *, max_size: int = 12) -> list[Sale]:
    n = draw(st.integers(0, max_size))
    return [
        Sale(
            id=f"s{i:02d}",
            customer_id=draw(st.sampled_from((*CUSTOMERS, "nobody"))),
            at=BASE + draw(st.integers(-24, 24 * 30)) * HOUR,
            amount=draw(st.sampled_from((-10.0, 0.0, 0.5, 5.0, 20.5))),
        )
        for i in range(n)
    ]


def reference_sales(
    contacts: list[Interaction], sales: list[Sale], days: int, as_of: datetime
) -> tuple[dict[str, int], dict[str, float]]:
    """Brute force, one sale at a time: attributed sales and revenue per contact id."""
    window = timedelta(days=days)
    scope = [c for c in contacts if c.start <= as_of]
    count = {c.id: 0 for c in scope}
    revenue = {c.id: 0.0 for c in scope}
    for s in sales:
        if s.at > as_of or s.amount <= 0:
            continue
        before = [c for c in scope if c.customer_id == s.customer_id and c.start <= s.at]
        if not before:
            continue
        latest = max(before, key=lambda c: (c.start, c.id))
        anchor = latest.start if latest.end is None else latest.end
        if s.at <= anchor + window:
            count[latest.id] += 1
            revenue[latest.id] += s.amount
    return count, revenue


def window_end(c: Interaction, days: int) -> datetime:
    return (c.start if c.end is None else c.end) + timedelta(days=days)


AS_OF = BASE + timedelta(days=25)


@given(contacts=contact_lists(), sales=sale_lists(), days=st.sampled_from((0, 1, 7)))
@example(contacts=[], sales=[], days=7)
def test_sales_after_contact_matches_brute_force(
    contacts: list[Interaction], sales: list[Sale], days: int
) -> None:
    r = quiet(sales_after_contact, contacts, sales, window_days=days, as_of=AS_OF)
    count, revenue = reference_sales(contacts, sales, days, AS_OF)
    decided = [c for c in contacts if c.start <= AS_OF and window_end(c, days) <= AS_OF]
    assert r.denominator == len(decided)
    assert r.pending == len(count) - len(decided)
    assert r.numerator == sum(count[c.id] > 0 for c in decided)
    assert r.sales == sum(count[c.id] for c in decided)
    assert r.revenue == sum(revenue[c.id] for c in decided)
    assert r.denominator == 0 or 0 <= r.value <= 1


@given(contacts=contact_lists(), sales=sale_lists())
def test_sales_after_contact_parts_by_customer_merge_into_the_whole(
    contacts: list[Interaction], sales: list[Sale]
) -> None:
    def part(keep: set[str]) -> Any:
        return quiet(
            sales_after_contact,
            [c for c in contacts if c.customer_id in keep],
            [s for s in sales if s.customer_id in keep],
            as_of=AS_OF,
            by="agent_id",
        )

    whole = part({*CUSTOMERS, "nobody"})
    merged = part({"a", "b"}).merge(part({"c", "d", "nobody"}))
    assert merged.overall == whole.overall
    assert list(merged) == list(whole)
    for agent in whole:
        assert merged[agent] == whole[agent]


@given(contacts=contact_lists())
def test_sales_after_contact_columnar_and_breakdown_agree(contacts: list[Interaction]) -> None:
    sales = [Sale(id="s", customer_id="a", at=BASE + 24 * HOUR * 3, amount=1.0)]
    objects = quiet(sales_after_contact, contacts, sales, as_of=AS_OF, by="agent_id")
    table = quiet(
        sales_after_contact,
        Interactions.from_records(contacts),
        Sales.from_records(sales),
        as_of=AS_OF,
    )
    assert objects.overall == table
    assert sum(g.denominator for g in objects.values()) == table.denominator
    assert sum(g.sales for g in objects.values()) == table.sales


@given(
    start=st.integers(0, 10_000),
    kept=st.integers(0, 10_000),
    new=st.integers(0, 10_000),
    other=st.tuples(st.integers(1, 500), st.integers(0, 500), st.integers(0, 500)),
)
def test_retention_and_churn_are_complements_and_segments_merge(
    start: int, kept: int, new: int, other: tuple[int, int, int]
) -> None:
    kept = min(kept, start)
    crr = quiet(retention_rate, start=start, end=kept + new, new=new)
    churn = quiet(churn_rate, start=start, end=kept + new, new=new)
    assert crr.numerator + churn.numerator == crr.denominator == churn.denominator == start
    if start:
        assert 0 <= crr.value <= 1
        assert crr.value + churn.value == pytest.approx(1, abs=1e-12)
    s2, k2, n2 = other[0], min(other[1], other[0]), other[2]
    merged = crr.merge(retention_rate(start=s2, end=k2 + n2, new=n2))
    assert merged == retention_rate(start=start + s2, end=kept + new + k2 + n2, new=new + n2)


@given(contacts=contact_lists(max_size=20))
def test_cohort_retention_bounds_and_customer_parts_merge(contacts: list[Interaction]) -> None:
    baseline = Window(start=BASE, end=BASE + timedelta(days=10))
    current = Window(start=BASE + timedelta(days=10), end=BASE + timedelta(days=22))
    whole = quiet(cohort_retention, contacts, baseline=baseline, current=current)
    assert whole.denominator == 0 or 0 <= whole.value <= 1
    parts = [
        quiet(
            cohort_retention,
            [c for c in contacts if c.customer_id in k],
            baseline=baseline,
            current=current,
        )
        for k in ({"a"}, {"b", "c"}, {"d"})
    ]
    assert parts[0].merge(parts[1]).merge(parts[2]) == whole


@st.composite
def outage_lists(draw: st.DrawFn) -> list[Outage]:
    """Outages on a minute grid around a 600-minute period, some ongoing."""
    out = []
    for _ in range(draw(st.integers(0, 8))):
        start = BASE + timedelta(minutes=draw(st.integers(-100, 700)))
        minutes = draw(st.one_of(st.none(), st.integers(0, 200)))
        out.append(
            Outage(
                start=start,
                end=None if minutes is None else start + timedelta(minutes=minutes),
                service=draw(st.sampled_from((None, "api", "web"))),
            )
        )
    return out


def reference_down_minutes(outages: list[Outage], service: str | None) -> np.ndarray:
    """A bool per minute of the period [BASE, BASE + 600 min): down or not."""
    down = np.zeros(600, dtype=bool)
    for o in outages:
        if service is not None and o.service not in (None, service):
            continue
        lo = int((o.start - BASE) / timedelta(minutes=1))
        hi = 600 if o.end is None else int((o.end - BASE) / timedelta(minutes=1))
        down[max(lo, 0) : max(min(hi, 600), 0)] = True
    return down


PERIOD = Window(start=BASE, end=BASE + timedelta(minutes=600))


@given(outages=outage_lists(), service=st.sampled_from((None, "api")))
@example(outages=[], service=None)
def test_uptime_matches_a_minute_grid(outages: list[Outage], service: str | None) -> None:
    r = uptime(outages, period=PERIOD, service=service)
    down = reference_down_minutes(outages, service)
    assert r.downtime == timedelta(minutes=int(down.sum()))
    runs = int(np.count_nonzero(np.diff(np.r_[0, down.astype(int)]) == 1))
    assert r.incidents == runs
    assert 0 <= r.value <= 1
    assert r.value + r.downtime / r.length == pytest.approx(1, abs=1e-12)
    if not r.incidents:
        assert r.value == 1.0


@given(outages=outage_lists(), cut=st.integers(1, 599))
def test_uptime_of_consecutive_parts_merges_into_the_whole(outages: list[Outage], cut: int) -> None:
    middle = BASE + timedelta(minutes=cut)
    left = uptime(outages, period=Window(start=BASE, end=middle))
    right = uptime(outages, period=Window(start=middle, end=PERIOD.end))
    whole = uptime(outages, period=PERIOD)
    merged = left.merge(right)
    assert (merged.length, merged.downtime) == (whole.length, whole.downtime)
    assert merged.value == whole.value
    # An incident across the cut counts once on each side.
    assert whole.incidents <= merged.incidents <= whole.incidents + 1


@st.composite
def agent_days(draw: st.DrawFn) -> list[AgentTime]:
    """Per agent, back-to-back intervals with gaps, on a minute grid."""
    out = []
    for agent in draw(st.lists(st.sampled_from(AGENTS), unique=True, max_size=3)):
        clock = draw(st.integers(0, 60))
        for _ in range(draw(st.integers(0, 6))):
            clock += draw(st.sampled_from((0, 0, 5)))
            minutes = draw(st.integers(0, 90))
            state = draw(st.sampled_from(csmetrics.AGENT_STATES))
            out.append(span(agent, state, clock, minutes))
            clock += minutes
    return out


@given(spans=agent_days(), denominator=st.sampled_from(("available", "logged_in")))
@example(spans=[], denominator="available")
def test_occupancy_bounds_and_per_agent_parts_merge(spans: list[AgentTime], denominator: str):
    whole = quiet(occupancy, spans, by="agent_id", denominator=denominator)
    for result in (whole.overall, *whole.values()):
        assert math.isnan(result.value) or 0 <= result.value <= 1
    parts = [
        quiet(occupancy, [s for s in spans if s.agent_id == agent], denominator=denominator)
        for agent in AGENTS
    ]
    merged = parts[0].merge(parts[1]).merge(parts[2])
    assert merged == whole.overall
    for agent, result in whole.items():
        assert result == parts[AGENTS.index(agent)]


@given(spans=agent_days(), cut=st.integers(1, 599))
def test_occupancy_of_consecutive_periods_merges_into_the_whole(
    spans: list[AgentTime], cut: int
) -> None:
    end = T0 + timedelta(minutes=600)
    middle = T0 + timedelta(minutes=cut)
    left = quiet(occupancy, spans, period=Window(start=T0, end=middle))
    right = quiet(occupancy, spans, period=Window(start=middle, end=end))
    whole = quiet(occupancy, spans, period=Window(start=T0, end=end))
    assert left.merge(right).counts() == whole.counts()
