"""dbt_zendesk drop-in SLA rows: the zendesk__sla_policies names, units and flags.

Every expected value is worked out by hand from the ticket's history in the
comment next to it, by the rules of the package's SQL (v1.6:
``int_zendesk__sla_policy_applied``, ``int_zendesk__reply_time_combined``,
``int_zendesk__agent_work_time_filtered_statuses``,
``int_zendesk__agent_work_time_calendar_hours``, ``zendesk__sla_policies``):
targets and elapsed times in minutes, a target active while its
``sla_breach_at`` is after ``as_of``, its breach flag null while active.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
from hypothesis import given

from csmetrics import (
    BusinessCalendar,
    Message,
    SLAPolicy,
    SLARule,
    SLATarget,
    StatusChange,
    Ticket,
    Tickets,
    sla_outcomes,
)
from csmetrics.presets import dbt_zendesk
from strategies import tickets

UTC = timezone.utc
T0 = datetime(2026, 3, 2, 9, tzinfo=UTC)  # a Monday


def m(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)


def ticket(*events: tuple[float, str], id: str = "t") -> Ticket:
    """A ticket created at T0 by a customer comment; events at minutes after T0."""
    messages = [Message(at=T0, author="customer")] + [
        Message(at=m(x), author=kind) for x, kind in events if kind in {"agent", "customer"}
    ]
    statuses = [StatusChange(at=T0, status="new")] + [
        StatusChange(at=m(x), status=kind)
        for x, kind in events
        if kind not in {"agent", "customer"}
    ]
    return Ticket(id=id, customer_id="ann", created=T0, messages=messages, statuses=statuses)


FIRST_HOUR = SLAPolicy(rules=[SLARule(first_response=3600)], name="Standard")


def rows(records: list[Ticket], policy: SLAPolicy, **options: Any) -> list[dict[str, Any]]:
    return dbt_zendesk.sla_policies(records, policy, **options).to_rows()


def test_met_first_reply_has_the_reply_as_its_breach_time():
    # Replied at 09:30 against a 60-minute target from creation (09:00): the
    # package writes the reply moment into sla_breach_at of a met target.
    (row,) = rows([ticket((30, "agent"))], FIRST_HOUR, as_of=m(120))
    assert row == {
        "ticket_id": "t",
        "sla_policy_name": "Standard",
        "metric": "first_reply_time",
        "sla_applied_at": T0,
        "target": 60.0,
        "in_business_hours": False,
        "priority_applied": None,
        "sla_breach_at": m(30),
        "sla_elapsed_time": 30.0,
        "is_active_sla": False,
        "is_sla_breach": False,
    }
    # sla_outcomes keeps the promised breach time, and says when it stopped.
    (ours,) = sla_outcomes([ticket((30, "agent"))], FIRST_HOUR, as_of=m(120)).to_rows()
    assert (ours["target_at"], ours["stopped_at"]) == (m(60), m(30))


def test_solve_releases_a_reply_target_at_the_solve():
    # Solved at 09:20 without a reply: not breached, its time the solve's.
    (row,) = rows([ticket((20, "solved"))], FIRST_HOUR, as_of=m(120))
    assert (row["sla_breach_at"], row["sla_elapsed_time"], row["is_sla_breach"]) == (
        m(20),
        20.0,
        False,
    )


def test_reply_after_the_breach_but_after_a_solve_is_no_breach():
    # Solved at 09:20, replied at 10:30 (past the 10:00 breach time): the
    # package calls it a breach only if the breach time came before the
    # solve too, so it is none; the time and elapsed run to the reply.
    record = ticket((20, "solved"), (90, "agent"))
    (row,) = rows([record], FIRST_HOUR, as_of=m(120))
    assert (row["sla_breach_at"], row["sla_elapsed_time"], row["is_sla_breach"]) == (
        m(90),
        90.0,
        False,
    )


def test_breached_first_reply():
    # Replied at 10:30: 90 minutes against 60, breached at 10:00.
    (row,) = rows([ticket((90, "agent"))], FIRST_HOUR, as_of=m(120))
    assert (row["sla_elapsed_time"], row["sla_breach_at"]) == (90.0, m(60))
    assert (row["is_active_sla"], row["is_sla_breach"]) == (False, True)


def test_paused_tickets_are_never_breaches_but_stay_null_while_active():
    # dbt_zendesk 1.9's sla_pause_criteria: the tickets it names have
    # is_sla_breach false, after the null of an active target. At 11:00, a
    # breached (reply at 10:30 against 10:00) and b (no reply) are named, c
    # breached as a did and is not named; "zz" is in no row and changes none.
    data = [
        ticket((90, "agent"), id="a"),
        ticket((10, "open"), id="b"),
        ticket((90, "agent"), id="c"),
    ]
    plain = rows(data, FIRST_HOUR, as_of=m(30))
    assert [r["is_sla_breach"] for r in plain] == [None, None, None]
    found = rows(data, FIRST_HOUR, as_of=m(120), paused=["a", "b", "zz"])
    assert [(r["ticket_id"], r["is_sla_breach"]) for r in found] == [
        ("a", False),
        ("b", False),
        ("c", True),
    ]
    # b is due at 10:00; at 09:30 it is active: null, paused or not.
    (b,) = rows([data[1]], FIRST_HOUR, as_of=m(30), paused=["b"])
    assert (b["is_active_sla"], b["is_sla_breach"]) == (True, None)
    # b's breach at 10:00 is in the past at 10:30: paused, so false.
    (b,) = rows([data[1]], FIRST_HOUR, as_of=m(90), paused=["b"])
    assert (b["is_active_sla"], b["is_sla_breach"]) == (False, False)
    # Only the flag changes: the elapsed time and breach time stay.
    assert (b["sla_elapsed_time"], b["sla_breach_at"]) == (90.0, m(60))


def _private(*events: tuple[float, str, bool]) -> Ticket:
    """A ticket created at T0; comments at minutes after T0 as (minute, author, public)."""
    return Ticket(
        id="p",
        customer_id="ann",
        created=T0,
        messages=[Message(at=m(x), author=who, public=public) for x, who, public in events],
        statuses=[StatusChange(at=T0, status="open")],
    )


def test_a_privately_created_ticket_starts_its_first_reply_at_the_customer_s_comment():
    # An agent opens the ticket with an internal note at 09:00, writes the
    # first public comment at 09:05; the customer answers at 09:30 and the
    # agent replies at 10:40. By v1.6.1 the target runs from creation and the
    # 09:05 comment is the reply (met, 5 minutes). By the 1.9 rule it runs
    # from 09:30, so the reply is 10:40: due at 10:30, breached, 70 minutes.
    record = _private(
        (0, "agent", False), (5, "agent", True), (30, "customer", True), (100, "agent", True)
    )
    (v16,) = rows([record], FIRST_HOUR, as_of=m(240))
    assert (v16["sla_applied_at"], v16["sla_elapsed_time"], v16["is_sla_breach"]) == (
        T0,
        5.0,
        False,
    )
    (v19,) = rows([record], FIRST_HOUR, as_of=m(240), private_creation="customer_comment")
    assert (v19["sla_applied_at"], v19["sla_breach_at"]) == (m(30), m(90))
    assert (v19["sla_elapsed_time"], v19["is_sla_breach"]) == (70.0, True)


def test_a_privately_created_ticket_without_a_customer_comment_keeps_creation():
    # No public customer comment: applied at creation still, but the agent's
    # own creating public comment (09:05) is no reply; the next one (10:40) is.
    record = _private((0, "agent", False), (5, "agent", True), (100, "agent", True))
    (row,) = rows([record], FIRST_HOUR, as_of=m(240), private_creation="customer_comment")
    assert (row["sla_applied_at"], row["sla_elapsed_time"]) == (T0, 100.0)
    assert (row["sla_breach_at"], row["is_sla_breach"]) == (m(60), True)


@pytest.mark.parametrize(
    "events",
    [
        # The customer wrote first, publicly: not privately created.
        [(0, "agent", False), (2, "customer", True), (5, "agent", True), (30, "customer", True)],
        # The customer wrote privately before the agent's first public comment.
        [(0, "customer", False), (5, "agent", True), (30, "customer", True)],
        # No internal note before the agent's first public comment (outreach).
        [(5, "agent", True), (6, "agent", False), (30, "customer", True)],
    ],
)
def test_what_is_not_privately_created_keeps_creation(events: list[tuple[float, str, bool]]):
    record = _private(*events, (100, "agent", True))
    v16 = rows([record], FIRST_HOUR, as_of=m(240))
    v19 = rows([record], FIRST_HOUR, as_of=m(240), private_creation="customer_comment")
    assert v19 == v16
    assert v19[0]["sla_applied_at"] == T0


def test_private_creation_takes_one_of_two_values():
    with pytest.raises(ValueError, match="private_creation"):
        rows([ticket()], FIRST_HOUR, private_creation="first_public")  # type: ignore[arg-type]


def test_active_target_has_no_breach_flag():
    # No reply yet at 09:30: 30 minutes elapsed, breach due at 10:00.
    (row,) = rows([ticket((10, "open"))], FIRST_HOUR, as_of=m(30))
    assert (row["sla_elapsed_time"], row["sla_breach_at"]) == (30.0, m(60))
    assert (row["is_active_sla"], row["is_sla_breach"]) == (True, None)


def test_open_target_past_its_breach_is_a_breach():
    # Still no reply at 10:30: running, but breached at 10:00.
    (row,) = rows([ticket((10, "open"))], FIRST_HOUR, as_of=m(90))
    assert row["sla_elapsed_time"] == 90.0
    assert (row["is_active_sla"], row["is_sla_breach"]) == (False, True)


def test_business_hours_target():
    # Open 09:00-17:00 on weekdays. Created Monday 16:30, replied Tuesday
    # 09:15: 30 + 15 = 45 business minutes; the 60-minute target is
    # reached Tuesday 09:30.
    calendar = BusinessCalendar(
        timezone="UTC",
        hours={d: [("09:00", "17:00")] for d in ("mon", "tue", "wed", "thu", "fri")},
    )
    policy = SLAPolicy(
        calendar=calendar, rules=[SLARule(first_response=SLATarget(seconds=3600, business=True))]
    )
    created = m(450)  # Monday 16:30
    record = Ticket(
        id=1,
        customer_id="ann",
        created=created,
        messages=[Message(at=created, author="customer"), Message(at=m(1455), author="agent")],
        statuses=[StatusChange(at=created, status="new")],
    )
    (row,) = rows([record], policy, as_of=m(1500))
    assert row["in_business_hours"] is True
    assert row["sla_policy_name"] is None
    assert row["sla_elapsed_time"] == pytest.approx(45.0)
    assert row["sla_breach_at"] == m(1455)  # met: the reply, Tuesday 09:15
    assert (row["is_active_sla"], row["is_sla_breach"]) == (False, False)


def test_agent_work_counts_new_and_open_only():
    # New 09:00-09:20, pending 09:20-09:50, open 09:50-10:10, solved at
    # 10:10: 20 + 20 = 40 minutes of agent work against 60; not reached by
    # the solve, 20 minutes left, so it would breach at 10:30.
    record = ticket((20, "pending"), (50, "open"), (70, "solved"))
    policy = SLAPolicy(rules=[SLARule(agent_work=3600, requester_wait=1800)])
    by_metric = {r["metric"]: r for r in rows([record], policy, as_of=m(120))}
    work = by_metric["agent_work_time"]
    assert (work["sla_elapsed_time"], work["sla_breach_at"]) == (40.0, m(90))
    assert (work["is_active_sla"], work["is_sla_breach"]) == (False, False)
    # Requester wait counts new, open and hold: the same 40 minutes, past
    # its 30 at 09:50 + 10 minutes = 10:00.
    wait = by_metric["requester_wait_time"]
    assert (wait["sla_elapsed_time"], wait["sla_breach_at"]) == (40.0, m(60))
    assert wait["is_sla_breach"] is True


def test_targets_the_model_does_not_compute_are_left_out():
    # The resolution target has an outcome, but the model has no such metric.
    policy = SLAPolicy(rules=[SLARule(resolution=60, next_reply=600)])
    record = ticket((5, "agent"), (10, "customer"), (15, "agent"), (20, "solved"))
    assert len(sla_outcomes([record], policy)) == 2
    (row,) = rows([record], policy)
    assert (row["metric"], row["sla_applied_at"], row["sla_elapsed_time"]) == (
        "next_reply_time",
        m(10),
        5.0,
    )
    assert dbt_zendesk.sla_policies([], policy).to_rows() == []


def test_columns_and_repr():
    table = dbt_zendesk.sla_policies([ticket((10, "open"))], FIRST_HOUR, as_of=m(30))
    assert list(table.to_rows()[0]) == list(dbt_zendesk.SLA_COLUMNS)
    assert repr(table) == (
        "DbtSLAPolicies(1 targets, 1 active, 0 breached, as_of=2026-03-02 09:30:00+00:00)"
    )
    with pytest.raises(ValueError, match="'metrics'"):
        table.column("metrics")
    assert not set(dbt_zendesk.SLA_COLUMNS) & set(dbt_zendesk.SLA_NOT_PRODUCED)


def test_a_priority_change_keeps_only_the_latest_first_reply_target_from_creation():
    # Normal at creation (first reply in 4 h), urgent from 1 h (1 h); replied
    # at 3 h. sla_outcomes re-applies the urgent hour from the change (due at
    # 2 h, 2 h elapsed). The package keeps only the latest first reply target
    # and applies it from creation: due at 1 h, 180 minutes elapsed, breached.
    policy = SLAPolicy(
        rules=[SLARule(priority="urgent", first_response=3600), SLARule(first_response=4 * 3600)]
    )
    record = Ticket(
        id="p",
        customer_id="ann",
        created=T0,
        messages=[Message(at=T0, author="customer"), Message(at=m(180), author="agent")],
        statuses=[StatusChange(at=T0, status="open")],
        priority_changes=[(T0, "normal"), (m(60), "urgent")],
    )
    (ours,) = sla_outcomes([record], policy, as_of=m(240)).to_rows()
    assert (ours["applied_at"], ours["target_at"], ours["elapsed"]) == (m(60), m(120), 7200.0)
    (row,) = rows([record], policy, as_of=m(240))
    assert (row["sla_applied_at"], row["target"], row["sla_breach_at"]) == (T0, 60.0, m(60))
    assert (row["sla_elapsed_time"], row["is_sla_breach"]) == (180.0, True)
    # Applied at creation, so the priority applied is the one at creation,
    # though the target is the urgent one.
    assert row["priority_applied"] == "normal"


def test_a_priority_change_adds_a_next_reply_row_and_keeps_the_first():
    # The customer wrote again at 09:20 (next reply due in 2 h, normal) and
    # the ticket turned urgent at 09:30 (30 minutes, re-applied); the agent
    # answered at 10:10. sla_outcomes keeps the re-applied target only; the
    # package keeps a row per application, each timed to the reply.
    policy = SLAPolicy(
        rules=[SLARule(priority="urgent", next_reply=1800), SLARule(next_reply=7200)]
    )
    record = Ticket(
        id="n",
        customer_id="ann",
        created=T0,
        messages=[
            Message(at=T0, author="customer"),
            Message(at=m(10), author="agent"),
            Message(at=m(20), author="customer"),
            Message(at=m(70), author="agent"),
        ],
        statuses=[StatusChange(at=T0, status="open")],
        priority_changes=[(T0, "normal"), (m(30), "urgent")],
    )
    assert len(sla_outcomes([record], policy, as_of=m(240))) == 1
    found = [
        (r["sla_applied_at"], r["target"], r["sla_breach_at"], r["sla_elapsed_time"])
        for r in rows([record], policy, as_of=m(240))
    ]
    # 09:20 + 120 min: met by the 10:10 reply, 50 minutes; 09:30 + 30 min:
    # breached at 10:00, 40 minutes to the reply.
    assert found == [(m(20), 120.0, m(70), 50.0), (m(30), 30.0, m(60), 40.0)]
    priorities = [r["priority_applied"] for r in rows([record], policy, as_of=m(240))]
    assert priorities == ["normal", "urgent"]


def test_priority_applied_is_the_history_row_of_that_second_else_the_current_priority():
    # Next reply targets applied at 09:20:00.4 and 09:40; the history says
    # high from 09:20:00.9 (same second as the first application: the
    # package compares whole seconds, so high already holds) and null from
    # 09:30. A null value, or no row yet, falls back to the current
    # priority, "low".
    policy = SLAPolicy(rules=[SLARule(next_reply=3600)])
    record = Ticket(
        id="q",
        customer_id="ann",
        created=T0,
        priority="low",
        messages=[
            Message(at=T0, author="customer"),
            Message(at=m(10), author="agent"),
            Message(at=m(20) + timedelta(seconds=0.4), author="customer"),
            Message(at=m(30), author="agent"),
            Message(at=m(40), author="customer"),
        ],
        statuses=[StatusChange(at=T0, status="open")],
        priority_changes=[(m(20) + timedelta(seconds=0.9), "high"), (m(30), None)],
    )
    found = [(r["metric"], r["priority_applied"]) for r in rows([record], policy, as_of=m(60))]
    assert found == [("next_reply_time", "high"), ("next_reply_time", "low")]
    # No priority at all: None.
    (row,) = rows([ticket((30, "agent"))], FIRST_HOUR, as_of=m(60))
    assert row["priority_applied"] is None


AGENT_WORK = SLAPolicy(rules=[SLARule(agent_work=3600)])
MONTH = 30 * 24 * 60  # minutes


def test_agent_work_still_running_runs_thirty_days_past_as_of():
    # New since 09:00, still unsolved at 09:30: the package runs the current
    # status to 30 days past its current_timestamp, so 30 days and 30
    # minutes elapsed; the breach time (10:00) is still ahead: active.
    (row,) = rows([ticket()], AGENT_WORK, as_of=m(30))
    assert (row["metric"], row["sla_elapsed_time"], row["sla_breach_at"]) == (
        "agent_work_time",
        float(MONTH + 30),
        m(60),
    )
    assert (row["is_active_sla"], row["is_sla_breach"]) == (True, None)
    # At 10:30 the breach time has passed: breached, no longer active.
    (row,) = rows([ticket()], AGENT_WORK, as_of=m(90))
    assert row["sla_elapsed_time"] == float(MONTH + 90)
    assert (row["is_active_sla"], row["is_sla_breach"]) == (False, True)
    # sla_outcomes stops the clock at as_of.
    (ours,) = sla_outcomes([ticket()], AGENT_WORK, as_of=m(30)).to_rows()
    assert ours["elapsed"] == 1800.0


def test_agent_work_counts_minute_boundaries_and_needs_a_counted_status():
    # New from 09:00:40 to 09:02:10 (pending after): datediff(minute) counts
    # the boundaries 09:01 and 09:02, 2 minutes, not the 1.5 that passed.
    start = T0 + timedelta(seconds=40)
    record = Ticket(
        id="b",
        customer_id="ann",
        created=start,
        messages=[Message(at=start, author="customer")],
        statuses=[
            StatusChange(at=start, status="new"),
            StatusChange(at=T0 + timedelta(seconds=130), status="pending"),
        ],
    )
    (row,) = rows([record], AGENT_WORK, as_of=m(30))
    # Breach time: the segment's start plus the 60 minutes left; 10:00:40 is
    # after as_of, so the target is active though the ticket waits on the customer.
    assert (row["sla_elapsed_time"], row["sla_breach_at"]) == (2.0, start + timedelta(hours=1))
    assert (row["is_active_sla"], row["is_sla_breach"]) == (True, None)
    # Pending from creation: no new or open time after the target applied, no row.
    assert rows([ticket((0, "pending"))], AGENT_WORK, as_of=m(30)) == []


# -- properties -----------------------------------------------------------------------------

EVERY_TARGET = SLAPolicy(
    rules=[
        SLARule(
            first_response=600,
            next_reply=900,
            resolution=7200,
            requester_wait=3600,
            agent_work=1800,
            periodic_update=1200,
        )
    ]
)
REPLY_METRICS = {"first_response": "first_reply_time", "next_reply": "next_reply_time"}


@given(tickets())
def test_reply_rows_agree_with_sla_outcomes_where_the_package_does(records: list[Ticket]):
    # Without priority changes every target applies once, so the reply rows
    # are those of sla_outcomes; a met target's time is the reply that
    # stopped it, a breached one's the breach time, as the package writes them.
    data = Tickets.from_records(records)
    table = dbt_zendesk.sla_policies(data, EVERY_TARGET)
    dbt = table.to_rows()
    solved_at = {
        record.id: [c.at for c in record.statuses if c.status in ("solved", "closed")]
        for record in records
    }
    ours = [r for r in sla_outcomes(data, EVERY_TARGET).to_rows() if r["target"] in REPLY_METRICS]
    replies = [r for r in dbt if r["metric"] in REPLY_METRICS.values()]
    assert [(r["ticket_id"], r["metric"], r["sla_applied_at"]) for r in replies] == [
        (r["ticket_id"], REPLY_METRICS[r["target"]], r["applied_at"]) for r in ours
    ]
    for row, outcome in zip(replies, ours, strict=True):
        assert row["target"] * 60 == outcome["seconds"]
        if outcome["met"]:
            assert row["sla_breach_at"] == outcome["stopped_at"]
            assert row["is_sla_breach"] is False
            assert row["sla_elapsed_time"] * 60 == pytest.approx(outcome["elapsed"], abs=1e-2)
        # The package also takes a solved or closed status on a ticket already
        # solved as releasing a reply target; sla_outcomes takes only solves.
        solves = solved_at[row["ticket_id"]]
        if outcome["breached"] and not any(
            row["sla_applied_at"] < at <= outcome["target_at"] for at in solves
        ):
            assert row["sla_breach_at"] == outcome["target_at"]
            assert row["is_sla_breach"] is True
    for row in dbt:
        # Active exactly while the breach time is ahead; the flag null exactly then.
        assert row["is_active_sla"] == (row["sla_breach_at"] > table.as_of)
        assert (row["is_sla_breach"] is None) == row["is_active_sla"]


@given(tickets())
def test_status_rows_count_at_least_the_time_sla_outcomes_counts(records: list[Ticket]):
    # The package's clock runs on past as_of and counts minute boundaries,
    # so its elapsed time is never below sla_outcomes' by a minute or more
    # per status segment; a row is missing only for a target that counted
    # no time.
    data = Tickets.from_records(records)
    segments = {record.id: len(record.statuses) + 1 for record in records}
    dbt = {
        (r["ticket_id"], r["metric"]): r
        for r in dbt_zendesk.sla_policies(data, EVERY_TARGET).to_rows()
    }
    for outcome in sla_outcomes(data, EVERY_TARGET).to_rows():
        metric = dbt_zendesk.SLA_METRICS.get(outcome["target"])
        if metric not in ("agent_work_time", "requester_wait_time"):
            continue
        row = dbt.get((outcome["ticket_id"], metric))
        if row is None:
            assert outcome["elapsed"] == 0
            continue
        slack = 60 * segments[outcome["ticket_id"]]
        assert row["sla_elapsed_time"] * 60 > outcome["elapsed"] - slack
        assert row["sla_applied_at"] == outcome["applied_at"]


BY_PRIORITY = SLAPolicy(
    rules=[
        SLARule(priority="urgent", first_response=900, next_reply=900, agent_work=1800),
        SLARule(priority="high", first_response=3600, next_reply=1800, requester_wait=7200),
        SLARule(first_response=4 * 3600, next_reply=3600, agent_work=4 * 3600),
    ]
)


@given(tickets(histories=True))
def test_re_applied_targets_follow_the_package(records: list[Ticket]):
    # With priority changes: one first reply row per ticket at most, dated at
    # creation, with the target of the latest application; every
    # application of the other targets a row (the replaced ones included),
    # so at least as many next reply rows as sla_outcomes has.
    data = Tickets.from_records(records)
    dbt = dbt_zendesk.sla_policies(data, BY_PRIORITY).to_rows()
    ours = sla_outcomes(data, BY_PRIORITY).to_rows()
    created = {record.id: record.created for record in records}
    first = [r for r in dbt if r["metric"] == "first_reply_time"]
    assert len({r["ticket_id"] for r in first}) == len(first)
    for row in first:
        assert row["sla_applied_at"] == created[row["ticket_id"]]
        latest = [
            o for o in ours if (o["ticket_id"], o["target"]) == (row["ticket_id"], "first_response")
        ]
        assert row["target"] * 60 == latest[-1]["seconds"]
    assert {r["ticket_id"] for r in first} == {
        o["ticket_id"] for o in ours if o["target"] == "first_response"
    }
    replies = sum(r["metric"] == "next_reply_time" for r in dbt)
    assert replies >= sum(o["target"] == "next_reply" for o in ours)
    for row in dbt:
        assert row["sla_elapsed_time"] >= 0
        assert (row["is_sla_breach"] is None) == row["is_active_sla"]
    # priority_applied, row by row: the last history row (up to as_of) in or
    # before the second of sla_applied_at, else the current priority.
    cutoff = dbt_zendesk.sla_policies(data, BY_PRIORITY).as_of
    by_id = {record.id: record for record in records}
    for row in dbt:
        record = by_id[row["ticket_id"]]
        second = row["sla_applied_at"].replace(microsecond=0)
        seen = [
            c.priority
            for c in record.priority_changes
            if cutoff is not None and c.at <= cutoff and c.at.replace(microsecond=0) <= second
        ]
        expected = seen[-1] if seen and seen[-1] is not None else record.priority
        assert row["priority_applied"] == expected


REPLIES = SLAPolicy(rules=[SLARule(first_response=3600, next_reply=1800, agent_work=7200)])


@given(tickets())
def test_paused_clears_the_breach_flag_only(records: list[Ticket]):
    data = Tickets.from_records(records)
    plain = dbt_zendesk.sla_policies(data, REPLIES).to_rows()
    every = dbt_zendesk.sla_policies(data, REPLIES, paused=[r.id for r in records]).to_rows()
    assert len(plain) == len(every)
    for a, b in zip(plain, every, strict=True):
        assert {k: v for k, v in a.items() if k != "is_sla_breach"} == {
            k: v for k, v in b.items() if k != "is_sla_breach"
        }
        assert b["is_sla_breach"] == (None if a["is_sla_breach"] is None else False)


@given(tickets())
def test_private_creation_changes_only_tickets_with_an_internal_note(records: list[Ticket]):
    data = Tickets.from_records(records)
    plain = dbt_zendesk.sla_policies(data, REPLIES).to_rows()
    moved = dbt_zendesk.sla_policies(data, REPLIES, private_creation="customer_comment").to_rows()
    noted = {r.id for r in records if any(not message.public for message in r.messages)}
    assert [r for r in plain if r["ticket_id"] not in noted] == [
        r for r in moved if r["ticket_id"] not in noted
    ]
    for a, b in zip(plain, moved, strict=True):
        # Only a first reply target moves, and only later.
        if a["metric"] != "first_reply_time":
            assert a == b
        assert b["sla_applied_at"] >= a["sla_applied_at"]


# -- business hours: the package's weekly schedule arithmetic ------------------------------

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri")


def _business(calendar: BusinessCalendar, **targets: int) -> SLAPolicy:
    rule = SLARule(**{k: SLATarget(seconds=v, business=True) for k, v in targets.items()})
    return SLAPolicy(calendar=calendar, rules=[rule])


def _new(created: datetime, *events: tuple[datetime, str]) -> Ticket:
    """A ticket created by a customer comment, new from creation; events are statuses."""
    return Ticket(
        id="b",
        customer_id="ann",
        created=created,
        messages=[Message(at=created, author="customer")],
        statuses=[StatusChange(at=created, status="new")]
        + [StatusChange(at=at, status=status) for at, status in events],
    )


def test_business_status_minutes_keep_partial_minutes():
    # Open 09:00-17:00 UTC on weekdays. New from Monday 16:59:30 until solved
    # Tuesday 09:00:45: 30 + 45 seconds of business time, 1.25 minutes (the
    # package's minutes from the week's start are seconds / 60, not rounded).
    calendar = BusinessCalendar(timezone="UTC", hours={d: [("09:00", "17:00")] for d in WEEKDAYS})
    start = m(479.5)  # Monday 16:59:30
    record = _new(start, (m(1440) + timedelta(seconds=45), "solved"))
    (row,) = rows([record], _business(calendar, agent_work=3600), as_of=m(1500))
    assert row["sla_elapsed_time"] == 1.25
    assert (row["is_active_sla"], row["is_sla_breach"]) == (False, False)


def test_business_status_breach_is_a_whole_minute_across_the_week_boundary():
    # Open Saturday 20:00-24:00 and Sunday 00:00-04:00 UTC: one stretch across
    # the package's week boundary (Sunday 00:00 UTC). New from Saturday
    # 22:00:30 with 300 business minutes of agent work: 119.5 minutes on
    # Saturday, 180.5 on Sunday, so due Sunday 03:00:30. The package adds
    # cast(minutes as int) to the week's start: 03:00:30 rounds to 03:01.
    calendar = BusinessCalendar(
        timezone="UTC", hours={"sat": [("20:00", "24:00")], "sun": [("00:00", "04:00")]}
    )
    policy = _business(calendar, agent_work=300 * 60)
    start = datetime(2026, 3, 7, 22, 0, 30, tzinfo=UTC)
    record = _new(start)
    as_of = datetime(2026, 3, 7, 23, tzinfo=UTC)
    (ours,) = sla_outcomes([record], policy, as_of=as_of).to_rows()
    assert ours["target_at"] == datetime(2026, 3, 8, 3, 0, 30, tzinfo=UTC)
    (row,) = rows([record], policy, as_of=as_of)
    assert row["sla_breach_at"] == datetime(2026, 3, 8, 3, 1, tzinfo=UTC)
    assert (row["is_active_sla"], row["is_sla_breach"]) == (True, None)


def test_business_reply_breach_is_a_whole_second():
    # Open 09:00-17:00 UTC on weekdays. Created Monday 16:30:00.6, no reply
    # by Tuesday 10:00: the 60 business minutes ran out Tuesday 09:30:00.6;
    # the package adds cast(seconds as int) to the week's start: 09:30:01.
    calendar = BusinessCalendar(timezone="UTC", hours={d: [("09:00", "17:00")] for d in WEEKDAYS})
    created = m(450) + timedelta(seconds=0.6)
    record = _new(created)
    (row,) = rows([record], _business(calendar, first_response=3600), as_of=m(1500))
    assert row["sla_breach_at"] == m(1470) + timedelta(seconds=1)
    assert (row["is_active_sla"], row["is_sla_breach"]) == (False, True)


def test_business_minutes_follow_daylight_saving_time():
    # Open 09:00-17:00 New York time on weekdays; New York moves to summer
    # time on Sunday 2026-03-08. New from Friday 16:00 EST (21:00 UTC) with
    # 120 business minutes of agent work: 60 on Friday, 60 on Monday from
    # 09:00 EDT (13:00 UTC), due 14:00 UTC, as the package's schedule spine
    # has it (its summer version of the schedule holds from the Monday).
    calendar = BusinessCalendar(
        timezone="America/New_York", hours={d: [("09:00", "17:00")] for d in WEEKDAYS}
    )
    start = datetime(2026, 3, 6, 21, tzinfo=UTC)
    record = _new(start, (datetime(2026, 3, 9, 15, tzinfo=UTC), "solved"))
    (row,) = rows([record], _business(calendar, agent_work=7200), as_of=start + timedelta(days=4))
    assert row["sla_breach_at"] == datetime(2026, 3, 9, 14, tzinfo=UTC)
    # Solved at 15:00 UTC (11:00 EDT): 60 + 120 business minutes, breached.
    assert (row["sla_elapsed_time"], row["is_sla_breach"]) == (180.0, True)
