"""Declared invariants of every public metric, checked with Hypothesis.

`REGISTRY` lists every public metric, one per entry of `csmetrics.catalog`,
with a strategy of its own input: contacts, survey answers, contacts and
sales, agent time, outages, customer counts or formula parameters. Each
invariant list (`BOUNDED`, `PERMUTATION_INVARIANT`, `MERGEABLE`, `MONOTONE`,
`OBJECT_COLUMNAR_AGREE`) names the metrics it is checked on, and
`test_every_public_metric_is_classified` fails when a catalogue entry is
missing from the registry, or a metric is neither in a list nor exempt from
it with a reason (`EXEMPT`), so no KPI skips the invariants. Where a property
found a library bug, a named test pins the minimal case.

Each test is parametrized by metric name and runs a Hypothesis test on that
metric's own input strategy (`Metric.records`), with the empty input pinned by
`@example`. The time and queue metrics pass an explicit ``as_of`` (one of
`AS_OFS`, picked by the variant, or one drawn per example), so no result
depends on the data's latest event or the clock; their time-specific
invariants (business time, thresholds, quantiles) are in
``test_time_properties.py``.
"""

from __future__ import annotations

import functools
import math
import random
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any

import attrs
import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

import csmetrics
from csmetrics import AgentTimes, Interactions, Sales, Surveys, Tickets, Window, catalog
from csmetrics.core.episodes import time_rank

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

from strategies import (
    BASE,
    MINUTE,
    Cohort,
    Downtime,
    Sold,
    agent_time_columns,
    agent_times,
    assert_same_result,
    aware_datetimes,
    cohorts,
    contacts_and_sales,
    customer_counts,
    erlang_parameters,
    interaction_columns,
    interactions,
    message_columns,
    outages,
    sale_columns,
    scores,
    staffing_plans,
    survey_columns,
    surveys,
    tickets,
    undefined_allowed,
    undefined_warnings,
)

TABLES: dict[str, Any] = {
    "contacts": Interactions,
    "surveys": Surveys,
    "sales": Sales,
    "agent_time": AgentTimes,
    "tickets": Tickets,
}
"""The columnar table of each catalogue input that has one (outages have none)."""


@dataclass(frozen=True)
class Metric:
    """How the invariant tests call one public metric.

    ``source`` is the survey kind a survey metric reads, else its catalogue
    input (`input`). ``records`` draws its input, the *data* of the tests: a
    list of records (contacts, survey answers, agent time; survey metrics get
    answers of their own kind mixed with another kind, which they must
    ignore), a `Sold`, `Cohort` or `Downtime` bundle of record lists and
    arguments, or a dict of keyword arguments (customer counts, formula
    parameters). ``empty`` is the data without any record, pinned with
    ``@example`` in every invariant test (None for the formulas, which have
    no records). ``low``/``high`` bound its value; ``variants`` are option
    sets, one picked per example; ``by`` is a grouping field it accepts for
    the breakdown tests (None: it has no ``by=``, or its variants pick the
    grouping: `complaint_rate` and `rating` group by agent by default);
    ``edge_cases`` are data pinned with ``@example`` in every invariant test.
    ``positional`` names options passed positionally (the SLA policy);
    ``explicit_as_of`` metrics always get an ``as_of``; ``examples`` scales
    the profile's ``max_examples`` for the metric (its draws are costlier).
    """

    func: Any
    source: str
    records: st.SearchStrategy[Any]
    low: float
    high: float
    by: str | None = "agent_id"
    variants: tuple[dict[str, Any], ...] = field(default=({},))
    edge_cases: tuple[Any, ...] = ()
    positional: tuple[str, ...] = ()
    explicit_as_of: bool = False
    examples: float = 1.0
    empty: Any = field(default_factory=list)

    @property
    def entry(self) -> catalog.Entry:
        return catalog.get(self.func.__name__)

    @property
    def input(self) -> str:
        """What the metric reads: "contacts", "surveys", "sales", ... (`catalog.Input`)."""
        return self.entry.input

    @property
    def has_table(self) -> bool:
        return self.input in TABLES

    def options(self, variant: int) -> dict[str, Any]:
        options = dict(self.variants[variant % len(self.variants)])
        if self.explicit_as_of:
            options["as_of"] = AS_OFS[variant // len(self.variants) % len(AS_OFS)]
        return options

    def grouped(self, options: dict[str, Any]) -> dict[str, Any]:
        """The options plus ``by=self.by`` when the metric has a ``by`` to test."""
        return options if self.by is None else {**options, "by": self.by}

    def call(self, data: Any, **options: Any) -> Any:
        """Call the metric on ``data`` (records, tables, a bundle or keyword
        arguments), passing the ``positional`` options positionally."""
        if isinstance(data, dict):
            return self.func(**data, **options)
        if isinstance(data, Sold):
            return self.func(data.contacts, data.sales, **options)
        if isinstance(data, Cohort):
            return self.func(data.contacts, baseline=data.first, current=data.second, **options)
        if isinstance(data, Downtime):
            return self.func(data.outages, period=data.period, **options)
        args = [options.pop(name) for name in self.positional]
        return self.func(data, *args, **options)

    def inputs(self, data: Any) -> dict[str, Any]:
        """The record lists (or tables) in ``data``, by catalogue input.

        A bundle's fields that hold records are named after their input
        ("contacts", "sales", "outages").
        """
        if isinstance(data, tuple):
            return {
                name: getattr(data, name) for name in (*TABLES, "outages") if name in data._fields
            }
        return {self.input: data}

    def replace(self, data: Any, change: Callable[[str, Any], Any]) -> Any:
        """``data`` with each record list replaced by ``change(input, records)``."""
        changed = {name: change(name, records) for name, records in self.inputs(data).items()}
        return data._replace(**changed) if isinstance(data, tuple) else changed[self.input]

    def table(self, data: Any) -> Any:
        """``data`` with every record list made a table (`TABLES`)."""
        return self.replace(data, lambda name, records: TABLES[name].from_records(records))


def _contact(id: str, start: datetime, minutes: int | None, **fields: Any) -> Any:
    end = None if minutes is None else start + timedelta(minutes=minutes)
    resolved = fields.pop("resolved", end is not None)
    return csmetrics.Interaction(
        id=id, customer_id="ann", start=start, end=end, resolved=resolved, **fields
    )


def _answers(kind: str, *scores: Any) -> list[Any]:
    return [
        csmetrics.Survey(id=f"{kind}{i}", kind=kind, score=s, at=BASE + timedelta(hours=i))  # type: ignore[arg-type]
        for i, s in enumerate(scores)
    ]


CONTACT_EDGE_CASES: tuple[list[Any], ...] = (
    # Only an open contact: FCR has one pending episode and no decided one.
    [_contact("open", BASE, None, agent_id="amy")],
    # A repeat exactly window_days (7) after the first contact's end: inclusive.
    [
        _contact("first", BASE, 60, category="billing", agent_id="amy"),
        _contact("repeat", BASE + timedelta(days=7, minutes=60), 5, category="billing"),
    ],
    # Two contacts of one issue at the same instant: ties are broken by id.
    [
        _contact("b", BASE, 10, issue_id="T1", resolved=False, agent_id="bob"),
        _contact("a", BASE, 10, issue_id="T1", agent_id="amy"),
    ],
)

REGISTRY: dict[str, Metric] = {
    "fcr": Metric(
        csmetrics.fcr,
        "contacts",
        interactions(),
        0,
        1,
        variants=(
            {},
            {"match": "category"},
            {"match": "customer", "window_days": 2.5},
            {"window_days": 1},
        ),
        edge_cases=CONTACT_EDGE_CASES,
    ),
    "resolution_rate": Metric(
        csmetrics.resolution_rate,
        "contacts",
        interactions(),
        0,
        1,
        edge_cases=CONTACT_EDGE_CASES,
    ),
    "reopen_rate": Metric(
        csmetrics.reopen_rate,
        "contacts",
        interactions(),
        0,
        1,
        variants=({}, {"window_days": 2.5}),
        edge_cases=CONTACT_EDGE_CASES,
        explicit_as_of=True,
    ),
    "nps": Metric(
        csmetrics.nps,
        "nps",
        surveys(kinds=("nps", "csat")),
        -100,
        100,
        # The bucket boundaries; a whole-number float; only another kind.
        edge_cases=(_answers("nps", 6, 7, 8, 9), _answers("nps", 8.0), _answers("csat", 5)),
    ),
    "csat": Metric(
        csmetrics.csat,
        "csat",
        surveys(kinds=("csat", "ces")),
        0,
        1,
        variants=({}, {"satisfied_from": 3}, {"satisfied_from": 5}, {"satisfied_from": 1}),
        edge_cases=(_answers("csat", 3, 4), _answers("csat", 1, 5), _answers("nps", 10)),
    ),
    "ces": Metric(
        csmetrics.ces,
        "ces",
        surveys(kinds=("ces", "fcr")),
        1,
        7,
        variants=({}, {"higher_is_easier": False}),
        # One answer (no spread); equal answers (zero spread); the scale ends.
        edge_cases=(_answers("ces", 4), _answers("ces", 5, 5, 5), _answers("ces", 1, 7)),
    ),
    "survey_fcr": Metric(
        csmetrics.survey_fcr,
        "fcr",
        surveys(kinds=("fcr", "nps", "rating")),
        0,
        1,
        edge_cases=(_answers("fcr", True, True), _answers("fcr", False), _answers("nps", 9)),
    ),
}

# -- time and queue metrics ---------------------------------------------------------------------

OFFICE = csmetrics.BusinessCalendar(
    timezone="Europe/Berlin",  # DST starts 2026-03-29, inside the drawn range
    hours={day: [("08:00", "18:00")] for day in ("mon", "tue", "wed", "thu", "fri")},
    holidays=["2026-03-06"],
)
"""Office hours with a holiday; business time is at most calendar time."""

CHANNEL_THRESHOLDS = {"phone": 20, "chat": 60, "email": timedelta(hours=1), None: 300}


def sla_policy(*, business: bool, calendar: Any = OFFICE) -> csmetrics.SLAPolicy:
    """Rules by priority and tier, in both key types (the strategy draws "P1" or
    1), a rule without a first-response target, and a catch-all rule; every
    target in business time when ``business``."""

    def target(seconds: float) -> Any:
        return csmetrics.SLATarget(seconds=seconds, business=business)

    urgent = {
        "first_response": target(60),
        "next_reply": target(300),
        "resolution": target(4 * 3600),
    }
    second = {"first_response": target(20), "resolution": target(24 * 3600)}
    return csmetrics.SLAPolicy(
        calendar=calendar if business else None,
        rules=[
            csmetrics.SLARule(priority="P1", **urgent),
            csmetrics.SLARule(priority=1, **urgent),
            csmetrics.SLARule(tier="tier2", **second),
            csmetrics.SLARule(tier=2, **second),
            csmetrics.SLARule(priority="P3", next_reply=target(600)),
            csmetrics.SLARule(
                first_response=target(3600), next_reply=target(3600), resolution=target(3 * 86400)
            ),
        ],
    )


SLA_CALENDAR_TIME = sla_policy(business=False)
SLA_BUSINESS_TIME = sla_policy(business=True)


def _seconds_after(moment: datetime, seconds: float) -> datetime:
    return moment + timedelta(seconds=seconds)


def queued(id: str, wait: float, *, abandoned: bool = False, **fields: Any) -> Any:
    """A phone call starting at BASE, answered (or abandoned) after ``wait`` seconds."""
    start = fields.pop("start", BASE)
    answer = _seconds_after(start, wait)
    return csmetrics.Interaction(
        id=id,
        customer_id=fields.pop("customer_id", "ann"),
        start=start,
        end=answer if abandoned else _seconds_after(answer, 300),
        first_response_at=None if abandoned else answer,
        abandoned=abandoned,
        channel=fields.pop("channel", "phone"),
        **fields,
    )


def _message(seconds: float, author: str, *, public: bool = True) -> Any:
    return csmetrics.Message(at=_seconds_after(BASE, seconds), author=author, public=public)  # type: ignore[arg-type]


SERVICE_EDGE_CASES: tuple[list[Any], ...] = (
    # All open: a customer asked, nobody answered yet.
    [
        csmetrics.Interaction(
            id="open",
            customer_id="ann",
            start=BASE,
            agent_id="amy",
            priority="P1",
            messages=[_message(0, "customer")],
        )
    ],
    # Answered exactly at the 20 s threshold (and the tier2 rule's 20 s target);
    # abandoned exactly at the 5 s short abandon and at 20 s.
    [
        queued("at20", 20, agent_id="amy", priority="P2", tier="tier2", talk_seconds=60),
        queued("ab5", 5, abandoned=True, customer_id="bob"),
        queued("ab20", 20, abandoned=True, customer_id="cy", agent_id="amy"),
    ],
    # A blocked call; an agent-opened chat (clock from the customer's first
    # message) with a bot message and an internal note that are no replies.
    [
        csmetrics.Interaction(id="busy", customer_id="bob", start=BASE, end=BASE, blocked=True),
        csmetrics.Interaction(
            id="chat",
            customer_id="ann",
            start=BASE,
            end=_seconds_after(BASE, 3600),
            resolved=True,
            agent_id="amy",
            messages=[
                _message(0, "agent"),
                _message(60, "customer"),
                _message(61, "bot"),
                _message(90, "agent", public=False),
                _message(120, "agent"),
                _message(120, "customer"),
            ],
        ),
    ],
    # A ticket resolved, then reopened and still open; only recorded components.
    [
        _contact("t1", BASE, 60, issue_id="T1", agent_id="amy", hold_seconds=0.5),
        _contact("t2", BASE + timedelta(days=1), None, issue_id="T1", resolved=False),
    ],
)


def _timing(func: Any, *extra: dict[str, Any]) -> Metric:
    """A `Durations` metric: completed and censored durations >= 0, median as value."""
    return Metric(
        func,
        "contacts",
        interactions(service=True),
        0,
        math.inf,
        variants=(
            {},
            {"censoring": "exclude"},
            {"calendar": OFFICE},
            {"calendar": OFFICE, "censoring": "exclude"},
            *extra,
        ),
        edge_cases=SERVICE_EDGE_CASES,
        explicit_as_of=True,
        examples=0.25,
    )


def _queue(func: Any, low: float, high: float, *variants: dict[str, Any]) -> Metric:
    return Metric(
        func,
        "contacts",
        interactions(service=True),
        low,
        high,
        variants=variants or ({},),
        edge_cases=SERVICE_EDGE_CASES,
        explicit_as_of=True,
        examples=0.25,
    )


REGISTRY.update(
    {
        "first_response_time": _timing(csmetrics.first_response_time),
        "reply_time": _timing(csmetrics.reply_time),
        "resolution_time": _timing(
            csmetrics.resolution_time, {"kind": "first"}, {"kind": "first", "calendar": OFFICE}
        ),
        "contact_length": _timing(csmetrics.contact_length),
        "handle_time": _queue(csmetrics.handle_time, 0, math.inf, {}, {"calendar": OFFICE}),
        "asa": _queue(csmetrics.asa, 0, math.inf, {}, {"calendar": OFFICE}),
        "service_level": _queue(
            csmetrics.service_level,
            0,
            1,
            {"threshold": 20},
            {"threshold": 60, "formula": "answered"},
            {"threshold": timedelta(minutes=5), "formula": "abandoned_within_met"},
            {"threshold": CHANNEL_THRESHOLDS, "formula": "abandoned_within_excluded"},
            {"threshold": 20, "formula": "short_abandoned_excluded", "short_abandon": 5},
            {"threshold": 3600, "calendar": OFFICE},
        ),
        "abandonment_rate": _queue(
            csmetrics.abandonment_rate,
            0,
            1,
            {},
            {"short_abandon": 5},
            {"short_abandon": 60, "calendar": OFFICE},
        ),
        "blocked_rate": _queue(csmetrics.blocked_rate, 0, 1),
        "sla_attainment": replace(
            _queue(
                csmetrics.sla_attainment,
                0,
                1,
                {"policy": SLA_CALENDAR_TIME},
                {"policy": SLA_BUSINESS_TIME},
            ),
            by=None,
            positional=("policy",),
        ),
    }
)


# -- team, workload, business and staffing metrics -----------------------------------------------


def _team_contact(id: str, customer: str, *, start: datetime = BASE, **fields: Any) -> Any:
    """A contact lasting an hour, with the given fields."""
    return csmetrics.Interaction(
        id=id, customer_id=customer, start=start, end=start + timedelta(hours=1), **fields
    )


TEAM_CONTACTS = interactions(service=True, team=True)
"""Contacts with the queue fields (abandoned and blocked contacts are not
handled; priority and tier are groups of `product_gaps` and `pareto`) and the
team flags."""

TEAM_EDGE_CASES: tuple[list[Any], ...] = (
    # Escalated and complained about, but abandoned (in neither part), and the
    # same on a handled contact.
    [
        _team_contact("ab", "ann", abandoned=True, escalated=True, complaint=True),
        _team_contact(
            "ok", "bob", agent_id="amy", escalated=True, escalated_to="tier2", complaint=True
        ),
    ],
    # An open escalated contact counts with its escalation so far.
    [_contact("open", BASE, None, agent_id="amy", category="billing", escalated=True)],
    # A repeat exactly window_days (7) after the first contact's end.
    [
        _contact("first", BASE, 60, category="billing", agent_id="amy"),
        _contact("repeat", BASE + timedelta(days=7, minutes=60), 5, category="billing"),
    ],
)


def _agent_time(agent: str, state: str, start: int, minutes: int) -> Any:
    begin = BASE + start * MINUTE
    return csmetrics.AgentTime(
        agent_id=agent,
        start=begin,
        end=begin + minutes * MINUTE,
        state=state,  # type: ignore[arg-type]
    )


def _rated(*ratings: tuple[str | None, int]) -> list[Any]:
    return [
        csmetrics.Survey(id=f"r{i}", kind="rating", score=score, at=BASE, agent_id=agent)
        for i, (agent, score) in enumerate(ratings)
    ]


def _sale(id: str, at: datetime, customer: str = "ann", amount: float = 5.0) -> Any:
    return csmetrics.Sale(id=id, customer_id=customer, at=at, amount=amount)


WEEK = timedelta(days=7)
DAY = Window(start=BASE, end=BASE + timedelta(days=1))
FIRST_WEEK = Window(start=BASE, end=BASE + WEEK)
SECOND_WEEK = Window(start=BASE + WEEK, end=BASE + 2 * WEEK)


def _outage(start_hours: float, end_hours: float | None, service: str | None = None) -> Any:
    return csmetrics.Outage(
        start=BASE + timedelta(hours=start_hours),
        end=None if end_hours is None else BASE + timedelta(hours=end_hours),
        service=service,
    )


def _formula(func: Any, records: Any, high: float, *edge_cases: dict[str, Any]) -> Metric:
    """A formula over parameters: no records, no grouping, no empty input."""
    return Metric(func, "parameters", records, 0, high, by=None, edge_cases=edge_cases, empty=None)


_ERLANG_EDGES = (
    {"traffic": 0.0, "agents": 0},
    {"traffic": 0.0, "agents": 3},
    {"traffic": 10.0, "agents": 10},  # as many agents as Erlangs: unstable
    {"traffic": 10.0, "agents": 14},
    {"traffic": 299.99999999999994, "agents": 300},  # just stable
)
_TIMES = {"threshold": 20.0, "aht_seconds": 180.0}
STAFFING = {
    "calls": 100,
    "interval_seconds": 1800,
    "aht_seconds": 180,
    "target_service_level": 0.8,
    "threshold": 20,
}
"""The Call Centre Helper worked example (10 Erlangs)."""

REGISTRY.update(
    {
        "escalation_rate": Metric(
            csmetrics.escalation_rate,
            "contacts",
            TEAM_CONTACTS,
            0,
            1,
            edge_cases=TEAM_EDGE_CASES,
            examples=0.15,
        ),
        "complaint_rate": Metric(
            csmetrics.complaint_rate,
            "contacts",
            TEAM_CONTACTS,
            0,
            1,
            by=None,
            variants=(
                {},  # a funnel by agent
                {"by": None},
                {"limits": "normal", "min_complaints": 0},
                {"by": "category", "min_complaints": 1},
            ),
            edge_cases=TEAM_EDGE_CASES,
            examples=0.2,
        ),
        "product_gaps": Metric(
            csmetrics.product_gaps,
            "contacts",
            TEAM_CONTACTS,
            0,
            1,
            by=None,
            variants=(
                {},
                {"signal": "repeat"},
                {"by": "channel"},
                {"by": "priority", "signal": "repeat", "match": "category", "window_days": 2.5},
            ),
            edge_cases=TEAM_EDGE_CASES,
            examples=0.2,
        ),
        "rating": Metric(
            csmetrics.rating,
            "rating",
            surveys(kinds=("rating", "csat"), agents=4),
            1,
            5,
            by=None,
            variants=(
                {},  # by agent, shrunk
                {"by": None},
                {"method": None},
                {"by": "customer_id"},
            ),
            edge_cases=(
                _answers("rating", 1, 5),  # no agent: the group None
                _rated(("amy", 5), ("amy", 5), ("bob", 1), ("cy", 3)),
                _rated(("amy", 4), ("bob", 4), ("bob", 4)),  # every rating equal
                _answers("csat", 5),  # only another kind
            ),
            examples=0.2,
        ),
        "volume": Metric(
            csmetrics.volume,
            "contacts",
            TEAM_CONTACTS,
            0,
            math.inf,
            by=None,
            variants=(
                {},
                {"every": "hour", "by": "channel"},
                {"every": "week", "timezone": "Europe/Berlin"},
                {"every": "month", "timezone": "America/New_York", "by": "agent_id"},
            ),
            edge_cases=TEAM_EDGE_CASES,
            examples=0.15,
        ),
        "pareto": Metric(
            csmetrics.pareto,
            "contacts",
            TEAM_CONTACTS,
            0,
            1,
            by=None,
            variants=(
                {},
                {"by": "channel", "share": 0.5},
                {"by": "priority", "share": 1.0},
                {"by": "agent_id", "share": 0.01},
            ),
            edge_cases=TEAM_EDGE_CASES,
            examples=0.2,
        ),
        "sales_after_contact": Metric(
            csmetrics.sales_after_contact,
            "sales",
            contacts_and_sales(),
            0,
            1,
            variants=({}, {"window_days": 0}, {"window_days": 2.5}),
            edge_cases=(
                # A sale exactly at the window's end counts, one a minute later
                # goes nowhere; a refund is no sale.
                Sold(
                    [_contact("c", BASE, 60, agent_id="amy")],
                    [
                        _sale("at", BASE + WEEK + timedelta(minutes=60)),
                        _sale("late", BASE + WEEK + timedelta(minutes=61)),
                        _sale("refund", BASE, amount=-10.0),
                    ],
                ),
                # Equal starts: the sale goes to the last id; an open contact's
                # window runs from its start.
                Sold(
                    [_contact("a", BASE, None), _contact("b", BASE, None, agent_id="bob")],
                    [_sale("s", BASE + WEEK)],
                ),
                # A sale without a contact.
                Sold([], [_sale("s", BASE)]),
            ),
            explicit_as_of=True,
            empty=Sold([], []),
            examples=0.2,
        ),
        "occupancy": Metric(
            csmetrics.occupancy,
            "agent_time",
            agent_times(),
            0,
            1,
            variants=({}, {"denominator": "logged_in"}),
            edge_cases=(
                # Only a break: undefined with "available", 0 with "logged_in".
                [_agent_time("amy", "break", 0, 15)],
                # Zero-length intervals, and one agent's intervals back to back.
                [
                    _agent_time("amy", "handling", 0, 0),
                    _agent_time("amy", "available", 0, 15),
                    _agent_time("amy", "wrap", 15, 5),
                    _agent_time("bob", "available", 0, 0),
                ],
            ),
            examples=0.25,
        ),
        "uptime": Metric(
            csmetrics.uptime,
            "outages",
            outages(),
            0,
            1,
            by=None,
            variants=({}, {"service": "api"}),
            edge_cases=(
                # Touching outages (one incident); another service's outage.
                Downtime([_outage(1, 2), _outage(2, 3, "api"), _outage(4, 5, "web")], DAY),
                # Ongoing since before the period: down all of it.
                Downtime([_outage(-1, None)], DAY),
                # A zero-length outage and one after the period: no incident.
                Downtime([_outage(5, 5), _outage(48, 72)], DAY),
            ),
            empty=Downtime([], DAY),
            examples=0.6,
        ),
        "cohort_retention": Metric(
            csmetrics.cohort_retention,
            "contacts",
            cohorts(),
            0,
            1,
            by=None,
            edge_cases=(
                # Windows are half-open: a contact at the first window's end is
                # in the second; bob comes back only before it ends.
                Cohort(
                    [
                        _contact("1", BASE, 5),
                        _contact("2", BASE + WEEK, 5),
                        _team_contact("3", "bob"),
                        _team_contact("4", "bob", start=BASE + 2 * WEEK),
                    ],
                    FIRST_WEEK,
                    SECOND_WEEK,
                ),
            ),
            empty=Cohort([], FIRST_WEEK, SECOND_WEEK),
            examples=0.2,
        ),
        "retention_rate": Metric(
            csmetrics.retention_rate,
            "counts",
            customer_counts(),
            0,
            1,
            by=None,
            edge_cases=(
                {"start": 10, "end": 10, "new": 0},  # every customer kept
                {"start": 10, "end": 3, "new": 3},  # none kept
            ),
            empty={"start": 0, "end": 0, "new": 0},
        ),
        "churn_rate": Metric(
            csmetrics.churn_rate,
            "counts",
            customer_counts(),
            0,
            1,
            by=None,
            edge_cases=({"start": 10, "end": 10, "new": 0}, {"start": 10, "end": 3, "new": 3}),
            empty={"start": 0, "end": 0, "new": 0},
        ),
        "erlang_b": _formula(csmetrics.erlang_b, erlang_parameters(), 1, *_ERLANG_EDGES),
        "erlang_c": _formula(csmetrics.erlang_c, erlang_parameters(), 1, *_ERLANG_EDGES),
        "erlang_c_service_level": _formula(
            csmetrics.erlang_c_service_level,
            erlang_parameters(threshold=True, aht=True),
            1,
            *({**edge, **_TIMES} for edge in _ERLANG_EDGES),
        ),
        "erlang_c_asa": _formula(
            csmetrics.erlang_c_asa,
            erlang_parameters(aht=True),
            math.inf,
            *({**edge, "aht_seconds": 180.0} for edge in _ERLANG_EDGES),
        ),
        "agents_needed": _formula(
            csmetrics.agents_needed,
            staffing_plans(),
            math.inf,
            STAFFING,
            {**STAFFING, "max_occupancy": 0.85, "shrinkage": 0.3},
            {**STAFFING, "calls": 0},
            {**STAFFING, "calls": 5e-324},  # traffic rounds to 0.0, yet is not 0
        ),
    }
)


def _tickets(func: Any, low: float, high: float, *variants: dict[str, Any]) -> Metric:
    return Metric(
        func,
        "tickets",
        tickets(),
        low,
        high,
        by="channel",
        variants=variants or ({},),
        explicit_as_of=True,
        examples=0.5,
    )


REGISTRY.update(
    {
        "ticket_metrics": replace(_tickets(csmetrics.ticket_metrics, 0, math.inf), by=None),
        "requester_wait_time": _tickets(
            csmetrics.requester_wait_time, 0, math.inf, {}, {"calendar": OFFICE}
        ),
        "agent_wait_time": _tickets(csmetrics.agent_wait_time, 0, math.inf),
        "on_hold_time": _tickets(csmetrics.on_hold_time, 0, math.inf, {}, {"calendar": OFFICE}),
        "touch_rate": _tickets(csmetrics.touch_rate, 0, 1, {}, {"touches": 2}, {"touches": 3}),
        "reopen_count": _tickets(csmetrics.reopen_count, 0, math.inf),
        "sla_outcomes": replace(
            _tickets(csmetrics.sla_outcomes, 0, math.inf, {"policy": SLA_CALENDAR_TIME}),
            by=None,
            positional=("policy",),
        ),
    }
)
TIME_METRICS = ["first_response_time", "reply_time", "resolution_time", "contact_length"]
"""Metrics returning `Durations`."""
TICKET_WAITS = ["requester_wait_time", "agent_wait_time", "on_hold_time"]
"""Ticket metrics returning `Durations`."""
TICKET_AGGREGATES = [*TICKET_WAITS, "touch_rate", "reopen_count"]
"""Ticket metrics returning one mergeable result (`ticket_metrics` gives rows)."""
QUEUE_METRICS = ["service_level", "asa", "abandonment_rate", "blocked_rate", "handle_time"]
SERVICE_METRICS = [*TIME_METRICS, *QUEUE_METRICS, "sla_attainment"]

RESOLUTION_AND_SURVEY_METRICS = [
    "fcr",
    "resolution_rate",
    "reopen_rate",
    "nps",
    "csat",
    "ces",
    "survey_fcr",
]
TEAM_METRICS = ["escalation_rate", "complaint_rate", "product_gaps", "rating"]
WORKLOAD_METRICS = ["volume", "pareto"]
BUSINESS_RECORD_METRICS = ["sales_after_contact", "occupancy", "uptime", "cohort_retention"]
"""Business metrics over records: contacts and sales, agent time, outages, contacts."""
COUNT_METRICS = ["retention_rate", "churn_rate"]
"""Formulas over three customer counts."""
FORMULAS = ["erlang_b", "erlang_c", "erlang_c_service_level", "erlang_c_asa", "agents_needed"]
"""Staffing formulas over parameters."""
RECORD_METRICS = [
    *RESOLUTION_AND_SURVEY_METRICS,
    *SERVICE_METRICS,
    *TEAM_METRICS,
    *WORKLOAD_METRICS,
    *BUSINESS_RECORD_METRICS,
    *TICKET_AGGREGATES,
]

BOUNDED = [*RECORD_METRICS, *COUNT_METRICS, *FORMULAS]
PERMUTATION_INVARIANT = RECORD_METRICS
MERGEABLE = [
    *RESOLUTION_AND_SURVEY_METRICS,
    *SERVICE_METRICS,
    *TEAM_METRICS,
    *BUSINESS_RECORD_METRICS,
    *TICKET_AGGREGATES,
]
MONOTONE = [
    "fcr",
    "resolution_rate",
    "nps",
    "csat",
    "ces",
    "survey_fcr",
    "service_level",
    "abandonment_rate",
    "blocked_rate",
    "sla_attainment",
    *TEAM_METRICS,
    *WORKLOAD_METRICS,
    *BUSINESS_RECORD_METRICS,
    *COUNT_METRICS,
    *FORMULAS,
]
OBJECT_COLUMNAR_AGREE = [
    *RESOLUTION_AND_SURVEY_METRICS,
    *SERVICE_METRICS,
    *TEAM_METRICS,
    *WORKLOAD_METRICS,
    "sales_after_contact",
    "occupancy",
    "cohort_retention",
]

INVARIANTS = {
    "BOUNDED": BOUNDED,
    "PERMUTATION_INVARIANT": PERMUTATION_INVARIANT,
    "MERGEABLE": MERGEABLE,
    "MONOTONE": MONOTONE,
    "OBJECT_COLUMNAR_AGREE": OBJECT_COLUMNAR_AGREE,
}
# A metric that cannot satisfy an invariant is listed here, with the reason.
_NO_SUCCESS = (
    "a duration or mean, not a share of successes: one more contact can move it either way "
    "(the time-specific invariants are in test_time_properties.py)"
)
_NO_RECORDS = "{}: named arguments, not records; there is no order to change and no table"
EXEMPT: dict[str, dict[str, str]] = {name: {} for name in INVARIANTS}
EXEMPT["MONOTONE"] = dict.fromkeys([*TIME_METRICS, "asa", "handle_time"], _NO_SUCCESS)
EXEMPT["MONOTONE"]["reopen_rate"] = (
    "one more contact can resolve an issue as well as reopen one, so it can move the rate "
    "either way; the reopen rules are hand-tested in test_trends.py"
)
for _invariant in ("PERMUTATION_INVARIANT", "OBJECT_COLUMNAR_AGREE"):
    EXEMPT[_invariant].update(
        dict.fromkeys(COUNT_METRICS, _NO_RECORDS.format("three customer counts"))
    )
    EXEMPT[_invariant].update(dict.fromkeys(FORMULAS, _NO_RECORDS.format("a formula's parameters")))
_TICKET_ROWS = (
    "a table of one row per ticket, not one value: its rows are checked field by field in "
    "test_tickets.py (bounds, waits adding up, permuted tickets, objects against columns)"
)
_OUTCOME_ROWS = (
    "a table of one row per SLA target, not one value: sla_attainment is its counts and "
    "is classified; the rows are hand-tested in test_sla.py"
)
for _invariant in ("BOUNDED", "PERMUTATION_INVARIANT", "MONOTONE", "OBJECT_COLUMNAR_AGREE"):
    EXEMPT[_invariant]["ticket_metrics"] = _TICKET_ROWS
    EXEMPT[_invariant]["sla_outcomes"] = _OUTCOME_ROWS
EXEMPT["MONOTONE"].update(dict.fromkeys(TICKET_WAITS, _NO_SUCCESS))
EXEMPT["MONOTONE"]["reopen_count"] = _NO_SUCCESS
EXEMPT["MONOTONE"]["touch_rate"] = (
    "one more ticket can be a success or not only by its whole history; the one-touch "
    "rules are hand-tested in test_tickets.py"
)
EXEMPT["OBJECT_COLUMNAR_AGREE"].update(
    dict.fromkeys(
        TICKET_AGGREGATES,
        "computed from ticket_metrics' rows, whose object and columnar paths (rows in any "
        "order) agree in test_tickets.py::test_objects_and_columns_in_any_row_order_agree",
    )
)
EXEMPT["OBJECT_COLUMNAR_AGREE"]["uptime"] = (
    "outages have no columnar table (no Outages class): uptime reads Outage objects only"
)
EXEMPT["MERGEABLE"] = {
    # The catalogue's own word: each of these says "does not merge: ...".
    name: f"catalogue: {catalog.get(name).merge}"
    for name in [*COUNT_METRICS, *FORMULAS, *WORKLOAD_METRICS, "ticket_metrics", "sla_outcomes"]
}

SURVEY_METRICS = [name for name, m in REGISTRY.items() if m.input == "surveys"]
GROUPED = [name for name in MERGEABLE if REGISTRY[name].by is not None]
"""Mergeable metrics with a ``by=`` option giving a plain `Breakdown`."""
SPLIT_MERGEABLE = [name for name in MERGEABLE if REGISTRY[name].input != "outages"]
"""Mergeable metrics whose results of parts of the records merge into the
whole; uptime merges over adjacent periods instead
(`test_uptime_of_adjacent_periods_merges_to_the_whole`)."""
PERIOD_MERGEABLE = [name for name in MERGEABLE if "period" in catalog.get(name).defaults()]
"""Mergeable metrics with a ``period=`` option."""
WITH_INTERVALS = [
    name for name in BOUNDED if hasattr(catalog.get(name).result, "ci") and name not in TIME_METRICS
]
"""Bounded metrics whose result has ``.ci()`` (the quantile intervals of
`Durations` are tested in test_durations.py)."""

VARIANT = st.integers(0, 35)
LEVEL = st.sampled_from([0.5, 0.8, 0.9, 0.95, 0.99, 0.999])
ASSIGN = st.lists(st.integers(0, 2), min_size=1, max_size=12)
AS_OF = aware_datetimes(days=30)
LATE = BASE + timedelta(days=30)  # after every pinned edge case's window
AS_OFS = (LATE, BASE + timedelta(days=10), BASE + timedelta(hours=12))
"""The explicit as_of of the time and queue metrics where the test draws none:
after all data, in the middle of it (later contacts ignored, work censored),
and early."""
FAR_PAST = BASE - timedelta(days=400)
FAR_FUTURE = BASE + timedelta(days=400)


def undefined(result: Any) -> bool:
    """Whether the metric must have warned: its value, or a group's, is nan; a
    Pareto without contacts has no shares. Volumes, Erlang values and staffing
    plans never warn."""
    if isinstance(result, csmetrics.Breakdown):
        return not result.overall.is_defined or any(not r.is_defined for r in result.values())
    if isinstance(result, csmetrics.Result):
        return not result.is_defined
    if isinstance(result, csmetrics.Pareto):
        return result.total == 0
    return False


def headline(result: Any) -> float:
    """The number a result stands for: a breakdown's overall value, a staffing
    plan's agents, else the value."""
    if isinstance(result, csmetrics.Breakdown):
        return float(result.overall)
    if isinstance(result, csmetrics.Staffing):
        return result.agents
    return float(result)


def period_of(result: Any) -> Window | None:
    return (result.overall if isinstance(result, csmetrics.Breakdown) else result).period


def run(metric: Metric, data: Any, **options: Any) -> Any:
    """Call a metric; check it warns exactly when its value (or a group's) is nan."""
    with undefined_allowed() as caught:
        result = metric.call(data, **options)
    assert undefined_warnings(caught) == int(undefined(result))
    return result


def with_as_of(metric: Metric, options: dict[str, Any], as_of: datetime) -> dict[str, Any]:
    """Options plus an explicit as_of for FCR and the metrics with
    ``explicit_as_of``: their default depends on the data, so parts and whole
    (or two periods) must share one."""
    if metric.func is csmetrics.fcr or metric.explicit_as_of:
        return {**options, "as_of": as_of}
    return options


def budget(metric: Metric) -> Any:
    """The settings profile with ``max_examples`` scaled by the metric's ``examples``."""
    examples = max(10, round(settings.default.max_examples * metric.examples))
    return settings(max_examples=min(examples, settings.default.max_examples))


def pinned(metric: Metric, **others: Any) -> Any:
    """Pin the empty input and the metric's known edge cases with @example, and
    apply the metric's example budget."""
    empty = () if metric.empty is None else (metric.empty,)

    def decorate(test: Any) -> Any:
        for records in (*empty, *metric.edge_cases):
            test = example(records=records, **others)(test)
        return budget(metric)(test)

    return decorate


# -- classification -----------------------------------------------------------------------------


def test_every_public_metric_is_classified():
    assert set(REGISTRY) == set(catalog.names()), "register every public metric in REGISTRY"
    for invariant, names in INVARIANTS.items():
        exempt = EXEMPT[invariant]
        missing = set(REGISTRY) - set(names) - set(exempt)
        assert not missing, f"{sorted(missing)} neither in {invariant} nor exempt from it"
        assert set(names) <= set(REGISTRY)
        assert not set(names) & set(exempt), f"in {invariant} and exempt from it"
        assert all(reason.strip() for reason in exempt.values()), "every exemption has a reason"


def test_merge_classification_follows_the_catalogue():
    """A metric is in MERGEABLE exactly where its catalogue entry says it
    merges, and a metric said to merge has a result with merge()."""
    says_no = {name for name in REGISTRY if catalog.get(name).merge.startswith("does not merge")}
    assert set(EXEMPT["MERGEABLE"]) == says_no
    for name in set(REGISTRY) - says_no:
        result = catalog.get(name).result
        assert callable(getattr(result, "merge", None)), f"{result.__name__} has no merge"


def test_registry_functions_are_the_public_ones():
    for name, metric in REGISTRY.items():
        assert metric.func is getattr(csmetrics, name)
        assert metric.func is catalog.get(name).function
        # A survey metric's source is the kind it reads; any other's is its input.
        kinds = catalog.get(name).needs if metric.input == "surveys" else ()
        assert metric.source in (metric.input, *kinds)
        assert (metric.empty is None) == (metric.input == "parameters")


# -- bounds -------------------------------------------------------------------------------------


QUANTILES = (0.0, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95, 1.0)


def check_durations(result: Any) -> None:
    """Every duration >= 0; quantiles non-decreasing in q and within [min, max]."""
    assert (result.durations >= 0).all()
    assert (result.censoring_times >= 0).all()
    assert result.n == result.completed + result.censored
    quantiles = [result.quantile(q) for q in QUANTILES]
    defined = [v for v in quantiles if not math.isnan(v)]
    if result.censoring == "exclude" or not result.censored:
        # Without censored work every quantile is known exactly when one is.
        assert len(defined) in (0, len(QUANTILES))
    # Kaplan-Meier: once the curve stops above 1 - q, higher quantiles are unknown too.
    assert quantiles[: len(defined)] == defined
    assert defined == sorted(defined)
    assert all(result.min <= v <= result.max for v in defined)
    if math.isnan(result.median):
        assert result.completed == 0 or (result.censoring == "kaplan-meier" and result.censored)
    else:
        assert result.min <= result.median <= result.max
    assert (result.p50, result.p90, result.p95) == pytest.approx(
        (result.median, result.quantile(0.9), result.quantile(0.95)), nan_ok=True
    )
    if isinstance(result, csmetrics.ReplyTimes):
        assert (result.contact_means >= 0).all()
        assert len(result.contact_means) <= result.requests
        assert not result.total_per_request < 0
        assert not result.per_contact_mean < 0


def check_counts(result: Any) -> None:
    """The counts of queue and SLA results agree with their definitions."""
    if isinstance(result, csmetrics.ServiceLevel):
        assert result.answered_within <= result.answered
        assert result.short_abandoned <= result.abandoned
        assert result.abandoned_within <= result.abandoned
        within = result.answered_within + (
            result.abandoned_within if result.formula == "abandoned_within_met" else 0
        )
        left_out = {
            "answered": result.abandoned,
            "abandoned_within_excluded": result.abandoned_within,
            "short_abandoned_excluded": result.short_abandoned,
        }.get(result.formula, 0)
        assert (result.numerator, result.denominator) == (
            within,
            result.answered + result.abandoned - left_out,
        )
    elif isinstance(result, csmetrics.HandleTime):
        assert result.fallback <= result.n
    elif isinstance(result, csmetrics.SLAAttainment):
        assert len(result.breaches) == result.breached
        assert all(b.overrun > 0 and b.elapsed > b.overrun for b in result.breaches)
        # Most overrun first.
        overruns = [b.overrun for b in result.breaches]
        assert overruns == sorted(overruns, reverse=True)
        for breakdown in (result.by_target, result.by_priority):
            assert breakdown is not None
            assert breakdown.overall.counts() == result.counts()
    else:
        check_team_and_business_counts(result)


def check_team_and_business_counts(result: Any) -> None:
    """The counts of team and business results agree with their definitions."""
    if isinstance(result, csmetrics.SalesAfterContact):
        # A converted contact has a sale; only sales (amount > 0) bring revenue.
        assert result.numerator <= result.sales
        assert (result.revenue > 0) == (result.sales > 0)
    elif isinstance(result, csmetrics.FunnelRate):
        if result.team_rate is None:
            assert not result.flagged
        else:
            assert 0 <= result.low998 <= result.low95 <= result.high95 <= result.high998 <= 1
            high = result.value > result.high998
            assert result.flagged == (high and result.numerator >= result.min_count)
    elif isinstance(result, csmetrics.Gap):
        if result.overall_rate is not None:
            assert result.expected == pytest.approx(result.denominator * result.overall_rate)
            assert 0 <= result.p_value <= 1
    elif isinstance(result, csmetrics.Rating):
        # The shrunk mean lies between the group's mean and the team mean.
        assert 0 <= result.weight <= 1
        if result.n:
            team = result.mean if result.team_mean is None else result.team_mean
            assert min(result.mean, team) <= result.shrunk <= max(result.mean, team)
    elif isinstance(result, csmetrics.Uptime):
        assert result.downtime <= result.length
        assert result.ongoing <= result.incidents
        assert (result.incidents == 0) == (not result.downtime)
        assert result.value == pytest.approx(1 - result.downtime / result.length)
        if result.incidents:
            # mttr is rounded to the microsecond.
            tick = timedelta(microseconds=result.incidents)
            assert abs(result.mttr * result.incidents - result.downtime) <= tick
    elif isinstance(result, csmetrics.Occupancy):
        busy, available = result.busy_seconds, result.available_seconds
        breaks = result.break_seconds if result.denominator == "logged_in" else 0
        assert result.denominator_seconds == pytest.approx(busy + available + breaks)


def check_groups(result: Any) -> None:
    """The groups of a breakdown share out the overall counts; product gaps,
    funnels and ratings compare each group with the overall as documented."""
    overall, groups = result.overall, list(result.values())
    if isinstance(overall, csmetrics.Rate):
        assert sum(g.numerator for g in groups) == overall.numerator
        assert sum(g.denominator for g in groups) == overall.denominator
    elif isinstance(overall, csmetrics.Mean):
        assert sum(g.n for g in groups) == overall.n
    rate = overall.value if isinstance(overall, csmetrics.Rate) and overall.denominator else None
    if isinstance(result, csmetrics.ProductGaps):
        # Largest excess first; the expected counts add up to the observed total.
        excess = [g.excess for g in groups]
        assert excess == sorted(excess, reverse=True)
        assert sum(g.expected for g in groups) == pytest.approx(overall.numerator, abs=1e-9)
        assert all(g.overall_rate == rate for g in groups)
    elif isinstance(result, csmetrics.Funnel):
        assert result.flagged == [key for key, r in result.items() if r.flagged]
        assert all(g.team_rate == rate for g in groups)
    elif isinstance(result, csmetrics.RatingBreakdown) and groups and result.prior is not None:
        # The prior's mean is the team mean, of all ratings.
        assert result.prior.mean == pytest.approx(overall.mean)


def check_volume(result: Any, contacts: Sequence[Any]) -> None:
    """Every contact counted once, in the period of its start, by kind."""
    for counts in (result.handled, result.abandoned, result.blocked):
        assert (counts >= 0).all()
    assert all(a.end == b.start for a, b in zip(result.windows, result.windows[1:], strict=False))
    assert int(result.offered.sum()) == len(contacts)
    assert int(result.blocked.sum()) == sum(c.blocked for c in contacts)
    assert int(result.abandoned.sum()) == sum(c.abandoned and not c.blocked for c in contacts)
    if contacts:
        assert result.windows[0].start <= min(c.start for c in contacts)
        assert max(c.start for c in contacts) < result.windows[-1].end
    if result.by is not None:
        assert all(list(g.windows) == list(result.windows) for g in result.groups.values())
        handled = sum((g.handled for g in result.groups.values()), np.zeros(len(result), int))
        assert (handled == result.handled).all()


def check_pareto(result: Any, contacts: Sequence[Any]) -> None:
    """Counts largest first, cumulative shares up to exactly 1, and the vital
    few the fewest leading reasons that reach the share."""
    counts, cumulative = result.counts.tolist(), result.cumulative.tolist()
    assert all(count > 0 for count in counts)
    assert counts == sorted(counts, reverse=True)
    assert result.total + result.excluded == len(contacts)
    assert result.excluded == sum(c.abandoned or c.blocked for c in contacts)
    assert cumulative == sorted(cumulative)
    assert all(0 <= share <= 1 for share in (*cumulative, *result.shares.tolist()))
    k = len(result.vital_few)
    if not counts:
        assert k == 0
        return
    assert cumulative[-1] == 1.0
    assert cumulative[k - 1] >= result.share
    assert k == 1 or cumulative[k - 2] < result.share


def check_formula(metric: Metric, value: float, params: dict[str, Any]) -> None:
    """Erlang values in their bounds; waiting at least as likely as blocking;
    an unstable queue (agents <= traffic) waits always, forever, never within
    the threshold."""
    assert metric.low <= value <= metric.high
    traffic, agents = params["traffic"], params["agents"]
    stable = agents > traffic
    if metric.func is csmetrics.erlang_b and agents == 0:
        assert value == 1.0
    elif metric.func is csmetrics.erlang_c:
        assert value >= csmetrics.erlang_b(traffic, agents)
        assert stable or value == 1.0
    elif metric.func is csmetrics.erlang_c_service_level:
        assert stable or value == 0.0
    elif metric.func is csmetrics.erlang_c_asa:
        assert math.isinf(value) == (not stable)


def check_staffing(plan: Any) -> None:
    """No calls need no agents; otherwise more agents than Erlangs of traffic,
    meeting the target and the occupancy cap, and at least as many scheduled."""
    assert plan.scheduled >= plan.agents >= 0
    if plan.calls == 0:
        assert (plan.agents, plan.scheduled, plan.service_level) == (0, 0, 1.0)
        return
    assert plan.agents > plan.traffic
    assert plan.target_service_level <= plan.service_level <= 1
    assert 0 <= plan.wait_probability <= 1
    assert 0 <= plan.occupancy < 1
    assert plan.max_occupancy is None or plan.occupancy <= plan.max_occupancy
    assert 0 <= plan.asa < math.inf
    assert plan.shrinkage > 0 or plan.scheduled == plan.agents


def check_other(metric: Metric, result: Any, data: Any) -> bool:
    """Check a result with no single value and no counts, or a formula's float;
    False for any other result."""
    if isinstance(result, csmetrics.Durations):
        check_durations(result)
    elif isinstance(result, csmetrics.Breakdown):
        check_groups(result)
        for part in (result.overall, *result.values()):
            check_bounds(metric, part)
    elif isinstance(result, csmetrics.Volume):
        check_volume(result, data)
    elif isinstance(result, csmetrics.Pareto):
        check_pareto(result, data)
    elif isinstance(result, csmetrics.Staffing):
        check_staffing(result)
    elif isinstance(result, float):
        check_formula(metric, result, data)
    elif isinstance(result, csmetrics.TicketMetrics):
        check_ticket_rows(result, data)
    elif isinstance(result, csmetrics.SLAOutcomes):
        check_outcome_rows(result, data)
    else:
        return False
    return True


def check_outcome_rows(result: Any, data: Any) -> None:
    """Rows of given tickets, applied after creation; elapsed >= 0; met never breached."""
    created = {t.id: t.created for t in data}
    for r in result.to_rows():
        assert r["applied_at"] >= created[r["ticket_id"]]
        assert r["elapsed"] >= 0
        assert r["seconds"] > 0
        assert not (r["met"] and (r["breached"] or r["excluded"]))


def check_ticket_rows(result: Any, data: Any) -> None:
    """One row per ticket, in order; every time >= 0; business times within calendar times."""
    rows = result.to_rows()
    assert [r["ticket_id"] for r in rows] == [t.id for t in data]
    for r in rows:
        for name in ("first_reply", "first_resolution", "full_resolution", "solve_time"):
            assert r[name] is None or r[name] >= 0
            business = r[f"{name}_business"]
            assert business is None or business <= r[name] + 1e-6


def check_bounds(metric: Metric, result: Any, data: Any = ()) -> None:
    """Check a result against its bounds and definitions; ``data`` is the input."""
    if check_other(metric, result, data):
        return
    check_counts(result)
    value = float(result)
    if math.isnan(value):
        # Undefined: nothing counted in the value (FCR may still count pending).
        if isinstance(result, csmetrics.Rate):
            assert result.numerator == result.denominator == 0
        elif isinstance(result, csmetrics.Occupancy):
            assert result.denominator_seconds == 0
        else:
            assert result.n == 0
    else:
        assert metric.low <= value <= metric.high
    if isinstance(result, csmetrics.Rate):
        assert 0 <= result.numerator <= result.denominator
        assert result.percent == pytest.approx(100 * value, nan_ok=True)


@pytest.mark.parametrize("name", BOUNDED)
def test_value_is_within_bounds(name):
    metric = REGISTRY[name]

    @given(records=metric.records, variant=VARIANT)
    @pinned(metric, variant=0)
    def check(records, variant):
        check_bounds(metric, run(metric, records, **metric.options(variant)), records)

    check()


def check_intervals(metric: Metric, result: Any, level: float) -> None:
    if isinstance(result, csmetrics.Breakdown):
        for part in (result.overall, *result.values()):
            check_intervals(metric, part, level)
        return
    intervals = []  # (interval, check it contains the estimate, check it is in bounds)
    if isinstance(result, csmetrics.Rate):
        for method in ("wilson", "agresti-coull", "wald"):
            ci = result.ci(confidence_level=level, method=method)
            assert ci.method == method
            intervals.append((ci, True, True))
    elif isinstance(result, csmetrics.NPS):
        intervals.append((result.ci(confidence_level=level), True, True))
    else:
        # The t interval of a mean is clipped to the scale (CES) or at 0 (times).
        intervals.append((result.ci(confidence_level=level), True, True))
    for ci, contains, within in intervals:
        assert ci.confidence_level == level
        if not result.is_defined or (isinstance(result, csmetrics.Mean) and result.n < 2):
            assert math.isnan(ci.low)
            assert math.isnan(ci.high)
            continue
        assert ci.low <= ci.high
        if contains:
            assert result.value in ci
        if within:
            assert metric.low <= ci.low
            assert ci.high <= metric.high


@pytest.mark.parametrize("name", WITH_INTERVALS)
def test_interval_contains_estimate_and_lies_within_bounds(name):
    metric = REGISTRY[name]

    @given(records=metric.records, variant=VARIANT, level=LEVEL)
    @pinned(metric, variant=0, level=0.95)
    def check(records, variant, level):
        check_intervals(metric, run(metric, records, **metric.options(variant)), level)

    check()


# -- permutation invariance ---------------------------------------------------------------------


@pytest.mark.parametrize("name", PERMUTATION_INVARIANT)
def test_shuffled_input_gives_the_same_result(name):
    metric = REGISTRY[name]

    @given(records=metric.records, variant=VARIANT, rnd=st.randoms(use_true_random=False))
    @pinned(metric, variant=0, rnd=random.Random(0))
    def check(records, variant, rnd):
        def shuffle(_: str, items: list[Any]) -> list[Any]:
            items = list(items)
            rnd.shuffle(items)
            return items

        shuffled = metric.replace(records, shuffle)
        options = metric.options(variant)
        # Exact sums: the same bits in any order, not just close numbers.
        assert_same_result(run(metric, shuffled, **options), run(metric, records, **options), rel=0)
        if metric.has_table:
            grouped = metric.grouped(options)
            assert_same_result(
                run(metric, metric.table(shuffled), **grouped),
                run(metric, metric.table(records), **grouped),
                rel=0,
            )

    check()


# -- merge --------------------------------------------------------------------------------------


def split(metric: Metric, data: Any, assign: list[int]) -> list[Any]:
    """Three disjoint parts of the records, as the catalogue's ``partition`` allows.

    Where it names fields whose records must meet (a customer's or an issue's),
    by customer: all contacts and sales of one customer in one part (issue
    ids belong to one customer, so every issue lies in one part). Where it is
    empty, record by record, whatever the customer.
    """
    records = metric.inputs(data)
    partition = metric.entry.partition
    if partition:
        customers = sorted({r.customer_id for rs in records.values() for r in rs}, key=repr)
        part_of = {c: assign[i % len(assign)] for i, c in enumerate(customers)}

        def part(_: int, record: Any) -> int:
            return part_of[record.customer_id]
    else:

        def part(i: int, record: Any) -> int:
            return assign[i % len(assign)]

    parts = [
        metric.replace(data, lambda _, rs, p=p: [r for i, r in enumerate(rs) if part(i, r) == p])
        for p in range(3)
    ]
    if partition and "contacts" in records:
        issues = [{r.issue_id for r in metric.inputs(p)["contacts"]} - {None} for p in parts]
        assert sum(map(len, issues)) == len(set().union(*issues))
    return parts


def _pending_issue() -> list[Any]:
    def contact(id: str) -> Any:
        return csmetrics.Interaction(id=id, customer_id="ann", start=BASE, issue_id="T1")

    return [contact("1"), contact("2")]


PARTITION_CASES = {
    # One issue, two open contacts: first-response targets are per contact,
    # the resolution target per issue, so the parts count the issue twice.
    "sla_attainment": (_pending_issue(), {"policy": SLA_CALENDAR_TIME, "as_of": BASE}),
    # Two outages on one day: each part measures the whole day again.
    "uptime": (Downtime([_outage(0, 5), _outage(1, 2)], DAY), {}),
}


@pytest.mark.parametrize("name", PARTITION_CASES)
def test_catalogue_declares_the_partition_records_need(name):
    """Where results of the records one by one do not merge into the whole's,
    the catalogue says which records must meet: an issue's contacts for SLA
    resolution targets, a period's outages for uptime."""
    metric = REGISTRY[name]
    data, options = PARTITION_CASES[name]
    assert metric.entry.partition != ()
    singles = [
        metric.replace(data, lambda _, records, i=i: records[i : i + 1])
        for i in range(len(next(iter(metric.inputs(data).values()))))
    ]
    merged = functools.reduce(lambda a, b: a.merge(b), (run(metric, s, **options) for s in singles))
    assert merged.counts() != run(metric, data, **options).counts()


@pytest.mark.parametrize("name", SPLIT_MERGEABLE)
def test_merged_parts_equal_the_whole(name):
    metric = REGISTRY[name]

    @given(records=metric.records, variant=VARIANT, assign=ASSIGN, as_of=AS_OF)
    @pinned(metric, variant=0, assign=[0], as_of=LATE)
    def check(records, variant, assign, as_of):
        options = with_as_of(metric, metric.options(variant), as_of)
        a, b, c = (run(metric, part, **options) for part in split(metric, records, assign))
        whole = run(metric, records, **options)
        # Bit for bit: exact sums make merges exact, in any order.
        assert_same_result(a.merge(b).merge(c), whole, rel=0)
        # Commutative and associative.
        assert_same_result(a.merge(b), b.merge(a), rel=0)
        assert_same_result(a.merge(b.merge(c)), a.merge(b).merge(c), rel=0)
        assert_same_result(c.merge(a).merge(b), whole, rel=0)

    check()


@pytest.mark.parametrize("name", GROUPED)
def test_merged_breakdowns_of_parts_equal_the_whole(name):
    metric = REGISTRY[name]

    @given(records=metric.records, variant=VARIANT, assign=ASSIGN, as_of=AS_OF)
    @pinned(metric, variant=0, assign=[0], as_of=LATE)
    def check(records, variant, assign, as_of):
        options = with_as_of(metric, metric.options(variant), as_of)
        a, b, c = (
            run(metric, metric.table(part), by=metric.by, **options)
            for part in split(metric, records, assign)
        )
        whole = run(metric, metric.table(records), by=metric.by, **options)
        assert_same_result(a.merge(b).merge(c), whole, rel=0)
        assert_same_result(b.merge(a), a.merge(b), rel=0)

    check()


@pytest.mark.parametrize("name", GROUPED)
def test_breakdown_groups_are_bounded_ordered_and_merge_to_the_overall(name):
    metric = REGISTRY[name]

    @given(records=metric.records, variant=VARIANT, as_of=AS_OF)
    @pinned(metric, variant=0, as_of=LATE)
    def check(records, variant, as_of):
        options = with_as_of(metric, metric.options(variant), as_of)
        table = metric.table(records)
        breakdown = run(metric, table, by=metric.by, **options)
        assert breakdown.by == metric.by
        assert_same_result(breakdown.overall, run(metric, table, **options))
        check_bounds(metric, breakdown.overall, records)
        for result in breakdown.values():
            check_bounds(metric, result, records)
            # A group exists only where there is at least one unit to count
            # (occupancy counts seconds, and an agent's may all be zero-length).
            counts = [v for v in result.counts().values() if isinstance(v, int)]
            assert not counts or sum(counts) > 0
        keys = list(breakdown)
        present = [k for k in keys if k is not None]
        # Ordered by key, the missing key (None) last.
        assert present == sorted(present)
        assert None not in keys or keys[-1] is None
        results = list(breakdown.values())
        if not results:
            assert not breakdown.overall.is_defined
            return
        merged = results[0]
        for result in results[1:]:
            merged = merged.merge(result)
        assert_same_result(merged, breakdown.overall)
        rows = breakdown.to_rows()
        for row, key, result in zip(rows, keys, results, strict=True):
            assert list(row) == [metric.by, "value", *result.counts(), "reliable"]
            assert row["reliable"] == result.is_reliable()
            assert row[metric.by] == key
            assert row["value"] == pytest.approx(result.value, nan_ok=True)
            counts = {k: row[k] for k in result.counts()}
            assert counts == pytest.approx(result.counts(), nan_ok=True)

    check()


@pytest.mark.parametrize("name", PERIOD_MERGEABLE)
def test_results_of_adjacent_periods_merge_to_the_whole(name):
    metric = REGISTRY[name]

    @given(records=metric.records, variant=VARIANT, as_of=AS_OF, cut=aware_datetimes())
    @pinned(metric, variant=0, as_of=LATE, cut=BASE + timedelta(days=3))
    def check(records, variant, as_of, cut):
        table = metric.table(records)
        options = with_as_of(metric, metric.options(variant), as_of)
        before = Window(start=FAR_PAST, end=cut)
        after = Window(start=cut, end=FAR_FUTURE)
        first = run(metric, table, period=before, **options)
        second = run(metric, table, period=after, **options)
        assert period_of(first) == before
        assert period_of(second) == after
        assert_same_result(first.merge(second), run(metric, table, **options))

    check()


def test_merged_breakdown_groups_cover_both_periods():
    """A breakdown merged from two periods covers both, in every group: amy's
    result must not claim the first period only because she has no contact in
    the second. Found by test_results_of_adjacent_periods_merge_to_the_whole
    on the funnels (complaint_rate), product gaps and ratings, which group by
    default; plain breakdowns (escalation_rate below) do the same."""
    contacts = [
        csmetrics.Interaction(
            id="1", customer_id="ann", start=BASE, end=BASE, agent_id="amy", escalated=True
        )
    ]
    first = Window(start=BASE - timedelta(days=1), end=BASE + timedelta(days=1))
    second = Window(start=first.end, end=first.end + timedelta(days=1))
    with undefined_allowed():  # nothing in the second period
        merged = csmetrics.escalation_rate(contacts, by="agent_id", period=first).merge(
            csmetrics.escalation_rate(contacts, by="agent_id", period=second)
        )
    assert merged.overall.period is None
    assert merged["amy"].period is None  # was `first` before the fix


def test_uptime_of_adjacent_periods_merges_to_the_whole():
    """Uptime merges over adjacent periods: lengths and downtimes add up to the
    whole's; an incident down across the cut is one incident of each part."""
    metric = REGISTRY["uptime"]
    touching = [_outage(1, 12), _outage(12, 13), _outage(20, None)]

    @given(records=metric.records, variant=VARIANT, cut=st.integers(0, 10 * 24 * 60))
    @pinned(metric, variant=0, cut=0)
    @example(records=Downtime(touching, DAY), variant=0, cut=12 * 60 - 1)
    def check(records, variant, cut):
        outages, period = records
        minutes = (period.end - period.start) // MINUTE
        if minutes < 2:
            return
        middle = period.start + (1 + cut % (minutes - 1)) * MINUTE
        options = metric.options(variant)

        def measure(start: datetime, end: datetime) -> Any:
            return run(metric, Downtime(outages, Window(start=start, end=end)), **options)

        left = measure(period.start, middle)
        right = measure(middle, period.end)
        whole = run(metric, records, **options)
        merged = left.merge(right)
        assert merged.period is None
        assert (merged.length, merged.downtime) == (whole.length, whole.downtime)
        assert merged.value == whole.value
        tick = timedelta(microseconds=1)
        across = measure(middle - tick, middle + tick).downtime == 2 * tick
        assert merged.incidents == whole.incidents + across
        assert merged.ongoing == whole.ongoing + left.ongoing

    check()


@pytest.mark.parametrize("name", SURVEY_METRICS)
def test_survey_period_keeps_answers_given_in_the_window(name):
    metric = REGISTRY[name]

    @given(records=metric.records, variant=VARIANT, start=aware_datetimes(), days=st.integers(0, 9))
    def check(records, variant, start, days):
        window = Window(start=start, end=start + timedelta(days=days, minutes=1))
        options = metric.options(variant)
        inside = [s for s in records if window.start <= s.at < window.end]
        filtered = run(metric, metric.table(records), period=window, **options)
        assert period_of(filtered) == window
        assert_same_result(filtered, run(metric, inside, **options), check_period=False)

    check()


MISMATCHED = [
    pytest.param("fcr", {"window_days": 7}, {"window_days": 5}, id="fcr-window_days"),
    pytest.param("fcr", {"match": "issue"}, {"match": "customer"}, id="fcr-match"),
    pytest.param(
        "fcr",
        {"as_of": BASE + timedelta(days=30)},
        {"as_of": BASE + timedelta(days=31)},
        id="fcr-as_of",
    ),
    pytest.param("csat", {"scale": (1, 5)}, {"scale": (1, 10)}, id="csat-scale"),
    pytest.param("csat", {"satisfied_from": 4}, {"satisfied_from": 5}, id="csat-satisfied_from"),
    pytest.param("ces", {"scale": (1, 7)}, {"scale": (1, 5)}, id="ces-scale"),
    pytest.param(
        "ces", {"higher_is_easier": True}, {"higher_is_easier": False}, id="ces-higher_is_easier"
    ),
]


def sample_data(name: str) -> list[Any]:
    if REGISTRY[name].input == "contacts":
        start = BASE
        return [
            csmetrics.Interaction(
                id="1",
                customer_id="ann",
                start=start,
                end=start + timedelta(hours=1),
                resolved=True,
            )
        ]
    return {"csat": [5, 4, 2], "ces": [5, 3], "nps": [10, 3], "survey_fcr": [True]}[name]


def _mismatched(name: str, key: str, left: Any, right: Any) -> Any:
    """Two option sets of a time or queue metric, the variant-0 options otherwise."""
    base = REGISTRY[name].options(0)
    return pytest.param(name, {**base, key: left}, {**base, key: right}, id=f"{name}-{key}")


MISMATCHED += [
    *(
        _mismatched(name, "as_of", LATE, LATE + timedelta(days=1))
        # blocked_rate records no as_of: it only picks the contacts, like a period.
        for name in SERVICE_METRICS
        if name not in ("sla_attainment", "blocked_rate")
    ),
    *(_mismatched(name, "censoring", "kaplan-meier", "exclude") for name in TIME_METRICS),
    *(
        _mismatched(name, "calendar", None, OFFICE)
        for name in [*TIME_METRICS, "asa", "handle_time", "service_level", "abandonment_rate"]
    ),
    _mismatched("resolution_time", "kind", "full", "first"),
    _mismatched("service_level", "threshold", 20, 21),
    _mismatched("service_level", "formula", "offered", "answered"),
    _mismatched("abandonment_rate", "short_abandon", None, 5),
    _mismatched("sla_attainment", "policy", SLA_CALENDAR_TIME, SLA_BUSINESS_TIME),
    _mismatched("sla_attainment", "as_of", LATE, LATE + timedelta(days=1)),
]


@pytest.mark.parametrize(("name", "left", "right"), MISMATCHED)
def test_merge_refuses_results_with_different_parameters(name, left, right):
    metric = REGISTRY[name]
    a = run(metric, sample_data(name), **left)
    b = run(metric, sample_data(name), **right)
    with pytest.raises(ValueError, match="different parameters"):
        a.merge(b)
    with pytest.raises(ValueError, match="different parameters"):
        b.merge(a)


def test_merge_refuses_rates_of_different_metrics():
    contacts = sample_data("resolution_rate")
    resolution = csmetrics.resolution_rate(contacts)
    blocked = csmetrics.blocked_rate(contacts, as_of=LATE)
    with pytest.raises(ValueError, match="different parameters"):
        resolution.merge(blocked)


def test_merge_refuses_results_of_different_types():
    with pytest.raises(ValueError, match="cannot merge NPS with CSAT"):
        csmetrics.nps([9, 3]).merge(csmetrics.csat([5]))


# -- monotonicity -------------------------------------------------------------------------------


def later(moment: datetime, minutes: int) -> datetime:
    return moment + timedelta(minutes=minutes)


@st.composite
def fcr_with_a_repeat(draw: st.DrawFn) -> tuple[list[Any], list[Any], dict[str, Any]]:
    """Contacts, the same plus one repeat contact, and the options.

    The repeat has the customer, category and issue id of an earlier ended
    contact and starts within the window after that contact's end. Issue ids
    here keep one category: a ticket whose category changes splits into
    separate issues by design, and a contact can then open a new one.
    """
    match = draw(st.sampled_from(["issue", "category", "customer"]))
    tickets = "per_category" if match == "issue" else "reused"
    window_days = draw(st.sampled_from([7, 1, 2.5]))
    contacts = draw(interactions(min_size=1, tickets=tickets, window_days=window_days))
    ended = [c for c in contacts if c.end is not None]
    if not ended:
        ended = [contacts[0]]
    earlier = draw(st.sampled_from(ended))
    anchor = earlier.end or earlier.start
    window = round(window_days * 24 * 60)
    start = later(
        anchor, draw(st.sampled_from([0, 1, window - 1, window]) | st.integers(0, window))
    )
    end = draw(st.none() | st.integers(0, 3000).map(lambda m: later(start, m)))
    repeat = csmetrics.Interaction(
        id="repeat" if isinstance(earlier.id, str) else 10_000,
        customer_id=earlier.customer_id,
        start=start,
        end=end,
        resolved=end is not None and draw(st.booleans()),
        issue_id=earlier.issue_id,
        category=earlier.category,
        agent_id=earlier.agent_id,
    )
    as_of = draw(aware_datetimes(days=40))
    options = {"match": match, "window_days": window_days, "as_of": as_of}
    return contacts, [*contacts, repeat], options


@st.composite
def resolution_with_a_resolved_request(
    draw: st.DrawFn,
) -> tuple[list[Any], list[Any], dict[str, Any]]:
    """Contacts, and the same plus a resolved contact that is the latest of its
    request (a new request, or the latest contact of an existing ticket)."""
    contacts = draw(interactions(key_type="str"))
    tickets = sorted({c.issue_id for c in contacts if c.issue_id is not None})
    issue = draw(st.sampled_from([None, *tickets]))
    same = [c for c in contacts if c.issue_id == issue and issue is not None]
    start = (
        later(max(c.start for c in same), draw(st.integers(1, 600)))
        if same
        else draw(aware_datetimes())
    )
    extra = csmetrics.Interaction(
        id="extra",
        customer_id=same[0].customer_id if same else "cust0",
        start=start,
        end=later(start, draw(st.integers(0, 600))),
        resolved=True,
        issue_id=issue,
    )
    return contacts, [*contacts, extra], {}


def one_more_answer(kind: str, score: Any) -> st.SearchStrategy[Any]:
    @st.composite
    def build(draw: st.DrawFn) -> tuple[list[Any], list[Any], dict[str, Any]]:
        answers = draw(surveys(key_type="str"))
        extra = csmetrics.Survey(
            id="extra", kind=kind, score=draw(score), at=draw(aware_datetimes())
        )
        position = draw(st.integers(0, len(answers)))
        return answers, [*answers[:position], extra, *answers[position:]], {}

    return build()


def _threshold_seconds(threshold: Any, channel: str | None) -> int:
    if isinstance(threshold, dict):
        threshold = threshold[channel]
    if isinstance(threshold, timedelta):
        threshold = threshold.total_seconds()
    return int(threshold)


def _answered_within(draw: st.DrawFn, options: dict[str, Any], key_type: str) -> dict[str, Any]:
    """A contact answered within the threshold of its channel (waits include 0
    and the threshold itself)."""
    channel = draw(st.sampled_from(["phone", "chat", "email", None]))
    limit = _threshold_seconds(options["threshold"], channel)
    wait = draw(st.sampled_from([0, limit]) | st.integers(0, limit))
    end = draw(st.none() | st.integers(0, 3600).map(lambda s: wait + s))
    return {"channel": channel, "first_response_at": wait, "end": end}


def _answered(draw: st.DrawFn, options: dict[str, Any], key_type: str) -> dict[str, Any]:
    """A contact answered after any wait."""
    wait = draw(st.sampled_from([0, 5, 20]) | st.integers(0, 3 * 86400))
    return {"first_response_at": wait}


def _blocked(draw: st.DrawFn, options: dict[str, Any], key_type: str) -> dict[str, Any]:
    return {"blocked": True, "end": draw(st.none() | st.just(0))}


def _every_target_met(draw: st.DrawFn, options: dict[str, Any], key_type: str) -> dict[str, Any]:
    """A contact answered at once and resolved at once, as its own issue, with no
    messages: every target its rule sets is met. Not priority P3: that rule sets
    only a next-reply target, which a contact without messages never gets."""
    key = (lambda n: f"P{n}") if key_type == "str" else (lambda n: n)
    tier = (lambda n: f"tier{n}") if key_type == "str" else (lambda n: n)
    return {
        "first_response_at": 0,
        "end": 0,
        "resolved": True,
        "priority": draw(st.sampled_from([None, key(1), key(2)])),
        "tier": draw(st.sampled_from([None, tier(1), tier(2)])),
    }


def one_more_contact(name: str, step: Any) -> st.SearchStrategy[Any]:
    """Contacts, the same plus the contact ``step`` describes (starting by
    ``as_of``, so it counts), and the options of a drawn variant. ``step``
    gives fields, times as seconds after the new contact's start."""

    @st.composite
    def build(draw: st.DrawFn) -> tuple[list[Any], list[Any], dict[str, Any]]:
        options = REGISTRY[name].options(draw(VARIANT))
        key_type = draw(st.sampled_from(["str", "int"]))
        contacts = draw(interactions(service=True, key_type=key_type))
        start = min(draw(aware_datetimes()), options["as_of"])
        fields = step(draw, options, key_type)
        for moment in ("first_response_at", "end"):
            if fields.get(moment) is not None:
                fields[moment] = _seconds_after(start, fields[moment])
        extra = csmetrics.Interaction(
            id="extra" if key_type == "str" else 10_000,
            customer_id="extra" if key_type == "str" else 10_000,
            start=start,
            **fields,
        )
        position = draw(st.integers(0, len(contacts)))
        return contacts, [*contacts[:position], extra, *contacts[position:]], options

    return build()


ONE_MORE_SUCCESS: dict[str, st.SearchStrategy[Any]] = {
    "service_level": one_more_contact("service_level", _answered_within),
    "abandonment_rate": one_more_contact("abandonment_rate", _answered),
    "blocked_rate": one_more_contact("blocked_rate", _blocked),
    "sla_attainment": one_more_contact("sla_attainment", _every_target_met),
    "fcr": fcr_with_a_repeat(),
    "resolution_rate": resolution_with_a_resolved_request(),
    "nps": one_more_answer("nps", st.sampled_from([9, 10])),
    "csat": one_more_answer("csat", st.sampled_from([4, 5])),
    "ces": one_more_answer("ces", st.just(7)),
    "survey_fcr": one_more_answer("fcr", st.just(True)),
}


# Steps of the team, workload, business and staffing metrics.


def _inserted(draw: st.DrawFn, items: list[Any], extra: Any) -> list[Any]:
    position = draw(st.integers(0, len(items)))
    return [*items[:position], extra, *items[position:]]


SPAN = Window(start=BASE - timedelta(days=1), end=BASE + timedelta(days=60))
"""A period around every drawn contact start, for `volume`'s fixed periods."""


def one_more_handled_contact(
    name: str, *, fixed: dict[str, Any] | None = None, **flags: bool
) -> st.SearchStrategy[Any]:
    """Contacts, the same plus one handled contact (neither abandoned nor
    blocked) with ``flags`` set, and the options of a drawn variant (plus
    ``fixed``)."""

    @st.composite
    def build(draw: st.DrawFn) -> tuple[list[Any], list[Any], dict[str, Any]]:
        options = {**REGISTRY[name].options(draw(VARIANT)), **(fixed or {})}
        contacts = draw(interactions(service=True, team=True, key_type="str"))
        start = draw(aware_datetimes())
        extra = csmetrics.Interaction(
            id="extra",
            customer_id=draw(st.sampled_from(["cust0", "extra"])),
            start=start,
            end=start + timedelta(minutes=draw(st.integers(0, 600))),
            agent_id=draw(st.sampled_from([None, "agent0", "agent1"])),
            category=draw(st.sampled_from([None, "cat0", "cat1"])),
            channel=draw(st.sampled_from([None, "phone", "chat"])),
            **flags,
        )
        return contacts, _inserted(draw, contacts, extra), options

    return build()


@st.composite
def gaps_with_a_repeat(draw: st.DrawFn) -> tuple[list[Any], list[Any], dict[str, Any]]:
    """`fcr_with_a_repeat` for product_gaps' repeat signal: the repeat counts,
    and can only make later contacts repeats too."""
    contacts, more, options = draw(fcr_with_a_repeat())
    gaps = {"signal": "repeat", "match": options["match"], "window_days": options["window_days"]}
    return contacts, more, gaps


@st.composite
def one_more_sale(draw: st.DrawFn) -> tuple[Sold, Sold, dict[str, Any]]:
    """Contacts and sales, and the same plus one sale (amount > 0) to a
    customer with contacts, at any time; ``as_of`` is explicit."""
    options = REGISTRY["sales_after_contact"].options(draw(VARIANT))
    sold = draw(contacts_and_sales(key_type="str"))
    customers = sorted({c.customer_id for c in sold.contacts}) or ["cust0"]
    extra = csmetrics.Sale(
        id="extra",
        customer_id=draw(st.sampled_from(customers)),
        at=draw(aware_datetimes(days=30)),
        amount=draw(st.sampled_from([0.5, 20.5])),
    )
    return sold, sold._replace(sales=_inserted(draw, sold.sales, extra)), options


@st.composite
def one_more_busy_interval(draw: st.DrawFn) -> tuple[list[Any], list[Any], dict[str, Any]]:
    """Agent time, and the same plus a new agent's interval handling or in wrap-up."""
    options = REGISTRY["occupancy"].options(draw(VARIANT))
    spans = draw(agent_times(key_type="str"))
    start = draw(aware_datetimes())
    extra = csmetrics.AgentTime(
        agent_id="extra",
        start=start,
        end=start + draw(st.integers(1, 240)) * MINUTE,
        state=draw(st.sampled_from(["handling", "wrap"])),
    )
    return spans, _inserted(draw, spans, extra), options


@st.composite
def one_more_outage(draw: st.DrawFn) -> tuple[Downtime, Downtime, dict[str, Any]]:
    """Outages in a period, and the same plus one outage of any service
    starting up to an hour before the period or in it."""
    options = REGISTRY["uptime"].options(draw(VARIANT))
    data = draw(outages())
    minutes = (data.period.end - data.period.start) // MINUTE
    start = data.period.start + draw(st.integers(-60, minutes)) * MINUTE
    end = draw(st.none() | st.integers(0, 600).map(lambda m: start + m * MINUTE))
    extra = csmetrics.Outage(start=start, end=end, service=draw(st.sampled_from([None, "api"])))
    return data, data._replace(outages=_inserted(draw, data.outages, extra)), options


@st.composite
def one_more_return(draw: st.DrawFn) -> tuple[Cohort, Cohort, dict[str, Any]]:
    """A cohort, and the same plus a contact in the second window by one of the
    customers or a new one: a customer coming back never lowers retention."""
    cohort = draw(cohorts(key_type="str"))
    second = cohort.second
    minutes = (second.end - second.start) // MINUTE
    customers = sorted({c.customer_id for c in cohort.contacts})
    extra = csmetrics.Interaction(
        id="extra",
        customer_id=draw(st.sampled_from([*customers, "new"])),
        start=second.start + draw(st.integers(0, minutes - 1)) * MINUTE,
    )
    return cohort, cohort._replace(contacts=_inserted(draw, cohort.contacts, extra)), {}


@st.composite
def one_more_customer(draw: st.DrawFn, *, kept: bool) -> tuple[dict, dict, dict[str, Any]]:
    """Customer counts, and the same with one more customer at the start who
    is still there at the end (``kept``) or is lost."""
    counts = draw(customer_counts())
    more = {**counts, "start": counts["start"] + 1, "end": counts["end"] + kept}
    return counts, more, {}


@st.composite
def one_more_agent(draw: st.DrawFn, params: st.SearchStrategy[dict[str, Any]]) -> Any:
    """Erlang parameters, and the same with one more agent."""
    before = draw(params)
    return before, {**before, "agents": before["agents"] + 1}, {}


@st.composite
def more_calls(draw: st.DrawFn) -> tuple[dict, dict, dict[str, Any]]:
    """A staffing plan's inputs, and the same with more calls."""
    plan = draw(staffing_plans())
    more = draw(st.sampled_from([1, 10, 100]) | st.integers(1, 500))
    return plan, {**plan, "calls": plan["calls"] + more}, {}


ONE_MORE_SUCCESS.update(
    {
        "escalation_rate": one_more_handled_contact("escalation_rate", escalated=True),
        "complaint_rate": one_more_handled_contact("complaint_rate", complaint=True),
        "product_gaps": st.one_of(
            one_more_handled_contact(
                "product_gaps",
                fixed={"signal": "escalation", "window_days": None, "match": None},
                escalated=True,
            ),
            gaps_with_a_repeat(),
        ),
        "rating": one_more_answer("rating", st.just(5)),
        "volume": one_more_handled_contact("volume", fixed={"period": SPAN}),
        "pareto": one_more_handled_contact("pareto"),
        "sales_after_contact": one_more_sale(),
        "occupancy": one_more_busy_interval(),
        "uptime": one_more_outage(),
        "cohort_retention": one_more_return(),
        "retention_rate": one_more_customer(kept=True),
        "churn_rate": one_more_customer(kept=False),
        "erlang_b": one_more_agent(erlang_parameters()),
        "erlang_c": one_more_agent(erlang_parameters()),
        "erlang_c_service_level": one_more_agent(erlang_parameters(threshold=True, aht=True)),
        "erlang_c_asa": one_more_agent(erlang_parameters(aht=True)),
        "agents_needed": more_calls(),
    }
)


# Pinned steps: a success followed by a repeat exactly at the window's end, and
# one success added to no data.
_SOLVED = _contact("solved", BASE, 60, category="billing")
MONOTONE_PINNED: dict[str, tuple[Any, Any, dict[str, Any]]] = {
    "fcr": (
        [_SOLVED],
        [_SOLVED, _contact("again", BASE + timedelta(days=7, minutes=60), 5, category="billing")],
        {"as_of": LATE},
    ),
    "resolution_rate": ([], [_SOLVED], {}),
    "nps": ([], _answers("nps", 9), {}),
    "csat": ([], _answers("csat", 4), {}),
    "ces": ([], _answers("ces", 7), {}),
    "survey_fcr": ([], _answers("fcr", True), {}),
    # Answered exactly at the threshold, after an abandon at the same wait.
    "service_level": (
        [queued("ab20", 20, abandoned=True)],
        [queued("ab20", 20, abandoned=True), queued("at20", 20, customer_id="bob")],
        {"threshold": 20, "formula": "abandoned_within_excluded", "as_of": LATE},
    ),
    "abandonment_rate": (
        [queued("ab5", 5, abandoned=True)],
        [queued("ab5", 5, abandoned=True), queued("slow", 7200)],
        {"short_abandon": 5, "as_of": LATE},
    ),
    "blocked_rate": (
        [],
        [csmetrics.Interaction(id="busy", customer_id="ann", start=BASE, blocked=True)],
        {"as_of": LATE},
    ),
    # A first response two hours late, then one answered and resolved at once.
    "sla_attainment": (
        [queued("late", 7200)],
        [queued("late", 7200), queued("fast", 0, customer_id="bob", resolved=True)],
        {"policy": SLA_CALENDAR_TIME, "as_of": LATE},
    ),
    "escalation_rate": ([], [_team_contact("up", "ann", escalated=True)], {}),
    "complaint_rate": ([], [_team_contact("bad", "ann", agent_id="amy", complaint=True)], {}),
    "product_gaps": (
        [_team_contact("a", "ann", category="billing")],
        [_team_contact("a", "ann", category="billing"), _team_contact("b", "bob", escalated=True)],
        {},
    ),
    "rating": ([], _rated(("amy", 5)), {}),
    "volume": ([], [_SOLVED], {"period": SPAN, "every": "hour"}),
    "pareto": ([_SOLVED], [_SOLVED, _contact("more", BASE, 5)], {}),
    # A sale exactly at the end of the window converts the contact.
    "sales_after_contact": (
        Sold([_SOLVED], []),
        Sold([_SOLVED], [_sale("s", BASE + WEEK + timedelta(minutes=60))]),
        {"as_of": LATE},
    ),
    "occupancy": (
        [_agent_time("amy", "break", 0, 15)],
        [_agent_time("amy", "break", 0, 15), _agent_time("bob", "handling", 0, 1)],
        {},
    ),
    "uptime": (Downtime([], DAY), Downtime([_outage(0, 24)], DAY), {}),
    # Ann comes back at the very start of the second window.
    "cohort_retention": (
        Cohort([_contact("1", BASE, 5)], FIRST_WEEK, SECOND_WEEK),
        Cohort([_contact("1", BASE, 5), _contact("2", BASE + WEEK, 5)], FIRST_WEEK, SECOND_WEEK),
        {},
    ),
    "retention_rate": ({"start": 0, "end": 0, "new": 0}, {"start": 1, "end": 1, "new": 0}, {}),
    "churn_rate": ({"start": 0, "end": 0, "new": 0}, {"start": 1, "end": 0, "new": 0}, {}),
    # As many agents as Erlangs (unstable), then one more.
    "erlang_b": ({"traffic": 10.0, "agents": 10}, {"traffic": 10.0, "agents": 11}, {}),
    "erlang_c": ({"traffic": 10.0, "agents": 10}, {"traffic": 10.0, "agents": 11}, {}),
    "erlang_c_service_level": (
        {"traffic": 10.0, "agents": 10, **_TIMES},
        {"traffic": 10.0, "agents": 11, **_TIMES},
        {},
    ),
    "erlang_c_asa": (
        {"traffic": 10.0, "agents": 10, "aht_seconds": 180.0},
        {"traffic": 10.0, "agents": 11, "aht_seconds": 180.0},
        {},
    ),
    "agents_needed": (STAFFING, {**STAFFING, "calls": 101}, {}),
}

STEP_LOWERS = {"abandonment_rate", "uptime", "erlang_b", "erlang_c", "erlang_c_asa"}
"""Metrics whose tested step can only lower the value: one more answered
contact (lower abandonment is better), one more outage, one more agent (less
blocking and waiting). Every other step is one more success (of the metric's
numerator: an escalation, a complaint, a sale, a returning customer...), one
more contact counted, or, for agents_needed, more calls."""


ADDS_NO_UNIT = {
    "sales_after_contact": "a sale converts a contact but adds none",
    "cohort_retention": "a customer coming back adds nobody to the cohort",
}
"""Metrics whose step need not make an undefined value defined."""


def check_one_more_counted(before: Any, after: Any) -> None:
    """One more handled contact: counted once more in total, and no count falls."""
    assert after.total == before.total + 1
    if isinstance(after, csmetrics.Volume):
        assert list(after.windows) == list(before.windows)
        assert (after.handled >= before.handled).all()
    else:
        counts = dict(zip(after.keys, after.counts.tolist(), strict=True))
        assert all(counts[k] >= n for k, n in zip(before.keys, before.counts.tolist(), strict=True))


def test_every_monotone_metric_has_a_step():
    assert set(ONE_MORE_SUCCESS) == set(MONOTONE)
    assert set(MONOTONE_PINNED) == set(MONOTONE)


@pytest.mark.parametrize("name", MONOTONE)
def test_one_more_success_never_lowers_the_value(name):
    metric = REGISTRY[name]

    @budget(metric)
    @given(case=ONE_MORE_SUCCESS[name])
    @example(case=MONOTONE_PINNED[name])
    def check(case):
        before_records, after_records, options = case
        before = run(metric, before_records, **options)
        after = run(metric, after_records, **options)
        if name == "fcr":
            # A repeat never adds a success, and never adds an episode.
            assert after.numerator <= before.numerator
            assert after.denominator + after.pending <= before.denominator + before.pending
            return
        if isinstance(after, (csmetrics.Volume, csmetrics.Pareto)):
            check_one_more_counted(before, after)
            return
        if isinstance(after, csmetrics.Staffing):
            # More calls never need fewer agents.
            assert after.agents >= before.agents
            assert after.scheduled >= before.scheduled
            return
        assert name in ADDS_NO_UNIT or not math.isnan(headline(after))
        assert math.isnan(headline(before)) or not math.isnan(headline(after))
        if name == "service_level":
            assert after.numerator == before.numerator + 1
        if not math.isnan(headline(before)) and name in STEP_LOWERS:
            assert headline(after) <= headline(before)
        elif not math.isnan(headline(before)):
            assert headline(after) >= headline(before)

    check()


# -- object and columnar paths ------------------------------------------------------------------


TOKYO = timezone(timedelta(hours=9))


def in_zone(name: str, records: list[Any], zone: timezone) -> list[Any]:
    """The same records with every datetime written in ``zone``."""
    if name == "contacts":
        return [
            attrs.evolve(
                r,
                start=r.start.astimezone(zone),
                end=r.end and r.end.astimezone(zone),
                first_response_at=r.first_response_at and r.first_response_at.astimezone(zone),
                messages=[attrs.evolve(m, at=m.at.astimezone(zone)) for m in r.messages],
            )
            for r in records
        ]
    if name == "agent_time":
        return [
            attrs.evolve(r, start=r.start.astimezone(zone), end=r.end.astimezone(zone))
            for r in records
        ]
    return [attrs.evolve(r, at=r.at.astimezone(zone)) for r in records]


def columnar(name: str, records: list[Any], *, numpy_layout: bool) -> Any:
    """The records as a table built from columns: numpy arrays (UTC
    datetime64, float scores) or Python lists (aware datetimes, object scores)."""
    times = "datetime64" if numpy_layout else "aware"
    if name == "contacts":
        return Interactions.from_columns(
            interaction_columns(records, times=times, service=True),
            messages=message_columns(records, times=times),
        )
    if name == "surveys":
        scores_as = "float" if numpy_layout else "object"
        return Surveys.from_columns(survey_columns(records, scores_as=scores_as))
    if name == "sales":
        return Sales.from_columns(sale_columns(records, times=times))
    return AgentTimes.from_columns(agent_time_columns(records, times=times))


@pytest.mark.parametrize("name", OBJECT_COLUMNAR_AGREE)
def test_object_and_columnar_paths_agree(name):
    metric = REGISTRY[name]

    @given(records=metric.records, variant=VARIANT, numpy_layout=st.booleans())
    @pinned(metric, variant=0, numpy_layout=True)
    def check(records, variant, numpy_layout):
        options = metric.options(variant)
        columns = metric.replace(
            records, lambda kind, items: columnar(kind, items, numpy_layout=numpy_layout)
        )
        from_objects = run(metric, records, **options)
        assert_same_result(run(metric, metric.table(records), **options), from_objects)
        # The same instants written in another time zone.
        tokyo = metric.replace(records, lambda kind, items: in_zone(kind, items, TOKYO))
        assert_same_result(run(metric, tokyo, **options), from_objects)
        assert_same_result(run(metric, columns, **options), from_objects)
        if "contacts" in metric.inputs(records):
            # The table's records are the same contacts (in UTC).
            back = metric.replace(
                records,
                lambda kind, items: (
                    Interactions.from_records(items).to_records() if kind == "contacts" else items
                ),
            )
            assert back == records
            assert_same_result(run(metric, back, **options), from_objects)
        if metric.by is None:
            return
        by_table = run(metric, metric.table(records), by=metric.by, **options)
        assert_same_result(run(metric, columns, by=metric.by, **options), by_table)
        if any(metric.inputs(records).values()):
            assert_same_result(run(metric, records, by=metric.by, **options), by_table)

    check()


@pytest.mark.parametrize("name", SURVEY_METRICS)
def test_plain_scores_agree_with_survey_records(name):
    metric = REGISTRY[name]

    @given(values=scores(kind=metric.source), variant=VARIANT)
    @example(values=[], variant=0)
    def check(values, variant):
        records = [
            csmetrics.Survey(id=i, kind=metric.source, score=v, at=BASE)
            for i, v in enumerate(values)
        ]
        # Plain scores carry no agent: no grouping (rating groups by agent by default).
        options = {**metric.options(variant), "by": None}
        assert_same_result(run(metric, values, **options), run(metric, records, **options))

    check()


# -- undefined ----------------------------------------------------------------------------------


DEFINED_WHEN_EMPTY = {
    "uptime": "no outage is 100% uptime",
    "ticket_metrics": "no ticket is a table of no rows",
    "sla_outcomes": "no ticket is a table of no targets",
    "volume": "no contact gives no period, hence no count to be undefined",
}
UNDEFINED_WHEN_EMPTY = [
    name for name, m in REGISTRY.items() if m.empty is not None and name not in DEFINED_WHEN_EMPTY
]
"""Metrics whose value is nan, with a warning, on their empty input (the
formulas over parameters have none)."""


@pytest.mark.parametrize("name", UNDEFINED_WHEN_EMPTY)
def test_empty_input_is_nan_with_undefined_warning(name):
    metric = REGISTRY[name]
    for variant in range(len(metric.variants)):
        with pytest.warns(csmetrics.UndefinedMetricWarning, match="undefined"):
            result = metric.call(metric.empty, **metric.options(variant))
        if isinstance(result, csmetrics.Pareto):
            assert (result.keys, result.total, result.vital_few) == ((), 0, ())
            continue
        if isinstance(result, csmetrics.Breakdown):
            assert len(result) == 0
            result = result.overall
        assert math.isnan(float(result))
        assert all(v == 0 for v in result.counts().values() if not isinstance(v, float))


@pytest.mark.parametrize("name", DEFINED_WHEN_EMPTY)
def test_empty_input_is_defined_without_warning(name):
    metric = REGISTRY[name]
    for variant in range(len(metric.variants)):
        result = run(metric, metric.empty, **metric.options(variant))
        assert not undefined(result)
        check_bounds(metric, result, metric.empty)


@pytest.mark.parametrize("name", [name for name in REGISTRY if REGISTRY[name].by is not None])
def test_empty_table_by_group_is_an_empty_breakdown(name):
    metric = REGISTRY[name]
    with pytest.warns(csmetrics.UndefinedMetricWarning):
        result = metric.call(metric.table(metric.empty), by=metric.by, **metric.options(0))
    assert isinstance(result, csmetrics.Breakdown)
    assert len(result) == 0
    assert result.to_rows() == []
    assert math.isnan(float(result.overall))


# -- as_of and period select without copying ----------------------------------------------------

AS_OF_CONTACT_METRICS = [
    name
    for name, metric in REGISTRY.items()
    if metric.input == "contacts" and "as_of" in catalog.get(name).defaults()
]
"""Contact metrics with an ``as_of``: they select the contacts it keeps with a view."""


def _sorted_table(records: list[Any]) -> Interactions:
    """The records' table with its time order computed and cached, as after an earlier metric."""
    table = Interactions.from_records(records)
    time_rank(table)
    return table


@pytest.mark.parametrize("name", AS_OF_CONTACT_METRICS)
def test_as_of_view_gives_the_numbers_of_a_table_of_the_kept_contacts(name):
    # as_of selects the contacts it keeps as a view of the table, whose columns
    # are gathered when read and whose time order comes from the table's: the
    # numbers must be those of a new table of only the kept contacts, with or
    # without a cached order, with or without a period.
    metric = REGISTRY[name]

    @given(records=metric.records, variant=VARIANT, as_of=AS_OF, with_period=st.booleans())
    @pinned(metric, variant=0, as_of=LATE, with_period=False)
    def check(records, variant, as_of, with_period):
        options = {**metric.options(variant), "as_of": as_of}
        if with_period and "period" in catalog.get(name).defaults():
            options["period"] = (BASE, BASE + timedelta(days=5))
        cut = metric.replace(
            records,
            lambda kind, items: (
                Interactions.from_records([r for r in items if r.start <= as_of])
                if kind == "contacts"
                else items
            ),
        )
        expected = run(metric, cut, **options)
        fresh = metric.replace(records, lambda kind, items: TABLES[kind].from_records(items))
        assert_same_result(run(metric, fresh, **options), expected)
        cached = metric.replace(
            records,
            lambda kind, items: _sorted_table(items) if kind == "contacts" else items,
        )
        assert_same_result(run(metric, cached, **options), expected)

    check()
