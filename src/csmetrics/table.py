"""Columnar tables: the one form every metric computes on.

`Interactions` and `Surveys` hold one numpy array per field. Timestamps are
int64 microseconds since the Unix epoch in UTC; string or integer keys are
dictionary-encoded (``codes`` index a sorted array of ``keys``; ``-1`` means
missing). A table is built once, from objects (`from_records`) or straight from
arrays (`from_columns`, no per-row objects), and validated with vectorised
checks that name the first bad row.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta, timezone
from typing import Any, TypeVar

import attrs
import numpy as np
import numpy.typing as npt

from csmetrics._check import bad_record
from csmetrics.model import (
    DEFAULT_SCALES,
    SURVEY_KINDS,
    Interaction,
    Key,
    Survey,
)

__all__ = ["OPEN", "Encoded", "Interactions", "Surveys", "from_micros", "to_micros"]

I64 = npt.NDArray[np.int64]
F64 = npt.NDArray[np.float64]
Bool = npt.NDArray[np.bool_]

OPEN = np.iinfo(np.int64).max
"""The ``end`` of a contact that is still open."""
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
    return f"{ids.keys[ids.codes[row]]!r} (position {row})"


@attrs.frozen(eq=False)
class Encoded:
    """A dictionary-encoded key column: ``keys[codes[i]]`` is row i's key."""

    codes: I64
    keys: npt.NDArray[Any]

    def key(self, code: int) -> Key | None:
        """The key of one code as a Python value; None for -1 (missing)."""
        return None if code < 0 else self.keys[code].item()

    def __getitem__(self, rows: I64 | Bool) -> Encoded:
        """The rows selected by an index array or mask, sharing the same keys."""
        return Encoded(self.codes[rows], self.keys)


def _typed_objects(
    field: str, arr: npt.NDArray[Any], ids: Encoded | None
) -> tuple[npt.NDArray[Any], Bool]:
    """Turn an object column into a str or int64 array plus a presence mask."""
    present = np.asarray((arr != None) & (arr != ""), dtype=bool)  # noqa: E711 (elementwise)
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
    return np.where(present, arr, 0).astype(np.int64), present


def _encode(field: str, values: Any, *, required: bool, ids: Encoded | None) -> Encoded:
    """Dictionary-encode a key column of str or int keys; None or "" is missing."""
    arr = np.asarray(values)
    if arr.dtype.kind in "iu":
        present = np.ones(len(arr), dtype=bool)
    elif arr.dtype.kind == "U":
        present = arr != ""
    elif arr.dtype.kind == "O" or arr.size == 0:
        arr, present = _typed_objects(field, arr.astype(object).reshape(-1), ids)
    else:
        bad_record(f"column {field!r}", field, arr.dtype, "expected str or int keys")
    if required and not present.all():
        row = int(np.flatnonzero(~present)[0])
        bad_record(_row_name(ids, row), field, values[row], "required key is missing")
    codes = np.full(len(arr), -1, dtype=np.int64)
    keys, inverse = np.unique(arr[present], return_inverse=True)
    codes[present] = inverse.reshape(-1)
    return Encoded(codes, keys)


def _times(field: str, values: Any, ids: Encoded | None) -> I64:
    """Timestamps as epoch microseconds; missing (None, NaT) as _MISSING_TIME."""
    arr = np.asarray(values)
    if arr.dtype.kind == "M":
        # datetime64 carries no zone; csmetrics reads it as UTC.
        return arr.astype("datetime64[us]").astype(np.int64)
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


_INTERACTION_KEYS = ("channel", "agent_id", "issue_id", "category")


@attrs.frozen(eq=False, repr=False)
class Interactions:
    """Contacts as columns: the table every contact metric computes on.

    Attributes
    ----------
    id, customer_id, channel, agent_id, issue_id, category
        Dictionary-encoded key columns (`Encoded`); ``-1`` codes are missing.
    start, end
        int64 microseconds since the epoch (UTC); ``end`` is `OPEN` for a
        contact still open.
    resolved
        bool per contact.

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

    def __len__(self) -> int:
        return len(self.start)

    def __repr__(self) -> str:
        return f"Interactions({len(self)} contacts)"

    @property
    def is_open(self) -> Bool:
        """True where the contact has no end yet."""
        return np.equal(self.end, OPEN)

    def take(self, rows: I64 | Bool) -> Interactions:
        """The contacts selected by an index array or a boolean mask."""
        return _take(self, rows)

    @classmethod
    def from_records(cls, records: Iterable[Interaction], /) -> Interactions:
        """Build the table from `Interaction` objects in one pass."""
        cols: dict[str, list[Any]] = {
            name: []
            for name in (
                "id",
                "customer_id",
                "start",
                "end",
                "resolved",
                *_INTERACTION_KEYS,
            )
        }
        for position, record in enumerate(records):
            if not isinstance(record, Interaction):
                bad_record(f"at position {position}", "type", record, "expected an Interaction")
            cols["id"].append(record.id)
            cols["customer_id"].append(record.customer_id)
            cols["start"].append(to_micros(record.start))
            cols["end"].append(OPEN if record.end is None else to_micros(record.end))
            cols["resolved"].append(record.resolved)
            for name in _INTERACTION_KEYS:
                cols[name].append(getattr(record, name))
        ids = _encode("id", np.array(cols["id"], dtype=object), required=True, ids=None)
        _unique_ids(ids)
        return cls(
            id=ids,
            customer_id=_encode(
                "customer_id",
                np.array(cols["customer_id"], dtype=object),
                required=True,
                ids=ids,
            ),
            start=np.array(cols["start"], dtype=np.int64),
            end=np.array(cols["end"], dtype=np.int64),
            resolved=np.array(cols["resolved"], dtype=bool),
            **{
                name: _encode(name, np.array(cols[name], dtype=object), required=False, ids=ids)
                for name in _INTERACTION_KEYS
            },
        )

    @classmethod
    def from_columns(cls, columns: Mapping[str, Any], /) -> Interactions:
        """Build the table from a mapping of field name to array or sequence.

        Required columns: ``id``, ``customer_id``, ``start``; optional: ``end``,
        ``resolved``, ``channel``, ``agent_id``, ``issue_id``, ``category``.
        Times are numpy datetime64 arrays (read as UTC; NaT is missing) or
        sequences of timezone-aware datetimes (None is missing). Keys are str or
        int arrays; None or "" is missing. No per-row objects are created for
        numpy input, and every check is vectorised and names the first bad row.
        """
        n, cols = _columns(
            columns,
            ("id", "customer_id", "start"),
            ("end", "resolved", *_INTERACTION_KEYS),
        )
        ids = _encode("id", cols["id"], required=True, ids=None)
        _unique_ids(ids)
        start = _times("start", cols["start"], ids)
        if (row := _first(start == _MISSING_TIME)) is not None:
            bad_record(_row_name(ids, row), "start", None, "start is required")
        end = _times("end", cols["end"], ids) if "end" in cols else np.full(n, _MISSING_TIME)
        end[end == _MISSING_TIME] = OPEN
        if (row := _first(end < start)) is not None:
            bad_record(
                _row_name(ids, row),
                "end",
                from_micros(end[row]),
                f"before start {from_micros(start[row])}",
            )
        resolved = (
            _bools("resolved", cols["resolved"], ids, n)
            if "resolved" in cols
            else np.zeros(n, bool)
        )
        if (row := _first(resolved & (end == OPEN))) is not None:
            bad_record(
                _row_name(ids, row),
                "resolved",
                "True",
                "an open contact (no end) cannot be resolved",
            )
        return cls(
            id=ids,
            customer_id=_encode("customer_id", cols["customer_id"], required=True, ids=ids),
            start=start,
            end=end,
            resolved=resolved,
            **{
                name: _encode(
                    name,
                    cols.get(name, np.full(n, None, dtype=object)),
                    required=False,
                    ids=ids,
                )
                for name in _INTERACTION_KEYS
            },
        )

    def to_records(self) -> list[Interaction]:
        """The contacts as `Interaction` objects (for inspection and tests)."""
        return [
            Interaction(
                id=self.id.key(int(self.id.codes[i])),  # type: ignore[arg-type]
                customer_id=self.customer_id.key(int(self.customer_id.codes[i])),  # type: ignore[arg-type]
                start=from_micros(self.start[i]),
                end=None if self.end[i] == OPEN else from_micros(self.end[i]),
                resolved=bool(self.resolved[i]),
                **{
                    name: getattr(self, name).key(int(getattr(self, name).codes[i]))
                    for name in _INTERACTION_KEYS
                },
            )
            for i in range(len(self))
        ]


_SURVEY_KEYS = ("customer_id", "interaction_id", "agent_id")
_KIND_CODES: dict[str, int] = {kind: code for code, kind in enumerate(SURVEY_KINDS)}
# Scale bounds per kind code; "fcr" answers are stored as 0.0 / 1.0.
_LOW = np.array([DEFAULT_SCALES.get(k, (0, 1))[0] for k in SURVEY_KINDS], dtype=np.int64)
_HIGH = np.array([DEFAULT_SCALES.get(k, (0, 1))[1] for k in SURVEY_KINDS], dtype=np.int64)


@attrs.frozen(eq=False, repr=False)
class Surveys:
    """Survey answers as columns.

    Attributes
    ----------
    id, customer_id, interaction_id, agent_id
        Dictionary-encoded key columns (`Encoded`); ``-1`` codes are missing.
    kind
        int64 index into `csmetrics.SURVEY_KINDS` ("nps", "csat", "ces", "fcr",
        "rating").
    score
        float64; "fcr" answers are 1.0 (yes) or 0.0 (no).
    at
        int64 microseconds since the epoch (UTC).
    scale_low, scale_high
        int64 scale bounds in force for each answer.
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
            if not isinstance(record, Survey):
                bad_record(f"at position {position}", "type", record, "expected a Survey")
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
    def from_columns(cls, columns: Mapping[str, Any], /) -> Surveys:
        """Build the table from a mapping of field name to array or sequence.

        Required columns: ``id``, ``kind``, ``score``, ``at``; optional:
        ``customer_id``, ``interaction_id``, ``agent_id``, ``scale_low``,
        ``scale_high`` (default: each kind's scale). A numeric ``score`` column
        holds "fcr" answers as 1 (yes) or 0 (no), since a column has one dtype.
        """
        n, cols = _columns(
            columns,
            ("id", "kind", "score", "at"),
            ("scale_low", "scale_high", *_SURVEY_KEYS),
        )
        ids = _encode("id", cols["id"], required=True, ids=None)
        _unique_ids(ids)
        kinds = np.asarray(cols["kind"]).astype(str).reshape(n)
        names, inverse = np.unique(kinds, return_inverse=True)
        for name in names:
            if name not in _KIND_CODES:
                first = int(np.flatnonzero(kinds == name)[0])
                bad_record(_row_name(ids, first), "kind", name, f"use one of {SURVEY_KINDS}")
        kind = np.array([_KIND_CODES[k] for k in names], dtype=np.int64)[inverse.reshape(-1)]
        at = _times("at", cols["at"], ids)
        if (row := _first(at == _MISSING_TIME)) is not None:
            bad_record(_row_name(ids, row), "at", None, "at is required")
        low = np.asarray(cols.get("scale_low", _LOW[kind]), dtype=np.int64).reshape(n)
        high = np.asarray(cols.get("scale_high", _HIGH[kind]), dtype=np.int64).reshape(n)
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
        score = _scores(cols["score"], kind, low, high, ids)
        return cls(
            id=ids,
            kind=kind,
            score=score,
            at=at,
            scale_low=low,
            scale_high=high,
            **{
                name: _encode(
                    name,
                    cols.get(name, np.full(n, None, dtype=object)),
                    required=False,
                    ids=ids,
                )
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
            if isinstance(value, (bool, np.bool_)) != bool(is_fcr[row]):
                want = "a bool" if is_fcr[row] else "a number, not a bool"
                bad_record(_row_name(ids, row), "score", value, f"expected {want}")
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
