"""Hand-computed tests for SLA policies and sla_attainment."""

from __future__ import annotations

import math
from datetime import datetime, timedelta, timezone

import pytest

import csmetrics
from csmetrics import (
    BusinessCalendar,
    Interaction,
    Message,
    SLAPolicy,
    SLARule,
    SLATarget,
    sla_attainment,
)

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)  # a Monday
LATE = T0 + timedelta(days=30)


def at(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)


def contact(id: str, answered: float | None, *, end: float | None = 120, **fields) -> Interaction:
    return Interaction(
        id=id,
        customer_id=fields.pop("customer_id", id),
        start=T0,
        end=None if end is None else at(end),
        first_response_at=None if answered is None else at(answered),
        **fields,
    )


ONE_HOUR = SLAPolicy(rules=[SLARule(first_response=3600)])


def test_first_response_met_breached_pending_and_excluded():
    contacts = [
        contact("met", 30),
        contact("late", 90),
        contact("waiting", None, end=None),  # open, 40 min so far at as_of
        contact("closed", None, end=20),  # closed within the hour, nothing owed
        # Open since two hours before T0: already 2 h 40 min at as_of.
        Interaction(id="overdue", customer_id="o", start=T0 - timedelta(hours=2)),
    ]
    r = sla_attainment(contacts, ONE_HOUR, as_of=at(40))
    assert (r.numerator, r.denominator, r.pending, r.excluded) == (1, 3, 1, 1)
    assert r.breached == 2
    assert [(b.record, b.open) for b in r.breaches] == [("overdue", True), ("late", False)]
    assert r.breaches[0].overrun == pytest.approx(40 * 60 + 3600)


def test_target_is_inclusive():
    r = sla_attainment([contact("a", 60)], ONE_HOUR, as_of=LATE)
    assert (r.numerator, r.denominator) == (1, 1)


def test_first_matching_rule_wins_and_unmatched_contacts_have_no_target():
    policy = SLAPolicy(
        rules=[
            SLARule(priority="P1", tier="incident", first_response=600),
            SLARule(priority="P1", first_response=1800),
        ]
    )
    contacts = [
        contact("inc", 20, priority="P1", tier="incident"),  # 10 min target: late
        contact("p1", 20, priority="P1", tier="problem"),  # 30 min target: met
        contact("p3", 500, priority="P3"),  # no rule
    ]
    r = sla_attainment(contacts, policy, as_of=LATE)
    assert (r.numerator, r.denominator) == (1, 2)
    assert [b.record for b in r.breaches] == ["inc"]
    assert list(r.by_priority) == ["P1"]


def test_next_reply_applies_after_the_first_run():
    messages = (
        Message(at=at(0), author="customer"),
        Message(at=at(50), author="agent"),  # first response: not a next reply
        Message(at=at(60), author="customer"),
        Message(at=at(65), author="agent"),  # next reply in 5 minutes: met
        Message(at=at(70), author="customer"),
        Message(at=at(100), author="agent"),  # next reply in 30 minutes: late
    )
    c = Interaction(id="c", customer_id="a", start=T0, end=at(120), messages=messages)
    policy = SLAPolicy(rules=[SLARule(next_reply=600)])
    r = sla_attainment([c], policy, as_of=LATE)
    assert (r.numerator, r.denominator) == (1, 2)
    assert r.breaches[0].target == "next_reply"
    assert r.breaches[0].elapsed == 1800.0


def test_resolution_target_uses_the_whole_issue():
    contacts = [
        Interaction(id="1", customer_id="a", start=T0, end=at(30), resolved=True, issue_id="T"),
        Interaction(
            id="2", customer_id="a", start=at(200), end=at(300), resolved=True, issue_id="T"
        ),
        Interaction(id="3", customer_id="b", start=T0, issue_id="U"),  # open for 10 h: late
    ]
    policy = SLAPolicy(rules=[SLARule(resolution=timedelta(hours=4))])
    r = sla_attainment(contacts, policy, as_of=at(600))
    # T resolved after 300 minutes: 5 h > 4 h. U still open after 10 h.
    assert (r.numerator, r.denominator) == (0, 2)
    assert {(b.record, b.open) for b in r.breaches} == {("1", False), ("3", True)}


def test_business_time_target():
    hours = {day: [("09:00", "17:00")] for day in ("mon", "tue", "wed", "thu", "fri")}
    office = BusinessCalendar(timezone="UTC", hours=hours)
    # Asked Monday 16:30, answered Tuesday 09:20: 50 business minutes.
    c = Interaction(
        id="1",
        customer_id="a",
        start=T0 + timedelta(hours=7, minutes=30),
        first_response_at=T0 + timedelta(days=1, minutes=20),
    )
    business = SLAPolicy(
        rules=[SLARule(first_response=SLATarget(seconds=3600, business=True))], calendar=office
    )
    assert sla_attainment([c], business, as_of=LATE).numerator == 1
    assert sla_attainment([c], ONE_HOUR, as_of=LATE).numerator == 0


def test_business_target_needs_a_calendar():
    with pytest.raises(ValueError, match="calendar"):
        SLAPolicy(rules=[SLARule(first_response=SLATarget(seconds=60, business=True))])


def test_breakdown_by_target_and_merge_of_parts():
    policy = SLAPolicy(rules=[SLARule(first_response=3600, resolution=7200)])
    a = [contact("a", 10, resolved=True)]
    b = [contact("b", 90, end=None)]
    whole = sla_attainment(a + b, policy, as_of=LATE)
    assert list(whole.by_target) == ["first_response", "resolution"]
    assert (whole.by_target["resolution"].numerator, whole.by_target["resolution"].denominator) == (
        1,
        2,
    )
    merged = sla_attainment(a, policy, as_of=LATE).merge(sla_attainment(b, policy, as_of=LATE))
    assert (merged.numerator, merged.denominator) == (whole.numerator, whole.denominator)
    assert merged.by_target == whole.by_target
    assert sorted(merged.breaches, key=lambda x: x.record) == sorted(
        whole.breaches, key=lambda x: x.record
    )


def test_no_target_in_scope_is_undefined():
    with pytest.warns(csmetrics.UndefinedMetricWarning, match="sla_attainment"):
        r = sla_attainment([], ONE_HOUR)
    assert math.isnan(r.value)


def test_breach_order_is_reproducible_and_survives_merge():
    policy = SLAPolicy(rules=[SLARule(first_response=60)])
    a = contact("a", 2)
    b = contact("b", 5)
    c = contact("c", 2)
    whole = sla_attainment([a, b, c], policy, as_of=LATE)
    assert [x.record for x in whole.breaches] == ["b", "a", "c"]
    assert sla_attainment([c, b, a], policy, as_of=LATE).breaches == whole.breaches
    parts = sla_attainment([a], policy, as_of=LATE).merge(
        sla_attainment([c, b], policy, as_of=LATE)
    )
    assert parts.breaches == whole.breaches
