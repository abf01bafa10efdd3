"""Rendering a KPI report: text, Markdown, HTML, JSON and CSV.

The only place where a report's numbers are rounded, by the rule result
reprs use too (`csmetrics.core.display`): text, Markdown and HTML show
rates in percent with one decimal, NPS in points with a sign and durations in
the unit that reads best; JSON and CSV keep every value unrounded. Text lines
fit in `WIDTH` columns. `render` is the one entry point.
"""

from __future__ import annotations

import csv
import html
import io
import json
import math
import re
import textwrap
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime, timezone
from typing import Any, Literal

import numpy as np

from csmetrics.core import html as html_table
from csmetrics.core.check import deprecated, option
from csmetrics.report.build import (
    _BY_FIELDS,
    _BY_KEY,
    _SURVEY_BY,
    KPIReport,
    KPIRow,
    Scope,
    _number,
)

Format = Literal["text", "markdown", "html", "json", "csv"]
FORMATS: tuple[Format, ...] = ("text", "markdown", "html", "json", "csv")
WIDTH = 100

__all__ = [
    "FORMATS",
    "WIDTH",
    "Format",
    "format_csv",
    "format_html",
    "format_json",
    "format_markdown",
    "format_text",
    "render",
    "rows_csv",
]


# -- presentation: the only place where numbers are rounded -----------------------------------


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


_FORMULA_START = ("=", "+", "-", "@", "\t")  # a line break never starts a cell: see _safe_cell


def _safe_cell(value: object) -> object:
    """Neutralise text a spreadsheet would run as a formula: prefix it with ``'``.

    A line break inside a cell becomes a space first: spreadsheets read an
    unquoted carriage return as a new row, whose first cell (``=cmd|...``
    after an ``x`` and a carriage return) would run. Numbers are left as they are (a negative NPS is
    a number, not a formula).
    """
    if isinstance(value, str):
        value = re.sub(r"[\r\n]+", " ", value)
    if not isinstance(value, str) or not value.startswith(_FORMULA_START):
        return value
    try:
        float(value)
    except ValueError:
        return "'" + value
    return value


def rows_csv(rows: Sequence[Mapping[str, Any]], fields: Sequence[str]) -> str:
    """CSV of one line per row, ``fields`` as the header (a per-ticket table, ...).

    None is an empty cell, a bool ``true``/``false``, a datetime ISO 8601,
    a float as Python writes it (no rounding); text that a spreadsheet
    would run as a formula is neutralised as in the report's CSV.
    """

    def cell(value: object) -> object:
        if value is None:
            return ""
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, datetime):
            return value.isoformat()
        return _safe_cell(value)

    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(fields)
    for row in rows:
        writer.writerow([cell(row.get(field)) for field in fields])
    return out.getvalue()


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
    >>> from csmetrics import Interaction, kpi_report
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
