"""The ``csmetrics report`` command line and the report it prints."""

from __future__ import annotations

import math
import subprocess
import sys
from datetime import datetime, timezone
from pathlib import Path

import pytest

import csmetrics
from csmetrics.cli import main
from csmetrics.datasets import sample, sample_paths
from csmetrics.report import KPIRow, format_markdown, format_text, kpi_report

HEADER = "id,customer_id,start,end,resolved,channel,agent_id,issue_id,category\n"


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    status = main(argv)
    out, err = capsys.readouterr()
    return status, out, err


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
    fcr_line = next(line for line in out.splitlines() if line.startswith("First-contact"))
    assert "%" in fcr_line
    assert "[" in fcr_line
    assert "pending" in fcr_line
    assert "skipped" not in out
    assert "undefined" not in out


def test_report_sample_numbers_match_the_library(capsys: pytest.CaptureFixture[str]) -> None:
    _, out, _ = run(["report", "--sample"], capsys)
    data = sample()
    fcr = csmetrics.fcr(data.interactions)
    assert f"{fcr.numerator} of {fcr.denominator} episodes; {fcr.pending} pending" in out
    assert f"{100 * fcr.value:.1f}%" in out
    nps = csmetrics.nps(data.surveys)
    assert f"{nps.value:+.1f}" in out
    ci = nps.ci()
    assert f"[{ci.low:+.1f}, {ci.high:+.1f}]" in out


def test_report_markdown(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, err = run(["report", "--sample", "--format", "markdown"], capsys)
    assert status == 0
    assert err == ""
    assert out.startswith("# KPI report: ")
    assert "| KPI | Value | 95% interval | Counts |" in out
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
    assert "as_of=2026-03-01T00:00:00+00:00" in out
    assert "90% interval" in out


def test_report_of_csv_files(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    paths = sample_paths()
    status, out, err = run(
        ["report", str(paths.interactions), "--surveys", str(paths.surveys)], capsys
    )
    assert status == 0
    assert err == ""
    sample_out = run(["report", "--sample"], capsys)[1]
    # Same data, same table; only the title names the source.
    assert out.split("\n", 1)[1] == sample_out.split("\n", 1)[1]


def test_report_without_surveys_skips_survey_metrics(
    capsys: pytest.CaptureFixture[str],
) -> None:
    status, out, _ = run(["report", str(sample_paths().interactions)], capsys)
    assert status == 0
    assert out.count("no surveys given") == 4


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
    fcr_line = next(line for line in out.splitlines() if line.startswith("First-contact"))
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
        ["report", "--sample", "--format", "html"],
        ["report", "--sample", "--bogus"],
    ],
)
def test_usage_errors_are_one_line(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    assert_one_line_error(*run(argv, capsys))


# -- the report rows ----------------------------------------------------------


def test_kpi_rows_keep_unrounded_values_and_results() -> None:
    data = sample()
    rows = kpi_report(data.interactions, data.surveys)
    assert [row.key for row in rows] == [
        "fcr",
        "resolution_rate",
        "nps",
        "csat",
        "ces",
        "survey_fcr",
    ]
    assert all(isinstance(row, KPIRow) and row.status == "ok" for row in rows)
    fcr = csmetrics.fcr(data.interactions)
    assert rows[0].result == fcr
    assert rows[0].value == fcr.value
    assert rows[0].interval == fcr.ci()
    assert rows[2].value == csmetrics.nps(data.surveys).value
    assert all(row.interval is not None and row.value in row.interval for row in rows)


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
    assert rows[0].value == 1.0
    assert rows[2].value == 100.0
    assert [row.status for row in rows[3:]] == ["skipped"] * 3


def test_formats_render_undefined_and_nan_intervals() -> None:
    t = datetime(2026, 3, 2, 9, tzinfo=timezone.utc)
    answers = [csmetrics.Survey(id="s", kind="ces", score=5, at=t)]
    rows = kpi_report([], answers)
    text = format_text(rows)
    ces_line = next(line for line in text.splitlines() if line.startswith("CES"))
    assert "5.00" in ces_line
    assert "n/a" in ces_line  # one answer: no t interval
    assert "undefined" in text
    assert math.isnan(rows[0].value)
    markdown = format_markdown(rows)
    assert "| CES | 5.00 | n/a |" in markdown


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
