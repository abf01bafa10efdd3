"""Ticket metrics: one row per ticket, and the status-wait aggregates.

- `ticket_metrics`: per ticket, the first reply, first and full resolution,
  the time in each status group (requester wait, agent wait, on hold, agent
  work, solve time), the comment and reply counts, reopens and the touch
  class. Seconds, lower is better for every time; counts are counts.
- `requester_wait_time`, `agent_wait_time`, `on_hold_time`: `Durations` over
  tickets (seconds, lower is better), open tickets censored.
- `touch_rate`: the share of solved tickets solved with one agent reply (a
  fraction in [0, 1], higher is better).
- `reopen_count`: reopens per solved ticket (a `Mean`, lower is better).

Input: `Ticket` records (a list or any iterable) or a `Tickets` table. A
ticket is a row with its histories, so dataframes go through
`Tickets.from_frame(tickets_df, statuses=..., messages=...)`, one frame per
history, and a Zendesk export through `csmetrics.sources.zendesk.read_tables`;
build the table once and pass it to every metric.

Defaults follow Zendesk Support's documented ticket metrics (decisions 67 to
70).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime
from functools import partial
from typing import Any, ClassVar, Literal, overload

import attrs
import numpy as np
import numpy.typing as npt

from csmetrics.core import html
from csmetrics.core.calendar import BusinessCalendar
from csmetrics.core.check import option
from csmetrics.core.elapsed import check_calendar, elapsed
from csmetrics.core.frames import ToFrame
from csmetrics.core.model import AUTHORS, STATUSES, PeriodLike, Ticket
from csmetrics.core.reduce import (
    in_period,
    micros,
    reduce_counts,
    reduce_durations,
    reduce_mean,
    segment_starts,
    warn_if_undefined,
)
from csmetrics.core.results import Breakdown, Durations, Mean, Rate
from csmetrics.core.schedules import (
    CalendarOption,
    PerTicket,
    TicketSchedules,
    calendar_param,
)
from csmetrics.core.stats import ConfidenceInterval
from csmetrics.core.table import OPEN, Encoded, Interactions, from_micros
from csmetrics.core.tickets import (
    Tickets,
    Timeline,
    is_solved,
    latest_ticket_event,
    union_keys,
)
from csmetrics.metrics import presets
from csmetrics.metrics.presets import (
    TICKET_CHOICES,
    FirstReply,
    ReopenedResolution,
    Reopens,
    Resolutions,
    TouchCount,
    Untouched,
)

__all__ = [
    "TICKET_BY",
    "TICKET_FIELDS",
    "TOUCH_CLASSES",
    "ReopenCount",
    "TicketMetrics",
    "TouchRate",
    "agent_wait_time",
    "on_hold_time",
    "reopen_count",
    "requester_wait_time",
    "ticket_metrics",
    "touch_rate",
]

I64 = npt.NDArray[np.int64]
F64 = npt.NDArray[np.float64]
Bool = npt.NDArray[np.bool_]

_MICROS = 1_000_000
_AGENT, _CUSTOMER = AUTHORS.index("agent"), AUTHORS.index("customer")
_SOLVED, _CLOSED = STATUSES.index("solved"), STATUSES.index("closed")

TicketBy = Literal["ticket", "customer_id", "channel", "priority", "category", "assignee_id"]
"""What ``by=`` takes for ticket aggregates: ``"ticket"`` gives one group per ticket."""
TICKET_BY: tuple[TicketBy, ...] = (
    "ticket",
    "customer_id",
    "channel",
    "priority",
    "category",
    "assignee_id",
)

# The status groups of the waits (Zendesk's "About native Support time
# duration metrics"), as membership masks over the status codes.
_WAITS: dict[str, tuple[str, ...]] = {
    "requester_wait": ("new", "open", "hold"),
    "agent_wait": ("pending",),
    "on_hold": ("hold",),
    "agent_work": ("new", "open"),
    "solve_time": ("new", "open", "hold", "pending"),
}
_TIMES = ("first_reply", "first_resolution", "full_resolution", *_WAITS)
_COUNTS = (
    "resolutions",
    "reopens",
    "public_agent_comments",
    "agent_replies",
    "customer_comments",
    "internal_comments",
    "agents",
    "assignee_changes",
)
_MOMENTS = ("first_reply_at", "first_solved_at", "solved_at")
TICKET_FIELDS: tuple[str, ...] = (
    "ticket_id",
    "status",
    "open",
    *_MOMENTS,
    *(name for time in _TIMES for name in (time, f"{time}_business")),
    *_COUNTS,
    "touches",
    "touch_class",
)
"""The keys of each row of `TicketMetrics.to_rows`, in order."""
TOUCH_CLASSES = ("one", "two", "multi")


@attrs.frozen(eq=False, repr=False)
class TicketMetrics(ToFrame):
    """One row of metrics per ticket: see `ticket_metrics` for each field.

    Attributes
    ----------
    ticket_id : Encoded
        The tickets, in the order of the input table.
    columns : dict
        Field name to a numpy column: times in float64 seconds (nan: not
        defined), moments in int64 epoch microseconds (`OPEN`: not yet),
        counts in int64 (``touches`` -1: not solved), ``status`` in int64
        codes into `csmetrics.STATUSES`, ``open`` bool.
    as_of : datetime or None
        The moment the tickets were measured at (None for no tickets).
    calendar : BusinessCalendar, "per-ticket" or None
        The calendar of the ``*_business`` fields: the one given,
        ``"per-ticket"`` when each ticket was measured under its own schedule
        history, None when they are None.
    preset : str or None
        The preset the definition choices came from (None: none given).
    choices : dict
        The effective definition choices (`ticket_metrics`'s ``first_reply``,
        ``touch_count``, ``untouched``, ``resolutions``,
        ``reopened_resolution`` and ``reopens``).
    """

    ticket_id: Encoded
    columns: dict[str, npt.NDArray[Any]]
    as_of: datetime | None
    calendar: BusinessCalendar | PerTicket | None
    preset: str | None = None
    choices: dict[str, str] = attrs.field(factory=dict)

    def __len__(self) -> int:
        return len(self.ticket_id)

    def __repr__(self) -> str:
        solved = int((~self.columns["open"]).sum())
        return f"TicketMetrics({len(self)} tickets, {solved} solved, as_of={self.as_of})"

    def column(self, name: str) -> npt.NDArray[Any]:
        """One field as a numpy column (see ``columns``); ``ticket_id`` as keys."""
        option("name", name, TICKET_FIELDS)
        if name == "ticket_id":
            return self.ticket_id.keys[self.ticket_id.codes]
        return self.columns[name]

    def to_rows(self) -> list[dict[str, Any]]:
        """One dict per ticket with ``ticket_id`` and every field (`TICKET_FIELDS`).

        Times are float seconds and moments timezone-aware datetimes (UTC),
        None where not defined; counts are ints; ``touches`` and
        ``touch_class`` are None for tickets not solved at ``as_of``.
        """
        cols = self.columns
        python: dict[str, list[Any]] = {"ticket_id": self.column("ticket_id").tolist()}
        python["status"] = [STATUSES[code] for code in cols["status"].tolist()]
        python["open"] = cols["open"].tolist()
        for name in _MOMENTS:
            python[name] = [None if v == OPEN else from_micros(v) for v in cols[name].tolist()]
        for name in _TIMES:
            for field in (name, f"{name}_business"):
                python[field] = [None if math.isnan(v) else v for v in cols[field].tolist()]
        for name in _COUNTS:
            python[name] = cols[name].tolist()
        python["touches"] = [None if v < 0 else v for v in cols["touches"].tolist()]
        python["touch_class"] = [
            None if v < 0 else TOUCH_CLASSES[v] for v in cols["touch_class"].tolist()
        ]
        columns = python.values()
        return [dict(zip(TICKET_FIELDS, row, strict=True)) for row in zip(*columns, strict=True)]

    def _repr_html_(self) -> str:
        rows = self.to_rows()
        shown = (
            "ticket_id",
            "status",
            "first_reply",
            "full_resolution",
            "requester_wait",
            "agent_wait",
            "reopens",
            "agent_replies",
            "touch_class",
        )
        caption = f"TicketMetrics: {len(self)} tickets, as of {self.as_of}"
        if len(rows) > 10:
            caption += " (first 10)"
        return html.records(rows[:10], empty="no tickets", columns=shown, caption=caption)


@attrs.frozen(order=False, kw_only=True, repr=False)
class ReopenCount(Mean):
    """Reopens per solved ticket (`reopen_count`): a mean count with the ``as_of`` it used."""

    _params: ClassVar[tuple[str, ...]] = ("metric", "as_of", "preset", "resolutions", "reopens")

    as_of: datetime | None = None
    preset: str | None = None
    resolutions: str = "to_solved_or_closed"
    reopens: str = "changes"

    def ci(self, *, confidence_level: float = 0.95) -> ConfidenceInterval:
        """Student t interval, clipped at 0 (a count cannot be negative)."""
        ci = super().ci(confidence_level=confidence_level)
        return attrs.evolve(ci, low=max(ci.low, 0.0))


@attrs.frozen(order=False, kw_only=True, repr=False)
class TouchRate(Rate):
    """The share of solved tickets of one touch class (`touch_rate`), with its definition.

    ``preset``, ``touch_count`` and ``untouched`` record the definition
    choices used; results merge only when they agree.
    """

    _params: ClassVar[tuple[str, ...]] = ("metric", "preset", "touch_count", "untouched")

    preset: str | None = None
    touch_count: str = "replies_until_solved"
    untouched: str = "none"
    metric: str = "touch_rate"


def _cutoff(table: Tickets, as_of: datetime | None) -> tuple[Tickets, int, datetime | None]:
    """Resolve ``as_of`` (default: the latest event); drop tickets created after it."""
    if as_of is not None:
        cutoff = micros("as_of", as_of)
        if len(table) and int(table.created.max()) > cutoff:
            table = table.take(table.created <= cutoff)
        return table, cutoff, as_of
    latest = latest_ticket_event(table)
    if latest is None:
        return table, 0, None
    return table, latest, from_micros(latest)


def _check_table(tickets: Tickets | Iterable[Ticket]) -> Tickets:
    """The `Tickets` table of a metric's input: the table, or `Ticket` objects."""
    if isinstance(tickets, Tickets):
        return tickets
    if isinstance(tickets, Interactions) or not isinstance(tickets, Iterable):
        msg = f"expected a csmetrics.Tickets table or Ticket objects, got {type(tickets).__name__}"
        raise TypeError(msg)
    return Tickets.from_records(tickets)


def _first_per(group: I64, rows: I64, n: int, values: I64) -> I64:
    """Per group, the value at its first row among ``rows`` (sorted by group); OPEN if none."""
    out = np.full(n, OPEN, dtype=np.int64)
    groups, first = np.unique(group[rows], return_index=True)
    out[groups] = values[rows[first]]
    return out


def _last_per(group: I64, rows: I64, n: int, values: I64) -> I64:
    """Per group, the value at its last row among ``rows`` (sorted by group); OPEN if none."""
    out = np.full(n, OPEN, dtype=np.int64)
    out[group[rows]] = values[rows]  # later rows overwrite earlier ones
    return out


def _count(group: I64, mask: Bool, n: int) -> I64:
    counts: I64 = np.bincount(group[mask], minlength=n).astype(np.int64)
    return counts


Measure = Callable[[I64, I64, I64], F64]
"""Seconds of ``[start, end)`` for rows of (ticket, start, end)."""


def business_measure(table: Tickets, cutoff: int, calendar: CalendarOption) -> Measure | None:
    """How the ``*_business`` fields are measured: one calendar, per ticket, or not at all.

    None without a calendar; else a function of (ticket rows, starts, ends)
    giving the business seconds of each span, under ``calendar`` or, for a
    mapping of schedules, under each ticket's schedule history up to ``cutoff``.
    """
    if calendar is None:
        return None
    if isinstance(calendar, Mapping):
        return TicketSchedules.of(table, calendar, cutoff).business_seconds
    check_calendar(calendar)
    return lambda _ticket, start, end: elapsed(start, end, calendar)


def _since(created: I64, moment: I64, measure: Measure | None) -> F64:
    """Seconds from creation to ``moment`` (nan where it has not happened)."""
    out = np.full(len(created), np.nan)
    happened = np.flatnonzero(moment != OPEN)
    if measure is None:
        out[happened] = (moment[happened] - created[happened]) / _MICROS
    else:
        out[happened] = measure(happened, created[happened], moment[happened])
    return out


def _compute(
    table: Tickets,
    cutoff: int,
    calendar: CalendarOption,
    choices: dict[str, str] | None = None,
) -> dict[str, npt.NDArray[Any]]:
    """Every column of `TicketMetrics` for the tickets in scope, under ``choices``."""
    rule = presets.resolve("ticket_metrics", None, choices or {}, TICKET_CHOICES)
    n = len(table)
    line = Timeline.of(table, cutoff)
    measure = business_measure(table, cutoff, calendar)
    cols: dict[str, npt.NDArray[Any]] = {}

    # Status: the last segment of each ticket holds its status at the cutoff.
    last = np.ones(len(line.ticket), dtype=bool)
    last[:-1] = segment_starts(line.ticket)[1:]
    status = np.zeros(n, dtype=np.int64)
    status[line.ticket[last]] = line.status[last]
    solved_now = is_solved(status)
    cols["status"], cols["open"] = status, ~solved_now
    resolution, first_solved, solved_at = _solves(line, n, solved_now, rule)

    # Comments up to the cutoff. The first comment, written at creation, is
    # the one that created the ticket: never a reply (decision 68).
    m = table.messages
    ticket, at = m.interaction, m.at
    seen = at <= cutoff
    creating = segment_starts(ticket) & (at == table.created[ticket])
    public_agent = seen & (m.author == _AGENT) & m.public
    reply = public_agent & ~creating
    first_reply, reply_clock = _first_reply(table, public_agent, reply, seen, rule["first_reply"])
    cols["first_reply_at"], cols["first_solved_at"], cols["solved_at"] = (
        first_reply,
        first_solved,
        solved_at,
    )

    # Times from creation, and the waits: each status segment's length,
    # summed per ticket over the statuses of each wait.
    created = table.created
    business: dict[str, F64] = {}
    for name, start, moment in (
        ("first_reply", reply_clock, first_reply),
        ("first_resolution", created, first_solved),
        ("full_resolution", created, solved_at),
    ):
        cols[name] = _since(start, moment, None)
        business[name] = (
            _since(start, moment, measure) if measure is not None else np.full(n, np.nan)
        )
    counted = ~is_solved(line.status)
    seconds: F64 = np.where(counted, line.end - line.start, 0).astype(np.float64) / _MICROS
    open_seconds = np.zeros(len(line.start))
    if measure is not None:
        rows = np.flatnonzero(counted)
        open_seconds[rows] = measure(line.ticket[rows], line.start[rows], line.end[rows])
    for name, statuses in _WAITS.items():
        member = np.isin(line.status, [STATUSES.index(s) for s in statuses])
        cols[name] = np.bincount(line.ticket, weights=seconds * member, minlength=n)
        business[name] = (
            np.bincount(line.ticket, weights=open_seconds * member, minlength=n).astype(np.float64)
            if measure is not None
            else np.full(n, np.nan)
        )
    for name in _TIMES:
        cols[f"{name}_business"] = business[name]

    cols["resolutions"] = resolutions = _count(line.ticket, resolution, n)
    # dbt_zendesk counts solves minus one: a reopen not solved again is missed.
    cols["reopens"] = (
        np.maximum(resolutions - 1, 0)
        if rule["reopens"] == "solves_minus_one"
        else _count(line.ticket, line.reopen, n)
    )
    cols["public_agent_comments"] = _count(ticket, public_agent, n)
    cols["agent_replies"] = _count(ticket, reply, n)
    cols["customer_comments"] = _count(ticket, seen & (m.author == _CUSTOMER), n)
    cols["internal_comments"] = _count(ticket, seen & ~m.public, n)
    cols["agents"] = _agents(table, seen, cutoff)
    cols["assignee_changes"] = _assignee_changes(table, cutoff)

    # Touches, for solved tickets: agent replies up to the latest resolution
    # (Zendesk), or every public agent comment (dbt_zendesk).
    if rule["touch_count"] == "public_agent_comments":
        touched = public_agent
    else:
        touched = reply & (at <= np.where(solved_now, solved_at, 0)[ticket])
    cols["touches"] = np.where(solved_now, _count(ticket, touched, n), -1)
    cols["touch_class"] = _touch_class(cols["touches"], rule["untouched"])
    return cols


def _touch_class(touches: I64, untouched: str) -> I64:
    """0, 1, 2 for one-, two- and multi-touch; -1 for none (open, or untouched as ``"none"``)."""
    zero = {"none": -1, "one": 0, "multi": 2}[untouched]
    out: I64 = np.select(
        [touches == 0, touches == 1, touches == 2, touches > 2], [zero, 0, 1, 2], default=-1
    ).astype(np.int64)
    return out


def _solves(
    line: Timeline, n: int, solved_now: Bool, rule: dict[str, str]
) -> tuple[Bool, I64, I64]:
    """The segments a resolution starts, and per ticket the first and the full resolution.

    ``resolutions="to_solved_or_closed"``: every change from an unsolved
    status to solved or closed. ``"solved_else_closed"``: the changes to
    solved, or for a ticket never solved its change to closed (dbt_zendesk).
    The full resolution is the latest one while the ticket is solved, or
    with ``reopened_resolution="last_solve"`` whatever its status now.
    """
    resolution = line.resolution
    if rule["resolutions"] == "solved_else_closed":
        to_solved = resolution & (line.status == _SOLVED)
        never_solved = _count(line.ticket, to_solved, n) == 0
        resolution = to_solved | (resolution & (line.status == _CLOSED) & never_solved[line.ticket])
    solves = np.flatnonzero(resolution)
    first = _first_per(line.ticket, solves, n, line.start)
    last = _last_per(line.ticket, solves, n, line.start)
    if rule["reopened_resolution"] == "none":
        last = np.where(solved_now, last, OPEN)
    return resolution, first, last


def _first_reply(
    table: Tickets, public_agent: Bool, reply: Bool, seen: Bool, rule: str
) -> tuple[I64, I64]:
    """Per ticket, the first reply's moment and the moment its clock starts.

    ``"after_creating_comment"``: the first public agent comment but the one
    that created the ticket, timed from creation (Zendesk).
    ``"first_public_agent_comment"``: the first public agent comment, the
    creating one included, timed from creation (dbt_zendesk).
    ``"after_customer"``: the first public agent comment after the
    customer's first comment, timed from that comment (Intercom); no reply
    without a customer comment.
    """
    n, m = len(table), table.messages
    ticket, at = m.interaction, m.at
    if rule == "after_creating_comment":
        return _first_per(ticket, np.flatnonzero(reply), n, at), table.created
    if rule == "first_public_agent_comment":
        return _first_per(ticket, np.flatnonzero(public_agent), n, at), table.created
    customer = seen & (m.author == _CUSTOMER)
    asked = _first_per(ticket, np.flatnonzero(customer), n, at)
    after = public_agent & (asked[ticket] != OPEN) & (at > asked[ticket])
    return _first_per(ticket, np.flatnonzero(after), n, at), asked


def _agents(table: Tickets, seen: Bool, cutoff: int) -> I64:
    """Distinct agents per ticket: comment authors and assignees (decision 69)."""
    n, m, a = len(table), table.messages, table.assignments
    keys, (author_map, assigned_map, current_map) = union_keys(
        m.author_id.keys, a.value.keys, table.assignee_id.keys
    )
    wrote = seen & (m.author == _AGENT) & (m.author_id.codes >= 0)
    assigned = (a.at <= cutoff) & (a.value.codes >= 0)
    # A ticket's current assignee stands for its history when it has none.
    no_history = np.bincount(a.ticket, minlength=n) == 0
    current = no_history & (table.assignee_id.codes >= 0)
    tickets = np.concatenate([m.interaction[wrote], a.ticket[assigned], np.flatnonzero(current)])
    codes = np.concatenate(
        [
            author_map[m.author_id.codes[wrote]],
            assigned_map[a.value.codes[assigned]],
            current_map[table.assignee_id.codes[current]],
        ]
    )
    # Distinct (ticket, agent) pairs by one sort (numpy's hashing unique is
    # slower on millions of int64 pairs).
    pairs = np.sort(tickets * (len(keys) + 1) + codes)
    pairs = pairs[np.append(True, pairs[1:] != pairs[:-1])] if len(pairs) else pairs
    counts: I64 = np.bincount(pairs // (len(keys) + 1), minlength=n).astype(np.int64)
    return counts


def _assignee_changes(table: Tickets, cutoff: int) -> I64:
    """Moves from one assignee to another, per ticket (decision 69)."""
    a = table.assignments
    rows = np.flatnonzero((a.at <= cutoff) & (a.value.codes >= 0))
    ticket, value = a.ticket[rows], a.value.codes[rows]
    change = ~segment_starts(ticket)
    change[1:] &= value[1:] != value[:-1]
    return _count(ticket, change, len(table))


def ticket_metrics(
    tickets: Tickets | Iterable[Ticket],
    /,
    *,
    calendar: CalendarOption = None,
    as_of: datetime | None = None,
    preset: str | None = None,
    first_reply: FirstReply | None = None,
    touch_count: TouchCount | None = None,
    untouched: Untouched | None = None,
    resolutions: Resolutions | None = None,
    reopened_resolution: ReopenedResolution | None = None,
    reopens: Reopens | None = None,
) -> TicketMetrics:
    """One row of metrics per ticket, as Zendesk Support measures its tickets.

    Times run from the ticket's creation; the waits add up the time the
    ticket spent in a group of statuses over its whole life, every reopen
    included. Seconds (float); a time not yet defined is None.

    Parameters
    ----------
    tickets
        A `Tickets` table, or `Ticket` objects.
    calendar
        How the ``*_business`` fields are measured (each time counted in open
        hours only). A `BusinessCalendar`: that one calendar for every
        ticket. A mapping from schedule id to `BusinessCalendar` (what
        `csmetrics.sources.zendesk.read_schedules` returns): each ticket under
        its own schedule history (``Ticket.schedule_changes``), summed
        piecewise, each part of a time under the schedule in force then, to
        the microsecond; the key None is the schedule before a ticket's first
        change (Zendesk's default schedule). The result then records
        ``calendar="per-ticket"``. None (default): the business fields are
        None.
    as_of
        The moment the tickets are measured at: later events are ignored,
        tickets created later left out, and a ticket not solved by then is
        open, its current status running until ``as_of``. Default: the
        latest event in the data.
    preset
        A `csmetrics.presets` name (``"zendesk"``, ``"dbt_zendesk"``,
        ``"freshdesk"``, ``"intercom"``): take the definition choices below
        from that vendor's published definitions. An explicit keyword beats
        the preset; a choice neither gives is Zendesk's (the default).
    first_reply
        ``"after_creating_comment"`` (Zendesk): the first public agent
        comment but the one that created the ticket, from creation.
        ``"first_public_agent_comment"`` (dbt_zendesk): the creating comment
        included, so an agent-created ticket is replied to at once.
        ``"after_customer"`` (Intercom): the first public agent comment after
        the customer's first comment, timed from that comment.
    touch_count
        ``"replies_until_solved"`` (Zendesk): agent replies up to the latest
        resolution. ``"public_agent_comments"`` (dbt_zendesk): every public
        agent comment, the creating one included.
    untouched
        The ``touch_class`` of a ticket solved with no touch: ``"none"``
        (Zendesk), ``"one"`` or ``"multi"`` (dbt_zendesk).
    resolutions
        ``"to_solved_or_closed"`` (Zendesk): every change from an unsolved
        status to solved or closed. ``"solved_else_closed"`` (dbt_zendesk):
        the changes to solved, or to closed for a ticket never solved.
    reopened_resolution
        The full resolution of a ticket reopened and not solved again:
        ``"none"`` (Zendesk) or ``"last_solve"``, to its latest earlier
        resolution (dbt_zendesk).
    reopens
        ``"changes"`` (Zendesk): changes from solved or closed back to an
        unsolved status. ``"solves_minus_one"`` (dbt_zendesk): resolutions
        minus one (a reopen not yet solved again is not counted).

    Returns
    -------
    TicketMetrics
        One row per ticket in scope, in the table's order, with:

        - ``first_reply``: creation to the first public comment by an agent
          (never a bot), the comment that created the ticket excepted: for a
          ticket an agent opened with a public comment, the agent's next
          public comment (Zendesk). ``first_reply_at`` is that moment.
        - ``first_resolution``, ``full_resolution``: creation to the first,
          and to the latest, change to solved (or to closed from an unsolved
          status); ``first_solved_at`` and ``solved_at`` the moments. A
          ticket reopened and not solved again at ``as_of`` has no full
          resolution (``solved_at`` None).
        - ``requester_wait`` (new, open, hold), ``agent_wait`` (pending),
          ``on_hold`` (hold), ``agent_work`` (new, open), ``solve_time``
          (new, open, hold, pending): the time in those statuses over every
          cycle, the current one running to ``as_of``; a ticket is new
          before its first status change.
        - ``resolutions`` (changes to solved or closed from an unsolved
          status), ``reopens`` (changes from solved or closed back to an
          unsolved status, solved again or not), ``public_agent_comments``
          (the creating one included), ``agent_replies`` (public agent
          comments but the creating one), ``customer_comments``,
          ``internal_comments`` (by anyone), ``agents`` (distinct agents who
          commented or were assigned), ``assignee_changes`` (moves from one
          agent to another).
        - ``touches``: agent replies up to the latest resolution, and
          ``touch_class`` ``"one"``, ``"two"`` or ``"multi"`` (more than
          two), for tickets solved or closed at ``as_of``; None otherwise, and
          ``touch_class`` None for a ticket solved without an agent reply
          (Zendesk counts it in none of the three).
        - ``status`` at ``as_of`` and ``open`` (not solved or closed).

    Raises
    ------
    TypeError
        ``tickets`` is neither a `Tickets` table nor `Ticket` objects.
    ValueError
        A naive ``as_of``.

    References
    ----------
    Zendesk, "About native Support time duration metrics" (first reply,
    first and full resolution, requester wait, agent wait, on-hold time);
    "Calculating first reply time"; Zendesk Explore, "One-touch tickets",
    "Two-touch tickets". fivetran/dbt_zendesk, ``zendesk__ticket_metrics``
    and ``int_zendesk__ticket_work_time_calendar`` (the status groups).

    Examples
    --------
    >>> from datetime import datetime, timedelta, timezone
    >>> from csmetrics import Message, StatusChange, Ticket, Tickets, ticket_metrics
    >>> t0 = datetime(2026, 3, 2, 9, tzinfo=timezone.utc)
    >>> h = lambda hours: t0 + timedelta(hours=hours)
    >>> ticket = Ticket(
    ...     id=1, customer_id="ann", created=h(0),
    ...     messages=[Message(at=h(0), author="customer"),
    ...               Message(at=h(2), author="agent", author_id="max")],
    ...     statuses=[StatusChange(at=h(0), status="new"), StatusChange(at=h(2), status="pending"),
    ...               StatusChange(at=h(5), status="solved")],
    ... )
    >>> row = ticket_metrics(Tickets.from_records([ticket])).to_rows()[0]
    >>> row["first_reply"], row["requester_wait"], row["agent_wait"], row["touch_class"]
    (7200.0, 7200.0, 10800.0, 'one')
    """
    choices = presets.resolve(
        "ticket_metrics",
        preset,
        {
            "first_reply": first_reply,
            "touch_count": touch_count,
            "untouched": untouched,
            "resolutions": resolutions,
            "reopened_resolution": reopened_resolution,
            "reopens": reopens,
        },
        TICKET_CHOICES,
    )
    return _metrics_memo(tickets, as_of, calendar, preset, choices)[1]


def _metrics_memo(
    table: Tickets | Iterable[Ticket],
    as_of: datetime | None,
    calendar: CalendarOption,
    preset: str | None = None,
    choices: dict[str, str] | None = None,
) -> tuple[Tickets, TicketMetrics]:
    """The rows the ticket aggregates reduce, computed once per table, cutoff and calendar.

    Calendars by schedule id (a mapping, not hashable) are computed each time.
    """
    table, cutoff, resolved = _cutoff(_check_table(table), as_of)
    if not isinstance(calendar, Mapping):
        check_calendar(calendar)  # before it is a cache key: a list is not hashable
    effective = presets.resolve("ticket_metrics", None, choices or {}, TICKET_CHOICES)
    cache: dict[Any, TicketMetrics] = table.memo.setdefault("ticket_metrics", {})
    key = (
        None
        if isinstance(calendar, Mapping)
        else (cutoff, calendar, preset, tuple(sorted(effective.items())))
    )
    if key is not None and key in cache:
        return table, cache[key]
    rows = TicketMetrics(
        ticket_id=table.id,
        columns=_compute(table, cutoff, calendar, effective),
        as_of=resolved,
        calendar=calendar_param(calendar),
        preset=preset,
        choices=effective,
    )
    if key is not None:
        cache[key] = rows
    return table, rows


def _group(table: Tickets, by: TicketBy | None) -> Encoded | None:
    if by is None:
        return None
    option("by", by, TICKET_BY)
    column: Encoded = table.id if by == "ticket" else getattr(table, by)
    return column


_UNDEFINED = "no ticket in scope, or too many still open for the median"


def _wait(  # noqa: PLR0917 (a private helper of three public functions)
    name: str,
    metric: str,
    tickets: Tickets | Iterable[Ticket],
    as_of: datetime | None,
    calendar: CalendarOption,
    period: PeriodLike | None,
    by: TicketBy | None,
) -> Durations | Breakdown[Durations]:
    table, rows = _metrics_memo(tickets, as_of, calendar)
    keep = in_period(table.created, period)
    values = rows.columns[f"{name}_business" if calendar is not None else name]
    group = _group(table, by)
    factory = partial(
        Durations, metric=metric, calendar=calendar_param(calendar), as_of=rows.as_of, period=period
    )
    result = reduce_durations(
        factory,
        values[keep],
        rows.columns["open"][keep],
        None if group is None else group[keep],
        by,
    )
    warn_if_undefined(result, metric, _UNDEFINED)
    return result


@overload
def requester_wait_time(
    tickets: Tickets | Iterable[Ticket],
    /,
    *,
    as_of: datetime | None = None,
    calendar: CalendarOption = None,
    period: PeriodLike | None = None,
    by: None = None,
) -> Durations: ...


@overload
def requester_wait_time(
    tickets: Tickets | Iterable[Ticket],
    /,
    *,
    as_of: datetime | None = None,
    calendar: CalendarOption = None,
    period: PeriodLike | None = None,
    by: TicketBy,
) -> Breakdown[Durations]: ...


def requester_wait_time(
    tickets: Tickets | Iterable[Ticket],
    /,
    *,
    as_of: datetime | None = None,
    calendar: CalendarOption = None,
    period: PeriodLike | None = None,
    by: TicketBy | None = None,
) -> Durations | Breakdown[Durations]:
    """How long customers waited on the team: time in new, open and on hold, per ticket.

    Formula: per ticket, the sum of the lengths of its new, open and hold
    status segments over its whole life (`ticket_metrics`'s
    ``requester_wait``); the result is their distribution.

    Parameters
    ----------
    tickets
        A `Tickets` table, or `Ticket` objects.
    as_of
        Measure at this moment (default: the latest event). A ticket not
        solved or closed by then is censored at its wait so far.
    calendar
        Count business time only.
    period
        Only tickets created in this period.
    by
        Group by a ticket field: ``"ticket"`` (one group each),
        ``"customer_id"``, ``"channel"``, ``"priority"``, ``"category"``,
        ``"assignee_id"``.

    Returns
    -------
    Durations or Breakdown[Durations]
        ``metric="requester_wait_time"``; the median by default.

    Warns
    -----
    UndefinedMetricWarning
        No ticket in scope, or too many open for the median.

    References
    ----------
    Zendesk, "About native Support time duration metrics": requester wait time.

    Examples
    --------
    >>> from datetime import datetime, timedelta, timezone
    >>> from csmetrics import StatusChange, Ticket, Tickets, requester_wait_time
    >>> t0 = datetime(2026, 3, 2, 9, tzinfo=timezone.utc)
    >>> h = lambda hours: t0 + timedelta(hours=hours)
    >>> ticket = Ticket(id=1, customer_id="a", created=h(0), messages=[],
    ...     statuses=[StatusChange(at=h(1), status="hold"), StatusChange(at=h(3), status="solved")])
    >>> requester_wait_time(Tickets.from_records([ticket])).median / 3600
    3.0
    """
    return _wait("requester_wait", "requester_wait_time", tickets, as_of, calendar, period, by)


@overload
def agent_wait_time(
    tickets: Tickets | Iterable[Ticket],
    /,
    *,
    as_of: datetime | None = None,
    calendar: CalendarOption = None,
    period: PeriodLike | None = None,
    by: None = None,
) -> Durations: ...


@overload
def agent_wait_time(
    tickets: Tickets | Iterable[Ticket],
    /,
    *,
    as_of: datetime | None = None,
    calendar: CalendarOption = None,
    period: PeriodLike | None = None,
    by: TicketBy,
) -> Breakdown[Durations]: ...


def agent_wait_time(
    tickets: Tickets | Iterable[Ticket],
    /,
    *,
    as_of: datetime | None = None,
    calendar: CalendarOption = None,
    period: PeriodLike | None = None,
    by: TicketBy | None = None,
) -> Durations | Breakdown[Durations]:
    """How long the team waited on the customer: time in pending, per ticket.

    As `requester_wait_time`, over the pending segments (`ticket_metrics`'s
    ``agent_wait``); ``metric="agent_wait_time"``.

    References
    ----------
    Zendesk, "About native Support time duration metrics": agent wait time.
    """
    return _wait("agent_wait", "agent_wait_time", tickets, as_of, calendar, period, by)


@overload
def on_hold_time(
    tickets: Tickets | Iterable[Ticket],
    /,
    *,
    as_of: datetime | None = None,
    calendar: CalendarOption = None,
    period: PeriodLike | None = None,
    by: None = None,
) -> Durations: ...


@overload
def on_hold_time(
    tickets: Tickets | Iterable[Ticket],
    /,
    *,
    as_of: datetime | None = None,
    calendar: CalendarOption = None,
    period: PeriodLike | None = None,
    by: TicketBy,
) -> Breakdown[Durations]: ...


def on_hold_time(
    tickets: Tickets | Iterable[Ticket],
    /,
    *,
    as_of: datetime | None = None,
    calendar: CalendarOption = None,
    period: PeriodLike | None = None,
    by: TicketBy | None = None,
) -> Durations | Breakdown[Durations]:
    """How long tickets waited on a third party: time on hold, per ticket.

    As `requester_wait_time`, over the hold segments (`ticket_metrics`'s
    ``on_hold``); ``metric="on_hold_time"``.

    References
    ----------
    Zendesk, "About native Support time duration metrics": on-hold time.
    """
    return _wait("on_hold", "on_hold_time", tickets, as_of, calendar, period, by)


def _touch_rate_of(
    *,
    numerator: int,
    denominator: int,
    touches: int,
    period: PeriodLike | None,
    preset: str | None,
    choices: dict[str, str],
) -> TouchRate:
    return TouchRate(
        numerator=numerator,
        denominator=denominator,
        metric="touch_rate" if touches == 1 else f"touch_rate_{touches}",
        period=period,
        preset=preset,
        touch_count=choices["touch_count"],
        untouched=choices["untouched"],
    )


@overload
def touch_rate(
    tickets: Tickets | Iterable[Ticket],
    /,
    *,
    touches: int = 1,
    as_of: datetime | None = None,
    period: PeriodLike | None = None,
    by: None = None,
    preset: str | None = None,
    touch_count: TouchCount | None = None,
    untouched: Untouched | None = None,
) -> TouchRate: ...


@overload
def touch_rate(
    tickets: Tickets | Iterable[Ticket],
    /,
    *,
    touches: int = 1,
    as_of: datetime | None = None,
    period: PeriodLike | None = None,
    by: TicketBy,
    preset: str | None = None,
    touch_count: TouchCount | None = None,
    untouched: Untouched | None = None,
) -> Breakdown[TouchRate]: ...


def touch_rate(
    tickets: Tickets | Iterable[Ticket],
    /,
    *,
    touches: int = 1,
    as_of: datetime | None = None,
    period: PeriodLike | None = None,
    by: TicketBy | None = None,
    preset: str | None = None,
    touch_count: TouchCount | None = None,
    untouched: Untouched | None = None,
) -> TouchRate | Breakdown[TouchRate]:
    """The share of solved tickets solved with ``touches`` agent replies: one-touch by default.

    Formula: ``tickets solved or closed at as_of with exactly touches agent
    replies / tickets solved or closed at as_of``. Agent replies are public
    agent comments up to the latest resolution, the one that created the
    ticket excepted (`ticket_metrics`'s ``touches``). Open tickets are not
    counted. ``touches=2`` gives the two-touch rate; with ``touches=3`` the
    numerator counts three or more replies (Zendesk's multi-touch).

    Parameters
    ----------
    tickets
        A `Tickets` table, or `Ticket` objects.
    touches
        1 (one-touch, default), 2 (two-touch) or 3 (multi-touch: three or more).
    as_of
        Measure at this moment (default: the latest event).
    period
        Only tickets created in this period.
    by
        Group by a ticket field, as `requester_wait_time`.
    preset
        A `csmetrics.presets` name whose ``touch_count`` and ``untouched``
        to use (an explicit keyword beats it).
    touch_count
        What a touch is: ``"replies_until_solved"`` (Zendesk, default) or
        ``"public_agent_comments"`` (dbt_zendesk), as `ticket_metrics`.
    untouched
        Where a ticket solved with no touch goes: ``"none"`` (in no class,
        but in the denominator; Zendesk, default), ``"one"`` or ``"multi"``
        (dbt_zendesk).

    Returns
    -------
    TouchRate or Breakdown[TouchRate]
        ``metric="touch_rate"`` (``"touch_rate_2"``, ``"touch_rate_3"``),
        recording ``preset``, ``touch_count`` and ``untouched``; ``.ci()``
        gives its interval.

    References
    ----------
    Zendesk Explore, "One-touch tickets", "Two-touch tickets", "Multi-touch
    tickets".

    Examples
    --------
    >>> from datetime import datetime, timedelta, timezone
    >>> from csmetrics import Message, StatusChange, Ticket, Tickets, touch_rate
    >>> t0 = datetime(2026, 3, 2, 9, tzinfo=timezone.utc)
    >>> def ticket(id, replies):
    ...     hours = range(1, replies + 1)
    ...     agent = [Message(at=t0 + timedelta(hours=i), author="agent") for i in hours]
    ...     solved = StatusChange(at=t0 + timedelta(hours=9), status="solved")
    ...     return Ticket(id=id, customer_id="a", created=t0, messages=agent, statuses=[solved])
    >>> touch_rate(Tickets.from_records([ticket(1, 1), ticket(2, 1), ticket(3, 2)])).value
    0.6666666666666666
    """
    if touches not in (1, 2, 3):
        msg = f"touches={touches!r} is not allowed; use 1, 2 or 3 (three or more)"
        raise ValueError(msg)
    choices = presets.resolve(
        "touch_rate",
        preset,
        {"touch_count": touch_count, "untouched": untouched},
        ("touch_count", "untouched"),
    )
    table, rows = _metrics_memo(tickets, as_of, None, preset, choices)
    # The units are the tickets solved or closed at as_of; the class codes
    # 0, 1, 2 are one-, two- and multi-touch.
    keep = in_period(table.created, period) & ~rows.columns["open"]
    hit = rows.columns["touch_class"][keep] == touches - 1
    group = _group(table, by)
    result = reduce_counts(
        partial(_touch_rate_of, touches=touches, period=period, preset=preset, choices=choices),
        {"numerator": hit, "denominator": np.ones(len(hit), dtype=bool)},
        None if group is None else group[keep],
        by,
    )
    warn_if_undefined(result, "touch_rate", "no ticket solved or closed in scope")
    return result


@overload
def reopen_count(
    tickets: Tickets | Iterable[Ticket],
    /,
    *,
    as_of: datetime | None = None,
    period: PeriodLike | None = None,
    by: None = None,
    preset: str | None = None,
    resolutions: Resolutions | None = None,
    reopens: Reopens | None = None,
) -> ReopenCount: ...


@overload
def reopen_count(
    tickets: Tickets | Iterable[Ticket],
    /,
    *,
    as_of: datetime | None = None,
    period: PeriodLike | None = None,
    by: TicketBy,
    preset: str | None = None,
    resolutions: Resolutions | None = None,
    reopens: Reopens | None = None,
) -> Breakdown[ReopenCount]: ...


def reopen_count(
    tickets: Tickets | Iterable[Ticket],
    /,
    *,
    as_of: datetime | None = None,
    period: PeriodLike | None = None,
    by: TicketBy | None = None,
    preset: str | None = None,
    resolutions: Resolutions | None = None,
    reopens: Reopens | None = None,
) -> ReopenCount | Breakdown[ReopenCount]:
    """Reopens per solved ticket: how often a solved ticket comes back.

    Formula: the mean, over tickets solved or closed at ``as_of``, of their
    reopens (changes from solved or closed back to an unsolved status).
    Open tickets are left out: their count is not final.

    Parameters
    ----------
    tickets
        A `Tickets` table, or `Ticket` objects.
    as_of
        Measure at this moment (default: the latest event).
    period
        Only tickets created in this period.
    by
        Group by a ticket field, as `requester_wait_time`.
    preset
        A `csmetrics.presets` name whose ``resolutions`` and ``reopens`` to
        use (an explicit keyword beats it).
    resolutions
        Which changes are resolutions, as `ticket_metrics`:
        ``"to_solved_or_closed"`` (Zendesk, default) or
        ``"solved_else_closed"`` (dbt_zendesk).
    reopens
        ``"changes"`` (Zendesk, default): changes from solved or closed back
        to an unsolved status. ``"solves_minus_one"`` (dbt_zendesk).

    Returns
    -------
    ReopenCount or Breakdown[ReopenCount]
        A `Mean` with ``metric="reopen_count"``, ``as_of`` and the
        definition (``preset``, ``resolutions``, ``reopens``); ``.ci()``
        gives its interval.

    Examples
    --------
    >>> from datetime import datetime, timedelta, timezone
    >>> from csmetrics import StatusChange, Ticket, Tickets, reopen_count
    >>> t0 = datetime(2026, 3, 2, 9, tzinfo=timezone.utc)
    >>> h = lambda hours: t0 + timedelta(hours=hours)
    >>> solved_twice = Ticket(id=1, customer_id="a", created=t0, messages=[], statuses=[
    ...     StatusChange(at=h(1), status="solved"), StatusChange(at=h(2), status="open"),
    ...     StatusChange(at=h(3), status="solved")])
    >>> solved_once = Ticket(id=2, customer_id="b", created=t0, messages=[],
    ...     statuses=[StatusChange(at=h(1), status="solved")])
    >>> reopen_count(Tickets.from_records([solved_twice, solved_once])).value
    0.5
    """
    choices = presets.resolve(
        "reopen_count",
        preset,
        {"resolutions": resolutions, "reopens": reopens},
        ("resolutions", "reopens"),
    )
    table, rows = _metrics_memo(tickets, as_of, None, preset, choices)
    # The units are the tickets solved or closed at as_of.
    keep = in_period(table.created, period) & ~rows.columns["open"]
    group = _group(table, by)
    result = reduce_mean(
        partial(
            ReopenCount,
            metric="reopen_count",
            period=period,
            as_of=rows.as_of,
            preset=preset,
            resolutions=choices["resolutions"],
            reopens=choices["reopens"],
        ),
        rows.columns["reopens"][keep].astype(np.float64),
        None if group is None else group[keep],
        by,
    )
    warn_if_undefined(result, "reopen_count", "no ticket solved or closed in scope")
    return result
