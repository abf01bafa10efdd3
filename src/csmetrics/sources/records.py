"""Helpdesk API exports (JSON pages) read into the columns of a `csmetrics.Tickets` table.

A vendor's API returns its objects in pages of JSON: ``{"tickets": [...],
"next_page": ...}``, a bare array, or one object. `pages` reads a file or
every ``*.json`` file of a directory (in name order, so pages saved as
``page-001.json``, ``page-002.json`` keep their order). `Place` names where
an object lies (``tickets.json, tickets[3] (id 1001)``), and every error is
an `InvalidDataError` naming the file, the object and the field.

`Collect` gathers the tickets and their events object by object, each event
remembering its place, and then checks them all at once (an event of a
ticket not in the export, an event before its ticket's creation) before
building the table with `csmetrics.Tickets.from_columns`. Reading JSON is
one pass of Python over the parsed objects (the JSON parser makes one
object per value anyway); the checks and the table are vectorised.
"""

from __future__ import annotations

import json
import os
import warnings
from collections.abc import Iterator, Mapping
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Literal, NoReturn

import attrs
import numpy as np
import numpy.typing as npt

from csmetrics.adapters.io import fromisoformat
from csmetrics.core.check import option, plain
from csmetrics.core.errors import CsmetricsWarning, InvalidDataError
from csmetrics.core.table import to_micros
from csmetrics.core.tickets import Tickets
from csmetrics.sources import files
from csmetrics.sources.files import OrphanRowsWarning

__all__ = [
    "ON_ORPHAN",
    "Collect",
    "IncompleteHistoryWarning",
    "OrphanPolicy",
    "Place",
    "flag",
    "key",
    "moment",
    "pages",
]

PathLike = str | os.PathLike[str]
I64 = npt.NDArray[np.int64]

OrphanPolicy = Literal["error", "warn"]
ON_ORPHAN: tuple[OrphanPolicy, ...] = ("error", "warn")
"""What a reader does with an object whose ticket (or user) is missing."""

_HISTORIES = {
    "statuses": "status",
    "priority_changes": "priority",
    "assignments": "assignee_id",
}


class IncompleteHistoryWarning(CsmetricsWarning):
    """The export does not hold the whole history of some tickets, and says which part.

    Freshdesk's ``stats`` keep only the latest time of each event; an
    Intercom conversation may come with fewer parts than it has. The message
    says how many tickets and which numbers that leaves unknown. Turn it into
    an error with ``warnings.simplefilter("error", IncompleteHistoryWarning)``.
    """


@attrs.frozen
class Place:
    """Where an object lies: its file and its path in the file's JSON."""

    file: str
    path: str

    def at(self, step: str | int, ident: object = None) -> Place:
        """The place of a member: ``tickets`` then ``[3]``, with the object's id."""
        step_text = f"[{step}]" if isinstance(step, int) else (f".{step}" if self.path else step)
        named = "" if ident is None else f" (id {ident})"
        return Place(self.file, f"{self.path}{step_text}{named}")

    def fail(self, field: str, value: object, why: str) -> NoReturn:
        """Raise `InvalidDataError` naming the file, the object and the field."""
        where = f"{self.file}, {self.path}" if self.path else self.file
        value = plain(value)
        msg = f"{where}: field {field!r} = {value!r}: {why}"
        raise InvalidDataError(msg, field=field, value=value, why=why)


def pages(path: PathLike) -> Iterator[tuple[Place, Any]]:
    """Each JSON file of ``path`` (a file, or a directory's ``*.json`` in name order), parsed."""
    source = Path(path)
    if source.is_dir():
        files = sorted(p for p in source.iterdir() if p.suffix == ".json" and p.is_file())
        if not files:
            msg = f"{source}: no .json files in this directory"
            raise InvalidDataError(msg)
    elif source.is_file():
        files = [source]
    else:
        msg = f"{source}: no such file or directory"
        raise FileNotFoundError(msg)
    for file in files:
        try:
            with open(file, encoding="utf-8-sig") as handle:
                data = json.load(handle)
        except UnicodeDecodeError as err:
            msg = f"{file}: not UTF-8 text ({err.reason})"
            raise InvalidDataError(msg) from None
        except json.JSONDecodeError as err:
            msg = f"{file}, line {err.lineno}, column {err.colno}: not JSON ({err.msg})"
            raise InvalidDataError(msg) from None
        yield Place(str(file), ""), data


def members(place: Place, data: Any, name: str) -> Iterator[tuple[Place, dict[str, Any]]]:
    """The objects of a list ``data`` (found under ``name``), each with its place."""
    if not isinstance(data, list):
        place.fail(name, type(data).__name__, "expected a list of objects")
    for index, item in enumerate(data):
        if not isinstance(item, dict):
            place.at(name).at(index).fail(name, item, "expected an object")
        yield place.at(name).at(index, item.get("id")), item


def _missing(place: Place, field: str) -> NoReturn:
    place.fail(field, None, "required value is missing")


def key(place: Place, obj: Mapping[str, Any], field: str, *, required: bool) -> str:
    """An id (a string, or a whole number read as its text); ``""`` when absent."""
    value = obj.get(field)
    if value is None or value == "":
        if required:
            _missing(place, field)
        return ""
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        place.fail(field, value, "expected an id (text or a whole number)")
    return str(value).strip()


def moment(place: Place, obj: Mapping[str, Any], field: str, *, required: bool) -> int | None:
    """A timestamp as UTC epoch microseconds: ISO 8601 text or Unix seconds."""
    value = obj.get(field)
    if value is None or value == "":
        if required:
            _missing(place, field)
        return None
    if isinstance(value, bool):
        place.fail(field, value, "expected an ISO 8601 timestamp or Unix seconds")
    if isinstance(value, (int, float)):
        try:
            return to_micros(datetime.fromtimestamp(value, tz=timezone.utc))
        except (OverflowError, OSError, ValueError):
            place.fail(field, value, "Unix seconds out of range")
    if not isinstance(value, str):
        place.fail(field, value, "expected an ISO 8601 timestamp or Unix seconds")
    try:
        parsed = fromisoformat(value)
    except ValueError:
        place.fail(field, value, "not an ISO 8601 timestamp")
    if parsed.utcoffset() is None:
        parsed = parsed.replace(tzinfo=timezone.utc)  # the APIs write UTC
    return to_micros(parsed)


def flag(place: Place, obj: Mapping[str, Any], field: str, *, default: bool | None) -> bool:
    """A JSON ``true``/``false``; absent or null is ``default`` (an error when None)."""
    value = obj.get(field)
    if value is None:
        if default is None:
            _missing(place, field)
        return default
    if not isinstance(value, bool):
        place.fail(field, value, "expected true or false")
    return value


def mapping(place: Place, obj: Mapping[str, Any], field: str) -> dict[str, Any]:
    """A nested object; absent or null is empty."""
    value = obj.get(field)
    if value is None:
        return {}
    if not isinstance(value, dict):
        place.fail(field, value, "expected an object")
    return value


@attrs.define
class _Events:
    """One child table being gathered: its rows, each with the place it came from."""

    ticket: list[str] = attrs.field(factory=list)
    at: list[int] = attrs.field(factory=list)
    values: dict[str, list[Any]] = attrs.field(factory=dict)
    places: list[tuple[Place, str]] = attrs.field(factory=list)


class Collect:
    """Tickets and their events, gathered object by object, checked and built at once."""

    def __init__(self, on_orphan: OrphanPolicy) -> None:
        option("on_orphan", on_orphan, ON_ORPHAN)
        self.on_orphan = on_orphan
        self.columns: dict[str, list[Any]] = {
            name: []
            for name in (
                "id",
                "customer_id",
                "created",
                "channel",
                "priority",
                "category",
                "assignee_id",
                "submitter_role",
            )
        }
        self.places: list[Place] = []
        self.children: dict[str, _Events] = {}
        self.left_out: dict[str, int] = {}

    def ticket(self, place: Place, **fields: Any) -> None:
        """One ticket; ``created`` in epoch microseconds, keys as text (``""``: missing)."""
        for name, values in self.columns.items():
            values.append(fields.get(name, ""))
        self.places.append(place)

    def event(
        self, child: str, place: Place, field: str, ticket: str, at: int, **values: Any
    ) -> None:
        """One row of a child table; ``field`` is the field of ``at`` that errors name."""
        events = self.children.setdefault(child, _Events())
        events.ticket.append(ticket)
        events.at.append(at)
        for name, value in values.items():
            events.values.setdefault(name, []).append(value)
        events.places.append((place, field))

    def orphans(self, what: str, places: list[tuple[Place, str]], values: list[str]) -> None:
        """Objects that name a missing ticket or user: an error, or counted."""
        if not places:
            return
        place, field = places[0]
        if self.on_orphan == "error":
            why = f"no such {what}; pass on_orphan='warn' to leave such objects out"
            place.fail(field, values[0], why)
        reason = f"{Path(place.file).name} ({field}: no such {what})"
        self.left_out[reason] = self.left_out.get(reason, 0) + len(places)

    def build(self) -> Tickets:
        """Check every event against its ticket, then build the table."""
        ids = np.array(self.columns["id"], dtype=str)
        if (row := files.first_repeat(ids)) is not None:
            self.places[row].fail("id", ids[row], "repeats an earlier ticket id")
        created = np.array(self.columns["created"], dtype=np.int64)
        children = {
            name: self._child(events, ids, created) for name, events in self.children.items()
        }
        if self.left_out:
            rows = "; ".join(f"{n} in {where}" for where, n in self.left_out.items())
            msg = f"left out {sum(self.left_out.values())} object(s): {rows}"
            warnings.warn(msg, OrphanRowsWarning, stacklevel=3)
        columns: dict[str, Any] = {
            name: np.array(values, dtype=str)
            for name, values in self.columns.items()
            if name != "created"
        }
        columns["created"] = created.view("datetime64[us]")
        return Tickets.from_columns(columns, **children)

    def _child(self, events: _Events, ids: npt.NDArray[np.str_], created: I64) -> dict[str, Any]:
        wanted = np.array(events.ticket, dtype=str)
        row = files.index_of(ids, wanted)
        orphan = np.flatnonzero(row < 0)
        self.orphans(
            "ticket",
            [(events.places[i][0], "ticket_id") for i in orphan.tolist()],
            [str(wanted[i]) for i in orphan.tolist()],
        )
        keep = row >= 0
        at = np.array(events.at, dtype=np.int64)
        early = np.flatnonzero(keep & (at < np.where(keep, created[row], 0)))
        if len(early):
            first = int(early[0])
            place, field = events.places[first]
            why = f"before its ticket was created ({_utc(int(created[row[first]]))})"
            place.fail(field, _utc(int(at[first])), why)
        out: dict[str, Any] = {
            "ticket_id": wanted[keep],
            "at": at[keep].view("datetime64[us]"),
        }
        for field, values in events.values.items():
            array = np.array(values, dtype=bool if field == "public" else str)
            out[field] = array[keep]
        return out


def _utc(micros: int) -> str:
    """A moment as ``2026-03-09 09:00:00 UTC`` (with a fraction only when it has one)."""
    text = str(np.array([micros], dtype=np.int64).view("datetime64[us]")[0]).replace("T", " ")
    return f"{text.removesuffix('.000000')} UTC"
