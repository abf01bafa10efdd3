"""The Zendesk reader: schedules, the example export, and every error it names.

The example export in ``tests/data/zendesk`` is synthetic, written for these
tests (see its README). Dates (2026): America/New_York springs forward on
Sunday 2026-03-08 and falls back on Sunday 2026-11-01; Europe/Berlin springs
forward on 2026-03-29; 2026-11-26 is Thanksgiving (a Thursday) and
2026-05-01 a Friday.
"""

from __future__ import annotations

import csv
import shutil
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from csmetrics import BusinessCalendar, InvalidDataError, SLAPolicy, SLARule, sla_outcomes
from csmetrics.core.model import Ticket
from csmetrics.sources.zendesk import OrphanRowsWarning, read_schedules, read_tables

EXAMPLE = Path(__file__).parent / "data" / "zendesk"
HOUR = 3600.0
OFFICE = {day: [("09:00", "17:00")] for day in ("mon", "tue", "wed", "thu", "fri")}


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=timezone.utc)


def export(tmp_path: Path, **tables: str) -> Path:
    """A copy of the example export with some tables replaced (text) or removed ("")."""
    target = tmp_path / "export"
    shutil.copytree(EXAMPLE, target)
    for name, text in tables.items():
        path = target / f"{name}.csv"
        if text:
            path.write_text(text, encoding="utf-8")
        else:
            path.unlink()
    return target


SCHEDULE_HEADER = "id,name,time_zone,start_time,end_time,created_at\n"


# --- schedules ------------------------------------------------------------------


def test_example_schedules_become_calendars() -> None:
    calendars = read_schedules(EXAMPLE)
    assert list(calendars) == ["100", "200", "300"]
    assert calendars["100"] == BusinessCalendar(
        timezone="America/New_York",
        hours=OFFICE,
        holidays=[date(2026, 1, 1), date(2026, 11, 26), date(2026, 11, 27)],
    )
    assert calendars["200"] == BusinessCalendar.always("Etc/UTC")
    assert calendars["300"] == BusinessCalendar(
        timezone="Europe/Berlin",
        hours={day: [("08:00", "18:00")] for day in OFFICE},
        holidays=[date(2026, 5, 1)],
    )


def test_a_deleted_interval_is_left_out() -> None:
    # schedule.csv has a Saturday interval of schedule 100 marked _fivetran_deleted.
    assert "sat" not in dict(read_schedules(EXAMPLE)["100"].hours)


def test_dst_start_friday_to_monday() -> None:
    # Fri 16:30 EST to Mon 10:00 EDT: half an hour on Friday, one on Monday.
    office = read_schedules(EXAMPLE)["100"]
    assert office.business_seconds(utc("2026-03-06 21:30"), utc("2026-03-09 14:00")) == 1.5 * HOUR


def test_dst_end_friday_to_monday() -> None:
    # Fri 16:00 EDT to Mon 10:00 EST.
    office = read_schedules(EXAMPLE)["100"]
    assert office.business_seconds(utc("2026-10-30 20:00"), utc("2026-11-02 15:00")) == 2 * HOUR


def test_two_day_holiday_closes_both_days() -> None:
    # Wed 15:00 EST to Mon 10:00 EST over Thanksgiving Thursday and Friday.
    office = read_schedules(EXAMPLE)["100"]
    assert office.business_seconds(utc("2026-11-25 20:00"), utc("2026-11-30 15:00")) == 3 * HOUR


def test_one_day_holiday_closes_the_day() -> None:
    # Thu 17:00 CEST to Mon 09:00 CEST; Friday 1 May is a holiday.
    berlin = read_schedules(EXAMPLE)["300"]
    assert berlin.business_seconds(utc("2026-04-30 15:00"), utc("2026-05-04 07:00")) == 2 * HOUR


def test_interval_past_midnight_is_cut_at_midnight(tmp_path: Path) -> None:
    # Friday 22:00 (minute 7200 + 1320) to Saturday 02:00 (8640 + 120).
    text = SCHEDULE_HEADER + "7,Night,UTC,8520,8760,2020-01-01\n"
    path = export(tmp_path, schedule=text, schedule_holiday="")
    night = read_schedules(path)["7"]
    assert night.hours == (("fri", (("22:00", "24:00"),)), ("sat", (("00:00", "02:00"),)))


def test_a_week_ending_interval_closes_at_midnight(tmp_path: Path) -> None:
    text = SCHEDULE_HEADER + "7,Sat,UTC,9000,10080,2020-01-01\n"
    path = export(tmp_path, schedule=text, schedule_holiday="")
    assert read_schedules(path)["7"].hours == (("sat", (("06:00", "24:00"),)),)


def test_no_schedule_table_gives_no_calendars(tmp_path: Path) -> None:
    assert read_schedules(export(tmp_path, schedule="", schedule_holiday="")) == {}


def test_schedules_from_parquet_equal_those_from_csv(tmp_path: Path) -> None:
    pa = pytest.importorskip("pyarrow")
    pq = pytest.importorskip("pyarrow.parquet")
    from pyarrow import csv as pacsv

    target = export(tmp_path)
    for name in ("schedule", "schedule_holiday"):
        table = pacsv.read_csv(target / f"{name}.csv")
        if name == "schedule_holiday":  # dates as Arrow dates
            table = table.set_column(
                table.schema.get_field_index("start_date"),
                "start_date",
                table.column("start_date").cast(pa.date32()),
            )
        pq.write_table(table, target / f"{name}.parquet")
        (target / f"{name}.csv").unlink()
    assert read_schedules(target) == read_schedules(EXAMPLE)


@pytest.mark.parametrize(
    ("row", "match"),
    [
        ("7,X,UTC,-5,60,2020-01-01", r"row 2: field 'start_time' = -5"),
        ("7,X,UTC,600,600,2020-01-01", r"row 2: field 'end_time' = 600"),
        ("7,X,UTC,600,10081,2020-01-01", r"row 2: field 'end_time' = 10081"),
        ("7,X,UTC,six,700,2020-01-01", r"row 2: field 'start_time' = 'six'"),
        ("7,X,Eastern Time,600,700,2020-01-01", r"row 2: field 'time_zone' = 'Eastern Time'"),
        ("7,X,UTC,600,700,yesterday", r"row 2: field 'created_at' = 'yesterday'"),
    ],
)
def test_bad_schedule_cells_name_file_row_and_field(tmp_path: Path, row: str, match: str) -> None:
    path = export(tmp_path, schedule=SCHEDULE_HEADER + row + "\n", schedule_holiday="")
    with pytest.raises(InvalidDataError, match=r"schedule\.csv, " + match):
        read_schedules(path)


def test_overlapping_intervals_name_the_schedule(tmp_path: Path) -> None:
    text = SCHEDULE_HEADER + "7,X,UTC,1980,2460,2020-01-01\n7,X,UTC,2400,2500,2020-01-01\n"
    with pytest.raises(InvalidDataError, match=r"schedule\.csv: schedule 7: .*overlaps"):
        read_schedules(export(tmp_path, schedule=text, schedule_holiday=""))


def test_two_zones_for_one_schedule_is_an_error(tmp_path: Path) -> None:
    text = SCHEDULE_HEADER + "7,X,UTC,1980,2460,2020-01-01\n7,X,Berlin,3420,3900,2020-01-01\n"
    with pytest.raises(InvalidDataError, match=r"row 3: field 'time_zone' = 'Berlin'.*row 2"):
        read_schedules(export(tmp_path, schedule=text, schedule_holiday=""))


def test_holiday_ending_before_it_starts(tmp_path: Path) -> None:
    text = "id,schedule_id,name,start_date,end_date\n1,100,X,2026-12-26,2026-12-24\n"
    with pytest.raises(InvalidDataError, match=r"schedule_holiday\.csv, row 2: field 'end_date'"):
        read_schedules(export(tmp_path, schedule_holiday=text))


def test_holiday_of_an_unknown_schedule(tmp_path: Path) -> None:
    text = "id,schedule_id,name,start_date,end_date\n1,999,X,2026-12-24,2026-12-24\n"
    match = r"schedule_holiday\.csv, row 2: field 'schedule_id' = '999'"
    with pytest.raises(InvalidDataError, match=match):
        read_schedules(export(tmp_path, schedule_holiday=text))


def test_holiday_as_midnight_timestamp_is_its_date(tmp_path: Path) -> None:
    text = "id,schedule_id,name,start_date,end_date\n1,100,X,2026-12-24 00:00:00,2026-12-25\n"
    office = read_schedules(export(tmp_path, schedule_holiday=text))["100"]
    assert office.holidays == (date(2026, 12, 24), date(2026, 12, 25))


def test_missing_schedule_column_is_named(tmp_path: Path) -> None:
    text = "id,name,start_time,end_time\n7,X,600,700\n"
    match = r"schedule\.csv: missing column\(s\) 'time_zone' of table 'schedule'"
    with pytest.raises(InvalidDataError, match=match):
        read_schedules(export(tmp_path, schedule=text))


def test_not_a_directory(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="no such directory"):
        read_schedules(tmp_path / "nowhere")
    with pytest.raises(NotADirectoryError):
        read_schedules(EXAMPLE / "ticket.csv")


def test_daylight_time_table_agrees_with_zoneinfo() -> None:
    # The connector's daylight_time table (which the reader does not need)
    # gives the same transitions as the IANA zones the names map to.
    calendars = read_schedules(EXAMPLE)
    zones = {"Eastern Time (US & Canada)": calendars["100"].zone, "Berlin": calendars["300"].zone}
    with open(EXAMPLE / "daylight_time.csv", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 2
    second = timedelta(seconds=1)
    for row in rows:
        zone = zones[row["time_zone"]]
        shift = timedelta(hours=int(row["daylight_offset"]))
        for text, change in ((row["daylight_start_utc"], shift), (row["daylight_end_utc"], -shift)):
            moment = utc(text)
            after = moment.astimezone(zone).utcoffset()
            before = (moment - second).astimezone(zone).utcoffset()
            assert after is not None
            assert before is not None
            assert after - before == change


# --- read_tables: the example export ------------------------------------------------


def records(path: Path = EXAMPLE, **options: Any) -> dict[str, Ticket]:
    return {str(t.id): t for t in read_tables(path, **options).to_records()}


def at(text: str) -> datetime:
    return utc("2026-" + text)


def statuses(ticket: Ticket) -> list[tuple[datetime, str]]:
    return [(s.at, s.status) for s in ticket.statuses]


def messages(ticket: Ticket) -> list[tuple[datetime, str, bool, object]]:
    return [(m.at, m.author, m.public, m.author_id) for m in ticket.messages]


def schedules(ticket: Ticket) -> list[tuple[datetime, object]]:
    return [(c.at, c.schedule_id) for c in ticket.schedule_changes]


def test_example_has_ten_tickets_with_their_fields() -> None:
    tickets = records()
    assert list(tickets) == [str(i) for i in range(1001, 1011)]
    one = tickets["1001"]
    assert (one.customer_id, one.created, one.channel, one.priority, one.category) == (
        "1",
        at("02-03 14:00"),
        "email",
        "normal",
        "question",
    )
    assert (one.assignee_id, one.submitter_role) == ("10", "customer")
    assert tickets["1008"].priority is None
    assert tickets["1008"].assignee_id is None


def test_reopen_then_resolve_keeps_every_status_change() -> None:
    ticket = records()["1002"]
    assert statuses(ticket) == [
        (at("02-04 15:00"), "new"),
        (at("02-04 15:30"), "open"),
        (at("02-04 16:00"), "pending"),
        (at("02-05 13:00"), "open"),
        (at("02-05 14:00"), "solved"),
        (at("02-06 10:00"), "open"),
        (at("02-06 11:00"), "solved"),
    ]
    assert [(c.at, c.priority) for c in ticket.priority_changes] == [
        (at("02-04 15:00"), "normal"),
        (at("02-05 13:30"), "high"),
    ]
    assert [(c.at, c.assignee_id) for c in ticket.assignments] == [
        (at("02-04 15:30"), "10"),
        (at("02-05 13:30"), "11"),
    ]
    authors = [(m.author, m.author_id) for m in ticket.messages]
    assert authors == [
        ("customer", "2"),
        ("agent", "10"),
        ("customer", "2"),
        ("agent", "11"),
        ("customer", "2"),
        ("agent", "11"),
    ]


def test_agent_created_ticket_has_an_agent_submitter_and_first_comment() -> None:
    ticket = records()["1003"]
    assert ticket.submitter_role == "agent"
    assert messages(ticket)[0] == (at("02-10 16:00"), "agent", True, "10")
    assert statuses(ticket)[0] == (at("02-10 16:00"), "pending")


def test_internal_note_first_and_admin_reply() -> None:
    ticket = records()["1004"]
    assert messages(ticket) == [
        (at("02-12 13:00"), "customer", True, "1"),
        (at("02-12 13:05"), "customer", True, "1"),
        (at("02-12 14:10"), "agent", False, "11"),
        (at("02-12 15:00"), "agent", True, "12"),  # an admin's comment is an agent's
        (at("02-13 16:00"), "agent", False, "11"),
        (at("02-13 16:30"), "agent", True, "11"),
    ]
    assert [s for _, s in statuses(ticket)] == ["new", "open", "hold", "open", "solved"]


def test_system_user_comment_is_a_bot() -> None:
    ticket = records()["1010"]
    assert messages(ticket)[1] == (at("12-01 15:00:30"), "bot", True, None)


def test_closed_without_solve() -> None:
    assert statuses(records()["1008"]) == [
        (at("03-16 14:00"), "new"),
        (at("03-16 14:10"), "closed"),
    ]


def test_default_schedule_from_creation() -> None:
    tickets = records()
    # Schedule 100 is the earliest created: every ticket starts on it...
    for key in ("1001", "1002", "1006", "1007"):
        assert schedules(tickets[key]) == [(tickets[key].created, "100")]


def test_schedule_switched_mid_life() -> None:
    # ...and a trigger moved 1005 to the 24x7 schedule an hour after creation.
    assert schedules(records()["1005"]) == [(at("02-20 21:00"), "100"), (at("02-20 22:00"), "200")]


def test_schedule_set_within_five_seconds_replaces_the_default() -> None:
    # dbt_zendesk: a ticket_schedule row within 5 s of creation is the first schedule.
    assert schedules(records()["1009"]) == [(at("04-30 15:00:02"), "300")]


POLICIES = [
    SLAPolicy(name="Standard", rules=[SLARule(first_response=HOUR)]),
    SLAPolicy(name="Priority", rules=[SLARule(first_response=15 * 60)]),
]


def test_sla_policy_history_becomes_the_policy_changes() -> None:
    ticket = records()["1001"]
    assert [(c.at, c.policy) for c in ticket.sla_policy_changes] == [
        (at("02-03 14:00"), "Standard"),
        (at("02-03 14:10"), "Priority"),
    ]
    assert all(not t.sla_policy_changes for key, t in records().items() if key != "1001")


def test_sla_policy_change_in_the_history_reaches_sla_outcomes() -> None:
    tickets = read_tables(EXAMPLE)
    one = tickets.take(np.flatnonzero(tickets.id.keys[tickets.id.codes] == "1001"))
    # Under Standard the 14:30 reply met its hour; Priority, applied at 14:10,
    # owed it by 14:25 (dbt_zendesk: the policy in force when the target applied).
    (row,) = sla_outcomes(one, POLICIES).to_rows()
    assert (row["policy"], row["applied_at"], row["target_at"]) == (
        "Priority",
        at("02-03 14:10"),
        at("02-03 14:25"),
    )
    assert (row["elapsed"], row["breached"], row["met"]) == (20 * 60, True, False)
    (standard,) = sla_outcomes(one, POLICIES[0]).to_rows()
    assert standard["met"]


def test_cleared_sla_policy_is_no_policy(tmp_path: Path) -> None:
    path = export(
        tmp_path,
        ticket_field_history=appended(
            "ticket_field_history", "1001,sla_policy,2026-02-03 14:20:00,,-1,2026-12-02 00:00:00"
        ),
    )
    changes = records(path)["1001"].sla_policy_changes
    assert [(c.at, c.policy) for c in changes][-1] == (at("02-03 14:20"), None)


def test_parquet_export_reads_like_the_csv_export(tmp_path: Path) -> None:
    pytest.importorskip("pyarrow")
    from pyarrow import csv as pacsv
    from pyarrow import parquet as pq

    target = export(tmp_path)
    for path in sorted(target.glob("*.csv")):
        # pyarrow infers ints for ids, timestamps and bools: the typed columns
        # a warehouse writes.
        pq.write_table(pacsv.read_csv(path), path.with_suffix(".parquet"))
        path.unlink()
    assert records(target) == records()


def test_csv_and_parquet_tables_mix(tmp_path: Path) -> None:
    pytest.importorskip("pyarrow")
    from pyarrow import csv as pacsv
    from pyarrow import parquet as pq

    target = export(tmp_path)
    path = target / "ticket_comment.csv"
    pq.write_table(pacsv.read_csv(path), path.with_suffix(".parquet"))
    path.unlink()
    assert records(target) == records()


def test_timestamps_with_offsets_read_as_the_same_instants(tmp_path: Path) -> None:
    text = (EXAMPLE / "ticket.csv").read_text(encoding="utf-8")
    text = text.replace("2026-02-03 14:00:00,", "2026-02-03T09:00:00-05:00,", 1)
    text = text.replace("2026-02-04 15:00:00,", "2026-02-04T15:00:00Z,", 1)
    text = text.replace("2026-02-10 16:00:00,", "2026-02-10 16:00:00 UTC,", 1)
    assert records(export(tmp_path, ticket=text)) == records()


def test_unknown_tables_and_columns_are_ignored(tmp_path: Path) -> None:
    target = export(tmp_path)
    (target / "organization.csv").write_text("id,name\n1,Acme\n", encoding="utf-8")
    (target / "notes.txt").write_text("not a table", encoding="utf-8")
    assert records(target) == records()


def test_ticket_without_status_rows_gets_its_status_at_creation(tmp_path: Path) -> None:
    text = (EXAMPLE / "ticket_field_history.csv").read_text(encoding="utf-8")
    kept = [line for line in text.splitlines() if not line.startswith("1008,status")]
    ticket = records(export(tmp_path, ticket_field_history="\n".join(kept) + "\n"))["1008"]
    assert statuses(ticket) == [(at("03-16 14:00"), "closed")]


def test_deleted_ticket_is_left_out_with_its_rows_and_counted(tmp_path: Path) -> None:
    text = (EXAMPLE / "ticket.csv").read_text(encoding="utf-8")
    text = text.replace(",closed,,question,", ",deleted,,question,")  # ticket 1008
    with pytest.warns(OrphanRowsWarning, match=r"1 in ticket\.csv \(status: deleted\)"):
        tickets = records(export(tmp_path, ticket=text))
    assert "1008" not in tickets
    assert len(tickets) == 9


# --- read_tables: errors and orphans ----------------------------------------------------


def appended(name: str, line: str) -> str:
    return (EXAMPLE / f"{name}.csv").read_text(encoding="utf-8") + line + "\n"


def test_orphan_comment_is_an_error_naming_file_row_and_field(tmp_path: Path) -> None:
    path = export(
        tmp_path, ticket_comment=appended("ticket_comment", "99,4242,1,2026-02-03 14:00:00,true,x,")
    )
    match = r"ticket_comment\.csv, row 34: field 'ticket_id' = '4242': no such ticket"
    with pytest.raises(InvalidDataError, match=match):
        read_tables(path)


def test_orphans_are_counted_and_left_out_with_warn(tmp_path: Path) -> None:
    path = export(
        tmp_path,
        ticket_comment=appended("ticket_comment", "99,4242,1,2026-02-03 14:00:00,true,x,"),
        ticket_field_history=appended(
            "ticket_field_history", "4242,status,2026-02-03 14:00:00,open,1,"
        )
        + "4242,group_id,2026-02-03 14:00:00,5,1,\n",  # a field not read: not counted
    )
    with pytest.warns(OrphanRowsWarning) as caught:
        tickets = read_tables(path, on_orphan="warn")
    [warning] = caught
    text = str(warning.message)
    assert "left out 2 row(s)" in text
    assert "1 in ticket_comment.csv (ticket_id: no such ticket)" in text
    assert "1 in ticket_field_history.csv (ticket_id: no such ticket)" in text
    assert (len(tickets), len(tickets.messages), len(tickets.statuses)) == (10, 32, 36)


def test_comment_by_an_unknown_user(tmp_path: Path) -> None:
    path = export(
        tmp_path,
        ticket_comment=appended("ticket_comment", "99,1001,77,2026-02-03 15:00:00,true,x,"),
    )
    with pytest.raises(InvalidDataError, match=r"row 34: field 'user_id' = '77': no such user"):
        read_tables(path)
    with pytest.warns(OrphanRowsWarning, match=r"user_id: no such user"):
        assert len(read_tables(path, on_orphan="warn").messages) == 32


@pytest.mark.parametrize(
    ("table", "line", "match"),
    [
        (
            "ticket",
            "1001,2026-02-03 14:00:00,,1,1,,,new,,,,,",
            r"ticket\.csv, row 12: field 'id' = '1001': repeats",
        ),
        (
            "ticket",
            "1011,2026-02-31 14:00:00,,1,1,,,new,,,,,",
            r"ticket\.csv, row 12: field 'created_at'",
        ),
        ("ticket", "1011,,,1,1,,,new,,,,,", r"ticket\.csv, row 12: field 'created_at' = None"),
        (
            "ticket",
            "1011,2026-02-03 14:00:00,,1,1,,,waiting,,,,,",
            r"ticket\.csv, row 12: field 'status' = 'waiting'",
        ),
        (
            "ticket_comment",
            "99,1001,1,2026-02-03 15:00:00,maybe,x,",
            r"row 34: field 'public' = 'maybe'",
        ),
        (
            "ticket_comment",
            "99,1001,1,2026-02-03 13:00:00,true,x,",
            r"row 34: field 'created' = '2026-02-03 13:00:00': comment before the ticket",
        ),
        (
            "ticket_field_history",
            "1001,status,2026-02-04 10:00:00,reopened,1,",
            r"ticket_field_history\.csv, row 61: field 'value' = 'reopened'",
        ),
        (
            "user",
            "13,Dan,dan@example.com,light-agent,UTC,en,true,",
            r"user\.csv, row 8: field 'role' = 'light-agent'",
        ),
        (
            "ticket_schedule",
            "1001,2026-02-03 15:00:00,999,",
            r"ticket_schedule\.csv, row 4: field 'schedule_id' = '999'",
        ),
        (
            "ticket_schedule",
            "1001,2026-02-03 13:00:00,200,",
            r"ticket_schedule\.csv, row 4: field 'created_at'.*before the ticket",
        ),
    ],
)
def test_bad_rows_name_file_row_and_field(
    tmp_path: Path, table: str, line: str, match: str
) -> None:
    with pytest.raises(InvalidDataError, match=match):
        read_tables(export(tmp_path, **{table: appended(table, line)}))


@pytest.mark.parametrize("table", ["ticket", "user", "ticket_comment", "ticket_field_history"])
def test_missing_required_table_is_named(tmp_path: Path, table: str) -> None:
    with pytest.raises(
        InvalidDataError, match=rf"table '{table}' is missing; expected {table}\.csv"
    ):
        read_tables(export(tmp_path, **{table: ""}))


def test_missing_required_column_is_named(tmp_path: Path) -> None:
    text = "id,created_at,status\n1001,2026-02-03 14:00:00,new\n"
    with pytest.raises(InvalidDataError, match=r"ticket\.csv: missing column\(s\) 'requester_id'"):
        read_tables(export(tmp_path, ticket=text))


def test_table_given_twice_is_an_error(tmp_path: Path) -> None:
    target = export(tmp_path)
    (target / "user.parquet").write_bytes(b"")
    with pytest.raises(InvalidDataError, match=r"table 'user' is given twice"):
        read_tables(target)


def test_without_schedules_no_schedule_history(tmp_path: Path) -> None:
    path = export(tmp_path, schedule="", schedule_holiday="", ticket_schedule="")
    assert len(read_tables(path).schedule_changes) == 0


def test_on_orphan_must_be_known() -> None:
    with pytest.raises(ValueError, match=r"on_orphan='skip' is not allowed"):
        read_tables(EXAMPLE, on_orphan="skip")  # type: ignore[arg-type]
