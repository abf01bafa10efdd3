"""Time the time and queue metrics (and business-time conversion) on synthetic contacts.

    python benchmarks/time_metrics.py --rows 1000000 --rows 10000000

Each size runs in its own process so peak memory (ru_maxrss) is per size.
"""

from __future__ import annotations

import argparse
import resource
import subprocess
import sys
import time
import warnings

import numpy as np

import csmetrics

STEPS = (
    ("first_response_time", lambda t, c: csmetrics.first_response_time(t)),
    (
        "first_response_time, business hours",
        lambda t, c: csmetrics.first_response_time(t, calendar=c),
    ),
    ("resolution_time (full)", lambda t, c: csmetrics.resolution_time(t)),
    ("handle_time", lambda t, c: csmetrics.handle_time(t)),
    ("contact_length", lambda t, c: csmetrics.contact_length(t)),
    ("service_level (20 s, offered)", lambda t, c: csmetrics.service_level(t, threshold=20)),
    ("asa", lambda t, c: csmetrics.asa(t)),
    ("abandonment_rate", lambda t, c: csmetrics.abandonment_rate(t)),
)


def contacts(n: int, seed: int = 7) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    start = np.datetime64("2026-01-05", "us") + np.sort(
        rng.integers(0, 180 * 86_400 * 10**6, n)
    ).astype("timedelta64[us]")
    wait = (rng.exponential(40, n) * 1e6).astype("timedelta64[us]")
    talk = rng.lognormal(5.5, 0.6, n)
    abandoned = rng.random(n) < 0.06
    end = start + wait + np.where(abandoned, 0, talk * 1e6).astype("timedelta64[us]")
    open_ = (rng.random(n) < 0.01) & ~abandoned
    end[open_] = np.datetime64("NaT")
    first = np.where(abandoned | open_, np.datetime64("NaT"), start + wait)
    issue = np.where(rng.random(n) < 0.6, rng.integers(0, n // 2, n), -1)
    return {
        "id": rng.permutation(n),
        "customer_id": rng.integers(0, n // 4, n),
        "start": start,
        "end": end,
        "first_response_at": first,
        "abandoned": abandoned,
        "resolved": ~open_ & ~abandoned & (rng.random(n) < 0.8),
        "talk_seconds": talk,
        "hold_seconds": rng.exponential(20, n),
        "wrap_seconds": rng.exponential(30, n),
        "channel": rng.integers(0, 3, n),
        "issue_id": np.ma.masked_less(issue, 0),
    }


def run(n: int) -> None:
    warnings.simplefilter("ignore", csmetrics.UndefinedMetricWarning)
    columns = contacts(n)
    office = csmetrics.BusinessCalendar(
        timezone="Europe/Berlin",
        hours={d: [("08:00", "18:00")] for d in ("mon", "tue", "wed", "thu", "fri")},
    )
    t0 = time.perf_counter()
    table = csmetrics.Interactions.from_columns(columns)
    rows = [("table build (from_columns)", time.perf_counter() - t0)]
    start, end = (
        table.start,
        np.where(table.end == csmetrics.core.table.OPEN, table.start, table.end),
    )
    t0 = time.perf_counter()
    office.business_seconds_array(start, end)
    rows.append(("business_seconds_array", time.perf_counter() - t0))
    for name, step in STEPS:
        t0 = time.perf_counter()
        step(table, office)
        rows.append((name, time.perf_counter() - t0))
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"### {n:,} contacts\n\n| step | seconds |\n|---|---|")
    for name, seconds in rows:
        print(f"| {name} | {seconds:.2f} |")
    print(f"\nPeak RSS: {peak:,.0f} MiB (input columns included)\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, action="append")
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        run(args.child)
        return
    for n in args.rows or [1_000_000]:
        subprocess.run([sys.executable, __file__, "--child", str(n)], check=True)


if __name__ == "__main__":
    main()
