"""Exact, order-free sums of float64 values.

Every sum a result reports (a mean's total and squares, revenue, seconds) is
the exact sum of its float64 values, kept as a `fractions.Fraction` and
rounded once, to nearest, when shown as a float. So the number depends only
on the multiset of values: not on the order of the rows, not on how the data
was split into parts, and not on the order parts were merged in. A plain
``numpy.sum`` rounds after every addition, and its pairwise order changes
with the row order, so the same data could give a mean one bit apart.

How the exact sum stays vectorised: every float64 ``x`` splits exactly into
``hi + lo`` with at most 26 significant bits each (Veltkamp's split, Dekker
1971). Values with the same binary exponent then have ``hi`` parts that are
all multiples of one power of two and at most ``2**26`` times it, and so
do their ``lo`` parts; adding fewer than ``2**26`` of them in float64 keeps
every partial sum below ``2**52`` units, so one ``numpy.bincount`` per part,
bucketed by exponent, adds them exactly. The
bucket totals, at most a few thousand, are then added as Python integers
(every float64 is a whole multiple of ``2**-1074``). Values too tiny or too
huge for the split are scaled by a power of two first, which is exact.
Squares are first made exact pairs ``p + e`` (Dekker's TwoProduct) and
summed the same way.

Whole numbers below 2**31 in magnitude (seconds recorded to the second,
counts, cents) take a shorter path with the same exact result: they are
int64 without rounding, their sum cannot overflow int64 below 2**32 values,
and their squares (below 2**62) are summed in int64 halves; per slot,
`numpy.bincount` adds them in pieces small enough for float64 to add
exactly (every partial sum below 2**53).

References: Dekker, T. J. (1971). "A floating-point technique for extending
the available precision". Numerische Mathematik 18, 224-242. Shewchuk, J. R.
(1997). "Adaptive precision floating-point arithmetic and fast robust
geometric predicates". Discrete & Computational Geometry 18, 305-363.
"""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
import numpy.typing as npt

__all__ = [
    "ZERO",
    "exact_std",
    "exact_sum",
    "exact_sum_and_squares",
    "exact_sum_of_squares",
    "grouped_exact_sums",
    "grouped_exact_sums_and_squares",
    "grouped_exact_sums_of_squares",
    "moments_of",
    "rounded",
]

F64 = npt.NDArray[np.float64]
I64 = npt.NDArray[np.int64]
Bool = npt.NDArray[np.bool_]
Slots = npt.NDArray[np.intp]

ZERO = Fraction(0)
"""The exact sum of no values."""

_SPLIT = float(2**27 + 1)
_BUCKETS = 2048
# A bucket's float total stays exact while it adds fewer than 2**26 parts.
_FLUSH = 1 << 25
# Rows per step: small enough for the temporaries to stay in cache.
_CHUNK = 1 << 16
# More (group, exponent) buckets than this are numbered by the pairs that occur.
_WIDE = 1 << 20
# Biased exponents of the values each kernel takes unscaled. Summing: below
# 2**900 the split cannot overflow; above 2**-900 its parts are normal.
# Squaring: within 2**+-400 a square and its rounding error (Dekker's
# TwoProduct) are normal numbers in the summing range. Other values are
# scaled by 2**700 or 2**-700 first, which is exact for every float64.
_SUM_RANGE = (1023 - 900, 1023 + 900)
_SQUARE_RANGE = (1023 - 400, 1023 + 400)
_SHIFT = 700
# Every float64 is a whole multiple of the smallest subnormal, 2**-1074.
_UNIT_BITS = 1074
_UNIT = 1 << _UNIT_BITS


def rounded(total: Fraction) -> float:
    """The float nearest to an exact value (ties to even); +-inf beyond float64."""
    try:
        return float(total)
    except OverflowError:
        return math.inf if total > 0 else -math.inf


def _fields(values: F64) -> Slots:
    """The biased binary exponent of each value (0 for zero and subnormals)."""
    field: Slots = (values.view(np.uint64) >> np.uint64(52)).astype(np.intp)
    field &= 0x7FF
    return field


def _split(values: F64) -> tuple[F64, F64]:
    """Veltkamp's split: ``values = hi + lo`` exactly, each with at most 26 significant bits."""
    t = values * _SPLIT
    hi = t - (t - values)
    return hi, values - hi


def _pieces(values: F64, *, squares: bool) -> F64:
    """The values, or their squares each as two floats ``p + e`` (TwoProduct), exactly."""
    if not squares:
        return values
    p = values * values
    hi, lo = _split(values)
    e = ((hi * hi - p) + 2.0 * hi * lo) + lo * lo
    return np.concatenate((p, e))


def _bucket_sums(values: F64, slot: Slots | None, nslots: int, *, squares: bool) -> list[Fraction]:
    """Exact sums per slot of values (or their squares) in the unscaled range."""
    width = _BUCKETS * (1 if slot is None else nslots)
    owner: Slots = np.arange(width, dtype=np.intp) // _BUCKETS
    compress = None
    if width > _WIDE:
        # Many groups: number only the (group, exponent) pairs that occur.
        assert slot is not None
        compress = np.unique(
            _fields(_pieces(values, squares=squares)) + _twice(slot, squares=squares) * _BUCKETS
        )
        owner, width = compress // _BUCKETS, len(compress)
    totals = [0] * nslots
    hs, ls = np.zeros(width), np.zeros(width)
    pending = 0
    # Each step adds its bucket counts to all ``width`` totals: take enough rows.
    chunk = max(_CHUNK, 4 * width)
    for start in range(0, len(values), chunk):
        stop = min(start + chunk, len(values))
        pieces = _pieces(values[start:stop], squares=squares)
        key = _fields(pieces)
        if slot is not None:
            key += _twice(slot[start:stop], squares=squares) * _BUCKETS
        if compress is not None:
            key = np.searchsorted(compress, key)
        hi, lo = _split(pieces)
        hs += np.bincount(key, weights=hi, minlength=width)
        ls += np.bincount(key, weights=lo, minlength=width)
        pending += len(pieces)
        if pending >= _FLUSH or stop == len(values):
            _flush(totals, owner, hs, ls)
            pending = 0
    return [Fraction(total, _UNIT) for total in totals]


def _twice(slot: Slots, *, squares: bool) -> Slots:
    """The slots of `_pieces`: each slot twice over for squares (``p`` then ``e``)."""
    return np.concatenate((slot, slot)) if squares else slot


def _flush(totals: list[int], owner: Slots, hs: F64, ls: F64) -> None:
    """Add the exact bucket totals to ``totals`` (per slot, in units of ``2**-1074``).

    Every float64 is a whole multiple of ``2**-1074``, so the totals are ints.
    Resets the buckets.
    """
    for arr in (hs, ls):
        used = np.flatnonzero(arr)
        for slot, total in zip(owner[used].tolist(), arr[used].tolist(), strict=True):
            numerator, denominator = total.as_integer_ratio()
            totals[slot] += numerator << (_UNIT_BITS + 1 - denominator.bit_length())
        arr[:] = 0.0


# Whole numbers below 2**31 in magnitude (seconds up to 68 years, counts,
# cents) are summed as int64: their squares stay below 2**62.
_INT_LIMIT = 2.0**31
# With fewer rows than this, no int64 sum of pieces below 2**31 can overflow.
_INT_ROWS = 1 << 32
# A float64 holds every whole number below 2**53 exactly.
_FLOAT_BITS = 53
# Rows looked at first, to leave values with fractions to the float path at once.
_INT_PROBE = 1024


def _whole(arr: F64) -> tuple[I64, int] | None:
    """``arr`` as int64 and its largest magnitude, when every value is a whole number below 2**31.

    None otherwise. NaN and infinities are not whole numbers (the float path
    refuses them). The first rows are looked at first, so values with
    fractions cost little.
    """
    if not len(arr) or len(arr) >= _INT_ROWS:
        return None
    for part in (arr[:_INT_PROBE], arr):
        low, high = part.min(), part.max()
        if not (low > -_INT_LIMIT and high < _INT_LIMIT):
            return None
        ints = part.astype(np.int64)
        if not np.array_equal(ints, part):
            return None
    return ints, max(-int(low), int(high))


def _int_totals(
    whole: tuple[I64, int], values: F64, slot: Slots | None, nslots: int, *, squares: bool
) -> list[Fraction]:
    """Exact sums (of values or squares) per slot of whole numbers below 2**31 (`_whole`).

    ``whole`` is `_whole` of ``values``: the values as int64 and their
    largest magnitude. Without slots, ``numpy.sum`` adds the int64 values
    with no overflow (fewer than 2**32 rows); their squares (below 2**62)
    wrap around in int64, so their sum is the sum of their high parts
    (``>> 31``, no overflow) shifted back, plus the low parts' sum, which is
    the wrapped total minus that, modulo 2**64. With slots, `numpy.bincount`
    adds them in float64, cut into as few pieces of bits as keep every
    partial sum below 2**53 (exact): one piece when the largest magnitude
    times the number of rows is below 2**53. One piece is the float64 values
    themselves, or their float64 squares, which are exact below 2**53.
    """
    ints, largest = whole
    if slot is None:
        if not squares:
            return [Fraction(int(ints.sum()))]
        ints = ints * ints
        high = int((ints >> 31).sum()) << 31
        return [Fraction(high + (int(ints.sum()) - high) % (1 << 64))]
    if squares:
        largest *= largest
    bits = _FLOAT_BITS - len(ints).bit_length()
    count = max(1, -(-largest.bit_length() // bits))
    if count == 1:
        weights = values * values if squares else values
        sums = np.bincount(slot, weights=weights, minlength=nslots).tolist()
        return [Fraction(int(total)) for total in sums]
    if squares:
        ints = ints * ints
    totals = [0] * nslots
    for i in range(count):
        piece = ints >> (bits * i) if i else ints
        if i < count - 1:
            piece = piece & ((1 << bits) - 1)
        sums = np.bincount(slot, weights=piece, minlength=nslots).tolist()
        for s, total in enumerate(sums):
            totals[s] += int(total) << (bits * i)
    return [Fraction(total) for total in totals]


def _sums_and_squares(
    values: npt.ArrayLike, slot: npt.ArrayLike | None, nslots: int
) -> tuple[list[Fraction], list[Fraction]]:
    """`_sums` of the values and of their squares, the whole numbers checked once."""
    arr = np.ascontiguousarray(values, dtype=np.float64).reshape(-1)
    slots = None if slot is None else np.asarray(slot, dtype=np.intp).reshape(-1)
    whole = _whole(arr)
    if whole is not None:
        return (
            _int_totals(whole, arr, slots, nslots, squares=False),
            _int_totals(whole, arr, slots, nslots, squares=True),
        )
    return _sums(arr, slots, nslots), _sums(arr, slots, nslots, squares=True)


def _sums(
    values: npt.ArrayLike, slot: npt.ArrayLike | None, nslots: int, *, squares: bool = False
) -> list[Fraction]:
    """Exact sums (of values or their squares) per slot, scaling values out of range."""
    arr = np.ascontiguousarray(values, dtype=np.float64).reshape(-1)
    slots = None if slot is None else np.asarray(slot, dtype=np.intp).reshape(-1)
    whole = _whole(arr)
    if whole is not None:
        return _int_totals(whole, arr, slots, nslots, squares=squares)
    if len(arr) and not np.isfinite(arr).all():
        bad = float(arr[~np.isfinite(arr)][0])
        msg = f"an exact sum needs finite values, got {bad!r}"
        raise ValueError(msg)
    low, high = _SQUARE_RANGE if squares else _SUM_RANGE
    field = _fields(arr)
    tiny = (field < low) & (arr != 0)
    huge = field >= high
    if not (tiny.any() or huge.any()):
        return _bucket_sums(arr, slots, nslots, squares=squares)
    totals = [ZERO] * nslots
    for mask, shift in ((~(tiny | huge), 0), (tiny, _SHIFT), (huge, -_SHIFT)):
        if not mask.any():
            continue
        part = np.ldexp(arr[mask], shift)
        part_slot = None if slots is None else slots[mask]
        scale = Fraction(2) ** (-shift * (2 if squares else 1))
        for i, total in enumerate(_bucket_sums(part, part_slot, nslots, squares=squares)):
            if total:
                totals[i] += total * scale
    return totals


def exact_sum(values: npt.ArrayLike) -> Fraction:
    """The exact sum of float64 values (finite; ValueError otherwise).

    ``rounded(exact_sum(x))`` is ``math.fsum(x)``: the correctly rounded sum,
    the same bits for any order of ``x``.

    >>> from fractions import Fraction
    >>> exact_sum([0.1, 0.2, 0.3]) == Fraction(0.1) + Fraction(0.2) + Fraction(0.3)
    True
    >>> rounded(exact_sum([1e308, 1e308, -1e308]))
    1e+308
    """
    return _sums(values, None, 1)[0]


def exact_sum_of_squares(values: npt.ArrayLike) -> Fraction:
    """The exact sum of the squares of float64 values (finite; ValueError otherwise).

    >>> exact_sum_of_squares([0.1, 3.0]) == Fraction(0.1) ** 2 + 9
    True
    """
    return _sums(values, None, 1, squares=True)[0]


def exact_sum_and_squares(values: npt.ArrayLike) -> tuple[Fraction, Fraction]:
    """``(exact_sum(values), exact_sum_of_squares(values))``, checking the values once."""
    sums, squares = _sums_and_squares(values, None, 1)
    return sums[0], squares[0]


def grouped_exact_sums_and_squares(
    values: npt.ArrayLike, slot: I64, nslots: int
) -> tuple[list[Fraction], list[Fraction]]:
    """``grouped_exact_sums`` and ``grouped_exact_sums_of_squares``, checking the values once."""
    return _sums_and_squares(values, slot, nslots)


def grouped_exact_sums(values: npt.ArrayLike, slot: I64, nslots: int) -> list[Fraction]:
    """``exact_sum`` of the values of each slot ``0 .. nslots - 1``, in slot order."""
    return _sums(values, slot, nslots)


def grouped_exact_sums_of_squares(values: npt.ArrayLike, slot: I64, nslots: int) -> list[Fraction]:
    """``exact_sum_of_squares`` of the values of each slot, in slot order."""
    return _sums(values, slot, nslots, squares=True)


def moments_of(n: int, total: Fraction, squares: Fraction) -> tuple[float, float]:
    """``(mean, m2)`` of ``n`` values from their exact sum and sum of squares.

    ``mean = total / n`` and ``m2 = squares - total**2 / n`` (the sum of
    squared deviations from the mean) are computed exactly and rounded once,
    so both are the float nearest to the true moments of the float64 data.
    ``(nan, 0.0)`` when ``n`` is 0.
    """
    if not n:
        return math.nan, 0.0
    return rounded(total / n), rounded(squares - total * total / n)


def exact_std(n: int, total: Fraction, squares: Fraction) -> float:
    """The sample standard deviation (ddof 1) from exact sums, even beyond float64 squares.

    ``sqrt((squares - total**2 / n) / (n - 1))``: the variance is exact and
    scaled by a power of four into float range before the square root, so a
    spread of values near 1e200 is a number, not inf. nan when ``n < 2``.
    """
    if n < 2:
        return math.nan
    variance = (squares - total * total / n) / (n - 1)
    if not variance:
        return 0.0
    half = (variance.numerator.bit_length() - variance.denominator.bit_length()) // 2
    return math.ldexp(math.sqrt(rounded(variance / Fraction(4) ** half)), half)
