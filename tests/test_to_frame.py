"""to_frame on every result that has rows: the rows of to_rows as a dataframe."""

from __future__ import annotations

import math
import warnings
from typing import Any

import pytest

import csmetrics
from csmetrics.adapters.datasets import sample
from csmetrics.core.frames import rows_frame

pd = pytest.importorskip("pandas")
pl = pytest.importorskip("polars")
pa = pytest.importorskip("pyarrow")

DATA = sample()


def with_rows() -> dict[str, Any]:
    contacts, answers = DATA.interactions, DATA.surveys
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", csmetrics.UndefinedMetricWarning)
        return {
            "breakdown": csmetrics.fcr(contacts, by="agent_id"),
            "funnel": csmetrics.complaint_rate(contacts),
            "volume": csmetrics.volume(contacts, every="week"),
            "pareto": csmetrics.pareto(contacts),
            "trend": csmetrics.trend(answers, csmetrics.csat, every="month"),
            "drivers": csmetrics.drivers(contacts, csmetrics.fcr, by="channel"),
            "guardrail_trend": csmetrics.guardrail_trend(contacts, answers, every="month"),
            "durations": csmetrics.first_response_time(contacts),
        }


RESULTS = with_rows()


def rows_frame_row(row: dict[str, Any]) -> dict[str, Any]:
    """A row as to_frame lays it out: a Window in two columns."""
    out: dict[str, Any] = {}
    for key, value in row.items():
        if isinstance(value, csmetrics.Window):
            out[f"{key}_start"], out[f"{key}_end"] = value.start, value.end
        else:
            out[key] = value
    return out


def same(a: object, b: object) -> bool:
    if isinstance(a, float) and isinstance(b, float):
        return (math.isnan(a) and math.isnan(b)) or a == b
    return a == b


@pytest.mark.parametrize("name", RESULTS)
@pytest.mark.parametrize("backend", ["pandas", "polars", "pyarrow"])
def test_to_frame_holds_the_rows(name: str, backend: str):
    result = RESULTS[name]
    rows = result.to_rows()
    assert rows, f"{name} has no rows to compare"
    frame = result.to_frame(backend=backend)
    if backend == "pandas":
        assert isinstance(frame, pd.DataFrame)
        back = frame.to_dict("records")
    elif backend == "polars":
        assert isinstance(frame, pl.DataFrame)
        back = frame.to_dicts()
    else:
        assert isinstance(frame, pa.Table)
        back = frame.to_pylist()
    flat = [rows_frame_row(row) for row in rows]
    assert list(back[0]) == list(flat[0])
    assert len(back) == len(rows)
    for got, want in zip(back, flat, strict=True):
        for key, value in want.items():
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                assert same(float(got[key]), float(value)), (name, key)


def test_durations_rows_are_its_quantiles():
    durations = RESULTS["durations"]
    rows = durations.to_rows(quantiles=(0.5, 0.9))
    assert rows == [
        {"quantile": 0.5, "seconds": durations.median},
        {"quantile": 0.9, "seconds": durations.p90},
    ]
    with pytest.raises(ValueError, match="quantiles"):
        durations.to_rows(quantiles=(1.5,))


def test_no_rows_give_an_empty_frame():
    assert rows_frame([]).shape == (0, 0)


def test_unknown_backend_is_refused():
    with pytest.raises(ValueError, match=r"backend='spark'.*'pandas'"):
        RESULTS["pareto"].to_frame(backend="spark")  # type: ignore[arg-type]
