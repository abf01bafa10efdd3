"""Analysis of results: did a metric really change, and does it meet its goal.

`compare` tells whether two results of the same metric (two months, two
channels, two agents) differ by more than sampling noise; `target` tells
whether a result meets a goal, and whether the data are enough to be sure.

Both read only the counts (or, for durations, the times) a result keeps, so
they work on merged results as well as on results computed in one go. Units
are the result's own: rates are fractions in [0, 1] (a difference of 0.05 is
5 percentage points), NPS is in points on [-100, 100] (differences on
[-200, 200]), means are in their unit (seconds, scale points), medians of
durations in seconds. Whether higher is better depends on the metric (FCR,
CSAT, NPS: higher; abandonment, handle time: lower); ``compare`` reports the
signed difference and leaves the reading to the caller, ``target`` takes the
``direction`` as an option.

Only single results are accepted, not `csmetrics.Breakdown` objects; compare a
breakdown group by group (see the "Did it really improve?" guide).
"""

from __future__ import annotations

import math
import numbers
import warnings
from typing import Any, Literal

import attrs
import numpy as np

from csmetrics.catalog import DIRECTIONS, Direction, direction_of
from csmetrics.core import display
from csmetrics.core import html as html_table
from csmetrics.core.check import option
from csmetrics.core.errors import UndefinedMetricWarning
from csmetrics.core.results import Breakdown, Durations, Mean, Rate, Result, unit_of
from csmetrics.core.stats import ConfidenceInterval, rate_interval, t_cdf, t_quantile, z_value
from csmetrics.metrics.surveys import CES, NPS

__all__ = ["Certainty", "Comparison", "TargetCheck", "compare", "target"]


Certainty = Literal["met", "missed", "unclear"]

WITH_INTERVAL = (Rate, NPS, Mean, Durations)
"""The result classes with a ``.ci()``: the ones `compare` and `target` analyse."""

_SILENCE = "silence with warnings.simplefilter('ignore', csmetrics.UndefinedMetricWarning)"


@attrs.frozen(kw_only=True, repr=False)
class Comparison:
    """The difference between two results of one metric, with its interval and p-value.

    Returned by `compare`. ``difference`` is ``a - b`` in the result's units;
    ``[low, high]`` is its confidence interval and ``significant`` says whether
    that interval excludes 0.

    Attributes
    ----------
    difference
        ``float(a) - float(b)``: fractions for rates, points for NPS, the
        mean's unit for means; nan when either is undefined.
    low, high
        Bounds of the confidence interval for the difference; nan when it is
        undefined (no data, or a mean of fewer than two values).
    p_value
        Two-sided p-value of the test of "no difference"; nan when undefined.
    significant
        Whether the interval excludes 0 (False when it is undefined).
    relative_change
        ``(a - b) / b``; nan when ``b`` is 0 or undefined.
    a, b
        The two results compared.
    method
        ``"newcombe"`` (rates: Newcombe's hybrid score interval, pooled z
        test), ``"normal"`` (NPS) or ``"welch"`` (means); see `compare`.
    confidence_level
        The confidence level of the interval.
    """

    difference: float
    low: float
    high: float
    p_value: float
    significant: bool
    relative_change: float
    a: Result
    b: Result
    method: str
    confidence_level: float

    def _fields(self) -> dict[str, Any]:
        return {
            "difference": self.difference,
            "low": self.low,
            "high": self.high,
            "p_value": self.p_value,
            "significant": self.significant,
            "relative_change": self.relative_change,
            "method": self.method,
            "confidence_level": self.confidence_level,
        }

    def _shown(self) -> dict[str, str]:
        """The fields rounded, in the results' unit (a difference of rates in points)."""
        unit = unit_of(self.a)
        spans = ("difference", "low", "high")
        shown = {k: display.difference(getattr(self, k), unit) for k in spans}
        change = self.relative_change
        return {
            **shown,
            "p_value": f"{self.p_value:.3g}",
            "significant": str(self.significant),
            "relative_change": "n/a" if math.isnan(change) else f"{100 * change:+.1f}%",
            "method": repr(self.method),
            "confidence_level": display.value_text(self.confidence_level),
        }

    def __repr__(self) -> str:
        # a and b are left out: their own reprs are long; read them as .a and .b.
        inner = ", ".join(f"{k}={v}" for k, v in self._shown().items())
        return f"Comparison({inner})"

    def _repr_html_(self) -> str:
        return html_table.fields(f"Comparison of {type(self.a).__name__} results", self._shown())


@attrs.frozen(kw_only=True, repr=False)
class TargetCheck:
    """Whether a result meets a goal, and whether its confidence interval is sure of it.

    Returned by `target`.

    Attributes
    ----------
    result
        The result checked.
    goal
        The goal, in the result's units (a fraction for rates).
    direction
        ``"higher"`` when the goal is a floor (FCR, CSAT), ``"lower"`` when it
        is a ceiling (abandonment, handle time).
    met
        ``value >= goal`` (``"higher"``) or ``value <= goal`` (``"lower"``);
        False when the value is undefined.
    gap
        ``goal - value`` in the result's units (positive means the value is
        below the goal); nan when the value is undefined.
    low, high
        The result's confidence interval at ``confidence_level``.
    certainty
        ``"met"`` when the whole interval is on the good side of the goal,
        ``"missed"`` when the whole interval is on the bad side, ``"unclear"``
        otherwise (or when the interval is undefined).
    confidence_level
        The confidence level of the interval.
    method
        The interval method (``"wilson"``, ``"normal"``, ``"t"``).
    """

    result: Result
    goal: float
    direction: Direction
    met: bool
    gap: float
    low: float
    high: float
    certainty: Certainty
    confidence_level: float
    method: str

    @property
    def value(self) -> float:
        """The result's headline value, ``float(result)``."""
        return self.result.value

    def _fields(self) -> dict[str, Any]:
        return {
            "value": self.value,
            "goal": self.goal,
            "direction": self.direction,
            "met": self.met,
            "gap": self.gap,
            "low": self.low,
            "high": self.high,
            "certainty": self.certainty,
            "confidence_level": self.confidence_level,
            "method": self.method,
        }

    def _shown(self) -> dict[str, str]:
        """The fields rounded, in the result's unit."""
        unit = unit_of(self.result)
        shown = {}
        for key, value in self._fields().items():
            if key in ("value", "goal", "low", "high"):
                shown[key] = display.number(value, unit)
            elif key == "gap":
                shown[key] = display.difference(value, unit)
            else:
                shown[key] = display.value_text(value)
        return shown

    def __repr__(self) -> str:
        inner = ", ".join(f"{k}={v}" for k, v in self._shown().items())
        return f"TargetCheck({inner})"

    def _repr_html_(self) -> str:
        return html_table.fields(f"Target check of {type(self.result).__name__}", self._shown())


# -- argument checks ----------------------------------------------------------------------------


def _check_result(func: str, name: str, value: object) -> Result:
    """Return ``value`` when ``func`` can analyse it; raise TypeError otherwise."""
    if isinstance(value, Breakdown):
        msg = (
            f"{func}() takes single results, not a Breakdown ({name} is a Breakdown by "
            f"{value.by!r}); call it per group, e.g. "
            f"{{key: {func}(x[key], ...) for key in x}}, or on x.overall"
        )
        raise TypeError(msg)
    if not isinstance(value, WITH_INTERVAL):
        msg = (
            f"{func}() takes a Rate, NPS, Mean or Durations result (or a subclass: FCR, "
            f"CSAT, CES, ServiceLevel, TimeMean, ReplyTimes, ...), got "
            f"{name}={type(value).__name__}"
        )
        raise TypeError(msg)
    return value


def _check_comparable(a: Result, b: Result) -> None:
    """Raise ValueError unless a and b are one metric with one definition."""
    if type(a) is not type(b):
        msg = (
            f"cannot compare a {type(a).__name__} with a {type(b).__name__}: "
            "compare two results of the same metric"
        )
        raise ValueError(msg)
    pa, pb = a.params(), b.params()
    differing = [name for name in pa if name != "as_of" and pa[name] != pb[name]]
    if differing:
        shown = ", ".join(f"{name}: a has {pa[name]!r}, b has {pb[name]!r}" for name in differing)
        msg = (
            f"cannot compare {type(a).__name__} results computed with different "
            f"definitions ({shown}); only period and as_of may differ"
        )
        raise ValueError(msg)


def _check_goal(result: Result, goal: object) -> float:
    """Return ``goal`` as a float when it is a finite number in the result's range."""
    if isinstance(goal, (bool, np.bool_)) or not isinstance(goal, numbers.Real):
        value = math.nan
    else:
        value = float(goal)  # a numpy scalar becomes a plain float
    if not math.isfinite(value):
        msg = f"goal={goal!r} is not allowed; use a finite number in the result's units"
        raise ValueError(msg)
    if isinstance(result, Rate) and not 0 <= value <= 1:
        msg = (
            f"goal={goal!r} is not allowed for {type(result).__name__} results: a rate is a "
            f"fraction, use a number in [0, 1] (85% is 0.85)"
        )
        raise ValueError(msg)
    if isinstance(result, NPS) and not -100 <= value <= 100:
        msg = f"goal={goal!r} is not allowed for NPS results; use a number in [-100, 100]"
        raise ValueError(msg)
    return value


def _warn(what: str, why: str) -> None:
    warnings.warn(f"{what}: {why} ({_SILENCE})", UndefinedMetricWarning, stacklevel=3)


# -- the three difference methods ---------------------------------------------------------------

_Difference = tuple[float, float, float, float]
"""``(difference, low, high, p_value)``."""
_NAN4: _Difference = (math.nan, math.nan, math.nan, math.nan)


def _two_sided_normal_p(z: float) -> float:
    # erfc keeps the tail accurate where 1 - Phi(|z|) would round to 0.
    return math.erfc(abs(z) / math.sqrt(2))


def _rate_difference(a: Rate, b: Rate, level: float) -> _Difference:
    """Newcombe's method 10 interval and the pooled two-proportion z test."""
    n1, n2 = a.denominator, b.denominator
    if not n1 or not n2:
        return _NAN4
    p1, p2 = a.value, b.value
    w1 = rate_interval(a.numerator, n1, confidence_level=level)
    w2 = rate_interval(b.numerator, n2, confidence_level=level)
    diff = p1 - p2
    low = diff - math.hypot(p1 - w1.low, w2.high - p2)
    high = diff + math.hypot(w1.high - p1, p2 - w2.low)
    pooled = (a.numerator + b.numerator) / (n1 + n2)
    se = math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
    # se is 0 only when both rates are 0 or both are 1: no difference at all.
    p_value = _two_sided_normal_p(diff / se) if se > 0 else 1.0
    return diff, low, high, p_value


def _nps_variance(r: NPS) -> float:
    """``Var(NPS / 100) = (p_P + p_D - (p_P - p_D)^2) / n`` (Rocks 2016)."""
    p_p, p_d = r.promoters / r.n, r.detractors / r.n
    return max(0.0, p_p + p_d - (p_p - p_d) ** 2) / r.n


def _degenerate(diff: float) -> _Difference:
    """No spread on either side: the interval collapses onto the difference."""
    return diff, diff, diff, 1.0 if diff == 0 else 0.0


def _nps_difference(a: NPS, b: NPS, level: float) -> _Difference:
    """Normal approximation with ``Var_a + Var_b``, in points."""
    if not a.n or not b.n:
        return _NAN4
    diff = a.value - b.value
    se = 100 * math.sqrt(_nps_variance(a) + _nps_variance(b))
    if se == 0:
        return _degenerate(diff)
    half = z_value(level) * se
    # A difference of two NPS lies in [-200, 200]; clip as nps_interval clips to [-100, 100].
    low, high = max(-200.0, diff - half), min(200.0, diff + half)
    return diff, low, high, _two_sided_normal_p(diff / se)


def _mean_difference(a: Mean, b: Mean, level: float) -> _Difference:
    """Welch's t interval and test, Welch-Satterthwaite degrees of freedom."""
    if not a.n or not b.n:
        return _NAN4
    diff = a.value - b.value
    if a.n < 2 or b.n < 2:
        return diff, math.nan, math.nan, math.nan
    va, vb = a.m2 / (a.n - 1) / a.n, b.m2 / (b.n - 1) / b.n  # s^2 / n, s^2 = m2 / (n - 1)
    se2 = va + vb
    if se2 == 0:
        return _degenerate(diff)
    # Welch-Satterthwaite, written with the shares of the variance so that tiny
    # variances do not underflow: (v_a + v_b)^2 / (v_a^2 / (n_a - 1) + ...).
    wa, wb = va / se2, vb / se2
    df = 1 / (wa * wa / (a.n - 1) + wb * wb / (b.n - 1))
    se = math.sqrt(se2)
    half = t_quantile((1 + level) / 2, df) * se
    low, high = diff - half, diff + half
    if isinstance(a, CES):
        # Two means on one scale differ by at most its width; CES.ci clips the same way.
        width = float(a.scale[1] - a.scale[0])
        low, high = max(-width, low), min(width, high)
    # The lower tail of t avoids the cancellation of 1 - F(|t|).
    p_value = 2 * t_cdf(-abs(diff / se), df)
    return diff, low, high, min(1.0, p_value)


def _median_difference(a: Durations, b: Durations, level: float) -> _Difference:
    """Normal interval and test for a difference of medians, Collett's standard errors."""
    diff = a.median - b.median
    if math.isnan(diff):
        return _NAN4
    se = math.hypot(a.median_se, b.median_se)
    if math.isnan(se):
        return diff, math.nan, math.nan, math.nan
    if se == 0:
        return _degenerate(diff)
    half = z_value(level) * se
    return diff, diff - half, diff + half, _two_sided_normal_p(diff / se)


def _why_no_interval(a: Result) -> str:
    if isinstance(a, Durations):
        return "each Kaplan-Meier curve must fall to 0.45 for a standard error of its median"
    return "a mean needs at least two values on each side"


def _no_value(result: Result) -> str:
    # A median is also undefined while half the work is still open.
    return "no data or no median yet" if isinstance(result, Durations) else "no data"


def _why_undefined(a: Result, b: Result) -> str:
    empty = [name for name, r in (("a", a), ("b", b)) if not r.is_defined]
    what = _no_value(a)
    if len(empty) == 2:
        return f"a and b have {what}"
    if empty:
        return f"{empty[0]} has {what}"
    return "the difference is not a number"  # e.g. two infinite means


def compare(a: Result, b: Result, /, *, confidence_level: float = 0.95) -> Comparison:
    """Whether a metric really changed: ``a - b``, its confidence interval and p-value.

    Pass the new result first and the baseline second: ``compare(february,
    january)``. The two results must be of the same metric with the same
    definition (every definition parameter equal, ``as_of`` excepted); their
    ``period`` and ``as_of`` may differ, since comparing periods is the point.
    The two results are assumed to come from independent data (two periods,
    two channels, two agents), not one containing the other.

    Methods, by kind of result:

    - Rates (`Rate`, `FCR`, `CSAT`, `ServiceLevel`, `AbandonmentRate`, ...),
      ``method="newcombe"``: Newcombe's hybrid score interval (his method 10)
      for the interval, the pooled two-proportion z test for the p-value.
    - `NPS`, ``method="normal"``: the normal approximation with the
      multinomial variance of each score, in points.
    - Means (`Mean`, `CES`, `TimeMean`, `HandleTime`), ``method="welch"``:
      Welch's t interval and test, with Welch-Satterthwaite degrees of
      freedom; it does not assume equal variances.
    - Medians (`Durations`: first response, resolution and reply times),
      ``method="collett"``: the normal interval and test of the difference
      of the two medians, each with Collett's standard error
      (`Durations.median_se`). Open work stays censored, as in the medians.

    **Rates.** With ``p1 = x1 / n1`` and ``p2 = x2 / n2``, their Wilson
    intervals ``[l1, u1]`` and ``[l2, u2]`` at the same confidence level
    (`csmetrics.core.stats.rate_interval`) and ``d = p1 - p2``:

    ```text
    low  = d - sqrt((p1 - l1)^2 + (u2 - p2)^2)
    high = d + sqrt((u1 - p1)^2 + (p2 - l2)^2)
    ```

    The interval stays inside [-1, 1] and keeps good coverage for small
    samples and rates near 0 or 1, where the Wald interval fails. The p-value
    uses the pooled rate ``p = (x1 + x2) / (n1 + n2)``:

    ```text
    z = d / sqrt(p (1 - p) (1 / n1 + 1 / n2)),   p_value = 2 (1 - Phi(|z|))
    ```

    the same as Pearson's chi-square test of the 2x2 table without continuity
    correction. The interval and the test are different procedures: near the
    5% boundary the interval can exclude 0 while ``p_value`` is a little above
    0.05, or the reverse; ``significant`` follows the interval.

    **NPS.** With ``Var = (p_P + p_D - (p_P - p_D)^2) / n`` for each result
    (as in `csmetrics.core.stats.nps_interval`):

    ```text
    d = NPS_a - NPS_b,   se = 100 sqrt(Var_a + Var_b)
    interval = d +/- z se (clipped to [-200, 200]),   p_value = 2 (1 - Phi(|d| / se))
    ```

    **Means.** With ``v_i = s_i^2 / n_i`` (``s_i`` the sample standard
    deviation) and ``F_t`` the t distribution function:

    ```text
    d = mean_a - mean_b,   se = sqrt(v_a + v_b)
    df = (v_a + v_b)^2 / (v_a^2 / (n_a - 1) + v_b^2 / (n_b - 1))
    interval = d +/- t_{(1 + confidence_level) / 2, df} se,   p_value = 2 F_t(-|d| / se; df)
    ```

    For `CES` the interval is clipped to plus or minus the width of the scale,
    as `CES.ci` clips to the scale.

    **Medians.** With ``m`` each median and ``se(m) = se(S(m)) / f(m)``
    (Greenwood's standard error of the Kaplan-Meier curve at ``m`` over the
    curve's slope around ``m``, see `Durations.median_se`):

    ```text
    d = m_a - m_b,   se = sqrt(se(m_a)^2 + se(m_b)^2)
    interval = d +/- z se,   p_value = 2 (1 - Phi(|d| / se))
    ```

    It needs each curve to fall to 0.45 (so a slope can be read), and it is
    a large-sample approximation: with a few dozen durations per side, or
    many ties, read it as a rough guide.

    Parameters
    ----------
    a, b
        Two results of the same class and definition parameters. Not
        `Breakdown` objects: compare those group by group.
    confidence_level
        Confidence level of the interval, in (0, 1).

    Returns
    -------
    Comparison
        ``difference``, ``low``, ``high``, ``p_value``, ``significant``,
        ``relative_change``, ``a``, ``b``, ``method``, ``confidence_level``.

    Raises
    ------
    TypeError
        ``a`` or ``b`` is a `Breakdown` or not a Rate, NPS, Mean or Durations
        result.
    ValueError
        The results are of different classes, differ in a definition
        parameter other than ``as_of`` (the message names it), or
        ``confidence_level`` is not in (0, 1).

    Warns
    -----
    UndefinedMetricWarning
        When the interval is undefined: a result without data or an
        undefined median (then every number is nan), a mean of fewer than two
        values or a Kaplan-Meier curve that stays above 0.45 (then only
        ``difference`` and ``relative_change`` are numbers).

    Notes
    -----
    Edge cases: when neither side has any spread (two rates both 0 or both 1, NPS answers
    all in one category, means of identical values), the interval collapses
    onto the difference and ``p_value`` is 1 when the difference is 0 and 0
    otherwise: the normal approximations have nothing to go on. Treat any
    comparison of small samples with caution (see the guide).

    See Also
    --------
    target : Whether one result meets a goal.
    csmetrics.core.stats.rate_interval, csmetrics.core.stats.nps_interval,
    csmetrics.core.stats.t_interval : The single-result intervals.

    References
    ----------
    Newcombe, R. G. (1998). "Interval estimation for the difference between
    independent proportions: comparison of eleven methods". Statistics in
    Medicine 17(8), 873-890 (method 10).
    Wilson, E. B. (1927). "Probable inference, the law of succession, and
    statistical inference". Journal of the American Statistical Association
    22(158), 209-212.
    Fleiss, J. L., Levin, B. & Paik, M. C. (2003). Statistical Methods for
    Rates and Proportions, 3rd ed., Wiley, section 2.5 (the pooled z test).
    Rocks, B. (2016). "Interval estimation for the 'Net Promoter Score'". The
    American Statistician 70(4), 365-372.
    Collett, D. (2015). Modelling Survival Data in Medical Research, 3rd ed.,
    CRC Press, section 2.4 (the standard error of a median).
    Welch, B. L. (1947). "The generalization of 'Student's' problem when
    several different population variances are involved". Biometrika
    34(1-2), 28-35.
    Satterthwaite, F. E. (1946). "An approximate distribution of estimates of
    variance components". Biometrics Bulletin 2(6), 110-114.

    Examples
    --------
    Newcombe's own example: 56 of 70 against 48 of 80.

    >>> from csmetrics import Rate
    >>> c = compare(Rate(numerator=56, denominator=70), Rate(numerator=48, denominator=80))
    >>> round(c.difference, 4), round(c.low, 4), round(c.high, 4)
    (0.2, 0.0524, 0.3339)
    >>> round(c.p_value, 4), c.significant, c.method
    (0.008, True, 'newcombe')

    A result without data gives nan, with a warning:

    >>> import warnings
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("ignore")
    ...     c = compare(Rate(numerator=0, denominator=0), Rate(numerator=5, denominator=9))
    >>> c.difference, c.significant
    (nan, False)
    """
    a = _check_result("compare", "a", a)
    b = _check_result("compare", "b", b)
    _check_comparable(a, b)
    z_value(confidence_level)  # validates confidence_level, even without data
    if isinstance(a, Rate):
        assert isinstance(b, Rate)
        method = "newcombe"
        diff, low, high, p_value = _rate_difference(a, b, confidence_level)
    elif isinstance(a, NPS):
        assert isinstance(b, NPS)
        method = "normal"
        diff, low, high, p_value = _nps_difference(a, b, confidence_level)
    elif isinstance(a, Durations):
        assert isinstance(b, Durations)
        method = "collett"
        diff, low, high, p_value = _median_difference(a, b, confidence_level)
    else:
        assert isinstance(a, Mean)
        assert isinstance(b, Mean)
        method = "welch"
        diff, low, high, p_value = _mean_difference(a, b, confidence_level)
    if math.isnan(diff):
        low = high = p_value = math.nan
        _warn("the comparison is undefined", f"{_why_undefined(a, b)}; every number is nan")
    elif math.isnan(low):
        _warn(
            "the interval of the difference is undefined",
            f"{_why_no_interval(a)}; low, high and p_value are nan",
        )
    base = b.value
    relative = diff / base if base and not math.isnan(base) else math.nan
    return Comparison(
        difference=diff,
        low=low,
        high=high,
        p_value=p_value,
        significant=bool(low > 0 or high < 0),
        relative_change=relative,
        a=a,
        b=b,
        method=method,
        confidence_level=confidence_level,
    )


def _interval(result: Result, level: float) -> ConfidenceInterval:
    if isinstance(result, WITH_INTERVAL):
        return result.ci(confidence_level=level)
    raise AssertionError(type(result))  # _check_result lets nothing else through


def _certainty(low: float, high: float, goal: float, direction: Direction) -> Certainty:
    if math.isnan(low) or math.isnan(high):
        return "unclear"
    if direction == "higher":
        good, bad = low >= goal, high < goal
    else:
        good, bad = high <= goal, low > goal
    return "met" if good else "missed" if bad else "unclear"


def _direction(result: Result, direction: Direction | None) -> Direction:
    """The explicit ``direction``, else the result's own from the catalogue."""
    if direction is not None:
        option("direction", direction, DIRECTIONS)
        return direction
    found = direction_of(result)
    if found is None:
        metric = getattr(result, "metric", type(result).__name__)
        msg = (
            f"direction=None: the catalogue gives no direction for metric {metric!r}; "
            "pass direction='higher' or direction='lower'"
        )
        raise ValueError(msg)
    return found


def target(
    result: Result,
    /,
    *,
    goal: float,
    direction: Direction | None = None,
    confidence_level: float = 0.95,
) -> TargetCheck:
    """Whether a result meets a goal, and whether the data are enough to say so.

    ``met`` compares the value with the goal; ``certainty`` asks the same
    question of the whole confidence interval of the result (its own
    ``.ci(confidence_level=...)``: Wilson for rates, the normal interval for
    NPS, Student's t for means, clipped to the scale for CES, Brookmeyer and
    Crowley for medians of durations):

    - ``"met"``: every value in the interval meets the goal (``low >= goal``
      for ``"higher"``, ``high <= goal`` for ``"lower"``);
    - ``"missed"``: no value in the interval meets it (``high < goal``, or
      ``low > goal``);
    - ``"unclear"``: the interval straddles the goal, so the data cannot tell
      a team that meets the goal from one that misses it.

    Parameters
    ----------
    result
        A `Rate`, `NPS`, `Mean` or `Durations` result (or a subclass). Not a
        `Breakdown`: check its groups one by one.
    goal
        The goal in the result's units: a fraction in [0, 1] for rates (85%
        is 0.85), points in [-100, 100] for NPS, the unit of a mean (seconds,
        scale points), seconds for the median of durations.
    direction
        ``"higher"``: the goal is a floor, higher is better (FCR, CSAT, NPS,
        service level). ``"lower"``: the goal is a ceiling, lower is better
        (abandonment rate, handle time, response and resolution times, CES
        on a scale where 1 is easiest). None (default): the metric's own
        direction from `csmetrics.catalog` (`csmetrics.catalog.direction_of`);
        a result the catalogue cannot place (a hand-made ``Rate``) needs it.
    confidence_level
        Confidence level of the interval, in (0, 1).

    Returns
    -------
    TargetCheck
        ``met``, ``gap = goal - value``, ``low``, ``high``, ``certainty``, and
        the inputs.

    Raises
    ------
    TypeError
        ``result`` is a `Breakdown` or not a Rate, NPS, Mean or Durations
        result.
    ValueError
        ``goal`` is not a finite number, or is outside [0, 1] for a rate or
        [-100, 100] for NPS; ``direction`` is not ``"higher"`` or ``"lower"``,
        or is None for a result whose metric has no direction;
        ``confidence_level`` is not in (0, 1).

    Warns
    -----
    UndefinedMetricWarning
        When the interval is undefined (no data, an undefined median, or a
        mean of fewer than two values). An undefined value is not ``met`` and its ``gap`` is nan;
        ``certainty`` is ``"unclear"``.

    See Also
    --------
    compare : Whether two results differ.

    Examples
    --------
    FCR of 80% (80 of 100 episodes) against a goal of 85%: missed on the
    value, but the interval (71% to 87%) contains the goal.

    >>> from csmetrics import FCR
    >>> r = FCR(numerator=80, denominator=100, pending=0, repeats=0,
    ...         window_days=7, match="issue", as_of=None)
    >>> t = target(r, goal=0.85)
    >>> t.met, round(t.gap, 4), t.certainty
    (False, 0.05, 'unclear')
    >>> round(t.low, 4), round(t.high, 4)
    (0.7112, 0.8666)

    The same 80% on 1000 episodes misses for sure:

    >>> r = FCR(numerator=800, denominator=1000, pending=0, repeats=0,
    ...         window_days=7, match="issue", as_of=None)
    >>> target(r, goal=0.85).certainty
    'missed'
    """
    result = _check_result("target", "result", result)
    goal = _check_goal(result, goal)
    z_value(confidence_level)  # validates confidence_level, even without data
    direction = _direction(result, direction)
    ci = _interval(result, confidence_level)
    value = result.value
    if math.isnan(ci.low) or math.isnan(ci.high):
        why = _no_value(result) if math.isnan(value) else "a mean needs at least two values"
        _warn("the interval of the result is undefined", f"{why}; certainty is 'unclear'")
    met = value >= goal if direction == "higher" else value <= goal
    return TargetCheck(
        result=result,
        goal=goal,
        direction=direction,
        met=bool(met),
        gap=goal - value,
        low=ci.low,
        high=ci.high,
        certainty=_certainty(ci.low, ci.high, goal, direction),
        confidence_level=confidence_level,
        method=ci.method,
    )
