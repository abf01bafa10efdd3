"""Plots of csmetrics results with matplotlib: trends, Paretos, funnels, queues, open work.

Needs the ``plot`` extra (``pip install "csmetrics[plot]"``), which brings
matplotlib; it is imported when a plot function is called, never by
``import csmetrics``. Nothing depends on pyplot or an interactive backend:
without ``ax=`` each function draws on a new `matplotlib.figure.Figure`.

- `plot_trend`: a `Trend` per period, with each period's confidence interval,
  the fitted slope, the significant changes and an optional target.
- `plot_pareto`: the bars of a `Pareto`, largest reason first, the
  cumulative share on a second axis and the vital-few cut-off.
- `plot_funnel`: the `Funnel` of `csmetrics.complaint_rate`: each group's rate
  against its volume inside the 95% and 99.8% limits, flagged groups named.
- `plot_service_level`: the service level at every threshold of a grid, the
  curve a queue's promise is chosen from.
- `plot_durations`: the Kaplan-Meier curve of a `Durations` result, the
  share of work still open against time.
- `figure_data_uri`: a figure as a ``data:image/png;base64,...`` string, to
  inline in HTML.

Every plot function takes its data positional-only and its options
keyword-only, draws on ``ax`` when given and returns the
`matplotlib.axes.Axes` it drew on. Legends sit outside the axes, to their
right, so they never cover data. The plots show the results' own numbers:
nothing is rounded or recomputed. Rates are drawn as fractions with percent
ticks; times are drawn in the unit that reads best (seconds, minutes, hours or
days, named on the axis).
"""

from __future__ import annotations

import base64
import io
import math
import warnings
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

import numpy as np
import numpy.typing as npt

from csmetrics.analysis.trend import Trend
from csmetrics.core.errors import UndefinedMetricWarning
from csmetrics.core.model import Interaction, Key, PeriodLike
from csmetrics.core.results import Durations, Rate, Result, TimeMean
from csmetrics.core.stats import funnel_limits
from csmetrics.core.table import Interactions
from csmetrics.metrics.service_level import Formula, service_level_curve
from csmetrics.metrics.team import Funnel
from csmetrics.metrics.workload import Pareto

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure, SubFigure

    from csmetrics.core.calendar import BusinessCalendar

__all__ = [
    "figure_data_uri",
    "plot_durations",
    "plot_funnel",
    "plot_pareto",
    "plot_service_level",
    "plot_trend",
]

F64 = npt.NDArray[np.float64]

_INSTALL = 'plots need matplotlib: pip install "csmetrics[plot]"'
_SILENCE = "silence with warnings.simplefilter('ignore', csmetrics.UndefinedMetricWarning)"
_ACRONYMS = {"fcr": "FCR", "nps": "NPS", "csat": "CSAT", "ces": "CES", "asa": "ASA", "sla": "SLA"}
_TIME_UNITS = (("seconds", 1.0), ("minutes", 60.0), ("hours", 3600.0), ("days", 86400.0))
_FUNNEL_POINTS = 200
_FUNNEL_LINES = ((0.95, "--"), (0.998, ":"))
_LEGEND_GAP = 6.0
"""Points between the right edge of the axes and a legend."""
_TWIN_GAP = 64.0
"""Points between the axes and a legend when a twin's y axis and label are in between."""


# -- shared steps -------------------------------------------------------------------------------


def _axes(ax: Axes | None) -> Axes:
    """``ax`` when it is an Axes; a new figure's Axes when None (no pyplot)."""
    try:
        from matplotlib.axes import Axes  # noqa: PLC0415 (optional extra)
        from matplotlib.figure import Figure  # noqa: PLC0415 (optional extra)
    except ImportError as err:
        raise ImportError(_INSTALL) from err
    if ax is None:
        return Figure(figsize=(7.0, 4.0), layout="constrained").add_subplot()
    if not isinstance(ax, Axes):
        msg = f"ax={ax!r} is not allowed; use a matplotlib Axes or None (a new figure)"
        raise TypeError(msg)
    return ax


def _expect(value: object, kind: type, name: str, made_by: str) -> None:
    """Raise TypeError naming what was passed and what makes the expected kind."""
    if not isinstance(value, kind):
        msg = (
            f"{name} must be a {kind.__name__} result, as returned by {made_by}; "
            f"got {type(value).__name__}"
        )
        raise TypeError(msg)


def _percent_ticks(ax: Axes) -> None:
    """Show the fractions of the y axis as percentages."""
    from matplotlib.ticker import PercentFormatter  # noqa: PLC0415 (optional extra)

    ax.yaxis.set_major_formatter(PercentFormatter(xmax=1.0))


def _time_unit(largest: float) -> tuple[str, float]:
    """The unit (name, seconds) that shows times up to ``largest`` seconds best."""
    name, size = _TIME_UNITS[0]
    for unit, length in _TIME_UNITS[1:]:
        if largest >= 2 * length:  # nan compares False: seconds
            name, size = unit, length
    return name, size


def _duration_text(value: float) -> str:
    """Seconds in the unit that reads best: ``1680.0`` as ``"28 minutes"``."""
    unit, size = _time_unit(value)
    return f"{value / size:.3g} {unit}"


def _largest(values: F64) -> float:
    finite = values[np.isfinite(values)]
    return float(finite.max()) if len(finite) else math.nan


def _metric_label(metric: str) -> str:
    """``"first_response_time"`` as ``"First response time"``, ``"fcr"`` as ``"FCR"``."""
    text = " ".join(_ACRONYMS.get(word, word) for word in metric.split("_"))
    return text[:1].upper() + text[1:]


def _key_label(key: Key | None) -> str:
    """A group key as plot text; ``$`` escaped, so matplotlib never reads data as math."""
    return "(none)" if key is None else str(key).replace("$", r"\$")


def _legend(ax: Axes, *more: Axes) -> None:
    """One legend for the labelled artists of ``ax`` and its twins, outside the axes.

    The legend sits to the right of the axes, top-aligned, clear of the
    data (and of a twin's y axis and its label), so it never covers a point
    or a line; a new figure's constrained layout makes room for it.
    """
    from matplotlib.transforms import ScaledTranslation  # noqa: PLC0415 (optional extra)

    handles, labels = ax.get_legend_handles_labels()
    for other in more:
        h, lab = other.get_legend_handles_labels()
        handles, labels = handles + h, labels + lab
    if not handles:
        return
    # Past the twin's tick labels and axis label, in points (the figure's size does not matter).
    gap = (_TWIN_GAP if more else _LEGEND_GAP) / 72
    anchor = ax.transAxes + ScaledTranslation(gap, 0, ax.figure.dpi_scale_trans)
    (more[-1] if more else ax).legend(
        handles,
        labels,
        fontsize="small",
        loc="upper left",
        bbox_to_anchor=(1.0, 1.0),
        bbox_transform=anchor,
        borderaxespad=0.0,
    )


# -- trend --------------------------------------------------------------------------------------


def _value_axis(result: Result, values: F64) -> tuple[float, str]:
    """How a metric's values are drawn: the divisor and the unit named on the axis."""
    if isinstance(result, (Durations, TimeMean)):
        unit, size = _time_unit(_largest(values))
        return size, f"{'median' if isinstance(result, Durations) else 'mean'}, {unit}"
    return 1.0, ""


def _intervals(results: Sequence[Result], level: float) -> tuple[F64, F64]:
    """Each period's confidence interval; nan where undefined or without ``.ci()``."""
    low, high = np.full(len(results), np.nan), np.full(len(results), np.nan)
    with warnings.catch_warnings():
        # An interval that is undefined (a mean of one value) is a gap in the band.
        warnings.simplefilter("ignore", UndefinedMetricWarning)
        for i, result in enumerate(results):
            ci = getattr(result, "ci", None)
            if ci is not None and result.is_defined:
                interval = ci(confidence_level=level)
                low[i], high[i] = interval.low, interval.high
    return low, high


def _date_ticks(ax: Axes) -> None:
    """Short date labels (``Feb``, ``15``, with the year once) that do not run into each other."""
    from matplotlib.dates import AutoDateLocator, ConciseDateFormatter  # noqa: PLC0415

    locator = AutoDateLocator(maxticks=8)  # type: ignore[no-untyped-call]
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(ConciseDateFormatter(locator))  # type: ignore[no-untyped-call]


def _target(target: object) -> float | None:
    if target is None:
        return None
    if (
        isinstance(target, bool)
        or not isinstance(target, (int, float))
        or not math.isfinite(target)
    ):
        msg = f"target={target!r} is not allowed; use a finite number in the metric's units or None"
        raise ValueError(msg)
    return float(target)


def _marked(
    ax: Axes, x: npt.NDArray[np.datetime64], y: F64, where: list[bool], **style: Any
) -> None:
    """Draw markers at the periods where ``where`` holds, when there are any."""
    shown = [i for i, flag in enumerate(where) if flag and not math.isnan(y[i])]
    if shown:
        ax.plot(x[shown], y[shown], linestyle="none", **style)


def _trend_marks(ax: Axes, trend: Trend, x: npt.NDArray[np.datetime64], y: F64) -> None:
    """Mark the empty, the small and the significantly changed periods."""
    empty = np.flatnonzero(np.isnan(y))
    if len(empty):
        # At the foot of the axis (x in data, y in axes units), so the axis spans them.
        ax.plot(
            x[empty],
            np.zeros(len(empty)),
            linestyle="none",
            marker="x",
            color="C7",
            transform=ax.get_xaxis_transform(),
            clip_on=False,
            label="no value",
        )
    _marked(
        ax,
        x,
        y,
        [not p.reliable for p in trend.points],
        marker="o",
        color="white",
        markeredgecolor="C0",
        label=f"n < {trend.min_n}",
    )
    _marked(
        ax,
        x,
        y,
        [p.significant for p in trend.points],
        marker="o",
        markersize=12,
        fillstyle="none",
        color="C3",
        label="significant change",
    )


def plot_trend(
    trend: Trend,
    /,
    *,
    ax: Axes | None = None,
    target: float | None = None,
    show_slope: bool = True,
) -> Axes:
    """Draw a metric per period: the value line, its interval band and the periods that moved.

    One point per period of the `Trend`, at the local start of the period in
    the trend's time zone, joined by a line. Empty periods (value nan) leave
    a gap in the line, as in the slope fit, and are marked with an ``x`` at
    the foot of the axis. Around the line, each period's confidence interval
    at the trend's ``confidence_level`` (the result's ``.ci()`` with its
    default method) is a shaded band, with a gap wherever the interval is
    undefined or the result has none. Periods whose change from the period
    before is significant are circled; periods with a sample below the
    trend's ``min_n`` are drawn hollow. The fitted slope is a dashed line
    over the defined periods.

    Rates are drawn as fractions with percent ticks, NPS in points, times in
    the unit that reads best (named on the axis).

    Parameters
    ----------
    trend
        The result of `csmetrics.trend`.
    ax
        The Axes to draw on; None (default) draws on a new figure.
    target
        A value to draw as a horizontal line, in the metric's units (a
        fraction for rates: 0.7 is 70%; seconds for times); None for none.
    show_slope
        Draw the fitted slope (default True; nothing is drawn when it is
        undefined).

    Returns
    -------
    matplotlib.axes.Axes
        The Axes drawn on. Its first line holds the period values.

    Raises
    ------
    TypeError
        ``trend`` is not a `Trend`, or ``ax`` is not an Axes.
    ValueError
        ``target`` is not a finite number.
    ImportError
        matplotlib is not installed.

    Examples
    --------
    >>> import csmetrics
    >>> from csmetrics.adapters.datasets import sample
    >>> weekly = csmetrics.trend(sample().interactions, csmetrics.resolution_rate, every="week")
    >>> ax = plot_trend(weekly, target=0.9)
    >>> ax.get_title(), ax.get_ylabel()
    ('Resolution rate per week', 'Resolution rate')
    >>> len(ax.lines[0].get_ydata()) == len(weekly)
    True
    """
    _expect(trend, Trend, "trend", "csmetrics.trend(data, metric)")
    goal = _target(target)
    ax = _axes(ax)
    zone = ZoneInfo(trend.timezone)
    local = [p.period.start.astimezone(zone).replace(tzinfo=None) for p in trend.points]
    x = np.array(local, dtype="datetime64[us]")
    values = trend.values
    size, unit = _value_axis(trend.results[0], values) if len(trend) else (1.0, "")
    y = values / size
    ax.plot(x, y, marker="o", color="C0", label=_metric_label(trend.metric))
    low, high = _intervals(trend.results, trend.confidence_level)
    band = np.isfinite(low) & np.isfinite(high)
    if band.any():
        level = f"{trend.confidence_level * 100:g}% interval"
        ax.fill_between(x, low / size, high / size, where=band, color="C0", alpha=0.2, label=level)
    _trend_marks(ax, trend, x, y)
    slope = trend.slope
    if show_slope and math.isfinite(slope.estimate):
        at = np.flatnonzero(~np.isnan(values))
        fitted = (slope.intercept + slope.estimate * np.arange(at[0], at[-1] + 1)) / size
        ax.plot(x[at[0] : at[-1] + 1], fitted, linestyle="--", color="C7", label="fitted slope")
    if goal is not None:
        ax.axhline(goal / size, linestyle=":", color="C2", label="target")
    if len(trend) and isinstance(trend.results[0], Rate):
        _percent_ticks(ax)
    _date_ticks(ax)
    name = _metric_label(trend.metric)
    ax.set_title(f"{name} per {trend.every}")
    ax.set_xlabel(f"{trend.every} starting ({trend.timezone})")
    ax.set_ylabel(f"{name} ({unit})" if unit else name)
    _legend(ax)
    return ax


# -- pareto -------------------------------------------------------------------------------------


def plot_pareto(pareto: Pareto, /, *, ax: Axes | None = None) -> Axes:
    """Draw a Pareto: contacts per reason, largest first, and the cumulative share.

    One bar per reason in the order of the result (``pareto.keys``), its
    height the reason's count; the vital few (`Pareto.vital_few`) in one
    colour, the other reasons in another. The cumulative share is a line on a
    second y axis, from 0 to 100%, with the result's ``share`` as a
    horizontal line and a vertical line after the last vital reason.

    Parameters
    ----------
    pareto
        The result of `csmetrics.pareto`.
    ax
        The Axes to draw the bars on; None (default) draws on a new figure.
        The cumulative line is on a twin Axes sharing its x axis
        (``ax.figure.axes``).

    Returns
    -------
    matplotlib.axes.Axes
        The Axes of the bars.

    Raises
    ------
    TypeError
        ``pareto`` is not a `Pareto`, or ``ax`` is not an Axes.
    ImportError
        matplotlib is not installed.

    Examples
    --------
    >>> import csmetrics
    >>> from csmetrics.adapters.datasets import sample
    >>> reasons = csmetrics.pareto(sample().interactions)
    >>> ax = plot_pareto(reasons)
    >>> ax.get_title()
    'Pareto of handled contacts by category'
    >>> [bar.get_height() for bar in ax.patches] == reasons.counts.tolist()
    True
    """
    _expect(pareto, Pareto, "pareto", "csmetrics.pareto(interactions)")
    ax = _axes(ax)
    x = np.arange(len(pareto))
    vital = len(pareto.vital_few)
    if vital:
        ax.bar(x[:vital], pareto.counts[:vital], color="C0", label="vital few")
    if vital < len(pareto):
        ax.bar(x[vital:], pareto.counts[vital:], color="C7", label="other reasons")
    ax.set_xticks(x, [_key_label(key) for key in pareto.keys])
    cumulative = ax.twinx()
    cumulative.plot(x, pareto.cumulative, marker="o", color="C3", label="cumulative share")
    cumulative.axhline(pareto.share, linestyle=":", color="C3", label=f"{pareto.share:.0%} share")
    if 0 < vital < len(pareto):
        ax.axvline(vital - 0.5, linestyle=":", color="C7")
    cumulative.set_ylim(0.0, 1.05)
    _percent_ticks(cumulative)
    ax.set_title(f"Pareto of handled contacts by {pareto.by}")
    ax.set_xlabel(pareto.by)
    ax.set_ylabel("handled contacts")
    cumulative.set_ylabel("cumulative share")
    _legend(ax, cumulative)
    return ax


# -- funnel -------------------------------------------------------------------------------------


def _funnel_curves(ax: Axes, funnel: Funnel, largest: int) -> None:
    """The team rate and its limit curves over volumes 1 .. a little past ``largest``."""
    team = funnel.team_rate
    ax.axhline(team, color="C7", label=f"team rate {team:.2%}")
    top = max(2, math.ceil(largest * 1.05))
    volumes = np.unique(np.geomspace(1, top, _FUNNEL_POINTS).round().astype(np.int64))
    for coverage, style in _FUNNEL_LINES:
        limits = np.array(
            [
                funnel_limits(team, int(n), coverage=coverage, method=funnel.overall.limits)
                for n in volumes
            ]
        )
        label = f"{coverage * 100:g}% limits"
        ax.plot(volumes, limits[:, 0], linestyle=style, color="C7", label=label)
        ax.plot(volumes, limits[:, 1], linestyle=style, color="C7")


def _funnel_ylim(ax: Axes, rate: F64, high: list[float]) -> None:
    """Show the groups and their limits; the curves run off the top at tiny volumes."""
    top = _largest(np.concatenate((rate, np.array(high, dtype=np.float64))))
    if not math.isnan(top):
        ax.set_ylim(0.0, min(1.05, max(top * 1.15, 0.01)))


def plot_funnel(funnel: Funnel, /, *, ax: Axes | None = None) -> Axes:
    """Draw a funnel plot: each group's rate against its volume, inside the chance limits.

    One point per group of the `Funnel` (x: its volume, the ``denominator``;
    y: its rate), the team rate as a horizontal line, and the 95% and 99.8%
    control limits (`csmetrics.core.stats.funnel_limits`, with the funnel's
    ``limits`` method) as curves over the range of volumes: the rates a group
    of that volume shows by chance at the team rate. Flagged groups (above
    the 99.8% limit with enough events, `FunnelRate.flagged`) are drawn in a
    second colour and named.

    Parameters
    ----------
    funnel
        The result of `csmetrics.complaint_rate` with ``by=`` (a `Funnel`).
        For another breakdown of rates, place it in a funnel first with
        `Funnel.from_rates`.
    ax
        The Axes to draw on; None (default) draws on a new figure.

    Returns
    -------
    matplotlib.axes.Axes
        The Axes drawn on; the groups are its scatter collections (within
        the limits, then flagged), the flagged groups' names its texts.

    Raises
    ------
    TypeError
        ``funnel`` is not a `Funnel`, or ``ax`` is not an Axes.
    ImportError
        matplotlib is not installed.

    Examples
    --------
    >>> from datetime import datetime, timezone
    >>> from csmetrics import Interaction, complaint_rate
    >>> t = datetime(2026, 3, 2, 9, tzinfo=timezone.utc)
    >>> contacts = [
    ...     Interaction(id=f"{a}{i}", customer_id=f"{a}{i}", start=t, end=t, agent_id=a,
    ...                 complaint=i < c)
    ...     for a, n, c in (("ann", 400, 8), ("bob", 400, 30), ("cy", 1, 1), ("dee", 400, 10))
    ...     for i in range(n)
    ... ]
    >>> ax = plot_funnel(complaint_rate(contacts, by="agent_id"))
    >>> ax.get_title(), [text.get_text() for text in ax.texts]
    ('Complaint rate by agent_id', ['bob'])
    """
    _expect(funnel, Funnel, "funnel", 'csmetrics.complaint_rate(interactions, by="agent_id")')
    ax = _axes(ax)
    keys, results = list(funnel), list(funnel.values())
    volume = np.array([r.denominator for r in results], dtype=np.int64)
    rate = np.array([r.value for r in results], dtype=np.float64)
    flagged = np.array([r.flagged for r in results], dtype=bool)
    if funnel.overall.denominator:
        _funnel_curves(ax, funnel, int(volume.max()))
    ax.scatter(volume[~flagged], rate[~flagged], color="C0", zorder=3, label=funnel.by)
    ax.scatter(volume[flagged], rate[flagged], color="C3", zorder=3, label="flagged")
    for i in np.flatnonzero(flagged):
        ax.annotate(
            _key_label(keys[i]),
            (volume[i], rate[i]),
            xytext=(4, 4),
            textcoords="offset points",
            color="C3",
        )
    _funnel_ylim(ax, rate, [r.high998 for r in results])
    _percent_ticks(ax)
    name = _metric_label(funnel.overall.metric)
    ax.set_title(f"{name} by {funnel.by}")
    ax.set_xlabel("volume (contacts)")
    ax.set_ylabel(name)
    _legend(ax)
    return ax


# -- service level ------------------------------------------------------------------------------


def plot_service_level(
    interactions: Interactions | Iterable[Interaction],
    /,
    *,
    thresholds: Iterable[float | timedelta] | None = None,
    formula: Formula = "offered",
    short_abandon: float | None = None,
    as_of: datetime | None = None,
    period: PeriodLike | None = None,
    calendar: BusinessCalendar | None = None,
    ax: Axes | None = None,
) -> Axes:
    """Draw the service level against the threshold: the share answered within each promise.

    For each threshold ``T`` of the grid, the value is exactly
    ``csmetrics.service_level(interactions, threshold=T, ...)`` with the same
    options, read from one sorted array of the waits (a binary search per
    threshold) instead of one call per threshold. The curve rises with ``T``
    for every formula; where it crosses a target (80%) is the shortest
    promise the queue keeps.

    Parameters
    ----------
    interactions
        `Interaction` objects or an `Interactions` table.
    thresholds
        The thresholds, in seconds or as timedeltas, each > 0. Default (None):
        100 evenly spaced thresholds up to the 95th percentile (numpy's
        default, linear) of the waits of answered and abandoned contacts;
        up to the longest wait when that percentile is 0, and up to 1 s when
        no contact waited.
    formula
        As for `csmetrics.service_level`: ``"offered"`` (default),
        ``"answered"``, ``"abandoned_within_met"``,
        ``"abandoned_within_excluded"`` or ``"short_abandoned_excluded"``.
    short_abandon
        As for `csmetrics.service_level`: required by, and only allowed
        with, ``"short_abandoned_excluded"``.
    as_of
        As for `csmetrics.service_level`.
    period
        As for `csmetrics.service_level`.
    calendar
        As for `csmetrics.service_level`: waits in business time.
    ax
        The Axes to draw on; None (default) draws on a new figure.

    Returns
    -------
    matplotlib.axes.Axes
        The Axes drawn on; its first line holds the thresholds (in the unit
        named on the x axis) and the service levels (fractions).

    Raises
    ------
    TypeError
        ``ax`` is not an Axes.
    ValueError
        A threshold is not > 0, or an option is not allowed.
    InvalidDataError
        A record is invalid (see `Interaction`).
    ImportError
        matplotlib is not installed.

    Warns
    -----
    UndefinedMetricWarning
        Once, when the service level is undefined at some thresholds (no
        answered or abandoned contact in the formula's denominator); those
        points are nan and not drawn.

    Examples
    --------
    >>> from datetime import datetime, timedelta, timezone
    >>> from csmetrics import Interaction
    >>> t = datetime(2026, 3, 2, 9, tzinfo=timezone.utc)
    >>> calls = [
    ...     Interaction(id=str(w), customer_id=str(w), start=t,
    ...                 first_response_at=t + timedelta(seconds=w), end=t + timedelta(minutes=5))
    ...     for w in (5, 15, 25, 45)
    ... ]
    >>> ax = plot_service_level(calls, thresholds=[10, 20, 30, 60])
    >>> ax.lines[0].get_ydata().tolist()
    [0.25, 0.5, 0.75, 1.0]
    >>> ax.get_title()
    'Service level by threshold (offered)'
    """
    grid, values = service_level_curve(
        interactions,
        thresholds=thresholds,
        formula=formula,
        short_abandon=short_abandon,
        as_of=as_of,
        period=period,
        calendar=calendar,
    )
    if np.isnan(values).any():
        warnings.warn(
            f"service_level is undefined at {int(np.isnan(values).sum())} of {len(values)} "
            f"thresholds: no answered or abandoned contact in the {formula!r} denominator; "
            f"those points are nan ({_SILENCE})",
            UndefinedMetricWarning,
            stacklevel=2,
        )
    ax = _axes(ax)
    unit, size = _time_unit(_largest(grid))
    ax.plot(grid / size, values, color="C0", label=f"service level ({formula})")
    ax.set_ylim(0.0, 1.05)
    _percent_ticks(ax)
    business = ", business time" if calendar is not None else ""
    ax.set_title(f"Service level by threshold ({formula})")
    ax.set_xlabel(f"threshold ({unit}{business})")
    ax.set_ylabel("service level")
    return ax


# -- durations ----------------------------------------------------------------------------------


def _still_open_at(times: F64, survival: F64, at: F64) -> F64:
    """The step curve's value at each of ``at`` (1 before the first event time)."""
    step = np.searchsorted(times, at, side="right") - 1
    out: F64 = np.where(step >= 0, survival[np.maximum(step, 0)] if len(times) else 1.0, 1.0)
    return out


def plot_durations(durations: Durations, /, *, ax: Axes | None = None) -> Axes:
    """Draw the Kaplan-Meier curve of a time metric: the share of work still open after t.

    The step function ``S(t)`` of `Durations.km_curve` (the Kaplan-Meier
    estimate, `csmetrics.core.stats.kaplan_meier`): 100% at time 0, dropping at
    each completed duration, flat after the last one up to the longest time
    still open. With ``censoring="kaplan-meier"`` (the default) work still
    open at ``as_of`` is right-censored and drawn as a tick on the curve at
    the time it had been open; with ``censoring="exclude"`` it is left out,
    and the curve is one minus the empirical distribution of the completed
    durations. The median (``durations.median``, where the curve reaches 50%)
    is marked; where the curve never reaches 50% the median is unknown and
    not drawn.

    The curve shows the share still *open* (the survival function), not the
    share resolved: it is what the estimator computes, and censored work
    stays visible at the top of the curve. The share resolved by ``t`` is
    ``1 - S(t)``.

    Parameters
    ----------
    durations
        A `Durations` result: `csmetrics.resolution_time`,
        `csmetrics.first_response_time`, `csmetrics.reply_time`, ... (without
        ``by=``; plot a group with ``breakdown[key]``).
    ax
        The Axes to draw on; None (default) draws on a new figure.

    Returns
    -------
    matplotlib.axes.Axes
        The Axes drawn on; its first line is the curve (times in the unit
        named on the x axis, shares as fractions).

    Raises
    ------
    TypeError
        ``durations`` is not a `Durations` result, or ``ax`` is not an Axes.
    ImportError
        matplotlib is not installed.

    Examples
    --------
    Four tickets resolved, one still open after 300 s:

    >>> from csmetrics import Durations
    >>> ax = plot_durations(Durations(durations=[60, 120, 240, 600], censoring_times=[300]))
    >>> ax.lines[0].get_ydata().round(4).tolist()
    [1.0, 0.8, 0.6, 0.4, 0.0, 0.0]
    >>> ax.get_xlabel()
    'time (minutes)'
    """
    _expect(durations, Durations, "durations", "csmetrics.resolution_time(interactions)")
    ax = _axes(ax)
    times, survival = durations.km_curve()
    # One tick per distinct censoring time (a tick per open unit would draw the
    # same mark many times over); the legend counts the units.
    ticked = durations.censoring == "kaplan-meier"
    open_work = durations.values[durations.censored_counts > 0] if ticked else np.empty(0)
    end = _largest(np.concatenate((times, open_work)))
    unit, size = _time_unit(end)
    if not math.isnan(end):
        x = np.concatenate(([0.0], times, [end])) / size
        y = np.concatenate(([1.0], survival, survival[-1:] if len(survival) else [1.0]))
        ax.step(x, y, where="post", color="C0", label="share still open")
    if len(open_work):
        ax.plot(
            open_work / size,
            _still_open_at(times, survival, open_work),
            linestyle="none",
            marker="|",
            markersize=10,
            color="C0",
            label=f"still open at as_of ({durations.censored})",
        )
    median = durations.median
    if not math.isnan(median):
        ax.axvline(median / size, linestyle=":", color="C3")
        ax.plot(
            [median / size], [0.5], marker="o", color="C3", label=f"median {_duration_text(median)}"
        )
    ax.set_ylim(0.0, 1.05)
    _percent_ticks(ax)
    business = ", business time" if durations.calendar is not None else ""
    ax.set_title(f"{_metric_label(durations.metric)}: share still open")
    ax.set_xlabel(f"time ({unit}{business})")
    ax.set_ylabel("share still open")
    _legend(ax)
    return ax


# -- embedding ----------------------------------------------------------------------------------


def _root_figure(figure: Axes | Figure | SubFigure) -> Figure:
    try:
        from matplotlib.axes import Axes  # noqa: PLC0415 (optional extra)
        from matplotlib.figure import Figure, SubFigure  # noqa: PLC0415 (optional extra)
    except ImportError as err:
        raise ImportError(_INSTALL) from err
    found: object = figure.figure if isinstance(figure, Axes) else figure
    if isinstance(found, SubFigure):
        found = found.figure
    if not isinstance(found, Figure):
        msg = f"figure_data_uri() takes a matplotlib Axes or Figure, got {type(figure).__name__}"
        raise TypeError(msg)
    return found


def figure_data_uri(ax_or_figure: Axes | Figure | SubFigure, /) -> str:
    """Render a plot as a PNG ``data:`` URI, to inline in an HTML page.

    The whole figure the Axes belongs to is rendered with matplotlib's Agg
    renderer (whatever the figure's own backend), cropped to its drawn
    content (``bbox_inches="tight"``) at the figure's dpi.

    Parameters
    ----------
    ax_or_figure
        An Axes (as returned by the plot functions) or a Figure.

    Returns
    -------
    str
        ``"data:image/png;base64,..."``, usable as the ``src`` of an
        ``<img>``.

    Raises
    ------
    TypeError
        ``ax_or_figure`` is neither an Axes nor a Figure.
    ImportError
        matplotlib is not installed.

    Examples
    --------
    >>> import csmetrics
    >>> from csmetrics.adapters.datasets import sample
    >>> uri = figure_data_uri(plot_pareto(csmetrics.pareto(sample().interactions)))
    >>> uri.startswith("data:image/png;base64,iVBORw0KGgo")
    True
    """
    figure = _root_figure(ax_or_figure)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", bbox_inches="tight", backend="agg")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")
