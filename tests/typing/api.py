"""Typing test of the public API: typical user code, checked by ``mypy --strict tests/typing``.

Nothing here is run: pytest does not collect this folder (``collect_ignore`` in
``tests/conftest.py``). Each ``assert_type`` states the type a user's checker
must infer; a metric whose result type depends on ``by=`` needs ``@overload``s
for these to hold, so this file fails type checking without them.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any, Literal

from typing_extensions import assert_type

import csmetrics
from csmetrics import (
    CES,
    CSAT,
    FCR,
    NPS,
    AbandonmentRate,
    Breakdown,
    ConfidenceInterval,
    Durations,
    Funnel,
    FunnelRate,
    HandleTime,
    Occupancy,
    Rate,
    Rating,
    RatingBreakdown,
    ReopenRate,
    ReplyTimes,
    SalesAfterContact,
    ServiceLevel,
    SurveyFCR,
    TargetCheck,
    TimeMean,
)

T0 = datetime(2026, 3, 2, 9, tzinfo=timezone.utc)


def contact_records() -> list[csmetrics.Interaction]:
    return [
        csmetrics.Interaction(
            id="1",
            customer_id="ann",
            start=T0,
            end=T0 + timedelta(minutes=5),
            resolved=True,
            agent_id="zoe",
            channel="phone",
            category="billing",
        ),
        csmetrics.Interaction(id=2, customer_id="bob", start=T0, agent_id="max", complaint=True),
    ]


def resolution(contacts: list[csmetrics.Interaction], table: csmetrics.Interactions) -> None:
    # Objects or a table; with no `by=`, the plain result and its fields.
    result = csmetrics.fcr(contacts, window_days=7)
    assert_type(result, FCR)
    assert_type(result.pending, int)
    assert_type(result.repeats, int)
    assert_type(result.numerator, int)
    assert_type(result.denominator, int)
    assert_type(result.value, float)
    assert_type(result.percent, float)
    assert_type(float(result), float)
    # A result stands for its value: format, round and compare it.
    assert_type(f"{result:.1%}", str)
    assert_type(round(result, 3), float)
    assert_type(round(result), int)
    assert_type(result > 0.8, bool)
    assert_type(sorted([result, result])[0], FCR)
    assert_type(result.ci(), ConfidenceInterval)
    assert_type(result.ci(confidence_level=0.9, method="wald").low, float)
    assert_type(csmetrics.fcr(table, match="customer", by=None), FCR)
    plain: FCR = csmetrics.fcr(table)
    assert plain.is_reliable(min_n=30) in (True, False)

    # With `by=`, a Breakdown of the same result type.
    per_agent = csmetrics.fcr(contacts, by="agent_id")
    assert_type(per_agent, Breakdown[FCR])
    assert_type(per_agent.overall, FCR)
    assert_type(per_agent.overall.pending, int)
    for key, group in csmetrics.fcr(contacts, by="agent_id").items():
        assert_type(key, str | int | None)
        assert_type(group, FCR)
        assert_type(group.pending, int)
        assert_type(group.ci().high, float)
    assert_type(per_agent["zoe"].value, float)
    assert_type(per_agent.to_rows(min_n=10), list[dict[str, Any]])

    assert_type(csmetrics.resolution_rate(contacts), Rate)
    assert_type(csmetrics.resolution_rate(table, by="channel"), Breakdown[Rate])
    assert_type(csmetrics.reopen_rate(contacts).pending, int)
    assert_type(csmetrics.reopen_rate(table, by="category"), Breakdown[ReopenRate])


def surveys(scores: list[int], answers: list[csmetrics.Survey], table: csmetrics.Surveys) -> None:
    result = csmetrics.nps(scores)
    assert_type(result, NPS)
    assert_type(result.ci(), ConfidenceInterval)
    assert_type(result.ci().low, float)
    counts = (result.promoters, result.passives, result.detractors, result.n)
    assert_type(counts, tuple[int, int, int, int])
    assert_type(csmetrics.nps([10, 9, 3]).value, float)
    assert_type(csmetrics.nps(answers, by="agent_id"), Breakdown[NPS])
    assert_type(csmetrics.nps(table, by="customer_id").overall.ci(), ConfidenceInterval)

    assert_type(csmetrics.csat([5, 4, 2]).percent, float)
    assert_type(csmetrics.nps([10, None, 3]).missing, int)
    assert_type(csmetrics.csat(answers, scale=(1, 5), by="interaction_id"), Breakdown[CSAT])
    assert_type(csmetrics.ces(table), CES)
    assert_type(csmetrics.ces(table).mean, float)
    assert_type(csmetrics.ces(answers, higher_is_easier=False, by="agent_id"), Breakdown[CES])
    assert_type(csmetrics.survey_fcr([True, False]), SurveyFCR)
    assert_type(csmetrics.survey_fcr(answers, by="agent_id"), Breakdown[SurveyFCR])


def timing(contacts: list[csmetrics.Interaction], table: csmetrics.Interactions) -> None:
    frt = csmetrics.first_response_time(contacts)
    assert_type(frt, Durations)
    assert_type(frt.median, float)
    assert_type(frt.p90, float)
    assert_type(frt.median_timedelta, timedelta | None)
    assert_type(frt.censored, int)
    assert_type(csmetrics.first_response_time(table, by="agent_id"), Breakdown[Durations])
    assert_type(csmetrics.reply_time(contacts).per_contact_mean, float)
    assert_type(csmetrics.reply_time(table, by="channel"), Breakdown[ReplyTimes])
    assert_type(csmetrics.resolution_time(table, kind="full"), Durations)
    assert_type(csmetrics.resolution_time(table, by="category"), Breakdown[Durations])
    aht = csmetrics.handle_time(contacts)
    assert_type(aht, HandleTime)
    assert_type((aht.n, aht.fallback, aht.unmeasured), tuple[int, int, int])
    assert_type(csmetrics.handle_time(table, by="agent_id"), Breakdown[HandleTime])
    assert_type(csmetrics.contact_length(contacts), Durations)
    assert_type(csmetrics.contact_length(table, by="customer_id"), Breakdown[Durations])


def queues(contacts: list[csmetrics.Interaction], table: csmetrics.Interactions) -> None:
    sl = csmetrics.service_level(contacts, threshold=20)
    assert_type(sl, ServiceLevel)
    assert_type((sl.answered, sl.answered_within, sl.abandoned), tuple[int, int, int])
    assert_type(sl.percent, float)
    by_channel = csmetrics.service_level(table, threshold=20, formula="answered", by="channel")
    assert_type(by_channel, Breakdown[ServiceLevel])
    assert_type(csmetrics.asa(contacts), TimeMean)
    assert_type(csmetrics.asa(contacts).mean_timedelta, timedelta | None)
    assert_type(csmetrics.asa(table, by="channel"), Breakdown[TimeMean])
    assert_type(csmetrics.abandonment_rate(contacts, short_abandon=5), AbandonmentRate)
    assert_type(csmetrics.abandonment_rate(table, by="channel"), Breakdown[AbandonmentRate])
    assert_type(csmetrics.blocked_rate(contacts), Rate)
    assert_type(csmetrics.blocked_rate(table, by="channel"), Breakdown[Rate])


def team(contacts: list[csmetrics.Interaction], answers: list[csmetrics.Survey]) -> None:
    assert_type(csmetrics.escalation_rate(contacts), Rate)
    assert_type(csmetrics.escalation_rate(contacts, by="agent_id"), Breakdown[Rate])

    # complaint_rate and rating break down by agent unless `by=None`.
    funnel = csmetrics.complaint_rate(contacts)
    assert_type(funnel, Funnel)
    assert_type(funnel.flagged, list[str | int | None])
    assert_type(funnel.team_rate, float)
    assert_type(funnel["zoe"].high998, float)
    assert_type(csmetrics.complaint_rate(contacts, by="channel", limits="normal"), Funnel)
    team_rate = csmetrics.complaint_rate(contacts, by=None)
    assert_type(team_rate, FunnelRate)
    assert_type(team_rate.flagged, bool)

    ratings = csmetrics.rating(answers)
    assert_type(ratings, RatingBreakdown)
    for agent, stars in ratings.items():
        assert_type(agent, str | int | None)
        assert_type(stars.shrunk, float)
    assert_type(csmetrics.rating(answers, by="customer_id"), RatingBreakdown)
    assert_type(csmetrics.rating(answers, by=None, method=None), Rating)


def business(
    contacts: list[csmetrics.Interaction],
    sales: list[csmetrics.Sale],
    agent_time: list[csmetrics.AgentTime],
) -> None:
    sac = csmetrics.sales_after_contact(contacts, sales, window_days=7)
    assert_type(sac, SalesAfterContact)
    assert_type((sac.pending, sac.sales, sac.revenue), tuple[int, int, float])
    sac_by = csmetrics.sales_after_contact(contacts, sales, by="agent_id")
    assert_type(sac_by, Breakdown[SalesAfterContact])
    occ = csmetrics.occupancy(agent_time)
    assert_type(occ, Occupancy)
    assert_type(occ.busy_seconds, float)
    assert_type(csmetrics.occupancy(agent_time, by="agent_id"), Breakdown[Occupancy])

    # One name for each idea (decision 41): baseline/current, period=, threshold.
    jan = csmetrics.Window(start=T0, end=T0 + timedelta(days=31))
    feb = csmetrics.Window(start=jan.end, end=jan.end + timedelta(days=28))
    cohort = csmetrics.cohort_retention(contacts, baseline=jan, current=feb)
    assert_type(cohort.baseline, csmetrics.Window)
    up = csmetrics.uptime([csmetrics.Outage(start=T0)], period=jan)
    assert_type(up.mttr, timedelta | None)
    plan = csmetrics.agents_needed(
        calls=100,
        interval_seconds=1800,
        aht_seconds=180,
        target_service_level=0.8,
        threshold=timedelta(seconds=20),
    )
    assert_type(plan.threshold, float)
    assert_type(csmetrics.render(csmetrics.kpi_report(contacts), format="json"), str)


def goals_and_catalog(contacts: list[csmetrics.Interaction]) -> None:
    check = csmetrics.target(csmetrics.fcr(contacts), goal=0.7)
    assert_type(check, TargetCheck)
    assert_type(check.met, bool)
    assert_type((check.low, check.high, check.gap), tuple[float, float, float])
    for group in csmetrics.fcr(contacts, by="agent_id").values():
        assert_type(csmetrics.target(group, goal=0.7, direction="higher").met, bool)
    certainty = csmetrics.target(csmetrics.nps([9, 10]), goal=30).certainty
    assert_type(certainty, Literal["met", "missed", "unclear"])

    entry = csmetrics.catalog.get("fcr")
    assert_type(entry.direction, Literal["higher", "lower"] | None)
    assert_type(csmetrics.catalog.names(), tuple[str, ...])
    by_default = csmetrics.catalog.get("fcr").defaults()["by"]
    assert by_default is None

    # Counts of any result, by name.
    assert_type(csmetrics.fcr(contacts).counts(), dict[str, Any])
    assert_type(csmetrics.fcr(contacts).counts()["pending"], Any)
    assert_type(csmetrics.nps([9, 10]).counts(), dict[str, Any])


def tickets(records: list[csmetrics.Ticket]) -> None:
    table = csmetrics.Tickets.from_records(records)
    assert_type(csmetrics.ticket_metrics(table, as_of=T0), csmetrics.TicketMetrics)
    assert_type(csmetrics.ticket_metrics(records).to_rows(), list[dict[str, Any]])
    assert_type(csmetrics.requester_wait_time(table), Durations)
    assert_type(csmetrics.agent_wait_time(table, by="channel"), Breakdown[Durations])
    assert_type(csmetrics.on_hold_time(records, period="2026-03"), Durations)
    assert_type(csmetrics.touch_rate(table, touches=2), csmetrics.TouchRate)
    assert_type(csmetrics.touch_rate(table, by="ticket"), Breakdown[csmetrics.TouchRate])
    assert_type(csmetrics.touch_rate(table, preset="dbt_zendesk").touch_count, str)
    assert_type(csmetrics.reopen_count(table, preset="dbt_zendesk"), csmetrics.ReopenCount)
    assert_type(
        csmetrics.ticket_metrics(table, preset="dbt_zendesk", untouched="one").choices,
        dict[str, str],
    )
    policy = csmetrics.SLAPolicy(rules=[csmetrics.SLARule(first_response=3600)])
    assert_type(csmetrics.sla_outcomes(table, policy, as_of=T0), csmetrics.SLAOutcomes)
    assert_type(csmetrics.sla_outcomes(records, [policy]).to_rows(), list[dict[str, Any]])
    assert_type(
        csmetrics.Tickets.read_parquet("t.parquet", statuses="s.parquet", assume_timezone="UTC"),
        csmetrics.Tickets,
    )
    assert_type(csmetrics.presets.get("zendesk"), csmetrics.presets.Preset)
    note = csmetrics.explain(table, "touch_class", "zendesk", {"preset": "dbt_zendesk"})
    assert_type(note, csmetrics.Explanation)
    assert_type(note.rows(), list[dict[str, Any]])
    assert_type(note.counts(), dict[str, int])
    assert_type(note.difference, float)
    assert_type(
        csmetrics.explain(records, "reopen_count", "zendesk", "dbt_zendesk"), csmetrics.Explanation
    )
    dbt = csmetrics.presets.dbt_zendesk.ticket_metrics(table, as_of=T0)
    assert_type(dbt, csmetrics.presets.dbt_zendesk.DbtTicketMetrics)
    assert_type(dbt.to_rows(), list[dict[str, Any]])
    assert_type(table.contacts(), csmetrics.Interactions)
    assert_type(csmetrics.fcr(table), FCR)
    ticket = csmetrics.Ticket(
        id=1,
        customer_id="ann",
        created=T0,
        messages=[csmetrics.Message(at=T0, author="customer", author_id="ann")],
        statuses=[csmetrics.StatusChange(at=T0, status="new"), (T0, "open")],
        assignments=[(T0, "max")],
    )
    assert_type(ticket.status, csmetrics.core.model.Status)


def partitioned_parquet() -> None:
    """One table from a directory; a Dask DataFrame (typed Any) with ``distributed=True``."""
    table = csmetrics.Interactions.read_parquet("lake/contacts/")
    assert_type(table, csmetrics.Interactions)
    assert_type(csmetrics.Surveys.read_parquet("lake/surveys/*.parquet"), csmetrics.Surveys)
    frame = csmetrics.Interactions.read_parquet("lake/contacts/", distributed=True)
    assert_type(frame, Any)
    assert_type(csmetrics.fcr(frame), FCR)
