"""Ticket metrics: one hand-computed test per field and per vendor rule, and their properties.

Every expected number is worked out by hand from the ticket's history in the
comment next to it. Times are hours after T0 (a Monday, 09:00 UTC) unless
said otherwise.
"""

from __future__ import annotations

import math
import warnings
from datetime import datetime, timedelta, timezone
from typing import Any

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import csmetrics
from csmetrics import (
    BusinessCalendar,
    Message,
    StatusChange,
    Ticket,
    TicketMetrics,
    Tickets,
    ticket_metrics,
)
from strategies import tickets

UTC = timezone.utc
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)  # a Monday
H = 3600.0


def at(hours: float) -> datetime:
    return T0 + timedelta(hours=hours)


def ticket(id: object = 1, *events: tuple[Any, ...], **fields: Any) -> Ticket:
    """A ticket created at T0 from (hours, kind, arg) events.

    kinds: a status name; "customer"; "agent" (arg: author id); "note" (an
    internal agent note, arg: author id); "bot".
    """
    messages, statuses = [], []
    for hours, kind, *arg in events:
        who = arg[0] if arg else None
        if kind in csmetrics.STATUSES:
            statuses.append(StatusChange(at=at(hours), status=kind))
        elif kind == "note":
            messages.append(Message(at=at(hours), author="agent", public=False, author_id=who))
        else:
            messages.append(Message(at=at(hours), author=kind, author_id=who))
    fields.setdefault("customer_id", "ann")
    fields.setdefault("created", T0)
    return Ticket(id=id, messages=messages, statuses=statuses, **fields)


def row(*tickets_: Ticket, **options: Any) -> dict[str, Any]:
    """The metrics row of the first ticket."""
    return ticket_metrics(Tickets.from_records(tickets_), **options).to_rows()[0]


LIFE = ticket(
    1,
    (0, "new"),
    (0, "customer", "ann"),
    (0.5, "open"),
    (0.5, "note", "max"),
    (1, "agent", "max"),
    (1, "pending"),
    (3, "customer", "ann"),
    (3, "open"),
    (4, "agent", "max"),
    (4, "solved"),
    (30, "closed"),
)
"""new [0, .5), open [.5, 1), pending [1, 3), open [3, 4), solved at 4, closed at 30."""


# -- every field, on one ticket -------------------------------------------------------------------


def test_every_field_of_one_ticket():
    r = row(LIFE)
    assert r["ticket_id"] == 1
    assert (r["status"], r["open"]) == ("closed", False)
    assert r["first_reply_at"] == at(1)
    assert r["first_solved_at"] == r["solved_at"] == at(4)
    assert r["first_reply"] == 1 * H
    assert r["first_resolution"] == r["full_resolution"] == 4 * H
    assert r["requester_wait"] == 2 * H  # new .5 + open .5 + open 1
    assert r["agent_wait"] == 2 * H  # pending 1..3
    assert r["on_hold"] == 0.0
    assert r["agent_work"] == 2 * H
    assert r["solve_time"] == 4 * H
    assert (r["resolutions"], r["reopens"]) == (1, 0)  # solved -> closed is no new resolution
    assert r["public_agent_comments"] == 2
    assert r["agent_replies"] == 2
    assert r["customer_comments"] == 2
    assert r["internal_comments"] == 1
    assert r["agents"] == 1
    assert r["assignee_changes"] == 0
    assert (r["touches"], r["touch_class"]) == (2, "two")
    for name in ("first_reply", "full_resolution", "requester_wait", "solve_time"):
        assert r[f"{name}_business"] is None  # no calendar given
    assert list(r) == list(csmetrics.metrics.tickets.TICKET_FIELDS)


def test_business_fields_with_an_office_calendar():
    office = BusinessCalendar(
        timezone="UTC", hours={d: [("09:00", "17:00")] for d in ("mon", "tue", "wed", "thu", "fri")}
    )
    r = row(LIFE, calendar=office)
    # Everything before the solve lies inside Monday 09:00-13:00: all business time.
    assert r["first_reply_business"] == 1 * H
    assert r["requester_wait_business"] == 2 * H
    assert r["solve_time_business"] == 4 * H
    assert r["full_resolution_business"] == 4 * H


# -- schedules that change ------------------------------------------------------------------------

WEEKDAY_OFFICE = BusinessCalendar(
    timezone="UTC", hours={d: [("09:00", "17:00")] for d in ("mon", "tue", "wed", "thu", "fri")}
)
SCHEDULES = {"office": WEEKDAY_OFFICE, "24x7": BusinessCalendar.always()}


def test_schedule_switched_mid_life_is_summed_piecewise():
    # Office hours from creation (Monday 09:00), a trigger moves the ticket to
    # 24x7 at 12:00; replied at 19:00, solved at 20:00.
    life = ticket(
        1,
        (0, "customer"),
        (10, "agent", "max"),
        (11, "solved"),
        schedule_changes=[(at(0), "office"), (at(3), "24x7")],
    )
    r = row(life, calendar=SCHEDULES)
    assert r["first_reply"] == 10 * H
    assert r["first_reply_business"] == 3 * H + 7 * H  # 09-12 office, 12-19 around the clock
    assert r["full_resolution_business"] == 3 * H + 8 * H
    assert r["requester_wait_business"] == r["solve_time_business"] == 11 * H
    # The same ticket under the office hours alone: 09:00-17:00.
    assert row(life, calendar=WEEKDAY_OFFICE)["solve_time_business"] == 8 * H


def test_schedule_applied_three_seconds_after_creation_is_honoured():
    # Created Saturday 10:00 on the default 24x7 schedule, moved to office
    # hours 3 s later, solved Monday 10:00: 3 s + Monday 09:00-10:00.
    saturday = T0 - timedelta(days=2) + timedelta(hours=1)
    life = Ticket(
        id=1,
        customer_id="ann",
        created=saturday,
        messages=[],
        statuses=[StatusChange(at=saturday + timedelta(days=2), status="solved")],
        schedule_changes=[(saturday + timedelta(seconds=3), "office")],
    )
    r = row(life, calendar={None: BusinessCalendar.always(), "office": WEEKDAY_OFFICE})
    assert r["solve_time_business"] == r["full_resolution_business"] == 3 + 1 * H


def test_per_ticket_calendars_switch_back_and_forth():
    # office [0, 1) -> 24x7 [1, 2) -> office [2, ...): Monday 09-10, 10-11, 11-17, Tue 09-10.
    life = ticket(
        1,
        (25, "solved"),
        schedule_changes=[(at(1), "24x7"), (at(2), "office")],
    )
    r = row(life, calendar={None: WEEKDAY_OFFICE, **SCHEDULES})
    assert r["solve_time_business"] == 9 * H


BERLIN_OFFICE = BusinessCalendar(
    timezone="Europe/Berlin", hours={d: [("00:00", "24:00")] for d in ("sat", "sun")}
)
"""Open all weekend (local days), in a zone with DST."""


def berlin_ticket(created: datetime, solved: datetime) -> Ticket:
    return Ticket(
        id=1,
        customer_id="ann",
        created=created,
        messages=[],
        statuses=[StatusChange(at=solved, status="solved")],
    )


def test_dst_start_business_day_is_23_hours():
    # Europe/Berlin springs forward on Sunday 2026-03-29: Saturday 00:00 CET to
    # Monday 00:00 CEST is 24 + 23 hours of open time.
    start = datetime(2026, 3, 27, 23, tzinfo=UTC)  # Saturday 00:00 CET
    end = datetime(2026, 3, 29, 22, tzinfo=UTC)  # Monday 00:00 CEST
    r = row(berlin_ticket(start, end), calendar=BERLIN_OFFICE)
    assert r["solve_time"] == r["solve_time_business"] == 47 * H


def test_dst_end_business_day_is_25_hours():
    # Clocks go back on Sunday 2026-10-25: the weekend holds 24 + 25 hours.
    start = datetime(2026, 10, 23, 22, tzinfo=UTC)  # Saturday 00:00 CEST
    end = datetime(2026, 10, 25, 23, tzinfo=UTC)  # Monday 00:00 CET
    r = row(berlin_ticket(start, end), calendar=BERLIN_OFFICE)
    assert r["solve_time_business"] == 49 * H


def test_one_day_holiday_is_closed():
    # Thursday 2026-12-31 is a holiday: from Thursday 00:00 to Saturday 06:00
    # local, only Friday 09:00-17:00 is open.
    start = datetime(2026, 12, 30, 23, tzinfo=UTC)  # Thursday 00:00 CET
    end = datetime(2027, 1, 2, 5, tzinfo=UTC)  # Saturday 06:00 CET
    week = BusinessCalendar(
        timezone="Europe/Berlin",
        hours={d: [("09:00", "17:00")] for d in ("mon", "tue", "wed", "thu", "fri", "sat")},
        holidays=["2026-12-31"],
    )
    r = row(berlin_ticket(start, end), calendar=week)
    assert r["solve_time_business"] == 8 * H


def test_two_day_holiday_is_closed_on_both_days():
    # Thursday 24 and Friday 25 December closed: from Wednesday 17:00 to Monday
    # 10:00, only Saturday and Sunday 09:00-17:00 and Monday 09:00-10:00 are open.
    week = BusinessCalendar(
        timezone="Europe/Berlin",
        hours={d: [("09:00", "17:00")] for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")},
        holidays=["2026-12-24", "2026-12-25"],
    )
    start = datetime(2026, 12, 23, 16, tzinfo=UTC)  # Wednesday 17:00 CET
    end = datetime(2026, 12, 28, 9, tzinfo=UTC)  # Monday 10:00 CET
    r = row(berlin_ticket(start, end), calendar=week)
    assert r["solve_time_business"] == 8 * H + 8 * H + 1 * H


def test_per_ticket_calendar_errors_name_the_ticket():
    life = ticket(7, (1, "solved"), schedule_changes=[(at(0), "night")])
    with pytest.raises(csmetrics.InvalidDataError, match=r"7.*schedule_id.*'night'"):
        row(life, calendar=SCHEDULES)
    late = ticket(8, (1, "solved"), schedule_changes=[(at(0.5), "office")])
    with pytest.raises(csmetrics.InvalidDataError, match=r"8.*no schedule at creation"):
        row(late, calendar=SCHEDULES)
    with pytest.raises(TypeError, match=r"calendar\['office'\]"):
        row(late, calendar={"office": "09-17"})


def test_unhashable_calendar_is_named_by_every_ticket_metric():
    life = ticket(9, (1, "solved"))
    for metric in (ticket_metrics, csmetrics.requester_wait_time, csmetrics.on_hold_time):
        with pytest.raises(TypeError, match=r"calendar=\[1\] is not allowed"):
            metric([life], calendar=[1])


def test_per_ticket_results_record_and_merge_as_per_ticket():
    one = ticket(1, (11, "solved"), schedule_changes=[(at(0), "office"), (at(3), "24x7")])
    two = ticket(2, (2, "solved"), schedule_changes=[(at(0), "24x7")])
    assert ticket_metrics([one, two], calendar=SCHEDULES).calendar == "per-ticket"
    whole = csmetrics.requester_wait_time([one, two], calendar=SCHEDULES, as_of=at(12))
    parts = csmetrics.requester_wait_time([one], calendar=SCHEDULES, as_of=at(12)).merge(
        csmetrics.requester_wait_time([two], calendar=SCHEDULES, as_of=at(12))
    )
    assert whole.calendar == parts.calendar == "per-ticket"
    assert whole.values.tolist() == parts.values.tolist() == [2 * H, 11 * H]
    single = csmetrics.requester_wait_time([two], calendar=WEEKDAY_OFFICE, as_of=at(12))
    with pytest.raises(ValueError, match="calendar"):
        whole.merge(single)


# -- the vendor rules -----------------------------------------------------------------------------


def test_agent_created_ticket_first_reply_is_the_agents_next_public_comment():
    # Zendesk: a ticket an agent opened with a public comment waits for the
    # agent's next public comment (here at 3, after the customer's answer at 2).
    r = row(
        ticket(
            1,
            (0, "agent", "max"),
            (0, "open"),
            (2, "customer"),
            (3, "agent", "max"),
            submitter_role="agent",
        )
    )
    assert r["first_reply"] == 3 * H
    assert r["public_agent_comments"] == 2
    assert r["agent_replies"] == 1


def test_agent_created_ticket_with_an_internal_note_first():
    # The creating comment is a note: the first public agent comment (at 1) replies.
    r = row(ticket(1, (0, "note", "max"), (1, "agent", "max"), submitter_role="agent"))
    assert r["first_reply"] == 1 * H
    assert (r["agent_replies"], r["internal_comments"]) == (1, 1)


def test_internal_note_first_is_not_a_reply():
    r = row(ticket(1, (0, "customer"), (1, "note", "max"), (2, "agent", "max")))
    assert r["first_reply"] == 2 * H
    assert r["first_reply_at"] == at(2)
    assert r["internal_comments"] == 1


def test_admin_reply_counts_as_an_agents():
    # Readers map the admin role to "agent" (decision 66): an admin's comment replies.
    r = row(ticket(1, (0, "customer"), (1.5, "agent", "admin-1")))
    assert r["first_reply"] == 1.5 * H
    assert r["agents"] == 1


def test_bot_comment_is_never_a_reply():
    r = row(ticket(1, (0, "customer"), (0.1, "bot"), (2, "agent", "max")))
    assert r["first_reply"] == 2 * H
    assert r["public_agent_comments"] == 1


def test_closed_without_solve_is_a_resolution():
    r = row(ticket(1, (0, "open"), (5, "closed")))
    assert r["first_resolution"] == r["full_resolution"] == 5 * H
    assert (r["resolutions"], r["status"], r["open"]) == (1, "closed", False)
    assert r["solve_time"] == 5 * H


def test_reopen_then_resolve_again():
    r = row(ticket(1, (0, "open"), (2, "solved"), (5, "open"), (7, "solved"), (40, "closed")))
    assert r["first_resolution"] == 2 * H
    assert r["full_resolution"] == 7 * H
    assert (r["first_solved_at"], r["solved_at"]) == (at(2), at(7))
    assert (r["resolutions"], r["reopens"]) == (2, 1)
    assert r["requester_wait"] == r["solve_time"] == 4 * H  # [0, 2) + [5, 7)


def test_reopen_still_open_has_no_full_resolution():
    r = row(ticket(1, (0, "open"), (2, "solved"), (5, "open")), as_of=at(8))
    assert r["first_resolution"] == 2 * H
    assert r["full_resolution"] is None
    assert r["solved_at"] is None
    assert (r["resolutions"], r["reopens"]) == (1, 1)
    assert (r["status"], r["open"]) == ("open", True)
    assert r["requester_wait"] == 5 * H  # [0, 2) + [5, 8): the open status runs to as_of
    assert (r["touches"], r["touch_class"]) == (None, None)


def test_consecutive_customer_comments_wait_for_one_reply():
    r = row(ticket(1, (0, "customer"), (1, "customer"), (2, "customer"), (3, "agent", "max")))
    assert r["first_reply"] == 3 * H
    assert (r["customer_comments"], r["agent_replies"]) == (3, 1)


def test_on_hold_without_pending():
    r = row(ticket(1, (0, "new"), (1, "open"), (2, "hold"), (4, "open"), (5, "solved")))
    assert r["on_hold"] == 2 * H
    assert r["agent_wait"] == 0.0
    assert r["agent_work"] == 3 * H
    assert r["requester_wait"] == r["solve_time"] == 5 * H


def test_after_hours_reply_counts_only_open_hours():
    office = BusinessCalendar(
        timezone="UTC", hours={d: [("09:00", "17:00")] for d in ("mon", "tue", "wed", "thu", "fri")}
    )
    # Created Monday 16:00, answered Tuesday 10:00: 18 h, of which 16-17 and 9-10 are open.
    r = row(
        ticket(1, (7, "customer"), (25, "agent", "max"), created=at(7)),
        calendar=office,
    )
    assert r["first_reply"] == 18 * H
    assert r["first_reply_business"] == 2 * H
    # The ticket is new the whole time, up to as_of (the reply): the same open hours.
    assert r["requester_wait_business"] == 2 * H


def test_status_before_the_first_change_is_new():
    r = row(ticket(1, (0, "customer"), (2, "open"), (3, "solved")))
    assert r["agent_work"] == 3 * H  # new [0, 2) + open [2, 3)


def test_ticket_created_solved():
    # A phone call logged as solved at creation: resolved at once, no reply.
    r = row(ticket(1, (0, "solved")))
    assert r["first_resolution"] == 0.0
    assert (r["touches"], r["touch_class"]) == (0, None)


def test_touches_count_replies_up_to_the_latest_resolution():
    r = row(
        ticket(
            1,
            (0, "customer"),
            (1, "agent", "a"),
            (2, "agent", "b"),
            (3, "agent", "a"),
            (3, "solved"),
            (4, "agent", "a"),  # after the solve: not a touch
        )
    )
    assert (r["agent_replies"], r["touches"], r["touch_class"]) == (4, 3, "multi")
    assert r["agents"] == 2


def test_assignee_changes_and_distinct_agents():
    t = ticket(
        1,
        (0, "customer"),
        (1, "agent", "carl"),
        assignments=[(at(0), "amy"), (at(1), "bob"), (at(2), "amy"), (at(3), None), (at(4), "bob")],
        assignee_id="bob",
    )
    r = row(t)
    # amy -> bob -> amy -> (unassigned) -> bob: three moves between agents.
    assert r["assignee_changes"] == 3
    assert r["agents"] == 3  # amy, bob, carl


def test_current_assignee_stands_for_a_missing_history():
    r = row(ticket(1, (0, "customer"), (1, "agent", "carl"), assignee_id="dan"))
    assert r["agents"] == 2


def test_as_of_ignores_later_events_and_tickets():
    early = ticket(1, (0, "customer"), (1, "open"), (3, "agent", "max"), (3, "solved"))
    late = ticket(2, created=at(10))
    result = ticket_metrics(Tickets.from_records([early, late]), as_of=at(2))
    (r,) = result.to_rows()
    assert result.as_of == at(2)
    assert r["first_reply"] is None
    assert (r["status"], r["open"]) == ("open", True)
    assert r["requester_wait"] == 2 * H


def test_default_as_of_is_the_latest_event():
    result = ticket_metrics(Tickets.from_records([LIFE]))
    assert result.as_of == at(30)


def test_no_tickets():
    result = ticket_metrics(Tickets.from_records([]))
    assert (len(result), result.to_rows(), result.as_of) == (0, [], None)


def test_ticket_objects_are_accepted_and_other_input_refused():
    assert (
        ticket_metrics([LIFE]).to_rows() == ticket_metrics(Tickets.from_records([LIFE])).to_rows()
    )
    with pytest.raises(TypeError, match="Tickets"):
        ticket_metrics(5)  # type: ignore[arg-type]


def test_frames_and_html():
    result = ticket_metrics([LIFE, ticket(2, (0, "open"))])
    pd = pytest.importorskip("pandas")
    frame = result.to_frame()
    assert isinstance(frame, pd.DataFrame)
    assert list(frame["ticket_id"]) == [1, 2]
    assert "<table>" in result._repr_html_()
    assert repr(result).startswith("TicketMetrics(2 tickets, 1 solved")


# -- aggregates -----------------------------------------------------------------------------------


OPEN_AT_9 = ticket(2, (0, "open"), (2, "pending"), (4, "open"), channel="chat")


def test_requester_wait_time_censors_open_tickets():
    tickets_ = [LIFE, OPEN_AT_9]
    r = csmetrics.requester_wait_time(tickets_, as_of=at(9))
    # LIFE waited 2 h, solved; ticket 2 waited [0, 2) + [4, 9) = 7 h so far, open.
    assert r.durations.tolist() == [2 * H]
    assert r.censoring_times.tolist() == [7 * H]
    assert r.metric == "requester_wait_time"
    assert csmetrics.agent_wait_time(tickets_, as_of=at(9)).censoring_times.tolist() == [2 * H]
    assert csmetrics.on_hold_time(tickets_, as_of=at(9)).durations.tolist() == [0.0]


def test_wait_by_ticket_and_by_channel():
    # Ticket 2 alone is open: its median is not known yet.
    with pytest.warns(csmetrics.UndefinedMetricWarning, match=r"1 of 2 groups by ticket"):
        by_ticket = csmetrics.requester_wait_time([LIFE, OPEN_AT_9], as_of=at(9), by="ticket")
    assert list(by_ticket) == [1, 2]
    assert by_ticket[1].durations.tolist() == [2 * H]
    with pytest.warns(csmetrics.UndefinedMetricWarning):
        by_channel = csmetrics.requester_wait_time([LIFE, OPEN_AT_9], as_of=at(9), by="channel")
    assert list(by_channel) == ["chat", None]


def test_touch_rate_counts_solved_tickets_only():
    one = ticket(3, (0, "customer"), (1, "agent", "a"), (1, "solved"))
    r = csmetrics.touch_rate([LIFE, OPEN_AT_9, one], as_of=at(40))
    assert (r.numerator, r.denominator) == (1, 2)  # LIFE is two-touch, ticket 2 is open
    two = csmetrics.touch_rate([LIFE, OPEN_AT_9, one], as_of=at(40), touches=2)
    assert (two.numerator, two.metric) == (1, "touch_rate_2")
    with pytest.raises(ValueError, match="touches=0"):
        csmetrics.touch_rate([LIFE], touches=0)


def test_reopen_count_is_a_mean_over_solved_tickets():
    twice = ticket(
        3, (0, "open"), (1, "solved"), (2, "open"), (3, "solved"), (4, "open"), (5, "solved")
    )
    r = csmetrics.reopen_count([LIFE, twice, OPEN_AT_9], as_of=at(40))
    assert (r.n, r.mean) == (2, 1.0)  # (0 + 2) / 2; the open ticket is left out


def test_aggregates_of_parts_merge_into_the_whole():
    data = [LIFE, OPEN_AT_9, ticket(3, (0, "customer"), (1, "agent", "a"), (2, "solved"))]
    for metric in (csmetrics.requester_wait_time, csmetrics.touch_rate, csmetrics.reopen_count):
        whole = metric(data, as_of=at(40))
        parts = metric(data[:1], as_of=at(40)).merge(metric(data[1:], as_of=at(40)))
        assert parts == whole


def test_empty_aggregate_warns_undefined():
    with pytest.warns(csmetrics.UndefinedMetricWarning):
        assert math.isnan(float(csmetrics.touch_rate([])))


def test_period_selects_tickets_by_creation():
    late = ticket(3, (48, "open"), (49, "solved"), created=at(48))
    r = csmetrics.reopen_count([LIFE, late], period=(at(-1), at(24)), as_of=at(60))
    assert r.n == 1


# -- contacts -------------------------------------------------------------------------------------


def test_contacts_are_resolution_cycles():
    t = ticket(
        7,
        (0, "customer"),
        (1, "agent", "max"),
        (1, "solved"),
        (5, "customer"),
        (5, "open"),
        (6, "agent", "sue"),
        (6, "solved"),
        channel="email",
    )
    contacts = Tickets.from_records([t, OPEN_AT_9]).contacts().to_records()
    assert [(c.id, c.issue_id, c.start, c.end, c.resolved, c.agent_id) for c in contacts] == [
        ("7#1", 7, at(0), at(1), True, "max"),
        ("7#2", 7, at(5), at(6), True, "sue"),
        ("2#1", 2, at(0), None, False, None),
    ]
    assert [len(c.messages) for c in contacts] == [2, 2, 0]
    assert contacts[0].channel == "email"


def test_contact_metrics_take_tickets():
    table = Tickets.from_records([LIFE, OPEN_AT_9])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", csmetrics.UndefinedMetricWarning)
        assert csmetrics.fcr(table) == csmetrics.fcr(table.contacts())
    assert csmetrics.resolution_rate(table) == csmetrics.resolution_rate(table.contacts())
    assert float(csmetrics.resolution_rate(table)) == 0.5


# -- properties -----------------------------------------------------------------------------------


OFFICE = BusinessCalendar(
    timezone="Europe/Berlin",
    hours={d: [("08:00", "18:00")] for d in ("mon", "tue", "wed", "thu", "fri")},
    holidays=["2026-03-04"],
)
AS_OF = datetime(2026, 3, 20, tzinfo=UTC)


def metrics_of(records: list[Ticket], **options: Any) -> TicketMetrics:
    return ticket_metrics(Tickets.from_records(records), as_of=AS_OF, **options)


@given(tickets())
def test_status_waits_add_up_to_solve_time(records: list[Ticket]):
    cols = metrics_of(records, calendar=OFFICE).columns
    for suffix in ("", "_business"):
        solve = cols[f"solve_time{suffix}"]
        np.testing.assert_allclose(
            cols[f"requester_wait{suffix}"] + cols[f"agent_wait{suffix}"], solve, atol=1e-6
        )
        np.testing.assert_allclose(
            cols[f"agent_work{suffix}"] + cols[f"on_hold{suffix}"],
            cols[f"requester_wait{suffix}"],
            atol=1e-6,
        )


@given(tickets())
def test_business_time_never_exceeds_calendar_time(records: list[Ticket]):
    cols = metrics_of(records, calendar=OFFICE).columns
    for name in ("first_reply", "first_resolution", "full_resolution", "requester_wait"):
        calendar, business = cols[name], cols[f"{name}_business"]
        assert np.array_equal(np.isnan(calendar), np.isnan(business))
        assert (business[~np.isnan(business)] <= calendar[~np.isnan(calendar)] + 1e-6).all()


PER_TICKET = {None: OFFICE, "a": BusinessCalendar.always(), "b": WEEKDAY_OFFICE}


@given(tickets(histories=True))
def test_per_ticket_waits_add_up_and_stay_within_calendar_time(records: list[Ticket]):
    cols = metrics_of(records, calendar=PER_TICKET).columns
    np.testing.assert_allclose(
        cols["requester_wait_business"] + cols["agent_wait_business"],
        cols["solve_time_business"],
        atol=1e-6,
    )
    for name in ("first_reply", "first_resolution", "full_resolution", "solve_time"):
        calendar, business = cols[name], cols[f"{name}_business"]
        assert np.array_equal(np.isnan(calendar), np.isnan(business))
        assert (business[~np.isnan(business)] <= calendar[~np.isnan(calendar)] + 1e-6).all()


@given(tickets(histories=True))
def test_one_calendar_under_every_schedule_id_is_that_calendar(records: list[Ticket]):
    single = metrics_of(records, calendar=OFFICE).to_rows()
    per_ticket = metrics_of(records, calendar={None: OFFICE, "a": OFFICE, "b": OFFICE})
    assert per_ticket.to_rows() == single


@given(tickets(histories=True), st.randoms(use_true_random=False))
def test_permuted_tickets_give_the_same_rows(records: list[Ticket], rng: Any):
    shuffled = list(records)
    rng.shuffle(shuffled)
    rows = {r["ticket_id"]: r for r in metrics_of(records, calendar=PER_TICKET).to_rows()}
    again = {r["ticket_id"]: r for r in metrics_of(shuffled, calendar=PER_TICKET).to_rows()}
    assert rows == again


def columns_of(records: list[Ticket], order: list[int]) -> Tickets:
    """The tickets built from columns, each history's rows in a shuffled order."""
    table = Tickets.from_records(records)
    m, s, a = table.messages, table.statuses, table.assignments

    def ids(rows: np.ndarray) -> np.ndarray:
        return table.id.keys[table.id.codes[rows]]

    def shuffle(n: int) -> np.ndarray:
        return np.argsort(np.array([order[i % len(order)] * 1000 + i for i in range(n)]))

    mo, so, ao = shuffle(len(m)), shuffle(len(s)), shuffle(len(a))
    sc, pc = table.schedule_changes, table.priority_changes
    sco, pco = shuffle(len(sc)), shuffle(len(pc))
    return Tickets.from_columns(
        {
            "id": ids(np.arange(len(table))),
            "customer_id": table.customer_id.keys[table.customer_id.codes],
            "created": table.created.astype("datetime64[us]"),
            "channel": [table.channel.key(c) for c in table.channel.codes],
            "submitter_role": [r.submitter_role for r in records],
        },
        messages={
            "ticket_id": ids(m.interaction[mo]),
            "at": m.at[mo].astype("datetime64[us]"),
            "author": [csmetrics.AUTHORS[x] for x in m.author[mo]],
            "public": m.public[mo],
            "author_id": [m.author_id.key(c) for c in m.author_id.codes[mo]],
        },
        statuses={
            "ticket_id": ids(s.ticket[so]),
            "at": s.at[so].astype("datetime64[us]"),
            "status": [csmetrics.STATUSES[x] for x in s.status[so]],
        },
        assignments={
            "ticket_id": ids(a.ticket[ao]),
            "at": a.at[ao].astype("datetime64[us]"),
            "assignee_id": [a.value.key(c) for c in a.value.codes[ao]],
        },
        schedule_changes={
            "ticket_id": ids(sc.ticket[sco]),
            "at": sc.at[sco].astype("datetime64[us]"),
            "schedule_id": [sc.value.key(c) for c in sc.value.codes[sco]],
        },
        priority_changes={
            "ticket_id": ids(pc.ticket[pco]),
            "at": pc.at[pco].astype("datetime64[us]"),
            "priority": [pc.value.key(c) for c in pc.value.codes[pco]],
        },
    )


@given(tickets(histories=True), st.lists(st.integers(0, 9), min_size=1, max_size=20))
def test_objects_and_columns_in_any_row_order_agree(records: list[Ticket], order: list[int]):
    table = columns_of(records, order)
    assert table.to_records() == records
    columnar = ticket_metrics(table, as_of=AS_OF, calendar=PER_TICKET).to_rows()
    assert columnar == metrics_of(records, calendar=PER_TICKET).to_rows()


@given(tickets(), st.lists(st.integers(0, 2), min_size=1, max_size=12))
def test_aggregates_of_any_split_merge_into_the_whole(records: list[Ticket], assign: list[int]):
    parts: list[list[Ticket]] = [[], [], []]
    for i, record in enumerate(records):
        parts[assign[i % len(assign)]].append(record)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", csmetrics.UndefinedMetricWarning)
        for metric in (
            csmetrics.requester_wait_time,
            csmetrics.agent_wait_time,
            csmetrics.on_hold_time,
            csmetrics.touch_rate,
            csmetrics.reopen_count,
        ):
            whole = metric(records, as_of=AS_OF)
            merged = metric(parts[0], as_of=AS_OF)
            for part in parts[1:]:
                merged = merged.merge(metric(part, as_of=AS_OF))
            if isinstance(whole, csmetrics.Mean):
                assert merged.n == whole.n
                assert merged.mean == pytest.approx(whole.mean, nan_ok=True)
            else:
                assert merged == whole
