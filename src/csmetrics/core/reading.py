"""How a table's fields are found among the columns of a file or a dataframe.

One set of rules for every reader (decision 45): `Interactions.from_frame`,
`Interactions.read_parquet`, `csmetrics.read_interactions_csv`, their survey
counterparts and ``csmetrics report`` each build a `Reading` from the same
keywords and follow its `Reading.plan`:

- ``columns`` maps a csmetrics field to the column it is read from
  (``{"id": "Ticket ID", "start": "Created at"}``). A field not mapped is
  read from the column of its own name, if there is one; several fields may
  read one column. A mapped column must exist.
- Every other column is ignored, so a helpdesk export with sixty columns
  reads as it is. ``strict=True`` refuses the columns it would ignore,
  naming them.
- ``assume_timezone`` names the zone of naive timestamps (no UTC offset),
  which are then read as local wall times in that zone under the rule of
  decision 24: a time that occurs twice is its first occurrence, a time the
  clocks skip is the instant they jump. Without it a naive timestamp is an
  error naming the field and the row.
- ``resolved_when={"status": ["solved", "closed"]}`` derives ``resolved``
  from any column: true where its value, as text, is one of the listed
  values, ignoring case and surrounding spaces.
- ``kind="nps"`` gives every survey answer of a file one kind, for a file
  without a ``kind`` column.
- ``fields=[...]`` (Parquet readers) reads only the listed fields, the
  required ones and those the table checks them against (`CHECKED_WITH`); a
  field the file has but that is left out is *unread*: the table refuses to
  compute with it rather than take it as absent.

A derived field (``resolved`` with ``resolved_when``, ``kind`` with ``kind``)
is never read from a column; a column of that name is then ignored like any
other.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from difflib import get_close_matches
from typing import Any, NamedTuple, NoReturn
from zoneinfo import ZoneInfo

import attrs

from csmetrics.core.check import option, time_zone
from csmetrics.core.errors import InvalidDataError
from csmetrics.core.model import SURVEY_KINDS, SurveyKind

__all__ = ["CHECKED_WITH", "INTERACTION_FIELDS", "SURVEY_FIELDS", "Fields", "Plan", "Reading"]


class Fields(NamedTuple):
    """The fields a table reads from columns, and how (see `csmetrics.core.frames`)."""

    fields: tuple[str, ...]
    """Every field a column can hold."""
    required: tuple[str, ...]
    """Fields every file must have."""
    flags: tuple[str, ...]
    """Bool fields, where a missing value is False."""
    keys: tuple[str, ...]
    """Key fields: ids and texts of a few distinct values."""
    times: tuple[str, ...] = ()
    """Timestamp fields: a dataframe must give them as timestamps, not text."""


_INTERACTION_KEYS = ("channel", "agent_id", "issue_id", "category", "priority", "tier")
INTERACTION_FIELDS = Fields(
    fields=(
        "id",
        "customer_id",
        "start",
        "end",
        "first_response_at",
        "resolved",
        "abandoned",
        "blocked",
        "escalated",
        "complaint",
        "talk_seconds",
        "hold_seconds",
        "wrap_seconds",
        *_INTERACTION_KEYS,
        "escalated_to",
    ),
    required=("id", "customer_id", "start"),
    flags=("resolved", "abandoned", "blocked", "escalated", "complaint"),
    keys=("id", "customer_id", *_INTERACTION_KEYS, "escalated_to"),
    times=("start", "end", "first_response_at"),
)
"""The columns of `csmetrics.Interactions`."""

SURVEY_FIELDS = Fields(
    fields=(
        "id",
        "kind",
        "score",
        "at",
        "scale_low",
        "scale_high",
        "customer_id",
        "interaction_id",
        "agent_id",
    ),
    required=("id", "kind", "score", "at"),
    flags=(),
    # kind: a few distinct texts, read as codes
    keys=("id", "kind", "customer_id", "interaction_id", "agent_id"),
    times=("at",),
)
"""The columns of `csmetrics.Surveys`."""


class Plan(NamedTuple):
    """Which column each field is read from, for one file or frame."""

    sources: dict[str, str]
    """Field to column name, for the fields read from a column."""
    status: str | None
    """The column ``resolved`` is derived from (``resolved_when``), if any."""
    unread: frozenset[str] = frozenset()
    """Fields the source has (or could derive) that ``fields=`` leaves out."""


@attrs.frozen(kw_only=True)
class Reading:
    """The reading options of a table, validated once: build it with `Reading.of`.

    Attributes
    ----------
    spec
        The table's fields (`INTERACTION_FIELDS` or `SURVEY_FIELDS`).
    columns
        Field to column name, for columns named otherwise.
    strict
        Refuse columns that would be ignored.
    assume_timezone
        IANA zone of naive timestamps; None makes them an error.
    resolved_when
        ``(column, values)``: ``resolved`` is true where the column's text,
        stripped and lower-cased, is one of ``values`` (stored lower-cased).
    kind
        The survey kind of every answer, or None to read a ``kind`` column.
    fields
        The fields to read (the required ones always are), or None for all.
    """

    spec: Fields
    columns: Mapping[str, str] = attrs.field(factory=dict)
    strict: bool = False
    assume_timezone: str | None = None
    resolved_when: tuple[str, frozenset[str]] | None = None
    kind: str | None = None
    fields: frozenset[str] | None = None

    @classmethod
    def of(
        cls,
        spec: Fields,
        *,
        columns: Mapping[str, str] | None = None,
        strict: bool = False,
        assume_timezone: str | None = None,
        resolved_when: Mapping[str, str | Collection[str]] | None = None,
        kind: SurveyKind | None = None,
        fields: Collection[str] | None = None,
    ) -> Reading:
        """Check the reading options of the public readers; each error names the option.

        Raises
        ------
        ValueError
            A ``columns`` key that is not a field or a value that is not a
            column name, a ``strict`` that is not a bool, an unknown zone, a
            ``resolved_when`` that does not name one column and at least one
            value, a ``kind`` that is not a survey kind, an option that
            gives a field two sources (``columns={"resolved": ...}`` with
            ``resolved_when``), or ``fields`` that are not a collection of
            field names.
        """
        names = _column_map(spec, columns)
        if not isinstance(strict, bool):
            msg = f"strict={strict!r} is not allowed; use True or False"
            raise ValueError(msg)
        zone = None if assume_timezone is None else time_zone("assume_timezone", assume_timezone)
        when = None
        if resolved_when is not None:
            if "resolved" not in spec.fields:
                msg = "resolved_when= applies to contacts only"
                raise ValueError(msg)
            when = _resolved_when(resolved_when)
        if kind is not None:
            if "kind" not in spec.fields:
                msg = "kind= applies to survey answers only"
                raise ValueError(msg)
            option("kind", kind, SURVEY_KINDS)
        for field, given, name in (
            ("resolved", when, "resolved_when"),
            ("kind", kind, "kind"),
        ):
            if given is not None and field in names:
                msg = (
                    f"columns= maps {field!r} to {names[field]!r} and {name}= gives it too; "
                    "give one of them"
                )
                raise ValueError(msg)
        return cls(
            spec=spec,
            columns=names,
            strict=strict,
            assume_timezone=zone,
            resolved_when=when,
            kind=kind,
            fields=_fields(spec, fields),
        )

    @property
    def zone(self) -> ZoneInfo | None:
        """The zone of naive timestamps, or None."""
        return None if self.assume_timezone is None else ZoneInfo(self.assume_timezone)

    @property
    def derived(self) -> frozenset[str]:
        """The fields given by an option rather than read from a column."""
        return frozenset(
            field
            for field, given in (("resolved", self.resolved_when), ("kind", self.kind))
            if given is not None
        )

    def resolved(self, value: object) -> bool:
        """Whether one value of the ``resolved_when`` column means resolved (None: no)."""
        assert self.resolved_when is not None
        return value is not None and str(value).strip().lower() in self.resolved_when[1]

    def plan(self, found: Sequence[str]) -> Plan:
        """The column of each field among the ``found`` column names.

        With ``fields``, the fields left out are not read: they are in the
        plan's ``unread`` when the source has their column (or, for a derived
        ``resolved``, the ``resolved_when`` column), and their columns are not
        "ignored" for ``strict``.

        Raises
        ------
        InvalidDataError
            A required field, a mapped column or the ``resolved_when`` column
            is missing (the message lists the columns found and suggests close
            names), or, with ``strict``, a column would be ignored.
        """
        derived = self.derived
        wanted = {
            field: self.columns.get(field, field)
            for field in self.spec.fields
            if field not in derived
        }
        present = set(found)
        missing = [
            (field, column)
            for field, column in wanted.items()
            if column not in present and (field in self.spec.required or field in self.columns)
        ]
        status = None if self.resolved_when is None else self.resolved_when[0]
        if status is not None and status not in present:
            missing.append(("resolved_when", status))
        if missing:
            self._missing(missing, found)
        sources = {field: column for field, column in wanted.items() if column in present}
        unread: frozenset[str] = frozenset()
        if self.fields is not None:
            unread = frozenset(field for field in sources if field not in self.fields)
            if status is not None and "resolved" not in self.fields:
                unread |= {"resolved"}
        if self.strict:
            used = {*sources.values(), status}
            unknown = [column for column in found if column not in used]
            if unknown:
                msg = (
                    f"unknown column(s) {unknown}: with strict columns every column must be "
                    f"a field or mapped with columns= (CLI: --columns); the fields are "
                    f"{list(self.spec.fields)}"
                )
                raise InvalidDataError(msg)
        if not unread:
            return Plan(sources=sources, status=status)
        return Plan(
            sources={field: column for field, column in sources.items() if field not in unread},
            status=None if "resolved" in unread else status,
            unread=unread,
        )

    def _missing(self, missing: list[tuple[str, str]], found: Sequence[str]) -> NoReturn:
        parts, example = [], {"id": "Ticket ID"}
        for field, column in missing:
            part = repr(column) if column == field else f"{column!r} (for {field})"
            close = get_close_matches(column, list(found), n=1, cutoff=0.6)
            if close:
                part += f" (did you mean {close[0]!r}?)"
                if field != "resolved_when":
                    example = {field: close[0]}
            parts.append(part)
        required = [f for f in self.spec.required if f not in self.derived]
        shown = [*found[:30], f"... {len(found) - 30} more"] if len(found) > 30 else list(found)
        msg = f"missing column(s) {', '.join(parts)}; found {shown}"
        if any(field != "resolved_when" for field, _ in missing):
            field, column = next(iter(example.items()))
            msg += (
                f". Required fields: {required}; map a column named otherwise with "
                f"columns=, e.g. {example} (CLI: --columns {field}={column!r})"
            )
        raise InvalidDataError(msg)


def _column_map(spec: Fields, columns: Mapping[str, str] | None) -> dict[str, str]:
    if columns is None:
        return {}
    if not isinstance(columns, Mapping):
        msg = f"columns={columns!r} is not allowed; use a mapping of field name to column name"
        raise ValueError(msg)
    names = dict(columns)
    unknown = sorted(str(field) for field in names if field not in spec.fields)
    if unknown:
        msg = (
            f"columns={names!r}: {unknown} are not csmetrics fields; "
            f"the fields are {list(spec.fields)}"
        )
        raise ValueError(msg)
    bad = {
        field: column
        for field, column in names.items()
        if not isinstance(column, str) or not column
    }
    if bad:
        msg = f"columns={names!r}: {bad} do not name columns; use non-empty column names"
        raise ValueError(msg)
    return names


def _fields(spec: Fields, fields: Collection[str] | None) -> frozenset[str] | None:
    """The ``fields=`` option as a set of field names, the required ones added."""
    if fields is None:
        return None
    if isinstance(fields, str) or not isinstance(fields, Collection):
        msg = f"fields={fields!r} is not allowed; use a list of field names, e.g. ['start', 'end']"
        raise ValueError(msg)
    unknown = sorted(repr(field) for field in fields if field not in spec.fields)
    if unknown:
        msg = (
            f"fields={list(fields)!r}: {', '.join(unknown)} are not fields; "
            f"use some of {list(spec.fields)}"
        )
        raise ValueError(msg)
    wanted = {*fields, *spec.required}
    for field in tuple(wanted):
        wanted.update(CHECKED_WITH.get(field, ()))
    return frozenset(wanted)


CHECKED_WITH: Mapping[str, tuple[str, ...]] = {
    "resolved": ("end",),
    "abandoned": ("end", "first_response_at"),
    "blocked": ("first_response_at",),
    "escalated_to": ("escalated",),
    "score": ("scale_low", "scale_high"),
}
"""Fields read with a field because the table checks or reads it against them.

A resolved or abandoned contact must have ended, an abandoned or blocked one
has no first response, ``escalated_to`` needs ``escalated``, and a score is
judged on its answer's own scale: ``fields=`` reads these too, so a table
read with ``fields=`` is checked as a full read is and never reads a score
on a scale the file did not give.
"""


def _resolved_when(when: Any) -> tuple[str, frozenset[str]]:
    """``(column, lower-cased values)`` of ``{column: values}``; one value may be a bare str."""
    usage = "use {column: [values]}, e.g. resolved_when={'status': ['solved', 'closed']}"
    if not isinstance(when, Mapping) or len(when) != 1:
        msg = f"resolved_when={when!r} is not allowed; {usage}"
        raise ValueError(msg)
    ((column, values),) = when.items()
    if isinstance(values, str):
        values = [values]
    if (
        not isinstance(column, str)
        or not column
        or not isinstance(values, Collection)
        or not values
        or not all(isinstance(v, str) and v.strip() for v in values)
    ):
        msg = f"resolved_when={dict(when)!r} is not allowed; {usage} (non-empty texts)"
        raise ValueError(msg)
    return column, frozenset(v.strip().lower() for v in values)
