"""The Goodhart guardrail: a metric that can be gamed, read next to its cost.

A metric that can be pushed up by hurting customers (FCR, handle time, first
response time) is read next to a counter-metric (CSAT, reopen rate); the
guardrail fires when the primary improves significantly while the counter
worsens significantly. `DEFAULT_PAIRS` lists the usual pairs; each metric's
direction is its catalogue entry's (`csmetrics.catalog.direction_of`), so CES
follows its result's ``higher_is_easier``.
"""

from __future__ import annotations

import inspect
import warnings
from collections.abc import Iterable, Mapping, Sequence
from typing import Any
from zoneinfo import ZoneInfo

import attrs
import numpy as np

from csmetrics import catalog
from csmetrics.analysis.compare import Comparison, compare
from csmetrics.analysis.periodic import (
    Metric,
    call,
    check_options,
    per_period,
    warn_undefined,
    windows_of,
)
from csmetrics.core.check import option
from csmetrics.core.episodes import as_interactions
from csmetrics.core.errors import UndefinedMetricWarning
from csmetrics.core.frames import ToFrame, is_frame
from csmetrics.core.model import Interaction, PeriodLike, Survey, Window
from csmetrics.core.periods import Every
from csmetrics.core.results import Result
from csmetrics.core.stats import z_value
from csmetrics.core.table import Interactions, Surveys

__all__ = [
    "DEFAULT_PAIRS",
    "Guardrail",
    "GuardrailPair",
    "GuardrailTrend",
    "guardrail",
    "guardrail_trend",
]

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
    check_options(func, options)
    pair = _pair(primary, counter)
    interactions = as_interactions(interactions) if interactions is not None else None
    if surveys is not None and not isinstance(surveys, Surveys):
        read = Surveys.from_frame if is_frame(surveys) else Surveys.from_records
        surveys = read(surveys)
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
        `Interaction` records, an `Interactions` table or a dataframe of
        contacts (None when both metrics are survey metrics).
    surveys
        `Survey` records, a `Surveys` table or a dataframe of answers, for
        survey metrics (CSAT,
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
                results.append(call(func, source, window, opts))
    p_base, p_cur, c_base, c_cur = results
    return _check(pair, (p_base, p_cur, c_base, c_cur), baseline, current, confidence_level)


@attrs.frozen(kw_only=True, repr=False)
class GuardrailTrend(ToFrame):
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
    period: PeriodLike | None = None,
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
    windows, zone = windows_of(np.concatenate(times), every, timezone, period)
    per_metric = [
        per_period(_func(name), source, windows, opts)
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
        warn_undefined(name, "checks with these periods do not fire", empty, len(windows), zone)
    return GuardrailTrend(
        pair=checks[0].pair if checks else pair,
        windows=windows,
        primary=tuple(p_results),
        counter=tuple(c_results),
        checks=checks,
        every=every,
        timezone=zone.key,
    )
