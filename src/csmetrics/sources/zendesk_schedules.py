"""Zendesk's business-hours schedules as calendars: one set of rules for every export.

A Zendesk schedule is a time zone and open intervals in minutes of the week
from Sunday 00:00 local time, plus holidays closing whole local days. The
warehouse tables (``schedule``, ``schedule_holiday``: `csmetrics.sources.zendesk`)
hold one row per interval; the Business Hours API
(``GET /api/v2/business_hours/schedules``: `csmetrics.sources.zendesk_api`)
one object per schedule with its ``intervals``. Both readers hand the
intervals and holidays to `build`, which checks them and makes the
calendars, so both give the same calendars and the same errors, each
naming where the reader found the value.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import date, timedelta
from typing import NoReturn

import attrs

from csmetrics.core.calendar import WEEKDAYS, BusinessCalendar
from csmetrics.core.errors import InvalidDataError
from csmetrics.sources.timezones import iana_zone

__all__ = ["NO_TIME", "Fail", "Interval", "Schedules", "build", "holiday_dates", "week_hours"]

Fail = Callable[[str, object, str], NoReturn]
"""Raise `InvalidDataError` naming where a value was read: ``fail(field, value, why)``."""

NO_TIME = -(2**63)
"""A missing ``created_at``: the int64 pattern of numpy's NaT."""

_WEEK_MINUTES = 7 * 24 * 60
_DAY_MINUTES = 24 * 60


@attrs.frozen(kw_only=True)
class Interval:
    """One open interval of a schedule, and where it was read.

    Attributes
    ----------
    key
        The schedule id, as text.
    zone
        The schedule's time zone as given (a Zendesk or IANA name).
    start, end
        Minutes of the week from Sunday 00:00 local time.
    created
        The schedule's ``created_at`` (epoch microseconds), `NO_TIME` if absent.
    fail
        Raises the error about a field of this interval, naming where it lies.
    where
        How a message names its place (``"row 3"``, ``"schedules[0] (id 100)"``).
    """

    key: str
    zone: str
    start: int
    end: int
    created: int
    fail: Fail
    where: str


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


def _clock(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def week_hours(intervals: list[tuple[int, int]]) -> dict[str, list[tuple[str, str]]]:
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


def holiday_dates(first: date, last: date, fail: Fail) -> list[date]:
    """Every date of a holiday, from ``first`` to ``last`` inclusive."""
    if last < first:
        fail("end_date", last.isoformat(), f"before start_date {first}")
    return [first + timedelta(days=i) for i in range((last - first).days + 1)]


def build(
    intervals: Iterable[Interval], holidays: Mapping[str, Sequence[date]], source: str
) -> Schedules:
    """Check the intervals and make one calendar per schedule id.

    An interval must lie within the week (``0 <= start < end <= 10080``);
    all intervals of a schedule share its zone, mapped by
    `csmetrics.sources.timezones.iana_zone`; a schedule's ``created_at`` is
    the earliest given. ``source`` names the file in the error of a schedule
    whose intervals overlap.
    """
    spans: dict[str, list[tuple[int, int]]] = {}
    zone_of: dict[str, tuple[str, str]] = {}
    created_of: dict[str, int] = {}
    for interval in intervals:
        key, start, end, fail = interval.key, interval.start, interval.end, interval.fail
        if not 0 <= start < _WEEK_MINUTES:
            fail("start_time", start, "expected minutes of the week, 0 to 10079")
        if not start < end <= _WEEK_MINUTES:
            why = f"expected minutes of the week after start_time {start}, up to 10080"
            fail("end_time", end, why)
        if key not in zone_of:
            try:
                zone_of[key] = (iana_zone(interval.zone), interval.where)
            except ValueError as err:
                fail("time_zone", interval.zone, str(err))
        elif interval.zone and iana_zone(interval.zone) != zone_of[key][0]:
            fail(
                "time_zone", interval.zone, f"schedule {key} has another zone in {zone_of[key][1]}"
            )
        spans.setdefault(key, []).append((start, end))
        if interval.created != NO_TIME:
            created_of[key] = min(created_of.get(key, interval.created), interval.created)
        else:
            created_of.setdefault(key, NO_TIME)
    calendars = {
        key: _calendar(source, key, zone_of[key][0], found, holidays.get(key, ()))
        for key, found in spans.items()
    }
    return Schedules(calendars, created_of)


def _calendar(
    source: str, key: str, zone: str, spans: list[tuple[int, int]], holidays: Sequence[date]
) -> BusinessCalendar:
    try:
        return BusinessCalendar(timezone=zone, hours=week_hours(sorted(spans)), holidays=holidays)
    except ValueError as err:
        msg = f"{source}: schedule {key}: {err}"
        raise InvalidDataError(msg) from None
