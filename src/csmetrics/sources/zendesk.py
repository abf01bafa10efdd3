"""Read a Zendesk export in the warehouse schema: tickets, comments, histories, schedules.

The common Zendesk-to-warehouse connector writes one table per Zendesk
object (``ticket``, ``ticket_comment``, ``ticket_field_history``, ``user``,
``schedule``, ``schedule_holiday``, ``ticket_schedule``, ``time_zone``,
``daylight_time``, ...), and the open-source dbt_zendesk package computes its
ticket metrics from them. `read_tables` reads a directory holding those
tables, one ``.csv`` or ``.parquet`` file each, into a `csmetrics.Tickets`
table; `read_schedules` reads the business-hours schedules into
`csmetrics.BusinessCalendar` objects. `read_api` reads the JSON of Zendesk's
Support API instead: tickets, users, and ticket audits or the incremental
ticket event export.

The mapping from Zendesk's fields to csmetrics' is in the docs page
"Sources: Zendesk" and in decisions 73 to 76.
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Collection
from datetime import date
from pathlib import Path
from typing import Any, Literal, NoReturn

import numpy as np
import numpy.typing as npt

from csmetrics.core.calendar import BusinessCalendar
from csmetrics.core.check import option
from csmetrics.core.model import STATUSES
from csmetrics.core.tickets import Tickets
from csmetrics.sources import files
from csmetrics.sources.files import OrphanRowsWarning
from csmetrics.sources.zendesk_api import read_api, read_api_schedules
from csmetrics.sources.zendesk_schedules import (
    Fail,
    Interval,
    Schedules,
    build,
    holiday_dates,
)

__all__ = [
    "ON_ORPHAN",
    "OrphanPolicy",
    "OrphanRowsWarning",
    "read_api",
    "read_api_schedules",
    "read_schedule_calendars",
    "read_schedules",
    "read_tables",
]

PathLike = str | os.PathLike[str]
I64 = npt.NDArray[np.int64]
Text = npt.NDArray[np.str_]
Bool = npt.NDArray[np.bool_]

OrphanPolicy = Literal["error", "warn"]
ON_ORPHAN: tuple[OrphanPolicy, ...] = ("error", "warn")
"""What `read_tables` does with a row whose ticket or user is missing."""


def _directory(path: PathLike) -> Path:
    directory = Path(path)
    if not directory.is_dir():
        if directory.exists():
            msg = f"{directory}: not a directory; give the directory that holds ticket.csv, ..."
            raise NotADirectoryError(msg)
        msg = f"{directory}: no such directory"
        raise FileNotFoundError(msg)
    return directory


# --- schedules --------------------------------------------------------------------------------


def _holidays(directory: Path, schedules: Collection[str]) -> dict[str, list[date]]:
    """The holiday dates of each schedule: every date from start to end, inclusive."""
    table = files.load(
        directory,
        "schedule_holiday",
        required=("schedule_id", "start_date", "end_date"),
        table_required=False,
    )
    out: dict[str, list[date]] = {}
    if table is None:
        return out
    schedule = files.keys(table, "schedule_id", required=True)
    starts = files.dates(table, "start_date")
    ends = files.dates(table, "end_date")
    for row, (key, first, last) in enumerate(zip(schedule, starts, ends, strict=True)):
        if key not in schedules:
            table.fail(row, "schedule_id", key, "no such schedule in the schedule table")
        out.setdefault(key, []).extend(holiday_dates(first, last, _failing(table, row)))
    return out


def _failing(table: files.Table, row: int) -> Fail:
    """The `Fail` of one row of a table: names its file, row and field."""

    def fail(field: str, value: object, why: str) -> NoReturn:
        table.fail(row, field, value, why)

    return fail


def _schedules(directory: Path) -> Schedules:
    table = files.load(
        directory,
        "schedule",
        required=("id", "time_zone", "start_time", "end_time"),
        optional=("created_at", "name"),
        table_required=False,
    )
    if table is None:
        return Schedules({}, {})
    ids = files.keys(table, "id", required=True).tolist()
    zones = files.texts(table, "time_zone", required=True).tolist()
    starts = files.ints(table, "start_time").tolist()
    ends = files.ints(table, "end_time").tolist()
    created = files.times(table, "created_at", required=False).tolist()
    intervals = [
        Interval(
            key=key,
            zone=zones[row],
            start=starts[row],
            end=ends[row],
            created=created[row],
            fail=_failing(table, row),
            where=f"row {table.row(row)}",
        )
        for row, key in enumerate(ids)
    ]
    holidays = _holidays(directory, set(ids))
    return build(intervals, holidays, table.path)


def read_schedules(path: PathLike, /) -> dict[str, BusinessCalendar]:
    r"""The business-hours schedules of a Zendesk export, as calendars by schedule id.

    Reads ``schedule`` (one row per open interval: ``id``, ``time_zone``,
    ``start_time``, ``end_time``; ``name`` and ``created_at`` optional) and,
    when present, ``schedule_holiday`` (``schedule_id``, ``start_date``,
    ``end_date``).

    - ``start_time`` and ``end_time`` are minutes of the week from Sunday
      00:00 in the schedule's local time, as Zendesk's API and the connector
      give them: Monday 09:00 to 17:00 is 1980 to 2460. An interval running
      past midnight is cut at midnight (each part belongs to its own day).
    - ``time_zone`` is a Zendesk (Rails) name such as ``"Eastern Time (US &
      Canada)"``, mapped through `csmetrics.sources.timezones.iana_zone`, or
      an IANA name. Daylight saving time follows the IANA zone's rules, so
      the ``time_zone`` and ``daylight_time`` tables are not needed.
    - A holiday closes the whole local days from ``start_date`` to
      ``end_date``, both included.
    - A row with ``_fivetran_deleted`` true is left out (the connector keeps
      deleted rows and marks them so).

    Parameters
    ----------
    path
        The export directory, holding ``schedule.csv`` or
        ``schedule.parquet``. Without a schedule table the result is empty.

    Returns
    -------
    dict[str, BusinessCalendar]
        One calendar per schedule id (the id as text), in the order of first
        appearance.

    Raises
    ------
    FileNotFoundError
        The directory does not exist.
    InvalidDataError
        A missing column, a bad cell (an unknown time zone, an interval
        outside the week or ending before it starts, overlapping intervals,
        a holiday ending before it starts or of an unknown schedule); the
        message names the file, the row (the header is row 1) and the field.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> export = Path(tempfile.mkdtemp())
    >>> _ = (export / "schedule.csv").write_text(
    ...     "id,name,time_zone,start_time,end_time,created_at\n"
    ...     "100,Office,Eastern Time (US & Canada),1980,2460,2020-01-01 00:00:00\n"
    ...     "100,Office,Eastern Time (US & Canada),3420,3900,2020-01-01 00:00:00\n")
    >>> office = read_schedules(export)["100"]
    >>> office.timezone, office.hours
    ('America/New_York', (('mon', (('09:00', '17:00'),)), ('tue', (('09:00', '17:00'),))))
    """
    return _schedules(_directory(path)).calendars


def read_schedule_calendars(path: PathLike, /) -> dict[str | None, BusinessCalendar]:
    """`read_schedules`, plus the default schedule under the key None.

    The key None is Zendesk's default schedule (the earliest created; ties
    go to the lower id): the ``calendar=`` that measures each ticket of
    `read_tables` under its own schedule history, including a ticket whose
    first schedule was set a few seconds after its creation. Without a
    schedule table the result is empty.

    Examples
    --------
    >>> calendars = read_schedule_calendars("tests/data/zendesk")
    >>> calendars[None] == calendars["100"]
    True
    """
    schedules = _schedules(_directory(path))
    out: dict[str | None, BusinessCalendar] = dict(schedules.calendars.items())
    if schedules.default is not None:
        out[None] = schedules.calendars[schedules.default]
    return out


# --- tickets ----------------------------------------------------------------------------------

_ROLES = {"end-user": "customer", "agent": "agent", "admin": "agent"}
"""Zendesk user roles to comment authors: an admin's comment is an agent's."""
_SYSTEM_USER = "-1"
"""The id Zendesk gives its own system user: updates and comments by automations."""
_HISTORY_FIELDS = ("status", "priority", "assignee_id", "sla_policy")
"""The ticket_field_history fields read; ``sla_policy`` holds the policy's title."""
_SCHEDULE_GRACE = 5_000_000
"""A ticket_schedule row up to 5 seconds after creation is the ticket's first schedule."""


class _Orphans:
    """Rows that refer to a missing ticket or user: an error, or left out and counted."""

    def __init__(self, policy: OrphanPolicy) -> None:
        self.policy = policy
        self.counts: dict[str, int] = {}

    def check(self, table: files.Table, field: str, values: Text, orphan: Bool, what: str) -> Bool:
        """Rows to keep; the first orphan is an error under ``"error"``."""
        if not orphan.any():
            return ~orphan
        if self.policy == "error":
            row = int(np.argmax(orphan))
            why = f"no such {what}; pass on_orphan='warn' to leave such rows out"
            table.fail(row, field, values[row], why)
        key = f"{Path(table.path).name} ({field}: no such {what})"
        self.counts[key] = self.counts.get(key, 0) + int(orphan.sum())
        return ~orphan

    def report(self) -> None:
        """One warning counting every row left out, per table and reason."""
        if self.counts:
            rows = "; ".join(f"{n} in {where}" for where, n in self.counts.items())
            msg = f"left out {sum(self.counts.values())} row(s): {rows}"
            warnings.warn(msg, OrphanRowsWarning, stacklevel=3)


def _users(directory: Path) -> tuple[Text, Text]:
    """User ids and their author ("customer" or "agent")."""
    table = files.load(directory, "user", required=("id", "role"))
    assert table is not None  # required
    ids = files.keys(table, "id", required=True)
    if (row := files.first_repeat(ids)) is not None:
        table.fail(row, "id", ids[row], "repeats an earlier user id")
    roles = files.texts(table, "role", required=True)
    words, inverse = np.unique(roles, return_inverse=True)
    lookup = []
    for code, word in enumerate(words.tolist()):
        author = _ROLES.get(word.lower())
        if author is None:
            row = int(np.argmax(inverse.reshape(-1) == code))
            table.fail(row, "role", word, f"use one of {tuple(_ROLES)}")
        lookup.append(author)
    return ids, np.array(lookup, dtype=str)[inverse.reshape(-1)]


def _lookup(values: Text) -> Text:
    """``values`` with ``""`` appended, so that index -1 (not found) gives a missing value."""
    return np.append(values, np.array([""], dtype=str)).astype("U8")


def _without(values: Text, mask: Bool) -> Text:
    """A copy of ``values``, missing (``""``) where ``mask`` is set."""
    out: Text = values.copy()
    out[mask] = ""
    return out


def _lower(values: Text) -> Text:
    """Texts in lower case, each distinct text lowered once."""
    words, inverse = np.unique(values, return_inverse=True)
    return np.char.lower(words)[inverse.reshape(-1)]


def _micros(values: I64) -> npt.NDArray[np.datetime64]:
    return values.view("datetime64[us]")


def _ticket_rows(directory: Path) -> tuple[files.Table, Text, I64, Text, Bool]:
    """The ticket table, its ids, creation times, statuses and the rows of deleted tickets."""
    table = files.load(
        directory,
        "ticket",
        required=("id", "created_at", "requester_id"),
        optional=("submitter_id", "assignee_id", "status", "priority", "type", "via_channel"),
    )
    assert table is not None  # required
    ids = files.keys(table, "id", required=True)
    if (row := files.first_repeat(ids)) is not None:
        table.fail(row, "id", ids[row], "repeats an earlier ticket id")
    created = files.times(table, "created_at", required=True)
    status = files.texts(table, "status", required=False)
    lowered = _lower(status)
    deleted = lowered == "deleted"
    known = (*STATUSES, "deleted")
    for value in np.unique(lowered[lowered != ""]).tolist():
        if value not in known:
            row = int(np.argmax(lowered == value))
            table.fail(row, "status", status[row], f"use one of {known}")
    return table, ids, created, lowered, deleted


def _check_times(
    table: files.Table, field: str, *, rows: I64, at: I64, ticket: I64, created: I64, what: str
) -> None:
    """A row dated before its ticket's creation is an error naming the row.

    ``rows`` are the table indexes of ``at`` and ``ticket`` (rows left out
    before the check are not in them).
    """
    early = at < created[ticket]
    if early.any():
        first = int(np.argmax(early))
        row = int(rows[first])
        raw = table.columns[field]
        value = raw[row] if isinstance(raw, np.ndarray) else raw[row].as_py()
        when = str(_micros(created[ticket[first] : ticket[first] + 1])[0]).replace("T", " ")
        table.fail(row, field, value, f"{what} before the ticket was created ({when} UTC)")


def _comments(
    directory: Path,
    tickets: tuple[Text, I64, Bool],
    users: tuple[Text, Text],
    orphans: _Orphans,
) -> dict[str, Any]:
    ids, created, deleted = tickets
    table = files.load(
        directory, "ticket_comment", required=("ticket_id", "user_id", "created", "public")
    )
    assert table is not None  # required
    ticket_ids = files.keys(table, "ticket_id", required=True)
    ticket = files.index_of(ids, ticket_ids)
    keep = orphans.check(table, "ticket_id", ticket_ids, ticket < 0, "ticket")
    user_ids = files.keys(table, "user_id", required=False)
    system = (user_ids == "") | (user_ids == _SYSTEM_USER)
    user = files.index_of(users[0], user_ids)
    keep &= orphans.check(table, "user_id", user_ids, (user < 0) & ~system & keep, "user")
    at = files.times(table, "created", required=True)
    public = files.flags(table, "public", default=None)
    keep &= ticket >= 0
    keep[keep] = ~deleted[ticket[keep]]
    _check_times(
        table,
        "created",
        rows=np.flatnonzero(keep),
        at=at[keep],
        ticket=ticket[keep],
        created=created,
        what="comment",
    )
    author = _lookup(users[1])[user]
    author[system] = "bot"
    return {
        "ticket_id": ids[ticket[keep]],
        "at": _micros(at[keep]),
        "author": author[keep],
        "public": public[keep],
        "author_id": _without(user_ids, system)[keep],
    }


def _histories(
    directory: Path,
    tickets: tuple[Text, I64, Bool],
    orphans: _Orphans,
) -> tuple[dict[str, dict[str, Any]], I64]:
    """Status, priority, assignee and SLA policy histories from ticket_field_history.

    Also returns the ticket row of each status change.
    """
    ids, created, deleted = tickets
    table = files.load(
        directory, "ticket_field_history", required=("ticket_id", "field_name", "updated", "value")
    )
    assert table is not None  # required
    names = files.texts(table, "field_name", required=True)
    used = np.isin(names.astype(str), _HISTORY_FIELDS)
    ticket_ids = files.keys(table, "ticket_id", required=True)
    ticket = files.index_of(ids, ticket_ids)
    keep = used & orphans.check(table, "ticket_id", ticket_ids, used & (ticket < 0), "ticket")
    keep[keep] = ~deleted[ticket[keep]]
    at = files.times(table, "updated", required=True)
    values = files.texts(table, "value", required=False)
    out: dict[str, dict[str, Any]] = {}
    for field, name, column in (
        ("status", "statuses", "status"),
        ("priority", "priority_changes", "priority"),
        ("assignee_id", "assignments", "assignee_id"),
        # dbt_zendesk (int_zendesk__sla_policy_applied): the policy in force is
        # the value of the latest sla_policy row; an empty value clears it.
        ("sla_policy", "sla_policy_changes", "policy"),
    ):
        rows = keep & (names == field)
        where = np.flatnonzero(rows)
        _check_times(
            table,
            "updated",
            rows=where,
            at=at[rows],
            ticket=ticket[rows],
            created=created,
            what=f"{field} change",
        )
        given = values[rows]
        if field == "status":
            given = _statuses(table, np.flatnonzero(rows), given)
            status_rows = ticket[rows]
        out[name] = {"ticket_id": ids[ticket[rows]], "at": _micros(at[rows]), column: given}
    return out, status_rows


def _statuses(table: files.Table, rows: I64, values: Text) -> Text:
    lowered = _lower(values)
    bad = ~np.isin(lowered, STATUSES)
    if bad.any():
        position = int(np.argmax(bad))
        value = str(values[position]) or None
        table.fail(int(rows[position]), "value", value, f"use one of {STATUSES}")
    return lowered


def _schedule_changes(
    directory: Path,
    tickets: tuple[Text, I64, Bool],
    schedules: Schedules,
    orphans: _Orphans,
) -> dict[str, Any] | None:
    """Each ticket's schedules: the default one from creation, then ticket_schedule's rows."""
    ids, created, deleted = tickets
    if schedules.default is None:
        return None
    table = files.load(
        directory,
        "ticket_schedule",
        required=("ticket_id", "created_at", "schedule_id"),
        table_required=False,
    )
    ticket = np.zeros(0, dtype=np.int64)
    at = np.zeros(0, dtype=np.int64)
    schedule = np.zeros(0, dtype=str)
    if table is not None:
        ticket_ids = files.keys(table, "ticket_id", required=True)
        ticket = files.index_of(ids, ticket_ids)
        keep = orphans.check(table, "ticket_id", ticket_ids, ticket < 0, "ticket")
        keep[keep] = ~deleted[ticket[keep]]
        schedule = files.keys(table, "schedule_id", required=True)
        unknown = keep & ~np.isin(schedule, list(schedules.calendars))
        if unknown.any():
            row = int(np.argmax(unknown))
            table.fail(row, "schedule_id", schedule[row], "no such schedule in the schedule table")
        at = files.times(table, "created_at", required=True)
        where = np.flatnonzero(keep)
        ticket, at, schedule = ticket[keep], at[keep], schedule[keep]
        _check_times(
            table, "created_at", rows=where, at=at, ticket=ticket, created=created, what="schedule"
        )
    # dbt_zendesk: the default schedule applies from creation unless a
    # ticket_schedule row lies within 5 seconds after it (a trigger that set
    # the schedule as the ticket was created).
    early = at <= created[ticket] + _SCHEDULE_GRACE
    has_first = np.zeros(len(ids), dtype=bool)
    has_first[ticket[early]] = True
    default = np.flatnonzero(~has_first & ~deleted)
    return {
        "ticket_id": np.concatenate([ids[default], ids[ticket]]),
        "at": _micros(np.concatenate([created[default], at])),
        "schedule_id": np.concatenate([np.full(len(default), schedules.default), schedule]),
    }


def read_tables(path: PathLike, /, *, on_orphan: OrphanPolicy = "error") -> Tickets:
    """Read a Zendesk export in the warehouse schema into a `csmetrics.Tickets` table.

    ``path`` is a directory with one file per table of the schema that the
    common Zendesk-to-warehouse connector writes and dbt_zendesk reads,
    named after the table (``ticket.csv`` or ``ticket.parquet``, ...); each
    table may be CSV or Parquet. Other tables and columns are ignored.

    ==========================  ==================================================
    table (required columns)    becomes
    ==========================  ==================================================
    ``ticket`` (``id``,         one ticket: ``id``; ``customer_id`` =
    ``created_at``,             ``requester_id``; ``created`` = ``created_at``;
    ``requester_id``)           ``channel`` = ``via_channel``; ``priority``;
                                ``category`` = ``type``; ``assignee_id``;
                                ``submitter_role`` = the role of ``submitter_id``
    ``user`` (``id``,           ``end-user`` is the customer, ``agent`` and
    ``role``)                   ``admin`` are agents
    ``ticket_comment``          one message: ``at`` = ``created``, ``public``,
    (``ticket_id``,             ``author_id`` = ``user_id``, ``author`` from the
    ``user_id``, ``created``,   user's role; ``user_id`` empty or ``-1``
    ``public``)                 (Zendesk's system user) is a bot
    ``ticket_field_history``    rows with ``field_name`` ``status``,
    (``ticket_id``,             ``priority``, ``assignee_id`` and
    ``field_name``,             ``sla_policy`` become the status, priority,
    ``updated``, ``value``)     assignee and SLA policy histories (``at`` =
                                ``updated``; an SLA policy's ``value`` is its
                                title, empty: none); other fields are ignored
    ``schedule``,               the schedules (`read_schedules`)
    ``schedule_holiday``
    ``ticket_schedule``         the schedule history: the default schedule (the
    (``ticket_id``,             earliest created) from creation, unless a row
    ``created_at``,             lies within 5 seconds after it; then each row
    ``schedule_id``)            from its ``created_at``
    ==========================  ==================================================

    ``ticket``, ``user``, ``ticket_comment`` and ``ticket_field_history``
    are required; without ``schedule`` the tickets have no schedule history.
    Timestamps without offset are UTC. A ticket whose ``status`` is
    ``deleted`` is left out with its rows, counted in an
    `OrphanRowsWarning`; so is any row with ``_fivetran_deleted`` true. A
    ticket without any status row gets its ``status`` from creation.

    Parameters
    ----------
    path
        The export directory.
    on_orphan
        ``"error"`` (default): a comment, history or schedule row whose ticket
        is not in ``ticket``, or a comment whose user is not in ``user``, is
        an `InvalidDataError` naming it. ``"warn"``: such rows are left out,
        counted per table in one `OrphanRowsWarning`.

    Returns
    -------
    Tickets
        One row per ticket, in the order of ``ticket``; keys are texts
        (``"1001"``), so CSV and Parquet exports give the same table.

    Raises
    ------
    FileNotFoundError
        The directory does not exist.
    InvalidDataError
        A missing table or column (named), or a bad row: a repeated id, an
        unknown role or status, a bad timestamp, a comment or history row
        before its ticket's creation, an orphan row; the message names the
        file, the row (the header is row 1), the field and the value.

    Warns
    -----
    OrphanRowsWarning
        Rows left out: orphans under ``on_orphan="warn"``, deleted tickets.

    See Also
    --------
    read_schedules : the schedules as calendars by schedule id.

    Examples
    --------
    The example export of the test suite (run from the repository's root):

    >>> read_tables("tests/data/zendesk")
    Tickets(10 tickets, 32 comments, 36 status changes)
    """
    option("on_orphan", on_orphan, ON_ORPHAN)
    directory = _directory(path)
    orphans = _Orphans(on_orphan)
    users = _users(directory)
    table, ids, created, status, deleted = _ticket_rows(directory)
    tickets = (ids, created, deleted)
    messages = _comments(directory, tickets, users, orphans)
    histories, histories_rows = _histories(directory, tickets, orphans)
    schedules = _schedules(directory)
    schedule_changes = _schedule_changes(directory, tickets, schedules, orphans)

    submitters = files.keys(table, "submitter_id", required=False)
    submitter = files.index_of(users[0], submitters)
    given = (submitters != "") & (submitters != _SYSTEM_USER)
    orphans.check(table, "submitter_id", submitters, given & (submitter < 0), "user")
    role = _lookup(users[1])[submitter]
    role[submitters == _SYSTEM_USER] = "bot"

    # A ticket without a status row: its status from creation.
    statuses = histories["statuses"]
    has_status = np.zeros(len(ids), dtype=bool)
    has_status[histories_rows] = True
    fill = np.flatnonzero(~has_status & ~deleted & (status != ""))
    statuses = {
        "ticket_id": np.concatenate([statuses["ticket_id"], ids[fill]]),
        "at": np.concatenate([statuses["at"], _micros(created[fill])]),
        "status": np.concatenate([statuses["status"], status[fill]]),
    }
    if deleted.any():
        orphans.counts[f"{Path(table.path).name} (status: deleted)"] = int(deleted.sum())
    orphans.report()
    keep = ~deleted
    columns = {
        "id": ids[keep],
        "customer_id": files.keys(table, "requester_id", required=True)[keep],
        "created": _micros(created[keep]),
        "channel": files.keys(table, "via_channel", required=False)[keep],
        "priority": files.keys(table, "priority", required=False)[keep],
        "category": files.keys(table, "type", required=False)[keep],
        "assignee_id": files.keys(table, "assignee_id", required=False)[keep],
        "submitter_role": role[keep],
    }
    return Tickets.from_columns(
        columns,
        messages=messages,
        statuses=statuses,
        priority_changes=histories["priority_changes"],
        assignments=histories["assignments"],
        schedule_changes=schedule_changes,
        sla_policy_changes=histories["sla_policy_changes"],
    )
