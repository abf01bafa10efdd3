"""Benchmark csmetrics against plain pandas and DuckDB SQL on synthetic data.

Usage::

    python benchmarks/bench.py --rows 1000000 [--rows 10000000]
        [--engines csmetrics,pandas,duckdb] [--repeats N] [--data-dir DIR]
        [--output FILE]
    python benchmarks/bench.py --rows 10000000 --profile

For each size a child process generates seeded synthetic contacts and survey
answers with numpy (no per-row Python objects) and writes them as Parquet,
to a temporary directory or to ``--data-dir`` (kept and reused); then every
engine runs in its own subprocess, so that peak RSS is per engine, and loads
the files its own way. csmetrics runs first; its numbers are the reference.
In every engine each step first runs once untimed and its numbers are
compared with csmetrics' (exactly; means to a relative 1e-12); a mismatch
aborts the benchmark. Then the step is timed ``--repeats`` times with
``time.perf_counter`` and the best time is reported. Before each engine the
runner waits for other processes to go quiet, measures the CPU they use
during the run, and reruns a disturbed engine (``--busy-retries``), keeping
each step's best time.

``--profile`` instead profiles csmetrics' table builds and metrics at each
size: untraced wall and CPU times, per-column encoding times, the inclusive
time of every source line of the csmetrics functions involved, and cProfile
of ``fcr(match="issue")``. See benchmarks/README.md and docs/performance.md.
"""

from __future__ import annotations

import argparse
import gc
import json
import linecache
import math
import os
import platform
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

import numpy as np

HERE = Path(__file__).resolve().parent
ENGINES = ("csmetrics", "pandas", "duckdb")
SEED = 20260501

# (key, label); the label names the csmetrics call, the first column of the
# tables. Each load reads the Parquet file in the engine's own way: csmetrics
# Interactions/Surveys.read_parquet, pandas read_parquet, DuckDB CREATE
# TABLE AS SELECT from read_parquet.
# One metric step: (key, label, engine method, its options, whether it takes
# an explicit as_of). A step that takes as_of also runs as "<key>_as_of" with
# as_of= the report's as_of (the latest contact start, decision 47), right
# after the step without it: the way a user passing one as_of to every metric
# calls it.
CONTACT_METRICS = (
    ("fcr_issue", '`fcr(match="issue")`', "fcr", {"match": "issue"}, True),
    ("fcr_category", '`fcr(match="category")`', "fcr", {"match": "category"}, True),
    ("fcr_customer", '`fcr(match="customer")`', "fcr", {"match": "customer"}, True),
    ("resolution_rate", "`resolution_rate`", "resolution_rate", {}, False),
    ("fcr_by_agent", '`fcr(by="agent_id")` (match="issue")', "fcr_by_agent", {}, True),
    (
        "first_response_time",
        "`first_response_time`: `.median`, `.p90`",
        "first_response_time",
        {},
        True,
    ),
    (
        "service_level",
        '`service_level(threshold={...}, by="channel")`',
        "service_level",
        {"by": "channel"},
        True,
    ),
    (
        "first_response_time_by_channel",
        '`first_response_time(by="channel")`',
        "first_response_time_by",
        {"by": "channel"},
        True,
    ),
    (
        "first_response_time_by_agent",
        '`first_response_time(by="agent_id")`',
        "first_response_time_by",
        {"by": "agent_id"},
        True,
    ),
    (
        "service_level_by_agent",
        '`service_level(threshold={...}, by="agent_id")`',
        "service_level",
        {"by": "agent_id"},
        True,
    ),
    (
        "service_level_overall",
        "`service_level(threshold={...})` (no `by=`)",
        "service_level",
        {"by": None},
        True,
    ),
    ("asa", "`asa`", "asa", {}, True),
    ("asa_by_channel", '`asa(by="channel")`', "asa", {"by": "channel"}, True),
    ("asa_by_agent", '`asa(by="agent_id")`', "asa", {"by": "agent_id"}, True),
    ("handle_time", "`handle_time`", "handle_time", {}, True),
    (
        "handle_time_by_channel",
        '`handle_time(by="channel")`',
        "handle_time",
        {"by": "channel"},
        True,
    ),
    (
        "handle_time_by_agent",
        '`handle_time(by="agent_id")`',
        "handle_time",
        {"by": "agent_id"},
        True,
    ),
)
SURVEY_METRICS = (
    ("nps", "`nps`", "nps", {}),
    ("nps_by_agent", '`nps(by="agent_id")`', "nps_by", {"by": "agent_id"}),
    ("csat", "`csat`", "csat", {}),
    ("ces", "`ces`", "ces", {}),
)

# The survey loads read the columns the survey steps use, in every engine:
# csmetrics with read_parquet(fields=catalog.fields_of(...)), which gives the
# required fields and agent_id.
SURVEY_CALLS = ("nps", "csat", "ces")
SURVEY_COLUMNS = ("id", "kind", "score", "at", "agent_id")


def _as_of_label(label: str) -> str:
    """A step's label with ``as_of=`` added to its (first) call."""
    head, sep, tail = label.partition("`")
    call, sep2, rest = tail.partition("`")
    if not sep2:
        return f"{label}, `as_of=...`"
    if call.endswith(")"):
        inner = call[:-1]
        call = f"{inner}, as_of=...)" if not inner.endswith("(") else f"{inner}as_of=...)"
    else:
        call = f"{call}(as_of=...)"
    return f"{head}{sep}{call}{sep2}{rest}"


# (key, label) of every step in the order run; the label names the csmetrics
# call, the first column of the tables. Each load reads the Parquet file in
# the engine's own way: csmetrics Interactions/Surveys.read_parquet, pandas
# read_parquet, DuckDB CREATE TABLE AS SELECT from read_parquet.
STEPS = (
    ("contacts", "load contacts: `Interactions.read_parquet(...)`"),
    *(
        step
        for key, label, _, _, as_of in CONTACT_METRICS
        for step in ((key, label), *(((f"{key}_as_of", _as_of_label(label)),) if as_of else ()))
    ),
    ("surveys", "load surveys: `Surveys.read_parquet(..., fields=...)`"),
    *((key, label) for key, label, _, _ in SURVEY_METRICS),
)
LOADS = ("contacts", "surveys")
# Service-level promise per channel code (0 phone, 1 chat, 2 email), seconds.
THRESHOLDS = {0: 20.0, 1: 60.0, 2: 3600.0}

DAY_S = 86_400
SPAN_DAYS = 180
EPOCH_2026 = np.datetime64("2026-01-01T00:00:00", "us")


# --------------------------------------------------------------------------
# Synthetic data
# --------------------------------------------------------------------------


def generate(rows: int, *, seed: int = SEED) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    """Seeded synthetic contacts and survey answers as numpy columns.

    Contacts come in *threads* (one customer problem: 1 + geometric(0.55)
    contacts, mean 1.8). 60% of threads carry an ``issue_id`` (a ticket); 3%
    of the later contacts of a ticket move it to another category (a reused
    ticket). Gaps between the contacts of a thread are mostly hours to a few
    days, sometimes weeks (a new episode); 1% are zero (ties on start). About
    ``rows / 4`` customers, 5 categories, 3 channels (0 phone, 1 chat, 2
    email), 50 agents; starts over 180 days at whole seconds; durations
    log-normal (median 12 minutes, 20 s to 2 days); 1% of contacts open
    (``end`` NaT, not resolved); about 75% resolved. Rows are shuffled; ids are
    distinct random int64.

    Queue fields come from a random stream of their own, so the columns above
    are the same as before they existed. ``first_response_at`` is ``start``
    plus a whole-second wait (exponential: mean 30 s for phone, 75 s for chat,
    40 minutes for email), at most the contact's duration. Unanswered
    (``first_response_at`` NaT): *abandoned* contacts (80% of the closed,
    unresolved contacts that lasted at most 5 minutes; ``end`` is when the
    customer left), *blocked* ones (1% of the other closed, unresolved phone
    contacts: never reached a queue), 2% of the other closed email contacts
    (closed without a reply) and 40% of the open contacts (still waiting at
    ``as_of``).

    ``issue_id`` is an int64 column plus the boolean ``has_issue`` (where it is
    missing the int is meaningless); `write_parquet` stores it as a nullable
    column. Surveys: ``rows / 2`` answers, kinds nps / csat / ces / fcr with
    realistic score distributions, each about one contact.
    """
    rng = np.random.default_rng(seed)

    sizes = rng.geometric(0.55, size=rows)
    ends = np.cumsum(sizes)
    threads = int(np.searchsorted(ends, rows)) + 1
    sizes = sizes[:threads]
    sizes[-1] -= int(ends[threads - 1]) - rows
    thread = np.repeat(np.arange(threads), sizes)
    thread_first = np.cumsum(sizes) - sizes
    later = np.arange(rows) != thread_first[thread]

    # Gaps between a thread's contacts, in seconds.
    long_gap = rng.random(rows) < 0.2
    gap = np.where(
        long_gap,
        rng.exponential(20 * DAY_S, rows),
        rng.exponential(1.5 * DAY_S, rows),
    ).astype(np.int64)
    gap[rng.random(rows) < 0.01] = 0
    gap[~later] = 0
    offset = np.cumsum(gap)
    offset -= offset[thread_first][thread]
    span = SPAN_DAYS * DAY_S
    start_s = (rng.integers(0, span, threads)[thread] + offset) % span
    duration_s = np.clip(np.exp(rng.normal(np.log(12 * 60), 1.3, rows)), 20, 2 * DAY_S).astype(
        np.int64
    )

    is_open = rng.random(rows) < 0.01
    start = EPOCH_2026 + start_s.astype("timedelta64[s]")
    end = start + duration_s.astype("timedelta64[s]")
    end[is_open] = np.datetime64("NaT")
    resolved = (rng.random(rows) < 0.758) & ~is_open

    has_issue = (rng.random(threads) < 0.6)[thread]
    moved = later & has_issue & (rng.random(rows) < 0.03)
    shift = np.where(moved, rng.integers(1, 5, rows), 0)
    shift = np.cumsum(shift)
    shift -= shift[thread_first][thread]
    category = (rng.integers(0, 5, threads)[thread] + shift) % 5

    customers = max(rows // 4, 1)
    ids = 5_000_000_000 + rng.permutation(rows).astype(np.int64)
    customer_id = 1_000_000 + rng.integers(0, customers, threads)[thread]
    channel = rng.choice(3, size=rows, p=[0.5, 0.3, 0.2]).astype(np.int64)
    agent_id = 1_000 + rng.integers(0, 50, rows)

    queue = _queue_fields(np.random.default_rng([seed, 1]), channel, duration_s, is_open, resolved)
    first_response_at = start + queue.pop("wait_s").astype("timedelta64[s]")
    first_response_at[~queue.pop("answered")] = np.datetime64("NaT")
    contacts = {
        "id": ids,
        "customer_id": customer_id,
        "start": start,
        "end": end,
        "resolved": resolved,
        "channel": channel,
        "agent_id": agent_id,
        "issue_id": np.where(has_issue, 700_000_000 + thread, 0).astype(np.int64),
        "has_issue": has_issue,
        "category": category.astype(np.int64),
        "first_response_at": first_response_at,
        **queue,
    }
    order = rng.permutation(rows)
    contacts = {name: col[order] for name, col in contacts.items()}

    answers = rows // 2
    about = rng.choice(rows, size=answers, replace=False)
    kind_code = rng.choice(4, size=answers, p=[0.35, 0.35, 0.15, 0.15])
    score = np.select(
        [kind_code == 0, kind_code == 1, kind_code == 2],
        [
            rng.choice(11, size=answers, p=[0.03] * 7 + [0.07, 0.1, 0.17, 0.45]),
            rng.choice(5, size=answers, p=[0.06, 0.06, 0.12, 0.3, 0.46]) + 1,
            rng.choice(7, size=answers, p=[0.04, 0.05, 0.08, 0.13, 0.2, 0.25, 0.25]) + 1,
        ],
        rng.random(answers) < 0.7,
    ).astype(np.float64)
    delay = rng.integers(60, 3 * DAY_S, answers).astype("timedelta64[s]")
    surveys = {
        "id": 9_000_000_000 + np.arange(answers, dtype=np.int64),
        "kind": np.array(["nps", "csat", "ces", "fcr"])[kind_code],
        "score": score,
        "at": contacts["start"][about] + delay,
        "customer_id": contacts["customer_id"][about],
        "interaction_id": contacts["id"][about],
        "agent_id": contacts["agent_id"][about],
    }
    return contacts, surveys


def _queue_fields(
    rng: np.random.Generator,
    channel: np.ndarray,
    duration_s: np.ndarray,
    is_open: np.ndarray,
    resolved: np.ndarray,
) -> dict[str, np.ndarray]:
    """Waits (whole seconds), ``answered``, ``abandoned`` and ``blocked`` per contact."""
    rows = len(channel)
    mean_wait_s = np.array([30.0, 75.0, 2400.0])[channel]
    wait_s = np.minimum(rng.exponential(mean_wait_s).astype(np.int64), duration_s)
    closed_unresolved = ~is_open & ~resolved
    abandoned = closed_unresolved & (duration_s <= 300) & (rng.random(rows) < 0.8)
    blocked = closed_unresolved & ~abandoned & (channel == 0) & (rng.random(rows) < 0.01)
    no_reply = ~is_open & ~abandoned & ~blocked & (channel == 2) & (rng.random(rows) < 0.02)
    waiting = is_open & (rng.random(rows) < 0.4)
    return {
        "wait_s": wait_s,
        "answered": ~(abandoned | blocked | no_reply | waiting),
        "abandoned": abandoned,
        "blocked": blocked,
    }


GENERATOR_VERSION = "2"  # bump when generate() changes: reused data sets are regenerated


def data_paths(directory: Path, rows: int, seed: int) -> dict[str, Path]:
    """The Parquet files of one size and seed inside ``directory``."""
    return {
        table: directory / f"{table}-{rows}-seed{seed}.parquet" for table in ("contacts", "surveys")
    }


def write_parquet(paths: dict[str, Path], contacts: dict, surveys: dict) -> None:
    """Write both tables as Parquet (pyarrow, default Snappy compression).

    Times become ``timestamp[us, tz=UTC]`` (NaT is null), the missing
    ``issue_id`` null; the generator version goes into the file metadata.
    """
    import pyarrow as pa
    import pyarrow.parquet as pq

    utc = pa.timestamp("us", tz="UTC")
    for table, cols in (("contacts", contacts), ("surveys", surveys)):
        arrays = {}
        for name, col in cols.items():
            if name == "has_issue":
                continue
            if name == "issue_id":
                arrays[name] = pa.array(col, mask=~cols["has_issue"])
            elif col.dtype.kind == "M":
                arrays[name] = pa.array(col.astype("datetime64[us]"), type=utc)
            else:
                arrays[name] = pa.array(col)
        data = pa.table(arrays).replace_schema_metadata({"generator": GENERATOR_VERSION})
        pq.write_table(data, paths[table])


def have_data(paths: dict[str, Path]) -> bool:
    """Whether both files exist and were written by this generator version."""
    import pyarrow.parquet as pq

    for path in paths.values():
        if not path.exists():
            return False
        meta = pq.read_schema(path).metadata or {}
        if meta.get(b"generator") != GENERATOR_VERSION.encode():
            return False
    return True


# --------------------------------------------------------------------------
# Engines: each step returns counts comparable across engines
# --------------------------------------------------------------------------


class Csmetrics:
    """csmetrics: the reference. Reads Parquet with its own reader, as a user would."""

    def __init__(self) -> None:
        import narwhals.stable.v2  # noqa: F401 (read_parquet's readers; their import cost is csmetrics')
        import pyarrow.parquet  # noqa: F401

        import csmetrics

        self.cs = csmetrics

    def contacts(self, path: Path) -> Any:
        return self.cs.Interactions.read_parquet(path)

    def as_of(self, table: Any) -> Any:
        """The report's as_of: the latest contact start (computed once, untimed)."""
        from csmetrics.core.table import from_micros

        return from_micros(int(table.start.max()))

    def fcr(self, table: Any, match: str, as_of: Any = None) -> dict:
        return self.cs.fcr(table, match=match, as_of=as_of).counts()

    def fcr_by_agent(self, table: Any, as_of: Any = None) -> dict:
        result = self.cs.fcr(table, by="agent_id", as_of=as_of)
        return {
            "overall": result.overall.counts(),
            "groups": {str(k): list(r.counts().values()) for k, r in result.items()},
        }

    def resolution_rate(self, table: Any) -> dict:
        r = self.cs.resolution_rate(table)
        return {"numerator": r.numerator, "denominator": r.denominator}

    def first_response_time(self, table: Any, as_of: Any = None) -> dict:
        r = self.cs.first_response_time(table, as_of=as_of)
        return {
            "n": r.n,
            "censored": r.censored,
            "excluded": r.excluded,
            "median": r.median,
            "p90": r.p90,
            "mean": r.mean,
        }

    def service_level(self, table: Any, by: str | None = "channel", as_of: Any = None) -> dict:
        result = self.cs.service_level(table, threshold=THRESHOLDS, by=by, as_of=as_of)
        if by is None:
            return result.counts()
        return {
            "overall": result.overall.counts(),
            "groups": {str(k): list(r.counts().values()) for k, r in result.items()},
        }

    def first_response_time_by(self, table: Any, by: str, as_of: Any = None) -> dict:
        result = self.cs.first_response_time(table, by=by, as_of=as_of)

        def counts(r: Any) -> list:
            return [r.n, r.censored, r.excluded, r.median, r.p90]

        return {
            "overall": counts(result.overall),
            "groups": {str(k): counts(r) for k, r in result.items()},
        }

    def contact_length(self, table: Any, by: str | None = None, as_of: Any = None) -> dict:
        result = self.cs.contact_length(table, by=by, as_of=as_of)
        if by is None:
            return {
                "n": result.n,
                "censored": result.censored,
                "excluded": result.excluded,
                "median": result.median,
                "p90": result.p90,
                "mean": result.mean,
            }

        def counts(r: Any) -> list:
            return [r.n, r.censored, r.excluded, r.median, r.p90]

        return {
            "overall": counts(result.overall),
            "groups": {str(k): counts(r) for k, r in result.items()},
        }

    def handle_time(self, table: Any, by: str | None = None, as_of: Any = None) -> dict:
        result = self.cs.handle_time(table, by=by, as_of=as_of)

        def counts(r: Any) -> dict:
            return {"n": r.n, "fallback": r.fallback, "unmeasured": r.unmeasured, "mean": r.mean}

        if by is None:
            return counts(result)
        return {
            "overall": counts(result.overall),
            "groups": {str(k): counts(r) for k, r in result.items()},
        }

    def asa(self, table: Any, by: str | None = None, as_of: Any = None) -> dict:
        result = self.cs.asa(table, by=by, as_of=as_of)
        if by is None:
            return {"n": result.n, "mean": result.mean}
        return {
            "overall": {"n": result.overall.n, "mean": result.overall.mean},
            "groups": {str(k): {"n": r.n, "mean": r.mean} for k, r in result.items()},
        }

    def surveys(self, path: Path) -> Any:
        fields = self.cs.catalog.fields_of(*SURVEY_CALLS, by="agent_id")
        return self.cs.Surveys.read_parquet(path, fields=fields)

    def nps(self, table: Any) -> dict:
        r = self.cs.nps(table)
        return {
            "promoters": r.promoters,
            "passives": r.passives,
            "detractors": r.detractors,
        }

    def nps_by(self, table: Any, by: str) -> dict:
        result = self.cs.nps(table, by=by)

        def counts(r: Any) -> list:
            return [r.promoters, r.passives, r.detractors]

        overall = dict(
            zip(("promoters", "passives", "detractors"), counts(result.overall), strict=True)
        )
        return {"overall": overall, "groups": {str(k): counts(r) for k, r in result.items()}}

    def csat(self, table: Any) -> dict:
        r = self.cs.csat(table)
        return {"numerator": r.numerator, "denominator": r.denominator}

    def ces(self, table: Any) -> dict:
        r = self.cs.ces(table)
        return {"n": r.n, "mean": r.mean}


class Pandas:
    """Plain vectorised pandas (baselines.py)."""

    def __init__(self) -> None:
        import pandas  # noqa: F401 (import cost belongs to the baseline RSS)

        import baselines

        self.b = baselines

    def contacts(self, path: Path) -> Any:
        return self.b.pandas_read(path)

    def as_of(self, df: Any) -> Any:
        return df["start"].max()

    def fcr(self, df: Any, match: str, as_of: Any = None) -> dict:
        return self.b.pandas_fcr(df, match=match, as_of=as_of)

    def fcr_by_agent(self, df: Any, as_of: Any = None) -> dict:
        return self.b.pandas_fcr(df, match="issue", by="agent_id", as_of=as_of)

    def resolution_rate(self, df: Any) -> dict:
        return self.b.pandas_resolution_rate(df)

    def first_response_time(self, df: Any, as_of: Any = None) -> dict:
        return self.b.pandas_first_response_time(df, as_of=as_of)

    def service_level(self, df: Any, by: str | None = "channel", as_of: Any = None) -> dict:
        return self.b.pandas_service_level(df, THRESHOLDS, by=by, as_of=as_of)

    def first_response_time_by(self, df: Any, by: str, as_of: Any = None) -> dict:
        return self.b.pandas_first_response_time_by(df, by, as_of=as_of)

    def asa(self, df: Any, by: str | None = None, as_of: Any = None) -> dict:
        return self.b.pandas_asa(df, by=by, as_of=as_of)

    def handle_time(self, df: Any, by: str | None = None, as_of: Any = None) -> dict:
        return self.b.pandas_handle_time(df, by=by, as_of=as_of)

    def surveys(self, path: Path) -> Any:
        return self.b.pandas_read(path, columns=SURVEY_COLUMNS)

    def nps(self, s: Any) -> dict:
        return self.b.pandas_nps(s)

    def nps_by(self, s: Any, by: str) -> dict:
        return self.b.pandas_nps_by(s, by)

    def csat(self, s: Any) -> dict:
        return self.b.pandas_csat(s)

    def ces(self, s: Any) -> dict:
        return self.b.pandas_ces(s)


class DuckDB:
    """DuckDB SQL with window functions (baselines.py), in memory, 2 threads."""

    def __init__(self) -> None:
        import baselines

        self.b = baselines
        self.con = baselines.duckdb_connect(threads=2)

    def contacts(self, path: Path) -> Any:
        self.b.duckdb_load(self.con, "contacts", path)
        return self.con

    def as_of(self, con: Any) -> Any:
        return con.execute("SELECT max(start) FROM contacts").fetchone()[0]

    def fcr(self, con: Any, match: str, as_of: Any = None) -> dict:
        return self.b.duckdb_fcr(con, match=match, as_of=as_of)

    def fcr_by_agent(self, con: Any, as_of: Any = None) -> dict:
        return self.b.duckdb_fcr(con, match="issue", by="agent_id", as_of=as_of)

    def resolution_rate(self, con: Any) -> dict:
        return self.b.duckdb_resolution_rate(con)

    def first_response_time(self, con: Any, as_of: Any = None) -> dict:
        return self.b.duckdb_first_response_time(con, as_of=as_of)

    def service_level(self, con: Any, by: str | None = "channel", as_of: Any = None) -> dict:
        return self.b.duckdb_service_level(con, THRESHOLDS, by=by, as_of=as_of)

    def first_response_time_by(self, con: Any, by: str, as_of: Any = None) -> dict:
        return self.b.duckdb_first_response_time_by(con, by, as_of=as_of)

    def asa(self, con: Any, by: str | None = None, as_of: Any = None) -> dict:
        return self.b.duckdb_asa(con, by=by, as_of=as_of)

    def contact_length(self, con: Any, by: str | None = None, as_of: Any = None) -> dict:
        return self.b.duckdb_contact_length(con, by=by, as_of=as_of)

    def handle_time(self, con: Any, by: str | None = None, as_of: Any = None) -> dict:
        return self.b.duckdb_handle_time(con, by=by, as_of=as_of)

    def surveys(self, path: Path) -> Any:
        self.b.duckdb_load(self.con, "surveys", path, columns=SURVEY_COLUMNS)
        return self.con

    def nps(self, con: Any) -> dict:
        return self.b.duckdb_nps(con)

    def nps_by(self, con: Any, by: str) -> dict:
        return self.b.duckdb_nps_by(con, by)

    def csat(self, con: Any) -> dict:
        return self.b.duckdb_csat(con)

    def ces(self, con: Any) -> dict:
        return self.b.duckdb_ces(con)


ENGINE_CLASSES = {"csmetrics": Csmetrics, "pandas": Pandas, "duckdb": DuckDB}


def _maxrss_mib() -> float:
    # Linux reports ru_maxrss in KiB.
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# Floats compared to a relative 1e-12: means, whose summation order differs
# between engines. Every other number, quantiles included, must be equal.
_ROUNDED = frozenset({"mean"})


def _same(reference: Any, got: Any, key: str = "") -> bool:
    if isinstance(reference, dict):
        return (
            isinstance(got, dict)
            and reference.keys() == got.keys()
            and all(_same(reference[k], got[k], k) for k in reference)
        )
    if isinstance(reference, list):
        return (
            isinstance(got, list)
            and len(reference) == len(got)
            and all(_same(a, b, key) for a, b in zip(reference, got, strict=True))
        )
    if isinstance(reference, float):
        if not isinstance(got, float):
            return False
        if math.isnan(reference) or key not in _ROUNDED:
            return reference == got or (math.isnan(reference) and math.isnan(got))
        return math.isclose(reference, got, rel_tol=1e-12)
    return type(got) is int and reference == got


def _describe_mismatch(reference: Any, got: Any) -> str:
    if isinstance(reference, dict) and isinstance(got, dict) and "groups" in reference:
        bad = [
            k
            for k in reference["groups"].keys() | got.get("groups", {}).keys()
            if reference["groups"].get(k) != got.get("groups", {}).get(k)
        ]
        return (
            f"overall csmetrics={reference['overall']} baseline={got.get('overall')}; "
            f"{len(bad)} groups differ, e.g. "
            + ", ".join(
                f"{k}: {reference['groups'].get(k)} vs {got['groups'].get(k)}"
                for k in sorted(bad)[:3]
            )
        )
    return f"csmetrics={reference} baseline={got}"


def worker(args: argparse.Namespace) -> None:
    """Run one engine on one Parquet data set; write results as JSON."""
    engine = ENGINE_CLASSES[args.worker]()
    rss_imports = _maxrss_mib()
    paths = {table: Path(getattr(args, table)) for table in LOADS}
    reference = json.loads(Path(args.reference).read_text()) if args.reference else None
    out: dict[str, Any] = {
        "engine": args.worker,
        "repeats": args.repeats,
        "rss_mib": {"after_imports": rss_imports},
        "steps": {},
    }
    result_path = Path(args.result)

    def run(key: str, call: Any, table: Any = None) -> Any:
        # csmetrics caches derived arrays on a table (the time rank): each
        # timed call starts from the cache as it was before this step, so a
        # step costs what it costs in a session running the steps in order.
        cache = dict(table.memo) if isinstance(getattr(table, "memo", None), dict) else None
        value = call()  # untimed: verification and warm-up
        counts = value if key not in LOADS else None
        if reference is not None and counts is not None and not _same(reference[key], counts):
            why = _describe_mismatch(reference[key], counts)
            msg = f"{args.worker} disagrees with csmetrics on {key}: {why}"
            raise SystemExit(msg)
        times, cpu = [], []
        for _ in range(args.repeats):
            if cache is not None:
                table.memo.clear()
                table.memo.update(cache)
            value = None  # a load must not hold its previous table while it builds the next
            gc.collect()
            r0 = resource.getrusage(resource.RUSAGE_SELF)
            t0 = time.perf_counter()
            value = call()
            times.append(time.perf_counter() - t0)
            r1 = resource.getrusage(resource.RUSAGE_SELF)
            cpu.append([r1.ru_utime - r0.ru_utime, r1.ru_stime - r0.ru_stime])
        out["steps"][key] = {"best": min(times) if times else None, "all": times, "cpu": cpu}
        if counts is not None:
            out["steps"][key]["counts"] = counts
        out["rss_mib"]["peak"] = _maxrss_mib()
        if key == "contacts":
            out["rss_mib"]["after_load"] = out["rss_mib"]["peak"]
        result_path.write_text(json.dumps(out))
        return value

    table = run("contacts", lambda: engine.contacts(paths["contacts"]))
    as_of = engine.as_of(table)  # the report's as_of, resolved once
    for key, _, method, options, takes_as_of in CONTACT_METRICS:
        call = getattr(engine, method)
        run(key, lambda call=call, options=options: call(table, **options), table)
        if takes_as_of:
            run(
                f"{key}_as_of",
                lambda call=call, options=options: call(table, **options, as_of=as_of),
                table,
            )
    stable = run("surveys", lambda: engine.surveys(paths["surveys"]))
    for key, _, method, options in SURVEY_METRICS:
        call = getattr(engine, method)
        run(key, lambda call=call, options=options: call(stable, **options))
    out["done"] = True
    result_path.write_text(json.dumps(out))


# --------------------------------------------------------------------------
# Parent: generate, run workers, report
# --------------------------------------------------------------------------


def _seconds(value: float | None) -> str:
    if value is None:
        return "n/a"
    return f"{value:.3f}" if value < 100 else f"{value:.1f}"


def _ratio(a: float | None, b: float | None) -> str:
    if a is None or b is None or b == 0:
        return "n/a"
    return f"{a / b:.2f}"


def _best(results: dict, engine: str, key: str) -> float | None:
    step = results.get(engine, {}).get("steps", {}).get(key)
    return None if step is None else step["best"]


def _count_text(c: dict) -> str:
    c = c.get("overall", c)
    if isinstance(c, list):  # first_response_time by=: n, censored, excluded, median, p90
        return (
            f"n {c[0]:,} (censored {c[1]:,}, excluded {c[2]:,}), median {c[3]:g} s, "
            f"p90 {c[4]:g} s; per group too"
        )
    if "p90" in c:
        return (
            f"n {c['n']:,} (censored {c['censored']:,}, excluded {c['excluded']:,}), "
            f"median {c['median']:g} s, p90 {c['p90']:g} s, mean {c['mean']:.4f} s"
        )
    if "promoters" in c:
        return ", ".join(f"{k} {v:,}" for k, v in c.items())
    if "mean" in c:
        return f"n {c['n']:,}, mean {c['mean']:.4f}"
    ratio = f"{c['numerator']:,} / {c['denominator']:,}"
    extra = [f"{k} {v:,}" for k, v in c.items() if k not in ("numerator", "denominator")]
    if not extra:
        return ratio
    return f"{ratio} = {c['numerator'] / c['denominator']:.4f}; " + ", ".join(extra)


def _cpu(results: dict, engine: str, key: str) -> float | None:
    """User + system CPU seconds of the reported (best) run of a step."""
    step = results.get(engine, {}).get("steps", {}).get(key)
    if step is None or not step["all"]:
        return None
    user, system = step["cpu"][step["all"].index(step["best"])]
    return user + system


def _cpu_lines(results: dict, engines: list[str]) -> list[str]:
    """The CPU seconds of every step: on a busy machine, wall time is mostly waiting.

    DuckDB runs on two threads, so its CPU time can exceed its wall time.
    """
    head = ["step", *(f"{e} CPU s" for e in engines)]
    head += [f"csmetrics / {e}" for e in ("duckdb", "pandas") if e in engines]
    lines = [
        "",
        (
            "CPU seconds (user + system) of the reported run of each step (DuckDB uses "
            "two threads, so its CPU time can exceed its wall time):"
        ),
        "",
        "| " + " | ".join(head) + " |",
        "|" + "---|" * len(head),
    ]
    total = dict.fromkeys(engines, 0.0)
    for key, label in STEPS:
        cpu = {e: _cpu(results, e, key) for e in engines}
        for e in engines:
            total[e] = None if total[e] is None or cpu[e] is None else total[e] + cpu[e]
        ratios = [_ratio(cpu["csmetrics"], cpu[e]) for e in ("duckdb", "pandas") if e in engines]
        lines.append(
            "| " + " | ".join([label, *(_seconds(cpu[e]) for e in engines), *ratios]) + " |"
        )
    ratios = [_ratio(total["csmetrics"], total[e]) for e in ("duckdb", "pandas") if e in engines]
    cells = ["**total**", *(_seconds(total[e]) for e in engines), *ratios]
    lines.append("| " + " | ".join(cells) + " |")
    return lines


def _counts_lines(results: dict, engines: list[str]) -> list[str]:
    steps = results["csmetrics"].get("steps", {})
    verified = [e for e in engines if e != "csmetrics" and results[e].get("status") == "ok"]
    lines = ["", f"Counts (csmetrics; {', '.join(verified) or 'no baseline'} identical):", ""]
    lines += [
        f"- {label}: {_count_text(steps[key]['counts'])}"
        for key, label in STEPS
        if "counts" in steps.get(key, {})
    ]
    return lines


def report(rows: int, results: dict, engines: list[str], repeats: int) -> str:
    """The Markdown tables of one size."""
    how = (
        f"Seconds, best of {repeats} after one untimed verification run (an engine "
        "rerun because the machine was busy: best over its runs)."
    )
    lines = [f"### {rows:,} contacts, {rows // 2:,} survey answers", "", how, ""]
    head = ["step", *(f"{e} s" for e in engines)]
    if "duckdb" in engines:
        head.append("csmetrics / duckdb")
    if "pandas" in engines:
        head.append("csmetrics / pandas")
    lines += ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    totals: dict[str, dict[str, float | None]] = {
        "metrics": dict.fromkeys(engines, 0.0),
        "all": dict.fromkeys(engines, 0.0),
    }

    def row(label: str, best: dict[str, float | None]) -> None:
        cells = [label, *(_seconds(best[e]) for e in engines)]
        if "duckdb" in engines:
            cells.append(_ratio(best["csmetrics"], best["duckdb"]))
        if "pandas" in engines:
            cells.append(_ratio(best["csmetrics"], best["pandas"]))
        lines.append("| " + " | ".join(cells) + " |")

    for key, label in STEPS:
        best = {e: _best(results, e, key) for e in engines}
        for total in ("metrics", "all") if key not in LOADS else ("all",):
            for e in engines:
                t = totals[total][e]
                totals[total][e] = None if t is None or best[e] is None else t + best[e]
        row(label, best)
    row("**metrics total** (without loads)", totals["metrics"])
    row("**total**", totals["all"])

    lines += _cpu_lines(results, engines)
    lines += _counts_lines(results, engines)
    lines += [
        "",
        "Peak RSS (MiB, `ru_maxrss` of the engine's own process):",
        "",
        "| engine | after imports | peak up to the contacts load | peak | peak - after imports |",
        "|---|---|---|---|---|",
    ]
    for e in engines:
        rss = results.get(e, {}).get("rss_mib")
        if not rss or "peak" not in rss:
            continue
        lines.append(
            f"| {e} | {rss['after_imports']:.0f} | {rss.get('after_load', math.nan):.0f} "
            f"| {rss['peak']:.0f} | {rss['peak'] - rss['after_imports']:.0f} |"
        )
    lines += [
        "",
        (
            "CPU time of the reported (best) run of every step, from `getrusage` (system: "
            "time in the kernel, such as page faults on newly allocated memory):"
        ),
        "",
        "| engine | wall s | user CPU s | system CPU s |",
        "|---|---|---|---|",
    ]
    for e in engines:
        steps = results.get(e, {}).get("steps", {}).values()
        kept = [step["cpu"][step["all"].index(step["best"])] for step in steps if step["all"]]
        wall = sum(step["best"] for step in steps if step["all"])
        lines.append(
            f"| {e} | {wall:.2f} | {sum(c[0] for c in kept):.2f} | {sum(c[1] for c in kept):.2f} |"
        )
    lines += [
        "",
        "Other processes' CPU use while each engine ran (0 = quiet machine):",
        "",
    ]
    for e in engines:
        runs = [
            f"{m['other_cpu_s']:.1f} CPU s over {m['wall_s']:.1f} s "
            f"({m['other_cpu_s'] / m['wall_s']:.2f} cores)"
            for m in results[e].get("machine", [])
        ]
        if len(runs) > 1:
            runs.append("best time per step over these runs")
        lines.append(f"- {e}: " + "; ".join(runs))
    for e in engines:
        if results.get(e, {}).get("status", "ok") != "ok":
            lines += ["", f"**{e}: {results[e]['status']}**"]
    return "\n".join(lines) + "\n"


def environment() -> str:
    """Machine and library versions, as Markdown."""
    import importlib.metadata as md

    cpu = "unknown"
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    mem_gib = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30

    def version(dist: str) -> str:
        try:
            return f"{dist} {md.version(dist)}"
        except md.PackageNotFoundError:
            return f"{dist} (not installed)"

    versions = [version(d) for d in ("csmetrics", "numpy", "pandas", "pyarrow", "duckdb")]
    git = subprocess.run(
        ["git", "-C", str(HERE), "describe", "--always", "--dirty"],
        capture_output=True,
        text=True,
        check=False,
    )
    if git.returncode == 0:
        versions.append(f"source `{git.stdout.strip()}`")
    return (
        f"- CPU: {cpu}, {os.cpu_count()} cores; RAM {mem_gib:.1f} GiB\n"
        f"- Python {platform.python_version()} ({platform.platform()})\n"
        f"- {', '.join(versions)}\n"
    )


def _cpu_seconds() -> float:
    """Busy CPU seconds of the whole machine so far (all cores), from /proc/stat."""
    try:
        fields = Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]
    except OSError:
        return math.nan
    user, nice, system, _idle, _iowait, irq, softirq, steal = map(int, fields[:8])
    return (user + nice + system + irq + softirq + steal) / os.sysconf("SC_CLK_TCK")


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def wait_until_idle(max_wait: float, busy_cores: float = 0.25) -> float:
    """Wait (up to ``max_wait`` s) until other processes use < ``busy_cores``.

    Other sessions' test runs on a 2-core machine distort timings, DuckDB's
    most. Returns the cores in use at the last check.
    """
    deadline = time.monotonic() + max_wait
    while True:
        before = _cpu_seconds()
        time.sleep(2)
        busy = (_cpu_seconds() - before) / 2
        if not busy >= busy_cores or time.monotonic() >= deadline:
            return busy
        print(f"  machine busy ({busy:.2f} cores in use); waiting", file=sys.stderr)
        time.sleep(8)


def _run_engine(
    engine: str, workdir: Path, data: dict[str, Path], repeats: int, args: argparse.Namespace
) -> dict:
    """One attempt of one engine in its own process; its results plus machine load."""
    result = workdir / f"{engine}.json"
    result.unlink(missing_ok=True)
    cmd = [sys.executable, str(Path(__file__).resolve()), "--worker", engine]
    cmd += ["--contacts", str(data["contacts"]), "--surveys", str(data["surveys"])]
    cmd += ["--repeats", str(repeats), "--result", str(result)]
    if engine != "csmetrics":
        cmd += ["--reference", str(workdir / "reference.json")]
    idle = wait_until_idle(args.idle_wait)
    cpu0, own0 = _cpu_seconds(), _children_cpu()
    t0 = time.perf_counter()
    status = "ok"
    try:
        proc = subprocess.run(cmd, timeout=args.timeout, check=False)
        if proc.returncode != 0:
            status = f"failed with exit code {proc.returncode}"
    except subprocess.TimeoutExpired:
        status = f"stopped after the {args.timeout:.0f} s time limit"
    wall = time.perf_counter() - t0
    others = (_cpu_seconds() - cpu0) - (_children_cpu() - own0)
    out = json.loads(result.read_text()) if result.exists() else {"steps": {}}
    out["status"] = status
    out["machine"] = [{"busy_cores_before": idle, "wall_s": wall, "other_cpu_s": others}]
    return out


def _merge_attempts(first: dict, later: dict) -> dict:
    """Best time per step over two verified attempts of the same engine."""
    for key, step in later["steps"].items():
        kept = first["steps"].setdefault(key, step)
        if kept is not step:
            kept["all"] = kept["all"] + step["all"]
            kept["cpu"] = kept["cpu"] + step["cpu"]
            kept["best"] = min(kept["all"]) if kept["all"] else None
    first["machine"] += later["machine"]
    first["rss_mib"] = later.get("rss_mib", first.get("rss_mib"))
    return first


def ensure_data(rows: int, args: argparse.Namespace, directory: Path) -> dict[str, Path]:
    """The Parquet files of one size: reused from ``directory`` or generated there."""
    paths = data_paths(directory, rows, args.seed)
    if have_data(paths):
        print(f"[{rows:,} rows] reusing {directory}", file=sys.stderr)
        return paths
    t0 = time.perf_counter()
    # Generate in a child: Linux keeps ru_maxrss across fork and exec, so a
    # parent that had held the data would inflate every worker's peak.
    cmd = [sys.executable, str(Path(__file__).resolve()), "--generate", str(directory)]
    subprocess.run([*cmd, "--rows", str(rows), "--seed", str(args.seed)], check=True)
    print(f"[{rows:,} rows] data generated in {time.perf_counter() - t0:.1f} s", file=sys.stderr)
    return paths


def run_size(rows: int, args: argparse.Namespace, engines: list[str]) -> str:
    """Generate one size, run every engine in a subprocess, return Markdown."""
    repeats = args.repeats or (3 if rows <= 2_000_000 else 1)
    workdir = Path(tempfile.mkdtemp(prefix=f"csmetrics-bench-{rows}-"))
    try:
        data = ensure_data(rows, args, Path(args.data_dir) if args.data_dir else workdir)
        results: dict[str, Any] = {}
        for engine in engines:  # csmetrics first: the reference
            for attempt in range(1 + args.busy_retries):
                got = _run_engine(engine, workdir, data, repeats, args)
                m = got["machine"][0]
                print(
                    f"[{rows:,} rows] {engine}: {got['status']} ({m['wall_s']:.1f} s wall, "
                    f"other processes {m['other_cpu_s'] / m['wall_s']:.2f} cores)",
                    file=sys.stderr,
                )
                if got["status"].startswith("failed"):
                    msg = f"{engine} failed at {rows:,} rows; see its error above"
                    raise SystemExit(msg)
                results[engine] = got if attempt == 0 else _merge_attempts(results[engine], got)
                if got["status"] != "ok" or m["other_cpu_s"] <= args.busy_cores * m["wall_s"]:
                    break
            if engine == "csmetrics":
                if results[engine]["status"] != "ok":
                    msg = f"csmetrics (the reference) {results[engine]['status']}"
                    raise SystemExit(msg)
                counts = {
                    key: step["counts"]
                    for key, step in results[engine]["steps"].items()
                    if "counts" in step
                }
                (workdir / "reference.json").write_text(json.dumps(counts))
        return report(rows, results, engines, repeats)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


# --------------------------------------------------------------------------
# Profile of csmetrics
# --------------------------------------------------------------------------


class LineTimer:
    """Inclusive wall time per source line of chosen functions (sys.settrace).

    Only frames of the chosen code objects are traced line by line; the
    functions are few heavy numpy lines, so the tracing overhead is small.
    """

    def __init__(self, *functions: Any) -> None:
        self.codes = {getattr(f, "__func__", f).__code__ for f in functions}
        self.times: dict[tuple[Any, int], float] = defaultdict(float)
        self.hits: dict[tuple[Any, int], int] = defaultdict(int)
        self._last: dict[Any, tuple[int, float]] = {}

    def _global(self, frame: Any, event: str, arg: Any) -> Any:
        return self._local if frame.f_code in self.codes else None

    def _local(self, frame: Any, event: str, arg: Any) -> Any:
        now = time.perf_counter()
        last = self._last.pop(frame, None)
        if last is not None:
            self.times[frame.f_code, last[0]] += now - last[1]
            self.hits[frame.f_code, last[0]] += 1
        if event == "line":
            self._last[frame] = (frame.f_lineno, time.perf_counter())
        return self._local

    def __enter__(self) -> LineTimer:
        sys.settrace(self._global)
        return self

    def __exit__(self, *exc: object) -> None:
        sys.settrace(None)

    def report(self, min_share: float = 0.01) -> str:
        out = []
        for code in sorted(self.codes, key=lambda c: (c.co_filename, c.co_firstlineno)):
            lines = {ln: t for (c, ln), t in self.times.items() if c is code}
            if not lines:
                continue
            total = sum(lines.values())
            where = f"{Path(code.co_filename).name}:{code.co_firstlineno}"
            out += [
                f"`{code.co_name}` ({where}), {total:.3f} s inclusive:",
                "",
                "| line | seconds | share | source |",
                "|---|---|---|---|",
            ]
            for ln in sorted(lines):
                if lines[ln] >= min_share * total:
                    src = linecache.getline(code.co_filename, ln).strip()
                    src = src.replace("|", "\\|")
                    out.append(f"| {ln} | {lines[ln]:.3f} | {lines[ln] / total:.0%} | `{src}` |")
            out.append("")
        return "\n".join(out)


def _traceable(modules: dict[Any, tuple[str, ...]]) -> list[Any]:
    """The named functions that exist (internal helpers come and go)."""
    found = []
    for module, qualnames in modules.items():
        for qualname in qualnames:
            obj: Any = module
            for part in qualname.split("."):
                obj = getattr(obj, part, None)
            if obj is not None:
                found.append(obj)
    return found


def _profiled_functions() -> list[Any]:
    """The csmetrics functions whose lines the profile times."""
    from csmetrics.core import episodes, frames, table
    from csmetrics.core import reduce as _reduce
    from csmetrics.metrics import resolution, service_level, surveys, timing

    return _traceable(
        {
            table: (
                "Interactions.from_columns",
                "Interactions._build",
                "Interactions.take",
                "Messages.for_rows",
                "Surveys.from_columns",
                "Surveys._build",
                "Surveys.of_kind",
                "_encode",
                "_encoded",
                "_dense_ints",
                "_typed_objects",
                "_unique_ids",
                "_times",
                "_scores",
                "_codes_of",
                "_take",
            ),
            frames: ("frame_columns", "parquet_columns", "_column"),
            resolution: ("fcr", "resolution_rate"),
            episodes: (
                "episodes",
                "time_rank",
                "time_order",
                "_issue_order",
                "ticket_rows",
                "_start_then_id_order",
                "_ticket_issues",
            ),
            _reduce: ("segment_cummax", "reduce_counts", "reduce_durations"),
            timing: ("first_response_time", "first_responses", "_first_response_units", "_reduce"),
            service_level: ("service_level", "_queue"),
            surveys: ("nps", "_answers"),
        }
    )


def _cprofile_fcr(t: Any) -> list[str]:
    """cProfile of ``fcr(match="issue")`` on a table without the cached time rank."""
    import cProfile
    import io
    import pstats

    import csmetrics

    prof = cProfile.Profile()
    t.memo.clear()
    prof.enable()
    csmetrics.fcr(t, match="issue")
    prof.disable()
    buf = io.StringIO()
    pstats.Stats(prof, stream=buf).sort_stats("tottime").print_stats(12)
    text = "\n".join(line for line in buf.getvalue().splitlines() if line.strip()).replace(
        str(Path(csmetrics.__file__).parent) + "/", ""
    )
    head = ['#### cProfile of `fcr(match="issue")`, top 12 by own time', "", "```"]
    return [*head, text, "```", ""]


def profile(rows: int, args: argparse.Namespace) -> str:
    """Wall time, time per source line and cProfile of csmetrics' slow steps."""
    workdir = Path(tempfile.mkdtemp(prefix=f"csmetrics-profile-{rows}-"))
    try:
        return _profile_files(
            rows, ensure_data(rows, args, Path(args.data_dir) if args.data_dir else workdir)
        )
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def _profile_files(rows: int, paths: dict[str, Path]) -> str:
    import pyarrow.parquet as pq

    import csmetrics
    from csmetrics.core import episodes, frames, reading, table

    arrow = pq.read_table(paths["contacts"])
    sarrow = pq.read_table(paths["surveys"])
    # What from_frame passes to from_columns: the frame's columns as numpy.
    cols = frames.frame_columns(arrow, reading=reading.Reading.of(reading.INTERACTION_FIELDS))
    scols = frames.frame_columns(sarrow, reading=reading.Reading.of(reading.SURVEY_FIELDS))
    functions = _profiled_functions()
    t = csmetrics.Interactions.from_columns(cols)
    st = csmetrics.Surveys.from_columns(scols)

    def fresh(call: Any) -> Any:
        # Every metric call on a table without the cached time rank.
        def run() -> Any:
            t.memo.clear()
            return call()

        return run

    scenarios = {
        "pq.read_table (contacts)": lambda: pq.read_table(paths["contacts"]),
        "Interactions.read_parquet": lambda: csmetrics.Interactions.read_parquet(paths["contacts"]),
        "Interactions.from_frame (an Arrow table)": lambda: csmetrics.Interactions.from_frame(
            arrow
        ),
        "Interactions.from_columns (numpy columns)": lambda: csmetrics.Interactions.from_columns(
            cols
        ),
        "time_rank": fresh(lambda: episodes.time_rank(t)),
        'fcr(match="issue")': fresh(lambda: csmetrics.fcr(t, match="issue")),
        'fcr(match="category")': fresh(lambda: csmetrics.fcr(t, match="category")),
        "resolution_rate": fresh(lambda: csmetrics.resolution_rate(t)),
        "first_response_time": lambda: csmetrics.first_response_time(t).p90,
        'service_level(by="channel")': lambda: csmetrics.service_level(
            t, threshold=THRESHOLDS, by="channel"
        ),
        "Surveys.read_parquet": lambda: csmetrics.Surveys.read_parquet(paths["surveys"]),
        "Surveys.from_frame (an Arrow table)": lambda: csmetrics.Surveys.from_frame(sarrow),
        "Surveys.from_columns (numpy columns)": lambda: csmetrics.Surveys.from_columns(scols),
        "nps": lambda: csmetrics.nps(st),
    }
    out = [
        f"### csmetrics profile, {rows:,} contacts",
        "",
        "Untraced wall time and CPU time (every metric without the cached time rank):",
        "",
    ]
    for name, call in scenarios.items():
        gc.collect()
        r0 = resource.getrusage(resource.RUSAGE_SELF)
        t0 = time.perf_counter()
        call()
        wall = time.perf_counter() - t0
        r1 = resource.getrusage(resource.RUSAGE_SELF)
        out.append(
            f"- `{name}`: {wall:.3f} s (CPU: user {r1.ru_utime - r0.ru_utime:.2f} s, "
            f"system {r1.ru_stime - r0.ru_stime:.2f} s)"
        )
    encode = getattr(table, "_encode", None)
    if encode is not None:
        out += ["", "`_encode` (dictionary encoding) per key column of `from_columns`:", ""]
        for name in ("id", "customer_id", "channel", "agent_id", "issue_id", "category"):
            values = cols[name]
            t0 = time.perf_counter()
            encode(name, values, required=False, ids=None)
            out.append(f"- `{name}` ({values.dtype}): {time.perf_counter() - t0:.3f} s")
    for name, call in scenarios.items():
        if name.startswith("pq."):
            continue
        gc.collect()
        timer = LineTimer(*functions)
        with timer:
            call()
        out += [
            "",
            f"#### `{name}`: time per source line (inclusive, lines >= 1%)",
            "",
            timer.report(),
        ]
    out += _cprofile_fcr(t)
    return "\n".join(out)


# --------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, action="append", help="contacts (repeatable)")
    parser.add_argument("--engines", default=",".join(ENGINES))
    parser.add_argument(
        "--repeats", type=int, default=None, help="default: 3 up to 2e6 rows, else 1"
    )
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--timeout", type=float, default=900, help="seconds per engine and size")
    parser.add_argument("--output", help="also write the Markdown report here")
    parser.add_argument(
        "--busy-retries",
        type=int,
        default=2,
        help="rerun an engine (keeping each step's best time) while other processes "
        "used more than --busy-cores during its run",
    )
    parser.add_argument("--busy-cores", type=float, default=0.2)
    parser.add_argument(
        "--idle-wait",
        type=float,
        default=300,
        help="seconds to wait for other processes to go quiet before each engine",
    )
    parser.add_argument(
        "--data-dir",
        help="keep the generated Parquet files in this directory and reuse them on later "
        "runs with the same --rows and --seed (default: a temporary directory, deleted)",
    )
    parser.add_argument("--profile", action="store_true", help="profile csmetrics")
    parser.add_argument("--worker", choices=ENGINES, help=argparse.SUPPRESS)
    parser.add_argument("--contacts", help=argparse.SUPPRESS)
    parser.add_argument("--surveys", help=argparse.SUPPRESS)
    parser.add_argument("--reference", help=argparse.SUPPRESS)
    parser.add_argument("--result", help=argparse.SUPPRESS)
    parser.add_argument("--generate", help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.worker:
        sys.path.insert(0, str(HERE))
        worker(args)
        return
    if args.generate:
        rows = args.rows[0]
        paths = data_paths(Path(args.generate), rows, args.seed)
        write_parquet(paths, *generate(rows, seed=args.seed))
        return
    sizes = args.rows or [1_000_000]
    if args.data_dir:
        Path(args.data_dir).mkdir(parents=True, exist_ok=True)
    engines = [e.strip() for e in args.engines.split(",") if e.strip()]
    if unknown := set(engines) - set(ENGINES):
        parser.error(f"unknown engines {sorted(unknown)}; use {ENGINES}")
    engines = [e for e in ENGINES if e in engines]
    if "csmetrics" not in engines:
        parser.error("csmetrics is the reference; include it in --engines")
    parts = ["## Environment", "", environment()]
    for rows in sizes:
        parts.append(profile(rows, args) if args.profile else run_size(rows, args, engines))
        print(parts[-1], flush=True)
    if args.output:
        Path(args.output).write_text("\n".join(parts))


if __name__ == "__main__":
    main()
