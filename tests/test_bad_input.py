"""Bad and extreme input: a documented result or a documented error that names the thing.

Each case is one hostile input to one public function. A case either gives a
number that is right (checked by hand) or raises the documented error type
with a message naming the option, record or field and the value; never an
OverflowError, a hang or a value computed from garbage.
"""

from __future__ import annotations

from datetime import datetime, timezone

import numpy as np
import pytest

import csmetrics
from csmetrics import Interaction, InvalidDataError

T = datetime(2026, 3, 2, 9, tzinfo=timezone.utc)
CONTACTS = [Interaction(id="1", customer_id="ann", start=T, end=T, resolved=True)]
RATE = csmetrics.Rate(numerator=1, denominator=2)
STAFFING = {
    "calls": 100,
    "interval_seconds": 1800,
    "aht_seconds": 180,
    "target_service_level": 0.8,
    "threshold": 20,
}


# -- options ------------------------------------------------------------------------------------


@pytest.mark.parametrize("days", [1e9, 1e300, np.float64(1e12), 10**30])
def test_a_window_longer_than_any_data_is_capped_not_an_overflow(days):
    # One resolved contact: its window (capped at about 146,000 years) is still
    # open at the last datetime, so the episode is pending, not an error.
    late = datetime(9999, 12, 31, tzinfo=timezone.utc)
    with pytest.warns(csmetrics.UndefinedMetricWarning, match="all pending"):
        result = csmetrics.fcr(CONTACTS, window_days=days, as_of=late)
    assert (result.numerator, result.denominator, result.pending) == (0, 0, 1)


@pytest.mark.parametrize(
    ("days", "shown"),
    [
        (0, "0"),
        (-1, "-1"),
        (float("nan"), "nan"),
        (float("inf"), "inf"),
        ("7", "'7'"),
        (True, "True"),
    ],
)
def test_a_bad_window_names_the_option_and_value(days, shown):
    with pytest.raises(ValueError, match=rf"window_days={shown} is not allowed"):
        csmetrics.fcr(CONTACTS, window_days=days)


@pytest.mark.parametrize(
    ("level", "shown"),
    [
        (0.9999999999999999, "0.9999999999999999"),
        (1.0, "1.0"),
        (0, "0"),
        (-0.5, "-0.5"),
        (float("nan"), "nan"),
        ("0.95", "'0.95'"),
        (True, "True"),
    ],
)
def test_a_bad_confidence_level_names_the_option_and_value(level, shown):
    with pytest.raises(ValueError, match=rf"confidence_level={shown} is not allowed"):
        RATE.ci(confidence_level=level)


def test_a_confidence_level_just_inside_the_range_works():
    ci = RATE.ci(confidence_level=1 - 1e-15)
    assert 0 < ci.low < 0.5 < ci.high < 1
    assert RATE.ci(confidence_level=np.float64(0.95)) == RATE.ci(confidence_level=0.95)


def test_an_impossible_occupancy_cap_is_refused_not_searched():
    with pytest.raises(ValueError, match=r"max_occupancy=1e-09 need at least 10000000000 agents"):
        csmetrics.agents_needed(**STAFFING, max_occupancy=1e-9)


# -- numbers ------------------------------------------------------------------------------------


def test_the_mean_of_huge_times_is_not_inf():
    contacts = [
        Interaction(id=str(i), customer_id="ann", start=T, end=T, talk_seconds=1e308)
        for i in range(2)
    ]
    aht = csmetrics.handle_time(contacts, as_of=T)
    assert (aht.n, aht.mean, aht.std) == (2, 1e308, 0.0)
    per_agent = csmetrics.handle_time(contacts, as_of=T, by="agent_id")
    assert per_agent[None].mean == 1e308


@pytest.mark.parametrize("score", [10**400, -(10**400)])
def test_a_score_beyond_float_is_off_the_scale(score):
    with pytest.raises(InvalidDataError, match=r"position 1.*'score'.*off the nps scale"):
        csmetrics.nps([10, score])


# -- output -------------------------------------------------------------------------------------


@pytest.mark.parametrize("agent", ["x\r=cmd|' /C calc'!A0", "x\n=cmd|' /C calc'!A0", "\r\n+cmd"])
def test_a_line_break_cannot_start_a_formula_row_in_the_csv_report(agent):
    # A spreadsheet reads an unquoted carriage return as a new row: "=cmd..."
    # would open it and run. Every CSV line must be one record, no line may
    # start a formula.
    contacts = [
        Interaction(id=str(i), customer_id="ann", start=T, end=T, resolved=True, agent_id=agent)
        for i in range(2)
    ]
    report = csmetrics.build_report(contacts, by="agent_id", as_of=T)
    out = csmetrics.render(report, format="csv")
    lines = out.replace("\r\n", "\n").split("\n")
    assert all(not line.startswith(("=", "+", "-", "@")) for line in lines)
    assert not any("\r" in line for line in lines)
    assert sum("cmd" in line for line in lines) == sum(len(rows) for _, rows in report.groups)


def test_a_dollar_in_a_name_is_drawn_as_text_in_the_html_report():
    pytest.importorskip("matplotlib")
    name = "a_b $x_$"  # matplotlib would parse "$x_$" as (broken) math
    contacts = [
        Interaction(
            id=str(i),
            customer_id=f"c{i}",
            start=T,
            end=T,
            resolved=True,
            agent_id=name,
            category=name,
            complaint=i < 3,
        )
        for i in range(20)
    ]
    report = csmetrics.build_report(contacts, charts=True, as_of=T)
    assert report.charts, "the report draws its charts"
    page = csmetrics.render(report, format="html")
    assert page.count("data:image/png;base64,") == len(report.charts)
