"""The columnar tables: Interactions and Surveys, from records and from columns."""

from __future__ import annotations

import math
import pickle
from datetime import datetime, timedelta, timezone

import numpy as np
import pytest
from hypothesis import example, given

import csmetrics
from csmetrics import Interaction, Interactions, InvalidDataError, Survey, Surveys
from csmetrics.core import episodes
from csmetrics.core.episodes import time_rank
from csmetrics.core.table import OPEN, from_micros, rows_in_order, to_micros
from strategies import interaction_columns, interactions, survey_columns, surveys

UTC = timezone.utc
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
T0_MICROS = 1_772_442_000_000_000  # 2026-03-02T09:00:00Z, by `date -u -d ... +%s` * 10**6


def utc64(*moments: datetime | None) -> np.ndarray:
    return np.array(
        [None if m is None else m.astimezone(UTC).replace(tzinfo=None) for m in moments],
        dtype="datetime64[us]",
    )


def contact(id: object, **changes: object) -> Interaction:
    fields: dict[str, object] = {
        "id": id,
        "customer_id": "ann",
        "start": T0,
        "end": T0 + timedelta(minutes=5),
    }
    fields.update(changes)
    return Interaction(**fields)  # type: ignore[arg-type]


def columns(**changes: object) -> dict[str, object]:
    cols: dict[str, object] = {
        "id": ["a", "b", "c"],
        "customer_id": ["ann", "bob", "ann"],
        "start": utc64(T0, T0 + timedelta(hours=1), T0 + timedelta(days=1)),
        "end": utc64(T0 + timedelta(minutes=5), None, T0 + timedelta(days=1)),
        "resolved": np.array([True, False, False]),
    }
    cols.update(changes)
    return cols


def message_of(info: pytest.ExceptionInfo[BaseException]) -> str:
    return str(info.value)


# -- time conversion ------------------------------------------------------------------------------


def test_to_micros_is_exact_epoch_microseconds():
    assert to_micros(T0) == T0_MICROS
    assert to_micros(T0 + timedelta(microseconds=1)) == T0_MICROS + 1
    # The same instant in another zone.
    assert to_micros(T0.astimezone(timezone(timedelta(hours=-7)))) == T0_MICROS


def test_from_micros_is_utc():
    assert from_micros(T0_MICROS) == T0
    assert from_micros(T0_MICROS).tzinfo == UTC


# -- Interactions.from_records --------------------------------------------------------------------


def test_from_records_encodes_columns():
    table = Interactions.from_records(
        [
            contact("b", customer_id="zed", agent_id="amy", resolved=True),
            contact("a", customer_id="ann", end=None, category="billing"),
        ]
    )
    assert len(table) == 2
    assert table.id.keys.tolist() == ["a", "b"]
    assert table.id.codes.tolist() == [1, 0]
    assert [table.customer_id.key(int(c)) for c in table.customer_id.codes] == ["zed", "ann"]
    assert table.agent_id.codes.tolist() == [0, -1]
    assert table.category.codes.tolist() == [-1, 0]
    assert table.start.tolist() == [T0_MICROS, T0_MICROS]
    assert table.end.tolist() == [T0_MICROS + 300_000_000, OPEN]
    assert table.is_open.tolist() == [False, True]
    assert table.resolved.tolist() == [True, False]


def test_from_records_empty():
    table = Interactions.from_records([])
    assert len(table) == 0
    assert table.to_records() == []


def test_from_records_accepts_any_iterable():
    table = Interactions.from_records(contact(str(i)) for i in range(3))
    assert len(table) == 3


def test_from_records_non_interaction_is_rejected():
    with pytest.raises(InvalidDataError) as info:
        Interactions.from_records([contact("a"), {"id": "b"}])
    assert "position 1" in message_of(info)
    assert "{'id': 'b'}" in message_of(info)


def test_from_records_duplicate_id_is_rejected():
    with pytest.raises(InvalidDataError) as info:
        Interactions.from_records([contact("a"), contact("b"), contact("a")])
    message = message_of(info)
    assert "'a'" in message
    assert "position 2" in message
    assert "'id'" in message
    assert "duplicate" in message


def test_from_records_mixed_str_and_int_keys_are_rejected():
    records = [contact("a", customer_id="ann"), contact("b", customer_id=7)]
    with pytest.raises(InvalidDataError) as info:
        Interactions.from_records(records)
    message = message_of(info)
    assert "'b'" in message
    assert "position 1" in message
    assert "'customer_id'" in message
    assert "= 7" in message


def test_from_records_mixed_id_types_are_rejected():
    with pytest.raises(InvalidDataError) as info:
        Interactions.from_records([contact("a"), contact(2)])
    assert "position 1" in message_of(info)
    assert "'id'" in message_of(info)


def test_from_records_integer_keys():
    table = Interactions.from_records([contact(10, customer_id=3), contact(2, customer_id=3)])
    assert table.id.keys.dtype.kind == "i"
    assert table.id.keys.tolist() == [2, 10]
    assert table.id.key(0) == 2
    assert isinstance(table.id.key(0), int)


# -- Interactions.from_columns --------------------------------------------------------------------


def test_from_columns_with_datetime64_and_nat_as_missing_end():
    table = Interactions.from_columns(columns())
    assert table.start.tolist() == [
        T0_MICROS,
        T0_MICROS + 3_600_000_000,
        T0_MICROS + 86_400 * 10**6,
    ]
    assert table.is_open.tolist() == [False, True, False]
    assert table.end[1] == OPEN
    assert table.resolved.tolist() == [True, False, False]


def test_from_columns_keeps_microseconds():
    start = T0 + timedelta(microseconds=123_457)
    table = Interactions.from_columns(
        {"id": ["a", "b"], "customer_id": ["ann", "ann"], "start": [start, T0]}
    )
    assert table.start.tolist() == [T0_MICROS + 123_457, T0_MICROS]
    table = Interactions.from_columns(
        {"id": ["a"], "customer_id": ["ann"], "start": utc64(start), "end": utc64(start)}
    )
    assert table.start.tolist() == [T0_MICROS + 123_457]
    assert table.to_records()[0].end == start


def test_from_columns_datetime64_in_other_units():
    cols = columns(
        start=np.array(
            ["2026-03-02T09:00", "2026-03-02T10:00", "2026-03-03T09:00"], "datetime64[m]"
        ),
        end=np.array(["2026-03-02T09:05", "NaT", "2026-03-03T09:00"], "datetime64[s]"),
    )
    assert (
        Interactions.from_columns(cols).to_records()
        == Interactions.from_columns(columns()).to_records()
    )


def test_from_columns_with_sequences_of_aware_datetimes():
    plus_two = timezone(timedelta(hours=2))
    table = Interactions.from_columns(
        columns(
            start=[T0, T0 + timedelta(hours=1), (T0 + timedelta(days=1)).astimezone(plus_two)],
            end=[T0 + timedelta(minutes=5), None, T0 + timedelta(days=1)],
        )
    )
    assert table.to_records() == Interactions.from_columns(columns()).to_records()


def test_from_columns_without_optional_columns():
    table = Interactions.from_columns(
        {"id": ["a"], "customer_id": ["ann"], "start": utc64(T0)},
    )
    assert table.is_open.tolist() == [True]
    assert table.resolved.tolist() == [False]
    assert table.agent_id.codes.tolist() == [-1]


def test_from_columns_naive_datetime_is_rejected():
    with pytest.raises(InvalidDataError) as info:
        Interactions.from_columns(
            columns(start=[T0, T0.replace(tzinfo=None), T0], end=[None, None, None])
        )
    message = message_of(info)
    assert "'b'" in message
    assert "'start'" in message
    assert "naive" in message


def test_from_columns_text_times_are_rejected():
    with pytest.raises(InvalidDataError, match="'start'"):
        Interactions.from_columns(columns(start=["2026-03-02", "2026-03-02", "2026-03-02"]))


def test_from_columns_missing_start_is_rejected():
    with pytest.raises(InvalidDataError) as info:
        Interactions.from_columns(columns(start=utc64(T0, None, T0), end=utc64(None, None, None)))
    assert "'b'" in message_of(info)
    assert "'start'" in message_of(info)


def test_from_columns_end_before_start_is_rejected():
    with pytest.raises(InvalidDataError) as info:
        Interactions.from_columns(
            columns(end=utc64(T0 + timedelta(minutes=5), None, T0 + timedelta(hours=23)))
        )
    message = message_of(info)
    assert "'c'" in message
    assert "position 2" in message
    assert "'end'" in message
    assert "before start" in message


def test_from_columns_open_contact_marked_resolved_is_rejected():
    with pytest.raises(InvalidDataError) as info:
        Interactions.from_columns(columns(resolved=np.array([True, True, False])))
    message = message_of(info)
    assert "'b'" in message
    assert "'resolved'" in message
    assert "True" in message


def test_from_columns_number_where_bool_expected_is_rejected():
    with pytest.raises(InvalidDataError) as info:
        Interactions.from_columns(columns(resolved=[1, 0, 0]))
    assert "'a'" in message_of(info)
    assert "'resolved'" in message_of(info)


def test_from_columns_duplicate_id_is_rejected():
    with pytest.raises(InvalidDataError) as info:
        Interactions.from_columns(columns(id=["a", "b", "b"]))
    assert "'b' (position 2)" in message_of(info)
    assert "duplicate" in message_of(info)


@pytest.mark.parametrize("missing", ["", None])
def test_from_columns_missing_required_key_is_rejected(missing):
    with pytest.raises(InvalidDataError) as info:
        Interactions.from_columns(columns(customer_id=np.array(["ann", missing, "ann"], object)))
    assert "'b'" in message_of(info)
    assert "'customer_id'" in message_of(info)


def test_from_columns_missing_id_is_rejected():
    with pytest.raises(InvalidDataError) as info:
        Interactions.from_columns(columns(id=["a", "", "c"]))
    assert "position 1" in message_of(info)
    assert "'id'" in message_of(info)


def test_from_columns_mixed_str_and_int_keys_are_rejected():
    with pytest.raises(InvalidDataError) as info:
        Interactions.from_columns(columns(agent_id=np.array(["amy", None, 5], dtype=object)))
    message = message_of(info)
    assert "'c'" in message
    assert "'agent_id'" in message
    assert "5" in message


def test_from_columns_fractional_float_key_is_rejected():
    with pytest.raises(InvalidDataError, match=r"customer_id.*1\.5.*whole number"):
        Interactions.from_columns(columns(customer_id=np.array([1.0, 1.5, 3.0])))


def test_from_columns_whole_float_keys_are_integer_keys():
    # pandas stores integer keys with missing values as floats.
    table = Interactions.from_columns(
        columns(customer_id=np.array([1.0, 2.0, 3.0]), agent_id=np.array([7.0, np.nan, 7.0]))
    )
    assert table.customer_id.keys.tolist() == [1, 2, 3]
    assert table.agent_id.codes.tolist() == [0, -1, 0]
    assert table.agent_id.key(0) == 7


def test_from_columns_integer_key_columns():
    table = Interactions.from_columns(
        columns(
            id=np.array([30, 10, 20], dtype=np.int64),
            customer_id=np.array([7, 7, 8], dtype=np.int32),
            agent_id=np.array([1, None, 2], dtype=object),
        )
    )
    records = table.to_records()
    assert [r.id for r in records] == [30, 10, 20]
    assert [r.customer_id for r in records] == [7, 7, 8]
    assert [r.agent_id for r in records] == [1, None, 2]


def test_from_columns_empty_string_means_missing():
    table = Interactions.from_columns(columns(category=np.array(["x", "", "y"])))
    assert [r.category for r in table.to_records()] == ["x", None, "y"]


def test_from_columns_unknown_column_is_rejected():
    with pytest.raises(ValueError, match="unknown") as info:
        Interactions.from_columns(columns(colour=["r", "g", "b"]))
    assert "colour" in message_of(info)


def test_from_columns_missing_required_column_is_rejected():
    cols = columns()
    del cols["customer_id"]
    with pytest.raises(ValueError, match="missing") as info:
        Interactions.from_columns(cols)
    assert "customer_id" in message_of(info)


def test_from_columns_of_different_lengths_are_rejected():
    with pytest.raises(ValueError, match="differ in length"):
        Interactions.from_columns(columns(id=["a", "b"]))


def test_from_columns_empty():
    table = Interactions.from_columns({"id": [], "customer_id": [], "start": []})
    assert len(table) == 0


# -- round trips and agreement ---------------------------------------------------------------------


def test_to_records_round_trip():
    records = [
        contact("a", resolved=True, channel="chat", agent_id="amy", issue_id="T1"),
        contact("b", customer_id="bob", end=None, category="billing"),
    ]
    back = Interactions.from_records(records).to_records()
    assert back == records
    assert back[0].start.tzinfo == UTC


@given(records=interactions())
@example(records=[])
def test_to_records_round_trip_of_drawn_contacts(records):
    assert Interactions.from_records(records).to_records() == records


@given(records=interactions())
@example(records=[])
def test_from_columns_equals_from_records(records):
    from_records = Interactions.from_records(records)
    for times in ("datetime64", "aware"):
        table = Interactions.from_columns(interaction_columns(records, times=times))
        assert table.to_records() == records
        for name in ("start", "end", "resolved"):
            assert getattr(table, name).tolist() == getattr(from_records, name).tolist()
        for name in ("id", "customer_id", "channel", "agent_id", "issue_id", "category"):
            assert getattr(table, name).codes.tolist() == getattr(from_records, name).codes.tolist()
            assert getattr(table, name).keys.tolist() == getattr(from_records, name).keys.tolist()


def test_take_selects_rows():
    table = Interactions.from_columns(columns())
    picked = table.take(np.array([False, True, True]))
    assert [r.id for r in picked.to_records()] == ["b", "c"]
    assert [r.id for r in table.take(np.array([2, 0])).to_records()] == ["c", "a"]


# -- Surveys --------------------------------------------------------------------------------------


def answer(id: object, kind: str, score: object, **changes: object) -> Survey:
    return Survey(id=id, kind=kind, score=score, at=T0, **changes)  # type: ignore[arg-type]


def survey_cols(**changes: object) -> dict[str, object]:
    cols: dict[str, object] = {
        "id": ["s1", "s2", "s3", "s4"],
        "kind": ["nps", "csat", "fcr", "ces"],
        "score": np.array([9, 4, 1, 7]),
        "at": utc64(T0, T0, T0, T0),
    }
    cols.update(changes)
    return cols


def test_surveys_from_records_columns():
    table = Surveys.from_records(
        [
            answer("a", "nps", 9, agent_id="amy"),
            answer("b", "fcr", False),
            answer("c", "csat", 8, scale=(1, 10)),
        ]
    )
    assert table.kind.tolist() == [0, 3, 1]
    assert table.score.tolist() == [9.0, 0.0, 8.0]
    assert table.scale_low.tolist() == [0, 0, 1]
    assert table.scale_high.tolist() == [10, 1, 10]
    assert table.at.tolist() == [T0_MICROS] * 3
    assert table.agent_id.codes.tolist() == [0, -1, -1]
    assert len(table.of_kind("csat")) == 1


def test_surveys_from_records_non_survey_is_rejected():
    with pytest.raises(InvalidDataError, match="position 1"):
        Surveys.from_records([answer("a", "nps", 9), 9])


def test_surveys_from_records_duplicate_id_is_rejected():
    with pytest.raises(InvalidDataError, match="duplicate"):
        Surveys.from_records([answer("a", "nps", 9), answer("a", "csat", 3)])


def test_surveys_from_columns():
    table = Surveys.from_columns(survey_cols())
    assert table.kind.tolist() == [0, 1, 3, 2]
    assert table.score.tolist() == [9.0, 4.0, 1.0, 7.0]
    assert table.scale_low.tolist() == [0, 1, 0, 1]
    assert table.scale_high.tolist() == [10, 5, 1, 7]


def test_surveys_from_columns_unknown_kind_is_rejected():
    with pytest.raises(InvalidDataError) as info:
        Surveys.from_columns(survey_cols(kind=["nps", "csat", "happiness", "ces"]))
    assert "'s3'" in message_of(info)
    assert "'kind'" in message_of(info)
    assert "'happiness'" in message_of(info)


@pytest.mark.parametrize(
    ("scores", "row", "shown"),
    [
        ([9, 6, 1, 7], "'s2'", "6"),  # csat above 1..5
        ([11, 4, 1, 7], "'s1'", "11"),  # nps above 10
        ([8.5, 4, 1, 7], "'s1'", "8.5"),  # non-integer nps
        ([9, 4, 2, 7], "'s3'", "2"),  # fcr answer other than 0 / 1
        ([9, 4, 1, 0], "'s4'", "0"),  # ces below 1..7
        ([9, math.nan, 1, 7], "'s2'", "nan"),
        ([9, 4, 1, math.inf], "'s4'", "inf"),
    ],
)
def test_surveys_from_columns_invalid_score_is_rejected(scores, row, shown):
    with pytest.raises(InvalidDataError) as info:
        Surveys.from_columns(survey_cols(score=np.array(scores)))
    message = message_of(info)
    assert row in message
    assert "'score'" in message
    assert shown in message


def test_surveys_from_columns_bool_column_only_for_fcr():
    table = Surveys.from_columns(
        survey_cols(id=["x"], kind=["fcr"], score=np.array([True]), at=utc64(T0))
    )
    assert table.score.tolist() == [1.0]
    with pytest.raises(InvalidDataError) as info:
        Surveys.from_columns(survey_cols(score=np.array([True, True, True, False])))
    assert "'s1'" in message_of(info)
    assert "bool" in message_of(info)


def test_surveys_from_columns_object_scores_check_bool_per_kind():
    ok = Surveys.from_columns(survey_cols(score=np.array([9, 4, True, 7], dtype=object)))
    assert ok.score.tolist() == [9.0, 4.0, 1.0, 7.0]
    with pytest.raises(InvalidDataError) as info:
        Surveys.from_columns(survey_cols(score=np.array([9, 4, 1, 7], dtype=object)))
    assert "'s3'" in message_of(info)
    assert "a bool" in message_of(info)
    with pytest.raises(InvalidDataError) as info:
        Surveys.from_columns(survey_cols(score=np.array([True, 4, True, 7], dtype=object)))
    assert "'s1'" in message_of(info)


def test_surveys_from_columns_text_score_column_is_rejected():
    with pytest.raises(InvalidDataError, match="'score'"):
        Surveys.from_columns(survey_cols(score=np.array(["9", "4", "1", "7"])))


def test_surveys_from_columns_custom_scale():
    cols = survey_cols(
        kind=["csat"],
        id=["s1"],
        score=np.array([9]),
        at=utc64(T0),
        scale_low=[1],
        scale_high=[10],
    )
    table = Surveys.from_columns(cols)
    assert (table.scale_low.tolist(), table.scale_high.tolist()) == ([1], [10])


def test_surveys_from_columns_scale_on_nps_is_rejected():
    with pytest.raises(InvalidDataError) as info:
        Surveys.from_columns(survey_cols(scale_low=[1, 1, 0, 1], scale_high=[10, 5, 1, 7]))
    assert "'s1'" in message_of(info)
    assert "'scale'" in message_of(info)


def test_surveys_from_columns_empty_scale_is_rejected():
    with pytest.raises(InvalidDataError, match="'scale'"):
        Surveys.from_columns(survey_cols(scale_low=[0, 5, 0, 1], scale_high=[10, 5, 1, 7]))


def test_surveys_from_columns_missing_at_is_rejected():
    with pytest.raises(InvalidDataError) as info:
        Surveys.from_columns(survey_cols(at=utc64(T0, None, T0, T0)))
    assert "'s2'" in message_of(info)
    assert "'at'" in message_of(info)


def test_surveys_from_columns_unknown_and_missing_columns_are_rejected():
    with pytest.raises(ValueError, match="unknown"):
        Surveys.from_columns(survey_cols(weight=[1, 1, 1, 1]))
    cols = survey_cols()
    del cols["kind"]
    with pytest.raises(ValueError, match="missing"):
        Surveys.from_columns(cols)


@given(records=surveys())
@example(records=[])
def test_surveys_from_columns_equals_from_records(records):
    expected = Surveys.from_records(records)
    for scores_as in ("float", "object"):
        table = Surveys.from_columns(survey_columns(records, scores_as=scores_as))
        for name in ("kind", "score", "at", "scale_low", "scale_high"):
            assert getattr(table, name).tolist() == getattr(expected, name).tolist()
        for name in ("id", "customer_id", "interaction_id", "agent_id"):
            assert getattr(table, name).codes.tolist() == getattr(expected, name).codes.tolist()


def test_text_score_in_object_column_is_rejected():
    at = datetime(2026, 1, 1, tzinfo=timezone.utc)
    with pytest.raises(csmetrics.InvalidDataError, match=r"'b'.*score.*'9'"):
        csmetrics.Surveys.from_columns(
            {
                "id": ["a", "b"],
                "kind": ["nps", "nps"],
                "score": np.array([9, "9"], dtype=object),
                "at": [at, at],
            }
        )


# -- views: what as_of and period select ----------------------------------------------------------


def _ten_contacts() -> Interactions:
    """Ten contacts of two customers, shuffled, some sharing a start; no queue or team fields."""
    order = [3, 7, 0, 9, 5, 1, 8, 2, 6, 4]
    starts = [T0 + timedelta(hours=i // 2) for i in order]  # pairs share a start
    return Interactions.from_columns(
        {
            "id": [f"c{i}" for i in order],
            "customer_id": ["ann" if i % 2 else "bob" for i in order],
            "start": utc64(*starts),
            "end": utc64(*(s + timedelta(minutes=5) for s in starts)),
            "resolved": np.array([i % 3 != 0 for i in order]),
            "category": ["billing" if i < 6 else "login" for i in order],
        }
    )


def _slots(table: Interactions) -> set[str]:
    """The column slots a table has set (a view sets them when they are read)."""
    return {name for name in Interactions._COLUMNS if _is_set(table, name)}


def _is_set(table: object, name: str) -> bool:
    try:
        object.__getattribute__(table, name)
    except AttributeError:
        return False
    return True


def test_explicit_as_of_that_drops_nothing_keeps_the_cached_time_order(monkeypatch):
    table = _ten_contacts()
    rank, rows = time_rank(table), table.memo["time_rows"]
    # No metric may sort again: the order is cached on the table it was given.
    monkeypatch.setattr(episodes, "_start_steps", _no_sort)
    monkeypatch.setattr(episodes, "_start_then_id_order", _no_sort)
    late = T0 + timedelta(days=30)
    fcr = csmetrics.fcr(table, as_of=late)
    csmetrics.fcr(table, as_of=late, match="customer")
    csmetrics.fcr(table, as_of=late, period=(T0, T0 + timedelta(hours=3)), by="category")
    assert table.memo["time_rank"] is rank
    assert table.memo["time_rows"] is rows
    monkeypatch.undo()
    assert fcr.counts() == csmetrics.fcr(_ten_contacts(), as_of=late).counts()


def _no_sort(*_: object) -> object:
    raise AssertionError("the time order was computed again")


def test_as_of_that_drops_rows_orders_the_view_from_the_table_without_a_second_sort(monkeypatch):
    table = _ten_contacts()
    as_of = T0 + timedelta(hours=2)  # drops the four contacts starting from hour 3
    hour = 1 / 24  # a window that closes before as_of for the first contacts
    first = csmetrics.fcr(table, as_of=as_of, window_days=hour)
    # The first call sorted the whole table once and cached it there.
    assert "time_rows" in table.memo
    monkeypatch.setattr(episodes, "_start_steps", _no_sort)
    monkeypatch.setattr(episodes, "_start_then_id_order", _no_sort)
    again = csmetrics.fcr(table, as_of=as_of, window_days=hour, match="customer")
    monkeypatch.undo()
    kept = Interactions.from_records([r for r in table.to_records() if r.start <= as_of])
    assert len(kept) == 6
    assert first.counts() == csmetrics.fcr(kept, as_of=as_of, window_days=hour).counts()
    assert first.denominator > 0
    expected = csmetrics.fcr(kept, as_of=as_of, window_days=hour, match="customer")
    assert again.counts() == expected.counts()


def test_view_gathers_only_the_columns_read():
    table = _ten_contacts()
    view = table.view(table.start <= to_micros(T0 + timedelta(hours=2)))
    assert len(view) == 6
    assert _slots(view) == set()
    assert view.start.tolist() == table.start[table.start <= view.start.max()].tolist()
    assert _slots(view) == {"start"}
    assert view.source is not None
    assert view.source[0] is table
    assert table.view(np.ones(len(table), bool)) is table  # nothing dropped: the table itself


def test_view_and_take_give_the_same_columns():
    table = _ten_contacts()
    for rows in (table.resolved, np.array([4, 0, 9, 2]), np.zeros(len(table), bool)):
        view, taken = table.view(rows), table.take(rows)
        assert len(view) == len(taken)
        for name in Interactions._COLUMNS:
            ours, theirs = getattr(view, name), getattr(taken, name)
            if name == "messages":
                assert len(ours) == len(theirs) == 0
            elif isinstance(ours, csmetrics.core.table.Encoded):
                assert ours.codes.tolist() == theirs.codes.tolist()
                assert ours.keys.tolist() == theirs.keys.tolist()
            else:
                assert np.array_equal(ours, theirs, equal_nan=True)
        assert view.given == taken.given == table.given
        assert [r.id for r in view.to_records()] == [r.id for r in taken.to_records()]


def test_a_field_not_given_stays_one_broadcast_value_in_views_and_takes():
    table = _ten_contacts()
    assert table.first_response.strides == (0,)
    assert table.abandoned.strides == (0,)
    for part in (table.view(table.resolved), table.take(table.resolved)):
        for column in (part.first_response, part.abandoned, part.talk_seconds, part.tier.codes):
            assert column.strides == (0,)
            assert len(column) == int(table.resolved.sum())
        assert (part.first_response == OPEN).all()
        assert not part.abandoned.any()


def test_take_carries_a_cached_time_order():
    table = _ten_contacts()
    time_rank(table)
    rows = np.array([7, 1, 4, 0])
    taken = table.take(rows)
    carried = taken.memo["time_rank"].tolist()
    taken.memo.clear()
    assert carried == time_rank(taken).tolist()
    assert taken.source is None  # a take refers to nothing


def test_rows_in_order_follows_the_order_through_a_selection():
    order = np.array([3, 0, 4, 1, 2])
    mask = np.array([True, False, True, True, False])
    # Kept rows 0, 2, 3 are 0, 1, 2 of the selection; in `order`: 3, 0 (4 and 1 dropped), 2.
    assert rows_in_order(order, mask, 5).tolist() == [2, 0, 1]
    index = np.array([2, 3, 0])  # selection positions: row 2 -> 0, row 3 -> 1, row 0 -> 2
    assert rows_in_order(order, index, 5).tolist() == [1, 2, 0]


def test_a_view_pickles_with_its_own_columns():
    table = _ten_contacts()
    view = table.view(table.resolved)
    copy = pickle.loads(pickle.dumps(view))
    assert copy.source is None
    assert copy.to_records() == table.take(table.resolved).to_records()


def test_time_columns_given_as_datetime64_are_copied_not_shared():
    start = np.array(["2026-03-02T09:00", "2026-03-02T10:00"], dtype="datetime64[us]")
    end = np.array(["2026-03-02T09:30", "NaT"], dtype="datetime64[us]")
    table = Interactions.from_columns(
        {"id": [1, 2], "customer_id": [5, 5], "start": start, "end": end}
    )
    assert not np.shares_memory(table.start, start)
    assert not np.shares_memory(table.end, end)
    start[0] = np.datetime64("2026-03-02T11:00", "us")
    assert table.start[0] == to_micros(datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc))
    assert table.end.tolist()[1] == OPEN
    assert end[1] != end[1]  # NaT: the caller's array is left as it was


def test_parquet_time_columns_without_nulls_read_as_they_are(tmp_path):
    pa = pytest.importorskip("pyarrow")
    pq = pytest.importorskip("pyarrow.parquet")
    stamp = pa.timestamp("us", tz="UTC")
    path = tmp_path / "contacts.parquet"
    arrow = pa.table(
        {
            "id": pa.array([1, 2, 3]),
            "customer_id": pa.array([7, 7, 8]),
            "start": pa.array([10, 20, 30], stamp),
            "end": pa.array([15, 25, 35], stamp),  # no nulls: viewed, never written
            "first_response_at": pa.array([12, None, 31], stamp),
        }
    )
    pq.write_table(arrow, path)
    table = Interactions.read_parquet(path)
    assert table.start.tolist() == [10, 20, 30]
    assert table.end.tolist() == [15, 25, 35]
    assert table.first_response.tolist() == [12, OPEN, 31]
    framed = Interactions.from_frame(arrow)
    assert csmetrics.first_response_time(table) == csmetrics.first_response_time(framed)
    assert csmetrics.handle_time(table) == csmetrics.handle_time(framed)
