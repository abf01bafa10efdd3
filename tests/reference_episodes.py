"""FCR's episodes stated over the whole table: the reference of the blocked path.

`csmetrics.core.episodes.episode_heads` finds episodes block by block after
one packed sort (decision 198). This is the same cut written the plain way,
one ordering of every contact and one pass over it, which the property
tests compare the blocked path with.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from csmetrics.core.episodes import Match, ordered_rows, ticket_rows
from csmetrics.core.reduce import segment_cummax, segment_starts
from csmetrics.core.table import Codes, Interactions

I64 = npt.NDArray[np.int64]
Bool = npt.NDArray[np.bool_]


def _ticket_issues(table: Interactions) -> tuple[I64, I64]:
    """Split each issue_id at every change of category: the "issue" match mode.

    Within an issue_id in time order, the current category is the latest
    non-empty one so far; a contact whose non-empty category differs from it
    opens a new issue. Returns the rows with an issue_id in (issue_id, time)
    order and their dense issue numbers, which never decrease along them.
    """
    ticket = table.issue_id.codes
    rows = ticket_rows(table)
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
