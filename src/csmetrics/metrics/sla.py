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

from collections.abc import Iterable
from datetime import datetime, timedelta
from functools import partial
from typing import TYPE_CHECKING, Any, ClassVar, Literal

import attrs
import numpy as np
import numpy.typing as npt

from csmetrics.core.check import takes_tables
from csmetrics.core.elapsed import resolve_as_of, seconds
from csmetrics.core.episodes import as_interactions
from csmetrics.core.model import Interaction, Key, PeriodLike
from csmetrics.core.reduce import in_period, reduce_counts, segment_starts, warn_if_undefined
from csmetrics.core.results import Breakdown, Rate, check_count
from csmetrics.core.table import OPEN, Encoded, Interactions
from csmetrics.core.tickets import Tickets
from csmetrics.metrics.timing import _first_response_units, _issue_units, _reply_units, _Units

if TYPE_CHECKING:
    from csmetrics.core.calendar import BusinessCalendar

__all__ = [
    "TARGETS",
    "Breach",
    "SLAAttainment",
    "SLAPolicy",
    "SLARule",
    "SLATarget",
    "TargetName",
    "sla_attainment",
]

I64 = npt.NDArray[np.int64]
F64 = npt.NDArray[np.float64]
Bool = npt.NDArray[np.bool_]

TargetName = Literal["first_response", "next_reply", "resolution"]
"""What an SLA target times."""
TARGETS: tuple[TargetName, ...] = ("first_response", "next_reply", "resolution")
"""The target names, in the order breakdowns list them."""


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
        matched on the issue's first contact.

    A target given as seconds or a timedelta is in calendar time; give a
    `SLATarget` with ``business=True`` for business time. None: no target.
    """

    priority: Key | None = None
    tier: Key | None = None
    first_response: SLATarget | None = attrs.field(default=None, converter=_as_target)
    next_reply: SLATarget | None = attrs.field(default=None, converter=_as_target)
    resolution: SLATarget | None = attrs.field(default=None, converter=_as_target)


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
        when any target uses business time.

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
    calendar: BusinessCalendar | None = None

    def __attrs_post_init__(self) -> None:
        business = any(
            target is not None and target.business
            for rule in self.rules
            for target in (rule.first_response, rule.next_reply, rule.resolution)
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
        ``"first_response"``, ``"next_reply"`` or ``"resolution"``.
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
    policy: SLAPolicy
    as_of: datetime | None
    metric: str = "sla_attainment"
    by_target: Breakdown[SLAAttainment] | None = None
    by_priority: Breakdown[SLAAttainment] | None = None
    breaches: tuple[Breach, ...] = ()

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
        if all(t is None for t in targets):
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


@takes_tables("Interactions")
def sla_attainment(
    interactions: Interactions | Tickets | Iterable[Interaction],
    policy: SLAPolicy,
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
    if not isinstance(policy, SLAPolicy):
        msg = f"policy={policy!r} is not allowed; use a csmetrics.SLAPolicy"
        raise TypeError(msg)
    table = as_interactions(interactions)
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
