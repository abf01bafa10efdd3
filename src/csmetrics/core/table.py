"""Columnar tables: the one form every metric computes on.

`Interactions` and `Surveys` hold one numpy array per field. Timestamps are
int64 microseconds since the Unix epoch in UTC; string or integer keys are
dictionary-encoded (``codes`` index a sorted array of ``keys``; ``-1`` means
missing). A table is built once, from objects (`from_records`) or straight from
arrays (`from_columns`, no per-row objects), and validated with vectorised
checks that name the first bad row.
"""

from __future__ import annotations

import operator
import os
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from datetime import datetime, timedelta, timezone
from itertools import repeat
from typing import TYPE_CHECKING, Any, ClassVar, Literal, TypeVar, overload

import attrs
import numpy as np
import numpy.typing as npt

from csmetrics.core.check import (
    RowName,
    bad_record,
    check_type,
    column_array,
    first_not_number,
    floats,
    one_dimensional,
    plain,
)
from csmetrics.core.errors import InvalidDataError
from csmetrics.core.model import (
    AGENT_STATES,
    AUTHORS,
    BIG_INT_KEY,
    DEFAULT_SCALES,
    FIRST_INSTANT,
    INT_KEYS,
    LAST_INSTANT,
    RARE_FIELDS,
    SURVEY_KINDS,
    AgentTime,
    Interaction,
    Key,
    Message,
    Sale,
    Survey,
    SurveyKind,
    big_int_key,
    check_instant,
    is_nat,
    score_type_error,
    score_type_ok,
)
from csmetrics.core.reading import INTERACTION_FIELDS, SURVEY_FIELDS, Reading

__all__ = [
    "OPEN",
    "OPTIONAL_FIELDS",
    "AgentTimes",
    "Deferred",
    "Encoded",
    "Interactions",
    "Messages",
    "Sales",
    "Surveys",
    "check_rows",
    "child_order",
    "child_rows",
    "child_times",
    "flag_column",
    "from_micros",
    "messages_from_columns",
    "parent_rows",
    "rows_in_order",
    "to_micros",
]

I64 = npt.NDArray[np.int64]
Codes = npt.NDArray[np.int32] | npt.NDArray[np.int64]
"""Key codes: int32 while the keys number fewer than 2**31, else int64."""
F64 = npt.NDArray[np.float64]
Bool = npt.NDArray[np.bool_]

OPEN = np.iinfo(np.int64).max
"""The time of an event that has not happened: an open contact's ``end``."""
_MISSING_TIME = np.iinfo(np.int64).min
_MIN_MICROS = -62135596800000000
"""Epoch microseconds of 0001-01-01T00:00 UTC, the first instant a datetime holds."""
_MAX_MICROS = 253402300799999999
"""Epoch microseconds of 9999-12-31T23:59:59.999999 UTC, the last one."""

_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
_MICRO = timedelta(microseconds=1)


def to_micros(moment: datetime) -> int:
    """Exact microseconds since the epoch of a timezone-aware datetime."""
    return (moment - _EPOCH) // _MICRO


def from_micros(micros: int) -> datetime:
    """The UTC datetime of microseconds since the epoch."""
    return _EPOCH + timedelta(microseconds=int(micros))


def _row_name(ids: Encoded | None, row: int, what: str = "") -> RowName:
    if ids is None or ids.codes[row] < 0:
        return RowName(f"{what}at position {row}", row)
    key = repr(plain(ids.keys[ids.codes[row]]))
    return RowName(f"{what}{key} (position {row})", row, key)


@attrs.frozen(eq=False)
class Encoded:
    """A dictionary-encoded key column: ``keys[codes[i]]`` is row i's key.

    ``codes`` are int32 (int64 beyond 2**31 keys), half the memory of int64;
    arithmetic that can exceed int32 (packing codes with times or other
    codes) widens them first.
    """

    codes: Codes
    keys: npt.NDArray[Any]
    canonical: bool = attrs.field(default=False, kw_only=True)
    """Whether ``keys`` are already in a table's form (a reader's promise):
    distinct non-empty numpy texts (``U``) in increasing order, each the key
    of some row, codes -1 for a missing key. A table then takes the column as
    it is."""

    def __len__(self) -> int:
        return len(self.codes)

    def key(self, code: int) -> Key | None:
        """The key of one code as a Python value; None for -1 (missing)."""
        if code < 0:
            return None
        key: Key = plain(self.keys[code])  # type: ignore[assignment]
        return key

    def __getitem__(self, rows: npt.NDArray[np.integer[Any]] | Bool | slice) -> Encoded:
        """The rows selected by an index array, mask or slice, sharing the same keys."""
        return Encoded(self.codes[rows], self.keys)


class Deferred:
    """A column read only when called; its length is known without reading it.

    `csmetrics.core.frames.parquet_columns` gives these, and a table build reads
    each one when it converts it, so one raw column is alive at a time.
    """

    def __init__(self, read: Callable[[], Any], rows: int) -> None:
        self._read = read
        self._rows = rows

    def __len__(self) -> int:
        return self._rows

    def __call__(self) -> Any:
        """Read the column."""
        return self._read()


@attrs.frozen(eq=False)
class Chunked:
    """An integer key column given as consecutive parts (a reader's chunks), encoded unjoined.

    ``parts`` hold the rows in order, of one integer dtype; ``present`` is
    None when every row has a key, else True where it does (the values of
    the other rows are never read); the keys are of ``dtype`` (the parts'
    when None). The counting encoding reads the parts where they lie, so
    the column is never joined into one array; only a sparse column
    (sorted by `numpy.unique`) is joined first.
    """

    parts: tuple[npt.NDArray[Any], ...]
    present: Bool | None = None
    dtype: np.dtype[Any] | None = None

    def __len__(self) -> int:
        return sum(len(part) for part in self.parts)

    def joined(self) -> Any:
        """The column as one array: a masked array where some rows have no key."""
        values = self.parts[0] if len(self.parts) == 1 else np.concatenate(self.parts)
        values = values.astype(self.dtype or values.dtype, copy=False)
        if self.present is None:
            return values
        return np.ma.MaskedArray(values, mask=~self.present)


def _pop(cols: dict[str, Any], name: str, default: Any = None) -> Any:
    """Remove a column from ``cols`` and return it, read if it was `Deferred`."""
    value = cols.pop(name, default)
    return value() if isinstance(value, Deferred) else value


def _codes_of(
    field: str, values: Any, names: tuple[str, ...], ids: Encoded | None, *, what: str = ""
) -> I64:
    """Map a column of names to their index in ``names``; unknown names are errors."""
    if isinstance(values, Encoded):
        # Dictionary-coded text (from `csmetrics.core.frames`): look each word up once.
        words = [*values.keys.tolist(), None]
        lookup = np.array([names.index(w) if w in names else -1 for w in words], dtype=np.int64)
        coded = lookup[values.codes]
        if (row := _first(coded < 0)) is not None:
            word = str(words[values.codes[row]])
            bad_record(_row_name(ids, row, what), field, word, f"use one of {names}")
        return coded
    if isinstance(values, Chunked):  # integers, which name nothing: refused below
        values = values.joined()
    text = column_array(field, values).reshape(-1)
    if text.dtype.kind not in "OU":
        text = text.astype(str)
    # Object columns (from dataframes) compare as they are, without a text copy.
    codes = np.full(len(text), -1, dtype=np.int64)
    for code, name in enumerate(names):
        codes[text == name] = code
    if (row := _first(codes < 0)) is not None:
        bad_record(_row_name(ids, row, what), field, str(text[row]), f"use one of {names}")
    return codes


def _typed_objects(
    field: str, arr: npt.NDArray[Any], ids: Encoded | None
) -> tuple[npt.NDArray[Any], Bool]:
    """Turn an object column into a str or int64 array plus a presence mask."""
    try:
        present = np.asarray(arr != None, dtype=bool)  # noqa: E711 (elementwise)
    except ValueError:  # rows holding arrays (a list column of a frame or Parquet file)
        row = next(i for i, v in enumerate(arr) if isinstance(v, (list, tuple, np.ndarray)))
        held = arr[row].tolist() if isinstance(arr[row], np.ndarray) else arr[row]
        bad_record(_row_name(ids, row), field, held, "a key is one text or int, not a list")
    values = arr[present]
    kinds = set(map(type, values))
    if str in kinds:
        # "" is missing too; only a column holding strings can contain it.
        present &= np.asarray(arr != "", dtype=bool)
        if kinds != {str}:
            values = arr[present]
            kinds = set(map(type, values))
    texts = kinds <= {str}
    if not texts and not all(
        issubclass(k, (int, np.integer)) and not issubclass(k, bool) for k in kinds
    ):
        rows = np.flatnonzero(present)
        first = type(values[0])
        row = next((int(i) for i in rows if type(arr[i]) is not first), int(rows[0]))
        bad_record(_row_name(ids, row), field, arr[row], "keys must be all str or all int")
    if texts:
        # One join finds any NUL without a Python step per row; numpy's text
        # arrays would drop a trailing one, merging "x\0" into "x".
        if len(values) and "\0" in "".join(values):
            _trailing_nul(field, arr, ids)
        return np.where(present, arr, "").astype(str), present
    ints = np.zeros(len(arr), dtype=np.int64)
    try:
        ints[present] = values.astype(np.int64)
    except OverflowError:
        row = next(i for i, v in enumerate(arr) if big_int_key(v))
        bad_record(_row_name(ids, row), field, arr[row], BIG_INT_KEY)
    return ints, present


TRAILING_NUL = (
    "a key may not end with a NUL character ('\\x00'): numpy text arrays drop it, which "
    "would merge it with the key without it; remove it from the data"
)


def _trailing_nul(field: str, arr: npt.NDArray[Any], ids: Encoded | None) -> None:
    """Refuse the first text key that ends with a NUL character (decision 59)."""
    for row, value in enumerate(arr.tolist()):
        if isinstance(value, str) and value.endswith("\0"):
            bad_record(_row_name(ids, row), field, value, TRAILING_NUL)


def _missing(n: int) -> Encoded:
    """A key column with no values (an optional column not given).

    The codes are one read-only -1 broadcast to every row: no memory per row.
    """
    return Encoded(np.broadcast_to(np.int32(-1), (n,)), np.zeros(0, dtype=np.int64))


_ENCODE_BLOCK = 1 << 16
"""Rows per block of the counting encoding: its intp offsets (512 KiB) stay in cache."""


def _blocks(parts: Sequence[npt.NDArray[Any]]) -> list[tuple[npt.NDArray[Any], slice]]:
    """Views of at most `_ENCODE_BLOCK` rows of each part, with the column's rows they hold."""
    blocks, at = [], 0
    for part in parts:
        for first in range(0, len(part), _ENCODE_BLOCK):
            last = min(first + _ENCODE_BLOCK, len(part))
            blocks.append((part[first:last], slice(at + first, at + last)))
        at += len(part)
    return blocks


def _dense_ints(
    parts: Sequence[npt.NDArray[Any]], present: Bool | None = None
) -> tuple[I64, npt.NDArray[np.signedinteger[Any]]] | None:
    """Sorted keys and codes (int32 where they fit) of integers in a compact range, without a sort.

    The column is ``parts`` one after the other (one array, or a reader's
    chunks, never joined). A counting pass over ``max - min`` slots; None
    when the range is too wide for that to beat sorting (sparse ids). With
    ``present``, only the values where it is True are keys, and the other
    rows' codes are -1; the values there are never read as keys. The rows
    are taken in blocks of at most `_ENCODE_BLOCK` within a part, whose
    offsets into the range stay in the processor's cache: one pass marks
    the values seen and writes each row's offset as its code (an absent
    row's offset is one slot past the range, by arithmetic rather than a
    masked write), and a second pass, only when some value of the range is
    not seen or a row is absent, maps offsets to codes through a lookup
    whose last slot is -1. No temporary as long as the column is allocated.
    """
    blocks = _blocks(parts)
    n = sum(len(part) for part in parts)
    count = n if present is None else int(np.count_nonzero(present))
    if not count:
        return np.zeros(0, dtype=np.int64), np.full(n, -1, dtype=np.int32)
    low, high = _present_range(blocks, present)
    if high - low > 4 * count + 1024:
        return None
    span = high - low + 1
    dtype = np.int32 if span <= 2**31 else np.int64
    seen = np.zeros(span + 1, dtype=bool)  # the last slot: absent rows
    codes = np.empty(n, dtype=dtype)
    # Offsets as intp: numpy converts narrower index arrays at every use.
    offset = np.empty(min(n, _ENCODE_BLOCK), dtype=np.intp)
    for values, rows in blocks:
        part = offset[: len(values)]
        np.subtract(values, low, out=part, dtype=np.intp, casting="unsafe")
        if present is not None:
            # (offset - span) * present + span: the offset, or ``span`` where
            # absent, exact in modular arithmetic whatever the value there.
            part -= span
            part *= present[rows]
            part += span
        seen[part] = True
        codes[rows] = part
    in_range = seen[:span]
    every = bool(in_range.all())
    if every:
        # Every value in the range occurs (ids 1..n): the offset is the code.
        keys = np.arange(low, high + 1, dtype=np.int64)
        if present is None:
            return keys, codes
        lookup = np.arange(span + 1, dtype=dtype)
    else:
        keys = np.flatnonzero(in_range) + low
        # A value's code is the number of distinct values below it.
        lookup = np.cumsum(seen, dtype=dtype)
        lookup -= 1
    lookup[span] = -1
    for _, rows in blocks:
        # Widened into the intp buffer once: numpy would convert an int32
        # index array into a fresh one of its own at the lookup.
        part = offset[: rows.stop - rows.start]
        part[...] = codes[rows]
        np.take(lookup, part, out=codes[rows])
    return keys, codes


def _present_range(
    blocks: list[tuple[npt.NDArray[Any], slice]], present: Bool | None
) -> tuple[int, int]:
    """The least and the greatest value where ``present`` (everywhere if None) is True."""
    if present is None:
        lows = [values.min() for values, _ in blocks]
        highs = [values.max() for values, _ in blocks]
        return int(min(lows)), int(max(highs))
    # An absent row stands in as a present value (given + (value - given) *
    # present, exact in modular arithmetic), so the reductions skip it.
    row = int(np.argmax(present))
    given = next(values[row - rows.start] for values, rows in blocks if row < rows.stop)
    filled = np.empty(min(len(present), _ENCODE_BLOCK), dtype=blocks[0][0].dtype)
    lows, highs = [], []
    for values, rows in blocks:
        block = filled[: len(values)]
        np.subtract(values, given, out=block)
        block *= present[rows]
        block += given
        lows.append(block.min())
        highs.append(block.max())
    return int(min(lows)), int(max(highs))


def _encode(field: str, values: Any, *, required: bool, ids: Encoded | None) -> Encoded:
    """Dictionary-encode a key column of str or int keys; None or "" is missing."""
    if isinstance(values, Encoded):
        return _reencode(field, values, required=required, ids=ids)
    if isinstance(values, Chunked):
        return _encode_chunked(field, values, required=required, ids=ids)
    if isinstance(values, np.ma.MaskedArray):
        # A masked integer array: integer keys with missing values, no objects.
        # The values under the mask are never read: no filled copy.
        arr = np.asarray(np.ma.getdata(values))
        present = ~np.ma.getmaskarray(values)
        if arr.dtype.kind not in "iu":
            bad_record(f"column {field!r}", field, arr.dtype, "expected str or int keys")
        arr = _signed(field, arr, present, ids)
        return _encoded(field, values, arr, present, required=required, ids=ids)
    arr = np.asarray(values) if isinstance(values, np.ndarray) else _sequence(field, values)
    if arr.dtype.kind in "iu":
        present = np.ones(len(arr), dtype=bool)
        arr = _signed(field, arr, present, ids)
    elif arr.dtype.kind == "U":
        present = arr != ""
    elif arr.dtype.kind == "O" or arr.size == 0:
        arr, present = _typed_objects(field, arr.astype(object, copy=False).reshape(-1), ids)
    elif arr.dtype.kind == "f":
        # pandas stores integer keys with missing values as floats (nan).
        present = ~np.isnan(arr)
        if (row := _first(present & (arr != np.floor(arr)))) is not None:
            bad_record(_row_name(ids, row), field, arr[row], "a float key must be a whole number")
        # 2**63 is the first float beyond int64; inf is beyond it too.
        if (row := _first(present & ((arr >= 2.0**63) | (arr < -(2.0**63))))) is not None:
            why = "a float key must be a finite whole number in int64's range; " + BIG_INT_KEY
            bad_record(_row_name(ids, row), field, arr[row], why)
        arr = np.where(present, arr, 0).astype(np.int64)
    else:
        bad_record(f"column {field!r}", field, arr.dtype, "expected str or int keys")
    return _encoded(field, values, arr, present, required=required, ids=ids)


def _encode_chunked(field: str, column: Chunked, *, required: bool, ids: Encoded | None) -> Encoded:
    """`_encode` of an integer column in parts: counted where the parts lie, else joined.

    Only a compact range of int64 or narrower signed or unsigned keys is
    counted unjoined; uint64 (whose keys beyond int64 are refused) and a
    sparse range are joined and encoded as one array, with the same codes.
    """
    dtype = column.dtype or column.parts[0].dtype
    present = column.present
    if dtype.kind not in "iu" or (dtype.kind == "u" and dtype.itemsize == 8):
        return _encode(field, column.joined(), required=required, ids=ids)
    if required and present is not None:
        _refuse_missing(field, ~present, ids)
    dense = _dense_ints(column.parts, present)
    if dense is None:
        return _encode(field, column.joined(), required=required, ids=ids)
    return _counted(*dense, dtype)


def _counted(keys: I64, codes: npt.NDArray[Any], dtype: np.dtype[Any]) -> Encoded:
    """`_dense_ints` keys (of ``dtype``) and codes (int32 where they fit) as a column."""
    narrow = np.int32 if len(keys) < 2**31 else np.int64
    return Encoded(codes.astype(narrow, copy=False), keys.astype(dtype, copy=False))


def _reencode(field: str, coded: Encoded, *, required: bool, ids: Encoded | None) -> Encoded:
    """Encode text keys given as codes into a dictionary of texts (-1: null).

    Each distinct text is encoded once and the rows follow by lookup; texts no
    row uses are dropped, and "" is missing, as in any other text column.
    """
    if coded.canonical:
        # Already in the form made below: only a required key is checked.
        if required:
            _refuse_missing(field, coded.codes < 0, ids)
        return coded
    words = coded.keys
    nul: list[int] = []
    # numpy's fixed-width texts are str and cannot end in NUL: nothing to check.
    if words.dtype.kind != "U":
        listed = words.tolist()
        if not all(issubclass(kind, str) for kind in set(map(type, listed))):
            bad_record(f"column {field!r}", field, words.dtype, "expected a dictionary of str")
        # One scan of all the texts finds whether any holds a NUL at all.
        if "\0" in "".join(listed):
            nul = [code for code, word in enumerate(listed) if word.endswith("\0")]
    if nul and (row := _first(np.isin(coded.codes, nul))) is not None:
        bad_record(_row_name(ids, row), field, words[coded.codes[row]], TRAILING_NUL)
    # One slot per text, and a last one for null, which code -1 indexes.
    nonempty = np.append(words != "", False)
    if required and not (present := nonempty[coded.codes]).all():
        row = int(np.flatnonzero(~present)[0])
        value = None if coded.codes[row] < 0 else ""
        bad_record(_row_name(ids, row), field, value, "required key is missing")
    used = np.zeros(len(nonempty), dtype=bool)
    used[coded.codes] = True
    used &= nonempty
    kept = used[:-1]
    # Every text used (ids): the dictionary itself, without a copy.
    texts = (words if kept.all() else words[kept]).astype(str, copy=False)
    if len(texts) > 1 and bool((texts[1:] > texts[:-1]).all()):
        # Texts already in strictly increasing order (ids as exports often
        # list them): each is its own code, without sorting them again.
        keys, inverse = texts, np.arange(len(texts))
    else:
        keys, inverse = np.unique(texts, return_inverse=True)
    lookup = np.full(len(used), -1, dtype=np.int32)
    lookup[np.flatnonzero(used)] = inverse.reshape(-1)
    return Encoded(lookup[coded.codes], keys)


def _signed(field: str, arr: npt.NDArray[Any], present: Bool, ids: Encoded | None) -> Any:
    """An integer key column as int64: unsigned keys beyond int64 are refused, not wrapped."""
    if arr.dtype.kind != "u" or arr.dtype.itemsize < 8:
        return arr
    if (row := _first(present & (arr > np.uint64(2**63 - 1)))) is not None:
        bad_record(_row_name(ids, row), field, arr[row], BIG_INT_KEY)
    return arr.astype(np.int64)


def _sequence(field: str, values: Any) -> npt.NDArray[Any]:
    r"""A key column given as a sequence, as numpy without losing a text's trailing NUL.

    numpy's fixed-width text arrays drop trailing NUL characters, so
    ``["x", "x\0"]`` would become two equal keys, and ints beyond int64
    become floats; such sequences go through an object array instead, where
    `_typed_objects` refuses those keys (decision 59).
    """
    arr = column_array(field, values)
    if arr.dtype.kind == "U" or (
        # Ints beyond int64 (or mixed with floats) become floats in numpy: inexact keys.
        arr.dtype.kind == "f" and not all(isinstance(v, (float, np.floating)) for v in values)
    ):
        return np.array(list(values), dtype=object)
    return arr


def _encoded(
    field: str,
    values: Any,
    arr: npt.NDArray[Any],
    present: Bool,
    *,
    required: bool,
    ids: Encoded | None,
) -> Encoded:
    """Codes into the sorted distinct keys of ``arr[present]``; -1 elsewhere."""
    if required and not present.all():
        _refuse_missing(field, ~present, ids, values)
    everywhere = bool(present.all())
    dense = _dense_ints([arr], None if everywhere else present) if arr.dtype.kind in "iu" else None
    if dense is not None:
        return _counted(*dense, arr.dtype)
    given = arr if everywhere else arr[present]
    keys, inverse = np.unique(given, return_inverse=True)
    dtype = np.int32 if len(keys) < 2**31 else np.int64
    if everywhere:
        return Encoded(inverse.reshape(-1).astype(dtype, copy=False), keys)
    codes = np.full(len(arr), -1, dtype=dtype)
    codes[present] = inverse.reshape(-1)
    return Encoded(codes, keys)


_COARSE = frozenset({"Y", "M", "W", "D", "h", "m", "s", "ms", "generic"})
"""datetime64 units coarser than the microsecond: converting them can wrap."""


def _times(field: str, values: Any, ids: Encoded | None, *, owned: bool = False) -> I64:
    """Timestamps as epoch microseconds; missing (None, NaT) as _MISSING_TIME.

    Every instant must lie between `FIRST_INSTANT` and `LAST_INSTANT`
    (decision 58); a datetime64 of a coarse unit is checked before it is
    converted, since numpy's conversion to microseconds wraps silently.
    With ``owned`` (a column a reader made for this table alone), a
    datetime64[us] array is viewed as its microseconds rather than copied;
    the view may be read-only. Otherwise the result never shares memory
    with ``values``.
    """
    arr = column_array(field, values)
    if arr.dtype.kind == "M":
        # datetime64 carries no zone; csmetrics reads it as UTC.
        unit = np.datetime_data(arr.dtype)[0]
        if unit in _COARSE:
            low = np.datetime64(FIRST_INSTANT.replace(tzinfo=None), "us").astype(arr.dtype)
            high = np.datetime64(LAST_INSTANT.replace(tzinfo=None), "us").astype(arr.dtype)
            _range_check(field, arr, (arr < low) | (arr > high), ids)
        converted = arr.astype("datetime64[us]", copy=False)
        fresh = owned or converted is not arr
        micros = converted.view(np.int64) if fresh else converted.astype(np.int64)
        if unit not in _COARSE and not _in_range(micros):
            out = (micros != _MISSING_TIME) & ((micros < _MIN_MICROS) | (micros > _MAX_MICROS))
            _range_check(field, arr, out, ids)
        return micros
    if arr.dtype.kind != "O" and arr.size:
        bad_record(f"column {field!r}", field, arr.dtype, "expected datetime64 or datetimes")
    out = np.empty(len(arr), dtype=np.int64)
    for row, value in enumerate(arr.reshape(-1)):
        if value is None or is_nat(value):
            out[row] = _MISSING_TIME
        elif not isinstance(value, datetime):
            bad_record(_row_name(ids, row), field, value, "expected a timezone-aware datetime")
        elif value.tzinfo is None or value.utcoffset() is None:
            bad_record(_row_name(ids, row), field, value, "naive datetime; attach a time zone")
        else:
            check_instant(_row_name(ids, row), field, value)
            out[row] = to_micros(value)
    return out


def _pop_times(cols: dict[str, Any], name: str, ids: Encoded | None) -> I64:
    """`_times` of a column popped from ``cols``; a reader's `Deferred` column is not copied."""
    owned = isinstance(cols.get(name), Deferred)
    return _times(name, _pop(cols, name), ids, owned=owned)


def _first_missing(micros: I64) -> int | None:
    """The first row whose time is missing, if any: one reduction when none is."""
    if not len(micros) or micros.min() != _MISSING_TIME:
        return None
    return _first(micros == _MISSING_TIME)


def _open_where_missing(micros: I64) -> I64:
    """``micros`` with `OPEN` for every missing time (in place, unless a reader's view)."""
    if _first_missing(micros) is None:
        return micros
    if not micros.flags.writeable:  # a reader's read-only view of its column
        micros = micros.copy()
    micros[micros == _MISSING_TIME] = OPEN
    return micros


def _in_range(micros: I64) -> bool:
    """Whether every time but the missing ones lies in the instants a datetime holds.

    Two reductions, and two counts only when a time is missing (its value is
    below every instant), instead of building a mask of the times out of range.
    """
    if not len(micros) or micros.max() > _MAX_MICROS:
        return not len(micros)
    if micros.min() >= _MIN_MICROS:
        return True
    return bool(np.count_nonzero(micros < _MIN_MICROS) == np.count_nonzero(micros == _MISSING_TIME))


def _range_check(field: str, arr: npt.NDArray[Any], bad: Bool, ids: Encoded | None) -> None:
    """Name the first timestamp outside the instants a datetime can hold, if any."""
    if (row := _first(bad.reshape(-1))) is not None:
        why = (
            "outside the instants csmetrics can hold (0001-01-01 to 9999-12-31T23:59:59.999999 UTC)"
        )
        bad_record(_row_name(ids, row), field, str(arr.reshape(-1)[row]), why)


def _flag_hint(field: str, column: str) -> str:
    """How to turn a column of other values into a flag, for the error message."""
    hint = f"convert it to bool yourself, e.g. df[{column!r}] == 'yes' or df[{column!r}] == 1"
    if field == "resolved":
        hint += f", or pass resolved_when={{{column!r}: ['yes']}} (the values meaning resolved)"
    return hint


def flag_column(
    field: str,
    values: Any,
    *,
    n: int,
    ids: Encoded | None = None,
    column: str | None = None,
    null_is_false: bool = False,
) -> Bool:
    """A flag column (``resolved``, ``abandoned``...) as bool: the one check of flags.

    Only bools are flags: a numpy bool array as it is, an object array whose
    values are all ``bool`` (or numpy bools). Anything else (the texts
    ``"false"`` or ``"no"``, the integers 0 and 2, even 0/1 integers) is an
    error naming the column and the first row that is not a bool, never read
    by truthiness (decision 57). With ``null_is_false`` (dataframes, whose
    nulls are None here) a None is False, as a null flag is in every reader.

    Raises
    ------
    InvalidDataError
        A value that is not a bool, naming the field, the ``column`` it was
        read from, the row and the value, with a hint to map the column.
    """
    # A sequence goes through objects: numpy would make [True, "yes"] two texts.
    arr = np.asarray(values) if isinstance(values, np.ndarray) else np.array(values, dtype=object)
    if arr.dtype == np.bool_:
        return arr.reshape(n)
    if arr.size == 0 and n == 0:
        return np.zeros(0, dtype=bool)  # no rows: no value to refuse, whatever the dtype
    flat = arr.reshape(-1)
    if arr.dtype.kind == "O":
        kinds = np.fromiter(
            (type(v) in (bool, np.bool_) or (null_is_false and v is None) for v in flat),
            dtype=bool,
            count=len(flat),
        )
        if kinds.all():
            return np.asarray(flat == True, dtype=bool)  # noqa: E712 (elementwise, None is False)
        row = int(np.flatnonzero(~kinds)[0])
    else:
        given = np.ones(len(flat), dtype=bool) if arr.dtype.kind != "f" else ~np.isnan(flat)
        if not given.any():
            # A float column of nan only: nulls, which an all-null frame column becomes.
            if null_is_false:
                return np.zeros(len(flat), dtype=bool)
            row = 0
        else:
            row = int(np.flatnonzero(given)[0])
    name = column if column is not None else field
    where = _row_name(ids, row) if ids is not None else f"at row {row}"
    read = f"field {field!r}" if name == field else f"field {field!r} (column {name!r})"
    value = plain(flat[row]) if len(flat) else None
    msg = (
        f"record {where}: {read} = {value!r}: expected a bool (True or False), not "
        f"a {type(value).__name__} (column dtype {arr.dtype}); a flag is never read by truthiness, "
        f"not even 0/1: {_flag_hint(field, name)}"
    )
    raise InvalidDataError(msg)


def _refuse_missing(field: str, absent: Bool, ids: Encoded | None, values: Any = None) -> None:
    """Refuse a required key column at its first row where ``absent``, if any.

    The error names that row's value in ``values`` (None when not given).
    """
    if (row := _first(absent)) is not None:
        value = None if values is None else values[row]
        bad_record(_row_name(ids, row), field, value, "required key is missing")


def _first(mask: Bool) -> int | None:
    rows = np.flatnonzero(mask)
    return int(rows[0]) if len(rows) else None


def _columns(
    columns: Mapping[str, Any], required: tuple[str, ...], optional: tuple[str, ...]
) -> tuple[int, dict[str, Any]]:
    """Check a column mapping's names and lengths; return (rows, columns)."""
    unknown = sorted(set(columns) - set(required) - set(optional))
    missing = [name for name in required if name not in columns]
    if unknown or missing:
        msg = (
            f"columns {unknown or ''} unknown, {missing or ''} missing; "
            f"required: {list(required)}, optional: {list(optional)}"
        )
        raise ValueError(msg)
    for name, col in columns.items():
        if not isinstance(col, (Encoded, Deferred)):
            one_dimensional(f"column {name!r}", col)
    lengths = {name: len(col) for name, col in columns.items()}
    if len(set(lengths.values())) > 1:
        msg = f"columns differ in length: {lengths}"
        raise ValueError(msg)
    return lengths[required[0]], dict(columns)


def _unique_ids(ids: Encoded) -> None:
    if len(ids.keys) == len(ids.codes):
        return
    order = np.argsort(ids.codes, kind="stable")
    repeated = order[1:][ids.codes[order][1:] == ids.codes[order][:-1]]
    row = int(repeated.min())
    bad_record(_row_name(ids, row), "id", ids.key(int(ids.codes[row])), "duplicate id")


T = TypeVar("T", "Interactions", "Surveys")


def check_rows(rows: Any, n: int, ids: Encoded, table: str) -> None:
    """Refuse an index array that selects a row twice: ``take`` keeps ids unique (decision 60).

    A repeated row would build a table with two contacts of one id, which
    every count would then count twice. A boolean mask cannot repeat a row.
    """
    index = np.asarray(rows)
    if index.dtype == np.bool_:
        return
    one_dimensional(f"{table}.take(rows)", index)
    if index.dtype.kind not in "iu":
        msg = f"{table}.take(rows): rows of dtype {index.dtype} are neither a mask nor indices"
        raise TypeError(msg)
    if not len(index):
        return
    low, high = int(index.min()), int(index.max())
    if low < -n or high >= n:
        msg = f"{table}.take(rows): index {low if low < -n else high} is out of range for {n} rows"
        raise IndexError(msg)
    seen = np.bincount(np.where(index < 0, index + n, index), minlength=n)
    if (row := _first(seen > 1)) is not None:
        key = ids.key(int(ids.codes[row]))
        msg = (
            f"{table}.take(rows): row {row} (id {key!r}) is selected more than once; a "
            "table's ids are unique, and a repeated row would be counted twice: select "
            "each row once (np.unique(rows)) or use a boolean mask"
        )
        raise InvalidDataError(msg)


def _gather(column: Any, rows: I64 | Bool, count: int) -> Any:
    """``column[rows]``; a placeholder (one value broadcast to every row) stays one."""
    if isinstance(column, Encoded):
        return Encoded(_gather(column.codes, rows, count), column.keys)
    if column.ndim == 1 and column.strides == (0,) and len(column):
        return np.broadcast_to(column[0], (count,))
    return column[rows]


def _selected(rows: I64 | Bool) -> int:
    return int(np.count_nonzero(rows)) if rows.dtype == np.bool_ else len(rows)


def rows_in_order(order: I64, rows: I64 | Bool, parent_rows: int) -> I64:
    """The selected rows, as positions in the selection, in the order of ``order``.

    ``order`` is a permutation of a table's ``parent_rows`` rows (its time order,
    say); ``rows`` selects some of them (a mask, or an index array without
    repeats, whose order numbers the selection). One pass over ``order``, no sort.
    """
    if rows.dtype == np.bool_:
        position = np.cumsum(rows, dtype=np.int64)
        position -= 1
        kept = order[rows[order]]
    else:
        position = np.full(parent_rows, -1, dtype=np.int64)
        position[rows] = np.arange(len(rows))
        kept = order[position[order] >= 0]
    ordered: I64 = position[kept]
    return ordered


class _Columns:
    """Columns a table holds lazily: a view's, gathered when first read; unread ones.

    A selection made with ``view`` sets none of its column slots: reading one
    gathers it from the table it was selected from and keeps it. A column that
    a reader was told not to read (``fields=``, decision 86) is never set, and
    reading it raises, so nothing computes on it as if it were absent.
    """

    __slots__ = ()
    _COLUMNS: ClassVar[tuple[str, ...]] = ()
    _view: tuple[Any, I64 | Bool, int] | None
    unread: frozenset[str]

    if not TYPE_CHECKING:  # mypy keeps checking attribute names on the tables

        def __getattr__(self, name: str) -> Any:
            # Only called for a slot that is not set: a view's column not read
            # yet, or a column the reader left out.
            try:
                view = object.__getattribute__(self, "_view")
                unread = object.__getattribute__(self, "unread")
            except AttributeError:
                raise AttributeError(name) from None
            field = _FIELD_OF.get(name, name)
            if field in unread:
                raise InvalidDataError(_unread_message(type(self).__name__, field))
            if view is None or name not in self._COLUMNS:
                raise AttributeError(name)
            parent, rows, count = view
            if name == "messages":
                value = parent.messages.for_rows(rows, len(parent))
            else:
                value = _gather(getattr(parent, name), rows, count)
            object.__setattr__(self, name, value)
            return value

    def _set_columns(self) -> dict[str, Any]:
        """Every column slot that is or can be set: a view's are gathered."""
        return {
            name: getattr(self, name)
            for name in self._COLUMNS
            if _FIELD_OF.get(name, name) not in self.unread
        }

    def __getstate__(self) -> dict[str, Any]:
        # A pickled view carries its own columns, not the table it came from.
        state = self._set_columns()
        state.update(
            {
                f.name: getattr(self, f.name)
                for f in attrs.fields(type(self))  # type: ignore[arg-type]
                if f.name not in state
                and f.name not in ("_view", "memo")
                and _FIELD_OF.get(f.name, f.name) not in self.unread
            }
        )
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        for name, value in state.items():
            object.__setattr__(self, name, value)
        object.__setattr__(self, "_view", None)
        if hasattr(type(self), "memo"):
            object.__setattr__(self, "memo", {})


_FIELD_OF = {"first_response": "first_response_at"}
"""The field of a column named otherwise."""


def _carry_time_order(parent: Interactions, table: Interactions, rows: I64 | Bool) -> None:
    """Give ``table``, selected from ``parent`` by ``rows``, the parent's cached time order."""
    if "time_rows" not in parent.memo:
        return
    ordered = rows_in_order(parent.memo["time_rows"], rows, len(parent))
    n = len(ordered)
    dtype = np.int32 if n < 2**31 else np.int64
    rank = np.empty(n, dtype=dtype)
    rank[ordered] = np.arange(n, dtype=dtype)
    table.memo["time_rank"] = rank
    table.memo["time_rows"] = ordered


def _unread_message(table: str, field: str) -> str:
    reader = f"{table}.read_parquet"
    return (
        f"the {field!r} column was not read: this table was read with fields= that "
        f"leave it out, though the file has it; a metric that reads {field!r} would "
        f"otherwise compute as if the data did not give it. Read the file again with "
        f"{field!r} in fields= ({reader}(path, fields=[..., {field!r}]))"
    )


def _view(table: T, rows: I64 | Bool) -> T:
    """A selection of ``table``'s rows whose columns are gathered when first read."""
    view = object.__new__(type(table))
    for f in attrs.fields(type(table)):
        if f.name not in table._COLUMNS and f.name not in ("_view", "memo"):
            object.__setattr__(view, f.name, getattr(table, f.name))
    object.__setattr__(view, "_view", (table, rows, _selected(rows)))
    if hasattr(type(table), "memo"):
        object.__setattr__(view, "memo", {})
    return view


def _take(table: T, rows: I64 | Bool) -> T:
    """The rows of a table selected by an index array or a boolean mask, gathered now.

    Placeholder columns stay placeholders and unread columns stay unread; the
    result does not refer to ``table``.
    """
    view = _view(table, rows)
    columns = view._set_columns()
    for name, value in columns.items():
        object.__setattr__(view, name, value)
    object.__setattr__(view, "_view", None)
    return view


_INTERACTION_KEYS = tuple(k for k in INTERACTION_FIELDS.keys if k not in ("id", "customer_id"))
_FLAGS = INTERACTION_FIELDS.flags
_SECONDS = ("talk_seconds", "hold_seconds", "wrap_seconds")
_AUTHOR_CODES: dict[str, int] = {author: code for code, author in enumerate(AUTHORS)}
OPTIONAL_FIELDS: frozenset[str] = frozenset(
    ("end", "first_response_at", *_FLAGS, *_SECONDS, *_INTERACTION_KEYS, "messages")
)
"""The contact fields a table may be built without (`Interactions.given`)."""
_REQUIRED_FIELDS = ("id", "customer_id", "start")
_TABLE_COLUMNS = (
    "id",
    "customer_id",
    "start",
    "end",
    "first_response",
    *_FLAGS,
    *_SECONDS,
    *_INTERACTION_KEYS,
)
"""The array columns of `Interactions` (``first_response`` holds ``first_response_at``)."""
_EITHER = {"first_response_at": "messages"}
"""A needed field another field can stand in for: a first response is found in messages."""


def _read(
    source: Any, reading: Reading, *, parquet: bool, build: Callable[[dict[str, Any]], T]
) -> T:
    """The table ``build`` makes of a dataframe's columns, or of a Parquet file's."""
    from csmetrics.core import frames  # noqa: PLC0415 (optional extra)

    if not parquet:
        return build(frames.frame_columns(source, reading=reading))
    columns, unread = frames.parquet_columns(source, reading=reading)
    table = build(columns)
    # The columns read are freed; pyarrow's pool would keep their memory.
    frames.release_arrow_memory()
    return _leave_unread(table, unread)


def _read_distributed(path: str | os.PathLike[str], reading: Reading, reader: str) -> Any:
    """The checked Dask DataFrame of Parquet files (`csmetrics.core.frames.dask_parquet`)."""
    from csmetrics.core import frames  # noqa: PLC0415 (optional extra)

    return frames.dask_parquet(path, reading=reading, reader=reader)


def _leave_unread(table: T, unread: frozenset[str]) -> T:
    """``table`` with the columns of the ``unread`` fields unset: reading one raises."""
    if not unread:
        return table
    object.__setattr__(table, "unread", unread)
    for name in table._COLUMNS:
        if _FIELD_OF.get(name, name) in unread:
            object.__delattr__(table, name)
    return table


def _seconds(field: str, values: Any, ids: Encoded, n: int) -> F64:
    """A column of non-negative seconds; None or nan is missing."""
    arr = column_array(field, values)
    if arr.dtype.kind == "O" and (row := first_not_number(arr.reshape(-1))) is not None:
        bad_record(_row_name(ids, row), field, arr.reshape(-1)[row], "expected a number of seconds")
    if arr.dtype == np.bool_ or arr.dtype.kind not in "iufO":
        bad_record(f"column {field!r}", field, arr.dtype, "expected numbers of seconds")
    try:
        out = floats(arr).reshape(n)
    except (TypeError, ValueError):
        bad_record(f"column {field!r}", field, arr.dtype, "expected numbers of seconds")
    if (row := _first(np.isinf(out) | (out < 0))) is not None:
        bad_record(_row_name(ids, row), field, arr.reshape(n)[row], "expected a finite number >= 0")
    return out


@attrs.frozen(eq=False, repr=False)
class Messages:
    """The messages of all contacts (or tickets) as one flat child table.

    Sorted by parent row and then time (ties keep their input order), so
    metrics over replies stay vectorised.

    Attributes
    ----------
    interaction
        int64 row index of the parent in its table: the contact in
        `Interactions`, the ticket in `csmetrics.Tickets`.
    at
        int64 microseconds since the epoch (UTC).
    author
        int64 index into `csmetrics.AUTHORS` ("customer", "agent", "bot").
    public
        bool; False for internal notes.
    author_id
        The writers (`Encoded`; -1 where unknown).
    """

    interaction: I64
    at: I64
    author: I64
    public: Bool
    author_id: Encoded = attrs.field()

    @author_id.default
    def _no_author_ids(self) -> Encoded:
        return _missing(len(self.at))

    def __len__(self) -> int:
        return len(self.at)

    def __repr__(self) -> str:
        return f"Messages({len(self)} messages)"

    @classmethod
    def empty(cls) -> Messages:
        """A table with no messages."""
        none = np.zeros(0, dtype=np.int64)
        return cls(interaction=none, at=none, author=none, public=np.zeros(0, dtype=bool))

    def for_rows(self, rows: I64 | Bool, parent_rows: int) -> Messages:
        """The messages of the selected parent rows, renumbered to the new rows."""
        if not len(self):
            return self
        take, parent = child_rows(self.interaction, self.at, rows, parent_rows)
        return Messages(
            interaction=parent,
            at=self.at[take],
            author=self.author[take],
            public=self.public[take],
            author_id=self.author_id[take],
        )


def child_rows(parent: I64, at: I64, rows: I64 | Bool, parent_rows: int) -> tuple[I64, I64]:
    """The child rows of the selected parent rows, in (new parent, time) order.

    Returns the child row indices to take and their parents' new row numbers.
    """
    position = np.full(parent_rows, -1, dtype=np.int64)
    position[rows] = np.arange(len(position[rows]))
    new = position[parent]
    keep = np.flatnonzero(new >= 0)
    order = np.lexsort((at[keep], new[keep]))
    return keep[order], new[keep][order]


def child_order(parent: I64, at: I64) -> I64 | None:
    """The order that sorts child rows by parent row and then time (ties keep their order).

    None when the rows are in that order already, as exports written per
    parent and time are: two comparison passes instead of a sort, and no
    gather of the columns.
    """
    if len(parent) < 2:
        return None
    # Comparisons of neighbours, not differences: no int64 array is made.
    first, then = parent[:-1], parent[1:]
    if (then >= first).all() and ((then != first) | (at[1:] >= at[:-1])).all():
        return None
    order: I64 = np.lexsort((at, parent))
    return order


def parent_rows(field: str, values: Any, ids: Encoded, *, what: str, parent: str) -> I64:
    """The parent row of each child row, from a column of parent ids.

    ``field`` names the column (``interaction_id``, ``ticket_id``), ``what``
    the child in errors (``"message"``), ``parent`` the parent (``"contact"``).
    An id no parent has is an `InvalidDataError` naming the child's position.
    """
    keys = _encode(field, values, required=True, ids=None)
    code = np.searchsorted(ids.keys, keys.keys)
    code = np.minimum(code, max(len(ids.keys) - 1, 0))
    known = (ids.keys[code] == keys.keys) if len(ids.keys) else np.zeros(len(keys.keys), bool)
    if (missing := _first(~known[keys.codes])) is not None:
        bad_record(
            f"{what} at position {missing}",
            field,
            keys.key(int(keys.codes[missing])),
            f"no {parent} has this id",
        )
    row_of_code = np.empty(len(ids.keys), dtype=np.int64)
    row_of_code[ids.codes] = np.arange(len(ids.codes))
    rows: I64 = row_of_code[code[keys.codes]]
    return rows


def child_times(field: str, values: Any, parent: I64, start: I64, *, what: str, why: str) -> I64:
    """A child table's required times, none before its parent's ``start``."""
    at = _times(field, values, None)
    if (row := _first((at == _MISSING_TIME) | (at < start[parent]))) is not None:
        reason = "missing" if at[row] == _MISSING_TIME else why
        shown = None if at[row] == _MISSING_TIME else from_micros(at[row])
        bad_record(f"{what} at position {row}", field, shown, reason)
    return at


def messages_from_columns(
    columns: Mapping[str, Any], ids: Encoded, start: I64, *, parent: str = "interaction_id"
) -> Messages:
    """Build the child table; the ``parent`` column holds keys of the parent ids."""
    n, cols = _columns(columns, (parent, "at", "author"), ("public", "author_id"))
    noun, before = (
        ("contact", "before the contact's start")
        if parent == "interaction_id"
        else ("ticket", "before the ticket was created")
    )
    interaction = parent_rows(parent, cols[parent], ids, what="message", parent=noun)
    at = child_times("at", cols["at"], interaction, start, what="message", why=before)
    author = _codes_of("author", cols["author"], AUTHORS, None, what="message ")
    public = flag_column("public", cols["public"], n=n) if "public" in cols else np.ones(n, bool)
    author_id = (
        _encode("author_id", cols["author_id"], required=False, ids=None)
        if "author_id" in cols
        else _missing(n)
    )
    order = child_order(interaction, at)
    if order is None:
        return Messages(
            interaction=interaction, at=at, author=author, public=public, author_id=author_id
        )
    return Messages(
        interaction=interaction[order],
        at=at[order],
        author=author[order],
        public=public[order],
        author_id=author_id[order],
    )


_get = operator.attrgetter


def _records(records: Iterable[Any], cls: type) -> list[Any]:
    """The records as a list, each a ``cls``; else an error naming the first other one."""
    rows = records if type(records) is list else list(records)
    if not set(map(type, rows)) <= {cls}:
        for position, record in enumerate(rows):
            check_type(position, record, cls)
    return rows


def _record_keys(rows: list[Any], name: str, *, required: bool, ids: Encoded | None) -> Encoded:
    """A key field of every record, dictionary-encoded.

    The objects' keys are plain str or int already (or None). A column of
    few distinct keys (at most one in `_FEW` of a sample of up to 1,024
    rows spread over the column: channels, agents, categories) goes
    through a dict of its distinct keys, which alone are sorted, and one
    dict lookup per value, all in C (``map``); the same few objects make
    those lookups cheap. Other columns of all ASCII str (at most 32
    characters) or all int are encoded by numpy (`_packed_keys`): no Python
    hash per value. Anything else (mixed str and int keys, a required key
    missing) goes through `_encode`, whose errors name the row.
    """
    values = list(map(_get(name), rows))
    n = len(values)
    first = values[0] if values else None
    if not required and first is None and values.count(None) == n:
        # A field no record gives (one C scan, when the first does not): no keys, no lookups.
        return Encoded(np.full(n, -1, dtype=np.int32), np.zeros(0, dtype=np.int64))
    sample = values[:: max(n // _SAMPLE, 1)]
    if len(set(sample)) * _FEW > len(sample):
        fast = _packed_keys(values, str)
        if fast is None and set(map(type, values)) == {int}:
            fast = _packed_keys(values, int)
        if fast is not None and not (required and fast.codes.min() < 0):
            return fast
    return _dict_keys(values, name, required=required, ids=ids)


# `_record_keys` samples this many rows; a column with fewer than one distinct
# key in `_FEW` of them is encoded through a dict of its keys.
_SAMPLE = 1024
_FEW = 16


def _dict_keys(values: list[Any], name: str, *, required: bool, ids: Encoded | None) -> Encoded:
    """`_record_keys` through a dict of the distinct keys (None among them, or other texts)."""
    distinct = set(values)  # sorted below, so no order to keep: a set builds faster than a dict
    missing = None in distinct or "" in distinct
    distinct -= {None, ""}
    kinds = set(map(type, distinct))
    if (required and missing) or not (kinds <= {str} or kinds <= {int}):
        return _encode(name, np.array(values, dtype=object), required=required, ids=ids)
    keys = sorted(distinct)
    if kinds == {str}:
        if "\0" in "".join(keys):  # one scan; `_encode` names the key ending in NUL
            return _encode(name, np.array(values, dtype=object), required=required, ids=ids)
        array = np.array(keys, dtype=str)
    else:
        if keys and not (INT_KEYS[0] <= keys[0] and keys[-1] <= INT_KEYS[1]):
            return _encode(name, np.array(values, dtype=object), required=required, ids=ids)
        array = np.array(keys, dtype=np.int64)
    dtype = np.int32 if len(keys) < 2**31 else np.int64
    if len(keys) == len(values) and keys == values:
        # Distinct values in sorted order (ids as they are often given): row i has code i.
        return Encoded(np.arange(len(values), dtype=dtype), array)
    code = dict(zip(keys, range(len(keys)), strict=True))
    if missing:
        code[None] = code[""] = -1
    return Encoded(np.fromiter(map(code.__getitem__, values), dtype, len(values)), array)


# Texts up to this many characters are sorted as big-endian uint64 words (8 ASCII each).
_PACKED_WORDS = 4


def _packed_keys(values: list[Any], kind: type) -> Encoded | None:
    """Keys that are all ASCII str (at most 32 characters) or all int, encoded by numpy.

    The texts are joined into one byte string, NUL between texts (C loops:
    ``str.join``, which also fails on anything but a str, one ASCII
    encode), and scattered into rows of zero-padded big-endian 64-bit
    words; the NULs give each text's length. The words sort as the texts
    do (code point order, as ``sorted``; a shorter text sorts before its
    extensions since its padding is zero), so ``numpy.unique`` of one word,
    or a ``lexsort`` of up to four, gives the sorted distinct keys and
    every row's code without a Python hash per value; rows that already
    strictly increase (ids in creation order) are their own sorted keys.
    "" (missing) is the all-zero row and sorts first; its code becomes -1.
    None when the keys do not fit (not all str, another character, longer
    texts, a NUL, an int beyond int64): the caller's dict path then
    encodes them, or `_encode` names the bad value.
    """
    n = len(values)
    dtype = np.int32 if n < 2**31 else np.int64
    if kind is int:
        try:
            ints = np.array(values, dtype=np.int64)
        except OverflowError:
            return None
        keys, inverse = np.unique(ints, return_inverse=True)
        return Encoded(inverse.astype(dtype, copy=False), keys)
    try:
        joined = "\0".join(values)
    except TypeError:  # a key that is not a str
        return None
    # A NUL in a text is left to `_encode`, which names the key (numpy drops trailing NULs).
    if not joined.isascii() or joined.count("\0") != n - 1:
        return None
    chars = np.frombuffer(joined.encode("ascii"), dtype=np.uint8)
    width = len(values[0])
    if len(chars) == n * (width + 1) - 1 and not chars[width :: width + 1].any():
        # Texts of one length (ids, codes): the n - 1 NULs are every (width + 1)-th byte.
        lengths = None
    else:
        ends = np.flatnonzero(chars == 0)
        lengths = np.diff(ends, prepend=-1, append=len(chars)) - 1
        width = int(lengths.max())
    words = max(-(-width // 8), 1)
    if words > _PACKED_WORDS:
        return None
    row_width = words * 8
    packed = np.zeros(n * row_width, dtype=np.uint8)
    if lengths is None:
        padded = np.zeros(n * (width + 1), dtype=np.uint8)
        padded[:-1] = chars
        packed.reshape(n, row_width)[:, :width] = padded.reshape(n, width + 1)[:, :width]
    else:
        # Character j of the texts (NULs dropped) goes to its row's start plus its place.
        text = chars[chars != 0]
        starts = np.cumsum(lengths) - lengths
        packed[
            np.arange(len(text), dtype=np.int64)
            + np.repeat(np.arange(n, dtype=np.int64) * row_width - starts, lengths)
        ] = text
    first, inverse = _ranked_rows(packed.view(">u8").reshape(n, words).astype(np.uint64))
    distinct = packed.reshape(n, row_width)
    if first is not None:
        distinct = distinct[first]
    # ASCII bytes are their code points: widened to 32 bits they are numpy's text.
    width = max(width, 1)
    keys = distinct[:, :width].astype(np.uint32).view(f"U{width}").reshape(-1)
    codes = inverse.astype(dtype).reshape(n)
    if keys.size and keys[0] == "":
        codes -= 1
        keys = keys[1:]
    return Encoded(codes, keys)


def _ranked_rows(columns: npt.NDArray[np.uint64]) -> tuple[npt.NDArray[np.intp] | None, Any]:
    """A row of each distinct row of words, in sorted order (None: every row), and each rank."""
    n, words = columns.shape
    if _increasing(columns):
        # Distinct and in sorted order (ids as they are often given): row i has code i.
        return None, np.arange(n, dtype=np.intp)
    if words == 1:
        # Equal rows are equal keys: any row of each will do, so no stable sort is needed.
        order = columns[:, 0].argsort()
        ranked = columns[order, 0]
        new = np.empty(n, dtype=bool)
        new[0] = True
        np.not_equal(ranked[1:], ranked[:-1], out=new[1:])
    else:
        order = np.lexsort(columns.T[::-1])
        ranked = columns[order]
        new = np.ones(n, dtype=bool)
        new[1:] = (ranked[1:] != ranked[:-1]).any(axis=1)
    inverse = np.empty(n, dtype=np.intp)
    inverse[order] = np.cumsum(new) - 1
    return order[new], inverse


def _increasing(columns: npt.NDArray[np.uint64]) -> bool:
    """Whether the rows of words strictly increase, compared as tuples (vectorised).

    From the last word to the first: a row is above its predecessor when its
    word is greater, or equal and the rest of the row is above. Elementwise
    passes over each word, with no gather of the first differing word.
    """
    low, high = columns[:-1], columns[1:]
    above = high[:, -1] > low[:, -1]
    for word in range(columns.shape[1] - 2, -1, -1):
        above &= high[:, word] == low[:, word]
        above |= high[:, word] > low[:, word]
    return bool(above.all())


def _record_seconds(rows: list[Any], name: str) -> F64:
    """A seconds field of every record as float64; nan where it is None."""
    values = list(map(_get(name), rows))
    if values.count(None) == len(values):
        return np.full(len(values), np.nan)
    return np.array(values, np.float64)


_DAYS = _get("days")
_SECONDS_OF = _get("seconds")
_MICROSECONDS = _get("microseconds")


def _record_times(rows: list[Any], name: str) -> I64:
    """A time field of every record as epoch microseconds; `OPEN` where it is None.

    ``(moment - epoch) // 1 us``, as `to_micros`: the differences are
    mapped with a C operator, and their normalised parts (days, seconds in
    [0, 86400), microseconds in [0, 10**6)) are read into int64 arrays and
    combined by numpy, exactly, rather than dividing each timedelta in
    Python.
    """
    try:
        # Every record gives it (the common case): no list of the moments themselves.
        deltas = list(map(operator.sub, map(_get(name), rows), repeat(_EPOCH)))
        missing = False
    except TypeError:  # None for some record
        moments = list(map(_get(name), rows))
        missing = True
        if moments.count(None) == len(moments):
            return np.full(len(moments), OPEN, dtype=np.int64)  # no record gives it
        moments = [_EPOCH if moment is None else moment for moment in moments]
        deltas = list(map(operator.sub, moments, repeat(_EPOCH)))
    days = np.fromiter(map(_DAYS, deltas), np.int64, len(deltas))
    seconds = np.fromiter(map(_SECONDS_OF, deltas), np.int64, len(deltas))
    micros = np.fromiter(map(_MICROSECONDS, deltas), np.int64, len(deltas))
    # |days| < 3.7e6 for any datetime: the sum stays far inside int64.
    micros += (days * 86_400 + seconds) * 1_000_000
    if missing:
        micros[np.fromiter(map(operator.is_, map(_get(name), rows), repeat(None)), bool)] = OPEN
    return micros


def _record_messages(rows: list[Interaction]) -> Messages:
    """The messages of every contact as one child table (empty without a single message)."""
    if not any(map(_get("messages"), rows)):
        return Messages.empty()
    flat = np.array(
        [
            (position, to_micros(m.at), _AUTHOR_CODES[m.author], m.public)
            for position, record in enumerate(rows)
            for m in record.messages
        ],
        dtype=np.int64,
    ).reshape(-1, 4)
    authors = [m.author_id for record in rows for m in record.messages]
    return Messages(
        interaction=flat[:, 0].copy(),
        at=flat[:, 1].copy(),
        author=flat[:, 2].copy(),
        public=flat[:, 3].astype(bool),
        author_id=_encode("author_id", np.array(authors, dtype=object), required=False, ids=None),
    )


# Each `Interaction` notes whether it gives any of `RARE_FIELDS` (decision 208); when
# none does, `from_records` fills their columns without reading them.
_GIVES_RARE = _get("_gives_rare")
_COMMON_FLAGS = tuple(name for name in _FLAGS if name not in RARE_FIELDS)
_COMMON_KEYS = tuple(name for name in _INTERACTION_KEYS if name not in RARE_FIELDS)


def _rare_absent(n: int) -> dict[str, Any]:
    """The columns of `RARE_FIELDS` no record gives, as the per-field path builds them."""

    def missing_keys() -> Encoded:
        return Encoded(np.full(n, -1, dtype=np.int32), np.zeros(0, dtype=np.int64))

    return {
        "first_response": np.full(n, OPEN, dtype=np.int64),
        **{name: np.zeros(n, dtype=bool) for name in _FLAGS if name in RARE_FIELDS},
        **{name: np.full(n, np.nan) for name in _SECONDS},
        **{name: missing_keys() for name in _INTERACTION_KEYS if name in RARE_FIELDS},
        "messages": Messages.empty(),
    }


# Pickling is `_Columns`': a view pickles its own columns, not its source.
@attrs.frozen(eq=False, repr=False, getstate_setstate=False)
class Interactions(_Columns):
    """Contacts as columns: the table every contact metric computes on.

    Key columns are `Encoded` (``keys[codes[i]]`` is row i's key; code ``-1``
    is missing); times are int64 microseconds since the epoch (UTC).

    Attributes
    ----------
    id : Encoded
        Contact ids, unique.
    customer_id : Encoded
        Customers, never missing.
    start : numpy.ndarray
        Start times.
    end : numpy.ndarray
        End times; `OPEN` while the contact is open.
    resolved : numpy.ndarray
        bool: marked resolved at this contact.
    channel : Encoded
        Channels.
    agent_id : Encoded
        Agents.
    issue_id : Encoded
        Tickets or cases.
    category : Encoded
        Contact reasons.
    first_response : numpy.ndarray
        First human response times; `OPEN` where not answered.
    abandoned : numpy.ndarray
        bool: the customer left before an answer.
    blocked : numpy.ndarray
        bool: the contact never reached a queue.
    talk_seconds : numpy.ndarray
        float64 seconds; nan where unknown.
    hold_seconds : numpy.ndarray
        float64 seconds; nan where unknown.
    wrap_seconds : numpy.ndarray
        float64 seconds; nan where unknown.
    priority : Encoded
        SLA priorities.
    tier : Encoded
        Support tiers or ticket types.
    escalated : numpy.ndarray
        bool: the contact was escalated.
    escalated_to : Encoded
        Where escalated contacts went (tier or team).
    complaint : numpy.ndarray
        bool: the customer complained about the contact.
    messages : Messages
        All contacts' messages as one flat child table.
    given : frozenset of str
        The optional fields (`OPTIONAL_FIELDS`) the table was built with; see
        `has`. A column not given still exists, holding "no value" (a flag is
        False, a time has not happened, a key or seconds value is missing).

    Examples
    --------
    >>> import numpy as np
    >>> t = Interactions.from_columns({
    ...     "id": ["a", "b"],
    ...     "customer_id": ["c1", "c1"],
    ...     "start": np.array(["2026-01-05T09:00", "2026-01-06T10:00"], "datetime64[us]"),
    ...     "end": np.array(["2026-01-05T09:10", "NaT"], "datetime64[us]"),
    ...     "resolved": np.array([True, False]),
    ... })
    >>> len(t), int(t.is_open.sum())
    (2, 1)
    """

    id: Encoded
    customer_id: Encoded
    start: I64
    end: I64
    resolved: Bool
    channel: Encoded
    agent_id: Encoded
    issue_id: Encoded
    category: Encoded
    first_response: I64
    abandoned: Bool
    blocked: Bool
    talk_seconds: F64
    hold_seconds: F64
    wrap_seconds: F64
    priority: Encoded
    tier: Encoded
    escalated: Bool
    escalated_to: Encoded
    complaint: Bool
    messages: Messages
    given: frozenset[str] = OPTIONAL_FIELDS
    unread: frozenset[str] = frozenset()
    """Fields the source has that the reader was told not to read (``fields=``).

    Reading one of their columns raises `InvalidDataError` (decision 86)."""
    memo: dict[str, Any] = attrs.field(factory=dict, init=False, eq=False, repr=False)
    """Derived arrays computed once per table (the table itself never changes)."""
    _view: tuple[Interactions, I64 | Bool, int] | None = attrs.field(
        default=None, init=False, eq=False, repr=False
    )
    """For a `view`: the table it selects from, the rows, and how many."""

    _COLUMNS: ClassVar[tuple[str, ...]] = (*_TABLE_COLUMNS, "messages")

    def __len__(self) -> int:
        return len(self.start) if self._view is None else self._view[2]

    def __repr__(self) -> str:
        return f"Interactions({len(self)} contacts)"

    @property
    def is_open(self) -> Bool:
        """True where the contact has no end yet."""
        return np.equal(self.end, OPEN)

    def has(self, field: str) -> bool:
        """Whether the input gave ``field``: the one test of "is this field in the data".

        A table built from columns (`from_columns`, `from_frame`,
        `read_parquet`, the CSV reader) has the optional fields whose columns
        were given, even when every value is missing or False: a
        ``resolved`` column that is all false says nothing was resolved,
        while no ``resolved`` column says nothing. ``messages`` is given by
        ``from_columns(messages=...)``. A table built from `Interaction`
        objects has every field, because every object states each one (a
        flag defaults to False, meaning no). The required fields ``id``,
        ``customer_id`` and ``start`` are always there.

        Raises
        ------
        ValueError
            ``field`` is not a contact field.

        Examples
        --------
        >>> from datetime import datetime
        >>> t = Interactions.from_columns({
        ...     "id": ["a"], "customer_id": ["c"], "start": [datetime.fromisoformat(
        ...         "2026-01-05T09:00+00:00")], "escalated": [False],
        ... })
        >>> t.has("escalated"), t.has("resolved"), t.has("start")
        (True, False, True)
        """
        if field in _REQUIRED_FIELDS:
            return True
        if field not in OPTIONAL_FIELDS:
            known = sorted((*_REQUIRED_FIELDS, *OPTIONAL_FIELDS))
            msg = f"{field!r} is not a contact field; use one of {known}"
            raise ValueError(msg)
        return field in self.given

    def absent(self, fields: Iterable[str]) -> tuple[str, ...]:
        """The ones of ``fields`` the input did not give (`has`), in order.

        ``first_response_at`` counts as given when ``messages`` are, since a
        first response is found in them. A field the source has but the
        reader left out (``unread``) is not absent: a metric that needs it
        raises (`require`) rather than being skipped as if the data lacked it.
        """
        return tuple(
            field
            for field in fields
            if not self.has(field)
            and field not in self.unread
            and not (field in _EITHER and self.has(_EITHER[field]))
        )

    def require(self, metric: str, fields: Iterable[str]) -> None:
        """Raise `InvalidDataError` naming the first of ``fields`` the input did not give.

        A metric calls this with the fields it needs (its catalogue entry's
        ``needs``), so a metric whose input field is absent fails loudly
        instead of reading the column's "no value" as data (no ``resolved``
        column would otherwise be an FCR of 0%). ``first_response_at`` is
        also satisfied by ``messages``, from which a first response is found.
        """
        for field in fields:
            if field in self.unread:
                msg = (
                    f"{metric} needs the {field!r} field: {_unread_message('Interactions', field)}"
                )
                raise InvalidDataError(msg)
        for field in self.absent(fields)[:1]:
            instead = f" (or {_EITHER[field]})" if field in _EITHER else ""
            msg = (
                f"{metric} needs the {field!r} field{instead}, which the data does not give: "
                f"no {field!r} column; read a file or frame that has it, or name the column "
                f"that holds it with columns={{{field!r}: ...}}"
            )
            raise InvalidDataError(msg)

    def take(self, rows: I64 | Bool) -> Interactions:
        """The contacts selected by a boolean mask or an index array without repeats.

        Every column is gathered now, and the result holds no reference to this
        table; a column that holds no value (a field not given) stays one value
        broadcast to every row. The cached time order, if this table has one,
        carries over without a sort. Metrics select with `view` instead.

        Raises
        ------
        InvalidDataError
            An index array selects a row more than once (the table would have
            duplicate ids and count that contact twice).
        """
        check_rows(rows, len(self), self.id, "Interactions")
        table = _take(self, rows)
        _carry_time_order(self, table, rows)
        return table

    def view(self, rows: I64 | Bool) -> Interactions:
        """The contacts selected by a mask or an index array, gathered as they are read.

        What a metric uses for ``as_of`` and ``period``: no column is copied
        until it is read, so a metric pays for the few columns it reads, not
        for the twenty a table has. The view keeps this table alive and, when
        it needs the time order, sorts this table (once, cached for every
        later call) and takes its own order from it, without a sort of its own.
        Gives the same numbers as `take`. A mask that keeps every row gives
        this table itself, with its caches.
        """
        if rows.dtype == np.bool_ and bool(rows.all()):
            return self
        return _view(self, rows)

    @property
    def source(self) -> tuple[Interactions, I64 | Bool] | None:
        """For a `view`: the table it selects from and the rows selected; else None."""
        return None if self._view is None else self._view[:2]

    @classmethod
    def from_records(cls, records: Iterable[Interaction], /) -> Interactions:
        """Build the table from `Interaction` objects, one column at a time.

        Each column is read from every record in one pass (``attrgetter``
        mapped into ``np.fromiter``), not record by record into twenty lists:
        the objects have already checked themselves, so what remains per
        value is one attribute read, and per column the vectorised checks a
        table always runs (unique ids, keys of one type).
        """
        rows = _records(records, Interaction)
        n = len(rows)
        ids = _record_keys(rows, "id", required=True, ids=None)
        _unique_ids(ids)
        try:
            gives_rare = any(map(_GIVES_RARE, rows))
        except AttributeError:  # made without `Interaction`'s constructor (a subclass's own)
            gives_rare = True
        if not gives_rare:
            # No record gives any of the rarely given fields, as each noted when it was made.
            common: dict[str, Any] = {
                **_rare_absent(n),
                "id": ids,
                "customer_id": _record_keys(rows, "customer_id", required=True, ids=ids),
                "start": _record_times(rows, "start"),
                "end": _record_times(rows, "end"),
                **{name: np.fromiter(map(_get(name), rows), bool, n) for name in _COMMON_FLAGS},
                **{
                    name: _record_keys(rows, name, required=False, ids=ids) for name in _COMMON_KEYS
                },
            }
            return cls(**common)
        fields: dict[str, Any] = {
            "id": ids,
            "customer_id": _record_keys(rows, "customer_id", required=True, ids=ids),
            "start": _record_times(rows, "start"),
            "end": _record_times(rows, "end"),
            "first_response": _record_times(rows, "first_response_at"),
            **{name: np.fromiter(map(_get(name), rows), bool, n) for name in _FLAGS},
            # numpy reads None as nan in a float column.
            **{name: _record_seconds(rows, name) for name in _SECONDS},
            **{
                name: _record_keys(rows, name, required=False, ids=ids)
                for name in _INTERACTION_KEYS
            },
        }
        return cls(**fields, messages=_record_messages(rows))

    @classmethod
    def from_columns(
        cls, columns: Mapping[str, Any], /, *, messages: Mapping[str, Any] | None = None
    ) -> Interactions:
        """Build the table from a mapping of field name to array or sequence.

        Required columns: ``id``, ``customer_id``, ``start``; optional: ``end``,
        ``resolved``, ``channel``, ``agent_id``, ``issue_id``, ``category``,
        ``first_response_at``, ``abandoned``, ``blocked``, ``talk_seconds``,
        ``hold_seconds``, ``wrap_seconds``, ``priority``, ``tier``,
        ``escalated``, ``escalated_to``, ``complaint``.
        Times are numpy datetime64 arrays (read as UTC; NaT is missing) or
        sequences of timezone-aware datetimes (None is missing). Keys are str or
        int arrays; None or "" is missing. Seconds are numbers; None or nan is
        missing. No per-row objects are created for numpy input, and every
        check is vectorised and names the first bad row.

        ``messages`` optionally maps ``interaction_id`` (the contact's id),
        ``at``, ``author`` ("customer", "agent", "bot"), ``public`` (bool,
        default True) and ``author_id`` (optional) to columns of one row per
        message.
        """
        return cls._build(dict(columns), messages)

    @classmethod
    def _build(
        cls, cols: dict[str, Any], messages: Mapping[str, Any] | None = None
    ) -> Interactions:
        """`from_columns` on a dict it empties: each column is popped once converted.

        A reader that passes its only reference to the columns (`from_frame`,
        `read_parquet`) so frees each raw column as soon as it is converted,
        rather than holding all of them and the whole table at once.
        """
        n = _columns(
            cols,
            ("id", "customer_id", "start"),
            ("end", "first_response_at", *_FLAGS, *_SECONDS, *_INTERACTION_KEYS),
        )[0]
        given = frozenset(name for name in OPTIONAL_FIELDS if name in cols)
        if messages is not None:
            given |= {"messages"}
        ids = _encode("id", _pop(cols, "id"), required=True, ids=None)
        _unique_ids(ids)
        start = _pop_times(cols, "start", ids)
        if (row := _first_missing(start)) is not None:
            bad_record(_row_name(ids, row), "start", None, "start is required")
        happened = {}
        for name in ("end", "first_response_at"):
            if name not in cols:
                # Never happened: one read-only value for every row, like any field not given.
                happened[name] = np.broadcast_to(np.int64(OPEN), (n,))
                continue
            moment = _open_where_missing(_pop_times(cols, name, ids))
            if (row := _first(moment < start)) is not None:
                bad_record(
                    _row_name(ids, row),
                    name,
                    from_micros(moment[row]),
                    f"before start {from_micros(start[row]).isoformat()}",
                )
            happened[name] = moment
        end, first_response = happened["end"], happened["first_response_at"]
        flags = {
            name: flag_column(name, _pop(cols, name), n=n, ids=ids)
            if name in cols
            else np.broadcast_to(np.False_, (n,))
            for name in _FLAGS
        }
        for name, why in (
            ("resolved", "an open contact (no end) cannot be resolved"),
            ("abandoned", "an abandoned contact needs the end it left at"),
        ):
            if (row := _first(flags[name] & (end == OPEN))) is not None:
                bad_record(_row_name(ids, row), name, value=True, why=why)
        for name in ("abandoned", "blocked"):
            if (row := _first(flags[name] & (first_response != OPEN))) is not None:
                why = "a contact with a first response was answered"
                bad_record(_row_name(ids, row), name, value=True, why=why)
        fields: dict[str, Any] = {
            "id": ids,
            "customer_id": _encode(
                "customer_id", _pop(cols, "customer_id"), required=True, ids=ids
            ),
            "start": start,
            "end": end,
            "first_response": first_response,
            **flags,
            **{
                name: _seconds(name, _pop(cols, name), ids, n)
                if name in cols
                else np.broadcast_to(np.float64(np.nan), (n,))
                for name in _SECONDS
            },
            **{
                name: _encode(name, _pop(cols, name), required=False, ids=ids)
                if name in cols
                else _missing(n)
                for name in _INTERACTION_KEYS
            },
        }
        escalated_to = fields["escalated_to"].codes >= 0
        if (row := _first(escalated_to & ~flags["escalated"])) is not None:
            value = fields["escalated_to"].key(int(fields["escalated_to"].codes[row]))
            bad_record(_row_name(ids, row), "escalated_to", value, "set without escalated=True")
        table = cls(**fields, messages=Messages.empty(), given=given)
        if messages is None:
            return table
        return attrs.evolve(table, messages=messages_from_columns(messages, ids, start))

    @classmethod
    def from_frame(
        cls,
        frame: Any,
        /,
        *,
        columns: Mapping[str, str] | None = None,
        strict: bool = False,
        assume_timezone: str | None = None,
        resolved_when: Mapping[str, str | Collection[str]] | None = None,
    ) -> Interactions:
        """Build the table from a pandas, polars or pyarrow table or a DuckDB relation.

        Needs the ``frames`` extra. The reading options are those of every
        reader (`csmetrics.core.reading`, decision 45), the CSV reader's too.
        See `csmetrics.core.frames` for null handling.

        Parameters
        ----------
        frame
            The contacts, one per row. Columns named like `Interaction`
            fields are read; other columns are ignored.
        columns
            Field name to column name, for columns named otherwise:
            ``{"id": "Ticket ID", "start": "Created at"}``. A mapped column
            must exist; several fields may read one column.
        strict
            Refuse columns that would be ignored, naming them.
        assume_timezone
            IANA zone of naive timestamps, read as local wall times there (a
            time that occurs twice is its first occurrence; a skipped time is
            the instant the clocks jump). Without it a naive timestamp column
            is an error naming the column and a row. Timezone-aware
            timestamps are converted to UTC.
        resolved_when
            ``{column: values}``: ``resolved`` is true where the column's
            value, as text and ignoring case and surrounding spaces, is one of
            ``values``: ``{"status": ["solved", "closed"]}``. The column need
            not be a field.
        """
        reading = Reading.of(
            INTERACTION_FIELDS,
            columns=columns,
            strict=strict,
            assume_timezone=assume_timezone,
            resolved_when=resolved_when,
        )
        return _read(frame, reading, parquet=False, build=cls._build)

    @overload
    @classmethod
    def read_parquet(
        cls,
        path: str | os.PathLike[str],
        /,
        *,
        columns: Mapping[str, str] | None = ...,
        strict: bool = ...,
        assume_timezone: str | None = ...,
        resolved_when: Mapping[str, str | Collection[str]] | None = ...,
        fields: Collection[str] | None = ...,
        distributed: Literal[False] = ...,
    ) -> Interactions: ...

    @overload
    @classmethod
    def read_parquet(
        cls,
        path: str | os.PathLike[str],
        /,
        *,
        columns: Mapping[str, str] | None = ...,
        strict: bool = ...,
        distributed: Literal[True],
    ) -> Any: ...

    @classmethod
    def read_parquet(
        cls,
        path: str | os.PathLike[str],
        /,
        *,
        columns: Mapping[str, str] | None = None,
        strict: bool = False,
        assume_timezone: str | None = None,
        resolved_when: Mapping[str, str | Collection[str]] | None = None,
        fields: Collection[str] | None = None,
        distributed: bool = False,
    ) -> Interactions | Any:
        """Build the table from Parquet files, like `from_frame` on their Arrow table.

        Needs the ``frames`` extra; takes the options of `from_frame`, and
        ``fields``. Gives the same table as
        ``from_frame(pyarrow.parquet.read_table(path))`` in less memory: the
        columns are read in batches of a bounded size, each converted and
        freed before the next is read, so the whole Arrow table never exists
        (see `csmetrics.core.frames.parquet_columns`).

        ``path`` is a file, a directory (its ``*.parquet`` files) or a glob
        (``"lake/contacts/*.parquet"``, ``"lake/**/*.parquet"``): the files
        are read in the order of their names into one table, as if they
        were one file. Every file must have the same fields, each column
        types of one kind; an error about a file (it cannot be read, a
        column is missing or of another type) names the file, an error
        about a record names its id, which is unique over the files.

        With ``distributed=True`` (the ``dask`` extra), nothing is read
        into this process: the result is a ``dask.dataframe.DataFrame`` of
        the fields' columns, named as the fields (``columns=`` renames),
        whose files were checked from their metadata as above. Pass it to
        any metric (``csmetrics.fcr(ddf)``), which runs on the active Dask
        scheduler, shuffles where its definition needs it, and checks the
        values partition by partition as this reader does. The options that
        only a one-process read applies (``assume_timezone``,
        ``resolved_when``, ``fields``) are a TypeError (decision 139).

        ``fields`` lists the fields to read, for a file with more than the
        metrics at hand need: ``fields=["end", "resolved", "issue_id"]`` for
        `csmetrics.fcr` (``id``, ``customer_id`` and ``start`` are always
        read; a catalogue entry's ``needs`` and the ``by=`` field are what a
        metric reads). Only those columns are read from the file. A field the
        file has but ``fields`` leaves out is *unread*, not absent: a metric
        that needs it raises `InvalidDataError` saying to read it, rather
        than computing as if the data did not give it (decision 86). A
        field the file lacks is absent, as without ``fields``.
        """
        reading = Reading.of(
            INTERACTION_FIELDS,
            columns=columns,
            strict=strict,
            assume_timezone=assume_timezone,
            resolved_when=resolved_when,
            fields=fields,
        )
        if distributed:
            return _read_distributed(path, reading, "Interactions.read_parquet")
        return _read(path, reading, parquet=True, build=cls._build)

    def to_records(self) -> list[Interaction]:
        """The contacts as `Interaction` objects (for inspection and tests)."""
        per_row: list[list[Message]] = [[] for _ in range(len(self))]
        m = self.messages
        for row, at, author, public, author_id in zip(
            m.interaction.tolist(),
            m.at.tolist(),
            m.author.tolist(),
            m.public.tolist(),
            m.author_id.codes.tolist(),
            strict=True,
        ):
            per_row[row].append(
                Message(
                    at=from_micros(at),
                    author=AUTHORS[author],
                    public=public,
                    author_id=m.author_id.key(author_id),
                )
            )

        def moment(value: np.int64) -> datetime | None:
            return None if value == OPEN else from_micros(int(value))

        def seconds(value: np.float64) -> float | None:
            return None if np.isnan(value) else float(value)

        def fields(i: int) -> dict[str, Any]:
            return {
                **{name: bool(getattr(self, name)[i]) for name in _FLAGS},
                **{name: seconds(getattr(self, name)[i]) for name in _SECONDS},
                **{
                    name: getattr(self, name).key(int(getattr(self, name).codes[i]))
                    for name in _INTERACTION_KEYS
                },
            }

        return [
            Interaction(
                id=self.id.key(int(self.id.codes[i])),
                customer_id=self.customer_id.key(int(self.customer_id.codes[i])),
                start=from_micros(self.start[i]),
                end=moment(self.end[i]),
                first_response_at=moment(self.first_response[i]),
                messages=tuple(per_row[i]),
                **fields(i),
            )
            for i in range(len(self))
        ]


_SURVEY_KEYS = tuple(k for k in SURVEY_FIELDS.keys if k not in ("id", "kind"))
_KIND_CODES: dict[str, int] = {kind: code for code, kind in enumerate(SURVEY_KINDS)}
# Scale bounds per kind code; "fcr" answers are stored as 0.0 / 1.0.
_LOW = np.array([DEFAULT_SCALES.get(k, (0, 1))[0] for k in SURVEY_KINDS], dtype=np.int64)
_HIGH = np.array([DEFAULT_SCALES.get(k, (0, 1))[1] for k in SURVEY_KINDS], dtype=np.int64)


# Pickling is `_Columns`': a view pickles its own columns, not its source.
@attrs.frozen(eq=False, repr=False, getstate_setstate=False)
class Surveys(_Columns):
    """Survey answers as columns.

    Attributes
    ----------
    id : Encoded
        Answer ids, unique.
    kind : numpy.ndarray
        int64 index into `csmetrics.SURVEY_KINDS` ("nps", "csat", "ces", "fcr",
        "rating").
    score : numpy.ndarray
        float64 scores; "fcr" answers are 1.0 (yes) or 0.0 (no).
    at : numpy.ndarray
        int64 microseconds since the epoch (UTC).
    customer_id : Encoded
        The customers who answered.
    interaction_id : Encoded
        The contacts the answers are about.
    agent_id : Encoded
        The agents rated.
    scale_low : numpy.ndarray
        int64 lowest score of each answer's scale.
    scale_high : numpy.ndarray
        int64 highest score of each answer's scale.
    """

    id: Encoded
    kind: I64
    score: F64
    at: I64
    customer_id: Encoded
    interaction_id: Encoded
    agent_id: Encoded
    scale_low: I64
    scale_high: I64
    unread: frozenset[str] = frozenset()
    """Fields the source has that the reader was told not to read (``fields=``).

    Reading one of their columns raises `InvalidDataError` (decision 86)."""
    _view: tuple[Surveys, I64 | Bool, int] | None = attrs.field(
        default=None, init=False, eq=False, repr=False
    )

    _COLUMNS: ClassVar[tuple[str, ...]] = (
        "id",
        "kind",
        "score",
        "at",
        "customer_id",
        "interaction_id",
        "agent_id",
        "scale_low",
        "scale_high",
    )

    def __len__(self) -> int:
        return len(self.score) if self._view is None else self._view[2]

    def __repr__(self) -> str:
        return f"Surveys({len(self)} answers)"

    def take(self, rows: I64 | Bool) -> Surveys:
        """The answers selected by an index array without repeats or a boolean mask.

        Raises
        ------
        InvalidDataError
            An index array selects a row more than once (the table would have
            duplicate ids and count that answer twice).
        """
        check_rows(rows, len(self), self.id, "Surveys")
        return _take(self, rows)

    def of_kind(self, kind: str) -> Surveys:
        """The answers of one kind."""
        return self.take(self.kind == _KIND_CODES[kind])

    @classmethod
    def from_records(cls, records: Iterable[Survey], /) -> Surveys:
        """Build the table from `Survey` objects, one column at a time (as `Interactions`)."""
        rows = _records(records, Survey)
        n = len(rows)
        ids = _record_keys(rows, "id", required=True, ids=None)
        _unique_ids(ids)
        kind = np.fromiter(map(_KIND_CODES.__getitem__, map(_get("kind"), rows)), np.int64, n)
        low, high = _LOW[kind], _HIGH[kind]
        scales = list(map(_get("scale"), rows))
        if scales.count(None) != n:
            # Answers on a scale of their own (rare) are set one by one.
            given = np.fromiter(map(operator.is_not, scales, repeat(None)), bool, n)
            for row in np.flatnonzero(given).tolist():
                low[row], high[row] = scales[row]
        return cls(
            id=ids,
            kind=kind,
            # numpy reads an "fcr" answer's bool as 1.0 or 0.0.
            score=np.fromiter(map(_get("score"), rows), np.float64, n),
            at=_record_times(rows, "at"),
            scale_low=low,
            scale_high=high,
            **_keys(
                {name: _record_keys(rows, name, required=False, ids=ids) for name in _SURVEY_KEYS}
            ),
        )

    @classmethod
    def from_frame(
        cls,
        frame: Any,
        /,
        *,
        columns: Mapping[str, str] | None = None,
        strict: bool = False,
        assume_timezone: str | None = None,
        kind: SurveyKind | None = None,
    ) -> Surveys:
        """Build the table from a dataframe, like `Interactions.from_frame`.

        ``columns``, ``strict`` and ``assume_timezone`` are those of
        `Interactions.from_frame`. ``kind`` gives every answer one kind
        (``"nps"``, ``"csat"``, ``"ces"``, ``"fcr"``, ``"rating"``), for a
        frame without a ``kind`` column; a column named ``kind`` is then
        ignored.
        """
        reading = Reading.of(
            SURVEY_FIELDS,
            columns=columns,
            strict=strict,
            assume_timezone=assume_timezone,
            kind=kind,
        )
        return _read(frame, reading, parquet=False, build=cls._build)

    @overload
    @classmethod
    def read_parquet(
        cls,
        path: str | os.PathLike[str],
        /,
        *,
        columns: Mapping[str, str] | None = ...,
        strict: bool = ...,
        assume_timezone: str | None = ...,
        kind: SurveyKind | None = ...,
        fields: Collection[str] | None = ...,
        distributed: Literal[False] = ...,
    ) -> Surveys: ...

    @overload
    @classmethod
    def read_parquet(
        cls,
        path: str | os.PathLike[str],
        /,
        *,
        columns: Mapping[str, str] | None = ...,
        strict: bool = ...,
        distributed: Literal[True],
    ) -> Any: ...

    @classmethod
    def read_parquet(
        cls,
        path: str | os.PathLike[str],
        /,
        *,
        columns: Mapping[str, str] | None = None,
        strict: bool = False,
        assume_timezone: str | None = None,
        kind: SurveyKind | None = None,
        fields: Collection[str] | None = None,
        distributed: bool = False,
    ) -> Surveys | Any:
        """Build the table from Parquet files, like `Interactions.read_parquet`.

        ``path`` is a file, a directory of ``*.parquet`` files or a glob,
        read into one table; ``distributed=True`` gives a checked Dask
        DataFrame instead, as `Interactions.read_parquet` does (``kind=``
        is then a TypeError too).

        ``fields`` lists the fields to read (``id``, ``kind``, ``score`` and
        ``at`` always are): ``fields=["agent_id"]`` for `csmetrics.nps` per
        agent. A field the file has but ``fields`` leaves out is unread:
        computing with it raises `InvalidDataError`.
        """
        reading = Reading.of(
            SURVEY_FIELDS,
            columns=columns,
            strict=strict,
            assume_timezone=assume_timezone,
            kind=kind,
            fields=fields,
        )
        if distributed:
            return _read_distributed(path, reading, "Surveys.read_parquet")
        return _read(path, reading, parquet=True, build=cls._build)

    @classmethod
    def from_columns(cls, columns: Mapping[str, Any], /) -> Surveys:
        """Build the table from a mapping of field name to array or sequence.

        Required columns: ``id``, ``kind``, ``score``, ``at``; optional:
        ``customer_id``, ``interaction_id``, ``agent_id``, ``scale_low``,
        ``scale_high`` (default: each kind's scale). A numeric ``score`` column
        holds "fcr" answers as 1 (yes) or 0 (no), since a column has one dtype.
        """
        return cls._build(dict(columns))

    @classmethod
    def _build(cls, cols: dict[str, Any]) -> Surveys:
        """`from_columns` on a dict it empties, like `Interactions._build`."""
        n = _columns(
            cols,
            ("id", "kind", "score", "at"),
            ("scale_low", "scale_high", *_SURVEY_KEYS),
        )[0]
        ids = _encode("id", _pop(cols, "id"), required=True, ids=None)
        _unique_ids(ids)
        kind = _codes_of("kind", _pop(cols, "kind"), SURVEY_KINDS, ids)
        at = _pop_times(cols, "at", ids)
        if (row := _first_missing(at)) is not None:
            bad_record(_row_name(ids, row), "at", None, "at is required")
        # Each kind's own scale where none is given: valid as it is, not checked again.
        given = [name for name in ("scale_low", "scale_high") if name in cols]
        low, high = (
            _scale_bound(name, _pop(cols, name), ids, n) if name in given else default[kind]
            for name, default in (("scale_low", _LOW), ("scale_high", _HIGH))
        )
        if given:
            _check_scales(kind, low, high, ids)
        owned = isinstance(cols.get("score"), Deferred)
        score = _scores(_pop(cols, "score"), kind, low, high, ids, owned=owned)
        return cls(
            id=ids,
            kind=kind,
            score=score,
            at=at,
            scale_low=low,
            scale_high=high,
            **_keys(
                {
                    name: _encode(name, _pop(cols, name), required=False, ids=ids)
                    if name in cols
                    else _missing(n)
                    for name in _SURVEY_KEYS
                }
            ),
        )


def _check_scales(kind: I64, low: I64, high: I64, ids: Encoded) -> None:
    """Refuse a scale other than its kind's for NPS and FCR answers, or one that is empty."""
    off = (low != _LOW[kind]) | (high != _HIGH[kind])
    if (row := _first(_WHOLE_SCORES[kind] & off | (low >= high))) is not None:
        bad_record(
            _row_name(ids, row),
            "scale",
            (int(low[row]), int(high[row])),
            "not a valid scale for this kind",
        )


def _keys(columns: dict[str, Encoded]) -> dict[str, Any]:
    """Key columns as keyword arguments (typed loosely: the tables take other keywords too)."""
    return columns


def _scale_bound(field: str, values: Any, ids: Encoded, n: int) -> I64:
    """A ``scale_low`` or ``scale_high`` column: whole numbers in int64's range, as on a record.

    A float column (what a frame with a null gives) is read when every value
    is whole; a bool, text, a fraction, nan or an int beyond int64 is an
    `InvalidDataError` naming the row, where numpy's int64 conversion would
    truncate 0.5 to 0, read True as 1 or make nan a huge negative number.
    """
    arr = column_array(field, values)
    flat = arr.reshape(-1)
    if arr.dtype.kind == "O":
        bad = [
            not (isinstance(v, (int, np.integer)) and not isinstance(v, (bool, np.bool_)))
            or not INT_KEYS[0] <= int(v) <= INT_KEYS[1]
            for v in flat
        ]
        if (row := _first(np.array(bad, dtype=bool))) is not None:
            bad_record(_row_name(ids, row), field, flat[row], "expected a whole number")
        return np.array([int(v) for v in flat], dtype=np.int64).reshape(n)
    if arr.dtype.kind == "u":
        out_of_range = flat > np.uint64(INT_KEYS[1])
    elif arr.dtype.kind == "f":
        with np.errstate(invalid="ignore"):
            out_of_range = ~np.isfinite(flat) | (flat != np.floor(flat)) | (np.abs(flat) >= 2.0**63)
    elif arr.dtype.kind == "i":
        out_of_range = np.zeros(len(flat), dtype=bool)
    else:
        bad_record(f"column {field!r}", field, arr.dtype, "expected whole numbers")
    if (row := _first(out_of_range)) is not None:
        given = values[row] if isinstance(values, (list, tuple)) else flat[row]
        bad_record(_row_name(ids, row), field, given, "expected a whole number in int64")
    return flat.astype(np.int64).reshape(n)


def _scores(
    values: Any, kind: I64, low: I64, high: I64, ids: Encoded, *, owned: bool = False
) -> F64:
    """Validate a score column against each row's kind and scale.

    With ``owned`` (a column a reader made for this table alone), a float64
    column is kept as it is rather than copied.
    """
    arr = column_array("score", values)
    if arr.dtype == np.bool_:
        if (row := _first(kind != _KIND_CODES["fcr"])) is not None:
            bad_record(
                _row_name(ids, row),
                "score",
                bool(arr[row]),
                "expected a number, not a bool",
            )
        return arr.astype(np.float64)
    if arr.dtype.kind == "O":
        for row, value in enumerate(arr):
            kind_name = SURVEY_KINDS[kind[row]]
            if not score_type_ok(kind_name, type(value)):
                bad_record(_row_name(ids, row), "score", value, score_type_error(kind_name))
        score = floats(arr)
    elif arr.dtype.kind in "iuf":
        score = arr.astype(np.float64, copy=not owned)
    else:
        bad_record("column 'score'", "score", arr.dtype, "expected numbers")
    if (row := _first_bad_score(score, kind, low, high)) is not None:
        kind_name = SURVEY_KINDS[kind[row]]
        why = f"not a valid {kind_name} score on the scale {low[row]}..{high[row]}"
        bad_record(_row_name(ids, row), "score", arr[row], why)
    return score


_WHOLE_SCORES = np.isin(np.array(SURVEY_KINDS), ["nps", "fcr"])
"""By kind code: whether a score must be a whole number ("nps" 0..10, "fcr" 0 or 1)."""


def _first_bad_score(score: F64, kind: I64, low: I64, high: I64) -> int | None:
    """The first row whose score is not on its scale or, for "nps" and "fcr", not whole.

    nan lies on no scale; "fcr"'s scale is 0..1 (the build refuses any
    other), so its whole scores are 0 and 1. The rows are checked in blocks
    of `_ENCODE_BLOCK`, whose temporaries stay in the processor's cache.
    """
    for first in range(0, len(score), _ENCODE_BLOCK):
        rows = slice(first, first + _ENCODE_BLOCK)
        given = score[rows]
        bad = (given >= low[rows]) & (given <= high[rows])
        np.logical_not(bad, out=bad)
        bad |= _WHOLE_SCORES[kind[rows]] & (given != np.floor(given))
        if bad.any():
            return first + int(np.argmax(bad))
    return None


@attrs.frozen(eq=False, repr=False)
class Sales:
    """Sales as columns, for revenue after contact.

    Attributes
    ----------
    id : Encoded
        Sale ids, unique.
    customer_id : Encoded
        The buying customers.
    at : numpy.ndarray
        int64 microseconds since the epoch (UTC).
    amount : numpy.ndarray
        float64 revenue.
    """

    id: Encoded
    customer_id: Encoded
    at: I64
    amount: F64

    def __len__(self) -> int:
        return len(self.at)

    def __repr__(self) -> str:
        return f"Sales({len(self)} sales)"

    @classmethod
    def from_records(cls, records: Iterable[Sale], /) -> Sales:
        """Build the table from `Sale` objects in one pass."""
        rows = list(records)
        for position, record in enumerate(rows):
            check_type(position, record, Sale)
        return cls.from_columns(
            {
                "id": np.array([r.id for r in rows], dtype=object),
                "customer_id": np.array([r.customer_id for r in rows], dtype=object),
                "at": np.array([to_micros(r.at) for r in rows], dtype=np.int64).astype(
                    "datetime64[us]"
                ),
                "amount": np.array([r.amount for r in rows], dtype=np.float64),
            }
        )

    @classmethod
    def from_columns(cls, columns: Mapping[str, Any], /) -> Sales:
        """Build the table from columns ``id``, ``customer_id``, ``at``, ``amount``."""
        n, cols = _columns(columns, ("id", "customer_id", "at", "amount"), ())
        ids = _encode("id", cols["id"], required=True, ids=None)
        _unique_ids(ids)
        at = _times("at", cols["at"], ids)
        if (row := _first(at == _MISSING_TIME)) is not None:
            bad_record(_row_name(ids, row), "at", None, "at is required")
        amount = column_array("amount", cols["amount"])
        if amount.dtype == np.bool_ or amount.dtype.kind not in "iuf":
            bad_record("column 'amount'", "amount", amount.dtype, "expected numbers")
        amount = amount.astype(np.float64).reshape(n)
        if (row := _first(~np.isfinite(amount))) is not None:
            bad_record(_row_name(ids, row), "amount", amount[row], "expected a finite number")
        return cls(
            id=ids,
            customer_id=_encode("customer_id", cols["customer_id"], required=True, ids=ids),
            at=at,
            amount=amount,
        )


@attrs.frozen(eq=False, repr=False)
class AgentTimes:
    """Agents' logged-in intervals as columns, for occupancy.

    Attributes
    ----------
    agent_id : Encoded
        The agents.
    start : numpy.ndarray
        int64 microseconds since the epoch (UTC).
    end : numpy.ndarray
        int64 microseconds since the epoch (UTC), not before ``start``.
    state : numpy.ndarray
        int64 index into `csmetrics.AGENT_STATES`.
    """

    agent_id: Encoded
    start: I64
    end: I64
    state: I64

    def __len__(self) -> int:
        return len(self.start)

    def __repr__(self) -> str:
        return f"AgentTimes({len(self)} intervals)"

    @classmethod
    def from_records(cls, records: Iterable[AgentTime], /) -> AgentTimes:
        """Build the table from `AgentTime` objects in one pass."""
        rows = list(records)
        for position, record in enumerate(rows):
            check_type(position, record, AgentTime)

        def times(name: str) -> npt.NDArray[Any]:
            micros = [to_micros(getattr(r, name)) for r in rows]
            return np.array(micros, dtype=np.int64).astype("datetime64[us]")

        return cls.from_columns(
            {
                "agent_id": np.array([r.agent_id for r in rows], dtype=object),
                "start": times("start"),
                "end": times("end"),
                "state": np.array([r.state for r in rows], dtype=object),
            }
        )

    @classmethod
    def from_columns(cls, columns: Mapping[str, Any], /) -> AgentTimes:
        """Build the table from columns ``agent_id``, ``start``, ``end``, ``state``."""
        _, cols = _columns(columns, ("agent_id", "start", "end", "state"), ())
        start = _times("start", cols["start"], None)
        end = _times("end", cols["end"], None)
        missing = (start == _MISSING_TIME) | (end == _MISSING_TIME)
        if (row := _first(missing | (end < start))) is not None:
            why = "start and end are required" if missing[row] else "end before start"
            bad_record(
                f"at position {row}", "end", None if missing[row] else from_micros(end[row]), why
            )
        return cls(
            agent_id=_encode("agent_id", cols["agent_id"], required=True, ids=None),
            start=start,
            end=end,
            state=_codes_of("state", cols["state"], AGENT_STATES, None),
        )
