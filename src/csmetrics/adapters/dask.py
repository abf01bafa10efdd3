"""Metrics on Dask DataFrames: a numpy kernel per partition, partial results merged in a tree.

Needs the ``dask`` extra (``pip install "csmetrics[dask]"``: ``dask[dataframe]``
and ``distributed``). Dask is imported only when a metric is given a Dask
DataFrame. A metric of contacts or survey answers given one
(``csmetrics.fcr(ddf, window_days=7)``) returns the same result object with
the same numbers as on the whole table in one process, computed on whatever
Dask scheduler is active (a ``distributed.Client`` included):

1. **Defaults that depend on all the data** are resolved first, over the
   whole frame: a default ``as_of`` is the latest contact start (FCR, reopen
   rate; decision 6) or the latest event (start, end or first response:
   the time metrics, decision 30), found by one reduction of those columns.
   Every partition then gets the same explicit ``as_of``.
2. **Records that a definition compares** are brought together: a metric
   whose catalogue ``partition`` names ``customer_id`` or ``issue_id``
   shuffles the rows so that every contact of one customer (and every
   contact of one issue) lands in one partition. The key is a hash of the
   ``issue_id`` where a contact has one and of its ``customer_id`` otherwise
   (FCR's ``match="issue"``), or the ``customer_id`` alone for
   ``match="category"`` and ``"customer"``: issues never span two keys.
   Survey metrics and per-contact rates and durations need no shuffle.
3. **Map**: each partition, a pandas DataFrame on a worker, goes through the
   metric itself (table, numpy kernel, result), with the options given.
4. **Merge**: the partial results merge by their counts (``merge``), eight
   at a time, in a tree on the workers; only the final result comes back.

Warnings of the partitions come back with their results. An
`UndefinedMetricWarning` is emitted once, when the merged result (or one of
its groups) is undefined: an empty partition is not an empty table. Other
warnings are emitted once per distinct message.

A metric whose result has no ``merge`` (`csmetrics.volume`,
`csmetrics.pareto`), or which reads a second table (``sales_after_contact``),
raises a TypeError saying so rather than collecting the data.
"""

from __future__ import annotations

import importlib
import inspect
import re
import warnings
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any, Literal

import attrs
import numpy as np

from csmetrics.core.distributed import is_distributed
from csmetrics.core.errors import UndefinedMetricWarning
from csmetrics.core.reduce import warn_if_undefined
from csmetrics.core.table import from_micros

__all__ = [
    "FAN_IN",
    "KEY",
    "LATEST_START",
    "Summary",
    "run",
    "shuffle_key",
    "summarize",
    "window_stats",
]

KEY = "__csmetrics_key__"
"""The column a shuffle adds: the issue (or customer) each contact belongs to."""

FAN_IN = 8
"""How many partial results one merge task combines."""

LATEST_START = frozenset({"fcr", "reopen_rate"})
"""Metrics whose default ``as_of`` is the latest contact start (decision 6);
every other metric with an ``as_of`` defaults to the latest event."""

Caught = list[tuple[type[Warning], str]]


def _import_dask() -> Any:
    """The ``dask`` module, or an ImportError naming the extra."""
    try:
        return importlib.import_module("dask")
    except ImportError as err:  # pragma: no cover - a Dask frame implies Dask
        msg = 'metrics on Dask DataFrames need dask: pip install "csmetrics[dask]"'
        raise ImportError(msg) from err


def run(
    function: Callable[..., Any],
    args: tuple[Any, ...],
    kwargs: dict[str, Any],
    *,
    name: str,
    partition: Sequence[str],
    merges: bool,
    fields: Sequence[str] = (),
) -> Any:
    """Run a metric on the Dask DataFrame ``args[0]`` and return its merged result.

    Parameters
    ----------
    function
        The public metric; it runs once per partition on a pandas DataFrame.
    args, kwargs
        The call's arguments: the Dask DataFrame first, then any further
        positional argument (the policy of ``sla_attainment``) and the options.
    name
        The metric's name, for messages.
    partition
        The fields whose records must share a partition (the catalogue's
        ``partition``): ``customer_id`` and ``issue_id`` shuffle first.
    merges
        Whether the metric's results merge; a TypeError if not.
    fields
        The fields of the metric's table (`csmetrics.core.reading`): only
        the columns named like one are read from the files and shuffled.
        A metric on Dask takes no reading options (decision 119),
        so the result is the same; an export with many other columns costs
        less.

    Raises
    ------
    TypeError
        The metric cannot run distributed (no merge, a second table, a
        partitioning other than by customer or issue).
    """
    data, rest = args[0], args[1:]
    _check_runs(name, rest, partition, merges=merges)
    dask = _import_dask()
    options = dict(kwargs)
    if fields and hasattr(data, "columns"):
        keep = [c for c in data.columns if c in fields]
        if len(keep) < len(data.columns):
            data = data[keep]
    if "as_of" in inspect.signature(function).parameters and options.get("as_of") is None:
        options["as_of"] = latest(data, by_start=name in LATEST_START)
    if partition:
        data = shuffled(data, partition, match=options.get("match"))
    parts = [dask.delayed(_partial)(part, function, rest, options) for part in data.to_delayed()]
    while len(parts) > 1:
        parts = [
            dask.delayed(_merged)(*parts[i : i + FAN_IN]) for i in range(0, len(parts), FAN_IN)
        ]
    result, caught = parts[0].compute()
    _warn_again(result, caught)
    return result


def _check_runs(
    name: str, rest: tuple[Any, ...], partition: Sequence[str], *, merges: bool
) -> None:
    """Raise TypeError naming why ``name`` cannot run on a Dask DataFrame."""
    why = ""
    if not merges:
        why = "its result has no merge, so partial results cannot be combined"
    elif any(is_distributed(value) or _is_table(value) for value in rest):
        why = "it reads a second table, which would have to be partitioned alongside"
    elif not set(partition) <= {"customer_id", "issue_id"}:
        why = f"its records must be partitioned by {list(partition)}"
    if why:
        msg = (
            f"{name}() does not run on a Dask DataFrame: {why}; compute it on a "
            "collected table (ddf.compute()) if the data fits in one process"
        )
        raise TypeError(msg)


def _is_table(value: object) -> bool:
    """Whether a further positional argument is a table of records (``sales``)."""
    return not isinstance(value, (str, bytes)) and hasattr(value, "__len__")


def latest(data: Any, *, by_start: bool) -> datetime | None:
    """The default ``as_of`` of the whole frame: its latest start, or latest event.

    The latest event is the latest of the ``start``, ``end`` and
    ``first_response_at`` columns present, as `csmetrics.core.elapsed.latest_event`
    finds it on a table (a frame has no messages). One Dask computation of
    the columns' maxima. None for an empty frame, or when the start column
    is not timezone-aware timestamps (each partition then raises the
    reader's error).
    """
    dask = _import_dask()
    found = set(data.columns)
    if "start" not in found:
        return None
    names = (
        ["start"] if by_start else [c for c in ("start", "end", "first_response_at") if c in found]
    )
    maxima = dask.compute(*[data[c].max() for c in names])
    micros = [m for m in (_micros(value) for value in maxima) if m is not None]
    return from_micros(max(micros)) if micros else None


def _micros(value: Any) -> int | None:
    """A pandas Timestamp with a zone as epoch microseconds (the table's unit), else None."""
    if getattr(value, "tzinfo", None) is None or not hasattr(value, "value"):
        return None  # NaT (no value at all) or naive times, which the reader refuses
    # ``value`` is UTC nanoseconds; the table keeps microseconds, floored.
    return int(value.value) // 1000


def shuffled(data: Any, partition: Sequence[str], *, match: object) -> Any:
    """``data`` with every contact of one customer or issue in one partition.

    The partition count stays; the rows get a `KEY` column (`shuffle_key`),
    which the metric ignores like any column that is not a field.
    """
    found = set(data.columns)
    if "customer_id" not in found:
        return data  # each partition names the missing column
    by_issue = "issue_id" in partition and "issue_id" in found and match not in _BY_CUSTOMER
    key = data.map_partitions(shuffle_key, by_issue=by_issue, meta=(KEY, "uint64"))
    return data.assign(**{KEY: key}).shuffle(on=KEY)


_BY_CUSTOMER = ("category", "customer")
"""Match modes that group a customer's contacts whatever their issue_id."""


def shuffle_key(frame: Any, *, by_issue: bool) -> Any:
    """Each row's shuffle key: a hash of its ``issue_id`` where it has one, else of its customer.

    With ``by_issue`` False, the customer's hash for every row. Contacts of
    one issue share a key, and so do the contacts of one customer without an
    issue (FCR's fallback groups them by customer and category). Two issues
    or customers whose hashes collide only share a partition, which never
    changes a result. Numbers are hashed as float64, so an id stored as an
    integer in one partition and as a float (a column with nulls) in
    another still gets one key.
    """
    customer = _hashed(frame["customer_id"])
    if not by_issue:
        return frame["customer_id"].__class__(customer, index=frame.index, name=KEY)
    issue = frame["issue_id"]
    key = np.where(issue.notna().to_numpy(), _hashed(issue), customer)
    return issue.__class__(key, index=frame.index, name=KEY)


def _hashed(column: Any) -> Any:
    """Pandas' stable uint64 hash of each value (numbers as float64) as a numpy array."""
    pandas = importlib.import_module("pandas")
    if column.dtype.kind in "iufb":
        column = column.astype("float64")
    return pandas.util.hash_pandas_object(column, index=False).to_numpy()


def _partial(
    frame: Any, function: Callable[..., Any], rest: tuple[Any, ...], options: dict[str, Any]
) -> tuple[Any, Caught]:
    """The metric of one partition, with the warnings it emitted."""
    with warnings.catch_warnings(record=True) as found:
        warnings.simplefilter("always")
        result = function(frame, *rest, **options)
    return result, [(w.category, str(w.message)) for w in found]


def _merged(*parts: tuple[Any, Caught]) -> tuple[Any, Caught]:
    """Partial results merged by their counts, with their warnings (each message once)."""
    result, caught = parts[0]
    caught = list(caught)
    for other, more in parts[1:]:
        result = result.merge(other)
        caught += [w for w in more if w not in caught]
    return result, caught


_UNDEFINED = re.compile(
    r"^(?P<metric>\S+) is undefined(?:: (?P<why>.*); the value is nan"
    r"| for \d+ of \d+ groups by \S+ \((?P<group_why>.*)\): )"
)


def _warn_again(result: Any, caught: Caught) -> None:
    """Emit the partitions' warnings that hold for the merged result."""
    undefined = [text for category, text in caught if issubclass(category, UndefinedMetricWarning)]
    for category, text in caught:
        if not issubclass(category, UndefinedMetricWarning):
            warnings.warn(text, category, stacklevel=4)
    for text in undefined:
        match = _UNDEFINED.match(text)
        if match is not None:
            why = match.group("why") or match.group("group_why")
            warn_if_undefined(result, match.group("metric"), why)
            return


@attrs.frozen(kw_only=True, eq=False)
class Summary:
    """What a report asks of a Dask DataFrame before it runs its metrics, from one computation.

    A report (`csmetrics.kpi_report`) on a Dask DataFrame decides which
    metrics the data supports, the default ``as_of`` and its periods from
    this, and hands ``frame`` to each metric, which runs on the cluster.

    Attributes
    ----------
    frame
        The Dask DataFrame.
    table
        ``"contacts"`` or ``"surveys"``.
    rows
        Its number of rows.
    columns
        Its column names.
    with_values
        The columns with at least one value that is not null.
    first, last
        The earliest and latest ``start`` (contacts) or ``at`` (answers) in
        epoch microseconds; None without one.
    kinds
        Survey answers per kind; empty for contacts.
    """

    frame: Any
    table: Literal["contacts", "surveys"]
    rows: int
    columns: frozenset[str]
    with_values: frozenset[str]
    first: int | None
    last: int | None
    kinds: dict[str, int]

    def __len__(self) -> int:
        return self.rows

    def has(self, field: str) -> bool:
        """Whether the frame has the field's column (`Interactions.has` for a table)."""
        return field in self.columns

    def absent(self, fields: Sequence[str]) -> tuple[str, ...]:
        """The ones of ``fields`` the frame has no column for, in order."""
        return tuple(field for field in fields if field not in self.columns)

    def has_values(self, field: str) -> bool:
        """Whether the field's column has a value (``first_response``: first_response_at's)."""
        return ("first_response_at" if field == "first_response" else field) in self.with_values

    def starts(self) -> np.ndarray[Any, np.dtype[np.int64]]:
        """The earliest and the latest time, for the calendar periods that span them."""
        return np.array([t for t in (self.first, self.last) if t is not None], dtype=np.int64)


def summarize(frame: Any, *, table: Literal["contacts", "surveys"]) -> Summary:
    """The `Summary` of a Dask DataFrame of contacts or survey answers: one Dask computation."""
    dask = _import_dask()
    time = "start" if table == "contacts" else "at"
    columns = list(frame.columns)
    present = frame.count()  # values that are not null, per column
    times = [frame[time].min(), frame[time].max()] if time in columns else [None, None]
    kinds = frame["kind"].value_counts() if table == "surveys" and "kind" in columns else None
    rows, present, first, last, kinds = dask.compute(
        frame.map_partitions(len).sum(), present, *times, kinds
    )
    return Summary(
        frame=frame,
        table=table,
        rows=int(rows),
        columns=frozenset(columns),
        with_values=frozenset(str(c) for c, n in present.items() if n > 0),
        first=_micros(first),
        last=_micros(last),
        kinds={} if kinds is None else {str(k): int(n) for k, n in kinds.items()},
    )


def window_stats(
    frame: Any,
    column: str,
    *,
    since: datetime | None,
    before: datetime | None,
    upto: datetime | None,
) -> tuple[int, int | None, int | None]:
    """Rows whose ``column`` is in ``[since, before)`` and at most ``upto``: count, first, last.

    First and last in epoch microseconds (None without rows); a bound that
    is None does not limit. One Dask computation.
    """
    dask = _import_dask()
    times = frame[column]
    keep = times.notnull()
    if since is not None:
        keep &= times >= since
    if before is not None:
        keep &= times < before
    if upto is not None:
        keep &= times <= upto
    chosen = times[keep]
    n, first, last = dask.compute(keep.sum(), chosen.min(), chosen.max())
    return int(n), _micros(first), _micros(last)
