"""Explain the difference: the tickets two definitions count differently, and the rule behind each.

The four tickets are the worked example of the "Vendor presets" page; the
export is the example Zendesk export in tests/data/zendesk. Every expected
value is worked out by hand in the comment next to it; times are hours
after T0 (a Monday, 09:00 UTC).
"""

from __future__ import annotations

import json
import math
import warnings
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

import csmetrics
from csmetrics import (
    Message,
    StatusChange,
    Ticket,
    Tickets,
    explain,
    presets,
    reopen_count,
    ticket_metrics,
    touch_rate,
)
from csmetrics.cli import main
from csmetrics.metrics.presets import CHOICES, TICKET_CHOICES
from csmetrics.presets.difference import MEANINGS
from csmetrics.sources import zendesk
from strategies import tickets

UTC = timezone.utc
T0 = datetime(2026, 3, 2, 9, tzinfo=UTC)
H = 3600.0
AS_OF = T0 + timedelta(hours=5)
EXPORT = Path(__file__).parent / "data" / "zendesk"


def ticket(id: str, *events: tuple[float, str]) -> Ticket:
    messages = [
        Message(at=T0 + timedelta(hours=x), author=kind)
        for x, kind in events
        if kind in {"agent", "customer"}
    ]
    statuses = [
        StatusChange(at=T0 + timedelta(hours=x), status=kind)
        for x, kind in events
        if kind not in {"agent", "customer"}
    ]
    return Ticket(id=id, customer_id="ann", created=T0, messages=messages, statuses=statuses)


FOUR = Tickets.from_records(
    [
        # An agent opens with a public comment; the customer answers at 1 h,
        # the agent replies at 3 h and solves at 4 h.
        ticket("A", (0, "agent"), (1, "customer"), (3, "agent"), (4, "solved")),
        # Solved at 1 h without a comment.
        ticket("B", (0, "customer"), (1, "solved")),
        # Replied at 0.5 h, solved at 1 h, reopened at 2 h, closed at 3 h.
        ticket("C", (0, "customer"), (0.5, "agent"), (1, "solved"), (2, "open"), (3, "closed")),
        # Replied at 1 h, solved at 2 h, reopened at 3 h, open at 5 h.
        ticket("D", (0, "customer"), (1, "agent"), (2, "solved"), (3, "open")),
    ]
)


def four(field: str, a: Any = "zendesk", b: Any = "dbt_zendesk") -> csmetrics.Explanation:
    return explain(FOUR, field, a, b, as_of=AS_OF)


def triples(note: csmetrics.Explanation) -> list[tuple[Any, Any, Any, str]]:
    return [(row["id"], row["a"], row["b"], row["rule"]) for row in note.rows()]


# -- the worked example, field by field -----------------------------------------------------


def test_touch_class_lists_the_creating_comment_and_the_untouched_ticket():
    note = four("touch_class")
    # A: one reply after the creating comment (one) against two public agent
    # comments (two). B: no touch, in no class against multi-touch. C has one
    # reply and one public agent comment under both; D is open.
    assert triples(note) == [
        ("A", "one", "two", "touch_count"),
        ("B", None, "multi", "untouched"),
    ]
    assert note.counts() == {"touch_count": 1, "untouched": 1}
    assert note.rows()[0]["rule_a"] == "replies_until_solved"
    assert note.rows()[0]["rule_b"] == "public_agent_comments"
    # Solved tickets A, B, C: one-touch A and C (zendesk); C (dbt_zendesk).
    assert note.tally_a == {"one": 2, "two": 0, "multi": 0, "unclassified": 1}
    assert note.tally_b == {"one": 1, "two": 1, "multi": 1, "unclassified": 0}
    assert note.totals() == {
        "touch_count": {"one": -1, "two": 1, "multi": 0, "unclassified": 0},
        "untouched": {"one": 0, "two": 0, "multi": 1, "unclassified": -1},
    }
    assert (note.headline_a, note.headline_b) == (pytest.approx(2 / 3), pytest.approx(1 / 3))
    assert note.difference == pytest.approx(-1 / 3)


def test_first_reply_of_the_agent_created_ticket():
    note = four("first_reply")
    # A: 3 h after creation (the creating comment is no reply) against 0.
    assert triples(note) == [("A", 3 * H, 0.0, "first_reply")]
    # Replies of A, C, D: 3 h, 0.5 h, 1 h (median 1 h) against 0, 0.5 h, 1 h (0.5 h).
    assert (note.headline_a, note.headline_b) == (H, 0.5 * H)
    assert note.totals() == {"first_reply": {"n": 0, "seconds": -3 * H}}


def test_reopens_not_solved_again_count_for_zendesk_only():
    note = four("reopens")
    # C and D were reopened once; each has one solve for dbt_zendesk (the
    # close after C's reopen is no solve), so solves - 1 = 0. The resolutions
    # switch does not change the count of changes; the reopens switch does.
    assert triples(note) == [("C", 1, 0, "reopens"), ("D", 1, 0, "reopens")]
    assert note.totals() == {"reopens": {"n": 0, "total": -2}}


def test_full_resolution_charged_to_two_rules():
    note = four("full_resolution")
    # C: the close at 3 h (zendesk) against the solve at 1 h (resolutions).
    # D: none while reopened against the solve at 2 h (reopened_resolution).
    assert triples(note) == [
        ("C", 3 * H, 1 * H, "resolutions"),
        ("D", None, 2 * H, "reopened_resolution"),
    ]
    assert note.counts() == {"resolutions": 1, "reopened_resolution": 1}
    # Zendesk: A 4 h, B 1 h, C 3 h (median 3 h); dbt_zendesk adds D 2 h, C 1 h.
    assert (note.headline_a, note.headline_b) == (3 * H, 1.5 * H)


def test_touch_rate_lists_only_tickets_that_move_the_one_touch_rate():
    note = four("touch_rate")
    # B's move from no class to multi-touch leaves the one-touch rate alone.
    assert triples(note) == [("A", "one", "two", "touch_count")]
    assert note.tally_a == {"numerator": 2, "denominator": 3}
    assert note.tally_b == {"numerator": 1, "denominator": 3}
    assert note.headline_a == touch_rate(FOUR, as_of=AS_OF).value
    assert note.headline_b == touch_rate(FOUR, as_of=AS_OF, preset="dbt_zendesk").value


def test_reopen_count_leaves_out_the_open_ticket():
    note = four("reopen_count")
    # D is open: not counted by reopen_count under either side.
    assert triples(note) == [("C", 1, 0, "reopens")]
    assert note.headline_a == pytest.approx(reopen_count(FOUR, as_of=AS_OF).value)
    assert note.headline_b == reopen_count(FOUR, as_of=AS_OF, preset="dbt_zendesk").value


def test_a_preset_against_explicit_choices():
    # dbt_zendesk with Zendesk's reopen count against dbt_zendesk itself.
    note = four("reopens", {"preset": "dbt_zendesk", "reopens": "changes"}, "dbt_zendesk")
    assert note.a == "dbt_zendesk with reopens=changes"
    assert note.choices_a == {**presets.get("dbt_zendesk").choices(), "reopens": "changes"}
    assert triples(note) == [("C", 1, 0, "reopens"), ("D", 1, 0, "reopens")]
    # Choices alone start from the defaults (Zendesk's).
    alone = four("touch_class", {"untouched": "multi"}, "zendesk")
    assert alone.a == "untouched=multi"
    assert triples(alone) == [("B", "multi", None, "untouched")]


def test_the_text_reads_like_a_reconciliation_note():
    text = four("touch_class").text()
    assert text.splitlines()[0] == "touch_class: 2 tickets differ between zendesk and dbt_zendesk"
    assert (
        "  1 because of untouched ('none' under zendesk, 'multi' under dbt_zendesk): "
        "dbt_zendesk counts a ticket solved without a touch as multi-touch"
    ) in text
    assert "  B: None under zendesk, 'multi' under dbt_zendesk (untouched)" in text
    assert (
        str(four("first_reply"))
        .splitlines()[0]
        .endswith("1 ticket differs between zendesk and dbt_zendesk")
    )
    same = four("touch_class", "dbt_zendesk", "dbt_zendesk")
    assert same.text().splitlines()[0] == (
        "touch_class: no ticket differs between dbt_zendesk and dbt_zendesk"
    )


def test_to_frame_has_one_row_per_differing_ticket():
    frame = four("touch_class").to_frame()
    assert list(frame.columns) == ["id", "a", "b", "rule", "rule_a", "rule_b"]
    assert frame["rule"].tolist() == ["touch_count", "untouched"]


def test_repr_and_html():
    note = four("touch_class")
    assert repr(note) == (
        "Explanation('touch_class', 'zendesk' vs 'dbt_zendesk': 2 differ "
        "(touch_count=1, untouched=1))"
    )
    page = note._repr_html_()
    assert "<td>touch_count</td>" in page
    assert "<p>" in four("touch_class", "zendesk", "zendesk")._repr_html_()


def test_only_the_two_sides_stay_memoised_on_the_table():
    # Six choices differ between zendesk and dbt_zendesk: seven runs, two kept.
    table = Tickets.from_records(FOUR.to_records())
    explain(table, "touch_class", "zendesk", "dbt_zendesk", as_of=AS_OF)
    assert len(table.memo["ticket_metrics"]) == 2


def test_every_ticket_choice_value_has_a_meaning():
    assert set(MEANINGS) == set(TICKET_CHOICES)
    for name, values in MEANINGS.items():
        assert set(values) == set(CHOICES[name]), name


# -- the example Zendesk export -------------------------------------------------------------


@pytest.fixture(scope="module")
def export() -> Tickets:
    return zendesk.read_tables(EXPORT)


def test_export_tickets_1003_1007_1008_differ(export: Tickets):
    # 1003 was opened by an agent with a public comment: replied at once and
    # two public agent comments (two-touch) for dbt_zendesk; first reply
    # 22 h after creation and one reply (one-touch) for Zendesk.
    assert triples(explain(export, "first_reply", "zendesk", "dbt_zendesk")) == [
        ("1003", 79200.0, 0.0, "first_reply")
    ]
    # 1008 was closed without an agent comment: no class against multi-touch.
    assert triples(explain(export, "touch_class", "zendesk", "dbt_zendesk")) == [
        ("1003", "one", "two", "touch_count"),
        ("1008", None, "multi", "untouched"),
    ]
    # 1007 is reopened and open: one reopen for Zendesk, solves - 1 = 0.
    assert triples(explain(export, "reopens", "zendesk", "dbt_zendesk")) == [
        ("1007", 1, 0, "reopens")
    ]
    # ... and its full resolution is its solve for dbt_zendesk only.
    note = explain(export, "full_resolution", "zendesk", "dbt_zendesk")
    assert [(r["id"], r["a"], r["rule"]) for r in note.rows()] == [
        ("1007", None, "reopened_resolution")
    ]


# -- the command line -----------------------------------------------------------------------


def cli(capsys: pytest.CaptureFixture[str], *args: str) -> str:
    assert main(["explain", *args]) == 0
    return capsys.readouterr().out


def test_cli_text_lists_the_three_tickets_of_the_export(capsys: pytest.CaptureFixture[str]):
    out = cli(capsys, "--source", "zendesk", str(EXPORT), "--presets", "zendesk", "dbt_zendesk")
    # Every default field has its note; only 1003, 1007 and 1008 are listed.
    for field in ("first_reply", "full_resolution", "reopens", "touches", "touch_class"):
        assert f"\n{field}: " in f"\n{out}"
    listed = {line.split(":")[0].strip() for line in out.splitlines() if line.startswith("  10")}
    assert listed == {"1003", "1007", "1008"}
    assert "  1008: None under zendesk, 'multi' under dbt_zendesk (untouched)" in out


def test_cli_csv_and_json(capsys: pytest.CaptureFixture[str]):
    base = ["--source", "zendesk", str(EXPORT), "--presets", "zendesk", "dbt_zendesk"]
    out = cli(capsys, *base, "--field", "touch_class", "--field", "reopens", "--format", "csv")
    assert out.splitlines() == [
        "field,id,a,b,rule,rule_a,rule_b",
        "touch_class,1003,one,two,touch_count,replies_until_solved,public_agent_comments",
        "touch_class,1008,,multi,untouched,none,multi",
        "reopens,1007,1,0,reopens,changes,solves_minus_one",
    ]
    (note,) = json.loads(cli(capsys, *base, "--field", "touch_rate", "--format", "json"))
    # Solved tickets of the export: 8, five one-touch for Zendesk, four for dbt_zendesk.
    assert (note["headline_a"], note["headline_b"], note["difference"]) == (0.625, 0.5, -0.125)
    assert note["counts"] == {"touch_count": 1}
    assert note["totals"] == {"touch_count": {"numerator": -1, "denominator": 0}}
    assert note["as_of"] == "2026-12-01T16:00:00+00:00"


def test_cli_csv_neutralises_formula_ids(capsys: pytest.CaptureFixture[str], tmp_path: Path):
    # Intercom conversation ids are text: one that a spreadsheet would run.
    source = Path(__file__).parent / "data" / "intercom" / "conversation-103.json"
    text = source.read_text(encoding="utf-8").replace('"id": "103"', '"id": "=1+103"', 1)
    (tmp_path / "conversation-103.json").write_text(text, encoding="utf-8")
    args = ["--source", "intercom", str(tmp_path), "--presets", "zendesk", "dbt_zendesk"]
    out = cli(capsys, *args, "--field", "touch_class", "--format", "csv")
    assert out.splitlines()[1] == (
        "touch_class,'=1+103,one,two,touch_count,replies_until_solved,public_agent_comments"
    )


def test_cli_takes_the_sides_as_a_and_b(capsys: pytest.CaptureFixture[str]):
    base = ["--source", "zendesk", str(EXPORT), "--field", "touch_class"]
    pair = cli(capsys, *base, "--presets", "zendesk", "dbt_zendesk")
    assert cli(capsys, *base, "--a", "zendesk", "--b", "dbt_zendesk") == pair
    for wrong in (["--a", "zendesk"], [], ["--presets", "zendesk", "zendesk", "--b", "zendesk"]):
        assert main(["explain", *base, *wrong]) == 2
        assert "--presets A B, or --a A --b B" in capsys.readouterr().err


def test_cli_needs_two_known_presets(capsys: pytest.CaptureFixture[str]):
    args = ["explain", "--source", "zendesk", str(EXPORT)]
    assert main([*args, "--presets", "zendesk"]) == 2
    assert "--presets: expected 2 arguments" in capsys.readouterr().err
    assert main([*args, "--presets", "zendesk", "dbt"]) == 2
    assert "invalid choice: 'dbt'" in capsys.readouterr().err
    assert main([*args, "--presets", "zendesk", "icmi-answered"]) == 2
    assert "defines nothing for explain" in capsys.readouterr().err


# -- bad input ------------------------------------------------------------------------------


def test_an_unknown_field_is_refused_with_the_fields():
    with pytest.raises(ValueError, match=r"field='touch'.*'touch_class'"):
        four("touch")


def test_an_unknown_preset_or_choice_is_refused_naming_it():
    with pytest.raises(ValueError, match="'dbt'"):
        four("touch_class", "dbt")
    with pytest.raises(ValueError, match="'reopen'"):
        four("touch_class", {"reopen": "changes"})
    with pytest.raises(ValueError, match="'never'"):
        four("touch_class", "zendesk", {"reopens": "never"})
    with pytest.raises(ValueError, match="defines nothing for explain"):
        four("touch_class", "icmi-answered")


def test_no_tickets_lists_nothing_with_nan_headlines():
    note = explain([], "first_reply", "zendesk", "dbt_zendesk")
    assert note.rows() == []
    assert note.counts() == {}
    assert math.isnan(note.headline_a)
    assert math.isnan(note.difference)


# -- properties -----------------------------------------------------------------------------

TICKET_FIELDS = tuple(f for f in presets.EXPLAIN_FIELDS if presets.RULES[f] == presets.ORDER)
"""The ticket fields: the contact metrics have their own tests (test_explain_contacts.py)."""

SIDES = st.sampled_from(
    ["zendesk", "dbt_zendesk", "freshdesk", "intercom"]
) | st.fixed_dictionaries(
    {},
    optional={name: st.sampled_from(CHOICES[name]) for name in TICKET_CHOICES},
)


def _values(data: Tickets, field: str, side: Any) -> dict[Any, Any]:
    """Per ticket id, the value `explain` shows, straight from ticket_metrics."""
    choices = side if isinstance(side, dict) else presets.get(side).choices()
    rows = ticket_metrics(data, **choices).to_rows()
    if field == "touch_rate":
        return {r["ticket_id"]: r["touch_class"] == "one" for r in rows}
    if field == "reopen_count":
        return {r["ticket_id"]: None if r["open"] else r["reopens"] for r in rows}
    return {r["ticket_id"]: r[field] for r in rows}


@given(tickets(), st.sampled_from(TICKET_FIELDS), SIDES)
def test_a_definition_against_itself_lists_nothing(records: list[Ticket], field: str, side: Any):
    note = explain(Tickets.from_records(records), field, side, side)
    assert note.rows() == []
    assert note.tally_a == note.tally_b


@given(tickets(), st.sampled_from(TICKET_FIELDS), SIDES, SIDES)
def test_rows_are_exactly_the_tickets_whose_values_differ(
    records: list[Ticket], field: str, a: Any, b: Any
):
    data = Tickets.from_records(records)
    note = explain(data, field, a, b)
    under_a, under_b = _values(data, field, a), _values(data, field, b)
    differ = [key for key in under_a if under_a[key] != under_b[key]]
    assert note.ids == differ
    if field not in {"touch_rate"}:
        assert note.values_a == [under_a[key] for key in differ]
        assert note.values_b == [under_b[key] for key in differ]
    # Each ticket is charged to a choice the two sides make differently.
    for row in note.rows():
        assert row["rule_a"] != row["rule_b"]
    assert sum(note.counts().values()) == len(note.rows())


@given(tickets(), st.sampled_from(TICKET_FIELDS), SIDES, SIDES)
def test_per_rule_totals_add_up_to_the_difference_of_the_aggregates(
    records: list[Ticket], field: str, a: Any, b: Any
):
    note = explain(Tickets.from_records(records), field, a, b)
    for counter in note.tally_a:
        change = sum(total[counter] for total in note.totals().values())
        assert note.tally_b[counter] - note.tally_a[counter] == pytest.approx(change, abs=1e-6)


@given(tickets(max_size=4), st.sampled_from(TICKET_FIELDS), SIDES, SIDES)
def test_each_ticket_is_charged_as_if_explained_alone(
    records: list[Ticket], field: str, a: Any, b: Any
):
    data = Tickets.from_records(records)
    whole = explain(data, field, a, b)
    alone = {}
    for record in records:
        note = explain([record], field, a, b, as_of=whole.as_of)
        alone.update(zip(note.ids, note.rules, strict=True))
    assert dict(zip(whole.ids, whole.rules, strict=True)) == alone


@given(tickets(), SIDES, SIDES)
def test_touch_rate_counters_are_the_metrics_counts(records: list[Ticket], a: Any, b: Any):
    data = Tickets.from_records(records)
    note = explain(data, "touch_rate", a, b)
    choices = b if isinstance(b, dict) else presets.get(b).choices()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", csmetrics.UndefinedMetricWarning)
        rate = touch_rate(
            data, touch_count=choices.get("touch_count"), untouched=choices.get("untouched")
        )
    assert note.tally_b == {"numerator": rate.numerator, "denominator": rate.denominator}
