"""Dataframes in: pandas, polars, pyarrow and DuckDB give the columnar results."""

from __future__ import annotations

import warnings
from datetime import datetime, timezone

import numpy as np
import pytest
from hypothesis import given, settings

import csmetrics
from csmetrics import Interactions, InvalidDataError
from csmetrics.datasets import sample
from strategies import interactions

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


def backends(frame: pd.DataFrame) -> dict[str, object]:
    out: dict[str, object] = {"pandas": frame}
    try:
        import polars as pl

        out["polars"] = pl.from_pandas(frame)
    except ImportError:
        pass
    try:
        import pyarrow as pa

        out["pyarrow"] = pa.Table.from_pandas(frame, preserve_index=False)
    except ImportError:
        pass
    try:
        import duckdb

        connection = duckdb.connect()
        connection.register("contacts", frame)
        out["duckdb"] = connection.sql("select * from contacts")
    except ImportError:
        pass
    return out


SAMPLE = sample().interactions
SAMPLE_FRAME = as_pandas(SAMPLE.to_records())


@pytest.mark.parametrize("backend", list(backends(SAMPLE_FRAME)))
def test_every_backend_gives_the_columnar_result(backend):
    frame = backends(SAMPLE_FRAME)[backend]
    assert csmetrics.fcr(frame, by="agent_id") == csmetrics.fcr(SAMPLE, by="agent_id")
    assert csmetrics.resolution_rate(frame) == csmetrics.resolution_rate(SAMPLE)


def test_columns_map_other_names():
    renamed = SAMPLE_FRAME.rename(columns={"id": "ticket_id", "start": "created_at"})
    table = Interactions.from_frame(renamed, columns={"id": "ticket_id", "start": "created_at"})
    assert csmetrics.fcr(table) == csmetrics.fcr(SAMPLE)


def test_missing_required_column_lists_found_and_needed():
    with pytest.raises(InvalidDataError, match=r"missing columns \['start'\]; found .*needed"):
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
