"""The tables of an export directory, read into numpy columns with row-exact errors.

A vendor export in a warehouse schema is a directory with one file per table,
named after the table: ``ticket.csv`` or ``ticket.parquet``. `load` reads the
columns a reader asks for (the others are never parsed, so unknown columns
cost nothing and are ignored) and the typed helpers (`times`, `keys`, `ints`,
`flags`, `dates`, `texts`) turn them into numpy arrays. Every error is an
`InvalidDataError` naming the file, the row (1-based, counting the header
row, so the first data row is row 2; the same for Parquet) and the field.

Cell formats, the same in CSV and (for text columns) Parquet:

- timestamps: ISO 8601 (``2026-03-02T09:13:00Z``, ``2026-03-02 09:13:00``,
  ``2026-03-02T10:13:00+01:00``) or the warehouse's ``2026-03-02 09:13:00
  UTC``. A timestamp without offset is UTC, as the connectors write them.
  Parquet timestamp columns are read as instants (a naive one as UTC).
- keys (ids): text, kept as is; a Parquet integer id ``123`` reads as the text
  ``"123"``, so CSV and Parquet give the same keys.
- flags: ``true``/``false``, ``t``/``f``, ``yes``/``no``, ``1``/``0``, any case.
- an empty cell (or a Parquet null) is a missing value.
"""

from __future__ import annotations

import csv
import importlib
import os
import warnings
from collections.abc import Collection, Sequence
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Any, NoReturn
from zoneinfo import ZoneInfo

import attrs
import numpy as np
import numpy.typing as npt

from csmetrics.adapters.io import fromisoformat
from csmetrics.core.check import plain
from csmetrics.core.errors import CsmetricsWarning, InvalidDataError
from csmetrics.core.table import to_micros

__all__ = [
    "NAT",
    "OrphanRowsWarning",
    "Table",
    "dates",
    "flags",
    "ints",
    "keys",
    "load",
    "load_file",
    "local_times",
    "texts",
    "times",
]

PathLike = str | os.PathLike[str]
I64 = npt.NDArray[np.int64]
Text = npt.NDArray[np.str_]

NAT = int(np.iinfo(np.int64).min)
"""A missing timestamp: the int64 pattern of numpy's NaT."""

_SUFFIXES = (".csv", ".parquet")
_DELETED = "_fivetran_deleted"
_TRUE = frozenset({"true", "t", "yes", "y", "1"})
_FALSE = frozenset({"false", "f", "no", "n", "0"})


class OrphanRowsWarning(CsmetricsWarning):
    """A reader left rows out on purpose, and says how many and why.

    Rows whose ticket or user is missing (with ``on_orphan="warn"``) and
    tickets the helpdesk marks deleted. Turn it into an error with
    ``warnings.simplefilter("error", OrphanRowsWarning)``.
    """


@attrs.frozen(kw_only=True, eq=False)
class Table:
    """The columns of one table file that a reader asked for.

    ``columns`` holds, per column, the raw values: a numpy text array of
    stripped cells (``""`` for an empty cell) for CSV, or a pyarrow
    ``ChunkedArray`` for Parquet. Data rows are indexed from 0; `fail`
    names the row number a user sees (the header being row 1).
    """

    name: str
    path: str
    numbers: I64
    """The row number of each data row: the header is row 1."""
    columns: dict[str, Any]

    @property
    def rows(self) -> int:
        """The number of data rows."""
        return len(self.numbers)

    def row(self, index: int) -> int:
        """The row number (header = 1) of the data row at ``index``."""
        return int(self.numbers[index])

    def fail(self, index: int, field: str, value: object, why: str) -> NoReturn:
        """Raise `InvalidDataError` naming the file, the row of ``index`` and the field."""
        msg = f"{self.path}, row {self.row(index)}: field {field!r} = {plain(value)!r}: {why}"
        raise InvalidDataError(msg)

    def has(self, column: str) -> bool:
        """Whether the file has the column."""
        return column in self.columns


def find(directory: Path, name: str) -> Path | None:
    """The file of table ``name`` in ``directory``: ``name.csv`` or ``name.parquet``."""
    found = [directory / f"{name}{suffix}" for suffix in _SUFFIXES]
    present = [path for path in found if path.is_file()]
    if len(present) > 1:
        msg = (
            f"{directory}: table {name!r} is given twice ({present[0].name} and "
            f"{present[1].name}); keep one file per table"
        )
        raise InvalidDataError(msg)
    return present[0] if present else None


def load(
    directory: Path,
    name: str,
    *,
    required: Collection[str],
    optional: Collection[str] = (),
    table_required: bool = True,
) -> Table | None:
    """Read the ``required`` and ``optional`` columns of table ``name``.

    Returns None for a missing table that is not required. A missing
    required table or column is an `InvalidDataError` naming it; other
    columns of the file are ignored.
    """
    path = find(directory, name)
    if path is None:
        if table_required:
            msg = (
                f"{directory}: table {name!r} is missing; expected {name}.csv or "
                f"{name}.parquet with columns {', '.join(required)}"
            )
            raise InvalidDataError(msg)
        return None
    return load_file(path, required=required, optional=optional, name=name)


def load_file(
    path: Path,
    *,
    required: Collection[str],
    optional: Collection[str] = (),
    name: str | None = None,
) -> Table:
    """Read the ``required`` and ``optional`` columns of one CSV or Parquet file.

    ``name`` is the table's name in messages (default: the file's stem). A
    missing required column is an `InvalidDataError` naming it.
    """
    name = path.stem if name is None else name
    if not path.is_file():
        msg = f"{path}: no such file"
        raise FileNotFoundError(msg)
    wanted = [*required, *(c for c in optional if c not in required), _DELETED]
    if path.suffix == ".parquet":
        header, columns, numbers = _read_parquet(path, wanted)
    else:
        header, columns, numbers = _read_csv(path, wanted)
    missing = [column for column in required if column not in header]
    if missing:
        msg = (
            f"{path}: missing column(s) {', '.join(map(repr, missing))} of table {name!r}; "
            f"it needs {', '.join(required)}"
        )
        raise InvalidDataError(msg)
    table = Table(name=name, path=str(path), numbers=numbers, columns=columns)
    if _DELETED not in columns:
        return table
    # The connector keeps deleted rows and marks them: they are not data.
    keep = ~flags(table, _DELETED, default=False)
    del columns[_DELETED]
    if keep.all():
        return table
    kept = {
        n: values[keep] if isinstance(values, np.ndarray) else values.filter(keep)
        for n, values in columns.items()
    }
    return Table(name=name, path=str(path), numbers=numbers[keep], columns=kept)


def _read_csv(path: Path, wanted: Sequence[str]) -> tuple[list[str], dict[str, Any], I64]:
    """The wanted columns of a CSV file, and the row number of each data row.

    Rows count records, the header being row 1; a blank line is a row
    without data and is skipped.
    """
    cells: dict[str, list[str]] = {}
    numbers: list[int] = []
    row = 1
    try:
        with open(path, encoding="utf-8-sig", newline="") as handle:
            reader = csv.reader(handle, strict=True)
            header = [name.strip() for name in next(reader, [])]
            if not header:
                msg = f"{path}: empty file; expected a header row"
                raise InvalidDataError(msg)
            repeated = sorted({n for n in wanted if header.count(n) > 1})
            if repeated:
                msg = f"{path}: repeated column(s) {repeated}; each must be given once"
                raise InvalidDataError(msg)
            plan = [(header.index(n), cells.setdefault(n, [])) for n in wanted if n in header]
            for values in reader:
                row += 1
                if not values:
                    continue
                if len(values) != len(header):
                    msg = (
                        f"{path}, row {row}: {len(values)} cells where the header has {len(header)}"
                    )
                    raise InvalidDataError(msg)
                numbers.append(row)
                for position, column in plan:
                    column.append(values[position])
    except UnicodeDecodeError as err:
        msg = f"{path}: not UTF-8 text ({err.reason})"
        raise InvalidDataError(msg) from None
    except csv.Error as err:
        msg = f"{path}, row {row + 1}: malformed CSV ({err})"
        raise InvalidDataError(msg) from None
    columns: dict[str, Any] = {
        name: np.array([v.strip() for v in values], dtype=str) for name, values in cells.items()
    }
    return header, columns, np.array(numbers, dtype=np.int64)


def _pyarrow() -> tuple[Any, Any, Any]:
    try:
        return (
            importlib.import_module("pyarrow"),
            importlib.import_module("pyarrow.compute"),
            importlib.import_module("pyarrow.parquet"),
        )
    except ImportError as err:  # pragma: no cover - exercised without the extra
        msg = 'reading Parquet needs pyarrow: pip install "csmetrics[frames]"'
        raise ImportError(msg) from err


def _read_parquet(path: Path, wanted: Sequence[str]) -> tuple[list[str], dict[str, Any], I64]:
    _, _, pq = _pyarrow()
    try:
        schema = pq.read_schema(path)
    except Exception as err:  # pyarrow raises several error types for a bad file
        msg = f"{path}: not a Parquet file ({err})"
        raise InvalidDataError(msg) from None
    header = list(schema.names)
    present = [n for n in wanted if n in header]
    data = pq.read_table(path, columns=present)
    return header, {n: data.column(n) for n in present}, np.arange(2, data.num_rows + 2)


def _is_arrow(values: Any) -> bool:
    return not isinstance(values, np.ndarray)


def _first_null(table: Table, column: str, missing: npt.NDArray[np.bool_]) -> None:
    if missing.any():
        table.fail(int(np.argmax(missing)), column, None, "required value is missing")


def _arrow_kind(pa: Any, kind: Any) -> str:
    """The kind of an Arrow type that the parsers tell apart."""
    types = pa.types
    checks = (
        ("timestamp", types.is_timestamp),
        ("date", types.is_date),
        ("integer", types.is_integer),
        ("float", types.is_floating),
        ("bool", types.is_boolean),
        ("string", types.is_string),
        ("string", types.is_large_string),
        ("string", types.is_dictionary),
    )
    return next((name for name, check in checks if check(kind)), str(kind))


def _arrow_texts(values: Any) -> Text:
    """An Arrow column as a numpy text array, stripped; ``""`` where null."""
    pa, pc, _ = _pyarrow()
    if pa.types.is_dictionary(values.type):
        values = values.cast(values.type.value_type)
    if pa.types.is_integer(values.type):
        # Integer ids: numpy formats them without a Python object per row.
        nulls = np.asarray(values.is_null().to_numpy(zero_copy_only=False), dtype=bool)
        out: Text = np.asarray(values.fill_null(0).to_numpy(), dtype=np.int64).astype(str)
        out[nulls] = ""
        return out
    if not (pa.types.is_string(values.type) or pa.types.is_large_string(values.type)):
        values = values.cast(pa.string())
    trimmed = pc.utf8_trim_whitespace(values).fill_null("")
    # Through Arrow's dictionary: a Python str per distinct text, not per row.
    encoded = trimmed.dictionary_encode().combine_chunks()
    words = np.asarray(encoded.dictionary.to_numpy(zero_copy_only=False)).astype(str)
    texts: Text = words[np.asarray(encoded.indices.to_numpy(), dtype=np.int64)]
    return texts


def times(table: Table, column: str, *, required: bool) -> I64:
    """UTC epoch microseconds of a timestamp column; `NAT` where missing."""
    if not table.has(column):
        return np.full(table.rows, NAT, dtype=np.int64)
    values = table.columns[column]
    if _is_arrow(values):
        pa, _, _ = _pyarrow()
        kind = _arrow_kind(pa, values.type)
        if kind == "timestamp":
            micros = values.cast(pa.timestamp("us", tz=values.type.tz)).cast(pa.int64())
            out = np.asarray(micros.fill_null(NAT).to_numpy(), dtype=np.int64)
            if required:
                _first_null(table, column, out == NAT)
            return out
        if kind == "date":
            return times(_as_texts(table, column), column, required=required)
        if kind != "string":
            table.fail(0, column, str(values.type), "expected timestamps")
        values = _arrow_texts(values)
    return _text_times(table, column, values, required=required)


def _as_texts(table: Table, column: str) -> Table:
    columns = dict(table.columns)
    columns[column] = _arrow_texts(table.columns[column])
    return attrs.evolve(table, columns=columns)


def _text_times(table: Table, column: str, values: Text, *, required: bool) -> I64:
    missing = values == ""
    if required:
        _first_null(table, column, missing)
    filled = np.where(missing, "NaT", values)
    try:  # the common case, naive ISO timestamps, in one numpy call
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            return np.array(filled, dtype="datetime64[us]").view(np.int64)
    except (ValueError, UserWarning, DeprecationWarning):
        pass
    out = np.full(len(values), NAT, dtype=np.int64)
    for row in np.flatnonzero(~missing).tolist():
        out[row] = _micros(table, row, column, str(values[row]))
    return out


def _micros(table: Table, row: int, column: str, cell: str) -> int:
    text = cell[:-4].rstrip() if cell.upper().endswith(" UTC") else cell
    try:
        moment = fromisoformat(text)
    except ValueError:
        table.fail(row, column, cell, "not an ISO 8601 timestamp")
    if moment.utcoffset() is None:
        moment = moment.replace(tzinfo=timezone.utc)  # the connectors write UTC
    return to_micros(moment)


def local_times(table: Table, column: str, zone: str, *, required: bool) -> I64:
    """UTC epoch microseconds of a text timestamp column written in local time ``zone``.

    A cell with an offset keeps it; a cell without one is a wall-clock time
    in ``zone``. `NAT` where missing (or where the column is absent).
    """
    if not table.has(column):
        return np.full(table.rows, NAT, dtype=np.int64)
    values = table.columns[column]
    if _is_arrow(values):
        values = _arrow_texts(values)
    missing = values == ""
    if required:
        _first_null(table, column, missing)
    local = ZoneInfo(zone)
    out = np.full(len(values), NAT, dtype=np.int64)
    for row in np.flatnonzero(~missing).tolist():
        cell = str(values[row])
        try:
            moment = fromisoformat(cell)
        except ValueError:
            table.fail(row, column, cell, "not an ISO 8601 timestamp")
        if moment.utcoffset() is None:
            moment = moment.replace(tzinfo=local)
        out[row] = to_micros(moment)
    return out


def keys(table: Table, column: str, *, required: bool) -> Text:
    """A key column (ids, names) as a numpy text array; ``""`` where missing."""
    if not table.has(column):
        return np.full(table.rows, "", dtype=str)
    values = table.columns[column]
    if _is_arrow(values):
        pa, pc, _ = _pyarrow()
        if _arrow_kind(pa, values.type) == "float":
            # pandas writes integer ids with nulls as floats: 123.0 is the id "123".
            whole = pc.equal(values, pc.floor(values))
            if not pc.all(pc.or_kleene(whole, pc.is_null(values))).as_py():
                row = int(np.argmax(~np.asarray(whole.fill_null(value=True).to_numpy())))
                table.fail(row, column, values[row].as_py(), "expected a whole-number id")
            values = values.cast(pa.int64())
        values = _arrow_texts(values)
    if required:
        _first_null(table, column, values == "")
    return np.asarray(values, dtype=str)


def texts(table: Table, column: str, *, required: bool) -> Text:
    """A text column, stripped, as a numpy text array; ``""`` where missing."""
    return keys(table, column, required=required)


def ints(table: Table, column: str) -> I64:
    """A required whole-number column as int64."""
    values = table.columns[column]
    if _is_arrow(values):
        pa, _, _ = _pyarrow()
        if _arrow_kind(pa, values.type) == "integer":
            _first_null(table, column, np.asarray(values.is_null().to_numpy(), dtype=bool))
            return np.asarray(values.cast(pa.int64()).to_numpy(), dtype=np.int64)
        values = _arrow_texts(values)
    _first_null(table, column, values == "")
    try:
        return np.asarray(values.astype(np.int64), dtype=np.int64)
    except (ValueError, OverflowError):
        pass
    return np.array(
        [_whole(table, row, column, cell) for row, cell in enumerate(values.tolist())],
        dtype=np.int64,
    )


def _whole(table: Table, row: int, column: str, cell: str) -> int:
    """A whole number written as ``12`` or ``12.0``."""
    try:
        number = float(cell)
    except ValueError:
        number = float("nan")
    if not number.is_integer():
        table.fail(row, column, cell, "expected a whole number")
    return int(number)


def flags(table: Table, column: str, *, default: bool | None) -> npt.NDArray[np.bool_]:
    """A bool column; a missing value is ``default`` (an error when None)."""
    values = table.columns.get(column)
    if values is None:
        if default is None:
            msg = f"{table.path}: missing column {column!r} of table {table.name!r}"
            raise InvalidDataError(msg)
        return np.full(table.rows, default, dtype=bool)
    if _is_arrow(values):
        pa, _, _ = _pyarrow()
        if _arrow_kind(pa, values.type) == "bool":
            nulls = np.asarray(values.is_null().to_numpy(), dtype=bool)
            if default is None:
                _first_null(table, column, nulls)
            return np.asarray(values.fill_null(bool(default)).to_numpy(), dtype=bool)
        values = _arrow_texts(values)
    words, inverse = np.unique(values, return_inverse=True)
    lookup = np.empty(len(words), dtype=bool)
    for code, word in enumerate(words.tolist()):
        text = word.lower()
        if text in _TRUE or text in _FALSE:
            lookup[code] = text in _TRUE
        elif text == "" and default is not None:
            lookup[code] = default
        else:
            row = int(np.argmax(inverse.reshape(-1) == code))
            table.fail(row, column, word or None, "expected true/false, t/f, yes/no or 1/0")
    return lookup[inverse.reshape(-1)]


def dates(table: Table, column: str) -> list[date]:
    """A required date column (``YYYY-MM-DD``, or a timestamp at local midnight)."""
    values = table.columns[column]
    if _is_arrow(values):
        pa, _, _ = _pyarrow()
        kind = _arrow_kind(pa, values.type)
        if kind == "date":
            out = values.to_pylist()
            for row, day in enumerate(out):
                if day is None:
                    table.fail(row, column, None, "required date is missing")
            return list(out)
        if kind == "timestamp":
            values = np.array(["" if v is None else v.isoformat() for v in values.to_pylist()])
        else:
            values = _arrow_texts(values)
    out = []
    for row, cell in enumerate(values.tolist()):
        if cell == "":
            table.fail(row, column, None, "required date is missing")
        out.append(_date(table, row, column, cell))
    return out


def _date(table: Table, row: int, column: str, cell: str) -> date:
    text = cell[:-4].rstrip() if cell.upper().endswith(" UTC") else cell
    try:
        return date.fromisoformat(text)
    except ValueError:
        pass
    try:
        moment = fromisoformat(text)
    except ValueError:
        table.fail(row, column, cell, "expected a date, YYYY-MM-DD")
    if moment.time() != datetime.min.time():
        table.fail(row, column, cell, "expected a date; a timestamp must be at midnight")
    return moment.date()


def index_of(keys: Text, wanted: Text) -> I64:
    """The position in ``keys`` (unique texts) of each of ``wanted``; -1 where absent.

    Vectorised: one sort of ``keys`` and one `numpy.searchsorted`. A missing
    (``""``) wanted key is absent.
    """
    out = np.full(len(wanted), -1, dtype=np.int64)
    if not len(keys) or not len(wanted):
        return out
    order = np.argsort(keys, kind="stable")
    ordered = keys[order]
    position = np.minimum(np.searchsorted(ordered, wanted), len(ordered) - 1)
    found = (ordered[position] == wanted) & (wanted != "")
    out[found] = order[position[found]]
    return out


def first_repeat(keys: Text) -> int | None:
    """The index of the first key that repeats an earlier one, or None."""
    if len(keys) < 2:  # one key cannot repeat
        return None
    _, first = np.unique(keys, return_index=True)
    if len(first) == len(keys):
        return None
    seen = np.zeros(len(keys), dtype=bool)
    seen[first] = True
    return int(np.argmin(seen))
