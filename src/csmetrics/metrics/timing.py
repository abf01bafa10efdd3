"""Time metrics: first response, replies, resolution, handle time, contact length.

All values are seconds (float; ``Durations`` and ``TimeMean`` results also give
timedelta views), and lower is better for each:

- `first_response_time`: start to the first human agent response.
- `reply_time`: each run of customer messages to the agent's next reply.
- `resolution_time`: an issue's first start to its first or last resolution.
- `handle_time`: average handle time, talk + hold + wrap per handled contact.
- `contact_length`: end - start of each contact (average call length).

Work still open at ``as_of`` is right-censored there, never dropped: with the
default ``censoring="kaplan-meier"`` quantiles come from the Kaplan-Meier
estimate. ``as_of`` defaults to the latest recorded event in the data (a start,
end, first response or message); contacts starting after an explicit ``as_of``
are ignored. With ``calendar=`` only business time counts.

Inputs: every function takes the contacts as

- `Interaction` objects (a list or any iterable);
- an `Interactions` table, the columnar form for large data;
- with the ``frames`` extra (``pip install "csmetrics[frames]"``), a pandas,
  polars or pyarrow table or a DuckDB relation whose columns are named like
  the `Interaction` fields (`Interactions.from_frame` converts one once, to
  compute several metrics on it).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from datetime import datetime
from functools import partial
from typing import TYPE_CHECKING, Any, ClassVar, Literal, overload

import attrs
import numpy as np
import numpy.typing as npt

from csmetrics.core.check import option, takes_tables
from csmetrics.core.elapsed import (
    elapsed,
    elapsed_in_place,
    resolve_as_of,
    seconds_of_micros,
    spread,
)
from csmetrics.core.episodes import (
    CONTACT_BY,
    ContactBy,
    as_interactions,
    first_and_last,
    issue_ends,
    time_key,
)
from csmetrics.core.exact import exact_sum, rounded
from csmetrics.core.model import AUTHORS, Interaction, PeriodLike, as_window
from csmetrics.core.parallel import map_chunks
from csmetrics.core.reduce import (
    BLOCKED_KEYS,
    MeanBlock,
    block_moments,
    block_slots,
    blocked_mean,
    group_of,
    in_period,
    reduce_durations,
    reduce_durations_blocked,
    reduce_mean,
    segment_starts,
    split_by_group,
    warn_if_undefined,
)
from csmetrics.core.results import (
    ARRAY_EQ,
    CENSORING,
    Breakdown,
    Censoring,
    Durations,
    Result,
    TimeMean,
    check_count,
    check_durations,
    durations_array,
    no_durations,
)
from csmetrics.core.table import OPEN, Encoded, Interactions, to_micros
from csmetrics.core.tickets import Tickets

if TYPE_CHECKING:
    from csmetrics.core.calendar import BusinessCalendar

__all__ = [
    "HandleTime",
    "ReplyTimes",
    "ResolutionKind",
    "contact_length",
    "first_response_time",
    "first_response_waits",
    "handle_time",
    "reply_time",
    "resolution_time",
]

I64 = npt.NDArray[np.int64]
F64 = npt.NDArray[np.float64]
Bool = npt.NDArray[np.bool_]

ResolutionKind = Literal["full", "first"]
"""Which resolution `resolution_time` measures."""
_CUSTOMER = AUTHORS.index("customer")
_AGENT = AUTHORS.index("agent")
_UNDEFINED = "no unit in scope, or too much work still open for the median to be known"


# -- results -----------------------------------------------------------------------------------


@attrs.frozen(order=False, kw_only=True, repr=False)
class HandleTime(TimeMean):
    """Average handle time: talk + hold + wrap seconds per handled contact.

    ``fallback`` counts contacts measured as ``end - first_response_at``
    because none of their components was recorded; ``unmeasured`` counts
    handled contacts with neither, left out of the mean.
    """

    _counts: ClassVar[tuple[str, ...]] = ("n", "mean", "m2", "fallback", "unmeasured")

    fallback: int = attrs.field(default=0, validator=check_count)
    unmeasured: int = attrs.field(default=0, validator=check_count)
    metric: str = "handle_time"


@attrs.frozen(order=False, kw_only=True, repr=False, unsafe_hash=False)
class ReplyTimes(Durations):
    """Reply times: one duration per run of customer messages until the agent replies.

    Besides the reply-interval statistics of `Durations` (``n`` counts reply
    intervals), two averages that helpdesk tools also report:

    - ``per_contact_mean``: the mean over contacts of each contact's mean
      completed reply time, so a long thread weighs like a short one;
    - ``total_per_request``: all completed reply time divided by
      ``requests``, the contacts with at least one customer message.
    """

    _counts: ClassVar[tuple[str, ...]] = ("n", "censored", "excluded", "requests")

    requests: int = attrs.field(default=0, validator=check_count)
    contact_means: F64 = attrs.field(
        factory=no_durations, converter=durations_array, validator=check_durations, eq=ARRAY_EQ
    )
    """Each contact's mean completed reply time, sorted, read-only."""
    metric: str = "reply_time"

    @property
    def per_contact_mean(self) -> float:
        """Mean of the per-contact mean reply times (exact sum, rounded once); nan without any."""
        n = len(self.contact_means)
        return rounded(exact_sum(self.contact_means) / n) if n else math.nan

    @property
    def total_per_request(self) -> float:
        """Completed reply seconds / contacts with a customer message; nan without any."""
        return self.total / self.requests if self.requests else math.nan

    def _merged_fields(self, other: Result) -> dict[str, Any]:
        assert isinstance(other, ReplyTimes)
        return {
            **super()._merged_fields(other),
            "requests": self.requests + other.requests,
            "contact_means": np.concatenate((self.contact_means, other.contact_means)),
        }


# -- team metrics: per-group results judged against the whole team ------------------------------
#
# Each per-group result below carries numbers derived from its counts and from
# a team-level parameter (the overall rate, the team's fitted prior). The
# derived numbers are computed at construction, so `merge` (which rebuilds the
# result from merged counts) recomputes them, and refuses parts whose team
# parameter differs. The breakdowns merge anyway: they add up the counts and
# refit the team parameter, exactly as if computed on all the data at once.


# -- metrics -----------------------------------------------------------------------------------


@attrs.frozen(kw_only=True)
class _Units:
    """One duration per unit (contact, reply or issue), possibly censored.

    ``seconds`` is the completed duration, or for a censored unit the time
    observed so far; ``rows`` the contact each unit is grouped and filtered by;
    ``excluded`` marks units the definition leaves out (counted, not timed).
    """

    seconds: F64
    censored: Bool
    rows: I64
    excluded: Bool | None = None
    every: bool = False
    """True when ``rows`` is every contact in table order (``arange``): no gather needed."""


@attrs.frozen(kw_only=True)
class FirstResponses:
    """When each contact's wait began and when a human first answered it.

    ``response`` is `OPEN` where unanswered; ``requested`` is False for an
    agent-opened contact with no customer message (nobody is waiting).
    """

    clock: I64
    response: I64
    requested: Bool


def _first_in_segment(segment: I64, positions: I64, size: int) -> I64:
    """Per segment id 0..size-1, its first entry of ``positions``, else -1.

    Given reversed arrays, it returns the last entry instead.
    """
    out = np.full(size, -1, dtype=np.int64)
    ids, first = np.unique(segment, return_index=True)
    out[ids] = positions[first]
    return out


def _stop(table: Interactions, rows: I64, cutoff: int) -> I64:
    """Where observation of unfinished work stops: the recorded end, else ``as_of``."""
    end = table.end[rows]
    return np.where(end == OPEN, cutoff, end)


def _span(start: I64, stop: I64, calendar: BusinessCalendar | None) -> F64:
    # A censoring point before the clock started (a clock started after
    # as_of) observes nothing: zero seconds.
    return elapsed(start, np.maximum(stop, start), calendar)


def first_responses(table: Interactions) -> FirstResponses:
    """The first human response of every contact, from the field or the messages.

    The clock starts at ``start``, except for a contact the agent opened (its
    first public human message is the agent's): then it starts at the
    customer's first message, and the response is the next public agent
    message after it. An explicit ``first_response_at`` wins over messages.
    Bot messages and internal notes never count, and an abandoned contact is
    unanswered even if an agent wrote after the customer left.
    """
    n = len(table)
    m = table.messages
    if not len(m):
        # Only the recorded field: the same result without the message steps.
        return FirstResponses(
            clock=table.start,
            response=np.where(table.abandoned, OPEN, table.first_response),
            requested=np.ones(n, dtype=bool),
        )
    customer = np.flatnonzero(m.author == _CUSTOMER)
    agent = np.flatnonzero((m.author == _AGENT) & m.public)
    human = np.union1d(customer, agent)
    first_human = _first_in_segment(m.interaction[human], human, n)
    opened_by_agent = np.zeros(n, dtype=bool)
    has_human = first_human >= 0
    opened_by_agent[has_human] = m.author[first_human[has_human]] == _AGENT
    first_customer = _first_in_segment(m.interaction[customer], customer, n)
    # In an agent-opened contact only agent messages after the customer's
    # first message answer it; otherwise any agent message does.
    after = np.where(opened_by_agent, first_customer, -1)
    agent = agent[agent > after[m.interaction[agent]]]
    first_reply = _first_in_segment(m.interaction[agent], agent, n)

    clock = table.start.copy()
    late_clock = opened_by_agent & (first_customer >= 0)
    clock[late_clock] = m.at[first_customer[late_clock]]
    response = np.full(n, OPEN, dtype=np.int64)
    replied = first_reply >= 0
    response[replied] = m.at[first_reply[replied]]
    explicit = table.first_response != OPEN
    response[explicit] = table.first_response[explicit]
    clock[explicit] = table.start[explicit]
    # The customer who left was never answered, whatever an agent wrote later.
    response[table.abandoned] = OPEN
    requested = explicit | ~opened_by_agent | (first_customer >= 0)
    return FirstResponses(clock=clock, response=response, requested=requested)


def _first_response_units(
    table: Interactions, cutoff: int, calendar: BusinessCalendar | None
) -> _Units:
    """Each contact's wait for its first response; unanswered ones censored.

    Blocked contacts and agent-opened contacts with no customer message are
    excluded.
    """
    first = first_responses(table)
    answered = first.response != OPEN
    # The stop of each wait, built in one array: the response, else the
    # recorded end, else as_of; never before the clock started.
    stop = table.end.copy()
    stop[stop == OPEN] = cutoff
    np.copyto(stop, first.response, where=answered)
    return _Units(
        seconds=elapsed_in_place(first.clock, stop, calendar),
        censored=~answered,
        rows=np.arange(len(table)),
        excluded=table.blocked | ~first.requested,
        every=True,
    )


def _reply_units(
    table: Interactions, cutoff: int, calendar: BusinessCalendar | None
) -> tuple[_Units, I64]:
    """One unit per run of consecutive customer messages, ended by the next agent reply.

    Bot messages and internal notes are ignored. A run with no agent reply is
    censored when its contact ended, or at ``as_of`` while it is open. Also
    returns the human-message rows' contacts, to count requests.
    """
    m = table.messages
    human = np.flatnonzero((m.author == _CUSTOMER) | ((m.author == _AGENT) & m.public))
    contact = m.interaction[human]
    is_customer = m.author[human] == _CUSTOMER
    previous_customer = np.zeros(len(human), dtype=bool)
    previous_customer[1:] = is_customer[:-1]
    previous_customer &= ~segment_starts(contact)
    runs = np.flatnonzero(is_customer & ~previous_customer)
    replies = np.flatnonzero(~is_customer)
    # The first agent message after each run start, if in the same contact.
    nxt = np.minimum(np.searchsorted(replies, runs), max(len(replies) - 1, 0))
    found = np.zeros(len(runs), dtype=bool)
    if len(replies):
        found = (replies[nxt] > runs) & (contact[replies[nxt]] == contact[runs])
    rows = contact[runs]
    run_at = m.at[human[runs]]
    stop = _stop(table, rows, cutoff)
    if len(replies):
        stop = np.where(found, m.at[human[replies[nxt]]], stop)
    units = _Units(seconds=_span(run_at, stop, calendar), censored=~found, rows=rows)
    return units, contact[is_customer]


def _issue_units(
    table: Interactions, kind: ResolutionKind, cutoff: int, calendar: BusinessCalendar | None
) -> _Units:
    """One unit per issue (an issue_id, or a contact without one), from its first start.

    ``"first"``: to the end of the first resolved contact, censored at
    ``as_of`` while none is. ``"full"``: to the latest end of its resolved
    contacts, censored at ``as_of`` while the latest contact (by start) is
    open or unresolved.
    """
    ticket = table.issue_id.codes
    key = time_key(table)
    first, last, single = issue_ends(table, key)
    issue = ticket[first]  # the code of each issue, to read per-code results
    solved = np.flatnonzero(table.resolved & (ticket >= 0))
    if kind == "first":
        done, _, ever = first_and_last(ticket[solved], key[solved], len(table.issue_id.keys))
        censored = ~ever[issue]
        # An issue never resolved is censored: the end read for it is unused.
        resolved_at = (
            table.end[solved[done[issue]]] if len(solved) else np.zeros_like(issue, np.int64)
        )
    else:
        # Solved when the latest contact (by start) is resolved; at the
        # latest end of its resolved contacts.
        censored = ~table.resolved[last]
        latest = np.full(len(table.issue_id.keys), np.iinfo(np.int64).min)
        np.maximum.at(latest, ticket[solved], table.end[solved])
        resolved_at = latest[issue]
    # A contact without issue_id is an issue of its own.
    first_row = np.concatenate((first, single))
    censored = np.concatenate((censored, ~table.resolved[single]))
    resolved_at = np.concatenate((resolved_at, table.end[single]))
    stop = np.where(censored, cutoff, resolved_at)
    return _Units(
        seconds=_span(table.start[first_row], stop, calendar), censored=censored, rows=first_row
    )


def _length_units(table: Interactions, cutoff: int, calendar: BusinessCalendar | None) -> _Units:
    """One unit per contact: end - start, censored at ``as_of`` while open.

    Blocked contacts never connected: excluded.
    """
    censored = table.end == OPEN
    stop = table.end.copy()
    stop[censored] = cutoff
    return _Units(
        seconds=elapsed_in_place(table.start, stop, calendar),
        censored=censored,
        rows=np.arange(len(table)),
        excluded=table.blocked,
        every=True,
    )


def _prepare(
    interactions: Interactions | Tickets | Iterable[Interaction],
    as_of: datetime | None,
    by: ContactBy | None,
    censoring: Censoring,
    *,
    metric: str,
    needs: tuple[str, ...],
) -> tuple[Interactions, int, datetime | None]:
    option("censoring", censoring, CENSORING)
    table = as_interactions(interactions)
    table.require(metric, needs)
    group_of(table, by, CONTACT_BY)
    return resolve_as_of(table, as_of)


def _reduce(
    units: _Units,
    table: Interactions,
    factory: partial[Durations],
    period: PeriodLike | None,
    by: ContactBy | None,
) -> Durations | Breakdown[Durations]:
    group = group_of(table, by, CONTACT_BY)
    if period is None and units.every:
        # Every unit, one per contact in table order: the arrays themselves.
        result = reduce_durations(
            partial(factory, period=period),
            units.seconds,
            units.censored,
            group,
            by,
            excluded=units.excluded,
        )
    else:
        keep = in_period(table.start[units.rows], period)
        result = reduce_durations(
            partial(factory, period=period),
            units.seconds[keep],
            units.censored[keep],
            None if group is None else group[units.rows[keep]],
            by,
            excluded=None if units.excluded is None else units.excluded[keep],
        )
    warn_if_undefined(result, factory.keywords["metric"], _UNDEFINED)
    return result


def first_response_waits(
    interactions: Interactions | Tickets | Iterable[Interaction],
    /,
    *,
    as_of: datetime | None = None,
    calendar: BusinessCalendar | None = None,
) -> tuple[dict[str, npt.NDArray[Any]], datetime | None]:
    """Each contact's unit of `first_response_time`, from the same steps, and as_of.

    Columns in the order of the input's rows: ``seconds`` (the wait; for an
    unanswered contact, the wait observed until it ended or ``as_of``),
    ``censored`` (unanswered), ``excluded`` (blocked, or agent-opened
    without a customer message: nobody waited) and ``counted`` (False for a
    contact starting after ``as_of``, which the metric does not count).

    Examples
    --------
    >>> from datetime import datetime, timedelta, timezone
    >>> from csmetrics import Interaction
    >>> t = datetime(2026, 3, 2, 9, tzinfo=timezone.utc)
    >>> contacts = [
    ...     Interaction(id="1", customer_id="a", start=t,
    ...                 first_response_at=t + timedelta(minutes=5)),
    ...     Interaction(id="2", customer_id="b", start=t + timedelta(minutes=10)),
    ... ]
    >>> waits, as_of = first_response_waits(contacts)
    >>> waits["seconds"].tolist(), waits["censored"].tolist()
    ([300.0, 0.0], [False, True])
    """
    whole = as_interactions(interactions)
    table, cutoff, moment = _prepare(
        whole,
        as_of,
        None,
        "kaplan-meier",
        metric="first_response_time",
        needs=("first_response_at",),
    )
    units = _first_response_units(table, cutoff, calendar)
    excluded = np.zeros(len(table), bool) if units.excluded is None else units.excluded
    columns = {
        "seconds": spread(whole, table, cutoff, units.seconds, fill=0.0),
        "censored": spread(whole, table, cutoff, units.censored, fill=False),
        "excluded": spread(whole, table, cutoff, excluded, fill=False),
        "counted": spread(whole, table, cutoff, np.ones(len(table), dtype=bool), fill=False),
    }
    return columns, moment


@overload
def first_response_time(
    interactions: Interactions | Tickets | Iterable[Interaction],
    /,
    *,
    as_of: datetime | None = None,
    period: PeriodLike | None = None,
    by: None = None,
    calendar: BusinessCalendar | None = None,
    censoring: Censoring = "kaplan-meier",
) -> Durations: ...


@overload
def first_response_time(
    interactions: Interactions | Tickets | Iterable[Interaction],
    /,
    *,
    as_of: datetime | None = None,
    period: PeriodLike | None = None,
    by: ContactBy,
    calendar: BusinessCalendar | None = None,
    censoring: Censoring = "kaplan-meier",
) -> Breakdown[Durations]: ...


@takes_tables("Interactions")
def first_response_time(
    interactions: Interactions | Tickets | Iterable[Interaction],
    /,
    *,
    as_of: datetime | None = None,
    period: PeriodLike | None = None,
    by: ContactBy | None = None,
    calendar: BusinessCalendar | None = None,
    censoring: Censoring = "kaplan-meier",
) -> Durations | Breakdown[Durations]:
    """First response time: how long customers waited for a human's first answer.

    ``first response time = first public human agent response - start``, one
    per contact. The response is ``first_response_at`` when recorded, else the
    first public message by an ``"agent"``; bot messages and internal notes
    never count. For a contact an agent opened (its first human message is the
    agent's), the clock starts at the customer's first message and the
    response is the next agent message after it. A contact with no response
    is right-censored when it ended (an abandoned call, a ticket closed
    unanswered) or at ``as_of`` while open, never dropped.

    Parameters
    ----------
    interactions
        `Interaction` objects or an `Interactions` table.
    as_of
        Censor unanswered open contacts here; contacts starting later are
        ignored. Default: the latest recorded event.
    period
        Keep contacts that start in the `Window`.
    by
        ``"agent_id"``, ``"channel"``, ``"category"`` or ``"customer_id"``.
    calendar
        A `BusinessCalendar`: count business time only.
    censoring
        ``"kaplan-meier"`` (default) or ``"exclude"``; see `Durations`.

    Returns
    -------
    Durations or Breakdown[Durations]
        ``metric="first_response_time"``; ``excluded`` counts blocked contacts
        and agent-opened contacts without a customer message (no request).

    Warns
    -----
    UndefinedMetricWarning
        No contact in scope, or too many unanswered for the median.

    References
    ----------
    Zendesk, "First reply time" (agent-created tickets measured from the
    requester's first comment); Intercom, "First response time".

    Examples
    --------
    >>> from datetime import datetime, timedelta, timezone
    >>> from csmetrics import Interaction, Message, first_response_time
    >>> t = datetime(2026, 3, 2, 9, tzinfo=timezone.utc)
    >>> def m(minutes, author):
    ...     return Message(at=t + timedelta(minutes=minutes), author=author)
    >>> contacts = [
    ...     Interaction(id="1", customer_id="a", start=t,
    ...                 messages=[m(0, "customer"), m(1, "bot"), m(10, "agent")]),
    ...     Interaction(id="2", customer_id="b", start=t,
    ...                 messages=[m(0, "customer"), m(30, "agent")]),
    ...     Interaction(id="3", customer_id="c", start=t,
    ...                 first_response_at=t + timedelta(minutes=20)),
    ... ]
    >>> r = first_response_time(contacts)
    >>> r.median, r.n, r.censored
    (1200.0, 3, 0)
    """
    table, cutoff, as_of = _prepare(
        interactions,
        as_of,
        by,
        censoring,
        metric="first_response_time",
        needs=("first_response_at",),
    )
    factory = partial(
        Durations,
        metric="first_response_time",
        censoring=censoring,
        calendar=calendar,
        as_of=as_of,
    )
    if _blocks(table, by, calendar):
        # Calendar time, a few groups: the waits built, sorted and counted in blocks.
        block = partial(_first_response_block, first=first_responses(table))
        return _reduce_blocked(block, table, cutoff, factory, period=period, by=by)
    units = _first_response_units(table, cutoff, calendar)
    return _reduce(units, table, factory, period, by)


def _blocks(table: Interactions, by: ContactBy | None, calendar: BusinessCalendar | None) -> bool:
    """Whether a per-contact duration runs in blocks: calendar time, up to `BLOCKED_KEYS` groups."""
    group = group_of(table, by, CONTACT_BY)
    return calendar is None and (group is None or len(group.keys) <= BLOCKED_KEYS)


def _reduce_blocked(
    block: Callable[..., tuple[F64, Bool, Bool, Bool | None]],
    table: Interactions,
    cutoff: int,
    factory: partial[Durations],
    *,
    period: PeriodLike | None,
    by: ContactBy | None,
) -> Durations | Breakdown[Durations]:
    """`_reduce` of one unit per contact, each block's units built by ``block`` (decision 147)."""
    window = as_window("period", period, optional=True)
    result = reduce_durations_blocked(
        partial(factory, period=period),
        partial(
            block,
            table=table,
            cutoff=cutoff,
            bounds=None if window is None else (to_micros(window.start), to_micros(window.end)),
        ),
        len(table),
        group_of(table, by, CONTACT_BY),
        by,
    )
    warn_if_undefined(result, factory.keywords["metric"], _UNDEFINED)
    return result


def _in_bounds(table: Interactions, part: slice, bounds: tuple[int, int] | None) -> Bool | None:
    """Which contacts of the block start in the period's ``[start, end)``; None: no period."""
    if bounds is None:
        return None
    start = table.start[part]
    return (start >= bounds[0]) & (start < bounds[1])


def _first_response_block(
    part: slice,
    *,
    table: Interactions,
    first: FirstResponses,
    cutoff: int,
    bounds: tuple[int, int] | None,
) -> tuple[F64, Bool, Bool, Bool | None]:
    """`_first_response_units` of a block of contacts, in calendar time, and those in ``period``."""
    response, clock = first.response[part], first.clock[part]
    answered = response != OPEN
    stop = table.end[part].copy()
    stop[stop == OPEN] = cutoff
    np.copyto(stop, response, where=answered)
    excluded = table.blocked[part] | ~first.requested[part]
    return elapsed_in_place(clock, stop, None), ~answered, excluded, _in_bounds(table, part, bounds)


def _length_block(
    part: slice, *, table: Interactions, cutoff: int, bounds: tuple[int, int] | None
) -> tuple[F64, Bool, Bool, Bool | None]:
    """`_length_units` of a block of contacts, in calendar time, and those in ``period``."""
    stop = table.end[part].copy()
    censored = stop == OPEN
    stop[censored] = cutoff
    seconds = elapsed_in_place(table.start[part], stop, None)
    return seconds, censored, table.blocked[part], _in_bounds(table, part, bounds)


@overload
def reply_time(
    interactions: Interactions | Tickets | Iterable[Interaction],
    /,
    *,
    as_of: datetime | None = None,
    period: PeriodLike | None = None,
    by: None = None,
    calendar: BusinessCalendar | None = None,
    censoring: Censoring = "kaplan-meier",
) -> ReplyTimes: ...


@overload
def reply_time(
    interactions: Interactions | Tickets | Iterable[Interaction],
    /,
    *,
    as_of: datetime | None = None,
    period: PeriodLike | None = None,
    by: ContactBy,
    calendar: BusinessCalendar | None = None,
    censoring: Censoring = "kaplan-meier",
) -> Breakdown[ReplyTimes]: ...


@takes_tables("Interactions")
def reply_time(
    interactions: Interactions | Tickets | Iterable[Interaction],
    /,
    *,
    as_of: datetime | None = None,
    period: PeriodLike | None = None,
    by: ContactBy | None = None,
    calendar: BusinessCalendar | None = None,
    censoring: Censoring = "kaplan-meier",
) -> ReplyTimes | Breakdown[ReplyTimes]:
    """Reply time: how long customers wait for each answer, not only the first.

    One reply interval per run of consecutive customer messages, from the
    first message of the run to the next public agent message; bot messages
    and internal notes are ignored. A run still unanswered is censored when
    its contact ended, or at ``as_of`` while open.

    Parameters
    ----------
    interactions, as_of, period, by, calendar, censoring
        As for `first_response_time`.

    Returns
    -------
    ReplyTimes or Breakdown[ReplyTimes]
        `Durations` over reply intervals (``n`` counts intervals), plus
        ``per_contact_mean`` and ``total_per_request`` (total completed reply
        time / contacts with a customer message).

    Warns
    -----
    UndefinedMetricWarning
        No reply interval in scope, or too many unanswered for the median.

    References
    ----------
    Zendesk, "Next reply time" (per requester comment, to the next public
    agent comment); Freshdesk, "Average response time".

    Examples
    --------
    >>> from datetime import datetime, timedelta, timezone
    >>> from csmetrics import Interaction, Message, reply_time
    >>> t = datetime(2026, 3, 2, 9, tzinfo=timezone.utc)
    >>> def m(minutes, author):
    ...     return Message(at=t + timedelta(minutes=minutes), author=author)
    >>> chat = Interaction(id="1", customer_id="a", start=t, end=t + timedelta(hours=1),
    ...     messages=[m(0, "customer"), m(1, "customer"), m(4, "agent"),
    ...               m(10, "customer"), m(12, "bot"), m(16, "agent")])
    >>> r = reply_time([chat])
    >>> r.durations.tolist(), r.requests, r.total_per_request
    ([240.0, 360.0], 1, 600.0)
    """
    table, cutoff, as_of = _prepare(
        interactions, as_of, by, censoring, metric="reply_time", needs=("messages",)
    )
    units, customer_contacts = _reply_units(table, cutoff, calendar)
    in_scope = in_period(table.start, period)
    keep = in_scope[units.rows]
    requested = np.zeros(len(table), dtype=bool)
    requested[customer_contacts] = True
    requested &= in_scope
    completed = keep & ~units.censored
    # Each contact's mean completed reply time; nan for contacts without one.
    count = np.bincount(units.rows[completed], minlength=len(table))
    total = np.bincount(
        units.rows[completed], weights=units.seconds[completed], minlength=len(table)
    )
    means = total / np.where(count > 0, count, np.nan)
    group = group_of(table, by, CONTACT_BY)
    durations = reduce_durations(
        partial(
            Durations,
            metric="reply_time",
            censoring=censoring,
            calendar=calendar,
            as_of=as_of,
            period=period,
        ),
        units.seconds[keep],
        units.censored[keep],
        None if group is None else group[units.rows[keep]],
        by,
    )

    def extend(base: Durations, contacts: I64) -> ReplyTimes:
        return ReplyTimes(
            **{(f.alias or f.name): getattr(base, f.name) for f in attrs.fields(Durations)},
            requests=int(requested[contacts].sum()),
            contact_means=means[contacts][count[contacts] > 0],
        )

    everyone = np.arange(len(table))
    if not isinstance(durations, Breakdown):
        result: ReplyTimes | Breakdown[ReplyTimes] = extend(durations, everyone)
    else:
        assert group is not None
        contacts = split_by_group(everyone, group)
        result = Breakdown(
            by=durations.by,
            overall=extend(durations.overall, everyone),
            groups={key: extend(base, contacts[key]) for key, base in durations.items()},
        )
    warn_if_undefined(result, "reply_time", _UNDEFINED)
    return result


@overload
def resolution_time(
    interactions: Interactions | Tickets | Iterable[Interaction],
    /,
    *,
    kind: ResolutionKind = "full",
    as_of: datetime | None = None,
    period: PeriodLike | None = None,
    by: None = None,
    calendar: BusinessCalendar | None = None,
    censoring: Censoring = "kaplan-meier",
) -> Durations: ...


@overload
def resolution_time(
    interactions: Interactions | Tickets | Iterable[Interaction],
    /,
    *,
    kind: ResolutionKind = "full",
    as_of: datetime | None = None,
    period: PeriodLike | None = None,
    by: ContactBy,
    calendar: BusinessCalendar | None = None,
    censoring: Censoring = "kaplan-meier",
) -> Breakdown[Durations]: ...


@takes_tables("Interactions")
def resolution_time(
    interactions: Interactions | Tickets | Iterable[Interaction],
    /,
    *,
    kind: ResolutionKind = "full",
    as_of: datetime | None = None,
    period: PeriodLike | None = None,
    by: ContactBy | None = None,
    calendar: BusinessCalendar | None = None,
    censoring: Censoring = "kaplan-meier",
) -> Durations | Breakdown[Durations]:
    """Resolution time (MTTR): how long an issue took from first contact to solved.

    One unit per issue: contacts sharing an ``issue_id`` (a contact without
    one is its own issue), timed from the start of its first contact.

    Parameters
    ----------
    interactions
        `Interaction` objects or an `Interactions` table.
    kind
        ``"full"`` (default): to the latest end of its resolved contacts; an
        issue whose latest contact is open or unresolved is right-censored at
        ``as_of`` (a reopened ticket is not solved). ``"first"``: to the end of
        the first resolved contact, whatever happened after; censored at
        ``as_of`` while no contact is resolved.
    as_of
        Censor unresolved issues here; contacts starting later are ignored.
        Default: the latest recorded event.
    period
        Keep issues whose first contact starts in the `Window`.
    by
        Group each issue by that field of its first contact.
    calendar
        A `BusinessCalendar`: count business time only.
    censoring
        ``"kaplan-meier"`` (default) or ``"exclude"``; see `Durations`.

    Returns
    -------
    Durations or Breakdown[Durations]
        ``metric="full_resolution_time"`` or ``"first_resolution_time"``.

    Warns
    -----
    UndefinedMetricWarning
        No issue in scope, or too many unresolved for the median.

    References
    ----------
    Zendesk, "Full resolution time" and "First resolution time".

    Examples
    --------
    >>> from datetime import datetime, timedelta, timezone
    >>> from csmetrics import Interaction, resolution_time
    >>> t = datetime(2026, 3, 2, 9, tzinfo=timezone.utc)
    >>> h = lambda hours: t + timedelta(hours=hours)
    >>> ticket = [
    ...     Interaction(id="1", customer_id="a", start=h(0), end=h(1), resolved=True, issue_id="T"),
    ...     Interaction(id="2", customer_id="a", start=h(5), end=h(8), resolved=True, issue_id="T"),
    ... ]
    >>> resolution_time(ticket).median / 3600, resolution_time(ticket, kind="first").median / 3600
    (8.0, 1.0)
    """
    option("kind", kind, ("full", "first"))
    table, cutoff, as_of = _prepare(
        interactions, as_of, by, censoring, metric="resolution_time", needs=("end", "resolved")
    )
    factory = partial(
        Durations,
        metric=f"{kind}_resolution_time",
        censoring=censoring,
        calendar=calendar,
        as_of=as_of,
    )
    return _reduce(_issue_units(table, kind, cutoff, calendar), table, factory, period, by)


@overload
def contact_length(
    interactions: Interactions | Tickets | Iterable[Interaction],
    /,
    *,
    as_of: datetime | None = None,
    period: PeriodLike | None = None,
    by: None = None,
    calendar: BusinessCalendar | None = None,
    censoring: Censoring = "kaplan-meier",
) -> Durations: ...


@overload
def contact_length(
    interactions: Interactions | Tickets | Iterable[Interaction],
    /,
    *,
    as_of: datetime | None = None,
    period: PeriodLike | None = None,
    by: ContactBy,
    calendar: BusinessCalendar | None = None,
    censoring: Censoring = "kaplan-meier",
) -> Breakdown[Durations]: ...


@takes_tables("Interactions")
def contact_length(
    interactions: Interactions | Tickets | Iterable[Interaction],
    /,
    *,
    as_of: datetime | None = None,
    period: PeriodLike | None = None,
    by: ContactBy | None = None,
    calendar: BusinessCalendar | None = None,
    censoring: Censoring = "kaplan-meier",
) -> Durations | Breakdown[Durations]:
    """Contact length (average call length): how long contacts last, end to start.

    ``contact length = end - start`` per contact; a contact still open is
    right-censored at ``as_of``. ``mean`` is the average of completed contacts.

    Parameters
    ----------
    interactions, as_of, period, by, calendar, censoring
        As for `first_response_time`.

    Returns
    -------
    Durations or Breakdown[Durations]
        ``metric="contact_length"``.

    Warns
    -----
    UndefinedMetricWarning
        No contact in scope, or too many open for the median.

    Examples
    --------
    >>> from datetime import datetime, timedelta, timezone
    >>> from csmetrics import Interaction, contact_length
    >>> t = datetime(2026, 3, 2, 9, tzinfo=timezone.utc)
    >>> calls = [Interaction(id=str(m), customer_id="a", start=t, end=t + timedelta(minutes=m))
    ...          for m in (2, 4, 9)]
    >>> r = contact_length(calls)
    >>> r.median, r.mean
    (240.0, 300.0)
    """
    table, cutoff, as_of = _prepare(
        interactions, as_of, by, censoring, metric="contact_length", needs=("end",)
    )
    factory = partial(
        Durations, metric="contact_length", censoring=censoring, calendar=calendar, as_of=as_of
    )
    if _blocks(table, by, calendar):
        return _reduce_blocked(_length_block, table, cutoff, factory, period=period, by=by)
    return _reduce(_length_units(table, cutoff, calendar), table, factory, period, by)


@overload
def handle_time(
    interactions: Interactions | Tickets | Iterable[Interaction],
    /,
    *,
    as_of: datetime | None = None,
    period: PeriodLike | None = None,
    by: None = None,
    calendar: BusinessCalendar | None = None,
) -> HandleTime: ...


@overload
def handle_time(
    interactions: Interactions | Tickets | Iterable[Interaction],
    /,
    *,
    as_of: datetime | None = None,
    period: PeriodLike | None = None,
    by: ContactBy,
    calendar: BusinessCalendar | None = None,
) -> Breakdown[HandleTime]: ...


@takes_tables("Interactions")
def handle_time(
    interactions: Interactions | Tickets | Iterable[Interaction],
    /,
    *,
    as_of: datetime | None = None,
    period: PeriodLike | None = None,
    by: ContactBy | None = None,
    calendar: BusinessCalendar | None = None,
) -> HandleTime | Breakdown[HandleTime]:
    """Average handle time (AHT): agent time per handled contact, in seconds.

    ``AHT = sum of (talk + hold + wrap) / handled contacts``. A handled
    contact is one that was neither abandoned nor blocked. Its handle time is
    the sum of its recorded components (a missing one counts as 0 when another
    is recorded); with no component recorded it falls back to
    ``end - first_response_at`` (counted in ``fallback``); with neither it is
    left out and counted in ``unmeasured``.

    Parameters
    ----------
    interactions, as_of, period, by
        As for `first_response_time`.
    calendar
        A `BusinessCalendar` for the fallback ``end - first_response_at``;
        recorded components are used as they are.

    Returns
    -------
    HandleTime or Breakdown[HandleTime]
        A `TimeMean` with ``fallback`` and ``unmeasured`` counts.

    Warns
    -----
    UndefinedMetricWarning
        No measured contact in scope.

    References
    ----------
    ICMI, "Average handle time": talk time + hold time + after-call work.

    Examples
    --------
    >>> from datetime import datetime, timedelta, timezone
    >>> from csmetrics import Interaction, handle_time
    >>> t = datetime(2026, 3, 2, 9, tzinfo=timezone.utc)
    >>> calls = [
    ...     Interaction(id="1", customer_id="a", start=t, talk_seconds=300, hold_seconds=60,
    ...                 wrap_seconds=60),
    ...     Interaction(id="2", customer_id="b", start=t, first_response_at=t,
    ...                 end=t + timedelta(minutes=10)),
    ... ]
    >>> r = handle_time(calls)
    >>> r.value, r.n, r.fallback
    (510.0, 2, 1)
    """
    table, _, as_of = _prepare(
        interactions, as_of, by, "kaplan-meier", metric="handle_time", needs=()
    )
    group = group_of(table, by, CONTACT_BY)
    if calendar is None and (group is None or len(group.keys) <= _HANDLE_BLOCKED_KEYS):
        result = _handle_time_blocked(table, as_of=as_of, period=period, by=by, group=group)
    else:
        result = _handle_time_rows(table, as_of=as_of, period=period, by=by, calendar=calendar)
    warn_if_undefined(result, "handle_time", "no measured handled contact in scope")
    return result


def _handle_time_rows(
    table: Interactions,
    *,
    as_of: datetime | None,
    period: PeriodLike | None,
    by: ContactBy | None,
    calendar: BusinessCalendar | None,
) -> HandleTime | Breakdown[HandleTime]:
    """`handle_time` in one pass over every handled contact (the path a calendar takes)."""
    table = table.view(in_period(table.start, period) & ~table.abandoned & ~table.blocked)
    parts = np.stack([table.talk_seconds, table.hold_seconds, table.wrap_seconds])
    recorded = ~np.isnan(parts).all(axis=0)
    answered_and_ended = (table.first_response != OPEN) & (table.end != OPEN)
    fallback = ~recorded & answered_and_ended & (table.end >= table.first_response)
    measured = recorded | fallback
    seconds = np.nansum(parts, axis=0)
    seconds[fallback] = elapsed(table.first_response[fallback], table.end[fallback], calendar)
    return reduce_mean(
        partial(HandleTime, calendar=calendar, as_of=as_of, period=period),
        seconds,
        group_of(table, by, CONTACT_BY),
        by,
        measured=measured,
        counts={"fallback": fallback, "unmeasured": ~measured},
    )


_HANDLE_BLOCKED_KEYS = 4096
"""Up to this many groups, `handle_time` adds per-block exact sums per group (as `asa`)."""


def _handle_block(
    part: slice,
    *,
    table: Interactions,
    bounds: tuple[int, int] | None,
    group: Encoded | None,
) -> MeanBlock:
    """`handle_time`'s counts and exact sums of one block of contacts, per group slot.

    The same steps as the one-pass path, on the block's handled contacts, in
    the slots of `csmetrics.core.reduce.block_slots`; the named counts are
    ``fallback`` and ``unmeasured``.
    """
    handled = ~table.abandoned[part]
    handled &= ~table.blocked[part]
    if bounds is not None:
        start = table.start[part]
        handled &= (start >= bounds[0]) & (start < bounds[1])
    # Every step runs over the whole block and the rows are gathered once, at
    # the end: a gather costs more than a ufunc over the block. talk + hold +
    # wrap, a missing one as 0, added in that order as `numpy.nansum` over the
    # stacked columns does: the same bits.
    talk = table.talk_seconds[part]
    recorded = ~np.isnan(talk)
    seconds = np.where(recorded, talk, 0.0)
    for column in (table.hold_seconds, table.wrap_seconds):
        values = column[part]
        present = ~np.isnan(values)
        np.add(seconds, values, out=seconds, where=present)
        recorded |= present
    response, end = table.first_response[part], table.end[part]
    fallback = response != OPEN
    fallback &= end != OPEN
    fallback &= end >= response
    fallback &= handled
    fallback &= ~recorded
    # OPEN minus a time may wrap around: such a row is never a fallback.
    seconds[fallback] = seconds_of_micros((end - response)[fallback])
    measured = recorded
    measured &= handled
    measured |= fallback
    unmeasured = handled
    unmeasured &= ~measured
    slot, nslots = block_slots(group, part, measured)
    n, totals, squares = block_moments(seconds[measured], slot, nslots)
    if slot is None:
        named = np.array([[np.count_nonzero(fallback)], [np.count_nonzero(unmeasured)]])
    else:
        # The fallbacks are measured: their counts come from the measured
        # rows' slots as codes ``2 * slot + fallback``, without gathering a
        # second slot column.
        slot *= 2
        slot += fallback[measured]
        pairs = np.bincount(slot, minlength=2 * nslots).reshape(nslots, 2)
        lost = block_slots(group, part, unmeasured)[0]
        assert lost is not None
        named = np.stack([pairs[:, 1], np.bincount(lost, minlength=nslots)])
    return np.concatenate([n, named], dtype=np.int64), totals, squares


def _handle_time_blocked(
    table: Interactions,
    *,
    as_of: datetime | None,
    period: PeriodLike | None,
    by: ContactBy | None,
    group: Encoded | None,
) -> HandleTime | Breakdown[HandleTime]:
    """`handle_time` without a calendar: counts and exact sums in blocks of rows, on threads.

    As `asa`'s (`csmetrics.core.reduce.blocked_mean`): every field is the
    same, bit for bit, as from the one-pass path over every handled contact.
    """
    window = as_window("period", period, optional=True)
    blocks = map_chunks(
        partial(
            _handle_block,
            table=table,
            bounds=None if window is None else (to_micros(window.start), to_micros(window.end)),
            group=group,
        ),
        len(table),
    )
    return blocked_mean(
        partial(HandleTime, calendar=None, as_of=as_of, period=period),
        blocks,
        group,
        by,
        counts=("fallback", "unmeasured"),
    )
