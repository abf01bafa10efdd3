"""Reading a directory or a glob of Parquet files into one table, in one process.

The files of a partitioned export are read as one file: the same table as
the whole data written as one file, every metric the same. An error about a
file names the file; an error about a record names its id.
"""

from __future__ import annotations

import itertools
import tempfile
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

import csmetrics
from csmetrics import Interactions, InvalidDataError, Surveys
from csmetrics.adapters.datasets import sample_paths

pd = pytest.importorskip("pandas")
pa = pytest.importorskip("pyarrow")
pq = pytest.importorskip("pyarrow.parquet")
pytest.importorskip("narwhals")

DATA = sample_paths()


def contacts_frame() -> Any:
    frame = pd.read_csv(DATA.interactions)
    for column in ("start", "end", "first_response_at"):
        frame[column] = pd.to_datetime(frame[column], utc=True, format="ISO8601")
    return frame


def surveys_frame() -> Any:
    frame = pd.read_csv(DATA.surveys, dtype={"score": str})
    flags = {"true": 1.0, "false": 0.0}
    frame["score"] = [flags[s] if s in flags else float(s) for s in frame["score"]]
    frame["at"] = pd.to_datetime(frame["at"], utc=True, format="ISO8601")
    return frame


def write_parts(frame: Any, directory: Path, cuts: list[int]) -> Path:
    """``frame`` cut at ``cuts`` into files part-0.parquet, part-1.parquet, ... in ``directory``."""
    directory.mkdir(parents=True, exist_ok=True)
    bounds = [0, *cuts, len(frame)]
    for i, (a, b) in enumerate(itertools.pairwise(bounds)):
        table = pa.Table.from_pandas(frame.iloc[a:b], preserve_index=False)
        pq.write_table(table, directory / f"part-{i}.parquet")
    return directory


def write_one(frame: Any, path: Path) -> Path:
    pq.write_table(pa.Table.from_pandas(frame, preserve_index=False), path)
    return path


def test_a_directory_reads_as_the_whole_file(tmp_path: Path) -> None:
    frame = contacts_frame()
    whole = Interactions.read_parquet(write_one(frame, tmp_path / "all.parquet"))
    parts = Interactions.read_parquet(write_parts(frame, tmp_path / "lake", [700, 701, 2500]))
    assert len(parts) == len(whole) == len(frame)
    np.testing.assert_array_equal(parts.start, whole.start)
    np.testing.assert_array_equal(parts.first_response, whole.first_response)
    assert parts.to_records()[:50] == whole.to_records()[:50]
    assert csmetrics.fcr(parts) == csmetrics.fcr(whole)
    assert csmetrics.first_response_time(parts, by="channel") == csmetrics.first_response_time(
        whole, by="channel"
    )


def test_files_are_read_in_the_order_of_their_names(tmp_path: Path) -> None:
    frame = contacts_frame().iloc[:30]
    directory = tmp_path / "lake"
    directory.mkdir()
    # Written last, named first: name order, not write order.
    write_one(frame.iloc[10:], directory / "b.parquet")
    write_one(frame.iloc[:10], directory / "a.parquet")
    table = Interactions.read_parquet(directory)
    assert [r.id for r in table.to_records()] == list(frame["id"])


def test_a_glob_reads_the_files_it_matches(tmp_path: Path) -> None:
    frame = contacts_frame()
    lake = write_parts(frame, tmp_path / "lake", [1000, 2000])
    (lake / "notes.txt").write_text("not Parquet")
    matched = Interactions.read_parquet(str(lake / "part-[01].parquet"))
    assert len(matched) == 2000
    nested = tmp_path / "nested"
    write_parts(frame.iloc[:1000], nested / "day=1", [])
    write_parts(frame.iloc[1000:], nested / "day=2", [])
    assert len(Interactions.read_parquet(str(nested / "**" / "*.parquet"))) == len(frame)


def test_surveys_from_a_directory(tmp_path: Path) -> None:
    frame = surveys_frame()
    whole = Surveys.read_parquet(write_one(frame, tmp_path / "all.parquet"))
    parts = Surveys.read_parquet(write_parts(frame, tmp_path / "lake", [5, 900]))
    assert csmetrics.nps(parts, by="agent_id") == csmetrics.nps(whole, by="agent_id")
    assert csmetrics.csat(parts) == csmetrics.csat(whole)


def test_a_column_of_nulls_in_one_file_goes_with_the_others(tmp_path: Path) -> None:
    frame = contacts_frame().iloc[:100].copy()
    lake = tmp_path / "lake"
    lake.mkdir()
    write_one(frame.iloc[:50], lake / "a.parquet")
    empty = pa.Table.from_pandas(frame.iloc[50:], preserve_index=False)
    index = empty.schema.get_field_index("issue_id")
    empty = empty.set_column(index, "issue_id", pa.nulls(50))
    pq.write_table(empty, lake / "b.parquet")
    table = Interactions.read_parquet(lake)
    assert table.issue_id.codes[50:].tolist() == [-1] * 50
    assert (table.issue_id.codes[:50] >= 0).sum() == frame["issue_id"].iloc[:50].notna().sum()


def test_an_empty_directory_is_an_error(tmp_path: Path) -> None:
    (tmp_path / "lake" / "day=1").mkdir(parents=True)
    write_one(contacts_frame(), tmp_path / "lake" / "day=1" / "part.parquet")
    with pytest.raises(InvalidDataError, match=r"has no \*\.parquet files .* glob such as"):
        Interactions.read_parquet(tmp_path / "lake")


def test_a_glob_without_matches_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(InvalidDataError, match=r"no Parquet file matches '.*part-\*\.parquet'"):
        Interactions.read_parquet(str(tmp_path / "part-*.parquet"))


def test_a_file_without_a_required_column_is_named(tmp_path: Path) -> None:
    frame = contacts_frame()
    lake = write_parts(frame, tmp_path / "lake", [100])
    write_one(frame.iloc[:10].drop(columns="start"), lake / "part-2.parquet")
    with pytest.raises(InvalidDataError, match=r"part-2\.parquet'.*'start'"):
        Interactions.read_parquet(lake)


def test_a_file_with_other_fields_is_named(tmp_path: Path) -> None:
    frame = contacts_frame()
    lake = write_parts(frame.drop(columns="agent_id"), tmp_path / "lake", [100])
    write_one(frame.iloc[:10], lake / "part-2.parquet")
    with pytest.raises(
        InvalidDataError, match=r"part-2\.parquet' does not have the columns of .*part-0\.parquet"
    ):
        Interactions.read_parquet(lake)


def test_a_column_of_another_type_is_named(tmp_path: Path) -> None:
    frame = contacts_frame()
    lake = write_parts(frame, tmp_path / "lake", [100])
    other = frame.iloc[:10].assign(channel=np.arange(10))
    write_one(other, lake / "part-2.parquet")
    with pytest.raises(
        InvalidDataError,
        match=r"part-2\.parquet': column 'channel' holds int64, .* holds (large_)?string",
    ):
        Interactions.read_parquet(lake)


def test_an_unreadable_file_is_named(tmp_path: Path) -> None:
    lake = write_parts(contacts_frame(), tmp_path / "lake", [100])
    (lake / "part-1.parquet").write_bytes(b"not a Parquet file")
    with pytest.raises(InvalidDataError, match=r"part-1\.parquet' is not a readable Parquet file"):
        Interactions.read_parquet(lake)


def test_an_id_in_two_files_is_a_duplicate(tmp_path: Path) -> None:
    frame = contacts_frame()
    lake = write_parts(frame, tmp_path / "lake", [100])
    write_one(frame.iloc[40:41], lake / "part-2.parquet")
    with pytest.raises(InvalidDataError, match=str(frame["id"].iloc[40])):
        Interactions.read_parquet(lake)


CONTACTS = contacts_frame()
WHOLE = Interactions.from_frame(CONTACTS)


@settings(max_examples=8, deadline=None)
@given(cuts=st.lists(st.integers(0, len(CONTACTS)), max_size=5))
@example(cuts=[0, 0, 1000, 1000])
def test_any_split_into_files_reads_as_the_whole(cuts: list[int]) -> None:
    # Empty files (repeated cuts) hold columns of nulls only: they go with any type.
    with tempfile.TemporaryDirectory() as tmp:
        parts = Interactions.read_parquet(write_parts(CONTACTS, Path(tmp), sorted(cuts)))
        assert len(parts) == len(WHOLE)
        np.testing.assert_array_equal(parts.start, WHOLE.start)
        np.testing.assert_array_equal(parts.end, WHOLE.end)
        assert csmetrics.fcr(parts, by="channel") == csmetrics.fcr(WHOLE, by="channel")
        assert csmetrics.handle_time(parts) == csmetrics.handle_time(WHOLE)
