"""period= takes a Window, a (start, end) pair, a calendar period as text, or a pandas Period."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

import csmetrics
from csmetrics import Interaction, Window
from csmetrics.core.model import as_window

UTC = timezone.utc
MARCH = Window(start=datetime(2026, 3, 1, tzinfo=UTC), end=datetime(2026, 4, 1, tzinfo=UTC))
CONTACTS = [
    Interaction(
        id=str(day),
        customer_id=f"c{day}",
        start=datetime(2026, 2, 20, tzinfo=UTC) + timedelta(days=day),
        end=datetime(2026, 2, 20, tzinfo=UTC) + timedelta(days=day, hours=1),
        resolved=day % 2 == 0,
    )
    for day in range(45)
]


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        ("2026", datetime(2026, 1, 1), datetime(2027, 1, 1)),
        ("2026-Q1", datetime(2026, 1, 1), datetime(2026, 4, 1)),
        ("2026-Q4", datetime(2026, 10, 1), datetime(2027, 1, 1)),
        ("2026-03", datetime(2026, 3, 1), datetime(2026, 4, 1)),
        ("2026-12", datetime(2026, 12, 1), datetime(2027, 1, 1)),
        ("2028-02-29", datetime(2028, 2, 29), datetime(2028, 3, 1)),
    ],
)
def test_calendar_periods_as_text(text, start, end):
    window = as_window("period", text)
    assert (window.start, window.end) == (start.replace(tzinfo=UTC), end.replace(tzinfo=UTC))


def test_text_is_read_in_the_given_zone():
    berlin = as_window("period", "2026-03", timezone="Europe/Berlin")
    assert berlin.start.isoformat() == "2026-03-01T00:00:00+01:00"
    assert berlin.end.isoformat() == "2026-04-01T00:00:00+02:00"  # after the clock change


def test_a_pair_of_iso_strings_or_aware_datetimes():
    pair = as_window("period", ("2026-03-01", "2026-04-01T00:00:00+00:00"))
    assert pair == MARCH
    assert as_window("period", (MARCH.start, MARCH.end)) == MARCH


def test_a_pandas_period():
    pd = pytest.importorskip("pandas")
    assert as_window("period", pd.Period("2026-03", "M")) == MARCH
    assert as_window("period", pd.Period("2026Q1", "Q")).end == datetime(2026, 4, 1, tzinfo=UTC)


@pytest.mark.parametrize(
    ("value", "error", "match"),
    [
        ("2026-13", ValueError, r"period='2026-13' is not a date"),
        ("03/2026", ValueError, r"period='03/2026' is not allowed; use a csmetrics.Window"),
        (("2026-03-01", "soon"), ValueError, r"'soon': a start or end must be"),
        ((datetime(2026, 3, 1), MARCH.end), Exception, r"naive|timezone"),
        (("2026-04-01", "2026-03-01"), Exception, r"not after start"),
        (7, TypeError, r"period=7 is not allowed"),
    ],
)
def test_a_bad_period_names_itself(value, error, match):
    with pytest.raises(error, match=match):
        as_window("period", value)


@pytest.mark.parametrize(
    "metric",
    [csmetrics.fcr, csmetrics.resolution_rate, csmetrics.contact_length, csmetrics.volume],
)
def test_every_form_gives_the_window_result(metric):
    pd = pytest.importorskip("pandas")
    as_of = datetime(2026, 6, 1, tzinfo=UTC)
    options = {} if metric in (csmetrics.resolution_rate, csmetrics.volume) else {"as_of": as_of}
    expected = metric(CONTACTS, period=MARCH, **options)
    for form in ("2026-03", ("2026-03-01", "2026-04-01"), pd.Period("2026-03", "M")):
        result = metric(CONTACTS, period=form, **options)
        assert result == expected
        assert result.period == MARCH


def test_survey_metrics_and_trends_take_text_periods():
    answers = [
        csmetrics.Survey(
            id=str(i), kind="nps", score=10 - i % 11, at=MARCH.start + timedelta(days=i)
        )
        for i in range(60)
    ]
    assert csmetrics.nps(answers, period="2026-03") == csmetrics.nps(answers, period=MARCH)
    trend = csmetrics.trend(answers, csmetrics.nps, every="week", period="2026-03")
    assert trend.points[0].period.start >= MARCH.start
