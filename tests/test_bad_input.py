"""Bad and extreme input: a documented result or a documented error that names the thing.

Each case is one hostile input to one public function. A case either gives a
number that is right (checked by hand) or raises the documented error type
with a message naming the option, record or field and the value; never an
OverflowError, a hang or a value computed from garbage.
"""

from __future__ import annotations

import inspect
import warnings
from datetime import datetime, timedelta, timezone
from decimal import Decimal

import numpy as np
import pytest

import csmetrics
from csmetrics import Interaction, InvalidDataError

T = datetime(2026, 3, 2, 9, tzinfo=timezone.utc)
CONTACTS = [Interaction(id="1", customer_id="ann", start=T, end=T, resolved=True)]
RATE = csmetrics.Rate(numerator=1, denominator=2)
STAFFING = {
    "calls": 100,
    "interval_seconds": 1800,
    "aht_seconds": 180,
    "target_service_level": 0.8,
    "threshold": 20,
}


# -- options ------------------------------------------------------------------------------------


@pytest.mark.parametrize("days", [1e9, 1e300, np.float64(1e12), 10**30])
def test_a_window_longer_than_any_data_is_capped_not_an_overflow(days):
    # One resolved contact: its window (capped at about 146,000 years) is still
    # open at the last datetime, so the episode is pending, not an error.
    late = datetime(9999, 12, 31, tzinfo=timezone.utc)
    with pytest.warns(csmetrics.UndefinedMetricWarning, match="all pending"):
        result = csmetrics.fcr(CONTACTS, window_days=days, as_of=late)
    assert (result.numerator, result.denominator, result.pending) == (0, 0, 1)


@pytest.mark.parametrize(
    ("days", "shown"),
    [
        (0, "0"),
        (-1, "-1"),
        (float("nan"), "nan"),
        (float("inf"), "inf"),
        ("7", "'7'"),
        (True, "True"),
    ],
)
def test_a_bad_window_names_the_option_and_value(days, shown):
    with pytest.raises(ValueError, match=rf"window_days={shown} is not allowed"):
        csmetrics.fcr(CONTACTS, window_days=days)


@pytest.mark.parametrize(
    ("level", "shown"),
    [
        (0.9999999999999999, "0.9999999999999999"),
        (1.0, "1.0"),
        (0, "0"),
        (-0.5, "-0.5"),
        (float("nan"), "nan"),
        ("0.95", "'0.95'"),
        (True, "True"),
    ],
)
def test_a_bad_confidence_level_names_the_option_and_value(level, shown):
    with pytest.raises(ValueError, match=rf"confidence_level={shown} is not allowed"):
        RATE.ci(confidence_level=level)


def test_a_confidence_level_just_inside_the_range_works():
    ci = RATE.ci(confidence_level=1 - 1e-15)
    assert 0 < ci.low < 0.5 < ci.high < 1
    assert RATE.ci(confidence_level=np.float64(0.95)) == RATE.ci(confidence_level=0.95)


def test_an_impossible_occupancy_cap_is_refused_not_searched():
    with pytest.raises(ValueError, match=r"max_occupancy=1e-09 need at least 10000000000 agents"):
        csmetrics.agents_needed(**STAFFING, max_occupancy=1e-9)


# -- numbers ------------------------------------------------------------------------------------


def test_the_mean_of_huge_times_is_not_inf():
    contacts = [
        Interaction(id=str(i), customer_id="ann", start=T, end=T, talk_seconds=1e308)
        for i in range(2)
    ]
    aht = csmetrics.handle_time(contacts, as_of=T)
    assert (aht.n, aht.mean, aht.std) == (2, 1e308, 0.0)
    per_agent = csmetrics.handle_time(contacts, as_of=T, by="agent_id")
    assert per_agent[None].mean == 1e308


@pytest.mark.parametrize("score", [10**400, -(10**400)])
def test_a_score_beyond_float_is_off_the_scale(score):
    with pytest.raises(InvalidDataError, match=r"position 1.*'score'.*off the nps scale"):
        csmetrics.nps([10, score])


# -- output -------------------------------------------------------------------------------------


@pytest.mark.parametrize("agent", ["x\r=cmd|' /C calc'!A0", "x\n=cmd|' /C calc'!A0", "\r\n+cmd"])
def test_a_line_break_cannot_start_a_formula_row_in_the_csv_report(agent):
    # A spreadsheet reads an unquoted carriage return as a new row: "=cmd..."
    # would open it and run. Every CSV line must be one record, no line may
    # start a formula.
    contacts = [
        Interaction(id=str(i), customer_id="ann", start=T, end=T, resolved=True, agent_id=agent)
        for i in range(2)
    ]
    report = csmetrics.build_report(contacts, by="agent_id", as_of=T)
    out = csmetrics.render(report, format="csv")
    lines = out.replace("\r\n", "\n").split("\n")
    assert all(not line.startswith(("=", "+", "-", "@")) for line in lines)
    assert not any("\r" in line for line in lines)
    assert sum("cmd" in line for line in lines) == sum(len(rows) for _, rows in report.groups)


def test_a_dollar_in_a_name_is_drawn_as_text_in_the_html_report():
    pytest.importorskip("matplotlib")
    name = "a_b $x_$"  # matplotlib would parse "$x_$" as (broken) math
    contacts = [
        Interaction(
            id=str(i),
            customer_id=f"c{i}",
            start=T,
            end=T,
            resolved=True,
            agent_id=name,
            category=name,
            complaint=i < 3,
        )
        for i in range(20)
    ]
    report = csmetrics.build_report(contacts, charts=True, as_of=T)
    assert report.charts, "the report draws its charts"
    page = csmetrics.render(report, format="html")
    assert page.count("data:image/png;base64,") == len(report.charts)


# -- readers and tables: one shared check per kind of value ---------------------------------------

BACKENDS = ("pandas", "polars", "pyarrow")
START = np.array(["2026-03-02T09:00", "2026-03-02T10:00"], "datetime64[us]")
AWARE = [T, T.replace(hour=10)]


def _frame(backend, columns):
    """A frame of ``columns`` (name to list) in one backend."""
    if backend == "pandas":
        pd = pytest.importorskip("pandas")
        return pd.DataFrame(columns)
    if backend == "polars":
        pl = pytest.importorskip("polars")
        return pl.DataFrame(columns, strict=False)
    pa = pytest.importorskip("pyarrow")
    return pa.table(columns)


def _contacts(**extra):
    """Two closed contacts as columns, plus ``extra`` columns."""
    return {"id": ["a", "b"], "customer_id": ["c1", "c2"], "start": AWARE, "end": AWARE, **extra}


# Flags: only bools are flags, never truthiness (decision 57).

NOT_FLAGS = [
    (["false", "no"], "'false'"),
    (["yes", "no"], "'yes'"),
    (["True", "False"], "'True'"),
    ([0, 2], "0"),
    ([0, 1], "0"),
    ([1.0, 0.0], "1.0"),
]


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize(("values", "shown"), NOT_FLAGS)
def test_a_flag_column_that_is_not_bool_is_refused_in_every_backend(backend, values, shown):
    frame = _frame(backend, {**_contacts(), "resolved": values})
    with pytest.raises(
        InvalidDataError, match=rf"row 0: field 'resolved' = {shown}: expected a bool"
    ):
        csmetrics.Interactions.from_frame(frame)


@pytest.mark.parametrize("flag", ["abandoned", "blocked", "escalated", "complaint"])
def test_every_flag_field_is_checked_the_same_way(flag):
    frame = _frame("pandas", {**_contacts(), flag: ["no", "no"]})
    with pytest.raises(InvalidDataError, match=rf"field '{flag}' = 'no'.*truthiness"):
        csmetrics.Interactions.from_frame(frame)


def test_a_mapped_flag_column_is_named_with_its_field():
    frame = _frame("polars", {**_contacts(), "Solved?": ["yes", "no"]})
    with pytest.raises(InvalidDataError, match=r"field 'resolved' \(column 'Solved\?'\) = 'yes'"):
        csmetrics.Interactions.from_frame(frame, columns={"resolved": "Solved?"})


def test_the_flag_error_suggests_the_mapping():
    frame = _frame("pandas", {**_contacts(), "resolved": ["yes", "no"]})
    with pytest.raises(InvalidDataError, match=r"resolved_when=\{'resolved': \['yes'\]\}"):
        csmetrics.Interactions.from_frame(frame)


@pytest.mark.parametrize("backend", BACKENDS)
def test_text_flags_read_with_resolved_when_are_right(backend):
    frame = _frame(backend, {**_contacts(), "status": ["solved", "no"]})
    table = csmetrics.Interactions.from_frame(frame, resolved_when={"status": ["solved"]})
    assert table.resolved.tolist() == [True, False]


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_bool_flag_with_nulls_reads_null_as_false(backend):
    frame = _frame(backend, {**_contacts(), "resolved": [True, None]})
    assert csmetrics.Interactions.from_frame(frame).resolved.tolist() == [True, False]


@pytest.mark.parametrize(("values", "shown"), [(["no", "yes"], "'no'"), ([1, 0], "1")])
def test_a_parquet_flag_of_another_type_is_invalid_data_not_an_arrow_error(tmp_path, values, shown):
    pq = pytest.importorskip("pyarrow.parquet")
    path = tmp_path / "contacts.parquet"
    pq.write_table(_frame("pyarrow", {**_contacts(), "escalated": values}), path)
    with pytest.raises(InvalidDataError, match=rf"field 'escalated' = {shown}: expected a bool"):
        csmetrics.Interactions.read_parquet(path)


@pytest.mark.parametrize(
    ("values", "shown"),
    [
        (np.array([0, 1]), "0"),
        (["no", "yes"], "'no'"),
        ([True, "yes"], "'yes'"),
        ([None, True], "None"),
    ],
)
def test_from_columns_flags_must_be_bools(values, shown):
    with pytest.raises(InvalidDataError, match=r"'a' \(position 0\)|position 1"):
        csmetrics.Interactions.from_columns(_contacts(resolved=values))
    with pytest.raises(InvalidDataError, match=rf"field 'resolved' = {shown}"):
        csmetrics.Interactions.from_columns(_contacts(resolved=values[::-1][::-1]))


def test_a_flag_error_names_the_first_bad_row():
    with pytest.raises(InvalidDataError, match=r"record 'b' \(position 1\): field 'blocked' = 'x'"):
        csmetrics.Interactions.from_columns(_contacts(blocked=[False, "x"]))


# Time edges (decision 58).


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize(
    ("wall", "utc"),
    [
        ("2026-10-25T02:30", "2026-10-25T00:30"),  # occurs twice: the first occurrence
        ("2026-03-29T02:30", "2026-03-29T01:00"),  # skipped: the instant the clocks jump
    ],
)
def test_naive_times_in_a_dst_change_follow_the_rule_in_every_backend(backend, wall, utc):
    walls = np.array([wall, "2026-10-26T12:00"], "datetime64[us]")
    frame = _frame(backend, {"id": ["a", "b"], "customer_id": ["c", "c"], "start": walls})
    table = csmetrics.Interactions.from_frame(frame, assume_timezone="Europe/Berlin")
    assert table.start[0] == np.datetime64(utc, "us").astype(np.int64)


@pytest.mark.parametrize("unit", ["Y", "M", "W", "D", "h", "m", "s", "ms"])
def test_a_coarse_datetime64_beyond_the_microsecond_range_is_refused_not_wrapped(unit):
    far = np.array([300_000 * 365 * 86_400], dtype="datetime64[s]").astype(f"datetime64[{unit}]")
    with pytest.raises(InvalidDataError, match=r"field 'start' = '.*': outside the instants"):
        csmetrics.Interactions.from_columns({"id": ["a"], "customer_id": ["c"], "start": far})


@pytest.mark.parametrize("when", ["10000-01-01", "-0001-01-01"])
def test_a_microsecond_time_outside_datetimes_range_is_refused(when):
    moment = np.array([when], "datetime64[us]")
    with pytest.raises(InvalidDataError, match=r"'a' \(position 0\): field 'end' = .*outside"):
        csmetrics.Interactions.from_columns(
            {"id": ["a"], "customer_id": ["c"], "start": START[:1], "end": moment}
        )


def test_a_coarse_datetime64_inside_the_range_is_read():
    day = np.array(["2026-03-02"], "datetime64[D]")
    table = csmetrics.Interactions.from_columns({"id": ["a"], "customer_id": ["c"], "start": day})
    assert table.start[0] == np.datetime64("2026-03-02", "us").astype(np.int64)


NEVER = datetime.fromisoformat("9999-12-31T23:59:59-05:00")


def test_a_never_end_past_the_last_instant_is_refused_on_an_object():
    with pytest.raises(InvalidDataError, match=r"record '1': field 'end' = .*outside the instants"):
        Interaction(id="1", customer_id="c", start=T, end=NEVER)


def test_a_never_end_past_the_last_instant_is_refused_in_columns():
    columns = {"id": ["a"], "customer_id": ["c"], "start": [T], "end": [NEVER]}
    with pytest.raises(InvalidDataError, match=r"'a' \(position 0\): field 'end'.*missing value"):
        csmetrics.Interactions.from_columns(columns)


def test_a_never_end_past_the_last_instant_is_refused_in_a_csv_file(tmp_path):
    path = tmp_path / "contacts.csv"
    path.write_text("id,customer_id,start,end\na,c,2026-03-02T09:00Z,9999-12-31T23:59:59-05:00\n")
    with pytest.raises(InvalidDataError, match=r"field 'end'.*outside the instants"):
        csmetrics.read_interactions_csv(path)


def test_the_last_instant_itself_is_accepted_and_gives_numbers():
    last = datetime.max.replace(tzinfo=timezone.utc)
    contact = Interaction(id="1", customer_id="c", start=T, end=last, talk_seconds=60.0)
    assert csmetrics.handle_time([contact]).n == 1
    assert csmetrics.contact_length([contact]).max == (last - T).total_seconds()


@pytest.mark.parametrize(
    "make",
    [
        lambda at: csmetrics.Survey(id="s", kind="nps", score=9, at=at),
        lambda at: csmetrics.Message(at=at, author="agent"),
        lambda at: csmetrics.Window(start=T, end=at),
        lambda at: csmetrics.Sale(id="s", customer_id="c", at=at, amount=1.0),
    ],
)
def test_every_record_refuses_an_instant_past_the_last(make):
    with pytest.raises(InvalidDataError, match=r"outside the instants csmetrics can hold"):
        make(NEVER)


def test_a_pandas_nat_end_in_columns_is_a_missing_value():
    pd = pytest.importorskip("pandas")
    columns = {"id": ["a"], "customer_id": ["c"], "start": [T], "end": [pd.NaT]}
    assert csmetrics.Interactions.from_columns(columns).is_open.tolist() == [True]


def test_a_pandas_nat_on_an_object_is_named_a_missing_value_not_naive():
    pd = pytest.importorskip("pandas")
    with pytest.raises(InvalidDataError, match=r"field 'end' = 'NaT': a missing value \(NaT\)"):
        Interaction(id="1", customer_id="c", start=T, end=pd.NaT)


def test_a_pandas_nat_start_is_reported_missing():
    pd = pytest.importorskip("pandas")
    columns = {"id": ["a"], "customer_id": ["c"], "start": [pd.NaT]}
    with pytest.raises(InvalidDataError, match=r"field 'start' = None: start is required"):
        csmetrics.Interactions.from_columns(columns)


# Keys (decision 59).


@pytest.mark.parametrize("key", [2**63, -(2**63) - 1, 2**64, 10**30])
def test_an_int_key_beyond_int64_is_refused_in_columns(key):
    columns = {"id": [key, 1], "customer_id": ["c", "c"], "start": [T, T]}
    with pytest.raises(
        InvalidDataError, match=rf"field 'id' = {key}: an int key must fit in 64 bits"
    ):
        csmetrics.Interactions.from_columns(columns)


@pytest.mark.parametrize("key", [2**63, -(2**63) - 1])
def test_an_int_key_beyond_int64_is_refused_on_an_object(key):
    with pytest.raises(InvalidDataError, match=rf"field 'customer_id' = {key}: an int key"):
        Interaction(id="1", customer_id=key, start=T)


@pytest.mark.parametrize("key", [-(2**63), 2**63 - 1])
def test_the_int64_limits_are_kept_exactly(key):
    table = csmetrics.Interactions.from_columns(
        {"id": [key, 0], "customer_id": ["c", "c"], "start": [T, T]}
    )
    assert sorted(table.id.keys.tolist()) == sorted([key, 0])


def test_an_unsigned_key_beyond_int64_is_refused_not_wrapped():
    ids = np.array([2**64 - 1, 5], dtype=np.uint64)
    with pytest.raises(InvalidDataError, match=r"field 'id' = 18446744073709551615"):
        csmetrics.Interactions.from_columns({"id": ids, "customer_id": ["c", "c"], "start": [T, T]})


@pytest.mark.parametrize("key", [np.uint64(2**64 - 1), np.uint64(2**63)])
def test_a_numpy_unsigned_key_beyond_int64_in_a_list_is_refused(key):
    # An object column mixing Python ints and a numpy uint64 (found by the long fuzz run).
    columns = {"id": ["a", "b"], "customer_id": [0, key], "start": [T, T]}
    with pytest.raises(
        InvalidDataError, match=rf"'b' \(position 1\): field 'customer_id' = {int(key)}: an int key"
    ):
        csmetrics.Interactions.from_columns(columns)


@pytest.mark.parametrize("backend", ["pandas", "polars"])
def test_an_unsigned_frame_key_beyond_int64_is_refused(backend):
    if backend == "pandas":
        pd = pytest.importorskip("pandas")
        agents = pd.array([2**64 - 1, None], dtype="UInt64")
    else:
        pl = pytest.importorskip("polars")
        agents = pl.Series([2**64 - 1, None], dtype=pl.UInt64)
    frame = _frame(backend, {"id": ["a", "b"], "customer_id": ["c", "c"], "start": AWARE})
    frame = (
        frame.assign(agent_id=agents)
        if backend == "pandas"
        else frame.with_columns(agent_id=agents)
    )
    with pytest.raises(InvalidDataError, match=r"field 'agent_id' = 18446744073709551615"):
        csmetrics.Interactions.from_frame(frame)


@pytest.mark.parametrize(
    ("value", "shown"),
    [(np.inf, "inf"), (-np.inf, "-inf"), (1e19, "1e\\+19"), (-1e300, "-1e\\+300")],
)
def test_a_float_key_beyond_int64_does_not_collapse_customers(value, shown):
    customers = np.array([value, 7.0])
    with pytest.raises(InvalidDataError, match=rf"field 'customer_id' = {shown}: a float key"):
        csmetrics.Interactions.from_columns(
            {"id": ["a", "b"], "customer_id": customers, "start": [T, T]}
        )


def test_a_nan_float_key_is_missing_not_a_customer():
    agents = np.array([np.nan, 7.0])
    table = csmetrics.Interactions.from_columns(_contacts(agent_id=agents))
    assert (table.agent_id.codes.tolist(), table.agent_id.keys.tolist()) == ([-1, 0], [7])


@pytest.mark.parametrize("backend", [*BACKENDS, "list", "objects", "csv"])
def test_a_key_ending_in_nul_is_refused_not_merged(backend, tmp_path):
    customers = ["x", "x\0"]
    if backend == "objects":
        records = [Interaction(id=str(i), customer_id=c, start=T) for i, c in enumerate(customers)]
        make = lambda: csmetrics.Interactions.from_records(records)  # noqa: E731
    elif backend == "list":
        make = lambda: csmetrics.Interactions.from_columns(  # noqa: E731
            {"id": ["a", "b"], "customer_id": customers, "start": [T, T]}
        )
    elif backend == "csv":
        path = tmp_path / "contacts.csv"
        path.write_text("id,customer_id,start\na,x,2026-03-02T09:00Z\nb,x\0,2026-03-02T09:00Z\n")
        make = lambda: csmetrics.read_interactions_csv(path)  # noqa: E731
    else:
        frame = _frame(backend, {"id": ["a", "b"], "customer_id": customers, "start": AWARE})
        make = lambda: csmetrics.Interactions.from_frame(frame)  # noqa: E731
    with pytest.raises(
        InvalidDataError, match=r"field 'customer_id' = 'x\\x00': a key may not end"
    ):
        make()


def test_a_nul_inside_a_key_is_kept():
    table = csmetrics.Interactions.from_columns(
        {"id": ["a", "b"], "customer_id": ["x\0y", "x"], "start": [T, T]}
    )
    assert sorted(table.customer_id.keys.tolist()) == ["x", "x\0y"]


# Shapes and tables (decision 60).


@pytest.mark.parametrize(
    ("field", "values"),
    [
        ("id", np.array([["a"], ["b"]])),
        ("customer_id", np.array([["c"], ["c"]])),
        ("start", START.reshape(2, 1)),
        ("end", START.reshape(1, 2)),
        ("resolved", np.array([[True], [False]])),
        ("talk_seconds", np.ones((2, 1))),
        ("agent_id", [["a"], ["b"]]),
    ],
)
def test_a_two_dimensional_column_is_refused(field, values):
    with pytest.raises(
        InvalidDataError, match=rf"column '{field}': .*not a column|column '{field}': row 0"
    ):
        csmetrics.Interactions.from_columns({**_contacts(), field: values})


def test_a_two_dimensional_score_column_does_not_count_four_answers():
    columns = {
        "id": ["a", "b"],
        "kind": ["nps", "nps"],
        "score": np.array([[1, 2], [9, 10]]),
        "at": [T, T],
    }
    with pytest.raises(InvalidDataError, match=r"column 'score': an array of shape \(2, 2\)"):
        csmetrics.Surveys.from_columns(columns)


@pytest.mark.parametrize("metric", ["nps", "csat", "ces", "survey_fcr"])
def test_a_two_dimensional_array_of_plain_scores_is_refused(metric):
    scores = np.ones((2, 2), dtype=bool if metric == "survey_fcr" else np.int64)
    with pytest.raises(InvalidDataError, match=r"scores: an array of shape \(2, 2\)"):
        getattr(csmetrics, metric)(scores)


@pytest.mark.parametrize("rows", [[0, 0, 1], [1, -1], [0, 1, 0]])
def test_take_with_a_repeated_row_is_refused_not_double_counted(rows):
    table = csmetrics.Interactions.from_columns(_contacts(resolved=[True, False]))
    with pytest.raises(
        InvalidDataError, match=r"take\(rows\): row \d \(id '[ab]'\) is selected more"
    ):
        table.take(np.array(rows))


def test_surveys_take_with_a_repeated_row_is_refused():
    table = csmetrics.Surveys.from_columns(
        {"id": ["a", "b"], "kind": ["nps", "nps"], "score": [9, 3], "at": [T, T]}
    )
    with pytest.raises(InvalidDataError, match=r"Surveys.take\(rows\): row 0 \(id 'a'\)"):
        table.take(np.array([0, 0]))
    assert len(table.take(np.array([1, 0]))) == 2


def test_take_out_of_range_names_the_index():
    table = csmetrics.Interactions.from_columns(_contacts())
    with pytest.raises(IndexError, match=r"index 5 is out of range for 2 rows"):
        table.take(np.array([5]))


# Options whose errors named the wrong thing.


@pytest.mark.parametrize("metric", ["first_response_time", "handle_time", "contact_length", "asa"])
def test_a_calendar_that_is_not_a_calendar_names_the_option(metric):
    contacts = [Interaction(id="1", customer_id="c", start=T, end=T, first_response_at=T)]
    with pytest.raises(TypeError, match=r"calendar='9-17' is not allowed"):
        getattr(csmetrics, metric)(contacts, calendar="9-17")


TICKET_CALENDAR_METRICS = [
    e.name
    for e in csmetrics.catalog.entries()
    if e.input == "tickets" and "calendar" in inspect.signature(e.function).parameters
]


@pytest.mark.parametrize("metric", TICKET_CALENDAR_METRICS)
@pytest.mark.parametrize("calendar", [[1, 2], {1, 2}, "9-17"], ids=["list", "set", "text"])
def test_a_ticket_calendar_that_is_not_a_calendar_names_the_option(metric, calendar):
    # Found by the long fuzz run: a list was a cache key first ("unhashable type: 'list'").
    with pytest.raises(TypeError, match=r"calendar=.* is not allowed"):
        getattr(csmetrics, metric)([], calendar=calendar)


@pytest.mark.parametrize("value", ["0", "-1", "nan", "inf", "ten", "1e400"])
def test_the_cli_service_level_agrees_with_its_help(value, capsys):
    from csmetrics.adapters.datasets import sample_paths
    from csmetrics.cli import main

    status = main(["report", str(sample_paths().interactions), f"--service-level={value}"])
    assert status == 2
    err = " ".join(capsys.readouterr().err.split())
    assert f"argument --service-level: {value!r} is not allowed; use a number of seconds > 0" in err


def test_the_cli_help_says_the_service_level_must_be_positive(capsys):
    from csmetrics.cli import main

    assert main(["report", "--help"]) == 0
    assert "seconds, > 0" in " ".join(capsys.readouterr().out.split())


# -- every metric of the catalogue: a bad option is named with its value ---------------------------

_CONTACTS = [
    Interaction(
        id=str(i),
        customer_id="ann",
        start=T,
        end=T,
        resolved=True,
        first_response_at=T,
        talk_seconds=5.0,
        channel="chat",
        agent_id="a",
        category="x",
        issue_id="i",
    )
    for i in range(3)
]
_SURVEYS = [
    csmetrics.Survey(id=str(i), kind=kind, score=True if kind == "fcr" else 3, at=T)
    for i, kind in enumerate(csmetrics.SURVEY_KINDS)
]
_REQUIRED = {"service_level": {"threshold": 20}}
_BAD_OPTIONS = {
    "by": ("nope", "by='nope'", ValueError),
    "period": (42, "period=42", TypeError),
    "as_of": (datetime(2026, 1, 1), r"as_of=datetime.datetime\(2026, 1, 1, 0, 0\)", ValueError),
    "censoring": ("km", "censoring='km'", ValueError),
    "window_days": (-1, "window_days=-1", ValueError),
    "calendar": ("9-17", "calendar='9-17'", TypeError),
}


def _option_cases():
    import inspect

    for entry in csmetrics.catalog.entries():
        if entry.input not in ("contacts", "surveys") or entry.name == "sla_attainment":
            continue
        parameters = inspect.signature(entry.function).parameters
        for name, (value, shown, error) in _BAD_OPTIONS.items():
            if name in parameters and not (name == "window_days" and entry.name == "product_gaps"):
                yield pytest.param(entry, name, value, shown, error, id=f"{entry.name}-{name}")


@pytest.mark.parametrize(("entry", "name", "value", "shown", "error"), list(_option_cases()))
def test_every_metric_names_a_bad_option_and_its_value(entry, name, value, shown, error):
    data = _CONTACTS if entry.input == "contacts" else _SURVEYS
    with pytest.raises(error, match=rf"{shown} is not allowed"):
        entry.function(data, **_REQUIRED.get(entry.name, {}), **{name: value})


# -- an int too large for a float: refused, never an OverflowError (decision 97) -------------------

HUGE = 10**400
HUGE_SHOWN = r"100000\.\.\.\(401 digits\)"


@pytest.mark.parametrize("field", ["talk_seconds", "hold_seconds", "wrap_seconds"])
def test_seconds_beyond_float_are_refused_on_an_object(field):
    expected = rf"field '{field}' = {HUGE_SHOWN}: expected a finite"
    with pytest.raises(InvalidDataError, match=expected):
        Interaction(id="1", customer_id="ann", start=T, **{field: HUGE})


@pytest.mark.parametrize("value", [HUGE, -HUGE], ids=["huge", "-huge"])
def test_seconds_beyond_float_are_refused_in_columns_naming_the_row(value):
    columns = _contacts(talk_seconds=[1.5, value])
    with pytest.raises(InvalidDataError, match=r"record 'b' \(position 1\): field 'talk_seconds'"):
        csmetrics.Interactions.from_columns(columns)


# Seconds are numbers as on a record, in lists and object columns too (decision 120).

NOT_SECONDS = [
    ([1.5, True], r"True"),
    ([2.5, np.True_], r"True"),
    ([3, np.datetime64("2026-01-01")], r"datetime\.date\(2026, 1, 1\)"),
    ([3, Decimal("1.5")], r"Decimal\('1\.5'\)"),
    ([None, np.timedelta64(5, "m")], r"datetime\.timedelta\(seconds=300\)"),
]


@pytest.mark.parametrize(("values", "shown"), NOT_SECONDS)
def test_seconds_that_are_not_numbers_are_refused_in_columns(values, shown):
    columns = _contacts(talk_seconds=values)
    expected = rf"record 'b' \(position 1\): field 'talk_seconds' = {shown}: expected a number"
    with pytest.raises(InvalidDataError, match=expected):
        csmetrics.Interactions.from_columns(columns)


@pytest.mark.parametrize(
    ("value", "shown"),
    [(np.datetime64("2026-01-01"), r"datetime\.date\(2026, 1, 1\)"), ("5", "'5'"), (True, "True")],
)
def test_seconds_that_are_not_numbers_are_refused_in_a_pandas_object_column(value, shown):
    # numpy's float conversion read a datetime64 as 20454 (days since 1970) and "5" as 5.
    pd = pytest.importorskip("pandas")
    frame = pd.DataFrame(_contacts(wrap_seconds=pd.Series([2, value], dtype=object)))
    with pytest.raises(InvalidDataError, match=rf"field 'wrap_seconds' = {shown}: expected a"):
        csmetrics.Interactions.from_frame(frame)


@pytest.mark.parametrize(
    ("field", "values", "shown"),
    [
        ("scale_low", [1, 0.5], r"0\.5"),
        ("scale_high", [5, True], "True"),
        ("scale_high", np.array([5.0, np.nan]), "nan"),
        ("scale_high", [5, 2**63], "9223372036854775808"),
        ("scale_high", np.array([5, 2**64 - 1], dtype=np.uint64), "18446744073709551615"),
    ],
)
def test_a_scale_bound_that_is_not_a_whole_number_is_refused_in_columns(field, values, shown):
    # numpy's int64 conversion truncated 0.5 to 0, read True as 1 and nan as -2**63.
    columns = {"id": ["a", "b"], "kind": ["rating"] * 2, "score": [3, 4], "at": AWARE}
    columns |= {"scale_low": [1, 1], "scale_high": [5, 5], field: values}
    expected = rf"record 'b' \(position 1\): field '{field}' = {shown}: expected a whole number"
    with pytest.raises(InvalidDataError, match=expected):
        csmetrics.Surveys.from_columns(columns)


@pytest.mark.parametrize(
    ("given", "kinds", "refused"),
    [
        ({"scale_high": [7, 10]}, ["rating", "nps"], None),
        ({"scale_high": [5, 5]}, ["rating", "nps"], r"record 'b'.*\(0, 5\)"),
        ({"scale_low": [0, 5]}, ["nps", "rating"], r"record 'b'.*\(5, 5\)"),
    ],
)
def test_one_scale_bound_given_takes_the_kinds_other_bound_and_is_checked(given, kinds, refused):
    columns = {"id": ["a", "b"], "kind": kinds, "score": [3, 4], "at": AWARE, **given}
    if refused is not None:
        with pytest.raises(InvalidDataError, match=refused + ": not a valid scale for this kind"):
            csmetrics.Surveys.from_columns(columns)
        return
    table = csmetrics.Surveys.from_columns(columns)
    assert (table.scale_low.tolist(), table.scale_high.tolist()) == ([1, 0], [7, 10])


def test_a_text_scale_bound_names_the_column():
    columns = {"id": ["a"], "kind": ["rating"], "score": [3], "at": [T], "scale_low": ["x"]}
    with pytest.raises(InvalidDataError, match=r"column 'scale_low'.*expected whole numbers"):
        csmetrics.Surveys.from_columns(columns)


def test_whole_float_scale_bounds_are_read():
    columns = {"id": ["a"], "kind": ["rating"], "score": [6], "at": [T], "scale_low": [1.0]}
    table = csmetrics.Surveys.from_columns({**columns, "scale_high": np.array([7.0])})
    assert (table.scale_low.tolist(), table.scale_high.tolist()) == ([1], [7])


def test_a_list_in_a_row_of_the_kind_column_names_the_column():
    # Found by the long fuzz run: numpy's "inhomogeneous shape" named nothing.
    columns = {"id": ["a", "b"], "kind": ["nps", [1, 2]], "score": [3, 4], "at": AWARE}
    with pytest.raises(InvalidDataError, match=r"column 'kind': row 1 holds list \[1, 2\]"):
        csmetrics.Surveys.from_columns(columns)


def test_a_numpy_timedelta_is_not_a_number_of_seconds_on_an_object():
    # numpy counts timedelta64 among its integers; its number is in its own unit.
    with pytest.raises(InvalidDataError, match=r"field 'talk_seconds' = .*expected a number"):
        Interaction(id="1", customer_id="ann", start=T, talk_seconds=np.timedelta64(5, "m"))


def test_a_numpy_timedelta_option_names_the_option():
    with pytest.raises(ValueError, match=r"window_days=.*is not allowed"):
        csmetrics.fcr(CONTACTS, window_days=np.timedelta64(7, "D"))


def test_numbers_of_seconds_of_every_kind_are_read():
    values = [1, 2.5, np.int32(3), np.float32(0.5), None, np.uint64(4)]
    table = csmetrics.Interactions.from_columns(_contacts(talk_seconds=values[:2]))
    assert table.talk_seconds.tolist() == [1.0, 2.5]
    pd = pytest.importorskip("pandas")
    rows = {"id": list("abcdef"), "customer_id": ["c"] * 6, "start": [T] * 6}
    frame = pd.DataFrame({**rows, "talk_seconds": pd.Series(values, dtype=object)})
    got = csmetrics.Interactions.from_frame(frame).talk_seconds
    assert got[[0, 1, 2, 3, 5]].tolist() == [1.0, 2.5, 3.0, 0.5, 4.0]
    assert np.isnan(got[4])


def test_seconds_beyond_float_are_refused_in_a_pandas_frame():
    pd = pytest.importorskip("pandas")
    frame = pd.DataFrame(_contacts(hold_seconds=pd.Series([HUGE, 3], dtype=object)))
    with pytest.raises(InvalidDataError, match=rf"'hold_seconds' = {HUGE_SHOWN}"):
        csmetrics.Interactions.from_frame(frame)


@pytest.mark.parametrize("kind", ["nps", "csat", "ces", "rating"])
def test_a_survey_score_beyond_float_in_columns_is_off_the_scale(kind):
    columns = {"id": ["s1", "s2"], "kind": [kind, kind], "score": [3, HUGE], "at": AWARE}
    expected = rf"'s2' \(position 1\): field 'score' = {HUGE_SHOWN}"
    with pytest.raises(InvalidDataError, match=expected):
        csmetrics.Surveys.from_columns(columns)


def test_a_survey_score_beyond_float_on_an_object_is_refused():
    with pytest.raises(InvalidDataError, match=rf"field 'score' = {HUGE_SHOWN}"):
        csmetrics.Survey(id="s", kind="csat", score=HUGE, at=T)


def test_a_sale_amount_beyond_float_is_refused():
    with pytest.raises(InvalidDataError, match=rf"field 'amount' = -{HUGE_SHOWN}"):
        csmetrics.Sale(id="1", customer_id="ann", at=T, amount=-HUGE)


@pytest.mark.parametrize(
    ("call", "name"),
    [
        (lambda v: csmetrics.fcr(CONTACTS, window_days=v), "window_days"),
        (lambda v: csmetrics.agents_needed(**{**STAFFING, "calls": v}), "calls"),
        (lambda v: csmetrics.agents_needed(**{**STAFFING, "aht_seconds": v}), "aht_seconds"),
        (lambda v: csmetrics.agents_needed(**STAFFING, shrinkage=v), "shrinkage"),
        (lambda v: csmetrics.agents_needed(**STAFFING, max_occupancy=v), "max_occupancy"),
        (lambda v: csmetrics.erlang_c(traffic=v, agents=3), "traffic"),
        (lambda v: csmetrics.service_level(CONTACTS, threshold=v), "threshold"),
        (lambda v: RATE.ci(confidence_level=v), "confidence_level"),
    ],
)
@pytest.mark.parametrize("value", [HUGE, -HUGE], ids=["huge", "-huge"])
def test_an_option_beyond_float_names_the_option_not_an_overflow(call, name, value):
    with pytest.raises(ValueError, match=rf"{name}=-?100000\.\.\.\(401 digits\) is not allowed"):
        call(value)


def test_a_scale_bound_beyond_int64_is_refused():
    with pytest.raises(ValueError, match=r"scale=\(1, 1000.*each in int64's range"):
        csmetrics.csat([3], scale=(1, HUGE))


def test_a_long_int_is_shown_abbreviated_and_a_key_in_full():
    from csmetrics.core.check import shown

    assert repr(shown(-HUGE)) == "-100000...(401 digits)"
    assert shown(10**30) == 10**30  # a key of 31 digits is shown whole: a user looks it up


# -- a column of only missing times is missing, not naive (class 8) --------------------------------


@pytest.mark.parametrize("backend", BACKENDS)
def test_an_all_missing_end_column_is_missing_not_a_time_zone_problem(backend):
    if backend == "pandas":
        pd = pytest.importorskip("pandas")
        ends = pd.Series([pd.NaT, pd.NaT], dtype="datetime64[us]")  # naive by dtype
    elif backend == "polars":
        pl = pytest.importorskip("polars")
        ends = pl.Series([None, None], dtype=pl.Datetime("us"))
    else:
        pa = pytest.importorskip("pyarrow")
        ends = pa.array([None, None], type=pa.timestamp("us"))
    frame = _frame(backend, {**_contacts(), "end": ends})
    table = csmetrics.Interactions.from_frame(frame)
    with pytest.warns(csmetrics.UndefinedMetricWarning):
        result = csmetrics.handle_time(table, as_of=T.replace(hour=11))
    assert result.n == 0  # two open contacts: no handle time, no error


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_naive_column_names_its_first_time_not_a_missing_one(backend):
    pd = pytest.importorskip("pandas")
    ends = [None, datetime(2026, 3, 2, 11)]
    if backend == "pandas":
        ends = pd.Series([pd.NaT, ends[1]], dtype="datetime64[us]")
    frame = _frame(backend, {**_contacts(), "end": ends})
    expected = r"column 'end' \(field 'end'\) has naive.*row 1: 2026"
    with pytest.raises(InvalidDataError, match=expected):
        csmetrics.Interactions.from_frame(frame)


# -- found by the fuzz tests (tests/test_fuzz.py) -------------------------------------------------


@pytest.mark.parametrize(
    ("value", "shown"), [("4", "'4'"), (float("nan"), "nan"), (HUGE, HUGE_SHOWN), (True, "True")]
)
def test_a_satisfied_from_that_is_not_a_number_names_the_option(value, shown):
    with pytest.raises(ValueError, match=rf"satisfied_from={shown} is not allowed"):
        csmetrics.csat([3, 4], satisfied_from=value)


def test_a_pandas_nat_satisfied_from_names_the_option():
    pd = pytest.importorskip("pandas")
    with pytest.raises(ValueError, match=r"satisfied_from='NaT' is not allowed"):
        csmetrics.csat([3, 4], satisfied_from=pd.NaT)


@pytest.mark.parametrize(
    "metric",
    ["first_response_time", "handle_time", "resolution_time", "fcr", "asa", "reopen_rate"],
)
def test_a_nat_as_of_names_the_option_in_every_metric(metric):
    pd = pytest.importorskip("pandas")
    with pytest.raises(ValueError, match=r"as_of=NaT is not allowed; use a timezone-aware"):
        getattr(csmetrics, metric)(CONTACTS, as_of=pd.NaT)


def test_an_as_of_past_the_last_instant_names_the_option():
    never = datetime(9999, 12, 31, 23, 59, 59, tzinfo=timezone(timedelta(hours=-5)))
    with pytest.raises(ValueError, match=r"as_of=.* is not allowed.*9999-12-31T23:59:59\.999999"):
        csmetrics.handle_time(CONTACTS, as_of=never)


@pytest.mark.parametrize("dtype", ["<U3", "int64", "float64", "datetime64[us]"])
def test_an_empty_flag_column_of_any_dtype_is_no_flags_not_an_index_error(dtype):
    columns = {"id": [], "customer_id": [], "start": [], "abandoned": np.array([], dtype=dtype)}
    table = csmetrics.Interactions.from_columns(columns)
    assert len(table) == 0


# -- numpy scalars are numbers wherever Python numbers are (class 6, decision 97) ------------------

NUMPY_OPTIONS = [
    ("csat scale", lambda: csmetrics.csat([3, 5], scale=(np.int64(1), np.int64(5))).denominator, 2),
    (
        "csat satisfied_from",
        lambda: csmetrics.csat([3, 5], satisfied_from=np.int64(4)).numerator,
        1,
    ),
    ("pareto share", lambda: csmetrics.pareto(_CONTACTS, share=np.float32(0.5)).share, 0.5),
    (
        "complaint_rate min_complaints",
        lambda: csmetrics.complaint_rate(_CONTACTS, min_complaints=np.int64(2)).overall.denominator,
        3,
    ),
    ("fcr window_days", lambda: csmetrics.fcr(CONTACTS, window_days=np.float32(7)).window_days, 7),
    ("erlang_c agents", lambda: round(csmetrics.erlang_c(np.float32(2.0), np.int64(3)), 4), 0.4444),
]


@pytest.mark.parametrize(
    ("name", "call", "expected"), NUMPY_OPTIONS, ids=[c[0] for c in NUMPY_OPTIONS]
)
def test_a_numpy_scalar_option_is_taken_like_a_python_number(name, call, expected):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", csmetrics.UndefinedMetricWarning)
        assert call() == expected, name


@pytest.mark.parametrize("value", [np.int64(5), np.float32(5.0), np.float64(5.0), np.uint8(5)])
def test_numpy_seconds_on_a_contact_are_numbers(value):
    contact = Interaction(id="1", customer_id="ann", start=T, end=T, talk_seconds=value)
    assert csmetrics.handle_time([contact], as_of=T).mean == 5.0


def test_a_numpy_scale_is_recorded_as_python_ints():
    result = csmetrics.csat([3], scale=(np.int64(1), np.int64(5)))
    assert result.scale == (1, 5)
    assert all(type(bound) is int for bound in result.scale)


# -- found by the long fuzz run: rows holding lists ----------------------------------------------


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("field", ["agent_id", "channel", "category"])
def test_a_key_column_of_lists_names_the_row_not_an_ambiguous_truth_value(backend, field):
    frame = _frame(backend, {**_contacts(), field: [[1, 2], [3, 4]]})
    with pytest.raises(InvalidDataError, match=rf"position 0\): field '{field}' = \[1, 2\]"):
        csmetrics.Interactions.from_frame(frame)


def test_a_key_column_of_lists_in_a_parquet_file_names_the_row(tmp_path):
    pa = pytest.importorskip("pyarrow")
    pq = pytest.importorskip("pyarrow.parquet")
    path = tmp_path / "contacts.parquet"
    pq.write_table(pa.table({**_contacts(), "agent_id": [(1, 2), None]}), path)
    with pytest.raises(InvalidDataError, match=r"field 'agent_id' = "):
        csmetrics.Interactions.read_parquet(path)


@pytest.mark.parametrize("field", ["id", "agent_id", "start", "talk_seconds"])
def test_a_sequence_column_with_a_list_in_a_row_names_the_column_and_row(field):
    columns = _contacts()
    columns[field] = [columns.get(field, [None, None])[0] or 1.0, [1, 2]]
    with pytest.raises(InvalidDataError, match=rf"'{field}'.*row 1"):
        csmetrics.Interactions.from_columns(columns)


def test_a_survey_score_column_with_a_list_in_a_row_names_the_column():
    columns = {"id": ["a", "b"], "kind": ["nps", "nps"], "score": [9, [1, 2]], "at": AWARE}
    with pytest.raises(InvalidDataError, match=r"'score'"):
        csmetrics.Surveys.from_columns(columns)


@pytest.mark.parametrize("value", [None, 5, "ab", float("nan")])
def test_messages_that_are_not_a_sequence_name_the_record_and_field(value):
    with pytest.raises(
        InvalidDataError, match=r"record '1': field 'messages\[0\]'.*expected a Message"
    ):
        Interaction(id="1", customer_id="ann", start=T, messages=value)


def test_a_nat_status_history_names_the_ticket_and_field():
    pd = pytest.importorskip("pandas")
    with pytest.raises(InvalidDataError, match=r"field 'statuses\[0\]' = 'NaT'"):
        csmetrics.Ticket(id="1", customer_id="ann", created=T, messages=[], statuses=pd.NaT)


@pytest.mark.parametrize("agents", [2**63, 10**9, 10**400])
@pytest.mark.parametrize("formula", ["erlang_b", "erlang_c"])
def test_an_agent_count_beyond_any_search_is_refused_not_computed_for_ever(formula, agents):
    # Found by the long fuzz run: one step per agent made erlang_b(2.0, 2**63) run for ever.
    with pytest.raises(ValueError, match=r"agents=\d+.* is not allowed; use an int >= 0, at most"):
        getattr(csmetrics, formula)(2.0, agents)


def test_the_largest_agent_count_is_computed():
    assert csmetrics.erlang_b(2.0, 1_000_000) == 0.0


@pytest.mark.parametrize(
    "call",
    [
        lambda: csmetrics.service_level(CONTACTS, threshold=20, preset=[1, 2]),  # type: ignore[arg-type]
        lambda: csmetrics.presets.get(["zendesk"]),  # type: ignore[arg-type]
        lambda: csmetrics.fcr(CONTACTS, match=["issue"]),  # type: ignore[arg-type]
    ],
)
def test_an_unhashable_option_is_named_not_a_bare_type_error(call):
    # Found by the long fuzz run: preset=[1, 2] raised "unhashable type: 'list'".
    with pytest.raises(ValueError, match=r"^\w+=\[.*\] is not allowed; use one of: "):
        call()
