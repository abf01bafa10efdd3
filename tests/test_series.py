"""Scores from a pandas or polars Series, or a pyarrow array, as in a notebook."""

from __future__ import annotations

import math

import numpy as np
import pytest

import csmetrics

pd = pytest.importorskip("pandas")
pl = pytest.importorskip("polars")
pa = pytest.importorskip("pyarrow")

SCORES = [10, 9, 8, 6, 3, 10]  # 3 promoters, 1 passive, 2 detractors: NPS 100 * 1 / 6


SERIES = {
    "pandas": pd.Series,
    "pandas Int64": lambda values: pd.Series(values, dtype="Int64"),
    "polars": pl.Series,
    "arrow": pa.array,
    "arrow chunked": lambda values: pa.chunked_array([values[:2], values[2:]]),
}


@pytest.mark.parametrize("kind", SERIES)
def test_every_series_gives_the_list_result(kind: str):
    make = SERIES[kind]
    assert csmetrics.nps(make(SCORES)) == csmetrics.nps(SCORES)
    scaled = [min(max(s // 2, 1), 5) for s in SCORES]
    assert csmetrics.csat(make(scaled)) == csmetrics.csat(scaled)
    assert csmetrics.ces(make(scaled), scale=(1, 5)) == csmetrics.ces(scaled, scale=(1, 5))


@pytest.mark.parametrize("make", [pd.Series, pl.Series, pa.array])
def test_nulls_in_a_series_are_counted_missing(make):
    r = csmetrics.nps(make([10, None, 3, None]))
    assert (r.promoters, r.detractors, r.missing) == (1, 1, 2)
    assert r.value == 0.0


def test_pandas_na_and_nan_are_missing():
    r = csmetrics.csat(pd.Series([5, pd.NA, 1], dtype="Int64"))
    assert (r.numerator, r.denominator, r.missing) == (1, 2, 1)
    r = csmetrics.csat(pd.Series([5.0, np.nan, 1.0]))
    assert (r.numerator, r.denominator, r.missing) == (1, 2, 1)


def test_boolean_series_with_nulls_for_survey_fcr():
    for data in (pd.Series([True, None, False], dtype="boolean"), pl.Series([True, None, False])):
        r = csmetrics.survey_fcr(data)
        assert (r.numerator, r.denominator, r.missing) == (1, 2, 1)


def test_a_bad_score_in_a_series_names_its_position():
    with pytest.raises(csmetrics.InvalidDataError, match=r"position 2.*'score'.*11"):
        csmetrics.nps(pd.Series([10, None, 11]))


def test_pandas_groupby_agg():
    df = pd.DataFrame({"agent": ["amy", "amy", "bob", "bob", "bob"], "score": [10, 9, 3, 9, 10]})
    per_agent = df.groupby("agent")["score"].agg(lambda s: csmetrics.nps(s).value)
    assert per_agent.to_dict() == {"amy": 100.0, "bob": pytest.approx(100 / 3)}


def test_polars_group_by_agg():
    df = pl.DataFrame({"agent": ["amy", "amy", "bob", "bob", "bob"], "score": [10, 9, 3, 9, 10]})
    per_agent = (
        df.group_by("agent")
        .agg(
            pl.col("score").map_batches(
                lambda s: pl.Series([csmetrics.nps(s).value]), returns_scalar=True
            )
        )
        .sort("agent")
    )
    assert per_agent["agent"].to_list() == ["amy", "bob"]
    assert per_agent["score"].to_list() == [100.0, pytest.approx(100 / 3)]


def test_a_dataframe_is_still_a_table_not_scores():
    frame = pd.DataFrame(
        {
            "id": ["a", "b"],
            "kind": ["nps", "nps"],
            "score": [10, 0],
            "at": pd.to_datetime(["2026-03-02", "2026-03-03"], utc=True),
        }
    )
    r = csmetrics.nps(frame)
    assert (r.promoters, r.detractors) == (1, 1)
    assert not math.isnan(r.value)
