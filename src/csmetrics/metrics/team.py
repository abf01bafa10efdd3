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
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import partial
from typing import Literal, overload

import numpy as np
import numpy.typing as npt

from csmetrics.core.check import option, positive_number
from csmetrics.core.episodes import (
    CONTACT_BY,
    DAY_MICROS,
    MATCHES,
    ContactBy,
    Match,
    as_interactions,
    episodes,
)
from csmetrics.core.model import Interaction, Window, check_scale
from csmetrics.core.reduce import (
    group_of,
    in_period,
    reduce_counts,
    reduce_mean,
    warn_if_undefined,
)
from csmetrics.core.results import (
    SHRINKAGES,
    Breakdown,
    Funnel,
    FunnelRate,
    Mean,
    ProductGaps,
    Rate,
    Rating,
    RatingBreakdown,
    Shrinkage,
)
from csmetrics.core.stats import FUNNEL_METHODS, FunnelMethod
from csmetrics.core.table import Interactions
from csmetrics.metrics.surveys import SURVEY_BY, SurveyBy, SurveyData, _answers

__all__ = [
    "GapBy",
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


def _handled(table: Interactions, period: Window | None) -> Bool:
    """Contacts in the period that were neither abandoned nor blocked."""
    return in_period(table.start, period) & ~table.abandoned & ~table.blocked


def repeat_contacts(
    interactions: Interactions | Iterable[Interaction],
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
    window = round(positive_number("window_days", window_days) * DAY_MICROS)
    option("match", match, MATCHES)
    order, episode_starts = episodes(table, window, match)
    repeat = np.zeros(len(table), dtype=bool)
    repeat[order] = ~episode_starts
    return repeat


@overload
def escalation_rate(
    interactions: Interactions | Iterable[Interaction],
    /,
    *,
    period: Window | None = None,
    by: None = None,
) -> Rate: ...


@overload
def escalation_rate(
    interactions: Interactions | Iterable[Interaction],
    /,
    *,
    period: Window | None = None,
    by: ContactBy,
) -> Breakdown[Rate]: ...


def escalation_rate(
    interactions: Interactions | Iterable[Interaction],
    /,
    *,
    period: Window | None = None,
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
        A record is invalid (see `Interaction`).
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


def product_gaps(
    interactions: Interactions | Iterable[Interaction],
    /,
    *,
    by: GapBy = "category",
    signal: Signal = "escalation",
    window_days: float | None = None,
    match: Match | None = None,
    period: Window | None = None,
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
        A record is invalid (see `Interaction`).
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
    interactions: Interactions | Iterable[Interaction],
    /,
    *,
    by: ContactBy = "agent_id",
    min_complaints: int = 2,
    limits: FunnelMethod = "exact",
    period: Window | None = None,
) -> Funnel: ...


@overload
def complaint_rate(
    interactions: Interactions | Iterable[Interaction],
    /,
    *,
    by: None,
    min_complaints: int = 2,
    limits: FunnelMethod = "exact",
    period: Window | None = None,
) -> FunnelRate: ...


def complaint_rate(
    interactions: Interactions | Iterable[Interaction],
    /,
    *,
    by: ContactBy | None = "agent_id",
    min_complaints: int = 2,
    limits: FunnelMethod = "exact",
    period: Window | None = None,
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
        A record is invalid (see `Interaction`).
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
    if (
        isinstance(min_complaints, bool)
        or not isinstance(min_complaints, int)
        or min_complaints < 0
    ):
        msg = f"min_complaints={min_complaints!r} is not allowed; use an int >= 0"
        raise ValueError(msg)
    option("limits", limits, FUNNEL_METHODS)
    table = as_interactions(interactions)
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
    shrinkage: Shrinkage | None = "empirical-bayes",
    period: Window | None = None,
) -> RatingBreakdown: ...


@overload
def rating(
    surveys: SurveyData,
    /,
    *,
    by: None,
    scale: tuple[int, int] = (1, 5),
    shrinkage: Shrinkage | None = "empirical-bayes",
    period: Window | None = None,
) -> Rating: ...


def rating(
    surveys: SurveyData,
    /,
    *,
    by: SurveyBy | None = "agent_id",
    scale: tuple[int, int] = (1, 5),
    shrinkage: Shrinkage | None = "empirical-bayes",
    period: Window | None = None,
) -> Rating | RatingBreakdown:
    """Agent star rating: the mean rating, and a shrunk mean that is fair to small samples.

    ``rating = sum of ratings / n`` per agent (Survey kind ``"rating"``).

    A mean of two ratings is mostly luck: ranking agents by raw means puts
    the agents with the fewest ratings at the top and the bottom. With
    ``shrinkage="empirical-bayes"`` each group's result also carries
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
    shrinkage
        ``"empirical-bayes"`` (default) or None (``shrunk`` equals the mean).
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
    option("shrinkage", shrinkage, SHRINKAGES)
    scale = check_scale("scale", scale)
    option("by", by, (*SURVEY_BY, None))
    scores, group = _answers(surveys, "rating", scale, period, by)
    means = reduce_mean(partial(Mean, metric="rating", period=period), scores, group, by)
    result: Rating | RatingBreakdown
    if isinstance(means, Breakdown):
        result = RatingBreakdown.from_means(means, scale=scale, shrinkage=shrinkage)
    else:
        result = Rating(
            n=means.n, mean=means.mean, m2=means.m2, scale=scale, shrinkage=shrinkage, period=period
        )
    warn_if_undefined(result, "rating", "no rating in scope")
    return result
