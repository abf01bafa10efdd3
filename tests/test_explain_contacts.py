"""Explain the difference on contacts: fcr, first_response_time and service_level.

Every expected value is worked out by hand in the comment next to it. Days
are March 2026, times UTC.
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
    Interaction,
    Interactions,
    explain,
    fcr,
    first_response_time,
    service_level,
)
from csmetrics.cli import main
from csmetrics.metrics.resolution import FCR_CLASSES, fcr_classes
from csmetrics.metrics.service_level import service_level_outcomes
from csmetrics.metrics.timing import first_response_waits
from strategies import interactions

UTC = timezone.utc


def at(day: int, hour: float = 9) -> datetime:
    return datetime(2026, 3, day, tzinfo=UTC) + timedelta(hours=hour)


def contact(id: str, customer: str, day: int, *, hours: float = 1, category: str = "billing"):
    return Interaction(
        id=id,
        customer_id=customer,
        start=at(day),
        end=at(day, 9 + hours),
        resolved=True,
        category=category,
    )


# The FCR contacts. as_of is the latest start, day 14 at 09:00.
FCR_CONTACTS = [
    # ann: c2 starts 3 days 23 hours after c1 ended: a repeat within 7 days,
    # a new episode with 3.
    contact("c1", "ann", 2),
    contact("c2", "ann", 6),
    # bob: b2 starts 1 day 22 hours after b1 ended: a repeat either way.
    contact("b1", "bob", 2, hours=2),
    contact("b2", "bob", 4),
    # cat: k1 ends on day 10 at 10:00; +7 days is after as_of (pending),
    # +3 days before it (decided, resolved first time).
    contact("k1", "cat", 10),
    # dan: d1 starts at as_of: pending either way.
    contact("d1", "dan", 14, hours=0.5),
]
# eve: two categories a day apart, one issue each by category, one by customer.
EVE = [contact("e1", "eve", 2), contact("e2", "eve", 3, category="login")]


def triples(note: csmetrics.Explanation) -> list[tuple[Any, Any, Any, str]]:
    return [(row["id"], row["a"], row["b"], row["rule"]) for row in note.rows()]


# -- fcr -------------------------------------------------------------------------------------


def test_fcr_window_7_against_3_days():
    note = explain(FCR_CONTACTS, "fcr", {"window_days": 7}, {"window_days": 3})
    assert triples(note) == [
        ("c1", "not resolved first time", "resolved first time", "window_days"),
        ("c2", "repeat", "resolved first time", "window_days"),
        ("k1", "pending", "resolved first time", "window_days"),
    ]
    # 7 days: decided c1, b1 (neither resolved first time), pending k1, d1,
    # repeats c2, b2. 3 days: resolved first time c1, c2, k1 of decided c1,
    # c2, b1, k1; pending d1; repeat b2.
    assert note.tally_a == {"numerator": 0, "denominator": 2, "pending": 2, "repeats": 2}
    assert note.tally_b == {"numerator": 3, "denominator": 4, "pending": 1, "repeats": 1}
    assert note.totals() == {
        "window_days": {"numerator": 3, "denominator": 2, "pending": -1, "repeats": -1}
    }
    assert (note.headline_a, note.headline_b, note.difference) == (0.0, 0.75, 0.75)
    assert note.noun == "contact"
    assert note.text().splitlines()[:2] == [
        "fcr: 3 contacts differ between window_days=7 and window_days=3",
        (
            "  3 because of window_days (7 under window_days=7, 3 under window_days=3): "
            "window_days=3 counts a contact starting within 3 days after the latest end of "
            "its issue's earlier contacts as a repeat"
        ),
    ]


def test_fcr_headlines_are_the_metrics():
    note = explain(FCR_CONTACTS + EVE, "fcr", {}, {"window_days": 3, "match": "customer"})
    a = fcr(FCR_CONTACTS + EVE)
    b = fcr(FCR_CONTACTS + EVE, window_days=3, match="customer")
    assert note.headline_a == float(a)
    assert note.headline_b == float(b)
    for counter in ("numerator", "denominator", "pending", "repeats"):
        assert note.tally_a[counter] == getattr(a, counter)
        assert note.tally_b[counter] == getattr(b, counter)


def test_fcr_window_and_match_each_charged_with_their_contacts():
    note = explain(FCR_CONTACTS + EVE, "fcr", {}, {"window_days": 3, "match": "customer"})
    # The window changes ann's and cat's contacts as above. Then matching by
    # customer makes e2 (a day after e1, another category) a repeat of e1.
    assert triples(note) == [
        ("c1", "not resolved first time", "resolved first time", "window_days"),
        ("c2", "repeat", "resolved first time", "window_days"),
        ("k1", "pending", "resolved first time", "window_days"),
        ("e1", "resolved first time", "not resolved first time", "match"),
        ("e2", "resolved first time", "repeat", "match"),
    ]
    assert note.counts() == {"window_days": 3, "match": 2}
    assert note.rows()[-1]["rule_a"] == "issue"
    assert note.rows()[-1]["rule_b"] == "customer"


def test_fcr_a_contact_after_as_of_is_not_counted_and_never_listed():
    codes, as_of = fcr_classes(FCR_CONTACTS, as_of=at(10))
    # d1 starts after as_of: -1. k1 starts at as_of and is pending.
    assert [None if c < 0 else FCR_CLASSES[c] for c in codes] == [
        "not resolved first time",
        "repeat",
        "not resolved first time",
        "repeat",
        "pending",
        None,
    ]
    assert as_of == at(10)
    note = explain(FCR_CONTACTS, "fcr", {}, {"window_days": 1}, as_of=at(10))
    assert "d1" not in note.ids


def test_a_preset_defines_nothing_for_fcr():
    with pytest.raises(ValueError, match=r"defines nothing for explain of fcr.*window_days"):
        explain(FCR_CONTACTS, "fcr", "zendesk", {})
    with pytest.raises(ValueError, match="'window'"):
        explain(FCR_CONTACTS, "fcr", {"window": 3}, {})
    with pytest.raises(ValueError, match="'anything'"):
        explain(FCR_CONTACTS, "fcr", {"match": "anything"}, {})


# -- first_response_time ---------------------------------------------------------------------


T = at(2)
WAITS = [
    Interaction(id="w1", customer_id="a", start=T, first_response_at=T + timedelta(seconds=60)),
    Interaction(id="w2", customer_id="b", start=T, first_response_at=T + timedelta(seconds=120)),
    # Unanswered and open: censored at as_of, 600 seconds in.
    Interaction(id="w3", customer_id="c", start=T),
]


def test_first_response_censoring_kaplan_meier_against_exclude():
    note = explain(
        WAITS,
        "first_response_time",
        {},
        {"censoring": "exclude"},
        as_of=T + timedelta(seconds=600),
    )
    assert triples(note) == [("w3", "censored", "left out", "censoring")]
    # Kaplan-Meier: S(60) = 2/3, S(120) = 1/3, so the median is 120; left
    # out, the median of 60 and 120 is 90. The counts are the same.
    assert (note.headline_a, note.headline_b) == (120.0, 90.0)
    assert note.tally_a == note.tally_b == {"n": 3, "censored": 1, "excluded": 0, "seconds": 180}
    assert note.totals() == {"censoring": {"n": 0, "censored": 0, "excluded": 0, "seconds": 0}}
    for censoring in ("kaplan-meier", "exclude"):
        result = first_response_time(WAITS, as_of=T + timedelta(seconds=600), censoring=censoring)
        side = note.headline_a if censoring == "kaplan-meier" else note.headline_b
        assert side == result.median


def test_first_response_waits_are_the_metrics_units():
    waits, as_of = first_response_waits(WAITS, as_of=T + timedelta(seconds=600))
    assert waits["seconds"].tolist() == [60.0, 120.0, 600.0]
    assert waits["censored"].tolist() == [False, False, True]
    assert as_of == T + timedelta(seconds=600)


# -- service_level ---------------------------------------------------------------------------


def call(id: str, seconds: float, *, abandoned: bool = False) -> Interaction:
    wait = timedelta(seconds=seconds)
    if abandoned:
        return Interaction(id=id, customer_id=id, start=T, end=T + wait, abandoned=True)
    return Interaction(id=id, customer_id=id, start=T, first_response_at=T + wait)


CALLS = [
    call("q1", 10),  # answered within 20 s
    call("q2", 30),  # answered after 20 s, within 35 s
    call("q3", 5, abandoned=True),  # abandoned within 20 s (and within 8 s)
    call("q4", 40, abandoned=True),  # abandoned late
]


def test_service_level_icmi_offered_against_answered():
    note = explain(CALLS, "service_level", "icmi-offered", "icmi-answered", both={"threshold": 20})
    # Offered: 1 met of 4 offered. Answered: 1 met of 2 answered.
    assert triples(note) == [
        ("q3", "abandoned within, missed", "abandoned within, left out", "formula"),
        ("q4", "abandoned late, missed", "abandoned late, left out", "formula"),
    ]
    assert (note.headline_a, note.headline_b) == (0.25, 0.5)
    assert note.totals()["formula"]["denominator"] == -2
    assert note.totals()["formula"]["numerator"] == 0
    for name, side in (("icmi-offered", note.tally_a), ("icmi-answered", note.tally_b)):
        result = service_level(CALLS, threshold=20, preset=name)
        assert side == {counter: getattr(result, counter) for counter in side}


def test_service_level_formula_and_threshold_each_charged():
    b = {"preset": "icmi-abandoned-within-met", "threshold": 35}
    note = explain(CALLS, "service_level", {"preset": "icmi-offered", "threshold": 20}, b)
    # The formula alone makes q3 (abandoned in 5 s) met; the threshold alone
    # makes q2 (answered in 30 s) met. q4 is abandoned late under both.
    assert triples(note) == [
        ("q2", "answered late, missed", "answered within, met", "threshold"),
        ("q3", "abandoned within, missed", "abandoned within, met", "formula"),
    ]
    assert (note.headline_a, note.headline_b) == (0.25, 0.75)
    assert note.settings == {"formula": ("offered", "abandoned_within_met"), "threshold": (20, 35)}


def test_service_level_short_abandons_switch_with_their_formula():
    a = {"preset": "icmi-short-abandoned-excluded", "short_abandon": 8}
    note = explain(CALLS, "service_level", a, "icmi-offered", both={"threshold": 20})
    # A short abandon (q3, 5 s <= 8 s) is left out of the base; offered counts it.
    assert triples(note) == [
        ("q3", "abandoned within (short), left out", "abandoned within, missed", "formula")
    ]
    row = note.rows()[0]
    assert row["rule_a"] == "short_abandoned_excluded (short_abandon=8 seconds)"
    assert row["rule_b"] == "offered"
    assert note.totals()["formula"]["short_abandoned"] == -1
    # 1 met of 3 (4 offered less one short abandon); 1 of 4.
    assert (note.headline_a, note.headline_b) == (1 / 3, 0.25)


def test_service_level_needs_a_threshold():
    with pytest.raises(ValueError, match="needs a threshold"):
        explain(CALLS, "service_level", "icmi-offered", "icmi-answered")


def test_service_level_outcomes_spread_to_the_input_rows():
    late = Interaction(id="q5", customer_id="q5", start=T + timedelta(hours=1))
    counts, as_of = service_level_outcomes([*CALLS, late], threshold=20, as_of=T + timedelta(1))
    assert as_of == T + timedelta(1)
    assert counts["counted"].tolist() == [True, True, True, True, True]
    assert counts["waiting"].tolist() == [False, False, False, False, True]
    counts, _ = service_level_outcomes([*CALLS, late], threshold=20, as_of=T + timedelta(0, 60))
    assert counts["counted"].tolist() == [True, True, True, True, False]


def test_contact_metrics_read_tickets_as_contacts():
    # One contact per resolution cycle: the ticket export reads as contacts.
    from csmetrics.sources import zendesk

    tickets = zendesk.read_tables(Path(__file__).parent / "data" / "zendesk")
    note = explain(tickets, "first_response_time", {}, {"censoring": "exclude"})
    assert len(note) == note.tally_a["censored"]


# -- properties ------------------------------------------------------------------------------

FCR_SIDES = st.fixed_dictionaries(
    {},
    optional={
        "window_days": st.sampled_from([1, 3, 7]),
        "match": st.sampled_from(["issue", "category", "customer"]),
    },
)
FRT_SIDES = st.fixed_dictionaries(
    {}, optional={"censoring": st.sampled_from(["kaplan-meier", "exclude"])}
)
SL_SIDES = st.sampled_from(
    ["icmi-offered", "icmi-answered", "icmi-abandoned-within-met", "icmi-abandoned-within-excluded"]
) | st.fixed_dictionaries(
    {"threshold": st.sampled_from([5, 20, 60])},
    optional={"preset": st.sampled_from(["icmi-answered", "icmi-short-abandoned-excluded"])},
).map(lambda d: {**d, "short_abandon": 10} if "preset" in d and "short" in d["preset"] else d)
FIELDS = st.sampled_from(
    [("fcr", FCR_SIDES), ("first_response_time", FRT_SIDES), ("service_level", SL_SIDES)]
)
BOTH = {"service_level": {"threshold": 30}}


@given(interactions(service=True), FIELDS, st.data())
def test_a_definition_against_itself_lists_nothing(
    records: list[Interaction], field_sides: Any, data: st.DataObject
):
    field, sides = field_sides
    side = data.draw(sides)
    note = explain(records, field, side, side, both=BOTH.get(field))
    assert note.rows() == []
    assert note.tally_a == note.tally_b
    assert note.counts() == {}


def _values(field: str, records: list[Interaction], side: Any) -> list[Any]:
    """Per contact, a value straight from the metric module's classification."""
    note = explain(records, field, side, side, both=BOTH.get(field))
    choices = note.choices_a
    table = Interactions.from_records(records)
    if field == "fcr":
        codes, _ = fcr_classes(table, window_days=choices["window_days"], match=choices["match"])
        return codes.tolist()
    if field == "first_response_time":
        waits, _ = first_response_waits(table)
        unanswered = "left out" if choices["censoring"] == "exclude" else "censored"
        return [
            "excluded" if x else unanswered if c else s
            for s, c, x in zip(
                waits["seconds"].tolist(),
                waits["censored"].tolist(),
                waits["excluded"].tolist(),
                strict=True,
            )
        ]
    counts, _ = service_level_outcomes(
        table,
        threshold=choices["threshold"],
        formula=choices["formula"],
        short_abandon=choices["short_abandon"],
    )
    return [tuple(column) for column in zip(*(counts[k].tolist() for k in counts), strict=True)]


@given(interactions(service=True), FIELDS, st.data())
def test_rows_are_exactly_the_contacts_whose_values_differ(
    records: list[Interaction], field_sides: Any, data: st.DataObject
):
    field, sides = field_sides
    a, b = data.draw(sides), data.draw(sides)
    note = explain(records, field, a, b, both=BOTH.get(field))
    under_a, under_b = _values(field, records, a), _values(field, records, b)
    ids = [record.id for record in records]
    assert note.ids == [i for i, x, y in zip(ids, under_a, under_b, strict=True) if x != y]
    for row in note.rows():
        assert row["rule_a"] != row["rule_b"]
        assert row["a"] != row["b"]
    assert sum(note.counts().values()) == len(note)


@given(interactions(service=True), FIELDS, st.data())
def test_per_rule_totals_add_up_to_the_difference_of_the_counters(
    records: list[Interaction], field_sides: Any, data: st.DataObject
):
    field, sides = field_sides
    a, b = data.draw(sides), data.draw(sides)
    note = explain(records, field, a, b, both=BOTH.get(field))
    for counter in note.tally_a:
        change = sum(total[counter] for total in note.totals().values())
        assert note.tally_b[counter] - note.tally_a[counter] == pytest.approx(change, abs=1e-6)


@given(interactions(service=True), st.data())
def test_the_headlines_are_the_metrics(records: list[Interaction], data: st.DataObject):
    a, b = data.draw(SL_SIDES), data.draw(FCR_SIDES)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", csmetrics.UndefinedMetricWarning)
        note = explain(records, "service_level", a, a, both=BOTH["service_level"])
        choices = note.choices_a
        result = service_level(
            records,
            threshold=choices["threshold"],
            formula=choices["formula"],
            short_abandon=choices["short_abandon"],
        )
        assert math.isnan(note.headline_a) == math.isnan(float(result))
        if not math.isnan(float(result)):
            assert note.headline_a == float(result)
        note = explain(records, "fcr", b, b)
        result_fcr = fcr(records, **note.choices_a)
        assert note.tally_a["numerator"] == result_fcr.numerator
        assert note.tally_a["denominator"] == result_fcr.denominator


@given(
    interactions(service=True, max_size=5),
    st.sampled_from([("first_response_time", FRT_SIDES), ("service_level", SL_SIDES)]),
    st.data(),
)
def test_each_contact_is_charged_as_if_explained_alone(
    records: list[Interaction], field_sides: Any, data: st.DataObject
):
    field, sides = field_sides
    a, b = data.draw(sides), data.draw(sides)
    whole = explain(records, field, a, b, both=BOTH.get(field))
    alone = {}
    for record in records:
        note = explain([record], field, a, b, as_of=whole.as_of, both=BOTH.get(field))
        alone.update(zip(note.ids, note.rules, strict=True))
    assert dict(zip(whole.ids, whole.rules, strict=True)) == alone


# -- the command line ------------------------------------------------------------------------


def write_calls(path: Path) -> Path:
    lines = ["id,customer_id,start,end,first_response_at,abandoned"]
    for record in CALLS:
        end = "" if record.end is None else record.end.isoformat()
        answer = "" if record.first_response_at is None else record.first_response_at.isoformat()
        lines.append(
            f"{record.id},{record.customer_id},{record.start.isoformat()},{end},{answer},"
            f"{str(record.abandoned).lower()}"
        )
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_cli_explains_a_contacts_file(capsys: pytest.CaptureFixture[str], tmp_path: Path):
    path = write_calls(tmp_path / "calls.csv")
    args = ["explain", str(path), "--field", "service_level", "--both", "threshold=20"]
    assert main([*args, "--a", "icmi-offered", "--b", "icmi-answered", "--format", "csv"]) == 0
    assert capsys.readouterr().out.splitlines() == [
        "field,id,a,b,rule,rule_a,rule_b",
        (
            'service_level,q3,"abandoned within, missed","abandoned within, left out",formula,'
            "offered,answered"
        ),
        (
            'service_level,q4,"abandoned late, missed","abandoned late, left out",formula,'
            "offered,answered"
        ),
    ]
    b = '{"preset": "icmi-abandoned-within-met", "threshold": 35}'
    assert main([*args, "--a", "icmi-offered", "--b", b, "--format", "json"]) == 0
    (note,) = json.loads(capsys.readouterr().out)
    assert note["counts"] == {"formula": 1, "threshold": 1}
    assert (note["headline_a"], note["headline_b"]) == (0.25, 0.75)


def test_cli_takes_choices_as_key_value(capsys: pytest.CaptureFixture[str], tmp_path: Path):
    path = write_calls(tmp_path / "calls.csv")
    args = ["explain", str(path), "--field", "first_response_time"]
    assert main([*args, "--a", "censoring=kaplan-meier", "--b", "censoring=exclude"]) == 0
    # The abandoned calls q3 and q4 were never answered: censored, or left out.
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == (
        "first_response_time: 2 contacts differ between censoring=kaplan-meier and "
        "censoring=exclude"
    )
    assert lines[-1] == (
        "  q4: 'censored' under censoring=kaplan-meier, 'left out' under censoring=exclude "
        "(censoring)"
    )


def test_cli_refuses_what_does_not_fit(capsys: pytest.CaptureFixture[str], tmp_path: Path):
    path = write_calls(tmp_path / "calls.csv")
    base = ["explain", str(path), "--a", "icmi-offered", "--b", "icmi-answered"]
    # A contacts file has no tickets, and the contact fields must be named.
    assert main([*base, "--field", "touch_class"]) == 2
    assert "touch_class compares tickets" in capsys.readouterr().err
    assert main(base) == 2
    assert "--field" in capsys.readouterr().err
    assert main([*base, "--field", "fcr", "--b", "window_days"]) == 2
    assert "KEY=VALUE" in capsys.readouterr().err


def test_cli_gives_both_to_the_fields_that_take_it(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
):
    path = write_calls(tmp_path / "calls.csv")
    args = ["explain", str(path), "--a", "{}", "--b", "{}", "--both", "threshold=20"]
    # first_response_time takes no threshold: it is given to service_level alone.
    assert (
        main(
            [
                *args,
                "--field",
                "service_level",
                "--field",
                "first_response_time",
                "--format",
                "json",
            ]
        )
        == 0
    )
    notes = json.loads(capsys.readouterr().out)
    assert [note["field"] for note in notes] == ["service_level", "first_response_time"]
    assert main([*args, "--field", "first_response_time"]) == 2
    assert "--both: no field compared takes 'threshold'" in capsys.readouterr().err
