"""Exact, order-free sums: `csmetrics.core.exact` and the results built on it.

Every mean, sum and standard deviation a result reports is the exact sum of
its float64 values rounded once, so it has the same bits for any order of
the rows and any split into parts merged in any order (``==`` on floats,
never ``isclose``).
"""

from __future__ import annotations

import functools
import math
import random
from datetime import datetime, timedelta, timezone
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import example, given
from hypothesis import strategies as st

import csmetrics
from csmetrics.core.exact import (
    exact_std,
    exact_sum,
    exact_sum_of_squares,
    grouped_exact_sums,
    grouped_exact_sums_of_squares,
    moments_of,
    rounded,
)
from csmetrics.core.reduce import reduce_counts, reduce_mean
from csmetrics.core.results import Mean
from csmetrics.core.table import Encoded

T0 = datetime(2026, 3, 2, 9, tzinfo=timezone.utc)

FINITE = st.floats(allow_nan=False, allow_infinity=False)
"""Any finite float64: subnormals, signed zeros and values near the limits too."""

SECONDS = st.floats(min_value=0, max_value=1e7, allow_nan=False)
"""Durations and scores as metrics see them."""


def fraction_sum(values: list[float]) -> Fraction:
    return sum(map(Fraction, values), Fraction(0))


def same_bits(left: float, right: float) -> bool:
    return (math.isnan(left) and math.isnan(right)) or (
        left == right and math.copysign(1, left) == math.copysign(1, right)
    )


# -- the helper against Fraction arithmetic -----------------------------------------------------


@given(st.lists(FINITE, max_size=40))
@example([5e-324, -5e-324, 1.7976931348623157e308, -1.7976931348623157e308, 0.0, -0.0])
@example([1e308, 1e308, -1e308])
def test_exact_sum_is_the_sum_of_the_fractions(values):
    assert exact_sum(values) == fraction_sum(values)
    assert exact_sum_of_squares(values) == sum((Fraction(v) ** 2 for v in values), Fraction(0))


@given(st.lists(st.tuples(FINITE, st.integers(0, 3)), max_size=40))
def test_grouped_sums_are_the_sums_of_each_group(pairs):
    values = [v for v, _ in pairs]
    slot = np.array([s for _, s in pairs], dtype=np.int64)
    sums = grouped_exact_sums(values, slot, 4)
    squares = grouped_exact_sums_of_squares(values, slot, 4)
    for k in range(4):
        mine = [v for v, s in pairs if s == k]
        assert sums[k] == fraction_sum(mine)
        assert squares[k] == sum((Fraction(v) ** 2 for v in mine), Fraction(0))


def test_many_groups_are_numbered_by_the_pairs_that_occur():
    # 3000 groups x 2048 exponents exceed the dense bucket table.
    rng = np.random.default_rng(7)
    values = rng.normal(size=5000) * 10.0 ** rng.integers(-5, 5, 5000)
    slot = rng.integers(0, 3000, 5000)
    sums = grouped_exact_sums(values, slot, 3000)
    assert sums == [fraction_sum(values[slot == k].tolist()) for k in range(3000)]


@given(st.lists(FINITE, min_size=1, max_size=30), st.randoms(use_true_random=False))
def test_exact_sum_is_the_correctly_rounded_sum_in_any_order(values, rnd):
    shuffled = list(values)
    rnd.shuffle(shuffled)
    try:
        expected = math.fsum(values)
    except OverflowError:  # an intermediate sum beyond float64: Fraction's rounding
        total = fraction_sum(values)
        try:
            expected = float(total)
        except OverflowError:
            expected = math.inf if total > 0 else -math.inf
    assert same_bits(rounded(exact_sum(shuffled)), expected + 0.0)


def test_ten_tenths_sum_to_one():
    # numpy adds 0.1 ten times to 0.9999999999999999; the exact sum rounds to 1.
    tenths = np.full(10, 0.1)
    assert float(np.add.accumulate(tenths)[-1]) != 1.0
    assert rounded(exact_sum(tenths)) == 1.0


def test_huge_values_neither_overflow_nor_lose_the_rest():
    assert rounded(exact_sum([1e308, 1e308, -1e308])) == 1e308
    assert rounded(exact_sum([1e308, 1.0, -1e308])) == 1.0
    assert rounded(exact_sum([1e308, 1e308])) == math.inf
    assert rounded(-exact_sum([1e308, 1e308])) == -math.inf


def test_non_finite_values_are_refused():
    with pytest.raises(ValueError, match="finite values, got nan"):
        exact_sum([1.0, math.nan])
    with pytest.raises(ValueError, match="finite values, got inf"):
        exact_sum_of_squares([math.inf])


def test_moments_of_no_values_are_nan_and_zero():
    mean, m2 = moments_of(0, Fraction(0), Fraction(0))
    assert math.isnan(mean)
    assert m2 == 0.0


def test_moments_are_the_exact_moments_rounded_once():
    # 1, 2, 4: mean 7/3, m2 = 21 - 49/3 = 14/3.
    mean, m2 = moments_of(3, Fraction(7), Fraction(21))
    assert mean == 7 / 3
    assert m2 == 14 / 3


def test_std_of_huge_values_is_a_number():
    values = [1e200, -1e200, 3e200]
    std = exact_std(3, exact_sum(values), exact_sum_of_squares(values))
    assert std == pytest.approx(2e200, rel=1e-15)
    result = reduce_mean(Mean, np.array(values), None, None)
    assert math.isinf(result.m2)  # m2 itself is beyond float64 ...
    assert result.std == std  # ... the spread is not


def test_std_needs_two_values():
    assert math.isnan(exact_std(1, Fraction(3), Fraction(9)))
    assert exact_std(2, Fraction(6), Fraction(18)) == 0.0


# -- results: order and partitions ----------------------------------------------------------------


def _mean_bits(result: Mean) -> tuple[float, ...]:
    return (result.mean, result.m2, result.std, result.total)


def _merge_all(parts: list[Mean]) -> Mean:
    return functools.reduce(lambda a, b: a.merge(b), parts)


@given(
    st.lists(st.one_of(SECONDS, FINITE), min_size=1, max_size=40),
    st.randoms(use_true_random=False),
    st.integers(1, 5),
)
@example([0.1] * 10, random.Random(0), 3)
@example([1e308, 1e308], random.Random(0), 2)
def test_mean_has_the_same_bits_in_any_order_and_any_split(values, rnd, nparts):
    arr = np.array(values)
    whole = reduce_mean(Mean, arr, None, None)
    order = list(range(len(values)))
    rnd.shuffle(order)
    shuffled = reduce_mean(Mean, arr[order], None, None)
    assert shuffled == whole
    assert all(map(same_bits, _mean_bits(shuffled), _mean_bits(whole)))
    assign = [rnd.randrange(nparts) for _ in values]
    parts = [
        reduce_mean(Mean, arr[[i for i, p in enumerate(assign) if p == k]], None, None)
        for k in range(nparts)
    ]
    rnd.shuffle(parts)
    merged = _merge_all(parts)
    assert merged == whole
    assert all(map(same_bits, _mean_bits(merged), _mean_bits(whole)))
    assert whole.exact_total == fraction_sum(values)


@given(
    st.lists(st.tuples(SECONDS, st.integers(0, 2)), min_size=1, max_size=40),
    st.randoms(use_true_random=False),
)
def test_grouped_means_and_float_counts_are_order_free(rows, rnd):
    values = np.array([v for v, _ in rows])
    codes = np.array([g for _, g in rows], dtype=np.int64)
    order = list(range(len(rows)))
    rnd.shuffle(order)
    keys = np.array(["a", "b", "c"])
    one = reduce_mean(Mean, values, Encoded(codes, keys), "team")
    two = reduce_mean(Mean, values[order], Encoded(codes[order], keys), "team")
    assert one == two
    for key in one:
        assert all(map(same_bits, _mean_bits(one[key]), _mean_bits(two[key])))


def _sale(customer: str, minutes: int, amount: float, number: int = 0) -> csmetrics.Sale:
    return csmetrics.Sale(
        id=f"s{number}",
        customer_id=customer,
        at=T0 + timedelta(minutes=minutes),
        amount=amount,
    )


def _contact(customer: str, minutes: int) -> csmetrics.Interaction:
    start = T0 + timedelta(minutes=minutes)
    return csmetrics.Interaction(
        id=f"{customer}{minutes}", customer_id=customer, start=start, end=start
    )


@given(
    st.lists(
        st.tuples(st.sampled_from("abc"), st.integers(1, 600), SECONDS), min_size=1, max_size=25
    ),
    st.randoms(use_true_random=False),
)
@example([("a", 1, 0.1)] * 3 + [("a", 2, 0.2)] * 7, random.Random(1))
def test_revenue_has_the_same_bits_in_any_order_and_any_split(sales, rnd):
    contacts = [_contact(c, 0) for c in "abc"]
    records = [_sale(c, m, amount, i) for i, (c, m, amount) in enumerate(sales)]
    options = {"as_of": T0 + timedelta(days=30)}
    whole = csmetrics.sales_after_contact(contacts, records, **options)
    shuffled = list(records)
    rnd.shuffle(shuffled)
    again = csmetrics.sales_after_contact(contacts, shuffled, **options)
    assert again == whole
    assert whole.exact_counts == (fraction_sum([amount for _, _, amount in sales]),)
    parts = [
        csmetrics.sales_after_contact(
            [_contact(c, 0)], [s for s in records if s.customer_id == c], **options
        )
        for c in "abc"
    ]
    rnd.shuffle(parts)
    merged = functools.reduce(lambda a, b: a.merge(b), parts)
    assert merged.counts() == whole.counts()
    assert same_bits(merged.revenue, whole.revenue)


def test_revenue_merge_rounds_once():
    # Parts of 1e16, 1 and 1: added as floats, 1e16 + 1 rounds back to 1e16
    # twice; the exact sums give 1e16 + 2.
    contacts = [_contact("a", 0)]
    as_of = T0 + timedelta(days=30)
    parts = [
        csmetrics.sales_after_contact(contacts, [_sale("a", 1, amount)], as_of=as_of)
        for amount in (1e16, 1.0, 1.0)
    ]
    assert (1e16 + 1.0) + 1.0 == 1e16
    assert parts[0].merge(parts[1]).merge(parts[2]).revenue == 1e16 + 2


def test_float_counts_built_by_hand_merge_as_plain_sums():
    rows = {"numerator": 1, "denominator": 1, "pending": 0, "sales": 1}
    plain = csmetrics.SalesAfterContact(
        **rows, revenue=0.1, window_days=7, as_of=None, metric="sales_after_contact"
    )
    merged = plain.merge(plain).merge(plain)
    assert merged.exact_counts is None
    assert merged.revenue == 0.1 + 0.1 + 0.1  # a plain float sum, rounded twice


def test_exact_counts_must_round_to_the_float_counts():
    rows = {"numerator": 1, "denominator": 1, "pending": 0, "sales": 1, "window_days": 7}
    with pytest.raises(ValueError, match="rounds to revenue"):
        csmetrics.SalesAfterContact(**rows, revenue=0.5, as_of=None, exact_counts=(Fraction(1, 3),))
    with pytest.raises(ValueError, match="one exact sum for each"):
        csmetrics.SalesAfterContact(**rows, revenue=0.5, as_of=None, exact_counts=())


def test_occupancy_seconds_merge_exactly():
    def span(start: int, seconds: float, state: str) -> csmetrics.AgentTime:
        begin = T0 + timedelta(seconds=start)
        return csmetrics.AgentTime(
            agent_id="x", start=begin, end=begin + timedelta(seconds=seconds), state=state
        )

    # 0.1 s of work three times: 300000 us in all, 0.3 s (float adds give 0.30000000000000004).
    parts = [
        csmetrics.occupancy([span(i * 10, 0.1, "handling"), span(i * 10 + 1, 1, "available")])
        for i in range(3)
    ]
    whole = csmetrics.occupancy(
        [
            s
            for i in range(3)
            for s in (span(i * 10, 0.1, "handling"), span(i * 10 + 1, 1, "available"))
        ]
    )
    merged = parts[0].merge(parts[1]).merge(parts[2])
    assert merged.busy_seconds == whole.busy_seconds == 0.3
    assert merged == whole


def test_reduce_counts_sums_float_columns_exactly():
    tenths = np.full(10, 0.1)

    def factory(**fields: float) -> csmetrics.Occupancy:
        return csmetrics.Occupancy(busy_seconds=fields["busy"], available_seconds=fields["idle"])

    result = reduce_counts(factory, {"busy": tenths, "idle": tenths}, None, None)
    assert result.busy_seconds == 1.0


# -- whole numbers: the int64 path against the float path ----------------------------------------

LIMIT = 2**31
WHOLE = st.one_of(
    st.integers(-(LIMIT - 1), LIMIT - 1).map(float),
    st.sampled_from([0.0, -0.0, 1.0, -1.0, LIMIT - 1.0, 1.0 - LIMIT, 65535.0, 65536.0, -65537.0]),
)


def _float_path(values, slot=None, nslots=1, *, squares=False):
    from unittest import mock

    from csmetrics.core import exact

    with mock.patch.object(exact, "_whole", return_value=None):
        return exact._sums(values, slot, nslots, squares=squares)


@pytest.mark.parametrize("float_bits", [53, 20, 8])
def test_whole_numbers_take_the_int_path_with_the_float_paths_sums(float_bits):
    # Fewer bits per float force the grouped sums into several pieces each.
    from unittest import mock

    from csmetrics.core import exact

    with mock.patch.object(exact, "_FLOAT_BITS", float_bits):
        _check_whole_numbers()


@given(st.lists(st.tuples(WHOLE, st.integers(0, 3)), max_size=60))
@example([(LIMIT - 1.0, 0)] * 40 + [(1.0 - LIMIT, 1)] * 3 + [(-0.0, 2)])
def _check_whole_numbers(pairs):
    from csmetrics.core.exact import (
        _whole,
        exact_sum_and_squares,
        grouped_exact_sums_and_squares,
    )

    values = np.array([v for v, _ in pairs], dtype=np.float64)
    slot = np.array([s for _, s in pairs], dtype=np.intp)
    assert (_whole(values) is not None) == bool(len(values))
    assert exact_sum_and_squares(values) == (exact_sum(values), exact_sum_of_squares(values))
    assert grouped_exact_sums_and_squares(values, slot, 4) == (
        _float_path(values, slot, 4),
        _float_path(values, slot, 4, squares=True),
    )
    for squares in (False, True):
        whole = exact_sum_of_squares(values) if squares else exact_sum(values)
        assert whole == _float_path(values, squares=squares)[0]
        grouped = (grouped_exact_sums_of_squares if squares else grouped_exact_sums)(
            values, slot, 4
        )
        assert grouped == _float_path(values, slot, 4, squares=squares)
        assert grouped == [
            sum((Fraction(v) ** (2 if squares else 1) for v, s in pairs if s == k), Fraction(0))
            for k in range(4)
        ]


@pytest.mark.parametrize(
    "values",
    [
        [1.0, 2.5],  # a fraction
        [float(LIMIT), 1.0],  # too large for int64 squares
        [-float(LIMIT), 1.0],
        [1.0] * 2000 + [0.5],  # a fraction after the first rows looked at
    ],
)
def test_values_that_are_not_small_whole_numbers_take_the_float_path(values):
    from csmetrics.core.exact import _whole, exact_sum_and_squares

    arr = np.array(values)
    assert _whole(arr) is None
    squares = sum((Fraction(v) ** 2 for v in values), Fraction(0))
    assert exact_sum_and_squares(arr) == (fraction_sum(values), squares)
    assert exact_sum(arr) == fraction_sum(values)
    assert exact_sum_of_squares(arr) == squares


@pytest.mark.parametrize("values", [[1.0, math.nan], [1.0] * 2000 + [math.inf], [-math.inf]])
def test_non_finite_values_are_not_whole_numbers_and_are_refused(values):
    from csmetrics.core.exact import _whole, exact_sum_and_squares

    assert _whole(np.array(values)) is None
    for total in (exact_sum, exact_sum_of_squares, exact_sum_and_squares):
        with pytest.raises(ValueError, match="finite"):
            total(values)


def test_whole_number_sums_hand_computed():
    # 3 + 5 - 2 = 6; 9 + 25 + 4 = 38; by group: {3, -2} and {5}.
    values = np.array([3.0, 5.0, -2.0])
    slot = np.array([0, 1, 0])
    assert exact_sum(values) == 6
    assert exact_sum_of_squares(values) == 38
    assert grouped_exact_sums(values, slot, 2) == [1, 5]
    assert grouped_exact_sums_of_squares(values, slot, 2) == [13, 25]


@pytest.mark.parametrize("summed", [4096, 0])
def test_a_breakdowns_overall_mean_is_the_mean_of_all_values(summed):
    # Its exact sums are the groups' sums added up (a few groups) or summed
    # again from the values (many): the same bits as the mean without by=.
    from unittest import mock

    from csmetrics.core import reduce

    @given(st.lists(st.tuples(st.one_of(SECONDS, WHOLE), st.integers(0, 2)), max_size=40))
    def check(rows):
        values = np.array([v for v, _ in rows], dtype=np.float64)
        codes = np.array([g for _, g in rows], dtype=np.int64)
        group = Encoded(codes, np.array(["a", "b", "c"]))
        with mock.patch.object(reduce, "_GROUPS_SUMMED", summed):
            breakdown = reduce_mean(Mean, values, group, "team")
        alone = reduce_mean(Mean, values, None, None)
        assert breakdown.overall == alone
        assert all(map(same_bits, _mean_bits(breakdown.overall), _mean_bits(alone)))

    check()
