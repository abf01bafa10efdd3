"""dbt_zendesk drop-in rows: the zendesk__ticket_metrics column names, units and nulls.

Every expected value is worked out by hand from the ticket's history in the
comment next to it, as the package's SQL computes it: ``datediff(minute,
...)`` counts the minute boundaries crossed, the first reply is seconds / 60.
"""

from __future__ import annotations

import csv
import io
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from csmetrics import (
    STATUSES,
    BusinessCalendar,
    Message,
    StatusChange,
    Ticket,
    Tickets,
    ticket_metrics,
)
from csmetrics.cli import main
from csmetrics.presets import dbt_zendesk
from csmetrics.sources import zendesk
from strategies import tickets

UTC = timezone.utc
T0 = datetime(2026, 3, 2, 9, tzinfo=UTC)  # a Monday
EXPORT = Path(__file__).parent / "data" / "zendesk"


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


def one(ticket: Ticket, **options: Any) -> dict[str, Any]:
    (row,) = dbt_zendesk.ticket_metrics([ticket], **options).to_rows()
    return row


# Created 09:00:30; the customer writes then; new until 09:01:10, then open;
# an agent replies at 09:02:15 and solves at 09:03:59.
ODD_SECONDS = Ticket(
    id=1,
    customer_id="ann",
    created=at(30),
    messages=[
        Message(at=at(30), author="customer"),
        Message(at=at(135), author="agent", author_id="max"),
    ],
    statuses=[
        StatusChange(at=at(30), status="new"),
        StatusChange(at=at(70), status="open"),
        StatusChange(at=at(239), status="solved"),
    ],
)


def test_resolution_and_status_minutes_count_minute_boundaries():
    row = one(ODD_SECONDS)
    # 09:00:30 -> 09:03:59 crosses 09:01, 09:02, 09:03: 3 (elapsed 3.48 minutes).
    assert row["first_resolution_calendar_minutes"] == 3
    assert row["final_resolution_calendar_minutes"] == 3
    # new 09:00:30-09:01:10 crosses 09:01 (1); open 09:01:10-09:03:59 crosses 09:02, 09:03 (2).
    assert row["new_status_duration_in_calendar_minutes"] == 1
    assert row["open_status_duration_in_calendar_minutes"] == 2
    assert row["requester_wait_time_in_calendar_minutes"] == 3
    assert row["agent_work_time_in_calendar_minutes"] == 3
    assert row["solve_time_in_calendar_minutes"] == 3
    assert row["agent_wait_time_in_calendar_minutes"] == 0
    assert row["on_hold_time_in_calendar_minutes"] == 0


def test_first_reply_is_seconds_over_sixty():
    # 09:00:30 -> 09:02:15: 105 seconds.
    assert one(ODD_SECONDS)["first_reply_time_calendar_minutes"] == 1.75


def test_counts_and_touch_flags():
    row = one(ODD_SECONDS)
    assert row["status"] == "solved"
    assert row["first_solved_at"] == row["last_solved_at"] == at(239)
    assert (row["count_resolutions"], row["count_reopens"]) == (1, 0)
    assert (row["count_public_agent_comments"], row["count_agent_comments"]) == (1, 1)
    assert (row["count_end_user_comments"], row["count_public_comments"]) == (1, 2)
    assert (row["count_internal_comments"], row["total_comments"]) == (0, 2)
    assert (row["count_ticket_handoffs"], row["total_agent_replies"]) == (1, 1)
    flags = ("is_one_touch_resolution", "is_two_touch_resolution", "is_multi_touch_resolution")
    assert [row[f] for f in flags] == [True, False, False]


def test_business_columns_are_null_without_a_calendar():
    row = one(ODD_SECONDS)
    business = [name for name in dbt_zendesk.COLUMNS if "business" in name]
    assert len(business) == 10
    assert all(row[name] is None for name in business)


def test_business_minutes_under_a_calendar():
    # Open 09:00-17:00 on weekdays: the whole ticket is in business hours.
    weekdays = ("mon", "tue", "wed", "thu", "fri")
    calendar = BusinessCalendar(
        timezone="UTC", hours={day: [("09:00", "17:00")] for day in weekdays}
    )
    row = one(ODD_SECONDS, calendar=calendar)
    assert row["first_reply_time_business_minutes"] == 1.75
    # 209 seconds are 3.48333... minutes; the package rounds to 4 places.
    assert row["first_resolution_business_minutes"] == 3.4833
    assert row["full_resolution_business_minutes"] == 3.4833
    assert row["requester_wait_time_in_business_minutes"] == 3.4833
    assert row["agent_wait_time_in_business_minutes"] == 0.0
    assert row["on_hold_time_in_business_minutes"] == 0.0
    # New 09:00:30-09:01:10 (40 s), open 09:01:10-09:03:59 (169 s).
    # Rounded to 4 places as every business minute column: 0.6666... and 2.81666...
    assert row["new_status_duration_in_business_minutes"] == 0.6667
    assert row["open_status_duration_in_business_minutes"] == 2.8167
    # Solve time: every status but solved, 209 seconds, rounded once.
    assert row["solve_time_in_business_minutes"] == 3.4833


def test_minutes_are_rounded_to_four_places():
    # A reply 100 seconds after creation: 1.666... minutes, written 1.6667.
    ticket = Ticket(
        id=2,
        customer_id="ann",
        created=T0,
        messages=[Message(at=T0, author="customer"), Message(at=at(100), author="agent")],
        statuses=[StatusChange(at=T0, status="open")],
    )
    assert one(ticket, as_of=at(200))["first_reply_time_calendar_minutes"] == 1.6667


def test_first_reply_business_minutes_null_without_a_public_agent_comment():
    # Only the customer wrote: null, as the calendar first reply time, under a calendar too.
    calendar = BusinessCalendar(timezone="UTC", hours={"mon": [("09:00", "17:00")]})
    ticket = Ticket(
        id=3,
        customer_id="ann",
        created=T0,
        messages=[Message(at=T0, author="customer")],
        statuses=[StatusChange(at=T0, status="open")],
    )
    row = one(ticket, as_of=at(600), calendar=calendar)
    assert row["first_reply_time_business_minutes"] is None
    assert row["first_reply_time_calendar_minutes"] is None
    assert row["requester_wait_time_in_business_minutes"] == 10.0


def h(hours: float) -> datetime:
    return T0 + timedelta(hours=hours)


def ticket(id: str, *events: tuple[float, str]) -> Ticket:
    messages = [
        Message(at=h(x), author=kind, author_id=f"{kind}-{id}")
        for x, kind in events
        if kind in {"agent", "customer"}
    ]
    statuses = [
        StatusChange(at=h(x), status=kind)
        for x, kind in events
        if kind not in {"agent", "customer"}
    ]
    return Ticket(id=id, customer_id="ann", created=T0, messages=messages, statuses=statuses)


# The four tickets of the "Vendor presets" page, measured at 14:00.
FOUR = [
    ticket("A", (0, "agent"), (1, "customer"), (3, "agent"), (4, "solved")),
    ticket("B", (0, "customer"), (1, "solved")),
    ticket("C", (0, "customer"), (0.5, "agent"), (1, "solved"), (2, "open"), (3, "closed")),
    ticket("D", (0, "customer"), (1, "agent"), (2, "solved"), (3, "open")),
]


def test_the_four_tickets_of_the_presets_page():
    rows = {r["ticket_id"]: r for r in dbt_zendesk.ticket_metrics(FOUR, as_of=h(5)).to_rows()}
    # A: the creating comment is the reply (0); two public agent comments: two-touch.
    assert rows["A"]["first_reply_time_calendar_minutes"] == 0.0
    assert rows["A"]["is_two_touch_resolution"]
    assert rows["A"]["total_agent_replies"] == 1
    # B: no agent comment: no first reply, and multi-touch.
    assert rows["B"]["first_reply_time_calendar_minutes"] is None
    assert rows["B"]["is_multi_touch_resolution"]
    # C: the close after the reopen is no solve: one resolution at 1 h, no reopen.
    assert (rows["C"]["count_resolutions"], rows["C"]["count_reopens"]) == (1, 0)
    assert rows["C"]["final_resolution_calendar_minutes"] == 60
    # D: reopened and open: its solve at 2 h stays; no touch flag while open.
    assert rows["D"]["final_resolution_calendar_minutes"] == 120
    assert rows["D"]["count_reopens"] == 0
    assert not any(rows["D"][f"is_{k}_touch_resolution"] for k in ("one", "two", "multi"))
    # D's waits: new 0-2 h, solved 2-3 h, open 3-5 h: a requester wait of 4 h.
    assert rows["D"]["requester_wait_time_in_calendar_minutes"] == 240


def test_closed_without_a_solve_has_a_resolution_time_but_no_resolution():
    # The package's solved_count is coalesce(sum(solved rows), sum(closed rows)):
    # the first sum is 0, not null, so a close without a solve counts nothing,
    # while first_solved_at falls back to the close.
    closed = ticket("X", (0, "customer"), (0.5, "agent"), (1, "open"), (2, "closed"))
    row = one(closed)
    assert (row["count_resolutions"], row["count_reopens"]) == (0, 0)
    assert row["first_solved_at"] == row["last_solved_at"] == h(2)
    assert row["first_resolution_calendar_minutes"] == 120
    assert row["is_one_touch_resolution"]


def test_a_ticket_without_comments_is_in_no_touch_class():
    # No row in int_zendesk__comment_metrics: "not null" is null, so not multi-touch.
    silent = ticket("Y", (1, "solved"))
    row = one(silent)
    flags = ("is_one_touch_resolution", "is_two_touch_resolution", "is_multi_touch_resolution")
    assert [row[f] for f in flags] == [False, False, False]
    assert row["total_comments"] == 0


def test_agent_replies_leave_out_the_first_public_comment_only():
    # An internal note at creation, then the agent's first public comment at 1 h
    # (the ticket's first public comment: no reply), the customer at 2 h, the
    # agent again at 3 h (a reply).
    noted = Ticket(
        id="N",
        customer_id="ann",
        created=T0,
        messages=[
            Message(at=T0, author="agent", author_id="max", public=False),
            Message(at=h(1), author="agent", author_id="max"),
            Message(at=h(2), author="customer"),
            Message(at=h(3), author="agent", author_id="max"),
        ],
        statuses=[StatusChange(at=h(4), status="solved")],
    )
    row = one(noted)
    assert (row["total_agent_replies"], row["count_public_agent_comments"]) == (1, 2)
    assert (row["count_agent_comments"], row["count_internal_comments"]) == (3, 1)
    assert row["is_two_touch_resolution"]


def test_total_reply_time_sums_the_reply_to_each_customer_run():
    # Public comments: customer 0 s and 60 s (one run), agent 150 s (its reply:
    # 150 s = 2.5 min), an internal note at 200 s (not public: ignored), customer
    # 300 s (a run), a bot at 330 s, customer 360 s (after the bot: a new run),
    # agent 420 s (the reply to both runs: 2 min and 1 min), customer 500 s (a
    # run never replied to: adds nothing). 2.5 + 2 + 1 = 5.5.
    runs = Ticket(
        id="R",
        customer_id="ann",
        created=at(0),
        messages=[
            Message(at=at(0), author="customer"),
            Message(at=at(60), author="customer"),
            Message(at=at(150), author="agent", author_id="max"),
            Message(at=at(200), author="agent", author_id="max", public=False),
            Message(at=at(300), author="customer"),
            Message(at=at(330), author="bot"),
            Message(at=at(360), author="customer"),
            Message(at=at(420), author="agent", author_id="max"),
            Message(at=at(500), author="customer"),
        ],
        statuses=[StatusChange(at=at(0), status="new")],
    )
    assert one(runs)["total_reply_time_calendar_minutes"] == 5.5
    # Measured at 400 s, the 420 s reply is not in yet: only the first run's 2.5.
    assert one(runs, as_of=at(400))["total_reply_time_calendar_minutes"] == 2.5


def test_total_reply_time_needs_a_strictly_later_reply():
    # The customer and the agent both write at 60 s; the package orders ties
    # by role, customer first, and a reply must come strictly later: the
    # run's reply is the agent at 90 s, 30 s = 0.5 min.
    tie = Ticket(
        id="T",
        customer_id="ann",
        created=at(0),
        messages=[
            Message(at=at(60), author="agent", author_id="max"),
            Message(at=at(60), author="customer"),
            Message(at=at(90), author="agent", author_id="max"),
        ],
        statuses=[StatusChange(at=at(0), status="new")],
    )
    assert one(tie)["total_reply_time_calendar_minutes"] == 0.5
    # Given agent-then-customer at 60 s, the customer's still sorts first and
    # continues the run started at 0 s: one run, replied at 60 s (1 min); the
    # agent at 120 s answers nothing.
    listed = Ticket(
        id="O",
        customer_id="ann",
        created=at(0),
        messages=[
            Message(at=at(0), author="customer"),
            Message(at=at(60), author="agent", author_id="max"),
            Message(at=at(60), author="customer"),
            Message(at=at(120), author="agent", author_id="max"),
        ],
        statuses=[StatusChange(at=at(0), status="new")],
    )
    assert one(listed)["total_reply_time_calendar_minutes"] == 1.0
    # Runs without a reply, or no customer comment at all: null.
    unanswered = Ticket(
        id="U",
        customer_id="ann",
        created=at(0),
        messages=[Message(at=at(0), author="agent"), Message(at=at(60), author="customer")],
        statuses=[StatusChange(at=at(0), status="new")],
    )
    assert one(unanswered)["total_reply_time_calendar_minutes"] is None
    assert one(ticket("Z", (0, "agent"), (1, "agent")))["total_reply_time_calendar_minutes"] is None


def test_unassigned_duration_sums_the_stretches_before_each_assignment():
    # Created 09:00; assigned to amy at 10:00 (the first change: 60 min since
    # creation), unassigned at 11:00 (after amy: 0), bob at 12:00 (after the
    # null: 60 min), amy at 13:00 (after bob: 0), unassigned at 14:00 and still
    # so (the open stretch adds nothing): 120.
    moved = Ticket(
        id="M",
        customer_id="ann",
        created=h(0),
        messages=[],
        statuses=[StatusChange(at=h(0), status="new")],
        assignments=[(h(1), "amy"), (h(2), None), (h(3), "bob"), (h(4), "amy"), (h(5), None)],
    )
    assert one(moved, as_of=h(6))["ticket_unassigned_duration_calendar_minutes"] == 120.0
    # Measured at 11:30, the 12:00 assignment is not in yet: 60.
    assert one(moved, as_of=h(2.5))["ticket_unassigned_duration_calendar_minutes"] == 60.0
    # A history that starts with a null at creation: 0 for it, then 90 s to amy.
    late = Ticket(
        id="L",
        customer_id="ann",
        created=at(0),
        messages=[],
        statuses=[StatusChange(at=at(0), status="new")],
        assignments=[(at(0), None), (at(90), "amy")],
    )
    assert one(late)["ticket_unassigned_duration_calendar_minutes"] == 1.5
    # No assignee history (a current assignee alone): null.
    current = Ticket(
        id="C",
        customer_id="ann",
        created=at(0),
        messages=[],
        statuses=[StatusChange(at=at(0), status="new")],
        assignee_id="amy",
    )
    assert one(current, as_of=at(60))["ticket_unassigned_duration_calendar_minutes"] is None


def _assigned(
    assignments: list[tuple[datetime, str | None]], *statuses: tuple[float, str]
) -> Ticket:
    """A ticket created at 09:00 with an assignee history and status changes at hours."""
    return Ticket(
        id="M",
        customer_id="ann",
        created=h(0),
        messages=[],
        statuses=[StatusChange(at=h(x), status=s) for x, s in ((0, "new"), *statuses)],
        assignments=assignments,
    )


ASSIGNEE_COLUMNS = (
    "first_assignee_id",
    "last_assignee_id",
    "first_agent_assignment_date",
    "last_agent_assignment_date",
    "unique_assignee_count",
    "assignee_stations_count",
    "first_assignment_to_resolution_calendar_minutes",
    "last_assignment_to_resolution_calendar_minutes",
)


def test_assignee_columns_follow_the_history_rows():
    # amy at 10:00, unassigned at 11:00, bob at 12:00, amy at 13:00, unassigned
    # at 14:00; open at 09:30, solved at 13:30; measured at 15:00.
    moved = _assigned(
        [(h(1), "amy"), (h(2), None), (h(3), "bob"), (h(4), "amy"), (h(5), None)],
        (0.5, "open"),
        (4.5, "solved"),
    )
    row = one(moved, as_of=h(6))
    # The first row is amy's; the last is the unassignment: its id is null,
    # its moment 14:00. Stations are the rows with a value (amy, bob, amy:
    # 3; an unassignment is none), unique assignees 2. From 10:00 to the
    # solve at 13:30: 210 minutes; from 14:00, after the solve: -30.
    assert [row[c] for c in ASSIGNEE_COLUMNS] == ["amy", None, h(1), h(5), 2, 3, 210, -30]
    # At 13:15 the ticket is open: no assignment-to-resolution time; the
    # 14:00 row is not in yet, so the last row is amy's at 13:00.
    row = one(moved, as_of=h(4.25))
    assert [row[c] for c in ASSIGNEE_COLUMNS] == ["amy", "amy", h(1), h(4), 2, 3, None, None]
    # At 11:30: amy, then the unassignment.
    row = one(moved, as_of=h(2.5))
    assert [row[c] for c in ASSIGNEE_COLUMNS[:6]] == ["amy", None, h(1), h(2), 1, 1]


def test_a_first_unassigned_row_is_the_first_assignment():
    # The history opens with an unassigned row at creation (09:00), then amy
    # at 09:45; solved at 10:00. The package takes the first row whatever its
    # value: a null first assignee at 09:00, 60 minutes to the solve.
    late = _assigned([(h(0), None), (h(0.75), "amy")], (1, "solved"))
    row = one(late, as_of=h(2))
    assert [row[c] for c in ASSIGNEE_COLUMNS] == [None, "amy", h(0), h(0.75), 1, 1, 60, 15]
    # A history of unassignments only: no station, no assignee, but not null.
    none = _assigned([(h(0.5), None)])
    row = one(none, as_of=h(2))
    assert [row[c] for c in ASSIGNEE_COLUMNS] == [None, None, h(0.5), h(0.5), 0, 0, None, None]


def test_no_assignee_history_is_null_in_every_assignee_column():
    # A current assignee alone gives no history row: every column is null.
    current = Ticket(
        id="C",
        customer_id="ann",
        created=h(0),
        messages=[],
        statuses=[StatusChange(at=h(0), status="new"), StatusChange(at=h(1), status="solved")],
        assignee_id="amy",
    )
    row = one(current, as_of=h(2))
    assert all(row[c] is None for c in ASSIGNEE_COLUMNS)


def test_assignment_to_resolution_counts_minute_boundaries_and_needs_a_solved_status():
    # Assigned at 09:00:50, solved at 09:01:10: 20 seconds, one boundary.
    quick = Ticket(
        id="Q",
        customer_id="ann",
        created=at(0),
        messages=[],
        statuses=[StatusChange(at=at(0), status="new"), StatusChange(at=at(70), status="solved")],
        assignments=[(at(50), "amy")],
    )
    assert one(quick)["first_assignment_to_resolution_calendar_minutes"] == 1
    # Solved at 10:00, reopened at 11:00 and open: the model's status gate
    # leaves both null although last_solved_at is kept.
    reopened = _assigned([(h(0.5), "amy")], (1, "solved"), (2, "open"))
    row = one(reopened, as_of=h(3))
    assert row["last_solved_at"] == h(1)
    assert row["first_assignment_to_resolution_calendar_minutes"] is None
    assert row["last_assignment_to_resolution_calendar_minutes"] is None
    # Closed later: the gate opens, and the time runs to the last solve (10:00).
    closed = _assigned([(h(0.5), "amy")], (1, "solved"), (2, "closed"))
    assert one(closed, as_of=h(3))["first_assignment_to_resolution_calendar_minutes"] == 30


def test_last_comment_and_last_status_moments():
    # Comments at 09:00 (customer), 10:00 (agent, internal), 12:00 (customer);
    # status changes at 09:00 and 11:00.
    t = Ticket(
        id="T",
        customer_id="ann",
        created=h(0),
        messages=[
            Message(at=h(0), author="customer"),
            Message(at=h(1), author="agent", public=False),
            Message(at=h(3), author="customer"),
        ],
        statuses=[StatusChange(at=h(0), status="new"), StatusChange(at=h(2), status="open")],
    )
    row = one(t, as_of=h(4))
    assert (row["ticket_last_comment_date"], row["last_status_assignment_date"]) == (h(3), h(2))
    # At 10:30: the internal comment is the latest, the first status row the last.
    row = one(t, as_of=h(1.5))
    assert (row["ticket_last_comment_date"], row["last_status_assignment_date"]) == (h(1), h(0))
    # No comments and no status rows: both null (no row in the package's models).
    bare = Ticket(id="B", customer_id="ann", created=h(0), messages=[], statuses=[])
    row = one(bare, as_of=h(1))
    assert (row["ticket_last_comment_date"], row["last_status_assignment_date"]) == (None, None)


def test_new_and_open_business_minutes_leave_out_closed_hours():
    # Open 09:00-17:00 on weekdays. New from Monday 09:00 to 16:00 (420
    # minutes), open from 16:00 to Tuesday 10:00 (60 + 60), pending after;
    # measured Tuesday 12:00. Calendar minutes of open: 18 h, 1080.
    weekdays = ("mon", "tue", "wed", "thu", "fri")
    calendar = BusinessCalendar(
        timezone="UTC", hours={day: [("09:00", "17:00")] for day in weekdays}
    )
    t = _assigned([], (7, "open"), (25, "pending"))
    row = one(t, as_of=h(27), calendar=calendar)
    assert row["new_status_duration_in_business_minutes"] == pytest.approx(420)
    assert row["open_status_duration_in_business_minutes"] == pytest.approx(120)
    assert row["open_status_duration_in_calendar_minutes"] == 1080
    # Solve time adds the pending stretch, Tuesday 10:00-12:00 (120 business
    # minutes): 420 + 120 + 120.
    assert row["solve_time_in_business_minutes"] == pytest.approx(660)
    assert row["solve_time_in_calendar_minutes"] == 420 + 1080 + 120
    # Never open: 0, not null (the model's coalesce).
    waiting = _assigned([], (1, "pending"))
    assert (
        one(waiting, as_of=h(2), calendar=calendar)["open_status_duration_in_business_minutes"] == 0
    )


def test_resolution_business_minutes_are_null_while_open():
    days = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
    calendar = BusinessCalendar(timezone="UTC", hours={day: [("00:00", "24:00")] for day in days})
    rows = dbt_zendesk.ticket_metrics(FOUR, as_of=h(5), calendar=calendar).to_rows()
    d = next(r for r in rows if r["ticket_id"] == "D")
    assert d["first_resolution_business_minutes"] is None
    assert d["full_resolution_business_minutes"] is None
    assert d["final_resolution_calendar_minutes"] == 120


def test_the_example_export():
    rows = {
        r["ticket_id"]: r for r in dbt_zendesk.ticket_metrics(zendesk.read_tables(EXPORT)).to_rows()
    }
    # 1003 was opened by an agent: replied at once, two public agent comments.
    assert rows["1003"]["first_reply_time_calendar_minutes"] == 0.0
    assert rows["1003"]["is_two_touch_resolution"]
    # 1007 is reopened and open: no reopen counted, its solve kept, no touch flag.
    assert rows["1007"]["status"] == "open"
    assert rows["1007"]["count_reopens"] == 0
    assert rows["1007"]["final_resolution_calendar_minutes"] == 4020
    # 1008 was closed without an agent comment: multi-touch, no first reply.
    assert rows["1008"]["is_multi_touch_resolution"]
    assert rows["1008"]["first_reply_time_calendar_minutes"] is None


def test_columns_and_not_produced_do_not_overlap():
    assert not set(dbt_zendesk.COLUMNS) & set(dbt_zendesk.NOT_PRODUCED)
    assert list(dbt_zendesk.ticket_metrics(FOUR).to_rows()[0]) == list(dbt_zendesk.COLUMNS)
    assert repr(dbt_zendesk.ticket_metrics([])) == "DbtTicketMetrics(0 tickets, as_of=None)"
    with pytest.raises(ValueError, match="'count_reopen'"):
        dbt_zendesk.ticket_metrics(FOUR).column("count_reopen")


# -- properties -----------------------------------------------------------------------------


@given(tickets())
def test_the_rows_are_the_preset_s_metrics_renamed(records: list[Ticket]):
    data = Tickets.from_records(records)
    dbt = dbt_zendesk.ticket_metrics(data)
    ours = ticket_metrics(data, preset="dbt_zendesk").columns
    col = dbt.column
    # Resolutions are the status rows "solved" (every change is in: as_of is
    # the latest event); a close without a solve is none.
    s = data.statuses
    solves = np.bincount(s.ticket[s.status == STATUSES.index("solved")], minlength=len(data))
    np.testing.assert_array_equal(col("count_resolutions"), solves)
    np.testing.assert_array_equal(col("count_reopens"), np.maximum(solves - 1, 0))
    # Minutes rounded to 4 places, as the package writes them.
    np.testing.assert_allclose(
        col("first_reply_time_calendar_minutes"), ours["first_reply"] / 60, atol=5e-5, rtol=0
    )
    solved = ~ours["open"]
    flags = [col(f"is_{k}_touch_resolution") for k in ("one", "two", "multi")]
    commented = col("total_comments") > 0
    np.testing.assert_array_equal(np.sum(flags, axis=0), (solved & commented).astype(int))
    assert (col("total_agent_replies") <= col("count_public_agent_comments")).all()
    assert (col("count_public_agent_comments") - col("total_agent_replies") <= 1).all()
    # The status groups partition the unsolved time.
    np.testing.assert_array_equal(
        col("requester_wait_time_in_calendar_minutes") + col("agent_wait_time_in_calendar_minutes"),
        col("solve_time_in_calendar_minutes"),
    )
    np.testing.assert_array_equal(
        col("new_status_duration_in_calendar_minutes")
        + col("open_status_duration_in_calendar_minutes"),
        col("agent_work_time_in_calendar_minutes"),
    )
    # Counting boundaries is off from elapsed / 60 by less than one minute per segment.
    segments = np.bincount(data.statuses.ticket, minlength=len(data)) + 1
    gap = np.abs(col("solve_time_in_calendar_minutes") - ours["solve_time"] / 60)
    assert (gap < segments).all()
    # A resolution minute count is off from elapsed / 60 by less than one.
    defined = ~np.isnan(ours["full_resolution"])
    gap = np.abs(
        col("final_resolution_calendar_minutes")[defined] - ours["full_resolution"][defined] / 60
    )
    assert (gap < 1).all()


def _reply_minutes_by_the_sql(t: Ticket) -> float | None:
    """int_zendesk__ticket_reply_times, one ticket, row by row."""
    public = sorted(
        (m for m in t.messages if m.public),
        key=lambda m: (m.at, ("customer", "agent", "bot").index(m.author)),
    )
    roles = ["first", *(m.author for m in public)]
    waits = []
    for i, m in enumerate(public):
        if m.author != "customer" or roles[i] == "customer":
            continue
        later = [
            r.at for j, r in enumerate(public) if j > 0 and r.author == "agent" and r.at > m.at
        ]
        if later:
            waits.append((min(later) - m.at).total_seconds() / 60)
    return sum(waits) if waits else None


def _unassigned_minutes_by_the_sql(t: Ticket) -> float | None:
    """int_zendesk__ticket_historical_assignee, one ticket, row by row."""
    history = sorted(t.assignments, key=lambda a: a.at)
    if not history:
        return None
    total, since, previous = 0.0, t.created, None
    for change in history:
        if previous is None:
            total += (change.at - since).total_seconds() / 60
        since, previous = change.at, change.assignee_id
    return total


@st.composite
def threads(draw: st.DrawFn) -> list[Ticket]:
    """Tickets whose comments often share a moment and whose assignee comes and goes."""
    out = []
    for number in range(draw(st.integers(1, 4))):
        moment = st.integers(0, 6).map(lambda minute: at(60 * minute))
        author = st.sampled_from(("customer", "agent", "bot"))
        comments = draw(st.lists(st.tuples(moment, author, st.booleans()), max_size=8))
        changes = draw(
            st.lists(st.tuples(moment, st.sampled_from((None, "amy", "bob"))), max_size=5)
        )
        out.append(
            Ticket(
                id=number,
                customer_id="ann",
                created=at(0),
                messages=[
                    Message(at=m, author=a, public=p or a != "agent")
                    for m, a, p in sorted(comments, key=lambda comment: comment[0])
                ],
                statuses=[StatusChange(at=at(0), status="new")],
                assignments=sorted(changes, key=lambda change: change[0]),
            )
        )
    return out


@given(st.one_of(tickets(), threads()))
def test_reply_and_unassigned_times_match_the_sql_row_by_row(records: list[Ticket]):
    rows = dbt_zendesk.ticket_metrics(records).to_rows()
    by_id = {r["ticket_id"]: r for r in rows}
    for t in records:
        row = by_id[t.id]
        for column, expected in (
            ("total_reply_time_calendar_minutes", _reply_minutes_by_the_sql(t)),
            ("ticket_unassigned_duration_calendar_minutes", _unassigned_minutes_by_the_sql(t)),
        ):
            if expected is None:
                assert row[column] is None
            else:
                # Rounded to 4 places, as the package writes them.
                assert row[column] == pytest.approx(expected, rel=0, abs=5e-5 + 1e-9)


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def _minute(moment: datetime) -> int:
    """The minute a moment falls in, counted from the epoch (datediff's boundaries)."""
    return (moment - _EPOCH) // timedelta(minutes=1)


def _assignee_columns_by_the_sql(t: Ticket, row: dict[str, Any], as_of: datetime) -> list[Any]:
    """int_zendesk__ticket_historical_assignee and its use in the resolution times, row by row.

    The ticket's status and last solve are taken from the row (other tests
    check them); the assignment-to-resolution times are gated on them.
    """
    history = [a for a in sorted(t.assignments, key=lambda a: a.at) if a.at <= as_of]
    if not history:
        return [None] * len(ASSIGNEE_COLUMNS)
    values = [a.assignee_id for a in history if a.assignee_id is not None]
    solve = row["last_solved_at"]
    gate = row["status"] in {"solved", "closed"} and solve is not None

    def to_solve(moment: datetime) -> int | None:
        return _minute(solve) - _minute(moment) if gate else None

    first, last = history[0], history[-1]
    return [
        first.assignee_id,
        last.assignee_id,
        first.at,
        last.at,
        len(set(values)),
        len(values),
        to_solve(first.at),
        to_solve(last.at),
    ]


@st.composite
def assigned(draw: st.DrawFn) -> tuple[list[Ticket], datetime | None]:
    """Tickets over ten minutes at odd seconds: statuses, comments, an assignee coming and going."""
    moment = st.integers(0, 600).map(at)
    out = []
    for number in range(draw(st.integers(1, 4))):
        statuses = draw(st.lists(st.tuples(moment, st.sampled_from(STATUSES)), max_size=5))
        changes = draw(
            st.lists(st.tuples(moment, st.sampled_from((None, "amy", "bob"))), max_size=5)
        )
        comments = draw(st.lists(st.tuples(moment, st.booleans()), max_size=4))
        out.append(
            Ticket(
                id=number,
                customer_id="ann",
                created=at(0),
                messages=[
                    Message(at=m, author="agent", public=p)
                    for m, p in sorted(comments, key=lambda c: c[0])
                ],
                statuses=[
                    StatusChange(at=m, status=s) for m, s in sorted(statuses, key=lambda c: c[0])
                ],
                assignments=sorted(changes, key=lambda change: change[0]),
            )
        )
    return out, draw(st.one_of(st.none(), moment))


WEEKDAYS = BusinessCalendar(
    timezone="UTC", hours={d: [("09:03", "17:00")] for d in ("mon", "tue", "wed", "thu", "fri")}
)


@given(assigned())
def test_assignee_and_last_moment_columns_match_the_sql_row_by_row(
    case: tuple[list[Ticket], datetime | None],
):
    records, as_of = case
    result = dbt_zendesk.ticket_metrics(records, as_of=as_of, calendar=WEEKDAYS)
    assert result.as_of is not None
    cutoff = result.as_of
    for t, row in zip(records, result.to_rows(), strict=True):
        assert [row[c] for c in ASSIGNEE_COLUMNS] == _assignee_columns_by_the_sql(t, row, cutoff)
        comments = [m.at for m in t.messages if m.at <= cutoff]
        assert row["ticket_last_comment_date"] == (max(comments) if comments else None)
        changes = [s.at for s in t.statuses if s.at <= cutoff]
        assert row["last_status_assignment_date"] == (max(changes) if changes else None)
        # New and open split the agent work time, in business minutes too (each
        # of the three is rounded to 4 places: at most 1.5e-4 apart).
        assert row["new_status_duration_in_business_minutes"] + row[
            "open_status_duration_in_business_minutes"
        ] == pytest.approx(row["agent_work_time_in_business_minutes"], abs=1.5e-4)
        # Solve time is every status but solved and closed: agent work, on
        # hold and agent wait (four rounded columns: at most 2e-4 apart).
        parts = ("agent_work_time", "on_hold_time", "agent_wait_time")
        assert row["solve_time_in_business_minutes"] == pytest.approx(
            sum(row[f"{part}_in_business_minutes"] for part in parts), abs=2e-4
        )


# -- the command line -----------------------------------------------------------------------


def test_cli_tickets_style_dbt_zendesk(capsys: pytest.CaptureFixture[str]):
    args = ["tickets", "--source", "zendesk", str(EXPORT), "--style", "dbt_zendesk"]
    assert main(args) == 0
    table = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert list(table[0]) == list(dbt_zendesk.COLUMNS)
    rows = {row["ticket_id"]: row for row in table}
    # 1003: replied at once under dbt_zendesk's rule, and two-touch.
    assert rows["1003"]["first_reply_time_calendar_minutes"] == "0.0"
    assert rows["1003"]["is_two_touch_resolution"] == "true"
    # 1007: reopened and open, its solve kept, no reopen counted.
    assert (rows["1007"]["count_reopens"], rows["1007"]["final_resolution_calendar_minutes"]) == (
        "0",
        "4020",
    )
    # 1002: assigned to 10 on Feb 4 15:30, to 11 on Feb 5 13:30, last solved
    # Feb 6 11:00: 2610 and 1290 minutes; its last comment is the solve's.
    assignee = [rows["1002"][c] for c in (*ASSIGNEE_COLUMNS[:2], *ASSIGNEE_COLUMNS[4:])]
    assert assignee == ["10", "11", "2", "2", "2610", "1290"]
    assert rows["1002"]["ticket_last_comment_date"] == "2026-02-06T11:00:00+00:00"
    # 1008 has no assignee history: empty cells.
    assert rows["1008"]["first_assignee_id"] == rows["1008"]["unique_assignee_count"] == ""
    assert main([*args, "--preset", "dbt_zendesk"]) == 0
    capsys.readouterr()
    assert main([*args, "--preset", "zendesk"]) == 2
    assert "drop --preset zendesk" in capsys.readouterr().err
