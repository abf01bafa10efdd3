"""Hypothesis strategies for property tests of code that uses csmetrics.

Needs the ``test`` extra (``pip install csmetrics[test]``), which brings
Hypothesis; ``import csmetrics`` never loads this module, so the core does
not depend on Hypothesis.

The strategies draw data with the structure real exports have, so that the
edges of every definition are hit often: contacts of a few customers and
categories, follow-ups placed exactly at, just inside and just outside the
FCR window, issue ids reused for a new problem (a reopened ticket), open
contacts, every survey kind on its default or a written-out scale, and ids
as text or integers. Times are drawn on a minute grid over three weeks so
that ties and exact window boundaries are common; every datetime is
timezone-aware, in a few fixed offsets, so one instant is written in
different zones.

- `interactions`, `surveys`: lists of `csmetrics.Interaction` and
  `csmetrics.Survey`;
- `interaction_tables`, `survey_tables`: the same as `csmetrics.Interactions`
  and `csmetrics.Surveys`;
- `interaction_frames`, `survey_frames`: the same as dataframes (pandas,
  polars or pyarrow) that ``from_frame`` reads;
- `aware_datetimes`, `scores`: the building blocks.

Every strategy takes keyword-only options and is deterministic under
Hypothesis's ``derandomize`` setting. See the guide "Testing your code with
csmetrics" for a property test written with them.

Examples
--------
>>> from hypothesis import given, settings
>>> import csmetrics
>>> from csmetrics.testing import interactions
>>> @settings(max_examples=20, derandomize=True)
... @given(interactions(open_contacts=False))
... def test_fcr_is_a_fraction(contacts):
...     import warnings
...     with warnings.catch_warnings():
...         warnings.simplefilter("ignore", csmetrics.UndefinedMetricWarning)
...         result = csmetrics.fcr(contacts)
...     assert result.denominator == 0 or 0 <= float(result) <= 1
>>> test_fcr_is_a_fraction()
"""

from __future__ import annotations

import functools
import importlib
from collections.abc import Sequence
from datetime import datetime, timedelta, timezone
from typing import Any, Literal

try:
    from hypothesis import strategies as st
except ImportError as error:  # pragma: no cover - only without the test extra
    msg = "csmetrics.testing needs Hypothesis: pip install 'csmetrics[test]'"
    raise ImportError(msg) from error

import csmetrics

__all__ = [
    "BASE",
    "SPAN_DAYS",
    "ZONES",
    "Backend",
    "KeyType",
    "TicketIds",
    "aware_datetimes",
    "interaction_frames",
    "interaction_tables",
    "interactions",
    "scores",
    "survey_frames",
    "survey_tables",
    "surveys",
]

BASE = datetime(2026, 3, 2, tzinfo=timezone.utc)
"""Start of the drawn time range (a Monday)."""

SPAN_DAYS = 21
"""Length of the drawn time range for independent timestamps."""

ZONES = (
    timezone.utc,
    timezone(timedelta(hours=-5)),
    timezone(timedelta(hours=5, minutes=30)),
)

SCALES: dict[str, tuple[int, int] | None] = {
    "nps": (0, 10),
    "csat": (1, 5),
    "ces": (1, 7),
    "rating": (1, 5),
    "fcr": None,
}
"""Default scale of each survey kind (what the metrics use by default)."""

KeyType = Literal["str", "int"]
TicketIds = Literal["reused", "per_category", "none"]
"""How `interactions` draws issue ids (see its ``tickets`` option)."""


# -- cheap draws ----------------------------------------------------------------
# Strategies are built once and cached: building them inside the loops below
# costs more than the draws themselves.

BOOLEANS = st.booleans()


@functools.cache
def _ints(low: int, high: int) -> st.SearchStrategy[int]:
    return st.integers(low, high)


def _choose(draw: st.DrawFn, options: Sequence[Any]) -> Any:
    return options[draw(_ints(0, len(options) - 1))]


# -- times --------------------------------------------------------------------


@st.composite
def aware_datetimes(
    draw: st.DrawFn,
    *,
    start: datetime = BASE,
    days: int = SPAN_DAYS,
    zones: Sequence[timezone] = ZONES,
) -> datetime:
    """A timezone-aware datetime on a minute grid in ``[start, start + days]``.

    Whole hours and days are drawn often, so equal timestamps are common.
    """
    grain = _choose(draw, (1, 60, 24 * 60))
    offset = grain * draw(_ints(0, days * 24 * 60 // grain))
    return (start + timedelta(minutes=offset)).astimezone(_choose(draw, zones))


# -- keys ---------------------------------------------------------------------


def _key(key_type: KeyType, prefix: str, number: int) -> str | int:
    return f"{prefix}{number}" if key_type == "str" else number


def _optional(draw: st.DrawFn, key_type: KeyType, value: str | int) -> str | int | None:
    """``value``, or a missing key (None, or "" for string columns)."""
    choice = draw(_ints(0, 3))
    if choice >= 2:
        return value
    return "" if choice == 1 and key_type == "str" else None


@functools.cache
def _unique_numbers(n: int) -> st.SearchStrategy[list[int]]:
    return st.lists(st.integers(0, 999), min_size=n, max_size=n, unique=True)


# -- contacts -----------------------------------------------------------------


@st.composite
def interactions(
    draw: st.DrawFn,
    *,
    min_size: int = 0,
    max_size: int = 12,
    customers: int = 3,
    categories: int = 3,
    agents: int = 3,
    key_type: KeyType | None = None,
    tickets: TicketIds = "reused",
    open_contacts: bool = True,
    window_days: float = 7,
    zones: Sequence[timezone] = ZONES,
    service: bool = False,
    team: bool = False,
) -> list[csmetrics.Interaction]:
    """A list of `csmetrics.Interaction` with repeats, ties and open contacts.

    Parameters
    ----------
    min_size, max_size
        Number of contacts.
    customers, categories, agents
        How many distinct values each field draws from (few, so they collide).
    key_type
        ``"str"`` or ``"int"`` for every key column; None draws one.
    tickets
        ``"reused"``: issue ids belong to one customer and may be reused for a
        different category; ``"per_category"``: an issue id belongs to one
        customer and one category; ``"none"``: no issue ids.
    open_contacts
        Whether some contacts are still open (``end=None``, never resolved).
    window_days
        Follow-up contacts are often placed exactly at, just inside or just
        outside this window after an earlier contact's end.
    zones
        Time zones the datetimes are written in.
    service
        Also draw the queue and timing fields (`_service_fields`): first
        response, abandoned or blocked, talk/hold/wrap seconds, priority, tier
        and messages. Off by default, so the older tests see the fields they
        were written for.
    team
        Also draw the team flags (`_team_fields`): ``escalated`` (sometimes
        with ``escalated_to``) and ``complaint``. Off by default, for the same
        reason.
    """
    if key_type is None:
        key_type = _choose(draw, ("str", "int"))
    n = draw(_ints(min_size, max_size))
    numbers = draw(_unique_numbers(n))
    window = round(window_days * 24 * 60)
    edges = (0, 1, window - 1, window, window + 1)
    out: list[csmetrics.Interaction] = []
    for number in numbers:
        if bool(out) and draw(BOOLEANS):
            # A follow-up of an earlier contact: same customer, often the same
            # category and ticket, starting near the end of its window.
            earlier = _choose(draw, out)
            customer = earlier.customer_id
            category = earlier.category
            issue = earlier.issue_id
            if tickets == "reused" and draw(BOOLEANS):
                # A ticket reused for another problem.
                category = _category(draw, key_type, categories)
            if draw(_ints(0, 4)) == 0:
                issue = _ticket(draw, key_type, customer, category, tickets)
            anchor = earlier.end if earlier.end is not None else earlier.start
            gap = _choose(draw, edges) if draw(BOOLEANS) else draw(_ints(0, 2 * window))
            start = (anchor + timedelta(minutes=gap)).astimezone(_choose(draw, zones))
        else:
            customer = _key(key_type, "cust", draw(_ints(0, customers - 1)))
            category = _category(draw, key_type, categories)
            issue = _ticket(draw, key_type, customer, category, tickets)
            start = draw(aware_datetimes(zones=zones))
        end: datetime | None
        if open_contacts and draw(_ints(0, 5)) == 0:
            end, resolved = None, False
        else:
            longest = _choose(draw, (1, 60, 600, 3 * 24 * 60))
            minutes = draw(_ints(0, longest))
            end = (start + timedelta(minutes=minutes)).astimezone(_choose(draw, zones))
            resolved = draw(BOOLEANS)
        agent = _key(key_type, "agent", draw(_ints(0, agents - 1)))
        channel = _choose(draw, ("phone", "chat", "email"))
        extra: dict[str, Any] = {}
        if service:
            extra = _service_fields(draw, start=start, key_type=key_type, zones=zones)
        if extra.get("abandoned"):
            end, resolved = extra.pop("end"), False
        extra.pop("end", None)
        if team:
            extra.update(_team_fields(draw, key_type=key_type))
        out.append(
            csmetrics.Interaction(
                id=_key(key_type, "i", number),
                customer_id=customer,
                start=start,
                end=end,
                resolved=resolved,
                agent_id=_optional(draw, key_type, agent),
                channel=_optional(draw, "str", channel),
                issue_id=issue,
                category=category,
                **extra,
            )
        )
    return out


WAIT_EDGES = (0, 4, 5, 6, 19, 20, 21, 59, 60, 61, 300, 3600)
"""Waits in seconds at and around the thresholds the tests use (short abandon
5 s, service level 20 s, 60 s, 300 s, 3600 s)."""

COMPONENT_SECONDS = (0, 0.5, 30, 45.25, 600, 3600)
"""Talk, hold and wrap seconds: zero, fractions and whole minutes."""

MESSAGE_GAPS = (0, 0, 1, 20, 60, 600)
"""Seconds between consecutive messages; 0 (a tie) is common."""


def _wait(draw: st.DrawFn) -> timedelta:
    """A wait in seconds: a threshold edge, up to two hours, or up to three days."""
    choice = draw(_ints(0, 3))
    if choice <= 1:
        return timedelta(seconds=_choose(draw, WAIT_EDGES))
    return timedelta(seconds=draw(_ints(0, 7200 if choice == 2 else 3 * 24 * 3600)))


def _component(draw: st.DrawFn) -> float | None:
    if draw(_ints(0, 2)) == 0:
        return None
    return _choose(draw, COMPONENT_SECONDS) if draw(BOOLEANS) else float(draw(_ints(0, 1800)))


def _service_fields(
    draw: st.DrawFn,
    *,
    start: datetime,
    key_type: KeyType,
    zones: Sequence[timezone] = ZONES,
) -> dict[str, Any]:
    """The queue and timing fields of one contact, consistent with `Interaction`.

    A contact is blocked, abandoned (after a wait; it then ends there, and the
    caller uses the returned ``end``), answered at an explicit
    ``first_response_at`` (a wait after ``start``), or none of these (it may
    still be answered by its messages). Abandoned and blocked contacts never
    have a first response. Talk, hold and wrap seconds are each finite and
    >= 0, or None. Priority ("P1".."P3" or 1..3) and tier ("tier1", "tier2" or
    1, 2) come from small sets and may be missing. Messages start at or after
    ``start`` and are in time order, by the customer, an agent or a bot, a few
    of them internal notes (``public=False``).
    """
    fields: dict[str, Any] = {}
    status = draw(_ints(0, 7))
    if status == 0:
        fields["blocked"] = True
    elif status == 1:
        fields["abandoned"] = True
        fields["end"] = (start + _wait(draw)).astimezone(_choose(draw, zones))
    elif status <= 4:
        fields["first_response_at"] = (start + _wait(draw)).astimezone(_choose(draw, zones))
    for name in ("talk_seconds", "hold_seconds", "wrap_seconds"):
        fields[name] = _component(draw)
    fields["priority"] = _optional(draw, key_type, _key(key_type, "P", draw(_ints(1, 3))))
    fields["tier"] = _optional(draw, key_type, _key(key_type, "tier", draw(_ints(1, 2))))
    messages = []
    at = start
    for _ in range(_choose(draw, (0, 0, 1, 2, 3, 5))):
        if draw(_ints(0, 3)) == 0:
            at += timedelta(seconds=draw(_ints(0, 2 * 24 * 3600)))
        else:
            at += timedelta(seconds=_choose(draw, MESSAGE_GAPS))
        messages.append(
            csmetrics.Message(
                at=at.astimezone(_choose(draw, zones)),
                author=_choose(draw, csmetrics.AUTHORS),
                public=draw(_ints(0, 4)) != 0,
            )
        )
    fields["messages"] = messages
    return fields


def _team_fields(draw: st.DrawFn, *, key_type: KeyType) -> dict[str, Any]:
    """The team flags of one contact.

    ``escalated`` (one contact in three; then ``escalated_to`` a tier or
    team, or missing) and ``complaint`` (one in four), independent of each
    other and of whether the contact was handled: the team metrics must leave
    out abandoned and blocked contacts themselves.
    """
    escalated = draw(_ints(0, 2)) == 0
    fields: dict[str, Any] = {"escalated": escalated, "complaint": draw(_ints(0, 3)) == 0}
    if escalated:
        fields["escalated_to"] = _optional(
            draw, key_type, _key(key_type, "tier", draw(_ints(2, 3)))
        )
    return fields


def _category(draw: st.DrawFn, key_type: KeyType, categories: int) -> str | int | None:
    number = draw(_ints(0, categories - 1))
    return _optional(draw, key_type, _key(key_type, "cat", number))


def _ticket(
    draw: st.DrawFn,
    key_type: KeyType,
    customer: Any,
    category: Any,
    tickets: TicketIds,
) -> str | int | None:
    """An issue id owned by one customer (and one category for "per_category")."""
    if tickets == "none" or draw(_ints(0, 3)) == 0:
        return None
    category = None if category == "" else category
    number = draw(_ints(0, 2))
    if tickets == "per_category":
        if key_type == "str":
            return f"{customer}/{category}/T{number}"
        cat = -1 if category is None else int(category)
        return (int(customer) * 100 + cat + 1) * 10 + number
    if key_type == "str":
        return f"{customer}/T{number}"
    return int(customer) * 10 + number


# -- surveys ------------------------------------------------------------------


@st.composite
def scores(
    draw: st.DrawFn,
    *,
    kind: str,
    scale: tuple[int, int] | None = None,
    min_size: int = 0,
    max_size: int = 30,
) -> list[Any]:
    """Plain scores of one survey kind: bools for "fcr", numbers on the scale.

    NPS scores are integers, sometimes written as whole-number floats (8.0).
    """
    return draw(
        st.lists(_score(kind, scale), min_size=min_size, max_size=max_size),
    )


@functools.cache
def _score(kind: str, scale: tuple[int, int] | None) -> st.SearchStrategy[Any]:
    if kind == "fcr":
        return st.booleans()
    low, high = scale if scale is not None else SCALES[kind]  # type: ignore[misc]
    whole = st.integers(low, high)
    if kind == "nps":
        return st.one_of(whole, whole.map(float))
    return whole


@st.composite
def surveys(
    draw: st.DrawFn,
    *,
    kind: str | None = None,
    kinds: Sequence[str] | None = None,
    scale: tuple[int, int] | None = None,
    min_size: int = 0,
    max_size: int = 16,
    agents: int = 3,
    key_type: KeyType | None = None,
    zones: Sequence[timezone] = ZONES,
) -> list[csmetrics.Survey]:
    """A list of `csmetrics.Survey` answers.

    Parameters
    ----------
    kind
        Draw answers of this kind only; None draws from ``kinds``.
    kinds
        Kinds to mix when ``kind`` is None; default every kind.
    scale
        Scale of the answers when not the kind's default; the default scale is
        sometimes written out explicitly, sometimes left as None.
    min_size, max_size, agents, key_type, zones
        As for `interactions`.
    """
    if key_type is None:
        key_type = _choose(draw, ("str", "int"))
    pool = [kind] if kind is not None else list(kinds or csmetrics.SURVEY_KINDS)
    n = draw(_ints(min_size, max_size))
    numbers = draw(_unique_numbers(n))
    out: list[csmetrics.Survey] = []
    for number in numbers:
        this = _choose(draw, pool)
        default = SCALES[this]
        used = scale if scale is not None and this not in ("nps", "fcr") else default
        written: tuple[int, int] | None = None
        if this not in ("nps", "fcr") and (used != default or draw(BOOLEANS)):
            written = used
        agent = _key(key_type, "agent", draw(_ints(0, agents - 1)))
        out.append(
            csmetrics.Survey(
                id=_key(key_type, "s", number),
                kind=this,
                score=draw(_score(this, used)),
                at=draw(aware_datetimes(zones=zones)),
                customer_id=_optional(draw, key_type, _key(key_type, "cust", draw(_ints(0, 3)))),
                interaction_id=_optional(draw, key_type, _key(key_type, "i", draw(_ints(0, 5)))),
                agent_id=_optional(draw, key_type, agent),
                scale=written,
            )
        )
    return out


# -- tables and frames ----------------------------------------------------------------------------

Backend = Literal["pandas", "polars", "pyarrow"]
"""The dataframe libraries the frame strategies build."""


@st.composite
def interaction_tables(draw: st.DrawFn, /, **options: Any) -> csmetrics.Interactions:
    """An `csmetrics.Interactions` table of contacts drawn by `interactions` (same options)."""
    return csmetrics.Interactions.from_records(draw(interactions(**options)))


@st.composite
def survey_tables(draw: st.DrawFn, /, **options: Any) -> csmetrics.Surveys:
    """A `csmetrics.Surveys` table of answers drawn by `surveys` (same options)."""
    return csmetrics.Surveys.from_records(draw(surveys(**options)))


_CONTACT_KEYS = (
    "id",
    "customer_id",
    "channel",
    "agent_id",
    "issue_id",
    "category",
    "priority",
    "tier",
    "escalated_to",
)
_CONTACT_TIMES = ("start", "end", "first_response_at")
_CONTACT_FLAGS = ("resolved", "abandoned", "blocked", "escalated", "complaint")
_CONTACT_SECONDS = ("talk_seconds", "hold_seconds", "wrap_seconds")
_SURVEY_KEYS = ("id", "customer_id", "interaction_id", "agent_id")


def _frame(columns: dict[str, list[Any]], kinds: dict[str, str], backend: Backend) -> Any:
    """Columns as a frame of ``backend``; ``kinds`` says which are keys, times and numbers.

    Times are UTC timestamps, flags bools, numbers floats, missing values
    null; pandas holds int keys as nullable ``Int64`` (a plain int column
    cannot hold a missing key).
    """
    if backend == "polars":
        return importlib.import_module("polars").DataFrame(columns, strict=False)
    if backend == "pyarrow":
        return importlib.import_module("pyarrow").table(columns)
    pd = importlib.import_module("pandas")
    frame = {}
    for name, values in columns.items():
        kind = kinds.get(name, "")
        if kind == "key" and any(isinstance(v, int) for v in values):
            frame[name] = pd.array(values, dtype="Int64")
        elif kind == "time":
            frame[name] = pd.to_datetime(pd.Series(values, dtype=object), utc=True)
        elif kind == "number":
            frame[name] = pd.Series(values, dtype="float64")
        elif kind == "flag":
            frame[name] = pd.Series(values, dtype=bool)
        else:
            frame[name] = pd.Series(values, dtype=object)
    return pd.DataFrame(frame)


def _utc(moment: datetime | None) -> datetime | None:
    return None if moment is None else moment.astimezone(timezone.utc)


@st.composite
def interaction_frames(draw: st.DrawFn, /, *, backend: Backend = "pandas", **options: Any) -> Any:
    """A dataframe of contacts drawn by `interactions`, as ``Interactions.from_frame`` reads it.

    One row per contact, one column per field (messages are left out): times
    as timezone-aware UTC timestamps (an open contact's ``end`` is null),
    flags as bools, seconds as floats (null where not recorded), keys as
    text or (nullable) integers with nulls for missing ones. ``backend`` is
    ``"pandas"``, ``"polars"`` or ``"pyarrow"``; the other options are those
    of `interactions`.
    """
    records = draw(interactions(**options))
    columns: dict[str, list[Any]] = {}
    for name in _CONTACT_KEYS:
        columns[name] = [getattr(r, name) for r in records]
    for name in _CONTACT_TIMES:
        columns[name] = [_utc(getattr(r, name)) for r in records]
    for name in _CONTACT_FLAGS:
        columns[name] = [bool(getattr(r, name)) for r in records]
    for name in _CONTACT_SECONDS:
        columns[name] = [getattr(r, name) for r in records]
    kinds = {
        **dict.fromkeys(_CONTACT_KEYS, "key"),
        **dict.fromkeys(_CONTACT_TIMES, "time"),
        **dict.fromkeys(_CONTACT_FLAGS, "flag"),
        **dict.fromkeys(_CONTACT_SECONDS, "number"),
    }
    return _frame(columns, kinds, backend)


@st.composite
def survey_frames(draw: st.DrawFn, /, *, backend: Backend = "pandas", **options: Any) -> Any:
    """A dataframe of survey answers drawn by `surveys`, as ``Surveys.from_frame`` reads it.

    Columns ``id``, ``kind``, ``score`` (numbers; "fcr" answers as 1.0 and
    0.0), ``at`` (UTC), ``customer_id``, ``interaction_id``, ``agent_id``.
    Answers are drawn on each kind's default scale (a frame has no scale
    column). The other options are those of `surveys`.
    """
    records = draw(surveys(**{**options, "scale": None}))
    columns: dict[str, list[Any]] = {
        "id": [r.id for r in records],
        "kind": [r.kind for r in records],
        "score": [float(r.score) for r in records],
        "at": [_utc(r.at) for r in records],
    }
    for name in _SURVEY_KEYS[1:]:
        columns[name] = [getattr(r, name) for r in records]
    kinds = {**dict.fromkeys(_SURVEY_KEYS, "key"), "at": "time", "score": "number"}
    return _frame(columns, kinds, backend)
