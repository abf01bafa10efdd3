"""Benchmark ticket metrics: csmetrics against the same definitions in DuckDB SQL.

Usage::

    python benchmarks/bench_tickets.py --tickets 1000000 [--data-dir DIR] [--repeats N]

A seeded synthetic helpdesk export (numpy, no per-row Python objects) is
written as three Parquet files: tickets, comments (6 per ticket on average)
and status changes (5 per ticket on average, with pending, on-hold, solves,
closes and reopens). Each engine then runs in its own subprocess, so that
peak RSS is its own, and times three steps:

- **read**: the three files into the engine's tables (csmetrics:
  ``Tickets.read_parquet``; DuckDB: ``CREATE TABLE`` from ``read_parquet``);
- **ticket_metrics**: per ticket, the five status waits in calendar and in
  business time (weekdays 09:00-17:00 in Europe/Berlin), first reply in
  both, resolutions, reopens and agent replies;
- **aggregates**: requester wait, agent wait and on-hold totals over the
  tickets, the one-touch rate and reopens per solved ticket.

The DuckDB side writes every definition in SQL: status segments with
``lead()``, business time as ``B(end) - B(start)`` with ``B`` read from a
table of the calendar's open intervals by an ``ASOF JOIN``. Before anything
is timed, every column is compared: counts exactly, seconds to a relative
1e-12 (csmetrics sums float seconds per segment, SQL integer microseconds);
a mismatch aborts the run. Each step's best of ``--repeats`` is reported.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import numpy as np

SEED = 20261207
US = 1_000_000
START = int(datetime(2026, 1, 5, tzinfo=timezone.utc).timestamp()) * US
STATUS_PATTERNS = (
    ("open", "pending", "open", "solved", "closed"),
    ("open", "hold", "open", "pending", "solved"),
    ("open", "solved", "open", "pending", "solved"),
    ("pending", "open", "hold", "open", "solved"),
    ("open", "pending", "solved", "open", "hold"),
    ("new", "open", "pending", "open", "pending"),
)
STATUSES = ("new", "open", "pending", "hold", "solved", "closed")
WAITS = {
    "requester_wait": ("new", "open", "hold"),
    "agent_wait": ("pending",),
    "on_hold": ("hold",),
    "agent_work": ("new", "open"),
    "solve_time": ("new", "open", "hold", "pending"),
}
TIMES = ("first_reply", *WAITS)
COUNTS = ("resolutions", "reopens", "agent_replies")


def generate(n: int, directory: Path) -> None:
    """Write tickets.parquet, comments.parquet and statuses.parquet for ``n`` tickets."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    rng = np.random.default_rng(SEED)
    ids = np.arange(1, n + 1, dtype=np.int64)
    created = START + rng.integers(0, 60 * 86400, n) * US
    # Status changes: 3 to 5 per ticket (5 on average is the issue's shape:
    # most tickets have all five), each a pattern's prefix, minutes apart.
    pattern = rng.integers(0, len(STATUS_PATTERNS), n)
    count = np.where(rng.random(n) < 0.9, 5, rng.integers(3, 5, n))
    s_ticket = np.repeat(np.arange(n), count)
    s_index = np.arange(len(s_ticket)) - np.repeat(np.cumsum(count) - count, count)
    codes = np.array([[STATUSES.index(s) for s in p] for p in STATUS_PATTERNS])
    s_status = codes[pattern[s_ticket], s_index]
    gaps = rng.integers(60, 36 * 3600, len(s_ticket)) * US
    s_at = created[s_ticket] + _cumsum_per(s_ticket, gaps)
    # Comments: 4 to 8 (6 on average), the first at creation by the customer.
    ccount = rng.integers(4, 9, n)
    c_ticket = np.repeat(np.arange(n), ccount)
    first = np.zeros(len(c_ticket), dtype=bool)
    first[np.cumsum(ccount) - ccount] = True
    cgaps = np.where(first, 0, rng.integers(30, 20 * 3600, len(c_ticket)) * US + 7)
    c_at = created[c_ticket] + _cumsum_per(c_ticket, cgaps)
    author = np.where(
        first, "customer", np.where(rng.random(len(c_ticket)) < 0.55, "agent", "customer")
    )
    public = first | (rng.random(len(c_ticket)) < 0.85)
    tables = {
        "tickets": {"id": ids, "customer_id": rng.integers(0, n // 3 + 1, n), "created": created},
        "statuses": {
            "ticket_id": ids[s_ticket],
            "at": s_at,
            "status": np.array(STATUSES)[s_status],
        },
        "comments": {"ticket_id": ids[c_ticket], "at": c_at, "author": author, "public": public},
    }
    for name, columns in tables.items():
        arrays = {
            key: pa.array(value.astype("datetime64[us]"))
            if key in ("created", "at")
            else pa.array(value)
            for key, value in columns.items()
        }
        pq.write_table(pa.table(arrays), directory / f"{name}.parquet")


def _cumsum_per(group: np.ndarray, values: np.ndarray) -> np.ndarray:
    total = np.cumsum(values)
    starts = np.flatnonzero(np.append(True, group[1:] != group[:-1]))
    base = np.repeat(total[starts] - values[starts], np.diff(np.append(starts, len(group))))
    return total - base


def calendar() -> Any:
    from csmetrics import BusinessCalendar

    return BusinessCalendar(
        timezone="Europe/Berlin",
        hours={d: [("09:00", "17:00")] for d in ("mon", "tue", "wed", "thu", "fri")},
    )


def best(fn: Any, repeats: int) -> tuple[tuple[float, float], Any]:
    """The best run of ``repeats``: (wall seconds, CPU seconds of every thread), and the output.

    The machine may be shared: CPU seconds say how much work a step did,
    wall seconds how long it took.
    """
    out, runs = None, []
    for _ in range(repeats):
        r0, t0 = resource.getrusage(resource.RUSAGE_SELF), time.perf_counter()
        out = fn()
        wall = time.perf_counter() - t0
        r1 = resource.getrusage(resource.RUSAGE_SELF)
        runs.append((wall, r1.ru_utime - r0.ru_utime + r1.ru_stime - r0.ru_stime))
    return min(runs), out


def run_csmetrics(
    directory: Path, repeats: int
) -> tuple[dict[str, tuple[float, float]], dict[str, np.ndarray]]:
    import csmetrics

    def read() -> Any:
        # The files hold naive UTC timestamps, as the generator writes them.
        return csmetrics.Tickets.read_parquet(
            directory / "tickets.parquet",
            messages=directory / "comments.parquet",
            statuses=directory / "statuses.parquet",
            assume_timezone="UTC",
        )

    times: dict[str, tuple[float, float]] = {}
    times["read"], table = best(read, repeats)
    cal = calendar()

    def metrics() -> Any:
        # Each repeat starts cold: the table keeps the rows it computed.
        table.memo.clear()
        return csmetrics.ticket_metrics(table, calendar=cal)

    times["ticket_metrics"], rows = best(metrics, repeats)

    def aggregates() -> dict[str, float]:
        # Each repeat starts cold: the five calls share one computation of the
        # per-ticket rows, but not one from an earlier repeat.
        table.memo.clear()
        out: dict[str, float] = {}
        for name, fn in (
            ("requester_wait", csmetrics.requester_wait_time),
            ("agent_wait", csmetrics.agent_wait_time),
            ("on_hold", csmetrics.on_hold_time),
        ):
            d = fn(table)
            out[f"{name}_n"] = float(d.n)
            out[f"{name}_total"] = float(d.total)
        rate = csmetrics.touch_rate(table)
        out["touch_numerator"], out["touch_denominator"] = rate.numerator, rate.denominator
        out["reopens_mean"] = float(csmetrics.reopen_count(table).mean)
        return out

    times["aggregates"], agg = best(aggregates, repeats)
    result = {"ticket_id": rows.column("ticket_id").astype(np.int64)}
    for name in TIMES:
        result[name] = rows.columns[name]
        result[f"{name}_business"] = rows.columns[f"{name}_business"]
    for name in COUNTS:
        result[name] = rows.columns[name]
    for key, value in agg.items():
        result[f"agg_{key}"] = np.array([value])
    return times, result


def _intervals(cal: Any, low: int, high: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The calendar's open intervals over [low, high], with the open time before each."""
    line = cal._timeline(low, high, None)
    return line.opens, line.closes - line.opens, line.before


def run_duckdb(
    directory: Path, repeats: int
) -> tuple[dict[str, tuple[float, float]], dict[str, np.ndarray]]:
    import duckdb
    import pandas as pd

    con = duckdb.connect()
    times: dict[str, tuple[float, float]] = {}

    def read() -> None:
        for name in ("tickets", "comments", "statuses"):
            path = (directory / f"{name}.parquet").as_posix()
            con.execute(f"create or replace table {name} as select * from read_parquet('{path}')")

    times["read"], _ = best(read, repeats)
    (low, high) = con.execute(
        "select (select epoch_us(min(created)) from tickets), greatest("
        "(select epoch_us(max(created)) from tickets),"
        ' (select epoch_us(max("at")) from statuses),'
        ' (select epoch_us(max("at")) from comments))'
    ).fetchall()[0]
    opens, lengths, before = _intervals(calendar(), int(low), int(high))
    con.register("cal_df", pd.DataFrame({"open_us": opens, "len_us": lengths, "before_us": before}))
    con.execute("create or replace table cal as select * from cal_df order by open_us")
    as_of = int(high)
    waits = ",\n".join(
        f"sum(case when status in ({', '.join(repr(s) for s in group)}) then end_us - start_us"
        f" else 0 end) / 1e6 as {name},\n"
        f"sum(case when status in ({', '.join(repr(s) for s in group)}) then b_end - b_start"
        f" else 0 end) / 1e6 as {name}_business"
        for name, group in WAITS.items()
    )
    sql = f"""
    with events as (
        select id as ticket_id, epoch_us(created) as at_us, 'new' as status, 0 as seq
        from tickets
        union all
        select ticket_id, epoch_us("at"), status, 1 from statuses
    ), segments as (
        select ticket_id, at_us as start_us, status,
               coalesce(lead(at_us) over w, {as_of}) as end_us,
               lag(status) over w as before
        from events window w as (partition by ticket_id order by at_us, seq)
    ), b as (
        select s.*,
            coalesce(c1.before_us + least(greatest(s.start_us - c1.open_us, 0), c1.len_us), 0)
                as b_start
        from segments s asof left join cal c1 on s.start_us >= c1.open_us
    ), bb as (
        select b.*,
            coalesce(c2.before_us + least(greatest(b.end_us - c2.open_us, 0), c2.len_us), 0)
                as b_end
        from b asof left join cal c2 on b.end_us >= c2.open_us
    ), per_ticket as (
        select ticket_id,
            {waits},
            count(*) filter (where status in ('solved', 'closed')
                and coalesce(before, 'new') not in ('solved', 'closed')) as resolutions,
            count(*) filter (where status not in ('solved', 'closed')
                and before in ('solved', 'closed')) as reopens,
            arg_max(status, start_us) in ('solved', 'closed') as solved_now,
            max(start_us) filter (where status in ('solved', 'closed')
                and coalesce(before, 'new') not in ('solved', 'closed')) as solved_us
        from bb group by ticket_id
    ), numbered as (
        select c.*, epoch_us(c."at") as at_us, epoch_us(t.created) as created_us,
               row_number() over (partition by c.ticket_id order by c."at") as k
        from comments c join tickets t on t.id = c.ticket_id
    ), reply_rows as (
        select ticket_id, at_us from numbered
        where author = 'agent' and public and not (k = 1 and at_us = created_us)
    ), replies as (
        select ticket_id, min(at_us) as reply_us, count(*) as agent_replies
        from reply_rows group by ticket_id
    ), first_reply as (
        select r.*, r.reply_us - t.created_us as wait_us,
            coalesce(c2.before_us + least(greatest(r.reply_us - c2.open_us, 0), c2.len_us), 0)
            - coalesce(c1.before_us + least(greatest(t.created_us - c1.open_us, 0), c1.len_us), 0)
                as wait_business_us
        from replies r
        join (select id, epoch_us(created) as created_us from tickets) t on t.id = r.ticket_id
        asof left join cal c1 on t.created_us >= c1.open_us
        asof left join cal c2 on r.reply_us >= c2.open_us
    ), touches as (
        select p.ticket_id, count(r.at_us) as touches
        from per_ticket p left join reply_rows r
            on r.ticket_id = p.ticket_id and r.at_us <= p.solved_us
        where p.solved_now group by p.ticket_id
    ), ticket_rows as (
        select p.*, f.wait_us / 1e6 as first_reply,
               f.wait_business_us / 1e6 as first_reply_business,
               coalesce(f.agent_replies, 0) as agent_replies, t.touches
        from per_ticket p left join first_reply f using (ticket_id)
        left join touches t using (ticket_id)
    )
    """
    rows_sql = sql + "select * from ticket_rows order by ticket_id"
    # The aggregates: the waits of solved tickets (open ones are censored in
    # csmetrics' Durations, so only counted), the one-touch rate and reopens
    # per solved ticket.
    agg_sql = (
        sql
        + """
    select count(*) as n,
        sum(requester_wait) filter (where solved_now) as requester_wait_total,
        sum(agent_wait) filter (where solved_now) as agent_wait_total,
        sum(on_hold) filter (where solved_now) as on_hold_total,
        count(*) filter (where solved_now and touches = 1) as touch_numerator,
        count(*) filter (where solved_now) as touch_denominator,
        avg(reopens) filter (where solved_now) as reopens_mean
    from ticket_rows
    """
    )

    def metrics() -> Any:
        return con.execute(rows_sql).fetchnumpy()

    times["ticket_metrics"], rows = best(metrics, repeats)
    times["aggregates"], agg = best(lambda: con.execute(agg_sql).fetchnumpy(), repeats)
    result = {"ticket_id": np.asarray(rows["ticket_id"], dtype=np.int64)}
    for name in ("requester_wait", "agent_wait", "on_hold"):
        result[f"agg_{name}_n"] = np.array([float(agg["n"][0])])
        result[f"agg_{name}_total"] = np.array([float(agg[f"{name}_total"][0])])
    for name in ("touch_numerator", "touch_denominator", "reopens_mean"):
        result[f"agg_{name}"] = np.array([float(agg[name][0])])
    for name in TIMES:
        for key in (name, f"{name}_business"):
            # NULL (no reply) comes back masked: it is nan, as in csmetrics.
            result[key] = np.ma.filled(np.ma.asarray(rows[key]).astype(np.float64), np.nan)
    for name in COUNTS:
        result[name] = np.asarray(rows[name], dtype=np.int64)
    return times, result


def child(engine: str, directory: Path, repeats: int, out: Path) -> None:
    runner = run_csmetrics if engine == "csmetrics" else run_duckdb
    times, result = runner(directory, repeats)
    np.savez(out, **result)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"engine": engine, "times": times, "peak_mib": peak}))


def compare(ours: dict[str, np.ndarray], theirs: dict[str, np.ndarray]) -> None:
    order = np.argsort(ours["ticket_id"])
    assert np.array_equal(ours["ticket_id"][order], theirs["ticket_id"]), "ticket ids differ"
    for name in (*TIMES, *(f"{t}_business" for t in TIMES)):
        a, b = ours[name][order], theirs[name]
        same_nan = np.array_equal(np.isnan(a), np.isnan(b))
        assert same_nan, f"{name}: defined for different tickets"
        ok = ~np.isnan(a)
        assert np.allclose(a[ok], b[ok], rtol=1e-12, atol=1e-9), f"{name} differs"
    for name in COUNTS:
        assert np.array_equal(ours[name][order], theirs[name]), f"{name} differs"
    for name in (k for k in ours if k.startswith("agg_")):
        a, b = float(ours[name][0]), float(theirs[name][0])
        assert np.isclose(a, b, rtol=1e-12, atol=1e-9), f"{name}: {a} != {b}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tickets", type=int, default=100_000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--data-dir", type=Path)
    parser.add_argument("--engine", help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.engine:
        child(args.engine, args.data_dir, args.repeats, args.out)
        return
    with tempfile.TemporaryDirectory() as scratch:
        directory = args.data_dir or Path(scratch)
        directory.mkdir(parents=True, exist_ok=True)
        if not (directory / "tickets.parquet").exists():
            generate(args.tickets, directory)
        reports, results = {}, {}
        for engine in ("csmetrics", "duckdb"):
            out = Path(scratch) / f"{engine}.npz"
            command = [sys.executable, __file__, "--engine", engine, "--data-dir", str(directory)]
            command += ["--repeats", str(args.repeats), "--out", str(out)]
            done = subprocess.run(command, check=False, capture_output=True, text=True)
            if done.returncode:
                sys.exit(f"{engine} failed:\n{done.stderr}")
            reports[engine] = json.loads(done.stdout.strip().splitlines()[-1])
            results[engine] = dict(np.load(out))
        compare(results["csmetrics"], results["duckdb"])
        print(f"{args.tickets:,} tickets: every column agrees")
        print("| step | csmetrics (s) | DuckDB (s) | csmetrics CPU (s) | DuckDB CPU (s) |")
        print("| --- | ---: | ---: | ---: | ---: |")
        for step in ("read", "ticket_metrics", "aggregates"):
            (ours, our_cpu), (theirs, their_cpu) = (
                reports[e]["times"][step] for e in ("csmetrics", "duckdb")
            )
            print(f"| {step} | {ours:.3f} | {theirs:.3f} | {our_cpu:.3f} | {their_cpu:.3f} |")
        ours, theirs = (reports[e]["peak_mib"] for e in ("csmetrics", "duckdb"))
        print(f"| peak RSS (MiB) | {ours:.0f} | {theirs:.0f} | | |")


if __name__ == "__main__":
    main()
