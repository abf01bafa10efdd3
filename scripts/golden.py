"""The golden numbers: the KPI report of the sample data, stored and compared bit for bit.

    python scripts/golden.py            # compare; exit 1 and name the files that differ
    python scripts/golden.py --write    # regenerate tests/golden/ after a definition change

``tests/test_golden.py`` runs the comparison. Regenerating is for a
deliberate change of a definition (or of a report's layout) only, and goes
with a CHANGELOG entry under "Changed definitions" that names the metric and
the numbers that moved (docs/stability.md).

What is stored, for ``csmetrics report --sample`` (the sample data's as_of is
its latest contact start, so nothing depends on the clock or the machine):

- ``report.txt``, ``report.md``, ``report.json``, ``report.csv``,
  ``report.html``: the command's output in every format. In the HTML the
  embedded PNG plots are replaced by a placeholder (their pixels depend on
  the matplotlib version; the numbers drawn are in the other files).
- ``report-by-channel.json`` and ``report-by-channel.csv``: the same with
  ``--service-level 20 --by channel``, so service level and every per-group
  result are covered too.
- ``results.json``: every number of the `csmetrics.kpi_report` result
  objects of both reports, unrounded: value, interval, counts, parameters,
  a mean's standard deviation, total and exact sums, a duration's mean,
  total and quantiles. Floats are written with ``repr``, which round-trips
  the exact bits; exact sums as ``"numerator/denominator"``.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import math
import re
import sys
from collections.abc import Sequence
from datetime import datetime
from fractions import Fraction
from pathlib import Path
from typing import Any

import csmetrics
from csmetrics.adapters.datasets import sample
from csmetrics.cli import main as cli_main

GOLDEN = Path(__file__).resolve().parents[1] / "tests" / "golden"

REPORTS: dict[str, list[str]] = {
    "report.txt": ["--format", "text"],
    "report.md": ["--format", "markdown"],
    "report.json": ["--format", "json"],
    "report.csv": ["--format", "csv"],
    "report.html": ["--format", "html"],
    "report-by-channel.json": ["--format", "json", "--service-level", "20", "--by", "channel"],
    "report-by-channel.csv": ["--format", "csv", "--service-level", "20", "--by", "channel"],
}
"""Golden file name -> the options after ``csmetrics report --sample``."""

_PNG = re.compile(r"data:image/png;base64,[A-Za-z0-9+/=]+")
_EXTRA = (
    "std",
    "total",
    "mean",
    "median",
    "p90",
    "p95",
    "min",
    "max",
    "exact_total",
    "exact_squares",
    "exact_counts",
)
"""Numbers a result gives beyond its value and counts, where it has them."""


def cli_output(options: Sequence[str]) -> str:
    """What ``csmetrics report --sample OPTIONS`` prints."""
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = cli_main(["report", "--sample", *options])
    if code != 0:
        msg = f"csmetrics report --sample {' '.join(options)} exited {code}"
        raise RuntimeError(msg)
    return _PNG.sub("data:image/png;base64,(plot)", out.getvalue())


def _plain(value: Any) -> Any:
    """A JSON value that keeps every bit: floats by repr, fractions as text."""
    if isinstance(value, bool) or value is None or isinstance(value, (int, str)):
        return value
    if isinstance(value, float):
        return repr(value) if not math.isfinite(value) else value
    if isinstance(value, Fraction):
        return f"{value.numerator}/{value.denominator}"
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, (tuple, list)):
        return [_plain(v) for v in value]
    return repr(value)


def result_numbers(result: csmetrics.Result | None, interval: Any) -> dict[str, Any] | None:
    """Every number of one report row's result, unrounded."""
    if result is None:
        return None
    out: dict[str, Any] = {"type": type(result).__name__, "value": _plain(result.value)}
    if interval is not None:
        out["interval"] = [_plain(interval.low), _plain(interval.high)]
    out["counts"] = {k: _plain(v) for k, v in result.counts().items()}
    out["params"] = {k: _plain(v) for k, v in result.params().items()}
    for name in _EXTRA:
        if hasattr(result, name) and not callable(getattr(result, name)):
            out[name] = _plain(getattr(result, name))
    return out


def results_json() -> str:
    """The numbers of the `csmetrics.kpi_report` rows of the sample data, as JSON."""
    data = sample()
    contacts, answers = data.interactions, data.surveys
    reports = {
        "default": csmetrics.kpi_report(contacts, answers),
        "service_level_20": csmetrics.kpi_report(contacts, answers, service_level=20),
    }
    doc = {
        name: {row.key: result_numbers(row.result, row.interval) for row in rows}
        for name, rows in reports.items()
    }
    return json.dumps(doc, indent=1, sort_keys=True, allow_nan=False) + "\n"


def generate() -> dict[str, str]:
    """Every golden file's expected text, by file name."""
    files = {name: cli_output(options) for name, options in REPORTS.items()}
    files["results.json"] = results_json()
    return files


def compare(files: dict[str, str], directory: Path = GOLDEN) -> list[str]:
    """The names of the golden files that are missing or differ from ``files``."""
    return [
        name
        for name, text in files.items()
        if not (directory / name).is_file()
        or (directory / name).read_text(encoding="utf-8") != text
    ]


def main(argv: Sequence[str] | None = None) -> int:
    """Compare with (or, with ``--write``, regenerate) the golden files; 1 if any differ."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--write",
        action="store_true",
        help="regenerate tests/golden/ (a definition change: add a CHANGELOG entry)",
    )
    args = parser.parse_args(argv)
    files = generate()
    if args.write:
        GOLDEN.mkdir(parents=True, exist_ok=True)
        for name, text in files.items():
            (GOLDEN / name).write_text(text, encoding="utf-8", newline="\n")
        print(f"wrote {len(files)} files to {GOLDEN}")
        print('now add a CHANGELOG entry under "Changed definitions" naming what moved')
        return 0
    differ = compare(files)
    for name in differ:
        print(f"differs: tests/golden/{name}")
    if differ:
        print("a deliberate definition change? run: python scripts/golden.py --write")
    return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(main())
