"""Write the docs' metric index (``docs/metrics/index.md``) from the catalogue.

Run from the repository root::

    python scripts/metric_index.py          # rewrites docs/metrics/index.md
    python scripts/metric_index.py --check  # exit 1 if the page is out of date

Each metric's row comes from its `csmetrics.catalog` entry; its page is the
metric page under ``docs/metrics/`` whose **Function** line links to it. A
test runs ``--check``, so the index cannot drift from the catalogue.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

from csmetrics import catalog

ROOT = Path(__file__).resolve().parents[1]
PAGES = ROOT / "docs" / "metrics"
INDEX = PAGES / "index.md"

_UNITS = {
    "fraction": "fraction in [0, 1]",
    "points": "points in [-100, 100]",
    "mean": "mean on the survey scale",
    "seconds": "seconds",
    "count": "contacts",
    "agents": "agents",
}


def pages() -> dict[str, str]:
    """Each metric name mapped to the page whose **Function** lines link to it."""
    found: dict[str, str] = {}
    for page in sorted(PAGES.glob("*.md")):
        head = re.search(r"^- \*\*Functions?:\*\*.*?(?=^- \*\*)", page.read_text(), re.S | re.M)
        for name in re.findall(r"\]\[csmetrics\.metrics\.\w+\.(\w+)\]", head[0] if head else ""):
            found.setdefault(name, page.name)
    return found


def render() -> str:
    """The index page, one row per catalogue entry, grouped by family."""
    where = pages()
    lines = [
        "# Metric index",
        "",
        "Every metric of csmetrics, from its entry in `csmetrics.catalog`",
        "(`csmetrics.catalog.get(name)`; `csmetrics definitions` on the command line",
        "prints the same with each option's default and source). This page is",
        "written by `python scripts/metric_index.py`; a test fails when it is out of",
        "date.",
        "",
        "| metric | what it tells a support lead | unit | better | family |",
        "| --- | --- | --- | --- | --- |",
    ]
    for entry in catalog.entries():
        page = where.get(entry.name)
        name = f"[`{entry.name}`]({page})" if page else f"`{entry.name}`"
        better = entry.direction or "neither"
        lines.append(
            f"| {name} | {entry.meaning} | {_UNITS[entry.unit]} | {better} | {entry.family} |"
        )
    return "\n".join(lines) + "\n"


def main(argv: list[str]) -> int:
    """Write the index, or with ``--check`` only compare it; the exit status."""
    text = render()
    if "--check" in argv:
        if not INDEX.exists() or INDEX.read_text() != text:
            print(f"{INDEX} is out of date: run python scripts/metric_index.py", file=sys.stderr)
            return 1
        return 0
    INDEX.write_text(text)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
