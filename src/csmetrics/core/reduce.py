"""Shared vectorised steps: segments, period masks, grouped reductions, warnings.

Every metric reduces per-unit count columns (one row per episode, request or
answer) either to one result or, with ``by=``, to a `Breakdown`; the steps
live here once.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any, TypeVar

import numpy as np
import numpy.typing as npt

from csmetrics.core.check import option, stacklevel
from csmetrics.core.errors import UndefinedMetricWarning
from csmetrics.core.model import PeriodLike, as_window, aware_option
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
    return to_micros(aware_option(name, moment))


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
    """A column's sum: float for float columns (money, seconds), else an exact int."""
    return float(column.sum()) if column.dtype.kind == "f" else int(column.sum())


def reduce_counts(
    factory: Callable[..., R],
    counts: Mapping[str, npt.NDArray[Any]],
    group: Encoded | None,
    by: str | None,
) -> R | Breakdown[R]:
    """Sum per-unit columns overall and, with ``group``, per group key.

    Bool and int columns sum to ints; float columns (money, seconds) to floats.
    """
    overall = factory(**{name: _total(col) for name, col in counts.items()})
    if group is None or by is None:
        return overall
    slot, nslots = _slots(group)
    size = np.bincount(slot, minlength=nslots)
    sums = {
        name: np.bincount(slot, weights=col, minlength=nslots).astype(
            np.float64 if col.dtype.kind == "f" else np.int64
        )
        for name, col in counts.items()
    }
    groups = {
        _slot_key(group, int(s)): factory(**{name: col[s].item() for name, col in sums.items()})
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
    # Values near the float64 limit would overflow their sum (two handle times
    # of 1e308 s have a mean of 1e308, not inf): sum them scaled down by a
    # power of two, which is exact, and scale the moments back.
    scale = 2.0**-64 if n and float(np.abs(kept).max()) > 2.0**960 else 1.0
    if scale != 1.0:
        kept = kept * scale
    mean = float(kept.mean()) / scale if n else math.nan
    m2 = float(((kept - mean * scale) ** 2).sum()) / scale**2 if n else 0.0
    overall = factory(n=n, mean=mean, m2=m2, **{k: int(c.sum()) for k, c in counts.items()})
    if group is None or by is None:
        return overall
    slot, nslots = _slots(group)
    size = np.bincount(slot[measured], minlength=nslots)
    means = np.bincount(slot[measured], weights=kept, minlength=nslots) / np.where(
        size > 0, size, np.nan
    )
    deviations = (kept - means[slot[measured]]) ** 2
    m2s = np.bincount(slot[measured], weights=deviations, minlength=nslots) / scale**2
    means /= scale
    sums = {
        k: np.bincount(slot, weights=c, minlength=nslots).astype(np.int64)
        for k, c in counts.items()
    }
    groups = {
        _slot_key(group, int(s)): factory(
            n=int(size[s]),
            mean=float(means[s]),
            m2=float(m2s[s]),
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
