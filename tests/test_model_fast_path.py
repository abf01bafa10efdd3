"""The model's fast constructors accept and refuse exactly what the full checks do.

`Interaction` and `Survey` take the common record (str or int ids, aware
datetimes, bool flags) through a few identity tests and everything else
through the full conversion and checks (decision 81). These tests build each
drawn record both ways and compare: the same fields, or the same error.
"""

from __future__ import annotations

import copy
import pickle
from datetime import datetime, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo

import attrs
import numpy as np
import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from csmetrics import Interaction, InvalidDataError, Message, Survey
from csmetrics.core.model import RARE_FIELDS

T0 = datetime(2026, 3, 2, 9, tzinfo=timezone.utc)
BERLIN = ZoneInfo("Europe/Berlin")

KEYS = st.sampled_from(
    ["a", "", 7, -(2**63), 2**63, True, None, np.int64(3), np.str_("n"), 1.5, "x\0"]
)
TIMES = st.sampled_from(
    [
        T0,
        T0 + timedelta(minutes=5),
        T0 - timedelta(minutes=5),
        T0.astimezone(BERLIN),
        (T0 + timedelta(hours=1)).astimezone(timezone(timedelta(hours=-5))),
        datetime(2026, 3, 2, 9, 30),  # naive
        datetime(1, 1, 1, 0, 30, tzinfo=timezone(timedelta(hours=1))),  # before year 1 UTC
        datetime(9999, 12, 31, 23, tzinfo=timezone(timedelta(hours=-2))),  # after 9999 UTC
        datetime(1, 1, 1, tzinfo=timezone.utc),
        datetime.max.replace(tzinfo=timezone.utc),
        "2026-03-02T09:00Z",
        None,
    ]
)
FLAGS = st.sampled_from([False, True, np.bool_(True), 0, 1, "yes", None])
SECONDS = st.sampled_from([None, 0, 12, 12.5, -1.0, float("nan"), float("inf"), True, "5"])
MESSAGES = st.sampled_from(
    [
        (),
        [],
        [Message(at=T0 + timedelta(minutes=1), author="agent")],
        (Message(at=T0 - timedelta(minutes=1), author="agent"),),
        ("hello",),
    ]
)


def _full(cls: type[Any], fields: dict[str, Any]) -> Any:
    """``cls(**fields)`` built through the full conversion and checks only."""
    record = object.__new__(cls)
    for field in attrs.fields(cls):
        value = fields.get(field.name, field.default)
        object.__setattr__(record, field.name, value)
    record._convert()
    record._check()
    return record


def _outcome(build: Any) -> tuple[str, Any]:
    try:
        record = build()
    except InvalidDataError as err:
        return "error", str(err)
    return "record", tuple(
        (name, type(value), value) for name, value in attrs.asdict(record, recurse=False).items()
    )


def _same_both_ways(cls: type[Any], fields: dict[str, Any]) -> None:
    fast = _outcome(lambda: cls(**fields))
    full = _outcome(lambda: _full(cls, fields))
    assert repr(fast) == repr(full)


INTERACTION_POOLS: dict[str, st.SearchStrategy[Any]] = {
    "id": KEYS,
    "customer_id": KEYS,
    "start": TIMES,
    "end": TIMES,
    "first_response_at": TIMES,
    "resolved": FLAGS,
    "abandoned": FLAGS,
    "blocked": FLAGS,
    "escalated": FLAGS,
    "complaint": FLAGS,
    "channel": KEYS,
    "agent_id": KEYS,
    "issue_id": KEYS,
    "escalated_to": KEYS,
    "talk_seconds": SECONDS,
    "wrap_seconds": SECONDS,
    "messages": MESSAGES,
}
SURVEY_POOLS: dict[str, st.SearchStrategy[Any]] = {
    "id": KEYS,
    "kind": st.sampled_from(["nps", "csat", "ces", "rating", "fcr", "happiness", 3]),
    "score": st.sampled_from(
        [
            0,
            1,
            5,
            7,
            9,
            10,
            11,
            -1,
            4.5,
            9.0,
            9.5,
            float("nan"),
            True,
            False,
            "9",
            None,
            np.int64(9),
            np.float64(4.0),
            np.bool_(True),
        ]
    ),
    "at": TIMES,
    "customer_id": KEYS,
    "interaction_id": KEYS,
    "agent_id": KEYS,
    "scale": st.sampled_from([None, (1, 7), (0, 10), (5, 1), "1..5"]),
}


@st.composite
def _changed(
    draw: st.DrawFn, base: dict[str, Any], pools: dict[str, st.SearchStrategy[Any]]
) -> dict[str, Any]:
    """A valid record's fields with one to three of them replaced by any drawn value.

    Changing few fields of a valid record reaches each check on its own
    (an end before the start with everything else fine), which drawing
    every field at random almost never does.
    """
    fields = dict(base)
    names = draw(st.lists(st.sampled_from(sorted(pools)), min_size=1, max_size=3, unique=True))
    for name in names:
        fields[name] = draw(pools[name])
    return fields


VALID_CONTACT = {
    "id": "a",
    "customer_id": "c",
    "start": T0,
    "end": T0 + timedelta(minutes=5),
    "resolved": True,
    "channel": "chat",
}
VALID_ANSWER = {"id": "s", "kind": "nps", "score": 9, "at": T0, "customer_id": "c"}


@given(_changed(VALID_CONTACT, INTERACTION_POOLS))
@example({**VALID_CONTACT, "resolved": False, "first_response_at": T0, "blocked": True})
@example({**VALID_CONTACT, "first_response_at": T0, "abandoned": True})
@example({**VALID_CONTACT, "end": None, "resolved": False, "abandoned": True})
@example({**VALID_CONTACT, "escalated_to": "tier2"})
@example({**VALID_CONTACT, "first_response_at": T0 - timedelta(seconds=1)})
def test_interaction_fast_path_agrees_with_the_full_checks(fields: dict[str, Any]) -> None:
    _same_both_ways(Interaction, fields)
    try:
        record = Interaction(**fields)
    except InvalidDataError:
        return
    assert record._gives_rare is _gives_rare(record)


def _gives_rare(record: Interaction) -> bool:
    """Whether ``record`` holds another value than the default in any of `RARE_FIELDS`."""
    defaults = attrs.fields_dict(Interaction)
    return any(getattr(record, name) != defaults[name].default for name in RARE_FIELDS)


@pytest.mark.parametrize(
    "fields",
    [
        {},
        {"talk_seconds": 0},
        {"messages": [Message(at=T0 + timedelta(minutes=1), author="agent")]},
        {"escalated": True, "escalated_to": "tier2"},
        {"priority": ""},  # missing, as None
    ],
)
def test_pickled_and_copied_records_note_the_rare_fields(fields: dict[str, Any]) -> None:
    record = Interaction(**{**VALID_CONTACT, **fields})
    for again in (pickle.loads(pickle.dumps(record)), copy.copy(record), copy.deepcopy(record)):
        assert again == record
        assert again._gives_rare is record._gives_rare is _gives_rare(record)
    assert "_gives_rare" not in attrs.fields_dict(Interaction)


@given(_changed(VALID_ANSWER, SURVEY_POOLS))
@example({**VALID_ANSWER, "score": 9.5})
@example({**VALID_ANSWER, "kind": "csat", "score": 6})
def test_survey_fast_path_agrees_with_the_full_checks(fields: dict[str, Any]) -> None:
    _same_both_ways(Survey, fields)


def test_common_record_keeps_its_values_and_types() -> None:
    record = Interaction(id="a", customer_id=7, start=T0, end=T0 + timedelta(minutes=3))
    assert (record.id, record.customer_id, record.resolved, record.messages) == ("a", 7, False, ())
    answer = Survey(id=1, kind="nps", score=9, at=T0, agent_id="max")
    assert (answer.id, answer.score, answer.effective_scale) == (1, 9, (0, 10))


@pytest.mark.parametrize(
    ("fields", "field", "value"),
    [
        ({"id": np.int64(5)}, "id", 5),
        ({"channel": ""}, "channel", None),
        ({"resolved": np.bool_(True), "end": T0}, "resolved", True),
        (
            {"messages": [Message(at=T0, author="agent")]},
            "messages",
            (Message(at=T0, author="agent"),),
        ),
    ],
)
def test_values_outside_the_fast_path_are_converted(
    fields: dict[str, Any], field: str, value: object
) -> None:
    record = Interaction(**{"id": "a", "customer_id": "c", "start": T0, **fields})
    assert getattr(record, field) == value
    assert type(getattr(record, field)) is type(value)


def test_evolve_checks_the_new_values() -> None:
    record = Interaction(id="a", customer_id="c", start=T0, end=T0 + timedelta(minutes=3))
    with pytest.raises(InvalidDataError, match=r"'end'.*before start"):
        attrs.evolve(record, end=T0 - timedelta(minutes=1))
    assert attrs.evolve(record, channel="").channel is None
