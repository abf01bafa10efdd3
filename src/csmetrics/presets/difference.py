"""Explain the difference: which records two definitions count differently, and why.

`explain` measures the same records under two sets of definition choices
(two presets, or a preset and explicit choices), lists every record whose
value differs, and names for each the one choice that made the difference:
it switches the choices from the first set to the second one at a time, in
the documented order of the field (`RULES`), and charges each record to the
first switch that changed it. The records are tickets for a `ticket_metrics`
field, contacts for a contact metric (`fcr`, `first_response_time`,
`service_level`). Both sides are measured on every record; where a record's
value depends on that record alone (every ticket field, a contact's first
response or queue outcome), the steps between them are measured on the
differing records only, else (`fcr`, whose repeats join contacts) on all of
them. Every column is computed with numpy; only the final short list of
differing records is built in Python.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any, Literal

import attrs
import numpy as np
import numpy.typing as npt

from csmetrics.core import html
from csmetrics.core.check import option
from csmetrics.core.frames import ToFrame
from csmetrics.core.reduce import micros
from csmetrics.core.schedules import CalendarOption
from csmetrics.core.tickets import Tickets
from csmetrics.metrics import presets
from csmetrics.metrics.presets import TICKET_CHOICES
from csmetrics.metrics.tickets import TOUCH_CLASSES, ticket_metrics
from csmetrics.presets.contacts import CONTACT_FIELDS
from csmetrics.presets.fields import Columns, Field, Measured, Side, side

__all__ = [
    "CONTACT_METRICS",
    "EXPLAIN_FIELDS",
    "FIELD_CHOICES",
    "MEANINGS",
    "ORDER",
    "RULES",
    "Explanation",
    "explain",
]

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


class _TicketField(Field):
    """A `ticket_metrics` field, ``touch_rate`` or ``reopen_count``: one row per ticket."""

    noun = "ticket"
    rules = ORDER
    per_record = True

    def __init__(self, name: str) -> None:
        self.name = name
        self.kind = _KINDS[name]
        self.tallies = _TALLIES[self.kind]
        self.headline = (
            f"{name}, {_HEADLINES[self.kind]}"
            if self.kind != "touch_rate"
            else _HEADLINES[self.kind]
        )

    def defaults(self) -> dict[str, Any]:
        return dict(presets.resolve("explain", None, {}, TICKET_CHOICES))

    def check(self, choices: Mapping[str, Any]) -> None:
        presets.resolve("explain", None, choices, TICKET_CHOICES)

    def table(self, data: Any) -> Tickets:
        return data if isinstance(data, Tickets) else Tickets.from_records(data)

    def measure(
        self,
        table: Any,
        choices: Mapping[str, Any],
        as_of: datetime | None,
        calendar: CalendarOption,
    ) -> Measured:
        rows = ticket_metrics(table, as_of=as_of, calendar=calendar, **choices)
        return Measured(columns=rows.columns, as_of=rows.as_of, ids=rows.column("ticket_id"))

    def part(self, table: Any, measured: Measured, rows: npt.NDArray[np.intp]) -> Any:
        # ticket_metrics leaves out tickets created after as_of: its rows are
        # those of the tickets up to then.
        cutoff = micros("as_of", measured.as_of) if measured.as_of is not None else 0
        first = len(measured.columns["open"])
        scope = table if len(table) == first else table.take(table.created <= cutoff)
        return scope.take(rows)

    def ids(self, table: Any, measured: Measured, rows: npt.NDArray[np.intp]) -> list[Any]:
        assert measured.ids is not None
        ids: list[Any] = measured.ids[rows].tolist()
        return ids

    def key(self, columns: Columns) -> npt.NDArray[Any]:
        return _key(self.kind, columns, self.name)

    def tally(self, columns: Columns) -> dict[str, npt.NDArray[Any]]:
        return _tally(self.kind, columns, self.name)

    def headline_of(
        self, sums: Mapping[str, float], columns: Columns, choices: Mapping[str, Any]
    ) -> float:
        values = columns[self.name] if self.kind == "time" else columns["open"]
        return _headline(self.kind, sums, values)

    def shown(self, columns: Columns, rows: npt.NDArray[np.intp]) -> list[Any]:
        return _shown(self.kind, columns, self.name, rows)

    def meaning(self, rule: str, choices: Mapping[str, Any]) -> str:
        return MEANINGS[rule][choices[rule]]


_FIELDS: Mapping[str, Field] = {
    **{name: _TicketField(name) for name in _KINDS},
    **CONTACT_FIELDS,
}

EXPLAIN_FIELDS: tuple[str, ...] = tuple(_FIELDS)
"""What `explain` compares: a `ticket_metrics` field, ``touch_rate``, ``reopen_count``, or a
contact metric (``fcr``, ``first_response_time``, ``service_level``)."""

CONTACT_METRICS: tuple[str, ...] = tuple(CONTACT_FIELDS)
"""The fields of `EXPLAIN_FIELDS` that compare contacts (the others compare tickets)."""

FIELD_CHOICES: Mapping[str, tuple[str, ...]] = {
    name: tuple(key for rule in field.rules for key in field.keys(rule))
    for name, field in _FIELDS.items()
}
"""Per field, every choice a side or ``both`` may give (a rule may switch several)."""

RULES: Mapping[str, tuple[str, ...]] = {name: field.rules for name, field in _FIELDS.items()}
"""Per field, the documented order its choices are switched in (`ORDER` for ticket fields)."""


@attrs.frozen(kw_only=True, eq=False, repr=False)
class Explanation(ToFrame):
    """The records two definitions count differently, each with the choice that made it.

    Attributes
    ----------
    field : str
        What was compared (an `EXPLAIN_FIELDS` name).
    a, b : str
        The two sides: a preset's name, or the choices given.
    choices_a, choices_b : dict
        The effective choices of each side.
    as_of : datetime or None
        The moment both were measured at.
    ids : list
        The records that differ (tickets, or contacts for a contact
        metric), in the order of the data.
    values_a, values_b : list
        Their values under each side (None: not defined, or not counted).
    rules : list of str
        For each, the choice whose switch changed it (see `RULES`).
    deltas : dict
        Counter name to a numpy column: what each listed record adds to the
        counter under b minus under a.
    tally_a, tally_b : dict
        The aggregate counters under each side (for a time: tickets where
        defined and their total seconds; for ``touch_class``: solved tickets
        per class; for ``touch_rate``: numerator and denominator; for
        ``reopen_count`` and counts: tickets and total; for a contact
        metric: the counts of its result). ``tally_b - tally_a`` is the sum
        of ``deltas``.
    headline_a, headline_b : float
        The number each side reports (see ``headline``).
    headline : str
        What the headline is.
    noun : str
        What a record is: ``"ticket"`` or ``"contact"``.
    order : tuple of str
        The field's rules in their documented order.
    settings : dict
        Per rule in which the sides differ, its value under a and under b.
    meanings : dict
        Per rule in which the sides differ, what b's value does.
    """

    field: str
    a: str
    b: str
    choices_a: dict[str, Any]
    choices_b: dict[str, Any]
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
    noun: str = "ticket"
    order: tuple[str, ...] = ORDER
    settings: dict[str, tuple[Any, Any]] = attrs.field(factory=dict)
    meanings: dict[str, str] = attrs.field(factory=dict)

    @property
    def difference(self) -> float:
        """``headline_b - headline_a``."""
        return self.headline_b - self.headline_a

    def __len__(self) -> int:
        return len(self.ids)

    def rows(self) -> list[dict[str, Any]]:
        """One dict per differing record: ``id``, ``a``, ``b``, ``rule``, ``rule_a``, ``rule_b``.

        ``rule_a`` and ``rule_b`` are the values of that choice on each side.
        """
        return [
            {
                "id": record,
                "a": va,
                "b": vb,
                "rule": rule,
                "rule_a": self.settings[rule][0],
                "rule_b": self.settings[rule][1],
            }
            for record, va, vb, rule in zip(
                self.ids, self.values_a, self.values_b, self.rules, strict=True
            )
        ]

    def to_rows(self) -> list[dict[str, Any]]:
        """`rows`, under the name every result with rows has (``to_frame()`` reads it)."""
        return self.rows()

    def counts(self) -> dict[str, int]:
        """The number of differing records per choice, in ``order``; choices with none left out."""
        return {rule: self.rules.count(rule) for rule in self.order if rule in self.rules}

    def totals(self) -> dict[str, dict[str, float]]:
        """Per choice, what its records add to each counter (b minus a); they sum to the change."""
        rules = np.array(self.rules, dtype=object)
        return {
            rule: {
                name: _number(column[rules == rule].sum()) for name, column in self.deltas.items()
            }
            for rule in self.counts()
        }

    def text(self) -> str:
        """The explanation as a reconciliation note, then one line per record."""
        differ = {0: f"no {self.noun} differs", 1: f"1 {self.noun} differs"}.get(
            len(self), f"{len(self)} {self.noun}s differ"
        )
        lines = [f"{self.field}: {differ} between {self.a} and {self.b}"]
        for rule, count in self.counts().items():
            theirs, mine = self.settings[rule]
            lines.append(
                f"  {count} because of {rule} ({theirs!r} under {self.a}, {mine!r} under "
                f"{self.b}): {self.b} {self.meanings[rule]}"
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
    data: Any,
    field: str,
    a: Side,
    b: Side,
    /,
    *,
    as_of: datetime | None = None,
    calendar: CalendarOption = None,
    both: Mapping[str, Any] | None = None,
) -> Explanation:
    """The records two definitions count differently, and the choice behind each.

    Formula: let ``c_0`` be the choices of ``a`` and ``c_k`` those of ``b``;
    ``c_i`` is ``c_(i-1)`` with the i-th differing choice (in the field's
    order, `RULES`) switched to ``b``'s value. A record is listed when its
    value under ``c_k`` differs from its value under ``c_0``, and charged to
    the first switch that changed it. Records on which both agree are never
    listed, even when a switch changed them and a later one changed them
    back.

    The orders: for a ticket field ``first_reply``, ``touch_count``,
    ``untouched``, ``resolutions``, ``reopened_resolution``, ``reopens``
    (`ORDER`); for ``fcr`` ``window_days`` then ``match``; for
    ``first_response_time`` ``censoring``; for ``service_level``
    ``formula`` (switched with ``short_abandon``, which only the formula
    ``"short_abandoned_excluded"`` takes) then ``threshold``.

    Parameters
    ----------
    data
        For a ticket field, a `Tickets` table or `Ticket` objects. For a
        contact metric, what the metric takes: an `Interactions` table,
        `Interaction` objects, a dataframe, or tickets (one contact per
        resolution cycle).
    field
        What to compare (`EXPLAIN_FIELDS`): a `ticket_metrics` field
        (``"touch_class"``, ``"first_reply"``, ``"reopens"``,
        ``"full_resolution"``, ...), ``"touch_rate"`` (whether a solved
        ticket counts as one-touch), ``"reopen_count"`` (the reopens of a
        solved ticket), or a contact metric: ``"fcr"`` (each contact's part:
        ``"resolved first time"``, ``"not resolved first time"``,
        ``"repeat"``, ``"pending"``), ``"first_response_time"`` (the wait in
        seconds, or ``"censored"``, ``"left out"`` when unanswered under
        ``censoring="exclude"``, ``"excluded"`` when nobody waited) or
        ``"service_level"`` (the queue outcome and what the formula does
        with it: ``"answered within, met"``, ``"abandoned within, left
        out"``, ``"waiting"``, ...). A contact starting after ``as_of`` is
        None: no metric counts it.
    a, b
        A preset name (``"zendesk"``, ``"dbt_zendesk"``, ``"icmi-answered"``,
        ...), or a mapping of the field's choices to values, optionally with
        a ``"preset"`` key whose choices the others override: for a ticket
        field the `ticket_metrics` choices; for ``fcr`` ``window_days`` and
        ``match``; for ``first_response_time`` ``censoring``; for
        ``service_level`` ``formula``, ``short_abandon`` and ``threshold``. A
        choice neither gives is ``both``'s, else the default (Zendesk's for
        tickets, the metric's own for contacts).
    as_of
        The moment both sides are measured at (default: the metric's, the
        latest event; for ``fcr`` the latest contact start).
    calendar
        As `ticket_metrics` for the ``*_business`` fields; as the metric
        for ``first_response_time`` and ``service_level`` (business time).
    both
        Choices both sides make unless they give their own, e.g.
        ``{"threshold": 20}`` to compare two service-level formulas.

    Returns
    -------
    Explanation
        ``rows()``, ``counts()`` (records per choice), ``totals()`` (per
        choice, the change of each aggregate counter), the headline of each
        side and ``difference``, and a text form.

    Raises
    ------
    ValueError
        An unknown field, preset, choice or choice value, naming it; a
        preset that defines none of the field's choices.

    Edge cases
    ----------
    ``explain(data, f, a, a)`` lists nothing. No records: nothing listed,
    nan headlines. The sum of ``totals()`` over the choices equals
    ``tally_b - tally_a`` for every counter, so the per-record differences
    account for the whole difference of the aggregates. A choice that
    changes no counter still changes a headline: ``censoring`` moves an
    unanswered contact out of the median, not out of the counts.

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

    A contact metric: a call abandoned after 10 seconds, under two ICMI
    formulas at a 20-second threshold.

    >>> from csmetrics import Interaction
    >>> calls = [
    ...     Interaction(id="c1", customer_id="x", start=t0,
    ...                 first_response_at=t0 + timedelta(seconds=15)),
    ...     Interaction(id="c2", customer_id="y", start=t0,
    ...                 end=t0 + timedelta(seconds=10), abandoned=True),
    ... ]
    >>> note = explain(calls, "service_level", "icmi-offered", "icmi-answered",
    ...                both={"threshold": 20})
    >>> note.rows()[0]["id"], note.rows()[0]["a"], note.rows()[0]["b"]
    ('c2', 'abandoned within, missed', 'abandoned within, left out')
    >>> note.headline_a, note.headline_b
    (0.5, 1.0)
    """
    option("field", field, EXPLAIN_FIELDS)
    spec = _FIELDS[field]
    shared = dict(both or {})
    for name in shared:
        option("both key", name, FIELD_CHOICES[field])
    label_a, choices_a = side(spec, "a", a, shared)
    label_b, choices_b = side(spec, "b", b, shared)
    table = spec.table(data)
    first = spec.measure(table, choices_a, as_of, calendar)
    last = spec.measure(table, choices_b, as_of, calendar)
    start, now = first.columns, last.columns
    key, key_b = spec.key(start), spec.key(now)
    differ = np.flatnonzero(key_b != key)
    settings = {
        rule: (spec.value(rule, choices_a), spec.value(rule, choices_b)) for rule in spec.rules
    }
    steps = [i for i, rule in enumerate(spec.rules) if settings[rule][0] != settings[rule][1]]
    charged = np.full(len(differ), -1, dtype=np.int64)
    if len(differ) and len(steps) > 1:
        # A record whose value depends on it alone is stepped alone, with the
        # other differing ones, at the same moment; else every record is.
        part = spec.part(table, first, differ) if spec.per_record else table
        pick = slice(None) if spec.per_record else differ
        current, before = dict(choices_a), key[differ]
        for index in steps[:-1]:
            for name in spec.keys(spec.rules[index]):
                current[name] = choices_b[name]
            after = spec.key(spec.measure(part, current, first.as_of, calendar).columns)[pick]
            charged[(charged < 0) & (after != before)] = index
            before = after
    # What no earlier switch changed, the last one did.
    charged[charged < 0] = steps[-1] if steps else -1
    tally_a, tally_b = spec.tally(start), spec.tally(now)
    sums_a = {k: _number(v.sum()) for k, v in tally_a.items()}
    sums_b = {k: _number(v.sum()) for k, v in tally_b.items()}
    changed = [spec.rules[i] for i in steps]
    return Explanation(
        field=field,
        a=label_a,
        b=label_b,
        choices_a=choices_a,
        choices_b=choices_b,
        as_of=first.as_of,
        ids=spec.ids(table, first, differ),
        values_a=spec.shown(start, differ),
        values_b=spec.shown(now, differ),
        rules=[spec.rules[i] for i in charged.tolist()],
        deltas={k: tally_b[k][differ] - tally_a[k][differ] for k in spec.tallies},
        tally_a=sums_a,
        tally_b=sums_b,
        headline_a=spec.headline_of(sums_a, start, choices_a),
        headline_b=spec.headline_of(sums_b, now, choices_b),
        headline=spec.headline,
        noun=spec.noun,
        order=spec.rules,
        settings={name: settings[name] for name in changed},
        meanings={name: spec.meaning(name, choices_b) for name in changed},
    )
