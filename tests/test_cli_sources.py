"""``csmetrics report --source`` and ``csmetrics tickets``: helpdesk exports on the command line."""

from __future__ import annotations

import csv
import io
import json
import shutil
from pathlib import Path

import pytest

import csmetrics
from csmetrics.cli import main
from csmetrics.metrics.tickets import TICKET_FIELDS
from csmetrics.sources import zendesk

DATA = Path(__file__).parent / "data"
AS_OF = "2026-03-05T12:00:00+00:00"


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    status = main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


def table(text: str) -> dict[str, dict[str, str]]:
    return {row["ticket_id"]: row for row in csv.DictReader(io.StringIO(text))}


def test_tickets_csv_of_a_freshdesk_api_export(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, err = run(
        capsys,
        "tickets",
        "--source",
        "freshdesk",
        str(DATA / "freshdesk" / "api"),
        "--statuses",
        "6=hold",
        "--as-of",
        AS_OF,
    )
    assert (status, err) == (0, "")
    assert out.splitlines()[0].split(",") == list(TICKET_FIELDS)
    rows = table(out)
    assert list(rows) == ["1", "2", "3", "4", "5", "6"]
    assert (rows["1"]["first_reply"], rows["1"]["touch_class"]) == ("3600.0", "two")
    assert (rows["2"]["open"], rows["2"]["full_resolution"]) == ("true", "")
    assert rows["5"]["on_hold"] == str(23 * 3600.0)


def test_tickets_of_a_freshdesk_csv_export_needs_its_zone(
    capsys: pytest.CaptureFixture[str],
) -> None:
    path = str(DATA / "freshdesk" / "tickets.csv")
    status, _, err = run(capsys, "tickets", "--source", "freshdesk", path)
    assert status == 2
    assert "--assume-timezone" in err
    status, out, _ = run(
        capsys,
        "tickets",
        "--source",
        "freshdesk",
        path,
        "--assume-timezone",
        "Europe/Berlin",
        "--statuses",
        "Waiting on Third Party=hold",
    )
    assert status == 0
    assert table(out)["3"]["first_reply"] == "7200.0"


def test_tickets_json_of_an_intercom_export(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(
        capsys, "tickets", "--source", "intercom", str(DATA / "intercom"), "--format", "json"
    )
    assert status == 0
    rows = {row["ticket_id"]: row for row in json.loads(out)}
    assert (rows["102"]["reopens"], rows["102"]["resolutions"]) == (1, 2)


@pytest.mark.parametrize("folder", ["zendesk", "zendesk_api"])
def test_tickets_of_both_zendesk_exports(capsys: pytest.CaptureFixture[str], folder: str) -> None:
    status, out, _ = run(capsys, "tickets", "--source", "zendesk", str(DATA / folder))
    assert status == 0
    assert len(table(out)) == {"zendesk": 10, "zendesk_api": 4}[folder]


def test_report_on_an_export(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(capsys, "report", "--source", "zendesk", str(DATA / "zendesk_api"))
    assert status == 0
    assert "Source: zendesk export: zendesk_api (one contact per resolution cycle)" in out
    # 201 has two resolution cycles, the three others one each
    assert "Contacts: 5," in out


def test_report_json_on_an_export(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(
        capsys, "report", "--source", "intercom", str(DATA / "intercom"), "--format", "json"
    )
    assert status == 0
    assert json.loads(out)


def test_orphans_warn_on_one_line(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    target = tmp_path / "api"
    shutil.copytree(DATA / "freshdesk" / "api", target)
    lost = [{"id": 1, "ticket_id": 4242, "created_at": "2026-03-05T00:00:00Z"}]
    (target / "z.json").write_text(json.dumps(lost), encoding="utf-8")
    argv = ["tickets", "--source", "freshdesk", str(target), "--statuses", "6=hold"]
    status, _, err = run(capsys, *argv)
    assert status == 2
    assert "z.json, [0] (id 1): field 'ticket_id' = '4242': no such ticket" in err
    status, out, err = run(capsys, *argv, "--on-orphan", "warn")
    assert status == 0
    assert err.startswith("csmetrics: warning: left out 1 object(s)")
    assert len(table(out)) == 6


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["tickets", str(DATA / "intercom")], "--source"),
        (
            ["tickets", "--source", "intercom", str(DATA / "intercom"), "--statuses", "6=hold"],
            "--statuses",
        ),
        (
            ["tickets", "--source", "intercom", str(DATA / "intercom"), "--on-orphan", "warn"],
            "nested",
        ),
        (
            [
                "tickets",
                "--source",
                "freshdesk",
                str(DATA / "freshdesk" / "api"),
                "--statuses",
                "6=waiting",
            ],
            "6=waiting",
        ),
        (
            [
                "tickets",
                "--source",
                "freshdesk",
                str(DATA / "freshdesk" / "api"),
                "--statuses",
                "x=hold",
            ],
            "'x'",
        ),
        (
            ["report", "--source", "zendesk", str(DATA / "zendesk"), "--columns", "id=Id"],
            "--columns",
        ),
        (["report", str(DATA / "zendesk"), "--on-orphan", "warn"], "--source"),
        (["report", "--sample", "--source", "zendesk"], "--source"),
        (["tickets", "--source", "zendesk", str(DATA / "nothing")], "nothing"),
    ],
)
def test_bad_usage_is_one_line(
    capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    status, _, err = run(capsys, *argv)
    assert status == 2
    assert err.startswith("csmetrics: error:")
    assert message in err
    assert len(err.strip().splitlines()) == 1


def test_report_measures_first_response_and_asa_from_the_comments(
    capsys: pytest.CaptureFixture[str],
) -> None:
    # Ticket contacts carry no first_response_at column: the comments give it,
    # as first_response_time finds it; handle time has nothing to measure.
    argv = ["report", "--source", "zendesk", str(DATA / "zendesk"), "--format", "json"]
    status, out, _ = run(capsys, *argv)
    assert status == 0
    rows = {row["key"]: row for row in json.loads(out)["rows"]}
    contacts = zendesk.read_tables(DATA / "zendesk").contacts()
    expected = csmetrics.first_response_time(contacts)
    assert rows["first_response_time"]["value"] == expected.value
    assert rows["first_response_time"]["counts"]["n"] == expected.n == 12
    assert rows["asa"]["status"] == "ok"
    assert rows["handle_time"]["status"] == "skipped"
