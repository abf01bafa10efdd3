"""Read contacts and survey answers from CSV files into columnar tables.

The readers use the standard library's `csv` module and numpy only. Each file
has a header row whose column names are fields of `Interaction` or `Survey`;
the cells are parsed into one array per column and handed to
`Interactions.from_columns` or `Surveys.from_columns`, so no per-row record
objects are built.

Cell formats:

- timestamps: ISO 8601 with a UTC offset, ``2026-01-05T09:13:00+00:00`` (or a
  trailing ``Z``). A timestamp without an offset is an error: csmetrics never
  guesses a time zone.
- bools (``resolved``, ``abandoned``, ``blocked``, ``escalated``,
  ``complaint``, and the ``score`` of
  ``"fcr"`` answers): ``true``/``false``, ``yes``/``no`` or ``1``/``0``, any
  case.
- numbers (``score``, ``talk_seconds``, ``hold_seconds``, ``wrap_seconds``):
  decimal text such as ``4`` or ``312.5``.
- keys (ids, channel, agent, issue, category, priority, tier,
  escalated_to): text, kept as is.
- an empty cell is a missing value. A missing flag (``resolved``,
  ``abandoned``, ``blocked``, ``escalated``, ``complaint``) is false, as in `Interaction`; ``id``,
  ``customer_id``, ``start``, ``kind``, ``score`` and ``at`` are required.

Errors are `InvalidDataError` naming the file, the line (or the record id),
the field and the offending value; a missing file raises `FileNotFoundError`.
"""

from __future__ import annotations

import csv
import math
import os
import re
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any, Literal, NoReturn, TypeVar

import numpy as np
import numpy.typing as npt

from csmetrics.core.errors import InvalidDataError
from csmetrics.core.model import SURVEY_KINDS
from csmetrics.core.table import Interactions, Surveys, to_micros

__all__ = ["read_interactions_csv", "read_surveys_csv"]

PathLike = str | os.PathLike[str]
"""A file system path."""

_Cell = Literal["key", "required_key", "time", "required_time", "flag", "seconds", "text"]

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
_INTERACTION_REQUIRED = ("id", "customer_id", "start")
_SURVEY_COLUMNS: dict[str, _Cell] = {
    "id": "required_key",
    "kind": "text",
    "score": "text",
    "at": "required_time",
    "customer_id": "key",
    "interaction_id": "key",
    "agent_id": "key",
}
_SURVEY_REQUIRED = ("id", "kind", "score", "at")

_TRUE = frozenset({"true", "yes", "1"})
_FALSE = frozenset({"false", "no", "0"})
_NAT = int(np.iinfo(np.int64).min)  # the int64 pattern of numpy's NaT

V = TypeVar("V")


class _Source:
    """The file and line being read, for error messages."""

    def __init__(self, path: PathLike) -> None:
        self.path = os.fspath(path)
        self.line = 0

    def fail(self, field: str, value: object, why: str) -> NoReturn:
        msg = f"{self.path}, line {self.line}: field {field!r} = {value!r}: {why}"
        raise InvalidDataError(msg)


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
    """Epoch microseconds of an ISO 8601 cell with offset; NaT when empty."""
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
        why = "timestamp has no UTC offset; write it as e.g. 2026-01-05T09:13:00+00:00"
        source.fail(field, cell, why)
    return to_micros(moment)


def _flag(source: _Source, field: str, cell: str, *, required: bool = False) -> bool:
    text = cell.strip().lower()
    if text not in _TRUE | _FALSE and (text or required):
        source.fail(field, cell, "expected true/false, yes/no or 1/0")
    return text in _TRUE


def _number(source: _Source, field: str, cell: str, *, required: bool) -> float:
    """A finite number; nan for an empty cell that is not required."""
    text = cell.strip()
    if not text:
        if required:
            source.fail(field, cell, "required number is missing")
        return math.nan
    try:
        number = float(text)
    except ValueError:
        source.fail(field, cell, "expected a number")
    if not math.isfinite(number):
        source.fail(field, cell, "expected a finite number")
    return number


def _key(source: _Source, field: str, cell: str, *, required: bool) -> str:
    if required and cell == "":
        source.fail(field, cell, "required key is missing")
    return cell


_PARSERS: dict[_Cell, Callable[[_Source, str, str], Any]] = {
    "key": lambda s, f, c: _key(s, f, c, required=False),
    "required_key": lambda s, f, c: _key(s, f, c, required=True),
    "time": lambda s, f, c: _micros(s, f, c, required=False),
    "required_time": lambda s, f, c: _micros(s, f, c, required=True),
    "flag": _flag,
    "seconds": lambda s, f, c: _number(s, f, c, required=False),
    "text": lambda s, f, c: c,
}


def _array(cell: _Cell, values: list[Any]) -> npt.NDArray[Any]:
    if cell in ("time", "required_time"):
        # Epoch microseconds as datetime64, which the tables read as UTC.
        return np.array(values, dtype=np.int64).view("datetime64[us]")
    if cell == "flag":
        return np.array(values, dtype=bool)
    if cell == "seconds":
        return np.array(values, dtype=np.float64)
    return np.array(values, dtype=str)


def _renames(names: Mapping[str, str] | None, columns: Mapping[str, _Cell]) -> dict[str, str]:
    """``{column in the file: field}`` from a ``{field: column in the file}`` mapping."""
    names = dict(names or {})
    unknown = sorted(field for field in names if field not in columns)
    if unknown:
        msg = f"columns= maps unknown field(s) {unknown}; the fields are {list(columns)}"
        raise ValueError(msg)
    renames = {str(column): field for field, column in names.items()}
    if len(renames) < len(names):
        msg = f"columns= maps two fields to one column: {names}"
        raise ValueError(msg)
    return renames


def _positions(
    source: _Source,
    header: list[str],
    columns: Mapping[str, _Cell],
    required: tuple[str, ...],
    renames: Mapping[str, str],
) -> dict[str, int]:
    """Column positions by field name; every required column present, none unknown."""
    names = [renames.get(name.strip(), name.strip()) for name in header]
    repeated = sorted({name for name in names if names.count(name) > 1})
    unknown = [name for name in names if name not in columns]
    missing = [name for name in required if name not in names]
    problems = []
    if missing:
        problems.append(f"missing required column(s) {missing}")
    if unknown:
        problems.append(f"unknown column(s) {unknown}")
    if repeated:
        problems.append(f"repeated column(s) {repeated}")
    if problems:
        optional = [name for name in columns if name not in required]
        msg = (
            f"{source.path}: {'; '.join(problems)}. "
            f"Required: {list(required)}; optional: {optional}"
        )
        raise InvalidDataError(msg)
    return {name: position for position, name in enumerate(names)}


def _read(
    path: PathLike,
    columns: Mapping[str, _Cell],
    required: tuple[str, ...],
    names: Mapping[str, str] | None,
) -> tuple[_Source, dict[str, list[Any]], list[int]]:
    """Parse every cell of a CSV file into one list per column.

    Returns the source, the parsed values by column name and the line number
    of each row. Blank lines are skipped; a row with another number of cells
    than the header is an error.
    """
    source = _Source(path)
    renames = _renames(names, columns)
    lines: list[int] = []
    try:
        with open(path, encoding="utf-8-sig", newline="") as handle:
            reader = csv.reader(handle, strict=True)
            header = next(reader, None)
            if header is None:
                msg = f"{source.path}: empty file; expected a header row"
                raise InvalidDataError(msg)
            positions = _positions(source, header, columns, required, renames)
            values: dict[str, list[Any]] = {name: [] for name in positions}
            plan = [
                (values[name], position, name, _PARSERS[columns[name]])
                for name, position in positions.items()
            ]
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
    except UnicodeDecodeError as err:
        msg = f"{source.path}: not UTF-8 text ({err.reason})"
        raise InvalidDataError(msg) from None
    except csv.Error as err:
        msg = f"{source.path}, line {source.line + 1}: malformed CSV ({err})"
        raise InvalidDataError(msg) from None
    return source, values, lines


def _build(source: _Source, build: Callable[[], V]) -> V:
    """Run a table constructor; its record errors gain the file name."""
    try:
        return build()
    except InvalidDataError as err:
        msg = f"{source.path}: {err}"
        raise InvalidDataError(msg) from None


def read_interactions_csv(
    path: PathLike, /, *, columns: Mapping[str, str] | None = None
) -> Interactions:
    """Read contacts from a CSV file into an `Interactions` table.

    Parameters
    ----------
    path
        A CSV file (UTF-8) with a header row. Required columns: ``id``,
        ``customer_id``, ``start``. Optional: ``end`` (empty while the
        contact is open), ``resolved``, ``channel``, ``agent_id``,
        ``issue_id``, ``category``, ``first_response_at``, ``abandoned``,
        ``blocked``, ``talk_seconds``, ``hold_seconds``, ``wrap_seconds``,
        ``priority``, ``tier``, ``escalated``, ``escalated_to``,
        ``complaint``. Any other column is an error, so a misspelt
        column is never silently ignored. A missing optional column means
        missing values (a missing ``end`` column: every contact is open).
    columns
        Field names to the file's column names when they differ, e.g.
        ``{"id": "ticket_id", "start": "created_at"}``.

    Returns
    -------
    Interactions
        One row per data line, in file order; keys are strings; no messages.

    Raises
    ------
    FileNotFoundError
        The file does not exist.
    InvalidDataError
        A missing or unknown column, or a bad cell; the message names the
        file, the line (or the contact id), the field and the value: a
        timestamp without UTC offset, a bool that is not true/false, an end
        before the start, a resolved contact without end, a duplicate id.

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
    source, values, _ = _read(path, _INTERACTION_COLUMNS, _INTERACTION_REQUIRED, columns)
    arrays = {name: _array(_INTERACTION_COLUMNS[name], cells) for name, cells in values.items()}
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


def read_surveys_csv(path: PathLike, /, *, columns: Mapping[str, str] | None = None) -> Surveys:
    """Read survey answers from a CSV file into a `Surveys` table.

    Parameters
    ----------
    path
        A CSV file (UTF-8) with a header row. Required columns: ``id``,
        ``kind`` (``nps``, ``csat``, ``ces``, ``fcr`` or ``rating``),
        ``score``, ``at``; optional: ``customer_id``, ``interaction_id``,
        ``agent_id``. ``score`` is a number on the kind's default scale (NPS
        0..10, CSAT 1..5, CES 1..7, rating 1..5), or a bool for ``fcr``
        answers (true/false, yes/no, 1/0). Any other column is an error.
    columns
        Field names to the file's column names when they differ, e.g.
        ``{"at": "answered_at"}``.

    Returns
    -------
    Surveys
        One row per data line, in file order; keys are strings.

    Raises
    ------
    FileNotFoundError
        The file does not exist.
    InvalidDataError
        A missing or unknown column, or a bad cell; the message names the
        file, the line (or the answer id), the field and the value: an
        unknown kind, a score that is not a number or off its scale, a
        timestamp without UTC offset, a duplicate id.

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
    source, values, lines = _read(path, _SURVEY_COLUMNS, _SURVEY_REQUIRED, columns)
    kinds = _kinds(source, values.pop("kind"), lines)
    # A score's meaning depends on its kind, so scores are parsed once the
    # kinds are known.
    scores = _scores(source, kinds, values.pop("score"), lines)
    arrays: dict[str, Any] = {
        name: _array(_SURVEY_COLUMNS[name], cells) for name, cells in values.items()
    }
    arrays["kind"] = np.array(kinds, dtype=str)
    arrays["score"] = scores
    return _build(source, lambda: Surveys.from_columns(arrays))
