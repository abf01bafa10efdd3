"""A KPI report: the headline metrics of a contact export, with intervals.

`kpi_report` computes first-contact resolution, resolution rate and, given
survey answers, NPS, CSAT, CES and survey-based FCR, each with its counts, a
confidence interval and the definition used. `format_text` and
`format_markdown` render the rows; rounding happens only there.

Directions and units: FCR, resolution rate, CSAT and survey FCR are fractions
in [0, 1] (shown in percent), higher is better; NPS is in points from -100 to
100, higher is better; CES is a mean on its 1..7 scale, higher is easier.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from typing import Any, Literal, TypeVar

import attrs

from csmetrics.errors import UndefinedMetricWarning
from csmetrics.model import Interaction, Survey
from csmetrics.resolution import fcr, resolution_rate
from csmetrics.results import CES, CSAT, FCR, NPS, Breakdown, Mean, Rate, Result
from csmetrics.stats import ConfidenceInterval, z_value
from csmetrics.surveys import ces, csat, nps, survey_fcr
from csmetrics.table import Interactions, Surveys

__all__ = ["KPIRow", "Status", "Unit", "format_markdown", "format_text", "kpi_report"]

R = TypeVar("R", bound=Result)
Status = Literal["ok", "undefined", "skipped"]
Unit = Literal["fraction", "points", "mean"]


@attrs.frozen(kw_only=True)
class KPIRow:
    """One line of a KPI report.

    Attributes
    ----------
    key
        The metric: ``"fcr"``, ``"resolution_rate"``, ``"nps"``, ``"csat"``,
        ``"ces"`` or ``"survey_fcr"``.
    label
        A readable name ("First-contact resolution").
    status
        ``"ok"``; ``"undefined"`` when the metric has no value (nothing in
        its denominator); ``"skipped"`` when its input was not given.
    unit
        ``"fraction"`` (a rate in [0, 1]), ``"points"`` (NPS, -100..100) or
        ``"mean"`` (CES, on its scale).
    result
        The metric's result object with all its counts; None when skipped.
    interval
        The confidence interval; None unless the status is ``"ok"``.
    definition
        The definition and parameters used, in words.
    note
        Why the metric is undefined or skipped; empty otherwise.
    """

    key: str
    label: str
    status: Status
    unit: Unit
    result: Result | None
    interval: ConfidenceInterval | None
    definition: str
    note: str = ""

    @property
    def value(self) -> float:
        """The unrounded headline value; nan unless the status is ``"ok"``."""
        return self.result.value if self.result is not None else math.nan


_LABELS = {
    "fcr": "First-contact resolution",
    "resolution_rate": "Resolution rate",
    "nps": "NPS",
    "csat": "CSAT",
    "ces": "CES",
    "survey_fcr": "Survey FCR",
}
_UNITS: dict[str, Unit] = {
    "fcr": "fraction",
    "resolution_rate": "fraction",
    "nps": "points",
    "csat": "fraction",
    "ces": "mean",
    "survey_fcr": "fraction",
}
_SURVEY_KINDS = {"nps": "nps", "csat": "csat", "ces": "ces", "survey_fcr": "fcr"}


def _compute(metric: Callable[[], R | Breakdown[R]]) -> R:
    # An undefined metric is shown as undefined in the report; its warning
    # would only repeat that on stderr.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UndefinedMetricWarning)
        result = metric()
    assert not isinstance(result, Breakdown)  # no by= is passed
    return result


def _define_fcr(result: FCR) -> str:
    as_of = "none" if result.as_of is None else result.as_of.isoformat()
    return (
        "FCR: episodes resolved at first contact with no repeat within "
        f"{result.window_days:g} days / decided episodes; match={result.match}, as_of={as_of}"
    )


def _define_csat(result: CSAT) -> str:
    low, high = result.scale
    return f"CSAT: answers >= {result.satisfied_from:g} on {low}..{high} / answers"


def _define_ces(result: CES) -> str:
    low, high = result.scale
    easier = "higher" if result.higher_is_easier else "lower"
    return f"CES: mean answer on {low}..{high}, {easier} is easier"


# The definition of each metric in words, with the parameters its result records.
_DEFINITIONS: dict[str, Callable[[Any], str]] = {
    "fcr": _define_fcr,
    "resolution_rate": lambda _: (
        "Resolution rate: requests whose latest contact is resolved / requests "
        "(contacts sharing an issue_id are one request)"
    ),
    "nps": lambda _: "NPS: 100 * (promoters 9-10 - detractors 0-6) / answers on 0..10",
    "csat": _define_csat,
    "ces": _define_ces,
    "survey_fcr": lambda _: (
        "Survey FCR: 'yes' answers / answers to 'was it resolved at the first contact?'"
    ),
}


def _answers(result: Rate | NPS | Mean) -> int:
    """How many answers a survey metric found."""
    return result.denominator if isinstance(result, Rate) else result.n


def _row(
    key: str,
    result: Rate | NPS | Mean,
    *,
    confidence_level: float,
    why_undefined: str,
) -> KPIRow:
    common: dict[str, Any] = {
        "key": key,
        "label": _LABELS[key],
        "unit": _UNITS[key],
        "result": result,
        "definition": _DEFINITIONS[key](result),
    }
    if not result.is_defined:
        return KPIRow(status="undefined", interval=None, note=why_undefined, **common)
    interval = result.ci(confidence_level=confidence_level)
    return KPIRow(status="ok", interval=interval, **common)


def _skipped(key: str, note: str) -> KPIRow:
    return KPIRow(
        key=key,
        label=_LABELS[key],
        status="skipped",
        unit=_UNITS[key],
        result=None,
        interval=None,
        definition="",
        note=note,
    )


def kpi_report(
    interactions: Interactions | Iterable[Interaction],
    surveys: Surveys | Iterable[Survey] | None = None,
    /,
    *,
    window_days: float = 7,
    as_of: datetime | None = None,
    confidence_level: float = 0.95,
) -> list[KPIRow]:
    """Compute the headline KPIs of a contact export, each with an interval.

    Rows, in order: ``fcr``, ``resolution_rate``, then ``nps``, ``csat``,
    ``ces`` and ``survey_fcr`` from the survey answers. A survey metric is
    skipped (status ``"skipped"``, with a note) when no surveys are given or
    none of its kind is present; a metric with nothing in its denominator is
    ``"undefined"`` (no `UndefinedMetricWarning` is emitted: the row says it).

    Parameters
    ----------
    interactions
        Contacts: an `Interactions` table or `Interaction` objects.
    surveys
        Survey answers: a `Surveys` table or `Survey` objects; None for a
        report of the contact metrics only.
    window_days
        The FCR repeat window in days (see `csmetrics.fcr`).
    as_of
        The moment up to which the contact data is complete, for FCR's
        pending episodes; default the latest contact start. Only FCR uses it.
    confidence_level
        Of every interval: Wilson for rates, the multinomial normal interval
        for NPS, Student t for CES.

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
    format_text, format_markdown : render the rows.

    Examples
    --------
    >>> from csmetrics.datasets import sample
    >>> data = sample()
    >>> rows = kpi_report(data.interactions, data.surveys)
    >>> [row.key for row in rows]
    ['fcr', 'resolution_rate', 'nps', 'csat', 'ces', 'survey_fcr']
    >>> rows[0].result.pending > 0
    True
    >>> [row.status for row in kpi_report(data.interactions)][2:]
    ['skipped', 'skipped', 'skipped', 'skipped']
    """
    z_value(confidence_level)  # validate once, even when every row is skipped
    if not isinstance(interactions, Interactions):
        interactions = Interactions.from_records(interactions)
    table = interactions
    rows = [
        _row(
            "fcr",
            _compute(lambda: fcr(table, window_days=window_days, as_of=as_of)),
            confidence_level=confidence_level,
            why_undefined="no decided episode (no contacts, or every episode pending)",
        ),
        _row(
            "resolution_rate",
            _compute(lambda: resolution_rate(table)),
            confidence_level=confidence_level,
            why_undefined="no contacts",
        ),
    ]
    if surveys is None:
        return rows + [_skipped(key, "no surveys given") for key in _SURVEY_KINDS]
    if not isinstance(surveys, Surveys):
        surveys = Surveys.from_records(surveys)
    answers = surveys
    results: dict[str, Rate | NPS | Mean] = {
        "nps": _compute(lambda: nps(answers)),
        "csat": _compute(lambda: csat(answers)),
        "ces": _compute(lambda: ces(answers)),
        "survey_fcr": _compute(lambda: survey_fcr(answers)),
    }
    for key, result in results.items():
        if _answers(result) == 0:
            kind = _SURVEY_KINDS[key]
            rows.append(_skipped(key, f"no {kind!r} answers in the surveys"))
        else:
            rows.append(_row(key, result, confidence_level=confidence_level, why_undefined=""))
    return rows


# Presentation: the only place where numbers are rounded.


def _number(value: float, unit: Unit) -> str:
    if math.isnan(value):
        return "n/a"
    if unit == "fraction":
        return f"{100 * value:.1f}%"
    if unit == "points":
        return f"{value:+.1f}"
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


def _fcr_counts(result: FCR) -> str:
    return (
        f"{result.numerator} of {result.denominator} episodes; "
        f"{result.pending} pending; {result.repeats} repeats"
    )


def _nps_counts(result: NPS) -> str:
    return (
        f"{result.n} answers: {result.promoters} promoters, "
        f"{result.passives} passives, {result.detractors} detractors"
    )


def _ces_counts(result: CES) -> str:
    std = "n/a" if math.isnan(result.std) else f"{result.std:.2f}"
    return f"{result.n} answers; sd {std}"


_COUNTS: dict[str, Callable[[Any], str]] = {
    "fcr": _fcr_counts,
    "resolution_rate": lambda r: f"{r.numerator} of {r.denominator} requests",
    "nps": _nps_counts,
    "csat": lambda r: f"{r.numerator} of {r.denominator} answers >= {r.satisfied_from:g}",
    "ces": _ces_counts,
    "survey_fcr": lambda r: f"{r.numerator} of {r.denominator} answers yes",
}


def _counts_text(row: KPIRow) -> str:
    return row.note if row.result is None else _COUNTS[row.key](row.result)


def _interval_header(rows: Sequence[KPIRow]) -> str:
    levels = {row.interval.confidence_level for row in rows if row.interval}
    if len(levels) == 1:
        return f"{100 * levels.pop():g}% interval"
    return "Interval"


def _table(rows: Sequence[KPIRow]) -> tuple[list[str], list[list[str]]]:
    header = ["KPI", "Value", _interval_header(rows), "Counts"]
    body = [[row.label, _value_text(row), _interval_text(row), _counts_text(row)] for row in rows]
    return header, body


def _notes(rows: Sequence[KPIRow]) -> tuple[list[str], list[str]]:
    """The definitions used, and why undefined metrics have no value."""
    definitions = [row.definition for row in rows if row.definition]
    if any(row.interval is not None for row in rows):
        definitions.append(f"Intervals: {_methods(rows)}")
    # A skipped row already says why in its counts column.
    undefined = [f"{row.label}: {row.note}" for row in rows if row.status == "undefined"]
    return definitions, undefined


def _methods(rows: Sequence[KPIRow]) -> str:
    names = {"wilson": "Wilson score", "normal": "normal (Rocks 2016)", "t": "Student t"}
    seen: dict[str, list[str]] = {}
    for row in rows:
        if row.interval is not None:
            method = names.get(row.interval.method, row.interval.method)
            seen.setdefault(method, []).append(row.label)
    return "; ".join(f"{method} for {', '.join(labels)}" for method, labels in seen.items())


def format_text(rows: Sequence[KPIRow], /) -> str:
    """Render KPI rows as an aligned plain-text table with definitions.

    Rates are shown in percent with one decimal, NPS in points with a sign,
    CES as a mean with two decimals; the rows keep the unrounded values.

    Parameters
    ----------
    rows
        Rows from `kpi_report`.

    Returns
    -------
    str
        The table (a skipped metric says why in its counts column), then the
        definitions used and why any metric is undefined; ends in a newline.

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
    >>> for line in format_text(rows).splitlines()[:5]:
    ...     print(line)
    KPI                         Value    95% interval  Counts
    ------------------------  -------  --------------  -------------------------------------
    First-contact resolution    75.0%  [40.9%, 92.9%]  6 of 8 episodes; 0 pending; 0 repeats
    Resolution rate             75.0%  [40.9%, 92.9%]  6 of 8 requests
    NPS                       skipped               -  no surveys given
    """
    header, body = _table(rows)
    widths = [max(len(line[i]) for line in [header, *body]) for i in range(4)]
    align = ["<", ">", ">", "<"]

    def line(cells: list[str]) -> str:
        text = "  ".join(f"{cell:{a}{w}}" for cell, a, w in zip(cells, align, widths, strict=True))
        return text.rstrip()

    out = [line(header), line(["-" * w for w in widths])]
    out += [line(cells) for cells in body]
    definitions, undefined = _notes(rows)
    if definitions:
        out += ["", "Definitions:", *(f"  {d}" for d in definitions)]
    if undefined:
        out += ["", "Undefined:", *(f"  {s}" for s in undefined)]
    return "\n".join(out) + "\n"


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def format_markdown(rows: Sequence[KPIRow], /) -> str:
    """Render KPI rows as a Markdown table with definitions.

    The same content and rounding as `format_text`.

    Parameters
    ----------
    rows
        Rows from `kpi_report`.

    Returns
    -------
    str
        A Markdown table, then bullet lists of the definitions used and of
        the reasons why any metric is undefined.

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
    >>> for line in format_markdown(rows).splitlines()[:4]:
    ...     print(line)
    | KPI | Value | 95% interval | Counts |
    | --- | ---: | ---: | --- |
    | First-contact resolution | 75.0% | [40.9%, 92.9%] | 6 of 8 episodes; 0 pending; 0 repeats |
    | Resolution rate | 75.0% | [40.9%, 92.9%] | 6 of 8 requests |
    """
    header, body = _table(rows)
    out = [
        "| " + " | ".join(_cell(c) for c in header) + " |",
        "| --- | ---: | ---: | --- |",
    ]
    out += ["| " + " | ".join(_cell(c) for c in cells) + " |" for cells in body]
    definitions, undefined = _notes(rows)
    if definitions:
        out += ["", "Definitions:", "", *(f"- {d}" for d in definitions)]
    if undefined:
        out += ["", "Undefined:", "", *(f"- {s}" for s in undefined)]
    return "\n".join(out) + "\n"
