"""Value objects: one contact, one ticket, one survey answer, one period.

Every class is frozen, slotted and keyword-only, and validates itself once, at
construction. Errors are `InvalidDataError` naming the record id, the field and
the offending value. Every timestamp must be timezone-aware.
"""

from __future__ import annotations

import math
import operator
import re
from collections.abc import Iterable
from datetime import date, datetime, timedelta, timezone
from typing import Any, Literal, TypeGuard, overload
from zoneinfo import ZoneInfo

import attrs
import numpy as np

from csmetrics.core.check import bad_record, finite, is_number, plain

__all__ = [
    "AGENT_STATES",
    "AUTHORS",
    "BIG_INT_KEY",
    "FIRST_INSTANT",
    "INT_KEYS",
    "LAST_INSTANT",
    "RARE_FIELDS",
    "STATUSES",
    "SURVEY_KINDS",
    "AgentState",
    "AgentTime",
    "Assignment",
    "Author",
    "Interaction",
    "Key",
    "Message",
    "Outage",
    "PeriodLike",
    "PriorityChange",
    "SLAPolicyChange",
    "Sale",
    "ScheduleChange",
    "Status",
    "StatusChange",
    "Survey",
    "SurveyKind",
    "Ticket",
    "Window",
    "as_window",
    "aware_option",
    "big_int_key",
    "check_instant",
    "is_nat",
]

Key = str | int
"""An identifier or grouping key: a non-empty string or an integer."""

SurveyKind = Literal["nps", "csat", "ces", "fcr", "rating"]
"""The kind of a survey question."""
SURVEY_KINDS: tuple[SurveyKind, ...] = ("nps", "csat", "ces", "fcr", "rating")
"""The survey kinds, in the order `Surveys.kind` codes them."""

Author = Literal["customer", "agent", "bot"]
"""Who wrote a message: the customer, a human agent, or a bot."""
AUTHORS: tuple[Author, ...] = ("customer", "agent", "bot")
"""Message authors, in the order `Messages.author` codes them."""

DEFAULT_SCALES: dict[str, tuple[int, int]] = {
    "nps": (0, 10),
    "csat": (1, 5),
    "ces": (1, 7),
    "rating": (1, 5),
}


INT_KEYS = (-(2**63), 2**63 - 1)
"""The range of integer keys: a table holds them as int64 (decision 59)."""
FIRST_INSTANT = datetime.min.replace(tzinfo=timezone.utc)
"""The earliest instant a timestamp may be: 0001-01-01T00:00 UTC (decision 58)."""
LAST_INSTANT = datetime.max.replace(tzinfo=timezone.utc)
"""The latest instant a timestamp may be: 9999-12-31T23:59:59.999999 UTC (decision 58)."""


def _is_key(value: object) -> bool:
    if isinstance(value, str):
        return value != ""
    return isinstance(value, int) and not isinstance(value, bool)


def big_int_key(value: object) -> bool:
    """Whether ``value`` is an int key outside int64, which a table cannot hold exactly.

    Python and numpy ints alike: a column may hold ``np.uint64(2**64 - 1)``.
    """
    return (
        isinstance(value, (int, np.integer))
        and not isinstance(value, (bool, np.bool_))
        and not INT_KEYS[0] <= int(value) <= INT_KEYS[1]
    )


BIG_INT_KEY = "an int key must fit in 64 bits (-2**63 .. 2**63-1); give larger ids as str"


def is_nat(value: object) -> bool:
    """Whether ``value`` is a not-a-time (``pandas.NaT``, a numpy NaT): a missing value."""
    if isinstance(value, np.datetime64):
        return bool(np.isnat(value))
    return isinstance(value, datetime) and value != value  # noqa: PLR0124 (NaT != NaT)


def aware_option(name: str, value: object) -> datetime:
    """``value`` when it is a timezone-aware datetime instant, else a ValueError naming ``name``.

    The one check of a time option (``as_of`` and the like): NaT, a naive
    datetime, anything else, or an instant outside 0001..9999 UTC is refused
    with the option's name and the value (decisions 58 and 97).
    """
    if (
        not isinstance(value, datetime)
        or is_nat(value)
        or value.utcoffset() is None
        or not FIRST_INSTANT <= value <= LAST_INSTANT
    ):
        msg = (
            f"{name}={value!r} is not allowed; use a timezone-aware datetime "
            "(0001-01-01 to 9999-12-31T23:59:59.999999 UTC)"
        )
        raise ValueError(msg)
    return value


def check_instant(record: object, field: str, value: datetime) -> None:
    """Raise unless the aware ``value`` is an instant between 0001 and 9999 in UTC.

    A "never" sentinel such as ``9999-12-31T23:59:59-05:00`` is after the last
    UTC instant Python's datetime can hold, so no duration or report could be
    computed from it: it is refused here, at input (decision 58).
    """
    if not FIRST_INSTANT <= value <= LAST_INSTANT:
        why = (
            "outside the instants csmetrics can hold (0001-01-01 to 9999-12-31T23:59:59.999999 "
            "UTC); write a 'never' time as a missing value (None, an empty cell)"
        )
        bad_record(record, field, value, why)


def _optional_key(value: object) -> object:
    # Exports write a missing key as an empty cell; "" and None mean the same.
    value = plain(value)
    return None if value == "" else value


def _check_aware(record: object, field: str, value: object) -> None:
    if is_nat(value):
        bad_record(record, field, value, "a missing value (NaT); give None for a missing time")
    if not isinstance(value, datetime):
        bad_record(record, field, value, "expected a timezone-aware datetime")
    if value.tzinfo is None or value.utcoffset() is None:
        bad_record(record, field, value, "naive datetime; attach a time zone")
    check_instant(record, field, value)


def _check_keys(
    record: object, inst: object, required: tuple[str, ...], optional: tuple[str, ...]
) -> None:
    for name in required + optional:
        value = getattr(inst, name)
        if value is None and name in optional:
            continue
        if not _is_key(value):
            bad_record(record, name, value, "expected a non-empty str or an int")
        if big_int_key(value):
            bad_record(record, name, value, BIG_INT_KEY)


def _check_seconds(record: object, field: str, value: object) -> None:
    if value is None:
        return
    if not is_number(value):
        bad_record(record, field, value, "expected a number of seconds")
    number = finite(value)
    if number is None or number < 0:
        bad_record(record, field, value, "expected a finite number of seconds >= 0")


def _items(values: object) -> tuple[Any, ...]:
    """A sequence field's items; a single value (NaT, a number, text) is one item.

    The record's own check then names it (``messages[0]``, "expected a
    Message") instead of Python's "object is not iterable", which names no
    record or field.
    """
    if isinstance(values, (str, bytes)) or not isinstance(values, Iterable):
        return (values,)
    return tuple(values)


def _to_tuple(messages: Iterable[Message]) -> tuple[Message, ...]:
    return _items(messages)


@attrs.frozen(kw_only=True)
class Message:
    """One message on a contact: who wrote it and when.

    Attributes
    ----------
    at
        When it was sent (timezone-aware).
    author
        ``"customer"``, ``"agent"`` (a human agent) or ``"bot"`` (automation;
        never counts as a reply).
    public
        False for an internal note, which the customer never sees.

    author_id
        Who wrote it (a user id), or None when unknown; counts distinct agents
        and replies on a `Ticket`. A helpdesk admin is an ``"agent"`` author.
    """

    at: datetime
    author: Author
    public: bool = True
    author_id: Key | None = attrs.field(default=None, converter=_optional_key)

    def __attrs_post_init__(self) -> None:
        _check_aware("Message", "at", self.at)
        if self.author not in AUTHORS:
            bad_record("Message", "author", self.author, f"use one of {AUTHORS}")
        if not isinstance(self.public, bool):
            bad_record("Message", "public", self.public, "expected a bool")
        _check_keys("Message", self, (), ("author_id",))


_set = object.__setattr__
"""Sets a field of a frozen object, as attrs' own ``__init__`` does."""
_UTC = timezone.utc
_TEXT_OR_NONE = frozenset({str, type(None)})
_OPTIONAL_KEYS = ("channel", "agent_id", "issue_id", "category", "priority", "tier", "escalated_to")
_FLAG_FIELDS = ("resolved", "abandoned", "blocked", "escalated", "complaint")


def _plain_key(value: object) -> bool:
    """Whether ``value`` is a key as it is: a non-empty str, or an int within int64.

    The fast path of the model's constructors; ``False`` sends the value to
    the full conversion and checks (a numpy int, a bool, a big int, "").
    """
    if type(value) is str:
        return value != ""
    return type(value) is int and INT_KEYS[0] <= value <= INT_KEYS[1]


def _plain_instant(value: object) -> TypeGuard[datetime]:
    """Whether ``value`` is a ``datetime`` that `check_instant` would accept as it is.

    A datetime in UTC (``timezone.utc``) is always an instant csmetrics can
    hold; in another zone a year 2..9998 keeps it so whatever the offset
    (offsets stay under a day). Anything else takes the full check.
    """
    if type(value) is not datetime:
        return False
    zone = value.tzinfo
    return zone is _UTC or (
        zone is not None and 1 < value.year < 9999 and value.utcoffset() is not None
    )


def _plain_seconds(value: object) -> bool:
    """Whether ``value`` is None, a finite float >= 0 or an int in 0 .. 2**53 (nan fails).

    A larger int takes the full check, which names it if no float holds it.
    """
    if value is None:
        return True
    if type(value) is float:
        return bool(0 <= value < math.inf)
    return type(value) is int and 0 <= value <= 2**53


_SECONDS_FIELDS = ("talk_seconds", "hold_seconds", "wrap_seconds")
RARE_FIELDS = (
    "first_response_at",
    *(flag for flag in _FLAG_FIELDS if flag != "resolved"),
    *_SECONDS_FIELDS,
    "priority",
    "tier",
    "escalated_to",
    "messages",
)
"""Fields of `Interaction` most records leave at their default (None, False, no messages)."""
_RARE = operator.attrgetter(*RARE_FIELDS)


class _NotesRare:
    """A slot beside the fields: whether the record gives any of `RARE_FIELDS`.

    Not an attrs field, so not in `attrs.fields`, `asdict`, equality or the
    repr: it is derived from the fields once, by the constructor (decision 208).
    """

    __slots__ = ("_gives_rare",)
    _gives_rare: bool


@attrs.frozen(kw_only=True, init=False)
class Interaction(_NotesRare):
    """One contact: a call, a chat, or one agent's handling of a ticket.

    Attributes
    ----------
    id
        Unique identifier of the contact.
    customer_id
        The customer who made the contact.
    start
        When the contact started (timezone-aware).
    end
        When it ended, or ``None`` while it is still open.
    resolved
        Whether the agent marked the customer's issue resolved at this contact.
    channel
        How the customer reached out ("phone", "chat", "email"); optional.
    agent_id
        The agent who handled the contact; optional.
    category
        The contact reason ("billing", "login"); optional.
    issue_id
        The ticket or case the contact belongs to. A reopened ticket is a further
        Interaction with the same ``issue_id``. An empty string means missing.
    first_response_at
        The first reply by a human agent or, for a call, the moment it was
        answered; None when not (yet) answered. Not before ``start``.
    abandoned
        The customer left before being answered (no ``first_response_at``).
    blocked
        The contact never reached a queue (busy signal, capacity limit).
    talk_seconds
        Seconds the agent talked or worked with the customer; None when unknown.
    hold_seconds
        Seconds the customer was on hold; None when unknown.
    wrap_seconds
        Seconds of after-contact work; None when unknown.
    priority
        The SLA priority ("P1".."P4", "low".."urgent"); optional.
    tier
        The support tier or ticket type ("1", "2", "incident", "problem");
        optional.
    messages
        The contact's `Message` objects in time order, none before ``start``.
    escalated
        The contact was escalated (to a higher tier, a specialist team).
    escalated_to
        Where it was escalated to (a tier or team); only with ``escalated``.
    complaint
        The customer complained about this contact.
    """

    id: Key
    customer_id: Key
    start: datetime
    end: datetime | None = None
    resolved: bool = False
    channel: Key | None = None
    agent_id: Key | None = None
    issue_id: Key | None = None
    category: Key | None = None
    first_response_at: datetime | None = None
    abandoned: bool = False
    blocked: bool = False
    talk_seconds: float | None = None
    hold_seconds: float | None = None
    wrap_seconds: float | None = None
    priority: Key | None = None
    tier: Key | None = None
    messages: tuple[Message, ...] = ()
    escalated: bool = False
    escalated_to: Key | None = None
    complaint: bool = False

    def __init__(
        self,
        *,
        id: object,
        customer_id: object,
        start: datetime,
        end: datetime | None = None,
        resolved: object = False,
        channel: object = None,
        agent_id: object = None,
        issue_id: object = None,
        category: object = None,
        first_response_at: datetime | None = None,
        abandoned: object = False,
        blocked: object = False,
        talk_seconds: float | None = None,
        hold_seconds: float | None = None,
        wrap_seconds: float | None = None,
        priority: object = None,
        tier: object = None,
        messages: Iterable[Message] = (),
        escalated: object = False,
        escalated_to: object = None,
        complaint: object = False,
    ) -> None:
        # Written by hand rather than generated by attrs so that nothing runs on
        # a default and the common record (str or int ids, aware datetimes,
        # bool flags, no messages) is checked with a few identity tests; any
        # other value takes the full conversion and checks (decision 81).
        _set(self, "id", id)
        _set(self, "customer_id", customer_id)
        _set(self, "start", start)
        _set(self, "end", end)
        _set(self, "resolved", resolved)
        _set(self, "channel", channel)
        _set(self, "agent_id", agent_id)
        _set(self, "issue_id", issue_id)
        _set(self, "category", category)
        _set(self, "first_response_at", first_response_at)
        _set(self, "abandoned", abandoned)
        _set(self, "blocked", blocked)
        _set(self, "talk_seconds", talk_seconds)
        _set(self, "hold_seconds", hold_seconds)
        _set(self, "wrap_seconds", wrap_seconds)
        _set(self, "priority", priority)
        _set(self, "tier", tier)
        _set(self, "messages", messages)
        _set(self, "escalated", escalated)
        _set(self, "escalated_to", escalated_to)
        _set(self, "complaint", complaint)
        if not (
            _plain_key(id)
            and _plain_key(customer_id)
            and _plain_instant(start)
            and {
                type(channel),
                type(agent_id),
                type(issue_id),
                type(category),
                type(priority),
                type(tier),
                type(escalated_to),
            }
            <= _TEXT_OR_NONE
            and "" not in (channel, agent_id, issue_id, category, priority, tier, escalated_to)
            and type(resolved) is bool
            and type(abandoned) is bool
            and type(blocked) is bool
            and type(escalated) is bool
            and type(complaint) is bool
            and (escalated or escalated_to is None)
            and (
                (end is None and not resolved and not abandoned)
                or (_plain_instant(end) and end >= start)
            )
            and (
                first_response_at is None
                or (
                    _plain_instant(first_response_at)
                    and first_response_at >= start
                    and not abandoned
                    and not blocked
                )
            )
            and _plain_seconds(talk_seconds)
            and _plain_seconds(hold_seconds)
            and _plain_seconds(wrap_seconds)
            and type(messages) is tuple
            and not messages
        ):
            self._convert()
            self._check()
        # Read by `Interactions.from_records`, which then skips those columns.
        _set(self, "_gives_rare", _RARE(self) != _RARE_DEFAULTS)

    def __getstate__(self) -> dict[str, Any]:
        return {field.name: getattr(self, field.name) for field in attrs.fields(Interaction)}

    def __setstate__(self, state: dict[str, Any]) -> None:
        # Through the constructor, so that an unpickled or copied record notes
        # whether it gives a rarely given field as a constructed one does.
        Interaction.__init__(self, **state)

    def _convert(self) -> None:
        """What the fast path does not take as it is: numpy scalars, "" keys, a list of messages."""
        for name in ("id", "customer_id", *_FLAG_FIELDS):
            _set(self, name, plain(getattr(self, name)))
        for name in _OPTIONAL_KEYS:
            _set(self, name, _optional_key(getattr(self, name)))
        _set(self, "messages", _to_tuple(self.messages))

    def _check(self) -> None:
        record = repr(self.id)
        _check_keys(record, self, ("id", "customer_id"), _OPTIONAL_KEYS)
        if self.escalated_to is not None and not self.escalated:
            bad_record(record, "escalated_to", self.escalated_to, "set without escalated=True")
        _check_aware(record, "start", self.start)
        if self.end is not None:
            _check_aware(record, "end", self.end)
            if self.end < self.start:
                bad_record(record, "end", self.end, f"before start {self.start}")
        for flag in _FLAG_FIELDS:
            if not isinstance(getattr(self, flag), bool):
                bad_record(record, flag, getattr(self, flag), "expected a bool")
        if self.end is None:
            if self.resolved:
                bad_record(
                    record,
                    "resolved",
                    value=True,
                    why="an open contact (end=None) cannot be resolved",
                )
            if self.abandoned:
                bad_record(
                    record,
                    "abandoned",
                    value=True,
                    why="an abandoned contact needs the end it left at",
                )
        self._check_response(record)
        for field in _SECONDS_FIELDS:
            _check_seconds(record, field, getattr(self, field))
        self._check_messages(record)

    def _check_response(self, record: str) -> None:
        if self.first_response_at is None:
            return
        _check_aware(record, "first_response_at", self.first_response_at)
        if self.first_response_at < self.start:
            why = f"before start {self.start}"
            bad_record(record, "first_response_at", self.first_response_at, why)
        for flag in ("abandoned", "blocked"):
            if getattr(self, flag):
                bad_record(
                    record, flag, value=True, why="a contact with a first response was answered"
                )

    def _check_messages(self, record: str) -> None:
        previous = self.start
        for position, message in enumerate(self.messages):
            if not isinstance(message, Message):
                bad_record(record, f"messages[{position}]", message, "expected a Message")
            if message.at < previous:
                why = "before start" if position == 0 else "out of order (before the previous one)"
                bad_record(record, f"messages[{position}].at", message.at, why)
            previous = message.at


_RARE_DEFAULTS = tuple(attrs.fields_dict(Interaction)[name].default for name in RARE_FIELDS)


def default_scale(kind: str) -> tuple[int, int] | None:
    """Return the default (low, high) scale of a survey kind; None for "fcr"."""
    return DEFAULT_SCALES.get(kind)


def check_scale(name: str, scale: object) -> tuple[int, int]:
    """Validate a (low, high) pair of integers with low < high."""
    if isinstance(scale, tuple):
        scale = tuple(plain(bound) for bound in scale)  # numpy ints are ints
    if (
        not isinstance(scale, tuple)
        or len(scale) != 2
        or not all(
            isinstance(b, int) and not isinstance(b, bool) and INT_KEYS[0] <= b <= INT_KEYS[1]
            for b in scale
        )
        or scale[0] >= scale[1]
    ):
        msg = (
            f"{name}={scale!r} is not allowed; use a (low, high) tuple of ints, "
            "low < high, each in int64's range"
        )
        raise ValueError(msg)
    return scale


def score_type_ok(kind: str, cls: type) -> bool:
    """Whether a score of this type fits the kind: bools for "fcr", numbers otherwise."""
    if issubclass(cls, (bool, np.bool_)):
        return kind == "fcr"
    return kind != "fcr" and issubclass(cls, (int, float, np.integer, np.floating))


def score_type_error(kind: str) -> str:
    """What a score of the wrong type should have been, for error messages."""
    return (
        "an 'fcr' answer must be a bool"
        if kind == "fcr"
        else "expected a number, not a bool or text"
    )


def check_score(record: object, kind: str, score: object, scale: tuple[int, int] | None) -> float:
    """Validate one survey score for its kind and scale; return it as a float."""
    if not score_type_ok(kind, type(score)):
        bad_record(record, "score", score, score_type_error(kind))
    assert isinstance(score, (int, float, np.integer, np.floating))
    if kind == "fcr":
        return float(score)
    if finite(score) is None:
        bad_record(record, "score", score, "expected a finite number")
    if kind == "nps" and score != int(score):
        bad_record(record, "score", score, "an NPS score must be a whole number")
    assert scale is not None  # every kind but "fcr" has a scale
    low, high = scale
    if not low <= score <= high:
        bad_record(record, "score", score, f"outside the {kind} scale {low}..{high}")
    return float(score)


def _plain_score(kind: object, score: object) -> bool:
    """Whether ``score`` is, as it is, an answer of ``kind`` on the kind's default scale."""
    if kind == "fcr":
        return type(score) is bool
    scale = DEFAULT_SCALES.get(kind) if type(kind) is str else None
    if scale is None:
        return False
    if type(score) is int:
        return scale[0] <= score <= scale[1]
    # A float NPS score must be whole; nan fails the comparison.
    return type(score) is float and kind != "nps" and scale[0] <= score <= scale[1]


@attrs.frozen(kw_only=True, init=False)
class Survey:
    """One survey answer.

    Attributes
    ----------
    id
        Unique identifier of the answer.
    kind
        ``"nps"`` (0..10), ``"csat"`` (1..5), ``"ces"`` (1..7), ``"rating"``
        (1..5) or ``"fcr"`` (a bool: the customer says the issue was resolved).
    score
        The answer: a number on the scale, or a bool for ``"fcr"``.
    at
        When the answer was given (timezone-aware).
    customer_id
        The customer who answered; optional.
    interaction_id
        The contact the survey was about; optional.
    agent_id
        The agent rated; optional.
    scale
        ``(low, high)`` when the survey used another scale than the kind's
        default; ``None`` means the default. NPS is always 0..10.
    """

    id: Key
    kind: SurveyKind
    score: float | bool
    at: datetime
    customer_id: Key | None = None
    interaction_id: Key | None = None
    agent_id: Key | None = None
    scale: tuple[int, int] | None = None

    def __init__(
        self,
        *,
        id: object,
        kind: SurveyKind,
        score: object,
        at: datetime,
        customer_id: object = None,
        interaction_id: object = None,
        agent_id: object = None,
        scale: tuple[int, int] | None = None,
    ) -> None:
        # By hand, like `Interaction`'s: one fast path for the common answer
        # (a str or int id, a known kind with its default scale, a number or
        # an "fcr" bool on it, an aware datetime); the rest is converted and
        # checked in full (decision 81).
        _set(self, "id", id)
        _set(self, "kind", kind)
        _set(self, "score", score)
        _set(self, "at", at)
        _set(self, "customer_id", customer_id)
        _set(self, "interaction_id", interaction_id)
        _set(self, "agent_id", agent_id)
        _set(self, "scale", scale)
        if not (
            scale is None
            and _plain_key(id)
            and _plain_score(kind, score)
            and _plain_instant(at)
            and {type(customer_id), type(interaction_id), type(agent_id)} <= _TEXT_OR_NONE
            and "" not in (customer_id, interaction_id, agent_id)
        ):
            self._convert()
            self._check()

    def _convert(self) -> None:
        """What the fast path does not take as it is: numpy scalars, "" keys."""
        _set(self, "id", plain(self.id))
        _set(self, "score", plain(self.score))
        for name in ("customer_id", "interaction_id", "agent_id"):
            _set(self, name, _optional_key(getattr(self, name)))

    def _check(self) -> None:
        record = repr(self.id)
        _check_keys(record, self, ("id",), ("customer_id", "interaction_id", "agent_id"))
        if self.kind not in SURVEY_KINDS:
            bad_record(record, "kind", self.kind, f"use one of {SURVEY_KINDS}")
        _check_aware(record, "at", self.at)
        scale = self.effective_scale
        if self.scale is not None:
            if self.kind in ("fcr", "nps"):
                bad_record(
                    record,
                    "scale",
                    self.scale,
                    f"a {self.kind!r} survey has a fixed scale",
                )
            try:
                check_scale("scale", self.scale)
            except ValueError as err:
                bad_record(record, "scale", self.scale, str(err))
        check_score(record, self.kind, self.score, scale)

    @property
    def effective_scale(self) -> tuple[int, int] | None:
        """The scale in force: ``scale`` or the kind's default (None for "fcr")."""
        return self.scale if self.scale is not None else default_scale(self.kind)


@attrs.frozen(kw_only=True)
class Window:
    """A half-open period ``[start, end)`` with timezone-aware bounds.

    Used as ``period=`` to choose which contacts or surveys a result covers.

    Attributes
    ----------
    start
        First instant inside the window (timezone-aware).
    end
        First instant after the window (timezone-aware), later than ``start``.
    """

    start: datetime
    end: datetime

    def __attrs_post_init__(self) -> None:
        _check_aware("Window", "start", self.start)
        _check_aware("Window", "end", self.end)
        if self.end <= self.start:
            bad_record("Window", "end", self.end, f"not after start {self.start}")

    def __contains__(self, moment: datetime) -> bool:
        return self.start <= moment < self.end


PeriodLike = Window | tuple[datetime | str, datetime | str] | str
"""What ``period=`` takes: a `Window`; a ``(start, end)`` pair of aware
datetimes or ISO 8601 strings; a calendar period as text (``"2026"``,
``"2026-Q1"``, ``"2026-03"``, ``"2026-03-05"``); or a pandas ``Period``."""

_ALLOWED_PERIODS = (
    "a csmetrics.Window, a (start, end) pair of datetimes or ISO strings, a period "
    "such as '2026', '2026-Q1', '2026-03' or '2026-03-05', or a pandas Period"
)


@overload
def as_window(
    name: str, value: object, *, optional: Literal[False] = False, timezone: str = "UTC"
) -> Window: ...


@overload
def as_window(
    name: str, value: object, *, optional: bool, timezone: str = "UTC"
) -> Window | None: ...


def as_window(
    name: str, value: object, *, optional: bool = False, timezone: str = "UTC"
) -> Window | None:
    """``value`` as a `Window` (None stays None when ``optional``); else an error naming it.

    Text without a UTC offset (a calendar period, an ISO time, a pandas
    ``Period``) is read in ``timezone`` (an IANA name, UTC by default): the
    month ``"2026-03"`` is ``[2026-03-01, 2026-04-01)`` there. A datetime
    object must be timezone-aware, as everywhere in csmetrics.

    >>> as_window("period", "2026-Q1").end.isoformat()
    '2026-04-01T00:00:00+00:00'
    >>> as_window("period", ("2026-03-01T00:00+01:00", "2026-03-02")).start.isoformat()
    '2026-03-01T00:00:00+01:00'
    """
    if isinstance(value, Window) or (optional and value is None):
        return value
    zone = ZoneInfo(timezone)
    if isinstance(value, tuple) and len(value) == 2:
        start, end = (_moment(name, part, zone) for part in value)
        return Window(start=start, end=end)
    if isinstance(value, str):
        return _calendar_period(name, value, zone)
    if hasattr(value, "start_time") and hasattr(value, "freqstr"):  # a pandas Period
        span: Any = value
        start = span.start_time.to_pydatetime().replace(tzinfo=zone)
        end = (span + 1).start_time.to_pydatetime().replace(tzinfo=zone)
        return Window(start=start, end=end)
    allowed = _ALLOWED_PERIODS + (" or None" if optional else "")
    msg = f"{name}={plain(value)!r} is not allowed; use {allowed}"
    raise TypeError(msg)


def _moment(name: str, value: object, zone: ZoneInfo) -> datetime:
    if isinstance(value, datetime):
        _check_aware(name, "start or end", value)
        return value
    if isinstance(value, str):
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            pass
        else:
            return moment if moment.tzinfo is not None else moment.replace(tzinfo=zone)
    msg = f"{name}={plain(value)!r}: a start or end must be a datetime or an ISO 8601 string"
    raise ValueError(msg)


def _calendar_period(name: str, text: str, zone: ZoneInfo) -> Window:
    """The year, quarter, month or day that ``text`` names, in ``zone``."""
    parts = re.fullmatch(r"(\d{4})(?:-Q([1-4])|-(\d{2})(?:-(\d{2}))?)?", text.strip())
    if parts is None:
        msg = f"{name}={text!r} is not allowed; use {_ALLOWED_PERIODS}"
        raise ValueError(msg)
    year, quarter, month, day = parts.groups()
    try:
        if day is not None:
            start = date(int(year), int(month), int(day))
            end = start + timedelta(days=1)
        elif month is not None:
            start = date(int(year), int(month), 1)
            end = date(int(year) + int(month) // 12, int(month) % 12 + 1, 1)
        elif quarter is not None:
            first = 3 * int(quarter) - 2
            start = date(int(year), first, 1)
            end = date(int(year) + first // 10, (first + 2) % 12 + 1, 1)
        else:
            start, end = date(int(year), 1, 1), date(int(year) + 1, 1, 1)
    except ValueError as err:  # month 13, February 30th
        msg = f"{name}={text!r} is not a date: {err}"
        raise ValueError(msg) from None
    return Window(
        start=datetime.combine(start, datetime.min.time(), zone),
        end=datetime.combine(end, datetime.min.time(), zone),
    )


@attrs.frozen(kw_only=True)
class Sale:
    """One sale to a customer, for revenue after contact.

    Attributes
    ----------
    id
        Unique identifier of the sale.
    customer_id
        The customer who bought.
    at
        When the sale happened (timezone-aware).
    amount
        Revenue in the reporting currency; a finite number (negative for a
        refund).
    """

    id: Key = attrs.field(converter=plain)
    customer_id: Key = attrs.field(converter=plain)
    at: datetime
    amount: float = attrs.field(converter=plain)

    def __attrs_post_init__(self) -> None:
        record = repr(self.id)
        _check_keys(record, self, ("id", "customer_id"), ())
        _check_aware(record, "at", self.at)
        if (
            isinstance(self.amount, bool)
            or not isinstance(self.amount, (int, float))
            or finite(self.amount) is None
        ):
            bad_record(record, "amount", self.amount, "expected a finite number")


@attrs.frozen(kw_only=True)
class Outage:
    """A period when a service was down.

    Attributes
    ----------
    start
        When the outage began (timezone-aware).
    end
        When service was restored; None while it is still down.
    service
        Which service was down; None for the whole product.
    """

    start: datetime
    end: datetime | None = None
    service: Key | None = attrs.field(default=None, converter=_optional_key)

    def __attrs_post_init__(self) -> None:
        _check_keys("Outage", self, (), ("service",))
        _check_aware("Outage", "start", self.start)
        if self.end is not None:
            _check_aware("Outage", "end", self.end)
            if self.end < self.start:
                bad_record("Outage", "end", self.end, f"before start {self.start}")


AgentState = Literal["handling", "available", "wrap", "break"]
"""What an agent was doing during an `AgentTime` interval."""
AGENT_STATES: tuple[AgentState, ...] = ("handling", "available", "wrap", "break")
"""The agent states, in the order `AgentTimes.state` codes them."""


@attrs.frozen(kw_only=True)
class AgentTime:
    """An interval of an agent's logged-in time in one state, for occupancy.

    Attributes
    ----------
    agent_id
        The agent.
    start
        Start of the interval (timezone-aware).
    end
        End of the interval (timezone-aware), not before ``start``.
    state
        ``"handling"`` (with a customer), ``"wrap"`` (after-contact work),
        ``"available"`` (waiting for work) or ``"break"``.
    """

    agent_id: Key = attrs.field(converter=plain)
    start: datetime
    end: datetime
    state: AgentState

    def __attrs_post_init__(self) -> None:
        record = f"agent {self.agent_id!r} at {self.start}"
        _check_keys(record, self, ("agent_id",), ())
        _check_aware(record, "start", self.start)
        _check_aware(record, "end", self.end)
        if self.end < self.start:
            bad_record(record, "end", self.end, f"before start {self.start}")
        if self.state not in AGENT_STATES:
            bad_record(record, "state", self.state, f"use one of {AGENT_STATES}")


Status = Literal["new", "open", "pending", "hold", "solved", "closed"]
"""A ticket status, in Zendesk's set; each reader maps its vendor's statuses onto it."""
STATUSES: tuple[Status, ...] = ("new", "open", "pending", "hold", "solved", "closed")
"""The ticket statuses, in the order `StatusChanges.status` codes them."""


@attrs.frozen(kw_only=True)
class StatusChange:
    """The moment a ticket entered a status.

    Attributes
    ----------
    at
        When the ticket entered the status (timezone-aware).
    status
        ``"new"``, ``"open"``, ``"pending"`` (waiting for the customer),
        ``"hold"`` (waiting for a third party), ``"solved"`` or ``"closed"``.
    """

    at: datetime
    status: Status

    def __attrs_post_init__(self) -> None:
        _check_aware("StatusChange", "at", self.at)
        if self.status not in STATUSES:
            bad_record("StatusChange", "status", self.status, f"use one of {STATUSES}")


@attrs.frozen(kw_only=True)
class PriorityChange:
    """The moment a ticket's priority was set or changed (an ``(at, priority)`` pair).

    Attributes
    ----------
    at
        When the priority took effect (timezone-aware).
    priority
        The new priority ("low".."urgent", "P1".."P4"); None when it was cleared.
    """

    at: datetime
    priority: Key | None = attrs.field(converter=_optional_key)

    def __attrs_post_init__(self) -> None:
        _check_aware("PriorityChange", "at", self.at)
        _check_keys("PriorityChange", self, (), ("priority",))


@attrs.frozen(kw_only=True)
class Assignment:
    """The moment a ticket was assigned to an agent (an ``(at, assignee_id)`` pair).

    Attributes
    ----------
    at
        When the assignment took effect (timezone-aware).
    assignee_id
        The agent now assigned; None when the ticket was unassigned.
    """

    at: datetime
    assignee_id: Key | None = attrs.field(converter=_optional_key)

    def __attrs_post_init__(self) -> None:
        _check_aware("Assignment", "at", self.at)
        _check_keys("Assignment", self, (), ("assignee_id",))


@attrs.frozen(kw_only=True)
class ScheduleChange:
    """The moment a ticket moved to a business-hours schedule (an ``(at, schedule_id)`` pair).

    Attributes
    ----------
    at
        When the schedule took effect (timezone-aware).
    schedule_id
        The schedule (a key of the calendars given to the metrics).
    """

    at: datetime
    schedule_id: Key = attrs.field(converter=plain)

    def __attrs_post_init__(self) -> None:
        _check_aware("ScheduleChange", "at", self.at)
        _check_keys("ScheduleChange", self, ("schedule_id",), ())


@attrs.frozen(kw_only=True)
class SLAPolicyChange:
    """The moment an SLA policy was applied to a ticket (an ``(at, policy)`` pair).

    Attributes
    ----------
    at
        When the policy took effect (timezone-aware).
    policy
        The policy's name (`csmetrics.SLAPolicy.name`); None when the ticket
        left every policy.
    """

    at: datetime
    policy: Key | None = attrs.field(converter=_optional_key)

    def __attrs_post_init__(self) -> None:
        _check_aware("SLAPolicyChange", "at", self.at)
        _check_keys("SLAPolicyChange", self, (), ("policy",))


def _events(cls: type[Any], value_name: str, values: Iterable[object]) -> tuple[Any, ...]:
    """The events of a history: ``cls`` objects as they are, ``(at, value)`` pairs built."""
    return tuple(
        cls(at=v[0], **{value_name: v[1]}) if isinstance(v, tuple) and len(v) == 2 else v
        for v in _items(values)
    )


def _to_statuses(values: Iterable[StatusChange | tuple[datetime, str]]) -> tuple[StatusChange, ...]:
    return _events(StatusChange, "status", values)


def _to_priority_changes(
    values: Iterable[PriorityChange | tuple[datetime, Key | None]],
) -> tuple[PriorityChange, ...]:
    return _events(PriorityChange, "priority", values)


def _to_assignments(
    values: Iterable[Assignment | tuple[datetime, Key | None]],
) -> tuple[Assignment, ...]:
    return _events(Assignment, "assignee_id", values)


def _to_schedule_changes(
    values: Iterable[ScheduleChange | tuple[datetime, Key]],
) -> tuple[ScheduleChange, ...]:
    return _events(ScheduleChange, "schedule_id", values)


def _to_sla_policy_changes(
    values: Iterable[SLAPolicyChange | tuple[datetime, Key | None]],
) -> tuple[SLAPolicyChange, ...]:
    return _events(SLAPolicyChange, "policy", values)


@attrs.frozen(kw_only=True)
class Ticket:
    """One helpdesk ticket: its status history, comment thread and field histories.

    Before its first status change a ticket is ``"new"``. A status change to
    the status the ticket already has changes nothing. Events at the same
    instant keep their given order.

    Attributes
    ----------
    id
        Unique identifier of the ticket.
    customer_id
        The requester.
    created
        When the ticket was created (timezone-aware).
    messages
        The comments (`Message`): public or internal (``public=False``), by the
        customer, an agent (an admin is an agent) or a bot (an automation,
        which never counts as a reply), in time order, none before
        ``created``. A ticket's first comment at ``created`` is the one that
        created it (its description).
    statuses
        The `StatusChange` objects (or ``(at, status)`` pairs) in time order,
        none before ``created``.
    channel
        How the ticket came in ("email", "web", "chat"); optional.
    priority
        The current priority; optional.
    category
        The contact reason; optional.
    assignee_id
        The agent assigned now; optional.
    submitter_role
        Who created the ticket: ``"customer"``, ``"agent"`` (a ticket an agent
        opened for the customer, as for an outbound email or a phone call
        logged after the fact) or ``"bot"``; None when unknown, read as the
        customer.
    priority_changes
        `PriorityChange` objects (or ``(at, priority)`` pairs) in time order,
        none before ``created``.
    assignments
        `Assignment` objects (or ``(at, assignee_id)`` pairs) in time order,
        none before ``created``.
    schedule_changes
        `ScheduleChange` objects (or ``(at, schedule_id)`` pairs) in time
        order, none before ``created``: the business-hours schedule the ticket
        is measured in from each moment.
    sla_policy_changes
        `SLAPolicyChange` objects (or ``(at, policy name)`` pairs) in time
        order, none before ``created``: the SLA policy applied from each
        moment (`csmetrics.sla_attainment` given several named policies).

    Examples
    --------
    >>> from datetime import datetime, timezone
    >>> t0 = datetime(2026, 3, 2, 9, tzinfo=timezone.utc)
    >>> from datetime import timedelta as td
    >>> ticket = Ticket(
    ...     id=1, customer_id="c1", created=t0,
    ...     messages=[Message(at=t0, author="customer"),
    ...               Message(at=t0 + td(hours=1), author="agent", author_id=7)],
    ...     statuses=[StatusChange(at=t0, status="new"),
    ...               StatusChange(at=t0 + td(hours=1), status="solved")],
    ...     assignments=[(t0, 7)],
    ... )
    >>> ticket.assignments[0].assignee_id
    7
    """

    id: Key = attrs.field(converter=plain)
    customer_id: Key = attrs.field(converter=plain)
    created: datetime
    messages: tuple[Message, ...] = attrs.field(converter=_to_tuple)
    statuses: tuple[StatusChange, ...] = attrs.field(converter=_to_statuses)
    channel: Key | None = attrs.field(default=None, converter=_optional_key)
    priority: Key | None = attrs.field(default=None, converter=_optional_key)
    category: Key | None = attrs.field(default=None, converter=_optional_key)
    assignee_id: Key | None = attrs.field(default=None, converter=_optional_key)
    submitter_role: Author | None = attrs.field(default=None, converter=_optional_key)
    priority_changes: tuple[PriorityChange, ...] = attrs.field(
        default=(), converter=_to_priority_changes
    )
    assignments: tuple[Assignment, ...] = attrs.field(default=(), converter=_to_assignments)
    schedule_changes: tuple[ScheduleChange, ...] = attrs.field(
        default=(), converter=_to_schedule_changes
    )
    sla_policy_changes: tuple[SLAPolicyChange, ...] = attrs.field(
        default=(), converter=_to_sla_policy_changes
    )

    def __attrs_post_init__(self) -> None:
        record = f"ticket {self.id!r}"
        _check_keys(
            record,
            self,
            ("id", "customer_id"),
            ("channel", "priority", "category", "assignee_id"),
        )
        if self.submitter_role is not None and self.submitter_role not in AUTHORS:
            bad_record(record, "submitter_role", self.submitter_role, f"use one of {AUTHORS}")
        _check_aware(record, "created", self.created)
        for name, cls in (
            ("messages", Message),
            ("statuses", StatusChange),
            ("priority_changes", PriorityChange),
            ("assignments", Assignment),
            ("schedule_changes", ScheduleChange),
            ("sla_policy_changes", SLAPolicyChange),
        ):
            _check_events(record, name, getattr(self, name), cls, self.created)

    @property
    def status(self) -> Status:
        """The latest status: that of the last status change, ``"new"`` without one."""
        return self.statuses[-1].status if self.statuses else "new"


def _check_events(
    record: str, name: str, events: tuple[Any, ...], cls: type[Any], created: datetime
) -> None:
    """Each event is a ``cls``, at or after ``created``, and not before the previous one."""
    previous = created
    for position, event in enumerate(events):
        if not isinstance(event, cls):
            bad_record(record, f"{name}[{position}]", event, f"expected a {cls.__name__}")
        if event.at < previous:
            why = (
                "before the ticket was created"
                if position == 0
                else "out of order (before the previous one)"
            )
            bad_record(record, f"{name}[{position}].at", event.at, why)
        previous = event.at
