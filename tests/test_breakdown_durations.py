"""Breakdowns of durations: one sort for all groups, each group as if computed alone."""

from __future__ import annotations

import warnings
from functools import partial
from unittest import mock

import numpy as np
import pytest
from hypothesis import given, settings

import csmetrics
from csmetrics import Breakdown, Durations, Interactions
from csmetrics.core import reduce
from csmetrics.core.table import Encoded, from_micros
from strategies import interactions

# Every path of the per-group count: the radix sort of (group, censored)
# parts that a few groups take; with it turned off, the ranks counted on the
# dense grid and, with its limits at zero, the sort of (group, duration)
# codes that a breakdown by very many customers takes.
PATHS = {
    "radix": {"_RADIX_KEYS": 1 << 16},
    "dense": {"_RADIX_KEYS": 0, "_DENSE_MIN_CELLS": 1 << 16},
    "sparse": {"_RADIX_KEYS": 0, "_DENSE_CELLS_PER_UNIT": 0, "_DENSE_MIN_CELLS": 0},
}

BY = ("channel", "agent_id", "customer_id")

METRICS = {
    "first_response_time": csmetrics.first_response_time,
    "first_response_time exclude": partial(csmetrics.first_response_time, censoring="exclude"),
    "contact_length": csmetrics.contact_length,
    "reply_time": csmetrics.reply_time,
}


def _latest_event(table: Interactions):
    times = [table.start, table.end[table.end != np.iinfo(np.int64).max]]
    times.append(table.first_response[table.first_response != np.iinfo(np.int64).max])
    times.append(table.messages.at)
    return from_micros(int(max(t.max(initial=np.iinfo(np.int64).min) for t in times)))


def _rows_of(column: Encoded, key: object) -> np.ndarray:
    """The rows whose key in ``column`` is ``key`` (None: missing)."""
    if key is None:
        return column.codes < 0
    codes = {column.key(code): code for code in range(len(column.keys))}
    return column.codes == codes[key]


@pytest.mark.parametrize("path", PATHS)
@pytest.mark.parametrize("name", METRICS)
def test_each_group_equals_the_metric_on_that_group_alone(path, name):
    metric = METRICS[name]

    @given(records=interactions(min_size=1, max_size=16, service=True), by=_by())
    @settings(max_examples=40)
    def check(records, by):
        table = Interactions.from_records(records)
        as_of = _latest_event(table)  # one as_of for the whole and every part
        with warnings.catch_warnings():  # a group of blocked contacts only is undefined
            warnings.simplefilter("ignore", csmetrics.UndefinedMetricWarning)
            with mock.patch.multiple(reduce, **PATHS[path]):
                breakdown = metric(table, as_of=as_of, by=by)
            assert isinstance(breakdown, Breakdown)
            assert breakdown.overall == metric(table, as_of=as_of)
            for key, result in breakdown.items():
                alone = metric(table.take(_rows_of(getattr(table, by), key)), as_of=as_of)
                assert result == alone, key
                np.testing.assert_array_equal(result.values, alone.values)

    check()


def _by():
    from hypothesis import strategies as st

    return st.sampled_from(BY)


@pytest.mark.parametrize("path", PATHS)
def test_hand_computed_groups_with_ties_excluded_units_and_negative_zero(path):
    # Group a: completed 5, 5, 7; censored 7. Group b: completed -0.0 (is 0),
    # censored 5, one excluded unit (its 99 s are never counted). Group c:
    # only an excluded unit: there, with no duration.
    seconds = np.array([5.0, 7.0, 5.0, 7.0, -0.0, 5.0, 99.0, 3.0])
    censored = np.array([False, False, False, True, False, True, False, False])
    excluded = np.array([False, False, False, False, False, False, True, True])
    group = Encoded(np.array([0, 0, 0, 0, 1, 1, 1, 2], dtype=np.int32), np.array(["a", "b", "c"]))
    with mock.patch.multiple(reduce, **PATHS[path]):
        result = reduce.reduce_durations(
            Durations, seconds, censored, group, "channel", excluded=excluded
        )
    a, b, c = result["a"], result["b"], result["c"]
    assert a.values.tolist() == [5.0, 7.0]
    assert a.completed_counts.tolist() == [2, 1]
    assert a.censored_counts.tolist() == [0, 1]
    assert (a.excluded, b.excluded, c.excluded) == (0, 1, 1)
    assert b.values.tolist() == [0.0, 5.0]
    assert np.signbit(b.values).tolist() == [False, False]
    assert b.completed_counts.tolist() == [1, 0]
    assert b.censored_counts.tolist() == [0, 1]
    assert c.n == 0
    assert result.overall == Durations(durations=[5, 7, 5, 0], censoring_times=[7, 5], excluded=2)
    assert a == Durations(durations=[5, 7, 5], censoring_times=[7])


def _unique_counts(completed: np.ndarray, censored: np.ndarray):
    """The distinct-value counts as ``numpy.unique`` gives them (the reference)."""
    times = np.concatenate((completed, censored)) + 0.0
    values, inverse = np.unique(times, return_inverse=True)
    done = np.bincount(inverse[: len(completed)], minlength=len(values))
    return values, done, np.bincount(inverse[len(completed) :], minlength=len(values))


def _seconds():
    from hypothesis import strategies as st

    # Few distinct values (many ties), -0.0, subnormals and huge values.
    value = st.sampled_from([0.0, -0.0, 5e-324, 1.0, 1.5, 7.0, 1e300, 86400.0])
    return st.lists(st.one_of(value, st.floats(0, 1e6)), max_size=30).map(np.array)


@given(completed=_seconds(), censored=_seconds())
def test_distinct_counts_equal_those_of_numpy_unique(completed, censored):
    from csmetrics.core.results import distinct_counts

    got = distinct_counts(completed.astype(np.float64), censored.astype(np.float64))
    want = _unique_counts(completed.astype(np.float64), censored.astype(np.float64))
    for g, w in zip(got, want, strict=True):
        np.testing.assert_array_equal(g, w)
        assert g.dtype.kind == w.dtype.kind
    assert not np.signbit(got[0]).any()


def test_distinct_counts_hand_computed():
    from csmetrics.core.results import distinct_counts

    values, done, still_open = distinct_counts(
        np.array([7.0, -0.0, 7.0, 3.0]), np.array([3.0, 9.0])
    )
    assert values.tolist() == [0.0, 3.0, 7.0, 9.0]
    assert done.tolist() == [1, 1, 2, 0]
    assert still_open.tolist() == [0, 1, 0, 1]
    empty = distinct_counts(np.zeros(0), np.zeros(0))
    assert [len(a) for a in empty] == [0, 0, 0]


def test_empty_input_gives_an_empty_breakdown():
    group = Encoded(np.zeros(0, dtype=np.int32), np.array(["a"]))
    with pytest.warns(csmetrics.UndefinedMetricWarning):
        result = csmetrics.first_response_time([], by="channel")
    assert len(result) == 0
    empty = reduce.reduce_durations(Durations, np.zeros(0), np.zeros(0, bool), group, "channel")
    assert len(empty) == 0
    assert empty.overall == Durations()
