"""SLA policies and attainment: whether promised response and resolution times were kept.

`sla_attainment` is a fraction in [0, 1], higher is better: targets met over
targets decided (met or breached). Targets still open within their time are
pending, like FCR episodes whose window is open.

A `SLAPolicy` is an ordered list of `SLARule` objects; a contact gets the
targets of the first rule whose ``priority`` and ``tier`` match it (None
matches anything). Each target is a `SLATarget`: seconds, in calendar time or,
with ``business=True``, in the policy's `BusinessCalendar`.

Inputs: `sla_attainment` takes an `SLAPolicy` and the contacts as

- `Interaction` objects (a list or any iterable);
- an `Interactions` table, the columnar form for large data;
- with the ``frames`` extra (``pip install "csmetrics[frames]"``), a pandas,
  polars or pyarrow table or a DuckDB relation whose columns are named like
  the `Interaction` fields (`Interactions.from_frame` converts one once, to
  compute several metrics on it).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from functools import partial
from typing import Any, ClassVar, Literal, get_args

import attrs
import numpy as np
import numpy.typing as npt

from csmetrics.core.calendar import BusinessCalendar
from csmetrics.core.check import bad_record, takes_tables
from csmetrics.core.elapsed import resolve_as_of, seconds
from csmetrics.core.episodes import as_interactions
from csmetrics.core.frames import ToFrame, is_frame
from csmetrics.core.model import AUTHORS, STATUSES, Interaction, Key, PeriodLike, Ticket
from csmetrics.core.reduce import in_period, reduce_counts, segment_starts, warn_if_undefined
from csmetrics.core.results import Breakdown, Rate, check_count
from csmetrics.core.schedules import TicketClock
from csmetrics.core.table import OPEN, Encoded, Interactions, from_micros
from csmetrics.core.tickets import Tickets, Timeline, is_solved, union_keys
from csmetrics.metrics.tickets import _check_table as _ticket_table
from csmetrics.metrics.tickets import _cutoff as _ticket_cutoff
from csmetrics.metrics.timing import _first_response_units, _issue_units, _reply_units, _Units

__all__ = [
    "OUTCOME_FIELDS",
    "TARGETS",
    "TICKET_TARGETS",
    "Breach",
    "SLAAttainment",
    "SLAOutcomes",
    "SLAPolicy",
    "SLARule",
    "SLATarget",
    "TargetName",
    "sla_attainment",
    "sla_outcomes",
]

I64 = npt.NDArray[np.int64]
F64 = npt.NDArray[np.float64]
Bool = npt.NDArray[np.bool_]

TargetName = Literal[
    "first_response",
    "next_reply",
    "resolution",
    "requester_wait",
    "agent_work",
    "periodic_update",
    "pausable_update",
]
"""What an SLA target times."""
TARGETS: tuple[TargetName, ...] = get_args(TargetName)
"""The target names, in the order breakdowns list them."""
TICKET_TARGETS: tuple[TargetName, ...] = (
    "requester_wait",
    "agent_work",
    "periodic_update",
    "pausable_update",
)
"""The targets only tickets have: they need the status history."""


def _target_seconds(value: float | timedelta) -> float:
    return seconds("seconds", value)


@attrs.frozen(kw_only=True)
class SLATarget:
    """One promised time.

    Attributes
    ----------
    seconds
        The promise, in seconds (a timedelta is converted); > 0.
    business
        True to measure in the policy's business calendar, False (default) in
        calendar time.
    """

    seconds: float = attrs.field(converter=_target_seconds)
    business: bool = attrs.field(default=False, validator=attrs.validators.instance_of(bool))


def _as_target(value: SLATarget | float | timedelta | None) -> SLATarget | None:
    if value is None or isinstance(value, SLATarget):
        return value
    return SLATarget(seconds=value)


@attrs.frozen(kw_only=True)
class SLARule:
    """The targets for contacts of one priority and/or tier.

    Attributes
    ----------
    priority
        The contact priority this rule applies to; None matches any.
    tier
        The support tier or ticket type this rule applies to; None matches any.
    first_response
        Target for the first human response (`csmetrics.first_response_time`).
    next_reply
        Target for every later reply: each run of customer messages after the
        contact's first one, until the agent's next reply
        (`csmetrics.reply_time`).
    resolution
        Target for full resolution of the issue (`csmetrics.resolution_time`),
        matched on the issue's first contact; for tickets, from creation to
        the ticket's latest solve.
    requester_wait
        Tickets only: target for the time in new, open and on hold
        (Zendesk's requester wait time; pending does not count).
    agent_work
        Tickets only: target for the time in new and open (Zendesk's agent
        work time; pending and on hold do not count).
    periodic_update
        Tickets only: target for the time from each public agent comment to
        the next one while the ticket is unsolved (Zendesk's periodic
        update), in any status.
    pausable_update
        Tickets only: as ``periodic_update``, but the clock pauses while the
        ticket is pending (Zendesk's pausable update: it counts new, open
        and on hold).

    A target given as seconds or a timedelta is in calendar time; give a
    `SLATarget` with ``business=True`` for business time. None: no target.
    """

    priority: Key | None = None
    tier: Key | None = None
    first_response: SLATarget | None = attrs.field(default=None, converter=_as_target)
    next_reply: SLATarget | None = attrs.field(default=None, converter=_as_target)
    resolution: SLATarget | None = attrs.field(default=None, converter=_as_target)
    requester_wait: SLATarget | None = attrs.field(default=None, converter=_as_target)
    agent_work: SLATarget | None = attrs.field(default=None, converter=_as_target)
    periodic_update: SLATarget | None = attrs.field(default=None, converter=_as_target)
    pausable_update: SLATarget | None = attrs.field(default=None, converter=_as_target)


Schedules = tuple[tuple[Key | None, "BusinessCalendar"], ...]
"""Calendars by schedule id, as sorted pairs (key None first)."""


def _as_calendar(value: object) -> Any:
    if isinstance(value, Mapping):
        pairs = sorted(value.items(), key=lambda kv: (kv[0] is not None, str(kv[0])))
        return tuple(pairs)
    return value


def _as_rules(rules: Iterable[SLARule]) -> tuple[SLARule, ...]:
    out = tuple(rules)
    for position, rule in enumerate(out):
        if not isinstance(rule, SLARule):
            msg = f"rules[{position}]={rule!r} is not allowed; use SLARule objects"
            raise TypeError(msg)
    return out


@attrs.frozen(kw_only=True)
class SLAPolicy:
    """Ordered SLA rules plus the calendar for business-time targets.

    Attributes
    ----------
    rules
        `SLARule` objects; a contact gets the first rule that matches it, and
        contacts no rule matches have no targets.
    calendar
        The `BusinessCalendar` for targets with ``business=True``; required
        when any target uses business time. For tickets it may also be a
        mapping from schedule id to `BusinessCalendar` (key None: the
        default schedule), to measure each ticket under its own schedule
        history as `ticket_metrics` does; it is stored as sorted ``(schedule
        id, calendar)`` pairs, so the policy stays hashable.
    name
        The policy's name, as the data names it: with several policies,
        each ticket is measured against the one its ``sla_policy_changes``
        name (Zendesk's ``sla_policy`` field).

    Examples
    --------
    Tiered targets: P1 incidents answered within 15 minutes and resolved
    within 4 business hours, everything else answered within 8 business hours:

    >>> from csmetrics import BusinessCalendar
    >>> office = BusinessCalendar(timezone="Europe/Berlin",
    ...     hours={d: [("08:00", "18:00")] for d in ("mon", "tue", "wed", "thu", "fri")})
    >>> policy = SLAPolicy(calendar=office, rules=[
    ...     SLARule(priority="P1", tier="incident", first_response=900,
    ...             resolution=SLATarget(seconds=4 * 3600, business=True)),
    ...     SLARule(first_response=SLATarget(seconds=8 * 3600, business=True)),
    ... ])
    >>> len(policy.rules)
    2
    """

    rules: tuple[SLARule, ...] = attrs.field(converter=_as_rules)
    calendar: BusinessCalendar | Schedules | None = attrs.field(
        default=None, converter=_as_calendar
    )
    name: str | None = None

    def __attrs_post_init__(self) -> None:
        business = any(
            target is not None and target.business
            for rule in self.rules
            for target in (getattr(rule, name) for name in TARGETS)
        )
        if business and self.calendar is None:
            msg = (
                "calendar=None is not allowed: a target has business=True; give a BusinessCalendar"
            )
            raise ValueError(msg)


@attrs.frozen(kw_only=True)
class Breach:
    """One target that was missed.

    Attributes
    ----------
    record
        The contact's id (for resolution, the issue's first contact).
    target
        One of `TARGETS`: ``"first_response"``, ``"next_reply"``,
        ``"resolution"``, and for tickets ``"requester_wait"``,
        ``"agent_work"``, ``"periodic_update"`` or ``"pausable_update"``.
    priority
        The contact's priority, or None.
    elapsed
        Seconds taken, or so far while still open.
    overrun
        Seconds past the target (``elapsed - target``).
    open
        True when the work is still open at ``as_of`` (already late).
    """

    record: Key
    target: TargetName
    priority: Key | None
    elapsed: float
    overrun: float
    open: bool


def _ordered(breaches: Iterable[Breach]) -> tuple[Breach, ...]:
    """Breaches most overrun first; ties by record and target, so order is reproducible."""
    return tuple(sorted(breaches, key=lambda b: (-b.overrun, str(b.record), b.target)))


@attrs.frozen(order=False, kw_only=True, repr=False)
class SLAAttainment(Rate):
    """SLA attainment: targets met / targets decided (met or breached).

    ``pending`` counts targets still open within their time; ``excluded``
    counts targets whose contact closed within the time without the event
    (a ticket solved with no reply owed). The overall result also carries
    ``by_target`` and ``by_priority`` breakdowns and the ``breaches``.
    """

    _counts: ClassVar[tuple[str, ...]] = ("numerator", "denominator", "pending", "excluded")
    _params: ClassVar[tuple[str, ...]] = ("metric", "policy", "as_of")

    pending: int = attrs.field(validator=check_count)
    excluded: int = attrs.field(validator=check_count)
    policy: SLAPolicy | tuple[SLAPolicy, ...]
    as_of: datetime | None
    metric: str = "sla_attainment"
    by_target: Breakdown[SLAAttainment] | None = None
    by_priority: Breakdown[SLAAttainment] | None = None
    breaches: tuple[Breach, ...] = ()
    outcomes: SLAOutcomes | None = attrs.field(default=None, eq=False)
    """For tickets, every target with its breach time, elapsed time and outcome
    (`SLAOutcomes`); None for contacts and for merged results."""

    @property
    def breached(self) -> int:
        """Targets missed: decided minus met."""
        return self.denominator - self.numerator

    def _merged_fields(self, other: Any) -> dict[str, Any]:
        assert isinstance(other, SLAAttainment)

        def both(a: Breakdown[SLAAttainment] | None, b: Breakdown[SLAAttainment] | None) -> Any:
            return a.merge(b) if a is not None and b is not None else None

        return {
            **super()._merged_fields(other),
            "by_target": both(self.by_target, other.by_target),
            "by_priority": both(self.by_priority, other.by_priority),
            "breaches": _ordered(self.breaches + other.breaches),
            "outcomes": None,
        }


@attrs.frozen(kw_only=True)
class _Instances:
    """Every target instance: which contact, which target, time taken, status."""

    rows: I64
    target: I64
    limit: F64
    elapsed: F64
    censored: Bool
    still_open: Bool


def _policy_needs(policy: SLAPolicy) -> tuple[str, ...]:
    """The contact fields the policy's targets are measured from."""
    needs: list[str] = []
    rules = policy.rules
    if any(rule.first_response is not None for rule in rules):
        needs.append("first_response_at")
    if any(rule.next_reply is not None for rule in rules):
        needs.append("messages")
    if any(rule.resolution is not None for rule in rules):
        needs += ["end", "resolved"]
    return tuple(needs)


def _rules_of(table: Interactions, rules: tuple[SLARule, ...]) -> I64:
    """Index of the first rule matching each contact; -1 where none does."""
    chosen = np.full(len(table), -1, dtype=np.int64)
    for index, rule in reversed(list(enumerate(rules))):
        match = np.ones(len(table), dtype=bool)
        for column, wanted in ((table.priority, rule.priority), (table.tier, rule.tier)):
            if wanted is not None:
                match &= _codes_equal(column, wanted)
        chosen[match] = index
    return chosen


def _codes_equal(column: Encoded, key: Key) -> Bool:
    """Rows whose key equals ``key``."""
    found = [code for code in range(len(column.keys)) if column.key(code) == key]
    return np.isin(column.codes, found)


def _instances(
    table: Interactions, policy: SLAPolicy, cutoff: int, rule_of: I64
) -> list[_Instances]:
    out = []
    for target_index, name in enumerate(TARGETS):
        targets = [getattr(rule, name) for rule in policy.rules]
        if all(t is None for t in targets) or name in TICKET_TARGETS:
            continue
        limit = np.array([np.nan if t is None else t.seconds for t in targets] + [np.nan])
        business = np.array([t is not None and t.business for t in targets] + [False])

        def units(calendar: BusinessCalendar | None, name: str = name) -> _Units:
            if name == "first_response":
                return _first_response_units(table, cutoff, calendar)
            if name == "resolution":
                return _issue_units(table, "full", cutoff, calendar)
            replies, _ = _reply_units(table, cutoff, calendar)
            later = ~segment_starts(replies.rows)  # the first run is the first response
            return _Units(
                seconds=replies.seconds[later],
                censored=replies.censored[later],
                rows=replies.rows[later],
            )

        calendar_time = units(None)
        elapsed = calendar_time.seconds
        rule = rule_of[calendar_time.rows]
        if business.any():
            assert isinstance(policy.calendar, BusinessCalendar)
            business_time = units(policy.calendar)
            elapsed = np.where(business[rule], business_time.seconds, elapsed)
        applicable = ~np.isnan(limit[rule])
        rows = calendar_time.rows[applicable]
        if name == "resolution":
            still_open = calendar_time.censored[applicable]
        else:
            still_open = (table.end[rows] == OPEN) | (table.end[rows] > cutoff)
        out.append(
            _Instances(
                rows=rows,
                target=np.full(len(rows), target_index, dtype=np.int64),
                limit=limit[rule][applicable],
                elapsed=elapsed[applicable],
                censored=calendar_time.censored[applicable],
                still_open=still_open,
            )
        )
    return out


def _ticket_only(policy: SLAPolicy) -> str:
    """What in the policy needs tickets ("" when nothing does)."""
    for name in TICKET_TARGETS:
        if any(getattr(rule, name) is not None for rule in policy.rules):
            return f"{name} targets"
    return "calendars by schedule id" if isinstance(policy.calendar, tuple) else ""


@takes_tables("Interactions")
def sla_attainment(
    interactions: Interactions | Tickets | Iterable[Interaction] | Iterable[Ticket],
    policy: SLAPolicy | Iterable[SLAPolicy],
    /,
    *,
    as_of: datetime | None = None,
    period: PeriodLike | None = None,
) -> SLAAttainment:
    """SLA attainment: the share of promised response and resolution times kept.

    ``attainment = targets met / (targets met + targets breached)``.

    Every contact gets the targets of the first `SLARule` matching its
    priority and tier. A target is *met* when the event (first response, next
    reply, full resolution) came within its time; *breached* when it came
    later, or when the work is still open and already past its time; *pending*
    when still open and within its time (not in the denominator); *excluded*
    when the contact closed within the time without the event (no reply owed).

    Parameters
    ----------
    interactions
        `Interaction` objects or an `Interactions` table (with ``priority``
        and ``tier`` where rules use them, and messages for next-reply
        targets).
    policy
        The `SLAPolicy`.
    as_of
        Open work is judged at this moment; contacts starting later are
        ignored. Default: the latest recorded event.
    period
        Keep targets whose contact (for resolution: the issue's first
        contact) starts in the `Window`.

    Returns
    -------
    SLAAttainment
        A rate with ``pending``, ``excluded``, ``breached``, the ``by_target``
        and ``by_priority`` breakdowns, and ``breaches`` (most overrun first).

    Warns
    -----
    UndefinedMetricWarning
        No decided target in scope.

    References
    ----------
    Zendesk, "Defining and using SLA policies" (first reply, next reply,
    requester wait and resolution targets, calendar or business hours); ITIL
    incident management (priority-based response and resolution targets).

    Examples
    --------
    >>> from datetime import datetime, timedelta, timezone
    >>> from csmetrics import Interaction, SLAPolicy, SLARule, sla_attainment
    >>> t = datetime(2026, 3, 2, 9, tzinfo=timezone.utc)
    >>> policy = SLAPolicy(rules=[SLARule(priority="P1", first_response=900),
    ...                           SLARule(first_response=3600)])
    >>> contacts = [
    ...     Interaction(id="a", customer_id="x", start=t, priority="P1",
    ...                 first_response_at=t + timedelta(minutes=10)),
    ...     Interaction(id="b", customer_id="y", start=t, priority="P1",
    ...                 first_response_at=t + timedelta(minutes=40)),
    ...     Interaction(id="c", customer_id="z", start=t, priority="P3",
    ...                 first_response_at=t + timedelta(minutes=40)),
    ... ]
    >>> r = sla_attainment(contacts, policy)
    >>> r.numerator, r.denominator, [(b.record, b.overrun) for b in r.breaches]
    (2, 3, [('b', 1500.0)])
    """
    data: Any = interactions
    if not isinstance(data, (Interactions, Tickets)) and not is_frame(data):
        data = list(data)
        # No records: tickets if the policy only makes sense for tickets.
        tickets_only = not isinstance(policy, SLAPolicy) or _ticket_only(policy)
        if (data and isinstance(data[0], Ticket)) or (not data and tickets_only):
            data = Tickets.from_records(data)
    if isinstance(data, Tickets):
        return _ticket_attainment(sla_outcomes(data, policy, as_of=as_of), period)
    if not isinstance(policy, SLAPolicy):
        msg = f"policy={policy!r} is not allowed; use a csmetrics.SLAPolicy (several: tickets only)"
        raise TypeError(msg)
    if ticket_only := _ticket_only(policy):
        what = ticket_only
        msg = f"{what} need tickets (their status history): give a csmetrics.Tickets table"
        raise ValueError(msg)
    table = as_interactions(data)
    table.require("sla_attainment", _policy_needs(policy))
    table, cutoff, as_of = resolve_as_of(table, as_of)
    parts = _instances(table, policy, cutoff, _rules_of(table, policy.rules))
    rows = np.concatenate([p.rows for p in parts] + [np.zeros(0, np.int64)])
    target = np.concatenate([p.target for p in parts] + [np.zeros(0, np.int64)])
    limit = np.concatenate([p.limit for p in parts] + [np.zeros(0)])
    elapsed = np.concatenate([p.elapsed for p in parts] + [np.zeros(0)])
    censored = np.concatenate([p.censored for p in parts] + [np.zeros(0, bool)])
    still_open = np.concatenate([p.still_open for p in parts] + [np.zeros(0, bool)])
    keep = in_period(table.start[rows], period)
    within = elapsed <= limit
    met = ~censored & within & keep
    breached = ~within & keep
    counts = {
        "numerator": met,
        "denominator": met | breached,
        "pending": censored & within & still_open & keep,
        "excluded": censored & within & ~still_open & keep,
    }
    factory = partial(SLAAttainment, policy=policy, as_of=as_of, period=period)
    by_target = reduce_counts(factory, counts, Encoded(target, np.array(TARGETS)), "target")
    by_priority = reduce_counts(factory, counts, table.priority[rows], "priority")
    assert isinstance(by_target, Breakdown)
    assert isinstance(by_priority, Breakdown)
    result = attrs.evolve(
        by_target.overall,
        by_target=by_target,
        by_priority=by_priority,
        breaches=_ordered(
            Breach(
                record=table.id.key(int(table.id.codes[rows[i]])),  # type: ignore[arg-type]
                target=TARGETS[target[i]],
                priority=table.priority.key(int(table.priority.codes[rows[i]])),
                elapsed=float(elapsed[i]),
                overrun=float(elapsed[i] - limit[i]),
                open=bool(censored[i]),
            )
            for i in np.flatnonzero(breached)
        ),
    )
    warn_if_undefined(result, "sla_attainment", "no decided SLA target in scope")
    return result


# --- tickets -------------------------------------------------------------------------------------

_AGENT, _CUSTOMER = AUTHORS.index("agent"), AUTHORS.index("customer")
_UPDATE_TARGETS = ("periodic_update", "pausable_update")
# Targets owed until an event, which a solve first releases (excluded within the time).
_REPLY_TARGETS = ("first_response", "next_reply", *_UPDATE_TARGETS)
_STATUS_GROUPS = {
    "requester_wait": ("new", "open", "hold"),
    "agent_work": ("new", "open"),
    "pausable_update": ("new", "open", "hold"),
}
OUTCOME_FIELDS: tuple[str, ...] = (
    "ticket_id",
    "target",
    "policy",
    "priority",
    "applied_at",
    "target_at",
    "stopped_at",
    "seconds",
    "business",
    "elapsed",
    "met",
    "breached",
    "open",
    "excluded",
)
"""The keys of each row of `SLAOutcomes.to_rows`, in order."""


@attrs.frozen(eq=False, repr=False)
class SLAOutcomes(ToFrame):
    """Every SLA target of every ticket: when it applied, when it breaches, how it ended.

    One row per target instance (see `sla_outcomes`), sorted by ticket,
    target and the moment it applied.

    Attributes
    ----------
    ticket_id : Encoded
        The ticket of each row.
    columns : dict
        ``target`` (codes into `TARGETS`), ``policy`` (index into
        ``policies``), ``priority`` (`Encoded`: the priority it applied
        for), ``applied_at``, ``target_at`` and ``stopped_at`` (int64 epoch
        microseconds; `OPEN`: never), ``seconds`` (the target) and ``elapsed`` (float
        seconds), ``business``, ``met``, ``breached``, ``open`` and
        ``excluded`` (bool).
    policies : tuple of SLAPolicy
        The policies measured.
    as_of : datetime or None
        The moment open targets were judged at.
    created : numpy.ndarray
        int64 creation time of each row's ticket (for ``period=``).
    """

    ticket_id: Encoded
    columns: dict[str, Any]
    policies: tuple[SLAPolicy, ...]
    as_of: datetime | None
    created: I64

    def __len__(self) -> int:
        return len(self.ticket_id)

    def __repr__(self) -> str:
        c = self.columns
        return (
            f"SLAOutcomes({len(self)} targets, {int(c['met'].sum())} met, "
            f"{int(c['breached'].sum())} breached, as_of={self.as_of})"
        )

    def to_rows(self) -> list[dict[str, Any]]:
        """One dict per target (`OUTCOME_FIELDS`): times as UTC datetimes, None for never."""
        c = self.columns
        priority: Encoded = c["priority"]

        def moment(values: I64) -> list[datetime | None]:
            return [None if v == OPEN else from_micros(v) for v in values.tolist()]

        python: dict[str, list[Any]] = {
            "ticket_id": self.ticket_id.keys[self.ticket_id.codes].tolist(),
            "target": [TARGETS[t] for t in c["target"].tolist()],
            "policy": [self.policies[p].name for p in c["policy"].tolist()],
            "priority": [priority.key(code) for code in priority.codes.tolist()],
            "applied_at": moment(c["applied_at"]),
            "target_at": moment(c["target_at"]),
            "stopped_at": moment(c["stopped_at"]),
        }
        for name in ("seconds", "business", "elapsed", "met", "breached", "open", "excluded"):
            python[name] = c[name].tolist()
        return [
            dict(zip(OUTCOME_FIELDS, row, strict=True))
            for row in zip(*python.values(), strict=True)
        ]


def _policies(policy: SLAPolicy | Iterable[SLAPolicy]) -> tuple[SLAPolicy, ...]:
    if isinstance(policy, SLAPolicy):
        return (policy,)
    if isinstance(policy, (str, bytes)) or not isinstance(policy, Iterable):
        msg = f"policy={policy!r} is not allowed; use a csmetrics.SLAPolicy or several"
        raise TypeError(msg)
    out = tuple(policy)
    for position, one in enumerate(out):
        if not isinstance(one, SLAPolicy):
            msg = f"policy[{position}]={one!r} is not allowed; use csmetrics.SLAPolicy objects"
            raise TypeError(msg)
        if one.name is None:
            msg = f"policy[{position}] has no name; several policies are chosen by name"
            raise ValueError(msg)
    names = [one.name for one in out]
    if len(set(names)) != len(names):
        msg = f"policy names {names} repeat; give each policy its own name"
        raise ValueError(msg)
    if not out:
        msg = "policy=() is not allowed; give at least one csmetrics.SLAPolicy"
        raise ValueError(msg)
    return out


def _last_at_or_before(ta: I64, xa: I64, tq: I64, xq: I64) -> I64:
    """Per query, the last row of ``a`` (sorted by ticket, time) of its ticket at or before it.

    -1 where its ticket has none.
    """
    na = len(ta)
    kind = np.concatenate([np.zeros(na, dtype=np.int64), np.ones(len(tq), dtype=np.int64)])
    order = np.lexsort((kind, np.concatenate([xa, xq]), np.concatenate([ta, tq])))
    is_a = kind[order] == 0
    running = np.cumsum(is_a) - 1
    out = np.empty(len(tq), dtype=np.int64)
    out[order[~is_a] - na] = running[~is_a]
    valid = out >= 0
    valid[valid] = ta[out[valid]] == tq[valid]
    return np.where(valid, out, -1)


def _first_at_or_after(ta: I64, xa: I64, tq: I64, xq: I64) -> I64:
    """Per query, the first row of ``a`` (sorted by ticket, time) of its ticket at or after it."""
    order = np.lexsort((-xa, ta))
    found = _last_at_or_before(ta[order], -xa[order], tq, -xq)
    out: I64 = _gather(order.astype(np.int64), found, -1)
    return out


def _gather(values: npt.NDArray[Any], index: I64, fill: Any) -> npt.NDArray[Any]:
    """``values[index]``, ``fill`` where ``index`` is -1 (``values`` may be empty)."""
    if not len(values):
        return np.full(len(index), fill, dtype=values.dtype)
    return np.where(index >= 0, values[np.maximum(index, 0)], fill)


def _moment(values: I64, index: I64) -> I64:
    """``values[index]``, `OPEN` where ``index`` is -1."""
    out: I64 = _gather(values, index, OPEN)
    return out


@attrs.frozen
class _Contexts:
    """What applies to each ticket from each moment: its policy and priority."""

    ticket: I64
    at: I64
    policy: I64
    priority: Encoded


def _contexts(table: Tickets, policies: tuple[SLAPolicy, ...], cutoff: int) -> _Contexts:
    """Each ticket's (policy, priority) from creation and from each change up to ``cutoff``.

    Without a priority history the ticket's priority holds throughout; with
    one, the priority is unknown (None) until its first change. One policy
    applies to every ticket; several are chosen by name from the ticket's
    ``sla_policy_changes`` (none before the first).
    """
    n = len(table)
    pc, sc = table.priority_changes, table.sla_policy_changes
    keys, (current_map, changes_map) = union_keys(table.priority.keys, pc.value.keys)
    has_history = np.bincount(pc.ticket, minlength=n) > 0
    base_priority = np.where(has_history, -1, current_map[table.priority.codes])
    keep_p = np.flatnonzero(pc.at <= cutoff)
    keep_s = np.flatnonzero(sc.at <= cutoff) if len(policies) > 1 else np.zeros(0, np.int64)
    names = [p.name for p in policies]
    policy_codes = np.full(len(sc.value.keys) + 1, -1, dtype=np.int64)
    for code in range(len(sc.value.keys)):
        name = sc.value.key(code)
        if name in names:
            policy_codes[code] = names.index(name)
    given = policy_codes[sc.value.codes[keep_s]]
    if (
        len(policies) > 1
        and (bad := np.flatnonzero((given < 0) & (sc.value.codes[keep_s] >= 0))).size
    ):
        row = int(keep_s[bad[0]])
        bad_record(
            f"ticket {table.id.key(int(table.id.codes[int(sc.ticket[row])]))!r}",
            "sla_policy_changes.policy",
            sc.value.key(int(sc.value.codes[row])),
            f"no such policy; the policies are {names}",
        )
    none = np.full(n, -2, dtype=np.int64)  # -2: this row does not set the field
    ticket = np.concatenate([np.arange(n), np.arange(n), pc.ticket[keep_p], sc.ticket[keep_s]])
    at = np.concatenate([table.created, table.created, pc.at[keep_p], sc.at[keep_s]])
    seq = np.concatenate([np.zeros(2 * n, np.int64), np.ones(len(keep_p) + len(keep_s), np.int64)])
    priority = np.concatenate(
        [base_priority, none, changes_map[pc.value.codes[keep_p]], np.full(len(keep_s), -2)]
    )
    first_policy = 0 if len(policies) == 1 else -1
    policy = np.concatenate([none, np.full(n, first_policy), np.full(len(keep_p), -2), given])
    order = np.lexsort((seq, at, ticket))
    ticket, at, priority, policy = ticket[order], at[order], priority[order], policy[order]
    position = np.arange(len(ticket))
    # Forward-fill each field within its ticket (each ticket starts with both set).
    priority = priority[np.maximum.accumulate(np.where(priority != -2, position, 0))]
    policy = policy[np.maximum.accumulate(np.where(policy != -2, position, 0))]
    # One context per (ticket, instant): the last change at an instant wins.
    last = np.ones(len(ticket), dtype=bool)
    last[:-1] = (ticket[1:] != ticket[:-1]) | (at[1:] != at[:-1])
    code_type = np.int32 if len(keys) < 2**31 else np.int64
    return _Contexts(
        ticket=ticket[last],
        at=at[last],
        policy=policy[last],
        priority=Encoded(priority[last].astype(code_type), keys),
    )


def _limits(
    contexts: _Contexts, table: Tickets, policies: tuple[SLAPolicy, ...], name: str
) -> tuple[F64, Bool]:
    """Each context's target for ``name`` (nan: none) and whether it is in business time."""
    limit = np.full(len(contexts.ticket), np.nan)
    business = np.zeros(len(contexts.ticket), dtype=bool)
    category = table.category[contexts.ticket]
    for index, policy in enumerate(policies):
        mine = contexts.policy == index
        chosen = np.full(len(limit), -1, dtype=np.int64)
        for number, rule in reversed(list(enumerate(policy.rules))):
            match = mine.copy()
            for column, wanted in ((contexts.priority, rule.priority), (category, rule.tier)):
                if wanted is not None:
                    match &= _codes_equal(column, wanted)
            chosen[match] = number
        for number, rule in enumerate(policy.rules):
            target = getattr(rule, name)
            if target is not None:
                rows = chosen == number
                limit[rows] = target.seconds
                business[rows] = target.business
    return limit, business


@attrs.frozen
class _Windows:
    """When a target is owed: from ``opens`` until ``event``, or ``solve`` for replies."""

    ticket: I64
    opens: I64
    event: I64
    solve: I64


def _windows(table: Tickets, name: str, cutoff: int, line: Timeline) -> _Windows:
    """The spans during which target ``name`` runs on each ticket."""
    n = len(table)
    m = table.messages
    seen = m.at <= cutoff
    creating = segment_starts(m.interaction) & (m.at == table.created[m.interaction])
    reply = seen & (m.author == _AGENT) & m.public & ~creating
    solves = np.flatnonzero(line.resolution)
    solve_ticket, solve_at = line.ticket[solves], line.start[solves]
    tickets = np.arange(n, dtype=np.int64)
    if name == "first_response":
        rows = np.flatnonzero(reply)
        event = _moment(
            m.at[rows], _first_at_or_after(m.interaction[rows], m.at[rows], tickets, table.created)
        )
        solve = _moment(
            solve_at, _first_at_or_after(solve_ticket, solve_at, tickets, table.created)
        )
        return _Windows(tickets, table.created.copy(), event, solve)
    if name == "next_reply":
        talk = np.flatnonzero(seen & m.public & ((m.author == _CUSTOMER) | reply))
        ticket, at, is_reply = m.interaction[talk], m.at[talk], reply[talk]
        after_reply = np.zeros(len(talk), dtype=bool)
        after_reply[1:] = is_reply[:-1] & (ticket[1:] == ticket[:-1])
        runs = np.flatnonzero(~is_reply & after_reply)
        replies = np.flatnonzero(is_reply)
        event = _moment(
            at[replies], _first_at_or_after(ticket[replies], at[replies], ticket[runs], at[runs])
        )
        solve = _moment(
            solve_at, _first_at_or_after(solve_ticket, solve_at, ticket[runs], at[runs])
        )
        return _Windows(ticket[runs], at[runs], event, solve)
    if name in _UPDATE_TARGETS:
        return _update_windows(table, line, seen & m.public & (m.author == _AGENT), solves)
    # Resolution and the status targets run until the ticket's latest solve.
    last = np.ones(len(line.ticket), dtype=bool)
    last[:-1] = segment_starts(line.ticket)[1:]
    solved_now = np.zeros(n, dtype=bool)
    solved_now[line.ticket[last]] = is_solved(line.status[last])
    final = np.full(n, OPEN, dtype=np.int64)
    final[solve_ticket] = solve_at  # later solves overwrite earlier ones
    event = np.where(solved_now, final, OPEN)
    return _Windows(tickets, table.created.copy(), event, np.full(n, OPEN, dtype=np.int64))


def _update_windows(table: Tickets, line: Timeline, agent: Bool, solves: I64) -> _Windows:
    """Periodic and pausable updates: owed from each public agent comment to the next.

    A comment opens a window when the ticket is unsolved just after it (the
    status changes at its instant applied), so the comment that solves a
    ticket owes no update; comments at one instant open one window. The
    window's event is the ticket's next public agent comment, and a solve
    first releases it.
    """
    m = table.messages
    rows = np.flatnonzero(agent)
    ticket, at = m.interaction[rows], m.at[rows]
    distinct = np.ones(len(rows), dtype=bool)
    distinct[1:] = (ticket[1:] != ticket[:-1]) | (at[1:] != at[:-1])
    ticket, at = ticket[distinct], at[distinct]
    following = np.full(len(ticket), OPEN, dtype=np.int64)
    following[:-1] = np.where(ticket[1:] == ticket[:-1], at[1:], OPEN)
    segment = _last_at_or_before(line.ticket, line.start, ticket, at)
    owed = ~is_solved(line.status[np.maximum(segment, 0)]) & (segment >= 0)
    ticket, at, following = ticket[owed], at[owed], following[owed]
    solve_ticket, solve_at = line.ticket[solves], line.start[solves]
    solve = _moment(solve_at, _first_at_or_after(solve_ticket, solve_at, ticket, at))
    return _Windows(ticket, at, following, solve)


@attrs.frozen
class _Runs:
    """Target instances of one kind: one per window start and per re-application inside."""

    ticket: I64
    window: I64
    start: I64
    limit: F64
    business: Bool
    policy: I64
    priority: I64


def _runs(contexts: _Contexts, windows: _Windows, limit: F64, business: Bool) -> _Runs:
    """Start a target at each window's opening, and again at each change of target inside it.

    A change of policy or priority that changes the target (its seconds or
    clock) re-applies it from that moment; a change to no target ends it.
    """
    ct = contexts.ticket
    # Changes of target: a context whose (limit, business) differs from the one before.
    changed = segment_starts(ct)
    same_limit = (limit[1:] == limit[:-1]) | (np.isnan(limit[1:]) & np.isnan(limit[:-1]))
    changed[1:] |= ~(same_limit & (business[1:] == business[:-1]))
    apps = np.flatnonzero(changed)
    # The context in force when each window opens.
    at_open = _last_at_or_before(ct, contexts.at, windows.ticket, windows.opens)
    worder = np.lexsort((windows.opens, windows.ticket))
    wt, wo = windows.ticket[worder], windows.opens[worder]
    inside = _last_at_or_before(wt, wo, ct[apps], contexts.at[apps])
    ok = inside >= 0
    window_of = _gather(worder.astype(np.int64), inside, -1)
    ends = np.minimum(windows.event, windows.solve)
    ok &= contexts.at[apps] > _gather(windows.opens, window_of, OPEN)
    ok &= contexts.at[apps] < _gather(ends, window_of, 0)
    apps, window_of = apps[ok], window_of[ok]
    context = np.concatenate([at_open, apps])
    window = np.concatenate([np.arange(len(windows.ticket)), window_of])
    start = np.concatenate([windows.opens, contexts.at[apps]])
    order = np.lexsort((start, window))
    context, window, start = context[order], window[order], start[order]
    # A window opening before any context (not possible: contexts start at creation).
    valid = context >= 0
    context, window, start = context[valid], window[valid], start[valid]
    return _Runs(
        ticket=windows.ticket[window],
        window=window,
        start=start,
        limit=limit[context],
        business=business[context],
        policy=contexts.policy[context],
        priority=contexts.priority.codes[context].astype(np.int64),
    )


def _status_elapsed(
    runs: _Runs,
    stop: I64,
    line: Timeline,
    statuses: tuple[str, ...],
    clocks: tuple[TicketClock, TicketClock],
) -> tuple[F64, I64]:
    """Time in ``statuses`` from each run's start to ``stop``, and when it reaches the target.

    The breach time is when the counted time reaches the target; if it has
    not by ``stop``, the clock is taken to run on from ``stop``.
    """
    nseg = np.bincount(line.ticket, minlength=int(runs.ticket.max(initial=-1)) + 1)
    first = np.concatenate([[0], np.cumsum(nseg)[:-1]]).astype(np.int64)
    count = nseg[runs.ticket]
    run = np.repeat(np.arange(len(runs.ticket)), count)
    offset = np.arange(len(run)) - np.repeat(np.cumsum(count) - count, count)
    seg = first[runs.ticket][run] + offset
    lo = np.maximum(line.start[seg], runs.start[run])
    hi = np.minimum(line.end[seg], stop[run])
    member = np.isin(line.status[seg], [STATUSES.index(s) for s in statuses])
    keep = np.flatnonzero(member & (hi > lo))
    run, lo, hi = run[keep], lo[keep], hi[keep]
    ticket = runs.ticket[run]
    length = np.zeros(len(run))
    for flag, clock in zip((False, True), clocks, strict=True):
        rows = np.flatnonzero(runs.business[run] == flag)
        if rows.size:
            length[rows] = clock.seconds(ticket[rows], lo[rows], hi[rows])
    elapsed: F64 = np.bincount(run, weights=length, minlength=len(runs.ticket)).astype(np.float64)
    # The piece in which the counted time reaches the target.
    earlier = np.cumsum(length) - length
    firsts = np.maximum.accumulate(np.where(segment_starts(run), np.arange(len(run)), 0))
    before = earlier - earlier[firsts] if len(run) else earlier
    reached = before + length >= runs.limit[run]
    hit = np.full(len(runs.ticket), -1, dtype=np.int64)
    rows = np.flatnonzero(reached)
    hits, index = np.unique(run[rows], return_index=True)
    hit[hits] = rows[index]
    from_at = stop.copy()
    left = np.nan_to_num(runs.limit) - elapsed
    found = hit >= 0
    from_at[found] = lo[hit[found]]
    left[found] = np.nan_to_num(runs.limit[found]) - before[hit[found]]
    target_at = np.full(len(runs.ticket), OPEN, dtype=np.int64)
    for flag, clock in zip((False, True), clocks, strict=True):
        rows = np.flatnonzero(runs.business == flag)
        if rows.size:
            target_at[rows] = clock.deadline(
                runs.ticket[rows], from_at[rows], np.maximum(left[rows], 0)
            )
    return elapsed, target_at


def _kind_outcomes(  # noqa: PLR0917 (one private step of sla_outcomes)
    table: Tickets,
    contexts: _Contexts,
    policies: tuple[SLAPolicy, ...],
    name: str,
    cutoff: int,
    line: Timeline,
    clocks: tuple[TicketClock, TicketClock],
    *,
    keep_superseded: bool = False,
) -> dict[str, Any] | None:
    """The outcomes of one target kind, or None when no policy sets it.

    ``keep_superseded``: also the runs a re-application replaced, marked
    in a ``superseded`` column (for the drop-in rows of
    `csmetrics.presets.dbt_zendesk`, whose package keeps every application).
    """
    limit, business = _limits(contexts, table, policies, name)
    if np.isnan(limit).all():
        return None
    windows = _windows(table, name, cutoff, line)
    runs = _runs(contexts, windows, limit, business)
    event, solve = windows.event[runs.window], windows.solve[runs.window]
    happened = event <= cutoff
    solved_first = (solve < event) & (solve <= cutoff)
    stop = np.minimum(np.minimum(event, solve), cutoff)
    if name in _STATUS_GROUPS:
        elapsed, target_at = _status_elapsed(runs, stop, line, _STATUS_GROUPS[name], clocks)
    else:
        elapsed = np.zeros(len(runs.ticket))
        target_at = np.full(len(runs.ticket), OPEN, dtype=np.int64)
        for flag, clock in zip((False, True), clocks, strict=True):
            rows = np.flatnonzero(runs.business == flag)
            if rows.size:
                t = runs.ticket[rows]
                elapsed[rows] = clock.seconds(t, runs.start[rows], stop[rows])
                target_at[rows] = clock.deadline(
                    t, runs.start[rows], np.nan_to_num(runs.limit[rows])
                )
    # A re-application before the event and before the breach replaces the run.
    # (Runs only start inside their window, so the one before was still running.)
    superseded = np.zeros(len(runs.ticket), dtype=bool)
    superseded[:-1] = (runs.window[1:] == runs.window[:-1]) & (runs.start[1:] <= target_at[:-1])
    keep = ~np.isnan(runs.limit) & (~superseded | keep_superseded)
    within = elapsed <= runs.limit
    reply = name in _REPLY_TARGETS
    done = happened & ~solved_first if reply else happened
    excluded = solved_first & within if reply else np.zeros(len(within), dtype=bool)
    still_open = ~done & ~solved_first if reply else ~done
    # The moment the target stopped: its event, or the solve that released
    # it first; never while it still runs at the cutoff.
    stopped = np.where(happened | solved_first, np.minimum(event, solve), OPEN)
    out = {
        "ticket": runs.ticket[keep],
        "target": np.full(int(keep.sum()), TARGETS.index(name), dtype=np.int64),
        "policy": runs.policy[keep],
        "priority": runs.priority[keep],
        "applied_at": runs.start[keep],
        "target_at": target_at[keep],
        "stopped_at": stopped[keep],
        "seconds": runs.limit[keep],
        "business": runs.business[keep],
        "elapsed": elapsed[keep],
        "met": (done & within)[keep],
        "breached": ~within[keep],
        "open": still_open[keep],
        "excluded": excluded[keep],
    }
    if keep_superseded:
        out["superseded"] = superseded[keep]
    return out


def sla_outcomes(
    tickets: Tickets | Iterable[Ticket],
    policy: SLAPolicy | Iterable[SLAPolicy],
    /,
    *,
    as_of: datetime | None = None,
) -> SLAOutcomes:
    """Every SLA target of every ticket, with its breach time, elapsed time and outcome.

    A target *runs* while it is owed: a first reply from the ticket's
    creation until the first agent reply; a next reply from each customer
    comment that follows an agent reply until the next agent reply (both
    stop when the ticket is solved first: no reply was owed, *excluded*); a
    periodic or pausable update from each public agent comment that leaves
    the ticket unsolved until the next public agent comment (a solve first
    releases it, as it does a reply); a resolution, requester wait or agent
    work target from creation until the ticket's latest solve. Its *elapsed*
    time counts the clock from when it applied (requester wait and pausable
    update only in new, open and hold; agent work only in new and open), in
    business hours when the target is; ``target_at`` is
    when that elapsed time reaches the target (the breach time), and if the
    target was not reached by the time it stopped, when it would be reached
    were the clock to run on from then.

    **Priority and policy history.** The target is the one of the first
    matching rule of the policy in force for the ticket's priority then
    (tier: the ticket's ``category``). When a priority or policy change
    changes the target while it runs, the new target applies from that
    moment, as Zendesk re-applies a policy on a priority change; the old
    run is replaced unless it had already breached by then (a breach
    stands). A change to a priority without a target ends the run.

    Parameters
    ----------
    tickets
        A `Tickets` table, or `Ticket` objects.
    policy
        An `SLAPolicy` (for every ticket), or several named ones: each
        ticket then follows its ``sla_policy_changes`` (no policy before the
        first; a name not among them is an error).
    as_of
        Open targets are judged at this moment; later events are ignored
        and tickets created later left out. Default: the latest event.

    Returns
    -------
    SLAOutcomes
        One row per target run: ``met`` (the event came within the target),
        ``breached`` (the elapsed time passed it, the work done or not),
        ``open`` (still running at ``as_of``), ``excluded`` (a reply not owed),
        and ``stopped_at``: the moment the target stopped running, its event
        (the reply, the update, the solve) or the solve that released a
        reply first; None while it still runs at ``as_of``.
    """
    return _outcomes(tickets, policy, as_of).outcomes


@attrs.frozen
class _Measured:
    """`sla_outcomes` with what it was measured on, for the drop-in rows built on it."""

    outcomes: SLAOutcomes
    table: Tickets
    ticket: I64
    """The row in ``table`` of each outcome's ticket."""
    cutoff: int
    clocks: tuple[TicketClock, TicketClock]


def _outcomes(
    tickets: Tickets | Iterable[Ticket],
    policy: SLAPolicy | Iterable[SLAPolicy],
    as_of: datetime | None,
    *,
    keep_superseded: bool = False,
) -> _Measured:
    """`sla_outcomes`; with ``keep_superseded``, also the runs re-applications replaced."""
    policies = _policies(policy)
    table = _ticket_table(tickets)
    table, cutoff, resolved = _ticket_cutoff(table, as_of)
    line = Timeline.of(table, cutoff)
    contexts = _contexts(table, policies, cutoff)
    calendars = {p.calendar for p in policies}
    business_calendar = next((c for c in calendars if c is not None), None)
    if len({c for c in calendars if c is not None}) > 1:
        msg = "the policies' calendars differ; give every policy the same calendar"
        raise ValueError(msg)
    calendar_option: Any = (
        dict(business_calendar) if isinstance(business_calendar, tuple) else business_calendar
    )
    business_clock = (
        TicketClock(table, cutoff, calendar_option) if business_calendar is not None else None
    )
    calendar_clock = TicketClock(table, cutoff, None)
    clocks = (calendar_clock, business_clock or calendar_clock)
    parts = [
        part
        for name in TARGETS
        if (
            part := _kind_outcomes(
                table,
                contexts,
                policies,
                name,
                cutoff,
                line,
                clocks,
                keep_superseded=keep_superseded,
            )
        )
        is not None
    ]
    extra = ("superseded",) if keep_superseded else ()
    columns: dict[str, Any] = {
        key: np.concatenate([p[key] for p in parts])
        if parts
        else np.zeros(0, dtype=np.float64 if key in ("seconds", "elapsed") else np.int64)
        for key in ("ticket", *(f for f in OUTCOME_FIELDS if f != "ticket_id"), *extra)
    }
    for flag in ("business", "met", "breached", "open", "excluded", *extra):
        columns[flag] = columns[flag].astype(bool)
    order = np.lexsort((columns["applied_at"], columns["target"], columns["ticket"]))
    columns = {key: value[order] for key, value in columns.items()}
    ticket = columns.pop("ticket")
    columns["priority"] = Encoded(columns["priority"].astype(np.int32), contexts.priority.keys)
    outcomes = SLAOutcomes(
        ticket_id=table.id[ticket],
        columns=columns,
        policies=policies,
        as_of=resolved,
        created=table.created[ticket],
    )
    return _Measured(outcomes, table, ticket, cutoff, clocks)


def _ticket_attainment(outcomes: SLAOutcomes, period: PeriodLike | None) -> SLAAttainment:
    """`sla_attainment` of tickets: the counts of their outcomes (`sla_outcomes`)."""
    c = outcomes.columns
    keep = in_period(outcomes.created, period)
    met, breached = c["met"] & keep, c["breached"] & keep
    counts = {
        "numerator": met,
        "denominator": met | breached,
        "pending": c["open"] & ~c["breached"] & keep,
        "excluded": c["excluded"] & keep,
    }
    policy = outcomes.policies[0] if len(outcomes.policies) == 1 else outcomes.policies
    factory = partial(SLAAttainment, policy=policy, as_of=outcomes.as_of, period=period)
    target = Encoded(c["target"], np.array(TARGETS))
    by_target = reduce_counts(factory, counts, target, "target")
    by_priority = reduce_counts(factory, counts, c["priority"], "priority")
    assert isinstance(by_target, Breakdown)
    assert isinstance(by_priority, Breakdown)
    ids, priority = outcomes.ticket_id, c["priority"]
    result = attrs.evolve(
        by_target.overall,
        by_target=by_target,
        by_priority=by_priority,
        outcomes=outcomes,
        breaches=_ordered(
            Breach(
                record=ids.key(int(ids.codes[i])),  # type: ignore[arg-type]
                target=TARGETS[c["target"][i]],
                priority=priority.key(int(priority.codes[i])),
                elapsed=float(c["elapsed"][i]),
                overrun=float(c["elapsed"][i] - c["seconds"][i]),
                open=bool(c["open"][i]),
            )
            for i in np.flatnonzero(breached)
        ),
    )
    warn_if_undefined(result, "sla_attainment", "no decided SLA target in scope")
    return result
