"""Team metrics: escalations, product gaps, complaints and agent ratings.

- `escalation_rate`: escalated contacts over handled contacts, a fraction in
  [0, 1]; lower is usually better (but zero escalations can mean problems
  kept in tier 1 that belong elsewhere).
- `product_gaps`: the groups (by default contact categories) whose
  escalations or repeat contacts exceed what the overall rate explains: per
  group the observed and expected counts, the excess (contacts) and a
  one-sided exact binomial p-value; a larger excess points to a bigger gap.
- `complaint_rate`: complaints over handled contacts, a fraction in [0, 1];
  lower is better. Per agent, each rate is placed in a funnel plot around the
  team rate and flagged only when it is clearly too high.
- `rating`: the mean agent star rating on 1..5; higher is better. Per agent
  it comes with an empirical-Bayes shrunk mean, so a handful of ratings
  cannot put an agent at the top or the bottom of a ranking.

A *handled* contact is one that was neither abandoned nor blocked: only
handled contacts can be escalated by an agent or be an agent's work to
complain about.

Inputs: `escalation_rate`, `product_gaps` and `complaint_rate` take the contacts as

- `Interaction` objects (a list or any iterable);
- an `Interactions` table, the columnar form for large data;
- with the ``frames`` extra (``pip install "csmetrics[frames]"``), a pandas,
  polars or pyarrow table or a DuckDB relation whose columns are named like
  the `Interaction` fields (`Interactions.from_frame` converts one once, to
  compute several metrics on it).

`rating` takes survey answers as the survey metrics do (see
`csmetrics.metrics.surveys`): `Survey` objects, a `Surveys` table, a
dataframe with the `Survey` fields, or, with ``by=None``, plain scores (a
list, an array or a pandas or polars Series).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from functools import partial
from typing import Any, ClassVar, Literal, overload

import attrs
import numpy as np
import numpy.typing as npt

from csmetrics.core.check import (
    RenamedField,
    bad_record,
    option,
    positive_number,
    renamed,
    takes_tables,
    whole_count,
)
from csmetrics.core.episodes import (
    CONTACT_BY,
    MATCHES,
    ContactBy,
    Match,
    as_interactions,
    episode_heads,
    window_micros,
)
from csmetrics.core.model import Interaction, Key, PeriodLike, check_scale
from csmetrics.core.reduce import (
    group_of,
    in_period,
    reduce_counts,
    reduce_mean,
    warn_if_undefined,
)
from csmetrics.core.results import Breakdown, Mean, Rate
from csmetrics.core.stats import (
    FUNNEL_METHODS,
    FunnelMethod,
    ShrinkagePrior,
    binom_sf,
    funnel_bands,
    shrinkage_prior,
)
from csmetrics.core.table import Interactions
from csmetrics.core.tickets import Tickets
from csmetrics.metrics.surveys import SURVEY_BY, SurveyBy, SurveyData, _answers

__all__ = [
    "RATING_METHODS",
    "SHRINKAGES",
    "Funnel",
    "FunnelRate",
    "Gap",
    "GapBy",
    "ProductGaps",
    "Rating",
    "RatingBreakdown",
    "RatingMethod",
    "Shrinkage",
    "Signal",
    "complaint_rate",
    "escalation_rate",
    "product_gaps",
    "rating",
    "repeat_contacts",
]

Bool = npt.NDArray[np.bool_]

Signal = Literal["escalation", "repeat"]
"""What `product_gaps` counts: escalated contacts or FCR repeat contacts."""
SIGNALS: tuple[Signal, ...] = ("escalation", "repeat")
GapBy = Literal["category", "channel", "priority", "tier"]
"""Contact fields `product_gaps` can compare groups of."""
GAP_BY: tuple[GapBy, ...] = ("category", "channel", "priority", "tier")


# -- results -----------------------------------------------------------------------------------


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


@attrs.frozen(order=False, kw_only=True, repr=False)
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
    _unit_fields: ClassVar[tuple[str, ...]] = ("value", "overall_rate")

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


@attrs.frozen(order=False, kw_only=True, repr=False)
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
    _unit_fields: ClassVar[tuple[str, ...]] = (
        "value",
        "team_rate",
        "low95",
        "high95",
        "low998",
        "high998",
    )

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
        (low95, high95), (low998, high998) = funnel_bands(
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


RatingMethod = Literal["empirical-bayes"]
"""How `csmetrics.rating` shrinks group means (its ``method=``); None for no shrinkage."""
RATING_METHODS: tuple[RatingMethod | None, ...] = ("empirical-bayes", None)
Shrinkage = RatingMethod
"""Deprecated alias of `RatingMethod`; removed in 0.3."""
SHRINKAGES = RATING_METHODS
"""Deprecated alias of `RATING_METHODS`; removed in 0.3."""


@attrs.frozen(order=False, kw_only=True, repr=False)
class Rating(Mean):
    """A mean star rating, with its empirical-Bayes shrunk estimate.

    ``value`` is the raw mean. ``shrunk`` is ``team_mean + weight * (mean -
    team_mean)`` with ``weight = tau^2 / (tau^2 + sigma^2 / n)`` under the
    team's fitted prior (``between_variance`` tau^2, ``within_variance``
    sigma^2; `csmetrics.core.stats.shrinkage_prior`): a mean of two ratings moves
    most of the way to the team mean, a mean of four hundred barely moves.
    Without a prior (``method=None``, the overall result, a single group)
    ``weight`` is 1 and ``shrunk`` equals the mean.

    ``merge`` keeps the prior and recomputes ``shrunk`` for the merged
    ratings; parts with different priors do not merge (merge the
    `RatingBreakdown` breakdowns instead, which refit the prior).
    """

    _params: ClassVar[tuple[str, ...]] = (
        "metric",
        "scale",
        "method",
        "team_mean",
        "between_variance",
        "within_variance",
    )
    _unit_fields: ClassVar[tuple[str, ...]] = ("value", "std", "team_mean", "shrunk")

    scale: tuple[int, int] = (1, 5)
    """The rating scale."""
    method: RatingMethod | None = attrs.field(
        default="empirical-bayes", validator=attrs.validators.in_(RATING_METHODS)
    )
    """How group means are shrunk: ``"empirical-bayes"``, or None for not at all."""
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

    shrinkage = RenamedField[RatingMethod | None]("method")
    """Deprecated alias of ``method``; removed in 0.3."""

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
    normal-normal model (None with ``method=None``). ``merge`` adds up the
    moments of two disjoint parts and refits the prior.
    """

    prior: ShrinkagePrior | None = None
    """The fitted prior every group is shrunk with; None without shrinkage."""

    @classmethod
    @renamed(shrinkage="method")
    def from_means(
        cls,
        means: Breakdown[Mean],
        /,
        *,
        scale: tuple[int, int] = (1, 5),
        method: RatingMethod | None = "empirical-bayes",
    ) -> RatingBreakdown:
        """Fit the prior to a breakdown of means and shrink every group.

        ``method`` is `rating`'s; the old name ``shrinkage=`` still works
        until 0.3, with a `DeprecationWarning`.
        """
        option("method", method, RATING_METHODS)
        groups = list(means.groups.values())
        prior = None
        if method is not None:
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
                **result.moments(),
                scale=scale,
                method=method,
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
                return Mean(**r.moments(), metric=r.metric, period=r.period)

            return Breakdown(
                by=b.by,
                overall=mean(b.overall),
                groups={k: mean(r) for k, r in b.groups.items()},
            )

        return RatingBreakdown.from_means(
            plain(self).merge(plain(other)),
            scale=self.overall.scale,
            method=self.overall.method,
        )


# -- metrics -----------------------------------------------------------------------------------


def _handled(table: Interactions, period: PeriodLike | None) -> Bool:
    """Contacts in the period that were neither abandoned nor blocked."""
    return in_period(table.start, period) & ~table.abandoned & ~table.blocked


def repeat_contacts(
    interactions: Interactions | Tickets | Iterable[Interaction],
    /,
    *,
    window_days: float = 7,
    match: Match = "issue",
) -> Bool:
    """Which contacts are repeats in the sense of `csmetrics.fcr`.

    Contacts are grouped into issues by ``match`` and ordered by start (ties
    by id); a contact that starts no later than ``window_days`` after the
    latest end of the earlier contacts of its issue is a repeat. This is the
    rule `fcr` uses (the same issue keys and ordering), without its ``as_of``
    cut: whether a contact is a repeat depends only on earlier contacts.

    Parameters
    ----------
    interactions
        `Interaction` objects or an `Interactions` table.
    window_days
        As for `fcr`: a positive number of days.
    match
        As for `fcr`: ``"issue"``, ``"category"`` or ``"customer"``.

    Returns
    -------
    numpy.ndarray
        One bool per contact, in the order of the input (of the table built
        from it).

    Examples
    --------
    >>> from datetime import datetime, timezone
    >>> from csmetrics import Interaction
    >>> def at(day):
    ...     return datetime(2026, 3, day, 9, tzinfo=timezone.utc)
    >>> contacts = [
    ...     Interaction(id="1", customer_id="ann", start=at(2), end=at(2), category="billing"),
    ...     Interaction(id="2", customer_id="ann", start=at(5), end=at(5), category="billing"),
    ...     Interaction(id="3", customer_id="ann", start=at(20), end=at(20), category="billing"),
    ... ]
    >>> repeat_contacts(contacts, match="category").tolist()
    [False, True, False]
    """
    table = as_interactions(interactions)
    window = window_micros("window_days", window_days)
    option("match", match, MATCHES)
    first = episode_heads(table, window, match)[0]
    repeat = np.ones(len(table), dtype=bool)
    repeat[first] = False  # every contact but an episode's first is a repeat
    return repeat


@overload
def escalation_rate(
    interactions: Interactions | Tickets | Iterable[Interaction],
    /,
    *,
    period: PeriodLike | None = None,
    by: None = None,
) -> Rate: ...


@overload
def escalation_rate(
    interactions: Interactions | Tickets | Iterable[Interaction],
    /,
    *,
    period: PeriodLike | None = None,
    by: ContactBy,
) -> Breakdown[Rate]: ...


@takes_tables("Interactions")
def escalation_rate(
    interactions: Interactions | Tickets | Iterable[Interaction],
    /,
    *,
    period: PeriodLike | None = None,
    by: ContactBy | None = None,
) -> Rate | Breakdown[Rate]:
    """Escalation rate: the share of handled contacts passed on to a higher tier or team.

    ``escalation rate = escalated handled contacts / handled contacts``.

    A handled contact is one that was neither abandoned nor blocked: an
    abandoned or blocked contact never reached an agent who could escalate
    it, so it is in neither part of the rate. An open contact counts with
    the escalation recorded so far.

    Parameters
    ----------
    interactions
        `Interaction` objects or an `Interactions` table, with ``escalated``.
    period
        Keep contacts that start in the `Window`.
    by
        ``"agent_id"``, ``"channel"``, ``"category"`` or ``"customer_id"``: a
        `Breakdown` by that field of the contact.

    Returns
    -------
    Rate or Breakdown[Rate]
        ``metric="escalation_rate"``; numerator escalated handled contacts,
        denominator handled contacts. Mergeable across partitions of any kind.

    Raises
    ------
    InvalidDataError
        A record is invalid (see `Interaction`), or the input gives no
        ``escalated`` column (decision 46).
    ValueError
        An option is not allowed.

    Warns
    -----
    UndefinedMetricWarning
        No handled contact in scope.

    See Also
    --------
    product_gaps : which categories the escalations concentrate in.

    References
    ----------
    ICMI, "Escalation rate"; Zendesk, "Ticket escalation rate" (escalated
    tickets / tickets).

    Examples
    --------
    >>> from datetime import datetime, timezone
    >>> from csmetrics import Interaction
    >>> from csmetrics.metrics.team import escalation_rate
    >>> t = datetime(2026, 3, 2, 9, tzinfo=timezone.utc)
    >>> contacts = [
    ...     Interaction(id="1", customer_id="a", start=t, end=t, escalated=True),
    ...     Interaction(id="2", customer_id="b", start=t, end=t),
    ...     Interaction(id="3", customer_id="c", start=t, end=t),
    ...     Interaction(id="4", customer_id="d", start=t, end=t, abandoned=True),
    ... ]
    >>> r = escalation_rate(contacts)
    >>> r.numerator, r.denominator
    (1, 3)
    """
    table = as_interactions(interactions)
    table.require("escalation_rate", ("escalated",))
    group = group_of(table, by, CONTACT_BY)
    keep = _handled(table, period)
    result = reduce_counts(
        partial(Rate, metric="escalation_rate", period=period),
        {"numerator": table.escalated[keep], "denominator": keep[keep]},
        None if group is None else group[keep],
        by,
    )
    warn_if_undefined(result, "escalation_rate", "no handled contact in scope")
    return result


@takes_tables("Interactions")
def product_gaps(
    interactions: Interactions | Tickets | Iterable[Interaction],
    /,
    *,
    by: GapBy = "category",
    signal: Signal = "escalation",
    window_days: float | None = None,
    match: Match | None = None,
    period: PeriodLike | None = None,
) -> ProductGaps:
    """Product gaps: the contact reasons with more escalations or repeats than the rest explains.

    Many escalations (or call-backs) of the same type point to a problem the
    front line cannot fix: a missing feature, a bug, a policy or a knowledge
    gap. For every group (category) with volume ``n_c`` and ``o_c`` signal
    contacts, with ``p = sum o_c / sum n_c`` the overall rate:

    - ``expected_c = n_c * p``, the count the overall rate explains;
    - ``excess_c = o_c - expected_c``, the contacts beyond it;
    - ``p_value_c = P(X >= o_c)`` for X ~ Binomial(n_c, p): the one-sided exact
      probability of a count this high by chance (`csmetrics.core.stats.binom_sf`).

    Groups are ordered by excess, largest first. The expected counts add up
    to the observed total.

    Parameters
    ----------
    interactions
        `Interaction` objects or an `Interactions` table.
    by
        ``"category"`` (default), ``"channel"``, ``"priority"`` or ``"tier"``.
        Contacts without a value form the group None.
    signal
        - ``"escalation"`` (default): escalated contacts among handled
          contacts (as in `escalation_rate`).
        - ``"repeat"``: repeat contacts among all contacts, a repeat being a
          contact within ``window_days`` of an earlier contact on the same
          issue, as in `fcr` (`repeat_contacts`). Each repeat counts in its
          own group.
    window_days
        For ``signal="repeat"``: the FCR window, default 7 days. Not allowed
        with ``signal="escalation"``.
    match
        For ``signal="repeat"``: how contacts are grouped into issues,
        default ``"issue"`` (see `fcr`). Not allowed with
        ``signal="escalation"``.
    period
        Keep contacts that start in the `Window`. Repeats are still detected
        against earlier contacts outside it.

    Returns
    -------
    ProductGaps
        A `Breakdown` of `Gap` results (``numerator`` observed, ``denominator``
        volume, ``expected``, ``excess``, ``p_value``) ordered by excess, and
        the ``overall`` counts. ``metric`` is ``"escalation_rate"`` or
        ``"repeat_rate"``. ``merge`` of two results recomputes every group
        against the merged rate; for repeats, each part must hold all the
        contacts of its customers.

    Raises
    ------
    InvalidDataError
        A record is invalid (see `Interaction`), or the input gives no column
        of ``by`` or, for ``signal="escalation"``, no ``escalated`` column (decision 46).
    ValueError
        An option is not allowed.

    Warns
    -----
    UndefinedMetricWarning
        No contact in scope.

    Notes
    -----
    A p-value is per group: with twenty categories, one of them falls below
    0.05 by chance in a typical month. Read the list from the top, and trust a
    gap whose p-value stays small after multiplying it by the number of
    groups (Bonferroni), or that recurs month after month. Contacts before
    the start of the data cannot be seen, so the first days of an export
    under-count repeats.

    See Also
    --------
    escalation_rate : the overall share of escalated contacts.
    fcr : first-contact resolution, built on the same repeat rule.

    Examples
    --------
    >>> from datetime import datetime, timezone
    >>> from csmetrics import Interaction
    >>> from csmetrics.metrics.team import product_gaps
    >>> t = datetime(2026, 3, 2, 9, tzinfo=timezone.utc)
    >>> contacts = [
    ...     Interaction(id=f"{c}{i}", customer_id=f"{c}{i}", start=t, end=t, category=c,
    ...                 escalated=i < e)
    ...     for c, e in (("billing", 1), ("login", 5)) for i in range(10)
    ... ]
    >>> gaps = product_gaps(contacts)
    >>> list(gaps), gaps["login"].expected, gaps["login"].excess
    (['login', 'billing'], 3.0, 2.0)
    >>> round(gaps["login"].p_value, 4)
    0.1503
    """
    table = as_interactions(interactions)
    option("signal", signal, SIGNALS)
    option("by", by, GAP_BY)
    table.require("product_gaps", (by, "escalated") if signal == "escalation" else (by,))
    group = group_of(table, by, GAP_BY)
    assert group is not None  # by is never None here
    if signal == "escalation":
        for name, value in (("window_days", window_days), ("match", match)):
            if value is not None:
                msg = f"{name}={value!r} is not allowed with signal='escalation'; use None"
                raise ValueError(msg)
        keep = _handled(table, period)
        observed, metric = table.escalated, "escalation_rate"
    else:
        window_days = 7.0 if window_days is None else positive_number("window_days", window_days)
        match = "issue" if match is None else match
        observed = repeat_contacts(table, window_days=window_days, match=match)
        keep, metric = in_period(table.start, period), "repeat_rate"
    rates = reduce_counts(
        partial(Rate, metric=metric, period=period),
        {"numerator": observed[keep], "denominator": keep[keep]},
        group[keep],
        by,
    )
    assert isinstance(rates, Breakdown)
    result = ProductGaps.from_rates(rates, window_days=window_days, match=match)
    warn_if_undefined(result, "product_gaps", "no contact in scope")
    return result


@overload
def complaint_rate(
    interactions: Interactions | Tickets | Iterable[Interaction],
    /,
    *,
    by: ContactBy = "agent_id",
    min_complaints: int = 2,
    limits: FunnelMethod = "exact",
    period: PeriodLike | None = None,
) -> Funnel: ...


@overload
def complaint_rate(
    interactions: Interactions | Tickets | Iterable[Interaction],
    /,
    *,
    by: None,
    min_complaints: int = 2,
    limits: FunnelMethod = "exact",
    period: PeriodLike | None = None,
) -> FunnelRate: ...


@takes_tables("Interactions")
def complaint_rate(
    interactions: Interactions | Tickets | Iterable[Interaction],
    /,
    *,
    by: ContactBy | None = "agent_id",
    min_complaints: int = 2,
    limits: FunnelMethod = "exact",
    period: PeriodLike | None = None,
) -> FunnelRate | Funnel:
    """Complaint rate per agent, in a funnel plot: who gets clearly more complaints than chance.

    ``complaint rate = complaints on handled contacts / handled contacts``.

    With ``by=``, each group's rate is compared with the team rate ``p0`` (the
    overall rate) at the group's volume ``n``: the funnel-plot control limits
    contain 95% and 99.8% of the rates a group of ``n`` contacts shows by
    chance at ``p0`` (`csmetrics.core.stats.funnel_limits`). A group is *flagged*
    only when its rate is above the outer (99.8%) upper limit **and** it has
    at least ``min_complaints`` complaints, so one complaint on a handful of
    contacts is never a finding.

    Parameters
    ----------
    interactions
        `Interaction` objects or an `Interactions` table, with ``complaint``.
    by
        ``"agent_id"`` (default), ``"channel"``, ``"category"`` or
        ``"customer_id"``: a `Funnel` by that field. None gives the team rate
        alone (a `FunnelRate` without limits).
    min_complaints
        The fewest complaints a flagged group has; an int >= 0, default 2.
    limits
        - ``"exact"`` (default): binomial quantiles with Spiegelhalter's
          interpolation, right for the small counts complaints come in.
        - ``"normal"``: ``p0 +/- z sqrt(p0 (1 - p0) / n)``, what spreadsheet
          funnel plots draw; too narrow below about ``n p0 = 5``.
    period
        Keep contacts that start in the `Window`.

    Returns
    -------
    FunnelRate or Funnel
        ``metric="complaint_rate"``. Each group's `FunnelRate` carries
        ``low95``, ``high95``, ``low998``, ``high998`` and ``flagged``;
        ``Funnel.flagged`` lists the flagged keys. Merging two funnels adds up
        the counts and redraws the funnel around the merged team rate, so a
        flag can change; a single group's result merges only with one drawn
        around the same team rate.

    Raises
    ------
    InvalidDataError
        A record is invalid (see `Interaction`), or the input gives no
        ``complaint`` column (decision 46).
    ValueError
        An option is not allowed.

    Warns
    -----
    UndefinedMetricWarning
        No handled contact in scope.

    Notes
    -----
    The funnel compares every group with the team; it does not say why a
    group is high. An agent who takes the hardest queue or the angriest
    customers will sit high for reasons of their own. Treat a flag as a
    reason to look at the contacts, never as a verdict, and never judge an
    agent on a rate the funnel does not flag.

    References
    ----------
    Spiegelhalter, D. J. (2005). "Funnel plots for comparing institutional
    performance". Statistics in Medicine 24(8), 1185-1202.

    Examples
    --------
    >>> from datetime import datetime, timezone
    >>> from csmetrics import Interaction
    >>> from csmetrics.metrics.team import complaint_rate
    >>> t = datetime(2026, 3, 2, 9, tzinfo=timezone.utc)
    >>> contacts = [
    ...     Interaction(id=f"{a}{i}", customer_id=f"{a}{i}", start=t, end=t, agent_id=a,
    ...                 complaint=i < c)
    ...     for a, n, c in (("ann", 400, 8), ("bob", 400, 30), ("cy", 1, 1), ("dee", 400, 10))
    ...     for i in range(n)
    ... ]
    >>> funnel = complaint_rate(contacts)
    >>> round(funnel.team_rate, 4), funnel.flagged
    (0.0408, ['bob'])
    >>> bob = funnel["bob"]
    >>> bob.value, round(bob.high998, 4), bob.flagged
    (0.075, 0.0733, True)

    One contact, one complaint: above the outer limit, but never a finding.

    >>> cy = funnel["cy"]
    >>> cy.value, round(cy.high998, 4), cy.flagged
    (1.0, 0.9755, False)
    """
    min_complaints = whole_count("min_complaints", min_complaints)
    option("limits", limits, FUNNEL_METHODS)
    table = as_interactions(interactions)
    table.require("complaint_rate", ("complaint",))
    group = group_of(table, by, CONTACT_BY)
    keep = _handled(table, period)
    rates = reduce_counts(
        partial(Rate, metric="complaint_rate", period=period),
        {"numerator": table.complaint[keep], "denominator": keep[keep]},
        None if group is None else group[keep],
        by,
    )
    result: FunnelRate | Funnel
    if isinstance(rates, Breakdown):
        result = Funnel.from_rates(rates, limits=limits, min_count=min_complaints)
    else:
        result = FunnelRate(
            numerator=rates.numerator,
            denominator=rates.denominator,
            team_rate=None,
            limits=limits,
            min_count=min_complaints,
            period=period,
        )
    warn_if_undefined(result, "complaint_rate", "no handled contact in scope")
    return result


@overload
def rating(
    surveys: SurveyData,
    /,
    *,
    by: SurveyBy = "agent_id",
    scale: tuple[int, int] = (1, 5),
    method: RatingMethod | None = "empirical-bayes",
    period: PeriodLike | None = None,
) -> RatingBreakdown: ...


@overload
def rating(
    surveys: SurveyData,
    /,
    *,
    by: None,
    scale: tuple[int, int] = (1, 5),
    method: RatingMethod | None = "empirical-bayes",
    period: PeriodLike | None = None,
) -> Rating: ...


@renamed(shrinkage="method")
@takes_tables("Surveys")
def rating(
    surveys: SurveyData,
    /,
    *,
    by: SurveyBy | None = "agent_id",
    scale: tuple[int, int] = (1, 5),
    method: RatingMethod | None = "empirical-bayes",
    period: PeriodLike | None = None,
) -> Rating | RatingBreakdown:
    """Agent star rating: the mean rating, and a shrunk mean that is fair to small samples.

    ``rating = sum of ratings / n`` per agent (Survey kind ``"rating"``).

    A mean of two ratings is mostly luck: ranking agents by raw means puts
    the agents with the fewest ratings at the top and the bottom. With
    ``method="empirical-bayes"`` each group's result also carries
    ``shrunk``, the posterior mean under a normal-normal model fitted to the
    whole team (`csmetrics.core.stats.shrinkage_prior`):

    ``shrunk_i = w_i x_i + (1 - w_i) mu``, ``w_i = tau^2 / (tau^2 + sigma^2 / n_i)``

    with ``x_i`` the agent's mean of ``n_i`` ratings, ``mu`` the team mean (of
    all ratings), ``sigma^2`` the pooled within-agent variance and ``tau^2``
    the between-agent variance by the method of moments (DerSimonian-Laird),
    truncated at 0. ``shrunk_i`` always lies between ``x_i`` and ``mu``; the
    more ratings, the closer to ``x_i``.

    Parameters
    ----------
    surveys
        `Survey` objects (only kind ``"rating"`` is used) or a `Surveys` table;
        plain scores only with ``by=None``.
    by
        ``"agent_id"`` (default), ``"customer_id"`` or ``"interaction_id"``: a
        `RatingBreakdown` by that field; ratings without one form the group
        None, which counts as one more group in the fit. None gives the
        overall rating alone.
    scale
        ``(low, high)`` of the rating, default 1..5 stars; a survey asked on
        another scale is an error.
    method
        How group means are shrunk: ``"empirical-bayes"`` (default) or None
        (``shrunk`` equals the mean). The old name ``shrinkage=`` still works
        until 0.3, with a `DeprecationWarning`.
    period
        Keep ratings given in the `Window`.

    Returns
    -------
    Rating or RatingBreakdown
        A `Mean` (``n``, ``mean``, ``std``, ``.ci()``) with ``weight`` and
        ``shrunk``. The overall rating is never shrunk. Merging two
        breakdowns adds up the moments and refits the prior; one group's
        result merges only with one shrunk with the same prior.

    Raises
    ------
    InvalidDataError
        A rating outside the scale, a bool, nan; a survey on another scale.
    ValueError
        An option is not allowed.

    Warns
    -----
    UndefinedMetricWarning
        No rating in scope.

    Notes
    -----
    Edge cases: with one group there is nothing to shrink toward but itself
    (``tau^2`` is None, ``shrunk`` equals the mean). When no group has two
    ratings the within-agent variance cannot be seen; it is taken as the
    variance of all ratings, which makes ``tau^2 = 0`` and shrinks every
    group to the team mean. When every rating is equal nothing moves.

    References
    ----------
    DerSimonian, R. & Laird, N. (1986). "Meta-analysis in clinical trials".
    Controlled Clinical Trials 7(3), 177-188. Efron, B. & Morris, C. (1975).
    "Data analysis using Stein's estimator and its generalizations". Journal
    of the American Statistical Association 70(350), 311-319.

    Examples
    --------
    >>> from datetime import datetime, timezone
    >>> from csmetrics import Survey
    >>> from csmetrics.metrics.team import rating
    >>> t = datetime(2026, 3, 2, 9, tzinfo=timezone.utc)
    >>> stars = {"ann": {5: 2}, "bob": {5: 330, 4: 60, 3: 10}, "cy": {5: 100, 4: 70, 3: 30}}
    >>> answers = [
    ...     Survey(id=f"{a}{score}-{i}", kind="rating", score=score, at=t, agent_id=a)
    ...     for a, counts in stars.items() for score, k in counts.items() for i in range(k)
    ... ]
    >>> ratings = rating(answers)
    >>> [(a, r.n, r.value, round(r.shrunk, 2)) for a, r in ratings.items()]
    [('ann', 2, 5.0, 4.79), ('bob', 400, 4.8, 4.8), ('cy', 200, 4.35, 4.35)]

    Two five-star ratings no longer outrank four hundred that average 4.8.
    """
    option("method", method, RATING_METHODS)
    scale = check_scale("scale", scale)
    option("by", by, (*SURVEY_BY, None))
    scores, group = _answers(surveys, "rating", scale, period, by)
    if (gone := np.flatnonzero(np.isnan(scores))).size:
        bad_record(f"at position {int(gone[0])}", "score", None, "a rating is required")
    means = reduce_mean(partial(Mean, metric="rating", period=period), scores, group, by)
    result: Rating | RatingBreakdown
    if isinstance(means, Breakdown):
        result = RatingBreakdown.from_means(means, scale=scale, method=method)
    else:
        result = Rating(**means.moments(), scale=scale, method=method, period=period)
    warn_if_undefined(result, "rating", "no rating in scope")
    return result
