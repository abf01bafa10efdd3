"""Result objects: a value plus the counts it came from.

Results are frozen. ``float(result)`` is the headline value; the counts
(numerator and denominator, promoters/passives/detractors, n and moments) are
kept so results can be merged across partitions, compared and given intervals.
``a.merge(b)`` adds the counts of two disjoint parts and refuses results
computed with different definition parameters.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping
from datetime import datetime, timedelta
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, ClassVar, Generic, Literal, TypeVar

import attrs
import numpy as np
import numpy.typing as npt

from csmetrics.core import html as html_table
from csmetrics.core.check import check_min_n, option
from csmetrics.core.model import Key, Window
from csmetrics.core.stats import (
    FUNNEL_METHODS,
    BandMethod,
    ConfidenceInterval,
    FunnelMethod,
    RateMethod,
    ShrinkagePrior,
    _km_quantile_interval_sorted,
    _km_quantile_se,
    _km_sorted,
    _limits,
    _probability,
    binom_sf,
    km_quantile,
    nps_interval,
    rate_interval,
    shrinkage_prior,
    t_interval,
)

if TYPE_CHECKING:
    from csmetrics.core.calendar import BusinessCalendar

__all__ = [
    "CES",
    "CSAT",
    "FCR",
    "MIN_N",
    "NPS",
    "AbandonmentRate",
    "Breakdown",
    "Censoring",
    "Durations",
    "Funnel",
    "FunnelRate",
    "Gap",
    "HandleTime",
    "Mean",
    "ProductGaps",
    "Rate",
    "Rating",
    "RatingBreakdown",
    "ReopenRate",
    "ReplyTimes",
    "Result",
    "ServiceLevel",
    "Shrinkage",
    "TimeMean",
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


def _nan_as_none(value: float) -> float | None:
    """Comparison key where nan equals nan: two empty means are equal (and hash alike)."""
    return None if math.isnan(value) else value


@attrs.frozen(kw_only=True, repr=False)
class Result:
    """Base of every result: merge, repr and notebook display.

    Subclasses list their additive counts in ``_counts`` and the definition
    parameters that must agree for a merge in ``_params``.
    """

    _counts: ClassVar[tuple[str, ...]] = ()
    _params: ClassVar[tuple[str, ...]] = ()

    period: Window | None = None
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
        return {name: getattr(self, name) + getattr(other, name) for name in self._counts}

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

    def __repr__(self) -> str:
        inner = ", ".join(f"{k}={v!r}" for k, v in self._fields().items())
        return f"{type(self).__name__}({inner})"

    def _repr_html_(self) -> str:
        return html_table.fields(type(self).__name__, self._fields())


@attrs.frozen(kw_only=True, repr=False)
class Rate(Result):
    """A share of successes: ``numerator / denominator``, a fraction in [0, 1].

    ``metric`` names what was counted (e.g. ``"resolution_rate"``); results of
    different metrics never merge.
    """

    _counts: ClassVar[tuple[str, ...]] = ("numerator", "denominator")
    _params: ClassVar[tuple[str, ...]] = ("metric",)

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


@attrs.frozen(kw_only=True, repr=False)
class FCR(Rate):
    """First-contact resolution: episodes resolved at first contact / decided episodes.

    ``pending`` counts episodes whose window is still open at ``as_of`` (not in
    the denominator); ``repeats`` counts the repeat contacts of the covered
    episodes, pending ones included.
    """

    _counts: ClassVar[tuple[str, ...]] = (
        "numerator",
        "denominator",
        "pending",
        "repeats",
    )
    _params: ClassVar[tuple[str, ...]] = ("metric", "window_days", "match", "as_of")

    pending: int = attrs.field(validator=check_count)
    repeats: int = attrs.field(validator=check_count)
    window_days: float
    match: str
    as_of: datetime | None
    metric: str = "fcr"


@attrs.frozen(kw_only=True, repr=False)
class CSAT(Rate):
    """Customer satisfaction: satisfied answers / answers."""

    _params: ClassVar[tuple[str, ...]] = ("metric", "scale", "satisfied_from")

    scale: tuple[int, int]
    satisfied_from: float
    metric: str = "csat"


@attrs.frozen(kw_only=True, repr=False)
class NPS(Result):
    """Net Promoter Score: ``100 * (promoters - detractors) / n``, in [-100, 100]."""

    _counts: ClassVar[tuple[str, ...]] = ("promoters", "passives", "detractors")

    promoters: int = attrs.field(validator=check_count)
    passives: int = attrs.field(validator=check_count)
    detractors: int = attrs.field(validator=check_count)

    @property
    def n(self) -> int:
        """Number of answers."""
        return self.promoters + self.passives + self.detractors

    @property
    def sample_size(self) -> int:
        """The number of answers."""
        return self.n

    @property
    def default_min_n(self) -> int:
        """``MIN_N["nps"]``."""
        return MIN_N["nps"]

    @property
    def value(self) -> float:
        """NPS in [-100, 100]; nan when there are no answers."""
        return 100 * (self.promoters - self.detractors) / self.n if self.n else math.nan

    def ci(self, *, confidence_level: float = 0.95) -> ConfidenceInterval:
        """Confidence interval; see `csmetrics.core.stats.nps_interval`."""
        return nps_interval(
            self.promoters,
            self.passives,
            self.detractors,
            confidence_level=confidence_level,
        )


@attrs.frozen(kw_only=True, repr=False)
class Mean(Result):
    """An average with its spread: ``n``, ``mean`` and ``m2``.

    ``m2`` is the sum of squared deviations from the mean; merging uses Chan,
    Golub & LeVeque's pairwise update, which stays accurate where summing
    squares would cancel.
    """

    _counts: ClassVar[tuple[str, ...]] = ("n", "mean", "m2")
    _params: ClassVar[tuple[str, ...]] = ("metric",)

    n: int = attrs.field(validator=check_count)
    mean: float = attrs.field(default=math.nan, eq=_nan_as_none)
    m2: float = 0.0
    metric: str = "mean"

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
    def std(self) -> float:
        """Sample standard deviation (ddof 1); nan when ``n < 2``."""
        return math.sqrt(self.m2 / (self.n - 1)) if self.n > 1 else math.nan

    @property
    def total(self) -> float:
        """Sum of the values (``n * mean``)."""
        return self.n * self.mean if self.n else 0.0

    def ci(self, *, confidence_level: float = 0.95) -> ConfidenceInterval:
        """Student t interval; see `csmetrics.core.stats.t_interval`."""
        return t_interval(self.value, self.std, self.n, confidence_level=confidence_level)

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
            return {**merged, "n": other.n, "mean": other.mean, "m2": other.m2}
        n = self.n + other.n
        delta = other.mean - self.mean
        return {
            **merged,
            "n": n,
            "mean": self.mean + delta * other.n / n,
            "m2": self.m2 + other.m2 + delta * delta * self.n * other.n / n,
        }


@attrs.frozen(kw_only=True, repr=False)
class CES(Mean):
    """Customer effort score: the mean answer on the effort scale."""

    _params: ClassVar[tuple[str, ...]] = ("metric", "scale", "higher_is_easier")

    scale: tuple[int, int]
    higher_is_easier: bool
    metric: str = "ces"

    def ci(self, *, confidence_level: float = 0.95) -> ConfidenceInterval:
        """Student t interval, clipped to the scale (a mean cannot leave it)."""
        ci = super().ci(confidence_level=confidence_level)
        low, high = self.scale
        return attrs.evolve(ci, low=max(ci.low, float(low)), high=min(ci.high, float(high)))


@attrs.frozen(kw_only=True, repr=False)
class ServiceLevel(Rate):
    """Service level: contacts answered within the threshold over the formula's base.

    Keeps every queue count, so any of the five formulas' inputs can be read
    back: ``answered`` (AN), ``answered_within``, ``abandoned`` (AB),
    ``abandoned_within``, ``short_abandoned``, plus ``waiting`` (still queued
    at ``as_of``) and ``unanswered`` (closed without answer, not abandoned),
    which no formula uses.
    """

    _counts: ClassVar[tuple[str, ...]] = (
        "numerator",
        "denominator",
        "answered",
        "answered_within",
        "abandoned",
        "abandoned_within",
        "short_abandoned",
        "waiting",
        "unanswered",
    )
    _params: ClassVar[tuple[str, ...]] = (
        "metric",
        "formula",
        "threshold",
        "short_abandon",
        "calendar",
        "as_of",
    )

    answered: int = attrs.field(validator=check_count)
    answered_within: int = attrs.field(validator=check_count)
    abandoned: int = attrs.field(validator=check_count)
    abandoned_within: int = attrs.field(validator=check_count)
    short_abandoned: int = attrs.field(validator=check_count)
    waiting: int = attrs.field(validator=check_count)
    unanswered: int = attrs.field(validator=check_count)
    formula: str
    threshold: float | tuple[tuple[Any, float], ...]
    short_abandon: float | None
    calendar: BusinessCalendar | None
    as_of: datetime | None
    metric: str = "service_level"


@attrs.frozen(kw_only=True, repr=False)
class AbandonmentRate(Rate):
    """Abandoned over answered plus abandoned, short abandons optionally left out.

    ``waiting`` (still queued at ``as_of``) and ``unanswered`` (closed without
    answer, not abandoned) are counted but in neither part of the rate.
    """

    _counts: ClassVar[tuple[str, ...]] = (
        "numerator",
        "denominator",
        "short_abandoned",
        "waiting",
        "unanswered",
    )
    _params: ClassVar[tuple[str, ...]] = ("metric", "short_abandon", "calendar", "as_of")

    short_abandoned: int = attrs.field(validator=check_count)
    waiting: int = attrs.field(default=0, validator=check_count)
    unanswered: int = attrs.field(default=0, validator=check_count)
    short_abandon: float | None
    calendar: BusinessCalendar | None
    as_of: datetime | None
    metric: str = "abandonment_rate"


@attrs.frozen(kw_only=True, repr=False)
class TimeMean(Mean):
    """A mean duration in seconds, with the calendar and ``as_of`` it was measured with."""

    _params: ClassVar[tuple[str, ...]] = ("metric", "calendar", "as_of")

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


@attrs.frozen(kw_only=True, repr=False)
class HandleTime(TimeMean):
    """Average handle time: talk + hold + wrap seconds per handled contact.

    ``fallback`` counts contacts measured as ``end - first_response_at``
    because none of their components was recorded; ``unmeasured`` counts
    handled contacts with neither, left out of the mean.
    """

    _counts: ClassVar[tuple[str, ...]] = ("n", "mean", "m2", "fallback", "unmeasured")

    fallback: int = attrs.field(default=0, validator=check_count)
    unmeasured: int = attrs.field(default=0, validator=check_count)
    metric: str = "handle_time"


@attrs.frozen(kw_only=True, repr=False)
class ReopenRate(Rate):
    """Reopen rate: resolved issues contacted again within the window / decided resolved issues.

    ``pending`` counts resolved issues whose window is still open at ``as_of``
    (not in the denominator).
    """

    _counts: ClassVar[tuple[str, ...]] = ("numerator", "denominator", "pending")
    _params: ClassVar[tuple[str, ...]] = ("metric", "window_days", "as_of")

    pending: int = attrs.field(validator=check_count)
    window_days: float
    as_of: datetime | None
    metric: str = "reopen_rate"


def _key_order(key: Key | None) -> tuple[bool, Any]:
    return (key is None, key)


@attrs.frozen(kw_only=True)
class Breakdown(Mapping["Key | None", R], Generic[R]):
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
        groups = dict(self.groups)
        for key, result in other.groups.items():
            groups[key] = groups[key].merge(result) if key in groups else result
        ordered = {k: groups[k] for k in sorted(groups, key=_key_order)}
        return Breakdown(by=self.by, overall=self.overall.merge(other.overall), groups=ordered)

    def _repr_html_(self) -> str:
        return html_table.records(self.to_rows(), empty=f"Breakdown by {self.by}: no groups")


F64 = npt.NDArray[np.float64]

Censoring = Literal["kaplan-meier", "exclude"]
CENSORING: tuple[Censoring, ...] = ("kaplan-meier", "exclude")


def _durations(values: npt.ArrayLike) -> F64:
    """A read-only, sorted float64 copy of 1-D seconds (``-0.0`` made ``0.0``)."""
    arr = np.array(values, dtype=np.float64).reshape(-1)
    arr += 0.0
    if len(arr) > 1 and not (arr[1:] >= arr[:-1]).all():
        arr.sort()
    arr.flags.writeable = False
    return arr


def _check_durations(inst: object, attribute: attrs.Attribute[F64], value: F64) -> None:
    bad = ~np.isfinite(value) | (value < 0)
    if bad.any():
        msg = (
            f"{attribute.name}: a duration must be finite seconds >= 0, "
            f"got {float(value[bad][0])!r} ({int(bad.sum())} bad of {len(value)})"
        )
        raise ValueError(msg)


def _check_censoring(inst: object, attribute: attrs.Attribute[str], value: str) -> None:
    option(attribute.name, value, CENSORING)


def _no_durations() -> F64:
    return np.empty(0)


# Arrays compare element by element; a result is equal when all its data is.
_ARRAY_EQ = attrs.cmp_using(eq=np.array_equal)

_SHOWN_QUANTILES = {"p50": 0.5, "p90": 0.9, "p95": 0.95}


@attrs.frozen(kw_only=True, repr=False, unsafe_hash=False)
class Durations(Result):
    """Durations in seconds (response, resolution, handle times) with open work censored.

    The headline, ``float(result)``, is the median. The result keeps its data,
    the sorted completed ``durations`` and the sorted ``censoring_times`` of
    work still open at ``as_of`` (``as_of - start``), so every quantile is
    exact and merging the results of parts gives exactly the result of the
    whole.

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

    ``mean``, ``min`` and ``max`` are of completed durations only, in both
    modes.

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

    With two of three still open, the median is not known yet:

    >>> Durations(durations=[60], censoring_times=[300, 300]).median
    nan
    """

    _counts: ClassVar[tuple[str, ...]] = ("n", "censored", "excluded")
    _params: ClassVar[tuple[str, ...]] = ("metric", "censoring", "calendar", "as_of")

    durations: F64 = attrs.field(
        factory=_no_durations, converter=_durations, validator=_check_durations, eq=_ARRAY_EQ
    )
    """Completed durations in seconds, sorted, read-only."""
    censoring_times: F64 = attrs.field(
        factory=_no_durations, converter=_durations, validator=_check_durations, eq=_ARRAY_EQ
    )
    """Seconds each open unit had been open at ``as_of``, sorted, read-only."""
    metric: str = "durations"
    censoring: Censoring = attrs.field(default="kaplan-meier", validator=_check_censoring)
    excluded: int = attrs.field(default=0, validator=check_count)
    """Units the metric's definition leaves out on purpose (see the metric)."""
    calendar: BusinessCalendar | None = None
    """The business calendar durations were measured in; None for calendar time."""
    as_of: datetime | None = None
    """The moment open work was censored at."""

    @property
    def n(self) -> int:
        """Number of units: completed plus censored."""
        return len(self.durations) + len(self.censoring_times)

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
        return len(self.durations)

    @property
    def censored(self) -> int:
        """Number of units still open at ``as_of`` (right-censored), in either censoring mode."""
        return len(self.censoring_times)

    def km_curve(self) -> tuple[F64, F64]:
        """The survival curve ``(times, survival)`` behind the quantiles, for plots.

        ``survival[i]`` is the estimated share of work still open just after
        ``times[i]`` seconds (a right-continuous step function starting at 1).
        With ``censoring="exclude"`` open work is left out, so the curve is one
        minus the empirical CDF of the completed durations.
        """
        return _km_sorted(*self._curve_data())

    def _curve_data(self) -> tuple[F64, F64]:
        """The completed and censoring times the curve is built from, by ``censoring``."""
        censored = self.censoring_times if self.censoring == "kaplan-meier" else np.empty(0)
        return self.durations, censored

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
        return _km_quantile_interval_sorted(*self._curve_data(), q, confidence_level, method)

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
        return _km_quantile_se(*self._curve_data(), 0.5, self.median)

    def _quantiles(self, qs: Mapping[str, float]) -> dict[str, float]:
        if self.censoring == "exclude":
            if not self.completed:
                return dict.fromkeys(qs, math.nan)
            return {k: float(np.quantile(self.durations, q)) for k, q in qs.items()}
        times, survival = self.km_curve()
        return {k: km_quantile(times, survival, q) for k, q in qs.items()}

    def quantile(self, q: float) -> float:
        """The ``q``-quantile in seconds (``q`` in [0, 1]); see the class docstring.

        ``nan`` with no completed unit, or with ``"kaplan-meier"`` when the
        curve never reaches ``1 - q``.
        """
        return self._quantiles({"q": _probability("q", q)})["q"]

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
    def mean(self) -> float:
        """Mean of the completed durations in seconds (open work left out); nan if none."""
        if not self.completed:
            return math.nan
        # Summation can round a mean of equal values one ulp past them.
        mean = float(self.durations.mean())
        return min(max(mean, float(self.durations[0])), float(self.durations[-1]))

    @property
    def min(self) -> float:
        """Shortest completed duration in seconds; nan if none."""
        return float(self.durations[0]) if self.completed else math.nan

    @property
    def max(self) -> float:
        """Longest completed duration in seconds; nan if none."""
        return float(self.durations[-1]) if self.completed else math.nan

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
        return {
            "durations": np.concatenate((self.durations, other.durations)),
            "censoring_times": np.concatenate((self.censoring_times, other.censoring_times)),
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

    def _repr_html_(self) -> str:
        shown: dict[str, object] = {}
        for key, value in self._fields().items():
            shown[key] = value
            if key in _SHOWN_QUANTILES or key == "mean":
                delta = self.as_timedelta(value)
                text = html_table.show(value)
                shown[key] = f"{text} s" if delta is None else f"{text} s ({delta})"
        return html_table.fields("Durations", shown)


@attrs.frozen(kw_only=True, repr=False, unsafe_hash=False)
class ReplyTimes(Durations):
    """Reply times: one duration per run of customer messages until the agent replies.

    Besides the reply-interval statistics of `Durations` (``n`` counts reply
    intervals), two averages that helpdesk tools also report:

    - ``per_contact_mean``: the mean over contacts of each contact's mean
      completed reply time, so a long thread weighs like a short one;
    - ``total_per_request``: all completed reply time divided by
      ``requests``, the contacts with at least one customer message.
    """

    _counts: ClassVar[tuple[str, ...]] = ("n", "censored", "excluded", "requests")

    requests: int = attrs.field(default=0, validator=check_count)
    contact_means: F64 = attrs.field(
        factory=_no_durations, converter=_durations, validator=_check_durations, eq=_ARRAY_EQ
    )
    """Each contact's mean completed reply time, sorted, read-only."""
    metric: str = "reply_time"

    @property
    def per_contact_mean(self) -> float:
        """Mean of the per-contact mean reply times; nan without any."""
        return float(self.contact_means.mean()) if len(self.contact_means) else math.nan

    @property
    def total_per_request(self) -> float:
        """Completed reply seconds / contacts with a customer message; nan without any."""
        return float(self.durations.sum()) / self.requests if self.requests else math.nan

    def _merged_fields(self, other: Result) -> dict[str, Any]:
        assert isinstance(other, ReplyTimes)
        return {
            **super()._merged_fields(other),
            "requests": self.requests + other.requests,
            "contact_means": np.concatenate((self.contact_means, other.contact_means)),
        }


# -- team metrics: per-group results judged against the whole team ------------------------------
#
# Each per-group result below carries numbers derived from its counts and from
# a team-level parameter (the overall rate, the team's fitted prior). The
# derived numbers are computed at construction, so `merge` (which rebuilds the
# result from merged counts) recomputes them, and refuses parts whose team
# parameter differs. The breakdowns merge anyway: they add up the counts and
# refit the team parameter, exactly as if computed on all the data at once.


def _plain_rate(result: Rate) -> Rate:
    return Rate(
        numerator=result.numerator,
        denominator=result.denominator,
        metric=result.metric,
        period=result.period,
    )


def _plain_rates(breakdown: Breakdown[Any]) -> Breakdown[Rate]:
    return Breakdown(
        by=breakdown.by,
        overall=_plain_rate(breakdown.overall),
        groups={key: _plain_rate(r) for key, r in breakdown.groups.items()},
    )


def _check_same_kind(
    self: Breakdown[Any], other: Breakdown[Any], params: dict[str, Any], theirs: dict[str, Any]
) -> None:
    if type(other) is not type(self):
        msg = f"cannot merge {type(self).__name__} with {type(other).__name__}"
        raise ValueError(msg)
    if params != theirs:
        msg = f"cannot merge results computed with different parameters: {params} != {theirs}"
        raise ValueError(msg)


def _derived() -> Any:
    # Computed from the other fields at construction, so equality ignores it.
    return attrs.field(init=False, eq=False)


@attrs.frozen(kw_only=True, repr=False)
class Gap(Rate):
    """One group's signal contacts against the count the overall rate predicts.

    ``numerator`` is the observed count (escalations or repeat contacts),
    ``denominator`` the group's volume. With ``p = overall_rate``:

    - ``expected = denominator * p``, the count the group would have at the
      overall rate;
    - ``excess = numerator - expected``;
    - ``p_value = P(X >= numerator)`` for X ~ Binomial(denominator, p): how
      likely a count this high is by chance alone
      (`csmetrics.core.stats.binom_sf`).

    ``expected``, ``excess`` and ``p_value`` are nan when ``overall_rate`` is
    None (the overall result of `ProductGaps`, or no volume at all).
    """

    _params: ClassVar[tuple[str, ...]] = ("metric", "overall_rate", "window_days", "match")

    overall_rate: float | None
    """The rate over all groups the group is compared with."""
    window_days: float | None = None
    """The FCR window for repeat contacts; None for escalations."""
    match: str | None = None
    """The FCR match mode for repeat contacts; None for escalations."""
    metric: str = "escalation_rate"
    expected: float = _derived()
    """``denominator * overall_rate``."""
    p_value: float = _derived()
    """One-sided exact binomial p-value ``P(X >= numerator)``."""

    def __attrs_post_init__(self) -> None:
        super().__attrs_post_init__()
        p = self.overall_rate
        if p is None:
            expected = p_value = math.nan
        else:
            expected = self.denominator * p
            p_value = binom_sf(self.numerator, self.denominator, p)
        object.__setattr__(self, "expected", expected)
        object.__setattr__(self, "p_value", p_value)

    @property
    def excess(self) -> float:
        """``numerator - expected``: signal contacts beyond the overall rate."""
        return self.numerator - self.expected

    def _fields(self) -> dict[str, Any]:
        out = super()._fields()
        if self.overall_rate is not None:
            out.update(expected=self.expected, excess=self.excess, p_value=self.p_value)
        return out


@attrs.frozen(kw_only=True)
class ProductGaps(Breakdown[Gap]):
    """Groups ordered by `Gap.excess`, largest first (ties in key order).

    Returned by `csmetrics.product_gaps`. ``overall`` holds the counts over
    all groups (its ``overall_rate`` is None). ``merge`` adds up the counts of
    two disjoint parts and recomputes every group against the merged overall
    rate.
    """

    @classmethod
    def from_rates(
        cls,
        rates: Breakdown[Rate],
        /,
        *,
        window_days: float | None = None,
        match: str | None = None,
    ) -> ProductGaps:
        """Compare every group of a breakdown of rates with its overall rate."""
        overall = rates.overall
        p = overall.value if overall.denominator else None

        def gap(result: Rate, rate: float | None) -> Gap:
            return Gap(
                numerator=result.numerator,
                denominator=result.denominator,
                metric=result.metric,
                overall_rate=rate,
                window_days=window_days,
                match=match,
                period=result.period,
            )

        gaps = [(key, gap(result, p)) for key, result in rates.groups.items()]
        # Groups arrive in key order; a stable sort keeps it among equal excess.
        gaps.sort(key=lambda item: -item[1].excess)
        return cls(by=rates.by, overall=gap(overall, None), groups=dict(gaps))

    def to_rows(self, *, min_n: int | None = None) -> list[dict[str, Any]]:
        """One dict per group, largest excess first: counts, expected, excess, p-value."""
        return [
            {
                self.by: key,
                "value": gap.value,
                "numerator": gap.numerator,
                "denominator": gap.denominator,
                "expected": gap.expected,
                "excess": gap.excess,
                "p_value": gap.p_value,
                "reliable": gap.is_reliable(min_n=min_n),
            }
            for key, gap in self.groups.items()
        ]

    def merge(self, other: Breakdown[Gap], /) -> ProductGaps:
        """Add up the counts of two disjoint parts and compare again with the merged rate."""
        _check_same_kind(self, other, self.overall.params(), other.overall.params())
        merged = _plain_rates(self).merge(_plain_rates(other))
        return ProductGaps.from_rates(
            merged, window_days=self.overall.window_days, match=self.overall.match
        )


_FUNNEL_COVERAGES = (0.95, 0.998)


def _check_min_count(inst: object, attribute: attrs.Attribute[int], value: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        msg = f"{attribute.name}={value!r} is not allowed; use an int >= 0"
        raise ValueError(msg)


@attrs.frozen(kw_only=True, repr=False)
class FunnelRate(Rate):
    """A group's rate placed in a funnel plot around the team rate.

    The limits are the funnel's at this group's volume (``denominator``)
    around ``team_rate`` (`csmetrics.core.stats.funnel_limits`): ``low95`` and
    ``high95`` contain 95% of the rates a group of this volume shows by chance
    at the team rate, ``low998`` and ``high998`` 99.8%. ``flagged`` is True
    when the rate is above ``high998`` and ``numerator >= min_count``.

    Without a ``team_rate`` (the overall result, or no data) the limits are
    nan and nothing is flagged. ``merge`` keeps ``team_rate`` and recomputes
    the limits for the merged volume; parts with different team rates do not
    merge (merge the `Funnel` breakdowns instead).
    """

    _params: ClassVar[tuple[str, ...]] = ("metric", "team_rate", "limits", "min_count")

    team_rate: float | None
    """The rate the funnel is drawn around; None for the overall result."""
    limits: FunnelMethod = attrs.field(
        default="exact", validator=attrs.validators.in_(FUNNEL_METHODS)
    )
    """How the limits are computed: ``"exact"`` or ``"normal"``."""
    min_count: int = attrs.field(default=2, validator=_check_min_count)
    """The fewest events (``numerator``) a flagged group has."""
    metric: str = "complaint_rate"
    low95: float = _derived()
    """Lower 95% limit."""
    high95: float = _derived()
    """Upper 95% limit."""
    low998: float = _derived()
    """Lower 99.8% limit."""
    high998: float = _derived()
    """Upper 99.8% limit."""
    flagged: bool = _derived()
    """Above the upper 99.8% limit with at least ``min_count`` events."""

    def __attrs_post_init__(self) -> None:
        super().__attrs_post_init__()
        target = math.nan if self.team_rate is None else self.team_rate
        (low95, high95), (low998, high998) = _limits(
            target, self.denominator, _FUNNEL_COVERAGES, self.limits
        )
        object.__setattr__(self, "low95", low95)
        object.__setattr__(self, "high95", high95)
        object.__setattr__(self, "low998", low998)
        object.__setattr__(self, "high998", high998)
        flagged = self.numerator >= self.min_count and self.value > high998
        object.__setattr__(self, "flagged", bool(flagged))

    def _fields(self) -> dict[str, Any]:
        out = super()._fields()
        if self.team_rate is not None:
            out.update(
                flagged=self.flagged,
                low95=self.low95,
                high95=self.high95,
                low998=self.low998,
                high998=self.high998,
            )
        return out


@attrs.frozen(kw_only=True)
class Funnel(Breakdown[FunnelRate]):
    """A breakdown whose groups sit in a funnel plot around the team rate.

    Returned by `csmetrics.complaint_rate`. ``overall`` is the team's rate
    (no limits of its own); each group carries its limits and ``flagged``.
    ``merge`` adds up the counts of two disjoint parts and redraws the funnel
    around the merged team rate, so flags can change.
    """

    @classmethod
    def from_rates(
        cls, rates: Breakdown[Rate], /, *, limits: FunnelMethod = "exact", min_count: int = 2
    ) -> Funnel:
        """Place every group of a breakdown of rates in the funnel around its overall rate."""
        overall = rates.overall
        team = overall.value if overall.denominator else None

        def place(result: Rate, rate: float | None) -> FunnelRate:
            return FunnelRate(
                numerator=result.numerator,
                denominator=result.denominator,
                metric=result.metric,
                team_rate=rate,
                limits=limits,
                min_count=min_count,
                period=result.period,
            )

        return cls(
            by=rates.by,
            overall=place(overall, None),
            groups={key: place(result, team) for key, result in rates.groups.items()},
        )

    @property
    def team_rate(self) -> float:
        """The rate the funnel is drawn around (the overall value)."""
        return self.overall.value

    @property
    def flagged(self) -> list[Key | None]:
        """Keys of the flagged groups, in key order."""
        return [key for key, result in self.groups.items() if result.flagged]

    def to_rows(self, *, min_n: int | None = None) -> list[dict[str, Any]]:
        """One dict per group: key, value, counts, limits and the flag."""
        return [
            {
                self.by: key,
                "value": r.value,
                "numerator": r.numerator,
                "denominator": r.denominator,
                "low95": r.low95,
                "high95": r.high95,
                "low998": r.low998,
                "high998": r.high998,
                "flagged": r.flagged,
                "reliable": r.is_reliable(min_n=min_n),
            }
            for key, r in self.groups.items()
        ]

    def merge(self, other: Breakdown[FunnelRate], /) -> Funnel:
        """Add up the counts of two disjoint parts and redraw the funnel."""
        _check_same_kind(self, other, self.overall.params(), other.overall.params())
        merged = _plain_rates(self).merge(_plain_rates(other))
        return Funnel.from_rates(
            merged, limits=self.overall.limits, min_count=self.overall.min_count
        )


Shrinkage = Literal["empirical-bayes"]
"""How `csmetrics.rating` shrinks group means; None for no shrinkage."""
SHRINKAGES: tuple[Shrinkage | None, ...] = ("empirical-bayes", None)


@attrs.frozen(kw_only=True, repr=False)
class Rating(Mean):
    """A mean star rating, with its empirical-Bayes shrunk estimate.

    ``value`` is the raw mean. ``shrunk`` is ``team_mean + weight * (mean -
    team_mean)`` with ``weight = tau^2 / (tau^2 + sigma^2 / n)`` under the
    team's fitted prior (``between_variance`` tau^2, ``within_variance``
    sigma^2; `csmetrics.core.stats.shrinkage_prior`): a mean of two ratings moves
    most of the way to the team mean, a mean of four hundred barely moves.
    Without a prior (``shrinkage=None``, the overall result, a single group)
    ``weight`` is 1 and ``shrunk`` equals the mean.

    ``merge`` keeps the prior and recomputes ``shrunk`` for the merged
    ratings; parts with different priors do not merge (merge the
    `RatingBreakdown` breakdowns instead, which refit the prior).
    """

    _params: ClassVar[tuple[str, ...]] = (
        "metric",
        "scale",
        "shrinkage",
        "team_mean",
        "between_variance",
        "within_variance",
    )

    scale: tuple[int, int] = (1, 5)
    """The rating scale."""
    shrinkage: Shrinkage | None = attrs.field(
        default="empirical-bayes", validator=attrs.validators.in_(SHRINKAGES)
    )
    """The shrinkage asked for."""
    team_mean: float | None = None
    """The prior mean ``mu`` shrunk toward; None without a prior."""
    between_variance: float | None = None
    """The prior's ``tau^2``; None without a prior."""
    within_variance: float | None = None
    """The prior's ``sigma^2``; None without a prior."""
    metric: str = "rating"
    weight: float = _derived()
    """The weight ``w`` of the group's own mean, in [0, 1]."""
    shrunk: float = _derived()
    """The shrunk mean, between ``value`` and ``team_mean``; nan when ``n`` is 0."""

    def __attrs_post_init__(self) -> None:
        if self.team_mean is None:
            weight, shrunk = 1.0, self.value
        else:
            prior = ShrinkagePrior(
                mean=self.team_mean,
                between_variance=self.between_variance,
                within_variance=self.within_variance,
            )
            weight, shrunk = prior.weight(self.n), prior.shrink(self.mean, self.n)
        object.__setattr__(self, "weight", weight)
        object.__setattr__(self, "shrunk", shrunk)

    def _fields(self) -> dict[str, Any]:
        return {**super()._fields(), "shrunk": self.shrunk}


@attrs.frozen(kw_only=True)
class RatingBreakdown(Breakdown[Rating]):
    """Ratings per group with shrunk means, plus the overall (unshrunk) rating.

    Returned by `csmetrics.rating` with ``by=``. ``prior`` is the fitted
    normal-normal model (None with ``shrinkage=None``). ``merge`` adds up the
    moments of two disjoint parts and refits the prior.
    """

    prior: ShrinkagePrior | None = None
    """The fitted prior every group is shrunk with; None without shrinkage."""

    @classmethod
    def from_means(
        cls,
        means: Breakdown[Mean],
        /,
        *,
        scale: tuple[int, int] = (1, 5),
        shrinkage: Shrinkage | None = "empirical-bayes",
    ) -> RatingBreakdown:
        """Fit the prior to a breakdown of means and shrink every group."""
        option("shrinkage", shrinkage, SHRINKAGES)
        groups = list(means.groups.values())
        prior = None
        if shrinkage is not None:
            prior = shrinkage_prior(
                [r.n for r in groups], [r.mean for r in groups], [r.m2 for r in groups]
            )
        fitted = {}
        if prior is not None and not math.isnan(prior.mean):
            fitted = {
                "team_mean": prior.mean,
                "between_variance": prior.between_variance,
                "within_variance": prior.within_variance,
            }

        def rating(result: Mean, fit: dict[str, Any]) -> Rating:
            return Rating(
                n=result.n,
                mean=result.mean,
                m2=result.m2,
                scale=scale,
                shrinkage=shrinkage,
                period=result.period,
                **fit,
            )

        return cls(
            by=means.by,
            overall=rating(means.overall, {}),
            groups={key: rating(result, fitted) for key, result in means.groups.items()},
            prior=prior,
        )

    def to_rows(self, *, min_n: int | None = None) -> list[dict[str, Any]]:
        """One dict per group: key, mean, counts, weight and shrunk mean."""
        return [
            {
                self.by: key,
                "value": r.value,
                "n": r.n,
                "std": r.std,
                "weight": r.weight,
                "shrunk": r.shrunk,
                "reliable": r.is_reliable(min_n=min_n),
            }
            for key, r in self.groups.items()
        ]

    def merge(self, other: Breakdown[Rating], /) -> RatingBreakdown:
        """Add up the moments of two disjoint parts and shrink again with a refitted prior."""
        _check_same_kind(self, other, self.overall.params(), other.overall.params())

        def plain(b: Breakdown[Rating]) -> Breakdown[Mean]:
            def mean(r: Rating) -> Mean:
                return Mean(n=r.n, mean=r.mean, m2=r.m2, metric=r.metric, period=r.period)

            return Breakdown(
                by=b.by,
                overall=mean(b.overall),
                groups={k: mean(r) for k, r in b.groups.items()},
            )

        return RatingBreakdown.from_means(
            plain(self).merge(plain(other)),
            scale=self.overall.scale,
            shrinkage=self.overall.shrinkage,
        )
