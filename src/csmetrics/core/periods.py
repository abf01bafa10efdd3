"""Calendar periods: hours, days, ISO weeks, months, quarters and years in a time zone.

`buckets` assigns epoch-microsecond timestamps to consecutive calendar periods
whose boundaries are local to an IANA time zone, so a "day" is a local day
(23 or 25 hours long on the days the clocks change) and a "month" starts at
local midnight on the 1st. Every period between the first and the last is
present, also those without a timestamp, so a series of periods has no gaps.

The boundaries are computed once, with one zoneinfo conversion per period,
and each timestamp is placed with one ``numpy.searchsorted``. Periods are not
a metric: they have no direction and no unit beyond their time bounds.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any, Literal
from zoneinfo import ZoneInfo

import attrs
import numpy as np
import numpy.typing as npt

from csmetrics.core.calendar import _to_utc, _zone_name
from csmetrics.core.check import bad_record, option
from csmetrics.core.model import Window
from csmetrics.core.reduce import micros
from csmetrics.core.table import from_micros, to_micros

__all__ = ["EVERY", "Buckets", "Every", "buckets"]

I64 = npt.NDArray[np.int64]

Every = Literal["hour", "day", "week", "month", "quarter", "year"]
"""The length of a calendar period."""
EVERY: tuple[Every, ...] = ("hour", "day", "week", "month", "quarter", "year")
"""The allowed values of ``every``, shortest first."""

_US = 1_000_000
_HOUR = 3600 * _US
_MICRO = timedelta(microseconds=1)
_EPOCH_NAIVE = datetime(1970, 1, 1)
# A period and a day of local time on either side must stay inside datetime's
# years 1..9999.
_LOW = to_micros(datetime.fromisoformat("0002-01-01T00:00:00+00:00"))
_HIGH = to_micros(datetime.fromisoformat("9998-12-31T00:00:00+00:00"))


def start_label(window: Window, zone: ZoneInfo) -> str:
    """A period's local start, ``2026-03-02`` (or ``2026-03-02 14:00`` off midnight)."""
    return window.start.astimezone(zone).strftime("%Y-%m-%d %H:%M").removesuffix(" 00:00")


def _floor(day: date, every: Every) -> date:
    """The first local date of the period containing ``day`` (not for hours)."""
    if every == "week":
        return day - timedelta(days=day.weekday())  # ISO weeks start on Monday
    if every == "month":
        return day.replace(day=1)
    if every == "quarter":
        return date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)
    if every == "year":
        return date(day.year, 1, 1)
    return day


def _next(day: date, every: Every) -> date:
    """The first local date of the period after the one starting on ``day``."""
    if every == "day":
        return day + timedelta(days=1)
    if every == "week":
        return day + timedelta(days=7)
    months = {"month": 1, "quarter": 3, "year": 12}[every]
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def _local_date(zone: ZoneInfo, moment: int) -> date:
    return from_micros(moment).astimezone(zone).date()


def _hour_edges(zone: ZoneInfo, first: date, last: date) -> list[int]:
    """Every instant in the local days ``first..last`` at which the clock shows HH:00.

    A wall time can occur twice (clocks go back: both are boundaries, so that
    day has 25 hourly periods) or never (clocks go forward: the hour is
    skipped, 23 periods). Each candidate offset of a wall time is kept only
    when the instant it gives really shows that wall time.
    """
    edges = []
    for ordinal in range(first.toordinal(), last.toordinal() + 1):
        midnight = datetime.fromordinal(ordinal)
        for hour in range(24):
            wall = midnight + timedelta(hours=hour)
            wall_us = (wall - _EPOCH_NAIVE) // _MICRO
            for fold in (0, 1):
                offset = zone.utcoffset(wall.replace(fold=fold))
                assert offset is not None  # a ZoneInfo always has an offset
                instant = wall_us - offset // _MICRO
                shown = from_micros(instant).astimezone(zone).replace(tzinfo=None)
                if shown == wall:
                    edges.append(instant)
    return edges


def _edges(zone: ZoneInfo, every: Every, low: int, high: int) -> I64:
    """Sorted period boundaries with one at or before ``low`` and one after ``high``."""
    first = _local_date(zone, low) - timedelta(days=1)
    last = _local_date(zone, high) + timedelta(days=1)
    if every == "hour":
        found = _hour_edges(zone, first, last)
    else:
        found = []
        day = _floor(first, every)
        while day <= last:
            # Local midnight; a midnight the clocks skip is the first instant
            # of the day (see BusinessCalendar), so periods never overlap.
            found.append(_to_utc(zone, day.toordinal(), 0))
            day = _next(day, every)
        found.append(_to_utc(zone, day.toordinal(), 0))
    # A local day the clocks skip entirely (Pacific/Apia, 2011-12-30) gives
    # the same instant as the next day: that day has no period.
    return np.unique(np.array(found, dtype=np.int64))


def _timestamps(values: Any) -> I64:
    arr = np.asarray(values)
    if arr.dtype.kind == "M":
        arr = arr.astype("datetime64[us]").astype(np.int64)
    elif arr.dtype.kind not in "iu" and arr.size:
        bad_record("column 'times_us'", "times_us", arr.dtype, "expected int64 epoch microseconds")
    out: I64 = arr.astype(np.int64).reshape(-1)
    outside = (out < _LOW) | (out > _HIGH)
    if outside.any():
        row = int(np.argmax(outside))
        bad_record(f"at position {row}", "times_us", int(out[row]), "outside years 0002..9998")
    return out


def _bound(name: str, value: datetime) -> int:
    moment = micros(name, value)
    if not _LOW <= moment <= _HIGH:
        msg = f"{name}={value!r} is not allowed; use a datetime in years 0002..9998"
        raise ValueError(msg)
    return moment


@attrs.frozen(kw_only=True, eq=False, repr=False)
class Buckets:
    """Timestamps assigned to consecutive calendar periods.

    Returned by `buckets`.

    Attributes
    ----------
    index
        int64, one per timestamp: the position of its period in ``windows``,
        or -1 when it lies outside ``[edges[0], edges[-1])``.
    edges
        int64 epoch microseconds (UTC) of the period boundaries, ascending;
        period ``i`` is ``[edges[i], edges[i + 1])``. One more than the
        number of periods (empty when there is no period).
    windows
        The periods as `Window` objects with UTC bounds, in order, empty ones
        included. ``window.end - window.start`` is the period's real length
        (23 hours for a spring-forward day); ``window.start.astimezone(zone)``
        shows it in local time.
    every
        The period length.
    timezone
        The IANA time zone of the local boundaries.
    """

    index: I64
    edges: I64
    windows: tuple[Window, ...]
    every: Every
    timezone: str

    def __len__(self) -> int:
        return len(self.windows)

    def __repr__(self) -> str:
        span = ""
        if self.windows:
            span = f", from {self.local_starts()[0].isoformat()} to {self.local_end().isoformat()}"
        return (
            f"Buckets({len(self)} {self.every} periods in {self.timezone}{span}, "
            f"{len(self.index)} timestamps)"
        )

    @property
    def zone(self) -> ZoneInfo:
        """The `zoneinfo.ZoneInfo` of ``timezone``."""
        return ZoneInfo(self.timezone)

    def counts(self) -> I64:
        """Timestamps per period (zeros included); those outside every period are left out."""
        inside = self.index[self.index >= 0]
        counted: I64 = np.bincount(inside, minlength=len(self)).astype(np.int64)
        return counted

    def local_starts(self) -> list[datetime]:
        """Each period's start as an aware datetime in ``timezone``, for display."""
        zone = self.zone
        return [w.start.astimezone(zone) for w in self.windows]

    def local_end(self) -> datetime:
        """The end of the last period in ``timezone``; ValueError without periods."""
        if not self.windows:
            msg = "there is no period, so no end"
            raise ValueError(msg)
        return self.windows[-1].end.astimezone(self.zone)


def buckets(
    times_us: Any,
    /,
    *,
    every: Every,
    timezone: str | ZoneInfo = "UTC",
    start: datetime | None = None,
    end: datetime | None = None,
) -> Buckets:
    """Assign timestamps to consecutive calendar periods local to a time zone.

    Period ``i`` is ``[edges[i], edges[i + 1])`` and a timestamp ``t`` belongs
    to the period with ``edges[i] <= t < edges[i + 1]``. The boundaries are
    local: midnight (or the hour) on the clock of ``timezone``, converted to
    UTC through zoneinfo.

    Parameters
    ----------
    times_us
        int64 epoch microseconds (UTC), as in `Interactions.start`, or a
        numpy datetime64 array (read as UTC).
    every
        The period length:

        - ``"hour"``: every instant the local clock shows a whole hour. The
          hour the clocks skip has no period; the hour they repeat has two.
        - ``"day"``: local midnight to local midnight (23 or 25 hours on the
          days the clocks change).
        - ``"week"``: ISO weeks, Monday 00:00 to the next Monday 00:00.
        - ``"month"``, ``"quarter"`` (January, April, July, October) and
          ``"year"``: from local midnight on the first day.
    timezone
        IANA time zone name (``"Europe/Berlin"``) or a `zoneinfo.ZoneInfo`.
    start, end
        Timezone-aware bounds of the range to cover. Default: from the start
        of the period holding the earliest timestamp to the end of the period
        holding the latest. A given bound clips its period: the first period
        starts at ``start`` and the last ends at ``end``, so the windows
        cover exactly ``[start, end)``. Timestamps outside get index -1.

    Returns
    -------
    Buckets
        ``index`` (the period of each timestamp, -1 outside), ``edges``,
        ``windows`` (every period in order, empty ones included), ``every``
        and ``timezone``.

    Raises
    ------
    ValueError
        ``every`` or ``timezone`` is not allowed, a bound is naive, or ``end``
        is not after ``start``.
    InvalidDataError
        A timestamp that is not an integer, or outside years 0002..9998.

    Notes
    -----
    A local midnight the clocks skip (zones that change at 00:00) is the
    first instant of that day; a midnight that occurs twice is its first
    occurrence. A local day the clocks skip entirely has no period. With no
    timestamps and no bounds there is no period.

    See Also
    --------
    csmetrics.metrics.workload.volume : contacts per period.
    csmetrics.analysis.trend.trend : a metric per period.

    Examples
    --------
    On 29 March 2026 Berlin moves its clocks from 02:00 to 03:00, so that
    local day is 23 hours long:

    >>> from datetime import datetime, timezone
    >>> import numpy as np
    >>> from csmetrics.core.table import to_micros
    >>> times = [datetime(2026, 3, 28, 23, 30, tzinfo=timezone.utc),  # 29 Mar, 01:30 CET
    ...          datetime(2026, 3, 29, 21, 59, tzinfo=timezone.utc),  # 29 Mar, 23:59 CEST
    ...          datetime(2026, 3, 31, 8, tzinfo=timezone.utc)]
    >>> b = buckets(np.array([to_micros(t) for t in times]), every="day",
    ...             timezone="Europe/Berlin")
    >>> b.index.tolist(), b.counts().tolist()
    ([0, 0, 2], [2, 0, 1])
    >>> [(w.end - w.start).total_seconds() / 3600 for w in b.windows]
    [23.0, 24.0, 24.0]
    >>> b.windows[0].start.isoformat()
    '2026-03-28T23:00:00+00:00'
    """
    option("every", every, EVERY)
    zone = ZoneInfo(_zone_name(timezone))
    times = _timestamps(times_us)
    low = _bound("start", start) if start is not None else None
    high = _bound("end", end) if end is not None else None
    if low is not None and high is not None and high <= low:
        msg = f"end={end!r} is not allowed; it must be after start={start!r}"
        raise ValueError(msg)
    if (low is None or high is None) and not len(times):
        missing = "start" if low is None else "end"
        if low is None and high is None:
            edges: I64 = np.empty(0, dtype=np.int64)
            return _build(times, edges, every, zone)
        msg = f"{missing}=None is not allowed without timestamps; give both start and end"
        raise ValueError(msg)
    # ``high`` is exclusive; the last instant to cover is one microsecond before it.
    if low is not None:
        first = low
        last = high - 1 if high is not None else max(int(times.max()), low)
    else:
        last = high - 1 if high is not None else int(times.max())
        first = min(int(times.min()), last)
    found = _edges(zone, every, first, last)
    lo = int(np.searchsorted(found, first, side="right")) - 1
    hi = int(np.searchsorted(found, last, side="right"))
    edges = found[lo : hi + 1].copy()
    if low is not None:
        edges[0] = low
    if high is not None:
        edges[-1] = high
    return _build(times, edges, every, zone)


def _build(times: I64, edges: I64, every: Every, zone: ZoneInfo) -> Buckets:
    index = np.searchsorted(edges, times, side="right").astype(np.int64) - 1
    index[(index < 0) | (index >= len(edges) - 1)] = -1
    windows = tuple(
        Window(start=from_micros(int(a)), end=from_micros(int(b)))
        for a, b in zip(edges[:-1].tolist(), edges[1:].tolist(), strict=True)
    )
    edges.flags.writeable = False
    index.flags.writeable = False
    return Buckets(index=index, edges=edges, windows=windows, every=every, timezone=zone.key)
