"""The shipped sample dataset: it loads, it is reproducible, it has every pattern."""

from __future__ import annotations

import importlib.util
import itertools
from collections import defaultdict
from datetime import datetime, timedelta, timezone
from pathlib import Path
from types import ModuleType

import numpy as np
import pytest

import csmetrics
from csmetrics import Interaction
from csmetrics.adapters.datasets import Sample, sample, sample_paths

SCRIPT = Path(__file__).resolve().parents[1] / "scripts" / "make_sample_data.py"
WINDOW = timedelta(days=7)


def _generator() -> ModuleType:
    if not SCRIPT.exists():
        pytest.skip("scripts/make_sample_data.py is not part of this checkout")
    spec = importlib.util.spec_from_file_location("make_sample_data", SCRIPT)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def contacts() -> list[Interaction]:
    return sample().interactions.to_records()


@pytest.fixture(scope="module")
def tickets(contacts: list[Interaction]) -> dict[object, list[Interaction]]:
    by_ticket: dict[object, list[Interaction]] = defaultdict(list)
    for contact in contacts:
        if contact.issue_id is not None:
            by_ticket[contact.issue_id].append(contact)
    for group in by_ticket.values():
        group.sort(key=lambda c: (c.start, c.id))
    return by_ticket


def _gaps(tickets: dict[object, list[Interaction]]) -> list[timedelta]:
    """Time from each contact's end to the next contact on the same ticket."""
    return [
        later.start - earlier.end
        for group in tickets.values()
        for earlier, later in itertools.pairwise(group)
        if earlier.end is not None
    ]


def test_sample_loads_with_commit_sized_tables() -> None:
    data = sample()
    assert isinstance(data, Sample)
    assert isinstance(data.interactions, csmetrics.Interactions)
    assert isinstance(data.surveys, csmetrics.Surveys)
    assert 2500 <= len(data.interactions) <= 3500
    assert 1200 <= len(data.surveys) <= 1800


def test_sample_is_cached_and_read_only() -> None:
    assert sample() is sample()
    with pytest.raises(ValueError, match="read-only"):
        sample().interactions.start[0] = 0
    with pytest.raises(ValueError, match="read-only"):
        sample().surveys.score[0] = 0.0


def test_every_metric_runs_on_the_read_only_sample() -> None:
    data = sample()
    for match in ("issue", "category", "customer"):
        assert csmetrics.fcr(data.interactions, match=match).is_defined
    assert csmetrics.fcr(data.interactions, by="agent_id").overall.is_defined
    assert csmetrics.resolution_rate(data.interactions, by="channel").overall.is_defined
    for metric in (csmetrics.nps, csmetrics.csat, csmetrics.ces, csmetrics.survey_fcr):
        assert metric(data.surveys, by="agent_id").overall.is_defined


def test_sample_paths_are_the_shipped_files() -> None:
    paths = sample_paths()
    assert paths.interactions.name == "interactions.csv"
    assert paths.surveys.name == "surveys.csv"
    header = paths.interactions.read_text(encoding="utf-8").splitlines()[0]
    assert header == (
        "id,customer_id,start,end,resolved,channel,agent_id,issue_id,category,"
        "first_response_at,abandoned,talk_seconds,hold_seconds,wrap_seconds,"
        "priority,escalated,escalated_to,complaint"
    )
    header = paths.surveys.read_text(encoding="utf-8").splitlines()[0]
    assert header == "id,kind,score,at,customer_id,interaction_id,agent_id"


def test_generator_reproduces_the_shipped_files_byte_for_byte(tmp_path: Path) -> None:
    written = _generator().write_sample(tmp_path)
    shipped = sample_paths()
    assert [p.name for p in written] == ["interactions.csv", "surveys.csv"]
    assert written[0].read_bytes() == shipped.interactions.read_bytes()
    assert written[1].read_bytes() == shipped.surveys.read_bytes()


def test_sample_covers_about_90_days_in_utc(contacts: list[Interaction]) -> None:
    starts = [c.start for c in contacts]
    assert min(starts).date().isoformat() == "2026-01-05"
    assert 85 <= (max(starts) - min(starts)).days <= 90
    text = sample_paths().interactions.read_text(encoding="utf-8")
    assert "+00:00" in text
    assert "Z," not in text


def test_sample_has_pending_episodes_and_repeats() -> None:
    result = csmetrics.fcr(sample().interactions, window_days=7)
    assert result.pending > 0
    assert result.repeats > 0
    assert 0.5 < result.value < 0.85


def test_sample_has_repeats_within_and_after_the_window(
    tickets: dict[object, list[Interaction]],
) -> None:
    gaps = _gaps(tickets)
    assert sum(gap < WINDOW for gap in gaps) > 100
    assert sum(gap > WINDOW for gap in gaps) > 20  # reopened after the window
    assert WINDOW in gaps  # exactly at the inclusive bound


def test_sample_has_tickets_reused_with_a_new_category(
    tickets: dict[object, list[Interaction]],
) -> None:
    reused = [g for g in tickets.values() if len({c.category for c in g}) > 1]
    assert len(reused) >= 10


def test_sample_has_contacts_without_issue_id(contacts: list[Interaction]) -> None:
    assert sum(c.issue_id is None for c in contacts) > 100


def test_sample_has_open_contacts_near_the_end(contacts: list[Interaction]) -> None:
    last = max(c.start for c in contacts)
    still_open = [c for c in contacts if c.end is None]
    assert still_open
    assert all(not c.resolved for c in still_open)
    assert all(last - c.start < timedelta(days=7) for c in still_open)


def test_sample_has_unresolved_first_contacts(
    tickets: dict[object, list[Interaction]],
) -> None:
    firsts = [group[0] for group in tickets.values()]
    assert sum(not c.resolved and c.end is not None for c in firsts) > 50


def test_sample_agents_differ_in_fcr() -> None:
    by_agent = csmetrics.fcr(sample().interactions, by="agent_id")
    assert list(by_agent) == [f"A0{n}" for n in range(1, 9)]
    values = [r.value for r in by_agent.values()]
    assert max(values) - min(values) > 0.2


def test_sample_channels_and_categories(contacts: list[Interaction]) -> None:
    assert {c.channel for c in contacts} == {"phone", "chat", "email"}
    assert {c.category for c in contacts} == {
        "billing",
        "login",
        "shipping",
        "returns",
        "technical",
    }


def test_sample_has_surveys_of_every_kind() -> None:
    surveys = sample().surveys
    counts = {kind: len(surveys.of_kind(kind)) for kind in csmetrics.SURVEY_KINDS}
    assert all(n >= 100 for n in counts.values()), counts


def test_sample_survey_links_point_at_ended_contacts(contacts: list[Interaction]) -> None:
    surveys = sample().surveys
    by_id = {c.id: c for c in contacts}
    ids = surveys.interaction_id
    linked = np.flatnonzero(ids.codes >= 0)
    assert len(linked) > 1000
    assert len(linked) < len(surveys)  # relationship NPS answers have no contact
    for row in linked:
        contact = by_id[ids.key(int(ids.codes[row]))]
        at = datetime(1970, 1, 1, tzinfo=timezone.utc) + timedelta(
            microseconds=int(surveys.at[row])
        )
        assert contact.end is not None
        assert contact.end <= at <= contact.end + timedelta(days=2)
        assert surveys.agent_id.key(int(surveys.agent_id.codes[row])) == contact.agent_id
        assert surveys.customer_id.key(int(surveys.customer_id.codes[row])) == contact.customer_id


def test_sample_first_responses_fall_within_their_contacts(contacts: list[Interaction]) -> None:
    answered = [c for c in contacts if c.first_response_at is not None]
    assert len(answered) > 0.9 * len(contacts)
    for c in answered:
        assert c.end is not None
        assert c.start <= c.first_response_at <= c.end
    # Open contacts are still waiting: the first response time is censored.
    assert all(c.first_response_at is None for c in contacts if c.end is None)


def test_sample_first_responses_do_not_move_the_default_as_of() -> None:
    # Every documented number on the sample is computed at the latest end.
    result = csmetrics.first_response_time(sample().interactions)
    assert result.as_of == datetime(2026, 4, 3, 11, 55, tzinfo=timezone.utc)
    assert result.censored > 0


def test_sample_abandoned_contacts_gave_up_unanswered(contacts: list[Interaction]) -> None:
    abandoned = [c for c in contacts if c.abandoned]
    assert {c.channel for c in abandoned} == {"phone", "chat"}
    for c in abandoned:
        assert c.end is not None
        assert c.first_response_at is None
        assert not c.resolved
        assert not c.escalated
        assert not c.complaint
        assert (c.talk_seconds, c.hold_seconds, c.wrap_seconds) == (None, None, None)


def test_sample_queue_metrics_look_like_a_support_team() -> None:
    table = sample().interactions
    by_channel = csmetrics.abandonment_rate(table, by="channel")
    assert 0.03 <= by_channel["phone"].value <= 0.08
    assert 0.01 <= by_channel["chat"].value <= 0.06
    assert by_channel["email"].numerator == 0
    thresholds = {"phone": 20, "chat": 60, "email": 4 * 3600}
    level = csmetrics.service_level(table, threshold=thresholds, by="channel")
    assert 0.7 <= level["phone"].value <= 0.9
    assert 0.7 <= level["chat"].value <= 0.9
    assert 5 <= csmetrics.asa(table, by="channel")["phone"].value <= 60


def test_sample_handle_time_is_recorded_and_differs_by_agent() -> None:
    table = sample().interactions
    overall = csmetrics.handle_time(table)
    assert overall.fallback == 0
    assert overall.unmeasured == int(table.is_open.sum())
    values = [r.value for r in csmetrics.handle_time(table, by="agent_id").values()]
    assert max(values) > 1.5 * min(values)


def test_sample_escalations_are_rare_and_mostly_technical(contacts: list[Interaction]) -> None:
    assert all((c.escalated_to is not None) == c.escalated for c in contacts)
    rate = csmetrics.escalation_rate(sample().interactions)
    assert 0.02 <= rate.value <= 0.08
    by_category = csmetrics.escalation_rate(sample().interactions, by="category")
    assert max(by_category, key=lambda key: by_category[key].value) == "technical"


def test_sample_complaints_flag_exactly_one_agent() -> None:
    funnel = csmetrics.complaint_rate(sample().interactions, by="agent_id")
    assert funnel.flagged == ["A02"]
    assert 0.01 <= funnel.team_rate <= 0.02


def test_sample_priorities_are_set_per_ticket(
    tickets: dict[object, list[Interaction]],
) -> None:
    for group in tickets.values():
        assert len({c.priority for c in group if not c.abandoned}) <= 1
    assert {c.priority for g in tickets.values() for c in g} >= {"low", "normal", "high", "urgent"}
