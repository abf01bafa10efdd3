"""The segmented running maximum behind fcr's episodes, against a plain loop."""

from __future__ import annotations

import numpy as np
from hypothesis import example, given
from hypothesis import strategies as st

from csmetrics.core.reduce import segment_cummax

TOP = np.iinfo(np.int64).max
BOTTOM = np.iinfo(np.int64).min


def on_grid(value: int, grid: int) -> int:
    """``value`` rounded toward zero to a multiple of ``grid`` (a timestamp's resolution).

    Rounding toward zero never leaves the int64 range, where flooring a value
    near ``BOTTOM`` would.
    """
    magnitude = abs(value) // grid * grid
    return magnitude if value >= 0 else -magnitude


def loop_cummax(values: list[int], starts: list[bool]) -> list[int]:
    out: list[int] = []
    for value, start in zip(values, starts, strict=True):
        out.append(value if start or not out else max(out[-1], value))
    return out


grids = st.sampled_from([1, 1000, 1_000_000])  # microseconds, milliseconds, seconds
values = st.one_of(
    st.integers(-(10**12), 10**12),
    st.just(TOP),
    st.just(BOTTOM),
    st.integers(-(2**63), 2**63 - 1),
)


@given(
    data=st.lists(st.tuples(values, st.booleans()), min_size=1, max_size=60),
    grid=grids,
)
@example(data=[(TOP, True), (5, False), (-(2**63), True), (2**62, False)], grid=1)
# Flooring this value to the grid left the int64 range (seed 2 of the dev profile).
@example(data=[(-(2**63) + 1, True)], grid=1000)
def test_segment_cummax_is_the_running_maximum_per_segment(data, grid):
    vals = [v if v in (TOP, BOTTOM) else on_grid(v, grid) for v, _ in data]
    starts = [True] + [s for _, s in data[1:]]
    arr, flags = np.array(vals, dtype=np.int64), np.array(starts)
    expected = loop_cummax(vals, starts)
    out = segment_cummax(arr, flags)
    assert out.tolist() == expected
    assert out is arr  # computed in place


@st.composite
def _flag_columns(draw: st.DrawFn) -> tuple[np.ndarray, int, list[np.ndarray]]:
    nslots = draw(st.integers(1, 9))
    n = draw(st.integers(0, 40))
    slot = np.array(draw(st.lists(st.integers(0, nslots - 1), min_size=n, max_size=n)), np.int64)
    ncols = draw(st.integers(0, 15))
    flags = [
        np.array(draw(st.lists(st.booleans(), min_size=n, max_size=n)), dtype=bool)
        for _ in range(ncols)
    ]
    return slot, nslots, flags


@given(_flag_columns(), st.sampled_from([1 << 16, 0]))
def test_grouped_flag_counts_equal_a_count_per_column(columns, min_cells):
    # With no floor on the grid, few rows and several slots leave no room
    # to pack the flags: each is then counted on its own.
    from unittest import mock

    from csmetrics.core import reduce

    slot, nslots, flags = columns
    with mock.patch.object(reduce, "_FLAG_MIN_CELLS", min_cells):
        got = reduce._grouped_flag_counts(flags, slot, nslots)
    want = [[int(np.count_nonzero(flag[slot == s])) for s in range(nslots)] for flag in flags]
    assert got == want


def test_grouped_flag_counts_hand_computed():
    from csmetrics.core.reduce import _grouped_flag_counts

    slot = np.array([0, 1, 1, 2, 0], dtype=np.int64)
    a = np.array([True, True, False, True, True])
    b = np.array([False, True, True, False, False])
    assert _grouped_flag_counts([a, b], slot, 3) == [[2, 1, 1], [0, 2, 0]]
