"""Workload metrics: contact volume per period and the Pareto of contact reasons.

Neither has a better or worse direction: they say where the work is.

- `volume`: handled contacts per calendar period (hour, day, ISO week, month,
  quarter, year) in a time zone, counted by contact start; abandoned and
  blocked contacts are counted beside them. Counts (int >= 0).
- `pareto`: handled contacts per reason, largest first, with each reason's
  share and the cumulative share (fractions in [0, 1]), and the "vital few"
  reasons that make up a given share of the contacts.

A *handled* contact is one that was neither abandoned nor blocked, the same
contacts `csmetrics.handle_time` averages over: a contact an agent took,
finished or still in progress.

Inputs: every function takes the contacts as

- `Interaction` objects (a list or any iterable);
- an `Interactions` table, the columnar form for large data;
- with the ``frames`` extra (``pip install "csmetrics[frames]"``), a pandas,
  polars or pyarrow table or a DuckDB relation whose columns are named like
  the `Interaction` fields (`Interactions.from_frame` converts one once, to
  compute several metrics on it).
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable, Mapping
from datetime import datetime
from functools import partial
from typing import Any, Literal
from zoneinfo import ZoneInfo

import attrs
import numpy as np
import numpy.typing as npt

from csmetrics.core import html as html_table
from csmetrics.core.check import finite, shown, takes_tables
from csmetrics.core.episodes import CONTACT_BY, ContactBy, as_interactions
from csmetrics.core.errors import UndefinedMetricWarning
from csmetrics.core.frames import ToFrame
from csmetrics.core.model import Interaction, Key, PeriodLike, Window, as_window
from csmetrics.core.periods import Every, buckets
from csmetrics.core.reduce import group_of, in_period, split_by_group
from csmetrics.core.table import Interactions
from csmetrics.core.tickets import Tickets

__all__ = ["Pareto", "ParetoBy", "Volume", "pareto", "volume"]

I64 = npt.NDArray[np.int64]
F64 = npt.NDArray[np.float64]

ParetoBy = Literal["category", "channel", "agent_id", "customer_id", "priority", "tier"]
"""Contact fields a Pareto can rank."""
PARETO_BY: tuple[ParetoBy, ...] = (
    "category",
    "channel",
    "agent_id",
    "customer_id",
    "priority",
    "tier",
)
_SILENCE = "silence with warnings.simplefilter('ignore', csmetrics.UndefinedMetricWarning)"


def _array_eq(a: npt.NDArray[Any], b: npt.NDArray[Any]) -> bool:
    return bool(np.array_equal(a, b))


_ARRAY_EQ = attrs.cmp_using(eq=_array_eq)


def _read_only(values: npt.ArrayLike) -> I64:
    arr: I64 = np.array(values, dtype=np.int64).reshape(-1)
    arr.flags.writeable = False
    return arr


@attrs.frozen(kw_only=True, repr=False, unsafe_hash=False)
class Volume(ToFrame):
    """Contacts per calendar period: handled, abandoned and blocked.

    Returned by `volume`. Every period of the range is present, also the
    empty ones (with 0). Results are equal when their periods, counts and
    groups are; they are not hashable (they hold arrays).

    Attributes
    ----------
    windows
        The periods in order, as `Window` objects with UTC bounds.
    handled
        int64 per period: contacts neither abandoned nor blocked, by start.
    abandoned
        int64 per period: contacts the customer left before an answer.
    blocked
        int64 per period: contacts that never reached a queue.
    every
        The period length (``"day"``, ``"week"``, ...).
    timezone
        The IANA time zone the period boundaries are local to.
    by
        The field of ``groups``, or None.
    groups
        With ``by=``: one `Volume` per key of that field (over the same
        periods), in key order, the missing key last; empty otherwise. A key
        is present when it has at least one contact (of any kind) in range.
    period
        The ``period=`` the counts were restricted to, or None.
    """

    windows: tuple[Window, ...]
    handled: I64 = attrs.field(converter=_read_only, eq=_ARRAY_EQ)
    abandoned: I64 = attrs.field(converter=_read_only, eq=_ARRAY_EQ)
    blocked: I64 = attrs.field(converter=_read_only, eq=_ARRAY_EQ)
    every: Every
    timezone: str
    by: str | None = None
    groups: Mapping[Key | None, Volume] = attrs.field(factory=dict)
    period: Window | None = None

    def __attrs_post_init__(self) -> None:
        lengths = {len(self.windows), len(self.handled), len(self.abandoned), len(self.blocked)}
        if len(lengths) != 1:
            msg = "windows, handled, abandoned and blocked must have one entry per period"
            raise ValueError(msg)

    def __len__(self) -> int:
        return len(self.windows)

    @property
    def offered(self) -> I64:
        """int64 per period: all contacts, ``handled + abandoned + blocked``."""
        total: I64 = self.handled + self.abandoned + self.blocked
        return total

    @property
    def total(self) -> int:
        """Handled contacts over all periods."""
        return int(self.handled.sum())

    def local_starts(self) -> list[datetime]:
        """Each period's start as an aware datetime in ``timezone``, for display."""
        zone = ZoneInfo(self.timezone)
        return [w.start.astimezone(zone) for w in self.windows]

    def to_rows(self) -> list[dict[str, Any]]:
        """One dict per period (per period and key with ``by=``), in period order.

        Keys: ``start`` (local datetime), ``period`` (the `Window`), the
        ``by`` field when grouped, ``handled``, ``abandoned``, ``blocked``.
        """
        starts = self.local_starts()
        if self.by is None:
            return [
                {
                    "start": starts[i],
                    "period": self.windows[i],
                    "handled": int(self.handled[i]),
                    "abandoned": int(self.abandoned[i]),
                    "blocked": int(self.blocked[i]),
                }
                for i in range(len(self))
            ]
        return [
            {
                "start": starts[i],
                "period": self.windows[i],
                self.by: key,
                "handled": int(group.handled[i]),
                "abandoned": int(group.abandoned[i]),
                "blocked": int(group.blocked[i]),
            }
            for i in range(len(self))
            for key, group in self.groups.items()
        ]

    def __repr__(self) -> str:
        grouped = f", by={self.by!r} ({len(self.groups)} keys)" if self.by else ""
        return (
            f"Volume({len(self)} {self.every} periods in {self.timezone}, "
            f"handled={self.total}, abandoned={int(self.abandoned.sum())}, "
            f"blocked={int(self.blocked.sum())}{grouped})"
        )

    def _repr_html_(self) -> str:
        rows = self.to_rows()
        columns = [k for k in rows[0] if k != "period"] if rows else None
        return html_table.records(
            rows, empty=f"Volume by {self.every}: no periods", columns=columns
        )


def _counts(kind: I64, index: I64, nperiods: int) -> tuple[I64, I64, I64]:
    """Per period, the contacts of each kind (0 handled, 1 abandoned, 2 blocked)."""
    flat = np.bincount(kind * nperiods + index, minlength=3 * nperiods).astype(np.int64)
    return flat[:nperiods], flat[nperiods : 2 * nperiods], flat[2 * nperiods :]


@takes_tables("Interactions")
def volume(
    interactions: Interactions | Tickets | Iterable[Interaction],
    /,
    *,
    every: Every = "day",
    timezone: str | ZoneInfo = "UTC",
    by: ContactBy | None = None,
    period: PeriodLike | None = None,
) -> Volume:
    """Contact volume: how many contacts agents handled in each period.

    ``handled[i] = contacts starting in period i that were neither abandoned
    nor blocked``; ``abandoned[i]`` and ``blocked[i]`` count the others, so
    ``offered = handled + abandoned + blocked``.

    Contacts are counted in the period of their ``start``. Periods are
    calendar periods local to ``timezone`` (see `csmetrics.core.periods.buckets`):
    a day in ``"Europe/Berlin"`` runs from Berlin midnight to Berlin
    midnight, 23 or 25 hours on the days the clocks change.

    Parameters
    ----------
    interactions
        `Interaction` objects or an `Interactions` table.
    every
        ``"hour"``, ``"day"`` (default), ``"week"`` (ISO weeks, Monday
        first), ``"month"``, ``"quarter"`` or ``"year"``.
    timezone
        IANA time zone name of the period boundaries (default ``"UTC"``).
    by
        ``"agent_id"``, ``"channel"``, ``"category"`` or ``"customer_id"``:
        also count per key of that field (``groups``).
    period
        Count only contacts starting in the `Window`; the periods then cover
        exactly ``[period.start, period.end)`` (a period cut by a bound is
        partial). Default: from the start of the period of the earliest
        contact to the end of the period of the latest.

    Returns
    -------
    Volume
        ``windows`` and, per period, ``handled``, ``abandoned`` and
        ``blocked``; with ``by=``, ``groups``; ``.to_rows()``.

    Raises
    ------
    ValueError
        An option is not allowed.

    Notes
    -----
    Why "handled": a support lead plans agents for the contacts agents take.
    Abandoned calls and blocked contacts are demand that was not served;
    they are counted beside, never silently mixed in or dropped. A contact
    still open at the end of the export is handled (an agent has it), as for
    `csmetrics.handle_time`. With no contact and no ``period`` there is no
    period and every count is empty.

    See Also
    --------
    pareto : contacts per reason.
    csmetrics.core.periods.buckets : the period boundaries.

    References
    ----------
    ICMI, "Contact volume" and "Calls offered / handled / abandoned" in call
    center reporting glossaries.

    Examples
    --------
    >>> from datetime import datetime, timezone
    >>> from csmetrics import Interaction
    >>> def at(day, hour):
    ...     return datetime(2026, 3, day, hour, tzinfo=timezone.utc)
    >>> contacts = [
    ...     Interaction(id=1, customer_id="a", start=at(2, 9), end=at(2, 10)),
    ...     Interaction(id=2, customer_id="b", start=at(2, 11), end=at(2, 11),
    ...                 abandoned=True),
    ...     Interaction(id=3, customer_id="c", start=at(4, 9), end=at(4, 9)),
    ... ]
    >>> v = volume(contacts, every="day")
    >>> v.handled.tolist(), v.abandoned.tolist()
    ([1, 0, 1], [1, 0, 0])
    >>> v.to_rows()[1]["start"].date(), v.to_rows()[1]["handled"]
    (datetime.date(2026, 3, 3), 0)
    """
    table = as_interactions(interactions)
    column = group_of(table, by, CONTACT_BY)
    period = as_window("period", period, optional=True)
    keep = in_period(table.start, period)
    start = end = None
    if period is not None:
        start, end = period.start, period.end
    b = buckets(table.start[keep], every=every, timezone=timezone, start=start, end=end)
    kind = np.where(table.blocked[keep], 2, np.where(table.abandoned[keep], 1, 0)).astype(np.int64)
    n = len(b)
    make = partial(Volume, windows=b.windows, every=every, timezone=b.timezone, period=period)
    handled, abandoned, blocked = _counts(kind, b.index, n)
    groups: dict[Key | None, Volume] = {}
    if column is not None:
        for key, rows in split_by_group(np.arange(len(kind)), column[keep]).items():
            g_handled, g_abandoned, g_blocked = _counts(kind[rows], b.index[rows], n)
            groups[key] = make(handled=g_handled, abandoned=g_abandoned, blocked=g_blocked)
    return make(handled=handled, abandoned=abandoned, blocked=blocked, by=by, groups=groups)


@attrs.frozen(kw_only=True, repr=False, unsafe_hash=False)
class Pareto(ToFrame):
    """Handled contacts per reason, largest first, with shares and the vital few.

    Returned by `pareto`.

    Attributes
    ----------
    by
        The field counted (``"category"`` by default).
    keys
        The reasons, by count descending; equal counts in key order, the
        missing key (None) last among them.
    counts
        int64 contacts per reason, in the order of ``keys``.
    share
        The cumulative share the vital few must reach, in (0, 1].
    excluded
        Contacts in scope left out because they were abandoned or blocked.
    period
        The ``period=`` used, or None.
    """

    by: str
    keys: tuple[Key | None, ...]
    counts: I64 = attrs.field(converter=_read_only, eq=_ARRAY_EQ)
    share: float
    excluded: int = 0
    period: Window | None = None

    def __len__(self) -> int:
        return len(self.keys)

    @property
    def total(self) -> int:
        """Handled contacts counted: the sum of ``counts``."""
        return int(self.counts.sum())

    @property
    def shares(self) -> F64:
        """Each reason's share of ``total``, in [0, 1]."""
        out: F64 = self.counts / self.total if self.total else np.zeros(0)
        return out

    @property
    def cumulative(self) -> F64:
        """Cumulative shares: non-decreasing, the last exactly 1.0."""
        out: F64 = np.cumsum(self.counts) / self.total if self.total else np.zeros(0)
        return out

    @property
    def vital_few(self) -> tuple[Key | None, ...]:
        """The fewest leading reasons whose cumulative share reaches ``share``.

        The reasons are taken in the order of ``keys``, so where equal counts
        straddle the cut the earlier key in that order is in; empty without
        contacts.
        """
        reached = np.flatnonzero(self.cumulative >= self.share)
        return self.keys[: int(reached[0]) + 1] if len(reached) else ()

    def to_rows(self) -> list[dict[str, Any]]:
        """One dict per reason: the key, ``count``, ``share``, ``cumulative``, ``vital``."""
        vital = len(self.vital_few)
        return [
            {
                self.by: key,
                "count": int(count),
                "share": float(share),
                "cumulative": float(cumulative),
                "vital": i < vital,
            }
            for i, (key, count, share, cumulative) in enumerate(
                zip(self.keys, self.counts, self.shares, self.cumulative, strict=True)
            )
        ]

    def rows(self) -> list[dict[str, Any]]:
        """The Pareto table, largest reason first: the same rows as `to_rows`."""
        return self.to_rows()

    def __repr__(self) -> str:
        return (
            f"Pareto(by={self.by!r}, {len(self)} keys, total={self.total}, share={self.share!r}, "
            f"vital_few={self.vital_few!r}, excluded={self.excluded})"
        )

    def _repr_html_(self) -> str:
        return html_table.records(self.to_rows(), empty=f"Pareto by {self.by}: no contacts")


def _share(value: object) -> float:
    number = finite(value)
    if number is None or not 0 < number <= 1:
        msg = f"share={shown(value)!r} is not allowed; use a fraction in (0, 1], e.g. 0.8"
        raise ValueError(msg)
    return number


@takes_tables("Interactions")
def pareto(
    interactions: Interactions | Tickets | Iterable[Interaction],
    /,
    *,
    by: ParetoBy = "category",
    share: float = 0.8,
    period: PeriodLike | None = None,
) -> Pareto:
    """Pareto of contact reasons: which few reasons make most of the work.

    ``count(reason) = handled contacts with that reason``, sorted descending;
    ``cumulative[i] = (count[0] + ... + count[i]) / total``. The *vital few*
    are the fewest leading reasons with ``cumulative >= share``: the 80/20
    reading that says where fixing a cause removes most contacts.

    Parameters
    ----------
    interactions
        `Interaction` objects or an `Interactions` table.
    by
        The field to rank: ``"category"`` (default, the contact reason),
        ``"channel"``, ``"agent_id"``, ``"customer_id"``, ``"priority"`` or
        ``"tier"``. Contacts without a value count under the key None, placed
        by its count like any other key.
    share
        The cumulative share the vital few must reach, in (0, 1]; default 0.8.
    period
        Count only contacts starting in the `Window`.

    Returns
    -------
    Pareto
        ``keys``, ``counts``, ``shares``, ``cumulative``, ``vital_few``,
        ``excluded`` (abandoned or blocked contacts left out), ``.to_rows()``.

    Raises
    ------
    ValueError
        ``by`` or ``share`` is not allowed.

    Warns
    -----
    UndefinedMetricWarning
        No handled contact in scope: no key, the shares are empty.

    Notes
    -----
    Equal counts are ordered by key (the missing key last), so the result
    never depends on the order of the input. Abandoned and blocked contacts
    are left out, as in `volume`, and counted in ``excluded``: they mostly
    carry no reason and would inflate the missing key. A key with no handled
    contact in scope is not listed.

    See Also
    --------
    volume : contacts per period.

    References
    ----------
    Juran, J. M., "Pareto, Lorenz, Cournot, Bernoulli, Juran and others",
    Industrial Quality Control 17(4), 1960 (the "vital few and trivial
    many"); ASQ, "What is a Pareto chart?".

    Examples
    --------
    >>> from datetime import datetime, timezone
    >>> from csmetrics import Interaction
    >>> t = datetime(2026, 3, 2, 9, tzinfo=timezone.utc)
    >>> reasons = ["billing"] * 5 + ["login"] * 3 + ["refund", None]
    >>> contacts = [Interaction(id=i, customer_id=i, start=t, category=c)
    ...             for i, c in enumerate(reasons)]
    >>> p = pareto(contacts)
    >>> p.keys, p.counts.tolist()
    (('billing', 'login', 'refund', None), [5, 3, 1, 1])
    >>> p.cumulative.tolist(), p.vital_few
    ([0.5, 0.8, 0.9, 1.0], ('billing', 'login'))
    """
    share = _share(share)
    period = as_window("period", period, optional=True)
    table = as_interactions(interactions)
    column = group_of(table, by, PARETO_BY)
    table.require("pareto", (by,))
    assert column is not None  # by is never None here
    scope = in_period(table.start, period)
    handled = scope & ~table.abandoned & ~table.blocked
    nkeys = len(column.keys)
    slot = np.where(column.codes < 0, nkeys, column.codes)[handled]
    size = np.bincount(slot, minlength=nkeys + 1)
    present = np.flatnonzero(size)
    # Count descending, then key order (codes are sorted keys; missing last).
    order = present[np.lexsort((present, -size[present]))]
    result = Pareto(
        by=by,
        keys=tuple(column.key(int(s)) if s < nkeys else None for s in order),
        counts=size[order],
        share=share,
        excluded=int((scope & ~handled).sum()),
        period=period,
    )
    if not result.total:
        warnings.warn(
            f"pareto is undefined: no handled contact in scope; there are no shares ({_SILENCE})",
            UndefinedMetricWarning,
            stacklevel=2,
        )
    return result
