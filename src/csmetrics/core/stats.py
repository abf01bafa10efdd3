"""Interval estimators behind every result's ``.ci()``.

Each function states its formula and cites its source; the tests hold
reference values. ``z`` is always the exact normal quantile for the
confidence level (``statistics.NormalDist``), never a rounded 1.96.
"""

from __future__ import annotations

import functools
import math
from statistics import NormalDist
from typing import Literal

import attrs
import numpy as np
import numpy.typing as npt

from csmetrics.core.check import finite, option, shown

__all__ = [
    "KM_TOLERANCE",
    "BandMethod",
    "ConfidenceInterval",
    "FunnelMethod",
    "RateMethod",
    "ShrinkagePrior",
    "binom_cdf",
    "binom_sf",
    "funnel_bands",
    "funnel_limits",
    "kaplan_meier",
    "km_band",
    "km_quantile",
    "km_quantile_interval",
    "nps_interval",
    "rate_interval",
    "shrinkage_prior",
    "t_interval",
    "t_quantile",
    "z_value",
]

RateMethod = Literal["wilson", "agresti-coull", "wald"]
RATE_METHODS: tuple[RateMethod, ...] = ("wilson", "agresti-coull", "wald")


@attrs.frozen(kw_only=True)
class ConfidenceInterval:
    """A two-sided confidence interval ``[low, high]``."""

    low: float
    high: float
    confidence_level: float
    method: str

    def __contains__(self, value: float) -> bool:
        return self.low <= value <= self.high


def z_value(confidence_level: float) -> float:
    """Two-sided standard normal quantile: ``Phi^-1((1 + confidence_level) / 2)``.

    >>> round(z_value(0.95), 6)
    1.959964
    """
    # Above 1 - 1.1e-16, (1 + level) / 2 rounds to 1 in floating point: no finite quantile.
    level = finite(confidence_level)
    tail = (1 + level) / 2 if level is not None else math.nan
    if not 0 < tail - 0.5 < 0.5:
        msg = (
            f"confidence_level={shown(confidence_level)!r} is not allowed; "
            "use a number in (0, 1), at most 1 - 1e-15"
        )
        raise ValueError(msg)
    return NormalDist().inv_cdf(tail)


def _clip(low: float, high: float, lo: float, hi: float) -> tuple[float, float]:
    return max(lo, low), min(hi, high)


def rate_interval(
    successes: int,
    n: int,
    *,
    confidence_level: float = 0.95,
    method: RateMethod = "wilson",
) -> ConfidenceInterval:
    """Confidence interval for a binomial proportion ``p = successes / n``.

    Methods (``z`` the normal quantile, ``p`` the observed proportion):

    - ``"wilson"`` (default; Wilson 1927): centre
      ``(p + z^2 / 2n) / (1 + z^2 / n)``, half-width
      ``z / (1 + z^2 / n) * sqrt(p (1 - p) / n + z^2 / 4n^2)``. Good coverage
      even for small ``n`` and ``p`` near 0 or 1 (Brown, Cai & DasGupta 2001).
    - ``"agresti-coull"`` (Agresti & Coull 1998): the Wald interval around
      ``p~ = (successes + z^2 / 2) / (n + z^2)`` with ``n~ = n + z^2``.
    - ``"wald"``: ``p +/- z sqrt(p (1 - p) / n)``; shown for comparison with
      tools that use it; it collapses to a point at p = 0 or 1.

    Every interval is clipped to [0, 1]. With ``n = 0`` both bounds are nan.

    >>> ci = rate_interval(81, 263)
    >>> round(ci.low, 4), round(ci.high, 4)
    (0.2553, 0.3662)
    """
    z = z_value(confidence_level)
    option("method", method, RATE_METHODS)
    if not 0 <= successes <= n:
        msg = f"successes={successes!r}, n={n!r}: need 0 <= successes <= n"
        raise ValueError(msg)
    if n == 0:
        return ConfidenceInterval(
            low=math.nan,
            high=math.nan,
            confidence_level=confidence_level,
            method=method,
        )
    p = successes / n
    if method == "wilson":
        denom = 1 + z * z / n
        centre = (p + z * z / (2 * n)) / denom
        half = z / denom * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    elif method == "agresti-coull":
        n_tilde = n + z * z
        centre = (successes + z * z / 2) / n_tilde
        half = z * math.sqrt(centre * (1 - centre) / n_tilde)
    else:  # "wald"
        centre, half = p, z * math.sqrt(p * (1 - p) / n)
    low, high = _clip(centre - half, centre + half, 0.0, 1.0)
    if method == "wilson":
        # The Wilson bounds at 0 and n successes are exactly 0 and 1; the
        # formula above only reaches them up to rounding.
        low = 0.0 if successes == 0 else low
        high = 1.0 if successes == n else high
    return ConfidenceInterval(low=low, high=high, confidence_level=confidence_level, method=method)


def nps_interval(
    promoters: int, passives: int, detractors: int, *, confidence_level: float = 0.95
) -> ConfidenceInterval:
    """Normal-approximation interval for NPS from the multinomial variance.

    With ``n = P + Pa + D``, ``p_P = P / n`` and ``p_D = D / n``:
    ``Var(NPS / 100) = (p_P + p_D - (p_P - p_D)^2) / n``, and the interval is
    ``NPS +/- 100 z sqrt(Var)``, clipped to [-100, 100] (Rocks 2016, "Interval
    Estimation for the Net Promoter Score", The American Statistician 70(4)).

    >>> ci = nps_interval(50, 30, 20)
    >>> round(ci.low, 3), round(ci.high, 3)
    (14.692, 45.308)
    """
    z = z_value(confidence_level)
    n = promoters + passives + detractors
    if n == 0:
        return ConfidenceInterval(
            low=math.nan,
            high=math.nan,
            confidence_level=confidence_level,
            method="normal",
        )
    p_p, p_d = promoters / n, detractors / n
    value = 100 * (p_p - p_d)
    half = 100 * z * math.sqrt(max(0.0, p_p + p_d - (p_p - p_d) ** 2) / n)
    low, high = _clip(value - half, value + half, -100.0, 100.0)
    return ConfidenceInterval(
        low=low, high=high, confidence_level=confidence_level, method="normal"
    )


def _betacf(a: float, b: float, x: float) -> float:
    """Continued fraction of the incomplete beta function (modified Lentz)."""
    tiny, eps = 1e-300, 1e-15
    c, d = 1.0, 1.0 - (a + b) * x / (a + 1)
    d = 1 / (d if abs(d) > tiny else tiny)
    h = d
    for m in range(1, 1000):
        m2 = 2 * m
        for num in (
            m * (b - m) * x / ((a + m2 - 1) * (a + m2)),
            -(a + m) * (a + b + m) * x / ((a + m2) * (a + m2 + 1)),
        ):
            d = 1 + num * d
            d = 1 / (d if abs(d) > tiny else tiny)
            c = 1 + num / c
            c = c if abs(c) > tiny else tiny
            h *= d * c
        if abs(d * c - 1) < eps:
            break
    return h


def _betainc(a: float, b: float, x: float) -> float:
    """Regularised incomplete beta function ``I_x(a, b)``."""
    if x <= 0:
        return 0.0
    if x >= 1:
        return 1.0
    log_front = (
        math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b) + a * math.log(x) + b * math.log1p(-x)
    )
    if x < (a + 1) / (a + b + 2):
        return math.exp(log_front) * _betacf(a, b, x) / a
    return 1 - math.exp(log_front) * _betacf(b, a, 1 - x) / b


def t_cdf(t: float, df: float) -> float:
    """CDF of Student's t distribution with ``df`` degrees of freedom at ``t``.

    ``F(t) = 1 - I_x(df/2, 1/2) / 2`` for ``t > 0`` (and ``I_x / 2`` below),
    with ``x = df / (df + t^2)`` and ``I`` the regularized incomplete beta.
    """
    tail = 0.5 * _betainc(df / 2, 0.5, df / (df + t * t))
    return 1 - tail if t > 0 else tail


def t_quantile(p: float, df: float) -> float:
    """Quantile of Student's t distribution with ``df`` degrees of freedom.

    Solves ``F(t) = p`` by bisection on the exact CDF
    ``F(t) = 1 - I_{df / (df + t^2)}(df / 2, 1 / 2) / 2`` for ``t > 0``. Agrees
    with scipy's ``t.ppf`` to about 1e-11 (relative) up to 1e4 degrees of
    freedom and 5e-9 up to 1e7, where the incomplete beta function loses
    digits; far below any survey's sampling error.

    >>> round(t_quantile(0.975, 10), 6)
    2.228139
    """
    if not 0 < p < 1 or df <= 0:
        msg = f"t_quantile needs 0 < p < 1 and df > 0, got p={p!r}, df={df!r}"
        raise ValueError(msg)
    if p < 0.5:
        return -t_quantile(1 - p, df)
    return _upper_t_quantile(p, df)


@functools.lru_cache(maxsize=4096)
def _upper_t_quantile(p: float, df: float) -> float:
    """`t_quantile` for ``p >= 0.5``, by bisection; kept per ``(p, df)``.

    Each costs about 45 evaluations of the incomplete beta function (8 ms
    at a few thousand degrees of freedom), and a report asks for the same
    level and degrees of freedom again: per group, per period, per format.
    """
    low, high = 0.0, 1.0
    while t_cdf(high, df) < p:
        low, high = high, high * 2
    for _ in range(200):
        mid = (low + high) / 2
        if t_cdf(mid, df) < p:
            low = mid
        else:
            high = mid
        if high - low <= 1e-13 * max(1.0, high):
            break
    return (low + high) / 2


def t_interval(
    mean: float, std: float, n: int, *, confidence_level: float = 0.95
) -> ConfidenceInterval:
    """Student t interval for a mean: ``mean +/- t_{(1+c)/2, n-1} std / sqrt(n)``.

    ``std`` is the sample standard deviation (ddof 1). Needs ``n >= 2``;
    otherwise both bounds are nan.

    >>> ci = t_interval(4.0, 1.0, 10)
    >>> round(ci.low, 4), round(ci.high, 4)
    (3.2846, 4.7154)
    """
    z_value(confidence_level)  # validates confidence_level
    if n < 2 or not math.isfinite(std):
        return ConfidenceInterval(
            low=math.nan, high=math.nan, confidence_level=confidence_level, method="t"
        )
    half = t_quantile((1 + confidence_level) / 2, n - 1) * std / math.sqrt(n)
    return ConfidenceInterval(
        low=mean - half, high=mean + half, confidence_level=confidence_level, method="t"
    )


F64 = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]

KM_TOLERANCE = 1e-12
"""Slack in ``S(t) <= 1 - q``: a curve level this close to ``1 - q`` reaches it.

It absorbs the rounding of ``1 - q`` (``1 - 0.9`` is ``0.09999999999999998``)
and of the product, so ``q = 0.9`` on ten durations reaches the level 1/10, as
it does exactly. R's ``quantile.survfit`` uses a tolerance for the same reason.
"""


KMSteps = tuple[F64, F64, F64]
"""``(event_times, completions, at_risk)``: what every Kaplan-Meier statistic is built from."""


def _km_steps(completed: F64, censored: F64) -> KMSteps:
    """``(event_times, completions, at_risk)`` from sorted completed and censoring times."""
    if len(completed) == 0:
        return np.empty(0), np.empty(0), np.empty(0)
    new = np.ones(len(completed), dtype=bool)
    np.not_equal(completed[1:], completed[:-1], out=new[1:])
    first = np.flatnonzero(new)
    times = completed[first]
    deaths = np.diff(np.append(first, len(completed))).astype(np.float64)
    # At risk at t: every unit whose time is >= t, so a unit censored at t is
    # still at risk at t (events come before censorings at the same time).
    at_risk = (len(completed) - first + len(censored)) - np.searchsorted(censored, times, "left")
    return times, deaths, at_risk.astype(np.float64)


def _km_steps_of_counts(
    values: F64, completed: npt.NDArray[np.int64], censored: npt.NDArray[np.int64]
) -> KMSteps:
    """``(event_times, completions, at_risk)`` from distinct times and their counts.

    ``values`` are distinct and increasing; ``completed[i]`` and
    ``censored[i]`` count the units completed and censored at ``values[i]``.
    The steps are the same numbers `_km_steps` finds on the sorted times the
    counts stand for (the counts are exact integers, so their float64 copies
    are too), hence the same curve to the last bit.
    """
    events = completed > 0
    units = completed + censored
    # At risk at values[i]: every unit at values[i] or later.
    at_risk = np.cumsum(units[::-1])[::-1]
    return (
        values[events],
        completed[events].astype(np.float64),
        at_risk[events].astype(np.float64),
    )


def _km_curve_of_steps(times: F64, deaths: F64, n_at: F64) -> tuple[F64, F64]:
    """Kaplan-Meier curve from its steps (`_km_steps_of_counts`).

    Computes ``S(t_j) = prod_{i <= j} (n_i - d_i) / n_i`` telescoped as
    ``(n_1 - d_1) / n_2 * ... * (n_{j-1} - d_{j-1}) / n_j * (n_j - d_j) / n_1``:
    a ratio is exactly 1 unless units were censored between two event times, so
    with nothing censored ``S(t_j)`` is the correctly rounded ``(n - c_j) / n``
    (``c_j`` completed by ``t_j``), with no error accumulated along the product.
    """
    if len(times) == 0:
        return times, times
    remaining = n_at - deaths
    scale = np.ones(len(times))
    np.cumprod(remaining[:-1] / n_at[1:], out=scale[1:])
    survival: F64 = scale * remaining / n_at[0]
    return times, survival


def _km_sorted(completed: F64, censored: F64) -> tuple[F64, F64]:
    """Kaplan-Meier curve from sorted completed durations and sorted censoring times."""
    return _km_curve_of_steps(*_km_steps(completed, censored))


def _durations_observed(durations: npt.ArrayLike, observed: npt.ArrayLike) -> tuple[F64, BoolArray]:
    """The checked arguments of `kaplan_meier`: float durations and boolean flags."""
    times = np.asarray(durations, dtype=np.float64)
    flags = np.asarray(observed)
    if times.ndim != 1 or flags.shape != times.shape:
        msg = (
            f"durations and observed must be 1-D of the same length, "
            f"got shapes {times.shape} and {flags.shape}"
        )
        raise ValueError(msg)
    if not np.isfinite(times).all():
        bad = times[~np.isfinite(times)][0]
        msg = f"durations must be finite, got {bad!r}"
        raise ValueError(msg)
    if flags.dtype != np.bool_:
        if flags.size and not np.isin(flags, (0, 1)).all():
            msg = f"observed must be boolean, got values {np.unique(flags)[:5].tolist()}"
            raise ValueError(msg)
        flags = flags.astype(bool)
    return times, flags


def kaplan_meier(durations: npt.ArrayLike, observed: npt.ArrayLike) -> tuple[F64, F64]:
    """Kaplan-Meier estimate of the survival function of right-censored durations.

    ``S(t)`` is the estimated probability that a unit of work is still open
    after ``t`` seconds. With ``t_1 < t_2 < ...`` the distinct observed
    (completed) durations, ``d_i`` the number completed at ``t_i`` and ``n_i``
    the number at risk at ``t_i`` (duration or censoring time ``>= t_i``):

    ``S(t) = prod_{t_i <= t} (1 - d_i / n_i)``

    A unit censored at exactly ``t_i`` is still at risk at ``t_i``: events come
    before censorings at the same time, the standard convention. With nothing
    censored, ``S`` is one minus the empirical CDF, computed exactly: the
    product is telescoped so that no rounding accumulates along the curve, and
    ``S(t)`` is the correctly rounded ``(n - completed by t) / n``.

    Parameters
    ----------
    durations
        Durations or censoring times, finite, one per unit, any order.
    observed
        Per unit, True when the duration was observed (the work completed),
        False when it is a censoring time (the work was still open).

    Returns
    -------
    tuple of numpy.ndarray
        ``(event_times, survival)``: the distinct observed durations in
        increasing order and ``S`` just after each of them (a step function,
        right-continuous, ``S = 1`` before the first event time). Both are
        empty when nothing was observed.

    Raises
    ------
    ValueError
        Arrays of different lengths or not 1-D, a non-finite duration, or an
        ``observed`` value that is not boolean.

    See Also
    --------
    km_quantile : Quantiles of the curve.

    References
    ----------
    Kaplan, E. L. & Meier, P. (1958). "Nonparametric estimation from
    incomplete observations". Journal of the American Statistical Association
    53(282), 457-481.

    Examples
    --------
    Five tickets; the one open at 3 s is censored:

    >>> times, survival = kaplan_meier([1, 2, 3, 4, 5], [True, True, False, True, True])
    >>> times.tolist(), survival.round(4).tolist()
    ([1.0, 2.0, 4.0, 5.0], [0.8, 0.6, 0.3, 0.0])
    """
    times, flags = _durations_observed(durations, observed)
    return _km_sorted(np.sort(times[flags]), np.sort(times[~flags]))


def _probability(name: str, q: float) -> float:
    """Return ``q`` as a float when it is a real number in [0, 1], else raise ValueError."""
    if isinstance(q, (bool, np.bool_)) or not isinstance(q, (int, float, np.integer, np.floating)):
        msg = f"{name}={q!r} is not allowed; use a number in [0, 1]"
        raise ValueError(msg)
    value = float(q)
    if not 0 <= value <= 1:
        msg = f"{name}={q!r} is not allowed; use a number in [0, 1]"
        raise ValueError(msg)
    return value


def km_quantile(event_times: npt.ArrayLike, survival: npt.ArrayLike, q: float) -> float:
    """The ``q``-quantile of a Kaplan-Meier curve: when a share ``q`` of the work is done.

    The smallest event time ``t`` with ``S(t) <= 1 - q``; ``nan`` when the
    curve never falls that low (too much of the work is still open to tell).
    The comparison allows `KM_TOLERANCE` for rounding: ``S(t) <= 1 - q + 1e-12``.

    With nothing censored, ``S`` is one minus the empirical CDF and this is the
    inverse of the empirical CDF, ``numpy.quantile(x, q, method="inverted_cdf")``
    (Hyndman & Fan's definition 1), for every ``q`` except one within 1e-12
    above a step of the curve, where numpy's answer is decided by the last bit
    of ``n * q``.

    Parameters
    ----------
    event_times, survival
        A curve as returned by `kaplan_meier`: increasing times, non-increasing
        survival.
    q
        The probability, in [0, 1]: 0.5 is the median, 0.9 the 90th percentile.

    Returns
    -------
    float
        The quantile, one of ``event_times``, or ``nan``.

    Raises
    ------
    ValueError
        ``q`` outside [0, 1].

    References
    ----------
    Kaplan & Meier (1958), see `kaplan_meier`. Klein, J. P. & Moeschberger,
    M. L. (2003). Survival Analysis, 2nd ed., Springer (the ``p``-th quantile
    as ``inf {t : S(t) <= 1 - p}``). Hyndman, R. J. & Fan, Y. (1996).
    "Sample quantiles in statistical packages". The American Statistician
    50(4), 361-365.

    Examples
    --------
    >>> times, survival = kaplan_meier([1, 2, 3, 4, 5], [True, True, False, True, True])
    >>> km_quantile(times, survival, 0.5), km_quantile(times, survival, 0.9)
    (4.0, 5.0)
    >>> times, survival = kaplan_meier([1, 2, 3], [True, False, False])
    >>> km_quantile(times, survival, 0.5)
    nan
    """
    level = 1 - _probability("q", q) + KM_TOLERANCE
    times = np.asarray(event_times, dtype=np.float64)
    surv = np.asarray(survival, dtype=np.float64)
    # survival is non-increasing, so -survival is sorted.
    index = int(np.searchsorted(-surv, -level, side="left"))
    return float(times[index]) if index < len(times) else math.nan


BandMethod = Literal["log-log", "linear"]
"""How `km_band` turns Greenwood's variance into a band for ``S(t)``."""
BAND_METHODS: tuple[BandMethod, ...] = ("log-log", "linear")


def _km_greenwood(steps: KMSteps) -> tuple[F64, F64, F64]:
    """``(event_times, S, G)``: the curve and Greenwood's sum ``G``, ``Var S = S^2 G``.

    ``G(t) = sum_{t_i <= t} d_i / (n_i (n_i - d_i))`` is infinite only where
    ``S`` reaches 0.
    """
    times, survival = _km_curve_of_steps(*steps)
    _, deaths, n_at = steps
    with np.errstate(divide="ignore"):
        greenwood = np.cumsum(deaths / (n_at * (n_at - deaths)))
    return times, survival, greenwood


def _km_band_steps(steps: KMSteps, level: float, method: BandMethod) -> tuple[F64, F64, F64, F64]:
    """`km_band` on the curve's steps."""
    option("method", method, BAND_METHODS)
    z = z_value(level)
    times, survival, greenwood = _km_greenwood(steps)
    with np.errstate(divide="ignore", invalid="ignore"):
        if method == "linear":
            half = z * survival * np.sqrt(greenwood)
            low, high = np.clip(survival - half, 0, 1), np.clip(survival + half, 0, 1)
        else:
            power = np.exp(z * np.sqrt(greenwood) / np.abs(np.log(survival)))
            low, high = survival**power, survival ** (1 / power)
    done = survival == 0  # everything left completed at once: no uncertainty remains
    low[done] = high[done] = 0.0
    return times, survival, low, high


def km_band(
    durations: npt.ArrayLike,
    observed: npt.ArrayLike,
    /,
    *,
    confidence_level: float = 0.95,
    method: BandMethod = "log-log",
) -> tuple[F64, F64, F64, F64]:
    """Pointwise confidence band of a Kaplan-Meier curve (Greenwood's variance).

    At each event time ``t``, with ``G(t) = sum_{t_i <= t} d_i / (n_i (n_i - d_i))``
    (Greenwood's formula: ``Var S(t) = S(t)^2 G(t)``) and ``z`` the normal
    quantile:

    - ``"log-log"`` (default; Kalbfleisch and Prentice): the interval of
      ``log(-log S)``, mapped back, ``[S^exp(w), S^exp(-w)]`` with
      ``w = z sqrt(G) / |log S|``. It stays inside (0, 1) and covers better
      in small samples; SAS's default and lifelines' band.
    - ``"linear"``: ``S +/- z S sqrt(G)``, clipped to [0, 1]; scipy's default.

    Where the curve reaches 0 (everything left completed at once) the band is
    ``[0, 0]``.

    Parameters
    ----------
    durations, observed
        As for `kaplan_meier`.
    confidence_level
        Pointwise confidence level, in (0, 1).
    method
        ``"log-log"`` or ``"linear"``.

    Returns
    -------
    tuple of numpy.ndarray
        ``(event_times, survival, low, high)``, the curve of `kaplan_meier`
        and the band just after each event time.

    Raises
    ------
    ValueError
        As `kaplan_meier`, or a bad ``confidence_level`` or ``method``.

    References
    ----------
    Greenwood, M. (1926). "The natural duration of cancer". Reports on Public
    Health and Medical Subjects 33. Kalbfleisch, J. D. & Prentice, R. L.
    (1980). The Statistical Analysis of Failure Time Data, Wiley. Checked
    against ``scipy.stats.ecdf(...).sf.confidence_interval`` in the tests.

    Examples
    --------
    >>> times, s, low, high = km_band([1, 2, 3, 4, 5], [True, True, False, True, True])
    >>> s.round(3).tolist(), low.round(3).tolist(), high.round(3).tolist()
    ([0.8, 0.6, 0.3, 0.0], [0.204, 0.126, 0.012, 0.0], [0.969, 0.882, 0.719, 0.0])
    """
    times, flags = _durations_observed(durations, observed)
    steps = _km_steps(np.sort(times[flags]), np.sort(times[~flags]))
    return _km_band_steps(steps, confidence_level, method)


def _first_at_or_below(times: F64, curve: F64, level: float) -> float:
    index = int(np.searchsorted(-curve, -(level + KM_TOLERANCE), side="left"))
    return float(times[index]) if index < len(times) else math.inf


def _km_quantile_interval_of_steps(
    steps: KMSteps, q: float, level: float, method: BandMethod
) -> ConfidenceInterval:
    """`km_quantile_interval` on the curve's steps; ``[nan, nan]`` if the quantile is undefined."""
    times, survival, low, high = _km_band_steps(steps, level, method)
    target = 1 - _probability("q", q)
    if math.isinf(_first_at_or_below(times, survival, target)):
        return ConfidenceInterval(
            low=math.nan, high=math.nan, confidence_level=level, method=method
        )
    return ConfidenceInterval(
        low=_first_at_or_below(times, low, target),
        high=_first_at_or_below(times, high, target),
        confidence_level=level,
        method=method,
    )


def km_quantile_interval(
    durations: npt.ArrayLike,
    observed: npt.ArrayLike,
    /,
    q: float = 0.5,
    *,
    confidence_level: float = 0.95,
    method: BandMethod = "log-log",
) -> ConfidenceInterval:
    """Confidence interval for a Kaplan-Meier quantile (Brookmeyer and Crowley).

    The quantile ``xi`` solves ``S(xi) = 1 - q``. The interval holds every
    time at which ``1 - q`` lies inside the pointwise band of `km_band`: it
    runs from the first event time where the band's lower edge is at or below
    ``1 - q`` to the first where its upper edge is. Brookmeyer and Crowley's
    test inversion with the linear band; with the log-log band it is the
    generalisation in Klein and Moeschberger (SAS's default). Quantiles are
    `km_quantile`'s (the smallest event time with ``S(t) <= 1 - q``), so the
    interval contains the estimate.

    Parameters
    ----------
    durations, observed
        As for `kaplan_meier`.
    q
        The probability, in [0, 1]: 0.5 for the median.
    confidence_level
        Confidence level, in (0, 1).
    method
        The band: ``"log-log"`` (default) or ``"linear"``.

    Returns
    -------
    ConfidenceInterval
        ``high`` is ``inf`` when the band's upper edge never gets down to
        ``1 - q``: the data rule out small values but not large ones. Both
        bounds are nan when the quantile itself is undefined.

    References
    ----------
    Brookmeyer, R. & Crowley, J. (1982). "A confidence interval for the median
    survival time". Biometrics 38(1), 29-41. Klein, J. P. & Moeschberger,
    M. L. (2003). Survival Analysis, 2nd ed., Springer, section 4.5.

    Examples
    --------
    Twelve tickets, two still open:

    >>> times = [2, 3, 3, 5, 6, 8, 9, 11, 12, 15, 7, 10]
    >>> done = [True] * 10 + [False] * 2
    >>> ci = km_quantile_interval(times, done)
    >>> ci.low, ci.high
    (3.0, 12.0)
    """
    times, flags = _durations_observed(durations, observed)
    steps = _km_steps(np.sort(times[flags]), np.sort(times[~flags]))
    return _km_quantile_interval_of_steps(steps, q, confidence_level, method)


_DENSITY_STEP = 0.05


def _km_quantile_se_of_steps(steps: KMSteps, q: float, estimate: float) -> float:
    """Standard error of a Kaplan-Meier quantile: ``se(S(xi)) / f(xi)`` (Collett).

    ``f`` is the slope of the curve between the last event time with
    ``S >= 1 - q + 0.05`` (or time 0, where ``S = 1``) and the first with
    ``S <= 1 - q - 0.05``; nan when the curve never gets that low. Zero when
    ``S`` has no variance at the estimate (all work done there).
    """
    if math.isnan(estimate):
        return math.nan
    times, survival, greenwood = _km_greenwood(steps)
    p = 1 - q
    below = np.flatnonzero(survival <= p - _DENSITY_STEP + KM_TOLERANCE)
    if len(below) == 0:
        return math.nan
    above = np.flatnonzero(survival >= p + _DENSITY_STEP - KM_TOLERANCE)
    t_up, s_up = (times[above[-1]], survival[above[-1]]) if len(above) else (0.0, 1.0)
    t_low, s_low = times[below[0]], survival[below[0]]
    at = int(np.searchsorted(times, estimate, side="right")) - 1
    if at < 0 or survival[at] == 0 or t_low == t_up:
        return 0.0
    with np.errstate(over="ignore"):  # a drop over a subnormal span: inf density, se 0
        density = (s_up - s_low) / (t_low - t_up)
    return float(survival[at] * math.sqrt(greenwood[at]) / density)


# -- binomial tails, funnel limits and shrinkage (team metrics) ---------------------------------

FunnelMethod = Literal["exact", "normal"]
"""How `funnel_limits` computes control limits."""
FUNNEL_METHODS: tuple[FunnelMethod, ...] = ("exact", "normal")

# Beyond ``mode +/- (10 sd + 30)`` a binomial puts less than about e^-45 of
# its mass (Bernstein's inequality), far below any probability reported here.
_BULK_SDS = 10
_BULK_PAD = 30


def _binomial_args(n: int, p: float) -> None:
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 0:
        msg = f"n={n!r} is not allowed; use an int >= 0"
        raise ValueError(msg)
    _probability("p", p)


def _binom_log_pmf(n: int, p: float, *, reach: int | None = None) -> tuple[int, F64]:
    """``(lo, log P(X = j) for j = lo..hi)`` for X ~ Binomial(n, p), 0 < p < 1.

    The range covers the mode plus and minus ``10 sd + 30`` and, beyond
    that, ``reach``. Successive terms come from the exact ratio
    ``P(j) / P(j - 1) = (n - j + 1) p / (j (1 - p))``, summed in log space
    outward from the mode, and the range is normalised to total 1; no
    ``lgamma`` difference (which loses digits for large ``n``) is taken.
    """
    mode = min(n, math.floor((n + 1) * p))
    width = math.ceil(_BULK_SDS * math.sqrt(n * p * (1 - p))) + _BULK_PAD
    reach = mode if reach is None else reach
    lo = max(0, min(mode, reach) - width)
    hi = min(n, max(mode, reach) + width)
    logit = math.log(p) - math.log1p(-p)
    up = np.arange(mode + 1, hi + 1, dtype=np.float64)
    above = np.cumsum(np.log((n - up + 1) / up) + logit)
    down = np.arange(mode, lo, -1, dtype=np.float64)
    below = np.cumsum(np.log(down / (n - down + 1)) - logit)
    relative = np.concatenate((below[::-1], [0.0], above))
    top = float(relative.max())
    log_total = top + math.log(float(np.exp(relative - top).sum()))
    return lo, relative - log_total


def _log_sum(logs: F64) -> float:
    """``log(sum(exp(logs)))`` without overflow; -inf for no terms."""
    if not len(logs):
        return -math.inf
    top = float(logs.max())
    if top == -math.inf:
        return top
    return top + math.log(float(np.exp(logs - top).sum()))


def binom_sf(k: int, n: int, p: float) -> float:
    """Upper tail of the binomial distribution: ``P(X >= k)`` for X ~ Binomial(n, p).

    The one-sided exact p-value of observing ``k`` or more successes in ``n``
    trials when each succeeds with probability ``p``. Computed without
    scipy: the terms ``P(X = j)`` come from their exact ratios, summed in log
    space on the side of ``k`` away from the mode (so a tail of 1e-200 is
    still accurate to many digits, and values below about 1e-308 underflow
    to 0.0).

    Parameters
    ----------
    k
        Number of successes (any int; ``k <= 0`` gives 1, ``k > n`` gives 0).
    n
        Number of trials, an int >= 0.
    p
        Success probability in [0, 1].

    Returns
    -------
    float
        ``P(X >= k)`` in [0, 1].

    Raises
    ------
    ValueError
        ``n`` negative or not an int, ``p`` outside [0, 1].

    See Also
    --------
    binom_cdf : The lower tail ``P(X <= k)``.

    Examples
    --------
    >>> round(binom_sf(8, 20, 0.2), 6)
    0.032143
    >>> binom_sf(0, 20, 0.2), binom_sf(21, 20, 0.2)
    (1.0, 0.0)
    """
    _binomial_args(n, p)
    k = int(k)
    if k <= 0:
        return 1.0
    if k > n or p == 0:
        return 0.0
    if p == 1:
        return 1.0
    lo, log_pmf = _binom_log_pmf(n, p, reach=k)
    if k > min(n, math.floor((n + 1) * p)):
        return min(1.0, math.exp(_log_sum(log_pmf[k - lo :])))
    below = float(np.exp(log_pmf[: max(0, k - lo)]).sum())
    return min(1.0, max(0.0, 1.0 - below))


def binom_cdf(k: int, n: int, p: float) -> float:
    """Lower tail of the binomial distribution: ``P(X <= k)`` for X ~ Binomial(n, p).

    Computed like `binom_sf`, summing the tail away from the mode.

    >>> round(binom_cdf(1, 20, 0.2), 6)
    0.069175
    """
    _binomial_args(n, p)
    k = int(k)
    if k < 0:
        return 0.0
    if k >= n or p == 0:
        return 1.0
    if p == 1:
        return 0.0
    lo, log_pmf = _binom_log_pmf(n, p, reach=k)
    if k < min(n, math.floor((n + 1) * p)):
        return min(1.0, math.exp(_log_sum(log_pmf[: max(0, k - lo + 1)])))
    return 1.0 - binom_sf(k + 1, n, p)


def _exact_limits(target: float, n: int, probs: tuple[float, ...]) -> list[float]:
    """Spiegelhalter's interpolated binomial quantiles ``(r_q - alpha) / n`` for each q."""
    if target in (0.0, 1.0):
        # A point mass: every proportion but the target is impossible. (The
        # interpolation would put a limit inside the single step, 1 - q from it.)
        return [target for _ in probs]
    lo, log_pmf = _binom_log_pmf(n, target)
    pmf = np.exp(log_pmf)
    cdf = np.cumsum(pmf)
    out = []
    for q in probs:
        index = min(int(np.searchsorted(cdf, q, side="left")), len(cdf) - 1)
        alpha = (float(cdf[index]) - q) / float(pmf[index])
        out.append(min(1.0, max(0.0, (lo + index - alpha) / n)))
    return out


def funnel_bands(
    target: float, n: int, coverages: tuple[float, ...], method: FunnelMethod
) -> list[tuple[float, float]]:
    """`funnel_limits` at each of several coverages, from one pass (nan limits when n is 0)."""
    if n == 0 or math.isnan(target):
        return [(math.nan, math.nan) for _ in coverages]
    if method == "normal":
        sd = math.sqrt(target * (1 - target) / n)
        return [
            (max(0.0, target - z_value(c) * sd), min(1.0, target + z_value(c) * sd))
            for c in coverages
        ]
    probs = tuple(q for c in coverages for q in ((1 - c) / 2, (1 + c) / 2))
    values = _exact_limits(target, n, probs)
    return [(values[2 * i], values[2 * i + 1]) for i in range(len(coverages))]


def funnel_limits(
    target: float, n: int, *, coverage: float = 0.95, method: FunnelMethod = "exact"
) -> tuple[float, float]:
    """Funnel-plot control limits for a proportion observed on ``n`` units.

    The range in which an observed proportion falls with probability
    ``coverage`` when the true proportion is ``target``: the funnel around a
    team rate, narrowing as volume grows.

    - ``"exact"`` (default; Spiegelhalter 2005, the appendix): for each
      tail probability ``q`` (``(1 - coverage) / 2`` and ``(1 + coverage) / 2``),
      ``r_q`` is the binomial quantile, the smallest ``r`` with
      ``P(X <= r) >= q`` for X ~ Binomial(n, target), and the limit is
      ``(r_q - alpha) / n`` with ``alpha = (P(X <= r_q) - q) / P(X = r_q)``.
      The interpolation turns the step function of the discrete quantile into
      a smooth funnel.
    - ``"normal"``: ``target +/- z sqrt(target (1 - target) / n)``, ``z`` the
      two-sided normal quantile (1.96 for 95%, 3.09 for 99.8%).

    Both are clipped to [0, 1]. At ``target`` 0 or 1 every limit is
    ``target``: no other proportion can occur.

    Parameters
    ----------
    target
        The proportion the limits are drawn around (the team rate), in [0, 1].
    n
        The volume (denominator) of the unit, an int >= 0.
    coverage
        The central probability, in (0, 1): 0.95 and 0.998 are the usual
        pair of inner and outer limits.
    method
        ``"exact"`` or ``"normal"``.

    Returns
    -------
    tuple of float
        ``(low, high)``; both nan when ``n = 0``.

    Raises
    ------
    ValueError
        ``target`` outside [0, 1], ``n`` negative, ``coverage`` outside (0, 1),
        or an unknown ``method``.

    References
    ----------
    Spiegelhalter, D. J. (2005). "Funnel plots for comparing institutional
    performance". Statistics in Medicine 24(8), 1185-1202.

    Examples
    --------
    >>> low, high = funnel_limits(0.1, 50, coverage=0.998)
    >>> round(low, 4), round(high, 4)
    (0.0, 0.2401)
    >>> low, high = funnel_limits(0.1, 50, coverage=0.998, method="normal")
    >>> round(low, 4), round(high, 4)
    (0.0, 0.2311)
    """
    option("method", method, FUNNEL_METHODS)
    _binomial_args(n, target)
    z_value(coverage)  # validates coverage
    return funnel_bands(float(target), int(n), (coverage,), method)[0]


@attrs.frozen(kw_only=True)
class ShrinkagePrior:
    """A fitted normal-normal model: group means spread around ``mean``.

    Attributes
    ----------
    mean
        The team mean ``mu`` the group means are shrunk toward.
    between_variance
        ``tau^2``, the variance of the true group means; None with fewer than
        two groups.
    within_variance
        ``sigma^2``, the variance of single values around their group's mean;
        None with fewer than two values.
    """

    mean: float
    between_variance: float | None
    within_variance: float | None

    def weight(self, n: int) -> float:
        """``w = tau^2 / (tau^2 + sigma^2 / n)``: how much a group of ``n`` values keeps.

        1 (no shrinkage) when the prior is incomplete or ``tau^2 + sigma^2 / n``
        is 0 (every value equal).
        """
        tau2, sigma2 = self.between_variance, self.within_variance
        if tau2 is None or sigma2 is None or n == 0:
            return 1.0
        denominator = tau2 + sigma2 / n
        return tau2 / denominator if denominator > 0 else 1.0

    def shrink(self, mean: float, n: int) -> float:
        """``mu + w (mean - mu)``, kept between ``mean`` and ``mu`` despite rounding."""
        if n == 0:
            return math.nan
        shrunk = self.mean + self.weight(n) * (mean - self.mean)
        return min(max(shrunk, min(mean, self.mean)), max(mean, self.mean))


def shrinkage_prior(n: npt.ArrayLike, mean: npt.ArrayLike, m2: npt.ArrayLike) -> ShrinkagePrior:
    """Fit the normal-normal model behind empirical-Bayes shrinkage of group means.

    Group ``i`` has ``n_i >= 1`` values with mean ``x_i`` and sum of squared
    deviations ``m2_i``; ``N = sum n_i`` and ``k`` the number of groups. The
    model: ``x_i ~ N(theta_i, sigma^2 / n_i)``, ``theta_i ~ N(mu, tau^2)``.

    - ``mu = sum n_i x_i / N``, the mean of all values (the team mean);
    - ``sigma^2 = sum m2_i / (N - k)``, the pooled within-group variance.
      When no group has two values (``N = k``) it is taken as the variance of
      all values, ``sum (x_i - mu)^2 / (N - 1)``, which makes ``tau^2 = 0``;
    - ``tau^2 = max(0, (SSB - (k - 1) sigma^2) / (N - sum n_i^2 / N))`` with
      ``SSB = sum n_i (x_i - mu)^2``: the method-of-moments (ANOVA) estimator
      of the one-way random-effects model, which is DerSimonian and Laird's
      estimator with the weights ``n_i / sigma^2``; truncated at 0.

    A group's shrunk mean is then ``w_i x_i + (1 - w_i) mu`` with
    ``w_i = tau^2 / (tau^2 + sigma^2 / n_i)`` (`ShrinkagePrior.shrink`): the
    posterior mean of ``theta_i`` under the fitted prior.

    Parameters
    ----------
    n, mean, m2
        Per group: the count (>= 1), the mean and the sum of squared
        deviations from the mean, as kept by `csmetrics.Mean`.

    Returns
    -------
    ShrinkagePrior
        ``mean`` (nan without values), ``between_variance`` (None with fewer
        than two groups) and ``within_variance`` (None with fewer than two
        values).

    References
    ----------
    DerSimonian, R. & Laird, N. (1986). "Meta-analysis in clinical trials".
    Controlled Clinical Trials 7(3), 177-188. Searle, S. R., Casella, G. &
    McCulloch, C. E. (1992). Variance Components, Wiley, chapter 3 (the
    ANOVA estimator for unbalanced one-way data). Efron, B. & Morris, C.
    (1975). "Data analysis using Stein's estimator and its generalizations".
    Journal of the American Statistical Association 70(350), 311-319.

    Examples
    --------
    >>> prior = shrinkage_prior([2, 4], [5.0, 3.0], [0.0, 2.0])
    >>> round(prior.mean, 4), prior.within_variance, prior.between_variance
    (3.6667, 0.5, 1.8125)
    >>> round(prior.shrink(5.0, 2), 4)
    4.8384
    """
    counts = np.asarray(n, dtype=np.float64).reshape(-1)
    means = np.asarray(mean, dtype=np.float64).reshape(-1)
    m2s = np.asarray(m2, dtype=np.float64).reshape(-1)
    total = float(counts.sum())
    k = len(counts)
    if total == 0:
        return ShrinkagePrior(mean=math.nan, between_variance=None, within_variance=None)
    mu = float((counts * means).sum() / total)
    ssb = float((counts * (means - mu) ** 2).sum())
    if total > k:
        sigma2: float | None = float(m2s.sum()) / (total - k)
    else:
        sigma2 = ssb / (total - 1) if total > 1 else None
    if k < 2 or sigma2 is None:
        return ShrinkagePrior(mean=mu, between_variance=None, within_variance=sigma2)
    if total == k:
        # Only the spread between single values is seen: no evidence of any
        # between-group variance beyond it.
        return ShrinkagePrior(mean=mu, between_variance=0.0, within_variance=sigma2)
    tau2 = max(0.0, (ssb - (k - 1) * sigma2) / (total - float((counts**2).sum()) / total))
    return ShrinkagePrior(mean=mu, between_variance=tau2, within_variance=sigma2)
