"""Reading Parquet: ``fields=`` reads only the fields asked for, in bounded batches."""

from __future__ import annotations

import pickle
from datetime import timedelta

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import csmetrics
from csmetrics import Interactions, InvalidDataError, Surveys, catalog
from csmetrics.adapters.datasets import sample
from csmetrics.core import frames

pa = pytest.importorskip("pyarrow")
pq = pytest.importorskip("pyarrow.parquet")
pytest.importorskip("narwhals")

UTC = pa.timestamp("us", tz="UTC")


def _keys(column: csmetrics.core.table.Encoded) -> np.ndarray:
    """An encoded key column as an object array of its keys (None where missing)."""
    keys = np.asarray(column.keys, dtype=object)[np.maximum(column.codes, 0)]
    keys[column.codes < 0] = None
    return keys


def _contacts_file(tmp_path, *, row_group_size: int = 250):
    """The bundled sample contacts as a Parquet file with every column they have."""
    t = sample().interactions
    columns = {
        "id": _keys(t.id),
        "customer_id": _keys(t.customer_id),
        "start": pa.array(t.start, UTC),
        "end": pa.array(np.where(t.is_open, None, t.end).tolist(), UTC),
        "resolved": t.resolved,
        "abandoned": np.asarray(t.abandoned),
        "blocked": np.asarray(t.blocked),
        "channel": _keys(t.channel),
        "agent_id": _keys(t.agent_id),
        "issue_id": _keys(t.issue_id),
        "category": _keys(t.category),
        "notes": np.array(["x"] * len(t), dtype=object),
    }
    waits = np.arange(len(t)) % 300
    answered = ~np.asarray(t.abandoned) & ~np.asarray(t.blocked) & (np.arange(len(t)) % 11 != 0)
    columns["first_response_at"] = pa.array(
        np.where(answered, t.start + waits * 10**6, 0), UTC, mask=~answered
    )
    path = tmp_path / "contacts.parquet"
    pq.write_table(pa.table(columns), path, row_group_size=row_group_size)
    return path


def test_fields_reads_the_fields_asked_for_and_the_required_ones(tmp_path):
    path = _contacts_file(tmp_path)
    full = Interactions.read_parquet(path)
    table = Interactions.read_parquet(path, fields=["end", "resolved", "issue_id", "category"])
    assert table.given == {"end", "resolved", "issue_id", "category"}
    assert table.unread == {
        "first_response_at",
        "abandoned",
        "blocked",
        "channel",
        "agent_id",
    }
    assert csmetrics.fcr(table) == csmetrics.fcr(full)
    np.testing.assert_array_equal(table.start, full.start)


def test_only_the_planned_columns_are_read(tmp_path, monkeypatch):
    path = _contacts_file(tmp_path)
    asked: list[list[str]] = []
    read = pq.ParquetFile.read

    def spy(self, columns=None, **kwargs):
        asked.append(list(columns))
        return read(self, columns=columns, **kwargs)

    monkeypatch.setattr(pq.ParquetFile, "read", spy)
    Interactions.read_parquet(path, fields=["end", "channel"])
    assert asked == [["id", "customer_id", "start", "end", "channel"]]  # one call


def test_a_metric_on_an_unread_field_raises_naming_it(tmp_path):
    path = _contacts_file(tmp_path)
    table = Interactions.read_parquet(path, fields=["end", "resolved"])
    with pytest.raises(InvalidDataError, match=r"needs the 'first_response_at' field.*fields="):
        csmetrics.first_response_time(table)
    with pytest.raises(InvalidDataError, match=r"'channel' column was not read"):
        csmetrics.fcr(table, match="customer", by="channel")
    # Not absent: the data has it, so nothing skips it as if it did not.
    assert table.absent(["channel", "first_response_at"]) == ()
    assert not table.has("channel")


def test_a_field_the_file_lacks_is_absent_not_unread(tmp_path):
    path = _contacts_file(tmp_path)
    table = Interactions.read_parquet(path, fields=["end", "talk_seconds", "escalated"])
    assert "talk_seconds" not in table.unread
    assert table.absent(["talk_seconds", "escalated"]) == ("talk_seconds", "escalated")
    assert np.isnan(table.talk_seconds).all()


def test_views_takes_and_pickles_keep_unread_fields_unread(tmp_path):
    path = _contacts_file(tmp_path)
    table = Interactions.read_parquet(path, fields=["end", "resolved", "issue_id", "category"])
    as_of = csmetrics.core.table.from_micros(int(np.median(table.start)))
    kept = table.start <= csmetrics.core.table.to_micros(as_of)
    for part in (table.view(kept), table.take(kept), pickle.loads(pickle.dumps(table))):
        assert part.unread == table.unread
        with pytest.raises(InvalidDataError, match="'agent_id' column was not read"):
            _ = part.agent_id
    assert csmetrics.fcr(table, as_of=as_of) == csmetrics.fcr(
        Interactions.read_parquet(path), as_of=as_of
    )


def test_catalog_fields_of_reads_what_the_metrics_need(tmp_path):
    path = _contacts_file(tmp_path)
    full = Interactions.read_parquet(path)
    calls = {
        "fcr": lambda t: csmetrics.fcr(t, by="agent_id"),
        "resolution_rate": lambda t: csmetrics.resolution_rate(t, by="agent_id"),
        "first_response_time": lambda t: csmetrics.first_response_time(t, by="agent_id"),
        "service_level": lambda t: csmetrics.service_level(t, threshold=60, by="agent_id"),
        "asa": lambda t: csmetrics.asa(t, by="agent_id"),
        "abandonment_rate": lambda t: csmetrics.abandonment_rate(t, by="agent_id"),
    }
    for name, call in calls.items():
        fields = catalog.fields_of(name, by="agent_id")
        table = Interactions.read_parquet(path, fields=fields)
        assert table.unread, name  # something was left out
        assert call(table) == call(full), name
    assert catalog.fields_of("nps", by="agent_id") == ("agent_id",)
    assert "messages" not in catalog.fields_of("first_response_time")


def test_fields_must_name_fields():
    path = "unused.parquet"
    with pytest.raises(ValueError, match=r"fields=\['ends'\]: 'ends' are not fields"):
        Interactions.read_parquet(path, fields=["ends"])
    with pytest.raises(ValueError, match="fields='end' is not allowed; use a list"):
        Interactions.read_parquet(path, fields="end")


def test_strict_does_not_count_columns_left_out_on_purpose(tmp_path):
    path = _contacts_file(tmp_path)
    with pytest.raises(InvalidDataError, match=r"unknown column\(s\) \['notes'\]"):
        Interactions.read_parquet(path, fields=["end"], strict=True)
    # A mapped column left out is used, not unknown, and its field unread.
    table = Interactions.read_parquet(path, fields=["end"], strict=True, columns={"tier": "notes"})
    assert {"tier", "category", "channel"} <= table.unread


def test_resolved_when_left_out_leaves_resolved_unread(tmp_path):
    path = _contacts_file(tmp_path)
    table = Interactions.read_parquet(path, fields=["end"], resolved_when={"channel": "phone"})
    assert "resolved" in table.unread
    with pytest.raises(InvalidDataError, match="needs the 'resolved' field"):
        csmetrics.fcr(table)
    table = Interactions.read_parquet(
        path, fields=["end", "resolved"], resolved_when={"channel": "phone"}
    )
    assert table.has("resolved")
    assert "channel" in table.unread


@pytest.mark.parametrize("batch", [1, 64 * 1024, 2**40])
def test_batches_of_any_size_give_the_same_table(tmp_path, monkeypatch, batch):
    path = _contacts_file(tmp_path, row_group_size=97)
    expected = Interactions.from_frame(pq.read_table(path))
    monkeypatch.setattr(frames, "READ_BATCH_BYTES", batch)
    calls = []
    read = pq.ParquetFile.read

    def spy(self, columns=None, **kwargs):
        calls.append(list(columns))
        return read(self, columns=columns, **kwargs)

    monkeypatch.setattr(pq.ParquetFile, "read", spy)
    table = Interactions.read_parquet(path, columns={"agent_id": "channel"})
    read_columns = [name for call in calls for name in call]
    assert sorted(read_columns) == sorted(set(read_columns))  # each column read once
    if batch == 1:
        assert all(len(call) == 1 for call in calls)
    if batch == 2**40:
        assert len(calls) == 1
    assert csmetrics.fcr(table) == csmetrics.fcr(expected)
    for name in ("start", "end", "first_response", "resolved", "blocked"):
        np.testing.assert_array_equal(getattr(table, name), getattr(expected, name))
    np.testing.assert_array_equal(_keys(table.agent_id), _keys(expected.channel))


def test_surveys_fields(tmp_path):
    surveys = sample().surveys
    path = tmp_path / "surveys.parquet"
    answers = pa.table(
        {
            "id": _keys(surveys.id),
            "kind": np.array(csmetrics.SURVEY_KINDS)[surveys.kind],
            "score": surveys.score,
            "at": pa.array(surveys.at, UTC),
            "agent_id": _keys(surveys.agent_id),
            "customer_id": _keys(surveys.customer_id),
        }
    )
    pq.write_table(answers, path)
    table = Surveys.read_parquet(path, fields=["agent_id"])
    assert table.unread == {"customer_id"}
    assert csmetrics.nps(table, by="agent_id") == csmetrics.nps(
        Surveys.read_parquet(path), by="agent_id"
    )
    with pytest.raises(InvalidDataError, match="'customer_id' column was not read"):
        csmetrics.nps(table, by="customer_id")


def test_a_period_on_a_projected_table(tmp_path):
    path = _contacts_file(tmp_path)
    table = Interactions.read_parquet(path, fields=catalog.fields_of("first_response_time"))
    start = csmetrics.core.table.from_micros(int(table.start.min()))
    period = (start, start + timedelta(days=10))
    assert csmetrics.first_response_time(table, period=period) == csmetrics.first_response_time(
        Interactions.read_parquet(path), period=period
    )


def _failing_read(monkeypatch, broken: str) -> None:
    """Reading the column ``broken`` fails as an unreadable column does."""
    read = pq.ParquetFile.read

    def fail(self, columns=None, **kwargs):
        if broken in columns:
            msg = f"column {broken!r} cannot be read"
            raise InvalidDataError(msg)
        return read(self, columns=columns, **kwargs)

    monkeypatch.setattr(pq.ParquetFile, "read", fail)


def test_a_column_read_in_the_background_fails_when_its_batch_is_needed(tmp_path, monkeypatch):
    path = _contacts_file(tmp_path, row_group_size=97)
    monkeypatch.setattr(frames, "READ_BATCH_BYTES", 1)  # one column per batch
    _failing_read(monkeypatch, "category")
    with pytest.raises(InvalidDataError, match="'category' cannot be read"):
        Interactions.read_parquet(path)


def test_an_earlier_error_wins_over_a_column_read_in_the_background(tmp_path, monkeypatch):
    path = _contacts_file(tmp_path, row_group_size=97)
    table = pq.read_table(path)
    ids = table.column("id").to_pylist()
    ids[5] = ids[4]
    path = tmp_path / "duplicates.parquet"
    pq.write_table(table.set_column(0, "id", pa.array(ids)), path)
    monkeypatch.setattr(frames, "READ_BATCH_BYTES", 1)
    # The second batch (customer_id) is read while the ids are checked.
    _failing_read(monkeypatch, "customer_id")
    with pytest.raises(InvalidDataError, match="duplicate id"):
        Interactions.read_parquet(path)


_KEY_TYPES = (pa.int8(), pa.int32(), pa.int64(), pa.uint8(), pa.uint32(), pa.uint64())


@st.composite
def _integer_key_files(draw: st.DrawFn) -> tuple[pa.Table, int]:
    """Contacts with integer keys of any width, nulls in the optional ones, and a row group size."""
    n = draw(st.integers(min_value=1, max_value=40))
    spread = draw(st.sampled_from([2, 30, 2**40]))

    def key(kind: pa.DataType, *, nulls: bool) -> pa.Array:
        top = min(spread, 2**63 - 1 if kind == pa.uint64() else spread)
        high = min(top, 2 ** (kind.bit_width - 1) - 1)
        values = draw(st.lists(st.integers(0, high), min_size=n, max_size=n))
        absent = draw(st.lists(st.booleans(), min_size=n, max_size=n)) if nulls else [False] * n
        return pa.array(values, kind, mask=np.array(absent, dtype=bool))

    ids = draw(st.permutations(range(n)))
    table = pa.table(
        {
            "id": pa.array([i * (spread // 2 + 1) for i in ids], pa.int64()),
            "customer_id": key(draw(st.sampled_from(_KEY_TYPES)), nulls=False),
            "start": pa.array(list(range(n)), UTC),
            "agent_id": key(draw(st.sampled_from(_KEY_TYPES)), nulls=draw(st.booleans())),
            "issue_id": key(draw(st.sampled_from(_KEY_TYPES)), nulls=True),
            "channel": key(draw(st.sampled_from(_KEY_TYPES)), nulls=False),
        }
    )
    return table, draw(st.integers(min_value=1, max_value=n))


@given(case=_integer_key_files())
@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_integer_keys_from_a_file_of_row_groups_are_those_of_the_frame(tmp_path, case):
    """Key chunks encoded where they lie give the table of the whole Arrow table."""
    table, row_group_size = case
    path = tmp_path / "keys.parquet"
    pq.write_table(table, path, row_group_size=row_group_size)
    ours = Interactions.read_parquet(path)
    expected = Interactions.from_frame(pq.read_table(path))
    for name in ("id", "customer_id", "agent_id", "issue_id", "channel"):
        a, b = getattr(ours, name), getattr(expected, name)
        assert a.codes.tolist() == b.codes.tolist(), name
        assert a.codes.dtype == b.codes.dtype, name
        assert a.keys.tolist() == b.keys.tolist(), name
        assert a.keys.dtype == b.keys.dtype, name
