"""`Tickets.read_parquet`: the same table, metrics and errors as the object path."""

from __future__ import annotations

import tempfile
from datetime import datetime, timedelta, timezone
from math import isnan
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from csmetrics import InvalidDataError, Message, StatusChange, Ticket, Tickets, ticket_metrics
from csmetrics.core.table import child_order
from strategies import tickets

pa = pytest.importorskip("pyarrow")
pq = pytest.importorskip("pyarrow.parquet")

UTC = timezone.utc
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
H = timedelta(hours=1)
KEYS = ("id", "customer_id", "channel", "priority", "category", "assignee_id")
HISTORIES = {
    "priority_changes": "priority",
    "assignments": "assignee_id",
    "schedule_changes": "schedule_id",
    "sla_policy_changes": "policy",
}


def columns_of(records: list[Ticket]) -> dict[str, dict[str, list[Any]]]:
    """Each table of ``records`` as lists of Python values: tickets and one per history."""
    out: dict[str, dict[str, list[Any]]] = {
        "tickets": {
            **{key: [getattr(r, key) for r in records] for key in KEYS},
            "created": [r.created for r in records],
            "submitter_role": [r.submitter_role for r in records],
        },
        "messages": {
            "ticket_id": [r.id for r in records for _ in r.messages],
            "at": [m.at for r in records for m in r.messages],
            "author": [m.author for r in records for m in r.messages],
            "public": [m.public for r in records for m in r.messages],
            "author_id": [m.author_id for r in records for m in r.messages],
        },
        "statuses": {
            "ticket_id": [r.id for r in records for _ in r.statuses],
            "at": [s.at for r in records for s in r.statuses],
            "status": [s.status for r in records for s in r.statuses],
        },
    }
    for name, field in HISTORIES.items():
        out[name] = {
            "ticket_id": [r.id for r in records for _ in getattr(r, name)],
            "at": [e.at for r in records for e in getattr(r, name)],
            field: [getattr(e, field) for r in records for e in getattr(r, name)],
        }
    return out


def arrow_type(name: str, values: list[Any]) -> Any:
    if name in ("at", "created"):
        return pa.timestamp("us", tz="UTC")
    if name == "public":
        return pa.bool_()
    if any(isinstance(v, int) for v in values):
        return pa.int64()
    return pa.string()


def write(directory: Path, tables: dict[str, dict[str, list[Any]]]) -> dict[str, Path]:
    """Write each table as ``<name>.parquet`` (typed columns, nulls as Arrow nulls)."""
    paths = {}
    for name, columns in tables.items():
        arrays = {key: pa.array(v, type=arrow_type(key, v)) for key, v in columns.items()}
        paths[name] = directory / f"{name}.parquet"
        pq.write_table(pa.table(arrays), paths[name])
    return paths


def read(paths: dict[str, Path], **options: Any) -> Tickets:
    children = {name: path for name, path in paths.items() if name != "tickets"}
    return Tickets.read_parquet(paths["tickets"], **children, **options)


def object_columns(tables: dict[str, dict[str, list[Any]]]) -> Tickets:
    """The object path: every column an object array, as Python values."""

    def objects(columns: dict[str, list[Any]]) -> dict[str, Any]:
        return {key: np.array(values, dtype=object) for key, values in columns.items()}

    return Tickets.from_columns(
        objects(tables["tickets"]),
        **{name: objects(cols) for name, cols in tables.items() if name != "tickets"},
    )


def rows(table: Tickets) -> list[dict[str, Any]]:
    return ticket_metrics(table, as_of=T0 + timedelta(days=30)).to_rows()


def same_rows(left: list[dict[str, Any]], right: list[dict[str, Any]]) -> None:
    """Equal rows, where nan (an undefined float) equals nan."""
    assert len(left) == len(right)
    for a, b in zip(left, right, strict=True):
        assert a.keys() == b.keys()
        for key in a:
            x, y = a[key], b[key]
            both_nan = isinstance(x, float) and isinstance(y, float) and isnan(x) and isnan(y)
            assert both_nan or x == y, (key, x, y)


TWO = [
    Ticket(
        id="t1",
        customer_id="ann",
        created=T0,
        channel="email",
        priority="high",
        submitter_role="agent",
        messages=[
            Message(at=T0, author="agent", author_id="max"),
            Message(at=T0 + H, author="customer", author_id="ann"),
            Message(at=T0 + 2 * H, author="agent", public=False, author_id="sue"),
        ],
        statuses=[StatusChange(at=T0 + H, status="pending"), (T0 + 3 * H, "solved")],
        assignments=[(T0, "max"), (T0 + H, None)],
        sla_policy_changes=[(T0, "gold")],
    ),
    Ticket(
        id="t2",
        customer_id="bob",
        created=T0 + H,
        messages=[Message(at=T0 + H, author="customer")],
        statuses=[(T0 + 2 * H, "open")],
        schedule_changes=[(T0 + 2 * H, "eu")],
        priority_changes=[(T0 + H, "low")],
    ),
]


@given(tickets(histories=True))
@example(TWO)
@example([])
def test_parquet_gives_the_object_paths_table_and_metrics(records: list[Ticket]):
    tables = columns_of(records)
    with tempfile.TemporaryDirectory() as scratch:
        table = read(write(Path(scratch), tables))
    assert table.to_records() == records
    from_objects = object_columns(tables)
    assert from_objects.to_records() == records
    same_rows(rows(table), rows(Tickets.from_records(records)))
    same_rows(rows(table), rows(from_objects))


def test_text_columns_reach_the_table_as_codes(tmp_path: Path):
    table = read(write(tmp_path, columns_of(TWO)))
    assert table.id.keys.tolist() == ["t1", "t2"]
    assert table.statuses.status.dtype == np.int64
    assert table.assignments.value.codes.tolist() == [0, -1]
    assert table.assignments.value.keys.tolist() == ["max"]
    assert table.sla_policy_changes.value.keys.tolist() == ["gold"]


def test_children_in_ticket_and_time_order_are_kept_as_they_are(tmp_path: Path):
    tables = columns_of(TWO)
    table = read(write(tmp_path, tables))
    # Written in ticket and time order: the rows are the file's.
    written = [int(at.timestamp()) * 10**6 for at in tables["messages"]["at"]]
    assert table.messages.at.tolist() == written
    assert table.messages.interaction.tolist() == [0, 0, 0, 1]
    # Written out of order: sorted by ticket and then time.
    shuffled = {key: values[::-1] for key, values in tables["messages"].items()}
    table = read(write(tmp_path, {**tables, "messages": shuffled}))
    assert table.to_records() == TWO


def test_naive_timestamps_need_assume_timezone(tmp_path: Path):
    tables = columns_of(TWO)
    paths = write(tmp_path, tables)
    naive = pa.table(
        {
            "id": ["t1", "t2"],
            "customer_id": ["ann", "bob"],
            "created": pa.array([T0.replace(tzinfo=None), (T0 + H).replace(tzinfo=None)]),
        }
    )
    pq.write_table(naive, paths["tickets"])
    with pytest.raises(InvalidDataError, match=r"tickets\.parquet.*naive timestamps"):
        read(paths)
    # 09:00 in Berlin (UTC+1 in March) is 08:00 UTC.
    berlin = read(paths, assume_timezone="Europe/Berlin")
    assert berlin.created.tolist() == [int((T0 - H).timestamp() * 1e6), int(T0.timestamp() * 1e6)]


# Each bad value, put in one table: (table, column, row, value, what the message says).
BAD = [
    ("statuses", "status", 1, "reopened", "field 'status' = 'reopened'"),
    ("statuses", "ticket_id", 0, "t9", "no ticket has this id"),
    ("messages", "at", 0, T0 - H, "before the ticket was created"),
    ("messages", "author", 2, "robot", "field 'author' = 'robot'"),
    ("tickets", "id", 1, "t1", "duplicate id"),
    ("tickets", "customer_id", 1, None, "required key is missing"),
    ("tickets", "submitter_role", 0, "admin", "'admin'"),
    ("schedule_changes", "schedule_id", 0, None, "schedule_id"),
    ("assignments", "at", 1, None, "missing"),
]


@pytest.mark.parametrize("case", BAD, ids=[f"{c[0]}.{c[1]}" for c in BAD])
def test_bad_value_is_the_object_paths_error_naming_the_file(
    tmp_path: Path, case: tuple[str, str, int, object, str]
):
    name, column, row, value, says = case
    tables = columns_of(TWO)
    tables[name][column][row] = value
    with pytest.raises(InvalidDataError) as objects:
        object_columns(tables)
    paths = write(tmp_path, tables)
    with pytest.raises(InvalidDataError) as parquet:
        read(paths)
    assert str(parquet.value) == f"{paths[name]}: {objects.value}"
    assert says in str(parquet.value)
    for attribute in ("row", "record", "field", "why"):
        assert getattr(parquet.value, attribute) == getattr(objects.value, attribute)


def test_missing_column_names_the_file(tmp_path: Path):
    tables = columns_of(TWO)
    del tables["statuses"]["status"]
    paths = write(tmp_path, tables)
    with pytest.raises(InvalidDataError, match=r"statuses\.parquet: missing column\(s\) 'status'"):
        read(paths)


def test_unreadable_file_is_named(tmp_path: Path):
    paths = write(tmp_path, columns_of(TWO))
    paths["messages"].write_text("not parquet")
    with pytest.raises(InvalidDataError, match=r"messages\.parquet.*not a readable Parquet"):
        read(paths)


def test_other_columns_are_ignored(tmp_path: Path):
    tables = columns_of(TWO)
    tables["tickets"]["subject"] = ["a", "b"]
    assert read(write(tmp_path, tables)).to_records() == TWO


@given(st.lists(st.tuples(st.integers(0, 3), st.integers(0, 3)), max_size=12))
def test_child_order_is_lexsorts_order_or_none_when_sorted(pairs: list[tuple[int, int]]):
    parent = np.array([p for p, _ in pairs], dtype=np.int64)
    at = np.array([a for _, a in pairs], dtype=np.int64)
    order = child_order(parent, at)
    expected = np.lexsort((at, parent))
    if order is None:
        # Already in (parent, time) order: lexsort, stable, keeps every row in place.
        assert np.array_equal(expected, np.arange(len(pairs)))
    else:
        assert np.array_equal(order, expected)
        assert not np.array_equal(expected, np.arange(len(pairs)))
