"""Resolution metrics: first-contact resolution and resolution rate.

Both are fractions in [0, 1]; higher is better.

- `fcr`: episodes resolved at the first contact with no repeat contact within
  the window, over decided episodes.
- `resolution_rate`: requests whose latest contact is resolved, over requests.

Inputs: every function takes the contacts as

- `Interaction` objects (a list or any iterable);
- an `Interactions` table, the columnar form for large data;
- with the ``frames`` extra (``pip install "csmetrics[frames]"``), a pandas,
  polars or pyarrow table or a DuckDB relation whose columns are named like
  the `Interaction` fields (`Interactions.from_frame` converts one once, to
  compute several metrics on it).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from functools import partial
from typing import ClassVar, overload

import attrs
import numpy as np
import numpy.typing as npt

from csmetrics.core.check import option, takes_tables
from csmetrics.core.elapsed import resolve_as_of, spread
from csmetrics.core.episodes import (
    CONTACT_BY,
    MATCHES,
    ContactBy,
    Match,
    as_interactions,
    episode_heads,
    issue_ends,
    ticket_rows,
    window_micros,
)
from csmetrics.core.model import Interaction, PeriodLike
from csmetrics.core.reduce import (
    group_of,
    in_period,
    reduce_counts,
    segment_starts,
    warn_if_undefined,
)
from csmetrics.core.results import Breakdown, Rate, check_count
from csmetrics.core.table import OPEN, Interactions
from csmetrics.core.tickets import Tickets

__all__ = [
    "FCR",
    "FCR_CLASSES",
    "ReopenRate",
    "fcr",
    "fcr_classes",
    "reopen_rate",
    "resolution_rate",
]

I64 = npt.NDArray[np.int64]
Bool = npt.NDArray[np.bool_]


# -- results -----------------------------------------------------------------------------------


@attrs.frozen(order=False, kw_only=True, repr=False)
class FCR(Rate):
    """First-contact resolution: episodes resolved at first contact / decided episodes.

    ``pending`` counts episodes whose window is still open at ``as_of`` (not in
    the denominator); ``repeats`` counts the repeat contacts of the covered
    episodes, pending ones included.
    """

    _counts: ClassVar[tuple[str, ...]] = (
        "numerator",
        "denominator",
        "pending",
        "repeats",
    )
    _params: ClassVar[tuple[str, ...]] = ("metric", "window_days", "match", "as_of")

    pending: int = attrs.field(validator=check_count)
    repeats: int = attrs.field(validator=check_count)
    window_days: float
    match: str
    as_of: datetime | None
    metric: str = "fcr"


@attrs.frozen(order=False, kw_only=True, repr=False)
class ReopenRate(Rate):
    """Reopen rate: resolved issues contacted again within the window / decided resolved issues.

    ``pending`` counts resolved issues whose window is still open at ``as_of``
    (not in the denominator).
    """

    _counts: ClassVar[tuple[str, ...]] = ("numerator", "denominator", "pending")
    _params: ClassVar[tuple[str, ...]] = ("metric", "window_days", "as_of")

    pending: int = attrs.field(validator=check_count)
    window_days: float
    as_of: datetime | None
    metric: str = "reopen_rate"


# -- metrics -----------------------------------------------------------------------------------


@overload
def fcr(
    interactions: Interactions | Tickets | Iterable[Interaction],
    /,
    *,
    window_days: float = 7,
    match: Match = "issue",
    as_of: datetime | None = None,
    period: PeriodLike | None = None,
    by: None = None,
) -> FCR: ...


@overload
def fcr(
    interactions: Interactions | Tickets | Iterable[Interaction],
    /,
    *,
    window_days: float = 7,
    match: Match = "issue",
    as_of: datetime | None = None,
    period: PeriodLike | None = None,
    by: ContactBy,
) -> Breakdown[FCR]: ...


@takes_tables("Interactions")
def fcr(
    interactions: Interactions | Tickets | Iterable[Interaction],
    /,
    *,
    window_days: float = 7,
    match: Match = "issue",
    as_of: datetime | None = None,
    period: PeriodLike | None = None,
    by: ContactBy | None = None,
) -> FCR | Breakdown[FCR]:
    """First-contact resolution: the share of issues solved at the first contact.

    ``FCR = episodes resolved at first contact / decided episodes``.

    Contacts are grouped into issues (see ``match``) and ordered by start
    (ties by id). A contact that starts within ``window_days`` after the latest
    end of the earlier contacts of its issue (inclusive) is a *repeat*; any
    other contact opens a new *episode*. An episode counts as resolved at first
    contact when its first contact is marked resolved and no repeat follows.

    Parameters
    ----------
    interactions
        `Interaction` objects or an `Interactions` table.
    window_days
        Days after a contact's end during which a further contact about the
        same issue is a repeat. A positive number; 5 to 10 days is usual
        (shorter misses slow call-backs, longer blames unrelated contacts).
    match
        How contacts are grouped into issues:

        - ``"issue"`` (default): same ``issue_id``; a contact whose non-empty
          category differs from the issue's current category starts a new
          issue (a reused ticket). Contacts without ``issue_id`` fall back to
          same customer and category.
        - ``"category"``: same customer and same category (a missing category
          matches a missing category).
        - ``"customer"``: same customer, any reason.
    as_of
        The moment up to which the data is complete. An episode is *pending*
        (left out of the denominator, counted in ``pending``) while its first
        contact is open or ``first end + window > as_of``. Contacts starting
        after ``as_of`` are ignored. Default: the latest contact start in the
        data, since exports are cut by start date.
    period
        Keep only episodes whose first contact starts in the `Window`; repeats
        are still looked for in all data.
    by
        ``"agent_id"``, ``"channel"``, ``"category"`` or ``"customer_id"``: a
        `Breakdown` with one result per value of that field of each episode's
        first contact. The agent of the first contact is charged with the
        episode, including its failure; the agent of a repeat is not.

    Returns
    -------
    FCR or Breakdown[FCR]
        ``numerator`` (resolved at first contact), ``denominator`` (decided
        episodes), ``pending``, ``repeats`` (repeat contacts of the covered
        episodes, pending ones included) and the parameters used.

    Raises
    ------
    InvalidDataError
        A record is invalid (see `Interaction`), or the input gives no ``end``
        or ``resolved`` column (decision 46).
    ValueError
        An option is not allowed.

    Warns
    -----
    UndefinedMetricWarning
        No decided episode (empty input, or every episode pending).

    Notes
    -----
    Edge cases: a contact at exactly ``window_days`` after the latest end is a
    repeat; an earlier contact still open keeps the episode open, so any later
    contact of that issue is a repeat; a contact after the window opens a new
    episode; repeats are never in the denominator. For per-partition runs,
    split data by customer: all contacts of one customer must meet.

    See Also
    --------
    resolution_rate : share of requests resolved by their latest contact.
    survey_fcr : first-contact resolution as the customer reports it.

    References
    ----------
    SQM Group, "First Call Resolution" definition and window guidance; ICMI,
    "First Contact Resolution: definitions and measurement". The decided
    definition is in ``docs/decisions.md``.

    Examples
    --------
    >>> from datetime import datetime, timezone
    >>> from csmetrics import Interaction, fcr
    >>> def at(day, hour):
    ...     return datetime(2026, 3, day, hour, tzinfo=timezone.utc)
    >>> contacts = [
    ...     Interaction(id="1", customer_id="ann", start=at(2, 9), end=at(2, 10),
    ...                 resolved=True, category="billing"),
    ...     Interaction(id="2", customer_id="ann", start=at(5, 9), end=at(5, 10),
    ...                 resolved=True, category="billing"),  # repeat of 1
    ...     Interaction(id="3", customer_id="bob", start=at(2, 11), end=at(2, 12),
    ...                 resolved=True, category="login"),
    ...     Interaction(id="4", customer_id="cat", start=at(20, 9), end=at(20, 9),
    ...                 resolved=True, category="login"),  # window still open
    ... ]
    >>> result = fcr(contacts, window_days=7)
    >>> result.numerator, result.denominator, result.pending, result.repeats
    (1, 2, 1, 1)
    >>> float(result)
    0.5
    """
    table, cutoff, as_of, window = _fcr_scope(interactions, window_days, match, as_of)
    # Taken from the cut table: its rows are the ones `first` indexes.
    group_column = group_of(table, by, CONTACT_BY)
    first, repeats, pending, success = _fcr_episodes(table, window, match, cutoff)
    if period is not None:
        # Without a period every episode is kept: no copies of the per-episode arrays.
        keep = in_period(table.start[first], period)
        first, repeats, pending, success = first[keep], repeats[keep], pending[keep], success[keep]
    factory = partial(FCR, window_days=float(window_days), match=match, as_of=as_of, period=period)
    result = reduce_counts(
        factory,
        {"numerator": success, "denominator": ~pending, "pending": pending, "repeats": repeats},
        None if group_column is None else group_column[first],
        by,
    )
    warn_if_undefined(result, "fcr", "no decided episode (empty input or all pending)")
    return result


def _fcr_scope(
    interactions: Interactions | Tickets | Iterable[Interaction],
    window_days: float,
    match: Match,
    as_of: datetime | None,
) -> tuple[Interactions, int, datetime | None, int]:
    """`fcr`'s checks and as_of: the contacts in scope, the cutoff, as_of and the window."""
    table = as_interactions(interactions)
    table.require("fcr", ("end", "resolved"))
    window = window_micros("window_days", window_days)
    option("match", match, MATCHES)
    return (*resolve_as_of(table, as_of, by_start=True), window)


def _fcr_episodes(
    table: Interactions, window: int, match: Match, cutoff: int
) -> tuple[I64, I64, Bool, Bool]:
    """Per episode: its first contact (a row), its repeats, pending, resolved at first contact."""
    first, repeats, first_end, resolved = episode_heads(table, window, match)
    pending = (first_end == OPEN) | (first_end > cutoff - window)
    success = ~pending & resolved & (repeats == 0)
    return first, repeats, pending, success


FCR_CLASSES: tuple[str, ...] = (
    "resolved first time",
    "not resolved first time",
    "repeat",
    "pending",
)
"""What a contact is to `fcr`, by the codes of `fcr_classes` (-1: not counted)."""


def fcr_classes(
    interactions: Interactions | Tickets | Iterable[Interaction],
    /,
    *,
    window_days: float = 7,
    match: Match = "issue",
    as_of: datetime | None = None,
) -> tuple[npt.NDArray[np.int8], datetime | None]:
    """What each contact is to `fcr`, from the same steps: a code into `FCR_CLASSES`, and as_of.

    The first contact of an episode is ``"resolved first time"`` (in the
    numerator and the denominator), ``"not resolved first time"`` (in the
    denominator only) or ``"pending"`` (its window is still open); every
    other contact is a ``"repeat"``. A contact starting after ``as_of`` is
    -1: `fcr` does not count it. Codes are in the order of the input's rows,
    so the numerator, denominator, pending and repeats of
    ``fcr(interactions, ...)`` are the number of contacts with codes 0,
    0 or 1, 3 and 2.

    Examples
    --------
    >>> from datetime import datetime, timezone
    >>> from csmetrics import Interaction
    >>> def at(day):
    ...     return datetime(2026, 3, day, 9, tzinfo=timezone.utc)
    >>> contacts = [
    ...     Interaction(id=1, customer_id="a", start=at(2), end=at(2), resolved=True),
    ...     Interaction(id=2, customer_id="a", start=at(5), end=at(5), resolved=True),
    ...     Interaction(id=3, customer_id="b", start=at(20), end=at(20), resolved=True),
    ... ]
    >>> codes, as_of = fcr_classes(contacts)
    >>> [FCR_CLASSES[c] for c in codes]
    ['not resolved first time', 'repeat', 'pending']
    """
    whole = as_interactions(interactions)
    table, cutoff, moment, window = _fcr_scope(whole, window_days, match, as_of)
    first, _, pending, success = _fcr_episodes(table, window, match, cutoff)
    codes = np.full(len(table), 2, dtype=np.int8)
    codes[first] = np.where(pending, 3, np.where(success, 0, 1))
    return spread(whole, table, cutoff, codes, fill=-1), moment


@overload
def resolution_rate(
    interactions: Interactions | Tickets | Iterable[Interaction],
    /,
    *,
    period: PeriodLike | None = None,
    by: None = None,
) -> Rate: ...


@overload
def resolution_rate(
    interactions: Interactions | Tickets | Iterable[Interaction],
    /,
    *,
    period: PeriodLike | None = None,
    by: ContactBy,
) -> Breakdown[Rate]: ...


@takes_tables("Interactions")
def resolution_rate(
    interactions: Interactions | Tickets | Iterable[Interaction],
    /,
    *,
    period: PeriodLike | None = None,
    by: ContactBy | None = None,
) -> Rate | Breakdown[Rate]:
    """Resolution rate: the share of customer requests that ended resolved.

    ``resolution rate = resolved requests / requests``.

    Contacts sharing an ``issue_id`` are one request (reusing a ticket for a
    new problem does not split it); a contact without ``issue_id`` is a request
    of its own. A request is resolved when its latest contact (by start, ties
    by id) is marked resolved; a request whose latest contact is still open is
    unresolved.

    Parameters
    ----------
    interactions
        `Interaction` objects or an `Interactions` table.
    period
        Keep requests whose first contact starts in the `Window`.
    by
        ``"agent_id"``, ``"channel"``, ``"category"`` or ``"customer_id"``:
        group each request by that field of its first contact.

    Returns
    -------
    Rate or Breakdown[Rate]
        ``metric="resolution_rate"``; numerator resolved requests, denominator
        requests.

    Warns
    -----
    UndefinedMetricWarning
        No request in scope.

    See Also
    --------
    fcr : resolved at the first contact, with no repeat.

    References
    ----------
    Zendesk, "Ticket resolution rate" (solved tickets / tickets created);
    Freshdesk, "Resolution rate".

    Examples
    --------
    >>> from datetime import datetime, timezone
    >>> from csmetrics import Interaction, resolution_rate
    >>> t = datetime(2026, 3, 2, 9, tzinfo=timezone.utc)
    >>> contacts = [
    ...     Interaction(id="1", customer_id="ann", start=t, end=t, issue_id="T1"),
    ...     Interaction(id="2", customer_id="ann", start=t.replace(hour=10),
    ...                 end=t.replace(hour=11), resolved=True, issue_id="T1"),
    ...     Interaction(id="3", customer_id="bob", start=t),  # still open
    ... ]
    >>> r = resolution_rate(contacts)
    >>> r.numerator, r.denominator, float(r)
    (1, 2, 0.5)
    """
    table = as_interactions(interactions)
    table.require("resolution_rate", ("resolved",))
    group_column = group_of(table, by, CONTACT_BY)
    first, last, single = issue_ends(table)
    # A contact without issue_id is a request of its own, first and latest.
    first = np.concatenate((first, single))
    last = np.concatenate((last, single))
    keep = in_period(table.start[first], period)
    result = reduce_counts(
        partial(Rate, metric="resolution_rate", period=period),
        {
            "numerator": table.resolved[last][keep],
            "denominator": np.ones(len(first), bool)[keep],
        },
        None if group_column is None else group_column[first[keep]],
        by,
    )
    warn_if_undefined(result, "resolution_rate", "no request in scope")
    return result


@overload
def reopen_rate(
    interactions: Interactions | Tickets | Iterable[Interaction],
    /,
    *,
    window_days: float = 7,
    as_of: datetime | None = None,
    period: PeriodLike | None = None,
    by: None = None,
) -> ReopenRate: ...


@overload
def reopen_rate(
    interactions: Interactions | Tickets | Iterable[Interaction],
    /,
    *,
    window_days: float = 7,
    as_of: datetime | None = None,
    period: PeriodLike | None = None,
    by: ContactBy,
) -> Breakdown[ReopenRate]: ...


@takes_tables("Interactions")
def reopen_rate(
    interactions: Interactions | Tickets | Iterable[Interaction],
    /,
    *,
    window_days: float = 7,
    as_of: datetime | None = None,
    period: PeriodLike | None = None,
    by: ContactBy | None = None,
) -> ReopenRate | Breakdown[ReopenRate]:
    """Reopen rate: the share of resolved issues the customer came back about.

    ``reopen rate = reopened resolved issues / decided resolved issues``; a
    fraction in [0, 1], lower is better. The counter-metric of resolution
    rate and first response time in `csmetrics.DEFAULT_PAIRS`.

    An issue is the contacts sharing an ``issue_id`` (contacts without one
    are never an issue here). Its *resolution* is its first contact marked
    resolved (by start, ties by id). The issue is *reopened* when a later
    contact of the same ``issue_id`` starts no earlier than the resolution's
    end and no later than ``window_days`` after it (inclusive, as for
    `csmetrics.fcr`). It is *pending*, left out of the denominator and
    counted in ``pending``, while ``resolution end + window_days > as_of``,
    whether or not it was already reopened (counting early reopens but not
    early non-reopens would bias the rate up).

    Parameters
    ----------
    interactions
        `Interaction` objects or an `Interactions` table.
    window_days
        Days after the resolution's end during which a contact reopens it.
    as_of
        Data complete up to here; contacts starting later are ignored.
        Default: the latest contact start.
    period
        Keep issues whose resolving contact starts in the `Window`.
    by
        Group by a field of the resolving contact.

    Returns
    -------
    ReopenRate or Breakdown[ReopenRate]
        ``numerator`` (reopened), ``denominator`` (decided), ``pending``.

    Warns
    -----
    UndefinedMetricWarning
        No decided resolved issue in scope.

    References
    ----------
    Zendesk Explore, "Reopens" and "% reopened tickets" (solved tickets
    reopened by a further customer update).

    Examples
    --------
    >>> from datetime import datetime, timezone
    >>> from csmetrics import Interaction
    >>> def at(day):
    ...     return datetime(2026, 3, day, 9, tzinfo=timezone.utc)
    >>> contacts = [
    ...     Interaction(id=1, customer_id="a", issue_id="T1", start=at(2), end=at(2),
    ...                 resolved=True),
    ...     Interaction(id=2, customer_id="a", issue_id="T1", start=at(5), end=at(5)),
    ...     Interaction(id=3, customer_id="b", issue_id="T2", start=at(3), end=at(3),
    ...                 resolved=True),
    ...     Interaction(id=4, customer_id="c", issue_id="T3", start=at(20), end=at(20)),
    ... ]
    >>> r = reopen_rate(contacts)
    >>> r.numerator, r.denominator, r.pending, float(r)
    (1, 2, 0, 0.5)
    """
    table = as_interactions(interactions)
    table.require("reopen_rate", ("end", "resolved", "issue_id"))
    window = window_micros("window_days", window_days)
    table, cutoff, as_of = resolve_as_of(table, as_of, by_start=True)
    group_column = group_of(table, by, CONTACT_BY)
    order = ticket_rows(table)
    segment = np.cumsum(segment_starts(table.issue_id.codes[order])) - 1
    position = np.arange(len(order))
    resolved = table.resolved[order]
    # The first resolved row of each issue (rows are in time order per issue).
    issues, first = np.unique(segment[resolved], return_index=True)
    resolution = position[resolved][first]
    at_row = np.full(int(segment.max(initial=-1)) + 1, len(order), dtype=np.int64)
    at_row[issues] = resolution
    own = at_row[segment]
    has = own < len(order)
    end = np.where(has, table.end[order][np.minimum(own, len(order) - 1)], OPEN)
    start = table.start[order]
    reopens = has & (position > own) & (start >= end) & (start - window <= end)
    reopened = np.bincount(segment[reopens], minlength=len(at_row))[issues] > 0
    resolving = order[resolution]
    pending = table.end[resolving] > cutoff - window
    keep = in_period(table.start[resolving], period)
    result = reduce_counts(
        partial(ReopenRate, window_days=float(window_days), as_of=as_of, period=period),
        {
            "numerator": (reopened & ~pending)[keep],
            "denominator": ~pending[keep],
            "pending": pending[keep],
        },
        None if group_column is None else group_column[resolving[keep]],
        by,
    )
    warn_if_undefined(result, "reopen_rate", "no decided resolved issue in scope")
    return result
