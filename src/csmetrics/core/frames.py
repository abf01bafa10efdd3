"""Dataframes in: pandas, polars, pyarrow and DuckDB through narwhals.

Needs the ``frames`` extra (``pip install "csmetrics[frames]"``), which brings
narwhals; the dataframe library itself is whatever the user already has. No
dataframe library is imported unless the input is one of its frames.

Columns are read whole into numpy arrays (no per-row Python work):

- which column holds which field, and the options of every reader
  (``columns=``, ``strict=``, ``assume_timezone=``, ``resolved_when=``,
  ``kind=``), follow one `csmetrics.core.reading.Reading`;
- timezone-aware timestamps are converted to UTC; naive ones are an error
  unless ``assume_timezone=`` names the zone they are in;
- nulls become missing values (None keys, NaT times, nan numbers; an optional
  integer key column with nulls is a masked int64 array); a null in a flag
  column (``resolved``...) is False; nulls in required columns are an error
  naming the first row (the table checks this);
- key columns (ids, customer, agent, ...) may be integers or strings.
"""

from __future__ import annotations

import glob
import importlib
import os
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any, Literal, NoReturn, Protocol
from zoneinfo import ZoneInfo

import numpy as np
import numpy.typing as npt

from csmetrics.core.calendar import local_to_utc
from csmetrics.core.check import option
from csmetrics.core.distributed import refuse_collect
from csmetrics.core.errors import InvalidDataError
from csmetrics.core.model import Window
from csmetrics.core.reading import Plan, Reading
from csmetrics.core.table import Chunked, Deferred, Encoded, flag_column

__all__ = [
    "BACKENDS",
    "READ_BATCH_BYTES",
    "Backend",
    "ToFrame",
    "dask_parquet",
    "frame_columns",
    "import_narwhals",
    "is_frame",
    "open_parquet",
    "parquet_columns",
    "parquet_files",
    "release_arrow_memory",
    "rows_frame",
    "series_values",
]

_FRAME_MODULES = frozenset({"pandas", "polars", "pyarrow", "duckdb", "modin", "cudf", "dask"})


def is_frame(data: object) -> bool:
    """Whether ``data`` is a dataframe csmetrics reads through narwhals (not a series)."""
    if hasattr(data, "__narwhals_dataframe__"):
        return True
    module = type(data).__module__.split(".", 1)[0]
    return module in _FRAME_MODULES and series_values(data) is None


def series_values(data: object) -> npt.NDArray[Any] | None:
    """A pandas, polars or pyarrow series (or Arrow array) as a numpy array; else None.

    Numbers come as float64 with nulls as nan; other values (bools with
    nulls, text) as an object array with nulls as None. Only one-dimensional
    data is a series: a dataframe gives None.
    """
    module = type(data).__module__.split(".", 1)[0]
    if module not in _FRAME_MODULES and not hasattr(data, "__narwhals_series__"):
        return None
    nw = import_narwhals()
    if module == "pyarrow" and not hasattr(data, "chunks") and hasattr(data, "to_numpy"):
        pa, _ = _import_pyarrow()
        data = pa.chunked_array([data])  # a plain Arrow array: narwhals reads chunked ones
    series = nw.from_native(data, series_only=True, pass_through=True)
    if not isinstance(series, nw.Series):
        return None
    values: npt.NDArray[Any] = series.to_numpy()
    if values.dtype.kind not in "fiub":
        values = values.astype(object)
        values[series.is_null().to_numpy()] = None
    return values


Backend = Literal["pandas", "polars", "pyarrow"]
"""The dataframe library `to_frame` builds with."""
BACKENDS: tuple[Backend, ...] = ("pandas", "polars", "pyarrow")


def rows_frame(rows: Sequence[Mapping[str, Any]], /, *, backend: Backend = "pandas") -> Any:
    """Rows (dicts with the same keys) as a pandas or polars DataFrame or a pyarrow Table.

    The columns are the keys of the first row, in order; a `Window` value
    becomes two columns, ``<key>_start`` and ``<key>_end``. No rows give an
    empty frame without columns. The backend is imported only here.
    """
    option("backend", backend, BACKENDS)
    rows = [_flat(row) for row in rows]
    module = {"pandas": "pandas", "polars": "polars", "pyarrow": "pyarrow"}[backend]
    try:
        lib = importlib.import_module(module)
    except ImportError as err:
        msg = f"to_frame(backend={backend!r}) needs {module}: pip install {module}"
        raise ImportError(msg) from err
    columns = {key: [row[key] for row in rows] for key in (rows[0] if rows else {})}
    if backend == "pyarrow":
        return lib.table(columns)
    return lib.DataFrame(columns)


def _flat(row: Mapping[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in row.items():
        if isinstance(value, Window):
            out[f"{key}_start"], out[f"{key}_end"] = value.start, value.end
        else:
            out[key] = value
    return out


class _HasRows(Protocol):
    def to_rows(self) -> Sequence[Mapping[str, Any]]: ...


class ToFrame:
    """Mixin of the results that have rows: ``to_frame()`` is ``to_rows()`` as a dataframe."""

    __slots__ = ()

    def to_frame(self: _HasRows, *, backend: Backend = "pandas") -> Any:
        """The rows of `to_rows` as a pandas DataFrame (or ``backend``'s table).

        ``backend`` is ``"pandas"`` (default), ``"polars"`` or ``"pyarrow"``;
        the library must be installed.
        """
        return rows_frame(self.to_rows(), backend=backend)


def import_narwhals() -> Any:
    """Narwhals' stable API, or an ImportError saying which extra to install."""
    try:
        import narwhals.stable.v2 as nw  # noqa: PLC0415 (optional dependency)
    except ImportError as err:  # pragma: no cover - exercised without the extra
        msg = 'reading dataframes needs narwhals: pip install "csmetrics[frames]"'
        raise ImportError(msg) from err
    return nw


def frame_columns(data: Any, /, *, reading: Reading) -> dict[str, Any]:
    """Read the fields of ``reading`` from a dataframe as numpy columns.

    Parameters
    ----------
    data
        A pandas, polars or pyarrow table, or a DuckDB relation.
    reading
        The table's fields and the reading options: which column each field
        comes from (`Reading.plan`), the zone of naive timestamps, the
        ``resolved_when`` rule and a fixed survey kind. Flag fields read a
        null as False. Key fields come back without a Python object per row:
        an optional integer key column with nulls as a numpy masked int64
        array, an Arrow text column as an `Encoded` of codes into its
        dictionary of texts (-1 where null).

    Returns
    -------
    dict
        Field name to numpy array, ready for ``from_columns``.

    Raises
    ------
    InvalidDataError
        A column is missing or, with ``strict``, unknown (`Reading.plan`),
        or a timestamp column is naive without ``assume_timezone``.
    TypeError
        ``data`` is a Dask DataFrame: it is not collected into this process
        (`csmetrics.core.distributed.refuse_collect`).
    """
    refuse_collect(data, "building a table from it")
    nw = import_narwhals()
    frame = nw.from_native(data)
    if hasattr(frame, "collect"):
        frame = frame.collect()
    plan = reading.plan(list(frame.columns))
    columns = {
        field: _column(nw, frame[name], field, reading) for field, name in plan.sources.items()
    }
    if plan.status is not None:
        columns["resolved"] = _resolved(frame[plan.status], reading)
    if reading.kind is not None:
        columns["kind"] = _fixed_kind(reading.kind, len(frame))
    return columns


READ_BATCH_BYTES = 192 * 2**20
"""Most bytes of Parquet columns (once read) that `parquet_columns` reads in one call.

Two 8-byte columns of 10 million rows, with the small ones between them:
enough for pyarrow to decode two columns at once on two cores, little
enough that a batch is a fraction of the table it becomes (decision 86)."""


def parquet_files(path: str | os.PathLike[str], /) -> list[str]:
    """The Parquet files ``path`` names, sorted by name.

    ``path`` is a file; or a directory, whose ``*.parquet`` files are read
    (files in its subdirectories are not: pass a glob such as
    ``"lake/**/*.parquet"``); or a glob (``*``, ``?``, ``[...]``; ``**``
    crosses directories). A path that names nothing is returned as it is,
    for the reader to say it cannot be read.

    Raises
    ------
    InvalidDataError
        A directory without ``*.parquet`` files, or a glob that matches no file.
    """
    text = os.fspath(path)
    if os.path.isdir(text):
        found = sorted(str(p) for p in Path(text).glob("*.parquet") if p.is_file())
        if not found:
            msg = (
                f"directory {text!r} has no *.parquet files (files in its subdirectories "
                f"are not read: pass a glob such as {os.path.join(text, '**', '*.parquet')!r})"
            )
            raise InvalidDataError(msg)
        return found
    if os.path.exists(text) or not any(c in text for c in "*?["):
        return [text]
    found = sorted(p for p in glob.glob(text, recursive=True) if os.path.isfile(p))
    if not found:
        msg = f"no Parquet file matches {text!r}"
        raise InvalidDataError(msg)
    return found


def parquet_columns(
    path: str | os.PathLike[str], /, *, reading: Reading
) -> tuple[dict[str, Deferred], frozenset[str]]:
    """The fields of ``reading`` in Parquet files, each read when called; and the unread ones.

    Gives the columns of `frame_columns`, but each as a
    `csmetrics.core.table.Deferred`: its length is the files' row count, and
    calling it converts that one column as `frame_columns` would. ``path``
    names one file, or several (a directory or a glob, `parquet_files`),
    whose rows are read one file after the other, in the order of their
    names, as if they were one file: every file must have the same fields
    and column types of one kind (`open_parquet`). Only the columns the plan
    reads are read (``fields=`` leaves the others out; they are returned as
    the unread fields), in batches of consecutive columns of at most
    `READ_BATCH_BYTES` once read (estimated from the files' metadata), each
    batch one multi-column read per file that pyarrow decodes in parallel.
    A batch is read when the first of its columns is called, and each column
    is handed out once (per field reading it) and then dropped, so a table
    build that converts and frees each column before calling the next
    (``Interactions.read_parquet``) holds at most one batch of raw columns,
    never the whole Arrow table. The memory a converted batch leaves in
    pyarrow's pool is kept there for the next batch to reuse (returning it
    and faulting it in again cost system time); call `release_arrow_memory`
    after the build to return it.

    Raises
    ------
    InvalidDataError
        As `frame_columns` (the missing columns are named before any is read);
        also when a file, or a column when called, cannot be read; the
        message names the file.
    """
    pa, pq = _import_pyarrow()
    nw = import_narwhals()
    files, plan = open_parquet(path, reading=reading)
    wanted = [*plan.sources.values(), *([plan.status] if plan.status is not None else [])]
    coded = _coded_text(pa, files, plan, reading)
    if coded:
        # Text keys straight from the files' dictionary pages: no string per row.
        files = [(name, pq.ParquetFile(name, read_dictionary=coded)) for name, _ in files]
    batches = _Batches(files, wanted, pa)

    def reader(field: str, name: str) -> Callable[[], Any]:
        def read() -> Any:
            native = batches.column(name)
            converted = _arrow_column(pa, native, field, reading)
            if converted is not None:
                return converted
            return _column(nw, nw.from_native(pa.table({name: native}))[name], field, reading)

        return read

    rows = sum(file.metadata.num_rows for _, file in files)
    columns = {field: Deferred(reader(field, name), rows) for field, name in plan.sources.items()}
    if plan.status is not None:
        status = plan.status
        columns["resolved"] = Deferred(lambda: _resolved(batches.series(nw, status), reading), rows)
    if reading.kind is not None:
        kind = reading.kind
        columns["kind"] = Deferred(lambda: _fixed_kind(kind, rows), rows)
    return columns, plan.unread


def open_parquet(
    path: str | os.PathLike[str], /, *, reading: Reading
) -> tuple[list[tuple[str, Any]], Plan]:
    """The Parquet files ``path`` names, opened (metadata only), and the plan of their columns.

    Every file must give the same plan (the same fields from the same
    columns), and each column read must have types of one kind in every
    file (integers, floats, text, timestamps in one zone, ...; a column of
    nulls only goes with any): the files of one table are read as one.

    Raises
    ------
    InvalidDataError
        A file cannot be opened, lacks a column (`Reading.plan`), has
        columns of other fields than the first file, or a column of another
        kind; the message names the file.
    """
    pa, pq = _import_pyarrow()
    files = [(name, _open_file(pa, pq, name)) for name in parquet_files(path)]
    (first, head), *others = files
    plan = _plan_of(first, head, reading, named=bool(others))
    columns = [*plan.sources.values(), *([plan.status] if plan.status is not None else [])]
    kinds = {c: _kind(pa, head.schema_arrow.field(c).type) for c in columns}
    for name, file in others:
        other = _plan_of(name, file, reading, named=True)
        if other != plan:
            msg = (
                f"{name!r} does not have the columns of {first!r}: it reads "
                f"{_described(other)}, {first!r} reads {_described(plan)}; every file of "
                "a table must have the same fields"
            )
            raise InvalidDataError(msg)
        for column in columns:
            kind = _kind(pa, file.schema_arrow.field(column).type)
            if "null" not in (kind, kinds[column]) and kind != kinds[column]:
                msg = (
                    f"{name!r}: column {column!r} holds {file.schema_arrow.field(column).type}, "
                    f"{first!r} holds {head.schema_arrow.field(column).type}; a column must "
                    "have one type in every file of a table"
                )
                raise InvalidDataError(msg)
            if kinds[column] == "null":
                kinds[column] = kind
    return files, plan


def dask_parquet(path: str | os.PathLike[str], /, *, reading: Reading, reader: str) -> Any:
    """The fields of ``reading`` in the Parquet files ``path`` names, as a Dask DataFrame.

    The files are checked here, from their metadata, as `open_parquet`
    checks them for one process: every required column is there (a column
    renamed with ``columns=`` too), every file has the same fields, each
    column has one kind of type. The frame has the columns of the fields
    only, named as the fields (``columns=`` renames them), one partition per
    file or row group as Dask reads them; nothing is read until a metric
    runs on it. The values are checked by each metric, partition by
    partition on the workers, as the one-process reader checks them (a
    naive timestamp, a duplicate id within a partition, a bad score raise
    the same `InvalidDataError`).

    Raises
    ------
    InvalidDataError
        As `open_parquet`.
    TypeError
        A reading option that only a one-process read applies
        (``assume_timezone``, ``resolved_when``, ``kind``, ``fields``),
        named by ``reader``.
    """
    given = [
        name
        for name, value in (
            ("assume_timezone", reading.assume_timezone),
            ("resolved_when", reading.resolved_when),
            ("kind", reading.kind),
            ("fields", reading.fields),
        )
        if value is not None
    ]
    if given:
        msg = (
            f"{reader}(..., distributed=True) takes no {given[0]}=: the metrics convert "
            "each partition with the default reading, so the files must hold the fields "
            "as they are (zoned timestamps, a resolved and a kind column), and each metric "
            "reads only the columns of its fields; read them in one process "
            "(distributed=False) to use it"
        )
        raise TypeError(msg)
    _, plan = open_parquet(path, reading=reading)
    try:
        dd = importlib.import_module("dask.dataframe")
    except ImportError as err:  # pragma: no cover - exercised without the extra
        msg = f'{reader}(..., distributed=True) needs dask: pip install "csmetrics[dask]"'
        raise ImportError(msg) from err
    sources = plan.sources
    frame = dd.read_parquet(parquet_files(path), columns=list(dict.fromkeys(sources.values())))
    moved = {field: column for field, column in sources.items() if field != column}
    if not moved:
        return frame
    # Several fields may read one column, so columns are copied, not renamed.
    return frame.assign(**{field: frame[column] for field, column in moved.items()})[list(sources)]


def _coded_text(pa: Any, files: list[tuple[str, Any]], plan: Plan, reading: Reading) -> list[str]:
    """The text columns read only as key fields, to read as Arrow dictionaries.

    A column some other field reads too (a time, a flag, the status of
    ``resolved_when``), or that is not text in every file, is read as text.
    """
    keys = frozenset(reading.spec.keys) - frozenset(reading.spec.times)
    fields_of: dict[str, list[str]] = {}
    for field, column in plan.sources.items():
        fields_of.setdefault(column, []).append(field)
    return [
        column
        for column, fields in fields_of.items()
        if column != plan.status
        and all(field in keys for field in fields)
        and all(str(file.schema_arrow.field(column).type) in _ARROW_TEXT for _, file in files)
    ]


def _open_file(pa: Any, pq: Any, name: str) -> Any:
    """A Parquet file opened (its metadata read), or an error naming it."""
    try:
        return pq.ParquetFile(name)
    except (pa.ArrowInvalid, OSError) as err:
        msg = f"{name!r} is not a readable Parquet file: {err}"
        raise InvalidDataError(msg) from None


def _plan_of(name: str, file: Any, reading: Reading, *, named: bool) -> Plan:
    """``reading``'s plan for one file; with ``named``, an error names the file."""
    try:
        return reading.plan(file.schema_arrow.names)
    except InvalidDataError as err:
        if not named:
            raise
        msg = f"{name!r}: {err}"
        raise InvalidDataError(msg) from None


def _described(plan: Plan) -> str:
    """A plan's fields and their columns, for messages."""
    read = [f if f == c else f"{f} (column {c!r})" for f, c in plan.sources.items()]
    return f"the fields {read}" + (f" and unread {sorted(plan.unread)}" if plan.unread else "")


def _kind(pa: Any, arrow_type: Any) -> str:
    """The kind of an Arrow type that files of one table may each store a column as."""
    types = pa.types
    if types.is_dictionary(arrow_type):
        arrow_type = arrow_type.value_type
    for kind, test in (
        ("null", types.is_null),
        ("integer", types.is_integer),
        ("float", types.is_floating),
        ("text", lambda t: types.is_string(t) or types.is_large_string(t)),
        ("bool", types.is_boolean),
    ):
        if test(arrow_type):
            return kind
    if types.is_timestamp(arrow_type):
        return f"timestamp in {arrow_type.tz}"
    return str(arrow_type)


class _Batches:
    """The columns a reader wants from Parquet files, read in batches of columns.

    ``wanted`` lists a column once per use (several fields may read one
    column); a column is dropped after its last use. A batch is read from
    every file and the files' columns joined (zero-copy: one chunk list).
    Once a batch is read, the next one is read in a background thread while
    the caller converts this one (pyarrow decodes without holding the GIL):
    at most two batches are held, and one read runs at a time.
    """

    def __init__(self, files: list[tuple[str, Any]], wanted: list[str], pa: Any) -> None:
        self.files, self.pa = files, pa
        self.uses = {name: wanted.count(name) for name in wanted}
        self.held: dict[str, Any] = {}
        self.batch_of: dict[str, int] = {}
        self.batches: list[list[str]] = []
        self.read: set[int] = set()
        self.pending: tuple[int, Future[dict[str, Any]]] | None = None
        self.ready: dict[int, Future[dict[str, Any]]] = {}
        size: dict[str, int] = {}
        for _, file in files:
            for name, nbytes in _column_bytes(file).items():
                size[name] = size.get(name, 0) + nbytes
        total = 0
        for name in self.uses:  # in the order of the fields, as a build reads them
            if not self.batches or total + size.get(name, 0) > READ_BATCH_BYTES:
                self.batches.append([])
                total = 0
            self.batches[-1].append(name)
            total += size.get(name, 0)
            self.batch_of[name] = len(self.batches) - 1

    def series(self, nw: Any, name: str) -> Any:
        """One column as a narwhals series, read with its batch if not read yet."""
        return nw.from_native(self.pa.table({name: self.column(name)}))[name]

    def column(self, name: str) -> Any:
        """One column as a pyarrow ChunkedArray, read with its batch if not read yet."""
        if name not in self.held:
            batch = self.batch_of[name]
            self.held.update(self._take(batch))
            following = batch + 1
            if following < len(self.batches) and following not in self.read:
                self.read.add(following)
                pool = ThreadPoolExecutor(max_workers=1)
                self.pending = (following, pool.submit(self._read, self.batches[following]))
                pool.shutdown(wait=False)
        column = self.held[name]
        self.uses[name] -= 1
        if not self.uses[name]:
            del self.held[name]
        return column

    def _take(self, batch: int) -> dict[str, Any]:
        """The columns of a batch: read in the background already, or read now.

        A background read's error is raised when its batch is needed, as a
        read in the caller's thread would raise it then.
        """
        pending, self.pending = self.pending, None
        if pending is not None:
            pending[1].exception()  # wait for it: one read at a time
            self.ready[pending[0]] = pending[1]
        if batch in self.ready:
            done: dict[str, Any] = self.ready.pop(batch).result()
            return done
        self.read.add(batch)
        release_arrow_memory()
        return self._read([n for n in self.batches[batch] if self.uses[n]])

    def _read(self, names: list[str]) -> dict[str, Any]:
        tables = [self._read_file(path, file, names) for path, file in self.files]
        table = (
            tables[0]
            if len(tables) == 1
            else self.pa.concat_tables(tables, promote_options="permissive")
        )
        return {name: table.column(name) for name in names}

    def _read_file(self, path: str, file: Any, names: list[str]) -> Any:
        try:
            return file.read(columns=names)
        except (self.pa.ArrowInvalid, OSError):
            for name in names:  # name the column that cannot be read
                self._read_one(path, file, name)
            raise  # pragma: no cover - a batch fails only where one of its columns does

    def _read_one(self, path: str, file: Any, name: str) -> None:
        try:
            file.read(columns=[name])
        except (self.pa.ArrowInvalid, OSError) as err:
            msg = f"{path!r}: column {name!r} cannot be read: {err}"
            raise InvalidDataError(msg) from None


def _column_bytes(file: Any) -> dict[str, int]:
    """About how many bytes each top-level column of a Parquet file takes once read.

    A fixed-width column takes its width times the rows; any other at least
    its uncompressed size in the file (from the metadata; nothing is read).
    """
    meta = file.metadata
    size: dict[str, int] = {}
    for group in range(meta.num_row_groups):
        row_group = meta.row_group(group)
        for i in range(row_group.num_columns):
            chunk = row_group.column(i)
            top = chunk.path_in_schema.split(".", 1)[0]
            size[top] = size.get(top, 0) + chunk.total_uncompressed_size
    for field in file.schema_arrow:
        try:
            width = field.type.bit_width
        except ValueError:  # not a fixed-width type
            continue
        size[field.name] = max(size.get(field.name, 0), meta.num_rows * width // 8)
    return size


def release_arrow_memory() -> None:
    """Return the memory pyarrow's default pool keeps unused to the system.

    Only unused memory: nothing that any Arrow object still holds is touched.
    """
    _import_pyarrow()[0].default_memory_pool().release_unused()


def _import_pyarrow() -> tuple[Any, Any]:
    """The modules pyarrow and pyarrow.parquet, or an ImportError naming the extra."""
    try:
        return importlib.import_module("pyarrow"), importlib.import_module("pyarrow.parquet")
    except ImportError as err:  # pragma: no cover - exercised without the extra
        msg = 'reading Parquet needs pyarrow: pip install "csmetrics[frames]"'
        raise ImportError(msg) from err


def _column(nw: Any, series: Any, field: str, reading: Reading) -> Any:
    """One series as a numpy array with csmetrics' missing values."""
    spec = reading.spec
    key = field in spec.keys
    dtype = series.dtype
    native = nw.to_native(series)
    # pyarrow's own columns skip narwhals' generic steps where they cost a pass.
    arrow = type(native).__module__.split(".", 1)[0] == "pyarrow"
    if isinstance(dtype, nw.Datetime):
        return _utc(series, field, arrow=arrow, zone=reading.zone)
    if field in spec.times and dtype == nw.String:
        _text_times(series, field)
    if field in spec.flags:
        return _flag(nw, series, field)
    nulls = series.null_count()
    if arrow and str(native.type) in _ARROW_TEXT:
        return _arrow_text(native, nulls=nulls, coded=key)
    if arrow and (dtype.is_integer() or dtype.is_float()) and not nulls:
        return _arrow_numpy(native)
    # A required key's nulls are an error; objects keep its message.
    return _values(series, nulls=nulls, masked=key and field not in spec.required)


def _arrow_column(pa: Any, native: Any, field: str, reading: Reading) -> Any:
    """`_column` of a pyarrow column of the common types, without narwhals; else None.

    Gives what `_column` gives for the same column, from which the table
    builds the same columns: zoned timestamps, bool flags, integer and float
    columns and text; an integer key column as its chunks (`Chunked`, the
    values `_column` would give, not joined). Any other type (naive
    timestamps, text in a time field, a flag column that is not bool, ...)
    is None, for `_column` to convert or refuse with its messages.
    """
    spec, kind = reading.spec, native.type
    types = pa.types
    nulls = native.null_count
    converted = None
    if types.is_timestamp(kind):
        if kind.tz is not None:
            converted = _arrow_numpy(native)
    elif types.is_dictionary(kind) and str(kind.value_type) in _ARROW_TEXT:
        if field in spec.keys:
            converted = _arrow_dictionary(pa, native, nulls=nulls)
    elif field in spec.times or (field in spec.required and nulls):
        pass  # `_column` refuses text times; `_values` gives the None the table names
    elif field in spec.flags:
        if types.is_boolean(kind):
            converted = (native.fill_null(fill_value=False) if nulls else native).to_numpy()
    elif str(kind) in _ARROW_TEXT:
        converted = _arrow_text(native, nulls=nulls, coded=field in spec.keys)
    elif types.is_integer(kind) or types.is_floating(kind):
        converted = _arrow_number(pa, native, nulls=nulls, key=field in spec.keys)
    return converted


def _arrow_dictionary(pa: Any, native: Any, *, nulls: int) -> Any:
    """A dictionary column of texts as `_arrow_text` codes it, or None.

    The chunks' dictionaries are unified into one; its texts may be in any
    order and include texts no row uses (the table encodes each once and
    drops those). None for a dictionary holding a null (left to `_column`).
    """
    if nulls == len(native):
        return np.full(nulls, None, dtype=object)
    unified = pa.table({"text": native}).unify_dictionaries().column("text")
    dictionary = unified.chunk(0).dictionary
    if dictionary.null_count or not pa.types.is_signed_integer(native.type.index_type):
        return None
    indices = pa.chunked_array([chunk.indices for chunk in unified.chunks])
    codes = _arrow_numpy(indices.fill_null(-1) if nulls else indices).astype(np.int32, copy=False)
    words = np.empty(len(dictionary), dtype=object)
    words[:] = dictionary.to_pylist()
    return Encoded(codes, words)


def _arrow_number(pa: Any, native: Any, *, nulls: int, key: bool) -> Any:
    """A number column without nulls, or an integer key column, else None.

    An integer key column is its chunks as they are (`Chunked`): the table's
    counting encoding reads them where they lie, so the column is never
    joined into one array, and where some rows are null their values are
    the chunks' data buffers, marked absent, never read (no filled copy in
    Arrow's pool).
    """
    if key and pa.types.is_integer(native.type) and nulls < len(native):
        if not nulls:
            return Chunked(tuple(chunk.to_numpy() for chunk in native.chunks if len(chunk)))
        if pa.types.is_signed_integer(native.type):
            parts = tuple(_arrow_values(chunk) for chunk in native.chunks if len(chunk))
            # int64 keys, as a frame's masked array of such a column gives.
            return Chunked(parts, _arrow_numpy(native.is_valid()), np.dtype(np.int64))
    if not nulls:
        return _arrow_numpy(native)
    return None


def _arrow_values(chunk: Any) -> Any:
    """A fixed-width Arrow array's data buffer as numpy (zero-copy), whatever lies under nulls."""
    dtype = np.dtype(chunk.type.to_pandas_dtype())
    data = chunk.buffers()[1]
    if data is None:  # pragma: no cover - a fixed-width array always has a data buffer
        return np.zeros(len(chunk), dtype=dtype)
    return np.frombuffer(data, dtype=dtype, count=chunk.offset + len(chunk))[chunk.offset :]


def _flag(nw: Any, series: Any, field: str) -> Any:
    """A flag column: a bool column as it is (null: False); any other checked by `flag_column`.

    A text or integer column is never read by truthiness (decision 57): its
    first value that is not a bool is an error naming the column and the row.
    """
    if series.dtype == nw.Boolean:
        return series.fill_null(value=False).to_numpy().astype(bool)
    values = series.to_numpy()
    if values.dtype.kind == "O":
        values = np.where(series.is_null().to_numpy(), None, values)
    return flag_column(field, values, n=len(series), column=series.name, null_is_false=True)


def _resolved(series: Any, reading: Reading) -> Any:
    """``resolved`` derived from a column by the ``resolved_when`` rule (null: False).

    The rule (`Reading.resolved`) runs once per distinct value; the rows
    follow by one vectorised membership test.
    """
    distinct = series.drop_nulls().unique().to_list()
    hits = [value for value in distinct if reading.resolved(value)]
    if not hits:
        return np.zeros(len(series), dtype=bool)
    return series.is_in(hits).fill_null(value=False).to_numpy().astype(bool)


def _fixed_kind(kind: str, rows: int) -> Encoded:
    """One survey kind for every row, as codes into a dictionary of one text."""
    return Encoded(np.zeros(rows, dtype=np.int32), np.array([kind]))


def _arrow_numpy(native: Any) -> Any:
    """An Arrow column's chunks joined in numpy's memory rather than Arrow's pool.

    Each chunk is a zero-copy view; joining them in numpy memory means the
    column goes back to the system when the table is freed instead of staying
    in pyarrow's allocator (which keeps what it had).
    """
    if native.num_chunks < 2:  # One chunk (a view) or none: nothing to join.
        return native.to_numpy()
    return np.concatenate([chunk.to_numpy(zero_copy_only=False) for chunk in native.chunks])


def _values(series: Any, *, nulls: int, masked: bool) -> Any:
    """A number or key series as numpy, None (or nan, or masked) where null.

    A text series that numpy would hold as fixed-width text keeps a trailing
    NUL (which such arrays drop) by going through Python texts, so the table
    can refuse that key rather than merge it (decision 59).
    """
    if not nulls:
        values = series.to_numpy()
        if values.dtype.kind == "U" and series.str.ends_with("\0").any():
            return np.array(series.to_list(), dtype=object)
        return values
    if nulls == len(series):
        # An all-null column has no meaningful dtype (pandas makes it float).
        return np.full(nulls, None, dtype=object)
    if series.dtype.is_float():
        return series.to_numpy()  # nan is missing
    null = series.is_null().to_numpy()
    if series.dtype.is_integer():
        ints = series.fill_null(0).to_numpy()
        if ints.dtype.kind == "i":  # unsigned keys stay unsigned: the table checks their range
            ints = ints.astype(np.int64, copy=False)
        if masked:
            # Integer keys with nulls: a masked array keeps them integers
            # without a Python object per row; from_columns reads it as is.
            return np.ma.MaskedArray(ints, mask=null)
        objects = ints.astype(object)
    else:
        objects = series.to_numpy().astype(object)
    objects[null] = None
    return objects


def _text_times(series: Any, field: str) -> NoReturn:
    """Refuse a text column of timestamps, saying how to parse it.

    A dataframe's timestamps are its library's to parse (its parser, its
    formats); csmetrics reads timestamp columns. Text is what ``read_csv``
    gives without ``parse_dates``, so the message says that first.
    """
    given = series.drop_nulls()
    shown = repr(given.item(0)) if len(given) else "None"
    name = series.name
    msg = (
        f"column {name!r} (field {field!r}) holds text, not timestamps, e.g. {shown}; parse it "
        f"first (pandas: read_csv(..., parse_dates=[{name!r}]) or "
        f"pd.to_datetime(df[{name!r}], format='ISO8601'); polars: "
        f"pl.col({name!r}).str.to_datetime()), or read the file with "
        "csmetrics.read_interactions_csv / read_surveys_csv"
    )
    raise InvalidDataError(msg, field=field, value=given.item(0) if len(given) else None)


def _utc(series: Any, field: str, *, arrow: bool, zone: ZoneInfo | None) -> Any:
    """A timestamp series as naive UTC datetime64, NaT where null.

    Naive timestamps are local wall times in ``zone``, converted by
    `csmetrics.core.calendar.local_to_utc` (the readers' one DST rule).
    """
    if series.dtype.time_zone is None:
        walls = series.to_numpy().astype("datetime64[us]")
        given = np.flatnonzero(~np.isnat(walls))
        if zone is None and len(given):
            row = int(given[0])
            msg = (
                f"column {series.name!r} (field {field!r}) has naive timestamps, "
                f"e.g. row {row}: {walls[row]}; pass assume_timezone='Europe/Berlin' "
                "(their zone; CLI: --assume-timezone) or store them with a zone"
            )
            raise InvalidDataError(msg)
        if not len(given):
            # Only missing values (NaT, null): no wall time to place in a zone, so
            # a column pandas types as naive is missing data, not a zone problem.
            return walls
        assert zone is not None
        return local_to_utc(walls.view(np.int64), zone).view("datetime64[us]")
    if arrow:
        # Arrow stores zoned timestamps as UTC instants, which numpy's
        # datetime64 reads as they are: no conversion pass.
        return _arrow_numpy(series.to_native())
    return series.dt.convert_time_zone("UTC").dt.replace_time_zone(None).to_numpy()


_ARROW_TEXT = frozenset({"string", "large_string"})


def _arrow_text(native: Any, *, nulls: int, coded: bool) -> Any:
    """An Arrow text column through a dictionary of its distinct texts.

    With ``coded``, the codes into the dictionary (int32, -1 where null) as an
    `Encoded`, whose texts the table then encodes once each; otherwise an
    object array of str, None where null, with each distinct text one Python
    str shared by its rows.
    """
    if nulls == len(native):
        return np.full(nulls, None, dtype=object)
    encoded = native.dictionary_encode().combine_chunks()
    words = np.array([*encoded.dictionary.to_pylist(), None], dtype=object)
    codes = encoded.indices.fill_null(len(words) - 1) if nulls else encoded.indices
    if not coded:
        return words[codes.to_numpy()]
    # Null is the last word; as a code it is -1.
    position = codes.to_numpy().astype(np.int32, copy=True)
    position[position == len(words) - 1] = -1
    return Encoded(position, words[:-1])
