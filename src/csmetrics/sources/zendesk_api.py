"""Read the JSON of Zendesk's Support API: tickets, users, and ticket audits or events.

`read_api` is re-exported as ``csmetrics.sources.zendesk.read_api``; see its
docstring there and the docs page "Sources: Zendesk". Decision 103 records
the rules.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from datetime import date
from typing import Any, NoReturn

from csmetrics.core.calendar import BusinessCalendar
from csmetrics.core.model import STATUSES
from csmetrics.core.tickets import Tickets
from csmetrics.sources import records
from csmetrics.sources.records import Collect, OrphanPolicy, Place
from csmetrics.sources.zendesk_schedules import (
    NO_TIME,
    Fail,
    Interval,
    Schedules,
    build,
    holiday_dates,
)

__all__ = ["read_api", "read_api_schedules"]

PathLike = str | os.PathLike[str]

_ROLES = {"end-user": "customer", "agent": "agent", "admin": "agent"}
"""Zendesk user roles to comment authors: an admin's comment is an agent's."""
_SYSTEM_USER = "-1"
"""The id Zendesk gives its own system user: updates and comments by automations."""
_LISTS = ("tickets", "users", "audits", "ticket_events", "schedules")
"""The keys of the pages the reader knows; other keys (``next_page``, ...) are ignored."""
_OTHER_PAGES = ("sla_policies", "sla_policy")
"""The keys of pages another reader reads: the SLA Policies API's, which tickets skip."""
_COMMENTS = frozenset({"Comment", "VoiceComment"})
"""Audit event types that are comments (a voice comment is a call's recording)."""
_FIELDS = {
    "status": "statuses",
    "priority": "priority_changes",
    "assignee_id": "assignments",
    "sla_policy": "sla_policy_changes",
}
"""The ticket fields whose changes become histories, and the history each fills."""
_COLUMNS = {"sla_policy": "policy"}
"""The column of a history named otherwise than its Zendesk field."""


def _events(place: Place, item: Mapping[str, Any]) -> Iterator[tuple[Place, dict[str, Any]]]:
    """The events of an audit (``events``) or of an incremental ticket event (``child_events``)."""
    for name in ("events", "child_events"):
        if item.get(name) is not None:
            yield from records.members(place, item[name], name)


class _Reader:
    def __init__(self, on_orphan: OrphanPolicy) -> None:
        self.collect = Collect(on_orphan)
        self.found: dict[str, list[tuple[Place, dict[str, Any]]]] = {name: [] for name in _LISTS}

    def page(self, place: Place, data: Any) -> None:
        if isinstance(data, dict) and isinstance(data.get("schedule"), dict):
            # One schedule (GET /api/v2/business_hours/schedules/{id}): a list of one.
            data = {**data, "schedules": [data["schedule"]]}
        if isinstance(data, dict) and any(name in data for name in _OTHER_PAGES):
            return  # read by csmetrics.metrics.sla_zendesk.read_api_sla_policies
        if not isinstance(data, dict) or not any(name in data for name in _LISTS):
            place.fail("tickets", None, f"expected a page with one of the lists {_LISTS}")
        for name in _LISTS:
            if name in data:
                self.found[name].extend(records.members(place, data[name], name))

    def deduplicate(self) -> None:
        """Keep one version of each item that several pages return.

        Zendesk's time-based incremental exports may return an item more than
        once (an item changed while the pages were read); its docs say to keep
        the one with the latest ``updated_at``. Audits and ticket events
        never change: a repeated id is the same event.
        """
        for name, items in self.found.items():
            latest: dict[str, tuple[int, int]] = {}
            for index, (place, item) in enumerate(items):
                versioned = name in {"tickets", "users", "schedules"}
                ident = records.key(place, item, "id", required=versioned)
                if not ident:
                    continue
                updated = records.moment(place, item, "updated_at", required=False)
                version = -1 if updated is None or not versioned else updated
                if ident not in latest or version > latest[ident][0]:
                    latest[ident] = (version, index)
            keep = {index for _, index in latest.values()}
            self.found[name] = [
                (place, item)
                for index, (place, item) in enumerate(items)
                if index in keep or not records.key(place, item, "id", required=False)
            ]

    def users(self) -> dict[str, str]:
        roles: dict[str, str] = {}
        for place, user in self.found["users"]:
            ident = records.key(place, user, "id", required=True)
            role = records.key(place, user, "role", required=True)
            author = _ROLES.get(role.lower())
            if author is None:
                place.fail("role", role, f"use one of {tuple(_ROLES)}")
            roles[ident] = author
        return roles

    def tickets(self, roles: Mapping[str, str]) -> tuple[dict[str, str], set[str]]:
        """Each ticket's status at creation (from ``ticket.status``), and the deleted ids."""
        status: dict[str, str] = {}
        deleted: set[str] = set()
        for place, ticket in self.found["tickets"]:
            ident = records.key(place, ticket, "id", required=True)
            value = records.key(place, ticket, "status", required=False).lower()
            if value == "deleted":
                deleted.add(ident)
                continue
            if value and value not in STATUSES:
                place.fail("status", value, f"use one of {(*STATUSES, 'deleted')}")
            created = records.moment(place, ticket, "created_at", required=True)
            submitter = records.key(place, ticket, "submitter_id", required=False)
            via = records.mapping(place, ticket, "via")
            self.collect.ticket(
                place,
                id=ident,
                customer_id=records.key(place, ticket, "requester_id", required=True),
                created=created,
                channel=records.key(place.at("via"), via, "channel", required=False),
                priority=records.key(place, ticket, "priority", required=False),
                category=records.key(place, ticket, "type", required=False),
                assignee_id=records.key(place, ticket, "assignee_id", required=False),
                submitter_role="bot" if submitter == _SYSTEM_USER else roles.get(submitter, ""),
            )
            status[ident] = value
        return status, deleted

    def audits(self, roles: Mapping[str, str], known: set[str], deleted: set[str]) -> set[str]:
        """Every audit's comments and field changes; returns the tickets with a status event."""
        with_status: set[str] = set()
        orphans: list[tuple[Place, str]] = []
        orphan_ids: list[str] = []
        users: list[tuple[Place, str]] = []
        user_ids: list[str] = []
        for place, audit in self.found["audits"] + self.found["ticket_events"]:
            ticket = records.key(place, audit, "ticket_id", required=True)
            if ticket in deleted:
                reason = "audits of deleted tickets"
                self.collect.left_out[reason] = self.collect.left_out.get(reason, 0) + 1
                continue
            if ticket not in known:
                orphans.append((place, "ticket_id"))
                orphan_ids.append(ticket)
                continue
            field = "created_at" if "created_at" in audit else "timestamp"
            at = records.moment(place, audit, field, required=True)
            assert at is not None  # required
            updater = records.key(place, audit, "author_id", required=False) or records.key(
                place, audit, "updater_id", required=False
            )
            for where, event in _events(place, audit):
                kind = records.key(where, event, "type", required=False) or records.key(
                    where, event, "event_type", required=True
                )
                if kind in _COMMENTS:
                    author = records.key(where, event, "author_id", required=False) or updater
                    if author and author != _SYSTEM_USER and author not in roles:
                        users.append((where, "author_id"))
                        user_ids.append(author)
                        continue
                    public = event.get("public", event.get("comment_public"))
                    self.collect.event(
                        "messages",
                        place,
                        field,
                        ticket,
                        at,
                        author=roles.get(author, "bot"),
                        public=records.flag(where, {"public": public}, "public", default=None),
                        author_id="" if author == _SYSTEM_USER else author,
                    )
                elif kind in {"Create", "Change"}:
                    for name, raw in self._changes(where, event):
                        value = raw.lower() if name == "status" else raw
                        if name == "status":
                            if value not in STATUSES:
                                where.fail("status", value, f"use one of {STATUSES}")
                            with_status.add(ticket)
                        column = _COLUMNS.get(name, name)
                        self.collect.event(
                            _FIELDS[name], place, field, ticket, at, **{column: value}
                        )
        self.collect.orphans("ticket", orphans, orphan_ids)
        self.collect.orphans("user", users, user_ids)
        return with_status

    @staticmethod
    def _changes(place: Place, event: Mapping[str, Any]) -> Iterator[tuple[str, str]]:
        """The (field, new value) pairs of a Create or Change event, in either export's form."""
        name = event.get("field_name")
        if name is not None:  # audits: {"field_name": "status", "value": "open"}
            if name in _FIELDS:
                yield name, records.key(place, event, "value", required=name == "status")
            return
        for name in _FIELDS:  # ticket events: {"status": "open", "previous_value": "new"}
            if name in event:
                yield name, records.key(place, event, name, required=name == "status")

    def schedules(self) -> Schedules:
        """The schedules of the Business Hours API's pages, by the rules of the tables."""
        intervals: list[Interval] = []
        holidays: dict[str, list[date]] = {}
        source = ""
        for place, schedule in self.found["schedules"]:
            key = records.key(place, schedule, "id", required=True)
            zone = records.key(place, schedule, "time_zone", required=True)
            created = records.moment(place, schedule, "created_at", required=False)
            source = source or place.file
            for where, interval in records.members(
                place, schedule.get("intervals") or [], "intervals"
            ):
                intervals.append(
                    Interval(
                        key=key,
                        zone=zone,
                        start=_minutes(where, interval, "start_time"),
                        end=_minutes(where, interval, "end_time"),
                        created=NO_TIME if created is None else created,
                        fail=_failing(place, where),
                        where=place.path,
                    )
                )
            for where, holiday in records.members(
                place, schedule.get("holidays") or [], "holidays"
            ):
                first, last = (_date(where, holiday, f) for f in ("start_date", "end_date"))
                holidays.setdefault(key, []).extend(holiday_dates(first, last, where.fail))
        return build(intervals, holidays, source)

    def finish(self) -> Tickets:
        self.deduplicate()
        roles = self.users()
        status, deleted = self.tickets(roles)
        with_status = self.audits(roles, set(status), deleted)
        default = self.schedules().default
        for place, ticket in self.found["tickets"]:
            ident = records.key(place, ticket, "id", required=True)
            if ident not in status:
                continue
            at = records.moment(place, ticket, "created_at", required=True)
            assert at is not None  # required
            if ident not in with_status and status[ident]:
                # No status event (an export cut by date): its status from creation.
                self.collect.event("statuses", place, "status", ident, at, status=status[ident])
            if default is not None:
                # The default schedule (the earliest created) from creation, as
                # read_tables gives a ticket without ticket_schedule rows.
                self.collect.event(
                    "schedule_changes", place, "created_at", ident, at, schedule_id=default
                )
        if deleted:
            self.collect.left_out["tickets (status: deleted)"] = len(deleted)
        return self.collect.build()


def _minutes(place: Place, obj: Mapping[str, Any], field: str) -> int:
    """A whole number of minutes (of the week)."""
    value = obj.get(field)
    if not isinstance(value, int) or isinstance(value, bool):
        place.fail(field, value, "expected a whole number of minutes of the week")
    return value


def _date(place: Place, obj: Mapping[str, Any], field: str) -> date:
    """A date written ``YYYY-MM-DD``."""
    value = obj.get(field)
    try:
        return date.fromisoformat(value) if isinstance(value, str) else date.fromisoformat("")
    except ValueError:
        place.fail(field, value, "expected a date, YYYY-MM-DD")


def _failing(schedule: Place, interval: Place) -> Fail:
    """Errors about an interval's minutes name the interval; any other the schedule."""

    def fail(field: str, value: object, why: str) -> NoReturn:
        place = interval if field in ("start_time", "end_time") else schedule
        place.fail(field, value, why)

    return fail


def read_api_schedules(path: PathLike, /) -> dict[str, BusinessCalendar]:
    """The schedules of Zendesk's Business Hours API, as calendars by schedule id.

    ``path`` is a JSON file or a directory of them, as for `read_api` (the
    same directory may hold both): pages ``{"schedules": [...]}`` (``GET
    /api/v2/business_hours/schedules``) or ``{"schedule": {...}}`` (one
    schedule). Each schedule has ``id``, ``time_zone`` (a Zendesk (Rails) or
    IANA name), ``intervals`` (``start_time`` and ``end_time`` in minutes
    of the week from Sunday 00:00 local time) and optionally ``created_at``
    and ``holidays``: the holidays of ``GET
    /api/v2/business_hours/schedules/{id}/holidays`` (``start_date``,
    ``end_date``, both included) placed in the schedule's object, since that
    endpoint's holidays do not name their schedule. The rules, and the
    calendars, are those of `csmetrics.sources.zendesk.read_schedules` on
    the warehouse tables. A schedule that several pages return is kept in
    the version with the latest ``updated_at``.

    Pass the result as ``calendar=`` to `csmetrics.ticket_metrics` and the
    ticket aggregates: `read_api` gives every ticket the default schedule
    (the earliest created) from its creation.

    Raises
    ------
    FileNotFoundError
        ``path`` does not exist.
    InvalidDataError
        A missing ``id`` or ``time_zone``, an unknown zone, minutes that are
        not whole or lie outside the week, overlapping intervals, a bad
        holiday date; the message names the file, the object
        (``schedules[0] (id 100).intervals[1]``) and the field.

    Examples
    --------
    >>> from csmetrics.sources.zendesk import read_api_schedules
    >>> office = read_api_schedules("tests/data/zendesk_api")["100"]
    >>> office.timezone
    'America/New_York'
    """
    reader = _Reader("error")
    for place, data in records.pages(path):
        reader.page(place, data)
    reader.deduplicate()
    return reader.schedules().calendars


def read_api(path: PathLike, /, *, on_orphan: OrphanPolicy = "error") -> Tickets:
    """Read the JSON of Zendesk's Support API into a `csmetrics.Tickets` table.

    ``path`` is a JSON file or a directory of them (``*.json``, read in name
    order), each a page as the API returns it: ``{"tickets": [...]}``
    (``GET /api/v2/tickets`` or the incremental ticket export),
    ``{"users": [...]}``, ``{"audits": [...]}`` (``GET
    /api/v2/tickets/{id}/audits``), ``{"ticket_events": [...]}`` (the
    incremental ticket event export, ``include=comment_events``) or
    ``{"schedules": [...]}`` (the Business Hours API, see
    `read_api_schedules`). Other keys
    (``next_page``, ``count``, ...) and unknown fields are ignored.

    ===========================  ==================================================
    Zendesk                      csmetrics
    ===========================  ==================================================
    ticket ``id``                ``Ticket.id`` (as text)
    ``created_at``               ``created``
    ``requester_id``             ``customer_id``
    ``submitter_id``             ``submitter_role``: the submitter's role
    ``assignee_id``,             the current ``assignee_id``, ``priority``,
    ``priority``, ``type``,      ``category``, ``channel``
    ``via.channel``
    user ``role``                ``end-user``: customer; ``agent``, ``admin``: agent
    audit ``created_at`` (event  the time of each of its events
    ``created_at`` or
    ``timestamp``)
    ``Comment`` (or              a `Message`: ``public``, ``author_id`` (else the
    ``VoiceComment``) event      audit's ``author_id`` / ``updater_id``);
                                 ``-1`` (the system user) is a bot
    ``Create``/``Change`` of     a `StatusChange`, `PriorityChange`, `Assignment`,
    ``status``, ``priority``,    `SLAPolicyChange` (the policy's title; empty:
    ``assignee_id``,             none) (audits: ``field_name`` and ``value``;
    ``sla_policy``               ticket events: the field as a key)
    schedule (Business Hours     the ticket's schedule history: the default
    API) ``id``, ``created_at``  schedule (the earliest created) from creation;
                                 the calendars are `read_api_schedules`'
    ===========================  ==================================================

    An item that several pages return (Zendesk's time-based incremental
    exports may) is kept once: the version with the latest ``updated_at``
    for tickets and users, the first for audits and events (which never
    change). A ticket without any status event gets its ``status`` from
    creation. A
    ticket whose status is ``deleted`` is left out with its audits, counted
    in an `OrphanRowsWarning`.

    Parameters
    ----------
    path
        A JSON file or a directory of JSON files.
    on_orphan
        ``"error"`` (default): an audit or event whose ticket is not in the
        export, or a comment whose author is not in ``users``, is an
        `InvalidDataError`. ``"warn"``: it is left out and counted in one
        `OrphanRowsWarning`.

    Raises
    ------
    FileNotFoundError
        ``path`` does not exist.
    InvalidDataError
        A file that is not JSON or not a page of these lists, a missing
        ``id``, ``created_at``, ``requester_id``, ``ticket_id`` or ``role``,
        an unknown role or status, a bad timestamp, a repeated id, an event
        before its ticket's creation, an orphan; the message names the file,
        the object (``audits[3] (id 51).events[1]``) and the field.

    Examples
    --------
    The example export of the test suite (run from the repository's root):

    >>> from csmetrics.sources.zendesk import read_api
    >>> read_api("tests/data/zendesk_api")
    Tickets(4 tickets, 13 comments, 12 status changes)
    """
    reader = _Reader(on_orphan)
    for place, data in records.pages(path):
        reader.page(place, data)
    return reader.finish()
