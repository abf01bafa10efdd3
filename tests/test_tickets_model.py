"""The ticket model: `Ticket` and its events, and the columnar `Tickets` table."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import numpy as np
import pytest
from hypothesis import given

import csmetrics
from csmetrics import (
    Assignment,
    InvalidDataError,
    Message,
    PriorityChange,
    ScheduleChange,
    StatusChange,
    Ticket,
    Tickets,
)
from csmetrics.core.table import to_micros
from strategies import tickets

UTC = timezone.utc
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
H = timedelta(hours=1)


def utc64(*moments: datetime) -> np.ndarray:
    return np.array([m.replace(tzinfo=None) for m in moments], dtype="datetime64[us]")


def ticket(**changes: object) -> Ticket:
    fields: dict[str, object] = {
        "id": 1,
        "customer_id": "ann",
        "created": T0,
        "messages": [
            Message(at=T0, author="customer", author_id="ann"),
            Message(at=T0 + H, author="agent", author_id="max"),
        ],
        "statuses": [StatusChange(at=T0, status="new"), StatusChange(at=T0 + H, status="solved")],
    }
    fields.update(changes)
    return Ticket(**fields)  # type: ignore[arg-type]


# -- the objects ----------------------------------------------------------------------------------


def test_histories_take_pairs_or_objects():
    t = ticket(
        statuses=[(T0, "open")],
        priority_changes=[(T0, "high"), PriorityChange(at=T0 + H, priority="urgent")],
        assignments=[(T0, "max"), (T0 + H, None)],
        schedule_changes=[(T0, "eu")],
    )
    assert t.statuses == (StatusChange(at=T0, status="open"),)
    assert t.priority_changes[1].priority == "urgent"
    assert t.assignments == (
        Assignment(at=T0, assignee_id="max"),
        Assignment(at=T0 + H, assignee_id=None),
    )
    assert t.schedule_changes == (ScheduleChange(at=T0, schedule_id="eu"),)


def test_status_is_the_latest_change_and_new_without_one():
    assert ticket().status == "solved"
    assert ticket(statuses=[]).status == "new"


def test_message_author_id_is_optional_and_empty_means_missing():
    assert Message(at=T0, author="agent").author_id is None
    assert Message(at=T0, author="agent", author_id="").author_id is None
    with pytest.raises(InvalidDataError, match="author_id"):
        Message(at=T0, author="agent", author_id=1.5)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("changes", "field", "why"),
    [
        ({"statuses": [(T0 - H, "open")]}, "statuses[0].at", "before the ticket was created"),
        (
            {"statuses": [(T0 + H, "open"), (T0, "pending")]},
            "statuses[1].at",
            "out of order",
        ),
        (
            {"messages": [Message(at=T0 - H, author="customer")]},
            "messages[0].at",
            "before the ticket was created",
        ),
        ({"assignments": [(T0 - H, "max")]}, "assignments[0].at", "before"),
        ({"submitter_role": "admin"}, "submitter_role", "use one of"),
        ({"created": T0.replace(tzinfo=None)}, "created", "naive"),
        ({"statuses": ["solved"]}, "statuses[0]", "expected a StatusChange"),
    ],
)
def test_bad_ticket_names_ticket_field_and_value(changes: dict, field: str, why: str):
    with pytest.raises(InvalidDataError, match="ticket 1") as info:
        ticket(**changes)
    assert field in str(info.value)
    assert why in str(info.value)


def test_bad_pair_names_the_event_field():
    with pytest.raises(InvalidDataError, match="ScheduleChange: field 'schedule_id' = None"):
        ticket(schedule_changes=[(T0, None)])


def test_unknown_status_is_an_error():
    with pytest.raises(InvalidDataError, match="'reopened'"):
        StatusChange(at=T0, status="reopened")  # type: ignore[arg-type]


# -- the table ------------------------------------------------------------------------------------


def test_from_records_keeps_every_field():
    t = ticket(
        channel="email",
        priority="high",
        category="billing",
        assignee_id="max",
        submitter_role="agent",
        assignments=[(T0, "max")],
        priority_changes=[(T0, "low"), (T0 + H, "high")],
        schedule_changes=[(T0, "eu"), (T0 + 2 * H, "us")],
    )
    table = Tickets.from_records([t])
    assert table.to_records() == [t]
    assert table.created.tolist() == [to_micros(T0)]
    assert table.submitter_role.tolist() == [csmetrics.AUTHORS.index("agent")]
    assert table.statuses.status.tolist() == [0, csmetrics.STATUSES.index("solved")]
    assert table.messages.author_id.keys.tolist() == ["ann", "max"]


def test_from_columns_sorts_each_history_by_ticket_and_time():
    table = Tickets.from_columns(
        {"id": ["b", "a"], "customer_id": ["x", "y"], "created": utc64(T0, T0)},
        statuses={
            "ticket_id": ["a", "b", "a"],
            "at": utc64(T0 + 2 * H, T0, T0 + H),
            "status": ["solved", "open", "pending"],
        },
        messages={
            "ticket_id": ["a", "a"],
            "at": utc64(T0 + H, T0),
            "author": ["agent", "customer"],
        },
    )
    # Row 0 is ticket "b", row 1 ticket "a".
    assert table.statuses.ticket.tolist() == [0, 1, 1]
    assert [csmetrics.STATUSES[s] for s in table.statuses.status] == ["open", "pending", "solved"]
    assert table.messages.author.tolist() == [0, 1]
    assert table.messages.public.tolist() == [True, True]
    records = table.to_records()
    assert records[1].statuses[-1].status == "solved"
    assert records[1].messages[0].author_id is None


@pytest.mark.parametrize(
    ("child", "columns", "match"),
    [
        (
            "statuses",
            {"ticket_id": [2], "at": utc64(T0), "status": ["open"]},
            r"status change at position 0: field 'ticket_id' = 2: no ticket has this id",
        ),
        (
            "statuses",
            {"ticket_id": [1], "at": utc64(T0 - H), "status": ["open"]},
            "status change at position 0: field 'at'.*before the ticket was created",
        ),
        (
            "statuses",
            {"ticket_id": [1], "at": utc64(T0), "status": ["reopened"]},
            "status change at position 0: field 'status' = 'reopened'",
        ),
        (
            "messages",
            {"ticket_id": [1], "at": utc64(T0 - H), "author": ["agent"]},
            "message at position 0: field 'at'.*before the ticket was created",
        ),
        (
            "schedule_changes",
            {"ticket_id": [1], "at": utc64(T0), "schedule_id": [None]},
            "schedule_id",
        ),
    ],
)
def test_bad_history_row_is_named(child: str, columns: dict, match: str):
    with pytest.raises(InvalidDataError, match=match):
        Tickets.from_columns(
            {"id": [1], "customer_id": ["a"], "created": utc64(T0)}, **{child: columns}
        )


def test_duplicate_ticket_id_is_an_error():
    with pytest.raises(InvalidDataError, match="duplicate id"):
        Tickets.from_columns({"id": [1, 1], "customer_id": ["a", "b"], "created": utc64(T0, T0)})


def test_unknown_submitter_role_is_named():
    with pytest.raises(InvalidDataError, match=r"submitter_role.*'admin'"):
        Tickets.from_columns(
            {"id": [1], "customer_id": ["a"], "created": utc64(T0), "submitter_role": ["admin"]}
        )


def test_take_renumbers_every_history():
    a = ticket(id="a", assignments=[(T0, "max")])
    b = ticket(id="b", statuses=[(T0, "open")], schedule_changes=[(T0, "eu")])
    table = Tickets.from_records([a, b])
    assert table.take(np.array([1])).to_records() == [b]
    assert table.take(np.array([False, True])).to_records() == [b]
    assert table.take(np.array([1, 0])).to_records() == [b, a]


def test_from_frame_reads_pandas_frames():
    pd = pytest.importorskip("pandas")
    t = ticket(assignments=[(T0, "max")])
    frame = pd.DataFrame({"id": [1], "customer_id": ["ann"], "created": [T0], "extra": [0]})
    table = Tickets.from_frame(
        frame,
        messages=pd.DataFrame(
            {
                "ticket_id": [1, 1],
                "at": [T0, T0 + H],
                "author": ["customer", "agent"],
                "author_id": ["ann", "max"],
                "public": [True, True],
            }
        ),
        statuses=pd.DataFrame(
            {"ticket_id": [1, 1], "at": [T0, T0 + H], "status": ["new", "solved"]}
        ),
        assignments=pd.DataFrame({"ticket_id": [1], "at": [T0], "assignee_id": ["max"]}),
    )
    assert table.to_records() == [t]


def test_interaction_messages_keep_author_id():
    contact = csmetrics.Interaction(
        id=1,
        customer_id="ann",
        start=T0,
        messages=[Message(at=T0, author="agent", author_id="max")],
    )
    table = csmetrics.Interactions.from_records([contact])
    assert table.to_records() == [contact]
    assert table.take(np.array([0])).messages.author_id.keys.tolist() == ["max"]


@given(tickets())
def test_records_and_columns_round_trip(records: list[Ticket]):
    table = Tickets.from_records(records)
    assert table.to_records() == records
    assert len(table) == len(records)
