"""dbt_zendesk drop-in SLA rows: the zendesk__sla_policies names, units and flags.

Every expected value is worked out by hand from the ticket's history in the
comment next to it: targets and elapsed times in minutes, a target active
while it runs unbreached, its breach flag null while active.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

import numpy as np
import pytest
from hypothesis import given

from csmetrics import (
    BusinessCalendar,
    Message,
    SLAPolicy,
    SLARule,
    SLATarget,
    StatusChange,
    Ticket,
    Tickets,
    sla_outcomes,
)
from csmetrics.metrics.sla import TARGETS
from csmetrics.presets import dbt_zendesk
from strategies import tickets

UTC = timezone.utc
T0 = datetime(2026, 3, 2, 9, tzinfo=UTC)  # a Monday


def m(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)


def ticket(*events: tuple[float, str], id: str = "t") -> Ticket:
    """A ticket created at T0 by a customer comment; events at minutes after T0."""
    messages = [Message(at=T0, author="customer")] + [
        Message(at=m(x), author=kind) for x, kind in events if kind in {"agent", "customer"}
    ]
    statuses = [StatusChange(at=T0, status="new")] + [
        StatusChange(at=m(x), status=kind)
        for x, kind in events
        if kind not in {"agent", "customer"}
    ]
    return Ticket(id=id, customer_id="ann", created=T0, messages=messages, statuses=statuses)


FIRST_HOUR = SLAPolicy(rules=[SLARule(first_response=3600)], name="Standard")


def rows(records: list[Ticket], policy: SLAPolicy, **options: Any) -> list[dict[str, Any]]:
    return dbt_zendesk.sla_policies(records, policy, **options).to_rows()


def test_met_first_reply():
    # Replied at 09:30 against a 60-minute target from creation (09:00).
    (row,) = rows([ticket((30, "agent"))], FIRST_HOUR, as_of=m(120))
    assert row == {
        "ticket_id": "t",
        "sla_policy_name": "Standard",
        "metric": "first_reply_time",
        "sla_applied_at": T0,
        "target": 60.0,
        "in_business_hours": False,
        "sla_breach_at": m(60),
        "sla_elapsed_time": 30.0,
        "is_active_sla": False,
        "is_sla_breach": False,
    }


def test_breached_first_reply():
    # Replied at 10:30: 90 minutes against 60, breached at 10:00.
    (row,) = rows([ticket((90, "agent"))], FIRST_HOUR, as_of=m(120))
    assert (row["sla_elapsed_time"], row["sla_breach_at"]) == (90.0, m(60))
    assert (row["is_active_sla"], row["is_sla_breach"]) == (False, True)


def test_active_target_has_no_breach_flag():
    # No reply yet at 09:30: 30 minutes elapsed, breach due at 10:00.
    (row,) = rows([ticket((10, "open"))], FIRST_HOUR, as_of=m(30))
    assert (row["sla_elapsed_time"], row["sla_breach_at"]) == (30.0, m(60))
    assert (row["is_active_sla"], row["is_sla_breach"]) == (True, None)


def test_open_target_past_its_breach_is_a_breach():
    # Still no reply at 10:30: running, but breached at 10:00.
    (row,) = rows([ticket((10, "open"))], FIRST_HOUR, as_of=m(90))
    assert row["sla_elapsed_time"] == 90.0
    assert (row["is_active_sla"], row["is_sla_breach"]) == (False, True)


def test_business_hours_target():
    # Open 09:00-17:00 on weekdays. Created Monday 16:30, replied Tuesday
    # 09:15: 30 + 15 = 45 business minutes; the 60-minute target is
    # reached Tuesday 09:30.
    calendar = BusinessCalendar(
        timezone="UTC",
        hours={d: [("09:00", "17:00")] for d in ("mon", "tue", "wed", "thu", "fri")},
    )
    policy = SLAPolicy(
        calendar=calendar, rules=[SLARule(first_response=SLATarget(seconds=3600, business=True))]
    )
    created = m(450)  # Monday 16:30
    record = Ticket(
        id=1,
        customer_id="ann",
        created=created,
        messages=[Message(at=created, author="customer"), Message(at=m(1455), author="agent")],
        statuses=[StatusChange(at=created, status="new")],
    )
    (row,) = rows([record], policy, as_of=m(1500))
    assert row["in_business_hours"] is True
    assert row["sla_policy_name"] is None
    assert row["sla_elapsed_time"] == pytest.approx(45.0)
    assert row["sla_breach_at"] == m(1470)  # Tuesday 09:30
    assert (row["is_active_sla"], row["is_sla_breach"]) == (False, False)


def test_agent_work_counts_new_and_open_only():
    # New 09:00-09:20, pending 09:20-09:50, open 09:50-10:10, solved at
    # 10:10: 20 + 20 = 40 minutes of agent work against 60; not reached by
    # the solve, 20 minutes left, so it would breach at 10:30.
    record = ticket((20, "pending"), (50, "open"), (70, "solved"))
    policy = SLAPolicy(rules=[SLARule(agent_work=3600, requester_wait=1800)])
    by_metric = {r["metric"]: r for r in rows([record], policy, as_of=m(120))}
    work = by_metric["agent_work_time"]
    assert (work["sla_elapsed_time"], work["sla_breach_at"]) == (40.0, m(90))
    assert (work["is_active_sla"], work["is_sla_breach"]) == (False, False)
    # Requester wait counts new, open and hold: the same 40 minutes, past
    # its 30 at 09:50 + 10 minutes = 10:00.
    wait = by_metric["requester_wait_time"]
    assert (wait["sla_elapsed_time"], wait["sla_breach_at"]) == (40.0, m(60))
    assert wait["is_sla_breach"] is True


def test_targets_the_model_does_not_compute_are_left_out():
    # The resolution target has an outcome, but the model has no such metric.
    policy = SLAPolicy(rules=[SLARule(resolution=60, next_reply=600)])
    record = ticket((5, "agent"), (10, "customer"), (15, "agent"), (20, "solved"))
    assert len(sla_outcomes([record], policy)) == 2
    (row,) = rows([record], policy)
    assert (row["metric"], row["sla_applied_at"], row["sla_elapsed_time"]) == (
        "next_reply_time",
        m(10),
        5.0,
    )
    assert dbt_zendesk.sla_policies([], policy).to_rows() == []


def test_columns_and_repr():
    table = dbt_zendesk.sla_policies([ticket((10, "open"))], FIRST_HOUR, as_of=m(30))
    assert list(table.to_rows()[0]) == list(dbt_zendesk.SLA_COLUMNS)
    assert repr(table) == (
        "DbtSLAPolicies(1 targets, 1 active, 0 breached, as_of=2026-03-02 09:30:00+00:00)"
    )
    with pytest.raises(ValueError, match="'metrics'"):
        table.column("metrics")
    assert not set(dbt_zendesk.SLA_COLUMNS) & set(dbt_zendesk.SLA_NOT_PRODUCED)


# -- properties -----------------------------------------------------------------------------

EVERY_TARGET = SLAPolicy(
    rules=[
        SLARule(
            first_response=600,
            next_reply=900,
            resolution=7200,
            requester_wait=3600,
            agent_work=1800,
            periodic_update=1200,
        )
    ]
)


@given(tickets())
def test_the_rows_are_sla_outcomes_renamed(records: list[Ticket]):
    data = Tickets.from_records(records)
    dbt = dbt_zendesk.sla_policies(data, EVERY_TARGET)
    ours = sla_outcomes(data, EVERY_TARGET)
    c = ours.columns
    names = np.array(TARGETS, dtype=object)[c["target"]]
    keep = np.isin(names, list(dbt_zendesk.SLA_METRICS))
    col = dbt.column
    assert len(dbt) == int(keep.sum())
    np.testing.assert_array_equal(col("metric"), [dbt_zendesk.SLA_METRICS[n] for n in names[keep]])
    np.testing.assert_array_equal(col("ticket_id"), ours.ticket_id.keys[ours.ticket_id.codes][keep])
    np.testing.assert_array_equal(col("sla_applied_at"), c["applied_at"][keep])
    np.testing.assert_array_equal(col("sla_breach_at"), c["target_at"][keep])
    np.testing.assert_allclose(col("target") * 60, c["seconds"][keep], rtol=1e-12)
    np.testing.assert_allclose(col("sla_elapsed_time") * 60, c["elapsed"][keep], rtol=1e-12)
    active = col("is_active_sla")
    # Active: still running and not breached; the breach flag is null exactly then.
    np.testing.assert_array_equal(active, c["open"][keep] & ~c["breached"][keep])
    flag = col("is_sla_breach")
    assert np.isnan(flag[active]).all()
    np.testing.assert_array_equal(flag[~active], c["breached"][keep][~active])
    # A target decided as met never counts as a breach.
    assert not (flag[c["met"][keep]] == 1).any()
