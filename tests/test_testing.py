"""csmetrics.testing: the public strategies draw valid data with the structure they promise."""

from __future__ import annotations

import warnings
from datetime import timedelta

import pytest
from hypothesis import HealthCheck, Phase, find, given, settings

import csmetrics
from csmetrics.testing import (
    interaction_frames,
    interaction_tables,
    interactions,
    survey_frames,
    survey_tables,
    surveys,
)
from strategies import assert_same_result

pytest.importorskip("pandas")
pytest.importorskip("polars")
pytest.importorskip("pyarrow")

# The first example found is enough (no shrinking): these tests only show
# that the strategies reach each edge within a few hundred draws.
SEARCH = settings(
    max_examples=1000,
    derandomize=True,
    database=None,
    phases=[Phase.generate],
    suppress_health_check=[HealthCheck.too_slow],
)
WEEK = timedelta(days=7)


def _gaps(contacts: list[csmetrics.Interaction]) -> list[timedelta]:
    """Start of each contact minus the end of an earlier closed contact of its customer."""
    return [
        later.start - earlier.end
        for later in contacts
        for earlier in contacts
        if earlier is not later
        and earlier.customer_id == later.customer_id
        and earlier.end is not None
        and earlier.start < later.start
    ]


@pytest.mark.parametrize(
    ("what", "condition"),
    [
        ("a repeat at the window's edge", lambda cs: WEEK in _gaps(cs)),
        ("a repeat inside the window", lambda cs: any(timedelta(0) < g < WEEK for g in _gaps(cs))),
        ("a contact after the window", lambda cs: any(g > WEEK for g in _gaps(cs))),
        ("an open contact", lambda cs: any(c.end is None for c in cs)),
        (
            "a ticket reused for another problem",
            lambda cs: any(
                a.issue_id is not None
                and a.issue_id == b.issue_id
                and None not in (a.category, b.category)
                and a.category != b.category
                for a in cs
                for b in cs
            ),
        ),
        ("int keys", lambda cs: any(isinstance(c.id, int) for c in cs)),
        ("text keys", lambda cs: any(isinstance(c.id, str) for c in cs)),
    ],
)
def test_interactions_draw_every_edge_of_the_definitions(what, condition):
    found = find(interactions(), condition, settings=SEARCH)
    assert condition(found), what


@pytest.mark.parametrize("kind", csmetrics.SURVEY_KINDS)
def test_surveys_draw_every_kind(kind):
    found = find(surveys(), lambda answers: any(a.kind == kind for a in answers), settings=SEARCH)
    assert any(a.kind == kind for a in found)


def test_surveys_write_a_non_default_scale_when_asked():
    found = find(
        surveys(kind="csat", scale=(1, 10)),
        lambda answers: any(a.score > 5 for a in answers),
        settings=SEARCH,
    )
    assert all(a.scale == (1, 10) for a in found)


@settings(max_examples=30)
@given(interactions(service=True, team=True))
def test_drawn_contacts_are_valid_and_measured_alike_as_records_and_table(contacts):
    table = csmetrics.Interactions.from_records(contacts)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", csmetrics.UndefinedMetricWarning)
        assert_same_result(csmetrics.fcr(contacts), csmetrics.fcr(table))


@settings(max_examples=20)
@given(interaction_tables(open_contacts=False), survey_tables(kind="nps"))
def test_table_strategies_give_tables(contacts, answers):
    assert isinstance(contacts, csmetrics.Interactions)
    assert not (contacts.end == csmetrics.core.table.OPEN).any()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", csmetrics.UndefinedMetricWarning)
        score = csmetrics.nps(answers)
    assert score.promoters + score.passives + score.detractors == len(answers)


@settings(max_examples=20, suppress_health_check=[HealthCheck.too_slow])
@given(interaction_frames(service=True, team=True))
def test_a_contact_frame_reads_as_the_records_it_holds(frame):
    table = csmetrics.Interactions.from_frame(frame)
    again = csmetrics.Interactions.from_records(table.to_records())
    assert len(table) == len(frame)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", csmetrics.UndefinedMetricWarning)
        assert_same_result(csmetrics.fcr(table), csmetrics.fcr(again))
        assert_same_result(csmetrics.handle_time(table), csmetrics.handle_time(again))


@pytest.mark.parametrize("backend", ["pandas", "polars", "pyarrow"])
def test_every_backend_frame_is_read(backend):
    @settings(max_examples=15, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
    @given(interaction_frames(backend=backend, service=True), survey_frames(backend=backend))
    def read(contacts, answers):
        assert len(csmetrics.Interactions.from_frame(contacts)) == len(contacts)
        assert len(csmetrics.Surveys.from_frame(answers)) == len(answers)

    read()
