"""Resolution metrics: first-contact resolution and resolution rate.

Both are fractions in [0, 1]; higher is better.

- `fcr`: episodes resolved at the first contact with no repeat contact within
  the window, over decided episodes.
- `resolution_rate`: requests whose latest contact is resolved, over requests.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from functools import partial
from typing import Literal

import numpy as np
import numpy.typing as npt

from csmetrics._check import option, positive_number
from csmetrics._reduce import (
    group_of,
    in_period,
    reduce_counts,
    segment_cummax,
    segment_starts,
    warn_if_undefined,
)
from csmetrics._time import resolve_as_of
from csmetrics.frames import is_frame
from csmetrics.model import Interaction, Window
from csmetrics.results import FCR, Breakdown, Rate, ReopenRate
from csmetrics.table import OPEN, Codes, Interactions

__all__ = ["ContactBy", "Match", "fcr", "reopen_rate", "resolution_rate"]

I64 = npt.NDArray[np.int64]
Bool = npt.NDArray[np.bool_]

Match = Literal["issue", "category", "customer"]
"""How `fcr` groups contacts into issues."""
MATCHES: tuple[Match, ...] = ("issue", "category", "customer")
ContactBy = Literal["agent_id", "channel", "category", "customer_id"]
"""Contact fields a contact metric can break down by."""
CONTACT_BY: tuple[ContactBy, ...] = ("agent_id", "channel", "category", "customer_id")

_DAY_MICROS = 86_400_000_000


def as_interactions(data: Interactions | Iterable[Interaction]) -> Interactions:
    """The columnar table of a metric's input: objects, a table or a dataframe."""
    if isinstance(data, Interactions):
        return data
    if is_frame(data):
        return Interactions.from_frame(data)
    return Interactions.from_records(data)


def time_rank(table: Interactions) -> Codes:
    """Each contact's position in time order: by start, ties by id.

    Computed once per table. Starts on a common grid (whole seconds or
    milliseconds, as in most exports) pack with the id code into one int64
    key, and `time_order` sorts by the pair at once; finer starts take one
    stable sort by start, then the runs of equal starts are re-sorted by id.
    """
    return _time_ranks(table)[0]


def _time_ranks(table: Interactions) -> tuple[Codes, I64]:
    """`time_rank` and its inverse, the rows in time order; cached on the table.

    The rank is int32 below 2**31 contacts, like key codes.
    """
    if "time_rank" not in table.memo:
        n = len(table)
        steps = _start_steps(table)
        rows = _start_then_id_order(table) if steps is None else time_order(steps, table.id.codes)
        dtype = np.int32 if n < 2**31 else np.int64
        rank = np.empty(n, dtype=dtype)
        rank[rows] = np.arange(n, dtype=dtype)
        table.memo["time_rank"] = rank
        table.memo["time_rows"] = rows
    return table.memo["time_rank"], table.memo["time_rows"]


def ordered_rows(table: Interactions, key: Codes, rows: I64 | None = None) -> I64:
    """The table's rows (all, or those in ``rows``), ordered by ``key``, then by time.

    ``key`` holds one value per row given. Where ``key * n + time rank``
    cannot overflow it sorts those values and reads each row back from the
    cached time order, without an index array per call; otherwise one
    `numpy.lexsort`.
    """
    rank, by_time = _time_ranks(table)
    if rows is not None:
        rank = rank[rows]
    n = len(table)
    if not (len(key) and key.min() >= 0 and int(key.max()) < (2**62) // max(n, 1)):
        order = np.lexsort((rank, key))
        return order if rows is None else rows[order]
    packed = _pack(key, n, rank)
    packed.sort()
    np.remainder(packed, n, out=packed)
    ordered: I64 = by_time[packed]
    return ordered


def _start_steps(table: Interactions) -> I64 | None:
    """Starts counted in steps of their common grid from the earliest, if they pack.

    None when ``steps * ids + id code`` could overflow int64 (starts too fine
    for their span).
    """
    steps: I64 = table.start - table.start.min(initial=0)
    steps //= int(np.gcd.reduce(steps)) or 1
    # Ids are unique, so each (start, id code) pair is distinct.
    if int(steps.max(initial=0)) < (2**62) // max(len(table.id.keys), 1):
        return steps
    return None


def time_key(table: Interactions) -> I64:
    """A distinct int64 per contact, increasing in (start, id): the order of `time_rank`.

    Without a sort where the starts pack with the id codes (the cached time
    rank if there is one): for the first or last contact of each group,
    which `first_and_last` finds without sorting either.
    """
    steps = None if "time_rank" in table.memo else _start_steps(table)
    if steps is None:
        rank: I64 = time_rank(table).astype(np.int64)
        return rank
    steps *= len(table.id.keys)
    steps += table.id.codes
    return steps


def first_and_last(group: Codes, key: I64, ngroups: int) -> tuple[I64, I64, Bool]:
    """Per group code, the position of its lowest and of its highest ``key``.

    ``key`` is distinct per position. Returns ``(first, last, present)``
    indexed by group code; ``present`` marks the groups that occur.
    """
    low = np.full(ngroups, np.iinfo(np.int64).max)
    high = np.full(ngroups, np.iinfo(np.int64).min)
    np.minimum.at(low, group, key)
    np.maximum.at(high, group, key)
    first = np.zeros(ngroups, dtype=np.int64)
    last = np.zeros(ngroups, dtype=np.int64)
    for out, extreme in ((first, low), (last, high)):
        at = np.flatnonzero(key == extreme[group])
        out[group[at]] = at
    return first, last, high >= low


def issue_ends(table: Interactions, key: I64 | None = None) -> tuple[I64, I64, I64]:
    """The first and the latest contact of each issue_id, and the contacts without one.

    First and latest by start, ties by id (``key``: `time_key`, computed if
    not given); issues in code order. Found with `first_and_last`, without a
    sort.
    """
    ticket = table.issue_id.codes
    rows = np.flatnonzero(ticket >= 0)
    key = time_key(table) if key is None else key
    first, last, present = first_and_last(ticket[rows], key[rows], len(table.issue_id.keys))
    return rows[first[present]], rows[last[present]], np.flatnonzero(ticket < 0)


def _start_then_id_order(table: Interactions) -> I64:
    """Positions by start, ties by id: a stable sort, then each tied run by id."""
    order = np.argsort(table.start, kind="stable")
    ordered = table.start[order]
    tied = np.zeros(len(order), dtype=bool)
    same = ordered[1:] == ordered[:-1]
    tied[1:] |= same
    tied[:-1] |= same
    if tied.any():
        # Tied rows sit in runs of one start; order each run by id with one
        # int64 sort of (run number, id code).
        runs = np.flatnonzero(tied)
        rows = order[runs]
        run = np.cumsum(np.r_[True, ordered[runs][1:] != ordered[runs][:-1]])
        order[runs] = rows[np.argsort(run * len(table.id.keys) + table.id.codes[rows])]
    return order


def _pack(key: Codes, span: int, low: Codes) -> I64:
    """``key * span + low`` as one new int64 array (to sort in place)."""
    packed = key.astype(np.int64)
    packed *= span
    packed += low
    return packed


def time_order(key: Codes, rank: Codes) -> I64:
    """Positions ordered by ``key``, then by ``rank`` (distinct, e.g. from `time_rank`).

    Where ``key * span + rank`` cannot overflow it sorts those values (about
    twice as fast as sorting their positions) and reads each position back
    from its rank, which is distinct; otherwise one `numpy.lexsort`.
    """
    span = int(rank.max(initial=-1)) + 1
    if not (len(key) and key.min() >= 0 and int(key.max()) < (2**62) // max(span, 1)):
        return np.lexsort((rank, key))
    ranks = _pack(key, span, rank)
    ranks.sort()
    np.remainder(ranks, span, out=ranks)
    position = np.empty(span, dtype=np.int64)
    position[rank] = np.arange(len(rank))
    ordered: I64 = position[ranks]
    return ordered


def _ticket_rows(table: Interactions) -> I64:
    """The rows with an issue_id, in (issue_id, time) order."""
    ticket = table.issue_id.codes
    rows = np.flatnonzero(ticket >= 0)
    return ordered_rows(table, ticket[rows], rows)


def _ticket_issues(table: Interactions) -> tuple[I64, I64]:
    """Split each issue_id at every change of category: the "issue" match mode.

    Within an issue_id in time order, the current category is the latest
    non-empty one so far; a contact whose non-empty category differs from it
    opens a new issue. Returns the rows with an issue_id in (issue_id, time)
    order and their dense issue numbers, which never decrease along them.
    """
    ticket = table.issue_id.codes
    rows = _ticket_rows(table)
    cat = table.category.codes[rows]
    starts = segment_starts(ticket[rows])
    first = np.flatnonzero(starts)
    seg_first = np.repeat(first, np.diff(np.r_[first, len(rows)]))
    # Forward-fill the latest categorised row, not crossing a ticket boundary.
    latest = np.maximum.accumulate(np.where(cat >= 0, np.arange(len(rows)), -1))
    current = np.where(latest >= seg_first, cat[np.maximum(latest, 0)], -1)
    before = np.empty_like(current)
    before[1:] = current[:-1]
    before[starts] = -1
    change = (cat >= 0) & (before >= 0) & (cat != before)
    return rows, np.cumsum(starts | change) - 1


def _issue_order(table: Interactions, match: Match) -> tuple[I64, Codes]:
    """The contacts in (issue, time) order under a match mode, and their issue keys."""
    customer = table.customer_id.codes
    if match == "customer":
        order = ordered_rows(table, customer)
        return order, customer[order]
    by_category = customer.astype(np.int64) * (len(table.category.keys) + 1)
    by_category += table.category.codes
    by_category += 1
    if match == "category":
        order = ordered_rows(table, by_category)
        return order, by_category[order]
    rows, issue = _ticket_issues(table)
    # Contacts without issue_id fall back to customer + category, numbered
    # after every ticket issue so the two kinds of key never collide. The
    # ticket rows are in (issue, time) order already: only the rest is sorted.
    rest = np.flatnonzero(table.issue_id.codes < 0)
    rest = ordered_rows(table, by_category[rest], rest)
    fallback = by_category[rest] + (int(issue[-1]) + 1 if len(issue) else 0)
    return np.concatenate((rows, rest)), np.concatenate((issue, fallback))


def episodes(table: Interactions, window: int, match: Match) -> tuple[I64, Bool]:
    """Contacts in (issue, time) order and where each episode starts.

    A contact that starts no later than ``window`` microseconds after the
    latest end of the earlier contacts of its issue is a repeat; any other
    opens an episode (an open contact's end is `OPEN`, so everything after it
    is a repeat).
    """
    order, key = _issue_order(table, match)
    issue_starts = segment_starts(key)
    latest_end = segment_cummax(table.end[order], issue_starts)
    less_window = table.start[order]
    less_window -= window
    episode_starts = issue_starts.copy()
    episode_starts[1:] |= less_window[1:] > latest_end[:-1]
    return order, episode_starts


def fcr(
    interactions: Interactions | Iterable[Interaction],
    /,
    *,
    window_days: float = 7,
    match: Match = "issue",
    as_of: datetime | None = None,
    period: Window | None = None,
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
        A record is invalid (see `Interaction`).
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
    table = as_interactions(interactions)
    window = round(positive_number("window_days", window_days) * _DAY_MICROS)
    option("match", match, MATCHES)
    table, cutoff, as_of = resolve_as_of(table, as_of, by_start=True)
    # Taken from the cut table: its rows are the ones `first` indexes.
    group_column = group_of(table, by, CONTACT_BY)

    order, episode_starts = episodes(table, window, match)
    first = order[episode_starts]
    repeats = np.diff(np.r_[np.flatnonzero(episode_starts), len(order)]) - 1

    first_end = table.end[first]
    pending = (first_end == OPEN) | (first_end > cutoff - window)
    success = ~pending & table.resolved[first] & (repeats == 0)
    keep = in_period(table.start[first], period)
    factory = partial(FCR, window_days=float(window_days), match=match, as_of=as_of, period=period)
    result = reduce_counts(
        factory,
        {
            "numerator": success[keep],
            "denominator": ~pending[keep],
            "pending": pending[keep],
            "repeats": repeats[keep],
        },
        None if group_column is None else group_column[first[keep]],
        by,
    )
    warn_if_undefined(result, "fcr", "no decided episode (empty input or all pending)")
    return result


def resolution_rate(
    interactions: Interactions | Iterable[Interaction],
    /,
    *,
    period: Window | None = None,
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


def reopen_rate(
    interactions: Interactions | Iterable[Interaction],
    /,
    *,
    window_days: float = 7,
    as_of: datetime | None = None,
    period: Window | None = None,
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
    window = round(positive_number("window_days", window_days) * _DAY_MICROS)
    table, cutoff, as_of = resolve_as_of(table, as_of, by_start=True)
    group_column = group_of(table, by, CONTACT_BY)
    order = _ticket_rows(table)
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
