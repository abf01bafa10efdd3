"""Queue metrics: service level, average speed of answer, abandonment, blocking.

- `service_level`: share of contacts answered within a threshold, a fraction
  in [0, 1]; higher is better. Five published formulas, chosen by name.
- `asa`: average speed of answer, seconds; lower is better.
- `abandonment_rate`: abandoned / (answered + abandoned), a fraction in [0, 1];
  lower is better.
- `blocked_rate`: contacts that never reached a queue / attempted contacts, a
  fraction in [0, 1]; lower is better.

A contact's wait is from its start to its first human response (the
``first_response_at`` field, else the first public agent message, as in
`csmetrics.first_response_time`) when it was answered, and ``end - start``
when it was abandoned; with ``calendar=`` only business time counts. Blocked
contacts never queued: they count only in `blocked_rate`.

Inputs: every function takes the contacts as

- `Interaction` objects (a list or any iterable);
- an `Interactions` table, the columnar form for large data;
- with the ``frames`` extra (``pip install "csmetrics[frames]"``), a pandas,
  polars or pyarrow table or a DuckDB relation whose columns are named like
  the `Interaction` fields (`Interactions.from_frame` converts one once, to
  compute several metrics on it).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime, timedelta
from functools import partial
from typing import TYPE_CHECKING, Any, ClassVar, Literal, overload

import attrs
import numpy as np
import numpy.typing as npt

from csmetrics.core.check import option, takes_tables
from csmetrics.core.elapsed import (
    LATEST_EVENT,
    Threshold,
    elapsed,
    elapsed_into,
    latest_event,
    resolve_as_of,
    seconds,
    seconds_of_micros,
    spread,
    threshold_limits,
    thresholds,
)
from csmetrics.core.episodes import CONTACT_BY, ContactBy, as_interactions
from csmetrics.core.model import Interaction, PeriodLike, as_window
from csmetrics.core.parallel import map_chunks
from csmetrics.core.reduce import (
    MeanBlock,
    block_moments,
    block_slots,
    blocked_mean,
    group_of,
    in_period,
    micros,
    reduce_counts,
    reduce_mean,
    warn_if_undefined,
)
from csmetrics.core.results import Breakdown, Rate, TimeMean, check_count
from csmetrics.core.table import OPEN, Encoded, Interactions, from_micros, to_micros
from csmetrics.core.tickets import Tickets
from csmetrics.metrics import presets
from csmetrics.metrics.timing import FirstResponses, first_responses

if TYPE_CHECKING:
    from csmetrics.core.calendar import BusinessCalendar

__all__ = [
    "AbandonmentRate",
    "Formula",
    "ServiceLevel",
    "abandonment_rate",
    "asa",
    "blocked_rate",
    "service_level",
    "service_level_curve",
    "service_level_outcomes",
]

F64 = npt.NDArray[np.float64]
Bool = npt.NDArray[np.bool_]

Formula = Literal[
    "offered",
    "answered",
    "abandoned_within_met",
    "abandoned_within_excluded",
    "short_abandoned_excluded",
]
"""The published service-level formulas `service_level` supports."""
FORMULAS: tuple[Formula, ...] = (
    "offered",
    "answered",
    "abandoned_within_met",
    "abandoned_within_excluded",
    "short_abandoned_excluded",
)


# -- results -----------------------------------------------------------------------------------


@attrs.frozen(order=False, kw_only=True, repr=False)
class ServiceLevel(Rate):
    """Service level: contacts answered within the threshold over the formula's base.

    Keeps every queue count, so any of the five formulas' inputs can be read
    back: ``answered`` (AN), ``answered_within``, ``abandoned`` (AB),
    ``abandoned_within``, ``short_abandoned``, plus ``waiting`` (still queued
    at ``as_of``) and ``unanswered`` (closed without answer, not abandoned),
    which no formula uses.
    """

    _counts: ClassVar[tuple[str, ...]] = (
        "numerator",
        "denominator",
        "answered",
        "answered_within",
        "abandoned",
        "abandoned_within",
        "short_abandoned",
        "waiting",
        "unanswered",
    )
    _params: ClassVar[tuple[str, ...]] = (
        "metric",
        "formula",
        "preset",
        "threshold",
        "short_abandon",
        "calendar",
        "as_of",
    )

    answered: int = attrs.field(validator=check_count)
    answered_within: int = attrs.field(validator=check_count)
    abandoned: int = attrs.field(validator=check_count)
    abandoned_within: int = attrs.field(validator=check_count)
    short_abandoned: int = attrs.field(validator=check_count)
    waiting: int = attrs.field(validator=check_count)
    unanswered: int = attrs.field(validator=check_count)
    formula: str
    threshold: float | tuple[tuple[Any, float], ...]
    short_abandon: float | None
    calendar: BusinessCalendar | None
    as_of: datetime | None
    preset: str | None = None
    metric: str = "service_level"


@attrs.frozen(order=False, kw_only=True, repr=False)
class AbandonmentRate(Rate):
    """Abandoned over answered plus abandoned, short abandons optionally left out.

    ``waiting`` (still queued at ``as_of``) and ``unanswered`` (closed without
    answer, not abandoned) are counted but in neither part of the rate.
    """

    _counts: ClassVar[tuple[str, ...]] = (
        "numerator",
        "denominator",
        "short_abandoned",
        "waiting",
        "unanswered",
    )
    _params: ClassVar[tuple[str, ...]] = ("metric", "short_abandon", "calendar", "as_of")

    short_abandoned: int = attrs.field(validator=check_count)
    waiting: int = attrs.field(default=0, validator=check_count)
    unanswered: int = attrs.field(default=0, validator=check_count)
    short_abandon: float | None
    calendar: BusinessCalendar | None
    as_of: datetime | None
    metric: str = "abandonment_rate"


# -- metrics -----------------------------------------------------------------------------------


@attrs.frozen(kw_only=True)
class _Queue:
    """Per-contact queue outcome of the contacts in scope (``table``'s ``rows``)."""

    table: Interactions
    rows: npt.NDArray[np.intp] | slice  # slice(None): every contact
    answered: Bool
    abandoned: Bool
    waiting: Bool
    unanswered: Bool
    wait: F64  # seconds; nan unless answered or abandoned
    group: Encoded | None
    as_of: datetime | None


_CURVE_POINTS = 100
"""Points of `service_level_curve`'s default threshold grid."""


def _short_limit(formula: Formula, short_abandon: float | None) -> float | None:
    """Check ``formula`` and ``short_abandon`` together; the short-abandon limit in seconds."""
    option("formula", formula, FORMULAS)
    if (formula == "short_abandoned_excluded") != (short_abandon is not None):
        msg = (
            f"short_abandon={short_abandon!r} with formula={formula!r}: short_abandon is "
            "required by, and only allowed with, formula='short_abandoned_excluded'"
        )
        raise ValueError(msg)
    return None if short_abandon is None else seconds("short_abandon", short_abandon)


def _queue(
    interactions: Interactions | Tickets | Iterable[Interaction],
    as_of: datetime | None,
    period: PeriodLike | None,
    by: ContactBy | None,
    calendar: BusinessCalendar | None,
    *,
    metric: str,
    needs: tuple[str, ...] = ("first_response_at",),
) -> _Queue:
    table = as_interactions(interactions)
    table.require(metric, needs)
    table, _, as_of = resolve_as_of(table, as_of)
    # Index the few columns needed rather than taking the whole table; when
    # every contact is in scope (no period, none blocked), views of them.
    keep = ~table.blocked
    if period is not None:
        keep &= in_period(table.start, period)
    rows = slice(None) if keep.all() else np.flatnonzero(keep)
    del keep
    first = first_responses(table)
    response = first.response[rows]
    start, end = table.start[rows], table.end[rows]
    answered = response != OPEN
    abandoned = table.abandoned[rows]
    still_open = end == OPEN
    neither = ~(answered | abandoned)
    waiting = neither & still_open
    wait = np.full(len(response), np.nan)
    elapsed_into(wait, first.clock[rows], response, answered, calendar)
    elapsed_into(wait, start, end, abandoned, calendar)
    group = group_of(table, by, CONTACT_BY)
    return _Queue(
        table=table,
        rows=rows,
        answered=answered,
        abandoned=abandoned,
        waiting=waiting,
        unanswered=np.greater(neither, still_open),  # neither, and not open
        wait=wait,
        group=None if group is None else group[rows],
        as_of=as_of,
    )


def _in_scope(
    interactions: Interactions | Tickets | Iterable[Interaction],
    as_of: datetime | None,
    period: PeriodLike | None,
) -> tuple[Interactions, Bool, datetime | None]:
    """The table up to as_of, the contacts in scope (not blocked, in ``period``), and as_of.

    The scope of `_queue`, for `asa`, which reads only the answered contacts.
    """
    table = as_interactions(interactions)
    table.require("asa", ("first_response_at",))
    table, _, scope_as_of = resolve_as_of(table, as_of)
    keep = ~table.blocked
    if period is not None:
        keep &= in_period(table.start, period)
    return table, keep, scope_as_of


def _threshold_grid(thresholds: Iterable[float | timedelta] | None, waits: F64) -> F64:
    """The thresholds given, in seconds; by default an even grid up to the 95th percentile."""
    if thresholds is not None:
        given = [seconds(f"thresholds[{i}]", t) for i, t in enumerate(thresholds)]
        return np.array(given, dtype=np.float64)
    top = float(np.quantile(waits, 0.95)) if len(waits) else 0.0
    if top <= 0:
        top = float(waits.max()) if len(waits) and waits.max() > 0 else 1.0
    return np.linspace(0.0, top, _CURVE_POINTS + 1)[1:]


def service_level_curve(
    interactions: Interactions | Tickets | Iterable[Interaction],
    /,
    *,
    thresholds: Iterable[float | timedelta] | None,
    formula: Formula,
    short_abandon: float | None,
    as_of: datetime | None,
    period: PeriodLike | None,
    calendar: BusinessCalendar | None,
) -> tuple[F64, F64]:
    """`service_level` at every threshold of a grid, from one sort of the waits.

    The grid is ``thresholds`` (in seconds) or, by default, an even grid of
    `_CURVE_POINTS` up to the 95th percentile of the waits. Returns the grid
    and the service level at each point (nan where the denominator is empty).
    """
    short_limit = _short_limit(formula, short_abandon)
    q = _queue(interactions, as_of, period, None, calendar, metric="service_level")
    answered, abandoned = np.sort(q.wait[q.answered]), np.sort(q.wait[q.abandoned])
    grid = _threshold_grid(thresholds, np.concatenate((answered, abandoned)))
    # The same "wait <= threshold" as service_level, counted by binary search.
    an_within = np.searchsorted(answered, grid, side="right")
    ab_within = np.searchsorted(abandoned, grid, side="right")
    an, ab = len(answered), len(abandoned)
    short = 0 if short_limit is None else int(np.searchsorted(abandoned, short_limit, "right"))
    numerator = an_within + (ab_within if formula == "abandoned_within_met" else 0)
    base = {
        "offered": an + ab,
        "answered": an,
        "abandoned_within_met": an + ab,
        "abandoned_within_excluded": an + ab - ab_within,
        "short_abandoned_excluded": an + ab - short,
    }[formula]
    denominator = np.broadcast_to(np.asarray(base, dtype=np.int64), grid.shape)
    values = np.full(grid.shape, np.nan)
    np.divide(numerator, denominator, out=values, where=denominator > 0)
    return grid, values


def _service_level_counts(
    q: _Queue, threshold: Threshold, chosen: Formula, short_limit: float | None
) -> tuple[dict[str, Bool], Any]:
    """Per contact in scope, what it adds to each count of `ServiceLevel`; the threshold."""
    limit, threshold_param = thresholds(
        "threshold", threshold, q.table.channel[q.rows], q.table.id[q.rows]
    )
    answered_within = q.answered & (q.wait <= limit)
    abandoned_within = q.abandoned & (q.wait <= limit)
    short_abandoned = (
        q.abandoned & (q.wait <= short_limit)
        if short_limit is not None
        else np.zeros_like(q.answered)
    )
    numerator = answered_within | (abandoned_within if chosen == "abandoned_within_met" else False)
    denominator = {
        "offered": q.answered | q.abandoned,
        "answered": q.answered,
        "abandoned_within_met": q.answered | q.abandoned,
        "abandoned_within_excluded": q.answered | (q.abandoned & ~abandoned_within),
        "short_abandoned_excluded": q.answered | (q.abandoned & ~short_abandoned),
    }[chosen]
    counts = {
        "numerator": numerator,
        "denominator": denominator,
        "answered": q.answered,
        "answered_within": answered_within,
        "abandoned": q.abandoned,
        "abandoned_within": abandoned_within,
        "short_abandoned": short_abandoned,
        "waiting": q.waiting,
        "unanswered": q.unanswered,
    }
    return counts, threshold_param


def service_level_outcomes(
    interactions: Interactions | Tickets | Iterable[Interaction],
    /,
    *,
    threshold: Threshold,
    formula: Formula | None = None,
    short_abandon: float | None = None,
    as_of: datetime | None = None,
    calendar: BusinessCalendar | None = None,
    preset: str | None = None,
) -> tuple[dict[str, Bool], datetime | None]:
    """What each contact adds to each count of `service_level`, from the same steps; as_of.

    One boolean column per count of `ServiceLevel` (``numerator``,
    ``denominator``, ``answered``, ``answered_within``, ``abandoned``,
    ``abandoned_within``, ``short_abandoned``, ``waiting``, ``unanswered``),
    in the order of the input's rows, plus ``counted``: False for a blocked
    contact and one starting after ``as_of``, which no count includes. The
    options are `service_level`'s; each count of ``service_level(...)`` is
    the number of True in its column.

    Examples
    --------
    >>> from datetime import datetime, timedelta, timezone
    >>> from csmetrics import Interaction
    >>> t = datetime(2026, 3, 2, 9, tzinfo=timezone.utc)
    >>> calls = [
    ...     Interaction(id="1", customer_id="a", start=t,
    ...                 first_response_at=t + timedelta(seconds=10)),
    ...     Interaction(id="2", customer_id="b", start=t, end=t + timedelta(seconds=5),
    ...                 abandoned=True),
    ... ]
    >>> counts, as_of = service_level_outcomes(calls, threshold=20, preset="icmi-answered")
    >>> counts["numerator"].tolist(), counts["denominator"].tolist()
    ([True, False], [True, False])
    """
    whole = as_interactions(interactions)
    chosen: Formula = presets.resolve(  # type: ignore[assignment]
        "service_level", preset, {"formula": formula}, ("formula",)
    )["formula"]
    short_limit = _short_limit(chosen, short_abandon)
    q = _queue(whole, as_of, None, None, calendar, metric="service_level")
    counts, _ = _service_level_counts(q, threshold, chosen, short_limit)
    # The queue's rows are those of the table up to as_of: first spread to
    # it, then to the input's rows.
    cutoff = 0 if q.as_of is None else micros("as_of", q.as_of)
    out: dict[str, Bool] = {}
    for name, column in {**counts, "counted": np.ones(len(q.answered), bool)}.items():
        full = np.zeros(len(q.table), dtype=bool)
        full[q.rows] = column
        out[name] = spread(whole, q.table, cutoff, full, fill=False)
    return out, q.as_of


@overload
def service_level(
    interactions: Interactions | Tickets | Iterable[Interaction],
    /,
    *,
    threshold: Threshold,
    formula: Formula | None = None,
    short_abandon: float | None = None,
    as_of: datetime | None = None,
    period: PeriodLike | None = None,
    by: None = None,
    calendar: BusinessCalendar | None = None,
    preset: str | None = None,
) -> ServiceLevel: ...


@overload
def service_level(
    interactions: Interactions | Tickets | Iterable[Interaction],
    /,
    *,
    threshold: Threshold,
    formula: Formula | None = None,
    short_abandon: float | None = None,
    as_of: datetime | None = None,
    period: PeriodLike | None = None,
    by: ContactBy,
    calendar: BusinessCalendar | None = None,
    preset: str | None = None,
) -> Breakdown[ServiceLevel]: ...


@takes_tables("Interactions")
def service_level(
    interactions: Interactions | Tickets | Iterable[Interaction],
    /,
    *,
    threshold: Threshold,
    formula: Formula | None = None,
    short_abandon: float | None = None,
    as_of: datetime | None = None,
    period: PeriodLike | None = None,
    by: ContactBy | None = None,
    calendar: BusinessCalendar | None = None,
    preset: str | None = None,
) -> ServiceLevel | Breakdown[ServiceLevel]:
    """Service level: the share of contacts answered within the threshold.

    With AN answered, AB abandoned and "within" meaning wait <= threshold:

    - ``"offered"`` (default): AN within / (AN + AB)
    - ``"answered"``: AN within / AN
    - ``"abandoned_within_met"``: (AN within + AB within) / (AN + AB)
    - ``"abandoned_within_excluded"``: AN within / (AN + AB - AB within)
    - ``"short_abandoned_excluded"``: AN within / (AN + AB - AB with
      wait <= short_abandon)

    Parameters
    ----------
    interactions
        `Interaction` objects or an `Interactions` table.
    threshold
        The promise, in seconds or as a timedelta (typical: 20 s for phone, 1 h
        for email), or a mapping from channel to threshold, e.g.
        ``{"phone": 20, "email": 3600}`` (key None: contacts without channel).
    formula
        Which published formula; the default, ``"offered"``, counts every
        abandoned contact against the service level, so it never flatters.
        ICMI advises stating the formula beside every figure: the result
        records it.
    short_abandon
        Seconds under which an abandon is a "short abandon" (a misdial, a
        caller who hung up at once). Required by, and only allowed with,
        ``"short_abandoned_excluded"``.
    as_of
        Contacts starting after it are ignored; a contact neither answered nor
        abandoned and still open at ``as_of`` is *waiting* (counted, not in
        the formula). Default: the latest event in the data.
    period
        Keep contacts that start in the `Window`.
    by
        ``"agent_id"``, ``"channel"``, ``"category"`` or ``"customer_id"``.
    calendar
        A `BusinessCalendar`: measure waits in business time only.
    preset
        An ``icmi-*`` name of `csmetrics.presets` (``"icmi-answered"``, ...)
        naming the formula; an explicit ``formula`` beats it. The result
        records the preset.

    Returns
    -------
    ServiceLevel or Breakdown[ServiceLevel]
        A rate with the counts ``answered``, ``answered_within``,
        ``abandoned``, ``abandoned_within``, ``short_abandoned``, ``waiting``
        and ``unanswered`` (closed without an answer, not abandoned), and the
        parameters used.

    Raises
    ------
    ValueError
        A bad option, or ``short_abandon`` given or missing against the formula.
    InvalidDataError
        A contact whose channel has no threshold in the mapping, or the input
        gives no ``first_response_at`` column and no messages (decision 46).

    Warns
    -----
    UndefinedMetricWarning
        The denominator is 0.

    References
    ----------
    ICMI, "Service Level Calculations" (Queue Tips, 2002): the five formulas
    and a worked example; Cisco Unified ICM, service-level calculation modes.

    Examples
    --------
    >>> from datetime import datetime, timedelta, timezone
    >>> from csmetrics import Interaction, service_level
    >>> t = datetime(2026, 3, 2, 9, tzinfo=timezone.utc)
    >>> def call(i, wait, answered=True):
    ...     s = t + timedelta(minutes=i)
    ...     w = s + timedelta(seconds=wait)
    ...     if answered:
    ...         return Interaction(id=str(i), customer_id=str(i), start=s, first_response_at=w,
    ...                            end=w + timedelta(minutes=3))
    ...     return Interaction(id=str(i), customer_id=str(i), start=s, end=w, abandoned=True)
    >>> calls = [call(0, 5), call(1, 15), call(2, 45), call(3, 3, answered=False)]
    >>> sl = service_level(calls, threshold=20)
    >>> sl.numerator, sl.denominator, sl.value
    (2, 4, 0.5)
    >>> float(service_level(calls, threshold=20, formula="abandoned_within_excluded"))
    0.6666666666666666
    """
    chosen: Formula = presets.resolve(  # type: ignore[assignment]
        "service_level", preset, {"formula": formula}, ("formula",)
    )["formula"]
    short_limit = _short_limit(chosen, short_abandon)
    factory = partial(
        ServiceLevel,
        formula=chosen,
        preset=preset,
        short_abandon=short_limit,
        calendar=calendar,
        period=period,
    )
    # Without a calendar the waits are whole microseconds: counted in blocks.
    path = _service_level_blocked if calendar is None else _service_level_rows
    return path(
        interactions,
        threshold=threshold,
        formula=chosen,
        short_limit=short_limit,
        as_of=as_of,
        period=period,
        by=by,
        calendar=calendar,
        factory=factory,
    )


_STATES = 10
"""Queue states a contact is counted in by `_queue_counts` (0: out of scope).

1 answered late, 2 answered within, 3 abandoned late, 4 abandoned within,
5 abandoned late and short, 6 abandoned within and short, 7 waiting,
8 unanswered, 9 (`_NO_THRESHOLD`) its channel has no threshold: an error.
"""
_NO_THRESHOLD = 9


def _micros_within(limit: float) -> int:
    """The largest int64 span ``d`` (microseconds) whose seconds ``d / 1e6`` are <= ``limit``.

    ``float(d) / 1e6`` is what `csmetrics.core.elapsed.elapsed_into` computes
    and rounds monotonically in ``d``, so ``wait <= limit`` in float seconds is
    ``d <= _micros_within(limit)`` in integers, for every int64 ``d``.
    ``limit`` is positive (a validated threshold), so the answer is >= 0.
    """
    lo, hi = 0, int(np.iinfo(np.int64).max)
    if float(hi) / _MICROS_PER_SECOND <= limit:
        return hi
    while hi - lo > 1:  # invariant: lo within, hi not
        mid = (lo + hi) // 2
        if float(mid) / _MICROS_PER_SECOND <= limit:
            lo = mid
        else:
            hi = mid
    return lo


_MICROS_PER_SECOND = 1_000_000


def _latest_in_block(table: Interactions, part: slice) -> int:
    """`csmetrics.core.elapsed.latest_event` of a block of rows, messages left out."""
    floor = int(np.iinfo(np.int64).min)
    if part.stop <= part.start:
        return floor
    end, recorded = table.end[part], table.first_response[part]
    return max(
        int(table.start[part].max()),
        int(end.max(where=end != OPEN, initial=floor)),
        int(recorded.max(where=recorded != OPEN, initial=floor)),
    )


def _state_block(
    part: slice,
    *,
    table: Interactions,
    first: FirstResponses | None,
    within: int | npt.NDArray[np.int64],
    short: int | None,
    bounds: tuple[int, int] | None,
    group: Encoded | None,
) -> npt.NDArray[np.int64]:
    """`_queue_counts` of one block of rows."""
    start, end = table.start[part], table.end[part]
    abandoned = table.abandoned[part]
    if first is None:
        response, clock = table.first_response[part], start
        answered = response != OPEN
        answered &= ~abandoned
    else:
        response, clock = first.response[part], first.clock[part]
        answered = response != OPEN
    wait = end - start  # microseconds; an abandoned contact's wait
    np.subtract(response, clock, out=wait, where=answered)
    limit = within[table.channel.codes[part]] if isinstance(within, np.ndarray) else within
    state = np.less_equal(wait, limit).view(np.uint8)
    state += 1  # answered: 1 late, 2 within
    if short is not None:
        extra = np.less_equal(wait, short).view(np.uint8)
        extra += 1
        extra <<= 1  # abandoned: 2 more, 4 more when short
        extra *= abandoned
    else:
        extra = abandoned.view(np.uint8) << 1
    state += extra
    neither = ~(answered | abandoned)
    np.copyto(state, np.uint8(8) - (end == OPEN).view(np.uint8), where=neither)
    if isinstance(limit, np.ndarray):
        np.copyto(state, np.uint8(_NO_THRESHOLD), where=limit < 0)
    keep = ~table.blocked[part]
    if bounds is not None:
        keep &= start >= bounds[0]
        keep &= start < bounds[1]
    state *= keep
    if group is None:
        return np.bincount(state, minlength=_STATES)
    nslots = len(group.keys) + 1
    code = group.codes[part].astype(np.intp)
    code[code < 0] = nslots - 1
    code *= _STATES
    code += state
    return np.bincount(code, minlength=nslots * _STATES)


def _queue_counts(
    table: Interactions,
    within: int | npt.NDArray[np.int64],
    short: int | None,
    period: PeriodLike | None,
    group: Encoded | None,
    *,
    latest: bool,
) -> tuple[npt.NDArray[np.int64], int | None]:
    """Contacts per (group, queue state), summed over blocks of rows (no calendar).

    ``within`` is the largest wait in microseconds within the threshold, or
    one per channel code (the contacts without a channel last); ``short``
    likewise for short abandons. Returns the counts, one row per group code
    (the contacts without a key last; one row without ``group``) and one
    column per state of `_STATES`, and, with ``latest``, the table's latest
    event (`csmetrics.core.elapsed.latest_event`) found in the same pass.
    The per-row work runs in blocks on `csmetrics.core.parallel`'s threads;
    integer counts add up the same for any blocks and threads.
    """
    window = as_window("period", period, optional=True)
    kernel = partial(
        _state_block,
        table=table,
        first=first_responses(table) if len(table.messages) else None,
        within=within,
        short=short,
        bounds=None if window is None else (to_micros(window.start), to_micros(window.end)),
        group=group,
    )
    nslots = 1 if group is None else len(group.keys) + 1

    def block(part: slice) -> tuple[npt.NDArray[np.int64], int | None]:
        return kernel(part), _latest_in_block(table, part) if latest else None

    parts = map_chunks(block, len(table))
    counts = np.sum([c for c, _ in parts], axis=0, dtype=np.int64).reshape(nslots, _STATES)
    return counts, _latest_of_blocks(table, [late for _, late in parts]) if latest else None


def _latest_of_blocks(table: Interactions, blocks: list[int | None]) -> int | None:
    """`latest_event` from the blocks' `_latest_in_block` and the messages (None: no contact)."""
    if not len(table):
        return None
    moment = max(late for late in blocks if late is not None)
    if len(table.messages):
        moment = max(moment, int(table.messages.at.max()))
    return moment


def _default_as_of(table: Interactions, moment: int | None) -> datetime | None:
    """The default as_of of `latest_event` ``moment``, kept on the table's memo."""
    if moment is None:
        return None
    table.memo[LATEST_EVENT] = moment
    return from_micros(moment)


def _service_level_rows(
    interactions: Interactions | Tickets | Iterable[Interaction],
    *,
    threshold: Threshold,
    formula: Formula,
    short_limit: float | None,
    as_of: datetime | None,
    period: PeriodLike | None,
    by: ContactBy | None,
    calendar: BusinessCalendar | None,
    factory: Callable[..., ServiceLevel],
) -> ServiceLevel | Breakdown[ServiceLevel]:
    """`service_level` from each contact's wait in seconds (`_queue`); any calendar."""
    q = _queue(interactions, as_of, period, by, calendar, metric="service_level")
    counts, threshold_param = _service_level_counts(q, threshold, formula, short_limit)
    result = reduce_counts(
        partial(factory, threshold=threshold_param, as_of=q.as_of),
        counts,
        q.group,
        by,
    )
    warn_if_undefined(result, "service_level", "no answered or abandoned contact in scope")
    return result


def _service_level_blocked(
    interactions: Interactions | Tickets | Iterable[Interaction],
    *,
    threshold: Threshold,
    formula: Formula,
    short_limit: float | None,
    as_of: datetime | None,
    period: PeriodLike | None,
    by: ContactBy | None,
    calendar: BusinessCalendar | None,
    factory: Callable[..., ServiceLevel],
) -> ServiceLevel | Breakdown[ServiceLevel]:
    """`service_level` without a calendar: integer waits counted per queue state in blocks.

    The same counts as the general path (`_queue`), from one fused pass over
    the columns: the threshold is compared with the wait in microseconds
    (`_micros_within`), and each contact's state is counted per group.
    """
    if calendar is not None:
        msg = "the blocked path counts calendar time only"
        raise ValueError(msg)
    table = as_interactions(interactions)
    table.require("service_level", ("first_response_at",))
    if as_of is not None:
        table, _, _ = resolve_as_of(table, as_of)
    as_window("period", period, optional=True)  # checked before the thresholds, as in _queue
    group = group_of(table, by, CONTACT_BY)
    limits, threshold_param = threshold_limits("threshold", threshold, table.channel)
    if isinstance(limits, float):
        within: int | npt.NDArray[np.int64] = _micros_within(limits)
    else:  # a channel without a threshold: -1, counted in state 9 (`_STATES`)
        within = np.array(
            [-1 if np.isnan(x) else _micros_within(float(x)) for x in limits], dtype=np.int64
        )
    short = None if short_limit is None else _micros_within(short_limit)
    fuse = as_of is None and LATEST_EVENT not in table.memo
    counts, latest = _queue_counts(table, within, short, period, group, latest=fuse)
    if not isinstance(limits, float) and counts[:, _NO_THRESHOLD].any():
        _check_thresholds(table, threshold, limits, period)
    if as_of is None:
        as_of = _default_as_of(table, latest if fuse else latest_event(table))
    build = partial(factory, threshold=threshold_param, as_of=as_of)

    def result(c: npt.NDArray[np.int64]) -> ServiceLevel:
        answered, abandoned = int(c[1] + c[2]), int(c[3:7].sum())
        answered_within, abandoned_within = int(c[2]), int(c[4] + c[6])
        short_abandoned = int(c[5] + c[6])
        numerator = answered_within + (abandoned_within if formula == "abandoned_within_met" else 0)
        denominator = {
            "offered": answered + abandoned,
            "answered": answered,
            "abandoned_within_met": answered + abandoned,
            "abandoned_within_excluded": answered + abandoned - abandoned_within,
            "short_abandoned_excluded": answered + abandoned - short_abandoned,
        }[formula]
        return build(
            numerator=numerator,
            denominator=denominator,
            answered=answered,
            answered_within=answered_within,
            abandoned=abandoned,
            abandoned_within=abandoned_within,
            short_abandoned=short_abandoned,
            waiting=int(c[7]),
            unanswered=int(c[8]),
        )

    overall = result(counts.sum(axis=0))
    out: ServiceLevel | Breakdown[ServiceLevel] = overall
    if group is not None and by is not None:
        present = np.flatnonzero(counts[:, 1:].sum(axis=1))
        nkeys = len(group.keys)
        out = Breakdown(
            by=by,
            overall=overall,
            groups={group.key(int(s) if s < nkeys else -1): result(counts[s]) for s in present},
        )
    warn_if_undefined(out, "service_level", "no answered or abandoned contact in scope")
    return out


def _check_thresholds(
    table: Interactions,
    threshold: Threshold,
    limits: npt.NDArray[np.float64],
    period: PeriodLike | None,
) -> None:
    """Raise as `thresholds` does when a contact in scope has a channel without a threshold."""
    keep = ~table.blocked
    if period is not None:
        keep &= in_period(table.start, period)
    if np.isnan(limits[table.channel.codes[keep]]).any():
        rows = np.flatnonzero(keep)
        thresholds("threshold", threshold, table.channel[rows], table.id[rows])


@overload
def asa(
    interactions: Interactions | Tickets | Iterable[Interaction],
    /,
    *,
    as_of: datetime | None = None,
    period: PeriodLike | None = None,
    by: None = None,
    calendar: BusinessCalendar | None = None,
) -> TimeMean: ...


@overload
def asa(
    interactions: Interactions | Tickets | Iterable[Interaction],
    /,
    *,
    as_of: datetime | None = None,
    period: PeriodLike | None = None,
    by: ContactBy,
    calendar: BusinessCalendar | None = None,
) -> Breakdown[TimeMean]: ...


@takes_tables("Interactions")
def asa(
    interactions: Interactions | Tickets | Iterable[Interaction],
    /,
    *,
    as_of: datetime | None = None,
    period: PeriodLike | None = None,
    by: ContactBy | None = None,
    calendar: BusinessCalendar | None = None,
) -> TimeMean | Breakdown[TimeMean]:
    """Average speed of answer: how long answered customers waited, on average.

    ``ASA = sum of waits of answered contacts / answered contacts``, in seconds,
    a wait being ``first_response_at - start``. Abandoned and waiting contacts
    are not in it (see `abandonment_rate` and `service_level`). Merged results
    weight each part by its number of answered contacts.

    Parameters
    ----------
    interactions
        As for `service_level`.
    as_of
        As for `service_level`.
    period
        As for `service_level`.
    by
        As for `service_level`.
    calendar
        As for `service_level`.

    Returns
    -------
    TimeMean or Breakdown[TimeMean]
        ``n`` answered contacts, ``mean`` seconds, ``std`` and ``.ci()``.

    Warns
    -----
    UndefinedMetricWarning
        No answered contact in scope.

    Examples
    --------
    >>> from datetime import datetime, timedelta, timezone
    >>> from csmetrics import Interaction, asa
    >>> t = datetime(2026, 3, 2, 9, tzinfo=timezone.utc)
    >>> calls = [Interaction(id=str(w), customer_id="c", start=t,
    ...                      first_response_at=t + timedelta(seconds=w)) for w in (10, 20, 60)]
    >>> asa(calls).value
    30.0
    """
    if calendar is None:
        table = as_interactions(interactions)
        table.require("asa", ("first_response_at",))
        if as_of is not None:
            table, _, _ = resolve_as_of(table, as_of)
        as_window("period", period, optional=True)  # checked before by=, as in _in_scope
        group = group_of(table, by, CONTACT_BY)
        if group is None or len(group.keys) < _BLOCKED_GROUPS:
            return _asa_blocked(table, as_of=as_of, period=period, by=by, group=group)
        interactions = table  # many groups: summed once
    return _asa_rows(interactions, as_of=as_of, period=period, by=by, calendar=calendar)


def _asa_rows(
    interactions: Interactions | Tickets | Iterable[Interaction],
    *,
    as_of: datetime | None,
    period: PeriodLike | None,
    by: ContactBy | None,
    calendar: BusinessCalendar | None,
) -> TimeMean | Breakdown[TimeMean]:
    """`asa` from every answered contact's wait at once; any calendar, any number of groups."""
    table, answered, scope_as_of = _in_scope(interactions, as_of, period)
    first = first_responses(table)
    answered &= first.response != OPEN
    # The waits of the answered contacts alone: the other queue states
    # (abandoned, waiting) do not enter the average.
    waits = elapsed(first.clock[answered], first.response[answered], calendar)
    group = group_of(table, by, CONTACT_BY)
    result = reduce_mean(
        partial(TimeMean, metric="asa", calendar=calendar, as_of=scope_as_of, period=period),
        waits,
        None if group is None else group[answered],
        by,
    )
    warn_if_undefined(result, "asa", "no answered contact in scope")
    return result


_BLOCKED_GROUPS = 4096
"""Up to this many groups, `asa` adds per-block exact sums per group; more are summed once."""


def _wait_block(
    part: slice,
    *,
    table: Interactions,
    first: FirstResponses | None,
    bounds: tuple[int, int] | None,
    group: Encoded | None,
) -> MeanBlock:
    """Answered contacts, exact sums of waits and of their squares, per group slot, of a block."""
    start = table.start[part]
    keep = ~table.blocked[part]
    if bounds is not None:
        keep &= start >= bounds[0]
        keep &= start < bounds[1]
    if first is None:
        response, clock = table.first_response[part], start
        keep &= ~table.abandoned[part]
    else:
        response, clock = first.response[part], first.clock[part]
    answered = response != OPEN
    answered &= keep
    # The seconds of `csmetrics.core.elapsed.elapsed`: microseconds / 1e6.
    # One subtraction over the block and one gather cost less than gathering
    # both columns; the differences of other rows (OPEN minus a time may
    # wrap around) are not gathered.
    waits = seconds_of_micros((response - clock)[answered])
    return block_moments(waits, *block_slots(group, part, answered))


def _asa_blocked(
    table: Interactions,
    *,
    as_of: datetime | None,
    period: PeriodLike | None,
    by: ContactBy | None,
    group: Encoded | None,
) -> TimeMean | Breakdown[TimeMean]:
    """`asa` without a calendar: the waits summed exactly in blocks of rows, on threads.

    Exact sums add the same for any blocks (`csmetrics.core.exact`), so the
    mean and its moments are the same bits as from one pass over every wait.

    ``table`` is the contacts up to ``as_of`` when it is given; ``group`` is
    the ``by=`` column of ``table``.
    """
    window = as_window("period", period, optional=True)
    kernel = partial(
        _wait_block,
        table=table,
        first=first_responses(table) if len(table.messages) else None,
        bounds=None if window is None else (to_micros(window.start), to_micros(window.end)),
        group=group,
    )
    fuse = as_of is None and LATEST_EVENT not in table.memo

    def block(part: slice) -> tuple[MeanBlock, int | None]:
        return kernel(part), _latest_in_block(table, part) if fuse else None

    parts = map_chunks(block, len(table))
    if as_of is None:
        moment = (
            _latest_of_blocks(table, [late for _, late in parts]) if fuse else latest_event(table)
        )
        as_of = _default_as_of(table, moment)
    result = blocked_mean(
        partial(TimeMean, metric="asa", calendar=None, as_of=as_of, period=period),
        [sums for sums, _ in parts],
        group,
        by,
    )
    warn_if_undefined(result, "asa", "no answered contact in scope")
    return result


@overload
def abandonment_rate(
    interactions: Interactions | Tickets | Iterable[Interaction],
    /,
    *,
    short_abandon: float | None = None,
    as_of: datetime | None = None,
    period: PeriodLike | None = None,
    by: None = None,
    calendar: BusinessCalendar | None = None,
) -> AbandonmentRate: ...


@overload
def abandonment_rate(
    interactions: Interactions | Tickets | Iterable[Interaction],
    /,
    *,
    short_abandon: float | None = None,
    as_of: datetime | None = None,
    period: PeriodLike | None = None,
    by: ContactBy,
    calendar: BusinessCalendar | None = None,
) -> Breakdown[AbandonmentRate]: ...


@takes_tables("Interactions")
def abandonment_rate(
    interactions: Interactions | Tickets | Iterable[Interaction],
    /,
    *,
    short_abandon: float | None = None,
    as_of: datetime | None = None,
    period: PeriodLike | None = None,
    by: ContactBy | None = None,
    calendar: BusinessCalendar | None = None,
) -> AbandonmentRate | Breakdown[AbandonmentRate]:
    """Abandonment rate: the share of queued customers who gave up waiting.

    ``abandonment rate = AB / (AN + AB)``; with ``short_abandon``, abandons
    with a wait of at most that many seconds are left out of both numerator and
    denominator (counted in ``short_abandoned``):
    ``(AB - AB short) / (AN + AB - AB short)``.

    Parameters
    ----------
    short_abandon
        Seconds; None (default) counts every abandon.
    interactions
        As for `service_level`.
    as_of
        As for `service_level`.
    period
        As for `service_level`.
    by
        As for `service_level`.
    calendar
        As for `service_level`.

    Returns
    -------
    AbandonmentRate or Breakdown[AbandonmentRate]

    Warns
    -----
    UndefinedMetricWarning
        No answered or abandoned contact in scope.

    Examples
    --------
    >>> from datetime import datetime, timedelta, timezone
    >>> from csmetrics import Interaction, abandonment_rate
    >>> t = datetime(2026, 3, 2, 9, tzinfo=timezone.utc)
    >>> calls = [
    ...     Interaction(id="1", customer_id="a", start=t, first_response_at=t),
    ...     Interaction(id="2", customer_id="b", start=t, end=t + timedelta(seconds=3),
    ...                 abandoned=True),
    ...     Interaction(id="3", customer_id="c", start=t, end=t + timedelta(seconds=90),
    ...                 abandoned=True),
    ... ]
    >>> abandonment_rate(calls).value, abandonment_rate(calls, short_abandon=5).value
    (0.6666666666666666, 0.5)
    """
    limit = seconds("short_abandon", short_abandon) if short_abandon is not None else None
    q = _queue(
        interactions,
        as_of,
        period,
        by,
        calendar,
        metric="abandonment_rate",
        needs=("first_response_at", "abandoned"),
    )
    short = q.abandoned & (q.wait <= limit) if limit is not None else np.zeros_like(q.abandoned)
    result = reduce_counts(
        partial(
            AbandonmentRate, short_abandon=limit, calendar=calendar, as_of=q.as_of, period=period
        ),
        {
            "numerator": q.abandoned & ~short,
            "denominator": (q.answered | q.abandoned) & ~short,
            "short_abandoned": short,
            "waiting": q.waiting,
            "unanswered": q.unanswered,
        },
        q.group,
        by,
    )
    warn_if_undefined(result, "abandonment_rate", "no answered or abandoned contact in scope")
    return result


@overload
def blocked_rate(
    interactions: Interactions | Tickets | Iterable[Interaction],
    /,
    *,
    as_of: datetime | None = None,
    period: PeriodLike | None = None,
    by: None = None,
) -> Rate: ...


@overload
def blocked_rate(
    interactions: Interactions | Tickets | Iterable[Interaction],
    /,
    *,
    as_of: datetime | None = None,
    period: PeriodLike | None = None,
    by: ContactBy,
) -> Breakdown[Rate]: ...


@takes_tables("Interactions")
def blocked_rate(
    interactions: Interactions | Tickets | Iterable[Interaction],
    /,
    *,
    as_of: datetime | None = None,
    period: PeriodLike | None = None,
    by: ContactBy | None = None,
) -> Rate | Breakdown[Rate]:
    """Blocked rate: the share of attempted contacts that never reached a queue.

    ``blocked rate = blocked / attempted``, where attempted counts every
    contact in scope, blocked or not (busy signals, capacity limits).

    Parameters
    ----------
    interactions
        As for `service_level`.
    as_of
        As for `service_level`.
    period
        As for `service_level`.
    by
        As for `service_level`.

    Returns
    -------
    Rate or Breakdown[Rate]
        ``metric="blocked_rate"``.

    Warns
    -----
    UndefinedMetricWarning
        No contact in scope.

    Examples
    --------
    >>> from datetime import datetime, timezone
    >>> from csmetrics import Interaction, blocked_rate
    >>> t = datetime(2026, 3, 2, 9, tzinfo=timezone.utc)
    >>> calls = [Interaction(id=str(i), customer_id="c", start=t, blocked=i < 1) for i in range(4)]
    >>> blocked_rate(calls).value
    0.25
    """
    table = as_interactions(interactions)
    table.require("blocked_rate", ("blocked",))
    table, _, _ = resolve_as_of(table, as_of)
    table = table.view(in_period(table.start, period))
    result = reduce_counts(
        partial(Rate, metric="blocked_rate", period=period),
        {"numerator": table.blocked, "denominator": np.ones(len(table), bool)},
        group_of(table, by, CONTACT_BY),
        by,
    )
    warn_if_undefined(result, "blocked_rate", "no contact in scope")
    return result
