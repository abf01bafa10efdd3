"""Sale, Outage and AgentTime records and their columnar tables."""

from __future__ import annotations

import math
from datetime import datetime, timedelta, timezone

import numpy as np
import pytest

from csmetrics import AgentTime, AgentTimes, InvalidDataError, Outage, Sale, Sales

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)


@pytest.mark.parametrize("amount", [math.nan, math.inf, True, "10"])
def test_sale_amount_must_be_a_finite_number(amount):
    with pytest.raises(InvalidDataError, match=r"'s1'.*amount"):
        Sale(id="s1", customer_id="a", at=T0, amount=amount)


def test_sale_needs_aware_time():
    with pytest.raises(InvalidDataError, match=r"'s1'.*'at'.*naive"):
        Sale(id="s1", customer_id="a", at=datetime(2026, 3, 2), amount=5.0)


def test_sales_table_from_records_and_columns_agree():
    sales = [
        Sale(id="s1", customer_id="a", at=T0, amount=19.5),
        Sale(id="s2", customer_id="b", at=T0 + timedelta(hours=1), amount=-5),
    ]
    from_records = Sales.from_records(sales)
    from_columns = Sales.from_columns(
        {
            "id": ["s1", "s2"],
            "customer_id": ["a", "b"],
            "at": np.array(["2026-03-02T09:00", "2026-03-02T10:00"], dtype="datetime64[us]"),
            "amount": [19.5, -5.0],
        }
    )
    assert from_records.amount.tolist() == from_columns.amount.tolist() == [19.5, -5.0]
    assert from_records.at.tolist() == from_columns.at.tolist()
    assert len(from_records) == 2


def test_sales_columns_reject_duplicate_ids_and_bad_amounts():
    base = {"customer_id": ["a", "b"], "at": [T0, T0]}
    with pytest.raises(InvalidDataError, match="duplicate id"):
        Sales.from_columns({"id": ["s", "s"], "amount": [1.0, 2.0], **base})
    with pytest.raises(InvalidDataError, match=r"'t'.*amount"):
        Sales.from_columns({"id": ["s", "t"], "amount": [1.0, np.nan], **base})


def test_outage_end_not_before_start():
    with pytest.raises(InvalidDataError, match="end"):
        Outage(start=T0, end=T0 - timedelta(minutes=1))
    assert Outage(start=T0).end is None


def test_agent_time_state_and_order():
    with pytest.raises(InvalidDataError, match=r"state.*'lunch'"):
        AgentTime(agent_id="x", start=T0, end=T0, state="lunch")  # type: ignore[arg-type]
    with pytest.raises(InvalidDataError, match="end"):
        AgentTime(agent_id="x", start=T0, end=T0 - timedelta(seconds=1), state="handling")


def test_agent_times_table():
    spans = [
        AgentTime(agent_id="x", start=T0, end=T0 + timedelta(minutes=5), state="handling"),
        AgentTime(agent_id="y", start=T0, end=T0 + timedelta(minutes=2), state="break"),
    ]
    table = AgentTimes.from_records(spans)
    assert table.state.tolist() == [0, 3]
    assert (table.end - table.start).tolist() == [300_000_000, 120_000_000]
    with pytest.raises(InvalidDataError, match=r"state.*'nap'"):
        AgentTimes.from_columns({"agent_id": ["x"], "start": [T0], "end": [T0], "state": ["nap"]})
