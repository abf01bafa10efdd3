"""Metrics on distributed dataframes: the hand-over from a metric to the engine that runs it.

A metric of contacts or survey answers (decorated with
`csmetrics.core.check.takes_tables`) given a Dask DataFrame does not collect
it: it hands its name and arguments to the runner registered here, which runs
the metric partition by partition on the Dask scheduler and merges the
partial results (`csmetrics.adapters.dask`, registered by
`csmetrics.catalog`, which knows each metric's partitioning). Every other
path that would read a Dask DataFrame into this process
(``Interactions.from_frame``, the analyses) refuses it with
`refuse_collect` instead of collecting silently.

Nothing here imports Dask: a Dask object is recognised by its module.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

__all__ = ["Runner", "is_distributed", "refuse_collect", "run_distributed", "set_runner"]

Runner = Callable[[str, tuple[Any, ...], dict[str, Any]], Any]
"""Runs the metric named by the first argument on its positional and keyword arguments."""

_RUNNER: list[Runner] = []


def is_distributed(data: object) -> bool:
    """Whether ``data`` is a Dask collection (DataFrame or Series), without importing Dask."""
    module = type(data).__module__.split(".", 1)[0]
    return module == "dask" and hasattr(data, "npartitions")


def set_runner(runner: Runner) -> None:
    """Register the function that runs metrics on Dask DataFrames (one at a time)."""
    _RUNNER[:] = [runner]


def run_distributed(name: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    """Run metric ``name`` on a Dask DataFrame through the registered runner."""
    if not _RUNNER:  # pragma: no cover - the catalogue registers it on import
        msg = f"{name}() got a Dask DataFrame but no runner is registered: import csmetrics"
        raise TypeError(msg)
    return _RUNNER[0](name, args, kwargs)


def refuse_collect(data: object, what: str) -> None:
    """Raise TypeError when ``data`` is a Dask collection that ``what`` would collect.

    Collecting a distributed table into one process is what Dask users
    avoid; the error says which calls run distributed and how to collect
    on purpose.
    """
    if is_distributed(data):
        msg = (
            f"{what} would collect a Dask {type(data).__name__} into this process; "
            "pass it to a metric instead (csmetrics.fcr(ddf), csmetrics.nps(survey_ddf), "
            "...), which runs on the Dask cluster and merges the partial results, "
            "or collect it on purpose with ddf.compute()"
        )
        raise TypeError(msg)
