"""The single validation helper for options and record fields, and deprecated names.

`renamed`, `keyword_now`, `deprecated` and `RenamedField` are the one way an
old spelling of the public API keeps working for a minor version: each warns
with `DeprecationWarning` through `warn_deprecated`, which names the old
spelling, the version that removes it and what to use instead (decision 41).
"""

from __future__ import annotations

import functools
import inspect
import math
import sys
import warnings
from collections.abc import Callable, Collection, Sequence
from datetime import datetime
from difflib import get_close_matches
from types import FrameType
from typing import Any, Generic, NoReturn, ParamSpec, TypeVar, overload
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

import numpy as np
import numpy.typing as npt

from csmetrics.core.distributed import is_distributed, run_distributed
from csmetrics.core.errors import InvalidDataError


def option(name: str, value: Any, allowed: Collection[Any]) -> None:
    """Raise ValueError unless ``value`` is one of ``allowed``, naming all three.

    An unhashable value (a list given for a name) is not one of them either,
    rather than a bare "unhashable type" TypeError from the lookup.
    """
    try:
        known = value in allowed
    except TypeError:
        known = False
    if not known:
        choices = ", ".join(repr(a) for a in allowed)
        msg = f"{name}={value!r} is not allowed; use one of: {choices}"
        raise ValueError(msg)


def is_number(value: object) -> bool:
    """Whether ``value`` is a real number: Python or numpy, int or float, not a bool.

    Nor a ``numpy.timedelta64``, which numpy counts among its integers: its
    number is in its own unit, not in seconds.
    """
    return _number_type(type(value))


def finite(value: object) -> float | None:
    """``value`` as a finite float, or None when it is not a number or not finite.

    The one test of "a finite number" for options and record fields (decision
    97). Bools and text are not numbers. An int too large for a float
    (``10**400``) is not finite: ``float()`` and ``math.isfinite`` would
    raise ``OverflowError`` on it instead of answering.
    """
    if not is_number(value):
        return None
    try:
        number = float(value)  # type: ignore[arg-type]
    except OverflowError:
        return None
    return number if math.isfinite(number) else None


def first_not_number(values: Sequence[Any] | npt.NDArray[Any]) -> int | None:
    """The first row of a list or 1-D object array holding neither a number nor None, else None.

    `is_number` for a column (decision 120): a bool, text, a time or a
    ``Decimal`` is not a number, as on a record. numpy's conversions would
    read ``[True, 3]`` as ``[1, 3]``, ``np.datetime64("2026-01-01")`` as
    20454 (its days since 1970) and ``"5"`` as 5. One pass over the types
    present, not a Python step per row; rows are searched only when a bad
    type is there.
    """
    if all(kind is type(None) or _number_type(kind) for kind in set(map(type, values))):
        return None
    return next(i for i, v in enumerate(values) if v is not None and not is_number(v))


def _number_type(kind: type) -> bool:
    """Whether values of type ``kind`` are numbers for `is_number`."""
    return issubclass(kind, (int, float, np.integer, np.floating)) and not issubclass(
        kind, (bool, np.bool_, np.timedelta64)
    )


def _float_or_inf(value: Any) -> float:
    try:
        return float(value)
    except OverflowError:  # an int beyond float64: as far off any bound as inf
        return math.inf if value > 0 else -math.inf


def floats(values: npt.NDArray[Any]) -> npt.NDArray[np.float64]:
    """An array as float64, an int too large for a float becoming +-inf.

    Every caller refuses infinite values with a message naming the row and
    the value as given; numpy's own conversion would raise ``OverflowError``
    (decision 97). Text still raises ``ValueError`` or ``TypeError``.
    """
    try:
        return values.astype(np.float64)
    except OverflowError:  # only object arrays of Python ints get here: the rare path
        flat = [_float_or_inf(v) for v in values.reshape(-1).tolist()]
        return np.array(flat, dtype=np.float64).reshape(values.shape)


def whole_count(name: str, value: Any) -> int:
    """``value`` as an int when it is a Python or numpy int >= 0 (not a bool), else ValueError."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)) or value < 0:
        msg = f"{name}={shown(value)!r} is not allowed; use an int >= 0"
        raise ValueError(msg)
    return int(value)


def positive_number(name: str, value: Any) -> float:
    """Return ``value`` as a float when it is a finite number > 0, else raise."""
    number = finite(value)
    if number is None or number <= 0:
        msg = f"{name}={shown(value)!r} is not allowed; use a finite number > 0"
        raise ValueError(msg)
    return number


def non_negative(name: str, value: Any) -> float:
    """Return ``value`` as a float when it is a finite number >= 0, else raise."""
    number = finite(value)
    if number is None or number < 0:
        msg = f"{name}={shown(value)!r} is not allowed; use a finite number >= 0"
        raise ValueError(msg)
    return number


def time_zone(name: str, value: object) -> str:
    """The IANA name of a time zone given as a name or a `ZoneInfo`, else a ValueError.

    The message names the parameter and the value, and suggests close names
    (``Europe/Berlni`` -> ``Europe/Berlin``).
    """
    if isinstance(value, ZoneInfo):
        value = value.key
    if isinstance(value, str) and value:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError, OSError):
            pass
        else:
            return value
    close = get_close_matches(value, available_timezones(), n=3) if isinstance(value, str) else []
    hint = f" (did you mean {', '.join(map(repr, close))}?)" if close else ""
    msg = (
        f"{name}={value!r} is not a known time zone{hint}; use an IANA name such as "
        "'Europe/Berlin' or 'UTC' (zoneinfo.available_timezones() lists them; on "
        "Windows install the tzdata package)"
    )
    raise ValueError(msg)


def check_min_n(value: object) -> int | None:
    """``min_n`` as given: an int >= 1, or None for the result's own default."""
    if value is None:
        return None
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)) or value < 1:
        msg = (
            f"min_n={shown(value)!r} is not allowed; use an int >= 1 or None (MIN_N of the result)"
        )
        raise ValueError(msg)
    return int(value)


def plain(value: object) -> object:
    """A numpy scalar as the Python value it holds (messages show 1, not np.int64(1))."""
    return value.item() if isinstance(value, np.generic) else value


class RowName(str):
    """How a message names a row of a table (``'c-1' (position 3)``), keeping its position.

    ``row`` is the 0-based position, ``key`` the record's id as text
    (``'c-1'``) or None when it has none.
    """

    row: int
    key: str | None

    def __new__(cls, text: str, row: int, key: str | None = None) -> RowName:  # noqa: D102
        name = super().__new__(cls, text)
        name.row, name.key = row, key
        return name


class _Abbreviated:
    """A huge int as a message shows it: its first digits and how many there are."""

    def __init__(self, value: int) -> None:
        digits = str(abs(value))
        sign = "-" if value < 0 else ""
        self.text = f"{sign}{digits[:6]}...({len(digits)} digits)"

    def __repr__(self) -> str:
        return self.text


LONGEST_INT = 10**100
"""Ints from this size on are shown abbreviated in messages (one line, not 400 digits)."""


def shown(value: object) -> object:
    """A value as a message shows it: numpy scalars as Python values, times in ISO 8601.

    A datetime is shown as its ISO text (``'2026-03-01T09:10:00+00:00'``),
    the way a file or a user writes it, not as ``datetime.datetime(...)``; an
    int of more than 100 digits as its first digits and its length.
    """
    value = plain(value)
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) >= LONGEST_INT:
        return _Abbreviated(value)
    return value.isoformat() if isinstance(value, datetime) else value


def bad_record(record: object, field: str, value: object, why: str) -> NoReturn:
    """Raise InvalidDataError naming the record, the field and the value.

    A `RowName` record gives the error its ``row``, so a file reader can name
    the line instead.
    """
    msg = f"record {record}: field {field!r} = {shown(value)!r}: {why}"
    if isinstance(record, RowName):
        raise InvalidDataError(
            msg, row=record.row, record=record.key, field=field, value=value, why=why
        )
    raise InvalidDataError(msg, field=field, value=value, why=why)


def one_dimensional(name: str, values: object) -> None:
    """Raise InvalidDataError unless ``values`` is one value per row: a 1-D array or sequence.

    A (2, 2) array of scores would otherwise count four answers for two rows
    (decision 60). ``name`` is the column or argument the values came as.
    """
    shape = getattr(values, "shape", None)
    if isinstance(shape, tuple) and len(shape) != 1:
        msg = (
            f"{name}: an array of shape {shape} is not a column; give one value per row "
            "(a 1-D array or sequence)"
        )
        raise InvalidDataError(msg)
    if isinstance(values, (list, tuple)) and values:
        first = values[0]
        if isinstance(first, (list, tuple, np.ndarray)):
            msg = (
                f"{name}: row 0 holds {type(first).__name__} {first!r}, not one value; "
                "give one value per row (a 1-D array or sequence)"
            )
            raise InvalidDataError(msg)


def column_array(name: str, values: Any) -> npt.NDArray[Any]:
    """``np.asarray(values)``, or InvalidDataError naming the column and the row holding a sequence.

    numpy refuses a list whose rows are not all single values (``[1, [1, 2]]``)
    with a message that names no column; the happy path costs nothing more.
    A list that numpy makes numbers is looked at once more, by type: one
    mixing bools with numbers stays an array of objects, as given.
    """
    try:
        arr = np.asarray(values)
    except ValueError:
        row = next(
            (i for i, v in enumerate(values) if isinstance(v, (list, tuple, dict, np.ndarray))),
            0,
        )
        msg = (
            f"column {name!r}: row {row} holds {type(values[row]).__name__} "
            f"{values[row]!r}, not one value; give one value per row"
        )
        raise InvalidDataError(msg) from None
    if (
        arr.dtype.kind in "iuf"
        and isinstance(values, (list, tuple))
        and not {bool, np.bool_}.isdisjoint(map(type, values))
    ):
        # numpy reads [1.5, True] as [1.5, 1.0]: a bool among numbers stays a
        # bool, for the column's own check to refuse (decision 120).
        return np.array(values, dtype=object)
    return arr


def check_type(position: int, record: object, expected: type) -> None:
    """Raise InvalidDataError naming the position unless ``record`` is an ``expected``."""
    if not isinstance(record, expected):
        name = expected.__name__
        article = "an" if name[0] in "AEIOU" else "a"
        bad_record(f"at position {position}", "type", record, f"expected {article} {name}")


# -- deprecated names ---------------------------------------------------------------------------

DEPRECATED_SINCE = "0.2"
"""The version whose names replaced the old spellings."""
REMOVED_IN = "0.3"
"""The version that removes the old spellings."""

P = ParamSpec("P")
R = TypeVar("R")
T = TypeVar("T")


def warn_deprecated(old: str, use: str, *, stacklevel: int = 3) -> None:
    """Warn with `DeprecationWarning` that ``old`` goes away; ``use`` says what replaces it.

    The default ``stacklevel`` points at the caller of the function that calls
    this one (a wrapper, a property): the user's line, not the library's.
    """
    msg = f"{old} is deprecated since {DEPRECATED_SINCE} and will be removed in {REMOVED_IN}; "
    warnings.warn(msg + f"use {use}", DeprecationWarning, stacklevel=stacklevel)


def stacklevel(level: int) -> int:
    """``level`` for `warnings.warn`, counting past the wrappers of this module on the way.

    A warning raised ``level`` frames up from its caller would point into a
    `renamed`, `keyword_now` or `deprecated` wrapper when the user's call went
    through one; this adds one level per such wrapper, so the warning still
    names the user's line (and the default filter still shows it per line).
    """
    frame: FrameType | None = sys._getframe(2)
    depth, target = 2, level
    while frame is not None and depth <= target:
        if frame.f_code.co_filename == __file__ and frame.f_code.co_name == "wrapper":
            target += 1
        frame, depth = frame.f_back, depth + 1
    return target


def _parameters(func: Callable[..., Any]) -> dict[str, inspect.Parameter]:
    return dict(inspect.signature(func).parameters)


def renamed(**names: str) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """Accept each old keyword (a key of ``names``) for its new name (the value), with a warning.

    ``@renamed(within_days="window_days")`` lets ``f(within_days=7)`` run as
    ``f(window_days=7)`` and warn ``DeprecationWarning``; giving both is a
    TypeError. The wrapper keeps the function's signature, name and
    ``@overload``s (decorate the implementation only).
    """

    def decorate(func: Callable[P, R]) -> Callable[P, R]:
        name, parameters = func.__qualname__, _parameters(func)
        for old, new in names.items():
            if old in parameters or new not in parameters:
                msg = f"renamed({old}={new!r}): {name} must take {new} and not {old}"
                raise TypeError(msg)

        @functools.wraps(func)
        def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
            for old, new in names.items():
                if old in kwargs:
                    if new in kwargs:
                        msg = f"{name}() got both {old}= and {new}=; pass {new}= only"
                        raise TypeError(msg)
                    warn_deprecated(f"`{name}({old}=...)`", f"{new}=")
                    kwargs[new] = kwargs.pop(old)
            return func(*args, **kwargs)

        return wrapper

    return decorate


def keyword_now(*names: str) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """Accept keyword-only ``names`` by position still (after the positional ones), with a warning.

    ``@keyword_now("period")`` on ``uptime(outages, /, *, period)`` lets the
    old call ``uptime(outages, window)`` run as ``uptime(outages,
    period=window)`` and warn ``DeprecationWarning``; giving it both ways is a
    TypeError.
    """

    def decorate(func: Callable[P, R]) -> Callable[P, R]:
        name, parameters = func.__qualname__, _parameters(func)
        positional = sum(
            p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD) for p in parameters.values()
        )
        for new in names:
            if new not in parameters or parameters[new].kind is not inspect.Parameter.KEYWORD_ONLY:
                msg = f"keyword_now({new!r}): {name} must take {new} as a keyword-only parameter"
                raise TypeError(msg)
        call: Callable[..., R] = func

        @functools.wraps(func)
        def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
            extra = args[positional:]
            if not extra or len(extra) > len(names):
                return func(*args, **kwargs)
            for new, value in zip(names, extra, strict=False):
                if new in kwargs:
                    msg = f"{name}() got {new} both by position and as {new}=; pass {new}= only"
                    raise TypeError(msg)
                warn_deprecated(f"`{name}(..., {new})` by position", f"{new}=")
                kwargs[new] = value
            return call(*args[:positional], **kwargs)

        return wrapper

    return decorate


def deprecated(use: str) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """Warn on every call of the function that it goes away; ``use`` names its replacement."""

    def decorate(func: Callable[P, R]) -> Callable[P, R]:
        @functools.wraps(func)
        def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
            warn_deprecated(f"`{func.__qualname__}()`", use)
            return func(*args, **kwargs)

        return wrapper

    return decorate


READING_OPTIONS = ("columns", "strict", "assume_timezone", "resolved_when", "kind")
"""The keywords of the readers (`csmetrics.core.reading`), which metrics take with a dataframe."""

_TABLE_OPTIONS = {
    "Interactions": frozenset(READING_OPTIONS) - {"kind"},
    "Surveys": frozenset(READING_OPTIONS) - {"resolved_when"},
}

_READERS = {
    "Interactions": "csmetrics.read_interactions_csv(path, {0}=...)",
    "Surveys": "csmetrics.read_surveys_csv(path, {0}=...)",
}


def takes_tables(table: str, *, dask: bool = False) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """Let a metric read a dataframe with the reading options (decision 119).

    ``@takes_tables("Interactions")`` on a metric makes ``fcr(df,
    columns=..., assume_timezone=...)`` read ``df`` (its first argument) as
    ``Interactions.from_frame(df, columns=..., assume_timezone=...)`` would,
    then measure the table. The options apply to a dataframe only: given
    with records or a table that is already read, or an option the table's
    reader does not take (``kind=`` for contacts, ``resolved_when=`` for
    survey answers), they are a TypeError naming the reader. A metric's own
    parameter of the same name (``resolution_time(kind=...)``) is passed
    through. The wrapper keeps the signature and ``@overload``s.

    A Dask DataFrame as the data goes to the distributed runner
    (`csmetrics.core.distributed`): the metric runs on the cluster, never
    collected into this process; it takes no reading options (name the
    columns with ``ddf.rename`` first). With ``dask=True`` the function
    takes the Dask DataFrame itself (the report, which runs each of its
    metrics on it).
    """

    def decorate(func: Callable[P, R]) -> Callable[P, R]:
        name, parameters = func.__qualname__, _parameters(func)
        options = frozenset(READING_OPTIONS) - set(parameters)
        first = next(iter(parameters))

        @functools.wraps(func)
        def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
            reading = {o: kwargs.pop(o) for o in READING_OPTIONS if o in options and o in kwargs}
            distributed = bool(args) and is_distributed(args[0])
            if distributed and reading:
                msg = (
                    f"{name}() takes no {next(iter(reading))}= with a Dask DataFrame: name its "
                    "columns with ddf.rename(columns=...) and parse its times first"
                )
                raise TypeError(msg)
            if distributed and dask:
                return func(*args, **kwargs)
            if distributed:
                return run_distributed(func.__name__, args, kwargs)  # type: ignore[no-any-return]
            if not reading:
                return func(*args, **kwargs)
            positional = bool(args)
            data = args[0] if positional else kwargs.get(first)
            _check_reading(name, table, data, reading)
            from csmetrics.core import table as tables  # noqa: PLC0415 (the tables import check)

            read = getattr(tables, table).from_frame(data, **reading)
            if positional:
                return func(read, *args[1:], **kwargs)  # type: ignore[arg-type]
            kwargs[first] = read
            return func(*args, **kwargs)

        wrapper.takes_tables = table  # type: ignore[attr-defined]
        return wrapper

    return decorate


def _check_reading(name: str, table: str, data: object, reading: dict[str, object]) -> None:
    """Refuse reading options that cannot read ``data`` as ``table`` (see `takes_tables`)."""
    from csmetrics.core.frames import is_frame  # noqa: PLC0415 (frames import check)

    wrong = [o for o in reading if o not in _TABLE_OPTIONS[table]]
    if wrong:
        known = ", ".join(f"{o}=" for o in READING_OPTIONS if o in _TABLE_OPTIONS[table])
        msg = f"{name}() takes no {wrong[0]}=: the reading options of {table} are {known}"
        raise TypeError(msg)
    if not is_frame(data):
        given = next(iter(reading))
        msg = (
            f"{name}() takes {given}= with a dataframe only, which it reads as "
            f"csmetrics.{table}.from_frame(df, {given}=...) does; {type(data).__name__} is not "
            f"one (a file: {_READERS[table].format(given)})"
        )
        raise TypeError(msg)


class RenamedField(Generic[T]):
    """A read-only alias of a renamed attribute that warns `DeprecationWarning` when read.

    In a class body, ``within_days = RenamedField[float]("window_days")``
    makes ``result.within_days`` return ``result.window_days`` with a warning.
    attrs does not take it for a field (it has no annotation).
    """

    def __init__(self, new: str) -> None:
        self.new = new
        self.old = new
        self.owner = ""

    def __set_name__(self, owner: type, name: str) -> None:
        self.owner, self.old = owner.__name__, name

    @overload
    def __get__(self, instance: None, owner: type | None = None) -> RenamedField[T]: ...

    @overload
    def __get__(self, instance: object, owner: type | None = None) -> T: ...

    def __get__(self, instance: object, owner: type | None = None) -> RenamedField[T] | T:
        if instance is None:
            return self
        warn_deprecated(f"`{self.owner}.{self.old}`", self.new)
        value: T = getattr(instance, self.new)
        return value

    def __set__(self, instance: object, value: object) -> None:
        msg = f"{self.owner}.{self.old} is read-only (a deprecated alias of {self.new})"
        raise AttributeError(msg)
