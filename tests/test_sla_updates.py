"""Hand-computed and property tests for the periodic and pausable update SLA targets."""

from __future__ import annotations

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
H = 3600.0


def hours(h: float) -> datetime:
    return T0 + timedelta(hours=h)


Comment = tuple[float, str] | tuple[float, str, bool]


def ticket(
    id: object,
    comments: tuple[Comment, ...] = (),
    statuses: tuple[tuple[float, str], ...] = (),
    **fields: object,
) -> csmetrics.Ticket:
    """A ticket created at T0: (hours, author[, public]) comments and (hours, status) changes."""
    return csmetrics.Ticket(
        id=id,
        customer_id="ann",
        created=T0,
        messages=[
            Message(
                at=hours(c[0]),
                author=c[1],  # type: ignore[arg-type]
                public=c[2] if len(c) > 2 else True,  # type: ignore[misc]
                author_id="max" if c[1] == "agent" else None,
            )
            for c in comments
        ],
        statuses=[csmetrics.StatusChange(at=hours(h), status=s) for h, s in statuses],
        **fields,  # type: ignore[arg-type]
    )


UPDATES = SLAPolicy(rules=[SLARule(periodic_update=2 * H, pausable_update=2 * H)])


LATER = hours(30)


def rows(
    records: list[csmetrics.Ticket],
    policy: SLAPolicy | list[SLAPolicy] = UPDATES,
    *,
    as_of: datetime = LATER,
) -> list[tuple[object, ...]]:
    """(target, applied_at h, target_at h, elapsed h, met, breached, open, excluded) per row."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", csmetrics.UndefinedMetricWarning)
        result = sla_attainment(records, policy, as_of=as_of)
    assert result.outcomes is not None

    def h(moment: object) -> float | None:
        assert moment is None or isinstance(moment, datetime)
        return None if moment is None else (moment - T0).total_seconds() / H

    return [
        (
            r["target"],
            h(r["applied_at"]),
            h(r["target_at"]),
            r["elapsed"] / H,
            r["met"],
            r["breached"],
            r["open"],
            r["excluded"],
        )
        for r in result.outcomes.to_rows()
    ]


# The customer writes at 0; the agent answers at 1 (pending), the customer at
# 2 (open), the agent at 4 (pending), the customer at 5 (open), and the agent
# solves with a comment at 7.
THREAD = ticket(
    1,
    ((0, "customer"), (1, "agent"), (2, "customer"), (4, "agent"), (5, "customer"), (7, "agent")),
    ((0, "new"), (1, "pending"), (2, "open"), (4, "pending"), (5, "open"), (7, "solved")),
)


def test_periodic_update_runs_from_each_public_agent_comment_to_the_next():
    periodic = [r for r in rows([THREAD]) if r[0] == "periodic_update"]
    # 1 -> 4 and 4 -> 7: 3 h each against 2 h, breached at 3 and 6. The
    # comment at 7 solves the ticket: no update is owed after it.
    assert periodic == [
        ("periodic_update", 1.0, 3.0, 3.0, False, True, False, False),
        ("periodic_update", 4.0, 6.0, 3.0, False, True, False, False),
    ]


def test_pausable_update_pauses_while_pending():
    pausable = [r for r in rows([THREAD]) if r[0] == "pausable_update"]
    # 1 -> 4: pending [1, 2) does not count, open [2, 4) does: 2 h, met (the
    # limit included), due at 4. 4 -> 7: pending [4, 5), open [5, 7): the same.
    assert pausable == [
        ("pausable_update", 1.0, 4.0, 2.0, True, False, False, False),
        ("pausable_update", 4.0, 7.0, 2.0, True, False, False, False),
    ]


def test_pausable_update_keeps_running_on_hold():
    held = ticket(2, ((0, "customer"), (1, "agent"), (5, "agent")), ((0, "open"), (1, "hold")))
    # On hold counts (only pending pauses): 4 h of 2 h, due at 3.
    assert next(r for r in rows([held], as_of=hours(6)) if r[0] == "pausable_update") == (
        "pausable_update",
        1.0,
        3.0,
        4.0,
        False,
        True,
        False,
        False,
    )


def test_internal_notes_and_customer_comments_neither_owe_nor_give_an_update():
    noted = ticket(
        3,
        ((0, "customer"), (1, "agent"), (2, "agent", False), (2.5, "customer"), (2.75, "agent")),
        ((0, "open"), (3, "solved")),
    )
    periodic = [r for r in rows([noted]) if r[0] == "periodic_update"]
    # Only the public comments at 1 and 2.75 count: 1.75 h of 2, met.
    assert periodic == [
        ("periodic_update", 1.0, 3.0, 1.75, True, False, False, False),
        ("periodic_update", 2.75, 4.75, 0.25, False, False, False, True),
    ]


def test_a_solve_releases_a_running_update():
    # Solved 0.5 h after the agent's comment without another one: within the
    # target, no update was owed (excluded); 3 h after it: already breached.
    quick = ticket(4, ((0, "customer"), (1, "agent")), ((0, "open"), (1.5, "solved")))
    slow = ticket(5, ((0, "customer"), (1, "agent")), ((0, "open"), (4, "solved")))
    policy = SLAPolicy(rules=[SLARule(periodic_update=2 * H)])
    assert rows([quick, slow], policy) == [
        ("periodic_update", 1.0, 3.0, 0.5, False, False, False, True),
        ("periodic_update", 1.0, 3.0, 3.0, False, True, False, False),
    ]


def test_the_comment_that_solves_owes_no_update():
    solved = ticket(6, ((0, "customer"), (1, "agent")), ((0, "open"), (1, "solved")))
    assert rows([solved]) == []


def test_an_agent_created_ticket_owes_updates_from_its_creating_comment():
    created = ticket(7, ((0, "agent"), (3, "agent")), ((0, "open"), (3, "solved")))
    policy = SLAPolicy(rules=[SLARule(periodic_update=2 * H)])
    assert rows([created], policy) == [
        ("periodic_update", 0.0, 2.0, 3.0, False, True, False, False)
    ]


def test_an_update_still_owed_is_pending_then_breached_at_as_of():
    waiting = ticket(8, ((0, "customer"), (1, "agent")), ((0, "open"),))
    policy = SLAPolicy(rules=[SLARule(periodic_update=2 * H)])
    assert rows([waiting], policy, as_of=hours(2)) == [
        ("periodic_update", 1.0, 3.0, 1.0, False, False, True, False)
    ]
    assert rows([waiting], policy, as_of=hours(4)) == [
        ("periodic_update", 1.0, 3.0, 3.0, False, True, True, False)
    ]


def test_a_paused_update_at_as_of_breaches_when_the_clock_would_run_on():
    # Pending from 1: at as_of 5 the clock stands at 0; it would run out 2 h
    # after as_of.
    parked = ticket(9, ((0, "customer"), (1, "agent")), ((0, "open"), (1, "pending")))
    policy = SLAPolicy(rules=[SLARule(pausable_update=2 * H)])
    assert rows([parked], policy, as_of=hours(5)) == [
        ("pausable_update", 1.0, 7.0, 0.0, False, False, True, False)
    ]


def test_after_a_reopen_updates_are_owed_from_the_next_agent_comment():
    reopened = ticket(
        10,
        ((0, "customer"), (1, "agent"), (2, "customer"), (5, "agent"), (6, "agent")),
        ((0, "open"), (1.5, "solved"), (2, "open"), (6, "solved")),
    )
    policy = SLAPolicy(rules=[SLARule(periodic_update=2 * H)])
    # 1 -> solve at 1.5: excluded; nothing owed while solved and after the
    # reopen until the comment at 5; 5 -> 6: met.
    assert rows([reopened], policy) == [
        ("periodic_update", 1.0, 3.0, 0.5, False, False, False, True),
        ("periodic_update", 5.0, 7.0, 1.0, True, False, False, False),
    ]


def test_a_raised_priority_reapplies_the_update_target_from_the_change():
    policy = SLAPolicy(
        rules=[
            SLARule(priority="urgent", periodic_update=H),
            SLARule(periodic_update=4 * H),
        ]
    )
    raised = ticket(
        11,
        ((0, "customer"), (1, "agent"), (4, "agent")),
        ((0, "open"), (4, "solved")),
        priority_changes=[(hours(0), "normal"), (hours(2), "urgent")],
    )
    result = sla_attainment([raised], policy, as_of=hours(10))
    assert result.outcomes is not None
    [row] = result.outcomes.to_rows()
    # The normal 4 h run from 1 is replaced at 2 by the urgent 1 h: due at 3,
    # the update came at 4.
    assert (row["priority"], row["applied_at"], row["target_at"]) == ("urgent", hours(2), hours(3))
    assert (row["elapsed"], row["breached"]) == (2 * H, True)


def test_a_policy_change_reapplies_an_update_and_an_earlier_breach_stands():
    strict = SLAPolicy(name="strict", rules=[SLARule(periodic_update=H)])
    relaxed = SLAPolicy(name="relaxed", rules=[SLARule(periodic_update=4 * H)])
    thread = ((0, "customer"), (1, "agent"), (4, "agent"))
    statuses = ((0, "open"), (4, "solved"))
    # Relaxed until 2, strict from then: the run from 1 is re-applied at 2,
    # due at 3; the update came at 4.
    tightened = ticket(
        13, thread, statuses, sla_policy_changes=[(hours(0), "relaxed"), (hours(2), "strict")]
    )
    # Strict until 3, relaxed from then: the strict run breached at 2, before
    # the change, and stands; the relaxed one runs from 3 to the update at 4.
    loosened = ticket(
        14, thread, statuses, sla_policy_changes=[(hours(0), "strict"), (hours(3), "relaxed")]
    )
    assert rows([tightened], [strict, relaxed]) == [
        ("periodic_update", 2.0, 3.0, 2.0, False, True, False, False)
    ]
    assert rows([loosened], [strict, relaxed]) == [
        ("periodic_update", 1.0, 2.0, 3.0, False, True, False, False),
        ("periodic_update", 3.0, 7.0, 1.0, True, False, False, False),
    ]


def test_business_hours_update_targets():
    office = BusinessCalendar(
        timezone="UTC", hours={d: [("09:00", "17:00")] for d in ("mon", "tue", "wed", "thu", "fri")}
    )
    policy = SLAPolicy(
        calendar=office,
        rules=[
            SLARule(
                periodic_update=SLATarget(seconds=2 * H, business=True),
                pausable_update=SLATarget(seconds=2 * H, business=True),
            )
        ],
    )
    # Agent comment Monday 16:00 (hour 7); the next one Tuesday 10:30 (hour
    # 25.5): 1 open hour on Monday and 1.5 on Tuesday. The 2 h run out on
    # Tuesday 10:00. Pending Monday 17:00 to Tuesday 10:00 pauses the pausable
    # update: 1 h + 0.5 h, due 1 h after 10:00.
    evening = ticket(
        12,
        ((0, "customer"), (7, "agent"), (25.5, "agent")),
        ((0, "open"), (8, "pending"), (25, "open"), (25.5, "solved")),
    )
    assert rows([evening], policy) == [
        ("periodic_update", 7.0, 25.0, 2.5, False, True, False, False),
        ("pausable_update", 7.0, 26.0, 1.5, True, False, False, False),
    ]


def test_update_targets_refuse_contacts():
    contact = Interaction(id="a", customer_id="x", start=T0, first_response_at=hours(1))
    with pytest.raises(ValueError, match="periodic_update targets need tickets"):
        sla_attainment([contact], SLAPolicy(rules=[SLARule(periodic_update=H)]))


# --- properties ------------------------------------------------------------------------------

OFFICE = BusinessCalendar(
    timezone="Europe/Berlin",
    hours={d: [("08:00", "18:00")] for d in ("mon", "tue", "wed", "thu", "fri")},
)
CALENDARS = {None: OFFICE, "a": BusinessCalendar.always(), "b": OFFICE}


def update_policy(*, business: bool) -> SLAPolicy:
    """Update targets by priority, all in business time or all in calendar time."""

    def target(h: float) -> SLATarget:
        return SLATarget(seconds=h * H, business=business)

    return SLAPolicy(
        calendar=CALENDARS,
        rules=[
            SLARule(priority="urgent", periodic_update=target(1), pausable_update=target(1)),
            SLARule(priority="high", periodic_update=target(4)),
            SLARule(periodic_update=target(8), pausable_update=target(6)),
        ],
    )


BUSINESS, CALENDAR = update_policy(business=True), update_policy(business=False)
AS_OF = datetime(2026, 3, 20, tzinfo=timezone.utc)


def attain(records: list[csmetrics.Ticket], policy: SLAPolicy) -> csmetrics.SLAAttainment:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", csmetrics.UndefinedMetricWarning)
        return sla_attainment(records, policy, as_of=AS_OF)


def outcome_rows(records: list[csmetrics.Ticket], policy: SLAPolicy) -> list[dict[str, object]]:
    result = attain(records, policy)
    assert result.outcomes is not None
    return result.outcomes.to_rows()


def key(row: dict[str, object]) -> tuple[str, str, object]:
    return (str(row["ticket_id"]), str(row["target"]), row["applied_at"])


@given(tickets(histories=True), st.booleans())
def test_every_update_target_is_met_breached_pending_or_excluded(
    records: list[csmetrics.Ticket], business: bool
):
    policy = BUSINESS if business else CALENDAR
    result = attain(records, policy)
    assert result.outcomes is not None
    count = len(result.outcomes)
    assert result.numerator + result.breached + result.pending + result.excluded == count
    for row in result.outcomes.to_rows():
        assert row["target"] in ("periodic_update", "pausable_update")
        assert row["breached"] == (row["elapsed"] > row["seconds"])
        assert row["target_at"] is None or row["target_at"] >= row["applied_at"]
        if row["target"] == "periodic_update" and not business:
            assert row["target_at"] - row["applied_at"] == timedelta(seconds=row["seconds"])


@given(tickets(histories=True))
def test_business_update_time_never_exceeds_calendar_time(records: list[csmetrics.Ticket]):
    calendar = {key(row): row for row in outcome_rows(records, CALENDAR)}
    business = outcome_rows(records, BUSINESS)
    for row in business:
        if key(row) in calendar:
            assert row["elapsed"] <= calendar[key(row)]["elapsed"] + 1e-6


@given(tickets(histories=True), st.randoms(use_true_random=False))
def test_update_outcomes_do_not_depend_on_ticket_order(records: list[csmetrics.Ticket], rng):
    shuffled = list(records)
    rng.shuffle(shuffled)
    assert sorted(outcome_rows(records, BUSINESS), key=key) == sorted(
        outcome_rows(shuffled, BUSINESS), key=key
    )


@given(tickets(histories=True))
def test_update_outcomes_of_objects_and_table_agree(records: list[csmetrics.Ticket]):
    table = csmetrics.Tickets.from_records(records)
    assert outcome_rows(table.to_records(), BUSINESS) == outcome_rows(records, BUSINESS)


@given(tickets(histories=True), st.lists(st.integers(0, 2), min_size=1, max_size=12))
def test_update_attainment_of_parts_merges_into_the_whole(
    records: list[csmetrics.Ticket], assign: list[int]
):
    parts: list[list[csmetrics.Ticket]] = [[], [], []]
    for i, record in enumerate(records):
        parts[assign[i % len(assign)]].append(record)
    whole = attain(records, BUSINESS)
    merged = attain(parts[0], BUSINESS)
    for part in parts[1:]:
        merged = merged.merge(attain(part, BUSINESS))
    assert merged.counts() == whole.counts()
    assert merged.breaches == whole.breaches
    assert merged.by_target is not None
    assert whole.by_target is not None
    # (A merged breakdown lists its groups in the order the parts met them.)
    by_target = {row["target"]: row for row in merged.by_target.to_rows()}
    assert by_target == {row["target"]: row for row in whole.by_target.to_rows()}
