"""The Intercom reader: conversations and their parts, the mapping and its errors.

The example export in ``tests/data/intercom`` is synthetic, written for these
tests: five conversations on Monday 2026-03-09 (UTC). 101 has a bot answer
before the first teammate reply, 102 is reopened by the customer's reply and
closed again, 103 is started by a teammate (an outbound message), 104 has a
note first and is snoozed twice, 105 is assigned to a team and unanswered.
"""

from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest

from csmetrics import InvalidDataError, ticket_metrics
from csmetrics.sources.intercom import IncompleteHistoryWarning, read_api

DATA = Path(__file__).parent / "data" / "intercom"
AS_OF = datetime(2026, 3, 10, 12, tzinfo=timezone.utc)
MINUTE = 60.0
HOUR = 3600.0


def rows(path: Path = DATA) -> dict[str, dict[str, Any]]:
    return {r["ticket_id"]: r for r in ticket_metrics(read_api(path), as_of=AS_OF).to_rows()}


def write(path: Path, data: Any) -> Path:
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def conversation(**fields: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "id": "7",
        "created_at": 1773046800,  # 2026-03-09 09:00 UTC
        "source": {"type": "email", "author": {"type": "user", "id": "u"}},
        "contacts": {"contacts": [{"type": "contact", "id": "u"}]},
    }
    base.update(fields)
    return base


def parts(*items: dict[str, Any], total: int | None = None) -> dict[str, Any]:
    return {
        "type": "conversation_part.list",
        "conversation_parts": list(items),
        "total_count": len(items) if total is None else total,
    }


def test_example_reads_five_conversations() -> None:
    tickets = read_api(DATA)
    assert repr(tickets) == "Tickets(5 tickets, 18 comments, 13 status changes)"
    first = tickets.to_records()[0]
    assert (first.id, first.customer_id, first.channel, first.assignee_id) == (
        "101",
        "u1",
        "conversation",
        "a1",
    )


def test_bot_answer_is_not_a_reply() -> None:
    row = rows()["101"]
    assert row["first_reply"] == 10 * MINUTE
    assert row["first_resolution"] == 31 * MINUTE
    assert (row["agent_replies"], row["customer_comments"], row["agents"]) == (2, 2, 1)
    assert (row["touches"], row["touch_class"]) == (2, "two")


def test_customer_reply_reopens_a_closed_conversation() -> None:
    row = rows()["102"]
    assert (row["resolutions"], row["reopens"]) == (2, 1)
    assert row["first_resolution"] == 31 * MINUTE
    assert row["full_resolution"] == 23 * HOUR + 16 * MINUTE
    assert row["requester_wait"] == (31 + 16) * MINUTE


def test_teammate_started_conversation_is_agent_created() -> None:
    row = rows()["103"]
    assert row["first_reply"] == 90 * MINUTE  # the teammate's next comment, 12:30
    assert (row["agent_replies"], row["touch_class"]) == (1, "one")


def test_note_first_and_snoozed_is_pending() -> None:
    row = rows()["104"]
    assert row["internal_comments"] == 1
    assert row["first_reply"] == 20 * MINUTE
    assert (row["status"], row["reopens"]) == ("pending", 0)
    # snoozed 13:21-14:00 (39 min), then from 14:11 to as_of 03-10 12:00 (21 h 49 min)
    assert row["agent_wait"] == (39 + 21 * 60 + 49) * MINUTE
    assert row["requester_wait"] == (21 + 11) * MINUTE


def test_unanswered_conversation_is_open() -> None:
    row = rows()["105"]
    assert (row["first_reply"], row["open"], row["status"]) == (None, True, "open")
    assert row["requester_wait"] == 21 * HOUR


def test_assignment_to_admin_and_unassignment(tmp_path: Path) -> None:
    data = conversation(
        conversation_parts=parts(
            {"part_type": "assignment", "created_at": 1773046860, "assigned_to": None},
            {
                "part_type": "assignment",
                "created_at": 1773046920,
                "assigned_to": {"type": "admin", "id": "a9"},
            },
        )
    )
    (record,) = read_api(write(tmp_path / "c.json", data)).to_records()
    assert [a.assignee_id for a in record.assignments] == [None, "a9"]


def test_fewer_parts_than_total_count_warns(tmp_path: Path) -> None:
    data = conversation(conversation_parts=parts(total=3))
    with pytest.warns(IncompleteHistoryWarning, match="1 conversation"):
        read_api(write(tmp_path / "c.json", data))


def test_unknown_fields_and_part_types_are_ignored(tmp_path: Path) -> None:
    data = conversation(
        extra=1,
        conversation_parts=parts(
            {"part_type": "participant_added", "created_at": 1773046860, "author": {}}
        ),
    )
    assert len(read_api(write(tmp_path / "c.json", data))) == 1


def test_customer_from_source_author_without_contacts(tmp_path: Path) -> None:
    data = conversation(contacts=None)
    (record,) = read_api(write(tmp_path / "c.json", data)).to_records()
    assert record.customer_id == "u"


@pytest.mark.parametrize(
    ("data", "match"),
    [
        ([conversation(created_at="soon")], r"\[0\] \(id 7\): field 'created_at' = 'soon'"),
        ([conversation(id=None)], r"field 'id' = None: required"),
        (
            [conversation(contacts=None, source={"author": {"type": "admin", "id": "a"}})],
            r"field 'contacts' = None: no contact",
        ),
        (
            [
                conversation(
                    conversation_parts=parts(
                        {
                            "part_type": "comment",
                            "created_at": 1773046860,
                            "author": {"type": "robot", "id": "r"},
                        }
                    )
                )
            ],
            r"conversation_parts\[0\]\.author: field 'type' = 'robot': unknown author type",
        ),
        (
            [conversation(conversation_parts=parts({"part_type": "close", "created_at": 1}))],
            r"conversation_parts\[0\]: field 'created_at' = '1970-01-01 00:00:01 UTC': before",
        ),
        ([conversation(), conversation()], r"\[1\] \(id 7\): field 'id' = '7': repeats"),
    ],
)
def test_bad_objects_name_file_object_and_field(tmp_path: Path, data: Any, match: str) -> None:
    with pytest.raises(InvalidDataError, match=match):
        read_api(write(tmp_path / "c.json", data))


def test_page_file_reads_like_single_files(tmp_path: Path) -> None:
    conversations = [
        json.loads(p.read_text(encoding="utf-8")) for p in sorted(DATA.glob("conversation-*.json"))
    ]
    page = json.loads((DATA / "page-2.json").read_text(encoding="utf-8"))
    write(tmp_path / "all.json", {"conversations": conversations + page["conversations"]})
    assert rows(tmp_path / "all.json") == rows()
