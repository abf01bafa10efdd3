"""Trends, guardrails and drivers: how a metric moves, what it costs, what drives it.

- `trend`: a metric per calendar period, each period's full result, a slope
  per period with its confidence interval, and the periods that changed
  significantly from the one before.
- `guardrail` and `guardrail_trend`: the Goodhart guardrail. A metric that
  can be pushed up by hurting customers (FCR, handle time, first response
  time) is read next to a counter-metric (CSAT, reopen rate); the guardrail
  fires when the primary improves significantly while the counter worsens
  significantly. `DEFAULT_PAIRS` lists the usual pairs.
- `drivers`: for each segment (category, channel, agent), its result, its gap
  to the overall value and its impact on the overall, so the reader sees which
  segments make the overall number.

Units are each metric's own (fractions for rates, points for NPS, seconds for
times); a slope is in those units per period. Whether higher is better is each
metric's own: higher for FCR, resolution rate, CSAT, NPS, survey FCR and
service level; lower for handle and response times, abandonment, blocked and
reopen rates; for CES as its result says (``higher_is_easier``).

The reopen-rate pairs use `csmetrics.reopen_rate`.
"""

from __future__ import annotations

import html
import inspect
import math
import warnings
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, Literal
from zoneinfo import ZoneInfo

import attrs
import numpy as np
import numpy.typing as npt

from csmetrics import catalog
from csmetrics.analysis.compare import Comparison, compare
from csmetrics.core.check import option
from csmetrics.core.episodes import as_interactions
from csmetrics.core.errors import UndefinedMetricWarning
from csmetrics.core.model import Interaction, Key, Survey, Window
from csmetrics.core.periods import Every, buckets, start_label
from csmetrics.core.results import MIN_N, Breakdown, Result
from csmetrics.core.stats import t_quantile, z_value
from csmetrics.core.table import Interactions, Surveys

__all__ = [
    "DEFAULT_PAIRS",
    "MIN_N",
    "SLOPE_METHODS",
    "DriverRow",
    "Drivers",
    "Guardrail",
    "GuardrailPair",
    "GuardrailTrend",
    "Slope",
    "SlopeMethod",
    "Trend",
    "TrendPoint",
    "drivers",
    "guardrail",
    "guardrail_trend",
    "trend",
]

I64 = npt.NDArray[np.int64]
F64 = npt.NDArray[np.float64]
Metric = Callable[..., Any]

SlopeMethod = Literal["ols", "theil-sen"]
"""How `trend` fits its slope."""
SLOPE_METHODS: tuple[SlopeMethod, ...] = ("ols", "theil-sen")

_SILENCE = "silence with warnings.simplefilter('ignore', csmetrics.UndefinedMetricWarning)"
DAY_MICROS = 86_400_000_000


def _sized(result: Result) -> tuple[int, int]:
    """The sample size and default reliability threshold of a result."""
    size, threshold = result.sample_size, result.default_min_n
    if size is None or threshold is None:
        msg = f"result={type(result).__name__} is not a Rate, NPS, Mean or Durations result"
        raise TypeError(msg)
    return size, threshold


def _min_n(value: object) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        msg = f"min_n={value!r} is not allowed; use an int >= 1 or None (MIN_N of the result)"
        raise ValueError(msg)
    return value


# -- running a metric per period ----------------------------------------------------------------


def _name(metric: Metric) -> str:
    return str(getattr(metric, "__name__", getattr(getattr(metric, "func", None), "__name__", "")))


def _table(data: Any, func: str) -> tuple[Any, I64]:
    """The data as a table (built once) and the times its periods are cut by."""
    if isinstance(data, Interactions):
        return data, data.start
    if isinstance(data, Surveys):
        return data, data.at
    items = list(data)
    if not items:
        return items, np.empty(0, dtype=np.int64)
    if isinstance(items[0], Interaction):
        contacts = Interactions.from_records(items)
        return contacts, contacts.start
    if isinstance(items[0], Survey):
        answers = Surveys.from_records(items)
        return answers, answers.at
    msg = (
        f"{func}() needs Interaction or Survey records or an Interactions or Surveys table "
        f"(their times say which period each belongs to), got {type(items[0]).__name__}"
    )
    raise TypeError(msg)


def _check_options(func: str, options: Mapping[str, Any]) -> None:
    for name in ("by", "period"):
        if name in options:
            msg = f"{name}= is not a metric option in {func}(); "
            msg += (
                "use drivers() for segments, or call it once per group"
                if name == "by"
                else f"{func}() sets each period itself"
            )
            raise TypeError(msg)


def _call(metric: Metric, data: Any, period: Window | None, options: Mapping[str, Any]) -> Result:
    result = metric(data, period=period, **options)
    if isinstance(result, Breakdown) or not isinstance(result, Result):
        msg = (
            f"metric {_name(metric)!r} returned {type(result).__name__}, not a single result; "
            "pass a csmetrics metric function such as csmetrics.fcr, without by="
        )
        raise TypeError(msg)
    return result


def _per_period(
    metric: Metric, data: Any, windows: Sequence[Window], options: Mapping[str, Any]
) -> list[Result]:
    # Empty periods are expected in a series; one summary warning replaces the
    # metric's warning per period.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UndefinedMetricWarning)
        return [_call(metric, data, w, options) for w in windows]


def _quiet_compare(a: Result, b: Result, level: float) -> Comparison | None:
    """``compare(a, b)`` when both are defined and comparable; None otherwise."""
    if not (a.is_defined and b.is_defined):
        return None
    with warnings.catch_warnings():
        # A mean of one value has no interval: the comparison is then not significant.
        warnings.simplefilter("ignore", UndefinedMetricWarning)
        return compare(a, b, confidence_level=level)


def _dates(windows: Sequence[Window], zone: ZoneInfo) -> str:
    more = ", ..." if len(windows) > 3 else ""
    return ", ".join(start_label(w, zone) for w in windows[:3]) + more


def _warn_undefined(
    name: str, what: str, empty: Sequence[Window], total: int, zone: ZoneInfo
) -> None:
    warnings.warn(
        f"{name} is undefined in {len(empty)} of {total} periods (starting "
        f"{_dates(empty, zone)}): nothing in scope or nothing decided yet; {what} ({_SILENCE})",
        UndefinedMetricWarning,
        stacklevel=3,
    )


def _windows(
    times: I64, every: Every, timezone: str | ZoneInfo, period: Window | None
) -> tuple[tuple[Window, ...], ZoneInfo]:
    if period is not None and not isinstance(period, Window):
        msg = f"period={period!r} is not allowed; use a csmetrics.Window or None"
        raise TypeError(msg)
    start, end = (period.start, period.end) if period is not None else (None, None)
    b = buckets(times, every=every, timezone=timezone, start=start, end=end)
    return b.windows, b.zone


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
class Trend:
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
        rows = self.to_rows()
        keys = ("start", "value", "n", "reliable", "change", "significant")
        head = "".join(f"<th>{k}</th>" for k in keys)
        body = "".join(
            "<tr>" + "".join(f"<td>{html.escape(str(row[k]))}</td>" for k in keys) + "</tr>"
            for row in rows
        )
        caption = f"<caption>{html.escape(repr(self))}</caption>"
        return f"<table>{caption}<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def trend(
    data: Any,
    metric: Metric,
    /,
    *,
    every: Every = "week",
    timezone: str | ZoneInfo = "UTC",
    period: Window | None = None,
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
        table (periods by answer time). Records are converted once.
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
    min_n = _min_n(min_n)
    _check_options("trend", metric_options)
    table, times = _table(data, "trend")
    windows, zone = _windows(times, every, timezone, period)
    results = _per_period(metric, table, windows, metric_options)
    points: list[TrendPoint] = []
    for i, (window, result) in enumerate(zip(windows, results, strict=True)):
        n, default = _sized(result)
        threshold = min_n if min_n is not None else default
        change = _quiet_compare(result, results[i - 1], confidence_level) if i else None
        points.append(
            TrendPoint(period=window, result=result, n=n, reliable=n >= threshold, change=change)
        )
    values = np.array([r.value for r in results], dtype=np.float64)
    slope = _slope(values, slope_method, confidence_level)
    name = _name(metric)
    empty = [w for w, r in zip(windows, results, strict=True) if not r.is_defined]
    flat = "fewer than two defined periods, so the slope is nan"
    if empty:
        what = "their value is nan" + (f"; {flat}" if slope.n < 2 else "")
        _warn_undefined(name, what, empty, len(windows), zone)
    elif slope.n < 2:
        warnings.warn(
            f"the trend of {name} is undefined: {len(windows)} period(s), {flat} ({_SILENCE})",
            UndefinedMetricWarning,
            stacklevel=2,
        )
    if min_n is None and results:
        min_n = _sized(results[0])[1]
    return Trend(
        metric=name,
        points=tuple(points),
        slope=slope,
        every=every,
        timezone=zone.key,
        min_n=min_n,
        confidence_level=confidence_level,
    )


# -- guardrails ---------------------------------------------------------------------------------


_NAMES = tuple(entry.name for entry in catalog.entries() if entry.trend)
"""The metrics a trend, guardrail or drivers analysis can compute per period."""


def _func(name: str) -> Metric:
    return catalog.get(name).function


def _higher_is_better(name: str) -> bool:
    return catalog.get(name).direction == "higher"


def _check_name(inst: object, attribute: attrs.Attribute[str], value: str) -> None:
    option(attribute.name, value, _NAMES)


def _check_bool(inst: object, attribute: attrs.Attribute[bool], value: object) -> None:
    if not isinstance(value, bool):
        msg = f"{attribute.name}={value!r} is not allowed; use True or False"
        raise TypeError(msg)


@attrs.frozen(kw_only=True)
class GuardrailPair:
    """A metric that can be gamed and the counter-metric that shows the cost.

    Attributes
    ----------
    primary
        The metric being pushed (a metric name such as ``"fcr"``).
    counter
        The metric that suffers when the primary is pushed the wrong way
        (``"csat"``).
    primary_higher_is_better, counter_higher_is_better
        Each metric's direction: True when a higher value is better.
    """

    primary: str = attrs.field(validator=_check_name)
    counter: str = attrs.field(validator=_check_name)
    primary_higher_is_better: bool = attrs.field(validator=_check_bool)
    counter_higher_is_better: bool = attrs.field(validator=_check_bool)


def _pair(primary: str, counter: str) -> GuardrailPair:
    return GuardrailPair(
        primary=primary,
        counter=counter,
        primary_higher_is_better=_higher_is_better(primary),
        counter_higher_is_better=_higher_is_better(counter),
    )


DEFAULT_PAIRS: tuple[GuardrailPair, ...] = (
    _pair("fcr", "csat"),
    _pair("handle_time", "fcr"),
    _pair("handle_time", "csat"),
    _pair("first_response_time", "reopen_rate"),
    _pair("resolution_rate", "reopen_rate"),
)
"""The usual guardrail pairs.

- FCR with CSAT: refusing call-backs or closing early raises FCR and angers
  customers.
- Handle time with FCR and with CSAT: rushing calls lowers handle time and
  brings the customer back, unhappy.
- First response time with reopen rate: a fast, empty first reply. First
  response times are medians (`Durations`), compared with Collett's
  standard errors (see `csmetrics.compare`).
- Resolution rate with reopen rate: closing tickets that are not solved.
"""


@attrs.frozen(kw_only=True, repr=False)
class Guardrail:
    """A guardrail check between two periods.

    Returned by `guardrail`. ``fired`` is True when the primary metric
    improved significantly while the counter-metric worsened significantly,
    each in its own direction.

    Attributes
    ----------
    pair
        The metrics and their directions.
    primary, counter
        `Comparison` of each metric, current minus baseline.
    baseline, current
        The two periods.
    confidence_level
        The level of both comparisons.
    """

    pair: GuardrailPair
    primary: Comparison
    counter: Comparison
    baseline: Window
    current: Window
    confidence_level: float

    @property
    def primary_improved(self) -> bool:
        """The primary moved significantly in its good direction."""
        return _moved(self.primary, good=self.pair.primary_higher_is_better)

    @property
    def counter_worsened(self) -> bool:
        """The counter-metric moved significantly in its bad direction."""
        return _moved(self.counter, good=not self.pair.counter_higher_is_better)

    @property
    def fired(self) -> bool:
        """The primary improved and the counter-metric worsened, both beyond noise."""
        return self.primary_improved and self.counter_worsened

    def __repr__(self) -> str:
        p, c = self.primary, self.counter
        return (
            f"Guardrail(fired={self.fired}, {self.pair.primary} {p.b.value:.6g} -> "
            f"{p.a.value:.6g} (significant={p.significant}), {self.pair.counter} "
            f"{c.b.value:.6g} -> {c.a.value:.6g} (significant={c.significant}))"
        )


def _moved(c: Comparison, *, good: bool) -> bool:
    """Whether the comparison is significant in the given direction (True: up)."""
    return c.significant and (c.difference > 0 if good else c.difference < 0)


def _route(func: str, names: Sequence[str], options: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Split ``options`` between metrics by the keywords each accepts."""
    accepted = [set(inspect.signature(_func(name)).parameters) for name in names]
    unused = sorted(set(options) - set().union(*accepted))
    if unused:
        msg = (
            f"{func}() got option(s) {unused} that neither {' nor '.join(map(repr, names))} "
            "takes; each option goes to the metrics whose signature has it"
        )
        raise TypeError(msg)
    return [{k: v for k, v in options.items() if k in keys} for keys in accepted]


def _source(name: str, interactions: Any, surveys: Any) -> Any:
    if catalog.get(name).input == "surveys":
        if surveys is None:
            msg = f"metric {name!r} needs survey answers; pass surveys (the second argument)"
            raise ValueError(msg)
        return surveys
    return interactions


def _directions(pair: GuardrailPair, primary: Result, counter: Result) -> GuardrailPair:
    """The pair with the directions the results give (CES's ``higher_is_easier``)."""
    return attrs.evolve(
        pair,
        primary_higher_is_better=catalog.direction_of(primary) == "higher",
        counter_higher_is_better=catalog.direction_of(counter) == "higher",
    )


def _check(
    pair: GuardrailPair,
    results: tuple[Result, Result, Result, Result],
    baseline: Window,
    current: Window,
    level: float,
) -> Guardrail:
    p_base, p_cur, c_base, c_cur = results
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UndefinedMetricWarning)
        return Guardrail(
            pair=_directions(pair, p_cur, c_cur),
            primary=compare(p_cur, p_base, confidence_level=level),
            counter=compare(c_cur, c_base, confidence_level=level),
            baseline=baseline,
            current=current,
            confidence_level=level,
        )


def _prepared(
    func: str, interactions: Any, surveys: Any, *, primary: str, counter: str, options: Any
) -> tuple[GuardrailPair, list[Any], list[dict[str, Any]]]:
    option("primary", primary, _NAMES)
    option("counter", counter, _NAMES)
    _check_options(func, options)
    pair = _pair(primary, counter)
    interactions = as_interactions(interactions) if interactions is not None else None
    if surveys is not None and not isinstance(surveys, Surveys):
        surveys = Surveys.from_records(surveys)
    sources = [_source(name, interactions, surveys) for name in (primary, counter)]
    if any(s is None for s in sources):
        msg = f"{func}() needs interactions for a contact metric; pass them first"
        raise ValueError(msg)
    return pair, sources, _route(func, (primary, counter), options)


def guardrail(
    interactions: Interactions | Iterable[Interaction] | None,
    surveys: Surveys | Iterable[Survey] | None = None,
    /,
    *,
    primary: str = "fcr",
    counter: str = "csat",
    baseline: Window,
    current: Window,
    confidence_level: float = 0.95,
    **metric_options: Any,
) -> Guardrail:
    """The Goodhart guardrail: whether a metric improved at the customer's expense.

    Both metrics run for ``baseline`` and ``current``; each is compared with
    `csmetrics.compare` (current minus baseline). "Improves" and "worsens"
    are read in each metric's own direction: up for FCR or CSAT, down for
    handle time, response times and reopen rate.

    ``fired = primary improved significantly and counter worsened significantly``

    A significant improvement alone is not enough: the guardrail stays quiet
    unless the counter-metric's worsening is beyond noise too.

    Parameters
    ----------
    interactions
        `Interaction` records or an `Interactions` table (None when both
        metrics are survey metrics).
    surveys
        `Survey` records or a `Surveys` table, for survey metrics (CSAT,
        NPS, CES, survey FCR). Survey metrics count the answers given in
        each period (by answer time).
    primary, counter
        Metric names: ``"fcr"``, ``"resolution_rate"``, ``"reopen_rate"``,
        ``"handle_time"``, ``"asa"``, ``"service_level"``,
        ``"abandonment_rate"``, ``"blocked_rate"``, ``"csat"``, ``"nps"``,
        ``"ces"``, ``"survey_fcr"``, and the time metrics with median results
        (``"first_response_time"``, ``"resolution_time"``, ``"reply_time"``,
        ``"contact_length"``). See `DEFAULT_PAIRS`.
    baseline, current
        The two periods (`Window`), usually before and after a change.
    confidence_level
        Level of both comparisons, in (0, 1).
    **metric_options
        Options for the metrics; each goes to every metric whose signature
        takes it (``window_days`` to FCR, ``scale`` to CSAT, ``as_of`` to
        both FCR and handle time). An option neither takes is an error.

    Returns
    -------
    Guardrail
        ``fired``, ``primary`` and ``counter`` (`Comparison` objects),
        ``primary_improved``, ``counter_worsened``, ``pair``.

    Raises
    ------
    ValueError
        An unknown metric name, survey metric without surveys, or a bad option.
    TypeError
        An option no metric takes.

    Notes
    -----
    An undefined result (no data in a period) makes its comparison nan and
    not significant, so the guardrail does not fire; no warning is emitted
    for it (read ``guardrail.primary.difference``). With many pairs and
    periods some will fire by chance: at 95% on both metrics and no real
    change, rarely (about one in 1600 per check, both must move), but a
    real improvement of the primary makes a chance worsening of the counter
    enough.

    See Also
    --------
    guardrail_trend : the same over consecutive periods.
    csmetrics.compare : the comparison behind each side.

    References
    ----------
    Goodhart, C. A. E. (1975). "Problems of Monetary Management: the U.K.
    Experience" ("any observed statistical regularity will tend to collapse
    once pressure is placed upon it for control purposes"); Grove, A. (1983).
    High Output Management (pairing indicators with counter-indicators).

    Examples
    --------
    See the "Guardrails" guide for a full example; in short:

    >>> from datetime import datetime, timezone
    >>> from csmetrics import Window
    >>> from csmetrics.adapters.datasets import sample
    >>> data = sample()
    >>> jan = Window(start=datetime(2026, 1, 5, tzinfo=timezone.utc),
    ...              end=datetime(2026, 2, 2, tzinfo=timezone.utc))
    >>> feb = Window(start=jan.end, end=datetime(2026, 3, 2, tzinfo=timezone.utc))
    >>> g = guardrail(data.interactions, data.surveys, baseline=jan, current=feb)
    >>> g.fired, g.primary.significant
    (False, False)
    """
    pair, sources, options = _prepared(
        "guardrail", interactions, surveys, primary=primary, counter=counter, options=metric_options
    )
    z_value(confidence_level)
    results: list[Result] = []
    for name, source, opts in zip((primary, counter), sources, options, strict=True):
        func = _func(name)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UndefinedMetricWarning)
            for window in (baseline, current):
                if not isinstance(window, Window):
                    msg = f"baseline and current must be csmetrics.Window objects, got {window!r}"
                    raise TypeError(msg)
                results.append(_call(func, source, window, opts))
    p_base, p_cur, c_base, c_cur = results
    return _check(pair, (p_base, p_cur, c_base, c_cur), baseline, current, confidence_level)


@attrs.frozen(kw_only=True, repr=False)
class GuardrailTrend:
    """Guardrail checks of each period against the one before.

    Returned by `guardrail_trend`.

    Attributes
    ----------
    pair
        The metrics and their directions.
    windows
        The periods in order, empty ones included.
    primary, counter
        Each metric's result per period.
    checks
        One `Guardrail` per period after the first: period ``i + 1``
        (current) against period ``i`` (baseline).
    every, timezone
        The periods' length and zone.
    """

    pair: GuardrailPair
    windows: tuple[Window, ...]
    primary: tuple[Result, ...]
    counter: tuple[Result, ...]
    checks: tuple[Guardrail, ...]
    every: Every
    timezone: str

    @property
    def fired(self) -> tuple[Guardrail, ...]:
        """The checks that fired, in period order."""
        return tuple(c for c in self.checks if c.fired)

    def to_rows(self) -> list[dict[str, Any]]:
        """One dict per check: the current period's local start, both differences, fired."""
        zone = ZoneInfo(self.timezone)
        return [
            {
                "start": c.current.start.astimezone(zone),
                "period": c.current,
                self.pair.primary: c.primary.a.value,
                f"{self.pair.primary}_change": c.primary.difference,
                f"{self.pair.primary}_improved": c.primary_improved,
                self.pair.counter: c.counter.a.value,
                f"{self.pair.counter}_change": c.counter.difference,
                f"{self.pair.counter}_worsened": c.counter_worsened,
                "fired": c.fired,
            }
            for c in self.checks
        ]

    def __repr__(self) -> str:
        return (
            f"GuardrailTrend({self.pair.primary} vs {self.pair.counter}, {len(self.windows)} "
            f"{self.every} periods in {self.timezone}, fired={len(self.fired)})"
        )


def guardrail_trend(
    interactions: Interactions | Iterable[Interaction] | None,
    surveys: Surveys | Iterable[Survey] | None = None,
    /,
    *,
    primary: str = "fcr",
    counter: str = "csat",
    every: Every = "week",
    timezone: str | ZoneInfo = "UTC",
    period: Window | None = None,
    confidence_level: float = 0.95,
    **metric_options: Any,
) -> GuardrailTrend:
    """The guardrail over consecutive periods: each period against the one before.

    Each metric runs once per period (see `csmetrics.core.periods.buckets`); then
    `guardrail`'s test is applied to every pair of neighbouring periods.

    Parameters
    ----------
    interactions, surveys, primary, counter, confidence_level, **metric_options
        As for `guardrail`.
    every, timezone
        The periods, as for `trend` (default ISO weeks in UTC).
    period
        The range to cover; default from the period of the earliest record
        (contact start or answer time) to that of the latest.

    Returns
    -------
    GuardrailTrend
        ``checks`` (one `Guardrail` per neighbouring pair), ``fired``, the
        results per period, ``.to_rows()``.

    Warns
    -----
    UndefinedMetricWarning
        Once, listing the periods where either metric is undefined; checks
        involving them do not fire.

    Examples
    --------
    >>> import warnings
    >>> from csmetrics.adapters.datasets import sample
    >>> data = sample()
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("ignore")  # the last weeks' FCR is still pending
    ...     g = guardrail_trend(data.interactions, data.surveys, every="month")
    >>> len(g.checks), len(g.fired)
    (3, 0)
    """
    pair, sources, options = _prepared(
        "guardrail_trend",
        interactions,
        surveys,
        primary=primary,
        counter=counter,
        options=metric_options,
    )
    z_value(confidence_level)
    times = [s.start if isinstance(s, Interactions) else s.at for s in sources]
    windows, zone = _windows(np.concatenate(times), every, timezone, period)
    per_metric = [
        _per_period(_func(name), source, windows, opts)
        for name, source, opts in zip((primary, counter), sources, options, strict=True)
    ]
    p_results, c_results = per_metric
    checks = tuple(
        _check(
            pair,
            (p_results[i - 1], p_results[i], c_results[i - 1], c_results[i]),
            windows[i - 1],
            windows[i],
            confidence_level,
        )
        for i in range(1, len(windows))
    )
    empty = [
        w
        for w, p, c in zip(windows, p_results, c_results, strict=True)
        if not (p.is_defined and c.is_defined)
    ]
    if empty:
        name = f"{primary} or {counter}"
        _warn_undefined(name, "checks with these periods do not fire", empty, len(windows), zone)
    return GuardrailTrend(
        pair=checks[0].pair if checks else pair,
        windows=windows,
        primary=tuple(p_results),
        counter=tuple(c_results),
        checks=checks,
        every=every,
        timezone=zone.key,
    )


# -- drivers ------------------------------------------------------------------------------------


@attrs.frozen(kw_only=True, repr=False)
class DriverRow:
    """One segment's part in the overall value.

    Attributes
    ----------
    field
        The field segmented by (``"agent_id"``).
    key
        The segment (``"A08"``; None for records without a value).
    result
        The segment's result with its counts.
    n
        The segment's sample (`sample_size`).
    share
        ``n / overall n``: the segment's weight in the overall value.
    gap
        ``value - overall value``, in the metric's units.
    impact
        ``share * gap``, in the metric's units: the overall value would move
        by ``-impact`` if this segment performed at the overall value. Exact
        for rates, NPS and means (averages over units); a rough guide for
        medians (`Durations`).
    excess
        ``n * gap``: for a rate, the successes above (or below) what the
        overall rate would give this segment; for a mean, the total above it.
    reliable
        ``n >= min_n``.
    versus_rest
        `compare` of the segment with all the other segments of its field
        merged; None when either is undefined.
    """

    field: str
    key: Key | None
    result: Result
    n: int
    share: float
    gap: float
    impact: float
    excess: float
    reliable: bool
    versus_rest: Comparison | None

    @property
    def value(self) -> float:
        """The segment's headline value."""
        return self.result.value

    @property
    def significant(self) -> bool:
        """Whether the segment differs significantly from the rest."""
        return self.versus_rest is not None and self.versus_rest.significant

    def __repr__(self) -> str:
        return (
            f"DriverRow({self.field}={self.key!r}, value={self.value:.6g}, n={self.n}, "
            f"gap={self.gap:.6g}, impact={self.impact:.6g}, reliable={self.reliable}, "
            f"significant={self.significant})"
        )


@attrs.frozen(kw_only=True, repr=False)
class Drivers:
    """Segments sorted by how much they move the overall value.

    Returned by `drivers`.

    Attributes
    ----------
    metric
        The metric's name.
    overall
        The overall result.
    rows
        One `DriverRow` per segment of every field, by ``|impact|``
        descending (undefined segments last).
    by
        The fields segmented by.
    min_n
        The reliability threshold used.
    confidence_level
        The level of the comparisons with the rest.
    """

    metric: str
    overall: Result
    rows: tuple[DriverRow, ...]
    by: tuple[str, ...]
    min_n: int
    confidence_level: float

    def __len__(self) -> int:
        return len(self.rows)

    def to_rows(self) -> list[dict[str, Any]]:
        """One dict per segment: field, key, value, n, share, gap, impact, reliable, test."""
        return [
            {
                "field": r.field,
                "key": r.key,
                "value": r.value,
                "n": r.n,
                "share": r.share,
                "gap": r.gap,
                "impact": r.impact,
                "excess": r.excess,
                "reliable": r.reliable,
                "p_value": math.nan if r.versus_rest is None else r.versus_rest.p_value,
                "significant": r.significant,
            }
            for r in self.rows
        ]

    def __repr__(self) -> str:
        return (
            f"Drivers(metric={self.metric!r}, overall={self.overall.value:.6g}, "
            f"{len(self)} segments by {list(self.by)})"
        )


def _rest(results: Sequence[Result]) -> list[Result | None]:
    """For each result, the merge of all the others (prefix and suffix merges)."""
    k = len(results)
    prefix: list[Result | None] = [None] * (k + 1)
    suffix: list[Result | None] = [None] * (k + 1)
    for i in range(k):
        before = prefix[i]
        prefix[i + 1] = results[i] if before is None else before.merge(results[i])
        after = suffix[k - i]
        suffix[k - i - 1] = results[k - i - 1] if after is None else results[k - i - 1].merge(after)
    out: list[Result | None] = []
    for i in range(k):
        left, right = prefix[i], suffix[i + 1]
        out.append(left if right is None else right if left is None else left.merge(right))
    return out


def _segments(
    field: str, breakdown: Breakdown[Any], overall: Result, min_n: int, level: float
) -> list[DriverRow]:
    total = _sized(overall)[0]
    results = list(breakdown.values())
    rest = _rest(results)
    rows = []
    for (key, result), others in zip(breakdown.items(), rest, strict=True):
        n = _sized(result)[0]
        gap = result.value - overall.value
        share = n / total if total else math.nan
        rows.append(
            DriverRow(
                field=field,
                key=key,
                result=result,
                n=n,
                share=share,
                gap=gap,
                impact=share * gap,
                excess=n * gap,
                reliable=n >= min_n,
                versus_rest=None if others is None else _quiet_compare(result, others, level),
            )
        )
    return rows


def drivers(
    data: Any,
    metric: Metric,
    /,
    *,
    by: str | Sequence[str] = ("category", "channel", "agent_id"),
    min_n: int | None = None,
    confidence_level: float = 0.95,
    period: Window | None = None,
    **metric_options: Any,
) -> Drivers:
    """Which segments drive the overall number, and by how much.

    For every field in ``by`` and every segment (key) of it:

    ```text
    gap    = segment value - overall value          (metric units)
    share  = segment n / overall n
    impact = share * gap                            (metric units)
    excess = segment n * gap
    ```

    Overall = sum of ``share * value`` for rates, NPS and means, so within a
    field the impacts add up to 0, and ``-impact`` is how far the overall
    would move if that segment performed at the overall value. Rows are
    sorted by ``|impact|``, largest first: the top rows are the segments
    that make the overall number what it is. Each row is tested against the
    rest of its field (all other segments merged) with `csmetrics.compare`:
    segment and rest are disjoint, as `compare` assumes, while a segment and
    the overall are not.

    Parameters
    ----------
    data
        What the metric takes (records or a table).
    metric
        A csmetrics metric function that takes ``by=`` (``csmetrics.fcr``).
    by
        A field name or several; each must be a ``by=`` value of the metric
        (contact metrics: ``"agent_id"``, ``"channel"``, ``"category"``,
        ``"customer_id"``; survey metrics: ``"agent_id"``, ``"customer_id"``,
        ``"interaction_id"``).
    min_n
        Smallest sample for a reliable segment. Default (None): `MIN_N` of
        the result's kind, 30 for rates and means, 100 for NPS.
    confidence_level
        Level of the comparisons, in (0, 1).
    period
        Passed to the metric.
    **metric_options
        Passed to the metric (``window_days=7``).

    Returns
    -------
    Drivers
        ``overall``, ``rows`` (`DriverRow`: result, n, share, gap, impact,
        excess, reliable, versus_rest), ``.to_rows()``.

    Warns
    -----
    UndefinedMetricWarning
        Once, when the overall or any segment is undefined.

    Notes
    -----
    A segment with a big gap but a small share has little impact; one with
    a small gap but a large share can have a lot. Impact is not blame: a
    category with a low FCR may be inherently hard. With many segments,
    some differ significantly from the rest by chance.

    Examples
    --------
    >>> from csmetrics import fcr
    >>> from csmetrics.adapters.datasets import sample
    >>> d = drivers(sample().interactions, fcr, by="agent_id")
    >>> round(d.overall.value, 3)
    0.65
    >>> for r in d.rows[:3]:
    ...     print(f"{r.key} {r.value:.1%} n={r.n} gap {r.gap:+.1%} impact {r.impact:+.2%} "
    ...           f"{r.significant}")
    A08 47.0% n=279 gap -18.1% impact -2.43% True
    A01 80.3% n=228 gap +15.2% impact +1.67% True
    A02 73.7% n=399 gap +8.6% impact +1.66% True
    """
    z_value(confidence_level)
    min_n = _min_n(min_n)
    fields = (by,) if isinstance(by, str) else tuple(by)
    if not fields:
        msg = "by=() is not allowed; give at least one field"
        raise ValueError(msg)
    table, _ = _table(data, "drivers")
    name = _name(metric)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UndefinedMetricWarning)
        overall = _call(metric, table, period, metric_options)
        breakdowns = [metric(table, by=f, period=period, **metric_options) for f in fields]
    for field, breakdown in zip(fields, breakdowns, strict=True):
        if not isinstance(breakdown, Breakdown):
            got = type(breakdown).__name__
            msg = f"metric {name!r} returned {got} for by={field!r}, not a Breakdown"
            raise TypeError(msg)
    threshold = min_n if min_n is not None else _sized(overall)[1]
    rows = [
        row
        for field, breakdown in zip(fields, breakdowns, strict=True)
        for row in _segments(field, breakdown, overall, threshold, confidence_level)
    ]
    # A stable sort keeps field order, then key order, among equal impacts.
    rows.sort(key=lambda r: -abs(r.impact) if not math.isnan(r.impact) else math.inf)
    undefined = [r for r in rows if not r.result.is_defined]
    if not overall.is_defined or undefined:
        what = "overall" if not overall.is_defined else f"{len(undefined)} segments"
        warnings.warn(
            f"{name} is undefined for {what}: nothing in scope; their gap and impact are nan, "
            f"listed last ({_SILENCE})",
            UndefinedMetricWarning,
            stacklevel=2,
        )
    return Drivers(
        metric=name,
        overall=overall,
        rows=tuple(rows),
        by=fields,
        min_n=threshold,
        confidence_level=confidence_level,
    )
