"""What drives a metric: each segment's result, its gap to the overall and its impact.

`drivers` breaks a metric down by a field (category, channel, agent) so the
reader sees which segments make the overall number.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from typing import Any

import attrs

from csmetrics.analysis.compare import Comparison
from csmetrics.analysis.periodic import (
    SILENCE,
    Metric,
    call,
    metric_name,
    quiet_compare,
    sized,
    table_of,
)
from csmetrics.core.check import check_min_n
from csmetrics.core.errors import UndefinedMetricWarning
from csmetrics.core.frames import ToFrame
from csmetrics.core.model import Key, PeriodLike
from csmetrics.core.results import Breakdown, Result
from csmetrics.core.stats import z_value

__all__ = ["DriverRow", "Drivers", "drivers"]


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
class Drivers(ToFrame):
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
    total = sized(overall)[0]
    results = list(breakdown.values())
    rest = _rest(results)
    rows = []
    for (key, result), others in zip(breakdown.items(), rest, strict=True):
        n = sized(result)[0]
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
                versus_rest=None if others is None else quiet_compare(result, others, level),
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
    period: PeriodLike | None = None,
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
        What the metric takes: records, a table or a dataframe.
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
    min_n = check_min_n(min_n)
    fields = (by,) if isinstance(by, str) else tuple(by)
    if not fields:
        msg = "by=() is not allowed; give at least one field"
        raise ValueError(msg)
    table, _ = table_of(data, "drivers", metric)
    name = metric_name(metric)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UndefinedMetricWarning)
        overall = call(metric, table, period, metric_options)
        breakdowns = [metric(table, by=f, period=period, **metric_options) for f in fields]
    for field, breakdown in zip(fields, breakdowns, strict=True):
        if not isinstance(breakdown, Breakdown):
            got = type(breakdown).__name__
            msg = f"metric {name!r} returned {got} for by={field!r}, not a Breakdown"
            raise TypeError(msg)
    threshold = min_n if min_n is not None else sized(overall)[1]
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
            f"listed last ({SILENCE})",
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
