"""Time the object and CSV paths into csmetrics against the same work done plainly.

Usage::

    python benchmarks/bench_ingest.py --rows 100000 --rows 1000000 [--repeats 3]
        [--csv-only] [--no-stdlib] [--data-dir DIR] [--output FILE]
    python benchmarks/bench_ingest.py --one 1000000 --records-only   # from_records only

Each size runs in its own child process (so that one size's objects do not
slow the next). Three comparisons, each the best of ``--repeats`` runs with
``time.perf_counter``, the ratio being csmetrics' time over the baseline's:

- **construct**: ``Interaction(...)`` against a frozen, slotted, keyword-only
  dataclass with the same 21 fields and defaults (no validation), both
  given the same keyword arguments (8 fields, the rest defaults);
  ``Survey(...)`` likewise against an 8-field dataclass.
- **from_records**: ``Interactions.from_records(objects)`` (and
  ``Surveys.from_records``) against
  ``pandas.DataFrame(dicts)`` of the same rows as dicts, and the whole path
  from dicts to a table (``from_records(Interaction(**d) for d in dicts)``).
- **csv**: ``read_interactions_csv`` (the pyarrow path, as installed with
  the ``frames`` extra), the same reader without pyarrow (the standard
  library path) and ``pandas.read_csv(path, parse_dates=[...])`` on one
  file of the given rows with 10 columns, 3 of them ISO 8601 timestamps
  with offsets; ``read_surveys_csv`` likewise on a file of survey answers
  (7 columns, one timestamp). Each reader runs in a child of its own, which
  reports its best wall time, its CPU time (user + system, all threads) in
  that same run, and its peak RSS growth. ``--csv-only`` skips the object
  comparisons, ``--no-stdlib`` the readers without pyarrow; ``--data-dir``
  keeps the CSV files there (written once, read by later runs) instead of a
  temporary folder.

The data is seeded and generated with numpy; nothing here runs under pytest.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import resource
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import numpy as np

SEED = 20260501
T0 = datetime(2026, 1, 5, tzinfo=timezone.utc)


@dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
class PlainContact:
    """The fields of `csmetrics.Interaction` with its defaults, without checks."""

    id: object
    customer_id: object
    start: datetime
    end: datetime | None = None
    resolved: bool = False
    channel: object = None
    agent_id: object = None
    issue_id: object = None
    category: object = None
    first_response_at: datetime | None = None
    abandoned: bool = False
    blocked: bool = False
    talk_seconds: float | None = None
    hold_seconds: float | None = None
    wrap_seconds: float | None = None
    priority: object = None
    tier: object = None
    messages: tuple[object, ...] = ()
    escalated: bool = False
    escalated_to: object = None
    complaint: bool = False


@dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
class PlainAnswer:
    """The fields of `csmetrics.Survey` with its defaults, without checks."""

    id: object
    kind: str
    score: object
    at: datetime
    customer_id: object = None
    interaction_id: object = None
    agent_id: object = None
    scale: tuple[int, int] | None = None


def contact_dicts(rows: int) -> list[dict[str, Any]]:
    rng = np.random.default_rng(SEED)
    starts = np.sort(rng.integers(0, 180 * 86400, rows)).tolist()
    waits = rng.exponential(600, rows).astype(int).tolist()
    resolved = (rng.random(rows) < 0.75).tolist()
    channel = rng.integers(0, 3, rows).tolist()
    agents = rng.integers(0, 50, rows).tolist()
    customers = rng.integers(0, max(rows // 4, 1), rows).tolist()
    categories = rng.integers(0, 5, rows).tolist()
    return [
        {
            "id": f"I{i:08d}",
            "customer_id": f"C{customers[i]:07d}",
            "start": T0 + timedelta(seconds=starts[i]),
            "end": T0 + timedelta(seconds=starts[i] + 60 + waits[i]),
            "resolved": resolved[i],
            "channel": ("phone", "chat", "email")[channel[i]],
            "agent_id": f"A{agents[i]:02d}",
            "category": ("billing", "login", "shipping", "returns", "other")[categories[i]],
        }
        for i in range(rows)
    ]


def answer_dicts(rows: int) -> list[dict[str, Any]]:
    rng = np.random.default_rng(SEED + 1)
    scores = rng.integers(0, 11, rows).tolist()
    seconds = rng.integers(0, 180 * 86400, rows).tolist()
    return [
        {
            "id": f"S{i:08d}",
            "kind": "nps",
            "score": scores[i],
            "at": T0 + timedelta(seconds=seconds[i]),
            "customer_id": f"C{i % 5000:05d}",
        }
        for i in range(rows)
    ]


CPU: dict[str, float] = {}


def best(run: Any, repeats: int, label: str = "") -> float:
    """The lowest wall time of ``repeats`` runs; the lowest CPU time goes to ``CPU[label]``."""
    times, cpu = [], []
    for _ in range(repeats):
        start, start_cpu = time.perf_counter(), time.process_time()
        run()
        times.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    if label:
        CPU[label] = min(cpu)
    return min(times)


def objects(rows: int, repeats: int, *, records_only: bool = False) -> dict[str, float]:
    import pandas as pd

    from csmetrics import Interaction, Interactions, Survey, Surveys

    dicts = contact_dicts(rows)
    answers = answer_dicts(rows)
    out = {}
    if not records_only:
        out = {
            "Interaction": best(lambda: [Interaction(**d) for d in dicts], repeats),
            "dataclass (contact)": best(lambda: [PlainContact(**d) for d in dicts], repeats),
            "Survey": best(lambda: [Survey(**d) for d in answers], repeats),
            "dataclass (answer)": best(lambda: [PlainAnswer(**d) for d in answers], repeats),
        }
    records = [Interaction(**d) for d in dicts]
    out["from_records"] = best(lambda: Interactions.from_records(records), repeats, "from_records")
    out["DataFrame(dicts)"] = best(lambda: pd.DataFrame(dicts), repeats, "DataFrame(dicts)")
    if not records_only:
        out["dicts to table"] = best(
            lambda: Interactions.from_records([Interaction(**d) for d in dicts]), repeats
        )
    survey_records = [Survey(**d) for d in answers]
    out["Surveys.from_records"] = best(
        lambda: Surveys.from_records(survey_records), repeats, "Surveys.from_records"
    )
    out["DataFrame(answer dicts)"] = best(
        lambda: pd.DataFrame(answers), repeats, "DataFrame(answer dicts)"
    )
    out.update({f"{label} CPU": seconds for label, seconds in CPU.items()})
    return out


def write_csv(path: Path, rows: int) -> None:
    """A contacts file: 10 columns, 3 ISO 8601 timestamps with offsets, no quotes."""
    rng = np.random.default_rng(SEED)
    start = np.datetime64("2026-01-05T00:00:00", "s") + np.sort(
        rng.integers(0, 180 * 86400, rows)
    ).astype("timedelta64[s]")
    wait = rng.exponential(60, rows).astype("timedelta64[s]")
    end = start + wait + rng.exponential(600, rows).astype("timedelta64[s]")
    with path.open("w", encoding="utf-8") as handle:
        handle.write(
            "id,customer_id,start,end,resolved,channel,agent_id,category,"
            "first_response_at,talk_seconds\n"
        )
        step = 100_000
        for low in range(0, rows, step):
            high = min(low + step, rows)
            iso = {
                name: np.char.add(np.datetime_as_string(values[low:high]), "+00:00")
                for name, values in (("start", start), ("end", end), ("first", start + wait))
            }
            resolved = np.where(rng.random(high - low) < 0.75, "true", "false")
            channel = np.array(["phone", "chat", "email"])[rng.integers(0, 3, high - low)]
            agent = rng.integers(0, 50, high - low)
            category = np.array(["billing", "login", "shipping"])[rng.integers(0, 3, high - low)]
            talk = np.round(rng.exponential(300, high - low), 1)
            customers = rng.integers(0, max(rows // 4, 1), high - low)
            handle.writelines(
                f"I{low + i:08d},C{customers[i]:07d},{iso['start'][i]},{iso['end'][i]},"
                f"{resolved[i]},{channel[i]},A{agent[i]:02d},{category[i]},"
                f"{iso['first'][i]},{talk[i]}\n"
                for i in range(high - low)
            )


def write_surveys_csv(path: Path, rows: int) -> None:
    """A survey answers file: 7 columns, 1 ISO 8601 timestamp with offset, no quotes."""
    rng = np.random.default_rng(SEED + 2)
    at = np.datetime64("2026-01-05T00:00:00", "s") + rng.integers(0, 180 * 86400, rows).astype(
        "timedelta64[s]"
    )
    kinds = np.array(["nps", "csat", "ces"])
    high = np.array([11, 5, 7])
    low = np.array([0, 1, 1])
    with path.open("w", encoding="utf-8") as handle:
        handle.write("id,kind,score,at,customer_id,interaction_id,agent_id\n")
        step = 100_000
        for first in range(0, rows, step):
            last = min(first + step, rows)
            kind = rng.integers(0, 3, last - first)
            score = low[kind] + rng.integers(0, 1 << 30, last - first) % (high[kind] - low[kind])
            iso = np.char.add(np.datetime_as_string(at[first:last]), "+00:00")
            customers = rng.integers(0, max(rows // 4, 1), last - first)
            contacts = rng.integers(0, rows, last - first)
            agent = rng.integers(0, 50, last - first)
            handle.writelines(
                f"S{first + i:08d},{kinds[kind[i]]},{score[i]},{iso[i]},"
                f"C{customers[i]:07d},I{contacts[i]:08d},A{agent[i]:02d}\n"
                for i in range(last - first)
            )


READERS = {
    "read_interactions_csv (pyarrow)": (
        "from csmetrics import read_interactions_csv\nrun = lambda: read_interactions_csv(PATH)"
    ),
    "read_interactions_csv (standard library)": (
        "from csmetrics import read_interactions_csv\n"
        "from csmetrics.adapters import io\n"
        "io._arrow_modules = lambda: None\n"
        "run = lambda: read_interactions_csv(PATH)"
    ),
    "pandas.read_csv(parse_dates=...)": (
        "import pandas as pd\n"
        "run = lambda: pd.read_csv(PATH, parse_dates=['start', 'end', 'first_response_at'])"
    ),
}

SURVEY_READERS = {
    "read_surveys_csv (pyarrow)": (
        "from csmetrics import read_surveys_csv\nrun = lambda: read_surveys_csv(PATH)"
    ),
    "read_surveys_csv (standard library)": (
        "from csmetrics import read_surveys_csv\n"
        "from csmetrics.adapters import io\n"
        "io._arrow_modules = lambda: None\n"
        "run = lambda: read_surveys_csv(PATH)"
    ),
    "pandas.read_csv(parse_dates=...)": (
        "import pandas as pd\nrun = lambda: pd.read_csv(PATH, parse_dates=['at'])"
    ),
}

READER_CHILD = """
import json, resource, sys, time
PATH = sys.argv[1]
{setup}
base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
times = []
for _ in range(int(sys.argv[2])):
    start, cpu = time.perf_counter(), time.process_time()
    run()
    times.append((time.perf_counter() - start, time.process_time() - cpu))
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
wall, cpu = min(times)
print(json.dumps({{"seconds": wall, "cpu": cpu, "peak_mib": (peak - base) / 1024}}))
"""


def csv_readers(
    rows: int, repeats: int, folder: Path, *, surveys: bool = False, stdlib: bool = True
) -> dict[str, dict[str, float]]:
    path = folder / f"{'surveys' if surveys else 'contacts'}-{rows}.csv"
    if not path.exists():
        (write_surveys_csv if surveys else write_csv)(path, rows)
    out = {}
    for label, setup in (SURVEY_READERS if surveys else READERS).items():
        if not stdlib and "standard library" in label:
            continue
        child = subprocess.run(
            [sys.executable, "-c", READER_CHILD.format(setup=setup), str(path), str(repeats)],
            check=True,
            stdout=subprocess.PIPE,
            text=True,
        )
        out[label] = json.loads(child.stdout)
    return out


OBJECT_ROWS = (
    ("`Interaction(...)` vs frozen slots dataclass", "Interaction", "dataclass (contact)"),
    ("`Survey(...)` vs frozen slots dataclass", "Survey", "dataclass (answer)"),
    (
        "`Interactions.from_records` vs `pandas.DataFrame(dicts)`",
        "from_records",
        "DataFrame(dicts)",
    ),
    (
        "dicts to table (`Interaction(**d)` + `from_records`) vs `pandas.DataFrame(dicts)`",
        "dicts to table",
        "DataFrame(dicts)",
    ),
    (
        "`Surveys.from_records` vs `pandas.DataFrame(dicts)` of the answers",
        "Surveys.from_records",
        "DataFrame(answer dicts)",
    ),
)


def report(
    rows: int, timings: dict[str, float] | None, readers: dict[str, dict[str, float]]
) -> str:
    per = 1e6 / rows
    lines = [
        f"### {rows:,} rows",
        "",
        "| step | csmetrics | baseline | csmetrics / baseline (CPU) |",
        "|---|---|---|---|",
    ]
    for label, ours, theirs in OBJECT_ROWS if timings is not None else ():
        mine, base = timings[ours], timings[theirs]
        lines.append(f"| {label} | {mine * per:.2f} us | {base * per:.2f} us | {mine / base:.2f} |")
    for label, reader in readers.items():
        if label.endswith("pandas"):
            continue
        pandas = readers[("surveys " if "surveys" in label else "") + "pandas"]
        name, how = label.split(" ", 1)
        lines.append(
            f"| `{name}` {how} vs `pandas.read_csv` "
            f"| {reader['seconds']:.2f} s (CPU {reader['cpu']:.2f}), "
            f"+{reader['peak_mib']:.0f} MiB "
            f"| {pandas['seconds']:.2f} s (CPU {pandas['cpu']:.2f}), +{pandas['peak_mib']:.0f} MiB "
            f"| {reader['seconds'] / pandas['seconds']:.2f} "
            f"({reader['cpu'] / pandas['cpu']:.2f}) |"
        )
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--rows", type=int, action="append")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--csv-only", action="store_true")
    parser.add_argument("--data-dir")
    parser.add_argument("--no-stdlib", action="store_true")
    parser.add_argument("--output")
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)
    parser.add_argument(
        "--records-only",
        action="store_true",
        help="with --one ROWS: only the from_records comparisons, as JSON (wall and CPU seconds)",
    )
    args = parser.parse_args()
    if args.one:
        print(json.dumps(objects(args.one, args.repeats, records_only=args.records_only)))
        return
    sections = []
    with tempfile.TemporaryDirectory(dir=args.data_dir) as scratch:
        folder = args.data_dir or scratch
        for rows in args.rows or [100_000]:
            timings = None
            if not args.csv_only:
                child = subprocess.run(
                    [sys.executable, __file__, "--one", str(rows), "--repeats", str(args.repeats)],
                    check=True,
                    stdout=subprocess.PIPE,
                    text=True,
                )
                timings = json.loads(child.stdout)
            readers = {}
            for surveys in (False, True):
                for label, reader in csv_readers(
                    rows, args.repeats, Path(folder), surveys=surveys, stdlib=not args.no_stdlib
                ).items():
                    name = "pandas" if label.startswith("pandas") else label
                    readers[("surveys " if surveys and name == "pandas" else "") + name] = reader
            sections.append(report(rows, timings, readers))
            print(sections[-1], flush=True)
    if args.output:
        Path(args.output).write_text("\n".join(sections), encoding="utf-8")
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(f"largest child peak RSS: {peak:.0f} MiB")


if __name__ == "__main__":
    main()
