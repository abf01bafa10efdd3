"""Blocked kernels on threads: the settings, and the same results for any threads and blocks.

The blocked paths (`csmetrics.core.parallel`) must give the same result, bit
for bit, whatever the number of threads and the rows per block, and the
same as the per-row path they replace (`service_level` with each contact's
wait in seconds, the path a calendar takes).
"""

from __future__ import annotations

import itertools
import os
from datetime import timedelta
from functools import partial
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import csmetrics
from csmetrics.core import parallel
from csmetrics.metrics import service_level as sl_module
from csmetrics.metrics import timing
from strategies import assert_same_result, interactions, undefined_allowed
from test_properties import AS_OF, BASE

SETTINGS = [(threads, rows) for threads in (1, 2, 3) for rows in (1, 7, 2**20)]
"""(threads, rows per block) every blocked metric is checked with."""


# -- settings -----------------------------------------------------------------------------------


def test_thread_count_default_is_at_most_two(monkeypatch):
    monkeypatch.delenv(parallel.THREADS_ENV, raising=False)
    assert parallel.thread_count() == min(2, os.cpu_count() or 1)


@pytest.mark.parametrize(("given_value", "expected"), [("1", 1), ("3", 3), (" 4 ", 4), ("", None)])
def test_thread_count_from_the_environment(monkeypatch, given_value, expected):
    monkeypatch.setenv(parallel.THREADS_ENV, given_value)
    default = min(2, os.cpu_count() or 1)
    assert parallel.thread_count() == (default if expected is None else expected)


@pytest.mark.parametrize("bad", ["0", "-2", "two", "1.5"])
def test_a_bad_thread_count_names_the_variable(monkeypatch, bad):
    monkeypatch.setenv(parallel.THREADS_ENV, bad)
    with pytest.raises(ValueError, match=f"CSMETRICS_THREADS={bad!r}"):
        parallel.thread_count()


def test_settings_override_and_restore(monkeypatch):
    monkeypatch.setenv(parallel.THREADS_ENV, "1")
    before = parallel.chunk_rows()
    with parallel.settings(threads=3, chunk_rows=5):
        assert (parallel.thread_count(), parallel.chunk_rows()) == (3, 5)
        with parallel.settings(chunk_rows=2):
            assert (parallel.thread_count(), parallel.chunk_rows()) == (3, 2)
        assert parallel.chunk_rows() == 5
    assert (parallel.thread_count(), parallel.chunk_rows()) == (1, before)


@pytest.mark.parametrize("bad", [{"threads": 0}, {"chunk_rows": -1}, {"threads": 1.5}])
def test_settings_refuse_bad_values(bad):
    with pytest.raises(ValueError, match=next(iter(bad))), parallel.settings(**bad):
        pass


@pytest.mark.parametrize(("threads", "rows"), SETTINGS)
@pytest.mark.parametrize("n", [0, 1, 6, 7, 8, 50])
def test_map_chunks_covers_every_row_once_in_order(threads, rows, n):
    with parallel.settings(threads=threads, chunk_rows=rows):
        parts = parallel.map_chunks(lambda part: (part.start, part.stop), n)
    assert parts[0][0] == 0
    assert parts[-1][1] == n
    assert all(a[1] == b[0] for a, b in itertools.pairwise(parts))
    assert all(stop - start <= rows for start, stop in parts)


@pytest.mark.parametrize(
    ("threads", "rows", "chunk", "expected"),
    [
        (2, 1_000_000, 8 * 1000, 8000),  # enough rows: the long chunk as asked
        (2, 10_000, 8 * 1000, 2500),  # two chunks for each of two threads
        (3, 10_000, 8 * 1000, 1667),
        (2, 1_500, 8 * 1000, 1000),  # never below chunk_rows
        (1, 10_000, 8 * 1000, 5000),
        (2, 0, 8 * 1000, 1000),
    ],
)
def test_shared_chunk_gives_every_thread_two_chunks(threads, rows, chunk, expected):
    with parallel.settings(threads=threads, chunk_rows=1000):
        size = parallel.shared_chunk(rows, chunk)
        assert size == expected
        blocks = len(parallel.map_chunks(lambda part: part, rows, chunk=size))
    assert blocks >= min(2 * threads, -(-rows // 1000), -(-rows // chunk))


def test_map_chunks_inside_a_kernel_runs_on_its_thread():
    # Two pool threads each running an outer chunk that maps inner chunks:
    # the inner ones run on the outer chunk's thread instead of waiting for
    # a pool whose every thread is busy waiting.
    def outer(part: slice) -> list[int]:
        return parallel.map_chunks(lambda p: p.stop - p.start, part.stop - part.start, chunk=2)

    with parallel.settings(threads=2, chunk_rows=5):
        parts = parallel.map_chunks(outer, 10)
    assert parts == [[2, 2, 1], [2, 2, 1]]


# -- service_level ------------------------------------------------------------------------------

FORMULAS = st.sampled_from(sl_module.FORMULAS)
THRESHOLDS = st.one_of(
    st.sampled_from([1, 20, 59.9999995, 60.0000005, 3600, timedelta(minutes=5), 1e-7, 1e30]),
    st.fixed_dictionaries(
        {
            "phone": st.sampled_from([20, 0.5]),
            "chat": st.sampled_from([60, 1e-6]),
            "email": st.sampled_from([3600, 86400]),
            None: st.sampled_from([30, 1e9]),
        }
    ),
)


def _options(
    *, formula: str, threshold: Any, short: float, by: Any, period: bool, as_of: Any
) -> dict[str, Any]:
    options: dict[str, Any] = {"threshold": threshold, "formula": formula, "by": by}
    if formula == "short_abandoned_excluded":
        options["short_abandon"] = short
    if period:
        options["period"] = csmetrics.Window(start=BASE, end=BASE + timedelta(days=3))
    if as_of is not None:
        options["as_of"] = as_of
    return options


@settings(max_examples=60)
@given(
    records=interactions(service=True, max_size=25),
    formula=FORMULAS,
    threshold=THRESHOLDS,
    short=st.sampled_from([1, 10, 300.0000005]),
    by=st.sampled_from([None, "channel", "agent_id", "customer_id"]),
    period=st.booleans(),
    as_of=st.none() | AS_OF,
)
def test_service_level_same_for_any_threads_and_blocks(records, **drawn):
    table = csmetrics.Interactions.from_records(records)
    options = _options(**drawn)
    formula, threshold, by, as_of = (drawn[k] for k in ("formula", "threshold", "by", "as_of"))
    with undefined_allowed():
        reference = sl_module._service_level_rows(
            table,
            threshold=threshold,
            formula=formula,
            short_limit=options.get("short_abandon"),
            as_of=as_of,
            period=options.get("period"),
            by=by,
            calendar=None,
            factory=lambda **kw: csmetrics.ServiceLevel(
                **kw,
                formula=formula,
                short_abandon=options.get("short_abandon"),
                calendar=None,
                period=options.get("period"),
            ),
        )
        for threads, rows in SETTINGS:
            with parallel.settings(threads=threads, chunk_rows=rows):
                got = csmetrics.service_level(table, **options)
            assert_same_result(got, reference, rel=0)


def test_service_level_threshold_compared_in_microseconds():
    # 59.9999995 s lies between 59_999_999 and 60_000_000 microseconds: a wait
    # of 59.999999 s is within it, one of 60 s is not.
    start = BASE
    calls = [
        csmetrics.Interaction(
            id=str(micros),
            customer_id="c",
            start=start,
            first_response_at=start + timedelta(microseconds=micros),
        )
        for micros in (59_999_999, 60_000_000, 60_000_001)
    ]
    for limit, within in ((59.9999995, 1), (60, 2), (60.000001, 3)):
        assert csmetrics.service_level(calls, threshold=limit).answered_within == within


def test_micros_within_is_the_last_span_within():
    for limit in (1e-7, 0.5, 1.0, 20.0, 59.9999995, 3600.0000001, 1e12, 1e30):
        k = sl_module._micros_within(limit)
        assert float(k) / 1e6 <= limit
        if k < np.iinfo(np.int64).max:
            assert float(k + 1) / 1e6 > limit


# -- asa ----------------------------------------------------------------------------------------


@settings(max_examples=60)
@given(
    records=interactions(service=True, max_size=25),
    by=st.sampled_from([None, "channel", "agent_id", "customer_id", "category"]),
    period=st.booleans(),
    as_of=st.none() | AS_OF,
)
def test_asa_same_for_any_threads_and_blocks(records, by, period, as_of):
    table = csmetrics.Interactions.from_records(records)
    options: dict[str, Any] = {"by": by, "as_of": as_of}
    if period:
        options["period"] = csmetrics.Window(start=BASE, end=BASE + timedelta(days=3))
    with undefined_allowed():
        reference = sl_module._asa_rows(
            table, as_of=as_of, period=options.get("period"), by=by, calendar=None
        )
        for threads, rows in SETTINGS:
            with parallel.settings(threads=threads, chunk_rows=rows):
                got = csmetrics.asa(table, **options)
            assert_same_result(got, reference, rel=0)


# -- first_response_time and contact_length ---------------------------------------------------


@pytest.mark.parametrize(
    ("metric", "units"),
    [
        ("first_response_time", timing._first_response_units),
        ("contact_length", timing._length_units),
    ],
)
@settings(max_examples=60)
@given(
    records=interactions(service=True, max_size=25),
    by=st.sampled_from([None, "channel", "agent_id", "customer_id", "category"]),
    period=st.booleans(),
    as_of=st.none() | AS_OF,
    censoring=st.sampled_from(["kaplan-meier", "exclude"]),
)
def test_blocked_durations_same_for_any_threads_and_blocks(
    metric, units, records, by, period, **drawn
):
    as_of, censoring = drawn["as_of"], drawn["censoring"]
    table = csmetrics.Interactions.from_records(records)
    window = csmetrics.Window(start=BASE, end=BASE + timedelta(days=3)) if period else None
    with undefined_allowed():
        scoped, cutoff, scope_as_of = timing._prepare(
            table, as_of, by, censoring, metric=metric, needs=()
        )
        # The per-row path the blocks replace (the one a calendar takes).
        reference = timing._reduce(
            units(scoped, cutoff, None),
            scoped,
            partial(
                csmetrics.Durations,
                metric=metric,
                censoring=censoring,
                calendar=None,
                as_of=scope_as_of,
            ),
            window,
            by,
        )
        for threads, rows in SETTINGS:
            with parallel.settings(threads=threads, chunk_rows=rows):
                got = getattr(csmetrics, metric)(
                    table, by=by, as_of=as_of, period=window, censoring=censoring
                )
            assert_same_result(got, reference, rel=0)


# -- handle_time --------------------------------------------------------------------------------


@settings(max_examples=60)
@given(
    records=interactions(service=True, max_size=25),
    by=st.sampled_from([None, "channel", "agent_id", "customer_id", "category"]),
    period=st.booleans(),
    as_of=st.none() | AS_OF,
)
def test_handle_time_same_for_any_threads_and_blocks(records, by, period, as_of):
    table = csmetrics.Interactions.from_records(records)
    window = csmetrics.Window(start=BASE, end=BASE + timedelta(days=3)) if period else None
    with undefined_allowed():
        scoped, _, scope_as_of = timing._prepare(
            table, as_of, by, "kaplan-meier", metric="handle_time", needs=()
        )
        # The one-pass path the blocks replace (the one a calendar takes).
        reference = timing._handle_time_rows(
            scoped, as_of=scope_as_of, period=window, by=by, calendar=None
        )
        for threads, rows in SETTINGS:
            with parallel.settings(threads=threads, chunk_rows=rows):
                got = csmetrics.handle_time(table, by=by, as_of=as_of, period=window)
            assert_same_result(got, reference, rel=0)


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")
@pytest.mark.filterwarnings("ignore:This process .* is multi-threaded:DeprecationWarning")
def test_a_forked_child_starts_its_own_threads():
    with parallel.settings(threads=2, chunk_rows=1):
        assert parallel.map_chunks(lambda part: part.start, 3) == [0, 1, 2]
        pid = os.fork()
        if pid == 0:  # the child: the parent's pool has no threads here
            ok = parallel.map_chunks(lambda part: part.start, 3) == [0, 1, 2]
            os._exit(0 if ok else 1)
        _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0
