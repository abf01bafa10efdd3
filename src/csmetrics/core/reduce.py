"""Shared vectorised steps: segments, period masks, grouped reductions, warnings.

Every metric reduces per-unit count columns (one row per episode, request or
answer) either to one result or, with ``by=``, to a `Breakdown`; the steps
live here once.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Mapping
from datetime import datetime
from fractions import Fraction
from typing import Any, TypeVar

import numpy as np
import numpy.typing as npt

from csmetrics.core.check import option, stacklevel
from csmetrics.core.errors import UndefinedMetricWarning
from csmetrics.core.exact import (
    exact_sum,
    exact_sum_of_squares,
    grouped_exact_sums,
    grouped_exact_sums_of_squares,
    rounded,
)
from csmetrics.core.model import PeriodLike, as_window
from csmetrics.core.results import Breakdown, Durations, Mean, Result
from csmetrics.core.table import Codes, Encoded, to_micros

I64 = npt.NDArray[np.int64]
F64 = npt.NDArray[np.float64]
Bool = npt.NDArray[np.bool_]
R = TypeVar("R", bound=Result)
M = TypeVar("M", bound=Mean)


def segment_starts(keys: Codes) -> Bool:
    """True at the first row of each run of equal keys (keys sorted)."""
    starts = np.ones(len(keys), dtype=bool)
    np.not_equal(keys[1:], keys[:-1], out=starts[1:])
    return starts


def segment_cummax(values: I64, starts: Bool) -> I64:
    """Running maximum restarting at every segment start (Hillis-Steele scan).

    Takes ceil(log2(longest segment)) vectorised passes. Computed in place:
    ``values`` is overwritten and returned (pass a copy to keep it).
    """
    out = values
    first = np.flatnonzero(starts)
    position = np.arange(len(values))
    position -= np.repeat(first, np.diff(np.r_[first, len(values)]))
    shift = 1
    longest = int(position.max(initial=0)) + 1
    while shift < longest:
        reach = position[shift:] >= shift
        candidate = np.where(reach, out[:-shift], out[shift:])
        np.maximum(out[shift:], candidate, out=out[shift:])
        shift *= 2
    return out


def micros(name: str, moment: datetime) -> int:
    """A timezone-aware datetime option as epoch microseconds."""
    if not isinstance(moment, datetime) or moment.utcoffset() is None:
        msg = f"{name}={moment!r} is not allowed; use a timezone-aware datetime"
        raise ValueError(msg)
    return to_micros(moment)


def in_period(times: I64, period: PeriodLike | None) -> Bool:
    """Rows whose time lies in ``[period.start, period.end)``; all rows if None."""
    period = as_window("period", period, optional=True)
    if period is None:
        return np.ones(len(times), dtype=bool)
    return (times >= to_micros(period.start)) & (times < to_micros(period.end))


def _slots(group: Encoded) -> tuple[I64, int]:
    # Codes are sorted key order; the missing key (-1) goes to the last slot.
    nkeys = len(group.keys)
    return np.where(group.codes < 0, np.int64(nkeys), group.codes), nkeys + 1


def _slot_key(group: Encoded, slot: int) -> Any:
    return group.key(slot if slot < len(group.keys) else -1)


def split_by_group(values: npt.NDArray[Any], group: Encoded) -> dict[Any, npt.NDArray[Any]]:
    """``values`` split by group key (one stable sort), in key order, missing key last."""
    slot, nslots = _slots(group)
    order = np.argsort(slot, kind="stable")
    bounds = np.searchsorted(slot[order], np.arange(nslots + 1))
    return {
        _slot_key(group, s): values[order[bounds[s] : bounds[s + 1]]]
        for s in range(nslots)
        if bounds[s + 1] > bounds[s]
    }


def _total(column: npt.NDArray[Any]) -> int | float:
    """A column's sum: an exact int, or for float columns (money, seconds) the exact sum rounded."""
    return rounded(exact_sum(column)) if column.dtype.kind == "f" else int(column.sum())


def _grouped_float_sums(column: F64, slot: I64, nslots: int) -> list[float]:
    return [rounded(t) for t in grouped_exact_sums(column, slot, nslots)]


def reduce_counts(
    factory: Callable[..., R],
    counts: Mapping[str, npt.NDArray[Any]],
    group: Encoded | None,
    by: str | None,
    *,
    exact: Mapping[str, tuple[F64, I64]] | None = None,
) -> R | Breakdown[R]:
    """Sum per-unit columns overall and, with ``group``, per group key.

    Bool and int columns sum to ints; float columns (money, seconds) to their
    exact sums rounded once (`csmetrics.core.exact`), the same bits for any
    row order. ``exact`` gives float counts item by item, ``name: (values,
    unit)`` with the unit (row of ``counts``) each value belongs to, -1 for
    none: each is passed to ``factory`` rounded once, and all of their exact
    sums as ``exact_counts=`` (`Result._exact`), so that merges of the
    results stay exact whatever the order of the items.
    """
    exact = exact or {}

    def build(values: Mapping[str, Any], totals: Mapping[str, Fraction]) -> R:
        if not exact:
            return factory(**values)
        rounded_totals = {name: rounded(t) for name, t in totals.items()}
        return factory(**values, **rounded_totals, exact_counts=tuple(totals.values()))

    items = {name: (v[unit >= 0], unit[unit >= 0]) for name, (v, unit) in exact.items()}
    overall = build(
        {name: _total(col) for name, col in counts.items()},
        {name: exact_sum(v) for name, (v, _) in items.items()},
    )
    if group is None or by is None:
        return overall
    slot, nslots = _slots(group)
    size = np.bincount(slot, minlength=nslots)
    sums: dict[str, list[Any]] = {
        name: _grouped_float_sums(col, slot, nslots)
        if col.dtype.kind == "f"
        else np.bincount(slot, weights=col, minlength=nslots).astype(np.int64).tolist()
        for name, col in counts.items()
    }
    exact_sums = {
        name: grouped_exact_sums(v, slot[unit], nslots) for name, (v, unit) in items.items()
    }
    groups = {
        _slot_key(group, int(s)): build(
            {name: col[s] for name, col in sums.items()},
            {name: col[s] for name, col in exact_sums.items()},
        )
        for s in np.flatnonzero(size)
    }
    return Breakdown(by=by, overall=overall, groups=groups)


def reduce_mean(
    factory: Callable[..., M],
    values: F64,
    group: Encoded | None,
    by: str | None,
    *,
    measured: Bool | None = None,
    counts: Mapping[str, npt.NDArray[Any]] | None = None,
) -> M | Breakdown[M]:
    """Mean and squared deviations overall and, with ``group``, per group key.

    ``measured`` (default: every row) selects the rows whose values enter the
    mean; ``counts`` are further per-row columns summed over all rows, passed
    to ``factory`` by name. A group whose rows are all unmeasured gets n = 0.
    """
    measured = np.ones(len(values), dtype=bool) if measured is None else measured
    counts = counts or {}
    kept = values[measured]
    n = len(kept)
    # Exact sums (csmetrics.core.exact): the moments are the same bits for any
    # row order and any split into parts, and values near the float64 limit
    # do not overflow (two handle times of 1e308 s have a mean of 1e308).
    overall = factory(
        **Mean.moment_fields(n, exact_sum(kept), exact_sum_of_squares(kept)),
        **{k: int(c.sum()) for k, c in counts.items()},
    )
    if group is None or by is None:
        return overall
    slot, nslots = _slots(group)
    size = np.bincount(slot[measured], minlength=nslots)
    totals = grouped_exact_sums(kept, slot[measured], nslots)
    squares = grouped_exact_sums_of_squares(kept, slot[measured], nslots)
    sums = {
        k: np.bincount(slot, weights=c, minlength=nslots).astype(np.int64)
        for k, c in counts.items()
    }
    groups = {
        _slot_key(group, int(s)): factory(
            **Mean.moment_fields(int(size[s]), totals[s], squares[s]),
            **{k: int(c[s]) for k, c in sums.items()},
        )
        for s in np.flatnonzero(np.bincount(slot, minlength=nslots))
    }
    return Breakdown(by=by, overall=overall, groups=groups)


def group_of(table: Any, by: str | None, allowed: tuple[str, ...]) -> Encoded | None:
    """The key column named by ``by=`` (validated), or None."""
    if by is None:
        return None
    option("by", by, allowed)
    column: Encoded = getattr(table, by)
    return column


def warn_if_undefined(result: Result | Breakdown[Any], metric: str, why: str) -> None:
    """Emit one UndefinedMetricWarning when the result or any group is nan."""
    silence = "silence with warnings.simplefilter('ignore', csmetrics.UndefinedMetricWarning)"
    overall = result.overall if isinstance(result, Breakdown) else result
    if not overall.is_defined:
        warnings.warn(
            f"{metric} is undefined: {why}; the value is nan ({silence})",
            UndefinedMetricWarning,
            stacklevel=stacklevel(3),
        )
    elif isinstance(result, Breakdown):
        empty = [key for key, r in result.items() if not r.is_defined]
        if empty:
            warnings.warn(
                f"{metric} is undefined for {len(empty)} of {len(result)} groups by "
                f"{result.by} ({why}): {empty[:5]}; their value is nan ({silence})",
                UndefinedMetricWarning,
                stacklevel=stacklevel(3),
            )


D = TypeVar("D", bound=Durations)


def reduce_durations(
    factory: Callable[..., D],
    durations: F64,
    censored_mask: Bool,
    group: Encoded | None,
    by: str | None,
    *,
    excluded: Bool | None = None,
) -> D | Breakdown[D]:
    """Durations overall and, with ``group``, per group key.

    ``durations`` holds one number of seconds per unit: the duration of
    completed work, the censoring time (``as_of - start``) of open work, which
    ``censored_mask`` marks. ``factory`` builds the result from
    ``durations=`` (completed) and ``censoring_times=``. Units marked in
    ``excluded`` are left out on purpose and only counted (``excluded=``).
    """
    values = np.asarray(durations, dtype=np.float64)
    censored = np.asarray(censored_mask, dtype=bool)
    if excluded is not None:
        censored = censored & ~excluded

    def build(runs: list[F64]) -> D:
        extra = {} if excluded is None else {"excluded": len(runs[2])}
        return factory(durations=runs[0], censoring_times=runs[1], **extra)

    completed = ~censored if excluded is None else ~censored & ~excluded
    left_out = np.zeros(0) if excluded is None else values[excluded]
    overall = build([values[completed], values[censored], left_out])
    if group is None or by is None:
        return overall
    # Status per unit: 0 completed, 1 censored, 2 excluded.
    status = censored.astype(np.int64)
    if excluded is not None:
        status[excluded] = 2
    slot, nslots = _slots(group)
    # One stable sort by (group, status): run 3s + k holds group s's units of
    # status k; the result sorts each run.
    key = slot * 3 + status
    order = np.argsort(key, kind="stable")
    ordered = values[order]
    bounds = np.searchsorted(key[order], np.arange(3 * nslots + 1), side="left")
    groups = {
        _slot_key(group, int(s)): build(
            [ordered[bounds[3 * s + k] : bounds[3 * s + k + 1]] for k in range(3)]
        )
        for s in np.flatnonzero(bounds[3::3] > bounds[:-1:3])
    }
    return Breakdown(by=by, overall=overall, groups=groups)
