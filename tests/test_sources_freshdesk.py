"""The Freshdesk readers: the API pages and the CSV export, their mapping and their errors.

The example exports in ``tests/data/freshdesk`` are synthetic, written for
these tests: the same six tickets as API pages (``api/``) and as the ticket
CSV export (``tickets.csv``, in Europe/Berlin time, UTC+1 in early March
2026). Ticket 1 is closed after a resolve, 2 reopened and still open, 3 an
outbound email (agent-created), 4 pending with an internal note first, 5 in
a custom status, 6 closed without being resolved.
"""

from __future__ import annotations

import json
import shutil
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest

from csmetrics import InvalidDataError, ticket_metrics
from csmetrics.sources.freshdesk import (
    IncompleteHistoryWarning,
    OrphanRowsWarning,
    read_api,
    read_csv,
)

DATA = Path(__file__).parent / "data" / "freshdesk"
API = DATA / "api"
CSV = DATA / "tickets.csv"
CUSTOM = {6: "hold"}
AS_OF = datetime(2026, 3, 5, 12, tzinfo=timezone.utc)
HOUR = 3600.0


def rows(tickets: Any) -> dict[str, dict[str, Any]]:
    return {r["ticket_id"]: r for r in ticket_metrics(tickets, as_of=AS_OF).to_rows()}


def api_rows() -> dict[str, dict[str, Any]]:
    return rows(read_api(API, statuses=CUSTOM))


def copy(tmp_path: Path) -> Path:
    target = tmp_path / "api"
    shutil.copytree(API, target)
    return target


def write(path: Path, data: Any) -> Path:
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def ticket(ident: int = 99, **fields: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "id": ident,
        "requester_id": 501,
        "created_at": "2026-03-02T09:00:00Z",
        "status": 2,
        "stats": {},
    }
    base.update(fields)
    return base


# --- the API example -------------------------------------------------------------


def test_example_reads_six_tickets() -> None:
    tickets = read_api(API, statuses=CUSTOM)
    assert repr(tickets) == "Tickets(6 tickets, 17 comments, 14 status changes)"
    first = tickets.to_records()[0]
    assert (first.id, first.customer_id, first.assignee_id) == ("1", "501", "9001")
    assert (first.channel, first.priority, first.category) == ("email", "medium", "Question")


def test_closed_after_resolve() -> None:
    row = api_rows()["1"]
    assert row["first_reply"] == HOUR
    assert row["first_resolution"] == row["full_resolution"] == 3.5 * HOUR
    assert row["requester_wait"] == row["solve_time"] == 3.5 * HOUR
    assert row["agent_wait"] == 0.0
    assert (row["resolutions"], row["reopens"]) == (1, 0)
    assert (row["agent_replies"], row["customer_comments"], row["agents"]) == (2, 2, 1)
    assert (row["touches"], row["touch_class"], row["status"]) == (2, "two", "closed")


def test_reopened_and_still_open() -> None:
    row = api_rows()["2"]
    assert row["first_resolution"] == HOUR
    assert row["full_resolution"] is None
    assert (row["reopens"], row["open"], row["touch_class"]) == (1, True, None)
    # open 10:00-11:00, then reopened 03-03 09:00 until as_of 03-05 12:00 (51 h)
    assert row["requester_wait"] == HOUR + 51 * HOUR


def test_outbound_email_is_agent_created() -> None:
    record = {t.id: t for t in read_api(API, statuses=CUSTOM).to_records()}["3"]
    assert record.submitter_role == "agent"
    assert (record.messages[0].author, record.messages[0].author_id) == ("agent", "9002")
    row = api_rows()["3"]
    # the creating comment is not a reply: the next agent comment at 16:00 is
    assert row["first_reply"] == 2 * HOUR
    assert (row["public_agent_comments"], row["agent_replies"]) == (2, 1)
    assert (row["touches"], row["touch_class"]) == (1, "one")


def test_internal_note_first_and_pending() -> None:
    row = api_rows()["4"]
    assert row["internal_comments"] == 1
    assert row["first_reply"] == 40 * 60.0  # the note at 08:10 is not a reply
    assert row["status"] == "pending"
    assert row["agent_wait"] == 27 * HOUR + 20 * 60  # 03-04 08:40 to as_of


def test_custom_status_by_option() -> None:
    row = api_rows()["5"]
    assert (row["status"], row["on_hold"]) == ("hold", 23 * HOUR)
    assert row["requester_wait"] == HOUR + 23 * HOUR
    assert row["agent_work"] == HOUR


def test_unknown_custom_status_is_named() -> None:
    where = r"tickets-2.json, \[0\] \(id 5\): field 'status' = 6"
    with pytest.raises(InvalidDataError, match=where):
        read_api(API)


def test_closed_without_resolve() -> None:
    row = api_rows()["6"]
    assert (row["resolutions"], row["first_resolution"]) == (1, 20 * 60.0)
    assert row["status"] == "closed"


def test_conversation_pages_equal_embedded_conversations(tmp_path: Path) -> None:
    target = copy(tmp_path)
    page = json.loads((target / "tickets-1.json").read_text(encoding="utf-8"))
    loose = page[0].pop("conversations")
    write(target / "tickets-1.json", page)
    write(target / "ticket-1-conversations.json", loose)
    assert api_rows() == rows(read_api(target, statuses=CUSTOM))


def test_one_file_with_one_ticket(tmp_path: Path) -> None:
    path = write(tmp_path / "t.json", ticket(stats={"status_updated_at": None}))
    assert len(read_api(path)) == 1


def test_unknown_fields_are_ignored(tmp_path: Path) -> None:
    path = write(tmp_path / "t.json", [ticket(extra={"a": 1}, cc_emails=["x@example.com"])])
    assert len(read_api(path)) == 1


def test_reopen_before_latest_resolution_warns(tmp_path: Path) -> None:
    stats = {"resolved_at": "2026-03-03T10:00:00Z", "reopened_at": "2026-03-03T09:00:00Z"}
    path = write(tmp_path / "t.json", [ticket(status=4, stats=stats)])
    with pytest.warns(IncompleteHistoryWarning, match="1 ticket"):
        read_api(path)


def test_orphan_conversation_is_an_error_or_counted(tmp_path: Path) -> None:
    target = copy(tmp_path)
    lost = {"id": 1, "ticket_id": 4242, "user_id": 1, "created_at": "2026-03-05T00:00:00Z"}
    write(target / "z.json", [lost])
    with pytest.raises(InvalidDataError, match=r"z.json, \[0\] \(id 1\): field 'ticket_id'"):
        read_api(target, statuses=CUSTOM)
    with pytest.warns(OrphanRowsWarning, match=r"left out 1 object\(s\): 1 in z.json"):
        tickets = read_api(target, statuses=CUSTOM, on_orphan="warn")
    assert len(tickets.messages) == 17


@pytest.mark.parametrize(
    ("data", "match"),
    [
        ([ticket(created_at="yesterday")], r"\[0\] \(id 99\): field 'created_at' = 'yesterday'"),
        ([ticket(requester_id=None)], r"field 'requester_id' = None: required"),
        ([{k: v for k, v in ticket().items() if k != "stats"}], r"field 'stats'.*include=stats"),
        ([ticket(status="open")], r"field 'status' = 'open': expected a whole-number code"),
        ([ticket(), ticket()], r"\[1\] \(id 99\): field 'id' = '99': repeats"),
        (
            [ticket(conversations=[{"id": 7, "created_at": "2026-03-01T00:00:00Z"}])],
            r"conversations\[0\] \(id 7\): field 'created_at'.*before its ticket was created",
        ),
        (
            [ticket(conversations=[{"id": 7, "created_at": "2026-03-03T00:00:00Z", "private": 1}])],
            r"field 'private' = 1: expected true or false",
        ),
        ([{"id": 1}], r"neither a ticket nor a conversation"),
    ],
)
def test_bad_objects_name_file_object_and_field(tmp_path: Path, data: Any, match: str) -> None:
    with pytest.raises(InvalidDataError, match=match):
        read_api(write(tmp_path / "t.json", data))


def test_not_json_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "t.json"
    path.write_text("[\n{,\n", encoding="utf-8")
    with pytest.raises(InvalidDataError, match=r"t.json, line 2, column 2: not JSON"):
        read_api(path)


def test_missing_path() -> None:
    with pytest.raises(FileNotFoundError):
        read_api(DATA / "nothing")


def test_bad_statuses_option() -> None:
    with pytest.raises(ValueError, match="'waiting'"):
        read_api(API, statuses={6: "waiting"})


# --- the CSV export --------------------------------------------------------------


def csv_rows() -> dict[str, dict[str, Any]]:
    tickets = read_csv(CSV, timezone="Europe/Berlin", statuses={"waiting on third party": "hold"})
    return rows(tickets)


def test_csv_gives_what_it_holds() -> None:
    api, csv = api_rows(), csv_rows()
    for ident in api:
        for field in ("first_reply", "full_resolution", "status", "open"):
            assert csv[ident][field] == api[ident][field], (ident, field)


def test_csv_reopened_ticket_is_open_from_its_last_update() -> None:
    row = csv_rows()["2"]
    assert (row["status"], row["reopens"], row["full_resolution"]) == ("open", 1, None)


def test_csv_outbound_email_is_agent_created() -> None:
    row = csv_rows()["3"]
    assert (row["first_reply"], row["agent_replies"]) == (2 * HOUR, 1)


def test_csv_needs_the_time_zone() -> None:
    with pytest.raises(ValueError, match="timezone"):
        read_csv(CSV, timezone="Berlin")


def test_csv_unknown_status_is_named() -> None:
    with pytest.raises(InvalidDataError, match=r"row 6: field 'Status' = 'Waiting on Third Party'"):
        read_csv(CSV, timezone="Europe/Berlin")


def test_csv_missing_column_is_named(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    path.write_text("Ticket ID,Status\n1,Open\n", encoding="utf-8")
    with pytest.raises(InvalidDataError, match="'Created time'"):
        read_csv(path, timezone="UTC")


def test_csv_resolved_before_created_is_named(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    path.write_text(
        "Ticket ID,Status,Created time,Resolved time,Contact ID\n"
        "1,Resolved,2026-03-02 10:00:00,2026-03-01 10:00:00,5\n",
        encoding="utf-8",
    )
    with pytest.raises(InvalidDataError, match=r"row 2: field 'Resolved time'.*before Created"):
        read_csv(path, timezone="UTC")


def test_search_api_page(tmp_path: Path) -> None:
    path = write(tmp_path / "t.json", {"results": [ticket(), ticket(7)], "total": 2})
    assert len(read_api(path)) == 2
    bad = write(tmp_path / "t.json", {"results": [ticket(created_at=None)], "total": 1})
    with pytest.raises(InvalidDataError, match=r"results\[0\] \(id 99\): field 'created_at'"):
        read_api(bad)


def test_current_status_without_a_time_is_an_error(tmp_path: Path) -> None:
    path = write(tmp_path / "t.json", [ticket(status=4, stats={"resolved_at": None})])
    with pytest.raises(
        InvalidDataError, match=r"stats: field 'status_updated_at' = None: .*solved"
    ):
        read_api(path)


def test_csv_current_status_needs_a_time(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    path.write_text(
        "Ticket ID,Status,Created time,Contact ID\n1,Pending,2026-03-02 10:00:00,5\n",
        encoding="utf-8",
    )
    with pytest.raises(InvalidDataError, match=r"row 2: field 'Last update time' = None"):
        read_csv(path, timezone="UTC")
