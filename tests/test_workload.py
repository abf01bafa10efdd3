"""Tests of csmetrics.metrics.workload: volume per period and the Pareto of contact reasons."""

from __future__ import annotations

import warnings
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from csmetrics import Interaction, Interactions, UndefinedMetricWarning, Window
from csmetrics.metrics.workload import pareto, volume

UTC = timezone.utc
BERLIN = ZoneInfo("Europe/Berlin")


def at(day: int, hour: int = 9, minute: int = 0) -> datetime:
    return datetime(2026, 3, day, hour, minute, tzinfo=UTC)


def contact(i: int, start: datetime, **fields: object) -> Interaction:
    end = fields.pop("end", start + timedelta(minutes=5))
    return Interaction(id=i, customer_id=f"c{i}", start=start, end=end, **fields)  # type: ignore[arg-type]


# -- volume -------------------------------------------------------------------------------------


def test_volume_counts_handled_abandoned_and_blocked_apart():
    contacts = [
        contact(1, at(2), channel="phone"),
        contact(2, at(2, 10), channel="phone", abandoned=True),
        contact(3, at(2, 11), channel="phone", blocked=True),
        contact(4, at(2, 12), channel="chat"),
        contact(5, at(4), channel="chat"),
    ]
    v = volume(contacts, every="day")
    assert [w.start.day for w in v.windows] == [2, 3, 4]
    assert v.handled.tolist() == [2, 0, 1]
    assert v.abandoned.tolist() == [1, 0, 0]
    assert v.blocked.tolist() == [1, 0, 0]
    assert v.offered.tolist() == [4, 0, 1]
    assert v.total == 3


def test_empty_days_are_present_with_zero():
    v = volume([contact(1, at(2)), contact(2, at(6))], every="day")
    assert v.handled.tolist() == [1, 0, 0, 0, 1]
    assert [row["handled"] for row in v.to_rows()] == [1, 0, 0, 0, 1]


def test_open_contact_is_handled():
    v = volume([contact(1, at(2), end=None)], every="day")
    assert v.handled.tolist() == [1]


def test_volume_by_channel_per_period():
    contacts = [
        contact(1, at(2), channel="phone"),
        contact(2, at(3), channel="chat"),
        contact(3, at(3, 10), channel="chat", abandoned=True),
        contact(4, at(3, 11)),
    ]
    v = volume(contacts, every="day", by="channel")
    assert list(v.groups) == ["chat", "phone", None]
    assert v.groups["chat"].handled.tolist() == [0, 1]
    assert v.groups["chat"].abandoned.tolist() == [0, 1]
    assert v.groups["phone"].handled.tolist() == [1, 0]
    assert v.groups[None].handled.tolist() == [0, 1]
    rows = v.to_rows()
    assert len(rows) == 2 * 3
    assert rows[1] == {
        "start": at(2, 0),
        "period": v.windows[0],
        "channel": "phone",
        "handled": 1,
        "abandoned": 0,
        "blocked": 0,
    }
    assert sum(g.handled for g in v.groups.values()).tolist() == v.handled.tolist()


def test_volume_days_are_local_days():
    # 23:30 UTC on 1 March is 00:30 on 2 March in Berlin.
    contacts = [contact(1, at(1, 23, 30)), contact(2, at(2, 12))]
    assert volume(contacts, every="day").handled.tolist() == [1, 1]
    berlin = volume(contacts, every="day", timezone="Europe/Berlin")
    assert berlin.handled.tolist() == [2]
    assert berlin.to_rows()[0]["start"] == datetime(2026, 3, 2, tzinfo=BERLIN)


def test_volume_on_the_spring_forward_day_in_berlin():
    # Add hours in UTC: adding them to a Berlin datetime is wall-clock arithmetic.
    day = datetime(2026, 3, 29, tzinfo=BERLIN).astimezone(UTC)
    contacts = [contact(i, day + timedelta(hours=i)) for i in range(23)]  # every real hour
    v = volume(contacts, every="day", timezone="Europe/Berlin")
    assert v.handled.tolist() == [23]
    hourly = volume(contacts, every="hour", timezone="Europe/Berlin")
    assert len(hourly) == 23
    assert hourly.handled.tolist() == [1] * 23


def test_volume_period_clips_and_filters():
    contacts = [contact(1, at(1)), contact(2, at(3)), contact(3, at(10))]
    period = Window(start=at(2, 0), end=at(5, 0))
    v = volume(contacts, every="day", period=period)
    assert [w.start.day for w in v.windows] == [2, 3, 4]
    assert v.handled.tolist() == [0, 1, 0]
    assert v.period == period


def test_volume_weeks_and_months():
    contacts = [contact(i, at(d)) for i, d in enumerate((2, 8, 9, 31))]
    assert volume(contacts, every="week").handled.tolist() == [2, 1, 0, 0, 1]
    assert volume(contacts, every="month").handled.tolist() == [4]


def test_volume_without_contacts_has_no_period():
    v = volume([], every="day")
    assert len(v) == 0
    assert v.to_rows() == []
    assert "0 day periods" in repr(v)
    assert "no periods" in v._repr_html_()


def test_volume_bad_options_name_the_allowed_values():
    with pytest.raises(ValueError, match=r"every='daily' is not allowed; use one of"):
        volume([contact(1, at(2))], every="daily")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=r"by='priority' is not allowed; use one of"):
        volume([contact(1, at(2))], by="priority")  # type: ignore[arg-type]


def test_volume_records_and_table_agree():
    contacts = [contact(i, at(2 + i % 5, i % 24), channel=["a", "b"][i % 2]) for i in range(20)]
    left = volume(contacts, every="day", by="channel")
    right = volume(Interactions.from_records(contacts), every="day", by="channel")
    assert left == right


@st.composite
def contact_columns(draw: st.DrawFn) -> dict[str, object]:
    n = draw(st.integers(0, 40))
    minutes = draw(st.lists(st.integers(0, 60 * 24 * 40), min_size=n, max_size=n))
    kinds = draw(st.lists(st.integers(0, 2), min_size=n, max_size=n))
    channels = draw(st.lists(st.sampled_from(["phone", "chat", ""]), min_size=n, max_size=n))
    start = np.datetime64("2026-03-01T00:00", "us") + np.array(minutes, dtype="timedelta64[m]")
    kind = np.array(kinds, dtype=np.int64)
    return {
        "id": np.arange(n),
        "customer_id": np.arange(n),
        "start": start,
        "end": start + np.timedelta64(1, "m"),
        "abandoned": kind == 1,
        "blocked": kind == 2,
        "channel": np.array(channels, dtype=str),
    }


@given(
    columns=contact_columns(),
    every=st.sampled_from(["hour", "day", "week", "month"]),
    zone=st.sampled_from(["UTC", "Europe/Berlin", "America/New_York"]),
)
def test_volume_counts_sum_to_the_handled_contacts(columns, every, zone):
    table = Interactions.from_columns(columns)
    v = volume(table, every=every, timezone=zone, by="channel")
    handled = ~table.abandoned & ~table.blocked
    assert v.total == int(handled.sum())
    assert int(v.abandoned.sum()) == int(table.abandoned.sum())
    assert int(v.blocked.sum()) == int(table.blocked.sum())
    assert sum(int(g.handled.sum()) for g in v.groups.values()) == v.total
    assert all(a.end == b.start for a, b in zip(v.windows, v.windows[1:], strict=False))


# -- pareto -------------------------------------------------------------------------------------


def test_pareto_sorts_by_count_then_name_with_missing_placed_by_count():
    reasons = ["login"] * 3 + ["billing"] * 3 + [None] * 4 + ["refund", "api"]
    contacts = [contact(i, at(2), category=c) for i, c in enumerate(reasons)]
    p = pareto(contacts)
    assert p.keys == (None, "billing", "login", "api", "refund")
    assert p.counts.tolist() == [4, 3, 3, 1, 1]
    assert p.total == 12


def test_missing_key_comes_last_among_equal_counts():
    reasons = ["b", "b", None, None, "a", "a"]
    p = pareto([contact(i, at(2), category=c) for i, c in enumerate(reasons)])
    assert p.keys == ("a", "b", None)


def test_vital_few_is_the_smallest_leading_set_reaching_the_share():
    reasons = ["billing"] * 5 + ["login"] * 3 + ["refund", "api"]
    p = pareto([contact(i, at(2), category=c) for i, c in enumerate(reasons)])
    assert p.cumulative.tolist() == [0.5, 0.8, 0.9, 1.0]
    assert p.vital_few == ("billing", "login")  # 0.8 reaches 0.8 exactly
    assert pareto(
        [contact(i, at(2), category=c) for i, c in enumerate(reasons)], share=0.81
    ).vital_few == (
        "billing",
        "login",
        "api",
    )
    assert [row["vital"] for row in p.to_rows()] == [True, True, False, False]
    assert p.to_rows()[0] == {
        "category": "billing",
        "count": 5,
        "share": 0.5,
        "cumulative": 0.5,
        "vital": True,
    }


def test_pareto_leaves_out_abandoned_and_blocked_and_counts_them():
    contacts = [
        contact(1, at(2), category="billing"),
        contact(2, at(2), abandoned=True),
        contact(3, at(2), blocked=True, category="billing"),
    ]
    p = pareto(contacts)
    assert p.keys == ("billing",)
    assert p.excluded == 2


def test_pareto_by_channel_and_period():
    contacts = [contact(i, at(2 + i), channel=["phone", "chat"][i % 2]) for i in range(6)]
    p = pareto(contacts, by="channel", period=Window(start=at(2, 0), end=at(5, 0)))
    assert p.keys == ("phone", "chat")
    assert p.counts.tolist() == [2, 1]


def test_pareto_without_contacts_warns_and_is_empty():
    with pytest.warns(UndefinedMetricWarning, match="no handled contact"):
        p = pareto([])
    assert p.keys == ()
    assert p.vital_few == ()
    assert p.to_rows() == []


@pytest.mark.parametrize("share", [0, 1.5, float("nan"), True, "0.8"])
def test_bad_share_is_refused(share):
    with pytest.raises(ValueError, match=r"share=.* is not allowed; use a fraction in \(0, 1\]"):
        pareto([contact(1, at(2))], share=share)


def test_bad_by_is_refused():
    with pytest.raises(ValueError, match=r"by='reason' is not allowed; use one of: 'category'"):
        pareto([contact(1, at(2))], by="reason")  # type: ignore[arg-type]


@given(
    reasons=st.lists(st.sampled_from(["a", "b", "c", "d", None]), min_size=1, max_size=60),
    share=st.floats(0.01, 1.0),
)
def test_pareto_cumulative_share_is_non_decreasing_and_ends_at_one(reasons, share):
    contacts = [contact(i, at(2), category=c) for i, c in enumerate(reasons)]
    p = pareto(contacts, share=share)
    assert (np.diff(p.cumulative) >= 0).all()
    assert p.cumulative[-1] == 1.0
    assert (np.diff(p.counts) <= 0).all()
    assert p.total == len(reasons)
    k = len(p.vital_few)
    assert p.cumulative[k - 1] >= share
    assert k == 1 or p.cumulative[k - 2] < share
    # The input order does not matter.
    assert pareto(contacts[::-1], share=share) == p


def test_pareto_of_records_and_table_agree():
    contacts = [contact(i, at(2), category=["x", "y", None][i % 3]) for i in range(10)]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert pareto(contacts) == pareto(Interactions.from_records(contacts))


def test_pareto_rows_is_the_pareto_table():
    contacts = [
        Interaction(
            id=str(i),
            customer_id="c",
            start=datetime(2026, 3, 2, tzinfo=timezone.utc),
            category="billing" if i < 3 else "login",
        )
        for i in range(4)
    ]
    result = pareto(contacts)
    assert result.rows() == result.to_rows()
    assert [row["category"] for row in result.rows()] == ["billing", "login"]
