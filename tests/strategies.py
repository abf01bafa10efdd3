"""Shared Hypothesis strategies and small helpers for the csmetrics tests.

Every strategy is an ``@st.composite`` with keyword-only options. Times are
drawn on a minute grid over a few weeks so that ties and exact window
boundaries are common; every datetime is timezone-aware, with a few fixed
offsets so the same instant is written in different zones.
"""

from __future__ import annotations

import contextlib
import functools
import math
import warnings
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
from hypothesis import strategies as st

import csmetrics

if TYPE_CHECKING:
    from collections.abc import Iterator, Sequence

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
Tickets = Literal["reused", "per_category", "none"]


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
    tickets: Tickets = "reused",
    open_contacts: bool = True,
    window_days: float = 7,
    zones: Sequence[timezone] = ZONES,
    service: bool = False,
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
    """
    if key_type is None:
        key_type = _choose(draw, ("str", "int"))
    n = draw(_ints(min_size, max_size))
    numbers = draw(_unique_numbers(n))
    window = round(window_days * 24 * 60)
    edges = (0, 1, window - 1, window, window + 1)
    out: list[csmetrics.Interaction] = []
    for number in numbers:
        if out and draw(BOOLEANS):
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


def _category(draw: st.DrawFn, key_type: KeyType, categories: int) -> str | int | None:
    number = draw(_ints(0, categories - 1))
    return _optional(draw, key_type, _key(key_type, "cat", number))


def _ticket(
    draw: st.DrawFn,
    key_type: KeyType,
    customer: Any,
    category: Any,
    tickets: Tickets,
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
                kind=this,  # type: ignore[arg-type]
                score=draw(_score(this, used)),
                at=draw(aware_datetimes(zones=zones)),
                customer_id=_optional(draw, key_type, _key(key_type, "cust", draw(_ints(0, 3)))),
                interaction_id=_optional(draw, key_type, _key(key_type, "i", draw(_ints(0, 5)))),
                agent_id=_optional(draw, key_type, agent),
                scale=written,
            )
        )
    return out


# -- columns built from the same fields ---------------------------------------


def _utc64(moment: datetime | None) -> np.datetime64:
    if moment is None:
        return np.datetime64("NaT", "us")
    return np.datetime64(moment.astimezone(timezone.utc).replace(tzinfo=None), "us")


def interaction_columns(
    records: Sequence[csmetrics.Interaction],
    *,
    times: Literal["datetime64", "aware"],
    service: bool = False,
) -> dict[str, Any]:
    """The fields of ``records`` as columns for `Interactions.from_columns`.

    ``times="datetime64"`` gives UTC datetime64 arrays (NaT for an open end);
    ``"aware"`` gives lists of the original aware datetimes (None when open).
    String key columns write a missing key as "" to check that "" is missing.
    ``service=True`` adds the queue and timing columns (first response,
    abandoned, blocked, seconds as float arrays with nan or, with ``"aware"``,
    lists with None, priority and tier); messages go in `message_columns`.
    """
    keys = ["id", "customer_id", "channel", "agent_id", "issue_id", "category"]
    moments = ["start", "end"]
    if service:
        keys += ["priority", "tier"]
        moments.append("first_response_at")
    cols: dict[str, Any] = {}
    for name in keys:
        values = [getattr(r, name) for r in records]
        if all(isinstance(v, str) or v is None for v in values):
            values = ["" if v is None else v for v in values]
            cols[name] = np.array(values, dtype=str)
        else:
            cols[name] = np.array(values, dtype=object)
    for name in moments:
        if times == "datetime64":
            cols[name] = np.array([_utc64(getattr(r, name)) for r in records], "datetime64[us]")
        else:
            cols[name] = [getattr(r, name) for r in records]
    flags = ("resolved", "abandoned", "blocked") if service else ("resolved",)
    for name in flags:
        cols[name] = np.array([getattr(r, name) for r in records], dtype=bool)
    if service:
        for name in ("talk_seconds", "hold_seconds", "wrap_seconds"):
            values = [getattr(r, name) for r in records]
            if times == "datetime64":
                cols[name] = np.array([np.nan if v is None else v for v in values], np.float64)
            else:
                cols[name] = values
    return cols


def message_columns(
    records: Sequence[csmetrics.Interaction], *, times: Literal["datetime64", "aware"]
) -> dict[str, Any]:
    """The messages of ``records`` as the ``messages=`` columns of `Interactions.from_columns`.

    One row per message, written contact by contact in reverse so the table
    has to sort them back; the order within a contact is kept (ties too).
    """
    rows = [(r.id, m) for r in reversed(records) for m in r.messages]
    at = [m.at for _, m in rows]
    return {
        "interaction_id": np.array([key for key, _ in rows], dtype=object),
        "at": np.array([_utc64(t) for t in at], "datetime64[us]") if times == "datetime64" else at,
        "author": np.array([m.author for _, m in rows], dtype=str),
        "public": np.array([m.public for _, m in rows], dtype=bool),
    }


def survey_columns(
    records: Sequence[csmetrics.Survey], *, scores_as: Literal["float", "object"]
) -> dict[str, Any]:
    """The fields of ``records`` as columns for `Surveys.from_columns`.

    ``scores_as="float"`` writes "fcr" answers as 1.0 / 0.0 (one numeric
    column); ``"object"`` keeps the bools and numbers as they are.
    """
    cols: dict[str, Any] = {
        "id": np.array([r.id for r in records], dtype=object),
        "kind": np.array([r.kind for r in records], dtype=str),
        "at": np.array([_utc64(r.at) for r in records], "datetime64[us]"),
        "scale_low": np.array([(r.effective_scale or (0, 1))[0] for r in records], dtype=np.int64),
        "scale_high": np.array([(r.effective_scale or (0, 1))[1] for r in records], dtype=np.int64),
    }
    if scores_as == "float":
        cols["score"] = np.array([float(r.score) for r in records], dtype=np.float64)
    else:
        cols["score"] = np.array([r.score for r in records], dtype=object)
    for name in ("customer_id", "interaction_id", "agent_id"):
        cols[name] = np.array([getattr(r, name) for r in records], dtype=object)
    return cols


# -- helpers ------------------------------------------------------------------


@contextlib.contextmanager
def undefined_allowed() -> Iterator[list[warnings.WarningMessage]]:
    """Record csmetrics warnings instead of raising them; yield the record."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", csmetrics.CsmetricsWarning)
        yield caught


def undefined_warnings(caught: Sequence[warnings.WarningMessage]) -> int:
    """How many UndefinedMetricWarning were recorded."""
    return sum(issubclass(w.category, csmetrics.UndefinedMetricWarning) for w in caught)


def assert_same_result(
    left: Any, right: Any, *, rel: float = 1e-9, check_period: bool = True
) -> None:
    """Assert two results (or breakdowns) are equal; Mean moments approximately.

    Counts and parameters must be identical; the ``mean`` and ``m2`` of a
    `csmetrics.Mean` (floats from sums in different orders) match to ``rel``.
    The ``breaches`` of a `csmetrics.SLAAttainment` must be the same breaches,
    in any order: ``merge`` concatenates them without re-sorting by overrun,
    and equal overruns keep the input order (reported; a result straight from
    `csmetrics.sla_attainment` is checked to be sorted in the bounds test).
    """
    if isinstance(left, csmetrics.Breakdown):
        assert isinstance(right, csmetrics.Breakdown)
        assert left.by == right.by
        assert list(left) == list(right)
        assert_same_result(left.overall, right.overall, rel=rel, check_period=check_period)
        for key in left:
            assert_same_result(left[key], right[key], rel=rel, check_period=check_period)
        return
    assert type(left) is type(right)
    assert left.params() == right.params()
    if check_period:
        assert left.period == right.period
    if isinstance(left, csmetrics.Mean):
        assert left.n == right.n
        if left.n:
            assert math.isclose(left.mean, right.mean, rel_tol=rel, abs_tol=1e-12)
            scale = max(1.0, left.n * left.mean**2)
            assert math.isclose(left.m2, right.m2, rel_tol=rel, abs_tol=rel * scale)
        return
    assert left.counts() == right.counts()
    if isinstance(left, csmetrics.SLAAttainment):
        # Breaches are ordered most overrun first, ties by record and target.
        assert left.breaches == right.breaches
    if check_period:
        assert left == right


def frame_backends(frame: Any) -> dict[str, Any]:
    """A pandas frame as each installed dataframe library holds it (DuckDB: a relation)."""
    out: dict[str, Any] = {"pandas": frame}
    try:
        import polars as pl

        out["polars"] = pl.from_pandas(frame)
    except ImportError:
        pass
    try:
        import pyarrow as pa

        out["pyarrow"] = pa.Table.from_pandas(frame, preserve_index=False)
    except ImportError:
        pass
    try:
        import duckdb

        connection = duckdb.connect()
        connection.register("frame", frame)
        out["duckdb"] = connection.sql("select * from frame")
    except ImportError:
        pass
    return out
