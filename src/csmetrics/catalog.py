"""The metric catalogue: one entry per public metric, the one place for its facts.

Everything that needs to know something about a metric (its direction, unit,
label, the fields it reads, its definition choices, how it combines across
partitions) reads it here: `target`, `trend`, `guardrail` and `drivers`, the
KPI report, ``csmetrics definitions`` and the test suite's property registry.
A new metric touches three places: its family module, its entry here, and
its docs page.

>>> import csmetrics
>>> entry = csmetrics.catalog.get("handle_time")
>>> entry.direction, entry.unit, entry.label
('lower', 'seconds', 'Average handle time')
>>> entry.defaults()["as_of"] is None
True
>>> "fcr" in csmetrics.catalog.names()
True
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import Any, Literal

import attrs

from csmetrics.adapters import dask as dask_adapter
from csmetrics.core.check import option
from csmetrics.core.distributed import set_runner
from csmetrics.core.reading import INTERACTION_FIELDS, SURVEY_FIELDS
from csmetrics.core.results import Durations, Rate, TimeMean
from csmetrics.metrics import (
    business,
    resolution,
    service_level,
    sla,
    staffing,
    surveys,
    team,
    tickets,
    timing,
    workload,
)
from csmetrics.metrics.resolution import FCR, ReopenRate
from csmetrics.metrics.service_level import AbandonmentRate, ServiceLevel
from csmetrics.metrics.surveys import CES, CSAT, NPS
from csmetrics.metrics.team import FunnelRate, ProductGaps, Rating
from csmetrics.metrics.timing import HandleTime, ReplyTimes

__all__ = [
    "DIRECTIONS",
    "Direction",
    "Entry",
    "Input",
    "Unit",
    "direction_of",
    "entries",
    "entry_of",
    "fields_of",
    "get",
    "names",
]

Direction = Literal["higher", "lower"]
"""Which way a metric improves; an entry's ``direction`` is None when neither is better."""
Unit = Literal["fraction", "points", "mean", "seconds", "count", "agents"]
"""``fraction``: a rate in [0, 1]; ``points``: NPS in [-100, 100]; ``mean``: a
mean answer on the survey's own scale; ``seconds``: a duration; ``count``:
contacts; ``agents``: a head count."""
Input = Literal[
    "contacts", "tickets", "surveys", "sales", "agent_time", "outages", "counts", "parameters"
]
"""What a metric reads: contacts (`Interaction`/`Interactions`), tickets
(`Ticket`/`Tickets`), survey answers (or plain scores), contacts with sales,
agent time, outages, customer counts, or plain parameters (the Erlang
formulas)."""

DIRECTIONS: tuple[Direction, ...] = ("higher", "lower")
_DIRECTIONS: tuple[Direction | None, ...] = (*DIRECTIONS, None)
_UNITS: tuple[Unit, ...] = ("fraction", "points", "mean", "seconds", "count", "agents")
_INPUTS: tuple[Input, ...] = (
    "contacts",
    "tickets",
    "surveys",
    "sales",
    "agent_time",
    "outages",
    "counts",
    "parameters",
)


def _check_direction(inst: object, attribute: attrs.Attribute[Any], value: Any) -> None:
    option(attribute.name, value, _DIRECTIONS)


def _check_unit(inst: object, attribute: attrs.Attribute[Any], value: Any) -> None:
    option(attribute.name, value, _UNITS)


def _check_input(inst: object, attribute: attrs.Attribute[Any], value: Any) -> None:
    option(attribute.name, value, _INPUTS)


def _read_only(mapping: Mapping[str, str]) -> Mapping[str, str]:
    return MappingProxyType(dict(mapping))


@attrs.frozen(kw_only=True)
class Entry:
    """What the library knows about one public metric.

    Attributes
    ----------
    name
        The public function's name (``"fcr"``).
    function
        The public function itself.
    result
        The result type a call without ``by=`` returns (`float` for the
        Erlang formulas).
    family
        The module of `csmetrics.metrics` that defines it.
    label
        A readable name for tables and reports ("First-contact resolution").
    meaning
        One line on what the number tells a support lead.
    unit
        See `Unit`.
    direction
        ``"higher"`` or ``"lower"`` is better; None when neither is (volume,
        occupancy, staffing). `direction_of` reads a result's own direction
        where it has one (CES with ``higher_is_easier=False``).
    input
        See `Input`.
    needs
        The input fields the metric cannot do without (with its default
        options); for survey metrics, the survey kind. A contact metric
        raises `InvalidDataError` naming the field when its input does not
        give one of them (`Interactions.has`, decision 46): no ``resolved``
        column is no FCR, not an FCR of 0%.
    reads
        Further input fields the metric reads when they are given: a
        fallback (FCR matches by category without ``issue_id``), a filter
        (blocked contacts are left out) or a grouping.
    sources
        Each definition choice (every option with a default, and any
        required option worth a note) mapped to where its default comes
        from: a published definition or a numbered decision in
        ``docs/decisions.md``. The defaults themselves are read from the
        function's signature (`defaults`), so they are written once.
    partition
        The fields whose records must be in one partition when results of
        partitions are merged: empty when any split of the records merges to
        the whole; ``("period",)`` when parts must be disjoint periods, each
        with all its records (uptime).
    merge
        How results of partitions combine, in words.
    trend
        Whether `csmetrics.trend`, `csmetrics.guardrail` and
        `csmetrics.drivers` can compute it per period from contacts or
        surveys alone, and compare the periods.
    aliases
        The ``metric`` names its results carry when they differ from
        ``name`` (``resolution_time`` gives ``"first_resolution_time"`` and
        ``"full_resolution_time"``).
    """

    name: str
    function: Callable[..., Any]
    result: type
    family: str
    label: str
    meaning: str
    unit: Unit = attrs.field(validator=_check_unit)
    direction: Direction | None = attrs.field(validator=_check_direction)
    input: Input = attrs.field(validator=_check_input)
    needs: tuple[str, ...]
    sources: Mapping[str, str] = attrs.field(converter=_read_only)
    partition: tuple[str, ...] = ()
    merge: str = "add the counts of the parts"
    trend: bool = False
    aliases: tuple[str, ...] = ()
    reads: tuple[str, ...] = ()

    def defaults(self) -> dict[str, Any]:
        """Each option of the function that has a default, with that default."""
        params = inspect.signature(self.function).parameters.values()
        return {p.name: p.default for p in params if p.default is not p.empty}


_COUNTS = "add the counts of the parts"
_DURATIONS = "add the completed and censored times of the parts (exact quantiles)"
_MEAN = "add the count, sum and sum of squares of the parts"
_AS_OF = "decision 6 and 30: the latest contact start in the data; pass it to merge"
_PERIOD = "decision 9: filter by contact start; None keeps every record"
_BY = "decision 7: a breakdown by the first contact's field; None for the overall result"
_CALENDAR = "decision 23: calendar time; a BusinessCalendar measures business time"
_CENSORING = "decision 30: open work is censored at as_of (Kaplan-Meier)"
_CUSTOMER = ("customer_id", "issue_id")

_CONTACT_SOURCES = {"as_of": _AS_OF, "period": _PERIOD, "by": _BY}
_TIME_SOURCES = {**_CONTACT_SOURCES, "calendar": _CALENDAR, "censoring": _CENSORING}
_TICKET_AS_OF = (
    "decision 67: the latest event in the data (creation or any history event); pass it to merge"
)
_TICKET_SOURCES = {
    "as_of": _TICKET_AS_OF,
    "period": "decision 70: filter by ticket creation; None keeps every ticket",
    "by": "decision 70: a breakdown by a ticket field ('ticket': one group each)",
}
_TICKET_WAIT_SOURCES = {**_TICKET_SOURCES, "calendar": _CALENDAR}
_ZENDESK_WAITS = (
    "Zendesk, 'About native Support time duration metrics' (decision 67); "
    "open tickets censored at as_of (decision 30)"
)
_PRESET = (
    "decision 115: None takes no preset (the defaults); a csmetrics.presets name "
    "gives its choices, an explicit keyword beating it"
)
_DBT_DEPARTS = "decision 116: None is the preset's value, else Zendesk's"
_TICKET_CHOICES = {
    "preset": _PRESET,
    "first_reply": "Zendesk, 'Calculating first reply time' (decision 68); " + _DBT_DEPARTS,
    "touch_count": "Zendesk, 'How are one-touch resolutions calculated?' (decision 68); "
    + _DBT_DEPARTS,
    "untouched": "Zendesk: a ticket without agent reply is in no class (decision 68); "
    + _DBT_DEPARTS,
    "resolutions": "Zendesk: closed from unsolved is a resolution (decision 67); " + _DBT_DEPARTS,
    "reopened_resolution": "Zendesk: set once solved again (decision 67); " + _DBT_DEPARTS,
    "reopens": "Zendesk API, Ticket Metrics 'reopens' (decision 69); " + _DBT_DEPARTS,
}
_SURVEY_SOURCES = {"period": _PERIOD, "by": "a breakdown by an answer's agent, customer or contact"}


def _entries() -> tuple[Entry, ...]:
    e = Entry
    out = [
        # -- resolution ------------------------------------------------------------------------
        e(
            name="fcr",
            trend=True,
            function=resolution.fcr,
            result=FCR,
            family="resolution",
            label="First-contact resolution",
            meaning="Share of issues solved at the first contact, with no repeat in the window.",
            unit="fraction",
            direction="higher",
            input="contacts",
            needs=("customer_id", "start", "end", "resolved"),
            reads=("category", "issue_id"),
            sources={
                **_CONTACT_SOURCES,
                "window_days": "SQM Group and ICMI: a 7-day repeat window (decision 1)",
                "match": "decision 1 and 2: same issue_id, else same customer and category",
            },
            partition=_CUSTOMER,
            merge=_COUNTS + "; the contacts of one customer or issue must be in one part",
        ),
        e(
            name="resolution_rate",
            trend=True,
            function=resolution.resolution_rate,
            result=Rate,
            family="resolution",
            label="Resolution rate",
            meaning="Share of requests whose latest contact is resolved.",
            unit="fraction",
            direction="higher",
            input="contacts",
            needs=("start", "resolved"),
            reads=("issue_id",),
            sources={"period": _PERIOD, "by": _BY},
            partition=("issue_id",),
            merge=_COUNTS + "; the contacts of one issue must be in one part",
        ),
        e(
            name="reopen_rate",
            trend=True,
            function=resolution.reopen_rate,
            result=ReopenRate,
            family="resolution",
            label="Reopen rate",
            meaning="Share of resolved issues contacted again within the window.",
            unit="fraction",
            direction="lower",
            input="contacts",
            needs=("start", "end", "resolved", "issue_id"),
            sources={
                **_CONTACT_SOURCES,
                "window_days": "the FCR window (decision 1), so the two read together",
            },
            partition=("issue_id",),
            merge=_COUNTS + "; the contacts of one issue must be in one part",
        ),
        # -- surveys ---------------------------------------------------------------------------
        e(
            name="nps",
            trend=True,
            function=surveys.nps,
            result=NPS,
            family="surveys",
            label="NPS",
            meaning="Promoters minus detractors, in points of the answers.",
            unit="points",
            direction="higher",
            input="surveys",
            needs=("nps",),
            sources=_SURVEY_SOURCES,
        ),
        e(
            name="csat",
            trend=True,
            function=surveys.csat,
            result=CSAT,
            family="surveys",
            label="CSAT",
            meaning="Share of satisfied answers (the top two boxes by default).",
            unit="fraction",
            direction="higher",
            input="surveys",
            needs=("csat",),
            sources={
                **_SURVEY_SOURCES,
                "scale": "the common 1..5 CSAT question",
                "satisfied_from": "ACSI and Zendesk: the top two boxes (decision 14)",
            },
        ),
        e(
            name="ces",
            trend=True,
            function=surveys.ces,
            result=CES,
            family="surveys",
            label="CES",
            meaning="Mean customer effort answer, on its own scale.",
            unit="mean",
            direction="higher",
            input="surveys",
            needs=("ces",),
            sources={
                **_SURVEY_SOURCES,
                "scale": "CEB/Gartner CES 2.0: 1..7 agreement (decision 15)",
                "higher_is_easier": "CES 2.0: 'the company made it easy', agreement is easier",
            },
            merge=_MEAN,
        ),
        e(
            name="survey_fcr",
            trend=True,
            function=surveys.survey_fcr,
            result=surveys.SurveyFCR,
            family="surveys",
            label="Survey FCR",
            meaning="Share of customers who say their issue was resolved at first contact.",
            unit="fraction",
            direction="higher",
            input="surveys",
            needs=("fcr",),
            sources=_SURVEY_SOURCES,
        ),
        # -- time ------------------------------------------------------------------------------
        e(
            name="first_response_time",
            trend=True,
            function=timing.first_response_time,
            result=Durations,
            family="timing",
            label="First response time",
            meaning="Time from a contact's start to the first human agent response.",
            unit="seconds",
            direction="lower",
            input="contacts",
            needs=("start", "first_response_at"),
            reads=("messages", "abandoned", "blocked"),
            sources={**_TIME_SOURCES, "by": _BY},
            merge=_DURATIONS,
        ),
        e(
            name="reply_time",
            trend=True,
            function=timing.reply_time,
            result=ReplyTimes,
            family="timing",
            label="Reply time",
            meaning="Time from each customer message to the agent reply that answers it.",
            unit="seconds",
            direction="lower",
            input="contacts",
            needs=("messages",),
            sources=_TIME_SOURCES,
            merge=_DURATIONS,
        ),
        e(
            name="resolution_time",
            trend=True,
            function=timing.resolution_time,
            result=Durations,
            family="timing",
            label="Resolution time",
            meaning="Time from an issue's first contact to the end of its resolving contact.",
            unit="seconds",
            direction="lower",
            input="contacts",
            needs=("start", "end", "resolved"),
            reads=("issue_id",),
            sources={
                **_TIME_SOURCES,
                "kind": "decision 31: full resolution (the last resolution of the issue)",
            },
            partition=("issue_id",),
            merge=_DURATIONS + "; the contacts of one issue must be in one part",
            aliases=("first_resolution_time", "full_resolution_time"),
        ),
        e(
            name="handle_time",
            trend=True,
            function=timing.handle_time,
            result=HandleTime,
            family="timing",
            label="Average handle time",
            meaning="Mean talk + hold + wrap time of handled contacts.",
            unit="seconds",
            direction="lower",
            input="contacts",
            needs=(),
            reads=(
                "talk_seconds",
                "hold_seconds",
                "wrap_seconds",
                "end",
                "first_response_at",
                "abandoned",
                "blocked",
            ),
            sources={**_CONTACT_SOURCES, "calendar": _CALENDAR},
            merge=_MEAN,
        ),
        e(
            name="contact_length",
            trend=True,
            function=timing.contact_length,
            result=Durations,
            family="timing",
            label="Contact length",
            meaning="Time from a contact's start to its end.",
            unit="seconds",
            direction="lower",
            input="contacts",
            needs=("start", "end"),
            sources=_TIME_SOURCES,
            merge=_DURATIONS,
        ),
        # -- queues ----------------------------------------------------------------------------
        e(
            name="service_level",
            trend=True,
            function=service_level.service_level,
            result=ServiceLevel,
            family="service_level",
            label="Service level",
            meaning="Share of offered contacts answered within the threshold.",
            unit="fraction",
            direction="higher",
            input="contacts",
            needs=("start", "first_response_at"),
            reads=("abandoned", "blocked", "channel", "messages"),
            sources={
                **_CONTACT_SOURCES,
                "calendar": _CALENDAR,
                "formula": "ICMI: answered within / offered (decision 26); None: the preset's",
                "preset": _PRESET,
                "short_abandon": "ICMI: only with formula='short_abandoned_excluded'",
            },
        ),
        e(
            name="asa",
            trend=True,
            function=service_level.asa,
            result=TimeMean,
            family="service_level",
            label="Average speed of answer",
            meaning="Mean wait of answered contacts.",
            unit="seconds",
            direction="lower",
            input="contacts",
            needs=("start", "first_response_at"),
            reads=("messages", "abandoned", "blocked"),
            sources={**_CONTACT_SOURCES, "calendar": _CALENDAR},
            merge=_MEAN,
        ),
        e(
            name="abandonment_rate",
            trend=True,
            function=service_level.abandonment_rate,
            result=AbandonmentRate,
            family="service_level",
            label="Abandonment rate",
            meaning="Share of queued contacts abandoned before an answer.",
            unit="fraction",
            direction="lower",
            input="contacts",
            needs=("start", "first_response_at", "abandoned"),
            reads=("blocked", "messages"),
            sources={
                **_CONTACT_SOURCES,
                "calendar": _CALENDAR,
                "short_abandon": "ICMI: every abandon counts unless a limit is given",
            },
        ),
        e(
            name="blocked_rate",
            trend=True,
            function=service_level.blocked_rate,
            result=Rate,
            family="service_level",
            label="Blocked rate",
            meaning="Share of contact attempts refused by a full queue.",
            unit="fraction",
            direction="lower",
            input="contacts",
            needs=("blocked",),
            sources=_CONTACT_SOURCES,
        ),
        e(
            name="sla_attainment",
            function=sla.sla_attainment,
            result=sla.SLAAttainment,
            family="sla",
            label="SLA attainment",
            meaning="Share of SLA targets met, each contact against its policy's targets.",
            unit="fraction",
            direction="higher",
            input="contacts",
            needs=("start",),
            reads=(
                "first_response_at",
                "end",
                "resolved",
                "messages",
                "priority",
                "tier",
                "channel",
            ),
            sources={
                "as_of": _AS_OF,
                "period": _PERIOD,
                "policy": "decision 32: the first matching rule wins; pending is not a breach",
            },
            partition=("issue_id",),
            merge=_COUNTS + "; resolution targets are per issue: its contacts must be in one part",
        ),
        e(
            name="sla_outcomes",
            function=sla.sla_outcomes,
            result=sla.SLAOutcomes,
            family="sla",
            label="SLA outcomes",
            meaning=(
                "One row per SLA target of each ticket: when it applied, its breach time, "
                "the time elapsed, met or breached."
            ),
            unit="seconds",
            direction=None,
            input="tickets",
            needs=("created", "statuses", "messages"),
            reads=("priority", "category", "sla_policy_changes", "schedule_changes"),
            sources={
                "as_of": _TICKET_AS_OF,
                "policy": "decisions 107 and 108: the first matching rule of the policy in "
                "force; a priority change re-applies the target, a breach stands",
            },
            merge="does not merge: a table of one row per target; concatenate the rows",
        ),
        # -- team ------------------------------------------------------------------------------
        e(
            name="escalation_rate",
            function=team.escalation_rate,
            result=Rate,
            family="team",
            label="Escalation rate",
            meaning="Share of handled contacts escalated.",
            unit="fraction",
            direction="lower",
            input="contacts",
            needs=("escalated",),
            sources={"period": _PERIOD, "by": _BY},
        ),
        e(
            name="complaint_rate",
            function=team.complaint_rate,
            result=FunnelRate,
            family="team",
            label="Complaint rate",
            meaning="Share of handled contacts with a complaint, with funnel limits per agent.",
            unit="fraction",
            direction="lower",
            input="contacts",
            needs=("complaint",),
            reads=("agent_id",),
            sources={
                "period": _PERIOD,
                "by": "decision 34d: per agent, judged against a funnel",
                "min_complaints": "decision 34d: one complaint alone never flags an agent",
                "limits": "decision 34d: exact binomial limits",
            },
        ),
        e(
            name="product_gaps",
            function=team.product_gaps,
            result=ProductGaps,
            family="team",
            label="Product gaps",
            meaning="Contact reasons with the most escalations or repeats.",
            unit="fraction",
            direction="lower",
            input="contacts",
            needs=("category", "escalated"),
            sources={
                "period": _PERIOD,
                "by": "the contact reason",
                "signal": "escalations: the agent could not solve it",
                "window_days": "the FCR window when signal='repeat' (decision 1)",
                "match": "the FCR match when signal='repeat' (decision 1)",
            },
            partition=_CUSTOMER,
            merge=_COUNTS + "; with signal='repeat', a customer's contacts must be in one part",
        ),
        e(
            name="rating",
            function=team.rating,
            result=Rating,
            family="team",
            label="Agent rating",
            meaning="Mean rating of each agent, shrunk toward the team mean for small samples.",
            unit="mean",
            direction="higher",
            input="surveys",
            needs=("rating",),
            reads=("agent_id",),
            sources={
                "period": _PERIOD,
                "by": "per agent",
                "scale": "the common 1..5 rating",
                "method": "decision 34d: empirical Bayes toward the team mean",
            },
            merge=_MEAN,
        ),
        # -- workload --------------------------------------------------------------------------
        e(
            name="volume",
            function=workload.volume,
            result=workload.Volume,
            family="workload",
            label="Contact volume",
            meaning="Contacts per period, with empty periods kept.",
            unit="count",
            direction=None,
            input="contacts",
            needs=("start",),
            sources={
                "period": _PERIOD,
                "by": "None: all contacts",
                "every": "decision 34b: local days",
                "timezone": "decision 34b: UTC unless a zone is given",
            },
            merge="does not merge: count the whole data (Volume has no merge yet)",
        ),
        e(
            name="pareto",
            function=workload.pareto,
            result=workload.Pareto,
            family="workload",
            label="Pareto of contact reasons",
            meaning="The fewest contact reasons that make up a share of the contacts.",
            unit="fraction",
            direction=None,
            input="contacts",
            needs=("category",),
            sources={
                "period": _PERIOD,
                "by": "the contact reason",
                "share": "the 80/20 rule: the reasons behind 80% of the contacts",
            },
            merge="does not merge: rank the reasons over the whole data (Pareto has no merge yet)",
        ),
        # -- tickets ---------------------------------------------------------------------------
        e(
            name="ticket_metrics",
            function=tickets.ticket_metrics,
            result=tickets.TicketMetrics,
            family="tickets",
            label="Ticket metrics",
            meaning="One row per ticket: reply, resolution and status-wait times, counts.",
            unit="seconds",
            direction="lower",
            input="tickets",
            needs=("created", "statuses", "messages"),
            sources={
                "as_of": _TICKET_AS_OF,
                "calendar": "decision 67: no business fields without a calendar (None)",
                **_TICKET_CHOICES,
            },
            merge="does not merge: a table of one row per ticket; concatenate the rows",
        ),
        e(
            name="requester_wait_time",
            function=tickets.requester_wait_time,
            result=Durations,
            family="tickets",
            label="Requester wait time",
            meaning="Time a ticket waited on the team: in new, open or on hold, over its life.",
            unit="seconds",
            direction="lower",
            input="tickets",
            needs=("created", "statuses"),
            sources={**_TICKET_WAIT_SOURCES, "calendar": _ZENDESK_WAITS},
            merge=_DURATIONS,
        ),
        e(
            name="agent_wait_time",
            function=tickets.agent_wait_time,
            result=Durations,
            family="tickets",
            label="Agent wait time",
            meaning="Time a ticket waited on the customer: pending, over its life.",
            unit="seconds",
            direction="lower",
            input="tickets",
            needs=("created", "statuses"),
            sources={**_TICKET_WAIT_SOURCES, "calendar": _ZENDESK_WAITS},
            merge=_DURATIONS,
        ),
        e(
            name="on_hold_time",
            function=tickets.on_hold_time,
            result=Durations,
            family="tickets",
            label="On-hold time",
            meaning="Time a ticket waited on a third party: on hold, over its life.",
            unit="seconds",
            direction="lower",
            input="tickets",
            needs=("created", "statuses"),
            sources={**_TICKET_WAIT_SOURCES, "calendar": _ZENDESK_WAITS},
            merge=_DURATIONS,
        ),
        e(
            name="touch_rate",
            function=tickets.touch_rate,
            result=tickets.TouchRate,
            family="tickets",
            label="One-touch rate",
            meaning="Share of solved tickets solved with one agent reply.",
            unit="fraction",
            direction="higher",
            input="tickets",
            needs=("created", "statuses", "messages"),
            sources={
                **_TICKET_SOURCES,
                "touches": "Zendesk Explore, 'One-touch tickets' (decision 68)",
                "preset": _PRESET,
                "touch_count": _TICKET_CHOICES["touch_count"],
                "untouched": _TICKET_CHOICES["untouched"],
            },
            merge="add the numerators and denominators of the parts",
            aliases=("touch_rate_2", "touch_rate_3"),
        ),
        e(
            name="reopen_count",
            function=tickets.reopen_count,
            result=tickets.ReopenCount,
            family="tickets",
            label="Reopens per solved ticket",
            meaning="Mean number of reopens of the tickets solved or closed.",
            unit="count",
            direction="lower",
            input="tickets",
            needs=("created", "statuses"),
            sources={
                **_TICKET_SOURCES,
                "preset": _PRESET,
                "resolutions": _TICKET_CHOICES["resolutions"],
                "reopens": _TICKET_CHOICES["reopens"],
            },
            merge=_MEAN,
        ),
        # -- staffing --------------------------------------------------------------------------
        e(
            name="erlang_b",
            function=staffing.erlang_b,
            result=float,
            family="staffing",
            label="Erlang B blocking probability",
            meaning="Probability that a call finds every line busy, with no queue.",
            unit="fraction",
            direction="lower",
            input="parameters",
            needs=(),
            sources={},
            merge="does not merge: a formula over parameters",
        ),
        e(
            name="erlang_c",
            function=staffing.erlang_c,
            result=float,
            family="staffing",
            label="Erlang C probability of waiting",
            meaning="Probability that a call waits in the queue.",
            unit="fraction",
            direction="lower",
            input="parameters",
            needs=(),
            sources={},
            merge="does not merge: a formula over parameters",
        ),
        e(
            name="erlang_c_service_level",
            function=staffing.erlang_c_service_level,
            result=float,
            family="staffing",
            label="Erlang C service level",
            meaning="Predicted share of calls answered within the threshold.",
            unit="fraction",
            direction="higher",
            input="parameters",
            needs=(),
            sources={},
            merge="does not merge: a formula over parameters",
        ),
        e(
            name="erlang_c_asa",
            function=staffing.erlang_c_asa,
            result=float,
            family="staffing",
            label="Erlang C average speed of answer",
            meaning="Predicted mean wait of all calls.",
            unit="seconds",
            direction="lower",
            input="parameters",
            needs=(),
            sources={},
            merge="does not merge: a formula over parameters",
        ),
        e(
            name="agents_needed",
            function=staffing.agents_needed,
            result=staffing.Staffing,
            family="staffing",
            label="Agents needed",
            meaning="Fewest agents that meet the service-level target (Erlang C).",
            unit="agents",
            direction=None,
            input="parameters",
            needs=(),
            sources={
                "max_occupancy": "decision 35: no cap unless given",
                "shrinkage": "decision 35: none unless given",
            },
            merge="does not merge: a formula over parameters",
        ),
        # -- business --------------------------------------------------------------------------
        e(
            name="occupancy",
            function=business.occupancy,
            result=business.Occupancy,
            family="business",
            label="Occupancy",
            meaning="Share of an agent's available time spent handling contacts.",
            unit="fraction",
            direction=None,
            input="agent_time",
            needs=("state", "seconds"),
            sources={
                "period": _PERIOD,
                "by": "None: the whole team",
                "denominator": "decision 37: available time (handling + idle)",
            },
        ),
        e(
            name="sales_after_contact",
            function=business.sales_after_contact,
            result=business.SalesAfterContact,
            family="business",
            label="Sales after contact",
            meaning="Share of contacts followed by a sale within the window (last touch).",
            unit="fraction",
            direction="higher",
            input="sales",
            needs=("customer_id", "start", "end"),
            sources={
                **_CONTACT_SOURCES,
                "window_days": "decision 36: a 7-day window, like FCR's",
            },
            partition=("customer_id",),
            merge=_COUNTS + "; a customer's contacts and sales must be in one part",
        ),
        e(
            name="retention_rate",
            function=business.retention_rate,
            result=Rate,
            family="business",
            label="Retention rate",
            meaning="Share of the customers at the start still there at the end.",
            unit="fraction",
            direction="higher",
            input="counts",
            needs=(),
            sources={},
            merge="does not merge: a formula over period counts",
        ),
        e(
            name="churn_rate",
            function=business.churn_rate,
            result=Rate,
            family="business",
            label="Churn rate",
            meaning="Share of the customers at the start lost by the end.",
            unit="fraction",
            direction="lower",
            input="counts",
            needs=(),
            sources={},
            merge="does not merge: a formula over period counts",
        ),
        e(
            name="cohort_retention",
            function=business.cohort_retention,
            result=business.CohortRetention,
            family="business",
            label="Cohort retention",
            meaning="Share of the customers who contacted in one period who contact again.",
            unit="fraction",
            direction="higher",
            input="contacts",
            needs=("customer_id", "start"),
            sources={},
            partition=("customer_id",),
            merge=_COUNTS + "; a customer's contacts must be in one part",
        ),
        e(
            name="uptime",
            function=business.uptime,
            result=business.Uptime,
            family="business",
            label="Uptime",
            meaning="Share of the period a service was up.",
            unit="fraction",
            direction="higher",
            input="outages",
            needs=("start", "end"),
            sources={"service": "None: every service in the outages"},
            partition=("period",),
            merge="add the seconds down and measured of adjacent periods, each with its outages",
        ),
    ]
    return tuple(out)


_CATALOG: Mapping[str, Entry] = MappingProxyType({entry.name: entry for entry in _entries()})
_BY_METRIC: Mapping[str, Entry] = MappingProxyType(
    {alias: entry for entry in _CATALOG.values() for alias in (entry.name, *entry.aliases)}
)


def names() -> tuple[str, ...]:
    """The name of every public metric, in catalogue order (by family)."""
    return tuple(_CATALOG)


def entries() -> tuple[Entry, ...]:
    """Every catalogue entry, in catalogue order."""
    return tuple(_CATALOG.values())


def get(name: str) -> Entry:
    """The catalogue entry of a metric.

    Raises
    ------
    ValueError
        When ``name`` is not a public metric; the message lists the names.
    """
    option("name", name, _CATALOG)
    return _CATALOG[name]


def fields_of(*metrics: str, by: str | None = None) -> tuple[str, ...]:
    """The input fields the named metrics read, for a Parquet reader's ``fields=``.

    Each metric's ``needs`` and ``reads`` that a column holds (a survey
    metric's ``needs`` are answer kinds; ``messages`` come in a table of
    their own), plus ``by``, each once, in the order met.
    Name the metrics of one table: ``Interactions.read_parquet(path,
    fields=catalog.fields_of("fcr", "first_response_time", by="channel"))``
    reads what those two metrics use, per channel, and nothing else. A
    metric called with a non-default option may read more (a ``calendar``
    reads nothing more; ``match="customer"`` reads less); a field it then
    lacks raises `InvalidDataError`, never a number.

    Raises
    ------
    ValueError
        When a name is not a public metric.
    """
    found: dict[str, None] = {}
    for name in metrics:
        entry = get(name)
        found.update(
            dict.fromkeys((*(() if entry.input == "surveys" else entry.needs), *entry.reads))
        )
    if by is not None:
        found[by] = None
    columns = {*INTERACTION_FIELDS.fields, *SURVEY_FIELDS.fields}
    return tuple(field for field in found if field in columns)


def entry_of(result: object) -> Entry | None:
    """The catalogue entry of the metric that computed ``result``.

    Found by the result's ``metric`` name (or one of an entry's
    ``aliases``), else by its type when one entry alone returns that type
    (`NPS`). None for a result the catalogue cannot place: a hand-made
    ``Rate(numerator=..., denominator=...)`` names no metric.
    """
    found = _BY_METRIC.get(getattr(result, "metric", None))  # type: ignore[arg-type]
    if found is not None:
        return found
    typed = [entry for entry in _CATALOG.values() if type(result) is entry.result]
    return typed[0] if len(typed) == 1 else None


def direction_of(result: object) -> Direction | None:
    """The direction in which ``result`` improves.

    A result that records its own direction says so (CES with
    ``higher_is_easier=False`` improves downward); any other takes its
    metric's catalogue direction (`entry_of`). None when the metric has no
    direction or the catalogue cannot place the result.
    """
    if isinstance(result, CES):
        return "higher" if result.higher_is_easier else "lower"
    entry = entry_of(result)
    return None if entry is None else entry.direction


def _run_on_dask(name: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    """Run a public metric on a Dask DataFrame with its entry's partitioning (decision 89)."""
    entry = _CATALOG.get(name)
    if entry is None or entry.input not in ("contacts", "surveys"):
        msg = (
            f"{name}() does not run on a Dask DataFrame: run each metric on it "
            "(csmetrics.fcr(ddf), ...), or collect the data (ddf.compute()) if it fits "
            "in one process"
        )
        raise TypeError(msg)
    return dask_adapter.run(
        entry.function,
        args,
        kwargs,
        name=name,
        partition=entry.partition,
        merges=hasattr(entry.result, "merge"),
        fields=(INTERACTION_FIELDS if entry.input == "contacts" else SURVEY_FIELDS).fields,
    )


set_runner(_run_on_dask)
