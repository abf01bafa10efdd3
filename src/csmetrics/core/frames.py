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

import importlib
import os
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Literal, Protocol
from zoneinfo import ZoneInfo

import numpy as np
import numpy.typing as npt

from csmetrics.core.calendar import local_to_utc
from csmetrics.core.check import option
from csmetrics.core.errors import InvalidDataError
from csmetrics.core.model import Window
from csmetrics.core.reading import Reading
from csmetrics.core.table import Deferred, Encoded, flag_column

__all__ = [
    "BACKENDS",
    "Backend",
    "ToFrame",
    "frame_columns",
    "import_narwhals",
    "is_frame",
    "parquet_columns",
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
    """
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


def parquet_columns(path: str | os.PathLike[str], /, *, reading: Reading) -> dict[str, Deferred]:
    """The fields of ``reading`` in a Parquet file, each read when called.

    Gives the columns of `frame_columns`, but each as a
    `csmetrics.core.table.Deferred`: its length is the file's row count, and
    calling it reads that one column and converts it as `frame_columns`
    would. A table build that converts and frees each column before calling
    the next (``Interactions.read_parquet``) so never holds the whole Arrow
    table, nor more than one raw column. Call `release_arrow_memory` after.

    Raises
    ------
    InvalidDataError
        As `frame_columns` (the missing columns are named before any is read);
        also when the file, or a column when called, cannot be read.
    """
    pa, pq = _import_pyarrow()
    nw = import_narwhals()
    try:
        file = pq.ParquetFile(path)
    except (pa.ArrowInvalid, OSError) as err:
        msg = f"{os.fspath(path)!r} is not a readable Parquet file: {err}"
        raise InvalidDataError(msg) from None

    def series(name: str) -> Any:
        try:
            table = file.read(columns=[name])
        except (pa.ArrowInvalid, OSError) as err:
            msg = f"{os.fspath(path)!r}: column {name!r} cannot be read: {err}"
            raise InvalidDataError(msg) from None
        return nw.from_native(table)[name]

    def reader(field: str, name: str) -> Callable[[], Any]:
        return lambda: _column(nw, series(name), field, reading)

    rows = file.metadata.num_rows
    plan = reading.plan(file.schema_arrow.names)
    columns = {field: Deferred(reader(field, name), rows) for field, name in plan.sources.items()}
    if plan.status is not None:
        status = plan.status
        columns["resolved"] = Deferred(lambda: _resolved(series(status), reading), rows)
    if reading.kind is not None:
        kind = reading.kind
        columns["kind"] = Deferred(lambda: _fixed_kind(kind, rows), rows)
    return columns


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
    if field in spec.flags:
        return _flag(nw, series, field)
    nulls = series.null_count()
    if arrow and str(native.type) in _ARROW_TEXT:
        return _arrow_text(native, nulls=nulls, coded=key)
    if arrow and (dtype.is_integer() or dtype.is_float()) and not nulls:
        return _arrow_numpy(native)
    # A required key's nulls are an error; objects keep its message.
    return _values(series, nulls=nulls, masked=key and field not in spec.required)


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
