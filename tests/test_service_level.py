"""Hand-computed tests for service_level, asa, abandonment_rate and blocked_rate."""

from __future__ import annotations

import math
from datetime import datetime, timedelta, timezone

import numpy as np
import pytest

import csmetrics
from csmetrics import (
    Interaction,
    Interactions,
    abandonment_rate,
    asa,
    blocked_rate,
    service_level,
)

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)


def queue(answered_waits: list[float], abandoned_waits: list[float], **columns) -> Interactions:
    """Contacts one minute apart: answered ones first, then abandoned ones."""
    n_an, n_ab = len(answered_waits), len(abandoned_waits)
    n = n_an + n_ab
    start = np.datetime64("2026-03-02T09:00", "us") + np.arange(n) * np.timedelta64(60, "s")
    wait = (np.array(answered_waits + abandoned_waits) * 1e6).astype("timedelta64[us]")
    answered = np.arange(n) < n_an
    first_response = np.where(answered, start + wait, np.datetime64("NaT"))
    end = np.where(answered, start + wait + np.timedelta64(300, "s"), start + wait)
    return Interactions.from_columns(
        {
            "id": np.arange(n),
            "customer_id": np.arange(n),
            "start": start,
            "end": end,
            "first_response_at": first_response,
            "abandoned": ~answered,
            **columns,
        }
    )


# ICMI, "Service Level Calculations" (Queue Tips, 2002): 1000 answered (860
# within 20 s), 60 abandoned (20 within 20 s, 10 of them within 5 s).
ICMI = queue([10.0] * 860 + [30.0] * 140, [3.0] * 10 + [15.0] * 10 + [40.0] * 40)


@pytest.mark.parametrize(
    ("formula", "numerator", "denominator"),
    [
        ("answered", 860, 1000),  # ICMI formula 2: 86%
        ("offered", 860, 1060),  # formula 3: 81%
        ("abandoned_within_met", 880, 1060),  # formula 1: 83%
        ("abandoned_within_excluded", 860, 1040),  # formula 4: 83%
        ("short_abandoned_excluded", 860, 1050),
    ],
)
def test_each_formula_on_icmi_example(formula, numerator, denominator):
    short = 5 if formula == "short_abandoned_excluded" else None
    result = service_level(ICMI, threshold=20, formula=formula, short_abandon=short)
    assert (result.numerator, result.denominator) == (numerator, denominator)
    assert result.formula == formula
    assert (result.answered, result.answered_within) == (1000, 860)
    assert (result.abandoned, result.abandoned_within) == (60, 20)


def test_default_formula_is_offered():
    assert service_level(ICMI, threshold=20).formula == "offered"


def test_threshold_is_inclusive_and_accepts_timedelta():
    contacts = queue([20.0, 20.000001], [])
    assert service_level(contacts, threshold=timedelta(seconds=20)).numerator == 1


def test_short_abandon_only_with_its_formula():
    with pytest.raises(ValueError, match="short_abandon"):
        service_level(ICMI, threshold=20, short_abandon=5)
    with pytest.raises(ValueError, match="short_abandon"):
        service_level(ICMI, threshold=20, formula="short_abandoned_excluded")


def test_threshold_per_channel():
    contacts = queue([10.0, 100.0, 100.0], [], channel=np.array(["phone", "email", "phone"]))
    result = service_level(contacts, threshold={"phone": 20, "email": 3600}, by="channel")
    assert (result["email"].numerator, result["email"].denominator) == (1, 1)
    assert (result["phone"].numerator, result["phone"].denominator) == (1, 2)
    assert result.overall.threshold == (("email", 3600.0), ("phone", 20.0))


def test_channel_without_threshold_is_an_error():
    contacts = queue([10.0], [], channel=np.array(["chat"]))
    with pytest.raises(csmetrics.InvalidDataError, match=r"channel.*'chat'"):
        service_level(contacts, threshold={"phone": 20})


def test_channel_without_threshold_only_matters_in_scope():
    # A contact outside the period needs no threshold; an abandoned contact
    # in scope does, whatever its wait.
    contacts = queue([10.0], [5.0], channel=np.array(["phone", "chat"]))
    first_minute = ("2026-03-02T09:00Z", "2026-03-02T09:01Z")
    result = service_level(contacts, threshold={"phone": 20}, period=first_minute)
    assert (result.numerator, result.denominator) == (1, 1)
    with pytest.raises(csmetrics.InvalidDataError, match=r"record 1.*channel.*'chat'"):
        service_level(contacts, threshold={"phone": 20})


def test_waiting_and_unanswered_contacts_are_counted_not_in_formula():
    waiting = Interaction(id="w", customer_id="a", start=T0)  # still queued
    closed = Interaction(id="u", customer_id="b", start=T0, end=T0 + timedelta(hours=1))
    answered = Interaction(id="a", customer_id="c", start=T0, first_response_at=T0)
    result = service_level([waiting, closed, answered], threshold=20)
    assert (result.waiting, result.unanswered, result.denominator) == (1, 1, 1)


def test_blocked_contacts_never_queued():
    blocked = Interaction(id="b", customer_id="a", start=T0, blocked=True)
    answered = Interaction(id="a", customer_id="c", start=T0, first_response_at=T0)
    result = service_level([blocked, answered], threshold=20)
    assert (result.numerator, result.denominator, result.waiting) == (1, 1, 0)
    assert blocked_rate([blocked, answered]).value == 0.5


def test_empty_service_level_is_undefined():
    with pytest.warns(csmetrics.UndefinedMetricWarning, match="service_level"):
        result = service_level([], threshold=20)
    assert math.isnan(result.value)


def test_asa_is_mean_wait_of_answered_contacts():
    result = asa(ICMI)
    assert result.n == 1000
    assert result.value == pytest.approx((860 * 10 + 140 * 30) / 1000, rel=1e-12)


def test_asa_merge_is_volume_weighted():
    a, b = queue([10.0], []), queue([40.0, 40.0, 40.0], [])
    # Parts merge when computed with one explicit as_of (each default differs).
    late = T0 + timedelta(days=1)
    merged = asa(a, as_of=late).merge(asa(b, as_of=late))
    assert merged.value == pytest.approx(32.5, rel=1e-12)
    assert merged.n == 4


def test_abandonment_rate_with_and_without_short_abandons():
    plain = abandonment_rate(ICMI)
    assert (plain.numerator, plain.denominator) == (60, 1060)
    short = abandonment_rate(ICMI, short_abandon=5)
    assert (short.numerator, short.denominator, short.short_abandoned) == (50, 1050, 10)


def test_merge_refuses_other_formula():
    a = service_level(ICMI, threshold=20)
    b = service_level(ICMI, threshold=20, formula="answered")
    with pytest.raises(ValueError, match="different parameters"):
        a.merge(b)


def test_object_and_columnar_paths_agree():
    records = ICMI.to_records()
    for formula in ("offered", "abandoned_within_met"):
        assert service_level(records, threshold=20, formula=formula) == service_level(
            ICMI, threshold=20, formula=formula
        )
    assert abandonment_rate(records) == abandonment_rate(ICMI)


def test_queue_metrics_read_answers_from_messages_like_first_response_time():
    chat = Interaction(
        id="c",
        customer_id="a",
        start=T0,
        end=T0 + timedelta(minutes=30),
        messages=(
            csmetrics.Message(at=T0, author="customer"),
            csmetrics.Message(at=T0 + timedelta(seconds=5), author="bot"),
            csmetrics.Message(at=T0 + timedelta(seconds=15), author="agent"),
        ),
    )
    result = service_level([chat], threshold=20)
    assert (result.answered, result.answered_within, result.unanswered) == (1, 1, 0)
    assert asa([chat]).value == 15.0


def test_abandoned_contact_is_not_answered_by_a_later_agent_message():
    left = Interaction(
        id="a",
        customer_id="c",
        start=T0,
        end=T0 + timedelta(seconds=30),
        abandoned=True,
        messages=(csmetrics.Message(at=T0 + timedelta(seconds=10), author="agent"),),
    )
    result = service_level([left], threshold=20)
    assert (result.answered, result.abandoned, result.denominator) == (0, 1, 1)
    with pytest.warns(csmetrics.UndefinedMetricWarning):
        assert asa([left]).n == 0


def test_abandonment_rate_counts_waiting_contacts():
    waiting = Interaction(id="w", customer_id="q", start=T0, agent_id="amy")
    answered = Interaction(id="a", customer_id="r", start=T0, first_response_at=T0, agent_id="bo")
    with pytest.warns(csmetrics.UndefinedMetricWarning, match="1 of 2 groups"):
        result = abandonment_rate([waiting, answered], by="agent_id")
    assert (result["amy"].waiting, result["amy"].denominator) == (1, 0)
