"""What exact, order-free sums cost: `csmetrics.core.exact` against ``numpy.sum``.

    python benchmarks/exact_sums.py --values 10000000 --repeats 5

Times, on the same seeded float64 values (handle times in seconds, a tenth of
them zero): ``numpy.sum`` (rounded at every step, order dependent),
``math.fsum`` (exact, one value at a time in Python), `exact_sum`,
`exact_sum_of_squares`, and a whole `Mean` as metrics build it (`reduce_mean`,
both sums), overall and per group of 50; then the same on the values rounded
down to whole seconds, which take the int64 path. Best of ``--repeats``
runs; prints a Markdown table.
"""

from __future__ import annotations

import argparse
import math
import time
from collections.abc import Callable
from typing import Any

import numpy as np

from csmetrics.core.exact import exact_sum, exact_sum_of_squares, rounded
from csmetrics.core.reduce import reduce_mean
from csmetrics.core.results import Mean
from csmetrics.core.table import Encoded


def best(step: Callable[[], Any], repeats: int) -> float:
    """The shortest of ``repeats`` wall-clock times of ``step``, in seconds."""
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        step()
        times.append(time.perf_counter() - start)
    return min(times)


def m2_numpy(values: Any) -> float:
    """The moments as computed before exact sums: numpy's mean and squared deviations."""
    return float(((values - values.mean()) ** 2).sum())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--values", type=int, default=10_000_000)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--seed", type=int, default=20261207)
    args = parser.parse_args()
    rng = np.random.default_rng(args.seed)
    values = rng.lognormal(5.5, 1.0, args.values)
    values[rng.random(args.values) < 0.1] = 0.0
    group = Encoded(rng.integers(0, 50, args.values), np.array([f"a{i:02}" for i in range(50)]))
    assert rounded(exact_sum(values)) == math.fsum(values.tolist())
    whole = np.floor(values)
    assert rounded(exact_sum(whole)) == math.fsum(whole.tolist())

    steps: dict[str, Callable[[], Any]] = {
        "numpy.sum": values.sum,
        "math.fsum(values.tolist())": lambda: math.fsum(values.tolist()),
        "exact_sum": lambda: exact_sum(values),
        "exact_sum_of_squares": lambda: exact_sum_of_squares(values),
        "numpy mean and squared deviations (rounded, order dependent)": lambda: m2_numpy(values),
        "reduce_mean (Mean of all values)": lambda: reduce_mean(Mean, values, None, None),
        "reduce_mean by 50 groups": lambda: reduce_mean(Mean, values, group, "agent_id"),
        # Whole seconds (waits recorded to the second): the int64 path.
        "exact_sum (whole seconds)": lambda: exact_sum(whole),
        "exact_sum_of_squares (whole seconds)": lambda: exact_sum_of_squares(whole),
        "reduce_mean (whole seconds)": lambda: reduce_mean(Mean, whole, None, None),
        "reduce_mean by 50 groups (whole seconds)": lambda: reduce_mean(
            Mean, whole, group, "agent_id"
        ),
    }
    base = best(steps["numpy.sum"], args.repeats)
    print(f"{args.values:,} float64 values, best of {args.repeats}\n")
    print("| step | seconds | x numpy.sum |")
    print("|---|---:|---:|")
    for name, step in steps.items():
        seconds = base if name == "numpy.sum" else best(step, args.repeats)
        print(f"| {name} | {seconds:.3f} | {seconds / base:.0f} |")


if __name__ == "__main__":
    main()
