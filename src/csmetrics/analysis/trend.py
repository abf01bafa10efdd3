"""A metric over time: one result per calendar period and the slope through them.

`trend` gives each period's full result, a slope per period with its
confidence interval, and the periods that changed significantly from the one
before. Units are the metric's own (fractions for rates, points for NPS,
seconds for times); a slope is in those units per period.
"""

from __future__ import annotations

import math
import warnings
from typing import Any, Literal
from zoneinfo import ZoneInfo

import attrs
import numpy as np
import numpy.typing as npt

from csmetrics.analysis.compare import Comparison
from csmetrics.analysis.periodic import (
    SILENCE,
    Metric,
    check_options,
    metric_name,
    per_period,
    quiet_compare,
    sized,
    table_of,
    warn_undefined,
    windows_of,
)
from csmetrics.core import html as html_table
from csmetrics.core.check import check_min_n, option
from csmetrics.core.errors import UndefinedMetricWarning
from csmetrics.core.frames import ToFrame
from csmetrics.core.model import PeriodLike, Window
from csmetrics.core.periods import Every
from csmetrics.core.results import Result
from csmetrics.core.stats import t_quantile, z_value

__all__ = ["SLOPE_METHODS", "Slope", "SlopeMethod", "Trend", "TrendPoint", "trend"]

F64 = npt.NDArray[np.float64]

SlopeMethod = Literal["ols", "theil-sen"]
"""How `trend` fits its slope."""
SLOPE_METHODS: tuple[SlopeMethod, ...] = ("ols", "theil-sen")


# -- slopes -------------------------------------------------------------------------------------


@attrs.frozen(kw_only=True)
class Slope:
    """The fitted change per period of a trend, with its confidence interval.

    Attributes
    ----------
    estimate
        Change of the value per period, in the metric's units (fractions for
        rates: 0.01 is one percentage point per period); nan with fewer than
        two defined periods.
    low, high
        The confidence interval of ``estimate``; nan with fewer than three
        defined periods.
    intercept
        The fitted value at the first period (position 0).
    method
        ``"ols"`` or ``"theil-sen"``.
    confidence_level
        The confidence level of the interval.
    n
        The number of defined periods fitted.
    """

    estimate: float
    low: float
    high: float
    intercept: float
    method: SlopeMethod
    confidence_level: float
    n: int

    @property
    def significant(self) -> bool:
        """Whether the interval excludes 0 (False when it is undefined)."""
        return bool(self.low > 0 or self.high < 0)


def _ols(x: F64, y: F64, level: float) -> tuple[float, float, float, float]:
    """Least squares slope, intercept and the t interval of the slope (``n - 2`` df)."""
    n = len(x)
    xc = x - x.mean()
    sxx = float(xc @ xc)
    # Centring y on its first value keeps a constant series exactly flat.
    slope = float(xc @ (y - y[0])) / sxx
    intercept = float(y.mean() - slope * x.mean())
    if n < 3:
        return slope, intercept, math.nan, math.nan
    residuals = y - (intercept + slope * x)
    se = math.sqrt(float(residuals @ residuals) / (n - 2) / sxx)
    half = t_quantile((1 + level) / 2, n - 2) * se
    return slope, intercept, slope - half, slope + half


def _ties(values: F64) -> float:
    counts = np.unique(values, return_counts=True)[1].astype(np.float64)
    return float((counts * (counts - 1) * (2 * counts + 5)).sum())


def _theil_sen(x: F64, y: F64, level: float) -> tuple[float, float, float, float]:
    """Median pairwise slope; Sen's (1968) interval from the variance of Kendall's S."""
    n = len(x)
    i, j = np.triu_indices(n, k=1)
    slopes = np.sort((y[j] - y[i]) / (x[j] - x[i]))
    slope = float(np.median(slopes))
    intercept = float(np.median(y) - slope * np.median(x))
    if n < 3:
        return slope, intercept, math.nan, math.nan
    pairs = len(slopes)
    variance = (n * (n - 1) * (2 * n + 5) - _ties(x) - _ties(y)) / 18
    spread = z_value(level) * math.sqrt(variance)
    upper = min(round((pairs + spread) / 2), pairs - 1)
    lower = max(round((pairs - spread) / 2) - 1, 0)
    return slope, intercept, float(slopes[lower]), float(slopes[upper])


def _slope(values: F64, method: SlopeMethod, level: float) -> Slope:
    defined = np.flatnonzero(~np.isnan(values))
    x, y = defined.astype(np.float64), values[defined]
    if len(defined) < 2:
        fit = (math.nan,) * 4
    else:
        fit = (_ols if method == "ols" else _theil_sen)(x, y, level)
    slope, intercept, low, high = fit
    return Slope(
        estimate=slope,
        low=low,
        high=high,
        intercept=intercept,
        method=method,
        confidence_level=level,
        n=len(defined),
    )


# -- trend --------------------------------------------------------------------------------------


@attrs.frozen(kw_only=True, repr=False)
class TrendPoint:
    """One period of a trend: its full result and whether it moved.

    Attributes
    ----------
    period
        The period, a `Window` with UTC bounds.
    result
        The metric's result for the period, with all its counts (undefined,
        ``nan``, when nothing was in scope).
    n
        The sample behind the value (`sample_size`).
    reliable
        ``n >= min_n`` of the trend.
    change
        `compare` of this period's result with the previous period's; None
        for the first period, or when either is undefined.
    """

    period: Window
    result: Result
    n: int
    reliable: bool
    change: Comparison | None

    @property
    def value(self) -> float:
        """The result's headline value."""
        return self.result.value

    @property
    def significant(self) -> bool:
        """Whether the change from the previous period is significant."""
        return self.change is not None and self.change.significant

    def __repr__(self) -> str:
        return (
            f"TrendPoint(start={self.period.start.isoformat()}, value={self.value!r}, "
            f"n={self.n}, reliable={self.reliable}, significant={self.significant})"
        )


@attrs.frozen(kw_only=True, repr=False)
class Trend(ToFrame):
    """A metric per calendar period, its slope, and the periods that changed.

    Returned by `trend`.

    Attributes
    ----------
    metric
        The metric's name (``"fcr"``).
    points
        One `TrendPoint` per period in order, empty periods included.
    slope
        The fitted `Slope` over the defined periods.
    every, timezone
        The periods: length and the IANA zone of their local boundaries.
    min_n
        The reliability threshold used (`MIN_N` of the result's kind unless
        given); None when there is no period.
    confidence_level
        The level of the slope interval and of each change's interval.
    """

    metric: str
    points: tuple[TrendPoint, ...]
    slope: Slope
    every: Every
    timezone: str
    min_n: int | None
    confidence_level: float

    def __len__(self) -> int:
        return len(self.points)

    @property
    def windows(self) -> tuple[Window, ...]:
        """The periods in order."""
        return tuple(p.period for p in self.points)

    @property
    def results(self) -> tuple[Result, ...]:
        """Each period's result, in order."""
        return tuple(p.result for p in self.points)

    @property
    def values(self) -> F64:
        """Each period's value (nan where undefined), float64."""
        return np.array([p.value for p in self.points], dtype=np.float64)

    @property
    def changes(self) -> tuple[TrendPoint, ...]:
        """The periods whose result differs significantly from the previous period's."""
        return tuple(p for p in self.points if p.significant)

    def to_rows(self) -> list[dict[str, Any]]:
        """One dict per period: local start, value, n, reliable, change vs before, counts."""
        zone = ZoneInfo(self.timezone)
        return [
            {
                "start": p.period.start.astimezone(zone),
                "period": p.period,
                "value": p.value,
                "n": p.n,
                "reliable": p.reliable,
                "change": math.nan if p.change is None else p.change.difference,
                "significant": p.significant,
                **p.result.counts(),
            }
            for p in self.points
        ]

    def __repr__(self) -> str:
        s = self.slope
        return (
            f"Trend(metric={self.metric!r}, {len(self)} {self.every} periods in {self.timezone}, "
            f"slope={s.estimate!r} [{s.low!r}, {s.high!r}] per period ({s.method}), "
            f"changes={len(self.changes)})"
        )

    def _repr_html_(self) -> str:
        keys = ("start", "value", "n", "reliable", "change", "significant")
        body = [[row[k] for k in keys] for row in self.to_rows()]
        return html_table.table(keys, body, caption=repr(self))


def trend(
    data: Any,
    metric: Metric,
    /,
    *,
    every: Every = "week",
    timezone: str | ZoneInfo = "UTC",
    period: PeriodLike | None = None,
    slope_method: SlopeMethod = "ols",
    confidence_level: float = 0.95,
    min_n: int | None = None,
    **metric_options: Any,
) -> Trend:
    """A metric per calendar period: its slope, and the periods where it moved.

    For each period ``w`` (see `csmetrics.core.periods.buckets`) the metric runs
    on all the data with ``period=w``, so look-ahead logic (FCR repeats after
    the period, pending windows) sees everything. Then:

    - **slope**: the change per period fitted over the defined periods, with
      each period at its position ``0, 1, 2, ...`` (empty periods leave a
      gap, they are not closed up). ``"ols"`` (default): ordinary least
      squares on the period values, unweighted, each period one point; the
      interval is ``slope +/- t_{(1 + confidence_level) / 2, m - 2} se``
      with ``se = sqrt(SSE / (m - 2) / Sxx)`` over ``m`` defined periods.
      ``"theil-sen"``: the median of the slopes between all pairs of
      periods, robust to a few odd periods; its interval is Sen's (1968),
      the order statistics of the pairwise slopes at ranks
      ``(N -/+ z sqrt(Var S)) / 2`` with ``Var S`` Kendall's variance
      ``(m (m - 1) (2m + 5) - ties) / 18``, as in
      ``scipy.stats.theilslopes``.
    - **changes**: each period is compared with the one before with
      `csmetrics.compare` (Newcombe for rates, the normal interval for NPS,
      Welch for means); the significant ones are ``Trend.changes``.
    - **reliable**: a period is reliable when its sample (`sample_size`) is
      at least ``min_n``.

    Parameters
    ----------
    data
        What the metric takes: `Interaction` records or an `Interactions`
        table (periods by contact start), `Survey` records or a `Surveys`
        table (periods by answer time), or a dataframe of either (with the
        ``frames`` extra; read as the metric reads it, so a csmetrics metric
        is needed to tell which). Records and frames are converted once.
    metric
        A csmetrics metric function, e.g. ``csmetrics.fcr``; it is called as
        ``metric(data, period=w, **metric_options)``. Wrap one that takes
        more positional arguments:
        ``lambda d, **o: sla_attainment(d, policy, **o)``.
    every
        ``"hour"``, ``"day"``, ``"week"`` (default, ISO weeks), ``"month"``,
        ``"quarter"`` or ``"year"``.
    timezone
        IANA time zone of the period boundaries (default ``"UTC"``).
    period
        The range to cover: ``[period.start, period.end)`` cut into periods
        (the first and last may be partial). Default: from the period of the
        earliest record to the period of the latest.
    slope_method
        ``"ols"`` (default) or ``"theil-sen"``.
    confidence_level
        Level of the slope interval and of the period comparisons, in (0, 1).
    min_n
        Smallest sample for a reliable period. Default (None): `MIN_N` of
        the result's kind, 30 for rates and means, 100 for NPS.
    **metric_options
        Passed to the metric on every call (``window_days=7``, ``as_of=...``,
        ``scale=(1, 5)``). Not ``by``.

    Returns
    -------
    Trend
        ``points`` (one `TrendPoint` per period: result, n, reliable,
        change), ``slope``, ``changes``, ``values``, ``.to_rows()``.

    Raises
    ------
    TypeError
        ``data`` has no times (plain scores), ``by=`` was given, or the
        metric does not return a single result.
    ValueError
        An option is not allowed.

    Warns
    -----
    UndefinedMetricWarning
        Once: listing the periods where the metric is undefined (their value
        is nan), and saying when the slope is nan (fewer than two defined
        periods). The metric's own warning per period is not repeated.

    Notes
    -----
    The slope treats every defined period as one equally weighted point,
    whatever its sample: it describes the line a reader sees on the chart.
    Small periods are marked unreliable rather than dropped; with a few of
    them, prefer ``"theil-sen"``, which a single odd period cannot move. The
    interval assumes independent period values around a straight line:
    seasonality (weekdays, month ends) and autocorrelation make it too
    narrow. With many periods some changes are significant by chance alone
    (one in twenty at 95%).

    See Also
    --------
    csmetrics.compare : the period-over-period test.
    guardrail_trend : a guardrail over consecutive periods.

    References
    ----------
    Theil, H. (1950). "A rank-invariant method of linear and polynomial
    regression analysis". Proc. KNAW 53. Sen, P. K. (1968). "Estimates of
    the regression coefficient based on Kendall's tau". JASA 63(324),
    1379-1389. Draper, N. R. & Smith, H. (1998). Applied Regression
    Analysis, 3rd ed., ch. 1 (the t interval of the slope).

    Examples
    --------
    >>> from datetime import datetime, timedelta, timezone
    >>> from csmetrics import Survey, csat
    >>> monday = datetime(2026, 3, 2, 9, tzinfo=timezone.utc)
    >>> answers = [Survey(id=i, kind="csat", score=5 if i % 4 < 1 + i // 40 else 2,
    ...                   at=monday + timedelta(weeks=i // 40, minutes=i))
    ...            for i in range(120)]
    >>> t = trend(answers, csat, every="week")
    >>> t.values.round(2).tolist(), round(t.slope.estimate, 3)
    ([0.25, 0.5, 0.75], 0.25)
    >>> [p.period.start.date().isoformat() for p in t.changes]
    ['2026-03-09', '2026-03-16']
    """
    option("slope_method", slope_method, SLOPE_METHODS)
    z_value(confidence_level)
    min_n = check_min_n(min_n)
    check_options("trend", metric_options)
    table, times = table_of(data, "trend", metric)
    windows, zone = windows_of(times, every, timezone, period)
    results = per_period(metric, table, windows, metric_options)
    points: list[TrendPoint] = []
    for i, (window, result) in enumerate(zip(windows, results, strict=True)):
        n, default = sized(result)
        threshold = min_n if min_n is not None else default
        change = quiet_compare(result, results[i - 1], confidence_level) if i else None
        points.append(
            TrendPoint(period=window, result=result, n=n, reliable=n >= threshold, change=change)
        )
    values = np.array([r.value for r in results], dtype=np.float64)
    slope = _slope(values, slope_method, confidence_level)
    name = metric_name(metric)
    empty = [w for w, r in zip(windows, results, strict=True) if not r.is_defined]
    flat = "fewer than two defined periods, so the slope is nan"
    if empty:
        what = "their value is nan" + (f"; {flat}" if slope.n < 2 else "")
        warn_undefined(name, what, empty, len(windows), zone)
    elif slope.n < 2:
        warnings.warn(
            f"the trend of {name} is undefined: {len(windows)} period(s), {flat} ({SILENCE})",
            UndefinedMetricWarning,
            stacklevel=2,
        )
    if min_n is None and results:
        min_n = sized(results[0])[1]
    return Trend(
        metric=name,
        points=tuple(points),
        slope=slope,
        every=every,
        timezone=zone.key,
        min_n=min_n,
        confidence_level=confidence_level,
    )
