"""Explain the difference: which tickets two definitions count differently, and why.

`explain` measures the same tickets under two sets of definition choices
(two presets, or a preset and explicit choices), lists every ticket whose
value differs, and names for each the one choice that made the difference:
it switches the choices from the first set to the second one at a time, in
the documented order (`ORDER`), and charges each ticket to the first switch
that changed it. Both sides are measured on every ticket, the steps
between them on the differing tickets only (a ticket's row depends on that
ticket alone). Every column is computed with numpy; only the final short
list of differing tickets is built in Python.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any, Literal

import attrs
import numpy as np
import numpy.typing as npt

from csmetrics.core import html
from csmetrics.core.check import option
from csmetrics.core.frames import ToFrame
from csmetrics.core.model import Ticket
from csmetrics.core.reduce import micros
from csmetrics.core.schedules import CalendarOption
from csmetrics.core.tickets import Tickets
from csmetrics.metrics import presets
from csmetrics.metrics.presets import TICKET_CHOICES
from csmetrics.metrics.tickets import TOUCH_CLASSES, TicketMetrics, ticket_metrics

__all__ = ["EXPLAIN_FIELDS", "MEANINGS", "ORDER", "Explanation", "explain"]

ORDER: tuple[str, ...] = TICKET_CHOICES
"""The order the choices are switched in: a ticket changed by several is charged to the first."""

Kind = Literal["time", "count", "class", "touch_rate", "reopen_count"]

_TIME_FIELDS = (
    "first_reply",
    "first_resolution",
    "full_resolution",
    "requester_wait",
    "agent_wait",
    "on_hold",
    "agent_work",
    "solve_time",
)
_KINDS: dict[str, Kind] = {
    **{name: "time" for base in _TIME_FIELDS for name in (base, f"{base}_business")},
    "resolutions": "count",
    "reopens": "count",
    "public_agent_comments": "count",
    "agent_replies": "count",
    "customer_comments": "count",
    "internal_comments": "count",
    "agents": "count",
    "assignee_changes": "count",
    "touches": "count",
    "touch_class": "class",
    "touch_rate": "touch_rate",
    "reopen_count": "reopen_count",
}

EXPLAIN_FIELDS: tuple[str, ...] = tuple(_KINDS)
"""What `explain` compares: a `ticket_metrics` field, ``touch_rate`` or ``reopen_count``."""

_HEADLINES: dict[Kind, str] = {
    "time": "median over the tickets where defined, seconds",
    "count": "total over the tickets where defined",
    "class": "one-touch rate of the solved tickets",
    "touch_rate": "one-touch rate of the solved tickets",
    "reopen_count": "reopens per solved ticket",
}

_TALLIES: dict[Kind, tuple[str, ...]] = {
    "time": ("n", "seconds"),
    "count": ("n", "total"),
    "class": ("one", "two", "multi", "unclassified"),
    "touch_rate": ("numerator", "denominator"),
    "reopen_count": ("n", "total"),
}

MEANINGS: Mapping[str, Mapping[str, str]] = {
    "first_reply": {
        "after_creating_comment": "takes the first public agent comment after the one that "
        "created the ticket as the first reply",
        "first_public_agent_comment": "takes the comment that created the ticket, when an "
        "agent's, as the first reply",
        "after_customer": "takes the first public agent comment after the customer's first "
        "comment as the first reply, timed from that comment",
    },
    "touch_count": {
        "replies_until_solved": "counts the agent replies up to the latest resolution as touches",
        "public_agent_comments": "counts every public agent comment as a touch, the creating "
        "one included",
    },
    "untouched": {
        "none": "puts a ticket solved without a touch in no touch class",
        "one": "counts a ticket solved without a touch as one-touch",
        "multi": "counts a ticket solved without a touch as multi-touch",
    },
    "resolutions": {
        "to_solved_or_closed": "counts every change to solved or closed as a resolution",
        "solved_else_closed": "counts a change to closed as a resolution only for a ticket "
        "never solved",
    },
    "reopened_resolution": {
        "none": "gives a reopened ticket no full resolution until it is solved again",
        "last_solve": "keeps a reopened ticket's latest solve as its full resolution",
    },
    "reopens": {
        "changes": "counts every change from solved or closed back to an unsolved status "
        "as a reopen",
        "solves_minus_one": "counts resolutions minus one as reopens",
    },
}
"""What each value of each ticket choice does, as the reconciliation note says it."""

Side = str | Mapping[str, str]
"""One side of `explain`: a preset name, or choices (with an optional ``"preset"`` key)."""


def _choices(name: str, side: Side) -> tuple[str, dict[str, str]]:
    """The label and the effective ticket choices of one side."""
    if isinstance(side, str):
        return side, presets.resolve("explain", side, {}, TICKET_CHOICES)
    given = dict(side)
    preset = given.pop("preset", None)
    for key in given:
        option(f"{name} key", key, ("preset", *TICKET_CHOICES))
    made = ", ".join(f"{k}={v}" for k, v in given.items())
    label = " with ".join(part for part in (preset, made) if part) or "the defaults"
    return label, presets.resolve("explain", preset, given, TICKET_CHOICES)


def _key(kind: Kind, cols: Mapping[str, npt.NDArray[Any]], field: str) -> npt.NDArray[Any]:
    """Per ticket, what is compared: equal keys give equal values and equal tallies."""
    solved = ~cols["open"]
    if kind == "touch_rate":
        hit: npt.NDArray[np.bool_] = solved & (cols["touch_class"] == 0)
        return hit
    if kind == "reopen_count":
        return np.where(solved, cols["reopens"], -1)
    if kind == "time":
        # nan never equals itself: compare undefined as -inf.
        return np.where(np.isnan(cols[field]), -np.inf, cols[field])
    return cols[field]


def _tally(kind: Kind, cols: Mapping[str, npt.NDArray[Any]], field: str) -> dict[str, Any]:
    """Per ticket, what it adds to each counter of the aggregate (`Explanation.tally_a`)."""
    solved = ~cols["open"]
    if kind == "time":
        defined = ~np.isnan(cols[field])
        return {"n": defined.astype(np.int64), "seconds": np.where(defined, cols[field], 0.0)}
    if kind == "count":
        values = cols[field]
        return {"n": (values >= 0).astype(np.int64), "total": np.maximum(values, 0)}
    if kind == "class":
        touch = cols["touch_class"]
        counters = {
            name: (touch == code).astype(np.int64) for code, name in enumerate(TOUCH_CLASSES)
        }
        return {**counters, "unclassified": (solved & (touch < 0)).astype(np.int64)}
    if kind == "touch_rate":
        hit = solved & (cols["touch_class"] == 0)
        return {"numerator": hit.astype(np.int64), "denominator": solved.astype(np.int64)}
    return {"n": solved.astype(np.int64), "total": np.where(solved, cols["reopens"], 0)}


def _headline(kind: Kind, tally: Mapping[str, float], values: npt.NDArray[Any]) -> float:
    """The number a side reports: a median for times, else from the counters."""
    if kind == "time":
        defined = values[~np.isnan(values)]
        return float(np.median(defined)) if len(defined) else float("nan")
    if kind == "count":
        return float(tally["total"])
    if kind in {"class", "touch_rate"}:
        solved = (
            tally["denominator"]
            if kind == "touch_rate"
            else sum(tally[k] for k in ("one", "two", "multi", "unclassified"))
        )
        hits = tally["numerator"] if kind == "touch_rate" else tally["one"]
        return hits / solved if solved else float("nan")
    return tally["total"] / tally["n"] if tally["n"] else float("nan")


def _shown(kind: Kind, cols: Mapping[str, npt.NDArray[Any]], field: str, rows: Any) -> list[Any]:
    """The values of the listed tickets as Python values, None where undefined."""
    if kind == "time":
        return [None if np.isnan(v) else float(v) for v in cols[field][rows]]
    if kind in {"class", "touch_rate"}:
        return [None if v < 0 else TOUCH_CLASSES[v] for v in cols["touch_class"][rows].tolist()]
    if kind == "reopen_count":
        reopens = np.where(cols["open"], -1, cols["reopens"])[rows]
        return [None if v < 0 else v for v in reopens.tolist()]
    return [None if v < 0 else v for v in cols[field][rows].tolist()]


@attrs.frozen(kw_only=True, eq=False, repr=False)
class Explanation(ToFrame):
    """The tickets two definitions count differently, each with the choice that made it.

    Attributes
    ----------
    field : str
        What was compared (an `EXPLAIN_FIELDS` name).
    a, b : str
        The two sides: a preset's name, or the choices given.
    choices_a, choices_b : dict
        The effective ticket choices of each side.
    as_of : datetime or None
        The moment both were measured at.
    ids : list
        The tickets that differ, in the table's order.
    values_a, values_b : list
        Their values under each side (None: not defined).
    rules : list of str
        For each, the choice whose switch changed it (see `ORDER`).
    deltas : dict
        Counter name to a numpy column: what each listed ticket adds to the
        counter under b minus under a.
    tally_a, tally_b : dict
        The aggregate counters under each side (for a time: tickets where
        defined and their total seconds; for ``touch_class``: solved tickets
        per class; for ``touch_rate``: numerator and denominator; for
        ``reopen_count`` and counts: tickets and total). ``tally_b - tally_a``
        is the sum of ``deltas``.
    headline_a, headline_b : float
        The number each side reports (see ``headline``).
    headline : str
        What the headline is.
    """

    field: str
    a: str
    b: str
    choices_a: dict[str, str]
    choices_b: dict[str, str]
    as_of: datetime | None
    ids: list[Any]
    values_a: list[Any]
    values_b: list[Any]
    rules: list[str]
    deltas: dict[str, npt.NDArray[Any]]
    tally_a: dict[str, float]
    tally_b: dict[str, float]
    headline_a: float
    headline_b: float
    headline: str

    @property
    def difference(self) -> float:
        """``headline_b - headline_a``."""
        return self.headline_b - self.headline_a

    def __len__(self) -> int:
        return len(self.ids)

    def rows(self) -> list[dict[str, Any]]:
        """One dict per differing ticket: ``id``, ``a``, ``b``, ``rule``, ``rule_a``, ``rule_b``.

        ``rule_a`` and ``rule_b`` are the values of that choice on each side.
        """
        return [
            {
                "id": ticket,
                "a": va,
                "b": vb,
                "rule": rule,
                "rule_a": self.choices_a[rule],
                "rule_b": self.choices_b[rule],
            }
            for ticket, va, vb, rule in zip(
                self.ids, self.values_a, self.values_b, self.rules, strict=True
            )
        ]

    def to_rows(self) -> list[dict[str, Any]]:
        """`rows`, under the name every result with rows has (``to_frame()`` reads it)."""
        return self.rows()

    def counts(self) -> dict[str, int]:
        """The number of differing tickets per choice, in `ORDER`; choices with none left out."""
        return {rule: self.rules.count(rule) for rule in ORDER if rule in self.rules}

    def totals(self) -> dict[str, dict[str, float]]:
        """Per choice, what its tickets add to each counter (b minus a); they sum to the change."""
        rules = np.array(self.rules, dtype=object)
        return {
            rule: {
                name: _number(column[rules == rule].sum()) for name, column in self.deltas.items()
            }
            for rule in self.counts()
        }

    def text(self) -> str:
        """The explanation as a reconciliation note, then one line per ticket."""
        differ = {0: "no ticket differs", 1: "1 ticket differs"}.get(
            len(self), f"{len(self)} tickets differ"
        )
        lines = [f"{self.field}: {differ} between {self.a} and {self.b}"]
        for rule, count in self.counts().items():
            mine, theirs = self.choices_b[rule], self.choices_a[rule]
            lines.append(
                f"  {count} because of {rule} ({theirs!r} under {self.a}, {mine!r} under "
                f"{self.b}): {self.b} {MEANINGS[rule][mine]}"
            )
        lines.append(
            f"{self.headline}: {self.a} {_fmt(self.headline_a)}, {self.b} "
            f"{_fmt(self.headline_b)}, difference {_fmt(self.difference)}"
        )
        lines += [
            f"  {row['id']}: {row['a']!r} under {self.a}, {row['b']!r} under {self.b} "
            f"({row['rule']})"
            for row in self.rows()
        ]
        return "\n".join(lines)

    __str__ = text

    def __repr__(self) -> str:
        counts = ", ".join(f"{rule}={n}" for rule, n in self.counts().items())
        return (
            f"Explanation({self.field!r}, {self.a!r} vs {self.b!r}: {len(self)} differ"
            + (f" ({counts})" if counts else "")
            + ")"
        )

    def _repr_html_(self) -> str:
        caption = self.text().splitlines()[0]
        return html.records(
            self.rows(),
            empty=caption,
            columns=("id", "a", "b", "rule", "rule_a", "rule_b"),
            caption=caption,
        )


def _number(value: Any) -> float:
    """A counter as a Python number: an int when whole (counts), else a float (seconds)."""
    out = float(value)
    return int(out) if out.is_integer() else out


def _fmt(value: float) -> str:
    return f"{value:.6g}"


def explain(
    data: Tickets | Iterable[Ticket],
    field: str,
    a: Side,
    b: Side,
    /,
    *,
    as_of: datetime | None = None,
    calendar: CalendarOption = None,
) -> Explanation:
    """The tickets two definitions count differently, and the choice behind each.

    Formula: let ``c_0`` be the choices of ``a`` and ``c_k`` those of ``b``;
    ``c_i`` is ``c_(i-1)`` with the i-th differing choice (in `ORDER`:
    ``first_reply``, ``touch_count``, ``untouched``, ``resolutions``,
    ``reopened_resolution``, ``reopens``) switched to ``b``'s value. A
    ticket is listed when its value under ``c_k`` differs from its value
    under ``c_0``, and charged to the first switch that changed it. Tickets
    on which both agree are never listed, even when a switch changed them
    and a later one changed them back.

    Parameters
    ----------
    data
        A `Tickets` table, or `Ticket` objects.
    field
        What to compare (`EXPLAIN_FIELDS`): a `ticket_metrics` field
        (``"touch_class"``, ``"first_reply"``, ``"reopens"``,
        ``"full_resolution"``, ...) or a metric: ``"touch_rate"`` (whether a
        solved ticket counts as one-touch) or ``"reopen_count"`` (the
        reopens of a solved ticket).
    a, b
        A preset name (``"zendesk"``, ``"dbt_zendesk"``, ...), or a mapping
        of ticket choices to values, optionally with a ``"preset"`` key whose
        choices the others override; a choice neither gives is the
        library's default (Zendesk's).
    as_of
        The moment both sides are measured at (default: the latest event).
    calendar
        As `ticket_metrics`, for the ``*_business`` fields.

    Returns
    -------
    Explanation
        ``rows()``, ``counts()`` (tickets per choice), ``totals()`` (per
        choice, the change of each aggregate counter), the headline of each
        side and ``difference``, and a text form.

    Raises
    ------
    ValueError
        An unknown field, preset, choice or choice value, naming it.

    Edge cases
    ----------
    ``explain(data, f, a, a)`` lists nothing. No tickets: nothing listed,
    nan headlines. The sum of ``totals()`` over the choices equals
    ``tally_b - tally_a`` for every counter, so the per-ticket differences
    account for the whole difference of the aggregates.

    Examples
    --------
    >>> from datetime import datetime, timedelta, timezone
    >>> from csmetrics import Message, StatusChange, Ticket, Tickets, explain
    >>> t0 = datetime(2026, 3, 2, 9, tzinfo=timezone.utc)
    >>> h = lambda hours: t0 + timedelta(hours=hours)
    >>> solved_silently = Ticket(id="B", customer_id="ann", created=t0,
    ...     messages=[Message(at=t0, author="customer")],
    ...     statuses=[StatusChange(at=h(1), status="solved")])
    >>> note = explain(Tickets.from_records([solved_silently]), "touch_class",
    ...                "zendesk", "dbt_zendesk")
    >>> note.rows()[0]["a"], note.rows()[0]["b"], note.counts()
    (None, 'multi', {'untouched': 1})
    >>> len(explain([solved_silently], "touch_class", "zendesk", "zendesk"))
    0
    """
    option("field", field, EXPLAIN_FIELDS)
    kind = _KINDS[field]
    label_a, choices_a = _choices("a", a)
    label_b, choices_b = _choices("b", b)
    table = data if isinstance(data, Tickets) else Tickets.from_records(data)

    def measure(tickets: Tickets, choices: Mapping[str, str], moment: Any) -> TicketMetrics:
        return ticket_metrics(tickets, as_of=moment, calendar=calendar, **choices)  # type: ignore[arg-type]

    first, last = measure(table, choices_a, as_of), measure(table, choices_b, as_of)
    start, now = first.columns, last.columns
    key, key_b = _key(kind, start, field), _key(kind, now, field)
    differ = np.flatnonzero(key_b != key)
    # Each ticket's row depends on that ticket alone, so the steps between the
    # two sides are measured on the differing tickets only, at the same moment.
    rule = np.full(len(differ), -1, dtype=np.int64)
    steps = [i for i, name in enumerate(ORDER) if choices_a[name] != choices_b[name]]
    if len(differ) and len(steps) > 1:
        cutoff = micros("as_of", first.as_of) if first.as_of is not None else 0
        scope = table if len(table) == len(first) else table.take(table.created <= cutoff)
        part = scope.take(differ)
        current, before = dict(choices_a), key[differ]
        for index in steps[:-1]:
            current[ORDER[index]] = choices_b[ORDER[index]]
            after = _key(kind, measure(part, current, first.as_of).columns, field)
            rule[(rule < 0) & (after != before)] = index
            before = after
    # What no earlier switch changed, the last one did.
    rule[rule < 0] = steps[-1] if steps else -1
    tally_a, tally_b = _tally(kind, start, field), _tally(kind, now, field)
    sums_a = {k: _number(v.sum()) for k, v in tally_a.items()}
    sums_b = {k: _number(v.sum()) for k, v in tally_b.items()}
    return Explanation(
        field=field,
        a=label_a,
        b=label_b,
        choices_a=choices_a,
        choices_b=choices_b,
        as_of=first.as_of,
        ids=first.column("ticket_id")[differ].tolist(),
        values_a=_shown(kind, start, field, differ),
        values_b=_shown(kind, now, field, differ),
        rules=[ORDER[i] for i in rule.tolist()],
        deltas={k: tally_b[k][differ] - tally_a[k][differ] for k in _TALLIES[kind]},
        tally_a=sums_a,
        tally_b=sums_b,
        headline_a=_headline(kind, sums_a, start[field] if kind == "time" else start["open"]),
        headline_b=_headline(kind, sums_b, now[field] if kind == "time" else now["open"]),
        headline=f"{field}, {_HEADLINES[kind]}" if kind != "touch_rate" else _HEADLINES[kind],
    )
