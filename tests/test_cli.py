"""The ``csmetrics report`` command line and the report it prints."""

from __future__ import annotations

import csv
import io
import json
import math
import subprocess
import sys
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest

import csmetrics
from csmetrics.adapters.datasets import sample, sample_paths
from csmetrics.adapters.io import read_interactions_csv
from csmetrics.cli import main
from csmetrics.report.build import KPIRow, build_report, kpi_report
from csmetrics.report.render import render

HEADER = "id,customer_id,start,end,resolved,channel,agent_id,issue_id,category\n"
KEYS = (
    "fcr",
    "resolution_rate",
    "reopen_rate",
    "first_response_time",
    "resolution_time",
    "handle_time",
    "asa",
    "service_level",
    "abandonment_rate",
    "escalation_rate",
    "complaint_rate",
    "nps",
    "csat",
    "ces",
    "survey_fcr",
    "rating",
)


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    status = main(argv)
    out, err = capsys.readouterr()
    return status, out, err


def row_text(report: str, label: str) -> str:
    """A row of the text table with its wrapped continuation lines, as one line."""
    lines = report.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(label))
    more = []
    for line in lines[start + 1 :]:
        if not line.startswith(" ") or not line.strip():
            break
        more.append(line.strip())
    return " ".join([lines[start], *more])


def without_source(report: str) -> str:
    return "\n".join(line for line in report.splitlines() if not line.startswith("Source: "))


def assert_one_line_error(status: int, out: str, err: str) -> str:
    assert status == 2
    assert out == ""
    assert err.startswith("csmetrics: error: ")
    assert err.endswith("\n")
    assert err.count("\n") == 1
    assert "Traceback" not in err
    return err


# -- the main job: csmetrics report --sample ----------------------------------


def test_report_sample_prints_every_kpi_with_counts_and_intervals(
    capsys: pytest.CaptureFixture[str],
) -> None:
    status, out, err = run(["report", "--sample"], capsys)
    assert status == 0
    assert err == ""
    for text in ("First-contact resolution", "FCR", "pending", "repeats", "Resolution rate"):
        assert text in out
    for text in ("NPS", "CSAT", "CES", "Survey FCR", "promoters", "answers"):
        assert text in out
    assert "95% interval" in out
    assert "Wilson" in out
    fcr_line = row_text(out, "First-contact")
    assert "%" in fcr_line
    assert "[" in fcr_line
    assert "pending" in fcr_line
    # Every metric the sample's fields support runs; service level waits for a threshold.
    skipped = [line.split()[0:2] for line in out.splitlines() if " skipped " in line]
    assert skipped == [["Service", "level"]]
    assert "undefined" not in out


def test_report_sample_numbers_match_the_library(capsys: pytest.CaptureFixture[str]) -> None:
    _, out, _ = run(["report", "--sample"], capsys)
    data = sample()
    fcr = csmetrics.fcr(data.interactions)
    fcr_row = row_text(out, "First-contact")
    assert f"{fcr.numerator} of {fcr.denominator} episodes; {fcr.pending} pending" in fcr_row
    assert f"{100 * fcr.value:.1f}%" in fcr_row
    nps = csmetrics.nps(data.surveys)
    assert f"{nps.value:+.1f}" in out
    ci = nps.ci()
    assert f"[{ci.low:+.1f}, {ci.high:+.1f}]" in out


def test_report_markdown(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, err = run(["report", "--sample", "--format", "markdown"], capsys)
    assert status == 0
    assert err == ""
    assert out.startswith("# KPI report\n")
    assert "| KPI | Value | Statistic | 95% interval | Counts |" in out
    assert "| First-contact resolution |" in out


def test_report_options_reach_the_definition(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(
        [
            "report",
            "--sample",
            "--window-days",
            "3.5",
            "--as-of",
            "2026-03-01T00:00:00Z",
            "--confidence-level",
            "0.9",
        ],
        capsys,
    )
    assert status == 0
    assert "within 3.5 days" in out
    assert "As of: 2026-03-01 00:00 UTC (as given), for every contact metric" in out
    assert "90% interval" in out


def test_report_of_csv_files(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    paths = sample_paths()
    status, out, err = run(
        ["report", str(paths.interactions), "--surveys", str(paths.surveys)], capsys
    )
    assert status == 0
    assert err == ""
    sample_out = run(["report", "--sample"], capsys)[1]
    # Same data, same report; only the source line differs, and names files, not paths.
    assert "Source: interactions.csv, surveys.csv\n" in out
    assert without_source(out) == without_source(sample_out)


def test_report_without_surveys_skips_survey_metrics(
    capsys: pytest.CaptureFixture[str],
) -> None:
    status, out, _ = run(["report", str(sample_paths().interactions)], capsys)
    assert status == 0
    assert out.count("no surveys given") == 5
    assert "Survey answers: none given" in out


def test_undefined_metrics_are_shown_not_warned(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # One contact whose FCR window is still open: FCR is undefined. The
    # package's warnings are errors in this test run, so a leaked
    # UndefinedMetricWarning would fail it.
    path = tmp_path / "c.csv"
    path.write_text(
        HEADER + "1,ann,2026-03-02T09:00:00+00:00,2026-03-02T09:10:00+00:00,true,,,,\n",
        encoding="utf-8",
    )
    surveys = tmp_path / "s.csv"
    surveys.write_text("id,kind,score,at\ns1,csat,5,2026-03-02T10:00:00+00:00\n", encoding="utf-8")
    status, out, err = run(["report", str(path), "--surveys", str(surveys)], capsys)
    assert status == 0
    assert err == ""
    fcr_line = row_text(out, "First-contact")
    assert "undefined" in fcr_line
    assert "1 pending" in fcr_line
    assert "no decided episode" in out
    assert "no 'nps' answers in the surveys" in out
    assert "1 of 1 answers >= 4" in out


def test_help_and_version_exit_zero(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(["report", "--help"], capsys)
    assert status == 0
    assert "--sample" in out
    status, out, _ = run(["--version"], capsys)
    assert status == 0
    assert out.startswith("csmetrics ")


# -- bad input: one line on stderr, exit status 2 -----------------------------


def test_missing_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    err = assert_one_line_error(*run(["report", str(tmp_path / "nope.csv")], capsys))
    assert "nope.csv" in err


def test_missing_surveys_file(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    argv = ["report", str(sample_paths().interactions), "--surveys", str(tmp_path / "s.csv")]
    err = assert_one_line_error(*run(argv, capsys))
    assert "s.csv" in err


def test_bad_timestamp_names_line_field_and_value(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "c.csv"
    path.write_text(HEADER + "1,ann,2026-03-02 09:00,,false,,,,\n", encoding="utf-8")
    err = assert_one_line_error(*run(["report", str(path)], capsys))
    assert "line 2" in err
    assert "'start'" in err
    assert "'2026-03-02 09:00'" in err


def test_bad_columns(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "c.csv"
    path.write_text("id,customer,start\n", encoding="utf-8")
    err = assert_one_line_error(*run(["report", str(path)], capsys))
    assert "customer_id" in err


def test_directory_instead_of_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert_one_line_error(*run(["report", str(tmp_path)], capsys))


@pytest.mark.parametrize(
    "argv",
    [
        [],
        ["report"],
        ["frobnicate"],
        ["report", "--sample", "x.csv"],
        ["report", "--sample", "--surveys", "s.csv"],
        ["report", "--sample", "--window-days", "0"],
        ["report", "--sample", "--window-days", "soon"],
        ["report", "--sample", "--as-of", "2026-03-01T00:00:00"],
        ["report", "--sample", "--as-of", "March"],
        ["report", "--sample", "--confidence-level", "95"],
        ["report", "--sample", "--format", "pdf"],
        ["report", "--sample", "--bogus"],
        ["report", "--sample", "--by", "agent_id", "--every", "week"],
        ["report", "--sample", "--by", "mood"],
        ["report", "--sample", "--period", "2026-01-01"],
        ["report", "--sample", "--period", "2026-02-01..2026-01-01"],
        ["report", "--sample", "--columns", "id"],
        ["report", "--sample", "--service-level", "-5"],
        ["report", "--sample", "--timezone", "Mars/Olympus"],
        ["report", "x.csv", "--assume-timezone", "Mars/Olympus"],
        ["report", "x.csv", "--resolved-when", "status"],
        ["report", "x.csv", "--resolved-when", "=solved"],
        ["report", "x.csv", "--resolved-when", "status=,"],
        ["report", "x.csv", "--surveys", "s.csv", "--survey-kind", "happiness"],
        ["report", "x.csv", "--survey-kind", "nps"],
        ["report", "x.csv", "--survey-columns", "id=answer"],
        ["report", "--sample", "--assume-timezone", "UTC"],
        ["report", "--sample", "--strict-columns"],
        ["report", "--sample", "--resolved-when", "status=solved"],
    ],
)
def test_usage_errors_are_one_line(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    assert_one_line_error(*run(argv, capsys))


# -- the report rows ----------------------------------------------------------


def test_kpi_rows_keep_unrounded_values_and_results() -> None:
    data = sample()
    rows = kpi_report(data.interactions, data.surveys)
    assert [row.key for row in rows] == list(KEYS)
    ran = [row for row in rows if row.key != "service_level"]
    assert all(isinstance(row, KPIRow) and row.status == "ok" for row in ran)
    by_key = {row.key: row for row in rows}
    fcr = csmetrics.fcr(data.interactions)
    assert by_key["fcr"].result == fcr
    assert by_key["fcr"].value == fcr.value
    assert by_key["fcr"].interval == fcr.ci()
    assert by_key["nps"].value == csmetrics.nps(data.surveys).value
    # One as_of for every row: the latest contact start (the time metrics' own
    # default is the latest event).
    latest_start = datetime(2026, 4, 3, 11, 51, tzinfo=timezone.utc)
    frt = csmetrics.first_response_time(data.interactions, as_of=latest_start)
    assert by_key["first_response_time"].value == frt.median
    assert by_key["first_response_time"].interval == frt.ci()
    assert all(row.interval is not None and row.value in row.interval for row in ran)
    with_threshold = kpi_report(data.interactions, service_level=60)
    level = csmetrics.service_level(data.interactions, threshold=60, as_of=latest_start)
    assert with_threshold[KEYS.index("service_level")].result == level


def test_kpi_report_validates_options() -> None:
    data = sample()
    with pytest.raises(ValueError, match="confidence_level"):
        kpi_report(data.interactions, confidence_level=1.5)
    with pytest.raises(ValueError, match="window_days"):
        kpi_report(data.interactions, window_days=0)
    with pytest.raises(ValueError, match="as_of"):
        kpi_report(data.interactions, as_of=datetime(2026, 3, 1))


def test_kpi_report_accepts_records() -> None:
    t = datetime(2026, 3, 2, 9, tzinfo=timezone.utc)
    contacts = [csmetrics.Interaction(id="1", customer_id="a", start=t, end=t, resolved=True)]
    answers = [csmetrics.Survey(id="s", kind="nps", score=10, at=t)]
    rows = kpi_report(contacts, answers, as_of=datetime(2026, 4, 1, tzinfo=timezone.utc))
    by_key = {row.key: row for row in rows}
    assert by_key["fcr"].value == 1.0
    assert by_key["nps"].value == 100.0
    assert [row.status for row in rows[-3:]] == ["skipped"] * 3
    assert by_key["first_response_time"].note == "no 'first_response_at' values in the data"


def test_formats_render_undefined_and_nan_intervals() -> None:
    t = datetime(2026, 3, 2, 9, tzinfo=timezone.utc)
    answers = [csmetrics.Survey(id="s", kind="ces", score=5, at=t)]
    rows = kpi_report([], answers)
    text = render(rows)
    ces_line = next(line for line in text.splitlines() if line.startswith("CES"))
    assert "5.00" in ces_line
    assert "n/a" in ces_line  # one answer: no t interval
    assert "undefined" in text
    assert math.isnan(rows[0].value)
    markdown = render(rows, format="markdown")
    assert "| CES | 5.00 | mean | n/a |" in markdown


# -- python -m csmetrics ------------------------------------------------------


def test_python_dash_m_runs_the_report() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "csmetrics", "report", "--sample"],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    assert "First-contact resolution" in done.stdout
    assert "pending" in done.stdout
    assert "NPS" in done.stdout


# -- formats, breakdowns and inputs -------------------------------------------

EVIL = (
    "id,customer_id,start,end,resolved,channel,agent_id,issue_id,category\n"
    "1,c1,2026-03-02T09:00:00+00:00,2026-03-02T09:10:00+00:00,true,chat,=cmd(),,<script>\n"
    "2,c2,2026-03-03T09:00:00+00:00,2026-03-03T09:10:00+00:00,false,chat,@SUM(A1),,-2+3\n"
)


def evil_export(tmp_path: Path) -> Path:
    path = tmp_path / "evil.csv"
    path.write_text(EVIL, encoding="utf-8")
    return path


def test_html_report_is_self_contained_and_escapes_names(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out_file = tmp_path / "r.html"
    argv = ["report", str(evil_export(tmp_path)), "--by", "category", "--format", "html"]
    status, out, err = run([*argv, "--output", str(out_file)], capsys)
    assert (status, out, err) == (0, "", "")
    page = out_file.read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>")
    assert "<script>" not in page
    assert "&lt;script&gt;" in page
    assert "http://" not in page
    assert "https://" not in page  # nothing loaded from elsewhere
    pytest.importorskip("matplotlib")
    assert page.count('src="data:image/png;base64,') >= 2


def test_csv_report_neutralises_formulas_and_keeps_numbers(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["report", str(evil_export(tmp_path)), "--by", "agent_id", "--format", "csv"]
    status, out, _ = run(argv, capsys)
    assert status == 0
    rows = list(csv.DictReader(io.StringIO(out)))
    groups = {row["group"] for row in rows}
    assert groups == {"", "'=cmd()", "'@SUM(A1)"}
    assert not any(cell.startswith(("=", "+", "@")) for row in rows for cell in row.values())
    fcr = next(row for row in rows if row["group"] == "" and row["key"] == "fcr")
    assert fcr["value"] == ""  # undefined: both episodes pending at the latest start
    rate = next(row for row in rows if row["group"] == "" and row["key"] == "resolution_rate")
    assert float(rate["value"]) == 0.5
    assert rate["counts"] == "1 of 2 requests"


def test_csv_cells_that_are_numbers_are_not_touched() -> None:
    from csmetrics.report.render import _safe_cell

    assert _safe_cell("-12.5") == "-12.5"
    assert _safe_cell("-2+3") == "'-2+3"
    assert _safe_cell("+cmd") == "'+cmd"
    assert _safe_cell("\tx") == "'\tx"
    assert _safe_cell(-3.0) == -3.0


def test_json_report_structure(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(["report", "--sample", "--format", "json", "--by", "channel"], capsys)
    assert status == 0
    doc = json.loads(out)
    assert set(doc) == {"title", "scope", "rows", "group_by", "groups"}
    assert [row["key"] for row in doc["rows"]] == list(KEYS)
    fcr = doc["rows"][0]
    assert set(fcr) == {
        "key", "label", "status", "unit", "statistic", "value", "low", "high", "confidence_level",
        "interval_method", "counts", "definition", "note",
    }  # fmt: skip
    expected = csmetrics.fcr(sample().interactions)
    assert fcr["counts"] == expected.counts()
    assert fcr["value"] == expected.value
    assert doc["group_by"] == "channel"
    assert [g["group"] for g in doc["groups"]] == ["chat", "email", "phone"]
    by_channel = csmetrics.fcr(sample().interactions, by="channel")
    chat = next(r for r in doc["groups"][0]["rows"] if r["key"] == "fcr")
    assert chat["counts"] == by_channel["chat"].counts()
    skipped = doc["rows"][KEYS.index("service_level")]
    assert (skipped["status"], skipped["value"], skipped["low"]) == ("skipped", None, None)


def test_every_period_and_period_window(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(["report", "--sample", "--every", "month", "--format", "json"], capsys)
    assert status == 0
    doc = json.loads(out)
    assert [g["group"] for g in doc["groups"]] == [
        "2026-01-01", "2026-02-01", "2026-03-01", "2026-04-01",
    ]  # fmt: skip
    jan = datetime(2026, 1, 1, tzinfo=timezone.utc)
    feb = datetime(2026, 2, 1, tzinfo=timezone.utc)
    expected = csmetrics.fcr(sample().interactions, period=csmetrics.Window(start=jan, end=feb))
    got = next(r for r in doc["groups"][0]["rows"] if r["key"] == "fcr")
    assert got["counts"] == expected.counts()
    status, out, _ = run(
        ["report", "--sample", "--period", "2026-01-01..2026-02-01", "--format", "json"], capsys
    )
    assert json.loads(out)["rows"][0]["counts"] == expected.counts()


def test_columns_map_other_names(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "export.csv"
    path.write_text(
        "ticket,requester,created_at,closed_at,solved\n"
        "1,ann,2026-03-02T09:00:00+00:00,2026-03-02T09:10:00+00:00,true\n",
        encoding="utf-8",
    )
    mapping = "id=ticket,customer_id=requester,start=created_at,end=closed_at,resolved=solved"
    status, out, _ = run(["report", str(path), "--columns", mapping], capsys)
    assert status == 0
    assert "1 of 1 requests" in out
    status, out, err = run(["report", str(path)], capsys)
    assert "missing column(s) 'id', 'customer_id', 'start'" in assert_one_line_error(
        status, out, err
    )
    status, out, err = run(["report", str(path), "--columns", "ident=ticket"], capsys)
    assert "'ident' in 'ident=ticket' is not a field" in assert_one_line_error(status, out, err)


def test_parquet_input(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    pq = pytest.importorskip("pyarrow.parquet")
    pytest.importorskip("narwhals")
    paths = sample_paths()
    pacsv = pytest.importorskip("pyarrow.csv")
    contacts = pacsv.read_csv(paths.interactions)
    target = tmp_path / "contacts.parquet"
    pq.write_table(contacts.rename_columns(["ticket", *contacts.column_names[1:]]), target)
    status, out, err = run(["report", str(target), "--columns", "id=ticket"], capsys)
    assert (status, err) == (0, "")
    from_csv = run(["report", str(paths.interactions)], capsys)[1]
    assert "Source: contacts.parquet\n" in out
    assert without_source(out) == without_source(from_csv)
    broken = tmp_path / "broken.parquet"
    broken.write_bytes(b"PAR1 not really")
    assert_one_line_error(*run(["report", str(broken)], capsys))


def test_definitions_lists_every_metric(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(["definitions"], capsys)
    assert status == 0
    names = {line for line in out.splitlines() if line and not line.startswith(" ")}
    for name in ("fcr", "nps", "first_response_time", "service_level", "sla_attainment"):
        assert name in names
    assert "options: window_days=7, match='issue', as_of=None, period=None, by=None" in out
    assert "    unit: seconds, lower is better" in out
    assert names == set(csmetrics.catalog.names())


def test_progress_bar_only_for_big_inputs_on_a_terminal() -> None:
    from csmetrics.cli import _progress

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    assert _progress(10, Terminal()) is None
    assert _progress(2_000_000, io.StringIO()) is None
    screen = Terminal()
    bar = _progress(2_000_000, screen)
    assert bar is not None
    build_report(sample().interactions, progress=bar)
    assert bar.done == bar.total == 16
    assert "16/16" not in screen.getvalue()  # drawn as each step starts
    assert "[" in screen.getvalue()
    assert "14/16 survey_fcr" in screen.getvalue()


# -- a helpdesk's own export: --columns, --strict-columns, --assume-timezone,
# -- --resolved-when, --survey-kind ---------------------------------------------

EXPORT = (
    "Id,Requester,Assignee,Created at,Solved at,Status,Reopens,Tags\n"
    "1001,ann,Maria,2026-03-02 09:00,2026-03-02 11:30,Solved,0,refund\n"
    "1002,bob,Tom,2026-03-02 10:15,2026-03-03 08:00,Closed,1,\n"
    "1003,ann,Maria,2026-03-05 14:00,,Open,0,refund\n"
    "1004,cy,Tom,2026-03-29 02:30,2026-03-29 04:00,pending,0,\n"
)
ANSWERS = (
    "Response,Ticket,Score,Answered at\nr1,1001,10,2026-03-02 12:00\nr2,1002,6,2026-03-03 09:00\n"
)
EXPORT_ARGS = [
    "--columns",
    "id=Id,customer_id=Requester,agent_id=Assignee,start=Created at,end=Solved at",
    "--assume-timezone",
    "Europe/Berlin",
    "--resolved-when",
    "Status=solved,closed",
]


def _export(tmp_path: Path) -> tuple[Path, Path]:
    contacts, answers = tmp_path / "export.csv", tmp_path / "answers.csv"
    contacts.write_text(EXPORT, encoding="utf-8")
    answers.write_text(ANSWERS, encoding="utf-8")
    return contacts, answers


def test_report_of_a_helpdesk_export(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    contacts, answers = _export(tmp_path)
    survey_args = [
        "--surveys",
        str(answers),
        "--survey-columns",
        "id=Response,interaction_id=Ticket,score=Score,at=Answered at",
        "--survey-kind",
        "nps",
    ]
    argv = ["report", str(contacts), *EXPORT_ARGS, *survey_args, "--format", "json"]
    status, out, err = run(argv, capsys)
    assert (status, err) == (0, "")
    rows = {row["key"]: row for row in json.loads(out)["rows"]}
    table = csmetrics.read_interactions_csv(
        contacts,
        columns={
            "id": "Id",
            "customer_id": "Requester",
            "agent_id": "Assignee",
            "start": "Created at",
            "end": "Solved at",
        },
        assume_timezone="Europe/Berlin",
        resolved_when={"Status": ["solved", "closed"]},
    )
    assert rows["resolution_rate"]["counts"] == csmetrics.resolution_rate(table).counts()
    assert rows["resolution_rate"]["counts"]["numerator"] == 2
    assert rows["nps"]["counts"] == csmetrics.nps([10, 6]).counts()
    status, out, err = run(["report", str(contacts), *EXPORT_ARGS, "--by", "agent_id"], capsys)
    assert (status, err) == (0, "")
    assert "Maria" in out
    assert "Tom" in out


def test_report_export_errors_are_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    contacts, answers = _export(tmp_path)
    err = assert_one_line_error(
        *run(["report", str(contacts), *EXPORT_ARGS, "--strict-columns"], capsys)
    )
    assert "unknown column(s) ['Reopens', 'Tags']" in err
    err = assert_one_line_error(*run(["report", str(contacts), *EXPORT_ARGS[:2]], capsys))
    assert "line 2: field 'start' (column 'Created at') = '2026-03-02 09:00': timestamp" in err
    assert "--assume-timezone" in err
    err = assert_one_line_error(
        *run(["report", str(contacts), *EXPORT_ARGS[:4], "--resolved-when", "State=solved"], capsys)
    )
    assert "missing column(s) 'State' (for resolved_when) (did you mean 'Status'?)" in err
    conflict = ["--columns", "id=Id,customer_id=Requester,start=Created at,resolved=Status"]
    err = assert_one_line_error(
        *run(["report", str(contacts), *conflict, "--resolved-when", "Status=solved"], capsys)
    )
    assert "resolved_when= gives it too" in err
    err = assert_one_line_error(
        *run(["report", str(contacts), *EXPORT_ARGS, "--surveys", str(answers)], capsys)
    )
    assert "missing column(s) 'id', 'kind', 'score' (did you mean 'Score'?), 'at'" in err


# -- what the report says: fields, statistics, header, as_of, width -----------------------------


def export_without(tmp_path: Path, *dropped: str, **replace: str) -> Path:
    """The sample contacts as a CSV without some columns (or with a column's cells replaced)."""
    rows = list(csv.DictReader(sample_paths().interactions.open(encoding="utf-8")))
    fields = [f for f in rows[0] if f not in dropped]
    path = tmp_path / "contacts.csv"
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.DictWriter(out, fields)
        writer.writeheader()
        for row in rows:
            writer.writerow({f: replace.get(f, row[f]) for f in fields})
    return path


def test_a_missing_resolved_column_skips_the_metrics_that_need_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = export_without(tmp_path, "resolved", "escalated", "escalated_to")
    status, out, err = run(["report", str(path), "--format", "json"], capsys)
    assert (status, err) == (0, "")
    rows = {row["key"]: row for row in json.loads(out)["rows"]}
    for key in ("fcr", "resolution_rate", "reopen_rate", "resolution_time"):
        assert (rows[key]["status"], rows[key]["value"]) == ("skipped", None)
        assert rows[key]["note"] == "no 'resolved' column in the data"
    assert rows["escalation_rate"]["note"] == "no 'escalated' column in the data"
    assert rows["first_response_time"]["status"] == "ok"
    text = run(["report", str(path)], capsys)[1]
    fcr_line = next(line for line in text.splitlines() if line.startswith("First-contact"))
    assert "skipped" in fcr_line
    assert "%" not in fcr_line
    # The API says the same: no resolved column is an error naming the field.
    table = read_interactions_csv(path)
    assert not table.has("resolved")
    with pytest.raises(csmetrics.InvalidDataError, match="fcr needs the 'resolved' field"):
        csmetrics.fcr(table)


def test_an_all_false_flag_column_is_data(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = export_without(tmp_path, "escalated_to", escalated="false", complaint="false")
    _, out, _ = run(["report", str(path), "--format", "json"], capsys)
    rows = {row["key"]: row for row in json.loads(out)["rows"]}
    for key in ("escalation_rate", "complaint_rate"):
        assert (rows[key]["status"], rows[key]["value"]) == ("ok", 0.0)


def test_every_row_says_which_statistic_it_shows(capsys: pytest.CaptureFixture[str]) -> None:
    _, out, _ = run(["report", "--sample"], capsys)
    lines = {line.split("  ")[0]: line for line in out.splitlines()}
    expected = {
        "First-contact resolution": "rate",
        "First response time": "median",
        "Resolution time": "median",
        "Average handle time": "mean",
        "Average speed of answer": "mean",
        "NPS": "points",
        "CES": "mean",
        "Agent rating": "mean",
    }
    for label, statistic in expected.items():
        assert f"  {statistic}  " in lines[label], lines[label]
    rows = kpi_report(sample().interactions, sample().surveys)
    assert {row.statistic for row in rows} == {"rate", "median", "mean", "points"}
    assert "p90" in lines["First response time"] + out  # the p90 is in the counts


def test_the_header_gives_source_period_counts_and_as_of(
    capsys: pytest.CaptureFixture[str],
) -> None:
    paths = sample_paths()
    argv = ["report", str(paths.interactions), "--surveys", str(paths.surveys)]
    _, out, _ = run(argv, capsys)
    head = out.split("\n\n", 1)[0].splitlines()
    assert head == [
        "KPI report",
        "Source: interactions.csv, surveys.csv",
        "Contacts: 3074, starting 2026-01-05 08:16 UTC to 2026-04-03 11:51 UTC",
        "Survey answers: 1463",
        "As of: 2026-04-03 11:51 UTC (the latest contact start), for every contact metric",
    ]
    assert str(paths.interactions.parent) not in out  # a file name, never a path
    data = sample()
    assert len(data.interactions) == 3074
    assert len(data.surveys) == 1463
    windowed = run([*argv, "--period", "2026-02-01..2026-03-01"], capsys)[1]
    assert "Contacts: 995 of 3074 (only those starting in the period, by as_of)" in windowed
    assert "Period: 2026-02-01 00:00 UTC to 2026-03-01 00:00 UTC" in windowed


def test_one_as_of_for_the_whole_report(capsys: pytest.CaptureFixture[str]) -> None:
    data = sample()
    for given in (None, datetime(2026, 3, 1, tzinfo=timezone.utc)):
        report = build_report(data.interactions, data.surveys, as_of=given, every="month")
        assert report.scope is not None
        expected = given or datetime(2026, 4, 3, 11, 51, tzinfo=timezone.utc)
        assert report.scope.as_of == expected
        assert report.scope.as_of_given is (given is not None)
        moments = {
            row.result.as_of
            for rows in (report.rows, *(rows for _, rows in report.groups))
            for row in rows
            if hasattr(row.result, "as_of")
        }
        assert moments == {expected}
    _, out, _ = run(["report", "--sample", "--format", "json"], capsys)
    doc = json.loads(out)
    assert doc["scope"]["as_of"] == "2026-04-03T11:51:00+00:00"
    _, text, _ = run(["report", "--sample"], capsys)
    assert text.count("As of: ") == 1
    assert "as_of=" not in text
    _, helptext, _ = run(["report", "--help"], capsys)
    assert "one moment for every contact metric" in " ".join(helptext.split())


def test_every_survey_kind_has_a_row(capsys: pytest.CaptureFixture[str]) -> None:
    kinds = {csmetrics.catalog.get(key).needs[0] for key in KEYS[11:]}
    assert kinds == set(csmetrics.SURVEY_KINDS)
    data = sample()
    present = {kind for kind in csmetrics.SURVEY_KINDS if len(data.surveys.of_kind(kind))}
    assert "rating" in present
    rows = {row.key: row for row in kpi_report(data.interactions, data.surveys)}
    rating = rows["rating"]
    assert rating.status == "ok"
    assert rating.result is not None
    assert rating.result.n == len(data.surveys.of_kind("rating")) == 223
    _, out, _ = run(["report", "--sample"], capsys)
    assert "223 answers" in out


def report_lines(argv: list[str], capsys: pytest.CaptureFixture[str]) -> list[str]:
    status, out, err = run(argv, capsys)
    assert (status, err) == (0, ""), err
    return out.splitlines()


WIDTH_CASES = [
    [],
    ["--service-level", "20"],
    ["--by", "agent_id"],
    ["--by", "channel", "--service-level", "20"],
    ["--by", "category"],
    ["--every", "week"],
    ["--every", "month", "--timezone", "Europe/Berlin"],
    ["--every", "quarter", "--period", "2026-01-01..2026-03-01"],
    ["--as-of", "2026-02-01T00:00:00+00:00", "--confidence-level", "0.9"],
]


@pytest.mark.parametrize("options", WIDTH_CASES, ids=lambda o: " ".join(o) or "plain")
def test_text_lines_fit_100_columns(
    options: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    paths = sample_paths()
    long_name = tmp_path / ("a-contact-export-with-a-rather-long-file-name-" * 3 + ".csv")
    long_name.write_bytes(paths.interactions.read_bytes())
    inputs = [
        ["--sample"],
        [str(paths.interactions)],
        [str(long_name), "--surveys", str(paths.surveys)],
        [str(export_without(tmp_path, "resolved", "first_response_at", "abandoned"))],
    ]
    for source in inputs:
        lines = report_lines(["report", *source, *options], capsys)
        too_long = [line for line in lines if len(line) > 100]
        assert not too_long, too_long[:3]
        assert all(line == line.rstrip() for line in lines)


def test_text_lines_fit_100_columns_with_long_names(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "long.csv"
    category = "a category whose name goes on and on well past any column width at all " * 2
    path.write_text(
        HEADER
        + f"1,c1,2026-03-02T09:00:00+00:00,2026-03-02T09:10:00+00:00,true,chat,A1,,{category}\n"
        + "2,c2,2026-03-03T09:00:00+00:00,2026-03-03T09:10:00+00:00,false,chat,A2,,short\n",
        encoding="utf-8",
    )
    lines = report_lines(["report", str(path), "--by", "category"], capsys)
    assert max(map(len, lines)) <= 100
    assert "a category whose name" in "\n".join(lines)


def _drawn_not_encoded(ax: Any) -> str:
    """`figure_data_uri` without the PNG: the chart is laid out and drawn, not rasterized."""
    ax.figure.draw_without_rendering()
    return "data:image/png;base64,"


@pytest.mark.slow  # builds and draws the report's charts: seconds of matplotlib
def test_other_formats_carry_the_same_rows(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # The rows are the point here. Every chart of the HTML reports is still
    # built and drawn; encoding them as PNGs, most of the time of this test,
    # is checked by test_plots and test_html_title_is_the_reports_title.
    monkeypatch.setattr("csmetrics.report.plots.figure_data_uri", _drawn_not_encoded)
    for options in WIDTH_CASES[:6]:
        for fmt in ("markdown", "html", "json", "csv"):
            out = "\n".join(report_lines(["report", "--sample", *options, "--format", fmt], capsys))
            assert "Agent rating" in out
            assert "median" in out


@pytest.mark.slow  # draws the report's charts: seconds of matplotlib
def test_html_title_is_the_reports_title(capsys: pytest.CaptureFixture[str]) -> None:
    _, page, _ = run(["report", str(sample_paths().interactions), "--format", "html"], capsys)
    assert "<title>KPI report</title>" in page
    assert "<h1>KPI report</h1>" in page
    assert str(sample_paths().interactions.parent) not in page
    assert '<meta name="viewport"' in page
    report = build_report(sample().interactions, title="March <KPIs>")
    assert "<title>March &lt;KPIs&gt;</title>" in render(report, format="html")


def test_html_says_how_to_get_charts_without_matplotlib(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    for name in [m for m in sys.modules if m == "matplotlib" or m.startswith("matplotlib.")]:
        monkeypatch.setitem(sys.modules, name, None)
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    _, page, _ = run(["report", "--sample", "--format", "html"], capsys)
    assert "data:image/png" not in page
    assert '<p class="note">Charts need matplotlib' in page
    assert "pip install &quot;csmetrics[plot]&quot;" in page
    report = build_report(sample().interactions, charts=True)
    assert report.charts == ()
    assert "csmetrics[plot]" in report.charts_note


@pytest.mark.slow  # draws the report's charts: seconds of matplotlib
def test_no_chart_for_a_skipped_metric() -> None:
    pytest.importorskip("matplotlib")
    data = sample()
    without = build_report(data.interactions, charts=True)
    assert {row.key: row.status for row in without.rows}["service_level"] == "skipped"
    captions = [caption for caption, _ in without.charts]
    assert not any("Service level" in caption for caption in captions)
    assert without.charts_note == ""
    with_threshold = build_report(data.interactions, charts=True, service_level=60)
    assert "Service level against the threshold" in [c for c, _ in with_threshold.charts]
