"""The contact metrics `explain` compares: `fcr`, `first_response_time`, `service_level`.

Each reads its per-contact values from the metric module's own
classification (`fcr_classes`, `first_response_waits`,
`service_level_outcomes`), the steps the metric counts with, so a
contact's value here is what the metric made of it. The choices and their
defaults are the metric's keywords, read from the catalogue.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

import numpy as np
import numpy.typing as npt

from csmetrics import catalog
from csmetrics.core.check import option
from csmetrics.core.episodes import MATCHES, as_interactions
from csmetrics.core.results import CENSORING, Durations
from csmetrics.core.schedules import CalendarOption
from csmetrics.core.table import Interactions
from csmetrics.metrics import presets
from csmetrics.metrics.resolution import FCR_CLASSES, fcr_classes
from csmetrics.metrics.service_level import FORMULAS, ServiceLevel, service_level_outcomes
from csmetrics.metrics.timing import first_response_waits
from csmetrics.presets.fields import Columns, Field, Measured

__all__ = ["CONTACT_FIELDS"]

_MATCH_MEANINGS: Mapping[str, str] = {
    "issue": "groups contacts into issues by issue_id (by customer and category without one)",
    "category": "groups contacts into issues by customer and category",
    "customer": "groups contacts into issues by customer, whatever the reason",
}
_CENSORING_MEANINGS: Mapping[str, str] = {
    "kaplan-meier": "keeps an unanswered contact in the median, censored at its wait so far",
    "exclude": "leaves an unanswered contact out of the median (still counted as censored)",
}
_FORMULA_MEANINGS: Mapping[str, str] = {
    "offered": "divides by every answered and abandoned contact (answered within / offered)",
    "answered": "divides by the answered contacts only, leaving abandoned ones out",
    "abandoned_within_met": "counts a contact abandoned within the threshold as met",
    "abandoned_within_excluded": "leaves contacts abandoned within the threshold out",
    "short_abandoned_excluded": "leaves short abandons out",
}


def _seconds(value: Any) -> str:
    if isinstance(value, timedelta):
        return f"{value.total_seconds():g} seconds"
    if isinstance(value, Mapping):
        return "per channel " + ", ".join(f"{k}: {_seconds(v)}" for k, v in value.items())
    return f"{value:g} seconds"


class _ContactField(Field):
    """A contact metric: one value per contact, in the order of the table's rows."""

    noun = "contact"

    def defaults(self) -> dict[str, Any]:
        given = catalog.get(self.name).defaults()
        return {key: given[key] for rule in self.rules for key in self.keys(rule) if key in given}

    def table(self, data: Any) -> Interactions:
        return as_interactions(data)

    def part(self, table: Any, measured: Measured, rows: npt.NDArray[np.intp]) -> Any:
        return table.take(rows)

    def ids(self, table: Any, measured: Measured, rows: npt.NDArray[np.intp]) -> list[Any]:
        ids = table.id
        return [ids.key(code) for code in ids.codes[rows].tolist()]

    def headline_of(
        self, sums: Mapping[str, float], columns: Columns, choices: Mapping[str, Any]
    ) -> float:
        den = sums["denominator"]
        return sums["numerator"] / den if den else float("nan")


class _FCR(_ContactField):
    name = "fcr"
    function = "explain of fcr"
    rules = ("window_days", "match")
    per_record = False  # a repeat joins contacts: a window changes the episodes
    tallies = ("numerator", "denominator", "pending", "repeats")
    headline = "fcr, episodes resolved at first contact / decided episodes"

    def check(self, choices: Mapping[str, Any]) -> None:
        option("match", choices["match"], MATCHES)

    def measure(
        self,
        table: Any,
        choices: Mapping[str, Any],
        as_of: datetime | None,
        calendar: CalendarOption,
    ) -> Measured:
        codes, moment = fcr_classes(
            table, window_days=choices["window_days"], match=choices["match"], as_of=as_of
        )
        return Measured(columns={"code": codes}, as_of=moment)

    def key(self, columns: Columns) -> npt.NDArray[Any]:
        return columns["code"]

    def tally(self, columns: Columns) -> dict[str, npt.NDArray[Any]]:
        code = columns["code"]
        return {
            "numerator": (code == 0).astype(np.int64),
            "denominator": ((code == 0) | (code == 1)).astype(np.int64),
            "pending": (code == 3).astype(np.int64),
            "repeats": (code == 2).astype(np.int64),
        }

    def shown(self, columns: Columns, rows: npt.NDArray[np.intp]) -> list[Any]:
        return [None if c < 0 else FCR_CLASSES[c] for c in columns["code"][rows].tolist()]

    def meaning(self, rule: str, choices: Mapping[str, Any]) -> str:
        if rule == "match":
            return _MATCH_MEANINGS[choices["match"]]
        days = choices["window_days"]
        return (
            f"counts a contact starting within {days:g} days after the latest end of its "
            "issue's earlier contacts as a repeat"
        )


# A first response's per-contact key: the wait when answered, else a marker.
_CENSORED, _LEFT_OUT, _EXCLUDED, _NOT_COUNTED = -1.0, -2.0, -3.0, -4.0
_FRT_SHOWN = {_CENSORED: "censored", _LEFT_OUT: "left out", _EXCLUDED: "excluded"}


class _FirstResponse(_ContactField):
    name = "first_response_time"
    function = "explain of first_response_time"
    rules = ("censoring",)
    tallies = ("n", "censored", "excluded", "seconds")
    headline = "first_response_time, median seconds"

    def check(self, choices: Mapping[str, Any]) -> None:
        option("censoring", choices["censoring"], CENSORING)

    def measure(
        self,
        table: Any,
        choices: Mapping[str, Any],
        as_of: datetime | None,
        calendar: CalendarOption,
    ) -> Measured:
        waits, moment = first_response_waits(table, as_of=as_of, calendar=calendar)  # type: ignore[arg-type]
        censored = waits["censored"] & ~waits["excluded"]
        marker = _LEFT_OUT if choices["censoring"] == "exclude" else _CENSORED
        key = np.where(censored, marker, waits["seconds"])
        key[waits["excluded"]] = _EXCLUDED
        key[~waits["counted"]] = _NOT_COUNTED
        return Measured(columns={**waits, "key": key}, as_of=moment)

    def key(self, columns: Columns) -> npt.NDArray[Any]:
        return columns["key"]

    def tally(self, columns: Columns) -> dict[str, npt.NDArray[Any]]:
        key = columns["key"]
        completed = key >= 0
        return {
            "n": (completed | (key == _CENSORED) | (key == _LEFT_OUT)).astype(np.int64),
            "censored": ((key == _CENSORED) | (key == _LEFT_OUT)).astype(np.int64),
            "excluded": (key == _EXCLUDED).astype(np.int64),
            "seconds": np.where(completed, key, 0.0),
        }

    def headline_of(
        self, sums: Mapping[str, float], columns: Columns, choices: Mapping[str, Any]
    ) -> float:
        # The metric's own estimator over the metric's own units.
        seconds, key = columns["seconds"], columns["key"]
        open_ = (key == _CENSORED) | (key == _LEFT_OUT)
        result = Durations(
            durations=seconds[key >= 0],
            censoring_times=seconds[open_],
            censoring=choices["censoring"],
        )
        return result.median

    def shown(self, columns: Columns, rows: npt.NDArray[np.intp]) -> list[Any]:
        return [
            None if v == _NOT_COUNTED else _FRT_SHOWN.get(v, v)
            for v in columns["key"][rows].tolist()
        ]

    def meaning(self, rule: str, choices: Mapping[str, Any]) -> str:
        return _CENSORING_MEANINGS[choices["censoring"]]


_QUEUE = ("answered", "abandoned", "waiting", "unanswered")
_COUNTS = ServiceLevel._counts  # the counters a service level result keeps


class _ServiceLevel(_ContactField):
    name = "service_level"
    function = "explain of service_level"
    rules = ("formula", "threshold")
    tallies = _COUNTS
    headline = "service_level, numerator / denominator of the formula"

    def keys(self, rule: str) -> tuple[str, ...]:
        # The short-abandon limit exists only with its formula: switched with it.
        return ("formula", "short_abandon") if rule == "formula" else (rule,)

    def defaults(self) -> dict[str, Any]:
        formula = presets.resolve("service_level", None, {"formula": None}, ("formula",))
        return {**super().defaults(), **formula}

    def check(self, choices: Mapping[str, Any]) -> None:
        option("formula", choices["formula"], FORMULAS)
        if "threshold" not in choices:
            msg = (
                "service_level needs a threshold: give it to both sides, e.g. "
                "both={'threshold': 20}, or in a and b"
            )
            raise ValueError(msg)

    def measure(
        self,
        table: Any,
        choices: Mapping[str, Any],
        as_of: datetime | None,
        calendar: CalendarOption,
    ) -> Measured:
        counts, moment = service_level_outcomes(
            table,
            threshold=choices["threshold"],
            formula=choices["formula"],
            short_abandon=choices["short_abandon"],
            as_of=as_of,
            calendar=calendar,  # type: ignore[arg-type]
        )
        # Every count as one bit: equal keys, equal counts.
        key = np.zeros(len(counts["counted"]), dtype=np.int64)
        for bit, name in enumerate(_COUNTS):
            key |= counts[name].astype(np.int64) << bit
        key[~counts["counted"]] = -1
        return Measured(columns={**counts, "key": key}, as_of=moment)

    def key(self, columns: Columns) -> npt.NDArray[Any]:
        return columns["key"]

    def tally(self, columns: Columns) -> dict[str, npt.NDArray[Any]]:
        return {name: columns[name].astype(np.int64) for name in _COUNTS}

    def shown(self, columns: Columns, rows: npt.NDArray[np.intp]) -> list[Any]:
        picked = {name: columns[name][rows].tolist() for name in (*_COUNTS, "counted")}
        out: list[Any] = []
        for i in range(len(rows)):
            row = {name: values[i] for name, values in picked.items()}
            out.append(_queue_outcome(row))
        return out

    def value(self, rule: str, choices: Mapping[str, Any]) -> Any:
        if rule == "formula" and choices["short_abandon"] is not None:
            return f"{choices['formula']} (short_abandon={_seconds(choices['short_abandon'])})"
        return choices[rule]

    def meaning(self, rule: str, choices: Mapping[str, Any]) -> str:
        if rule == "threshold":
            return f"counts a wait of up to {_seconds(choices['threshold'])} as within"
        formula = _FORMULA_MEANINGS[choices["formula"]]
        if choices["short_abandon"] is not None:
            formula += f" (abandoned within {_seconds(choices['short_abandon'])})"
        return formula


def _queue_outcome(row: Mapping[str, bool]) -> str | None:
    """One listed contact's queue outcome and what the formula did with it."""
    if not row["counted"]:
        return None
    kind = next(name for name in _QUEUE if row[name])
    if kind in {"waiting", "unanswered"}:
        return kind
    within = row[f"{kind}_within"]
    label = f"{kind} {'within' if within else 'late'}"
    if row["short_abandoned"]:
        label += " (short)"
    role = "met" if row["numerator"] else "missed" if row["denominator"] else "left out"
    return f"{label}, {role}"


CONTACT_FIELDS: Mapping[str, Field] = {
    field.name: field for field in (_FCR(), _FirstResponse(), _ServiceLevel())
}
"""The contact metrics `explain` compares, by name."""
