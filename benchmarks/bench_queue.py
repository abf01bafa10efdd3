"""The queue and duration steps of bench.py, csmetrics and DuckDB in one process.

Usage::

    python benchmarks/bench_queue.py CONTACTS.parquet [--repeats 3] [--only sl_,frt]

Loads the contacts once in each engine (`bench.Csmetrics` and `bench.DuckDB`,
DuckDB on two threads), then for every step (service level, ASA, first
response time, contact length and handle time, overall, by channel and by
agent, each without and with the report's ``as_of``) checks that both
engines give the same numbers (`bench._same`) and prints the best wall time
of ``--repeats`` runs of each with the CPU seconds (all threads) of that
run. Both engines run under the same load, step by step;
`CSMETRICS_THREADS` sets csmetrics' threads.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

import bench

STEPS = (
    ("sl_overall", "service_level", {"by": None}),
    ("sl_channel", "service_level", {"by": "channel"}),
    ("sl_agent", "service_level", {"by": "agent_id"}),
    ("asa", "asa", {}),
    ("asa_channel", "asa", {"by": "channel"}),
    ("asa_agent", "asa", {"by": "agent_id"}),
    ("frt", "first_response_time", {}),
    ("frt_channel", "first_response_time_by", {"by": "channel"}),
    ("frt_agent", "first_response_time_by", {"by": "agent_id"}),
    ("length", "contact_length", {}),
    ("length_channel", "contact_length", {"by": "channel"}),
    ("length_agent", "contact_length", {"by": "agent_id"}),
    ("aht", "handle_time", {}),
    ("aht_channel", "handle_time", {"by": "channel"}),
    ("aht_agent", "handle_time", {"by": "agent_id"}),
)


def timed(call: Callable[[], Any], repeats: int) -> tuple[float, float]:
    """Best wall seconds of ``repeats`` calls, and the CPU seconds of that call."""
    best_wall, best_cpu = float("inf"), float("inf")
    for _ in range(repeats):
        cpu, wall = time.process_time(), time.perf_counter()
        call()
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        if wall < best_wall:
            best_wall, best_cpu = wall, cpu
    return best_wall, best_cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("contacts", type=Path)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--only", help="comma-separated parts of step names")
    args = parser.parse_args()
    only = args.only.split(",") if args.only else None
    engines = {}
    for name in ("csmetrics", "duckdb"):
        engine = bench.ENGINE_CLASSES[name]()
        table = engine.contacts(args.contacts)
        engines[name] = (engine, table, engine.as_of(table))
    print(f"{'step':24s} {'cs wall':>8s} {'cs cpu':>8s} {'dd wall':>8s} {'dd cpu':>8s} ratio")
    for key, method, options in STEPS:
        for with_as_of in (False, True):
            step = key + ("_as_of" if with_as_of else "")
            if only and not any(part in step for part in only):
                continue
            out, times = {}, {}
            for name, (engine, table, as_of) in engines.items():
                kwargs = {**options, **({"as_of": as_of} if with_as_of else {})}
                call = partial(getattr(engine, method), table, **kwargs)

                out[name] = call()
                times[name] = timed(call, args.repeats)
            if not bench._same(out["csmetrics"], out["duckdb"]):
                msg = f"csmetrics and DuckDB disagree on {step}"
                raise SystemExit(msg)
            (cs_wall, cs_cpu), (dd_wall, dd_cpu) = times["csmetrics"], times["duckdb"]
            print(
                f"{step:24s} {cs_wall:8.3f} {cs_cpu:8.3f} {dd_wall:8.3f} {dd_cpu:8.3f} "
                f"{cs_wall / dd_wall:5.2f}",
                flush=True,
            )


if __name__ == "__main__":
    main()
