"""Shared Hypothesis strategies and small helpers for the csmetrics tests.

The strategies for contacts and survey answers are public, in
`csmetrics.testing`; this module adds those only the tests need. Every
strategy is an ``@st.composite`` with keyword-only options. Times are
drawn on a minute grid over a few weeks so that ties and exact window
boundaries are common; every datetime is timezone-aware, with a few fixed
offsets so the same instant is written in different zones.
"""

from __future__ import annotations

import contextlib
import math
import warnings
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any, Literal, NamedTuple

import numpy as np
from hypothesis import strategies as st

import csmetrics

# The contact and survey strategies live in the package (csmetrics.testing),
# for users' own property tests; the tests import them from here as before.
from csmetrics.testing import (  # noqa: F401 (imported from here by the tests)
    BASE,
    BOOLEANS,
    SPAN_DAYS,
    ZONES,
    KeyType,
    _choose,
    _ints,
    _key,
    _unique_numbers,
    aware_datetimes,
    interactions,
    scores,
    surveys,
)

if TYPE_CHECKING:
    from collections.abc import Iterator, Sequence

# -- business inputs ----------------------------------------------------------


class Sold(NamedTuple):
    """The two inputs of `csmetrics.sales_after_contact`."""

    contacts: list[csmetrics.Interaction]
    sales: list[csmetrics.Sale]


class Cohort(NamedTuple):
    """The contacts and the two windows of `csmetrics.cohort_retention`."""

    contacts: list[csmetrics.Interaction]
    first: csmetrics.Window
    second: csmetrics.Window


class Downtime(NamedTuple):
    """The outages and the measured period of `csmetrics.uptime`."""

    outages: list[csmetrics.Outage]
    period: csmetrics.Window


AMOUNTS = (-10.0, 0.0, 0.5, 5.0, 20.5)
"""Sale amounts: a refund and a free order (not sales), and three sales."""

MINUTE = timedelta(minutes=1)


@st.composite
def contacts_and_sales(
    draw: st.DrawFn,
    *,
    max_contacts: int = 10,
    max_sales: int = 10,
    customers: int = 3,
    window_days: float = 7,
    key_type: KeyType | None = None,
    zones: Sequence[timezone] = ZONES,
) -> Sold:
    """Contacts (`interactions`) and sales to their customers, in one key type.

    Half the sales belong to the customer of a drawn contact and fall at its
    start, at its end, exactly at the end of its ``window_days`` window (from
    its end, from its start while it is open), one minute after that, or one
    minute before its start; the others go to any customer, including one
    with no contact at all, at any time of the range (also before the first
    contact). Amounts include a refund and a zero amount, which are no sales.
    """
    if key_type is None:
        key_type = _choose(draw, ("str", "int"))
    contacts = draw(
        interactions(
            max_size=max_contacts,
            customers=customers,
            key_type=key_type,
            window_days=window_days,
            zones=zones,
        )
    )
    window = timedelta(days=window_days)
    sales = []
    for number in draw(_unique_numbers(draw(_ints(0, max_sales)))):
        if contacts and draw(BOOLEANS):
            contact = _choose(draw, contacts)
            customer = contact.customer_id
            anchor = contact.start if contact.end is None else contact.end
            edges = (contact.start, anchor, anchor + window, anchor + window + MINUTE)
            at = _choose(draw, (*edges, contact.start - MINUTE))
        else:
            # Customer number `customers` has no contact.
            customer = _key(key_type, "cust", draw(_ints(0, customers)))
            at = draw(aware_datetimes(start=BASE - timedelta(days=1), days=SPAN_DAYS + 10))
        sales.append(
            csmetrics.Sale(
                id=_key(key_type, "s", number),
                customer_id=customer,
                at=at.astimezone(_choose(draw, zones)),
                amount=_choose(draw, AMOUNTS),
            )
        )
    return Sold(contacts, sales)


WINDOW_HOURS = (1, 24, 7 * 24)
"""Window lengths drawn often: an hour, a day, a week."""


def _hours(draw: st.DrawFn, *, longest: int) -> timedelta:
    """A whole number of hours, >= 1: a common length, or any up to ``longest``."""
    if draw(BOOLEANS):
        return timedelta(hours=_choose(draw, WINDOW_HOURS))
    return timedelta(hours=draw(_ints(1, longest)))


@st.composite
def cohorts(
    draw: st.DrawFn,
    *,
    max_size: int = 12,
    customers: int = 4,
    key_type: KeyType | None = None,
    zones: Sequence[timezone] = ZONES,
) -> Cohort:
    """Contacts (`interactions`) and two windows, the second starting when the
    first ends or later.

    The windows start on the hour anywhere in the drawn range, last from an
    hour to two weeks, with no gap or a gap of up to a week between them;
    contacts are drawn on the same grid, so many start exactly at a bound.
    """
    contacts = draw(
        interactions(max_size=max_size, customers=customers, key_type=key_type, zones=zones)
    )
    start = BASE + timedelta(hours=draw(_ints(0, SPAN_DAYS * 24)))
    first = csmetrics.Window(start=start, end=start + _hours(draw, longest=14 * 24))
    gap = timedelta(0) if draw(BOOLEANS) else _hours(draw, longest=7 * 24)
    later = first.end + gap
    second = csmetrics.Window(start=later, end=later + _hours(draw, longest=14 * 24))
    return Cohort(contacts, first, second)


@st.composite
def outages(
    draw: st.DrawFn,
    *,
    max_size: int = 8,
    services: Sequence[str] = ("api", "web"),
    zones: Sequence[timezone] = ZONES,
) -> Downtime:
    """A measured period and outages around it, on a minute grid.

    The period starts on the hour within two days of `BASE` and lasts an hour,
    ten hours, a day, a week or any number of minutes up to ten days. An
    outage starts at a period bound, where an earlier outage ended (touching
    it), or anywhere from half a period before to half a period after it; it
    lasts no time, is still ongoing (``end=None``), or lasts up to a period.
    Its service is None (the whole product) or one of ``services``.
    """
    start = BASE + timedelta(hours=draw(_ints(0, 48)))
    minutes = _choose(draw, (60, 600, 1440, 7 * 1440)) if draw(BOOLEANS) else None
    if minutes is None:
        minutes = draw(_ints(1, 10 * 1440))
    period = csmetrics.Window(start=start, end=start + minutes * MINUTE)
    out: list[csmetrics.Outage] = []
    for _ in range(draw(_ints(0, max_size))):
        choice = draw(_ints(0, 3))
        if choice == 0:
            begin = _choose(draw, (period.start, period.end))
        elif choice == 1 and out and out[-1].end is not None:
            begin = out[-1].end
        else:
            begin = start + draw(_ints(-minutes // 2, minutes + minutes // 2)) * MINUTE
        length = draw(_ints(0, 3))
        end = None
        if length == 1:
            end = begin
        elif length >= 2:
            end = begin + draw(_ints(1, minutes)) * MINUTE
        out.append(
            csmetrics.Outage(
                start=begin.astimezone(_choose(draw, zones)),
                end=None if end is None else end.astimezone(_choose(draw, zones)),
                service=_choose(draw, (None, *services)),
            )
        )
    return Downtime(out, period)


INTERVAL_MINUTES = (0, 1, 15, 90)
"""Agent-time interval lengths drawn often, zero included."""


@st.composite
def agent_times(
    draw: st.DrawFn,
    *,
    agents: int = 3,
    max_intervals: int = 6,
    key_type: KeyType | None = None,
    zones: Sequence[timezone] = ZONES,
) -> list[csmetrics.AgentTime]:
    """Logged-in intervals of up to ``agents`` agents, on a minute grid.

    Each agent's intervals follow one another, back to back or after a gap,
    so they never overlap (`csmetrics.occupancy` refuses overlaps); each is
    in a drawn state and lasts no time, a common length or up to four hours.
    Agents start within two days of `BASE`, so their days overlap in time.
    """
    if key_type is None:
        key_type = _choose(draw, ("str", "int"))
    out: list[csmetrics.AgentTime] = []
    for agent in range(agents):
        clock = BASE + draw(_ints(0, 2 * 24 * 60)) * MINUTE
        for _ in range(draw(_ints(0, max_intervals))):
            clock += _choose(draw, (0, 0, 5, 60)) * MINUTE
            common = draw(BOOLEANS)
            length = _choose(draw, INTERVAL_MINUTES) if common else draw(_ints(0, 240))
            out.append(
                csmetrics.AgentTime(
                    agent_id=_key(key_type, "agent", agent),
                    start=clock.astimezone(_choose(draw, zones)),
                    end=(clock + length * MINUTE).astimezone(_choose(draw, zones)),
                    state=_choose(draw, csmetrics.AGENT_STATES),
                )
            )
            clock += length * MINUTE
    return out


@st.composite
def customer_counts(draw: st.DrawFn, *, max_customers: int = 10_000) -> dict[str, int]:
    """The ``start``, ``end`` and ``new`` counts of `csmetrics.retention_rate`.

    ``start`` customers, of whom ``kept`` stay, plus ``new`` ones: ``end =
    kept + new``. No customer, keeping none and keeping all are common.
    """
    start = draw(st.sampled_from((0, 1, max_customers)) | _ints(0, max_customers))
    kept = draw(st.sampled_from((0, start)) | _ints(0, start))
    new = draw(st.sampled_from((0, 1)) | _ints(0, max_customers))
    return {"start": start, "end": kept + new, "new": new}


# -- staffing parameters -------------------------------------------------------


@st.composite
def erlang_parameters(
    draw: st.DrawFn,
    *,
    max_traffic: float = 200.0,
    threshold: bool = False,
    aht: bool = False,
) -> dict[str, Any]:
    """Offered ``traffic`` (Erlangs) and ``agents`` for the Erlang formulas.

    Traffic is a whole number or any float in ``[0, max_traffic]``; agents are
    often two below to six above the traffic (the queue turns stable once
    agents exceed it), else anything up to ``max_traffic + 10``. With
    ``threshold`` and ``aht``, ``threshold`` (>= 0) and
    ``aht_seconds`` (> 0) are drawn too, common values or any float.
    """
    whole = st.sampled_from((0.0, 1.0, 10.0, float(int(max_traffic))))
    traffic = draw(whole | st.floats(0, max_traffic))
    if draw(BOOLEANS):
        agents = max(0, math.floor(traffic) + draw(_ints(-2, 6)))
    else:
        agents = draw(_ints(0, math.ceil(max_traffic) + 10))
    params: dict[str, Any] = {"traffic": traffic, "agents": agents}
    if threshold:
        params["threshold"] = draw(st.sampled_from((0.0, 20.0, 60.0)) | st.floats(0, 600))
    if aht:
        params["aht_seconds"] = draw(st.sampled_from((30.0, 180.0, 600.0)) | st.floats(1, 1200))
    return params


@st.composite
def staffing_plans(draw: st.DrawFn, *, max_calls: int = 1500) -> dict[str, Any]:
    """The keyword arguments of `csmetrics.agents_needed`.

    Calls are 0, an int or a float up to ``max_calls`` per interval (15, 30 or
    60 minutes); handle times from 1 s to 15 min, so traffic stays below
    ``max_calls`` Erlangs. Targets lie in (0, 1) (a target of 1 cannot be met
    with calls to answer), thresholds in [0, 300] s, the occupancy cap is
    None or in [0.3, 1], shrinkage in [0, 0.6].
    """
    calls = draw(st.sampled_from((0, 1, 100)) | _ints(0, max_calls) | st.floats(0, max_calls))
    return {
        "calls": calls,
        "interval_seconds": draw(st.sampled_from((900, 1800, 3600))),
        "aht_seconds": draw(st.sampled_from((60, 180, 300.5)) | st.floats(1, 900)),
        "target_service_level": draw(
            st.sampled_from((0.5, 0.8, 0.9, 0.99)) | st.floats(0.01, 0.99)
        ),
        "threshold": draw(st.sampled_from((0, 20, 60)) | st.floats(0, 300)),
        "max_occupancy": draw(st.sampled_from((None, None, 0.7, 0.85, 1.0)) | st.floats(0.3, 1)),
        "shrinkage": draw(st.sampled_from((0.0, 0.3)) | st.floats(0, 0.6)),
    }


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
    The team flags (``escalated``, ``escalated_to``, ``complaint``) are always
    written.
    ``service=True`` adds the queue and timing columns (first response,
    abandoned, blocked, seconds as float arrays with nan or, with ``"aware"``,
    lists with None, priority and tier); messages go in `message_columns`.
    """
    keys = ["id", "customer_id", "channel", "agent_id", "issue_id", "category", "escalated_to"]
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
    queue = ("abandoned", "blocked") if service else ()
    flags = ("resolved", "escalated", "complaint", *queue)
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


def _times(records: Sequence[Any], name: str, times: Literal["datetime64", "aware"]) -> Any:
    values = [getattr(r, name) for r in records]
    if times == "datetime64":
        return np.array([_utc64(v) for v in values], "datetime64[us]")
    return values


def sale_columns(
    records: Sequence[csmetrics.Sale], *, times: Literal["datetime64", "aware"]
) -> dict[str, Any]:
    """The fields of ``records`` as columns for `Sales.from_columns` (times as
    for `interaction_columns`)."""
    return {
        "id": np.array([r.id for r in records], dtype=object),
        "customer_id": np.array([r.customer_id for r in records], dtype=object),
        "at": _times(records, "at", times),
        "amount": np.array([r.amount for r in records], dtype=np.float64),
    }


def agent_time_columns(
    records: Sequence[csmetrics.AgentTime], *, times: Literal["datetime64", "aware"]
) -> dict[str, Any]:
    """The fields of ``records`` as columns for `AgentTimes.from_columns`."""
    return {
        "agent_id": np.array([r.agent_id for r in records], dtype=object),
        "start": _times(records, "start", times),
        "end": _times(records, "end", times),
        "state": np.array([r.state for r in records], dtype=str),
    }


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


def _assert_close(left: Any, right: Any, *, rel: float) -> None:
    """Equal, or both floats equal to ``rel`` (and to ``rel`` absolutely near 0),
    or both nan. ``rel=0`` asks for the same bits (nan equal to nan)."""
    if isinstance(left, float) and isinstance(right, float):
        same = math.isnan(left) and math.isnan(right)
        if rel == 0:
            assert same or (left == right and math.copysign(1, left) == math.copysign(1, right))
            return
        assert same or math.isclose(left, right, rel_tol=rel, abs_tol=rel), (left, right)
    else:
        assert left == right


def _assert_same_breakdown(left: Any, right: Any, *, rel: float, check_period: bool) -> None:
    assert type(left) is type(right)
    assert left.by == right.by
    assert list(left) == list(right)
    if isinstance(left, csmetrics.RatingBreakdown):
        assert (left.prior is None) == (right.prior is None)
        if left.prior is not None:
            for name in ("mean", "between_variance", "within_variance"):
                _assert_close(getattr(left.prior, name), getattr(right.prior, name), rel=rel)
    assert_same_result(left.overall, right.overall, rel=rel, check_period=check_period)
    for key in left:
        assert_same_result(left[key], right[key], rel=rel, check_period=check_period)


def assert_same_result(
    left: Any, right: Any, *, rel: float = 1e-9, check_period: bool = True
) -> None:
    """Assert two results (or breakdowns) are equal; Mean moments approximately.

    ``rel=0`` asks for every float to have the same bits (a mean's moments,
    standard deviation and total too): what exact sums guarantee for any
    row order and any split into parts.

    Counts and parameters must be identical; the ``mean`` and ``m2`` of a
    `csmetrics.Mean` (floats from sums in different orders) match to ``rel``,
    and so do a `csmetrics.Rating`'s fitted prior (a float parameter) and its
    shrunk mean. The ``breaches`` of a `csmetrics.SLAAttainment` must be the
    same breaches, in any order: ``merge`` concatenates them without
    re-sorting by overrun, and equal overruns keep the input order (reported;
    a result straight from `csmetrics.sla_attainment` is checked to be sorted
    in the bounds test). Anything else that is no `csmetrics.Result` (a
    `csmetrics.Volume`, a `csmetrics.Pareto`, an Erlang value, a staffing
    plan) must be equal.
    """
    if isinstance(left, csmetrics.Breakdown):
        _assert_same_breakdown(left, right, rel=rel, check_period=check_period)
        return
    if not isinstance(left, csmetrics.Result):
        assert left == right
        return
    assert type(left) is type(right)
    assert list(left.params()) == list(right.params())
    for name, value in left.params().items():
        _assert_close(value, right.params()[name], rel=rel)
    if check_period:
        assert left.period == right.period
    if isinstance(left, csmetrics.Mean) and rel == 0:
        assert left.counts().keys() == right.counts().keys()
        for name, value in left.counts().items():
            _assert_close(value, right.counts()[name], rel=0)
        _assert_close(left.std, right.std, rel=0)
        _assert_close(left.total, right.total, rel=0)
        if isinstance(left, csmetrics.Rating):
            _assert_close(left.shrunk, right.shrunk, rel=0)
            _assert_close(left.weight, right.weight, rel=0)
        return
    if isinstance(left, csmetrics.Mean):
        assert left.n == right.n
        if left.n:
            assert math.isclose(left.mean, right.mean, rel_tol=rel, abs_tol=1e-12)
            scale = max(1.0, left.n * left.mean**2)
            assert math.isclose(left.m2, right.m2, rel_tol=rel, abs_tol=rel * scale)
        if isinstance(left, csmetrics.Rating) and left.n:
            assert math.isclose(left.shrunk, right.shrunk, rel_tol=rel, abs_tol=rel)
            assert math.isclose(left.weight, right.weight, rel_tol=rel, abs_tol=rel)
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


@st.composite
def tickets(
    draw: st.DrawFn, *, max_size: int = 8, key_type: KeyType = "str", histories: bool = False
) -> list[csmetrics.Ticket]:
    """Tickets with a status history, a comment thread and an assignee history.

    Event times within a ticket are distinct whole seconds, so no order
    depends on ties. With ``histories`` they also have a priority history
    (priorities "low", "normal", "high", "urgent", the first at creation)
    and a schedule history (schedule ids "a" and "b", none at creation, so
    a default schedule applies first), each change at a whole second that
    may fall between the other events.
    """
    n = draw(st.integers(0, max_size))
    base = datetime(2026, 3, 2, 7, 0, tzinfo=timezone.utc)
    out = []
    for number in range(n):
        created = base + timedelta(minutes=draw(st.integers(0, 60 * 24 * 14)))
        events = draw(st.integers(0, 12))
        gaps = draw(st.lists(st.integers(1, 60 * 60 * 30), min_size=events, max_size=events))
        moments = [created + timedelta(seconds=sum(gaps[: i + 1])) for i in range(events)]
        messages: list[csmetrics.Message] = []
        statuses: list[csmetrics.StatusChange] = []
        if draw(st.booleans()):
            statuses.append(csmetrics.StatusChange(at=created, status="new"))
        first = draw(st.sampled_from(("customer", "agent")))
        messages.append(csmetrics.Message(at=created, author=first, author_id=f"{first}{number}"))
        for moment in moments:
            if draw(st.booleans()):
                status = draw(st.sampled_from(csmetrics.STATUSES))
                statuses.append(csmetrics.StatusChange(at=moment, status=status))
            else:
                author = draw(st.sampled_from(csmetrics.AUTHORS))
                agent = draw(st.integers(0, 3))
                messages.append(
                    csmetrics.Message(
                        at=moment,
                        author=author,
                        public=draw(st.booleans()) if author == "agent" else True,
                        author_id=f"agent{agent}" if author == "agent" else None,
                    )
                )
        assignments = [(created, f"agent{draw(st.integers(0, 3))}")] if draw(st.booleans()) else []
        extra: dict[str, Any] = {}
        if histories:
            span = sum(gaps) + 1
            offsets = sorted(draw(st.lists(st.integers(1, span), max_size=2, unique=True)))
            extra["schedule_changes"] = [
                (created + timedelta(seconds=o), draw(st.sampled_from("ab"))) for o in offsets
            ]
            priorities = ("low", "normal", "high", "urgent")
            offsets = sorted(draw(st.lists(st.integers(1, span), max_size=2, unique=True)))
            extra["priority_changes"] = [
                (created + timedelta(seconds=o), draw(st.sampled_from(priorities)))
                for o in [0, *offsets]
            ]
        out.append(
            csmetrics.Ticket(
                id=_key(key_type, "t", number),
                customer_id=_key(key_type, "c", draw(st.integers(0, 3))),
                created=created,
                messages=messages,
                statuses=statuses,
                channel=draw(st.sampled_from((None, "email", "web"))),
                submitter_role=first,
                assignments=assignments,
                **extra,
            )
        )
    return out
