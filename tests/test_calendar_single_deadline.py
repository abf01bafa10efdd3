"""Deadlines (`add_business_seconds_array`, SLA `target_at`) under ``convention="single"``."""

from __future__ import annotations

import warnings
from datetime import date, datetime, timezone
from zoneinfo import ZoneInfo

import attrs
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import csmetrics
import test_calendar as tc
from csmetrics import BusinessCalendar, Message, SLAPolicy, SLARule, SLATarget, sla_attainment
from csmetrics.core.schedules import TicketSchedules
from csmetrics.core.table import OPEN, to_micros

BERLIN = ZoneInfo("Europe/Berlin")
HOUR = 3600.0
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri")
OFFICE = {d: [("09:00", "17:00")] for d in WEEKDAYS}
LONG = {d: [("08:00", "20:00")] for d in WEEKDAYS}
ALL_DAY = {d: [("00:00", "24:00")] for d in (*WEEKDAYS, "sat", "sun")}


def berlin(*args: int) -> datetime:
    return datetime(*args, tzinfo=BERLIN)  # type: ignore[misc]


def due(cal: BusinessCalendar, start: datetime, *hours: float) -> list[datetime]:
    """The deadlines ``hours`` business hours after ``start``, in Berlin time."""
    starts = np.full(len(hours), to_micros(start), dtype=np.int64)
    out = cal.add_business_seconds_array(starts, np.array(hours) * HOUR)
    return [
        datetime.fromtimestamp(int(t) / 1e6, tz=timezone.utc).astimezone(BERLIN)
        for t in out.tolist()
    ]


def measured(cal: BusinessCalendar, start: datetime, end: datetime) -> float:
    return cal.business_seconds(start, end) / HOUR


def test_a_longer_schedule_from_the_change_moves_the_deadline_to_the_change():
    # 09:00-17:00 until Sunday 2026-05-31, 08:00-20:00 from Monday. From
    # Friday 16:00, under "single" an end before the change counts Friday
    # 16:00-17:00 (1 h); an end from Monday 00:00 counts the new hours
    # throughout: Friday 16:00-20:00 is already 4 h.
    cal = BusinessCalendar(
        timezone="Europe/Berlin",
        hours=OFFICE,
        changes=[(date(2026, 6, 1), LONG)],
        convention="single",
    )
    friday = berlin(2026, 5, 29, 16)
    assert due(cal, friday, 1, 3, 4, 5) == [
        berlin(2026, 5, 29, 17),  # reached under the old hours
        berlin(2026, 6, 1, 0),  # 1 h just before the change, 4 h at it
        berlin(2026, 6, 1, 0),
        berlin(2026, 6, 1, 9),  # 4 h on Friday plus Monday 08:00-09:00
    ]
    assert measured(cal, friday, berlin(2026, 6, 1, 0)) == 4
    assert measured(cal, friday, berlin(2026, 6, 1, 9)) == 5
    # "split" counts Friday by the old hours: 1 h, then Monday from 08:00.
    split = attrs.evolve(cal, convention="split")
    assert due(split, friday, 3, 5) == [berlin(2026, 6, 1, 10), berlin(2026, 6, 1, 12)]


def test_a_shorter_schedule_from_the_change_is_counted_only_from_it():
    # 08:00-20:00 until Sunday, 09:00-17:00 from Monday 2026-06-01.
    cal = BusinessCalendar(
        timezone="Europe/Berlin",
        hours=LONG,
        changes=[(date(2026, 6, 1), OFFICE)],
        convention="single",
    )
    friday = berlin(2026, 5, 29, 16)
    # 3 h: Friday 19:00 under the old hours. 5 h: the old hours give 4 h by
    # Friday 20:00 and nothing more before the change; the new hours count
    # Friday 16:00-17:00 and Monday 09:00-13:00.
    assert due(cal, friday, 3, 5) == [berlin(2026, 5, 29, 19), berlin(2026, 6, 1, 13)]
    # The measured time drops at the change: 4 h just before, 1 h at it.
    assert measured(cal, friday, berlin(2026, 5, 31, 23, 59)) == 4
    assert measured(cal, friday, berlin(2026, 6, 1, 0)) == 1


def test_a_change_at_an_instant_to_around_the_clock():
    # Office hours until Monday 2026-06-01 12:00, around the clock from then.
    cal = BusinessCalendar(
        timezone="Europe/Berlin",
        hours=OFFICE,
        changes=[(berlin(2026, 6, 1, 12), ALL_DAY)],
        convention="single",
    )
    early = berlin(2026, 6, 1, 6)
    # 2 h: Monday 11:00 under the office hours. 5 h: the office hours give 3 h
    # by 12:00; from 12:00 the whole span counts, 6 h: due at the change.
    # 8 h: 06:00 + 8 h under around the clock.
    assert due(cal, early, 2, 5, 8) == [
        berlin(2026, 6, 1, 11),
        berlin(2026, 6, 1, 12),
        berlin(2026, 6, 1, 14),
    ]


def test_single_deadline_across_the_spring_forward():
    # Closed at weekends, then open around the clock from Sunday 2026-03-29,
    # the day Berlin skips 02:00-03:00 (23 hours long). From Saturday 12:00
    # CET: 12 h to midnight, then 18 real hours of Sunday.
    cal = BusinessCalendar(
        timezone="Europe/Berlin",
        hours=OFFICE,
        changes=[(date(2026, 3, 29), ALL_DAY)],
        convention="single",
    )
    saturday = berlin(2026, 3, 28, 12)
    [when] = due(cal, saturday, 30)
    assert when == datetime(2026, 3, 29, 17, tzinfo=timezone.utc)  # 19:00 CEST
    assert when.utcoffset().total_seconds() == 2 * HOUR  # type: ignore[union-attr]
    assert measured(cal, saturday, when) == 30


def test_single_deadline_across_the_fall_back():
    # The same, from Sunday 2026-10-25, 25 hours long: from Saturday 12:00
    # CEST, 12 h + 25 h to Monday 00:00 CET, and 3 h more.
    cal = BusinessCalendar(
        timezone="Europe/Berlin",
        hours=OFFICE,
        changes=[(date(2026, 10, 25), ALL_DAY)],
        convention="single",
    )
    saturday = berlin(2026, 10, 24, 12)
    assert due(cal, saturday, 40) == [berlin(2026, 10, 26, 3)]
    assert measured(cal, saturday, berlin(2026, 10, 26, 3)) == 40


def test_deadlines_keep_the_shape_of_their_inputs():
    # Mondays 09:00-17:00 until 2026-05-18, Tuesdays 09:00-17:00 from then
    # (UTC). From Monday 2026-05-11 00:00, 10 h: under "single" the Monday
    # hours give 8 h before the change, the Tuesday hours (as if always)
    # Tuesday 12 May and Tuesday 19 May 09:00-11:00; "split" agrees here.
    cal = BusinessCalendar(
        timezone="UTC",
        hours={"mon": [("09:00", "17:00")]},
        changes=[("2026-05-18", {"tue": [("09:00", "17:00")]})],
        convention="single",
    )
    monday = datetime(2026, 5, 11, tzinfo=timezone.utc)
    hour = 3_600_000_000
    start = np.array([[0, 16 * hour], [hour, 0]]) + to_micros(monday)
    amount = np.array([[2 * HOUR, HOUR], [0.0, 10 * HOUR]])
    expected = np.array(
        [
            [to_micros(datetime(2026, 5, 11, 11, tzinfo=timezone.utc)), start[0, 1] + hour],
            [start[1, 0], to_micros(datetime(2026, 5, 19, 11, tzinfo=timezone.utc))],
        ]
    )
    for convention in ("single", "split"):
        got = attrs.evolve(cal, convention=convention).add_business_seconds_array(start, amount)
        assert got.shape == (2, 2)
        assert got.tolist() == expected.tolist()


def test_sla_target_at_under_single_matches_its_elapsed_time():
    cal = BusinessCalendar(
        timezone="Europe/Berlin",
        hours=OFFICE,
        changes=[(date(2026, 6, 1), LONG)],
        convention="single",
    )
    policy = SLAPolicy(
        calendar=cal, rules=[SLARule(first_response=SLATarget(seconds=3 * HOUR, business=True))]
    )
    friday = berlin(2026, 5, 29, 16)
    answered = csmetrics.Ticket(
        id=1,
        customer_id="ann",
        created=friday,
        messages=[
            Message(at=friday, author="customer"),
            Message(at=berlin(2026, 6, 1, 9, 30), author="agent"),
        ],
        statuses=[],
    )
    result = sla_attainment([answered], policy, as_of=berlin(2026, 6, 2, 0))
    assert result.outcomes is not None
    [row] = result.outcomes.to_rows()
    # Measured by the new hours at the reply: Friday 16:00-20:00 and Monday
    # 08:00-09:30, 5.5 h against 3 h; the target ran out at the change.
    assert (row["elapsed"], row["breached"]) == (5.5 * HOUR, True)
    assert row["target_at"] == berlin(2026, 6, 1, 0)


def test_per_ticket_schedules_measure_a_single_calendar_as_single_does():
    # The ticket's schedule (calendar by schedule id) changes its hours on
    # Monday 2026-06-01. The periodic update owed from the agent's comment on
    # Friday 16:00 until Monday 09:30 is measured by the new hours
    # throughout: Friday 16:00-20:00 and Monday 08:00-09:30, 5.5 h; its 3 h
    # ran out at the change. (Measured from the ticket's creation on
    # Thursday, the old and the new hours would mix: 9.5 h.)
    cal = BusinessCalendar(
        timezone="Europe/Berlin",
        hours=OFFICE,
        changes=[(date(2026, 6, 1), LONG)],
        convention="single",
    )
    policy = SLAPolicy(
        calendar={"office": cal},
        rules=[SLARule(periodic_update=SLATarget(seconds=3 * HOUR, business=True))],
    )
    thursday, friday, monday = (
        berlin(2026, 5, 28, 16),
        berlin(2026, 5, 29, 16),
        berlin(2026, 6, 1, 9, 30),
    )
    thread = csmetrics.Ticket(
        id=2,
        customer_id="ann",
        created=thursday,
        messages=[
            Message(at=thursday, author="customer"),
            Message(at=friday, author="agent"),
            Message(at=monday, author="agent"),
        ],
        statuses=[csmetrics.StatusChange(at=monday, status="solved")],
        schedule_changes=[(thursday, "office")],
    )
    result = sla_attainment([thread], policy, as_of=berlin(2026, 6, 2, 0))
    assert result.outcomes is not None
    [row] = result.outcomes.to_rows()
    assert (row["applied_at"], row["target_at"]) == (friday, berlin(2026, 6, 1, 0))
    assert (row["elapsed"], row["breached"]) == (5.5 * HOUR, True)


@settings(max_examples=30)  # a calendar with no open time searches to year 9999
@given(tc.calendars(), st.lists(tc.instants(count=1), min_size=1, max_size=6), st.data())
def test_single_deadline_is_the_first_instant_the_measured_time_reaches(
    cal: BusinessCalendar, starts: list[list[int]], data: st.DataObject
) -> None:
    cal = attrs.evolve(cal, convention="single")
    start = np.array([s[0] for s in starts], dtype=np.int64)
    amount = np.array(
        data.draw(st.lists(st.integers(0, 40 * 3600), min_size=len(start), max_size=len(start))),
        dtype=np.float64,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        deadline = cal.add_business_seconds_array(start, amount)
    changes = [int(t) for t in cal._change_instants()]  # the eras' bounds
    for s, a, d in zip(start.tolist(), amount.tolist(), deadline.tolist(), strict=True):
        if d == OPEN:
            continue
        assert d >= s
        assert cal.business_seconds_array(np.array([s]), np.array([d]))[0] >= a
        # Within an era the measured time grows, so before the deadline it
        # peaks just before the deadline or just before a change.
        peaks = [t - 1 for t in [*changes, d] if s < t <= d]
        if a > 0 and peaks:
            short = cal.business_seconds_array(np.full(len(peaks), s), np.array(peaks))
            assert (short < a).all()


@settings(max_examples=30)
@given(
    tc.calendars(),
    st.lists(tc.instants(count=2), min_size=1, max_size=5),
    st.booleans(),
    st.data(),
)
def test_one_schedule_per_ticket_measures_as_its_calendar(
    cal: BusinessCalendar, pairs: list[list[int]], single: bool, data: st.DataObject
) -> None:
    # Each ticket on one schedule throughout, created at the first start:
    # every span measures as the calendar itself measures it, either
    # convention, also when its hours change while the ticket is open.
    created = min(p[0] for p in pairs)
    start = np.array([p[0] for p in pairs], dtype=np.int64)
    end = np.array([p[1] for p in pairs], dtype=np.int64)
    if end.max() > created:
        moment = data.draw(st.integers(created + 1, int(end.max())))
        change = (
            datetime.fromtimestamp(moment / 1e6, tz=timezone.utc),
            data.draw(tc.weekly_hours()),
        )
        cal = attrs.evolve(cal, changes=[change])
    cal = attrs.evolve(cal, convention="single" if single else "split")
    one = csmetrics.Ticket(
        id=1,
        customer_id="ann",
        created=datetime.fromtimestamp(created / 1e6, tz=timezone.utc),
        messages=[],
        statuses=[],
    )
    table = csmetrics.Tickets.from_records([one])
    schedules = TicketSchedules.of(table, {None: cal}, int(end.max()))
    ticket = np.zeros(len(pairs), dtype=np.int64)
    got = schedules.business_seconds(ticket, start, end)
    assert got.tolist() == pytest.approx(cal.business_seconds_array(start, end).tolist(), abs=1e-6)
