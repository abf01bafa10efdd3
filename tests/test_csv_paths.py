"""The CSV readers' two paths give the same tables and the same errors.

With pyarrow installed the readers convert whole columns with pyarrow's CSV
reader; without it (or for a file pyarrow would read otherwise) they parse
cell by cell with the standard library (decision 82). These tests read drawn
files both ways and compare every column, or the error message.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from csmetrics import InvalidDataError, read_interactions_csv, read_surveys_csv
from csmetrics.adapters import io as csv_io
from csmetrics.core.table import Encoded

pytest.importorskip("pyarrow")

TIMES = [
    "2026-03-02T09:00:00Z",
    "2026-03-02T09:00:00+00:00",
    "2026-03-02 10:30:00+01:00",
    "2026-03-02T09:00:00.5+0530",
    "2026-03-02T09:07Z",
    "2026-03-02T09Z",
    "2026-03-02T09:00:00z",
    " 2026-03-02T09:00Z",
    "2026-03-02T09:00:00.1234567Z",
    "2026-03-02T09:00",
    "2026-03-02 11:15",
    "2026-03-02",
    "2026-03-29T02:30",  # skipped by the clocks in Berlin
    "0001-01-01T00:30+01:00",
    "9999-12-31T23:00-02:00",
    "yesterday",
    "",
]
LATER = [
    "2026-03-02T09:30:00Z",
    "2026-03-02T12:00+01:00",
    "2026-03-02T12:00",
    "",
    "2026-03-01T00:00Z",
]
FLAGS = ["true", "FALSE", " yes", "no", "1", "0", "", "maybe"]
SECONDS = ["", "12", "12.5", " 3 ", "-1", "nan", "inf", "1e3", "1_0", "x"]
KEYS = ["phone", "chat", "", "a,b", 'say "hi"', " lead ", "é", "x\x00"]
STATUSES = ["solved", "open", " Closed ", ""]


@st.composite
def csv_files(draw: st.DrawFn, cells: dict[str, list[str]], *, common: dict[str, str]) -> str:
    """A CSV file of drawn cells: mostly the common value, one in sixteen any other.

    Most files are then ones both readers read (the pyarrow path's own
    work), and the rest reach the exact reader's errors and spellings.
    """
    names = ["id", *draw(st.permutations(list(cells))), "notes"]
    # A column may be written in another spelling throughout (naive times,
    # "FALSE"), which the pyarrow path then reads as a whole.
    common = {
        name: draw(st.sampled_from(cells[name])) if draw(st.integers(0, 3)) == 0 else value
        for name, value in common.items()
    }
    out = io.StringIO()
    quoting = draw(st.sampled_from([csv.QUOTE_MINIMAL, csv.QUOTE_ALL]))
    writer = csv.writer(out, quoting=quoting, lineterminator=draw(st.sampled_from(["\n", "\r\n"])))
    writer.writerow(names)
    for row in range(draw(st.integers(0, 5))):
        ids = [f"r{row}", "r0", ""]
        values = {
            name: draw(st.sampled_from(values)) if draw(st.integers(0, 15)) == 0 else common[name]
            for name, values in cells.items()
        }
        values["id"] = draw(st.sampled_from(ids)) if draw(st.integers(0, 15)) == 0 else f"r{row}"
        values["notes"] = draw(st.sampled_from(["y", "n", ""]))
        writer.writerow([values[name] for name in names])
    if draw(st.integers(0, 15)) == 0:
        out.write(draw(st.sampled_from(["\n", 'x,"y"z\n', "a,b\n"])))
    return out.getvalue()


CONTACT_CELLS = {
    "customer_id": ["c1", "c2", "", " c3 "],
    "start": TIMES,
    "end": LATER,
    "resolved": FLAGS,
    "channel": KEYS,
    "talk_seconds": SECONDS,
    "escalated": FLAGS,
}
CONTACT_COMMON = {
    "customer_id": "c1",
    "start": "2026-03-02T09:00:00Z",
    "end": "2026-03-02T09:30:00Z",
    "resolved": "true",
    "channel": "chat",
    "talk_seconds": "12.5",
    "escalated": "",
}
SURVEY_CELLS = {
    "kind": ["nps", "csat", " fcr ", "fcr", "happiness", ""],
    "score": ["9", "10", "11", "4.5", "yes", "FALSE", "", "nan", "3"],
    "at": TIMES,
    "agent_id": KEYS,
}
SURVEY_COMMON = {"kind": "nps", "score": "9", "at": "2026-03-02T09:00:00+01:00", "agent_id": "a"}


def _column(value: Any) -> list[Any]:
    if isinstance(value, Encoded):
        return [None if code < 0 else value.keys[code].item() for code in value.codes.tolist()]
    # nan as text: nan != nan would make equal columns differ.
    return ["nan" if v != v else v for v in np.asarray(value).tolist()]  # noqa: PLR0124


def _outcome(read: Any, path: Path, options: dict[str, Any]) -> Any:
    try:
        table = read(path, **options)
    except InvalidDataError as err:
        return "error", str(err)
    columns = {
        name: _column(getattr(table, name)) for name in type(table)._COLUMNS if name != "messages"
    }
    return "table", columns, getattr(table, "given", None)


def _both_ways(read: Any, path: Path, options: dict[str, Any]) -> tuple[Any, Any]:
    arrow = _outcome(read, path, options)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(csv_io, "_arrow_modules", lambda: None)
        exact = _outcome(read, path, options)
    return arrow, exact


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("csv")


OPTIONS = st.sampled_from(
    [{}, {"assume_timezone": "Europe/Berlin"}, {"resolved_when": {"notes": ["y"]}}]
)


@given(text=csv_files(CONTACT_CELLS, common=CONTACT_COMMON), options=OPTIONS)
@example(
    text="id,customer_id,start,end\na,c,2026-03-02T09:00+00:00,2026-03-02T08:00+00:00\n",
    options={},
)
@example(
    text="id,customer_id,start,talk_seconds\na,c,2026-03-02T09:00Z,nan\nb,c,2026-03-02T09:00Z,1\n",
    options={},
)
@example(
    text="id,customer_id,start,end\na,c,2026-03-02 09:00,2026-03-02T09:30\n",
    options={"assume_timezone": "Europe/Berlin"},
)
@example(text="id,customer_id,start,resolved\na,c,2026-03-02T09:00Z, Yes\n", options={})
def test_contacts_read_alike_both_ways(folder: Path, text: str, options: dict[str, Any]) -> None:
    path = folder / "contacts.csv"
    path.write_text(text, encoding="utf-8", newline="")
    arrow, exact = _both_ways(read_interactions_csv, path, options)
    assert arrow == exact


@given(
    text=csv_files(SURVEY_CELLS, common=SURVEY_COMMON),
    options=st.sampled_from(
        [{}, {"assume_timezone": "America/New_York"}, {"kind": "fcr"}, {"kind": "csat"}]
    ),
)
@example(
    text="id,kind,score,at\nok,nps,9,2026-03-02T08:00Z\nbad,nps,11,2026-03-02T08:00Z\n", options={}
)
def test_surveys_read_alike_both_ways(folder: Path, text: str, options: dict[str, Any]) -> None:
    path = folder / "surveys.csv"
    path.write_text(text, encoding="utf-8", newline="")
    arrow, exact = _both_ways(read_surveys_csv, path, options)
    assert arrow == exact


def test_plain_files_take_the_pyarrow_path(folder: Path) -> None:
    from csmetrics.core.reading import INTERACTION_FIELDS, SURVEY_FIELDS, Reading

    contacts = folder / "plain.csv"
    contacts.write_text(
        "id,customer_id,start,end,resolved,talk_seconds\n"
        "a,c1,2026-03-02T09:00:00Z,2026-03-02T10:30:00+01:00,true,12\n"
        'b,"c, 2",2026-03-02T10:00:00Z,,,\n',
        encoding="utf-8",
    )
    table = csv_io._arrow_interactions(contacts, Reading.of(INTERACTION_FIELDS))
    assert table is not None
    assert _column(table.customer_id) == ["c1", "c, 2"]
    assert table.talk_seconds[0] == 12.0
    answers = folder / "answers.csv"
    answers.write_text(
        "id,kind,score,at\n1,fcr,yes,2026-03-02T09:00Z\n2,csat,4,2026-03-02T09:00Z\n"
    )
    surveys = csv_io._arrow_surveys(answers, Reading.of(SURVEY_FIELDS))
    assert surveys is not None
    assert surveys.score.tolist() == [1.0, 4.0]


def test_a_file_pyarrow_would_misread_takes_the_exact_path(folder: Path) -> None:
    from csmetrics.core.reading import INTERACTION_FIELDS, Reading

    # Text after a closing quote: csv.reader refuses it, pyarrow would read on.
    path = folder / "quotes.csv"
    path.write_text('id,customer_id,start\n"a"b,c,2026-03-02T09:00Z\n', encoding="utf-8")
    assert csv_io._arrow_interactions(path, Reading.of(INTERACTION_FIELDS)) is None
    with pytest.raises(InvalidDataError, match="malformed CSV"):
        read_interactions_csv(path)


@given(
    cells=st.lists(st.sampled_from(["nps", " fcr ", "", "9"]), max_size=30),
    chunk=st.integers(min_value=1, max_value=8),
)
def test_dictionary_columns_give_each_rows_text_across_chunks_and_empty_cells(
    cells: list[str], chunk: int
) -> None:
    pa = pytest.importorskip("pyarrow")
    kind = pa.dictionary(pa.int32(), pa.string())
    column = pa.chunked_array(
        [
            pa.array([cell or None for cell in cells[low : low + chunk]], kind)
            for low in range(0, len(cells), chunk)
        ],
        type=kind,
    ).unify_dictionaries()
    words, codes = csv_io._words(column)
    assert [words[code] if code >= 0 else "" for code in codes.tolist()] == cells
