"""One column-mapping story for every reader: CSV, dataframes, Parquet (decision 45).

A real helpdesk export has its own column names, dozens of columns csmetrics
does not read, naive local timestamps and a status column instead of a
``resolved`` flag. Every reader takes the same options for that, and the CSV
path and the dataframe path give the same table.
"""

from __future__ import annotations

import io
import warnings
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import attrs
import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

import csmetrics
from csmetrics import Interactions, InvalidDataError, Surveys, catalog
from csmetrics.adapters.io import read_interactions_csv, read_surveys_csv
from csmetrics.core.table import Encoded
from strategies import frame_backends

pd = pytest.importorskip("pandas")
pytest.importorskip("narwhals")

# A small export as a Zendesk-like helpdesk writes it: its own column names,
# naive local times (Europe/Berlin), a status column and columns csmetrics
# does not know. Ticket 1004 opens at 02:30 on 2026-03-29, a time the clocks
# skip; ticket 1005 at 02:30 on 2026-10-25, a time that occurs twice.
EXPORT = """\
Id,Requester,Assignee,Group,Channel,Created at,Solved at,Status,Reopens,Tags
1001,ann@example.com,Maria,Billing,email,2026-03-02 09:00,2026-03-02 11:30,Solved,0,refund
1002,bob@example.com,Tom,Login,web,2026-03-02 10:15:30,2026-03-03 08:00,Closed,1,
1003,ann@example.com,Maria,Billing,email,2026-03-05 14:00,,Open,0,refund
1004,cy@example.com,,Login,chat,2026-03-29 02:30,2026-03-29 04:00, solved ,0,
1005,dee@example.com,Tom,,web,2026-10-25 02:30,2026-10-25 02:45,Pending,0,vip
"""
COLUMNS = {
    "id": "Id",
    "customer_id": "Requester",
    "agent_id": "Assignee",
    "category": "Group",
    "channel": "Channel",
    "start": "Created at",
    "end": "Solved at",
}
OPTIONS: dict[str, Any] = {
    "columns": COLUMNS,
    "assume_timezone": "Europe/Berlin",
    "resolved_when": {"Status": ["solved", "closed"]},
}
UTC = timezone.utc
STARTS = [
    datetime(2026, 3, 2, 8, 0, tzinfo=UTC),  # 09:00 CET
    datetime(2026, 3, 2, 9, 15, 30, tzinfo=UTC),
    datetime(2026, 3, 5, 13, 0, tzinfo=UTC),
    datetime(2026, 3, 29, 1, 0, tzinfo=UTC),  # skipped 02:30: the jump, 03:00 CEST
    datetime(2026, 10, 25, 0, 30, tzinfo=UTC),  # 02:30 twice: the first, CEST
]


def export_csv(tmp_path: Path, text: str = EXPORT, name: str = "export.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def export_frame(text: str = EXPORT) -> Any:
    """The export as pandas reads it: text columns, naive local timestamps."""
    frame = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)
    for column in ("Created at", "Solved at"):
        frame[column] = pd.to_datetime(frame[column].replace("", None), format="ISO8601")
    return frame


def assert_same_table(ours: Any, expected: Any) -> None:
    """Every column equal, keys and codes included (key dtypes may differ in width)."""
    assert type(ours) is type(expected)
    for field in attrs.fields(type(ours)):
        a, b = getattr(ours, field.name), getattr(expected, field.name)
        if isinstance(a, Encoded):
            assert a.codes.tolist() == b.codes.tolist(), field.name
            assert a.keys.tolist() == b.keys.tolist(), field.name
        elif isinstance(a, np.ndarray):
            assert a.dtype == b.dtype, field.name
            np.testing.assert_array_equal(a, b, err_msg=field.name)


def both_raise(
    tmp_path: Path, error: type[Exception], pattern: str, text: str = EXPORT, **options: Any
) -> None:
    """The CSV reader and the frame reader refuse the same export the same way."""
    with pytest.raises(error, match=pattern):
        read_interactions_csv(export_csv(tmp_path, text), **options)
    with pytest.raises(error, match=pattern):
        Interactions.from_frame(export_frame(text), **options)


def starts(table: Interactions) -> list[datetime]:
    return [csmetrics.core.table.from_micros(t) for t in table.start.tolist()]


# -- 1. columns=: one mapping, every reader -----------------------------------


def test_the_export_reads_from_csv_with_its_own_names(tmp_path: Path) -> None:
    table = read_interactions_csv(export_csv(tmp_path), **OPTIONS)
    assert table.id.keys.tolist() == ["1001", "1002", "1003", "1004", "1005"]
    assert starts(table) == STARTS
    assert table.resolved.tolist() == [True, True, False, True, False]
    assert table.agent_id.keys.tolist() == ["Maria", "Tom"]
    assert table.agent_id.codes.tolist() == [0, 1, 0, -1, 1]
    assert table.category.codes.tolist() == [0, 1, 0, 1, -1]


@pytest.mark.parametrize("backend", list(frame_backends(export_frame())))
def test_every_frame_backend_gives_the_csv_table(tmp_path: Path, backend: str) -> None:
    frame = frame_backends(export_frame())[backend]
    expected = read_interactions_csv(export_csv(tmp_path), **OPTIONS)
    assert_same_table(Interactions.from_frame(frame, **OPTIONS), expected)


def test_parquet_gives_the_csv_table(tmp_path: Path) -> None:
    pa = pytest.importorskip("pyarrow")
    pq = pytest.importorskip("pyarrow.parquet")
    path = tmp_path / "export.parquet"
    pq.write_table(pa.Table.from_pandas(export_frame(), preserve_index=False), path)
    expected = read_interactions_csv(export_csv(tmp_path), **OPTIONS)
    assert_same_table(Interactions.read_parquet(path, **OPTIONS), expected)


def test_a_field_not_mapped_is_read_from_its_own_name(tmp_path: Path) -> None:
    text = EXPORT.replace("Channel,", "channel,", 1)
    columns = {k: v for k, v in COLUMNS.items() if k != "channel"}
    options = {**OPTIONS, "columns": columns}
    table = read_interactions_csv(export_csv(tmp_path, text), **options)
    assert table.channel.keys.tolist() == ["chat", "email", "web"]
    assert_same_table(Interactions.from_frame(export_frame(text), **options), table)


def test_two_fields_may_read_one_column(tmp_path: Path) -> None:
    options = {**OPTIONS, "columns": {**COLUMNS, "issue_id": "Id"}}
    table = read_interactions_csv(export_csv(tmp_path), **options)
    assert table.issue_id.keys.tolist() == table.id.keys.tolist()
    assert_same_table(Interactions.from_frame(export_frame(), **options), table)


def test_a_mapped_column_must_exist(tmp_path: Path) -> None:
    # An optional field mapped to a column that is not there would otherwise
    # read every contact as open.
    options = {**OPTIONS, "columns": {**COLUMNS, "end": "Solved_at"}}
    pattern = r"missing column\(s\) 'Solved_at' \(for end\) \(did you mean 'Solved at'\?\)"
    both_raise(tmp_path, InvalidDataError, pattern, **options)


def test_a_missing_required_column_names_the_columns_found(tmp_path: Path) -> None:
    options = {**OPTIONS, "columns": {k: v for k, v in COLUMNS.items() if k != "customer_id"}}
    for read in (
        lambda: read_interactions_csv(export_csv(tmp_path), **options),
        lambda: Interactions.from_frame(export_frame(), **options),
    ):
        with pytest.raises(InvalidDataError) as info:
            read()
        message = str(info.value)
        assert "missing column(s) 'customer_id'" in message
        assert "found ['Id', 'Requester'" in message
        assert "Required fields: ['id', 'customer_id', 'start']" in message


@pytest.mark.parametrize(
    ("columns", "pattern"),
    [
        ({"ticket": "Id"}, r"\['ticket'\] are not csmetrics fields; the fields are \['id'"),
        ({"id": ""}, "do not name columns"),
        ({"id": 5}, "do not name columns"),
        (["id"], "use a mapping of field name to column name"),
    ],
)
def test_bad_column_maps_are_value_errors_on_every_reader(
    tmp_path: Path, columns: Any, pattern: str
) -> None:
    path = export_csv(tmp_path)
    for read in (
        lambda: read_interactions_csv(path, columns=columns),
        lambda: Interactions.from_frame(export_frame(), columns=columns),
        lambda: Interactions.read_parquet(tmp_path / "never-read.parquet", columns=columns),
    ):
        with pytest.raises(ValueError, match=pattern):
            read()


# -- 1b. a metric given a dataframe takes the reading options too ------------

TABLE_INPUTS = [e.name for e in catalog.entries() if e.input in ("contacts", "surveys", "sales")]


@pytest.mark.parametrize("name", TABLE_INPUTS)
def test_every_metric_of_tables_reads_with_its_tables_options(name: str) -> None:
    function = catalog.get(name).function
    table = "Surveys" if catalog.get(name).input == "surveys" else "Interactions"
    assert function.takes_tables == table  # type: ignore[attr-defined]
    other = "resolved_when" if table == "Surveys" else "kind"
    if not (other == "kind" and name == "resolution_time"):  # its own option
        with pytest.raises(TypeError, match=rf"{name}\(\) takes no {other}=: the reading options"):
            function(export_frame(), **{other: None})
    with pytest.raises(TypeError, match=rf"{name}\(\) takes columns= with a dataframe only"):
        function([], columns={})


@pytest.mark.parametrize(
    "metric",
    [csmetrics.fcr, csmetrics.resolution_rate, csmetrics.resolution_time],
)
def test_a_metric_reads_a_frame_as_the_reader_does(metric: Any) -> None:
    table = Interactions.from_frame(export_frame(), **OPTIONS)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", csmetrics.UndefinedMetricWarning)
        assert metric(export_frame(), **OPTIONS, by="agent_id") == metric(table, by="agent_id")


def test_the_report_reads_a_frame_as_the_reader_does() -> None:
    table = Interactions.from_frame(export_frame(), **OPTIONS)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", csmetrics.UndefinedMetricWarning)
        ours = csmetrics.kpi_report(export_frame(), **OPTIONS)  # type: ignore[call-arg]
        expected = csmetrics.kpi_report(table)
    assert [row.result for row in ours] == [row.result for row in expected]


def test_a_metric_option_named_like_a_reading_option_is_the_metrics(tmp_path: Path) -> None:
    table = read_interactions_csv(export_csv(tmp_path), **OPTIONS)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", csmetrics.UndefinedMetricWarning)
        result = csmetrics.resolution_time(table, kind="first")
    assert result.metric == "first_resolution_time"


def test_a_table_read_with_options_serves_every_metric(tmp_path: Path) -> None:
    table = Interactions.from_frame(export_frame(), **OPTIONS)
    by_agent = csmetrics.resolution_rate(table, by="agent_id")
    assert list(by_agent) == ["Maria", "Tom", None]
    assert (by_agent["Maria"].numerator, by_agent["Maria"].denominator) == (1, 2)


# -- 2. unknown columns: ignored, or refused with strict ----------------------


def test_strict_names_the_columns_it_would_ignore(tmp_path: Path) -> None:
    pattern = r"unknown column\(s\) \['Reopens', 'Tags'\]: with strict columns"
    both_raise(tmp_path, InvalidDataError, pattern, strict=True, **OPTIONS)
    frame = export_frame().drop(columns=["Reopens", "Tags"])
    table = Interactions.from_frame(frame, strict=True, **OPTIONS)
    assert_same_table(table, Interactions.from_frame(export_frame(), **OPTIONS))


def test_strict_names_a_field_column_that_a_mapping_bypasses(tmp_path: Path) -> None:
    text = "id,ticket,customer_id,start\nx,1,ann,2026-03-02T09:00Z\n"
    table = read_interactions_csv(export_csv(tmp_path, text), columns={"id": "ticket"})
    assert table.id.keys.tolist() == ["1"]
    with pytest.raises(InvalidDataError, match=r"unknown column\(s\) \['id'\]"):
        read_interactions_csv(export_csv(tmp_path, text), columns={"id": "ticket"}, strict=True)


def test_strict_must_be_a_bool(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="strict='yes' is not allowed; use True or False"):
        read_interactions_csv(export_csv(tmp_path), strict="yes")  # type: ignore[arg-type]


def test_repeated_columns_matter_only_when_read(tmp_path: Path) -> None:
    text = "id,customer_id,start,note,note\na,c,2026-03-02T09:00Z,x,y\n"
    assert len(read_interactions_csv(export_csv(tmp_path, text))) == 1
    text = "id,customer_id,start,start\na,c,2026-03-02T09:00Z,2026-03-02T09:00Z\n"
    with pytest.raises(InvalidDataError, match=r"repeated column\(s\) \['start'\]"):
        read_interactions_csv(export_csv(tmp_path, text))


# -- 3. naive timestamps ------------------------------------------------------


def test_naive_times_without_a_zone_name_the_field_and_the_row(tmp_path: Path) -> None:
    options = {k: v for k, v in OPTIONS.items() if k != "assume_timezone"}
    with pytest.raises(InvalidDataError) as info:
        read_interactions_csv(export_csv(tmp_path), **options)
    message = str(info.value)
    assert "export.csv, line 2: field 'start' (column 'Created at') = '2026-03-02 09:00'" in message
    assert "assume_timezone=" in message
    frame = export_frame()
    frame.loc[0, "Created at"] = pd.NaT  # the first row with a value is named
    with pytest.raises(InvalidDataError) as info:
        Interactions.from_frame(frame, **options)
    message = str(info.value)
    assert "column 'Created at' (field 'start') has naive timestamps" in message
    assert "row 1: 2026-03-02T10:15:30" in message


def test_cells_with_an_offset_keep_it_under_assume_timezone(tmp_path: Path) -> None:
    text = (
        "id,customer_id,start\n"
        "a,c,2026-07-01 12:00\n"
        "b,c,2026-07-01T12:00:00+00:00\n"
        "c,c,2026-07-01T12:00Z\n"
    )
    table = read_interactions_csv(export_csv(tmp_path, text), assume_timezone="America/New_York")
    assert starts(table) == [
        datetime(2026, 7, 1, 16, tzinfo=UTC),
        datetime(2026, 7, 1, 12, tzinfo=UTC),
        datetime(2026, 7, 1, 12, tzinfo=UTC),
    ]


def test_zoned_frame_columns_ignore_assume_timezone() -> None:
    frame = export_frame()
    for column in ("Created at", "Solved at"):
        frame[column] = frame[column].dt.tz_localize("UTC")
    table = Interactions.from_frame(frame, **OPTIONS)
    assert starts(table)[0] == datetime(2026, 3, 2, 9, tzinfo=UTC)


def test_repeated_and_skipped_local_times_follow_the_calendar_rule(tmp_path: Path) -> None:
    # 2026-10-25 in Berlin: 02:00-03:00 happens twice; 02:59 is read as its
    # first occurrence (CEST) and 03:00 as CET, so time never runs backwards.
    text = (
        "id,customer_id,start\n"
        "a,c,2026-10-25 01:59\n"
        "b,c,2026-10-25 02:00\n"
        "c,c,2026-10-25 02:59\n"
        "d,c,2026-10-25 03:00\n"
        "e,c,2026-03-29 02:00\n"
        "f,c,2026-03-29 02:59:59.5\n"
        "g,c,2026-03-29 03:00\n"
    )
    table = read_interactions_csv(export_csv(tmp_path, text), assume_timezone="Europe/Berlin")
    assert starts(table) == [
        datetime(2026, 10, 24, 23, 59, tzinfo=UTC),
        datetime(2026, 10, 25, 0, 0, tzinfo=UTC),
        datetime(2026, 10, 25, 0, 59, tzinfo=UTC),
        datetime(2026, 10, 25, 2, 0, tzinfo=UTC),
        datetime(2026, 3, 29, 1, 0, tzinfo=UTC),  # skipped: the instant of the jump
        datetime(2026, 3, 29, 1, 0, tzinfo=UTC),
        datetime(2026, 3, 29, 1, 0, tzinfo=UTC),
    ]


@pytest.mark.parametrize("zone", ["Mars/Olympus", "europe/berlin ", ""])
def test_an_unknown_zone_is_a_value_error_naming_the_option(tmp_path: Path, zone: str) -> None:
    for read in (
        lambda: read_interactions_csv(export_csv(tmp_path), assume_timezone=zone),
        lambda: Interactions.from_frame(export_frame(), assume_timezone=zone),
        lambda: read_surveys_csv(export_csv(tmp_path), assume_timezone=zone),
    ):
        with pytest.raises(ValueError, match=rf"assume_timezone={zone!r} is not a known time zone"):
            read()


# -- 4. derived fields: resolved_when, a fixed survey kind --------------------


def test_resolved_when_ignores_case_and_spaces_and_missing_is_not_resolved() -> None:
    frame = export_frame()
    frame.loc[1, "Status"] = None
    table = Interactions.from_frame(frame, **OPTIONS)
    assert table.resolved.tolist() == [True, False, False, True, False]


def test_resolved_when_reads_any_column_as_text(tmp_path: Path) -> None:
    text = (
        "id,customer_id,start,end,state\n"
        "a,c,2026-03-02T09:00Z,2026-03-02T09:30Z,4\n"
        "b,c,2026-03-02T10:00Z,2026-03-02T10:30Z,2\n"
    )
    options: dict[str, Any] = {"resolved_when": {"state": ["4", "5"]}}
    table = read_interactions_csv(export_csv(tmp_path, text), **options)
    assert table.resolved.tolist() == [True, False]
    frame = pd.read_csv(io.StringIO(text))  # state is an integer column here
    for column in ("start", "end"):
        frame[column] = pd.to_datetime(frame[column])
    assert Interactions.from_frame(frame, **options).resolved.tolist() == [True, False]


def test_resolved_when_replaces_a_resolved_column(tmp_path: Path) -> None:
    text = (
        "id,customer_id,start,end,resolved,status\n"
        "a,c,2026-03-02T09:00Z,2026-03-02T09:30Z,2026-03-02,solved\n"
    )
    options: dict[str, Any] = {"resolved_when": {"status": "solved"}}
    assert read_interactions_csv(export_csv(tmp_path, text), **options).resolved.tolist() == [True]
    with pytest.raises(InvalidDataError, match=r"unknown column\(s\) \['resolved'\]"):
        read_interactions_csv(export_csv(tmp_path, text), strict=True, **options)


def test_resolved_when_names_a_missing_column(tmp_path: Path) -> None:
    options = {**OPTIONS, "resolved_when": {"State": ["solved"]}}
    pattern = r"missing column\(s\) 'State' \(for resolved_when\) \(did you mean 'Status'\?\)"
    both_raise(tmp_path, InvalidDataError, pattern, **options)


def test_a_solved_status_on_an_open_contact_names_the_record(tmp_path: Path) -> None:
    text = EXPORT.replace("2026-03-05 14:00,,Open", "2026-03-05 14:00,,Solved")
    both_raise(tmp_path, InvalidDataError, r"'1003'.*'resolved'.*open contact", text, **OPTIONS)


@pytest.mark.parametrize(
    ("when", "pattern"),
    [
        ({}, "resolved_when={} is not allowed"),
        ({"Status": []}, "is not allowed"),
        ({"Status": ["solved"], "Other": ["x"]}, "is not allowed"),
        ({"Status": ["solved", ""]}, "non-empty texts"),
        ({"Status": [1]}, "non-empty texts"),
        (["Status"], "is not allowed"),
    ],
)
def test_bad_resolved_when_is_a_value_error(tmp_path: Path, when: Any, pattern: str) -> None:
    both_raise(tmp_path, ValueError, pattern, resolved_when=when)


def test_resolved_has_one_source(tmp_path: Path) -> None:
    options = {**OPTIONS, "columns": {**COLUMNS, "resolved": "Status"}}
    pattern = "columns= maps 'resolved' to 'Status' and resolved_when= gives it too"
    both_raise(tmp_path, ValueError, pattern, **options)


SURVEY_EXPORT = """\
Response ID,Ticket,Score,Answered at,Comment
r1,1001,10,2026-03-02 12:00,great
r2,1002,6,2026-03-03 09:00,
r3,1003,9,2026-03-06 18:30,thanks
"""
SURVEY_OPTIONS: dict[str, Any] = {
    "columns": {
        "id": "Response ID",
        "interaction_id": "Ticket",
        "score": "Score",
        "at": "Answered at",
    },
    "assume_timezone": "Europe/Berlin",
    "kind": "nps",
}


def survey_frame(text: str = SURVEY_EXPORT) -> Any:
    frame = pd.read_csv(io.StringIO(text), dtype={"Response ID": str, "Ticket": str})
    frame["Answered at"] = pd.to_datetime(frame["Answered at"])
    return frame


def test_a_survey_kind_for_a_whole_file(tmp_path: Path) -> None:
    path = export_csv(tmp_path, SURVEY_EXPORT, "answers.csv")
    answers = read_surveys_csv(path, **SURVEY_OPTIONS)
    assert csmetrics.nps(answers) == csmetrics.nps([10, 6, 9])
    assert_same_table(Surveys.from_frame(survey_frame(), **SURVEY_OPTIONS), answers)
    pa = pytest.importorskip("pyarrow")
    pq = pytest.importorskip("pyarrow.parquet")
    target = tmp_path / "answers.parquet"
    pq.write_table(pa.Table.from_pandas(survey_frame(), preserve_index=False), target)
    assert_same_table(Surveys.read_parquet(target, **SURVEY_OPTIONS), answers)


def test_without_kind_a_survey_file_needs_a_kind_column(tmp_path: Path) -> None:
    path = export_csv(tmp_path, SURVEY_EXPORT, "answers.csv")
    options = {k: v for k, v in SURVEY_OPTIONS.items() if k != "kind"}
    with pytest.raises(InvalidDataError, match=r"missing column\(s\) 'kind'"):
        read_surveys_csv(path, **options)


def test_a_fixed_kind_ignores_a_kind_column(tmp_path: Path) -> None:
    text = "id,kind,score,at\nr1,csat,4,2026-03-02T12:00Z\n"
    path = export_csv(tmp_path, text, "answers.csv")
    assert csmetrics.ces(read_surveys_csv(path, kind="ces")).n == 1
    with pytest.raises(InvalidDataError, match=r"unknown column\(s\) \['kind'\]"):
        read_surveys_csv(path, kind="ces", strict=True)


@pytest.mark.parametrize(
    ("options", "pattern"),
    [
        ({"kind": "happiness"}, "kind='happiness' is not allowed; use one of: 'nps'"),
        ({"kind": "nps", "columns": {"kind": "Type"}}, "columns= maps 'kind' to 'Type'"),
    ],
)
def test_bad_kind_is_a_value_error(tmp_path: Path, options: dict[str, Any], pattern: str) -> None:
    path = export_csv(tmp_path, SURVEY_EXPORT, "answers.csv")
    with pytest.raises(ValueError, match=pattern):
        read_surveys_csv(path, **options)
    with pytest.raises(ValueError, match=pattern):
        Surveys.from_frame(survey_frame(), **options)


# -- 5. the CSV and the dataframe paths agree ---------------------------------

ZONES = ("Europe/Berlin", "America/New_York", "Australia/Lord_Howe", "UTC")
# Days around each zone's 2026 clock changes, so repeated and skipped local
# times are drawn often.
CHANGES = {
    "Europe/Berlin": (datetime(2026, 3, 29), datetime(2026, 10, 25)),
    "America/New_York": (datetime(2026, 3, 8), datetime(2026, 11, 1)),
    "Australia/Lord_Howe": (datetime(2026, 4, 5), datetime(2026, 10, 4)),
    "UTC": (datetime(2026, 3, 29), datetime(2026, 10, 25)),
}
STATUSES = ("new", "open", "pending", "hold", "Solved", "solved ", "CLOSED", "", None)
RESOLVED = {"solved", "closed"}


@st.composite
def helpdesk_exports(draw: st.DrawFn) -> tuple[str, Any]:
    """A zone and a small export as a pandas frame, with a helpdesk's own names."""
    zone = draw(st.sampled_from(ZONES))
    n = draw(st.integers(0, 8))
    ids = draw(st.lists(st.integers(0, 60), min_size=n, max_size=n, unique=True))
    rows = []
    for number in ids:
        change = draw(st.sampled_from(CHANGES[zone]))
        grain = draw(st.sampled_from((1, 60, 900)))  # seconds; from 6 h before to 30 h after
        start = change + timedelta(
            seconds=grain * draw(st.integers(-21600 // grain, 108000 // grain))
        )
        if draw(st.booleans()):
            start += timedelta(microseconds=draw(st.integers(1, 999_999)))
        closed = draw(st.booleans())
        end = start + timedelta(minutes=draw(st.integers(0, 180))) if closed else None
        status = draw(st.sampled_from(STATUSES if closed else ("new", "open", "", None)))
        rows.append(
            {
                "Ticket": f"{number:03d}" if number % 2 else f"T-{number}",
                "Requester": draw(st.sampled_from(("ann", "bob", "cy"))),
                "Assignee": draw(st.sampled_from(("Maria", "Tom", "", None))),
                "Group": draw(st.sampled_from(("Billing", "Login", None))),
                "Created": start,
                "Solved": end,
                "Status": status,
                "Escalated": draw(st.booleans()),
                "Talk (s)": draw(st.sampled_from((None, 0.0, 61.5, 1 / 3))),
                "Tags": draw(st.sampled_from(("vip", "", None))),
            }
        )
    columns = ["Ticket", "Requester", "Assignee", "Group", "Created", "Solved", "Status"]
    frame = pd.DataFrame(rows, columns=[*columns, "Escalated", "Talk (s)", "Tags"])
    for column in ("Created", "Solved"):
        frame[column] = pd.to_datetime(frame[column]).astype("datetime64[us]")
    frame["Escalated"] = frame["Escalated"].astype(bool)
    frame["Talk (s)"] = frame["Talk (s)"].astype(float)
    for column in ("Ticket", "Requester", "Assignee", "Group", "Status", "Tags"):
        frame[column] = frame[column].astype(object)
    return zone, frame


PROPERTY_COLUMNS = {
    "id": "Ticket",
    "customer_id": "Requester",
    "agent_id": "Assignee",
    "category": "Group",
    "start": "Created",
    "end": "Solved",
    "escalated": "Escalated",
    "talk_seconds": "Talk (s)",
}


@settings(max_examples=60)
@given(export=helpdesk_exports())
@example(
    export=(
        "Europe/Berlin",
        pd.DataFrame(
            {
                "Ticket": ["007", "T-1"],
                "Requester": ["ann", "ann"],
                "Assignee": ["Maria", None],
                "Group": [None, "Billing"],
                "Created": pd.to_datetime(["2026-10-25 02:30", "2026-03-29 02:30"]),
                "Solved": pd.to_datetime(["2026-10-25 02:45", None]),
                "Status": [" Solved", "open"],
                "Escalated": [False, True],
                "Talk (s)": [61.5, float("nan")],
                "Tags": ["vip", None],
            }
        ).astype({"Ticket": object, "Assignee": object, "Group": object, "Tags": object}),
    )
)
def test_csv_and_frame_give_identical_tables(
    tmp_path_factory: pytest.TempPathFactory, export: tuple[str, Any]
) -> None:
    zone, frame = export
    path = tmp_path_factory.mktemp("export") / "export.csv"
    frame.to_csv(path, index=False)
    options: dict[str, Any] = {
        "columns": PROPERTY_COLUMNS,
        "assume_timezone": zone,
        "resolved_when": {"Status": sorted(RESOLVED)},
    }
    from_csv = read_interactions_csv(path, **options)
    assert_same_table(Interactions.from_frame(frame, **options), from_csv)
    expected = [
        isinstance(s, str) and s.strip().lower() in RESOLVED for s in frame["Status"].tolist()
    ]
    assert from_csv.resolved.tolist() == expected
