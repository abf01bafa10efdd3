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
from functools import partial
from typing import Any, TypeVar

import numpy as np
import numpy.typing as npt

from csmetrics.core.check import option, stacklevel
from csmetrics.core.errors import UndefinedMetricWarning
from csmetrics.core.exact import (
    ZERO,
    exact_sum,
    exact_sum_and_squares,
    grouped_exact_sums,
    grouped_exact_sums_and_squares,
    rounded,
)
from csmetrics.core.model import PeriodLike, as_window, aware_option
from csmetrics.core.parallel import chunk_rows, map_chunks, shared_chunk
from csmetrics.core.results import (
    Breakdown,
    Durations,
    Mean,
    Result,
    merge_runs,
    no_durations,
    sorted_runs,
)
from csmetrics.core.table import Codes, Encoded, to_micros

I64 = npt.NDArray[np.int64]
F64 = npt.NDArray[np.float64]
Bool = npt.NDArray[np.bool_]
IntP = npt.NDArray[np.intp]
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
    """A column's sum: an exact int, or for float columns (money, seconds) the exact sum rounded."""
    if column.dtype == np.bool_:
        return int(np.count_nonzero(column))
    return rounded(exact_sum(column)) if column.dtype.kind == "f" else int(column.sum())


def _grouped_float_sums(column: F64, slot: I64, nslots: int) -> list[float]:
    return [rounded(t) for t in grouped_exact_sums(column, slot, nslots)]


_FLAG_BITS = 12
"""Flag columns counted together by one `numpy.bincount` of their packed bits."""
_FLAG_MIN_CELLS = 1 << 16
"""The grid of packed codes may always have this many cells, however few the rows."""


def _grouped_flag_counts(flags: list[Bool], slot: I64, nslots: int) -> list[list[int]]:
    """How many rows of each slot are True, per flag column.

    Up to `_FLAG_BITS` flags at a time are packed into the low bits of one
    code per row, ``slot * 2**bits + pattern``, and counted by one
    `numpy.bincount`; each flag's count per slot is then the sum over the
    patterns with its bit set. The grid of codes is kept no larger than the
    rows (at least 65,536 cells): with very many slots, each flag's True rows
    are counted on their own.
    """
    room = max(len(slot), _FLAG_MIN_CELLS) // max(nslots, 1)
    width = min(_FLAG_BITS, room.bit_length() - 1)
    if width < 2:  # packing a single flag saves nothing
        return [np.bincount(slot[flag], minlength=nslots).tolist() for flag in flags]
    out: list[list[int]] = []
    for first in range(0, len(flags), width):
        batch = flags[first : first + width]
        pattern = np.zeros(len(slot), dtype=np.uint16)
        for bit, flag in enumerate(batch):
            pattern |= flag.view(np.uint8).astype(np.uint16) << np.uint16(bit)
        code = slot << len(batch)
        code |= pattern
        del pattern
        grid = np.bincount(code, minlength=nslots << len(batch)).reshape(nslots, -1)
        del code
        patterns = np.arange(1 << len(batch))
        out.extend(
            grid[:, (patterns >> bit) & 1 == 1].sum(axis=1).tolist() for bit in range(len(batch))
        )
    return out


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
    flags = {name: col for name, col in counts.items() if col.dtype == np.bool_}
    sums: dict[str, list[Any]] = dict(
        zip(flags, _grouped_flag_counts(list(flags.values()), slot, nslots), strict=True)
    )
    sums.update(
        {
            name: _grouped_float_sums(col, slot, nslots)
            if col.dtype.kind == "f"
            else np.bincount(slot, weights=col, minlength=nslots).astype(np.int64).tolist()
            for name, col in counts.items()
            if name not in flags
        }
    )
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


_GROUPS_SUMMED = 4096
"""Up to this many groups, a mean's overall exact sums add up the groups' exact sums."""


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
    # Every row measured: the arrays themselves, no copies through a mask.
    rows: Bool | slice = slice(None) if measured is None else measured
    counts = counts or {}
    kept = values[rows]
    n = len(kept)
    # Exact sums (csmetrics.core.exact): the moments are the same bits for any
    # row order and any split into parts, and values near the float64 limit
    # do not overflow (two handle times of 1e308 s have a mean of 1e308).
    overall_counts = {k: int(c.sum()) for k, c in counts.items()}
    if group is None or by is None:
        return factory(**Mean.moment_fields(n, *exact_sum_and_squares(kept)), **overall_counts)
    slot, nslots = _slots(group)
    slot_kept = slot[rows]
    size = np.bincount(slot_kept, minlength=nslots)
    totals, squares = grouped_exact_sums_and_squares(kept, slot_kept, nslots)
    del slot_kept
    # The exact sums of the whole are the sums of the groups' exact sums
    # (a few groups: cheaper than a second pass over the values).
    whole = (
        (sum(totals, ZERO), sum(squares, ZERO))
        if nslots <= _GROUPS_SUMMED
        else exact_sum_and_squares(kept)
    )
    overall = factory(**Mean.moment_fields(n, *whole), **overall_counts)
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


MeanBlock = tuple[I64, list[Fraction], list[Fraction]]
"""A block of a blocked mean, per group slot: counts (one row for the measured
values, then one per named count), exact sums of the values and of their squares."""


def block_slots(
    group: Encoded | None, part: slice, rows: Bool | None = None
) -> tuple[IntP | None, int]:
    """The group slot of each of a block's ``rows`` (default: every row), and the number of slots.

    Slot 0 holds the rows without a key, slot ``code + 1`` the others: one
    addition per block, and the keys stay in code order. Without ``group``
    every row is in the one slot (None: no slot array).
    """
    if group is None:
        return None, 1
    codes = group.codes[part] if rows is None else group.codes[part][rows]
    return np.add(codes, 1, dtype=np.intp), len(group.keys) + 1


def block_moments(values: F64, slot: IntP | None, nslots: int) -> MeanBlock:
    """A `MeanBlock` of ``values`` in the slots of `block_slots`, with no named counts."""
    if slot is None:
        total, squares = exact_sum_and_squares(values)
        return np.array([[len(values)]], dtype=np.int64), [total], [squares]
    totals, squares_per_slot = grouped_exact_sums_and_squares(values, slot, nslots)
    return np.bincount(slot, minlength=nslots)[np.newaxis], totals, squares_per_slot


def blocked_mean(
    factory: Callable[..., M],
    blocks: list[MeanBlock],
    group: Encoded | None,
    by: str | None,
    *,
    counts: tuple[str, ...] = (),
) -> M | Breakdown[M]:
    """A mean overall and, with ``group``, per key, from the `MeanBlock` of each block of rows.

    Blocks of `chunk_rows` (what `map_chunks` makes by default) keep every
    temporary in the cache and reused by the allocator; longer ones were
    faulted in afresh on every call at a million rows (decision 187).
    Integer counts and exact sums add the same for any blocks (decision
    147), so every field is the same, bit for bit, as from one pass over
    every row. ``counts`` names the blocks' further count rows, passed to
    ``factory``. A key is in the breakdown when any of its counts is
    nonzero; keys in code order, the rows without a key last.
    """
    counted: I64 = np.sum([b[0] for b in blocks], axis=0, dtype=np.int64)
    totals = [sum(column, ZERO) for column in zip(*(b[1] for b in blocks), strict=True)]
    squares = [sum(column, ZERO) for column in zip(*(b[2] for b in blocks), strict=True)]

    def build(n: int, total: Fraction, square: Fraction, named: I64) -> M:
        return factory(
            **Mean.moment_fields(n, total, square),
            **{name: int(c) for name, c in zip(counts, named, strict=True)},
        )

    whole = counted.sum(axis=1)
    overall = build(int(whole[0]), sum(totals, ZERO), sum(squares, ZERO), whole[1:])
    if group is None or by is None:
        return overall
    present = np.asarray(counted.any(axis=0))
    return Breakdown(
        by=by,
        overall=overall,
        groups={
            group.key(s - 1): build(int(counted[0, s]), totals[s], squares[s], counted[1:, s])
            for s in [*range(1, len(present)), 0]
            if present[s]
        },
    )


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
    ``durations=`` (completed) and ``censoring_times=``, or from their
    distinct ``values=`` and counts. Units marked in ``excluded`` are left
    out on purpose and only counted (``excluded=``).

    With ``group``, a few groups (up to 32,767: a channel, agent or
    category) are counted without an index sort of the durations: the units
    are put in (group, censored) order by one stable radix sort of a 16-bit
    key, each part's durations are sorted in place, and the runs of equal
    durations give the counts (decisions 87, 135). More groups (a breakdown
    by customer) rank the durations once and count (group, rank) pairs. The
    results are the same, bit for bit, as those of each group's units on
    their own.
    """
    values = np.asarray(durations, dtype=np.float64)
    censored = np.asarray(censored_mask, dtype=bool)
    if excluded is not None:
        censored = censored & ~excluded
    completed = ~censored if excluded is None else ~censored & ~excluded
    if group is None or by is None:
        extra = {} if excluded is None else {"excluded": int(np.count_nonzero(excluded))}
        return factory(durations=values[completed], censoring_times=values[censored], **extra)
    slot, nslots = _slots(group)
    timed = slice(None) if excluded is None else ~excluded
    left_out = (
        np.zeros(nslots, dtype=np.int64)
        if excluded is None
        else np.bincount(slot[excluded], minlength=nslots)
    )

    def build(distinct: F64, done: I64, still_open: I64, left: int) -> D:
        extra = {} if excluded is None else {"excluded": left}
        return factory(values=distinct, completed_counts=done, censored_counts=still_open, **extra)

    if 2 * nslots <= _RADIX_KEYS:
        runs = _runs_per_group(values[timed], censored[timed], slot[timed], nslots)
        overall_values, overall_counts = merge_runs([runs[0::2], runs[1::2]])

        def per_group(s: int) -> tuple[F64, I64, I64]:
            return _merged_group(runs, s)
    else:
        # -0.0 is 0.0, as in a result built from the durations themselves.
        distinct, rank = np.unique(values[timed] + 0.0, return_inverse=True)
        rank = rank.reshape(-1)
        open_timed = censored[timed]
        overall_values = distinct
        overall_counts = [
            np.bincount(rank[~open_timed], minlength=len(distinct)),
            np.bincount(rank[open_timed], minlength=len(distinct)),
        ]
        ranks = _distinct_per_group(slot[timed], rank, open_timed, nslots, len(distinct))

        def per_group(s: int) -> tuple[F64, I64, I64]:
            at, done, still_open = ranks(s)
            return distinct[at], done, still_open

    overall = build(overall_values, overall_counts[0], overall_counts[1], int(left_out.sum()))
    groups = {
        _slot_key(group, int(s)): build(*per_group(int(s)), int(left_out[s]))
        for s in np.flatnonzero(np.bincount(slot, minlength=nslots))
    }
    return Breakdown(by=by, overall=overall, groups=groups)


_RADIX_KEYS = 1 << 16
"""(group, censored) keys up to this many fit 16 bits, which numpy's stable sort radix-sorts."""


def _runs_per_group(values: F64, censored: Bool, slot: I64, nslots: int) -> list[tuple[F64, I64]]:
    """Runs of equal durations per (group, censored) part, part ``2 * slot + censored``.

    One stable radix sort of the 16-bit part key puts the units in part
    order (no index sort of the durations); each part's durations are then
    sorted in place (``-0.0`` counted as ``0.0``).
    """
    key = slot.astype(np.uint16)
    key <<= 1
    key |= censored
    order = np.argsort(key, kind="stable")
    bounds = np.zeros(2 * nslots + 1, dtype=np.int64)
    np.cumsum(np.bincount(key, minlength=2 * nslots), out=bounds[1:])
    del key
    ordered = values[order]
    del order
    ordered += 0.0
    runs = []
    for part in range(2 * nslots):
        segment = ordered[bounds[part] : bounds[part + 1]]
        segment.sort()
        runs.append(sorted_runs(segment))
    return runs


def _merged_group(runs: list[tuple[F64, I64]], s: int) -> tuple[F64, I64, I64]:
    """One group's distinct durations with its completed and censored counts."""
    values, (done, still_open) = merge_runs([[runs[2 * s]], [runs[2 * s + 1]]])
    return values, done, still_open


_DENSE_CELLS_PER_UNIT = 1
_DENSE_MIN_CELLS = 1 << 16
"""The (group, distinct duration) grid is counted densely up to this size (or the units')."""


def _distinct_per_group(
    slot: I64, rank: I64, still_open: Bool, nslots: int, ndistinct: int
) -> Callable[[int], tuple[I64, I64, I64]]:
    """Per group slot: its distinct-duration ranks, completed and censored counts.

    Counts every (slot, rank) pair with one `numpy.bincount` over a dense grid
    while the grid is no larger than the units (``nslots * ndistinct <=
    len(slot)``, e.g. a few channels or agents); beyond that (a breakdown by
    customer) the pairs present are found by one sort of their int64 codes.
    """
    cells = nslots * ndistinct
    pair = slot * np.int64(ndistinct) + rank
    if cells <= max(len(slot) * _DENSE_CELLS_PER_UNIT, _DENSE_MIN_CELLS):
        done = np.bincount(pair[~still_open], minlength=cells).reshape(nslots, ndistinct)
        waiting = np.bincount(pair[still_open], minlength=cells).reshape(nslots, ndistinct)

        def dense(s: int) -> tuple[I64, I64, I64]:
            at = np.flatnonzero(done[s] + waiting[s])
            return at, done[s][at], waiting[s][at]

        return dense
    codes, inverse = np.unique(pair, return_inverse=True)
    inverse = inverse.reshape(-1)
    done_codes = np.bincount(inverse[~still_open], minlength=len(codes))
    waiting_codes = np.bincount(inverse[still_open], minlength=len(codes))
    bounds = np.searchsorted(codes, np.arange(nslots + 1, dtype=np.int64) * ndistinct)

    def sparse(s: int) -> tuple[I64, I64, I64]:
        part = slice(bounds[s], bounds[s + 1])
        return codes[part] - s * ndistinct, done_codes[part], waiting_codes[part]

    return sparse


BlockUnits = Callable[[slice], tuple[F64, Bool, Bool, Bool | None]]
"""Units of a block of rows: seconds, censored, excluded and in scope (None: every row)."""

BLOCKED_KEYS = (_RADIX_KEYS >> 1) - 1
"""`reduce_durations_blocked` takes a ``by=`` column of up to this many keys."""

_SORT_BLOCKS = (2, 8)
"""Blocks of durations are 2 to 8 times `csmetrics.core.parallel.chunk_rows` long.

Longer with more groups, so that each (group, censored) part of a block keeps
enough rows for its sort to outweigh the fixed cost of a part; shorter when
the rows would not make two blocks a thread (`csmetrics.core.parallel.shared_chunk`).
"""


def _block_runs(
    units: BlockUnits, slot_codes: Codes | None, nslots: int, part: slice
) -> tuple[list[tuple[int, F64, I64]], I64, I64]:
    """A block's runs of equal durations per (slot, censored) part, units and exclusions per slot.

    Returns ``(part, values, counts)`` for each non-empty part ``2 * slot +
    censored`` (values increasing, ``-0.0`` counted as ``0.0``), the units in
    scope per slot and the excluded ones per slot.
    """
    seconds, censored, excluded, scope = units(part)
    if scope is not None:
        seconds, censored, excluded = seconds[scope], censored[scope], excluded[scope]
    timed = ~excluded
    if slot_codes is None:  # parts 0 and 1: completed, then censored
        size = np.array([len(seconds)], dtype=np.int64)
        left_out = np.array([len(seconds) - np.count_nonzero(timed)], dtype=np.int64)
        done = timed & ~censored
        timed &= censored
        ordered = np.concatenate((seconds[done], seconds[timed]))
        bounds = np.array([0, np.count_nonzero(done), len(ordered)], dtype=np.int64)
    else:
        slot = slot_codes[part].astype(np.intp)
        slot[slot < 0] = nslots - 1
        if scope is not None:
            slot = slot[scope]
        size = np.bincount(slot, minlength=nslots)
        left_out = np.bincount(slot[excluded], minlength=nslots)
        key = slot[timed].astype(np.uint16)  # 16 bits: radix-sorted (BLOCKED_KEYS)
        key <<= 1
        key |= censored[timed]
        ordered = seconds[timed][np.argsort(key, kind="stable")]
        bounds = np.zeros(2 * nslots + 1, dtype=np.int64)
        np.cumsum(np.bincount(key, minlength=2 * nslots), out=bounds[1:])
    ordered += 0.0
    used = np.flatnonzero(bounds[1:] > bounds[:-1])
    for p in used.tolist():
        ordered[bounds[p] : bounds[p + 1]].sort()
    # The runs of every part at once (`sorted_runs` of each part): a run starts
    # where the value changes or a part starts.
    starts = np.empty(len(ordered), dtype=bool)
    np.not_equal(ordered[1:], ordered[:-1], out=starts[1:])
    starts[bounds[used]] = True
    first = np.flatnonzero(starts)
    del starts
    counts = np.diff(first, append=len(ordered))
    values = ordered[first]
    cut = np.searchsorted(first, bounds).tolist()
    runs = [(p, values[cut[p] : cut[p + 1]], counts[cut[p] : cut[p + 1]]) for p in used.tolist()]
    return runs, size, left_out


def _merge_counted(runs: list[tuple[F64, I64, I64]]) -> tuple[F64, I64, I64]:
    """Distinct values with summed completed and censored counts of several runs lists.

    One stable sort of the concatenated (already increasing) runs merges
    them; equal values' counts are added (integers: any order, same sums).
    """
    if not runs:
        return no_durations(), np.zeros(0, np.int64), np.zeros(0, np.int64)
    values = np.concatenate([v for v, _, _ in runs])
    order = np.argsort(values, kind="stable")
    values = values[order]
    starts = np.flatnonzero(np.r_[True, values[1:] != values[:-1]])
    done = np.add.reduceat(np.concatenate([d for _, d, _ in runs])[order], starts)
    still_open = np.add.reduceat(np.concatenate([c for _, _, c in runs])[order], starts)
    return values[starts], done, still_open


def reduce_durations_blocked(
    factory: Callable[..., D],
    units: BlockUnits,
    rows: int,
    group: Encoded | None,
    by: str | None,
) -> D | Breakdown[D]:
    """`reduce_durations` of units built block by block, on `csmetrics.core.parallel`'s threads.

    ``units(part)`` gives one unit per row of the block ``part`` of
    ``range(rows)``: seconds, censored, excluded, and which rows are in scope
    (None: all). Each block sorts its durations per (group, censored) part
    and counts the runs of equal values; the blocks' runs are then merged
    and their integer counts added, so the result is the same, bit for bit,
    as `reduce_durations` of all units at once, for any blocks and threads.
    Up to 32,767 groups (`_RADIX_KEYS`).
    """
    grouped = group is not None and by is not None
    nslots = len(group.keys) + 1 if grouped and group is not None else 1
    codes = group.codes if grouped and group is not None else None
    blocks = map_chunks(
        partial(_block_runs, units, codes, nslots),
        rows,
        chunk=shared_chunk(
            rows, chunk_rows() * min(max(nslots // 4, _SORT_BLOCKS[0]), _SORT_BLOCKS[1])
        ),
    )
    size = np.asarray(np.sum([b[1] for b in blocks], axis=0, dtype=np.int64))
    left_out = np.asarray(np.sum([b[2] for b in blocks], axis=0, dtype=np.int64))
    per_part: dict[int, list[tuple[F64, I64, I64]]] = {}
    for block_runs, _, _ in blocks:
        for p, values, counts in block_runs:
            zeros = np.zeros(len(counts), dtype=np.int64)
            per_part.setdefault(p, []).append(
                (values, zeros, counts) if p & 1 else (values, counts, zeros)
            )

    def build(merged: tuple[F64, I64, I64], left: int) -> D:
        values, done, still_open = merged
        return factory(
            values=values, completed_counts=done, censored_counts=still_open, excluded=left
        )

    if not grouped or group is None or by is None:
        runs = [r for part_runs in per_part.values() for r in part_runs]
        return build(_merge_counted(runs), int(left_out.sum()))
    # Each group's runs merged once; the overall runs are the groups' merged
    # runs merged again (integer counts: the same as merging every block's).
    merged = {
        s: _merge_counted(per_part.get(2 * s, []) + per_part.get(2 * s + 1, []))
        for s in np.flatnonzero(size).tolist()
    }
    overall = build(_merge_counted([m for m in merged.values() if len(m[0])]), int(left_out.sum()))
    nkeys = len(group.keys)
    groups = {
        group.key(s if s < nkeys else -1): build(m, int(left_out[s])) for s, m in merged.items()
    }
    return Breakdown(by=by, overall=overall, groups=groups)
