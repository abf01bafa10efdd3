"""Key encoding: every fast path gives the codes of the sorted distinct keys.

The reference is the definition itself: the keys are the sorted distinct
present values, a row's code is its key's position among them, -1 where
the key is missing. It is computed here with `numpy.unique` on the present
values alone, independently of the table's counting and hashing paths.
"""

from __future__ import annotations

from datetime import datetime, timezone
from unittest import mock

import numpy as np
import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from csmetrics import Interaction, Interactions, InvalidDataError
from csmetrics.core import table as table_module
from csmetrics.core.table import OPEN, Chunked, Encoded, _encode, to_micros

INT_DTYPES = ("int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64")


def _reference(values: np.ndarray, present: np.ndarray) -> tuple[list[int], list[object]]:
    keys, inverse = np.unique(values[present], return_inverse=True)
    codes = np.full(len(values), -1, dtype=np.int64)
    codes[present] = inverse.reshape(-1)
    return codes.tolist(), keys.tolist()


@st.composite
def int_columns(draw: st.DrawFn) -> tuple[np.ndarray, np.ndarray]:
    """An integer key column and its presence mask: compact or sparse ranges, any width."""
    dtype = np.dtype(draw(st.sampled_from(INT_DTYPES)))
    info = np.iinfo(dtype)
    n = draw(st.integers(min_value=0, max_value=60))
    low = draw(st.integers(min_value=int(info.min), max_value=int(info.max)))
    spread = draw(st.sampled_from([1, 3, 50, 2**40]))
    high = min(int(info.max), low + spread)
    values = draw(st.lists(st.integers(min_value=low, max_value=high), min_size=n, max_size=n))
    present = draw(st.lists(st.booleans(), min_size=n, max_size=n))
    return np.array(values, dtype=dtype), np.array(present, dtype=bool)


@given(column=int_columns())
@example(column=(np.array([5, 7, 6], dtype=np.int64), np.array([True, True, True])))
@example(column=(np.array([5, 0, 7], dtype=np.int64), np.array([True, False, True])))
@example(column=(np.array([0, 0], dtype=np.int64), np.array([False, False])))
@example(column=(np.array([2**63 - 1, -(2**63)], dtype=np.int64), np.array([True, False])))
def test_integer_keys_encode_as_the_sorted_distinct_present_values(column):
    values, present = column
    if values.dtype == np.uint64 and (values[present] > 2**63 - 1).any():
        return  # refused as beyond int64 (tested with the table's errors)
    # Values under the mask are arbitrary: the encoding must not read them.
    garbage = np.where(present, values, values[::-1] if len(values) else values)
    masked = np.ma.MaskedArray(garbage, mask=~present)
    encoded = _encode("issue_id", masked, required=False, ids=None)
    codes, keys = _reference(values.astype(np.int64), present)
    assert encoded.codes.tolist() == codes
    assert encoded.keys.tolist() == keys
    assert encoded.codes.dtype == np.int32
    if present.all():
        plain = _encode("issue_id", values, required=False, ids=None)
        assert plain.codes.tolist() == codes
        assert plain.keys.tolist() == keys
        assert plain.keys.dtype == encoded.keys.dtype


@given(column=int_columns(), block=st.sampled_from([1, 2, 3, 7]))
@example(
    column=(np.array([9, 4, 9, 6, 4, 5], dtype=np.int64), np.array([1, 1, 0, 1, 1, 0], dtype=bool)),
    block=4,
)
def test_integer_keys_encode_the_same_in_blocks_of_any_size(column, block):
    """The counting encoding's blocks (a row's offset, its code, its -1) join at every boundary."""
    values, present = column
    if values.dtype == np.uint64 and (values[present] > 2**63 - 1).any():
        return
    garbage = np.where(present, values, values[::-1] if len(values) else values)
    codes, keys = _reference(values.astype(np.int64), present)
    with mock.patch.object(table_module, "_ENCODE_BLOCK", block):
        masked = _encode(
            "issue_id", np.ma.MaskedArray(garbage, mask=~present), required=False, ids=None
        )
        plain = _encode("issue_id", values, required=False, ids=None) if present.all() else None
    assert masked.codes.tolist() == codes
    assert masked.keys.tolist() == keys
    if plain is not None:
        assert plain.codes.tolist() == codes
        assert plain.keys.tolist() == keys


@given(column=int_columns(), data=st.data(), block=st.sampled_from([1, 3, 7, 1 << 16]))
def test_integer_keys_in_parts_encode_as_the_joined_column(column, data, block):
    """A reader's chunks, counted where they lie, give the codes and keys of the one array."""
    values, present = column
    if values.dtype == np.uint64 and (values[present] > 2**63 - 1).any():
        return
    cuts = sorted(data.draw(st.lists(st.integers(0, len(values)), max_size=4)))
    parts = tuple(np.split(values, cuts))
    mask = None if present.all() else present
    codes, keys = _reference(values.astype(np.int64), present)
    with mock.patch.object(table_module, "_ENCODE_BLOCK", block):
        encoded = _encode("issue_id", Chunked(parts, mask), required=False, ids=None)
    assert encoded.codes.tolist() == codes
    assert encoded.keys.tolist() == keys
    assert encoded.codes.dtype == np.int32
    if mask is None and len(values):
        joined = _encode("issue_id", values, required=False, ids=None)
        assert encoded.keys.dtype == joined.keys.dtype


def test_dense_keys_in_blocks_hand_computed():
    # 4 rows a block: the blocks [12, 10, 15, 10], [12, absent, 15]; keys 10, 12, 15.
    values = np.ma.MaskedArray(
        np.array([12, 10, 15, 10, 12, 99, 15], dtype=np.int64),
        mask=[False, False, False, False, False, True, False],
    )
    with mock.patch.object(table_module, "_ENCODE_BLOCK", 4):
        encoded = _encode("agent_id", values, required=False, ids=None)
    assert encoded.keys.tolist() == [10, 12, 15]
    assert encoded.codes.tolist() == [1, 0, 2, 0, 1, -1, 2]


def test_masked_integer_keys_hand_computed():
    values = np.ma.MaskedArray(
        np.array([40, 99, 10, 40, -3], dtype=np.int64), mask=[False, True, False, False, True]
    )
    encoded = _encode("agent_id", values, required=False, ids=None)
    assert encoded.keys.tolist() == [10, 40]
    assert encoded.codes.tolist() == [1, -1, 0, 1, -1]


def test_every_key_missing_gives_no_keys():
    values = np.ma.MaskedArray(np.array([1, 2], dtype=np.int64), mask=[True, True])
    encoded = _encode("agent_id", values, required=False, ids=None)
    assert encoded.keys.tolist() == []
    assert encoded.codes.tolist() == [-1, -1]


def pa_dictionary(values: list[str | None]) -> tuple[str, list[str | None]]:
    return ("dictionary", values)


def _arrow_file(tmp_path, pa, pq, **columns):
    base = {
        "id": pa.array([3, 1, 2, 5], pa.int64()),
        "customer_id": pa.array([9, 9, 8, 7], pa.int64()),
        "start": pa.array([0, 1, 2, 3], pa.timestamp("us", tz="UTC")),
    }
    base.update(columns)
    table = pa.table(base)
    path = tmp_path / "contacts.parquet"
    pq.write_table(table, path, row_group_size=2)  # two row groups: chunked columns
    return path, table


@pytest.mark.parametrize(
    "columns",
    [
        {"issue_id": [4, None, 4, 2]},
        {"agent_id": [None, None, None, None]},
        {"channel": ["chat", None, "", "email"]},
        {"resolved": [True, None, False, True], "end": [5, 5, None, 9]},
        {"talk_seconds": [1.5, None, 2.0, 0.0]},
        {"talk_seconds": [1, 2, 3, 4]},
        {"first_response_at": [1, None, 3, 4]},
        {"category": ["b\u00e9", "a", "b\u00e9", "zz"], "agent_id": ["x", "y", None, "x"]},
        {"channel": pa_dictionary(["chat", None, "", "email"])},
        {"channel": pa_dictionary([None, None, None, None])},
    ],
)
def test_parquet_reader_gives_the_table_of_the_frame_reader(tmp_path, columns):
    pa = pytest.importorskip("pyarrow")
    pq = pytest.importorskip("pyarrow.parquet")
    arrays = {}
    for name, values in columns.items():
        if isinstance(values, tuple):  # a dictionary column, as pandas' categoricals are stored
            arrays[name] = pa.array(values[1], pa.string()).dictionary_encode()
            continue
        kind = {
            "issue_id": pa.int64(),
            "agent_id": pa.string() if isinstance(values[0], str) else pa.int64(),
            "channel": pa.string(),
            "category": pa.string(),
            "resolved": pa.bool_(),
            "talk_seconds": pa.float64() if isinstance(values[0], float) else pa.int32(),
            "end": pa.timestamp("us", tz="UTC"),
            "first_response_at": pa.timestamp("ms", tz="Europe/Berlin"),
        }[name]
        arrays[name] = pa.array(values, kind)
    path, table = _arrow_file(tmp_path, pa, pq, **arrays)
    from_file = Interactions.read_parquet(path)
    from_frame = Interactions.from_frame(table)
    assert from_file.given == from_frame.given
    for name in Interactions._COLUMNS:
        if name == "messages":
            continue
        ours, theirs = getattr(from_file, name), getattr(from_frame, name)
        if hasattr(ours, "codes"):
            assert ours.codes.tolist() == theirs.codes.tolist(), name
            assert ours.keys.tolist() == theirs.keys.tolist(), name
            assert ours.keys.dtype == theirs.keys.dtype, name
        else:
            np.testing.assert_array_equal(ours, theirs, err_msg=name)
            assert ours.dtype == theirs.dtype, name


def _contact(id: object, **fields: object) -> Interaction:
    start = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)
    return Interaction(id=id, customer_id="c", start=start, **fields)  # type: ignore[arg-type]


def test_from_records_ids_in_sorted_order_get_their_positions():
    table = Interactions.from_records([_contact("a"), _contact("b"), _contact("c")])
    assert table.id.codes.tolist() == [0, 1, 2]
    assert table.id.keys.tolist() == ["a", "b", "c"]
    assert table.id.codes.dtype == np.int32


def test_from_records_ids_out_of_order_get_their_sorted_positions():
    table = Interactions.from_records([_contact("b"), _contact("c"), _contact("a")])
    assert table.id.codes.tolist() == [1, 2, 0]
    assert table.id.keys.tolist() == ["a", "b", "c"]


def test_from_records_fields_no_record_gives():
    table = Interactions.from_records([_contact(1), _contact(2)])
    assert table.agent_id.codes.tolist() == [-1, -1]
    assert table.agent_id.codes.dtype == np.int32
    assert table.agent_id.keys.dtype == np.int64
    assert table.agent_id.keys.tolist() == []
    assert table.first_response.tolist() == [OPEN, OPEN]
    assert np.isnan(table.talk_seconds).all()
    assert table.talk_seconds.dtype == np.float64


def test_from_records_field_some_records_give():
    later = datetime(2026, 3, 2, 9, 5, tzinfo=timezone.utc)
    table = Interactions.from_records(
        [
            _contact(1, agent_id="x", talk_seconds=3.0, first_response_at=later),
            _contact(2),
        ]
    )
    assert table.agent_id.codes.tolist() == [0, -1]
    assert table.agent_id.keys.tolist() == ["x"]
    assert table.talk_seconds[0] == 3.0
    assert np.isnan(table.talk_seconds[1])
    assert table.first_response.tolist() == [to_micros(later), OPEN]


@pytest.mark.parametrize(
    ("micros", "bad_row"),
    [
        ([0, 253402300799999999, -62135596800000000], None),
        ([0, None, 5], None),
        ([0, 253402300800000000, None], 1),
        ([None, -62135596800000001, 0], 1),
    ],
)
def test_times_out_of_range_are_named_with_and_without_missing_times(micros, bad_row):
    nat = np.iinfo(np.int64).min
    times = np.array([nat if m is None else m for m in micros], dtype=np.int64)
    columns = {
        "id": np.arange(3),
        "customer_id": np.zeros(3, dtype=np.int64),
        "start": np.full(3, -62135596800000000, dtype=np.int64).view("datetime64[us]"),
        "end": times.view("datetime64[us]"),
    }
    if bad_row is None:
        table = Interactions.from_columns(columns)
        assert table.end.tolist() == [OPEN if m is None else m for m in micros]
    else:
        with pytest.raises(InvalidDataError, match=rf"position {bad_row}\).*outside the instants"):
            Interactions.from_columns(columns)


@given(
    texts=st.lists(
        st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), max_size=4).filter(
            lambda t: t == t.strip() and "," not in t and '"' not in t
        ),
        min_size=1,
        max_size=12,
    )
)
@example(texts=["z", "é", "Z", "a", "\U0001f600", "ä", ""])
def test_csv_text_keys_encode_as_the_sorted_distinct_texts(tmp_path_factory, texts):
    pytest.importorskip("pyarrow")
    from csmetrics import read_interactions_csv

    lines = ["id,customer_id,start,agent_id"]
    lines += [f"{i},c,2026-03-02T09:00:00+00:00,{text}" for i, text in enumerate(texts)]
    path = tmp_path_factory.mktemp("csv") / "contacts.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    table = read_interactions_csv(path)
    objects = np.array(texts, dtype=object)
    present = objects != ""
    codes, keys = _reference(objects.astype(str), present)
    assert table.agent_id.codes.tolist() == codes
    assert table.agent_id.keys.tolist() == keys


def test_text_keys_of_several_files_with_their_own_dictionaries(tmp_path):
    pa = pytest.importorskip("pyarrow")
    pq = pytest.importorskip("pyarrow.parquet")
    parts = [
        {"id": [1, 2, 3], "channel": ["web", "chat", None], "agent_id": ["b", "a", "b"]},
        {"id": [4, 5, 6], "channel": ["", "phone", "chat"], "agent_id": ["c", "a", None]},
    ]
    tables = []
    for number, part in enumerate(parts):
        table = pa.table(
            {
                "id": pa.array(part["id"], pa.int64()),
                "customer_id": pa.array([7] * 3, pa.int64()),
                "start": pa.array([0, 1, 2], pa.timestamp("us", tz="UTC")),
                "channel": pa.array(part["channel"], pa.string()),
                "agent_id": pa.array(part["agent_id"], pa.string()),
            }
        )
        pq.write_table(table, tmp_path / f"part-{number}.parquet", row_group_size=2)
        tables.append(table)
    from_files = Interactions.read_parquet(tmp_path)
    from_frame = Interactions.from_frame(pa.concat_tables(tables))
    assert from_files.channel.keys.tolist() == ["chat", "phone", "web"]
    assert from_files.channel.codes.tolist() == [2, 0, -1, -1, 1, 0]
    for name in ("channel", "agent_id"):
        assert getattr(from_files, name).codes.tolist() == getattr(from_frame, name).codes.tolist()
        assert getattr(from_files, name).keys.tolist() == getattr(from_frame, name).keys.tolist()
        assert getattr(from_files, name).keys.dtype == getattr(from_frame, name).keys.dtype


def test_required_text_key_missing_in_a_parquet_file_names_the_row(tmp_path):
    pa = pytest.importorskip("pyarrow")
    pq = pytest.importorskip("pyarrow.parquet")
    table = pa.table(
        {
            "id": pa.array([1, 2, 3], pa.int64()),
            "customer_id": pa.array(["a", "", "b"], pa.string()),
            "start": pa.array([0, 1, 2], pa.timestamp("us", tz="UTC")),
        }
    )
    pq.write_table(table, tmp_path / "contacts.parquet")
    with pytest.raises(InvalidDataError, match=r"record 2 \(position 1\).*customer_id.*required"):
        Interactions.read_parquet(tmp_path / "contacts.parquet")


@given(
    texts=st.lists(
        st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), max_size=4).filter(
            lambda t: t == t.strip() and "," not in t and '"' not in t
        ),
        min_size=2,
        max_size=12,
        unique=True,
    ),
    order=st.sampled_from(["sorted", "reversed", "as drawn"]),
)
@example(texts=["", "a", "b"], order="sorted")
@example(texts=["a", "\u00e9", "\U0001f600", "z"], order="sorted")
def test_csv_text_keys_in_increasing_order_encode_as_any_other(tmp_path_factory, texts, order):
    pytest.importorskip("pyarrow")
    from csmetrics import read_interactions_csv

    if order != "as drawn":
        # numpy's order of texts: by code point, as Arrow's by UTF-8 byte.
        texts = sorted(texts, reverse=order == "reversed")
    lines = ["id,customer_id,start,category"]
    lines += [f"{i},c,2026-03-02T09:00:00+00:00,{text}" for i, text in enumerate(texts)]
    path = tmp_path_factory.mktemp("csv") / "contacts.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    table = read_interactions_csv(path)
    objects = np.array(texts, dtype=object)
    codes, keys = _reference(objects.astype(str), objects != "")
    assert table.category.codes.tolist() == codes
    assert table.category.keys.tolist() == keys
    assert table.category.keys.dtype == np.array(keys or [""], dtype=str).dtype


@st.composite
def csv_key_columns(draw: st.DrawFn) -> list[str]:
    """A CSV key column: ASCII texts of one width (the packed paths) or of any, some empty."""
    width = draw(st.integers(min_value=1, max_value=10))
    alphabet = draw(st.sampled_from(["ab", "AZaz09~!", "".join(map(chr, range(33, 127)))]))
    alphabet = alphabet.replace(",", "").replace('"', "")
    one_width = draw(st.booleans())
    text = st.text(alphabet, min_size=width if one_width else 1, max_size=width)
    n = draw(st.integers(min_value=1, max_value=40))
    texts = draw(st.lists(st.one_of(text, st.just("")), min_size=n, max_size=n))
    order = draw(st.sampled_from(["as drawn", "sorted", "distinct sorted"]))
    if order == "sorted":
        texts = sorted(texts)
    elif order == "distinct sorted":
        texts = sorted(set(texts) - {""}) or ["a"]
    return texts


@given(texts=csv_key_columns(), chunk=st.integers(min_value=1, max_value=50))
@example(texts=["ab", "", "aa", "ab"], chunk=50)  # one width (packed) with an empty cell
@example(texts=["abcdefgh", "abcdefga"], chunk=50)  # 8 bytes: the words are the bytes
@example(texts=["a00000001", "a00000002"], chunk=1)  # ids in order, in two chunks
@example(texts=["", ""], chunk=50)  # every cell empty
def test_arrow_key_paths_give_the_codes_of_the_sorted_distinct_texts(texts, chunk):
    pa = pytest.importorskip("pyarrow")
    from csmetrics.adapters.io import _arrow_keys

    column = pa.chunked_array(
        [
            pa.array([text or None for text in texts[low : low + chunk]], pa.string())
            for low in range(0, len(texts), chunk)
        ]
    )
    objects = np.array(texts, dtype=object)
    codes, keys = _reference(objects.astype(str), objects != "")
    arrow = _arrow_keys(column)
    coded = _encode("category", arrow, required=False, ids=None)
    assert coded.codes.tolist() == codes
    assert coded.keys.tolist() == keys
    assert coded.keys.dtype == np.array(keys or [""], dtype=str).dtype
    if arrow.canonical:
        # The table takes a canonical column as it is: it is what the table
        # makes of the same codes and keys without the promise.
        again = _encode("category", Encoded(arrow.codes, arrow.keys), required=False, ids=None)
        assert again.codes.tolist() == arrow.codes.tolist()
        assert again.keys.tolist() == arrow.keys.tolist()
        assert again.keys.dtype == arrow.keys.dtype


@pytest.mark.parametrize("canonical", [False, True])
def test_a_missing_required_key_of_a_canonical_column_is_named_alike(canonical):
    codes = np.array([0, -1, 1], dtype=np.int32)
    column = Encoded(codes, np.array(["a", "b"]), canonical=canonical)
    with pytest.raises(InvalidDataError) as caught:
        _encode("id", column, required=True, ids=None)
    assert (caught.value.row, caught.value.field, caught.value.value) == (1, "id", None)
    assert "at position 1" in str(caught.value)
    assert "required key is missing" in str(caught.value)


@pytest.mark.parametrize(
    "texts",
    [
        ["b\u00e9", "ab", "b\u00e9"],  # not ASCII: Arrow's hashing of the texts
        ["a\0", "ab", "a\0"],  # a NUL: left to the table, which names it
        ["a\0", "b\0"],  # a NUL in ids in order
    ],
)
def test_arrow_keys_leave_texts_outside_ascii_to_the_python_texts(texts):
    pa = pytest.importorskip("pyarrow")
    from csmetrics.adapters.io import _arrow_keys

    coded = _arrow_keys(pa.chunked_array([pa.array(texts, pa.string())]))
    assert coded.keys.dtype == object
    assert [coded.keys[code] for code in coded.codes] == texts
