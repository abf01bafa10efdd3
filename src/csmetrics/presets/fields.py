"""What `explain` needs to know about one field: its rules, how to measure it, compare and count.

`csmetrics.explain` is one procedure for every field it compares (a
per-ticket field of `ticket_metrics`, or a contact metric such as `fcr`):
measure the records under both sides, compare a per-record key, switch the
rules from one side to the other one at a time. A `Field` supplies the
parts that differ between fields; every part works on whole numpy columns.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping
from datetime import datetime
from typing import Any

import attrs
import numpy as np
import numpy.typing as npt

from csmetrics.core.check import option
from csmetrics.core.schedules import CalendarOption
from csmetrics.metrics import presets

Columns = Mapping[str, npt.NDArray[Any]]
Side = str | Mapping[str, Any]
"""One side of `explain`: a preset name, or choices (with an optional ``"preset"`` key)."""


@attrs.frozen(kw_only=True)
class Measured:
    """One side measured: per-record columns in the order of the records, and the as_of used."""

    columns: Columns
    as_of: datetime | None
    ids: npt.NDArray[Any] | None = None
    """The records' ids, where the measurement gives them (tickets); else read from the data."""


class Field(ABC):
    """How `explain` measures, compares and counts one field (subclasses fill it in).

    ``rules`` is the documented order the choices are switched in; a rule
    switches the choices `keys` names together (a formula and the limit it
    needs). ``per_record`` says whether a record's value depends on that
    record alone: then the steps between the two sides are measured on the
    differing records only.
    """

    name: str = ""
    noun: str = "record"
    rules: tuple[str, ...] = ()
    per_record: bool = True
    tallies: tuple[str, ...] = ()
    headline: str = ""
    function: str = "explain"

    def keys(self, rule: str) -> tuple[str, ...]:
        """The choices a rule switches."""
        return (rule,)

    @abstractmethod
    def defaults(self) -> dict[str, Any]:
        """Every choice's value when neither a side nor ``both`` gives one."""

    @abstractmethod
    def check(self, choices: Mapping[str, Any]) -> None:
        """Refuse a choice value the field does not allow (the metric checks the rest)."""

    @abstractmethod
    def table(self, data: Any) -> Any:
        """The records as the table `measure` reads."""

    @abstractmethod
    def measure(
        self,
        table: Any,
        choices: Mapping[str, Any],
        as_of: datetime | None,
        calendar: CalendarOption,
    ) -> Measured:
        """Every record's columns under ``choices``."""

    @abstractmethod
    def part(self, table: Any, measured: Measured, rows: npt.NDArray[np.intp]) -> Any:
        """The records ``rows`` alone, measured at ``measured.as_of`` as in the whole."""

    @abstractmethod
    def ids(self, table: Any, measured: Measured, rows: npt.NDArray[np.intp]) -> list[Any]:
        """The ids of ``rows``."""

    @abstractmethod
    def key(self, columns: Columns) -> npt.NDArray[Any]:
        """Per record, what is compared: equal keys give equal values and equal tallies."""

    @abstractmethod
    def tally(self, columns: Columns) -> dict[str, npt.NDArray[Any]]:
        """Per record, what it adds to each counter of the aggregate (``tallies``)."""

    @abstractmethod
    def headline_of(
        self, sums: Mapping[str, float], columns: Columns, choices: Mapping[str, Any]
    ) -> float:
        """The number a side reports."""

    @abstractmethod
    def shown(self, columns: Columns, rows: npt.NDArray[np.intp]) -> list[Any]:
        """The values of ``rows`` as Python values, None where not counted."""

    def value(self, rule: str, choices: Mapping[str, Any]) -> Any:
        """What a rule is set to under ``choices`` (the rows' ``rule_a``, ``rule_b``)."""
        return choices[rule]

    @abstractmethod
    def meaning(self, rule: str, choices: Mapping[str, Any]) -> str:
        """What ``choices``' value of the rule does, as the reconciliation note says it."""


def _shown(value: Any) -> str:
    return value if isinstance(value, str) else repr(value)


def side(
    field: Field, name: str, given: Side, both: Mapping[str, Any]
) -> tuple[str, dict[str, Any]]:
    """The label and the effective choices of one side of `explain`.

    A choice the side gives beats its preset's, which beats ``both``'s,
    which beats the field's default.
    """
    allowed = tuple(key for rule in field.rules for key in field.keys(rule))
    if isinstance(given, str):
        preset, own = given, {}
    else:
        own = dict(given)
        preset = own.pop("preset", None)
    for key in own:
        option(f"{name} key", key, ("preset", *allowed))
    made: dict[str, Any] = {}
    if preset is not None:
        offered = presets.get(preset).choices()
        made = {key: offered[key] for key in allowed if key in offered}
        if not made:
            usable = [p for p in presets.names() if set(presets.get(p).choices()) & set(allowed)]
            hint = (
                f"use one of: {', '.join(map(repr, usable))}"
                if usable
                else f"give its choices as a mapping ({', '.join(allowed)})"
            )
            msg = f"preset={preset!r} defines nothing for {field.function}; {hint}"
            raise ValueError(msg)
    choices = {**field.defaults(), **both, **made, **own}
    field.check(choices)
    written = ", ".join(f"{key}={_shown(value)}" for key, value in own.items())
    label = " with ".join(part for part in (preset, written) if part) or "the defaults"
    return label, choices
