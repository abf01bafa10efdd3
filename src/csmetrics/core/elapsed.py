"""Shared steps of the time metrics: as_of, scope, elapsed time, thresholds."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

import numpy as np
import numpy.typing as npt

from csmetrics.core.calendar import BusinessCalendar
from csmetrics.core.check import bad_record, finite, shown
from csmetrics.core.reduce import micros
from csmetrics.core.table import OPEN, Encoded, Interactions, _row_name, from_micros

I64 = npt.NDArray[np.int64]
F64 = npt.NDArray[np.float64]
Bool = npt.NDArray[np.bool_]

_MICROS = 1_000_000
Threshold = float | timedelta | Mapping[Any, "float | timedelta"]
"""Seconds, a timedelta, or a mapping from channel to either."""
ThresholdParam = float | tuple[tuple[Any, float], ...]


LATEST_EVENT = "latest_event"
"""The key of `latest_event` on a table's memo; a kernel that finds it in its own pass sets it."""


def latest_event(table: Interactions) -> int | None:
    """The latest recorded timestamp: start, end, first response or message.

    Kept on the table's memo: every metric without an explicit ``as_of``
    needs it, and a table does not change.
    """
    if not len(table):
        return None
    if LATEST_EVENT in table.memo:
        cached: int = table.memo[LATEST_EVENT]
        return cached
    candidates = [int(table.start.max())]
    for column in (table.end, table.first_response):
        # The latest time recorded, OPEN left out, without copying the column.
        latest = int(column.max(where=column != OPEN, initial=np.iinfo(np.int64).min))
        if latest != np.iinfo(np.int64).min:
            candidates.append(latest)
    if len(table.messages):
        candidates.append(int(table.messages.at.max()))
    table.memo[LATEST_EVENT] = latest = max(candidates)
    return latest


def resolve_as_of(
    table: Interactions, as_of: datetime | None, *, by_start: bool = False
) -> tuple[Interactions, int, datetime | None]:
    """Apply ``as_of``: drop contacts starting after it; default the latest event.

    With ``by_start`` the default is the latest contact start instead (FCR and
    reopen windows: exports are cut by start, and one long contact's end must
    not move it). Returns the contacts in scope, as_of in microseconds and as a
    datetime (None for empty data).
    """
    if as_of is not None:
        cutoff = micros("as_of", as_of)
        if len(table) and int(table.start.max()) > cutoff:
            table = table.view(table.start <= cutoff)
        return table, cutoff, as_of
    latest = (int(table.start.max()) if len(table) else None) if by_start else latest_event(table)
    if latest is None:
        return table, 0, None
    return table, latest, from_micros(latest)


def spread(
    whole: Interactions, table: Interactions, cutoff: int, values: npt.NDArray[Any], *, fill: Any
) -> npt.NDArray[Any]:
    """Per-contact ``values`` of `resolve_as_of`'s ``table``, aligned to the rows of ``whole``.

    The contacts `resolve_as_of` left out (starting after ``as_of``) get
    ``fill``: a per-record classification (`csmetrics.explain`) lists every
    row of the input, the ones no metric counted included.
    """
    if len(table) == len(whole):
        return values
    out = np.full(len(whole), fill, dtype=values.dtype)
    out[whole.start <= cutoff] = values
    return out


def check_calendar(calendar: object) -> None:
    """Raise TypeError naming the option unless ``calendar`` is a `BusinessCalendar` or None."""
    if calendar is not None and not isinstance(calendar, BusinessCalendar):
        msg = f"calendar={calendar!r} is not allowed; use a csmetrics.BusinessCalendar or None"
        raise TypeError(msg)


def elapsed(start: I64, end: I64, calendar: BusinessCalendar | None) -> F64:
    """Seconds from ``start`` to ``end`` (epoch microseconds), in business time if given."""
    check_calendar(calendar)
    if calendar is None:
        return seconds_of_micros(end - start)
    return calendar.business_seconds_array(start, end)


def elapsed_in_place(start: I64, stop: I64, calendar: BusinessCalendar | None) -> F64:
    """`elapsed` from ``start`` to ``max(stop, start)``; ``stop`` is overwritten.

    A stop before the start (a clock started after ``as_of``) observes
    nothing: zero seconds. Without a calendar no full-size temporary is made
    besides the seconds returned.
    """
    check_calendar(calendar)
    np.maximum(stop, start, out=stop)
    if calendar is not None:
        return calendar.business_seconds_array(start, stop)
    stop -= start
    return seconds_of_micros(stop)


def seconds_of_micros(micros: I64) -> F64:
    """Float seconds of int64 microsecond spans (each correctly rounded)."""
    return micros / _MICROS


def elapsed_into(
    out: F64, start: I64, end: I64, where: Bool, calendar: BusinessCalendar | None
) -> None:
    """Write `elapsed` into ``out`` where ``where`` is True, leaving other rows alone.

    Without a calendar the rows are not gathered first: no copies of the columns.
    """
    check_calendar(calendar)
    if calendar is None:
        # The int64 difference is cast into ``out``; numpy reads the rows left
        # alone (nan) through the int64 buffer too, hence "invalid" is ignored.
        with np.errstate(invalid="ignore"):
            np.subtract(end, start, out=out, where=where)
        np.divide(out, _MICROS, out=out, where=where)
    else:
        out[where] = calendar.business_seconds_array(start[where], end[where])


def seconds(name: str, value: object, *, allow_zero: bool = False) -> float:
    """A duration option given as seconds (Python or numpy) or a timedelta, as float seconds."""
    given: Any = value.total_seconds() if isinstance(value, timedelta) else value
    if finite(given) is None or given < 0 or (given == 0 and not allow_zero):
        limit = ">= 0" if allow_zero else "> 0"
        msg = f"{name}={shown(given)!r} is not allowed; use seconds {limit} or a timedelta"
        raise ValueError(msg)
    return float(given)


def threshold_limits(
    name: str, value: Threshold, channel: Encoded
) -> tuple[float | F64, ThresholdParam]:
    """The threshold in seconds, or one per channel code (nan: none given), and its record form.

    Per channel: one limit per code of ``channel.keys`` and last the limit of
    contacts without a channel (key None), so that ``limits[codes]`` is each
    contact's limit. Options are checked as in `thresholds`; which contacts
    lack a threshold is for the caller to check.
    """
    if not isinstance(value, Mapping):
        limit = seconds(name, value)
        return limit, limit
    per_key = {key: seconds(f"{name}[{key!r}]", v) for key, v in value.items()}
    by_code = np.array(
        [per_key.get(channel.key(code), np.nan) for code in range(len(channel.keys))]
        + [per_key.get(None, np.nan)],
        dtype=np.float64,
    )
    param = tuple(sorted(per_key.items(), key=lambda kv: (kv[0] is None, str(kv[0]))))
    return by_code, param


def thresholds(
    name: str, value: Threshold, channel: Encoded, ids: Encoded
) -> tuple[F64, ThresholdParam]:
    """Per-contact threshold seconds, and the hashable form to record on results.

    A mapping gives one threshold per channel (key None: contacts without a
    channel); a contact whose channel is not in the mapping is an error.
    """
    if not isinstance(value, Mapping):
        limit = seconds(name, value)
        return np.full(len(channel.codes), limit), limit
    per_key = {key: seconds(f"{name}[{key!r}]", v) for key, v in value.items()}
    by_code = np.array(
        [per_key.get(channel.key(code), np.nan) for code in range(len(channel.keys))]
        + [per_key.get(None, np.nan)]
    )
    out = by_code[np.where(channel.codes < 0, len(channel.keys), channel.codes)]
    if np.isnan(out).any():
        row = int(np.flatnonzero(np.isnan(out))[0])
        code = int(channel.codes[row])
        bad_record(_row_name(ids, row), "channel", channel.key(code), f"no {name} given for it")
    param = tuple(sorted(per_key.items(), key=lambda kv: (kv[0] is None, str(kv[0]))))
    return out, param
