"""Tests of csmetrics.core.periods: calendar buckets local to a time zone."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from csmetrics import InvalidDataError, Window
from csmetrics.core.periods import EVERY, buckets
from csmetrics.core.table import to_micros

UTC = timezone.utc
BERLIN = ZoneInfo("Europe/Berlin")
HOUR = 3600


def us(*moments: datetime) -> np.ndarray:
    return np.array([to_micros(m) for m in moments], dtype=np.int64)


def hours(window: Window) -> float:
    return (window.end - window.start).total_seconds() / HOUR


def local(window: Window, zone: ZoneInfo = BERLIN) -> datetime:
    return window.start.astimezone(zone)


# -- days and daylight saving time --------------------------------------------------------------


def test_spring_forward_day_in_berlin_has_23_hours():
    # 2026-03-29: clocks go from 02:00 CET to 03:00 CEST.
    day = datetime(2026, 3, 29, tzinfo=BERLIN)
    b = buckets(us(day), every="day", timezone="Europe/Berlin")
    assert len(b) == 1
    assert hours(b.windows[0]) == 23
    assert b.windows[0].start == datetime(2026, 3, 28, 23, tzinfo=UTC)
    assert b.windows[0].end == datetime(2026, 3, 29, 22, tzinfo=UTC)


def test_fall_back_day_in_berlin_has_25_hours():
    day = datetime(2026, 10, 25, 12, tzinfo=BERLIN)
    b = buckets(us(day), every="day", timezone="Europe/Berlin")
    assert hours(b.windows[0]) == 25


def test_day_boundaries_follow_local_midnight_not_utc():
    # 23:30 UTC on 28 March is 00:30 CET on 29 March: the Berlin day of the 29th.
    late = datetime(2026, 3, 28, 23, 30, tzinfo=UTC)
    early = datetime(2026, 3, 28, 22, 59, tzinfo=UTC)  # 23:59 CET on the 28th
    b = buckets(us(early, late), every="day", timezone="Europe/Berlin")
    assert b.index.tolist() == [0, 1]
    assert [local(w).date().isoformat() for w in b.windows] == ["2026-03-28", "2026-03-29"]
    assert [hours(w) for w in b.windows] == [24, 23]
    utc = buckets(us(early, late), every="day")
    assert utc.index.tolist() == [0, 0]


def test_hours_on_dst_days_are_23_and_25():
    for day, count in (
        (datetime(2026, 3, 29, tzinfo=BERLIN), 23),
        (datetime(2026, 10, 25, tzinfo=BERLIN), 25),
    ):
        b = buckets(us(day), every="hour", timezone=BERLIN, start=day, end=day + timedelta(days=1))
        assert len(b) == count
        assert all(hours(w) == 1 for w in b.windows)
    # The repeated hour is two periods, both showing 02:00 on the wall clock.
    fall = buckets(
        us(),
        every="hour",
        timezone=BERLIN,
        start=datetime(2026, 10, 25, tzinfo=BERLIN),
        end=datetime(2026, 10, 25, 4, tzinfo=BERLIN) + timedelta(hours=1),
    )
    shown = [local(w).strftime("%H %Z") for w in fall.windows]
    assert shown[:5] == ["00 CEST", "01 CEST", "02 CEST", "02 CET", "03 CET"]


def test_half_hour_zone_hours_start_at_half_past_utc():
    # India is UTC+05:30: a local hour starts at :30 UTC.
    b = buckets(us(datetime(2026, 1, 1, 10, 45, tzinfo=UTC)), every="hour", timezone="Asia/Kolkata")
    assert b.windows[0].start == datetime(2026, 1, 1, 10, 30, tzinfo=UTC)
    assert hours(b.windows[0]) == 1


def test_midnight_skipped_by_dst_starts_the_day_at_one():
    # Chile moves its clocks from 00:00 to 01:00 on 2026-09-06: that day starts at 01:00 -03.
    santiago = ZoneInfo("America/Santiago")
    noon = datetime(2026, 9, 6, 12, tzinfo=santiago)
    b = buckets(us(noon), every="day", timezone=santiago)
    start = b.windows[0].start.astimezone(santiago)
    assert (start.date().isoformat(), start.hour) == ("2026-09-06", 1)
    assert hours(b.windows[0]) == 23


def test_a_skipped_local_day_has_no_period():
    # Samoa skipped 30 December 2011 when it moved west of the date line.
    apia = ZoneInfo("Pacific/Apia")
    b = buckets(
        us(),
        every="day",
        timezone=apia,
        start=datetime(2011, 12, 29, tzinfo=apia),
        end=datetime(2012, 1, 1, tzinfo=apia),
    )
    assert [local(w, apia).day for w in b.windows] == [29, 31]


# -- weeks, months, quarters, years -------------------------------------------------------------


def test_weeks_are_iso_weeks_starting_monday_local():
    # Monday 2 March 2026 00:30 in Berlin is Sunday 23:30 UTC.
    monday = datetime(2026, 3, 2, 0, 30, tzinfo=BERLIN)
    sunday = datetime(2026, 3, 1, 23, 0, tzinfo=BERLIN)
    berlin = buckets(us(sunday, monday), every="week", timezone=BERLIN)
    assert berlin.index.tolist() == [0, 1]
    assert [local(w).date().isoformat() for w in berlin.windows] == ["2026-02-23", "2026-03-02"]
    assert all(local(w).weekday() == 0 and local(w).hour == 0 for w in berlin.windows)
    utc = buckets(us(sunday, monday), every="week")
    assert utc.index.tolist() == [0, 0]


def test_week_with_spring_forward_has_167_hours():
    b = buckets(us(datetime(2026, 3, 29, 12, tzinfo=BERLIN)), every="week", timezone=BERLIN)
    assert local(b.windows[0]).date().isoformat() == "2026-03-23"
    assert hours(b.windows[0]) == 7 * 24 - 1


def test_months_quarters_and_years():
    t = us(datetime(2026, 2, 14, tzinfo=BERLIN), datetime(2026, 5, 2, tzinfo=BERLIN))
    months = buckets(t, every="month", timezone=BERLIN)
    assert [local(w).strftime("%m-%d") for w in months.windows] == [
        "02-01",
        "03-01",
        "04-01",
        "05-01",
    ]
    assert [hours(w) for w in months.windows] == [28 * 24, 31 * 24 - 1, 30 * 24, 31 * 24]
    assert months.index.tolist() == [0, 3]
    quarters = buckets(t, every="quarter", timezone=BERLIN)
    assert [local(w).strftime("%Y-%m-%d") for w in quarters.windows] == ["2026-01-01", "2026-04-01"]
    assert quarters.local_end() == datetime(2026, 7, 1, tzinfo=BERLIN)
    years = buckets(t, every="year", timezone=BERLIN)
    assert len(years) == 1
    assert years.windows[0].start == datetime(2025, 12, 31, 23, tzinfo=UTC)


def test_quarter_boundary_at_new_year():
    t = us(datetime(2025, 12, 31, 23, 59, tzinfo=UTC), datetime(2026, 1, 1, tzinfo=UTC))
    b = buckets(t, every="quarter")
    assert b.index.tolist() == [0, 1]
    assert b.windows[0].start == datetime(2025, 10, 1, tzinfo=UTC)


# -- empty periods, bounds ----------------------------------------------------------------------


def test_empty_periods_are_present_with_zero():
    t = us(datetime(2026, 1, 1, 9, tzinfo=UTC), datetime(2026, 1, 5, 9, tzinfo=UTC))
    b = buckets(t, every="day")
    assert len(b) == 5
    assert b.counts().tolist() == [1, 0, 0, 0, 1]
    assert all(a.end == c.start for a, c in zip(b.windows, b.windows[1:], strict=False))


def test_start_and_end_clip_the_outer_periods():
    start = datetime(2026, 1, 1, 12, tzinfo=UTC)  # a Thursday, midday
    end = datetime(2026, 1, 14, tzinfo=UTC)
    t = us(
        datetime(2025, 12, 31, tzinfo=UTC),
        datetime(2026, 1, 2, tzinfo=UTC),
        datetime(2026, 1, 13, 23, tzinfo=UTC),
        end,
    )
    b = buckets(t, every="week", start=start, end=end)
    assert [w.start.date().isoformat() for w in b.windows] == [
        "2026-01-01",
        "2026-01-05",
        "2026-01-12",
    ]
    assert b.windows[0].start == start
    assert b.windows[-1].end == end
    assert b.index.tolist() == [-1, 0, 2, -1]


def test_bounds_without_timestamps_cover_the_range():
    b = buckets(
        np.empty(0, dtype=np.int64),
        every="month",
        start=datetime(2026, 1, 1, tzinfo=UTC),
        end=datetime(2026, 4, 1, tzinfo=UTC),
    )
    assert len(b) == 3
    assert b.counts().tolist() == [0, 0, 0]


def test_no_timestamps_and_no_bounds_give_no_period():
    b = buckets(np.empty(0, dtype=np.int64), every="day")
    assert len(b) == 0
    assert b.counts().tolist() == []
    assert "0 day periods" in repr(b)


def test_only_end_given_covers_earlier_timestamps():
    t = us(datetime(2026, 1, 3, tzinfo=UTC))
    b = buckets(t, every="day", end=datetime(2026, 1, 5, tzinfo=UTC))
    assert len(b) == 2
    assert b.index.tolist() == [0]


def test_datetime64_input_is_read_as_utc():
    t = np.array(["2026-01-01T23:30", "2026-01-02T00:30"], dtype="datetime64[us]")
    assert buckets(t, every="day").index.tolist() == [0, 1]


# -- errors -------------------------------------------------------------------------------------


def test_bad_every_names_the_allowed_values():
    with pytest.raises(ValueError, match=r"every='fortnight' is not allowed; use one of: 'hour'"):
        buckets(us(), every="fortnight")  # type: ignore[arg-type]


def test_unknown_timezone_suggests_a_name():
    with pytest.raises(
        ValueError, match=r"timezone='Europe/Berln' is not a known time zone.*Europe/Berlin"
    ):
        buckets(us(), every="day", timezone="Europe/Berln")


def test_naive_bound_is_refused():
    with pytest.raises(ValueError, match=r"start=.*timezone-aware"):
        buckets(us(), every="day", start=datetime(2026, 1, 1), end=datetime(2026, 1, 2, tzinfo=UTC))


def test_end_not_after_start_is_refused():
    moment = datetime(2026, 1, 1, tzinfo=UTC)
    with pytest.raises(ValueError, match="must be after start"):
        buckets(us(), every="day", start=moment, end=moment)


def test_only_one_bound_without_timestamps_is_refused():
    with pytest.raises(ValueError, match="end=None is not allowed without timestamps"):
        buckets(us(), every="day", start=datetime(2026, 1, 1, tzinfo=UTC))


def test_float_timestamps_are_refused():
    with pytest.raises(InvalidDataError, match="times_us"):
        buckets(np.array([1.5]), every="day")


# -- properties ---------------------------------------------------------------------------------

ZONE_NAMES = ("UTC", "Europe/Berlin", "America/New_York", "Asia/Kolkata", "Australia/Lord_Howe")
SPAN = 400 * 24 * HOUR * 1_000_000  # about 13 months, across DST changes
BASE = to_micros(datetime(2025, 12, 1, tzinfo=UTC))


@given(
    times=st.lists(st.integers(0, SPAN), min_size=1, max_size=30),
    every=st.sampled_from([e for e in EVERY if e != "hour"]),
    zone=st.sampled_from(ZONE_NAMES),
)
def test_every_timestamp_lies_in_its_window_and_windows_are_contiguous(times, every, zone):
    t = np.array(times, dtype=np.int64) + BASE
    b = buckets(t, every=every, timezone=zone)
    assert (b.index >= 0).all()
    assert int(b.counts().sum()) == len(t)
    assert (np.diff(b.edges) > 0).all()
    for moment, i in zip(t.tolist(), b.index.tolist(), strict=True):
        assert b.edges[i] <= moment < b.edges[i + 1]
    for a, c in zip(b.windows, b.windows[1:], strict=False):
        assert a.end == c.start
    starts = b.local_starts()
    assert all((s.hour, s.minute) == (0, 0) for s in starts)
    if every == "week":
        assert all(s.weekday() == 0 for s in starts)
    if every in ("month", "quarter", "year"):
        assert all(s.day == 1 for s in starts)


@given(
    times=st.lists(st.integers(0, 3 * 24 * HOUR * 1_000_000), min_size=1, max_size=10),
    zone=st.sampled_from(ZONE_NAMES),
)
def test_hours_cover_the_timestamps_and_start_on_whole_local_hours(times, zone):
    t = np.array(times, dtype=np.int64) + to_micros(datetime(2026, 3, 28, tzinfo=UTC))
    b = buckets(t, every="hour", timezone=zone)
    assert int(b.counts().sum()) == len(t)
    assert all(s.minute == 0 and s.second == 0 for s in b.local_starts())
