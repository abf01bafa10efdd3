"""Zendesk's SLA policies read from the example export, and every error the reader names."""

from __future__ import annotations

import json
import shutil
import tempfile
from datetime import datetime, timezone
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from csmetrics import InvalidDataError, SLAPolicy, SLARule, SLATarget, sla_outcomes
from csmetrics.metrics.sla_zendesk import (
    ZENDESK_METRICS,
    ZENDESK_PRIORITIES,
    read_api_sla_policies,
    read_sla_policies,
)
from csmetrics.sources.zendesk import (
    read_api,
    read_api_schedules,
    read_schedule_calendars,
    read_tables,
)

EXAMPLE = Path(__file__).parent / "data" / "zendesk"
METRIC_HEADER = "sla_policy_id,sla_policy_updated_at,metric,priority,target,business_hours\n"
HISTORY_HEADER = "id,title,updated_at\n"
WHEN = "2025-01-10 00:00:00"


def export(tmp_path: Path, **tables: str) -> Path:
    """A copy of the example export with some tables replaced (text) or removed ("")."""
    target = tmp_path / "export"
    shutil.copytree(EXAMPLE, target)
    for name, text in tables.items():
        path = target / f"{name}.csv"
        if text:
            path.write_text(text, encoding="utf-8")
        else:
            path.unlink()
    return target


def by_hand() -> tuple[SLAPolicy, SLAPolicy]:
    """The example export's two policies, written out from its CSV rows."""
    office = read_schedule_calendars(EXAMPLE)
    hour, quarter = 3600.0, 900.0
    standard = SLAPolicy(
        name="Standard",
        calendar=office,
        rules=[
            SLARule(priority="urgent", first_response=hour),
            SLARule(priority="high", first_response=hour),
            SLARule(
                priority="normal",
                first_response=hour,
                requester_wait=SLATarget(seconds=24 * hour, business=True),
            ),
            SLARule(priority="low", first_response=hour),
        ],
    )
    priority = SLAPolicy(
        name="Priority",
        calendar=office,
        rules=[
            SLARule(priority="urgent", first_response=quarter),
            SLARule(priority="high", first_response=quarter, periodic_update=8 * hour),
            SLARule(
                priority="normal",
                first_response=quarter,
                next_reply=SLATarget(seconds=4 * hour, business=True),
            ),
            SLARule(priority="low", first_response=quarter),
        ],
    )
    return standard, priority


def test_example_policies_are_the_latest_versions() -> None:
    policies = read_sla_policies(EXAMPLE)
    assert policies == by_hand()
    # The 2019 draft of Standard (normal: 120 minutes) is an older version.
    assert [p.name for p in policies] == ["Standard", "Priority"]
    assert policies[0].rules[2].first_response == SLATarget(seconds=3600.0)


def test_read_policies_give_the_outcomes_of_hand_written_ones() -> None:
    tickets = read_tables(EXAMPLE)
    read, hand = read_sla_policies(EXAMPLE), by_hand()
    assert sla_outcomes(tickets, read).to_rows() == sla_outcomes(tickets, hand).to_rows()
    # One policy for every ticket: business-hours requester wait on each schedule.
    alone = sla_outcomes(tickets, read[0]).to_rows()
    assert alone == sla_outcomes(tickets, hand[0]).to_rows()
    assert {row["target"] for row in alone} == {"first_response", "requester_wait"}


def test_ticket_under_the_read_policies_breaches_the_priority_reply() -> None:
    # Ticket 1001 (normal) moved to Priority at 14:10: its first reply was owed
    # within 15 minutes, by 14:25, and came at 14:30.
    tickets = read_tables(EXAMPLE)
    rows = sla_outcomes(tickets, read_sla_policies(EXAMPLE)).to_rows()
    (row,) = [r for r in rows if r["ticket_id"] == "1001"]
    assert (row["policy"], row["target"], row["seconds"]) == ("Priority", "first_response", 900.0)
    assert row["target_at"] == datetime(2026, 2, 3, 14, 25, tzinfo=timezone.utc)
    assert (row["elapsed"], row["breached"]) == (20 * 60, True)


def test_policy_without_business_targets_has_no_calendar(tmp_path: Path) -> None:
    path = export(
        tmp_path,
        sla_policy_history=HISTORY_HEADER + f"7,Basic,{WHEN}\n8,Empty,{WHEN}\n",
        sla_policy_metric_history=METRIC_HEADER + f"7,{WHEN},agent_work_time,LOW,30,false\n",
        schedule="",
        schedule_holiday="",
    )
    basic, empty = read_sla_policies(path)
    assert basic == SLAPolicy(name="Basic", rules=[SLARule(priority="low", agent_work=30 * 60.0)])
    assert empty == SLAPolicy(name="Empty", rules=[])


def metric_rows(*rows: str) -> dict[str, str]:
    history = HISTORY_HEADER + f"1,Standard,{WHEN}\n2,Priority,{WHEN}\n"
    return {
        "sla_policy_history": history,
        "sla_policy_metric_history": METRIC_HEADER + "".join(f"{r}\n" for r in rows),
    }


@pytest.mark.parametrize(
    ("tables", "where"),
    [
        (
            metric_rows(f"1,{WHEN},total_resolution_time,low,60,false"),
            "sla_policy_metric_history.csv, row 2: field 'metric' = 'total_resolution_time'",
        ),
        (
            metric_rows(f"1,{WHEN},first_reply_time,low,60,false", f"1,{WHEN},x,critical,6,false"),
            "row 3: field 'metric' = 'x'",
        ),
        (
            metric_rows(f"1,{WHEN},first_reply_time,critical,60,false"),
            "row 2: field 'priority' = 'critical'",
        ),
        (metric_rows(f"1,{WHEN},first_reply_time,low,0,false"), "row 2: field 'target' = 0"),
        (metric_rows(f"1,{WHEN},first_reply_time,low,1.5,false"), "row 2: field 'target'"),
        (
            metric_rows(f"1,{WHEN},first_reply_time,low,60,maybe"),
            "row 2: field 'business_hours' = 'maybe'",
        ),
        (
            metric_rows(f"9,{WHEN},first_reply_time,low,60,false"),
            "row 2: field 'sla_policy_id' = '9': no such policy",
        ),
        (
            metric_rows(
                f"1,{WHEN},first_reply_time,low,60,false",
                f"1,{WHEN},first_reply_time,Low,30,false",
            ),
            "row 3: field 'metric' = 'first_reply_time': row 2 sets",
        ),
        (
            {"sla_policy_history": HISTORY_HEADER + f"1,Standard,{WHEN}\n2,Standard,{WHEN}\n"},
            "sla_policy_history.csv, row 3: field 'title' = 'Standard'",
        ),
        (
            {"sla_policy_history": HISTORY_HEADER + f"1,Standard,{WHEN}\n1,Standard,{WHEN}\n"},
            "sla_policy_history.csv, row 3: field 'updated_at'",
        ),
        (
            {"sla_policy_history": "id,title\n1,Standard\n"},
            "missing column(s) 'updated_at' of table 'sla_policy_history'",
        ),
        (
            {**metric_rows(f"1,{WHEN},next_reply_time,low,60,true"), "schedule": ""},
            "row 2: field 'business_hours' = True: a business-hours target needs",
        ),
        ({"sla_policy_metric_history": ""}, "table 'sla_policy_metric_history' is missing"),
    ],
)
def test_bad_rows_are_named(tmp_path: Path, tables: dict[str, str], where: str) -> None:
    if tables.get("schedule") == "":
        tables = {**tables, "schedule_holiday": ""}
    with pytest.raises(InvalidDataError, match=None) as caught:
        read_sla_policies(export(tmp_path, **tables))
    assert where in str(caught.value)


def test_missing_directory_is_not_found(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="no such directory"):
        read_sla_policies(tmp_path / "absent")


TARGET_ROWS = st.dictionaries(
    st.tuples(st.sampled_from(ZENDESK_PRIORITIES), st.sampled_from(sorted(ZENDESK_METRICS))),
    st.tuples(st.integers(1, 100_000), st.booleans()),
    max_size=12,
)


@given(rows=TARGET_ROWS, old=st.integers(1, 100_000))
def test_every_target_of_the_latest_version_is_read(
    rows: dict[tuple[str, str], tuple[int, bool]], old: int
) -> None:
    with tempfile.TemporaryDirectory() as scratch:
        path = Path(scratch) / "export"
        shutil.copytree(EXAMPLE, path)
        earlier = "2024-01-01 00:00:00"
        (path / "sla_policy_history.csv").write_text(
            HISTORY_HEADER + f"5,Old,{earlier}\n5,New,{WHEN}\n", encoding="utf-8"
        )
        lines = [f"5,{earlier},first_reply_time,low,{old},false"]
        lines += [
            f"5,{WHEN},{metric},{level.upper()},{minutes},{str(business).lower()}"
            for (level, metric), (minutes, business) in rows.items()
        ]
        (path / "sla_policy_metric_history.csv").write_text(
            METRIC_HEADER + "".join(f"{line}\n" for line in lines), encoding="utf-8"
        )
        (policy,) = read_sla_policies(path)
    assert policy.name == "New"
    got = {
        (rule.priority, metric): getattr(rule, kind)
        for rule in policy.rules
        for metric, kind in ZENDESK_METRICS.items()
        if getattr(rule, kind) is not None
    }
    assert got == {
        key: SLATarget(seconds=60.0 * minutes, business=business)
        for key, (minutes, business) in rows.items()
    }
    assert [rule.priority for rule in policy.rules] == [
        level for level in ZENDESK_PRIORITIES if any(key[0] == level for key in rows)
    ]
    assert (policy.calendar is not None) == any(business for _, business in rows.values())


# --- the SLA Policies API ---------------------------------------------------------


API = Path(__file__).parent / "data" / "zendesk_api"


def test_api_policies_have_the_rules_of_the_tables() -> None:
    from_api, from_tables = read_api_sla_policies(API), read_sla_policies(EXAMPLE)
    assert [(p.name, p.rules) for p in from_api] == [(p.name, p.rules) for p in from_tables]
    calendars = tuple(sorted(read_api_schedules(API).items()))
    assert all(p.calendar == calendars for p in from_api)


def test_read_api_skips_the_sla_policy_pages() -> None:
    tickets = read_api(API)
    assert len(tickets.id.codes) > 0


def page(*policies: dict[str, object]) -> str:
    return json.dumps({"sla_policies": list(policies)})


def target(metric: str = "first_reply_time", **fields: object) -> dict[str, object]:
    return {"priority": "low", "metric": metric, "target": 60, "business_hours": False, **fields}


def test_latest_api_version_of_a_policy_is_kept(tmp_path: Path) -> None:
    old = {"id": 1, "title": "Old", "updated_at": "2024-01-01T00:00:00Z"}
    new = {"id": 1, "title": "New", "updated_at": "2025-01-01T00:00:00Z"}
    (tmp_path / "a.json").write_text(page({**new, "policy_metrics": [target(target=30)]}))
    (tmp_path / "b.json").write_text(page({**old, "policy_metrics": [target()]}))
    (tmp_path / "c.json").write_text(json.dumps({"sla_policy": {"id": 2, "title": "One"}}))
    new_one, one = read_api_sla_policies(tmp_path)
    assert new_one == SLAPolicy(name="New", rules=[SLARule(priority="low", first_response=1800)])
    assert one == SLAPolicy(name="One", rules=[])


@pytest.mark.parametrize(
    ("policies", "where"),
    [
        (
            [{"id": 1, "title": "A", "policy_metrics": [target("total_resolution_time")]}],
            "sla_policies[0] (id 1).policy_metrics[0]: field 'metric' = 'total_resolution_time'",
        ),
        (
            [{"id": 1, "title": "A", "policy_metrics": [target(), target(target="60")]}],
            "sla_policies[0] (id 1).policy_metrics[1]: field 'target' = '60'",
        ),
        (
            [{"id": 1, "title": "A", "policy_metrics": [target(), target(priority="LOW")]}],
            "(id 1).policy_metrics[1]: field 'metric' = 'first_reply_time': sla_policies[0]",
        ),
        (
            [{"id": 1, "title": "A", "policy_metrics": [target(priority="p1")]}],
            "policy_metrics[0]: field 'priority' = 'p1'",
        ),
        ([{"id": 1, "policy_metrics": []}], "sla_policies[0] (id 1): field 'title' = None"),
        (
            [{"id": 1, "title": "A"}, {"id": 2, "title": "A"}],
            "sla_policies[1] (id 2): field 'title' = 'A'",
        ),
        (
            [{"id": 1, "title": "A", "policy_metrics": [target(business_hours=True)]}],
            "policy_metrics[0]: field 'business_hours' = True: a business-hours target needs",
        ),
        (
            [{"id": 1, "title": "A", "policy_metrics": {"priority": "low"}}],
            "sla_policies[0] (id 1): field 'policy_metrics'",
        ),
    ],
)
def test_bad_api_objects_are_named(
    tmp_path: Path, policies: list[dict[str, object]], where: str
) -> None:
    path = tmp_path / "sla_policies.json"
    path.write_text(page(*policies))
    with pytest.raises(InvalidDataError) as caught:
        read_api_sla_policies(path)
    assert where in str(caught.value)
    assert str(path) in str(caught.value)
