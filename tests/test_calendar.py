"""Business calendars: hand-computed cases, one per rule, then properties.

Dates used below (2026): 2026-05-08 is a Friday; Europe/Berlin springs forward
on Sunday 2026-03-29 (02:00 CET -> 03:00 CEST) and falls back on Sunday
2026-10-25 (03:00 CEST -> 02:00 CET); America/New_York springs forward on
Sunday 2026-03-08 (02:00 EST -> 03:00 EDT) and falls back on Sunday 2026-11-01
(02:00 EDT -> 01:00 EST).
"""

from __future__ import annotations

import pickle
from datetime import date, datetime, time, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo

import attrs
import numpy as np
import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from csmetrics import InvalidDataError
from csmetrics.core.calendar import WEEKDAYS, BusinessCalendar, _to_utc, local_to_utc
from csmetrics.core.table import OPEN, to_micros

BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")
HOUR = 3600.0
WEEKDAYS_ONLY = ("mon", "tue", "wed", "thu", "fri")
OFFICE = {day: [("09:00", "17:00")] for day in WEEKDAYS_ONLY}
ALL_DAY = {day: [("00:00", "24:00")] for day in WEEKDAYS}


def berlin(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=BERLIN)


def new_york(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=NEW_YORK)


def both(cal: BusinessCalendar, start: datetime, end: datetime) -> float:
    """Business seconds by the scalar path, checked against the vectorised one."""
    scalar = cal.business_seconds(start, end)
    array = cal.business_seconds_array(
        np.array([to_micros(start)], dtype=np.int64), np.array([to_micros(end)], dtype=np.int64)
    )
    assert array.dtype == np.float64
    assert array.tolist() == [scalar]
    assert sum((b - a).total_seconds() for a, b in cal.open_periods(start, end)) == scalar
    return scalar


# --- weekly hours ---------------------------------------------------------------


def test_friday_afternoon_to_monday_morning_is_two_hours() -> None:
    cal = BusinessCalendar(timezone="Europe/Berlin", hours=OFFICE)
    assert both(cal, berlin(2026, 5, 8, 16), berlin(2026, 5, 11, 10)) == 2 * HOUR


def test_instants_in_another_zone_measure_the_same() -> None:
    # Friday 16:00 CEST is 14:00 UTC; Monday 10:00 CEST is 08:00 UTC.
    cal = BusinessCalendar(timezone="Europe/Berlin", hours=OFFICE)
    start = datetime(2026, 5, 8, 14, tzinfo=timezone.utc)
    end = datetime(2026, 5, 11, 8, tzinfo=timezone.utc)
    assert both(cal, start, end) == 2 * HOUR


def test_whole_week_is_five_working_days() -> None:
    cal = BusinessCalendar(timezone="Europe/Berlin", hours=OFFICE)
    assert both(cal, berlin(2026, 5, 4), berlin(2026, 5, 11)) == 40 * HOUR


def test_start_and_end_inside_one_shift() -> None:
    cal = BusinessCalendar(timezone="Europe/Berlin", hours=OFFICE)
    assert both(cal, berlin(2026, 5, 5, 10, 15), berlin(2026, 5, 5, 10, 45)) == 1800.0


def test_empty_duration_and_closed_time_are_zero() -> None:
    cal = BusinessCalendar(timezone="Europe/Berlin", hours=OFFICE)
    assert both(cal, berlin(2026, 5, 5, 10), berlin(2026, 5, 5, 10)) == 0.0
    assert both(cal, berlin(2026, 5, 9, 10), berlin(2026, 5, 10, 10)) == 0.0  # weekend


def test_boundaries_are_half_open() -> None:
    cal = BusinessCalendar(timezone="Europe/Berlin", hours=OFFICE)
    assert both(cal, berlin(2026, 5, 5, 17), berlin(2026, 5, 6, 9)) == 0.0
    assert both(cal, berlin(2026, 5, 5, 16, 59), berlin(2026, 5, 6, 9, 1)) == 120.0


def test_microseconds_count() -> None:
    cal = BusinessCalendar(timezone="Europe/Berlin", hours=OFFICE)
    start = datetime(2026, 5, 5, 16, 59, 59, 999_999, tzinfo=BERLIN)
    assert both(cal, start, berlin(2026, 5, 5, 18)) == 1e-6


def test_never_open_calendar_is_zero() -> None:
    cal = BusinessCalendar(timezone="UTC", hours={})
    assert both(cal, berlin(2026, 5, 4), berlin(2026, 6, 4)) == 0.0


@pytest.mark.parametrize("convention", ["split", "single"])
def test_deadline_without_open_time_is_never(convention: str) -> None:
    # No shift in the week, or none after a change: a positive amount is never
    # reached (OPEN), zero seconds is the start itself. The five Mondays
    # before the change give 40 hours, no more.
    start = np.array([to_micros(berlin(2026, 3, 2))] * 2)
    never = BusinessCalendar(timezone="Europe/Berlin", hours={}, convention=convention)
    due = never.add_business_seconds_array(start, np.array([60.0, 0.0]))
    assert due.tolist() == [OPEN, start[1]]
    closing = BusinessCalendar(
        timezone="Europe/Berlin",
        hours={"mon": [("09:00", "17:00")]},
        changes=[(date(2026, 4, 1), {})],
        convention=convention,
    )
    due = closing.add_business_seconds_array(start, np.array([60.0, 41 * 3600.0]))
    assert due.tolist() == [to_micros(berlin(2026, 3, 2, 9, 1)), OPEN]


def test_two_shifts_a_day() -> None:
    split = {"mon": [("13:00", "17:00"), ("08:00", "12:00")]}
    cal = BusinessCalendar(timezone="Europe/Berlin", hours=split)
    assert both(cal, berlin(2026, 5, 11, 11), berlin(2026, 5, 11, 14)) == 2 * HOUR


# --- overnight shifts -----------------------------------------------------------

NIGHT = {"fri": [("22:00", "06:00")]}


def test_overnight_shift_spans_midnight() -> None:
    cal = BusinessCalendar(timezone="Europe/Berlin", hours=NIGHT)
    assert both(cal, berlin(2026, 5, 8, 20), berlin(2026, 5, 9, 8)) == 8 * HOUR
    assert both(cal, berlin(2026, 5, 8, 23), berlin(2026, 5, 9, 1)) == 2 * HOUR


def test_overnight_morning_belongs_to_the_shift_of_the_evening_before() -> None:
    # Saturday has no hours of its own; its 00:00-06:00 is Friday's shift.
    cal = BusinessCalendar(timezone="Europe/Berlin", hours=NIGHT)
    assert both(cal, berlin(2026, 5, 9, 5), berlin(2026, 5, 9, 7)) == HOUR


def test_sunday_night_runs_into_monday() -> None:
    cal = BusinessCalendar(timezone="Europe/Berlin", hours={"sun": [("22:00", "06:00")]})
    assert both(cal, berlin(2026, 5, 11, 0), berlin(2026, 5, 11, 12)) == 6 * HOUR


def test_close_at_midnight_is_24_00() -> None:
    late = BusinessCalendar(timezone="UTC", hours={"mon": [("18:00", "00:00")]})
    assert late == BusinessCalendar(timezone="UTC", hours={"mon": [("18:00", "24:00")]})
    assert late.hours == (("mon", (("18:00", "24:00"),)),)


# --- daylight saving time -------------------------------------------------------


@pytest.mark.parametrize(
    ("zone", "day", "hours"),
    [
        ("Europe/Berlin", date(2026, 3, 29), 23),
        ("Europe/Berlin", date(2026, 10, 25), 25),
        ("America/New_York", date(2026, 3, 8), 23),
        ("America/New_York", date(2026, 11, 1), 25),
        ("Europe/Berlin", date(2026, 3, 21), 24),  # an ordinary day
    ],
)
def test_dst_day_is_23_or_25_hours(zone: str, day: date, hours: int) -> None:
    tz = ZoneInfo(zone)
    start = datetime.combine(day, time(), tzinfo=tz)
    end = datetime.combine(day + timedelta(days=1), time(), tzinfo=tz)
    sunday = {WEEKDAYS[day.weekday()]: [("00:00", "24:00")]}
    calendars = [
        BusinessCalendar.always(zone),  # the 24/7 fast path
        BusinessCalendar(timezone=zone, hours=sunday),  # one 00:00-24:00 day
        # Open all week but not 24/7 (a holiday elsewhere): the interval path.
        BusinessCalendar(timezone=zone, hours=ALL_DAY, holidays=[date(2026, 1, 1)]),
    ]
    for cal in calendars:
        assert both(cal, start, end) == hours * HOUR
    # A week around the day: the other six days are 24 h each.
    week = BusinessCalendar(timezone=zone, hours=ALL_DAY, holidays=[date(2026, 1, 1)])
    assert both(week, start - timedelta(days=3), end + timedelta(days=3)) == (hours + 144) * HOUR


def test_overnight_shift_across_spring_forward_new_york() -> None:
    # Saturday 20:00 EST to Sunday 08:00 EDT: 12 wall hours, one skipped.
    cal = BusinessCalendar(timezone="America/New_York", hours={"sat": [("20:00", "08:00")]})
    assert both(cal, new_york(2026, 3, 7, 12), new_york(2026, 3, 8, 12)) == 11 * HOUR


def test_overnight_shift_across_fall_back_new_york() -> None:
    cal = BusinessCalendar(timezone="America/New_York", hours={"sat": [("20:00", "08:00")]})
    assert both(cal, new_york(2026, 10, 31, 12), new_york(2026, 11, 1, 12)) == 13 * HOUR


def test_opening_in_the_spring_gap_opens_when_the_clocks_jump() -> None:
    # 02:30 does not exist on 2026-03-29 in Berlin: the shift opens at 03:00 CEST.
    cal = BusinessCalendar(timezone="Europe/Berlin", hours={"sun": [("02:30", "04:00")]})
    assert both(cal, berlin(2026, 3, 29), berlin(2026, 3, 30)) == HOUR
    [(opens, closes)] = cal.open_periods(berlin(2026, 3, 29), berlin(2026, 3, 30))
    assert opens == datetime(2026, 3, 29, 1, tzinfo=timezone.utc)
    assert closes == datetime(2026, 3, 29, 2, tzinfo=timezone.utc)


def test_shift_wholly_in_the_spring_gap_is_empty() -> None:
    cal = BusinessCalendar(timezone="Europe/Berlin", hours={"sun": [("02:15", "02:45")]})
    assert both(cal, berlin(2026, 3, 29), berlin(2026, 3, 30)) == 0.0
    # Any other Sunday it is half an hour.
    assert both(cal, berlin(2026, 3, 22), berlin(2026, 3, 23)) == 1800.0


def test_adjacent_shifts_across_the_gap_add_up() -> None:
    # 01:00-02:30 and 02:30-04:00 cover the same span as 01:00-04:00: 2 hours.
    two = {"sun": [("01:00", "02:30"), ("02:30", "04:00")]}
    one = {"sun": [("01:00", "04:00")]}
    for hours in (two, one):
        cal = BusinessCalendar(timezone="Europe/Berlin", hours=hours)
        assert both(cal, berlin(2026, 3, 29), berlin(2026, 3, 30)) == 2 * HOUR


def test_ambiguous_times_are_their_first_occurrence() -> None:
    # 02:30 occurs twice on 2026-10-25 in Berlin; both ends take the first (CEST).
    early = BusinessCalendar(timezone="Europe/Berlin", hours={"sun": [("00:00", "02:30")]})
    late = BusinessCalendar(timezone="Europe/Berlin", hours={"sun": [("02:30", "04:00")]})
    whole = BusinessCalendar(timezone="Europe/Berlin", hours={"sun": [("00:00", "04:00")]})
    day = (berlin(2026, 10, 25), berlin(2026, 10, 26))
    assert both(early, *day) == 2.5 * HOUR
    assert both(late, *day) == 2.5 * HOUR  # 02:30 CEST to 04:00 CET
    assert both(whole, *day) == 5 * HOUR
    [(opens, _)] = late.open_periods(*day)
    assert opens == datetime(2026, 10, 25, 0, 30, tzinfo=timezone.utc)


# --- holidays -------------------------------------------------------------------


def test_holiday_is_closed() -> None:
    # Friday 2026-05-01 is a holiday: Thursday 16-17 and Monday 09-10.
    cal = BusinessCalendar(timezone="Europe/Berlin", hours=OFFICE, holidays=[date(2026, 5, 1)])
    assert both(cal, berlin(2026, 4, 30, 16), berlin(2026, 5, 4, 10)) == 2 * HOUR
    assert both(cal, berlin(2026, 5, 1), berlin(2026, 5, 2)) == 0.0


def test_overnight_shift_from_the_evening_before_runs_into_the_holiday() -> None:
    # Nightly 22:00-06:00; Saturday 2026-05-09 is a holiday. Friday's shift still
    # runs into Saturday morning; Saturday's own shift (into Sunday) is cancelled.
    nightly = {day: [("22:00", "06:00")] for day in WEEKDAYS}
    cal = BusinessCalendar(timezone="Europe/Berlin", hours=nightly, holidays=["2026-05-09"])
    assert both(cal, berlin(2026, 5, 8, 20), berlin(2026, 5, 10, 8)) == 8 * HOUR
    assert both(cal, berlin(2026, 5, 9, 5), berlin(2026, 5, 9, 7)) == HOUR


def test_split_night_closes_at_midnight_on_a_holiday() -> None:
    # Written as two shifts, the night stops at midnight before the holiday.
    split = {"fri": [("22:00", "24:00")], "sat": [("00:00", "06:00")]}
    cal = BusinessCalendar(timezone="Europe/Berlin", hours=split, holidays=[date(2026, 5, 9)])
    assert both(cal, berlin(2026, 5, 8, 20), berlin(2026, 5, 10, 8)) == 2 * HOUR


def test_holidays_are_sorted_and_unique() -> None:
    cal = BusinessCalendar(
        timezone="UTC", hours=OFFICE, holidays=["2026-12-25", date(2026, 12, 24), "2026-12-25"]
    )
    assert cal.holidays == (date(2026, 12, 24), date(2026, 12, 25))


# --- schedule changes -------------------------------------------------------------

LONG = {day: [("08:00", "20:00")] for day in WEEKDAYS_ONLY}


def changed(convention: str) -> BusinessCalendar:
    """09:00-17:00 until Sunday 2026-05-31, 08:00-20:00 from Monday 2026-06-01."""
    return BusinessCalendar(
        timezone="Europe/Berlin",
        hours=OFFICE,
        changes=[(date(2026, 6, 1), LONG)],
        convention=convention,  # type: ignore[arg-type]
    )


def test_change_mid_ticket_split_measures_each_part_by_its_schedule() -> None:
    # Friday 16:00-17:00 under the old hours, Monday 08:00-10:00 under the new.
    assert both(changed("split"), berlin(2026, 5, 29, 16), berlin(2026, 6, 1, 10)) == 3 * HOUR


def test_change_mid_ticket_single_measures_by_the_schedule_at_the_end() -> None:
    # The new hours throughout: Friday 16:00-20:00 and Monday 08:00-10:00.
    assert both(changed("single"), berlin(2026, 5, 29, 16), berlin(2026, 6, 1, 10)) == 6 * HOUR


def test_single_uses_the_old_schedule_for_tickets_ending_before_the_change() -> None:
    cal = changed("single")
    assert both(cal, berlin(2026, 5, 29, 16), berlin(2026, 5, 29, 19)) == HOUR
    assert both(cal, berlin(2026, 6, 5, 16), berlin(2026, 6, 5, 19)) == 3 * HOUR


def test_conventions_vectorised_mixed_ends() -> None:
    starts = [berlin(2026, 5, 29, 16), berlin(2026, 5, 29, 16), berlin(2026, 6, 2, 7)]
    ends = [berlin(2026, 5, 29, 19), berlin(2026, 6, 1, 10), berlin(2026, 6, 2, 21)]
    s = np.array([to_micros(t) for t in starts])
    e = np.array([to_micros(t) for t in ends])
    assert changed("split").business_seconds_array(s, e).tolist() == [HOUR, 3 * HOUR, 12 * HOUR]
    assert changed("single").business_seconds_array(s, e).tolist() == [HOUR, 6 * HOUR, 12 * HOUR]


def test_old_overnight_shift_overlapping_the_new_schedule_counts_once() -> None:
    # Sunday 22:00-06:00 (old) runs into Monday 2026-06-01, whose new hours open
    # at 05:00: open 22:00-09:00 without double counting 05:00-06:00.
    cal = BusinessCalendar(
        timezone="Europe/Berlin",
        hours={"sun": [("22:00", "06:00")]},
        changes=[("2026-06-01", {"mon": [("05:00", "09:00")]})],
    )
    assert both(cal, berlin(2026, 5, 31, 20), berlin(2026, 6, 1, 10)) == 11 * HOUR


def test_change_at_an_instant_cuts_the_shift_it_falls_in() -> None:
    # A trigger moves the team to 24/7 at 12:00 on Monday 2026-06-01: 09:00-12:00
    # under the office hours, then 12:00-20:00 around the clock.
    cal = BusinessCalendar(
        timezone="Europe/Berlin", hours=OFFICE, changes=[(berlin(2026, 6, 1, 12), ALL_DAY)]
    )
    assert both(cal, berlin(2026, 6, 1, 8), berlin(2026, 6, 1, 20)) == 11 * HOUR
    assert both(cal, berlin(2026, 5, 29, 16), berlin(2026, 6, 1, 12)) == 4 * HOUR


def test_change_at_an_instant_is_exact_to_the_second() -> None:
    # Around the clock until 00:00:03, then office hours: 3 s, then 09:00-17:00.
    cal = BusinessCalendar(
        timezone="UTC",
        hours=ALL_DAY,
        changes=[(datetime(2026, 6, 1, 0, 0, 3, tzinfo=timezone.utc), OFFICE)],
    )
    start = datetime(2026, 6, 1, tzinfo=timezone.utc)
    assert both(cal, start, start + timedelta(hours=20)) == 3 + 8 * HOUR


def test_change_at_an_instant_ends_an_old_overnight_shift() -> None:
    # The night shift Sunday 22:00-06:00 stops at the change, Monday 01:00.
    cal = BusinessCalendar(
        timezone="Europe/Berlin",
        hours={"sun": [("22:00", "06:00")]},
        changes=[("2026-06-01T01:00+02:00", OFFICE)],
    )
    assert both(cal, berlin(2026, 5, 31, 20), berlin(2026, 6, 1, 10)) == 4 * HOUR


def test_date_and_instant_changes_mix_in_time_order() -> None:
    # Monday 2026-06-01: the long hours from the date, office hours from 12:00.
    cal = BusinessCalendar(
        timezone="Europe/Berlin",
        hours=OFFICE,
        changes=[(berlin(2026, 6, 1, 12), OFFICE), (date(2026, 6, 1), LONG)],
    )
    assert [type(when) for when, _ in cal.changes] == [date, datetime]
    assert both(cal, berlin(2026, 6, 1, 7), berlin(2026, 6, 1, 19)) == 4 * HOUR + 5 * HOUR
    single = attrs.evolve(cal, convention="single")
    assert both(single, berlin(2026, 6, 1, 7), berlin(2026, 6, 1, 19)) == 8 * HOUR


def test_changes_at_the_same_instant_are_refused() -> None:
    with pytest.raises(ValueError, match=r"changes\[1\] takes effect at the same instant"):
        BusinessCalendar(
            timezone="Europe/Berlin",
            hours=OFFICE,
            changes=[(date(2026, 6, 1), LONG), (berlin(2026, 6, 1), OFFICE)],
        )
    with pytest.raises(ValueError, match="timezone-aware"):
        BusinessCalendar(timezone="UTC", hours=OFFICE, changes=[(datetime(2026, 6, 1), LONG)])


def test_changes_are_sorted_by_date() -> None:
    cal = BusinessCalendar(
        timezone="UTC",
        hours=OFFICE,
        changes=[("2026-09-01", OFFICE), (date(2026, 6, 1), LONG)],
    )
    assert [d for d, _ in cal.changes] == [date(2026, 6, 1), date(2026, 9, 1)]


# --- 24/7 -------------------------------------------------------------------------


def test_always_is_calendar_time_exactly() -> None:
    cal = BusinessCalendar.always()
    start = datetime(2026, 3, 28, 23, 59, 59, 123_457, tzinfo=BERLIN)
    end = datetime(2026, 11, 1, 1, 30, 0, 1, tzinfo=NEW_YORK)
    assert both(cal, start, end) == (end - start).total_seconds()


def test_always_is_24_7_in_every_zone() -> None:
    cal = BusinessCalendar.always("America/New_York")
    assert cal.timezone == "America/New_York"
    assert cal == BusinessCalendar(timezone="America/New_York", hours=ALL_DAY)
    assert both(cal, new_york(2026, 3, 1), new_york(2026, 4, 1)) == 31 * 24 * HOUR - HOUR


# --- normalisation --------------------------------------------------------------


def test_times_and_strings_normalise_to_one_form() -> None:
    a = BusinessCalendar(timezone="UTC", hours={"tue": [(time(9), time(17, 30))]})
    b = BusinessCalendar(timezone=ZoneInfo("UTC"), hours={"tue": ("9:00", "17:30")})
    c = BusinessCalendar(timezone="UTC", hours=(("tue", [("09:00", "17:30")]),))
    assert a == b == c
    assert hash(a) == hash(b) == hash(c)
    assert a.hours == (("tue", (("09:00", "17:30"),)),)


def test_seconds_survive_normalisation() -> None:
    cal = BusinessCalendar(timezone="UTC", hours={"mon": [(time(9, 0, 30), time(9, 1, 0, 5))]})
    assert cal.hours == (("mon", (("09:00:30", "09:01:00.000005"),)),)
    assert attrs.evolve(cal) == cal
    start = datetime(2026, 5, 11, tzinfo=timezone.utc)
    assert both(cal, start, start + timedelta(days=1)) == 30.000005


def test_closed_days_drop_out_and_order_is_weekday_order() -> None:
    cal = BusinessCalendar(
        timezone="UTC", hours={"fri": [("10:00", "11:00")], "mon": [], "tue": []}
    )
    assert cal.hours == (("fri", (("10:00", "11:00"),)),)


def test_calendar_is_hashable_picklable_and_evolvable() -> None:
    cal = changed("split")
    assert pickle.loads(pickle.dumps(cal)) == cal
    assert {cal: 1}[changed("split")] == 1
    single = attrs.evolve(cal, convention="single")
    assert single != cal
    assert single.business_seconds(berlin(2026, 5, 29, 16), berlin(2026, 6, 1, 10)) == 6 * HOUR
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        cal.convention = "single"  # type: ignore[misc]


# --- validation -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"hours": {"monday": [("09:00", "17:00")]}}, r"hours weekday='monday'.*'mon'"),
        ({"hours": {"mon": [("09:00", "25:00")]}}, r"hours\['mon'\]\[0\] close='25:00'"),
        ({"hours": {"mon": [("24:00", "08:00")]}}, r"open='24:00'.*only a close"),
        ({"hours": {"mon": [("9:60", "10:00")]}}, r"open='9:60'"),
        ({"hours": {"mon": [("09:00", "09:00")]}}, r"open equals close"),
        ({"hours": {"mon": [("00:00", "00:00")]}}, r"open equals close"),
        (
            {"hours": {"mon": [("09:00", "12:00"), ("11:00", "13:00")]}},
            r"'mon' \('09:00', '12:00'\) overlaps 'mon' \('11:00', '13:00'\)",
        ),
        (
            {"hours": {"mon": [("22:00", "06:00")], "tue": [("05:00", "07:00")]}},
            r"'mon' \('22:00', '06:00'\) overlaps 'tue'",
        ),
        (
            {"hours": {"sun": [("22:00", "06:00")], "mon": [("05:00", "07:00")]}},
            r"'sun' \('22:00', '06:00'\) overlaps 'mon'",
        ),
        ({"hours": {"mon": "09:00-17:00"}}, r"list of \(open, close\) pairs"),
        ({"hours": {"mon": [("09:00",)]}}, r"an \(open, close\) pair"),
        ({"hours": {"mon": [(9, 17)]}}, r"open=9"),
        ({"hours": {"mon": [(time(9, tzinfo=timezone.utc), "17:00")]}}, r"naive time"),
        ({"hours": [("mon", []), ("mon", [])]}, r"weekday='mon' is given twice"),
        ({"hours": "mon 09:00-17:00"}, r"hours=.*mapping from weekday"),
        ({"timezone": "Europe/Berln"}, r"timezone='Europe/Berln'.*'Europe/Berlin'"),
        ({"timezone": "Mars/Olympus_Mons"}, r"timezone='Mars/Olympus_Mons' is not a known"),
        ({"timezone": ""}, r"timezone=''"),
        ({"timezone": timezone.utc}, r"timezone=datetime.timezone.utc"),
        ({"convention": "both"}, r"convention='both'.*'split', 'single'"),
        ({"holidays": ["2026-13-01"]}, r"holidays\[0\]='2026-13-01'"),
        ({"holidays": [datetime(2026, 12, 25, tzinfo=BERLIN)]}, r"holidays\[0\]=.*calendar date"),
        ({"holidays": "2026-12-25"}, r"holidays='2026-12-25'.*collection"),
        ({"changes": [("2026-06-01",)]}, r"changes\[0\]="),
        ({"changes": [("2026-06-01", {"mon": [("09:00", "09:00")]})]}, r"changes\[0\] hours"),
        ({"changes": [("2026-06-01", OFFICE), ("2026-06-01", LONG)]}, r"given twice"),
    ],
)
def test_invalid_calendar_is_refused(kwargs: dict[str, Any], match: str) -> None:
    arguments: dict[str, Any] = {"timezone": "Europe/Berlin", "hours": OFFICE, **kwargs}
    with pytest.raises(ValueError, match=match) as info:
        BusinessCalendar(**arguments)
    assert not isinstance(info.value, InvalidDataError)  # bad options, not bad data


def test_naive_datetimes_are_refused() -> None:
    cal = BusinessCalendar(timezone="Europe/Berlin", hours=OFFICE)
    naive = datetime(2026, 5, 8, 16)
    with pytest.raises(InvalidDataError, match=r"field 'start'.*naive datetime"):
        cal.business_seconds(naive, berlin(2026, 5, 11))
    with pytest.raises(InvalidDataError, match=r"field 'end'.*naive datetime"):
        cal.business_seconds(berlin(2026, 5, 8), naive)
    with pytest.raises(InvalidDataError, match=r"field 'end'.*naive datetime"):
        cal.open_periods(berlin(2026, 5, 8), naive)
    with pytest.raises(InvalidDataError, match=r"field 'start'.*timezone-aware"):
        cal.business_seconds("2026-05-08", berlin(2026, 5, 11))  # type: ignore[arg-type]


def test_end_before_start_is_refused() -> None:
    cal = BusinessCalendar(timezone="Europe/Berlin", hours=OFFICE)
    with pytest.raises(InvalidDataError, match=r"field 'end'.*before start"):
        cal.business_seconds(berlin(2026, 5, 11), berlin(2026, 5, 8))
    with pytest.raises(InvalidDataError, match=r"field 'end'.*before start"):
        BusinessCalendar.always().business_seconds(berlin(2026, 5, 11), berlin(2026, 5, 8))


def test_array_errors_name_the_position() -> None:
    cal = BusinessCalendar(timezone="Europe/Berlin", hours=OFFICE)
    s = np.array([0, 10, 20], dtype=np.int64) + to_micros(berlin(2026, 5, 8))
    with pytest.raises(InvalidDataError, match=r"at position 2: field 'end'.*before start"):
        cal.business_seconds_array(s, s - np.array([0, 0, 1]))
    with pytest.raises(InvalidDataError, match=r"at position 1: field 'end'.*open contact"):
        cal.business_seconds_array(s, np.array([s[0], OPEN, s[2]]))
    with pytest.raises(InvalidDataError, match=r"field 'start' = dtype\('float64'\)"):
        cal.business_seconds_array(s.astype(float), s)
    with pytest.raises(InvalidDataError, match=r"at position \(1, 0\): field 'end'"):
        cal.business_seconds_array(s[:2].reshape(2, 1), s[:2].reshape(2, 1) - [[0], [1]])


def test_array_shapes_dtypes_and_empty() -> None:
    cal = BusinessCalendar(timezone="Europe/Berlin", hours=OFFICE)
    empty = cal.business_seconds_array(np.array([], dtype=np.int64), [])
    assert empty.shape == (0,)
    assert empty.dtype == np.float64
    friday = np.datetime64("2026-05-08T14:00", "us")  # 16:00 in Berlin
    monday = np.array(["2026-05-11T08:00", "2026-05-11T09:00"], dtype="datetime64[us]")
    assert cal.business_seconds_array(friday, monday).tolist() == [2 * HOUR, 3 * HOUR]
    grid = cal.business_seconds_array(np.full((2, 2), friday), np.full((2, 2), monday[0]))
    assert grid.shape == (2, 2)
    assert (grid == 2 * HOUR).all()


# --- properties ---------------------------------------------------------------------

_MINUTE = 60_000_000
_DAY_MIN = 24 * 60
_WEEK_MIN = 7 * _DAY_MIN
ZONES = ("UTC", "Europe/Berlin", "America/New_York", "Australia/Lord_Howe", "Asia/Kolkata")
FIXED = {"UTC": 0, "Asia/Kolkata": 330}  # zones without DST: minutes east of UTC
# Data times: February to mid-April and late September to mid-December 2026,
# which hold every 2026 DST change of the zones above (Lord Howe's is 30 minutes).
SPANS = (
    (datetime(2026, 2, 1, tzinfo=timezone.utc), datetime(2026, 4, 15, tzinfo=timezone.utc)),
    (datetime(2026, 9, 25, tzinfo=timezone.utc), datetime(2026, 12, 15, tzinfo=timezone.utc)),
)


def _clock(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


@st.composite
def weekly_hours(draw: st.DrawFn) -> dict[str, list[tuple[str, str]]]:
    """Non-overlapping shifts on a 30-minute grid, some overnight, some in DST gaps."""
    cuts = sorted(draw(st.sets(st.integers(0, _WEEK_MIN // 30 - 1), max_size=14)))
    turn = draw(st.integers(0, _WEEK_MIN - 1))  # rotate so shifts wrap past Sunday
    hours: dict[str, list[tuple[str, str]]] = {}
    for a, b in zip(cuts[::2], cuts[1::2], strict=False):
        start, length = a * 30, (b - a) * 30
        if length > _DAY_MIN or (length == _DAY_MIN and (start + turn) % _DAY_MIN):
            continue  # longer than a day, or 24 h not from midnight: not expressible
        start = (start + turn) % _WEEK_MIN
        opens = start % _DAY_MIN
        closes = opens + length
        close = "24:00" if closes == _DAY_MIN else _clock(closes % _DAY_MIN)
        hours.setdefault(WEEKDAYS[start // _DAY_MIN], []).append((_clock(opens), close))
    return hours


@st.composite
def calendars(draw: st.DrawFn, *, zones: tuple[str, ...] = ZONES) -> BusinessCalendar:
    zone = draw(st.sampled_from(zones))
    days = st.dates(date(2026, 1, 30), date(2026, 12, 16))
    return BusinessCalendar(
        timezone=zone,
        hours=draw(weekly_hours()),
        holidays=draw(st.lists(days, max_size=6)),
        changes=draw(
            st.lists(st.tuples(days, weekly_hours()), max_size=3, unique_by=lambda c: c[0])
        ),
        convention=draw(st.sampled_from(["split", "single"])),
    )


@st.composite
def instants(draw: st.DrawFn, *, count: int = 1) -> list[int]:
    """Sorted epoch microseconds, mostly on the minute, within one data span."""
    low, high = (to_micros(t) for t in draw(st.sampled_from(SPANS)))
    base = draw(st.integers(low, high - 8 * 24 * 60 * _MINUTE))
    steps = st.integers(0, 3 * 24 * 60) if draw(st.booleans()) else st.integers(0, 180)
    out = [base]
    for _ in range(count - 1):
        out.append(out[-1] + draw(steps) * _MINUTE)
    if draw(st.booleans()):
        out = [t + draw(st.integers(0, _MINUTE - 1)) for t in out]
        out.sort()
    return out


def aware(micros: int, zone: str = "UTC") -> datetime:
    return (datetime(1970, 1, 1, tzinfo=timezone.utc) + timedelta(microseconds=micros)).astimezone(
        ZoneInfo(zone)
    )


@given(calendars(), instants(count=2))
def test_business_time_is_between_zero_and_calendar_time(
    cal: BusinessCalendar, times: list[int]
) -> None:
    start, end = times
    seconds = cal.business_seconds(aware(start), aware(end, cal.timezone))
    assert 0.0 <= seconds <= (end - start) / 1e6


@given(calendars(), instants(count=3))
@example(
    BusinessCalendar(timezone="Europe/Berlin", hours={"sun": [("02:30", "03:00")]}),
    [
        to_micros(berlin(2026, 3, 29, 1)),
        to_micros(berlin(2026, 3, 29, 3)),
        to_micros(berlin(2026, 3, 29, 4)),
    ],
)
def test_split_business_time_is_additive(cal: BusinessCalendar, times: list[int]) -> None:
    cal = attrs.evolve(cal, convention="split")
    a, b, c = times
    s = np.array([a, a, b])
    e = np.array([c, b, c])
    whole, left, right = cal.business_seconds_array(s, e).tolist()
    assert whole == pytest.approx(left + right, rel=1e-12, abs=1e-9)


@given(calendars(), st.lists(instants(count=2), min_size=1, max_size=8))
def test_scalar_and_vectorised_paths_agree(cal: BusinessCalendar, pairs: list[list[int]]) -> None:
    s = np.array([p[0] for p in pairs], dtype=np.int64)
    e = np.array([p[1] for p in pairs], dtype=np.int64)
    vectorised = cal.business_seconds_array(s, e).tolist()
    scalar = [cal.business_seconds(aware(a), aware(b, cal.timezone)) for a, b in pairs]
    assert vectorised == scalar
    periods = [cal.open_periods(aware(a), aware(b)) for a, b in pairs]
    assert [sum((y - x).total_seconds() for x, y in p) for p in periods] == pytest.approx(scalar)


@given(calendars(), st.lists(instants(count=2), min_size=1, max_size=8))
def test_single_measures_by_the_schedule_in_force_at_the_end(
    cal: BusinessCalendar, pairs: list[list[int]]
) -> None:
    single = attrs.evolve(cal, convention="single")
    s = np.array([p[0] for p in pairs], dtype=np.int64)
    e = np.array([p[1] for p in pairs], dtype=np.int64)
    expected = []
    for a, b in pairs:
        ends_on = aware(b, cal.timezone).date()
        hours = cal.hours
        for day, changed_hours in cal.changes:
            hours = changed_hours if day <= ends_on else hours
        fixed = BusinessCalendar(timezone=cal.timezone, hours=hours, holidays=cal.holidays)
        expected.append(fixed.business_seconds(aware(a), aware(b)))
    assert single.business_seconds_array(s, e).tolist() == expected


@given(st.sampled_from(ZONES), st.lists(instants(count=2), min_size=1, max_size=8))
def test_always_equals_calendar_time(zone: str, pairs: list[list[int]]) -> None:
    cal = BusinessCalendar.always(zone)
    s = np.array([p[0] for p in pairs], dtype=np.int64)
    e = np.array([p[1] for p in pairs], dtype=np.int64)
    expected = [(aware(b) - aware(a)).total_seconds() for a, b in pairs]
    assert cal.business_seconds_array(s, e).tolist() == expected
    assert [cal.business_seconds(aware(a, zone), aware(b)) for a, b in pairs] == expected


def brute_force(cal: BusinessCalendar, start: int, end: int) -> float:
    """Minute-by-minute reference for a zone without DST (minute-grid times)."""
    offset = FIXED[cal.timezone] * _MINUTE
    weeks = [dict(cal.hours)] + [dict(hours) for _, hours in cal.changes]
    dates = [d for d, _ in cal.changes]

    def schedule(day: date) -> dict[Any, tuple[tuple[str, str], ...]]:
        return weeks[sum(d <= day for d in dates)]

    def minutes(clock: str) -> int:
        h, m = clock.split(":")
        return int(h) * 60 + int(m)

    epoch = datetime(1970, 1, 1)
    at_end = schedule((epoch + timedelta(microseconds=end + offset)).date())
    open_minutes = 0
    for t in range(start, end, _MINUTE):
        local = epoch + timedelta(microseconds=t + offset)
        for day in (local.date(), local.date() - timedelta(days=1)):
            if day in cal.holidays:
                continue
            week = at_end if cal.convention == "single" else schedule(day)
            wall = (local - datetime.combine(day, time())) // timedelta(minutes=1)
            for o, c in week.get(WEEKDAYS[day.weekday()], ()):
                lo, hi = minutes(o), minutes(c)
                hi += _DAY_MIN if hi <= lo else 0
                if lo <= wall < hi:
                    break
            else:
                continue
            open_minutes += 1
            break
    return open_minutes * 60.0


@given(calendars(zones=tuple(FIXED)), st.data())
def test_matches_minute_by_minute_reference(cal: BusinessCalendar, data: st.DataObject) -> None:
    low, high = (to_micros(t) for t in data.draw(st.sampled_from(SPANS)))
    start = data.draw(st.integers(low // _MINUTE, high // _MINUTE - 3 * _DAY_MIN)) * _MINUTE
    end = start + data.draw(st.integers(0, 3 * _DAY_MIN)) * _MINUTE
    expected = brute_force(cal, start, end)
    assert cal.business_seconds(aware(start), aware(end)) == expected
    assert cal.business_seconds_array(np.array([start]), np.array([end])).tolist() == [expected]


# Every 2026 clock change of the DST zones drawn above (UTC instants).
TRANSITIONS = {
    "Europe/Berlin": ("2026-03-29T01:00", "2026-10-25T01:00"),
    "America/New_York": ("2026-03-08T07:00", "2026-11-01T06:00"),
    "Australia/Lord_Howe": ("2026-04-04T15:00", "2026-10-03T15:30"),
}


def reference(cal: BusinessCalendar, start: int, end: int) -> float:
    """Minute-by-minute reference in any zone, with the DST rule stated plainly.

    A local time of a shift is the first instant at which the clocks show that
    time or later: an ambiguous time is its first occurrence, a skipped one the
    moment the clocks jump. Found by scanning minutes, not by bisection.
    """
    epoch = datetime(1970, 1, 1)

    def wall(micros: int) -> datetime:
        return aware(micros, cal.timezone).replace(tzinfo=None)

    def resolve(moment: datetime) -> int:
        u = (moment - epoch) // timedelta(microseconds=1) - 15 * 60 * _MINUTE
        while wall(u) < moment:
            u += _MINUTE
        return u

    def minutes(clock: str) -> int:
        h, m = clock.split(":")
        return int(h) * 60 + int(m)

    weeks = [dict(cal.hours)] + [dict(hours) for _, hours in cal.changes]
    dates = [d for d, _ in cal.changes]

    def schedule(day: date) -> dict[Any, tuple[tuple[str, str], ...]]:
        return weeks[sum(d <= day for d in dates)]

    first, last = wall(start).date(), wall(end).date()
    spans = []
    day = first - timedelta(days=2)
    while day <= last:
        week = schedule(last) if cal.convention == "single" else schedule(day)
        midnight = datetime.combine(day, time())
        for o, c in week.get(WEEKDAYS[day.weekday()], ()) if day not in cal.holidays else ():
            lo, hi = minutes(o), minutes(c)
            hi += _DAY_MIN if hi <= lo else 0
            spans.append(
                (
                    resolve(midnight + timedelta(minutes=lo)),
                    resolve(midnight + timedelta(minutes=hi)),
                )
            )
        day += timedelta(days=1)
    covered = sum(any(a <= t < b for a, b in spans) for t in range(start, end, _MINUTE))
    return covered * 60.0


@given(calendars(zones=tuple(TRANSITIONS)), st.data())
def test_dst_zones_match_minute_by_minute_reference(
    cal: BusinessCalendar, data: st.DataObject
) -> None:
    change = data.draw(st.sampled_from(TRANSITIONS[cal.timezone]))
    near = to_micros(datetime.fromisoformat(change).replace(tzinfo=timezone.utc))
    start = near + data.draw(st.integers(-2 * _DAY_MIN, _DAY_MIN)) * _MINUTE
    end = start + data.draw(st.integers(0, 2 * _DAY_MIN)) * _MINUTE
    expected = reference(cal, start, end)
    assert cal.business_seconds(aware(start), aware(end)) == expected
    assert cal.business_seconds_array(np.array([start]), np.array([end])).tolist() == [expected]


# -- local wall times of a whole column (the readers' assume_timezone) --------

WALL_ZONES = (
    "Europe/Berlin",
    "America/New_York",
    "Australia/Lord_Howe",  # 30-minute DST shifts
    "Pacific/Apia",  # 2011-12-30 never happened there
    "America/St_Johns",
    "UTC",
)
WALL_DAYS = (
    datetime(2026, 3, 29),
    datetime(2026, 10, 25),
    datetime(2026, 3, 8),
    datetime(2026, 11, 1),
    datetime(2026, 4, 5),
    datetime(2026, 10, 4),
    datetime(2011, 12, 29),
    datetime(2026, 7, 1),
)


def _walls(moments: list[datetime]) -> np.ndarray:
    return np.array(moments, dtype="datetime64[us]").view(np.int64)


@given(
    zone=st.sampled_from(WALL_ZONES),
    moments=st.lists(
        st.builds(
            lambda day, seconds: day + timedelta(seconds=seconds),
            st.sampled_from(WALL_DAYS),
            st.integers(-86400, 3 * 86400),
        ),
        max_size=40,
    ),
)
@example(
    zone="Europe/Berlin", moments=[datetime(2026, 10, 25, 2, 30), datetime(2026, 3, 29, 2, 30)]
)
def test_local_to_utc_is_the_calendar_rule_row_by_row(zone: str, moments: list[datetime]) -> None:
    tz = ZoneInfo(zone)
    got = local_to_utc(_walls(moments), tz)
    expected = [
        _to_utc(
            tz, m.toordinal(), (m - datetime.combine(m.date(), time())) // timedelta(microseconds=1)
        )
        for m in moments
    ]
    assert got.tolist() == expected
    order = np.argsort(_walls(moments), kind="stable")
    assert (np.diff(got[order]) >= 0).all()  # never runs backwards


def test_local_to_utc_keeps_missing_times_and_reads_repeats_first() -> None:
    walls = np.array(["2026-10-25T02:30", "NaT", "2026-03-29T02:30"], "datetime64[us]")
    got = local_to_utc(walls.view(np.int64), BERLIN)
    assert got.view("datetime64[us]").tolist()[1] is None
    assert got[0] == to_micros(datetime(2026, 10, 25, 0, 30, tzinfo=timezone.utc))
    assert got[2] == to_micros(datetime(2026, 3, 29, 1, 0, tzinfo=timezone.utc))
    assert local_to_utc(np.zeros(0, dtype=np.int64), BERLIN).tolist() == []


@st.composite
def instant_changes(draw: st.DrawFn) -> BusinessCalendar:
    """A calendar whose schedule changes at drawn instants (not midnights)."""
    zone = draw(st.sampled_from(ZONES))
    low, high = to_micros(SPANS[0][0]), to_micros(SPANS[1][1])
    moments = draw(st.lists(st.integers(low, high), max_size=3, unique=True))
    return BusinessCalendar(
        timezone=zone,
        hours=draw(weekly_hours()),
        holidays=draw(st.lists(st.dates(date(2026, 1, 30), date(2026, 12, 16)), max_size=4)),
        changes=[(aware(at), draw(weekly_hours())) for at in moments],
    )


@given(instant_changes(), st.lists(instants(count=2), min_size=1, max_size=6))
def test_instant_changes_sum_each_schedule_over_its_era(
    cal: BusinessCalendar, pairs: list[list[int]]
) -> None:
    # The definition: each schedule, as if always in force, over the part of
    # [start, end) between its change and the next.
    bounds = [np.iinfo(np.int64).min, *(to_micros(when) for when, _ in cal.changes)]
    ends = [*bounds[1:], np.iinfo(np.int64).max]
    weeks = [cal.hours, *(hours for _, hours in cal.changes)]
    expected = []
    for a, b in pairs:
        total = 0.0
        for since, until, hours in zip(bounds, ends, weeks, strict=True):
            lo, hi = max(a, since), min(b, until)
            if lo < hi:
                fixed = BusinessCalendar(timezone=cal.timezone, hours=hours, holidays=cal.holidays)
                total += fixed.business_seconds(aware(lo), aware(hi))
        expected.append(total)
    s = np.array([p[0] for p in pairs], dtype=np.int64)
    e = np.array([p[1] for p in pairs], dtype=np.int64)
    assert cal.business_seconds_array(s, e).tolist() == pytest.approx(expected, abs=1e-6)


@given(calendars(), st.lists(instants(count=1), min_size=1, max_size=6), st.data())
def test_add_business_seconds_inverts_business_seconds(
    cal: BusinessCalendar, starts: list[list[int]], data: st.DataObject
) -> None:
    cal = attrs.evolve(cal, convention="split")
    start = np.array([s[0] for s in starts], dtype=np.int64)
    amount = np.array(
        data.draw(st.lists(st.integers(0, 40 * 3600), min_size=len(start), max_size=len(start))),
        dtype=np.float64,
    )
    due = cal.add_business_seconds_array(start, amount)
    reached = due != OPEN
    assert (due[reached] >= start[reached]).all()
    got = cal.business_seconds_array(start[reached], due[reached])
    assert got.tolist() == amount[reached].tolist()
    # The earliest such instant: a microsecond earlier is short of it.
    positive = reached & (amount > 0)
    short = cal.business_seconds_array(start[positive], due[positive] - 1)
    assert (short < amount[positive]).all()
