"""Columns of `Interactions.from_records`: keys by numpy or by dict, times by parts, agree."""

from __future__ import annotations

import operator
from datetime import datetime, timedelta, timezone

import attrs
import numpy as np
import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from csmetrics import Interaction, Interactions, InvalidDataError, Survey, Surveys
from csmetrics.core import table as table_module
from csmetrics.core.table import (
    OPEN,
    Encoded,
    _encode,
    _packed_keys,
    _record_keys,
    _record_times,
    to_micros,
)

T0 = datetime(2026, 1, 5, tzinfo=timezone.utc)


class Row:
    """A record with one attribute, as `_record_keys` reads it."""

    __slots__ = ("key",)

    def __init__(self, key: object) -> None:
        self.key = key


def dict_path(values: list[object], *, required: bool) -> tuple[list[int], list[object]]:
    """The general encoding of an object column (`_encode`), as plain lists."""
    coded = _encode("key", np.array(values, dtype=object), required=required, ids=None)
    return coded.codes.tolist(), coded.keys.tolist()


def test_texts_of_different_lengths_sort_as_python_sorts() -> None:
    values = ["b", "ab", "a", "", "ba", "a", "abc"]
    coded = _packed_keys(values, str)
    assert coded is not None
    # sorted(): "a" < "ab" < "abc" < "b" < "ba"; "" is missing (-1).
    assert coded.keys.tolist() == ["a", "ab", "abc", "b", "ba"]
    assert coded.codes.tolist() == [3, 1, 0, -1, 4, 0, 2]
    assert coded.codes.dtype == np.int32
    assert coded.keys.dtype == np.dtype("<U3")


def test_texts_of_one_length_longer_than_one_word() -> None:
    values = ["I000000010", "I000000002", "I000000010", "J000000000"]
    coded = _packed_keys(values, str)
    assert coded is not None
    assert coded.keys.tolist() == ["I000000002", "I000000010", "J000000000"]
    assert coded.codes.tolist() == [1, 0, 1, 2]


def test_ints_sort_numerically() -> None:
    coded = _packed_keys([10, -3, 2, 10], int)
    assert coded is not None
    assert coded.keys.tolist() == [-3, 2, 10]
    assert coded.codes.tolist() == [2, 0, 1, 2]


@pytest.mark.parametrize(
    ("values", "kind"),
    [
        (["é", "a"], str),  # not ASCII
        (["a" * 33, "b"], str),  # beyond four words
        (["a\0", "a"], str),  # a NUL numpy would drop
        ([2**63, 1], int),  # beyond int64
    ],
)
def test_keys_the_packed_path_leaves_to_the_dict_path(values: list[object], kind: type) -> None:
    assert _packed_keys(values, kind) is None


def test_required_key_missing_still_names_the_record() -> None:
    rows = [Row("a"), Row(""), Row("b")]
    with pytest.raises(InvalidDataError, match="key"):
        _record_keys(rows, "key", required=True, ids=None)


def test_from_records_ids_of_two_words_keep_their_order() -> None:
    contacts = [
        Interaction(id=f"contact-{i:03d}", customer_id=f"c{i % 2}", start=T0) for i in (5, 1, 3)
    ]
    table = Interactions.from_records(contacts)
    assert table.id.keys.tolist() == ["contact-001", "contact-003", "contact-005"]
    assert table.id.codes.tolist() == [2, 0, 1]
    assert table.customer_id.keys.tolist() == ["c1"]
    assert table.customer_id.codes.tolist() == [0, 0, 0]


texts = st.text(alphabet=st.sampled_from("a\x01AZz~ 09é"), max_size=20)


@given(st.lists(texts, min_size=1, max_size=40), st.booleans())
@example(["", ""], False)
@example(["a" * 8, "a" * 7, "a" * 9, "a" * 16, "a" * 17], True)
@example(["ab", "a\x01", "a"], True)
def test_text_keys_agree_with_the_general_encoding(values: list[str], required: bool) -> None:
    rows = [Row(value) for value in values]
    if required and "" in values:
        with pytest.raises(InvalidDataError):
            _record_keys(rows, "key", required=True, ids=None)
        return
    coded = _record_keys(rows, "key", required=required, ids=None)
    assert (coded.codes.tolist(), coded.keys.tolist()) == dict_path(values, required=required)
    assert coded.keys.dtype.kind == "U"


@given(st.lists(st.integers(-(2**63), 2**63 - 1), min_size=1, max_size=40))
@example([-(2**63), 2**63 - 1, 0])
def test_int_keys_agree_with_the_general_encoding(values: list[int]) -> None:
    coded = _record_keys([Row(value) for value in values], "key", required=True, ids=None)
    assert (coded.codes.tolist(), coded.keys.tolist()) == dict_path(values, required=True)
    assert coded.keys.dtype == np.int64


def test_times_before_and_after_the_epoch_to_the_microsecond() -> None:
    moments = [
        datetime(1969, 12, 31, 23, 59, 59, 999_999, tzinfo=timezone.utc),
        None,
        datetime(2026, 1, 5, 1, 0, 0, 1, tzinfo=timezone(timedelta(hours=1))),
        datetime(1, 1, 1, tzinfo=timezone.utc),
        datetime(9999, 12, 31, 23, 59, 59, 999_999, tzinfo=timezone.utc),
    ]
    micros = _record_times([Row(moment) for moment in moments], "key")
    assert micros.tolist() == [
        -1,
        OPEN,
        1_767_571_200_000_001,  # 2026-01-05T00:00:00.000001Z
        -62_135_596_800_000_000,
        253_402_300_799_999_999,
    ]


offsets = st.integers(-23 * 60, 23 * 60).map(lambda m: timezone(timedelta(minutes=m)))
moments = st.datetimes(
    min_value=datetime(2, 1, 1), max_value=datetime(9998, 12, 31), timezones=st.just(timezone.utc)
) | st.builds(
    lambda moment, zone: moment.replace(tzinfo=zone),
    st.datetimes(min_value=datetime(2, 1, 1), max_value=datetime(9998, 12, 31)),
    offsets,
)


@given(st.lists(st.none() | moments, min_size=1, max_size=30))
def test_times_agree_with_to_micros(values: list[datetime | None]) -> None:
    micros = _record_times([Row(value) for value in values], "key")
    assert micros.tolist() == [OPEN if v is None else to_micros(v) for v in values]


def table_columns(table: Interactions) -> dict[str, object]:
    """Every column of a table as plain values with its dtype (messages as their columns)."""
    out: dict[str, object] = {}
    for name in type(table)._COLUMNS:
        value = getattr(table, name)
        if isinstance(value, Encoded):
            out[name] = (
                value.codes.tolist(),
                value.codes.dtype,
                value.keys.tolist(),
                value.keys.dtype,
            )
        elif name == "messages":
            out[name] = [(f, getattr(value, f).tolist()) for f in ("interaction", "at", "author")]
        else:
            array = np.asarray(value)
            out[name] = ([repr(v) for v in array.tolist()], array.dtype)  # nan as "nan"
    return out


def test_rarely_given_fields_absent_build_the_same_table(monkeypatch: pytest.MonkeyPatch) -> None:
    contacts = [
        Interaction(
            id=f"i{i}",
            customer_id="c",
            start=T0,
            end=T0 + timedelta(minutes=i),
            resolved=i % 2 == 0,
            channel="chat",
        )
        for i in range(5)
    ]
    shortcut = table_columns(Interactions.from_records(contacts))
    # As if every record gave a rarely given field: every field is read one by one.
    monkeypatch.setattr(table_module, "_GIVES_RARE", lambda record: True)
    assert table_columns(Interactions.from_records(contacts)) == shortcut
    assert len(shortcut) == len(Interactions._COLUMNS)


def test_records_made_without_the_constructor_read_every_field() -> None:
    # A subclass's own constructor (attrs generates one) sets the fields but
    # not the note of rarely given fields: every field is read.
    contacts = [
        Interaction(id="a", customer_id="c", start=T0, end=T0 + timedelta(minutes=1)),
        Interaction(id="b", customer_id="c", start=T0, talk_seconds=12.5, tier="gold"),
    ]
    bare = []
    for contact in contacts:
        copy = object.__new__(Interaction)
        for field in attrs.fields(Interaction):
            object.__setattr__(copy, field.name, getattr(contact, field.name))
        bare.append(copy)
    assert not hasattr(bare[0], "_gives_rare")
    expected = table_columns(Interactions.from_records(contacts))
    assert table_columns(Interactions.from_records(bare)) == expected
    assert table_columns(Interactions.from_records(bare[:1])) == table_columns(
        Interactions.from_records(contacts[:1])
    )


@pytest.mark.parametrize("name", ["first_response_at", "talk_seconds", "escalated", "tier"])
def test_one_rarely_given_field_is_read(name: str) -> None:
    value = {
        "first_response_at": T0 + timedelta(seconds=30),
        "talk_seconds": 12.5,
        "escalated": True,
        "tier": "gold",
    }[name]
    contacts = [
        Interaction(id="a", customer_id="c", start=T0),
        Interaction(id="b", customer_id="c", start=T0, **{name: value}),  # type: ignore[arg-type]
    ]
    table = Interactions.from_records(contacts)
    column = getattr(table, "first_response" if name == "first_response_at" else name)
    if isinstance(column, Encoded):
        assert column.codes.tolist() == [-1, 0]
        assert column.keys.tolist() == ["gold"]
    elif name == "first_response_at":
        assert column.tolist() == [OPEN, to_micros(T0) + 30_000_000]
    elif name == "talk_seconds":
        assert np.isnan(column[0])
        assert column[1] == 12.5
    else:
        assert column.tolist() == [False, True]


@given(st.lists(texts, min_size=1, max_size=4), st.lists(st.integers(0, 3), min_size=64))
def test_few_distinct_keys_agree_with_the_packed_and_general_encodings(
    pool: list[str], picks: list[int]
) -> None:
    # At most four distinct keys in 64 or more rows: `_record_keys` takes the dict path.
    values = [pool[i % len(pool)] for i in picks]
    coded = _record_keys([Row(value) for value in values], "key", required=False, ids=None)
    expected = dict_path(values, required=False)
    assert (coded.codes.tolist(), coded.keys.tolist()) == expected
    packed = _packed_keys(values, str)
    if packed is not None:  # texts beyond ASCII are left to the dict path
        assert (packed.codes.tolist(), packed.keys.tolist()) == expected


@pytest.mark.parametrize(
    ("values", "codes"),
    [
        (["I01", "I02", "I10"], [0, 1, 2]),  # increasing: row i is code i
        (["", "a", "b"], [-1, 0, 1]),  # "" first, then increasing
        (["a" * 9, "a" * 8 + "b", "a" * 8 + "b"], [0, 1, 1]),  # equal neighbours
        (["a" * 8 + "b", "a" * 9], [1, 0]),  # second word decreases
        (["b" + "a" * 8, "a" * 9 + "b"], [1, 0]),  # first word decreases
        (["a" * 9, "a" * 10], [0, 1]),  # a text before its extension
    ],
)
def test_rows_in_order_and_out_of_order(values: list[str], codes: list[int]) -> None:
    coded = _packed_keys(values, str)
    assert coded is not None
    assert coded.codes.tolist() == codes
    assert coded.keys.tolist() == sorted(set(values) - {""})


@given(
    st.integers(1, 4).flatmap(
        lambda words: st.lists(
            st.lists(st.sampled_from([0, 1, 2, 2**64 - 1]), min_size=words, max_size=words),
            max_size=8,
        )
    )
)
@example([[1, 2], [1, 3], [2, 0]])
@example([[1, 2], [1, 2]])
@example([[2, 0], [1, 5]])
def test_rows_increase_as_python_compares_tuples(rows: list[list[int]]) -> None:
    columns = np.array(rows, dtype=np.uint64).reshape(len(rows), -1 if rows else 1)
    expected = all(map(operator.lt, map(tuple, rows), map(tuple, rows[1:])))
    assert table_module._increasing(columns) is expected


def test_surveys_on_a_scale_of_their_own_among_default_scales() -> None:
    answers = [
        Survey(id="a", kind="csat", score=4, at=T0),
        Survey(id="b", kind="csat", score=7, at=T0, scale=(1, 10)),
        Survey(id="c", kind="ces", score=2, at=T0),
        Survey(id="d", kind="csat", score=0, at=T0, scale=(0, 3)),
    ]
    table = Surveys.from_records(answers)
    assert table.scale_low.tolist() == [1, 1, 1, 0]
    assert table.scale_high.tolist() == [5, 10, 7, 3]
