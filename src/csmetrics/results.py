"""Result objects: a value plus the counts it came from.

Results are frozen. ``float(result)`` is the headline value; the counts
(numerator and denominator, promoters/passives/detractors, n and moments) are
kept so results can be merged across partitions, compared and given intervals.
``a.merge(b)`` adds the counts of two disjoint parts and refuses results
computed with different definition parameters.
"""

from __future__ import annotations

import html
import math
from collections.abc import Iterator, Mapping
from datetime import datetime
from typing import Any, ClassVar, Generic, TypeVar

import attrs

from csmetrics.model import Key, Window
from csmetrics.stats import (
    ConfidenceInterval,
    RateMethod,
    nps_interval,
    rate_interval,
    t_interval,
)

__all__ = ["CES", "CSAT", "FCR", "NPS", "Breakdown", "Mean", "Rate", "Result"]


def _count(inst: object, attribute: attrs.Attribute[int], value: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        msg = f"{attribute.name}={value!r}: a count must be an int >= 0"
        raise ValueError(msg)


R = TypeVar("R", bound="Result")


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
        rows = "".join(
            f"<tr><th>{html.escape(str(k))}</th><td>{html.escape(_show(v))}</td></tr>"
            for k, v in self._fields().items()
        )
        return f"<table><caption>{type(self).__name__}</caption>{rows}</table>"


def _show(value: object) -> str:
    if isinstance(value, float):
        return f"{value:.6g}"
    if isinstance(value, datetime):
        return value.isoformat()
    return str(value)


@attrs.frozen(kw_only=True, repr=False)
class Rate(Result):
    """A share of successes: ``numerator / denominator``, a fraction in [0, 1].

    ``metric`` names what was counted (e.g. ``"resolution_rate"``); results of
    different metrics never merge.
    """

    _counts: ClassVar[tuple[str, ...]] = ("numerator", "denominator")
    _params: ClassVar[tuple[str, ...]] = ("metric",)

    numerator: int = attrs.field(validator=_count)
    denominator: int = attrs.field(validator=_count)
    metric: str = "rate"

    def __attrs_post_init__(self) -> None:
        if self.numerator > self.denominator:
            msg = f"numerator {self.numerator} exceeds denominator {self.denominator}"
            raise ValueError(msg)

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
        """Confidence interval for the rate; see `csmetrics.stats.rate_interval`."""
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

    pending: int = attrs.field(validator=_count)
    repeats: int = attrs.field(validator=_count)
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

    promoters: int = attrs.field(validator=_count)
    passives: int = attrs.field(validator=_count)
    detractors: int = attrs.field(validator=_count)

    @property
    def n(self) -> int:
        """Number of answers."""
        return self.promoters + self.passives + self.detractors

    @property
    def value(self) -> float:
        """NPS in [-100, 100]; nan when there are no answers."""
        return 100 * (self.promoters - self.detractors) / self.n if self.n else math.nan

    def ci(self, *, confidence_level: float = 0.95) -> ConfidenceInterval:
        """Confidence interval; see `csmetrics.stats.nps_interval`."""
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

    n: int = attrs.field(validator=_count)
    mean: float = math.nan
    m2: float = 0.0
    metric: str = "mean"

    @property
    def value(self) -> float:
        """The mean; nan when ``n`` is 0."""
        return self.mean if self.n else math.nan

    @property
    def std(self) -> float:
        """Sample standard deviation (ddof 1); nan when ``n < 2``."""
        return math.sqrt(self.m2 / (self.n - 1)) if self.n > 1 else math.nan

    @property
    def total(self) -> float:
        """Sum of the values (``n * mean``)."""
        return self.n * self.mean if self.n else 0.0

    def ci(self, *, confidence_level: float = 0.95) -> ConfidenceInterval:
        """Student t interval; see `csmetrics.stats.t_interval`."""
        return t_interval(self.value, self.std, self.n, confidence_level=confidence_level)

    def _merged_fields(self, other: Result) -> dict[str, Any]:
        assert isinstance(other, Mean)
        if other.n == 0:
            return {}
        if self.n == 0:
            return {"n": other.n, "mean": other.mean, "m2": other.m2}
        n = self.n + other.n
        delta = other.mean - self.mean
        return {
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

    def to_rows(self) -> list[dict[str, Any]]:
        """One dict per group: the key, the value, the counts (no total row)."""
        return [
            {self.by: key, "value": result.value, **result.counts()}
            for key, result in self.groups.items()
        ]

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
        rows = self.to_rows()
        if not rows:
            return f"<p>Breakdown by {html.escape(self.by)}: no groups</p>"
        head = "".join(f"<th>{html.escape(k)}</th>" for k in rows[0])
        body = "".join(
            "<tr>" + "".join(f"<td>{html.escape(_show(v))}</td>" for v in row.values()) + "</tr>"
            for row in rows
        )
        return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
