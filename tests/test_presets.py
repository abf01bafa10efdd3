"""Vendor presets: the registry, each definition choice by hand, and where presets differ.

Every expected number is worked out by hand from the ticket's history in the
comment next to it. Times are hours after T0 (a Monday, 09:00 UTC).
"""

from __future__ import annotations

import csv
import inspect
import io
import math
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import given

import csmetrics
from csmetrics import (
    Interaction,
    Message,
    StatusChange,
    Ticket,
    Tickets,
    presets,
    reopen_count,
    service_level,
    ticket_metrics,
    touch_rate,
)
from csmetrics.cli import main
from strategies import tickets

UTC = timezone.utc
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
H = 3600.0


def at(hours: float) -> datetime:
    return T0 + timedelta(hours=hours)


def ticket(id: object, *events: tuple[Any, ...]) -> Ticket:
    """A ticket created at T0 from (hours, kind) events: a status name, "customer" or "agent"."""
    messages, statuses = [], []
    for hours, kind in events:
        if kind in csmetrics.STATUSES:
            statuses.append(StatusChange(at=at(hours), status=kind))
        else:
            messages.append(Message(at=at(hours), author=kind, author_id=f"{kind}-{id}"))
    return Ticket(id=id, customer_id="ann", created=T0, messages=messages, statuses=statuses)


# An agent opens the ticket with a public comment; the customer answers at 1 h,
# the agent replies at 3 h and solves at 4 h.
AGENT_CREATED = ticket("agent-created", (0, "agent"), (1, "customer"), (3, "agent"), (4, "solved"))
# The customer writes at creation; the agent solves at 1 h without a comment.
SOLVED_SILENTLY = ticket("silent", (0, "customer"), (1, "solved"))
# Solved at 2 h after one reply, reopened at 3 h, still open at the cut-off (5 h).
REOPENED = ticket("reopened", (0, "customer"), (1, "agent"), (2, "solved"), (3, "open"))
# Solved at 1 h, reopened at 2 h, closed at 3 h without a second solve.
CLOSED_AFTER_REOPEN = ticket(
    "closed", (0, "customer"), (0.5, "agent"), (1, "solved"), (2, "open"), (3, "closed")
)
AS_OF = at(5)


def rows(*tickets_: Ticket, **options: Any) -> dict[str, dict[str, Any]]:
    result = ticket_metrics(Tickets.from_records(tickets_), as_of=AS_OF, **options)
    return {row["ticket_id"]: row for row in result.to_rows()}


# -- the registry ---------------------------------------------------------------------------


def test_names_lists_the_vendors_first_and_the_icmi_formulas():
    assert presets.names() == (
        "zendesk",
        "dbt_zendesk",
        "freshdesk",
        "intercom",
        "icmi-offered",
        "icmi-answered",
        "icmi-abandoned-within-met",
        "icmi-abandoned-within-excluded",
        "icmi-short-abandoned-excluded",
    )
    assert presets.DEFAULT == "zendesk"


def test_unknown_preset_is_refused_with_the_names():
    with pytest.raises(ValueError, match=r"preset='dbt'.*'zendesk', 'dbt_zendesk'"):
        presets.get("dbt")
    with pytest.raises(ValueError, match=r"preset='zendsk'.*'dbt_zendesk'"):
        ticket_metrics([], preset="zendsk")


def test_repr_names_the_preset_its_version_and_choices():
    text = repr(presets.get("dbt_zendesk"))
    assert text.startswith("Preset('dbt_zendesk', version='fivetran/dbt_zendesk v1.6', ")
    assert "untouched='multi'" in text
    assert "reopens='solves_minus_one'" in text


def test_every_choice_a_preset_makes_cites_a_source_and_is_a_keyword():
    for name in presets.names():
        preset = presets.get(name)
        assert set(preset.sources()) == set(preset.choices())
        assert all(source.strip() for source in preset.sources().values())
        for choice, value in preset.choices().items():
            assert value in presets.CHOICES[choice]
            taker = service_level if choice == "formula" else ticket_metrics
            assert choice in inspect.signature(taker).parameters
        assert name in preset.describe()


def test_zendesk_preset_is_the_default_rules():
    defaults = presets.get("zendesk").choices()
    metrics = ticket_metrics([AGENT_CREATED], as_of=AS_OF)
    assert metrics.choices == defaults
    assert metrics.preset is None


def test_a_bad_choice_value_is_refused_naming_the_option():
    with pytest.raises(ValueError, match=r"untouched='zero'.*'none', 'one', 'multi'"):
        ticket_metrics([SOLVED_SILENTLY], untouched="zero")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="untouched"):
        presets.Preset(
            name="x",
            version="1",
            description="x",
            untouched=presets.Choice(value="zero", source="nowhere"),
        )


def test_a_preset_that_defines_nothing_for_a_metric_is_refused():
    with pytest.raises(ValueError, match=r"preset='icmi-answered' defines nothing for ticket_me"):
        ticket_metrics([AGENT_CREATED], preset="icmi-answered")
    with pytest.raises(ValueError, match=r"defines nothing for service_level.*'icmi-offered'"):
        service_level([], threshold=20, preset="dbt_zendesk")


# -- each choice, by hand -------------------------------------------------------------------


def test_first_reply_of_an_agent_created_ticket_differs_by_vendor():
    # Zendesk: the creating comment is no reply; the next agent comment is at 3 h.
    assert rows(AGENT_CREATED)["agent-created"]["first_reply"] == 3 * H
    # dbt_zendesk: the first public comment is the agent's, so the reply is at 0.
    assert rows(AGENT_CREATED, preset="dbt_zendesk")["agent-created"]["first_reply"] == 0.0
    # Intercom: from the customer's first message (1 h) to the agent's next (3 h).
    assert rows(AGENT_CREATED, preset="intercom")["agent-created"]["first_reply"] == 2 * H


def test_first_reply_of_a_customer_ticket_is_the_same_under_every_rule():
    # The customer writes at 0, the agent replies at 1 h.
    for preset in ("zendesk", "dbt_zendesk", "intercom"):
        assert rows(REOPENED, preset=preset)["reopened"]["first_reply"] == H


def test_after_customer_gives_no_reply_without_a_customer_comment():
    only_agent = ticket("only-agent", (0, "agent"), (2, "agent"))
    row = rows(only_agent, first_reply="after_customer")["only-agent"]
    assert row["first_reply"] is None
    assert row["first_reply_at"] is None


def test_touch_count_counts_the_creating_comment_for_dbt_zendesk():
    # Zendesk: one reply (3 h) before the solve; dbt_zendesk: two public agent comments.
    assert rows(AGENT_CREATED)["agent-created"]["touch_class"] == "one"
    dbt = rows(AGENT_CREATED, preset="dbt_zendesk")["agent-created"]
    assert (dbt["touches"], dbt["touch_class"]) == (2, "two")


def test_a_ticket_solved_without_reply_is_in_no_class_one_or_multi():
    assert rows(SOLVED_SILENTLY)["silent"]["touch_class"] is None
    assert rows(SOLVED_SILENTLY, untouched="one")["silent"]["touch_class"] == "one"
    # dbt_zendesk: neither one- nor two-touch, so multi-touch.
    assert rows(SOLVED_SILENTLY, preset="dbt_zendesk")["silent"]["touch_class"] == "multi"


def test_a_reopen_not_solved_again_counts_for_zendesk_only():
    zendesk = rows(REOPENED)["reopened"]
    dbt = rows(REOPENED, preset="dbt_zendesk")["reopened"]
    assert (zendesk["reopens"], dbt["reopens"]) == (1, 0)  # one solve: 1 - 1 = 0
    # Zendesk has no full resolution while reopened; dbt_zendesk keeps the solve at 2 h.
    assert zendesk["full_resolution"] is None
    assert dbt["full_resolution"] == 2 * H
    assert dbt["solved_at"] == at(2)
    assert dbt["open"] is True


def test_closed_after_a_reopen_is_a_resolution_for_zendesk_only():
    zendesk = rows(CLOSED_AFTER_REOPEN)["closed"]
    dbt = rows(CLOSED_AFTER_REOPEN, preset="dbt_zendesk")["closed"]
    # Zendesk: solved at 1 h and closed from open at 3 h: two resolutions, one reopen.
    assert (zendesk["resolutions"], zendesk["reopens"], zendesk["full_resolution"]) == (2, 1, 3 * H)
    # dbt_zendesk: the ticket was solved, so only the solve counts.
    assert (dbt["resolutions"], dbt["reopens"], dbt["full_resolution"]) == (1, 0, 1 * H)
    assert zendesk["first_resolution"] == dbt["first_resolution"] == 1 * H


def test_closed_without_any_solve_is_a_resolution_for_both():
    closed = ticket("never-solved", (0, "customer"), (1, "open"), (2, "closed"))
    for preset in ("zendesk", "dbt_zendesk"):
        row = rows(closed, preset=preset)["never-solved"]
        assert (row["resolutions"], row["first_resolution"]) == (1, 2 * H)


def test_an_explicit_keyword_beats_the_preset_and_is_recorded():
    result = ticket_metrics([REOPENED], as_of=AS_OF, preset="dbt_zendesk", reopens="changes")
    assert result.preset == "dbt_zendesk"
    assert result.choices["reopens"] == "changes"
    assert result.choices["untouched"] == "multi"  # the rest from the preset
    assert result.to_rows()[0]["reopens"] == 1


def test_a_choice_the_preset_leaves_open_is_the_default():
    result = ticket_metrics([AGENT_CREATED], as_of=AS_OF, preset="freshdesk")
    assert result.choices == presets.get("zendesk").choices()


# -- the aggregates -------------------------------------------------------------------------


def test_one_touch_rate_differs_between_zendesk_and_dbt_zendesk():
    data = Tickets.from_records([AGENT_CREATED, SOLVED_SILENTLY, CLOSED_AFTER_REOPEN])
    # Zendesk: agent-created is one-touch (1 reply), silent in no class,
    # closed one-touch (1 reply): 2 of 3 solved.
    zendesk = touch_rate(data, as_of=AS_OF)
    assert (zendesk.numerator, zendesk.denominator) == (2, 3)
    # dbt_zendesk: agent-created has 2 public agent comments (two-touch),
    # silent is multi-touch, closed one-touch: 1 of 3.
    dbt = touch_rate(data, as_of=AS_OF, preset="dbt_zendesk")
    assert (dbt.numerator, dbt.denominator) == (1, 3)
    assert dbt.params() == {
        "metric": "touch_rate",
        "preset": "dbt_zendesk",
        "touch_count": "public_agent_comments",
        "untouched": "multi",
    }
    multi = touch_rate(data, as_of=AS_OF, touches=3, preset="dbt_zendesk")
    assert (multi.numerator, multi.denominator) == (1, 3)
    assert touch_rate(data, as_of=AS_OF, touches=3).numerator == 0


def test_results_of_different_definitions_do_not_merge():
    data = Tickets.from_records([AGENT_CREATED, SOLVED_SILENTLY])
    zendesk = touch_rate(data, as_of=AS_OF)
    dbt = touch_rate(data, as_of=AS_OF, preset="dbt_zendesk")
    with pytest.raises(ValueError, match="different parameters"):
        zendesk.merge(dbt)
    same = touch_rate(data, as_of=AS_OF, preset="dbt_zendesk")
    assert dbt.merge(same).denominator == 4


def test_reopen_count_differs_between_zendesk_and_dbt_zendesk():
    data = Tickets.from_records([CLOSED_AFTER_REOPEN, AGENT_CREATED, REOPENED])
    # Solved or closed at 5 h: closed (1 reopen under Zendesk, 0 under
    # dbt_zendesk) and agent-created (0); REOPENED is open and left out.
    assert reopen_count(data, as_of=AS_OF).value == 0.5
    dbt = reopen_count(data, as_of=AS_OF, preset="dbt_zendesk")
    assert dbt.value == 0.0
    assert (dbt.preset, dbt.resolutions, dbt.reopens) == (
        "dbt_zendesk",
        "solved_else_closed",
        "solves_minus_one",
    )
    assert reopen_count(data, as_of=AS_OF, preset="dbt_zendesk", reopens="changes").value == 0.5


def test_icmi_presets_name_the_service_level_formulas():
    def call(i: int, wait: float, *, answered: bool = True) -> Interaction:
        start = T0 + timedelta(minutes=i)
        reached = start + timedelta(seconds=wait)
        if answered:
            return Interaction(
                id=str(i),
                customer_id=str(i),
                start=start,
                first_response_at=reached,
                end=reached + timedelta(minutes=3),
            )
        return Interaction(id=str(i), customer_id=str(i), start=start, end=reached, abandoned=True)

    # Answered within 20 s: 2 of 3 answered; one abandoned after 3 s.
    calls = [call(0, 5), call(1, 15), call(2, 45), call(3, 3, answered=False)]
    assert service_level(calls, threshold=20).value == 0.5  # 2 / 4
    answered = service_level(calls, threshold=20, preset="icmi-answered")
    assert (answered.value, answered.formula, answered.preset) == (
        2 / 3,
        "answered",
        "icmi-answered",
    )
    within = service_level(calls, threshold=20, preset="icmi-abandoned-within-excluded")
    assert within.value == 2 / 3  # 2 / (4 - 1)
    explicit = service_level(calls, threshold=20, preset="icmi-answered", formula="offered")
    assert (explicit.value, explicit.formula) == (0.5, "offered")


# -- the command line ----------------------------------------------------------------------


def test_definitions_preset_shows_the_choices_their_sources_and_the_metrics(
    capsys: pytest.CaptureFixture[str],
):
    assert main(["definitions", "--preset", "dbt_zendesk"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("dbt_zendesk (fivetran/dbt_zendesk v1.6): ")
    assert "    untouched = 'multi'\n" in out
    assert "int_zendesk__comment_metrics" in out
    assert "    not modelled: " in out
    names = [line for line in out.splitlines() if line and not line.startswith(" ")][1:]
    assert names == ["ticket_metrics", "touch_rate", "reopen_count"]
    assert "preset='dbt_zendesk', touch_count='public_agent_comments', untouched='multi'" in out


def test_definitions_icmi_preset_shows_service_level_only(capsys: pytest.CaptureFixture[str]):
    assert main(["definitions", "--preset", "icmi-answered"]) == 0
    out = capsys.readouterr().out
    names = [line for line in out.splitlines() if line and not line.startswith(" ")][1:]
    assert names == ["service_level"]
    assert "formula='answered'" in out


def test_definitions_unknown_preset_is_a_usage_error_listing_the_names(
    capsys: pytest.CaptureFixture[str],
):
    assert main(["definitions", "--preset", "dbt"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("csmetrics: error: argument --preset: invalid choice: 'dbt'")
    assert "'dbt_zendesk'" in err
    assert err.count("\n") == 1


def test_tickets_preset_measures_by_the_preset(capsys: pytest.CaptureFixture[str]):
    export = str(Path(__file__).parent / "data" / "zendesk")
    args = ["tickets", "--source", "zendesk", export]

    def table(*extra: str) -> dict[str, dict[str, str]]:
        assert main([*args, *extra]) == 0
        return {
            row["ticket_id"]: row for row in csv.DictReader(io.StringIO(capsys.readouterr().out))
        }

    default, zendesk, dbt = table(), table("--preset", "zendesk"), table("--preset", "dbt_zendesk")
    assert zendesk == default
    # Ticket 1003 was opened by an agent: dbt_zendesk's first reply is the
    # creating comment itself, and its two public agent comments make it two-touch.
    assert (default["1003"]["first_reply"], dbt["1003"]["first_reply"]) == ("79200.0", "0.0")
    assert (default["1003"]["touch_class"], dbt["1003"]["touch_class"]) == ("one", "two")
    # Ticket 1007 is reopened and open: a reopen for Zendesk, solves - 1 = 0 for dbt_zendesk.
    assert (default["1007"]["reopens"], dbt["1007"]["reopens"]) == ("1", "0")
    # Ticket 1008 was closed without an agent comment: no class, or multi-touch.
    assert (default["1008"]["touch_class"], dbt["1008"]["touch_class"]) == ("", "multi")
    assert main([*args, "--preset", "icmi-answered"]) == 2
    assert "defines nothing for ticket_metrics" in capsys.readouterr().err


# -- properties -----------------------------------------------------------------------------


@given(tickets())
def test_the_zendesk_preset_gives_the_default_columns(records: list[Ticket]):
    data = Tickets.from_records(records)
    default = ticket_metrics(data)
    zendesk = ticket_metrics(data, preset="zendesk")
    for name, column in default.columns.items():
        np.testing.assert_array_equal(column, zendesk.columns[name], err_msg=name)


@given(tickets())
def test_dbt_zendesk_never_counts_more_reopens_or_resolutions(records: list[Ticket]):
    data = Tickets.from_records(records)
    zendesk = ticket_metrics(data).columns
    dbt = ticket_metrics(data, preset="dbt_zendesk").columns
    # Each solve after the first needs a reopen before it; only solves count.
    assert (dbt["reopens"] <= zendesk["reopens"]).all()
    assert (dbt["resolutions"] <= zendesk["resolutions"]).all()
    # A ticket never closed has the same solves under both, and while solved
    # the same full resolution.
    closed = data.statuses.status == csmetrics.STATUSES.index("closed")
    unclosed = np.bincount(data.statuses.ticket[closed], minlength=len(data)) == 0
    np.testing.assert_array_equal(dbt["resolutions"][unclosed], zendesk["resolutions"][unclosed])
    solved = unclosed & ~zendesk["open"]
    np.testing.assert_array_equal(dbt["solved_at"][solved], zendesk["solved_at"][solved])
    # The creating comment only moves the first reply earlier.
    both = ~np.isnan(zendesk["first_reply"])
    assert (dbt["first_reply"][both] <= zendesk["first_reply"][both]).all()
    assert not math.isnan(dbt["first_reply"][both].sum())


@given(tickets())
def test_a_preset_equals_its_choices_given_as_keywords(records: list[Ticket]):
    data = Tickets.from_records(records)
    for name in ("dbt_zendesk", "freshdesk", "intercom"):
        by_name = ticket_metrics(data, preset=name)
        by_keywords = ticket_metrics(data, **presets.get(name).choices())  # type: ignore[arg-type]
        assert by_name.choices == by_keywords.choices
        for column, values in by_name.columns.items():
            np.testing.assert_array_equal(values, by_keywords.columns[column], err_msg=column)
