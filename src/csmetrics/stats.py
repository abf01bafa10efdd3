"""Interval estimators behind every result's ``.ci()``.

Each function states its formula and cites its source; the tests hold
reference values. ``z`` is always the exact normal quantile for the
confidence level (``statistics.NormalDist``), never a rounded 1.96.
"""

from __future__ import annotations

import math
from statistics import NormalDist
from typing import Literal

import attrs
import numpy as np
import numpy.typing as npt

from csmetrics._check import option

__all__ = [
    "KM_TOLERANCE",
    "ConfidenceInterval",
    "RateMethod",
    "kaplan_meier",
    "km_quantile",
    "nps_interval",
    "rate_interval",
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
    if not 0 < confidence_level < 1:
        msg = f"confidence_level={confidence_level!r} is not allowed; use a number in (0, 1)"
        raise ValueError(msg)
    return NormalDist().inv_cdf((1 + confidence_level) / 2)


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


def _t_cdf(t: float, df: float) -> float:
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
    low, high = 0.0, 1.0
    while _t_cdf(high, df) < p:
        low, high = high, high * 2
    for _ in range(200):
        mid = (low + high) / 2
        if _t_cdf(mid, df) < p:
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

KM_TOLERANCE = 1e-12
"""Slack in ``S(t) <= 1 - q``: a curve level this close to ``1 - q`` reaches it.

It absorbs the rounding of ``1 - q`` (``1 - 0.9`` is ``0.09999999999999998``)
and of the product, so ``q = 0.9`` on ten durations reaches the level 1/10, as
it does exactly. R's ``quantile.survfit`` uses a tolerance for the same reason.
"""


def _km_sorted(completed: F64, censored: F64) -> tuple[F64, F64]:
    """Kaplan-Meier curve from sorted completed durations and sorted censoring times.

    Computes ``S(t_j) = prod_{i <= j} (n_i - d_i) / n_i`` telescoped as
    ``(n_1 - d_1) / n_2 * ... * (n_{j-1} - d_{j-1}) / n_j * (n_j - d_j) / n_1``:
    a ratio is exactly 1 unless units were censored between two event times, so
    with nothing censored ``S(t_j)`` is the correctly rounded ``(n - c_j) / n``
    (``c_j`` completed by ``t_j``), with no error accumulated along the product.
    """
    if len(completed) == 0:
        return np.empty(0), np.empty(0)
    new = np.ones(len(completed), dtype=bool)
    np.not_equal(completed[1:], completed[:-1], out=new[1:])
    first = np.flatnonzero(new)
    times = completed[first]
    deaths = np.diff(np.append(first, len(completed))).astype(np.float64)
    # At risk at t: every unit whose time is >= t, so a unit censored at t is
    # still at risk at t (events come before censorings at the same time).
    at_risk = (len(completed) - first + len(censored)) - np.searchsorted(censored, times, "left")
    n_at = at_risk.astype(np.float64)
    remaining = n_at - deaths
    scale = np.ones(len(times))
    np.cumprod(remaining[:-1] / n_at[1:], out=scale[1:])
    survival: F64 = scale * remaining / n_at[0]
    return times, survival


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
