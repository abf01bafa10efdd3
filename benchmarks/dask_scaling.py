"""Time csmetrics on a Dask LocalCluster against DuckDB and one process, on partitioned Parquet.

Usage::

    python benchmarks/dask_scaling.py --rows 10000000 [--rows 100000000]
        [--files 50] [--workers 2] [--memory-limit 6GiB] [--data-dir DIR]
        [--engines duckdb,dask,single]

For each size, the seeded generator of ``bench.py`` (`bench.generate`)
writes the contacts and ``0.3 * rows`` survey answers as ``--files`` Parquet
files per table (a directory per table), one chunk of ``rows / files``
contacts at a time, so that memory stays bounded whatever the size (chunk
``i`` is ``generate(rows / files, seed=SEED + i)`` with its ids, customers and
tickets moved past those of the earlier chunks; 60% of its survey answers
are kept). Then each engine runs the same metric set in a child process of
its own:

- ``duckdb``: DuckDB views over the files (``read_parquet`` of the glob), so
  every query reads the files, 2 threads, ``memory_limit`` as the workers',
  spilling to ``--data-dir``; the same SQL definitions as ``bench.py``;
- ``dask``: a ``distributed.LocalCluster`` of ``--workers`` worker processes
  (one thread each, ``--memory-limit`` each) and
  ``Interactions.read_parquet(directory, distributed=True)``: every metric
  reads the files on the workers (nothing persisted);
- ``single``: ``Interactions.read_parquet(directory)`` into one table in one
  process, then each metric on the table (skipped above
  ``--single-max`` rows: it would not fit in memory).

Each engine reports wall and CPU time per step (the CPU of the client and
the workers for Dask), peak RSS of its process and of each worker; each
step's counts go to stderr as it finishes, so a run cut short shows how far
it got. The parent checks that the counts of every engine equal DuckDB's
(the first engine) before printing the table. A benchmark, not a test.
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

ENGINES = ("duckdb", "dask", "single")
THRESHOLDS = {0: 20.0, 1: 60.0, 2: 3600.0}
# (key, label, method of bench.Csmetrics / bench.DuckDB, table, options)
STEPS = (
    (
        "fcr",
        '`fcr(match="issue")` (shuffle by issue, else customer)',
        "fcr",
        "contacts",
        {"match": "issue"},
    ),
    (
        "fcr_category",
        '`fcr(match="category")` (shuffle by customer)',
        "fcr",
        "contacts",
        {"match": "category"},
    ),
    ("resolution_rate", "`resolution_rate()` (shuffle)", "resolution_rate", "contacts", {}),
    ("first_response_time", "`first_response_time()`", "first_response_time", "contacts", {}),
    (
        "service_level",
        '`service_level(threshold={...}, by="channel")`',
        "service_level",
        "contacts",
        {"by": "channel"},
    ),
    ("nps", "`nps()`", "nps", "surveys", {}),
    ("csat", "`csat()`", "csat", "surveys", {}),
)
SURVEY_SHARE = 0.6
"""Share of a chunk's survey answers kept (the generator makes rows / 2): 0.3 per contact."""


def _chunk(rows: int, index: int, seed: int) -> tuple[dict[str, Any], dict[str, Any]]:
    """Chunk ``index`` of ``rows`` contacts: its own seed, ids past the earlier chunks'."""
    from bench import generate

    contacts, surveys = generate(rows, seed=seed + index)
    # Offsets keep contacts, customers, tickets and answers of two chunks apart.
    contacts["id"] = contacts["id"] + index * rows
    contacts["customer_id"] = contacts["customer_id"] + index * rows
    contacts["issue_id"] = contacts["issue_id"] + index * rows
    keep = int(len(surveys["id"]) * SURVEY_SHARE)
    surveys = {name: column[:keep] for name, column in surveys.items()}
    surveys["id"] = surveys["id"] + index * rows
    surveys["customer_id"] = surveys["customer_id"] + index * rows
    surveys["interaction_id"] = surveys["interaction_id"] + index * rows
    return contacts, surveys


def write_partitioned(directory: Path, rows: int, files: int, seed: int) -> dict[str, Path]:
    """The generated contacts and surveys as ``files`` Parquet files per table."""
    from bench import GENERATOR_VERSION, write_parquet

    out = {t: directory / f"{t}-{rows}-{files}-seed{seed}" for t in ("contacts", "surveys")}
    done = directory / f"done-{rows}-{files}-seed{seed}-v{GENERATOR_VERSION}"
    if done.exists():
        return out
    for path in out.values():
        path.mkdir(parents=True, exist_ok=True)
    chunk = -(-rows // files)
    start = time.perf_counter()
    for i in range(files):
        size = min(chunk, rows - i * chunk)
        contacts, surveys = _chunk(size, i, seed)
        write_parquet({t: out[t] / f"part-{i:04d}.parquet" for t in out}, contacts, surveys)
        if i % 10 == 9:
            print(
                f"  wrote {i + 1}/{files} files ({time.perf_counter() - start:.0f} s)",
                file=sys.stderr,
                flush=True,
            )
    done.touch()
    return out


def _maxrss_mib() -> float:
    """Peak RSS of this process in MiB (VmHWM: unlike ``ru_maxrss``, reset by exec)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _progress(mode: str, key: str, seconds: float, counts: Any) -> None:
    print(f"[{mode}] {key}: {seconds:.2f} s {json.dumps(counts)}", file=sys.stderr, flush=True)


def _steps(mode: str, engine: Any, tables: dict[str, Any], times: dict[str, float]) -> dict:
    counts: dict[str, Any] = {}
    for key, _, method, table, options in STEPS:
        start = time.perf_counter()
        counts[key] = getattr(engine, method)(tables[table], **options)
        times[key] = time.perf_counter() - start
        _progress(mode, key, times[key], counts[key])
    return counts


def run_duckdb(paths: dict[str, str], memory_limit: str, spill: str) -> dict[str, Any]:
    from bench import DuckDB

    engine = DuckDB()
    limit = memory_limit.replace("GiB", "GB") if memory_limit.endswith("GiB") else memory_limit
    engine.con.execute(f"SET memory_limit = '{limit}'")
    engine.con.execute(f"SET temp_directory = '{spill}'")
    for table, path in paths.items():
        engine.con.execute(f"CREATE VIEW {table} AS SELECT * FROM read_parquet('{path}/*.parquet')")
    times: dict[str, float] = {}
    cpu = time.process_time()
    counts = _steps("duckdb", engine, {"contacts": engine.con, "surveys": engine.con}, times)
    return {
        "times": times,
        "counts": counts,
        "client_mib": _maxrss_mib(),
        "cpu": time.process_time() - cpu,
    }


def run_single(paths: dict[str, str]) -> dict[str, Any]:
    from bench import Csmetrics

    engine = Csmetrics()
    times: dict[str, float] = {}
    cpu = time.process_time()
    start = time.perf_counter()
    tables = {
        "contacts": engine.cs.Interactions.read_parquet(paths["contacts"]),
        "surveys": engine.cs.Surveys.read_parquet(paths["surveys"]),
    }
    times["load"] = time.perf_counter() - start
    _progress("single", "load", times["load"], {})
    counts = _steps("single", engine, tables, times)
    return {
        "times": times,
        "counts": counts,
        "client_mib": _maxrss_mib(),
        "cpu": time.process_time() - cpu,
    }


def run_dask(paths: dict[str, str], workers: int, memory_limit: str) -> dict[str, Any]:
    import distributed

    from bench import Csmetrics

    engine = Csmetrics()
    times: dict[str, float] = {}
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
        frames = {
            "contacts": engine.cs.Interactions.read_parquet(paths["contacts"], distributed=True),
            "surveys": engine.cs.Surveys.read_parquet(paths["surveys"], distributed=True),
        }
        client.run(lambda: __import__("csmetrics"))  # warm the workers' imports, untimed
        cpu = time.process_time() + sum(client.run(time.process_time).values())
        counts = _steps("dask", engine, frames, times)
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
    if args.child == "duckdb":
        out = run_duckdb(paths, args.memory_limit, str(Path(args.spill)))
    elif args.child == "single":
        out = run_single(paths)
    else:
        out = run_dask(paths, args.workers, args.memory_limit)
    print(json.dumps(out))


def _spawn(mode: str, paths: dict[str, Path], args: argparse.Namespace, spill: Path) -> dict:
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
        "--spill",
        str(spill),
    ]
    start = time.perf_counter()
    done = subprocess.run(command, check=True, stdout=subprocess.PIPE, text=True)
    out = json.loads(done.stdout.strip().splitlines()[-1])
    out["process_wall"] = time.perf_counter() - start
    return out


def report(rows: int, files: int, results: dict[str, dict[str, Any]], w: int) -> str:
    names = {
        "duckdb": "DuckDB (2 threads)",
        "dask": f"LocalCluster, {w} workers",
        "single": "one process",
    }
    engines = list(results)
    lines = [
        f"#### {rows:,} contacts, {int(rows * 0.3):,} survey answers, {files} files per table",
        "",
        "| step | " + " | ".join(names[e] for e in engines) + " |",
        "|---|" + "---:|" * len(engines),
    ]
    if "single" in results:
        cells = [
            f"{results['single']['times']['load']:.2f} s"
            if e == "single"
            else "(reads the files in every step)"
            for e in engines
        ]
        lines.append("| load: read and build the tables | " + " | ".join(cells) + " |")
    for key, label, *_ in STEPS:
        lines.append(
            f"| {label} | "
            + " | ".join(f"{results[e]['times'][key]:.2f} s" for e in engines)
            + " |"
        )
    lines.append(
        "| **total** | "
        + " | ".join(f"**{sum(results[e]['times'].values()):.2f} s**" for e in engines)
        + " |"
    )
    lines.append(
        "| CPU time (the process; Dask: client and workers) | "
        + " | ".join(f"{results[e]['cpu']:.1f} s" for e in engines)
        + " |"
    )
    lines.append(
        "| peak RSS (Dask: client; workers) | "
        + " | ".join(
            f"{results[e]['client_mib']:.0f} MiB"
            + (
                f"; {', '.join(f'{m:.0f}' for m in results[e]['worker_mib'])} MiB"
                if "worker_mib" in results[e]
                else ""
            )
            for e in engines
        )
        + " |"
    )
    lines += ["", "Counts equal in every engine.", ""]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--rows", type=int, action="append")
    parser.add_argument("--files", type=int, default=50)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--memory-limit", default="6GiB")
    parser.add_argument("--data-dir", type=Path)
    parser.add_argument("--engines", default=",".join(ENGINES))
    parser.add_argument("--single-max", type=int, default=30_000_000)
    parser.add_argument("--seed", type=int, default=20260501)
    parser.add_argument("--child", choices=ENGINES)
    parser.add_argument("--paths")
    parser.add_argument("--spill")
    args = parser.parse_args()
    if args.child:
        child(args)
        return
    from bench import _same

    engines = [e for e in args.engines.split(",") if e]
    with tempfile.TemporaryDirectory() as tmp:
        directory = args.data_dir or Path(tmp)
        directory.mkdir(parents=True, exist_ok=True)
        spill = directory / "duckdb-spill"
        spill.mkdir(exist_ok=True)
        for rows in args.rows or [1_000_000]:
            start = time.perf_counter()
            paths = write_partitioned(directory, rows, args.files, args.seed)
            print(f"data ready: {time.perf_counter() - start:.0f} s", file=sys.stderr, flush=True)
            results = {}
            for engine in engines:
                if engine == "single" and rows > args.single_max:
                    continue
                results[engine] = _spawn(engine, paths, args, spill)
                first = next(iter(results))
                if not _same(results[first]["counts"], results[engine]["counts"]):
                    msg = (
                        f"counts differ between {first} and {engine}:\n"
                        f"{results[first]['counts']}\n{results[engine]['counts']}"
                    )
                    raise SystemExit(msg)
            print(report(rows, args.files, results, args.workers), flush=True)


if __name__ == "__main__":
    main()
