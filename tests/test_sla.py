"""Hand-computed tests for SLA policies and sla_attainment."""

from __future__ import annotations

import math
import warnings
from datetime import datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

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
from strategies import tickets

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


# --- tickets -------------------------------------------------------------------------------------
# Times in hours after T0 (Monday 09:00 UTC).

H = 3600.0


def hours(h: float) -> datetime:
    return T0 + timedelta(hours=h)


def ticket(
    id: object,
    comments: tuple[tuple[float, str], ...] = (),
    statuses: tuple[tuple[float, str], ...] = (),
    **fields: object,
) -> csmetrics.Ticket:
    """A ticket created at T0: (hours, author) comments and (hours, status) changes."""
    return csmetrics.Ticket(
        id=id,
        customer_id="ann",
        created=T0,
        messages=[
            Message(at=hours(h), author=who, author_id="max" if who == "agent" else None)
            for h, who in comments
        ],
        statuses=[csmetrics.StatusChange(at=hours(h), status=s) for h, s in statuses],
        **fields,  # type: ignore[arg-type]
    )


TIERED = SLAPolicy(
    name="standard",
    rules=[
        SLARule(
            priority="urgent",
            first_response=H,
            next_reply=H / 2,
            resolution=8 * H,
            requester_wait=4 * H,
            agent_work=2 * H,
        ),
        SLARule(
            first_response=4 * H,
            next_reply=H,
            resolution=48 * H,
            requester_wait=24 * H,
            agent_work=8 * H,
        ),
    ],
)


def outcome(result: csmetrics.SLAAttainment, id: object, target: str) -> dict[str, object]:
    assert result.outcomes is not None
    [row] = [r for r in result.outcomes.to_rows() if (r["ticket_id"], r["target"]) == (id, target)]
    return row


URGENT = ticket(
    1,
    ((0, "customer"), (0.5, "agent"), (1, "customer"), (2, "agent")),
    ((0, "new"), (0.5, "pending"), (1, "open"), (2, "pending"), (3, "solved")),
    priority="urgent",
)
"""new [0, .5), pending [.5, 1), open [1, 2), pending [2, 3), solved at 3."""


def test_requester_wait_and_agent_work_targets_count_status_time():
    r = sla_attainment([URGENT], TIERED, as_of=hours(10))
    wait = outcome(r, 1, "requester_wait")
    # new .5 + open 1 = 1.5 h of the 4 h; met. The clock stopped at the solve
    # (3 h): the breach time is 2.5 h of clock after it.
    assert (wait["elapsed"], wait["met"], wait["open"]) == (1.5 * H, True, False)
    assert wait["target_at"] == hours(5.5)
    work = outcome(r, 1, "agent_work")
    assert (work["elapsed"], work["met"], work["target_at"]) == (1.5 * H, True, hours(3.5))
    reply = outcome(r, 1, "next_reply")
    # The customer wrote at 1 h and the agent answered at 2 h: 1 h of the 30 min.
    assert (reply["applied_at"], reply["target_at"]) == (hours(1), hours(1.5))
    assert (reply["elapsed"], reply["met"], reply["breached"]) == (H, False, True)
    assert outcome(r, 1, "first_response")["target_at"] == hours(1)
    assert (r.numerator, r.denominator) == (4, 5)


def test_stopped_at_is_the_event_or_the_solve_that_released_it():
    r = sla_attainment([URGENT], TIERED, as_of=hours(10))
    # The first reply came at .5 h, the next reply at 2 h; the status targets
    # ran until the solve at 3 h.
    assert outcome(r, 1, "first_response")["stopped_at"] == hours(0.5)
    assert outcome(r, 1, "next_reply")["stopped_at"] == hours(2)
    assert outcome(r, 1, "agent_work")["stopped_at"] == hours(3)
    assert outcome(r, 1, "requester_wait")["stopped_at"] == hours(3)
    # Solved at 2 h without a reply: the solve released the first reply target.
    quiet = ticket(4, ((0, "customer"),), ((0, "open"), (2, "solved")), priority="urgent")
    first = outcome(sla_attainment([quiet], TIERED, as_of=hours(10)), 4, "first_response")
    assert (first["stopped_at"], first["excluded"]) == (hours(2), False)
    # Still waiting at 1.5 h: nothing stopped it yet.
    waiting = outcome(sla_attainment([URGENT], TIERED, as_of=hours(1.5)), 1, "next_reply")
    assert (waiting["stopped_at"], waiting["open"]) == (None, True)


def test_breach_time_of_a_status_target_lies_in_the_counted_statuses():
    # open [0, 1), pending [1, 5), open [5, ...): 2 h of agent work reached at 6 h.
    late = ticket(
        2, (), ((0, "open"), (1, "pending"), (5, "open"), (9, "solved")), priority="urgent"
    )
    work = outcome(sla_attainment([late], TIERED, as_of=hours(10)), 2, "agent_work")
    assert work["target_at"] == hours(6)
    assert (work["elapsed"], work["breached"]) == (5 * H, True)


def test_raised_priority_reapplies_the_new_target_from_the_change():
    # Normal at creation (first reply due in 4 h), urgent from 1 h: due 1 h
    # after the change; the agent answered at 3 h, 2 h after it.
    raised = ticket(
        3,
        ((0, "customer"), (3, "agent")),
        ((0, "open"), (5, "solved")),
        priority_changes=[(hours(0), "normal"), (hours(1), "urgent")],
    )
    r = sla_attainment([raised], TIERED, as_of=hours(10))
    assert r.outcomes is not None
    first = [row for row in r.outcomes.to_rows() if row["target"] == "first_response"]
    assert len(first) == 1  # the normal target is replaced, not counted
    assert (first[0]["priority"], first[0]["applied_at"]) == ("urgent", hours(1))
    assert (first[0]["elapsed"], first[0]["target_at"], first[0]["breached"]) == (
        2 * H,
        hours(2),
        True,
    )
    work = outcome(r, 3, "agent_work")  # open from 1 h to the solve at 5 h: 4 h of 2 h
    assert (work["elapsed"], work["target_at"], work["breached"]) == (4 * H, hours(3), True)
    wait = outcome(r, 3, "requester_wait")  # 4 h of 4 h: met, the limit included
    assert (wait["elapsed"], wait["met"]) == (4 * H, True)


def test_a_breach_before_the_priority_change_stands():
    # Urgent (1 h) from creation, normal from 2 h: the urgent target breached
    # at 1 h, before the change, so it stays; the normal one runs from 2 h.
    lowered = ticket(
        4,
        ((0, "customer"), (3, "agent")),
        ((0, "open"), (4, "solved")),
        priority_changes=[(hours(0), "urgent"), (hours(2), "normal")],
    )
    r = sla_attainment([lowered], TIERED, as_of=hours(10))
    assert r.outcomes is not None
    first = [row for row in r.outcomes.to_rows() if row["target"] == "first_response"]
    assert [(row["priority"], row["met"], row["breached"]) for row in first] == [
        ("urgent", False, True),
        ("normal", True, False),
    ]
    assert [row["elapsed"] for row in first] == [3 * H, 1 * H]


def test_open_targets_are_pending_until_their_breach_time():
    waiting = ticket(5, ((0, "customer"),), ((0, "open"),), priority="urgent")
    with pytest.warns(csmetrics.UndefinedMetricWarning):
        r = sla_attainment([waiting], TIERED, as_of=hours(0.5))
    first = outcome(r, 5, "first_response")
    assert (first["open"], first["met"], first["breached"]) == (True, False, False)
    assert first["target_at"] == hours(1)
    assert (r.pending, r.denominator) == (4, 0)  # first reply, resolution, two waits
    later = sla_attainment([waiting], TIERED, as_of=hours(3))
    # First reply (due at 1 h) and agent work (2 h) breached; the 4 h wait and
    # the 8 h resolution still run.
    assert (later.breached, later.pending) == (2, 2)


def test_solved_before_any_reply_owed_is_excluded():
    quiet = ticket(6, ((0, "customer"),), ((0, "open"), (0.5, "solved")), priority="urgent")
    r = sla_attainment([quiet], TIERED, as_of=hours(10))
    first = outcome(r, 6, "first_response")
    assert (first["excluded"], first["met"], first["open"]) == (True, False, False)
    assert r.excluded == 1


def test_business_time_targets_breach_in_business_time():
    office = BusinessCalendar(
        timezone="UTC", hours={d: [("09:00", "17:00")] for d in ("mon", "tue", "wed", "thu", "fri")}
    )
    policy = SLAPolicy(
        calendar=office, rules=[SLARule(first_response=SLATarget(seconds=2 * H, business=True))]
    )
    # Created Monday 16:00: 1 open hour on Monday, the second on Tuesday 09:00-10:00.
    evening = csmetrics.Ticket(
        id=7,
        customer_id="ann",
        created=hours(7),
        messages=[Message(at=hours(7), author="customer"), Message(at=hours(24.5), author="agent")],
        statuses=[],
    )
    first = outcome(sla_attainment([evening], policy), 7, "first_response")
    assert first["target_at"] == hours(25)
    assert (first["elapsed"], first["met"], first["business"]) == (1.5 * H, True, True)


def test_calendars_by_schedule_id_follow_each_tickets_schedule():
    office = BusinessCalendar(
        timezone="UTC", hours={d: [("09:00", "17:00")] for d in ("mon", "tue", "wed", "thu", "fri")}
    )
    policy = SLAPolicy(
        calendar={"office": office, "24x7": BusinessCalendar.always()},
        rules=[SLARule(resolution=SLATarget(seconds=10 * H, business=True))],
    )
    # Office hours until 12:00 (3 h), then around the clock: 7 more hours, to 19:00.
    moved = ticket(
        8,
        (),
        ((0, "open"), (12, "solved")),
        schedule_changes=[(hours(0), "office"), (hours(3), "24x7")],
    )
    resolution = outcome(sla_attainment([moved], policy), 8, "resolution")
    assert resolution["target_at"] == hours(10)
    assert (resolution["elapsed"], resolution["breached"]) == (12 * H, True)


def test_each_ticket_follows_the_policy_its_data_names():
    strict = SLAPolicy(name="strict", rules=[SLARule(first_response=H)])
    relaxed = SLAPolicy(name="relaxed", rules=[SLARule(first_response=4 * H)])
    answered = ((0, "customer"), (2, "agent"))
    one = ticket(9, answered, sla_policy_changes=[(hours(0), "strict")])
    two = ticket(10, answered, sla_policy_changes=[(hours(0), "relaxed")])
    none = ticket(11, answered)
    r = sla_attainment([one, two, none], [strict, relaxed], as_of=hours(5))
    assert r.outcomes is not None
    assert [(row["ticket_id"], row["policy"], row["met"]) for row in r.outcomes.to_rows()] == [
        (9, "strict", False),
        (10, "relaxed", True),
    ]
    unknown = ticket(12, answered, sla_policy_changes=[(hours(0), "gold")])
    with pytest.raises(csmetrics.InvalidDataError, match=r"12.*sla_policy_changes.*'gold'"):
        sla_attainment([unknown], [strict, relaxed])
    with pytest.raises(ValueError, match="no name"):
        sla_attainment([one], [strict, SLAPolicy(rules=[])])


def test_ticket_only_targets_refuse_contacts():
    with pytest.raises(ValueError, match="requester_wait targets need tickets"):
        sla_attainment([contact("a", 10)], SLAPolicy(rules=[SLARule(requester_wait=H)]))


def test_ticket_attainment_of_parts_merges_into_the_whole():
    raised = ticket(
        3,
        ((0, "customer"), (3, "agent")),
        ((0, "open"), (5, "solved")),
        priority_changes=[(hours(0), "normal"), (hours(1), "urgent")],
    )
    whole = sla_attainment([URGENT, raised], TIERED, as_of=hours(10))
    merged = sla_attainment([URGENT], TIERED, as_of=hours(10)).merge(
        sla_attainment([raised], TIERED, as_of=hours(10))
    )
    assert merged.counts() == whole.counts()
    assert merged.breaches == whole.breaches
    assert merged.outcomes is None


# --- properties of ticket SLAs -------------------------------------------------------------------


PROPERTY_OFFICE = BusinessCalendar(
    timezone="Europe/Berlin",
    hours={d: [("08:00", "18:00")] for d in ("mon", "tue", "wed", "thu", "fri")},
)
PRIORITY_POLICY = SLAPolicy(
    calendar={None: PROPERTY_OFFICE, "a": BusinessCalendar.always(), "b": PROPERTY_OFFICE},
    rules=[
        SLARule(
            priority="urgent",
            first_response=H,
            next_reply=SLATarget(seconds=H, business=True),
            requester_wait=SLATarget(seconds=4 * H, business=True),
            agent_work=2 * H,
        ),
        SLARule(
            priority="high",
            first_response=SLATarget(seconds=2 * H, business=True),
            resolution=24 * H,
        ),
        SLARule(first_response=8 * H, next_reply=4 * H, requester_wait=24 * H, agent_work=8 * H),
    ],
)
PROPERTY_AS_OF = datetime(2026, 3, 20, tzinfo=timezone.utc)


def rows_of(records: list[csmetrics.Ticket]) -> list[dict[str, object]]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", csmetrics.UndefinedMetricWarning)
        result = sla_attainment(records, PRIORITY_POLICY, as_of=PROPERTY_AS_OF)
    assert result.outcomes is not None
    return result.outcomes.to_rows()


@given(tickets(histories=True))
def test_ticket_outcomes_are_consistent(records: list[csmetrics.Ticket]):
    for r in rows_of(records):
        assert r["met"] + r["breached"] + r["open"] + r["excluded"] >= 1
        assert not (r["met"] and r["breached"])
        assert r["breached"] == (r["elapsed"] > r["seconds"])
        # The breach time lies after the target applied, and is reached exactly
        # when the elapsed time passes the target.
        assert r["target_at"] is None or r["target_at"] >= r["applied_at"]
        # A target stops exactly when it no longer runs, at or after it applied.
        assert (r["stopped_at"] is None) == r["open"]
        assert r["stopped_at"] is None or r["stopped_at"] >= r["applied_at"]
        if (
            r["target_at"] is not None
            and not r["business"]
            and r["target"]
            in (
                "first_response",
                "next_reply",
                "resolution",
            )
        ):
            assert (r["target_at"] - r["applied_at"]).total_seconds() == r["seconds"]


@given(tickets(histories=True), st.randoms(use_true_random=False))
def test_ticket_outcomes_do_not_depend_on_ticket_order(records: list[csmetrics.Ticket], rng):
    shuffled = list(records)
    rng.shuffle(shuffled)

    def key(row: dict[str, object]) -> tuple[str, str, object]:
        return (str(row["ticket_id"]), str(row["target"]), row["applied_at"])

    assert sorted(rows_of(records), key=key) == sorted(rows_of(shuffled), key=key)


@given(tickets(histories=True))
def test_ticket_objects_and_table_agree(records: list[csmetrics.Ticket]):
    table = csmetrics.Tickets.from_records(records)
    assert rows_of(table.to_records()) == rows_of(records)


@given(tickets(histories=True), st.lists(st.integers(0, 2), min_size=1, max_size=12))
def test_ticket_attainment_of_any_split_merges(records: list[csmetrics.Ticket], assign: list[int]):
    parts: list[list[csmetrics.Ticket]] = [[], [], []]
    for i, record in enumerate(records):
        parts[assign[i % len(assign)]].append(record)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", csmetrics.UndefinedMetricWarning)
        whole = sla_attainment(records, PRIORITY_POLICY, as_of=PROPERTY_AS_OF)
        merged = sla_attainment(parts[0], PRIORITY_POLICY, as_of=PROPERTY_AS_OF)
        for part in parts[1:]:
            merged = merged.merge(sla_attainment(part, PRIORITY_POLICY, as_of=PROPERTY_AS_OF))
    assert merged.counts() == whole.counts()
    assert merged.breaches == whole.breaches
