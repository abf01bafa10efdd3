"""Hand-computed tests for the time metrics: one test per rule."""

from __future__ import annotations

import math
import warnings
from datetime import datetime, timedelta, timezone

import numpy as np
import pytest

import csmetrics
from csmetrics import (
    BusinessCalendar,
    Interaction,
    Interactions,
    Message,
    contact_length,
    first_response_time,
    handle_time,
    reply_time,
    resolution_time,
)

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)  # a Monday
LATE = T0 + timedelta(days=30)


def at(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)


def msg(minutes: float, author: str, *, public: bool = True) -> Message:
    return Message(at=at(minutes), author=author, public=public)  # type: ignore[arg-type]


def chat(id: str, *messages: Message, end: float | None = 60, **fields) -> Interaction:
    return Interaction(
        id=id,
        customer_id=fields.pop("customer_id", id),
        start=T0,
        end=None if end is None else at(end),
        messages=messages,
        **fields,
    )


# first_response_time


def test_bot_messages_never_count_as_first_response():
    c = chat("1", msg(0, "customer"), msg(1, "bot"), msg(7, "agent"))
    r = first_response_time([c], as_of=LATE)
    assert r.durations.tolist() == [420.0]


def test_internal_note_is_not_a_response():
    c = chat("1", msg(0, "customer"), msg(2, "agent", public=False), msg(9, "agent"))
    assert first_response_time([c], as_of=LATE).durations.tolist() == [540.0]


def test_agent_created_contact_is_answered_after_customer_first_message():
    # The agent writes first (minute 0); the customer answers at 30; the next
    # agent message at 45 is the response: 15 minutes from the customer's message.
    c = chat("1", msg(0, "agent"), msg(30, "customer"), msg(45, "agent"), end=120)
    assert first_response_time([c], as_of=LATE).durations.tolist() == [900.0]


def test_agent_created_contact_without_customer_message_is_excluded():
    c = chat("1", msg(0, "agent"), msg(5, "agent"))
    with pytest.warns(csmetrics.UndefinedMetricWarning):
        r = first_response_time([c], as_of=LATE)
    assert (r.n, r.excluded) == (0, 1)


def test_explicit_first_response_wins_over_messages():
    c = Interaction(
        id="1",
        customer_id="a",
        start=T0,
        first_response_at=at(3),
        messages=(msg(0, "customer"), msg(9, "agent")),
    )
    assert first_response_time([c], as_of=LATE).durations.tolist() == [180.0]


def test_unanswered_contacts_are_censored_not_dropped():
    open_chat = chat("1", msg(0, "customer"), end=None)
    closed_chat = chat("2", msg(0, "customer"), end=30)
    answered = chat("3", msg(0, "customer"), msg(10, "agent"))
    # One answered of three: the Kaplan-Meier median is not known yet.
    with pytest.warns(csmetrics.UndefinedMetricWarning, match="too much work still open"):
        r = first_response_time([open_chat, closed_chat, answered], as_of=at(100))
    assert r.durations.tolist() == [600.0]
    # Open: censored at as_of (100 min); closed unanswered: at its end (30 min).
    assert r.censoring_times.tolist() == [1800.0, 6000.0]
    assert (r.n, r.censored) == (3, 2)


def test_blocked_contact_is_excluded_from_first_response():
    blocked = Interaction(id="b", customer_id="a", start=T0, blocked=True)
    answered = Interaction(id="a", customer_id="a", start=T0, first_response_at=at(1))
    r = first_response_time([blocked, answered], as_of=LATE)
    assert (r.n, r.excluded) == (1, 1)


def test_kaplan_meier_median_is_higher_than_excluding_open_work():
    # Two answered in 1 and 2 minutes, two still waiting after 10 minutes.
    contacts = [
        Interaction(id=str(i), customer_id="a", start=T0, first_response_at=at(m))
        for i, m in enumerate([1, 2])
    ] + [Interaction(id=f"o{i}", customer_id="a", start=T0) for i in range(2)]
    km = first_response_time(contacts, as_of=at(10))
    excluded = first_response_time(contacts, as_of=at(10), censoring="exclude")
    assert excluded.median == 90.0
    assert km.median == 120.0  # S(60) = 3/4, S(120) = 1/2


def test_first_response_in_business_time():
    # Office hours 09:00-17:00 UTC; asked Monday 16:30, answered Tuesday 09:30.
    hours = {day: [("09:00", "17:00")] for day in ("mon", "tue", "wed", "thu", "fri")}
    office = BusinessCalendar(timezone="UTC", hours=hours)
    c = Interaction(
        id="1",
        customer_id="a",
        start=T0 + timedelta(hours=7, minutes=30),
        first_response_at=T0 + timedelta(days=1, minutes=30),
    )
    assert first_response_time([c], as_of=LATE).durations.tolist() == [17 * 3600.0]
    assert first_response_time([c], as_of=LATE, calendar=office).durations.tolist() == [3600.0]
    always = first_response_time([c], as_of=LATE, calendar=BusinessCalendar.always())
    assert always.durations.tolist() == [17 * 3600.0]


def test_first_response_by_agent_and_period():
    contacts = [
        Interaction(id="1", customer_id="a", start=T0, first_response_at=at(2), agent_id="x"),
        Interaction(id="2", customer_id="b", start=at(5), first_response_at=at(6), agent_id="y"),
    ]
    r = first_response_time(contacts, as_of=LATE, by="agent_id")
    assert (r["x"].median, r["y"].median) == (120.0, 60.0)
    first = first_response_time(contacts, as_of=LATE, period=csmetrics.Window(start=T0, end=at(1)))
    assert first.n == 1


# reply_time


def test_consecutive_customer_messages_form_one_reply_interval():
    c = chat(
        "1",
        msg(0, "customer"),
        msg(2, "customer"),
        msg(5, "agent"),
        msg(6, "agent"),
        msg(20, "customer"),
        msg(21, "bot"),
        msg(30, "agent"),
    )
    r = reply_time([c], as_of=LATE)
    assert r.durations.tolist() == [300.0, 600.0]
    assert r.requests == 1
    assert r.per_contact_mean == 450.0
    assert r.total_per_request == 900.0


def test_unanswered_customer_run_is_censored():
    c = chat("1", msg(0, "customer"), msg(5, "agent"), msg(10, "customer"), end=None)
    r = reply_time([c], as_of=at(40))
    assert r.durations.tolist() == [300.0]
    assert r.censoring_times.tolist() == [1800.0]


def test_per_contact_mean_weighs_each_contact_once():
    long_thread = chat(
        "1", *(m for k in range(3) for m in (msg(10 * k, "customer"), msg(10 * k + 1, "agent")))
    )
    slow = chat("2", msg(0, "customer"), msg(10, "agent"))
    r = reply_time([long_thread, slow], as_of=LATE)
    assert r.mean == pytest.approx((60 * 3 + 600) / 4)
    assert r.per_contact_mean == pytest.approx((60 + 600) / 2)
    assert r.total_per_request == pytest.approx((180 + 600) / 2)


def test_reply_time_merge_of_contacts_equals_whole():
    a = chat("1", msg(0, "customer"), msg(4, "agent"), agent_id="x")
    b = chat("2", msg(0, "customer"), msg(9, "agent"), msg(10, "customer"), agent_id="y")
    whole = reply_time([a, b], as_of=LATE)
    assert reply_time([a], as_of=LATE).merge(reply_time([b], as_of=LATE)) == whole
    by_agent = reply_time([a, b], as_of=LATE, by="agent_id")
    assert by_agent["x"].merge(by_agent["y"]) == whole
    assert (by_agent["y"].requests, by_agent["y"].censored) == (1, 1)


# resolution_time


def ticket(
    id: str, start_h: float, end_h: float | None, *, resolved: bool, issue: str | None = "T"
):
    return Interaction(
        id=id,
        customer_id="a",
        start=T0 + timedelta(hours=start_h),
        end=None if end_h is None else T0 + timedelta(hours=end_h),
        resolved=resolved,
        issue_id=issue,
    )


def test_first_and_full_resolution_of_a_reopened_ticket():
    contacts = [
        ticket("1", 0, 2, resolved=True),
        ticket("2", 10, 11, resolved=False),
        ticket("3", 20, 24, resolved=True),
    ]
    assert resolution_time(contacts, kind="first", as_of=LATE).durations.tolist() == [7200.0]
    assert resolution_time(contacts, as_of=LATE).durations.tolist() == [24 * 3600.0]


def test_reopened_ticket_still_unresolved_is_censored_for_full_only():
    contacts = [ticket("1", 0, 2, resolved=True), ticket("2", 10, None, resolved=False)]
    as_of = T0 + timedelta(hours=30)
    with pytest.warns(csmetrics.UndefinedMetricWarning):
        full = resolution_time(contacts, as_of=as_of)
    assert (full.completed, full.censoring_times.tolist()) == (0, [30 * 3600.0])
    first = resolution_time(contacts, kind="first", as_of=as_of)
    assert first.durations.tolist() == [7200.0]


def test_contact_without_issue_id_is_its_own_issue():
    contacts = [
        ticket("1", 0, 1, resolved=True, issue=None),
        ticket("2", 0, 3, resolved=True, issue=None),
    ]
    assert resolution_time(contacts, as_of=LATE).durations.tolist() == [3600.0, 10800.0]


def test_unknown_resolution_kind_is_rejected():
    with pytest.raises(ValueError, match="kind='last'"):
        resolution_time([], kind="last")  # type: ignore[arg-type]


# handle_time and contact_length


def test_handle_time_sums_components_and_falls_back():
    calls = [
        Interaction(id="1", customer_id="a", start=T0, talk_seconds=300, hold_seconds=60),
        Interaction(
            id="2", customer_id="a", start=T0, first_response_at=at(1), end=at(6)
        ),  # fallback: 5 minutes
        Interaction(id="3", customer_id="a", start=T0),  # unmeasured
        Interaction(id="4", customer_id="a", start=T0, end=at(1), abandoned=True),  # not handled
    ]
    r = handle_time(calls)
    assert (r.n, r.fallback, r.unmeasured) == (2, 1, 1)
    assert r.value == pytest.approx((360 + 300) / 2)
    assert r.mean_timedelta == timedelta(seconds=330)


def test_handle_time_breakdown_counts_per_group():
    calls = [
        Interaction(id="1", customer_id="a", start=T0, talk_seconds=100, agent_id="x"),
        Interaction(id="2", customer_id="a", start=T0, agent_id="y"),
    ]
    with pytest.warns(csmetrics.UndefinedMetricWarning, match="1 of 2 groups"):
        r = handle_time(calls, by="agent_id")
    assert (r["x"].n, r["y"].n, r["y"].unmeasured) == (1, 0, 1)
    assert r["x"].merge(r["y"]) == r.overall


def test_contact_length_censors_open_contacts():
    calls = [
        Interaction(id="1", customer_id="a", start=T0, end=at(4)),
        Interaction(id="2", customer_id="a", start=T0),
    ]
    r = contact_length(calls, as_of=at(10))
    assert (r.durations.tolist(), r.censoring_times.tolist()) == ([240.0], [600.0])


def test_time_metrics_default_as_of_is_latest_event():
    c = chat("1", msg(0, "customer"), msg(50, "agent"), end=None)
    with pytest.warns(csmetrics.UndefinedMetricWarning):
        r = contact_length([c])
    assert r.as_of == at(50)
    assert r.censoring_times.tolist() == [3000.0]


def test_empty_input_is_undefined():
    with pytest.warns(csmetrics.UndefinedMetricWarning, match="first_response_time"):
        r = first_response_time([])
    assert math.isnan(r.median)


def test_object_and_columnar_paths_agree():
    contacts = [
        chat("1", msg(0, "customer"), msg(3, "agent"), msg(4, "customer"), agent_id="x"),
        chat("2", msg(0, "agent"), msg(2, "customer"), msg(8, "agent"), end=None),
        ticket("3", 0, 5, resolved=True),
        ticket("4", 6, 7, resolved=False),
    ]
    table = Interactions.from_records(contacts)
    warnings.simplefilter("ignore", csmetrics.UndefinedMetricWarning)
    for metric in (first_response_time, reply_time, resolution_time, contact_length):
        assert metric(contacts, as_of=LATE) == metric(table, as_of=LATE)
    assert handle_time(contacts) == handle_time(table)
    assert np.all(first_response_time(table, as_of=LATE).durations >= 0)


def test_excluded_contacts_are_counted_per_group_and_period():
    contacts = [
        Interaction(id="b", customer_id="a", start=T0, blocked=True, channel="phone"),
        Interaction(id="e", customer_id="a", start=T0, first_response_at=at(1), channel="email"),
    ]
    # The phone group holds only the blocked contact: no time, so undefined.
    with pytest.warns(csmetrics.UndefinedMetricWarning, match="1 of 2 groups"):
        by_channel = first_response_time(contacts, as_of=LATE, by="channel")
    assert (by_channel["phone"].excluded, by_channel["email"].excluded) == (1, 0)
    assert by_channel.overall.excluded == 1
    with pytest.warns(csmetrics.UndefinedMetricWarning):
        later = first_response_time(
            contacts, as_of=LATE, period=csmetrics.Window(start=at(100), end=at(200))
        )
    assert (later.n, later.excluded) == (0, 0)


def test_full_resolution_ends_at_the_latest_resolved_end():
    # Two overlapping resolved contacts: 09:00-15:00 and 10:00-11:00.
    contacts = [ticket("1", 0, 6, resolved=True), ticket("2", 1, 2, resolved=True)]
    assert resolution_time(contacts, as_of=LATE).durations.tolist() == [6 * 3600.0]


def test_contact_length_excludes_blocked_contacts():
    calls = [
        Interaction(id="1", customer_id="a", start=T0, end=at(4)),
        Interaction(id="2", customer_id="a", start=T0, blocked=True),
    ]
    r = contact_length(calls, as_of=at(60))
    assert (r.n, r.censored, r.excluded) == (1, 0, 1)


def test_recorded_end_after_as_of_still_counts():
    call = Interaction(id="1", customer_id="a", start=T0, end=at(70))
    assert contact_length([call], as_of=at(30)).durations.tolist() == [4200.0]


def test_wait_interval_is_clipped_at_zero():
    waits = [
        Interaction(
            id=str(w), customer_id="a", start=T0, first_response_at=T0 + timedelta(seconds=w)
        )
        for w in (10, 20, 60)
    ]
    # Unclipped t interval: 30 +/- 4.302653 * 26.458 / sqrt(3) = (-35.7, 95.7).
    ci = csmetrics.asa(waits, as_of=LATE).ci()
    assert ci.low == 0.0
    assert ci.high == pytest.approx(95.7, abs=0.05)
