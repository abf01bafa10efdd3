"""The Zendesk API reader: tickets, users, audits and ticket events as the API returns them.

The example export in ``tests/data/zendesk_api`` is synthetic, written for
these tests: ticket 201 waits on the customer, is solved, reopened and solved
again (audits); 202 is created by an agent, gets an automation's comment and
an admin's reply; 203 (the incremental ticket event export) has an internal
note first; 204 has no status event and is on hold from its creation.
"""

from __future__ import annotations

import json
import shutil
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest

from csmetrics import InvalidDataError, SLAPolicy, SLARule, sla_outcomes, ticket_metrics
from csmetrics.sources.zendesk import (
    OrphanRowsWarning,
    read_api,
    read_api_schedules,
    read_schedules,
)

DATA = Path(__file__).parent / "data" / "zendesk_api"
AS_OF = datetime(2026, 4, 7, 12, tzinfo=timezone.utc)
MINUTE = 60.0
HOUR = 3600.0


def rows(path: Path = DATA, **options: Any) -> dict[str, dict[str, Any]]:
    tickets = read_api(path, **options)
    return {r["ticket_id"]: r for r in ticket_metrics(tickets, as_of=AS_OF).to_rows()}


def copy(tmp_path: Path) -> Path:
    target = tmp_path / "api"
    shutil.copytree(DATA, target)
    return target


def write(path: Path, data: Any) -> Path:
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def audit(ticket: int, at: str, *events: dict[str, Any], author: int = 10) -> dict[str, Any]:
    return {"id": 999, "ticket_id": ticket, "created_at": at, "author_id": author, "events": events}


def test_example_reads_four_tickets() -> None:
    assert repr(read_api(DATA)) == "Tickets(4 tickets, 13 comments, 12 status changes)"


def test_pending_reopen_and_resolve_again() -> None:
    row = rows()["201"]
    assert row["first_reply"] == HOUR
    assert row["first_resolution"] == 4 * HOUR
    assert row["full_resolution"] == 24.5 * HOUR
    # new 1 h, open 0.5 h, open 1 h, open 0.5 h after the reopen
    assert row["requester_wait"] == 3 * HOUR
    assert row["agent_wait"] == 1.5 * HOUR
    assert (row["resolutions"], row["reopens"]) == (2, 1)
    assert (row["agent_replies"], row["customer_comments"]) == (3, 3)
    assert (row["touches"], row["touch_class"]) == (3, "multi")


def test_sla_policy_change_in_the_audits_reaches_sla_outcomes() -> None:
    tickets = read_api(DATA)
    (ticket,) = [t for t in tickets.to_records() if t.id == "201"]
    assert [(c.at, c.policy) for c in ticket.sla_policy_changes] == [
        (datetime(2026, 4, 6, 9, tzinfo=timezone.utc), "Standard"),
        (datetime(2026, 4, 6, 9, 20, tzinfo=timezone.utc), "Priority"),
    ]
    policies = [
        SLAPolicy(name="Standard", rules=[SLARule(first_response=2 * HOUR)]),
        SLAPolicy(name="Priority", rules=[SLARule(first_response=30 * MINUTE)]),
    ]
    rows = [
        r for r in sla_outcomes(tickets, policies, as_of=AS_OF).to_rows() if r["ticket_id"] == "201"
    ]
    first = [r for r in rows if r["target"] == "first_response"]
    # Priority applied at 09:20 owed the reply by 09:50; it came at 10:00.
    assert [(r["policy"], r["target_at"].strftime("%H:%M"), r["breached"]) for r in first] == [
        ("Priority", "09:50", True)
    ]


def test_agent_created_with_automation_and_admin_reply() -> None:
    tickets = read_api(DATA)
    record = {t.id: t for t in tickets.to_records()}["202"]
    assert record.submitter_role == "agent"
    assert [m.author for m in record.messages] == ["agent", "bot", "customer", "agent"]
    row = rows()["202"]
    assert row["first_reply"] == 90 * MINUTE  # the admin's reply; not the creating one
    assert (row["public_agent_comments"], row["agent_replies"], row["agents"]) == (2, 1, 2)
    assert row["touch_class"] == "one"


def test_ticket_events_with_internal_note_first() -> None:
    row = rows()["203"]
    assert row["internal_comments"] == 1
    assert row["first_reply"] == 40 * MINUTE
    assert (row["status"], row["open"]) == ("open", True)


def test_ticket_without_status_events_has_its_status_from_creation() -> None:
    row = rows()["204"]
    assert (row["status"], row["on_hold"]) == ("hold", 21 * HOUR)


def test_audit_of_a_missing_ticket(tmp_path: Path) -> None:
    target = copy(tmp_path)
    write(target / "z.json", {"audits": [audit(4242, "2026-04-06T09:00:00Z")]})
    with pytest.raises(
        InvalidDataError, match=r"z.json, audits\[0\] \(id 999\): field 'ticket_id'"
    ):
        read_api(target)
    with pytest.warns(OrphanRowsWarning, match=r"1 in z.json \(ticket_id: no such ticket\)"):
        assert len(read_api(target, on_orphan="warn")) == 4


def test_comment_by_a_missing_user(tmp_path: Path) -> None:
    target = copy(tmp_path)
    comment = {"type": "Comment", "author_id": 77, "public": True}
    write(target / "z.json", {"audits": [audit(203, "2026-04-06T16:00:00Z", comment)]})
    with pytest.raises(
        InvalidDataError, match=r"events\[0\]: field 'author_id' = '77': no such user"
    ):
        read_api(target)
    with pytest.warns(OrphanRowsWarning, match="no such user"):
        assert len(read_api(target, on_orphan="warn").messages) == 13


def test_deleted_ticket_is_left_out_and_counted(tmp_path: Path) -> None:
    target = copy(tmp_path)
    ticket = {
        "id": 205,
        "created_at": "2026-04-06T09:00:00Z",
        "requester_id": 1,
        "status": "deleted",
    }
    write(target / "z.json", {"tickets": [ticket], "audits": [audit(205, "2026-04-06T09:00:00Z")]})
    with pytest.warns(OrphanRowsWarning, match=r"left out 2 object\(s\)"):
        assert len(read_api(target)) == 4


def test_unknown_lists_and_fields_are_ignored(tmp_path: Path) -> None:
    target = copy(tmp_path)
    write(target / "z.json", {"groups": [], "tickets": [], "next_page": None})
    assert rows(target) == rows()


@pytest.mark.parametrize(
    ("data", "match"),
    [
        ({"groups": []}, r"field 'tickets' = None: expected a page"),
        ({"users": [{"id": 1, "role": "owner"}]}, r"users\[0\] \(id 1\): field 'role' = 'owner'"),
        (
            {"tickets": [{"id": 1, "created_at": "2026-04-06T09:00:00Z", "status": "waiting"}]},
            r"tickets\[0\] \(id 1\): field 'status' = 'waiting'",
        ),
        (
            {
                "tickets": [{"id": 1, "created_at": "2026-04-06T09:00:00Z", "requester_id": 1}],
                "audits": [
                    audit(1, "2026-04-05T09:00:00Z", {"type": "Comment", "public": True}, author=-1)
                ],
            },
            r"audits\[0\] \(id 999\): field 'created_at' = '2026-04-05 09:00:00 UTC': before",
        ),
        (
            {
                "tickets": [{"id": 1, "created_at": "2026-04-06T09:00:00Z", "requester_id": 1}],
                "audits": [
                    audit(
                        1,
                        "2026-04-06T09:00:00Z",
                        {"type": "Change", "field_name": "status", "value": "gone"},
                    )
                ],
            },
            r"events\[0\]: field 'status' = 'gone'",
        ),
    ],
)
def test_bad_objects_name_file_object_and_field(tmp_path: Path, data: Any, match: str) -> None:
    with pytest.raises(InvalidDataError, match=match):
        read_api(write(tmp_path / "z.json", data), on_orphan="warn")


def test_item_repeated_across_pages_is_kept_once_in_its_latest_version(tmp_path: Path) -> None:
    target = copy(tmp_path)
    tickets = json.loads((target / "tickets.json").read_text(encoding="utf-8"))["tickets"]
    older = dict(tickets[3], status="open", updated_at="2026-04-06T14:00:00Z")
    newer = dict(tickets[3], updated_at="2026-04-06T16:00:00Z")
    write(target / "z-page.json", {"tickets": [newer, older]})
    events = json.loads((target / "ticket_events.json").read_text(encoding="utf-8"))
    write(target / "z-events.json", {"ticket_events": events["ticket_events"][:1]})
    assert rows(target) == rows()
    assert rows(target)["204"]["status"] == "hold"  # the newer version's status


def test_repeated_audit_is_the_same_event(tmp_path: Path) -> None:
    target = copy(tmp_path)
    audits = json.loads((target / "ticket-202-audits.json").read_text(encoding="utf-8"))
    write(target / "z.json", {"audits": audits["audits"][2:]})
    assert repr(read_api(target)) == repr(read_api(DATA))


def test_voice_comment_is_a_comment(tmp_path: Path) -> None:
    target = copy(tmp_path)
    call = {"type": "VoiceComment", "author_id": 10, "public": True, "data": {}}
    write(target / "z.json", {"audits": [audit(204, "2026-04-06T15:30:00Z", call)]})
    assert rows(target)["204"]["first_reply"] == 30 * MINUTE


# --- schedules: the Business Hours API ---------------------------------------------


def test_api_schedules_are_the_tables_calendars() -> None:
    api = read_api_schedules(DATA)
    tables = read_schedules(DATA.parent / "zendesk")
    assert list(api) == ["100", "200"]
    assert api["100"] == tables["100"]
    assert api["200"] == tables["200"]
    assert api["100"].timezone == "America/New_York"


def test_api_tickets_are_on_the_default_schedule_from_creation() -> None:
    for ticket in read_api(DATA).to_records():
        assert [(c.at, c.schedule_id) for c in ticket.schedule_changes] == [(ticket.created, "100")]


def test_calendar_by_schedule_id_works_from_read_api() -> None:
    tickets = read_api(DATA)
    by_id = {
        r["ticket_id"]: r
        for r in ticket_metrics(tickets, calendar=read_api_schedules(DATA), as_of=AS_OF).to_rows()
    }
    row = by_id["201"]
    # Created Monday 05:00 in New York, replied 06:00 and solved 09:00 (before
    # the office opened), solved again Tuesday 05:30: only Monday 09:00-17:00.
    assert (row["first_reply_business"], row["first_resolution_business"]) == (0.0, 0.0)
    assert row["full_resolution_business"] == 8 * HOUR
    office = read_api_schedules(DATA)["100"]
    single = ticket_metrics(tickets, calendar=office, as_of=AS_OF).to_rows()
    assert [r["full_resolution_business"] for r in single] == [
        by_id[r["ticket_id"]]["full_resolution_business"] for r in single
    ]


def test_without_schedules_no_schedule_history(tmp_path: Path) -> None:
    target = copy(tmp_path)
    (target / "schedules.json").unlink()
    assert not any(t.schedule_changes for t in read_api(target).to_records())
    assert read_api_schedules(target) == {}


def test_one_schedule_page_and_the_latest_version(tmp_path: Path) -> None:
    old = {
        "id": 7,
        "time_zone": "UTC",
        "intervals": [{"start_time": 1980, "end_time": 2460}],
        "updated_at": "2024-01-01T00:00:00Z",
    }
    new = {
        **old,
        "intervals": [{"start_time": 2040, "end_time": 2460}],
        "updated_at": "2025-01-01T00:00:00Z",
    }
    write(tmp_path / "a.json", {"schedule": new})
    write(tmp_path / "b.json", {"schedules": [old]})
    assert read_api_schedules(tmp_path)["7"].hours == (("mon", (("10:00", "17:00"),)),)


@pytest.mark.parametrize(
    ("schedule", "match"),
    [
        (
            {"id": 1, "time_zone": "UTC", "intervals": [{"start_time": "9", "end_time": 60}]},
            r"schedules\[0\] \(id 1\)\.intervals\[0\]: field 'start_time' = '9'",
        ),
        (
            {"id": 1, "time_zone": "UTC", "intervals": [{"start_time": 60, "end_time": 20000}]},
            r"intervals\[0\]: field 'end_time' = 20000: expected minutes of the week",
        ),
        (
            {"id": 1, "time_zone": "Atlantis", "intervals": [{"start_time": 0, "end_time": 60}]},
            r"s\.json, schedules\[0\] \(id 1\): field 'time_zone' = 'Atlantis'",
        ),
        (
            {
                "id": 1,
                "time_zone": "UTC",
                "intervals": [
                    {"start_time": 0, "end_time": 60},
                    {"start_time": 30, "end_time": 90},
                ],
            },
            r"s\.json: schedule 1: ",
        ),
        (
            {
                "id": 1,
                "time_zone": "UTC",
                "intervals": [{"start_time": 0, "end_time": 60}],
                "holidays": [{"start_date": "2026-01-02", "end_date": "2026-01-01"}],
            },
            r"holidays\[0\]: field 'end_date' = '2026-01-01': before start_date 2026-01-02",
        ),
        (
            {
                "id": 1,
                "time_zone": "UTC",
                "intervals": [],
                "holidays": [{"start_date": "Jan 1", "end_date": "2026-01-01"}],
            },
            r"holidays\[0\]: field 'start_date' = 'Jan 1': expected a date",
        ),
        ({"time_zone": "UTC"}, r"schedules\[0\]: field 'id'"),
    ],
)
def test_bad_schedules_name_file_object_and_field(
    tmp_path: Path, schedule: dict[str, Any], match: str
) -> None:
    path = write(tmp_path / "s.json", {"schedules": [schedule]})
    with pytest.raises(InvalidDataError, match=match):
        read_api_schedules(path)
