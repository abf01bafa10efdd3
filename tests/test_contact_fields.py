"""The time-related contact fields and the messages child table."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import numpy as np
import pytest

from csmetrics import Interaction, Interactions, InvalidDataError, Message

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)


def minutes(m: float) -> datetime:
    return T0 + timedelta(minutes=m)


def test_first_response_before_start_is_rejected():
    with pytest.raises(InvalidDataError, match=r"'c1'.*first_response_at"):
        Interaction(id="c1", customer_id="a", start=T0, first_response_at=minutes(-1))


@pytest.mark.parametrize("flag", ["abandoned", "blocked"])
def test_answered_contact_cannot_be_abandoned_or_blocked(flag):
    with pytest.raises(InvalidDataError, match=rf"'c1'.*{flag}"):
        Interaction(id="c1", customer_id="a", start=T0, first_response_at=T0, **{flag: True})


@pytest.mark.parametrize("bad", [-1, float("nan"), float("inf"), True, "10"])
def test_negative_or_non_numeric_durations_are_rejected(bad):
    with pytest.raises(InvalidDataError, match=r"'c1'.*talk_seconds"):
        Interaction(id="c1", customer_id="a", start=T0, talk_seconds=bad)


def test_message_before_start_is_rejected():
    with pytest.raises(InvalidDataError, match=r"messages\[0\]\.at.*before start"):
        Interaction(
            id="c1",
            customer_id="a",
            start=T0,
            messages=[Message(at=minutes(-5), author="customer")],
        )


def test_messages_out_of_order_are_rejected():
    with pytest.raises(InvalidDataError, match=r"messages\[1\]\.at.*out of order"):
        Interaction(
            id="c1",
            customer_id="a",
            start=T0,
            messages=[
                Message(at=minutes(5), author="customer"),
                Message(at=minutes(4), author="agent"),
            ],
        )


def test_unknown_author_is_rejected():
    with pytest.raises(InvalidDataError, match="author"):
        Message(at=T0, author="robot")  # type: ignore[arg-type]


def contacts() -> list[Interaction]:
    return [
        Interaction(
            id="c1",
            customer_id="a",
            start=T0,
            end=minutes(30),
            first_response_at=minutes(2),
            talk_seconds=600.0,
            hold_seconds=60.0,
            wrap_seconds=None,
            priority="P1",
            tier="incident",
            messages=(
                Message(at=minutes(0), author="customer"),
                Message(at=minutes(1), author="bot"),
                Message(at=minutes(2), author="agent"),
                Message(at=minutes(3), author="agent", public=False),
            ),
        ),
        Interaction(id="c2", customer_id="b", start=minutes(10), abandoned=True, end=minutes(11)),
        Interaction(
            id="c3",
            customer_id="b",
            start=minutes(20),
            messages=(Message(at=minutes(21), author="customer"),),
        ),
    ]


def test_records_round_trip_through_the_table():
    table = Interactions.from_records(contacts())
    assert table.to_records() == contacts()
    assert table.messages.interaction.tolist() == [0, 0, 0, 0, 2]
    assert table.messages.author.tolist() == [0, 2, 1, 1, 0]


def test_take_keeps_and_renumbers_messages():
    table = Interactions.from_records(contacts())
    kept = table.take(np.array([False, True, True]))
    assert kept.messages.interaction.tolist() == [1]
    assert kept.to_records() == contacts()[1:]


def test_columns_with_messages_equal_records():
    utc = [T0.replace(tzinfo=None) + timedelta(minutes=m) for m in (0, 10, 20)]
    table = Interactions.from_columns(
        {
            "id": ["c1", "c2", "c3"],
            "customer_id": ["a", "b", "b"],
            "start": np.array(utc, dtype="datetime64[us]"),
            "end": np.array(
                [utc[0] + timedelta(minutes=30), utc[1] + timedelta(minutes=1), None],
                dtype="datetime64[us]",
            ),
            "first_response_at": [minutes(2), None, None],
            "abandoned": np.array([False, True, False]),
            "talk_seconds": [600.0, None, None],
            "hold_seconds": np.array([60.0, np.nan, np.nan]),
            "priority": ["P1", None, None],
            "tier": ["incident", "", ""],
        },
        messages={
            # Given out of time order: the table sorts by contact, then time.
            "interaction_id": ["c3", "c1", "c1", "c1", "c1"],
            "at": [minutes(21), minutes(2), minutes(0), minutes(1), minutes(3)],
            "author": ["customer", "agent", "customer", "bot", "agent"],
            "public": np.array([True, True, True, True, False]),
        },
    )
    assert table.to_records() == contacts()


def test_columns_reject_message_of_unknown_contact():
    with pytest.raises(InvalidDataError, match=r"interaction_id.*'zz'"):
        Interactions.from_columns(
            {"id": ["c1"], "customer_id": ["a"], "start": [T0]},
            messages={"interaction_id": ["zz"], "at": [T0], "author": ["customer"]},
        )


def test_columns_reject_message_before_contact_start():
    with pytest.raises(InvalidDataError, match="before the contact's start"):
        Interactions.from_columns(
            {"id": ["c1"], "customer_id": ["a"], "start": [T0]},
            messages={"interaction_id": ["c1"], "at": [minutes(-1)], "author": ["agent"]},
        )


def test_columns_reject_abandoned_with_first_response():
    with pytest.raises(InvalidDataError, match=r"'c1'.*abandoned"):
        Interactions.from_columns(
            {
                "id": ["c1"],
                "customer_id": ["a"],
                "start": [T0],
                "first_response_at": [minutes(1)],
                "abandoned": [True],
            }
        )


def test_columns_reject_negative_seconds():
    with pytest.raises(InvalidDataError, match=r"'c1'.*wrap_seconds"):
        Interactions.from_columns(
            {"id": ["c1"], "customer_id": ["a"], "start": [T0], "wrap_seconds": [-3.0]}
        )


def test_abandoned_contact_needs_an_end():
    with pytest.raises(InvalidDataError, match=r"'c1'.*abandoned.*end"):
        Interaction(id="c1", customer_id="a", start=T0, abandoned=True)
    with pytest.raises(InvalidDataError, match=r"'c1'.*abandoned.*end"):
        Interactions.from_columns(
            {"id": ["c1"], "customer_id": ["a"], "start": [T0], "abandoned": [True]}
        )


def test_escalation_and_complaint_fields():
    with pytest.raises(InvalidDataError, match=r"'c1'.*escalated_to.*'tier2'"):
        Interaction(id="c1", customer_id="a", start=T0, escalated_to="tier2")
    with pytest.raises(InvalidDataError, match=r"'c1'.*escalated_to.*'tier2'"):
        Interactions.from_columns(
            {"id": ["c1"], "customer_id": ["a"], "start": [T0], "escalated_to": ["tier2"]}
        )
    records = [
        Interaction(id="c1", customer_id="a", start=T0, escalated=True, escalated_to="tier2"),
        Interaction(id="c2", customer_id="a", start=T0, complaint=True),
    ]
    table = Interactions.from_records(records)
    assert table.escalated.tolist() == [True, False]
    assert table.complaint.tolist() == [False, True]
    assert table.to_records() == records
