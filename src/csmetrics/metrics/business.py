"""Business metrics: sales after contact, customer retention, uptime and occupancy.

- `sales_after_contact`: the share of contacts followed, within a window, by a
  sale to the same customer, a fraction in [0, 1]; higher is better. The result
  also carries the number of sales and the revenue attributed to the contacts
  (in the currency of the sales).
- `retention_rate`: customer retention rate from customer counts,
  ``(end - new) / start``, a fraction in [0, 1]; higher is better.
- `churn_rate`: ``1 - retention_rate`` on the same counts, a fraction in
  [0, 1]; lower is better.
- `cohort_retention`: the share of the customers who contacted support in one
  window who contact it again in a later window, a fraction in [0, 1]. Higher
  means more customers come back; whether that is good depends on why they come
  back (to buy, or to complain again).
- `uptime`: the share of a period a service was up, a fraction in [0, 1];
  higher is better. The result carries the downtime, the number of incidents,
  the mean time to restore service (MTTR; lower is better) and the mean time
  between failures (MTBF; higher is better) as `datetime.timedelta`.
- `occupancy`: the share of agents' working time spent handling contacts or
  wrapping them up, a fraction in [0, 1]. Neither end is good: low occupancy
  means agents wait for work, sustained very high occupancy (commonly put at
  above 85-90%) wears agents out and lengthens queues.

Inputs: `sales_after_contact` and `cohort_retention` take the contacts as

- `Interaction` objects (a list or any iterable);
- an `Interactions` table, the columnar form for large data;
- with the ``frames`` extra (``pip install "csmetrics[frames]"``), a pandas,
  polars or pyarrow table or a DuckDB relation whose columns are named like
  the `Interaction` fields (`Interactions.from_frame` converts one once, to
  compute several metrics on it).

The sales of `sales_after_contact` are `Sale` objects or a `Sales` table; the
agent time of `occupancy` is `AgentTime` objects or an `AgentTimes` table; the
outages of `uptime` are `Outage` objects. `retention_rate` and `churn_rate`
take customer counts.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from datetime import datetime, timedelta
from fractions import Fraction
from functools import partial
from typing import Any, ClassVar, Literal, TypeVar, overload

import attrs
import numpy as np
import numpy.typing as npt

from csmetrics.core.check import (
    RenamedField,
    bad_record,
    check_type,
    finite,
    keyword_now,
    non_negative,
    option,
    renamed,
    shown,
    takes_tables,
)
from csmetrics.core.episodes import (
    CONTACT_BY,
    ContactBy,
    as_interactions,
    ordered_rows,
    window_micros,
)
from csmetrics.core.errors import InvalidDataError
from csmetrics.core.exact import rounded
from csmetrics.core.model import (
    AGENT_STATES,
    AgentTime,
    Interaction,
    Key,
    Outage,
    PeriodLike,
    Sale,
    Window,
    as_window,
)
from csmetrics.core.reduce import (
    group_of,
    in_period,
    micros,
    reduce_counts,
    segment_cummax,
    segment_starts,
    warn_if_undefined,
)
from csmetrics.core.results import Breakdown, Rate, Result, check_count, exact_counts_of
from csmetrics.core.table import (
    OPEN,
    AgentTimes,
    Codes,
    Encoded,
    Interactions,
    Sales,
    from_micros,
    to_micros,
)
from csmetrics.core.tickets import Tickets

__all__ = [
    "CohortRetention",
    "Occupancy",
    "OccupancyDenominator",
    "SalesAfterContact",
    "Uptime",
    "churn_rate",
    "cohort_retention",
    "occupancy",
    "retention_rate",
    "sales_after_contact",
    "uptime",
]

I64 = npt.NDArray[np.int64]
F64 = npt.NDArray[np.float64]
Bool = npt.NDArray[np.bool_]
R = TypeVar("R", bound=Result)

_MICROS = 1_000_000

OccupancyDenominator = Literal["available", "logged_in"]
"""What `occupancy` divides the busy time by."""
OCCUPANCY_DENOMINATORS: tuple[OccupancyDenominator, ...] = ("available", "logged_in")
_HANDLING, _AVAILABLE, _WRAP, _BREAK = (
    AGENT_STATES.index(s) for s in ("handling", "available", "wrap", "break")
)


# -- shared steps ------------------------------------------------------------------------------


def _finite_at_least_zero(inst: object, attribute: attrs.Attribute[float], value: float) -> None:
    if (number := finite(value)) is None or number < 0:
        msg = f"{attribute.name}={value!r}: expected a finite number >= 0"
        raise ValueError(msg)


def _non_negative_timedelta(
    inst: object, attribute: attrs.Attribute[timedelta], value: timedelta
) -> None:
    if not isinstance(value, timedelta) or value < timedelta(0):
        msg = f"{attribute.name}={value!r}: expected a timedelta >= 0"
        raise ValueError(msg)


# -- sales after contact -----------------------------------------------------------------------


@attrs.frozen(order=False, kw_only=True, repr=False)
class SalesAfterContact(Rate):
    """Sales after contact: converted contacts / decided contacts, plus sales and revenue.

    ``numerator`` counts decided contacts with at least one sale attributed,
    ``denominator`` the decided contacts, ``pending`` the contacts whose window
    was still open at ``as_of`` (left out of everything else). ``sales`` and
    ``revenue`` are the number and the summed amount of the sales attributed to
    the decided contacts; each sale is attributed to one contact at most.
    """

    _counts: ClassVar[tuple[str, ...]] = (
        "numerator",
        "denominator",
        "pending",
        "sales",
        "revenue",
    )
    _params: ClassVar[tuple[str, ...]] = ("metric", "window_days", "as_of")
    _exact: ClassVar[tuple[str, ...]] = ("revenue",)

    pending: int = attrs.field(validator=check_count)
    sales: int = attrs.field(validator=check_count)
    revenue: float = attrs.field(validator=_finite_at_least_zero)
    window_days: float
    as_of: datetime | None
    metric: str = "sales_after_contact"
    exact_counts: tuple[Fraction, ...] | None = attrs.field(default=None, validator=exact_counts_of)
    """The exact revenue (a fraction) that ``revenue`` rounds; merges add it exactly."""

    within_days = RenamedField[float]("window_days")
    """Deprecated alias of ``window_days``; removed in 0.3."""

    @property
    def revenue_per_contact(self) -> float:
        """Attributed revenue per decided contact; nan without any."""
        return self.revenue / self.denominator if self.denominator else math.nan


def _as_sales(data: Sales | Iterable[Sale]) -> Sales:
    return data if isinstance(data, Sales) else Sales.from_records(data)


def _codes_in(target: Encoded, source: Encoded) -> I64:
    """Each ``source`` row's key as a code of ``target``'s keys; -1 where target lacks it."""
    codes = np.full(len(source.codes), -1, dtype=np.int64)
    if not len(target.keys) or not len(source.keys):
        return codes
    if (target.keys.dtype.kind == "U") != (source.keys.dtype.kind == "U"):
        kinds = {True: "str", False: "int"}
        msg = (
            f"customer_id keys are {kinds[target.keys.dtype.kind == 'U']} in the contacts but "
            f"{kinds[source.keys.dtype.kind == 'U']} in the sales; use one key type in both"
        )
        raise InvalidDataError(msg)
    position = np.minimum(np.searchsorted(target.keys, source.keys), len(target.keys) - 1)
    code_of_key = np.where(target.keys[position] == source.keys, position, -1)
    present = source.codes >= 0
    codes[present] = code_of_key[source.codes[present]]
    return codes


def _latest_contact(
    customer: Codes, start: I64, sale_customer: I64, sale_at: I64
) -> tuple[I64, Bool]:
    """For each sale, the position (in the sorted contacts) of its customer's latest contact.

    ``customer`` and ``start`` are the contacts sorted by (customer, start, id).
    Both columns become one sortable int64 key, ``customer * m + rank of
    time`` (the rank among all ``m`` times, equal times ranked alike), so one
    ``searchsorted`` finds, per sale, the last contact of the same customer
    that started at or before it (of equal starts, the last id). Returns the
    positions and whether one was found.
    """
    times = np.sort(np.concatenate((start, sale_at)))
    m = len(times)
    contact_key = customer.astype(np.int64) * m + np.searchsorted(times, start)
    sale_key = sale_customer * m + np.searchsorted(times, sale_at)
    position = np.searchsorted(contact_key, sale_key, side="right") - 1
    safe = np.maximum(position, 0)
    found = (sale_customer >= 0) & (position >= 0)
    if len(customer):
        found &= customer[safe] == sale_customer
    else:
        found[:] = False
    return safe, found


@overload
def sales_after_contact(
    interactions: Interactions | Tickets | Iterable[Interaction],
    sales: Sales | Iterable[Sale],
    /,
    *,
    window_days: float = 7,
    as_of: datetime | None = None,
    period: PeriodLike | None = None,
    by: None = None,
) -> SalesAfterContact: ...


@overload
def sales_after_contact(
    interactions: Interactions | Tickets | Iterable[Interaction],
    sales: Sales | Iterable[Sale],
    /,
    *,
    window_days: float = 7,
    as_of: datetime | None = None,
    period: PeriodLike | None = None,
    by: ContactBy,
) -> Breakdown[SalesAfterContact]: ...


@renamed(within_days="window_days")
@takes_tables("Interactions")
def sales_after_contact(
    interactions: Interactions | Tickets | Iterable[Interaction],
    sales: Sales | Iterable[Sale],
    /,
    *,
    window_days: float = 7,
    as_of: datetime | None = None,
    period: PeriodLike | None = None,
    by: ContactBy | None = None,
) -> SalesAfterContact | Breakdown[SalesAfterContact]:
    """Sales after contact: the share of contacts followed by a sale to the same customer.

    ``sales after contact = converted contacts / decided contacts``, with the
    number of attributed ``sales`` and their ``revenue`` alongside.

    A contact's *window* runs from its start to ``window_days`` after its end
    (after its start while it is still open), both ends inclusive, so a sale
    made during the contact counts. Each sale (``amount > 0``) is attributed to
    the customer's *latest* contact that started at or before the sale (of
    equal starts, the last by id): last-touch attribution. It counts when it
    falls in that contact's window; otherwise it is not attributed at all, even
    if an earlier contact's window still covers it, since the later contact
    superseded the earlier one. A sale counts once. A contact is *converted*
    when at least one sale is attributed to it.

    Parameters
    ----------
    interactions
        `Interaction` objects or an `Interactions` table.
    sales
        `Sale` objects or a `Sales` table. Records with ``amount <= 0``
        (refunds, free orders) are not sales: they neither convert a contact
        nor count in ``sales`` or ``revenue``.
    window_days
        Days after a contact's end during which a sale is attributed to it; a
        finite number >= 0 (0: only sales during the contact). The old name
        ``within_days=`` still works until 0.3, with a `DeprecationWarning`.
    as_of
        The moment up to which contacts and sales are complete. A contact whose
        window ends after ``as_of`` is *pending*: left out of the numerator,
        denominator, ``sales`` and ``revenue``, and counted in ``pending``.
        Contacts starting and sales made after ``as_of`` are ignored. Default:
        the latest contact start or sale in the data.
    period
        Keep contacts that start in the `Window`; their sales are looked for
        in all the data given, also after the period.
    by
        ``"agent_id"`` (the agent sales rate), ``"channel"``, ``"category"`` or
        ``"customer_id"``: a `Breakdown` by that field of the contact.

    Returns
    -------
    SalesAfterContact or Breakdown[SalesAfterContact]
        ``numerator`` (converted contacts), ``denominator`` (decided
        contacts), ``pending``, ``sales``, ``revenue`` and the parameters used.

    Raises
    ------
    InvalidDataError
        A record is invalid, or customer ids are str in one input and int in
        the other.
    ValueError
        An option is not allowed.

    Warns
    -----
    UndefinedMetricWarning
        No decided contact (empty input, or every contact pending).

    Notes
    -----
    Edge cases: a sale before any contact of its customer is not attributed; a
    sale exactly ``window_days`` after the end counts; a sale at the instant a
    contact starts belongs to it. Results merge (counts and revenue add) over
    parts that hold all contacts and sales of their customers, or over periods
    computed from the same data with the same explicit ``as_of``.

    See Also
    --------
    cohort_retention : whether customers come back at all.

    References
    ----------
    Last-touch attribution with a lookback window, as in web analytics (for
    example Google Analytics' "last click" model). The decided definition is in
    ``docs/decisions.md``.

    Examples
    --------
    >>> from datetime import datetime, timezone
    >>> from csmetrics import Interaction, Sale
    >>> from csmetrics.metrics.business import sales_after_contact
    >>> def at(day, hour=9):
    ...     return datetime(2026, 3, day, hour, tzinfo=timezone.utc)
    >>> contacts = [
    ...     Interaction(id="1", customer_id="ann", start=at(2), end=at(2, 10), agent_id="x"),
    ...     Interaction(id="2", customer_id="bob", start=at(2), end=at(2, 10), agent_id="y"),
    ... ]
    >>> sales = [
    ...     Sale(id="s1", customer_id="ann", at=at(4), amount=120.0),
    ...     Sale(id="s2", customer_id="bob", at=at(30), amount=80.0),  # too late
    ... ]
    >>> r = sales_after_contact(contacts, sales, window_days=7)
    >>> r.numerator, r.denominator, r.sales, r.revenue, float(r)
    (1, 2, 1, 120.0, 0.5)
    """
    table = as_interactions(interactions)
    sold = _as_sales(sales)
    days = non_negative("window_days", window_days)
    window = window_micros("window_days", days, allow_zero=True)
    if by is not None:
        option("by", by, CONTACT_BY)
    if as_of is not None:
        cutoff = micros("as_of", as_of)
    elif len(table) or len(sold):
        cutoff = max(int(column.max()) for column in (table.start, sold.at) if len(column))
        as_of = from_micros(cutoff)
    else:
        cutoff = 0
    table = table.view(table.start <= cutoff)
    group_column = group_of(table, by, CONTACT_BY)
    kept = (sold.at <= cutoff) & (sold.amount > 0)
    sale_customer = _codes_in(table.customer_id, sold.customer_id)[kept]
    sale_at, amount = sold.at[kept], sold.amount[kept]

    order = ordered_rows(table, table.customer_id.codes)
    window_end = np.where(table.is_open, table.start, table.end) + window
    position, found = _latest_contact(
        table.customer_id.codes[order], table.start[order], sale_customer, sale_at
    )
    n = len(table)
    contact, credited = position, np.zeros(len(sale_at), dtype=bool)
    if n:
        contact = order[position]
        credited = found & (sale_at <= window_end[contact])
    sales_of = np.bincount(contact[credited], minlength=n)

    decided = window_end <= cutoff
    keep = in_period(table.start, period)
    # Revenue is summed sale by sale (exactly), each sale counted for its
    # contact's row among the kept ones; -1 for a sale not counted.
    row_of = np.where(keep & decided, np.cumsum(keep) - 1, -1)
    revenue_row = np.where(credited, row_of[contact] if n else -1, -1)
    factory = partial(
        SalesAfterContact,
        window_days=days,
        as_of=as_of,
        period=period,
        metric="sales_after_contact",
    )
    result = reduce_counts(
        factory,
        {
            "numerator": (decided & (sales_of > 0))[keep],
            "denominator": decided[keep],
            "pending": ~decided[keep],
            "sales": np.where(decided, sales_of, 0)[keep],
        },
        None if group_column is None else group_column[keep],
        by,
        exact={"revenue": (amount, revenue_row)},
    )
    warn_if_undefined(
        result, "sales_after_contact", "no decided contact (empty input or all pending)"
    )
    return result


# -- retention ---------------------------------------------------------------------------------


def _customers(name: str, value: Any) -> int:
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)) or value < 0:
        msg = f"{name}={shown(value)!r} is not allowed; use a whole number of customers >= 0"
        raise ValueError(msg)
    return int(value)


def _kept(start: Any, end: Any, new: Any) -> tuple[int, int]:
    """Validate S, E, N; return (kept customers E - N, S)."""
    s, e, n = _customers("start", start), _customers("end", end), _customers("new", new)
    if n > e:
        msg = (
            f"new={n} is not allowed with end={e}: the customers at the end include "
            f"every new one, so new <= end"
        )
        raise ValueError(msg)
    if e - n > s:
        msg = (
            f"end={e} is not allowed with start={s} and new={n}: end - new = {e - n} "
            f"customers kept is more than the {s} there were at the start; "
            f"check that new counts every customer acquired in the period"
        )
        raise ValueError(msg)
    return e - n, s


def retention_rate(*, start: int, end: int, new: int) -> Rate:
    """Customer retention rate: the share of the period's starting customers still there.

    ``CRR = (E - N) / S``, with ``S`` customers at the start of the period,
    ``E`` at its end and ``N`` acquired during it.

    Parameters
    ----------
    start
        ``S``: customers at the start of the period, an int >= 0.
    end
        ``E``: customers at the end of the period, an int >= 0.
    new
        ``N``: customers acquired during the period, an int with
        ``N <= E`` and ``E - N <= S``.

    Returns
    -------
    Rate
        ``metric="retention_rate"``, ``numerator = E - N``,
        ``denominator = S``.

    Raises
    ------
    ValueError
        A count is negative or not an int, ``N > E``, or ``E - N > S``; the
        message names the value.

    Warns
    -----
    UndefinedMetricWarning
        ``S = 0``: no customer to retain.

    Notes
    -----
    The counts say nothing about *which* customers stayed: a customer who left
    and came back within the period counts as kept. Results merge over
    disjoint customer segments (regions, plans) of one period; merging
    different periods gives the customer-weighted mean of their rates, not the
    retention over the combined period.

    See Also
    --------
    churn_rate : ``1 - CRR`` on the same counts.
    cohort_retention : retention of the customers who contacted support.

    References
    ----------
    The customer retention rate formula ``((E - N) / S) x 100`` as commonly
    given in customer-success literature (for example HubSpot, "Customer
    Retention Rate").

    Examples
    --------
    >>> from csmetrics.metrics.business import retention_rate
    >>> r = retention_rate(start=200, end=210, new=40)
    >>> r.numerator, r.denominator, float(r)
    (170, 200, 0.85)
    """
    kept, total = _kept(start, end, new)
    result = Rate(numerator=kept, denominator=total, metric="retention_rate")
    warn_if_undefined(result, "retention_rate", "no customer at the start (start=0)")
    return result


def churn_rate(*, start: int, end: int, new: int) -> Rate:
    """Customer churn rate: the share of the period's starting customers lost.

    ``churn = (S - (E - N)) / S = 1 - CRR``, on the counts of `retention_rate`.

    Parameters
    ----------
    start
        ``S``: customers at the start of the period, an int >= 0.
    end
        ``E``: customers at the end of the period, an int >= 0.
    new
        ``N``: customers acquired during the period, an int with
        ``N <= E`` and ``E - N <= S``.

    Returns
    -------
    Rate
        ``metric="churn_rate"``, ``numerator = S - (E - N)``,
        ``denominator = S``.

    Raises
    ------
    ValueError
        As `retention_rate`.

    Warns
    -----
    UndefinedMetricWarning
        ``S = 0``.

    See Also
    --------
    retention_rate : ``(E - N) / S``.

    Examples
    --------
    >>> from csmetrics.metrics.business import churn_rate
    >>> r = churn_rate(start=200, end=210, new=40)
    >>> r.numerator, r.denominator, float(r)
    (30, 200, 0.15)
    """
    kept, total = _kept(start, end, new)
    result = Rate(numerator=total - kept, denominator=total, metric="churn_rate")
    warn_if_undefined(result, "churn_rate", "no customer at the start (start=0)")
    return result


@attrs.frozen(order=False, kw_only=True, repr=False)
class CohortRetention(Rate):
    """Cohort retention: active in ``baseline`` and ``current`` / active in ``baseline``."""

    _params: ClassVar[tuple[str, ...]] = ("metric", "baseline", "current")

    baseline: Window
    current: Window
    metric: str = "cohort_retention"

    first = RenamedField[Window]("baseline")
    """Deprecated alias of ``baseline``; removed in 0.3."""
    second = RenamedField[Window]("current")
    """Deprecated alias of ``current``; removed in 0.3."""


@renamed(first="baseline", second="current")
@takes_tables("Interactions")
def cohort_retention(
    interactions: Interactions | Tickets | Iterable[Interaction],
    /,
    *,
    baseline: Window,
    current: Window,
) -> CohortRetention:
    """Cohort retention: the share of customers who contact support again in a later window.

    ``cohort retention = customers with a contact in baseline and in current /
    customers with a contact in baseline``.

    A customer is *active* in a window when one of their contacts starts in it
    (any contact: abandoned, blocked and open contacts count too).

    Parameters
    ----------
    interactions
        `Interaction` objects or an `Interactions` table.
    baseline
        The `Window` that defines the cohort. The old name ``first=`` still
        works until 0.3, with a `DeprecationWarning`.
    current
        The later `Window` in which the cohort is looked for again; it must
        start no earlier than ``baseline`` ends. The old name ``second=``
        still works until 0.3, with a `DeprecationWarning`.

    Returns
    -------
    CohortRetention
        ``numerator`` (active in both), ``denominator`` (active in
        ``baseline``), ``baseline`` and ``current``.

    Raises
    ------
    TypeError
        ``baseline`` or ``current`` is not a `Window`.
    ValueError
        ``current`` starts before ``baseline`` ends.

    Warns
    -----
    UndefinedMetricWarning
        No customer is active in ``baseline``.

    Notes
    -----
    Activity here means contacting support, a proxy for being a customer that
    fits support data; where purchase or subscription data exists, it is the
    better signal. Results merge over parts that hold all contacts of their
    customers, computed with the same windows.

    See Also
    --------
    retention_rate : the same idea from customer counts.

    Examples
    --------
    >>> from datetime import datetime, timezone
    >>> from csmetrics import Interaction, Window
    >>> from csmetrics.metrics.business import cohort_retention
    >>> def at(month, day=2):
    ...     return datetime(2026, month, day, 9, tzinfo=timezone.utc)
    >>> contacts = [
    ...     Interaction(id="1", customer_id="ann", start=at(1)),
    ...     Interaction(id="2", customer_id="bob", start=at(1)),
    ...     Interaction(id="3", customer_id="ann", start=at(2)),
    ... ]
    >>> january = Window(start=at(1, 1), end=at(2, 1))
    >>> february = Window(start=at(2, 1), end=at(3, 1))
    >>> r = cohort_retention(contacts, baseline=january, current=february)
    >>> r.numerator, r.denominator, float(r)
    (1, 2, 0.5)
    """
    baseline = as_window("baseline", baseline)
    current = as_window("current", current)
    if current.start < baseline.end:
        msg = (
            f"current={current!r} is not allowed with baseline={baseline!r}: "
            "current must start no earlier than baseline ends"
        )
        raise ValueError(msg)
    table = as_interactions(interactions)
    customer = table.customer_id.codes
    nkeys = len(table.customer_id.keys)
    active_baseline = np.zeros(nkeys, dtype=bool)
    active_baseline[customer[in_period(table.start, baseline)]] = True
    active_current = np.zeros(nkeys, dtype=bool)
    active_current[customer[in_period(table.start, current)]] = True
    result = CohortRetention(
        numerator=int((active_baseline & active_current).sum()),
        denominator=int(active_baseline.sum()),
        baseline=baseline,
        current=current,
    )
    warn_if_undefined(result, "cohort_retention", "no customer active in the baseline window")
    return result


# -- uptime ------------------------------------------------------------------------------------


@attrs.frozen(order=False, kw_only=True, repr=False)
class Uptime(Result):
    """Uptime: the share of the covered time a service was up, with its incidents.

    ``length`` is the time covered (the period's length), ``downtime`` the
    time down within it (overlapping outages merged), ``incidents`` the number
    of separate down spells and ``ongoing`` how many of them were still down
    at the end of the period. ``mttr`` and ``mtbf`` follow ITIL's mean time to
    restore service (downtime / incidents) and mean time between failures
    (uptime / incidents).
    """

    _counts: ClassVar[tuple[str, ...]] = ("length", "downtime", "incidents", "ongoing")
    _params: ClassVar[tuple[str, ...]] = ("metric", "service")
    _unit: ClassVar[str] = "fraction"

    length: timedelta = attrs.field(validator=_non_negative_timedelta)
    downtime: timedelta = attrs.field(validator=_non_negative_timedelta)
    incidents: int = attrs.field(validator=check_count)
    ongoing: int = attrs.field(default=0, validator=check_count)
    service: Key | None = None
    metric: str = "uptime"

    def __attrs_post_init__(self) -> None:
        if self.downtime > self.length:
            msg = f"downtime {self.downtime} exceeds length {self.length}"
            raise ValueError(msg)
        if self.ongoing > self.incidents:
            msg = f"ongoing {self.ongoing} exceeds incidents {self.incidents}"
            raise ValueError(msg)
        if self.incidents == 0 and self.downtime:
            msg = f"downtime {self.downtime} without an incident"
            raise ValueError(msg)

    @property
    def uptime(self) -> timedelta:
        """Time up: ``length - downtime``."""
        return self.length - self.downtime

    @property
    def value(self) -> float:
        """``uptime / length``, in [0, 1]; nan for a zero length."""
        return self.uptime / self.length if self.length else math.nan

    @property
    def percent(self) -> float:
        """The value in percent (0..100)."""
        return 100 * self.value

    @property
    def mttr(self) -> timedelta | None:
        """Mean time to restore service: ``downtime / incidents``; None without an incident."""
        return self.downtime / self.incidents if self.incidents else None

    @property
    def mtbf(self) -> timedelta | None:
        """Mean time between failures: ``uptime / incidents``; None without an incident."""
        return self.uptime / self.incidents if self.incidents else None


def _outage_times(records: Iterable[Outage], service: Key | None) -> tuple[I64, I64]:
    """Start and end (`OPEN` while down) of the outages that affect ``service``."""
    starts: list[int] = []
    ends: list[int] = []
    for position, record in enumerate(records):
        check_type(position, record, Outage)
        if service is not None and record.service is not None and record.service != service:
            continue
        starts.append(to_micros(record.start))
        ends.append(OPEN if record.end is None else to_micros(record.end))
    return np.array(starts, dtype=np.int64), np.array(ends, dtype=np.int64)


def _merged_spells(start: I64, end: I64) -> tuple[I64, I64]:
    """Merge intervals ``[start, end)`` that overlap or touch into disjoint spells."""
    order = np.lexsort((end, start))
    start, end = start[order], end[order]
    reach = np.maximum.accumulate(end)
    new = np.ones(len(start), dtype=bool)
    new[1:] = start[1:] > reach[:-1]
    first = np.flatnonzero(new)
    spell_end = np.maximum.reduceat(end, first) if len(first) else end
    return start[first], spell_end


@keyword_now("period")
def uptime(outages: Iterable[Outage], /, *, period: Window, service: Key | None = None) -> Uptime:
    """Uptime: the share of a period the service was up.

    ``uptime = 1 - downtime / length of the period``, where ``downtime`` is the
    union of the outages clipped to the period.

    Each outage is clipped to ``[period.start, period.end)``; an ongoing outage
    (``end=None``) runs to the period's end. Outages that overlap or touch are
    merged into one *incident*; outages with nothing left inside the period
    (outside it, or of zero length) are not incidents. ``MTTR = downtime /
    incidents`` (the clipped, merged durations) and ``MTBF = (length -
    downtime) / incidents``, both None without an incident.

    Parameters
    ----------
    outages
        `Outage` objects (no outage: 100% uptime).
    period
        The `Window` measured, by keyword (``period=``) like every metric's
        period. Given by position, as before 0.2, it still works until 0.3,
        with a `DeprecationWarning`.
    service
        None (default): every outage counts, whatever its service. A service
        key: outages of that service and outages without a service (the whole
        product down) count.

    Returns
    -------
    Uptime
        ``value`` (in [0, 1]), ``length``, ``downtime``, ``incidents``,
        ``ongoing`` (incidents still down at the period's end), ``mttr`` and
        ``mtbf``.

    Raises
    ------
    InvalidDataError
        An item is not an `Outage`.
    TypeError
        ``period`` is not a `Window`.
    ValueError
        ``service`` is not a key or None.

    Notes
    -----
    An incident cut at the period's start or end (``ongoing``) counts with the
    part inside the period only, so MTTR then understates the real restore
    time. Results of consecutive periods merge (lengths, downtimes and
    incidents add), but an incident spanning the boundary counts in both. A
    service with no outage recorded is 100% up, also when its name is
    misspelt. Results of different services do not merge.

    See Also
    --------
    occupancy : how busy the agents were.

    References
    ----------
    ITIL Availability Management: availability = (agreed service time -
    downtime) / agreed service time; MTRS (mean time to restore service) =
    downtime / number of breaks; MTBF = uptime / number of breaks.

    Examples
    --------
    >>> from datetime import datetime, timezone
    >>> from csmetrics import Outage, Window
    >>> from csmetrics.metrics.business import uptime
    >>> def at(day, hour=0):
    ...     return datetime(2026, 3, day, hour, tzinfo=timezone.utc)
    >>> week = Window(start=at(2), end=at(9))
    >>> r = uptime([Outage(start=at(3, 10), end=at(3, 12))], period=week)
    >>> round(r.percent, 4), r.downtime, r.incidents, r.mttr
    (98.8095, datetime.timedelta(seconds=7200), 1, datetime.timedelta(seconds=7200))
    >>> uptime([], period=week).value
    1.0
    """
    period = as_window("period", period)
    if service is not None and (
        isinstance(service, bool)
        or not isinstance(service, (str, int))
        or (isinstance(service, str) and not service)
    ):
        msg = f"service={service!r} is not allowed; use a non-empty str, an int or None"
        raise ValueError(msg)
    start, end = _outage_times(outages, service)
    low, high = to_micros(period.start), to_micros(period.end)
    inside = np.minimum(end, high) > np.maximum(start, low)
    spell_start, spell_end = _merged_spells(start[inside], end[inside])
    clipped = np.minimum(spell_end, high) - np.maximum(spell_start, low)
    return Uptime(
        length=period.end - period.start,
        downtime=timedelta(microseconds=int(clipped.sum())),
        incidents=len(spell_start),
        ongoing=int((spell_end > high).sum()),
        service=service,
        period=period,
    )


# -- occupancy ---------------------------------------------------------------------------------


@attrs.frozen(order=False, kw_only=True, repr=False)
class Occupancy(Result):
    """Occupancy: busy seconds over the seconds in the denominator.

    ``busy_seconds`` is time handling contacts or in wrap-up,
    ``available_seconds`` time in the "available" state (waiting for work),
    ``break_seconds`` time on break. With ``denominator="available"`` the value
    is ``busy / (busy + available)``; with ``"logged_in"`` it is ``busy /
    (busy + available + break)``. The seconds add when results merge.
    """

    _counts: ClassVar[tuple[str, ...]] = ("busy_seconds", "available_seconds", "break_seconds")
    _params: ClassVar[tuple[str, ...]] = ("metric", "denominator")
    _unit: ClassVar[str] = "fraction"
    _seconds_fields: ClassVar[tuple[str, ...]] = _counts
    _exact: ClassVar[tuple[str, ...]] = _counts

    busy_seconds: float = attrs.field(validator=_finite_at_least_zero)
    available_seconds: float = attrs.field(validator=_finite_at_least_zero)
    break_seconds: float = attrs.field(default=0.0, validator=_finite_at_least_zero)
    denominator: OccupancyDenominator = "available"
    metric: str = "occupancy"
    exact_counts: tuple[Fraction, ...] | None = attrs.field(default=None, validator=exact_counts_of)
    """The exact busy, available and break seconds (fractions); merges add them exactly."""

    def __attrs_post_init__(self) -> None:
        option("denominator", self.denominator, OCCUPANCY_DENOMINATORS)

    @property
    def denominator_seconds(self) -> float:
        """The seconds the busy time is divided by."""
        total = self.busy_seconds + self.available_seconds
        return total + self.break_seconds if self.denominator == "logged_in" else total

    @property
    def value(self) -> float:
        """``busy_seconds / denominator_seconds``, in [0, 1]; nan when that is 0."""
        total = self.denominator_seconds
        return self.busy_seconds / total if total else math.nan

    @property
    def percent(self) -> float:
        """The value in percent (0..100)."""
        return 100 * self.value


def _occupancy(
    *,
    busy: float,
    available: float,
    pause: float,
    denominator: OccupancyDenominator,
    period: PeriodLike | None,
) -> Occupancy:
    # Whole microseconds: each total is exact, and rounded once to seconds.
    seconds = tuple(Fraction(int(micros), _MICROS) for micros in (busy, available, pause))
    return Occupancy(
        busy_seconds=rounded(seconds[0]),
        available_seconds=rounded(seconds[1]),
        break_seconds=rounded(seconds[2]),
        exact_counts=seconds,
        denominator=denominator,
        period=period,
    )


def _check_no_overlap(table: AgentTimes) -> None:
    """Refuse two intervals of one agent that overlap (zero-length ones aside)."""
    rows = np.flatnonzero(table.end > table.start)
    agent = table.agent_id.codes[rows]
    order = np.lexsort((table.end[rows], table.start[rows], agent))
    rows, agent = rows[order], agent[order]
    starts = segment_starts(agent)
    reach = segment_cummax(table.end[rows], starts)
    overlap = np.zeros(len(rows), dtype=bool)
    overlap[1:] = ~starts[1:] & (table.start[rows][1:] < reach[:-1])
    if overlap.any():
        i = int(np.flatnonzero(overlap)[0])
        row = int(rows[i])
        key = table.agent_id.key(int(agent[i]))
        bad_record(
            f"agent {key!r} at {from_micros(table.start[row])}",
            "start",
            from_micros(table.start[row]),
            f"overlaps an earlier interval of the agent ending {from_micros(reach[i - 1])}; "
            "an agent is in one state at a time",
        )


@overload
def occupancy(
    agent_time: AgentTimes | Iterable[AgentTime],
    /,
    *,
    by: None = None,
    denominator: OccupancyDenominator = "available",
    period: PeriodLike | None = None,
) -> Occupancy: ...


@overload
def occupancy(
    agent_time: AgentTimes | Iterable[AgentTime],
    /,
    *,
    by: Literal["agent_id"],
    denominator: OccupancyDenominator = "available",
    period: PeriodLike | None = None,
) -> Breakdown[Occupancy]: ...


def occupancy(
    agent_time: AgentTimes | Iterable[AgentTime],
    /,
    *,
    by: Literal["agent_id"] | None = None,
    denominator: OccupancyDenominator = "available",
    period: PeriodLike | None = None,
) -> Occupancy | Breakdown[Occupancy]:
    """Occupancy: the share of agents' working time spent on contacts.

    ``occupancy = (handling + wrap) / (handling + wrap + available)`` by
    default; with ``denominator="logged_in"``, break time joins the
    denominator: ``(handling + wrap) / (handling + wrap + available + break)``.

    Parameters
    ----------
    agent_time
        `AgentTime` objects or an `AgentTimes` table: each agent's logged-in
        time as intervals in one state, not overlapping.
    by
        None (default): the team's result; ``"agent_id"``: a `Breakdown`
        with one result per agent and the team's in ``.overall``.
    denominator
        - ``"available"`` (default): time handling, in wrap-up or available;
          breaks are left out. The usual contact-centre definition, which
          Erlang C's ``traffic / agents`` estimates.
        - ``"logged_in"``: all logged-in time, breaks included (sometimes
          called utilisation of logged-in time).
    period
        Clip every interval to the `Window`; intervals outside it drop out.

    Returns
    -------
    Occupancy or Breakdown[Occupancy]
        ``busy_seconds``, ``available_seconds``, ``break_seconds`` and the
        ``denominator`` used.

    Raises
    ------
    InvalidDataError
        A record is invalid, or two intervals of one agent overlap.
    ValueError
        An option is not allowed.

    Warns
    -----
    UndefinedMetricWarning
        No time in the denominator (empty input, only breaks with
        ``"available"``), overall or for an agent.

    Notes
    -----
    Seconds are not independent trials, so there is no ``.ci()``. Results
    merge over disjoint agents or disjoint periods (the seconds add). An agent
    handling two chats at once records one "handling" interval for the time
    busy, not one per chat.

    See Also
    --------
    csmetrics.metrics.staffing.agents_needed : plans staff for an occupancy cap.

    References
    ----------
    ICMI and Call Centre Helper definitions of occupancy: time on contacts
    (talk, hold, after-call work) over time on contacts plus time available.

    Examples
    --------
    >>> from datetime import datetime, timedelta, timezone
    >>> from csmetrics import AgentTime
    >>> from csmetrics.metrics.business import occupancy
    >>> t = datetime(2026, 3, 2, 9, tzinfo=timezone.utc)
    >>> def span(state, start, minutes):
    ...     return AgentTime(agent_id="x", start=t + timedelta(minutes=start),
    ...                      end=t + timedelta(minutes=start + minutes), state=state)
    >>> day = [span("handling", 0, 40), span("wrap", 40, 5), span("available", 45, 15),
    ...        span("break", 60, 15)]
    >>> r = occupancy(day)
    >>> r.busy_seconds, r.available_seconds, float(r)
    (2700.0, 900.0, 0.75)
    >>> float(occupancy(day, denominator="logged_in"))
    0.6
    """
    table = (
        agent_time if isinstance(agent_time, AgentTimes) else AgentTimes.from_records(agent_time)
    )
    option("denominator", denominator, OCCUPANCY_DENOMINATORS)
    group = group_of(table, by, ("agent_id",))
    _check_no_overlap(table)
    start, end = table.start, table.end
    period = as_window("period", period, optional=True)
    keep = in_period(start, period)
    if period is not None:
        # Intervals starting in the period, or running into it from before.
        low, high = to_micros(period.start), to_micros(period.end)
        keep |= (start < low) & (end > low)
        start, end = np.clip(start, low, high), np.clip(end, low, high)
    length = (end - start)[keep]
    state = table.state[keep]
    result = reduce_counts(
        partial(_occupancy, denominator=denominator, period=period),
        {
            "busy": np.where((state == _HANDLING) | (state == _WRAP), length, 0),
            "available": np.where(state == _AVAILABLE, length, 0),
            "pause": np.where(state == _BREAK, length, 0),
        },
        None if group is None else group[keep],
        by,
    )
    why = "no time handling, in wrap-up or available" + (
        " or on break" if denominator == "logged_in" else ""
    )
    warn_if_undefined(result, "occupancy", why)
    return result
