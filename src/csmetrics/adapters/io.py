"""Read contacts and survey answers from CSV files into columnar tables.

Each file has a header row; the cells of the columns that hold csmetrics
fields become one array per field, handed to `Interactions.from_columns` or
`Surveys.from_columns`, so no per-row record objects are built. There are two
ways to the same table (decision 82):

- with pyarrow installed (``pip install "csmetrics[frames]"``), pyarrow's CSV
  reader reads only the field columns and converts each in bulk: about as
  fast as ``pandas.read_csv`` with date parsing, in memory about the size of
  the columns read;
- otherwise, or for a file pyarrow would read differently (not UTF-8, a
  misplaced quote) or a cell it does not convert, the standard library's
  `csv` module parses cell by cell: the same table, several times slower
  (see docs/performance.md), and the reader that names a bad cell's line.

Both give the same table or the same error for the same file.

Which column holds which field follows the rules of every reader
(`csmetrics.core.reading`, decision 45), so a CSV file and the same data as a
dataframe give the same table:

- a column named like a field is read as that field; ``columns=`` maps a
  field to a column named otherwise (``{"id": "Ticket ID"}``);
- every other column is ignored (a helpdesk export reads as it is);
  ``strict=True`` refuses them, naming them;
- ``assume_timezone=`` reads timestamps without offset as local times in
  that zone; ``resolved_when=`` derives ``resolved`` from a status column;
  ``kind=`` gives every survey answer of a file one kind.

Cell formats:

- timestamps: ISO 8601, ``2026-01-05T09:13:00+00:00`` (or a trailing ``Z``,
  or a space for the ``T``). A timestamp without an offset is read in the
  zone ``assume_timezone=`` names, and is an error without it: csmetrics
  never guesses a time zone.
- bools (``resolved``, ``abandoned``, ``blocked``, ``escalated``,
  ``complaint``, and the ``score`` of
  ``"fcr"`` answers): ``true``/``false``, ``yes``/``no`` or ``1``/``0``, any
  case.
- numbers (``score``, ``talk_seconds``, ``hold_seconds``, ``wrap_seconds``):
  decimal text such as ``4`` or ``312.5``; ``scale_low`` and ``scale_high``
  of survey answers are whole numbers.
- keys (ids, channel, agent, issue, category, priority, tier,
  escalated_to): text, kept as is.
- an empty cell is a missing value. A missing flag (``resolved``,
  ``abandoned``, ``blocked``, ``escalated``, ``complaint``) is false, as in `Interaction`; ``id``,
  ``customer_id``, ``start``, ``kind``, ``score`` and ``at`` are required.

Errors are `InvalidDataError` naming the file, the line (or the record id),
the field and the offending value; a missing file raises `FileNotFoundError`.
"""

from __future__ import annotations

import codecs
import csv
import importlib
import math
import os
import re
from collections.abc import Callable, Collection, Mapping
from datetime import datetime, timedelta
from typing import Any, Literal, NoReturn, TypeVar
from zoneinfo import ZoneInfo

import numpy as np
import numpy.typing as npt

from csmetrics.core.calendar import local_to_utc
from csmetrics.core.errors import InvalidDataError
from csmetrics.core.model import SURVEY_KINDS, SurveyKind
from csmetrics.core.reading import INTERACTION_FIELDS, SURVEY_FIELDS, Reading
from csmetrics.core.table import Deferred, Encoded, Interactions, Surveys, to_micros

__all__ = ["read_interactions_csv", "read_surveys_csv"]

PathLike = str | os.PathLike[str]
"""A file system path."""

_Cell = Literal["key", "required_key", "time", "required_time", "flag", "seconds", "whole", "text"]

# The CSV columns of each table and how their cells are parsed. "text" cells
# are parsed after the whole file is read (a score's meaning depends on its kind).
_INTERACTION_COLUMNS: dict[str, _Cell] = {
    "id": "required_key",
    "customer_id": "required_key",
    "start": "required_time",
    "end": "time",
    "resolved": "flag",
    "channel": "key",
    "agent_id": "key",
    "issue_id": "key",
    "category": "key",
    "first_response_at": "time",
    "abandoned": "flag",
    "blocked": "flag",
    "talk_seconds": "seconds",
    "hold_seconds": "seconds",
    "wrap_seconds": "seconds",
    "priority": "key",
    "tier": "key",
    "escalated": "flag",
    "escalated_to": "key",
    "complaint": "flag",
}
_SURVEY_COLUMNS: dict[str, _Cell] = {
    "id": "required_key",
    "kind": "text",
    "score": "text",
    "at": "required_time",
    "scale_low": "whole",
    "scale_high": "whole",
    "customer_id": "key",
    "interaction_id": "key",
    "agent_id": "key",
}

_TRUE = frozenset({"true", "yes", "1"})
_FALSE = frozenset({"false", "no", "0"})
_NAT = int(np.iinfo(np.int64).min)  # the int64 pattern of numpy's NaT
_EPOCH = datetime(1970, 1, 1)  # naive: local wall times count from it
_MICRO = timedelta(microseconds=1)

V = TypeVar("V")
TableT = TypeVar("TableT", Interactions, Surveys)


class _Source:
    """The file and line being read, for error messages."""

    def __init__(self, path: PathLike, zone: ZoneInfo | None = None) -> None:
        self.path = os.fspath(path)
        self.line = 0
        self.row = 0
        self.zone = zone
        self.columns: dict[str, tuple[int, str]] = {}
        """Position and header name of each field's column."""
        self.lines: list[int] = []
        """The file line of each record (1-based, the header is line 1)."""
        self.naive: dict[str, list[int]] = {}
        """The rows of each time field whose cells had no offset (local wall times)."""

    def fail(self, field: str, value: object, why: str) -> NoReturn:
        column = self.columns.get(field, (0, field))[1]
        named = f"{field!r}" if column == field else f"{field!r} (column {column!r})"
        msg = f"{self.path}, line {self.line}: field {named} = {value!r}: {why}"
        raise InvalidDataError(msg, field=field, value=value, why=why)


_FRACTION = re.compile(r"(:\d\d)[.,](\d+)")
_COMPACT_OFFSET = re.compile(r"([+-]\d\d)(\d\d)$")


def fromisoformat(text: str) -> datetime:
    """Parse an ISO 8601 timestamp the same way on every supported Python.

    `datetime.fromisoformat` reads only its own output format before Python
    3.11; a trailing ``Z``, a fraction of other than 3 or 6 digits and an
    offset without colon (``+0100``) are normalised first.

    Raises
    ------
    ValueError
        The text is not an ISO 8601 timestamp.
    """
    text = text.strip()
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        pass
    if text.endswith(("z", "Z")):
        text = text[:-1] + "+00:00"
    text = _FRACTION.sub(lambda m: f"{m[1]}.{m[2][:6]:0<6}", text)
    return datetime.fromisoformat(_COMPACT_OFFSET.sub(r"\1:\2", text))


def _micros(source: _Source, field: str, cell: str, *, required: bool) -> int:
    """Epoch microseconds of an ISO 8601 cell; NaT when empty.

    A cell without offset gives its local wall time, and its row is noted in
    ``source.naive`` for `_array`'s one conversion of the column; without a
    zone it is an error.
    """
    text = cell.strip()
    if not text:
        if required:
            source.fail(field, cell, "required timestamp is missing")
        return _NAT
    try:
        moment = fromisoformat(text)
    except ValueError:
        source.fail(field, cell, "not an ISO 8601 timestamp")
    if moment.utcoffset() is None:
        if source.zone is None:
            why = (
                "timestamp has no UTC offset; pass assume_timezone='Europe/Berlin' "
                "(its zone; CLI: --assume-timezone) or write it as 2026-01-05T09:13:00+00:00"
            )
            source.fail(field, cell, why)
        source.naive.setdefault(field, []).append(source.row)
        return (moment - _EPOCH) // _MICRO
    return to_micros(moment)


def _flag_value(cell: str, *, required: bool = False) -> bool | None:
    """The bool a flag cell spells (an empty one is False unless required); None if none."""
    text = cell.strip().lower()
    if text not in _TRUE | _FALSE and (text or required):
        return None
    return text in _TRUE


def _flag(source: _Source, field: str, cell: str, *, required: bool = False) -> bool:
    value = _flag_value(cell, required=required)
    if value is None:
        source.fail(field, cell, "expected true/false, yes/no or 1/0")
    return value


def _number_value(cell: str, *, required: bool) -> float | str:
    """A finite number (nan for an empty cell not required), or why the cell is not one."""
    text = cell.strip()
    if not text:
        return "required number is missing" if required else math.nan
    try:
        number = float(text)
    except ValueError:
        return "expected a number"
    return number if math.isfinite(number) else "expected a finite number"


def _number(source: _Source, field: str, cell: str, *, required: bool) -> float:
    """A finite number; nan for an empty cell that is not required."""
    value = _number_value(cell, required=required)
    if isinstance(value, str):
        source.fail(field, cell, value)
    return value


def _key(source: _Source, field: str, cell: str, *, required: bool) -> str:
    if required and cell == "":
        source.fail(field, cell, "required key is missing")
    return cell


def _whole_value(cell: str) -> int | None:
    try:
        return int(cell.strip())
    except ValueError:
        return None


def _whole(source: _Source, field: str, cell: str) -> int:
    value = _whole_value(cell)
    if value is None:
        source.fail(field, cell, "expected a whole number")
    return value


_PARSERS: dict[_Cell, Callable[[_Source, str, str], Any]] = {
    "key": lambda s, f, c: _key(s, f, c, required=False),
    "required_key": lambda s, f, c: _key(s, f, c, required=True),
    "time": lambda s, f, c: _micros(s, f, c, required=False),
    "required_time": lambda s, f, c: _micros(s, f, c, required=True),
    "flag": _flag,
    "seconds": lambda s, f, c: _number(s, f, c, required=False),
    "whole": _whole,
    "text": lambda s, f, c: c,
}


def _array(source: _Source, field: str, cell: _Cell, values: list[Any]) -> npt.NDArray[Any]:
    if cell in ("time", "required_time"):
        micros = np.array(values, dtype=np.int64)
        rows = source.naive.get(field)
        if rows:
            assert source.zone is not None  # a naive cell without a zone is an error
            micros[rows] = local_to_utc(micros[rows], source.zone)
        # Epoch microseconds as datetime64, which the tables read as UTC.
        return micros.view("datetime64[us]")
    if cell == "flag":
        return np.array(values, dtype=bool)
    if cell == "seconds":
        return np.array(values, dtype=np.float64)
    if cell == "whole":
        return np.array(values, dtype=np.int64)
    # Texts as Python str: a fixed-width numpy text array would drop a trailing
    # NUL and merge two keys; the table refuses such a key (decision 59).
    return np.array(values, dtype=object)


def _positions(source: _Source, header: list[str], reading: Reading) -> tuple[dict[str, int], int]:
    """Column positions by field name, and of the ``resolved_when`` column (-1: none)."""
    names = [name.strip() for name in header]
    try:
        plan = reading.plan(names)
    except InvalidDataError as err:
        msg = f"{source.path}: {err}"
        raise InvalidDataError(msg) from None
    read = [*plan.sources.values(), *([plan.status] if plan.status is not None else [])]
    repeated = sorted({name for name in read if names.count(name) > 1})
    if repeated:
        msg = f"{source.path}: repeated column(s) {repeated}; each field must come from one column"
        raise InvalidDataError(msg)
    positions = {field: names.index(column) for field, column in plan.sources.items()}
    source.columns = {
        field: (names.index(column), column) for field, column in plan.sources.items()
    }
    if plan.status is not None:  # resolved derived from a status column
        source.columns["resolved"] = (names.index(plan.status), plan.status)
    return positions, -1 if plan.status is None else names.index(plan.status)


def _read(
    path: PathLike, columns: Mapping[str, _Cell], reading: Reading
) -> tuple[_Source, dict[str, list[Any]], list[int]]:
    """Parse every cell of a CSV file into one list per field.

    Returns the source, the parsed values by field and the line number of
    each row. Blank lines are skipped; a row with another number of cells
    than the header is an error. With ``resolved_when``, ``resolved`` is
    derived from its column.
    """
    source = _Source(path, reading.zone)
    lines: list[int] = []
    try:
        with open(path, encoding="utf-8-sig", newline="") as handle:
            reader = csv.reader(handle, strict=True)
            header = next(reader, None)
            if header is None:
                msg = f"{source.path}: empty file; expected a header row"
                raise InvalidDataError(msg)
            positions, status = _positions(source, header, reading)
            values: dict[str, list[Any]] = {name: [] for name in positions}
            plan = [
                (values[name], position, name, _PARSERS[columns[name]])
                for name, position in positions.items()
            ]
            if status >= 0:
                values["resolved"] = []
                plan.append((values["resolved"], status, "resolved", _status(reading)))
            for row in reader:
                source.line = reader.line_num
                if not row:
                    continue
                if len(row) != len(header):
                    why = f"{len(row)} cells where the header has {len(header)}"
                    source.fail("row", ",".join(row), why)
                lines.append(source.line)
                for column, position, name, parse in plan:
                    column.append(parse(source, name, row[position]))
                source.row += 1
    except UnicodeDecodeError as err:
        msg = f"{source.path}: not UTF-8 text ({err.reason})"
        raise InvalidDataError(msg) from None
    except csv.Error as err:
        msg = f"{source.path}, line {source.line + 1}: malformed CSV ({err})"
        raise InvalidDataError(msg) from None
    source.lines = lines
    return source, values, lines


def _status(reading: Reading) -> Callable[[_Source, str, str], bool]:
    """The parser of the ``resolved_when`` column: the reading's rule, an empty cell no."""
    return lambda _source, _field, cell: reading.resolved(cell)


def _cell(path: str, line: int, position: int) -> str | None:
    """The text of one cell, read again from the file (only to write an error message)."""
    with open(path, encoding="utf-8-sig", newline="") as handle:
        reader = csv.reader(handle, strict=True)
        for row in reader:
            if reader.line_num == line:
                return row[position] if position < len(row) else None
    return None


def _build(source: _Source, build: Callable[[], V]) -> V:
    """Run a table constructor; its record errors name the file, the line and the cell.

    An error about one row (`InvalidDataError.row`) is told as the file
    tells it: the line number (1-based, counting the header) and the cell's
    text as written, not the position in the table and the parsed value.
    """
    try:
        return build()
    except InvalidDataError as err:
        row, field = err.row, err.field
        if row is None or field is None or not 0 <= row < len(source.lines):
            msg = f"{source.path}: {err}"
            raise InvalidDataError(msg) from None
        line = source.lines[row]
        record = "" if err.record is None else f"record {err.record}, "
        where = f"{source.path}, line {line}: {record}field {field!r}"
        if field in source.columns:
            position, column = source.columns[field]
            if column != field:
                where += f" (column {column!r})"
            cell = _cell(source.path, line, position)
            shown = cell if cell is not None else err.value
        else:
            shown = err.value
        msg = f"{where} = {shown!r}: {err.why}"
        raise InvalidDataError(msg, row=row, field=field, value=err.value, why=err.why) from None


# -- the pyarrow path ----------------------------------------------------------
# With pyarrow installed (the ``frames`` extra), a file is read by pyarrow's
# CSV reader, only the columns that hold fields, each converted in bulk: keys
# and the cells with few spellings (flags, kinds, scores, scale bounds) as
# dictionaries whose distinct texts are read by the same rules as above,
# times by Arrow's ISO 8601 parser, seconds by its number parser. It gives
# the table the reader above gives. Whatever it does not take as it is (a cell
# it cannot parse, a timestamp Arrow does not read, a table error) sends the
# file to the reader above, which gives the table or the error naming the
# line, field and cell (decision 82).

_BLOCK = 1 << 24
"""Bytes of the file checked (UTF-8, quotes) at a time: memory stays bounded."""

_ARROW_BLOCK = 1 << 20
"""Bytes of the file pyarrow parses at a time: pyarrow's own default. Larger
blocks take no less CPU time, and Arrow's memory while it parses grows with
them (about 130 MiB at 16 MiB blocks, 65 MiB at 1 MiB, for 62 MiB of columns)."""


def _arrow_modules() -> tuple[Any, Any, Any] | None:
    """pyarrow, pyarrow.csv and pyarrow.compute, or None when pyarrow is not installed."""
    try:
        return (
            importlib.import_module("pyarrow"),
            importlib.import_module("pyarrow.csv"),
            importlib.import_module("pyarrow.compute"),
        )
    except ImportError:
        return None


def _plain_file(path: PathLike, header: list[str]) -> bool | None:
    """Whether the file has quotes, if pyarrow reads its cells as `csv.reader` does; else None.

    The file must be UTF-8 throughout (the reader above decodes every byte)
    and its header without a line break inside a cell. Without a quote
    character both readers split cells alike (and no cell holds a line
    break, which lets pyarrow split the file at any newline); a file with
    quotes is first checked by `csv.reader` in strict mode, which refuses a
    quote misplaced where pyarrow would read on.
    """
    if any("\n" in name or "\r" in name for name in header):
        return None
    decoder = codecs.getincrementaldecoder("utf-8")()
    quoted = False
    try:
        with open(path, "rb") as handle:
            while block := handle.read(_BLOCK):
                quoted = quoted or b'"' in block
                if not block.isascii():
                    decoder.decode(block)
            decoder.decode(b"", final=True)
        if quoted:
            with open(path, encoding="utf-8-sig", newline="") as text:
                for _ in csv.reader(text, strict=True):
                    pass
    except (UnicodeDecodeError, csv.Error):
        return None
    return quoted


def _words(column: Any) -> tuple[list[str], npt.NDArray[np.int32]]:
    """A dictionary column's distinct texts and each row's index into them (-1: empty cell)."""
    if not column.num_chunks:
        return [], np.zeros(0, dtype=np.int32)
    words: list[str] = column.chunk(0).dictionary.to_pylist()
    codes = np.empty(len(column), dtype=np.int32)
    start = 0
    for chunk in column.chunks:
        # Each chunk's int32 indices copied from their buffer into the one
        # column: Arrow's own fill_null and concatenation hold several times
        # the column's memory at a million rows.
        indices, rows = chunk.indices, len(chunk)
        if rows:
            part = codes[start : start + rows]
            part[:] = np.frombuffer(
                indices.buffers()[1], dtype=np.int32, count=rows, offset=indices.offset * 4
            )
            if indices.null_count:
                part[np.asarray(indices.is_null())] = -1
        start += rows
    return words, codes


def _per_row(
    column: Any, read: Callable[[str], object], dtype: Any
) -> tuple[npt.NDArray[Any], npt.NDArray[np.bool_]]:
    """Each row's ``read`` of its cell (an empty cell is ""), reading each distinct text once.

    Also gives where ``read`` found a value: elsewhere (None) the reader
    above would refuse the cell.
    """
    words, codes = _words(column)
    values = [read(word) for word in [*words, ""]]
    found = np.array([value is not None for value in values], dtype=bool)
    table = np.array([0 if value is None else value for value in values], dtype=dtype)
    return table[codes], found[codes]


def _lookup(column: Any, read: Callable[[str], object], dtype: Any) -> npt.NDArray[Any] | None:
    """`_per_row`'s values, or None if a cell has none."""
    values, found = _per_row(column, read, dtype)
    return values if found.all() else None


def _arrow_times(column: Any, zone: ZoneInfo | None) -> npt.NDArray[Any] | None:
    """A time column as datetime64[us] in UTC (NaT where empty), or None if Arrow cannot.

    Without a zone the column was read as zoned timestamps: every cell has an
    offset. With one, it was read as text: all cells with an offset, or all
    without (local wall times there, converted by the rule of the reader
    above); a column mixing both is left to that reader.
    """
    if zone is None:
        return np.asarray(column.to_numpy(), dtype="datetime64[us]")
    pa, pc = importlib.import_module("pyarrow"), importlib.import_module("pyarrow.compute")
    try:
        zoned = pc.cast(column, pa.timestamp("us", tz="UTC"))
    except pa.ArrowInvalid:
        pass
    else:
        return np.asarray(zoned.to_numpy(), dtype="datetime64[us]")
    try:
        wall = pc.cast(column, pa.timestamp("us"))
    except pa.ArrowInvalid:
        return None
    micros: npt.NDArray[np.int64] = np.array(wall.to_numpy(), dtype="datetime64[us]").view(np.int64)
    given = micros != _NAT
    micros[given] = local_to_utc(micros[given], zone)
    return micros.view("datetime64[us]")


def _arrow_seconds(column: Any) -> npt.NDArray[np.float64] | None:
    """Seconds as float64, nan where empty; None for a nan or infinite cell (an error above)."""
    values = np.asarray(column.to_numpy(), dtype=np.float64)
    written = ~np.asarray(column.is_null().to_numpy(zero_copy_only=False), dtype=bool)
    if not np.isfinite(values[written]).all():
        return None
    return values


def _arrow_type(arrow: tuple[Any, Any, Any], cell: _Cell, zone: ZoneInfo | None) -> Any:
    pa = arrow[0]
    if cell in ("time", "required_time"):
        return pa.string() if zone is not None else pa.timestamp("us", tz="UTC")
    if cell == "seconds":
        return pa.float64()
    if cell in ("key", "required_key"):
        # Read as text and encoded once afterwards: pyarrow's reader builds a
        # dictionary per block, slow for columns of (nearly) unique ids.
        return pa.string()
    return pa.dictionary(pa.int32(), pa.string())


def _arrow_header(
    path: PathLike, reading: Reading
) -> tuple[list[str], dict[str, int], int, bool] | None:
    """The header, the fields' and the status column's positions, and whether there are quotes.

    The positions are those `_read` finds. None when the header or the file
    is not one pyarrow reads as `csv.reader` does (`_plain_file`), or the
    header has an error, which `_read` names.
    """
    try:
        with open(path, encoding="utf-8-sig", newline="") as handle:
            header = next(csv.reader(handle, strict=True), None)
        if header is None:
            return None
        positions, status = _positions(_Source(path), header, reading)
    except (OSError, UnicodeDecodeError, csv.Error, InvalidDataError):
        return None
    quoted = _plain_file(path, header)
    if quoted is None:
        return None
    return header, positions, status, quoted


def _arrow_read(
    path: PathLike, columns: Mapping[str, _Cell], reading: Reading
) -> tuple[dict[str, Any], int] | None:
    """The file's field columns as pyarrow read them (and the row count), or None.

    None when pyarrow is not installed or the file is not one it reads as
    `csv.reader` does, or when a cell does not convert: the reader above
    then reads the file and names any error.
    """
    arrow = _arrow_modules()
    if arrow is None:
        return None
    pa, pcsv, _ = arrow
    found = _arrow_header(path, reading)
    if found is None:
        return None
    header, positions, status, quoted = found
    wanted = {field: (position, columns[field]) for field, position in positions.items()}
    if status >= 0:
        wanted["resolved"] = (status, "text")
    names = [f"column {position}" for position in range(len(header))]
    types: dict[str, Any] = {}
    for position, cell in wanted.values():
        kind = _arrow_type(arrow, cell, reading.zone)
        if types.setdefault(names[position], kind) != kind:
            return None  # one column read as two kinds of field: the reader above does it
    try:
        table = pcsv.read_csv(
            path,
            read_options=pcsv.ReadOptions(column_names=names, skip_rows=1, block_size=_ARROW_BLOCK),
            parse_options=pcsv.ParseOptions(newlines_in_values=quoted),
            convert_options=pcsv.ConvertOptions(
                include_columns=sorted(types, key=names.index),
                column_types=types,
                null_values=[""],
                strings_can_be_null=True,
                quoted_strings_can_be_null=True,
                # `_plain_file` has checked that the whole file is UTF-8.
                check_utf8=False,
            ),
        ).unify_dictionaries()
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return None
    read = {field: table.column(names[position]) for field, (position, _) in wanted.items()}
    return read, table.num_rows


def _ascii_bytes(chunk: Any) -> tuple[npt.NDArray[np.uint8], npt.NDArray[np.int64]] | None:
    """A text chunk's bytes and each row's length (0 where empty), if all ASCII without NUL.

    The bytes are the chunk's own Arrow buffer (no copy), each row's text
    right after the previous one's. None for a text with another character
    or a NUL, which the Python texts handle (the table names a trailing NUL).
    """
    _, offsets, data = chunk.buffers()
    rows = len(chunk)
    ends = np.frombuffer(offsets, dtype=np.int32, count=rows + 1, offset=chunk.offset * 4)
    chars = np.frombuffer(data, dtype=np.uint8) if data is not None else np.zeros(0, np.uint8)
    chars = chars[ends[0] : ends[-1]]
    if chars.size and (int(chars.max()) >= 0x80 or not chars.all()):
        return None
    lengths = np.diff(ends).astype(np.int64)
    if chunk.null_count:
        # A null cell's text is empty (pyarrow's CSV reader writes no bytes for it).
        lengths[~np.asarray(chunk.is_valid().to_numpy(zero_copy_only=False), dtype=bool)] = 0
        if int(lengths.sum()) != chars.size:
            return None
    return chars, lengths


def _ascii_texts(rows: npt.NDArray[np.uint8]) -> npt.NDArray[np.str_]:
    """Texts (numpy's) of the rows of an (n, width) array of ASCII bytes (zero: padding).

    An ASCII byte is its own code point, so the bytes widened to 32 bits are
    numpy's text buffer: no Python string and no per-text conversion.
    """
    if not rows.shape[1]:
        return np.zeros(rows.shape[0], dtype="U1")
    wide = rows.astype(np.uint32, order="C")
    return wide.view(f"U{rows.shape[1]}").reshape(-1)


def _fixed_texts(array: Any) -> tuple[npt.NDArray[np.uint8], int] | None:
    """The rows of a text array of one width as an (n, width) byte array, or None.

    Only for an array without empty cells whose texts are all ASCII without
    NUL (`_ascii_bytes`) and of one length: then the texts' bytes, one after
    the other, are already the rows.
    """
    found = None if array.null_count or not len(array) else _ascii_bytes(array)
    if found is None:
        return None
    chars, lengths = found
    width = int(lengths.max())
    if int(lengths.min()) != width or width == 0:
        return None
    return chars.reshape(-1, width), width


_Words = tuple[
    npt.NDArray[np.unsignedinteger[Any]], int, npt.NDArray[np.uint8], npt.NDArray[np.bool_]
]
"""`_ranked_words`' integers, their bound, the non-empty texts' bytes and where they are."""


def _ranked_words(array: Any) -> _Words | None:
    """Each row's text as one integer that orders and compares as the texts do, or None.

    For ASCII texts without NUL of one length, empty cells aside. Each
    position of the texts is a digit: its byte's rank among the bytes that
    occur at that position in the column (a position with one byte drops
    out), and the integer is 1 plus the number these digits write in mixed
    radix, the first position the most significant; 0 is the empty cell.
    Texts of one length order as their tuples of bytes, so as these
    integers. Returns the integers (uint32 when they fit, else uint64),
    their bound (every one is below it), the non-empty texts as an
    (m, width) byte array and where they are; None when the texts do not
    fit or the integers would reach 2**62.
    """
    found = _ascii_bytes(array)
    if found is None:
        return None
    chars, lengths = found
    given = lengths > 0
    width = int(lengths.max()) if len(lengths) else 0
    if given.any() and int(lengths[given].min()) != width:
        return None
    rows = chars.reshape(-1, max(width, 1))[:, :width]
    # Which bytes occur at each position, and so each position's radix.
    seen = [np.bincount(rows[:, position], minlength=128) > 0 for position in range(width)]
    radices = [int(np.count_nonzero(column)) for column in seen]
    bound = math.prod(radices) + 1
    if bound > 2**62:
        return None
    dtype = np.uint32 if bound <= 2**32 else np.uint64
    words = np.ones(len(rows), dtype=dtype)
    scale = 1
    for position in range(width - 1, -1, -1):
        if radices[position] > 1:
            # Each byte's rank at this position times the position's weight:
            # one lookup and one addition per row.
            weight = (np.cumsum(seen[position], dtype=np.uint64) - np.uint64(1)) * np.uint64(scale)
            words += weight.astype(dtype)[rows[:, position]]
            scale *= radices[position]
    if given.all():
        return words, bound, rows, given
    every = np.zeros(len(array), dtype=dtype)
    every[given] = words
    return every, bound, rows, given


def _ranked_keys(array: Any) -> Encoded | None:
    """`_arrow_keys` of a column `_ranked_words` takes: codes from integers, not texts.

    The integers are few enough to count (ids of a few hundred values, codes
    of a few letters) or are sorted, one integer per row. Each key's text is
    that of one of its rows. The keys come out sorted, so the table takes
    them as they are.
    """
    found = _ranked_words(array)
    if found is None:
        return None
    words, bound, rows, given = found
    n = len(words)
    dtype = np.int32 if n < 2**31 else np.int64
    if bound <= 4 * n + 1024:
        # Few possible integers: which occur, and each one's rank, by counting.
        seen = np.zeros(bound, dtype=bool)
        seen[words] = True
        rank = np.cumsum(seen, dtype=dtype)
        rank -= 1
        codes = rank[words]
        empty = bool(seen[0])
        distinct = int(rank[-1]) + 1
    else:
        # A sort of one integer per row: as fast as Arrow's hashing at a
        # million ids, and it gives the distinct integers in order.
        unique, inverse = np.unique(words, return_inverse=True)
        codes = inverse.astype(dtype, copy=False).reshape(-1)
        empty = bool(len(unique) and unique[0] == 0)
        distinct = len(unique)
    if empty:  # the empty cell: code -1
        codes -= 1
        distinct -= 1
    # One row of each key: a key's rows all hold its text.
    given_codes = codes[given] if not given.all() else codes
    first = np.empty(distinct, dtype=np.intp)
    first[given_codes] = np.arange(len(given_codes), dtype=np.intp)
    return Encoded(codes, _ascii_texts(np.take(rows, first, axis=0)), canonical=True)


def _arrow_keys(column: Any) -> Encoded:
    """A text column as codes into a dictionary of its texts (-1: empty cell).

    A column whose texts strictly increase row by row (ids as exports often
    list them) is its own dictionary, found by one vectorised comparison
    instead of hashing every text; ASCII texts of one length are counted or
    sorted as integers (`_ranked_keys`); any other column goes through
    Arrow's ``dictionary_encode`` of the texts. The first two give the
    table's form of the keys (`Encoded.canonical`); the table sorts the
    third's dictionary.
    """
    pa, pc = importlib.import_module("pyarrow"), importlib.import_module("pyarrow.compute")
    whole = column.combine_chunks()
    rows = len(whole)
    if rows > 1 and not whole.null_count and _increasing(pc, whole):
        fixed = _fixed_texts(whole)
        if fixed is not None:
            # numpy's fixed-width texts, from the bytes: no Python string per row.
            return Encoded(np.arange(rows, dtype=np.int32), _ascii_texts(fixed[0]), canonical=True)
        texts = np.empty(rows, dtype=object)
        texts[:] = whole.to_pylist()
        return Encoded(np.arange(rows, dtype=np.int32), texts)
    ranked = _ranked_keys(whole)
    if ranked is not None:
        return ranked
    words, codes = _words(pa.chunked_array([pc.dictionary_encode(whole)]))
    return Encoded(codes, np.array(words, dtype=object))


def _increasing(pc: Any, array: Any) -> bool:
    """Whether the texts strictly increase row by row; the first rows decide most columns."""
    rows = len(array)
    head = min(rows, 1024)
    return all(
        pc.all(pc.less(array.slice(0, length - 1), array.slice(1, length - 1))).as_py()
        for length in (head, rows)
    )


def _arrow_column(
    field: str, cell: _Cell, column: Any, reading: Reading
) -> npt.NDArray[Any] | Encoded | None:
    """One field's column in the form the reader above gives it, or None."""
    if cell in ("key", "required_key"):
        return _arrow_keys(column)
    if cell in ("time", "required_time"):
        return _arrow_times(column, reading.zone)
    if cell == "seconds":
        return _arrow_seconds(column)
    if cell == "whole":
        return _lookup(column, _whole_value, np.int64)
    if field == "resolved" and reading.resolved_when is not None:
        return _lookup(column, reading.resolved, bool)
    return _lookup(column, _flag_value, bool)


def _arrow_interactions(path: PathLike, reading: Reading) -> Interactions | None:
    """`read_interactions_csv` through pyarrow, or None to read the file the exact way."""
    read = _arrow_read(path, _INTERACTION_COLUMNS, reading)
    if read is None:
        return None
    return _arrow_table(Interactions, _INTERACTION_COLUMNS, read, reading, {})


class _UnconvertedError(Exception):
    """A column the pyarrow path does not convert: the reader above reads the file."""


def _arrow_table(
    table: type[TableT],
    spec: Mapping[str, Any],
    read: tuple[dict[str, Any], int],
    reading: Reading,
    arrays: dict[str, Any],
) -> TableT | None:
    """The table of ``arrays`` and the columns read (`_arrow_read`), or None to read the exact way.

    Each column is converted when the table build takes it (`Deferred`),
    and its Arrow data dropped then: the file's columns and the table's
    arrays are not all held at once, and the table keeps the converted
    times without copying them.
    """
    columns, rows = read

    def converter(field: str) -> Callable[[], Any]:
        def convert() -> Any:
            array = _arrow_column(field, spec[field], columns.pop(field), reading)
            if array is None:
                raise _UnconvertedError
            return array

        return convert

    arrays.update({field: Deferred(converter(field), rows) for field in columns})
    try:
        return table.from_columns(arrays)
    except (InvalidDataError, _UnconvertedError):
        return None


def _kind_code(cell: str) -> int | None:
    kind = cell.strip()
    return SURVEY_KINDS.index(kind) if kind in SURVEY_KINDS else None


def _arrow_kinds(column: Any) -> Encoded | None:
    """The kinds as codes into the kind each distinct cell names, or None if a cell names none.

    Two spellings of one kind (``fcr`` and `` fcr ``) are two codes of one
    name; the table looks up each name once.
    """
    words, codes = _words(column)
    kinds = [_kind_code(word) for word in words]
    if None in kinds or (len(codes) and int(codes.min()) < 0):  # an empty cell: an error
        return None
    names = [SURVEY_KINDS[kind] for kind in kinds if kind is not None]
    return Encoded(codes, np.array(names, dtype=str))


def _arrow_scores(column: Any, fcr: npt.NDArray[np.bool_] | None) -> npt.NDArray[np.float64] | None:
    """Scores as the reader above reads them: a bool where ``fcr`` (None: no row), else a number.

    Each distinct cell is read both ways once, into one table: a row's slot
    is its cell's, past the numbers for an "fcr" answer. None where a cell
    does not read (nan marks it: neither reading gives nan).
    """
    words, codes = _words(column)
    cells = ["", *words]  # slot 0: the empty cell, code -1
    readings = [_score_number(cell) for cell in cells]
    readings += [_flag_value(cell, required=True) for cell in cells]
    values = np.array([math.nan if value is None else float(value) for value in readings])
    slots = codes + np.int32(1)
    if fcr is not None:
        slots += np.multiply(fcr, np.int32(len(cells)), dtype=np.int32)
    scores: npt.NDArray[np.float64] = values[slots]
    return None if np.isnan(scores).any() else scores


def _score_number(cell: str) -> float | None:
    value = _number_value(cell, required=True)
    return None if isinstance(value, str) else value


def _arrow_surveys(path: PathLike, reading: Reading) -> Surveys | None:
    """`read_surveys_csv` through pyarrow, or None to read the file the exact way."""
    read = _arrow_read(path, _SURVEY_COLUMNS, reading)
    if read is None:
        return None
    columns, rows = read
    if reading.kind is not None:
        kinds: Encoded | None = Encoded(
            np.broadcast_to(np.int32(0), (rows,)), np.array([reading.kind])
        )
    else:
        kinds = _arrow_kinds(columns.pop("kind"))
    if kinds is None:
        return None
    fcr = kinds.keys == "fcr"
    scores = _arrow_scores(columns.pop("score"), fcr[kinds.codes] if fcr.any() else None)
    if scores is None:
        return None
    arrays: dict[str, Any] = {"kind": kinds, "score": scores}
    return _arrow_table(Surveys, _SURVEY_COLUMNS, read, reading, arrays)


def read_interactions_csv(
    path: PathLike,
    /,
    *,
    columns: Mapping[str, str] | None = None,
    strict: bool = False,
    assume_timezone: str | None = None,
    resolved_when: Mapping[str, str | Collection[str]] | None = None,
) -> Interactions:
    """Read contacts from a CSV file into an `Interactions` table.

    Takes the reading options of `Interactions.from_frame` and gives the
    same table as ``Interactions.from_frame`` of the same data with text keys
    (decision 45).

    Parameters
    ----------
    path
        A CSV file (UTF-8) with a header row. Required fields: ``id``,
        ``customer_id``, ``start``. Optional: ``end`` (empty while the
        contact is open), ``resolved``, ``channel``, ``agent_id``,
        ``issue_id``, ``category``, ``first_response_at``, ``abandoned``,
        ``blocked``, ``talk_seconds``, ``hold_seconds``, ``wrap_seconds``,
        ``priority``, ``tier``, ``escalated``, ``escalated_to``,
        ``complaint``. Other columns are ignored. A missing optional column
        means missing values (a missing ``end`` column: every contact is
        open).
    columns
        Field names to the file's column names when they differ, e.g.
        ``{"id": "Ticket ID", "start": "Created at"}``. A mapped column must
        exist; several fields may read one column.
    strict
        Refuse the columns that would be ignored, naming them, so that a
        misspelt column name cannot go unnoticed.
    assume_timezone
        IANA zone of timestamps written without UTC offset
        (``2026-03-02 09:13``), read as local times there; a time that
        occurs twice when the clocks go back is its first occurrence, and a
        time the clocks skip is the instant they jump. Cells with an offset
        keep it.
    resolved_when
        ``{column: values}``: ``resolved`` is true where that column's cell
        is one of ``values``, ignoring case and surrounding spaces:
        ``{"status": ["solved", "closed"]}``. The column need not be a
        field; a ``resolved`` column is then ignored.

    Returns
    -------
    Interactions
        One row per data line, in file order; keys are strings; no messages.

    Raises
    ------
    FileNotFoundError
        The file does not exist.
    ValueError
        An option is not allowed (an unknown field in ``columns``, an
        unknown zone...); the message names it.
    InvalidDataError
        A missing column (or, with ``strict``, an unknown one), or a bad
        cell; the message names the file, the line (or the contact id), the
        field and the value: a timestamp without UTC offset and no
        ``assume_timezone``, a bool that is not true/false, an end before
        the start, a resolved contact without end, a duplicate id.

    See Also
    --------
    read_surveys_csv : the same for survey answers.
    csmetrics.adapters.datasets.sample_paths : CSV files in this format.

    Examples
    --------
    >>> from csmetrics.adapters.datasets import sample_paths
    >>> table = read_interactions_csv(sample_paths().interactions)
    >>> table.id.key(int(table.id.codes[0])), int(table.is_open.sum()) > 0
    ('I00001', True)
    """
    reading = Reading.of(
        INTERACTION_FIELDS,
        columns=columns,
        strict=strict,
        assume_timezone=assume_timezone,
        resolved_when=resolved_when,
    )
    table = _arrow_interactions(path, reading)
    if table is not None:
        return table
    source, values, _ = _read(path, _INTERACTION_COLUMNS, reading)
    arrays = {
        name: _array(source, name, _INTERACTION_COLUMNS[name], cells)
        for name, cells in values.items()
    }
    return _build(source, lambda: Interactions.from_columns(arrays))


def _kinds(source: _Source, kinds: list[str], lines: list[int]) -> list[str]:
    out = [kind.strip() for kind in kinds]
    for kind, cell, line in zip(out, kinds, lines, strict=True):
        if kind not in SURVEY_KINDS:
            source.line = line
            source.fail("kind", cell, f"use one of {SURVEY_KINDS}")
    return out


def _scores(
    source: _Source, kinds: list[str], cells: list[str], lines: list[int]
) -> npt.NDArray[np.float64]:
    """Scores as numbers; "fcr" answers are bools, stored as 1.0 / 0.0."""
    scores = np.empty(len(cells), dtype=np.float64)
    for row, (kind, cell, line) in enumerate(zip(kinds, cells, lines, strict=True)):
        source.line = line
        if kind == "fcr":
            scores[row] = float(_flag(source, "score", cell, required=True))
        else:
            scores[row] = _number(source, "score", cell, required=True)
    return scores


def read_surveys_csv(
    path: PathLike,
    /,
    *,
    columns: Mapping[str, str] | None = None,
    strict: bool = False,
    assume_timezone: str | None = None,
    kind: SurveyKind | None = None,
) -> Surveys:
    """Read survey answers from a CSV file into a `Surveys` table.

    Takes the reading options of `Surveys.from_frame`.

    Parameters
    ----------
    path
        A CSV file (UTF-8) with a header row. Required fields: ``id``,
        ``kind`` (``nps``, ``csat``, ``ces``, ``fcr`` or ``rating``; or
        ``kind=``), ``score``, ``at``; optional: ``customer_id``,
        ``interaction_id``, ``agent_id``, ``scale_low``, ``scale_high``.
        ``score`` is a number on the kind's default scale (NPS 0..10, CSAT
        1..5, CES 1..7, rating 1..5), or a bool for ``fcr`` answers
        (true/false, yes/no, 1/0). Other columns are ignored.
    columns, strict, assume_timezone
        As for `read_interactions_csv`, e.g. ``columns={"at": "answered_at"}``.
    kind
        The kind of every answer in the file, for a file without a ``kind``
        column (an export of one survey); a ``kind`` column is then ignored.

    Returns
    -------
    Surveys
        One row per data line, in file order; keys are strings.

    Raises
    ------
    FileNotFoundError
        The file does not exist.
    ValueError
        An option is not allowed; the message names it.
    InvalidDataError
        A missing column (or, with ``strict``, an unknown one), or a bad
        cell; the message names the file, the line (or the answer id), the
        field and the value: an unknown kind, a score that is not a number
        or off its scale, a timestamp without UTC offset and no
        ``assume_timezone``, a duplicate id.

    See Also
    --------
    read_interactions_csv : the same for contacts.

    Examples
    --------
    >>> from csmetrics import survey_fcr
    >>> from csmetrics.adapters.datasets import sample_paths
    >>> answers = read_surveys_csv(sample_paths().surveys)
    >>> 0 < survey_fcr(answers).value < 1
    True
    """
    reading = Reading.of(
        SURVEY_FIELDS, columns=columns, strict=strict, assume_timezone=assume_timezone, kind=kind
    )
    answers = _arrow_surveys(path, reading)
    if answers is not None:
        return answers
    source, values, lines = _read(path, _SURVEY_COLUMNS, reading)
    cells = values.pop("kind") if kind is None else [kind] * len(lines)
    kinds = _kinds(source, cells, lines)
    # A score's meaning depends on its kind, so scores are parsed once the
    # kinds are known.
    scores = _scores(source, kinds, values.pop("score"), lines)
    arrays: dict[str, Any] = {
        name: _array(source, name, _SURVEY_COLUMNS[name], cells) for name, cells in values.items()
    }
    arrays["kind"] = np.array(kinds, dtype=str)
    arrays["score"] = scores
    return _build(source, lambda: Surveys.from_columns(arrays))
