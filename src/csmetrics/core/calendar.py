"""Business calendars: opening hours, holidays and schedule history.

A `BusinessCalendar` says when a support team is open, in one IANA time zone.
Its `business_seconds` is the open time inside a duration: the clock that
first-response time, resolution time and SLA targets run on when they are
measured in business hours. Durations are seconds (float); a calendar is not
a metric, so it has no better or worse direction.

Business time is ``B(end) - B(start)``, where ``B(t)`` is the open time from a
fixed origin up to the instant ``t``. The open intervals are built once, in
UTC microseconds, for the local days the data spans, with a prefix sum of
their lengths, so a million durations cost two ``numpy.searchsorted`` calls.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import date, datetime, time, timedelta, timezone
from itertools import pairwise
from typing import Any, Literal, TypeAlias
from zoneinfo import ZoneInfo

import attrs
import numpy as np
import numpy.typing as npt

from csmetrics.core.check import bad_record, option, time_zone
from csmetrics.core.table import from_micros, to_micros

__all__ = ["CONVENTIONS", "WEEKDAYS", "BusinessCalendar", "Convention", "Effective", "Weekday"]

I64 = npt.NDArray[np.int64]
F64 = npt.NDArray[np.float64]

Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
WEEKDAYS: tuple[Weekday, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
"""The weekday keys of ``hours``, Monday first (``date.weekday()`` order)."""

Convention = Literal["split", "single"]
CONVENTIONS: tuple[Convention, ...] = ("split", "single")

TimeOfDay: TypeAlias = str | time
"""``"HH:MM"`` (``"24:00"`` only as a close) or a naive `datetime.time`."""
DayHours: TypeAlias = Iterable[tuple[TimeOfDay, TimeOfDay]] | tuple[TimeOfDay, TimeOfDay]
HoursLike: TypeAlias = (
    Mapping[Weekday, DayHours] | Mapping[str, DayHours] | Iterable[tuple[str, DayHours]]
)
DateLike: TypeAlias = date | str

Hours: TypeAlias = tuple[tuple[Weekday, tuple[tuple[str, str], ...]], ...]
"""Normalised hours: ``((weekday, ((open, close), ...)), ...)``, weekdays in
order, shifts sorted by opening, times as ``"HH:MM"`` strings."""

_Week: TypeAlias = tuple[tuple[tuple[int, int], ...], ...]
# Seven entries, Monday first: (open, close) in microseconds after the local
# midnight of the day the shift opens; close > open, up to 48 h for overnight.

_US = 1_000_000
_DAY = 86_400 * _US
_WEEK = 7 * _DAY
_MICRO = timedelta(microseconds=1)
_EPOCH_NAIVE = datetime(1970, 1, 1)
# Data must leave a day of room on either side for local dates and shifts.
_LOW = to_micros(datetime(1, 1, 3, tzinfo=timezone.utc))
_HIGH = to_micros(datetime(9999, 12, 29, tzinfo=timezone.utc))
_TIME = re.compile(r"(\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d{6}))?)?")


# --- normalising the inputs -------------------------------------------------


def _zone_name(value: str | ZoneInfo) -> str:
    return time_zone("timezone", value)


def _format_time(micros: int) -> str:
    hours, rest = divmod(micros, 3600 * _US)
    minutes, rest = divmod(rest, 60 * _US)
    seconds, fraction = divmod(rest, _US)
    text = f"{hours:02d}:{minutes:02d}"
    if seconds or fraction:
        text += f":{seconds:02d}"
    if fraction:
        text += f".{fraction:06d}"
    return text


def _parse_time(value: object, where: str, *, close: bool) -> int:
    """Microseconds after midnight of an "HH:MM" string or a naive time."""
    if isinstance(value, time):
        if value.tzinfo is not None:
            msg = (
                f"{where}={value!r} is not allowed; give a naive time (the calendar's zone applies)"
            )
            raise ValueError(msg)
        return ((value.hour * 60 + value.minute) * 60 + value.second) * _US + value.microsecond
    match = _TIME.fullmatch(value) if isinstance(value, str) else None
    if match:
        hour, minute, second, fraction = (int(g or 0) for g in match.groups())
        micros = ((hour * 60 + minute) * 60 + second) * _US + fraction
        if minute < 60 and second < 60 and (hour < 24 or (close and micros == _DAY)):
            return micros
    last = "'24:00'" if close else "'23:59' ('24:00' is only a close)"
    msg = f"{where}={value!r} is not allowed; use 'HH:MM' from '00:00' to {last} or a datetime.time"
    raise ValueError(msg)


def _is_time(value: object) -> bool:
    return isinstance(value, (str, time))


def _day_shifts(value: object, where: str) -> tuple[tuple[int, int], ...]:
    """One weekday's shifts as sorted (open, close) microseconds, close > open."""
    if isinstance(value, (tuple, list)) and len(value) == 2 and all(map(_is_time, value)):
        value = [value]  # one (open, close) pair instead of a list of them
    if isinstance(value, (str, bytes)) or not isinstance(value, Iterable):
        msg = f"{where}={value!r} is not allowed; use a list of (open, close) pairs"
        raise ValueError(msg)
    shifts = []
    for i, pair in enumerate(value):
        here = f"{where}[{i}]"
        if not isinstance(pair, (tuple, list)) or len(pair) != 2:
            msg = f"{here}={pair!r} is not allowed; use an (open, close) pair"
            raise ValueError(msg)
        opens = _parse_time(pair[0], f"{here} open", close=False)
        closes = _parse_time(pair[1], f"{here} close", close=True)
        if opens == closes:
            msg = (
                f"{here}={tuple(pair)!r} is not allowed: open equals close; a close earlier "
                "than the open is an overnight shift, a whole day is ('00:00', '24:00')"
            )
            raise ValueError(msg)
        # A close at or before the open is on the next day (an overnight shift).
        shifts.append((opens, closes if closes > opens else closes + _DAY))
    return tuple(sorted(shifts))


def _shift_text(day: str, opens: int, closes: int) -> str:
    return f"{day!r} ({_format_time(opens)!r}, {_format_time(closes % _DAY or _DAY)!r})"


def _check_overlaps(days: dict[str, tuple[tuple[int, int], ...]], where: str) -> None:
    """Refuse shifts that overlap on the weekly cycle (overnight ones included)."""
    spans = sorted(
        (WEEKDAYS.index(day) * _DAY + o, WEEKDAYS.index(day) * _DAY + c, _shift_text(day, o, c))
        for day, shifts in days.items()
        for o, c in shifts
    )
    if len(spans) < 2:
        return
    # Sunday's overnight shift runs into next Monday: compare across the wrap too.
    wrapped = (spans[0][0] + _WEEK, spans[0][1] + _WEEK, spans[0][2])
    for (_, end, one), (start, _, two) in zip(spans, [*spans[1:], wrapped], strict=True):
        if start < end:
            msg = f"{where}: {one} overlaps {two}; shifts must not overlap"
            raise ValueError(msg)


def _hours(value: HoursLike, where: str = "hours") -> Hours:
    """Normalise ``hours`` to a hashable tuple (see `Hours`)."""
    if isinstance(value, Mapping):
        items: list[Any] = list(value.items())
    elif isinstance(value, (str, bytes)) or not isinstance(value, Iterable):
        msg = (
            f"{where}={value!r} is not allowed; use a mapping from weekday "
            f"({', '.join(map(repr, WEEKDAYS))}) to a list of (open, close) pairs"
        )
        raise ValueError(msg)
    else:
        items = list(value)
    days: dict[str, tuple[tuple[int, int], ...]] = {}
    for item in items:
        if not isinstance(item, (tuple, list)) or len(item) != 2:
            msg = f"{where} item {item!r} is not allowed; use (weekday, shifts) pairs"
            raise ValueError(msg)
        day, shifts = item
        option(f"{where} weekday", day, WEEKDAYS)
        if day in days:
            msg = f"{where} weekday={day!r} is given twice"
            raise ValueError(msg)
        days[day] = _day_shifts(shifts, f"{where}[{day!r}]")
    _check_overlaps(days, where)
    return tuple(
        (day, tuple((_format_time(o), _format_time(c % _DAY or _DAY)) for o, c in days[day]))
        for day in WEEKDAYS
        if days.get(day)
    )


def _date(value: object, where: str) -> date:
    if isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    elif isinstance(value, date) and not isinstance(value, datetime):
        return value
    msg = (
        f"{where}={value!r} is not allowed; use a local calendar date: datetime.date "
        "or 'YYYY-MM-DD'"
    )
    raise ValueError(msg)


def _holidays(values: Iterable[DateLike]) -> tuple[date, ...]:
    if isinstance(values, (str, date)) or not isinstance(values, Iterable):
        msg = f"holidays={values!r} is not allowed; use a collection of dates"
        raise ValueError(msg)
    return tuple(sorted({_date(v, f"holidays[{i}]") for i, v in enumerate(values)}))


Effective: TypeAlias = date | datetime
"""When a schedule change takes effect: a local date (from the shifts opening
on it) or a timezone-aware datetime (from that instant)."""


def _effective(value: object, where: str) -> Effective:
    """A change's effective date (``date`` or ``'YYYY-MM-DD'``) or aware instant."""
    if isinstance(value, datetime):
        if value.tzinfo is None or value.utcoffset() is None:
            msg = (
                f"{where}={value!r} is not allowed; a change at an instant needs a "
                "timezone-aware datetime (a date takes effect at local midnight)"
            )
            raise ValueError(msg)
        return value.astimezone(timezone.utc)
    if isinstance(value, str) and len(value) > 10:
        try:
            parsed = datetime.fromisoformat(value)
        except ValueError:
            pass
        else:
            return _effective(parsed, where)
    try:
        return _date(value, where)
    except ValueError:
        msg = (
            f"{where}={value!r} is not allowed; use a local date (datetime.date or "
            "'YYYY-MM-DD') or a timezone-aware datetime"
        )
        raise ValueError(msg) from None


def _changes(
    values: Mapping[Effective | str, HoursLike] | Iterable[tuple[Effective | str, HoursLike]],
) -> tuple[tuple[Effective, Hours], ...]:
    """The changes as given (sorted by instant once the zone is known)."""
    if isinstance(values, Mapping):
        items: list[Any] = list(values.items())
    elif isinstance(values, (str, bytes)) or not isinstance(values, Iterable):
        msg = f"changes={values!r} is not allowed; use a tuple of (effective date, hours) pairs"
        raise ValueError(msg)
    else:
        items = list(values)
    out: dict[Effective, Hours] = {}
    for i, item in enumerate(items):
        if not isinstance(item, (tuple, list)) or len(item) != 2:
            msg = f"changes[{i}]={item!r} is not allowed; use an (effective date, hours) pair"
            raise ValueError(msg)
        when = _effective(item[0], f"changes[{i}] date")
        if when in out:
            msg = f"changes[{i}] date={when!r} is given twice; give one hours per date"
            raise ValueError(msg)
        out[when] = _hours(item[1], f"changes[{i}] hours")
    return tuple(out.items())


def _check_convention(_inst: object, _attr: object, value: object) -> None:
    option("convention", value, CONVENTIONS)


def _compile(hours: Hours) -> _Week:
    days = dict(hours)
    return tuple(
        tuple(
            (o, c if c > o else c + _DAY)
            for o, c in (
                (_parse_time(a, "", close=False), _parse_time(b, "", close=True))
                for a, b in days.get(day, ())
            )
        )
        for day in WEEKDAYS
    )


# --- local time to UTC ------------------------------------------------------


def _offset(zone: ZoneInfo, naive: datetime) -> int:
    offset = zone.utcoffset(naive)
    assert offset is not None  # a ZoneInfo always has an offset
    return offset // _MICRO


def _offset_at(zone: ZoneInfo, micros: int) -> int:
    return _offset(zone, from_micros(micros).astimezone(zone).replace(tzinfo=None))


def _to_utc(zone: ZoneInfo, ordinal: int, micros: int) -> int:
    """UTC microseconds of the local wall time ``micros`` after midnight of a date.

    An ambiguous wall time (clocks go back) is its first occurrence (fold=0).
    A wall time that does not exist (clocks go forward) is the instant the
    clocks jump, the first instant after the gap. Both keep the map from wall
    time to instant non-decreasing, so shifts never invert and adjacent shifts
    add up.
    """
    naive = datetime.fromordinal(ordinal) + timedelta(microseconds=micros)
    wall = (naive - _EPOCH_NAIVE) // _MICRO
    first = _offset(zone, naive)
    second = _offset(zone, naive.replace(fold=1))
    if first >= second:  # unambiguous, or ambiguous: the first occurrence
        return wall - first
    # In a gap: the jump lies in (wall - second, wall - first]. Find the first
    # instant whose wall time is at or after ``wall`` (rare: once a year).
    low, high = wall - second, wall - first
    while high - low > 1:
        mid = (low + high) // 2
        if mid + _offset_at(zone, mid) >= wall:
            high = mid
        else:
            low = mid
    return high


_NAT = np.iinfo(np.int64).min  # numpy's NaT as int64: a missing time
_MIN, _MAX = np.iinfo(np.int64).min, np.iinfo(np.int64).max
_OPEN_END = _MAX  # csmetrics.core.table.OPEN: a time that has not come


def local_to_utc(walls: I64, zone: ZoneInfo) -> I64:
    """UTC microseconds of local wall times in ``zone``, for a whole column at once.

    ``walls`` are microseconds since 1970-01-01 00:00 *local* time (a naive
    ``datetime64[us]`` viewed as int64); the int64 of NaT stays NaT. The rule
    is the calendar's (decision 24): a wall time means the first instant at
    which the clocks show that time or later. A time that occurs twice (the
    clocks go back) is its first occurrence; a time the clocks skip is the
    instant they jump. The readers of naive timestamps (``assume_timezone=``)
    use it, so a CSV file and a dataframe give the same instants.

    The zone's transitions near the data are found with zoneinfo (a few
    calls per distinct day and a bisection per transition); the rows are
    then mapped with one ``searchsorted``, without a Python call per row.

    Examples
    --------
    >>> berlin = ZoneInfo("Europe/Berlin")
    >>> walls = np.array(["2026-10-25T02:30", "2026-03-29T02:30"], "datetime64[us]")
    >>> local_to_utc(walls.view(np.int64), berlin).view("datetime64[us]")
    array(['2026-10-25T00:30:00.000000', '2026-03-29T01:00:00.000000'],
          dtype='datetime64[us]')
    """
    walls = np.asarray(walls, dtype=np.int64)
    if zone.key in ("UTC", "Etc/UTC"):
        # No transitions: the wall times are the instants (NaT stays NaT).
        same: I64 = walls.copy()
        return same
    out: I64 = walls.copy()
    present = walls != _NAT
    given = walls[present] if not present.all() else walls
    if not len(given):
        return out
    starts, offsets = _regions(zone, given)
    # Region k runs from starts[k] with offsets[k]; its wall times end at
    # starts[k + 1] + offsets[k]. A wall time lies in the first region whose
    # wall times reach past it (the running maximum keeps that a search).
    ends = np.maximum.accumulate(starts[1:] + offsets[:-1])
    if len(ends) <= 32:  # a few transitions: one comparison pass each beats a search
        region = np.zeros(len(given), dtype=np.intp)
        for end in ends:
            region += given >= end
    else:
        region = np.searchsorted(ends, given, side="right")
    out[present] = np.maximum(given - offsets[region], starts[region])
    return out


def _regions(zone: ZoneInfo, walls: I64) -> tuple[I64, I64]:
    """The zone's constant-offset stretches around ``walls``: (start instants, offsets).

    The first stretch starts at the lowest int64. Offsets are sampled at the
    UTC midnights from a day before to two days after each distinct local
    day of the data (an offset is less than a day, so these bracket every
    instant a wall time can stand for), and each change is bisected to the
    microsecond. A change and its reversal within one day would be
    missed; no zone has one.
    """
    days = walls // _DAY
    low = int(days.min())
    if int(days.max()) - low <= 4 * len(days) + 4096:
        seen = np.zeros(int(days.max()) - low + 4, dtype=bool)
        seen[days - low + 1] = True  # one slot of room before
        near = seen.copy()
        near[1:] |= seen[:-1]
        near[2:] |= seen[:-2]
        near[:-1] |= seen[1:]
        samples = (np.flatnonzero(near) + low - 1) * _DAY
    else:
        distinct = np.unique(days)
        samples = np.unique(np.concatenate([distinct + step for step in (-1, 0, 1, 2)])) * _DAY
    samples = np.clip(samples, _LOW, _HIGH)
    offsets = [_offset_at(zone, int(at)) for at in samples]
    starts, found = [np.iinfo(np.int64).min], [offsets[0]]
    for before, after, offset in zip(samples[:-1], samples[1:], offsets[1:], strict=True):
        at = int(before)
        while offset != found[-1]:
            low_at, high_at = at, int(after)  # the offset changes in (low_at, high_at]
            while high_at - low_at > 1:
                mid = (low_at + high_at) // 2
                if _offset_at(zone, mid) == found[-1]:
                    low_at = mid
                else:
                    high_at = mid
            starts.append(high_at)
            found.append(_offset_at(zone, high_at))
            at = high_at
    return np.array(starts, dtype=np.int64), np.array(found, dtype=np.int64)


def _union(opens: I64, closes: I64) -> tuple[I64, I64]:
    """Sorted, disjoint intervals covering the non-empty given ones."""
    keep = closes > opens
    opens, closes = opens[keep], closes[keep]
    order = np.argsort(opens, kind="stable")
    opens, closes = opens[order], closes[order]
    if opens.size == 0:
        return opens, closes
    reach = np.maximum.accumulate(closes)
    # A new interval starts where it opens after everything before has closed.
    new = np.empty(opens.size, dtype=bool)
    new[0] = True
    new[1:] = opens[1:] > reach[:-1]
    starts = np.flatnonzero(new)
    ends = np.append(starts[1:] - 1, opens.size - 1)
    return opens[starts], reach[ends]


@attrs.frozen
class _Timeline:
    """Open intervals in UTC microseconds with the open time before each."""

    opens: I64
    closes: I64
    before: I64

    @classmethod
    def of(cls, opens: I64, closes: I64) -> _Timeline:
        lengths = closes - opens
        before = np.zeros_like(lengths)
        np.cumsum(lengths[:-1], out=before[1:])
        return cls(opens, closes, before)

    def cumulative(self, t: I64) -> I64:
        """B(t): open time in microseconds from the first interval up to ``t``."""
        if self.opens.size == 0:
            return np.zeros_like(t)
        k = np.searchsorted(self.opens, t, side="right") - 1
        np.maximum(k, 0, out=k)  # before the first opening, clip gives 0
        inside: I64 = np.clip(t - self.opens[k], 0, self.closes[k] - self.opens[k])
        return self.before[k] + inside


# --- input checks -------------------------------------------------------------


def _aware_micros(field: str, value: object) -> int:
    if not isinstance(value, datetime):
        bad_record("business_seconds", field, value, "expected a timezone-aware datetime")
    if value.tzinfo is None or value.utcoffset() is None:
        bad_record("business_seconds", field, value, "naive datetime; attach a time zone")
    micros = to_micros(value)
    if not _LOW <= micros <= _HIGH:
        bad_record("business_seconds", field, value, "outside years 0001..9999")
    return micros


def _micros_array(field: str, values: Any) -> I64:
    arr = np.asarray(values)
    if arr.dtype.kind == "M":
        arr = arr.astype("datetime64[us]")
    elif arr.dtype.kind not in "iu" and arr.size:
        bad_record(f"column {field!r}", field, arr.dtype, "expected int64 epoch microseconds")
    return arr.astype(np.int64)


def _seconds(micros: I64) -> F64:
    # int64 -> float64 is exact below 2**53 us (285 years); one rounding, in the division.
    return micros.astype(np.float64) / _US


def _position(index: int, shape: tuple[int, ...]) -> str:
    where = np.unravel_index(index, shape)
    return f"at position {int(where[0]) if len(where) == 1 else tuple(map(int, where))}"


def _check_arrays(start: I64, end: I64) -> None:
    for field, arr in (("start", start), ("end", end)):
        outside = (arr < _LOW) | (arr > _HIGH)
        if outside.any():
            i = int(np.argmax(outside.reshape(-1)))
            bad_record(
                _position(i, arr.shape),
                field,
                int(arr.reshape(-1)[i]),
                "not a time in years 0001..9999 (an open contact has no end yet)",
            )
    backwards = end < start
    if backwards.any():
        i = int(np.argmax(backwards.reshape(-1)))
        bad_record(
            _position(i, end.shape),
            "end",
            from_micros(int(end.reshape(-1)[i])),
            f"before start {from_micros(int(start.reshape(-1)[i]))}",
        )


# --- the calendar -------------------------------------------------------------


@attrs.frozen(kw_only=True)
class BusinessCalendar:
    """When a support team is open: weekly hours in one time zone, holidays, history.

    Business time between two instants is the open time in ``[start, end)``.

    Attributes
    ----------
    timezone
        IANA time zone name (``"Europe/Berlin"``); a `zoneinfo.ZoneInfo` is
        accepted and stored by its name. Opening hours, holidays and change
        dates are local to it.
    hours
        A mapping from weekday (``"mon"`` .. ``"sun"``) to a list of
        ``(open, close)`` pairs, each an ``"HH:MM"`` string or a naive
        `datetime.time`; ``"24:00"`` is allowed as a close. A close earlier
        than the open is an overnight shift ending on the next day. A weekday
        left out is closed (empty hours: never open). Shifts must not overlap,
        also not across midnight or from Sunday into Monday. Stored
        normalised, as a tuple of ``(weekday, ((open, close), ...))`` in
        weekday order with ``"HH:MM"`` strings, so calendars compare equal by
        meaning and are hashable.
    holidays
        Local dates on which no shift opens (`datetime.date` or
        ``"YYYY-MM-DD"``); stored sorted, without repeats.
    changes
        Schedule history: ``(effective, hours)`` pairs. ``effective`` is a
        local date (`datetime.date` or ``"YYYY-MM-DD"``): the change governs
        the shifts opening on that date or later; or a timezone-aware
        `datetime` (or ISO text with an offset): the change is in force from
        that instant, to the microsecond, and the schedule before it up to
        that instant (a shift running across it is cut there). ``hours`` is
        in force before the first change. Stored in the order they take
        effect, instants in UTC; two changes taking effect at the same
        instant are an error.
    convention
        How a duration that spans a schedule change is measured. ``"split"``
        (default): each part under the schedule in force at that moment.
        ``"single"``: the whole duration under the schedule in force at its
        end.

    Notes
    -----
    **Shifts belong to the day they open.** A shift is the span from its
    opening to its closing instant. The schedule in force on the local date a
    shift opens decides it, and a holiday cancels the shifts opening on it.
    So an overnight shift from the evening before a holiday still runs into
    the holiday morning (that night is staffed), while a shift opening on the
    holiday evening is cancelled even though it ends the next day. To close
    at midnight instead, write the night as two shifts, ``"fri":
    [("22:00", "24:00")]`` and ``"sat": [("00:00", "06:00")]``. Where an old
    schedule's overnight shift overlaps a new schedule's first shift, the
    overlap counts once.

    **Daylight saving time.** Local times are converted through zoneinfo and
    UTC, so ``("00:00", "24:00")`` is 23 hours on a spring-forward day and 25
    hours on a fall-back day. One rule covers the odd local times: a local
    time means the first instant at which the clocks show that time or later.
    A time that occurs twice (fall back) is its first occurrence (zoneinfo's
    ``fold=0``): a shift 02:30-04:00 on 2026-10-25 in Europe/Berlin runs from
    02:30 CEST to 04:00 CET, 2.5 hours. A time that does not exist (spring
    forward) is the instant the clocks jump: an opening at 02:30 on
    2026-03-29 in Europe/Berlin opens at 03:00 CEST, and a shift lying wholly
    in the gap is empty. (zoneinfo's own reading of a skipped time, ``fold=0``
    = shift forward by the gap, would turn 02:30-03:00 into a shift that ends
    before it opens.) The rule keeps the map from local time to instant
    non-decreasing, so shifts never run backwards and two adjacent shifts add
    up to the one they split.

    **Conventions.** Under ``"split"`` the business time of ``[start, end)`` is
    ``B(end) - B(start)``, where ``B(t)`` is the open time up to ``t`` under
    the schedule history. Under ``"single"`` it is ``B_s(end) - B_s(start)``
    with ``B_s`` built as if ``s``, the schedule in force on the local date of
    ``end``, had always been in force (holidays still apply). ``"split"`` is additive over any split
    point; ``"single"`` measures a ticket by the promise in force when it was
    closed. Without changes the two agree. Deadlines (`add_business_seconds_array`,
    an SLA target's ``target_at``) are measured by the same convention.

    A calendar open all week (`always`, or hours whose shifts cover the week)
    and without holidays measures exactly calendar time, ``end - start``.

    Examples
    --------
    >>> from datetime import datetime
    >>> from zoneinfo import ZoneInfo
    >>> office = {day: [("09:00", "17:00")] for day in ("mon", "tue", "wed", "thu", "fri")}
    >>> cal = BusinessCalendar(timezone="Europe/Berlin", hours=office)
    >>> berlin = ZoneInfo("Europe/Berlin")
    >>> friday = datetime(2026, 5, 8, 16, 0, tzinfo=berlin)
    >>> monday = datetime(2026, 5, 11, 10, 0, tzinfo=berlin)
    >>> cal.business_seconds(friday, monday) / 3600
    2.0
    """

    timezone: str = attrs.field(converter=_zone_name)
    hours: Hours = attrs.field(converter=_hours)
    holidays: tuple[date, ...] = attrs.field(default=(), converter=_holidays)
    changes: tuple[tuple[Effective, Hours], ...] = attrs.field(default=(), converter=_changes)
    convention: Convention = attrs.field(default="split", validator=_check_convention)
    _weeks: tuple[_Week, ...] = attrs.field(init=False, repr=False, eq=False)
    _instants: I64 = attrs.field(init=False, repr=False, eq=False)
    _days: tuple[int | None, ...] = attrs.field(init=False, repr=False, eq=False)
    _always: bool = attrs.field(init=False, repr=False, eq=False)

    def __attrs_post_init__(self) -> None:
        zone = self.zone
        # Each change's effective instant: local midnight of a date, or the instant.
        keyed = sorted(
            (
                to_micros(when)
                if isinstance(when, datetime)
                else _to_utc(zone, when.toordinal(), 0),
                position,
            )
            for position, (when, _) in enumerate(self.changes)
        )
        for (one, i), (two, j) in pairwise(keyed):
            if one == two:
                first, second = sorted((i, j))
                msg = (
                    f"changes[{second}] takes effect at the same instant as changes[{first}] "
                    f"({from_micros(one)}); give one hours per instant"
                )
                raise ValueError(msg)
        changes = tuple(self.changes[position] for _, position in keyed)
        object.__setattr__(self, "changes", changes)
        weeks = (_compile(self.hours), *(_compile(hours) for _, hours in changes))
        full = all(sum(c - o for day in week for o, c in day) == _WEEK for week in weeks)
        object.__setattr__(self, "_weeks", weeks)
        object.__setattr__(self, "_instants", np.array([at for at, _ in keyed], dtype=np.int64))
        object.__setattr__(
            self,
            "_days",
            tuple(None if isinstance(when, datetime) else when.toordinal() for when, _ in changes),
        )
        object.__setattr__(self, "_always", full and not self.holidays)

    @classmethod
    def always(cls, timezone: str | ZoneInfo = "UTC") -> BusinessCalendar:
        """A calendar open around the clock: business time equals calendar time.

        Parameters
        ----------
        timezone
            The time zone for holidays or changes added later with
            `attrs.evolve`; it does not change the 24/7 business time.

        Examples
        --------
        >>> from datetime import datetime, timezone
        >>> start = datetime(2026, 3, 28, 12, tzinfo=timezone.utc)
        >>> BusinessCalendar.always().business_seconds(start, start.replace(day=30))
        172800.0
        """
        return cls(timezone=timezone, hours={day: [("00:00", "24:00")] for day in WEEKDAYS})

    @property
    def zone(self) -> ZoneInfo:
        """The `zoneinfo.ZoneInfo` of ``timezone``."""
        return ZoneInfo(self.timezone)

    def business_seconds(self, start: datetime, end: datetime, /) -> float:
        """Open time in ``[start, end)``, in seconds.

        Parameters
        ----------
        start, end
            Timezone-aware datetimes, ``end >= start``; any zone (they are
            instants; the calendar's own zone gives the local hours).

        Returns
        -------
        float
            Seconds of open time, exact to the microsecond before the final
            division; ``0.0`` when ``start == end``.

        Raises
        ------
        InvalidDataError
            A naive datetime, or ``end`` before ``start``.

        See Also
        --------
        business_seconds_array : the same for arrays of epoch microseconds.
        open_periods : the open periods this sums.

        Examples
        --------
        >>> from datetime import datetime
        >>> from zoneinfo import ZoneInfo
        >>> night = BusinessCalendar(timezone="Europe/Berlin", hours={"sat": [("22:00", "06:00")]})
        >>> tz = ZoneInfo("Europe/Berlin")
        >>> night.business_seconds(datetime(2026, 5, 9, 21, tzinfo=tz),
        ...                        datetime(2026, 5, 10, 1, tzinfo=tz)) / 3600
        3.0
        """
        start_us = _aware_micros("start", start)
        end_us = _aware_micros("end", end)
        if end_us < start_us:
            bad_record("business_seconds", "end", end, f"before start {start}")
        if self._always:
            return (end_us - start_us) / _US
        return sum(c - o for o, c in self._periods(start_us, end_us)) / _US

    def open_periods(self, start: datetime, end: datetime, /) -> list[tuple[datetime, datetime]]:
        """The open periods inside ``[start, end)`` that `business_seconds` counts.

        Each period is a pair of UTC datetimes, clipped to ``[start, end)``;
        touching shifts are joined. Under ``convention="single"`` they are the
        periods of the schedule in force at ``end``. They are in UTC because
        Python subtracts two datetimes of the same zone by wall clock, which
        is off by the DST change on the days that have one; use
        ``.astimezone(calendar.zone)`` to display them in local time.

        Raises
        ------
        InvalidDataError
            A naive datetime, or ``end`` before ``start``.

        Examples
        --------
        >>> from datetime import datetime
        >>> from zoneinfo import ZoneInfo
        >>> cal = BusinessCalendar(timezone="Europe/Berlin", hours={"sun": [("00:00", "24:00")]})
        >>> tz = ZoneInfo("Europe/Berlin")
        >>> [(opens, closes)] = cal.open_periods(
        ...     datetime(2026, 3, 28, tzinfo=tz), datetime(2026, 3, 31, tzinfo=tz))
        >>> opens.astimezone(tz).isoformat(), closes.astimezone(tz).isoformat()
        ('2026-03-29T00:00:00+01:00', '2026-03-30T00:00:00+02:00')
        >>> (closes - opens).total_seconds() / 3600
        23.0
        """
        start_us = _aware_micros("start", start)
        end_us = _aware_micros("end", end)
        if end_us < start_us:
            bad_record("open_periods", "end", end, f"before start {start}")
        return [(from_micros(o), from_micros(c)) for o, c in self._periods(start_us, end_us)]

    def business_seconds_array(self, start: Any, end: Any, /) -> F64:
        """Open time of many ``[start, end)`` durations at once, in seconds.

        Vectorised: the open intervals of the local days the data spans are
        built once, with a prefix sum ``cum`` of their lengths; then
        ``B(t) = cum[k] + clip(t - open[k], 0, close[k] - open[k])`` with ``k``
        from `numpy.searchsorted`, and the result is ``B(end) - B(start)``.
        The cost is one pass over the days spanned plus ``O(n log days)``.

        Parameters
        ----------
        start, end
            int64 microseconds since the Unix epoch (UTC), as in
            `csmetrics.Interactions`, or ``datetime64`` (read as UTC); equal
            shapes or broadcastable.

        Returns
        -------
        numpy.ndarray
            float64 seconds, the broadcast shape of the inputs.

        Raises
        ------
        InvalidDataError
            An ``end`` before its ``start``, a time outside years 0001..9999
            (such as the ``OPEN`` end of a contact still open) or a
            non-integer array; the message names the first bad position.

        Examples
        --------
        >>> import numpy as np
        >>> cal = BusinessCalendar(timezone="UTC", hours={"mon": [("09:00", "17:00")]})
        >>> monday = 1_778_457_600_000_000  # 2026-05-11 00:00 UTC
        >>> hour = 3_600_000_000
        >>> cal.business_seconds_array(np.array([monday, monday + 10 * hour]),
        ...                            np.array([monday + 12 * hour, monday + 30 * hour]))
        array([10800., 25200.])
        """
        start_us, end_us = np.broadcast_arrays(
            _micros_array("start", start), _micros_array("end", end)
        )
        _check_arrays(start_us, end_us)
        if self._always or start_us.size == 0:
            return _seconds(end_us - start_us)
        if self.convention == "split" or not self.changes:
            timeline = self._timeline(int(start_us.min()), int(end_us.max()), None)
            return _seconds(timeline.cumulative(end_us) - timeline.cumulative(start_us))
        out = np.empty(end_us.shape, dtype=np.float64)
        which = np.searchsorted(self._change_instants(), end_us, side="right")
        for schedule in np.unique(which):
            rows = which == schedule
            first, last = start_us[rows], end_us[rows]
            timeline = self._timeline(int(first.min()), int(last.max()), int(schedule))
            out[rows] = _seconds(timeline.cumulative(last) - timeline.cumulative(first))
        return out

    def add_business_seconds_array(self, start: Any, seconds: Any, /) -> I64:
        """The instant at which ``seconds`` of open time have passed since ``start``.

        The inverse of `business_seconds_array`: the earliest ``t >= start``
        with ``business_seconds(start, t) >= seconds``, which is a deadline
        such as an SLA target's breach time in business hours. Zero seconds
        give ``start`` itself; a calendar open around the clock gives
        ``start + seconds``. The business time is measured as the calendar's
        ``convention`` measures it:

        - ``"split"``: each part under the schedule in force then. The
          business time grows with ``t``, and the deadline is the instant it
          reaches ``seconds``.
        - ``"single"``: the whole of ``[start, t)`` under the schedule in
          force at ``t``. Each schedule governs an era (from its change to
          the next), so the deadline is, in the first era where the schedule
          of that era, counted from ``start`` as if always in force, reaches
          ``seconds`` before the era ends, that instant, or the era's first
          instant if it was reached earlier. At a change the measured time
          jumps (a longer new schedule also counts the hours before the
          change), so the deadline may fall at the change itself, and a
          later, shorter schedule may measure an end after the deadline as
          within ``seconds`` again.

        Parameters
        ----------
        start
            int64 epoch microseconds (UTC) or ``datetime64``.
        seconds
            Non-negative float seconds, rounded to the microsecond.

        Returns
        -------
        numpy.ndarray
            int64 epoch microseconds; `csmetrics.core.table.OPEN` (never)
            where the calendar has no open time left before year 9999.

        Examples
        --------
        >>> cal = BusinessCalendar(timezone="UTC", hours={"mon": [("09:00", "17:00")]})
        >>> monday = 1_778_457_600_000_000  # 2026-05-11 00:00 UTC
        >>> hour = 3_600_000_000
        >>> due = cal.add_business_seconds_array(np.array([monday + 16 * hour]), np.array([7200.0]))
        >>> due.view("datetime64[us]")
        array(['2026-05-18T10:00:00.000000'], dtype='datetime64[us]')
        """
        start_us, amount = np.broadcast_arrays(
            _micros_array("start", start), np.asarray(seconds, dtype=np.float64)
        )
        start_us = start_us.astype(np.int64)
        wanted = np.rint(amount * _US).astype(np.int64)
        if start_us.size and (wanted < 0).any():
            i = int(np.argmax(wanted.reshape(-1) < 0))
            bad_record(_position(i, wanted.shape), "seconds", float(amount.reshape(-1)[i]), "< 0")
        _check_arrays(start_us, start_us)
        if self._always or start_us.size == 0:
            out: I64 = start_us + wanted
            return out
        flat_start, flat_wanted = start_us.reshape(-1), wanted.reshape(-1)
        if self.convention == "split" or not self.changes:
            out = self._deadline(flat_start, flat_wanted, None)
        else:
            out = self._deadline_single(flat_start, flat_wanted)
        return out.reshape(start_us.shape)

    def _deadline_single(self, start_us: I64, wanted: I64) -> I64:
        """`add_business_seconds_array` under ``convention="single"``: era by era."""
        out = np.full(start_us.shape, _OPEN_END, dtype=np.int64)
        todo = np.ones(start_us.shape, dtype=bool)
        eras = len(self._weeks)
        first_era = np.searchsorted(self._instants, start_us, side="right")
        for era in range(eras):
            rows = todo & (first_era <= era)
            if not rows.any():
                continue
            until = int(self._instants[era]) if era < eras - 1 else _OPEN_END
            # A deadline past the era's end is not this era's: search no further.
            due = self._deadline(start_us[rows], wanted[rows], era, min(until, _HIGH))
            since = int(self._instants[era - 1]) if era > 0 else _MIN
            inside = (due < until) | (era == eras - 1)
            index = np.flatnonzero(rows)[inside]
            out[index] = np.maximum(due[inside], since)  # OPEN (never) stays OPEN
            todo[index] = False
        return out

    def _deadline(
        self, start_us: I64, wanted: I64, schedule: int | None, bound: int = _HIGH
    ) -> I64:
        """The instant ``wanted`` microseconds of open time after each start.

        ``schedule`` None follows the history (``"split"``); an index
        measures under that one schedule as if always in force. `OPEN`
        where not reached by ``bound``.
        """
        out = np.where(wanted == 0, start_us, _OPEN_END)
        todo = wanted > 0
        if not todo.any():
            return out
        low = int(start_us.min())
        high = int(start_us.max()) + int(wanted.max()) + _WEEK
        while todo.any():
            timeline = self._timeline(low, min(high, bound), schedule)
            ends = timeline.before + (timeline.closes - timeline.opens)
            goal = timeline.cumulative(start_us[todo]) + wanted[todo]
            k = np.searchsorted(ends, goal, side="left")
            found = k < len(ends)
            if found.any():
                kk = k[found]
                at = timeline.opens[kk] + (goal[found] - timeline.before[kk])
                rows = np.flatnonzero(todo)[found]
                out[rows] = np.maximum(at, start_us[rows])
                todo[rows] = False
            if high >= bound:
                break  # no open time left before the bound (year 9999): never
            high = min(bound, low + 2 * (high - low))
        return out

    # --- building blocks ------------------------------------------------------

    def _local_ordinal(self, micros: int) -> int:
        return from_micros(micros).astimezone(self.zone).toordinal()

    def _change_instants(self) -> I64:
        """UTC microseconds at which each change takes effect (a date: local midnight)."""
        return self._instants

    def _schedule_at(self, micros: int) -> int:
        """Index into ``_weeks`` of the schedule in force at an instant."""
        return int(np.searchsorted(self._instants, micros, side="right"))

    def _timeline(self, low: int, high: int, schedule: int | None) -> _Timeline:
        """Open intervals of every shift that can meet ``[low, high]``.

        ``schedule`` None follows the history; an index builds every day with
        that one schedule. Under the history, schedule ``k`` governs an era:
        from its change to the next one. A date bound selects shifts by the
        local date they open on (decision 23); an instant bound cuts them at
        that instant, and a later change at an instant ends every earlier
        era there, so no shift of an old schedule runs past it. A shift ends
        less than two local days after the midnight of the day it opens, so
        the days from the one before ``low`` (or before an era's first
        instant) to the one of ``high`` are enough.
        """
        zone = self.zone
        holidays = {d.toordinal() for d in self.holidays}
        first_day, last_day = self._local_ordinal(low) - 1, self._local_ordinal(high)
        opens: list[int] = []
        closes: list[int] = []
        eras = range(len(self._weeks)) if schedule is None else (schedule,)
        for index in eras:
            if not any(self._weeks[index]):
                # No shift in the week: no day of this era is open. Walking
                # its days anyway took seconds per call when a deadline is
                # never reached, out to the year 9999.
                continue
            since, until = _MIN, _MAX  # instants that cut this era's shifts
            days_from, days_to = first_day, last_day
            if schedule is None and index > 0:
                day = self._days[index - 1]
                if day is None:
                    since = int(self._instants[index - 1])
                    days_from = max(days_from, self._local_ordinal(since) - 1)
                else:
                    days_from = max(days_from, day)
            if schedule is None and index < len(self._days):
                day = self._days[index]
                if day is None:
                    until = int(self._instants[index])
                    days_to = min(days_to, self._local_ordinal(until))
                else:
                    days_to = min(days_to, day - 1)
                later = [
                    int(at)
                    for at, d in zip(self._instants[index:], self._days[index:], strict=True)
                    if d is None
                ]
                until = min([until, *later])
            for ordinal in range(days_from, days_to + 1):
                if ordinal in holidays:
                    continue
                for o, c in self._weeks[index][(ordinal - 1) % 7]:  # ordinal 1 is a Monday
                    opens.append(max(_to_utc(zone, ordinal, o), since))
                    closes.append(min(_to_utc(zone, ordinal, c), until))
        return _Timeline.of(
            *_union(np.array(opens, dtype=np.int64), np.array(closes, dtype=np.int64))
        )

    def _periods(self, start: int, end: int) -> list[tuple[int, int]]:
        """Open periods clipped to ``[start, end)``, for the scalar path."""
        if start == end:
            return []
        if self._always:
            return [(start, end)]
        schedule = None
        if self.convention == "single" and self.changes:
            schedule = self._schedule_at(end)
        timeline = self._timeline(start, end, schedule)
        return [
            (max(o, start), min(c, end))
            for o, c in zip(timeline.opens.tolist(), timeline.closes.tolist(), strict=True)
            if o < end and c > start
        ]
