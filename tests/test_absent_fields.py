"""A field the input did not give is absent, never read as data (decision 46).

Every contact metric raises `InvalidDataError` naming a field of its catalogue
entry's ``needs`` that the input did not give, and only then; a flag column
that is given but all false is data.
"""

from __future__ import annotations

import warnings
from datetime import datetime, timedelta, timezone
from typing import Any

import numpy as np
import pytest

import csmetrics
from csmetrics import catalog
from csmetrics.core.errors import InvalidDataError
from csmetrics.core.table import OPTIONAL_FIELDS, Interactions

T0 = datetime(2026, 3, 2, 9, tzinfo=timezone.utc)
N = 6


def at(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)


def columns() -> dict[str, Any]:
    """Six valid contacts with every optional column."""
    return {
        "id": [f"i{k}" for k in range(N)],
        "customer_id": ["c1", "c1", "c2", "c2", "c3", "c3"],
        "start": [at(60 * k) for k in range(N)],
        "end": [at(60 * k + 10) for k in range(N)],
        "first_response_at": [at(60 * k + 1) for k in range(N - 1)] + [None],
        "resolved": [True, False, True, True, False, False],
        "abandoned": [False] * (N - 1) + [True],
        "blocked": [False] * N,
        "escalated": [True, False, False, False, False, False],
        "escalated_to": ["tier2", None, None, None, None, None],
        "complaint": [False, True, False, False, False, False],
        "talk_seconds": [300.0] * N,
        "hold_seconds": [0.0] * N,
        "wrap_seconds": [30.0] * N,
        "channel": ["chat", "chat", "phone", "phone", "email", "email"],
        "agent_id": ["a1", "a2", "a1", "a2", "a1", "a2"],
        "issue_id": ["t1", "t1", "t2", "t3", "t4", "t4"],
        "category": ["billing", "billing", "login", "login", "billing", "login"],
        "priority": ["P1", "P2", "P1", "P2", "P1", "P2"],
        "tier": ["t1"] * N,
    }


MESSAGES = {
    "interaction_id": ["i0", "i0", "i1"],
    "at": [at(0), at(2), at(61)],
    "author": ["customer", "agent", "customer"],
}


def table_without(*absent: str) -> Interactions:
    cols = {name: values for name, values in columns().items() if name not in absent}
    if "end" in absent:  # every contact is open: none resolved or abandoned
        cols.update({flag: [False] * N for flag in ("resolved", "abandoned") if flag in cols})
    messages = None if "messages" in absent else MESSAGES
    return Interactions.from_columns(cols, messages=messages)


POLICY = csmetrics.SLAPolicy(rules=[csmetrics.SLARule(first_response=3600)])
OPTIONS: dict[str, dict[str, Any]] = {
    "service_level": {"threshold": 60},
    "sla_attainment": {},
    "cohort_retention": {
        "baseline": csmetrics.Window(start=at(0), end=at(150)),
        "current": csmetrics.Window(start=at(150), end=at(400)),
    },
}
# Needs that come from an option rather than the defaults: the policy's targets.
EXTRA: dict[str, tuple[str, ...]] = {"sla_attainment": ("first_response_at",)}
ALTERNATIVE = {"first_response_at": "messages"}
CONTACT_METRICS = [e.name for e in catalog.entries() if e.input == "contacts"]


def call(name: str, table: Interactions) -> object:
    entry = catalog.get(name)
    args: tuple[Any, ...] = (table, POLICY) if name == "sla_attainment" else (table,)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", csmetrics.UndefinedMetricWarning)
        return entry.function(*args, **OPTIONS.get(name, {}))


def expected_missing(name: str, absent: set[str]) -> set[str]:
    needs = set(catalog.get(name).needs) | set(EXTRA.get(name, ()))
    return {
        field
        for field in needs & absent
        if not (field in ALTERNATIVE and ALTERNATIVE[field] not in absent)
    }


def test_every_optional_field_is_known_to_the_table() -> None:
    assert set(columns()) | {"messages"} == OPTIONAL_FIELDS | {"id", "customer_id", "start"}
    full = table_without()
    assert full.given == OPTIONAL_FIELDS
    assert all(full.has(field) for field in OPTIONAL_FIELDS)
    with pytest.raises(ValueError, match="not a contact field"):
        full.has("resolution")


@pytest.mark.parametrize("name", CONTACT_METRICS)
def test_a_metric_runs_when_every_field_is_given(name: str) -> None:
    call(name, table_without())


@pytest.mark.parametrize("name", CONTACT_METRICS)
@pytest.mark.parametrize(
    "absent",
    [
        *({field} for field in sorted(OPTIONAL_FIELDS)),
        {"first_response_at", "messages"},
    ],
    ids=lambda absent: "+".join(sorted(absent)),
)
def test_a_metric_raises_exactly_when_a_field_it_needs_is_absent(
    name: str, absent: set[str]
) -> None:
    if "escalated" in absent and "escalated_to" not in absent:
        absent = absent | {"escalated_to"}  # escalated_to is only valid with escalated
    table = table_without(*absent)
    missing = expected_missing(name, absent)
    if missing:
        with pytest.raises(InvalidDataError, match=f"{name} needs the") as err:
            call(name, table)
        assert any(repr(field) in str(err.value) for field in missing)
    else:
        call(name, table)


def test_an_all_false_flag_column_is_data_not_absence() -> None:
    cols = columns()
    cols["resolved"] = [False] * N
    table = Interactions.from_columns(cols)
    assert table.has("resolved")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", csmetrics.UndefinedMetricWarning)
        assert csmetrics.resolution_rate(table).value == 0.0
    without = table_without("resolved")
    assert not without.has("resolved")
    with pytest.raises(InvalidDataError, match="fcr needs the 'resolved' field"):
        csmetrics.fcr(without)
    with pytest.raises(InvalidDataError, match="resolution_rate needs the 'resolved' field"):
        csmetrics.resolution_rate(without)


def test_the_fields_given_survive_take_and_periods() -> None:
    table = table_without("resolved", "complaint")
    part = table.take(np.arange(2))
    assert part.given == table.given
    with pytest.raises(InvalidDataError, match="'complaint'"):
        csmetrics.complaint_rate(part)
    window = csmetrics.Window(start=at(0), end=at(90))
    with pytest.raises(InvalidDataError, match="'resolved'"):
        csmetrics.fcr(table, period=window, by="agent_id")


def test_records_give_every_field() -> None:
    # An Interaction states each field (a flag defaults to False: no), so a
    # list of them is never missing a column; a part of a list is the same.
    contacts = [
        csmetrics.Interaction(id=str(k), customer_id="c", start=at(k), end=at(k + 1))
        for k in range(3)
    ]
    table = Interactions.from_records(contacts)
    assert table.given == OPTIONAL_FIELDS
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", csmetrics.UndefinedMetricWarning)
        assert csmetrics.escalation_rate(contacts).value == 0.0
        assert csmetrics.resolution_rate(contacts[:1]).value == 0.0


def test_frames_give_the_columns_they_have() -> None:
    pd = pytest.importorskip("pandas")
    pytest.importorskip("narwhals")
    cols = {k: v for k, v in columns().items() if k not in ("resolved", "first_response_at")}
    table = Interactions.from_frame(pd.DataFrame(cols))
    assert not table.has("resolved")
    assert table.has("escalated")
    with pytest.raises(InvalidDataError, match="asa needs the 'first_response_at' field"):
        csmetrics.asa(table)
