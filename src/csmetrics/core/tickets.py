"""The ticket table: `Tickets` and its child tables, in the encoding of `Interactions`.

One row per ticket (int64 epoch-microsecond times, dictionary-encoded keys),
and one flat child table per history, each sorted by ticket row and then time
(ties keep their input order): the comments (`Messages`, whose
``interaction`` column is the ticket row), the status changes
(`StatusChanges`), and the priority, assignee and schedule changes
(`Changes`). Built from `Ticket` objects (`Tickets.from_records`), from arrays
(`Tickets.from_columns`, no object per row), from dataframes
(`Tickets.from_frame`) or from Parquet files (`Tickets.read_parquet`, text
encoded by Arrow); every path runs the same vectorised checks.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from datetime import datetime
from typing import Any

import attrs
import numpy as np
import numpy.typing as npt

from csmetrics.core.check import bad_record, check_type
from csmetrics.core.errors import InvalidDataError
from csmetrics.core.model import (
    AUTHORS,
    STATUSES,
    Assignment,
    Key,
    Message,
    PriorityChange,
    ScheduleChange,
    SLAPolicyChange,
    StatusChange,
    Ticket,
)
from csmetrics.core.reading import Fields, Reading
from csmetrics.core.reduce import segment_starts
from csmetrics.core.table import (
    _MISSING_TIME,
    OPEN,
    Deferred,
    Encoded,
    Interactions,
    Messages,
    _codes_of,
    _columns,
    _encode,
    _first,
    _missing,
    _pop,
    _row_name,
    _times,
    _unique_ids,
    child_order,
    child_rows,
    child_times,
    from_micros,
    messages_from_columns,
    parent_rows,
    to_micros,
)

__all__ = [
    "ASSIGNMENT_FIELDS",
    "CONTACT_FIELDS",
    "MESSAGE_FIELDS",
    "PRIORITY_FIELDS",
    "SCHEDULE_FIELDS",
    "SLA_POLICY_FIELDS",
    "SOLVED_CODES",
    "STATUS_FIELDS",
    "TICKET_FIELDS",
    "Changes",
    "StatusChanges",
    "Tickets",
    "Timeline",
    "contacts",
    "is_solved",
    "latest_ticket_event",
    "union_keys",
]

I64 = npt.NDArray[np.int64]
Bool = npt.NDArray[np.bool_]

_TICKET_KEYS = ("channel", "priority", "category", "assignee_id")
TICKET_FIELDS = Fields(
    fields=("id", "customer_id", "created", *_TICKET_KEYS, "submitter_role"),
    required=("id", "customer_id", "created"),
    flags=(),
    keys=("id", "customer_id", *_TICKET_KEYS, "submitter_role"),
)
"""The columns of the ticket rows of `Tickets`."""
MESSAGE_FIELDS = Fields(
    fields=("ticket_id", "at", "author", "public", "author_id"),
    required=("ticket_id", "at", "author"),
    flags=(),
    keys=("ticket_id", "author", "author_id"),
)
"""The columns of a ticket's comments: one row per comment."""
STATUS_FIELDS = Fields(
    fields=("ticket_id", "at", "status"),
    required=("ticket_id", "at", "status"),
    flags=(),
    keys=("ticket_id", "status"),
)
"""The columns of the status history: one row per status change."""
PRIORITY_FIELDS = Fields(
    fields=("ticket_id", "at", "priority"),
    required=("ticket_id", "at", "priority"),
    flags=(),
    keys=("ticket_id", "priority"),
)
"""The columns of the priority history."""
ASSIGNMENT_FIELDS = Fields(
    fields=("ticket_id", "at", "assignee_id"),
    required=("ticket_id", "at", "assignee_id"),
    flags=(),
    keys=("ticket_id", "assignee_id"),
)
"""The columns of the assignee history (a missing assignee: unassigned)."""
SCHEDULE_FIELDS = Fields(
    fields=("ticket_id", "at", "schedule_id"),
    required=("ticket_id", "at", "schedule_id"),
    flags=(),
    keys=("ticket_id", "schedule_id"),
)
"""The columns of the schedule history."""
SLA_POLICY_FIELDS = Fields(
    fields=("ticket_id", "at", "policy"),
    required=("ticket_id", "at", "policy"),
    flags=(),
    keys=("ticket_id", "policy"),
)
"""The columns of the SLA policy history (a missing policy: none applies)."""

# The histories with one key value per change: (name, value field, required).
_HISTORIES: tuple[tuple[str, str, bool, Fields], ...] = (
    ("priority_changes", "priority", False, PRIORITY_FIELDS),
    ("assignments", "assignee_id", False, ASSIGNMENT_FIELDS),
    ("schedule_changes", "schedule_id", True, SCHEDULE_FIELDS),
    ("sla_policy_changes", "policy", False, SLA_POLICY_FIELDS),
)
_CHILDREN = ("messages", "statuses", *(name for name, *_ in _HISTORIES))


@attrs.frozen(eq=False, repr=False)
class StatusChanges:
    """Every ticket's status history as one flat child table.

    Attributes
    ----------
    ticket
        int64 row of the ticket in its `Tickets`.
    at
        int64 microseconds since the epoch (UTC).
    status
        int64 index into `csmetrics.STATUSES`.
    """

    ticket: I64
    at: I64
    status: I64

    def __len__(self) -> int:
        return len(self.at)

    def __repr__(self) -> str:
        return f"StatusChanges({len(self)} changes)"

    def for_rows(self, rows: I64 | Bool, parent_rows: int) -> StatusChanges:
        """The changes of the selected tickets, renumbered to the new rows."""
        take, ticket = child_rows(self.ticket, self.at, rows, parent_rows)
        return StatusChanges(ticket=ticket, at=self.at[take], status=self.status[take])


@attrs.frozen(eq=False, repr=False)
class Changes:
    """One field's history (priority, assignee or schedule) as a flat child table.

    Attributes
    ----------
    ticket
        int64 row of the ticket in its `Tickets`.
    at
        int64 microseconds since the epoch (UTC).
    value
        The new value (`Encoded`; -1: cleared, e.g. unassigned).
    """

    ticket: I64
    at: I64
    value: Encoded

    def __len__(self) -> int:
        return len(self.at)

    def __repr__(self) -> str:
        return f"Changes({len(self)} changes)"

    def for_rows(self, rows: I64 | Bool, parent_rows: int) -> Changes:
        """The changes of the selected tickets, renumbered to the new rows."""
        take, ticket = child_rows(self.ticket, self.at, rows, parent_rows)
        return Changes(ticket=ticket, at=self.at[take], value=self.value[take])


def _no_status_changes() -> StatusChanges:
    none = np.zeros(0, dtype=np.int64)
    return StatusChanges(ticket=none, at=none, status=none)


def _no_changes() -> Changes:
    none = np.zeros(0, dtype=np.int64)
    return Changes(ticket=none, at=none, value=_missing(0))


def _roles(values: Any, ids: Encoded, n: int) -> I64:
    """``submitter_role`` as codes into `AUTHORS`; -1 where missing."""
    keys = _encode("submitter_role", values, required=False, ids=ids)
    names = keys.keys.tolist()
    lookup = np.array([AUTHORS.index(k) if k in AUTHORS else -1 for k in names] + [-1])
    unknown = np.array([k not in AUTHORS for k in names] + [False])
    codes = keys.codes.astype(np.int64)
    if (row := _first(unknown[codes])) is not None:
        bad_record(
            _row_name(ids, row), "submitter_role", names[codes[row]], f"use one of {AUTHORS}"
        )
    roles: I64 = lookup[codes].reshape(n)
    return roles


@attrs.frozen(eq=False, repr=False)
class Tickets:
    """Tickets as columns: the table `ticket_metrics` and the ticket aggregates compute on.

    Attributes
    ----------
    id : Encoded
        Ticket ids, unique.
    customer_id : Encoded
        Requesters, never missing.
    created : numpy.ndarray
        int64 creation times, microseconds since the epoch (UTC).
    channel, priority, category, assignee_id : Encoded
        The ticket's current fields (-1: missing).
    submitter_role : numpy.ndarray
        int64 index into `csmetrics.AUTHORS` of who created the ticket; -1
        when unknown (read as the customer).
    messages : Messages
        The comments; ``messages.interaction`` is the ticket row.
    statuses : StatusChanges
        The status history.
    priority_changes, assignments, schedule_changes, sla_policy_changes : Changes
        The priority, assignee, schedule and SLA policy histories.

    Examples
    --------
    >>> import numpy as np
    >>> t = Tickets.from_columns(
    ...     {"id": [1, 2], "customer_id": ["a", "b"],
    ...      "created": np.array(["2026-03-02T09:00", "2026-03-02T10:00"], "datetime64[us]")},
    ...     statuses={"ticket_id": [1, 1, 2],
    ...               "at": np.array(["2026-03-02T09:00", "2026-03-02T11:00",
    ...                               "2026-03-02T10:00"], "datetime64[us]"),
    ...               "status": ["new", "solved", "open"]},
    ... )
    >>> len(t), len(t.statuses)
    (2, 3)
    """

    id: Encoded
    customer_id: Encoded
    created: I64
    channel: Encoded
    priority: Encoded
    category: Encoded
    assignee_id: Encoded
    submitter_role: I64
    messages: Messages
    statuses: StatusChanges
    priority_changes: Changes
    assignments: Changes
    schedule_changes: Changes
    sla_policy_changes: Changes
    memo: dict[str, Any] = attrs.field(factory=dict, init=False, eq=False, repr=False)
    """Derived arrays computed once per table (the table itself never changes)."""

    def __len__(self) -> int:
        return len(self.created)

    def __repr__(self) -> str:
        return (
            f"Tickets({len(self)} tickets, {len(self.messages)} comments, "
            f"{len(self.statuses)} status changes)"
        )

    def take(self, rows: I64 | Bool) -> Tickets:
        """The tickets selected by a boolean mask or an index array without repeats."""
        n = len(self)
        columns = {
            name: getattr(self, name)[rows]
            for name in ("id", "customer_id", "created", *_TICKET_KEYS, "submitter_role")
        }
        children = {name: getattr(self, name).for_rows(rows, n) for name in _CHILDREN}
        return Tickets(**columns, **children)

    @classmethod
    def from_records(cls, records: Iterable[Ticket], /) -> Tickets:
        """Build the table from `Ticket` objects in one pass."""
        rows: list[Ticket] = []
        for position, record in enumerate(records):
            check_type(position, record, Ticket)
            rows.append(record)

        def times(values: Iterable[datetime]) -> npt.NDArray[Any]:
            return np.array([to_micros(v) for v in values], dtype=np.int64).astype("datetime64[us]")

        def objects(values: Iterable[object]) -> npt.NDArray[Any]:
            return np.array(list(values), dtype=object)

        columns: dict[str, Any] = {
            "id": objects(r.id for r in rows),
            "customer_id": objects(r.customer_id for r in rows),
            "created": times(r.created for r in rows),
            **{name: objects(getattr(r, name) for r in rows) for name in _TICKET_KEYS},
            "submitter_role": objects(r.submitter_role for r in rows),
        }
        messages = [(r.id, m) for r in rows for m in r.messages]
        statuses = [(r.id, s) for r in rows for s in r.statuses]
        children: dict[str, Any] = {
            "messages": {
                "ticket_id": objects(t for t, _ in messages),
                "at": times(m.at for _, m in messages),
                "author": objects(m.author for _, m in messages),
                "public": np.array([m.public for _, m in messages], dtype=bool),
                "author_id": objects(m.author_id for _, m in messages),
            },
            "statuses": {
                "ticket_id": objects(t for t, _ in statuses),
                "at": times(s.at for _, s in statuses),
                "status": objects(s.status for _, s in statuses),
            },
        }
        for name, field, _, _ in _HISTORIES:
            events = [(r.id, e) for r in rows for e in getattr(r, name)]
            children[name] = {
                "ticket_id": objects(t for t, _ in events),
                "at": times(e.at for _, e in events),
                field: objects(getattr(e, field) for _, e in events),
            }
        return cls._build(columns, children)

    @classmethod
    def from_columns(
        cls,
        columns: Mapping[str, Any],
        /,
        *,
        messages: Mapping[str, Any] | None = None,
        statuses: Mapping[str, Any] | None = None,
        priority_changes: Mapping[str, Any] | None = None,
        assignments: Mapping[str, Any] | None = None,
        schedule_changes: Mapping[str, Any] | None = None,
        sla_policy_changes: Mapping[str, Any] | None = None,
    ) -> Tickets:
        """Build the table from mappings of field name to array or sequence.

        ``columns`` holds one row per ticket. Required: ``id``,
        ``customer_id``, ``created``; optional: ``channel``, ``priority``,
        ``category``, ``assignee_id``, ``submitter_role`` ("customer",
        "agent", "bot"; missing: unknown). Times are numpy datetime64 (read
        as UTC) or timezone-aware datetimes; keys are str or int, None or ""
        missing, as in `Interactions.from_columns`.

        Each history is a mapping of columns with one row per event, whose
        ``ticket_id`` names the ticket; rows may come in any order (they are
        sorted by ticket and time; ties keep their order):

        - ``messages``: ``ticket_id``, ``at``, ``author`` ("customer",
          "agent", "bot"), ``public`` (bool, default True), ``author_id``
          (optional);
        - ``statuses``: ``ticket_id``, ``at``, ``status`` (one of
          `csmetrics.STATUSES`);
        - ``priority_changes``: ``ticket_id``, ``at``, ``priority``;
        - ``assignments``: ``ticket_id``, ``at``, ``assignee_id`` (missing:
          unassigned);
        - ``schedule_changes``: ``ticket_id``, ``at``, ``schedule_id``;
        - ``sla_policy_changes``: ``ticket_id``, ``at``, ``policy`` (the
          `csmetrics.SLAPolicy` name; missing: no policy).

        Raises
        ------
        InvalidDataError
            A duplicate or missing id, a naive or missing time, an event
            before its ticket's creation or of a ticket not in ``columns``,
            an unknown status, author or role; the message names the row.
        """
        children = {
            "messages": messages,
            "statuses": statuses,
            "priority_changes": priority_changes,
            "assignments": assignments,
            "schedule_changes": schedule_changes,
            "sla_policy_changes": sla_policy_changes,
        }
        return cls._build(
            dict(columns),
            {name: dict(cols) for name, cols in children.items() if cols is not None},
        )

    @classmethod
    def from_frame(
        cls,
        frame: Any,
        /,
        *,
        messages: Any = None,
        statuses: Any = None,
        priority_changes: Any = None,
        assignments: Any = None,
        schedule_changes: Any = None,
        sla_policy_changes: Any = None,
        assume_timezone: str | None = None,
    ) -> Tickets:
        """Build the table from dataframes: the tickets and one per history.

        Needs the ``frames`` extra. Each frame is a pandas, polars or pyarrow
        table or a DuckDB relation whose columns are named like the fields of
        `from_columns` (other columns are ignored). ``assume_timezone`` is the
        IANA zone of naive timestamps, as for `Interactions.from_frame`;
        without it a naive timestamp column is an error.
        """
        from csmetrics.core import frames  # noqa: PLC0415 (optional extra)

        def read(data: Any, spec: Fields) -> dict[str, Any]:
            reading = Reading.of(spec, assume_timezone=assume_timezone)
            return frames.frame_columns(data, reading=reading)

        given = {
            "messages": messages,
            "statuses": statuses,
            "priority_changes": priority_changes,
            "assignments": assignments,
            "schedule_changes": schedule_changes,
            "sla_policy_changes": sla_policy_changes,
        }
        children = {
            name: read(data, _SPECS[name]) for name, data in given.items() if data is not None
        }
        return cls._build(read(frame, TICKET_FIELDS), children)

    @classmethod
    def read_parquet(
        cls,
        path: str | os.PathLike[str],
        /,
        *,
        messages: str | os.PathLike[str] | None = None,
        statuses: str | os.PathLike[str] | None = None,
        priority_changes: str | os.PathLike[str] | None = None,
        assignments: str | os.PathLike[str] | None = None,
        schedule_changes: str | os.PathLike[str] | None = None,
        sla_policy_changes: str | os.PathLike[str] | None = None,
        assume_timezone: str | None = None,
    ) -> Tickets:
        """Build the table from Parquet files: the tickets and one file per history.

        Needs the ``frames`` extra. ``path`` holds one row per ticket; each
        history is its own file. Columns are named like the fields of
        `from_columns` (other columns are ignored) and the same checks run,
        so this gives the table ``from_frame`` gives on the files' Arrow
        tables, without a Python object per row: text columns (ids,
        authors, statuses, priorities) are dictionary-encoded by Arrow and
        only their distinct values become Python strings; numbers and
        timestamps are read as numpy arrays. The columns of each file are
        read in batches of bounded size and freed once converted (see
        `csmetrics.core.frames.parquet_columns`).

        Timestamp columns with a time zone are instants; naive ones are an
        error unless ``assume_timezone`` names their zone (``"UTC"`` for a
        file written from UTC wall times), as for
        `csmetrics.Interactions.read_parquet`.

        Raises
        ------
        InvalidDataError
            As `from_columns`, the message starting with the file it is about
            (and naming the row, as position in that file, the field and the
            value); also a missing required column or an unreadable file.
        """
        from csmetrics.core import frames  # noqa: PLC0415 (optional extra)

        files = {
            "tickets": path,
            "messages": messages,
            "statuses": statuses,
            "priority_changes": priority_changes,
            "assignments": assignments,
            "schedule_changes": schedule_changes,
            "sla_policy_changes": sla_policy_changes,
        }
        specs = {"tickets": TICKET_FIELDS, **_SPECS}
        read: dict[str, dict[str, Any]] = {}
        for name, file in files.items():
            if file is None:
                continue
            reading = Reading.of(specs[name], assume_timezone=assume_timezone)
            with _naming_file(file):
                read[name] = dict(frames.parquet_columns(file, reading=reading)[0])
        named = {name: os.fspath(file) for name, file in files.items() if file is not None}
        try:
            return cls._build(read.pop("tickets"), read, files=named)
        finally:
            # The columns read are freed; pyarrow's pool would keep their memory.
            frames.release_arrow_memory()

    @classmethod
    def _build(
        cls,
        cols: dict[str, Any],
        children: dict[str, dict[str, Any]],
        *,
        files: Mapping[str, str] | None = None,
    ) -> Tickets:
        files = files or {}
        with _naming_file(files.get("tickets")):
            fields = cls._ticket_columns(cols)
        ids, created = fields["id"], fields["created"]
        for name in _CHILDREN:
            given = children.get(name)
            if given is None:
                continue
            with _naming_file(files.get(name)):
                given = {
                    key: value() if isinstance(value, Deferred) else value
                    for key, value in given.items()
                }
                fields[name] = _child(name, given, ids, created)
        fields.setdefault("messages", Messages.empty())
        fields.setdefault("statuses", _no_status_changes())
        for name, *_ in _HISTORIES:
            fields.setdefault(name, _no_changes())
        return cls(**fields)

    @staticmethod
    def _ticket_columns(cols: dict[str, Any]) -> dict[str, Any]:
        """The ticket rows' columns, checked and encoded."""
        n = _columns(cols, TICKET_FIELDS.required, (*_TICKET_KEYS, "submitter_role"))[0]
        ids = _encode("id", _pop(cols, "id"), required=True, ids=None)
        _unique_ids(ids)
        created = _times("created", _pop(cols, "created"), ids)
        if (row := _first(created == _MISSING_TIME)) is not None:
            bad_record(_row_name(ids, row), "created", None, "created is required")
        fields: dict[str, Any] = {
            "id": ids,
            "customer_id": _encode(
                "customer_id", _pop(cols, "customer_id"), required=True, ids=ids
            ),
            "created": created,
            **{
                name: _encode(name, _pop(cols, name), required=False, ids=ids)
                if name in cols
                else _missing(n)
                for name in _TICKET_KEYS
            },
            "submitter_role": _roles(_pop(cols, "submitter_role"), ids, n)
            if "submitter_role" in cols
            else np.full(n, -1, dtype=np.int64),
        }
        return fields

    def contacts(self) -> Interactions:
        """The tickets as contacts, one per resolution cycle: see `contacts`.

        Every contact metric then runs on tickets:
        ``csmetrics.fcr(tickets.contacts(), window_days=7)``; a metric given
        the `Tickets` table itself converts it this way.
        """
        if "contacts" not in self.memo:
            self.memo["contacts"] = contacts(self)
        table: Interactions = self.memo["contacts"]
        return table

    def to_records(self) -> list[Ticket]:
        """The tickets as `Ticket` objects (for inspection and tests)."""

        def per_ticket(ticket: I64) -> list[list[int]]:
            out: list[list[int]] = [[] for _ in range(len(self))]
            for child, row in enumerate(ticket.tolist()):
                out[row].append(child)
            return out

        m, s = self.messages, self.statuses
        messages = per_ticket(m.interaction)
        statuses = per_ticket(s.ticket)
        histories = {name: per_ticket(getattr(self, name).ticket) for name, *_ in _HISTORIES}

        def history(name: str, field: str, cls: type[Any], row: int) -> list[Any]:
            changes: Changes = getattr(self, name)
            return [
                cls(
                    at=from_micros(changes.at[i]),
                    **{field: changes.value.key(changes.value.codes[i])},
                )
                for i in histories[name][row]
            ]

        def key(column: Encoded, row: int) -> Key | None:
            return column.key(int(column.codes[row]))

        return [
            Ticket(
                id=key(self.id, row),
                customer_id=key(self.customer_id, row),
                created=from_micros(self.created[row]),
                messages=[
                    Message(
                        at=from_micros(m.at[i]),
                        author=AUTHORS[m.author[i]],
                        public=bool(m.public[i]),
                        author_id=m.author_id.key(int(m.author_id.codes[i])),
                    )
                    for i in messages[row]
                ],
                statuses=[
                    StatusChange(at=from_micros(s.at[i]), status=STATUSES[s.status[i]])
                    for i in statuses[row]
                ],
                **{name: key(getattr(self, name), row) for name in _TICKET_KEYS},
                submitter_role=None
                if self.submitter_role[row] < 0
                else AUTHORS[self.submitter_role[row]],
                priority_changes=history("priority_changes", "priority", PriorityChange, row),
                assignments=history("assignments", "assignee_id", Assignment, row),
                schedule_changes=history("schedule_changes", "schedule_id", ScheduleChange, row),
                sla_policy_changes=history("sla_policy_changes", "policy", SLAPolicyChange, row),
            )
            for row in range(len(self))
        ]


_SPECS: dict[str, Fields] = {
    "messages": MESSAGE_FIELDS,
    "statuses": STATUS_FIELDS,
    **{name: spec for name, _, _, spec in _HISTORIES},
}
"""The fields of each child table, by its name in `Tickets`."""


def _child(
    name: str, columns: dict[str, Any], ids: Encoded, created: I64
) -> Messages | StatusChanges | Changes:
    """The child table ``name`` of `Tickets` from its columns."""
    if name == "messages":
        return messages_from_columns(columns, ids, created, parent="ticket_id")
    if name == "statuses":
        return _status_changes(columns, ids, created)
    field, required = next((f, r) for n, f, r, _ in _HISTORIES if n == name)
    return _changes(columns, field, ids, created, required=required)


@contextmanager
def _naming_file(path: str | os.PathLike[str] | None) -> Iterator[None]:
    """Start the message of an `InvalidDataError` raised inside with the file it is about.

    The error keeps its row (the position in that file), field, value and
    reason; without a file (columns or frames) it passes unchanged.
    """
    try:
        yield
    except InvalidDataError as err:
        if path is None:
            raise
        where = os.fspath(path)
        text = str(err)
        if text.startswith((where, repr(where))):
            raise
        raise InvalidDataError(
            f"{where}: {text}",
            row=err.row,
            record=err.record,
            field=err.field,
            value=err.value,
            why=err.why,
        ) from None


def _status_changes(columns: dict[str, Any], ids: Encoded, created: I64) -> StatusChanges:
    _columns(columns, STATUS_FIELDS.required, ())
    ticket = parent_rows(
        "ticket_id", columns["ticket_id"], ids, what="status change", parent="ticket"
    )
    at = child_times(
        "at",
        columns["at"],
        ticket,
        created,
        what="status change",
        why="before the ticket was created",
    )
    status = _codes_of("status", columns["status"], STATUSES, None, what="status change ")
    order = child_order(ticket, at)
    if order is None:
        return StatusChanges(ticket=ticket, at=at, status=status)
    return StatusChanges(ticket=ticket[order], at=at[order], status=status[order])


def _changes(
    columns: dict[str, Any], field: str, ids: Encoded, created: I64, *, required: bool
) -> Changes:
    what = f"{field} change"
    _columns(columns, ("ticket_id", "at", field), ())
    ticket = parent_rows("ticket_id", columns["ticket_id"], ids, what=what, parent="ticket")
    at = child_times(
        "at", columns["at"], ticket, created, what=what, why="before the ticket was created"
    )
    value = _encode(field, columns[field], required=required, ids=None)
    order = child_order(ticket, at)
    if order is None:
        return Changes(ticket=ticket, at=at, value=value)
    return Changes(ticket=ticket[order], at=at[order], value=value[order])


SOLVED_CODES = (STATUSES.index("solved"), STATUSES.index("closed"))
"""The status codes of a resolved ticket: solved and closed."""


def is_solved(status: I64) -> Bool:
    """Where a status code is solved or closed."""
    solved: Bool = status >= SOLVED_CODES[0]
    return solved


def latest_ticket_event(table: Tickets) -> int | None:
    """The latest recorded timestamp of the tickets: creation or any history event."""
    if not len(table):
        return None
    children = (table.messages, table.statuses, *(getattr(table, n) for n, *_ in _HISTORIES))
    moments = [int(child.at.max()) for child in children if len(child)]
    return max([int(table.created.max()), *moments])


@attrs.frozen(eq=False)
class Timeline:
    """Every ticket's life as status segments up to a cutoff, sorted by ticket and time.

    Each ticket starts with a ``"new"`` segment at its creation (the status
    before its first change); each status change up to the cutoff starts a
    segment that lasts until the next change, the last one until the cutoff.

    Attributes
    ----------
    ticket
        The ticket row of each segment.
    start, end
        Its bounds, epoch microseconds.
    status
        Its status code (`csmetrics.STATUSES`).
    resolution
        The change that started it solved the ticket: from new, open,
        pending or hold to solved or closed.
    reopen
        The change that started it reopened the ticket: from solved or
        closed back to new, open, pending or hold.
    cycle
        The resolution cycle it belongs to, numbered across all tickets
        (each ticket's creation and each reopen start one).
    """

    ticket: I64
    start: I64
    end: I64
    status: I64
    resolution: Bool
    reopen: Bool
    cycle: I64

    @classmethod
    def of(cls, table: Tickets, cutoff: int) -> Timeline:
        """The timeline of ``table`` up to ``cutoff`` (later changes are ignored)."""
        n, s = len(table), table.statuses
        keep = np.flatnonzero(s.at <= cutoff)
        # The changes are sorted by ticket and time; each ticket's implicit
        # "new" row goes just before its first change (and so before a change
        # at the same instant): change k of ticket t lands at k + t + 1.
        implicit = np.arange(n, dtype=np.int64)
        implicit += np.searchsorted(s.ticket[keep], implicit)
        changes = np.arange(len(keep), dtype=np.int64) + s.ticket[keep] + 1
        size = n + len(keep)
        ticket, at, status = (np.empty(size, dtype=np.int64) for _ in range(3))
        ticket[implicit], ticket[changes] = np.arange(n), s.ticket[keep]
        at[implicit], at[changes] = table.created, s.at[keep]
        status[implicit], status[changes] = 0, s.status[keep]
        first = segment_starts(ticket)
        end = np.empty_like(at)
        end[:-1] = at[1:]
        last = np.ones_like(first)
        last[:-1] = first[1:]
        end[last] = cutoff
        solved = is_solved(status)
        before = np.empty_like(solved)
        before[1:] = solved[:-1]
        before[first] = False
        reopen = ~solved & before
        return cls(
            ticket=ticket,
            start=at,
            end=end,
            status=status,
            resolution=solved & ~before,
            reopen=reopen,
            cycle=np.cumsum(first | reopen) - 1,
        )


def contacts(table: Tickets) -> Interactions:
    """The tickets as contacts, one per resolution cycle (decision 67).

    A cycle runs from the ticket's creation, or from a reopen, to the next
    change to solved or closed (its ``end``, with ``resolved=True``), or
    stays open. Its contact has the ``id`` ``"<ticket id>#<n>"`` (``n`` from
    1), the ticket id as ``issue_id``, the ticket's customer, channel,
    priority and category, the comments from its start until the next cycle
    starts, and as ``agent_id`` the author of its first public agent comment,
    else the ticket's assignee.
    """
    cutoff = latest_ticket_event(table)
    line = Timeline.of(table, 0 if cutoff is None else cutoff)
    opens = np.flatnonzero(segment_starts(line.cycle))
    ticket, start = line.ticket[opens], line.start[opens]
    ncycles = len(opens)
    end = np.full(ncycles, OPEN, dtype=np.int64)
    solves = np.flatnonzero(line.resolution)
    end[line.cycle[solves]] = line.start[solves]
    position = np.arange(ncycles)
    firsts = np.maximum.accumulate(np.where(segment_starts(ticket), position, 0))
    number = position - firsts + 1
    ticket_ids = table.id.keys[table.id.codes[ticket]].astype(str)
    names = np.char.add(np.char.add(ticket_ids, "#"), number.astype(str))
    ids = _encode("id", names, required=True, ids=None)
    m = table.messages
    cycle_of = _cycle_of(ticket, start, m.interaction, m.at)
    none = np.zeros(ncycles, dtype=bool)
    nothing = np.broadcast_to(np.float64(np.nan), (ncycles,))
    return Interactions(
        id=ids,
        customer_id=table.customer_id[ticket],
        start=start,
        end=end,
        resolved=end != OPEN,
        channel=table.channel[ticket],
        agent_id=_first_agents(table, cycle_of, ticket),
        issue_id=table.id[ticket],
        category=table.category[ticket],
        first_response=np.full(ncycles, OPEN, dtype=np.int64),
        abandoned=none,
        blocked=none,
        talk_seconds=nothing,
        hold_seconds=nothing,
        wrap_seconds=nothing,
        priority=table.priority[ticket],
        tier=_missing(ncycles),
        escalated=none,
        escalated_to=_missing(ncycles),
        complaint=none,
        messages=Messages(
            interaction=cycle_of,
            at=m.at,
            author=m.author,
            public=m.public,
            author_id=m.author_id,
        ),
        given=CONTACT_FIELDS,
    )


CONTACT_FIELDS = frozenset(
    ("end", "resolved", "channel", "agent_id", "issue_id", "category", "priority", "messages")
)
"""The contact fields `contacts` gives (`Interactions.has`)."""


def _cycle_of(start_ticket: I64, start: I64, ticket: I64, at: I64) -> I64:
    """The cycle of each event: the latest cycle of its ticket started at or before it."""
    ncycles = len(start)
    kind = np.concatenate([np.zeros(ncycles, dtype=np.int64), np.ones(len(at), dtype=np.int64)])
    order = np.lexsort((kind, np.concatenate([start, at]), np.concatenate([start_ticket, ticket])))
    is_cycle = kind[order] == 0
    running = np.cumsum(is_cycle) - 1
    out = np.empty(len(at), dtype=np.int64)
    out[order[~is_cycle] - ncycles] = running[~is_cycle]
    return out


def _first_agents(table: Tickets, cycle_of: I64, ticket: I64) -> Encoded:
    """Per cycle, the author of its first public agent comment, else the ticket's assignee."""
    m = table.messages
    agent = (m.author == AUTHORS.index("agent")) & m.public & (m.author_id.codes >= 0)
    rows = np.flatnonzero(agent)
    cycles, first = np.unique(cycle_of[rows], return_index=True)
    author = np.full(len(ticket), -1, dtype=np.int64)
    author[cycles] = m.author_id.codes[rows[first]]
    assignee = table.assignee_id.codes[ticket].astype(np.int64)
    keys, (author_map, assignee_map) = union_keys(m.author_id.keys, table.assignee_id.keys)
    codes = np.where(author >= 0, author_map[author], assignee_map[assignee])
    return Encoded(codes.astype(np.int32 if len(keys) < 2**31 else np.int64), keys)


def union_keys(*dictionaries: npt.NDArray[Any]) -> tuple[npt.NDArray[Any], list[I64]]:
    """One sorted dictionary of the keys of several, and each one's code map.

    Each map has one more slot, -1, so that code -1 (missing) maps to -1.
    Keys of different types (str and int) are compared as text.
    """
    kinds = {d.dtype.kind for d in dictionaries if len(d)}
    if len(kinds) > 1:
        dictionaries = tuple(d.astype(str) for d in dictionaries)
    given = [d for d in dictionaries if len(d)]
    keys = np.unique(np.concatenate(given)) if given else np.zeros(0, dtype=np.int64)
    maps = [np.append(np.searchsorted(keys, d), -1).astype(np.int64) for d in dictionaries]
    return keys, maps
