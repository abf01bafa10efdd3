"""A KPI report: every metric a contact export supports, with counts and intervals.

`kpi_report` computes the headline metrics of the data, each with its counts,
a confidence interval, the statistic shown (a rate, a median, a mean or NPS
points) and the definition used (the method beside the number). Every
contact metric is computed at one ``as_of``, resolved once: the one given,
or the latest contact start. A metric whose input field the data does not
give is skipped, and the row names the field (decision 46); one with nothing
in its denominator is undefined, and the row says why. `build_report` adds
what the report covers (source, contacts and their dates, answers, as_of), a
breakdown by a field (``by=``) or by period (``every=``), and `render`
writes the report as text (lines of at most 100 characters), Markdown, a
self-contained HTML page (with plots when matplotlib is installed), JSON or
CSV. Rounding happens only in text, Markdown and HTML; JSON and CSV carry the
unrounded values.

Directions and units: FCR, resolution rate, service level, CSAT and survey
FCR are fractions in [0, 1] (shown in percent), higher is better; reopen,
abandonment, escalation and complaint rates are fractions, lower is better;
times are seconds, lower is better: first response and resolution times are
medians, handle time and speed of answer means; NPS is in points from -100
to 100, higher is better; CES is a mean on its 1..7 scale, higher is easier;
the agent rating is a mean on 1..5 stars, higher is better.
"""

from __future__ import annotations

import csv
import html
import io
import json
import math
import textwrap
import warnings
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime, timezone
from typing import Any, Literal
from zoneinfo import ZoneInfo

import attrs
import numpy as np

from csmetrics import catalog
from csmetrics.analysis.compare import WITH_INTERVAL
from csmetrics.core import html as html_table
from csmetrics.core.check import deprecated, option, takes_tables
from csmetrics.core.errors import UndefinedMetricWarning
from csmetrics.core.model import Interaction, PeriodLike, Survey, Window, as_window
from csmetrics.core.periods import Every, buckets, start_label
from csmetrics.core.reduce import in_period, micros
from csmetrics.core.results import Breakdown, Durations, Mean, Rate, Result
from csmetrics.core.stats import ConfidenceInterval, z_value
from csmetrics.core.table import OPEN, Encoded, Interactions, Surveys, from_micros
from csmetrics.metrics.resolution import FCR, fcr, reopen_rate, resolution_rate
from csmetrics.metrics.service_level import ServiceLevel, abandonment_rate, asa, service_level
from csmetrics.metrics.surveys import CES, CSAT, NPS, ces, csat, nps, survey_fcr
from csmetrics.metrics.team import Funnel, complaint_rate, escalation_rate, rating
from csmetrics.metrics.timing import first_response_time, handle_time, resolution_time

__all__ = [
    "FORMATS",
    "STATISTICS",
    "WIDTH",
    "Format",
    "KPIReport",
    "KPIRow",
    "Progress",
    "Scope",
    "Statistic",
    "Status",
    "Unit",
    "build_report",
    "format_csv",
    "format_html",
    "format_json",
    "format_markdown",
    "format_text",
    "kpi_report",
    "render",
]

Status = Literal["ok", "undefined", "skipped"]
Unit = Literal["fraction", "points", "mean", "seconds"]
UNITS: tuple[Unit, ...] = ("fraction", "points", "mean", "seconds")
Statistic = Literal["rate", "median", "mean", "points"]
"""What a row's value is: a rate (a share), the median or the mean of its
units, or NPS points. The p90 of a time is in its counts."""
STATISTICS: tuple[Statistic, ...] = ("rate", "median", "mean", "points")
Format = Literal["text", "markdown", "html", "json", "csv"]
FORMATS: tuple[Format, ...] = ("text", "markdown", "html", "json", "csv")
WIDTH = 100
"""The longest line of the text format, in characters."""
_BY_FIELDS = ("agent_id", "channel", "category")
_INSTALL_PLOTS = 'Charts need matplotlib, which is not installed: pip install "csmetrics[plot]"'


@attrs.frozen(kw_only=True)
class KPIRow:
    """One line of a KPI report.

    Attributes
    ----------
    key
        The metric's function name: ``"fcr"``, ``"first_response_time"``, ...
    label
        A readable name ("First-contact resolution").
    status
        ``"ok"``; ``"undefined"`` when the metric has no value (nothing in
        its denominator); ``"skipped"`` when its input is not in the data.
    unit
        ``"fraction"`` (a rate in [0, 1]), ``"points"`` (NPS, -100..100),
        ``"mean"`` (CES and the agent rating, on their scale) or
        ``"seconds"`` (times).
    statistic
        What the value is (`Statistic`): ``"rate"``, ``"median"`` (first
        response and resolution times), ``"mean"`` (handle time, speed of
        answer, CES, rating) or ``"points"`` (NPS).
    result
        The metric's result object with all its counts; None when skipped.
    interval
        The confidence interval; None unless the status is ``"ok"``.
    definition
        The definition and parameters used, in words.
    note
        Why the metric is undefined or skipped (a skipped row names the
        missing field); empty otherwise.
    """

    key: str
    label: str
    status: Status
    unit: Unit
    statistic: Statistic
    result: Result | None
    interval: ConfidenceInterval | None
    definition: str
    note: str = ""

    @property
    def value(self) -> float:
        """The unrounded headline value; nan unless the status is ``"ok"``."""
        return self.result.value if self.result is not None else math.nan


# -- the metrics of the report ----------------------------------------------------------------


@attrs.frozen(kw_only=True)
class _Options:
    window_days: float
    as_of: datetime | None  # resolved once: every contact metric gets this one
    confidence_level: float
    service_level: float | None


# (table, options, period, by) -> result or breakdown; ``by`` is checked by the caller.
Run = Callable[[Any, _Options, Window | None, Any], Any]


@attrs.frozen(kw_only=True)
class _Metric:
    key: str
    label: str
    unit: Unit
    statistic: Statistic
    surveys: bool
    needs: tuple[str, ...]  # from the catalogue: a field the data lacks skips the metric
    run: Run
    define: Callable[[Any], str]
    counts: Callable[[Any], str]
    undefined: str
    lacks: Callable[[Interactions], str] | None  # a further reason to skip, from the data


def _define_fcr(r: FCR) -> str:
    return (
        "FCR: episodes resolved at first contact with no repeat within "
        f"{r.window_days:g} days / decided episodes; match={r.match}"
    )


def _define_csat(r: CSAT) -> str:
    low, high = r.scale
    return f"CSAT: answers >= {r.satisfied_from:g} on {low}..{high} / answers"


def _define_ces(r: CES) -> str:
    low, high = r.scale
    easier = "higher" if r.higher_is_easier else "lower"
    return f"CES: mean answer on {low}..{high}, {easier} is easier"


def _define_rating(r: Mean) -> str:
    low, high = getattr(r, "scale", (1, 5))
    return (
        f"Agent rating: mean rating on {low}..{high} stars; per agent, "
        "csmetrics.rating also gives a mean shrunk toward the team's for small samples"
    )


def _define_durations(what: str) -> Callable[[Durations], str]:
    def define(r: Durations) -> str:
        return f"{what}; the median, open work censored ({r.censoring}); p90 in the counts"

    return define


def _sd(r: Mean) -> str:
    return "n/a" if math.isnan(r.std) else _number(r.std, "seconds")


def _fcr_counts(r: FCR) -> str:
    return f"{r.numerator} of {r.denominator} episodes; {r.pending} pending; {r.repeats} repeats"


def _nps_counts(r: NPS) -> str:
    return (
        f"{r.n} answers: {r.promoters} promoters, {r.passives} passives, {r.detractors} detractors"
    )


def _mean_counts(r: Mean) -> str:
    std = "n/a" if math.isnan(r.std) else f"{r.std:.2f}"
    return f"{r.n} answers; sd {std}"


def _durations_counts(units: str) -> Callable[[Durations], str]:
    def counts(r: Durations) -> str:
        p90 = _number(r.p90, "seconds")
        return f"{r.n} {units}, {r.censored} still open (censored); p90 {p90}"

    return counts


def _service_level(t: Any, o: _Options, p: Window | None, by: Any) -> Any:
    assert o.service_level is not None  # the report skips service level without one
    return service_level(t, threshold=o.service_level, as_of=o.as_of, period=p, by=by)


def _service_level_counts(r: ServiceLevel) -> str:
    return (
        f"{r.numerator} of {r.denominator} ({r.answered} answered, {r.abandoned} abandoned); "
        f"threshold {_threshold(r)}"
    )


def _threshold(r: ServiceLevel) -> str:
    if isinstance(r.threshold, tuple):
        return ", ".join(f"{key}: {seconds:g} s" for key, seconds in r.threshold)
    return f"{r.threshold:g} s"


def _statistic(result: type) -> Statistic:
    """What a metric's headline value is, from its result class."""
    if issubclass(result, Durations):
        return "median"
    if issubclass(result, NPS):
        return "points"
    if issubclass(result, Mean):
        return "mean"
    assert issubclass(result, Rate)  # every other metric of the report is a rate
    return "rate"


def _metric(
    key: str,
    run: Run,
    define: Callable[[Any], str],
    counts: Callable[[Any], str],
    *,
    undefined: str = "nothing in the denominator",
    lacks: Callable[[Interactions], str] | None = None,
) -> _Metric:
    """A report row's presentation; its label, unit, statistic and needs come from the catalogue."""
    entry = catalog.get(key)
    assert entry.unit in UNITS  # the report shows rates, NPS points, means and durations
    return _Metric(
        key=key,
        label=entry.label,
        unit=entry.unit,
        statistic=_statistic(entry.result),
        surveys=entry.input == "surveys",
        needs=entry.needs,
        run=run,
        define=define,
        counts=counts,
        undefined=undefined,
        lacks=lacks,
    )


def _no_values(*fields: str, named: str = "") -> Callable[[Interactions], str]:
    """Skip when none of ``fields`` has a value: a column given but empty (or records without)."""

    def lacks(table: Interactions) -> str:
        if any(_has_values(table, field) for field in fields):
            return ""
        return f"no {named or ' or '.join(repr(field) for field in fields)} values in the data"

    return lacks


def _has_values(table: Interactions, field: str) -> bool:
    if not table.has(field):
        return False
    if field == "first_response_at":
        return bool(len(table.messages)) or bool((table.first_response != OPEN).any())
    column = getattr(table, field)
    if isinstance(column, Encoded):
        return bool((column.codes >= 0).any())
    return bool(np.isfinite(column).any())  # seconds


_METRICS: tuple[_Metric, ...] = (
    _metric(
        "fcr",
        lambda t, o, p, by: fcr(t, window_days=o.window_days, as_of=o.as_of, period=p, by=by),
        _define_fcr,
        _fcr_counts,
        undefined="no decided episode (no contacts, or every episode pending)",
    ),
    _metric(
        "resolution_rate",
        lambda t, o, p, by: resolution_rate(t, period=p, by=by),
        lambda _: (
            "Resolution rate: requests whose latest contact is resolved / requests "
            "(contacts sharing an issue_id are one request)"
        ),
        lambda r: f"{r.numerator} of {r.denominator} requests",
        undefined="no contacts",
    ),
    _metric(
        "reopen_rate",
        lambda t, o, p, by: reopen_rate(
            t, window_days=o.window_days, as_of=o.as_of, period=p, by=by
        ),
        lambda r: (
            "Reopen rate: resolved issues with another contact within "
            f"{r.window_days:g} days of the resolution / decided resolved issues"
        ),
        lambda r: f"{r.numerator} of {r.denominator} resolved issues; {r.pending} pending",
        undefined="no decided resolved issue",
        lacks=_no_values("issue_id"),
    ),
    _metric(
        "first_response_time",
        lambda t, o, p, by: first_response_time(t, as_of=o.as_of, period=p, by=by),
        _define_durations("First response time: first human agent response - start"),
        _durations_counts("contacts"),
        undefined="no contact, or too many unanswered for a median",
        lacks=_no_values("first_response_at"),
    ),
    _metric(
        "resolution_time",
        lambda t, o, p, by: resolution_time(t, as_of=o.as_of, period=p, by=by),
        _define_durations("Resolution time: end of the resolving contact - start of the issue"),
        _durations_counts("issues"),
        undefined="no issue, or too many open for a median",
    ),
    _metric(
        "handle_time",
        lambda t, o, p, by: handle_time(t, as_of=o.as_of, period=p, by=by),
        lambda _: "AHT: the mean of talk + hold + wrap seconds over handled contacts",
        lambda r: f"{r.n} handled contacts; sd {_sd(r)}; {r.unmeasured} unmeasured",
        undefined="no measured handled contact",
        lacks=_no_values(
            "talk_seconds",
            "hold_seconds",
            "wrap_seconds",
            "first_response_at",
            named="talk, hold or wrap seconds or first_response_at",
        ),
    ),
    _metric(
        "asa",
        lambda t, o, p, by: asa(t, as_of=o.as_of, period=p, by=by),
        lambda _: "ASA: the mean wait (first response - start) of answered contacts",
        lambda r: f"{r.n} answered contacts; sd {_sd(r)}",
        undefined="no answered contact",
        lacks=_no_values("first_response_at"),
    ),
    _metric(
        "service_level",
        _service_level,
        lambda r: (
            f"Service level: answered within {_threshold(r)} / offered contacts "
            f"(formula {r.formula!r})"
        ),
        _service_level_counts,
        undefined="no offered contact",
        lacks=_no_values("first_response_at"),
    ),
    _metric(
        "abandonment_rate",
        lambda t, o, p, by: abandonment_rate(t, as_of=o.as_of, period=p, by=by),
        lambda _: "Abandonment rate: abandoned / (answered + abandoned) contacts",
        lambda r: f"{r.numerator} of {r.denominator} queued contacts; {r.waiting} waiting",
        undefined="no queued contact",
        lacks=_no_values("first_response_at"),
    ),
    _metric(
        "escalation_rate",
        lambda t, o, p, by: escalation_rate(t, period=p, by=by),
        lambda _: "Escalation rate: escalated handled contacts / handled contacts",
        lambda r: f"{r.numerator} of {r.denominator} handled contacts",
        undefined="no handled contact",
    ),
    _metric(
        "complaint_rate",
        lambda t, o, p, by: complaint_rate(t, period=p, by=by),
        lambda _: "Complaint rate: complaints on handled contacts / handled contacts",
        lambda r: f"{r.numerator} of {r.denominator} handled contacts",
        undefined="no handled contact",
    ),
    _metric(
        "nps",
        lambda s, o, p, by: nps(s, period=p, by=by),
        lambda _: "NPS: 100 * (promoters 9-10 - detractors 0-6) / answers on 0..10",
        _nps_counts,
    ),
    _metric(
        "csat",
        lambda s, o, p, by: csat(s, period=p, by=by),
        _define_csat,
        lambda r: f"{r.numerator} of {r.denominator} answers >= {r.satisfied_from:g}",
    ),
    _metric("ces", lambda s, o, p, by: ces(s, period=p, by=by), _define_ces, _mean_counts),
    _metric(
        "survey_fcr",
        lambda s, o, p, by: survey_fcr(s, period=p, by=by),
        lambda _: "Survey FCR: 'yes' answers / answers to 'was it resolved at the first contact?'",
        lambda r: f"{r.numerator} of {r.denominator} answers yes",
    ),
    _metric(
        "rating",
        lambda s, o, p, by: rating(s, period=p, by=by),
        _define_rating,
        _mean_counts,
    ),
)
_BY_KEY = {m.key: m for m in _METRICS}
_SURVEY_BY = ("agent_id", "customer_id", "interaction_id")


def _missing(metric: _Metric, table: Interactions | Surveys | None, opts: _Options) -> str:
    """Why ``metric`` is skipped on this data; empty when it runs."""
    if table is None:
        return "no surveys given"
    if isinstance(table, Surveys):
        kind = metric.needs[0]
        return "" if len(table.of_kind(kind)) else f"no {kind!r} answers in the surveys"
    why = ""
    if absent := table.absent(metric.needs):
        why = f"no {absent[0]!r} column in the data"
    elif metric.lacks is not None:
        why = metric.lacks(table)
    if not why and metric.key == "service_level" and opts.service_level is None:
        why = "needs a threshold: --service-level SECONDS (service_level=)"
    return why


def _quietly(run: Run, *args: Any) -> Any:
    # An undefined metric is shown as undefined in the report; its warning
    # would only repeat that on stderr.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UndefinedMetricWarning)
        return run(*args)


def _row(metric: _Metric, result: Result, level: float) -> KPIRow:
    common: dict[str, Any] = {
        "key": metric.key,
        "label": metric.label,
        "unit": metric.unit,
        "statistic": metric.statistic,
        "result": result,
        "definition": metric.define(result),
    }
    if not result.is_defined:
        return KPIRow(status="undefined", interval=None, note=metric.undefined, **common)
    assert isinstance(result, WITH_INTERVAL)  # every metric of the report
    return KPIRow(status="ok", interval=result.ci(confidence_level=level), **common)


def _skipped(metric: _Metric, note: str) -> KPIRow:
    return KPIRow(
        key=metric.key,
        label=metric.label,
        status="skipped",
        unit=metric.unit,
        statistic=metric.statistic,
        result=None,
        interval=None,
        definition="",
        note=note,
    )


def _tables(
    interactions: Interactions | Iterable[Interaction],
    surveys: Surveys | Iterable[Survey] | None,
) -> tuple[Interactions, Surveys | None]:
    if not isinstance(interactions, Interactions):
        interactions = Interactions.from_records(interactions)
    if surveys is not None and not isinstance(surveys, Surveys):
        surveys = Surveys.from_records(surveys)
    return interactions, surveys


def _resolve_as_of(contacts: Interactions, as_of: datetime | None) -> datetime | None:
    """The report's one as_of: the one given, else the latest contact start (decision 6)."""
    if as_of is not None:
        micros("as_of", as_of)  # a naive datetime is an error, even without contacts
        return as_of
    return from_micros(int(contacts.start.max())) if len(contacts) else None


def _options(
    contacts: Interactions,
    window_days: float,
    as_of: datetime | None,
    confidence_level: float,
    service: float | None,
) -> _Options:
    z_value(confidence_level)  # validate once, even when every row is skipped
    return _Options(
        window_days=window_days,
        as_of=_resolve_as_of(contacts, as_of),
        confidence_level=confidence_level,
        service_level=service,
    )


def _report_rows(
    contacts: Interactions,
    answers: Surveys | None,
    opts: _Options,
    period: PeriodLike | None,
    *,
    progress: Progress | None = None,
) -> list[KPIRow]:
    rows = []
    for metric in _METRICS:
        table = answers if metric.surveys else contacts
        if progress is not None:
            progress(metric.key)
        why = _missing(metric, table, opts)
        if why:
            rows.append(_skipped(metric, why))
            continue
        result = _quietly(metric.run, table, opts, period, None)
        rows.append(_row(metric, result, opts.confidence_level))
    return rows


@takes_tables("Interactions")
def kpi_report(
    interactions: Interactions | Iterable[Interaction],
    surveys: Surveys | Iterable[Survey] | None = None,
    /,
    *,
    window_days: float = 7,
    as_of: datetime | None = None,
    confidence_level: float = 0.95,
    period: PeriodLike | None = None,
    service_level: float | None = None,
) -> list[KPIRow]:
    """Compute every KPI the data supports, each with its counts and an interval.

    Rows, in order: ``fcr``, ``resolution_rate``, ``reopen_rate``,
    ``first_response_time``, ``resolution_time``, ``handle_time``, ``asa``,
    ``service_level``, ``abandonment_rate``, ``escalation_rate``,
    ``complaint_rate``, then ``nps``, ``csat``, ``ces``, ``survey_fcr`` and
    ``rating`` from the survey answers (one row per survey kind). A metric
    is skipped (status ``"skipped"``, its note naming the field) when the
    data does not give a field its catalogue entry needs
    (`csmetrics.core.table.Interactions.has`: a table read without a
    ``resolved`` column has no FCR, while an all-false ``resolved`` column
    is data); also when ``issue_id`` (reopen rate) or ``first_response_at``
    (response times, service level) has no value at all, and for a survey
    metric without answers of its kind. Service level is skipped without a
    ``service_level`` threshold. A metric with nothing in its denominator is
    ``"undefined"`` (no `UndefinedMetricWarning` is emitted: the row says
    it).

    Parameters
    ----------
    interactions
        Contacts: an `Interactions` table or `Interaction` objects.
    surveys
        Survey answers: a `Surveys` table or `Survey` objects; None for a
        report of the contact metrics only.
    window_days
        The FCR and reopen window in days (see `csmetrics.fcr`).
    as_of
        The moment up to which the contact data is complete (pending FCR
        episodes, open work of the time metrics); contacts starting after
        it are left out. Resolved once and passed to every contact metric:
        default the latest contact start (decision 6).
    confidence_level
        Of every interval: Wilson for rates, the multinomial normal interval
        for NPS, Student t for means, Brookmeyer-Crowley for medians.
    period
        Only contacts (and answers) starting in this `Window`.
    service_level
        The service-level threshold in seconds; None skips service level.

    Returns
    -------
    list of KPIRow
        One row per metric with its result (counts), interval and definition.

    Raises
    ------
    InvalidDataError
        A record is invalid.
    ValueError
        An option is not allowed.

    See Also
    --------
    build_report : the rows with what they cover and a breakdown, ready to `render`.

    Examples
    --------
    >>> from csmetrics.adapters.datasets import sample
    >>> data = sample()
    >>> rows = kpi_report(data.interactions, data.surveys)
    >>> [(row.key, row.statistic) for row in rows][3:7]
    [('first_response_time', 'median'), ('resolution_time', 'median'), ('handle_time', 'mean'), ('asa', 'mean')]
    >>> rows[0].result.pending > 0
    True
    >>> len({row.result.as_of for row in rows if hasattr(row.result, "as_of")})
    1
    >>> [row.status for row in kpi_report(data.interactions)][-5:]
    ['skipped', 'skipped', 'skipped', 'skipped', 'skipped']
    """  # noqa: E501 (a doctest line)
    contacts, answers = _tables(interactions, surveys)
    opts = _options(contacts, window_days, as_of, confidence_level, service_level)
    return _report_rows(contacts, answers, opts, period)


# -- breakdowns and the whole report ----------------------------------------------------------


@attrs.define
class Progress:
    """Steps of a report, told to ``show(step, done, total)`` as they start.

    `build_report` adds its steps to ``total`` and calls the object with each
    step's name; ``show`` draws (the CLI draws a bar on stderr).
    """

    show: Callable[[str, int, int], None]
    total: int = 0
    done: int = 0

    def __call__(self, step: str) -> None:
        """Start ``step``: draw it with the steps done so far."""
        self.show(step, self.done, self.total)
        self.done += 1


@attrs.frozen(kw_only=True)
class Scope:
    """What a report covers: its source, its contacts and answers, and its as_of.

    Attributes
    ----------
    source
        Where the data comes from: file names (never a directory path), or
        empty when not told.
    contacts
        The contacts the metrics count: starting in ``period`` and not
        after ``as_of``.
    total_contacts
        All contacts given.
    first_start, last_start
        The first and the last start of the counted contacts (UTC); None
        without contacts.
    answers
        The survey answers in ``period``; None when no surveys were given.
    as_of
        The one moment every contact metric is computed at; None without
        contacts.
    as_of_given
        Whether ``as_of`` was given; otherwise it is the latest contact
        start.
    period
        The `Window` the report is limited to, or None.
    """

    source: str
    contacts: int
    total_contacts: int
    first_start: datetime | None
    last_start: datetime | None
    answers: int | None
    as_of: datetime | None
    as_of_given: bool
    period: Window | None


def _scope(
    contacts: Interactions,
    answers: Surveys | None,
    opts: _Options,
    *,
    source: str,
    period: Window | None,
    as_of_given: bool,
) -> Scope:
    keep = in_period(contacts.start, period)
    if opts.as_of is not None:
        keep &= contacts.start <= micros("as_of", opts.as_of)
    starts = contacts.start[keep]
    first = from_micros(int(starts.min())) if len(starts) else None
    last = from_micros(int(starts.max())) if len(starts) else None
    return Scope(
        source=source,
        contacts=len(starts),
        total_contacts=len(contacts),
        first_start=first,
        last_start=last,
        answers=None if answers is None else int(in_period(answers.at, period).sum()),
        as_of=opts.as_of,
        as_of_given=as_of_given,
        period=period,
    )


@attrs.frozen(kw_only=True)
class KPIReport:
    """A KPI report: what it covers, overall rows, and optionally the same metrics per group.

    Attributes
    ----------
    title
        The report's title ("KPI report"); the HTML page's title too.
    rows
        The overall rows (`kpi_report`).
    scope
        What the report covers (`Scope`): source, contacts and their first
        and last start, answers, the one as_of. None for bare rows.
    group_by
        ``"agent_id"`` (a field), ``"week"`` (a period length) or None.
    groups
        ``(label, rows)`` per group or period, in order; each row's result is
        that group's. Metrics skipped overall are left out of the groups.
    charts
        ``(caption, data URI)`` of the plots for the HTML report; empty
        unless asked for and matplotlib is installed.
    charts_note
        Why charts asked for are missing (matplotlib is not installed);
        empty otherwise. The HTML report shows it.
    """

    title: str
    rows: tuple[KPIRow, ...]
    scope: Scope | None = None
    group_by: str | None = None
    groups: tuple[tuple[str, tuple[KPIRow, ...]], ...] = ()
    charts: tuple[tuple[str, str], ...] = ()
    charts_note: str = ""


def _label(key: object) -> str:
    return "(missing)" if key is None else str(key)


def _by_rows(
    contacts: Interactions,
    answers: Surveys | None,
    opts: _Options,
    *,
    overall: Sequence[KPIRow],
    by: str,
    progress: Progress | None,
) -> tuple[tuple[str, tuple[KPIRow, ...]], ...]:
    per_group: dict[str, list[KPIRow]] = {}
    ran = {row.key for row in overall if row.status != "skipped"}
    for metric in _METRICS:
        if metric.key not in ran or (metric.surveys and by not in _SURVEY_BY):
            continue
        if progress is not None:
            progress(f"{metric.key} by {by}")
        table = answers if metric.surveys else contacts
        breakdown = _quietly(metric.run, table, opts, None, by)
        assert isinstance(breakdown, Breakdown)
        for key, result in breakdown.items():
            row = _row(metric, result, opts.confidence_level)
            per_group.setdefault(_label(key), []).append(row)
    return tuple((label, tuple(rows)) for label, rows in sorted(per_group.items()))


def _period_rows(
    contacts: Interactions,
    answers: Surveys | None,
    opts: _Options,
    *,
    every: Every,
    timezone: str,
    progress: Progress | None,
) -> tuple[tuple[str, tuple[KPIRow, ...]], ...]:
    if not len(contacts):
        return ()
    zone = ZoneInfo(timezone)
    windows = buckets(contacts.start, every=every, timezone=zone).windows
    if progress is not None:
        progress.total += len(windows)
    out = []
    for window in windows:
        label = start_label(window, zone)
        if progress is not None:
            progress(f"period {label}")
        rows = _report_rows(contacts, answers, opts, window)
        out.append((label, tuple(row for row in rows if row.status != "skipped")))
    return tuple(out)


@takes_tables("Interactions")
def build_report(
    interactions: Interactions | Iterable[Interaction],
    surveys: Surveys | Iterable[Survey] | None = None,
    /,
    *,
    title: str = "KPI report",
    source: str = "",
    window_days: float = 7,
    as_of: datetime | None = None,
    confidence_level: float = 0.95,
    period: PeriodLike | None = None,
    service_level: float | None = None,
    by: str | None = None,
    every: Every | None = None,
    timezone: str = "UTC",
    charts: bool = False,
    progress: Progress | None = None,
) -> KPIReport:
    """The whole report: what it covers, `kpi_report` rows, a breakdown, and plots for HTML.

    Parameters
    ----------
    interactions, surveys, window_days, as_of, confidence_level, period, service_level
        As for `kpi_report`: ``as_of`` is resolved once (default the latest
        contact start) and stated in the report's header.
    title
        The report's title: its first line, and the HTML page's title.
    source
        Where the data comes from, for the header: file names, not paths.
    by
        A contact field to break every metric down by: ``"agent_id"``,
        ``"channel"`` or ``"category"``. Survey
        metrics follow only for ``"agent_id"`` (answers carry no other
        field). Not with ``every``.
    every
        A period length (``"day"``, ``"week"``, ``"month"``, ...) to compute
        every metric per period, local to ``timezone``; empty periods are
        kept, undefined. Not with ``by``.
    timezone
        IANA zone of the periods.
    charts
        Draw the plots of the HTML report (needs matplotlib; without it, no
        charts and a note saying how to get them, in ``charts_note``).
    progress
        A `Progress` told of each step (the CLI's progress bar draws it).

    Returns
    -------
    KPIReport

    Raises
    ------
    ValueError
        ``by`` and ``every`` together, an unknown ``by`` field, or a bad option.

    Examples
    --------
    >>> from csmetrics.adapters.datasets import sample
    >>> data = sample()
    >>> report = build_report(data.interactions, data.surveys, by="channel")
    >>> [label for label, _ in report.groups]
    ['chat', 'email', 'phone']
    >>> report.scope.contacts, report.scope.answers, report.scope.as_of.isoformat()
    (3074, 1463, '2026-04-03T11:51:00+00:00')
    """
    if by is not None and every is not None:
        msg = "by= and every= cannot be combined; break down by one of them"
        raise ValueError(msg)
    if by is not None:
        option("by", by, _BY_FIELDS)
    period = as_window("period", period, optional=True)
    contacts, answers = _tables(interactions, surveys)
    opts = _options(contacts, window_days, as_of, confidence_level, service_level)
    if progress is not None:
        progress.total += len(_METRICS) * (2 if by else 1) + bool(charts)
    rows = _report_rows(contacts, answers, opts, period, progress=progress)
    groups: tuple[tuple[str, tuple[KPIRow, ...]], ...] = ()
    if by is not None:
        groups = _by_rows(contacts, answers, opts, overall=rows, by=by, progress=progress)
    elif every is not None:
        groups = _period_rows(
            contacts, answers, opts, every=every, timezone=timezone, progress=progress
        )
    if charts and progress is not None:
        progress("charts")
    pictures, note = _charts(contacts, rows, opts) if charts else ((), "")
    scope = _scope(
        contacts, answers, opts, source=source, period=period, as_of_given=as_of is not None
    )
    return KPIReport(
        title=title,
        rows=tuple(rows),
        scope=scope,
        group_by=by or every,
        groups=groups,
        charts=pictures,
        charts_note=note,
    )


def _charts(
    contacts: Interactions, rows: Sequence[KPIRow], opts: _Options
) -> tuple[tuple[tuple[str, str], ...], str]:
    """Plots of the HTML report as ``(caption, data URI)``, and a note when there are none.

    A chart is drawn only for a metric whose row has a value: never for a
    skipped one.
    """
    try:
        import matplotlib  # noqa: F401, PLC0415 (optional extra)
    except ImportError:
        return (), _INSTALL_PLOTS
    from csmetrics.analysis.trend import trend  # noqa: PLC0415 (the report needs it only here)
    from csmetrics.metrics.workload import pareto  # noqa: PLC0415
    from csmetrics.report import plots  # noqa: PLC0415 (imports matplotlib)

    results = {row.key: row.result for row in rows if row.status == "ok"}
    out = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UndefinedMetricWarning)
        if "fcr" in results:
            weekly = trend(
                contacts, fcr, every="week", window_days=opts.window_days, as_of=opts.as_of
            )
            out.append(("First-contact resolution per week", plots.plot_trend(weekly)))
        if _has_values(contacts, "category"):
            out.append(("Contact reasons", plots.plot_pareto(pareto(contacts))))
        for key in ("resolution_time", "first_response_time"):
            times = results.get(key)
            if isinstance(times, Durations):
                out.append((f"{_BY_KEY[key].label}: share still open", plots.plot_durations(times)))
        if "service_level" in results:
            curve = plots.plot_service_level(contacts, as_of=opts.as_of)
            out.append(("Service level against the threshold", curve))
        if "complaint_rate" in results:
            funnel = complaint_rate(contacts, by="agent_id")
            assert isinstance(funnel, Funnel)
            out.append(("Complaint rate per agent (funnel plot)", plots.plot_funnel(funnel)))
    return tuple((caption, plots.figure_data_uri(ax)) for caption, ax in out), ""


# -- presentation: the only place where numbers are rounded -----------------------------------


def _seconds_text(value: float) -> str:
    if math.isinf(value):
        return "inf"
    seconds = round(value)
    if seconds < 60:
        return f"{value:.0f}s" if value >= 10 or value == seconds else f"{value:.1f}s"
    minutes, s = divmod(seconds, 60)
    if minutes < 60:
        return f"{minutes}m {s:02d}s"
    hours, m = divmod(minutes, 60)
    if hours < 48:
        return f"{hours}h {m:02d}m"
    days, h = divmod(hours, 24)
    return f"{days}d {h:02d}h"


def _number(value: float, unit: Unit) -> str:
    if math.isnan(value):
        return "n/a"
    if unit == "fraction":
        return f"{100 * value:.1f}%"
    if unit == "points":
        return f"{value:+.1f}"
    if unit == "seconds":
        return _seconds_text(value)
    return f"{value:.2f}"


def _value_text(row: KPIRow) -> str:
    if row.status != "ok":
        return row.status
    return _number(row.value, row.unit)


def _interval_text(row: KPIRow) -> str:
    if row.interval is None:
        return "-"
    low, high = row.interval.low, row.interval.high
    if math.isnan(low) or math.isnan(high):
        return "n/a"
    return f"[{_number(low, row.unit)}, {_number(high, row.unit)}]"


def _counts_text(row: KPIRow) -> str:
    return row.note if row.result is None else _BY_KEY[row.key].counts(row.result)


def _interval_header(rows: Sequence[KPIRow]) -> str:
    levels = {row.interval.confidence_level for row in rows if row.interval}
    if len(levels) == 1:
        return f"{100 * levels.pop():g}% interval"
    return "Interval"


def _table(rows: Sequence[KPIRow]) -> tuple[list[str], list[list[str]]]:
    header = ["KPI", "Value", "Statistic", _interval_header(rows), "Counts"]
    body = [
        [row.label, _value_text(row), row.statistic, _interval_text(row), _counts_text(row)]
        for row in rows
    ]
    return header, body


def _grid(report: KPIReport) -> tuple[list[str], list[list[str]]]:
    """The breakdown as one line per group, one cell per metric: value and sample."""
    keys = [row.key for row in report.rows if row.status != "skipped"]
    shown = [k for k in keys if any(r.key == k for _, rows in report.groups for r in rows)]
    header = [report.group_by or "", *(_grid_label(k) for k in shown)]
    body = []
    for label, rows in report.groups:
        cells = {row.key: row for row in rows}
        body.append([label, *(_grid_cell(cells.get(k)) for k in shown)])
    return header, body


def _grid_label(key: str) -> str:
    metric = _BY_KEY[key]
    return metric.label if metric.statistic == "rate" else f"{metric.label} ({metric.statistic})"


def _grid_cell(row: KPIRow | None) -> str:
    if row is None or row.result is None:
        return "-"
    size = row.result.sample_size
    mark = "" if row.result.is_reliable() else "*"
    return f"{_value_text(row)} (n={size}){mark}"


def _grid_notes(report: KPIReport) -> list[str]:
    """What the breakdown leaves out, and what its star means."""
    notes = [_UNRELIABLE]
    surveys = [r.label for r in report.rows if _BY_KEY[r.key].surveys and r.status != "skipped"]
    if surveys and report.group_by in _BY_FIELDS and report.group_by not in _SURVEY_BY:
        notes.append(
            f"Survey answers carry no {report.group_by}, so {', '.join(surveys)} "
            "are not broken down by it."
        )
    return notes


def _notes(rows: Sequence[KPIRow]) -> tuple[list[str], list[str]]:
    """The definitions used, and why undefined metrics have no value."""
    definitions = [row.definition for row in rows if row.definition]
    if any(row.interval is not None for row in rows):
        definitions.append(f"Intervals: {_methods(rows)}")
    # A skipped row already says why in its counts column.
    undefined = [f"{row.label}: {row.note}" for row in rows if row.status == "undefined"]
    return definitions, undefined


_METHOD_NAMES = {
    "wilson": "Wilson score",
    "normal": "normal (Rocks 2016)",
    "t": "Student t",
    "log-log": "Brookmeyer-Crowley (log-log band)",
}


def _methods(rows: Sequence[KPIRow]) -> str:
    seen: dict[str, list[str]] = {}
    for row in rows:
        if row.interval is not None:
            method = _METHOD_NAMES.get(row.interval.method, row.interval.method)
            seen.setdefault(method, []).append(row.label)
    return "; ".join(f"{method} for {', '.join(labels)}" for method, labels in seen.items())


_UNRELIABLE = "* fewer units than the reliability minimum (csmetrics.core.results.MIN_N)"


def _report_of(value: KPIReport | Sequence[KPIRow]) -> KPIReport:
    if isinstance(value, KPIReport):
        return value
    return KPIReport(title="", rows=tuple(value))


# -- what the report covers ---------------------------------------------------------------------


def _moment(moment: datetime) -> str:
    """A moment in UTC to the minute (to the second when it has seconds)."""
    utc = moment.astimezone(timezone.utc)
    text = utc.strftime("%Y-%m-%d %H:%M")
    if utc.second or utc.microsecond:
        text += utc.strftime(":%S")
    return f"{text} UTC"


def _rows_as_of(rows: Sequence[KPIRow]) -> datetime | None:
    """The as_of the rows' results share (bare rows have no scope); None if none or several."""
    moments = {getattr(row.result, "as_of", None) for row in rows} - {None}
    return moments.pop() if len(moments) == 1 else None


def _scope_lines(report: KPIReport) -> list[tuple[str, str]]:
    """``(label, text)`` lines of the header: source, contacts, answers, as_of, period."""
    scope = report.scope
    if scope is None:
        as_of = _rows_as_of(report.rows)
        return [] if as_of is None else [("As of", f"{_moment(as_of)}, for every contact metric")]
    lines = [("Source", scope.source)] if scope.source else []
    contacts = f"{scope.contacts}"
    if scope.contacts != scope.total_contacts:
        contacts += f" of {scope.total_contacts} (only those starting in the period, by as_of)"
    if scope.first_start is not None and scope.last_start is not None:
        contacts += f", starting {_moment(scope.first_start)} to {_moment(scope.last_start)}"
    lines.append(("Contacts", contacts))
    answers = "none given" if scope.answers is None else str(scope.answers)
    lines.append(("Survey answers", answers))
    if scope.as_of is not None:
        why = "as given" if scope.as_of_given else "the latest contact start"
        lines.append(("As of", f"{_moment(scope.as_of)} ({why}), for every contact metric"))
    if scope.period is not None:
        window = f"{_moment(scope.period.start)} to {_moment(scope.period.end)}"
        lines.append(("Period", f"{window}: only contacts and answers starting in it"))
    return lines


# -- text: lines of at most WIDTH characters ----------------------------------------------------

_GAP = "  "


def _wrap(text: str, width: int) -> list[str]:
    if len(text) <= width:
        return [text]
    return textwrap.wrap(text, width, break_long_words=True, break_on_hyphens=False) or [""]


def _fill(text: str, indent: str = "", more: str = "  ") -> list[str]:
    """``text`` wrapped to `WIDTH`: the first line after ``indent``, the rest after ``more``."""
    return textwrap.wrap(
        text,
        WIDTH,
        initial_indent=indent,
        subsequent_indent=indent + more,
        break_long_words=True,
        break_on_hyphens=False,
    ) or [""]


def _fit(natural: list[int], shrink: Sequence[tuple[int, int]]) -> list[int]:
    """Column widths within `WIDTH`: shrink the columns ``(index, minimum)`` in order."""
    widths = list(natural)
    for index, minimum in shrink:
        over = sum(widths) + len(_GAP) * (len(widths) - 1) - WIDTH
        if over <= 0:
            break
        widths[index] = max(minimum, widths[index] - over)
    return widths


def _aligned(
    header: list[str], body: list[list[str]], align: str, widths: Sequence[int]
) -> list[str]:
    """A table whose cells wrap within their column's width, under a rule."""

    def lines(cells: list[str]) -> list[str]:
        parts = [_wrap(cell, width) for cell, width in zip(cells, widths, strict=True)]
        out = []
        for k in range(max(map(len, parts))):
            texts = [part[k] if k < len(part) else "" for part in parts]
            out.append(
                _GAP.join(
                    f"{t:{a}{w}}" for t, a, w in zip(texts, align, widths, strict=True)
                ).rstrip()
            )
        return out

    rule = _GAP.join("-" * w for w in widths)
    return [*lines(header), rule, *(line for cells in body for line in lines(cells))]


def _natural(header: list[str], body: list[list[str]]) -> list[int]:
    return [max(len(line[i]) for line in [header, *body]) for i in range(len(header))]


def _kpi_table(rows: Sequence[KPIRow]) -> list[str]:
    header, body = _table(rows)
    # Counts wrap first, then the labels.
    widths = _fit(_natural(header, body), [(4, 24), (0, 12)])
    return _aligned(header, body, "<><><", widths)


def _grid_blocks(header: list[str], body: list[list[str]]) -> list[list[str]]:
    """The breakdown in blocks of metric columns that fit `WIDTH`, the group column in each."""
    first = min(_natural(header[:1], [row[:1] for row in body])[0], 24)
    columns = []
    for i in range(1, len(header)):
        longest_word = max(len(word) for word in header[i].split())
        columns.append((i, max(longest_word, *(len(row[i]) for row in body), 4)))
    blocks: list[list[tuple[int, int]]] = [[]]
    used = first
    for column in columns:
        if blocks[-1] and used + len(_GAP) + column[1] > WIDTH:
            blocks.append([])
            used = first
        blocks[-1].append(column)
        used += len(_GAP) + column[1]
    out = []
    for block in blocks:
        picked = [0, *(i for i, _ in block)]
        widths = [first, *(w for _, w in block)]
        rows = [[row[i] for i in picked] for row in body]
        out.append(_aligned([header[i] for i in picked], rows, "<" + ">" * len(block), widths))
    return out


def _text(report: KPIReport) -> str:
    """Aligned plain-text tables with definitions, in lines of at most `WIDTH` characters."""
    out = _fill(report.title) if report.title else []
    out += [line for label, text in _scope_lines(report) for line in _fill(f"{label}: {text}")]
    if out:
        out.append("")
    out += _kpi_table(report.rows)
    if report.groups:
        out += ["", f"By {report.group_by}:"]
        header, body = _grid(report)
        for block in _grid_blocks(header, body):
            out += ["", *block]
        for note in _grid_notes(report):
            out += ["", *_fill(note)]
    definitions, undefined = _notes(report.rows)
    if definitions:
        out += ["", "Definitions:", *(line for d in definitions for line in _fill(d, "  "))]
    if undefined:
        out += ["", "Undefined:", *(line for s in undefined for line in _fill(s, "  "))]
    return "\n".join(out) + "\n"


# -- markdown and html --------------------------------------------------------------------------


def _md_cell(text: str) -> str:
    return text.replace("|", "\\|")


def _md_table(header: list[str], body: list[list[str]], align: list[str]) -> list[str]:
    return [
        "| " + " | ".join(_md_cell(c) for c in header) + " |",
        "| " + " | ".join(align) + " |",
        *("| " + " | ".join(_md_cell(c) for c in cells) + " |" for cells in body),
    ]


def _markdown(report: KPIReport) -> str:
    """Markdown tables with definitions."""
    out = [f"# {report.title}", ""] if report.title else []
    scope = _scope_lines(report)
    if scope:
        out += [*(f"- {label}: {text}" for label, text in scope), ""]
    out += _md_table(*_table(report.rows), ["---", "---:", "---", "---:", "---"])
    if report.groups:
        header, body = _grid(report)
        out += ["", f"## By {report.group_by}", ""]
        out += _md_table(header, body, ["---"] + ["---:"] * (len(header) - 1))
        for note in _grid_notes(report):
            out += ["", note]
    definitions, undefined = _notes(report.rows)
    if definitions:
        out += ["", "Definitions:", "", *(f"- {d}" for d in definitions)]
    if undefined:
        out += ["", "Undefined:", "", *(f"- {s}" for s in undefined)]
    return "\n".join(out) + "\n"


_CSS = """
body { font-family: system-ui, sans-serif; margin: 2rem auto; max-width: 72rem; padding: 0 1rem;
  color: #222; }
.scroll { overflow-x: auto; } .scroll table { min-width: 44rem; }
table { border-collapse: collapse; margin: 1rem 0; }
th, td { border-bottom: 1px solid #ddd; padding: .3rem .7rem; text-align: left; }
td.n { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
.scope { list-style: none; padding: 0; } .scope b { font-weight: 600; }
figure { display: inline-block; margin: 1rem 1rem 1rem 0; max-width: 34rem;
  vertical-align: top; } figure img { max-width: 100%; height: auto; }
.note { background: #fff4e5; border-left: 4px solid #e8a33d; padding: .5rem .8rem; }
.muted { color: #666; }
"""


def _html(report: KPIReport) -> str:
    """One self-contained HTML page; its title is the report's title."""
    esc = html.escape
    title = report.title or "KPI report"
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{esc(title)}</title><style>{_CSS}</style></head><body>",
        f"<h1>{esc(title)}</h1>",
    ]
    scope = _scope_lines(report)
    if scope:
        parts += ['<ul class="scope">']
        parts += [f"<li><b>{esc(label)}:</b> {esc(text)}</li>" for label, text in scope]
        parts += ["</ul>"]
    table = html_table.table(*_table(report.rows), numeric={1, 3})
    parts += [f'<div class="scroll">{table}</div>']
    if report.groups:
        header, body = _grid(report)
        grid = html_table.table(header, body, numeric=set(range(1, len(header))))
        parts += [f"<h2>By {esc(str(report.group_by))}</h2>", f'<div class="scroll">{grid}</div>']
        parts += [f'<p class="muted">{esc(note)}</p>' for note in _grid_notes(report)]
    if report.charts or report.charts_note:
        parts += ["<h2>Charts</h2>"]
    if report.charts_note:
        parts += [f'<p class="note">{esc(report.charts_note)}</p>']
    parts += [
        f'<figure><img alt="{esc(caption)}" src="{esc(uri)}">'
        f"<figcaption>{esc(caption)}</figcaption></figure>"
        for caption, uri in report.charts
    ]
    definitions, undefined = _notes(report.rows)
    for heading, items in (("Definitions", definitions), ("Undefined", undefined)):
        if items:
            parts += [f"<h2>{heading}</h2><ul>"]
            parts += [f"<li>{esc(item)}</li>" for item in items]
            parts += ["</ul>"]
    parts += ['<p class="muted">Made with csmetrics.</p></body></html>']
    return "\n".join(parts) + "\n"


# -- json and csv: unrounded --------------------------------------------------------------------


def _plain(value: object) -> Any:
    """A JSON-ready value: numpy scalars become Python ones, nan and infinities None."""
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, np.generic):
        value = value.item()
    return None if isinstance(value, float) and not math.isfinite(value) else value


def _row_record(row: KPIRow) -> dict[str, Any]:
    interval = row.interval
    return {
        "key": row.key,
        "label": row.label,
        "status": row.status,
        "unit": row.unit,
        "statistic": row.statistic,
        "value": _plain(row.value),
        "low": None if interval is None else _plain(interval.low),
        "high": None if interval is None else _plain(interval.high),
        "confidence_level": None if interval is None else interval.confidence_level,
        "interval_method": None if interval is None else interval.method,
        "counts": {} if row.result is None else _plain(row.result.counts()),
        "definition": row.definition,
        "note": row.note,
    }


def _iso(moment: datetime | None) -> str | None:
    return None if moment is None else moment.isoformat()


def _scope_record(scope: Scope | None) -> dict[str, Any] | None:
    if scope is None:
        return None
    period = scope.period
    return {
        "source": scope.source,
        "contacts": scope.contacts,
        "total_contacts": scope.total_contacts,
        "first_start": _iso(scope.first_start),
        "last_start": _iso(scope.last_start),
        "answers": scope.answers,
        "as_of": _iso(scope.as_of),
        "as_of_given": scope.as_of_given,
        "period": None if period is None else [_iso(period.start), _iso(period.end)],
    }


def _json(report: KPIReport) -> str:
    """JSON with unrounded values."""
    document = {
        "title": report.title,
        "scope": _scope_record(report.scope),
        "rows": [_row_record(row) for row in report.rows],
        "group_by": report.group_by,
        "groups": [
            {"group": label, "rows": [_row_record(row) for row in rows]}
            for label, rows in report.groups
        ],
    }
    return json.dumps(document, indent=2, allow_nan=False, default=str) + "\n"


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _safe_cell(value: object) -> object:
    """Neutralise text a spreadsheet would run as a formula: prefix it with ``'``.

    Numbers are left as they are (a negative NPS is a number, not a formula).
    """
    if not isinstance(value, str) or not value.startswith(_FORMULA_START):
        return value
    try:
        float(value)
    except ValueError:
        return "'" + value
    return value


_CSV_FIELDS = (
    "group_by",
    "group",
    "key",
    "label",
    "status",
    "unit",
    "statistic",
    "value",
    "low",
    "high",
    "sample_size",
    "counts",
    "definition",
    "note",
)


def _csv(report: KPIReport) -> str:
    """CSV, one line per metric and group."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(_CSV_FIELDS)
    sections = [("", report.rows), *report.groups]
    for group, rows in sections:
        for row in rows:
            record = _row_record(row)
            size = None if row.result is None else row.result.sample_size
            values = [
                report.group_by if group else "",
                group,
                row.key,
                row.label,
                row.status,
                row.unit,
                row.statistic,
                record["value"],
                record["low"],
                record["high"],
                size,
                "" if row.result is None else _counts_text(row),
                row.definition,
                row.note,
            ]
            writer.writerow(["" if v is None else _safe_cell(v) for v in values])
    return out.getvalue()


_RENDERERS: dict[str, Callable[[KPIReport], str]] = {
    "text": _text,
    "markdown": _markdown,
    "html": _html,
    "json": _json,
    "csv": _csv,
}


def render(report: KPIReport | Sequence[KPIRow], /, *, format: Format = "text") -> str:
    """Render a report (or KPI rows) in one of `FORMATS`: text, markdown, html, json or csv.

    The one way to write a report out. Text, Markdown and HTML round for
    reading: rates in percent with one decimal, NPS in points with a sign,
    CES as a mean with two decimals, times as ``4m 05s``. JSON and CSV carry
    the unrounded values.

    Parameters
    ----------
    report
        A `KPIReport` (from `build_report`), or rows from `kpi_report`.
    format
        - ``"text"`` (default): the title; what the report covers (source
          file names, contacts with their first and last start, survey
          answers, the one ``as_of``; bare rows state only the as_of they
          share); an aligned table with each row's value, statistic
          (``rate``, ``median``, ``mean`` or ``points``), interval and counts
          (a skipped metric says why, naming the missing field); the
          breakdown; then the definitions used and why any metric is
          undefined. No line is longer than `WIDTH` (100) characters: long
          cells and notes wrap, and a breakdown too wide for one table is
          split into several. Ends in a newline.
        - ``"markdown"``: the same content as Markdown tables (the title as a
          heading) and bullet lists; lines are not wrapped.
        - ``"html"``: one self-contained page titled with the report's title
          (inline styles, plots embedded as PNG ``data:`` URIs; nothing is
          loaded from elsewhere; a note says how to get the plots when
          matplotlib is not installed). Every
          value written into the page is HTML-escaped, so a category or agent
          named ``<script>`` shows as text.
        - ``"json"``: what the report covers (``scope``), then unrounded
          values, statistics, counts, intervals and definitions; nan
          (undefined) and infinite bounds are written as ``null``.
        - ``"csv"``: one line per metric and group, values unrounded; the
          overall rows have an empty ``group``. Text cells starting with
          ``=``, ``+``, ``-``, ``@``, a tab or a carriage return are prefixed
          with ``'`` so a spreadsheet shows them instead of running them as
          formulas.

    Returns
    -------
    str
        The report in that format.

    Raises
    ------
    ValueError
        ``format`` is not one of `FORMATS`.

    Examples
    --------
    >>> from datetime import datetime, timedelta, timezone
    >>> from csmetrics import Interaction
    >>> t = datetime(2026, 3, 2, 9, tzinfo=timezone.utc)
    >>> contacts = [
    ...     Interaction(id=str(i), customer_id=f"c{i}", start=t + timedelta(hours=i),
    ...                 end=t + timedelta(hours=i, minutes=9), resolved=i % 4 > 0)
    ...     for i in range(8)
    ... ]
    >>> rows = kpi_report(contacts, as_of=datetime(2026, 3, 31, tzinfo=timezone.utc))
    >>> lines = render(rows).splitlines()
    >>> lines[0]
    'As of: 2026-03-31 00:00 UTC, for every contact metric'
    >>> for line in lines[2:8]:
    ...     print(line[:60])
    KPI                         Value  Statistic    95% interval
    ------------------------  -------  ---------  --------------
    First-contact resolution    75.0%  rate       [40.9%, 92.9%]
    Resolution rate             75.0%  rate       [40.9%, 92.9%]
    Reopen rate               skipped  rate                    -
    First response time       skipped  median                  -
    >>> lines[4][62:]
    '6 of 8 episodes; 0 pending; 0 repeats'
    >>> max(len(line) for line in lines) <= WIDTH
    True
    >>> rows[2].note
    "no 'issue_id' values in the data"
    >>> for line in render(rows, format="markdown").splitlines()[2:4]:
    ...     print(line)
    | KPI | Value | Statistic | 95% interval | Counts |
    | --- | ---: | --- | ---: | --- |
    """
    option("format", format, FORMATS)
    return _RENDERERS[format](_report_of(report))


# -- deprecated since 0.2, removed in 0.3 --------------------------------------------------------


@deprecated('render(report, format="text")')
def format_text(report: KPIReport | Sequence[KPIRow], /) -> str:
    """Deprecated: use ``render(report, format="text")``; removed in 0.3."""
    return render(report, format="text")


@deprecated('render(report, format="markdown")')
def format_markdown(report: KPIReport | Sequence[KPIRow], /) -> str:
    """Deprecated: use ``render(report, format="markdown")``; removed in 0.3."""
    return render(report, format="markdown")


@deprecated('render(report, format="html")')
def format_html(report: KPIReport | Sequence[KPIRow], /) -> str:
    """Deprecated: use ``render(report, format="html")``; removed in 0.3."""
    return render(report, format="html")


@deprecated('render(report, format="json")')
def format_json(report: KPIReport | Sequence[KPIRow], /) -> str:
    """Deprecated: use ``render(report, format="json")``; removed in 0.3."""
    return render(report, format="json")


@deprecated('render(report, format="csv")')
def format_csv(report: KPIReport | Sequence[KPIRow], /) -> str:
    """Deprecated: use ``render(report, format="csv")``; removed in 0.3."""
    return render(report, format="csv")
