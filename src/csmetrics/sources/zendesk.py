"""Read a Zendesk export in the warehouse schema: tickets, comments, histories, schedules.

The common Zendesk-to-warehouse connector writes one table per Zendesk
object (``ticket``, ``ticket_comment``, ``ticket_field_history``, ``user``,
``schedule``, ``schedule_holiday``, ``ticket_schedule``, ``time_zone``,
``daylight_time``, ...), and the open-source dbt_zendesk package computes its
ticket metrics from them. `read_tables` reads a directory holding those
tables, one ``.csv`` or ``.parquet`` file each, into a `csmetrics.Tickets`
table; `read_schedules` reads the business-hours schedules into
`csmetrics.BusinessCalendar` objects.

The mapping from Zendesk's fields to csmetrics' is in the docs page
"Sources: Zendesk" and in decisions 73 to 76.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from datetime import date, timedelta
from pathlib import Path

from csmetrics.core.calendar import WEEKDAYS, BusinessCalendar
from csmetrics.core.errors import InvalidDataError
from csmetrics.sources import files
from csmetrics.sources.timezones import iana_zone

__all__ = ["read_schedules"]

PathLike = str | os.PathLike[str]

_WEEK_MINUTES = 7 * 24 * 60
_DAY_MINUTES = 24 * 60


def _directory(path: PathLike) -> Path:
    directory = Path(path)
    if not directory.is_dir():
        if directory.exists():
            msg = f"{directory}: not a directory; give the directory that holds ticket.csv, ..."
            raise NotADirectoryError(msg)
        msg = f"{directory}: no such directory"
        raise FileNotFoundError(msg)
    return directory


# --- schedules --------------------------------------------------------------------------------


def _clock(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def _week_hours(intervals: list[tuple[int, int]]) -> dict[str, list[tuple[str, str]]]:
    """Intervals in minutes of the week (Sunday 00:00 = 0) as the calendar's weekday hours.

    An interval that runs past midnight is cut there, so each part belongs
    to the day it lies in, as Zendesk's holidays close whole local days.
    """
    hours: dict[str, list[tuple[str, str]]] = {}
    for start, end in intervals:
        low = start
        while low < end:
            day = low // _DAY_MINUTES
            high = min(end, (day + 1) * _DAY_MINUTES)
            weekday = WEEKDAYS[(day + 6) % 7]  # day 0 is a Sunday
            opens = _clock(low - day * _DAY_MINUTES)
            closes = _clock(high - day * _DAY_MINUTES) if high % _DAY_MINUTES else "24:00"
            hours.setdefault(weekday, []).append((opens, closes))
            low = high
    return hours


def _holidays(directory: Path, schedules: Mapping[str, object]) -> dict[str, list[date]]:
    """The holiday dates of each schedule: every date from start to end, inclusive."""
    table = files.load(
        directory,
        "schedule_holiday",
        required=("schedule_id", "start_date", "end_date"),
        table_required=False,
    )
    out: dict[str, list[date]] = {}
    if table is None:
        return out
    schedule = files.keys(table, "schedule_id", required=True)
    starts = files.dates(table, "start_date")
    ends = files.dates(table, "end_date")
    for row, (key, first, last) in enumerate(zip(schedule, starts, ends, strict=True)):
        if key not in schedules:
            table.fail(row, "schedule_id", key, "no such schedule in the schedule table")
        if last < first:
            table.fail(row, "end_date", last.isoformat(), f"before start_date {first}")
        days = (last - first).days + 1
        out.setdefault(key, []).extend(first + timedelta(days=i) for i in range(days))
    return out


class Schedules:
    """The schedules of an export: calendars by schedule id, and the default one."""

    def __init__(
        self, calendars: Mapping[str, BusinessCalendar], created: Mapping[str, int]
    ) -> None:
        self.calendars = dict(calendars)
        self.created = dict(created)
        # Zendesk's default schedule is the first one created (dbt_zendesk:
        # row_number() over (order by created_at) = 1); ties go to the lower id.
        ordered = sorted(self.created, key=lambda key: (self.created[key], _id_order(key)))
        self.default = ordered[0] if ordered else None


def _id_order(key: str) -> tuple[int, int | str]:
    return (0, int(key)) if key.lstrip("-").isdigit() else (1, key)


def _schedules(directory: Path) -> Schedules:
    table = files.load(
        directory,
        "schedule",
        required=("id", "time_zone", "start_time", "end_time"),
        optional=("created_at", "name"),
        table_required=False,
    )
    if table is None:
        return Schedules({}, {})
    ids = files.keys(table, "id", required=True)
    zones = files.texts(table, "time_zone", required=True)
    starts = files.ints(table, "start_time")
    ends = files.ints(table, "end_time")
    created = files.times(table, "created_at", required=False)
    intervals: dict[str, list[tuple[int, int]]] = {}
    zone_of: dict[str, tuple[str, int]] = {}
    created_of: dict[str, int] = {}
    for row, key in enumerate(ids):
        start, end = int(starts[row]), int(ends[row])
        if not 0 <= start < _WEEK_MINUTES:
            table.fail(row, "start_time", start, "expected minutes of the week, 0 to 10079")
        if not start < end <= _WEEK_MINUTES:
            why = f"expected minutes of the week after start_time {start}, up to 10080"
            table.fail(row, "end_time", end, why)
        if key not in zone_of:
            try:
                zone_of[key] = (iana_zone(zones[row]), row)
            except ValueError as err:
                table.fail(row, "time_zone", zones[row], str(err))
        elif zones[row] is not None and iana_zone(zones[row]) != zone_of[key][0]:
            first = table.row(zone_of[key][1])
            table.fail(
                row, "time_zone", zones[row], f"schedule {key} has another zone in row {first}"
            )
        intervals.setdefault(key, []).append((start, end))
        moment = int(created[row])
        if moment != files.NAT:
            created_of[key] = min(created_of.get(key, moment), moment)
        else:
            created_of.setdefault(key, files.NAT)
    holidays = _holidays(directory, intervals)
    calendars = {
        key: _calendar(table, key, zone_of[key][0], spans, holidays.get(key, ()))
        for key, spans in intervals.items()
    }
    return Schedules(calendars, created_of)


def _calendar(
    table: files.Table, key: str, zone: str, spans: list[tuple[int, int]], holidays: Sequence[date]
) -> BusinessCalendar:
    try:
        return BusinessCalendar(timezone=zone, hours=_week_hours(sorted(spans)), holidays=holidays)
    except ValueError as err:
        msg = f"{table.path}: schedule {key}: {err}"
        raise InvalidDataError(msg) from None


def read_schedules(path: PathLike, /) -> dict[str, BusinessCalendar]:
    r"""The business-hours schedules of a Zendesk export, as calendars by schedule id.

    Reads ``schedule`` (one row per open interval: ``id``, ``time_zone``,
    ``start_time``, ``end_time``; ``name`` and ``created_at`` optional) and,
    when present, ``schedule_holiday`` (``schedule_id``, ``start_date``,
    ``end_date``).

    - ``start_time`` and ``end_time`` are minutes of the week from Sunday
      00:00 in the schedule's local time, as Zendesk's API and the connector
      give them: Monday 09:00 to 17:00 is 1980 to 2460. An interval running
      past midnight is cut at midnight (each part belongs to its own day).
    - ``time_zone`` is a Zendesk (Rails) name such as ``"Eastern Time (US &
      Canada)"``, mapped through `csmetrics.sources.timezones.iana_zone`, or
      an IANA name. Daylight saving time follows the IANA zone's rules, so
      the ``time_zone`` and ``daylight_time`` tables are not needed.
    - A holiday closes the whole local days from ``start_date`` to
      ``end_date``, both included.
    - A row with ``_fivetran_deleted`` true is left out (the connector keeps
      deleted rows and marks them so).

    Parameters
    ----------
    path
        The export directory, holding ``schedule.csv`` or
        ``schedule.parquet``. Without a schedule table the result is empty.

    Returns
    -------
    dict[str, BusinessCalendar]
        One calendar per schedule id (the id as text), in the order of first
        appearance.

    Raises
    ------
    FileNotFoundError
        The directory does not exist.
    InvalidDataError
        A missing column, a bad cell (an unknown time zone, an interval
        outside the week or ending before it starts, overlapping intervals,
        a holiday ending before it starts or of an unknown schedule); the
        message names the file, the row (the header is row 1) and the field.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> export = Path(tempfile.mkdtemp())
    >>> _ = (export / "schedule.csv").write_text(
    ...     "id,name,time_zone,start_time,end_time,created_at\n"
    ...     "100,Office,Eastern Time (US & Canada),1980,2460,2020-01-01 00:00:00\n"
    ...     "100,Office,Eastern Time (US & Canada),3420,3900,2020-01-01 00:00:00\n")
    >>> office = read_schedules(export)["100"]
    >>> office.timezone, office.hours
    ('America/New_York', (('mon', (('09:00', '17:00'),)), ('tue', (('09:00', '17:00'),))))
    """
    return _schedules(_directory(path)).calendars
