"""Time csmetrics on a Dask LocalCluster against one process, on partitioned Parquet.

Usage::

    python benchmarks/dask_scaling.py --rows 1000000 [--rows 4000000]
        [--files 16] [--workers 2] [--memory-limit 3GiB] [--data-dir DIR]

For each size, `bench.generate` (the seeded generator of ``bench.py``) writes
the contacts and survey answers as ``--files`` Parquet files each (a
directory per table). Then two child processes run the same metric set:

- ``single``: ``pyarrow.parquet.read_table(directory)`` and
  ``Interactions.from_frame`` / ``Surveys.from_frame``, then each metric on
  the table;
- ``dask``: a ``distributed.LocalCluster`` of ``--workers`` worker processes
  (one thread each), ``dask.dataframe.read_parquet(directory)`` and each
  metric on the Dask DataFrame, so every metric reads the files on the
  workers (the pipeline a platform team runs: nothing is persisted).

Both report wall time per step, peak RSS of the process (and of each worker),
and the counts of every result; the parent checks that the counts are equal
before printing the table. A benchmark, not a test.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

THRESHOLDS = {0: 20.0, 1: 60.0, 2: 3600.0}
STEPS = (
    ("fcr", "fcr", "`fcr()` (shuffle by issue/customer)", "contacts", {}),
    ("fcr_category", "fcr", '`fcr(match="category")`', "contacts", {"match": "category"}),
    ("resolution_rate", "resolution_rate", "`resolution_rate()` (shuffle)", "contacts", {}),
    ("first_response_time", "first_response_time", "`first_response_time()`", "contacts", {}),
    (
        "service_level",
        "service_level",
        '`service_level(threshold={...}, by="channel")`',
        "contacts",
        {"threshold": THRESHOLDS, "by": "channel"},
    ),
    ("nps", "nps", "`nps()`", "surveys", {}),
    ("csat", "csat", "`csat()`", "surveys", {}),
)


def write_partitioned(directory: Path, rows: int, files: int) -> dict[str, Path]:
    """The generator's contacts and surveys as ``files`` Parquet files per table."""
    import pyarrow.parquet as pq

    from bench import data_paths, generate, write_parquet

    out = {table: directory / f"{table}-{rows}-{files}" for table in ("contacts", "surveys")}
    if all(p.is_dir() and len(list(p.glob("*.parquet"))) == files for p in out.values()):
        return out
    single = data_paths(directory, rows, 20260501)
    contacts, surveys = generate(rows)
    write_parquet(single, contacts, surveys)
    del contacts, surveys
    for table, path in out.items():
        path.mkdir(parents=True, exist_ok=True)
        whole = pq.read_table(single[table])
        step = -(-whole.num_rows // files)
        for i in range(files):
            pq.write_table(whole.slice(i * step, step), path / f"part-{i:03d}.parquet")
        single[table].unlink()
    return out


def _counts(result: Any) -> dict[str, Any]:
    """The counts (and quantiles) a result's numbers come from, JSON-ready."""
    overall = getattr(result, "overall", result)
    out = {k: v for k, v in overall.counts().items() if isinstance(v, int)}
    if hasattr(overall, "median"):
        out["median"] = overall.median
        out["p90"] = overall.quantile(0.9)
    else:
        out["value"] = float(overall)
    return out


def _maxrss_mib() -> float:
    """Peak RSS of this process in MiB (VmHWM: unlike ``ru_maxrss``, reset by exec)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_single(paths: dict[str, str]) -> dict[str, Any]:
    import pyarrow.parquet as pq

    import csmetrics

    times: dict[str, float] = {}
    counts: dict[str, Any] = {}
    cpu = time.process_time()
    start = time.perf_counter()
    tables = {
        "contacts": csmetrics.Interactions.from_frame(pq.read_table(paths["contacts"])),
        "surveys": csmetrics.Surveys.from_frame(pq.read_table(paths["surveys"])),
    }
    times["load"] = time.perf_counter() - start
    for key, name, _, table, options in STEPS:
        start = time.perf_counter()
        result = getattr(csmetrics, name)(tables[table], **options)
        times[key] = time.perf_counter() - start
        counts[key] = _counts(result)
    cpu = time.process_time() - cpu
    return {"times": times, "counts": counts, "client_mib": _maxrss_mib(), "cpu": cpu}


def run_dask(paths: dict[str, str], workers: int, memory_limit: str) -> dict[str, Any]:
    import dask.dataframe as dd
    import distributed

    import csmetrics

    times: dict[str, float] = {}
    counts: dict[str, Any] = {}
    with (
        distributed.LocalCluster(
            n_workers=workers,
            threads_per_worker=1,
            processes=True,
            memory_limit=memory_limit,
            dashboard_address=":0",
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        frames = {table: dd.read_parquet(path) for table, path in paths.items()}
        csmetrics.nps(frames["surveys"])  # warm the workers (imports), untimed
        cpu = time.process_time() + sum(client.run(time.process_time).values())
        for key, name, _, table, options in STEPS:
            start = time.perf_counter()
            result = getattr(csmetrics, name)(frames[table], **options)
            times[key] = time.perf_counter() - start
            counts[key] = _counts(result)
        cpu = time.process_time() + sum(client.run(time.process_time).values()) - cpu
        worker_mib = sorted(client.run(_maxrss_mib).values())
    return {
        "times": times,
        "counts": counts,
        "client_mib": _maxrss_mib(),
        "worker_mib": worker_mib,
        "cpu": cpu,
    }


def child(args: argparse.Namespace) -> None:
    paths = json.loads(args.paths)
    out = (
        run_single(paths)
        if args.child == "single"
        else run_dask(paths, args.workers, args.memory_limit)
    )
    print(json.dumps(out))


def _spawn(mode: str, paths: dict[str, Path], args: argparse.Namespace) -> dict[str, Any]:
    command = [
        sys.executable,
        __file__,
        "--child",
        mode,
        "--paths",
        json.dumps({k: str(v) for k, v in paths.items()}),
        "--workers",
        str(args.workers),
        "--memory-limit",
        args.memory_limit,
    ]
    done = subprocess.run(command, check=True, capture_output=True, text=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def report(rows: int, files: int, single: dict[str, Any], dist: dict[str, Any], w: int) -> str:
    lines = [
        f"### {rows:,} contacts, {rows // 2:,} survey answers, {files} files per table",
        "",
        f"| step | one process | LocalCluster, {w} workers | ratio |",
        "|---|---:|---:|---:|",
        (
            f"| load (one process: read and build the tables) | {single['times']['load']:.2f} s "
            "| (read on the workers in every step) | |"
        ),
    ]
    for key, _, label, _, _ in STEPS:
        a, b = single["times"][key], dist["times"][key]
        lines.append(f"| {label} | {a:.2f} s | {b:.2f} s | {b / a:.1f}x |")
    total_a = sum(single["times"].values())
    total_b = sum(dist["times"].values())
    lines += [
        f"| **total** | **{total_a:.2f} s** | **{total_b:.2f} s** | {total_b / total_a:.1f}x |",
        (
            f"| CPU time (the process; client and workers) | {single['cpu']:.1f} s "
            f"| {dist['cpu']:.1f} s | {dist['cpu'] / single['cpu']:.1f}x |"
        ),
        "",
        f"Peak RSS: one process {single['client_mib']:.0f} MiB; Dask client "
        f"{dist['client_mib']:.0f} MiB, workers "
        + ", ".join(f"{m:.0f}" for m in dist["worker_mib"])
        + " MiB. Counts equal in both runs.",
        "",
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--rows", type=int, action="append")
    parser.add_argument("--files", type=int, default=16)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--memory-limit", default="3GiB")
    parser.add_argument("--data-dir", type=Path)
    parser.add_argument("--child", choices=("single", "dask"))
    parser.add_argument("--paths")
    args = parser.parse_args()
    if args.child:
        child(args)
        return
    with tempfile.TemporaryDirectory() as tmp:
        directory = args.data_dir or Path(tmp)
        directory.mkdir(parents=True, exist_ok=True)
        for rows in args.rows or [1_000_000]:
            paths = write_partitioned(directory, rows, args.files)
            single = _spawn("single", paths, args)
            dist = _spawn("dask", paths, args)
            if single["counts"] != dist["counts"]:
                msg = f"counts differ:\n{single['counts']}\n{dist['counts']}"
                raise SystemExit(msg)
            print(report(rows, args.files, single, dist, args.workers), flush=True)


if __name__ == "__main__":
    main()
