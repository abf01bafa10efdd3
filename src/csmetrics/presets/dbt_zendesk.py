"""Drop-in outputs for users of Fivetran's dbt_zendesk package (v1.6).

`ticket_metrics` measures tickets by the ``"dbt_zendesk"`` preset and
names and scales each column as the package's ``zendesk__ticket_metrics``
model does, so the rows can be diffed against that table column by column.
Times are minutes: the resolution times and the time in each status as the
warehouse's ``datediff(minute, start, end)`` counts them (minute boundaries
crossed, whole numbers), the first reply time as seconds / 60 (the package
takes a difference in seconds and divides), business minutes as business
seconds / 60; minutes that are not whole are rounded to 4 places, as the
package's final models round them. `NOT_PRODUCED` lists the model's columns this table leaves
out, with the reason.

`sla_policies` gives the rows of the ``zendesk__sla_policies`` model: the
targets `csmetrics.sla_outcomes` applies, measured by the package's own
rules, target and elapsed time in minutes (see `SLA_COLUMNS`).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from datetime import datetime
from typing import Any, Literal

import attrs
import numpy as np
import numpy.typing as npt

from csmetrics.core import html
from csmetrics.core.check import option
from csmetrics.core.frames import ToFrame
from csmetrics.core.model import AUTHORS, STATUSES, Ticket
from csmetrics.core.reduce import micros, segment_starts
from csmetrics.core.schedules import CalendarOption
from csmetrics.core.table import OPEN, Encoded, from_micros
from csmetrics.core.tickets import Tickets, Timeline, is_solved
from csmetrics.metrics import sla as sla_family
from csmetrics.metrics import tickets as ticket_family
from csmetrics.metrics.sla import TARGETS, SLAPolicy

__all__ = [
    "COLUMNS",
    "NOT_PRODUCED",
    "SLA_COLUMNS",
    "SLA_METRICS",
    "SLA_NOT_PRODUCED",
    "DbtSLAPolicies",
    "DbtTicketMetrics",
    "sla_policies",
    "ticket_metrics",
]

F64 = npt.NDArray[np.float64]
I64 = npt.NDArray[np.int64]

_MINUTE = 60_000_000  # microseconds
_AGENT = AUTHORS.index("agent")
_CUSTOMER = AUTHORS.index("customer")
_SOLVED = STATUSES.index("solved")

Kind = Literal["key", "status", "moment", "int", "minutes", "bool"]

COLUMNS: dict[str, Kind] = {
    "ticket_id": "key",
    "status": "status",
    "first_solved_at": "moment",
    "last_solved_at": "moment",
    "first_assignee_id": "key",
    "last_assignee_id": "key",
    "first_agent_assignment_date": "moment",
    "last_agent_assignment_date": "moment",
    "ticket_last_comment_date": "moment",
    "last_status_assignment_date": "moment",
    "first_reply_time_calendar_minutes": "minutes",
    "first_reply_time_business_minutes": "minutes",
    "total_reply_time_calendar_minutes": "minutes",
    "ticket_unassigned_duration_calendar_minutes": "minutes",
    "first_assignment_to_resolution_calendar_minutes": "int",
    "last_assignment_to_resolution_calendar_minutes": "int",
    "first_resolution_calendar_minutes": "int",
    "final_resolution_calendar_minutes": "int",
    "first_resolution_business_minutes": "minutes",
    "full_resolution_business_minutes": "minutes",
    "count_resolutions": "int",
    "count_reopens": "int",
    "count_agent_comments": "int",
    "count_public_agent_comments": "int",
    "count_end_user_comments": "int",
    "count_public_comments": "int",
    "count_internal_comments": "int",
    "total_comments": "int",
    "count_ticket_handoffs": "int",
    "total_agent_replies": "int",
    "unique_assignee_count": "int",
    "assignee_stations_count": "int",
    "is_one_touch_resolution": "bool",
    "is_two_touch_resolution": "bool",
    "is_multi_touch_resolution": "bool",
    "new_status_duration_in_calendar_minutes": "int",
    "open_status_duration_in_calendar_minutes": "int",
    "agent_wait_time_in_calendar_minutes": "int",
    "requester_wait_time_in_calendar_minutes": "int",
    "agent_work_time_in_calendar_minutes": "int",
    "on_hold_time_in_calendar_minutes": "int",
    "solve_time_in_calendar_minutes": "int",
    "new_status_duration_in_business_minutes": "minutes",
    "open_status_duration_in_business_minutes": "minutes",
    "agent_wait_time_in_business_minutes": "minutes",
    "requester_wait_time_in_business_minutes": "minutes",
    "agent_work_time_in_business_minutes": "minutes",
    "on_hold_time_in_business_minutes": "minutes",
    "solve_time_in_business_minutes": "minutes",
}
"""The columns of `DbtTicketMetrics.to_rows`, in order, with their kind.

``int``: whole numbers (counts, and calendar minutes as ``datediff``
counts them); ``minutes``: float minutes; ``bool``; ``moment``: UTC
datetimes; ``key``: ids as given (an assignee id, None when unassigned);
None where the model has a null.
"""

NOT_PRODUCED: dict[str, str] = {
    "group_stations_count": "groups are not in the ticket model",
    "ticket_deleted_count": "deleted tickets are not in the ticket model",
    "total_ticket_recoveries": "deleted tickets are not in the ticket model",
    "requester_last_login_age_minutes": "depends on the moment the model runs and on the "
    "users table",
    "assignee_last_login_age_minutes": "depends on the moment the model runs and on the "
    "users table",
    "unsolved_ticket_age_minutes": "depends on the moment the model runs",
    "unsolved_ticket_age_since_update_minutes": "depends on the moment the model runs",
    "the zendesk__ticket_enriched columns": "ticket attributes, not metrics: take them "
    "from the export",
}
"""Columns of ``zendesk__ticket_metrics`` (v1.6) this table does not produce, and why."""

_WAITS = {
    "new_status_duration": ("new",),
    "open_status_duration": ("open",),
    "agent_wait_time": ("pending",),
    "requester_wait_time": ("new", "open", "hold"),
    "agent_work_time": ("new", "open"),
    "on_hold_time": ("hold",),
    "solve_time": ("new", "open", "hold", "pending"),
}
_BUSINESS_WAITS = {
    "agent_wait_time": "agent_wait_business",
    "requester_wait_time": "requester_wait_business",
    "agent_work_time": "agent_work_business",
    "on_hold_time": "on_hold_business",
}


@attrs.frozen(eq=False, repr=False)
class DbtTicketMetrics(ToFrame):
    """One row per ticket with dbt_zendesk's ``zendesk__ticket_metrics`` names and units.

    Attributes
    ----------
    ticket_id : Encoded
        The tickets, in the order of the input table.
    columns : dict
        Column name (`COLUMNS`, ``ticket_id`` aside) to a numpy column:
        whole numbers and minutes as float64 with nan for null, moments as
        int64 epoch microseconds (`OPEN`: null), ``status`` as codes into
        `csmetrics.STATUSES`, the touch flags as bool.
    as_of : datetime or None
        The moment the tickets were measured at (the model's
        ``current_timestamp``).
    """

    ticket_id: Encoded
    columns: dict[str, npt.NDArray[Any]]
    as_of: datetime | None

    def __len__(self) -> int:
        return len(self.ticket_id)

    def __repr__(self) -> str:
        return f"DbtTicketMetrics({len(self)} tickets, as_of={self.as_of})"

    def column(self, name: str) -> npt.NDArray[Any]:
        """One column as numpy (see ``columns``); ``ticket_id`` as keys."""
        option("name", name, tuple(COLUMNS))
        if name == "ticket_id":
            return self.ticket_id.keys[self.ticket_id.codes]
        return self.columns[name]

    def to_rows(self) -> list[dict[str, Any]]:
        """One dict per ticket, the columns of `COLUMNS` in order; None for null."""
        return _rows(self, COLUMNS)

    def _repr_html_(self) -> str:
        shown = (
            "ticket_id",
            "status",
            "first_reply_time_calendar_minutes",
            "final_resolution_calendar_minutes",
            "count_reopens",
            "is_one_touch_resolution",
        )
        rows = self.to_rows()
        caption = f"dbt_zendesk ticket metrics: {len(self)} tickets, as of {self.as_of}"
        return html.records(rows[:10], empty="no tickets", columns=shown, caption=caption)


def _datediff_minutes(start: I64, end: I64) -> I64:
    """Minute boundaries crossed from ``start`` to ``end``, as ``datediff(minute, ...)``."""
    out: I64 = np.floor_divide(end, _MINUTE) - np.floor_divide(start, _MINUTE)
    return out


def _since(created: I64, moment: I64) -> F64:
    out = np.full(len(created), np.nan)
    happened = moment != OPEN
    out[happened] = _datediff_minutes(created[happened], moment[happened])
    return out


def _comment_counts(table: Tickets, cutoff: int) -> dict[str, F64]:
    n, m = len(table), table.messages
    seen = m.at <= cutoff
    agent = seen & (m.author == _AGENT)

    def count(mask: npt.NDArray[np.bool_]) -> F64:
        return np.bincount(m.interaction[mask], minlength=n).astype(np.float64)

    # Distinct commenting agents per ticket, by one sort of (ticket, author) pairs.
    named = agent & (m.author_id.codes >= 0)
    width = len(m.author_id.keys) + 1
    pairs = np.unique(m.interaction[named].astype(np.int64) * width + m.author_id.codes[named])
    # A reply is a public agent comment that is not the ticket's first public
    # comment (the package's previous_commenter_role != 'first_comment').
    public = np.flatnonzero(seen & m.public)
    first_public = np.zeros(len(m.at), dtype=bool)
    first_public[public[np.unique(m.interaction[public], return_index=True)[1]]] = True
    return {
        "total_agent_replies": count(agent & m.public & ~first_public),
        "count_agent_comments": count(agent),
        "count_public_comments": count(seen & m.public),
        "total_comments": count(seen),
        "count_ticket_handoffs": np.bincount(pairs // width, minlength=n).astype(np.float64),
    }


def _total_reply_minutes(table: Tickets, cutoff: int) -> F64:
    """Per ticket, the summed reply times of its customer comment runs, in minutes.

    Over the public comments up to ``cutoff``, in (time, author) order: a
    run starts at a customer comment whose previous public comment is not
    a customer's; its reply is the first public agent comment after it
    (strictly later). Runs without a reply add nothing; null when no run
    has a reply.
    """
    n, m = len(table), table.messages
    public = np.flatnonzero((m.at <= cutoff) & m.public)
    # The package orders ties by role name, which is the order of AUTHORS'
    # codes: external (customer) < internal (agent) < unknown (bot).
    public = public[np.lexsort((m.author[public], m.at[public], m.interaction[public]))]
    ticket, at, author = m.interaction[public], m.at[public], m.author[public]
    first = np.ones(len(public), dtype=bool)
    first[1:] = ticket[1:] != ticket[:-1]
    previous = np.concatenate([[-1], author[:-1]])
    previous[first] = -1
    run = (author == _CUSTOMER) & (previous != _CUSTOMER)
    # The package also leaves out the ticket's first public comment as a
    # reply; it never follows a run, so it never is one here either.
    reply = author == _AGENT
    if not run.any():
        return np.full(n, np.nan)
    # Runs and replies in one (ticket, time) order, a run after a reply at
    # its own moment; each run takes the next reply row if it is of its ticket.
    rows = np.concatenate([np.flatnonzero(reply), np.flatnonzero(run)])
    is_run = np.repeat([False, True], [np.count_nonzero(reply), np.count_nonzero(run)])
    order = np.lexsort((is_run, at[rows], ticket[rows]))
    rows, is_run = rows[order], is_run[order]
    end = len(rows)  # as a position: no reply follows
    position = np.where(is_run, end, np.arange(end))
    following = np.append(np.minimum.accumulate(position[::-1])[::-1][1:], end)[is_run]
    starts = rows[is_run]
    answer = rows[np.minimum(following, end - 1)]
    replied = (following < end) & (ticket[answer] == ticket[starts])
    starts, answer = starts[replied], answer[replied]
    minutes = (at[answer] - at[starts]) / _MINUTE
    out = np.bincount(ticket[starts], weights=minutes, minlength=n).astype(np.float64)
    out[np.bincount(ticket[starts], minlength=n) == 0] = np.nan
    return out


def _unassigned_minutes(table: Tickets, cutoff: int) -> F64:
    """Per ticket, the minutes to each assignment change made while unassigned.

    Over the assignee history up to ``cutoff``: each change whose previous
    value is null (unassigned) or that is the ticket's first change adds
    the time since that previous change, or since creation for the first.
    The current unassigned stretch adds nothing; null without a history.
    """
    n, a = len(table), table.assignments
    seen = np.flatnonzero(a.at <= cutoff)
    ticket, at, value = a.ticket[seen], a.at[seen], a.value.codes[seen]
    first = np.ones(len(seen), dtype=bool)
    first[1:] = ticket[1:] != ticket[:-1]
    since = np.where(first, table.created[ticket], np.concatenate([[0], at[:-1]]))
    was_unassigned = first | (np.concatenate([[-1], value[:-1]]) < 0)
    minutes = np.where(was_unassigned, (at - since) / _MINUTE, 0.0)
    out = np.bincount(ticket, weights=minutes, minlength=n).astype(np.float64)
    out[np.bincount(ticket, minlength=n) == 0] = np.nan
    return out


def _ends(ticket: I64) -> tuple[I64, I64]:
    """The first and the last row of each run of equal tickets (``ticket`` sorted)."""
    first = np.flatnonzero(segment_starts(ticket))
    last = np.append(first[1:] - 1, len(ticket) - 1) if len(first) else first
    return first, last


def _latest(ticket: I64, at: I64, cutoff: int, n: int) -> I64:
    """Per ticket, the latest moment up to ``cutoff``; `OPEN` (null) without one.

    ``ticket`` and ``at`` are a child table's columns, sorted by (ticket, time).
    """
    seen = np.flatnonzero(at <= cutoff)
    out = np.full(n, OPEN, dtype=np.int64)
    last = _ends(ticket[seen])[1]
    out[ticket[seen][last]] = at[seen][last]
    return out


def _assignee_columns(
    table: Tickets, cutoff: int, last_solved: I64, solved: npt.NDArray[np.bool_]
) -> dict[str, npt.NDArray[Any]]:
    """Per ticket, the assignee history's columns, as ``int_zendesk__ticket_historical_assignee``.

    Over the assignee history up to ``cutoff`` (the ticket field history
    rows of ``assignee_id``, an unassignment being a row whose value is
    null): the first and the last row give ``first_assignee_id`` and
    ``first_agent_assignment_date``, ``last_assignee_id`` and
    ``last_agent_assignment_date``, whatever their value (a first row that
    is an unassignment gives a null id and its moment); the rows with a
    value are the stations (``count(value)``: an unassignment is none, a
    return to an earlier assignee is one more), their distinct values the
    unique assignees. A ticket without history has a null in every column.
    ``*_assignment_to_resolution_calendar_minutes``: ``datediff(minute, ...)``
    from the first and from the last assignment row to the last solve, null
    unless the ticket is solved or closed now.
    """
    n, a = len(table), table.assignments
    seen = np.flatnonzero(a.at <= cutoff)
    ticket, at = a.ticket[seen], a.at[seen]
    value = a.value.codes[seen].astype(np.int64)
    first, last = _ends(ticket)
    has = np.zeros(n, dtype=bool)
    has[ticket[first]] = True
    # Code -1 (unassigned) takes the last slot: None.
    names = np.concatenate([a.value.keys.astype(object), np.array([None], dtype=object)])
    out: dict[str, npt.NDArray[Any]] = {}
    for end, rows in (("first", first), ("last", last)):
        ids = np.full(n, None, dtype=object)
        ids[ticket[rows]] = names[value[rows]]
        moments = np.full(n, OPEN, dtype=np.int64)
        moments[ticket[rows]] = at[rows]
        out[f"{end}_assignee_id"] = ids
        out[f"{end}_agent_assignment_date"] = moments
        defined = solved & (moments != OPEN) & (last_solved != OPEN)
        minutes = np.full(n, np.nan)
        minutes[defined] = _datediff_minutes(moments[defined], last_solved[defined])
        out[f"{end}_assignment_to_resolution_calendar_minutes"] = minutes
    assigned = value >= 0
    stations = np.bincount(ticket[assigned], minlength=n).astype(np.float64)
    width = len(a.value.keys) + 1
    pairs = np.unique(ticket[assigned] * width + value[assigned])
    unique = np.bincount(pairs // width, minlength=n).astype(np.float64)
    stations[~has] = unique[~has] = np.nan
    out["assignee_stations_count"], out["unique_assignee_count"] = stations, unique
    return out


def _status_business_minutes(
    measure: ticket_family.Measure | None, line: Timeline, statuses: tuple[str, ...], n: int
) -> F64:
    """Per ticket, the business minutes in ``statuses`` (0 if none; nan: no calendar).

    Summed over the segments, then rounded to 4 places once (the package sums
    ``int_zendesk__ticket_work_time_business``'s per-segment minutes and
    rounds the sum).
    """
    if measure is None:
        return np.full(n, np.nan)
    rows = np.flatnonzero(np.isin(line.status, [STATUSES.index(s) for s in statuses]))
    if not len(rows):
        return np.zeros(n)
    seconds = measure(line.ticket[rows], line.start[rows], line.end[rows])
    return _minutes(np.bincount(line.ticket[rows], weights=seconds, minlength=n).astype(np.float64))


def _minutes(seconds: F64) -> F64:
    """Seconds as minutes, rounded to 4 places as the package rounds its minute columns."""
    out: F64 = _round4(seconds / 60.0)
    return out


def _round4(minutes: F64) -> F64:
    """``round(cast(minutes as numeric), 4)``, as the package's final models write minutes."""
    out: F64 = np.round(minutes, 4)
    return out


def _python(kind: Kind, values: list[Any]) -> list[Any]:
    """One column's values as the rows hold them, None for null (nan, `OPEN`)."""
    if kind == "status":
        return [STATUSES[code] for code in values]
    if kind == "moment":
        return [None if v == OPEN else from_micros(v) for v in values]
    if kind == "int":
        return [None if math.isnan(v) else int(v) for v in values]
    if kind == "minutes":
        return [None if math.isnan(v) else v for v in values]
    if kind == "bool":  # a bool array, or float64 with nan for null (is_sla_breach)
        return [None if isinstance(v, float) and math.isnan(v) else bool(v) for v in values]
    return values


def _rows(table: DbtTicketMetrics | DbtSLAPolicies, kinds: dict[str, Kind]) -> list[dict[str, Any]]:
    """The rows of a drop-in table: one dict per row, its columns in ``kinds``' order."""
    python = [_python(kind, table.column(name).tolist()) for name, kind in kinds.items()]
    return [dict(zip(kinds, row, strict=True)) for row in zip(*python, strict=True)]


def ticket_metrics(
    tickets: Tickets | Iterable[Ticket],
    /,
    *,
    as_of: datetime | None = None,
    calendar: CalendarOption = None,
) -> DbtTicketMetrics:
    """dbt_zendesk's ``zendesk__ticket_metrics`` rows: its column names, units and nulls.

    Formula: `csmetrics.ticket_metrics` under ``preset="dbt_zendesk"``,
    renamed and rescaled column by column:

    - ``first_resolution_calendar_minutes``, ``final_resolution_calendar_minutes``:
      minute boundaries crossed from creation to the first and the last solve
      (``datediff(minute, created_at, solved_at)``);
    - the ``*_in_calendar_minutes`` times in status: per status segment, the
      minute boundaries it crosses, summed per ticket; the current segment
      runs to ``as_of``;
    - ``first_reply_time_calendar_minutes``: seconds / 60; null without a
      public agent comment;
    - the business columns: business seconds / 60 under ``calendar``; the
      resolutions' null unless the ticket is solved or closed at ``as_of``
      (0 when it has none then), the first reply's null without a public
      agent comment (else 0 when it has none), the waits 0 when empty;
    - minutes from seconds (the reply, unassigned and business times)
      rounded to 4 places, as the package's final model writes them;
    - ``count_resolutions``: the status history's rows with the value
      solved (a ticket closed without a solve has none, though its close is
      its ``first_solved_at``);
      ``count_reopens``: resolutions minus one, at least 0;
    - ``is_one_touch_resolution``, ``is_two_touch_resolution``: solved or
      closed with one, two public agent comments; ``is_multi_touch_resolution``:
      solved or closed and neither (no public agent comment included, but a
      ticket without any comment is in no class); all false while open;
    - ``total_agent_replies``: public agent comments but the ticket's first
      public comment;
    - ``total_reply_time_calendar_minutes``: over the public comments in
      (time, author) order, each customer comment that follows no customer
      comment (the first of a run) waits until the first later public agent
      comment that is not the ticket's first public comment; the waits with
      a reply, seconds / 60, summed; null when no run has a reply;
    - ``ticket_unassigned_duration_calendar_minutes``: over the assignee
      history, each change that follows an unassigned value, or is the
      first change, adds the seconds / 60 since the previous change (since
      creation for the first); the stretch unassigned at ``as_of`` adds
      nothing; null for a ticket without assignee history (its current
      ``assignee_id`` alone gives none);
    - ``first_assignee_id``, ``first_agent_assignment_date``,
      ``last_assignee_id``, ``last_agent_assignment_date``: the value and
      moment of the first and the last row of the assignee history up to
      ``as_of``, whatever the value (an unassignment row gives a null id
      and its moment); ``assignee_stations_count``: the rows with an
      assignee (an unassignment is no station, a return to an earlier
      assignee is one more); ``unique_assignee_count``: their distinct
      assignees; all null without assignee history;
    - ``first_assignment_to_resolution_calendar_minutes``,
      ``last_assignment_to_resolution_calendar_minutes``: minute boundaries
      crossed from the first and from the last assignee row to the last
      solve (``last_solved_at``; negative when that row is later), null
      unless the ticket is solved or closed at ``as_of``;
    - ``ticket_last_comment_date``: the latest comment, public or internal;
      ``last_status_assignment_date``: the latest status history row; null
      without one;
    - ``new_status_duration_in_business_minutes``,
      ``open_status_duration_in_business_minutes``: the business seconds / 60
      of the new and the open segments (with the time in new from creation
      to the first status change, as the other waits), 0 when none;
      ``solve_time_in_business_minutes``: the same over the new, open, hold
      and pending segments (every status but solved and closed), the sum
      rounded once; 0 when none, None without ``calendar``.

    Parameters
    ----------
    tickets
        A `Tickets` table, or `Ticket` objects.
    as_of
        The moment the model ran (its ``current_timestamp``); default: the
        latest event in the data.
    calendar
        As `csmetrics.ticket_metrics`; without one, every business column is
        None.

    Returns
    -------
    DbtTicketMetrics
        ``to_rows()`` with the columns of `COLUMNS`; `NOT_PRODUCED` lists
        the model's columns left out.

    References
    ----------
    fivetran/dbt_zendesk v1.6: ``zendesk__ticket_metrics``,
    ``int_zendesk__ticket_resolution_times_calendar``,
    ``int_zendesk__ticket_work_time_calendar``,
    ``int_zendesk__ticket_historical_status``,
    ``int_zendesk__ticket_reply_times``, ``int_zendesk__ticket_reply_times_calendar``,
    ``int_zendesk__comments_enriched``, ``int_zendesk__ticket_historical_assignee``,
    ``int_zendesk__comment_metrics``, ``int_zendesk__ticket_work_time_business``,
    ``int_zendesk__updates``.

    Examples
    --------
    >>> from datetime import datetime, timedelta, timezone
    >>> from csmetrics import Message, StatusChange, Ticket
    >>> from csmetrics.presets import dbt_zendesk
    >>> t0 = datetime(2026, 3, 2, 9, 0, 30, tzinfo=timezone.utc)
    >>> s = lambda seconds: t0 + timedelta(seconds=seconds)
    >>> ticket = Ticket(id=7, customer_id="ann", created=t0,
    ...     messages=[Message(at=t0, author="customer"), Message(at=s(90), author="agent")],
    ...     statuses=[StatusChange(at=t0, status="new"), StatusChange(at=s(90), status="solved")])
    >>> row = dbt_zendesk.ticket_metrics([ticket]).to_rows()[0]
    >>> row["first_reply_time_calendar_minutes"], row["final_resolution_calendar_minutes"]
    (1.5, 2)
    >>> row["is_one_touch_resolution"], row["requester_wait_time_in_calendar_minutes"]
    (True, 2)
    """
    rows = ticket_family.ticket_metrics(
        tickets, as_of=as_of, calendar=calendar, preset="dbt_zendesk"
    )
    table = tickets if isinstance(tickets, Tickets) else Tickets.from_records(tickets)
    cutoff = 0 if rows.as_of is None else micros("as_of", rows.as_of)
    if len(table) != len(rows):
        table = table.take(table.created <= cutoff)
    n, cols = len(rows), rows.columns
    solved = ~cols["open"]
    nan = np.full(n, np.nan)

    def business(name: str) -> F64:
        return nan if calendar is None else _minutes(cols[f"{name}_business"])

    out: dict[str, npt.NDArray[Any]] = {
        "status": cols["status"],
        "first_solved_at": cols["first_solved_at"],
        "last_solved_at": cols["solved_at"],
        "first_reply_time_calendar_minutes": _minutes(cols["first_reply"]),
        # Null without a public agent comment, else 0 when there is no reply time.
        "first_reply_time_business_minutes": np.where(
            cols["public_agent_comments"] > 0, np.nan_to_num(business("first_reply")), np.nan
        )
        if calendar is not None
        else nan,
        "total_reply_time_calendar_minutes": _round4(_total_reply_minutes(table, cutoff)),
        "ticket_unassigned_duration_calendar_minutes": _round4(_unassigned_minutes(table, cutoff)),
        "first_resolution_calendar_minutes": _since(table.created, cols["first_solved_at"]),
        "final_resolution_calendar_minutes": _since(table.created, cols["solved_at"]),
        # Null unless solved or closed now, else 0 when there is no resolution time.
        "first_resolution_business_minutes": np.where(
            solved, np.nan_to_num(business("first_resolution")), np.nan
        )
        if calendar is not None
        else nan,
        "full_resolution_business_minutes": np.where(
            solved, np.nan_to_num(business("full_resolution")), np.nan
        )
        if calendar is not None
        else nan,
        "count_public_agent_comments": cols["public_agent_comments"].astype(np.float64),
        "count_end_user_comments": cols["customer_comments"].astype(np.float64),
        "count_internal_comments": cols["internal_comments"].astype(np.float64),
        "is_one_touch_resolution": solved & (cols["touch_class"] == 0),
        "is_two_touch_resolution": solved & (cols["touch_class"] == 1),
        **_comment_counts(table, cutoff),
    }
    # A ticket without any comment has no row in the package's comment
    # metrics, and "not null" is null: it is in no touch class.
    out["is_multi_touch_resolution"] = (
        solved & (cols["touch_class"] == 2) & (out["total_comments"] > 0)
    )
    line = Timeline.of(table, cutoff)
    # count_resolutions counts the status rows "solved" only: the package's
    # coalesce(sum(solved), sum(closed)) never reaches the closed rows, as a
    # sum of zeros is 0, not null. A ticket closed without a solve has a
    # first_solved_at (its close) but no resolution and no reopen.
    solves = np.bincount(line.ticket[line.status == _SOLVED], minlength=n).astype(np.float64)
    out["count_resolutions"] = solves
    out["count_reopens"] = np.maximum(solves - 1, 0)
    segment = _datediff_minutes(line.start, line.end).astype(np.float64)
    segment[is_solved(line.status)] = 0.0
    for name, statuses in _WAITS.items():
        member = np.isin(line.status, [STATUSES.index(s) for s in statuses])
        out[f"{name}_in_calendar_minutes"] = np.bincount(
            line.ticket, weights=segment * member, minlength=n
        )
    for name, source in _BUSINESS_WAITS.items():
        out[f"{name}_in_business_minutes"] = (
            nan if calendar is None else np.nan_to_num(_minutes(cols[source]))
        )
    measure = ticket_family.business_measure(table, cutoff, calendar)
    for status in ("new", "open"):
        out[f"{status}_status_duration_in_business_minutes"] = _status_business_minutes(
            measure, line, (status,), n
        )
    out["solve_time_in_business_minutes"] = _status_business_minutes(
        measure, line, _WAITS["solve_time"], n
    )
    out["ticket_last_comment_date"] = _latest(
        table.messages.interaction, table.messages.at, cutoff, n
    )
    out["last_status_assignment_date"] = _latest(
        table.statuses.ticket, table.statuses.at, cutoff, n
    )
    out.update(_assignee_columns(table, cutoff, cols["solved_at"], solved))
    return DbtTicketMetrics(
        rows.ticket_id, {name: out[name] for name in COLUMNS if name != "ticket_id"}, rows.as_of
    )


# --- zendesk__sla_policies ----------------------------------------------------------------------

SLA_METRICS: dict[str, str] = {
    "first_response": "first_reply_time",
    "next_reply": "next_reply_time",
    "agent_work": "agent_work_time",
    "requester_wait": "requester_wait_time",
}
"""`csmetrics.sla_outcomes` target name to the model's ``metric``; other targets are left out."""

SLA_COLUMNS: dict[str, Kind] = {
    "ticket_id": "key",
    "sla_policy_name": "key",
    "metric": "key",
    "sla_applied_at": "moment",
    "target": "minutes",
    "in_business_hours": "bool",
    "priority_applied": "key",
    "sla_breach_at": "moment",
    "sla_elapsed_time": "minutes",
    "is_active_sla": "bool",
    "is_sla_breach": "bool",
}
"""The columns of `DbtSLAPolicies.to_rows`, in order, with their kind.

``minutes``: float minutes; ``moment``: UTC datetimes; ``is_sla_breach``
is None while the target is active; ``priority_applied`` the priority as
given (None when the ticket has none).
"""

SLA_NOT_PRODUCED: dict[str, str] = {
    "source_relation": "the warehouse's name of the Zendesk connection a row came from; "
    "an export is one connection: add it as a constant column when unioning several",
    "sla_event_id": "a warehouse hash of ticket_id, metric and sla_applied_at: hash "
    "those columns of the row where a key is needed",
    "the resolution, periodic_update and pausable_update targets": "the model computes "
    "only first_reply_time, next_reply_time, agent_work_time and requester_wait_time "
    "(see csmetrics.sla_outcomes for the others)",
}
"""What of ``zendesk__sla_policies`` (v1.6) this table does not produce, and why."""


@attrs.frozen(eq=False, repr=False)
class DbtSLAPolicies(ToFrame):
    """One row per SLA target application, with ``zendesk__sla_policies``' names and units.

    Attributes
    ----------
    ticket_id : Encoded
        The ticket of each row, in the order of `csmetrics.sla_outcomes`
        (ticket, target, the moment it applied).
    columns : dict
        Column name (`SLA_COLUMNS`, ``ticket_id`` aside) to a numpy column:
        ``sla_policy_name`` and ``metric`` as object arrays of strings (the
        policy name None for an unnamed policy), moments as int64 epoch
        microseconds, minutes as float64, the flags as bool;
        ``is_sla_breach`` is float64 with nan for null (1.0 breached, 0.0 not).
    as_of : datetime or None
        The moment the targets were judged at (the model's ``current_timestamp``).
    """

    ticket_id: Encoded
    columns: dict[str, npt.NDArray[Any]]
    as_of: datetime | None

    def __len__(self) -> int:
        return len(self.ticket_id)

    def __repr__(self) -> str:
        active = int(self.columns["is_active_sla"].sum())
        breached = int(np.nansum(self.columns["is_sla_breach"]))
        return (
            f"DbtSLAPolicies({len(self)} targets, {active} active, {breached} breached, "
            f"as_of={self.as_of})"
        )

    def column(self, name: str) -> npt.NDArray[Any]:
        """One column as numpy (see ``columns``); ``ticket_id`` as keys."""
        option("name", name, tuple(SLA_COLUMNS))
        if name == "ticket_id":
            return self.ticket_id.keys[self.ticket_id.codes]
        return self.columns[name]

    def to_rows(self) -> list[dict[str, Any]]:
        """One dict per target run, the columns of `SLA_COLUMNS` in order; None for null."""
        return _rows(self, SLA_COLUMNS)

    def _repr_html_(self) -> str:
        rows = self.to_rows()
        caption = f"dbt_zendesk SLA policies: {len(self)} targets, as of {self.as_of}"
        return html.records(rows[:10], empty="no SLA targets", caption=caption)


_SECOND = 1_000_000  # microseconds
_RUN_ON = 30 * 86_400 * _SECOND
"""How far past ``current_timestamp`` the package runs a ticket's current status."""
_STATUS_TARGETS = {"agent_work": ("new", "open"), "requester_wait": ("new", "open", "hold")}
_FIRST_REPLY = TARGETS.index("first_response")


def _after(ticket: I64, at: I64, query_ticket: I64, query_at: I64) -> I64:
    """Per query, the first of ``at`` (sorted by ticket, time) of its ticket strictly after it.

    `OPEN` where there is none.
    """
    found = sla_family._first_at_or_after(ticket, at, query_ticket, query_at + 1)
    return sla_family._moment(at, found)


def _latest_first_reply(target: I64, ticket: I64) -> npt.NDArray[np.bool_]:
    """The rows kept: every row but the first reply targets before a ticket's latest one.

    Rows are sorted by (ticket, target, applied_at), as `csmetrics.sla_outcomes`
    gives them.
    """
    first = target == _FIRST_REPLY
    later = np.zeros(len(target), dtype=bool)
    later[:-1] = first[1:] & (ticket[1:] == ticket[:-1])
    out: npt.NDArray[np.bool_] = ~(first & later)
    return out


def _to_whole(moments: I64, unit: int) -> I64:
    """Moments rounded to the nearest whole ``unit``, halves up; `OPEN` stays.

    The package writes a business-hours breach as the week's start (Sunday
    00:00 UTC, a whole minute) plus ``cast(... as int)`` seconds (reply
    targets) or minutes (agent work, requester wait); the warehouses round
    that cast half away from zero.
    """
    rounded = (moments + unit // 2) // unit * unit
    out: I64 = np.where(moments == OPEN, OPEN, rounded)
    return out


def _privately_created(table: Tickets, cutoff: int) -> tuple[npt.NDArray[np.bool_], I64, I64]:
    """Tickets created by private comments before the customer said anything (v1.9 rule).

    Over the comments up to ``cutoff``: a ticket is privately created when
    its first public comment (in (time, role) order) is an agent's, private
    comments came strictly before it, and the customer had commented
    neither publicly nor privately by then (strictly before it). Returns
    the flag per ticket, the customer's first public comment per ticket
    (`OPEN`: none) and the message row of each ticket's first public
    comment (-1: none).
    """
    n, m = len(table), table.messages
    seen = m.at <= cutoff
    public = np.flatnonzero(seen & m.public)
    public = public[np.lexsort((m.author[public], m.at[public], m.interaction[public]))]
    heads, where = np.unique(m.interaction[public], return_index=True)
    first_row = np.full(n, -1, dtype=np.int64)
    first_row[heads] = public[where]
    has = first_row >= 0
    first_at = np.where(has, m.at[np.maximum(first_row, 0)], OPEN)
    customer = seen & (m.author == _CUSTOMER)
    first_customer = np.full(n, OPEN, dtype=np.int64)
    np.minimum.at(first_customer, m.interaction[customer], m.at[customer])
    customer_public = np.full(n, OPEN, dtype=np.int64)
    rows = np.flatnonzero(customer & m.public)
    np.minimum.at(customer_public, m.interaction[rows], m.at[rows])
    private = np.flatnonzero(seen & ~m.public)
    private = private[np.lexsort((m.at[private], m.interaction[private]))]
    found = sla_family._last_at_or_before(
        m.interaction[private], m.at[private], np.arange(n), first_at - 1
    )
    start = np.searchsorted(m.interaction[private], np.arange(n), side="left")
    before = np.where(found >= 0, found - start + 1, 0)
    flag = (
        has
        & (m.author[np.maximum(first_row, 0)] == _AGENT)
        & (before > 0)
        & (first_at < first_customer)
    )
    return flag, customer_public, first_row


def _paused(table: Tickets, ticket: I64, paused: Iterable[Any] | None) -> npt.NDArray[np.bool_]:
    """Per row, whether its ticket is one of ``paused`` (ids as in the data; others match none)."""
    if paused is None:
        return np.zeros(len(ticket), dtype=bool)
    wanted = np.asarray(list(paused))
    if not wanted.size:
        return np.zeros(len(ticket), dtype=bool)
    hit = np.isin(table.id.keys, wanted)
    chosen = np.append(hit, False)[table.id.codes[ticket]]
    out: npt.NDArray[np.bool_] = chosen
    return out


def _priority_applied(table: Tickets, cutoff: int, ticket: I64, applied: I64) -> Any:
    """Per row, the priority in force at ``applied``, as ``priority_applied``.

    The last priority history row up to ``cutoff`` whose second is at or
    before the second of ``applied`` (the package joins on
    ``date_trunc('second', ...)``, so of several changes in one second the
    last holds); the ticket's current priority where there is none or its
    value is null (the package's ``coalesce``). None without either.
    """
    pc = table.priority_changes
    keep = np.flatnonzero(pc.at <= cutoff)
    found = sla_family._last_at_or_before(
        pc.ticket[keep], pc.at[keep] // _SECOND, ticket, applied // _SECOND
    )
    null = np.array([None], dtype=object)
    history = np.concatenate([pc.value.keys.astype(object), null])
    code = sla_family._gather(pc.value.codes[keep].astype(np.int64), found, -1)
    current = np.concatenate([table.priority.keys.astype(object), null])
    out = history[code]
    unset = code < 0
    out[unset] = current[table.priority.codes[ticket[unset]]]
    return out


def _reply_rows(
    measured: sla_family._Measured,
    ticket: I64,
    applied: I64,
    limit: F64,
    business: Any,
    *,
    no_reply: npt.NDArray[np.bool_] | None = None,
) -> dict[str, npt.NDArray[Any]]:
    """The package's reply targets: each runs from ``applied`` to the first reply after it.

    The reply is the first public agent comment strictly after ``applied``,
    the solve the first change to solved or closed strictly after it. The
    target is breached when neither came, or when the breach time passed
    before the reply and before the solve; ``sla_breach_at`` is the breach
    time if breached, else the reply, else the solve; the elapsed time runs
    to the reply, else the solve, else ``as_of``. ``no_reply`` marks the
    comments that are no reply (by message row).
    """
    table, cutoff = measured.table, measured.cutoff
    m, st = table.messages, table.statuses
    counted = (m.at <= cutoff) & m.public & (m.author == _AGENT)
    if no_reply is not None:
        counted &= ~no_reply
    agent = np.flatnonzero(counted)
    reply = _after(m.interaction[agent], m.at[agent], ticket, applied)
    solves = np.flatnonzero((st.at <= cutoff) & is_solved(st.status))
    solved = _after(st.ticket[solves], st.at[solves], ticket, applied)
    breach = np.full(len(ticket), OPEN, dtype=np.int64)
    elapsed = np.zeros(len(ticket))
    replied, released = reply != OPEN, solved != OPEN
    stop = np.where(replied, reply, np.where(released, solved, cutoff))
    for flag, clock in zip((False, True), measured.clocks, strict=True):
        rows = np.flatnonzero(business == flag)
        if not rows.size:
            continue
        breach[rows] = clock.deadline(ticket[rows], applied[rows], limit[rows])
        if flag:
            # The business breach is a whole number of seconds from the week's start.
            breach[rows] = _to_whole(breach[rows], _SECOND)
            elapsed[rows] = clock.seconds(ticket[rows], applied[rows], stop[rows]) / 60.0
        else:  # datediff(second, ...) / 60
            elapsed[rows] = (stop[rows] // _SECOND - applied[rows] // _SECOND) / 60.0
    before_reply = replied & (breach < reply)
    before_solve = released & (breach < solved)
    breached = (~replied & ~released) | (~replied & before_solve)
    breached |= before_reply & (~released | before_solve)
    done = np.where(replied, reply, solved)
    return {
        "sla_breach_at": np.where(breached, breach, done),
        "sla_elapsed_time": elapsed,
        "breached": breached,
    }


def _status_rows(
    measured: sla_family._Measured,
    ticket: I64,
    applied: I64,
    limit: F64,
    business: Any,
    *,
    statuses: tuple[str, ...],
) -> dict[str, npt.NDArray[Any]]:
    """The package's agent work and requester wait targets, from the status history.

    Each target counts the status segments in ``statuses`` that end after
    it applied, from the later of their start and ``applied``; the current
    segment runs 30 days past ``as_of``. Per segment: its minutes
    (calendar: minute boundaries crossed), the running total, and a breach
    time of its start plus the target minutes left before it. The target's
    elapsed time is the total, its ``sla_breach_at`` the latest breach time
    of its segments, and it is breached when the total passes the target.
    A target without such a segment has no row (``kept`` false).
    """
    table, cutoff = measured.table, measured.cutoff
    line = Timeline.of(table, cutoff)
    end = line.end.copy()
    last = np.ones(len(end), dtype=bool)
    last[:-1] = line.ticket[1:] != line.ticket[:-1]
    end[last] = cutoff + _RUN_ON
    count_of = np.bincount(line.ticket, minlength=len(table))
    first = np.cumsum(count_of) - count_of
    count = count_of[ticket]
    pair = np.repeat(np.arange(len(ticket)), count)
    offset = np.arange(len(pair)) - np.repeat(np.cumsum(count) - count, count)
    segment = first[ticket][pair] + offset
    codes = [STATUSES.index(name) for name in statuses]
    member = np.isin(line.status[segment], codes) & (applied[pair] < end[segment])
    pair, segment = pair[member], segment[member]
    lo, hi = np.maximum(line.start[segment], applied[pair]), end[segment]
    minutes = np.zeros(len(pair))
    on_business = np.asarray(business)[pair]
    for flag, clock in zip((False, True), measured.clocks, strict=True):
        rows = np.flatnonzero(on_business == flag)
        if not rows.size:
            continue
        if flag:
            minutes[rows] = clock.seconds(ticket[pair[rows]], lo[rows], hi[rows]) / 60.0
        else:
            minutes[rows] = _datediff_minutes(lo[rows], hi[rows])
    running = np.cumsum(minutes)
    starts = np.ones(len(pair), dtype=bool)
    starts[1:] = pair[1:] != pair[:-1]
    head = np.maximum.accumulate(np.where(starts, np.arange(len(pair)), 0))
    before = running - minutes - (running[head] - minutes[head]) if len(pair) else running
    left = limit[pair] - before * 60.0  # seconds of the target left at the segment's start
    breach = lo + np.rint(left * _SECOND).astype(np.int64)
    rows = np.flatnonzero(on_business)
    if rows.size:
        # The business breach is a whole number of minutes from the week's start.
        breach[rows] = _to_whole(
            measured.clocks[1].deadline(ticket[pair[rows]], lo[rows], np.maximum(left[rows], 0)),
            _MINUTE,
        )
    n = len(ticket)
    latest = np.full(n, np.iinfo(np.int64).min, dtype=np.int64)
    np.maximum.at(latest, pair, breach)
    elapsed = np.bincount(pair, weights=minutes, minlength=n).astype(np.float64)
    return {
        "sla_breach_at": latest,
        "sla_elapsed_time": elapsed,
        "breached": elapsed * 60.0 > limit,
        "kept": np.bincount(pair, minlength=n) > 0,
    }


def sla_policies(
    tickets: Tickets | Iterable[Ticket],
    policy: SLAPolicy | Iterable[SLAPolicy],
    /,
    *,
    as_of: datetime | None = None,
    private_creation: Literal["creation", "customer_comment"] = "creation",
    paused: Iterable[Any] | None = None,
) -> DbtSLAPolicies:
    """dbt_zendesk's ``zendesk__sla_policies`` rows, as the package computes them.

    Formula: the targets `csmetrics.sla_outcomes` applies (the model's four
    metrics, `SLA_METRICS`), measured by the package's rules rather than
    the library's:

    - **Applications.** Every application of a next reply, agent work or
      requester wait target is a row of its own, from the moment it
      applied, including one a priority or policy change re-applied before
      it breached (`csmetrics.sla_outcomes` drops the replaced one). Of the
      first reply targets of a ticket only the latest is kept, and it
      applies from the ticket's creation (``sla_applied_at``), whatever
      moment its latest version came.
    - ``target``: the target in minutes; ``in_business_hours``: whether it
      is measured on the policy's calendar.
    - ``priority_applied``: the ticket's priority at ``sla_applied_at``
      (for the first reply target, at creation): the value of the last
      priority history row up to ``as_of`` in or before that second, else
      the ticket's current priority (v1.6.0's historical priority).
    - **Reply targets** (first and next reply): the reply is the first
      public agent comment strictly after ``sla_applied_at``, the solve the
      first change to solved or closed strictly after it; the breach time
      is ``sla_applied_at`` plus the target (on the calendar for business
      hours). Breached: neither came, or the breach time came before the
      reply (if any) and before the solve (if any). ``sla_breach_at``: the
      breach time if breached, else the reply, else the solve (the package
      writes the moment the target was met or released there).
      ``sla_elapsed_time``: whole seconds / 60 from ``sla_applied_at`` to
      the reply, else the solve, else ``as_of`` (business minutes on the
      calendar).
    - **Agent work** (new, open) **and requester wait** (new, open, hold):
      over the ticket's status segments in those statuses that end after
      the target applied, from the later of their start and
      ``sla_applied_at``; the current segment runs 30 days past ``as_of``
      (the package's ``current_timestamp``), to place breaches still to
      come. Each segment counts its minute boundaries crossed
      (``datediff(minute, ...)``; business minutes on the calendar) and
      has a breach time of its start plus the target minutes left before
      it. ``sla_elapsed_time`` is the sum, ``sla_breach_at`` the latest of
      the segments' breach times, breached when the sum passes the target.
      A target with no such segment has no row.
    - ``is_active_sla``: ``sla_breach_at`` is after ``as_of``;
      ``is_sla_breach``: None while active, else False for a ticket in
      ``paused``, else breached.
    - ``sla_elapsed_time`` rounded to 4 places.

    Parameters
    ----------
    tickets
        A `Tickets` table, or `Ticket` objects.
    policy
        As `csmetrics.sla_outcomes`: an `SLAPolicy`, with its calendar for
        business-time targets, or several named ones chosen by each
        ticket's ``sla_policy_changes``.
    as_of
        The moment the model ran (its ``current_timestamp``); default: the
        latest event in the data.
    private_creation
        When the first reply target of a ticket an agent created with an
        internal note starts. ``"creation"`` (default; v1.6.1): at creation,
        like every first reply target. ``"customer_comment"`` (the rule
        dbt_zendesk 1.9 adds): a ticket whose first public comment is an
        agent's, with an internal note strictly before it and no customer
        comment (public or internal) before it, is privately created; its
        first reply target starts at the customer's first public comment
        (at creation if there is none), and the agent's creating public
        comment is no reply to it.
    paused
        Ticket ids whose targets never count as breached, as dbt_zendesk
        1.9's ``sla_pause_criteria`` variable selects them (a condition on
        ticket fields, evaluated by the caller): ``is_sla_breach`` is False
        for them once the target is no longer active; nothing else
        changes. Ids not in the data match no row. Default None: no ticket
        (v1.6.1 has no such variable).

    Returns
    -------
    DbtSLAPolicies
        ``to_rows()`` with the columns of `SLA_COLUMNS`; `SLA_NOT_PRODUCED`
        says what is left out.

    Edge cases
    ----------
    A re-applied first reply target replaces the earlier one and is timed
    from creation, so its elapsed time includes the time before the change.
    A reply after the breach time that follows a solve is no breach (the
    solve came first), but ``sla_breach_at`` and the elapsed time run to
    that reply. A target still running at ``as_of`` in a counted status has
    30 days more elapsed than ``as_of`` gives. A solved or closed status
    on a ticket already solved releases a reply target too. No tickets or
    no target: no rows.
    Business-hours rows measure on the policy's calendar (or each ticket's
    schedule history) to the microsecond, which gives the package's
    weekly-spine minutes: they keep partial minutes, run across the week
    boundary and follow daylight saving time. The breach time is rounded
    as the package writes it, to the nearest whole second for reply
    targets and the nearest whole minute for agent work and requester
    wait (halves up); the package's ``datediff(second, ...)`` also drops
    fractions of a second that the library keeps, which shows only on
    timestamps finer than a second.
    ``priority_applied`` compares whole seconds, so a priority change in
    the same second as ``sla_applied_at`` already holds, even a few
    microseconds after it; a null priority in the history falls back to
    the ticket's current priority, as does a moment before the first
    history row. Privately created (with ``private_creation=
    "customer_comment"``): comments at the same moment are ordered
    customer before agent, as the package orders roles, and an internal
    note at the same moment as the first public comment is not before it
    (the package's order among them is the warehouse's). A paused ticket
    whose target is still active keeps None.

    References
    ----------
    fivetran/dbt_zendesk v1.6: ``zendesk__sla_policies``,
    ``int_zendesk__sla_policy_applied``, ``int_zendesk__reply_time_calendar_hours``,
    ``int_zendesk__reply_time_combined``, ``int_zendesk__agent_work_time_filtered_statuses``,
    ``int_zendesk__agent_work_time_calendar_hours``,
    ``int_zendesk__requester_wait_time_filtered_statuses``,
    ``int_zendesk__requester_wait_time_calendar_hours``.

    Examples
    --------
    >>> from datetime import datetime, timedelta, timezone
    >>> from csmetrics import Message, SLAPolicy, SLARule, StatusChange, Ticket
    >>> from csmetrics.presets import dbt_zendesk
    >>> t0 = datetime(2026, 3, 2, 9, tzinfo=timezone.utc)
    >>> m = lambda minutes: t0 + timedelta(minutes=minutes)
    >>> ticket = Ticket(id=7, customer_id="ann", created=t0,
    ...     messages=[Message(at=t0, author="customer"), Message(at=m(90), author="agent")],
    ...     statuses=[StatusChange(at=t0, status="new"), StatusChange(at=m(90), status="open")])
    >>> policy = SLAPolicy(rules=[SLARule(first_response=3600)])
    >>> (row,) = dbt_zendesk.sla_policies([ticket], policy, as_of=m(120)).to_rows()
    >>> row["metric"], row["target"], row["sla_elapsed_time"]
    ('first_reply_time', 60.0, 90.0)
    >>> row["sla_breach_at"] == m(60)
    True
    >>> row["is_active_sla"], row["is_sla_breach"]
    (False, True)
    """
    option("private_creation", private_creation, ("creation", "customer_comment"))
    measured = sla_family._outcomes(tickets, policy, as_of, keep_superseded=True)
    outcomes, c = measured.outcomes, measured.outcomes.columns
    codes = {TARGETS.index(name): metric for name, metric in SLA_METRICS.items()}
    keep = np.isin(c["target"], list(codes)) & _latest_first_reply(c["target"], measured.ticket)
    rows = np.flatnonzero(keep)
    target, ticket = c["target"][rows], measured.ticket[rows]
    # The first reply target applies at creation, whenever its latest version came.
    applied = np.where(
        target == _FIRST_REPLY, measured.table.created[ticket], c["applied_at"][rows]
    )
    no_reply = None
    if private_creation == "customer_comment":
        private, customer_public, first_row = _privately_created(measured.table, measured.cutoff)
        moved = (target == _FIRST_REPLY) & private[ticket] & (customer_public[ticket] != OPEN)
        applied = np.where(moved, customer_public[ticket], applied)
        # The agent's own creating comment is no reply to the first reply target.
        no_reply = np.zeros(len(measured.table.messages.at), dtype=bool)
        no_reply[first_row[private]] = True
    limit, business = c["seconds"][rows], c["business"][rows]
    n = len(rows)
    breach_at = np.zeros(n, dtype=np.int64)
    elapsed, breached = np.zeros(n), np.zeros(n, dtype=bool)
    kept = np.ones(n, dtype=bool)
    by_status = [TARGETS.index(k) for k in _STATUS_TARGETS]
    replies = ~np.isin(target, by_status)
    groups: list[tuple[I64, tuple[str, ...] | None]] = [
        (np.flatnonzero(replies & (target == _FIRST_REPLY)), ("first",)),
        (np.flatnonzero(replies & (target != _FIRST_REPLY)), None),
    ]
    groups += [(np.flatnonzero(target == TARGETS.index(k)), v) for k, v in _STATUS_TARGETS.items()]
    for part, statuses in groups:
        args = (measured, ticket[part], applied[part], limit[part], business[part])
        if statuses == ("first",):
            found = _reply_rows(*args, no_reply=no_reply)
        elif statuses is None:
            found = _reply_rows(*args)
        else:
            found = _status_rows(*args, statuses=statuses)
        breach_at[part] = found["sla_breach_at"]
        elapsed[part] = found["sla_elapsed_time"]
        breached[part] = found["breached"]
        if "kept" in found:
            kept[part] = found["kept"]
    cutoff = measured.cutoff
    active = breach_at > cutoff
    metric_of = np.array([codes.get(i) for i in range(len(TARGETS))], dtype=object)
    names = np.array([p.name for p in outcomes.policies], dtype=object)
    out: dict[str, npt.NDArray[Any]] = {
        "sla_policy_name": names[c["policy"][rows]],
        "metric": metric_of[target],
        "sla_applied_at": applied,
        "target": _minutes(limit),
        "in_business_hours": business,
        "priority_applied": _priority_applied(measured.table, cutoff, ticket, applied),
        "sla_breach_at": breach_at,
        "sla_elapsed_time": _round4(elapsed),
        "is_active_sla": active,
        "is_sla_breach": np.where(
            active, np.nan, (breached & ~_paused(measured.table, ticket, paused)).astype(np.float64)
        ),
    }
    out = {name: column[kept] for name, column in out.items()}
    return DbtSLAPolicies(outcomes.ticket_id[rows[kept]], out, outcomes.as_of)
