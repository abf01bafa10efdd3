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
