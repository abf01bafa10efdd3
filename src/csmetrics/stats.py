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

__all__ = [
    "ConfidenceInterval",
    "RateMethod",
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
    elif method == "wald":
        centre, half = p, z * math.sqrt(p * (1 - p) / n)
    else:
        msg = f"method={method!r} is not allowed; use one of: {RATE_METHODS}"
        raise ValueError(msg)
    low, high = _clip(centre - half, centre + half, 0.0, 1.0)
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
    ``F(t) = 1 - I_{df / (df + t^2)}(df / 2, 1 / 2) / 2`` for ``t > 0``, to
    about 1e-12 relative precision.

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
