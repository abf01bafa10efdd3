"""Reading contacts and survey answers from CSV files."""

from __future__ import annotations

import csv
import warnings
from collections.abc import Sequence
from datetime import datetime, timedelta, timezone
from pathlib import Path

import attrs
import numpy as np
import pytest
from hypothesis import given

import csmetrics
from csmetrics import Interaction, Interactions, InvalidDataError, Survey, Surveys
from csmetrics.adapters import io
from csmetrics.adapters.io import fromisoformat, read_interactions_csv, read_surveys_csv
from csmetrics.core.reading import INTERACTION_FIELDS, SURVEY_FIELDS
from strategies import assert_same_result, interactions, surveys

T0 = datetime(2026, 3, 2, 9, tzinfo=timezone.utc)
INTERACTION_COLUMNS = (
    "id",
    "customer_id",
    "start",
    "end",
    "resolved",
    "channel",
    "agent_id",
    "issue_id",
    "category",
    "first_response_at",
    "abandoned",
    "blocked",
    "talk_seconds",
    "hold_seconds",
    "wrap_seconds",
    "priority",
    "tier",
    "escalated",
    "escalated_to",
    "complaint",
)
SURVEY_COLUMNS = ("id", "kind", "score", "at", "customer_id", "interaction_id", "agent_id")


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, float):
        return repr(value)
    return str(value)


def write_interactions(path: Path, records: Sequence[Interaction]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(INTERACTION_COLUMNS)
        for r in records:
            writer.writerow([_cell(getattr(r, name)) for name in INTERACTION_COLUMNS])
    return path


def write_surveys(path: Path, records: Sequence[Survey]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(SURVEY_COLUMNS)
        for r in records:
            writer.writerow([_cell(getattr(r, name)) for name in SURVEY_COLUMNS])
    return path


def write_text(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def _at(hours: float) -> datetime:
    return T0 + timedelta(hours=hours)


CONTACTS = [
    Interaction(
        id="1",
        customer_id="ann",
        start=_at(0),
        end=_at(1),
        resolved=True,
        channel="phone",
        agent_id="alice",
        issue_id="T1",
        category="billing",
        first_response_at=_at(0.1),
        talk_seconds=1800.0,
        hold_seconds=60.5,
        wrap_seconds=120.0,
        priority="P2",
        tier="1",
    ),
    Interaction(
        id="2",
        customer_id="ann",
        start=_at(50),
        end=_at(51),
        resolved=True,
        channel="chat",
        agent_id="bert",
        issue_id="T1",
        category="billing",
    ),
    Interaction(
        id="3",
        customer_id="bob",
        start=_at(2),
        end=_at(2.5),
        resolved=False,
        channel="email",
        agent_id="bert",
        category="login",
    ),
    Interaction(
        id="4",
        customer_id="bob",
        start=_at(30),
        end=_at(31),
        resolved=True,
        agent_id="alice",
        category="login",
    ),
    Interaction(
        id="5",
        customer_id="cid",
        start=_at(400),
        end=_at(401),
        resolved=True,
        issue_id="T1",
        category="returns",
        agent_id="alice",
    ),
    Interaction(id="6", customer_id="dan", start=_at(500)),
    Interaction(id="7", customer_id="eve", start=_at(300), end=_at(300.1), abandoned=True),
]

ANSWERS = [
    Survey(id="s1", kind="nps", score=10, at=_at(2), customer_id="ann", interaction_id="1"),
    Survey(id="s2", kind="nps", score=6, at=_at(3), agent_id="bert"),
    Survey(id="s3", kind="csat", score=4, at=_at(3)),
    Survey(id="s4", kind="csat", score=2, at=_at(3)),
    Survey(id="s5", kind="ces", score=6, at=_at(4)),
    Survey(id="s6", kind="ces", score=3, at=_at(4)),
    Survey(id="s7", kind="fcr", score=True, at=_at(5)),
    Survey(id="s8", kind="fcr", score=False, at=_at(5)),
    Survey(id="s9", kind="rating", score=5, at=_at(5)),
]


# -- round trips --------------------------------------------------------------


def test_interactions_round_trip_every_field(tmp_path: Path) -> None:
    table = read_interactions_csv(write_interactions(tmp_path / "c.csv", CONTACTS))
    assert table.to_records() == Interactions.from_records(CONTACTS).to_records()


def test_interactions_from_csv_give_the_same_metrics(tmp_path: Path) -> None:
    table = read_interactions_csv(write_interactions(tmp_path / "c.csv", CONTACTS))
    records = Interactions.from_records(CONTACTS)
    for match in ("issue", "category", "customer"):
        assert csmetrics.fcr(table, match=match) == csmetrics.fcr(records, match=match)
    assert_same_result(csmetrics.fcr(table, by="agent_id"), csmetrics.fcr(records, by="agent_id"))
    assert csmetrics.resolution_rate(table) == csmetrics.resolution_rate(records)


def test_surveys_from_csv_give_the_same_metrics(tmp_path: Path) -> None:
    table = read_surveys_csv(write_surveys(tmp_path / "s.csv", ANSWERS))
    records = Surveys.from_records(ANSWERS)
    for metric in (csmetrics.nps, csmetrics.csat, csmetrics.survey_fcr):
        assert metric(table) == metric(records)
        assert_same_result(metric(table, by="agent_id"), metric(records, by="agent_id"))
    assert_same_result(csmetrics.ces(table), csmetrics.ces(records))
    np.testing.assert_array_equal(table.score, records.score)
    np.testing.assert_array_equal(table.kind, records.kind)
    np.testing.assert_array_equal(table.at, records.at)


@given(records=interactions(key_type="str", max_size=12))
def test_any_interactions_round_trip(tmp_path_factory: pytest.TempPathFactory, records) -> None:
    path = write_interactions(tmp_path_factory.mktemp("io") / "c.csv", records)
    table = read_interactions_csv(path)
    expected = Interactions.from_records(records)
    assert table.to_records() == expected.to_records()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", csmetrics.UndefinedMetricWarning)
        assert csmetrics.fcr(table) == csmetrics.fcr(expected)
        assert csmetrics.resolution_rate(table) == csmetrics.resolution_rate(expected)


@given(records=surveys(key_type="str", max_size=16))
def test_any_surveys_round_trip(tmp_path_factory: pytest.TempPathFactory, records) -> None:
    path = write_surveys(tmp_path_factory.mktemp("io") / "s.csv", records)
    table = read_surveys_csv(path)
    expected = Surveys.from_records(records)
    np.testing.assert_array_equal(table.kind, expected.kind)
    np.testing.assert_array_equal(table.score, expected.score)
    np.testing.assert_array_equal(table.at, expected.at)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", csmetrics.UndefinedMetricWarning)
        for metric in (csmetrics.nps, csmetrics.csat, csmetrics.survey_fcr):
            assert_same_result(metric(table, by="agent_id"), metric(expected, by="agent_id"))
        assert_same_result(csmetrics.ces(table), csmetrics.ces(expected))


def test_every_scalar_interaction_field_is_a_column() -> None:
    # A new field of Interaction must be readable from CSV too.
    fields = {f.name for f in attrs.fields(Interaction)} - {"messages"}
    assert fields == set(INTERACTION_COLUMNS)
    assert {f.name for f in attrs.fields(Survey)} - {"scale"} == set(SURVEY_COLUMNS)
    # The CSV reader parses exactly the fields every reader reads.
    assert set(io._INTERACTION_COLUMNS) == set(INTERACTION_FIELDS.fields)
    assert set(io._SURVEY_COLUMNS) == set(SURVEY_FIELDS.fields)


def test_survey_scales_are_read_as_from_a_frame(tmp_path: Path) -> None:
    pd = pytest.importorskip("pandas")
    pytest.importorskip("narwhals")
    text = "id,kind,score,at,scale_low,scale_high\ns1,csat,6,2026-03-02T09:00Z,1,7\n"
    table = read_surveys_csv(write_text(tmp_path / "s.csv", text))
    assert (table.scale_low.tolist(), table.scale_high.tolist()) == ([1], [7])
    frame = pd.read_csv(tmp_path / "s.csv", dtype={"id": str})
    frame["at"] = pd.to_datetime(frame["at"])
    expected = Surveys.from_frame(frame)
    assert (expected.scale_low.tolist(), expected.scale_high.tolist()) == ([1], [7])
    assert csmetrics.csat(table, scale=(1, 7)) == csmetrics.csat(expected, scale=(1, 7))
    bad = write_text(tmp_path / "bad.csv", text.replace(",1,7", ",one,7"))
    with pytest.raises(
        InvalidDataError, match="line 2: field 'scale_low' = 'one': expected a whole"
    ):
        read_surveys_csv(bad)


# -- cell formats -------------------------------------------------------------


def test_minimal_columns_and_formats(tmp_path: Path) -> None:
    path = write_text(
        tmp_path / "c.csv",
        "\ufeffid,customer_id,start,end,resolved\n"  # Excel's byte order mark
        "a,c1,2026-03-02T09:00:00Z,2026-03-02T09:10:00z,TRUE\n"
        "\n"  # blank lines are skipped
        "b,c1,2026-03-02T10:00:00+01:00,2026-03-02T09:30:00+00:00, yes\n"
        "c,c2,2026-03-02T11:00:00-05:00,,\n",
    )
    table = read_interactions_csv(path)
    assert len(table) == 3
    assert table.resolved.tolist() == [True, True, False]
    assert table.is_open.tolist() == [False, False, True]
    records = table.to_records()
    assert records[1].start == datetime(2026, 3, 2, 9, tzinfo=timezone.utc)
    assert records[2].start == datetime(2026, 3, 2, 16, tzinfo=timezone.utc)
    assert records[0].issue_id is None


@pytest.mark.parametrize(
    ("cell", "expected"),
    [("true", True), ("False", False), ("YES", True), ("no", False), ("1", True), ("0", False)],
)
def test_bool_spellings(tmp_path: Path, cell: str, expected: bool) -> None:
    path = write_text(
        tmp_path / "c.csv",
        f"id,customer_id,start,end,resolved\na,c,2026-03-02T09:00+00:00,"
        f"2026-03-02T09:05+00:00,{cell}\n",
    )
    assert read_interactions_csv(path).resolved.tolist() == [expected]


def test_fcr_scores_as_bools_and_numbers_as_floats(tmp_path: Path) -> None:
    path = write_text(
        tmp_path / "s.csv",
        "id,kind,score,at\n"
        "1,fcr,yes,2026-03-02T09:00+00:00\n"
        "2,fcr,FALSE,2026-03-02T09:00+00:00\n"
        "3,csat,4.5,2026-03-02T09:00+00:00\n"
        "4,nps, 9 ,2026-03-02T09:00+00:00\n",
    )
    table = read_surveys_csv(path)
    assert table.score.tolist() == [1.0, 0.0, 4.5, 9.0]
    assert csmetrics.survey_fcr(table).value == 0.5


def test_header_only_gives_empty_tables(tmp_path: Path) -> None:
    table = read_interactions_csv(write_text(tmp_path / "c.csv", "id,customer_id,start\n"))
    assert len(table) == 0
    answers = read_surveys_csv(write_text(tmp_path / "s.csv", "id,kind,score,at\n"))
    assert len(answers) == 0


# -- errors name the file, line, field and value ------------------------------


def test_missing_file_names_the_path(tmp_path: Path) -> None:
    path = tmp_path / "nope.csv"
    with pytest.raises(FileNotFoundError, match=r"nope\.csv"):
        read_interactions_csv(path)
    with pytest.raises(FileNotFoundError, match=r"nope\.csv"):
        read_surveys_csv(path)


def test_timestamp_without_offset_names_line_field_and_value(tmp_path: Path) -> None:
    path = write_text(
        tmp_path / "c.csv",
        "id,customer_id,start,end\n"
        "a,c,2026-03-02T09:00:00+00:00,2026-03-02T09:05:00+00:00\n"
        "b,c,2026-03-02T10:00:00+00:00,2026-03-02T10:05:00\n",
    )
    with pytest.raises(InvalidDataError) as info:
        read_interactions_csv(path)
    message = str(info.value)
    assert "c.csv, line 3" in message
    assert "'end'" in message
    assert "'2026-03-02T10:05:00'" in message
    assert "offset" in message


@pytest.mark.parametrize(
    ("row", "field", "value"),
    [
        ("a,c,yesterday,,false", "start", "'yesterday'"),
        ("a,c,,,false", "start", "''"),
        ("a,c,2026-03-02T09:00+00:00,,maybe", "resolved", "'maybe'"),
        (",c,2026-03-02T09:00+00:00,,false", "id", "''"),
        ("a,,2026-03-02T09:00+00:00,,false", "customer_id", "''"),
    ],
)
def test_bad_interaction_cells(tmp_path: Path, row: str, field: str, value: str) -> None:
    path = write_text(tmp_path / "c.csv", f"id,customer_id,start,end,resolved\n{row}\n")
    with pytest.raises(InvalidDataError, match=f"line 2: field '{field}' = {value}"):
        read_interactions_csv(path)


@pytest.mark.parametrize(
    ("row", "field", "value"),
    [
        ("s,happiness,5,2026-03-02T09:00+00:00", "kind", "'happiness'"),
        ("s,fcr,maybe,2026-03-02T09:00+00:00", "score", "'maybe'"),
        ("s,fcr,,2026-03-02T09:00+00:00", "score", "''"),
        ("s,nps,true,2026-03-02T09:00+00:00", "score", "'true'"),
        ("s,csat,,2026-03-02T09:00+00:00", "score", "''"),
        ("s,ces,nan,2026-03-02T09:00+00:00", "score", "'nan'"),
        ("s,nps,9,2026-03-02", "at", "'2026-03-02'"),
    ],
)
def test_bad_survey_cells(tmp_path: Path, row: str, field: str, value: str) -> None:
    path = write_text(tmp_path / "s.csv", f"id,kind,score,at\nok,nps,9,2026-03-02T08:00Z\n{row}\n")
    with pytest.raises(InvalidDataError, match=f"line 3: field '{field}' = {value}"):
        read_surveys_csv(path)


def test_record_errors_from_the_table_name_the_file_and_id(tmp_path: Path) -> None:
    path = write_text(
        tmp_path / "s.csv",
        "id,kind,score,at\nok,nps,9,2026-03-02T08:00Z\nbad,nps,11,2026-03-02T08:00Z\n",
    )
    # The file's line (the header is line 1), the record's id and the cell as written.
    with pytest.raises(
        InvalidDataError, match=r"s\.csv, line 3: record 'bad', field 'score' = '11'"
    ):
        read_surveys_csv(path)
    path = write_text(
        tmp_path / "c.csv",
        "id,customer_id,start,end\na,c,2026-03-02T09:00+00:00,2026-03-02T08:00+00:00\n",
    )
    with pytest.raises(
        InvalidDataError,
        match=r"c\.csv, line 2: record 'a', field 'end' = '2026-03-02T08:00\+00:00'",
    ):
        read_interactions_csv(path)


def test_duplicate_ids_are_errors(tmp_path: Path) -> None:
    path = write_text(
        tmp_path / "c.csv",
        "id,customer_id,start\na,c,2026-03-02T09:00Z\na,c,2026-03-02T10:00Z\n",
    )
    with pytest.raises(InvalidDataError, match="duplicate id"):
        read_interactions_csv(path)


def test_resolved_open_contact_is_an_error(tmp_path: Path) -> None:
    path = write_text(
        tmp_path / "c.csv", "id,customer_id,start,end,resolved\na,c,2026-03-02T09:00Z,,true\n"
    )
    with pytest.raises(InvalidDataError, match="'resolved'"):
        read_interactions_csv(path)


def test_missing_columns_are_named_with_close_names(tmp_path: Path) -> None:
    path = write_text(tmp_path / "c.csv", "id,customer,start,resovled\n")
    with pytest.raises(InvalidDataError) as info:
        read_interactions_csv(path)
    message = str(info.value)
    assert "c.csv" in message
    assert "missing column(s) 'customer_id' (did you mean 'customer'?)" in message
    assert "found ['id', 'customer', 'start', 'resovled']" in message
    assert "e.g. {'customer_id': 'customer'}" in message
    path = write_text(tmp_path / "s.csv", "id,kind,at,at\n")
    with pytest.raises(InvalidDataError, match=r"missing column\(s\) 'score'"):
        read_surveys_csv(path)
    path = write_text(tmp_path / "s.csv", "id,kind,score,at,at\n")
    with pytest.raises(InvalidDataError, match=r"repeated column\(s\) \['at'\]"):
        read_surveys_csv(path)


def test_ragged_row_names_its_line(tmp_path: Path) -> None:
    path = write_text(tmp_path / "c.csv", "id,customer_id,start\na,c,2026-03-02T09:00Z\nb,c\n")
    with pytest.raises(InvalidDataError, match=r"line 3: .*2 cells where the header has 3"):
        read_interactions_csv(path)


def test_empty_and_binary_files_are_errors(tmp_path: Path) -> None:
    with pytest.raises(InvalidDataError, match="empty file"):
        read_interactions_csv(write_text(tmp_path / "empty.csv", ""))
    binary = tmp_path / "binary.csv"
    binary.write_bytes(b"id,customer_id,start\n\xff\xfe\x00\x01\n")
    with pytest.raises(InvalidDataError, match=r"binary\.csv"):
        read_interactions_csv(binary)


@pytest.mark.parametrize(
    "text",
    [
        "2026-03-02T10:10:00+01:00",
        "2026-03-02T09:10:00Z",
        "2026-03-02T09:10:00z",
        "2026-03-02T09:10Z",
        "2026-03-02T10:10:00+0100",
        "2026-03-02T04:10:00.000-05:00",
        "2026-03-02 09:10:00+00:00",
    ],
)
def test_timestamp_spellings(text: str) -> None:
    assert fromisoformat(text) == datetime(2026, 3, 2, 9, 10, tzinfo=timezone.utc)


def test_fractions_of_any_length() -> None:
    moment = fromisoformat("2026-03-02T09:10:00.5+00:00")
    assert moment.microsecond == 500_000
    assert fromisoformat("2026-03-02T09:10:00,1234567Z").microsecond == 123_456
