"""Running a metric per calendar period: the engine behind trends, guardrails and drivers.

`NAMES` lists the catalogue's metrics these analyses can compute per period;
`metric_function`, `higher_is_better` and `source_of` read the rest of what
they need about a metric from `csmetrics.catalog`.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Mapping, Sequence
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
import numpy.typing as npt

from csmetrics import catalog
from csmetrics.analysis.compare import Comparison, compare
from csmetrics.core.errors import UndefinedMetricWarning
from csmetrics.core.frames import is_frame
from csmetrics.core.model import Interaction, PeriodLike, Survey, Window, as_window
from csmetrics.core.periods import Every, buckets, start_label
from csmetrics.core.results import Breakdown, Result
from csmetrics.core.table import Interactions, Surveys

__all__ = [
    "SILENCE",
    "Metric",
    "call",
    "check_options",
    "metric_name",
    "per_period",
    "quiet_compare",
    "sized",
    "table_of",
    "warn_undefined",
    "windows_of",
]

I64 = npt.NDArray[np.int64]
F64 = npt.NDArray[np.float64]
Metric = Callable[..., Any]


SILENCE = "silence with warnings.simplefilter('ignore', csmetrics.UndefinedMetricWarning)"


def sized(result: Result) -> tuple[int, int]:
    """The sample size and default reliability threshold of a result."""
    size, threshold = result.sample_size, result.default_min_n
    if size is None or threshold is None:
        msg = f"result={type(result).__name__} is not a Rate, NPS, Mean or Durations result"
        raise TypeError(msg)
    return size, threshold


# -- running a metric per period ----------------------------------------------------------------


def metric_name(metric: Metric) -> str:
    """A metric function's name (of a `functools.partial` too), for messages."""
    return str(getattr(metric, "__name__", getattr(getattr(metric, "func", None), "__name__", "")))


def _frame_table(frame: Any, func: str, metric: Metric | None) -> Interactions | Surveys:
    """A dataframe as the table its metric reads, known from the metric's catalogue entry."""
    name = metric_name(metric) if metric is not None else ""
    entry = catalog.get(name) if name in catalog.names() else None
    if entry is not None and entry.input == "contacts":
        return Interactions.from_frame(frame)
    if entry is not None and entry.input == "surveys":
        return Surveys.from_frame(frame)
    msg = (
        f"{func}() cannot tell whether a dataframe holds contacts or survey answers for "
        f"{name or 'this metric'}(); build the table first: "
        "csmetrics.Interactions.from_frame(df) or csmetrics.Surveys.from_frame(df)"
    )
    raise TypeError(msg)


def table_of(data: Any, func: str, metric: Metric | None = None) -> tuple[Any, I64]:
    """The data as a table (built once) and the times its periods are cut by.

    A dataframe is read as the metric's input (`Interactions.from_frame` for a
    metric of contacts, `Surveys.from_frame` for one of survey answers), as
    the metric itself would read it.
    """
    if is_frame(data):
        data = _frame_table(data, func, metric)
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


def check_options(func: str, options: Mapping[str, Any]) -> None:
    """Refuse ``by=`` and ``period=`` among the metric options: ``func`` sets them."""
    for name in ("by", "period"):
        if name in options:
            msg = f"{name}= is not a metric option in {func}(); "
            msg += (
                "use drivers() for segments, or call it once per group"
                if name == "by"
                else f"{func}() sets each period itself"
            )
            raise TypeError(msg)


def call(
    metric: Metric, data: Any, period: PeriodLike | None, options: Mapping[str, Any]
) -> Result:
    """The metric's single result over ``period``; a breakdown or non-result is refused."""
    result = metric(data, period=period, **options)
    if isinstance(result, Breakdown) or not isinstance(result, Result):
        msg = (
            f"metric {metric_name(metric)!r} returned {type(result).__name__}, "
            "not a single result; pass a csmetrics metric function such as "
            "csmetrics.fcr, without by="
        )
        raise TypeError(msg)
    return result


def per_period(
    metric: Metric, data: Any, windows: Sequence[Window], options: Mapping[str, Any]
) -> list[Result]:
    """The metric's result in each window, without a warning per empty window."""
    # Empty periods are expected in a series; one summary warning replaces the
    # metric's warning per period.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UndefinedMetricWarning)
        return [call(metric, data, w, options) for w in windows]


def quiet_compare(a: Result, b: Result, level: float) -> Comparison | None:
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


def warn_undefined(
    name: str, what: str, empty: Sequence[Window], total: int, zone: ZoneInfo
) -> None:
    """One `UndefinedMetricWarning` for every period where ``name`` is undefined."""
    warnings.warn(
        f"{name} is undefined in {len(empty)} of {total} periods (starting "
        f"{_dates(empty, zone)}): nothing in scope or nothing decided yet; {what} ({SILENCE})",
        UndefinedMetricWarning,
        stacklevel=3,
    )


def windows_of(
    times: I64, every: Every, timezone: str | ZoneInfo, period: PeriodLike | None
) -> tuple[tuple[Window, ...], ZoneInfo]:
    """The local calendar periods that cover ``times`` (or ``period``), and their zone."""
    period = as_window("period", period, optional=True)
    start, end = (period.start, period.end) if period is not None else (None, None)
    b = buckets(times, every=every, timezone=timezone, start=start, end=end)
    return b.windows, b.zone
