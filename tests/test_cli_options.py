"""Every value of every option of the command line: an answer or one line, never a traceback.

The options are read from the argparse parser itself, so an option added
later is fed the same hostile values without touching this file. Exit
status 3 (the last-resort guard caught an unexpected exception) fails here:
it means some value reaches code that does not check it.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest

from csmetrics.cli import _parser, main

EXPORT = Path(__file__).parent / "data" / "zendesk_api"

CONTACTS = """id,customer_id,start,end,resolved,channel,agent_id,issue_id,category,status
1,ann,2026-03-02T09:00:00+00:00,2026-03-02T09:10:00+00:00,true,phone,A1,,billing,solved
2,ann,2026-03-04T09:00:00+00:00,2026-03-04T09:05:00+00:00,true,email,A2,,billing,solved
3,bob,2026-03-02T11:00:00+00:00,2026-03-02T12:00:00+00:00,false,chat,A1,,login,open
4,cid,2026-03-05T08:00:00+00:00,,false,chat,A2,,login,new
"""
SURVEYS = """id,kind,score,at,customer_id,agent_id
s1,nps,9,2026-03-02T10:00:00+00:00,ann,A1
s2,csat,4,2026-03-03T10:00:00+00:00,bob,A1
s3,ces,6,2026-03-04T10:00:00+00:00,ann,A2
"""

# Huge, negative, NaN, inf, empty and garbage values, and values that are
# valid for some options (a zone, a date) but not for others.
VALUES = (
    "1e999",
    "9" * 400,
    "1e308",
    "1e9",
    "-1",
    "-1e9",
    "0",
    "nan",
    "-inf",
    "inf",
    "",
    " ",
    "garbage",
    "\x00",
    "=cmd|' /C calc'!A0",
    "..",
    ",",
    "=",
    "a=b=c",
    "2026-13-45T99:99:99",
    "9999-12-31T23:59:59-05:00",
    "0001-01-01T00:00:00+00:00",
    "2026-03-01..2026-03-02",
    "Europe/Berlin",
    "/no/such/dir/x.html",
)


def _value_actions() -> list[tuple[str, argparse.Action]]:
    """(subcommand, action) of every option or positional that takes a value."""
    parser = _parser()
    commands = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    found = []
    for name, sub in commands.choices.items():
        for action in sub._actions:
            if action.nargs == 0 or isinstance(action, argparse._HelpAction):
                continue  # flags (--sample, --strict-columns) take no value
            found.append((name, action))
    return found


ACTIONS = _value_actions()
CASES = [
    pytest.param(command, action, value, id=f"{command} {action.dest} {value[:20]!r}")
    for command, action in ACTIONS
    for value in VALUES
]


@pytest.fixture
def files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[str, str]:
    """A small contacts and surveys file; the working directory is a fresh folder."""
    contacts = tmp_path / "contacts.csv"
    contacts.write_text(CONTACTS, encoding="utf-8")
    surveys = tmp_path / "surveys.csv"
    surveys.write_text(SURVEYS, encoding="utf-8")
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)  # an --output that is a plain name lands here
    return str(contacts), str(surveys)


def _argv(command: str, action: argparse.Action, value: str, files: tuple[str, str]) -> list[str]:
    contacts, surveys = files
    if command in {"tickets", "explain"}:
        pair = ["--presets", "zendesk", "dbt_zendesk"] if command == "explain" else []
        if action.dest == "path":
            return [command, "--source", "zendesk", *pair, "--", value]
        source = [] if action.dest == "source" else ["--source", "zendesk"]
        base = [command, str(EXPORT), *source, *([] if action.dest == "presets" else pair)]
    elif command != "report":
        base = [command]
    elif action.dest == "interactions":
        return ["report", "--surveys", surveys, "--", value]
    else:
        base = ["report", contacts, "--surveys", surveys]
    # --opt=value: a value that starts with "-" is not taken for an option.
    return [*base, f"{action.option_strings[-1]}={value}"]


def test_every_option_that_takes_a_value_is_covered() -> None:
    dests = {action.dest for command, action in ACTIONS if command == "report"}
    assert {"interactions", "surveys", "window_days", "output", "as_of", "period"} <= dests
    assert len(ACTIONS) >= 17


@pytest.mark.slow
@pytest.mark.parametrize(("command", "action", "value"), CASES)
def test_no_value_of_any_option_gives_a_traceback(
    command: str,
    action: argparse.Action,
    value: str,
    files: tuple[str, str],
    capsys: pytest.CaptureFixture[str],
) -> None:
    status = main(_argv(command, action, value, files))
    out, err = capsys.readouterr()
    assert "Traceback" not in err
    assert status in (0, 2), err
    if status == 2:
        assert out == ""
        assert err.startswith("csmetrics: error: ")
        assert err.count("\n") == 1, err


@pytest.mark.parametrize("value", VALUES, ids=lambda v: repr(v[:20]))
def test_no_command_name_gives_a_traceback(value: str, capsys: pytest.CaptureFixture[str]) -> None:
    status = main([value])
    out, err = capsys.readouterr()
    assert (status, out) == (2, "")
    assert err.startswith("csmetrics: error: ")
    assert err.count("\n") == 1


@pytest.mark.parametrize(
    ("option", "value", "names"),
    [
        ("--window-days", "0", ["--window-days", "'0'"]),
        ("--window-days", "nan", ["--window-days", "'nan'"]),
        ("--as-of", "9999-12-31T23:59:59-05:00", ["--as-of", "'9999-12-31T23:59:59-05:00'"]),
        ("--timezone", "Europe/Berlni", ["--timezone", "'Europe/Berlni'", "'Europe/Berlin'"]),
        ("--service-level", "inf", ["--service-level", "'inf'"]),
        ("--confidence-level", "1", ["--confidence-level", "'1'"]),
        ("--confidence-level", "1e-320", ["--confidence-level", "'1e-320'"]),
        ("--confidence-level", "0.9999999999999999", ["--confidence-level", "1 - 1e-15"]),
        ("--as-of", "", ["--as-of", "''"]),
        ("--period", "..", ["--period"]),
        (
            "--period",
            "2026-03-01..2026-02-01",
            ["--period", "'2026-03-01..2026-02-01'", "END ('2026-02-01')", "START ('2026-03-01')"],
        ),
        ("--output", "", ["--output", "''"]),
        ("--columns", "=", ["--columns", "'='"]),
    ],
)
def test_bad_option_values_name_the_option_and_the_value(
    option: str,
    value: str,
    names: list[str],
    files: tuple[str, str],
    capsys: pytest.CaptureFixture[str],
) -> None:
    status = main(["report", files[0], f"{option}={value}"])
    out, err = capsys.readouterr()
    assert (status, out) == (2, "")
    assert err.count("\n") == 1
    for name in names:
        assert name in err, err


def test_an_output_that_cannot_be_written_is_named_a_write_error(
    files: tuple[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    status = main(["report", files[0], "--output", "/no/such/dir/x.html"])
    out, err = capsys.readouterr()
    assert (status, out) == (2, "")
    assert err.startswith("csmetrics: error: cannot write the report to '/no/such/dir/x.html': ")
    assert "read" not in err


def test_an_output_that_is_a_directory_is_a_write_error(
    files: tuple[str, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    status = main(["report", files[0], "--output", str(tmp_path)])
    _, err = capsys.readouterr()
    assert status == 2
    assert "cannot write the report to" in err


def test_an_unexpected_exception_is_one_line_and_exit_3(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def broken(*args: object, **kwargs: object) -> str:
        raise ZeroDivisionError("division by zero")

    monkeypatch.delenv("CSMETRICS_TRACEBACK", raising=False)
    monkeypatch.setattr("csmetrics.cli._definitions", broken)
    status = main(["definitions"])
    out, err = capsys.readouterr()
    assert (status, out) == (3, "")
    assert err.count("\n") == 1
    assert err.startswith("csmetrics: internal error: ZeroDivisionError: division by zero; ")
    assert "please report it" in err
    assert "Traceback" not in err


def test_the_traceback_is_shown_on_request(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*args: object, **kwargs: object) -> str:
        raise ZeroDivisionError("division by zero")

    monkeypatch.setenv("CSMETRICS_TRACEBACK", "1")
    monkeypatch.setattr("csmetrics.cli._definitions", broken)
    with pytest.raises(ZeroDivisionError):
        main(["definitions"])


def test_an_interrupt_is_one_line_and_exit_130(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def interrupted(*args: object, **kwargs: object) -> str:
        raise KeyboardInterrupt

    monkeypatch.setattr("csmetrics.cli._definitions", interrupted)
    assert main(["definitions"]) == 130
    assert capsys.readouterr().err == "csmetrics: error: interrupted\n"


# -- messages name the file's line and the cell as written --------------------------------------

HEADER = "id,customer_id,start,end,resolved,channel,agent_id,issue_id,category\n"
GOOD = "1,ann,2026-03-02T09:00:00+00:00,2026-03-02T09:10:00+00:00,true,phone,A1,,billing\n"


@pytest.mark.parametrize(
    ("bad_row", "expected"),
    [
        # The table, not the reader, finds these; the message still names line 3.
        (
            "2,bob,2026-03-02T09:00:00+00:00,2026-03-01T09:10:00+00:00,true,phone,A1,,billing\n",
            (
                "c.csv, line 3: record '2', field 'end' = '2026-03-01T09:10:00+00:00': "
                "before start 2026-03-02T09:00:00+00:00"
            ),
        ),
        (
            "1,bob,2026-03-02T09:00:00+00:00,2026-03-02T09:10:00+00:00,true,phone,A1,,billing\n",
            "c.csv, line 3: record '1', field 'id' = '1': duplicate id",
        ),
        # The reader finds these.
        (
            "2,bob,2026-03-02 9:00,,false,phone,A1,,billing\n",
            "c.csv, line 3: field 'start' = '2026-03-02 9:00'",
        ),
        (
            "2,,2026-03-02T09:00:00+00:00,,false,phone,A1,,billing\n",
            "c.csv, line 3: field 'customer_id' = ''",
        ),
    ],
)
def test_file_errors_give_the_line_and_the_cell_as_written(
    bad_row: str, expected: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "c.csv"
    path.write_text(HEADER + GOOD + bad_row, encoding="utf-8")
    status = main(["report", str(path)])
    err = capsys.readouterr().err
    assert status == 2
    assert expected in err
    assert "position" not in err
    assert "datetime.datetime" not in err


def test_line_numbers_count_blank_lines_and_the_header(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "c.csv"
    bad = "2,bob,2026-03-02T09:00:00+00:00,2026-03-01T09:10:00+00:00,true,phone,A1,,billing\n"
    path.write_text(HEADER + GOOD + "\n\n" + bad, encoding="utf-8")
    assert main(["report", str(path)]) == 2
    assert "c.csv, line 5: record '2', field 'end'" in capsys.readouterr().err


def test_a_mapped_column_is_named_with_its_field(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "c.csv"
    bad = "2,bob,2026-03-02T09:00:00+00:00,2026-03-01T09:10:00+00:00,true,phone,A1,,billing\n"
    path.write_text(HEADER.replace(",end,", ",Solved at,") + GOOD + bad, encoding="utf-8")
    assert main(["report", str(path), "--columns", "end=Solved at"]) == 2
    err = capsys.readouterr().err
    assert (
        "line 3: record '2', field 'end' (column 'Solved at') = '2026-03-01T09:10:00+00:00'" in err
    )


def test_survey_file_errors_give_the_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    contacts = tmp_path / "c.csv"
    contacts.write_text(HEADER + GOOD, encoding="utf-8")
    surveys = tmp_path / "s.csv"
    row = "s1,nps,9,2026-03-02T10:00:00+00:00\n"
    surveys.write_text("id,kind,score,at\n" + row + row, encoding="utf-8")
    assert main(["report", str(contacts), "--surveys", str(surveys)]) == 2
    assert "s.csv, line 3: record 's1', field 'id' = 's1': duplicate id" in capsys.readouterr().err


def test_an_unknown_field_in_a_column_map_is_named_with_a_suggestion(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "c.csv"
    path.write_text(HEADER + GOOD, encoding="utf-8")
    assert main(["report", str(path), "--columns", "customer=Requester"]) == 2
    err = capsys.readouterr().err
    assert "argument --columns: 'customer' in 'customer=Requester' is not a field" in err
    assert "did you mean 'customer_id'?" in err
