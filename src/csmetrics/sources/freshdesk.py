"""Read a Freshdesk export: tickets with their conversations (API v2), or the ticket CSV.

`read_api` reads the JSON that Freshdesk's API v2 returns: tickets fetched
with ``include=stats`` (the ``stats`` object holds the status times), each
with its ``conversations`` (``include=conversations``, or the pages of
``GET /api/v2/tickets/{id}/conversations`` saved next to them). `read_csv`
reads the ticket export Freshdesk's web app writes, which has no comment
thread and no status history: its docs page says what can be computed from
it.

The mapping from Freshdesk's fields to csmetrics' is in the docs page
"Sources: Freshdesk" and in decision 101.
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from csmetrics.core.check import time_zone
from csmetrics.core.errors import InvalidDataError
from csmetrics.core.model import STATUSES, Status
from csmetrics.core.tickets import Tickets
from csmetrics.sources import files, records
from csmetrics.sources.files import OrphanRowsWarning
from csmetrics.sources.records import Collect, IncompleteHistoryWarning, OrphanPolicy, Place

__all__ = [
    "CHANNELS",
    "PRIORITIES",
    "STATUS_CODES",
    "IncompleteHistoryWarning",
    "OrphanRowsWarning",
    "read_api",
    "read_csv",
]

PathLike = str | os.PathLike[str]
I64 = npt.NDArray[np.int64]
Text = npt.NDArray[np.str_]

STATUS_CODES: Mapping[int, Status] = {2: "open", 3: "pending", 4: "solved", 5: "closed"}
"""Freshdesk's built-in ticket statuses: Open 2, Pending 3, Resolved 4, Closed 5."""
PRIORITIES: Mapping[int, str] = {1: "low", 2: "medium", 3: "high", 4: "urgent"}
"""Freshdesk's priorities, by code."""
CHANNELS: Mapping[int, str] = {
    1: "email",
    2: "portal",
    3: "phone",
    7: "chat",
    9: "feedback_widget",
    10: "outbound_email",
}
"""Freshdesk's ticket sources, by code; another code is kept as its number."""
_OUTBOUND = 10
"""An outbound email: a ticket an agent opened by writing to the customer."""
_STATUS_NAMES: Mapping[str, Status] = {
    "open": "open",
    "pending": "pending",
    "resolved": "solved",
    "closed": "closed",
}
_RANK = {status: rank for rank, status in enumerate(STATUSES)}


def _statuses(custom: Mapping[int, str] | None) -> dict[int, Status]:
    table: dict[int, Status] = dict(STATUS_CODES)
    for code, status in (custom or {}).items():
        if isinstance(code, bool) or not isinstance(code, int):
            msg = f"statuses={custom!r}: key {code!r} is not allowed; use the status code, an int"
            raise ValueError(msg)
        if status not in STATUSES:
            msg = f"statuses={custom!r}: {code}: {status!r} is not allowed; use one of {STATUSES}"
            raise ValueError(msg)
        table[code] = status
    return table


def _code(place: Place, obj: Mapping[str, Any], field: str) -> int | None:
    value = obj.get(field)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        place.fail(field, value, "expected a whole-number code")
    return value


class _Reader:
    """One pass over the API pages: tickets, their conversations, their status times."""

    def __init__(self, statuses: dict[int, Status], on_orphan: OrphanPolicy) -> None:
        self.statuses = statuses
        self.collect = Collect(on_orphan)
        self.requester: dict[str, str] = {}
        self.loose: list[tuple[Place, dict[str, Any]]] = []
        self.incomplete = 0

    def page(self, place: Place, data: Any) -> None:
        if isinstance(data, dict) and "conversations" in data and "requester_id" not in data:
            # A page of conversations saved with its key.
            self.loose.extend(records.members(place, data["conversations"], "conversations"))
            return
        if isinstance(data, dict) and isinstance(data.get("results"), list):
            # A page of the search API: {"results": [...], "total": n}.
            self.collect_page(place.at("results"), data["results"])
            return
        self.collect_page(place, data if isinstance(data, list) else [data])

    def collect_page(self, place: Place, items: list[Any]) -> None:
        for index, item in enumerate(items):
            where = place.at(index, item.get("id") if isinstance(item, dict) else None)
            if not isinstance(item, dict):
                where.fail("ticket", item, "expected a ticket or conversation object")
            if "requester_id" in item:
                self.ticket(where, item)
            elif "ticket_id" in item:
                self.loose.append((where, item))
            else:
                where.fail("requester_id", None, "neither a ticket nor a conversation")

    def status(self, place: Place, code: int | None) -> Status:
        if code is None:
            place.fail("status", None, "required value is missing")
        status = self.statuses.get(code)
        if status is None:
            why = (
                f"unknown status; a custom status needs statuses={{{code}: 'pending'}} "
                f"(or 'open', 'hold', ...): one of {STATUSES}"
            )
            place.fail("status", code, why)
        return status

    def ticket(self, place: Place, item: dict[str, Any]) -> None:
        ident = records.key(place, item, "id", required=True)
        created = records.moment(place, item, "created_at", required=True)
        assert created is not None  # required
        requester = records.key(place, item, "requester_id", required=True)
        self.requester[ident] = requester
        source = _code(place, item, "source")
        priority = _code(place, item, "priority")
        assignee = records.key(place, item, "responder_id", required=False)
        outbound = source == _OUTBOUND
        self.collect.ticket(
            place,
            id=ident,
            customer_id=requester,
            created=created,
            channel="" if source is None else CHANNELS.get(source, str(source)),
            priority="" if priority is None else PRIORITIES.get(priority, str(priority)),
            category=records.key(place, item, "type", required=False),
            assignee_id=assignee,
            submitter_role="agent" if outbound else "customer",
        )
        # The ticket's description is its first message, by whoever opened it.
        self.collect.event(
            "messages",
            place,
            "created_at",
            ident,
            created,
            author="agent" if outbound else "customer",
            public=True,
            author_id=assignee if outbound else requester,
        )
        self.history(place, item, ident, created)
        conversations = item.get("conversations")
        if conversations is not None:
            for where, conversation in records.members(place, conversations, "conversations"):
                self.conversation(where, conversation, ident)

    def history(self, place: Place, item: dict[str, Any], ident: str, created: int) -> None:
        current = self.status(place, _code(place, item, "status"))
        if "stats" not in item:
            place.fail("stats", None, "missing; fetch tickets with ?include=stats")
        stats = records.mapping(place, item, "stats")
        where = place.at("stats")

        def at(field: str) -> int | None:
            return records.moment(where, stats, field, required=False)

        events: list[tuple[int, Status, str]] = [(created, "open", "created_at")]
        for field, status in (
            ("resolved_at", "solved"),
            ("closed_at", "closed"),
            ("reopened_at", "open"),
        ):
            moment = at(field)
            if moment is not None:
                events.append((moment, status, field))  # type: ignore[arg-type]
        pending = at("pending_since")
        if current == "pending" and pending is not None:
            events.append((pending, "pending", "pending_since"))
        updated = at("status_updated_at")
        if updated is not None:
            events.append((updated, current, "status_updated_at"))
        events.sort(key=lambda e: (e[0], _RANK[e[1]]))
        if events[-1][1] != current:
            # The stats do not say when the ticket took its current status.
            why = f"the ticket is {current} now, but stats give no time for it"
            where.fail("status_updated_at", None, why)
        resolved, reopened = at("resolved_at"), at("reopened_at")
        if resolved is not None and reopened is not None and reopened < resolved:
            self.incomplete += 1  # an earlier resolution, whose time is not kept
        previous = None
        for moment, status, field in events:
            if status != previous:
                here = place if field == "created_at" else where
                self.collect.event("statuses", here, field, ident, moment, status=status)
            previous = status

    def conversation(self, place: Place, item: dict[str, Any], ident: str) -> None:
        at = records.moment(place, item, "created_at", required=True)
        assert at is not None  # required
        user = records.key(place, item, "user_id", required=False)
        incoming = records.flag(place, item, "incoming", default=False)
        private = records.flag(place, item, "private", default=False)
        customer = incoming or (user != "" and user == self.requester.get(ident))
        self.collect.event(
            "messages",
            place,
            "created_at",
            ident,
            at,
            author="customer" if customer else "agent",
            public=not private,
            author_id=user,
        )

    def finish(self) -> Tickets:
        orphans: list[tuple[Place, str]] = []
        orphan_ids: list[str] = []
        for place, item in self.loose:
            ident = records.key(place, item, "ticket_id", required=True)
            if ident in self.requester:
                self.conversation(place, item, ident)
            else:
                orphans.append((place, "ticket_id"))
                orphan_ids.append(ident)
        self.collect.orphans("ticket", orphans, orphan_ids)
        if self.incomplete:
            msg = (
                f"{self.incomplete} ticket(s) were reopened before their latest resolution: "
                "Freshdesk's stats keep only the latest resolved_at, so their earlier "
                "resolution is not in the export (their reopens and first resolution are "
                "not known; full resolution is)"
            )
            warnings.warn(msg, IncompleteHistoryWarning, stacklevel=3)
        return self.collect.build()


def read_api(
    path: PathLike,
    /,
    *,
    statuses: Mapping[int, str] | None = None,
    on_orphan: OrphanPolicy = "error",
) -> Tickets:
    """Read Freshdesk tickets and conversations, as its API v2 returns them, into `Tickets`.

    ``path`` is a JSON file or a directory of them (``*.json``, read in name
    order: the pages of ``GET /api/v2/tickets?include=stats``, of the search
    API (``{"results": [...]}``), or single tickets from ``GET
    /api/v2/tickets/{id}?include=conversations,stats``).
    A file holds a list of tickets or one ticket; a ticket's conversations
    are its ``conversations`` list, or come in their own files (the pages of
    ``GET /api/v2/tickets/{id}/conversations``: lists of objects with a
    ``ticket_id``). Unknown fields are ignored.

    =======================  =====================================================
    Freshdesk                csmetrics
    =======================  =====================================================
    ticket ``id``            ``Ticket.id`` (as text)
    ``created_at``           ``created``; the first message (the description)
    ``requester_id``         ``customer_id``, and the author of the description
    ``responder_id``         ``assignee_id`` (the current one; no history)
    ``status``               the current status: 2 open, 3 pending, 4 solved
                             (Resolved), 5 closed, custom codes by ``statuses``
    ``priority``             1 low, 2 medium, 3 high, 4 urgent
    ``source``               ``channel``: 1 email, 2 portal, 3 phone, 7 chat,
                             9 feedback_widget, 10 outbound_email (an agent
                             opened the ticket: ``submitter_role`` agent)
    ``type``                 ``category``
    ``stats``                the status history (below)
    conversation             a `Message`: ``at`` = ``created_at``, ``public`` =
                             not ``private``, ``author_id`` = ``user_id``; the
                             customer when ``incoming`` or by the requester,
                             an agent otherwise
    =======================  =====================================================

    The status history is built from ``stats``, which keeps the latest time
    of each event: open at ``created_at`` (Freshdesk has no "new"), solved
    at ``resolved_at``, closed at ``closed_at``, open again at
    ``reopened_at``, pending at ``pending_since`` (when pending now), and
    the current status at ``status_updated_at``, in time order. A ticket
    reopened before its latest resolution lost the time of its earlier
    resolution: it is counted in an `IncompleteHistoryWarning`. A ticket
    whose current status has no time in its ``stats`` is an error.

    Parameters
    ----------
    path
        A JSON file or a directory of JSON files.
    statuses
        Custom statuses: their code to a csmetrics status, e.g. ``{6:
        "pending", 7: "hold"}`` for "Waiting on customer" and "Waiting on
        third party". A custom status that stops Freshdesk's SLA timer is
        usually ``"pending"`` (waiting on the customer) or ``"hold"``
        (waiting on someone else). Without an entry, a custom code is an
        error naming it.
    on_orphan
        ``"error"`` (default): a conversation whose ``ticket_id`` is not in
        the export is an `InvalidDataError`. ``"warn"``: it is left out and
        counted in one `OrphanRowsWarning`.

    Returns
    -------
    Tickets
        One row per ticket, in the order read.

    Raises
    ------
    FileNotFoundError
        ``path`` does not exist.
    InvalidDataError
        A file that is not JSON, an object that is neither a ticket nor a
        conversation, a missing ``id``, ``created_at``, ``requester_id``,
        ``status`` or ``stats``, a bad timestamp, an unknown status code, a
        repeated ticket id, a conversation before its ticket's creation or
        of a missing ticket; the message names the file, the object
        (``tickets[2] (id 17)``) and the field.

    Warns
    -----
    OrphanRowsWarning
        Conversations left out under ``on_orphan="warn"``.
    IncompleteHistoryWarning
        Tickets whose earlier resolution the export does not hold.

    Examples
    --------
    The example export of the test suite (run from the repository's root):

    >>> read_api("tests/data/freshdesk/api", statuses={6: "hold"})
    Tickets(6 tickets, 17 comments, 14 status changes)
    """
    reader = _Reader(_statuses(statuses), on_orphan)
    for place, data in records.pages(path):
        reader.page(place, data)
    return reader.finish()


# --- the CSV export -------------------------------------------------------------------------

_CSV_KEYS = ("Priority", "Source", "Type", "Agent")
_CSV_TIMES = ("Resolved time", "Closed time", "Initial response time", "Last update time")


def read_csv(
    path: PathLike,
    /,
    *,
    timezone: str,
    statuses: Mapping[str, str] | None = None,
) -> Tickets:
    """Read Freshdesk's ticket CSV export (Tickets, Export) into `Tickets`.

    The export has one row per ticket and neither the conversations nor the
    status history. What it gives is read as the events it implies:

    ==========================  ================================================
    column                      csmetrics
    ==========================  ================================================
    ``Ticket ID``               ``id``
    ``Created time``            ``created``, status open, and the first
                                message (the customer's; the agent's for
                                ``Source`` Outbound Email)
    ``Contact ID`` (or          ``customer_id``
    ``Requester email``)
    ``Status``                  the current status: Open, Pending, Resolved
                                (solved), Closed, or a custom name by
                                ``statuses``
    ``Initial response time``   one public agent reply at that time
    ``Resolved time``           solved at that time (the latest resolution)
    ``Closed time``             closed at that time
    ``Last update time``        the current status, when the events above end
                                in another one (a pending ticket, a reopened
                                one): the export does not say when it was set
    ``Priority``, ``Source``,   ``priority``, ``channel`` (lower case, ``_`` for
    ``Type``, ``Agent``         spaces), ``category``, ``assignee_id``
    ==========================  ================================================

    What can be computed from it: ``first_reply`` (to the initial
    response), ``full_resolution`` and ``first_resolution`` when the ticket
    was solved once, resolution rates, and every contact metric of
    `Tickets.contacts` that needs only one cycle per ticket. What cannot:
    the waits by status (``requester_wait``, ``agent_wait``, ``on_hold``,
    ``agent_work``: no status history, so a pending spell counts as open),
    ``reopens``, comment and reply counts, ``touches`` and ``agents``. Use
    `read_api` for those.

    Parameters
    ----------
    path
        The CSV file.
    timezone
        The IANA zone the export's times are written in (Freshdesk writes
        them in the exporting agent's time zone, without an offset).
    statuses
        Custom status names (as in the export, any case) to csmetrics
        statuses, e.g. ``{"Waiting on customer": "pending"}``.

    Returns
    -------
    Tickets
        One row per ticket, in the order of the file.

    Raises
    ------
    InvalidDataError
        A missing column (named), an unknown status, a bad timestamp, a
        repeated ticket id; the message names the file, the row (the header
        is row 1) and the column.

    Examples
    --------
    The example export of the test suite (run from the repository's root):

    >>> read_csv("tests/data/freshdesk/tickets.csv", timezone="Europe/Berlin",
    ...          statuses={"Waiting on Third Party": "hold"})
    Tickets(6 tickets, 12 comments, 14 status changes)
    """
    zone = time_zone("timezone", timezone)
    names = dict(_STATUS_NAMES)
    for name, status in (statuses or {}).items():
        if status not in STATUSES:
            msg = (
                f"statuses={statuses!r}: {name!r}: {status!r} is not allowed; use one of {STATUSES}"
            )
            raise ValueError(msg)
        names[name.strip().lower()] = status
    return _csv_tickets(path, zone, names)


def _csv_tickets(path: PathLike, zone: str, names: Mapping[str, Status]) -> Tickets:
    table = files.load_file(
        Path(path),
        required=("Ticket ID", "Created time", "Status"),
        optional=(
            *_CSV_TIMES,
            "Contact ID",
            "Requester email",
            "Priority",
            "Source",
            "Type",
            "Agent",
        ),
    )
    customer = next((c for c in ("Contact ID", "Requester email") if table.has(c)), None)
    if customer is None:
        msg = f"{table.path}: missing column 'Contact ID' (or 'Requester email'): the customer"
        raise InvalidDataError(msg)
    ids = files.keys(table, "Ticket ID", required=True)
    created = files.local_times(table, "Created time", zone, required=True)
    customers = files.keys(table, customer, required=True)
    status = files.texts(table, "Status", required=True)
    lowered = np.char.lower(status)
    current = np.empty(len(ids), dtype="U8")
    for value in np.unique(lowered).tolist():
        mapped = names.get(value)
        if mapped is None:
            row = int(np.argmax(lowered == value))
            why = f"unknown status; map a custom one with statuses={{{status[row]!r}: 'pending'}}"
            table.fail(row, "Status", status[row], why)
        current[lowered == value] = mapped
    times = {c: files.local_times(table, c, zone, required=False) for c in _CSV_TIMES}
    rows = np.arange(len(ids))
    # Each known event, as (row, at, status); open at creation.
    parts = [(rows, created, np.full(len(ids), "open"))]
    for column, value in (("Resolved time", "solved"), ("Closed time", "closed")):
        known = times[column] != files.NAT
        parts.append((rows[known], times[column][known], np.full(int(known.sum()), value)))
    # The current status, when the known events end in another one, from the
    # last update (the export does not say when the status was set).
    resolved, closed = times["Resolved time"], times["Closed time"]
    last = np.where(
        (closed != files.NAT) & (closed >= resolved),
        "closed",
        np.where(resolved != files.NAT, "solved", "open"),
    )
    latest = np.maximum.reduce([created, resolved, closed])
    updated = np.maximum(times["Last update time"], latest)
    changed = current != last
    unknown = changed & (times["Last update time"] == files.NAT)
    if unknown.any():
        row = int(np.argmax(unknown))
        why = f"the ticket is {current[row]} now; the export gives no time for that status"
        table.fail(row, "Last update time", None, why)
    parts.append((rows[changed], updated[changed], current[changed]))
    ticket = np.concatenate([p[0] for p in parts])
    at = np.concatenate([p[1] for p in parts])
    value = np.concatenate([p[2] for p in parts]).astype(str)
    _check_after(table, ticket, at, created, value)
    replied = times["Initial response time"] != files.NAT
    agents = files.keys(table, "Agent", required=False)
    channel = np.char.replace(np.char.lower(files.texts(table, "Source", required=False)), " ", "_")
    outbound = channel == CHANNELS[_OUTBOUND]
    first = np.where(outbound, "agent", "customer")
    return Tickets.from_columns(
        {
            "id": ids,
            "customer_id": customers,
            "created": created.view("datetime64[us]"),
            "channel": channel,
            "priority": np.char.lower(files.texts(table, "Priority", required=False)),
            "category": files.texts(table, "Type", required=False),
            "assignee_id": agents,
            "submitter_role": first,
        },
        messages={
            "ticket_id": np.concatenate([ids, ids[replied]]),
            "at": np.concatenate([created, times["Initial response time"][replied]]).view(
                "datetime64[us]"
            ),
            "author": np.concatenate([first, np.full(int(replied.sum()), "agent")]),
            "author_id": np.concatenate([np.where(outbound, agents, customers), agents[replied]]),
        },
        statuses={"ticket_id": ids[ticket], "at": at.view("datetime64[us]"), "status": value},
    )


def _check_after(table: files.Table, ticket: I64, at: I64, created: I64, value: Text) -> None:
    """An event dated before its ticket's creation names the row and column."""
    early = at < created[ticket]
    if early.any():
        first = int(np.argmax(early))
        column = {"solved": "Resolved time", "closed": "Closed time"}.get(
            str(value[first]), "Last update time"
        )
        table.fail(
            int(ticket[first]), column, str(at[first].view("datetime64[us]")), "before Created time"
        )
