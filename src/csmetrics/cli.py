"""The ``csmetrics`` command line.

``csmetrics report --sample`` prints the KPI report of the sample data shipped
with the package; ``csmetrics report contacts.csv --surveys surveys.csv``
prints the report of your own export (the CSV format is described in
`csmetrics.io`). Bad input ends with a one-line ``csmetrics: error: ...`` on
stderr and exit status 2.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from datetime import datetime
from importlib import metadata
from typing import NoReturn

from csmetrics.datasets import sample, sample_paths
from csmetrics.errors import InvalidDataError
from csmetrics.io import fromisoformat, read_interactions_csv, read_surveys_csv
from csmetrics.report import format_markdown, format_text, kpi_report
from csmetrics.table import Surveys

__all__ = ["main"]

_PROG = "csmetrics"
_USAGE_ERROR = 2


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
    return moment


def _confidence(text: str) -> float:
    try:
        level = float(text)
    except ValueError:
        level = float("nan")
    if not 0 < level < 1:
        msg = f"{text!r} is not allowed; use a number in (0, 1), e.g. 0.95"
        raise argparse.ArgumentTypeError(msg)
    return level


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
            "Print first-contact resolution, resolution rate and, with survey "
            "answers, NPS, CSAT, CES and survey FCR, each with its counts and a "
            "confidence interval."
        ),
        epilog=(
            "CSV format: a header row of field names (id, customer_id, start, end, "
            "resolved, channel, agent_id, issue_id, category; surveys: id, kind, "
            "score, at, customer_id, interaction_id, agent_id), ISO 8601 timestamps "
            "with UTC offset, empty cell = missing. Example: csmetrics report --sample"
        ),
    )
    report.add_argument(
        "interactions",
        nargs="?",
        metavar="INTERACTIONS_CSV",
        help="contacts, one per row",
    )
    report.add_argument("--surveys", metavar="SURVEYS_CSV", help="survey answers, one per row")
    report.add_argument(
        "--sample",
        action="store_true",
        help="use the sample data shipped with csmetrics (contacts and surveys)",
    )
    report.add_argument(
        "--window-days",
        type=_positive_days,
        default=7.0,
        metavar="N",
        help="FCR repeat window in days (default: 7)",
    )
    report.add_argument(
        "--as-of",
        type=_moment,
        metavar="ISO",
        help=(
            "for FCR, the moment the data is complete up to, with UTC offset "
            "(default: the latest contact start)"
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
        "--format",
        choices=("text", "markdown"),
        default="text",
        help="output format (default: text)",
    )
    return parser


def _report(args: argparse.Namespace) -> str:
    surveys: Surveys | None
    if args.sample == (args.interactions is not None):
        msg = "give either INTERACTIONS_CSV or --sample (see 'csmetrics report --help')"
        raise _Error(msg)
    if args.sample:
        if args.surveys is not None:
            msg = "--sample already includes surveys; drop --surveys or --sample"
            raise _Error(msg)
        data = sample()
        interactions, surveys = data.interactions, data.surveys
        paths = sample_paths()
        source = f"sample data ({paths.interactions.parent})"
    else:
        interactions = read_interactions_csv(args.interactions)
        surveys = None if args.surveys is None else read_surveys_csv(args.surveys)
        source = os.fspath(args.interactions)
        if args.surveys is not None:
            source += f" and {os.fspath(args.surveys)}"
    rows = kpi_report(
        interactions,
        surveys,
        window_days=args.window_days,
        as_of=args.as_of,
        confidence_level=args.confidence_level,
    )
    answers = "no surveys" if surveys is None else f"{len(surveys)} survey answers"
    title = f"KPI report: {len(interactions)} contacts, {answers}; {source}"
    if args.format == "markdown":
        return f"# {title}\n\n{format_markdown(rows)}"
    return f"{title}\n\n{format_text(rows)}"


def _one_line(err: BaseException) -> str:
    if isinstance(err, OSError) and err.filename is not None:
        text = f"cannot read {os.fsdecode(err.filename)}: {err.strerror}"
    else:
        text = str(err) or type(err).__name__
    return " ".join(text.split())


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
        on bad input, after a one-line ``csmetrics: error: ...`` on stderr.

    Examples
    --------
    >>> main(["report", "--sample", "--format", "markdown"])  # doctest: +ELLIPSIS
    # KPI report: 3074 contacts, 1463 survey answers; sample data ...
    <BLANKLINE>
    | KPI | Value | 95% interval | Counts |
    ...
    0
    """
    try:
        args = _parser().parse_args(argv)
    except SystemExit as done:  # --help and --version print and exit
        return 0 if done.code is None else int(done.code)
    except _Error as err:
        print(f"{_PROG}: error: {_one_line(err)}", file=sys.stderr)
        return _USAGE_ERROR
    try:
        output = _report(args)
    except (_Error, InvalidDataError, ValueError, OSError) as err:
        print(f"{_PROG}: error: {_one_line(err)}", file=sys.stderr)
        return _USAGE_ERROR
    sys.stdout.write(output)
    return 0
