"""Hand-computed tests for fcr and resolution_rate: one test per rule."""

from __future__ import annotations

import math
from datetime import datetime, timedelta, timezone

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import csmetrics
from csmetrics import FCR, Interaction, Interactions, Window, fcr, resolution_rate
from csmetrics.core.episodes import (
    _issue_keys,
    first_and_last,
    ordered_rows,
    time_key,
    time_order,
    time_rank,
)

BASE = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)


def at(day: float, hour: float = 0) -> datetime:
    """Day ``day`` after BASE (09:00 UTC on day 0), plus ``hour`` hours."""
    return BASE + timedelta(days=day, hours=hour)


def contact(
    id: str,
    day: float,
    *,
    hours: float | None = 1,
    customer: str = "ann",
    resolved: bool = True,
    **fields: str,
) -> Interaction:
    """A contact starting on ``day`` lasting ``hours`` (None: still open)."""
    start = at(day)
    end = None if hours is None else start + timedelta(hours=hours)
    return Interaction(
        id=id,
        customer_id=customer,
        start=start,
        end=end,
        resolved=resolved and end is not None,
        **fields,
    )


# Every test passes an explicit as_of far enough out that all windows are
# closed unless the test is about pending episodes.
LATE = at(100)


def utc64(moments: list[datetime | None]) -> np.ndarray:
    """datetime64[us] in UTC (numpy's datetime64 carries no zone)."""
    return np.array(
        [None if m is None else m.astimezone(timezone.utc).replace(tzinfo=None) for m in moments],
        dtype="datetime64[us]",
    )


def counts(result: FCR) -> tuple[int, int, int, int]:
    return result.numerator, result.denominator, result.pending, result.repeats


def test_single_resolved_contact_is_success():
    assert counts(fcr([contact("1", 0)], as_of=LATE)) == (1, 1, 0, 0)


def test_repeat_in_window_fails_the_episode():
    data = [contact("1", 0, category="billing"), contact("2", 3, category="billing")]
    assert counts(fcr(data, as_of=LATE)) == (0, 1, 0, 1)


def test_repeat_after_window_is_new_issue():
    # Contact 2 starts 10 days after contact 1 ended: a new episode, both resolved.
    data = [contact("1", 0, category="billing"), contact("2", 10, category="billing")]
    assert counts(fcr(data, as_of=LATE)) == (2, 2, 0, 0)


def test_window_boundary_is_inclusive():
    # Contact 1 ends at day 0 + 1 h; contact 2 starts exactly 7 days later.
    first = contact("1", 0, category="billing")
    on_edge = Interaction(
        id="2", customer_id="ann", start=at(7, 1), end=at(7, 2), resolved=True, category="billing"
    )
    just_after = Interaction(
        id="2",
        customer_id="ann",
        start=at(7, 1) + timedelta(microseconds=1),
        end=at(7, 2),
        resolved=True,
        category="billing",
    )
    assert counts(fcr([first, on_edge], as_of=LATE)) == (0, 1, 0, 1)
    assert counts(fcr([first, just_after], as_of=LATE)) == (2, 2, 0, 0)


def test_chained_repeats_extend_the_window():
    # 2 is within 7 days of 1's end, 3 within 7 days of 2's end (12 days after 1).
    data = [contact(str(i), day, category="billing") for i, day in enumerate([0, 6, 12])]
    assert counts(fcr(data, as_of=LATE)) == (0, 1, 0, 2)


def test_window_runs_from_latest_end_not_latest_start():
    # Contact 1 lasts 3 days; contact 2 starts 9 days after 1 started but only
    # 6 days after it ended: a repeat.
    data = [contact("1", 0, hours=72, category="x"), contact("2", 9, category="x")]
    assert counts(fcr(data, as_of=LATE)) == (0, 1, 0, 1)


def test_ticket_reuse_with_new_category_is_new_issue():
    data = [
        contact("1", 0, issue_id="T1", category="billing"),
        contact("2", 2, issue_id="T1", category="shipping"),
    ]
    assert counts(fcr(data, as_of=LATE)) == (2, 2, 0, 0)


def test_contact_without_category_keeps_issue_category():
    data = [
        contact("1", 0, issue_id="T1", category="billing"),
        contact("2", 2, issue_id="T1"),
        contact("3", 3, issue_id="T1", category="billing"),
    ]
    assert counts(fcr(data, as_of=LATE)) == (0, 1, 0, 2)


def test_issue_opened_without_category_takes_first_category():
    data = [
        contact("1", 0, issue_id="T1"),
        contact("2", 2, issue_id="T1", category="billing"),
        contact("3", 3, issue_id="T1", category="login"),
    ]
    # 1 and 2 are one issue (billing); 3 reuses the ticket for login.
    assert counts(fcr(data, as_of=LATE)) == (1, 2, 0, 1)


def test_returning_to_an_earlier_category_is_another_new_issue():
    data = [
        contact("1", 0, issue_id="T1", category="a"),
        contact("2", 1, issue_id="T1", category="b"),
        contact("3", 2, issue_id="T1", category="a"),
    ]
    assert counts(fcr(data, as_of=LATE)) == (3, 3, 0, 0)


def test_contacts_without_issue_id_match_by_customer_and_category():
    data = [
        contact("1", 0, category="billing"),
        contact("2", 1, category="billing"),
        contact("3", 1, category="login"),
        contact("4", 2, category="billing", customer="bob"),
    ]
    # ann/billing: 1 + repeat 2; ann/login: 3; bob/billing: 4.
    assert counts(fcr(data, as_of=LATE)) == (2, 3, 0, 1)


def test_contact_without_issue_id_does_not_join_a_ticket():
    data = [
        contact("1", 0, issue_id="T1", category="billing"),
        contact("2", 1, category="billing"),
    ]
    assert counts(fcr(data, as_of=LATE)) == (2, 2, 0, 0)
    assert counts(fcr(data, as_of=LATE, match="category")) == (0, 1, 0, 1)


def test_match_customer_ignores_category():
    data = [contact("1", 0, category="billing"), contact("2", 1, category="login")]
    assert counts(fcr(data, as_of=LATE, match="customer")) == (0, 1, 0, 1)
    assert counts(fcr(data, as_of=LATE, match="category")) == (2, 2, 0, 0)


def test_match_category_treats_missing_category_as_a_value():
    data = [contact("1", 0), contact("2", 1), contact("3", 1, category="x")]
    assert counts(fcr(data, as_of=LATE, match="category")) == (1, 2, 0, 1)


def test_pending_at_as_of():
    # Ends day 0 + 1 h; the window closes day 7 + 1 h.
    data = [contact("1", 0)]
    with pytest.warns(csmetrics.UndefinedMetricWarning):
        early = fcr(data, as_of=at(7, 1) - timedelta(microseconds=1))
    assert counts(early) == (0, 0, 1, 0)
    assert counts(fcr(data, as_of=at(7, 1))) == (1, 1, 0, 0)


def test_pending_even_when_repeat_already_happened():
    data = [contact("1", 0, category="x"), contact("2", 1, category="x")]
    with pytest.warns(csmetrics.UndefinedMetricWarning):
        result = fcr(data, as_of=at(3))
    assert counts(result) == (0, 0, 1, 1)


def test_open_first_contact_is_pending():
    data = [contact("1", 0, hours=None)]
    with pytest.warns(csmetrics.UndefinedMetricWarning):
        result = fcr(data, as_of=LATE)
    assert counts(result) == (0, 0, 1, 0)


def test_open_earlier_contact_keeps_episode_open():
    # Contact 1 is still open: contact 2, 30 days later, is a repeat.
    data = [contact("1", 0, hours=None, category="x"), contact("2", 30, category="x")]
    with pytest.warns(csmetrics.UndefinedMetricWarning):
        result = fcr(data, as_of=LATE)
    assert counts(result) == (0, 0, 1, 1)


def test_unresolved_first_contact_fails():
    data = [contact("1", 0, resolved=False)]
    assert counts(fcr(data, as_of=LATE)) == (0, 1, 0, 0)


def test_resolved_repeat_does_not_rescue_the_episode():
    data = [contact("1", 0, resolved=False, category="x"), contact("2", 1, category="x")]
    assert counts(fcr(data, as_of=LATE)) == (0, 1, 0, 1)


def test_default_as_of_is_latest_start_not_latest_end():
    # Contact 2 starts on day 20 and runs 40 days: as_of must be day 20, so
    # contact 1 (ended day 15 + 1 h, window to day 22 + 1 h) is still pending.
    data = [contact("1", 15, customer="bob"), contact("2", 20, hours=40 * 24)]
    with pytest.warns(csmetrics.UndefinedMetricWarning):
        result = fcr(data)
    assert result.as_of == at(20)
    assert counts(result) == (0, 0, 2, 0)


def test_contacts_after_explicit_as_of_are_ignored():
    data = [contact("1", 0, category="x"), contact("2", 5, category="x")]
    with pytest.warns(csmetrics.UndefinedMetricWarning):
        early = fcr(data, as_of=at(4))
    assert counts(early) == (0, 0, 1, 0)
    assert counts(fcr(data, as_of=LATE)) == (0, 1, 0, 1)


def test_period_filter_looks_past_the_period_for_repeats():
    data = [
        contact("1", 0, category="x"),
        contact("2", 3, category="x"),  # repeat of 1, after the period
        contact("3", 20, category="y"),  # outside the period
    ]
    period = Window(start=at(0), end=at(1))
    result = fcr(data, as_of=LATE, period=period)
    assert counts(result) == (0, 1, 0, 1)
    assert result.period == period


def test_period_is_half_open():
    data = [contact("1", 0), contact("2", 1, customer="bob")]
    result = fcr(data, as_of=LATE, period=Window(start=at(0), end=at(1)))
    assert result.denominator == 1


def test_failure_is_charged_to_first_contact_agent():
    data = [
        contact("1", 0, agent_id="alice", category="x"),
        contact("2", 1, agent_id="bert", category="x"),
        contact("3", 0, agent_id="bert", customer="bob"),
    ]
    result = fcr(data, as_of=LATE, by="agent_id")
    assert list(result) == ["alice", "bert"]
    assert counts(result["alice"]) == (0, 1, 0, 1)
    assert counts(result["bert"]) == (1, 1, 0, 0)
    assert counts(result.overall) == (1, 2, 0, 1)


def test_breakdown_puts_missing_key_last_and_rows_have_counts():
    data = [contact("1", 0, channel="phone"), contact("2", 0, customer="bob")]
    result = fcr(data, as_of=LATE, by="channel")
    assert list(result) == ["phone", None]
    assert result.to_rows()[0] == {
        "channel": "phone",
        "value": 1.0,
        "numerator": 1,
        "denominator": 1,
        "pending": 0,
        "repeats": 0,
        "reliable": False,
    }


def test_ties_on_start_are_ordered_by_id():
    # Same start: "a" is the first contact of the episode, "b" the repeat.
    start = at(0)
    data = [
        Interaction(id="b", customer_id="ann", start=start, end=at(0, 1), resolved=True),
        Interaction(id="a", customer_id="ann", start=start, end=at(0, 1), resolved=False),
    ]
    result = fcr(data, as_of=LATE, by="customer_id")
    assert counts(result.overall) == (0, 1, 0, 1)


def test_fractional_window_days():
    data = [contact("1", 0, category="x"), contact("2", 1, category="x")]
    assert counts(fcr(data, as_of=LATE, window_days=0.5)) == (2, 2, 0, 0)


def test_result_records_parameters_used():
    result = fcr([contact("1", 0)], window_days=5, match="category", as_of=LATE)
    assert (result.window_days, result.match, result.as_of) == (5.0, "category", LATE)
    assert "window_days=5," in repr(result)


def test_merge_refuses_different_windows():
    a = fcr([contact("1", 0)], as_of=LATE, window_days=7)
    b = fcr([contact("1", 0)], as_of=LATE, window_days=5)
    with pytest.raises(ValueError, match="different parameters"):
        a.merge(b)


def test_merge_adds_counts_of_disjoint_customers():
    ann = [contact("1", 0, category="x"), contact("2", 1, category="x")]
    bob = [contact("3", 0, customer="bob")]
    whole = fcr(ann + bob, as_of=LATE)
    assert fcr(ann, as_of=LATE).merge(fcr(bob, as_of=LATE)) == whole


@pytest.mark.parametrize("bad", [0, -1, math.nan, math.inf, True, "7"])
def test_window_days_must_be_positive_number(bad):
    with pytest.raises(ValueError, match="window_days"):
        fcr([contact("1", 0)], window_days=bad)


def test_unknown_match_and_by_are_rejected():
    with pytest.raises(ValueError, match="match='ticket'"):
        fcr([contact("1", 0)], match="ticket")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="by='team'"):
        fcr([contact("1", 0)], by="team")  # type: ignore[arg-type]


def test_naive_as_of_is_rejected():
    with pytest.raises(ValueError, match=r"as_of=.*timezone-aware"):
        fcr([contact("1", 0)], as_of=datetime(2026, 3, 1))


def test_empty_input_is_undefined_with_warning():
    with pytest.warns(csmetrics.UndefinedMetricWarning, match="fcr is undefined"):
        result = fcr([])
    assert math.isnan(result.value)
    assert counts(result) == (0, 0, 0, 0)


def test_all_pending_is_undefined_with_warning():
    with pytest.warns(csmetrics.UndefinedMetricWarning):
        result = fcr([contact("1", 0)])
    assert counts(result) == (0, 0, 1, 0)


def test_columnar_input_gives_same_result():
    data = [
        contact("1", 0, issue_id="T1", category="a", agent_id="x"),
        contact("2", 2, issue_id="T1", agent_id="y"),
        contact("3", 2, issue_id="T1", category="b", agent_id="y"),
        contact("4", 3, customer="bob", hours=None),
    ]
    table = Interactions.from_columns(
        {
            "id": np.array(["1", "2", "3", "4"]),
            "customer_id": ["ann", "ann", "ann", "bob"],
            "start": utc64([at(d) for d in (0, 2, 2, 3)]),
            "end": utc64([at(d, 1) for d in (0, 2, 2)] + [None]),
            "resolved": np.array([True, True, True, False]),
            "issue_id": ["T1", "T1", "T1", None],
            "category": ["a", None, "b", None],
            "agent_id": ["x", "y", "y", None],
        }
    )
    # The open contact of bob has no agent: that group is all pending.
    with pytest.warns(csmetrics.UndefinedMetricWarning, match="1 of 3 groups"):
        columnar = fcr(table, as_of=LATE, by="agent_id")
    with pytest.warns(csmetrics.UndefinedMetricWarning):
        objects = fcr(data, as_of=LATE, by="agent_id")
    assert columnar == objects
    assert counts(columnar.overall) == (1, 2, 1, 1)


# resolution_rate


def test_resolution_rate_request_is_resolved_by_its_latest_contact():
    data = [
        contact("1", 0, issue_id="T1", resolved=True),
        contact("2", 1, issue_id="T1", resolved=False),
        contact("3", 0, issue_id="T2", resolved=False),
        contact("4", 1, issue_id="T2", resolved=True),
    ]
    result = resolution_rate(data)
    assert (result.numerator, result.denominator) == (1, 2)


def test_resolution_rate_ticket_reuse_does_not_split_request():
    data = [
        contact("1", 0, issue_id="T1", category="a"),
        contact("2", 1, issue_id="T1", category="b", resolved=False),
    ]
    result = resolution_rate(data)
    assert (result.numerator, result.denominator) == (0, 1)


def test_resolution_rate_contact_without_issue_is_own_request():
    data = [contact("1", 0), contact("2", 1, resolved=False), contact("3", 1, hours=None)]
    result = resolution_rate(data)
    assert (result.numerator, result.denominator) == (1, 3)


def test_resolution_rate_open_latest_contact_is_unresolved():
    data = [contact("1", 0, issue_id="T1"), contact("2", 1, issue_id="T1", hours=None)]
    assert resolution_rate(data).numerator == 0


def test_resolution_rate_latest_tie_broken_by_id():
    start = at(0)
    data = [
        Interaction(id="a", customer_id="c", start=start, end=at(1), issue_id="T", resolved=True),
        Interaction(id="b", customer_id="c", start=start, end=at(1), issue_id="T"),
    ]
    assert resolution_rate(data).numerator == 0


def test_resolution_rate_belongs_to_first_contact_period_and_group():
    data = [
        contact("1", 0, issue_id="T1", agent_id="alice", resolved=False),
        contact("2", 5, issue_id="T1", agent_id="bert"),
    ]
    in_first = resolution_rate(data, period=Window(start=at(0), end=at(1)), by="agent_id")
    assert list(in_first) == ["alice"]
    assert (in_first["alice"].numerator, in_first["alice"].denominator) == (1, 1)
    with pytest.warns(csmetrics.UndefinedMetricWarning):
        later = resolution_rate(data, period=Window(start=at(1), end=at(10)))
    assert later.denominator == 0


def test_breakdown_after_explicit_as_of_keeps_each_episode_with_its_agent():
    # A contact after as_of is dropped; the remaining episode must stay with
    # its own agent (regression: groups were looked up before the cut).
    data = [
        contact("late", 20, agent_id="zed", customer="ann"),
        contact("x", 0, agent_id="amy", customer="bob"),
    ]
    result = fcr(data, as_of=at(10), by="agent_id")
    assert list(result) == ["amy"]
    assert counts(result["amy"]) == (1, 1, 0, 0)


@given(
    starts=st.lists(st.integers(0, 5), min_size=0, max_size=40),
    seed=st.integers(0, 2**16),
)
def test_time_rank_orders_by_start_then_id(starts, seed):
    # Few distinct starts, so most rows tie and the tie-break by id decides.
    ids = np.random.default_rng(seed).permutation(len(starts)) * 7
    table = Interactions.from_columns(
        {
            "id": ids,
            "customer_id": np.zeros(len(starts), dtype=np.int64),
            "start": np.array(starts, dtype="datetime64[s]").astype("datetime64[us]"),
        }
    )
    expected = np.lexsort((table.id.codes, table.start))
    assert np.argsort(time_rank(table)).tolist() == expected.tolist()
    key = np.random.default_rng(seed + 1).integers(0, 3, len(starts))
    assert (
        time_order(key, time_rank(table)).tolist() == np.lexsort((time_rank(table), key)).tolist()
    )
    rows = np.flatnonzero(key != 1)
    by_rows = rows[np.lexsort((time_rank(table)[rows], key[rows]))]
    assert ordered_rows(table, key[rows], rows).tolist() == by_rows.tolist()
    assert ordered_rows(table, key).tolist() == np.lexsort((time_rank(table), key)).tolist()
    table.memo.clear()  # the packed key, then the cached rank: the same order
    assert np.argsort(time_key(table)).tolist() == expected.tolist()
    assert np.argsort(time_key(table)).tolist() == expected.tolist()


@given(
    group=st.lists(st.integers(0, 4), min_size=0, max_size=40),
    seed=st.integers(0, 2**16),
)
def test_first_and_last_find_each_groups_lowest_and_highest_key(group, seed):
    codes = np.array(group, dtype=np.int32)
    key = np.random.default_rng(seed).permutation(len(codes)) * 3 - 20
    first, last, present = first_and_last(codes, key, 6)
    assert present.tolist() == [g in group for g in range(6)]
    for g in set(group):
        at = [i for i, c in enumerate(group) if c == g]
        assert first[g] == min(at, key=lambda i: key[i])
        assert last[g] == max(at, key=lambda i: key[i])


def test_time_order_widens_int32_codes_before_packing():
    # 70,000 * 40,000 overflows int32; packing in int32 would misorder.
    key = np.array([70_000, 0, 70_000, 1], dtype=np.int32)
    rank = np.array([39_999, 5, 0, 3], dtype=np.int32)
    assert time_order(key, rank).tolist() == np.lexsort((rank, key)).tolist() == [1, 3, 2, 0]


def test_match_category_keys_do_not_overflow_with_many_customers():
    # Customer codes times (categories + 1) pass 2**31: the pair key is int64.
    n = 80_000
    table = Interactions.from_columns(
        {
            "id": np.arange(n),
            "customer_id": np.arange(n),
            "start": np.full(n, 0, dtype="datetime64[us]"),
            "end": np.full(n, 1, dtype="datetime64[us]"),
            "resolved": np.ones(n, dtype=bool),
            "category": np.arange(n) % 30_000,
        }
    )
    assert table.customer_id.codes.dtype == np.int32
    key = _issue_keys(table, "category")
    expected = [c * 30_001 + c % 30_000 + 1 for c in range(n)]
    assert key.tolist() == expected
    result = fcr(table, match="category", as_of=datetime(2027, 1, 1, tzinfo=timezone.utc))
    assert (result.numerator, result.denominator) == (n, n)


def test_numpy_numbers_are_accepted_as_options():
    contacts = [
        Interaction(id="1", customer_id="a", start=BASE, end=BASE, resolved=True, category="x"),
        Interaction(
            id="2",
            customer_id="a",
            start=BASE + timedelta(days=3),
            end=BASE + timedelta(days=3),
            resolved=True,
            category="x",
        ),
    ]
    plain = csmetrics.fcr(contacts, window_days=7, as_of=BASE + timedelta(days=30))
    numpy = csmetrics.fcr(contacts, window_days=np.int64(7), as_of=BASE + timedelta(days=30))
    assert numpy == plain
    assert plain.is_reliable(min_n=np.int64(1))
    with pytest.raises(ValueError, match=r"window_days=True is not allowed"):
        csmetrics.fcr(contacts, window_days=np.bool_(True))
