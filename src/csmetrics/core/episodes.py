"""The shared ordering and episode engine of the contact metrics.

Every contact metric converts its input once into an `Interactions` table
(`as_interactions`) and then orders contacts in time (`time_rank`,
`ordered_rows`), finds each issue's first and latest contact (`first_and_last`,
`issue_ends`) or cuts issues into episodes (`episode_heads`). The time rank and
order are cached on the table, so several metrics on one table sort once.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Literal

import numpy as np
import numpy.typing as npt

from csmetrics.core.check import non_negative, positive_number
from csmetrics.core.frames import is_frame
from csmetrics.core.model import Interaction
from csmetrics.core.parallel import chunk_rows, map_chunks
from csmetrics.core.reduce import segment_cummax, segment_starts
from csmetrics.core.table import Codes, Interactions, rows_in_order
from csmetrics.core.tickets import Tickets

I64 = npt.NDArray[np.int64]
Bool = npt.NDArray[np.bool_]

Match = Literal["issue", "category", "customer"]
"""How `fcr` groups contacts into issues."""
MATCHES: tuple[Match, ...] = ("issue", "category", "customer")
ContactBy = Literal["agent_id", "channel", "category", "customer_id"]
"""Contact fields a contact metric can break down by."""
CONTACT_BY: tuple[ContactBy, ...] = ("agent_id", "channel", "category", "customer_id")

DAY_MICROS = 86_400_000_000
"""Microseconds in a day: window lengths in days become table units."""
MAX_WINDOW = 2**62
"""The longest window in microseconds (about 146,000 years). A longer one
cannot end inside datetime's range anyway; capping it keeps ``end + window``
and ``start - window`` inside int64."""


def window_micros(name: str, days: object, *, allow_zero: bool = False) -> int:
    """A window length option in days as table microseconds, capped at `MAX_WINDOW`.

    A finite number > 0 (>= 0 with ``allow_zero``), numpy numbers included;
    anything else is a ValueError naming the option.
    """
    value = non_negative(name, days) if allow_zero else positive_number(name, days)
    micros = value * DAY_MICROS  # may be inf for a huge finite number of days
    return MAX_WINDOW if micros >= MAX_WINDOW else round(micros)


def as_interactions(data: Interactions | Tickets | Iterable[Interaction]) -> Interactions:
    """The columnar table of a metric's input: objects, a table or a dataframe.

    `Tickets` become contacts here, one per resolution cycle
    (`Tickets.contacts`, decision 67): the one place a contact metric
    converts tickets.
    """
    if isinstance(data, Interactions):
        return data
    if isinstance(data, Tickets):
        return data.contacts()
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

    The rank is int32 below 2**31 contacts, like key codes. A view takes its
    order from its parent's, without a sort.
    """
    if "time_rank" not in table.memo:
        n = len(table)
        if (source := table.source) is not None:
            # A view (as_of, period): its order is its parent's, cached there for later calls.
            parent, selected = source
            rows = rows_in_order(_time_ranks(parent)[1], selected, len(parent))
        elif (steps := _start_steps(table)) is not None:
            rows = time_order(steps, table.id.codes)
        else:
            rows = _start_then_id_order(table)
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
    if key is None and "time_rank" in table.memo:
        # The cached time order gives each issue's ends from its lowest and
        # highest time rank, without a pass comparing every contact's key.
        rank, by_time = _time_ranks(table)
        low, high = _rank_ends(ticket[rows], rank[rows], len(table.issue_id.keys))
        present = high >= 0
        return by_time[low[present]], by_time[high[present]], np.flatnonzero(ticket < 0)
    key = time_key(table) if key is None else key
    first, last, present = first_and_last(ticket[rows], key[rows], len(table.issue_id.keys))
    return rows[first[present]], rows[last[present]], np.flatnonzero(ticket < 0)


def _rank_ends(group: Codes, rank: Codes, ngroups: int) -> tuple[Codes, Codes]:
    """Per group code, the lowest and the highest ``rank`` (-1 as the highest of an absent group).

    In ``rank``'s dtype: int32 below 2**31 contacts, half the memory that the
    random updates of `numpy.minimum.at` walk through.
    """
    low = np.full(ngroups, np.iinfo(rank.dtype).max, dtype=rank.dtype)
    high = np.full(ngroups, -1, dtype=rank.dtype)
    np.minimum.at(low, group, rank)
    np.maximum.at(high, group, rank)
    return low, high


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


def ticket_rows(table: Interactions) -> I64:
    """The rows with an issue_id, in (issue_id, time) order."""
    ticket = table.issue_id.codes
    rows = np.flatnonzero(ticket >= 0)
    return ordered_rows(table, ticket[rows], rows)


def episode_heads(table: Interactions, window: int, match: Match) -> tuple[I64, I64, I64, Bool]:
    """The first contact of every episode, in blocks of rows.

    An issue's contacts in time order are cut into episodes: a contact that
    starts no later than ``window`` microseconds after the latest end of the
    earlier contacts of its issue is a repeat; any other opens an episode
    (an open contact's end is `OPEN`, so everything after it is a repeat).
    Returns, per episode in (issue key, time) order: its first contact (a
    row), its number of repeats, that contact's end and its ``resolved``
    flag (decision 198; ``tests/reference_episodes.py`` states the same
    cut over the whole table, and the property tests compare the two).

    One sort of ``issue key * rows + time rank`` packed in an int64 (one
    `numpy.lexsort` where that could overflow) puts the contacts in (issue
    key, time) order; the sorted values are then cut into blocks of about
    `chunk_rows` at issue key boundaries, and each block reads its rows,
    issue starts (the category changes of ``match="issue"`` included),
    running latest end and episode starts on its own, on the blocked
    kernels' threads. No per-contact array of the whole table is made
    besides the sorted values and the per-episode results, so that at
    millions of contacts the temporaries stay small and are reused.
    """
    n = len(table)
    rank, by_time = _time_ranks(table)
    key = _issue_keys(table, match)
    if _packs(key, n):
        key *= n
        key += rank
        key.sort()
        packed, rows_of, span = key, None, n
    else:
        # Keys too wide to pack with the rank: order the rows, then the keys.
        rows_of = np.lexsort((rank, key))
        packed, span = key[rows_of], 1
    del key
    cuts = _aligned_cuts(packed, span, chunk_rows())

    def block(part: slice) -> tuple[I64, I64, I64, Bool]:
        low, high = cuts[part.start], cuts[part.stop]
        if rows_of is None:
            issue = packed[low:high] // span
            rows: I64 = by_time[packed[low:high] - issue * span]
        else:
            issue, rows = packed[low:high], rows_of[low:high]
        return _episode_block(table, window, issue, rows, split=match == "issue")

    # Joined one result at a time, each block's pieces freed once joined.
    pieces = [list(field) for field in zip(*map_chunks(block, len(cuts) - 1, chunk=1), strict=True)]
    joined = []
    for field in pieces:
        joined.append(np.concatenate(field))
        field.clear()
    first, repeats, first_end, resolved = joined
    return first, repeats, first_end, resolved


def _packs(key: I64, span: int) -> bool:
    """Whether ``key * span + (a value below span)`` fits in an int64 for every key."""
    return bool(len(key)) and int(key.min()) >= 0 and int(key.max()) < (2**62) // max(span, 1)


def _issue_keys(table: Interactions, match: Match) -> I64:
    """Every contact's issue key under a match mode, as one new int64 array.

    The key of the contact's issue: customer code; customer and category
    (``customer * (categories + 1) + category + 1``); for ``"issue"`` the
    issue_id code, and for contacts without one the customer and category
    key moved past every issue_id code. The category changes that split an
    issue_id under ``"issue"`` are not in the key: `_episode_block` finds them.
    """
    key = table.customer_id.codes.astype(np.int64)
    if match == "customer":
        return key
    ncat = len(table.category.keys) + 1
    key *= ncat
    key += table.category.codes
    key += 1
    if match == "issue":
        # The customer and category key is at least -ncat (customer code -1).
        key += len(table.issue_id.keys) + ncat
        ticket = table.issue_id.codes
        np.copyto(key, ticket, where=ticket >= 0)
    return key


def _aligned_cuts(packed: I64, span: int, step: int) -> list[int]:
    """Block bounds about ``step`` apart in sorted ``packed``, at changes of ``packed // span``.

    Starts with 0 and ends with ``len(packed)``; every bound in between is
    the first position of an issue key, so that no issue spans two blocks.
    """
    total = len(packed)
    cuts = [0]
    at = step
    while at < total:
        width = 64
        while True:
            keys = packed[at - 1 : at + width] // span
            change = np.flatnonzero(keys[1:] != keys[:-1])
            if len(change) or at + width >= total:
                break
            width *= 4
        if not len(change):
            break
        cut = at + int(change[0])
        cuts.append(cut)
        at = cut + step
    cuts.append(total)
    return cuts


def _episode_block(
    table: Interactions, window: int, issue: I64, rows: I64, *, split: bool
) -> tuple[I64, I64, I64, Bool]:
    """`episode_heads` of one block: rows in (issue key, time) order, starting an issue key.

    ``split`` (``match="issue"``): an issue key is split further where a
    contact's category differs from the issue's current one
    (`_category_changes`).
    """
    issue_starts = segment_starts(issue)
    if split and len(rows):
        # Contacts without issue_id have their category in the key: they
        # never change category within an issue, only tickets can.
        issue_starts |= _category_changes(table.category.codes[rows], issue_starts)
    end = table.end[rows]
    latest_end = segment_cummax(end.copy(), issue_starts)
    less_window = table.start[rows]
    less_window -= window
    starts = issue_starts
    starts[1:] |= less_window[1:] > latest_end[:-1]
    heads = np.flatnonzero(starts)
    first = rows[heads]
    repeats = np.diff(heads, append=len(rows))
    repeats -= 1
    return first, repeats, end[heads], table.resolved[first]


def _category_changes(cat: Codes, starts: Bool) -> Bool:
    """Where a contact's non-empty category differs from its segment's current category.

    The "issue" match mode: within an issue_id in time order, the current
    category is the latest non-empty one so far (segments begin where
    ``starts`` is True); a contact whose non-empty category differs from it
    opens a new issue.
    """
    position = np.arange(len(cat))
    seg_first = np.maximum.accumulate(np.where(starts, position, 0))
    latest = np.maximum.accumulate(np.where(cat >= 0, position, -1))
    current = np.where(latest >= seg_first, cat[np.maximum(latest, 0)], -1)
    before = np.empty_like(current)
    before[1:] = current[:-1]
    before[starts] = -1
    changes: Bool = (cat >= 0) & (before >= 0) & (cat != before)
    return changes
