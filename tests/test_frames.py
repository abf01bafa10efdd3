"""Dataframes in: pandas, polars, pyarrow and DuckDB give the columnar results."""

from __future__ import annotations

import warnings
from datetime import datetime, timezone

import numpy as np
import pytest
from hypothesis import given, settings

import csmetrics
from csmetrics import Interactions, InvalidDataError
from csmetrics.adapters.datasets import sample
from csmetrics.core.table import Encoded
from strategies import frame_backends, interactions

pd = pytest.importorskip("pandas")
pytest.importorskip("narwhals")

FIELDS = (
    "id",
    "customer_id",
    "start",
    "end",
    "resolved",
    "channel",
    "agent_id",
    "issue_id",
    "category",
)


def as_pandas(records: list[csmetrics.Interaction]) -> pd.DataFrame:
    frame = pd.DataFrame([{f: getattr(r, f) for f in FIELDS} for r in records], columns=FIELDS)
    for column in ("start", "end"):
        frame[column] = pd.to_datetime(frame[column], utc=True)
    frame["resolved"] = frame["resolved"].astype(bool)
    return frame


SAMPLE = sample().interactions
SAMPLE_FRAME = as_pandas(SAMPLE.to_records())


@pytest.mark.parametrize("backend", list(frame_backends(SAMPLE_FRAME)))
def test_every_backend_gives_the_columnar_result(backend):
    frame = frame_backends(SAMPLE_FRAME)[backend]
    assert csmetrics.fcr(frame, by="agent_id") == csmetrics.fcr(SAMPLE, by="agent_id")
    assert csmetrics.resolution_rate(frame) == csmetrics.resolution_rate(SAMPLE)


def test_columns_map_other_names():
    renamed = SAMPLE_FRAME.rename(columns={"id": "ticket_id", "start": "created_at"})
    table = Interactions.from_frame(renamed, columns={"id": "ticket_id", "start": "created_at"})
    assert csmetrics.fcr(table) == csmetrics.fcr(SAMPLE)


def test_missing_required_column_lists_found_and_needed():
    with pytest.raises(InvalidDataError, match=r"missing column\(s\) 'start'; found .*Required"):
        Interactions.from_frame(SAMPLE_FRAME.drop(columns=["start"]))


def test_unknown_field_in_column_map_is_rejected():
    with pytest.raises(ValueError, match="not csmetrics fields"):
        Interactions.from_frame(SAMPLE_FRAME, columns={"ticket": "id"})


def test_naive_timestamps_need_assume_timezone():
    naive = SAMPLE_FRAME.copy()
    naive["start"] = naive["start"].dt.tz_convert("Europe/Berlin").dt.tz_localize(None)
    with pytest.raises(InvalidDataError, match="naive timestamps"):
        Interactions.from_frame(naive)
    table = Interactions.from_frame(naive, assume_timezone="Europe/Berlin")
    assert table.start.tolist() == SAMPLE.start.tolist()


@pytest.mark.parametrize("library", ["pandas", "polars"])
def test_text_timestamps_say_how_to_parse_them(library):
    # What read_csv gives without parse_dates: the ISO text, not timestamps.
    text = SAMPLE_FRAME.assign(opened=SAMPLE_FRAME["start"].map(datetime.isoformat))
    text = text.drop(columns=["start"])
    if library == "polars":
        pl = pytest.importorskip("polars")
        text = pl.from_pandas(text)
    with pytest.raises(
        InvalidDataError, match=r"column 'opened' \(field 'start'\) holds text"
    ) as err:
        Interactions.from_frame(text, columns={"start": "opened"})
    assert "parse_dates=['opened']" in str(err.value)
    assert err.value.field == "start"
    assert err.value.value == SAMPLE_FRAME["start"].iloc[0].isoformat()
    pd = pytest.importorskip("pandas")
    answers = pd.DataFrame({"id": ["s1"], "kind": ["csat"], "score": [5], "at": ["2026-03-02"]})
    with pytest.raises(InvalidDataError, match=r"column 'at' \(field 'at'\) holds text"):
        csmetrics.Surveys.from_frame(answers)


def test_integer_keys_with_nulls_keep_integers_and_name_the_row():
    at = pd.to_datetime(["2026-01-05T09:00Z"] * 3, utc=True)
    frame = pd.DataFrame(
        {
            "id": [1, 2, 3],
            "customer_id": [7, 8, 9],
            "start": at,
            "agent_id": pd.array([4, None, 4], dtype="Int64"),
        }
    )
    table = Interactions.from_frame(frame)
    assert table.agent_id.keys.tolist() == [4]
    assert table.agent_id.codes.tolist() == [0, -1, 0]
    frame["customer_id"] = pd.array([7, None, 9], dtype="Int64")
    with pytest.raises(InvalidDataError, match=r"record 2 \(position 1\).*customer_id"):
        Interactions.from_frame(frame)


def test_surveys_from_frame():
    surveys = sample().surveys
    frame = pd.DataFrame(
        {
            "id": surveys.id.keys[surveys.id.codes],
            "kind": np.array(csmetrics.SURVEY_KINDS)[surveys.kind],
            "score": surveys.score,
            "at": pd.to_datetime(surveys.at, unit="us", utc=True),
        }
    )
    assert csmetrics.nps(frame) == csmetrics.nps(surveys)
    assert csmetrics.csat(frame) == csmetrics.csat(surveys)


@settings(max_examples=30)
@given(records=interactions())
def test_frame_and_records_give_identical_results(records):
    as_of = datetime(2026, 6, 1, tzinfo=timezone.utc)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", csmetrics.UndefinedMetricWarning)
        assert csmetrics.fcr(as_pandas(records), as_of=as_of) == csmetrics.fcr(records, as_of=as_of)


@pytest.mark.parametrize("backend", ["pandas", "polars", "pyarrow"])
def test_breakdown_to_frame(backend):
    pytest.importorskip(backend)
    breakdown = csmetrics.fcr(SAMPLE, by="agent_id")
    frame = breakdown.to_frame(backend=backend)
    back = pd.DataFrame(breakdown.to_rows())
    as_pandas_frame = frame if backend == "pandas" else frame.to_pandas()
    assert list(as_pandas_frame.columns) == list(back.columns)
    assert as_pandas_frame["numerator"].tolist() == back["numerator"].tolist()
    assert as_pandas_frame["agent_id"].tolist() == list(breakdown)


def test_breakdown_to_frame_rejects_unknown_backend():
    with pytest.raises(ValueError, match="backend='spark'"):
        csmetrics.fcr(SAMPLE, by="agent_id").to_frame(backend="spark")  # type: ignore[arg-type]


def _arrow_contacts(**extra: object) -> object:
    """Three contacts as a pyarrow table split in two chunks, plus ``extra`` columns."""
    pa = pytest.importorskip("pyarrow")
    zone = pa.timestamp("us", tz="UTC")
    at = [datetime(2026, 1, 5, 9, tzinfo=timezone.utc)] * 3
    table = pa.table({"id": [1, 2, 3], "customer_id": [7, 8, 9], "start": pa.array(at, zone)})
    for name, column in extra.items():
        table = table.append_column(name, column)
    return pa.Table.from_batches(table.to_batches(max_chunksize=2))


def _same_keys(ours, expected) -> None:
    assert ours.codes.tolist() == expected.codes.tolist()
    assert ours.keys.dtype == expected.keys.dtype
    assert ours.keys.tolist() == expected.keys.tolist()


def test_arrow_integer_keys_with_nulls_encode_like_objects():
    pa = pytest.importorskip("pyarrow")
    from csmetrics.core.frames import frame_columns
    from csmetrics.core.reading import INTERACTION_FIELDS, Reading

    column = pa.array([4, None, 5], pa.int32())
    frame = _arrow_contacts(issue_id=column)
    read = frame_columns(frame, reading=Reading.of(INTERACTION_FIELDS))
    assert isinstance(read["issue_id"], np.ma.MaskedArray)
    table = Interactions.from_frame(frame)
    objects = np.array([4, None, 5], dtype=object)
    expected = Interactions.from_columns({**_columns_of(table), "issue_id": objects})
    _same_keys(table.issue_id, expected.issue_id)
    assert table.issue_id.codes.tolist() == [0, -1, 1]


def test_arrow_required_key_with_nulls_names_the_row():
    pa = pytest.importorskip("pyarrow")
    frame = _arrow_contacts().set_column(1, "customer_id", pa.array([7, None, 9]))
    with pytest.raises(InvalidDataError, match=r"record 2 \(position 1\).*= None: required"):
        Interactions.from_frame(frame)


def test_arrow_text_keys_with_nulls_across_chunks():
    pa = pytest.importorskip("pyarrow")
    frame = _arrow_contacts(channel=pa.array(["chat", "email", None]))
    table = Interactions.from_frame(frame)
    assert table.channel.keys.tolist() == ["chat", "email"]
    assert table.channel.codes.tolist() == [0, 1, -1]
    all_null = _arrow_contacts(channel=pa.array([None, None, None], pa.string()))
    assert Interactions.from_frame(all_null).channel.codes.tolist() == [-1, -1, -1]


def test_arrow_zoned_timestamps_are_utc_instants_with_nulls_missing():
    pa = pytest.importorskip("pyarrow")
    at = [datetime(2026, 1, 5, 10, tzinfo=timezone.utc), None, None]
    berlin = pa.array(at, pa.timestamp("ms", tz="Europe/Berlin"))
    table = Interactions.from_frame(_arrow_contacts(end=berlin))
    expected = Interactions.from_frame(_arrow_contacts(end=berlin).to_pandas())
    assert table.end.tolist() == expected.end.tolist()
    assert table.end[0] - table.start[0] == 3_600_000_000


def _columns_of(table: Interactions) -> dict[str, object]:
    return {
        "id": table.id.keys[table.id.codes],
        "customer_id": table.customer_id.keys[table.customer_id.codes],
        "start": table.start.astype("datetime64[us]"),
    }


def _assert_same_table(ours: object, expected: object) -> None:
    import attrs

    for field in attrs.fields(type(ours)):
        a, b = getattr(ours, field.name), getattr(expected, field.name)
        if isinstance(a, Encoded):
            _same_keys(a, b)
        elif isinstance(a, np.ndarray):
            assert a.dtype == b.dtype, field.name
            np.testing.assert_array_equal(a, b, err_msg=field.name)


def _sample_parquet(tmp_path, size: int = 500):
    pa = pytest.importorskip("pyarrow")
    pq = pytest.importorskip("pyarrow.parquet")
    frame = SAMPLE_FRAME.assign(
        channel=np.where(np.arange(len(SAMPLE_FRAME)) % 7 == 0, None, SAMPLE_FRAME["channel"]),
        issue_id=pd.array(np.where(np.arange(len(SAMPLE_FRAME)) % 3 == 0, None, 5), "Int64"),
    )
    path = tmp_path / "contacts.parquet"
    pq.write_table(pa.Table.from_pandas(frame, preserve_index=False), path, row_group_size=size)
    return path, pq


def test_read_parquet_builds_the_table_from_frame_builds(tmp_path):
    path, pq = _sample_parquet(tmp_path)
    table = Interactions.read_parquet(path)
    _assert_same_table(table, Interactions.from_frame(pq.read_table(path)))
    assert table.channel.codes.min() == -1  # the nulls written are missing
    assert csmetrics.fcr(Interactions.read_parquet(str(path))) == csmetrics.fcr(table)


def test_read_parquet_maps_columns_and_names_missing_ones(tmp_path):
    path, pq = _sample_parquet(tmp_path)
    renamed = tmp_path / "renamed.parquet"
    pq.write_table(
        pq.read_table(path).rename_columns(
            ["ticket_id" if c == "id" else c for c in pq.read_schema(path).names]
        ),
        renamed,
    )
    table = Interactions.read_parquet(renamed, columns={"id": "ticket_id"})
    _assert_same_table(table, Interactions.read_parquet(path))
    with pytest.raises(InvalidDataError, match=r"column\(s\) 'id'.*; found \[.*'ticket_id'"):
        Interactions.read_parquet(renamed)


def test_read_parquet_rejects_a_file_that_is_not_parquet(tmp_path):
    pytest.importorskip("pyarrow")
    path = tmp_path / "contacts.parquet"
    path.write_text("id,customer_id,start\n")
    with pytest.raises(InvalidDataError, match="not a readable Parquet file"):
        Interactions.read_parquet(path)


def test_surveys_read_parquet(tmp_path):
    pa = pytest.importorskip("pyarrow")
    pq = pytest.importorskip("pyarrow.parquet")
    surveys = sample().surveys
    path = tmp_path / "surveys.parquet"
    answers = pa.table(
        {
            "id": surveys.id.keys[surveys.id.codes],
            "kind": np.array(csmetrics.SURVEY_KINDS)[surveys.kind],
            "score": surveys.score,
            "at": pa.array(surveys.at, pa.timestamp("us", tz="UTC")),
            "agent_id": surveys.agent_id.keys[surveys.agent_id.codes].astype(object),
        }
    )
    pq.write_table(answers, path, row_group_size=400)
    table = csmetrics.Surveys.read_parquet(path)
    _assert_same_table(table, csmetrics.Surveys.from_frame(answers))
    assert csmetrics.nps(table) == csmetrics.nps(surveys)


def test_from_columns_leaves_the_callers_columns_alone():
    columns = _columns_of(SAMPLE)
    kept = dict(columns)
    Interactions.from_columns(columns)
    assert columns.keys() == kept.keys()
    assert all(columns[name] is kept[name] for name in kept)


def test_arrow_text_keys_encode_like_objects():
    pa = pytest.importorskip("pyarrow")
    texts = ["email", "", None, "chat", "email"]
    frame = pa.table(
        {
            "id": ["c1", "c2", "c3", "c4", "c5"],
            "customer_id": ["ann", "bob", "ann", "cy", "bob"],
            "start": pa.array([datetime(2026, 1, 5, 9, tzinfo=timezone.utc)] * 5),
            "channel": texts,
        }
    )
    table = Interactions.from_frame(frame)
    expected = Interactions.from_frame(frame.to_pandas())
    for name in ("id", "customer_id", "channel"):
        _same_keys(getattr(table, name), getattr(expected, name))
    assert table.channel.codes.tolist() == [1, -1, -1, 0, 1]


@pytest.mark.parametrize(("bad", "shown"), [(None, "None"), ("", "''")])
def test_arrow_required_text_key_missing_names_the_row(bad, shown):
    pa = pytest.importorskip("pyarrow")
    frame = pa.table(
        {
            "id": ["c1", "c2", "c3"],
            "customer_id": ["ann", bad, "cy"],
            "start": pa.array([datetime(2026, 1, 5, 9, tzinfo=timezone.utc)] * 3),
        }
    )
    with pytest.raises(InvalidDataError, match=rf"'c2' \(position 1\).*= {shown}: required"):
        Interactions.from_frame(frame)


def test_arrow_survey_kinds_are_looked_up_once_and_checked():
    pa = pytest.importorskip("pyarrow")
    at = pa.array([datetime(2026, 1, 5, 9, tzinfo=timezone.utc)] * 3)
    answers = pa.table(
        {"id": [1, 2, 3], "kind": ["csat", "nps", "csat"], "score": [5.0, 9, 4], "at": at}
    )
    table = csmetrics.Surveys.from_frame(answers)
    assert table.kind.tolist() == [csmetrics.SURVEY_KINDS.index(k) for k in ("csat", "nps", "csat")]
    for kind, shown in (("star", "'star'"), (None, "'None'")):
        bad = answers.set_column(1, "kind", pa.array(["csat", kind, "csat"], pa.string()))
        with pytest.raises(InvalidDataError, match=rf"2 \(position 1\): field 'kind' = {shown}"):
            csmetrics.Surveys.from_frame(bad)


def test_read_parquet_names_a_column_that_cannot_be_read(tmp_path):
    pa = pytest.importorskip("pyarrow")
    pq = pytest.importorskip("pyarrow.parquet")
    n = 1000
    at = pa.array(np.arange(n) * 10**6, pa.timestamp("us", tz="UTC"))
    path = tmp_path / "contacts.parquet"
    pq.write_table(
        pa.table({"id": np.arange(n), "customer_id": np.arange(n) % 7, "start": at}), path
    )
    data = bytearray(path.read_bytes())
    data[100:3000] = bytes(b ^ 0xFF for b in data[100:3000])  # the first column's pages
    path.write_bytes(bytes(data))
    with pytest.raises(InvalidDataError, match=r"column 'id' cannot be read"):
        Interactions.read_parquet(path)


def test_arrow_integer_keys_with_nulls_read_from_the_data_buffers_at_their_offsets():
    pa = pytest.importorskip("pyarrow")
    from csmetrics.core import frames

    native = pa.chunked_array(
        [pa.array([9, None, 3, 4], pa.int32()).slice(1), pa.array([None, 5], pa.int32())]
    )
    masked = frames._arrow_number(pa, native, nulls=2, key=True).joined()
    assert masked.dtype == np.int64
    assert np.ma.getmaskarray(masked).tolist() == [True, False, False, True, False]
    assert masked.compressed().tolist() == [3, 4, 5]
