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

import pytest

from csmetrics import BusinessCalendar, InvalidDataError
from csmetrics.sources.zendesk import read_schedules

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
