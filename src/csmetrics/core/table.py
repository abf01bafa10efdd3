"""Columnar tables: the one form every metric computes on.

`Interactions` and `Surveys` hold one numpy array per field. Timestamps are
int64 microseconds since the Unix epoch in UTC; string or integer keys are
dictionary-encoded (``codes`` index a sorted array of ``keys``; ``-1`` means
missing). A table is built once, from objects (`from_records`) or straight from
arrays (`from_columns`, no per-row objects), and validated with vectorised
checks that name the first bad row.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Collection, Iterable, Mapping
from datetime import datetime, timedelta, timezone
from typing import Any, TypeVar

import attrs
import numpy as np
import numpy.typing as npt

from csmetrics.core.check import bad_record, check_type, plain
from csmetrics.core.errors import InvalidDataError
from csmetrics.core.model import (
    AGENT_STATES,
    AUTHORS,
    DEFAULT_SCALES,
    SURVEY_KINDS,
    AgentTime,
    Interaction,
    Key,
    Message,
    Sale,
    Survey,
    SurveyKind,
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
    "child_rows",
    "child_times",
    "from_micros",
    "messages_from_columns",
    "parent_rows",
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

_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
_MICRO = timedelta(microseconds=1)


def to_micros(moment: datetime) -> int:
    """Exact microseconds since the epoch of a timezone-aware datetime."""
    return (moment - _EPOCH) // _MICRO


def from_micros(micros: int) -> datetime:
    """The UTC datetime of microseconds since the epoch."""
    return _EPOCH + timedelta(microseconds=int(micros))


def _row_name(ids: Encoded | None, row: int) -> str:
    if ids is None or ids.codes[row] < 0:
        return f"at position {row}"
    return f"{plain(ids.keys[ids.codes[row]])!r} (position {row})"


@attrs.frozen(eq=False)
class Encoded:
    """A dictionary-encoded key column: ``keys[codes[i]]`` is row i's key.

    ``codes`` are int32 (int64 beyond 2**31 keys), half the memory of int64;
    arithmetic that can exceed int32 (packing codes with times or other
    codes) widens them first.
    """

    codes: Codes
    keys: npt.NDArray[Any]

    def __len__(self) -> int:
        return len(self.codes)

    def key(self, code: int) -> Key | None:
        """The key of one code as a Python value; None for -1 (missing)."""
        return None if code < 0 else self.keys[code].item()

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
            bad_record(what + _row_name(ids, row), field, word, f"use one of {names}")
        return coded
    text = np.asarray(values).reshape(-1)
    if text.dtype.kind not in "OU":
        text = text.astype(str)
    # Object columns (from dataframes) compare as they are, without a text copy.
    codes = np.full(len(text), -1, dtype=np.int64)
    for code, name in enumerate(names):
        codes[text == name] = code
    if (row := _first(codes < 0)) is not None:
        bad_record(what + _row_name(ids, row), field, str(text[row]), f"use one of {names}")
    return codes


def _typed_objects(
    field: str, arr: npt.NDArray[Any], ids: Encoded | None
) -> tuple[npt.NDArray[Any], Bool]:
    """Turn an object column into a str or int64 array plus a presence mask."""
    present = np.asarray(arr != None, dtype=bool)  # noqa: E711 (elementwise)
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
        return np.where(present, arr, "").astype(str), present
    ints = np.zeros(len(arr), dtype=np.int64)
    ints[present] = values.astype(np.int64)
    return ints, present


def _missing(n: int) -> Encoded:
    """A key column with no values (an optional column not given).

    The codes are one read-only -1 broadcast to every row: no memory per row.
    """
    return Encoded(np.broadcast_to(np.int32(-1), (n,)), np.zeros(0, dtype=np.int64))


def _dense_ints(values: I64) -> tuple[I64, npt.NDArray[np.signedinteger[Any]]] | None:
    """Sorted keys and codes (int32 where they fit) of integers in a compact range, without a sort.

    A counting pass over ``max - min`` slots; None when the range is too wide
    for that to beat sorting (sparse ids).
    """
    if not len(values):
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    low, high = int(values.min()), int(values.max())
    if high - low > 4 * len(values) + 1024:
        return None
    dtype = np.int32 if high - low < 2**31 else np.int64
    offset = np.empty(len(values), dtype=dtype)
    np.subtract(values, low, out=offset, casting="unsafe")  # in int64, stored narrower
    seen = np.zeros(high - low + 1, dtype=bool)
    seen[offset] = True
    if seen.all():
        # Every value in the range occurs (ids 1..n): the offset is the code.
        return np.arange(low, high + 1, dtype=np.int64), offset
    keys = np.flatnonzero(seen) + low
    # A value's code is the number of distinct values below it.
    code = np.cumsum(seen, dtype=dtype)
    code -= 1
    return keys, code[offset]


def _encode(field: str, values: Any, *, required: bool, ids: Encoded | None) -> Encoded:
    """Dictionary-encode a key column of str or int keys; None or "" is missing."""
    if isinstance(values, Encoded):
        return _reencode(field, values, required=required, ids=ids)
    if isinstance(values, np.ma.MaskedArray):
        # A masked integer array: integer keys with missing values, no objects.
        arr = np.asarray(values.filled(0))
        present = ~np.ma.getmaskarray(values)
        if arr.dtype.kind not in "iu":
            bad_record(f"column {field!r}", field, arr.dtype, "expected str or int keys")
        return _encoded(field, values, arr, present, required=required, ids=ids)
    arr = np.asarray(values)
    if arr.dtype.kind in "iu":
        present = np.ones(len(arr), dtype=bool)
    elif arr.dtype.kind == "U":
        present = arr != ""
    elif arr.dtype.kind == "O" or arr.size == 0:
        arr, present = _typed_objects(field, arr.astype(object, copy=False).reshape(-1), ids)
    elif arr.dtype.kind == "f":
        # pandas stores integer keys with missing values as floats (nan).
        present = ~np.isnan(arr)
        if (row := _first(present & (arr != np.floor(arr)))) is not None:
            bad_record(_row_name(ids, row), field, arr[row], "a float key must be a whole number")
        arr = np.where(present, arr, 0).astype(np.int64)
    else:
        bad_record(f"column {field!r}", field, arr.dtype, "expected str or int keys")
    return _encoded(field, values, arr, present, required=required, ids=ids)


def _reencode(field: str, coded: Encoded, *, required: bool, ids: Encoded | None) -> Encoded:
    """Encode text keys given as codes into a dictionary of texts (-1: null).

    Each distinct text is encoded once and the rows follow by lookup; texts no
    row uses are dropped, and "" is missing, as in any other text column.
    """
    words = coded.keys
    if not all(isinstance(word, str) for word in words.tolist()):
        bad_record(f"column {field!r}", field, words.dtype, "expected a dictionary of str")
    # One slot per text, and a last one for null, which code -1 indexes.
    nonempty = np.append(words != "", False)
    if required and not (present := nonempty[coded.codes]).all():
        row = int(np.flatnonzero(~present)[0])
        value = None if coded.codes[row] < 0 else ""
        bad_record(_row_name(ids, row), field, value, "required key is missing")
    used = np.zeros(len(nonempty), dtype=bool)
    used[coded.codes] = True
    used &= nonempty
    keys, inverse = np.unique(words[used[:-1]].astype(str), return_inverse=True)
    lookup = np.full(len(used), -1, dtype=np.int32)
    lookup[np.flatnonzero(used)] = inverse.reshape(-1)
    return Encoded(lookup[coded.codes], keys)


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
        row = int(np.flatnonzero(~present)[0])
        bad_record(_row_name(ids, row), field, values[row], "required key is missing")
    everywhere = bool(present.all())
    given = arr if everywhere else arr[present]
    dense = _dense_ints(given) if arr.dtype.kind in "iu" else None
    if dense is None:
        keys, inverse = np.unique(given, return_inverse=True)
    else:
        keys, inverse = dense
        keys = keys.astype(arr.dtype)
    dtype = np.int32 if len(keys) < 2**31 else np.int64
    if everywhere:
        return Encoded(inverse.reshape(-1).astype(dtype, copy=False), keys)
    codes = np.full(len(arr), -1, dtype=dtype)
    codes[present] = inverse.reshape(-1)
    return Encoded(codes, keys)


def _times(field: str, values: Any, ids: Encoded | None) -> I64:
    """Timestamps as epoch microseconds; missing (None, NaT) as _MISSING_TIME."""
    arr = np.asarray(values)
    if arr.dtype.kind == "M":
        # datetime64 carries no zone; csmetrics reads it as UTC.
        return arr.astype("datetime64[us]", copy=False).astype(np.int64)
    if arr.dtype.kind != "O" and arr.size:
        bad_record(f"column {field!r}", field, arr.dtype, "expected datetime64 or datetimes")
    out = np.empty(len(arr), dtype=np.int64)
    for row, value in enumerate(arr.reshape(-1)):
        if value is None:
            out[row] = _MISSING_TIME
        elif not isinstance(value, datetime):
            bad_record(_row_name(ids, row), field, value, "expected a timezone-aware datetime")
        elif value.tzinfo is None or value.utcoffset() is None:
            bad_record(_row_name(ids, row), field, value, "naive datetime; attach a time zone")
        else:
            out[row] = to_micros(value)
    return out


def _bools(field: str, values: Any, ids: Encoded | None, n: int) -> Bool:
    arr = np.asarray(values)
    if arr.dtype == np.bool_:
        return arr.reshape(n)
    for row, value in enumerate(arr.reshape(-1)):
        if not isinstance(value, (bool, np.bool_)):
            bad_record(_row_name(ids, row), field, value, "expected a bool")
    return arr.astype(bool)


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


def _take(table: T, rows: I64 | Bool) -> T:
    """The rows of a table selected by an index array or a boolean mask."""
    return attrs.evolve(
        table, **{f.name: getattr(table, f.name)[rows] for f in attrs.fields(type(table))}
    )


_INTERACTION_KEYS = tuple(k for k in INTERACTION_FIELDS.keys if k not in ("id", "customer_id"))
_FLAGS = INTERACTION_FIELDS.flags
_SECONDS = ("talk_seconds", "hold_seconds", "wrap_seconds")
_AUTHOR_CODES: dict[str, int] = {author: code for code, author in enumerate(AUTHORS)}
OPTIONAL_FIELDS: frozenset[str] = frozenset(
    ("end", "first_response_at", *_FLAGS, *_SECONDS, *_INTERACTION_KEYS, "messages")
)
"""The contact fields a table may be built without (`Interactions.given`)."""
_REQUIRED_FIELDS = ("id", "customer_id", "start")
_EITHER = {"first_response_at": "messages"}
"""A needed field another field can stand in for: a first response is found in messages."""


def _read(
    source: Any, reading: Reading, *, parquet: bool, build: Callable[[dict[str, Any]], T]
) -> T:
    """The table ``build`` makes of a dataframe's columns, or of a Parquet file's."""
    from csmetrics.core import frames  # noqa: PLC0415 (optional extra)

    read = frames.parquet_columns if parquet else frames.frame_columns
    table = build(read(source, reading=reading))
    if parquet:
        # The columns read are freed; pyarrow's pool would keep their memory.
        frames.release_arrow_memory()
    return table


def _seconds(field: str, values: Any, ids: Encoded, n: int) -> F64:
    """A column of non-negative seconds; None or nan is missing."""
    arr = np.asarray(values)
    if arr.dtype == np.bool_ or arr.dtype.kind not in "iufO":
        bad_record(f"column {field!r}", field, arr.dtype, "expected numbers of seconds")
    try:
        out = arr.astype(np.float64).reshape(n)
    except (TypeError, ValueError):
        bad_record(f"column {field!r}", field, arr.dtype, "expected numbers of seconds")
    if (row := _first(np.isinf(out) | (out < 0))) is not None:
        bad_record(_row_name(ids, row), field, out[row], "expected a finite number >= 0")
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
    public = _bools("public", cols["public"], None, n) if "public" in cols else np.ones(n, bool)
    author_id = (
        _encode("author_id", cols["author_id"], required=False, ids=None)
        if "author_id" in cols
        else _missing(n)
    )
    order = np.lexsort((at, interaction))
    return Messages(
        interaction=interaction[order],
        at=at[order],
        author=author[order],
        public=public[order],
        author_id=author_id[order],
    )


@attrs.frozen(eq=False, repr=False)
class Interactions:
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
    memo: dict[str, Any] = attrs.field(factory=dict, init=False, eq=False, repr=False)
    """Derived arrays computed once per table (the table itself never changes)."""

    def __len__(self) -> int:
        return len(self.start)

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
        first response is found in them.
        """
        return tuple(
            field
            for field in fields
            if not self.has(field) and not (field in _EITHER and self.has(_EITHER[field]))
        )

    def require(self, metric: str, fields: Iterable[str]) -> None:
        """Raise `InvalidDataError` naming the first of ``fields`` the input did not give.

        A metric calls this with the fields it needs (its catalogue entry's
        ``needs``), so a metric whose input field is absent fails loudly
        instead of reading the column's "no value" as data (no ``resolved``
        column would otherwise be an FCR of 0%). ``first_response_at`` is
        also satisfied by ``messages``, from which a first response is found.
        """
        for field in self.absent(fields)[:1]:
            instead = f" (or {_EITHER[field]})" if field in _EITHER else ""
            msg = (
                f"{metric} needs the {field!r} field{instead}, which the data does not give: "
                f"no {field!r} column; read a file or frame that has it, or name the column "
                f"that holds it with columns={{{field!r}: ...}}"
            )
            raise InvalidDataError(msg)

    def take(self, rows: I64 | Bool) -> Interactions:
        """The contacts selected by a boolean mask or an index array without repeats."""
        columns = {
            f.name: getattr(self, f.name)[rows]
            for f in attrs.fields(Interactions)
            if f.name not in ("messages", "memo", "given")
        }
        return Interactions(
            **columns, messages=self.messages.for_rows(rows, len(self)), given=self.given
        )

    @classmethod
    def from_records(cls, records: Iterable[Interaction], /) -> Interactions:
        """Build the table from `Interaction` objects in one pass."""
        times = ("start", "end", "first_response")
        names = ("id", "customer_id", *times, *_FLAGS, *_SECONDS, *_INTERACTION_KEYS)
        cols: dict[str, list[Any]] = {name: [] for name in names}
        messages: list[tuple[int, int, int, bool]] = []
        authors: list[Key | None] = []
        for position, record in enumerate(records):
            check_type(position, record, Interaction)
            cols["id"].append(record.id)
            cols["customer_id"].append(record.customer_id)
            cols["start"].append(to_micros(record.start))
            cols["end"].append(OPEN if record.end is None else to_micros(record.end))
            first = record.first_response_at
            cols["first_response"].append(OPEN if first is None else to_micros(first))
            for name in (*_FLAGS, *_SECONDS, *_INTERACTION_KEYS):
                cols[name].append(getattr(record, name))
            messages.extend(
                (position, to_micros(m.at), _AUTHOR_CODES[m.author], m.public)
                for m in record.messages
            )
            authors.extend(m.author_id for m in record.messages)
        ids = _encode("id", np.array(cols["id"], dtype=object), required=True, ids=None)
        _unique_ids(ids)
        flat = np.array(messages, dtype=np.int64).reshape(-1, 4)
        fields: dict[str, Any] = {
            "id": ids,
            "customer_id": _encode(
                "customer_id", np.array(cols["customer_id"], dtype=object), required=True, ids=ids
            ),
            **{name: np.array(cols[name], dtype=np.int64) for name in times},
            **{name: np.array(cols[name], dtype=bool) for name in _FLAGS},
            **{
                name: np.array([np.nan if v is None else v for v in cols[name]], dtype=np.float64)
                for name in _SECONDS
            },
            **{
                name: _encode(name, np.array(cols[name], dtype=object), required=False, ids=ids)
                for name in _INTERACTION_KEYS
            },
        }
        return cls(
            **fields,
            messages=Messages(
                interaction=flat[:, 0].copy(),
                at=flat[:, 1].copy(),
                author=flat[:, 2].copy(),
                public=flat[:, 3].astype(bool),
                author_id=_encode(
                    "author_id", np.array(authors, dtype=object), required=False, ids=None
                ),
            ),
        )

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
        start = _times("start", _pop(cols, "start"), ids)
        if (row := _first(start == _MISSING_TIME)) is not None:
            bad_record(_row_name(ids, row), "start", None, "start is required")
        happened = {}
        for name in ("end", "first_response_at"):
            moment = (
                _times(name, _pop(cols, name), ids) if name in cols else np.full(n, _MISSING_TIME)
            )
            moment[moment == _MISSING_TIME] = OPEN
            if (row := _first(moment < start)) is not None:
                bad_record(
                    _row_name(ids, row),
                    name,
                    from_micros(moment[row]),
                    f"before start {from_micros(start[row])}",
                )
            happened[name] = moment
        end, first_response = happened["end"], happened["first_response_at"]
        flags = {
            name: _bools(name, _pop(cols, name), ids, n) if name in cols else np.zeros(n, bool)
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
    ) -> Interactions:
        """Build the table from a Parquet file, like `from_frame` on its Arrow table.

        Needs the ``frames`` extra; takes the options of `from_frame`. Gives
        the same table as ``from_frame(pyarrow.parquet.read_table(path))`` in
        less memory: the file is read one column at a time, so the whole Arrow
        table never exists (see `csmetrics.core.frames.parquet_columns`).
        """
        reading = Reading.of(
            INTERACTION_FIELDS,
            columns=columns,
            strict=strict,
            assume_timezone=assume_timezone,
            resolved_when=resolved_when,
        )
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


@attrs.frozen(eq=False, repr=False)
class Surveys:
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

    def __len__(self) -> int:
        return len(self.score)

    def __repr__(self) -> str:
        return f"Surveys({len(self)} answers)"

    def take(self, rows: I64 | Bool) -> Surveys:
        """The answers selected by an index array or a boolean mask."""
        return _take(self, rows)

    def of_kind(self, kind: str) -> Surveys:
        """The answers of one kind."""
        return self.take(self.kind == _KIND_CODES[kind])

    @classmethod
    def from_records(cls, records: Iterable[Survey], /) -> Surveys:
        """Build the table from `Survey` objects in one pass."""
        cols: dict[str, list[Any]] = {
            name: []
            for name in (
                "id",
                "kind",
                "score",
                "at",
                "scale_low",
                "scale_high",
                *_SURVEY_KEYS,
            )
        }
        for position, record in enumerate(records):
            check_type(position, record, Survey)
            low, high = record.effective_scale or (0, 1)
            cols["id"].append(record.id)
            cols["kind"].append(_KIND_CODES[record.kind])
            cols["score"].append(float(record.score))
            cols["at"].append(to_micros(record.at))
            cols["scale_low"].append(low)
            cols["scale_high"].append(high)
            for name in _SURVEY_KEYS:
                cols[name].append(getattr(record, name))
        ids = _encode("id", np.array(cols["id"], dtype=object), required=True, ids=None)
        _unique_ids(ids)
        return cls(
            id=ids,
            kind=np.array(cols["kind"], dtype=np.int64),
            score=np.array(cols["score"], dtype=np.float64),
            at=np.array(cols["at"], dtype=np.int64),
            scale_low=np.array(cols["scale_low"], dtype=np.int64),
            scale_high=np.array(cols["scale_high"], dtype=np.int64),
            **{
                name: _encode(name, np.array(cols[name], dtype=object), required=False, ids=ids)
                for name in _SURVEY_KEYS
            },
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
    ) -> Surveys:
        """Build the table from a Parquet file, like `Interactions.read_parquet`."""
        reading = Reading.of(
            SURVEY_FIELDS,
            columns=columns,
            strict=strict,
            assume_timezone=assume_timezone,
            kind=kind,
        )
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
        at = _times("at", _pop(cols, "at"), ids)
        if (row := _first(at == _MISSING_TIME)) is not None:
            bad_record(_row_name(ids, row), "at", None, "at is required")
        low = np.asarray(_pop(cols, "scale_low", _LOW[kind]), dtype=np.int64).reshape(n)
        high = np.asarray(_pop(cols, "scale_high", _HIGH[kind]), dtype=np.int64).reshape(n)
        fixed = (kind == _KIND_CODES["nps"]) | (kind == _KIND_CODES["fcr"])
        if (
            row := _first(fixed & ((low != _LOW[kind]) | (high != _HIGH[kind])) | (low >= high))
        ) is not None:
            bad_record(
                _row_name(ids, row),
                "scale",
                (int(low[row]), int(high[row])),
                "not a valid scale for this kind",
            )
        score = _scores(_pop(cols, "score"), kind, low, high, ids)
        return cls(
            id=ids,
            kind=kind,
            score=score,
            at=at,
            scale_low=low,
            scale_high=high,
            **{
                name: _encode(name, _pop(cols, name), required=False, ids=ids)
                if name in cols
                else _missing(n)
                for name in _SURVEY_KEYS
            },
        )


def _scores(values: Any, kind: I64, low: I64, high: I64, ids: Encoded) -> F64:
    """Validate a score column against each row's kind and scale."""
    arr = np.asarray(values)
    is_fcr = kind == _KIND_CODES["fcr"]
    if arr.dtype == np.bool_:
        if (row := _first(~is_fcr)) is not None:
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
        arr = arr.astype(np.float64)
    if arr.dtype.kind not in "iuf":
        bad_record("column 'score'", "score", arr.dtype, "expected numbers")
    score = arr.astype(np.float64)
    bad = ~np.isfinite(score) | (score < low) | (score > high)
    bad |= (kind == _KIND_CODES["nps"]) & (score != np.floor(score))
    bad |= is_fcr & (score != 0) & (score != 1)
    if (row := _first(bad)) is not None:
        kind_name = SURVEY_KINDS[kind[row]]
        why = f"not a valid {kind_name} score on the scale {low[row]}..{high[row]}"
        bad_record(_row_name(ids, row), "score", arr[row], why)
    return score


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
        amount = np.asarray(cols["amount"])
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
