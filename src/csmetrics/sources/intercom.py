"""Read Intercom conversations with their conversation parts, as its REST API returns them.

``GET /conversations/{id}`` returns a conversation with its
``conversation_parts``: every comment, note, assignment, close, open and
snooze. `read_api` reads those objects (saved one per file, as a list, or
as ``conversation.list`` pages) into a `csmetrics.Tickets` table: one
ticket per conversation.

The mapping from Intercom's fields to csmetrics' is in the docs page
"Sources: Intercom" and in decision 102.
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Iterator, Mapping
from typing import Any

from csmetrics.core.model import Status
from csmetrics.core.tickets import Tickets
from csmetrics.sources import records
from csmetrics.sources.records import Collect, IncompleteHistoryWarning, Place

__all__ = ["AUTHOR_TYPES", "PART_STATUSES", "IncompleteHistoryWarning", "read_api"]

PathLike = str | os.PathLike[str]

AUTHOR_TYPES: Mapping[str, str] = {
    "admin": "agent",
    "user": "customer",
    "lead": "customer",
    "contact": "customer",
    "bot": "bot",
    "team": "bot",
}
"""Intercom's author types to csmetrics authors: teammates (admins) are agents;
users, leads and contacts the customer; bots (Fin, workflows) and teams bots."""
PART_STATUSES: Mapping[str, Status] = {
    "close": "solved",
    "open": "open",
    "snoozed": "pending",
    "unsnoozed": "open",
    "timer_unsnooze": "open",
    "assign_and_reopen": "open",
    "assign_and_unsnooze": "open",
}
"""Conversation parts that change the state: a close solves (a customer's
reply reopens it, as Zendesk's solved), a snooze waits on the customer."""
_MESSAGES = {"comment": True, "note": False}
"""Parts that are messages, and whether each is public."""
_ASSIGNMENTS = frozenset(
    {
        "assignment",
        "default_assignment",
        "away_mode_assignment",
        "assign_and_reopen",
        "assign_and_unsnooze",
    }
)
_REOPENED_BY_REPLY = frozenset({"solved", "pending"})


def _author(place: Place, obj: Mapping[str, Any], field: str) -> tuple[str, str]:
    """The author (``"customer"``, ``"agent"``, ``"bot"``) and id of ``obj[field]``."""
    author = records.mapping(place, obj, field)
    where = place.at(field)
    kind = records.key(where, author, "type", required=True)
    mapped = AUTHOR_TYPES.get(kind)
    if mapped is None:
        where.fail("type", kind, f"unknown author type; use one of {tuple(AUTHOR_TYPES)}")
    return mapped, records.key(where, author, "id", required=False)


def _conversations(place: Place, data: Any) -> Iterator[tuple[Place, dict[str, Any]]]:
    """The conversations of one file: one object, a list, or a page with ``conversations``."""
    if isinstance(data, dict) and "conversations" in data:
        yield from records.members(place, data["conversations"], "conversations")
    elif isinstance(data, list):
        for index, item in enumerate(data):
            where = place.at(index, item.get("id") if isinstance(item, dict) else None)
            if not isinstance(item, dict):
                where.fail("conversation", item, "expected a conversation object")
            yield where, item
    elif isinstance(data, dict):
        yield place, data
    else:
        place.fail("conversation", data, "expected a conversation object or a list of them")


def _parts(place: Place, item: Mapping[str, Any]) -> tuple[Place, list[Any], int | None]:
    """The conversation parts, where they lie, and the ``total_count`` Intercom gives."""
    parts = item.get("conversation_parts")
    if parts is None:
        return place, [], None
    if isinstance(parts, dict):  # {"type": "conversation_part.list", "conversation_parts": [...]}
        total = parts.get("total_count")
        return place, parts.get("conversation_parts", []), total if isinstance(total, int) else None
    return place, parts, None


class _Reader:
    def __init__(self) -> None:
        self.collect = Collect("error")
        self.cut = 0

    def conversation(self, place: Place, item: dict[str, Any]) -> None:
        ident = records.key(place, item, "id", required=True)
        created = records.moment(place, item, "created_at", required=True)
        assert created is not None  # required
        source = records.mapping(place, item, "source")
        author, author_id = (
            _author(place.at("source"), source, "author") if source else ("customer", "")
        )
        customer = self.customer(place, item, author, author_id)
        self.collect.ticket(
            place,
            id=ident,
            customer_id=customer,
            created=created,
            channel=records.key(place.at("source"), source, "type", required=False),
            priority=records.key(place, item, "priority", required=False),
            assignee_id=records.key(place, item, "admin_assignee_id", required=False),
            submitter_role=author,
        )
        # The source is the conversation's first message, by whoever started it.
        self.collect.event(
            "messages",
            place,
            "created_at",
            ident,
            created,
            author=author,
            public=True,
            author_id=author_id,
        )
        self.collect.event("statuses", place, "created_at", ident, created, status="open")
        self.parts(place, item, ident)

    def customer(self, place: Place, item: dict[str, Any], author: str, author_id: str) -> str:
        contacts = records.mapping(place, item, "contacts").get("contacts")
        if isinstance(contacts, list) and contacts:
            first = contacts[0]
            if not isinstance(first, dict):
                place.at("contacts").fail("contacts", first, "expected a contact object")
            return records.key(
                place.at("contacts").at("contacts").at(0), first, "id", required=True
            )
        if author != "customer" or not author_id:
            place.fail("contacts", None, "no contact: the conversation's customer is required")
        return author_id

    def parts(self, place: Place, item: dict[str, Any], ident: str) -> None:
        where, parts, total = _parts(place, item)
        status: Status = "open"
        seen = 0
        for part_place, part in records.members(where, parts, "conversation_parts"):
            seen += 1
            kind = records.key(part_place, part, "part_type", required=True)
            at = records.moment(part_place, part, "created_at", required=True)
            assert at is not None  # required
            if kind in _MESSAGES:
                author, author_id = _author(part_place, part, "author")
                public = _MESSAGES[kind]
                self.collect.event(
                    "messages",
                    part_place,
                    "created_at",
                    ident,
                    at,
                    author=author,
                    public=public,
                    author_id=author_id,
                )
                if public and author == "customer" and status in _REOPENED_BY_REPLY:
                    # Intercom reopens a closed or snoozed conversation the customer replies to.
                    status = "open"
                    self.collect.event(
                        "statuses", part_place, "created_at", ident, at, status=status
                    )
            if kind in _ASSIGNMENTS:
                self.assignment(part_place, part, ident, at)
            new = PART_STATUSES.get(kind)
            if new is not None and new != status:
                status = new
                self.collect.event("statuses", part_place, "created_at", ident, at, status=status)
        if total is not None and total > seen:
            self.cut += 1

    def assignment(self, place: Place, part: dict[str, Any], ident: str, at: int) -> None:
        target = part.get("assigned_to")
        if target is None:
            self.collect.event("assignments", place, "created_at", ident, at, assignee_id="")
            return
        if not isinstance(target, dict):
            place.fail("assigned_to", target, "expected an object with type and id")
        if target.get("type") == "admin":
            assignee = records.key(place.at("assigned_to"), target, "id", required=True)
            self.collect.event("assignments", place, "created_at", ident, at, assignee_id=assignee)
        # An assignment to a team leaves the teammate assignee as it was.

    def finish(self) -> Tickets:
        if self.cut:
            msg = (
                f"{self.cut} conversation(s) hold fewer conversation_parts than their "
                "total_count: Intercom returns at most 500 parts per conversation, so their "
                "later parts (replies, closes, reopens) are not in the export"
            )
            warnings.warn(msg, IncompleteHistoryWarning, stacklevel=3)
        return self.collect.build()


def read_api(path: PathLike, /) -> Tickets:
    """Read Intercom conversations and their parts, as its REST API returns them, into `Tickets`.

    ``path`` is a JSON file or a directory of them (``*.json``, read in name
    order). A file holds one conversation (``GET /conversations/{id}``), a
    list of them, or a page ``{"type": "conversation.list", "conversations":
    [...]}`` whose conversations carry their ``conversation_parts``. Times
    are Unix seconds (or ISO 8601 text). Unknown fields and part types are
    ignored.

    =============================  ==================================================
    Intercom                       csmetrics
    =============================  ==================================================
    conversation ``id``            ``Ticket.id``
    ``created_at``                 ``created``; status open
    ``contacts.contacts[0].id``    ``customer_id`` (else the source's author, a user)
    ``source``                     the first message: ``author`` from
                                   ``source.author.type``, public; ``channel`` =
                                   ``source.type``; ``submitter_role`` = its author
    ``admin_assignee_id``          ``assignee_id`` (the current one)
    ``priority``                   ``priority`` (``priority``, ``not_priority``)
    part ``comment``               a public `Message` (``at`` = ``created_at``,
                                   ``author_id`` = ``author.id``)
    part ``note``                  an internal `Message`
    part ``close``                 status solved
    part ``open``, ``unsnoozed``   status open
    part ``snoozed``               status pending
    a customer's comment on a      status open (Intercom reopens it)
    closed or snoozed one
    part ``assignment`` (and       an `Assignment` to ``assigned_to.id`` when it is
    ``default_assignment``, ...)   an admin; ``assigned_to`` null: unassigned
    author ``type``                ``admin``: agent; ``user``, ``lead``,
                                   ``contact``: customer; ``bot``, ``team``: bot
    =============================  ==================================================

    Parts are nested in their conversation, so no part can lose its ticket:
    there is no ``on_orphan`` option.

    Parameters
    ----------
    path
        A JSON file or a directory of JSON files.

    Returns
    -------
    Tickets
        One row per conversation, in the order read.

    Raises
    ------
    FileNotFoundError
        ``path`` does not exist.
    InvalidDataError
        A file that is not JSON, a missing ``id``, ``created_at`` or
        customer, a part without ``part_type`` or ``created_at``, an unknown
        author type, a bad timestamp, a repeated conversation id, a part
        before its conversation's creation; the message names the file, the
        object (``conversations[0] (id 7).conversation_parts[2] (id 9)``)
        and the field.

    Warns
    -----
    IncompleteHistoryWarning
        Conversations with fewer parts than their ``total_count``.

    Examples
    --------
    The example export of the test suite (run from the repository's root):

    >>> read_api("tests/data/intercom")
    Tickets(5 tickets, 18 comments, 13 status changes)
    """
    reader = _Reader()
    for place, data in records.pages(path):
        for where, item in _conversations(place, data):
            reader.conversation(where, item)
    return reader.finish()
