"""Result objects: a value plus the counts it came from.

Results are frozen. ``float(result)`` is the headline value; the counts
(numerator and denominator, promoters/passives/detractors, n and moments) are
kept so results can be merged across partitions, compared and given intervals.
``a.merge(b)`` adds the counts of two disjoint parts and refuses results
computed with different definition parameters.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping, Sequence
from datetime import datetime, timedelta
from fractions import Fraction
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, ClassVar, Generic, Literal, TypedDict, TypeVar, overload

import attrs
import numpy as np
import numpy.typing as npt

from csmetrics.core import display
from csmetrics.core import html as html_table
from csmetrics.core.check import check_min_n, is_number, option
from csmetrics.core.exact import exact_std, moments_of, rounded
from csmetrics.core.frames import ToFrame
from csmetrics.core.model import Key, PeriodLike, Window, as_window
from csmetrics.core.stats import (
    BandMethod,
    ConfidenceInterval,
    KMSteps,
    RateMethod,
    _km_curve_of_steps,
    _km_quantile_interval_of_steps,
    _km_quantile_se_of_steps,
    _km_steps_of_counts,
    _probability,
    km_quantile,
    rate_interval,
    t_interval,
)

if TYPE_CHECKING:
    from csmetrics.core.calendar import BusinessCalendar

__all__ = [
    "ARRAY_EQ",
    "MIN_N",
    "Breakdown",
    "Censoring",
    "Durations",
    "Mean",
    "Moments",
    "Rate",
    "Result",
    "TimeMean",
    "check_durations",
    "distinct_counts",
    "durations_array",
    "exact_counts_of",
    "merge_runs",
    "merged_exact",
    "no_durations",
    "repeated_sum",
    "runs_of",
    "sorted_runs",
    "unit_of",
]


def check_count(inst: object, attribute: attrs.Attribute[int], value: int) -> None:
    """Attrs validator of a count field: an int >= 0 (bool refused)."""
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        msg = f"{attribute.name}={value!r}: a count must be an int >= 0"
        raise ValueError(msg)


R = TypeVar("R", bound="Result")

MIN_N: Mapping[str, int] = MappingProxyType({"rate": 30, "mean": 30, "durations": 30, "nps": 100})
"""Default smallest sample for a result to be reliable, by kind of result.

The sample is a rate's denominator, an NPS's answers, a mean's values, a
duration's units (`Result.sample_size`).

- ``"rate"``, 30: below about 30 a rate near 80% has fewer than five expected
  failures, the usual floor for the normal approximations behind `compare`;
  the 95% interval of 24/30 is still 63% to 90%.
- ``"mean"`` and ``"durations"``, 30: the usual rule of thumb for Student's t
  on skewed data such as handle times.
- ``"nps"``, 100: one NPS answer moves the score by up to 100 / n points and
  its standard deviation is up to 100 points, so with 100 answers the 95%
  interval is still about +/- 15 points wide; below that, period-to-period
  swings are mostly noise.
"""


def _as_period(value: PeriodLike | None) -> Window | None:
    return as_window("period", value, optional=True)


def _nan_as_none(value: float) -> float | None:
    """Comparison key where nan equals nan: two empty means are equal (and hash alike)."""
    return None if math.isnan(value) else value


# Every result class says order=False: Result orders results by value, and
# attrs (or type checkers reading attrs) must not put field-wise ordering on top.
@attrs.frozen(order=False, kw_only=True, repr=False)
class Result:
    """Base of every result: merge, repr, notebook display, and use as a number.

    Subclasses list their additive counts in ``_counts`` and the definition
    parameters that must agree for a merge in ``_params``.

    A result stands for its headline value where that is unambiguous:
    ``float(r)``, ``round(r, 3)``, ``f"{r:.1%}"`` (a format spec formats the
    value; an empty one gives the repr), and ``<``, ``<=``, ``>``, ``>=``
    against numbers and against results of the same metric, so ``sorted``
    orders results of one metric by value. Equality stays exact: two results
    are equal when every count and parameter is, never a result and a number.
    Comparing results of different metrics is a TypeError.

    >>> from csmetrics import Rate
    >>> r = Rate(numerator=17, denominator=20, metric="csat")
    >>> f"{r:.1%}", round(r, 2), r > 0.8, r == 0.85
    ('85.0%', 0.85, True, False)
    >>> sorted([r, Rate(numerator=1, denominator=2, metric="csat")])[0].value
    0.5
    """

    _counts: ClassVar[tuple[str, ...]] = ()
    _params: ClassVar[tuple[str, ...]] = ()
    _unit: ClassVar[str] = "mean"
    """The unit the value is shown in (`csmetrics.core.display.number`)."""
    _unit_fields: ClassVar[tuple[str, ...]] = ("value",)
    """The shown fields in the value's unit (a mean's ``std``, a quantile)."""
    _seconds_fields: ClassVar[tuple[str, ...]] = ()
    """The shown fields that are seconds, whatever the value's unit."""
    _exact: ClassVar[tuple[str, ...]] = ()
    """Float counts (money, seconds) whose exact sums are kept in ``exact_counts``.

    A class that names any declares ``exact_counts: tuple[Fraction, ...] |
    None``, in this order; `merge` adds the exact sums and rounds each once,
    so merged float counts do not depend on the order or grouping of merges.
    """

    period: Window | None = attrs.field(default=None, converter=_as_period)
    """The period the result covers; None for all data (or merged periods)."""

    @property
    def value(self) -> float:
        """The headline value; nan when undefined."""
        raise NotImplementedError

    @property
    def is_defined(self) -> bool:
        """Whether the value is a number (not nan)."""
        return not math.isnan(self.value)

    def __float__(self) -> float:
        return self.value

    def __format__(self, spec: str) -> str:
        return format(self.value, spec) if spec else str(self)

    @overload
    def __round__(self) -> int: ...

    @overload
    def __round__(self, ndigits: int) -> float: ...

    def __round__(self, ndigits: int | None = None) -> float:
        return round(self.value) if ndigits is None else round(self.value, ndigits)

    def _other_value(self, other: object) -> float | None:
        """The value ``other`` compares as: a number, or a result of the same metric."""
        if isinstance(other, Result):
            same = type(other) is type(self) and getattr(other, "metric", None) == getattr(
                self, "metric", None
            )
            return other.value if same else None
        return float(other) if is_number(other) else None  # type: ignore[arg-type]

    def __lt__(self, other: object) -> bool:
        value = self._other_value(other)
        return NotImplemented if value is None else self.value < value

    def __le__(self, other: object) -> bool:
        value = self._other_value(other)
        return NotImplemented if value is None else self.value <= value

    def __gt__(self, other: object) -> bool:
        value = self._other_value(other)
        return NotImplemented if value is None else self.value > value

    def __ge__(self, other: object) -> bool:
        value = self._other_value(other)
        return NotImplemented if value is None else self.value >= value

    @property
    def sample_size(self) -> int | None:
        """The number of units behind the value; None where that is not a sample."""
        return None

    @property
    def default_min_n(self) -> int | None:
        """The smallest sample this kind of result is reliable at (`MIN_N`)."""
        return None

    def is_reliable(self, *, min_n: int | None = None) -> bool:
        """Whether the sample reaches ``min_n`` (default: `default_min_n`).

        Results that are not samples (uptime of a period, occupancy seconds)
        are always reliable. Unreliable results are still correct counts; they
        are too small to act on.
        """
        given = check_min_n(min_n)
        threshold = self.default_min_n if given is None else given
        size = self.sample_size
        return size is None or threshold is None or size >= threshold

    def counts(self) -> dict[str, Any]:
        """The counts behind the value, by name."""
        return {name: getattr(self, name) for name in self._counts}

    def params(self) -> dict[str, Any]:
        """The definition parameters used, by name."""
        return {name: getattr(self, name) for name in self._params}

    def _check_mergeable(self, other: Result) -> None:
        if type(other) is not type(self):
            msg = f"cannot merge {type(self).__name__} with {type(other).__name__}"
            raise ValueError(msg)
        if self.params() != other.params():
            msg = (
                "cannot merge results computed with different parameters: "
                f"{self.params()} != {other.params()}"
            )
            if self.params().get("as_of") != other.params().get("as_of"):
                msg += "; compute every part with the same explicit as_of="
            raise ValueError(msg)

    def _merged_fields(self, other: Result) -> dict[str, Any]:
        merged = {name: getattr(self, name) + getattr(other, name) for name in self._counts}
        if self._exact:
            merged.update(merged_exact(self, other))
        return merged

    def merge(self: R, other: R, /) -> R:
        """Combine the results of two disjoint parts into the result of both.

        Counts add up; definition parameters must be equal (ValueError
        otherwise). Results for different periods merge, and the merged result
        has ``period=None``.
        """
        self._check_mergeable(other)
        period = self.period if self.period == other.period else None
        return attrs.evolve(self, period=period, **self._merged_fields(other))

    def _fields(self) -> dict[str, Any]:
        out: dict[str, Any] = {"value": self.value, **self.counts(), **self.params()}
        if self.period is not None:
            out["period"] = self.period
        return out

    def _shown(self, *, quote: bool = True) -> dict[str, str]:
        """The fields as a person reads them: rounded, with units, unset parameters left out.

        The value (and the fields in its unit) by `csmetrics.core.display.number`,
        everything else by `csmetrics.core.display.value_text`; ``metric`` is
        left out where the class is named after it (``FCR(metric='fcr')``).
        """
        shown: dict[str, str] = {}
        redundant = type(self).__name__.lower()
        for key, value in self._fields().items():
            if value is None or (key == "metric" and value == redundant):
                continue
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                if key in self._unit_fields:
                    shown[key] = display.number(float(value), self._unit)
                    continue
                if key in self._seconds_fields:
                    shown[key] = display.seconds_text(float(value))
                    continue
            plain = isinstance(value, str) and not quote
            shown[key] = value if plain else display.value_text(value)
        return shown

    def __repr__(self) -> str:
        inner = ", ".join(f"{k}={v}" for k, v in self._shown().items())
        return f"{type(self).__name__}({inner})"

    def _repr_html_(self) -> str:
        return html_table.fields(type(self).__name__, self._shown(quote=False))


def merged_exact(a: Result, b: Result) -> dict[str, Any]:
    """The float counts named in ``_exact`` and ``exact_counts`` of two merged results.

    With both exact sums known, each float count is the sum of the exact sums
    rounded once; otherwise ``exact_counts`` is None and the float counts
    are the plain sums `Result.merge` computed.
    """
    mine: tuple[Fraction, ...] | None = getattr(a, "exact_counts", None)
    theirs: tuple[Fraction, ...] | None = getattr(b, "exact_counts", None)
    if mine is None or theirs is None:
        return {"exact_counts": None}
    sums = tuple(x + y for x, y in zip(mine, theirs, strict=True))
    return {"exact_counts": sums} | {
        name: rounded(total) for name, total in zip(a._exact, sums, strict=True)
    }


def exact_counts_of(inst: Result, attribute: attrs.Attribute[Any], value: Any) -> None:
    """Attrs validator of ``exact_counts``: None, or one fraction per name in ``_exact``."""
    if value is None:
        return
    names = type(inst)._exact
    if not isinstance(value, tuple) or len(value) != len(names):
        msg = f"exact_counts={value!r}: give one exact sum for each of {names}"
        raise ValueError(msg)
    for name, total in zip(names, value, strict=True):
        if not isinstance(total, Fraction) or rounded(total) != getattr(inst, name):
            msg = f"exact_counts: {total!r} is not an exact sum that rounds to {name}"
            raise ValueError(msg)


def unit_of(result: Result) -> str:
    """The unit a result's value is shown in: ``"fraction"``, ``"points"``, ``"seconds"``...

    ``"mean"`` for any other value.

    The unit of `csmetrics.core.display.number`; a result's repr, its
    comparisons and target checks show their numbers in it.
    """
    return result._unit


@attrs.frozen(order=False, kw_only=True, repr=False)
class Rate(Result):
    """A share of successes: ``numerator / denominator``, a fraction in [0, 1].

    ``metric`` names what was counted (e.g. ``"resolution_rate"``); results of
    different metrics never merge.
    """

    _counts: ClassVar[tuple[str, ...]] = ("numerator", "denominator")
    _params: ClassVar[tuple[str, ...]] = ("metric",)
    _unit: ClassVar[str] = "fraction"

    numerator: int = attrs.field(validator=check_count)
    denominator: int = attrs.field(validator=check_count)
    metric: str = "rate"

    def __attrs_post_init__(self) -> None:
        if self.numerator > self.denominator:
            msg = f"numerator {self.numerator} exceeds denominator {self.denominator}"
            raise ValueError(msg)

    @property
    def sample_size(self) -> int:
        """The denominator."""
        return self.denominator

    @property
    def default_min_n(self) -> int:
        """``MIN_N["rate"]``."""
        return MIN_N["rate"]

    @property
    def value(self) -> float:
        """``numerator / denominator``; nan when the denominator is 0."""
        return self.numerator / self.denominator if self.denominator else math.nan

    @property
    def percent(self) -> float:
        """The value in percent (0..100)."""
        return 100 * self.value

    def ci(
        self, *, confidence_level: float = 0.95, method: RateMethod = "wilson"
    ) -> ConfidenceInterval:
        """Confidence interval for the rate; see `csmetrics.core.stats.rate_interval`."""
        return rate_interval(
            self.numerator,
            self.denominator,
            confidence_level=confidence_level,
            method=method,
        )


class Moments(TypedDict):
    """The fields a `Mean` is built from: its moments and exact sums."""

    n: int
    mean: float
    m2: float
    exact_total: Fraction | None
    exact_squares: Fraction | None


@attrs.frozen(order=False, kw_only=True, repr=False)
class Mean(Result):
    """An average with its spread: ``n``, ``mean`` and ``m2``.

    ``m2`` is the sum of squared deviations from the mean.

    A mean computed by a metric also keeps ``exact_total`` and
    ``exact_squares``, the exact sum and sum of squares of its values
    (`fractions.Fraction`, `csmetrics.core.exact`); ``mean`` and ``m2`` are
    derived from them exactly and rounded once. So the numbers depend only
    on the values, never on their order, and merging adds the exact sums:
    the merge of any split of the data, in any order, has the same bits as
    the mean of the whole. A mean built from ``n``, ``mean`` and ``m2``
    alone (no exact sums) merges by Chan, Golub & LeVeque's pairwise update,
    accurate but rounded at each merge.
    """

    _counts: ClassVar[tuple[str, ...]] = ("n", "mean", "m2")
    _params: ClassVar[tuple[str, ...]] = ("metric",)
    _unit_fields: ClassVar[tuple[str, ...]] = ("value", "std")

    n: int = attrs.field(validator=check_count)
    mean: float = attrs.field(default=math.nan, eq=_nan_as_none)
    m2: float = 0.0
    metric: str = "mean"
    exact_total: Fraction | None = None
    """The exact sum of the values; None for a mean built from its moments only."""
    exact_squares: Fraction | None = None
    """The exact sum of the squares of the values; None like ``exact_total``."""

    @classmethod
    def moment_fields(cls, n: int, total: Fraction, squares: Fraction) -> Moments:
        """The fields of a mean of ``n`` values with exact sum ``total`` and squares ``squares``.

        >>> Mean(**Mean.moment_fields(2, Fraction(3), Fraction(5))).value
        1.5
        """
        mean, m2 = moments_of(n, total, squares)
        return Moments(n=n, mean=mean, m2=m2, exact_total=total, exact_squares=squares)

    def moments(self) -> Moments:
        """The mean's ``n``, ``mean``, ``m2`` and exact sums, to build another result from."""
        return Moments(
            n=self.n,
            mean=self.mean,
            m2=self.m2,
            exact_total=self.exact_total,
            exact_squares=self.exact_squares,
        )

    @property
    def value(self) -> float:
        """The mean; nan when ``n`` is 0."""
        return self.mean if self.n else math.nan

    @property
    def sample_size(self) -> int:
        """The number of values."""
        return self.n

    @property
    def default_min_n(self) -> int:
        """``MIN_N["mean"]``."""
        return MIN_N["mean"]

    @property
    def total(self) -> float:
        """Sum of the values: the exact sum rounded once, else ``n * mean``."""
        if self.exact_total is not None:
            return rounded(self.exact_total)
        return self.n * self.mean if self.n else 0.0

    @property
    def std(self) -> float:
        """Sample standard deviation (ddof 1); nan when ``n < 2``."""
        if self.n < 2:
            return math.nan
        variance = self.m2 / (self.n - 1)
        if math.isinf(variance) and self.exact_total is not None and self.exact_squares is not None:
            return exact_std(self.n, self.exact_total, self.exact_squares)
        return math.sqrt(variance)

    def ci(self, *, confidence_level: float = 0.95) -> ConfidenceInterval:
        """Student t interval; see `csmetrics.core.stats.t_interval`.

        A mean of answers on a bounded scale (a subclass with a ``scale``
        field: CES, ratings) has its interval clipped to the scale, which the
        mean cannot leave.
        """
        ci = t_interval(self.value, self.std, self.n, confidence_level=confidence_level)
        scale = getattr(self, "scale", None)
        if scale is None:
            return ci
        low, high = scale
        return attrs.evolve(ci, low=max(ci.low, float(low)), high=min(ci.high, float(high)))

    def _fields(self) -> dict[str, Any]:
        # The moments are for merging; a person reads the value and the spread.
        out = super()._fields()
        del out["mean"], out["m2"]
        return {"value": out.pop("value"), "n": out.pop("n"), "std": self.std, **out}

    def _merged_fields(self, other: Result) -> dict[str, Any]:
        assert isinstance(other, Mean)
        # Counts a subclass adds beyond the moments simply add up.
        merged = {
            name: getattr(self, name) + getattr(other, name)
            for name in self._counts
            if name not in ("n", "mean", "m2")
        }
        if other.n == 0:
            return merged
        if self.n == 0:
            return {**merged, **other.moments()}
        n = self.n + other.n
        if None not in (
            self.exact_total,
            self.exact_squares,
            other.exact_total,
            other.exact_squares,
        ):
            total = self.exact_total + other.exact_total  # type: ignore[operator]
            squares = self.exact_squares + other.exact_squares  # type: ignore[operator]
            return {**merged, **self.moment_fields(n, total, squares)}
        delta = other.mean - self.mean
        return {
            **merged,
            "n": n,
            "mean": self.mean + delta * other.n / n,
            "m2": self.m2 + other.m2 + delta * delta * self.n * other.n / n,
            "exact_total": None,
            "exact_squares": None,
        }


@attrs.frozen(order=False, kw_only=True, repr=False)
class TimeMean(Mean):
    """A mean duration in seconds, with the calendar and ``as_of`` it was measured with."""

    _params: ClassVar[tuple[str, ...]] = ("metric", "calendar", "as_of")
    _unit: ClassVar[str] = "seconds"

    calendar: BusinessCalendar | None = None
    as_of: datetime | None = None

    def ci(self, *, confidence_level: float = 0.95) -> ConfidenceInterval:
        """Student t interval, clipped at 0 (a duration cannot be negative)."""
        ci = super().ci(confidence_level=confidence_level)
        return attrs.evolve(ci, low=max(ci.low, 0.0))

    @property
    def mean_timedelta(self) -> timedelta | None:
        """The mean as a timedelta; None when undefined."""
        return None if math.isnan(self.value) else timedelta(seconds=self.value)


def _key_order(key: Key | None) -> tuple[bool, Any]:
    return (key is None, key)


@attrs.frozen(kw_only=True)
class Breakdown(ToFrame, Mapping["Key | None", R], Generic[R]):
    """Results per group, ordered by group key (missing key last), plus the overall.

    Returned by every metric called with ``by=``. ``breakdown[key]`` is one
    group's result; ``.overall`` the result over all groups.
    """

    by: str
    overall: R
    groups: Mapping[Key | None, R]

    def __getitem__(self, key: Key | None) -> R:
        return self.groups[key]

    def __iter__(self) -> Iterator[Key | None]:
        return iter(self.groups)

    def __len__(self) -> int:
        return len(self.groups)

    def to_rows(self, *, min_n: int | None = None) -> list[dict[str, Any]]:
        """One dict per group: the key, the value, the counts and ``reliable``.

        ``reliable`` is `Result.is_reliable` at ``min_n`` (default: the
        result's `MIN_N`): small groups are marked, never hidden. No total row;
        the total is ``.overall``.
        """
        return [
            {
                self.by: key,
                "value": result.value,
                **result.counts(),
                "reliable": result.is_reliable(min_n=min_n),
            }
            for key, result in self.groups.items()
        ]

    def to_frame(
        self,
        *,
        backend: Literal["pandas", "polars", "pyarrow"] = "pandas",
        min_n: int | None = None,
    ) -> Any:
        """The rows of `to_rows` as a pandas or polars DataFrame or a pyarrow Table.

        Needs the ``frames`` extra and the chosen library.
        """
        option("backend", backend, ("pandas", "polars", "pyarrow"))
        from csmetrics.core.frames import import_narwhals  # noqa: PLC0415 (optional extra)

        rows = self.to_rows(min_n=min_n)
        names = list(rows[0]) if rows else [self.by, "value"]
        columns = {name: [row[name] for row in rows] for name in names}
        return import_narwhals().from_dict(columns, backend=backend).to_native()

    def merge(self, other: Breakdown[R], /) -> Breakdown[R]:
        """Merge two breakdowns of disjoint data group by group."""
        if other.by != self.by:
            msg = f"cannot merge a breakdown by {self.by!r} with one by {other.by!r}"
            raise ValueError(msg)
        overall = self.overall.merge(other.overall)
        groups = dict(self.groups)
        for key, result in other.groups.items():
            groups[key] = groups[key].merge(result) if key in groups else result
        # A group found in one part only still covers the merged period (None
        # when the parts' periods differ), like every other group.
        ordered = {
            k: groups[k]
            if groups[k].period == overall.period
            else attrs.evolve(groups[k], period=overall.period)
            for k in sorted(groups, key=_key_order)
        }
        return Breakdown(by=self.by, overall=overall, groups=ordered)

    def _repr_html_(self) -> str:
        # The value in its unit, as the groups' own reprs show it; other columns as they are.
        unit = self.overall._unit
        rows = [{**row, "value": display.number(row["value"], unit)} for row in self.to_rows()]
        return html_table.records(rows, empty=f"Breakdown by {self.by}: no groups")


F64 = npt.NDArray[np.float64]
I64 = npt.NDArray[np.int64]

Censoring = Literal["kaplan-meier", "exclude"]
CENSORING: tuple[Censoring, ...] = ("kaplan-meier", "exclude")


def durations_array(values: npt.ArrayLike) -> F64:
    """A read-only, sorted float64 copy of 1-D seconds (``-0.0`` made ``0.0``)."""
    arr = np.array(values, dtype=np.float64).reshape(-1)
    arr += 0.0
    if len(arr) > 1 and not (arr[1:] >= arr[:-1]).all():
        arr.sort()
    arr.flags.writeable = False
    return arr


def check_durations(inst: object, attribute: attrs.Attribute[F64], value: F64) -> None:
    """Attrs validator of a durations field: finite seconds >= 0."""
    _check_seconds(attribute.name, value)


def _check_seconds(name: str, value: F64) -> None:
    bad = ~np.isfinite(value) | (value < 0)
    if bad.any():
        msg = (
            f"{name}: a duration must be finite seconds >= 0, "
            f"got {float(value[bad][0])!r} ({int(bad.sum())} bad of {len(value)})"
        )
        raise ValueError(msg)


def _check_censoring(inst: object, attribute: attrs.Attribute[str], value: str) -> None:
    option(attribute.name, value, CENSORING)


def no_durations() -> F64:
    """An empty durations array, the default of a durations field."""
    return np.empty(0)


def _no_counts() -> I64:
    return np.zeros(0, dtype=np.int64)


def _read_only(arr: npt.NDArray[Any]) -> npt.NDArray[Any]:
    arr.flags.writeable = False
    return arr


def _values_field(values: npt.ArrayLike) -> F64:
    return _read_only(np.asarray(values, dtype=np.float64).reshape(-1))


def _counts_field(counts: npt.ArrayLike) -> I64:
    # Cast (and checked) in __attrs_post_init__, so a bad count is named there.
    arr: I64 = np.asarray(counts).reshape(-1)
    return arr


def sorted_runs(times: F64) -> tuple[F64, I64]:
    """``(values, counts)`` of the equal runs of sorted ``times``: distinct values, increasing."""
    if not len(times):
        return no_durations(), _no_counts()
    starts = np.empty(len(times), dtype=bool)
    starts[0] = True
    np.not_equal(times[1:], times[:-1], out=starts[1:])
    first = np.flatnonzero(starts)
    del starts
    counts = np.empty(len(first), dtype=np.int64)
    np.subtract(first[1:], first[:-1], out=counts[:-1])
    counts[-1] = len(times) - first[-1]
    return times[first], counts


def runs_of(times: F64) -> tuple[F64, I64]:
    """`sorted_runs` of ``times`` in any order (``-0.0`` counted as ``0.0``); one sort of a copy."""
    ordered = np.sort(times)
    # -0.0 and 0.0 are equal to the sort, so the order stays sorted.
    ordered += 0.0
    return sorted_runs(ordered)


def merge_runs(parts: Sequence[Sequence[tuple[F64, I64]]]) -> tuple[F64, list[I64]]:
    """The distinct values of several lists of runs, and per list its counts at each value.

    ``parts[k]`` is a list of ``(values, counts)`` runs (values increasing
    within each); returns the union of all values, increasing, and for each
    ``k`` the summed counts of ``parts[k]`` at every value of the union (0
    where it has none).
    """
    every = [values for runs in parts for values, _ in runs]
    union = np.unique(np.concatenate(every)) if every else no_durations()
    totals = []
    for runs in parts:
        total = np.zeros(len(union), dtype=np.int64)
        for values, counts in runs:
            if len(values):
                total[np.searchsorted(union, values)] += counts
        totals.append(total)
    return union, totals


def distinct_counts(completed: F64, censored: F64) -> tuple[F64, I64, I64]:
    """``(values, completed_counts, censored_counts)`` of completed and censoring times.

    ``values`` are the distinct times, increasing (``-0.0`` counted as
    ``0.0``); the counts say how many units completed and how many were
    censored at each. One sort of a copy of each array (no index arrays:
    the counts are the lengths of runs of equal values), then a merge of the
    two distinct sets.
    """
    values, (done, still_open) = merge_runs([[runs_of(completed)], [runs_of(censored)]])
    return values, done, still_open


def _canonical_counts(
    values: npt.ArrayLike, completed: npt.ArrayLike, censored: npt.ArrayLike
) -> tuple[F64, I64, I64]:
    """Checked distinct-value counts: values increasing, no duplicate, no empty value."""
    vals = np.array(values, dtype=np.float64).reshape(-1) + 0.0
    _check_seconds("values", vals)
    counts = []
    for name, given in (("completed_counts", completed), ("censored_counts", censored)):
        arr = np.asarray(given).reshape(-1)
        if arr.size and (arr.dtype.kind not in "iu" or (arr < 0).any()):
            msg = f"{name}: a count must be an int >= 0, got {arr[:5].tolist()!r}"
            raise ValueError(msg)
        if len(arr) != len(vals):
            msg = f"{name} has {len(arr)} counts for {len(vals)} values"
            raise ValueError(msg)
        counts.append(arr.astype(np.int64))
    done, still_open = counts
    canonical = (vals[1:] > vals[:-1]).all() and ((done + still_open) > 0).all()
    if canonical:
        return vals, done, still_open
    unique, inverse = np.unique(vals, return_inverse=True)
    merged = [np.zeros(len(unique), dtype=np.int64) for _ in range(2)]
    np.add.at(merged[0], inverse, done)
    np.add.at(merged[1], inverse, still_open)
    used = (merged[0] + merged[1]) > 0
    return unique[used], merged[0][used], merged[1][used]


def _merge_counts(a: tuple[F64, I64, I64], b: tuple[F64, I64, I64]) -> tuple[F64, I64, I64]:
    """The distinct-value counts of two results together (counts add up)."""
    values = np.union1d(a[0], b[0])
    done = np.zeros(len(values), dtype=np.int64)
    still_open = np.zeros(len(values), dtype=np.int64)
    for part in (a, b):
        at = np.searchsorted(values, part[0])
        done[at] += part[1]
        still_open[at] += part[2]
    return values, done, still_open


# Dekker's product is exact while no partial product under- or overflows;
# durations outside these bounds take the slow exact path.
_SPLIT = 2.0**27 + 1
_EXACT_PRODUCT_RANGE = (2.0**-500, 2.0**500)


def _split(a: F64) -> tuple[F64, F64]:
    """Veltkamp's split: ``a = hi + lo`` exactly, each with at most 26 significant bits."""
    t = _SPLIT * a
    hi = t - (t - a)
    return hi, a - hi


def repeated_sum(values: F64, counts: I64) -> float:
    """The sum of every ``values[i]`` taken ``counts[i]`` times, correctly rounded.

    Each product ``values[i] * counts[i]`` is split exactly into the rounded
    product and its error (Dekker's TwoProduct: Dekker, T. J. (1971). "A
    floating-point technique for extending the available precision".
    Numerische Mathematik 18, 224-242), and `math.fsum` adds all the pieces
    exactly and rounds once. So the result depends only on the multiset of
    durations, not on their order or on how they were split into parts: a
    merged result gives the same bits as the whole. Values too small or too
    large for the split, or counts beyond 2**53, are summed repeated, also
    with `math.fsum`.
    """
    if not len(values):
        return 0.0
    positive = values[values > 0]
    low, high = _EXACT_PRODUCT_RANGE
    outside = len(positive) and (float(positive[0]) < low or float(positive[-1]) > high)
    if outside or int(counts.max()) >= 2**53:
        return _repeated_fsum(values, counts)
    c = counts.astype(np.float64)
    product = values * c
    a_hi, a_lo = _split(values)
    c_hi, c_lo = _split(c)
    error = ((a_hi * c_hi - product) + a_hi * c_lo + a_lo * c_hi) + a_lo * c_lo
    return math.fsum(np.concatenate((product, error)).tolist())


def _repeated_fsum(values: F64, counts: I64) -> float:
    repeated = np.repeat(values, counts)
    try:
        return math.fsum(repeated.tolist())
    except OverflowError:
        return math.inf  # the exact sum is beyond float64


# Arrays compare element by element; a result is equal when all its data is.
ARRAY_EQ = attrs.cmp_using(eq=np.array_equal)
"""Equality of array fields: same values, not the same object."""

_SHOWN_QUANTILES = {"median": 0.5, "p90": 0.9, "p95": 0.95}
_DISTINCT_FIELDS = ("values", "completed_counts", "censored_counts")


@attrs.frozen(order=False, kw_only=True, repr=False, unsafe_hash=False)
class Durations(ToFrame, Result):
    """Durations in seconds (response, resolution, handle times) with open work censored.

    The headline, ``float(result)``, is the median. The result keeps the
    distinct durations (``values``) with how many units completed at each
    (``completed_counts``) and how many were still open at ``as_of`` after
    that long (``censored_counts``, the censoring time ``as_of - start``). So
    every quantile is exact, merging the results of parts (counts add up)
    gives exactly the result of the whole, and a result's size grows with the
    distinct durations, not the units: durations measured to the second or
    microsecond take a few hundred thousand distinct values at most.

    Build one from the times (``durations=`` completed, ``censoring_times=``
    open, any order) or from the counts (``values=``, ``completed_counts=``,
    ``censored_counts=``).

    ``censoring`` says how open work counts:

    - ``"kaplan-meier"`` (default): open work is right-censored. Quantiles come
      from the Kaplan-Meier estimate ``S(t)`` (`csmetrics.core.stats.kaplan_meier`):
      the ``q``-quantile is the smallest completed duration ``t`` with
      ``S(t) <= 1 - q``, and ``nan`` when the curve never gets that low
      (`csmetrics.core.stats.km_quantile`). With nothing open it is
      ``numpy.quantile(durations, q, method="inverted_cdf")`` (but for a ``q``
      a rounding error above a step of the curve). Leaving open work out would
      bias every time metric down: the longest cases are the ones still open.
    - ``"exclude"``: open work is left out (still counted in ``censored``) and
      quantiles are ``numpy.quantile(durations, q)``, linear interpolation,
      what most dashboards show.

    ``mean``, ``total``, ``min`` and ``max`` are of completed durations only,
    in both modes. The mean is the correctly rounded sum (`total`) divided by
    the number completed, so it does not depend on the order of the data or
    on how it was split into parts.

    ``.ci()`` is the Brookmeyer-Crowley interval of a quantile (the median by
    default) and ``median_se`` its standard error by Collett's approximation,
    which `csmetrics.compare` uses for a difference of medians. With
    ``"exclude"`` both are computed on the completed durations alone, as if
    nothing were open.

    Results are equal when their data, period and parameters are; they are
    not hashable (they hold arrays).

    Examples
    --------
    Four tickets resolved, one still open after 300 s:

    >>> r = Durations(durations=[60, 120, 240, 600], censoring_times=[300])
    >>> r.median, r.p90, r.n, r.censored
    (240.0, 600.0, 5, 1)
    >>> r.median_timedelta
    datetime.timedelta(seconds=240)
    >>> Durations(durations=[60, 120, 240, 600], censoring_times=[300], censoring="exclude").median
    180.0

    The same result from its distinct values and their counts:

    >>> r == Durations(
    ...     values=[60, 120, 240, 300, 600],
    ...     completed_counts=[1, 1, 1, 0, 1],
    ...     censored_counts=[0, 0, 0, 1, 0],
    ... )
    True

    With two of three still open, the median is not known yet:

    >>> Durations(durations=[60], censoring_times=[300, 300]).median
    nan
    """

    _counts: ClassVar[tuple[str, ...]] = ("n", "censored", "excluded")
    _params: ClassVar[tuple[str, ...]] = ("metric", "censoring", "calendar", "as_of")
    _unit: ClassVar[str] = "seconds"
    _unit_fields: ClassVar[tuple[str, ...]] = ("median", "p90", "p95", "mean")

    values: F64 = attrs.field(factory=no_durations, converter=_values_field, eq=ARRAY_EQ)
    """The distinct durations in seconds, increasing, read-only."""
    completed_counts: I64 = attrs.field(factory=_no_counts, converter=_counts_field, eq=ARRAY_EQ)
    """How many units completed after each of ``values`` seconds, read-only."""
    censored_counts: I64 = attrs.field(factory=_no_counts, converter=_counts_field, eq=ARRAY_EQ)
    """How many units had been open ``values`` seconds at ``as_of``, read-only."""
    metric: str = "durations"
    censoring: Censoring = attrs.field(default="kaplan-meier", validator=_check_censoring)
    excluded: int = attrs.field(default=0, validator=check_count)
    """Units the metric's definition leaves out on purpose (see the metric)."""
    calendar: BusinessCalendar | str | None = None
    """The business calendar durations were measured in; None for calendar time;
    ``"per-ticket"`` when each ticket was measured under its own schedule history."""
    as_of: datetime | None = None
    """The moment open work was censored at."""

    _given_durations: npt.ArrayLike | None = attrs.field(
        default=None, alias="durations", eq=False, repr=False
    )
    _given_censoring_times: npt.ArrayLike | None = attrs.field(
        default=None, alias="censoring_times", eq=False, repr=False
    )

    def __attrs_post_init__(self) -> None:
        # Times given as durations= / censoring_times= become the counts; the
        # arrays given are not kept. Counts given are checked and put in
        # canonical form (values increasing, no duplicate, none without units).
        durations, censoring_times = self._given_durations, self._given_censoring_times
        if durations is not None or censoring_times is not None:
            if len(self.values) or len(self.completed_counts) or len(self.censored_counts):
                msg = (
                    f"{type(self).__name__} takes durations=/censoring_times= or "
                    "values=/completed_counts=/censored_counts=, not both"
                )
                raise TypeError(msg)
            found = distinct_counts(
                _times("durations", durations), _times("censoring_times", censoring_times)
            )
            object.__setattr__(self, "_given_durations", None)
            object.__setattr__(self, "_given_censoring_times", None)
        else:
            found = _canonical_counts(self.values, self.completed_counts, self.censored_counts)
        for name, array in zip(_DISTINCT_FIELDS, found, strict=True):
            object.__setattr__(self, name, _read_only(array))

    @property
    def durations(self) -> F64:
        """Every completed duration in seconds, sorted: ``values`` repeated by their counts.

        Built on each access; its size is the number of completed units.
        """
        return _read_only(np.repeat(self.values, self.completed_counts))

    @property
    def censoring_times(self) -> F64:
        """Seconds each open unit had been open at ``as_of``, sorted.

        Built on each access; its size is the number of censored units.
        """
        return _read_only(np.repeat(self.values, self.censored_counts))

    @property
    def n(self) -> int:
        """Number of units: completed plus censored."""
        return self.completed + self.censored

    @property
    def sample_size(self) -> int:
        """The number of units, completed plus censored."""
        return self.n

    @property
    def default_min_n(self) -> int:
        """``MIN_N["durations"]``."""
        return MIN_N["durations"]

    @property
    def completed(self) -> int:
        """Number of completed units."""
        return int(self.completed_counts.sum())

    @property
    def censored(self) -> int:
        """Number of units still open at ``as_of`` (right-censored), in either censoring mode."""
        return int(self.censored_counts.sum())

    def _steps(self) -> KMSteps:
        """The Kaplan-Meier steps the curve, interval and quantiles come from, by ``censoring``."""
        censored = self.censored_counts if self.censoring == "kaplan-meier" else _zeros(self.values)
        return _km_steps_of_counts(self.values, self.completed_counts, censored)

    def km_curve(self) -> tuple[F64, F64]:
        """The survival curve ``(times, survival)`` behind the quantiles, for plots.

        ``survival[i]`` is the estimated share of work still open just after
        ``times[i]`` seconds (a right-continuous step function starting at 1).
        With ``censoring="exclude"`` open work is left out, so the curve is one
        minus the empirical CDF of the completed durations.
        """
        return _km_curve_of_steps(*self._steps())

    def ci(
        self, *, confidence_level: float = 0.95, method: BandMethod = "log-log", q: float = 0.5
    ) -> ConfidenceInterval:
        """Confidence interval for the ``q``-quantile in seconds (the median by default).

        Brookmeyer and Crowley's interval from the pointwise band of the
        Kaplan-Meier curve (`csmetrics.core.stats.km_quantile_interval`): the times
        at which ``1 - q`` lies inside the band. ``method`` picks the band,
        ``"log-log"`` (default) or ``"linear"`` (`csmetrics.core.stats.km_band`).
        ``high`` is ``inf`` when the data cannot bound the quantile from above
        (too much work still open); both bounds are nan when the quantile is
        undefined.

        With ``censoring="exclude"`` the interval is computed on the completed
        durations alone. It is an interval for the quantile of the empirical
        distribution (`csmetrics.core.stats.km_quantile`) and also contains the
        interpolated estimate ``numpy.quantile`` gives.
        """
        return _km_quantile_interval_of_steps(self._steps(), q, confidence_level, method)

    @property
    def median_se(self) -> float:
        """Standard error of the median in seconds, by Collett's approximation.

        ``se(median) = se(S(m)) / f(m)``: Greenwood's standard error of the curve
        at the median ``m`` over the curve's slope ``f`` between the last event
        time with ``S >= 0.55`` (or 0) and the first with ``S <= 0.45``.
        nan when the median is undefined or the curve never reaches 0.45; 0
        when all remaining work completed at the median. Collett, D. (2015).
        Modelling Survival Data in Medical Research, 3rd ed., CRC Press,
        section 2.4.
        """
        return _km_quantile_se_of_steps(self._steps(), 0.5, self.median)

    def _quantiles(self, qs: Mapping[str, float]) -> dict[str, float]:
        if self.censoring == "exclude":
            done = self.completed_counts > 0
            values, ends = self.values[done], np.cumsum(self.completed_counts[done])
            return {k: _interpolated_quantile(values, ends, q) for k, q in qs.items()}
        times, survival = self.km_curve()
        return {k: km_quantile(times, survival, q) for k, q in qs.items()}

    def quantile(self, q: float) -> float:
        """The ``q``-quantile in seconds (``q`` in [0, 1]); see the class docstring.

        ``nan`` with no completed unit, or with ``"kaplan-meier"`` when the
        curve never reaches ``1 - q``.
        """
        return self._quantiles({"q": _probability("q", q)})["q"]

    def to_rows(
        self, *, quantiles: Sequence[float] = (0.1, 0.25, 0.5, 0.75, 0.9, 0.95, 0.99)
    ) -> list[dict[str, Any]]:
        """One dict per quantile: ``quantile`` (in [0, 1]) and ``seconds``.

        The same numbers as `quantile`, nan where it is nan; `to_frame` gives
        them as a dataframe.
        """
        found = self._quantiles({str(q): _probability("quantiles", q) for q in quantiles})
        return [{"quantile": float(q), "seconds": found[str(q)]} for q in quantiles]

    @property
    def median(self) -> float:
        """The median in seconds: ``quantile(0.5)``."""
        return self.quantile(0.5)

    @property
    def value(self) -> float:
        """The median in seconds; nan when undefined."""
        return self.median

    @property
    def p50(self) -> float:
        """The median in seconds (50th percentile)."""
        return self.quantile(0.5)

    @property
    def p90(self) -> float:
        """The 90th percentile in seconds."""
        return self.quantile(0.9)

    @property
    def p95(self) -> float:
        """The 95th percentile in seconds."""
        return self.quantile(0.95)

    @property
    def total(self) -> float:
        """Sum of the completed durations in seconds, correctly rounded; 0 if none."""
        return repeated_sum(self.values, self.completed_counts)

    @property
    def mean(self) -> float:
        """Mean of the completed durations in seconds (open work left out); nan if none.

        ``total / completed``: the correctly rounded sum divided once, so the
        same bits for any order or split of the data.
        """
        completed = self.completed
        if not completed:
            return math.nan
        total = self.total
        if math.isinf(total):
            # A sum beyond float64: add up the values scaled down by a power
            # of two (exact for durations this large) and scale the mean back.
            scale = 2.0**-64
            mean = repeated_sum(self.values * scale, self.completed_counts) / completed / scale
        else:
            mean = total / completed
        # Dividing a rounded sum can land one ulp outside the values (a mean
        # of equal values); the mean never leaves them.
        return min(max(mean, self.min), self.max)

    @property
    def min(self) -> float:
        """Shortest completed duration in seconds; nan if none."""
        done = np.flatnonzero(self.completed_counts)
        return float(self.values[done[0]]) if len(done) else math.nan

    @property
    def max(self) -> float:
        """Longest completed duration in seconds; nan if none."""
        done = np.flatnonzero(self.completed_counts)
        return float(self.values[done[-1]]) if len(done) else math.nan

    @staticmethod
    def as_timedelta(seconds: float) -> timedelta | None:
        """Seconds as a `datetime.timedelta` (to the microsecond); None for nan."""
        return None if math.isnan(seconds) else timedelta(seconds=seconds)

    @property
    def median_timedelta(self) -> timedelta | None:
        """The median as a `datetime.timedelta`; None when undefined."""
        return self.as_timedelta(self.median)

    def _merged_fields(self, other: Result) -> dict[str, Any]:
        assert isinstance(other, Durations)
        values, done, still_open = _merge_counts(
            (self.values, self.completed_counts, self.censored_counts),
            (other.values, other.completed_counts, other.censored_counts),
        )
        return {
            "values": values,
            "completed_counts": done,
            "censored_counts": still_open,
            "excluded": self.excluded + other.excluded,
        }

    def _fields(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            **self._quantiles(_SHOWN_QUANTILES),
            "mean": self.mean,
            **self.counts(),
            **self.params(),
        }
        if self.period is not None:
            out["period"] = self.period
        return out


D = TypeVar("D", bound=Durations)


def _times(name: str, given: npt.ArrayLike | None) -> F64:
    """Seconds given to the constructor as a checked 1-D float64 array."""
    arr = no_durations() if given is None else np.asarray(given, dtype=np.float64).reshape(-1)
    _check_seconds(name, arr)
    return arr


def _zeros(values: F64) -> I64:
    return np.zeros(len(values), dtype=np.int64)


def _interpolated_quantile(values: F64, ends: I64, q: float) -> float:
    """``numpy.quantile(x, q)`` (linear) of the sorted ``x`` the counts stand for.

    ``values[i]`` fills positions ``ends[i - 1]`` to ``ends[i] - 1`` of ``x``.
    numpy interpolates between ``x[floor(h)]`` and the next element with
    weight ``h - floor(h)``, ``h = (n - 1) q``; the same two elements and
    weight are given to numpy, so the rounding is numpy's own.
    """
    if not len(values):
        return math.nan
    n = int(ends[-1])
    h = (n - 1) * q
    if h >= n - 1:
        return float(values[-1])
    below = math.floor(h)
    a, b = values[np.searchsorted(ends, [below, below + 1], side="right")]
    return float(np.quantile(np.array([a, b]), h - below))
