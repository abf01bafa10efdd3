"""FCR's episodes in blocks (decision 198): the same episodes as the whole-table path.

`episode_heads` sorts the contacts once by a packed (issue key, time rank)
and finds the episodes block by block, on the blocked kernels' threads;
`episodes` (tests/reference_episodes.py) does it over whole-table arrays.
Both must give the same first contacts, repeats, ends and resolved flags,
in the same order, for every match mode, window, number of threads and
rows per block, and `fcr`'s counts must not depend on the block size.
`issue_ends` with a cached time order (decision 199) must find the same
first and latest contacts as without it.
"""

from __future__ import annotations

import warnings
from datetime import datetime, timezone
from typing import Any

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import csmetrics
from csmetrics import Interactions
from csmetrics.core import episodes as ep
from csmetrics.core import parallel
from csmetrics.core.episodes import episode_heads, issue_ends, time_rank
from csmetrics.metrics.resolution import fcr_classes
from reference_episodes import episodes

I64 = Any

SETTINGS = [(threads, rows) for threads in (1, 2) for rows in (1, 3, 2**20)]
"""(threads, rows per block) the blocked path is checked with."""

MINUTE = 60_000_000
"""A minute in table units (microseconds)."""

EPOCH = np.datetime64("2026-03-02T00:00:00", "us")


@st.composite
def contact_columns(draw: st.DrawFn) -> dict[str, Any]:
    """Small tables with repeated customers, categories, issue ids and start ties.

    Categories and issue ids are often missing; some contacts are still open
    (no end); starts fall on a coarse grid so that ties by start are common.
    """
    n = draw(st.integers(0, 40))
    pick = st.integers
    customers = draw(st.lists(pick(0, 4), min_size=n, max_size=n))
    categories = draw(st.lists(pick(-1, 3), min_size=n, max_size=n))
    tickets = draw(st.lists(pick(-1, 6), min_size=n, max_size=n))
    starts = draw(st.lists(pick(0, 30), min_size=n, max_size=n))
    lengths = draw(st.lists(pick(-1, 40), min_size=n, max_size=n))
    resolved = draw(st.lists(st.booleans(), min_size=n, max_size=n))
    start = EPOCH + np.array(starts, dtype=np.int64) * np.timedelta64(10, "m")
    length = np.array(lengths, dtype=np.int64)
    end = start + np.maximum(length, 0) * np.timedelta64(7, "m")
    end[length < 0] = np.datetime64("NaT")
    return {
        "id": np.array([f"c{i:03d}" for i in draw(st.permutations(range(n)))], dtype=str),
        "customer_id": np.array([f"u{c}" for c in customers], dtype=str),
        "category": np.array(["" if c < 0 else f"k{c}" for c in categories], dtype=str),
        "issue_id": np.array(["" if t < 0 else f"t{t}" for t in tickets], dtype=str),
        "start": start,
        "end": end,
        # An open contact cannot be resolved.
        "resolved": np.array(resolved, dtype=bool) & (length >= 0),
    }


def contact_tables() -> st.SearchStrategy[Interactions]:
    """`contact_columns` as an `Interactions` table."""
    return contact_columns().map(Interactions.from_columns)


def whole_table_heads(table: Interactions, window: int, match: Any) -> tuple[I64, ...]:
    """The episodes' first contacts, repeats, ends and flags from `episodes`' arrays."""
    order, starts = episodes(table, window, match)
    first = order[starts]
    repeats = np.diff(np.r_[np.flatnonzero(starts), len(order)]) - 1
    return first, repeats, table.end[first], table.resolved[first]


def assert_same_heads(got: tuple[I64, ...], expected: tuple[I64, ...]) -> None:
    for left, right in zip(got, expected, strict=True):
        assert left.dtype == right.dtype
        assert left.tolist() == right.tolist()


@given(
    table=contact_tables(),
    window_minutes=st.sampled_from([1, 60, 300, 10**6]),
    match=st.sampled_from(["issue", "category", "customer"]),
)
def test_blocks_give_the_episodes_of_the_whole_table(
    table: Interactions, window_minutes: int, match: Any
) -> None:
    window = window_minutes * MINUTE
    expected = whole_table_heads(table, window, match)
    for threads, rows in SETTINGS:
        with parallel.settings(threads=threads, chunk_rows=rows):
            assert_same_heads(episode_heads(table, window, match), expected)


@given(table=contact_tables(), match=st.sampled_from(["issue", "category", "customer"]))
def test_keys_too_wide_to_pack_take_the_lexsort_path(table: Interactions, match: Any) -> None:
    # Keys that leave no room to pack the time rank beside them are ordered
    # by `numpy.lexsort` instead: the same episodes from that branch.
    window = 60 * MINUTE
    expected = whole_table_heads(table, window, match)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(ep, "_packs", lambda key, span: False)
        for threads, rows in SETTINGS:
            with parallel.settings(threads=threads, chunk_rows=rows):
                assert_same_heads(episode_heads(table, window, match), expected)


@given(table=contact_tables(), match=st.sampled_from(["issue", "category", "customer"]))
def test_fcr_counts_do_not_depend_on_the_blocks(table: Interactions, match: Any) -> None:
    as_of = datetime(2026, 3, 3, 12, tzinfo=timezone.utc)
    options: dict[str, Any] = {"match": match, "as_of": as_of, "window_days": 0.05}
    with parallel.settings(threads=1, chunk_rows=2**20), warnings.catch_warnings():
        warnings.simplefilter("ignore", csmetrics.UndefinedMetricWarning)
        whole = csmetrics.fcr(table, **options).counts()
        codes = fcr_classes(table, **options)[0].tolist()
    # By hand from the codes: numerator 0, denominator 0 or 1, repeats 2, pending 3.
    assert whole == {
        "numerator": codes.count(0),
        "denominator": codes.count(0) + codes.count(1),
        "pending": codes.count(3),
        "repeats": codes.count(2),
    }
    for threads, rows in SETTINGS:
        with parallel.settings(threads=threads, chunk_rows=rows), warnings.catch_warnings():
            warnings.simplefilter("ignore", csmetrics.UndefinedMetricWarning)
            assert csmetrics.fcr(table, **options).counts() == whole
            assert fcr_classes(table, **options)[0].tolist() == codes


def test_aligned_cuts_start_issues_and_grow_past_a_long_issue() -> None:
    # Keys packed with a span of 10: 0 0 0 ... (300 rows of key 0), then 1, 2, 2.
    keys = np.r_[np.zeros(300, dtype=np.int64), 1, 2, 2] * 10 + np.arange(303) % 10
    cuts = ep._aligned_cuts(keys, 10, 1)
    assert cuts == [0, 300, 301, 303]
    assert ep._aligned_cuts(keys, 10, 1000) == [0, 303]
    assert ep._aligned_cuts(keys[:0], 10, 1) == [0, 0]
    # A cut at every key change once the step is one row.
    distinct = np.arange(5, dtype=np.int64) * 10
    assert ep._aligned_cuts(distinct, 10, 1) == [0, 1, 2, 3, 4, 5]
    assert ep._aligned_cuts(distinct, 10, 2) == [0, 2, 4, 5]


@given(columns=contact_columns())
def test_issue_ends_with_the_cached_time_order(columns: dict[str, Any]) -> None:
    table = Interactions.from_columns(columns)
    without = issue_ends(table)
    assert "time_rank" not in table.memo
    time_rank(table)
    with_rank = issue_ends(table)
    for left, right in zip(with_rank, without, strict=True):
        assert left.dtype == right.dtype
        assert left.tolist() == right.tolist()


def test_issue_ends_by_rank_by_hand() -> None:
    # Issue t1: contacts b (09:10) and a (09:00, the same start as c);
    # t2: c alone; d has no issue_id.
    start = np.array(
        ["2026-03-02T09:10", "2026-03-02T09:00", "2026-03-02T09:00", "2026-03-02T08:00"],
        dtype="datetime64[us]",
    )
    table = Interactions.from_columns(
        {
            "id": np.array(["b", "a", "c", "d"]),
            "customer_id": np.array(["u", "u", "v", "w"]),
            "issue_id": np.array(["t1", "t1", "t2", ""]),
            "start": start,
            "end": start,
        }
    )
    time_rank(table)
    first, last, single = issue_ends(table)
    assert first.tolist() == [1, 2]
    assert last.tolist() == [0, 2]
    assert single.tolist() == [3]
