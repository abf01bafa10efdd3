"""Fuzzing every path in: a documented result, or a documented error that names something.

Each test draws valid data with `csmetrics.testing`, spoils it (one hostile
value in one field, cell or option, a column of the wrong shape or type, a
file with a hostile cell) and sends it through one path: records,
``from_columns``, ``from_frame`` for pandas, polars, pyarrow and DuckDB, Parquet,
CSV, the command line, and every metric of the catalogue with hostile
options. The property: the call returns (a result whose value can be read)
or raises `InvalidDataError`, ``ValueError`` or ``TypeError`` whose message
names a record, field, column, row or option. Any other exception
(``OverflowError``, ``IndexError``, ``KeyError``, an Arrow or pandas error, a
numpy ``RuntimeWarning`` turned into an error) fails the test.

The default run tries a few dozen examples per test (about half a minute in
all). The long run is ``HYPOTHESIS_PROFILE=fuzz pytest -m fuzz`` (10,000
examples per test, or ``HYPOTHESIS_EXAMPLES``); its figures are in
docs/reliability.md.
"""

from __future__ import annotations

import csv
import inspect
import io
import math
import os
import tempfile
import warnings
from contextlib import redirect_stderr, redirect_stdout, suppress
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import attrs
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import csmetrics
from csmetrics import InvalidDataError
from csmetrics.cli import main as cli_main
from csmetrics.testing import interaction_frames, interactions, survey_frames, surveys
from strategies import agent_times, contacts_and_sales, interaction_columns, outages, tickets

pd = pytest.importorskip("pandas")
pl = pytest.importorskip("polars")
pa = pytest.importorskip("pyarrow")
pq = pytest.importorskip("pyarrow.parquet")
duckdb = pytest.importorskip("duckdb")

DUCKDB = duckdb.connect()

pytestmark = pytest.mark.fuzz

_LONG_RUN = os.environ.get("HYPOTHESIS_PROFILE", "default") != "default"


def examples(n: int) -> settings:
    """``n`` examples in the default run; the loaded profile's count in a long run."""
    common = {"suppress_health_check": [HealthCheck.too_slow, HealthCheck.filter_too_much]}
    return settings(**common) if _LONG_RUN else settings(max_examples=n, **common)


# -- the property ---------------------------------------------------------------------------------

DOCUMENTED = (InvalidDataError, ValueError, TypeError)
"""The errors the API documents for bad input (InvalidDataError is a ValueError)."""

NAMING_WORDS = ("record", "column", "row", "position", "line", "field", "score", "file")
"""Words with which a message names where the bad value is, besides field and option names."""

FIELDS = frozenset(
    {a.name for a in attrs.fields(csmetrics.Interaction)}
    | {a.name for a in attrs.fields(csmetrics.Survey)}
    | {a.name for a in attrs.fields(csmetrics.Sale)}
    | {a.name for a in attrs.fields(csmetrics.AgentTime)}
    | {a.name for a in attrs.fields(csmetrics.Outage)}
)

INTERNALS = (
    "ufunc",
    "Traceback",
    "numpy.",
    "object of type",
    "has no attribute",
    "'NoneType' object",
)
"""Fragments of messages that come from inside Python or numpy, never from csmetrics."""


class BugError(AssertionError):
    """An exception csmetrics does not document, or a message that names nothing."""


def outcome(call: Any, *, names: tuple[str, ...] = ()) -> Any:
    """Run ``call``: its result, or the documented error it raised (checked to name something).

    ``names`` are the options and columns the caller passed, which a message
    may name. csmetrics warnings are ignored (undefined results are expected
    here); a numpy RuntimeWarning (overflow, invalid value) is an error: it
    means a value reached arithmetic unchecked.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", csmetrics.CsmetricsWarning)
        warnings.simplefilter("error", RuntimeWarning)
        try:
            result = call()
        except DOCUMENTED as error:
            text = str(error)
            named = (*FIELDS, *NAMING_WORDS, *names)
            if not any(word in text for word in named) or any(w in text for w in INTERNALS):
                msg = f"{type(error).__name__} names nothing: {text!r}"
                raise BugError(msg) from error
            return error
    readable(result)
    return result


def readable(result: Any) -> None:
    """A result's headline and repr can be read; a rate is in [0, 1] or nan."""
    items = result.values() if isinstance(result, csmetrics.Breakdown) else [result]
    for one in items:
        if isinstance(one, csmetrics.Result):
            value = float(one)
            repr(one)
            if isinstance(one, csmetrics.Rate):
                assert math.isnan(value) or 0 <= value <= 1, one


# -- hostile values -------------------------------------------------------------------------------

T = datetime(2026, 3, 2, 9, tzinfo=timezone.utc)

HOSTILE: tuple[Any, ...] = (
    None,
    "",
    " ",
    "x\x00",
    "x\r=cmd|' /C calc'!A0",
    "a_b $x_$",
    "true",
    "no",
    "2026-03-02T09:00:00",
    b"bytes",
    0,
    1,
    2,
    -1,
    10**400,
    -(10**400),
    2**63,
    2**64,
    -(2**63) - 1,
    1.5,
    1e308,
    -1e308,
    1e-300,
    math.nan,
    math.inf,
    -math.inf,
    True,
    False,
    np.int64(7),
    np.float64(math.nan),
    np.uint64(2**64 - 1),
    np.bool_(True),
    np.datetime64("NaT"),
    np.datetime64("300000-01-01"),
    datetime(2026, 3, 2, 9),  # naive
    datetime(9999, 12, 31, 23, 59, 59, tzinfo=timezone(timedelta(hours=-5))),
    datetime.min.replace(tzinfo=timezone.utc),
    datetime.max.replace(tzinfo=timezone.utc),
    T,
    date(2026, 3, 2),
    timedelta(days=-1),
    timedelta.max,
    timedelta(0),
    [1, 2],
    (1, 2),
    {},
    object(),
)
"""Values no field or option should take without a documented answer."""

hostile = st.sampled_from(HOSTILE)
if hasattr(pd, "NaT"):
    hostile = hostile | st.just(pd.NaT)

HOSTILE_TEXT = (
    "",
    " ",
    "nan",
    "NaN",
    "inf",
    "-inf",
    "1e999",
    "9" * 400,
    "-1",
    "0",
    "2",
    "1.5",
    "true",
    "yes",
    "maybe",
    "x\x00",
    "=cmd|' /C calc'!A0",
    "\r",
    '"',
    "2026-13-45T99:99:99",
    "2026-03-02T09:00:00",
    "9999-12-31T23:59:59-05:00",
    "0001-01-01T00:00:00+00:00",
    "-0001-01-01T00:00:00+00:00",
    "2026-03-02T09:00:00+25:00",
    "18446744073709551616",
)
"""Cells a CSV export could hold."""


# -- the metrics, with valid or hostile options ---------------------------------------------------

ENTRIES = {entry.name: entry for entry in csmetrics.catalog.entries()}
CONTACT_METRICS = [
    e for e in ENTRIES.values() if e.input == "contacts" and e.name != "cohort_retention"
]
SURVEY_METRICS = [e for e in ENTRIES.values() if e.input == "surveys"]
TICKET_METRICS = [e for e in ENTRIES.values() if e.input == "tickets"]

REQUIRED: dict[str, dict[str, Any]] = {
    "service_level": {"threshold": 20},
    "erlang_c_service_level": {"threshold": 20, "aht_seconds": 180},
    "erlang_c_asa": {"aht_seconds": 180},
}
POLICY = csmetrics.SLAPolicy(rules=[csmetrics.SLARule(first_response=3600, next_reply=600)])


def _options(entry: Any) -> list[str]:
    """The keyword-only options of a metric."""
    parameters = inspect.signature(entry.function).parameters.values()
    return [p.name for p in parameters if p.kind is inspect.Parameter.KEYWORD_ONLY]


@st.composite
def spoiled_options(draw: st.DrawFn, entry: Any) -> dict[str, Any]:
    """The required options of ``entry``, sometimes with one option given a hostile value."""
    chosen = dict(REQUIRED.get(entry.name, {}))
    names = _options(entry)
    if names and draw(st.booleans()):
        chosen[draw(st.sampled_from(names))] = draw(hostile)
    return chosen


def run_metric(entry: Any, data: Any, options: dict[str, Any]) -> Any:
    if entry.name in ("sla_attainment", "sla_outcomes"):
        return outcome(lambda: entry.function(data, POLICY, **options), names=tuple(options))
    return outcome(lambda: entry.function(data, **options), names=tuple(options))


def run_contact_metrics(draw: st.DrawFn, data: Any) -> None:
    for entry in CONTACT_METRICS:
        run_metric(entry, data, draw(spoiled_options(entry)))


def run_survey_metrics(draw: st.DrawFn, data: Any) -> None:
    for entry in SURVEY_METRICS:
        run_metric(entry, data, draw(spoiled_options(entry)))


# -- records --------------------------------------------------------------------------------------


@examples(40)
@given(interactions(service=True, team=True, max_size=8), st.data())
def test_fuzz_contact_records(contacts, data):
    """One field of one contact given a hostile value: refused at construction, or measured."""
    if contacts and data.draw(st.booleans()):
        row = data.draw(st.integers(0, len(contacts) - 1))
        field = data.draw(st.sampled_from([a.name for a in attrs.fields(csmetrics.Interaction)]))
        fields = {
            a.name: getattr(contacts[row], a.name) for a in attrs.fields(csmetrics.Interaction)
        }
        fields[field] = data.draw(hostile)
        made = outcome(lambda: csmetrics.Interaction(**fields))
        if isinstance(made, Exception):
            return
        contacts = [*contacts[:row], made, *contacts[row + 1 :]]
    table = outcome(lambda: csmetrics.Interactions.from_records(contacts))
    if not isinstance(table, Exception):
        run_contact_metrics(data.draw, data.draw(st.sampled_from([contacts, table])))


@examples(40)
@given(surveys(max_size=10), st.data())
def test_fuzz_survey_records_and_scores(answers, data):
    """A hostile field of one answer, and plain score lists with hostile scores."""
    if answers and data.draw(st.booleans()):
        row = data.draw(st.integers(0, len(answers) - 1))
        field = data.draw(st.sampled_from([a.name for a in attrs.fields(csmetrics.Survey)]))
        fields = {a.name: getattr(answers[row], a.name) for a in attrs.fields(csmetrics.Survey)}
        fields[field] = data.draw(hostile)
        made = outcome(lambda: csmetrics.Survey(**fields))
        if not isinstance(made, Exception):
            answers = [*answers[:row], made, *answers[row + 1 :]]
    run_survey_metrics(data.draw, answers)
    plain = data.draw(st.lists(st.integers(0, 10) | hostile, max_size=6))
    for metric in (csmetrics.nps, csmetrics.csat, csmetrics.ces, csmetrics.survey_fcr):
        outcome(lambda metric=metric: metric(plain), names=("scores", "score"))
        outcome(lambda metric=metric: metric(np.asarray(plain, dtype=object)), names=("score",))


# -- columns --------------------------------------------------------------------------------------

CONTACT_COLUMNS = (
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


@st.composite
def spoiled_column(draw: st.DrawFn, values: Any, n: int) -> Any:
    """A column spoiled one way: a hostile cell, a hostile shape, or a hostile type."""
    how = draw(st.sampled_from(("cell", "cell", "fill", "2d", "length", "array")))
    if how == "cell" and n:
        cells = list(values) if values is not None else [None] * n
        cells[draw(st.integers(0, n - 1))] = draw(hostile)
        return cells
    if how == "fill":
        return [draw(hostile)] * n
    if how == "2d":
        return np.zeros((n, 2))
    if how == "length":
        return [None] * (n + 1)
    return draw(
        st.sampled_from(
            (
                np.full(n, "yes"),
                np.arange(n, dtype=np.uint64) + np.uint64(2**63),
                np.full(n, math.inf),
                np.full(n, 1e19),
                np.arange(n, dtype=np.int64),
                np.full(n, np.datetime64("300000-01-01", "D")),
                np.full(n, np.datetime64("2026-03-02T09:00", "ms")),
                np.full(n, np.datetime64("NaT", "us")),
                np.full(n, None, dtype=object),
                np.ones(n, dtype=bool),
            )
        )
    )


@examples(60)
@given(interactions(service=True, team=True, max_size=8), st.data())
def test_fuzz_contact_columns(contacts, data):
    """``Interactions.from_columns`` with one column spoiled, then every contact metric."""
    columns = interaction_columns(
        contacts, times=data.draw(st.sampled_from(("aware", "datetime64"))), service=True
    )
    name = data.draw(st.sampled_from(CONTACT_COLUMNS))
    columns[name] = data.draw(spoiled_column(columns.get(name), len(contacts)))
    table = outcome(lambda: csmetrics.Interactions.from_columns(columns), names=(name,))
    if not isinstance(table, Exception):
        run_contact_metrics(data.draw, table)


@examples(40)
@given(surveys(max_size=10), st.data())
def test_fuzz_survey_columns(answers, data):
    columns: dict[str, Any] = {
        "id": [a.id for a in answers],
        "kind": [a.kind for a in answers],
        "score": [a.score for a in answers],
        "at": [a.at for a in answers],
        "agent_id": [a.agent_id for a in answers],
    }
    name = data.draw(st.sampled_from([*columns, "customer_id", "interaction_id"]))
    columns[name] = data.draw(spoiled_column(columns.get(name), len(answers)))
    table = outcome(lambda: csmetrics.Surveys.from_columns(columns), names=(name,))
    if not isinstance(table, Exception):
        run_survey_metrics(data.draw, table)


# -- frames and Parquet ---------------------------------------------------------------------------

BACKENDS = ("pandas", "polars", "pyarrow")


def _crashes_arrow(values: Any) -> bool:
    """Whether ``values`` mix a numpy ``datetime64`` with another numpy scalar.

    ``pyarrow.array`` ends the interpreter with a segmentation fault when it
    infers the type of such a list with a ``datetime64`` first
    (``pa.array([np.datetime64("2026-01-01"), np.int64(7)])``, pyarrow
    26.0.1; docs/reliability.md); with the other scalar first it raises
    ``ArrowInvalid`` ("Cannot mix NumPy dtypes"). No Arrow column holds such
    a list in either order, so the frame helpers treat it as pyarrow refusing
    it: the column stays unspoiled, as for any other list pyarrow refuses.
    """
    kinds = set(map(type, values))
    return any(issubclass(k, np.datetime64) for k in kinds) and any(
        issubclass(k, np.generic) and not issubclass(k, np.datetime64) for k in kinds
    )


def _with_column(frame: Any, name: str, values: list[Any]) -> Any:
    """``frame`` with column ``name`` replaced by ``values``; None if the library refuses them."""
    try:
        if isinstance(frame, pd.DataFrame):
            out = frame.copy()
            out[name] = pd.Series(values, dtype=object) if values else []
            return out
        if isinstance(frame, pl.DataFrame):
            return frame.with_columns(pl.Series(name, values, strict=False))
        if _crashes_arrow(values):
            return None
        column = pa.array(values)
        if name in frame.column_names:
            return frame.set_column(frame.column_names.index(name), name, column)
        return frame.append_column(name, column)
    except Exception:  # the frame library cannot hold these values
        return None


CELLS = (*HOSTILE, pd.NaT, T, "x")
"""Every value ``spoiled_frames`` and ``test_fuzz_survey_frames`` put in a frame's column."""


def test_the_arrow_guard_keeps_every_pair_of_cells_that_pyarrow_can_hold():
    """``_crashes_arrow`` on every pair of drawn cells: the others never crash pyarrow.

    A pair the guard keeps is built here (a crash would end this test run);
    a pair it sets aside is built with the other numpy scalar first, where
    pyarrow refuses it with an exception, so setting it aside loses no
    column pyarrow could hold.
    """
    set_aside = 0
    for first in CELLS:
        for second in CELLS:
            pair = [first, second]
            if not _crashes_arrow(pair):
                with suppress(pa.ArrowException, TypeError, ValueError, OverflowError):
                    pa.array(pair)
                continue
            set_aside += 1
            safe = sorted(pair, key=lambda v: isinstance(v, np.datetime64))
            with pytest.raises(pa.ArrowException):
                pa.array(safe)
    # {NaT, year 300000} x {int64, float64, uint64, bool_}, in both orders
    assert set_aside == 2 * 4 * 2


@st.composite
def reading_options(draw: st.DrawFn) -> dict[str, Any]:
    """Reading options of ``from_frame`` and the CSV reader, valid or hostile."""
    options: dict[str, Any] = {}
    if draw(st.booleans()):
        options["assume_timezone"] = draw(
            st.sampled_from(("Europe/Berlin", "America/New_York", "UTC", "Mars/Olympus")) | hostile
        )
    if draw(st.booleans()):
        options["resolved_when"] = draw(
            st.sampled_from(({"channel": ["chat"]}, {"nope": ["x"]}, {"resolved": []}, "x"))
            | hostile
        )
    if draw(st.booleans()):
        options["columns"] = draw(
            st.sampled_from(({"id": "customer_id"}, {"start": "nope"}, {"nope": "id"}, {}))
            | hostile
        )
    if draw(st.booleans()):
        options["strict"] = draw(st.booleans())
    return options


@st.composite
def spoiled_frames(draw: st.DrawFn) -> tuple[Any, str]:
    """A contacts frame of one backend with, sometimes, one column of hostile values."""
    backend = draw(st.sampled_from((*BACKENDS, "duckdb")))
    drawn = "pyarrow" if backend == "duckdb" else backend
    frame = draw(interaction_frames(backend=drawn, service=True, team=True, max_size=8))
    name = "valid"
    if draw(st.booleans()):
        name = draw(st.sampled_from(CONTACT_COLUMNS))
        rows = len(frame)
        values = draw(
            st.lists(
                st.sampled_from((None, T, 1, "x", True)) | hostile, min_size=rows, max_size=rows
            )
        )
        spoiled = _with_column(frame, name, values)
        if spoiled is not None:
            frame = spoiled
    if backend == "duckdb":
        frame = DUCKDB.from_arrow(frame)  # a DuckDB relation, read like a frame
    return frame, name


@examples(60)
@given(spoiled_frames(), reading_options(), st.data())
def test_fuzz_contact_frames(spoiled, options, data):
    """``Interactions.from_frame`` of every backend, a hostile column and hostile options."""
    frame, name = spoiled
    table = outcome(
        lambda: csmetrics.Interactions.from_frame(frame, **options), names=(name, *options)
    )
    if not isinstance(table, Exception):
        run_contact_metrics(data.draw, table)


@examples(30)
@given(
    st.sampled_from(BACKENDS).flatmap(lambda b: survey_frames(backend=b, max_size=10)), st.data()
)
def test_fuzz_survey_frames(frame, data):
    if len(frame) and data.draw(st.booleans()):
        name = data.draw(st.sampled_from(("id", "kind", "score", "at", "agent_id")))
        values = data.draw(st.lists(hostile, min_size=len(frame), max_size=len(frame)))
        spoiled = _with_column(frame, name, values)
        frame = frame if spoiled is None else spoiled
    kind = data.draw(st.sampled_from((None, None, "nps", "bogus")) | hostile)
    options = {} if kind is None else {"kind": kind}
    table = outcome(lambda: csmetrics.Surveys.from_frame(frame, **options), names=("kind",))
    if not isinstance(table, Exception):
        run_survey_metrics(data.draw, table)


@examples(30)
@given(spoiled_frames(), reading_options())
def test_fuzz_parquet(spoiled, options):
    """The Parquet reader of a file written from a (spoiled) frame."""
    frame, name = spoiled
    if isinstance(frame, pd.DataFrame) and any(
        _crashes_arrow(frame[column].tolist()) for column in frame.columns
    ):
        return  # pyarrow cannot hold this column (and would crash inferring its type)
    try:
        arrow = (
            frame
            if isinstance(frame, pa.Table)
            else frame.to_arrow()
            if isinstance(frame, pl.DataFrame)
            else pa.Table.from_pandas(frame, preserve_index=False)
            if isinstance(frame, pd.DataFrame)
            else frame.to_arrow_table()  # a DuckDB relation
        )
    except Exception:  # pyarrow cannot hold this column
        return
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "contacts.parquet"
        try:
            pq.write_table(arrow, path)
        except pa.ArrowException:  # Parquet cannot store this column (an empty struct)
            return
        outcome(
            lambda: csmetrics.Interactions.read_parquet(path, **options), names=(name, *options)
        )


# -- CSV and the command line --------------------------------------------------------------------


@st.composite
def spoiled_csv(draw: st.DrawFn) -> tuple[str, str]:
    """A contacts CSV text with one hostile cell or header, and the column touched."""
    contacts = draw(interactions(service=True, team=True, key_type="str", max_size=6))
    header = list(CONTACT_COLUMNS)
    rows = []
    for contact in contacts:
        row = []
        for name in header:
            value = getattr(contact, name)
            row.append(
                value.isoformat()
                if isinstance(value, datetime)
                else ""
                if value is None
                else str(value)
            )
        rows.append(row)
    name = "valid"
    how = draw(st.sampled_from(("cell", "cell", "header", "none")))
    if how == "cell" and rows:
        column = draw(st.integers(0, len(header) - 1))
        rows[draw(st.integers(0, len(rows) - 1))][column] = draw(st.sampled_from(HOSTILE_TEXT))
        name = header[column]
    elif how == "header":
        column = draw(st.integers(0, len(header) - 1))
        name = header[column]
        header[column] = draw(st.sampled_from(("", "id", "start", "x\x00", name.upper())))
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue(), name


@examples(40)
@given(spoiled_csv(), reading_options(), st.data())
def test_fuzz_csv_reader_and_cli(spoiled, options, data):
    """A hostile CSV through ``read_interactions_csv`` and through ``csmetrics report``."""
    text, name = spoiled
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "contacts.csv"
        path.write_text(text, encoding="utf-8")
        outcome(lambda: csmetrics.read_interactions_csv(path, **options), names=(name, *options))
        argv = ["report", str(path), "--as-of", "2026-04-01T00:00:00+00:00"]
        if data.draw(st.booleans()):
            argv += ["--by", data.draw(st.sampled_from(("agent_id", "channel", "category")))]
        argv += ["--format", data.draw(st.sampled_from(("text", "markdown", "json", "csv")))]
        if data.draw(st.booleans()):
            argv += ["--assume-timezone", "Europe/Berlin"]
        stdout, stderr = io.StringIO(), io.StringIO()
        with redirect_stdout(stdout), redirect_stderr(stderr):
            status = cli_main(argv)
    err = stderr.getvalue()
    assert status in (0, 2), err
    assert "Traceback" not in err
    if status == 2:
        assert err.startswith("csmetrics: error: "), err
        assert err.count("\n") == 1, err


# -- the other inputs: tickets, sales, agent time, outages, parameters ----------------------------


@examples(20)
@given(tickets(max_size=5), st.data())
def test_fuzz_ticket_metrics(drawn, data):
    table = outcome(lambda: csmetrics.Tickets.from_records(drawn))
    for entry in TICKET_METRICS:
        run_metric(
            entry, data.draw(st.sampled_from([drawn, table])), data.draw(spoiled_options(entry))
        )


@examples(30)
@given(contacts_and_sales(), agent_times(), outages(), st.data())
def test_fuzz_business_inputs(sold, logged, down, data):
    entry = ENTRIES["sales_after_contact"]
    options = data.draw(spoiled_options(entry))
    outcome(lambda: entry.function(sold.contacts, sold.sales, **options), names=tuple(options))
    entry = ENTRIES["occupancy"]
    run_metric(entry, logged, data.draw(spoiled_options(entry)))
    extra = {"service": data.draw(hostile)} if data.draw(st.booleans()) else {}
    period = data.draw(st.sampled_from([down.period]) | hostile)
    outcome(
        lambda: csmetrics.uptime(down.outages, period=period, **extra), names=("period", "service")
    )


NUMBER = st.integers(0, 200) | st.floats(0, 1) | st.floats(allow_nan=True) | hostile


@examples(60)
@given(st.data())
def test_fuzz_parameter_metrics(data):
    """Erlang, staffing and retention formulas with any numbers."""
    for name in ("erlang_b", "erlang_c", "erlang_c_service_level", "erlang_c_asa"):
        entry = ENTRIES[name]
        traffic, agents = data.draw(NUMBER), data.draw(st.integers(0, 300) | hostile)
        options = dict(REQUIRED.get(name, {}))
        if options and data.draw(st.booleans()):
            options[data.draw(st.sampled_from(sorted(options)))] = data.draw(NUMBER)
        outcome(
            lambda entry=entry, t=traffic, a=agents, o=options: entry.function(t, a, **o),
            names=("traffic", "agents", *options),
        )
    plan = {
        "calls": 100,
        "interval_seconds": 1800,
        "aht_seconds": 180,
        "target_service_level": 0.8,
        "threshold": 20,
    }
    plan[data.draw(st.sampled_from(sorted(plan)))] = data.draw(NUMBER)
    if data.draw(st.booleans()):
        plan[data.draw(st.sampled_from(("max_occupancy", "shrinkage")))] = data.draw(NUMBER)
    outcome(lambda: csmetrics.agents_needed(**plan), names=tuple(plan))
    counts = {k: data.draw(st.integers(0, 50) | hostile) for k in ("start", "end", "new")}
    for metric in (csmetrics.retention_rate, csmetrics.churn_rate):
        outcome(lambda metric=metric: metric(**counts), names=tuple(counts))


@examples(30)
@given(st.data())
def test_fuzz_result_methods(data):
    """Intervals, merges and comparisons of results with hostile arguments."""
    rate = csmetrics.Rate(
        numerator=data.draw(st.integers(0, 10)), denominator=data.draw(st.integers(10, 20))
    )
    score = csmetrics.nps(data.draw(st.lists(st.integers(0, 10), min_size=1, max_size=8)))
    for result in (rate, score):
        level = data.draw(st.floats(0, 1) | hostile)
        outcome(lambda r=result, c=level: r.ci(confidence_level=c), names=("confidence_level",))
        other = data.draw(st.sampled_from([rate, score]) | hostile)
        outcome(lambda r=result, o=other: r.merge(o), names=("merge", "NPS", "Rate"))
        outcome(lambda r=result, o=other: csmetrics.compare(r, o), names=("compare", "NPS", "Rate"))
