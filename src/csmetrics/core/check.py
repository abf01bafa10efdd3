"""The single validation helper for options and record fields."""

from __future__ import annotations

import math
from collections.abc import Collection
from typing import Any, NoReturn

import numpy as np

from csmetrics.core.errors import InvalidDataError


def option(name: str, value: Any, allowed: Collection[Any]) -> None:
    """Raise ValueError unless ``value`` is one of ``allowed``, naming all three."""
    if value not in allowed:
        choices = ", ".join(repr(a) for a in allowed)
        msg = f"{name}={value!r} is not allowed; use one of: {choices}"
        raise ValueError(msg)


def is_number(value: object) -> bool:
    """Whether ``value`` is a real number: Python or numpy, int or float, not a bool."""
    return not isinstance(value, (bool, np.bool_)) and isinstance(
        value, (int, float, np.integer, np.floating)
    )


def positive_number(name: str, value: Any) -> float:
    """Return ``value`` as a float when it is a finite number > 0, else raise."""
    if not is_number(value) or not math.isfinite(value) or value <= 0:
        msg = f"{name}={plain(value)!r} is not allowed; use a finite number > 0"
        raise ValueError(msg)
    return float(value)


def non_negative(name: str, value: Any) -> float:
    """Return ``value`` as a float when it is a finite number >= 0, else raise."""
    if not is_number(value) or not math.isfinite(value) or value < 0:
        msg = f"{name}={plain(value)!r} is not allowed; use a finite number >= 0"
        raise ValueError(msg)
    return float(value)


def check_min_n(value: object) -> int | None:
    """``min_n`` as given: an int >= 1, or None for the result's own default."""
    if value is None:
        return None
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)) or value < 1:
        msg = (
            f"min_n={plain(value)!r} is not allowed; use an int >= 1 or None (MIN_N of the result)"
        )
        raise ValueError(msg)
    return int(value)


def plain(value: object) -> object:
    """A numpy scalar as the Python value it holds (messages show 1, not np.int64(1))."""
    return value.item() if isinstance(value, np.generic) else value


def bad_record(record: object, field: str, value: object, why: str) -> NoReturn:
    """Raise InvalidDataError naming the record, the field and the value."""
    msg = f"record {record}: field {field!r} = {plain(value)!r}: {why}"
    raise InvalidDataError(msg)


def check_type(position: int, record: object, expected: type) -> None:
    """Raise InvalidDataError naming the position unless ``record`` is an ``expected``."""
    if not isinstance(record, expected):
        name = expected.__name__
        article = "an" if name[0] in "AEIOU" else "a"
        bad_record(f"at position {position}", "type", record, f"expected {article} {name}")
