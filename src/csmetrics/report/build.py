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

import math
import warnings
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from typing import Any, Literal
from zoneinfo import ZoneInfo

import attrs
import numpy as np

from csmetrics import catalog
from csmetrics.adapters import dask as dask_adapter
from csmetrics.analysis.compare import WITH_INTERVAL
from csmetrics.core import display
from csmetrics.core.check import option, takes_tables
from csmetrics.core.distributed import is_distributed
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
    "STATISTICS",
    "KPIReport",
    "KPIRow",
    "Progress",
    "Scope",
    "Statistic",
    "Status",
    "Unit",
    "build_report",
    "kpi_report",
]

Status = Literal["ok", "undefined", "skipped"]
Unit = Literal["fraction", "points", "mean", "seconds"]
UNITS: tuple[Unit, ...] = ("fraction", "points", "mean", "seconds")
Statistic = Literal["rate", "median", "mean", "points"]
"""What a row's value is: a rate (a share), the median or the mean of its
units, or NPS points. The p90 of a time is in its counts."""
STATISTICS: tuple[Statistic, ...] = ("rate", "median", "mean", "points")
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


_Summary = dask_adapter.Summary
_Contacts = Interactions | _Summary
"""Contacts: a table, or the summary of a Dask DataFrame whose metrics run on the cluster."""
_Answers = Surveys | _Summary


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
    lacks: Callable[[_Contacts], str] | None  # a further reason to skip, from the data


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
    lacks: Callable[[_Contacts], str] | None = None,
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


def _no_values(*fields: str, named: str = "") -> Callable[[_Contacts], str]:
    """Skip when none of ``fields`` has a value: a column given but empty (or records without)."""

    def lacks(table: _Contacts) -> str:
        if any(_has_values(table, field) for field in fields):
            return ""
        return f"no {named or ' or '.join(repr(field) for field in fields)} values in the data"

    return lacks


def _has_values(table: _Contacts, field: str) -> bool:
    if isinstance(table, _Summary):
        return table.has_values(field)
    if field == "first_response":  # the first_response_at column, not messages
        return table.has("first_response_at") and bool((table.first_response != OPEN).any())
    if table.absent((field,)):  # first_response_at is given by messages too
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
            "first_response",  # the fallback end - first_response_at
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


def _missing(metric: _Metric, table: _Contacts | _Answers | None, opts: _Options) -> str:
    """Why ``metric`` is skipped on this data; empty when it runs."""
    if table is None:
        return "no surveys given"
    if isinstance(table, Surveys) or (isinstance(table, _Summary) and table.table == "surveys"):
        kind = metric.needs[0]
        if isinstance(table, _Summary):
            answers = table.kinds.get(kind, 0)
        else:
            answers = len(table.of_kind(kind))
        return "" if answers else f"no {kind!r} answers in the surveys"
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
) -> tuple[_Contacts, _Answers | None]:
    """The tables of the report; a Dask DataFrame stays on its cluster, summarised."""
    contacts: _Contacts
    answers: _Answers | None
    if is_distributed(interactions):
        contacts = dask_adapter.summarize(interactions, table="contacts")
    elif not isinstance(interactions, Interactions):
        contacts = Interactions.from_records(interactions)
    else:
        contacts = interactions
    if is_distributed(surveys):
        answers = dask_adapter.summarize(surveys, table="surveys")
    elif surveys is not None and not isinstance(surveys, Surveys):
        answers = Surveys.from_records(surveys)
    else:
        answers = surveys
    return contacts, answers


def _data(table: _Contacts | _Answers) -> Any:
    """What a metric is given: the table, or the Dask DataFrame a summary is of."""
    return table.frame if isinstance(table, _Summary) else table


def _resolve_as_of(contacts: _Contacts, as_of: datetime | None) -> datetime | None:
    """The report's one as_of: the one given, else the latest contact start (decision 6)."""
    if as_of is not None:
        micros("as_of", as_of)  # a naive datetime is an error, even without contacts
        return as_of
    if isinstance(contacts, _Summary):
        return None if contacts.last is None else from_micros(contacts.last)
    return from_micros(int(contacts.start.max())) if len(contacts) else None


def _options(
    contacts: _Contacts,
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
    contacts: _Contacts,
    answers: _Answers | None,
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
        assert table is not None  # no surveys is a reason to skip
        result = _quietly(metric.run, _data(table), opts, period, None)
        rows.append(_row(metric, result, opts.confidence_level))
    return rows


@takes_tables("Interactions", dask=True)
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
        Contacts: an `Interactions` table or `Interaction` objects, or a
        Dask DataFrame (``Interactions.read_parquet(path,
        distributed=True)``): one Dask computation finds which fields have
        values, the latest start and what the report covers, then each
        metric runs on the cluster and only merged results come back
        (decision 140). The rows are those of the same data in one process.
    surveys
        Survey answers: a `Surveys` table or `Survey` objects, or a Dask
        DataFrame; None for a report of the contact metrics only.
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
    contacts: _Contacts,
    answers: _Answers | None,
    opts: _Options,
    *,
    source: str,
    period: Window | None,
    as_of_given: bool,
) -> Scope:
    if isinstance(contacts, _Summary) or isinstance(answers, _Summary):
        return _distributed_scope(
            contacts, answers, opts, source=source, period=period, as_of_given=as_of_given
        )
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


def _distributed_scope(
    contacts: _Contacts,
    answers: _Answers | None,
    opts: _Options,
    *,
    source: str,
    period: Window | None,
    as_of_given: bool,
) -> Scope:
    """`_scope` where the contacts or the answers are a Dask DataFrame: counted on the cluster."""
    since, before = (None, None) if period is None else (period.start, period.end)
    if isinstance(contacts, _Summary):
        n, first, last = dask_adapter.window_stats(
            contacts.frame, "start", since=since, before=before, upto=opts.as_of
        )
    else:
        keep = in_period(contacts.start, period)
        if opts.as_of is not None:
            keep &= contacts.start <= micros("as_of", opts.as_of)
        starts = contacts.start[keep]
        n = len(starts)
        first = int(starts.min()) if n else None
        last = int(starts.max()) if n else None
    count: int | None = None
    if isinstance(answers, _Summary):
        count = dask_adapter.window_stats(
            answers.frame, "at", since=since, before=before, upto=None
        )[0]
    elif answers is not None:
        count = int(in_period(answers.at, period).sum())
    return Scope(
        source=source,
        contacts=n,
        total_contacts=len(contacts),
        first_start=None if first is None else from_micros(first),
        last_start=None if last is None else from_micros(last),
        answers=count,
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
    contacts: _Contacts,
    answers: _Answers | None,
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
        assert table is not None  # the metric ran overall
        breakdown = _quietly(metric.run, _data(table), opts, None, by)
        assert isinstance(breakdown, Breakdown)
        for key, result in breakdown.items():
            row = _row(metric, result, opts.confidence_level)
            per_group.setdefault(_label(key), []).append(row)
    return tuple((label, tuple(rows)) for label, rows in sorted(per_group.items()))


def _period_rows(
    contacts: _Contacts,
    answers: _Answers | None,
    opts: _Options,
    *,
    every: Every,
    timezone: str,
    progress: Progress | None,
) -> tuple[tuple[str, tuple[KPIRow, ...]], ...]:
    if not len(contacts):
        return ()
    zone = ZoneInfo(timezone)
    # The periods span the first to the last start: a summary knows those two.
    starts = contacts.starts() if isinstance(contacts, _Summary) else contacts.start
    windows = buckets(starts, every=every, timezone=zone).windows
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


@takes_tables("Interactions", dask=True)
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
        contact start) and stated in the report's header. Dask DataFrames
        give the same report; of the charts, those drawn from merged
        results only (the durations' curves, the complaint funnel), and
        ``charts_note`` names the others.
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
    contacts: _Contacts, rows: Sequence[KPIRow], opts: _Options
) -> tuple[tuple[tuple[str, str], ...], str]:
    """Plots of the HTML report as ``(caption, data URI)``, and a note when there are none.

    A chart is drawn only for a metric whose row has a value: never for a
    skipped one. On a Dask DataFrame only the charts drawn from merged
    results are: the durations' curves and the complaint funnel (its
    metric runs on the cluster); the note names the others.
    """
    try:
        import matplotlib  # noqa: F401, PLC0415 (optional extra)
    except ImportError:
        return (), _INSTALL_PLOTS
    from csmetrics.analysis.trend import trend  # noqa: PLC0415 (the report needs it only here)
    from csmetrics.metrics.workload import pareto  # noqa: PLC0415
    from csmetrics.report import plots  # noqa: PLC0415 (imports matplotlib)

    results = {row.key: row.result for row in rows if row.status == "ok"}
    if isinstance(contacts, _Summary):
        return _merged_charts(contacts, results)
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


_TABLE_CHARTS = (
    "the FCR trend, the contact reasons and the service-level curve need the contacts in "
    "one process and are not drawn for a Dask DataFrame"
)


def _merged_charts(
    contacts: _Summary, results: dict[str, Any]
) -> tuple[tuple[tuple[str, str], ...], str]:
    """The charts of `_charts` that merged results give, for contacts on a Dask cluster."""
    from csmetrics.report import plots  # noqa: PLC0415 (imports matplotlib)

    out = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UndefinedMetricWarning)
        for key in ("resolution_time", "first_response_time"):
            times = results.get(key)
            if isinstance(times, Durations):
                out.append((f"{_BY_KEY[key].label}: share still open", plots.plot_durations(times)))
        if "complaint_rate" in results:
            funnel = complaint_rate(contacts.frame, by="agent_id")
            assert isinstance(funnel, Funnel)
            out.append(("Complaint rate per agent (funnel plot)", plots.plot_funnel(funnel)))
    pictures = tuple((caption, plots.figure_data_uri(ax)) for caption, ax in out)
    return pictures, f"Charts of merged results only: {_TABLE_CHARTS}."


def _number(value: float, unit: Unit) -> str:
    return display.number(value, unit)
