"""The ``csmetrics`` command line (also ``python -m csmetrics``).

``csmetrics report --sample`` prints the KPI report of the sample data shipped
with the package; ``csmetrics report contacts.csv --surveys surveys.csv``
prints the report of your own export (the CSV format is described in
`csmetrics.adapters.io`; Parquet files need the ``frames`` extra). ``csmetrics
definitions`` lists every metric with its meaning and options; with
``--preset NAME``, a vendor preset's definition choices and their sources,
and the metrics it applies to with its values (`csmetrics.presets`).

A helpdesk export is read with ``--source``: ``csmetrics report --source
zendesk PATH`` (or ``freshdesk``, ``intercom``) reads the tickets with
`csmetrics.sources` and reports on their contacts (`Tickets.contacts`: one
per resolution cycle), and ``csmetrics tickets --source zendesk PATH
--format csv`` writes the per-ticket table of `csmetrics.ticket_metrics`
(``--style dbt_zendesk``: the rows of dbt_zendesk's ``zendesk__ticket_metrics``,
`csmetrics.presets.dbt_zendesk`), and ``csmetrics explain --source zendesk
PATH --presets zendesk dbt_zendesk`` lists the tickets two presets count
differently, each with the definition choice behind it (`csmetrics.explain`);
``csmetrics explain contacts.csv --field service_level --a icmi-offered --b
icmi-answered --both threshold=20`` does the same for the contacts of a
file and a contact metric (``fcr``, ``first_response_time``). For Zendesk,
PATH is a directory of warehouse tables (with ``ticket.csv`` or
``ticket.parquet``) or the API's JSON; for Freshdesk, the API's JSON or
the ticket CSV export (with ``--assume-timezone``); ``--statuses
6=pending,7=hold`` maps Freshdesk's custom statuses and ``--on-orphan warn``
leaves out (and counts) comments of missing tickets. A reader's warnings
are printed as ``csmetrics: warning: ...`` lines on stderr.

It never prints a traceback. Exit status:

- 0: done (``--help`` and ``--version`` too).
- 2: bad input or usage: an option's value, a missing or unreadable file,
  missing columns, a bad timestamp, an output that cannot be written; one
  line ``csmetrics: error: ...`` on stderr naming the option, the file and
  line, the field and the value.
- 3: a bug in csmetrics: one line ``csmetrics: internal error: ...`` on
  stderr asking you to report it; set ``CSMETRICS_TRACEBACK=1`` to see the
  traceback.
- 130: interrupted (Ctrl-C).

Line numbers in messages are the file's own, 1-based and counting the
header line, so line 2 is the first record; values are quoted as the file or
the command line has them.

Report options:

| option | meaning |
|---|---|
| ``--columns id=ticket_id,...`` | columns named otherwise (surveys: ``--survey-columns``) |
| ``--strict-columns`` | refuse the columns that would be ignored, naming them |
| ``--assume-timezone Europe/Berlin`` | the zone of timestamps written without UTC offset |
| ``--resolved-when status=solved,closed`` | resolved where that column holds one of the values |
| ``--survey-kind nps`` | the kind of every answer (a surveys file without ``kind``) |
| ``--period 2026-01-01..2026-02-01`` | only what starts in the period (dates are UTC) |
| ``--by agent_id`` | also every KPI per agent (or ``channel``, ``category``) |
| ``--every week`` | also every KPI per period, local to ``--timezone`` |
| ``--window-days 7`` | the FCR and reopen window |
| ``--service-level 20`` | the service-level threshold in seconds |
| ``--as-of ISO`` | the one moment every metric is complete up to (default: latest start) |
| ``--format text`` | ``text``, ``markdown``, ``html`` (one file with plots), ``json`` or ``csv`` |
| ``--output FILE`` | write to a file instead of stdout |

The report starts with what it covers: the source file names, the number of
contacts with their first and last start, the number of survey answers, and
the one ``as_of`` every contact metric is computed at. Each row says which
statistic it shows (a rate, a median, a mean or NPS points); a metric whose
input column is not in the file is listed as skipped, naming the column.
Text lines are at most 100 characters wide. With more than a million
contacts and a terminal on stderr, a progress bar shows each step. HTML
output escapes every value; CSV output prefixes text cells that start with
``=``, ``+``, ``-`` or ``@`` with ``'`` so a spreadsheet does not run them
as formulas.
"""

from __future__ import annotations

import argparse
import inspect
import json
import math
import os
import sys
import warnings
from collections.abc import Callable, Sequence
from datetime import datetime, timezone
from difflib import get_close_matches
from importlib import metadata
from pathlib import Path
from typing import Any, NoReturn, TextIO

from csmetrics import catalog, presets
from csmetrics.adapters.datasets import sample, sample_paths
from csmetrics.adapters.io import fromisoformat, read_interactions_csv, read_surveys_csv
from csmetrics.core.check import time_zone
from csmetrics.core.errors import InvalidDataError
from csmetrics.core.model import STATUSES, SURVEY_KINDS, Window
from csmetrics.core.reading import INTERACTION_FIELDS, SURVEY_FIELDS, Fields
from csmetrics.core.stats import z_value
from csmetrics.core.table import Interactions, Surveys
from csmetrics.core.tickets import Tickets
from csmetrics.metrics.tickets import TICKET_FIELDS, ticket_metrics
from csmetrics.report.build import Progress, build_report
from csmetrics.report.render import FORMATS, render, rows_csv
from csmetrics.sources import freshdesk, intercom, zendesk

__all__ = ["main"]

_PROG = "csmetrics"
_USAGE_ERROR = 2
_INTERNAL_ERROR = 3
_INTERRUPTED = 130
_REPORT_IT = (
    "this is a bug in csmetrics; please report it with the command line that caused it "
    "(CSMETRICS_TRACEBACK=1 shows the traceback)"
)


class _Error(Exception):
    """Bad input: reported as one line on stderr, exit status 2."""


class _Parser(argparse.ArgumentParser):
    """An argument parser whose usage errors are one line, like every other error."""

    def error(self, message: str) -> NoReturn:
        raise _Error(f"{message} (see '{self.prog} --help')")


def _positive_days(text: str) -> float:
    try:
        days = float(text)
    except ValueError:
        days = float("nan")
    if not days > 0 or days == float("inf"):
        msg = f"{text!r} is not allowed; use a number of days > 0"
        raise argparse.ArgumentTypeError(msg)
    return days


def _moment(text: str) -> datetime:
    try:
        moment = fromisoformat(text)
    except ValueError:
        msg = f"{text!r} is not an ISO 8601 timestamp"
        raise argparse.ArgumentTypeError(msg) from None
    if moment.utcoffset() is None:
        msg = f"{text!r} has no UTC offset; write e.g. 2026-04-01T00:00:00+00:00"
        raise argparse.ArgumentTypeError(msg)
    try:
        moment.astimezone(timezone.utc)
    except OverflowError:
        msg = f"{text!r} is outside the years 1 to 9999 in UTC"
        raise argparse.ArgumentTypeError(msg) from None
    return moment


def _confidence(text: str) -> float:
    try:
        level = float(text)
        # The intervals' own rule, so no level passes here that they refuse
        # later (1e-320 is in (0, 1) but leaves no tail to take a quantile of).
        z_value(level)
    except ValueError:
        msg = f"{text!r} is not allowed; use a number in (0, 1), at most 1 - 1e-15, e.g. 0.95"
        raise argparse.ArgumentTypeError(msg) from None
    return level


def _positive_seconds(text: str) -> float:
    try:
        seconds = float(text)
    except ValueError:
        seconds = float("nan")
    # > 0, as service_level(threshold=) takes: a contact answered in 0 s is
    # the only one "within 0 s", which no service-level target means.
    if not 0 < seconds < float("inf"):
        msg = f"{text!r} is not allowed; use a number of seconds > 0"
        raise argparse.ArgumentTypeError(msg)
    return seconds


def _columns(fields: Fields) -> Callable[[str], dict[str, str]]:
    """The parser of ``field=column,field=column`` as ``{field: column}`` for ``fields``."""

    def parse(text: str) -> dict[str, str]:
        pairs = [item.split("=", 1) for item in text.split(",") if item.strip()]
        if not pairs or any(len(pair) != 2 or not all(p.strip() for p in pair) for pair in pairs):
            msg = f"{text!r} is not a column map; write FIELD=COLUMN pairs, e.g. id=ticket_id"
            raise argparse.ArgumentTypeError(msg)
        mapping = {field.strip(): column.strip() for field, column in pairs}
        for field in mapping:
            if field not in fields.fields:
                close = get_close_matches(field, fields.fields, n=1)
                hint = f" (did you mean {close[0]!r}?)" if close else ""
                msg = (
                    f"{field!r} in {text!r} is not a field{hint}; the fields are "
                    f"{', '.join(fields.fields)}"
                )
                raise argparse.ArgumentTypeError(msg)
        return mapping

    return parse


def _resolved_when(text: str) -> dict[str, list[str]]:
    """``column=value,value`` as ``{column: [value, value]}``."""
    column, sep, rest = text.partition("=")
    values = [value.strip() for value in rest.split(",") if value.strip()]
    if not sep or not column.strip() or not values:
        msg = f"{text!r} is not a status rule; write COLUMN=VALUE,VALUE, e.g. status=solved,closed"
        raise argparse.ArgumentTypeError(msg)
    return {column.strip(): values}


def _bound(text: str) -> datetime:
    """A period bound: a date (midnight UTC) or a timestamp with UTC offset."""
    if len(text) == 10:
        try:
            return datetime.fromisoformat(text).replace(tzinfo=timezone.utc)
        except ValueError:
            pass
    return _moment(text)


def _period(text: str) -> Window:
    start, sep, end = text.partition("..")
    if not sep:
        msg = f"{text!r} is not a period; write START..END, e.g. 2026-01-01..2026-02-01"
        raise argparse.ArgumentTypeError(msg)
    first, last = _bound(start), _bound(end)
    if not last > first:
        msg = f"{text!r} is an empty period: END ({end!r}) must be after START ({start!r})"
        raise argparse.ArgumentTypeError(msg)
    try:
        return Window(start=first, end=last)
    except (InvalidDataError, ValueError, TypeError) as err:
        raise argparse.ArgumentTypeError(str(err)) from None


def _zone(text: str) -> str:
    try:
        return time_zone("zone", text)
    except ValueError as err:
        raise argparse.ArgumentTypeError(str(err)) from None


def _path(text: str) -> str:
    """A file name: not empty, no NUL character (which no file system takes)."""
    if not text.strip() or "\0" in text:
        msg = f"{text!r} is not a file name"
        raise argparse.ArgumentTypeError(msg)
    return text


def _version() -> str:
    try:
        return metadata.version("csmetrics")
    except metadata.PackageNotFoundError:
        return "unknown"


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(prog=_PROG, description="Customer-service KPI definitions.")
    parser.add_argument("--version", action="version", version=f"%(prog)s {_version()}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    report = commands.add_parser(
        "report",
        help="print the KPI report of a contact export",
        description=(
            "Print every KPI the data supports (FCR, resolution, reopen, response "
            "and resolution times, handle time, service level, abandonment, "
            "escalation, complaints and, with survey answers, NPS, CSAT, CES and "
            "survey FCR, agent rating), each with its counts, a confidence interval, "
            "the statistic shown and its definition, computed at one as_of. Metrics "
            "whose columns are not in the file are listed as skipped, naming the column."
        ),
        epilog=(
            "Files: CSV (or Parquet with the frames extra) with columns named like "
            "the fields (id, customer_id, start, end, resolved, channel, agent_id, "
            "issue_id, category, first_response_at, ...; surveys: id, kind, score, "
            "at, customer_id, interaction_id, agent_id); other columns are ignored. "
            "ISO 8601 timestamps with UTC offset (or --assume-timezone), empty cell = "
            "missing. Example: csmetrics report export.csv --columns "
            "id=Id,customer_id=Requester,start='Created at' --assume-timezone "
            "Europe/Berlin --resolved-when Status=solved,closed"
        ),
    )
    report.add_argument(
        "interactions",
        nargs="?",
        type=_path,
        metavar="INTERACTIONS",
        help="contacts (.csv or .parquet); with --source, a helpdesk export",
    )
    report.add_argument(
        "--surveys", type=_path, metavar="SURVEYS", help="survey answers (.csv or .parquet)"
    )
    report.add_argument(
        "--sample",
        action="store_true",
        help="use the sample data shipped with csmetrics (contacts and surveys)",
    )
    report.add_argument(
        "--columns",
        type=_columns(INTERACTION_FIELDS),
        metavar="MAP",
        help="contact columns named differently: FIELD=COLUMN,... (e.g. id=ticket_id)",
    )
    report.add_argument(
        "--survey-columns",
        type=_columns(SURVEY_FIELDS),
        metavar="MAP",
        help="the same for the surveys file",
    )
    report.add_argument(
        "--strict-columns",
        action="store_true",
        help="refuse columns that are neither fields nor mapped (default: ignore them)",
    )
    report.add_argument(
        "--assume-timezone",
        type=_zone,
        metavar="ZONE",
        help="IANA zone of timestamps without UTC offset (default: they are an error)",
    )
    report.add_argument(
        "--resolved-when",
        type=_resolved_when,
        metavar="COLUMN=VALUES",
        help=(
            "derive resolved from a column: true where it holds one of the values, "
            "any case (e.g. status=solved,closed)"
        ),
    )
    report.add_argument(
        "--survey-kind",
        choices=SURVEY_KINDS,
        help="the kind of every answer in the surveys file (a file without a kind column)",
    )
    report.add_argument(
        "--period",
        type=_period,
        metavar="START..END",
        help="only contacts and answers starting in [START, END): dates (UTC) or timestamps",
    )
    report.add_argument(
        "--by", choices=("agent_id", "channel", "category"), help="also break every KPI down"
    )
    report.add_argument(
        "--every",
        choices=("day", "week", "month", "quarter", "year"),
        help="also compute every KPI per period (not with --by)",
    )
    report.add_argument(
        "--timezone",
        type=_zone,
        default="UTC",
        metavar="ZONE",
        help="IANA zone of the periods (default UTC)",
    )
    report.add_argument(
        "--window-days",
        type=_positive_days,
        default=7.0,
        metavar="N",
        help="FCR and reopen window in days (default: 7)",
    )
    report.add_argument(
        "--service-level",
        type=_positive_seconds,
        metavar="SECONDS",
        help=("service-level threshold in seconds, > 0 (without it, service level is skipped)"),
    )
    report.add_argument(
        "--as-of",
        type=_moment,
        metavar="ISO",
        help=(
            "the moment the data is complete up to, with UTC offset; one moment for "
            "every contact metric, stated in the report's header; contacts starting "
            "after it are left out (default: the latest contact start)"
        ),
    )
    report.add_argument(
        "--confidence-level",
        type=_confidence,
        default=0.95,
        metavar="LEVEL",
        help="of the intervals (default: 0.95)",
    )
    report.add_argument(
        "--format", choices=FORMATS, default="text", help="output format (default: text)"
    )
    report.add_argument(
        "--output", type=_path, metavar="FILE", help="write the report to FILE instead of stdout"
    )
    _source_arguments(report, required=False)
    tickets = commands.add_parser(
        "tickets",
        help="write the per-ticket metrics of a helpdesk export",
        description=(
            "Read a Zendesk, Freshdesk or Intercom export and write one row per ticket: "
            "first reply, first and full resolution, the waits by status, reopens, "
            "replies, touches (the fields of csmetrics.ticket_metrics), in seconds."
        ),
    )
    tickets.add_argument("path", type=_path, metavar="PATH", help="the export (file or directory)")
    _source_arguments(tickets, required=True)
    tickets.add_argument(
        "--as-of",
        type=_moment,
        metavar="ISO",
        help="the moment the tickets are measured at (default: the latest event)",
    )
    tickets.add_argument(
        "--format", choices=("csv", "json"), default="csv", help="output format (default: csv)"
    )
    tickets.add_argument(
        "--output", type=_path, metavar="FILE", help="write the table to FILE instead of stdout"
    )
    tickets.add_argument(
        "--assume-timezone",
        type=_zone,
        metavar="ZONE",
        help="IANA zone of the times of a Freshdesk CSV export (required for it)",
    )
    tickets.add_argument(
        "--preset",
        choices=presets.names(),
        metavar="NAME",
        help="measure by a vendor preset's definitions, e.g. dbt_zendesk "
        "(default: Zendesk's; see 'csmetrics definitions --preset NAME')",
    )
    tickets.add_argument(
        "--style",
        choices=("csmetrics", "dbt_zendesk"),
        default="csmetrics",
        help="the columns: csmetrics' fields in seconds (default), or dbt_zendesk's "
        "zendesk__ticket_metrics names and minutes under its preset",
    )
    explain_ = commands.add_parser(
        "explain",
        help="list the records two definitions count differently, and why",
        description=(
            "Read a Zendesk, Freshdesk or Intercom export (--source) or a contacts file, "
            "measure it under two definitions (presets, or choices as JSON or KEY=VALUE,...) "
            "and list every ticket or contact whose value differs, with the definition "
            "choice that made the difference (csmetrics.explain). Example: csmetrics explain "
            "calls.csv --field service_level --a icmi-offered --b icmi-answered "
            "--both threshold=20"
        ),
    )
    explain_.add_argument(
        "path",
        type=_path,
        metavar="PATH",
        help="the export (file or directory) with --source; else contacts (.csv or .parquet)",
    )
    _source_arguments(explain_, required=False)
    explain_.add_argument(
        "--presets",
        nargs=2,
        type=_side,
        metavar=("A", "B"),
        help="the two sides to compare, e.g. zendesk dbt_zendesk (or --a A --b B)",
    )
    for side, other, which in (("a", "b", "first"), ("b", "a", "second")):
        explain_.add_argument(
            f"--{side}",
            type=_side,
            metavar=side.upper(),
            help=f"the {which} side (with --{other}): a preset, or choices as JSON or "
            "KEY=VALUE,... (e.g. window_days=3)",
        )
    explain_.add_argument(
        "--both",
        type=_side_choices,
        metavar="KEY=VALUE,...",
        help="choices both sides make unless they give their own (e.g. threshold=20)",
    )
    explain_.add_argument(
        "--field",
        action="append",
        choices=presets.EXPLAIN_FIELDS,
        metavar="FIELD",
        help="what to compare, repeatable: a ticket_metrics field, touch_rate, reopen_count, "
        f"or a contact metric ({', '.join(presets.CONTACT_METRICS)}) "
        f"(default with --source: {', '.join(_EXPLAINED)})",
    )
    explain_.add_argument(
        "--columns",
        type=_columns(INTERACTION_FIELDS),
        metavar="MAP",
        help="contact columns named differently: FIELD=COLUMN,... (a contacts file)",
    )
    explain_.add_argument(
        "--as-of",
        type=_moment,
        metavar="ISO",
        help="the moment the records are measured at (default: the latest event)",
    )
    explain_.add_argument(
        "--format",
        choices=("text", "csv", "json"),
        default="text",
        help="output format (default: text)",
    )
    explain_.add_argument(
        "--output", type=_path, metavar="FILE", help="write to FILE instead of stdout"
    )
    explain_.add_argument(
        "--assume-timezone",
        type=_zone,
        metavar="ZONE",
        help="IANA zone of times without UTC offset (a Freshdesk CSV export, a contacts file)",
    )
    definitions = commands.add_parser(
        "definitions",
        help="list every metric with its meaning and options",
        description="List every csmetrics metric: its one-line meaning and its options.",
    )
    definitions.add_argument(
        "--preset",
        choices=presets.names(),
        metavar="NAME",
        help="show a vendor preset: each definition choice with its source, and the metrics "
        f"it applies to with its values ({', '.join(presets.names())})",
    )
    return parser


_SOURCES = ("zendesk", "freshdesk", "intercom")


def _statuses(text: str) -> dict[str, str]:
    """``6=pending,7=hold`` (Freshdesk status codes or CSV names) as a mapping."""
    pairs: dict[str, str] = {}
    for item in text.split(","):
        key, sep, status = item.partition("=")
        if not sep or not key.strip() or status.strip() not in STATUSES:
            msg = f"{item!r} is not allowed; write CODE=STATUS with a status of {STATUSES}"
            raise argparse.ArgumentTypeError(msg)
        pairs[key.strip()] = status.strip()
    return pairs


def _source_arguments(command: argparse.ArgumentParser, *, required: bool) -> None:
    command.add_argument(
        "--source",
        choices=_SOURCES,
        required=required,
        help=(
            "read PATH as a helpdesk export: zendesk (a warehouse-table directory or API "
            "JSON), freshdesk (API JSON or the ticket CSV), intercom (API JSON)"
        ),
    )
    command.add_argument(
        "--statuses",
        type=_statuses,
        metavar="MAP",
        help="Freshdesk custom statuses: CODE=STATUS,... (CSV export: NAME=STATUS)",
    )
    command.add_argument(
        "--on-orphan",
        choices=("error", "warn"),
        help="comments or events of missing tickets: an error (default) or left out, counted",
    )


def _read_tickets(args: argparse.Namespace, path: str) -> Tickets:
    """The tickets of a helpdesk export; the readers' warnings become one line each."""
    source = args.source
    if args.statuses is not None and source != "freshdesk":
        msg = "--statuses maps Freshdesk's custom statuses; it applies to --source freshdesk"
        raise _Error(msg)
    if args.on_orphan is not None and source == "intercom":
        msg = "--on-orphan does not apply to --source intercom: its parts are nested"
        raise _Error(msg)
    orphans: dict[str, Any] = {} if args.on_orphan is None else {"on_orphan": args.on_orphan}
    where = Path(path)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        if source == "zendesk":
            tables = [where / "ticket.csv", where / "ticket.parquet"]
            if where.is_dir() and any(table.is_file() for table in tables):
                tickets = zendesk.read_tables(where, **orphans)
            else:
                tickets = zendesk.read_api(where, **orphans)
        elif source == "intercom":
            tickets = intercom.read_api(where)
        elif where.suffix.lower() == ".csv":
            tickets = _freshdesk_csv(args, where)
        else:
            codes = _codes(args.statuses)
            tickets = freshdesk.read_api(where, statuses=codes, **orphans)
    for warning in caught:
        print(f"{_PROG}: warning: {_one_line(Exception(warning.message))}", file=sys.stderr)
    return tickets


def _codes(statuses: dict[str, str] | None) -> dict[int, str] | None:
    if statuses is None:
        return None
    bad = [code for code in statuses if not code.isdigit()]
    if bad:
        msg = f"--statuses: {bad[0]!r} is not a status code; the API gives whole numbers"
        raise _Error(msg)
    return {int(code): status for code, status in statuses.items()}


def _freshdesk_csv(args: argparse.Namespace, path: Path) -> Tickets:
    if args.assume_timezone is None:
        msg = (
            f"{path.name}: a Freshdesk CSV export writes local times; give their zone "
            "with --assume-timezone ZONE"
        )
        raise _Error(msg)
    if args.on_orphan is not None:
        msg = "--on-orphan does not apply to a Freshdesk CSV export: it has one row per ticket"
        raise _Error(msg)
    return freshdesk.read_csv(path, timezone=args.assume_timezone, statuses=args.statuses)


def _tickets(args: argparse.Namespace) -> str:
    """The per-ticket table of an export, as CSV or JSON."""
    if args.style == "dbt_zendesk" and args.preset not in {None, "dbt_zendesk"}:
        msg = f"--style dbt_zendesk measures by the dbt_zendesk preset; drop --preset {args.preset}"
        raise _Error(msg)
    tickets = _read_tickets(args, args.path)
    if args.style == "dbt_zendesk":
        rows = presets.dbt_zendesk.ticket_metrics(tickets, as_of=args.as_of).to_rows()
        fields: Sequence[str] = tuple(presets.dbt_zendesk.COLUMNS)
    else:
        rows = ticket_metrics(tickets, as_of=args.as_of, preset=args.preset).to_rows()
        fields = TICKET_FIELDS
    if args.format == "json":
        return json.dumps(rows, indent=2, default=str, allow_nan=False) + "\n"
    return rows_csv(rows, fields)


_EXPLAINED = (
    "first_reply",
    "first_resolution",
    "full_resolution",
    "resolutions",
    "reopens",
    "touches",
    "touch_class",
)
"""The fields ``csmetrics explain`` compares by default: those the ticket choices change."""
_EXPLAIN_CSV = ("field", "id", "a", "b", "rule", "rule_a", "rule_b")


def _finite(value: float) -> float | None:
    """A headline for JSON: None for nan (no ticket to measure)."""
    return value if math.isfinite(value) else None


def _side_choices(text: str) -> dict[str, Any]:
    """``KEY=VALUE,...`` or a JSON object as choices; a value is read as JSON when it is JSON."""
    if text.lstrip().startswith("{"):
        try:
            given = json.loads(text)
        except json.JSONDecodeError as err:
            msg = f"{text!r} is not a JSON object: {err}"
            raise argparse.ArgumentTypeError(msg) from None
        if not isinstance(given, dict):
            msg = f"{text!r} is not a JSON object"
            raise argparse.ArgumentTypeError(msg)
        return given
    out: dict[str, Any] = {}
    for pair in text.split(","):
        key, equals, value = pair.partition("=")
        if not equals or not key.strip():
            msg = f"{pair!r} is not KEY=VALUE (e.g. window_days=3)"
            raise argparse.ArgumentTypeError(msg)
        try:
            out[key.strip()] = json.loads(value)
        except json.JSONDecodeError:
            out[key.strip()] = value.strip()
    return out


def _side(text: str) -> str | dict[str, Any]:
    """One side of ``csmetrics explain``: a preset's name, or choices (`_side_choices`)."""
    if text in presets.names():
        return text
    if "=" in text or text.lstrip().startswith("{"):
        return _side_choices(text)
    msg = (
        f"invalid choice: {text!r} (a preset: {', '.join(presets.names())}; or choices as "
        "JSON or KEY=VALUE,...)"
    )
    raise argparse.ArgumentTypeError(msg)


def _sides(args: argparse.Namespace) -> tuple[Any, Any]:
    """The two sides of ``csmetrics explain``: ``--presets A B``, or ``--a A --b B``."""
    if args.presets is not None and (args.a, args.b) == (None, None):
        a, b = args.presets
        return a, b
    if args.presets is None and None not in (args.a, args.b):
        return args.a, args.b
    msg = "give the two presets to compare: --presets A B, or --a A --b B"
    raise _Error(msg)


def _explained(args: argparse.Namespace) -> tuple[Any, Sequence[str]]:
    """The records ``csmetrics explain`` reads, and the fields it compares."""
    if args.source is not None:
        return _read_tickets(args, args.path), args.field or _EXPLAINED
    if args.statuses is not None or args.on_orphan is not None:
        name = "--statuses" if args.statuses is not None else "--on-orphan"
        msg = f"{name} applies to a helpdesk export; give it with --source"
        raise _Error(msg)
    fields = args.field or ()
    tickets_only = [field for field in fields if field not in presets.CONTACT_METRICS]
    if tickets_only:
        msg = (
            f"{tickets_only[0]} compares tickets: read a helpdesk export with --source "
            "(a contacts file gives the contact metrics)"
        )
        raise _Error(msg)
    if not fields:
        msg = (
            "a contacts file: name the metrics to compare with --field "
            f"({', '.join(presets.CONTACT_METRICS)})"
        )
        raise _Error(msg)
    options = {
        "strict": False,
        "assume_timezone": args.assume_timezone,
        "columns": args.columns,
        "resolved_when": None,
    }
    return _read(args.path, "interactions", options), fields


def _explain(args: argparse.Namespace) -> str:
    """The records two definitions count differently, per field: a note, CSV or JSON."""
    if args.columns is not None and args.source is not None:
        msg = "--columns reads a contacts file; it does not apply to --source"
        raise _Error(msg)
    a, b = _sides(args)
    data, fields = _explained(args)
    # --both gives each field the choices it takes: a threshold for
    # service_level, not for fcr compared in the same run.
    both = args.both or {}
    taken = {key for field in fields for key in presets.FIELD_CHOICES[field]}
    unused = [key for key in both if key not in taken]
    if unused:
        msg = f"--both: no field compared takes {unused[0]!r}; they take {', '.join(sorted(taken))}"
        raise _Error(msg)
    notes = [
        presets.explain(
            data,
            field,
            a,
            b,
            as_of=args.as_of,
            both={k: v for k, v in both.items() if k in presets.FIELD_CHOICES[field]},
        )
        for field in fields
    ]
    if args.format == "text":
        return "\n\n".join(note.text() for note in notes) + "\n"
    if args.format == "csv":
        rows = [{"field": note.field, **row} for note in notes for row in note.rows()]
        return rows_csv(rows, _EXPLAIN_CSV)
    data = [
        {
            "field": note.field,
            "a": note.a,
            "b": note.b,
            "as_of": None if note.as_of is None else note.as_of.isoformat(),
            "headline": note.headline,
            "headline_a": _finite(note.headline_a),
            "headline_b": _finite(note.headline_b),
            "difference": _finite(note.difference),
            "counts": note.counts(),
            "totals": note.totals(),
            "rows": note.rows(),
        }
        for note in notes
    ]
    return json.dumps(data, indent=2, default=str, allow_nan=False) + "\n"


def _read(path: str, kind: str, options: dict[str, Any]) -> Any:
    """Read contacts or survey answers from a CSV or Parquet file with the reading options."""
    table = Interactions if kind == "interactions" else Surveys
    if Path(path).suffix.lower() not in (".parquet", ".pq"):
        reader = read_interactions_csv if kind == "interactions" else read_surveys_csv
        return reader(path, **options)
    try:
        return table.read_parquet(path, **options)
    except ImportError:
        msg = f"reading {path} needs pyarrow and narwhals: pip install 'csmetrics[frames]'"
        raise _Error(msg) from None
    except InvalidDataError as err:
        msg = f"{path}: {err}"
        raise _Error(msg) from None


def _reading(args: argparse.Namespace) -> tuple[dict[str, Any], dict[str, Any]]:
    """The reading options of the contacts file and of the surveys file."""
    given = [
        option
        for option, value in (
            ("--columns", args.columns),
            ("--survey-columns", args.survey_columns),
            ("--strict-columns", args.strict_columns or None),
            ("--assume-timezone", args.assume_timezone),
            ("--resolved-when", args.resolved_when),
            ("--survey-kind", args.survey_kind),
        )
        if value is not None
    ]
    if args.sample and given:
        msg = f"{given[0]} reads your own files; it does not apply to --sample"
        raise _Error(msg)
    if args.sample and args.source is not None:
        msg = "--source reads your own export; it does not apply to --sample"
        raise _Error(msg)
    contact_file = [o for o in given if o in ("--columns", "--strict-columns", "--resolved-when")]
    if args.source is not None and contact_file:
        msg = f"{contact_file[0]} reads a contacts file; it does not apply to --source"
        raise _Error(msg)
    if args.source is None and (args.statuses is not None or args.on_orphan is not None):
        option_name = "--statuses" if args.statuses is not None else "--on-orphan"
        msg = f"{option_name} applies to a helpdesk export; give it with --source"
        raise _Error(msg)
    surveys_only = [o for o in given if o in ("--survey-columns", "--survey-kind")]
    if args.surveys is None and surveys_only:
        msg = f"{surveys_only[0]} applies to the surveys file; give it with --surveys FILE"
        raise _Error(msg)
    both = {"strict": args.strict_columns, "assume_timezone": args.assume_timezone}
    contacts = {**both, "columns": args.columns, "resolved_when": args.resolved_when}
    answers = {**both, "columns": args.survey_columns, "kind": args.survey_kind}
    return contacts, answers


_BIG = 1_000_000  # rows above which a terminal gets a progress bar


def _bar(stream: TextIO) -> Callable[[str, int, int], None]:
    def show(step: str, done: int, total: int) -> None:
        width = 30
        filled = width * done // max(total, 1)
        text = f"\r{_PROG}: [{'#' * filled}{'.' * (width - filled)}] {done}/{total} {step}"
        stream.write(f"{text:<79}")
        stream.flush()

    return show


def _progress(rows: int, stream: TextIO) -> Progress | None:
    """A progress bar on ``stream`` for large inputs, only on a terminal."""
    return Progress(show=_bar(stream)) if rows > _BIG and stream.isatty() else None


def _report(args: argparse.Namespace) -> str:
    surveys: Surveys | None
    if args.sample == (args.interactions is not None):
        msg = "give either INTERACTIONS or --sample (see 'csmetrics report --help')"
        raise _Error(msg)
    contact_options, survey_options = _reading(args)
    if args.sample:
        if args.surveys is not None:
            msg = "--sample already includes surveys; drop --surveys or --sample"
            raise _Error(msg)
        data = sample()
        interactions, surveys = data.interactions, data.surveys
        paths = sample_paths()
        source = f"csmetrics sample data: {paths.interactions.name}, {paths.surveys.name}"
    elif args.source is not None:
        interactions = _read_tickets(args, args.interactions).contacts()
        surveys = None
        if args.surveys is not None:
            surveys = _read(args.surveys, "surveys", survey_options)
        files = [args.interactions] + ([args.surveys] if args.surveys is not None else [])
        names = ", ".join(Path(os.fspath(file)).name for file in files)
        source = f"{args.source} export: {names} (one contact per resolution cycle)"
    else:
        interactions = _read(args.interactions, "interactions", contact_options)
        surveys = None
        if args.surveys is not None:
            surveys = _read(args.surveys, "surveys", survey_options)
        # File names, not paths: a report is shared, and a path says who made it where.
        files = [args.interactions] + ([args.surveys] if args.surveys is not None else [])
        source = ", ".join(Path(os.fspath(file)).name for file in files)
    if args.by and args.every:
        msg = "--by and --every cannot be combined; break the report down by one of them"
        raise _Error(msg)
    progress = _progress(len(interactions), sys.stderr)
    report = build_report(
        interactions,
        surveys,
        title="KPI report",
        source=source,
        window_days=args.window_days,
        as_of=args.as_of,
        confidence_level=args.confidence_level,
        period=args.period,
        service_level=args.service_level,
        by=args.by,
        every=args.every,
        timezone=args.timezone,
        charts=args.format == "html",
        progress=progress,
    )
    if progress is not None:
        sys.stderr.write("\n")
    return render(report, format=args.format)


def _definitions(preset: str | None = None) -> str:
    """Every catalogued metric: its meaning, unit, direction and options with their sources.

    With ``preset``, the preset's choices and sources, then the metrics it
    applies to, each option shown with the value the preset gives it.
    """
    lines = []
    chosen: dict[str, str] = {}
    entries = catalog.entries()
    if preset is not None:
        chosen = presets.get(preset).choices()
        lines += [presets.get(preset).describe(), ""]
        entries = tuple(e for e in entries if set(chosen) & set(e.defaults()))
    for entry in entries:
        better = f", {entry.direction} is better" if entry.direction else ""
        params = inspect.signature(entry.function).parameters.values()
        given = {"preset": preset, **chosen} if preset is not None else {}
        options = ", ".join(
            f"{p.name}={given.get(p.name, p.default)!r}" if p.default is not p.empty else p.name
            for p in params
            if p.kind is p.KEYWORD_ONLY
        )
        lines += [
            entry.name,
            f"    {entry.meaning}",
            f"    unit: {entry.unit}{better}",
            f"    options: {options or '(none)'}",
            *(f"    {name}: {source}" for name, source in entry.sources.items()),
            "",
        ]
    return "\n".join(lines)


class _WriteError(Exception):
    """The report could not be written: reported as a write error, exit status 2."""


def _one_line(err: BaseException) -> str:
    if isinstance(err, OSError) and err.filename is not None:
        text = f"cannot read {os.fsdecode(err.filename)}: {err.strerror}"
    else:
        text = str(err) or type(err).__name__
    return " ".join(text.split())


def _write(output: str, path: str | None) -> None:
    """Write the report to ``path`` (stdout when None); a failure is a `_WriteError`."""
    if path is None:
        sys.stdout.write(output)
        return
    try:
        Path(path).write_text(output, encoding="utf-8")
    except (OSError, ValueError) as err:  # ValueError: a NUL in the path
        reason = getattr(err, "strerror", None) or str(err)
        msg = f"cannot write the report to {path!r}: {reason}"
        raise _WriteError(msg) from None


def _fail(status: int, text: str) -> int:
    label = "internal error" if status == _INTERNAL_ERROR else "error"
    print(f"{_PROG}: {label}: {' '.join(text.split())}", file=sys.stderr)
    return status


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``csmetrics`` command line.

    Parameters
    ----------
    argv
        The arguments after the program name; None reads ``sys.argv``.

    Returns
    -------
    int
        The exit status: 0 on success (``--help`` and ``--version`` too), 2
        on bad input, after a one-line ``csmetrics: error: ...`` on stderr,
        3 on a bug in csmetrics (``csmetrics: internal error: ...``), 130 when
        interrupted. Never a traceback, unless the environment variable
        ``CSMETRICS_TRACEBACK`` is set.

    Examples
    --------
    The report of the sample data, as Markdown in a file:

    >>> import tempfile
    >>> from pathlib import Path
    >>> folder = tempfile.TemporaryDirectory()
    >>> out = Path(folder.name) / "report.md"
    >>> main(["report", "--sample", "--format", "markdown", "--output", str(out)])
    0
    >>> [line for line in out.read_text(encoding="utf-8").splitlines() if line.startswith("| KPI")]
    ['| KPI | Value | Statistic | 95% interval | Counts |']
    >>> folder.cleanup()

    Bad input returns 2, after ``csmetrics: error: --sample already includes
    surveys; drop --surveys or --sample`` on stderr:

    >>> main(["report", "--sample", "--surveys", "surveys.csv"])
    2
    """
    try:
        return _run(argv)
    except KeyboardInterrupt:
        return _fail(_INTERRUPTED, "interrupted")
    except Exception as err:
        # The guard of last resort: whatever went wrong is one line, not a traceback.
        if os.environ.get("CSMETRICS_TRACEBACK"):
            raise
        return _fail(_INTERNAL_ERROR, f"{type(err).__name__}: {_one_line(err)}; {_REPORT_IT}")


def _run(argv: Sequence[str] | None) -> int:
    try:
        args = _parser().parse_args(argv)
    except SystemExit as done:  # --help and --version print and exit
        return 0 if done.code is None else int(done.code)
    except _Error as err:
        return _fail(_USAGE_ERROR, _one_line(err))
    try:
        if args.command == "definitions":
            output = _definitions(args.preset)
        elif args.command == "tickets":
            output = _tickets(args)
        elif args.command == "explain":
            output = _explain(args)
        else:
            output = _report(args)
        _write(output, getattr(args, "output", None))
    except (_Error, _WriteError, InvalidDataError, ValueError, OSError) as err:
        return _fail(_USAGE_ERROR, _one_line(err))
    return 0
